//! 双报到, 双报告 and 吹哨报到 (issue 19): units register with an agreement of three lists;
//! in-service members register with the community where they live, sign up for its needs and
//! have their hours confirmed by it (never by themselves); the yearly record's hours are
//! recounted from the rows; a whistle summons units and departments with working-time deadlines,
//! shows the late red, and closes when all have answered; every refusal writes nothing; another
//! community sees none of it.

use crate::party_members::{member, refused, residents};
use crate::support::{Browser, TestApp};
use reqwest::{Method, StatusCode};
use sea_orm::ConnectionTrait;
use serde_json::{Value, json};

async fn written(app: &TestApp) -> Vec<i64> {
    let mut out = vec![app.audit_rows().await];
    for sql in [
        "SELECT COUNT(*) FROM party_units",
        "SELECT COALESCE(SUM(version), 0) FROM party_units",
        "SELECT COUNT(*) FROM party_registrations",
        "SELECT COUNT(*) FROM party_needs",
        "SELECT COUNT(*) FROM party_signups",
        "SELECT COALESCE(SUM(hours_tenths), 0) FROM party_signups",
        "SELECT COUNT(*) FROM party_signups WHERE state = 'confirmed'",
        "SELECT COUNT(*) FROM party_whistles",
        "SELECT COUNT(*) FROM party_whistle_calls",
        "SELECT COUNT(*) FROM party_whistle_calls WHERE answered_at IS NOT NULL",
    ] {
        out.push(app.int(sql).await);
    }
    out
}

/// The hours confirmed for a registration in a year, counted from the raw rows: the sum of the
/// confirmed sign-ups whose need falls in the year.
async fn recount_tenths(app: &TestApp, registration: i64, year: i32) -> i64 {
    app.int(&format!(
        "SELECT COALESCE(SUM(s.hours_tenths), 0) FROM party_signups s \
         JOIN party_needs n ON n.id = s.need_id \
         WHERE s.registration_id = {registration} AND s.state = 'confirmed' \
         AND n.on_date LIKE '{year}-%'"
    ))
    .await
}

fn tenths(hours: &Value) -> i64 {
    let s = hours.as_str().expect("hours");
    let (w, f) = s.split_once('.').unwrap_or((s, "0"));
    w.parse::<i64>().expect("whole") * 10 + f.parse::<i64>().expect("tenth")
}

