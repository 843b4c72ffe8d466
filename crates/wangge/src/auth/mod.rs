//! Who is calling: sessions (browser), bearer tokens (API and machines), passwords,
//! login throttling and CSRF. The middleware here resolves the caller once per request and
//! leaves an [`Actor`] in the request's extensions; handlers take it as an extractor.

pub mod entity;
pub mod handlers;

use crate::AppState;
use crate::infra::error::{AppError, AppResult};
use crate::users::entity as user;
use axum::extract::{ConnectInfo, FromRequestParts, Request, State};
use axum::http::{HeaderMap, Method, request::Parts};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use entity::{api_token, login_failure, session};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter, Set,
};
use std::net::SocketAddr;
use wangge_core::{OrgPath, Permission, Role, Scope};

/// The session cookie's name.
pub const SESSION_COOKIE: &str = "wangge_session";
/// The pre-login CSRF cookie's name (double-submit for the login form).
pub const PRE_COOKIE: &str = "wangge_pre";
/// How long a session lives without use.
const SESSION_IDLE_MS: i64 = 12 * 3600 * 1000;
/// How long an API login token lives.
pub const LOGIN_TOKEN_MS: i64 = 30 * 24 * 3600 * 1000;
/// Failures within this window count towards throttling.
const THROTTLE_WINDOW_MS: i64 = 15 * 60 * 1000;
/// Failures per username before a delay.
pub const THROTTLE_AFTER: u64 = 5;
/// Failures per client address before a delay.
pub const THROTTLE_AFTER_IP: u64 = 20;

/// How the caller proved who they are.
#[derive(Clone, Debug)]
pub enum Via {
    /// A browser session; carries its CSRF token.
    Session {
        /// The session row.
        id: i64,
        /// The token forms must echo.
        csrf: String,
    },
    /// A bearer token.
    Token {
        /// The token row.
        id: i64,
    },
}

/// The authenticated caller.
#[derive(Clone, Debug)]
pub struct Actor {
    /// Account id.
    pub user_id: i64,
    /// Login name.
    pub username: String,
    /// Shown name.
    pub display_name: String,
    /// Role.
    pub role: Role,
    /// The node the account is bound to.
    pub org_id: i64,
    /// The subtree the account sees.
    pub scope: Scope,
    /// For department handlers: their department.
    pub department_id: Option<i64>,
    /// Set when an administrator reset the password.
    pub must_change_password: bool,
    /// Session or token.
    pub via: Via,
    /// The client address, for the audit log.
    pub ip: String,
    /// A one-time message from the previous page (good news?, text), read from its cookie.
    pub flash: Option<(bool, String)>,
}

impl Actor {
    /// Refuses unless the role has the permission.
    pub fn require(&self, p: Permission) -> AppResult<()> {
        if self.role.can(p) {
            Ok(())
        } else {
            Err(AppError::no_permission())
        }
    }

    /// Refuses unless the path lies in the caller's scope.
    pub fn require_scope(&self, path: &OrgPath) -> AppResult<()> {
        if self.scope.allows(path) {
            Ok(())
        } else {
            Err(AppError::out_of_scope())
        }
    }

    /// The CSRF token forms must carry (sessions only).
    pub fn csrf(&self) -> &str {
        match &self.via {
            Via::Session { csrf, .. } => csrf,
            Via::Token { .. } => "",
        }
    }

    /// Who, for the audit log.
    pub fn who(&self) -> crate::audit::Who {
        crate::audit::Who {
            id: Some(self.user_id),
            name: self.username.clone(),
            ip: self.ip.clone(),
        }
    }
}

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

/// The API face: no actor → 401 JSON.
impl<S: Send + Sync> FromRequestParts<S> for Actor {
    type Rejection = AppError;
    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        parts
            .extensions
            .get::<Actor>()
            .cloned()
            .ok_or_else(|| AppError::Unauthenticated("请先登录".into()))
    }
}

