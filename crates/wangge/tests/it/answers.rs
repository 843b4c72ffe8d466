//! Every bad request gets one shape of answer (issue 15): under `/api/` the JSON error with a
//! Chinese message and a stable code, never a 5xx, never a dropped connection, never a
//! connection held open; bodies are held to their route's size and time; free text has one
//! rule; a ledger's rows keep the line a person sees, and a rejected row leaves nothing.

use crate::support::{TestApp, id_number};
use reqwest::{Method, StatusCode};
use sea_orm::ConnectionTrait;
use serde_json::{Value, json};
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

fn chinese(s: &str) -> bool {
    s.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c))
}

/// Asserts the answer is a JSON error with a code and a Chinese message; returns the code.
async fn json_error(r: reqwest::Response, what: &str) -> String {
    let status = r.status();
    assert!(!status.is_server_error(), "{what}: {status}");
    let kind = r
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    let body = r.text().await.unwrap_or_default();
    assert!(
        kind.starts_with("application/json"),
        "{what}: {status} {kind}: {body}"
    );
    let v: Value = serde_json::from_str(&body).unwrap_or(Value::Null);
    let code = v["error"]["code"].as_str().unwrap_or_default().to_owned();
    let message = v["error"]["message"].as_str().unwrap_or_default();
    assert!(
        !code.is_empty() && chinese(message),
        "{what}: {status} {body}"
    );
    code
}

/// Sends raw bytes and reads the whole answer (the server closes after it).
async fn raw(app: &TestApp, request: String) -> String {
    let mut sock = tokio::net::TcpStream::connect(app.addr)
        .await
        .expect("connect");
    sock.write_all(request.as_bytes()).await.expect("send");
    let mut out = Vec::new();
    let _ = tokio::time::timeout(Duration::from_secs(20), sock.read_to_end(&mut out)).await;
    String::from_utf8_lossy(&out).into_owned()
}

