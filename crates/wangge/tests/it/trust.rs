//! The holes an outside review found (issue 14), each closed at its root and each proved here:
//! the ledger import and the registry forms never touch or name someone outside the caller's
//! scope; followers do not speak for a reporter; district-wide reference data changes only at
//! the district; the login page goes only to local paths; a node is deleted only when nothing
//! holds it; a file is attached only by whoever uploaded it; empty query fields mean "not set".

use crate::support::{Browser, PW, TestApp, id_number};
use reqwest::{Method, StatusCode, header};
use sea_orm::ConnectionTrait;
use serde_json::{Value, json};

const ID_UNAVAILABLE: &str =
    "该身份证号无法在此登记：请核对证件号；确属本人的，请联系街道或区里的管理人员核实";

fn error_code(v: &Value) -> Option<&str> {
    v["error"]["code"].as_str()
}

#[tokio::test]
async fn the_registry_never_moves_or_names_someone_outside_the_callers_scope() {
    let app = TestApp::spawn().await;
    // 张桂兰 lives in 柳岸社区 (清河街道).
    let liuan = app.token("wgy-liuan-1").await;
    let zid = id_number((1952, 8, 19), 31);
    let first = app.building_in("33019900100101").await;
    let (home, zhang) = app
        .household_with_head(&liuan, first, "张桂兰", &zid, json!({}))
        .await;

    // A village secretary of 青山镇 imports a row naming her own village's building and 张桂兰's
    // ID number.
    let sj = app.token("taoyuan-sj").await;
    let village_building = app
        .text(
            "SELECT b.code FROM org_nodes b JOIN org_nodes g ON b.parent_id = g.id \
               WHERE g.code = '33019910100101' AND b.level = 'building' ORDER BY b.id LIMIT 1",
        )
        .await;
    let before_audit = app.audit_rows().await;
    let csv = format!(
        "楼栋,房号,姓名,公民身份号码,联系电话\n{village_building},1-101,张桂兰,{zid},13905712288\n"
    );
    let r = app
        .client
        .post(app.url("/api/v1/people/import"))
        .bearer_auth(&sj)
        .body(csv)
        .send()
        .await
        .expect("import");
    assert_eq!(r.status(), StatusCode::OK);
    let report: Value = r.json().await.expect("json");
    assert_eq!(
        (report["updated"].as_u64(), report["rejected"].as_u64()),
        (Some(0), Some(1)),
        "{report}"
    );
    let reason = report["errors"][0]["reason"].as_str().expect("a reason");
    assert_eq!(reason, ID_UNAVAILABLE);
    assert!(
        !reason.contains("张") && !reason.contains("柳岸") && !reason.contains("在册"),
        "the reason says nothing about the person"
    );
    // 张桂兰 stays where she lives, untouched; the secretary cannot open her.
    let (s, v) = app.get(&liuan, &format!("/api/v1/residents/{zhang}")).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(
        (v["household_id"].as_i64(), v["version"].as_i64()),
        (Some(home), Some(1))
    );
    assert_eq!(v["phone"], "", "the row's phone was not written");
    assert_eq!(
        app.get(&sj, &format!("/api/v1/residents/{zhang}")).await.0,
        StatusCode::NOT_FOUND
    );
    // The attempt is audited at the secretary's node, with the number masked.
    let masked = format!("{}********{}", &zid[..6], &zid[14..]);
    let n = app
        .int(&format!(
            "SELECT COUNT(*) FROM audit_log WHERE action = 'refuse_id' AND changes LIKE '%{masked}%'"
        ))
        .await;
    assert_eq!(n, 1);
    assert!(app.audit_rows().await > before_audit);
    assert_eq!(
        app.int(&format!(
            "SELECT COUNT(*) FROM audit_log WHERE changes LIKE '%{zid}%'"
        ))
        .await,
        0,
        "never the full number"
    );

    // The forms: registering or editing with her number outside the scope says only that it
    // cannot be used here; inside the scope it names her (the caller may open her anyway).
    let wt = app.token("wgy-taoyuan-1").await;
    let vb = app.building_in("33019910100101").await;
    let (s, h) = app
        .send(
            Method::POST,
            &wt,
            "/api/v1/households",
            json!({"building_id": vb, "room": "2-202"}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{h}");
    let vh = h["household"]["id"].as_i64().expect("household");
    let before = app.int("SELECT COUNT(*) FROM residents").await;
    let (s, v) = app
        .send(
            Method::POST,
            &wt,
            "/api/v1/residents",
            json!({"household_id": vh, "name": "李四", "id_number": zid, "relation": "户主"}),
        )
        .await;
    assert_eq!(
        (s, error_code(&v)),
        (StatusCode::CONFLICT, Some("id_unavailable")),
        "{v}"
    );
    assert_eq!(v["error"]["message"], ID_UNAVAILABLE);
    assert!(!v.to_string().contains("张桂兰"));
    assert_eq!(app.int("SELECT COUNT(*) FROM residents").await, before);
    let (_, mine) = app
        .household_with_head(&wt, vb, "李四", &id_number((1980, 1, 2), 55), json!({}))
        .await;
    let (s, v) = app
        .send(
            Method::PATCH,
            &wt,
            &format!("/api/v1/residents/{mine}"),
            json!({"name": "李四", "id_number": zid, "relation": "户主", "version": 1}),
        )
        .await;
    assert_eq!(
        (s, error_code(&v)),
        (StatusCode::CONFLICT, Some("id_unavailable")),
        "{v}"
    );
    assert!(!v.to_string().contains("张桂兰"));
    assert_eq!(
        app.int("SELECT COUNT(*) FROM audit_log WHERE action = 'refuse_id'")
            .await,
        3,
        "each attempt audited"
    );
    let (s, v) = app
        .send(
            Method::POST,
            &liuan,
            "/api/v1/residents",
            json!({"household_id": home, "name": "张二", "id_number": zid}),
        )
        .await;
    assert_eq!(
        (s, error_code(&v)),
        (StatusCode::CONFLICT, Some("id_taken")),
        "{v}"
    );
    assert!(
        v["error"]["message"]
            .as_str()
            .is_some_and(|m| m.contains("张桂兰"))
    );
}

#[tokio::test]
async fn a_follower_is_told_but_only_the_reporter_withdraws_or_rates() {
    let app = TestApp::spawn().await;
    let building = app.building_in("33019900100101").await;
    let jm = app.token("jm-liuan").await;
    let ldz = app.token("ldz-liuan").await;
    let report = |t: String| {
        let app = &app;
        async move {
            let (s, c) = app
                .send(
                    Method::POST,
                    &t,
                    "/api/v1/cases",
                    json!({"title": "楼道堆满纸箱", "description": "三单元楼道堆满纸箱堵住通道", "category": "WY03", "building_id": building}),
                )
                .await;
            assert_eq!(s, StatusCode::CREATED, "{c}");
            c
        }
    };
    let a = report(jm.clone()).await;
    let b = report(ldz.clone()).await;
    let sj = app.token("liuan-sj").await;
    let (s, v) = app
        .send(
            Method::POST,
            &sj,
            &format!("/api/v1/cases/{}/actions", b["id"]),
            json!({"action": "merge", "into": a["case_no"], "version": b["version"]}),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    // The building head now follows 张's case: sees it, is told, and may not act for its reporter.
    let (s, d) = app.get(&ldz, &format!("/api/v1/cases/{}", a["id"])).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(d["reported_by_you"], false);
    let actions: Vec<&str> = d["actions"]
        .as_array()
        .expect("actions")
        .iter()
        .filter_map(Value::as_str)
        .collect();
    assert!(
        !actions.contains(&"withdraw") && !actions.contains(&"rate"),
        "{actions:?}"
    );
    let (s, v) = app
        .send(
            Method::POST,
            &ldz,
            &format!("/api/v1/cases/{}/actions", a["id"]),
            json!({"action": "withdraw", "version": d["version"]}),
        )
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN, "{v}");
    let (_, d) = app.get(&jm, &format!("/api/v1/cases/{}", a["id"])).await;
    assert_eq!(d["status"], "reported", "still open");
    assert_eq!(d["reported_by_you"], true);
    assert!(
        d["actions"]
            .as_array()
            .is_some_and(|a| a.iter().any(|x| x == "withdraw"))
    );
    let (s, v) = app
        .send(
            Method::POST,
            &jm,
            &format!("/api/v1/cases/{}/actions", a["id"]),
            json!({"action": "withdraw", "version": d["version"]}),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "the reporter withdraws: {v}");
}

#[tokio::test]
async fn what_the_whole_district_shares_changes_only_at_the_district() {
    let app = TestApp::spawn().await;
    let street = app.token("qinghe-admin").await;
    let sj = app.token("liuan-sj").await;
    let before = app.audit_rows().await;
    let (s, v) = app
        .send(
            Method::PATCH,
            &street,
            "/api/v1/categories/WY03",
            json!({"name": "楼道堆物", "handler": "grid", "response": "1wh", "handling": "1wd"}),
        )
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN, "{v}");
    let (s, _) = app
        .send(Method::POST, &street, "/api/v1/categories", json!({"code": "ZZ01", "name": "x", "group_code": "WY", "handler": "grid", "response": "1wh", "handling": "1wd"}))
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (s, _) = app
        .send(
            Method::PUT,
            &street,
            "/api/v1/calendar/2026-12-31",
            json!({"kind": "holiday", "name": "放假"}),
        )
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    assert_eq!(
        app.call(Method::POST, &street, "/api/v1/admin/press", None)
            .await
            .status(),
        StatusCode::FORBIDDEN
    );
    let (s, _) = app
        .send(Method::POST, &sj, "/api/v1/tags", json!({"name": "新标签"}))
        .await;
    assert_eq!(
        s,
        StatusCode::FORBIDDEN,
        "the care-group tags are the district's"
    );
    assert_eq!(app.audit_rows().await, before, "nothing written");
    // The street's administrator reads them, with no form to change them.
    let mut b = Browser::new(&app);
    b.login("qinghe-admin").await;
    for page in ["/admin/categories", "/admin/calendar"] {
        let (s, html) = b.get(page).await;
        assert_eq!(s, StatusCode::OK, "{page}");
        assert!(html.contains("区级管理员维护"), "{page}");
        assert!(
            !html.contains("<button class=\"btn primary\" type=\"submit\">保存</button>"),
            "{page}"
        );
    }
    // The district's administrator and command centre do.
    let admin = app.token("admin").await;
    let (s, _) = app
        .send(
            Method::PUT,
            &admin,
            "/api/v1/calendar/2026-12-31",
            json!({"kind": "holiday", "name": "放假"}),
        )
        .await;
    assert_eq!(s, StatusCode::NO_CONTENT);
    assert_eq!(
        app.call(Method::POST, &admin, "/api/v1/admin/press", None)
            .await
            .status(),
        StatusCode::OK
    );
    let zz = app.token("district-zz").await;
    let (s, v) = app
        .send(Method::POST, &zz, "/api/v1/tags", json!({"name": "新标签"}))
        .await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    assert_eq!(
        app.int("SELECT COUNT(*) FROM audit_log WHERE entity = 'tag' AND action = 'create'")
            .await,
        1,
        "the tag and its audit entry in one transaction"
    );
    let (s, tags) = app.get(&sj, "/api/v1/tags").await;
    assert_eq!(s, StatusCode::OK);
    assert!(tags.to_string().contains("新标签"));
}

#[tokio::test]
async fn after_login_only_a_local_path_is_followed_and_bad_ones_never_fail() {
    let app = TestApp::spawn().await;
    let mut b = Browser::new(&app);
    for next in [
        "/%09/evil.example/",
        "//evil.example/",
        "/%5Cevil.example",
        "https://evil.example/",
        "/%0A",
        "/%0D%0ALocation:%20x",
    ] {
        let (s, page) = b.get(&format!("/login?next={next}")).await;
        assert_eq!(s, StatusCode::OK, "{next}");
        assert!(page.contains("name=\"next\" value=\"/\""), "{next}");
    }
    for next in [
        "/\t/evil.example/",
        "/\n",
        "/\r\n/x",
        "//evil.example",
        "/\\evil",
    ] {
        // A wrong password: the login page again, no session, no server error.
        let mut b = Browser::new(&app);
        let (_, page) = b.get("/login").await;
        let csrf = crate::support::csrf_of(&page);
        let (s, _) = b
            .post(
                "/login",
                &[
                    ("_csrf", &csrf),
                    ("username", "liuan-sj"),
                    ("password", "wrong-one"),
                    ("next", next),
                ],
            )
            .await;
        assert_eq!(s, StatusCode::UNAUTHORIZED, "{next:?}");
        assert!(
            !b.cookies.iter().any(|(k, _)| k == "wangge_session"),
            "{next:?}"
        );
        // The right one: home, never elsewhere.
        let (s, loc) = b
            .post(
                "/login",
                &[
                    ("_csrf", &csrf),
                    ("username", "liuan-sj"),
                    ("password", PW),
                    ("next", next),
                ],
            )
            .await;
        assert_eq!((s, loc.as_str()), (StatusCode::SEE_OTHER, "/"), "{next:?}");
    }
    let mut b = Browser::new(&app);
    let (_, page) = b.get("/login").await;
    let csrf = crate::support::csrf_of(&page);
    let (s, loc) = b
        .post(
            "/login",
            &[
                ("_csrf", &csrf),
                ("username", "liuan-sj"),
                ("password", PW),
                ("next", "/cases?status=reported"),
            ],
        )
        .await;
    assert_eq!(
        (s, loc.as_str()),
        (StatusCode::SEE_OTHER, "/cases?status=reported")
    );
    // Logged in, the login page sends a local `next` on and anything else home.
    let (s, _) = b.get("/login?next=%0A").await;
    assert_eq!(s, StatusCode::SEE_OTHER);
}

#[tokio::test]
async fn a_node_is_deleted_only_when_nothing_holds_it() {
    let app = TestApp::spawn().await;
    let admin = app.token("qinghe-admin").await;
    let gw = app.token("wgy-liuan-1").await;
    let full = app.building_in("33019900100101").await;
    app.household_with_head(&gw, full, "王五", &id_number((1970, 3, 3), 12), json!({}))
        .await;
    let before = app.audit_rows().await;
    let r = app
        .call(
            Method::DELETE,
            &admin,
            &format!("/api/v1/org/nodes/{full}"),
            None,
        )
        .await;
    assert_eq!(r.status(), StatusCode::CONFLICT);
    let v: Value = r.json().await.expect("json");
    let msg = v["error"]["message"].as_str().expect("message");
    assert!(
        msg.contains("1 户住户") && msg.contains("1 位居民"),
        "{msg}"
    );
    assert_eq!(app.audit_rows().await, before);
    assert_eq!(
        app.get(&admin, &format!("/api/v1/org/nodes/{full}"))
            .await
            .0,
        StatusCode::OK
    );
    // A building with a case reported at it is held too.
    let other = app
        .int(&format!(
            "SELECT MAX(b.id) FROM org_nodes b JOIN org_nodes g ON b.parent_id = g.id \
             WHERE g.code = '33019900100101' AND b.level = 'building' AND b.id <> {full}"
        ))
        .await;
    let jm = app.token("jm-liuan").await;
    let (s, _) = app
        .send(
            Method::POST,
            &jm,
            "/api/v1/cases",
            json!({"title": "井盖缺失", "description": "路口井盖不见了", "building_id": other}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED);
    let r = app
        .call(
            Method::DELETE,
            &admin,
            &format!("/api/v1/org/nodes/{other}"),
            None,
        )
        .await;
    assert_eq!(r.status(), StatusCode::CONFLICT);
    let v: Value = r.json().await.expect("json");
    assert!(
        v["error"]["message"]
            .as_str()
            .is_some_and(|m| m.contains("案件")),
        "{v}"
    );
    // An empty building goes.
    let grid = app.node_id(&admin, "33019900100101").await;
    let (s, n) = app
        .send(Method::POST, &admin, "/api/v1/org/nodes", json!({"parent_id": grid, "name": "临时楼", "level": "building", "code": "33019900100101999"}))
        .await;
    assert_eq!(s, StatusCode::CREATED, "{n}");
    let r = app
        .call(
            Method::DELETE,
            &admin,
            &format!("/api/v1/org/nodes/{}", n["id"]),
            None,
        )
        .await;
    assert_eq!(r.status(), StatusCode::NO_CONTENT);
}

#[tokio::test]
async fn a_file_is_attached_only_by_whoever_uploaded_it() {
    let app = TestApp::spawn().await;
    let owner = app.token("wgy-liuan-2").await;
    let photo = crate::routes::upload_photo(&app, &owner).await;
    let b2 = app.building_in("33019900100102").await;
    let (s, _) = app
        .send(Method::POST, &owner, "/api/v1/cases", json!({"title": "路灯不亮", "description": "二网格路灯坏了", "building_id": b2, "photos": [photo]}))
        .await;
    assert_eq!(s, StatusCode::CREATED);
    // Another grid's worker knows the hash: attaching it is refused as a file that does not
    // exist would be, and the file is not served.
    let w = app.token("wgy-liuan-1").await;
    let b1 = app.building_in("33019900100101").await;
    let attach = |sha: String| {
        let app = &app;
        let w = w.clone();
        async move {
            app.send(Method::POST, &w, "/api/v1/cases", json!({"title": "借用照片", "description": "用别人的照片", "building_id": b1, "photos": [sha]}))
                .await
        }
    };
    let before = app.int("SELECT COUNT(*) FROM cases").await;
    let (s1, v1) = attach(photo.clone()).await;
    let (s2, v2) = attach("0".repeat(64)).await;
    assert_eq!(
        (s1, error_code(&v1)),
        (StatusCode::BAD_REQUEST, Some("bad_photo")),
        "{v1}"
    );
    assert_eq!(
        (s1, &v1),
        (s2, &v2),
        "the same answer for not yours and not there"
    );
    assert_eq!(app.int("SELECT COUNT(*) FROM cases").await, before);
    let get = |sha: String| {
        let app = &app;
        let w = w.clone();
        async move {
            let r = app
                .call(Method::GET, &w, &format!("/files/{sha}"), None)
                .await;
            (r.status(), r.text().await.unwrap_or_default())
        }
    };
    assert_eq!(get(photo.clone()).await, get("1".repeat(64)).await);
    assert_eq!(get(photo.clone()).await.0, StatusCode::NOT_FOUND);
    // A household document's hash is no way in either.
    let (hid, _) = app
        .household_with_head(&owner, b2, "赵六", &id_number((1966, 6, 6), 21), json!({}))
        .await;
    let r = app
        .client
        .post(app.url(&format!(
            "/api/v1/households/{hid}/documents?type=other&title=协议"
        )))
        .bearer_auth(&owner)
        .body(b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n".to_vec())
        .send()
        .await
        .expect("document");
    assert_eq!(r.status(), StatusCode::CREATED);
    let doc_sha = app
        .text(&format!(
            "SELECT file_id FROM household_docs WHERE household_id = {hid}"
        ))
        .await;
    let (s, v) = attach(doc_sha.clone()).await;
    assert_eq!((s, v), (s2, v2));
    assert_eq!(get(doc_sha).await.0, StatusCode::NOT_FOUND);
    // Its uploader attaches it.
    let (s, _) = app
        .send(Method::POST, &owner, "/api/v1/cases", json!({"title": "再报", "description": "同一张照片", "building_id": b2, "photos": [photo]}))
        .await;
    assert_eq!(s, StatusCode::CREATED);
}

#[tokio::test]
async fn empty_query_fields_are_not_set_and_bad_ones_answer_in_chinese() {
    let app = TestApp::spawn().await;
    let sj = app.token("liuan-sj").await;
    let page = |path: &'static str| {
        let app = &app;
        let sj = sj.clone();
        async move {
            let r = app.call(Method::GET, &sj, path, None).await;
            let s = r.status();
            let ct = r
                .headers()
                .get(header::CONTENT_TYPE)
                .and_then(|v| v.to_str().ok())
                .unwrap_or_default()
                .to_owned();
            (s, ct, r.text().await.unwrap_or_default())
        }
    };
    for path in [
        "/people?q=&org=&tag=&age=&residence=&status=",
        "/stats?org=&from=&to=",
        "/cases?status=&org=&from=&to=&page=",
        "/api/v1/cases?org=&page=",
        "/api/v1/residents?q=%E5%BC%A0&org=&party=",
    ] {
        let (s, _, body) = page(path).await;
        assert_eq!(
            s,
            StatusCode::OK,
            "{path}: {}",
            &body[..body.len().min(200)]
        );
    }
    let (s, ct, body) = page("/people?org=abc").await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    assert!(
        ct.starts_with("text/html") && body.contains("查询参数不正确"),
        "{body}"
    );
    assert!(body.contains("<nav"), "the error page inside the layout");
    let (s, ct, body) = page("/api/v1/cases?page=abc").await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    assert!(ct.starts_with("application/json"), "{ct}");
    let v: Value = serde_json::from_str(&body).expect("json");
    assert_eq!(error_code(&v), Some("bad_query"));
    // The export takes the list's filters.
    let liuan = app.node_id(&sj, "330199001001").await;
    let r = app
        .call(
            Method::GET,
            &sj,
            &format!("/api/v1/residents/export.xlsx?org={liuan}&party=true&page=1&per_page=50&q="),
            None,
        )
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    assert!(
        r.bytes().await.expect("bytes").starts_with(b"PK"),
        "an XLSX"
    );
}

#[tokio::test]
async fn the_public_place_a_report_on_its_grid_and_follow_it_by_link_qr_or_number() {
    let app = TestApp::spawn().await;
    let admin = app.token("admin").await;
    let grid = app.node_id(&admin, "33019900100101").await;
    // A resident finds the building by what they call it; no coordinates typed.
    let r = app
        .client
        .get(app.url("/report/places?q=柳岸 第一网格"))
        .send()
        .await
        .expect("places");
    assert_eq!(r.status(), StatusCode::OK);
    let hits: Value = r.json().await.expect("json");
    let hit = &hits[0];
    assert!(
        hit["label"]
            .as_str()
            .is_some_and(|l| l.contains("柳岸社区") && l.contains("第一网格")),
        "{hits}"
    );
    let building = hit["id"].as_i64().expect("building");
    // The phone's position names the grid it falls in.
    let (_, boundary) = app
        .get(&admin, &format!("/api/v1/org/nodes/{grid}/boundary"))
        .await;
    let ring = boundary["coordinates"][0].as_array().expect("ring").clone();
    let n = (ring.len() - 1) as f64;
    let lng: f64 = ring[..ring.len() - 1]
        .iter()
        .map(|p| p[0].as_f64().expect("lng"))
        .sum::<f64>()
        / n;
    let lat: f64 = ring[..ring.len() - 1]
        .iter()
        .map(|p| p[1].as_f64().expect("lat"))
        .sum::<f64>()
        / n;
    let r = app
        .client
        .get(app.url(&format!("/report/locate?lat={lat}&lng={lng}")))
        .send()
        .await
        .expect("locate");
    let at: Value = r.json().await.expect("json");
    assert_eq!(at["grid_id"].as_i64(), Some(grid), "{at}");
    assert!(
        at["label"]
            .as_str()
            .is_some_and(|l| l.ends_with("第一网格")),
        "{at}"
    );
    let r = app
        .client
        .get(app.url("/report/locate?lat=1&lng=1"))
        .send()
        .await
        .expect("locate");
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);

    let session = app.public_session().await;
    let base = [
        ("title", "单元门禁坏了".to_owned()),
        ("description", "三单元门禁一直打不开".to_owned()),
        ("reporter_phone", "13912345678".to_owned()),
    ];
    let mut by_building = base.to_vec();
    by_building.push(("building_id", building.to_string()));
    by_building.push(("idem", "k-building".to_owned()));
    let ok = app.public_report(&session, &by_building).await;
    assert_eq!(ok.status(), StatusCode::OK);
    let page = ok.text().await.expect("text");
    let mut by_point = base.to_vec();
    by_point.push(("lat", lat.to_string()));
    by_point.push(("lng", lng.to_string()));
    by_point.push(("idem", "k-point".to_owned()));
    assert_eq!(
        app.public_report(&session, &by_point).await.status(),
        StatusCode::OK
    );
    let sj = app.token("liuan-sj").await;
    let (_, list) = app.get(&sj, "/api/v1/cases?per_page=10").await;
    let items = list["items"].as_array().expect("items");
    assert_eq!(items.len(), 2);
    for c in items {
        assert_eq!(
            (c["located"].as_bool(), c["org_id"].as_i64()),
            (Some(true), Some(grid)),
            "on its grid: {c}"
        );
    }
    let case_no = items
        .iter()
        .find(|c| c["building_id"] == building)
        .expect("by building")["case_no"]
        .as_str()
        .expect("no")
        .to_owned();

    // The reporter gets the whole link, a QR code of it, and the way to look it up.
    let link_at = page
        .find(&format!("http://{}/track/{case_no}?t=", app.addr))
        .expect("a whole link");
    let link: String = page[link_at..]
        .chars()
        .take_while(|c| *c != '"' && *c != '<')
        .collect();
    assert!(page.contains("<svg class=\"qr\""), "a QR code");
    assert!(page.contains("电话后四位"));
    let r = app
        .client
        .get(link.replace("&amp;", "&"))
        .send()
        .await
        .expect("track");
    assert_eq!(r.status(), StatusCode::OK);

    // Without the link: the number and the phone's last four digits open it for a while.
    let lookup = |no: String, tail: &'static str| {
        let app = &app;
        let session = session.clone();
        async move {
            app.client
                .post(app.url("/track"))
                .header("cookie", session.0.clone())
                .header("content-type", "application/x-www-form-urlencoded")
                .body(format!("_csrf={}&no={no}&tail={tail}", session.1))
                .send()
                .await
                .expect("lookup")
        }
    };
    let r = lookup(case_no.clone(), "5678").await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let to = r.headers()["location"]
        .to_str()
        .expect("location")
        .to_owned();
    assert!(to.starts_with(&format!("/track/{case_no}?g=")), "{to}");
    let r = app.client.get(app.url(&to)).send().await.expect("track");
    assert_eq!(r.status(), StatusCode::OK);
    let page = r.text().await.expect("text");
    assert!(page.contains("单元门禁坏了"));
    // It reads; acting on the case needs the link (four digits are too few to act on).
    assert!(!page.contains("撤回这件反映"), "no withdrawal by a lookup");
    let grant_q = to.split('?').nth(1).expect("query").to_owned();
    let r = app
        .client
        .post(app.url(&format!("/track/{case_no}")))
        .header("cookie", session.0.clone())
        .header("content-type", "application/x-www-form-urlencoded")
        .body(format!("_csrf={}&{grant_q}&action=withdraw", session.1))
        .send()
        .await
        .expect("withdraw");
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let (_, c) = app.get(&sj, &format!("/api/v1/cases?q={case_no}")).await;
    assert_eq!(c["items"][0]["status"], "reported", "not withdrawn");
    // The grant opens that case only, and a forged one nothing.
    let other_no = items
        .iter()
        .find(|c| c["case_no"] != case_no.as_str())
        .expect("other")["case_no"]
        .as_str()
        .expect("no")
        .to_owned();
    let grant = to.split("?g=").nth(1).expect("grant");
    for path in [
        format!("/track/{other_no}?g={grant}"),
        format!("/track/{case_no}?g=9999999999999.0000000000000000"),
    ] {
        let r = app.client.get(app.url(&path)).send().await.expect("track");
        assert_eq!(r.status(), StatusCode::NOT_FOUND, "{path}");
    }
    // Wrong digits and unknown numbers get the same answer; five tries of a number (the good
    // one counted) stop the next.
    let wrong = lookup(case_no.clone(), "0000").await;
    let unknown = lookup("2026-999999".to_owned(), "5678").await;
    assert_eq!(
        (wrong.status(), unknown.status()),
        (StatusCode::NOT_FOUND, StatusCode::NOT_FOUND)
    );
    for _ in 0..3 {
        assert_eq!(
            lookup(case_no.clone(), "1111").await.status(),
            StatusCode::NOT_FOUND
        );
    }
    let r = lookup(case_no.clone(), "5678").await;
    assert_eq!(
        r.status(),
        StatusCode::TOO_MANY_REQUESTS,
        "throttled, even with the right digits"
    );
    assert!(r.text().await.expect("text").contains("15 分钟"));

    // Twenty public reports an hour from one address; older ones do not count.
    let now = chrono::Utc::now().timestamp_millis();
    // The two reports above were two tries; 17 more within the hour, 10 older ones.
    for age_min in (0..17).map(|_| 59).chain((0..10).map(|_| 61)) {
        app.db
            .execute_unprepared(&format!(
                "INSERT INTO login_failures (username, ip, at) VALUES ('report:127.0.0.1', '127.0.0.1', {})",
                now - age_min * 60_000
            ))
            .await
            .expect("seed");
    }
    let mut third = base.to_vec();
    third.push((
        "org_id",
        app.node_id(&admin, "330199001001").await.to_string(),
    ));
    third.push(("idem", "k-third".to_owned()));
    let r = app.public_report(&session, &third).await;
    assert_eq!(
        r.status(),
        StatusCode::OK,
        "the 20th within the hour; those of 61 minutes ago do not count"
    );
    let mut fourth = third.clone();
    fourth.retain(|f| f.0 != "idem");
    fourth.push(("idem", "k-fourth".to_owned()));
    let r = app.public_report(&session, &fourth).await;
    assert_eq!(
        r.status(),
        StatusCode::TOO_MANY_REQUESTS,
        "the 21st within the hour"
    );
    assert!(r.text().await.expect("text").contains("提交过于频繁"));
}

