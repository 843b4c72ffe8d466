//! Rules that were only checked to exist, now pinned: every deadline to the exact working-time
//! instant the calendar gives, each pressing step to the minute it becomes due (and not a minute
//! before), the notice of a 督办 to the level above, the restart after rework, and an
//! extension refused and granted.

use crate::support::TestApp;
use chrono::{Duration, NaiveDateTime};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use wangge_core::worktime::{Calendar, Limit, WorkHours};

/// The calendar the server uses: the shipped schedule (no test here edits it).
fn calendar() -> Calendar {
    let days = Calendar::parse_schedule(include_str!("../../../core/data/holidays-cn.json"))
        .expect("schedule");
    Calendar::new(days, WorkHours::default()).expect("calendar")
}

fn bj(ms: i64) -> NaiveDateTime {
    chrono::DateTime::from_timestamp_millis(ms)
        .expect("time")
        .naive_utc()
        + Duration::hours(8)
}

fn ms(t: NaiveDateTime) -> i64 {
    (t - Duration::hours(8)).and_utc().timestamp_millis()
}

/// When a limit that starts at `start` (ms) runs out, in ms.
fn due(cal: &Calendar, start: i64, limit: Limit) -> i64 {
    ms(cal.deadline(bj(start), limit))
}

async fn case(app: &TestApp, token: &str, id: i64) -> Value {
    let (s, c) = app.get(token, &format!("/api/v1/cases/{id}")).await;
    assert_eq!(s, StatusCode::OK, "{c}");
    c
}

/// When the timeline's last step of `action` happened.
fn at_of(c: &Value, action: &str) -> i64 {
    c["timeline"]
        .as_array()
        .expect("timeline")
        .iter()
        .rev()
        .find(|e| e["action"] == action)
        .and_then(|e| e["at"].as_i64())
        .unwrap_or_else(|| panic!("no {action} in {c}"))
}

#[tokio::test]
async fn deadlines_and_pressing_fall_on_the_exact_working_time_instant() {
    let app = TestApp::spawn().await;
    let cal = calendar();
    let admin = app.token("admin").await;
    let grid = app.node_id(&admin, "33019900100101").await;
    let building = app
        .int(&format!(
            "SELECT MIN(id) FROM org_nodes WHERE parent_id = {grid} AND level = 'building'"
        ))
        .await;
    let sj = app.token("liuan-sj").await;
    let w = app.token("wgy-liuan-1").await;
    let zz = app.token("qinghe-zz").await;
    // WY03 楼道堆物: 签收 4 working hours, 办理 3 working days.
    let (s, c) = app
        .send(Method::POST, &sj, "/api/v1/cases", json!({"title": "楼道堆物", "description": "楼道里堆满纸箱", "category": "WY03", "building_id": building}))
        .await;
    assert_eq!(s, StatusCode::CREATED, "{c}");
    let id = c["id"].as_i64().expect("id");
    let c = app
        .act(&sj, id, json!({"action": "dispatch", "org_id": grid}))
        .await;
    let dispatched = at_of(&c, "dispatch");
    assert_eq!(
        c["response_due"].as_i64(),
        Some(due(&cal, dispatched, Limit::WorkingHours(4)))
    );
    assert_eq!(
        c["handle_due"].as_i64(),
        Some(due(&cal, dispatched, Limit::WorkingDays(3)))
    );
    let c = app.act(&w, id, json!({"action": "acknowledge"})).await;
    let handle_due = c["handle_due"].as_i64().expect("due");
    assert_eq!(handle_due, due(&cal, dispatched, Limit::WorkingDays(3)));

    // The reminder when 80 % of the 1,260 working minutes are used (1,008), not a minute before.
    let cases = wangge::cases::CasesState::of(&app.state);
    let press = |at: i64| wangge::cases::press::run_once(&cases, at);
    let at80 = ms(cal.add_working_minutes(bj(dispatched), 1008));
    let r = press(at80 - 60_000).await.expect("press");
    assert_eq!(
        (r.reminded, r.urged, r.supervised),
        (0, 0, 0),
        "at 1,007 minutes"
    );
    let r = press(at80).await.expect("press");
    assert_eq!(
        (r.reminded, r.urged, r.supervised),
        (1, 0, 0),
        "at 1,008 minutes"
    );
    // 催办 one working day after the deadline; 督办 after five, told to the street above.
    let urge_at = due(&cal, handle_due, Limit::WorkingDays(1));
    let supervise_at = due(&cal, handle_due, Limit::WorkingDays(5));
    let r = press(handle_due + 60_000).await.expect("press");
    assert_eq!(
        (r.reminded, r.urged, r.supervised),
        (0, 0, 0),
        "overdue, not yet by a day"
    );
    let r = press(urge_at - 60_000).await.expect("press");
    assert_eq!((r.urged, r.supervised), (0, 0));
    let r = press(urge_at).await.expect("press");
    assert_eq!((r.reminded, r.urged, r.supervised), (0, 1, 0));
    let (_, before) = app.get(&zz, "/api/v1/notifications").await;
    let r = press(supervise_at - 60_000).await.expect("press");
    assert_eq!(r.supervised, 0);
    let r = press(supervise_at).await.expect("press");
    assert_eq!((r.reminded, r.urged, r.supervised), (0, 0, 1));
    let r = press(supervise_at + 30 * 86_400_000).await.expect("press");
    assert_eq!(
        (r.reminded, r.urged, r.supervised),
        (0, 0, 0),
        "each step once"
    );
    let (_, after) = app.get(&zz, "/api/v1/notifications").await;
    let count = |v: &Value| v.to_string().matches("自动督办").count();
    assert_eq!(
        count(&after),
        count(&before) + 1,
        "the street's command centre is told: {after}"
    );
    let c = case(&app, &w, id).await;
    assert_eq!(c["supervised"], true);
    assert_eq!(at_of(&c, "remind"), at80);
    assert_eq!(at_of(&c, "urge"), urge_at);
    assert_eq!(at_of(&c, "auto_supervise"), supervise_at);

    // An extension refused leaves the deadline; granted, it adds working days to it.
    app.act(
        &w,
        id,
        json!({"action": "request_extension", "days": 2, "text": "等配件"}),
    )
    .await;
    let c = app
        .act(
            &sj,
            id,
            json!({"action": "decide_extension", "passed": false}),
        )
        .await;
    assert_eq!(
        (c["handle_due"].as_i64(), c["extension_pending"].as_bool()),
        (Some(handle_due), Some(false))
    );
    app.act(
        &w,
        id,
        json!({"action": "request_extension", "days": 2, "text": "还在等配件"}),
    )
    .await;
    let c = app
        .act(
            &sj,
            id,
            json!({"action": "decide_extension", "passed": true}),
        )
        .await;
    let extended = due(&cal, handle_due, Limit::WorkingDays(2));
    assert_eq!(c["handle_due"].as_i64(), Some(extended));

    // Fed back, then found not done on site: the handling clock starts again from the check.
    app.act(&w, id, json!({"action": "feedback", "text": "已清理"}))
        .await;
    let c = app
        .act(
            &w,
            id,
            json!({"action": "verify", "passed": false, "text": "还有两箱"}),
        )
        .await;
    let checked = at_of(&c, "verify");
    assert_eq!(c["status"], "handling");
    assert_eq!(
        c["handle_due"].as_i64(),
        Some(due(&cal, checked, Limit::WorkingDays(3)))
    );
}

