//! Rules of the form "at most one …" are held by the database, not by a read before the write:
//! two people at the same moment, many rounds — exactly one wins, the other is told clearly,
//! and the rule holds after. SQLite lets one writer in at a time, so these races show on
//! PostgreSQL (CI runs them there); on SQLite they check the same answers.

use crate::support::{TestApp, id_number};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

const ROUNDS: usize = 12;

/// Sends two requests at the same moment; their (status, body).
async fn both(
    app: &TestApp,
    a: (Method, &str, String, Value),
    b: (Method, &str, String, Value),
) -> ((StatusCode, Value), (StatusCode, Value)) {
    tokio::join!(app.send(a.0, a.1, &a.2, a.3), app.send(b.0, b.1, &b.2, b.3))
}

fn wins(r: &[(StatusCode, Value)]) -> usize {
    r.iter().filter(|(s, _)| s.is_success()).count()
}

#[tokio::test]
async fn one_head_per_household_when_two_register_at_once() {
    let app = TestApp::spawn().await;
    let gw = app.token("wgy-liuan-1").await;
    let building = app.building_in("33019900100101").await;
    for round in 0..ROUNDS {
        let (s, h) = app
            .send(
                Method::POST,
                &gw,
                "/api/v1/households",
                json!({"building_id": building, "room": format!("R-{round}")}),
            )
            .await;
        assert_eq!(s, StatusCode::CREATED, "{h}");
        let hid = h["household"]["id"].as_i64().expect("id");
        let head = |k: u32| {
            (
                Method::POST,
                gw.as_str(),
                "/api/v1/residents".to_owned(),
                json!({"household_id": hid, "name": format!("户主{k}"), "relation": "户主",
                       "id_number": id_number((1970, 1, 1 + round as u32), k)}),
            )
        };
        let (a, b) = both(&app, head(1), head(2)).await;
        assert_eq!(
            wins(&[a.clone(), b.clone()]),
            1,
            "round {round}: {a:?} {b:?}"
        );
        let lost = if a.0.is_success() { b } else { a };
        assert_eq!(lost.1["error"]["code"], "two_heads", "{lost:?}");
        assert_eq!(
            app.int(&format!("SELECT COUNT(*) FROM residents WHERE household_id = {hid} AND relation = 'head' AND status = 'active'")).await,
            1
        );
    }
}

#[tokio::test]
async fn a_move_is_made_once_when_two_move_the_same_person() {
    let app = TestApp::spawn().await;
    let gw = app.token("wgy-liuan-1").await;
    let building = app.building_in("33019900100101").await;
    let mut homes = Vec::new();
    for k in 0..2 {
        let (_, h) = app
            .send(
                Method::POST,
                &gw,
                "/api/v1/households",
                json!({"building_id": building, "room": format!("M-{k}")}),
            )
            .await;
        homes.push(h["household"]["id"].as_i64().expect("id"));
    }
    for round in 0..ROUNDS {
        let (home, who) = app
            .household_with_head(
                &gw,
                building,
                "李搬",
                &id_number((1981, 2, 3), 300 + round as u32),
                json!({}),
            )
            .await;
        let to = |h: i64| {
            (
                Method::POST,
                gw.as_str(),
                format!("/api/v1/residents/{who}/move"),
                json!({"kind": "transfer", "to_household": h, "version": 1}),
            )
        };
        let (a, b) = both(&app, to(homes[0]), to(homes[1])).await;
        assert_eq!(
            wins(&[a.clone(), b.clone()]),
            1,
            "round {round}: {a:?} {b:?}"
        );
        let lost = if a.0.is_success() { b } else { a };
        assert_eq!(lost.1["error"]["code"], "stale_version", "{lost:?}");
        assert_eq!(
            app.int(&format!("SELECT COUNT(*) FROM resident_moves WHERE resident_id = {who} AND kind = 'transfer'")).await,
            1,
            "one move in the history"
        );
        let now = app
            .int(&format!(
                "SELECT household_id FROM residents WHERE id = {who}"
            ))
            .await;
        assert!(homes.contains(&now) && now != home);
    }
}

#[tokio::test]
async fn a_community_has_one_item_of_a_name() {
    let app = TestApp::spawn().await;
    let sj = app.token("liuan-sj").await;
    let liuan = app.node_id(&sj, "330199001001").await;
    for round in 0..ROUNDS {
        let item = || {
            (
                Method::POST,
                sj.as_str(),
                "/api/v1/assessment-items".to_owned(),
                json!({"org_id": liuan, "name": format!("门前三包{round}"), "max_score": 10}),
            )
        };
        let (a, b) = both(&app, item(), item()).await;
        assert_eq!(
            wins(&[a.clone(), b.clone()]),
            1,
            "round {round}: {a:?} {b:?}"
        );
        let lost = if a.0.is_success() { b } else { a };
        assert_eq!(lost.1["error"]["code"], "duplicate_item", "{lost:?}");
    }
}

