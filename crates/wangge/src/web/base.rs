//! What every slice's handlers reach ([`Base`]) and how a slice joins the site ([`Slice`]).
//!
//! A slice is a folder with one `pub const SLICE: Slice` in its `mod.rs`: its routes (mounted
//! with its own state), its navigation entries, the panels it adds to a node's page, the body
//! size of its larger routes, the columns by which its rows hold a node, the labels of its audit
//! entries, its reference data and its background jobs. The app lists the slices once; the
//! site ([`Site`]) is what they declared, gathered.

use crate::infra::config::Config;
use crate::infra::db::Hold;
use crate::infra::error::AppResult;
use crate::infra::notify::Hub;
use crate::infra::vault::Vault;
use crate::web::Caller;
use crate::web::metrics::Metrics;
use futures_util::future::BoxFuture;
use sea_orm::DatabaseConnection;
use std::any::{Any, TypeId};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use wangge_core::Role;

/// What every handler reaches: the database, the configuration, the data vault, the live
/// notifications, the request counters, and the site the slices declared. Each slice's own
/// state holds a `Base` and what only that slice uses (its caches, its writer), and is made
/// from the `Base` with [`Base::part`].
#[derive(Clone)]
pub struct Base {
    /// The database pool.
    pub db: DatabaseConnection,
    /// The running configuration.
    pub config: Arc<Config>,
    /// The keys that seal and index ID numbers and phones.
    pub vault: Arc<Vault>,
    /// Live notifications.
    pub hub: Arc<Hub>,
    /// Request counters for `/metrics`.
    pub metrics: Arc<Metrics>,
    /// What the slices declared.
    pub site: Arc<Site>,
    /// Each slice's own part, made once (see [`Base::part`]).
    parts: Arc<Mutex<HashMap<TypeId, Arc<dyn Any + Send + Sync>>>>,
}

impl Base {
    /// A base over a connection, a configuration, the vault and the site.
    pub fn new(db: DatabaseConnection, config: Config, vault: Vault, site: Site) -> Base {
        Base {
            db,
            config: Arc::new(config),
            vault: Arc::new(vault),
            hub: Arc::default(),
            metrics: Arc::default(),
            site: Arc::new(site),
            parts: Arc::default(),
        }
    }

    /// The one instance of a slice's own part (its caches, its writer), made by `make` the
    /// first time anyone asks: the slice's handlers, a later slice that calls into it, a test.
    /// `make` runs without the lock, so a part may be made of other parts (the OpenAPI document
    /// mounts every slice); should two threads make one part at once, the first stored wins and
    /// the other is dropped.
    pub fn part<T: Send + Sync + 'static>(&self, make: impl FnOnce(&Base) -> T) -> Arc<T> {
        let key = TypeId::of::<T>();
        let stored = |parts: &HashMap<TypeId, Arc<dyn Any + Send + Sync>>| {
            parts.get(&key).and_then(|p| p.clone().downcast::<T>().ok())
        };
        if let Some(found) = stored(&self.parts.lock().unwrap_or_else(|p| p.into_inner())) {
            return found;
        }
        let made = Arc::new(make(self));
        let mut parts = self.parts.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(first) = stored(&parts) {
            return first;
        }
        parts.insert(key, made.clone());
        made
    }

    /// Drops every copy of the org tree, departments and accounts this process keeps (see
    /// [`crate::infra::cache::directory_changed`]).
    pub fn forget_directory(&self) {
        crate::infra::cache::directory_changed();
    }
}

/// One navigation entry a slice offers.
#[derive(Clone, Copy, Debug)]
pub struct NavEntry {
    /// Where it stands in the menu (lower first).
    pub order: u16,
    /// Key compared with the page's.
    pub key: &'static str,
    /// Link.
    pub href: &'static str,
    /// Chinese label.
    pub label: &'static str,
    /// Who sees it.
    pub shown: fn(Role) -> bool,
}

/// A section a slice adds to a node's page (the accounts bound there, …).
pub struct Panel {
    /// The section, rendered by the slice's own template.
    pub html: String,
    /// Whether the slice has rows at the node (then the node cannot be deleted, and the page
    /// does not offer it).
    pub holds: bool,
}

/// The node a panel is made for.
#[derive(Clone, Copy, Debug)]
pub struct NodeRef {
    /// Its id.
    pub id: i64,
    /// Whether it is retired (nothing new is added to it).
    pub retired: bool,
}

/// Makes a slice's panel for a node the caller may see, or nothing (no permission, nothing
/// to show).
pub type NodePanel =
    for<'a> fn(&'a Base, &'a Caller, NodeRef) -> BoxFuture<'a, AppResult<Option<Panel>>>;

/// Seeds a slice's reference data into empty tables (the site says which kinds of work the
/// slices brought, with their categories).
pub type Seed = for<'a> fn(&'a DatabaseConnection, &'a Site) -> BoxFuture<'a, anyhow::Result<()>>;

/// What a slice does inside the transaction of every change of a case's state (the command
/// centre's counters, the points ledger): it sees the change and writes in the same
/// transaction, so the figures never disagree with the cases.
pub type TransitionHook = for<'a> fn(
    &'a crate::infra::db::WriteTxn,
    &'a wangge_core::flow::Change<'a>,
) -> BoxFuture<'a, AppResult<()>>;

/// A slice's routes and jobs, mounted on its state.
pub struct Mounted {
    /// The JSON API, to be served under `/api/v1`.
    pub api: Routes<()>,
    /// The pages.
    pub pages: Routes<()>,
    /// Jobs that run beside the server while it serves.
    pub jobs: Vec<BoxFuture<'static, ()>>,
}

