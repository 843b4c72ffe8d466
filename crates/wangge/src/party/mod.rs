//! The party on the grid (党建引领): party organizations laid over the org tree — 党(工)委,
//! 党总支, 党支部 (by category: 村, 社区, 机关, 两新, 联合, 项目, 临时) and 党小组 — each attached
//! to an org node so that scope applies, with the term of its committee and when the next
//! election is due. Members, their households and 三会一课 come next (issue 18).
//!
//! The rules of shape are the core's (`wangge_core::party`); this slice holds their storage
//! ([`entity`]), the services ([`service`]), the JSON API ([`api`]) and the pages ([`pages`]).

pub mod api;
pub mod entity;
pub mod pages;
pub mod service;

use crate::infra::db::Hold;
use crate::web::{Base, Mounted, NavEntry, Routes, Slice};
use axum::routing::{get, post};
use utoipa_axum::routes;
use wangge_core::Permission;

/// The slice, as the app lists it.
pub const SLICE: Slice = Slice {
    name: "party",
    mount,
    nav: &[NavEntry {
        order: 105,
        key: "party",
        href: "/party",
        label: "党组织",
        shown: |r| r.can(Permission::PartyView),
    }],
    node_panels: &[pages::node_panel],
    body_limits: &[],
    holds: &[
        Hold::path("party_orgs", "org_path", "个党组织"),
        Hold::id("party_orgs", "org_node_id", "个党组织"),
    ],
    audit_actions: &[("dissolve", "撤销")],
    audit_entities: &[("party_org", "党组织"), ("party_terms", "党组织任期")],
    seed: None,
    kinds: &[&wangge_core::flow::errand::KIND],
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
    Routes::api()
        .routes(routes!(api::api_tree, api::api_create))
        .routes(routes!(api::api_get, api::api_update))
        .routes(routes!(api::api_dissolve))
        .routes(routes!(api::api_terms, api::api_set_terms))
}

/// The pages.
fn pages() -> Routes<Base> {
    Routes::pages()
        .route("/party", get(pages::tree))
        .route("/party/orgs", post(pages::create))
        .route("/party/orgs/new", get(pages::new_org))
        .route("/party/orgs/{id}", get(pages::detail).post(pages::update))
        .route("/party/orgs/{id}/dissolve", post(pages::dissolve))
        .route("/party/terms", post(pages::set_terms))
}
