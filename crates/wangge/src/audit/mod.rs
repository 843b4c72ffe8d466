//! The audit log's pages: administrators browse the entries within their scope (the writer is
//! [`crate::infra::audit`]).

pub mod api;
pub mod pages;

use crate::infra::audit::entity as log;
use crate::infra::error::AppResult;
use sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect,
};
use serde::Serialize;
use utoipa_axum::routes;
use wangge_core::Scope;

/// Filters for browsing the log.
#[derive(Debug, Default, serde::Deserialize)]
pub struct Filter {
    /// Entity kind.
    pub entity: Option<String>,
    /// Action.
    pub action: Option<String>,
    /// Actor's username.
    pub actor: Option<String>,
    /// Entity id.
    pub entity_id: Option<i64>,
    /// Page, from 1.
    pub page: Option<u64>,
}

/// A page of entries.
#[derive(Debug, Serialize)]
pub struct Page {
    /// The entries, newest first.
    pub items: Vec<Item>,
    /// How many match.
    pub total: u64,
    /// This page.
    pub page: u64,
    /// How many pages.
    pub pages: u64,
}

/// An entry as shown.
#[derive(Debug, Serialize)]
pub struct Item {
    /// Id.
    pub id: i64,
    /// When, in ms since the epoch.
    pub at: i64,
    /// When, Beijing time.
    pub at_text: String,
    /// Who.
    pub actor: String,
    /// Action.
    pub action: String,
    /// Action, in Chinese.
    pub action_label: &'static str,
    /// Entity kind.
    pub entity: String,
    /// Entity id.
    pub entity_id: Option<i64>,
    /// Sentence.
    pub summary: String,
    /// Changes as JSON text.
    pub changes: String,
    /// Client address.
    pub ip: String,
}

/// Lists entries in scope, newest first, 50 a page, with the labels the slices declared.
pub async fn list(
    db: &impl ConnectionTrait,
    site: &crate::web::Site,
    scope: &Scope,
    f: &Filter,
) -> AppResult<Page> {
    const PER: u64 = 50;
    let mut q = log::Entity::find().filter(crate::infra::db::in_scope("org_path", scope));
    if let Some(e) = f.entity.as_deref().filter(|s| !s.is_empty()) {
        q = q.filter(log::Column::Entity.eq(e));
    }
    if let Some(a) = f.action.as_deref().filter(|s| !s.is_empty()) {
        q = q.filter(log::Column::Action.eq(a));
    }
    if let Some(a) = f.actor.as_deref().filter(|s| !s.is_empty()) {
        q = q.filter(log::Column::ActorName.eq(a.trim()));
    }
    if let Some(id) = f.entity_id {
        q = q.filter(log::Column::EntityId.eq(id));
    }
    let total = q.clone().count(db).await?;
    let pages = total.div_ceil(PER).max(1);
    let page = f.page.unwrap_or(1).clamp(1, pages);
    let rows = q
        .order_by_desc(log::Column::Id)
        .offset((page - 1) * PER)
        .limit(PER)
        .all(db)
        .await?;
    Ok(Page {
        items: rows
            .into_iter()
            .map(|r| Item {
                id: r.id,
                at: r.at,
                at_text: crate::infra::clock::fmt_time(r.at),
                action_label: site.action_label(&r.action),
                actor: r.actor_name,
                action: r.action,
                entity: r.entity,
                entity_id: r.entity_id,
                summary: r.summary,
                changes: r.changes,
                ip: r.ip,
            })
            .collect(),
        total,
        page,
        pages,
    })
}

use crate::infra::db::Hold;
use crate::web::{Base, Mounted, NavEntry, Routes, Slice};
use axum::routing::get;
use wangge_core::Permission;

/// The slice, as the app lists it.
pub const SLICE: Slice = Slice {
    name: "audit",
    mount,
    nav: &[NavEntry {
        order: 140,
        key: "audit",
        href: "/audit",
        label: "审计日志",
        shown: |r| r.can(Permission::AuditView),
    }],
    node_panels: &[],
    body_limits: &[],
    holds: &[Hold::history("audit_log", "org_path")],
    audit_actions: &[],
    audit_entities: &[],
    seed: None,
    kinds: &[],
    on_transition: &[],
};

fn mount(base: &Base) -> Mounted {
    Mounted {
        api: api().with_state(base.clone()),
        pages: pages().with_state(base.clone()),
        jobs: Vec::new(),
    }
}

/// The JSON API (under `/api/v1`).
fn api() -> Routes<Base> {
    Routes::api().routes(routes!(api::api_list))
}

/// The pages.
fn pages() -> Routes<Base> {
    Routes::pages().route("/audit", get(pages::page))
}
