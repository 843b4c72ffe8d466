//! The people registry's performance targets on SQLite (issue 4):
//!
//! - import of 1,000,000 residents from CSV at ≥ 20,000 rows/s with memory that stays flat,
//!   and from XLSX;
//! - search by name or pinyin initials in < 50 ms at that size.
//!
//! ```sh
//! cargo bench -p wangge --bench people                       # 1,000,000 residents
//! cargo bench -p wangge --bench people -- --rows 100000      # a quicker look
//! ```
//!
//! Flags: `--rows N` (people in the ledger), `--samples N` (requests per search),
//! `--no-xlsx` (skip the workbook), `--keep` (leave the files behind and print where).
//!
//! The ledger is the demo's (`demo::people::write_ledger`): families, elders, tenants and tags
//! in the demo's proportions, spread over the demo district's 273 buildings. The import runs
//! the command line's code path (`import::import` over a file on disk), so what is measured
//! is what `wangge import residents FILE` does. Resident memory is sampled every 100 ms during
//! the import. The searches go through the HTTP API of the real server, as a grid worker, a
//! community secretary and the district administrator. Every loop is bounded in count.

mod common;

use common::{Api, Flags, PW, heading, print, summarize};
use reqwest::Client;
use std::io::Write;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};
use wangge::people::import::{self, Input, Progress};

struct Args {
    rows: u64,
    samples: usize,
    xlsx: bool,
    keep: bool,
}

fn args() -> Args {
    let f = Flags::from_env();
    Args {
        rows: f.num("--rows").unwrap_or(1_000_000).max(1),
        samples: f.num("--samples").map_or(100, |n| (n as usize).max(1)),
        xlsx: !f.has("--no-xlsx"),
        keep: f.has("--keep"),
    }
}

/// The process's resident memory, in MiB.
fn rss_mib() -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmRSS:"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|kb| kb.parse::<f64>().ok())
        })
        .map_or(0.0, |kb| kb / 1024.0)
}

/// A fresh database with the demo district: (state, building codes).
async fn fresh(dir: &std::path::Path) -> anyhow::Result<(wangge::AppState, Vec<(String, bool)>)> {
    std::fs::create_dir_all(dir)?;
    let url = wangge::infra::config::sqlite_url(dir);
    let db = wangge::infra::db::connect(&url, None).await?;
    wangge::app::migrate(&db).await?;
    wangge::demo::generate(&db, 20261122, PW).await?;
    let config = wangge::infra::config::Config::local(dir, &url);
    let vault = wangge::open_vault(&config, &db).await?;
    let st = wangge::app::state(db, config, vault);
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};
    use wangge::org::entity::node;
    let buildings = node::Entity::find()
        .filter(node::Column::Level.eq("building"))
        .order_by_asc(node::Column::Path)
        .all(&st.db)
        .await?
        .into_iter()
        .map(|n| (n.code, false))
        .collect();
    Ok((st, buildings))
}