#[tokio::test]
async fn reporters_phones_and_names_show_only_to_whom_they_should() {
    let app = TestApp::spawn().await;
    let admin = app.token("admin").await;
    let grid = app.node_id(&admin, "33019900100101").await;
    let building = app
        .int(&format!(
            "SELECT MIN(id) FROM org_nodes WHERE parent_id = {grid} AND level = 'building'"
        ))
        .await;
    let jm = app.token("jm-liuan").await;
    let w = app.token("wgy-liuan-1").await;
    let sj = app.token("liuan-sj").await;
    let report = |private: bool| {
        let app = &app;
        let jm = jm.clone();
        async move {
            let (s, c) = app
                .send(Method::POST, &jm, "/api/v1/cases", json!({"title": "楼道堆物", "description": "楼道里堆满纸箱", "category": "WY03", "building_id": building, "reporter_phone": "13912345678", "private": private}))
                .await;
            assert_eq!(s, StatusCode::CREATED, "{c}");
            c["id"].as_i64().expect("id")
        }
    };
    let open = report(false).await;
    let private = report(true).await;
    // Queued at the community: the grid worker of the place sees the phone masked.
    let c = case(&app, &w, open).await;
    assert_eq!(c["reporter_phone"], "139****5678");
    // The dispatcher who calls back sees it whole, as does the grid it is dispatched to.
    let c = case(&app, &sj, open).await;
    assert_eq!(c["reporter_phone"], "13912345678");
    app.act(&sj, open, json!({"action": "dispatch", "org_id": grid}))
        .await;
    assert_eq!(case(&app, &w, open).await["reporter_phone"], "13912345678");
    // A private report hides who reported it from everyone who handles it.
    for t in [&sj, &w] {
        let c = case(&app, t, private).await;
        assert_eq!(
            (c["reporter_name"].as_str(), c["reporter_phone"].as_str()),
            (Some("匿名"), Some("139****5678")),
            "{c}"
        );
    }
    app.act(&sj, private, json!({"action": "dispatch", "org_id": grid}))
        .await;
    let c = case(&app, &w, private).await;
    assert_eq!(
        (c["reporter_name"].as_str(), c["reporter_phone"].as_str()),
        (Some("匿名"), Some("139****5678"))
    );
    let (_, list) = app.get(&sj, "/api/v1/cases").await;
    assert!(
        !list.to_string().contains("13912345678"),
        "lists mask every phone"
    );
    // The reporter sees their own report as theirs.
    assert_eq!(case(&app, &jm, private).await["reported_by_you"], true);
}

