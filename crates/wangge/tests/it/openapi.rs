//! The OpenAPI document at `/api/v1/openapi.json`: it describes every API route the router
//! serves, nothing it does not, and a snapshot guards what it says.

use crate::support::TestApp;
use reqwest::{Method, StatusCode};
use std::collections::BTreeSet;

/// The router's API paths (as the slices registered them) and the document's are one set; and
/// each operation the document names is served: called as the administrator with every path
/// parameter filled in, no operation answers "接口不存在" (404 from the API's fallback) or
/// 405 (a method the router does not serve).
#[tokio::test]
async fn the_document_describes_every_api_route() {
    let app = TestApp::spawn().await;
    let routed: BTreeSet<String> = wangge::app::route_paths(&app.state)
        .into_iter()
        .filter(|p| p.starts_with("/api/v1/"))
        .collect();
    let r = app
        .client
        .get(app.url("/api/v1/openapi.json"))
        .send()
        .await
        .expect("openapi.json");
    assert_eq!(
        r.status(),
        StatusCode::OK,
        "served to anyone, without a token"
    );
    let doc: serde_json::Value = r.json().await.expect("json");
    assert_eq!(doc["openapi"], "3.1.0");
    let paths = doc["paths"].as_object().expect("paths");
    let described: BTreeSet<String> = paths.keys().cloned().collect();
    assert_eq!(
        routed.difference(&described).collect::<Vec<_>>(),
        Vec::<&String>::new(),
        "served but not described: annotate the handler with #[utoipa::path] and add it with Routes::api(routes!(…))"
    );
    assert_eq!(
        described.difference(&routed).collect::<Vec<_>>(),
        Vec::<&String>::new(),
        "described but not served"
    );
    let ids: Vec<&str> = paths
        .values()
        .filter_map(|item| item.as_object())
        .flat_map(|item| item.values())
        .filter_map(|op| op["operationId"].as_str())
        .collect();
    let unique: BTreeSet<&str> = ids.iter().copied().collect();
    assert_eq!(
        ids.len(),
        unique.len(),
        "every operationId is unique: {ids:?}"
    );
    // Every reference names a schema the document holds.
    let text = doc.to_string();
    for r in text.split("\"$ref\":\"#/components/schemas/").skip(1) {
        let name = r.split('"').next().unwrap_or("");
        assert!(
            doc["components"]["schemas"].get(name).is_some(),
            "{name} is referenced and held"
        );
    }
    let admin = app.token("admin").await;
    let mut operations = 0;
    for (path, item) in paths {
        let concrete = path
            .replace("{id}", "999999")
            .replace("{code}", "9999")
            .replace("{date}", "2026-01-01");
        for (method, op) in item.as_object().expect("item") {
            let m = Method::from_bytes(method.to_uppercase().as_bytes()).expect("method");
            if path == "/api/v1/auth/logout" {
                continue; // it would end the token the other calls use
            }
            assert!(
                op["summary"].as_str().is_some_and(|s| !s.is_empty()),
                "{method} {path} has a summary"
            );
            assert!(
                op["tags"].as_array().is_some_and(|t| !t.is_empty()),
                "{method} {path} has a tag"
            );
            let r = app
                .client
                .request(m.clone(), app.url(&concrete))
                .bearer_auth(&admin)
                .header("content-type", "application/json")
                .body("{}")
                .send()
                .await
                .expect("call");
            let status = r.status();
            let text = r.text().await.unwrap_or_default();
            assert_ne!(
                status,
                StatusCode::METHOD_NOT_ALLOWED,
                "{m} {concrete}: {text}"
            );
            assert!(
                !(status == StatusCode::NOT_FOUND && text.contains("接口不存在")),
                "{m} {concrete} is served: {text}"
            );
            operations += 1;
        }
    }
    assert!(operations >= 60, "{operations} operations");
}

/// What the document says is kept in `tests/it/snapshots/`: a change to the API shows in the
/// review as a change to this snapshot (`cargo insta review`, or `INSTA_UPDATE=always`).
#[test]
fn the_document_is_as_reviewed() {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let doc = rt.block_on(async {
        let app = TestApp::spawn().await;
        let v: serde_json::Value =
            serde_json::from_str(&wangge::app::openapi(&app.state).json).expect("json");
        v
    });
    insta::assert_json_snapshot!("openapi", doc);
}
