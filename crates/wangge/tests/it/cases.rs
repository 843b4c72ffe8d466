//! The case loop over HTTP: every path of the workflow as the roles that take it, the rules
//! that refuse (state, role, input, stale versions), idempotent intake, concurrency, scope,
//! pressing, the public report with its private link, photos and the figures.

use crate::support::{Browser, TestApp};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

async fn report(app: &TestApp, token: &str, body: Value) -> (StatusCode, Value) {
    app.send(Method::POST, token, "/api/v1/cases", body).await
}

async fn act(app: &TestApp, token: &str, id: i64, body: Value) -> (StatusCode, Value) {
    app.send(
        Method::POST,
        token,
        &format!("/api/v1/cases/{id}/actions"),
        body,
    )
    .await
}

/// Acts with the case's current version, expecting success.
async fn step(app: &TestApp, token: &str, id: i64, mut body: Value) -> Value {
    let (_, c) = app.get(token, &format!("/api/v1/cases/{id}")).await;
    body["version"] = c["version"].clone();
    let (s, v) = act(app, token, id, body.clone()).await;
    assert_eq!(s, StatusCode::OK, "{body} → {v}");
    v
}

async fn first_building(app: &TestApp, grid_code: &str) -> (i64, i64) {
    let admin = app.token("admin").await;
    let grid = app.node_id(&admin, grid_code).await;
    let (_, kids) = app
        .get(&admin, &format!("/api/v1/org/nodes?parent_id={grid}"))
        .await;
    (grid, kids[0]["id"].as_i64().expect("a building"))
}

