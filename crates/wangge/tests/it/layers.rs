//! The house of issue 16: caches dropped by the services that change what they copy (not by
//! the URL of a request), and the layering kept (see also `architecture.rs`).

use crate::support::TestApp;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

/// A change to the tree, a department or an account is seen by the very next request: the
/// services that make it drop the copies (the intake's directory, the resolved callers) after
/// their commit. (These copies once were dropped by the URL of any state-changing request;
/// a service called another way kept them for their time to live.)
#[tokio::test]
async fn changes_to_the_directory_take_effect_at_once() {
    let app = TestApp::spawn().await;
    let admin = app.token("admin").await;
    let sj = app.token("liuan-sj").await;
    let building = app.building_in("33019900100101").await;
    let report = |k: u32| {
        let (app, sj) = (&app, &sj);
        async move {
            app.send(
                Method::POST,
                sj,
                "/api/v1/cases",
                json!({"title": format!("楼道灯不亮 {k}"), "description": "三楼楼道灯坏了", "building_id": building}),
            )
            .await
        }
    };
    // The intake reads its copy of the tree: a building retired is refused at once.
    let (s, v) = report(1).await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    let (s, v) = app
        .send(
            Method::POST,
            &admin,
            &format!("/api/v1/org/nodes/{building}/retire"),
            json!({}),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let (s, v) = report(2).await;
    assert_eq!(s, StatusCode::BAD_REQUEST, "a retired building: {v}");
    assert_eq!(v["error"]["code"], "bad_building", "{v}");
    let (s, _) = app
        .send(
            Method::POST,
            &admin,
            &format!("/api/v1/org/nodes/{building}/reactivate"),
            json!({}),
        )
        .await;
    assert_eq!(s, StatusCode::OK);
    let (s, v) = report(3).await;
    assert_eq!(s, StatusCode::CREATED, "reactivated: {v}");

    // A caller resolved a moment ago is not served after the account is disabled.
    let worker = app.token("wgy-liuan-1").await;
    let (s, _) = app.get(&worker, "/api/v1/me").await;
    assert_eq!(s, StatusCode::OK);
    let id = app
        .int("SELECT id FROM users WHERE username = 'wgy-liuan-1'")
        .await;
    let (s, v) = app
        .send(
            Method::POST,
            &admin,
            &format!("/api/v1/users/{id}/disable"),
            json!({}),
        )
        .await;
    assert!(s.is_success(), "{s} {v}");
    let (s, _) = app.get(&worker, "/api/v1/me").await;
    assert_eq!(s, StatusCode::UNAUTHORIZED, "disabled: refused at once");

    // And after a password changed by its holder: the account's other logins end.
    let one = app.token("wgy-liuan-2").await;
    let other = app.token("wgy-liuan-2").await;
    let (s, _) = app.get(&other, "/api/v1/me").await;
    assert_eq!(s, StatusCode::OK);
    let (s, v) = app
        .send(
            Method::POST,
            &one,
            "/api/v1/me/password",
            json!({"current_password": crate::support::PW, "new_password": "Changed-2026-wangge"}),
        )
        .await;
    assert!(s.is_success(), "{s} {v}");
    let (s, _): (StatusCode, Value) = app.get(&other, "/api/v1/me").await;
    assert_eq!(
        s,
        StatusCode::UNAUTHORIZED,
        "the other login: refused at once"
    );
}

/// One writer per record, with the version rule: an edit saved in the browser while an import
/// runs is not written over by the import's older row for the same person (the row comes back
/// in the report, saying why). The import and the form write a resident through the same
/// writer. (Before, the import wrote its own UPDATE with no version check and the edit was
/// lost without a word.)
#[tokio::test]
async fn an_edit_saved_during_an_import_is_not_overwritten() {
    use wangge_core::people::make_id;
    let app = TestApp::spawn().await;
    let sj = app.token("liuan-sj").await;
    let head = "楼栋,房号,房屋类型,与户主关系,姓名,性别,民族,公民身份号码,出生日期,联系电话,人口类型,政治面貌,工作单位,标签,备注\n";
    // Distinct valid ID numbers: a birth day and a sequence number per person.
    let id = |k: u32| {
        let d = chrono::NaiveDate::from_ymd_opt(1940, 1, 1).expect("date")
            + chrono::Days::new(u64::from(k / 500));
        make_id("330106", d, 100 + k % 500).expose().to_owned()
    };
    let him = id(40_000);
    let his_row =
        |unit: &str| format!("33019900100101001,7-701,,户主,沈家明,,汉族,{him},,,,,{unit},,\n");
    let import = |file: String| {
        let (app, sj) = (&app, &sj);
        async move {
            let r = app
                .client
                .post(app.url("/api/v1/people/import"))
                .bearer_auth(sj)
                .body(file)
                .send()
                .await
                .expect("import");
            assert_eq!(r.status(), StatusCode::OK);
            r.json::<Value>().await.expect("report")
        }
    };
    let r = import(format!("{head}{}", his_row("表格里的旧单位"))).await;
    assert_eq!(r["inserted"], 1, "{r}");
    let (_, v) = app.get(&sj, "/api/v1/residents?q=沈家明").await;
    let rid = v["items"][0]["id"].as_i64().expect("id");
    let (_, v) = app.get(&sj, &format!("/api/v1/residents/{rid}")).await;
    let version = v["resident"]["version"]
        .as_i64()
        .or(v["version"].as_i64())
        .expect("version");

    // A long sheet, his row last: 30,000 new neighbours in three batches first.
    let mut file = String::from(head);
    for k in 0..30_000u32 {
        file.push_str(&format!(
            "33019900100101001,{}-{},,户主,邻居{k},,汉族,{},,,,,,,\n",
            10 + k / 1000,
            k % 1000,
            id(k)
        ));
    }
    file.push_str(&his_row("表格里的旧单位（改）"));
    let residents = || async {
        let (_, v) = app.get(&sj, "/api/v1/residents?q=邻居").await;
        v["total"].as_i64().unwrap_or(0)
    };
    let (report, (status, answer)) = tokio::join!(import(file), async {
        // Once the first batch is in, the import is running: the secretary saves his new
        // work unit from the browser. (Polled every 20 ms for at most 30 s.)
        for _ in 0..1500 {
            if residents().await > 0 {
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        }
        app.send(
            Method::PATCH,
            &sj,
            &format!("/api/v1/residents/{rid}"),
            json!({"name": "沈家明", "work_unit": "街道新单位", "relation": "户主", "version": version}),
        )
        .await
    });
    assert_eq!(
        status,
        StatusCode::OK,
        "the edit is saved while the import runs: {answer}"
    );
    assert_eq!(report["inserted"], 30_000, "{}", report["summary"]);
    assert_eq!(report["updated"], 0, "{}", report["summary"]);
    let line = report["errors"]
        .as_array()
        .expect("errors")
        .iter()
        .find(|e| e["line"] == 30_002)
        .unwrap_or_else(|| panic!("his row comes back: {}", report["errors"]));
    assert!(
        line["reason"]
            .as_str()
            .is_some_and(|m| m.contains("导入期间")),
        "{line}"
    );
    let (_, v) = app.get(&sj, &format!("/api/v1/residents/{rid}")).await;
    assert!(v.to_string().contains("街道新单位"), "the edit stands: {v}");

    // The same row imported again, now that the import is over, is written as any edit is.
    let r = import(format!("{head}{}", his_row("表格里的新单位"))).await;
    assert_eq!(r["updated"], 1, "{r}");
    let (_, v) = app.get(&sj, &format!("/api/v1/residents/{rid}")).await;
    assert!(v.to_string().contains("表格里的新单位"), "{v}");
}
