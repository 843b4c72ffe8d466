//! The case loop's screens, for each role: the home page says what waits on the caller, the
//! expected next step comes first on a case, new reports sort by their own light, the dispatch
//! form suggests the grid the case lies in, a deadline in a year without its holiday schedule
//! says it is provisional (and administrators are told to enter it), and the audit log names
//! every action it records in Chinese.

use crate::support::{Browser, TestApp};
use reqwest::{Method, StatusCode};
use sea_orm::ConnectionTrait;
use serde_json::{Value, json};

async fn building(app: &TestApp, grid: i64) -> i64 {
    app.int(&format!(
        "SELECT MIN(id) FROM org_nodes WHERE parent_id = {grid} AND level = 'building'"
    ))
    .await
}

#[tokio::test]
async fn each_role_sees_its_work_first_and_the_next_step_first() {
    let app = TestApp::spawn().await;
    let admin = app.token("admin").await;
    let grid = app.node_id(&admin, "33019900100101").await;
    let b = building(&app, grid).await;
    let jm = app.token("jm-liuan").await;
    let sj = app.token("liuan-sj").await;
    let w = app.token("wgy-liuan-1").await;
    let report = |title: &'static str, category: &'static str| {
        let app = &app;
        let jm = jm.clone();
        async move {
            let (s, c) = app
                .send(Method::POST, &jm, "/api/v1/cases", json!({"title": title, "description": format!("{title}，请尽快处理"), "category": category, "building_id": b}))
                .await;
            assert_eq!(s, StatusCode::CREATED, "{c}");
            c
        }
    };
    // A community matter is suggested to the grid it happened in, not to the community.
    let noise = report("垃圾桶满溢", "HJ01").await;
    assert_eq!(
        noise["suggestion"]["target"]["org_id"].as_i64(),
        Some(grid),
        "{}",
        noise["suggestion"]
    );
    assert!(
        noise["suggestion"]["reason"]
            .as_str()
            .is_some_and(|r| r.contains("网格"))
    );
    // One in hand at the grid, one new report waiting since three days ago.
    let in_hand = report("楼道堆物", "WY03").await;
    app.act(
        &sj,
        in_hand["id"].as_i64().expect("id"),
        json!({"action": "dispatch", "org_id": grid}),
    )
    .await;
    app.act(
        &w,
        in_hand["id"].as_i64().expect("id"),
        json!({"action": "acknowledge"}),
    )
    .await;
    let stale = report("单元门禁坏了", "WY03").await;
    let three_days_ago = chrono::Utc::now().timestamp_millis() - 3 * 86_400_000;
    app.db
        .execute_unprepared(&format!(
            "UPDATE cases SET created_at = {three_days_ago} WHERE id = {}",
            stale["id"]
        ))
        .await
        .expect("age it");

    // The secretary's to-do: the stale report is red and comes before work in progress.
    let (_, todo) = app.get(&sj, "/api/v1/todo").await;
    let items = todo.as_array().expect("todo");
    let at = |id: &Value| items.iter().position(|c| c["id"] == *id);
    let (stale_at, noise_at) = (
        at(&stale["id"]).expect("stale"),
        at(&noise["id"]).expect("noise"),
    );
    assert_eq!(items[stale_at]["light"], "red", "{}", items[stale_at]);
    assert!(items[stale_at]["due_at"].is_i64());
    assert!(stale_at < noise_at, "the overdue report first: {todo}");
    assert_eq!(items[noise_at]["light"], "green");

    // The dispatch form preselects the grid.
    let mut bs = Browser::new(&app);
    bs.login("liuan-sj").await;
    let (_, page) = bs.get(&format!("/cases/{}", noise["id"])).await;
    assert!(
        page.contains(&format!("<option value=\"n{grid}\" selected>")),
        "the grid preselected"
    );
    let open = page
        .find("<details class=\"form act\" open>")
        .expect("an open form");
    let dispatch = page.find("value=\"dispatch\"").expect("dispatch");
    let accept = page.find("value=\"accept\"").expect("accept");
    assert!(
        open < dispatch && dispatch < accept,
        "dispatch is the expected step, open, first"
    );
    assert_eq!(page.matches(" open>").count(), 1, "one form open");
    let others = page
        .find("<details class=\"others\"")
        .expect("the exceptions folded");
    assert!(
        page.find("value=\"reject\"").expect("reject") > others,
        "不予受理 among the exceptions"
    );
    assert!(!page.contains("版本 "), "no version numbers shown");

    // The grid worker's home and case page: the work first; feedback before returning it.
    let mut bw = Browser::new(&app);
    bw.login("wgy-liuan-1").await;
    let (s, home) = bw.get("/").await;
    assert_eq!(s, StatusCode::OK);
    assert!(
        home.contains("等我办理") && home.contains("楼道堆物") && home.contains("本月办理情况"),
        "{home}"
    );
    assert!(home.contains("入户走访") && home.contains("上报问题"));
    let (_, page) = bw.get(&format!("/cases/{}", in_hand["id"])).await;
    let feedback = page.find("value=\"feedback\"").expect("feedback");
    let back = page.find("value=\"return\"").expect("return");
    assert!(feedback < back, "feedback first");
    let open = page
        .find("<details class=\"form act\" open>")
        .expect("an open form");
    assert!(
        open < feedback && page[open..feedback].matches("<details").count() == 1,
        "feedback open"
    );
    assert!(
        page.find("<details class=\"others\"")
            .is_some_and(|o| o < back),
        "退回 folded"
    );
    // The resident's home: their open reports.
    let mut bj = Browser::new(&app);
    bj.login("jm-liuan").await;
    let (_, home) = bj.get("/").await;
    assert!(
        home.contains("我反映的问题") && home.contains("单元门禁坏了"),
        "{home}"
    );
    assert!(
        !home.contains("已超时"),
        "a resident is not shown staff's counters"
    );
    // The administrator's home: the system's state.
    let mut ba = Browser::new(&app);
    ba.login("admin").await;
    let (_, home) = ba.get("/").await;
    for part in [
        "系统状况",
        "24 小时内登录失败",
        "工作日历",
        "最近导入",
        "最近操作",
    ] {
        assert!(home.contains(part), "{part}");
    }
    // Every action the log records has its Chinese name (nothing shows as 其他).
    let actions = app
        .db
        .query_all_raw(sea_orm::Statement::from_string(
            app.db.get_database_backend(),
            "SELECT DISTINCT action FROM audit_log".to_owned(),
        ))
        .await
        .expect("actions");
    assert!(actions.len() >= 3);
    for a in actions {
        let a: String = a.try_get_by_index(0).expect("action");
        assert_ne!(app.state.site.action_label(&a), "其他", "{a}");
    }
}

