//! The party slice: organizations laid over the tree, seen within one's subtree, set up by the
//! rules of shape, edited by version, dissolved only when nothing is under them — in the API
//! and the pages. (The scope of every party route is walked by `routes.rs` too.)

use crate::support::{Browser, TestApp};
use chrono::Datelike;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

fn names(tree: &Value) -> Vec<String> {
    fn walk(v: &Value, out: &mut Vec<String>) {
        for o in v.as_array().into_iter().flatten() {
            out.push(o["name"].as_str().unwrap_or("").to_owned());
            walk(&o["children"], out);
        }
    }
    let mut out = Vec::new();
    walk(tree, &mut out);
    out
}

#[tokio::test]
async fn each_level_sees_its_part_of_the_party_tree() {
    let app = TestApp::spawn().await;
    // The street's command centre: its working committee at the root, every branch under it.
    let zz = app.token("qinghe-zz").await;
    let (s, tree) = app.get(&zz, "/api/v1/party/orgs").await;
    assert_eq!(s, StatusCode::OK, "{tree}");
    assert_eq!(tree.as_array().map(Vec::len), Some(1), "one root: {tree}");
    assert_eq!(tree[0]["name"], "中共清河街道工作委员会");
    assert_eq!(tree[0]["kind_label"], "党(工)委");
    let all = names(&tree);
    assert!(
        all.contains(&"中共柳岸社区支部委员会".to_owned()),
        "{all:?}"
    );
    assert!(
        !all.iter().any(|n| n.contains("望江")),
        "nothing of another street: {all:?}"
    );
    // A term due within half a year and one overdue, as the demo made them.
    let text = tree.to_string();
    assert!(text.contains("\"term_state\":\"due_soon\""), "{text}");
    assert!(text.contains("\"term_state\":\"overdue\""), "{text}");

    // The community's secretary: the community's branch is a root, with its grid groups.
    let sj = app.token("liuan-sj").await;
    let (_, mine) = app.get(&sj, "/api/v1/party/orgs").await;
    assert_eq!(mine.as_array().map(Vec::len), Some(1), "{mine}");
    assert_eq!(mine[0]["name"], "中共柳岸社区支部委员会");
    assert_eq!(mine[0]["category_label"], "社区");
    assert!(
        mine[0]["children"]
            .as_array()
            .is_some_and(|c| !c.is_empty()),
        "its groups: {mine}"
    );
    // The committee above it is not named to the secretary, not even as a parent.
    let branch = mine[0]["id"].as_i64().expect("id");
    let committee = tree[0]["id"].as_i64().expect("id");
    let (s, _) = app
        .get(&sj, &format!("/api/v1/party/orgs/{committee}"))
        .await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let (s, v) = app.get(&sj, &format!("/api/v1/party/orgs/{branch}")).await;
    assert_eq!(s, StatusCode::OK, "{v}");

    // A grid worker sees the party on the grid (for the coverage of its households): its
    // grid's group, nothing above it.
    let w = app.token("wgy-liuan-1").await;
    let (s, grid) = app.get(&w, "/api/v1/party/orgs").await;
    assert_eq!(s, StatusCode::OK, "{grid}");
    assert_eq!(names(&grid), ["柳岸社区第一网格党小组"], "{grid}");
    // Roles without the party's view are refused.
    let t = app.token("qinghe-cg").await;
    let (s, _) = app.get(&t, "/api/v1/party/orgs").await;
    assert_eq!(s, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn organizations_are_set_up_by_the_rules_and_bad_input_changes_nothing() {
    let app = TestApp::spawn().await;
    let sj = app.token("liuan-sj").await;
    let admin = app.token("admin").await;
    let grid = app.node_id(&admin, "33019900100102").await;
    let community = app.node_id(&admin, "330199001001").await;
    let other_grid = app.node_id(&admin, "33019900200101").await;
    let (_, mine) = app.get(&sj, "/api/v1/party/orgs").await;
    let branch = mine[0]["id"].as_i64().expect("id");
    let group = |name: &str, node: i64| json!({"parent_id": branch, "org_node_id": node, "name": name, "kind": "党小组", "secretary": "顾文"});
    let audits = app.audit_rows().await;
    let orgs = app.int("SELECT COUNT(*) FROM party_orgs").await;
    let refused = [
        // A group straight under a committee's place: a branch at a grid.
        (
            json!({"parent_id": branch, "org_node_id": grid, "name": "网格支部", "kind": "党支部", "category": "社区"}),
            "bad_place",
            "不能建在网格",
        ),
        // A branch under a branch.
        (
            json!({"parent_id": branch, "org_node_id": community, "name": "无类别", "kind": "branch"}),
            "bad_place",
            "党支部下不能设党支部",
        ),
        (
            json!({"parent_id": branch, "org_node_id": grid, "name": "小组", "kind": "党小组", "category": "村"}),
            "bad_place",
            "不分类别",
        ),
        (
            json!({"parent_id": branch, "org_node_id": grid, "name": "未来", "kind": "党小组", "elected_on": "2099-01-01"}),
            "invalid_input",
            "不能晚于今天",
        ),
        (
            json!({"parent_id": branch, "org_node_id": grid, "name": "", "kind": "党小组"}),
            "invalid_input",
            "名称不能为空",
        ),
        (
            json!({"parent_id": branch, "org_node_id": grid, "name": "类型", "kind": "支委"}),
            "bad_kind",
            "请选择党组织类型",
        ),
        (
            json!({"parent_id": branch, "org_node_id": grid, "name": "乱码", "kind": "党小组", "note": "a\u{0}b"}),
            "invalid_input",
            "控制字符",
        ),
    ];
    for (body, code, words) in refused {
        let (s, v) = app
            .send(Method::POST, &sj, "/api/v1/party/orgs", body.clone())
            .await;
        assert_eq!(s, StatusCode::BAD_REQUEST, "{body}: {v}");
        assert_eq!(v["error"]["code"], code, "{body}: {v}");
        assert!(
            v["error"]["message"]
                .as_str()
                .is_some_and(|m| m.contains(words)),
            "{body}: {v}"
        );
    }
    // A node of another street is not found, whatever the body says.
    let (s, _) = app
        .send(
            Method::POST,
            &sj,
            "/api/v1/party/orgs",
            group("越界小组", other_grid),
        )
        .await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    assert_eq!(app.audit_rows().await, audits, "nothing written");
    assert_eq!(app.int("SELECT COUNT(*) FROM party_orgs").await, orgs);

    // A group at the second grid, then the same name again at the same node is refused by
    // the database's rule.
    let (s, g) = app
        .send(
            Method::POST,
            &sj,
            "/api/v1/party/orgs",
            group("第二网格党小组", grid),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{g}");
    assert_eq!(g["kind"], "group");
    assert_eq!(g["term_years"], Value::Null, "a group has no term");
    let (s, v) = app
        .send(
            Method::POST,
            &sj,
            "/api/v1/party/orgs",
            group("第二网格党小组", grid),
        )
        .await;
    assert_eq!(s, StatusCode::CONFLICT, "{v}");
    assert_eq!(v["error"]["code"], "duplicate_party_org");
    assert_eq!(
        app.audit_rows().await,
        audits + 1,
        "one entry for the one write"
    );
}

#[tokio::test]
async fn edits_keep_the_version_and_dissolving_needs_nothing_under() {
    let app = TestApp::spawn().await;
    let sj = app.token("liuan-sj").await;
    let (_, mine) = app.get(&sj, "/api/v1/party/orgs").await;
    let branch = &mine[0];
    let id = branch["id"].as_i64().expect("id");
    let version = branch["version"].as_i64().expect("version");
    // Elected six years ago: a five-year term is overdue.
    let six_years_ago = (wangge::infra::clock::today() - chrono::Days::new(6 * 366)).to_string();
    let edit = json!({"name": "中共柳岸社区支部委员会", "category": "社区", "secretary": "王秀兰",
                      "elected_on": six_years_ago, "version": version});
    let (s, v) = app
        .send(
            Method::PATCH,
            &sj,
            &format!("/api/v1/party/orgs/{id}"),
            edit.clone(),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["term_state"], "overdue", "{v}");
    assert!(
        v["term_label"]
            .as_str()
            .is_some_and(|l| l.contains("换届逾期"))
    );
    // The same version again is stale.
    let (s, v) = app
        .send(
            Method::PATCH,
            &sj,
            &format!("/api/v1/party/orgs/{id}"),
            edit,
        )
        .await;
    assert_eq!(s, StatusCode::CONFLICT, "{v}");
    assert_eq!(v["error"]["code"], "stale_version");
    // The branch has groups: it cannot be dissolved; a group can.
    let (s, v) = app
        .send(
            Method::POST,
            &sj,
            &format!("/api/v1/party/orgs/{id}/dissolve"),
            json!({}),
        )
        .await;
    assert_eq!(s, StatusCode::CONFLICT, "{v}");
    assert_eq!(v["error"]["code"], "has_children");
    let group = branch["children"][0]["id"].as_i64().expect("a group");
    let group_name = branch["children"][0]["name"]
        .as_str()
        .expect("name")
        .to_owned();
    let (s, _) = app
        .send(
            Method::POST,
            &sj,
            &format!("/api/v1/party/orgs/{group}/dissolve"),
            json!({}),
        )
        .await;
    assert_eq!(s, StatusCode::NO_CONTENT);
    let (_, after) = app.get(&sj, "/api/v1/party/orgs").await;
    assert!(!names(&after).contains(&group_name), "{after}");
    // The grid that held it may now be deleted as far as the party is concerned; the branch's
    // community is still held by the branch.
    let admin = app.token("admin").await;
    let community = app.node_id(&admin, "330199001001").await;
    let (s, v) = app
        .send(
            Method::DELETE,
            &admin,
            &format!("/api/v1/org/nodes/{community}"),
            json!({}),
        )
        .await;
    assert_eq!(s, StatusCode::CONFLICT, "{v}");
    assert!(v.to_string().contains("党组织"), "{v}");
}

#[tokio::test]
async fn the_pages_show_the_tree_and_set_up_a_group() {
    let app = TestApp::spawn().await;
    let mut zz = Browser::new(&app);
    zz.login("qinghe-zz").await;
    let (s, page) = zz.get("/party").await;
    assert_eq!(s, StatusCode::OK);
    assert!(
        page.contains("中共清河街道工作委员会") && page.contains("换届逾期"),
        "{page}"
    );
    assert!(!page.contains("望江街道工作委员会"));

    let mut sj = Browser::new(&app);
    let csrf = sj.login("liuan-sj").await;
    let (s, page) = sj.get("/party/orgs/new").await;
    assert_eq!(s, StatusCode::OK);
    assert!(
        page.contains("党小组") && page.contains("柳岸社区"),
        "{page}"
    );
    let admin = app.token("admin").await;
    let grid = app.node_id(&admin, "33019900100103").await.to_string();
    let (_, mine) = app
        .get(&app.token("liuan-sj").await, "/api/v1/party/orgs")
        .await;
    let branch = mine[0]["id"].as_i64().expect("id").to_string();
    let (s, page) = sj
        .post(
            "/party/orgs",
            &[
                ("_csrf", &csrf),
                ("kind", "group"),
                ("name", "第三网格党小组"),
                ("parent_id", &branch),
                ("org_node_id", &grid),
                ("category", ""),
                ("founded_on", ""),
                ("elected_on", ""),
            ],
        )
        .await;
    assert_eq!(s, StatusCode::SEE_OTHER, "{page}");
    assert!(
        page.starts_with("/party/orgs/"),
        "to the new organization's page: {page}"
    );
    let (_, page) = sj.get(&page).await;
    assert!(
        page.contains("第三网格党小组") && page.contains("已建立"),
        "{page}"
    );
    // Bad input on the page: back to the form with the reason, nothing made.
    let (s, back) = sj
        .post(
            "/party/orgs",
            &[
                ("_csrf", &csrf),
                ("kind", "branch"),
                ("name", "网格支部"),
                ("parent_id", &branch),
                ("org_node_id", &grid),
            ],
        )
        .await;
    assert_eq!(
        (s, back.as_str()),
        (StatusCode::SEE_OTHER, "/party/orgs/new")
    );
    let (_, page) = sj.get(&back).await;
    assert!(page.contains("不能建在网格"), "{page}");
    // The grid's node page lists its groups: the demo's and the new one.
    let (_, page) = sj.get(&format!("/org/nodes/{grid}")).await;
    assert!(
        page.contains("党组织（2）") && page.contains("第三网格党小组"),
        "{page}"
    );
}

/// The terms of office are the district's to set (1–10 years each); a branch elected four years
/// ago is overdue once a village's or community's term is three years.
#[tokio::test]
async fn the_district_sets_the_terms_and_the_street_only_reads_them() {
    let app = TestApp::spawn().await;
    let sj = app.token("liuan-sj").await;
    let (s, t) = app.get(&sj, "/api/v1/party/terms").await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(t, json!({"grassroots": 5, "other": 3}));
    // (Logging in is audited: every token is taken before the count.)
    let street_zz = app.token("qinghe-zz").await;
    let zz = app.token("district-zz").await;
    let audits = app.audit_rows().await;
    // A street's command centre and a community's secretary may manage branches, not the terms.
    for t in [&street_zz, &sj] {
        let (s, v) = app
            .send(
                Method::PUT,
                t,
                "/api/v1/party/terms",
                json!({"grassroots": 3, "other": 3}),
            )
            .await;
        assert_eq!(s, StatusCode::FORBIDDEN, "{v}");
    }
    for bad in [
        json!({"grassroots": 0, "other": 3}),
        json!({"grassroots": 5, "other": 11}),
    ] {
        let (s, v) = app.send(Method::PUT, &zz, "/api/v1/party/terms", bad).await;
        assert_eq!(s, StatusCode::BAD_REQUEST, "{v}");
        assert_eq!(v["error"]["code"], "bad_term");
    }
    assert_eq!(app.audit_rows().await, audits, "nothing written");
    // 柳岸's branch was elected in June some years ago; with a term of one year it is overdue.
    let (s, v) = app
        .send(
            Method::PUT,
            &zz,
            "/api/v1/party/terms",
            json!({"grassroots": 1, "other": 3}),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(app.audit_rows().await, audits + 1);
    let (_, mine) = app.get(&sj, "/api/v1/party/orgs").await;
    assert_eq!(mine[0]["term_years"], 1, "{mine}");
    assert_eq!(mine[0]["term_state"], "overdue", "{mine}");
    let (_, t) = app.get(&sj, "/api/v1/party/terms").await;
    assert_eq!(t, json!({"grassroots": 1, "other": 3}));
}

/// The party page's figures (organizations by kind, terms overdue and due within half a year)
/// are recounted here from the rows: the street's active organizations, and their terms
/// worked out afresh from `elected_on` (5 years for 村/社区 branches, 3 for the rest).
#[tokio::test]
async fn the_party_page_figures_are_a_recount_of_the_rows() {
    let app = TestApp::spawn().await;
    let admin = app.token("admin").await;
    let street = app.node_id(&admin, "330199001000").await;
    let path = app
        .text(&format!("SELECT path FROM org_nodes WHERE id = {street}"))
        .await;
    let rows = app
        .db
        .query_all_raw(sea_orm::Statement::from_string(
            app.db.get_database_backend(),
            format!(
                "SELECT kind, category, elected_on FROM party_orgs \
                 WHERE org_path LIKE '{path}%' AND status = 'active'"
            ),
        ))
        .await
        .expect("rows");
    use sea_orm::ConnectionTrait;
    let today = chrono::Utc::now()
        .with_timezone(&chrono::FixedOffset::east_opt(8 * 3600).expect("+8"))
        .date_naive();
    let (mut kinds, mut overdue, mut due_soon) = (std::collections::HashMap::new(), 0, 0);
    for r in rows {
        let kind: String = r.try_get("", "kind").expect("kind");
        let category: Option<String> = r.try_get("", "category").expect("category");
        let elected: Option<String> = r.try_get("", "elected_on").expect("elected");
        *kinds.entry(kind.clone()).or_insert(0) += 1;
        let Some(e) = elected.filter(|_| kind != "group") else {
            continue;
        };
        let e = chrono::NaiveDate::parse_from_str(&e, "%Y-%m-%d").expect("date");
        let years = if matches!(category.as_deref(), Some("village" | "community")) {
            5
        } else {
            3
        };
        let due = e
            .with_year(e.year() + years)
            .unwrap_or(e - chrono::Days::new(1));
        if today >= due {
            overdue += 1;
        } else if today >= due - chrono::Months::new(6) {
            due_soon += 1;
        }
    }
    let mut zz = Browser::new(&app);
    zz.login("qinghe-zz").await;
    let (_, page) = zz.get("/party").await;
    let shown = |label: &str, n: usize| page.contains(&format!("<b>{n}</b><span>{label}</span>"));
    for (kind, label) in [
        ("committee", "党(工)委"),
        ("general_branch", "党总支"),
        ("branch", "党支部"),
        ("group", "党小组"),
    ] {
        let n = kinds.get(kind).copied().unwrap_or(0);
        assert!(shown(label, n), "{label} {n}: {page}");
    }
    assert!(overdue > 0 && due_soon > 0, "the demo has both");
    assert!(shown("换届逾期", overdue), "overdue {overdue}");
    assert!(shown("半年内到期", due_soon), "due soon {due_soon}");
}