#[tokio::test]
async fn the_tree_keeps_its_shape_when_two_administrators_act_at_once() {
    let app = TestApp::spawn().await;
    let admin = app.token("qinghe-admin").await;
    let liuan = app.node_id(&admin, "330199001001").await;
    let fenglin = app.node_id(&admin, "330199001002").await;
    for round in 0..ROUNDS {
        // Delete an empty grid while another adds a building under it.
        let (s, g) = app
            .send(Method::POST, &admin, "/api/v1/org/nodes", json!({"parent_id": liuan, "level": "grid", "code": format!("T{round}"), "name": format!("临时网格{round}")}))
            .await;
        assert_eq!(s, StatusCode::CREATED, "{g}");
        let grid = g["id"].as_i64().expect("id");
        let ((d, _), (c, child)) = tokio::join!(
            async {
                let r = app
                    .call(
                        Method::DELETE,
                        &admin,
                        &format!("/api/v1/org/nodes/{grid}"),
                        None,
                    )
                    .await;
                (r.status(), ())
            },
            app.send(
                Method::POST,
                &admin,
                "/api/v1/org/nodes",
                json!({"parent_id": grid, "level": "building", "code": "1", "name": "1幢"})
            )
        );
        assert!(
            !(d.is_success() && c.is_success()),
            "round {round}: both the delete and the child: {child}"
        );
        assert_eq!(
            app.int(&format!("SELECT COUNT(*) FROM org_nodes WHERE parent_id = {grid} AND NOT EXISTS (SELECT 1 FROM org_nodes p WHERE p.id = {grid})")).await,
            0,
            "no orphan"
        );
        // Retire a grid while another adds a building under it: nothing active under it.
        let (_, g) = app
            .send(Method::POST, &admin, "/api/v1/org/nodes", json!({"parent_id": liuan, "level": "grid", "code": format!("U{round}"), "name": format!("停用网格{round}")}))
            .await;
        let grid = g["id"].as_i64().expect("id");
        let retire = format!("/api/v1/org/nodes/{grid}/retire");
        let _ = tokio::join!(
            app.call(Method::POST, &admin, &retire, None),
            app.send(
                Method::POST,
                &admin,
                "/api/v1/org/nodes",
                json!({"parent_id": grid, "level": "building", "code": "1", "name": "1幢"})
            )
        );
        let retired = app
            .text(&format!("SELECT status FROM org_nodes WHERE id = {grid}"))
            .await
            == "retired";
        let active_under = app
            .int(&format!(
                "SELECT COUNT(*) FROM org_nodes WHERE parent_id = {grid} AND status = 'active'"
            ))
            .await;
        assert!(
            !(retired && active_under > 0),
            "round {round}: an active node under a retired one"
        );
        // Move a grid into a community while that community moves: the paths agree after.
        let (_, g) = app
            .send(Method::POST, &admin, "/api/v1/org/nodes", json!({"parent_id": liuan, "level": "grid", "code": format!("V{round}"), "name": format!("移动网格{round}")}))
            .await;
        let grid = g["id"].as_i64().expect("id");
        let (_, c) = app
            .get(&admin, &format!("/api/v1/org/nodes/{fenglin}"))
            .await;
        let street2 = app
            .node_id(
                &app.token("admin").await,
                if round % 2 == 0 {
                    "330199002000"
                } else {
                    "330199001000"
                },
            )
            .await;
        let district = app.token("admin").await;
        let (move_grid, move_community) = (
            format!("/api/v1/org/nodes/{grid}/move"),
            format!("/api/v1/org/nodes/{fenglin}/move"),
        );
        let _ = tokio::join!(
            app.send(
                Method::POST,
                &admin,
                &move_grid,
                json!({"new_parent_id": fenglin, "version": 1})
            ),
            app.send(
                Method::POST,
                &district,
                &move_community,
                json!({"new_parent_id": street2, "version": c["version"]})
            )
        );
        let bad = app
            .int("SELECT COUNT(*) FROM org_nodes c JOIN org_nodes p ON c.parent_id = p.id WHERE c.path <> p.path || CAST(c.id AS TEXT) || '/'")
            .await;
        assert_eq!(
            bad, 0,
            "round {round}: a path that does not follow its parent's"
        );
        // Put it back where the district admin can reach it next round.
        let (_, c) = app
            .get(&district, &format!("/api/v1/org/nodes/{fenglin}"))
            .await;
        let qinghe = app.node_id(&district, "330199001000").await;
        if c["parent_id"].as_i64() != Some(qinghe) {
            let (s, v) = app
                .send(
                    Method::POST,
                    &district,
                    &format!("/api/v1/org/nodes/{fenglin}/move"),
                    json!({"new_parent_id": qinghe, "version": c["version"]}),
                )
                .await;
            assert_eq!(s, StatusCode::OK, "{v}");
        }
    }
}

