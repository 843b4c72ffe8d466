//! The `wangge` command: serve, demo, migrate, user and org administration.

use anyhow::{Context, bail};
use clap::{Args, Parser, Subcommand};
use std::path::PathBuf;
use wangge::infra::config::{Config, FileConfig};
use wangge::infra::db;
use wangge::web::Caller;
use wangge::{Server, demo, org, users};

#[derive(Parser)]
#[command(name = "wangge", version, about = "网格：党建引领网格化基层治理平台")]
struct Cli {
    /// A TOML config file (flags and WANGGE_* variables override it).
    #[arg(long, global = true, env = "WANGGE_CONFIG")]
    config: Option<PathBuf>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Args, Clone)]
struct DbArgs {
    /// Where the SQLite file and uploads live.
    #[arg(long, env = "WANGGE_DATA_DIR")]
    data_dir: Option<PathBuf>,
    /// sqlite://… or postgres://… (default: a SQLite file in the data dir).
    #[arg(long, env = "WANGGE_DATABASE_URL")]
    database_url: Option<String>,
}

#[derive(Args, Clone)]
struct ServeArgs {
    /// Address to listen on.
    #[arg(long, env = "WANGGE_LISTEN")]
    listen: Option<String>,
    #[command(flatten)]
    db: DbArgs,
    /// Back the database up into this directory on a schedule (SQLite).
    #[arg(long, env = "WANGGE_BACKUP_DIR")]
    backup_dir: Option<PathBuf>,
    /// Hours between two scheduled backups.
    #[arg(long, env = "WANGGE_BACKUP_EVERY", default_value_t = 24.0)]
    backup_every: f64,
    /// How many scheduled backups are kept (the newest).
    #[arg(long, env = "WANGGE_BACKUP_KEEP", default_value_t = 7)]
    backup_keep: usize,
}

impl ServeArgs {
    /// The scheduled backups these flags ask for.
    fn backups(&self) -> anyhow::Result<Option<wangge::infra::config::Backups>> {
        let Some(dir) = self.backup_dir.clone() else {
            return Ok(None);
        };
        if !(self.backup_every.is_finite() && self.backup_every >= 0.01) {
            bail!("--backup-every 应为大于 0 的小时数（如 24 或 0.5）");
        }
        Ok(Some(wangge::infra::config::Backups {
            dir,
            every: std::time::Duration::from_secs_f64(self.backup_every * 3600.0),
            keep: self.backup_keep.max(1),
        }))
    }
}

#[derive(Subcommand)]
enum Command {
    /// Serve the web UI and the API.
    Serve(ServeArgs),
    /// Build a fresh demo street in the data dir, then serve it.
    Demo {
        #[command(flatten)]
        serve: ServeArgs,
        /// The password of every demo account.
        #[arg(long, env = "WANGGE_DEMO_PASSWORD", default_value = "wangge-demo")]
        demo_password: String,
        /// The generator's seed (the same seed builds the same street).
        #[arg(long, default_value_t = 20261122)]
        seed: u64,
        /// On PostgreSQL: drop every table first (SQLite files are always rebuilt).
        #[arg(long)]
        reset: bool,
        /// Build the demo and exit without serving.
        #[arg(long)]
        no_serve: bool,
    },
    /// Apply pending database migrations and exit.
    Migrate(DbArgs),
    /// Write a consistent copy of the database to FILE while the server runs (SQLite; the data
    /// key is not in it: keep the key file or WANGGE_DATA_KEY apart).
    Backup {
        file: PathBuf,
        #[command(flatten)]
        db: DbArgs,
    },
    /// Put a backup FILE in place of the database (SQLite): the server must be stopped; the
    /// file is checked first and the old database kept beside it.
    Restore {
        file: PathBuf,
        #[command(flatten)]
        db: DbArgs,
    },
    /// Manage accounts.
    #[command(subcommand)]
    User(UserCmd),
    /// Manage the org tree.
    #[command(subcommand)]
    Org(OrgCmd),
    /// Import ledgers.
    #[command(subcommand)]
    Import(ImportCmd),
}