#[tokio::test]
async fn household_pages_mask_their_members_and_edits_keep_versions() {
    let app = TestApp::spawn().await;
    let gw = app.token("wgy-liuan-1").await;
    let admin = app.token("admin").await;
    let grid = app.node_id(&admin, "33019900100101").await;
    let building = app
        .int(&format!(
            "SELECT MIN(id) FROM org_nodes WHERE parent_id = {grid} AND level = 'building'"
        ))
        .await;
    let full = crate::support::id_number((1980, 10, 1), 42);
    let (hid, rid) = app
        .household_with_head(
            &gw,
            building,
            "钱七",
            &full,
            json!({"phone": "13705718899"}),
        )
        .await;
    let masked = format!("{}********{}", &full[..6], &full[14..]);
    let mut b = crate::support::Browser::new(&app);
    b.login("wgy-liuan-1").await;
    for page in [
        format!("/people/households/{hid}"),
        format!("/people/households/{hid}/print"),
        format!("/people/residents/{rid}"),
    ] {
        let (s, html) = b.get(&page).await;
        assert_eq!(s, StatusCode::OK, "{page}");
        assert!(
            html.contains("钱七") && html.contains(&masked) && html.contains("137****8899"),
            "{page}"
        );
        assert!(
            !html.contains(&full) && !html.contains("13705718899"),
            "{page} shows a full number"
        );
    }
    // An edit carries the version it saw: saved once, refused when stale, audited.
    let before = app.audit_rows().await;
    let (s, v) = app
        .send(
            Method::PATCH,
            &gw,
            &format!("/api/v1/residents/{rid}"),
            json!({"name": "钱七", "relation": "户主", "work_unit": "清河菜场", "version": 1}),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(
        (v["version"].as_i64(), v["work_unit"].as_str()),
        (Some(2), Some("清河菜场"))
    );
    assert_eq!(
        v["id_number"],
        masked.as_str(),
        "an edit without the number keeps it"
    );
    let (s, v) = app
        .send(
            Method::PATCH,
            &gw,
            &format!("/api/v1/residents/{rid}"),
            json!({"name": "钱七", "relation": "户主", "work_unit": "别处", "version": 1}),
        )
        .await;
    assert_eq!(
        (s, v["error"]["code"].as_str()),
        (StatusCode::CONFLICT, Some("stale_version"))
    );
    assert_eq!(app.audit_rows().await, before + 1);
}

#[tokio::test]
async fn login_limits_count_fifteen_minutes_by_name_and_by_address() {
    use sea_orm::ConnectionTrait;
    let app = TestApp::spawn().await;
    let now = chrono::Utc::now().timestamp_millis();
    let seed = |name: &str, ip: &str, minutes_ago: i64, n: usize| {
        let sql = (0..n)
            .map(|_| {
                format!(
                    "INSERT INTO login_failures (username, ip, at) VALUES ('{name}', '{ip}', {})",
                    now - minutes_ago * 60_000
                )
            })
            .collect::<Vec<_>>();
        let app = &app;
        async move {
            for s in sql {
                app.db.execute_unprepared(&s).await.expect("seed");
            }
        }
    };
    let login = |name: &'static str| {
        let app = &app;
        async move {
            app.send(
                Method::POST,
                "",
                "/api/v1/auth/login",
                json!({"username": name, "password": crate::support::PW}),
            )
            .await
            .0
        }
    };
    // Five failures of a name 16 minutes ago have aged out; five within 15 minutes stop it.
    seed("liuan-sj", "10.0.0.9", 16, 5).await;
    assert_eq!(login("liuan-sj").await, StatusCode::OK);
    seed("liuan-gz", "10.0.0.9", 14, 5).await;
    assert_eq!(login("liuan-gz").await, StatusCode::TOO_MANY_REQUESTS);
    // Twenty failures from one address, whatever the names, stop every name from it.
    seed("someone", "127.0.0.1", 16, 20).await;
    assert_eq!(
        login("fenglin-sj").await,
        StatusCode::OK,
        "old failures of the address do not count"
    );
    // The refused try of liuan-gz above counts against the address too (every try is counted
    // before it is answered): 19 more guesses make 20; the 21st, whatever its name, waits.
    for k in 0..19 {
        let (s, _) = app
            .send(
                Method::POST,
                "",
                "/api/v1/auth/login",
                json!({"username": format!("guess-{k}"), "password": "x-2026-y"}),
            )
            .await;
        assert_eq!(s, StatusCode::UNAUTHORIZED, "try {k}");
    }
    assert_eq!(login("xuefu-sj").await, StatusCode::TOO_MANY_REQUESTS);
}
