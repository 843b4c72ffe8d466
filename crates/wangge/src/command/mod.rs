//! The command centre (指挥中心): what every level governs from (issue 20) — the dashboard of
//! a node and a period ([`dashboard`], drawn by [`chart`]), the fair monthly ranking of a
//! node's children ([`ranking`]) with its weights by version, publication and errata
//! ([`publish`]), the decisions that leave an unreasonable case out of the rates
//! ([`exclusions`]), early warning and 每月一题 ([`warnings`]), the duty roster and the
//! escalations its duty sees ([`duty`]); stored in [`entity`], served by [`api`] and [`pages`].
//! It reads what the other slices record; it writes only its own tables (and the duty's
//! notifications, inside an escalation's transaction).

pub mod api;
pub mod chart;
pub mod dashboard;
pub mod duty;
pub mod entity;
pub mod exclusions;
pub mod lists;
pub mod pages;
pub mod publish;
pub mod ranking;
pub mod report;
pub mod screens;
pub mod warnings;

use crate::infra::db::Hold;
use crate::web::{Base, Mounted, NavEntry, Routes, Slice};
use axum::routing::{get, post};
use utoipa_axum::routes;

/// The slice, as the app lists it.
pub const SLICE: Slice = Slice {
    name: "command",
    mount,
    nav: &[
        NavEntry {
            order: 54,
            key: "dashboard",
            href: "/stats/dashboard",
            label: "指挥中心",
            shown: |r| r.is_staff(),
        },
        NavEntry {
            order: 55,
            key: "ranking",
            href: "/stats/ranking",
            label: "月度排名",
            shown: |r| r.is_staff() && r != wangge_core::Role::GridWorker,
        },
    ],
    node_panels: &[],
    body_limits: &[],
    holds: &[
        Hold::path("ranking_weights", "org_path", "版排名权重"),
        Hold::path("rankings", "org_path", "期月度排名"),
        Hold::path("ranking_errata", "org_path", "条排名勘误"),
        Hold::path("case_exclusions", "org_path", "项不合理诉求认定"),
        Hold::path("warning_keywords", "org_path", "个预警关键词"),
        Hold::path("duty_shifts", "org_path", "条值班安排"),
    ],
    audit_actions: &[],
    audit_entities: &[
        ("ranking_weights", "排名权重"),
        ("ranking", "月度排名"),
        ("ranking_erratum", "排名勘误"),
        ("case_exclusion", "不合理诉求认定"),
        ("warning_keyword", "预警关键词"),
        ("duty_shift", "值班安排"),
    ],
    seed: None,
    kinds: &[],
    on_transition: &[duty::on_escalate],
};

fn mount(base: &Base) -> Mounted {
    Mounted {
        api: Routes::api()
            .routes(routes!(api::api_ranking))
            .routes(routes!(api::api_weights))
            .routes(routes!(api::api_publish))
            .routes(routes!(api::api_erratum))
            .routes(routes!(api::api_dashboard))
            .routes(routes!(api::api_lists))
            .routes(routes!(api::api_report))
            .routes(routes!(api::api_history))
            .routes(routes!(api::api_warnings))
            .routes(routes!(api::api_keywords))
            .routes(routes!(api::api_exclusions, api::api_propose))
            .routes(routes!(api::api_decide))
            .routes(routes!(api::api_duty, api::api_duty_add))
            .routes(routes!(api::api_duty_remove))
            .with_state(base.clone()),
        pages: Routes::pages()
            .route("/stats/ranking", get(pages::ranking))
            .route("/stats/ranking/weights", post(pages::weights))
            .route("/stats/ranking/publish", post(pages::publish))
            .route("/stats/rankings/{id}/errata", post(pages::erratum))
            .route("/stats/dashboard", get(screens::dashboard))
            .route("/stats/screen", get(screens::screen))
            .route("/stats/lists", get(screens::lists))
            .route("/stats/lists.xlsx", get(screens::lists_xlsx))
            .route("/stats/report", get(screens::report))
            .route("/stats/report.xlsx", get(screens::report_xlsx))
            .route("/stats/warnings", get(screens::warnings))
            .route("/stats/warnings/keywords", post(screens::keywords))
            .route(
                "/stats/exclusions",
                get(screens::exclusions).post(screens::propose),
            )
            .route("/stats/exclusions/{id}/decide", post(screens::decide))
            .route("/stats/duty", get(screens::duty).post(screens::duty_add))
            .route("/stats/duty/{id}/remove", post(screens::duty_remove))
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

/// The names of the categories by code (every category, in use or not: old cases keep theirs).
pub(crate) async fn category_names(
    db: &impl sea_orm::ConnectionTrait,
) -> crate::infra::error::AppResult<std::collections::BTreeMap<String, String>> {
    Ok(db
        .query_all_raw(crate::infra::db::statement(
            db,
            "SELECT code, name FROM categories",
            vec![],
        ))
        .await?
        .iter()
        .filter_map(|r| {
            Some((
                r.try_get_by_index::<String>(0).ok()?,
                r.try_get_by_index::<String>(1).ok()?,
            ))
        })
        .collect())
}

/// On SQLite, ` INDEXED BY <index>`: the command centre's reads name the slice of the cases they
/// read, as the case list does, so that the planner never walks a subtree's whole history
/// instead; nothing on PostgreSQL, whose planner needs no such hint.
pub(crate) fn index_hint(db: &impl sea_orm::ConnectionTrait, index: &str) -> String {
    if crate::infra::db::backend(db) == crate::infra::db::Backend::Sqlite {
        format!(" INDEXED BY {index}")
    } else {
        String::new()
    }
}