#[derive(Subcommand)]
enum ImportCmd {
    /// Import a population ledger (人口台账) from CSV or XLSX: rows are upserted by ID number,
    /// bad rows are written to FILE.rejected.xlsx next to the file.
    Residents {
        file: PathBuf,
        #[command(flatten)]
        db: DbArgs,
    },
}

#[derive(Subcommand)]
enum UserCmd {
    /// Create an account. On an empty database, --root-name and --root-code create the
    /// district node too, for the first administrator.
    Add {
        #[arg(long)]
        username: String,
        #[arg(long, default_value = "admin")]
        role: String,
        /// The shown name.
        #[arg(long)]
        name: Option<String>,
        /// The node (id or code) the account is bound to.
        #[arg(long)]
        org: Option<String>,
        /// For a department handler: the department id.
        #[arg(long)]
        department: Option<i64>,
        /// Create the root district with this name (empty database only).
        #[arg(long)]
        root_name: Option<String>,
        /// The root district's code.
        #[arg(long)]
        root_code: Option<String>,
        /// The password (default: a random one, printed once).
        #[arg(long, env = "WANGGE_NEW_PASSWORD")]
        password: Option<String>,
        #[command(flatten)]
        db: DbArgs,
    },
    /// Set an account's password.
    Passwd {
        username: String,
        /// The new password (default: a random one, printed once).
        #[arg(long, env = "WANGGE_NEW_PASSWORD")]
        password: Option<String>,
        #[command(flatten)]
        db: DbArgs,
    },
    /// Disable an account and end its sessions.
    Disable {
        username: String,
        #[command(flatten)]
        db: DbArgs,
    },
}

#[derive(Subcommand)]
enum OrgCmd {
    /// Import an org tree from a CSV or XLSX file (all rows or none).
    Import {
        file: PathBuf,
        #[command(flatten)]
        db: DbArgs,
    },
}

fn config(
    file: Option<&PathBuf>,
    listen: Option<String>,
    dbargs: &DbArgs,
) -> anyhow::Result<Config> {
    let fc = match file {
        Some(p) => FileConfig::read(p)?,
        None => FileConfig::default(),
    };
    Config::resolve(
        fc,
        listen,
        dbargs.data_dir.clone(),
        dbargs.database_url.clone(),
    )
}

async fn open(cfg: &Config) -> anyhow::Result<sea_orm::DatabaseConnection> {
    if db::backend_of(&cfg.database_url)? == db::Backend::Sqlite {
        std::fs::create_dir_all(&cfg.data_dir)
            .with_context(|| format!("无法创建数据目录 {}", cfg.data_dir.display()))?;
        db::refuse_empty_file(&cfg.database_url)?;
        if db::sqlite_file(&cfg.database_url).is_some_and(|p| !p.exists()) {
            tracing::info!("no database file yet: a new install");
        }
    }
    let conn = db::connect(&cfg.database_url, None).await?;
    db::integrity_check(&conn).await?;
    wangge::app::migrate(&conn).await?;
    db::require_writable(&conn).await?;
    Ok(conn)
}

fn random_password() -> anyhow::Result<String> {
    let t = wangge::infra::tokens::random_token()?;
    Ok(format!("Wg{}", &t[..14]))
}

async fn serve(cfg: Config, conn: sea_orm::DatabaseConnection) -> anyhow::Result<()> {
    if !users::any(&conn)
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?
    {
        eprintln!(
            "数据库中还没有任何账号。请先创建第一个管理员，例如：\n  wangge user add --username admin --role admin --name 管理员 --root-name 某某区 --root-code 330106\n（已有组织树时用 --org 节点编码 代替 --root-name/--root-code）"
        );
    }
    let server = Server::bind(cfg, conn).await?;
    let addr = server.local_addr()?;
    tracing::info!(%addr, "wangge is serving");
    eprintln!("网格平台已启动：http://{addr}");
    server.run().await
}

async fn find_node(conn: &sea_orm::DatabaseConnection, key: &str) -> anyhow::Result<i64> {
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
    use wangge::org::entity::node;
    if let Ok(id) = key.parse::<i64>()
        && let Some(n) = node::Entity::find_by_id(id).one(conn).await?
    {
        return Ok(n.id);
    }
    let found = node::Entity::find()
        .filter(node::Column::Code.eq(key))
        .all(conn)
        .await?;
    match found.as_slice() {
        [one] => Ok(one.id),
        [] => bail!("找不到节点 {key}（按 id 或编码）"),
        _ => bail!("编码 {key} 对应多个节点，请用节点 id"),
    }
}

