//! The errand (红色代办), the engine's second kind of work: registered by the party slice with
//! its flow and categories, carried by the same commit path as the appeal. A resident asks,
//! a grid worker of the place takes it, does it, and the resident confirms — or says it is
//! not done yet, or the taker releases it back; bad input changes nothing.

use crate::support::TestApp;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

async fn try_act(app: &TestApp, token: &str, id: i64, mut body: Value) -> (StatusCode, Value) {
    let (_, c) = app.get(token, &format!("/api/v1/cases/{id}")).await;
    body["version"] = c["version"].clone();
    app.send(
        Method::POST,
        token,
        &format!("/api/v1/cases/{id}/actions"),
        body,
    )
    .await
}

async fn ask(app: &TestApp, token: &str, building: i64, title: &str) -> Value {
    let (s, c) = app
        .send(
            Method::POST,
            token,
            "/api/v1/cases",
            json!({
                "kind": "errand", "category": "DB02", "building_id": building,
                "title": title, "description": "老人腿脚不便，想请人帮忙在医院预约下周二的号",
            }),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{c}");
    c
}

#[tokio::test]
async fn an_errand_goes_round_its_loop_through_the_api() {
    let app = TestApp::spawn().await;
    let jm = app.token("jm-liuan").await;
    let gw = app.token("wgy-liuan-1").await;
    let sj = app.token("liuan-sj").await;
    let elsewhere = app.token("wgy-taoyuan-1").await;
    let building = app.building_in("33019900100101").await;

    // Bad input changes nothing: an appeal's category, an unknown kind, no account.
    let before = app.int("SELECT COUNT(*) FROM cases").await;
    let base = json!({"kind": "errand", "building_id": building, "title": "帮忙预约", "description": "帮忙预约挂号"});
    let mut wrong = base.clone();
    wrong["category"] = json!("HJ01");
    let (s, v) = app.send(Method::POST, &jm, "/api/v1/cases", wrong).await;
    assert_eq!(
        (s, v["error"]["code"].as_str()),
        (StatusCode::BAD_REQUEST, Some("bad_category")),
        "{v}"
    );
    assert!(
        v["error"]["message"]
            .as_str()
            .is_some_and(|m| m.contains("不属于红色代办")),
        "{v}"
    );
    let mut unknown = base.clone();
    unknown["kind"] = json!("chore");
    let (s, v) = app.send(Method::POST, &jm, "/api/v1/cases", unknown).await;
    assert_eq!(
        (s, v["error"]["code"].as_str()),
        (StatusCode::BAD_REQUEST, Some("bad_kind")),
        "{v}"
    );
    assert!(
        v["error"]["message"]
            .as_str()
            .is_some_and(|m| m.contains("红色代办")),
        "{v}"
    );
    assert_eq!(app.int("SELECT COUNT(*) FROM cases").await, before);

    // A resident asks; the community's screeners are told.
    let c = ask(&app, &jm, building, "帮忙预约挂号").await;
    let id = c["id"].as_i64().expect("id");
    assert_eq!(
        (
            c["status"].as_str(),
            c["status_label"].as_str(),
            c["kind_label"].as_str()
        ),
        (Some("requested"), Some("待接单"), Some("红色代办"))
    );
    let told = app
        .int(&format!(
            "SELECT COUNT(*) FROM notifications n JOIN users u ON u.id = n.user_id \
             WHERE n.case_id = {id} AND u.username = 'liuan-sj' AND n.kind = 'report'"
        ))
        .await;
    assert_eq!(told, 1);
    // Without a category, the words choose one of the errand's own.
    let (s, guessed) = app
        .send(Method::POST, &jm, "/api/v1/cases", json!({"kind": "errand", "building_id": building, "title": "帮忙缴水费电费", "description": "家里老人不会用手机缴费，想请人代缴水费电费"}))
        .await;
    assert_eq!(s, StatusCode::CREATED, "{guessed}");
    assert_eq!(guessed["category"], "DB04", "{guessed}");
    assert_eq!(guessed["suggested_category"]["method"], "keywords");
    let words = guessed["suggested_category"]["words"]
        .as_array()
        .expect("words");
    assert!(
        words.contains(&json!("水费")) && words.contains(&json!("电费")),
        "{guessed}"
    );

    // What each may do is the flow's: the grid worker may take it, the resident cancel it,
    // a grid worker of another community does not see it at all.
    let (_, d) = app.get(&gw, &format!("/api/v1/cases/{id}")).await;
    assert_eq!(d["actions"], json!(["take"]), "{d}");
    assert_eq!(d["offers"][0]["needs"][0]["type"], "text");
    assert_eq!(d["offers"][0]["needs"][0]["required"], "no");
    let (_, d) = app.get(&jm, &format!("/api/v1/cases/{id}")).await;
    assert_eq!(d["actions"], json!(["cancel"]), "{d}");
    let (s, _) = app.get(&elsewhere, &format!("/api/v1/cases/{id}")).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let (s, v) = try_act(&app, &jm, id, json!({"action": "take"})).await;
    assert_eq!(
        s,
        StatusCode::FORBIDDEN,
        "the requester does not take their own: {v}"
    );

    // Taken: the taker is the one who handles it, with the handling clock running.
    let c = app
        .act(&gw, id, json!({"action": "take", "text": "明早上门"}))
        .await;
    assert_eq!(c["status"], "taken");
    assert!(c["handle_due"].as_i64().is_some(), "{c}");
    let taker = app
        .text("SELECT display_name FROM users WHERE username = 'wgy-liuan-1'")
        .await;
    assert_eq!(c["assignee_name"], json!(taker));
    assert!(
        app.int(&format!(
            "SELECT COUNT(*) FROM notifications WHERE case_id = {id} AND kind = 'taken'"
        ))
        .await
            == 1,
        "the resident is told who took it"
    );
    let (s, v) = try_act(&app, &sj, id, json!({"action": "finish", "text": "办好了"})).await;
    assert_eq!(s, StatusCode::FORBIDDEN, "only the taker finishes: {v}");
    let (s, v) = try_act(&app, &gw, id, json!({"action": "finish", "text": "  "})).await;
    assert_eq!(
        (s, v["error"]["code"].as_str()),
        (StatusCode::BAD_REQUEST, Some("bad_input")),
        "{v}"
    );
    assert_eq!(
        app.text(&format!("SELECT status FROM cases WHERE id = {id}"))
            .await,
        "taken"
    );

    // Done, not confirmed: back to the taker with what is missing; then done and confirmed.
    app.act(
        &gw,
        id,
        json!({"action": "finish", "text": "已预约周二上午的号"}),
    )
    .await;
    let (s, v) = try_act(&app, &jm, id, json!({"action": "confirm", "passed": false})).await;
    assert_eq!(s, StatusCode::BAD_REQUEST, "{v}");
    let c = app
        .act(
            &jm,
            id,
            json!({"action": "confirm", "passed": false, "text": "约成了下午的号"}),
        )
        .await;
    assert_eq!(c["status"], "taken");
    app.act(
        &gw,
        id,
        json!({"action": "finish", "text": "已改约周二上午"}),
    )
    .await;
    let c = app
        .act(&jm, id, json!({"action": "confirm", "passed": true}))
        .await;
    assert_eq!(
        (c["status"].as_str(), c["status_label"].as_str()),
        (Some("confirmed"), Some("已办结"))
    );
    assert!(c["closed_at"].as_i64().is_some());
    let (_, d) = app.get(&jm, &format!("/api/v1/cases/{id}")).await;
    assert_eq!(d["actions"], json!([]), "a finished errand offers nothing");
    let steps: Vec<&str> = d["timeline"]
        .as_array()
        .expect("timeline")
        .iter()
        .filter_map(|e| e["action"].as_str())
        .collect();
    assert_eq!(
        steps,
        ["report", "take", "finish", "confirm", "finish", "confirm"]
    );
    let labels: Vec<&str> = d["timeline"]
        .as_array()
        .expect("timeline")
        .iter()
        .filter_map(|e| e["action_label"].as_str())
        .collect();
    assert_eq!(
        labels,
        ["上报", "接单", "办好了", "确认办结", "办好了", "确认办结"]
    );
    assert_eq!(
        app.int(&format!("SELECT COUNT(*) FROM audit_log WHERE entity = 'case' AND entity_id = {id} AND action = 'case_action'")).await,
        5,
        "every step is audited"
    );

    // Released: back in the pool, nobody's; then the resident cancels it.
    let c = ask(&app, &jm, building, "帮忙取药").await;
    let id = c["id"].as_i64().expect("id");
    app.act(&gw, id, json!({"action": "take"})).await;
    let (s, _) = try_act(&app, &gw, id, json!({"action": "release"})).await;
    assert_eq!(s, StatusCode::BAD_REQUEST, "a reason is needed");
    let c = app
        .act(
            &gw,
            id,
            json!({"action": "release", "text": "临时出差，办不了"}),
        )
        .await;
    assert_eq!(
        (c["status"].as_str(), c["assignee_name"].as_str()),
        (Some("requested"), Some(""))
    );
    assert_eq!(
        app.int(&format!(
            "SELECT COUNT(*) FROM cases WHERE id = {id} AND assignee_user_id IS NULL"
        ))
        .await,
        1
    );
    let c = app.act(&jm, id, json!({"action": "cancel"})).await;
    assert_eq!(c["status"], "cancelled");
}

#[tokio::test]
async fn an_errand_nobody_takes_is_flagged_to_the_community_once() {
    let app = TestApp::spawn().await;
    let jm = app.token("jm-liuan").await;
    let building = app.building_in("33019900100101").await;
    let c = ask(&app, &jm, building, "帮忙买药").await;
    let id = c["id"].as_i64().expect("id");
    let created = c["created_at"].as_i64().expect("created");
    let cases = wangge::cases::CasesState::of(&app.state);
    let later = created + 10 * 86_400_000;
    let r = wangge::cases::press::run_once(&cases, later)
        .await
        .expect("press");
    assert!(r.urged >= 1, "{r:?}");
    let r = wangge::cases::press::run_once(&cases, later)
        .await
        .expect("press");
    assert_eq!(r.urged, 0, "once");
    assert_eq!(
        app.int(&format!(
            "SELECT COUNT(*) FROM case_events WHERE case_id = {id} AND action = 'unclaimed'"
        ))
        .await,
        1
    );
    assert!(
        app.int(&format!(
            "SELECT COUNT(*) FROM notifications n JOIN users u ON u.id = n.user_id \
             WHERE n.case_id = {id} AND n.kind = 'unclaimed' AND u.username = 'liuan-sj'"
        ))
        .await
            == 1
    );
}
