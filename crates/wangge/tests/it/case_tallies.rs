//! The case tallies (m0028, m0030) that the dashboard reads are kept by the database in the
//! transaction of each change: after a random workload of every kind of write on cases and on
//! the decisions that exclude them, they equal a recount from the raw rows made here, by the
//! definitions, on both databases.

use crate::support::TestApp;
use sea_orm::{ConnectionTrait, TransactionTrait};
use std::collections::BTreeMap;

type Tally = BTreeMap<(i64, i64, String), i64>;

fn stmt(db: &impl ConnectionTrait, sql: &str) -> sea_orm::Statement {
    sea_orm::Statement::from_string(db.get_database_backend(), sql)
}

async fn tallies(db: &impl ConnectionTrait) -> Tally {
    db.query_all_raw(stmt(
        db,
        "SELECT node_id, day, metric, n FROM case_tallies WHERE n <> 0",
    ))
    .await
    .expect("tallies")
    .iter()
    .map(|r| {
        (
            (
                r.try_get_by_index::<i64>(0).expect("node"),
                r.try_get_by_index::<i64>(1).expect("day"),
                r.try_get_by_index::<String>(2).expect("metric"),
            ),
            r.try_get_by_index::<i64>(3).expect("n"),
        )
    })
    .collect()
}

/// Beijing day of a time in ms.
fn day(ms: i64) -> i64 {
    (ms + 8 * 3_600_000).div_euclid(86_400_000)
}

/// The figures counted from the raw rows, by the definitions in `infra::db::case_tallies`.
async fn recount(db: &impl ConnectionTrait) -> Tally {
    let excluded: Vec<i64> = db
        .query_all_raw(stmt(
            db,
            "SELECT case_id FROM case_exclusions WHERE status = 'approved'",
        ))
        .await
        .expect("exclusions")
        .iter()
        .map(|r| r.try_get_by_index::<i64>(0).expect("id"))
        .collect();
    let rows = db
        .query_all_raw(stmt(
            db,
            "SELECT id, kind, org_path, source, category_code, status, created_at, rated_at, \
             contacted, solved, satisfaction, dispatched_at, acknowledged_at, ack_late, \
             fed_back_at, handle_late, closed_at FROM cases",
        ))
        .await
        .expect("cases");
    let mut t = Tally::new();
    for r in &rows {
        let text = |i| r.try_get_by_index::<Option<String>>(i).expect("text");
        let time = |i| r.try_get_by_index::<Option<i64>>(i).expect("time");
        let flag = |i| r.try_get_by_index::<Option<bool>>(i).expect("flag") == Some(true);
        let kind = text(1).unwrap_or_default();
        if kind != "appeal" && kind != "incident" {
            continue;
        }
        let nodes: Vec<i64> = text(2)
            .unwrap_or_default()
            .split('/')
            .filter(|s| !s.is_empty())
            .map(|s| s.parse().expect("id"))
            .collect();
        let mut add = |at: i64, metric: String, n: i64| {
            for &node in &nodes {
                *t.entry((node, day(at), metric.clone())).or_default() += n;
            }
        };
        let created = time(6).expect("created");
        add(created, format!("src:{}", text(3).unwrap_or_default()), 1);
        add(created, format!("cat:{}", text(4).unwrap_or_default()), 1);
        add(created, format!("kind:{kind}"), 1);
        add(
            created,
            format!("status:{}", text(5).unwrap_or_default()),
            1,
        );
        let ex = excluded.contains(&r.try_get_by_index::<i64>(0).expect("id"));
        if let Some(rated) = time(7) {
            if ex {
                add(rated, "excluded".into(), 1);
            } else {
                let satisfaction = text(10).unwrap_or_default();
                add(rated, "rated".into(), 1);
                add(rated, "contacted".into(), i64::from(flag(8)));
                add(rated, "solved".into(), i64::from(flag(9)));
                add(
                    rated,
                    "satisfied".into(),
                    i64::from(satisfaction == "satisfied"),
                );
                add(rated, "basic".into(), i64::from(satisfaction == "basic"));
            }
        }
        if let (Some(sent), false) = (time(11), ex) {
            add(sent, "dispatched".into(), 1);
            if let Some(ack) = time(12) {
                add(sent, "acknowledged".into(), 1);
                add(sent, "ack_ms".into(), ack - sent);
                let late = r.try_get_by_index::<Option<bool>>(13).expect("late");
                add(sent, "ack_on_time".into(), i64::from(late == Some(false)));
            }
            if time(14).is_some() {
                add(sent, "fed_back".into(), 1);
                let late = r.try_get_by_index::<Option<bool>>(15).expect("late");
                add(sent, "on_time".into(), i64::from(late == Some(false)));
            }
        }
        if let Some(closed) = time(16) {
            add(closed, "closed".into(), 1);
            add(closed, "closed_ms".into(), closed - created);
        }
        // Open now: the loop's states before a final one, on no day (-1).
        if crate::support::OPEN_STATUSES.contains(&text(5).unwrap_or_default().as_str()) {
            for &node in &nodes {
                *t.entry((node, -1, "open".into())).or_default() += 1;
            }
        }
    }
    t.retain(|_, n| *n != 0);
    t
}