fn app(e: wangge::infra::error::AppError) -> anyhow::Error {
    match e {
        wangge::infra::error::AppError::Internal(inner) => inner,
        other => anyhow::anyhow!("{other}"),
    }
}

async fn run(cli: Cli) -> anyhow::Result<()> {
    match cli.command {
        Command::Serve(a) => {
            let mut cfg = config(cli.config.as_ref(), a.listen.clone(), &a.db)?;
            cfg.backups = a.backups()?;
            if cfg.backups.is_some() && db::backend_of(&cfg.database_url)? != db::Backend::Sqlite {
                bail!("{}", db::backup::POSTGRES_TOOLS);
            }
            let conn = open(&cfg).await?;
            serve(cfg, conn).await
        }
        Command::Backup { file, db: d } => {
            let cfg = config(cli.config.as_ref(), None, &d)?;
            if db::backend_of(&cfg.database_url)? != db::Backend::Sqlite {
                bail!("{}", db::backup::POSTGRES_TOOLS);
            }
            if db::sqlite_file(&cfg.database_url).is_none_or(|p| !p.exists()) {
                bail!("数据目录 {} 里没有数据库", cfg.data_dir.display());
            }
            let conn = db::connect(&cfg.database_url, None).await?;
            let started = std::time::Instant::now();
            let bytes = db::backup::backup_to(&conn, &file).await?;
            eprintln!(
                "已备份到 {}（{:.1} MB，用时 {:.1} 秒）。数据密钥不在备份里，请另行保管。",
                file.display(),
                bytes as f64 / 1_048_576.0,
                started.elapsed().as_secs_f64()
            );
            Ok(())
        }
        Command::Restore { file, db: d } => {
            let cfg = config(cli.config.as_ref(), None, &d)?;
            let kept = db::backup::restore(&cfg.database_url, &cfg.data_dir, &file).await?;
            match kept {
                Some(old) => eprintln!(
                    "已从 {} 恢复；原来的数据库保存在 {}",
                    file.display(),
                    old.display()
                ),
                None => eprintln!("已从 {} 恢复", file.display()),
            }
            Ok(())
        }
        Command::Demo {
            serve: a,
            demo_password,
            seed,
            reset,
            no_serve,
        } => {
            let mut cfg = config(cli.config.as_ref(), a.listen.clone(), &a.db)?;
            cfg.demo_hint = demo_password == "wangge-demo";
            wangge_core::validate::password(&demo_password)
                .map_err(|e| anyhow::anyhow!("演示密码不合要求：{e}"))?;
            match db::backend_of(&cfg.database_url)? {
                db::Backend::Sqlite => {
                    std::fs::create_dir_all(&cfg.data_dir)
                        .with_context(|| format!("无法创建数据目录 {}", cfg.data_dir.display()))?;
                    if a.db.database_url.is_none() {
                        for suffix in ["", "-wal", "-shm"] {
                            let p = cfg.data_dir.join(format!("wangge.db{suffix}"));
                            if p.exists() {
                                std::fs::remove_file(&p).with_context(|| {
                                    format!("无法删除旧的演示库 {}", p.display())
                                })?;
                            }
                        }
                    }
                }
                db::Backend::Postgres => {}
            }
            let conn = db::connect(&cfg.database_url, None).await?;
            if reset {
                use sea_orm_migration::MigratorTrait;
                db::migrations::Migrator::fresh(&conn)
                    .await
                    .context("清空数据库失败")?;
            }
            wangge::app::migrate(&conn).await?;
            if users::any(&conn).await.map_err(app)? {
                bail!(
                    "数据库里已有数据：演示数据只建在空库中。SQLite 请换一个数据目录；PostgreSQL 可加 --reset 清空后重建。"
                );
            }
            let started = std::time::Instant::now();
            let made = demo::generate(&conn, seed, &demo_password)
                .await
                .map_err(app)?;
            let vault = wangge::open_vault(&cfg, &conn).await?;
            let st = wangge::app::state(conn.clone(), cfg.clone(), vault);
            let cases = demo::cases::generate(&st, seed, 1500, 120)
                .await
                .map_err(app)?;
            let people = demo::people::generate(&wangge::people::PeopleState::of(&st), seed)
                .await
                .map_err(app)?;
            let party = demo::party::lives(&st, seed).await.map_err(app)?;
            demo::command::generate(&st).await.map_err(app)?;
            eprintln!(
                "演示数据已生成：{} 个节点、{} 个部门、{} 个账号、{} 件案件、{} 位居民、{} 名党员和入党申请人（{} 条联户、{} 次组织生活、{} 个微心愿），用时 {:.1} 秒。管理员账号 admin，密码 {}",
                made.nodes,
                made.departments,
                made.users,
                cases,
                people.inserted,
                party.members,
                party.links,
                party.meetings,
                party.wishes,
                started.elapsed().as_secs_f64(),
                if demo_password == "wangge-demo" {
                    "wangge-demo"
                } else {
                    "（您指定的密码）"
                }
            );
            if no_serve {
                return Ok(());
            }
            serve(cfg, conn).await
        }
        Command::Migrate(d) => {
            let cfg = config(cli.config.as_ref(), None, &d)?;
            open(&cfg).await?;
            eprintln!("数据库迁移完成");
            Ok(())
        }
        Command::User(UserCmd::Add {
            username,
            role,
            name,
            org,
            department,
            root_name,
            root_code,
            password,
            db: d,
        }) => {
            let cfg = config(cli.config.as_ref(), None, &d)?;
            let conn = open(&cfg).await?;
            let org_id = match (org, root_name, root_code) {
                (Some(o), None, None) => Some(find_node(&conn, &o).await?),
                (None, Some(name), Some(code)) => {
                    let n = org::service::create(
                        &conn,
                        &Caller::cli(),
                        org::service::NewNode {
                            parent_id: None,
                            level: "district".into(),
                            kind: None,
                            code,
                            name,
                            sort_order: None,
                        },
                    )
                    .await
                    .map_err(app)?;
                    eprintln!("已创建根节点 {}（id {}）", n.name, n.id);
                    Some(n.id)
                }
                (None, None, None) if department.is_some() => None,
                _ => {
                    bail!("请用 --org 指定节点，或在空库中用 --root-name 和 --root-code 创建根节点")
                }
            };
            let (password, generated) = match password {
                Some(p) => (p, false),
                None => (random_password()?, true),
            };
            let u = users::create(
                &conn,
                &Caller::cli(),
                users::NewUser {
                    display_name: name.unwrap_or_else(|| username.clone()),
                    username,
                    role,
                    org_id,
                    department_id: department,
                    password: password.clone(),
                    service: false,
                },
            )
            .await
            .map_err(app)?;
            eprintln!(
                "已创建账号 {}（{}，{}）",
                u.username, u.role_label, u.org_name
            );
            if generated {
                println!("初始密码（只显示这一次）：{password}");
            }
            Ok(())
        }
        Command::User(UserCmd::Passwd {
            username,
            password,
            db: d,
        }) => {
            let cfg = config(cli.config.as_ref(), None, &d)?;
            let conn = open(&cfg).await?;
            let u = users::by_username(&conn, &username)
                .await
                .map_err(app)?
                .with_context(|| format!("没有账号 {username}"))?;
            let (password, generated) = match password {
                Some(p) => (p, false),
                None => (random_password()?, true),
            };
            users::reset_password(&conn, &Caller::cli(), u.id, &password)
                .await
                .map_err(app)?;
            eprintln!("账号 {} 的密码已修改，其登录会话已结束", u.username);
            if generated {
                println!("新密码（只显示这一次）：{password}");
            }
            Ok(())
        }
        Command::User(UserCmd::Disable { username, db: d }) => {
            let cfg = config(cli.config.as_ref(), None, &d)?;
            let conn = open(&cfg).await?;
            let u = users::by_username(&conn, &username)
                .await
                .map_err(app)?
                .with_context(|| format!("没有账号 {username}"))?;
            users::set_status(&conn, &Caller::cli(), u.id, false)
                .await
                .map_err(app)?;
            eprintln!("账号 {} 已禁用", u.username);
            Ok(())
        }
        Command::Import(ImportCmd::Residents { file, db: d }) => {
            let cfg = config(cli.config.as_ref(), None, &d)?;
            import_residents(cfg, file).await
        }
        Command::Org(OrgCmd::Import { file, db: d }) => {
            let cfg = config(cli.config.as_ref(), None, &d)?;
            let bytes =
                std::fs::read(&file).with_context(|| format!("无法读取文件 {}", file.display()))?;
            let conn = open(&cfg).await?;
            let rows = org::import::parse(&bytes).map_err(app)?;
            let report = org::import::import(&conn, &Caller::cli(), rows)
                .await
                .map_err(app)?;
            if report.committed {
                eprintln!(
                    "导入完成：{} 行，新增 {}，更新 {}，未变 {}",
                    report.rows, report.inserted, report.updated, report.unchanged
                );
                Ok(())
            } else {
                for e in &report.errors {
                    eprintln!("第 {} 行：{}", e.line, e.message);
                }
                bail!(
                    "有 {} 行不合格，整个文件未导入（全部改正后重新导入）",
                    report.errors.len()
                )
            }
        }
    }
}

