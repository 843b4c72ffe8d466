//! Scope between siblings: an account bound to one grid gets nothing from a sibling grid — by
//! API, by page, by guessing ids, or by export — and a secretary nothing of a sibling community.
//! Every route, as every role, against another street's ids of every kind, is walked by
//! `routes.rs`, which fails when a route is added without saying who may call it.

use crate::support::{Browser, TestApp};
use reqwest::StatusCode;
use serde_json::Value;

fn contains_id(v: &Value, id: i64) -> bool {
    match v {
        Value::Object(m) => {
            m.get("id").and_then(Value::as_i64) == Some(id)
                || m.values().any(|x| contains_id(x, id))
        }
        Value::Array(a) => a.iter().any(|x| contains_id(x, id)),
        _ => false,
    }
}

#[tokio::test]
async fn a_grid_worker_sees_nothing_of_a_sibling_grid() {
    let app = TestApp::spawn().await;
    let admin = app.token("admin").await;
    let grid_a = app.node_id(&admin, "33019900100101").await;
    let grid_b = app.node_id(&admin, "33019900100102").await;
    let (_, kids_b) = app
        .get(&admin, &format!("/api/v1/org/nodes?parent_id={grid_b}"))
        .await;
    let building_b = kids_b[0]["id"].as_i64().expect("a building in grid B");
    let (_, users_b) = app.get(&admin, "/api/v1/users?q=wgy-liuan-2").await;
    let user_b = users_b["items"][0]["id"].as_i64().expect("grid B's worker");
    let (_, deps) = app.get(&admin, "/api/v1/departments").await;
    let dep_out = deps[0]["id"].as_i64().expect("a department outside grid A");

    let w = app.token("wgy-liuan-1").await;
    // Lists: nothing of B.
    for path in [
        "/api/v1/org/tree",
        "/api/v1/org/tree?include_retired=true",
        "/api/v1/org/nodes",
        "/api/v1/org/nodes?include_retired=true",
        "/api/v1/departments",
    ] {
        let (s, v) = app.get(&w, path).await;
        assert_eq!(s, StatusCode::OK, "{path}");
        for id in [grid_b, building_b] {
            assert!(!contains_id(&v, id), "{path} leaks node {id}");
        }
        assert!(
            !contains_id(&v, dep_out),
            "{path} leaks department {dep_out}"
        );
    }
    let (_, nodes) = app.get(&w, "/api/v1/org/nodes").await;
    assert!(nodes.as_array().is_some_and(|n| n.iter().all(|n| {
        n["path"]
            .as_str()
            .is_some_and(|p| p.contains(&format!("/{grid_a}/")))
    })));
    // Details, by guessing ids: 404, never the data.
    for path in [
        format!("/api/v1/org/nodes/{grid_b}"),
        format!("/api/v1/org/nodes/{building_b}"),
        format!("/api/v1/org/nodes/{grid_b}/boundary"),
        format!("/api/v1/org/nodes/{grid_b}/departments"),
        format!("/api/v1/departments/{dep_out}"),
        format!("/org/nodes/{grid_b}/map.svg"),
    ] {
        let r = app
            .client
            .get(app.url(&path))
            .bearer_auth(&w)
            .send()
            .await
            .expect("get");
        assert_eq!(r.status(), StatusCode::NOT_FOUND, "{path}");
        let body = r.text().await.unwrap_or_default();
        assert!(!body.contains("柳岸社区第二网格"), "{path} leaks a name");
    }
    // Accounts and the audit log are not for grid workers at all.
    for path in [
        "/api/v1/users".to_owned(),
        format!("/api/v1/users/{user_b}"),
        "/api/v1/audit".to_owned(),
        "/api/v1/tokens".to_owned(),
    ] {
        assert_eq!(app.get(&w, &path).await.0, StatusCode::FORBIDDEN, "{path}");
    }
    // Pages and the export.
    let mut b = Browser::new(&app);
    b.login("wgy-liuan-1").await;
    for path in [
        format!("/org/nodes/{grid_b}"),
        format!("/org/nodes/{building_b}"),
    ] {
        let (s, body) = b.get(&path).await;
        assert_eq!(s, StatusCode::NOT_FOUND, "{path}");
        assert!(!body.contains("柳岸社区第二网格"));
    }
    for path in [
        "/org",
        "/org?show_buildings=1&include_retired=1",
        "/org?q=网格",
        "/departments",
        "/",
    ] {
        let (s, body) = b.get(path).await;
        assert_eq!(s, StatusCode::OK, "{path}");
        assert!(!body.contains("柳岸社区第二网格"), "{path} leaks grid B");
        assert!(
            !body.contains(&format!("/org/nodes/{grid_b}\"")),
            "{path} links grid B"
        );
    }
    let r = app
        .client
        .get(app.url("/org/export.xlsx"))
        .header(
            reqwest::header::COOKIE,
            b.cookies
                .iter()
                .map(|(k, v)| format!("{k}={v}"))
                .collect::<Vec<_>>()
                .join("; "),
        )
        .send()
        .await
        .expect("export");
    assert_eq!(r.status(), StatusCode::OK);
    let bytes = r.bytes().await.expect("bytes");
    let text = xlsx_text(&bytes);
    assert!(
        text.contains("柳岸社区第一网格"),
        "the export holds the worker's own grid"
    );
    assert!(!text.contains("柳岸社区第二网格"), "and nothing of grid B");
    for path in ["/users", "/audit", "/tokens", "/users/export.xlsx"] {
        assert_eq!(b.get(path).await.0, StatusCode::FORBIDDEN, "{path}");
    }
}