/// The page face: no actor → redirect to the login page; a password that must change →
/// the account page.
pub struct PageActor(pub Actor);

impl<S: Send + Sync> FromRequestParts<S> for PageActor {
    type Rejection = Response;
    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        let path = parts.uri.path().to_owned();
        match parts.extensions.get::<Actor>().cloned() {
            Some(a) if a.must_change_password && path != "/account" => {
                Err(Redirect::to("/account").into_response())
            }
            Some(a) => Ok(PageActor(a)),
            None => {
                let next = parts
                    .uri
                    .path_and_query()
                    .map(|p| p.as_str())
                    .unwrap_or("/");
                Err(
                    Redirect::to(&format!("/login?next={}", crate::web::urlencode(next)))
                        .into_response(),
                )
            }
        }
    }
}

/// Reads a cookie from the request headers.
pub fn cookie<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(axum::http::header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v)
}

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
    let (Some(role), Ok(path)) = (Role::parse(&u.role), OrgPath::parse(&u.org_path)) else {
        return Err(AppError::Internal(anyhow::anyhow!(
            "account {} has a bad role or path",
            u.id
        )));
    };
    Ok(Some(Actor {
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
    }))
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
            cache: crate::infra::cache::Cache::new(CALLER_TTL, 20_000),
        }
    }
}

