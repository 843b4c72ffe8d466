//! 红色代办 on the party side (issue 19): a resident asks from the party page, a member of the
//! place sees it in their pool and takes it through the engine, the resident confirms; the
//! member's and the branch's figures are recounted from the rows; a member elsewhere sees
//! nothing of it; bad input changes nothing.

use crate::support::{Browser, TestApp};
use reqwest::{Method, StatusCode};
use serde_json::json;

#[tokio::test]
async fn a_member_takes_an_errand_of_their_place_and_it_counts_for_them_and_their_branch() {
    let app = TestApp::spawn().await;
    let sj = app.token("liuan-sj").await;
    let people =
        crate::party_members::residents(&app, "wgy-liuan-1", "33019900100101", 1, 960).await;
    let branch = crate::party_members::branch_of(&app, "liuan-sj").await;
    let account = app
        .int("SELECT id FROM users WHERE username = 'dy-liuan'")
        .await;
    let (s, m) = app
        .send(
            Method::POST,
            &sj,
            "/api/v1/party/members",
            json!({"resident_id": people[0].0, "party_org_id": branch, "stage": "full",
                   "applied_on": "2010-03-01", "joined_on": "2012-07-01", "full_on": "2013-07-01",
                   "user_id": account}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{m}");
    let building = app.building_in("33019900100101").await;

    // The resident asks from the page; bad input is refused and writes nothing.
    let mut jm = Browser::new(&app);
    let csrf = jm.login("jm-liuan").await;
    let (s, page) = jm.get("/party/errands").await;
    assert_eq!(s, StatusCode::OK);
    assert!(page.contains("请党员代办"), "{page}");
    let before = app.int("SELECT COUNT(*) FROM cases").await;
    let b = building.to_string();
    let (s, loc) = jm
        .post(
            "/party/errands",
            &[
                ("_csrf", &csrf),
                ("category", "DB02"),
                ("title", ""),
                ("description", "帮忙预约"),
                ("building_id", &b),
            ],
        )
        .await;
    assert_eq!((s, loc.as_str()), (StatusCode::SEE_OTHER, "/party/errands"));
    assert_eq!(app.int("SELECT COUNT(*) FROM cases").await, before);
    let (s, loc) = jm
        .post(
            "/party/errands",
            &[
                ("_csrf", &csrf),
                ("category", "DB02"),
                ("title", "帮忙预约下周二的号"),
                (
                    "description",
                    "腿脚不便，想请人帮忙在医院预约下周二上午的号",
                ),
                ("building_id", &b),
                ("address", "2单元501"),
            ],
        )
        .await;
    assert_eq!(s, StatusCode::SEE_OTHER, "{loc}");
    let id: i64 = loc
        .trim_start_matches("/cases/")
        .split('?')
        .next()
        .and_then(|x| x.parse().ok())
        .expect("the errand's page");
    assert_eq!(
        app.text(&format!("SELECT kind FROM cases WHERE id = {id}"))
            .await,
        "errand"
    );

    // The member sees it in the pool of their place, and may take it.
    let dy = app.token("dy-liuan").await;
    let (s, d) = app.get(&dy, &format!("/api/v1/cases/{id}")).await;
    assert_eq!(s, StatusCode::OK, "{d}");
    assert_eq!(d["actions"], json!(["take"]), "{d}");
    let mut member = Browser::new(&app);
    member.login("dy-liuan").await;
    let (_, page) = member.get("/party/errands").await;
    assert!(page.contains("帮忙预约下周二的号"), "{page}");
    assert!(page.contains("待接单（1）"), "the member's pool");
    // The resident who asked is shown it as theirs, not as a pool to take from or a taker's
    // figures.
    let (_, page) = jm.get("/party/errands").await;
    assert!(
        page.contains("我提出的代办") && !page.contains("待接单（") && !page.contains("我在办"),
        "{page}"
    );
    // A member of another community sees nothing of it.
    let far = app.token("dy-fenglin").await;
    let (s, _) = app.get(&far, &format!("/api/v1/cases/{id}")).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let (_, page) = Browser::new(&app).get("/party/errands").await;
    assert!(!page.contains("帮忙预约下周二的号"));

    let jm_token = app.token("jm-liuan").await;
    app.act(&dy, id, json!({"action": "take", "text": "明天上午去医院"}))
        .await;
    let (_, page) = member.get("/party/errands").await;
    assert!(page.contains("我接的代办"), "{page}");
    app.act(
        &dy,
        id,
        json!({"action": "finish", "text": "已预约周二上午九点的号"}),
    )
    .await;
    app.act(&jm_token, id, json!({"action": "confirm", "passed": true}))
        .await;
    // The figures, and their recount from the rows.
    let year = chrono::Datelike::year(&wangge::infra::clock::today());
    let recount = app
        .int(&format!(
            "SELECT COUNT(*) FROM cases WHERE kind = 'errand' AND status = 'confirmed' \
             AND assignee_user_id = {account}"
        ))
        .await;
    assert_eq!(recount, 1);
    let done = wangge::party::errands::done_by(&app.db, &[account], year)
        .await
        .expect("done");
    assert_eq!(done.get(&account).copied(), Some(recount));
    let (_, page) = member.get("/party/errands").await;
    assert!(
        page.contains(&format!("<b>{recount}</b><span>{year} 年我办结</span>")),
        "{page}"
    );
    let totals =
        wangge::party::errands::branch_totals(&app.state, &wangge::web::Caller::cli(), year)
            .await
            .expect("totals");
    let mine = totals
        .iter()
        .find(|b| b.party_org_id == branch)
        .expect("the branch");
    assert_eq!((mine.members_with_accounts, mine.done), (1, recount));
    let mut secretary = Browser::new(&app);
    secretary.login("liuan-sj").await;
    let (s, page) = secretary.get("/party/errands").await;
    assert_eq!(s, StatusCode::OK);
    assert!(page.contains("各支部党员办结的代办"), "{page}");
    // The member's record and the branch's page carry the same count.
    let (s, v) = app
        .get(&sj, &format!("/api/v1/party/members/{}", m["id"]))
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["service"]["errands_done"].as_i64(), Some(recount), "{v}");
    let (_, page) = secretary.get(&format!("/party/members/{}", m["id"])).await;
    assert!(
        page.contains(&format!("红色代办办结 <b>{recount}</b> 件")),
        "{page}"
    );
    let (_, page) = secretary.get(&format!("/party/orgs/{branch}")).await;
    assert!(
        page.contains(&format!("{year} 年党员办结 <b>{recount}</b> 件")),
        "{page}"
    );
}
