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