/// Imports a file, sampling memory; prints and returns rows/s.
async fn timed_import(
    st: &wangge::AppState,
    name: &str,
    path: &std::path::Path,
) -> anyhow::Result<f64> {
    let progress = Arc::new(Progress::default());
    let stop = Arc::new(AtomicBool::new(false));
    let samples: Arc<std::sync::Mutex<Vec<(u64, f64)>>> = Arc::default();
    let sampler = {
        let (p, stop, samples) = (progress.clone(), stop.clone(), samples.clone());
        tokio::spawn(async move {
            for _ in 0..36_000 {
                if stop.load(Ordering::Relaxed) {
                    break;
                }
                if let Ok(mut s) = samples.lock() {
                    s.push((p.done.load(Ordering::Relaxed), rss_mib()));
                }
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
        })
    };
    let before = rss_mib();
    let t = Instant::now();
    let report = import::import(
        &wangge::people::PeopleState::of(st),
        &wangge::web::Caller::cli(),
        Input::Path(path.to_path_buf()),
        progress,
    )
    .await
    .map_err(|e| anyhow::anyhow!("{e}"))?;
    let secs = t.elapsed().as_secs_f64();
    stop.store(true, Ordering::Relaxed);
    let _ = sampler.await;
    let rate = report.rows as f64 / secs;
    println!(
        "  {name:<34} {} 行 {secs:>6.1} 秒  {rate:>8.0} 行/秒  （新增 {} 更新 {} 未变 {} 退回 {}）",
        report.rows, report.inserted, report.updated, report.unchanged, report.rejected
    );
    let s = samples.lock().map(|s| s.clone()).unwrap_or_default();
    let total = report.rows.max(1);
    let at = |share: f64| {
        s.iter()
            .find(|(d, _)| *d as f64 >= share * total as f64)
            .or(s.last())
            .map_or(0.0, |x| x.1)
    };
    let peak = s.iter().map(|x| x.1).fold(before, f64::max);
    println!(
        "  {:<34} 导入前 {before:.0} MiB；读到 10% {:.0}、50% {:.0}、90% {:.0} MiB；峰值 {peak:.0} MiB",
        "  内存（常驻）",
        at(0.1),
        at(0.5),
        at(0.9)
    );
    Ok(rate)
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let a = args();
    let dir = tempfile::tempdir()?;
    heading("people", "SQLite");
    let (st, buildings) = fresh(&dir.path().join("csv")).await?;
    // About 2.6 people a household.
    let per_building = (a.rows as f64 / buildings.len() as f64 / 2.6).ceil() as u64;
    let homes = ((per_building * 4 / 5).max(1), (per_building * 6 / 5).max(2));
    let csv = dir.path().join("ledger.csv");
    let t = Instant::now();
    let written = {
        let mut w = std::io::BufWriter::new(std::fs::File::create(&csv)?);
        let mut n = 0;
        // Top up with a second pass (other seeds, other rooms) if the first fell short.
        for pass in 0..4u64 {
            if n >= a.rows {
                break;
            }
            let mut buf = Vec::new();
            let got = wangge::demo::people::write_ledger(
                &mut buf,
                7 + pass,
                &buildings,
                Some(homes),
                a.rows - n,
            )?;
            let text = String::from_utf8(buf)?;
            let mut lines = text.lines();
            let header = lines.next().unwrap_or_default();
            if pass == 0 {
                writeln!(w, "{header}")?;
            }
            for l in lines {
                // Later passes use rooms of their own.
                if pass == 0 {
                    writeln!(w, "{l}")?;
                } else {
                    let mut cells: Vec<&str> = l.split(',').collect();
                    let room = format!("P{pass}-{}", cells[1]);
                    cells[1] = &room;
                    writeln!(w, "{}", cells.join(","))?;
                }
            }
            n += got;
        }
        w.flush()?;
        n
    };
    let size = std::fs::metadata(&csv)?.len();
    println!(
        "台账：{written} 行，CSV {:.0} MiB，生成用时 {:.1} 秒",
        size as f64 / 1048576.0,
        t.elapsed().as_secs_f64()
    );

    println!("导入（命令行的代码路径，SQLite）：");
    let csv_rate = timed_import(&st, "CSV，空库", &csv).await?;
    let again = timed_import(&st, "同一 CSV 再导入一次（全部未变）", &csv).await?;
    println!(
        "  目标 CSV ≥ 20000 行/秒：{}（再导入 {again:.0} 行/秒）",
        if csv_rate >= 20_000.0 { "✓" } else { "✗" }
    );

    if a.xlsx {
        let t = Instant::now();
        let text = std::fs::read_to_string(&csv)?;
        let mut lines = text.lines();
        let headers: Vec<&str> = lines.next().unwrap_or_default().split(',').collect();
        let rows: Vec<Vec<String>> = lines
            .map(|l| l.split(',').map(str::to_owned).collect())
            .collect();
        let bytes = wangge::web::xlsx::build("人口台账", &headers, &rows)?;
        drop(rows);
        drop(text);
        let xlsx = dir.path().join("ledger.xlsx");
        std::fs::write(&xlsx, &bytes)?;
        println!(
            "工作簿：XLSX {:.0} MiB，生成用时 {:.1} 秒",
            bytes.len() as f64 / 1048576.0,
            t.elapsed().as_secs_f64()
        );
        drop(bytes);
        let (st2, _) = fresh(&dir.path().join("xlsx")).await?;
        timed_import(&st2, "XLSX，空库", &xlsx).await?;
    }

    // Searches through the API, on the CSV database.
    wangge::infra::db::optimize(&st.db).await?;
    let url = wangge::infra::config::sqlite_url(&dir.path().join("csv"));
    let server = wangge::Server::bind(
        wangge::infra::config::Config::local(&dir.path().join("csv"), &url),
        wangge::infra::db::connect(&url, None).await?,
    )
    .await?;
    let api = Api {
        client: Client::new(),
        base: format!("http://{}", server.local_addr()?),
    };
    tokio::spawn(server.run());
    let any_id = {
        use sea_orm::ConnectionTrait;
        let row = st
            .db
            .query_one_raw(sea_orm::Statement::from_string(
                st.db.get_database_backend(),
                "SELECT id_sealed FROM residents WHERE id = (SELECT MAX(id) FROM residents)",
            ))
            .await?
            .ok_or_else(|| anyhow::anyhow!("no residents"))?;
        let sealed: String = row.try_get("", "id_sealed")?;
        st.vault
            .unseal(wangge::infra::vault::Field::IdNumber, &sealed)?
    };
    println!(
        "查找（HTTP 接口，每项 {} 次顺序请求，预热 5 次）：",
        a.samples
    );
    let queries: Vec<(&str, String)> = vec![
        ("姓（张）", "张".into()),
        ("姓名前两字（王建）", "王建".into()),
        ("全名（李秀英）", "李秀英".into()),
        ("拼音首字母（zw）", "zw".into()),
        ("拼音首字母（wjg）", "wjg".into()),
        ("证件或电话后四位（1234）", "1234".into()),
        ("完整身份证号", any_id),
        ("地址片段（3幢）", "3幢".into()),
        ("不查找：第一页", String::new()),
    ];
    for user in ["wgy-liuan-1", "liuan-sj", "admin"] {
        let token = api.token(user).await?;
        for (label, q) in &queries {
            let path = format!("/api/v1/residents?q={}", wangge::web::urlencode(q));
            let (ms, v) = api.time(&token, &path, a.samples).await?;
            print(&summarize(&format!("{user} {label}"), ms), Some(50.0));
            println!("      命中 {}", v["total"]);
        }
    }
    if a.keep {
        let kept = dir.keep();
        println!("文件保留在 {}", kept.display());
    }
    Ok(())
}
