//! 微心愿 and campaigns (issue 19): a wish recorded, reviewed, claimed, contacted and
//! fulfilled; the beneficiary masked until a claim; shares, cancellation and revocation that
//! return a wish to the front of the pool; the pressing of silent claimants; a campaign's
//! figures recounted from the rows; the public page naming nobody; every refusal writes nothing.

use crate::party_members::{branch_of, refused, residents};
use crate::support::{Browser, TestApp};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

async fn written(app: &TestApp) -> Vec<i64> {
    vec![
        app.audit_rows().await,
        app.int("SELECT COUNT(*) FROM party_wishes").await,
        app.int("SELECT COALESCE(SUM(version), 0) FROM party_wishes")
            .await,
        app.int("SELECT COUNT(*) FROM party_wish_claims").await,
        app.int("SELECT COUNT(*) FROM party_campaigns").await,
    ]
}

/// A member with the account `dy-liuan`, in the community's branch.
async fn member_account(app: &TestApp, resident: i64) -> Value {
    let sj = app.token("liuan-sj").await;
    let branch = branch_of(app, "liuan-sj").await;
    let account = app
        .int("SELECT id FROM users WHERE username = 'dy-liuan'")
        .await;
    let (s, me) = app
        .send(
            Method::POST,
            &sj,
            "/api/v1/party/members",
            json!({"resident_id": resident, "party_org_id": branch, "stage": "full",
                   "applied_on": "2010-03-01", "joined_on": "2012-07-01", "full_on": "2013-07-01",
                   "user_id": account}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{me}");
    me
}

async fn record(app: &TestApp, token: &str, body: Value) -> Value {
    let (s, w) = app
        .send(Method::POST, token, "/api/v1/party/wishes", body)
        .await;
    assert_eq!(s, StatusCode::CREATED, "{w}");
    w
}

async fn step(app: &TestApp, token: &str, path: &str, body: Value) -> Value {
    let (s, w) = app.send(Method::POST, token, path, body).await;
    assert_eq!(s, StatusCode::OK, "{path}: {w}");
    w
}

fn wish(id: &Value, what: &str) -> String {
    format!("/api/v1/party/wishes/{}/{what}", id["id"])
}

#[tokio::test]
async fn a_wish_goes_from_record_to_fulfilment() {
    let app = TestApp::spawn().await;
    let sj = app.token("liuan-sj").await;
    let gw = app.token("wgy-liuan-1").await;
    let people = residents(&app, "wgy-liuan-1", "33019900100101", 2, 800).await;
    member_account(&app, people[1].0).await;
    let dy = app.token("dy-liuan").await;
    let jm = app.token("jm-liuan").await;
    let name = app
        .text(&format!(
            "SELECT name FROM residents WHERE id = {}",
            people[0].0
        ))
        .await;
    let before = written(&app).await;
    for (body, code, words) in [
        (
            json!({"resident_id": people[0].0, "title": "", "value_band": "under_50"}),
            "invalid_input",
            "心愿内容",
        ),
        (
            json!({"resident_id": people[0].0, "title": format!("给{name}买收音机"), "value_band": "under_50"}),
            "names_someone",
            "不要写心愿人的姓名",
        ),
        (
            json!({"resident_id": people[0].0, "title": "收音机", "reason": "电话 13800001111", "value_band": "under_50"}),
            "names_someone",
            "电话",
        ),
        (
            json!({"resident_id": people[0].0, "title": "收音机", "value_band": "1000"}),
            "bad_value",
            "心愿价值",
        ),
        (
            json!({"resident_id": people[0].0, "title": "收音机", "value_band": "under_50", "shares": 11}),
            "bad_shares",
            "1 到 10",
        ),
        (
            json!({"resident_id": 999_999, "title": "收音机", "value_band": "under_50"}),
            "not_resident",
            "心愿人",
        ),
        (
            json!({"resident_id": people[0].0, "title": "收音机", "value_band": "under_50", "photo": "ab".repeat(32)}),
            "bad_photo",
            "照片",
        ),
    ] {
        refused(
            &app,
            &gw,
            Method::POST,
            "/api/v1/party/wishes",
            body,
            code,
            words,
        )
        .await;
    }
    // A resident records no wish.
    let (s, _) = app
        .send(
            Method::POST,
            &jm,
            "/api/v1/party/wishes",
            json!({"resident_id": people[0].0, "title": "收音机", "value_band": "under_50"}),
        )
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    assert_eq!(written(&app).await, before, "the refusals wrote nothing");

    let photo = crate::routes::upload_photo(&app, &gw).await;
    let w = record(
        &app,
        &gw,
        json!({"resident_id": people[0].0, "title": "一台收音机", "reason": "独居老人，想听新闻",
               "value_band": "50_100", "photo": photo}),
    )
    .await;
    assert_eq!(w["status"], "pending");
    assert_eq!(w["beneficiary"], name.as_str(), "staff see the beneficiary");
    assert_eq!(w["has_photo"], true);
    // Unpublished, the wish is nobody's but staff's and its recorder's.
    let (s, _) = app
        .get(&dy, &format!("/api/v1/party/wishes/{}", w["id"]))
        .await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    refused(
        &app,
        &dy,
        Method::POST,
        &wish(&w, "review"),
        json!({"approve": true}),
        "forbidden",
        "",
    )
    .await;
    refused(
        &app,
        &sj,
        Method::POST,
        &wish(&w, "review"),
        json!({"approve": false}),
        "invalid_input",
        "审核意见",
    )
    .await;
    let w = step(&app, &sj, &wish(&w, "review"), json!({"approve": true})).await;
    assert_eq!(w["status"], "open");

    // Published: a member sees the surname alone and the grid, no photo.
    let (s, seen) = app
        .get(&dy, &format!("/api/v1/party/wishes/{}", w["id"]))
        .await;
    assert_eq!(s, StatusCode::OK, "{seen}");
    assert_eq!(seen["identified"], false);
    let surname: String = name.chars().take(1).collect();
    assert_eq!(seen["beneficiary"], format!("{surname}某"));
    assert!(!seen.to_string().contains(&name), "{seen}");
    let (s, _) = app
        .client
        .get(app.url(&format!("/party/wishes/{}/photo/wish", w["id"])))
        .bearer_auth(&dy)
        .send()
        .await
        .map(|r| (r.status(), ()))
        .expect("photo");
    assert!(s.is_client_error(), "no photo before a claim: {s}");
    let (_, pool) = app.get(&dy, "/api/v1/party/wishes?status=open").await;
    assert!(
        pool.as_array()
            .expect("list")
            .iter()
            .any(|x| x["id"] == w["id"])
    );

    // The member claims it and then knows whom to visit.
    let mine = step(&app, &dy, &wish(&w, "claim"), json!({})).await;
    assert_eq!(mine["status"], "claimed");
    assert_eq!(mine["identified"], true);
    assert_eq!(mine["beneficiary"], name.as_str());
    assert_eq!(mine["claims"][0]["claimant_kind"], "member");
    let before = written(&app).await;
    // A second claim on the last share, a withdrawal of a claimed wish, a fulfilment by the
    // member, a revocation without a reason: refused, nothing written.
    refused(
        &app,
        &gw,
        Method::POST,
        &wish(&w, "claim"),
        json!({}),
        "not_claimable",
        "已被认领完",
    )
    .await;
    refused(
        &app,
        &sj,
        Method::POST,
        &wish(&w, "withdraw"),
        json!({}),
        "bad_step",
        "不能撤回",
    )
    .await;
    refused(
        &app,
        &dy,
        Method::POST,
        &wish(&w, "fulfil"),
        json!({"note": "送到了", "photo": photo}),
        "not_confirmer",
        "心愿人本人或其所在网格的网格员",
    )
    .await;
    let claim = mine["claims"][0]["id"].as_i64().expect("claim");
    refused(
        &app,
        &sj,
        Method::POST,
        &format!("/api/v1/party/wish-claims/{claim}/revoke"),
        json!({"note": ""}),
        "invalid_input",
        "理由",
    )
    .await;
    let (s, _) = app
        .send(
            Method::POST,
            &gw,
            &format!("/api/v1/party/wish-claims/{claim}/cancel"),
            json!({}),
        )
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN, "only the claimant cancels");
    assert_eq!(written(&app).await, before, "the refusals wrote nothing");

    let v = step(
        &app,
        &dy,
        &format!("/api/v1/party/wish-claims/{claim}/contact"),
        json!({"note": "已上门看望"}),
    )
    .await;
    assert!(v["claims"][0]["contacted_at"].is_string(), "{v}");
    refused(
        &app,
        &gw,
        Method::POST,
        &wish(&w, "fulfil"),
        json!({"note": "送到了"}),
        "no_photo",
        "照片",
    )
    .await;
    let done = step(
        &app,
        &gw,
        &wish(&w, "fulfil"),
        json!({"note": "党员送来收音机并教会使用", "photo": photo}),
    )
    .await;
    assert_eq!(done["status"], "fulfilled");
    assert_eq!(done["claims"][0]["state"], "fulfilled");
    assert_eq!(
        done["confirmed_by"].as_str().map(str::is_empty),
        Some(false)
    );
    // A claim on a fulfilled wish is refused.
    refused(
        &app,
        &jm,
        Method::POST,
        &wish(&w, "claim"),
        json!({}),
        "not_claimable",
        "已经实现",
    )
    .await;
    // The claimant was told, and the recorder.
    let told = app
        .int("SELECT COUNT(*) FROM notifications WHERE kind = 'wish' AND case_id IS NULL")
        .await;
    assert!(told >= 3, "{told}");
}

#[tokio::test]
async fn shares_and_returns_keep_the_line() {
    let app = TestApp::spawn().await;
    let sj = app.token("liuan-sj").await;
    let gw = app.token("wgy-liuan-1").await;
    let people = residents(&app, "wgy-liuan-1", "33019900100101", 3, 830).await;
    member_account(&app, people[2].0).await;
    let dy = app.token("dy-liuan").await;
    let mut ws = Vec::new();
    for (i, shares) in [(0, 1), (1, 2)] {
        let w = record(
            &app,
            &gw,
            json!({"resident_id": people[i].0, "title": format!("心愿 {i}"), "value_band": "service", "shares": shares}),
        )
        .await;
        ws.push(step(&app, &sj, &wish(&w, "review"), json!({"approve": true})).await);
    }
    // The first published is first in line.
    let line = |v: &Value| -> Vec<i64> {
        v.as_array()
            .expect("list")
            .iter()
            .filter_map(|x| x["id"].as_i64())
            .collect()
    };
    let (_, pool) = app.get(&dy, "/api/v1/party/wishes?status=open").await;
    assert_eq!(
        line(&pool),
        vec![
            ws[0]["id"].as_i64().expect("id"),
            ws[1]["id"].as_i64().expect("id")
        ]
    );
    // Two shares: a unit takes one, the member the other; the wish is then claimed in full.
    let v = step(
        &app,
        &sj,
        &wish(&ws[1], "claim"),
        json!({"on_behalf": "unit", "unit_name": "青河供电所"}),
    )
    .await;
    assert_eq!(v["status"], "open");
    assert_eq!(v["taken"], 1);
    let v = step(&app, &dy, &wish(&ws[1], "claim"), json!({})).await;
    assert_eq!(v["status"], "claimed");
    let mut shares: Vec<i64> = v["claims"]
        .as_array()
        .expect("claims")
        .iter()
        .filter_map(|c| c["share_no"].as_i64())
        .collect();
    shares.sort_unstable();
    assert_eq!(shares, vec![1, 2]);
    // The member also takes the first wish, then cancels it: it returns first in line.
    let v = step(&app, &dy, &wish(&ws[0], "claim"), json!({})).await;
    let mine = v["claims"][0]["id"].as_i64().expect("claim");
    let v = step(
        &app,
        &dy,
        &format!("/api/v1/party/wish-claims/{mine}/cancel"),
        json!({}),
    )
    .await;
    assert_eq!(v["status"], "open");
    assert_eq!(v["returned"], true);
    assert_eq!(v["claims"][0]["state"], "cancelled");
    // Staff revoke the unit's share of the second (with a reason): it returns ahead of the first.
    let unit_claim = app
        .int(&format!(
            "SELECT id FROM party_wish_claims WHERE wish_id = {} AND claimant_kind = 'unit'",
            ws[1]["id"]
        ))
        .await;
    let (s, _) = app
        .send(
            Method::POST,
            &dy,
            &format!("/api/v1/party/wish-claims/{unit_claim}/revoke"),
            json!({"note": "单位联系不上"}),
        )
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN, "a member revokes nothing");
    let v = step(
        &app,
        &sj,
        &format!("/api/v1/party/wish-claims/{unit_claim}/revoke"),
        json!({"note": "单位联系不上"}),
    )
    .await;
    assert_eq!(v["status"], "open");
    assert_eq!(v["taken"], 1);
    let (_, pool) = app.get(&gw, "/api/v1/party/wishes?status=open").await;
    assert_eq!(
        line(&pool),
        vec![
            ws[0]["id"].as_i64().expect("id"),
            ws[1]["id"].as_i64().expect("id")
        ],
        "returned wishes first, in the order they returned"
    );
    // An old member without an account claims through the branch: the secretary registers
    // it and reports the contact for them.
    let branch = branch_of(&app, "liuan-sj").await;
    let old = crate::party_members::member(&app, &sj, branch, people[1].0, true).await;
    let w3 = record(
        &app,
        &gw,
        json!({"resident_id": people[0].0, "title": "心愿 3", "value_band": "under_50"}),
    )
    .await;
    step(&app, &sj, &wish(&w3, "review"), json!({"approve": true})).await;
    refused(
        &app,
        &sj,
        Method::POST,
        &wish(&w3, "claim"),
        json!({"on_behalf": "member"}),
        "no_member",
        "请选择认领的党员",
    )
    .await;
    let v = step(
        &app,
        &sj,
        &wish(&w3, "claim"),
        json!({"on_behalf": "member", "member_id": old["id"]}),
    )
    .await;
    assert_eq!(v["claims"][0]["claimant_kind"], "member");
    assert_eq!(v["claims"][0]["claimant_name"], old["name"]);
    let c3 = v["claims"][0]["id"].as_i64().expect("claim");
    step(
        &app,
        &sj,
        &format!("/api/v1/party/wish-claims/{c3}/contact"),
        json!({"note": "支部书记陪同上门"}),
    )
    .await;
    let (s, _) = app
        .send(
            Method::POST,
            &dy,
            &wish(&w3, "claim"),
            json!({"on_behalf": "member", "member_id": old["id"]}),
        )
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN, "a member claims for nobody else");
    // A wish nobody holds may be withdrawn by its recorder.
    let v = step(&app, &gw, &wish(&ws[0], "withdraw"), json!({})).await;
    assert_eq!(v["status"], "withdrawn");
    let (_, pool) = app.get(&dy, "/api/v1/party/wishes").await;
    assert!(
        !line(&pool).contains(&ws[0]["id"].as_i64().expect("id")),
        "a withdrawn wish is staff's only"
    );
}

