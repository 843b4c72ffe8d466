//! The org tree and the departments attached to it: the places of a deployment, from the
//! district down to buildings, each with a materialized path that scopes every other row.

pub mod api;
pub mod entity;
pub mod import;
pub mod map;
pub mod pages;
pub mod service;

/// Kinds of departments (职能部门) a node can hold; the UI offers these, the API accepts any.
pub const DEPARTMENT_KINDS: &[&str] = &[
    "派出所",
    "司法所",
    "信访办",
    "综治办",
    "城管中队",
    "市场监管所",
    "应急管理办",
    "卫生健康办",
    "民政办",
    "自然资源所",
    "人大代表联络站",
    "供电所",
    "自来水公司",
    "燃气公司",
    "物业公司",
    "业委会",
    "学校",
    "其他",
];

use crate::infra::db::Hold;
use crate::web::{Base, Mounted, NavEntry, Routes, Slice};
use axum::routing::{get, post};
use utoipa_axum::routes;
use wangge_core::Permission;

/// The slice, as the app lists it.
pub const SLICE: Slice = Slice {
    name: "org",
    mount,
    nav: &[
        NavEntry {
            order: 110,
            key: "org",
            href: "/org",
            label: "组织架构",
            shown: |r| r.can(Permission::OrgView),
        },
        NavEntry {
            order: 120,
            key: "departments",
            href: "/departments",
            label: "职能部门",
            shown: |r| r.can(Permission::OrgView),
        },
    ],
    node_panels: &[],
    body_limits: &[],
    holds: &[
        Hold::path("departments", "org_path", "个部门"),
        Hold::id("departments", "org_id", "个部门"),
    ],
    audit_actions: &[
        ("create", "新建"),
        ("update", "修改"),
        ("move", "移动"),
        ("retire", "停用"),
        ("reactivate", "重新启用"),
        ("delete", "删除"),
        ("boundary", "边界"),
        ("import", "导入"),
    ],
    audit_entities: &[("org_node", "组织节点"), ("department", "部门")],
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
    Routes::api()
        .routes(routes!(api::api_tree))
        .routes(routes!(api::api_list, api::api_create))
        .routes(routes!(api::api_get, api::api_update, api::api_delete))
        .routes(routes!(api::api_move))
        .routes(routes!(api::api_retire))
        .routes(routes!(api::api_reactivate))
        .routes(routes!(
            api::api_get_boundary,
            api::api_set_boundary,
            api::api_clear_boundary
        ))
        .routes(routes!(
            api::api_node_departments,
            api::api_create_department
        ))
        .routes(routes!(api::api_import))
        .routes(routes!(api::api_departments))
        .routes(routes!(api::api_get_department, api::api_update_department))
}

/// The pages.
fn pages() -> Routes<Base> {
    Routes::pages()
        .route("/org", get(pages::tree))
        .route("/org/export.xlsx", get(pages::export))
        .route(
            "/org/import",
            get(pages::import_page).post(pages::import_submit),
        )
        .route("/org/import/template.csv", get(pages::import_template))
        .route("/org/nodes/{id}", get(pages::node))
        .route("/org/nodes/{id}/edit", post(pages::edit))
        .route("/org/nodes/{id}/children", post(pages::add_child))
        .route("/org/nodes/{id}/move", post(pages::move_node))
        .route("/org/nodes/{id}/retire", post(pages::retire))
        .route("/org/nodes/{id}/reactivate", post(pages::reactivate))
        .route("/org/nodes/{id}/delete", post(pages::delete))
        .route("/org/nodes/{id}/boundary", post(pages::boundary))
        .route("/org/nodes/{id}/departments", post(pages::add_department))
        .route("/org/nodes/{id}/map.svg", get(pages::map_svg))
        .route("/departments", get(pages::departments))
        .route("/departments/{id}", post(pages::edit_department))
}
