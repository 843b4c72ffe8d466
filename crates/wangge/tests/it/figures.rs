//! Every figure of `/api/v1/stats/cases` against an independent recount from the raw rows, on
//! the demo's months of cases in every state, for the district, a street and a community, over
//! a fixed period (never "this month", which moves under a test at midnight).

use crate::support::TestApp;
use sea_orm::ConnectionTrait;
use serde_json::Value;

/// One case as the recount reads it.
struct Row {
    kind: String,
    path: String,
    status: String,
    created: i64,
    dispatched: Option<i64>,
    acknowledged: Option<i64>,
    response_due: Option<i64>,
    fed_back: Option<i64>,
    handle_due: Option<i64>,
    rated: Option<i64>,
    contacted: Option<bool>,
    solved: Option<bool>,
    satisfaction: Option<String>,
    closed: Option<i64>,
}

async fn rows(app: &TestApp) -> Vec<Row> {
    let all = app
        .db
        .query_all_raw(sea_orm::Statement::from_string(
            app.db.get_database_backend(),
            "SELECT kind, org_path, status, created_at, dispatched_at, acknowledged_at, response_due, \
             fed_back_at, handle_due, rated_at, contacted, solved, satisfaction, closed_at FROM cases",
        ))
        .await
        .expect("cases");
    all.iter()
        .map(|r| Row {
            kind: r.try_get("", "kind").expect("kind"),
            path: r.try_get("", "org_path").expect("path"),
            status: r.try_get("", "status").expect("status"),
            created: r.try_get("", "created_at").expect("created"),
            dispatched: r.try_get("", "dispatched_at").expect("dispatched"),
            acknowledged: r.try_get("", "acknowledged_at").expect("ack"),
            response_due: r.try_get("", "response_due").expect("response_due"),
            fed_back: r.try_get("", "fed_back_at").expect("fed back"),
            handle_due: r.try_get("", "handle_due").expect("handle_due"),
            rated: r.try_get("", "rated_at").expect("rated"),
            contacted: r.try_get("", "contacted").expect("contacted"),
            solved: r.try_get("", "solved").expect("solved"),
            satisfaction: r.try_get("", "satisfaction").expect("satisfaction"),
            closed: r.try_get("", "closed_at").expect("closed"),
        })
        // The case loop's figures are of appeals and incidents (errands have their own).
        .filter(|r: &Row| r.kind == "appeal" || r.kind == "incident")
        .collect()
}

/// Beijing midnight of a `YYYY-MM-DD` day, in ms.
fn day_ms(d: &str) -> i64 {
    chrono::NaiveDate::parse_from_str(d, "%Y-%m-%d")
        .expect("day")
        .and_hms_opt(0, 0, 0)
        .expect("midnight")
        .and_utc()
        .timestamp_millis()
        - 8 * 3600 * 1000
}

fn count(rows: &[&Row], f: impl Fn(&Row) -> bool) -> u64 {
    rows.iter().filter(|r| f(r)).count() as u64
}

fn rate(n: u64, d: u64) -> Value {
    if d == 0 {
        Value::Null
    } else {
        serde_json::json!(n as f64 / d as f64)
    }
}

fn close(a: &Value, b: &Value) -> bool {
    match (a.as_f64(), b.as_f64()) {
        (Some(x), Some(y)) => (x - y).abs() < 1e-9,
        _ => a.is_null() && b.is_null(),
    }
}

