//! The party's members, households and meetings (issue 18): members are residents, one
//! membership at a time, the pipeline by its rules, transfers that keep history; households
//! linked and the coverage recounted from the rows; meetings held to the quorum and majority
//! rules (hand-computed: a branch of 5, of 7, a vote at exactly half); the compliance of a
//! quarter with a missing meeting; and the pages of the roles that use them.

use crate::support::{Browser, TestApp, id_number};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

/// `n` residents, each the head of a new household in the grid's first building, by the
/// grid's worker: their resident ids and household ids.
pub(crate) async fn residents(
    app: &TestApp,
    worker: &str,
    grid: &str,
    n: u32,
    seq0: u32,
) -> Vec<(i64, i64)> {
    let w = app.token(worker).await;
    let building = app.building_in(grid).await;
    let mut out = Vec::new();
    for i in 0..n {
        let (h, r) = app
            .household_with_head(
                &w,
                building,
                &format!("党员{}", seq0 + i),
                &id_number((1970, 1 + i % 12, 1 + i % 27), seq0 + i),
                json!({}),
            )
            .await;
        out.push((r, h));
    }
    out
}

/// The branch of a community, as its secretary sees it.
pub(crate) async fn branch_of(app: &TestApp, secretary: &str) -> i64 {
    let sj = app.token(secretary).await;
    let (_, mine) = app.get(&sj, "/api/v1/party/orgs").await;
    mine[0]["id"].as_i64().expect("the community's branch")
}

/// Registers a full member (joined 2015, full 2016) or a probationary one (joined half a
/// year ago).
pub(crate) async fn member(
    app: &TestApp,
    token: &str,
    branch: i64,
    resident: i64,
    full: bool,
) -> Value {
    let joined = (wangge::infra::clock::today() - chrono::Duration::days(180)).to_string();
    let body = if full {
        json!({"resident_id": resident, "party_org_id": branch, "stage": "正式党员",
               "applied_on": "2013-03-01", "joined_on": "2015-07-01", "full_on": "2016-07-01"})
    } else {
        json!({"resident_id": resident, "party_org_id": branch, "stage": "probationary",
               "applied_on": "2023-03-01", "joined_on": joined})
    };
    let (s, v) = app
        .send(Method::POST, token, "/api/v1/party/members", body)
        .await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    v
}

pub(crate) async fn refused(
    app: &TestApp,
    token: &str,
    method: Method,
    path: &str,
    body: Value,
    code: &str,
    words: &str,
) {
    let (s, v) = app.send(method, token, path, body.clone()).await;
    assert!(s.is_client_error(), "{body}: {s} {v}");
    assert_eq!(v["error"]["code"], code, "{body}: {v}");
    assert!(
        v["error"]["message"]
            .as_str()
            .is_some_and(|m| m.contains(words)),
        "{body}: {v}"
    );
}

/// What the party tables and the audit log hold, to show a refusal wrote nothing.
async fn written(app: &TestApp) -> Vec<i64> {
    let mut out = vec![app.audit_rows().await];
    for t in [
        "party_members",
        "party_member_steps",
        "party_links",
        "party_meetings",
        "party_attendance",
        "party_resolutions",
        "party_votes",
    ] {
        out.push(app.int(&format!("SELECT COUNT(*) FROM {t}")).await);
    }
    out.push(
        app.int("SELECT COALESCE(SUM(version), 0) FROM party_members")
            .await,
    );
    out
}

