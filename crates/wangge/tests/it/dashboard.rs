//! The command centre (issue 20) beside the ranking: the dashboard's figures against an
//! independent recount from the raw rows (on either database), the exclusion of an unreasonable
//! case by a recorded decision (who may propose and approve; the rates and the ranking without
//! it), early warning and 每月一题, the duty roster with the escalations its duty sees, and the
//! wall's big screen without a person's name or phone.

use crate::support::{Browser, TestApp, id_number};
use reqwest::{Method, StatusCode};
use sea_orm::ConnectionTrait;
use serde_json::{Value, json};
use std::collections::BTreeMap;

const DAY: i64 = 86_400_000;

/// Beijing midnight of a day, in ms.
fn day_ms(d: chrono::NaiveDate) -> i64 {
    d.and_hms_opt(0, 0, 0)
        .expect("midnight")
        .and_utc()
        .timestamp_millis()
        - 8 * 3600 * 1000
}

/// One case as the recount reads it.
struct Row {
    id: i64,
    kind: String,
    org_path: String,
    source: String,
    category: String,
    status: String,
    created: i64,
    dispatched: Option<i64>,
    acknowledged: Option<i64>,
    ack_late: bool,
    fed_back: Option<i64>,
    handle_due: Option<i64>,
    handle_late: bool,
    closed: Option<i64>,
    rated: Option<i64>,
    contacted: Option<bool>,
    solved: Option<bool>,
    satisfaction: Option<String>,
}

async fn rows(app: &TestApp, path: &str) -> Vec<Row> {
    app.db
        .query_all_raw(sea_orm::Statement::from_string(
            app.db.get_database_backend(),
            format!(
                "SELECT id, kind, org_path, source, category_code, status, created_at, dispatched_at, \
                 acknowledged_at, ack_late, fed_back_at, handle_due, handle_late, closed_at, rated_at, \
                 contacted, solved, satisfaction FROM cases WHERE org_path LIKE '{path}%'"
            ),
        ))
        .await
        .expect("cases")
        .into_iter()
        .map(|r| Row {
            id: r.try_get("", "id").expect("id"),
            kind: r.try_get("", "kind").expect("kind"),
            org_path: r.try_get("", "org_path").expect("path"),
            source: r.try_get("", "source").expect("source"),
            category: r.try_get("", "category_code").expect("cat"),
            status: r.try_get("", "status").expect("status"),
            created: r.try_get("", "created_at").expect("created"),
            dispatched: r.try_get("", "dispatched_at").expect("d"),
            acknowledged: r.try_get("", "acknowledged_at").expect("a"),
            ack_late: r.try_get("", "ack_late").expect("al"),
            fed_back: r.try_get("", "fed_back_at").expect("f"),
            handle_due: r.try_get("", "handle_due").expect("h"),
            handle_late: r.try_get("", "handle_late").expect("hl"),
            closed: r.try_get("", "closed_at").expect("c"),
            rated: r.try_get("", "rated_at").expect("r"),
            contacted: r.try_get("", "contacted").expect("ct"),
            solved: r.try_get("", "solved").expect("s"),
            satisfaction: r.try_get("", "satisfaction").expect("sat"),
        })
        .filter(|r| r.kind == "appeal" || r.kind == "incident")
        .collect()
}

/// A percentage with one decimal, exact, rounded half up.
fn pct(num: u128, den: u128) -> Value {
    if den == 0 {
        return Value::Null;
    }
    let t = (num * 2000 + den) / (2 * den);
    json!(format!("{}.{}", t / 10, t % 10))
}

fn hours(ms: u128, n: u128) -> Value {
    if n == 0 {
        return Value::Null;
    }
    let den = n * 3_600_000;
    let t = (ms * 20 + den) / (2 * den);
    json!(format!("{}.{}", t / 10, t % 10))
}

/// The handling figures of the rows over `[a, b)`, the excluded left out of the rates.
fn handling(rs: &[Row], (a, b): (i64, i64), excluded: &[i64], now: i64) -> Value {
    let within = |t: Option<i64>| t.is_some_and(|t| t >= a && t < b);
    let counted = |r: &&Row| !excluded.contains(&r.id);
    let rated: Vec<&Row> = rs.iter().filter(|r| within(r.rated)).collect();
    let ex = rated.iter().filter(|r| excluded.contains(&r.id)).count();
    let rated: Vec<&Row> = rated.into_iter().filter(counted).collect();
    let n = rated.len() as u128;
    let contacted = rated.iter().filter(|r| r.contacted == Some(true)).count() as u128;
    let solved = rated.iter().filter(|r| r.solved == Some(true)).count() as u128;
    let sat = rated
        .iter()
        .filter(|r| r.satisfaction.as_deref() == Some("satisfied"))
        .count() as u128;
    let basic = rated
        .iter()
        .filter(|r| r.satisfaction.as_deref() == Some("basic"))
        .count() as u128;
    let disp: Vec<&Row> = rs
        .iter()
        .filter(|r| within(r.dispatched))
        .filter(counted)
        .collect();
    let ack_ok = disp
        .iter()
        .filter(|r| r.acknowledged.is_some() && !r.ack_late)
        .count() as u128;
    let due = disp
        .iter()
        .filter(|r| r.fed_back.is_some() || r.handle_due.is_some_and(|d| d < now))
        .count() as u128;
    let on_time = disp
        .iter()
        .filter(|r| r.fed_back.is_some() && !r.handle_late)
        .count() as u128;
    let acked: Vec<&&Row> = disp.iter().filter(|r| r.acknowledged.is_some()).collect();
    let ack_ms: i64 = acked
        .iter()
        .map(|r| r.acknowledged.unwrap_or(0) - r.dispatched.unwrap_or(0))
        .sum();
    let closed: Vec<&Row> = rs.iter().filter(|r| within(r.closed)).collect();
    let closed_ms: i64 = closed
        .iter()
        .map(|r| r.closed.unwrap_or(0) - r.created)
        .sum();
    json!({
        "rated": n, "contacted": contacted, "solved": solved, "satisfied": sat, "basic": basic,
        "response": pct(contacted, n), "resolution": pct(solved, n),
        "satisfaction": pct(1000 * sat + 900 * basic, 1000 * n),
        "dispatched": disp.len(), "ack_on_time": ack_ok, "ack_on_time_rate": pct(ack_ok, disp.len() as u128),
        "due": due, "on_time": on_time, "on_time_rate": pct(on_time, due),
        "acknowledged": acked.len(), "avg_hours_to_acknowledge": hours(ack_ms as u128, acked.len() as u128),
        "closed": closed.len(), "avg_hours_to_close": hours(closed_ms as u128, closed.len() as u128),
        "excluded": ex,
    })
}

