//! The org tree's pages: the tree, a node with its map, children, departments and
//! accounts, the forms that change them, the import page and the ledger export.

use super::entity::node;
use super::import;
use super::map::{Shape, svg};
use super::service::{
    self, DepartmentInput, DepartmentView, EditNode, MoveNode, NewNode, NodeFilter, NodeView,
};
use crate::infra::error::{AppError, AppResult};
use crate::web::Base;
use crate::web::Query;
use crate::web::{Actor, PageActor};
use crate::web::{Html, PageCtx, done, respond};
use askama::Template;
use axum::Form;
use axum::extract::{Multipart, Path, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use std::collections::HashMap;
use wangge_core::geo::Area;
use wangge_core::org::{kind_label, kinds_of};
use wangge_core::{OrgLevel, Permission};

/// One row of the flattened tree.
pub struct TreeRow {
    pub id: i64,
    pub depth: usize,
    pub name: String,
    pub code: String,
    pub kind_label: &'static str,
    pub level: &'static str,
    pub retired: bool,
    pub children: usize,
}

fn flatten(nodes: &[service::TreeNode], depth: usize, out: &mut Vec<TreeRow>) {
    for n in nodes {
        out.push(TreeRow {
            id: n.id,
            depth,
            name: n.name.clone(),
            code: n.code.clone(),
            kind_label: n.kind_label,
            level: n.level.as_str(),
            retired: n.status == "retired",
            children: n.children.len(),
        });
        flatten(&n.children, depth + 1, out);
    }
}

#[derive(Template)]
#[template(path = "org/tree.html")]
struct TreePage {
    ctx: PageCtx,
    rows: Vec<TreeRow>,
    q: String,
    include_retired: bool,
    show_buildings: bool,
    can_manage: bool,
    matches: Vec<NodeView>,
}

/// Query of the tree page.
#[derive(Deserialize, Default)]
pub struct TreeQuery {
    q: Option<String>,
    include_retired: Option<String>,
    show_buildings: Option<String>,
}

/// `GET /org`
pub async fn tree(
    State(st): State<Base>,
    PageActor(actor): PageActor,
    Query(q): Query<TreeQuery>,
) -> Response {
    let run = async {
        let c = actor.caller();
        let include_retired = q.include_retired.is_some();
        let text = q.q.clone().unwrap_or_default();
        let matches = if text.trim().is_empty() {
            Vec::new()
        } else {
            service::list(
                &st.db,
                &c,
                &NodeFilter {
                    q: Some(text.clone()),
                    include_retired: Some(include_retired),
                    ..Default::default()
                },
            )
            .await?
            .iter()
            .take(100)
            .map(service::view)
            .collect::<AppResult<_>>()?
        };
        let mut rows_db = service::list(
            &st.db,
            &c,
            &NodeFilter {
                include_retired: Some(include_retired),
                ..Default::default()
            },
        )
        .await?;
        // A grid worker's tree is its grid: there the buildings are the point.
        let small_scope = rows_db
            .iter()
            .find(|r| r.id == actor.org_id)
            .and_then(|r| OrgLevel::parse(&r.level))
            .is_some_and(|l| l >= OrgLevel::Grid);
        let show_buildings = q.show_buildings.is_some() || small_scope;
        if !show_buildings {
            rows_db.retain(|r| r.level != "building");
        }
        let mut rows = Vec::new();
        flatten(&service::nest(&rows_db), 0, &mut rows);
        let ctx = PageCtx::new(&st, &actor, "组织架构", "org").await?;
        Ok(Html(
            TreePage {
                ctx,
                rows,
                q: text,
                include_retired,
                show_buildings,
                can_manage: actor.role.can(Permission::OrgManage),
                matches,
            }
            .render(),
        )
        .into_response())
    };
    respond(&st, &actor, run.await).await
}

#[derive(Template)]
#[template(path = "org/node.html")]
struct NodePage {
    ctx: PageCtx,
    node: NodeView,
    crumbs: Vec<(i64, String)>,
    parent: Option<(i64, String)>,
    children: Vec<NodeView>,
    departments: Vec<DepartmentView>,
    panels: Vec<crate::web::Panel>,
    panels_hold: bool,
    map: Option<String>,
    can_manage: bool,
    can_departments: bool,
    child_levels: Vec<(&'static str, &'static str)>,
    kinds: Vec<(&'static str, &'static str)>,
    child_kinds: Vec<(&'static str, &'static str)>,
    move_targets: Vec<(i64, String)>,
    boundary_text: String,
    department_kinds: &'static [&'static str],
}

