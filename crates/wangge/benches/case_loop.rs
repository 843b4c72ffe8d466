//! The case loop's performance targets, measured through the HTTP API (issues 3 and 20):
//!
//! - intake of reports (validation, routing, deadline, audit, notification) ≥ 2,000/s with
//!   p99 < 50 ms;
//! - the to-do list and a filtered list page < 50 ms with 1,000,000 cases in the database;
//! - a street's rates over a month < 100 ms at that size;
//! - a street's dashboard for a month < 200 ms and a community's < 50 ms, with 1,000,000 cases
//!   on SQLite and with 10,000,000 cases and 1,000,000 residents on PostgreSQL.
//!
//! ```sh
//! cargo bench -p wangge --bench case_loop                      # 1,000,000 cases, SQLite
//! cargo bench -p wangge --bench case_loop -- --cases 100000    # a quicker look
//! cargo bench -p wangge --bench case_loop -- --postgres postgres://…/empty_db \
//!     --cases 10000000 --residents 1000000 --data-dir /tmp/wangge-bench   # PostgreSQL
//! ```
//!
//! Flags: `--cases N` (rows in the database), `--residents N` (people in the registry; the
//! demo's 25,000 unless more are asked for), `--reports N` (intake requests), `--clients N`
//! (concurrent intake connections), `--samples N` (requests per read query), `--keep` (leave
//! the database behind and print where, to look at query plans), `--postgres URL` (an empty
//! PostgreSQL database instead of an SQLite file), `--data-dir DIR` (where the data key lives;
//! a temporary directory unless given), `--reuse` (measure a database an earlier run loaded,
//! with the same `--data-dir`, without loading it again; with `--recount`, count its case
//! tallies again from the rows, timed). The database gets the demo district,
//! its 1,500 demo cases, then copies of them spread over the two years before them (copies
//! older than ten days are closed, as old cases are), until there are N; and copies of the
//! demo's households with their residents and tags, until there are as many residents as
//! asked. On PostgreSQL the copied tables' secondary indexes are dropped for the load and
//! built again after it, the copies load without the case tallies' triggers and the tallies
//! are counted once after them (SQLite keeps its triggers through the load), then
//! `VACUUM ANALYZE` sets the statistics and the visibility map as a
//! database in service has them; each step is timed. The server and the load generator share
//! the machine, so the figures are what one box does serving and loading at once. Every loop
//! is bounded in count.

mod common;

use common::{Api, Flags, PW, heading, print, summarize};
use reqwest::Client;
use sea_orm::{ConnectionTrait, DatabaseConnection};
use serde_json::json;
use std::time::{Duration, Instant};

const DAY_MS: i64 = 86_400_000;

struct Args {
    cases: u64,
    residents: u64,
    reports: usize,
    clients: usize,
    samples: usize,
    keep: bool,
    postgres: Option<String>,
    data_dir: Option<std::path::PathBuf>,
    reuse: bool,
    recount: bool,
}

fn args() -> Args {
    let f = Flags::from_env();
    let count = |name: &str, default: usize| f.num(name).map_or(default, |n| (n as usize).max(1));
    Args {
        cases: f.num("--cases").unwrap_or(1_000_000),
        reports: count("--reports", 8_000),
        // Phones report from many connections at once; 32 keeps the writer's batches full
        // while the load generator shares the two cores with the server.
        clients: count("--clients", 32),
        samples: count("--samples", 200),
        keep: f.has("--keep"),
        residents: f.num("--residents").unwrap_or(0),
        postgres: f.text("--postgres"),
        data_dir: f.text("--data-dir").map(Into::into),
        reuse: f.has("--reuse"),
        recount: f.has("--recount"),
    }
}

