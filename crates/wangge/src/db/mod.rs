//! Connections, migrations and the one scope filter.
//!
//! One codebase serves SQLite (the embedded default, a file in the data dir, WAL) and
//! PostgreSQL (any `postgres://` URL). The backend is picked from the URL; an unknown scheme
//! is refused rather than silently creating something.

pub mod migrations;

use anyhow::Context;
use sea_orm::sea_query::{Expr, SimpleExpr};
use sea_orm::{
    ConnectOptions, ConnectionTrait, Database, DatabaseConnection, DbBackend, ExprTrait,
};
use sea_orm_migration::MigratorTrait;
use std::time::Duration;
use wangge_core::Scope;

/// Which database a URL names.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    /// An SQLite file.
    Sqlite,
    /// A PostgreSQL server.
    Postgres,
}

/// Reads the backend from a database URL, refusing anything else with a clear message.
pub fn backend_of(url: &str) -> anyhow::Result<Backend> {
    if url.starts_with("sqlite:") {
        Ok(Backend::Sqlite)
    } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
        Ok(Backend::Postgres)
    } else {
        anyhow::bail!(
            "数据库地址无法识别：{}（应以 sqlite:// 或 postgres:// 开头）",
            redact_url(url)
        )
    }
}

/// The URL with any password replaced, for messages and logs.
pub fn redact_url(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(s), Some(at)) if at > s => {
            let creds = &url[s + 3..at];
            match creds.find(':') {
                Some(c) => format!("{}{}:***{}", &url[..s + 3], &creds[..c], &url[at..]),
                None => url.to_owned(),
            }
        }
        _ => url.to_owned(),
    }
}

/// Opens a pool on the URL; for PostgreSQL, `schema` (if any) becomes the search path, which
/// is how the tests give each case a fresh database.
pub async fn connect(url: &str, schema: Option<&str>) -> anyhow::Result<DatabaseConnection> {
    open(url, schema, None).await
}

/// Opens a pool of one connection on an SQLite URL: the intake writer's own, so the pages it
/// writes stay in that connection's cache instead of being read again by whichever pooled
/// connection takes the next batch.
pub async fn connect_single(url: &str) -> anyhow::Result<DatabaseConnection> {
    open(url, None, Some(1)).await
}

async fn open(
    url: &str,
    schema: Option<&str>,
    size: Option<u32>,
) -> anyhow::Result<DatabaseConnection> {
    let backend = backend_of(url)?;
    let mut opts = ConnectOptions::new(url.to_owned());
    opts.sqlx_logging(false)
        .connect_timeout(Duration::from_secs(8))
        .acquire_timeout(Duration::from_secs(15));
    match backend {
        Backend::Sqlite => {
            opts.max_connections(size.unwrap_or(8)).min_connections(1);
            opts.map_sqlx_sqlite_opts(|o| {
                o.create_if_missing(true)
                    .journal_mode(sea_orm::sqlx::sqlite::SqliteJournalMode::Wal)
                    .synchronous(sea_orm::sqlx::sqlite::SqliteSynchronous::Normal)
                    .busy_timeout(Duration::from_secs(10))
                    .foreign_keys(true)
                    // Org paths are ASCII; a case-sensitive LIKE lets `path LIKE '/1/2/%'`
                    // (the scope filter) use the path indexes, as on PostgreSQL.
                    .pragma("case_sensitive_like", "ON")
                    // The server copies the log back into the database in the background
                    // (`checkpoint_forever`), off the path of the commit that would otherwise
                    // do it every 1,000 pages; this bound only keeps the log from growing
                    // without end if that stops.
                    .pragma("wal_autocheckpoint", "20000")
                    // 32 MiB of page cache per connection (the default is 2 MiB): a registry
                    // of a million people has indexes on random keys (the blind indexes) whose
                    // inner pages should stay in memory while a ledger is imported.
                    .pragma("cache_size", "-32768")
            });
        }
        Backend::Postgres => {
            opts.max_connections(size.unwrap_or(16)).min_connections(1);
            if let Some(s) = schema {
                opts.set_schema_search_path(s.to_owned());
            }
        }
    }
    Database::connect(opts)
        .await
        .with_context(|| format!("无法连接数据库 {}", redact_url(url)))
}

/// Applies every pending migration and seeds the reference data (categories, calendar)
/// into empty tables.
pub async fn migrate(db: &DatabaseConnection) -> anyhow::Result<()> {
    migrations::Migrator::up(db, None)
        .await
        .context("数据库迁移失败")?;
    migrations::ensure_search_indexes(db)
        .await
        .context("无法建立居民查找索引")?;
    crate::cases::catalog::seed(db)
        .await
        .context("无法写入事项分类和工作日历的初始数据")?;
    crate::people::service::seed_tags(db)
        .await
        .context("无法写入重点人群标签的初始数据")
}

/// The backend of an open connection.
pub fn backend(db: &impl ConnectionTrait) -> Backend {
    match db.get_database_backend() {
        DbBackend::Postgres => Backend::Postgres,
        _ => Backend::Sqlite,
    }
}

/// The scope filter: the condition that keeps only rows whose `column` (a materialized org
/// path) lies in the scope's subtree. Every store that returns domain rows applies it; it is
/// one indexed prefix match.
pub fn in_scope(column: &'static str, scope: &Scope) -> SimpleExpr {
    Expr::col(column).like(scope.like_pattern())
}

