//! Logging in and out, the account page, tokens, and the middleware that resolves who is
//! calling (a session cookie or a bearer token) once per request and leaves an [`Actor`] in
//! the request's extensions, with CSRF enforced on every state-changing request that rides on
//! a cookie. Sessions, tokens and tries are stored by [`crate::infra::access`].

pub mod api;
pub mod pages;
pub mod service;

use crate::infra::access::SESSION_IDLE_MS;
use crate::infra::access::entity::{api_token, login_failure, session};
use crate::infra::error::{AppError, AppResult};
use crate::users::entity as user;
use crate::web::caller::cookie;
use crate::web::{Actor, ClientIp, Via};
use axum::extract::{ConnectInfo, Request, State};
use axum::http::{HeaderMap, Method};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter, Set,
};
use std::net::SocketAddr;
use utoipa_axum::routes;
use wangge_core::{OrgPath, Permission, Role, Scope};

/// The session cookie's name.
pub const SESSION_COOKIE: &str = "wangge_session";
/// What an account whose password an administrator reset may still call in the API: who am I,
/// change my password, log out. The pages have the same rule ([`PageActor`] sends to
/// `/account`); the middleware refuses the rest with 403 `must_change_password`.
const WHILE_PASSWORD_MUST_CHANGE: &[&str] =
    &["/api/v1/me", "/api/v1/me/password", "/api/v1/auth/logout"];

/// The pages such an account may still open (the rest send it to `/account`).
const PAGES_WHILE_PASSWORD_MUST_CHANGE: &[&str] = &[
    "/account",
    "/account/password",
    "/logout",
    "/login",
    "/static/",
    "/healthz",
    "/metrics",
];

fn bearer(headers: &HeaderMap) -> Option<&str> {
    headers
        .get(axum::http::header::AUTHORIZATION)?
        .to_str()
        .ok()?
        .strip_prefix("Bearer ")
        .map(str::trim)
}

/// Loads an active account as an actor.
async fn actor_for(
    db: &impl ConnectionTrait,
    user_id: i64,
    via: Via,
    ip: &str,
) -> AppResult<Option<Actor>> {
    let Some(u) = user::Entity::find_by_id(user_id).one(db).await? else {
        return Ok(None);
    };
    if u.status != "active" {
        return Ok(None);
    }
    actor_of(u, via, ip).map(Some)
}

/// An account as the caller it is (the demo's history acts as its accounts through this too).
pub fn actor_of(u: user::Model, via: Via, ip: &str) -> AppResult<Actor> {
    let (Some(role), Ok(path)) = (Role::parse(&u.role), OrgPath::parse(&u.org_path)) else {
        return Err(AppError::Internal(anyhow::anyhow!(
            "account {} has a bad role or path",
            u.id
        )));
    };
    Ok(Actor {
        user_id: u.id,
        username: u.username,
        display_name: u.display_name,
        role,
        org_id: u.org_id,
        scope: Scope::new(path),
        department_id: u.department_id,
        must_change_password: u.must_change_password,
        via,
        ip: ip.to_owned(),
        flash: None,
    })
}

/// How long a resolved caller is used without looking at the database again. A logout, a
/// revoked token or a disabled account on this server takes effect at once (the cache is
/// dropped); made on another server over the same database, within this time.
pub const CALLER_TTL: std::time::Duration = std::time::Duration::from_secs(5);

/// Callers already resolved, by the hash of their token or session cookie: an actor and
/// when its credential stops being valid. See [`crate::infra::cache`] for how it stays honest; every
/// logout, revocation, password or account change goes through a state-changing request,
/// after which the web layer drops it.
pub struct Callers {
    cache: crate::infra::cache::Cache<String, (Actor, i64)>,
}

impl Default for Callers {
    fn default() -> Callers {
        Callers {
            cache: crate::infra::cache::Cache::of_directory(CALLER_TTL, 20_000),
        }
    }
}

impl Callers {
    /// Forgets every resolved caller.
    pub fn invalidate(&self) {
        self.cache.invalidate();
    }
}

/// What the login pages and the middleware reach: the base and the callers already resolved.
#[derive(Clone)]
pub struct AuthState {
    /// What every slice reaches.
    pub base: crate::web::Base,
    /// Callers already resolved from their token or session.
    pub callers: std::sync::Arc<Callers>,
}

impl AuthState {
    /// The state over a base (the callers' cache is made once per base).
    pub fn of(base: &crate::web::Base) -> AuthState {
        AuthState {
            base: base.clone(),
            callers: base.part(|_| Callers::default()),
        }
    }
}

impl std::ops::Deref for AuthState {
    type Target = crate::web::Base;
    fn deref(&self) -> &crate::web::Base {
        &self.base
    }
}

impl axum::extract::FromRef<AuthState> for crate::web::Base {
    fn from_ref(s: &AuthState) -> crate::web::Base {
        s.base.clone()
    }
}