#[tokio::test]
async fn a_case_is_merged_only_into_an_open_one_and_pressed_once() {
    let app = TestApp::spawn().await;
    let sj = app.token("liuan-sj").await;
    let building = app.building_in("33019900100101").await;
    let report = |t: &'static str| {
        let app = &app;
        let sj = sj.clone();
        async move {
            let (s, c) = app
                .send(Method::POST, &sj, "/api/v1/cases", json!({"title": t, "description": format!("{t}，请处理"), "category": "WY03", "building_id": building}))
                .await;
            assert_eq!(s, StatusCode::CREATED, "{c}");
            c
        }
    };
    for round in 0..ROUNDS {
        let a = report("楼道堆物").await;
        let b = report("楼道堆满杂物").await;
        let _ = both(
            &app,
            (
                Method::POST,
                &sj,
                format!("/api/v1/cases/{}/actions", a["id"]),
                json!({"action": "merge", "into": b["case_no"], "version": a["version"]}),
            ),
            (
                Method::POST,
                &sj,
                format!("/api/v1/cases/{}/actions", b["id"]),
                json!({"action": "reject", "text": "不属于受理范围", "version": b["version"]}),
            ),
        )
        .await;
        // If both went through, the merge came first: never into a case already closed.
        let merged = app
            .text(&format!("SELECT status FROM cases WHERE id = {}", a["id"]))
            .await
            == "merged";
        if merged {
            let merged_in = app
                .int(&format!(
                    "SELECT MIN(id) FROM case_events WHERE case_id = {} AND action = 'merged_in'",
                    b["id"]
                ))
                .await;
            let rejected = app
                .scalar(&format!("SELECT COALESCE(MIN(id), 0) FROM case_events WHERE case_id = {} AND action = 'reject'", b["id"]))
                .await
                .as_i64()
                .unwrap_or(0);
            assert!(
                rejected == 0 || merged_in < rejected,
                "round {round}: merged into a rejected case"
            );
        }
    }
    // The pressing job, run twice at the same instant, presses once.
    let grid = app.node_id(&sj, "33019900100101").await;
    let c = report("楼道堆物要处理").await;
    let id = c["id"].as_i64().expect("id");
    let c = app
        .act(&sj, id, json!({"action": "dispatch", "org_id": grid}))
        .await;
    let due = c["handle_due"].as_i64().expect("due");
    let at = due + 30 * 86_400_000;
    let cases = wangge::cases::CasesState::of(&app.state);
    let (x, y) = tokio::join!(
        wangge::cases::press::run_once(&cases, at),
        wangge::cases::press::run_once(&cases, at)
    );
    let (x, y) = (x.expect("press"), y.expect("press"));
    assert_eq!(
        (x.urged + y.urged, x.supervised + y.supervised),
        (1, 1),
        "{x:?} {y:?}"
    );
    assert_eq!(
        app.int(&format!("SELECT COUNT(*) FROM case_events WHERE case_id = {id} AND action IN ('urge', 'auto_supervise')")).await,
        2
    );
}

/// Exactly one of two answers succeeded, and the other is a 409.
fn one_wins_one_is_told(round: usize, a: &(StatusCode, Value), b: &(StatusCode, Value)) {
    assert_eq!(
        wins(&[a.clone(), b.clone()]),
        1,
        "round {round}: {a:?} {b:?}"
    );
    let lost = if a.0.is_success() { b } else { a };
    assert_eq!(lost.0, StatusCode::CONFLICT, "round {round}: {lost:?}");
}

#[tokio::test]
async fn two_sessions_acting_on_one_case_at_once_give_one_winner_and_a_409() {
    let app = TestApp::spawn().await;
    let sj = app.token("liuan-sj").await;
    let other_session = app.token("liuan-sj").await;
    let gw = app.token("wgy-liuan-1").await;
    let gw2 = app.token("wgy-liuan-1").await;
    let building = app.building_in("33019900100101").await;
    for round in 0..ROUNDS {
        // Two screeners' sessions on one report: one accepts, one rejects, the same version.
        let (s, c) = app
            .send(Method::POST, &sj, "/api/v1/cases", json!({"title": "路灯不亮", "description": "小区路灯坏了", "category": "WY03", "building_id": building}))
            .await;
        assert_eq!(s, StatusCode::CREATED, "{c}");
        let id = c["id"].as_i64().expect("id");
        let path = format!("/api/v1/cases/{id}/actions");
        let (a, b) = both(
            &app,
            (
                Method::POST,
                &sj,
                path.clone(),
                json!({"action": "accept", "version": c["version"]}),
            ),
            (
                Method::POST,
                &other_session,
                path.clone(),
                json!({"action": "reject", "text": "重复反映", "version": c["version"]}),
            ),
        )
        .await;
        one_wins_one_is_told(round, &a, &b);
        // One step on the timeline besides the report, and the version moved once.
        assert_eq!(
            app.int(&format!(
                "SELECT COUNT(*) FROM case_events WHERE case_id = {id}"
            ))
            .await,
            2,
            "round {round}"
        );
        assert_eq!(
            app.int(&format!(
                "SELECT COUNT(*) FROM cases WHERE id = {id} AND version = 2"
            ))
            .await,
            1
        );
        // An errand two workers take at the same moment has one taker.
        let (s, e) = app
            .send(Method::POST, &sj, "/api/v1/cases", json!({"kind": "errand", "category": "DB03", "title": "帮忙买菜", "description": "独居老人需要代买一周的菜", "building_id": building}))
            .await;
        assert_eq!(s, StatusCode::CREATED, "{e}");
        let path = format!("/api/v1/cases/{}/actions", e["id"]);
        let (a, b) = both(
            &app,
            (
                Method::POST,
                &gw,
                path.clone(),
                json!({"action": "take", "version": e["version"]}),
            ),
            (
                Method::POST,
                &gw2,
                path.clone(),
                json!({"action": "take", "version": e["version"]}),
            ),
        )
        .await;
        one_wins_one_is_told(round, &a, &b);
    }
}