/// Keeps the query planner's statistics fresh. SQLite plans without statistics until a table
/// is analyzed, and then may walk a status index over most of the table instead of the scope's
/// path indexes; `PRAGMA optimize` (with 0x10000: look at every table) analyzes the tables that
/// have none or whose size has changed a lot (a full ANALYZE of the cases at 1,000,000 rows
/// takes about a second; sampling with `analysis_limit` gave estimates too poor to help).
/// PostgreSQL's autovacuum does the same on its own.
pub async fn optimize(db: &DatabaseConnection) -> Result<(), sea_orm::DbErr> {
    if db.get_database_backend() == DbBackend::Sqlite {
        db.execute_unprepared("PRAGMA optimize = 0x10002;").await?;
    }
    Ok(())
}

/// Refreshes the planner's statistics at start and then every hour.
pub async fn optimize_forever(db: DatabaseConnection) {
    loop {
        if let Err(e) = optimize(&db).await {
            tracing::warn!(error = %e, "could not refresh the query planner's statistics");
        }
        tokio::time::sleep(Duration::from_secs(3600)).await;
    }
}

/// Copies SQLite's write-ahead log back into the database every second, without waiting on
/// readers or blocking writers (`PASSIVE`), so that no request pays for it. PostgreSQL does
/// its own checkpoints.
pub async fn checkpoint_forever(db: DatabaseConnection) {
    if db.get_database_backend() != DbBackend::Sqlite {
        return;
    }
    loop {
        tokio::time::sleep(Duration::from_secs(1)).await;
        if let Err(e) = db
            .execute_unprepared("PRAGMA wal_checkpoint(PASSIVE);")
            .await
        {
            tracing::warn!(error = %e, "could not checkpoint the write-ahead log");
        }
    }
}

/// Starts a transaction that will write. On SQLite it takes the write lock at once
/// (`BEGIN IMMEDIATE`), so two writers queue on the busy timeout instead of one failing
/// when it upgrades a read lock; PostgreSQL ignores the mode.
pub async fn begin_write(
    db: &DatabaseConnection,
) -> Result<sea_orm::DatabaseTransaction, sea_orm::DbErr> {
    use sea_orm::TransactionTrait;
    db.begin_with_options(sea_orm::TransactionOptions {
        sqlite_transaction_mode: Some(sea_orm::SqliteTransactionMode::Immediate),
        ..Default::default()
    })
    .await
}

/// A statement written with `$1, $2…` placeholders, each used once and in order, for either
/// backend (SQLite gets `?`).
pub fn statement(
    db: &impl ConnectionTrait,
    sql: &str,
    values: Vec<sea_orm::Value>,
) -> sea_orm::Statement {
    let backend = db.get_database_backend();
    let sql = match backend {
        DbBackend::Postgres => sql.to_owned(),
        _ => {
            let mut out = String::with_capacity(sql.len());
            let mut chars = sql.chars().peekable();
            while let Some(c) = chars.next() {
                if c == '$' && chars.peek().is_some_and(char::is_ascii_digit) {
                    while chars.peek().is_some_and(char::is_ascii_digit) {
                        chars.next();
                    }
                    out.push('?');
                } else {
                    out.push(c);
                }
            }
            out
        }
    };
    sea_orm::Statement::from_sql_and_values(backend, sql, values)
}

/// Runs one statement written with `$1, $2…` placeholders (see [`statement`]).
pub async fn exec(
    db: &impl ConnectionTrait,
    sql: &str,
    values: Vec<sea_orm::Value>,
) -> Result<u64, sea_orm::DbErr> {
    let res = db.execute_raw(statement(db, sql, values)).await?;
    Ok(res.rows_affected())
}

/// How many rows a query of ids returns, counted in the database up to `cap + 1`: a list says
/// "more than 10,000" instead of counting a million rows.
pub async fn capped_count(
    db: &impl ConnectionTrait,
    mut ids: sea_orm::sea_query::SelectStatement,
    cap: u64,
) -> Result<u64, sea_orm::DbErr> {
    ids.limit(cap + 1);
    let count = sea_orm::sea_query::Query::select()
        .expr(Expr::cust("COUNT(*)"))
        .from_subquery(ids, "capped")
        .to_owned();
    Ok(db.query_one(&count).await?.map_or(0, |r| {
        r.try_get_by_index::<Option<i64>>(0)
            .ok()
            .flatten()
            .map_or(0, |v| u64::try_from(v).unwrap_or(0))
    }))
}

/// Ids as an SQL list (`1,2,3`) for `IN (…)`: integers only, so nothing to escape.
pub fn id_list(ids: &[i64]) -> String {
    ids.iter().map(i64::to_string).collect::<Vec<_>>().join(",")
}

/// Milliseconds since the Unix epoch, UTC: how every timestamp is stored.
pub fn now_ms() -> i64 {
    chrono::Utc::now().timestamp_millis()
}

/// Columns holding materialized org paths that a move of the org tree must rewrite, as
/// `(table, column)`. A later capability that adds such a column adds it here.
pub const PATH_COLUMNS: &[(&str, &str)] = &[
    ("departments", "org_path"),
    ("users", "org_path"),
    ("audit_log", "org_path"),
    ("cases", "org_path"),
    ("cases", "dispatch_path"),
    ("cases", "assignee_path"),
    ("households", "org_path"),
    ("residents", "org_path"),
    ("resident_moves", "org_path"),
    ("household_docs", "org_path"),
    ("assessment_items", "org_path"),
    ("assessments", "org_path"),
    ("visits", "org_path"),
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls() {
        assert_eq!(
            backend_of("sqlite:///tmp/x.db?mode=rwc").ok(),
            Some(Backend::Sqlite)
        );
        assert_eq!(
            backend_of("postgres://u:p@h/db").ok(),
            Some(Backend::Postgres)
        );
        assert!(backend_of("mysql://h/db").is_err());
        assert_eq!(
            redact_url("postgres://u:secret@h:5432/db"),
            "postgres://u:***@h:5432/db"
        );
        assert_eq!(redact_url("sqlite:///a.db"), "sqlite:///a.db");
    }
}
