//! The party slice's JSON API.

use super::service::{self, OrgInput, OrgView};
use crate::infra::error::AppResult;
use crate::web::{Actor, Base};
use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use serde::Deserialize;

/// `GET /api/v1/party/orgs`: the party tree in the caller's subtree.
#[utoipa::path(
    get,
    operation_id = "party_tree",
    path = "/party/orgs",
    tag = "党组织",
    summary = "管辖范围内的党组织树（嵌套；含类型、所在节点、任期与换届到期日）",
    responses(
        (status = 200, description = "成功"),
        crate::web::Refused,
    ),
)]
pub async fn api_tree(State(st): State<Base>, actor: Actor) -> AppResult<Json<Vec<OrgView>>> {
    Ok(Json(service::tree(&st.db, &actor.caller()).await?))
}

/// `POST /api/v1/party/orgs`
#[utoipa::path(
    post,
    operation_id = "party_create",
    path = "/party/orgs",
    tag = "党组织",
    summary = "建立党组织（党(工)委、党总支、党支部或党小组）",
    request_body(content = Object, content_type = "application/json", description = "{org_node_id, parent_id?, name, kind, category?（支部类别）, secretary?, founded_on?, elected_on?, note?}"),
    responses(
        (status = 201, description = "已建立"),
        crate::web::RefusedWrite,
    ),
)]
pub async fn api_create(
    State(st): State<Base>,
    actor: Actor,
    b: Bytes,
) -> AppResult<(StatusCode, Json<OrgView>)> {
    let input: OrgInput = crate::web::json_body(&b)?;
    let c = actor.caller();
    let row = service::create(&st.db, &c, input).await?;
    Ok((StatusCode::CREATED, Json(one(&st, &row).await?)))
}

/// `GET /api/v1/party/orgs/{id}`
#[utoipa::path(
    get,
    operation_id = "party_get",
    path = "/party/orgs/{id}",
    tag = "党组织",
    summary = "一个党组织（含其下级）",
    params(("id" = i64, Path, description = "编号")),
    responses(
        (status = 200, description = "成功"),
        crate::web::Refused,
    ),
)]
pub async fn api_get(
    State(st): State<Base>,
    actor: Actor,
    Path(id): Path<i64>,
) -> AppResult<Json<OrgView>> {
    let c = actor.caller();
    let row = service::find(&st.db, &c, id).await?;
    let mut v = one(&st, &row).await?;
    v.children = children(&st, &c, id).await?;
    Ok(Json(v))
}

/// `PATCH /api/v1/party/orgs/{id}`
#[utoipa::path(
    patch,
    operation_id = "party_update",
    path = "/party/orgs/{id}",
    tag = "党组织",
    summary = "修改党组织（名称、类别、书记、成立与换届日期、备注；带版本号）",
    params(("id" = i64, Path, description = "编号")),
    request_body(content = Object, content_type = "application/json", description = "{name, category?, secretary?, founded_on?, elected_on?, note?, version}"),
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
) -> AppResult<Json<OrgView>> {
    let input: OrgInput = crate::web::json_body(&b)?;
    let row = service::update(&st.db, &actor.caller(), id, input).await?;
    Ok(Json(one(&st, &row).await?))
}

/// The body of a dissolution.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct DissolveInput {
    /// The version the caller saw.
    pub version: Option<i32>,
}

/// `POST /api/v1/party/orgs/{id}/dissolve`
#[utoipa::path(
    post,
    operation_id = "party_dissolve",
    path = "/party/orgs/{id}/dissolve",
    tag = "党组织",
    summary = "撤销党组织（其下须已无在册的下级；历史保留）",
    params(("id" = i64, Path, description = "编号")),
    request_body(content = Object, content_type = "application/json", description = "{version?}"),
    responses(
        (status = 204, description = "已撤销"),
        crate::web::RefusedWrite,
    ),
)]
pub async fn api_dissolve(
    State(st): State<Base>,
    actor: Actor,
    Path(id): Path<i64>,
    b: Bytes,
) -> AppResult<StatusCode> {
    let input: DissolveInput = if b.is_empty() {
        DissolveInput::default()
    } else {
        crate::web::json_body(&b)?
    };
    service::dissolve(&st.db, &actor.caller(), id, input.version).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The terms of office, in years.
#[derive(Debug, Default, Deserialize, serde::Serialize)]
#[serde(default)]
pub struct TermsBody {
    /// 村、社区党组织.
    pub grassroots: u32,
    /// 其他党组织.
    pub other: u32,
}

/// `GET /api/v1/party/terms`
#[utoipa::path(
    get,
    operation_id = "party_terms",
    path = "/party/terms",
    tag = "党组织",
    summary = "党组织任期（年）：村、社区与其他",
    responses(
        (status = 200, description = "成功"),
        crate::web::Refused,
    ),
)]
pub async fn api_terms(State(st): State<Base>, actor: Actor) -> AppResult<Json<TermsBody>> {
    actor.caller().require(wangge_core::Permission::PartyView)?;
    let t = service::terms(&st.db).await?;
    Ok(Json(TermsBody {
        grassroots: t.grassroots,
        other: t.other,
    }))
}

/// `PUT /api/v1/party/terms`
#[utoipa::path(
    put,
    operation_id = "party_set_terms",
    path = "/party/terms",
    tag = "党组织",
    summary = "设定党组织任期（区级党建部门；各 1–10 年）",
    request_body(content = Object, content_type = "application/json", description = "{grassroots, other}"),
    responses(
        (status = 200, description = "已设定"),
        crate::web::Refused,
    ),
)]
pub async fn api_set_terms(
    State(st): State<Base>,
    actor: Actor,
    b: Bytes,
) -> AppResult<Json<TermsBody>> {
    let input: TermsBody = crate::web::json_body(&b)?;
    let t = service::set_terms(&st.db, &actor.caller(), input.grassroots, input.other).await?;
    Ok(Json(TermsBody {
        grassroots: t.grassroots,
        other: t.other,
    }))
}

/// The view of one row.
pub(super) async fn one(st: &Base, row: &super::entity::party_org::Model) -> AppResult<OrgView> {
    let mut v = service::views(&st.db, std::slice::from_ref(row)).await?;
    v.pop()
        .ok_or_else(|| crate::infra::error::AppError::NotFound("党组织不存在".into()))
}

/// The organizations directly under one, in the caller's subtree.
pub(super) async fn children(
    st: &Base,
    c: &crate::web::Caller,
    id: i64,
) -> AppResult<Vec<OrgView>> {
    let rows: Vec<_> = service::list(&st.db, c)
        .await?
        .into_iter()
        .filter(|r| r.parent_id == Some(id))
        .collect();
    service::views(&st.db, &rows).await
}
