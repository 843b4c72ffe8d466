//! 五星支部 (issue 19): the street adopts and changes its star set; a community's branch assesses
//! itself with evidence (links to its own records only); only the street scores, checks,
//! publishes and awards (a branch never reviews itself); no star without the gate; no award
//! before 公示 is over or while an objection is open; 摘星 with a reason, the gate taking the
//! others; the public history shows branches and stars and nothing of people; the figures are
//! recounted from the rows; every refusal writes nothing.

use crate::party_members::{branch_of, refused};
use crate::support::{Browser, TestApp};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use wangge::infra::clock::today;

fn year() -> i32 {
    chrono::Datelike::year(&today())
}

async fn written(app: &TestApp) -> Vec<i64> {
    let mut out = vec![app.audit_rows().await];
    for sql in [
        "SELECT COUNT(*) FROM star_sets",
        "SELECT COALESCE(MAX(updated_at), 0) FROM star_sets",
        "SELECT COUNT(*) FROM star_reviews",
        "SELECT COALESCE(MAX(updated_at), 0) FROM star_reviews",
        "SELECT COUNT(*) FROM star_objections",
        "SELECT COUNT(*) FROM star_withdrawals",
    ] {
        out.push(app.int(sql).await);
    }
    out
}

async fn ok(app: &TestApp, token: &str, method: Method, path: &str, body: Value) -> Value {
    let (s, v) = app.send(method, token, path, body).await;
    assert!(s.is_success(), "{path}: {s} {v}");
    v
}

/// The five stars of the urban set with the same points.
fn all_points(p: [u32; 5]) -> Value {
    json!({"strong": p[0], "service": p[1], "safety": p[2], "joint": p[3], "civility": p[4]})
}

async fn assess_all(app: &TestApp, token: &str, review: i64, points: [u32; 5]) {
    for (key, p) in ["strong", "service", "safety", "joint", "civility"]
        .iter()
        .zip(points)
    {
        ok(
            app,
            token,
            Method::PUT,
            &format!("/api/v1/party/star-reviews/{review}/stars/{key}"),
            json!({"points": p, "text": format!("{key} 的自评说明")}),
        )
        .await;
    }
}

/// A meeting of a party organization held on a day (raw: the figure reads only these columns).
async fn meeting(app: &TestApp, org: i64, held_on: &str) {
    let path = app
        .text(&format!("SELECT org_path FROM party_orgs WHERE id = {org}"))
        .await;
    wangge::infra::db::exec(
        &app.db,
        "INSERT INTO party_meetings (party_org_id, org_path, kind, held_on, place, topic, chair, \
         recorder, minutes, entitled, present, actor_name, created_at) \
         VALUES ($1, $2, 'committee', $3, '党群服务中心', '支委会', '书记', '委员', '', 5, 5, 'test', 1)",
        vec![org.into(), path.into(), held_on.to_owned().into()],
    )
    .await
    .expect("meeting");
}

