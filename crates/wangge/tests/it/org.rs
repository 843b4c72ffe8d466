//! The org tree through the API: create, rename, move, retire, delete, boundaries,
//! departments, import — with bad input refused and nothing written.

use crate::support::TestApp;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

const SQUARE: &str = r#"{"type":"Polygon","coordinates":[[[120.1,30.2],[120.11,30.2],[120.11,30.21],[120.1,30.21],[120.1,30.2]]]}"#;

#[tokio::test]
async fn the_tree_is_nested_and_scoped() {
    let app = TestApp::spawn().await;
    let admin = app.token("admin").await;
    let (s, tree) = app.get(&admin, "/api/v1/org/tree").await;
    assert_eq!(s, StatusCode::OK);
    let roots = tree.as_array().expect("array");
    assert_eq!(roots.len(), 1);
    assert_eq!(roots[0]["level"], "district");
    let streets = roots[0]["children"].as_array().expect("children");
    assert!(streets.len() >= 2, "two or more streets/towns");
    for key in ["id", "code", "name", "level", "children"] {
        assert!(streets[0].get(key).is_some(), "{key}");
    }
    let sj = app.token("liuan-sj").await;
    let (_, tree) = app.get(&sj, "/api/v1/org/tree").await;
    assert_eq!(
        tree[0]["name"], "柳岸社区",
        "a secretary's tree starts at the community"
    );
    assert!(
        tree[0]["children"]
            .as_array()
            .is_some_and(|g| g.iter().all(|g| g["level"] == "grid"))
    );
}

async fn node(app: &TestApp, t: &str, id: i64) -> Value {
    let (s, v) = app.get(t, &format!("/api/v1/org/nodes/{id}")).await;
    assert_eq!(s, StatusCode::OK);
    v
}

#[tokio::test]
async fn create_rename_and_refuse_bad_input() {
    let app = TestApp::spawn().await;
    let t = app.token("qinghe-admin").await;
    let community = app.node_id(&t, "330199001001").await;
    let before = app.audit_rows().await;
    let bad = [
        (
            json!({"parent_id": community, "level": "grid", "code": "G9", "name": "  "}),
            "invalid_input",
            "不能为空",
        ),
        (
            json!({"parent_id": community, "level": "grid", "code": "G9", "name": "长".repeat(51)}),
            "invalid_input",
            "50",
        ),
        (
            json!({"parent_id": community, "level": "grid", "code": "3301 99", "name": "网格"}),
            "invalid_input",
            "编码",
        ),
        (
            json!({"parent_id": community, "level": "planet", "code": "G9", "name": "网格"}),
            "bad_level",
            "层级",
        ),
        (
            json!({"parent_id": community, "level": "township", "code": "G9", "name": "网格"}),
            "bad_level",
            "不能添加",
        ),
        (
            json!({"parent_id": community, "level": "grid", "kind": "village", "code": "G9", "name": "网格"}),
            "bad_kind",
            "类型",
        ),
        (
            json!({"level": "grid", "code": "G9", "name": "网格"}),
            "parent_required",
            "上级",
        ),
        (json!({"parent_id": community}), "bad_json", "JSON"),
    ];
    for (body, code, word) in bad {
        let (s, v) = app
            .send(Method::POST, &t, "/api/v1/org/nodes", body.clone())
            .await;
        assert_eq!(s, StatusCode::BAD_REQUEST, "{body}");
        assert_eq!(v["error"]["code"], code, "{body}");
        assert!(
            v["error"]["message"]
                .as_str()
                .is_some_and(|m| m.contains(word)),
            "{body}: {v}"
        );
    }
    let (s, v) = app.send(Method::POST, &t, "/api/v1/org/nodes", json!({"parent_id": community, "level": "grid", "code": "33019900100101", "name": "重复"})).await;
    assert_eq!(
        (s, v["error"]["code"].as_str()),
        (StatusCode::CONFLICT, Some("duplicate_code"))
    );
    assert_eq!(app.audit_rows().await, before, "bad input writes nothing");

    let (s, g) = app.send(Method::POST, &t, "/api/v1/org/nodes", json!({"parent_id": community, "level": "grid", "code": "33019900100109", "name": "柳岸社区新网格"})).await;
    assert_eq!(s, StatusCode::CREATED);
    let id = g["id"].as_i64().expect("id");
    assert!(
        g["path"]
            .as_str()
            .is_some_and(|p| p.ends_with(&format!("/{community}/{id}/")))
    );
    assert_eq!(
        app.audit_rows().await,
        before + 1,
        "one write, one audit row"
    );

    let (s, r) = app
        .send(
            Method::PATCH,
            &t,
            &format!("/api/v1/org/nodes/{id}"),
            json!({"name": "柳岸社区第九网格", "version": 1}),
        )
        .await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(r["name"], "柳岸社区第九网格");
    assert_eq!(r["version"], 2);
    let (s, v) = app
        .send(
            Method::PATCH,
            &t,
            &format!("/api/v1/org/nodes/{id}"),
            json!({"name": "迟到的修改", "version": 1}),
        )
        .await;
    assert_eq!(
        (s, v["error"]["code"].as_str()),
        (StatusCode::CONFLICT, Some("stale_version")),
        "a lost update is refused"
    );
    assert_eq!(node(&app, &t, id).await["name"], "柳岸社区第九网格");

    let (s, audit) = app
        .get(&t, &format!("/api/v1/audit?entity=org_node&entity_id={id}"))
        .await;
    assert_eq!(s, StatusCode::OK);
    let items = audit["items"].as_array().expect("items");
    assert_eq!(items.len(), 2);
    assert_eq!(items[0]["action"], "update");
    assert_eq!(items[0]["actor"], "qinghe-admin");
    assert!(
        items[0]["changes"]
            .as_str()
            .is_some_and(|c| c.contains("柳岸社区第九网格") && c.contains("柳岸社区新网格"))
    );
}

