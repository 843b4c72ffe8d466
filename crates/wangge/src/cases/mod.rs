//! The case loop (诉求/事件): report, screen, route, dispatch, handle, feed back, verify, rate,
//! close — with working-time deadlines, pressing, notifications and the three rates.
//!
//! The rules live in the pure core (`wangge_core::case`, `worktime`, `category`, `routing`,
//! `rates`, `photo`, `classify`); this slice holds their storage ([`entity`]), the editable
//! reference data ([`catalog`]), the services ([`service`]), the suggestion ([`suggest`]),
//! notifications ([`notify`]), photos ([`files`]), the pressing job ([`press`]), the JSON API
//! ([`api`]) and the pages ([`pages`]). The engine carries a case *kind*, so disputes and
//! hazards can reuse it.

pub mod api;
pub mod catalog;
pub mod directory;
pub mod entity;
pub mod intake;
pub mod kinds;
pub mod notify;
pub mod pages;
pub mod press;
pub mod public;
pub mod service;
pub mod suggest;

use crate::web::Base;
use axum::extract::FromRef;
use std::sync::Arc;
use utoipa_axum::routes;

/// What the case loop's handlers reach: the base, and the slice's own caches and writer.
#[derive(Clone)]
pub struct CasesState {
    /// What every slice reaches.
    pub base: Base,
    /// The category tree and working calendar, reloaded after edits.
    pub catalog: Arc<catalog::Cache>,
    /// Learned category models per street.
    pub models: Arc<suggest::Models>,
    /// The org tree, departments and staff, as the intake reads them.
    pub directory: Arc<directory::Snapshot>,
    /// The writer that lands reports in batches.
    pub intake: Arc<intake::Writer>,
}

/// The slice's own part, made once per server.
struct Own {
    catalog: Arc<catalog::Cache>,
    models: Arc<suggest::Models>,
    directory: Arc<directory::Snapshot>,
    intake: Arc<intake::Writer>,
}

impl CasesState {
    /// The case loop's state over a base (its caches and writer are made once per base).
    pub fn of(base: &Base) -> CasesState {
        service::serve_kinds(&base.site.kinds);
        let own = base.part(|b| Own {
            catalog: Arc::new(catalog::Cache::new(b.config.pressing.yellow_at)),
            models: Arc::default(),
            directory: Arc::default(),
            intake: Arc::default(),
        });
        CasesState {
            base: base.clone(),
            catalog: own.catalog.clone(),
            models: own.models.clone(),
            directory: own.directory.clone(),
            intake: own.intake.clone(),
        }
    }
}

impl std::ops::Deref for CasesState {
    type Target = Base;
    fn deref(&self) -> &Base {
        &self.base
    }
}

