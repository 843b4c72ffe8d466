//! Backup and restore of the embedded database. A backup is an online, consistent copy made
//! while the server runs (SQLite's `VACUUM INTO`, which reads one snapshot: everything
//! committed before it began, the write-ahead log included, and nothing after). A restore puts a
//! checked copy in place of the database while no server uses the data directory, keeping the
//! old one aside. PostgreSQL has its own tools (`pg_dump`, base backups): these refuse there
//! and say so. The data key is never in a backup (see the README: keep both).

use super::{Backend, backend, backend_of, sqlite_file};
use anyhow::{Context, bail};
use sea_orm::{ConnectionTrait, DatabaseConnection, DbBackend, Statement};
use std::path::{Path, PathBuf};

/// What PostgreSQL users are told to use instead.
pub const POSTGRES_TOOLS: &str = "PostgreSQL 请用它自己的工具备份和恢复：pg_dump / pg_restore，或基础备份（pg_basebackup）加 WAL 归档；数据密钥另行保管";

/// Writes a consistent copy of the running database to `to` (which must not exist yet).
pub async fn backup_to(db: &DatabaseConnection, to: &Path) -> anyhow::Result<u64> {
    if backend(db) != Backend::Sqlite {
        bail!("{POSTGRES_TOOLS}");
    }
    if to.exists() {
        bail!("备份文件 {} 已存在：请换一个文件名", to.display());
    }
    // Written under another name and renamed when whole: a half-written copy is never taken
    // for a backup.
    let partial = PathBuf::from(format!("{}.partial", to.display()));
    let _ = std::fs::remove_file(&partial);
    let target = partial
        .to_str()
        .with_context(|| format!("备份文件名无法使用：{}", to.display()))?
        .replace('\'', "''");
    db.execute_raw(Statement::from_string(
        DbBackend::Sqlite,
        format!("VACUUM INTO '{target}'"),
    ))
    .await
    .with_context(|| format!("无法写入备份 {}", to.display()))?;
    std::fs::File::open(&partial)
        .and_then(|f| f.sync_all())
        .with_context(|| format!("无法把备份写入磁盘：{}", to.display()))?;
    std::fs::rename(&partial, to).with_context(|| format!("无法写入备份 {}", to.display()))?;
    Ok(std::fs::metadata(to).map(|m| m.len()).unwrap_or(0))
}

/// Checks that a file is a sound wangge database: it opens, passes SQLite's full integrity
/// check and has the platform's tables. Answers how many migrations it has.
pub async fn check_file(file: &Path) -> anyhow::Result<u64> {
    if !file.is_file() {
        bail!("找不到备份文件 {}", file.display());
    }
    // Opened as it is, read only and touching nothing (no journal mode set, no lock taken).
    let mut opts = sea_orm::ConnectOptions::new(format!("sqlite://{}", file.display()));
    opts.sqlx_logging(false)
        .max_connections(1)
        .map_sqlx_sqlite_opts(|o| o.read_only(true).immutable(true));
    let db = sea_orm::Database::connect(opts)
        .await
        .with_context(|| format!("无法打开备份文件 {}", file.display()))?;
    let check = async {
        let rows = db
            .query_all_raw(Statement::from_string(
                DbBackend::Sqlite,
                "PRAGMA integrity_check",
            ))
            .await
            .context("这不是一个可用的数据库文件")?;
        let report: Vec<String> = rows
            .iter()
            .filter_map(|r| r.try_get_by_index::<String>(0).ok())
            .collect();
        if report != ["ok"] {
            bail!(
                "备份文件没有通过完整性检查（{}）",
                report.join("；").chars().take(300).collect::<String>()
            );
        }
        let n = db
            .query_one_raw(Statement::from_string(
                DbBackend::Sqlite,
                "SELECT COUNT(*) FROM seaql_migrations",
            ))
            .await
            .ok()
            .flatten()
            .and_then(|r| r.try_get_by_index::<i64>(0).ok())
            .context("这不是网格平台的数据库（没有迁移记录）")?;
        Ok(u64::try_from(n).unwrap_or(0))
    };
    let out = check.await;
    db.close().await.ok();
    out
}