#[tokio::test]
async fn a_silent_claimant_is_reminded_then_released() {
    let app = TestApp::spawn().await;
    let sj = app.token("liuan-sj").await;
    let gw = app.token("wgy-liuan-1").await;
    let people = residents(&app, "wgy-liuan-1", "33019900100101", 2, 860).await;
    member_account(&app, people[1].0).await;
    let dy = app.token("dy-liuan").await;
    let w = record(
        &app,
        &gw,
        json!({"resident_id": people[0].0, "title": "陪同复查", "value_band": "service"}),
    )
    .await;
    step(&app, &sj, &wish(&w, "review"), json!({"approve": true})).await;
    let v = step(&app, &dy, &wish(&w, "claim"), json!({})).await;
    let claim = v["claims"][0]["id"].as_i64().expect("claim");
    let now = wangge::infra::clock::now_ms();
    let day = 86_400_000;
    let st = &app.state;
    let r = wangge::party::wishes::chase_once(st, now)
        .await
        .expect("chase");
    assert_eq!((r.reminded, r.released), (0, 0), "within the limit");
    let r = wangge::party::wishes::chase_once(st, now + 20 * day)
        .await
        .expect("chase");
    assert_eq!((r.reminded, r.released), (1, 0));
    let r = wangge::party::wishes::chase_once(st, now + 20 * day)
        .await
        .expect("chase");
    assert_eq!((r.reminded, r.released), (0, 0), "reminded once");
    let r = wangge::party::wishes::chase_once(st, now + 40 * day)
        .await
        .expect("chase");
    assert_eq!((r.reminded, r.released), (0, 1));
    let state = app
        .text(&format!(
            "SELECT state FROM party_wish_claims WHERE id = {claim}"
        ))
        .await;
    assert_eq!(state, "released");
    let (_, v) = app
        .get(&gw, &format!("/api/v1/party/wishes/{}", w["id"]))
        .await;
    assert_eq!(v["status"], "open");
    assert_eq!(v["returned"], true);
    let told = app
        .int("SELECT COUNT(*) FROM notifications WHERE kind = 'wish' AND text LIKE '%已释放%'")
        .await;
    assert_eq!(told, 1);
}

