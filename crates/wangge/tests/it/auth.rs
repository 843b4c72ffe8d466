//! Logging in and out, tokens, throttling, CSRF, sessions that survive a restart.

use crate::support::{Browser, PW, TestApp};
use reqwest::{Method, StatusCode, header};
use serde_json::json;
use std::time::Duration;

#[tokio::test]
async fn health_and_metrics_answer() {
    let app = TestApp::spawn().await;
    let r = app
        .client
        .get(app.url("/healthz"))
        .send()
        .await
        .expect("healthz");
    assert_eq!(r.status(), StatusCode::OK);
    let m = app
        .client
        .get(app.url("/metrics"))
        .send()
        .await
        .expect("metrics");
    assert_eq!(m.status(), StatusCode::OK);
    let text = m.text().await.expect("text");
    assert!(text.contains("wangge_up 1"), "{text}");
    assert!(
        text.contains(
            "wangge_http_requests_total{method=\"GET\",route=\"/healthz\",status=\"200\"} 1"
        ),
        "{text}"
    );
}

#[tokio::test]
async fn api_login_me_and_logout() {
    let app = TestApp::spawn().await;
    let (s, v) = app.get("", "/api/v1/me").await;
    assert_eq!(s, StatusCode::UNAUTHORIZED);
    assert_eq!(v["error"]["code"], "unauthenticated");
    let t = app.token("wgy-liuan-1").await;
    let (s, me) = app.get(&t, "/api/v1/me").await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(me["username"], "wgy-liuan-1");
    assert_eq!(me["role"], "grid_worker");
    assert_eq!(me["org"]["code"], "33019900100101");
    assert_eq!(me["org"]["level"], "grid");
    let r = app
        .call(Method::POST, &t, "/api/v1/auth/logout", None)
        .await;
    assert_eq!(r.status(), StatusCode::NO_CONTENT);
    let (s, v) = app.get(&t, "/api/v1/me").await;
    assert_eq!(s, StatusCode::UNAUTHORIZED, "a revoked token is refused");
    assert!(
        v["error"]["message"]
            .as_str()
            .is_some_and(|m| m.contains("令牌"))
    );
}

#[tokio::test]
async fn bad_logins_are_refused_then_throttled() {
    let app = TestApp::spawn().await;
    for body in [json!({"username": "admin"}), json!("text")] {
        let (s, v) = app.send(Method::POST, "", "/api/v1/auth/login", body).await;
        assert_eq!(s, StatusCode::BAD_REQUEST);
        assert_eq!(v["error"]["code"], "bad_json");
    }
    let (s, v) = app
        .send(
            Method::POST,
            "",
            "/api/v1/auth/login",
            json!({"username": "nobody", "password": "x"}),
        )
        .await;
    assert_eq!(s, StatusCode::UNAUTHORIZED);
    assert_eq!(v["error"]["message"], "用户名或密码错误");
    for _ in 0..5 {
        let (s, _) = app
            .send(
                Method::POST,
                "",
                "/api/v1/auth/login",
                json!({"username": "admin", "password": "wrong-pass1"}),
            )
            .await;
        assert_eq!(s, StatusCode::UNAUTHORIZED);
    }
    // Even the right password waits now.
    let (s, v) = app
        .send(
            Method::POST,
            "",
            "/api/v1/auth/login",
            json!({"username": "admin", "password": PW}),
        )
        .await;
    assert_eq!(s, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(v["error"]["code"], "too_many_requests");
    // Another account is not affected.
    app.token("qinghe-admin").await;
}

#[tokio::test]
async fn forms_need_the_csrf_token() {
    let app = TestApp::spawn().await;
    let mut b = Browser::new(&app);
    // The login form without its token is refused.
    let (s, _) = b
        .post("/login", &[("username", "admin"), ("password", PW)])
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let csrf = b.login("admin").await;
    let id = app
        .node_id(&app.token("admin").await, "33019900100101")
        .await;
    let before = app.audit_rows().await;
    let (s, _) = b
        .post(
            &format!("/org/nodes/{id}/edit"),
            &[
                ("name", "改名"),
                ("code", "33019900100101"),
                ("version", "1"),
            ],
        )
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN, "no token, no write");
    let (s, _) = b
        .post(
            &format!("/org/nodes/{id}/edit"),
            &[
                ("_csrf", "0".repeat(64).as_str()),
                ("name", "改名"),
                ("code", "33019900100101"),
                ("version", "1"),
            ],
        )
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN, "a wrong token, no write");
    assert_eq!(app.audit_rows().await, before, "nothing was written");
    let (s, loc) = b
        .post(
            &format!("/org/nodes/{id}/edit"),
            &[
                ("_csrf", &csrf),
                ("name", "柳岸社区一网格"),
                ("code", "33019900100101"),
                ("version", "1"),
            ],
        )
        .await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    assert_eq!(loc, format!("/org/nodes/{id}"));
    let (_, page) = b.get(&loc).await;
    assert!(page.contains("已保存"), "the flash shows once");
    assert!(page.contains("柳岸社区一网格"));
    let (_, again) = b.get(&loc).await;
    assert!(!again.contains("已保存"), "and only once");
}

