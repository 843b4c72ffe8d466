//! The app: the list of slices, the state every handler reaches, the router that puts the
//! slices' routes behind the kit's layers, the server that binds and runs it with the jobs
//! beside it, and the home page.

use crate::web::{Base, NavEntry, Site, Slice};
use sea_orm::DatabaseConnection;

pub mod home;
mod router;

pub use router::{OpenApiDoc, openapi, route_paths, router};

/// Every slice, in the order they may import each other (see ARCHITECTURE.md): a new slice is
/// one line here.
pub const SLICES: &[&Slice] = &[
    &crate::org::SLICE,
    &crate::users::SLICE,
    &crate::auth::SLICE,
    &crate::audit::SLICE,
    &crate::cases::SLICE,
    &crate::people::SLICE,
    &crate::party::SLICE,
    &crate::command::SLICE,
];

/// The state of the whole app: the base every slice's state is made from.
pub type AppState = Base;

/// What the slices declared, with the app's own: the home page's menu entry, and the audit
/// labels of words every slice uses (the demo generator's entries among them).
pub fn site() -> Site {
    let mut site = Site::of(SLICES);
    site.nav.push(NavEntry {
        order: 10,
        key: "home",
        href: "/",
        label: "工作台",
        shown: |_| true,
    });
    site.nav.sort_by_key(|n| n.order);
    site.audit_entities.push(("demo", "演示数据"));
    site
}

/// The state over a connection, a configuration and the vault.
pub fn state(
    db: DatabaseConnection,
    config: crate::infra::config::Config,
    vault: crate::infra::vault::Vault,
) -> Base {
    Base::new(db, config, vault, site())
}

/// Applies every pending migration, then seeds each slice's reference data into empty tables
/// (categories and the working calendar, the care-group tags).
pub async fn migrate(db: &DatabaseConnection) -> anyhow::Result<()> {
    crate::infra::db::migrate(db).await?;
    let site = site();
    for slice in SLICES {
        if let Some(seed) = slice.seed {
            seed(db, &site).await?;
        }
    }
    Ok(())
}

/// A server bound to its address, ready to run.
pub struct Server {
    listener: tokio::net::TcpListener,
    router: axum::Router,
    /// The slices' jobs, started by [`Server::run`].
    jobs: Vec<futures_util::future::BoxFuture<'static, ()>>,
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
        let state = state(db, config, vault);
        let (router, jobs) = router(&state);
        Ok(Server {
            listener,
            router,
            jobs,
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

    /// Serves until Ctrl-C (or forever, in tests), running the slices' jobs (pressing slow
    /// cases) and keeping the planner's statistics fresh in the background.
    pub async fn run(self) -> anyhow::Result<()> {
        let jobs: Vec<_> = self.jobs.into_iter().map(tokio::spawn).collect();
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
        for job in jobs {
            job.abort();
        }
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
