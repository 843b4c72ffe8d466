//! An organization's shape over time (issue 18): elections held to the 选举工作条例 (more than
//! four fifths present, more than half of those entitled to be elected, 差额 for a committee;
//! hand-computed at the edges), a 联合支部's units, and merges, splits and moves that keep
//! history — each refusal writing nothing.

use crate::party_members::{branch_of, member, refused, residents};
use crate::support::{Browser, TestApp};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

/// What the shape's tables, the members and the audit log hold, to show a refusal wrote
/// nothing.
async fn written(app: &TestApp) -> Vec<i64> {
    let mut out = vec![app.audit_rows().await];
    for t in [
        "party_elections",
        "party_election_results",
        "party_org_units",
        "party_org_changes",
        "party_member_steps",
    ] {
        out.push(app.int(&format!("SELECT COUNT(*) FROM {t}")).await);
    }
    for sum in [
        "SELECT COALESCE(SUM(version), 0) FROM party_members",
        "SELECT COALESCE(SUM(version), 0) FROM party_orgs",
    ] {
        out.push(app.int(sum).await);
    }
    out
}

/// An organization anywhere in a nested tree.
fn find_in(tree: &Value, id: i64) -> Option<Value> {
    for o in tree.as_array()? {
        if o["id"] == id {
            return Some(o.clone());
        }
        if let Some(found) = find_in(&o["children"], id) {
            return Some(found);
        }
    }
    None
}

fn ids(vs: &[Value]) -> Vec<i64> {
    vs.iter().map(|v| v["id"].as_i64().expect("id")).collect()
}