/// `GET /org/nodes/{id}`
pub async fn node(
    State(st): State<Base>,
    PageActor(actor): PageActor,
    Path(id): Path<i64>,
) -> Response {
    let run = async {
        let c = actor.caller();
        let n = service::find(&st.db, &c, id).await?;
        let view = service::view(&n)?;
        let crumbs: Vec<(i64, String)> = service::ancestors(&st.db, &c, &n)
            .await?
            .into_iter()
            .map(|a| (a.id, a.name))
            .collect();
        // The parent, when it is in scope (the last breadcrumb); above the scope, nothing.
        let parent: Option<(i64, String)> = crumbs
            .last()
            .filter(|(id, _)| Some(*id) == n.parent_id)
            .cloned();
        let kids = service::list(
            &st.db,
            &c,
            &NodeFilter {
                parent_id: Some(id),
                include_retired: Some(true),
                ..Default::default()
            },
        )
        .await?;
        let map = node_map(&n, &kids);
        let children = kids
            .iter()
            .map(service::view)
            .collect::<AppResult<Vec<_>>>()?;
        let departments = service::departments(&st.db, &c, Some(id)).await?;
        let at = crate::web::NodeRef {
            id,
            retired: view.retired(),
        };
        let mut panels = Vec::new();
        for make in &st.site.node_panels {
            if let Some(p) = make(&st, &c, at).await? {
                panels.push(p);
            }
        }
        let panels_hold = panels.iter().any(|p| p.holds);
        let can_manage = actor.role.can(Permission::OrgManage);
        let level = view.level;
        let move_targets = if can_manage && n.parent_id.is_some() {
            let all = service::list(&st.db, &c, &NodeFilter::default()).await?;
            let names: HashMap<i64, String> = all.iter().map(|x| (x.id, x.name.clone())).collect();
            all.iter()
                .filter(|x| OrgLevel::parse(&x.level).is_some_and(|l| l.may_contain(level)))
                .filter(|x| Some(x.id) != n.parent_id && !x.path.starts_with(&n.path))
                .map(|x| {
                    let up = x
                        .parent_id
                        .and_then(|p| names.get(&p))
                        .map(|s| format!("{s} / "))
                        .unwrap_or_default();
                    (x.id, format!("{up}{}", x.name))
                })
                .collect()
        } else {
            Vec::new()
        };
        let label_pairs = |l: OrgLevel| {
            kinds_of(l)
                .iter()
                .map(|k| (*k, kind_label(l, k)))
                .collect::<Vec<_>>()
        };
        let child_levels: Vec<(&str, &str)> = level
            .child_levels()
            .iter()
            .map(|l| (l.as_str(), l.label()))
            .collect();
        let child_kinds = level
            .child_levels()
            .iter()
            .flat_map(|l| label_pairs(*l))
            .collect();
        let boundary_text = n.boundary.clone().unwrap_or_default();
        let ctx = PageCtx::new(&st, &actor, &view.name, "org").await?;
        Ok(Html(
            NodePage {
                ctx,
                kinds: label_pairs(level),
                node: view,
                crumbs,
                parent,
                children,
                departments,
                panels,
                panels_hold,
                map,
                can_manage,
                can_departments: actor.role.can(Permission::DepartmentManage),
                child_levels,
                child_kinds,
                move_targets,
                boundary_text,
                department_kinds: super::DEPARTMENT_KINDS,
            }
            .render(),
        )
        .into_response())
    };
    respond(&st, &actor, run.await).await
}

/// `GET /org/nodes/{id}/map.svg`: the node's map alone (for the wall screen and printing).
pub async fn map_svg(
    State(st): State<Base>,
    actor: Actor,
    Path(id): Path<i64>,
) -> AppResult<Response> {
    let c = actor.caller();
    let n = service::find(&st.db, &c, id).await?;
    let kids = service::list(
        &st.db,
        &c,
        &NodeFilter {
            parent_id: Some(id),
            ..Default::default()
        },
    )
    .await?;
    let body =
        node_map(&n, &kids).ok_or_else(|| AppError::NotFound("该节点及其下级都没有边界".into()))?;
    Ok(([(header::CONTENT_TYPE, "image/svg+xml")], body).into_response())
}

