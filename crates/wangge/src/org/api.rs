//! The org tree's JSON API. Thin: parse, call the service, answer.

use super::import;
use super::service::{
    self, DepartmentInput, DepartmentView, EditNode, MoveNode, NewNode, NodeFilter, NodeView,
    TreeNode,
};
use crate::infra::error::{AppError, AppResult};
use crate::web::Actor;
use crate::web::Base;
use crate::web::Query;
use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use serde::Deserialize;
use serde_json::{Value, json};

/// `GET /api/v1/org/tree`
#[utoipa::path(
    get,
    operation_id = "org_tree",
    path = "/org/tree",
    tag = "组织架构",
    summary = "管辖范围内的组织树（嵌套）",
    params(
        ("include_retired" = Option<bool>, Query, description = "是否包含已撤销的节点"),
    ),
    responses(
        (status = 200, description = "成功"),
        crate::web::Refused,
    ),
)]
pub async fn api_tree(
    State(st): State<Base>,
    actor: Actor,
    Query(q): Query<TreeQuery>,
) -> AppResult<Json<Vec<TreeNode>>> {
    Ok(Json(
        service::tree(&st.db, &actor.caller(), q.include_retired.unwrap_or(false)).await?,
    ))
}

/// Query of the tree.
#[derive(Deserialize)]
pub struct TreeQuery {
    include_retired: Option<bool>,
}

/// `GET /api/v1/org/nodes`
#[utoipa::path(
    get,
    operation_id = "org_list",
    path = "/org/nodes",
    tag = "组织架构",
    summary = "节点列表（平铺）",
    params(
        ("level" = Option<String>, Query, description = "层级"),
        ("parent_id" = Option<i64>, Query, description = "上级节点"),
        ("q" = Option<String>, Query, description = "名称或编码"),
        ("include_retired" = Option<bool>, Query, description = "是否包含已撤销的节点"),
    ),
    responses(
        (status = 200, description = "成功"),
        crate::web::Refused,
    ),
)]
pub async fn api_list(
    State(st): State<Base>,
    actor: Actor,
    Query(f): Query<NodeFilter>,
) -> AppResult<Json<Vec<NodeView>>> {
    let rows = service::list(&st.db, &actor.caller(), &f).await?;
    Ok(Json(
        rows.iter().map(service::view).collect::<AppResult<_>>()?,
    ))
}

/// `GET /api/v1/org/nodes/{id}`
#[utoipa::path(
    get,
    operation_id = "org_get",
    path = "/org/nodes/{id}",
    tag = "组织架构",
    summary = "一个节点",
    params(
        ("id" = i64, Path, description = "编号"),
    ),
    responses(
        (status = 200, description = "成功"),
        crate::web::Refused,
    ),
)]
pub async fn api_get(
    State(st): State<Base>,
    actor: Actor,
    Path(id): Path<i64>,
) -> AppResult<Json<NodeView>> {
    Ok(Json(service::view(
        &service::find(&st.db, &actor.caller(), id).await?,
    )?))
}

/// `POST /api/v1/org/nodes`
#[utoipa::path(
    post,
    operation_id = "org_create",
    path = "/org/nodes",
    tag = "组织架构",
    summary = "新建节点",
    request_body(content = Object, content_type = "application/json", description = "{parent_id, level, kind?, code, name, sort_order?}"),
    responses(
        (status = 201, description = "已创建"),
        crate::web::Refused,
    ),
)]
pub async fn api_create(
    State(st): State<Base>,
    actor: Actor,
    b: Bytes,
) -> AppResult<(StatusCode, Json<NodeView>)> {
    let input: NewNode = crate::web::json_body(&b)?;
    let row = service::create(&st.db, &actor.caller(), input).await?;
    Ok((StatusCode::CREATED, Json(service::view(&row)?)))
}

/// `PATCH /api/v1/org/nodes/{id}`
#[utoipa::path(
    patch,
    operation_id = "org_update",
    path = "/org/nodes/{id}",
    tag = "组织架构",
    summary = "修改节点（带版本号）",
    params(
        ("id" = i64, Path, description = "编号"),
    ),
    request_body(content = Object, content_type = "application/json", description = "{name?, code?, kind?, sort_order?, version}"),
    responses(
        (status = 200, description = "成功"),
        crate::web::RefusedWrite,
    ),
)]
pub async fn api_update(
    State(st): State<Base>,
    actor: Actor,
    Path(id): Path<i64>,
    b: Bytes,
) -> AppResult<Json<NodeView>> {
    let input: EditNode = crate::web::json_body(&b)?;
    Ok(Json(service::view(
        &service::update(&st.db, &actor.caller(), id, input).await?,
    )?))
}