#[tokio::test]
async fn a_resident_report_goes_round_the_loop_to_a_rated_close() {
    let app = TestApp::spawn().await;
    let (grid, building) = first_building(&app, "33019900100101").await;
    let resident = app.token("jm-liuan").await;
    let (s, c) = report(
        &app,
        &resident,
        json!({"title": "楼后空地积水发臭", "description": "下雨后积水，蚊虫很多，有臭味", "building_id": building}),
    )
    .await;
    assert_eq!(s, StatusCode::CREATED, "{c}");
    let id = c["id"].as_i64().expect("id");
    assert_eq!(c["status"], "reported");
    assert_eq!(c["version"], 1);
    assert!(c["case_no"].as_str().is_some_and(|n| n.len() == 11), "{c}");
    assert_eq!(c["category"], "HJ02", "suggested from 积水/臭: {c}");
    assert_eq!(c["org_id"], grid);
    assert_eq!(c["suggestion"]["target"]["org_id"], grid, "{c}");

    // The community screens it: it is in the secretary's to-do, not the grid worker's yet.
    let sj = app.token("liuan-sj").await;
    let (_, todo) = app.get(&sj, "/api/v1/todo").await;
    assert!(
        todo.as_array()
            .is_some_and(|t| t.iter().any(|x| x["id"] == id))
    );
    step(&app, &sj, id, json!({"action": "accept"})).await;
    let d = step(&app, &sj, id, json!({"action": "dispatch", "org_id": grid})).await;
    assert_eq!(d["status"], "dispatched");
    assert!(d["response_due"].as_i64().is_some() && d["handle_due"].as_i64().is_some());
    assert!(d["light"].is_string(), "a dispatched case has a light: {d}");

    let w = app.token("wgy-liuan-1").await;
    let (_, todo) = app.get(&w, "/api/v1/todo").await;
    assert!(
        todo.as_array()
            .is_some_and(|t| t.iter().any(|x| x["id"] == id))
    );
    let (_, notes) = app.get(&w, "/api/v1/notifications").await;
    assert!(notes["unread"].as_u64().is_some_and(|n| n >= 1), "{notes}");
    step(&app, &w, id, json!({"action": "acknowledge"})).await;
    step(
        &app,
        &w,
        id,
        json!({"action": "feedback", "text": "已清理积水并疏通排水口"}),
    )
    .await;
    step(&app, &w, id, json!({"action": "verify", "passed": true})).await;

    // Only the reporter (or a return visit) rates.
    let other = app.token("jm-fenglin").await;
    let (s, _) = app.get(&other, &format!("/api/v1/cases/{id}")).await;
    assert_eq!(s, StatusCode::NOT_FOUND, "another resident does not see it");
    let (_, c) = app.get(&resident, &format!("/api/v1/cases/{id}")).await;
    assert_eq!(c["actions"], json!(["rate"]), "{c}");
    let done = step(
        &app,
        &resident,
        id,
        json!({"action": "rate", "contacted": true, "solved": true, "satisfaction": "basic", "text": "处理及时"}),
    )
    .await;
    assert_eq!(done["status"], "closed");
    assert_eq!(done["satisfaction"], "basic");
    let actions: Vec<&str> = done["timeline"]
        .as_array()
        .expect("timeline")
        .iter()
        .filter_map(|e| e["action"].as_str())
        .collect();
    assert_eq!(
        actions,
        [
            "report",
            "accept",
            "dispatch",
            "acknowledge",
            "feedback",
            "verify",
            "rate"
        ]
    );
    assert!(done["timeline"][3]["actor_role"] == "grid_worker");

    // The figures count it.
    let admin = app.token("admin").await;
    let liuan = app.node_id(&admin, "330199001001").await;
    let (s, st) = app
        .get(
            &sj,
            &format!(
                "/api/v1/stats/cases?org={liuan}&{}",
                crate::support::around_today()
            ),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{st}");
    assert_eq!(st["rates"]["rated"], 1);
    assert_eq!(st["rates"]["response"], 1.0);
    assert!((st["rates"]["satisfaction"].as_f64().expect("rate") - 0.9).abs() < 1e-9);
    assert_eq!(st["closed"], 1);
}

#[tokio::test]
async fn a_department_handles_what_the_street_dispatches_and_the_rules_refuse_the_rest() {
    let app = TestApp::spawn().await;
    let (_, building) = first_building(&app, "33019900100101").await;
    let cc = app.token("qinghe-zz").await;
    // Bad input changes nothing.
    for (body, code) in [
        (
            json!({"description": "x", "building_id": building}),
            "bad_title",
        ),
        (
            json!({"title": "x", "building_id": building}),
            "bad_description",
        ),
        (
            json!({"title": "x", "description": "y", "category": "ZZ99", "building_id": building}),
            "bad_category",
        ),
        (
            json!({"title": "x", "description": "y", "reporter_phone": "12345"}),
            "bad_phone",
        ),
        (
            json!({"title": "x", "description": "y", "photos": ["0000"]}),
            "bad_photo",
        ),
    ] {
        let (s, v) = report(&app, &cc, body.clone()).await;
        assert_eq!(s, StatusCode::BAD_REQUEST, "{body}");
        assert_eq!(v["error"]["code"], code, "{v}");
    }
    let (_, list) = app.get(&cc, "/api/v1/cases").await;
    assert_eq!(list["total"], 0, "nothing was written");

    let (s, c) = report(
        &app,
        &cc,
        json!({"title": "路灯不亮", "description": "门口路灯坏了一周，晚上很黑", "category": "JC01",
               "building_id": building, "reporter_name": "王女士", "reporter_phone": "13812345678"}),
    )
    .await;
    assert_eq!(s, StatusCode::CREATED);
    assert_eq!(c["source"], "api");
    let id = c["id"].as_i64().expect("id");
    let dept = c["suggestion"]["target"]["department_id"]
        .as_i64()
        .expect("routed to the nearest 城管中队");
    let (_, l) = app.get(&cc, "/api/v1/cases").await;
    assert_eq!(
        l["items"][0]["reporter_phone"], "138****5678",
        "masked in lists"
    );

    // A grid worker cannot dispatch; a stale version is a conflict; a bad target is refused.
    let w = app.token("wgy-liuan-1").await;
    let (s, v) = act(
        &app,
        &w,
        id,
        json!({"action": "dispatch", "version": 1, "department_id": dept}),
    )
    .await;
    assert_eq!(s, StatusCode::FORBIDDEN, "{v}");
    let (s, v) = act(
        &app,
        &cc,
        id,
        json!({"action": "dispatch", "version": 7, "department_id": dept}),
    )
    .await;
    assert_eq!(
        (s, v["error"]["code"].as_str()),
        (StatusCode::CONFLICT, Some("stale_version"))
    );
    let (s, _) = act(&app, &cc, id, json!({"action": "dispatch", "version": 1})).await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    let (s, v) = act(
        &app,
        &cc,
        id,
        json!({"action": "acknowledge", "version": 1}),
    )
    .await;
    assert_eq!(
        (s, v["error"]["code"].as_str()),
        (StatusCode::CONFLICT, Some("wrong_state"))
    );
    let (_, c) = app.get(&cc, &format!("/api/v1/cases/{id}")).await;
    assert_eq!(
        (c["status"].as_str(), c["version"].as_i64()),
        (Some("reported"), Some(1))
    );

    step(
        &app,
        &cc,
        id,
        json!({"action": "dispatch", "department_id": dept}),
    )
    .await;
    let cg = app.token("qinghe-cg").await;
    let (s, _) = app.get(&cg, &format!("/api/v1/cases/{id}")).await;
    assert_eq!(
        s,
        StatusCode::OK,
        "the department sees what is dispatched to it"
    );
    let (_, c) = app.get(&cg, &format!("/api/v1/cases/{id}")).await;
    assert_eq!(
        c["reporter_phone"], "13812345678",
        "the handler may call the reporter"
    );
    let pcs = app.token("qinghe-pcs").await;
    let (s, _) = app.get(&pcs, &format!("/api/v1/cases/{id}")).await;
    assert_eq!(s, StatusCode::NOT_FOUND, "another department does not");
    step(&app, &cg, id, json!({"action": "acknowledge"})).await;
    // Extensions: too long is refused, then one is asked and approved.
    let (_, c) = app.get(&cg, &format!("/api/v1/cases/{id}")).await;
    let (s, v) = act(&app, &cg, id, json!({"action": "request_extension", "version": c["version"], "days": 30, "text": "等配件"})).await;
    assert_eq!(s, StatusCode::BAD_REQUEST, "{v}");
    step(
        &app,
        &cg,
        id,
        json!({"action": "request_extension", "days": 3, "text": "灯杆需更换，等配件"}),
    )
    .await;
    let before = c["handle_due"].as_i64().expect("due");
    let c = step(
        &app,
        &cc,
        id,
        json!({"action": "decide_extension", "passed": true}),
    )
    .await;
    assert!(
        c["handle_due"].as_i64().expect("due") > before,
        "three working days later"
    );
    // The street supervises the department; then a return sends it back to the queue.
    step(
        &app,
        &cc,
        id,
        json!({"action": "supervise", "text": "请本周内修复"}),
    )
    .await;
    let c = step(
        &app,
        &cg,
        id,
        json!({"action": "return", "text": "该路段由区路灯所负责"}),
    )
    .await;
    assert_eq!(c["status"], "accepted");
    assert_eq!(c["supervised"], true);
    let (s, _) = app.get(&cg, &format!("/api/v1/cases/{id}")).await;
    assert_eq!(
        s,
        StatusCode::NOT_FOUND,
        "returned: no longer the department's"
    );
    // Escalated to the district, which sees it in its queue.
    step(
        &app,
        &cc,
        id,
        json!({"action": "escalate", "text": "需区级协调"}),
    )
    .await;
    let dz = app.token("district-zz").await;
    let (_, todo) = app.get(&dz, "/api/v1/todo").await;
    assert!(
        todo.as_array()
            .is_some_and(|t| t.iter().any(|x| x["id"] == id))
    );
}

#[tokio::test]
async fn retries_create_one_case_and_concurrent_actions_do_not_lose_updates() {
    let app = TestApp::spawn().await;
    let (_, building) = first_building(&app, "33019900100101").await;
    let w = app.token("wgy-liuan-1").await;
    let body =
        json!({"title": "楼道堆物", "description": "楼道里堆满纸箱", "building_id": building});
    let send = || {
        app.client
            .post(app.url("/api/v1/cases"))
            .bearer_auth(&w)
            .header("Idempotency-Key", "phone-retry-1")
            .json(&body)
            .send()
    };
    let (a, b) = tokio::join!(send(), send());
    let (a, b) = (a.expect("a"), b.expect("b"));
    let mut statuses = [a.status().as_u16(), b.status().as_u16()];
    statuses.sort_unstable();
    assert_eq!(statuses, [200, 201], "one creates, one replays");
    let (va, vb): (Value, Value) = (a.json().await.expect("a"), b.json().await.expect("b"));
    assert_eq!(va["id"], vb["id"]);
    let r = send().await.expect("again");
    assert_eq!(r.headers()["idempotent-replayed"], "true");
    let (_, l) = app.get(&w, "/api/v1/cases").await;
    assert_eq!(l["total"], 1);
    assert_eq!(l["items"][0]["source"], "patrol");

    let id = va["id"].as_i64().expect("id");
    let sj = app.token("liuan-sj").await;
    let cc = app.token("qinghe-zz").await;
    let (x, y) = tokio::join!(
        act(&app, &sj, id, json!({"action": "accept", "version": 1})),
        act(
            &app,
            &cc,
            id,
            json!({"action": "reject", "version": 1, "text": "重复反映"})
        ),
    );
    let mut got = [x.0.as_u16(), y.0.as_u16()];
    got.sort_unstable();
    assert_eq!(got, [200, 409], "one wins, the other is told: {x:?} {y:?}");
    let (_, c) = app.get(&sj, &format!("/api/v1/cases/{id}")).await;
    assert_eq!(c["version"], 2);
    assert_eq!(c["timeline"].as_array().map(Vec::len), Some(2));
}

#[tokio::test]
async fn scope_holds_for_every_case_endpoint() {
    let app = TestApp::spawn().await;
    let (_, building_b) = first_building(&app, "33019900100102").await;
    let wb = app.token("wgy-liuan-2").await;
    let (_, c) = report(
        &app,
        &wb,
        json!({"title": "井盖缺失", "description": "人行道井盖不见了", "building_id": building_b}),
    )
    .await;
    let id = c["id"].as_i64().expect("id");
    let (_, building_a) = first_building(&app, "33019900100101").await;

    let wa = app.token("wgy-liuan-1").await;
    let (s, _) = app.get(&wa, &format!("/api/v1/cases/{id}")).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let (s, _) = act(&app, &wa, id, json!({"action": "accept", "version": 1})).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    for path in [
        "/api/v1/cases",
        "/api/v1/cases?q=井盖",
        "/api/v1/todo",
        "/api/v1/notifications",
    ] {
        let (_, v) = app.get(&wa, path).await;
        assert!(
            !v.to_string().contains(&format!("\"id\":{id},")),
            "{path}: {v}"
        );
    }
    let mut br = Browser::new(&app);
    br.login("wgy-liuan-1").await;
    let (s, _) = br.get(&format!("/cases/{id}")).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let (_, page) = br.get("/cases").await;
    assert!(!page.contains("井盖缺失"));
    // The export, read as a spreadsheet (its text is compressed inside the file): the worker's
    // own case is there, the other grid's is not.
    let (s, _) = report(
        &app,
        &wa,
        json!({"title": "路灯闪烁", "description": "一网格路灯闪烁", "building_id": building_a}),
    )
    .await;
    assert_eq!(s, StatusCode::CREATED);
    let r = app.call(Method::GET, &wa, "/cases/export.xlsx", None).await;
    assert_eq!(r.status(), StatusCode::OK);
    let sheet = crate::scope::xlsx_text(&r.bytes().await.expect("bytes"));
    assert!(sheet.contains("路灯闪烁"), "{sheet}");
    assert!(!sheet.contains("井盖"), "{sheet}");
    // Staff report only inside their own grid.
    let (s, _) = report(
        &app,
        &wa,
        json!({"title": "x", "description": "y", "building_id": building_b}),
    )
    .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (s, _) = report(
        &app,
        &wa,
        json!({"title": "x", "description": "y", "building_id": building_a}),
    )
    .await;
    assert_eq!(s, StatusCode::CREATED);
    // The community sees all three; the neighbouring community none.
    let sj = app.token("liuan-sj").await;
    let (_, l) = app.get(&sj, "/api/v1/cases").await;
    assert_eq!(l["total"], 3);
    let other = app.token("fenglin-sj").await;
    let (_, l) = app.get(&other, "/api/v1/cases").await;
    assert_eq!(l["total"], 0);
    let (s, _) = app.get(&other, "/api/v1/stats/cases").await;
    assert_eq!(s, StatusCode::OK);
    let resident = app.token("jm-liuan").await;
    let (s, _) = app.get(&resident, "/api/v1/stats/cases").await;
    assert_eq!(s, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn a_place_outside_every_grid_goes_to_the_queue_and_says_so() {
    let app = TestApp::spawn().await;
    let admin = app.token("admin").await;
    let qinghe = app.node_id(&admin, "330199001000").await;
    let cc = app.token("qinghe-zz").await;
    let (s, c) = report(
        &app,
        &cc,
        json!({"title": "河面漂浮物", "description": "河道上漂着大量垃圾", "lat": 31.9, "lng": 118.8, "org_id": qinghe}),
    )
    .await;
    assert_eq!(s, StatusCode::CREATED, "{c}");
    assert_eq!(c["located"], false);
    assert!(
        c["notice"]
            .as_str()
            .is_some_and(|n| n.contains("不在任何网格内")),
        "{c}"
    );
    let (s, v) = report(
        &app,
        &cc,
        json!({"title": "x", "description": "y", "lat": 91.0, "lng": 500.0}),
    )
    .await;
    assert_eq!(
        (s, v["error"]["code"].as_str()),
        (StatusCode::BAD_REQUEST, Some("bad_point"))
    );
}

#[tokio::test]
async fn slow_cases_are_reminded_urged_and_supervised() {
    let app = TestApp::spawn().await;
    let (grid, building) = first_building(&app, "33019900100101").await;
    let sj = app.token("liuan-sj").await;
    let (_, c) = report(&app, &sj, json!({"title": "楼道堆物", "description": "楼道里堆满纸箱", "category": "WY03", "building_id": building})).await;
    let id = c["id"].as_i64().expect("id");
    step(&app, &sj, id, json!({"action": "dispatch", "org_id": grid})).await;
    let w = app.token("wgy-liuan-1").await;
    let c = step(&app, &w, id, json!({"action": "acknowledge"})).await;
    let due = c["handle_due"].as_i64().expect("due");
    let day = 86_400_000;
    let cases = wangge::cases::CasesState::of(&app.state);
    let press = |at: i64| wangge::cases::press::run_once(&cases, at);
    let r = press(due - 60_000).await.expect("press");
    assert_eq!((r.reminded, r.urged, r.supervised), (1, 0, 0));
    let r = press(due + 20 * day).await.expect("press");
    assert_eq!((r.reminded, r.urged, r.supervised), (0, 1, 1));
    let r = press(due + 30 * day).await.expect("press");
    assert_eq!(
        (r.reminded, r.urged, r.supervised),
        (0, 0, 0),
        "each step once"
    );
    let (_, c) = app.get(&w, &format!("/api/v1/cases/{id}")).await;
    assert_eq!(c["supervised"], true);
    let kinds: Vec<&str> = c["timeline"]
        .as_array()
        .expect("tl")
        .iter()
        .filter_map(|e| e["action"].as_str())
        .collect();
    assert!(
        kinds.ends_with(&["remind", "auto_supervise", "urge"]),
        "{kinds:?}"
    );
    let (_, notes) = app.get(&w, "/api/v1/notifications").await;
    assert!(notes.to_string().contains("催办"));
}

#[tokio::test]
async fn the_public_reports_without_an_account_and_follows_with_a_private_link() {
    let app = TestApp::spawn().await;
    let admin = app.token("admin").await;
    let liuan = app.node_id(&admin, "330199001001").await;
    let client = &app.client;
    let session = app.public_session().await;
    let csrf = session.1.clone();
    let post = |path: String, phone: &str| {
        let fields = vec![
            ("title", "小区门口垃圾满溢".to_owned()),
            ("description", "垃圾桶两天没人清运".to_owned()),
            ("org_id", liuan.to_string()),
            ("reporter_phone", phone.to_owned()),
            ("idem", format!("k-{phone}")),
        ];
        let session = session.clone();
        let app = &app;
        async move {
            if path.contains("_csrf") {
                Ok::<_, ()>(app.public_report(&session, &fields).await)
            } else {
                let no_token = (session.0.clone(), String::new());
                Ok(app.public_report(&no_token, &fields).await)
            }
        }
    };
    let bad = post(format!("/report?_csrf={csrf}"), "")
        .await
        .expect("post");
    assert_eq!(bad.status(), StatusCode::BAD_REQUEST);
    assert!(bad.text().await.expect("text").contains("联系电话"));
    let no_csrf = post("/report".into(), "13912345678").await.expect("post");
    assert_eq!(no_csrf.status(), StatusCode::FORBIDDEN);
    let ok = post(format!("/report?_csrf={csrf}"), "13912345678")
        .await
        .expect("post");
    assert_eq!(ok.status(), StatusCode::OK);
    let body = ok.text().await.expect("text");
    let start = body.find("/track/").expect("a follow-up link");
    let link: String = body[start..]
        .chars()
        .take_while(|c| *c != '"' && *c != '<')
        .collect();
    let link = link.replace("&amp;", "&");
    let tracked = client.get(app.url(&link)).send().await.expect("track");
    assert_eq!(tracked.status(), StatusCode::OK);
    assert!(tracked.text().await.expect("t").contains("待受理"));
    let no = link.split('?').next().expect("path");
    let wrong = client
        .get(app.url(&format!("{no}?t=guess")))
        .send()
        .await
        .expect("track");
    assert_eq!(
        wrong.status(),
        StatusCode::NOT_FOUND,
        "the link's token is needed"
    );
    // The community sees the report, with the phone masked in the list.
    let sj = app.token("liuan-sj").await;
    let (_, l) = app.get(&sj, "/api/v1/cases").await;
    assert_eq!(l["items"][0]["reporter_phone"], "139****5678");
    assert_eq!(l["items"][0]["source"], "resident");
}

#[tokio::test]
async fn photos_are_checked_and_lose_their_location() {
    let app = TestApp::spawn().await;
    let w = app.token("wgy-liuan-1").await;
    let up = |bytes: Vec<u8>| {
        app.client
            .post(app.url("/api/v1/files"))
            .bearer_auth(&w)
            .header("content-type", "application/octet-stream")
            .body(bytes)
            .send()
    };
    let r = up(b"%PDF-1.7 not a photo".to_vec()).await.expect("up");
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    let v: Value = r.json().await.expect("json");
    assert!(
        v["error"]["message"]
            .as_str()
            .is_some_and(|m| m.contains("JPEG"))
    );
    // A tiny JPEG with an EXIF block naming a place.
    let mut jpeg = vec![0xFF, 0xD8, 0xFF, 0xE1, 0x00, 0x16];
    jpeg.extend_from_slice(b"Exif\0\0II*\0\x08\0\0\0\0\0GPS!");
    jpeg.extend_from_slice(&[0xFF, 0xDA, 0, 2, 1, 2, 3, 0xFF, 0xD9]);
    let r = up(jpeg).await.expect("up");
    assert_eq!(r.status(), StatusCode::CREATED);
    let v: Value = r.json().await.expect("json");
    let photo = v["id"].as_str().expect("id").to_owned();
    let (_, building) = first_building(&app, "33019900100101").await;
    let (s, c) = report(&app, &w, json!({"title": "飞线充电", "description": "一楼拉线充电", "building_id": building, "photos": [photo]})).await;
    assert_eq!(s, StatusCode::CREATED);
    let (_, d) = app.get(&w, &format!("/api/v1/cases/{}", c["id"])).await;
    assert_eq!(d["photos"][0], photo.as_str());
    let bytes = app
        .call(Method::GET, &w, &format!("/files/{photo}"), None)
        .await
        .bytes()
        .await
        .expect("bytes");
    assert!(bytes.starts_with(&[0xFF, 0xD8]));
    assert!(!bytes.windows(4).any(|x| x == b"GPS!"), "stripped");
    let other = app.token("wgy-liuan-2").await;
    let r = app
        .call(Method::GET, &other, &format!("/files/{photo}"), None)
        .await;
    assert_eq!(
        r.status(),
        StatusCode::NOT_FOUND,
        "only who sees the case sees its photos"
    );
}

#[tokio::test]
async fn administrators_edit_categories_and_the_calendar_and_deadlines_follow() {
    let app = TestApp::spawn().await;
    let admin = app.token("admin").await;
    let (_, cats) = app.get(&admin, "/api/v1/categories").await;
    assert!(cats.as_array().is_some_and(|c| c.len() >= 40));
    let (s, v) = app
        .send(Method::PATCH, &admin, "/api/v1/categories/WY03", json!({"name": "楼道堆物", "handler": "grid", "response": "2wh", "handling": "12wd", "keywords": "楼道 堆物 纸箱"}))
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["handling_label"], "12 个工作日");
    let (s, v) = app
        .send(
            Method::PATCH,
            &admin,
            "/api/v1/categories/WY03",
            json!({"name": "楼道堆物", "handler": "grid", "response": "soon", "handling": "12wd"}),
        )
        .await;
    assert_eq!(
        (s, v["error"]["code"].as_str()),
        (StatusCode::BAD_REQUEST, Some("bad_limit"))
    );
    let w = app.token("wgy-liuan-1").await;
    let (s, _) = app
        .send(
            Method::PATCH,
            &w,
            "/api/v1/categories/WY03",
            json!({"name": "x", "handler": "grid", "response": "2wh", "handling": "1wd"}),
        )
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (_, sug) = app
        .get(&w, "/api/v1/categories/suggest?text=楼道里全是纸箱")
        .await;
    assert_eq!(sug[0]["code"], "WY03", "{sug}");
    assert!(
        sug[0]["reason"]
            .as_str()
            .is_some_and(|r| r.contains("纸箱"))
    );

    let (_, cal) = app.get(&admin, "/api/v1/calendar?year=2026").await;
    assert_eq!(cal["covered"], true);
    assert!(
        cal["days"]
            .as_array()
            .is_some_and(|d| d.iter().any(|x| x["date"] == "2026-10-01"))
    );
    let (s, _) = app
        .send(
            Method::PUT,
            &admin,
            "/api/v1/calendar/2027-01-01",
            json!({"kind": "holiday", "name": "元旦"}),
        )
        .await;
    assert_eq!(s, StatusCode::NO_CONTENT);
    let (_, cal) = app.get(&admin, "/api/v1/calendar?year=2027").await;
    assert_eq!(cal["days"][0]["name"], "元旦");
    let (s, _) = app
        .send(
            Method::PUT,
            &admin,
            "/api/v1/calendar/2027-13-01",
            json!({"kind": "holiday", "name": "x"}),
        )
        .await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
}

/// The code of an error answer.
fn code(v: &Value) -> Option<&str> {
    v["error"]["code"].as_str()
}

#[tokio::test]
async fn duplicates_merge_with_their_reporters_and_reporters_withdraw_their_own() {
    let app = TestApp::spawn().await;
    let (_, building) = first_building(&app, "33019900100101").await;
    let w2 = app.token("wgy-liuan-1").await;
    let resident = app.token("jm-liuan").await;
    let sj = app.token("liuan-sj").await;
    let body = json!({"title": "小区门口垃圾桶满溢", "description": "垃圾桶满了两天没人清运", "building_id": building});
    let (_, first) = report(&app, &w2, body.clone()).await;
    let (s, dup) = report(&app, &resident, body.clone()).await;
    assert_eq!(s, StatusCode::CREATED, "{dup}");
    let (target, dup_id) = (
        first["id"].as_i64().expect("id"),
        dup["id"].as_i64().expect("id"),
    );
    let target_no = first["case_no"].as_str().expect("case_no").to_owned();

    // A resident sees nothing of a case they did not report.
    let (s, _) = app.get(&resident, &format!("/api/v1/cases/{target}")).await;
    assert_eq!(s, StatusCode::NOT_FOUND);

    // Bad merges change nothing: into itself, into nothing, by someone who does not dispatch.
    let dup_no = dup["case_no"].as_str().expect("case_no");
    for (who, into, want) in [
        (&sj, dup_no, (StatusCode::BAD_REQUEST, Some("bad_merge"))),
        (
            &sj,
            "2099-999999",
            (StatusCode::BAD_REQUEST, Some("bad_merge")),
        ),
        (&resident, target_no.as_str(), (StatusCode::FORBIDDEN, None)),
    ] {
        let (s, v) = act(
            &app,
            who,
            dup_id,
            json!({"action": "merge", "version": 1, "into": into}),
        )
        .await;
        assert_eq!(s, want.0, "{into}: {v}");
        if let Some(c) = want.1 {
            assert_eq!(code(&v), Some(c), "{v}");
        }
        assert!(
            v["error"]["message"]
                .as_str()
                .is_some_and(|m| !m.is_empty())
        );
    }
    let (_, d) = app.get(&sj, &format!("/api/v1/cases/{dup_id}")).await;
    assert_eq!(
        (d["status"].as_str(), d["version"].as_i64()),
        (Some("reported"), Some(1))
    );

    // The secretary merges the duplicate by its number; its reporter now follows the original.
    let m = step(
        &app,
        &sj,
        dup_id,
        json!({"action": "merge", "into": target_no}),
    )
    .await;
    assert_eq!(m["status"], "merged");
    assert_eq!(m["merged_into"], target);
    let (s, t) = app.get(&resident, &format!("/api/v1/cases/{target}")).await;
    assert_eq!(
        s,
        StatusCode::OK,
        "a follower sees the case theirs was merged into: {t}"
    );
    assert!(
        t["timeline"]
            .as_array()
            .is_some_and(|e| e.iter().any(|x| x["action"] == "merged_in")),
        "{t}"
    );
    let (_, notes) = app.get(&resident, "/api/v1/notifications").await;
    assert!(
        notes["items"]
            .as_array()
            .is_some_and(|n| n.iter().any(|x| x["kind"] == "merge"
                && x["text"].as_str().is_some_and(|s| s.contains(&target_no)))),
        "{notes}"
    );
    // A merged case is final: nothing more happens to it.
    let (s, v) = act(
        &app,
        &resident,
        dup_id,
        json!({"action": "withdraw", "version": m["version"]}),
    )
    .await;
    assert_eq!((s, code(&v)), (StatusCode::CONFLICT, Some("wrong_state")));
    // Merging into a case that is over is refused.
    let (_, other) = report(&app, &resident, body.clone()).await;
    let other_id = other["id"].as_i64().expect("id");
    step(&app, &resident, other_id, json!({"action": "withdraw"})).await;
    let (_, third) = report(&app, &resident, body.clone()).await;
    let (s, v) = act(
        &app,
        &sj,
        third["id"].as_i64().expect("id"),
        json!({"action": "merge", "version": 1, "into": other["case_no"]}),
    )
    .await;
    assert_eq!(
        (s, code(&v)),
        (StatusCode::BAD_REQUEST, Some("bad_merge")),
        "{v}"
    );

    // Withdrawal: only the reporter, and only before anyone has taken the case.
    let (_, c) = report(&app, &resident, body).await;
    let id = c["id"].as_i64().expect("id");
    let grid = app.node_id(&sj, "33019900100101").await;
    step(&app, &sj, id, json!({"action": "dispatch", "org_id": grid})).await;
    let (_, now) = app.get(&sj, &format!("/api/v1/cases/{id}")).await;
    let (s, v) = act(
        &app,
        &sj,
        id,
        json!({"action": "withdraw", "version": now["version"]}),
    )
    .await;
    assert_eq!(s, StatusCode::FORBIDDEN, "{v}");
    assert!(
        v["error"]["message"]
            .as_str()
            .is_some_and(|m| m.contains("报告人")),
        "{v}"
    );
    let (_, mine) = app.get(&resident, &format!("/api/v1/cases/{id}")).await;
    assert!(
        mine["actions"]
            .as_array()
            .is_some_and(|a| a.iter().any(|x| x == "withdraw")),
        "{mine}"
    );
    let gone = step(
        &app,
        &resident,
        id,
        json!({"action": "withdraw", "text": "已自行解决"}),
    )
    .await;
    assert_eq!(gone["status"], "withdrawn");
    let w1 = app.token("wgy-liuan-1").await;
    let (_, todo) = app.get(&w1, "/api/v1/todo").await;
    assert!(
        todo.as_array()
            .is_some_and(|t| t.iter().all(|x| x["id"] != id)),
        "a withdrawn case leaves the grid worker's to-do"
    );
}

#[tokio::test]
async fn failed_checks_and_dissatisfied_ratings_send_the_work_back_once_and_dispatchers_close() {
    let app = TestApp::spawn().await;
    let (grid, building) = first_building(&app, "33019900100101").await;
    let resident = app.token("jm-liuan").await;
    let sj = app.token("liuan-sj").await;
    let w = app.token("wgy-liuan-1").await;
    let handled = |title: &'static str| {
        let (app, resident, sj, w) = (&app, &resident, &sj, &w);
        async move {
            let (_, c) = report(
                app,
                resident,
                json!({"title": title, "description": "单元门口堆放杂物，堵住通道", "building_id": building}),
            )
            .await;
            let id = c["id"].as_i64().expect("id");
            step(app, sj, id, json!({"action": "dispatch", "org_id": grid})).await;
            step(app, w, id, json!({"action": "acknowledge"})).await;
            step(app, w, id, json!({"action": "feedback", "text": "已清理"})).await;
            id
        }
    };

    // A failed check needs its reason, and sends the work back with a new handling clock.
    let id = handled("楼道堆物一").await;
    let (_, before) = app.get(&w, &format!("/api/v1/cases/{id}")).await;
    let (s, v) = act(
        &app,
        &w,
        id,
        json!({"action": "verify", "version": before["version"], "passed": false}),
    )
    .await;
    assert_eq!(s, StatusCode::BAD_REQUEST, "{v}");
    let (_, same) = app.get(&w, &format!("/api/v1/cases/{id}")).await;
    assert_eq!(
        (same["status"].as_str(), &same["version"]),
        (Some("fed_back"), &before["version"])
    );
    let back = step(
        &app,
        &w,
        id,
        json!({"action": "verify", "passed": false, "text": "杂物只清了一半"}),
    )
    .await;
    assert_eq!(back["status"], "handling");
    assert!(
        back["handle_due"].as_i64() >= before["handle_due"].as_i64(),
        "{back}"
    );
    step(
        &app,
        &w,
        id,
        json!({"action": "feedback", "text": "已全部清走"}),
    )
    .await;
    step(&app, &w, id, json!({"action": "verify", "passed": true})).await;

    // 不满意 sends it back once; the second 不满意 closes it (the rating stands).
    let r = step(&app, &resident, id, json!({"action": "rate", "contacted": true, "solved": false, "satisfaction": "dissatisfied"})).await;
    assert_eq!(
        r["status"], "handling",
        "the first 不满意 reopens the work: {r}"
    );
    let (_, todo) = app.get(&w, "/api/v1/todo").await;
    assert!(
        todo.as_array()
            .is_some_and(|t| t.iter().any(|x| x["id"] == id)),
        "back in the grid worker's to-do"
    );
    step(
        &app,
        &w,
        id,
        json!({"action": "feedback", "text": "再次上门清理并劝导住户"}),
    )
    .await;
    step(&app, &w, id, json!({"action": "verify", "passed": true})).await;
    let r = step(&app, &resident, id, json!({"action": "rate", "contacted": true, "solved": false, "satisfaction": "dissatisfied"})).await;
    assert_eq!(
        (r["status"].as_str(), r["satisfaction"].as_str()),
        (Some("closed"), Some("dissatisfied"))
    );
    let steps: Vec<&str> = r["timeline"]
        .as_array()
        .expect("timeline")
        .iter()
        .filter_map(|e| e["action"].as_str())
        .collect();
    assert_eq!(
        steps,
        [
            "report",
            "dispatch",
            "acknowledge",
            "feedback",
            "verify",
            "feedback",
            "verify",
            "rate",
            "feedback",
            "verify",
            "rate"
        ]
    );

    // A case nobody rates: the dispatcher closes it; a grid worker may not; a rating needs its answers.
    let id = handled("楼道堆物二").await;
    step(&app, &w, id, json!({"action": "verify", "passed": true})).await;
    let (_, c) = app.get(&sj, &format!("/api/v1/cases/{id}")).await;
    let (s, _) = act(
        &app,
        &w,
        id,
        json!({"action": "close", "version": c["version"]}),
    )
    .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (s, v) = act(
        &app,
        &resident,
        id,
        json!({"action": "rate", "version": c["version"], "satisfaction": "很好"}),
    )
    .await;
    assert_eq!(s, StatusCode::BAD_REQUEST, "{v}");
    let (s, _) = act(&app, &app.token("jm-fenglin").await, id, json!({"action": "rate", "version": c["version"], "contacted": true, "solved": true, "satisfaction": "satisfied"})).await;
    assert_eq!(
        s,
        StatusCode::NOT_FOUND,
        "another resident cannot even see it"
    );
    let closed = step(
        &app,
        &sj,
        id,
        json!({"action": "close", "text": "多次回访未接通，按办结处理"}),
    )
    .await;
    assert_eq!(closed["status"], "closed");
    assert!(
        closed["satisfaction"].is_null(),
        "an unrated close counts no rating"
    );

    // The figures: two closed, one rated (不满意), so satisfaction is 0 over one rating.
    let liuan = app.node_id(&sj, "330199001001").await;
    let (_, st) = app
        .get(
            &sj,
            &format!(
                "/api/v1/stats/cases?org={liuan}&{}",
                crate::support::around_today()
            ),
        )
        .await;
    assert_eq!(
        (st["closed"].as_i64(), st["rates"]["rated"].as_i64()),
        (Some(2), Some(1)),
        "{st}"
    );
    assert_eq!(st["rates"]["satisfaction"], 0.0);
    assert_eq!(st["rates"]["resolution"], 0.0);
}

#[tokio::test]
async fn a_burst_of_reports_lands_each_once_numbered_timed_audited_and_notified() {
    let app = TestApp::spawn().await;
    let (_, building) = first_building(&app, "33019900100101").await;
    let w = app.token("wgy-liuan-1").await;
    let sj = app.token("liuan-sj").await;
    let (_, before) = app.get(&sj, "/api/v1/notifications").await;
    let unread = before["unread"].as_u64().unwrap_or(0);
    // 12 reports, each sent twice at once (a flaky phone's retry), all in flight together so
    // the writer lands them in shared batches.
    let send = |i: usize| {
        app.client
            .post(app.url("/api/v1/cases"))
            .bearer_auth(&w)
            .header("Idempotency-Key", format!("burst-{}", i / 2))
            .json(&json!({
                "title": format!("楼道堆物 {}", i / 2),
                "description": "楼道里堆满纸箱",
                "building_id": building,
            }))
            .send()
    };
    let answers = futures_util::future::join_all((0..24).map(send)).await;
    let mut by_key: std::collections::HashMap<usize, Vec<Value>> = Default::default();
    for (i, r) in answers.into_iter().enumerate() {
        let r = r.expect("sent");
        assert!(matches!(r.status().as_u16(), 200 | 201), "{}", r.status());
        by_key
            .entry(i / 2)
            .or_default()
            .push(r.json().await.expect("json"));
    }
    let mut numbers = Vec::new();
    for (k, pair) in &by_key {
        assert_eq!(pair[0]["id"], pair[1]["id"], "key {k}: one case for both");
        assert_eq!(pair[0]["title"], format!("楼道堆物 {k}"));
        numbers.push(pair[0]["case_no"].as_str().expect("number").to_owned());
    }
    numbers.sort();
    numbers.dedup();
    assert_eq!(numbers.len(), 12, "twelve distinct numbers: {numbers:?}");
    let (_, l) = app.get(&w, "/api/v1/cases").await;
    assert_eq!(l["total"], 12);
    for pair in by_key.values() {
        let id = pair[0]["id"].as_i64().expect("id");
        let (_, c) = app.get(&w, &format!("/api/v1/cases/{id}")).await;
        assert_eq!(c["timeline"][0]["action"], "report", "{c}");
        assert_eq!(c["timeline"].as_array().map(Vec::len), Some(1));
    }
    let (_, after) = app.get(&sj, "/api/v1/notifications").await;
    assert_eq!(after["unread"].as_u64(), Some(unread + 12), "{after}");
    let admin = app.token("admin").await;
    let (_, log) = app
        .get(&admin, "/api/v1/audit?entity=case&action=create")
        .await;
    assert_eq!(log["total"], 12, "one audit entry per case");
}

#[tokio::test]
async fn intake_sees_a_retired_building_at_once() {
    let app = TestApp::spawn().await;
    let (_, building) = first_building(&app, "33019900100101").await;
    let w = app.token("wgy-liuan-1").await;
    let body = json!({"title": "路灯不亮", "description": "楼前路灯坏了", "building_id": building});
    let (s, _) = report(&app, &w, body.clone()).await;
    assert_eq!(s, StatusCode::CREATED);
    let admin = app.token("qinghe-admin").await;
    let (s, _) = app
        .send(
            Method::POST,
            &admin,
            &format!("/api/v1/org/nodes/{building}/retire"),
            json!({}),
        )
        .await;
    assert_eq!(s, StatusCode::OK);
    let (s, v) = report(&app, &w, body).await;
    assert_eq!(s, StatusCode::BAD_REQUEST, "{v}");
    assert_eq!(code(&v), Some("bad_building"));
}

/// The reporter's phone as stored, read straight from the table.
async fn stored_phone(app: &TestApp, id: i64) -> String {
    use sea_orm::ConnectionTrait;
    let row = app
        .db
        .query_one_raw(wangge::infra::db::statement(
            &app.db,
            "SELECT reporter_phone FROM cases WHERE id = $1",
            vec![id.into()],
        ))
        .await
        .expect("read")
        .expect("row");
    row.try_get("", "reporter_phone").expect("phone")
}

#[tokio::test]
async fn reporters_phones_are_sealed_found_by_number_and_older_ones_sealed_at_start() {
    use sea_orm::ConnectionTrait;
    let app = TestApp::spawn().await;
    let (_, building) = first_building(&app, "33019900100101").await;
    let cc = app.token("qinghe-zz").await;
    let (s, c) = report(
        &app,
        &cc,
        json!({"title": "楼道堆物", "description": "三楼楼道堆满纸箱", "building_id": building,
               "reporter_name": "李先生", "reporter_phone": "139 0571 2288", "source": "hotline"}),
    )
    .await;
    assert_eq!(s, StatusCode::CREATED, "{c}");
    let id = c["id"].as_i64().expect("id");
    let stored = stored_phone(&app, id).await;
    assert!(
        stored.starts_with("v1.") && !stored.contains("2288"),
        "sealed at rest: {stored}"
    );

    // The hotline finds the caller's cases by the number, however it is typed; words do not
    // match the sealed column, and the scope still holds.
    for q in ["13905712288", "139-0571-2288", "139%200571%202288"] {
        let (_, l) = app.get(&cc, &format!("/api/v1/cases?q={q}")).await;
        assert_eq!(l["total"], 1, "{q}: {l}");
        assert_eq!(l["items"][0]["id"], id);
        assert_eq!(l["items"][0]["reporter_phone"], "139****2288");
    }
    let (_, l) = app.get(&cc, "/api/v1/cases?q=13905710000").await;
    assert_eq!(l["total"], 0, "another number: {l}");
    let other = app.token("jm-fenglin").await;
    let (_, l) = app.get(&other, "/api/v1/cases?q=13905712288").await;
    assert_eq!(
        l["total"], 0,
        "a resident does not find someone else's case: {l}"
    );
    let (_, d) = app.get(&cc, &format!("/api/v1/cases/{id}")).await;
    assert_eq!(
        d["reporter_phone"], "13905712288",
        "the screener may call back"
    );

    // A phone an older version stored in the clear is sealed at the next start.
    app.db
        .execute_raw(wangge::infra::db::statement(
            &app.db,
            "UPDATE cases SET reporter_phone = $1, reporter_phone_blind = NULL WHERE id = $2",
            vec!["13600001111".into(), id.into()],
        ))
        .await
        .expect("store in the clear");
    app.db
        .execute_raw(wangge::infra::db::statement(
            &app.db,
            "INSERT INTO settings (name, value, updated_at) VALUES ($1, 'pending', 0)",
            vec![wangge::infra::db::migrations::SEAL_CASE_PHONES.into()],
        ))
        .await
        .expect("mark");
    app.restart().await;
    let stored = stored_phone(&app, id).await;
    assert!(stored.starts_with("v1."), "sealed at start: {stored}");
    let (_, l) = app.get(&cc, "/api/v1/cases?q=13600001111").await;
    assert_eq!(l["total"], 1, "and found by its number: {l}");
    assert_eq!(l["items"][0]["reporter_phone"], "136****1111");
}

/// m0012 moves the route suggestion out of the JSON text it was kept in into typed columns,
/// whole, and drops the text; a case of the old shape keeps its suggestion.
#[tokio::test]
async fn the_suggestion_moves_from_json_to_typed_columns() {
    use sea_orm::ConnectionTrait;
    use sea_orm_migration::MigratorTrait;
    let dir = tempfile::tempdir().expect("dir");
    let (_, _, db) = crate::support::fresh_db(dir.path()).await;
    wangge::infra::db::migrations::Migrator::up(&db, Some(11))
        .await
        .expect("up to m0011");
    let insert = |no: &str, suggestion: &str| {
        format!(
            "INSERT INTO cases (case_no, kind, title, description, category_code, source, status, \
             org_id, org_path, dispatch_org_id, dispatch_path, suggestion, created_at, updated_at) \
             VALUES ('{no}', 'appeal', '路灯', '路灯不亮', 'WY03', 'resident', 'reported', 1, '/1/', 1, '/1/', \
             '{suggestion}', 0, 0)"
        )
    };
    for sql in [
        insert(
            "2026-000001",
            r#"{"target":{"org_id":7},"reason":"网格可处置"}"#,
        ),
        insert(
            "2026-000002",
            r#"{"target":{"department_id":3},"reason":"属城管中队职责"}"#,
        ),
        insert(
            "2026-000003",
            r#"{"target":null,"reason":"没有可派的单位，请人工派遣"}"#,
        ),
        // Cut at 400 characters by the old intake: unreadable JSON keeps nothing, and fails nothing.
        insert("2026-000004", r#"{"target":{"org_id":7},"reason":"很长"#),
    ] {
        db.execute_unprepared(&sql).await.expect("old row");
    }
    wangge::infra::db::migrations::Migrator::up(&db, None)
        .await
        .expect("m0012");
    let rows = db
        .query_all_raw(sea_orm::Statement::from_string(
            db.get_database_backend(),
            "SELECT case_no, route_org_id, route_dept_id, route_reason, suggested_words FROM cases ORDER BY case_no",
        ))
        .await
        .expect("rows");
    type Row = (String, Option<i64>, Option<i64>, String, String);
    let got: Vec<Row> = rows
        .iter()
        .map(|r| {
            (
                r.try_get("", "case_no").expect("no"),
                r.try_get("", "route_org_id").expect("org"),
                r.try_get("", "route_dept_id").expect("dept"),
                r.try_get("", "route_reason").expect("reason"),
                r.try_get("", "suggested_words").expect("words"),
            )
        })
        .collect();
    assert_eq!(
        got,
        vec![
            (
                "2026-000001".into(),
                Some(7),
                None,
                "网格可处置".into(),
                String::new()
            ),
            (
                "2026-000002".into(),
                None,
                Some(3),
                "属城管中队职责".into(),
                String::new()
            ),
            (
                "2026-000003".into(),
                None,
                None,
                "没有可派的单位，请人工派遣".into(),
                String::new()
            ),
            (
                "2026-000004".into(),
                None,
                None,
                String::new(),
                String::new()
            ),
        ]
    );
    let kinds = db
        .query_one_raw(sea_orm::Statement::from_string(
            db.get_database_backend(),
            "SELECT COUNT(*) AS n FROM categories WHERE kind <> 'appeal'",
        ))
        .await
        .expect("query")
        .expect("row");
    assert_eq!(
        kinds.try_get::<i64>("", "n").expect("n"),
        0,
        "old categories are appeals"
    );
}