async fn propose(app: &TestApp, token: &str, case_id: i64, reason: &str) -> (StatusCode, Value) {
    app.send(
        Method::POST,
        token,
        "/api/v1/stats/exclusions",
        json!({"case_id": case_id, "reason": reason}),
    )
    .await
}

async fn decide(app: &TestApp, token: &str, id: i64, decision: &str, note: &str) -> StatusCode {
    app.send(
        Method::POST,
        token,
        &format!("/api/v1/stats/exclusions/{id}/decide"),
        json!({"decision": decision, "note": note}),
    )
    .await
    .0
}

/// A rated case of the first community (柳岸社区) rated in `[a, b)`.
async fn rated_case(app: &TestApp, a: i64, b: i64) -> i64 {
    app.int(&format!(
        "SELECT MIN(c.id) FROM cases c JOIN org_nodes n ON n.code = '330199001001' \
         WHERE c.org_path LIKE n.path || '%' AND c.rated_at >= {a} AND c.rated_at < {b} \
         AND c.kind IN ('appeal', 'incident')"
    ))
    .await
}

#[tokio::test]
async fn the_dashboard_is_the_recount_of_the_rows_for_a_street_a_community_and_a_grid() {
    let app = TestApp::spawn().await;
    wangge::demo::cases::generate(&app.state, 20261201, 500, 75)
        .await
        .expect("demo cases");
    let zz = app.token("qinghe-zz").await;
    let sj = app.token("liuan-sj").await;
    let admin = app.token("admin").await;
    // People: two households in the first grid, one resident in a care group.
    let building = app.building_in("33019900100101").await;
    let (_, r1) = app
        .household_with_head(
            &sj,
            building,
            "甲一",
            &id_number((1950, 3, 4), 11),
            json!({}),
        )
        .await;
    app.household_with_head(
        &sj,
        building,
        "乙二",
        &id_number((1980, 5, 6), 12),
        json!({}),
    )
    .await;
    let tag = app
        .int("SELECT MIN(id) FROM tags WHERE status = 'active'")
        .await;
    app.db
        .execute_unprepared(&format!(
            "INSERT INTO resident_tags (resident_id, tag_id) VALUES ({r1}, {tag})"
        ))
        .await
        .expect("tag");
    let today = wangge::infra::clock::today();
    let from = today - chrono::Duration::days(29);
    let (a, b) = (day_ms(from), day_ms(today) + DAY);
    let (pa, pb) = (a - 30 * DAY, a);
    // One case of the period excluded by decision, one refused: only the approved one leaves
    // the rates.
    let excluded = rated_case(&app, a, b).await;
    let (s, p) = propose(&app, &sj, excluded, "诉求超出政策规定，已多次解释").await;
    assert_eq!(s, StatusCode::CREATED, "{p}");
    assert_eq!(
        decide(&app, &zz, p["id"].as_i64().expect("id"), "approve", "").await,
        StatusCode::OK
    );
    for (org_code, who) in [
        ("330199001000", &zz),
        ("330199001001", &sj),
        ("33019900100101", &sj),
    ] {
        let org = app.node_id(&admin, org_code).await;
        let (s, d) = app
            .get(
                who,
                &format!("/api/v1/stats/dashboard?org={org}&from={from}&to={today}"),
            )
            .await;
        assert_eq!(s, StatusCode::OK, "{d}");
        let now = wangge::infra::clock::now_ms();
        let path = app
            .text(&format!("SELECT path FROM org_nodes WHERE id = {org}"))
            .await;
        let rs = rows(&app, &path).await;
        let in_period: Vec<&Row> = rs
            .iter()
            .filter(|r| r.created >= a && r.created < b)
            .collect();
        assert_eq!(d["reported"], json!(in_period.len()), "{org_code}");
        assert_eq!(
            d["reported_before"],
            json!(
                rs.iter()
                    .filter(|r| r.created >= pa && r.created < pb)
                    .count()
            )
        );
        // By day: every day of the period, in Beijing.
        let days = d["by_day"].as_array().expect("days");
        assert_eq!(days.len(), 30);
        for (i, x) in days.iter().enumerate() {
            let (da, db) = (a + i as i64 * DAY, a + (i as i64 + 1) * DAY);
            let n = in_period
                .iter()
                .filter(|r| r.created >= da && r.created < db)
                .count();
            assert_eq!(x["count"], json!(n), "{x}");
        }
        let tally = |key: &dyn Fn(&Row) -> String| {
            let mut m: BTreeMap<String, u64> = BTreeMap::new();
            for r in &in_period {
                *m.entry(key(r)).or_default() += 1;
            }
            m
        };
        let shown = |k: &str| -> BTreeMap<String, u64> {
            d[k].as_array()
                .expect(k)
                .iter()
                .filter(|c| c["count"].as_u64() != Some(0))
                .map(|c| {
                    (
                        c["key"].as_str().expect("key").to_owned(),
                        c["count"].as_u64().expect("n"),
                    )
                })
                .collect()
        };
        assert_eq!(shown("by_source"), tally(&|r| r.source.clone()));
        assert_eq!(shown("by_category"), tally(&|r| r.category.clone()));
        assert_eq!(shown("by_kind"), tally(&|r| r.kind.clone()));
        assert_eq!(shown("by_status"), tally(&|r| r.status.clone()));
        // Open, overdue and nearly overdue now.
        let in_hand = |r: &&Row| r.status == "dispatched" || r.status == "handling";
        assert_eq!(
            d["open"],
            json!(
                rs.iter()
                    .filter(|r| crate::support::OPEN_STATUSES.contains(&r.status.as_str()))
                    .count()
            )
        );
        let overdue: Vec<&Row> = rs
            .iter()
            .filter(in_hand)
            .filter(|r| r.handle_due.is_some_and(|t| t < now))
            .collect();
        assert_eq!(d["overdue"], json!(overdue.len()));
        assert_eq!(
            d["nearly_overdue"],
            json!(
                rs.iter()
                    .filter(in_hand)
                    .filter(|r| r.handle_due.is_some_and(|t| t >= now && t < now + DAY))
                    .count()
            )
        );
        // The pressing list: the cases in hand due within a day, most overdue first, then by id,
        // at most 30 — exactly those, in that order.
        let mut due: Vec<(i64, i64)> = rs
            .iter()
            .filter(in_hand)
            .filter_map(|r| r.handle_due.filter(|t| *t < now + DAY).map(|t| (t, r.id)))
            .collect();
        due.sort_unstable();
        due.truncate(30);
        let shown_pressing: Vec<(i64, i64)> = d["pressing"]
            .as_array()
            .expect("pressing")
            .iter()
            .map(|p| {
                let n = |k: &str| p[k].as_i64().expect("number");
                (n("handle_due"), n("id"))
            })
            .collect();
        assert_eq!(shown_pressing, due, "{org_code} pressing");
        // Handling, this period and the one before, without the excluded case.
        let ex = [excluded];
        for (k, span) in [("handling", (a, b)), ("handling_before", (pa, pb))] {
            let want = handling(&rs, span, &ex, now);
            for (field, v) in want.as_object().expect("obj") {
                assert_eq!(&d[k][field], v, "{org_code} {k}.{field}: {}", d[k]);
            }
        }
        // The children: cases of the period, residents, per 1,000, overdue now.
        for c in d["children"].as_array().expect("children") {
            let id = c["node_id"].as_i64().expect("id");
            let cp = app
                .text(&format!("SELECT path FROM org_nodes WHERE id = {id}"))
                .await;
            let cases = in_period
                .iter()
                .filter(|r| r.org_path.starts_with(&cp))
                .count();
            let over = overdue
                .iter()
                .filter(|r| r.org_path.starts_with(&cp))
                .count();
            let residents = app
                .int(&format!(
                    "SELECT COUNT(*) FROM residents WHERE org_path LIKE '{cp}%' AND status = 'active'"
                ))
                .await;
            assert_eq!(
                (c["cases"].clone(), c["overdue"].clone()),
                (json!(cases), json!(over)),
                "{c}"
            );
            assert_eq!(c["residents"], json!(residents));
            assert_eq!(
                c["per_1000"],
                hours(cases as u128 * 1000 * 3_600_000, residents as u128),
                "{c}"
            );
        }
        // People and the party.
        let app_ref = &app;
        let q = |sql: String| async move { app_ref.int(&sql).await };
        assert_eq!(
            d["population"]["residents"],
            json!(q(format!("SELECT COUNT(*) FROM residents WHERE org_path LIKE '{path}%' AND status = 'active'")).await)
        );
        assert_eq!(
            d["population"]["households"],
            json!(q(format!("SELECT COUNT(*) FROM households WHERE org_path LIKE '{path}%' AND status = 'active'")).await)
        );
        let care: i64 = d["population"]["care"]
            .as_array()
            .expect("care")
            .iter()
            .map(|c| c["count"].as_i64().expect("n"))
            .sum();
        assert_eq!(
            care,
            q(format!(
                "SELECT COUNT(*) FROM resident_tags rt JOIN residents r ON r.id = rt.resident_id \
                 JOIN tags t ON t.id = rt.tag_id WHERE t.status = 'active' AND r.status = 'active' \
                 AND r.org_path LIKE '{path}%'"
            ))
            .await
        );
        let party = &d["party"];
        assert_eq!(
            party["branches"],
            json!(q(format!("SELECT COUNT(*) FROM party_orgs WHERE org_path LIKE '{path}%' AND status = 'active' AND kind = 'branch'")).await)
        );
        assert_eq!(
            party["members"],
            json!(q(format!("SELECT COUNT(*) FROM party_members WHERE org_path LIKE '{path}%' AND status = 'active' AND stage IN ('full', 'probationary')")).await)
        );
        let homes = q(format!(
            "SELECT COUNT(*) FROM households WHERE org_path LIKE '{path}%' AND status = 'active'"
        ))
        .await;
        let linked = q(format!(
            "SELECT COUNT(DISTINCT household_id) FROM party_links WHERE org_path LIKE '{path}%' \
             AND kind = 'member' AND status = 'active'"
        ))
        .await;
        assert_eq!(party["households_without_member"], json!(homes - linked));
    }
    // Scope: a community cannot see its street's dashboard, nor a street another street's.
    let street = app.node_id(&admin, "330199001000").await;
    let other = app.node_id(&admin, "330199002000").await;
    assert_eq!(
        app.get(&sj, &format!("/api/v1/stats/dashboard?org={street}"))
            .await
            .0,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        app.get(&zz, &format!("/api/v1/stats/dashboard?org={other}"))
            .await
            .0,
        StatusCode::NOT_FOUND
    );
    // A resident has no dashboard; a bad period changes nothing and says why.
    let jm = app.token("jm-liuan").await;
    assert_eq!(
        app.get(&jm, "/api/v1/stats/dashboard").await.0,
        StatusCode::FORBIDDEN
    );
    let (s, v) = app
        .get(&zz, "/api/v1/stats/dashboard?from=2026-11-30&to=2026-11-01")
        .await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    assert_eq!(v["error"]["code"], "bad_period");
}