/// Every column of a case but its id, to copy one.
const COLUMNS: &str = "kind, title, description, category_code, source, status, version, \
    org_id, org_path, building_id, lat, lng, address, located, dispatch_org_id, dispatch_path, \
    assignee_org_id, assignee_dept_id, assignee_path, assignee_name, assignee_user_id, route_org_id, \
    route_dept_id, route_reason, suggested_category, suggested_method, suggested_score, \
    suggested_words, reporter_id, reporter_name, reporter_phone, reporter_phone_blind, anonymous, \
    created_at, updated_at, dispatched_at, response_due, handle_due, acknowledged_at, fed_back_at, \
    closed_at, ack_late, handle_late, reworks_after_rating, extension_pending, extension_days, \
    supervised, reminded_at, urged_at, rated_at, contacted, solved, satisfaction, rating_comment";

async fn ids(db: &impl ConnectionTrait, sql: &str) -> Vec<i64> {
    db.query_all_raw(stmt(db, sql))
        .await
        .expect("ids")
        .iter()
        .map(|r| r.try_get_by_index::<i64>(0).expect("id"))
        .collect()
}

#[tokio::test]
async fn case_tallies_are_the_recount_after_a_random_workload() {
    let app = TestApp::spawn().await;
    let db = &app.db;
    // The demo's history of cases, every step through the engine.
    wangge::demo::cases::generate(&app.state, 20261204, 300, 60)
        .await
        .expect("demo cases");
    let start = tallies(db).await;
    assert!(start.len() > 100, "the demo has cases: {}", start.len());
    assert_eq!(start, recount(db).await, "the demo");
    // Through the API too: a report written by intake.
    let sj = app.token("liuan-sj").await;
    let building = app.building_in("33019900100101").await;
    let (status, body) = app
        .send(
            reqwest::Method::POST,
            &sj,
            "/api/v1/cases",
            serde_json::json!({"title": "楼道堆放杂物", "description": "三单元楼道堆满纸箱",
                "category": "WY02", "building_id": building}),
        )
        .await;
    assert_eq!(status, reqwest::StatusCode::CREATED, "{body}");
    assert_eq!(tallies(db).await, recount(db).await, "after the API");

    let paths: Vec<String> = db
        .query_all_raw(stmt(
            db,
            "SELECT path FROM org_nodes WHERE level IN ('grid', 'building') ORDER BY id",
        ))
        .await
        .expect("paths")
        .iter()
        .map(|r| r.try_get_by_index::<String>(0).expect("path"))
        .step_by(5)
        .take(6)
        .collect();
    assert!(paths.len() >= 4, "{paths:?}");
    let first = ids(db, "SELECT MIN(id) FROM cases").await[0];
    let mut seed: u64 = 0x7a11_1e5c_2026;
    let mut next = move |n: usize| {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        (seed % n as u64) as usize
    };
    let day_ms = 86_400_000_i64;
    let mut cases = ids(db, "SELECT id FROM cases ORDER BY id").await;
    let mut changed = 0;
    for step in 0..300 {
        let c = cases[next(cases.len())];
        let p = &paths[next(paths.len())];
        let q = &paths[next(paths.len())];
        let shift = (next(5) as i64 - 2) * day_ms;
        let sql = match next(16) {
            0 => format!(
                "INSERT INTO cases (case_no, {COLUMNS}) SELECT case_no || '-w{step}', {} FROM cases WHERE id = {c}",
                COLUMNS.replace("org_path,", &format!("'{p}',")).replace(
                    "kind,",
                    &format!("'{}',", ["appeal", "incident", "task"][next(3)])
                )
            ),
            1 => format!(
                "UPDATE cases SET status = '{}' WHERE id = {c}",
                [
                    "reported",
                    "dispatched",
                    "handling",
                    "fed_back",
                    "closed",
                    "rejected"
                ][next(6)]
            ),
            2 => format!("UPDATE cases SET org_path = '{p}' WHERE id = {c}"),
            3 => format!(
                "UPDATE cases SET rated_at = {}, contacted = {}, solved = {}, satisfaction = '{}' \
                 WHERE id = {c}",
                ["NULL", "created_at + 86400000", "updated_at"][next(3)],
                ["TRUE", "FALSE"][next(2)],
                ["TRUE", "FALSE"][next(2)],
                ["satisfied", "basic", "dissatisfied"][next(3)]
            ),
            4 => format!(
                "UPDATE cases SET dispatched_at = {}, acknowledged_at = {}, ack_late = {} WHERE id = {c}",
                ["NULL", "created_at + 3600000", "created_at"][next(3)],
                ["NULL", "created_at + 7200000"][next(2)],
                ["TRUE", "FALSE"][next(2)]
            ),
            5 => format!(
                "UPDATE cases SET fed_back_at = {}, handle_late = {}, closed_at = {} WHERE id = {c}",
                ["NULL", "created_at + 86400000"][next(2)],
                ["TRUE", "FALSE"][next(2)],
                ["NULL", "created_at + 172800000"][next(2)]
            ),
            6 => format!(
                "UPDATE cases SET created_at = created_at + {shift}, source = '{}', category_code = {} \
                 WHERE id = {c}",
                ["patrol", "hotline", "resident"][next(3)],
                ["category_code", "'0102'", "NULL"][next(3)]
            ),
            7 => format!(
                "UPDATE cases SET kind = '{}' WHERE id = {c}",
                ["appeal", "incident", "task"][next(3)]
            ),
            8 => format!("DELETE FROM cases WHERE id = {c} AND id <> {first}"),
            9 => format!(
                "INSERT INTO case_exclusions (case_id, org_path, status, reason, proposed_by, \
                 proposer_name, proposed_at) VALUES ({c}, '{p}', '{}', '测试', 1, '测试', 0)",
                ["approved", "proposed", "refused"][next(3)]
            ),
            10 => format!(
                "UPDATE case_exclusions SET status = '{}' WHERE case_id = {c}",
                ["approved", "revoked", "proposed"][next(3)]
            ),
            11 => format!("DELETE FROM case_exclusions WHERE case_id = {c}"),
            12 => format!(
                "UPDATE case_exclusions SET case_id = {c} WHERE id IN (SELECT MIN(id) FROM case_exclusions)"
            ),
            // A whole place at once, as a move of the tree rewrites it.
            13 => format!("UPDATE cases SET org_path = '{q}' WHERE org_path = '{p}'"),
            // Many rows of many places in one statement.
            14 => format!(
                "UPDATE cases SET status = 'closed', closed_at = updated_at WHERE id % 7 = {} \
                 AND closed_at IS NULL",
                next(7)
            ),
            _ => format!(
                "UPDATE cases SET title = title || '.', updated_at = updated_at + 1 WHERE id = {c}"
            ),
        };
        // A refused statement (a second live exclusion of a case) changes nothing.
        if let Ok(r) = db.execute_unprepared(&sql).await {
            changed += r.rows_affected();
        }
        if step % 50 == 49 {
            assert_eq!(tallies(db).await, recount(db).await, "step {step}: {sql}");
            // Changes rolled back leave the tallies as they were.
            let before = tallies(db).await;
            let txn = db.begin().await.expect("begin");
            for sql in [
                format!("UPDATE cases SET org_path = '{q}', status = 'closed' WHERE id = {c}"),
                format!(
                    "INSERT INTO cases (case_no, {COLUMNS}) SELECT case_no || '-r{step}', {COLUMNS} \
                     FROM cases WHERE id = {c}"
                ),
                "UPDATE case_exclusions SET status = 'revoked' WHERE status = 'approved'"
                    .to_owned(),
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
                recount(&txn).await,
                "inside, step {step}"
            );
            txn.rollback().await.expect("rollback");
            assert_eq!(tallies(db).await, before, "rolled back, step {step}");
        }
        cases = ids(db, "SELECT id FROM cases ORDER BY id").await;
    }
    let end = tallies(db).await;
    assert_eq!(end, recount(db).await, "at the end");
    assert!(changed > 300, "the workload changed rows: {changed}");
    for metric in [
        "excluded",
        "rated",
        "on_time",
        "ack_ms",
        "closed_ms",
        "open",
    ] {
        assert!(end.keys().any(|k| k.2 == metric), "{metric} in the tallies");
    }
}

