//! The JSON API of logging in, who am I, own password and machine tokens.

use super::AuthState;
use super::service::{
    TokenView, authenticate, change_own_password, issue_machine_token, note_login,
    revoke_machine_token, token_list,
};
use crate::infra::access;
use crate::infra::error::{AppError, AppResult};
use crate::web::{Actor, ClientIp, Via};
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::{Extension, Json};
use sea_orm::EntityTrait;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use wangge_core::Permission;

/// The API login's body.
#[derive(Deserialize)]
pub struct ApiLogin {
    username: String,
    password: String,
}

/// `POST /api/v1/auth/login` → `{"token", "expires_at", "user"}`
#[utoipa::path(
    post,
    operation_id = "auth_login",
    path = "/auth/login",
    tag = "登录与令牌",
    summary = "登录，取得令牌",
    request_body(content = Object, content_type = "application/json", description = "{username, password}"),
    responses(
        (status = 200, description = "成功"),
        (status = 400, description = "输入有误：中文说明与错误码，未作任何改动", body = crate::web::ErrorAnswer),
        (status = 401, description = "用户名或密码不正确", body = crate::web::ErrorAnswer),
    ),
)]
pub async fn api_login(
    State(st): State<AuthState>,
    Extension(ClientIp(ip)): Extension<ClientIp>,
    b: axum::body::Bytes,
) -> AppResult<Json<Value>> {
    let input: ApiLogin = serde_json::from_slice(&b).map_err(|_| {
        AppError::bad(
            "bad_json",
            "请求体应为 {\"username\": \"…\", \"password\": \"…\"}",
        )
    })?;
    let u = authenticate(&st, &input.username, &input.password, &ip).await?;
    let expires = crate::infra::clock::now_ms() + access::LOGIN_TOKEN_MS;
    let (_, token) = access::issue_token(&st.db, u.id, "接口登录", "login", Some(expires)).await?;
    note_login(&st, &u, &ip, "接口").await?;
    Ok(Json(
        json!({"token": token, "expires_at": expires, "must_change_password": u.must_change_password, "user": {"id": u.id, "username": u.username}}),
    ))
}

/// `POST /api/v1/auth/logout`: revokes the token used.
#[utoipa::path(
    post,
    operation_id = "auth_logout",
    path = "/auth/logout",
    tag = "登录与令牌",
    summary = "注销当前令牌",
    responses(
        (status = 204, description = "已注销"),
        crate::web::Refused,
    ),
)]
pub async fn api_logout(State(st): State<AuthState>, actor: Actor) -> AppResult<StatusCode> {
    match actor.via {
        Via::Token { id } => access::revoke_token(&st.db, id).await?,
        Via::Session { id, .. } => access::end_session(&st.db, id).await?,
    }
    crate::infra::cache::directory_changed();
    Ok(StatusCode::NO_CONTENT)
}

/// What `GET /api/v1/me` answers.
#[derive(Serialize)]
pub struct Me {
    id: i64,
    username: String,
    display_name: String,
    role: &'static str,
    role_label: &'static str,
    permissions: Vec<Permission>,
    org: Value,
    department_id: Option<i64>,
    must_change_password: bool,
}

/// `GET /api/v1/me`
#[utoipa::path(
    get,
    operation_id = "auth_me",
    path = "/me",
    tag = "登录与令牌",
    summary = "我是谁：账号、角色、权限、所属节点",
    responses(
        (status = 200, description = "成功"),
        crate::web::Refused,
    ),
)]
pub async fn api_me(State(st): State<AuthState>, actor: Actor) -> AppResult<Json<Me>> {
    let n = crate::org::entity::node::Entity::find_by_id(actor.org_id)
        .one(&st.db)
        .await?;
    let org = match n {
        Some(n) => {
            json!({"id": n.id, "code": n.code, "name": n.name, "level": n.level, "path": n.path})
        }
        None => Value::Null,
    };
    Ok(Json(Me {
        id: actor.user_id,
        username: actor.username.clone(),
        display_name: actor.display_name.clone(),
        role: actor.role.as_str(),
        role_label: actor.role.label(),
        permissions: actor.role.permissions().to_vec(),
        org,
        department_id: actor.department_id,
        must_change_password: actor.must_change_password,
    }))
}

/// The API's password change.
#[derive(Deserialize)]
pub struct ApiPassword {
    current_password: String,
    new_password: String,
}

/// `POST /api/v1/me/password`
#[utoipa::path(
    post,
    operation_id = "auth_change_password",
    path = "/me/password",
    tag = "登录与令牌",
    summary = "修改自己的密码（其他登录随之结束）",
    request_body(content = Object, content_type = "application/json", description = "{current_password, new_password}"),
    responses(
        (status = 204, description = "已修改"),
        crate::web::Refused,
    ),
)]
pub async fn api_change_password(
    State(st): State<AuthState>,
    actor: Actor,
    b: axum::body::Bytes,
) -> AppResult<StatusCode> {
    let input: ApiPassword = serde_json::from_slice(&b)
        .map_err(|_| AppError::bad("bad_json", "请求体应含 current_password 和 new_password"))?;
    change_own_password(
        &st,
        &actor,
        &input.current_password,
        &input.new_password,
        None,
    )
    .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// `GET /api/v1/tokens`
#[utoipa::path(
    get,
    operation_id = "auth_tokens",
    path = "/tokens",
    tag = "登录与令牌",
    summary = "接口令牌列表（管理员）",
    responses(
        (status = 200, description = "成功"),
        crate::web::Refused,
    ),
)]
pub async fn api_tokens(
    State(st): State<AuthState>,
    actor: Actor,
) -> AppResult<Json<Vec<TokenView>>> {
    Ok(Json(token_list(&st, &actor).await?))
}

/// A token request.
#[derive(Deserialize)]
pub struct TokenForm {
    /// Empty (or one's own): for oneself; otherwise a service account in scope.
    #[serde(default)]
    pub(super) username: String,
    pub(super) name: String,
}

/// `POST /api/v1/tokens` → `{"id", "token"}` (shown once).
#[utoipa::path(
    post,
    operation_id = "auth_issue_token",
    path = "/tokens",
    tag = "登录与令牌",
    summary = "签发接口令牌（只显示一次）",
    request_body(content = Object, content_type = "application/json", description = "{name, username?}"),
    responses(
        (status = 201, description = "已签发"),
        crate::web::Refused,
    ),
)]
pub async fn api_issue_token(
    State(st): State<AuthState>,
    actor: Actor,
    b: axum::body::Bytes,
) -> AppResult<(StatusCode, Json<Value>)> {
    let input: TokenForm = serde_json::from_slice(&b)
        .map_err(|_| AppError::bad("bad_json", "请求体应含 username 和 name"))?;
    let (id, token) = issue_machine_token(&st, &actor, &input.username, &input.name).await?;
    Ok((StatusCode::CREATED, Json(json!({"id": id, "token": token}))))
}

/// `DELETE /api/v1/tokens/{id}`
#[utoipa::path(
    delete,
    operation_id = "auth_revoke_token",
    path = "/tokens/{id}",
    tag = "登录与令牌",
    summary = "吊销接口令牌",
    params(
        ("id" = i64, Path, description = "编号"),
    ),
    responses(
        (status = 204, description = "已吊销"),
        crate::web::Refused,
    ),
)]
pub async fn api_revoke_token(
    State(st): State<AuthState>,
    actor: Actor,
    Path(id): Path<i64>,
) -> AppResult<StatusCode> {
    revoke_machine_token(&st, &actor, id).await?;
    Ok(StatusCode::NO_CONTENT)
}