/// Resolves a bearer token or a session cookie into an actor, from the cache of recent
/// callers when it can.
pub async fn resolve(
    db: &impl ConnectionTrait,
    callers: &Callers,
    headers: &HeaderMap,
    ip: &str,
) -> AppResult<Option<Actor>> {
    // A bearer token wins over a cookie; either is looked up by its hash.
    let (bearer_token, hash) = match (bearer(headers), cookie(headers, SESSION_COOKIE)) {
        (Some(t), _) => (true, crate::infra::tokens::hash_token(t)),
        (None, Some(s)) => (false, crate::infra::tokens::hash_token(s)),
        (None, None) => return Ok(None),
    };
    let key = format!("{}{hash}", if bearer_token { 't' } else { 's' });
    let now = crate::infra::clock::now_ms();
    if let Some((mut a, until)) = callers.cache.get(&key) {
        if until > now {
            a.ip = ip.to_owned();
            return Ok(Some(a));
        }
        callers.cache.remove(&key);
    }
    let ticket = callers.cache.ticket();
    let found = if bearer_token {
        resolve_token(db, &hash, ip, now).await
    } else {
        resolve_session(db, &hash, ip, now).await
    };
    if let Ok(Some((a, until))) = &found {
        callers.cache.put(ticket, key, (a.clone(), *until));
    }
    found.map(|f| f.map(|(a, _)| a))
}

/// Reads a bearer token (by its hash) from the database; with the actor, when the token
/// stops being valid.
async fn resolve_token(
    db: &impl ConnectionTrait,
    hash: &str,
    ip: &str,
    now: i64,
) -> AppResult<Option<(Actor, i64)>> {
    let row = api_token::Entity::find()
        .filter(api_token::Column::TokenHash.eq(hash))
        .one(db)
        .await?;
    let Some(row) = row.filter(|t| t.revoked_at.is_none() && t.expires_at.is_none_or(|e| e > now))
    else {
        return Err(AppError::Unauthenticated("令牌无效或已过期".into()));
    };
    if row.last_used_at.is_none_or(|t| now - t > 60_000) {
        let mut am: api_token::ActiveModel = row.clone().into();
        am.last_used_at = Set(Some(now));
        am.update(db).await?;
    }
    let until = row.expires_at.unwrap_or(i64::MAX);
    let a = actor_for(db, row.user_id, Via::Token { id: row.id }, ip).await?;
    Ok(a.map(|a| (a, until)))
}

/// Reads a session (by its cookie's hash) from the database, sliding its idle expiry; with the
/// actor, when the session stops being valid.
async fn resolve_session(
    db: &impl ConnectionTrait,
    hash: &str,
    ip: &str,
    now: i64,
) -> AppResult<Option<(Actor, i64)>> {
    let Some(s) = session::Entity::find()
        .filter(session::Column::TokenHash.eq(hash))
        .one(db)
        .await?
    else {
        return Ok(None);
    };
    if s.expires_at <= now {
        session::Entity::delete_by_id(s.id).exec(db).await?;
        return Ok(None);
    }
    let mut until = s.expires_at;
    if now - s.last_seen_at > 60_000 {
        let mut am: session::ActiveModel = s.clone().into();
        am.last_seen_at = Set(now);
        am.expires_at = Set(now + SESSION_IDLE_MS);
        am.update(db).await?;
        until = now + SESSION_IDLE_MS;
    }
    let via = Via::Session {
        id: s.id,
        csrf: s.csrf_token,
    };
    let a = actor_for(db, s.user_id, via, ip).await?;
    Ok(a.map(|a| (a, until)))
}

/// Failed logins since `since` that an administrator of `scope` should know of: those naming
/// an account in the scope, and for the whole tree also those naming no account at all
/// (someone guessing names).
pub async fn failed_logins_since(
    db: &impl ConnectionTrait,
    scope: &Scope,
    since: i64,
) -> AppResult<u64> {
    use sea_orm::sea_query::Query as SqlQuery;
    let in_scope = SqlQuery::select()
        .column(user::Column::Username)
        .from(user::Entity)
        .cond_where(crate::infra::db::in_scope("org_path", scope))
        .to_owned();
    let mut names =
        sea_orm::Condition::any().add(login_failure::Column::Username.in_subquery(in_scope));
    if scope.is_whole_tree() {
        let any_account = SqlQuery::select()
            .column(user::Column::Username)
            .from(user::Entity)
            .to_owned();
        names = names.add(login_failure::Column::Username.not_in_subquery(any_account));
    }
    Ok(login_failure::Entity::find()
        .filter(login_failure::Column::At.gte(since))
        .filter(login_failure::Column::Username.not_like("%:%"))
        .filter(names)
        .count(db)
        .await?)
}

fn client_ip(req: &Request) -> String {
    req.extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| c.0.ip().to_string())
        .unwrap_or_default()
}