#[tokio::test]
async fn tries_sent_at_once_are_all_counted() {
    let app = TestApp::spawn().await;
    let liuan = app.node_id(&app.token("admin").await, "330199001001").await;
    // Twenty wrong passwords at once for one name: at most five are even checked.
    let mut tries = Vec::new();
    for _ in 0..20 {
        tries.push(app.send(
            Method::POST,
            "",
            "/api/v1/auth/login",
            json!({"username": "liuan-gz", "password": "wrong-2026-x"}),
        ));
    }
    let answers = futures_util::future::join_all(tries).await;
    let checked = answers
        .iter()
        .filter(|(s, _)| *s == StatusCode::UNAUTHORIZED)
        .count();
    let refused = answers
        .iter()
        .filter(|(s, _)| *s == StatusCode::TOO_MANY_REQUESTS)
        .count();
    assert!(
        checked <= 5 && checked + refused == 20,
        "{checked} checked, {refused} refused"
    );
    // Thirty public reports at once from one address: at most twenty are taken in.
    let session = app.public_session().await;
    let mut sent = Vec::new();
    for k in 0..30 {
        let fields = vec![
            ("title", "路灯不亮".to_owned()),
            ("description", "东门路灯不亮".to_owned()),
            ("reporter_phone", "13912345678".to_owned()),
            ("org_id", liuan.to_string()),
            ("idem", format!("burst-{k}")),
        ];
        let session = session.clone();
        let app = &app;
        sent.push(async move { app.public_report(&session, &fields).await.status() });
    }
    let statuses = futures_util::future::join_all(sent).await;
    let taken = statuses.iter().filter(|s| **s == StatusCode::OK).count();
    assert!(taken <= 20, "{taken} taken in");
    assert!(
        statuses
            .iter()
            .all(|s| *s == StatusCode::OK || *s == StatusCode::TOO_MANY_REQUESTS),
        "{statuses:?}"
    );
}

#[tokio::test]
async fn the_tree_has_one_root_even_when_two_make_it_at_once() {
    let dir = tempfile::tempdir().expect("dir");
    let (_, _, db) = crate::support::fresh_db(dir.path()).await;
    wangge::app::migrate(&db).await.expect("migrate");
    let cli = wangge::web::Caller::cli();
    for round in 0..ROUNDS {
        let root = |k: usize| {
            wangge::org::service::create(
                &db,
                &cli,
                wangge::org::service::NewNode {
                    parent_id: None,
                    level: "district".into(),
                    kind: None,
                    code: format!("33{round}{k}"),
                    name: format!("区{round}{k}"),
                    sort_order: None,
                },
            )
        };
        let (a, b) = tokio::join!(root(1), root(2));
        let made = usize::from(a.is_ok()) + usize::from(b.is_ok());
        assert_eq!(made, usize::from(round == 0), "round {round}: {a:?} {b:?}");
        if round > 0 {
            assert!(a.is_err_and(|e| e.code() == "one_root"));
        }
    }
}