#[tokio::test]
async fn every_api_refusal_is_one_json_shape_and_nothing_fails() {
    let app = TestApp::spawn().await;
    let t = app.token("liuan-sj").await;
    let before = app.audit_rows().await;
    let bad_ids = [
        "abc",
        "-1",
        "99999999999999999999999",
        "%00",
        "1.5",
        "%E4%B8%AD",
    ];
    let bodies: [(&str, &str); 4] = [
        ("application/json", "not json"),
        (
            "application/json",
            "{\"title\": [1, 2], \"version\": \"x\", \"org_id\": \"a\"}",
        ),
        ("application/json", "[]"),
        ("text/plain", "\u{0}\u{1}binary"),
    ];
    let mut asked = 0;
    for path in wangge::app::route_paths(&app.state) {
        if !path.starts_with("/api/v1/") || path.ends_with("/logout") || path.ends_with("/login") {
            continue;
        }
        let mut urls = Vec::new();
        if path.contains('{') {
            for id in bad_ids {
                let mut u = path.clone();
                for p in ["{id}", "{code}", "{date}"] {
                    u = u.replace(p, id);
                }
                urls.push(u);
            }
        } else {
            urls.push(format!(
                "{path}?page=-1&per_page=abc&org=x&from=2026-13-40&status=%00&full=maybe&age=bogus"
            ));
            urls.push(format!("{path}?page=461168601842738790&per_page=40"));
        }
        for url in urls {
            for m in [
                Method::GET,
                Method::POST,
                Method::PATCH,
                Method::PUT,
                Method::DELETE,
            ] {
                let bodies: &[(&str, &str)] = if m == Method::GET {
                    &[("", "")]
                } else {
                    &bodies
                };
                for (kind, body) in bodies {
                    let mut rb = app
                        .client
                        .request(m.clone(), app.url(&url))
                        .bearer_auth(&t)
                        .timeout(Duration::from_secs(20));
                    if !kind.is_empty() {
                        rb = rb.header("content-type", *kind).body(*body);
                    }
                    let r = rb
                        .send()
                        .await
                        .expect("an answer, not a dropped connection");
                    asked += 1;
                    let what = format!("{m} {url} {kind}");
                    if r.status().is_success() {
                        continue;
                    }
                    json_error(r, &what).await;
                }
            }
        }
    }
    assert!(asked > 1000, "{asked}");
    assert_eq!(
        app.audit_rows().await,
        before,
        "no bad request wrote anything"
    );
    // Every route that takes a body refuses a terabyte announced, at once and in JSON.
    for path in wangge::app::route_paths(&app.state) {
        if !path.starts_with("/api/v1/") {
            continue;
        }
        let url = path
            .replace("{id}", "1")
            .replace("{code}", "WY03")
            .replace("{date}", "2027-01-01");
        for m in ["POST", "PATCH", "PUT"] {
            let started = Instant::now();
            let answer = raw(
                &app,
                format!(
                    "{m} {url} HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {t}\r\nContent-Type: application/json\r\nContent-Length: 1000000000000\r\nConnection: close\r\n\r\n"
                ),
            )
            .await;
            assert!(
                started.elapsed() < Duration::from_secs(5),
                "{m} {url} held the connection"
            );
            let status: u16 = answer.get(9..12).and_then(|s| s.parse().ok()).unwrap_or(0);
            assert!((400..500).contains(&status), "{m} {url}: {answer}");
            assert!(answer.contains("application/json"), "{m} {url}: {answer}");
        }
    }

    // The huge page number that once closed the connection.
    let r = app
        .call(
            Method::GET,
            &t,
            "/api/v1/cases?page=461168601842738790&per_page=40",
            None,
        )
        .await;
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    assert_eq!(json_error(r, "huge page").await, "invalid_input");
    // A path id that is not a number, a body that is not JSON, a method the route lacks.
    let r = app.call(Method::GET, &t, "/api/v1/cases/abc", None).await;
    assert_eq!(json_error(r, "path").await, "bad_path");
    let r = app
        .client
        .post(app.url("/api/v1/cases"))
        .bearer_auth(&t)
        .header("content-type", "application/json")
        .body("{")
        .send()
        .await
        .expect("post");
    assert_eq!(json_error(r, "json").await, "bad_json");
    let r = app.call(Method::DELETE, &t, "/api/v1/todo", None).await;
    assert_eq!(r.status(), StatusCode::METHOD_NOT_ALLOWED);
    assert!(
        r.headers().get("allow").is_some(),
        "the allowed methods still said"
    );
    assert_eq!(json_error(r, "method").await, "method_not_allowed");
    // The residents export, the API's route, answers a bad filter in JSON.
    let r = app
        .call(
            Method::GET,
            &t,
            "/api/v1/residents/export.xlsx?age=bogus",
            None,
        )
        .await;
    json_error(r, "export").await;
    // A page is refused in Chinese too, inside the layout.
    let mut b = crate::support::Browser::new(&app);
    b.login("liuan-sj").await;
    let (s, page) = b.get("/cases/abc").await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    assert!(
        page.contains("网址中的编号不正确") && page.contains("<nav"),
        "{page}"
    );
}

#[tokio::test]
async fn bodies_are_held_to_their_size_and_time_and_keys_to_ascii() {
    let app = TestApp::spawn_with(|c| c.body_idle = Duration::from_secs(1)).await;
    let t = app.token("liuan-sj").await;
    // A terabyte announced: refused at once, before a byte is read.
    let started = Instant::now();
    let answer = raw(
        &app,
        format!(
            "POST /api/v1/cases HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {t}\r\nContent-Type: application/json\r\nContent-Length: 1000000000000\r\nConnection: close\r\n\r\n"
        ),
    )
    .await;
    assert!(answer.starts_with("HTTP/1.1 413"), "{answer}");
    assert!(
        answer.contains("too_large") && answer.contains("16 MB"),
        "{answer}"
    );
    assert!(started.elapsed() < Duration::from_secs(3));
    // More than the route takes, though under another route's size.
    let answer = raw(
        &app,
        format!(
            "POST /api/v1/cases HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {t}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
            20 * 1024 * 1024
        ),
    )
    .await;
    assert!(answer.starts_with("HTTP/1.1 413"), "{answer}");
    // A body that stops coming is given up after the pause allowed.
    let started = Instant::now();
    let answer = raw(
        &app,
        format!(
            "POST /api/v1/cases HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {t}\r\nContent-Type: application/json\r\nContent-Length: 500\r\nConnection: close\r\n\r\n{{\"title\": \"半"
        ),
    )
    .await;
    assert!(answer.starts_with("HTTP/1.1 400"), "{answer}");
    assert!(answer.contains("bad_body"), "{answer}");
    assert!(
        started.elapsed() < Duration::from_secs(10),
        "{:?}",
        started.elapsed()
    );
    // An Idempotency-Key that is not ASCII is refused, not ignored.
    let admin = app.token("admin").await;
    let grid = app.node_id(&admin, "33019900100101").await;
    let cases = app.int("SELECT COUNT(*) FROM cases").await;
    for _ in 0..2 {
        let r = app
            .client
            .post(app.url("/api/v1/cases"))
            .bearer_auth(&t)
            .header(
                "idempotency-key",
                reqwest::header::HeaderValue::from_bytes("重试-1".as_bytes()).expect("bytes"),
            )
            .json(&json!({"title": "路灯不亮", "description": "东门路灯不亮", "org_id": grid}))
            .send()
            .await
            .expect("post");
        assert_eq!(r.status(), StatusCode::BAD_REQUEST);
        assert_eq!(json_error(r, "key").await, "bad_idempotency_key");
    }
    assert_eq!(
        app.int("SELECT COUNT(*) FROM cases").await,
        cases,
        "no case made"
    );
}

