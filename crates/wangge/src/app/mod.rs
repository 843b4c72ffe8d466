//! The app: the state every handler reaches, the server that binds and runs it, and the jobs
//! that run beside it.

use sea_orm::DatabaseConnection;
use std::sync::Arc;

pub mod home;

/// Applies every pending migration, then seeds each slice's reference data into empty tables
/// (categories and the working calendar, the care-group tags).
pub async fn migrate(db: &DatabaseConnection) -> anyhow::Result<()> {
    use anyhow::Context;
    crate::infra::db::migrate(db).await?;
    crate::cases::catalog::seed(db)
        .await
        .context("无法写入事项分类和工作日历的初始数据")?;
    crate::people::service::seed_tags(db)
        .await
        .context("无法写入重点人群标签的初始数据")
}

/// What every handler can reach.
#[derive(Clone)]
pub struct AppState {
    /// The database pool.
    pub db: DatabaseConnection,
    /// The running configuration.
    pub config: Arc<crate::infra::config::Config>,
    /// Request counters for `/metrics`.
    pub metrics: Arc<crate::web::metrics::Metrics>,
    /// The category tree and working calendar, reloaded after edits.
    pub catalog: Arc<crate::cases::catalog::Cache>,
    /// Learned category models per street.
    pub models: Arc<crate::cases::suggest::Models>,
    /// Live notifications.
    pub hub: Arc<crate::cases::notify::Hub>,
    /// The org tree, departments and staff, as the case intake reads them.
    pub directory: Arc<crate::org::directory::Snapshot>,
    /// Callers already resolved from their token or session.
    pub callers: Arc<crate::auth::Callers>,
    /// The writer that lands reports in batches.
    pub intake: Arc<crate::cases::intake::Writer>,
    /// The keys that seal and index ID numbers and phones.
    pub vault: Arc<crate::infra::vault::Vault>,
    /// Population-ledger imports started from the web page.
    pub imports: Arc<crate::people::pages::Jobs>,
}

impl AppState {
    /// The state over a connection and a configuration.
    pub fn new(
        db: DatabaseConnection,
        config: crate::infra::config::Config,
        vault: crate::infra::vault::Vault,
    ) -> AppState {
        AppState {
            vault: Arc::new(vault),
            catalog: Arc::new(crate::cases::catalog::Cache::new(config.pressing.yellow_at)),
            db,
            config: Arc::new(config),
            metrics: Arc::new(crate::web::metrics::Metrics::default()),
            models: Arc::default(),
            hub: Arc::default(),
            directory: Arc::default(),
            callers: Arc::default(),
            intake: Arc::default(),
            imports: Arc::default(),
        }
    }

    /// Drops the copies of the org tree, departments and accounts (after any of them changed).
    pub fn forget_directory(&self) {
        self.directory.invalidate();
        self.callers.invalidate();
    }
}

/// A server bound to its address, ready to run.
pub struct Server {
    listener: tokio::net::TcpListener,
    router: axum::Router,
    state: AppState,
    /// The data directory's lock, held shared while the server runs (a restore waits for it).
    _lock: Option<std::fs::File>,
}

/// Loads the data key (see `people::vault`), refuses one the database was not sealed with, and
/// seals what an older version stored in the clear.
pub async fn open_vault(
    config: &crate::infra::config::Config,
    db: &DatabaseConnection,
) -> anyhow::Result<crate::infra::vault::Vault> {
    let vault = crate::infra::vault::Vault::load(
        &config.data_dir,
        config.data_key.as_ref().map(|k| k.0.as_str()),
    )?;
    vault.verify(db).await?;
    crate::cases::service::seal_phones(db, &vault).await?;
    Ok(vault)
}

impl Server {
    /// Connects, migrates and binds. Errors say in Chinese what went wrong (a bad URL, an
    /// unreachable database, a port in use).
    pub async fn bind(
        config: crate::infra::config::Config,
        db: DatabaseConnection,
    ) -> anyhow::Result<Server> {
        use anyhow::Context;
        let listener = tokio::net::TcpListener::bind(config.listen)
            .await
            .with_context(|| format!("无法监听 {}（端口被占用或没有权限）", config.listen))?;
        let lock = if crate::infra::db::backend(&db) == crate::infra::db::Backend::Sqlite {
            Some(
                crate::infra::db::backup::lock(&config.data_dir, false)?.with_context(|| {
                    format!(
                        "数据目录 {} 正在被恢复（wangge restore），请稍后再启动",
                        config.data_dir.display()
                    )
                })?,
            )
        } else {
            None
        };
        let vault = open_vault(&config, &db).await?;
        let state = AppState::new(db, config, vault);
        Ok(Server {
            listener,
            router: crate::web::router(state.clone()),
            state,
            _lock: lock,
        })
    }

    /// The address actually bound (useful with port 0).
    pub fn local_addr(&self) -> std::io::Result<std::net::SocketAddr> {
        self.listener.local_addr()
    }

    /// The state the server runs with.
    pub fn state(&self) -> &AppState {
        &self.state
    }

    /// Serves until Ctrl-C (or forever, in tests), pressing slow cases and keeping the planner's
    /// statistics fresh in the background.
    pub async fn run(self) -> anyhow::Result<()> {
        let job = tokio::spawn(crate::cases::press::run_forever(self.state.clone()));
        let stats = tokio::spawn(crate::infra::db::optimize_forever(self.state.db.clone()));
        let log = tokio::spawn(crate::infra::db::checkpoint_forever(self.state.db.clone()));
        let backups = self
            .state
            .config
            .backups
            .clone()
            .map(|b| tokio::spawn(backup_forever(self.state.db.clone(), b)));
        axum::serve(
            self.listener,
            self.router
                .into_make_service_with_connect_info::<std::net::SocketAddr>(),
        )
        .with_graceful_shutdown(async {
            let _ = tokio::signal::ctrl_c().await;
        })
        .await?;
        job.abort();
        stats.abort();
        log.abort();
        if let Some(b) = backups {
            b.abort();
        }
        Ok(())
    }
}

/// Backs the database up on its schedule, keeping the newest copies; a failure is logged and
/// tried again at the next time.
async fn backup_forever(db: sea_orm::DatabaseConnection, b: crate::infra::config::Backups) {
    loop {
        tokio::time::sleep(b.every).await;
        match crate::infra::db::backup::scheduled(&db, &b.dir, b.keep).await {
            Ok(file) => tracing::info!(file = %file.display(), "backup made"),
            Err(e) => tracing::error!(error = format!("{e:#}"), "backup failed"),
        }
    }
}