/// The map of a node: its boundary, and its active children's boundaries labelled without
/// the parent's name ("柳岸社区第一网格" inside 柳岸社区 reads "第一网格").
fn node_map(n: &node::Model, kids: &[node::Model]) -> Option<String> {
    let outer = n
        .boundary
        .as_deref()
        .and_then(|b| Area::from_geojson(b).ok());
    let areas: Vec<(i64, &str, Area)> = kids
        .iter()
        .filter(|k| k.status == "active")
        .filter_map(|k| {
            let label = k
                .name
                .strip_prefix(n.name.as_str())
                .filter(|l| !l.is_empty())
                .unwrap_or(&k.name);
            Some((
                k.id,
                label,
                Area::from_geojson(k.boundary.as_deref()?).ok()?,
            ))
        })
        .collect();
    let shapes: Vec<Shape<'_>> = areas
        .iter()
        .map(|(id, name, area)| Shape {
            id: *id,
            name,
            area,
            fill: None,
            href: None,
            note: None,
        })
        .collect();
    svg(outer.as_ref(), &shapes)
}

fn node_url(id: i64) -> String {
    format!("/org/nodes/{id}")
}

/// The edit form.
#[derive(Deserialize)]
pub struct EditForm {
    name: String,
    code: String,
    kind: Option<String>,
    sort_order: Option<String>,
    version: i32,
}

fn parse_sort(s: Option<&str>) -> AppResult<Option<i32>> {
    match s.map(str::trim).filter(|s| !s.is_empty()) {
        None => Ok(None),
        Some(v) => v
            .parse()
            .map(Some)
            .map_err(|_| AppError::bad("invalid_input", "排序应为整数")),
    }
}

/// `POST /org/nodes/{id}/edit`
pub async fn edit(
    State(st): State<Base>,
    PageActor(actor): PageActor,
    Path(id): Path<i64>,
    Form(f): Form<EditForm>,
) -> Response {
    let r = async {
        let e = EditNode {
            name: Some(f.name),
            code: Some(f.code),
            kind: f.kind,
            sort_order: parse_sort(f.sort_order.as_deref())?,
            version: f.version,
        };
        service::update(&st.db, &actor.caller(), id, e).await
    }
    .await;
    done(r, &node_url(id), "已保存")
}

/// The add-child form.
#[derive(Deserialize)]
pub struct ChildForm {
    level: String,
    kind: Option<String>,
    code: String,
    name: String,
    sort_order: Option<String>,
}

/// `POST /org/nodes/{id}/children`
pub async fn add_child(
    State(st): State<Base>,
    PageActor(actor): PageActor,
    Path(id): Path<i64>,
    Form(f): Form<ChildForm>,
) -> Response {
    let r = async {
        let level =
            OrgLevel::parse(&f.level).ok_or_else(|| AppError::bad("bad_level", "请选择层级"))?;
        // The kind select lists the kinds of every child level; keep only one that fits.
        let kind = f.kind.filter(|k| kinds_of(level).contains(&k.as_str()));
        let input = NewNode {
            parent_id: Some(id),
            level: f.level,
            kind,
            code: f.code,
            name: f.name,
            sort_order: parse_sort(f.sort_order.as_deref())?,
        };
        service::create(&st.db, &actor.caller(), input).await
    }
    .await;
    match r {
        Ok(n) => crate::web::flash_redirect(&node_url(n.id), true, &format!("已添加“{}”", n.name)),
        Err(e) => done::<()>(Err(e), &node_url(id), ""),
    }
}

/// The move form.
#[derive(Deserialize)]
pub struct MoveForm {
    new_parent_id: i64,
    version: i32,
}

/// `POST /org/nodes/{id}/move`
pub async fn move_node(
    State(st): State<Base>,
    PageActor(actor): PageActor,
    Path(id): Path<i64>,
    Form(f): Form<MoveForm>,
) -> Response {
    let r = service::move_node(
        &st.db,
        &st.site.holds,
        &actor.caller(),
        id,
        MoveNode {
            new_parent_id: f.new_parent_id,
            version: f.version,
        },
    )
    .await;
    done(r, &node_url(id), "已移动")
}