/// Imports a population ledger with a progress bar on the terminal.
async fn import_residents(cfg: Config, file: PathBuf) -> anyhow::Result<()> {
    use std::io::IsTerminal;
    use std::sync::atomic::Ordering;
    use wangge::people::import::{self, Input, Progress};
    if !file.is_file() {
        bail!("找不到文件 {}", file.display());
    }
    let conn = open(&cfg).await?;
    let vault = wangge::open_vault(&cfg, &conn).await?;
    let st = wangge::app::state(conn, cfg, vault);
    let progress = std::sync::Arc::new(Progress::default());
    let shown = progress.clone();
    let tty = std::io::stderr().is_terminal();
    let bar = tokio::spawn(async move {
        let started = std::time::Instant::now();
        loop {
            tokio::time::sleep(std::time::Duration::from_millis(if tty {
                200
            } else {
                5000
            }))
            .await;
            let rows = shown.done.load(Ordering::Relaxed);
            let rate = rows as f64 / started.elapsed().as_secs_f64().max(0.001);
            let line = match shown.fraction() {
                Some(f) => {
                    let filled = (f * 30.0) as usize;
                    format!(
                        "导入中 [{}{}] {:>3.0}%  {rows} 行  {rate:.0} 行/秒",
                        "#".repeat(filled),
                        "-".repeat(30 - filled.min(30)),
                        f * 100.0
                    )
                }
                None => format!("导入中 {rows} 行  {rate:.0} 行/秒"),
            };
            if tty {
                eprint!("\r{line}   ");
            } else {
                eprintln!("{line}");
            }
        }
    });
    let result = import::import(
        &wangge::people::PeopleState::of(&st),
        &Caller::cli(),
        Input::Path(file.clone()),
        progress,
    )
    .await;
    bar.abort();
    if tty {
        eprint!("\r{}\r", " ".repeat(70));
    }
    let report = result.map_err(app)?;
    eprintln!("{}", report.summary());
    if report.rejected > 0 {
        let stem = file
            .file_stem()
            .map_or_else(|| "import".into(), |s| s.to_string_lossy().into_owned());
        let out = file.with_file_name(format!("{stem}.rejected.xlsx"));
        std::fs::write(&out, report.rejected_xlsx().map_err(app)?)
            .with_context(|| format!("无法写入退回行报告 {}", out.display()))?;
        eprintln!(
            "退回的 {} 行及原因已写入 {}",
            report.rejected,
            out.display()
        );
    }
    Ok(())
}

#[tokio::main]
async fn main() -> std::process::ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("WANGGE_LOG")
                .unwrap_or_else(|_| "info,sqlx=warn,sea_orm=warn".into()),
        )
        .with_writer(std::io::stderr)
        .init();
    match run(Cli::parse()).await {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("错误：{e:#}");
            std::process::ExitCode::FAILURE
        }
    }
}
