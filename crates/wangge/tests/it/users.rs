//! Accounts through the API: create, bind, edit, reset, disable — within scope only.

use crate::support::{Browser, PW, TestApp};
use reqwest::{Method, StatusCode};
use serde_json::json;

#[tokio::test]
async fn create_validates_role_binding_and_scope() {
    let app = TestApp::spawn().await;
    let t = app.token("qinghe-admin").await;
    let grid = app.node_id(&t, "33019900100101").await;
    let community = app.node_id(&t, "330199001001").await;
    let elsewhere = app
        .node_id(&app.token("admin").await, "33019900200101")
        .await;
    let before = app.audit_rows().await;
    let ok = |role: &str, org: i64| json!({"username": "new-worker", "display_name": "新网格员", "role": role, "org_id": org, "password": "start-2026"});
    let cases = [
        (ok("overlord", grid), StatusCode::BAD_REQUEST, "bad_role"),
        (
            ok("grid_worker", community),
            StatusCode::BAD_REQUEST,
            "bad_binding",
        ),
        (
            ok("grid_worker", elsewhere),
            StatusCode::FORBIDDEN,
            "forbidden",
        ),
        (
            json!({"username": "x", "display_name": "短", "role": "grid_worker", "org_id": grid, "password": "start-2026"}),
            StatusCode::BAD_REQUEST,
            "invalid_input",
        ),
        (
            json!({"username": "new-worker", "display_name": "新", "role": "grid_worker", "org_id": grid, "password": "123"}),
            StatusCode::BAD_REQUEST,
            "invalid_input",
        ),
        (
            json!({"username": "wgy-liuan-1", "display_name": "重名", "role": "grid_worker", "org_id": grid, "password": "start-2026"}),
            StatusCode::CONFLICT,
            "duplicate_username",
        ),
        (
            json!({"username": "new-handler", "display_name": "处置", "role": "department_handler", "password": "start-2026"}),
            StatusCode::BAD_REQUEST,
            "department_required",
        ),
    ];
    for (body, status, code) in cases {
        let (s, v) = app
            .send(Method::POST, &t, "/api/v1/users", body.clone())
            .await;
        assert_eq!(
            (s, v["error"]["code"].as_str()),
            (status, Some(code)),
            "{body}: {v}"
        );
    }
    assert_eq!(app.audit_rows().await, before, "nothing written");

    let (s, u) = app
        .send(Method::POST, &t, "/api/v1/users", ok("grid_worker", grid))
        .await;
    assert_eq!(s, StatusCode::CREATED, "{u}");
    assert_eq!(u["must_change_password"], true);
    assert!(u.get("password_hash").is_none());
    let (s, v) = app
        .send(
            Method::POST,
            "",
            "/api/v1/auth/login",
            json!({"username": "new-worker", "password": "start-2026"}),
        )
        .await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(v["must_change_password"], true);
    let nt = v["token"].as_str().expect("token").to_owned();
    // Until the first password is changed, the API answers nothing else (as the pages do).
    for path in [
        "/api/v1/org/tree",
        "/api/v1/cases",
        "/api/v1/residents?q=张",
    ] {
        let (s, e) = app.get(&nt, path).await;
        assert_eq!(
            (s, e["error"]["code"].as_str()),
            (StatusCode::FORBIDDEN, Some("must_change_password")),
            "{path}"
        );
    }
    let (s, me) = app.get(&nt, "/api/v1/me").await;
    assert_eq!(
        (s, me["must_change_password"].as_bool()),
        (StatusCode::OK, Some(true))
    );
    let r = app
        .call(
            Method::POST,
            &nt,
            "/api/v1/me/password",
            Some(json!({"current_password": "start-2026", "new_password": "mine-2026-x"})),
        )
        .await;
    assert!(r.status().is_success(), "{}", r.status());
    let (s, v) = app
        .send(
            Method::POST,
            "",
            "/api/v1/auth/login",
            json!({"username": "new-worker", "password": "mine-2026-x"}),
        )
        .await;
    assert_eq!(s, StatusCode::OK);
    let nt = v["token"].as_str().expect("token").to_owned();
    let (_, tree) = app.get(&nt, "/api/v1/org/tree").await;
    assert_eq!(tree[0]["id"], grid, "the new account sees its grid only");
}

#[tokio::test]
async fn a_department_handler_is_bound_through_the_department() {
    let app = TestApp::spawn().await;
    let t = app.token("qinghe-admin").await;
    let (_, deps) = app.get(&t, "/api/v1/departments").await;
    let dep = deps
        .as_array()
        .and_then(|d| d.iter().find(|d| d["name"] == "清河司法所"))
        .expect("a department");
    let (s, u) = app
        .send(Method::POST, &t, "/api/v1/users", json!({"username": "sfs-1", "display_name": "司法所调解员", "role": "department_handler", "department_id": dep["id"], "password": "start-2026"}))
        .await;
    assert_eq!(s, StatusCode::CREATED, "{u}");
    assert_eq!(u["department_name"], "清河司法所");
    assert_eq!(u["org_name"], "清河街道");
}

