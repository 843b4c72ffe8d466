//! Connections, migrations and the one scope filter.
//!
//! One codebase serves SQLite (the embedded default, a file in the data dir, WAL) and
//! PostgreSQL (any `postgres://` URL). The backend is picked from the URL; an unknown scheme
//! is refused rather than silently creating something.

pub mod backup;
pub mod case_tallies;
pub mod migrations;

use crate::infra::clock::now_ms;
use anyhow::Context;
use sea_orm::sea_query::{Expr, SimpleExpr};
use sea_orm::{
    ConnectOptions, ConnectionTrait, Database, DatabaseConnection, DbBackend, ExprTrait,
};
use sea_orm_migration::MigratorTrait;
use std::time::Duration;
use wangge_core::{OrgPath, Scope};

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
                    // NORMAL: a commit survives the process dying; FULL (WANGGE_SQLITE_SYNCHRONOUS=full)
                    // also a power loss, at the price of an fsync per commit.
                    .synchronous(sqlite_synchronous())
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
            opts.map_sqlx_sqlite_pool_opts(|p| p.after_release(|c, _| Box::pin(sound_sqlite(c))));
        }
        Backend::Postgres => {
            opts.max_connections(size.unwrap_or(16)).min_connections(1);
            if let Some(s) = schema {
                opts.set_schema_search_path(s.to_owned());
            }
            // No JIT compilation: our statements are short, and PostgreSQL's estimate of the
            // case tallies' statement trigger passes its threshold, so that compiling took
            // ~350 ms of every batch of reports (intake fell to 75 reports a second).
            opts.map_sqlx_postgres_opts(|o| o.options([("jit", "off")]));
            opts.map_sqlx_postgres_pool_opts(|p| {
                p.after_release(|c, _| {
                    Box::pin(async move {
                        use sea_orm::sqlx::Connection;
                        let inside = c.is_in_transaction();
                        if inside {
                            tracing::warn!("a connection came back inside a transaction: closed");
                        }
                        Ok(!inside)
                    })
                })
            });
        }
    }
    Database::connect(opts)
        .await
        .with_context(|| match backend {
            Backend::Sqlite if !sqlite_writable(url) => {
                format!("{CANNOT_WRITE}（{}）", redact_url(url))
            }
            Backend::Sqlite => format!(
                "无法打开数据库 {}（文件若已损坏，请用 wangge restore 从备份恢复）",
                redact_url(url)
            ),
            Backend::Postgres => format!("无法连接数据库 {}", redact_url(url)),
        })
}

/// What the server says when it cannot write its database.
const CANNOT_WRITE: &str =
    "数据库无法写入（只读、磁盘已满或没有权限）：请检查数据目录和数据库文件的权限与磁盘空间";

/// Whether an SQLite database's file (if there is one) and its directory can be written: the
/// journal files beside it must be created, so a read-only directory fails as surely as a
/// read-only file. Used to say why an open failed.
fn sqlite_writable(url: &str) -> bool {
    let Some(file) = sqlite_file(url) else {
        return true;
    };
    let file_ok = !file.exists() || std::fs::OpenOptions::new().write(true).open(&file).is_ok();
    let dir = file
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(std::path::Path::new("."));
    let probe = dir.join(format!(".wangge-write-probe-{}", std::process::id()));
    let dir_ok = std::fs::write(&probe, b"").is_ok();
    let _ = std::fs::remove_file(&probe);
    file_ok && dir_ok
}

/// Whether an SQLite connection coming back to the pool is fit to be used again. After a
/// storage error (a full disk, an I/O error) the driver's count of open transactions and
/// SQLite's own can part: a failed COMMIT may leave SQLite inside a transaction the driver
/// thinks ended, so that every later "commit" on that connection would only release a
/// savepoint of a transaction that never commits. A connection the driver still counts inside
/// a transaction is closed; any transaction SQLite still holds is rolled back (nothing in it
/// was acknowledged: an acknowledgement follows a COMMIT that succeeded).
async fn sound_sqlite(
    c: &mut sea_orm::sqlx::SqliteConnection,
) -> Result<bool, sea_orm::sqlx::Error> {
    use sea_orm::sqlx::{Connection, Executor};
    if c.is_in_transaction() {
        tracing::warn!("a connection came back inside a transaction: closed");
        return Ok(false);
    }
    // "No transaction is active" is the answer when all is well.
    if c.execute("ROLLBACK").await.is_ok() {
        tracing::warn!(
            "a connection came back holding a transaction SQLite had kept open: rolled back"
        );
    }
    Ok(true)
}