#[tokio::test]
async fn a_branch_assesses_itself_the_street_scores_publishes_awards_and_withdraws() {
    let app = TestApp::spawn().await;
    let zz = app.token("qinghe-zz").await;
    let sj = app.token("liuan-sj").await;
    let y = year();
    let before = written(&app).await;
    // The set is the street's.
    for (token, body, code, words) in [
        (
            &sj,
            json!({"year": y, "kind": "urban"}),
            "bad_node",
            "由街道（乡镇）确定",
        ),
        (
            &zz,
            json!({"year": y, "kind": "city"}),
            "bad_kind",
            "村党组织或社区党组织",
        ),
        (
            &zz,
            json!({"year": 2000, "kind": "urban"}),
            "bad_year",
            "评定年度",
        ),
    ] {
        refused(
            &app,
            token,
            Method::POST,
            "/api/v1/party/star-sets",
            body,
            code,
            words,
        )
        .await;
    }
    assert_eq!(written(&app).await, before, "refusals write nothing");
    let (s, set) = app
        .send(
            Method::POST,
            &zz,
            "/api/v1/party/star-sets",
            json!({"year": y, "kind": "urban"}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{set}");
    assert_eq!(set["gate"], "支部过硬星");
    assert_eq!(set["stars"].as_array().map(Vec::len), Some(5));
    let (s, twice) = app
        .send(
            Method::POST,
            &zz,
            "/api/v1/party/star-sets",
            json!({"year": y, "kind": "urban"}),
        )
        .await;
    assert_eq!(
        (s, twice["error"]["code"].as_str()),
        (StatusCode::CONFLICT, Some("set_twice")),
        "{twice}"
    );

    // The community opens its branch's review; once a year.
    let branch = branch_of(&app, "liuan-sj").await;
    meeting(&app, branch, &format!("{y}-03-05")).await;
    let this_meeting = app.int("SELECT MAX(id) FROM party_meetings").await;
    meeting(&app, branch, &format!("{}-12-20", y - 1)).await;
    let old_meeting = app.int("SELECT MAX(id) FROM party_meetings").await;
    let (s, review) = app
        .send(
            Method::POST,
            &sj,
            "/api/v1/party/star-reviews",
            json!({"party_org_id": branch, "year": y}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{review}");
    let id = review["id"].as_i64().expect("id");
    assert_eq!(
        (review["stage"].as_str(), review["can_assess"].as_bool()),
        (Some("draft"), Some(true))
    );
    assert_eq!(
        review["records"]["meetings_held"], 1,
        "this year's only: {review}"
    );
    let before = written(&app).await;
    refused(
        &app,
        &sj,
        Method::POST,
        "/api/v1/party/star-reviews",
        json!({"party_org_id": branch, "year": y}),
        "review_twice",
        "本年度已有",
    )
    .await;
    // Not the street's own committee.
    let committee = app
        .int("SELECT MIN(id) FROM party_orgs WHERE kind = 'committee' AND name LIKE '%清河%'")
        .await;
    refused(
        &app,
        &zz,
        Method::POST,
        "/api/v1/party/star-reviews",
        json!({"party_org_id": committee, "year": y}),
        "bad_branch",
        "村（社区）党组织",
    )
    .await;
    let star = format!("/api/v1/party/star-reviews/{id}/stars/strong");
    for (token, body, code, words) in [
        (
            &zz,
            json!({"points": 90, "text": "街道代写"}),
            "not_branch",
            "街道不代为自评",
        ),
        (
            &sj,
            json!({"points": 101, "text": "满分以上"}),
            "bad_points",
            "0 至 100",
        ),
        (
            &sj,
            json!({"points": 90, "text": ""}),
            "invalid_input",
            "自评说明",
        ),
        (
            &sj,
            json!({"points": 90, "text": "引用去年的会", "links": [format!("meeting:{old_meeting}")]}),
            "bad_link",
            "不是本支部本年度",
        ),
        (
            &sj,
            json!({"points": 90, "text": "照片不是我传的", "photo": "0".repeat(64)}),
            "bad_photo",
            "照片不存在",
        ),
    ] {
        refused(&app, token, Method::PUT, &star, body, code, words).await;
    }
    refused(
        &app,
        &sj,
        Method::POST,
        &format!("/api/v1/party/star-reviews/{id}/submit"),
        json!({}),
        "incomplete",
        "还没有自评",
    )
    .await;
    assert_eq!(written(&app).await, before, "refusals write nothing");

    // The self-assessment, with a link to this year's meeting and a photo.
    let photo = crate::routes::upload_photo(&app, &sj).await;
    let v = ok(
        &app,
        &sj,
        Method::PUT,
        &star,
        json!({"points": 92, "text": "支委会按时召开", "links": [format!("meeting:{this_meeting}")], "photo": photo}),
    )
    .await;
    assert_eq!(
        v["stars"][0]["assessed"]["links"],
        json!([format!("meeting:{this_meeting}")])
    );
    assess_all(&app, &sj, id, [92, 95, 90, 88, 85]).await;
    // A branch does not review itself.
    let before = written(&app).await;
    for step in ["score", "publish", "award"] {
        refused(
            &app,
            &sj,
            Method::POST,
            &format!("/api/v1/party/star-reviews/{id}/{step}"),
            json!({"points": all_points([100; 5])}),
            "not_reviewer",
            "村（社区）不能评定",
        )
        .await;
    }
    assert_eq!(written(&app).await, before, "refusals write nothing");
    ok(
        &app,
        &sj,
        Method::POST,
        &format!("/api/v1/party/star-reviews/{id}/submit"),
        json!({}),
    )
    .await;
    refused(
        &app,
        &sj,
        Method::PUT,
        &star,
        json!({"points": 1, "text": "改"}),
        "bad_step",
        "已提交",
    )
    .await;
    refused(
        &app,
        &zz,
        Method::PUT,
        &format!("/api/v1/party/star-sets/{}", set["id"]),
        json!({"stars": []}),
        "bad_set",
        "2 至 7 颗星",
    )
    .await;

    // No star without the gate.
    let step = |s: &str| format!("/api/v1/party/star-reviews/{id}/{s}");
    refused(
        &app,
        &zz,
        Method::POST,
        &step("score"),
        json!({"points": {"strong": 90}}),
        "no_points",
        "请给",
    )
    .await;
    let v = ok(
        &app,
        &zz,
        Method::POST,
        &step("score"),
        json!({"points": all_points([70, 95, 95, 95, 95])}),
    )
    .await;
    assert_eq!(v["stage"], "scored");
    let proposed: Vec<&Value> = v["stars"]
        .as_array()
        .expect("stars")
        .iter()
        .filter(|s| s["proposed"] == true)
        .collect();
    assert!(proposed.is_empty(), "the gate failed: {v}");
    assert!(
        v["stars"][1]["why_not"]
            .as_str()
            .is_some_and(|w| w.contains("门槛星未评上")),
        "{v}"
    );
    let v = ok(
        &app,
        &zz,
        Method::POST,
        &step("score"),
        json!({"points": all_points([85, 90, 79, 88, 80]), "note": "核实后评定"}),
    )
    .await;
    let proposed: Vec<&str> = v["stars"]
        .as_array()
        .expect("stars")
        .iter()
        .filter(|s| s["proposed"] == true)
        .filter_map(|s| s["key"].as_str())
        .collect();
    assert_eq!(proposed, ["strong", "service", "joint", "civility"]);

    // 公示: five days, objections hold the award.
    refused(
        &app,
        &zz,
        Method::POST,
        &step("award"),
        json!({}),
        "bad_step",
        "已评分",
    )
    .await;
    let v = ok(&app, &zz, Method::POST, &step("publish"), json!({})).await;
    assert_eq!(v["public_from"], today().to_string());
    refused(
        &app,
        &zz,
        Method::POST,
        &step("award"),
        json!({}),
        "too_early",
        "期满后才能授星",
    )
    .await;
    let jm = app.token("jm-fenglin").await;
    let (s, _) = app
        .send(
            Method::POST,
            &jm,
            &step("object"),
            json!({"note": "外社区的人"}),
        )
        .await;
    assert!(s.is_client_error(), "a resident elsewhere does not see it");
    ok(
        &app,
        &sj,
        Method::POST,
        &step("object"),
        json!({"note": "共建项目尚未完工"}),
    )
    .await;
    wangge::infra::db::exec(
        &app.db,
        "UPDATE star_reviews SET public_from = $1 WHERE id = $2",
        vec![
            (today() - chrono::Days::new(6)).to_string().into(),
            id.into(),
        ],
    )
    .await
    .expect("backdated");
    refused(
        &app,
        &zz,
        Method::POST,
        &step("award"),
        json!({}),
        "too_early",
        "1 条异议未处理",
    )
    .await;
    let objection = app
        .int(&format!(
            "SELECT id FROM star_objections WHERE review_id = {id}"
        ))
        .await;
    refused(
        &app,
        &sj,
        Method::POST,
        &format!("/api/v1/party/star-objections/{objection}/dismiss"),
        json!({"answer": "自己驳回"}),
        "not_reviewer",
        "村（社区）不能评定",
    )
    .await;
    let v = ok(
        &app,
        &zz,
        Method::POST,
        &format!("/api/v1/party/star-objections/{objection}/dismiss"),
        json!({"answer": "项目已按协议分期实施，异议不成立"}),
    )
    .await;
    assert_eq!(v["objections"][0]["status"], "dismissed");
    assert_eq!(v["may_award"], true, "{v}");
    let v = ok(&app, &zz, Method::POST, &step("award"), json!({})).await;
    assert_eq!(
        (v["stage"].as_str(), v["held_count"].as_u64()),
        (Some("awarded"), Some(4))
    );

    // 摘星: with a reason; the gate takes the others.
    let before = written(&app).await;
    for (body, code, words) in [
        (json!({"star": "service"}), "invalid_input", "意见"),
        (
            json!({"star": "safety", "note": "没授予的星"}),
            "not_held",
            "没有授予",
        ),
    ] {
        refused(
            &app,
            &zz,
            Method::POST,
            &step("withdraw"),
            body,
            code,
            words,
        )
        .await;
    }
    refused(
        &app,
        &sj,
        Method::POST,
        &step("withdraw"),
        json!({"star": "service", "note": "自己摘"}),
        "not_reviewer",
        "村（社区）不能评定",
    )
    .await;
    assert_eq!(written(&app).await, before, "refusals write nothing");
    let v = ok(
        &app,
        &zz,
        Method::POST,
        &step("withdraw"),
        json!({"star": "service", "note": "年内两件诉求逾期未办结"}),
    )
    .await;
    assert_eq!(v["held_count"], 3);
    refused(
        &app,
        &zz,
        Method::POST,
        &step("withdraw"),
        json!({"star": "service", "note": "再摘一次"}),
        "withdrawn_twice",
        "已经摘除",
    )
    .await;
    recount(&app, &zz, y).await;
    let v = ok(
        &app,
        &zz,
        Method::POST,
        &step("withdraw"),
        json!({"star": "strong", "note": "支部书记被立案审查"}),
    )
    .await;
    assert_eq!(v["held_count"], 0, "the gate takes the others: {v}");
    recount(&app, &zz, y).await;

    // The public history: the branch, its stars, the reasons; no person.
    let (s, public) = app.get("", &format!("/api/v1/stars?year={y}")).await;
    assert_eq!(s, StatusCode::OK);
    let text = public.to_string();
    assert!(
        text.contains("柳岸") && text.contains("年内两件诉求逾期未办结"),
        "{public}"
    );
    let reviewer = app
        .text(&format!(
            "SELECT scored_by FROM star_reviews WHERE id = {id}"
        ))
        .await;
    for hidden in [reviewer.as_str(), "共建项目尚未完工", "支委会按时召开"] {
        assert!(!text.contains(hidden), "{hidden} in {public}");
    }
    let mut b = Browser::new(&app);
    let (s, page) = b.get(&format!("/stars?year={y}")).await;
    assert_eq!(s, StatusCode::OK);
    assert!(
        page.contains("柳岸") && !page.contains(&reviewer),
        "the public page"
    );
}

/// The list's figures, against a recount from the raw rows: awarded keys less the withdrawn,
/// nothing held when the gate (`strong`) is withdrawn.
async fn recount(app: &TestApp, token: &str, y: i32) {
    use sea_orm::ConnectionTrait;
    let (_, v) = app
        .get(token, &format!("/api/v1/party/stars?year={y}"))
        .await;
    let rows = app
        .db
        .query_all_raw(sea_orm::Statement::from_string(
            app.db.get_database_backend(),
            format!("SELECT id, stage, awarded FROM star_reviews WHERE year = {y}"),
        ))
        .await
        .expect("rows");
    let (mut reviews, mut branches, mut awarded, mut held, mut gone) = (0, 0, 0, 0, 0);
    for r in rows {
        reviews += 1;
        let id: i64 = r.try_get_by_index(0).expect("id");
        let stage: String = r.try_get_by_index(1).expect("stage");
        let keys: Vec<String> =
            serde_json::from_str(&r.try_get_by_index::<String>(2).expect("awarded")).expect("json");
        if stage != "awarded" {
            continue;
        }
        branches += 1;
        awarded += keys.len();
        let withdrawn = app
            .db
            .query_all_raw(sea_orm::Statement::from_string(
                app.db.get_database_backend(),
                format!("SELECT star_key FROM star_withdrawals WHERE review_id = {id}"),
            ))
            .await
            .expect("withdrawals")
            .into_iter()
            .map(|w| w.try_get_by_index::<String>(0).expect("key"))
            .collect::<Vec<_>>();
        gone += withdrawn.len();
        if !withdrawn.iter().any(|k| k == "strong") {
            held += keys.iter().filter(|k| !withdrawn.contains(k)).count();
        }
    }
    let t = &v["tally"];
    assert_eq!(
        (
            t["reviews"].as_u64(),
            t["awarded_branches"].as_u64(),
            t["stars_awarded"].as_u64(),
            t["stars_held"].as_u64(),
            t["stars_withdrawn"].as_u64(),
        ),
        (
            Some(reviews),
            Some(branches),
            Some(awarded as u64),
            Some(held as u64),
            Some(gone as u64),
        ),
        "{v}"
    );
}

#[tokio::test]
async fn the_set_is_the_street_s_until_a_review_is_in_and_two_levels_need_two_reviewers() {
    let app = TestApp::spawn().await;
    let zz = app.token("qinghe-zz").await;
    let district = app.token("district-zz").await;
    let sj = app.token("liuan-sj").await;
    let y = year();
    let set = ok(
        &app,
        &zz,
        Method::POST,
        "/api/v1/party/star-sets",
        json!({"year": y, "kind": "urban"}),
    )
    .await;
    let path = format!("/api/v1/party/star-sets/{}", set["id"]);
    let star = |key: &str, name: &str, gate: bool| json!({"key": key, "name": name, "gate": gate, "criteria": "组织｜按时开会｜50\n服务｜办好实事｜50"});
    let before = written(&app).await;
    for (token, body, code, words) in [
        (
            &sj,
            json!({"stars": [star("a", "甲星", false), star("b", "乙星", false)]}),
            "not_reviewer",
            "由街道确定",
        ),
        (
            &zz,
            json!({"stars": [star("a", "甲星", true), star("b", "乙星", true)]}),
            "bad_set",
            "最多一颗",
        ),
        (
            &zz,
            json!({"stars": [star("a", "甲星", false), {"name": "乙星", "criteria": "只有一段"}]}),
            "bad_criterion",
            "领域｜任务｜分值",
        ),
    ] {
        refused(&app, token, Method::PUT, &path, body, code, words).await;
    }
    assert_eq!(written(&app).await, before, "refusals write nothing");
    // Two stars, no gate, two levels.
    let v = ok(
        &app,
        &zz,
        Method::PUT,
        &path,
        json!({"two_level": true, "stars": [star("strong", "组织星", false), star("service", "服务星", false)]}),
    )
    .await;
    assert_eq!(
        (v["gate"].is_null(), v["two_level"].as_bool()),
        (true, Some(true)),
        "{v}"
    );
    assert_eq!(
        v["stars"][0]["pass"], 80,
        "four fifths of 100 when none is given"
    );
    let branch = branch_of(&app, "liuan-sj").await;
    let review = ok(
        &app,
        &sj,
        Method::POST,
        "/api/v1/party/star-reviews",
        json!({"party_org_id": branch}),
    )
    .await;
    let id = review["id"].as_i64().expect("id");
    for key in ["strong", "service"] {
        ok(
            &app,
            &sj,
            Method::PUT,
            &format!("/api/v1/party/star-reviews/{id}/stars/{key}"),
            json!({"points": 85, "text": "自评"}),
        )
        .await;
    }
    ok(
        &app,
        &sj,
        Method::POST,
        &format!("/api/v1/party/star-reviews/{id}/submit"),
        json!({}),
    )
    .await;
    refused(
        &app,
        &zz,
        Method::PUT,
        &path,
        json!({"stars": [star("strong", "组织星", false), star("service", "服务星", false)]}),
        "set_in_use",
        "不能再改",
    )
    .await;
    let step = |s: &str| format!("/api/v1/party/star-reviews/{id}/{s}");
    // Without a gate each star stands alone.
    let v = ok(
        &app,
        &zz,
        Method::POST,
        &step("score"),
        json!({"points": {"strong": 10, "service": 90}}),
    )
    .await;
    assert_eq!(v["stars"][1]["proposed"], true, "{v}");
    refused(
        &app,
        &zz,
        Method::POST,
        &step("publish"),
        json!({}),
        "bad_step",
        "复核",
    )
    .await;
    refused(
        &app,
        &zz,
        Method::POST,
        &step("check"),
        json!({}),
        "same_reviewer",
        "另一位",
    )
    .await;
    let v = ok(&app, &district, Method::POST, &step("check"), json!({})).await;
    assert_eq!(v["stage"], "checked");
    let v = ok(&app, &zz, Method::POST, &step("publish"), json!({})).await;
    assert_eq!(v["stage"], "public");
    // An objection upheld sends it back to be scored again.
    ok(
        &app,
        &sj,
        Method::POST,
        &step("object"),
        json!({"note": "服务星材料不实"}),
    )
    .await;
    let objection = app
        .int(&format!(
            "SELECT id FROM star_objections WHERE review_id = {id}"
        ))
        .await;
    let v = ok(
        &app,
        &zz,
        Method::POST,
        &format!("/api/v1/party/star-objections/{objection}/uphold"),
        json!({"answer": "核实属实，重新评分"}),
    )
    .await;
    assert_eq!(
        (v["stage"].as_str(), v["public_from"].is_null()),
        (Some("submitted"), true),
        "{v}"
    );
}

#[tokio::test]
async fn a_branch_s_records_of_the_year_are_its_own_recounted() {
    let app = TestApp::spawn().await;
    let zz = app.token("qinghe-zz").await;
    let sj = app.token("liuan-sj").await;
    let y = year();
    ok(
        &app,
        &zz,
        Method::POST,
        "/api/v1/party/star-sets",
        json!({"year": y, "kind": "urban"}),
    )
    .await;
    let branch = branch_of(&app, "liuan-sj").await;
    let elsewhere = branch_of(&app, "fenglin-sj").await;
    let group = app
        .int(&format!(
            "SELECT MIN(id) FROM party_orgs WHERE parent_id = {branch}"
        ))
        .await;
    for (org, day) in [
        (branch, format!("{y}-01-01")),
        (branch, format!("{y}-12-31")),
        (group, format!("{y}-06-01")),
        (branch, format!("{}-12-31", y - 1)),
        (elsewhere, format!("{y}-06-01")),
    ] {
        meeting(&app, org, &day).await;
    }
    // Cases: reported here and elsewhere, closed this year or last, or still open.
    let building = app.building_in("33019900100101").await;
    let there = app.building_in("33019900100201").await;
    let jm = app.token("jm-liuan").await;
    let jf = app.token("jm-fenglin").await;
    let mut cases = Vec::new();
    for (token, body) in [
        (
            &jm,
            json!({"title": "路灯不亮", "description": "楼下路灯坏了", "building_id": building}),
        ),
        (
            &jm,
            json!({"title": "井盖松动", "description": "井盖一踩就响", "building_id": building}),
        ),
        (
            &jm,
            json!({"title": "垃圾满溢", "description": "垃圾桶满了", "building_id": building}),
        ),
        (
            &jm,
            json!({"title": "树枝断裂", "description": "树枝挂在半空", "building_id": building}),
        ),
        (
            &jf,
            json!({"title": "外社区的路灯", "description": "不亮", "building_id": there}),
        ),
    ] {
        let (s, c) = app.send(Method::POST, token, "/api/v1/cases", body).await;
        assert_eq!(s, StatusCode::CREATED, "{c}");
        cases.push(c["id"].as_i64().expect("id"));
    }
    let at = |d: String| {
        wangge::infra::clock::from_bj(
            chrono::NaiveDate::parse_from_str(&d, "%Y-%m-%d")
                .expect("day")
                .and_hms_opt(12, 0, 0)
                .expect("noon"),
        )
    };
    for (case, closed) in [
        (cases[0], Some(at(format!("{y}-02-01")))),
        (cases[1], Some(at(format!("{y}-03-01")))),
        (cases[2], Some(at(format!("{}-12-30", y - 1)))),
        (cases[3], None),
        (cases[4], Some(at(format!("{y}-02-01")))),
    ] {
        if let Some(t) = closed {
            wangge::infra::db::exec(
                &app.db,
                "UPDATE cases SET status = 'closed', closed_at = $1 WHERE id = $2",
                vec![t.into(), case.into()],
            )
            .await
            .expect("closed");
        }
    }
    let review = ok(
        &app,
        &sj,
        Method::POST,
        "/api/v1/party/star-reviews",
        json!({"party_org_id": branch}),
    )
    .await;
    let r = &review["records"];
    // The recount, from the raw rows, by SQL of its own.
    let path = app
        .text(&format!(
            "SELECT org_path FROM party_orgs WHERE id = {branch}"
        ))
        .await;
    let (from, to) = (
        at(format!("{y}-01-01")) - 12 * 3_600_000,
        at(format!("{}-01-01", y + 1)) - 12 * 3_600_000,
    );
    let meetings = app
        .int(&format!(
            "SELECT COUNT(*) FROM party_meetings m JOIN party_orgs o ON o.id = m.party_org_id \
             WHERE (o.id = {branch} OR o.parent_id = {branch}) \
             AND m.held_on >= '{y}-01-01' AND m.held_on <= '{y}-12-31'"
        ))
        .await;
    let closed = app
        .int(&format!(
            "SELECT COUNT(*) FROM cases WHERE org_path LIKE '{path}%' AND status = 'closed' \
             AND closed_at >= {from} AND closed_at < {to}"
        ))
        .await;
    let wishes = app
        .int(&format!(
            "SELECT COUNT(*) FROM party_wishes WHERE org_path LIKE '{path}%' AND status = 'fulfilled' \
             AND fulfilled_at >= {from} AND fulfilled_at < {to}"
        ))
        .await;
    assert_eq!(
        (
            r["meetings_held"].as_i64(),
            r["cases_resolved"].as_i64(),
            r["wishes_fulfilled"].as_i64()
        ),
        (Some(meetings), Some(closed), Some(wishes)),
        "{r}"
    );
    assert_eq!((meetings, closed), (3, 2), "the data set is what it says");
    // Only its own records are offered as evidence.
    let offered = r["cases"].to_string();
    assert!(
        offered.contains(&format!("case:{}", cases[0]))
            && !offered.contains(&format!("case:{}\"", cases[4])),
        "{r}"
    );
}

#[tokio::test]
async fn the_pages_carry_the_review_for_each_side() {
    let app = TestApp::spawn().await;
    let y = year();
    let branch = branch_of(&app, "liuan-sj").await;
    meeting(&app, branch, &format!("{y}-04-01")).await;
    let held = app.int("SELECT MAX(id) FROM party_meetings").await;
    // The street adopts its set on the page.
    let mut zz = Browser::new(&app);
    let zc = zz.login("qinghe-zz").await;
    let (s, page) = zz.get("/party/stars").await;
    assert_eq!(s, StatusCode::OK);
    assert!(page.contains("采用默认五星"), "the street adopts");
    let (s, loc) = zz
        .post(
            "/party/star-sets",
            &[("_csrf", &zc), ("kind", "urban"), ("year", &y.to_string())],
        )
        .await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    assert!(loc.starts_with("/party/star-sets/"), "{loc}");
    let (s, page) = zz.get(&loc).await;
    assert_eq!(s, StatusCode::OK);
    assert!(
        page.contains("支部过硬星") && page.contains("name=\"criteria_0\""),
        "the set's form"
    );
    // The street gives the second star a pass mark of its own; the page sends every slot.
    let mut form: Vec<(String, String)> =
        vec![("_csrf".into(), zc.clone()), ("gate".into(), "0".into())];
    for (i, key) in ["strong", "service", "safety", "joint", "civility"]
        .iter()
        .enumerate()
    {
        let at = page
            .find(&format!("name=\"criteria_{i}\""))
            .expect("a slot");
        let text = page[at..]
            .split_once('>')
            .and_then(|(_, t)| t.split_once("</textarea>"))
            .map(|(t, _)| t.to_owned())
            .expect("criteria");
        form.push((format!("key_{i}"), (*key).into()));
        form.push((format!("name_{i}"), format!("第{}星", i + 1)));
        form.push((
            format!("pass_{i}"),
            if i == 1 { "70".into() } else { String::new() },
        ));
        form.push((format!("criteria_{i}"), text));
    }
    form.push(("name_5".into(), String::new()));
    form.push(("criteria_5".into(), String::new()));
    let pairs: Vec<(&str, &str)> = form.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let (s, _) = zz.post(&loc, &pairs).await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    let set_id: i64 = loc
        .rsplit('/')
        .next()
        .and_then(|s| s.parse().ok())
        .expect("id");
    let (_, set) = app
        .get(
            &app.token("qinghe-zz").await,
            &format!("/api/v1/party/star-sets/{set_id}"),
        )
        .await;
    assert_eq!(
        (
            set["stars"][1]["pass"].as_u64(),
            set["stars"][1]["name"].as_str(),
            set["gate"].as_str(),
            set["stars"].as_array().map(Vec::len)
        ),
        (Some(70), Some("第2星"), Some("第1星"), Some(5)),
        "{set}"
    );
    // The community opens the review and assesses a star with a photo and a link.
    let mut sj = Browser::new(&app);
    let sc = sj.login("liuan-sj").await;
    let (_, page) = sj.get("/party/stars").await;
    assert!(!page.contains("采用默认五星"), "a community does not adopt");
    let (s, loc) = sj
        .post(
            "/party/stars",
            &[
                ("_csrf", &sc),
                ("party_org_id", &branch.to_string()),
                ("year", &y.to_string()),
            ],
        )
        .await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    let (_, page) = sj.get(&loc).await;
    assert!(
        page.contains("填写自评") && page.contains(&format!("link:meeting:{held}")),
        "{page}"
    );
    let (action, file) = crate::party_honours::upload_form(&page, &format!("{loc}/assess/strong"));
    let (s, back) = sj
        .upload(
            &action,
            &[
                ("points", "90"),
                ("text", "支委会按月召开"),
                (&format!("link:meeting:{held}"), "1"),
            ],
            &file,
            &crate::support::tiny_jpeg(),
        )
        .await;
    assert_eq!((s, back.as_str()), (StatusCode::SEE_OTHER, loc.as_str()));
    let (_, page) = sj.get(&loc).await;
    assert!(
        page.contains("支委会按月召开") && page.contains("/photo/"),
        "the evidence shown"
    );
    let photo = page
        .split(&format!("{loc}/photo/"))
        .nth(1)
        .and_then(|s| s.split('"').next())
        .expect("a photo")
        .to_owned();
    let (s, _) = sj.get(&format!("{loc}/photo/{photo}")).await;
    assert_eq!(s, StatusCode::OK, "the evidence photo opens");
    let mut other = Browser::new(&app);
    other.login("fenglin-sj").await;
    let (s, _) = other.get(&format!("{loc}/photo/{photo}")).await;
    assert_eq!(s, StatusCode::NOT_FOUND, "not to another community");
    let (s, _) = other.get(&loc).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    // The rest through the API; then the street scores on the page.
    let token = app.token("liuan-sj").await;
    let id: i64 = loc
        .rsplit('/')
        .next()
        .and_then(|s| s.parse().ok())
        .expect("id");
    assess_all(&app, &token, id, [90, 90, 90, 90, 90]).await;
    let (s, _) = sj.post(&format!("{loc}/submit"), &[("_csrf", &sc)]).await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    let (_, page) = zz.get(&loc).await;
    assert!(
        page.contains("name=\"p_strong\"") && !page.contains("填写自评"),
        "the street scores, not assesses"
    );
    let (s, _) = zz
        .post(
            &format!("{loc}/score"),
            &[
                ("_csrf", &zc),
                ("p_strong", "90"),
                ("p_service", "72"),
                ("p_safety", "60"),
                ("p_joint", "88"),
                ("p_civility", "81"),
            ],
        )
        .await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    assert_eq!(
        app.text(&format!("SELECT awarded FROM star_reviews WHERE id = {id}"))
            .await,
        r#"["strong","service","joint","civility"]"#
    );
    let (_, page) = zz.get(&loc).await;
    assert!(
        page.contains("拟授予") && page.contains("未达 80 分"),
        "{page}"
    );
    let (s, page) = Browser::new(&app).get("/stars").await;
    assert_eq!(s, StatusCode::OK);
    assert!(!page.contains("柳岸社区支部"), "nothing public before 公示");
}