/// The middleware: resolves the caller, then enforces CSRF on every state-changing request
/// that rides on a cookie. Bearer-token requests carry no ambient credential and need none.
pub async fn middleware(State(state): State<AuthState>, req: Request, next: Next) -> Response {
    let ip = client_ip(&req);
    let path = req.uri().path().to_owned();
    let actor = match resolve(&state.db, &state.callers, req.headers(), &ip).await {
        Ok(a) => a,
        Err(e) => return e.into_response(),
    };
    if actor.as_ref().is_some_and(|a| a.must_change_password)
        && !WHILE_PASSWORD_MUST_CHANGE.contains(&path.as_str())
    {
        if path.starts_with("/api/") {
            return AppError::MustChangePassword.into_response();
        }
        if !PAGES_WHILE_PASSWORD_MUST_CHANGE
            .iter()
            .any(|p| path == *p || p.ends_with('/') && path.starts_with(p))
        {
            return crate::web::redirect("/account");
        }
    }
    let unsafe_method = !matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS);
    let (req, csrf_ok) = if unsafe_method && bearer(req.headers()).is_none() {
        match &actor {
            Some(a) => crate::web::csrf::check(req, a.csrf()).await,
            None if is_public_form(req.uri().path()) => {
                let pre = cookie(req.headers(), crate::web::csrf::PRE_COOKIE)
                    .unwrap_or_default()
                    .to_owned();
                crate::web::csrf::check(req, &pre).await
            }
            None => (req, true),
        }
    } else {
        (req, true)
    };
    if !csrf_ok {
        return crate::web::csrf::rejected();
    }
    let flash = cookie(req.headers(), crate::web::FLASH_COOKIE).and_then(|v| {
        let ok = v.starts_with('1');
        let text = crate::web::urldecode(v.get(1..)?).into_owned();
        Some((ok, text))
    });
    let mut req = req;
    req.extensions_mut().insert(ClientIp(ip));
    if let Some(mut a) = actor.clone() {
        a.flash = flash.clone();
        req.extensions_mut().insert(a);
    }
    let mut resp = next.run(req).await;
    // Whoever asked, for the layers outside (an error is shown inside their layout).
    if let Some(a) = actor {
        resp.extensions_mut().insert(a);
    }
    // A page that was shown consumed the flash; a redirect carries its own.
    if flash.is_some() && resp.status().is_success() {
        resp.headers_mut().append(
            axum::http::header::SET_COOKIE,
            axum::http::HeaderValue::from_static(
                "wangge_flash=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0",
            ),
        );
    }
    resp
}

/// Forms that people without an account post: they carry a double-submit token from the
/// pre-login cookie.
fn is_public_form(path: &str) -> bool {
    path == "/login" || path == "/report" || path == "/track" || path.starts_with("/track/")
}

use crate::web::{Mounted, NavEntry, Routes, Slice};
use axum::routing::{get, post};

/// The slice, as the app lists it. (Its middleware is the app's to place: it runs before every
/// slice's handlers.)
pub const SLICE: Slice = Slice {
    name: "auth",
    mount,
    nav: &[
        NavEntry {
            order: 150,
            key: "tokens",
            href: "/tokens",
            label: "接口令牌",
            shown: |r| r.can(Permission::TokenManage),
        },
        NavEntry {
            order: 160,
            key: "account",
            href: "/account",
            label: "我的账号",
            shown: |r| r.can(Permission::OrgView),
        },
    ],
    node_panels: &[],
    body_limits: &[],
    holds: &[],
    audit_actions: &[("login", "登录"), ("password", "改密码"), ("token", "令牌")],
    audit_entities: &[("api_token", "接口令牌")],
    seed: None,
    kinds: &[],
    on_transition: &[],
};

fn mount(base: &crate::web::Base) -> Mounted {
    let st = AuthState::of(base);
    Mounted {
        api: api().with_state(st.clone()),
        pages: pages().with_state(st),
        jobs: Vec::new(),
    }
}

/// The JSON API (under `/api/v1`).
fn api() -> Routes<AuthState> {
    Routes::api()
        .routes(routes!(api::api_login))
        .routes(routes!(api::api_logout))
        .routes(routes!(api::api_me))
        .routes(routes!(api::api_change_password))
        .routes(routes!(api::api_tokens, api::api_issue_token))
        .routes(routes!(api::api_revoke_token))
}

/// The pages.
fn pages() -> Routes<AuthState> {
    Routes::pages()
        .route("/login", get(pages::login_page).post(pages::login_submit))
        .route("/logout", post(pages::logout))
        .route("/account", get(pages::account_page))
        .route("/account/password", post(pages::account_password))
        .route("/tokens", get(pages::tokens_page).post(pages::tokens_issue))
        .route("/tokens/{id}/revoke", post(pages::tokens_revoke))
}