/// How SQLite syncs a commit to disk: `NORMAL` (the default) or `FULL`, from
/// `WANGGE_SQLITE_SYNCHRONOUS` (see the README's durability contract).
fn sqlite_synchronous() -> sea_orm::sqlx::sqlite::SqliteSynchronous {
    match std::env::var("WANGGE_SQLITE_SYNCHRONOUS") {
        Ok(v) if v.eq_ignore_ascii_case("full") => sea_orm::sqlx::sqlite::SqliteSynchronous::Full,
        _ => sea_orm::sqlx::sqlite::SqliteSynchronous::Normal,
    }
}

/// The SQLite file a URL names, if it names one.
pub fn sqlite_file(url: &str) -> Option<std::path::PathBuf> {
    let rest = url
        .strip_prefix("sqlite://")
        .or_else(|| url.strip_prefix("sqlite:"))?;
    let path = rest.split('?').next().unwrap_or(rest);
    (!path.is_empty() && !path.starts_with(":memory:")).then(|| std::path::PathBuf::from(path))
}

/// Refuses a database file that would be mistaken for a new install: one of 0 bytes (left where
/// a database was, by a failed copy or a full disk) is never silently started afresh.
pub fn refuse_empty_file(url: &str) -> anyhow::Result<()> {
    if let Some(p) = sqlite_file(url)
        && std::fs::metadata(&p).is_ok_and(|m| m.len() == 0)
    {
        anyhow::bail!(
            "数据库文件 {} 存在但大小为 0 字节：它可能在复制或磁盘写满时被截断。\n\
             若这确是一个新安装，请删除这个文件后再启动；否则请用 wangge restore 从备份恢复。",
            p.display()
        );
    }
    Ok(())
}

/// Checks at start, before anything is written, that an SQLite database is sound: a quick
/// integrity check of its pages and indexes. A damaged file is refused with what to do.
/// (PostgreSQL checks its own pages.)
pub async fn integrity_check(db: &DatabaseConnection) -> anyhow::Result<()> {
    if backend(db) != Backend::Sqlite {
        return Ok(());
    }
    let started = std::time::Instant::now();
    let rows = db
        .query_all_raw(sea_orm::Statement::from_string(
            DbBackend::Sqlite,
            "PRAGMA quick_check",
        ))
        .await
        .context("数据库完整性检查失败：文件可能已损坏，请用 wangge restore 从备份恢复")?;
    let report: Vec<String> = rows
        .iter()
        .filter_map(|r| r.try_get_by_index::<String>(0).ok())
        .collect();
    if report != ["ok"] {
        anyhow::bail!(
            "数据库完整性检查未通过（{}）：文件已损坏，请用 wangge restore 从备份恢复",
            report.join("；").chars().take(300).collect::<String>()
        );
    }
    tracing::info!(ms = started.elapsed().as_millis() as u64, "quick_check ok");
    Ok(())
}

/// Checks at start, after the migrations, that the database takes writes: a read-only file
/// or directory, or a read-only server, is refused with what to do.
pub async fn require_writable(db: &DatabaseConnection) -> anyhow::Result<()> {
    write_probe(db).await.context(CANNOT_WRITE)
}

/// Takes the write lock and lets it go, writing nothing: fails when the database cannot be
/// written (read-only file or directory, read-only server, no space for the journal).
pub async fn write_probe(db: &DatabaseConnection) -> Result<(), sea_orm::DbErr> {
    let tx = begin_write(db).await?;
    // A statement that writes, so that PostgreSQL (whose BEGIN takes no lock) is asked too;
    // it changes nothing.
    tx.execute_unprepared("UPDATE seaql_migrations SET version = version WHERE version = ''")
        .await?;
    tx.rollback().await
}

/// Takes the lock every change to the tree's shape or status waits on, in the transaction that
/// makes it: the row of the tree's root, `FOR UPDATE` on PostgreSQL (SQLite's `BEGIN IMMEDIATE`
/// already lets one writer in at a time). So "delete only an empty node", "a new node under an
/// active parent" and "no cycle after a move" hold when two administrators act at once: the
/// second reads what the first committed. Changes of the tree are rare; waiting is short.
pub async fn lock_tree(txn: &impl ConnectionTrait) -> Result<(), sea_orm::DbErr> {
    if txn.get_database_backend() == DbBackend::Postgres {
        txn.execute_unprepared("SELECT id FROM org_nodes WHERE parent_id IS NULL FOR UPDATE")
            .await?;
    }
    Ok(())
}