#[tokio::test]
async fn a_deadline_in_a_year_without_its_schedule_is_provisional_and_administrators_are_told() {
    use chrono::Datelike;
    let app = TestApp::spawn().await;
    let admin = app.token("admin").await;
    // A category with a year-long limit, so the deadline falls in a later year.
    let (s, v) = app
        .send(
            Method::PATCH,
            &admin,
            "/api/v1/categories/WY03",
            json!({"name": "楼道堆物", "handler": "grid", "response": "4wh", "handling": "260wd"}),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let grid = app.node_id(&admin, "33019900100101").await;
    let b = building(&app, grid).await;
    let sj = app.token("liuan-sj").await;
    let (_, c) = app
        .send(Method::POST, &sj, "/api/v1/cases", json!({"title": "楼道堆物", "description": "楼道里堆满纸箱", "category": "WY03", "building_id": b}))
        .await;
    let id = c["id"].as_i64().expect("id");
    let c = app
        .act(&sj, id, json!({"action": "dispatch", "org_id": grid}))
        .await;
    let due = c["handle_due"].as_i64().expect("due");
    let due_year = chrono::DateTime::from_timestamp_millis(due + 8 * 3_600_000)
        .expect("time")
        .year();
    let (_, cal) = app
        .get(&admin, &format!("/api/v1/calendar?year={due_year}"))
        .await;
    let covered = cal["covered"].as_bool().expect("covered");
    assert_eq!(
        c["deadline_note"].is_string(),
        !covered,
        "{}",
        c["deadline_note"]
    );
    let mut b = Browser::new(&app);
    b.login("liuan-sj").await;
    let (_, page) = b.get(&format!("/cases/{id}")).await;
    assert_eq!(page.contains("时限暂定"), !covered);
    if !covered {
        assert!(
            c["deadline_note"]
                .as_str()
                .is_some_and(|n| n.contains(&due_year.to_string()))
        );
    }
    // Administrators are told from 1 November when next year's schedule is missing.
    let today = (chrono::Utc::now() + chrono::Duration::hours(8)).date_naive();
    let next = today.year() + 1;
    let (_, cal) = app
        .get(&admin, &format!("/api/v1/calendar?year={next}"))
        .await;
    let should_warn = today.month() >= 11 && cal["covered"] == false;
    let warning = format!("{next} 年的放假安排还没有录入");
    let mut ba = Browser::new(&app);
    ba.login("admin").await;
    let (_, home) = ba.get("/").await;
    assert_eq!(home.contains(&warning), should_warn, "{home}");
    if should_warn {
        assert!(home.contains(&format!("/admin/calendar?year={next}")));
        // A day entered by hand is not the schedule; the 13 statutory days off are.
        for day in 1..=13 {
            let (s, _) = app
                .send(
                    Method::PUT,
                    &admin,
                    &format!("/api/v1/calendar/{next}-02-{day:02}"),
                    json!({"kind": "holiday", "name": "春节"}),
                )
                .await;
            assert_eq!(s, StatusCode::NO_CONTENT);
            let (_, home) = ba.get("/").await;
            assert_eq!(
                home.contains(&warning),
                day < 13,
                "after {day} days entered"
            );
        }
    }
    // A street's administrator is told too, and told who enters it.
    let mut bq = Browser::new(&app);
    bq.login("qinghe-admin").await;
    let (_, home) = bq.get("/").await;
    assert!(!home.contains(&warning) || home.contains("请联系区级管理员录入"));
}