/// Copies the demo's cases until the table holds `target` rows, in one statement per batch.
async fn fill(db: &DatabaseConnection, target: u64) -> anyhow::Result<u64> {
    let base: i64 = count(db, "SELECT COUNT(*) FROM cases").await?;
    let max_id: i64 = count(db, "SELECT MAX(id) FROM cases").await?;
    // Enough copies to reach the target (the last batch may pass it by less than one copy).
    let copies = (target as i64 - base + base.max(1) - 1).max(0) / base.max(1);
    let now = wangge::infra::clock::now_ms();
    // Copy k is shifted back by k × (720 days / copies) plus k seconds (so no two copies
    // collide); open cases in copies older than ten days are closed, as they would be by now —
    // those dispatched acknowledged and fed back first, as the flow closes only what was fed
    // back (a closed case never fed back would sit in the unfed index for ever).
    let shift = |k: &str| {
        format!(
            "({k} * {span} / {copies} + {k} * 1000)",
            span = 720 * DAY_MS,
            copies = copies.max(1)
        )
    };
    let open = "status IN ('reported','accepted','dispatched','handling','fed_back','verified')";
    let batch = 50;
    let mut k0 = 1;
    while k0 <= copies {
        let k1 = (k0 + batch - 1).min(copies);
        let s = shift("k.k");
        let sql = format!(
            "WITH RECURSIVE k(k) AS (SELECT {k0} UNION ALL SELECT k + 1 FROM k WHERE k < {k1}) \
             INSERT INTO cases (case_no, kind, title, description, category_code, source, status, version, \
               org_id, org_path, building_id, lat, lng, address, located, dispatch_org_id, dispatch_path, \
               assignee_org_id, assignee_dept_id, assignee_path, assignee_name, assignee_user_id, route_org_id, route_dept_id, route_reason, suggested_category, suggested_method, suggested_score, suggested_words, reporter_id, \
               reporter_name, reporter_phone, reporter_phone_blind, anonymous, created_at, updated_at, dispatched_at, response_due, \
               handle_due, acknowledged_at, fed_back_at, closed_at, ack_late, handle_late, reworks_after_rating, \
               extension_pending, extension_days, supervised, reminded_at, urged_at, rated_at, contacted, solved, \
               satisfaction, rating_comment) \
             SELECT case_no || '-' || k.k, kind, title, description, category_code, source, \
               CASE WHEN {s} > 10 * {DAY_MS} AND {open} THEN 'closed' ELSE status END, version, \
               org_id, org_path, building_id, lat, lng, address, located, dispatch_org_id, dispatch_path, \
               assignee_org_id, assignee_dept_id, assignee_path, assignee_name, assignee_user_id, route_org_id, route_dept_id, route_reason, suggested_category, suggested_method, suggested_score, suggested_words, reporter_id, \
               reporter_name, reporter_phone, reporter_phone_blind, anonymous, created_at - {s}, updated_at - {s}, dispatched_at - {s}, \
               response_due - {s}, handle_due - {s}, \
               CASE WHEN {s} > 10 * {DAY_MS} AND {open} AND dispatched_at IS NOT NULL \
                 THEN COALESCE(acknowledged_at, dispatched_at + 3600000) ELSE acknowledged_at END - {s}, \
               CASE WHEN {s} > 10 * {DAY_MS} AND {open} AND dispatched_at IS NOT NULL \
                 THEN COALESCE(fed_back_at, updated_at + {DAY_MS} / 2) ELSE fed_back_at END - {s}, \
               CASE WHEN {s} > 10 * {DAY_MS} AND {open} THEN updated_at - {s} + {DAY_MS} ELSE closed_at - {s} END, \
               ack_late, handle_late, reworks_after_rating, \
               CASE WHEN {s} > 10 * {DAY_MS} THEN FALSE ELSE extension_pending END, extension_days, supervised, \
               reminded_at - {s}, urged_at - {s}, rated_at - {s}, contacted, solved, satisfaction, rating_comment \
             FROM cases CROSS JOIN k WHERE cases.id <= {max_id} AND cases.created_at <= {now}"
        );
        db.execute_unprepared(&sql).await?;
        k0 = k1 + 1;
    }
    count(db, "SELECT COUNT(*) FROM cases")
        .await
        .map(|n| n as u64)
}

/// Counts the case tallies again from the rows (after a load without their triggers, or with
/// `--reuse --recount` to time it), as migration m0028 counts them.
async fn recount(db: &DatabaseConnection) -> anyhow::Result<()> {
    let step = Instant::now();
    let pg = db.get_database_backend() == sea_orm::DbBackend::Postgres;
    db.execute_unprepared("DELETE FROM case_tallies").await?;
    db.execute_unprepared(&wangge::infra::db::case_tallies::recount(pg))
        .await?;
    println!(
        "统计案件（case_tallies）：{} 行，{:.1} 秒",
        count(db, "SELECT COUNT(*) FROM case_tallies").await?,
        step.elapsed().as_secs_f64()
    );
    if pg {
        // The deleted rows' space back, and the planner's figures of the new ones.
        db.execute_unprepared("VACUUM ANALYZE case_tallies").await?;
    }
    Ok(())
}