#[tokio::test]
async fn an_unreasonable_case_leaves_the_rates_only_by_an_approved_decision() {
    let app = TestApp::spawn().await;
    wangge::demo::cases::generate(&app.state, 20261202, 400, 75)
        .await
        .expect("demo cases");
    let zz = app.token("qinghe-zz").await;
    let sj = app.token("liuan-sj").await;
    let fl = app.token("fenglin-sj").await;
    let admin = app.token("admin").await;
    let today = wangge::infra::clock::today();
    let last = today
        .checked_sub_months(chrono::Months::new(1))
        .expect("last");
    let month = last.format("%Y-%m").to_string();
    let first = chrono::NaiveDate::parse_from_str(&format!("{month}-01"), "%Y-%m-%d").expect("m");
    let next = first.checked_add_months(chrono::Months::new(1)).expect("n");
    let case = rated_case(&app, day_ms(first), day_ms(next)).await;
    let street = app.node_id(&admin, "330199001000").await;
    let liuan = app.node_id(&admin, "330199001001").await;
    let rated_of = |v: &Value| {
        v["rows"]
            .as_array()
            .expect("rows")
            .iter()
            .find(|r| r["node_id"] == json!(liuan))
            .map(|r| r["rated"].as_u64().expect("rated"))
            .expect("liuan")
    };
    let ranking = format!("/api/v1/stats/ranking?org={street}&month={month}");
    let before = rated_of(&app.get(&zz, &ranking).await.1);
    let jm = app.token("jm-liuan").await;
    let audit = app.audit_rows().await;
    // Bad input changes nothing: no reason, a case out of sight, a resident.
    let (s, v) = propose(&app, &sj, case, "").await;
    assert_eq!(
        (s, v["error"]["code"].as_str()),
        (StatusCode::BAD_REQUEST, Some("invalid_input")),
        "{v}"
    );
    let (s, _) = propose(&app, &fl, case, "不在本社区的案件").await;
    assert_eq!(
        s,
        StatusCode::NOT_FOUND,
        "another community's case is not found"
    );
    assert_eq!(
        propose(&app, &jm, case, "居民不能提出认定").await.0,
        StatusCode::FORBIDDEN
    );
    assert_eq!(app.audit_rows().await, audit);
    assert_eq!(app.int("SELECT COUNT(*) FROM case_exclusions").await, 0);
    // Proposed: still counted. The community cannot approve its own proposal; the street can.
    let (s, p) = propose(&app, &sj, case, "诉求超出政策规定，已多次解释").await;
    assert_eq!(s, StatusCode::CREATED, "{p}");
    let id = p["id"].as_i64().expect("id");
    let (s, v) = propose(&app, &zz, case, "重复提出").await;
    assert_eq!(
        (s, v["error"]["code"].as_str()),
        (StatusCode::CONFLICT, Some("excluded_twice")),
        "{v}"
    );
    assert_eq!(rated_of(&app.get(&zz, &ranking).await.1), before);
    let (s, v) = app
        .send(
            Method::POST,
            &sj,
            &format!("/api/v1/stats/exclusions/{id}/decide"),
            json!({"decision": "approve"}),
        )
        .await;
    assert_eq!(
        (s, v["error"]["code"].as_str()),
        (StatusCode::BAD_REQUEST, Some("not_approver")),
        "{v}"
    );
    assert_eq!(
        decide(&app, &zz, id, "refuse", "").await,
        StatusCode::BAD_REQUEST,
        "a refusal says why"
    );
    assert_eq!(
        decide(&app, &zz, id, "approve", "会商同意").await,
        StatusCode::OK
    );
    assert_eq!(
        decide(&app, &zz, id, "approve", "").await,
        StatusCode::CONFLICT,
        "once"
    );
    // Approved: out of the ranking's and the statistics' rates, listed, audited.
    assert_eq!(rated_of(&app.get(&zz, &ranking).await.1), before - 1);
    let (_, list) = app.get(&zz, "/api/v1/stats/exclusions").await;
    let row = &list.as_array().expect("list")[0];
    assert_eq!(row["status"], "approved");
    assert!(row["decider_name"].as_str().is_some_and(|n| !n.is_empty()));
    assert!(row["reason"].as_str().is_some_and(|r| r.contains("政策")));
    assert_eq!(
        app.int("SELECT COUNT(*) FROM audit_log WHERE entity = 'case_exclusion'")
            .await,
        2
    );
    let (_, fl_list) = app.get(&fl, "/api/v1/stats/exclusions").await;
    assert_eq!(fl_list, json!([]), "another community sees none of it");
    // The proposer may not approve even as the command centre: a second proposal by the street,
    // approved by the street's same account, is refused.
    let other = app
        .int(&format!(
            "SELECT MAX(c.id) FROM cases c JOIN org_nodes n ON n.code = '330199001001' \
             WHERE c.org_path LIKE n.path || '%' AND c.id <> {case} AND c.kind = 'appeal'"
        ))
        .await;
    let (_, p2) = propose(&app, &zz, other, "街道提出的认定").await;
    assert_eq!(
        decide(&app, &zz, p2["id"].as_i64().expect("id"), "approve", "").await,
        StatusCode::BAD_REQUEST
    );
    // Revoked: counted again.
    assert_eq!(
        decide(&app, &zz, id, "revoke", "复核后撤销").await,
        StatusCode::OK
    );
    assert_eq!(rated_of(&app.get(&zz, &ranking).await.1), before);
    // A new proposal is possible again after the revocation (the partial index holds only the
    // live ones).
    assert_eq!(
        propose(&app, &sj, case, "重新提出").await.0,
        StatusCode::CREATED
    );
}