#[tokio::test]
async fn a_resident_has_one_membership_and_a_branch_one_secretary_when_two_act_at_once() {
    let app = TestApp::spawn().await;
    let gw = app.token("wgy-liuan-1").await;
    let zz = app.token("qinghe-zz").await;
    let building = app.building_in("33019900100101").await;
    let (_, tree) = app.get(&zz, "/api/v1/party/orgs").await;
    let branches: Vec<i64> = tree[0]["children"]
        .as_array()
        .expect("branches")
        .iter()
        .filter(|o| o["kind"] == "branch")
        .filter_map(|o| o["id"].as_i64())
        .take(2)
        .collect();
    assert_eq!(branches.len(), 2, "{tree}");
    let full = |resident: i64, branch: i64| {
        (
            Method::POST,
            zz.as_str(),
            "/api/v1/party/members".to_owned(),
            json!({"resident_id": resident, "party_org_id": branch, "stage": "full",
                   "applied_on": "2010-01-01", "joined_on": "2011-01-01", "full_on": "2012-01-01"}),
        )
    };
    let mut members = Vec::new();
    for round in 0..ROUNDS {
        let (_, resident) = app
            .household_with_head(
                &gw,
                building,
                &format!("党员{round}"),
                &id_number((1966, 2, 1 + round as u32), 41 + round as u32),
                json!({}),
            )
            .await;
        // Two branches register the same resident at once: one membership.
        let (a, b) = both(
            &app,
            full(resident, branches[0]),
            full(resident, branches[1]),
        )
        .await;
        assert_eq!(
            wins(&[a.clone(), b.clone()]),
            1,
            "round {round}: {a:?} {b:?}"
        );
        let (won, lost) = if a.0.is_success() { (a, b) } else { (b, a) };
        assert_eq!(lost.1["error"]["code"], "already_member", "{lost:?}");
        if won.1["party_org_id"] == branches[0] {
            members.push(won.1["id"].as_i64().expect("id"));
        }
        assert_eq!(
            app.int(&format!(
                "SELECT COUNT(*) FROM party_members WHERE resident_id = {resident} AND status = 'active'"
            ))
            .await,
            1
        );
    }
    // Two members of one branch named its secretary at once: one secretary.
    for pair in members.chunks(2).filter(|p| p.len() == 2) {
        let name = |m: i64| {
            (
                Method::PATCH,
                zz.as_str(),
                format!("/api/v1/party/members/{m}"),
                json!({"post": "书记"}),
            )
        };
        let (a, b) = both(&app, name(pair[0]), name(pair[1])).await;
        assert!(wins(&[a.clone(), b.clone()]) <= 1, "{a:?} {b:?}");
        assert_eq!(
            app.int(&format!(
                "SELECT COUNT(*) FROM party_members WHERE party_org_id = {} AND post = 'secretary' AND status = 'active'",
                branches[0]
            ))
            .await,
            1
        );
        // Free the post for the next pair.
        let holder = app
            .int(&format!(
                "SELECT id FROM party_members WHERE party_org_id = {} AND post = 'secretary' AND status = 'active'",
                branches[0]
            ))
            .await;
        let (s, v) = app
            .send(
                Method::PATCH,
                &zz,
                &format!("/api/v1/party/members/{holder}"),
                json!({"post": ""}),
            )
            .await;
        assert_eq!(s, StatusCode::OK, "{v}");
    }
}

#[tokio::test]
async fn a_joint_branch_has_one_unit_of_a_name_and_a_branch_merges_once() {
    let app = TestApp::spawn().await;
    let zz = app.token("qinghe-zz").await;
    let admin = app.token("admin").await;
    let liuan = app.node_id(&admin, "330199001001").await;
    let (_, tree) = app.get(&zz, "/api/v1/party/orgs").await;
    let committee = tree[0]["id"].as_i64().expect("the street's committee");
    let branch = |name: String, category: &'static str| {
        let (app, zz) = (&app, &zz);
        async move {
            let (s, v) = app
                .send(
                    Method::POST,
                    zz,
                    "/api/v1/party/orgs",
                    json!({"parent_id": committee, "org_node_id": liuan, "name": name,
                           "kind": "branch", "category": category}),
                )
                .await;
            assert_eq!(s, StatusCode::CREATED, "{v}");
            v["id"].as_i64().expect("id")
        }
    };
    let joint = branch("柳岸联合党支部".into(), "联合支部").await;
    for round in 0..ROUNDS {
        let unit = || {
            (
                Method::POST,
                zz.as_str(),
                format!("/api/v1/party/orgs/{joint}/units"),
                json!({"name": format!("柳岸商户{round}"), "kind": "企业", "joined_on": "2025-01-01"}),
            )
        };
        let (a, b) = both(&app, unit(), unit()).await;
        assert_eq!(
            wins(&[a.clone(), b.clone()]),
            1,
            "round {round}: {a:?} {b:?}"
        );
        let lost = if a.0.is_success() { b } else { a };
        assert_eq!(lost.1["error"]["code"], "duplicate_unit", "{lost:?}");
    }
    // Two merges of one branch at once, into two others: it merges once, into one.
    for round in 0..ROUNDS / 3 {
        let from = branch(format!("柳岸甲支部{round}"), "社区").await;
        let to1 = branch(format!("柳岸乙支部{round}"), "社区").await;
        let to2 = branch(format!("柳岸丙支部{round}"), "社区").await;
        let merge = |to: i64| {
            (
                Method::POST,
                zz.as_str(),
                format!("/api/v1/party/orgs/{from}/reorganize"),
                json!({"kind": "merge", "to": to, "on": "2026-06-01"}),
            )
        };
        let (a, b) = both(&app, merge(to1), merge(to2)).await;
        assert_eq!(
            wins(&[a.clone(), b.clone()]),
            1,
            "round {round}: {a:?} {b:?}"
        );
        let changes = app
            .int(&format!(
                "SELECT COUNT(*) FROM party_org_changes WHERE from_org_id = {from}"
            ))
            .await;
        assert_eq!(changes, 1, "round {round}");
    }
}

