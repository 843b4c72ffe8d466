//! Who is calling: the [`Actor`] the auth middleware resolved from a session or a token and left
//! in the request's extensions, taken by handlers as an extractor ([`Actor`] for the API,
//! [`PageActor`] for pages), and the [`Caller`] a service is called as (an actor, or the
//! command line).

use crate::infra::error::{AppError, AppResult};
use axum::extract::FromRequestParts;
use axum::http::{HeaderMap, HeaderValue, request::Parts};
use axum::response::{IntoResponse, Redirect, Response};
use wangge_core::{OrgPath, Permission, Role, Scope};

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
    pub fn who(&self) -> crate::infra::audit::Who {
        crate::infra::audit::Who {
            id: Some(self.user_id),
            name: self.username.clone(),
            ip: self.ip.clone(),
        }
    }
}

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

/// The client's address as the server saw it.
#[derive(Clone, Debug)]
pub struct ClientIp(pub String);

/// Who calls a service and what they may reach: an account's actor, or the command line
/// (which holds the server and sees the whole tree).
#[derive(Clone, Debug)]
pub struct Caller {
    /// For the audit log.
    pub who: crate::infra::audit::Who,
    /// The subtree the caller sees; `None` for the command line.
    pub scope: Option<Scope>,
    /// The caller's role; `None` for the command line (every permission).
    pub role: Option<Role>,
}

impl Caller {
    /// The command line.
    pub fn cli() -> Caller {
        Caller {
            who: crate::infra::audit::Who::cli(),
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
        Ok(match crate::infra::db::root_path(db).await? {
            Some(p) => crate::infra::error::stored_path(&p)?,
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

    /// Whether a node at `path` is in the caller's sight either way: on the path above their
    /// node (a street's settings seen from a community) or within their subtree.
    pub fn sees_above_or_within(&self, path: &OrgPath) -> bool {
        match &self.scope {
            None => true,
            Some(sc) => path.contains(sc.root()) || sc.allows(path),
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

/// A `Set-Cookie` value: HTTP-only, same-site lax, secure when the site is served over HTTPS;
/// `max_age` 0 deletes the cookie.
pub fn cookie_header(
    secure: bool,
    name: &str,
    value: &str,
    max_age: Option<i64>,
) -> Option<HeaderValue> {
    let secure = if secure { "; Secure" } else { "" };
    let age = max_age
        .map(|a| format!("; Max-Age={a}"))
        .unwrap_or_default();
    HeaderValue::from_str(&format!(
        "{name}={value}; Path=/; HttpOnly; SameSite=Lax{secure}{age}"
    ))
    .ok()
}