#[tokio::test]
async fn sessions_survive_a_restart_and_logout_ends_them() {
    let app = TestApp::spawn().await;
    let mut b = Browser::new(&app);
    let csrf = b.login("liuan-sj").await;
    let second = app.restart().await;
    let cookie = b
        .cookies
        .iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join("; ");
    let r = app
        .client
        .get(format!("http://{second}/"))
        .header(header::COOKIE, &cookie)
        .send()
        .await
        .expect("get");
    assert_eq!(r.status(), StatusCode::OK, "the session is in the database");
    let (s, loc) = b.post("/logout", &[("_csrf", &csrf)]).await;
    assert_eq!((s, loc.as_str()), (StatusCode::SEE_OTHER, "/login"));
    let (r, _) = b.get("/org").await;
    assert_eq!(
        r,
        StatusCode::SEE_OTHER,
        "logged out on this server at once"
    );
    // The other server resolved this session a moment ago and may use that for as long as
    // it keeps resolved callers; after that it must see the logout.
    let until = std::time::Instant::now() + wangge::auth::CALLER_TTL + Duration::from_secs(15);
    loop {
        let r = app
            .client
            .get(format!("http://{second}/org"))
            .header(header::COOKIE, &cookie)
            .send()
            .await
            .expect("get");
        if r.status() == StatusCode::SEE_OTHER {
            break;
        }
        assert!(
            std::time::Instant::now() < until,
            "still logged in on the other server: {}",
            r.status()
        );
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
}

#[tokio::test]
async fn password_change_checks_and_ends_other_logins() {
    let app = TestApp::spawn().await;
    let t1 = app.token("wgy-liuan-2").await;
    let t2 = app.token("wgy-liuan-2").await;
    let (s, v) = app
        .send(
            Method::POST,
            &t1,
            "/api/v1/me/password",
            json!({"current_password": "wrong-pass1", "new_password": "new-pass-2026"}),
        )
        .await;
    assert_eq!(
        (s, v["error"]["code"].as_str()),
        (StatusCode::BAD_REQUEST, Some("wrong_password"))
    );
    let (s, v) = app
        .send(
            Method::POST,
            &t1,
            "/api/v1/me/password",
            json!({"current_password": PW, "new_password": "short"}),
        )
        .await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    assert!(
        v["error"]["message"]
            .as_str()
            .is_some_and(|m| m.contains("8 位"))
    );
    let (s, _) = app
        .send(
            Method::POST,
            &t1,
            "/api/v1/me/password",
            json!({"current_password": PW, "new_password": "new-pass-2026"}),
        )
        .await;
    assert_eq!(s, StatusCode::NO_CONTENT);
    assert_eq!(
        app.get(&t2, "/api/v1/me").await.0,
        StatusCode::UNAUTHORIZED,
        "other logins end"
    );
    let (s, _) = app
        .send(
            Method::POST,
            "",
            "/api/v1/auth/login",
            json!({"username": "wgy-liuan-2", "password": "new-pass-2026"}),
        )
        .await;
    assert_eq!(s, StatusCode::OK);
    let page = Browser::new(&app).get("/account").await;
    assert_eq!(page.0, StatusCode::SEE_OTHER, "pages need a login");
}

#[tokio::test]
async fn machine_tokens_are_issued_shown_once_and_revoked() {
    let app = TestApp::spawn().await;
    let admin = app.token("qinghe-admin").await;
    // Never as another person: a token for the command centre's account would let the
    // administrator reveal full ID numbers its own role withholds.
    for who in ["qinghe-zz", "liuan-sj", "jm-liuan"] {
        let (s, v) = app
            .send(
                Method::POST,
                &admin,
                "/api/v1/tokens",
                json!({"username": who, "name": "借用"}),
            )
            .await;
        assert_eq!(
            (s, v["error"]["code"].as_str()),
            (StatusCode::BAD_REQUEST, Some("not_service_account")),
            "{who}"
        );
    }
    // To oneself.
    let (s, v) = app
        .send(
            Method::POST,
            &admin,
            "/api/v1/tokens",
            json!({"name": "数据大屏"}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    let mine = v["token"].as_str().expect("token").to_owned();
    let (_, me) = app.get(&mine, "/api/v1/me").await;
    assert_eq!(me["username"], "qinghe-admin");
    // To a service account: no password, no login, a role without full view.
    let liuan = app.node_id(&admin, "330199001001").await;
    let (s, v) = app
        .send(
            Method::POST,
            &admin,
            "/api/v1/users",
            json!({"username": "hotline-12345", "display_name": "12345 热线", "role": "command_center", "org_id": app.node_id(&admin, "330199001000").await, "service": true}),
        )
        .await;
    assert_eq!(
        (s, v["error"]["code"].as_str()),
        (StatusCode::BAD_REQUEST, Some("bad_service_role")),
        "a service account never sees full ID numbers: {v}"
    );
    let (s, v) = app
        .send(
            Method::POST,
            &admin,
            "/api/v1/users",
            json!({"username": "hotline-12345", "display_name": "12345 热线", "role": "resident", "org_id": liuan, "service": true}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    assert_eq!(
        (v["service"].as_bool(), v["must_change_password"].as_bool()),
        (Some(true), Some(false))
    );
    let (s, v) = app
        .send(
            Method::POST,
            "",
            "/api/v1/auth/login",
            json!({"username": "hotline-12345", "password": "anything-2026"}),
        )
        .await;
    assert_eq!(
        (s, v["error"]["message"].as_str()),
        (StatusCode::UNAUTHORIZED, Some("用户名或密码错误")),
        "no login, and nothing said of what the account is"
    );
    let (s, v) = app
        .send(
            Method::POST,
            &admin,
            "/api/v1/tokens",
            json!({"username": "hotline-12345", "name": "12345 热线对接"}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED);
    let machine = v["token"].as_str().expect("token").to_owned();
    let id = v["id"].as_i64().expect("id");
    let (s, me) = app.get(&machine, "/api/v1/me").await;
    assert_eq!(
        (s, me["username"].as_str()),
        (StatusCode::OK, Some("hotline-12345"))
    );
    let (s, _) = app
        .send(
            Method::POST,
            &admin,
            &format!("/api/v1/users/{}/password", me["id"]),
            json!({"password": "guess-2026-x"}),
        )
        .await;
    assert_eq!(
        s,
        StatusCode::BAD_REQUEST,
        "a service account has no password"
    );
    let (_, list) = app.get(&admin, "/api/v1/tokens").await;
    assert!(
        !list.to_string().contains(&machine),
        "the list never shows the token"
    );
    // A token for an account outside the scope is refused.
    let (s, _) = app
        .send(
            Method::POST,
            &admin,
            "/api/v1/tokens",
            json!({"username": "wangjiang-zz", "name": "x"}),
        )
        .await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    let r = app
        .call(
            Method::DELETE,
            &admin,
            &format!("/api/v1/tokens/{id}"),
            None,
        )
        .await;
    assert_eq!(r.status(), StatusCode::NO_CONTENT);
    assert_eq!(
        app.get(&machine, "/api/v1/me").await.0,
        StatusCode::UNAUTHORIZED
    );
    // Only administrators manage tokens.
    let zz = app.token("qinghe-zz").await;
    assert_eq!(
        app.get(&zz, "/api/v1/tokens").await.0,
        StatusCode::FORBIDDEN
    );
}