/// PostgreSQL compiles none of our statements with JIT, on the server's connections and in the
/// tallies' trigger functions whoever writes: the planner's estimate of the statement trigger
/// passed the JIT threshold and compiling it took ~350 ms of every batch of reports (intake at
/// 10,000,000 cases fell from 1,011 to 75 reports a second).
#[tokio::test]
async fn postgres_compiles_nothing_of_ours_with_jit() {
    let app = TestApp::spawn().await;
    let db = &app.state.db;
    if db.get_database_backend() != sea_orm::DbBackend::Postgres {
        return;
    }
    let jit = db
        .query_one_raw(stmt(db, "SHOW jit"))
        .await
        .expect("show jit")
        .and_then(|r| r.try_get_by_index::<String>(0).ok());
    assert_eq!(jit.as_deref(), Some("off"), "the server's connections");
    let compiled = db
        .query_all_raw(stmt(
            db,
            "SELECT p.proname::text FROM pg_proc p JOIN pg_namespace s ON s.oid = p.pronamespace \
             WHERE s.nspname = current_schema() \
             AND (p.proname LIKE 'tally\\_cases%' OR p.proname LIKE 'tally\\_exclusions%') \
             AND NOT ('jit=off' = ANY (COALESCE(p.proconfig, '{}')))",
        ))
        .await
        .expect("functions")
        .iter()
        .filter_map(|r| r.try_get_by_index::<String>(0).ok())
        .collect::<Vec<_>>();
    assert!(compiled.is_empty(), "may be compiled: {compiled:?}");
}

