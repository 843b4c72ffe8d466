//! 承诺践诺 (issue 19): a member pledges for a year (at most five), reports, and the branch
//! reviews after the report; staff of another community see none of it; the page's figures
//! are recounted from the rows; every refusal writes nothing.

use crate::party_members::{branch_of, refused, residents};
use crate::support::{Browser, TestApp};
use reqwest::{Method, StatusCode};
use serde_json::json;

async fn written(app: &TestApp) -> Vec<i64> {
    vec![
        app.audit_rows().await,
        app.int("SELECT COUNT(*) FROM party_pledges").await,
        app.int("SELECT COALESCE(SUM(version), 0) FROM party_pledges")
            .await,
    ]
}

#[tokio::test]
async fn pledges_are_made_reported_and_reviewed() {
    let app = TestApp::spawn().await;
    let sj = app.token("liuan-sj").await;
    let branch = branch_of(&app, "liuan-sj").await;
    let people = residents(&app, "wgy-liuan-1", "33019900100101", 2, 700).await;
    let account = app
        .int("SELECT id FROM users WHERE username = 'dy-liuan'")
        .await;
    let (s, me) = app
        .send(
            Method::POST,
            &sj,
            "/api/v1/party/members",
            json!({"resident_id": people[0].0, "party_org_id": branch, "stage": "full",
                   "applied_on": "2010-03-01", "joined_on": "2012-07-01", "full_on": "2013-07-01",
                   "user_id": account}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{me}");
    let (s, other) = app
        .send(
            Method::POST,
            &sj,
            "/api/v1/party/members",
            json!({"resident_id": people[1].0, "party_org_id": branch, "stage": "full",
                   "applied_on": "2010-03-01", "joined_on": "2012-07-01", "full_on": "2013-07-01"}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{other}");
    let dy = app.token("dy-liuan").await;
    let year = chrono::Datelike::year(&wangge::infra::clock::today());
    let before = written(&app).await;
    for (token, body, code, words) in [
        (&dy, json!({"content": ""}), "invalid_input", "承诺内容"),
        (
            &dy,
            json!({"content": "走访", "year": year - 3}),
            "bad_year",
            "承诺年度",
        ),
        (
            &sj,
            json!({"content": "走访", "member_id": 999_999}),
            "not_found",
            "不存在",
        ),
    ] {
        refused(
            &app,
            token,
            Method::POST,
            "/api/v1/party/pledges",
            body,
            code,
            words,
        )
        .await;
    }
    // A member pledges for themself only.
    let (s, _) = app
        .send(
            Method::POST,
            &dy,
            "/api/v1/party/pledges",
            json!({"content": "代他人承诺", "member_id": other["id"]}),
        )
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    assert_eq!(written(&app).await, before, "the refusals wrote nothing");

    let mut ids = Vec::new();
    for i in 0..5 {
        let (s, p) = app
            .send(
                Method::POST,
                &dy,
                "/api/v1/party/pledges",
                json!({"content": format!("每月走访联系户第 {i} 项")}),
            )
            .await;
        assert_eq!(s, StatusCode::CREATED, "{p}");
        assert_eq!(p["year"], year);
        assert_eq!(p["stage_label"], "已承诺");
        ids.push(p["id"].as_i64().expect("id"));
    }
    refused(
        &app,
        &dy,
        Method::POST,
        "/api/v1/party/pledges",
        json!({"content": "第六条"}),
        "too_many",
        "最多 5 条",
    )
    .await;
    // The secretary enters one for the other member.
    let (s, p) = app
        .send(
            Method::POST,
            &sj,
            "/api/v1/party/pledges",
            json!({"content": "为独居老人代办事项", "member_id": other["id"]}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{p}");
    let first = format!("/api/v1/party/pledges/{}", ids[0]);
    let today = wangge::infra::clock::today().to_string();
    // No review before the report, and none by the member.
    refused(
        &app,
        &sj,
        Method::POST,
        &format!("{first}/review"),
        json!({"verdict": "fulfilled", "on": today}),
        "bad_step",
        "尚未汇报",
    )
    .await;
    let (s, _) = app
        .send(
            Method::POST,
            &dy,
            &format!("{first}/review"),
            json!({"verdict": "fulfilled", "on": today}),
        )
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (s, v) = app
        .send(
            Method::POST,
            &dy,
            &format!("{first}/report"),
            json!({"text": "已走访 10 户，帮助解决楼道照明", "on": today}),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["stage_label"], "已汇报");
    let (s, v) = app
        .send(
            Method::POST,
            &sj,
            &format!("{first}/review"),
            json!({"verdict": "已践诺", "text": "群众反映好", "on": today, "version": v["version"]}),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["verdict_label"], "已践诺");
    refused(
        &app,
        &dy,
        Method::POST,
        &format!("{first}/report"),
        json!({"text": "再改", "on": today}),
        "bad_step",
        "已评议",
    )
    .await;
    // Who sees what: the secretary all six, the member their five, another community none.
    let (_, all) = app.get(&sj, "/api/v1/party/pledges").await;
    assert_eq!(all.as_array().map(Vec::len), Some(6), "{all}");
    let (_, mine) = app.get(&dy, "/api/v1/party/pledges").await;
    assert_eq!(mine.as_array().map(Vec::len), Some(5), "{mine}");
    let fsj = app.token("fenglin-sj").await;
    let (_, none) = app.get(&fsj, "/api/v1/party/pledges").await;
    assert_eq!(none.as_array().map(Vec::len), Some(0), "{none}");
    let (s, _) = app
        .send(
            Method::POST,
            &fsj,
            &format!("/api/v1/party/pledges/{}/report", ids[1]),
            json!({"text": "越权", "on": today}),
        )
        .await;
    assert_eq!(s, StatusCode::NOT_FOUND);

    // The page's figures, recounted from the rows.
    let path = app
        .text(&format!(
            "SELECT org_path FROM party_orgs WHERE id = {branch}"
        ))
        .await;
    let count = |extra: &str| {
        format!(
            "SELECT COUNT(*) FROM party_pledges WHERE year = {year} AND status = 'active' \
             AND org_path LIKE '{path}%' {extra}"
        )
    };
    let made = app.int(&count("")).await;
    let reported = app.int(&count("AND reported_on IS NOT NULL")).await;
    let fulfilled = app.int(&count("AND verdict = 'fulfilled'")).await;
    assert_eq!((made, reported, fulfilled), (6, 1, 1));
    let mut b = Browser::new(&app);
    b.login("liuan-sj").await;
    let (s, page) = b.get("/party/pledges").await;
    assert_eq!(s, StatusCode::OK);
    assert!(
        page.contains(&format!(
            "承诺 <b>{made}</b> 条，已汇报 <b>{reported}</b> 条，评议为已践诺 <b>{fulfilled}</b> 条"
        )),
        "the figures"
    );
    assert!(
        page.contains("评议") && page.contains("录入承诺"),
        "the secretary's forms"
    );
    let mut m = Browser::new(&app);
    m.login("dy-liuan").await;
    let (s, page) = m.get("/party/pledges").await;
    assert_eq!(s, StatusCode::OK);
    assert!(page.contains("作出承诺") && page.contains("每月走访联系户第 1 项"));
    assert!(!page.contains("为独居老人代办事项"), "not another member's");
}

#[tokio::test]
async fn posts_of_responsibility_are_set_up_at_places_and_ended() {
    let app = TestApp::spawn().await;
    let sj = app.token("liuan-sj").await;
    let branch = branch_of(&app, "liuan-sj").await;
    let people = residents(&app, "wgy-liuan-1", "33019900100101", 1, 720).await;
    let m = crate::party_members::member(&app, &sj, branch, people[0].0, true).await;
    let grid = app
        .int("SELECT id FROM org_nodes WHERE code = '33019900100101'")
        .await;
    let since = wangge::infra::clock::today().to_string();
    let body = |title: &str| {
        json!({"member_id": m["id"], "kind": "pioneer", "title": title, "place_id": grid,
               "since": since, "duty": "早晚督导垃圾分类"})
    };
    let written = || async {
        vec![
            app.audit_rows().await,
            app.int("SELECT COUNT(*) FROM party_posts").await,
        ]
    };
    let dy = app.token("dy-liuan").await;
    let before = written().await;
    for (b, code, words) in [
        (
            json!({"member_id": m["id"], "kind": "岗", "title": "督导岗", "place_id": grid, "since": since}),
            "invalid_input",
            "先锋岗或党员责任区",
        ),
        (
            json!({"member_id": m["id"], "kind": "zone", "title": "", "place_id": grid, "since": since}),
            "invalid_input",
            "名称",
        ),
        (
            json!({"member_id": m["id"], "kind": "zone", "title": "3幢", "since": since}),
            "no_place",
            "所在的地方",
        ),
        (
            json!({"kind": "zone", "title": "3幢", "place_id": grid, "since": since}),
            "no_member",
            "党员",
        ),
    ] {
        refused(
            &app,
            &sj,
            Method::POST,
            "/api/v1/party/posts",
            b,
            code,
            words,
        )
        .await;
    }
    let (s, _) = app
        .send(Method::POST, &dy, "/api/v1/party/posts", body("督导岗"))
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN, "a member sets up no post");
    assert_eq!(written().await, before, "the refusals wrote nothing");
    let (s, p) = app
        .send(
            Method::POST,
            &sj,
            "/api/v1/party/posts",
            body("垃圾分类督导岗"),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{p}");
    assert_eq!(p["kind_label"], "党员先锋岗");
    // The same post twice at one place: refused by the database.
    let (s, v) = app
        .send(
            Method::POST,
            &sj,
            "/api/v1/party/posts",
            body("垃圾分类督导岗"),
        )
        .await;
    assert_eq!(s, StatusCode::CONFLICT, "{v}");
    assert_eq!(v["error"]["code"], "duplicate_post");
    for t in ["夜间巡逻岗", "便民服务岗"] {
        let (s, v) = app
            .send(Method::POST, &sj, "/api/v1/party/posts", body(t))
            .await;
        assert_eq!(s, StatusCode::CREATED, "{v}");
    }
    refused(
        &app,
        &sj,
        Method::POST,
        "/api/v1/party/posts",
        body("第四个岗"),
        "too_many",
        "最多 3",
    )
    .await;
    // Members see the posts of their place; the secretary ends one, and its name is free again.
    let (s, list) = app.get(&dy, "/api/v1/party/posts").await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(list.as_array().map(Vec::len), Some(3));
    let (s, _) = app
        .send(
            Method::POST,
            &sj,
            &format!("/api/v1/party/posts/{}/end", p["id"]),
            json!({"until": since}),
        )
        .await;
    assert_eq!(s, StatusCode::NO_CONTENT);
    let (_, list) = app.get(&sj, "/api/v1/party/posts").await;
    assert_eq!(list.as_array().map(Vec::len), Some(2));
    let (_, all) = app.get(&sj, "/api/v1/party/posts?all=true").await;
    assert_eq!(all.as_array().map(Vec::len), Some(3));
    let (s, v) = app
        .send(
            Method::POST,
            &sj,
            "/api/v1/party/posts",
            body("垃圾分类督导岗"),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    let mut b = Browser::new(&app);
    b.login("liuan-sj").await;
    let (s, page) = b.get("/party/posts").await;
    assert_eq!(s, StatusCode::OK);
    assert!(
        page.contains("垃圾分类督导岗") && page.contains("设立先锋岗或责任区"),
        "{page}"
    );
}
