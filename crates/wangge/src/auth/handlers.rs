//! Logging in and out, the account page, password changes and API tokens.

use super::AuthState;
use super::SESSION_COOKIE;
use crate::infra::access::{self, entity::api_token};
use crate::infra::audit::{self, Entry, Who};
use crate::infra::error::{AppError, AppResult};
use crate::users::entity as user;
use crate::web::Query;
use crate::web::caller::{cookie, cookie_header};
use crate::web::csrf::PRE_COOKIE;
use crate::web::{Actor, ClientIp, PageActor, Via};
use crate::web::{Html, PageCtx, done};
use askama::Template;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::{Extension, Form, Json};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use wangge_core::{Permission, validate};

/// Checks a username and password, with throttling; returns the account.
pub async fn authenticate(
    st: &AuthState,
    username: &str,
    password: &str,
    ip: &str,
) -> AppResult<user::Model> {
    let name = username.trim().to_ascii_lowercase();
    if name.is_empty() || password.is_empty() {
        return Err(AppError::bad("invalid_input", "请输入用户名和密码"));
    }
    // The try is counted before the password is checked, so that many at once are all counted;
    // a good password clears the name's tries.
    if !access::take_try(&st.db, access::LOGIN_TRIES, &name, ip).await? {
        return Err(AppError::TooManyRequests(
            "登录失败次数过多，请 15 分钟后再试".into(),
        ));
    }
    let found = crate::users::by_username(&st.db, &name).await?;
    let ok = crate::infra::password::verify(
        password.to_owned(),
        found.as_ref().map(|u| u.password_hash.clone()),
    )
    .await?;
    if ok {
        access::clear_failures(&st.db, &name).await?;
    } else {
        tracing::warn!(username = %name, ip, "login failed");
    }
    match found {
        // Nobody knows a service account's password; were it ever right, still no login.
        Some(u) if ok && u.service => {
            tracing::warn!(username = %u.username, ip, "login refused: service account");
            Err(AppError::Unauthenticated(
                "服务账号不能登录，只能使用管理员签发的接口令牌".into(),
            ))
        }
        Some(u) if ok && u.status == "active" => Ok(u),
        Some(u) if ok => {
            tracing::warn!(username = %u.username, ip, "login refused: account disabled");
            Err(AppError::Unauthenticated(
                "该账号已被禁用，请联系管理员".into(),
            ))
        }
        _ => Err(AppError::Unauthenticated("用户名或密码错误".into())),
    }
}