/// `POST /org/nodes/{id}/retire`
pub async fn retire(
    State(st): State<Base>,
    PageActor(actor): PageActor,
    Path(id): Path<i64>,
) -> Response {
    match service::retire(&st.db, &actor.caller(), id).await {
        Ok(n) => crate::web::flash_redirect(&node_url(id), true, &format!("已停用 {n} 个节点")),
        Err(e) => done::<()>(Err(e), &node_url(id), ""),
    }
}

/// `POST /org/nodes/{id}/reactivate`
pub async fn reactivate(
    State(st): State<Base>,
    PageActor(actor): PageActor,
    Path(id): Path<i64>,
) -> Response {
    done(
        service::reactivate(&st.db, &actor.caller(), id).await,
        &node_url(id),
        "已启用",
    )
}

/// `POST /org/nodes/{id}/delete`
pub async fn delete(
    State(st): State<Base>,
    PageActor(actor): PageActor,
    Path(id): Path<i64>,
) -> Response {
    let c = actor.caller();
    let parent = service::find(&st.db, &c, id)
        .await
        .ok()
        .and_then(|n| n.parent_id);
    match service::delete(&st.db, &st.site.holds, &c, id).await {
        Ok(()) => crate::web::flash_redirect(
            &parent.map(node_url).unwrap_or_else(|| "/org".into()),
            true,
            "已删除",
        ),
        Err(e) => done::<()>(Err(e), &node_url(id), ""),
    }
}

/// The boundary form: GeoJSON text (a file picked is read into it by the page's script).
#[derive(Deserialize)]
pub struct BoundaryForm {
    geojson: String,
    clear: Option<String>,
}

/// `POST /org/nodes/{id}/boundary`
pub async fn boundary(
    State(st): State<Base>,
    PageActor(actor): PageActor,
    Path(id): Path<i64>,
    Form(f): Form<BoundaryForm>,
) -> Response {
    let c = actor.caller();
    if f.clear.is_some() {
        return done(
            service::set_boundary(&st.db, &c, id, None).await,
            &node_url(id),
            "已清除边界",
        );
    }
    if f.geojson.trim().is_empty() {
        return done::<()>(
            Err(AppError::bad(
                "bad_geojson",
                "请选择 GeoJSON 文件或粘贴 GeoJSON 文本",
            )),
            &node_url(id),
            "",
        );
    }
    done(
        service::set_boundary(&st.db, &c, id, Some(&f.geojson)).await,
        &node_url(id),
        "边界已保存",
    )
}

/// The add-department form.
#[derive(Deserialize)]
pub struct DepartmentForm {
    name: String,
    kind: Option<String>,
    duty: Option<String>,
}

/// `POST /org/nodes/{id}/departments`
pub async fn add_department(
    State(st): State<Base>,
    PageActor(actor): PageActor,
    Path(id): Path<i64>,
    Form(f): Form<DepartmentForm>,
) -> Response {
    let input = DepartmentInput {
        name: Some(f.name),
        kind: f.kind,
        duty: f.duty,
        status: None,
        version: None,
    };
    done(
        service::create_department(&st.db, &actor.caller(), id, input).await,
        &node_url(id),
        "已添加部门",
    )
}

#[derive(Template)]
#[template(path = "org/departments.html")]
struct DepartmentsPage {
    ctx: PageCtx,
    departments: Vec<DepartmentView>,
    can_manage: bool,
    department_kinds: &'static [&'static str],
}

/// `GET /departments`
pub async fn departments(State(st): State<Base>, PageActor(actor): PageActor) -> Response {
    let run = async {
        let departments = service::departments(&st.db, &actor.caller(), None).await?;
        let ctx = PageCtx::new(&st, &actor, "职能部门", "departments").await?;
        Ok(Html(
            DepartmentsPage {
                ctx,
                departments,
                can_manage: actor.role.can(Permission::DepartmentManage),
                department_kinds: super::DEPARTMENT_KINDS,
            }
            .render(),
        )
        .into_response())
    };
    respond(&st, &actor, run.await).await
}

/// The department edit form.
#[derive(Deserialize)]
pub struct DepartmentEditForm {
    name: String,
    kind: Option<String>,
    duty: Option<String>,
    status: Option<String>,
    version: i32,
}

/// `POST /departments/{id}`
pub async fn edit_department(
    State(st): State<Base>,
    PageActor(actor): PageActor,
    Path(id): Path<i64>,
    Form(f): Form<DepartmentEditForm>,
) -> Response {
    let input = DepartmentInput {
        name: Some(f.name),
        kind: f.kind,
        duty: f.duty,
        status: f.status,
        version: Some(f.version),
    };
    done(
        service::update_department(&st.db, &actor.caller(), id, input).await,
        "/departments",
        "部门已保存",
    )
}