#[tokio::test]
async fn warnings_find_the_words_the_repeats_and_the_months_question() {
    let app = TestApp::spawn().await;
    wangge::demo::cases::generate(&app.state, 7, 200, 60)
        .await
        .expect("demo cases");
    let zz = app.token("qinghe-zz").await;
    let sj = app.token("liuan-sj").await;
    let admin = app.token("admin").await;
    let building = app.building_in("33019900100101").await;
    let mut made = Vec::new();
    for (title, cat) in [
        ("工地门口有工人讨薪", "QT01"),
        ("楼道漏水", "WY02"),
        ("楼道又漏水了", "WY02"),
        ("楼道还在漏水", "WY02"),
    ] {
        let (s, v) = app
            .send(
                Method::POST,
                &sj,
                "/api/v1/cases",
                json!({"title": title, "description": "请尽快处理", "category": cat, "building_id": building}),
            )
            .await;
        assert_eq!(s, StatusCode::CREATED, "{v}");
        made.push(v["id"].as_i64().expect("id"));
    }
    let (s, w) = app.get(&zz, "/api/v1/stats/warnings").await;
    assert_eq!(s, StatusCode::OK, "{w}");
    assert_eq!(w["default_words"], true);
    let hit = w["word_hits"]
        .as_array()
        .expect("hits")
        .iter()
        .find(|h| h["word"] == "讨薪")
        .expect("讨薪");
    assert!(
        hit["cases"]
            .as_array()
            .expect("cases")
            .iter()
            .any(|c| c["id"] == made[0])
    );
    let recount = app
        .int(&format!(
            "SELECT COUNT(*) FROM cases c JOIN org_nodes n ON n.code = '330199001000' \
             WHERE c.org_path LIKE n.path || '%' AND (c.title LIKE '%讨薪%' OR c.description LIKE '%讨薪%') \
             AND c.created_at >= {} AND c.kind IN ('appeal', 'incident')",
            wangge::infra::clock::now_ms() - 7 * DAY
        ))
        .await;
    assert_eq!(hit["count"], json!(recount));
    let rep = w["repeats"]
        .as_array()
        .expect("repeats")
        .iter()
        .find(|r| {
            r["category_code"] == "WY02"
                && r["cases"]
                    .as_array()
                    .is_some_and(|c| c.iter().any(|c| c["id"] == made[1]))
        })
        .expect("the repeat");
    assert_eq!(rep["count"], 3);
    // A word of the street's own: the defaults are taken over, then changed.
    let (s, v) = app
        .send(
            Method::POST,
            &zz,
            "/api/v1/stats/warnings/keywords",
            json!({"word": "漏水"}),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let words = v["words"].as_array().expect("words");
    assert!(words.contains(&json!("漏水")) && words.contains(&json!("讨薪")));
    let (s, v) = app
        .send(
            Method::POST,
            &zz,
            "/api/v1/stats/warnings/keywords",
            json!({"word": "讨薪", "remove": true}),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let (_, w) = app.get(&zz, "/api/v1/stats/warnings").await;
    assert_eq!(w["default_words"], false);
    let hits: Vec<&str> = w["word_hits"]
        .as_array()
        .expect("hits")
        .iter()
        .map(|h| h["word"].as_str().expect("w"))
        .collect();
    assert!(hits.contains(&"漏水") && !hits.contains(&"讨薪"), "{w}");
    // The community inherits the street's words.
    let (_, wc) = app.get(&sj, "/api/v1/stats/warnings").await;
    assert_eq!(wc["words"], w["words"]);
    // Bad input: a word twice, a one-character word, a resident.
    let (s, v) = app
        .send(
            Method::POST,
            &zz,
            "/api/v1/stats/warnings/keywords",
            json!({"word": "漏水"}),
        )
        .await;
    assert_eq!(
        (s, v["error"]["code"].as_str()),
        (StatusCode::CONFLICT, Some("word_twice")),
        "{v}"
    );
    let (s, v) = app
        .send(
            Method::POST,
            &zz,
            "/api/v1/stats/warnings/keywords",
            json!({"word": "水"}),
        )
        .await;
    assert_eq!(
        (s, v["error"]["code"].as_str()),
        (StatusCode::BAD_REQUEST, Some("bad_word")),
        "{v}"
    );
    // 每月一题: the last month's categories, recounted.
    let (_, w) = app.get(&zz, "/api/v1/stats/warnings").await;
    let month = w["month"].as_str().expect("month");
    let first = chrono::NaiveDate::parse_from_str(&format!("{month}-01"), "%Y-%m-%d").expect("m");
    let next = first.checked_add_months(chrono::Months::new(1)).expect("n");
    let street = app.node_id(&admin, "330199001000").await;
    let path = app
        .text(&format!("SELECT path FROM org_nodes WHERE id = {street}"))
        .await;
    // Every category of the month and the one before, from the rows: the five most frequent,
    // by count then code, each with the month before's count.
    let by_category = |a: chrono::NaiveDate, b: chrono::NaiveDate| {
        let sql = format!(
            "SELECT COALESCE(category_code, ''), COUNT(*) FROM cases WHERE org_path LIKE '{path}%' \
             AND created_at >= {} AND created_at < {} AND kind IN ('appeal', 'incident') \
             GROUP BY category_code",
            day_ms(a),
            day_ms(b)
        );
        let db = &app.db;
        async move {
            db.query_all_raw(sea_orm::Statement::from_string(
                db.get_database_backend(),
                sql,
            ))
            .await
            .expect("categories")
            .iter()
            .map(|r| {
                (
                    r.try_get_by_index::<String>(0).expect("code"),
                    r.try_get_by_index::<i64>(1).expect("n"),
                )
            })
            .collect::<BTreeMap<String, i64>>()
        }
    };
    let before = first.checked_sub_months(chrono::Months::new(1)).expect("b");
    let this = by_category(first, next).await;
    let last = by_category(before, first).await;
    let mut want: Vec<(String, i64, i64)> = this
        .iter()
        .map(|(k, n)| (k.clone(), *n, last.get(k).copied().unwrap_or(0)))
        .collect();
    want.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    want.truncate(5);
    assert!(!want.is_empty(), "the demo has cases last month");
    let shown: Vec<(String, i64, i64)> = w["topics"]
        .as_array()
        .expect("topics")
        .iter()
        .map(|t| {
            (
                t["category_code"].as_str().expect("code").to_owned(),
                t["count"].as_i64().expect("n"),
                t["last_month"].as_i64().expect("last"),
            )
        })
        .collect();
    assert_eq!(shown, want);
}

#[tokio::test]
async fn the_duty_sees_the_escalations_and_the_wall_shows_no_person() {
    let app = TestApp::spawn().await;
    let zz = app.token("qinghe-zz").await;
    let sj = app.token("liuan-sj").await;
    let admin = app.token("admin").await;
    let today = wangge::infra::clock::today().to_string();
    let me = app
        .int("SELECT id FROM users WHERE username = 'qinghe-zz'")
        .await;
    let secretary = app
        .int("SELECT id FROM users WHERE username = 'liuan-sj'")
        .await;
    // Only the command centre keeps the roster; a person once a day.
    let shift = json!({"day": today, "user_id": me, "leader": true, "note": "带班"});
    let (s, v) = app
        .send(Method::POST, &sj, "/api/v1/stats/duty", shift.clone())
        .await;
    assert_eq!(
        (s, v["error"]["code"].as_str()),
        (StatusCode::BAD_REQUEST, Some("not_keeper")),
        "{v}"
    );
    let (s, v) = app
        .send(Method::POST, &zz, "/api/v1/stats/duty", shift.clone())
        .await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    let (s, v) = app
        .send(Method::POST, &zz, "/api/v1/stats/duty", shift)
        .await;
    assert_eq!(
        (s, v["error"]["code"].as_str()),
        (StatusCode::CONFLICT, Some("shift_twice")),
        "{v}"
    );
    let outsider = app
        .int("SELECT id FROM users WHERE username = 'wangjiang-zz'")
        .await;
    let (s, v) = app
        .send(
            Method::POST,
            &zz,
            "/api/v1/stats/duty",
            json!({"day": today, "user_id": outsider}),
        )
        .await;
    assert_eq!(
        (s, v["error"]["code"].as_str()),
        (StatusCode::BAD_REQUEST, Some("bad_person")),
        "{v}"
    );
    let (s, v) = app
        .send(
            Method::POST,
            &zz,
            "/api/v1/stats/duty",
            json!({"day": "2020-01-01", "user_id": secretary}),
        )
        .await;
    assert_eq!(
        (s, v["error"]["code"].as_str()),
        (StatusCode::BAD_REQUEST, Some("past_day")),
        "{v}"
    );
    // The community escalates a report: the duty is told in the same transaction, and sees it.
    let (s, c) = app
        .send(
            Method::POST,
            &sj,
            "/api/v1/cases",
            json!({"title": "多个小区停水", "description": "管网问题，社区协调不了", "category": "WY02", "org_id": app.node_id(&admin, "33019900100101").await}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{c}");
    let id = c["id"].as_i64().expect("id");
    let unread = app
        .int(&format!(
            "SELECT COUNT(*) FROM notifications WHERE user_id = {me} AND kind = 'duty_escalate'"
        ))
        .await;
    app.act(
        &sj,
        id,
        json!({"action": "escalate", "text": "涉及多个小区，请街道统筹"}),
    )
    .await;
    assert_eq!(
        app.int(&format!("SELECT COUNT(*) FROM notifications WHERE user_id = {me} AND kind = 'duty_escalate' AND case_id = {id}"))
            .await,
        unread + 1
    );
    let (_, d) = app.get(&zz, "/api/v1/stats/dashboard?preset=today").await;
    assert_eq!(d["duty"]["caller_on_duty"], true, "{}", d["duty"]);
    assert_eq!(d["duty"]["escalations"][0]["case_id"], id);
    assert_eq!(d["duty"]["shifts"][0]["leader"], true);
    // The community that escalated sees its own escalation; another community sees none.
    let (_, mine) = app.get(&sj, "/api/v1/stats/dashboard?preset=today").await;
    assert_eq!(
        mine["duty"]["escalations"][0]["case_id"], id,
        "{}",
        mine["duty"]
    );
    let fl = app.token("fenglin-sj").await;
    let (_, theirs) = app.get(&fl, "/api/v1/stats/dashboard?preset=today").await;
    assert_eq!(theirs["duty"]["escalations"], json!([]));
    let (_, r) = app.get(&zz, "/api/v1/stats/duty").await;
    assert!(
        r["days"]
            .as_array()
            .expect("days")
            .iter()
            .any(|x| x["today"] == true && x["shifts"].as_array().is_some_and(|s| s.len() == 1))
    );
    // Another street sees neither the roster nor the escalation.
    let other = app.node_id(&admin, "330199002000").await;
    assert_eq!(
        app.get(&zz, &format!("/api/v1/stats/duty?org={other}"))
            .await
            .0,
        StatusCode::NOT_FOUND
    );
    // The wall: numbers and places, no person's name or phone, no case title.
    let mut b = Browser::new(&app);
    b.login("qinghe-zz").await;
    let (s, page) = b.get("/stats/screen").await;
    assert_eq!(s, StatusCode::OK);
    assert!(page.contains("http-equiv=\"refresh\""));
    assert!(page.contains("超期"));
    let names: Vec<String> = app
        .db
        .query_all_raw(sea_orm::Statement::from_string(
            app.db.get_database_backend(),
            "SELECT display_name FROM users UNION SELECT name FROM residents UNION SELECT title FROM cases UNION SELECT reporter_name FROM cases".to_owned(),
        ))
        .await
        .expect("names")
        .into_iter()
        .filter_map(|r| r.try_get_by_index::<String>(0).ok())
        .filter(|n| n.chars().count() >= 2)
        .collect();
    for n in &names {
        assert!(!page.contains(n.as_str()), "the wall shows {n}");
    }
    let digits: Vec<char> = page.chars().collect();
    let longest = digits
        .split(|c| !c.is_ascii_digit())
        .map(<[char]>::len)
        .max()
        .unwrap_or(0);
    assert!(longest < 11, "no phone-like number on the wall");
}

#[tokio::test]
async fn the_three_lists_and_the_monthly_report_are_the_rows() {
    let app = TestApp::spawn().await;
    wangge::demo::cases::generate(&app.state, 20261203, 400, 70)
        .await
        .expect("demo cases");
    let sj = app.token("liuan-sj").await;
    let admin = app.token("admin").await;
    let community = app.node_id(&admin, "330199001001").await;
    let path = app
        .text(&format!(
            "SELECT path FROM org_nodes WHERE id = {community}"
        ))
        .await;
    let today = wangge::infra::clock::today();
    let from = today - chrono::Duration::days(40);
    let (a, b) = (day_ms(from), day_ms(today) + DAY);
    let (s, l) = app
        .get(&sj, &format!("/api/v1/stats/lists?from={from}&to={today}"))
        .await;
    assert_eq!(s, StatusCode::OK, "{l}");
    let rs = rows(&app, &path).await;
    let in_period: Vec<&Row> = rs
        .iter()
        .filter(|r| r.created >= a && r.created < b)
        .collect();
    let ids = |k: &str| -> Vec<i64> {
        let mut v: Vec<i64> = l[k]
            .as_array()
            .expect(k)
            .iter()
            .map(|x| x["case_id"].as_i64().expect("id"))
            .collect();
        v.sort_unstable();
        v
    };
    let want = |f: &dyn Fn(&Row) -> bool| -> Vec<i64> {
        let mut v: Vec<i64> = in_period.iter().filter(|r| f(r)).map(|r| r.id).collect();
        v.sort_unstable();
        v
    };
    assert_eq!(ids("problems"), want(&|_| true));
    assert_eq!(ids("tasks"), want(&|r| r.dispatched.is_some()));
    assert_eq!(ids("effects"), want(&|r| r.status == "closed"));
    assert!(!l["problems"].as_array().expect("p").is_empty());
    // Every task and effect is of a problem of the list (linked by the case).
    let problems = ids("problems");
    assert!(
        ids("tasks")
            .iter()
            .chain(ids("effects").iter())
            .all(|i| problems.contains(i))
    );
    // The workbook holds the same problems.
    let mut browser = Browser::new(&app);
    browser.login("liuan-sj").await;
    let bytes = app
        .client
        .get(app.url(&format!("/stats/lists.xlsx?from={from}&to={today}")))
        .header(reqwest::header::COOKIE, browser.cookie_header())
        .send()
        .await
        .expect("xlsx")
        .bytes()
        .await
        .expect("bytes");
    let sheet = wangge::web::xlsx::read_rows(&bytes).expect("workbook");
    assert_eq!(
        sheet.len(),
        problems.len() + 1,
        "a header and a row a problem"
    );
    assert_eq!(sheet[0][0], "案件编号");
    // The monthly report: the month's figures are the dashboard's for the month, the handlers
    // the recount of the dispatched cases by their handler.
    let last = today
        .checked_sub_months(chrono::Months::new(1))
        .expect("last");
    let month = last.format("%Y-%m").to_string();
    let first = chrono::NaiveDate::parse_from_str(&format!("{month}-01"), "%Y-%m-%d").expect("m");
    let end =
        first.checked_add_months(chrono::Months::new(1)).expect("n") - chrono::Duration::days(1);
    let (s, r) = app
        .get(&sj, &format!("/api/v1/stats/report?month={month}"))
        .await;
    assert_eq!(s, StatusCode::OK, "{r}");
    let (_, d) = app
        .get(
            &sj,
            &format!("/api/v1/stats/dashboard?from={first}&to={end}"),
        )
        .await;
    assert_eq!(r["this"]["reported"], d["reported"]);
    assert_eq!(r["this"]["handling"]["rated"], d["handling"]["rated"]);
    let (ma, mb) = (day_ms(first), day_ms(end) + DAY);
    let mut by: BTreeMap<String, u64> = BTreeMap::new();
    for x in rs
        .iter()
        .filter(|x| x.dispatched.is_some_and(|t| t >= ma && t < mb))
    {
        let name = app
            .text(&format!(
                "SELECT assignee_name FROM cases WHERE id = {}",
                x.id
            ))
            .await;
        *by.entry(if name.is_empty() {
            "（未记名）".into()
        } else {
            name
        })
        .or_default() += 1;
    }
    for h in r["handlers"].as_array().expect("handlers") {
        assert_eq!(
            h["dispatched"],
            json!(
                by.get(h["name"].as_str().expect("name"))
                    .copied()
                    .unwrap_or(0)
            ),
            "{h}"
        );
    }
    assert!(
        r["ranking"]["rows"]
            .as_array()
            .is_some_and(|x| !x.is_empty()),
        "a community ranks its grids"
    );
    let (s, page) = browser.get(&format!("/stats/report?month={month}")).await;
    assert_eq!(s, StatusCode::OK);
    assert!(page.contains("一、工作情况") && page.contains("五、办理"));
}

/// The people tallies (m0027's triggers) as they are, without the zeros.
async fn tallies(db: &impl ConnectionTrait) -> BTreeMap<(String, String), i64> {
    db.query_all_raw(sea_orm::Statement::from_string(
        db.get_database_backend(),
        "SELECT org_path, metric, n FROM org_tallies WHERE n <> 0",
    ))
    .await
    .expect("tallies")
    .iter()
    .map(|r| {
        let text = |i| r.try_get_by_index::<String>(i).expect("text");
        ((text(0), text(1)), r.try_get_by_index::<i64>(2).expect("n"))
    })
    .collect()
}

/// The same figures counted here from the raw rows, by their definitions.
async fn people_recount(db: &impl ConnectionTrait) -> BTreeMap<(String, String), i64> {
    let all = |sql: &'static str| async move {
        db.query_all_raw(sea_orm::Statement::from_string(
            db.get_database_backend(),
            sql,
        ))
        .await
        .expect(sql)
    };
    let mut want: BTreeMap<(String, String), i64> = BTreeMap::new();
    let mut place: BTreeMap<i64, String> = BTreeMap::new();
    for r in all("SELECT id, org_path, status FROM residents").await {
        let (id, path, status): (i64, String, String) = (
            r.try_get_by_index(0).expect("id"),
            r.try_get_by_index(1).expect("path"),
            r.try_get_by_index(2).expect("status"),
        );
        if status == "active" {
            *want.entry((path.clone(), "residents".into())).or_default() += 1;
            place.insert(id, path);
        }
    }
    for r in all("SELECT resident_id, tag_id FROM resident_tags").await {
        let (rid, tag): (i64, i64) = (
            r.try_get_by_index(0).expect("resident"),
            r.try_get_by_index(1).expect("tag"),
        );
        if let Some(path) = place.get(&rid) {
            *want
                .entry((path.clone(), format!("tag:{tag}")))
                .or_default() += 1;
        }
    }
    let linked: std::collections::BTreeSet<i64> =
        all("SELECT household_id FROM party_links WHERE kind = 'member' AND status = 'active'")
            .await
            .iter()
            .map(|r| r.try_get_by_index(0).expect("household"))
            .collect();
    for r in all("SELECT id, org_path, status FROM households").await {
        let (id, path, status): (i64, String, String) = (
            r.try_get_by_index(0).expect("id"),
            r.try_get_by_index(1).expect("path"),
            r.try_get_by_index(2).expect("status"),
        );
        if status == "active" {
            *want.entry((path.clone(), "households".into())).or_default() += 1;
            if linked.contains(&id) {
                *want.entry((path, "households_linked".into())).or_default() += 1;
            }
        }
    }
    want
}

/// The people figures the dashboard and the ranking read are tallies kept by triggers in the
/// transaction of each change. After a random workload of every kind of write — residents
/// added, removed, moved, moving in and out of the register; tags given, taken and changed;
/// households moved and closed; member links made, ended, moved and deleted; whole places
/// rewritten at once; a transaction rolled back — they equal a recount from the raw rows.
#[tokio::test]
async fn people_tallies_are_the_recount_after_a_random_workload() {
    let app = TestApp::spawn().await;
    let sj = app.token("liuan-sj").await;
    let building = app.building_in("33019900100101").await;
    let (h1, r1) = app
        .household_with_head(
            &sj,
            building,
            "丙三",
            &id_number((1960, 1, 2), 21),
            json!({}),
        )
        .await;
    let (h2, _) = app
        .household_with_head(
            &sj,
            building,
            "丁四",
            &id_number((1970, 7, 8), 22),
            json!({}),
        )
        .await;
    assert_eq!(
        tallies(&app.db).await,
        people_recount(&app.db).await,
        "after the forms"
    );
    let db = &app.db;
    let paths: Vec<String> = db
        .query_all_raw(sea_orm::Statement::from_string(
            db.get_database_backend(),
            "SELECT path FROM org_nodes WHERE level = 'building' ORDER BY id",
        ))
        .await
        .expect("buildings")
        .iter()
        .map(|r| r.try_get_by_index::<String>(0).expect("path"))
        .step_by(7)
        .take(6)
        .collect();
    assert!(paths.len() >= 4, "{paths:?}");
    let tags: Vec<i64> = db
        .query_all_raw(sea_orm::Statement::from_string(
            db.get_database_backend(),
            "SELECT id FROM tags ORDER BY id",
        ))
        .await
        .expect("tags")
        .iter()
        .map(|r| r.try_get_by_index::<i64>(0).expect("id"))
        .take(4)
        .collect();
    let mut seed: u64 = 0x5eed_2026_1201;
    let mut next = move |n: usize| {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        (seed % n as u64) as usize
    };
    let (mut residents, mut households) = (vec![r1], vec![h1, h2]);
    let mut made = 0;
    for step in 0..240 {
        let r = residents[next(residents.len())];
        let h = households[next(households.len())];
        let p = &paths[next(paths.len())];
        let q = &paths[next(paths.len())];
        let t = tags[next(tags.len())];
        let t2 = tags[next(tags.len())];
        let sql = match next(14) {
            0 => {
                made += 1;
                format!(
                    "INSERT INTO residents (household_id, org_path, name, initials, gender, birth_date, \
                     ethnicity, id_sealed, id_blind, id_tail, phone_sealed, phone_blind, phone_tail, residence, \
                     political, relation, work_unit, note, status, version, created_at, updated_at) \
                     SELECT {h}, '{p}', name, initials, gender, birth_date, ethnicity, id_sealed, \
                     -{made}, id_tail, phone_sealed, phone_blind, phone_tail, residence, political, 'son', \
                     work_unit, note, '{}', 1, created_at, updated_at FROM residents WHERE id = {r1}",
                    ["active", "moved_out"][next(2)]
                )
            }
            1 => format!(
                "UPDATE residents SET status = CASE WHEN status = 'active' THEN 'moved_out' \
                 ELSE 'active' END WHERE id = {r}"
            ),
            2 => format!("UPDATE residents SET org_path = '{p}' WHERE id = {r}"),
            3 => format!("INSERT INTO resident_tags (resident_id, tag_id) VALUES ({r}, {t})"),
            4 => format!("DELETE FROM resident_tags WHERE resident_id = {r} AND tag_id = {t}"),
            5 => format!(
                "UPDATE resident_tags SET tag_id = {t2} WHERE resident_id = {r} AND tag_id = {t}"
            ),
            6 => format!(
                "INSERT INTO households (building_id, org_path, room, address, kind, head_id, note, status, \
                 version, created_at, updated_at) SELECT building_id, '{p}', room || '-{step}', address, \
                 kind, NULL, note, 'active', 1, created_at, updated_at FROM households WHERE id = {h1}"
            ),
            7 => format!(
                "UPDATE households SET status = CASE WHEN status = 'active' THEN 'removed' \
                 ELSE 'active' END, org_path = CASE WHEN {step} % 3 = 0 THEN '{p}' ELSE org_path END \
                 WHERE id = {h}"
            ),
            8 => {
                // Two member links of one household in one statement.
                let a = next(3) + 1;
                format!(
                    "INSERT INTO party_links (kind, household_id, holder_id, org_path, status, actor_name, \
                     created_at) VALUES ('member', {h}, {a}, '{p}', 'active', '测试', 0), \
                     ('member', {h}, {}, '{p}', 'active', '测试', 0)",
                    a + 3
                )
            }
            9 => format!(
                "INSERT INTO party_links (kind, household_id, holder_id, org_path, status, actor_name, created_at) \
                 VALUES ('{}', {h}, {}, '{p}', 'active', '测试', 0)",
                ["member", "member", "worker"][next(3)],
                next(3) + 1
            ),
            10 => format!(
                "UPDATE party_links SET status = CASE WHEN status = 'active' THEN 'ended' ELSE 'active' END \
                 WHERE id IN (SELECT id FROM party_links WHERE household_id = {h})"
            ),
            11 => format!(
                "UPDATE party_links SET household_id = {} WHERE household_id = {h}",
                households[next(households.len())]
            ),
            12 => format!(
                "DELETE FROM party_links WHERE household_id = {h} AND holder_id = {}",
                next(3) + 1
            ),
            _ => match next(3) {
                // A whole place at once, as a move of the tree rewrites it.
                0 => format!("UPDATE residents SET org_path = '{q}' WHERE org_path = '{p}'"),
                1 => format!("UPDATE households SET org_path = '{q}' WHERE org_path = '{p}'"),
                _ => format!("DELETE FROM residents WHERE id = {r} AND id <> {r1}"),
            },
        };
        // A refused statement (a second live head, a tag twice) changes nothing.
        let _ = db.execute_unprepared(&sql).await;
        if step % 40 == 39 {
            // Changes rolled back leave the tallies as they were.
            let before = tallies(db).await;
            use sea_orm::TransactionTrait;
            let txn = db.begin().await.expect("begin");
            for sql in [
                format!(
                    "INSERT INTO households (building_id, org_path, room, address, kind, head_id, note, \
                     status, version, created_at, updated_at) SELECT building_id, '{q}', room || '-x{step}', \
                     address, kind, NULL, note, 'active', 1, created_at, updated_at FROM households \
                     WHERE id = {h1}"
                ),
                format!("UPDATE residents SET status = 'moved_out' WHERE id = {r}"),
                format!("DELETE FROM resident_tags WHERE resident_id = {r}"),
                format!("UPDATE households SET org_path = '{q}' WHERE id = {h}"),
                format!("DELETE FROM party_links WHERE household_id = {h}"),
            ] {
                txn.execute_unprepared(&sql)
                    .await
                    .expect("in the transaction");
            }
            assert_ne!(
                tallies(&txn).await,
                before,
                "the transaction sees its own changes"
            );
            assert_eq!(
                tallies(&txn).await,
                people_recount(&txn).await,
                "inside, step {step}"
            );
            txn.rollback().await.expect("rollback");
            assert_eq!(tallies(db).await, before, "rolled back, step {step}");
            assert_eq!(tallies(db).await, people_recount(db).await, "step {step}");
        }
        residents = db
            .query_all_raw(sea_orm::Statement::from_string(
                db.get_database_backend(),
                "SELECT id FROM residents ORDER BY id",
            ))
            .await
            .expect("residents")
            .iter()
            .map(|x| x.try_get_by_index::<i64>(0).expect("id"))
            .collect();
        households = db
            .query_all_raw(sea_orm::Statement::from_string(
                db.get_database_backend(),
                "SELECT id FROM households ORDER BY id",
            ))
            .await
            .expect("households")
            .iter()
            .map(|x| x.try_get_by_index::<i64>(0).expect("id"))
            .collect();
    }
    let end = tallies(db).await;
    assert_eq!(end, people_recount(db).await, "at the end");
    assert!(end.keys().any(|k| k.1 == "households_linked"), "{end:?}");
    assert!(end.keys().any(|k| k.1.starts_with("tag:")), "{end:?}");
    assert!(made > 5, "the workload added residents: {made}");
}

/// `wangge demo --reset` makes the schema afresh (`Migrator::fresh`: every table dropped, then
/// every migration again). PostgreSQL keeps the tallies' trigger functions when their tables go,
/// so making them again must replace them — and the tallies work afterwards.
#[tokio::test]
async fn the_schema_is_made_afresh_with_its_tallies() {
    use sea_orm_migration::MigratorTrait;
    let dir = tempfile::tempdir().expect("dir");
    let (_, _, db) = crate::support::fresh_db(dir.path()).await;
    wangge::app::migrate(&db).await.expect("migrate");
    wangge::infra::db::migrations::Migrator::fresh(&db)
        .await
        .expect("made afresh a second time");
    db.execute_unprepared(
        "INSERT INTO households (building_id, org_path, room, address, kind, head_id, note, status, \
         version, created_at, updated_at) VALUES (1, '/1/2/', '1-101', '', 'family', NULL, '', \
         'active', 1, 0, 0)",
    )
    .await
    .expect("a household");
    assert_eq!(
        tallies(&db).await,
        BTreeMap::from([(("/1/2/".to_owned(), "households".to_owned()), 1)])
    );
    assert_eq!(tallies(&db).await, people_recount(&db).await);
}