#[tokio::test]
async fn a_community_secretary_sees_nothing_of_a_sibling_community() {
    let app = TestApp::spawn().await;
    let admin = app.token("admin").await;
    let (_, users) = app.get(&admin, "/api/v1/users?q=wgy-fenglin-1").await;
    let other_user = users["items"][0]["id"].as_i64().expect("fenglin worker");
    let other = app.node_id(&admin, "330199001002").await;
    let sj = app.token("liuan-sj").await;
    assert_eq!(
        app.get(&sj, &format!("/api/v1/users/{other_user}")).await.0,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        app.get(&sj, &format!("/api/v1/users?org_id={other}"))
            .await
            .0,
        StatusCode::NOT_FOUND
    );
    let (_, list) = app.get(&sj, "/api/v1/users").await;
    assert!(!contains_id(&list, other_user));
    assert!(list["items"].as_array().is_some_and(|l| {
        l.iter()
            .all(|u| u["username"].as_str().is_some_and(|n| n.contains("liuan")))
    }));
    // A street administrator's audit log holds only the street's entries.
    app.token("qinghe-admin").await; // a login on the other street, which must not show
    let wa = app.token("wangjiang-admin").await;
    let (_, log) = app.get(&wa, "/api/v1/audit?entity=user&action=login").await;
    assert!(
        log["items"]
            .as_array()
            .is_some_and(|l| l.iter().all(|e| e["actor"] != "qinghe-admin")
                && l.iter().any(|e| e["actor"] == "wangjiang-admin")),
        "{log}"
    );
}

/// All the text of an XLSX's shared strings and sheets.
pub fn xlsx_text(bytes: &[u8]) -> String {
    use calamine::Reader;
    let mut wb =
        calamine::open_workbook_auto_from_rs(std::io::Cursor::new(bytes.to_vec())).expect("xlsx");
    let range = wb.worksheet_range_at(0).expect("sheet").expect("range");
    range
        .rows()
        .flat_map(|r| r.iter().map(|c| c.to_string()))
        .collect::<Vec<_>>()
        .join("\n")
}

/// On PostgreSQL every column the scope filter (and the name search) matches by prefix compares
/// bytewise, so `LIKE '/1/4/%'` can use its index (under C.UTF-8 or any other collation it
/// cannot, and reads the whole table). SQLite compares bytewise by itself.
#[tokio::test]
async fn prefix_matched_columns_compare_bytewise() {
    use sea_orm::ConnectionTrait;
    let app = TestApp::spawn().await;
    if app.schema.is_none() {
        return;
    }
    let columns = app
        .state
        .site
        .holds
        .iter()
        .filter(|h| h.by_path)
        .map(|h| (h.table, h.column))
        .chain(wangge::infra::db::migrations::PREFIX_COLUMNS)
        .chain(wangge::infra::db::migrations::SUMMARY_PATH_COLUMNS);
    for (table, column) in columns {
        let row = app
            .db
            .query_one_raw(wangge::infra::db::statement(
                &app.db,
                "SELECT collation_name FROM information_schema.columns \
                 WHERE table_schema = current_schema() AND table_name = $1 AND column_name = $2",
                vec![table.into(), column.into()],
            ))
            .await
            .expect("query")
            .unwrap_or_else(|| panic!("{table}.{column} exists"));
        let collation: Option<String> = row.try_get("", "collation_name").expect("collation");
        assert_eq!(collation.as_deref(), Some("C"), "{table}.{column}");
    }
    // And the planner takes the index for a scope's prefix.
    use sea_orm::TransactionTrait;
    let txn = app.db.begin().await.expect("begin");
    txn.execute_unprepared("SET LOCAL enable_seqscan = off")
        .await
        .expect("set");
    let plan = txn
        .query_all_raw(wangge::infra::db::statement(
            &txn,
            "EXPLAIN SELECT id FROM residents WHERE org_path LIKE '/1/2/%'",
            vec![],
        ))
        .await
        .expect("explain");
    txn.rollback().await.expect("rollback");
    let text: Vec<String> = plan
        .iter()
        .filter_map(|r| r.try_get_by_index::<String>(0).ok())
        .collect();
    assert!(text.iter().any(|l| l.contains("Index Cond")), "{text:?}");
}