#[tokio::test]
async fn edit_reset_and_disable() {
    let app = TestApp::spawn().await;
    let t = app.token("qinghe-admin").await;
    let (_, list) = app.get(&t, "/api/v1/users?q=wgy-liuan-3").await;
    let u = &list["items"][0];
    let id = u["id"].as_i64().expect("id");
    let grid1 = app.node_id(&t, "33019900100101").await;
    let (s, e) = app
        .send(
            Method::PATCH,
            &t,
            &format!("/api/v1/users/{id}"),
            json!({"display_name": "改名网格员", "org_id": grid1, "version": 1}),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{e}");
    assert_eq!(e["org_id"], grid1);
    let (s, _) = app
        .send(
            Method::PATCH,
            &t,
            &format!("/api/v1/users/{id}"),
            json!({"display_name": "迟到", "version": 1}),
        )
        .await;
    assert_eq!(s, StatusCode::CONFLICT);

    // A grid worker sees full ID numbers; the administrator does not: resetting the grid
    // worker's password (and so logging in as them) is refused, and nothing changes.
    let worker = app.token("wgy-liuan-3").await;
    let before = app.audit_rows().await;
    let (s, v) = app
        .send(
            Method::POST,
            &t,
            &format!("/api/v1/users/{id}/password"),
            json!({"password": "reset-2026"}),
        )
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN, "{v}");
    assert!(
        v["error"]["message"]
            .as_str()
            .is_some_and(|m| m.contains("wangge user passwd")),
        "{v}"
    );
    assert_eq!(app.get(&worker, "/api/v1/me").await.0, StatusCode::OK);
    assert_eq!(app.audit_rows().await, before, "nothing written");
    let page = {
        let mut b = Browser::new(&app);
        b.login("qinghe-admin").await;
        b.get(&format!("/users/{id}")).await.1
    };
    assert!(
        !page.contains(&format!("action=\"/users/{id}/password\"")),
        "no reset form for such an account"
    );

    // A building head holds no more than the administrator: the reset goes through.
    let (_, list) = app.get(&t, "/api/v1/users?q=ldz-liuan").await;
    let id = list["items"][0]["id"].as_i64().expect("id");
    let victim = app.token("ldz-liuan").await;
    let (s, _) = app
        .send(
            Method::POST,
            &t,
            &format!("/api/v1/users/{id}/password"),
            json!({"password": "abc"}),
        )
        .await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    let (s, _) = app
        .send(
            Method::POST,
            &t,
            &format!("/api/v1/users/{id}/password"),
            json!({"password": "reset-2026"}),
        )
        .await;
    assert_eq!(s, StatusCode::NO_CONTENT);
    assert_eq!(
        app.get(&victim, "/api/v1/me").await.0,
        StatusCode::UNAUTHORIZED,
        "a reset ends logins"
    );
    let (s, _) = app
        .send(
            Method::POST,
            "",
            "/api/v1/auth/login",
            json!({"username": "ldz-liuan", "password": PW}),
        )
        .await;
    assert_eq!(s, StatusCode::UNAUTHORIZED);

    let (s, v) = app
        .send(
            Method::POST,
            "",
            "/api/v1/auth/login",
            json!({"username": "ldz-liuan", "password": "reset-2026"}),
        )
        .await;
    assert_eq!(s, StatusCode::OK);
    let again = v["token"].as_str().expect("token").to_owned();
    let r = app
        .call(
            Method::POST,
            &t,
            &format!("/api/v1/users/{id}/disable"),
            None,
        )
        .await;
    assert_eq!(r.status(), StatusCode::NO_CONTENT);
    assert_eq!(
        app.get(&again, "/api/v1/me").await.0,
        StatusCode::UNAUTHORIZED,
        "disabling ends logins"
    );
    let (s, v) = app
        .send(
            Method::POST,
            "",
            "/api/v1/auth/login",
            json!({"username": "ldz-liuan", "password": "reset-2026"}),
        )
        .await;
    assert_eq!(s, StatusCode::UNAUTHORIZED);
    assert!(
        v["error"]["message"]
            .as_str()
            .is_some_and(|m| m.contains("禁用"))
    );
    // Enabled again, the account logs in with the password it had.
    let r = app
        .call(
            Method::POST,
            &t,
            &format!("/api/v1/users/{id}/enable"),
            None,
        )
        .await;
    assert_eq!(r.status(), StatusCode::NO_CONTENT);
    let (s, v) = app
        .send(
            Method::POST,
            "",
            "/api/v1/auth/login",
            json!({"username": "ldz-liuan", "password": "reset-2026"}),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let r = app
        .call(
            Method::POST,
            &t,
            &format!("/api/v1/users/{id}/enable"),
            None,
        )
        .await;
    assert_eq!(r.status(), StatusCode::CONFLICT, "already enabled");
    // Administrators cannot disable or demote themselves.
    let (_, me) = app.get(&t, "/api/v1/me").await;
    let my = me["id"].as_i64().expect("id");
    assert_eq!(
        app.call(
            Method::POST,
            &t,
            &format!("/api/v1/users/{my}/disable"),
            None
        )
        .await
        .status(),
        StatusCode::BAD_REQUEST
    );
    let (s, _) = app
        .send(
            Method::PATCH,
            &t,
            &format!("/api/v1/users/{my}"),
            json!({"role": "resident", "version": 1}),
        )
        .await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn only_administrators_write_accounts() {
    let app = TestApp::spawn().await;
    let sj = app.token("liuan-sj").await;
    let grid = app
        .node_id(&app.token("admin").await, "33019900100101")
        .await;
    let (s, v) = app.send(Method::POST, &sj, "/api/v1/users", json!({"username": "sneaky", "display_name": "偷偷", "role": "admin", "org_id": grid, "password": "start-2026"})).await;
    assert_eq!(
        (s, v["error"]["code"].as_str()),
        (StatusCode::FORBIDDEN, Some("forbidden"))
    );
    let (s, list) = app.get(&sj, "/api/v1/users").await;
    assert_eq!(
        s,
        StatusCode::OK,
        "a secretary may see the community's accounts"
    );
    assert!(list["items"].as_array().is_some_and(|l| !l.is_empty()));
}