/// The lock a server holds (shared) on its data directory while it runs, and a restore takes
/// (exclusive) while it replaces the database: a restore never pulls the file from under a
/// running server.
pub fn lock_path(data_dir: &Path) -> PathBuf {
    data_dir.join("wangge.lock")
}

/// Takes the data directory's lock, shared (a server; several may share a database) or
/// exclusive (a restore); `None` when someone else holds it the other way.
pub fn lock(data_dir: &Path, exclusive: bool) -> anyhow::Result<Option<std::fs::File>> {
    std::fs::create_dir_all(data_dir)
        .with_context(|| format!("无法创建数据目录 {}", data_dir.display()))?;
    let f = std::fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(lock_path(data_dir))
        .with_context(|| format!("无法打开锁文件 {}", lock_path(data_dir).display()))?;
    let taken = if exclusive {
        f.try_lock()
    } else {
        f.try_lock_shared()
    };
    match taken {
        Ok(()) => Ok(Some(f)),
        Err(std::fs::TryLockError::WouldBlock) => Ok(None),
        Err(std::fs::TryLockError::Error(e)) => Err(e.into()),
    }
}

/// Replaces the database of `url` with the checked copy `from`, the old file (and its log)
/// kept beside it as `wangge.db.before-restore-<time>`. Refuses while a server runs on the
/// data directory, and refuses a file that is not a sound wangge database.
pub async fn restore(url: &str, data_dir: &Path, from: &Path) -> anyhow::Result<Option<PathBuf>> {
    if backend_of(url)? != Backend::Sqlite {
        bail!("{POSTGRES_TOOLS}");
    }
    let target = sqlite_file(url).context("数据库地址里没有文件名")?;
    let Some(_held) = lock(data_dir, true)? else {
        bail!(
            "数据目录 {} 正被运行中的服务使用：请先停止服务，再恢复",
            data_dir.display()
        );
    };
    check_file(from).await?;
    let stamp = chrono::Utc::now().format("%Y%m%d-%H%M%S");
    let mut kept = None;
    for suffix in ["", "-wal", "-shm"] {
        let old = PathBuf::from(format!("{}{suffix}", target.display()));
        if old.exists() {
            let aside = PathBuf::from(format!(
                "{}.before-restore-{stamp}{suffix}",
                target.display()
            ));
            std::fs::rename(&old, &aside)
                .with_context(|| format!("无法把旧数据库移到 {}", aside.display()))?;
            if suffix.is_empty() {
                kept = Some(aside);
            }
        }
    }
    let partial = PathBuf::from(format!("{}.restoring", target.display()));
    std::fs::copy(from, &partial)
        .with_context(|| format!("无法复制 {} 到数据目录", from.display()))?;
    std::fs::File::open(&partial)
        .and_then(|f| f.sync_all())
        .context("无法把恢复的数据库写入磁盘")?;
    std::fs::rename(&partial, &target).context("无法把恢复的数据库放到位")?;
    Ok(kept)
}

/// Makes a timestamped backup in `dir` and keeps the newest `keep` of them: what `serve
/// --backup-dir` does on its schedule.
pub async fn scheduled(
    db: &DatabaseConnection,
    dir: &Path,
    keep: usize,
) -> anyhow::Result<PathBuf> {
    std::fs::create_dir_all(dir).with_context(|| format!("无法创建备份目录 {}", dir.display()))?;
    let file = dir.join(format!(
        "wangge-{}.db",
        chrono::Utc::now().format("%Y%m%d-%H%M%S-%3f")
    ));
    backup_to(db, &file).await?;
    let mut old: Vec<PathBuf> = std::fs::read_dir(dir)?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| {
            p.file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.starts_with("wangge-") && n.ends_with(".db"))
        })
        .collect();
    old.sort();
    let drop = old.len().saturating_sub(keep.max(1));
    for p in old.into_iter().take(drop) {
        if let Err(e) = std::fs::remove_file(&p) {
            tracing::warn!(error = %e, file = %p.display(), "could not remove an old backup");
        }
    }
    Ok(file)
}