/// Copies the demo's households with their residents and the residents' tags until there are
/// `target` residents (none when there are already as many). Copy k of a household has its
/// room suffixed with k; copied residents keep their sealed data under a blind index of their
/// own, so the registry's rules (one number a person, one head a household) hold for them.
async fn fill_residents(db: &DatabaseConnection, target: u64) -> anyhow::Result<u64> {
    let base = count(db, "SELECT COUNT(*) FROM residents").await?;
    let copies = if base == 0 {
        0
    } else {
        (target as i64 - base + base - 1).max(0) / base
    };
    let (max_h, max_r) = (
        count(db, "SELECT MAX(id) FROM households").await?,
        count(db, "SELECT MAX(id) FROM residents").await?,
    );
    for k in 1..=copies {
        db.execute_unprepared(&format!(
            "INSERT INTO households (building_id, org_path, room, address, kind, head_id, note, status, \
               version, created_at, updated_at) \
             SELECT building_id, org_path, room || '-{k}', address, kind, NULL, 'copy {k} of ' || id, status, \
               version, created_at, updated_at FROM households WHERE id <= {max_h}"
        ))
        .await?;
        // The planner must know the copies are there to join them by hash, not by loop.
        if db.get_database_backend() == sea_orm::DbBackend::Postgres {
            db.execute_unprepared("ANALYZE households").await?;
        }
        db.execute_unprepared(&format!(
            "INSERT INTO residents (household_id, org_path, name, initials, gender, birth_date, ethnicity, \
               id_sealed, id_blind, id_tail, phone_sealed, phone_blind, phone_tail, residence, political, \
               relation, work_unit, note, status, version, created_at, updated_at) \
             SELECT h.id, r.org_path, r.name, r.initials, r.gender, r.birth_date, r.ethnicity, \
               r.id_sealed, -(ABS(r.id_blind) % 1000000000000) * 10000 - {k}, r.id_tail, r.phone_sealed, \
               r.phone_blind, r.phone_tail, r.residence, r.political, r.relation, r.work_unit, \
               'copy of ' || r.id, r.status, r.version, r.created_at, r.updated_at \
             FROM residents r JOIN households h ON h.note = 'copy {k} of ' || r.household_id \
             WHERE r.id <= {max_r} AND h.id > {max_h}"
        ))
        .await?;
    }
    if copies > 0 {
        if db.get_database_backend() == sea_orm::DbBackend::Postgres {
            db.execute_unprepared("ANALYZE residents").await?;
        }
        db.execute_unprepared(&format!(
            "INSERT INTO resident_tags (resident_id, tag_id) \
             SELECT c.id, t.tag_id FROM residents c \
             JOIN resident_tags t ON t.resident_id = CAST(SUBSTR(c.note, 9) AS BIGINT) \
             WHERE c.id > {max_r}"
        ))
        .await?;
        db.execute_unprepared(&format!(
            "UPDATE households SET head_id = r.id FROM residents r \
             WHERE r.household_id = households.id AND r.relation = 'head' AND r.status = 'active' \
               AND households.id > {max_h} AND r.id > {max_r}"
        ))
        .await?;
    }
    count(db, "SELECT COUNT(*) FROM residents")
        .await
        .map(|n| n as u64)
}

/// PostgreSQL: the indexes of `tables` that back no constraint, as (table, name, definition).
async fn pg_indexes(
    db: &DatabaseConnection,
    tables: &[&str],
) -> anyhow::Result<Vec<(String, String)>> {
    let list = tables
        .iter()
        .map(|t| format!("'{t}'"))
        .collect::<Vec<_>>()
        .join(",");
    let rows = db
        .query_all_raw(sea_orm::Statement::from_string(
            db.get_database_backend(),
            format!(
                "SELECT i.relname, pg_get_indexdef(i.oid) FROM pg_index x \
                 JOIN pg_class i ON i.oid = x.indexrelid JOIN pg_class t ON t.oid = x.indrelid \
                 WHERE t.relname IN ({list}) AND t.relnamespace = 'public'::regnamespace \
                   AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = x.indexrelid) \
                 ORDER BY t.relname, i.relname"
            ),
        ))
        .await?;
    rows.iter()
        .map(|r| Ok((r.try_get_by_index(0)?, r.try_get_by_index(1)?)))
        .collect()
}

async fn count(db: &DatabaseConnection, sql: &str) -> anyhow::Result<i64> {
    let row = db
        .query_one_raw(sea_orm::Statement::from_string(
            db.get_database_backend(),
            sql,
        ))
        .await?
        .ok_or_else(|| anyhow::anyhow!("no row: {sql}"))?;
    Ok(row.try_get_by_index::<Option<i64>>(0)?.unwrap_or(0))
}

