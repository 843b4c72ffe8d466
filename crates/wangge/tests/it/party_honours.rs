//! 光荣榜 (issue 19): the street defines categories with quotas; a community nominates, a member
//! nominates themself; only the street approves (a community cannot approve its own people), up
//! to the quota; the published roll is public with a photo and a citation and nothing else, and
//! frozen; every refusal writes nothing.

use crate::party_members::{branch_of, member, refused, residents};
use crate::support::{Browser, TestApp};
use reqwest::{Method, StatusCode};
use serde_json::json;

async fn written(app: &TestApp) -> Vec<i64> {
    let mut out = vec![app.audit_rows().await];
    for sql in [
        "SELECT COUNT(*) FROM honour_categories",
        "SELECT COUNT(*) FROM honour_nominations",
        "SELECT COUNT(*) FROM honour_nominations WHERE status = 'approved'",
        "SELECT COUNT(*) FROM honour_nominations WHERE status = 'rejected'",
        "SELECT COUNT(*) FROM honour_rolls",
    ] {
        out.push(app.int(sql).await);
    }
    out
}

#[tokio::test]
async fn the_street_approves_up_to_the_quota_and_the_published_roll_is_public_and_frozen() {
    let app = TestApp::spawn().await;
    let zz = app.token("qinghe-zz").await;
    let sj = app.token("liuan-sj").await;
    let before = written(&app).await;
    for (token, body, code, words) in [
        (
            &sj,
            json!({"name": "最美志愿者", "period_kind": "month", "quota": 2, "subject": "person"}),
            "bad_node",
            "由街道（乡镇）设立",
        ),
        (
            &zz,
            json!({"name": "最美志愿者", "period_kind": "month", "quota": 0, "subject": "person"}),
            "bad_quota",
            "1 至 50",
        ),
        (
            &zz,
            json!({"name": "最美志愿者", "period_kind": "week", "quota": 2, "subject": "person"}),
            "bad_period_kind",
            "月度、季度或年度",
        ),
    ] {
        refused(
            &app,
            token,
            Method::POST,
            "/api/v1/party/honour-categories",
            body,
            code,
            words,
        )
        .await;
    }
    assert_eq!(written(&app).await, before, "refusals write nothing");
    let (s, cat) = app
        .send(
            Method::POST,
            &zz,
            "/api/v1/party/honour-categories",
            json!({"name": "最美志愿者", "period_kind": "month", "quota": 2, "subject": "person",
                   "note": "热心公益、服务群众"}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{cat}");
    let cat_id = cat["id"].as_i64().expect("id");
    let period = cat["current_period"].as_str().expect("period").to_owned();
    let (s, org_cat) = app
        .send(
            Method::POST,
            &zz,
            "/api/v1/party/honour-categories",
            json!({"name": "红旗党支部", "period_kind": "year", "quota": 1, "subject": "party_org"}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{org_cat}");
    // The community sees the street's categories and nominates.
    let (_, cats) = app.get(&sj, "/api/v1/party/honour-categories").await;
    assert!(cats.to_string().contains("最美志愿者"), "{cats}");
    assert_eq!(cats[0]["approves"], false, "a community does not approve");
    let people = residents(&app, "wgy-liuan-1", "33019900100101", 4, 820).await;
    let photo = crate::routes::upload_photo(&app, &sj).await;
    let mut ids = Vec::new();
    for (i, (r, _)) in people.iter().take(3).enumerate() {
        let (s, n) = app
            .send(
                Method::POST,
                &sj,
                "/api/v1/party/honour-nominations",
                json!({"category_id": cat_id, "resident_id": r,
                       "citation": format!("常年照顾独居老人，第 {i} 位"),
                       "photo": if i == 0 { photo.clone() } else { String::new() }}),
            )
            .await;
        assert_eq!(s, StatusCode::CREATED, "{n}");
        assert_eq!(n["place_name"], "柳岸社区");
        ids.push(n["id"].as_i64().expect("id"));
    }
    let before = written(&app).await;
    for (body, code, words) in [
        (
            json!({"category_id": cat_id, "resident_id": people[0].0, "citation": "再提一次"}),
            "nominated_twice",
            "已在本期",
        ),
        (
            json!({"category_id": cat_id, "resident_id": people[3].0, "citation": "x", "period": "2026-13"}),
            "bad_period",
            "评选期无效",
        ),
        (
            json!({"category_id": cat_id, "resident_id": people[3].0, "citation": "x", "period": "2020-01"}),
            "bad_period",
            "只能为",
        ),
        (
            json!({"category_id": cat_id, "resident_id": people[3].0, "citation": ""}),
            "invalid_input",
            "事迹简介",
        ),
        (
            json!({"category_id": org_cat["id"], "resident_id": people[3].0, "citation": "x"}),
            "no_nominee",
            "党组织",
        ),
        (
            json!({"category_id": cat_id, "resident_id": people[3].0, "citation": "x", "photo": "f".repeat(64)}),
            "bad_photo",
            "照片",
        ),
    ] {
        refused(
            &app,
            &sj,
            Method::POST,
            "/api/v1/party/honour-nominations",
            body,
            code,
            words,
        )
        .await;
    }
    // A community cannot approve its own people; the street reviews.
    refused(
        &app,
        &sj,
        Method::POST,
        &format!("/api/v1/party/honour-nominations/{}/approve", ids[0]),
        json!({}),
        "not_approver",
        "由街道审定",
    )
    .await;
    refused(
        &app,
        &zz,
        Method::POST,
        &format!("/api/v1/party/honour-nominations/{}/reject", ids[2]),
        json!({"note": ""}),
        "invalid_input",
        "意见",
    )
    .await;
    assert_eq!(written(&app).await, before, "refusals write nothing");
    // A member nominates themself.
    let branch = branch_of(&app, "liuan-sj").await;
    let m = member(&app, &sj, branch, people[3].0, true).await;
    let account = app
        .int("SELECT id FROM users WHERE username = 'dy-liuan'")
        .await;
    app.send(
        Method::PATCH,
        &sj,
        &format!("/api/v1/party/members/{}", m["id"]),
        json!({"user_id": account, "version": m["version"]}),
    )
    .await;
    let dy = app.token("dy-liuan").await;
    let (s, own) = app
        .send(
            Method::POST,
            &dy,
            "/api/v1/party/honour-nominations",
            json!({"category_id": cat_id, "citation": "组织楼道志愿服务队"}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{own}");
    assert_eq!(own["self_nominated"], true);
    let (_, mine) = app.get(&dy, "/api/v1/party/honour-nominations").await;
    assert_eq!(
        mine.as_array().map(Vec::len),
        Some(1),
        "a member sees their own: {mine}"
    );
    // Approvals up to the quota: the third is refused.
    for id in &ids[..2] {
        let (s, v) = app
            .send(
                Method::POST,
                &zz,
                &format!("/api/v1/party/honour-nominations/{id}/approve"),
                json!({}),
            )
            .await;
        assert_eq!(s, StatusCode::OK, "{v}");
        assert_eq!(v["status"], "approved");
    }
    refused(
        &app,
        &zz,
        Method::POST,
        &format!("/api/v1/party/honour-nominations/{}/approve", ids[2]),
        json!({}),
        "quota_full",
        "最多 2 名",
    )
    .await;
    // Nothing is public before the roll is published.
    let (s, v) = app
        .get("", &format!("/api/v1/honours?period={period}"))
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v, json!([]));
    let (s, _) = app.get("", &format!("/honours/photo/{}", ids[0])).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    refused(
        &app,
        &sj,
        Method::POST,
        "/api/v1/party/honour-rolls",
        json!({"category_id": cat_id, "period": period}),
        "not_approver",
        "由街道审定",
    )
    .await;
    let (s, v) = app
        .send(
            Method::POST,
            &zz,
            "/api/v1/party/honour-rolls",
            json!({"category_id": cat_id, "period": period}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    // Frozen: nothing of the period changes any more.
    let before = written(&app).await;
    refused(
        &app,
        &zz,
        Method::POST,
        &format!("/api/v1/party/honour-nominations/{}/reject", ids[0]),
        json!({"note": "改主意"}),
        "frozen",
        "已公布",
    )
    .await;
    refused(
        &app,
        &sj,
        Method::POST,
        "/api/v1/party/honour-nominations",
        json!({"category_id": cat_id, "resident_id": people[2].0, "citation": "补报"}),
        "frozen",
        "已公布",
    )
    .await;
    refused(
        &app,
        &zz,
        Method::POST,
        "/api/v1/party/honour-rolls",
        json!({"category_id": cat_id, "period": period}),
        "published_twice",
        "已公布",
    )
    .await;
    assert_eq!(written(&app).await, before, "refusals write nothing");
    assert_eq!(
        app.int(&format!(
            "SELECT COUNT(*) FROM honour_nominations WHERE category_id = {cat_id} AND status = 'nominated'"
        ))
        .await,
        0,
        "the waiting ones were closed as not selected"
    );
    // The public roll: names, place, citation, photo; nothing else; recounted from the rows.
    let (s, v) = app
        .get("", &format!("/api/v1/honours?period={period}"))
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let honoured = v[0]["honoured"].as_array().cloned().unwrap_or_default();
    let recount = app
        .int(&format!(
            "SELECT COUNT(*) FROM honour_nominations n JOIN honour_rolls r \
             ON r.category_id = n.category_id AND r.period = n.period \
             WHERE n.status = 'approved' AND n.period = '{period}'"
        ))
        .await;
    assert_eq!(honoured.len() as i64, recount);
    assert_eq!(recount, 2);
    let text = v.to_string();
    for absent in ["id_number", "phone", "address", "9-8", "resident_id", "330"] {
        assert!(!text.contains(absent), "{absent} in {text}");
    }
    assert!(text.contains("常年照顾独居老人") && text.contains("柳岸社区"));
    let url = honoured[0]["photo_url"].as_str().expect("a photo");
    let (s, _) = app.get("", url).await;
    assert_eq!(s, StatusCode::OK);
    let (s, _) = app.get("", &format!("/honours/photo/{}", ids[2])).await;
    assert_eq!(s, StatusCode::NOT_FOUND, "not selected: no photo");
    let (s, page) = Browser::new(&app).get("/honours").await;
    assert_eq!(s, StatusCode::OK);
    assert!(page.contains("最美志愿者") && page.contains(&format!("<b>{recount}</b>")));
    assert!(
        !page.contains("组织楼道志愿服务队"),
        "not selected: not shown"
    );
    // A branch for the year's 红旗党支部, nominated by the community.
    let (s, v) = app
        .send(
            Method::POST,
            &sj,
            "/api/v1/party/honour-nominations",
            json!({"category_id": org_cat["id"], "party_org_id": branch, "citation": "三会一课规范，联户全覆盖"}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    // The pages: the street approves, the community nominates.
    let mut b = Browser::new(&app);
    b.login("qinghe-zz").await;
    let (s, page) = b.get("/party/honours").await;
    assert_eq!(s, StatusCode::OK);
    assert!(
        page.contains("/approve\"") && page.contains("action=\"/party/honour-categories\""),
        "the street's page"
    );
    let mut c = Browser::new(&app);
    c.login("liuan-sj").await;
    let (s, page) = c.get("/party/honours").await;
    assert_eq!(s, StatusCode::OK);
    assert!(
        page.contains("action=\"/party/honour-nominations?")
            && !page.contains("/approve\"")
            && !page.contains("action=\"/party/honour-categories\""),
        "the community's page"
    );
    // A member is offered only the categories of people, and sees only their own.
    let mut d = Browser::new(&app);
    d.login("dy-liuan").await;
    let (s, page) = d.get("/party/honours").await;
    assert_eq!(s, StatusCode::OK);
    assert!(
        page.contains("自荐") && page.contains("最美志愿者（"),
        "{page}"
    );
    assert!(!page.contains("红旗党支部（"), "not a category of people");
    assert!(
        !page.contains("常年照顾独居老人"),
        "not another's nomination"
    );
}

/// The form on a page with this action's start, as a browser would send it: its action and
/// the name of its file input.
pub(crate) fn upload_form(page: &str, action: &str) -> (String, String) {
    let at = page
        .find(&format!("action=\"{action}"))
        .unwrap_or_else(|| panic!("a form posting to {action}"))
        + 8;
    let end = at + page[at..].find('"').expect("the action's end");
    let form_end = at + page[at..].find("</form>").expect("the form's end");
    let file = page[at..form_end]
        .split("type=\"file\" name=\"")
        .nth(1)
        .and_then(|s| s.split('"').next())
        .expect("a file input")
        .to_owned();
    (page[at..end].replace("&amp;", "&"), file)
}

#[tokio::test]
async fn a_nomination_sent_from_the_page_keeps_its_photo() {
    let app = TestApp::spawn().await;
    let zz = app.token("qinghe-zz").await;
    let (s, cat) = app
        .send(
            Method::POST,
            &zz,
            "/api/v1/party/honour-categories",
            json!({"name": "最美志愿者", "period_kind": "month", "quota": 2, "subject": "person"}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{cat}");
    let sj = app.token("liuan-sj").await;
    let people = residents(&app, "wgy-liuan-1", "33019900100101", 1, 860).await;
    let mut b = Browser::new(&app);
    b.login("liuan-sj").await;
    let (s, page) = b.get("/party/honours?q=党员860").await;
    assert_eq!(s, StatusCode::OK);
    let (action, file) = upload_form(&page, "/party/honour-nominations");
    let cat = cat["id"].to_string();
    let resident = people[0].0.to_string();
    let (s, loc) = b
        .upload(
            &action,
            &[
                ("category_id", cat.as_str()),
                ("period", ""),
                ("resident_id", resident.as_str()),
                ("citation", "常年义务理发"),
            ],
            &file,
            &crate::support::tiny_jpeg(),
        )
        .await;
    assert_eq!((s, loc.as_str()), (StatusCode::SEE_OTHER, "/party/honours"));
    let (_, list) = app.get(&sj, "/api/v1/party/honour-nominations").await;
    assert_eq!(list[0]["nominee_name"], "党员860", "{list}");
    assert_eq!(list[0]["has_photo"], true, "the photo kept: {list}");
}
