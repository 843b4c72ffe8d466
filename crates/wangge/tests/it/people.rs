//! The people registry: personal data sealed at rest.

use crate::support::TestApp;
use wangge::infra::vault::{Field, key_file};

#[tokio::test]
async fn the_data_key_is_made_on_first_start_private_and_kept() {
    let app = TestApp::spawn().await;
    let path = key_file(app.data_dir());
    let key = std::fs::read_to_string(&path).expect("the first start writes the key file");
    assert_eq!(key.trim().len(), 64);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&path).expect("meta").permissions().mode();
        assert_eq!(mode & 0o077, 0, "only the owner may read the key");
    }
    let sealed = app
        .state
        .vault
        .seal(Field::IdNumber, "11010519491231002X")
        .expect("seal");
    // A second server on the same data directory uses the same key.
    app.restart().await;
    assert_eq!(std::fs::read_to_string(&path).expect("kept"), key);
    let again = wangge::infra::vault::Vault::load(app.data_dir(), None).expect("load");
    assert_eq!(
        again.unseal(Field::IdNumber, &sealed).expect("opens"),
        "11010519491231002X"
    );
    assert_eq!(
        again.blind(Field::IdNumber, "11010519491231002X"),
        app.state.vault.blind(Field::IdNumber, "11010519491231002X")
    );
}

use crate::support::{Browser, csrf_of};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use wangge_core::people::make_id;

/// A valid ID number for a birth date and sequence (odd = man).
fn id(birth: &str, seq: u32) -> String {
    let d = chrono::NaiveDate::parse_from_str(birth, "%Y-%m-%d").expect("date");
    make_id("330106", d, seq).expose().to_owned()
}

/// The ID number with a wrong check digit.
fn bad_check(good: &str) -> String {
    let last = good.chars().last().expect("18 chars");
    let other = if last == '0' { '1' } else { '0' };
    format!("{}{other}", &good[..17])
}

async fn count(app: &TestApp, table: &str) -> i64 {
    use sea_orm::ConnectionTrait;
    let row = app
        .db
        .query_one_raw(sea_orm::Statement::from_string(
            app.db.get_database_backend(),
            format!("SELECT COUNT(*) AS n FROM {table}"),
        ))
        .await
        .expect("count")
        .expect("row");
    row.try_get::<i64>("", "n").expect("n")
}

/// Every text the database holds in a table, for checking that a value is not stored in the
/// clear.
async fn dump(app: &TestApp, table: &str) -> String {
    use sea_orm::ConnectionTrait;
    let rows = app
        .db
        .query_all_raw(sea_orm::Statement::from_string(
            app.db.get_database_backend(),
            format!("SELECT * FROM {table}"),
        ))
        .await
        .expect("dump");
    format!("{rows:?}")
}

async fn building_of(app: &TestApp, token: &str, grid_code: &str) -> i64 {
    let admin = app.token("admin").await;
    let grid = app.node_id(&admin, grid_code).await;
    let (s, v) = app
        .get(token, &format!("/api/v1/org/nodes/{grid}/buildings"))
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    v[0]["id"].as_i64().expect("a building")
}