/// `DELETE /api/v1/org/nodes/{id}`: only an empty node; others are retired.
#[utoipa::path(
    delete,
    operation_id = "org_delete",
    path = "/org/nodes/{id}",
    tag = "组织架构",
    summary = "删除节点（仅当无任何数据挂在其下）",
    params(
        ("id" = i64, Path, description = "编号"),
    ),
    responses(
        (status = 204, description = "已删除"),
        crate::web::Refused,
    ),
)]
pub async fn api_delete(
    State(st): State<Base>,
    actor: Actor,
    Path(id): Path<i64>,
) -> AppResult<StatusCode> {
    service::delete(&st.db, &st.site.holds, &actor.caller(), id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// `POST /api/v1/org/nodes/{id}/move`
#[utoipa::path(
    post,
    operation_id = "org_move",
    path = "/org/nodes/{id}/move",
    tag = "组织架构",
    summary = "迁移节点及其子树",
    params(
        ("id" = i64, Path, description = "编号"),
    ),
    request_body(content = Object, content_type = "application/json", description = "{new_parent_id, version}"),
    responses(
        (status = 200, description = "成功"),
        crate::web::RefusedWrite,
    ),
)]
pub async fn api_move(
    State(st): State<Base>,
    actor: Actor,
    Path(id): Path<i64>,
    b: Bytes,
) -> AppResult<Json<NodeView>> {
    let input: MoveNode = crate::web::json_body(&b)?;
    Ok(Json(service::view(
        &service::move_node(&st.db, &st.site.holds, &actor.caller(), id, input).await?,
    )?))
}

/// `POST /api/v1/org/nodes/{id}/retire`
#[utoipa::path(
    post,
    operation_id = "org_retire",
    path = "/org/nodes/{id}/retire",
    tag = "组织架构",
    summary = "撤销节点及其子树",
    params(
        ("id" = i64, Path, description = "编号"),
    ),
    responses(
        (status = 200, description = "成功"),
        crate::web::Refused,
    ),
)]
pub async fn api_retire(
    State(st): State<Base>,
    actor: Actor,
    Path(id): Path<i64>,
) -> AppResult<Json<Value>> {
    let n = service::retire(&st.db, &actor.caller(), id).await?;
    Ok(Json(json!({"retired": n})))
}

/// `POST /api/v1/org/nodes/{id}/reactivate`
#[utoipa::path(
    post,
    operation_id = "org_reactivate",
    path = "/org/nodes/{id}/reactivate",
    tag = "组织架构",
    summary = "恢复已撤销的节点",
    params(
        ("id" = i64, Path, description = "编号"),
    ),
    responses(
        (status = 200, description = "成功"),
        crate::web::Refused,
    ),
)]
pub async fn api_reactivate(
    State(st): State<Base>,
    actor: Actor,
    Path(id): Path<i64>,
) -> AppResult<Json<NodeView>> {
    let c = actor.caller();
    service::reactivate(&st.db, &c, id).await?;
    Ok(Json(service::view(&service::find(&st.db, &c, id).await?)?))
}

/// `GET /api/v1/org/nodes/{id}/boundary`: the GeoJSON geometry, or 404 when there is none.
#[utoipa::path(
    get,
    operation_id = "org_get_boundary",
    path = "/org/nodes/{id}/boundary",
    tag = "组织架构",
    summary = "节点边界（GeoJSON）",
    params(
        ("id" = i64, Path, description = "编号"),
    ),
    responses(
        (status = 200, description = "成功"),
        crate::web::Refused,
    ),
)]
pub async fn api_get_boundary(
    State(st): State<Base>,
    actor: Actor,
    Path(id): Path<i64>,
) -> AppResult<Json<Value>> {
    service::boundary(&st.db, &actor.caller(), id)
        .await?
        .map(Json)
        .ok_or_else(|| AppError::NotFound("该节点没有设置边界".into()))
}

/// `PUT /api/v1/org/nodes/{id}/boundary` with a GeoJSON Polygon/MultiPolygon (or Feature).
#[utoipa::path(
    put,
    operation_id = "org_set_boundary",
    path = "/org/nodes/{id}/boundary",
    tag = "组织架构",
    summary = "设置节点边界（GeoJSON，WGS-84）",
    params(
        ("id" = i64, Path, description = "编号"),
    ),
    request_body(content = Object, content_type = "application/json", description = "Polygon、MultiPolygon、Feature 或单要素 FeatureCollection"),
    responses(
        (status = 204, description = "已保存"),
        crate::web::Refused,
    ),
)]
pub async fn api_set_boundary(
    State(st): State<Base>,
    actor: Actor,
    Path(id): Path<i64>,
    b: Bytes,
) -> AppResult<StatusCode> {
    let text =
        std::str::from_utf8(&b).map_err(|_| AppError::bad("bad_geojson", "边界不是 UTF-8 文本"))?;
    service::set_boundary(&st.db, &actor.caller(), id, Some(text)).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// `DELETE /api/v1/org/nodes/{id}/boundary`
#[utoipa::path(
    delete,
    operation_id = "org_clear_boundary",
    path = "/org/nodes/{id}/boundary",
    tag = "组织架构",
    summary = "清除节点边界",
    params(
        ("id" = i64, Path, description = "编号"),
    ),
    responses(
        (status = 204, description = "已清除"),
        crate::web::Refused,
    ),
)]
pub async fn api_clear_boundary(
    State(st): State<Base>,
    actor: Actor,
    Path(id): Path<i64>,
) -> AppResult<StatusCode> {
    service::set_boundary(&st.db, &actor.caller(), id, None).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// `GET /api/v1/org/nodes/{id}/departments`
#[utoipa::path(
    get,
    operation_id = "org_node_departments",
    path = "/org/nodes/{id}/departments",
    tag = "组织架构",
    summary = "节点下的部门",
    params(
        ("id" = i64, Path, description = "编号"),
    ),
    responses(
        (status = 200, description = "成功"),
        crate::web::Refused,
    ),
)]
pub async fn api_node_departments(
    State(st): State<Base>,
    actor: Actor,
    Path(id): Path<i64>,
) -> AppResult<Json<Vec<DepartmentView>>> {
    let c = actor.caller();
    service::find(&st.db, &c, id).await?;
    Ok(Json(service::departments(&st.db, &c, Some(id)).await?))
}