/// The materialized path of the tree's root (the district), if there is a tree.
pub async fn root_path(db: &impl ConnectionTrait) -> Result<Option<String>, sea_orm::DbErr> {
    let row = db
        .query_one_raw(sea_orm::Statement::from_string(
            db.get_database_backend(),
            "SELECT path FROM org_nodes WHERE parent_id IS NULL ORDER BY id LIMIT 1",
        ))
        .await?;
    row.map(|r| r.try_get::<String>("", "path")).transpose()
}

/// A node's name, if the node exists.
pub async fn node_name(
    db: &impl ConnectionTrait,
    id: i64,
) -> Result<Option<String>, sea_orm::DbErr> {
    let row = db
        .query_one_raw(statement(
            db,
            "SELECT name FROM org_nodes WHERE id = $1",
            vec![id.into()],
        ))
        .await?;
    row.map(|r| r.try_get::<String>("", "name")).transpose()
}

/// Locks one row for the rest of the transaction (`FOR UPDATE` on PostgreSQL; SQLite already
/// serializes writers), so that a rule checked on it holds until the commit.
pub async fn lock_row(
    txn: &impl ConnectionTrait,
    table: &str,
    id: i64,
) -> Result<(), sea_orm::DbErr> {
    if txn.get_database_backend() == DbBackend::Postgres {
        txn.execute_raw(statement(
            txn,
            &format!("SELECT id FROM {table} WHERE id = $1 FOR UPDATE"),
            vec![id.into()],
        ))
        .await?;
    }
    Ok(())
}

/// A real write, as small as can be: the time of the last health check in `settings`. It fails
/// when the database cannot take writes (full disk, read-only file or server).
pub async fn health_write(db: &DatabaseConnection) -> Result<(), sea_orm::DbErr> {
    exec(
        db,
        "INSERT INTO settings (name, value, updated_at) VALUES ('health.probe', '', $1) \
         ON CONFLICT (name) DO UPDATE SET updated_at = excluded.updated_at",
        vec![now_ms().into()],
    )
    .await
    .map(|_| ())
}

/// Applies every pending migration and builds the indexes kept outside them. Seeding the
/// slices' reference data is the app's (`app::migrate`).
pub async fn migrate(db: &DatabaseConnection) -> anyhow::Result<()> {
    migrations::Migrator::up(db, None)
        .await
        .context("数据库迁移失败")?;
    migrations::ensure_search_indexes(db)
        .await
        .context("无法建立居民查找索引")
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
    subtree(column, scope.root())
}