#[tokio::test]
async fn members_are_residents_once_and_move_by_the_rules() {
    let app = TestApp::spawn().await;
    let sj = app.token("liuan-sj").await;
    let branch = branch_of(&app, "liuan-sj").await;
    let people = residents(&app, "wgy-liuan-1", "33019900100101", 6, 100).await;
    let before = written(&app).await;
    // Bad input: not a resident (and one of another community is the same to the caller); a
    // date in the future; a committee post in a branch of no one; a joined date for an
    // applicant; a stage that is not one.
    let other = residents(&app, "wgy-fenglin-1", "33019900100201", 1, 200).await;
    let before = {
        let _ = before;
        written(&app).await
    };
    for (body, code, words) in [
        (
            json!({"resident_id": 999_999, "party_org_id": branch, "stage": "applicant", "applied_on": "2024-01-01"}),
            "not_resident",
            "人口登记",
        ),
        (
            json!({"resident_id": other[0].0, "party_org_id": branch, "stage": "applicant", "applied_on": "2024-01-01"}),
            "not_resident",
            "人口登记",
        ),
        (
            json!({"resident_id": people[0].0, "party_org_id": branch, "stage": "applicant", "applied_on": "2099-01-01"}),
            "invalid_input",
            "不能晚于今天",
        ),
        (
            json!({"resident_id": people[0].0, "party_org_id": branch, "stage": "full", "applied_on": "2010-01-01", "joined_on": "2012-01-01", "full_on": "2012-06-01"}),
            "bad_date",
            "预备期一年",
        ),
        (
            json!({"resident_id": people[0].0, "party_org_id": branch, "stage": "applicant", "applied_on": "2024-01-01", "joined_on": "2024-02-01"}),
            "bad_date",
            "尚未入党",
        ),
        (
            json!({"resident_id": people[0].0, "party_org_id": branch, "stage": "full", "applied_on": "2010-01-01", "joined_on": "2012-01-01", "full_on": "2013-01-01", "post": "组织委员"}),
            "bad_post",
            "不设支部委员会",
        ),
        (
            json!({"resident_id": people[0].0, "party_org_id": branch, "stage": "党员"}),
            "bad_stage",
            "请选择人员类别",
        ),
    ] {
        refused(
            &app,
            &sj,
            Method::POST,
            "/api/v1/party/members",
            body,
            code,
            words,
        )
        .await;
    }
    assert_eq!(written(&app).await, before, "nothing written by a refusal");

    // An applicant goes through the pipeline; a second membership is refused.
    let (s, a) = app
        .send(
            Method::POST,
            &sj,
            "/api/v1/party/members",
            json!({"resident_id": people[0].0, "party_org_id": branch, "stage": "入党申请人", "applied_on": "2024-03-01"}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{a}");
    assert_eq!(a["stage_label"], "入党申请人");
    assert!(
        a["id_number"].as_str().is_some_and(|n| n.contains('*')),
        "masked: {a}"
    );
    let id = a["id"].as_i64().expect("id");
    refused(
        &app,
        &sj,
        Method::POST,
        "/api/v1/party/members",
        json!({"resident_id": people[0].0, "party_org_id": branch, "stage": "applicant", "applied_on": "2024-03-01"}),
        "already_member",
        "一个组织关系",
    )
    .await;
    let step = |body: Value| {
        let sj = sj.clone();
        let app = &app;
        async move {
            app.send(
                Method::POST,
                &sj,
                &format!("/api/v1/party/members/{id}/steps"),
                body,
            )
            .await
        }
    };
    let (s, v) =
        step(json!({"step": "advance", "on": "2024-04-01", "approved_by": "支部委员会"})).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["stage"], "activist");
    // A year of training before a candidate; a return needs a reason.
    let (s, v) =
        step(json!({"step": "advance", "on": "2025-03-01", "approved_by": "支部委员会"})).await;
    assert_eq!(s, StatusCode::BAD_REQUEST, "{v}");
    assert!(
        v["error"]["message"]
            .as_str()
            .is_some_and(|m| m.contains("一年以上")),
        "{v}"
    );
    let (s, v) = step(json!({"step": "return", "on": "2025-03-01"})).await;
    assert_eq!(s, StatusCode::BAD_REQUEST, "{v}");
    let (s, v) =
        step(json!({"step": "advance", "on": "2025-04-02", "approved_by": "支部委员会"})).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["stage_label"], "发展对象");
    let (s, v) =
        step(json!({"step": "advance", "on": "2025-06-01", "approved_by": "支部大会"})).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["stage"], "probationary");
    assert_eq!(v["joined_on"], "2025-06-01");
    let kinds: Vec<&str> = v["history"]
        .as_array()
        .expect("history")
        .iter()
        .filter_map(|h| h["kind"].as_str())
        .collect();
    assert_eq!(kinds, ["apply", "advance", "advance", "advance"], "{v}");
    // Every look at the record is audited (the answers to the writes above are not looks).
    let views = format!(
        "SELECT COUNT(*) FROM audit_log WHERE entity = 'party_member' AND action = 'view' AND entity_id = {id}"
    );
    let before = app.int(&views).await;
    for _ in 0..2 {
        let (s, _) = app.get(&sj, &format!("/api/v1/party/members/{id}")).await;
        assert_eq!(s, StatusCode::OK);
    }
    assert_eq!(app.int(&views).await, before + 2);

    // A member of a branch of four 正式党员 is not given a committee post; a secretary is.
    let mut full = Vec::new();
    for (r, _) in &people[1..5] {
        full.push(
            member(&app, &sj, branch, *r, true).await["id"]
                .as_i64()
                .expect("id"),
        );
    }
    let (s, v) = app
        .send(
            Method::PATCH,
            &sj,
            &format!("/api/v1/party/members/{}", full[1]),
            json!({"post": "宣传委员"}),
        )
        .await;
    assert_eq!(s, StatusCode::BAD_REQUEST, "{v}");
    assert!(
        v["error"]["message"]
            .as_str()
            .is_some_and(|m| m.contains("只有 4 名正式党员")),
        "{v}"
    );
    let (s, v) = app
        .send(
            Method::PATCH,
            &sj,
            &format!("/api/v1/party/members/{}", full[0]),
            json!({"post": "书记"}),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let (s, v) = app
        .send(
            Method::PATCH,
            &sj,
            &format!("/api/v1/party/members/{}", full[1]),
            json!({"post": "secretary"}),
        )
        .await;
    assert_eq!(s, StatusCode::BAD_REQUEST, "one secretary: {v}");

    // An edit changes what it names and keeps the rest.
    let path = format!("/api/v1/party/members/{}", full[2]);
    let (s, v) = app
        .send(
            Method::PATCH,
            &sj,
            &path,
            json!({"flow_out": "浙江省宁波市", "lost_on": "2026-01-10", "lost_note": "电话停机"}),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let (s, v) = app
        .send(Method::PATCH, &sj, &path, json!({"education": "本科"}))
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(
        (
            v["flow_out"].as_str(),
            v["lost_on"].as_str(),
            v["education"].as_str()
        ),
        (Some("浙江省宁波市"), Some("2026-01-10"), Some("本科")),
        "{v}"
    );
    assert!(
        v["history"].to_string().contains("\"lost\""),
        "the history keeps the 失联: {v}"
    );
    let (s, v) = app
        .send(
            Method::PATCH,
            &sj,
            &path,
            json!({"lost_on": "", "lost_note": ""}),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert!(v["lost_on"].is_null(), "{v}");
    assert!(v["history"].to_string().contains("\"found\""), "{v}");
    // The branch's shape: too few for a branch is not said (four), the counts are.
    let (_, tree) = app.get(&sj, "/api/v1/party/orgs").await;
    assert_eq!(tree[0]["full"], 4, "{tree}");
    assert_eq!(
        tree[0]["members"], 5,
        "four full and one probationary: {tree}"
    );

    // A transfer to another branch keeps the history and the receiving side sees it; the
    // sending secretary no longer does.
    let zz = app.token("qinghe-zz").await;
    let fenglin = branch_of(&app, "fenglin-sj").await;
    refused(
        &app,
        &zz,
        Method::POST,
        &format!("/api/v1/party/members/{}/transfer", full[3]),
        json!({"to_org_id": fenglin, "on": "2026-01-05"}),
        "invalid_input",
        "介绍信编号",
    )
    .await;
    let (s, v) = app
        .send(
            Method::POST,
            &zz,
            &format!("/api/v1/party/members/{}/transfer", full[3]),
            json!({"to_org_id": fenglin, "on": "2026-01-05", "letter_no": "清组转〔2026〕3号"}),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["party_org_id"], fenglin);
    assert!(
        v["history"].to_string().contains("清组转〔2026〕3号"),
        "{v}"
    );
    let (s, _) = app
        .get(&sj, &format!("/api/v1/party/members/{}", full[3]))
        .await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let fsj = app.token("fenglin-sj").await;
    let (s, v) = app
        .get(&fsj, &format!("/api/v1/party/members/{}", full[3]))
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");

    // Party data is not for the roles that do not need it.
    for who in ["wgy-liuan-1", "dy-liuan"] {
        let t = app.token(who).await;
        let (s, _) = app.get(&t, "/api/v1/party/members").await;
        assert_eq!(s, StatusCode::FORBIDDEN, "{who}");
        let (s, _) = app.get(&t, &format!("/api/v1/party/members/{id}")).await;
        assert_eq!(s, StatusCode::FORBIDDEN, "{who}");
    }
    let admin = app.token("admin").await;
    assert_eq!(
        app.get(&admin, "/api/v1/party/members").await.0,
        StatusCode::FORBIDDEN
    );
    // The list: masked, filtered.
    let (s, list) = app.get(&sj, "/api/v1/party/members?category=members").await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(
        list["total"], 4,
        "three full here and the probationary: {list}"
    );
    assert!(
        !list.to_string().contains("19700"),
        "no full ID number: {list}"
    );
}

/// Records a meeting; the status and the answer.
async fn meet(app: &TestApp, token: &str, body: Value) -> (StatusCode, Value) {
    app.send(Method::POST, token, "/api/v1/party/meetings", body)
        .await
}

#[tokio::test]
async fn meetings_hold_to_the_quorum_and_majority_rules() {
    let app = TestApp::spawn().await;
    let sj = app.token("liuan-sj").await;
    let branch = branch_of(&app, "liuan-sj").await;
    let people = residents(&app, "wgy-liuan-1", "33019900100101", 8, 300).await;
    // A branch of seven 正式党员 and one 预备党员.
    let mut ids = Vec::new();
    for (i, (r, _)) in people.iter().enumerate() {
        ids.push(
            member(&app, &sj, branch, *r, i < 7).await["id"]
                .as_i64()
                .expect("id"),
        );
    }
    let prob = ids[7];
    let roll = |present: &[usize]| -> Vec<Value> {
        (0..8)
            .map(|i| json!({"member_id": ids[i], "presence": if present.contains(&i) { "present" } else { "absent" }}))
            .collect()
    };
    let votes = |yes: &[usize]| -> Vec<Value> {
        yes.iter()
            .map(|i| json!({"member_id": ids[*i], "choice": "赞成"}))
            .collect()
    };
    let day = (wangge::infra::clock::today() - chrono::Duration::days(3)).to_string();
    let general = |att: Vec<Value>, res: Vec<Value>| {
        json!({"party_org_id": branch, "kind": "支部党员大会", "held_on": day, "topic": "讨论接收预备党员",
               "attendance": att, "resolutions": res})
    };
    let before = written(&app).await;
    // 应到 7 (the 预备党员 does not count): 3 present is not more than half.
    let (s, v) = meet(
        &app,
        &sj,
        general(
            roll(&[0, 1, 2, 7]),
            vec![json!({"title": "接收甲为预备党员", "votes": votes(&[0, 1, 2]), "passed": true})],
        ),
    )
    .await;
    assert_eq!(s, StatusCode::BAD_REQUEST, "{v}");
    assert_eq!(v["error"]["code"], "no_quorum");
    assert!(
        v["error"]["message"]
            .as_str()
            .is_some_and(|m| m.contains("应到会有表决权的党员 7 人，实到 3 人")),
        "{v}"
    );
    // 4 present, 3 yes: 3 of 7 entitled is not more than half.
    let (s, v) = meet(
        &app,
        &sj,
        general(
            roll(&[0, 1, 2, 3]),
            vec![json!({"title": "接收甲为预备党员", "votes": votes(&[0, 1, 2]), "passed": true})],
        ),
    )
    .await;
    assert_eq!(s, StatusCode::BAD_REQUEST, "{v}");
    assert_eq!(v["error"]["code"], "no_majority");
    // The 预备党员 does not vote; a vote twice, a line twice, a vote from the absent.
    let (s, v) = meet(
        &app,
        &sj,
        general(
            roll(&[0, 1, 2, 3, 7]),
            vec![json!({"title": "x", "votes": [{"member_id": prob, "choice": "yes"}]})],
        ),
    )
    .await;
    assert_eq!(s, StatusCode::BAD_REQUEST, "{v}");
    assert!(
        v["error"]["message"]
            .as_str()
            .is_some_and(|m| m.contains("预备党员没有表决权")),
        "{v}"
    );
    let (s, v) = meet(&app, &sj, general(roll(&[0, 1, 2, 3]), vec![json!({"title": "x", "votes": [{"member_id": ids[0], "choice": "yes"}, {"member_id": ids[0], "choice": "no"}]})])).await;
    assert_eq!(
        (s, v["error"]["code"].as_str()),
        (StatusCode::BAD_REQUEST, Some("vote_twice")),
        "{v}"
    );
    let mut twice = roll(&[0, 1, 2, 3]);
    twice.push(json!({"member_id": ids[0], "presence": "absent"}));
    let (s, v) = meet(&app, &sj, general(twice, vec![])).await;
    assert_eq!(
        (s, v["error"]["code"].as_str()),
        (StatusCode::BAD_REQUEST, Some("attendance_twice")),
        "{v}"
    );
    let (s, v) = meet(
        &app,
        &sj,
        general(
            roll(&[0, 1, 2, 3]),
            vec![json!({"title": "x", "votes": votes(&[5])})],
        ),
    )
    .await;
    assert!(
        s == StatusCode::BAD_REQUEST
            && v["error"]["message"]
                .as_str()
                .is_some_and(|m| m.contains("未出席")),
        "{v}"
    );
    // A date in the future.
    let mut later = general(roll(&[0, 1, 2, 3]), vec![]);
    later["held_on"] = json!("2099-01-01");
    assert_eq!(meet(&app, &sj, later).await.0, StatusCode::BAD_REQUEST);
    // An exclusion needs an approver, and only for the absent.
    let mut att = roll(&[0, 1, 2]);
    att[6] = json!({"member_id": ids[6], "presence": "absent", "excluded": "abroad"});
    let (s, v) = meet(&app, &sj, general(att.clone(), vec![])).await;
    assert!(
        s == StatusCode::BAD_REQUEST
            && v["error"]["message"]
                .as_str()
                .is_some_and(|m| m.contains("批准")),
        "{v}"
    );
    assert_eq!(written(&app).await, before, "no refusal wrote anything");

    // One excluded with an approval: 应到 6, and 3 present is exactly half — no vote.
    att[6]["excluded_by"] = json!("街道党工委");
    let (s, v) = meet(
        &app,
        &sj,
        general(
            att.clone(),
            vec![json!({"title": "修订村规民约", "votes": votes(&[0, 1, 2]), "passed": true})],
        ),
    )
    .await;
    assert_eq!(s, StatusCode::BAD_REQUEST, "{v}");
    assert!(
        v["error"]["message"]
            .as_str()
            .is_some_and(|m| m.contains("应到会有表决权的党员 6 人，实到 3 人")),
        "{v}"
    );
    // Recorded without the claim, it stands as failed for want of a quorum.
    let (s, v) = meet(
        &app,
        &sj,
        general(
            att,
            vec![json!({"title": "修订村规民约", "votes": votes(&[0, 1, 2])})],
        ),
    )
    .await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    assert_eq!(
        (v["entitled"].as_i64(), v["present"].as_i64()),
        (Some(6), Some(3)),
        "{v}"
    );
    assert_eq!(v["resolutions"][0]["result"], "no_quorum", "{v}");
    // 4 of 7 present, 4 yes: passes; a guest from elsewhere and a named guest are not counted.
    let fsj = app.token("fenglin-sj").await;
    let fenglin = branch_of(&app, "fenglin-sj").await;
    let elsewhere = residents(&app, "wgy-fenglin-1", "33019900100201", 1, 400).await;
    let guest = member(&app, &fsj, fenglin, elsewhere[0].0, true).await["id"]
        .as_i64()
        .expect("id");
    let zz = app.token("qinghe-zz").await;
    let mut att = roll(&[0, 1, 2, 3, 7]);
    att.push(json!({"member_id": guest, "presence": "attending"}));
    let mut body = general(
        att,
        vec![json!({"title": "接收甲为预备党员", "votes": votes(&[0, 1, 2, 3]), "passed": true})],
    );
    body["guests"] = json!([{"name": "街道组织委员"}]);
    let (s, v) = meet(&app, &zz, body).await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    assert_eq!(
        (v["entitled"].as_i64(), v["present"].as_i64()),
        (Some(7), Some(4)),
        "{v}"
    );
    assert_eq!(v["resolutions"][0]["result"], "passed", "{v}");
    let guests: Vec<&Value> = v["attendance"]
        .as_array()
        .expect("attendance")
        .iter()
        .filter(|a| a["guest"] == true)
        .collect();
    assert_eq!(guests.len(), 2, "{v}");
    // 应到 and 实到 recounted from the attendance rows.
    let meeting = v["id"].as_i64().expect("id");
    let recount = app
        .int(&format!(
            "SELECT COUNT(*) FROM party_attendance WHERE meeting_id = {meeting} AND NOT guest AND votes AND excluded = '' AND presence = 'present'"
        ))
        .await;
    assert_eq!(recount, 4);
    // A 支委会 needs a committee: this branch of seven has none yet, so it has no roll.
    let (s, v) = meet(&app, &sj, json!({"party_org_id": branch, "kind": "支委会", "held_on": day, "topic": "研究工作", "resolutions": [{"title": "x", "votes": [], "passed": true}]})).await;
    assert_eq!(s, StatusCode::BAD_REQUEST, "{v}");
    // A committee (seven full members may have one): 书记 and four 委员; 3 present of 5 passes
    // with 3 yes.
    for (i, post) in ["书记", "副书记", "组织委员", "宣传委员", "纪检委员"]
        .iter()
        .enumerate()
    {
        let (s, v) = app
            .send(
                Method::PATCH,
                &sj,
                &format!("/api/v1/party/members/{}", ids[i]),
                json!({"post": post}),
            )
            .await;
        assert_eq!(s, StatusCode::OK, "{post}: {v}");
    }
    let committee = |present: &[usize], yes: &[usize]| {
        json!({"party_org_id": branch, "kind": "committee", "held_on": day, "topic": "研究发展党员",
               "attendance": (0..5).map(|i| json!({"member_id": ids[i], "presence": if present.contains(&i) { "present" } else { "excused" }})).collect::<Vec<_>>(),
               "resolutions": [{"title": "列甲为发展对象", "votes": yes.iter().map(|i| json!({"member_id": ids[*i], "choice": "yes"})).collect::<Vec<_>>(), "passed": true}]})
    };
    let (s, v) = meet(&app, &sj, committee(&[0, 1], &[0, 1])).await;
    assert_eq!(s, StatusCode::BAD_REQUEST, "{v}");
    assert!(
        v["error"]["message"]
            .as_str()
            .is_some_and(|m| m.contains("应到会支委 5 人，实到 2 人")),
        "{v}"
    );
    let (s, v) = meet(&app, &sj, committee(&[0, 1, 2], &[0, 1, 2])).await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    assert_eq!(
        (v["entitled"].as_i64(), v["present"].as_i64()),
        (Some(5), Some(3)),
        "{v}"
    );
}

#[tokio::test]
async fn the_compliance_of_a_quarter_with_a_missing_meeting() {
    use chrono::Datelike;
    let app = TestApp::spawn().await;
    let sj = app.token("liuan-sj").await;
    let branch = branch_of(&app, "liuan-sj").await;
    let people = residents(&app, "wgy-liuan-1", "33019900100101", 3, 500).await;
    let mut ids = Vec::new();
    for (r, _) in &people {
        ids.push(
            member(&app, &sj, branch, *r, true).await["id"]
                .as_i64()
                .expect("id"),
        );
    }
    // Last quarter: a 党员大会 and the 主题党日 of its first and third months, none in the
    // second; no 党课.
    let today = wangge::infra::clock::today();
    let q0 = chrono::NaiveDate::from_ymd_opt(today.year(), (today.month0() / 3) * 3 + 1, 1)
        .expect("quarter");
    let last = q0 - chrono::Months::new(3);
    let day = |months: u32, d: u32| {
        (last + chrono::Months::new(months))
            .with_day(d)
            .expect("day")
            .to_string()
    };
    let att: Vec<Value> = ids
        .iter()
        .map(|id| json!({"member_id": id, "presence": "present"}))
        .collect();
    for (kind, on) in [
        ("general", day(1, 20)),
        ("theme_day", day(0, 5)),
        ("theme_day", day(2, 5)),
    ] {
        let (s, v) = meet(&app, &sj, json!({"party_org_id": branch, "kind": kind, "held_on": on, "topic": "会议", "attendance": att})).await;
        assert_eq!(s, StatusCode::CREATED, "{v}");
    }
    let to = (q0 - chrono::Duration::days(1)).to_string();
    let (s, c) = app
        .get(
            &sj,
            &format!("/api/v1/party/compliance?org={branch}&from={last}&to={to}"),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{c}");
    let org = c["orgs"]
        .as_array()
        .expect("orgs")
        .iter()
        .find(|o| o["org_id"] == branch)
        .expect("the branch");
    let line = |k: &str| {
        org["lines"]
            .as_array()
            .expect("lines")
            .iter()
            .find(|l| l["kind"] == k)
            .cloned()
            .expect(k)
    };
    let g = line("general");
    assert_eq!(
        (g["due"].as_i64(), g["held"].as_i64(), g["missing"].as_i64()),
        (Some(1), Some(1), Some(0)),
        "{g}"
    );
    let t = line("theme_day");
    assert_eq!(
        (t["due"].as_i64(), t["held"].as_i64(), t["missing"].as_i64()),
        (Some(3), Some(2), Some(1)),
        "{t}"
    );
    let missing_month = last + chrono::Months::new(1);
    assert!(
        t["missing_windows"][0]
            .as_str()
            .is_some_and(|w| w.starts_with(&missing_month.to_string())),
        "{t}"
    );
    let l = line("lecture");
    assert_eq!(
        (l["due"].as_i64(), l["missing"].as_i64()),
        (Some(1), Some(1)),
        "{l}"
    );
    // Three members and no committee: no 支委会 is due; the branch's groups each owe their
    // 党小组会.
    assert!(
        org["lines"]
            .as_array()
            .expect("lines")
            .iter()
            .all(|l| l["kind"] != "committee")
    );
    assert!(
        c["orgs"]
            .as_array()
            .expect("orgs")
            .iter()
            .any(|o| o["kind"] == "group"),
        "{c}"
    );
    // The street sets a yearly 党课 (its own rule): the quarter owes none.
    let zz = app.token("qinghe-zz").await;
    let mut b = Browser::new(&app);
    let csrf = b.login("qinghe-zz").await;
    let (s, _) = b
        .post(
            "/party/rules",
            &[("_csrf", &csrf), ("cadence_lecture", "year")],
        )
        .await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    let (_, c) = app
        .get(
            &zz,
            &format!("/api/v1/party/compliance?org={branch}&from={last}&to={to}"),
        )
        .await;
    let org = c["orgs"]
        .as_array()
        .expect("orgs")
        .iter()
        .find(|o| o["org_id"] == branch)
        .cloned()
        .expect("branch");
    let lecture = org["lines"]
        .as_array()
        .expect("lines")
        .iter()
        .find(|l| l["kind"] == "lecture")
        .cloned()
        .expect("lecture");
    assert_eq!(lecture["cadence"], "每年", "{lecture}");
    assert_eq!(lecture["source"], "街道设定", "{lecture}");
    // A community cannot set them.
    let mut sb = Browser::new(&app);
    let csrf = sb.login("liuan-sj").await;
    let (s, _) = sb
        .post(
            "/party/rules",
            &[("_csrf", &csrf), ("cadence_lecture", "month")],
        )
        .await;
    assert_ne!(s, StatusCode::OK);
    let (_, page) = sb.get("/party/rules").await;
    assert!(
        page.contains("每年"),
        "the street's rule shows to its community"
    );
    assert!(
        !page.contains("name=\"cadence_lecture\""),
        "and cannot be changed there"
    );
}

#[tokio::test]
async fn households_are_linked_and_the_coverage_recounted() {
    let app = TestApp::spawn().await;
    let sj = app.token("liuan-sj").await;
    let branch = branch_of(&app, "liuan-sj").await;
    let people = residents(&app, "wgy-liuan-1", "33019900100101", 5, 600).await;
    let m = member(&app, &sj, branch, people[0].0, true).await["id"]
        .as_i64()
        .expect("id");
    let applicant = {
        let (s, v) = app
            .send(Method::POST, &sj, "/api/v1/party/members", json!({"resident_id": people[1].0, "party_org_id": branch, "stage": "applicant", "applied_on": "2025-01-01"}))
            .await;
        assert_eq!(s, StatusCode::CREATED, "{v}");
        v["id"].as_i64().expect("id")
    };
    let worker = app
        .int("SELECT id FROM users WHERE username = 'wgy-liuan-1'")
        .await;
    let link = |kind: &str, h: i64, holder: i64| json!({"kind": kind, "household_id": h, "holder_id": holder});
    for h in [people[0].1, people[1].1, people[2].1] {
        let (s, v) = app
            .send(
                Method::POST,
                &sj,
                "/api/v1/party/links",
                link("member", h, m),
            )
            .await;
        assert_eq!(s, StatusCode::CREATED, "{v}");
    }
    let (s, v) = app
        .send(
            Method::POST,
            &sj,
            "/api/v1/party/links",
            link("grid_worker", people[2].1, worker),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    // Refused: twice the same; an applicant; a worker who is not one; a household elsewhere.
    let before = written(&app).await;
    let other = residents(&app, "wgy-fenglin-1", "33019900100201", 1, 700).await;
    let before = {
        let _ = before;
        written(&app).await
    };
    refused(
        &app,
        &sj,
        Method::POST,
        "/api/v1/party/links",
        link("member", people[0].1, m),
        "already_linked",
        "已经联系",
    )
    .await;
    refused(
        &app,
        &sj,
        Method::POST,
        "/api/v1/party/links",
        link("member", people[3].1, applicant),
        "not_a_member",
        "只有在册的党员",
    )
    .await;
    let sj_id = app
        .int("SELECT id FROM users WHERE username = 'liuan-sj'")
        .await;
    refused(
        &app,
        &sj,
        Method::POST,
        "/api/v1/party/links",
        link("grid_worker", people[3].1, sj_id),
        "not_a_grid_worker",
        "网格员",
    )
    .await;
    let (s, _) = app
        .send(
            Method::POST,
            &sj,
            "/api/v1/party/links",
            link("member", other[0].1, m),
        )
        .await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    assert_eq!(written(&app).await, before, "no refusal wrote anything");

    // The coverage, against a recount from the rows.
    for token in [sj.clone(), app.token("wgy-liuan-1").await] {
        let (s, cov) = app.get(&token, "/api/v1/party/coverage").await;
        assert_eq!(s, StatusCode::OK, "{cov}");
        let path: String = app
            .text("SELECT org_path FROM users WHERE username = 'wgy-liuan-1'")
            .await;
        let scope = if token == sj {
            app.text("SELECT org_path FROM users WHERE username = 'liuan-sj'")
                .await
        } else {
            path
        };
        let households = app
            .int(&format!("SELECT COUNT(*) FROM households WHERE status = 'active' AND org_path LIKE '{scope}%'"))
            .await;
        let linked = app
            .int(&format!(
                "SELECT COUNT(DISTINCT h.id) FROM households h JOIN party_links l ON l.household_id = h.id \
                 WHERE h.status = 'active' AND h.org_path LIKE '{scope}%' AND l.kind = 'member' AND l.status = 'active'"
            ))
            .await;
        let neither = app
            .int(&format!(
                "SELECT COUNT(*) FROM households h WHERE h.status = 'active' AND h.org_path LIKE '{scope}%' \
                 AND NOT EXISTS (SELECT 1 FROM party_links l WHERE l.household_id = h.id AND l.status = 'active')"
            ))
            .await;
        assert_eq!(cov["households"].as_i64(), Some(households), "{cov}");
        assert_eq!(cov["member_linked"].as_i64(), Some(linked), "{cov}");
        assert_eq!(linked, 3);
        assert_eq!(cov["neither"].as_i64(), Some(neither), "{cov}");
        let rate = (linked * 1000 * 2 + households) / (households * 2);
        assert_eq!(cov["rate"], format!("{}.{}", rate / 10, rate % 10), "{cov}");
    }
    // Ending a link keeps its row and lowers the figure.
    let lid = app
        .int(&format!(
            "SELECT MIN(id) FROM party_links WHERE household_id = {}",
            people[0].1
        ))
        .await;
    let (s, _) = app
        .send(
            Method::POST,
            &sj,
            &format!("/api/v1/party/links/{lid}/end"),
            json!({}),
        )
        .await;
    assert_eq!(s, StatusCode::NO_CONTENT);
    let (_, cov) = app.get(&sj, "/api/v1/party/coverage").await;
    assert_eq!(cov["member_linked"], 2, "{cov}");
    assert_eq!(
        app.int(&format!(
            "SELECT COUNT(*) FROM party_links WHERE id = {lid} AND status = 'ended'"
        ))
        .await,
        1
    );
}

#[tokio::test]
async fn the_pages_serve_the_secretary_the_member_and_the_grid_worker() {
    let app = TestApp::spawn().await;
    let sj = app.token("liuan-sj").await;
    let branch = branch_of(&app, "liuan-sj").await;
    let people = residents(&app, "wgy-liuan-1", "33019900100101", 3, 800).await;
    let mut b = Browser::new(&app);
    let csrf = b.login("liuan-sj").await;
    // Register a member by the form, after finding the resident by name.
    let (s, page) = b.get("/party/members/new?q=%E5%85%9A%E5%91%98800").await;
    assert_eq!(s, StatusCode::OK);
    assert!(page.contains("党员800"), "the resident is found");
    let rid = people[0].0.to_string();
    let bid = branch.to_string();
    let (s, _) = b
        .post(
            "/party/members",
            &[
                ("_csrf", csrf.as_str()),
                ("resident_id", rid.as_str()),
                ("party_org_id", bid.as_str()),
                ("stage", "full"),
                ("applied_on", "2010-01-01"),
                ("joined_on", "2011-01-01"),
                ("full_on", "2012-01-01"),
            ],
        )
        .await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    let mid = app
        .int(&format!(
            "SELECT id FROM party_members WHERE resident_id = {rid}"
        ))
        .await;
    let (s, page) = b.get(&format!("/party/members/{mid}")).await;
    assert_eq!(s, StatusCode::OK);
    assert!(
        page.contains("党员800") && page.contains("正式党员"),
        "the record"
    );
    let (s, page) = b.get("/party/members").await;
    assert_eq!(s, StatusCode::OK);
    assert!(page.contains(&format!("/party/members/{mid}")));
    // A meeting by the form, with a vote.
    let (s, page) = b
        .get(&format!("/party/meetings/new?org={branch}&kind=general"))
        .await;
    assert_eq!(s, StatusCode::OK);
    assert!(
        page.contains(&format!("vote_{mid}")),
        "the roll with the vote"
    );
    let presence = format!("presence_{mid}");
    let vote = format!("vote_{mid}");
    let (s, _) = b
        .post(
            "/party/meetings",
            &[
                ("_csrf", csrf.as_str()),
                ("party_org_id", bid.as_str()),
                ("kind", "general"),
                ("held_on", "2026-11-02"),
                ("topic", "季度党员大会"),
                (presence.as_str(), "present"),
                ("resolution", "通过党费使用情况"),
                (vote.as_str(), "yes"),
                ("passed", "1"),
            ],
        )
        .await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    let meeting = app.int("SELECT MAX(id) FROM party_meetings").await;
    let (s, page) = b.get(&format!("/party/meetings/{meeting}")).await;
    assert_eq!(s, StatusCode::OK);
    assert!(
        page.contains("季度党员大会") && page.contains("通过"),
        "the meeting"
    );
    for path in [
        "/party",
        "/party/coverage",
        "/party/meetings",
        "/party/compliance",
        "/party/rules",
    ] {
        let (s, page) = b.get(path).await;
        assert_eq!(s, StatusCode::OK, "{path}");
        assert!(page.contains("三会一课"), "{path}: the tabs");
    }
    // Link a household from the coverage page; the member's account sees it on its own page.
    let hid = people[1].1.to_string();
    let m = mid.to_string();
    let (s, _) = b
        .post(
            "/party/links",
            &[
                ("_csrf", csrf.as_str()),
                ("kind", "member"),
                ("household_id", hid.as_str()),
                ("holder_id", m.as_str()),
                ("back", "/party/coverage"),
            ],
        )
        .await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    let account = app
        .int("SELECT id FROM users WHERE username = 'dy-liuan'")
        .await;
    let (s, v) = app
        .send(
            Method::PATCH,
            &sj,
            &format!("/api/v1/party/members/{mid}"),
            json!({"user_id": account}),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let mut d = Browser::new(&app);
    d.login("dy-liuan").await;
    let (s, page) = d.get("/party/me").await;
    assert_eq!(s, StatusCode::OK);
    assert!(
        page.contains(&format!("/people/households/{hid}")),
        "the member's household"
    );
    assert_eq!(
        d.get("/party/members").await.0,
        StatusCode::FORBIDDEN,
        "no list of members"
    );
    // The grid worker sees the coverage of its grid, with the gaps, and no names of members.
    let mut w = Browser::new(&app);
    w.login("wgy-liuan-1").await;
    let (s, page) = w.get("/party/coverage").await;
    assert_eq!(s, StatusCode::OK);
    assert!(page.contains("无党员联系"), "the gaps");
    assert!(!page.contains("党员800"), "no member's name");
}

#[tokio::test]
async fn a_center_is_nominated_announced_filed_and_plaqued() {
    let app = TestApp::spawn().await;
    let sj = app.token("liuan-sj").await;
    let branch = branch_of(&app, "liuan-sj").await;
    let people = residents(&app, "wgy-liuan-1", "33019900100101", 2, 900).await;
    let m = member(&app, &sj, branch, people[0].0, true).await["id"]
        .as_i64()
        .expect("id");
    let ago = |d: i64| (wangge::infra::clock::today() - chrono::Duration::days(d)).to_string();
    let (s, c) = app
        .send(
            Method::POST,
            &sj,
            "/api/v1/party/centers",
            json!({"member_id": m, "on": ago(20), "note": "热心邻里事务"}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{c}");
    assert_eq!(c["household_id"], people[0].1, "the member's own home: {c}");
    let id = c["id"].as_i64().expect("id");
    refused(
        &app,
        &sj,
        Method::POST,
        "/api/v1/party/centers",
        json!({"member_id": m, "on": ago(19)}),
        "already_center",
        "党员中心户",
    )
    .await;
    let step = |body: Value| {
        let sj = sj.clone();
        let app = &app;
        async move {
            app.send(
                Method::POST,
                &sj,
                &format!("/api/v1/party/centers/{id}/steps"),
                body,
            )
            .await
        }
    };
    // Out of order, too short, filed before the announcement is over: refused.
    let (s, v) = step(json!({"step": "plaque", "on": ago(19)})).await;
    assert_eq!(s, StatusCode::BAD_REQUEST, "{v}");
    let (s, v) = step(json!({"step": "announce", "on": ago(19), "until": ago(16)})).await;
    assert!(
        s == StatusCode::BAD_REQUEST
            && v["error"]["message"]
                .as_str()
                .is_some_and(|m| m.contains("不少于 5 天")),
        "{v}"
    );
    let (s, v) = step(json!({"step": "announce", "on": ago(19), "until": ago(15)})).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["stage_label"], "公示中");
    let (s, v) = step(json!({"step": "file", "on": ago(15)})).await;
    assert!(
        s == StatusCode::BAD_REQUEST
            && v["error"]["message"]
                .as_str()
                .is_some_and(|m| m.contains("期满后")),
        "{v}"
    );
    let (s, v) = step(json!({"step": "file", "on": ago(14)})).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let (s, v) = step(json!({"step": "plaque", "on": ago(10)})).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["stage"], "plaqued");
    // The grid counts it, beside the one advised for every ten households.
    let (_, cov) = app.get(&sj, "/api/v1/party/coverage").await;
    let grid = app
        .int("SELECT id FROM org_nodes WHERE code = '33019900100101'")
        .await;
    let g = cov["grids"]
        .as_array()
        .expect("grids")
        .iter()
        .find(|g| g["node_id"] == grid)
        .cloned()
        .expect("the grid");
    assert_eq!(g["centers"], 1, "{g}");
    let households = g["households"].as_i64().expect("households");
    assert_eq!(
        g["centers_wanted"].as_i64(),
        Some((households + 9) / 10),
        "{g}"
    );
    // Every grid's 中心户 and households, recounted from the rows, for the community and the
    // street.
    for who in ["liuan-sj", "qinghe-zz"] {
        let t = app.token(who).await;
        let (_, cov) = app.get(&t, "/api/v1/party/coverage").await;
        let grids = cov["grids"].as_array().expect("grids");
        assert!(!grids.is_empty(), "{who}: {cov}");
        for g in grids {
            let Some(id) = g["node_id"].as_i64() else {
                continue;
            };
            let path = app
                .text(&format!("SELECT path FROM org_nodes WHERE id = {id}"))
                .await;
            let centers = app
                .int(&format!(
                    "SELECT COUNT(*) FROM party_centers WHERE stage IN ('filed', 'plaqued') \
                     AND org_path LIKE '{path}%'"
                ))
                .await;
            let homes = app
                .int(&format!(
                    "SELECT COUNT(*) FROM households WHERE status = 'active' AND org_path LIKE '{path}%'"
                ))
                .await;
            assert_eq!(g["centers"].as_i64(), Some(centers), "{who} {g}");
            assert_eq!(g["households"].as_i64(), Some(homes), "{who} {g}");
            assert_eq!(
                g["centers_wanted"].as_i64(),
                Some((homes + 9) / 10),
                "{who} {g}"
            );
        }
    }
    // Revoked with a reason, the member may be nominated again.
    let (s, v) = step(json!({"step": "revoke", "on": ago(1)})).await;
    assert_eq!(s, StatusCode::BAD_REQUEST, "{v}");
    let (s, v) = step(json!({"step": "revoke", "on": ago(1), "reason": "搬离本小区"})).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let (s, v) = app
        .send(
            Method::POST,
            &sj,
            "/api/v1/party/centers",
            json!({"member_id": m, "on": ago(0)}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    // The page, for the secretary and a grid worker (who sees, and is offered no forms).
    let mut b = Browser::new(&app);
    b.login("liuan-sj").await;
    let (s, page) = b.get("/party/centers").await;
    assert_eq!(s, StatusCode::OK);
    assert!(page.contains("已撤销") && page.contains("已推荐"), "both");
    let mut w = Browser::new(&app);
    w.login("wgy-liuan-1").await;
    let (s, page) = w.get("/party/centers").await;
    assert_eq!(s, StatusCode::OK);
    assert!(!page.contains("/steps\""), "no forms for a grid worker");
}

#[tokio::test]
async fn a_write_is_audited_once_and_a_look_once() {
    let app = TestApp::spawn().await;
    let sj = app.token("liuan-sj").await;
    let branch = branch_of(&app, "liuan-sj").await;
    let people = residents(&app, "wgy-liuan-1", "33019900100101", 1, 950).await;
    let views = "SELECT COUNT(*) FROM audit_log WHERE entity = 'party_member' AND action = 'view'";
    let entries = "SELECT COUNT(*) FROM audit_log WHERE entity = 'party_member'";
    let (v0, e0) = (app.int(views).await, app.int(entries).await);
    let (s, m) = app
        .send(
            Method::POST,
            &sj,
            "/api/v1/party/members",
            json!({"resident_id": people[0].0, "party_org_id": branch, "stage": "applicant",
                   "applied_on": "2025-03-01"}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{m}");
    let id = m["id"].as_i64().expect("id");
    let (s, v) = app
        .send(
            Method::POST,
            &sj,
            &format!("/api/v1/party/members/{id}/steps"),
            json!({"step": "advance", "on": "2025-09-01", "approved_by": "支部委员会"}),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(
        app.int(views).await,
        v0,
        "the answers to writes are not views"
    );
    assert_eq!(app.int(entries).await, e0 + 2, "one entry per write");
    // A look is one entry.
    let (s, _) = app.get(&sj, &format!("/api/v1/party/members/{id}")).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(app.int(views).await, v0 + 1);
}