#[tokio::test]
async fn a_member_makes_at_most_five_pledges_a_year_when_two_are_made_at_once() {
    let app = TestApp::spawn().await;
    let sj = app.token("liuan-sj").await;
    let branch = crate::party_members::branch_of(&app, "liuan-sj").await;
    let people =
        crate::party_members::residents(&app, "wgy-liuan-1", "33019900100101", 4, 760).await;
    for (round, (r, _)) in people.iter().enumerate() {
        let m = crate::party_members::member(&app, &sj, branch, *r, true).await;
        let pledge = |i: usize| {
            (
                Method::POST,
                sj.as_str(),
                "/api/v1/party/pledges".to_owned(),
                json!({"member_id": m["id"], "content": format!("承诺 {round}-{i}")}),
            )
        };
        for i in 0..4 {
            let (s, v) = app
                .send(pledge(i).0, pledge(i).1, &pledge(i).2, pledge(i).3)
                .await;
            assert_eq!(s, StatusCode::CREATED, "{v}");
        }
        let (a, b) = both(&app, pledge(4), pledge(5)).await;
        assert_eq!(
            wins(&[a.clone(), b.clone()]),
            1,
            "round {round}: {a:?} {b:?}"
        );
        let lost = if a.0.is_success() { b } else { a };
        assert_eq!(lost.1["error"]["code"], "too_many", "{lost:?}");
        let n = app
            .int(&format!(
                "SELECT COUNT(*) FROM party_pledges WHERE member_id = {}",
                m["id"]
            ))
            .await;
        assert_eq!(n, 5, "round {round}");
    }
}