async fn note_login(st: &AuthState, u: &user::Model, ip: &str, how: &str) -> AppResult<()> {
    let tx = crate::infra::db::begin_write(&st.db).await?;
    crate::users::note_login(&tx, u).await?;
    let path = crate::infra::error::stored_path(&u.org_path)?;
    audit::record(
        &tx,
        &Who {
            id: Some(u.id),
            name: u.username.clone(),
            ip: ip.to_owned(),
        },
        Entry {
            org_path: &path,
            action: "login",
            entity: "user",
            entity_id: Some(u.id),
            summary: format!("{} 登录（{how}）", u.username),
            changes: json!({}),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

#[derive(Template)]
#[template(path = "login.html")]
struct LoginPage {
    csrf: String,
    next: String,
    username: String,
    error: Option<String>,
    demo_hint: bool,
}

/// Query of the login page.
#[derive(Deserialize)]
pub struct LoginQuery {
    next: Option<String>,
}

/// Where to go after logging in: a local path only (see [`crate::web::local_path`]).
fn safe_next(next: Option<&str>) -> String {
    next.and_then(crate::web::local_path)
        .unwrap_or_else(|| "/".to_owned())
}

async fn render_login(
    st: &AuthState,
    headers: &HeaderMap,
    next: String,
    username: String,
    error: Option<String>,
) -> AppResult<Response> {
    let pre = match cookie(headers, PRE_COOKIE) {
        Some(v) if v.len() == 64 => v.to_owned(),
        _ => crate::infra::tokens::random_token()?,
    };
    let status = if error.is_some() {
        StatusCode::UNAUTHORIZED
    } else {
        StatusCode::OK
    };
    let page = LoginPage {
        csrf: pre.clone(),
        next,
        username,
        error,
        demo_hint: st.config.demo_hint,
    };
    let mut resp = (status, Html(page.render())).into_response();
    if let Some(h) = cookie_header(st.config.secure_cookies, PRE_COOKIE, &pre, None) {
        resp.headers_mut().append(header::SET_COOKIE, h);
    }
    Ok(resp)
}

/// `GET /login`
pub async fn login_page(
    State(st): State<AuthState>,
    headers: HeaderMap,
    actor: Option<Extension<Actor>>,
    Query(q): Query<LoginQuery>,
) -> Response {
    if actor.is_some() {
        return crate::web::redirect(&safe_next(q.next.as_deref()));
    }
    render_login(
        &st,
        &headers,
        safe_next(q.next.as_deref()),
        String::new(),
        None,
    )
    .await
    .unwrap_or_else(IntoResponse::into_response)
}

/// The login form.
#[derive(Deserialize)]
pub struct LoginForm {
    username: String,
    password: String,
    next: Option<String>,
}

/// `POST /login`
pub async fn login_submit(
    State(st): State<AuthState>,
    headers: HeaderMap,
    Extension(ClientIp(ip)): Extension<ClientIp>,
    Form(f): Form<LoginForm>,
) -> Response {
    let next = safe_next(f.next.as_deref());
    let result = async {
        let u = authenticate(&st, &f.username, &f.password, &ip).await?;
        let token = access::start_session(&st.db, u.id, &ip).await?;
        note_login(&st, &u, &ip, "网页").await?;
        Ok::<_, AppError>((u, token))
    }
    .await;
    match result {
        Ok((u, token)) => {
            let to = if u.must_change_password {
                "/account".to_owned()
            } else {
                next
            };
            let mut resp = crate::web::redirect(&to);
            if let Some(h) = cookie_header(st.config.secure_cookies, SESSION_COOKIE, &token, None) {
                resp.headers_mut().append(header::SET_COOKIE, h);
            }
            resp
        }
        Err(
            e @ (AppError::Unauthenticated(_)
            | AppError::TooManyRequests(_)
            | AppError::BadInput { .. }),
        ) => {
            let status = e.status();
            let mut r = render_login(&st, &headers, next, f.username.clone(), Some(e.to_string()))
                .await
                .unwrap_or_else(IntoResponse::into_response);
            *r.status_mut() = status;
            r
        }
        Err(e) => e.into_response(),
    }
}

/// `POST /logout`
pub async fn logout(State(st): State<AuthState>, actor: Option<Extension<Actor>>) -> Response {
    if let Some(Extension(a)) = actor
        && let Via::Session { id, .. } = a.via
        && let Err(e) = access::end_session(&st.db, id).await
    {
        tracing::error!(error = %e, "could not end a session");
    }
    crate::infra::cache::directory_changed();
    let mut resp = Redirect::to("/login").into_response();
    if let Some(h) = cookie_header(st.config.secure_cookies, SESSION_COOKIE, "", Some(0)) {
        resp.headers_mut().append(header::SET_COOKIE, h);
    }
    resp
}

/// The API login's body.
#[derive(Deserialize)]
pub struct ApiLogin {
    username: String,
    password: String,
}

/// `POST /api/v1/auth/login` → `{"token", "expires_at", "user"}`
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

/// Changes the caller's own password after checking the current one; other sessions end.
pub async fn change_own_password(
    st: &AuthState,
    actor: &Actor,
    current: &str,
    new: &str,
    confirm: Option<&str>,
) -> AppResult<()> {
    if confirm.is_some_and(|c| c != new) {
        return Err(AppError::bad("password_mismatch", "两次输入的新密码不一致"));
    }
    validate::password(new)?;
    if current == new {
        return Err(AppError::bad("password_same", "新密码不能与当前密码相同"));
    }
    let u = user::Entity::find_by_id(actor.user_id)
        .one(&st.db)
        .await?
        .ok_or_else(|| AppError::Unauthenticated("请先登录".into()))?;
    if !access::take_try(&st.db, access::LOGIN_TRIES, &u.username, &actor.ip).await? {
        return Err(AppError::TooManyRequests(
            "密码输错次数过多，请 15 分钟后再试".into(),
        ));
    }
    if !crate::infra::password::verify(current.to_owned(), Some(u.password_hash.clone())).await? {
        return Err(AppError::bad("wrong_password", "当前密码不正确"));
    }
    access::clear_failures(&st.db, &u.username).await?;
    let hash = crate::infra::password::hash(new.to_owned()).await?;
    let tx = crate::infra::db::begin_write(&st.db).await?;
    crate::users::set_own_password(&tx, &u, hash).await?;
    let keep = match actor.via {
        Via::Session { id, .. } => Some(id),
        Via::Token { .. } => None,
    };
    access::end_all(&tx, u.id, keep).await?;
    let path = crate::infra::error::stored_path(&u.org_path)?;
    audit::record(
        &tx,
        &actor.who(),
        Entry {
            org_path: &path,
            action: "password",
            entity: "user",
            entity_id: Some(u.id),
            summary: format!("{} 修改了自己的密码", u.username),
            changes: json!({}),
        },
    )
    .await?;
    tx.commit().await?;
    crate::infra::cache::directory_changed();
    Ok(())
}

/// The API's password change.
#[derive(Deserialize)]
pub struct ApiPassword {
    current_password: String,
    new_password: String,
}

/// `POST /api/v1/me/password`
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

#[derive(Template)]
#[template(path = "account.html")]
struct AccountPage {
    ctx: PageCtx,
    username: String,
    must_change: bool,
}

/// `GET /account`
pub async fn account_page(State(st): State<AuthState>, PageActor(actor): PageActor) -> Response {
    let run = async {
        let ctx = PageCtx::new(&st, &actor, "我的账号", "account").await?;
        Ok::<_, AppError>(
            Html(
                AccountPage {
                    ctx,
                    username: actor.username.clone(),
                    must_change: actor.must_change_password,
                }
                .render(),
            )
            .into_response(),
        )
    };
    crate::web::respond(&st, &actor, run.await).await
}

/// The password form.
#[derive(Deserialize)]
pub struct PasswordForm {
    current: String,
    new: String,
    confirm: String,
}

/// `POST /account/password`
pub async fn account_password(
    State(st): State<AuthState>,
    actor: Option<Extension<Actor>>,
    Form(f): Form<PasswordForm>,
) -> Response {
    let Some(Extension(actor)) = actor else {
        return Redirect::to("/login").into_response();
    };
    let r = change_own_password(&st, &actor, &f.current, &f.new, Some(&f.confirm)).await;
    match r {
        Ok(()) => crate::web::flash_redirect("/", true, "密码已修改"),
        Err(e) => done::<()>(Err(e), "/account", ""),
    }
}

/// A token as listed (never the token itself).
#[derive(Serialize)]
pub struct TokenView {
    id: i64,
    user_id: i64,
    username: String,
    name: String,
    kind: String,
    created_at: i64,
    created_text: String,
    last_used_text: String,
    revoked: bool,
}

async fn token_list(st: &AuthState, actor: &Actor) -> AppResult<Vec<TokenView>> {
    actor.require(Permission::TokenManage)?;
    let users: std::collections::HashMap<i64, String> = user::Entity::find()
        .filter(actor.caller().scope_cond("org_path"))
        .all(&st.db)
        .await?
        .into_iter()
        .map(|u| (u.id, u.username))
        .collect();
    let rows = api_token::Entity::find()
        .filter(api_token::Column::Kind.eq("machine"))
        .filter(api_token::Column::UserId.is_in(users.keys().copied().collect::<Vec<_>>()))
        .order_by_desc(api_token::Column::Id)
        .all(&st.db)
        .await?;
    Ok(rows
        .into_iter()
        .map(|t| TokenView {
            username: users.get(&t.user_id).cloned().unwrap_or_default(),
            created_text: crate::infra::clock::fmt_time(t.created_at),
            last_used_text: t
                .last_used_at
                .map(crate::infra::clock::fmt_time)
                .unwrap_or_else(|| "从未使用".into()),
            revoked: t.revoked_at.is_some(),
            id: t.id,
            user_id: t.user_id,
            name: t.name,
            kind: t.kind,
            created_at: t.created_at,
        })
        .collect())
}

/// Issues a machine token, shown once: to the caller's own account, or to a service account
/// in scope. A token is never issued as another person: it would act with their rights.
async fn issue_machine_token(
    st: &AuthState,
    actor: &Actor,
    username: &str,
    name: &str,
) -> AppResult<(i64, String)> {
    actor.require(Permission::TokenManage)?;
    let name = validate::name("令牌用途", name, 50)?;
    let username = username.trim().to_ascii_lowercase();
    let u = if username.is_empty() || username == actor.username {
        user::Entity::find_by_id(actor.user_id)
            .one(&st.db)
            .await?
            .ok_or_else(|| AppError::Unauthenticated("账号不存在".into()))?
    } else {
        user::Entity::find()
            .filter(user::Column::Username.eq(username.clone()))
            .filter(user::Column::Service.eq(true))
            .filter(actor.caller().scope_cond("org_path"))
            .one(&st.db)
            .await?
            .filter(|u| {
                wangge_core::Role::parse(&u.role).is_some_and(|r| r.personal_data_within(actor.role))
            })
            .ok_or_else(|| {
                AppError::bad(
                    "not_service_account",
                    format!(
                        "接口令牌只能签发给自己，或您管辖范围内的服务账号；{username} 不是这样的账号"
                    ),
                )
            })?
    };
    let tx = crate::infra::db::begin_write(&st.db).await?;
    let (id, token) = access::issue_token(&tx, u.id, &name, "machine", None).await?;
    let path = crate::infra::error::stored_path(&u.org_path)?;
    audit::record(
        &tx,
        &actor.who(),
        Entry {
            org_path: &path,
            action: "token",
            entity: "api_token",
            entity_id: Some(id),
            summary: format!("为账号 {} 签发接口令牌“{name}”", u.username),
            changes: json!({"user_id": u.id, "name": name}),
        },
    )
    .await?;
    tx.commit().await?;
    Ok((id, token))
}

async fn revoke_machine_token(st: &AuthState, actor: &Actor, id: i64) -> AppResult<()> {
    actor.require(Permission::TokenManage)?;
    let missing = || AppError::NotFound("令牌不存在或不在您的管辖范围内".into());
    let t = api_token::Entity::find_by_id(id)
        .filter(api_token::Column::Kind.eq("machine"))
        .one(&st.db)
        .await?
        .ok_or_else(missing)?;
    let u = user::Entity::find_by_id(t.user_id)
        .filter(actor.caller().scope_cond("org_path"))
        .one(&st.db)
        .await?
        .ok_or_else(missing)?;
    let tx = crate::infra::db::begin_write(&st.db).await?;
    access::revoke_token(&tx, id).await?;
    let path = crate::infra::error::stored_path(&u.org_path)?;
    audit::record(
        &tx,
        &actor.who(),
        Entry {
            org_path: &path,
            action: "token",
            entity: "api_token",
            entity_id: Some(id),
            summary: format!("吊销账号 {} 的接口令牌“{}”", u.username, t.name),
            changes: json!({"revoked": true}),
        },
    )
    .await?;
    tx.commit().await?;
    crate::infra::cache::directory_changed();
    Ok(())
}

/// `GET /api/v1/tokens`
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
    username: String,
    name: String,
}

/// `POST /api/v1/tokens` → `{"id", "token"}` (shown once).
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
pub async fn api_revoke_token(
    State(st): State<AuthState>,
    actor: Actor,
    Path(id): Path<i64>,
) -> AppResult<StatusCode> {
    revoke_machine_token(&st, &actor, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Template)]
#[template(path = "tokens.html")]
struct TokensPage {
    ctx: PageCtx,
    tokens: Vec<TokenView>,
    new_token: Option<String>,
}

async fn render_tokens(
    st: &AuthState,
    actor: &Actor,
    new_token: Option<String>,
) -> AppResult<Response> {
    let tokens = token_list(st, actor).await?;
    let ctx = PageCtx::new(st, actor, "接口令牌", "tokens").await?;
    Ok(Html(
        TokensPage {
            ctx,
            tokens,
            new_token,
        }
        .render(),
    )
    .into_response())
}

/// `GET /tokens`
pub async fn tokens_page(State(st): State<AuthState>, PageActor(actor): PageActor) -> Response {
    crate::web::respond(&st, &actor, render_tokens(&st, &actor, None).await).await
}

/// `POST /tokens`: shows the new token once, on the page itself.
pub async fn tokens_issue(
    State(st): State<AuthState>,
    PageActor(actor): PageActor,
    Form(f): Form<TokenForm>,
) -> Response {
    match issue_machine_token(&st, &actor, &f.username, &f.name).await {
        Ok((_, token)) => {
            crate::web::respond(&st, &actor, render_tokens(&st, &actor, Some(token)).await).await
        }
        Err(e) => done::<()>(Err(e), "/tokens", ""),
    }
}

/// `POST /tokens/{id}/revoke`
pub async fn tokens_revoke(
    State(st): State<AuthState>,
    PageActor(actor): PageActor,
    Path(id): Path<i64>,
) -> Response {
    done(
        revoke_machine_token(&st, &actor, id).await,
        "/tokens",
        "令牌已吊销",
    )
}
