//! The org tree, its departments and the staff bound to them, as one in-memory snapshot.
//!
//! Taking a report in needs the building's grid, the place's ancestors, the grids' boundaries,
//! the departments above the place and the people who screen its queue; reading those from the
//! database on every report cost more than the write itself. They change rarely, so the
//! server keeps a snapshot (see [`crate::infra::cache`] for how it stays honest): every service
//! that changes the tree, a department or an account drops it
//! ([`crate::infra::cache::directory_changed`]), and it expires after [`TTL`] for writes made
//! by another process.

use crate::infra::cache::Cache;
use crate::infra::error::{AppResult, stored_path};
use crate::org::entity::{department, node};
use crate::users::entity as user;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};
use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;
use wangge_core::geo::{Area, Point};
use wangge_core::org::{OrgLevel, OrgPath};
use wangge_core::routing::{self, Place};

/// How long a snapshot is used before it is read again.
pub const TTL: Duration = Duration::from_secs(30);

/// An account that screens or handles cases (residents are not kept).
#[derive(Clone, Debug)]
struct Staff {
    id: i64,
    org_id: i64,
    role: String,
}

/// The snapshot.
#[derive(Default)]
pub struct Directory {
    /// Every node, without its boundary.
    nodes: HashMap<i64, node::Model>,
    /// Active grids and micro-grids that have a boundary, for point-in-polygon.
    grids: Vec<Place>,
    /// Active departments.
    departments: Vec<department::Model>,
    /// Active staff accounts.
    staff: Vec<Staff>,
}

/// The most people one notification goes to.
const MAX_RECIPIENTS: usize = 200;

impl Directory {
    /// Reads the snapshot.
    pub async fn load(db: &impl ConnectionTrait) -> AppResult<Directory> {
        let mut nodes = HashMap::new();
        let mut grids = Vec::new();
        for mut n in node::Entity::find().all(db).await? {
            let level = OrgLevel::parse(&n.level);
            if n.status == "active"
                && matches!(level, Some(OrgLevel::Grid | OrgLevel::MicroGrid))
                && let Some(area) = n
                    .boundary
                    .as_deref()
                    .and_then(|b| Area::from_geojson(b).ok())
            {
                grids.push(Place {
                    id: n.id,
                    name: n.name.clone(),
                    path: stored_path(&n.path)?,
                    level: level.unwrap_or(OrgLevel::Grid),
                    area: Some(area),
                    active: true,
                });
            }
            n.boundary = None;
            nodes.insert(n.id, n);
        }
        let departments = department::Entity::find()
            .filter(department::Column::Status.eq("active"))
            .all(db)
            .await?;
        let staff = user::Entity::find()
            .filter(user::Column::Status.eq("active"))
            .filter(user::Column::Role.ne("resident"))
            .all(db)
            .await?
            .into_iter()
            .map(|u| Staff {
                id: u.id,
                org_id: u.org_id,
                role: u.role,
            })
            .collect();
        Ok(Directory {
            nodes,
            grids,
            departments,
            staff,
        })
    }

    /// An active node.
    pub fn active(&self, id: i64) -> Option<&node::Model> {
        self.nodes.get(&id).filter(|n| n.status == "active")
    }

    /// A place's ancestors, itself included, from the top (nodes missing from the snapshot
    /// are left out).
    pub fn chain(&self, path: &OrgPath) -> Vec<node::Model> {
        path.ids()
            .into_iter()
            .filter_map(|id| self.nodes.get(&id).cloned())
            .collect()
    }

    /// A node's place as people name it: its street, community and (for a building) grid and
    /// its own name, each without the name above it repeated: `清河街道 柳岸社区 第一网格 3幢`.
    pub fn place_label(&self, n: &node::Model) -> String {
        let Ok(path) = OrgPath::parse(&n.path) else {
            return n.name.clone();
        };
        let mut parts: Vec<&str> = Vec::new();
        let mut above = "";
        for a in path.ids().into_iter().filter_map(|id| self.nodes.get(&id)) {
            if a.level == OrgLevel::District.as_str() {
                continue;
            }
            // 柳岸社区第一网格 under 柳岸社区 reads 第一网格.
            let own = a
                .name
                .strip_prefix(above)
                .filter(|rest| !rest.is_empty() && !above.is_empty())
                .unwrap_or(&a.name);
            parts.push(own);
            above = &a.name;
        }
        parts.join(" ")
    }

    /// Active buildings whose place (see [`Directory::place_label`]) holds every word of `q`,
    /// as (id, label), at most `limit`, in tree order: how a resident finds where a problem is
    /// without knowing the grid. Building names are no secret; nobody's data is in them.
    pub fn buildings_matching(&self, q: &str, limit: usize) -> Vec<(i64, String)> {
        let words: Vec<&str> = q.split_whitespace().filter(|w| !w.is_empty()).collect();
        if words.is_empty() {
            return Vec::new();
        }
        // A building named exactly as typed comes first (3幢 before 13幢), then one whose name
        // starts so, then the rest, each in tree order.
        let mut hits: Vec<(u8, &str, i64, String)> = self
            .nodes
            .values()
            .filter(|n| n.status == "active" && n.level == OrgLevel::Building.as_str())
            .filter_map(|n| {
                let label = self.place_label(n);
                let compact: String = label.split_whitespace().collect();
                if !words
                    .iter()
                    .all(|w| label.contains(w) || compact.contains(w))
                {
                    return None;
                }
                let rank = if words.iter().any(|w| n.name == *w) {
                    0
                } else if words.iter().any(|w| n.name.starts_with(w)) {
                    1
                } else {
                    2
                };
                Some((rank, n.path.as_str(), n.id, label))
            })
            .collect();
        hits.sort_by(|a, b| (a.0, a.1).cmp(&(b.0, b.1)));
        hits.into_iter()
            .take(limit)
            .map(|(_, _, id, label)| (id, label))
            .collect()
    }

    /// The deepest active grid whose boundary holds a point.
    pub fn grid_at(&self, pt: Point) -> Option<&node::Model> {
        let p = routing::grid_at(&self.grids, pt)?;
        self.active(p.id)
    }

    /// The active departments attached to any of `nodes`.
    pub fn departments_on(&self, nodes: &[node::Model]) -> Vec<department::Model> {
        self.departments
            .iter()
            .filter(|d| nodes.iter().any(|n| n.id == d.org_id))
            .cloned()
            .collect()
    }

    /// The accounts bound to `node` with one of `roles`.
    pub fn staff_at(&self, node: i64, roles: &[&str]) -> Vec<i64> {
        self.staff
            .iter()
            .filter(|s| s.org_id == node && roles.contains(&s.role.as_str()))
            .map(|s| s.id)
            .take(MAX_RECIPIENTS)
            .collect()
    }
}

/// The server's copy of the snapshot.
pub struct Snapshot {
    cache: Cache<(), Arc<Directory>>,
}

impl Default for Snapshot {
    fn default() -> Snapshot {
        Snapshot {
            cache: Cache::of_directory(TTL, 1),
        }
    }
}

impl Snapshot {
    /// The current snapshot, read from the database when there is none or it expired.
    pub async fn get(&self, db: &impl ConnectionTrait) -> AppResult<Arc<Directory>> {
        if let Some(d) = self.cache.get(&()) {
            return Ok(d);
        }
        let ticket = self.cache.ticket();
        let d = Arc::new(Directory::load(db).await?);
        self.cache.put(ticket, (), d.clone());
        Ok(d)
    }

    /// Drops the snapshot (after the tree, a department or an account changed).
    pub fn invalidate(&self) {
        self.cache.invalidate();
    }
}