/// `POST /api/v1/org/nodes/{id}/departments`
#[utoipa::path(
    post,
    operation_id = "org_create_department",
    path = "/org/nodes/{id}/departments",
    tag = "组织架构",
    summary = "新建部门",
    params(
        ("id" = i64, Path, description = "编号"),
    ),
    request_body(content = Object, content_type = "application/json", description = "{name, kind, duty}"),
    responses(
        (status = 201, description = "已创建"),
        crate::web::Refused,
    ),
)]
pub async fn api_create_department(
    State(st): State<Base>,
    actor: Actor,
    Path(id): Path<i64>,
    b: Bytes,
) -> AppResult<(StatusCode, Json<DepartmentView>)> {
    let input: DepartmentInput = crate::web::json_body(&b)?;
    let c = actor.caller();
    let row = service::create_department(&st.db, &c, id, input).await?;
    Ok((
        StatusCode::CREATED,
        Json(service::department(&st.db, &c, row.id).await?),
    ))
}

/// `GET /api/v1/departments`
#[utoipa::path(
    get,
    operation_id = "org_departments",
    path = "/departments",
    tag = "组织架构",
    summary = "管辖范围内的部门",
    responses(
        (status = 200, description = "成功"),
        crate::web::Refused,
    ),
)]
pub async fn api_departments(
    State(st): State<Base>,
    actor: Actor,
) -> AppResult<Json<Vec<DepartmentView>>> {
    Ok(Json(
        service::departments(&st.db, &actor.caller(), None).await?,
    ))
}

/// `GET /api/v1/departments/{id}`
#[utoipa::path(
    get,
    operation_id = "org_get_department",
    path = "/departments/{id}",
    tag = "组织架构",
    summary = "一个部门",
    params(
        ("id" = i64, Path, description = "编号"),
    ),
    responses(
        (status = 200, description = "成功"),
        crate::web::Refused,
    ),
)]
pub async fn api_get_department(
    State(st): State<Base>,
    actor: Actor,
    Path(id): Path<i64>,
) -> AppResult<Json<DepartmentView>> {
    Ok(Json(
        service::department(&st.db, &actor.caller(), id).await?,
    ))
}

/// `PATCH /api/v1/departments/{id}`
#[utoipa::path(
    patch,
    operation_id = "org_update_department",
    path = "/departments/{id}",
    tag = "组织架构",
    summary = "修改部门（带版本号）",
    params(
        ("id" = i64, Path, description = "编号"),
    ),
    request_body(content = Object, content_type = "application/json", description = "{name, kind, duty, status?, version?}"),
    responses(
        (status = 200, description = "成功"),
        crate::web::RefusedWrite,
    ),
)]
pub async fn api_update_department(
    State(st): State<Base>,
    actor: Actor,
    Path(id): Path<i64>,
    b: Bytes,
) -> AppResult<Json<DepartmentView>> {
    let input: DepartmentInput = crate::web::json_body(&b)?;
    let c = actor.caller();
    service::update_department(&st.db, &c, id, input).await?;
    Ok(Json(service::department(&st.db, &c, id).await?))
}

/// `POST /api/v1/org/import`: the file as the raw body (CSV or XLSX). Answers the report;
/// 400 with the report when any row is bad (nothing written).
#[utoipa::path(
    post,
    operation_id = "org_import",
    path = "/org/import",
    tag = "组织架构",
    summary = "导入组织树（CSV 或 XLSX 文件）",
    request_body(content = String, content_type = "application/octet-stream", description = "CSV 或 XLSX 文件"),
    responses(
        (status = 200, description = "成功"),
        crate::web::Refused,
    ),
)]
pub async fn api_import(
    State(st): State<Base>,
    actor: Actor,
    b: Bytes,
) -> Result<(StatusCode, Json<import::Report>), AppError> {
    let rows = import::parse(&b)?;
    let report = import::import(&st.db, &actor.caller(), rows).await?;
    let status = if report.committed {
        StatusCode::OK
    } else {
        StatusCode::BAD_REQUEST
    };
    Ok((status, Json(report)))
}