impl Callers {
    /// Forgets every resolved caller.
    pub fn invalidate(&self) {
        self.cache.invalidate();
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

/// Starts a session; returns the cookie value.
pub async fn start_session(db: &impl ConnectionTrait, user_id: i64, ip: &str) -> AppResult<String> {
    let token = crate::infra::tokens::random_token()?;
    let now = crate::infra::clock::now_ms();
    session::ActiveModel {
        token_hash: Set(crate::infra::tokens::hash_token(&token)),
        user_id: Set(user_id),
        csrf_token: Set(crate::infra::tokens::random_token()?),
        created_at: Set(now),
        expires_at: Set(now + SESSION_IDLE_MS),
        last_seen_at: Set(now),
        ip: Set(ip.to_owned()),
        ..Default::default()
    }
    .insert(db)
    .await?;
    Ok(token)
}

/// Issues a bearer token; only its hash is kept.
pub async fn issue_token(
    db: &impl ConnectionTrait,
    user_id: i64,
    name: &str,
    kind: &str,
    expires_at: Option<i64>,
) -> AppResult<(i64, String)> {
    let token = crate::infra::tokens::random_token()?;
    let row = api_token::ActiveModel {
        user_id: Set(user_id),
        name: Set(name.to_owned()),
        kind: Set(kind.to_owned()),
        token_hash: Set(crate::infra::tokens::hash_token(&token)),
        created_at: Set(crate::infra::clock::now_ms()),
        expires_at: Set(expires_at),
        ..Default::default()
    }
    .insert(db)
    .await?;
    Ok((row.id, token))
}

/// Ends every session and login token of an account (on disable or password reset).
pub async fn end_all(
    db: &impl ConnectionTrait,
    user_id: i64,
    keep_session: Option<i64>,
) -> AppResult<()> {
    let mut q = session::Entity::delete_many().filter(session::Column::UserId.eq(user_id));
    if let Some(keep) = keep_session {
        q = q.filter(session::Column::Id.ne(keep));
    }
    q.exec(db).await?;
    api_token::Entity::update_many()
        .col_expr(
            api_token::Column::RevokedAt,
            sea_orm::sea_query::Expr::value(crate::infra::clock::now_ms()),
        )
        .filter(api_token::Column::UserId.eq(user_id))
        .filter(api_token::Column::Kind.eq("login"))
        .filter(api_token::Column::RevokedAt.is_null())
        .exec(db)
        .await?;
    Ok(())
}

/// How many tries of something guessable are allowed, in what time.
#[derive(Clone, Copy, Debug)]
pub struct Tries {
    /// What is tried (`login`, `track`, `report`): counted apart from each other.
    pub kind: &'static str,
    /// The time they are counted over.
    pub window_ms: i64,
    /// At most this many for one key (a username, a case number…).
    pub per_key: u64,
    /// At most this many from one address.
    pub per_ip: u64,
}

/// Logins: 5 for a username, 20 from an address, in 15 minutes.
pub const LOGIN_TRIES: Tries = Tries {
    kind: "login",
    window_ms: THROTTLE_WINDOW_MS,
    per_key: THROTTLE_AFTER,
    per_ip: THROTTLE_AFTER_IP,
};

/// Takes one try: the try is written first, then the tries in the window are counted, so that
/// many sent at once are all counted (a read before the write would let them all through).
/// Allowed while the key has had at most `per_key` tries and the address at most `per_ip`, this
/// one included. Logins are stored under the username (so a good login can clear them, and the
/// administrator's 工作台 counts them); every other kind under `kind:key`.
pub async fn take_try(db: &impl ConnectionTrait, t: Tries, key: &str, ip: &str) -> AppResult<bool> {
    let stored: String = if t.kind == "login" {
        key.to_owned()
    } else {
        format!("{}:{key}", t.kind)
    };
    let stored: String = stored.chars().take(64).collect();
    login_failure::ActiveModel {
        username: Set(stored.clone()),
        ip: Set(ip.to_owned()),
        at: Set(crate::infra::clock::now_ms()),
        ..Default::default()
    }
    .insert(db)
    .await?;
    let since = crate::infra::clock::now_ms() - t.window_ms;
    let by_key = login_failure::Entity::find()
        .filter(login_failure::Column::Username.eq(stored.clone()))
        .filter(login_failure::Column::At.gt(since))
        .count(db)
        .await?;
    let same_kind = if t.kind == "login" {
        login_failure::Column::Username.not_like("%:%")
    } else {
        login_failure::Column::Username.like(format!("{}:%", t.kind))
    };
    let by_ip = login_failure::Entity::find()
        .filter(login_failure::Column::Ip.eq(ip))
        .filter(same_kind)
        .filter(login_failure::Column::At.gt(since))
        .count(db)
        .await?;
    if by_key > t.per_key || by_ip > t.per_ip {
        tracing::warn!(key = stored, ip, by_key, by_ip, "tries throttled");
        return Ok(false);
    }
    Ok(true)
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

/// Forgets the failures of a username after a good login.
pub async fn clear_failures(db: &impl ConnectionTrait, username: &str) -> AppResult<()> {
    login_failure::Entity::delete_many()
        .filter(login_failure::Column::Username.eq(username))
        .exec(db)
        .await?;
    Ok(())
}

fn client_ip(req: &Request) -> String {
    req.extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| c.0.ip().to_string())
        .unwrap_or_default()
}

/// The middleware: resolves the caller, then enforces CSRF on every state-changing request
/// that rides on a cookie. Bearer-token requests carry no ambient credential and need none.
pub async fn middleware(State(state): State<AppState>, req: Request, next: Next) -> Response {
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
                let pre = cookie(req.headers(), PRE_COOKIE)
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
    if unsafe_method && !resp.status().is_client_error() && !keeps_directory(&path) {
        state.forget_directory();
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

/// Whether a state-changing request to `path` leaves the org tree, departments and accounts
/// as they were, so the caches of them can stay. Everything else (the tree, departments,
/// users, passwords, tokens, logout, and any capability added later) drops them when it
/// succeeds: forgetting is the default, keeping is the exception for the busy case loop.
fn keeps_directory(path: &str) -> bool {
    const KEEP: &[&str] = &[
        "/api/v1/cases",
        "/api/v1/notifications",
        "/api/v1/categories",
        "/api/v1/calendar",
        "/api/v1/admin/press",
        "/api/v1/auth/login",
        "/cases",
        "/report",
        "/track",
        "/files",
        "/notifications",
        "/login",
    ];
    KEEP.iter().any(|k| path.starts_with(k))
}

/// Forms that people without an account post: they carry a double-submit token from the
/// pre-login cookie.
fn is_public_form(path: &str) -> bool {
    path == "/login" || path == "/report" || path == "/track" || path.starts_with("/track/")
}

/// The client's address as the server saw it.
#[derive(Clone, Debug)]
pub struct ClientIp(pub String);

/// Who calls a service and what they may reach: an account's actor, or the command line
/// (which holds the server and sees the whole tree).
#[derive(Clone, Debug)]
pub struct Caller {
    /// For the audit log.
    pub who: crate::audit::Who,
    /// The subtree the caller sees; `None` for the command line.
    pub scope: Option<Scope>,
    /// The caller's role; `None` for the command line (every permission).
    pub role: Option<Role>,
}

impl Caller {
    /// The command line.
    pub fn cli() -> Caller {
        Caller {
            who: crate::audit::Who::cli(),
            scope: None,
            role: None,
        }
    }

    /// Where an entry about reference data the caller changed (tags, categories, a full export
    /// of everything in sight) sits in the audit log: the caller's own node, or for the command
    /// line the tree's root.
    pub async fn audit_root(&self, db: &impl sea_orm::ConnectionTrait) -> AppResult<OrgPath> {
        if let Some(s) = &self.scope {
            return Ok(s.root().clone());
        }
        use sea_orm::QueryOrder as _;
        let root = crate::org::entity::node::Entity::find()
            .filter(crate::org::entity::node::Column::ParentId.is_null())
            .order_by_asc(crate::org::entity::node::Column::Id)
            .one(db)
            .await?;
        Ok(match root {
            Some(n) => crate::infra::error::stored_path(&n.path)?,
            None => OrgPath::root(1),
        })
    }

    /// Refuses unless the caller has the permission.
    pub fn require(&self, p: Permission) -> AppResult<()> {
        match self.role {
            Some(r) if !r.can(p) => Err(AppError::no_permission()),
            _ => Ok(()),
        }
    }

    /// Refuses unless the caller may change what the whole district shares (the category tree,
    /// the working calendar, district-wide jobs): an administrator bound to the tree's root, or
    /// the command line. A street's administrator changes what belongs to the street only.
    pub fn require_district_admin(&self) -> AppResult<()> {
        self.require_at_district(
            Permission::OrgManage,
            "事项分类、工作日历和全区任务由区级管理员维护，街道和社区只能查看",
        )
    }

    /// Refuses unless the caller has the permission over the whole tree (or is the command
    /// line): for reference data every street shares; `why` says who keeps it.
    pub fn require_at_district(&self, p: Permission, why: &str) -> AppResult<()> {
        self.require(p)?;
        match &self.scope {
            Some(s) if !s.is_whole_tree() => Err(AppError::Forbidden(why.to_owned())),
            _ => Ok(()),
        }
    }

    /// Whether a path lies in the caller's scope.
    pub fn allows(&self, path: &OrgPath) -> bool {
        self.scope.as_ref().is_none_or(|s| s.allows(path))
    }

    /// Refuses unless the path lies in the caller's scope.
    pub fn require_scope(&self, path: &OrgPath) -> AppResult<()> {
        if self.allows(path) {
            Ok(())
        } else {
            Err(AppError::out_of_scope())
        }
    }

    /// The scope filter on a path column, as a condition (always true for the command line).
    pub fn scope_cond(&self, column: &'static str) -> sea_orm::Condition {
        match &self.scope {
            Some(s) => sea_orm::Condition::all().add(crate::infra::db::in_scope(column, s)),
            None => sea_orm::Condition::all(),
        }
    }
}

impl Actor {
    /// The actor as a service caller.
    pub fn caller(&self) -> Caller {
        Caller {
            who: self.who(),
            scope: Some(self.scope.clone()),
            role: Some(self.role),
        }
    }
}