#[tokio::test]
async fn a_campaign_counts_what_its_rows_hold_and_the_public_page_names_nobody() {
    let app = TestApp::spawn().await;
    let sj = app.token("liuan-sj").await;
    let gw = app.token("wgy-liuan-1").await;
    let people = residents(&app, "wgy-liuan-1", "33019900100101", 6, 880).await;
    member_account(&app, people[5].0).await;
    let dy = app.token("dy-liuan").await;
    let today = wangge::infra::clock::today();
    let ago = |d: u64| (today - chrono::Days::new(d)).to_string();
    let before = written(&app).await;
    for (body, code, words) in [
        (
            json!({"name": "百个微心愿", "starts_on": ago(1), "ends_on": ago(5), "target": 100}),
            "bad_campaign",
            "结束日期",
        ),
        (
            json!({"name": "百个微心愿", "starts_on": ago(5), "ends_on": ago(1), "target": 0}),
            "bad_campaign",
            "目标",
        ),
        (
            json!({"name": "", "starts_on": ago(5), "ends_on": ago(1), "target": 10}),
            "invalid_input",
            "名称",
        ),
    ] {
        refused(
            &app,
            &sj,
            Method::POST,
            "/api/v1/party/campaigns",
            body,
            code,
            words,
        )
        .await;
    }
    let (s, _) = app
        .send(
            Method::POST,
            &gw,
            "/api/v1/party/campaigns",
            json!({"name": "百个微心愿", "starts_on": ago(5), "ends_on": ago(1), "target": 10}),
        )
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN, "a grid worker runs no campaign");
    assert_eq!(written(&app).await, before);
    let (s, k) = app
        .send(
            Method::POST,
            &sj,
            "/api/v1/party/campaigns",
            json!({"name": "百名老党员、百个微心愿", "starts_on": ago(20), "ends_on": ago(1), "target": 10}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{k}");
    assert!(k["grids"].as_array().is_some_and(|g| !g.is_empty()));
    // Five wishes: pending, open, claimed (contacted), fulfilled (contacted), rejected.
    let mut ws = Vec::new();
    for (i, (r, _)) in people.iter().take(5).enumerate() {
        ws.push(
            record(
                &app,
                &gw,
                json!({"resident_id": r, "title": format!("小心愿 {i}"), "value_band": "under_50", "campaign_id": k["id"]}),
            )
            .await,
        );
    }
    for w in &ws[1..4] {
        step(&app, &sj, &wish(w, "review"), json!({"approve": true})).await;
    }
    step(
        &app,
        &sj,
        &wish(&ws[4], "review"),
        json!({"approve": false, "note": "不属于困难群众"}),
    )
    .await;
    for w in &ws[2..4] {
        let v = step(&app, &dy, &wish(w, "claim"), json!({})).await;
        let c = v["claims"][0]["id"].as_i64().expect("claim");
        step(
            &app,
            &dy,
            &format!("/api/v1/party/wish-claims/{c}/contact"),
            json!({}),
        )
        .await;
    }
    let photo = crate::routes::upload_photo(&app, &gw).await;
    step(
        &app,
        &gw,
        &wish(&ws[3], "fulfil"),
        json!({"note": "已送到", "photo": photo}),
    )
    .await;
    let (s, got) = app
        .get(&sj, &format!("/api/v1/party/campaigns/{}", k["id"]))
        .await;
    assert_eq!(s, StatusCode::OK, "{got}");
    // The recount, from the rows.
    let id = k["id"].as_i64().expect("id");
    let posted = app
        .int(&format!(
            "SELECT COUNT(*) FROM party_wishes WHERE campaign_id = {id} \
             AND status IN ('open', 'claimed', 'fulfilled')"
        ))
        .await;
    let claimed = app
        .int(&format!(
            "SELECT COUNT(*) FROM party_wishes WHERE campaign_id = {id} \
             AND status IN ('claimed', 'fulfilled')"
        ))
        .await;
    let fulfilled = app
        .int(&format!(
            "SELECT COUNT(*) FROM party_wishes WHERE campaign_id = {id} AND status = 'fulfilled'"
        ))
        .await;
    let members = app
        .int(&format!(
            "SELECT COUNT(DISTINCT c.member_id) FROM party_wish_claims c \
             JOIN party_wishes w ON w.id = c.wish_id WHERE w.campaign_id = {id} \
             AND c.state IN ('active', 'fulfilled') AND c.member_id IS NOT NULL"
        ))
        .await;
    let households = app
        .int(&format!(
            "SELECT COUNT(DISTINCT w.household_id) FROM party_wish_claims c \
             JOIN party_wishes w ON w.id = c.wish_id WHERE w.campaign_id = {id} \
             AND c.state IN ('active', 'fulfilled') AND c.contacted_at IS NOT NULL"
        ))
        .await;
    assert_eq!(
        (posted, claimed, fulfilled, members, households),
        (3, 2, 1, 1, 2)
    );
    let f = &got["figures"];
    assert_eq!(
        (
            f["posted"].as_i64(),
            f["claimed"].as_i64(),
            f["fulfilled"].as_i64(),
            f["members"].as_i64(),
            f["households"].as_i64()
        ),
        (
            Some(posted),
            Some(claimed),
            Some(fulfilled),
            Some(members),
            Some(households)
        )
    );
    assert_eq!(got["progress"], fulfilled * 100 / 10);
    // The summary prints them; the campaign then takes no more wishes.
    let (s, k2) = app
        .send(
            Method::POST,
            &sj,
            &format!("/api/v1/party/campaigns/{id}/summary"),
            json!({}),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{k2}");
    let text = k2["summary"].as_str().expect("summary");
    assert!(
        text.contains(&format!("共发布微心愿 {posted} 个")),
        "{text}"
    );
    assert!(text.contains(&format!("已实现 {fulfilled} 个")), "{text}");
    refused(
        &app,
        &gw,
        Method::POST,
        "/api/v1/party/wishes",
        json!({"resident_id": people[0].0, "title": "迟到的心愿", "value_band": "under_50", "campaign_id": id}),
        "campaign_closed",
        "已结束",
    )
    .await;

    // The public page and its API: the published wishes, no name, surname, address or photo.
    let names: Vec<String> = {
        let mut v = Vec::new();
        for (r, _) in &people {
            v.push(
                app.text(&format!("SELECT name FROM residents WHERE id = {r}"))
                    .await,
            );
        }
        v
    };
    let addresses: Vec<String> = {
        let mut v = Vec::new();
        for (_, h) in &people {
            v.push(
                app.text(&format!("SELECT address FROM households WHERE id = {h}"))
                    .await,
            );
        }
        v
    };
    let page = app
        .client
        .get(app.url("/wishes"))
        .send()
        .await
        .expect("page");
    assert_eq!(page.status(), StatusCode::OK);
    let page = page.text().await.expect("text");
    let api = app
        .client
        .get(app.url("/api/v1/public/wishes"))
        .send()
        .await
        .expect("api")
        .text()
        .await
        .expect("text");
    // The page's two figures, recounted from the rows.
    for (status, label) in [("open", "待认领"), ("fulfilled", "已实现")] {
        let n = app
            .int(&format!(
                "SELECT COUNT(*) FROM party_wishes WHERE status = '{status}'"
            ))
            .await;
        assert!(
            page.contains(&format!("<b>{n}</b><span>{label}</span>")),
            "{status} {n}: {page}"
        );
    }
    for shown in [&page, &api] {
        assert!(
            shown.contains("小心愿 1") && shown.contains("小心愿 3"),
            "{shown}"
        );
        assert!(!shown.contains("小心愿 0"), "pending wishes are not public");
        assert!(
            !shown.contains("小心愿 4"),
            "rejected wishes are not public"
        );
        for n in &names {
            assert!(!shown.contains(n.as_str()), "{n} on the public page");
            let masked = format!("{}某", n.chars().next().unwrap_or('?'));
            assert!(!shown.contains(&masked), "{masked} on the public page");
        }
        for a in &addresses {
            assert!(!shown.contains(a.as_str()), "{a} on the public page");
        }
        assert!(!shown.contains("/photo/"), "no photo on the public page");
    }
}

#[tokio::test]
async fn the_pages_serve_the_pool_a_wish_and_the_campaigns() {
    let app = TestApp::spawn().await;
    let sj = app.token("liuan-sj").await;
    let gw = app.token("wgy-liuan-1").await;
    let people = residents(&app, "wgy-liuan-1", "33019900100101", 2, 900).await;
    member_account(&app, people[1].0).await;
    let w = record(
        &app,
        &gw,
        json!({"resident_id": people[0].0, "title": "一副老花镜", "value_band": "under_50"}),
    )
    .await;
    step(&app, &sj, &wish(&w, "review"), json!({"approve": true})).await;
    let mut b = Browser::new(&app);
    let csrf = b.login("dy-liuan").await;
    let (s, page) = b.get("/party/wishes").await;
    assert_eq!(s, StatusCode::OK);
    assert!(page.contains("一副老花镜"), "{page}");
    let (s, page) = b.get(&format!("/party/wishes/{}", w["id"])).await;
    assert_eq!(s, StatusCode::OK);
    assert!(page.contains("我来认领"), "{page}");
    let (s, loc) = b
        .post(
            &format!("/party/wishes/{}/claim", w["id"]),
            &[("_csrf", &csrf)],
        )
        .await;
    assert_eq!(s, StatusCode::SEE_OTHER, "{loc}");
    let (_, page) = b.get(&format!("/party/wishes/{}", w["id"])).await;
    assert!(page.contains("已联系心愿人"), "{page}");
    let (s, page) = b.get("/party/wishes?view=mine").await;
    assert_eq!(s, StatusCode::OK);
    assert!(page.contains("一副老花镜"), "{page}");

    let mut b = Browser::new(&app);
    let csrf = b.login("liuan-sj").await;
    let today = wangge::infra::clock::today();
    let (s, loc) = b
        .post(
            "/party/campaigns",
            &[
                ("_csrf", &csrf),
                ("name", "助老月"),
                ("starts_on", &today.to_string()),
                ("ends_on", &(today + chrono::Days::new(20)).to_string()),
                ("target", "30"),
            ],
        )
        .await;
    assert_eq!(s, StatusCode::SEE_OTHER, "{loc}");
    let (_, shown) = b.get(&loc).await;
    assert!(loc.starts_with("/party/campaigns/"), "{loc}: {shown}");
    let (s, page) = b.get(&loc).await;
    assert_eq!(s, StatusCode::OK);
    assert!(
        page.contains("助老月") && page.contains("完成目标"),
        "{page}"
    );
    let (s, page) = b.get("/party/campaigns").await;
    assert_eq!(s, StatusCode::OK);
    assert!(page.contains("助老月"), "{page}");
    let (s, page) = b.get(&format!("/party/wishes/new?q={}", "党员")).await;
    assert_eq!(s, StatusCode::OK);
    assert!(page.contains("选择心愿人"), "{page}");
}

#[tokio::test]
async fn a_community_finds_members_by_their_skills() {
    let app = TestApp::spawn().await;
    let sj = app.token("liuan-sj").await;
    let branch = branch_of(&app, "liuan-sj").await;
    let people = residents(&app, "wgy-liuan-1", "33019900100101", 2, 990).await;
    let (s, lawyer) = app
        .send(
            Method::POST,
            &sj,
            "/api/v1/party/members",
            json!({"resident_id": people[0].0, "party_org_id": branch, "stage": "full",
                   "applied_on": "2010-03-01", "joined_on": "2012-07-01", "full_on": "2013-07-01",
                   "skills": "法律咨询，调解、法律咨询"}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{lawyer}");
    assert_eq!(lawyer["skills"], json!(["法律咨询", "调解"]));
    let other = crate::party_members::member(&app, &sj, branch, people[1].0, true).await;
    let before = app.audit_rows().await;
    refused(
        &app,
        &sj,
        Method::PATCH,
        &format!("/api/v1/party/members/{}", other["id"]),
        json!({"skills": "一二三四五六七八九十一", "version": other["version"]}),
        "bad_skills",
        "10 个字",
    )
    .await;
    assert_eq!(app.audit_rows().await, before, "the refusal wrote nothing");
    let (s, v) = app
        .send(
            Method::PATCH,
            &sj,
            &format!("/api/v1/party/members/{}", other["id"]),
            json!({"skills": "水电维修", "version": other["version"]}),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let ids = |v: &Value| -> Vec<i64> {
        v["items"]
            .as_array()
            .expect("items")
            .iter()
            .filter_map(|m| m["id"].as_i64())
            .collect()
    };
    let (_, found) = app.get(&sj, "/api/v1/party/members?skill=法律").await;
    assert_eq!(ids(&found), vec![lawyer["id"].as_i64().expect("id")]);
    let (_, found) = app.get(&sj, "/api/v1/party/members?skill=维修").await;
    assert_eq!(ids(&found), vec![other["id"].as_i64().expect("id")]);
    let mut b = Browser::new(&app);
    b.login("liuan-sj").await;
    let (s, page) = b.get("/party/members?skill=调解").await;
    assert_eq!(s, StatusCode::OK);
    assert!(page.contains("调解"), "{page}");
    // A member does not search the others.
    let dy = app.token("dy-liuan").await;
    let (s, _) = app.get(&dy, "/api/v1/party/members?skill=法律").await;
    assert_eq!(s, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn a_claim_the_indexes_refuse_is_told_in_words_on_either_database() {
    use sea_orm::ConnectionTrait;
    let app = TestApp::spawn().await;
    let sj = app.token("liuan-sj").await;
    let gw = app.token("wgy-liuan-1").await;
    let people = residents(&app, "wgy-liuan-1", "33019900100101", 1, 980).await;
    let w = record(
        &app,
        &gw,
        json!({"resident_id": people[0].0, "title": "一把轮椅", "value_band": "200_500", "shares": 2}),
    )
    .await;
    step(&app, &sj, &wish(&w, "review"), json!({"approve": true})).await;
    step(
        &app,
        &sj,
        &wish(&w, "claim"),
        json!({"on_behalf": "unit", "unit_name": "青河供电所"}),
    )
    .await;
    let insert = |share: i32, key: &str| {
        format!(
            "INSERT INTO party_wish_claims (wish_id, org_path, share_no, claimant_kind, \
             claimant_key, claimant_name, state, claimed_at, contact_due, actor_name) \
             SELECT wish_id, org_path, {share}, 'unit', '{key}', 'x', 'active', 0, 0, 'x' \
             FROM party_wish_claims WHERE wish_id = {}",
            w["id"]
        )
    };
    for (sql, code) in [
        (insert(1, "n:另一个单位"), "claimed_out"),
        (insert(2, "n:青河供电所"), "claimed_twice"),
    ] {
        let e = app
            .db
            .execute_unprepared(&sql)
            .await
            .expect_err("the index refuses it");
        let e = wangge::infra::error::AppError::from(e);
        assert_eq!(e.code(), code, "{e}");
    }
}
