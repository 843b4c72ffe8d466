//! The accounts' JSON API.

use super::{EditUser, Filter, NewUser, Page, UserView};
use crate::infra::error::AppResult;
use crate::web::Actor;
use crate::web::Base;
use crate::web::Query;
use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use serde::Deserialize;

/// `GET /api/v1/users`
#[utoipa::path(
    get,
    operation_id = "users_list",
    path = "/users",
    tag = "账号",
    summary = "管辖范围内的账号",
    params(
        ("q" = Option<String>, Query, description = "用户名或姓名"),
        ("role" = Option<String>, Query, description = "角色"),
        ("org_id" = Option<i64>, Query, description = "节点"),
        ("status" = Option<String>, Query, description = "状态"),
        ("page" = Option<u64>, Query, description = "页码"),
    ),
    responses(
        (status = 200, description = "成功"),
        crate::web::Refused,
    ),
)]
pub async fn api_list(
    State(st): State<Base>,
    actor: Actor,
    Query(f): Query<Filter>,
) -> AppResult<Json<Page>> {
    Ok(Json(
        super::list(&st.db, &actor.caller(), &f, Some(super::PER_PAGE)).await?,
    ))
}

/// `GET /api/v1/users/{id}`
#[utoipa::path(
    get,
    operation_id = "users_get",
    path = "/users/{id}",
    tag = "账号",
    summary = "一个账号",
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
) -> AppResult<Json<UserView>> {
    Ok(Json(super::get(&st.db, &actor.caller(), id).await?))
}

/// `POST /api/v1/users`
#[utoipa::path(
    post,
    operation_id = "users_create",
    path = "/users",
    tag = "账号",
    summary = "新建账号",
    request_body(content = Object, content_type = "application/json", description = "{username, display_name, role, org_id, department_id?, password, service?}"),
    responses(
        (status = 201, description = "已创建"),
        crate::web::Refused,
    ),
)]
pub async fn api_create(
    State(st): State<Base>,
    actor: Actor,
    b: Bytes,
) -> AppResult<(StatusCode, Json<UserView>)> {
    let input: NewUser = crate::web::json_body(&b)?;
    Ok((
        StatusCode::CREATED,
        Json(super::create(&st.db, &actor.caller(), input).await?),
    ))
}

/// `PATCH /api/v1/users/{id}`
#[utoipa::path(
    patch,
    operation_id = "users_update",
    path = "/users/{id}",
    tag = "账号",
    summary = "修改账号（带版本号）",
    params(
        ("id" = i64, Path, description = "编号"),
    ),
    request_body(content = Object, content_type = "application/json", description = "{display_name?, role?, org_id?, department_id?, version}"),
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
) -> AppResult<Json<UserView>> {
    let input: EditUser = crate::web::json_body(&b)?;
    Ok(Json(
        super::update(&st.db, &actor.caller(), id, input).await?,
    ))
}

/// A password reset.
#[derive(Deserialize)]
pub struct ResetBody {
    password: String,
}

/// `POST /api/v1/users/{id}/password`
#[utoipa::path(
    post,
    operation_id = "users_reset_password",
    path = "/users/{id}/password",
    tag = "账号",
    summary = "重置密码（下次登录须修改）",
    params(
        ("id" = i64, Path, description = "编号"),
    ),
    request_body(content = Object, content_type = "application/json", description = "{password}"),
    responses(
        (status = 204, description = "已重置"),
        crate::web::Refused,
    ),
)]
pub async fn api_reset_password(
    State(st): State<Base>,
    actor: Actor,
    Path(id): Path<i64>,
    b: Bytes,
) -> AppResult<StatusCode> {
    let input: ResetBody = crate::web::json_body(&b)?;
    super::reset_password(&st.db, &actor.caller(), id, &input.password).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// `POST /api/v1/users/{id}/disable`
#[utoipa::path(
    post,
    operation_id = "users_disable",
    path = "/users/{id}/disable",
    tag = "账号",
    summary = "停用账号（其登录与令牌立即失效）",
    params(
        ("id" = i64, Path, description = "编号"),
    ),
    responses(
        (status = 204, description = "已停用"),
        crate::web::Refused,
    ),
)]
pub async fn api_disable(
    State(st): State<Base>,
    actor: Actor,
    Path(id): Path<i64>,
) -> AppResult<StatusCode> {
    super::set_status(&st.db, &actor.caller(), id, false).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// `POST /api/v1/users/{id}/enable`
#[utoipa::path(
    post,
    operation_id = "users_enable",
    path = "/users/{id}/enable",
    tag = "账号",
    summary = "启用账号",
    params(
        ("id" = i64, Path, description = "编号"),
    ),
    responses(
        (status = 204, description = "已启用"),
        crate::web::Refused,
    ),
)]
pub async fn api_enable(
    State(st): State<Base>,
    actor: Actor,
    Path(id): Path<i64>,
) -> AppResult<StatusCode> {
    super::set_status(&st.db, &actor.caller(), id, true).await?;
    Ok(StatusCode::NO_CONTENT)
}