#[tokio::test]
async fn every_figure_matches_a_recount_from_the_raw_rows() {
    let app = TestApp::spawn().await;
    let made = wangge::demo::cases::generate(&app.state, 20261122, 600, 90)
        .await
        .expect("demo cases");
    assert!(made >= 600);
    // Errands in every state beside them, which the case loop's figures leave out.
    let jm = app.token("jm-liuan").await;
    let gw = app.token("wgy-liuan-1").await;
    let building = app.building_in("33019900100101").await;
    for step in 0..4 {
        let (s, e) = app
            .send(
                reqwest::Method::POST,
                &jm,
                "/api/v1/cases",
                serde_json::json!({"kind": "errand", "category": "DB01", "building_id": building, "title": "帮忙办社保认证", "description": "老人不会在手机上做社保认证"}),
            )
            .await;
        assert_eq!(s, reqwest::StatusCode::CREATED, "{e}");
        let id = e["id"].as_i64().expect("id");
        if step >= 1 {
            app.act(&gw, id, serde_json::json!({"action": "take"}))
                .await;
        }
        if step >= 2 {
            app.act(
                &gw,
                id,
                serde_json::json!({"action": "finish", "text": "已办好"}),
            )
            .await;
        }
        if step >= 3 {
            app.act(
                &jm,
                id,
                serde_json::json!({"action": "confirm", "passed": true}),
            )
            .await;
        }
    }
    let all = rows(&app).await;
    // A fixed period: the whole span of the cases, and a window inside it.
    let days = |ms: i64| {
        chrono::DateTime::from_timestamp_millis(ms + 8 * 3600 * 1000)
            .expect("time")
            .date_naive()
            .to_string()
    };
    let first = days(all.iter().map(|r| r.created).min().expect("cases"));
    let last = days(chrono::Utc::now().timestamp_millis());
    let middle = days(all.iter().map(|r| r.created).min().expect("cases") + 30 * 86_400_000);
    let middle_end = days(all.iter().map(|r| r.created).min().expect("cases") + 60 * 86_400_000);
    let zz = app.token("district-zz").await;
    let admin = app.token("admin").await;
    let qinghe = app.node_id(&admin, "330199001000").await;
    let liuan = app.node_id(&admin, "330199001001").await;
    let district = app.node_id(&admin, "330199").await;
    let mut checked = 0;
    for (org, from, to) in [
        (district, first.as_str(), last.as_str()),
        (qinghe, first.as_str(), last.as_str()),
        (liuan, first.as_str(), last.as_str()),
        (qinghe, middle.as_str(), middle_end.as_str()),
    ] {
        let path = app
            .text(&format!("SELECT path FROM org_nodes WHERE id = {org}"))
            .await;
        let mine: Vec<&Row> = all.iter().filter(|r| r.path.starts_with(&path)).collect();
        let (t0, t1) = (day_ms(from), day_ms(to) + 86_400_000);
        let inside = |t: Option<i64>| t.is_some_and(|t| t >= t0 && t < t1);
        let before = chrono::Utc::now().timestamp_millis();
        let (s, v) = app
            .get(
                &zz,
                &format!("/api/v1/stats/cases?org={org}&from={from}&to={to}"),
            )
            .await;
        let after = chrono::Utc::now().timestamp_millis();
        assert_eq!(s, reqwest::StatusCode::OK, "{v}");
        let what = format!("{path} {from}..{to}");
        assert_eq!(
            (v["from"].as_str(), v["to"].as_str()),
            (Some(from), Some(to))
        );
        // Reported in the period, and of those, by status now.
        let reported: Vec<&Row> = mine
            .iter()
            .copied()
            .filter(|r| inside(Some(r.created)))
            .collect();
        assert_eq!(
            v["reported"].as_u64(),
            Some(reported.len() as u64),
            "reported, {what}"
        );
        let by: Vec<(String, u64)> = v["by_status"]
            .as_array()
            .expect("by status")
            .iter()
            .map(|x| {
                (
                    x[0].as_str().expect("status").to_owned(),
                    x[2].as_u64().expect("n"),
                )
            })
            .collect();
        for (status, n) in &by {
            assert_eq!(
                *n,
                count(&reported, |r| &r.status == status),
                "{status}, {what}"
            );
        }
        assert_eq!(by.iter().map(|x| x.1).sum::<u64>(), reported.len() as u64);
        // Dispatched in the period; acknowledged within the response limit; fed back within the
        // handling limit, of those whose limit has passed or that were fed back.
        let dispatched: Vec<&Row> = mine
            .iter()
            .copied()
            .filter(|r| inside(r.dispatched))
            .collect();
        let on_time =
            |at: Option<i64>, due: Option<i64>| matches!((at, due), (Some(a), Some(d)) if a <= d);
        let acked = count(&dispatched, |r| on_time(r.acknowledged, r.response_due));
        assert_eq!(
            v["dispatched"].as_u64(),
            Some(dispatched.len() as u64),
            "dispatched, {what}"
        );
        assert_eq!(
            v["acknowledged_on_time"].as_u64(),
            Some(acked),
            "acknowledged on time, {what}"
        );
        assert!(
            close(
                &v["ack_on_time_rate"],
                &rate(acked, dispatched.len() as u64)
            ),
            "{what}"
        );
        let due_by = |now: i64| {
            count(&dispatched, |r| {
                r.fed_back.is_some() || r.handle_due.is_some_and(|d| d < now)
            })
        };
        let due = v["handling_due"].as_u64().expect("handling due");
        assert!(
            (due_by(before)..=due_by(after)).contains(&due),
            "handling due {due}, recount {}..{}, {what}",
            due_by(before),
            due_by(after)
        );
        let handled = count(&dispatched, |r| on_time(r.fed_back, r.handle_due));
        assert_eq!(
            v["handled_on_time"].as_u64(),
            Some(handled),
            "handled on time, {what}"
        );
        assert!(
            close(&v["handle_on_time_rate"], &rate(handled, due)),
            "{what}"
        );
        // The three rates, over cases rated in the period.
        let rated: Vec<&Row> = mine.iter().copied().filter(|r| inside(r.rated)).collect();
        let n = rated.len() as u64;
        let sat = count(&rated, |r| r.satisfaction.as_deref() == Some("satisfied"));
        let basic = count(&rated, |r| r.satisfaction.as_deref() == Some("basic"));
        assert_eq!(v["rates"]["rated"].as_u64(), Some(n), "rated, {what}");
        assert_eq!(
            (
                v["satisfied"].as_u64(),
                v["basic"].as_u64(),
                v["dissatisfied"].as_u64()
            ),
            (Some(sat), Some(basic), Some(n - sat - basic)),
            "{what}"
        );
        let contacted = count(&rated, |r| r.contacted == Some(true));
        let solved = count(&rated, |r| r.solved == Some(true));
        assert!(
            close(&v["rates"]["response"], &rate(contacted, n)),
            "响应率, {what}"
        );
        assert!(
            close(&v["rates"]["resolution"], &rate(solved, n)),
            "解决率, {what}"
        );
        let satisfaction = if n == 0 {
            Value::Null
        } else {
            serde_json::json!((sat as f64 + 0.9 * basic as f64) / n as f64)
        };
        assert!(
            close(&v["rates"]["satisfaction"], &satisfaction),
            "满意率, {what}"
        );
        // Closed in the period, and their average time from report to close.
        let closed: Vec<&Row> = mine.iter().copied().filter(|r| inside(r.closed)).collect();
        assert_eq!(
            v["closed"].as_u64(),
            Some(closed.len() as u64),
            "closed, {what}"
        );
        let avg = if closed.is_empty() {
            Value::Null
        } else {
            let total: i64 = closed
                .iter()
                .map(|r| r.closed.unwrap_or(0) - r.created)
                .sum();
            serde_json::json!(total as f64 / closed.len() as f64 / 3_600_000.0)
        };
        assert!(
            close(&v["avg_hours_to_close"], &avg),
            "average hours to close, {what}: {} vs {avg}",
            v["avg_hours_to_close"]
        );
        // The figures are not all zero: this recount compares something.
        if org == district && from == first {
            assert!(
                dispatched.len() > 100 && acked > 0 && handled > 0 && n > 50,
                "{v}"
            );
        }
        checked += 1;
    }
    assert_eq!(checked, 4);
}
