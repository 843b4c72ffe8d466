//! The monthly ranking (issue 20) against an independent recount from the raw rows of the
//! demo's cases, on either database: every component of every child, the exact composite, the
//! stated order, the minimum sample, 红榜 and 黑榜 apart; and who may ask for which node.

use crate::support::TestApp;
use reqwest::StatusCode;
use sea_orm::ConnectionTrait;
use serde_json::Value;

/// Beijing midnight of the first of a month, in ms.
fn month_ms(y: i32, m: u32) -> i64 {
    chrono::NaiveDate::from_ymd_opt(y, m, 1)
        .expect("day")
        .and_hms_opt(0, 0, 0)
        .expect("midnight")
        .and_utc()
        .timestamp_millis()
        - 8 * 3600 * 1000
}

struct Counted {
    rated: u128,
    contacted: u128,
    solved: u128,
    satisfied: u128,
    basic: u128,
    due: u64,
    on_time: u64,
    cases: u64,
    patrol: u64,
    residents: u64,
}

async fn count(app: &TestApp, path: &str, from: i64, to: i64, now: i64) -> Counted {
    let rows = app
        .db
        .query_all_raw(sea_orm::Statement::from_string(
            app.db.get_database_backend(),
            format!(
                "SELECT kind, org_path, source, created_at, dispatched_at, fed_back_at, handle_due, \
                 handle_late, rated_at, contacted, solved, satisfaction FROM cases \
                 WHERE org_path LIKE '{path}%'"
            ),
        ))
        .await
        .expect("cases");
    let mut c = Counted {
        rated: 0,
        contacted: 0,
        solved: 0,
        satisfied: 0,
        basic: 0,
        due: 0,
        on_time: 0,
        cases: 0,
        patrol: 0,
        residents: 0,
    };
    let within = |t: Option<i64>| t.is_some_and(|t| t >= from && t < to);
    for r in rows {
        let kind: String = r.try_get("", "kind").expect("kind");
        if kind != "appeal" && kind != "incident" {
            continue;
        }
        let created: i64 = r.try_get("", "created_at").expect("created");
        if within(Some(created)) {
            c.cases += 1;
            let source: String = r.try_get("", "source").expect("source");
            c.patrol += u64::from(source == "patrol");
        }
        if within(r.try_get("", "rated_at").expect("rated")) {
            c.rated += 1;
            let yes = |col: &str| r.try_get::<Option<bool>>("", col).expect("bool") == Some(true);
            c.contacted += u128::from(yes("contacted"));
            c.solved += u128::from(yes("solved"));
            let s: Option<String> = r.try_get("", "satisfaction").expect("satisfaction");
            c.satisfied += u128::from(s.as_deref() == Some("satisfied"));
            c.basic += u128::from(s.as_deref() == Some("basic"));
        }
        if within(r.try_get("", "dispatched_at").expect("dispatched")) {
            let fed: Option<i64> = r.try_get("", "fed_back_at").expect("fed");
            let due: Option<i64> = r.try_get("", "handle_due").expect("due");
            if fed.is_some() || due.is_some_and(|d| d < now) {
                c.due += 1;
            }
            let late: bool = r.try_get("", "handle_late").expect("late");
            c.on_time += u64::from(fed.is_some() && !late);
        }
    }
    c.residents = u64::try_from(
        app.int(&format!(
            "SELECT COUNT(*) FROM residents WHERE org_path LIKE '{path}%' AND status = 'active'"
        ))
        .await,
    )
    .expect("count");
    c
}

fn lowest(num: u128, den: u128) -> String {
    fn gcd(a: u128, b: u128) -> u128 {
        if b == 0 { a } else { gcd(b, a % b) }
    }
    let g = gcd(num, den);
    format!("{}/{}", num / g, den / g)
}