#[tokio::test]
async fn units_register_with_an_agreement_of_three_lists() {
    let app = TestApp::spawn().await;
    let sj = app.token("liuan-sj").await;
    let before = written(&app).await;
    let long = vec!["一项"; 21].join("\n");
    for (body, code, words) in [
        (
            json!({"name": "区人民医院", "kind": "hospital", "signed_on": "2026-01-01"}),
            "bad_kind",
            "单位类别",
        ),
        (
            json!({"name": "", "kind": "agency", "signed_on": "2026-01-01"}),
            "invalid_input",
            "单位名称",
        ),
        (
            json!({"name": "区人民医院", "kind": "agency", "signed_on": "2026-01-01", "needs": long}),
            "bad_list",
            "需求清单最多 20 项",
        ),
        (
            json!({"name": "区人民医院", "kind": "agency", "signed_on": "2026-03-01", "until": "2026-02-01"}),
            "bad_date",
            "有效期须晚于",
        ),
        (
            json!({"name": "区人民医院", "kind": "agency", "signed_on": "2026-01-01", "contact_phone": "12345"}),
            "bad_phone",
            "",
        ),
    ] {
        refused(
            &app,
            &sj,
            Method::POST,
            "/api/v1/party/units",
            body,
            code,
            words,
        )
        .await;
    }
    assert_eq!(written(&app).await, before, "refusals write nothing");
    let (s, u) = app
        .send(
            Method::POST,
            &sj,
            "/api/v1/party/units",
            json!({"name": "区人民医院", "kind": "机关事业单位", "party_org_name": "区人民医院党委",
                   "contact_name": "周医生", "contact_phone": "13912345678", "signed_on": "2026-01-10",
                   "until": "2028-01-09", "needs": "- 老年人义诊\n\n四点半课堂", "resources": "医生坐诊",
                   "projects": "每月一次健康讲座"}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{u}");
    assert_eq!(u["needs"], json!(["老年人义诊", "四点半课堂"]));
    assert_eq!(u["kind"], "agency");
    assert_eq!(u["contact_phone"], "139****5678", "masked in the API");
    let id = u["id"].as_i64().expect("id");
    // One active unit of a name at a node: the database's index.
    let (s, v) = app
        .send(
            Method::POST,
            &sj,
            "/api/v1/party/units",
            json!({"name": "区人民医院", "kind": "agency", "signed_on": "2026-01-10"}),
        )
        .await;
    assert_eq!(s, StatusCode::CONFLICT, "{v}");
    assert_eq!(v["error"]["code"], "duplicate_unit");
    // The agreement changes; an empty phone keeps the stored one.
    let (s, v) = app
        .send(
            Method::PATCH,
            &sj,
            &format!("/api/v1/party/units/{id}"),
            json!({"name": "区人民医院", "kind": "agency", "signed_on": "2026-01-10",
                   "resources": "医生坐诊\n救护培训", "version": u["version"]}),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["resources"], json!(["医生坐诊", "救护培训"]));
    assert_eq!(v["contact_phone"], "139****5678");
    // Another community sees none of it.
    let fl = app.token("fenglin-sj").await;
    let (s, list) = app.get(&fl, "/api/v1/party/units").await;
    assert_eq!(s, StatusCode::OK);
    assert!(!list.to_string().contains("区人民医院"), "{list}");
    let (s, _) = app.get(&fl, &format!("/api/v1/party/units/{id}")).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    // The page shows the phone whole to the secretary, and the three lists.
    let mut b = Browser::new(&app);
    b.login("liuan-sj").await;
    let (s, page) = b.get(&format!("/party/units/{id}")).await;
    assert_eq!(s, StatusCode::OK);
    assert!(
        page.contains("13912345678") && page.contains("救护培训") && page.contains("项目清单"),
        "{page}"
    );
    let (s, page) = b.get("/party/units").await;
    assert_eq!(s, StatusCode::OK);
    assert!(
        page.contains("139****5678") && !page.contains("13912345678"),
        "masked in the list"
    );
    // Leaving keeps the record.
    refused(
        &app,
        &sj,
        Method::POST,
        &format!("/api/v1/party/units/{id}/leave"),
        json!({"reason": "", "on": "2026-06-01"}),
        "invalid_input",
        "退出原因",
    )
    .await;
    let (s, v) = app
        .send(
            Method::POST,
            &sj,
            &format!("/api/v1/party/units/{id}/leave"),
            json!({"reason": "单位搬迁", "on": wangge::infra::clock::today().to_string()}),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["status"], "left");
    let (_, list) = app.get(&sj, "/api/v1/party/units").await;
    assert!(
        !list.to_string().contains("区人民医院"),
        "only active ones by default"
    );
    let (_, list) = app.get(&sj, "/api/v1/party/units?all=true").await;
    assert!(list.to_string().contains("单位搬迁"));
}

#[tokio::test]
async fn in_service_members_serve_and_the_community_confirms_their_hours() {
    let app = TestApp::spawn().await;
    let sj = app.token("liuan-sj").await;
    let branch = crate::party_members::branch_of(&app, "liuan-sj").await;
    let people = residents(&app, "wgy-liuan-1", "33019900100101", 3, 760).await;
    // 党员760 is the member behind the dy-liuan account; 761 registers through the community.
    let account = app
        .int("SELECT id FROM users WHERE username = 'dy-liuan'")
        .await;
    let m = member(&app, &sj, branch, people[0].0, true).await;
    let (s, v) = app
        .send(
            Method::PATCH,
            &sj,
            &format!("/api/v1/party/members/{}", m["id"]),
            json!({"user_id": account, "version": m["version"]}),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let dy = app.token("dy-liuan").await;
    let today = wangge::infra::clock::today();
    let year = chrono::Datelike::year(&today);
    let (s, mine) = app
        .send(
            Method::POST,
            &dy,
            "/api/v1/party/registrations",
            json!({"work_unit": "区税务局", "home_branch": "区税务局第一党支部"}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{mine}");
    assert_eq!(mine["community_name"], "柳岸社区");
    assert_eq!(mine["has_account"], true);
    let mine_id = mine["id"].as_i64().expect("id");
    let before = written(&app).await;
    // Bad input: a member names someone else; a second registration of the same person.
    refused(
        &app,
        &dy,
        Method::POST,
        "/api/v1/party/registrations",
        json!({"work_unit": "区税务局", "resident_id": people[1].0}),
        "forbidden",
        "",
    )
    .await;
    refused(
        &app,
        &sj,
        Method::POST,
        "/api/v1/party/registrations",
        json!({"work_unit": "区税务局", "resident_id": people[0].0}),
        "already_registered",
        "一人同时只在一个社区报到",
    )
    .await;
    refused(
        &app,
        &sj,
        Method::POST,
        "/api/v1/party/registrations",
        json!({"work_unit": "", "resident_id": people[1].0}),
        "invalid_input",
        "工作单位",
    )
    .await;
    assert_eq!(written(&app).await, before, "refusals write nothing");
    let (s, other) = app
        .send(
            Method::POST,
            &sj,
            "/api/v1/party/registrations",
            json!({"work_unit": "区教育局", "resident_id": people[1].0}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{other}");
    let other_id = other["id"].as_i64().expect("id");
    // Needs: two places; a day past for the hours.
    let (s, need) = app
        .send(
            Method::POST,
            &sj,
            "/api/v1/party/needs",
            json!({"title": "周六义务理发", "on_date": today.to_string(), "places": 2}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{need}");
    let need_id = need["id"].as_i64().expect("id");
    let (s, v) = app
        .send(
            Method::POST,
            &dy,
            &format!("/api/v1/party/needs/{need_id}/signups"),
            json!({}),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["signed"], true);
    assert_eq!(
        v["signups"].as_array().map(Vec::len),
        Some(1),
        "a member sees their own"
    );
    let my_signup = v["signups"][0]["id"].as_i64().expect("id");
    refused(
        &app,
        &dy,
        Method::POST,
        &format!("/api/v1/party/needs/{need_id}/signups"),
        json!({}),
        "signed_twice",
        "已报名",
    )
    .await;
    let (s, v) = app
        .send(
            Method::POST,
            &sj,
            &format!("/api/v1/party/needs/{need_id}/signups"),
            json!({"registration_id": other_id}),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["taken"], 2);
    let other_signup = v["signups"]
        .as_array()
        .and_then(|a| a.iter().find(|x| x["registration_id"] == other_id))
        .and_then(|x| x["id"].as_i64())
        .expect("the other's sign-up");
    // Full: a third member is refused.
    let (s, third) = app
        .send(
            Method::POST,
            &sj,
            "/api/v1/party/registrations",
            json!({"work_unit": "区卫健委", "resident_id": people[2].0}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{third}");
    refused(
        &app,
        &sj,
        Method::POST,
        &format!("/api/v1/party/needs/{need_id}/signups"),
        json!({"registration_id": third["id"]}),
        "not_open",
        "名额已满",
    )
    .await;
    // The member reports hours; confirming them is the community's.
    let before = written(&app).await;
    refused(
        &app,
        &dy,
        Method::POST,
        &format!("/api/v1/party/signups/{my_signup}/serve"),
        json!({"hours": "1.25"}),
        "bad_hours",
        "一位小数",
    )
    .await;
    refused(
        &app,
        &dy,
        Method::POST,
        &format!("/api/v1/party/signups/{my_signup}/confirm"),
        json!({"hours": "3"}),
        "not_confirmer",
        "本人不能确认",
    )
    .await;
    refused(
        &app,
        &dy,
        Method::POST,
        &format!("/api/v1/party/signups/{other_signup}/serve"),
        json!({"hours": "3"}),
        "not_found",
        "",
    )
    .await;
    assert_eq!(written(&app).await, before, "refusals write nothing");
    let (s, v) = app
        .send(
            Method::POST,
            &dy,
            &format!("/api/v1/party/signups/{my_signup}/serve"),
            json!({"hours": "2.5", "note": "为 6 位老人理发"}),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["signups"][0]["state"], "served");
    assert_eq!(
        recount_tenths(&app, mine_id, year).await,
        0,
        "reported hours do not count before confirmation"
    );
    let (s, v) = app
        .send(
            Method::POST,
            &sj,
            &format!("/api/v1/party/signups/{my_signup}/confirm"),
            json!({"hours": "2"}),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let (s, v) = app
        .send(
            Method::POST,
            &sj,
            &format!("/api/v1/party/signups/{other_signup}/confirm"),
            json!({"hours": "1.5"}),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    refused(
        &app,
        &sj,
        Method::POST,
        &format!("/api/v1/party/signups/{my_signup}/cancel"),
        json!({}),
        "bad_step",
        "已确认",
    )
    .await;
    // A second need, and the record: its total equals the recount from the rows.
    let (_, need2) = app
        .send(
            Method::POST,
            &sj,
            "/api/v1/party/needs",
            json!({"title": "楼道清扫", "on_date": today.to_string()}),
        )
        .await;
    let (_, v) = app
        .send(
            Method::POST,
            &dy,
            &format!("/api/v1/party/needs/{}/signups", need2["id"]),
            json!({}),
        )
        .await;
    let s2 = v["signups"][0]["id"].as_i64().expect("id");
    app.send(
        Method::POST,
        &sj,
        &format!("/api/v1/party/signups/{s2}/confirm"),
        json!({"hours": "3"}),
    )
    .await;
    for (reg, token) in [(mine_id, &dy), (other_id, &sj)] {
        let (s, r) = app
            .get(
                token,
                &format!("/api/v1/party/registrations/{reg}/record?year={year}"),
            )
            .await;
        assert_eq!(s, StatusCode::OK, "{r}");
        assert_eq!(
            tenths(&r["total_hours"]),
            recount_tenths(&app, reg, year).await,
            "{r}"
        );
        assert_eq!(
            r["services"].as_i64(),
            Some(
                app.int(&format!(
                    "SELECT COUNT(*) FROM party_signups WHERE registration_id = {reg} AND state = 'confirmed'"
                ))
                .await
            )
        );
    }
    assert_eq!(recount_tenths(&app, mine_id, year).await, 50, "2 + 3 hours");
    let (_, list) = app.get(&sj, "/api/v1/party/registrations").await;
    let row = list
        .as_array()
        .and_then(|a| a.iter().find(|r| r["id"] == mine_id))
        .cloned()
        .expect("listed");
    assert_eq!(row["hours_this_year"], "5");
    let (_, v) = app
        .get(&sj, &format!("/api/v1/party/members/{}", m["id"]))
        .await;
    assert_eq!(
        v["service"]["service_hours"], "5",
        "the member's record: {v}"
    );
    assert!(!list.to_string().contains("id_number"), "no ID numbers");
    // The member sees their own record, not another's; another community sees none.
    let (s, _) = app
        .get(
            &dy,
            &format!("/api/v1/party/registrations/{other_id}/record"),
        )
        .await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let fl = app.token("fenglin-sj").await;
    for path in [
        format!("/api/v1/party/registrations/{mine_id}/record"),
        format!("/api/v1/party/needs/{need_id}"),
    ] {
        let (s, _) = app.get(&fl, &path).await;
        assert_eq!(s, StatusCode::NOT_FOUND, "{path}");
    }
    let (_, l) = app.get(&fl, "/api/v1/party/needs").await;
    assert!(!l.to_string().contains("周六义务理发"));
    // The printable record and its XLSX.
    let mut b = Browser::new(&app);
    b.login("liuan-sj").await;
    let (s, page) = b
        .get(&format!(
            "/party/registrations/{mine_id}/record?year={year}"
        ))
        .await;
    assert_eq!(s, StatusCode::OK);
    assert!(
        page.contains("区税务局") && page.contains("<b>5</b> 小时") && page.contains("楼道清扫")
    );
    let r = app
        .call(
            Method::GET,
            &sj,
            &format!("/party/registrations/{mine_id}/record.xlsx?year={year}"),
            None,
        )
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    let sheet = r.bytes().await.expect("bytes");
    let rows = wangge::web::xlsx::read_rows(&sheet).expect("a workbook");
    assert_eq!(rows.len(), 4, "header, two services, the total: {rows:?}");
    assert_eq!(rows[3][3], "5");
    let (s, page) = b.get("/party/serve").await;
    assert_eq!(s, StatusCode::OK);
    assert!(page.contains("周六义务理发") && page.contains("报到的在职党员"));
    let mut m = Browser::new(&app);
    m.login("dy-liuan").await;
    let (s, page) = m.get("/party/serve").await;
    assert_eq!(s, StatusCode::OK);
    assert!(page.contains("我的报到") && page.contains("已确认服务 <b>5</b> 小时"));
    assert!(!page.contains("区教育局"), "not another member's");
}

#[tokio::test]
async fn a_whistle_summons_units_and_departments_and_closes_when_all_answer() {
    let app = TestApp::spawn().await;
    let sj = app.token("liuan-sj").await;
    let mut units = Vec::new();
    for name in ["区供电公司", "区水务集团"] {
        let (s, u) = app
            .send(
                Method::POST,
                &sj,
                "/api/v1/party/units",
                json!({"name": name, "kind": "state_firm", "signed_on": "2026-01-10"}),
            )
            .await;
        assert_eq!(s, StatusCode::CREATED, "{u}");
        units.push(u["id"].as_i64().expect("id"));
    }
    let dept = app
        .int("SELECT department_id FROM users WHERE username = 'qinghe-cg'")
        .await;
    let before = written(&app).await;
    for (body, code, words) in [
        (
            json!({"title": "积水", "problem": "路口积水", "callees": [{"unit_id": units[0]}]}),
            "bad_callees",
            "至少 2 个",
        ),
        (
            json!({"title": "积水", "problem": "路口积水", "callees": [{"unit_id": units[0]}, {"unit_id": units[0]}]}),
            "bad_callees",
            "重复",
        ),
        (
            json!({"title": "积水", "problem": "路口积水", "callees": [{"unit_id": units[0]}, {"unit_id": units[1], "limit_hours": 0}]}),
            "bad_limit",
            "报到时限",
        ),
        (
            json!({"title": "积水", "problem": "路口积水", "callees": [{"unit_id": units[0]}, {"unit_id": 999_999}]}),
            "bad_callee",
            "不在本辖区",
        ),
        (
            json!({"title": "", "problem": "路口积水", "callees": [{"unit_id": units[0]}, {"unit_id": units[1]}]}),
            "invalid_input",
            "事项",
        ),
    ] {
        refused(
            &app,
            &sj,
            Method::POST,
            "/api/v1/party/whistles",
            body,
            code,
            words,
        )
        .await;
    }
    assert_eq!(written(&app).await, before, "refusals write nothing");
    let (s, w) = app
        .send(
            Method::POST,
            &sj,
            "/api/v1/party/whistles",
            json!({"title": "幸福路口积水", "problem": "暴雨后路口积水半米，井盖被冲开",
                   "callees": [{"unit_id": units[0], "limit_hours": 4}, {"unit_id": units[1]},
                               {"department_id": dept, "limit_hours": 16}]}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{w}");
    let wid = w["id"].as_i64().expect("id");
    assert_eq!(w["status"], "open");
    assert_eq!(w["calls"].as_array().map(Vec::len), Some(3));
    // Each deadline is the working calendar's, from the whistle.
    let blown = app
        .int(&format!(
            "SELECT blown_at FROM party_whistles WHERE id = {wid}"
        ))
        .await;
    let cal = wangge::cases::catalog::load(&app.db)
        .await
        .expect("catalog")
        .calendar;
    for (hours, due) in [
        (4, w["calls"][0]["due_at"].clone()),
        (16, w["calls"][2]["due_at"].clone()),
    ] {
        let expect =
            wangge_core::party::serve::call_due(&cal, wangge::infra::clock::bj(blown), hours);
        assert_eq!(
            due,
            expect.format("%Y-%m-%d %H:%M").to_string(),
            "{hours} h"
        );
    }
    let calls: Vec<i64> = w["calls"]
        .as_array()
        .expect("calls")
        .iter()
        .map(|k| k["id"].as_i64().expect("id"))
        .collect();
    // The first unit's deadline has passed (set back in the rows): red, counted.
    app.db
        .execute_unprepared(&format!(
            "UPDATE party_whistle_calls SET due_at = {} WHERE id = {}",
            blown - 1,
            calls[0]
        ))
        .await
        .expect("set back");
    let (_, v) = app.get(&sj, &format!("/api/v1/party/whistles/{wid}")).await;
    assert_eq!(v["calls"][0]["red"], true);
    assert_eq!(v["calls"][0]["state"], "overdue");
    assert_eq!(v["overdue"], 1);
    let red_rows = app
        .int(&format!(
            "SELECT COUNT(*) FROM party_whistle_calls WHERE whistle_id = {wid} \
             AND arrived_at IS NULL AND answered_at IS NULL AND due_at < {}",
            wangge::infra::clock::now_ms()
        ))
        .await;
    assert_eq!(
        v["overdue"].as_i64(),
        Some(red_rows),
        "recounted from the rows"
    );
    // The department sees the whistle and answers its own call; not another's.
    let cg = app.token("qinghe-cg").await;
    let (s, l) = app.get(&cg, "/api/v1/party/whistles").await;
    assert_eq!(s, StatusCode::OK);
    assert!(l.to_string().contains("幸福路口积水"), "{l}");
    refused(
        &app,
        &cg,
        Method::POST,
        &format!("/api/v1/party/whistle-calls/{}/arrive", calls[1]),
        json!({}),
        "not_callee",
        "被召集的部门本身",
    )
    .await;
    let (s, v) = app
        .send(
            Method::POST,
            &cg,
            &format!("/api/v1/party/whistle-calls/{}/answer", calls[2]),
            json!({"answer": "已疏通雨水井，更换井盖"}),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["calls"][2]["state"], "answered");
    // Another community sees none of it.
    let fl = app.token("fenglin-sj").await;
    let (s, _) = app.get(&fl, &format!("/api/v1/party/whistles/{wid}")).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let (_, l) = app.get(&fl, "/api/v1/party/whistles").await;
    assert!(!l.to_string().contains("幸福路口积水"));
    // The community records the units' arrival and answers; the last answer closes it.
    let (s, v) = app
        .send(
            Method::POST,
            &sj,
            &format!("/api/v1/party/whistle-calls/{}/arrive", calls[0]),
            json!({}),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["calls"][0]["state"], "arrived_late");
    assert_eq!(v["calls"][0]["red"], false);
    refused(
        &app,
        &sj,
        Method::POST,
        &format!("/api/v1/party/whistle-calls/{}/arrive", calls[0]),
        json!({}),
        "bad_step",
        "已报到",
    )
    .await;
    refused(
        &app,
        &sj,
        Method::POST,
        &format!("/api/v1/party/whistle-calls/{}/answer", calls[0]),
        json!({"answer": ""}),
        "invalid_input",
        "办理情况",
    )
    .await;
    for k in &calls[..2] {
        let (s, v) = app
            .send(
                Method::POST,
                &sj,
                &format!("/api/v1/party/whistle-calls/{k}/answer"),
                json!({"answer": "已到场处置"}),
            )
            .await;
        assert_eq!(s, StatusCode::OK, "{v}");
    }
    let (_, v) = app.get(&sj, &format!("/api/v1/party/whistles/{wid}")).await;
    assert_eq!(v["status"], "closed");
    assert_eq!(v["answered"], 3);
    assert_eq!(v["calls"][0]["state"], "answered_late");
    refused(
        &app,
        &cg,
        Method::POST,
        &format!("/api/v1/party/whistle-calls/{}/answer", calls[2]),
        json!({"answer": "再次反馈"}),
        "bad_step",
        "已办结",
    )
    .await;
    // The handler was told.
    let told = app
        .int(
            "SELECT COUNT(*) FROM notifications WHERE user_id = \
             (SELECT id FROM users WHERE username = 'qinghe-cg') AND kind = 'whistle'",
        )
        .await;
    assert_eq!(told, 1);
    // The pages: the list's figures and the red row.
    let (s, w2) = app
        .send(
            Method::POST,
            &sj,
            "/api/v1/party/whistles",
            json!({"title": "菜场油烟扰民", "problem": "早市油烟大",
                   "callees": [{"unit_id": units[0]}, {"department_id": dept}]}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{w2}");
    app.db
        .execute_unprepared(&format!(
            "UPDATE party_whistle_calls SET due_at = 1 WHERE whistle_id = {} AND unit_id IS NOT NULL",
            w2["id"]
        ))
        .await
        .expect("set back");
    let mut b = Browser::new(&app);
    b.login("liuan-sj").await;
    let (s, page) = b.get("/party/whistles").await;
    assert_eq!(s, StatusCode::OK);
    let open = app
        .int("SELECT COUNT(*) FROM party_whistles WHERE status = 'open'")
        .await;
    let closed = app
        .int("SELECT COUNT(*) FROM party_whistles WHERE status = 'closed'")
        .await;
    assert!(
        page.contains(&format!("<b>{open}</b><span>办理中</span>")),
        "open"
    );
    assert!(
        page.contains(&format!("<b>{closed}</b><span>已办结</span>")),
        "closed"
    );
    assert!(page.contains("<b>1</b><span>超时未报到</span>"), "red");
    let (s, page) = b.get(&format!("/party/whistles/{}", w2["id"])).await;
    assert_eq!(s, StatusCode::OK);
    assert!(page.contains("<li class=\"red\">") && page.contains("已超时"));
    let mut d = Browser::new(&app);
    d.login("qinghe-cg").await;
    let (s, page) = d.get("/party/whistles").await;
    assert_eq!(s, StatusCode::OK);
    assert!(page.contains("菜场油烟扰民") && !page.contains("召集（至少 2 个）"));
}