#[tokio::test]
async fn residents_are_sealed_masked_found_and_revealed_only_with_an_audit() {
    let app = TestApp::spawn().await;
    let gw = app.token("wgy-liuan-1").await;
    let b = building_of(&app, &gw, "33019900100101").await;
    let (s, h) = app
        .send(
            Method::POST,
            &gw,
            "/api/v1/households",
            json!({"building_id": b, "room": "2-301", "kind": "出租"}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{h}");
    let hid = h["household"]["id"].as_i64().expect("id");
    assert!(
        h["household"]["address"]
            .as_str()
            .expect("address")
            .contains("2-301")
    );

    let born = crate::support::born_years_ago(68);
    let zid = id(&born, 11);
    let (s, r) = app
        .send(
            Method::POST,
            &gw,
            "/api/v1/residents",
            json!({"household_id": hid, "name": "张三丰", "id_number": zid, "phone": "13800135678",
                   "relation": "户主", "political": "中共党员", "tags": "独居老人、退役军人"}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{r}");
    let rid = r["id"].as_i64().expect("id");
    assert_eq!(
        r["id_number"],
        format!("{}********{}", &zid[..6], &zid[14..])
    );
    assert_eq!(r["phone"], "138****5678");
    assert_eq!(r["birth_date"], born.as_str(), "read from the ID number");
    assert_eq!(r["gender"], "男");

    // Neither the table nor the audit log holds the number in the clear.
    let stored = dump(&app, "residents").await;
    assert!(!stored.contains(&zid) && !stored.contains("13800135678"));
    let audit = dump(&app, "audit_log").await;
    assert!(!audit.contains(&zid) && !audit.contains("13800135678"));

    // Found by name, pinyin initials, ID or phone tail, whole ID, whole phone, address.
    for q in [
        "张三".to_owned(),
        "zsf".to_owned(),
        zid[14..].to_owned(),
        "5678".to_owned(),
        zid.clone(),
        "138 0013 5678".to_owned(),
        "2-301".to_owned(),
    ] {
        let (s, v) = app
            .get(
                &gw,
                &format!("/api/v1/residents?q={}", wangge::web::urlencode(&q)),
            )
            .await;
        assert_eq!(s, StatusCode::OK, "{q}: {v}");
        assert!(
            v["items"]
                .as_array()
                .expect("items")
                .iter()
                .any(|x| x["id"] == rid),
            "{q} finds him: {v}"
        );
        let text = v.to_string();
        assert!(
            !text.contains(&zid) && !text.contains("13800135678"),
            "{q}: masked"
        );
    }
    let (_, v) = app
        .get(&gw, "/api/v1/residents?tag=独居老人&age=senior&party=true")
        .await;
    assert!(
        v["items"]
            .as_array()
            .expect("items")
            .iter()
            .any(|x| x["id"] == rid)
    );
    let (_, v) = app.get(&gw, "/api/v1/residents?q=zsx").await;
    assert_eq!(v["total"], 0);

    // Another grid's worker sees nothing of him; a resident cannot look at all.
    let other = app.token("wgy-liuan-2").await;
    let (s, _) = app.get(&other, &format!("/api/v1/residents/{rid}")).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let (_, v) = app.get(&other, "/api/v1/residents?q=zsf").await;
    assert_eq!(v["total"], 0);
    let jm = app.token("jm-liuan").await;
    let (s, _) = app.get(&jm, "/api/v1/residents").await;
    assert_eq!(s, StatusCode::FORBIDDEN);

    // The full values: only for roles that may, and every view is written down.
    let staff = app.token("liuan-gz").await;
    let r = app
        .call(
            Method::POST,
            &staff,
            &format!("/api/v1/residents/{rid}/reveal"),
            None,
        )
        .await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN, "community staff may not");
    let before = app.audit_rows().await;
    let r = app
        .call(
            Method::POST,
            &gw,
            &format!("/api/v1/residents/{rid}/reveal"),
            None,
        )
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(
        r.headers()
            .get("cache-control")
            .and_then(|v| v.to_str().ok()),
        Some("no-store")
    );
    let v: Value = r.json().await.expect("json");
    assert_eq!(v["id_number"], zid.as_str());
    assert_eq!(v["phone"], "13800135678");
    assert_eq!(app.audit_rows().await, before + 1);
    let (_, log) = app
        .get(&app.token("admin").await, "/api/v1/audit?action=reveal")
        .await;
    let entry = log["items"]
        .as_array()
        .and_then(|a| a.iter().find(|e| e["entity_id"] == rid))
        .cloned()
        .unwrap_or_else(|| panic!("a reveal entry: {log}"));
    assert_eq!(entry["actor"], "wgy-liuan-1");
    assert!(
        entry["summary"]
            .as_str()
            .expect("summary")
            .contains("张三丰")
    );
    assert!(!log.to_string().contains(&zid));

    // Bad input: a clear message each, nothing written.
    let residents = count(&app, "residents").await;
    let audits = app.audit_rows().await;
    let cases: [(Value, &str, &str); 7] = [
        (
            json!({"name": "李四", "id_number": bad_check(&id("1990-01-02", 21))}),
            "invalid_input",
            "校验",
        ),
        (
            json!({"name": "李四", "id_number": id("1990-01-02", 21), "birth_date": "1990-01-03"}),
            "invalid_input",
            "不一致",
        ),
        (
            json!({"name": "李四", "id_number": id("1990-01-02", 21), "gender": "女"}),
            "invalid_input",
            "不一致",
        ),
        (
            json!({"name": "李四", "id_number": id("1990-01-02", 21), "ethnicity": "火星族"}),
            "invalid_input",
            "民族",
        ),
        (
            json!({"name": "李四", "id_number": zid}),
            "id_taken",
            "另一人",
        ),
        (
            json!({"name": "李四", "id_number": id("1990-01-02", 21), "relation": "户主"}),
            "two_heads",
            "户主",
        ),
        (
            json!({"name": "李四", "id_number": id("1990-01-02", 21), "tags": "外星人"}),
            "unknown_tag",
            "标签",
        ),
    ];
    for (mut body, code, words) in cases {
        body["household_id"] = json!(hid);
        let (s, v) = app
            .send(Method::POST, &gw, "/api/v1/residents", body.clone())
            .await;
        assert!(s.is_client_error(), "{body}: {s} {v}");
        assert_eq!(v["error"]["code"], code, "{body}: {v}");
        assert!(
            v["error"]["message"]
                .as_str()
                .expect("message")
                .contains(words),
            "{v}"
        );
    }
    assert_eq!(count(&app, "residents").await, residents);
    assert_eq!(app.audit_rows().await, audits);

    // A head who is not a member of the household is refused.
    let (_, h2) = app
        .send(
            Method::POST,
            &gw,
            "/api/v1/households",
            json!({"building_id": b, "room": "2-302"}),
        )
        .await;
    let h2 = h2["household"]["id"].as_i64().expect("id");
    let (s, v) = app
        .send(
            Method::PATCH,
            &gw,
            &format!("/api/v1/households/{h2}"),
            json!({"room": "2-302", "head_id": rid}),
        )
        .await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    assert_eq!(v["error"]["code"], "head_not_member");

    // A move to the other household is kept in the history, and he heads nothing any more.
    let (s, v) = app
        .send(
            Method::POST,
            &gw,
            &format!("/api/v1/residents/{rid}/move"),
            json!({"kind": "transfer", "to_household": h2, "relation": "户主", "reason": "换房"}),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let (_, v) = app.get(&gw, &format!("/api/v1/households/{hid}")).await;
    assert!(v["household"]["head_id"].is_null(), "{v}");
    let (_, v) = app.get(&gw, &format!("/api/v1/households/{h2}")).await;
    assert_eq!(v["household"]["head_id"], rid);
    let (s, v) = app
        .send(
            Method::POST,
            &gw,
            &format!("/api/v1/residents/{rid}/move"),
            json!({"kind": "out", "reason": "迁往外省"}),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["status"], "moved_out");
    let (_, v) = app.get(&gw, &format!("/api/v1/residents/{rid}")).await;
    let kinds: Vec<&str> = v["moves"]
        .as_array()
        .expect("moves")
        .iter()
        .filter_map(|m| m["kind"].as_str())
        .collect();
    assert_eq!(kinds, ["out", "transfer", "in"]);
    let (_, v) = app.get(&gw, "/api/v1/residents?q=zsf").await;
    assert_eq!(v["total"], 0, "not in the active list");
    let (_, v) = app
        .get(&gw, "/api/v1/residents?q=zsf&status=moved_out")
        .await;
    assert_eq!(v["total"], 1, "kept where he last lived");
}

fn ledger(rows: &[String]) -> String {
    let mut s = String::from(
        "楼栋,房号,房屋类型,与户主关系,姓名,性别,民族,公民身份号码,出生日期,联系电话,人口类型,政治面貌,工作单位,标签,备注\n",
    );
    for r in rows {
        s.push_str(r);
        s.push('\n');
    }
    s
}

async fn import(app: &TestApp, token: &str, body: Vec<u8>) -> (StatusCode, Value) {
    let r = app
        .client
        .post(app.url("/api/v1/people/import"))
        .bearer_auth(token)
        .body(body)
        .send()
        .await
        .expect("import");
    let s = r.status();
    (s, r.json().await.unwrap_or(Value::Null))
}

#[tokio::test]
async fn a_ledger_imports_row_by_row_and_again_changes_nothing() {
    let app = TestApp::spawn().await;
    let sj = app.token("liuan-sj").await;
    let (a, b2) = (id("1970-05-06", 31), id("1972-08-09", 42));
    let kid = id("2012-02-29", 51);
    let good = vec![
        format!(
            "33019900100101001,1-101,自住,户主,王建国,男,汉族,{a},1970-05-06,13912345678,户籍,中共党员,=HYPERLINK(\"http://x\"),退役军人,"
        ),
        format!("33019900100101001,1-101,,配偶,李秀英,,,{b2},,,,,,,"),
        format!(
            "柳岸社区/1幢,1-101,,子,王小明,男,汉族,{kid},2012/2/29,,户籍,,明湖实验学校,留守儿童,"
        ),
    ];
    let mut rows = good.clone();
    rows.extend([
        format!(
            "33019900100101001,1-102,,户主,赵六,男,汉族,{},,,,,,,",
            bad_check(&id("1980-01-01", 61))
        ),
        format!(
            "99999,1-102,,户主,钱七,男,汉族,{},,,,,,,",
            id("1981-01-01", 71)
        ),
        format!(
            "33019900100101001,1-103,,户主,孙八,女,汉族,{},1990-01-01,,,,,,",
            id("1985-01-01", 82)
        ),
        format!("33019900100101001,1-104,,户主,王建国,男,汉族,{a},,,,,,,"),
        format!(
            "33019900100101001,1-105,,户主,周九,男,汉族,{},,,,,,外星人,",
            id("1975-01-01", 91)
        ),
        format!(
            "33019900100101001,1-101,,户主,吴十,男,汉族,{},,,,,,,",
            id("1966-01-01", 13)
        ),
    ]);
    let file = ledger(&rows);
    let (s, r) = import(&app, &sj, file.clone().into_bytes()).await;
    assert_eq!(s, StatusCode::OK, "{r}");
    assert_eq!(
        (
            r["rows"].as_u64(),
            r["inserted"].as_u64(),
            r["rejected"].as_u64()
        ),
        (Some(9), Some(3), Some(6)),
        "{r}"
    );
    assert_eq!(r["households_created"], 1);
    let reasons: Vec<(u64, String)> = r["errors"]
        .as_array()
        .expect("errors")
        .iter()
        .map(|e| {
            (
                e["line"].as_u64().unwrap_or(0),
                e["reason"].as_str().unwrap_or("").to_owned(),
            )
        })
        .collect();
    let expect = [
        (5, "校验"),
        (6, "未知的楼栋"),
        (7, "不一致"),
        (8, "重复"),
        (9, "标签"),
        (10, "户主"),
    ];
    for (line, words) in expect {
        assert!(
            reasons.iter().any(|(l, m)| *l == line && m.contains(words)),
            "line {line} is refused for {words}: {reasons:?}"
        );
    }
    // The same file again changes nothing.
    let audits = app.audit_rows().await;
    let (_, r2) = import(&app, &sj, file.into_bytes()).await;
    assert_eq!(
        (
            r2["inserted"].as_u64(),
            r2["updated"].as_u64(),
            r2["unchanged"].as_u64()
        ),
        (Some(0), Some(0), Some(3)),
        "{r2}"
    );
    assert_eq!(count(&app, "residents").await, 3);
    assert_eq!(count(&app, "households").await, 1);
    assert_eq!(
        app.audit_rows().await,
        audits + 1,
        "one audit entry per batch"
    );

    // The same rows as a workbook: nothing new either; a changed phone is an update.
    let mut cells: Vec<Vec<String>> = good
        .iter()
        .map(|l| l.split(',').map(str::to_owned).collect())
        .collect();
    cells[1][9] = "13700001111".into();
    let headers: Vec<&str> = "楼栋,房号,房屋类型,与户主关系,姓名,性别,民族,公民身份号码,出生日期,联系电话,人口类型,政治面貌,工作单位,标签,备注".split(',').collect();
    // The workbook writer escapes a leading "=": undo that for this cell so the file says
    // what the CSV said.
    cells[0][12] = "单位".into();
    let xlsx = wangge::web::xlsx::build("台账", &headers, &cells).expect("xlsx");
    let (s, r3) = import(&app, &sj, xlsx).await;
    assert_eq!(s, StatusCode::OK, "{r3}");
    assert_eq!(
        (
            r3["inserted"].as_u64(),
            r3["updated"].as_u64(),
            r3["unchanged"].as_u64()
        ),
        (Some(0), Some(2), Some(1)),
        "{r3}"
    );

    // A head, a spouse and a son, one household; the tags went in.
    let (_, v) = app.get(&sj, "/api/v1/residents?q=wjg").await;
    let hid = v["items"][0]["household_id"].as_i64().expect("household");
    let (_, h) = app.get(&sj, &format!("/api/v1/households/{hid}")).await;
    assert_eq!(h["members"].as_array().map(Vec::len), Some(3));
    assert_eq!(h["members"][0]["relation"], "户主");
    let (_, v) = app.get(&sj, "/api/v1/residents?tag=留守儿童").await;
    assert_eq!(v["total"], 1);

    // Bad files: a clear message and nothing written.
    let before = count(&app, "residents").await;
    let (s, v) = import(&app, &sj, b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR".to_vec()).await;
    assert_eq!(
        (s, v["error"]["code"].as_str()),
        (StatusCode::BAD_REQUEST, Some("bad_file")),
        "{v}"
    );
    let (s, v) = import(&app, &sj, "姓名,房号\n张三,1-101\n".as_bytes().to_vec()).await;
    assert_eq!(
        (s, v["error"]["code"].as_str()),
        (StatusCode::BAD_REQUEST, Some("missing_columns")),
        "{v}"
    );
    assert!(
        v["error"]["message"]
            .as_str()
            .expect("m")
            .contains("公民身份号码")
    );
    let (s, v) = import(&app, &sj, vec![0xD0, 0xCF, 0x11, 0xE0, 1, 2, 3]).await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    assert!(
        v["error"]["message"].as_str().expect("m").contains(".xls"),
        "{v}"
    );
    // A 200 MB upload is refused before it is read.
    {
        use tokio::io::{AsyncReadExt, AsyncWriteExt};
        let mut sock = tokio::net::TcpStream::connect(app.addr)
            .await
            .expect("connect");
        let req = format!(
            "POST /api/v1/people/import HTTP/1.1\r\nHost: {}\r\nAuthorization: Bearer {sj}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
            app.addr,
            200 * 1024 * 1024
        );
        sock.write_all(req.as_bytes()).await.expect("send");
        let mut out = Vec::new();
        let _ = tokio::time::timeout(
            std::time::Duration::from_secs(60),
            sock.read_to_end(&mut out),
        )
        .await;
        let text = String::from_utf8_lossy(&out);
        assert!(text.starts_with("HTTP/1.1 413"), "{text}");
        assert!(text.contains("too_large") && text.contains("MB"), "{text}");
    }
    assert_eq!(count(&app, "residents").await, before);

    // A grid worker may not import; the export is masked and formula-safe; the full export
    // needs the permission and is audited.
    let gw = app.token("wgy-liuan-1").await;
    let (s, _) = import(&app, &gw, ledger(&good).into_bytes()).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let r = app
        .call(Method::GET, &sj, "/api/v1/residents/export.xlsx", None)
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    let rows = wangge::web::xlsx::read_rows(&r.bytes().await.expect("bytes")).expect("xlsx");
    assert_eq!(rows.len(), 4, "header and three people");
    let all = format!("{rows:?}");
    assert!(
        !all.contains(&a) && !all.contains(&kid) && !all.contains("13912345678"),
        "{all}"
    );
    assert!(all.contains("139****5678"));
    let before = app.audit_rows().await;
    let r = app
        .call(
            Method::GET,
            &sj,
            "/api/v1/residents/export.xlsx?full=1",
            None,
        )
        .await;
    let rows = wangge::web::xlsx::read_rows(&r.bytes().await.expect("bytes")).expect("xlsx");
    assert!(format!("{rows:?}").contains(&a));
    assert_eq!(app.audit_rows().await, before + 1);
    let admin = app.token("admin").await;
    let r = app
        .call(
            Method::GET,
            &admin,
            "/api/v1/residents/export.xlsx?full=1",
            None,
        )
        .await;
    assert_eq!(
        r.status(),
        StatusCode::FORBIDDEN,
        "the administrator sees masked data only"
    );
}

#[tokio::test]
async fn a_visit_turns_a_need_into_a_case_and_the_file_keeps_documents_and_scores() {
    let app = TestApp::spawn().await;
    let gw = app.token("wgy-liuan-1").await;
    let sj = app.token("liuan-sj").await;
    let b = building_of(&app, &gw, "33019900100101").await;
    let (_, h) = app
        .send(
            Method::POST,
            &gw,
            "/api/v1/households",
            json!({"building_id": b, "room": "3-101"}),
        )
        .await;
    let hid = h["household"]["id"].as_i64().expect("id");
    let (s, v) = app
        .send(Method::POST, &gw, &format!("/api/v1/households/{hid}/visits"),
              json!({"notes": "老人独居，身体尚可", "needs": "卫生间扶手松动，需要加固", "make_case": true}))
        .await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    let case = v["case_id"].as_i64().expect("a case");
    let (s, c) = app.get(&gw, &format!("/api/v1/cases/{case}")).await;
    assert_eq!(s, StatusCode::OK, "{c}");
    assert_eq!(c["source"], "patrol");
    assert!(c["description"].as_str().expect("d").contains("扶手"));
    let (s, v) = app
        .send(
            Method::POST,
            &gw,
            &format!("/api/v1/households/{hid}/visits"),
            json!({"notes": "", "make_case": true}),
        )
        .await;
    assert_eq!(s, StatusCode::BAD_REQUEST, "{v}");

    // The community sets its items; a household is scored within them.
    let community = app.node_id(&app.token("admin").await, "330199001001").await;
    let (s, item) = app
        .send(
            Method::POST,
            &sj,
            "/api/v1/assessment-items",
            json!({"org_id": community, "name": "邻里和睦", "max_score": 20}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{item}");
    let item = item["id"].as_i64().expect("id");
    let (s, v) = app
        .send(
            Method::POST,
            &gw,
            &format!("/api/v1/households/{hid}/assessments"),
            json!({"period": "2026年", "scores": {item.to_string(): 25}}),
        )
        .await;
    assert_eq!(s, StatusCode::BAD_REQUEST, "over the maximum: {v}");
    let (s, v) = app
        .send(
            Method::POST,
            &gw,
            &format!("/api/v1/households/{hid}/assessments"),
            json!({"period": "2026年", "scores": {item.to_string(): 18}}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    assert_eq!(
        (v["total"].as_i64(), v["max_total"].as_i64()),
        (Some(18), Some(20))
    );

    // A document: a PDF goes in; something else does not.
    let pdf = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n".to_vec();
    let r = app
        .client
        .post(app.url(&format!(
            "/api/v1/households/{hid}/documents?type=分家协议&title=2019年分家协议"
        )))
        .bearer_auth(&gw)
        .body(pdf.clone())
        .send()
        .await
        .expect("upload");
    assert_eq!(r.status(), StatusCode::CREATED);
    let r = app
        .client
        .post(app.url(&format!("/api/v1/households/{hid}/documents?type=other")))
        .bearer_auth(&gw)
        .body("plain text".to_owned())
        .send()
        .await
        .expect("upload");
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    let (_, v) = app.get(&gw, &format!("/api/v1/households/{hid}")).await;
    assert_eq!(v["documents"][0]["type_label"], "分家协议");
    assert_eq!(v["visits"].as_array().map(Vec::len), Some(1));
    assert_eq!(v["assessments"][0]["total"], 18);

    // The browser: the file, its printable page and the document, as the grid worker.
    let mut br = Browser::new(&app);
    br.login("wgy-liuan-1").await;
    let (s, page) = br.get(&format!("/people/households/{hid}")).await;
    assert_eq!(s, StatusCode::OK);
    assert!(page.contains("扶手") && page.contains("分家协议") && page.contains("18 / 20"));
    let (s, page) = br.get(&format!("/people/households/{hid}/print")).await;
    assert_eq!(s, StatusCode::OK);
    assert!(page.contains("一户一档") && page.contains("邻里和睦"));
    let doc = v["documents"][0]["href"].as_str().expect("href").to_owned();
    let (s, body) = br.get(&doc).await;
    assert_eq!(s, StatusCode::OK);
    assert!(body.starts_with("%PDF"));
    // Another grid's worker cannot open it.
    let mut other = Browser::new(&app);
    other.login("wgy-liuan-2").await;
    let (s, _) = other.get(&doc).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn the_pages_register_search_reveal_and_import_for_a_worker_and_a_secretary() {
    let app = TestApp::spawn().await;
    let mut gw = Browser::new(&app);
    let csrf = gw.login("wgy-liuan-1").await;
    let (s, page) = gw.get("/people/buildings").await;
    assert_eq!(s, StatusCode::OK);
    let at = page.find("/people/buildings/").expect("a building link") + 18;
    let b: String = page[at..]
        .chars()
        .take_while(char::is_ascii_digit)
        .collect();
    let (s, loc) = gw
        .post(
            "/people/households",
            &[
                ("_csrf", &csrf),
                ("building_id", &b),
                ("room", "5-502"),
                ("kind", "owner"),
            ],
        )
        .await;
    assert_eq!(s, StatusCode::SEE_OTHER, "{loc}");
    let hid: String = loc.trim_start_matches("/people/households/").to_owned();
    let (s, page) = gw.get(&loc).await;
    assert_eq!(s, StatusCode::OK);
    assert!(page.contains("5-502"));
    let zid = id("1949-10-01", 1);
    let (s, _) = gw
        .post(
            "/people/residents",
            &[
                ("_csrf", &csrf),
                ("household_id", &hid),
                ("name", "曾国平"),
                ("id_number", &zid),
                ("phone", "0571-88886666"),
                ("relation", "head"),
                ("residence", "registered"),
                ("political", "party_member"),
                ("ethnicity", "汉族"),
                ("tag", "高龄老人"),
                ("tag", "独居老人"),
            ],
        )
        .await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    let (_, page) = gw.get("/people?q=zgp").await;
    assert!(
        page.contains("曾国平") && page.contains("独居老人"),
        "曾 reads zēng in a name"
    );
    assert!(!page.contains(&zid) && !page.contains("88886666"));
    let at = page.find("/people/residents/").expect("link") + 18;
    let rid: String = page[at..]
        .chars()
        .take_while(char::is_ascii_digit)
        .collect();
    let (s, page) = gw.get(&format!("/people/residents/{rid}")).await;
    assert_eq!(s, StatusCode::OK);
    assert!(!page.contains(&zid));
    let (s, page) = gw
        .post(
            &format!("/people/residents/{rid}/reveal"),
            &[("_csrf", &csrf)],
        )
        .await;
    assert_eq!(s, StatusCode::OK);
    assert!(
        page.contains(&zid) && page.contains("0571-88886666"),
        "the full values, once"
    );
    // An edit without the ID number keeps it.
    let (s, _) = gw
        .post(
            &format!("/people/residents/{rid}/edit"),
            &[
                ("_csrf", &csrf),
                ("name", "曾国平"),
                ("id_number", ""),
                ("relation", "head"),
                ("political", "party_member"),
                ("ethnicity", "汉族"),
                ("work_unit", "退休"),
                ("tag", "高龄老人"),
            ],
        )
        .await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    let (_, page) = gw
        .post(
            &format!("/people/residents/{rid}/reveal"),
            &[("_csrf", &csrf)],
        )
        .await;
    assert!(page.contains(&zid) && page.contains("退休"));

    // The secretary imports through the page and watches it finish.
    let mut sj = Browser::new(&app);
    let csrf = sj.login("liuan-sj").await;
    let (s, page) = sj.get("/people/import").await;
    assert_eq!(s, StatusCode::OK);
    assert!(page.contains("公民身份号码"));
    let file = ledger(&[format!(
        "33019900100101001,9-901,出租,户主,刘洋,男,汉族,{},,,流动,,,,",
        id("1995-06-07", 15)
    )]);
    let boundary = "wanggeLedger7MA4YWxk";
    let body = format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"ledger.csv\"\r\nContent-Type: text/csv\r\n\r\n{file}\r\n--{boundary}--\r\n"
    );
    let cookie = sj
        .cookies
        .iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join("; ");
    let r = app
        .client
        .post(app.url(&format!("/people/import?_csrf={csrf}")))
        .header("cookie", cookie)
        .header(
            "content-type",
            format!("multipart/form-data; boundary={boundary}"),
        )
        .body(body)
        .send()
        .await
        .expect("upload");
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let job = r.headers()["location"]
        .to_str()
        .expect("location")
        .to_owned();
    let mut done = String::new();
    // Polled every 100 ms for up to a minute: a slow machine takes longer, never forever.
    for _ in 0..600 {
        let (_, page) = sj.get(&job).await;
        if page.contains("导入完成") {
            done = page;
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert!(done.contains("新增 1 人"), "{done}");
    let (_, page) = sj.get("/people?q=刘洋").await;
    assert!(page.contains("刘洋") && page.contains("流动"));
    assert!(csrf_of(&page).len() == 64);
}

#[tokio::test]
async fn the_demo_registry_is_alive_with_families_visits_and_archived_documents() {
    use sea_orm::ConnectionTrait;
    let app = TestApp::spawn().await;
    let report =
        wangge::demo::people::generate(&wangge::people::PeopleState::of(&app.state), 20261122)
            .await
            .expect("the demo registry");
    assert!(report.inserted > 10_000, "{}", report.summary());
    assert_eq!(report.rejected, 0, "{:?}", report.errors.first());
    let one = |sql: &'static str, values: Vec<sea_orm::Value>| {
        let db = &app.db;
        async move {
            let row = db
                .query_one_raw(wangge::infra::db::statement(db, sql, values))
                .await
                .expect("query")
                .expect("a row");
            row.try_get_by_index::<i64>(0).expect("a number")
        }
    };
    let today = wangge::infra::clock::today().to_string();
    assert_eq!(
        one(
            "SELECT COUNT(*) FROM residents WHERE birth_date > $1",
            vec![today.into()]
        )
        .await,
        0,
        "no one is born after today"
    );
    assert!(one("SELECT COUNT(*) FROM visits", vec![]).await > 100);
    assert!(
        one(
            "SELECT COUNT(DISTINCT doc_type) FROM household_docs",
            vec![]
        )
        .await
            >= 4,
        "agreements, certificates and notices"
    );
    // A grid worker opens a document of their grid: a PDF.
    let doc = one(
        "SELECT MIN(id) FROM household_docs WHERE org_path LIKE \
         (SELECT path FROM org_nodes WHERE code = '33019900100101') || '%'",
        vec![],
    )
    .await;
    let household = one(
        "SELECT household_id FROM household_docs WHERE id = $1",
        vec![doc.into()],
    )
    .await;
    let mut b = Browser::new(&app);
    b.login("wgy-liuan-1").await;
    let (s, page) = b.get(&format!("/people/households/{household}")).await;
    assert_eq!(s, StatusCode::OK);
    let link = format!("/people/households/{household}/documents/{doc}");
    assert!(page.contains(&link), "the household page lists it");
    let (s, body) = b.get(&link).await;
    assert_eq!(s, StatusCode::OK);
    assert!(
        body.starts_with("%PDF-1.4"),
        "{}",
        &body[..body.len().min(20)]
    );
}