#[tokio::test]
async fn the_ranking_is_the_recount_of_each_child_in_the_stated_order() {
    let app = TestApp::spawn().await;
    wangge::demo::cases::generate(&app.state, 20261122, 600, 90)
        .await
        .expect("demo cases");
    let zz = app.token("qinghe-zz").await;
    let admin = app.token("admin").await;
    let street = app.node_id(&admin, "330199001000").await;
    let today = wangge::infra::clock::today();
    let last = today
        .checked_sub_months(chrono::Months::new(1))
        .expect("last month");
    let (y, m) = (
        chrono::Datelike::year(&last),
        chrono::Datelike::month(&last),
    );
    let month = format!("{y}-{m:02}");
    let (from, to) = (
        month_ms(y, m),
        month_ms(
            chrono::Datelike::year(&today),
            chrono::Datelike::month(&today),
        ),
    );
    for (org, level) in [(street, "community"), (0, "grid")] {
        let org = if org == 0 {
            app.node_id(&admin, "330199001001").await
        } else {
            org
        };
        let (s, v) = app
            .get(
                &zz,
                &format!("/api/v1/stats/ranking?org={org}&month={month}"),
            )
            .await;
        assert_eq!(s, StatusCode::OK, "{v}");
        let now = wangge::infra::clock::now_ms();
        let rows = v["rows"].as_array().expect("rows").clone();
        let kids = app
            .int(&format!(
                "SELECT COUNT(*) FROM org_nodes WHERE parent_id = {org} AND level = '{level}' AND status = 'active'"
            ))
            .await;
        assert_eq!(rows.len() as i64, kids, "every child listed");
        let mut ranked: Vec<(i64, u128, u128, u128, u128, String)> = Vec::new();
        for r in &rows {
            let id = r["node_id"].as_i64().expect("id");
            let path = app
                .text(&format!("SELECT path FROM org_nodes WHERE id = {id}"))
                .await;
            let c = count(&app, &path, from, to, now).await;
            let got = |k: &str| r[k].as_u64().expect(k);
            assert_eq!(
                (
                    got("rated"),
                    got("contacted"),
                    got("solved"),
                    got("satisfied"),
                    got("basic")
                ),
                (
                    c.rated as u64,
                    c.contacted as u64,
                    c.solved as u64,
                    c.satisfied as u64,
                    c.basic as u64
                ),
                "{r}"
            );
            assert_eq!(
                (
                    got("due"),
                    got("on_time"),
                    got("cases"),
                    got("patrol"),
                    got("complaints"),
                    got("residents")
                ),
                (
                    c.due,
                    c.on_time,
                    c.cases,
                    c.patrol,
                    c.cases - c.patrol,
                    c.residents
                ),
                "{r}"
            );
            // The composite, exactly: (100·1000·contacted + 500·1000·solved + 400·(1000·满意 +
            // 900·基本满意)) ÷ (1,000,000 · rated).
            if c.rated > 0 {
                let num = 100_000 * c.contacted
                    + 500_000 * c.solved
                    + 400 * (1000 * c.satisfied + 900 * c.basic);
                let den = 1_000_000 * c.rated;
                assert_eq!(r["composite_exact"], Value::from(lowest(num, den)), "{r}");
                let sat = (1000 * c.satisfied + 900 * c.basic, 1000 * c.rated);
                if c.rated >= 10 {
                    ranked.push((
                        id,
                        num,
                        den,
                        sat.0,
                        sat.1,
                        r["code"].as_str().expect("code").to_owned(),
                    ));
                }
            } else {
                assert!(r["composite"].is_null());
            }
            // Under the minimum sample: listed, not ranked, told why.
            assert_eq!(r["rank"].is_null(), c.rated < 10, "{r}");
            if c.rated < 10 {
                assert!(
                    r["not_ranked"]
                        .as_str()
                        .is_some_and(|w| w.contains("最少样本")),
                    "{r}"
                );
            }
        }
        // The stated order, recomputed by cross-multiplication: composite, 满意率, rated, code.
        ranked.sort_by(|a, b| {
            (b.1 * a.2)
                .cmp(&(a.1 * b.2))
                .then_with(|| (b.3 * a.4).cmp(&(a.3 * b.4)))
                .then_with(|| b.2.cmp(&a.2))
                .then_with(|| a.5.cmp(&b.5))
        });
        let shown: Vec<i64> = rows
            .iter()
            .filter(|r| !r["rank"].is_null())
            .map(|r| r["node_id"].as_i64().expect("id"))
            .collect();
        let expected: Vec<i64> = ranked.iter().map(|r| r.0).collect();
        assert_eq!(shown, expected, "{v}");
        // 红榜 and 黑榜: at most five each, never the same node.
        let red = v["red"].as_array().expect("red");
        let black = v["black"].as_array().expect("black");
        assert!(red.len() <= 5 && red.len() == black.len() && red.len() <= shown.len() / 2);
        assert!(red.iter().all(|n| !black.contains(n)));
        assert!(v["rule"].as_str().is_some_and(|r| r.contains("节点编码")));
        assert!(
            v["outcomes_only"]
                .as_str()
                .is_some_and(|r| r.contains("不统计登录"))
        );
    }
}

