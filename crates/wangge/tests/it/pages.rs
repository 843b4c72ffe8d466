//! The web UI as every role sees it, and the forms an administrator uses.

use crate::support::{Browser, TestApp};
use reqwest::StatusCode;

#[tokio::test]
async fn every_demo_role_can_walk_its_street() {
    let app = TestApp::spawn().await;
    let accounts = [
        ("admin", true),
        ("district-zz", false),
        ("qinghe-admin", true),
        ("qinghe-zz", false),
        ("qinghe-pcs", false),
        ("liuan-sj", false),
        ("liuan-gz", false),
        ("taoyuan-sj", false),
        ("wgy-liuan-1", false),
        ("ldz-liuan", false),
        ("dy-liuan", false),
        ("jm-liuan", false),
    ];
    for (user, is_admin) in accounts {
        let mut b = Browser::new(&app);
        b.login(user).await;
        for path in [
            "/",
            "/org",
            "/org?show_buildings=1",
            "/departments",
            "/account",
        ] {
            let (s, body) = b.get(path).await;
            assert_eq!(s, StatusCode::OK, "{user} {path}");
            assert!(body.contains("<html lang=\"zh-CN\">"), "{user} {path}");
        }
        let t = app.token(user).await;
        let (_, me) = app.get(&t, "/api/v1/me").await;
        let own = me["org"]["id"].as_i64().expect("own node");
        let (s, body) = b.get(&format!("/org/nodes/{own}")).await;
        assert_eq!(s, StatusCode::OK, "{user} sees its own node");
        assert_eq!(
            body.contains("添加下级") || body.contains("修改名称"),
            is_admin,
            "{user}: management forms only for administrators"
        );
        let expect = if is_admin {
            StatusCode::OK
        } else {
            StatusCode::FORBIDDEN
        };
        assert_eq!(b.get("/audit").await.0, expect, "{user} /audit");
    }
}

#[tokio::test]
async fn an_administrator_manages_the_tree_and_accounts_in_the_browser() {
    let app = TestApp::spawn().await;
    let t = app.token("admin").await;
    let community = app.node_id(&t, "330199001001").await;
    let mut b = Browser::new(&app);
    let csrf = b.login("qinghe-admin").await;
    let (s, page) = b.get(&format!("/org/nodes/{community}")).await;
    assert_eq!(s, StatusCode::OK);
    assert!(
        page.contains("<svg"),
        "the community page draws its grid map"
    );
    let (s, loc) = b
        .post(
            &format!("/org/nodes/{community}/children"),
            &[
                ("_csrf", &csrf),
                ("level", "grid"),
                ("kind", "grid"),
                ("code", "33019900100188"),
                ("name", "柳岸社区测试网格"),
            ],
        )
        .await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    let (_, page) = b.get(&loc).await;
    assert!(page.contains("已添加“柳岸社区测试网格”"), "{loc}");
    // A bad form shows its message and writes nothing.
    let before = app.audit_rows().await;
    let (_, loc) = b
        .post(
            &format!("/org/nodes/{community}/children"),
            &[
                ("_csrf", &csrf),
                ("level", "grid"),
                ("code", "33019900100188"),
                ("name", "重复编码"),
            ],
        )
        .await;
    let (_, page) = b.get(&loc).await;
    assert!(page.contains("同一上级下已有编码为 33019900100188 的节点"));
    assert_eq!(app.audit_rows().await, before);
    // A boundary that is not a polygon.
    let (_, loc) = b
        .post(
            &format!("/org/nodes/{community}/boundary"),
            &[
                ("_csrf", &csrf),
                ("geojson", "{\"type\":\"Point\",\"coordinates\":[1,2]}"),
            ],
        )
        .await;
    let (_, page) = b.get(&loc).await;
    assert!(page.contains("边界不是有效的多边形"));
    // A new account, then its first login must change the password.
    let (s, page) = b
        .post(
            "/users/new",
            &[
                ("_csrf", &csrf),
                ("username", "x"),
                ("display_name", "测试"),
                ("role", "grid_worker"),
                ("org_id", &community.to_string()),
                ("password", "start-2026"),
            ],
        )
        .await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    assert!(
        page.contains("用户名须为 3–32 位"),
        "the form comes back with its message"
    );
    let grid = app.node_id(&t, "33019900100101").await;
    let (s, loc) = b
        .post(
            "/users/new",
            &[
                ("_csrf", &csrf),
                ("username", "test-worker"),
                ("display_name", "测试网格员"),
                ("role", "grid_worker"),
                ("org_id", &grid.to_string()),
                ("password", "start-2026"),
            ],
        )
        .await;
    assert_eq!(s, StatusCode::SEE_OTHER, "{loc}");
    let mut nb = Browser::new(&app);
    let (_, login) = nb.get("/login").await;
    let pre = crate::support::csrf_of(&login);
    let (_, to) = nb
        .post(
            "/login",
            &[
                ("_csrf", &pre),
                ("username", "test-worker"),
                ("password", "start-2026"),
            ],
        )
        .await;
    assert_eq!(to, "/account");
    assert_eq!(
        nb.get("/org").await.0,
        StatusCode::SEE_OTHER,
        "nothing else until the password changes"
    );
    let (_, acct) = nb.get("/account").await;
    let c2 = crate::support::csrf_of(&acct);
    let (_, to) = nb
        .post(
            "/account/password",
            &[
                ("_csrf", &c2),
                ("current", "start-2026"),
                ("new", "mine-2026x"),
                ("confirm", "mine-2026x"),
            ],
        )
        .await;
    assert_eq!(to, "/");
    assert_eq!(nb.get("/org").await.0, StatusCode::OK);
    // The audit page lists what happened.
    let (s, page) = b.get("/audit").await;
    assert_eq!(s, StatusCode::OK);
    assert!(page.contains("新建账号 test-worker"));
    // Exports are real spreadsheets.
    let (s, _) = b.get("/users/export.xlsx").await;
    assert_eq!(s, StatusCode::OK);
}