#[tokio::test]
async fn elections_hold_to_the_electoral_rules() {
    let app = TestApp::spawn().await;
    let sj = app.token("liuan-sj").await;
    let branch = branch_of(&app, "liuan-sj").await;
    let people = residents(&app, "wgy-liuan-1", "33019900100101", 11, 400).await;
    let mut full = Vec::new();
    for (r, _) in &people[..10] {
        full.push(member(&app, &sj, branch, *r, true).await);
    }
    let probationary = member(&app, &sj, branch, people[10].0, false).await;
    let full = ids(&full);
    let path = format!("/api/v1/party/orgs/{branch}/elections");
    // Ten 正式党员: a committee is elected. The valid election, for reference.
    let good = json!({
        "kind": "regular", "held_on": "2026-03-15", "entitled": 10, "present": 9,
        "seats": 3, "candidates": 4, "approval_no": "清组〔2026〕8号",
        "elected": [
            {"member_id": full[0], "post": "书记", "votes": 9},
            {"member_id": full[1], "post": "organization", "votes": 7},
            {"member_id": full[2], "post": "propaganda", "votes": 6},
        ],
    });
    let with = |patch: Value| {
        let mut b = good.clone();
        for (k, v) in patch.as_object().expect("object") {
            b[k] = v.clone();
        }
        b
    };
    let before = written(&app).await;
    for (body, code, words) in [
        // 8 of 10 present is exactly four fifths — not more.
        (with(json!({"present": 8})), "election_invalid", "五分之四"),
        // 5 of 10 entitled is exactly half — not more.
        (
            with(json!({"elected": [
                {"member_id": full[0], "post": "secretary", "votes": 9},
                {"member_id": full[1], "post": "organization", "votes": 5},
            ]})),
            "election_invalid",
            "半数",
        ),
        // Three candidates for three seats: not 差额.
        (with(json!({"candidates": 3})), "election_invalid", "差额"),
        // A 预备党员 cannot stand.
        (
            with(json!({"elected": [
                {"member_id": full[0], "post": "secretary", "votes": 9},
                {"member_id": probationary["id"], "post": "organization", "votes": 7},
            ]})),
            "election_invalid",
            "预备党员",
        ),
        // More entitled than there are 正式党员 (the probationary does not vote).
        (
            with(json!({"entitled": 11, "present": 10})),
            "election_invalid",
            "多于本组织的正式党员",
        ),
        // No secretary at a regular election.
        (
            with(json!({"elected": [{"member_id": full[1], "post": "organization", "votes": 7}]})),
            "election_invalid",
            "应选出书记",
        ),
        (
            with(json!({"held_on": "2099-01-01"})),
            "invalid_input",
            "不能晚于今天",
        ),
        (
            with(json!({"kind": "选举"})),
            "invalid_input",
            "换届选举或补选",
        ),
        (
            with(json!({"elected": [{"member_id": full[0], "post": "委员", "votes": 9}]})),
            "bad_post",
            "职务",
        ),
    ] {
        refused(&app, &sj, Method::POST, &path, body, code, words).await;
    }
    assert_eq!(written(&app).await, before, "the refusals wrote nothing");

    let (s, e) = app.send(Method::POST, &sj, &path, good.clone()).await;
    assert_eq!(s, StatusCode::CREATED, "{e}");
    assert_eq!(e["kind_label"], "换届选举");
    assert_eq!(e["elected"][0]["post_label"], "书记", "{e}");
    assert_eq!(e["elected"][0]["votes"], 9);
    let (_, org) = app.get(&sj, &format!("/api/v1/party/orgs/{branch}")).await;
    assert_eq!(org["elected_on"], "2026-03-15", "a new term: {org}");
    assert_eq!(org["committee"], 3, "{org}");
    assert_eq!(org["secretary"], e["elected"][0]["name"], "{org}");
    let (_, m) = app
        .get(&sj, &format!("/api/v1/party/members/{}", full[0]))
        .await;
    assert_eq!(m["post"], "secretary", "{m}");
    assert!(m["history"].to_string().contains("\"elected\""), "{m}");
    // A by-election fills one seat from one candidate, and keeps the term.
    let (s, b) = app
        .send(
            Method::POST,
            &sj,
            &path,
            json!({"kind": "by_election", "held_on": "2026-06-01", "entitled": 10, "present": 9,
                   "seats": 1, "candidates": 1,
                   "elected": [{"member_id": full[3], "post": "纪检委员", "votes": 8}]}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{b}");
    let (_, org) = app.get(&sj, &format!("/api/v1/party/orgs/{branch}")).await;
    assert_eq!(org["elected_on"], "2026-03-15", "{org}");
    assert_eq!(org["committee"], 4, "{org}");
    // The next regular election: whoever is not re-elected leaves the committee.
    let (s, _) = app
        .send(
            Method::POST,
            &sj,
            &path,
            json!({"kind": "regular", "held_on": "2026-09-01", "entitled": 10, "present": 10,
                   "seats": 3, "candidates": 4, "elected": [
                       {"member_id": full[4], "post": "secretary", "votes": 6},
                       {"member_id": full[1], "post": "deputy", "votes": 8},
                       {"member_id": full[2], "post": "propaganda", "votes": 10}]}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED);
    let (_, m) = app
        .get(&sj, &format!("/api/v1/party/members/{}", full[0]))
        .await;
    assert!(m["post"].is_null(), "the old secretary's post ended: {m}");
    let (_, m) = app
        .get(&sj, &format!("/api/v1/party/members/{}", full[3]))
        .await;
    assert!(m["post"].is_null(), "{m}");
    let (_, list) = app.get(&sj, &path).await;
    assert_eq!(list.as_array().map(Vec::len), Some(3), "{list}");
    assert_eq!(list[0]["held_on"], "2026-09-01", "newest first: {list}");
    // An earlier regular election than the last is refused.
    refused(
        &app,
        &sj,
        Method::POST,
        &path,
        with(json!({"held_on": "2026-08-01"})),
        "bad_date",
        "上次换届",
    )
    .await;
    // Another community's secretary sees none of it; a grid worker records none.
    let fsj = app.token("fenglin-sj").await;
    assert_eq!(app.get(&fsj, &path).await.0, StatusCode::NOT_FOUND);
    let w = app.token("wgy-liuan-1").await;
    let (s, _) = app.send(Method::POST, &w, &path, good).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn a_small_branch_elects_its_secretary_alone() {
    let app = TestApp::spawn().await;
    let sj = app.token("liuan-sj").await;
    let branch = branch_of(&app, "liuan-sj").await;
    let people = residents(&app, "wgy-liuan-1", "33019900100101", 5, 500).await;
    let mut full = Vec::new();
    for (r, _) in &people {
        full.push(member(&app, &sj, branch, *r, true).await);
    }
    let full = ids(&full);
    let path = format!("/api/v1/party/orgs/{branch}/elections");
    // Five 正式党员: no committee; a secretary from one candidate, with 5 of 5 present.
    refused(
        &app,
        &sj,
        Method::POST,
        &path,
        json!({"kind": "regular", "held_on": "2026-04-01", "entitled": 5, "present": 5,
               "seats": 3, "candidates": 4, "elected": [{"member_id": full[0], "post": "secretary", "votes": 5}]}),
        "election_invalid",
        "不设支部委员会",
    )
    .await;
    // 4 of 5 present is exactly four fifths: refused; 3 votes of 5 entitled elect.
    refused(
        &app,
        &sj,
        Method::POST,
        &path,
        json!({"kind": "regular", "held_on": "2026-04-01", "entitled": 5, "present": 4,
               "seats": 1, "candidates": 1, "elected": [{"member_id": full[0], "post": "secretary", "votes": 4}]}),
        "election_invalid",
        "五分之四",
    )
    .await;
    let (s, v) = app
        .send(
            Method::POST,
            &sj,
            &path,
            json!({"kind": "regular", "held_on": "2026-04-01", "entitled": 5, "present": 5,
                   "seats": 1, "candidates": 1, "elected": [{"member_id": full[0], "post": "secretary", "votes": 3}]}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
}

/// The street's committee and the liuan community's node, for the command centre.
async fn committee_and_community(app: &TestApp, zz: &str) -> (i64, i64) {
    let (_, tree) = app.get(zz, "/api/v1/party/orgs").await;
    let committee = tree
        .as_array()
        .and_then(|l| l.iter().find(|o| o["kind"] == "committee"))
        .and_then(|o| o["id"].as_i64())
        .expect("the street's committee");
    let admin = app.token("admin").await;
    (committee, app.node_id(&admin, "330199001001").await)
}

#[tokio::test]
async fn a_joint_branch_lists_its_units() {
    let app = TestApp::spawn().await;
    let zz = app.token("qinghe-zz").await;
    let (committee, liuan) = committee_and_community(&app, &zz).await;
    let (s, joint) = app
        .send(
            Method::POST,
            &zz,
            "/api/v1/party/orgs",
            json!({"parent_id": committee, "org_node_id": liuan, "name": "柳岸商圈联合党支部",
                   "kind": "branch", "category": "联合支部", "founded_on": "2024-05-01"}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{joint}");
    let joint = joint["id"].as_i64().expect("id");
    let path = format!("/api/v1/party/orgs/{joint}/units");
    let notes = |org: &Value| org["notes"].to_string();
    let (_, org) = app.get(&zz, &format!("/api/v1/party/orgs/{joint}")).await;
    assert!(notes(&org).contains("2 个以上单位"), "{org}");
    let liuan_branch = branch_of(&app, "liuan-sj").await;
    let before = written(&app).await;
    for (body, code, words) in [
        (
            json!({"name": "", "kind": "企业", "joined_on": "2024-05-01"}),
            "invalid_input",
            "单位名称",
        ),
        (
            json!({"name": "甲公司", "kind": "工厂", "joined_on": "2024-05-01"}),
            "invalid_input",
            "单位类型",
        ),
        (
            json!({"name": "甲公司", "kind": "企业", "joined_on": "2099-05-01"}),
            "invalid_input",
            "不能晚于今天",
        ),
    ] {
        refused(&app, &zz, Method::POST, &path, body, code, words).await;
    }
    // A branch that is not joint has no units.
    refused(
        &app,
        &zz,
        Method::POST,
        &format!("/api/v1/party/orgs/{liuan_branch}/units"),
        json!({"name": "甲公司", "kind": "企业", "joined_on": "2024-05-01"}),
        "not_joint",
        "不是联合党支部",
    )
    .await;
    assert_eq!(written(&app).await, before);
    let mut units = Vec::new();
    for (i, name) in [
        "柳岸超市",
        "岸边物流",
        "柳岸律所",
        "晨光培训",
        "河畔餐饮",
        "柳岸快修",
    ]
    .iter()
    .enumerate()
    {
        let (s, u) = app
            .send(
                Method::POST,
                &zz,
                &path,
                json!({"name": name, "kind": if i == 2 { "社会组织" } else { "企业" }, "joined_on": "2024-05-01"}),
            )
            .await;
        assert_eq!(s, StatusCode::CREATED, "{u}");
        units.push(u["id"].as_i64().expect("id"));
        let (_, org) = app.get(&zz, &format!("/api/v1/party/orgs/{joint}")).await;
        let n = i + 1;
        assert_eq!(
            notes(&org).contains("一般不超过 5 个"),
            n > 5,
            "{n} units: {org}"
        );
        assert_eq!(
            notes(&org).contains("2 个以上单位"),
            n < 2,
            "{n} units: {org}"
        );
    }
    refused(
        &app,
        &zz,
        Method::POST,
        &path,
        json!({"name": "柳岸超市", "kind": "企业", "joined_on": "2024-06-01"}),
        "duplicate_unit",
        "组建单位",
    )
    .await;
    // A unit leaves: kept, dated; the name may join again.
    let (s, v) = app
        .send(
            Method::POST,
            &zz,
            &format!("/api/v1/party/units/{}/end", units[0]),
            json!({"left_on": "2024-04-01"}),
        )
        .await;
    assert_eq!(s, StatusCode::BAD_REQUEST, "before it joined: {v}");
    let (s, _) = app
        .send(
            Method::POST,
            &zz,
            &format!("/api/v1/party/units/{}/end", units[0]),
            json!({"left_on": "2025-01-01"}),
        )
        .await;
    assert_eq!(s, StatusCode::NO_CONTENT);
    let (_, list) = app.get(&zz, &path).await;
    assert_eq!(list.as_array().map(Vec::len), Some(6), "{list}");
    assert!(list.to_string().contains("\"left\""), "{list}");
    let (_, org) = app.get(&zz, &format!("/api/v1/party/orgs/{joint}")).await;
    assert!(!notes(&org).contains("一般不超过 5 个"), "five now: {org}");
    let (s, _) = app
        .send(
            Method::POST,
            &zz,
            &path,
            json!({"name": "柳岸超市", "kind": "企业", "joined_on": "2026-01-01"}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED);
    // The other community's secretary sees none of it.
    let fsj = app.token("fenglin-sj").await;
    assert_eq!(app.get(&fsj, &path).await.0, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn branches_merge_split_and_move_keeping_history() {
    let app = TestApp::spawn().await;
    let zz = app.token("qinghe-zz").await;
    let sj = app.token("liuan-sj").await;
    let (committee, liuan) = committee_and_community(&app, &zz).await;
    let branch = branch_of(&app, "liuan-sj").await;
    let people = residents(&app, "wgy-liuan-1", "33019900100101", 4, 600).await;
    let mut members = Vec::new();
    for (r, _) in &people {
        members.push(member(&app, &sj, branch, *r, true).await);
    }
    let members = ids(&members);
    // A meeting of the branch, which stays with it whatever happens.
    let (s, meeting) = app
        .send(
            Method::POST,
            &sj,
            "/api/v1/party/meetings",
            json!({"party_org_id": branch, "kind": "theme_day", "held_on": "2026-05-10",
                   "topic": "河道清理主题党日",
                   "attendance": members.iter().map(|m| json!({"member_id": m, "presence": "present"})).collect::<Vec<_>>()}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{meeting}");
    let (s, new) = app
        .send(
            Method::POST,
            &zz,
            "/api/v1/party/orgs",
            json!({"parent_id": committee, "org_node_id": liuan, "name": "柳岸第二党支部",
                   "kind": "branch", "category": "社区"}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{new}");
    let second = new["id"].as_i64().expect("id");
    let reorg = |id: i64| format!("/api/v1/party/orgs/{id}/reorganize");
    let before = written(&app).await;
    for (id, body, code, words) in [
        (
            branch,
            json!({"kind": "merge", "to": branch, "on": "2026-06-01"}),
            "invalid_input",
            "自身",
        ),
        (
            branch,
            json!({"kind": "merge", "on": "2026-06-01"}),
            "invalid_input",
            "接收",
        ),
        (
            branch,
            json!({"kind": "rename", "to": second, "on": "2026-06-01"}),
            "invalid_input",
            "调整方式",
        ),
        (
            branch,
            json!({"kind": "split", "to": second, "on": "2026-06-01"}),
            "invalid_input",
            "分设出去的党员",
        ),
        (
            branch,
            json!({"kind": "split", "to": second, "members": [999_999], "on": "2026-06-01"}),
            "bad_member",
            "不属于",
        ),
        (
            branch,
            json!({"kind": "merge", "to": committee, "on": "2026-06-01"}),
            "not_a_branch",
            "党支部之间",
        ),
        (
            branch,
            json!({"kind": "merge", "to": second, "on": "2099-06-01"}),
            "invalid_input",
            "不能晚于今天",
        ),
        (
            committee,
            json!({"kind": "move", "to": branch, "on": "2026-06-01"}),
            "bad_parent",
            "下级",
        ),
    ] {
        refused(&app, &zz, Method::POST, &reorg(id), body, code, words).await;
    }
    assert_eq!(written(&app).await, before, "the refusals wrote nothing");

    // Split two members off into the second branch: they move with their history.
    let (s, ch) = app
        .send(
            Method::POST,
            &zz,
            &reorg(branch),
            json!({"kind": "split", "to": second, "members": [members[2], members[3]],
                   "on": "2026-06-01", "approval_no": "清组〔2026〕12号"}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{ch}");
    assert_eq!(ch["members_moved"], 2);
    let (_, m) = app
        .get(&zz, &format!("/api/v1/party/members/{}", members[2]))
        .await;
    assert_eq!(m["party_org_id"], second, "{m}");
    let history = m["history"].to_string();
    assert!(
        history.contains("\"split\"") && history.contains("\"register\""),
        "{m}"
    );
    let (_, org) = app.get(&zz, &format!("/api/v1/party/orgs/{branch}")).await;
    assert_eq!(
        (org["members"].as_i64(), org["status"].as_str()),
        (Some(2), Some("active")),
        "{org}"
    );

    // Merge the first branch into the second: all its members move, it closes, its meeting
    // stays its own, both see the change.
    let (s, ch) = app
        .send(
            Method::POST,
            &zz,
            &reorg(branch),
            json!({"kind": "merge", "to": second, "on": "2026-07-01", "note": "两支部合并"}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{ch}");
    assert_eq!(ch["members_moved"], 2);
    let (_, org) = app.get(&zz, &format!("/api/v1/party/orgs/{branch}")).await;
    assert_eq!(org["status"], "merged", "{org}");
    let (_, org) = app.get(&zz, &format!("/api/v1/party/orgs/{second}")).await;
    assert_eq!(org["members"], 4, "{org}");
    let (_, m) = app
        .get(&zz, &format!("/api/v1/party/meetings/{}", meeting["id"]))
        .await;
    assert_eq!(
        m["party_org_id"], branch,
        "the meeting stays with its branch: {m}"
    );
    for id in [branch, second] {
        let (_, changes) = app
            .get(&zz, &format!("/api/v1/party/orgs/{id}/changes"))
            .await;
        let kinds: Vec<&str> = changes
            .as_array()
            .expect("list")
            .iter()
            .filter_map(|c| c["kind"].as_str())
            .collect();
        assert_eq!(kinds, ["merge", "split"], "{id}: {changes}");
    }
    let (_, tree) = app.get(&zz, "/api/v1/party/orgs").await;
    assert!(
        !tree.to_string().contains(&format!("\"id\":{branch},")),
        "a merged branch leaves the tree: {tree}"
    );
    // A merged branch takes no more changes.
    refused(
        &app,
        &zz,
        Method::POST,
        &reorg(branch),
        json!({"kind": "merge", "to": second, "on": "2026-07-02"}),
        "dissolved",
        "已合并",
    )
    .await;

    // Move the second branch under a new 党总支 of the community.
    let (s, general) = app
        .send(
            Method::POST,
            &zz,
            "/api/v1/party/orgs",
            json!({"parent_id": committee, "org_node_id": liuan, "name": "柳岸社区党总支",
                   "kind": "general_branch", "category": "社区"}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{general}");
    let general = general["id"].as_i64().expect("id");
    let (s, ch) = app
        .send(
            Method::POST,
            &zz,
            &reorg(second),
            json!({"kind": "move", "to": general, "on": "2026-08-01"}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{ch}");
    let (_, org) = app.get(&zz, &format!("/api/v1/party/orgs/{second}")).await;
    assert_eq!(org["parent_id"], general, "{org}");
    let (_, tree) = app.get(&zz, "/api/v1/party/orgs").await;
    let g = find_in(&tree, general).expect("the general branch");
    assert_eq!(
        g["members"], 4,
        "the general branch counts its branch's members: {g}"
    );

    // The pages: the secretary's page of the new branch shows the history and the forms.
    let mut b = Browser::new(&app);
    b.login("qinghe-zz").await;
    let (s, page) = b.get(&format!("/party/orgs/{second}")).await;
    assert_eq!(s, StatusCode::OK);
    for words in [
        "调整记录",
        "并入",
        "分设",
        "调整隶属",
        "选举记录",
        "登记选举",
    ] {
        assert!(page.contains(words), "{words}");
    }
    let (s, page) = b.get(&format!("/party/orgs/{branch}")).await;
    assert_eq!(s, StatusCode::OK);
    assert!(page.contains("已合并"), "the merged branch's page");
}