/// The subtree filter: rows whose path `column` lies at `path` or under it. The scope filter is
/// this on the caller's root; a page that narrows to one community or grid uses it too. The
/// one place a subtree's `LIKE` pattern is made (paths hold only digits and slashes).
pub fn subtree(column: impl sea_orm::sea_query::IntoColumnRef, path: &OrgPath) -> SimpleExpr {
    Expr::col(column).like(Scope::new(path.clone()).like_pattern())
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
/// (`BEGIN IMMEDIATE`), so two writers queue instead of one failing when it upgrades a read
/// lock; PostgreSQL ignores the mode.
///
/// On SQLite the writers of one database file also take turns in the order they came, through
/// a fair lock held until the transaction ends. SQLite's own busy wait polls, and a writer that
/// commits and begins again at once (an import's batches) would win every time: an edit saved
/// from a form while a long import ran waited for the whole import. Now it waits for one batch.
pub async fn begin_write(db: &DatabaseConnection) -> Result<WriteTxn, sea_orm::DbErr> {
    use sea_orm::TransactionTrait;
    let turn = match db.get_database_backend() {
        DbBackend::Sqlite => Some(write_turns(db).lock_owned().await),
        _ => None,
    };
    let txn = db
        .begin_with_options(sea_orm::TransactionOptions {
            sqlite_transaction_mode: Some(sea_orm::SqliteTransactionMode::Immediate),
            ..Default::default()
        })
        .await?;
    Ok(WriteTxn { txn, _turn: turn })
}

/// The fair lock of the SQLite file `db` writes to (one per file, made on first use).
fn write_turns(db: &DatabaseConnection) -> std::sync::Arc<tokio::sync::Mutex<()>> {
    use std::collections::HashMap;
    use std::path::PathBuf;
    use std::sync::{Arc, LazyLock, Mutex};
    type Turns = Mutex<HashMap<PathBuf, Arc<tokio::sync::Mutex<()>>>>;
    static TURNS: LazyLock<Turns> = LazyLock::new(Turns::default);
    let file = db
        .get_sqlite_connection_pool()
        .connect_options()
        .get_filename()
        .to_path_buf();
    let mut turns = TURNS
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    turns.entry(file).or_default().clone()
}

/// A transaction begun by [`begin_write`]: used as any connection, ended by [`WriteTxn::commit`]
/// (dropped, it rolls back). It holds the writer's turn until it ends.
pub struct WriteTxn {
    // Declared first, dropped first: the transaction ends before the turn passes on.
    txn: sea_orm::DatabaseTransaction,
    _turn: Option<tokio::sync::OwnedMutexGuard<()>>,
}

impl WriteTxn {
    /// Commits.
    pub async fn commit(self) -> Result<(), sea_orm::DbErr> {
        self.txn.commit().await
    }

    /// Rolls back.
    pub async fn rollback(self) -> Result<(), sea_orm::DbErr> {
        self.txn.rollback().await
    }
}

#[async_trait::async_trait]
impl ConnectionTrait for WriteTxn {
    fn get_database_backend(&self) -> DbBackend {
        self.txn.get_database_backend()
    }

    async fn execute_raw(
        &self,
        stmt: sea_orm::Statement,
    ) -> Result<sea_orm::ExecResult, sea_orm::DbErr> {
        self.txn.execute_raw(stmt).await
    }

    async fn execute_unprepared(&self, sql: &str) -> Result<sea_orm::ExecResult, sea_orm::DbErr> {
        self.txn.execute_unprepared(sql).await
    }

    async fn query_one_raw(
        &self,
        stmt: sea_orm::Statement,
    ) -> Result<Option<sea_orm::QueryResult>, sea_orm::DbErr> {
        self.txn.query_one_raw(stmt).await
    }

    async fn query_all_raw(
        &self,
        stmt: sea_orm::Statement,
    ) -> Result<Vec<sea_orm::QueryResult>, sea_orm::DbErr> {
        self.txn.query_all_raw(stmt).await
    }

    fn support_returning(&self) -> bool {
        self.txn.support_returning()
    }

    fn is_mock_connection(&self) -> bool {
        self.txn.is_mock_connection()
    }
}

/// A statement written with `$1, $2…` placeholders for either backend. SQLite gets `?NNN`,
/// which binds the NNN-th value wherever it stands, so `$4` before `$1` binds what PostgreSQL
/// binds (a plain `?` would take the values in order of appearance). Every value must be named
/// and no placeholder may name a value that is not given: checked in debug builds, so that a
/// statement whose numbering is off fails the first test that runs it.
pub fn statement(
    db: &impl ConnectionTrait,
    sql: &str,
    values: Vec<sea_orm::Value>,
) -> sea_orm::Statement {
    let backend = db.get_database_backend();
    let (rewritten, used) = numbered_placeholders(sql, backend != DbBackend::Postgres);
    debug_assert!(
        used.len() == values.len() && used.iter().enumerate().all(|(i, n)| *n == i + 1),
        "placeholders {used:?} do not name the {} values of: {sql}",
        values.len()
    );
    sea_orm::Statement::from_sql_and_values(backend, rewritten, values)
}

/// The statement with `$n` turned into `?n` (when `rewrite`), and the distinct placeholder
/// numbers it uses, sorted.
fn numbered_placeholders(sql: &str, rewrite: bool) -> (String, Vec<usize>) {
    // The placeholders in the order they appear.
    let mut seen = Vec::new();
    let mut chars = sql.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '$' && chars.peek().is_some_and(char::is_ascii_digit) {
            let mut n = String::new();
            while let Some(d) = chars.next_if(char::is_ascii_digit) {
                n.push(d);
            }
            seen.push(n.parse::<usize>().unwrap_or(0));
        }
    }
    // On SQLite, placeholders that appear once each and in order become plain `?`: the driver
    // looks up the name of every `?NNN` parameter, and SQLite finds a name by walking the list
    // of all of them, so a bulk insert of thousands of values spent most of its time there
    // (an import of 1,000,000 residents ran at 3,000 rows/s instead of 25,000).
    let in_order = seen.iter().enumerate().all(|(i, n)| *n == i + 1);
    let mut out = String::with_capacity(sql.len() + 8);
    let mut chars = sql.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '$' && chars.peek().is_some_and(char::is_ascii_digit) {
            let mut n = String::new();
            while let Some(d) = chars.next_if(char::is_ascii_digit) {
                n.push(d);
            }
            match (rewrite, in_order) {
                (true, true) => out.push('?'),
                (true, false) => {
                    out.push('?');
                    out.push_str(&n);
                }
                (false, _) => {
                    out.push('$');
                    out.push_str(&n);
                }
            }
        } else {
            out.push(c);
        }
    }
    let used: std::collections::BTreeSet<usize> = seen.into_iter().collect();
    (out, used.into_iter().collect())
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