#[tokio::test]
async fn free_text_refuses_control_characters_everywhere() {
    let app = TestApp::spawn().await;
    let sj = app.token("liuan-sj").await;
    let admin = app.token("admin").await;
    let grid = app.node_id(&admin, "33019900100101").await;
    let before = app.audit_rows().await;
    for (who, method, path, body) in [
        (
            &sj,
            Method::POST,
            "/api/v1/cases".to_owned(),
            json!({"title": "路灯\u{0}不亮", "description": "东门", "org_id": grid}),
        ),
        (
            &sj,
            Method::POST,
            "/api/v1/cases".to_owned(),
            json!({"title": "路灯不亮", "description": "东门\u{7}", "org_id": grid}),
        ),
        (
            &sj,
            Method::POST,
            "/api/v1/cases".to_owned(),
            json!({"title": "路灯不亮", "description": "东门", "address": "东\u{1b}门", "org_id": grid}),
        ),
        (
            &admin,
            Method::PATCH,
            "/api/v1/categories/WY03".to_owned(),
            json!({"name": "楼道\u{0}堆物", "handler": "grid", "response": "4wh", "handling": "3wd"}),
        ),
        (
            &admin,
            Method::PUT,
            "/api/v1/calendar/2027-01-01".to_owned(),
            json!({"kind": "holiday", "name": "元\u{0}旦"}),
        ),
        (
            &admin,
            Method::POST,
            "/api/v1/tags".to_owned(),
            json!({"name": "低\u{0}保"}),
        ),
        (
            &admin,
            Method::POST,
            format!("/api/v1/org/nodes/{grid}/departments"),
            json!({"name": "物业", "kind": "物业公司", "duty": "管\u{0}理"}),
        ),
    ] {
        let (s, v) = app.send(method.clone(), who, &path, body.clone()).await;
        assert_eq!(s, StatusCode::BAD_REQUEST, "{method} {path} {body}: {v}");
        assert!(
            v["error"]["message"]
                .as_str()
                .is_some_and(|m| m.contains("控制字符")),
            "{v}"
        );
    }
    assert_eq!(app.audit_rows().await, before, "nothing written");
    // Line breaks in a description are kept.
    let (s, c) = app
        .send(
            Method::POST,
            &sj,
            "/api/v1/cases",
            json!({"title": "路灯不亮", "description": "东门路灯\r\n不亮\t三天", "org_id": grid}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{c}");
    assert_eq!(c["description"], "东门路灯\r\n不亮\t三天");
}

#[tokio::test]
async fn a_ledger_keeps_its_lines_its_stray_bytes_and_leaves_nothing_for_rejected_rows() {
    let app = TestApp::spawn().await;
    let sj = app.token("liuan-sj").await;
    let import = |body: Vec<u8>| {
        let app = &app;
        let sj = sj.clone();
        async move {
            let r = app
                .client
                .post(app.url("/api/v1/people/import"))
                .bearer_auth(&sj)
                .body(body)
                .send()
                .await
                .expect("import");
            let s = r.status();
            (s, r.json::<Value>().await.unwrap_or(Value::Null))
        }
    };
    let b = "33019900100101001";
    let ok = |seq: u32| id_number((1980, 1, 2), seq);
    let mut bad = ok(9);
    bad.replace_range(17..18, if bad.ends_with('1') { "2" } else { "1" });
    // Windows line endings, a blank line, a cell over two lines, a control character in the
    // first row, and the end-of-file mark old tools write.
    let csv = format!(
        "楼栋,房号,姓名,公民身份号码,备注\r\n\
         {b},8-101,王\u{1}一,{},\r\n\
         {b},8-102,王二,{},\r\n\
         \r\n\
         {b},8-103,王三,{bad},\r\n\
         {b},8-104,王四,{},\"两行\r\n的备注\"\r\n\
         {b},8-105,王五,{bad},\r\n",
        ok(1),
        ok(2),
        ok(4),
    );
    // A row the writer refuses (the number is 赵七's, the name another): no household either.
    let gw = app.token("wgy-liuan-1").await;
    let first = app.building_in("33019900100101").await;
    app.household_with_head(&gw, first, "赵七", &ok(7), json!({}))
        .await;
    let csv = format!("{csv}{b},8-106,李七,{},\r\n\u{1a}", ok(7));
    let households = app.int("SELECT COUNT(*) FROM households").await;
    let (s, report) = import(csv.into_bytes()).await;
    assert_eq!(s, StatusCode::OK, "{report}");
    let lines: Vec<u64> = report["errors"]
        .as_array()
        .expect("errors")
        .iter()
        .filter_map(|e| e["line"].as_u64())
        .collect();
    assert_eq!(
        lines,
        [2, 5, 8, 9],
        "the lines a person sees in the file: {report}"
    );
    assert_eq!(
        (report["inserted"].as_u64(), report["rejected"].as_u64()),
        (Some(2), Some(4)),
        "{report}"
    );
    assert_eq!(
        app.int("SELECT COUNT(*) FROM households WHERE room = '8-106'")
            .await,
        0
    );
    assert_eq!(
        app.int("SELECT COUNT(*) FROM households").await,
        households + 2,
        "households for the two rows that went in, none for the rejected"
    );
    assert_eq!(report["households_created"].as_u64(), Some(2));
    // Not a spreadsheet at all is still refused as a whole.
    for file in [
        b"%PDF-1.7 whatever".to_vec(),
        vec![0u8, 1, 2, 3],
        Vec::new(),
    ] {
        let (s, v) = import(file).await;
        assert_eq!(s, StatusCode::BAD_REQUEST, "{v}");
    }
}

/// A small file system of its own (tmpfs), unmounted when dropped; `None` where this process
/// may not mount one.
struct SmallDisk {
    path: std::path::PathBuf,
}

impl SmallDisk {
    fn mount(megabytes: u32) -> Option<SmallDisk> {
        let path = std::env::temp_dir().join(format!(
            "wangge-disk-{}",
            &wangge::infra::tokens::random_token().ok()?[..12]
        ));
        std::fs::create_dir_all(&path).ok()?;
        let ok = std::process::Command::new("mount")
            .args(["-t", "tmpfs", "-o", &format!("size={megabytes}m"), "tmpfs"])
            .arg(&path)
            .status()
            .is_ok_and(|s| s.success());
        if !ok {
            return None;
        }
        let disk = SmallDisk { path };
        // Mounted and writable, or no use.
        let probe = disk.path.join("probe");
        std::fs::write(&probe, b"x").ok()?;
        std::fs::remove_file(&probe).ok()?;
        Some(disk)
    }

    /// Fills the disk but for `spare` bytes; returns the filler's path.
    fn fill(&self, spare: u64) -> std::path::PathBuf {
        use std::io::Write;
        let filler = self.path.join("filler");
        let mut f = std::fs::File::create(&filler).expect("filler");
        let block = vec![0u8; 64 * 1024];
        while f.write_all(&block).is_ok() {}
        let _ = f.flush();
        let len = std::fs::metadata(&filler).map(|m| m.len()).unwrap_or(0);
        let _ = f.set_len(len.saturating_sub(spare));
        filler
    }
}

impl Drop for SmallDisk {
    fn drop(&mut self) {
        let _ = std::process::Command::new("umount")
            .arg("-l")
            .arg(&self.path)
            .status();
        let _ = std::fs::remove_dir(&self.path);
    }
}

/// A report of `words` to the grid under `key`, and the answer (JSON, or null).
async fn report_under(
    app: &TestApp,
    token: &str,
    key: String,
    grid: i64,
    words: String,
) -> (StatusCode, Value) {
    let r = app
        .client
        .post(app.url("/api/v1/cases"))
        .bearer_auth(token)
        .header("idempotency-key", &key)
        .json(&json!({"title": format!("满盘测试 {key}"), "description": words, "org_id": grid}))
        .send()
        .await
        .expect("an answer");
    let s = r.status();
    (s, r.json().await.unwrap_or(Value::Null))
}

/// A household added to the building through a form's API (a write through the pool).
async fn add_room(app: &TestApp, token: &str, building: i64, room: &str) -> (StatusCode, Value) {
    app.send(
        Method::POST,
        token,
        "/api/v1/households",
        json!({"building_id": building, "room": room}),
    )
    .await
}

/// What `/healthz` answers.
async fn health(app: &TestApp) -> StatusCode {
    app.client
        .get(app.url("/healthz"))
        .send()
        .await
        .expect("health")
        .status()
}

/// The full disk of issue 15: while the database's disk is full, a report is refused with 503
/// and never acknowledged unless kept; reads go on; when space returns, writes resume by
/// themselves; and every acknowledged report is in the database afterwards. SQLite only (a
/// PostgreSQL server's disk is not this process's to fill: see the README).
#[tokio::test]
async fn a_full_disk_acknowledges_only_what_it_keeps_and_writes_resume() {
    if std::env::var("WANGGE_TEST_POSTGRES_URL").is_ok_and(|u| !u.is_empty()) {
        return;
    }
    let Some(disk) = SmallDisk::mount(24) else {
        eprintln!("SKIPPED a_full_disk…: this process cannot mount a tmpfs (needs root)");
        return;
    };
    let dir = tempfile::tempdir_in(&disk.path).expect("dir");
    let app = TestApp::spawn_in(dir, |_| {}).await;
    let sj = app.token("liuan-sj").await;
    let gw = app.token("wgy-liuan-1").await;
    let admin = app.token("admin").await;
    let grid = app.node_id(&admin, "33019900100101").await;
    let words = "磁盘写满时上报的问题，内容写得长一些以便占用空间".repeat(20);
    let report = |k: usize| report_under(&app, &sj, format!("disk-{k}"), grid, words.clone());
    let mut acknowledged: Vec<i64> = Vec::new();
    for k in 0..5 {
        let (s, v) = report(k).await;
        assert_eq!(s, StatusCode::CREATED, "{v}");
        acknowledged.push(v["id"].as_i64().expect("id"));
    }
    let filler = disk.fill(0);
    let mut refused = 0;
    for k in 5..60 {
        let (s, v) = report(k).await;
        match s {
            StatusCode::CREATED | StatusCode::OK => {
                acknowledged.push(v["id"].as_i64().expect("id"))
            }
            StatusCode::SERVICE_UNAVAILABLE => {
                assert_eq!(v["error"]["code"], "storage_unavailable", "{v}");
                assert!(
                    v["error"]["message"]
                        .as_str()
                        .is_some_and(|m| m.contains("存储空间已满")),
                    "{v}"
                );
                refused += 1;
            }
            other => panic!("a report on a full disk answered {other}: {v}"),
        }
    }
    assert!(
        refused > 40,
        "the full disk refused reports ({refused} of 55)"
    );
    // Reads go on; the health check says writes fail.
    let (s, _) = app.get(&sj, "/api/v1/cases?per_page=5").await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(health(&app).await, StatusCode::SERVICE_UNAVAILABLE);
    // A form's write through the pool is refused the same way.
    let building = app.building_in("33019900100101").await;
    let (s, v) = add_room(&app, &gw, building, "满-1").await;
    assert!(
        matches!(s, StatusCode::SERVICE_UNAVAILABLE | StatusCode::CREATED),
        "{s} {v}"
    );
    // Space returns: writes resume by themselves.
    std::fs::remove_file(&filler).expect("free the disk");
    tokio::time::sleep(Duration::from_millis(2_100)).await;
    for k in 60..70 {
        let (s, v) = report(k).await;
        assert_eq!(s, StatusCode::CREATED, "after space returned: {v}");
        acknowledged.push(v["id"].as_i64().expect("id"));
    }
    assert_eq!(health(&app).await, StatusCode::OK);
    let (s, v) = add_room(&app, &gw, building, "满-2").await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    // Every acknowledged report is there, seen from a new connection.
    let fresh = wangge::infra::db::connect(&app.url, None)
        .await
        .expect("connect");
    for id in &acknowledged {
        let row = fresh
            .query_one_raw(sea_orm::Statement::from_string(
                sea_orm::DbBackend::Sqlite,
                format!("SELECT COUNT(*) AS n FROM cases WHERE id = {id}"),
            ))
            .await
            .expect("query")
            .expect("row");
        assert_eq!(
            row.try_get::<i64>("", "n").expect("n"),
            1,
            "acknowledged case {id} kept"
        );
    }
    fresh.close().await.ok();
}

/// What a full disk does on PostgreSQL, as far as a test can make one: the server refuses each
/// write with SQLSTATE 53100 (`disk_full`; here raised by a trigger, as PostgreSQL raises it when
/// it cannot extend a file). A report and a form are answered 503 `storage_unavailable` and
/// nothing is acknowledged; reads go on; `/healthz` says writes fail; once the server takes
/// writes again, they resume by themselves. (A full WAL disk stops the PostgreSQL server itself:
/// that is its operator's, see the README.)
#[tokio::test]
async fn a_postgresql_disk_full_refusal_is_503_and_writes_resume() {
    if !std::env::var("WANGGE_TEST_POSTGRES_URL").is_ok_and(|u| !u.is_empty()) {
        return;
    }
    let app = TestApp::spawn().await;
    let sj = app.token("liuan-sj").await;
    let gw = app.token("wgy-liuan-1").await;
    let admin = app.token("admin").await;
    let grid = app.node_id(&admin, "33019900100101").await;
    let building = app.building_in("33019900100101").await;
    let count = || async {
        app.db
            .query_one_raw(sea_orm::Statement::from_string(
                sea_orm::DbBackend::Postgres,
                "SELECT COUNT(*) AS n FROM cases",
            ))
            .await
            .expect("count")
            .expect("row")
            .try_get::<i64>("", "n")
            .expect("n")
    };
    let report = |k: usize| {
        report_under(
            &app,
            &sj,
            format!("pg-full-{k}"),
            grid,
            "数据库磁盘满时上报的问题".into(),
        )
    };
    let (s, v) = report(0).await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    app.db
        .execute_unprepared(
            "CREATE FUNCTION full_disk() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN \
             RAISE EXCEPTION '模拟：磁盘已满' USING ERRCODE = '53100'; END $$; \
             CREATE TRIGGER full_cases BEFORE INSERT OR UPDATE ON cases \
             FOR EACH STATEMENT EXECUTE FUNCTION full_disk(); \
             CREATE TRIGGER full_households BEFORE INSERT OR UPDATE ON households \
             FOR EACH STATEMENT EXECUTE FUNCTION full_disk(); \
             CREATE TRIGGER full_settings BEFORE INSERT OR UPDATE ON settings \
             FOR EACH STATEMENT EXECUTE FUNCTION full_disk();",
        )
        .await
        .expect("the disk fills");
    let before = count().await;
    for k in 1..6 {
        let (s, v) = report(k).await;
        assert_eq!(s, StatusCode::SERVICE_UNAVAILABLE, "{v}");
        assert_eq!(v["error"]["code"], "storage_unavailable", "{v}");
        assert!(
            v["error"]["message"]
                .as_str()
                .is_some_and(|m| m.contains("存储空间已满")),
            "{v}"
        );
    }
    let (s, v) = add_room(&app, &gw, building, "满-1").await;
    assert_eq!(s, StatusCode::SERVICE_UNAVAILABLE, "{v}");
    assert_eq!(v["error"]["code"], "storage_unavailable", "{v}");
    assert_eq!(
        count().await,
        before,
        "nothing was kept, nothing acknowledged"
    );
    let (s, _) = app.get(&sj, "/api/v1/cases?per_page=5").await;
    assert_eq!(s, StatusCode::OK, "reads go on");
    // The health check's write is cached for 2 s.
    tokio::time::sleep(Duration::from_millis(2_100)).await;
    assert_eq!(health(&app).await, StatusCode::SERVICE_UNAVAILABLE);
    app.db
        .execute_unprepared("DROP FUNCTION full_disk() CASCADE")
        .await
        .expect("space returns");
    tokio::time::sleep(Duration::from_millis(2_100)).await;
    assert_eq!(health(&app).await, StatusCode::OK);
    for k in 1..4 {
        let (s, v) = report(k).await;
        assert_eq!(
            s,
            StatusCode::CREATED,
            "the same key, retried once the disk has room: {v}"
        );
    }
    assert_eq!(count().await, before + 3);
}

/// A backup made while reports pour in holds every report acknowledged before it began, passes
/// the integrity check, and restores in place of the database only while no server runs.
#[tokio::test]
async fn a_backup_during_intake_holds_what_was_acknowledged_and_restores() {
    let app = TestApp::spawn().await;
    if app.schema.is_some() {
        let err = wangge::infra::db::backup::backup_to(&app.state.db, &app.data_dir().join("x.db"))
            .await
            .expect_err("PostgreSQL backs up with its own tools");
        assert!(err.to_string().contains("pg_dump"), "{err}");
        return;
    }
    let sj = app.token("liuan-sj").await;
    let admin = app.token("admin").await;
    let grid = app.node_id(&admin, "33019900100101").await;
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let mut writers = Vec::new();
    for w in 0..4 {
        let (client, url, token, stop) = (
            app.client.clone(),
            app.url("/api/v1/cases"),
            sj.clone(),
            stop.clone(),
        );
        writers.push(tokio::spawn(async move {
            let mut acked: Vec<(Instant, i64)> = Vec::new();
            let mut k = 0;
            while !stop.load(std::sync::atomic::Ordering::Relaxed) && k < 400 {
                k += 1;
                let r = client
                    .post(&url)
                    .bearer_auth(&token)
                    .json(&json!({"title": format!("备份期间上报 {w}-{k}"), "description": "备份时仍在上报", "org_id": grid}))
                    .send()
                    .await
                    .expect("post");
                assert_eq!(r.status(), StatusCode::CREATED);
                let v: Value = r.json().await.expect("json");
                acked.push((Instant::now(), v["id"].as_i64().expect("id")));
            }
            acked
        }));
    }
    tokio::time::sleep(Duration::from_millis(400)).await;
    let file = app.data_dir().join("during.db");
    let began = Instant::now();
    wangge::infra::db::backup::backup_to(&app.state.db, &file)
        .await
        .expect("backup");
    tokio::time::sleep(Duration::from_millis(200)).await;
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    let mut before = Vec::new();
    let mut after = 0;
    for w in writers {
        for (at, id) in w.await.expect("writer") {
            if at < began {
                before.push(id);
            } else {
                after += 1;
            }
        }
    }
    assert!(
        before.len() > 10 && after > 0,
        "{} before, {after} after",
        before.len()
    );
    assert!(
        wangge::infra::db::backup::check_file(&file)
            .await
            .expect("sound")
            > 5
    );
    let copy = wangge::infra::db::connect(&format!("sqlite://{}", file.display()), None)
        .await
        .expect("open the copy");
    let list = before
        .iter()
        .map(i64::to_string)
        .collect::<Vec<_>>()
        .join(",");
    let row = copy
        .query_one_raw(sea_orm::Statement::from_string(
            sea_orm::DbBackend::Sqlite,
            format!("SELECT COUNT(*) AS n FROM cases WHERE id IN ({list})"),
        ))
        .await
        .expect("query")
        .expect("row");
    assert_eq!(
        row.try_get::<i64>("", "n").expect("n") as usize,
        before.len(),
        "every acknowledged report"
    );
    copy.close().await.ok();

    // Restoring: refused while the server runs on the data directory, refused for a file that
    // is no database; into a stopped one, the old database is kept beside the restored one.
    let cli = |dir: &std::path::Path, args: &[&str]| {
        std::process::Command::new(env!("CARGO_BIN_EXE_wangge"))
            .args(args)
            .arg("--data-dir")
            .arg(dir)
            .env_remove("WANGGE_DATABASE_URL")
            .env("WANGGE_LOG", "warn")
            .output()
            .expect("run wangge")
    };
    let say = |o: &std::process::Output| {
        format!(
            "{}{}",
            String::from_utf8_lossy(&o.stdout),
            String::from_utf8_lossy(&o.stderr)
        )
    };
    let o = cli(app.data_dir(), &["restore", file.to_str().expect("path")]);
    assert!(
        !o.status.success() && say(&o).contains("正被运行中的服务使用"),
        "{}",
        say(&o)
    );
    let o = cli(app.data_dir(), &["backup", file.to_str().expect("path")]);
    assert!(
        !o.status.success() && say(&o).contains("已存在"),
        "{}",
        say(&o)
    );
    let elsewhere = tempfile::tempdir().expect("dir");
    std::fs::write(elsewhere.path().join("wangge.db"), b"an old database").expect("old");
    let junk = elsewhere.path().join("junk.db");
    std::fs::write(&junk, b"not a database at all").expect("junk");
    let o = cli(elsewhere.path(), &["restore", junk.to_str().expect("path")]);
    assert!(!o.status.success(), "{}", say(&o));
    let o = cli(elsewhere.path(), &["restore", file.to_str().expect("path")]);
    assert!(o.status.success(), "{}", say(&o));
    let kept: Vec<String> = std::fs::read_dir(elsewhere.path())
        .expect("dir")
        .filter_map(|e| e.ok()?.file_name().into_string().ok())
        .collect();
    assert!(
        kept.iter()
            .any(|n| n.starts_with("wangge.db.before-restore-")),
        "{kept:?}"
    );
    assert_eq!(
        wangge::infra::db::backup::check_file(&elsewhere.path().join("wangge.db"))
            .await
            .expect("sound"),
        wangge::infra::db::backup::check_file(&file)
            .await
            .expect("sound")
    );
    // A 0-byte file left where a database was is not taken for a new install.
    let empty = tempfile::tempdir().expect("dir");
    std::fs::write(empty.path().join("wangge.db"), b"").expect("empty");
    let o = cli(empty.path(), &["migrate"]);
    assert!(
        !o.status.success() && say(&o).contains("0 字节"),
        "{}",
        say(&o)
    );
    // A damaged file is refused at start.
    let broken = tempfile::tempdir().expect("dir");
    let db = broken.path().join("wangge.db");
    std::fs::copy(&file, &db).expect("copy");
    let mut bytes = std::fs::read(&db).expect("read");
    let at = bytes.len() / 2;
    for b in &mut bytes[at..at + 8192] {
        *b = 0xA5;
    }
    std::fs::write(&db, bytes).expect("write");
    let o = cli(broken.path(), &["migrate"]);
    assert!(!o.status.success(), "{}", say(&o));
    assert!(say(&o).contains("wangge restore"), "{}", say(&o));
}

#[tokio::test]
async fn the_server_backs_up_on_its_schedule_and_keeps_the_newest() {
    let app = TestApp::spawn_with(|c| {
        c.backups = Some(wangge::infra::config::Backups {
            dir: c.data_dir.join("backups"),
            every: Duration::from_millis(300),
            keep: 2,
        });
    })
    .await;
    if app.schema.is_some() {
        return;
    }
    let dir = app.data_dir().join("backups");
    let until = Instant::now() + Duration::from_secs(20);
    let files = loop {
        let mut files: Vec<std::path::PathBuf> = std::fs::read_dir(&dir)
            .map(|d| d.filter_map(|e| e.ok().map(|e| e.path())).collect())
            .unwrap_or_default();
        files.sort();
        if files.len() == 2 && Instant::now() + Duration::from_secs(19) > until {
            break files;
        }
        assert!(Instant::now() < until, "{files:?}");
        tokio::time::sleep(Duration::from_millis(200)).await;
    };
    for f in &files {
        // One may have been pruned since the listing; those still there are whole.
        if f.exists() {
            assert!(
                wangge::infra::db::backup::check_file(f)
                    .await
                    .expect("sound")
                    > 5,
                "{}",
                f.display()
            );
        }
    }
}

/// A database it cannot write is refused at start with a clear message (it once started, said
/// it was healthy, and failed every write, even a login).
#[test]
fn a_database_that_cannot_be_written_is_refused_at_start() {
    if std::env::var("WANGGE_TEST_POSTGRES_URL").is_ok_and(|u| !u.is_empty()) {
        return;
    }
    let Some(disk) = SmallDisk::mount(16) else {
        eprintln!("SKIPPED a_database_that_cannot_be_written…: cannot mount a tmpfs (needs root)");
        return;
    };
    let run = |args: &[&str]| {
        std::process::Command::new(env!("CARGO_BIN_EXE_wangge"))
            .args(args)
            .arg("--data-dir")
            .arg(&disk.path)
            .env_remove("WANGGE_DATABASE_URL")
            .env("WANGGE_LOG", "warn")
            .output()
            .expect("run wangge")
    };
    let o = run(&["migrate"]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let ro = std::process::Command::new("mount")
        .args(["-o", "remount,ro"])
        .arg(&disk.path)
        .output()
        .expect("remount");
    assert!(
        ro.status.success(),
        "remount read-only: {}",
        String::from_utf8_lossy(&ro.stderr)
    );
    let o = run(&["migrate"]);
    let said = String::from_utf8_lossy(&o.stderr).into_owned();
    assert!(!o.status.success(), "{said}");
    assert!(said.contains("无法写入") || said.contains("只读"), "{said}");
}