#[tokio::test]
async fn moves_rewrite_the_subtree_and_refuse_cycles() {
    let app = TestApp::spawn().await;
    let t = app.token("admin").await;
    let grid = app.node_id(&t, "33019900100101").await;
    let community = app.node_id(&t, "330199001001").await;
    let other = app.node_id(&t, "330199002001").await;
    let before = app.audit_rows().await;
    let (s, v) = app
        .send(
            Method::POST,
            &t,
            &format!("/api/v1/org/nodes/{community}/move"),
            json!({"new_parent_id": grid, "version": 1}),
        )
        .await;
    assert_eq!(
        (s, v["error"]["code"].as_str()),
        (StatusCode::BAD_REQUEST, Some("bad_move"))
    );
    assert!(
        v["error"]["message"]
            .as_str()
            .is_some_and(|m| m.contains("下级"))
    );
    let street2 = app.node_id(&t, "330199002000").await;
    let (s, _) = app
        .send(
            Method::POST,
            &t,
            &format!("/api/v1/org/nodes/{grid}/move"),
            json!({"new_parent_id": street2, "version": 1}),
        )
        .await;
    assert_eq!(
        s,
        StatusCode::BAD_REQUEST,
        "a grid cannot sit under a street"
    );
    assert_eq!(app.audit_rows().await, before);

    // What hangs on the grid: a household with a resident, a case reported at a building.
    let gw = app.token("wgy-liuan-1").await;
    let building = app
        .int(&format!(
            "SELECT MIN(id) FROM org_nodes WHERE parent_id = {grid} AND level = 'building'"
        ))
        .await;
    let (s, h) = app
        .send(
            Method::POST,
            &gw,
            "/api/v1/households",
            json!({"building_id": building, "room": "5-501"}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{h}");
    let household = h["household"]["id"].as_i64().expect("household");
    let born = chrono::NaiveDate::from_ymd_opt(1975, 7, 7).expect("date");
    let (s, r) = app
        .send(
            Method::POST,
            &gw,
            "/api/v1/residents",
            json!({"household_id": household, "name": "陈搬家", "relation": "户主",
                   "id_number": wangge_core::people::make_id("330106", born, 5).expose()}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{r}");
    let resident = r["id"].as_i64().expect("resident");
    let (s, c) = app
        .send(Method::POST, &app.token("jm-liuan").await, "/api/v1/cases", json!({"title": "化粪池满溢", "description": "5幢后面化粪池满了", "building_id": building}))
        .await;
    assert_eq!(s, StatusCode::CREATED, "{c}");
    let case = c["id"].as_i64().expect("case");
    let before = app.audit_rows().await;

    let (s, moved) = app
        .send(
            Method::POST,
            &t,
            &format!("/api/v1/org/nodes/{grid}/move"),
            json!({"new_parent_id": other, "version": 1}),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{moved}");
    assert_eq!(app.audit_rows().await, before + 1, "one audited move");
    let new_path = moved["path"].as_str().expect("path").to_owned();
    // Every row under the grid carries the new path.
    for (table, id) in [
        ("households", household),
        ("residents", resident),
        ("cases", case),
    ] {
        let p = app
            .text(&format!("SELECT org_path FROM {table} WHERE id = {id}"))
            .await;
        assert!(p.starts_with(&new_path), "{table} {id}: {p}");
    }
    let moves = app
        .int(&format!(
            "SELECT COUNT(*) FROM resident_moves WHERE resident_id = {resident} AND org_path LIKE '{new_path}%'"
        ))
        .await;
    assert_eq!(moves, 1, "the resident's history moved along");
    let new_secretary = app.token("jiangbin-sj").await;
    for path in [
        format!("/api/v1/households/{household}"),
        format!("/api/v1/residents/{resident}"),
        format!("/api/v1/cases/{case}"),
    ] {
        assert_eq!(
            app.get(&new_secretary, &path).await.0,
            StatusCode::OK,
            "{path}"
        );
    }
    let old_secretary = app.token("liuan-sj").await;
    for path in [
        format!("/api/v1/households/{household}"),
        format!("/api/v1/residents/{resident}"),
    ] {
        assert_eq!(
            app.get(&old_secretary, &path).await.0,
            StatusCode::NOT_FOUND,
            "{path}"
        );
    }
    assert!(new_path.ends_with(&format!("/{other}/{grid}/")));
    // Buildings under the grid followed, and so did the grid worker's scope.
    let (_, kids) = app
        .get(&t, &format!("/api/v1/org/nodes?parent_id={grid}"))
        .await;
    let kids = kids.as_array().expect("kids");
    assert!(!kids.is_empty());
    assert!(
        kids.iter()
            .all(|k| k["path"].as_str().is_some_and(|p| p.starts_with(&new_path)))
    );
    assert!(
        kids.iter()
            .all(|k| k["depth"] == moved["depth"].as_i64().expect("depth") + 1)
    );
    let w = app.token("wgy-liuan-1").await;
    let (_, me) = app.get(&w, "/api/v1/me").await;
    assert_eq!(me["org"]["path"], new_path.as_str());
    let (_, tree) = app.get(&w, "/api/v1/org/tree").await;
    assert_eq!(tree[0]["id"], grid);
    // The old community's secretary no longer sees it; the new one does.
    let old_sj = app.token("liuan-sj").await;
    assert_eq!(
        app.get(&old_sj, &format!("/api/v1/org/nodes/{grid}"))
            .await
            .0,
        StatusCode::NOT_FOUND
    );
    let new_sj = app.token("jiangbin-sj").await;
    assert_eq!(
        app.get(&new_sj, &format!("/api/v1/org/nodes/{grid}"))
            .await
            .0,
        StatusCode::OK
    );
}

#[tokio::test]
async fn retire_keeps_and_delete_only_empties() {
    let app = TestApp::spawn().await;
    let t = app.token("admin").await;
    let grid = app.node_id(&t, "33019900100102").await;
    let r = app
        .call(
            Method::DELETE,
            &t,
            &format!("/api/v1/org/nodes/{grid}"),
            None,
        )
        .await;
    assert_eq!(r.status(), StatusCode::CONFLICT);
    let v: Value = r.json().await.expect("json");
    assert!(
        v["error"]["message"]
            .as_str()
            .is_some_and(|m| m.contains("停用"))
    );
    let (s, v) = app
        .send(
            Method::POST,
            &t,
            &format!("/api/v1/org/nodes/{grid}/retire"),
            json!({}),
        )
        .await;
    assert_eq!(s, StatusCode::OK);
    assert!(
        v["retired"].as_u64().is_some_and(|n| n > 1),
        "the subtree retires too"
    );
    assert_eq!(node(&app, &t, grid).await["status"], "retired");
    let (_, tree) = app.get(&t, "/api/v1/org/tree").await;
    assert!(
        !tree.to_string().contains("\"33019900100102\""),
        "retired nodes leave the tree"
    );
    let (_, tree) = app.get(&t, "/api/v1/org/tree?include_retired=true").await;
    assert!(tree.to_string().contains("\"33019900100102\""));
    let (s, _) = app
        .send(
            Method::POST,
            &t,
            &format!("/api/v1/org/nodes/{grid}/reactivate"),
            json!({}),
        )
        .await;
    assert_eq!(s, StatusCode::OK);
    // An empty building can be deleted.
    let (_, kids) = app
        .get(&t, &format!("/api/v1/org/nodes?parent_id={grid}"))
        .await;
    let b = kids[0]["id"].as_i64().expect("building");
    let (_, users) = app.get(&t, &format!("/api/v1/users?org_id={b}")).await;
    if users["total"] == 0 {
        assert_eq!(
            app.call(Method::DELETE, &t, &format!("/api/v1/org/nodes/{b}"), None)
                .await
                .status(),
            StatusCode::NO_CONTENT
        );
        assert_eq!(
            app.get(&t, &format!("/api/v1/org/nodes/{b}")).await.0,
            StatusCode::NOT_FOUND
        );
    }
}

#[tokio::test]
async fn boundaries_must_be_valid_polygons() {
    let app = TestApp::spawn().await;
    let t = app.token("admin").await;
    let grid = app.node_id(&t, "33019900100101").await;
    let (s, old) = app
        .get(&t, &format!("/api/v1/org/nodes/{grid}/boundary"))
        .await;
    assert_eq!(s, StatusCode::OK, "the demo grids have boundaries");
    for bad in [
        "not json",
        r#"{"type":"Point","coordinates":[120,30]}"#,
        r#"{"type":"Polygon","coordinates":[[[0,0],[2,2],[2,0],[0,2],[0,0]]]}"#,
        r#"{"type":"Polygon","coordinates":[[[120,30],[121,30],[121,31]]]}"#,
    ] {
        let r = app
            .client
            .put(app.url(&format!("/api/v1/org/nodes/{grid}/boundary")))
            .bearer_auth(&t)
            .body(bad)
            .send()
            .await
            .expect("put");
        assert_eq!(r.status(), StatusCode::BAD_REQUEST, "{bad}");
        let v: Value = r.json().await.expect("json");
        assert_eq!(v["error"]["code"], "bad_geojson");
        assert!(
            v["error"]["message"]
                .as_str()
                .is_some_and(|m| m.starts_with("边界不是有效的多边形"))
        );
    }
    assert_eq!(
        app.get(&t, &format!("/api/v1/org/nodes/{grid}/boundary"))
            .await
            .1,
        old,
        "nothing changed"
    );
    let r = app
        .client
        .put(app.url(&format!("/api/v1/org/nodes/{grid}/boundary")))
        .bearer_auth(&t)
        .body(SQUARE)
        .send()
        .await
        .expect("put");
    assert_eq!(r.status(), StatusCode::NO_CONTENT);
    let (_, now) = app
        .get(&t, &format!("/api/v1/org/nodes/{grid}/boundary"))
        .await;
    assert_eq!(now["type"], "Polygon");
    assert_eq!(now["coordinates"][0][1][0], 120.11);
    let svg = app
        .client
        .get(app.url(&format!("/org/nodes/{grid}/map.svg")))
        .bearer_auth(&t)
        .send()
        .await
        .expect("svg");
    assert_eq!(svg.status(), StatusCode::OK);
    assert!(svg.text().await.expect("text").starts_with("<svg"));
    // Buildings have no area.
    let (_, kids) = app
        .get(&t, &format!("/api/v1/org/nodes?parent_id={grid}"))
        .await;
    let b = kids[0]["id"].as_i64().expect("building");
    let r = app
        .client
        .put(app.url(&format!("/api/v1/org/nodes/{b}/boundary")))
        .bearer_auth(&t)
        .body(SQUARE)
        .send()
        .await
        .expect("put");
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn departments_attach_to_nodes() {
    let app = TestApp::spawn().await;
    let zz = app.token("qinghe-zz").await;
    let street = app.node_id(&zz, "330199001000").await;
    let (s, d) = app
        .send(
            Method::POST,
            &zz,
            &format!("/api/v1/org/nodes/{street}/departments"),
            json!({"name": "清河供电所", "kind": "供电所", "duty": "电力抢修"}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{d}");
    let (s, v) = app
        .send(
            Method::POST,
            &zz,
            &format!("/api/v1/org/nodes/{street}/departments"),
            json!({"name": "清河供电所"}),
        )
        .await;
    assert_eq!(
        (s, v["error"]["code"].as_str()),
        (StatusCode::CONFLICT, Some("duplicate_name"))
    );
    let (s, _) = app
        .send(
            Method::POST,
            &zz,
            &format!("/api/v1/org/nodes/{street}/departments"),
            json!({"name": ""}),
        )
        .await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    let id = d["id"].as_i64().expect("id");
    let (s, e) = app
        .send(
            Method::PATCH,
            &zz,
            &format!("/api/v1/departments/{id}"),
            json!({"status": "retired", "version": 1}),
        )
        .await;
    assert_eq!((s, e["status"].as_str()), (StatusCode::OK, Some("retired")));
    let other = app.node_id(&app.token("admin").await, "330199002000").await;
    let (s, _) = app
        .send(
            Method::POST,
            &zz,
            &format!("/api/v1/org/nodes/{other}/departments"),
            json!({"name": "越界部门"}),
        )
        .await;
    assert_eq!(
        s,
        StatusCode::NOT_FOUND,
        "another street's node is not in scope"
    );
    let (_, list) = app.get(&zz, "/api/v1/departments").await;
    assert!(
        list.as_array()
            .is_some_and(|l| l.iter().all(|d| d["org_name"] != "望江街道"))
    );
}

#[tokio::test]
async fn import_is_all_or_nothing_and_idempotent() {
    let app = TestApp::spawn().await;
    let t = app.token("qinghe-admin").await;
    let before = app.audit_rows().await;
    let bad = "编码,名称,层级,上级编码\n\
        33019900100491,翠苑社区新一网格,网格,330199001004\n\
        ,没有编码,网格,330199001004\n\
        3301990010049101,1幢,楼栋,33019900100491\n\
        33019900100492,翠苑社区新二网格,星球,330199001004\n\
        33019900100493,翠苑社区新三网格,网格,999\n\
        33019900100491,重复,网格,330199001004\n\
        330199002009,越界社区,社区,330199002000\n";
    let r = app
        .client
        .post(app.url("/api/v1/org/import"))
        .bearer_auth(&t)
        .body(bad)
        .send()
        .await
        .expect("import");
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    let rep: Value = r.json().await.expect("json");
    assert_eq!(rep["committed"], false);
    let lines: Vec<i64> = rep["errors"]
        .as_array()
        .expect("errors")
        .iter()
        .filter_map(|e| e["line"].as_i64())
        .collect();
    assert_eq!(lines, vec![3, 5, 6, 7, 8], "{rep}");
    assert_eq!(app.audit_rows().await, before, "nothing imported");
    let (_, n) = app.get(&t, "/api/v1/org/nodes?q=翠苑社区新一网格").await;
    assert_eq!(n.as_array().map(Vec::len), Some(0));

    let good = "编码,名称,层级,上级编码\n\
        3301990010049101,1幢,楼栋,33019900100491\n\
        33019900100491,翠苑社区新一网格,网格,330199001004\n";
    for (round, (ins, unch)) in [(2, 0), (0, 2)].into_iter().enumerate() {
        let r = app
            .client
            .post(app.url("/api/v1/org/import"))
            .bearer_auth(&t)
            .body(good)
            .send()
            .await
            .expect("import");
        assert_eq!(r.status(), StatusCode::OK, "round {round}");
        let rep: Value = r.json().await.expect("json");
        assert_eq!(
            (
                rep["committed"].as_bool(),
                rep["inserted"].as_i64(),
                rep["unchanged"].as_i64()
            ),
            (Some(true), Some(ins), Some(unch)),
            "round {round}: {rep}"
        );
    }
    let r = app
        .client
        .post(app.url("/api/v1/org/import"))
        .bearer_auth(&t)
        .body(vec![0u8, 159, 146, 150])
        .send()
        .await
        .expect("import");
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    let r = app
        .client
        .post(app.url("/api/v1/org/import"))
        .bearer_auth(&t)
        .body("名称,编码\nx,y\n")
        .send()
        .await
        .expect("import");
    let v: Value = r.json().await.expect("json");
    assert_eq!(v["error"]["code"], "missing_columns");
}

#[tokio::test]
async fn import_reads_xlsx() {
    let app = TestApp::spawn().await;
    let t = app.token("qinghe-admin").await;
    let rows = vec![vec![
        "33019900100495".to_owned(),
        "翠苑社区表格网格".to_owned(),
        "网格".to_owned(),
        "330199001004".to_owned(),
    ]];
    let bytes = wangge::web::xlsx::build("导入", &["编码", "名称", "层级", "上级编码"], &rows)
        .expect("xlsx");
    let r = app
        .client
        .post(app.url("/api/v1/org/import"))
        .bearer_auth(&t)
        .body(bytes)
        .send()
        .await
        .expect("import");
    assert_eq!(r.status(), StatusCode::OK);
    let (_, n) = app.get(&t, "/api/v1/org/nodes?q=翠苑社区表格网格").await;
    assert_eq!(n.as_array().map(Vec::len), Some(1));
}

#[tokio::test]
async fn two_editors_at_once_one_wins_one_is_told() {
    let app = TestApp::spawn().await;
    let t = app.token("admin").await;
    let grid = app.node_id(&t, "33019900100103").await;
    let path = format!("/api/v1/org/nodes/{grid}");
    let (a, b) = tokio::join!(
        app.send(
            Method::PATCH,
            &t,
            &path,
            json!({"name": "甲改的名字", "version": 1})
        ),
        app.send(
            Method::PATCH,
            &t,
            &path,
            json!({"name": "乙改的名字", "version": 1})
        ),
    );
    let mut statuses = [a.0, b.0];
    statuses.sort();
    assert_eq!(
        statuses,
        [StatusCode::OK, StatusCode::CONFLICT],
        "{a:?} {b:?}"
    );
    let loser = if a.0 == StatusCode::CONFLICT {
        &a.1
    } else {
        &b.1
    };
    assert_eq!(loser["error"]["code"], "stale_version");
    assert_eq!(node(&app, &t, grid).await["version"], 2);
}