#[derive(Template)]
#[template(path = "org/import.html")]
struct ImportPage {
    ctx: PageCtx,
    report: Option<import::Report>,
    file_error: Option<String>,
}

/// `GET /org/import`
pub async fn import_page(State(st): State<Base>, PageActor(actor): PageActor) -> Response {
    let run = async {
        actor.require(Permission::OrgManage)?;
        let ctx = PageCtx::new(&st, &actor, "导入组织树", "org").await?;
        Ok(Html(
            ImportPage {
                ctx,
                report: None,
                file_error: None,
            }
            .render(),
        )
        .into_response())
    };
    respond(&st, &actor, run.await).await
}

/// `POST /org/import` (multipart, field `file`; the CSRF token rides in the query).
pub async fn import_submit(
    State(st): State<Base>,
    PageActor(actor): PageActor,
    mut mp: Multipart,
) -> Response {
    let run = async {
        actor.require(Permission::OrgManage)?;
        let mut bytes = None;
        while let Some(field) = mp
            .next_field()
            .await
            .map_err(|e| AppError::bad("bad_upload", format!("上传失败：{e}")))?
        {
            if field.name() == Some("file") {
                bytes = Some(
                    field
                        .bytes()
                        .await
                        .map_err(|e| AppError::bad("bad_upload", format!("上传失败：{e}")))?,
                );
            }
        }
        let outcome = match bytes.filter(|b| !b.is_empty()) {
            None => Err(AppError::bad("no_file", "请选择要导入的文件")),
            Some(b) => match import::parse(&b) {
                Ok(rows) => import::import(&st.db, &actor.caller(), rows).await,
                Err(e) => Err(e),
            },
        };
        let (report, file_error) = match outcome {
            Ok(r) => (Some(r), None),
            Err(e @ AppError::BadInput { .. }) => (None, Some(e.to_string())),
            Err(e) => return Err(e),
        };
        let ctx = PageCtx::new(&st, &actor, "导入组织树", "org").await?;
        Ok(Html(
            ImportPage {
                ctx,
                report,
                file_error,
            }
            .render(),
        )
        .into_response())
    };
    respond(&st, &actor, run.await).await
}

/// `GET /org/import/template.csv`
pub async fn import_template() -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8"),
            (
                header::CONTENT_DISPOSITION,
                "attachment; filename=\"org-template.csv\"",
            ),
        ],
        format!("\u{feff}{}", import::TEMPLATE_CSV),
    )
        .into_response()
}

/// `GET /org/export.xlsx`: the org ledger of the caller's scope.
pub async fn export(State(st): State<Base>, PageActor(actor): PageActor) -> Response {
    let run = async {
        let c = actor.caller();
        let rows = service::list(
            &st.db,
            &c,
            &NodeFilter {
                include_retired: Some(true),
                ..Default::default()
            },
        )
        .await?;
        let by_id: HashMap<i64, &node::Model> = rows.iter().map(|r| (r.id, r)).collect();
        let data: Vec<Vec<String>> = rows
            .iter()
            .map(|r| {
                let v = service::view(r)?;
                let parent = r.parent_id.and_then(|p| by_id.get(&p));
                Ok(vec![
                    r.code.clone(),
                    r.name.clone(),
                    v.level_label.to_owned(),
                    v.kind_label.to_owned(),
                    parent.map(|p| p.code.clone()).unwrap_or_default(),
                    parent.map(|p| p.name.clone()).unwrap_or_default(),
                    if v.retired() {
                        "停用".into()
                    } else {
                        "启用".into()
                    },
                    if r.boundary.is_some() {
                        "有".into()
                    } else {
                        "无".into()
                    },
                ])
            })
            .collect::<AppResult<_>>()?;
        let bytes = crate::web::xlsx::build(
            "组织架构",
            &[
                "编码",
                "名称",
                "层级",
                "类型",
                "上级编码",
                "上级名称",
                "状态",
                "边界",
            ],
            &data,
        )?;
        Ok(crate::web::xlsx::download("组织架构台账.xlsx", bytes))
    };
    respond(&st, &actor, run.await).await
}