#[tokio::test]
async fn an_administrator_gains_no_sight_of_people_through_another_account() {
    let app = TestApp::spawn().await;
    let admin = app.token("qinghe-admin").await;
    let grid = app.node_id(&admin, "33019900100101").await;
    let (_, list) = app.get(&admin, "/api/v1/users?q=jm-liuan").await;
    let resident = &list["items"][0];
    let id = resident["id"].as_i64().expect("id");
    // Reset a resident's password (allowed: a resident sees no more than the administrator)…
    let (s, _) = app
        .send(
            Method::POST,
            &admin,
            &format!("/api/v1/users/{id}/password"),
            json!({"password": "known-2026-x"}),
        )
        .await;
    assert_eq!(s, StatusCode::NO_CONTENT);
    // …then raise it to a grid worker, who sees full ID numbers: refused.
    let before = app.audit_rows().await;
    let (s, v) = app
        .send(
            Method::PATCH,
            &admin,
            &format!("/api/v1/users/{id}"),
            json!({"role": "grid_worker", "org_id": grid, "version": resident["version"].as_i64().expect("v") + 1}),
        )
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN, "{v}");
    assert!(
        v["error"]["message"]
            .as_str()
            .is_some_and(|m| m.contains("新建账号")),
        "{v}"
    );
    assert_eq!(app.audit_rows().await, before);
    // A grid worker may become community staff (no more than a grid worker sees).
    let (_, list) = app.get(&admin, "/api/v1/users?q=wgy-liuan-3").await;
    let w = &list["items"][0];
    let liuan = app.node_id(&admin, "330199001001").await;
    let (s, v) = app
        .send(
            Method::PATCH,
            &admin,
            &format!("/api/v1/users/{}", w["id"]),
            json!({"role": "community_staff", "org_id": liuan, "version": w["version"]}),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    // A service account is no way round it: not with community staff's rights either.
    let (s, v) = app
        .send(
            Method::POST,
            &admin,
            "/api/v1/users",
            json!({"username": "bridge-1", "display_name": "对接", "role": "community_staff", "org_id": liuan, "service": true}),
        )
        .await;
    assert_eq!(
        (s, error_code(&v)),
        (StatusCode::BAD_REQUEST, Some("bad_service_role")),
        "{v}"
    );
}
