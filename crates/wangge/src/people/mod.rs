//! The people registry: buildings' households and the residents in them, their moves, tags,
//! archives and visits; personal data sealed at rest ([`crate::infra::vault`]) and masked
//! everywhere else.

pub mod api;
pub mod archive;
pub mod entity;
pub mod import;
pub mod pages;
pub mod service;

use crate::cases::CasesState;
use crate::web::Base;
use axum::extract::FromRef;
use std::sync::Arc;
use utoipa_axum::routes;

/// What the registry's handlers reach: the base, the case loop (a document can report a case;
/// buildings are placed with the case loop's directory), and the imports running.
#[derive(Clone)]
pub struct PeopleState {
    /// What every slice reaches.
    pub base: Base,
    /// The case loop's state.
    pub cases: CasesState,
    /// Population-ledger imports started from the web page.
    pub imports: Arc<pages::Jobs>,
}

impl PeopleState {
    /// The registry's state over a base.
    pub fn of(base: &Base) -> PeopleState {
        PeopleState {
            base: base.clone(),
            cases: CasesState::of(base),
            imports: base.part(|_| pages::Jobs::default()),
        }
    }
}

impl std::ops::Deref for PeopleState {
    type Target = Base;
    fn deref(&self) -> &Base {
        &self.base
    }
}

impl FromRef<PeopleState> for Base {
    fn from_ref(s: &PeopleState) -> Base {
        s.base.clone()
    }
}

use crate::infra::db::Hold;
use crate::web::{Mounted, NavEntry, Routes, Slice};
use anyhow::Context;
use axum::routing::{get, post};
use wangge_core::Permission;

/// The slice, as the app lists it.
pub const SLICE: Slice = Slice {
    name: "people",
    mount,
    nav: &[NavEntry {
        order: 100,
        key: "people",
        href: "/people",
        label: "人口台账",
        shown: |r| r.can(Permission::PeopleView),
    }],
    node_panels: &[],
    body_limits: &[
        ("/api/v1/people/import", import::MAX_UPLOAD),
        ("/people/import", import::MAX_UPLOAD),
        ("/api/v1/households/{id}/documents", DOCUMENT_BODY_LIMIT),
        ("/people/households/{id}/documents", DOCUMENT_BODY_LIMIT),
    ],
    holds: &[
        Hold::path("households", "org_path", "户住户"),
        Hold::id("households", "building_id", "户住户"),
        Hold::path("residents", "org_path", "位居民"),
        Hold::path("resident_moves", "org_path", "条迁移记录"),
        Hold::path("household_docs", "org_path", "份户档材料"),
        Hold::path("assessment_items", "org_path", "个考评项目"),
        Hold::id("assessment_items", "org_id", "个考评项目"),
        Hold::path("assessments", "org_path", "次考评"),
        Hold::path("visits", "org_path", "次走访"),
    ],
    audit_actions: &[
        ("reveal", "查看完整证件号"),
        ("export_full", "导出完整证件号"),
        ("refuse_id", "拒绝他处证件号"),
    ],
    audit_entities: &[
        ("resident", "居民"),
        ("household", "住户"),
        ("household_doc", "户档材料"),
        ("assessment_item", "考评项目"),
        ("assessment", "考评"),
        ("visit", "走访"),
        ("tag", "重点人群标签"),
    ],
    kinds: &[],
    on_transition: &[],
    seed: Some(|db, _| {
        Box::pin(async move {
            service::seed_tags(db)
                .await
                .context("无法写入重点人群标签的初始数据")
        })
    }),
};

/// A scanned document for a household's file, and its fields.
pub const DOCUMENT_BODY_LIMIT: usize = crate::infra::files::MAX_DOCUMENT + 1024 * 1024;

fn mount(base: &crate::web::Base) -> Mounted {
    let st = PeopleState::of(base);
    Mounted {
        api: api().with_state(st.clone()),
        pages: pages().with_state(st),
        jobs: Vec::new(),
    }
}

/// The JSON API (under `/api/v1`).
fn api() -> Routes<PeopleState> {
    Routes::api()
        .routes(routes!(api::api_search, api::api_create))
        .routes(routes!(pages::api_export))
        .routes(routes!(api::api_get, api::api_update))
        .routes(routes!(api::api_move))
        .routes(routes!(api::api_reveal))
        .routes(routes!(api::api_buildings))
        .routes(routes!(api::api_households))
        .routes(routes!(api::api_create_household))
        .routes(routes!(api::api_household, api::api_update_household))
        .routes(routes!(api::api_visit))
        .routes(routes!(api::api_assess))
        .routes(routes!(api::api_add_document))
        .routes(routes!(api::api_items, api::api_add_item))
        .routes(routes!(api::api_tags, api::api_add_tag))
        .routes(routes!(api::api_import))
}

/// The pages.
fn pages() -> Routes<PeopleState> {
    Routes::pages()
        .route("/people", get(pages::search))
        .route("/people/export.xlsx", get(pages::export))
        .route("/people/buildings", get(pages::buildings))
        .route("/people/buildings/{id}", get(pages::building))
        .route("/people/households", post(pages::create_household))
        .route("/people/households/{id}", get(pages::household))
        .route(
            "/people/households/{id}/edit",
            post(pages::update_household),
        )
        .route("/people/households/{id}/print", get(pages::print))
        .route("/people/households/{id}/visits", post(pages::visit))
        .route("/people/households/{id}/assessments", post(pages::assess))
        .route(
            "/people/households/{id}/documents",
            post(pages::add_document),
        )
        .route(
            "/people/households/{id}/documents/{doc}",
            get(pages::document_file),
        )
        .route("/people/residents", post(pages::create_resident))
        .route("/people/residents/{id}", get(pages::resident))
        .route("/people/residents/{id}/edit", post(pages::update_resident))
        .route("/people/residents/{id}/move", post(pages::move_resident))
        .route("/people/residents/{id}/reveal", post(pages::reveal))
        .route(
            "/people/assessment-items",
            get(pages::items).post(pages::add_item),
        )
        .route(
            "/people/assessment-items/{id}/retire",
            post(pages::retire_item),
        )
        .route(
            "/people/import",
            get(pages::import_page).post(pages::import_start),
        )
        .route("/people/import/template.csv", get(pages::template))
        .route("/people/import/jobs/{id}", get(pages::import_job))
        .route("/people/import/jobs/{id}/status", get(pages::import_status))
        .route(
            "/people/import/jobs/{id}/rejected.xlsx",
            get(pages::import_rejected),
        )
}