#[tokio::main(flavor = "multi_thread")]
async fn main() -> anyhow::Result<()> {
    // The server's own errors, when asked (`RUST_LOG=error`): a 500 says why.
    if std::env::var_os("RUST_LOG").is_some() {
        let _ = tracing_subscriber::fmt()
            .with_env_filter(tracing_subscriber::EnvFilter::from_default_env())
            .with_writer(std::io::stderr)
            .try_init();
    }
    let a = args();
    let temp = tempfile::tempdir()?;
    let dir = a
        .data_dir
        .clone()
        .unwrap_or_else(|| temp.path().to_path_buf());
    std::fs::create_dir_all(&dir)?;
    let url = a
        .postgres
        .clone()
        .unwrap_or_else(|| wangge::infra::config::sqlite_url(&dir));
    let pg = a.postgres.is_some();
    heading("case-loop", if pg { "PostgreSQL" } else { "SQLite" });

    let t = Instant::now();
    let db = wangge::infra::db::connect(&url, None).await?;
    // Migrated first: a database loaded by an earlier version gets the later migrations.
    wangge::app::migrate(&db).await?;
    let loaded = count(&db, "SELECT COUNT(*) FROM cases").await? > 0;
    anyhow::ensure!(
        !loaded || a.reuse,
        "数据库不是空的：给一个空库，或加 --reuse（与装载时同一个 --data-dir）复用上次装好的数据"
    );
    if !loaded {
        // The demo as `wangge demo` makes it: the district, its cases, people and party.
        wangge::demo::generate(&db, 20261122, PW).await?;
        let config = wangge::infra::config::Config::local(&dir, &url);
        let vault = wangge::open_vault(&config, &db).await?;
        let base = wangge::app::state(db.clone(), config, vault);
        wangge::demo::cases::generate(&base, 20261122, 1500, 120).await?;
        wangge::demo::people::generate(&wangge::people::PeopleState::of(&base), 20261122).await?;
        wangge::demo::party::lives(&base, 20261122).await?;
        wangge::demo::command::generate(&base).await?;
        println!("演示数据：{:.1} 秒", t.elapsed().as_secs_f64());
        // On PostgreSQL the copied tables load without their secondary indexes, which are
        // built again once, after the load.
        let dropped = if pg {
            pg_indexes(&db, &["cases", "households", "residents", "resident_tags"]).await?
        } else {
            Vec::new()
        };
        for (name, _) in &dropped {
            db.execute_unprepared(&format!("DROP INDEX {name}")).await?;
        }
        let step = Instant::now();
        // On PostgreSQL the copies load without the case tallies' triggers, and the tallies
        // are counted once after (as migration m0028 counts them); SQLite keeps its triggers.
        if pg {
            db.execute_unprepared("ALTER TABLE cases DISABLE TRIGGER USER")
                .await?;
        }
        let n = fill(&db, a.cases).await?;
        println!("复制案件：{n} 件，{:.1} 秒", step.elapsed().as_secs_f64());
        if pg {
            db.execute_unprepared("ALTER TABLE cases ENABLE TRIGGER USER")
                .await?;
            recount(&db).await?;
        }
        let step = Instant::now();
        let r = fill_residents(&db, a.residents).await?;
        println!("复制居民：{r} 人，{:.1} 秒", step.elapsed().as_secs_f64());
        if pg {
            let step = Instant::now();
            for (_, def) in &dropped {
                db.execute_unprepared(def).await?;
            }
            println!(
                "重建 {} 个索引：{:.1} 秒",
                dropped.len(),
                step.elapsed().as_secs_f64()
            );
            let step = Instant::now();
            db.execute_unprepared("VACUUM ANALYZE").await?;
            println!("VACUUM ANALYZE：{:.1} 秒", step.elapsed().as_secs_f64());
        }
    }
    if a.reuse && a.recount {
        recount(&db).await?;
    }
    // What the server does at start (and hourly): refresh the planner's statistics.
    wangge::infra::db::optimize(&db).await?;
    println!(
        "数据库：{} 件案件，{} 位居民，准备用时 {:.1} 秒",
        count(&db, "SELECT COUNT(*) FROM cases").await?,
        count(&db, "SELECT COUNT(*) FROM residents").await?,
        t.elapsed().as_secs_f64()
    );

    let config = wangge::infra::config::Config::local(&dir, &url);
    let server =
        wangge::Server::bind(config, wangge::infra::db::connect(&url, None).await?).await?;
    let base = format!("http://{}", server.local_addr()?);
    tokio::spawn(server.run());
    let api = Api {
        client: Client::builder()
            .pool_max_idle_per_host(a.clients)
            .build()?,
        base,
    };

    let [admin, zz, sj, w, cg, jm] = [
        "admin",
        "qinghe-zz",
        "liuan-sj",
        "wgy-liuan-1",
        "qinghe-cg",
        "jm-liuan",
    ];
    let admin = api.token(admin).await?;
    let node = |code: &'static str| {
        let (api, admin) = (&api, &admin);
        async move {
            let v = api
                .get(admin, &format!("/api/v1/org/nodes?q={code}"))
                .await?
                .1;
            v.as_array()
                .and_then(|l| l.iter().find(|x| x["code"] == code))
                .and_then(|x| x["id"].as_i64())
                .ok_or_else(|| anyhow::anyhow!("node {code}: {v}"))
        }
    };
    let street = node("330199001000").await?;
    let grid = node("33019900100101").await?;
    let kids = api
        .get(&admin, &format!("/api/v1/org/nodes?parent_id={grid}"))
        .await?
        .1;
    let buildings: Vec<i64> = kids
        .as_array()
        .map(|l| l.iter().filter_map(|x| x["id"].as_i64()).collect())
        .unwrap_or_default();
    anyhow::ensure!(!buildings.is_empty(), "the demo grid has no buildings");
    let (zz, sj, w, cg, jm) = (
        api.token(zz).await?,
        api.token(sj).await?,
        api.token(w).await?,
        api.token(cg).await?,
        api.token(jm).await?,
    );

    // Reads at size.
    let month = {
        let today = chrono::Utc::now().date_naive();
        let first = today - chrono::Days::new(35);
        (
            first.format("%Y-%m-%d").to_string(),
            (first + chrono::Days::new(30))
                .format("%Y-%m-%d")
                .to_string(),
        )
    };
    println!("\n读（每项 {} 次顺序请求，预热 5 次）", a.samples);
    let reads: Vec<(&str, &String, String, f64)> = vec![
        ("待办 网格员 wgy-liuan-1", &w, "/api/v1/todo".into(), 50.0),
        ("待办 社区书记 liuan-sj", &sj, "/api/v1/todo".into(), 50.0),
        (
            "待办 街道综治中心 qinghe-zz",
            &zz,
            "/api/v1/todo".into(),
            50.0,
        ),
        ("待办 部门 qinghe-cg", &cg, "/api/v1/todo".into(), 50.0),
        ("台账 街道 第 1 页", &zz, "/api/v1/cases".into(), 50.0),
        (
            "台账 街道 处置中",
            &zz,
            "/api/v1/cases?status=handling".into(),
            50.0,
        ),
        (
            "台账 街道 环境卫生 近一月",
            &zz,
            format!("/api/v1/cases?category=HJ&from={}&to={}", month.0, month.1),
            50.0,
        ),
        (
            "台账 街道 超期",
            &zz,
            "/api/v1/cases?overdue=true".into(),
            50.0,
        ),
        (
            "台账 社区 第 5 页",
            &sj,
            "/api/v1/cases?page=5".into(),
            50.0,
        ),
        (
            "台账 网格员 已结案",
            &w,
            "/api/v1/cases?status=closed".into(),
            50.0,
        ),
        (
            "台账 街道 搜索“垃圾” 近一月",
            &zz,
            format!("/api/v1/cases?q=垃圾&from={}&to={}", month.0, month.1),
            50.0,
        ),
        (
            "统计 街道 一个月",
            &zz,
            format!(
                "/api/v1/stats/cases?org={street}&from={}&to={}",
                month.0, month.1
            ),
            100.0,
        ),
        (
            "统计 全区 一个月",
            &admin,
            format!("/api/v1/stats/cases?from={}&to={}", month.0, month.1),
            100.0,
        ),
        (
            "总览 街道 一个月",
            &zz,
            format!("/api/v1/stats/dashboard?from={}&to={}", month.0, month.1),
            200.0,
        ),
        (
            "总览 社区 一个月",
            &sj,
            format!("/api/v1/stats/dashboard?from={}&to={}", month.0, month.1),
            50.0,
        ),
        (
            "总览 网格员 今日",
            &w,
            "/api/v1/stats/dashboard?preset=today".into(),
            50.0,
        ),
        ("预警 街道", &zz, "/api/v1/stats/warnings".into(), 200.0),
        (
            "三个清单 社区 一个月",
            &sj,
            format!("/api/v1/stats/lists?from={}&to={}", month.0, month.1),
            200.0,
        ),
        (
            "月度排名 街道 上月",
            &zz,
            "/api/v1/stats/ranking".into(),
            200.0,
        ),
    ];
    let mut all_ok = true;
    for (name, tok, path, target) in &reads {
        let (ms, v) = api.time(tok, path, a.samples).await?;
        let f = summarize(name, ms);
        all_ok &= f.p99 < *target;
        print(&f, Some(*target));
        if let Some(t) = v["total"].as_u64() {
            println!(
                "      命中 {t}{}",
                if v["total_capped"] == true { "+" } else { "" }
            );
        } else if let Some(l) = v.as_array() {
            println!("      {} 件", l.len());
        } else if let Some(r) = v["reported"].as_u64() {
            println!(
                "      上报 {r} 件，评价 {}",
                if v["rates"].is_null() {
                    &v["handling"]["rated"]
                } else {
                    &v["rates"]["rated"]
                }
            );
        } else if let Some(p) = v["problems"].as_array() {
            println!("      问题 {} 件", p.len());
        }
    }

    // Intake: `clients` connections, `reports` reports in all, each with its own key.
    println!("\n上报（{} 件，{} 个并发连接）", a.reports, a.clients);
    let next = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    // Keys of this run only: a reused database keeps an earlier run's.
    let run = wangge::infra::clock::now_ms();
    let started = Instant::now();
    let mut tasks = Vec::new();
    for c in 0..a.clients {
        let (client, base) = (api.client.clone(), api.base.clone());
        let tok = if c % 2 == 0 { jm.clone() } else { w.clone() };
        let (next, buildings, total) = (next.clone(), buildings.clone(), a.reports);
        tasks.push(tokio::spawn(async move {
            let mut ms = Vec::new();
            let mut failed = 0usize;
            loop {
                let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                if i >= total {
                    break;
                }
                let body = json!({
                    "title": format!("压测上报 {i}：楼道堆放杂物"),
                    "description": "三单元楼道里堆放了旧家具和纸箱，堵住通道",
                    "building_id": buildings[i % buildings.len()],
                    "address": "柳岸社区",
                });
                let t = Instant::now();
                let r = client
                    .post(format!("{base}/api/v1/cases"))
                    .bearer_auth(&tok)
                    .header("Idempotency-Key", format!("bench-{run}-{i}"))
                    .json(&body)
                    .timeout(Duration::from_secs(30))
                    .send()
                    .await;
                match r {
                    Ok(r) if r.status().as_u16() == 201 => {
                        let _ = r.bytes().await;
                        ms.push(t.elapsed().as_secs_f64() * 1000.0);
                    }
                    Ok(r) => {
                        failed += 1;
                        if failed == 1 {
                            eprintln!(
                                "上报失败：{} {}",
                                r.status(),
                                r.text().await.unwrap_or_default()
                            );
                        }
                    }
                    Err(e) => {
                        failed += 1;
                        if failed == 1 {
                            eprintln!("上报失败：{e}");
                        }
                    }
                }
            }
            (ms, failed)
        }));
    }
    let mut ms = Vec::new();
    let mut failed = 0;
    for t in tasks {
        let (m, f) = t.await?;
        ms.extend(m);
        failed += f;
    }
    let secs = started.elapsed().as_secs_f64();
    let done = ms.len();
    let f = summarize("上报 POST /api/v1/cases", ms);
    print(&f, Some(50.0));
    let rate = done as f64 / secs;
    println!(
        "      {done} 件成功，{failed} 件失败，用时 {secs:.2} 秒，吞吐 {rate:.0} 件/秒（目标 ≥ 2000 件/秒 {}）",
        if rate >= 2000.0 { "✓" } else { "✗" }
    );
    all_ok &= f.p99 < 50.0 && rate >= 2000.0 && failed == 0;
    let after = count(&db, "SELECT COUNT(*) FROM cases").await?;
    println!("      库中现有 {after} 件案件");
    if a.keep && !pg && a.data_dir.is_none() {
        println!("数据库保留在 {}", temp.keep().display());
    }
    println!(
        "\n{}",
        if all_ok {
            "全部达标"
        } else {
            "有未达标项（见 ✗）"
        }
    );
    Ok(())
}
