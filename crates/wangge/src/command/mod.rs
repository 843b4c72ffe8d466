//! The command centre (指挥中心): what every level governs from — built step by step (issue 20).
//! So far: the fair monthly ranking of a node's children ([`ranking`]), its weights by version,
//! publication and errata ([`publish`], stored in [`entity`]), its JSON API ([`api`]) and its
//! page ([`pages`]). It reads what the other slices record; it writes only its own rankings.

pub mod api;
pub mod entity;
pub mod pages;
pub mod publish;
pub mod ranking;

use crate::infra::db::Hold;
use crate::web::{Base, Mounted, NavEntry, Routes, Slice};
use axum::routing::{get, post};
use utoipa_axum::routes;

/// The slice, as the app lists it.
pub const SLICE: Slice = Slice {
    name: "command",
    mount,
    nav: &[NavEntry {
        order: 55,
        key: "ranking",
        href: "/stats/ranking",
        label: "月度排名",
        shown: |r| r.is_staff() && r != wangge_core::Role::GridWorker,
    }],
    node_panels: &[],
    body_limits: &[],
    holds: &[
        Hold::path("ranking_weights", "org_path", "版排名权重"),
        Hold::path("rankings", "org_path", "期月度排名"),
        Hold::path("ranking_errata", "org_path", "条排名勘误"),
    ],
    audit_actions: &[],
    audit_entities: &[
        ("ranking_weights", "排名权重"),
        ("ranking", "月度排名"),
        ("ranking_erratum", "排名勘误"),
    ],
    seed: None,
    kinds: &[],
    on_transition: &[],
};

fn mount(base: &Base) -> Mounted {
    Mounted {
        api: Routes::api()
            .routes(routes!(api::api_ranking))
            .routes(routes!(api::api_weights))
            .routes(routes!(api::api_publish))
            .routes(routes!(api::api_erratum))
            .with_state(base.clone()),
        pages: Routes::pages()
            .route("/stats/ranking", get(pages::ranking))
            .route("/stats/ranking/weights", post(pages::weights))
            .route("/stats/ranking/publish", post(pages::publish))
            .route("/stats/rankings/{id}/errata", post(pages::erratum))
            .with_state(base.clone()),
        jobs: Vec::new(),
    }
}

/// The ranking's weights: the default, with the discount of 基本满意 the figures already use.
pub fn weights(base: &Base) -> wangge_core::ranking::RankWeights {
    let d = base.config.rate_weights().basic_discount.clamp(0.0, 1.0);
    wangge_core::ranking::RankWeights {
        // Thousandths: the configured discount is at most three decimals in practice.
        basic_discount: (d * 1000.0).round() as u32,
        ..Default::default()
    }
}