/// A column by which a row holds an org node: its materialized path (`org_path`, which a move
/// of the tree rewrites and a scope filter matches by prefix) or its id (a case's
/// `building_id`). Each slice declares its own (`Slice::holds`); a node is deleted only when
/// no row holds it, and a move rewrites every path column.
#[derive(Clone, Copy, Debug)]
pub struct Hold {
    /// The table.
    pub table: &'static str,
    /// The column.
    pub column: &'static str,
    /// Whether the column holds a path (else an id).
    pub by_path: bool,
    /// What a row is, in Chinese, counted (`个部门`): for the message that refuses to delete a
    /// node still holding some.
    pub noun: &'static str,
    /// Whether the rows record history about a place without holding anything there (the audit
    /// log): they stay, readable by the levels above, when the node is deleted.
    pub history: bool,
}

impl Hold {
    /// A path column.
    pub const fn path(table: &'static str, column: &'static str, noun: &'static str) -> Hold {
        Hold {
            table,
            column,
            by_path: true,
            noun,
            history: false,
        }
    }

    /// An id column.
    pub const fn id(table: &'static str, column: &'static str, noun: &'static str) -> Hold {
        Hold {
            table,
            column,
            by_path: false,
            noun,
            history: false,
        }
    }

    /// A path column of history that does not keep its node from being deleted.
    pub const fn history(table: &'static str, column: &'static str) -> Hold {
        Hold {
            table,
            column,
            by_path: true,
            noun: "条记录",
            history: true,
        }
    }
}

/// The rows that still hold the node at `path` or a node under it, counted per column of
/// `holds` (history left out), as `12 户住户` phrases; empty when nothing does.
pub async fn rows_held(
    db: &impl ConnectionTrait,
    holds: &[Hold],
    path: &OrgPath,
) -> Result<Vec<String>, sea_orm::DbErr> {
    let mut held = Vec::new();
    let by_id = holds.iter().filter(|h| !h.by_path);
    let by_path = holds.iter().filter(|h| h.by_path && !h.history);
    for h in by_id.chain(by_path) {
        let column = Expr::col(sea_orm::sea_query::Alias::new(h.column));
        let rows = sea_orm::sea_query::Query::select()
            .expr(Expr::val(1))
            .from(sea_orm::sea_query::Alias::new(h.table))
            .and_where(if h.by_path {
                subtree(sea_orm::sea_query::Alias::new(h.column), path)
            } else {
                column.eq(path.id())
            })
            .to_owned();
        let n = capped_count(db, rows, 9_999).await?;
        let phrase = format!("{n} {}", h.noun);
        if n > 0 && !held.contains(&phrase) {
            held.push(phrase);
        }
    }
    Ok(held)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_keep_their_numbers_on_sqlite() {
        let (sql, used) =
            numbered_placeholders("a < $4 AND b LIKE $1 AND c >= $2 AND d < $3", true);
        assert_eq!(sql, "a < ?4 AND b LIKE ?1 AND c >= ?2 AND d < ?3");
        assert_eq!(used, [1, 2, 3, 4]);
        let (sql, used) = numbered_placeholders("x = $1 OR y = $1 AND z = '$'", false);
        assert_eq!(sql, "x = $1 OR y = $1 AND z = '$'");
        assert_eq!(used, [1]);
        let (_, used) = numbered_placeholders("x = $1 AND y = $3", true);
        assert_eq!(used, [1, 3], "a gap is seen, and refused by statement()");
    }

    /// Placeholders in order, each once (a bulk insert's), are plain `?` on SQLite: the driver
    /// looks up the name of every `?NNN`, which SQLite finds by walking all of them — thousands
    /// of values made that quadratic (an import of a million residents at 3,000 rows/s).
    #[test]
    fn placeholders_in_order_are_anonymous_on_sqlite() {
        let (sql, used) = numbered_placeholders("INSERT INTO t VALUES ($1, $2), ($3, $4)", true);
        assert_eq!(sql, "INSERT INTO t VALUES (?, ?), (?, ?)");
        assert_eq!(used, [1, 2, 3, 4]);
        let (sql, _) = numbered_placeholders("a = $1 OR b = $1", true);
        assert_eq!(
            sql, "a = ?1 OR b = ?1",
            "a value used twice keeps its number"
        );
    }

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