/// A slice, as the app lists it.
pub struct Slice {
    /// Its folder's name.
    pub name: &'static str,
    /// Its routes and jobs on its own state, made from the base.
    pub mount: fn(&Base) -> Mounted,
    /// Its navigation entries.
    pub nav: &'static [NavEntry],
    /// The sections it adds to a node's page.
    pub node_panels: &'static [NodePanel],
    /// Routes (full paths as the router matches them) that take bodies larger than the
    /// default, with their limit in bytes.
    pub body_limits: &'static [(&'static str, usize)],
    /// The columns by which its rows hold a node.
    pub holds: &'static [Hold],
    /// The labels of the audit actions it writes: `(action, 中文)`.
    pub audit_actions: &'static [(&'static str, &'static str)],
    /// The labels of the entities its audit entries name: `(entity, 中文)`.
    pub audit_entities: &'static [(&'static str, &'static str)],
    /// Its reference data.
    pub seed: Option<Seed>,
    /// The kinds of work it brings to the case engine (their flows and categories).
    pub kinds: &'static [&'static wangge_core::flow::Kind],
    /// What it does inside every change of a case's state.
    pub on_transition: &'static [TransitionHook],
}

/// What the slices declared, gathered once at start.
#[derive(Default)]
pub struct Site {
    /// Every navigation entry, in menu order.
    pub nav: Vec<NavEntry>,
    /// Every panel of a node's page, in slice order.
    pub node_panels: Vec<NodePanel>,
    /// Body limits by route.
    pub body_limits: HashMap<&'static str, usize>,
    /// Every column by which a row holds a node.
    pub holds: Vec<Hold>,
    /// Audit action labels.
    pub audit_actions: Vec<(&'static str, &'static str)>,
    /// Audit entity labels.
    pub audit_entities: Vec<(&'static str, &'static str)>,
    /// The kinds of work, in slice order (the first is the default).
    pub kinds: Vec<&'static wangge_core::flow::Kind>,
    /// The hooks run inside every change of a case's state.
    pub on_transition: Vec<TransitionHook>,
}

impl Site {
    /// Gathers what `slices` declare.
    pub fn of(slices: &[&Slice]) -> Site {
        let mut site = Site::default();
        for s in slices {
            site.nav.extend_from_slice(s.nav);
            site.node_panels.extend_from_slice(s.node_panels);
            site.body_limits.extend(s.body_limits.iter().copied());
            site.holds.extend_from_slice(s.holds);
            site.audit_actions.extend_from_slice(s.audit_actions);
            site.audit_entities.extend_from_slice(s.audit_entities);
            site.kinds.extend_from_slice(s.kinds);
            site.on_transition.extend_from_slice(s.on_transition);
        }
        site.nav.sort_by_key(|n| n.order);
        site
    }

    /// The Chinese label of an audit action (`其他` for one no slice declared).
    pub fn action_label(&self, action: &str) -> &'static str {
        self.audit_actions
            .iter()
            .find(|(a, _)| *a == action)
            .map_or("其他", |(_, l)| l)
    }

    /// The Chinese label of an audited entity.
    pub fn entity_label(&self, entity: &str) -> &'static str {
        self.audit_entities
            .iter()
            .find(|(e, _)| *e == entity)
            .map_or("其他", |(_, l)| l)
    }
}

/// A router that remembers every path it is given, so that the tests can walk the whole table
/// of routes (see `tests/it/routes.rs`): a route added and not covered there fails. The API's
/// routes are added with [`Routes::routes`]`(routes!(…))` from handlers annotated with
/// `#[utoipa::path]`, so the same code serves a route and describes it in the OpenAPI document.
pub struct Routes<S> {
    /// The routes, with the description of the API's.
    pub router: utoipa_axum::router::OpenApiRouter<S>,
    /// Their full paths (`/api/v1/cases/{id}`).
    pub paths: Vec<String>,
    prefix: &'static str,
}

impl<S: Clone + Send + Sync + 'static> Routes<S> {
    /// Routes served under `prefix` (`/api/v1`, or `` for the pages).
    pub fn new(prefix: &'static str) -> Routes<S> {
        Routes {
            router: utoipa_axum::router::OpenApiRouter::new(),
            paths: Vec::new(),
            prefix,
        }
    }

    /// The API's routes.
    pub fn api() -> Routes<S> {
        Routes::new("/api/v1")
    }

    /// The pages' routes.
    pub fn pages() -> Routes<S> {
        Routes::new("")
    }

    /// Adds a route and remembers its full path (the pages; an API route is added with
    /// [`Routes::api`], or it is missing from the OpenAPI document and a test says so).
    pub fn route(mut self, path: &'static str, handler: axum::routing::MethodRouter<S>) -> Self {
        self.paths.push(format!("{}{path}", self.prefix));
        self.router = self.router.route(path, handler);
        self
    }

    /// Adds the handlers of one API path, as `utoipa_axum::routes!` gathers them from their
    /// `#[utoipa::path]` annotations: served and described by the same code.
    pub fn routes(mut self, handlers: utoipa_axum::router::UtoipaMethodRouter<S>) -> Self {
        for path in handlers.1.paths.keys() {
            self.paths.push(format!("{}{path}", self.prefix));
        }
        self.router = self.router.routes(handlers);
        self
    }

    /// The routes on their state, ready to be merged with every other slice's.
    pub fn with_state(self, state: S) -> Routes<()> {
        Routes {
            router: self.router.with_state(state),
            paths: self.paths,
            prefix: self.prefix,
        }
    }
}

impl Routes<()> {
    /// Both sets of routes as one.
    pub fn merge(mut self, other: Routes<()>) -> Routes<()> {
        self.router = self.router.merge(other.router);
        self.paths.extend(other.paths);
        self
    }
}