impl FromRef<CasesState> for Base {
    fn from_ref(s: &CasesState) -> Base {
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
    name: "cases",
    mount,
    nav: &[
        NavEntry {
            order: 20,
            key: "todo",
            href: "/todo",
            label: "我的待办",
            shown: |_| true,
        },
        NavEntry {
            order: 30,
            key: "new",
            href: "/cases/new",
            label: "上报问题",
            shown: |_| true,
        },
        NavEntry {
            order: 40,
            key: "cases",
            href: "/cases",
            label: "案件台账",
            shown: |_| true,
        },
        NavEntry {
            order: 50,
            key: "stats",
            href: "/stats",
            label: "办理统计",
            shown: |r| r.is_staff(),
        },
        NavEntry {
            order: 60,
            key: "notifications",
            href: "/notifications",
            label: "消息通知",
            shown: |_| true,
        },
        NavEntry {
            order: 70,
            key: "categories",
            href: "/admin/categories",
            label: "事项分类",
            shown: |r| r.can(Permission::OrgManage),
        },
        NavEntry {
            order: 80,
            key: "calendar",
            href: "/admin/calendar",
            label: "工作日历",
            shown: |r| r.can(Permission::OrgManage),
        },
    ],
    node_panels: &[],
    body_limits: &[
        ("/api/v1/files", PHOTO_BODY_LIMIT),
        ("/cases/new", PHOTO_BODY_LIMIT),
        ("/cases/{id}/act", PHOTO_BODY_LIMIT),
        ("/report", PHOTO_BODY_LIMIT),
    ],
    holds: &[
        Hold::path("cases", "org_path", "件发生在此的案件"),
        Hold::path("cases", "dispatch_path", "件由此派遣的案件"),
        Hold::path("cases", "assignee_path", "件派给此处的案件"),
        Hold::id("cases", "org_id", "件发生在此的案件"),
        Hold::id("cases", "building_id", "件报在此楼栋的案件"),
        Hold::id("cases", "dispatch_org_id", "件由此派遣的案件"),
        Hold::id("cases", "assignee_org_id", "件派给此处的案件"),
    ],
    audit_actions: &[("case_action", "办理案件"), ("upload", "上传")],
    audit_entities: &[
        ("case", "案件"),
        ("category", "事项分类"),
        ("calendar", "工作日历"),
        ("file", "文件"),
    ],
    kinds: &[&wangge_core::flow::appeal::KIND],
    on_transition: &[],
    seed: Some(|db, site| {
        Box::pin(async move {
            catalog::seed(db, &site.kinds)
                .await
                .context("无法写入事项分类和工作日历的初始数据")
        })
    }),
};

/// Forms that carry photos: nine of the largest accepted, and the fields.
pub const PHOTO_BODY_LIMIT: usize = 9 * crate::infra::files::MAX_BYTES + 1024 * 1024;

fn mount(base: &crate::web::Base) -> Mounted {
    let st = CasesState::of(base);
    Mounted {
        api: api().with_state(st.clone()),
        pages: pages().with_state(st.clone()),
        jobs: vec![Box::pin(press::run_forever(st))],
    }
}

/// The JSON API (under `/api/v1`).
fn api() -> Routes<CasesState> {
    Routes::api()
        .routes(routes!(api::api_list, api::api_create))
        .routes(routes!(api::api_get))
        .routes(routes!(api::api_act))
        .routes(routes!(api::api_todo))
        .routes(routes!(api::api_categories, api::api_create_category))
        .routes(routes!(api::api_suggest))
        .routes(routes!(api::api_update_category))
        .routes(routes!(api::api_calendar))
        .routes(routes!(api::api_set_day))
        .routes(routes!(api::api_stats))
        .routes(routes!(api::api_upload))
        .routes(routes!(api::api_notifications))
        .routes(routes!(api::api_mark_read))
        .routes(routes!(api::api_press))
}

/// The pages.
fn pages() -> Routes<CasesState> {
    Routes::pages()
        .route("/todo", get(pages::todo))
        .route("/cases", get(pages::list))
        .route("/cases/export.xlsx", get(pages::export))
        .route("/cases/new", get(pages::new_form).post(pages::create))
        .route("/cases/{id}", get(pages::detail))
        .route("/cases/{id}/act", post(pages::act))
        .route(
            "/report",
            get(public::public_form).post(public::public_create),
        )
        .route("/report/places", get(public::places))
        .route("/report/locate", get(public::locate))
        .route("/track", get(public::lookup_page).post(public::lookup))
        .route("/track/{no}", get(public::track).post(public::track_act))
        .route("/track/{no}/files/{id}", get(public::track_file))
        .route("/files/{id}", get(pages::file))
        .route("/events", get(api::events))
        .route("/notifications", get(pages::notifications))
        .route("/notifications/read", post(pages::mark_read))
        .route("/stats", get(pages::stats))
        .route(
            "/admin/categories",
            get(pages::categories).post(pages::create_category),
        )
        .route("/admin/categories/{code}", post(pages::update_category))
        .route("/admin/calendar", get(pages::calendar).post(pages::set_day))
}