#[tokio::test]
async fn two_claims_of_the_last_share_of_a_wish_leave_one_winner() {
    let app = TestApp::spawn().await;
    let sj = app.token("liuan-sj").await;
    let gw = app.token("wgy-liuan-1").await;
    let branch = crate::party_members::branch_of(&app, "liuan-sj").await;
    let people =
        crate::party_members::residents(&app, "wgy-liuan-1", "33019900100101", 6, 940).await;
    let account = app
        .int("SELECT id FROM users WHERE username = 'dy-liuan'")
        .await;
    let (s, m) = app
        .send(
            Method::POST,
            &sj,
            "/api/v1/party/members",
            json!({"resident_id": people[5].0, "party_org_id": branch, "stage": "full",
                   "applied_on": "2010-03-01", "joined_on": "2012-07-01", "full_on": "2013-07-01",
                   "user_id": account}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{m}");
    let dy = app.token("dy-liuan").await;
    for (round, (r, _)) in people[..5].iter().enumerate() {
        let (s, w) = app
            .send(
                Method::POST,
                &gw,
                "/api/v1/party/wishes",
                json!({"resident_id": r, "title": format!("共同认领 {round}"), "value_band": "100_200", "shares": 2}),
            )
            .await;
        assert_eq!(s, StatusCode::CREATED, "{w}");
        let path = |step: &str| format!("/api/v1/party/wishes/{}/{step}", w["id"]);
        let (s, v) = app
            .send(Method::POST, &sj, &path("review"), json!({"approve": true}))
            .await;
        assert_eq!(s, StatusCode::OK, "{v}");
        let (s, v) = app
            .send(
                Method::POST,
                &sj,
                &path("claim"),
                json!({"on_behalf": "unit", "unit_name": format!("单位 {round}")}),
            )
            .await;
        assert_eq!(s, StatusCode::OK, "{v}");
        // The member and the grid worker (a volunteer) claim the last share at once.
        let (a, b) = both(
            &app,
            (Method::POST, dy.as_str(), path("claim"), json!({})),
            (Method::POST, gw.as_str(), path("claim"), json!({})),
        )
        .await;
        assert_eq!(
            wins(&[a.clone(), b.clone()]),
            1,
            "round {round}: {a:?} {b:?}"
        );
        let lost = if a.0.is_success() { b } else { a };
        assert!(
            lost.1["error"]["message"]
                .as_str()
                .is_some_and(|m| m.contains("已被认领完")),
            "{lost:?}"
        );
        let held = app
            .int(&format!(
                "SELECT COUNT(*) FROM party_wish_claims WHERE wish_id = {} AND state = 'active'",
                w["id"]
            ))
            .await;
        assert_eq!(held, 2, "round {round}");
        let status = app
            .text(&format!(
                "SELECT status FROM party_wishes WHERE id = {}",
                w["id"]
            ))
            .await;
        assert_eq!(status, "claimed", "round {round}");
    }
}

/// Two sign-ups for the last place of a need, and two approvals of the last place of a roll's
/// quota: one each wins (the places are counted under a lock on the need, the quota under a
/// lock on the category).
#[tokio::test]
async fn the_last_place_of_a_need_and_of_a_quota_have_one_winner() {
    let app = TestApp::spawn().await;
    let sj = app.token("liuan-sj").await;
    let zz = app.token("qinghe-zz").await;
    let people =
        crate::party_members::residents(&app, "wgy-liuan-1", "33019900100101", 10, 960).await;
    let mut regs = Vec::new();
    for (r, _) in &people {
        let (s, v) = app
            .send(
                Method::POST,
                &sj,
                "/api/v1/party/registrations",
                json!({"resident_id": r, "work_unit": "区档案馆"}),
            )
            .await;
        assert_eq!(s, StatusCode::CREATED, "{v}");
        regs.push(v["id"].as_i64().expect("id"));
    }
    let today = wangge::infra::clock::today().to_string();
    for round in 0..5 {
        let (s, need) = app
            .send(
                Method::POST,
                &sj,
                "/api/v1/party/needs",
                json!({"title": format!("一个名额 {round}"), "on_date": today, "places": 1}),
            )
            .await;
        assert_eq!(s, StatusCode::CREATED, "{need}");
        let path = format!("/api/v1/party/needs/{}/signups", need["id"]);
        let (a, b) = both(
            &app,
            (
                Method::POST,
                sj.as_str(),
                path.clone(),
                json!({"registration_id": regs[2 * round]}),
            ),
            (
                Method::POST,
                sj.as_str(),
                path.clone(),
                json!({"registration_id": regs[2 * round + 1]}),
            ),
        )
        .await;
        assert_eq!(
            wins(&[a.clone(), b.clone()]),
            1,
            "round {round}: {a:?} {b:?}"
        );
        let held = app
            .int(&format!(
                "SELECT COUNT(*) FROM party_signups WHERE need_id = {} AND state <> 'cancelled'",
                need["id"]
            ))
            .await;
        assert_eq!(held, 1, "round {round}");
    }
    let (s, cat) = app
        .send(
            Method::POST,
            &zz,
            "/api/v1/party/honour-categories",
            json!({"name": "平安之星", "period_kind": "month", "quota": 1, "subject": "person"}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{cat}");
    let mut noms = Vec::new();
    for (r, _) in &people {
        let (s, v) = app
            .send(
                Method::POST,
                &sj,
                "/api/v1/party/honour-nominations",
                json!({"category_id": cat["id"], "resident_id": r, "citation": "巡逻守夜"}),
            )
            .await;
        assert_eq!(s, StatusCode::CREATED, "{v}");
        noms.push(v["id"].as_i64().expect("id"));
    }
    // One round: a quota of one, two approvals at once.
    let (a, b) = both(
        &app,
        (
            Method::POST,
            zz.as_str(),
            format!("/api/v1/party/honour-nominations/{}/approve", noms[0]),
            json!({}),
        ),
        (
            Method::POST,
            zz.as_str(),
            format!("/api/v1/party/honour-nominations/{}/approve", noms[1]),
            json!({}),
        ),
    )
    .await;
    assert_eq!(wins(&[a.clone(), b.clone()]), 1, "{a:?} {b:?}");
    assert_eq!(
        app.int(&format!(
            "SELECT COUNT(*) FROM honour_nominations WHERE category_id = {} AND status = 'approved'",
            cat["id"]
        ))
        .await,
        1
    );
}

/// 五星支部: one star set of a kind a street a year, one review a branch a year — two at once,
/// one wins (held by unique indexes), on either database.
#[tokio::test]
async fn one_star_set_and_one_review_a_year_have_one_winner() {
    let app = TestApp::spawn().await;
    let zz = app.token("qinghe-zz").await;
    let district = app.token("district-zz").await;
    let sj = app.token("liuan-sj").await;
    let year = chrono::Datelike::year(&wangge::infra::clock::today());
    let street = app
        .int("SELECT id FROM org_nodes WHERE code = '330199001000'")
        .await;
    for (i, kind) in ["urban", "rural"].iter().enumerate() {
        let y = year - i32::try_from(i).expect("small");
        let (a, b) = both(
            &app,
            (
                Method::POST,
                zz.as_str(),
                "/api/v1/party/star-sets".to_owned(),
                json!({"year": y, "kind": kind}),
            ),
            (
                Method::POST,
                district.as_str(),
                "/api/v1/party/star-sets".to_owned(),
                json!({"org_node_id": street, "year": y, "kind": kind}),
            ),
        )
        .await;
        assert_eq!(wins(&[a.clone(), b.clone()]), 1, "{a:?} {b:?}");
        assert!(
            [&a, &b].iter().any(|r| r.0 == StatusCode::CONFLICT),
            "the loser is told: {a:?} {b:?}"
        );
    }
    assert_eq!(app.int("SELECT COUNT(*) FROM star_sets").await, 2);
    let (s, _) = app
        .send(
            Method::POST,
            &zz,
            "/api/v1/party/star-sets",
            json!({"year": year - 1, "kind": "urban"}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED);
    let branch = crate::party_members::branch_of(&app, "liuan-sj").await;
    for y in [year, year - 1] {
        let (a, b) = both(
            &app,
            (
                Method::POST,
                sj.as_str(),
                "/api/v1/party/star-reviews".to_owned(),
                json!({"party_org_id": branch, "year": y}),
            ),
            (
                Method::POST,
                zz.as_str(),
                "/api/v1/party/star-reviews".to_owned(),
                json!({"party_org_id": branch, "year": y}),
            ),
        )
        .await;
        assert_eq!(wins(&[a.clone(), b.clone()]), 1, "{y}: {a:?} {b:?}");
        assert!(
            [&a, &b].iter().any(|r| r.0 == StatusCode::CONFLICT),
            "the loser is told: {a:?} {b:?}"
        );
    }
    assert_eq!(
        app.int(&format!(
            "SELECT COUNT(*) FROM star_reviews WHERE party_org_id = {branch}"
        ))
        .await,
        2
    );
}

#[tokio::test]
async fn a_case_has_one_live_exclusion_a_shift_one_person_and_a_decision_one_winner() {
    let app = TestApp::spawn().await;
    wangge::demo::cases::generate(&app.state, 11, 200, 30)
        .await
        .expect("demo cases");
    let zz = app.token("qinghe-zz").await;
    let sj = app.token("liuan-sj").await;
    let cases: Vec<i64> = {
        let mut v = Vec::new();
        for i in 0..ROUNDS {
            v.push(
                app.int(&format!(
                    "SELECT c.id FROM cases c JOIN org_nodes n ON n.code = '330199001001' \
                     WHERE c.org_path LIKE n.path || '%' ORDER BY c.id LIMIT 1 OFFSET {i}"
                ))
                .await,
            );
        }
        v
    };
    for case in &cases {
        let body = json!({"case_id": case, "reason": "两人同时提出的认定"});
        let (a, b) = both(
            &app,
            (
                Method::POST,
                sj.as_str(),
                "/api/v1/stats/exclusions".to_owned(),
                body.clone(),
            ),
            (
                Method::POST,
                zz.as_str(),
                "/api/v1/stats/exclusions".to_owned(),
                body,
            ),
        )
        .await;
        assert_eq!(wins(&[a.clone(), b.clone()]), 1, "{a:?} {b:?}");
        assert!(
            [&a, &b].iter().any(|r| r.0 == StatusCode::CONFLICT),
            "the loser is told: {a:?} {b:?}"
        );
    }
    assert_eq!(
        app.int("SELECT COUNT(*) FROM case_exclusions").await,
        i64::try_from(ROUNDS).expect("small")
    );
    // Two decisions on one proposal at once (approve and refuse): one wins.
    let proposals: Vec<i64> = {
        let mut v = Vec::new();
        for i in 0..ROUNDS {
            v.push(
                app.int(&format!(
                    "SELECT id FROM case_exclusions ORDER BY id LIMIT 1 OFFSET {i}"
                ))
                .await,
            );
        }
        v
    };
    let district = app.token("district-zz").await;
    for p in proposals {
        let path = format!("/api/v1/stats/exclusions/{p}/decide");
        let (a, b) = both(
            &app,
            (
                Method::POST,
                district.as_str(),
                path.clone(),
                json!({"decision": "approve"}),
            ),
            (
                Method::POST,
                zz.as_str(),
                path,
                json!({"decision": "refuse", "note": "不同意"}),
            ),
        )
        .await;
        assert_eq!(wins(&[a.clone(), b.clone()]), 1, "{a:?} {b:?}");
    }
    assert_eq!(
        app.int("SELECT COUNT(*) FROM case_exclusions WHERE status IN ('approved', 'refused') AND decided_at IS NOT NULL").await,
        i64::try_from(ROUNDS).expect("small")
    );
    // A person is put on one day's duty once.
    let person = app
        .int("SELECT id FROM users WHERE username = 'liuan-sj'")
        .await;
    for i in 0..ROUNDS {
        let day = (wangge::infra::clock::today()
            + chrono::Duration::days(i64::try_from(i).expect("small")))
        .to_string();
        let body = json!({"day": day, "user_id": person});
        let (a, b) = both(
            &app,
            (
                Method::POST,
                zz.as_str(),
                "/api/v1/stats/duty".to_owned(),
                body.clone(),
            ),
            (
                Method::POST,
                zz.as_str(),
                "/api/v1/stats/duty".to_owned(),
                body,
            ),
        )
        .await;
        assert_eq!(wins(&[a.clone(), b.clone()]), 1, "{a:?} {b:?}");
    }
    assert_eq!(
        app.int(&format!(
            "SELECT COUNT(*) FROM duty_shifts WHERE user_id = {person}"
        ))
        .await,
        i64::try_from(ROUNDS).expect("small")
    );
}