#[tokio::test]
async fn a_ranking_is_of_the_caller_s_subtree_and_for_staff() {
    let app = TestApp::spawn().await;
    let admin = app.token("admin").await;
    let street = app.node_id(&admin, "330199001000").await;
    let other = app.node_id(&admin, "330199002000").await;
    let sj = app.token("liuan-sj").await;
    let (s, _) = app
        .get(&sj, &format!("/api/v1/stats/ranking?org={street}"))
        .await;
    assert_eq!(
        s,
        StatusCode::NOT_FOUND,
        "a community does not see its street's ranking"
    );
    let (s, v) = app.get(&sj, "/api/v1/stats/ranking").await;
    assert_eq!(s, StatusCode::OK, "its own grids: {v}");
    assert!(v["rows"].as_array().is_some_and(|r| !r.is_empty()));
    let zz = app.token("qinghe-zz").await;
    let (s, _) = app
        .get(&zz, &format!("/api/v1/stats/ranking?org={other}"))
        .await;
    assert_eq!(s, StatusCode::NOT_FOUND, "another street");
    let (s, v) = app.get(&zz, "/api/v1/stats/ranking?month=2026-13").await;
    assert_eq!(
        (s, v["error"]["code"].as_str()),
        (StatusCode::BAD_REQUEST, Some("bad_month"))
    );
    let gw = app.token("wgy-liuan-1").await;
    let (s, v) = app.get(&gw, "/api/v1/stats/ranking").await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(
        (
            v["ranks_children"].as_bool(),
            v["rows"].as_array().map(Vec::len)
        ),
        (Some(false), Some(0)),
        "a grid has nothing under it to rank"
    );
    let jm = app.token("jm-liuan").await;
    let (s, _) = app.get(&jm, "/api/v1/stats/ranking").await;
    assert_eq!(s, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn a_published_ranking_never_changes_and_weights_change_by_versions() {
    let app = TestApp::spawn().await;
    wangge::demo::cases::generate(&app.state, 20261122, 300, 70)
        .await
        .expect("demo cases");
    let zz = app.token("qinghe-zz").await;
    let admin = app.token("admin").await;
    let street = app.node_id(&admin, "330199001000").await;
    let today = wangge::infra::clock::today();
    let month_of = |back: u32| {
        today
            .checked_sub_months(chrono::Months::new(back))
            .expect("month")
            .format("%Y-%m")
            .to_string()
    };
    let (this, last, before) = (month_of(0), month_of(1), month_of(2));
    let url = |m: &str| format!("/api/v1/stats/ranking?org={street}&month={m}");
    let (_, live) = app.get(&zz, &url(&last)).await;
    assert!(live["published"].is_null());
    let written = || async {
        (
            app.audit_rows().await,
            app.int("SELECT COUNT(*) FROM rankings").await,
            app.int("SELECT COUNT(*) FROM ranking_weights").await,
            app.int("SELECT COUNT(*) FROM ranking_errata").await,
        )
    };
    let gw = app.token("wgy-liuan-1").await;
    let sj = app.token("liuan-sj").await;
    let start = written().await;
    let publish = |m: &str| serde_json::json!({"org": street, "month": m});
    for (token, body, status, code) in [
        (&zz, publish(&this), StatusCode::BAD_REQUEST, "not_over"),
        (
            &zz,
            publish("2026-13"),
            StatusCode::BAD_REQUEST,
            "bad_month",
        ),
        (&gw, publish(&last), StatusCode::BAD_REQUEST, "not_governor"),
        (&sj, publish(&last), StatusCode::NOT_FOUND, "not_found"),
    ] {
        let (s, v) = app
            .send(
                reqwest::Method::POST,
                token,
                "/api/v1/stats/ranking/publish",
                body,
            )
            .await;
        assert_eq!(
            (s, v["error"]["code"].as_str()),
            (status, Some(code)),
            "{v}"
        );
    }
    for body in [
        serde_json::json!({"org": street, "resolution": 600, "note": "多了"}),
        serde_json::json!({"org": street, "resolution": 400, "on_time": 100}),
        serde_json::json!({"org": street, "min_rated": 0, "note": "零"}),
    ] {
        let (s, v) = app
            .send(
                reqwest::Method::POST,
                &zz,
                "/api/v1/stats/ranking/weights",
                body,
            )
            .await;
        assert_eq!(s, StatusCode::BAD_REQUEST, "{v}");
    }
    assert_eq!(written().await, start, "refusals write nothing");
    // Two publications of one month at once: one wins.
    let path = "/api/v1/stats/ranking/publish";
    let (a, b) = tokio::join!(
        app.send(reqwest::Method::POST, &zz, path, publish(&last)),
        app.send(reqwest::Method::POST, &zz, path, publish(&last)),
    );
    let mut got = [a.0, b.0];
    got.sort();
    assert_eq!(
        got,
        [StatusCode::CREATED, StatusCode::CONFLICT],
        "{a:?} {b:?}"
    );
    let (_, published) = app.get(&zz, &url(&last)).await;
    assert!(published["published"]["id"].is_i64(), "{published}");
    assert_eq!(published["rows"], live["rows"], "published as counted");
    // New weights: a new version for what comes; the published month keeps its own.
    let (s, w) = app
        .send(
            reqwest::Method::POST,
            &zz,
            "/api/v1/stats/ranking/weights",
            serde_json::json!({"org": street, "resolution": 400, "on_time": 100, "min_rated": 3, "note": "按时办结纳入考核"}),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{w}");
    assert_eq!(
        (w["version"].as_u64(), w["on_time"].as_u64()),
        (Some(2), Some(100))
    );
    let (_, now) = app.get(&zz, &url(&before)).await;
    assert_eq!(
        now["weights"]["version"], 2,
        "unpublished months count with the new version"
    );
    // The cases of the published month change; the published figures do not.
    let (from, to) = {
        let d = chrono::NaiveDate::parse_from_str(&format!("{last}-01"), "%Y-%m-%d").expect("d");
        let n = d.checked_add_months(chrono::Months::new(1)).expect("next");
        let ms = |d: chrono::NaiveDate| {
            wangge::infra::clock::from_bj(d.and_hms_opt(0, 0, 0).expect("t"))
        };
        (ms(d), ms(n))
    };
    wangge::infra::db::exec(
        &app.db,
        "UPDATE cases SET satisfaction = 'dissatisfied', solved = FALSE WHERE rated_at >= $1 AND rated_at < $2",
        vec![from.into(), to.into()],
    )
    .await
    .expect("changed");
    let (_, again) = app.get(&zz, &url(&last)).await;
    assert_eq!(again["rows"], published["rows"], "frozen");
    assert_eq!(again["weights"]["version"], 1);
    // A correction is an erratum beside it, counted now with the weights it was published with.
    let id = published["published"]["id"].as_i64().expect("id");
    let (s, _) = app
        .send(
            reqwest::Method::POST,
            &zz,
            &format!("/api/v1/stats/rankings/{id}/errata"),
            serde_json::json!({"note": ""}),
        )
        .await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    let (s, e) = app
        .send(
            reqwest::Method::POST,
            &zz,
            &format!("/api/v1/stats/rankings/{id}/errata"),
            serde_json::json!({"note": "回访结果录错，已更正"}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{e}");
    let (_, corrected) = app.get(&zz, &url(&last)).await;
    assert_eq!(corrected["rows"], published["rows"], "the original stays");
    assert_eq!(corrected["errata"][0]["note"], "回访结果录错，已更正");
    assert_eq!(
        corrected["errata"][0]["ranks"].as_array().map(Vec::len),
        published["rows"].as_array().map(Vec::len)
    );
    // The history of ranks: the published month, its ranks as published, marked corrected.
    let (s, h) = app
        .get(&zz, &format!("/api/v1/stats/ranking/history?org={street}"))
        .await;
    assert_eq!(s, StatusCode::OK, "{h}");
    assert_eq!(h["months"][0]["month"], serde_json::json!(last));
    assert_eq!(h["months"][0]["corrected"], true);
    for r in published["rows"].as_array().expect("rows") {
        let c = h["children"]
            .as_array()
            .expect("children")
            .iter()
            .find(|c| c["node_id"] == r["node_id"])
            .expect("the child");
        assert_eq!(c["ranks"][0], r["rank"], "{c}");
    }
    let sj = app.token("liuan-sj").await;
    assert_eq!(
        app.get(&sj, &format!("/api/v1/stats/ranking/history?org={street}"))
            .await
            .0,
        StatusCode::NOT_FOUND
    );
}