/// m0030 taken back leaves the figures of days kept (by m0028's triggers) and no open count;
/// applied again, it counts the open cases as they are and keeps them.
#[tokio::test]
async fn the_open_tally_goes_with_its_migration_and_comes_back() {
    use sea_orm_migration::MigratorTrait;
    use wangge::infra::db::migrations::Migrator;
    let app = TestApp::spawn().await;
    let db = &app.db;
    wangge::demo::cases::generate(&app.state, 20261202, 120, 30)
        .await
        .expect("demo cases");
    let days = |mut t: Tally| {
        t.retain(|k, _| k.2 != "open");
        t
    };
    let all = Migrator::migrations();
    let at = all
        .iter()
        .position(|m| m.name() == "m0030_open_tally")
        .expect("m0030");
    let steps = u32::try_from(all.len() - at).expect("steps");
    Migrator::down(db, Some(steps)).await.expect("down");
    let without = tallies(db).await;
    assert!(without.keys().all(|k| k.2 != "open"), "no open count");
    assert_eq!(without, days(recount(db).await), "the figures of days");
    db.execute_unprepared(
        "UPDATE cases SET status = 'closed', closed_at = updated_at WHERE id % 3 = 0 \
         AND closed_at IS NULL",
    )
    .await
    .expect("close some");
    assert_eq!(
        tallies(db).await,
        days(recount(db).await),
        "kept without it"
    );
    Migrator::up(db, None).await.expect("up");
    let again = tallies(db).await;
    assert!(again.keys().any(|k| k.2 == "open"), "open counted again");
    assert_eq!(again, recount(db).await, "counted as they are");
    db.execute_unprepared("UPDATE cases SET status = 'handling' WHERE id % 4 = 0")
        .await
        .expect("reopen some");
    assert_eq!(tallies(db).await, recount(db).await, "and kept");
}
