//! Who may come back: browser sessions and bearer tokens (only their hashes are kept), and the
//! tries of something guessable (logins, case-number lookups, public reports), counted by key
//! and by address. The one writer of the `sessions`, `api_tokens` and `login_failures` tables.

pub mod entity;

use crate::infra::error::AppResult;
use entity::{api_token, login_failure, session};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter, Set,
};

/// How long a session lives without use.
pub const SESSION_IDLE_MS: i64 = 12 * 3600 * 1000;
/// How long an API login token lives.
pub const LOGIN_TOKEN_MS: i64 = 30 * 24 * 3600 * 1000;
/// Failures within this window count towards throttling.
const THROTTLE_WINDOW_MS: i64 = 15 * 60 * 1000;
/// Failures per username before a delay.
pub const THROTTLE_AFTER: u64 = 5;
/// Failures per client address before a delay.
pub const THROTTLE_AFTER_IP: u64 = 20;

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

/// Forgets the failures of a username after a good login.
pub async fn clear_failures(db: &impl ConnectionTrait, username: &str) -> AppResult<()> {
    login_failure::Entity::delete_many()
        .filter(login_failure::Column::Username.eq(username))
        .exec(db)
        .await?;
    Ok(())
}

/// Revokes every token of an account, of any kind (when the account is disabled).
pub async fn revoke_tokens(db: &impl ConnectionTrait, user_id: i64) -> AppResult<()> {
    api_token::Entity::update_many()
        .col_expr(
            api_token::Column::RevokedAt,
            sea_orm::sea_query::Expr::value(crate::infra::clock::now_ms()),
        )
        .filter(api_token::Column::UserId.eq(user_id))
        .filter(api_token::Column::RevokedAt.is_null())
        .exec(db)
        .await?;
    Ok(())
}

/// Ends one session (a logout).
pub async fn end_session(db: &impl ConnectionTrait, id: i64) -> AppResult<()> {
    session::Entity::delete_by_id(id).exec(db).await?;
    Ok(())
}

/// Revokes one token (a logout through the API, or an administrator's revocation).
pub async fn revoke_token(db: &impl ConnectionTrait, id: i64) -> AppResult<()> {
    api_token::Entity::update_many()
        .col_expr(
            api_token::Column::RevokedAt,
            sea_orm::sea_query::Expr::value(crate::infra::clock::now_ms()),
        )
        .filter(api_token::Column::Id.eq(id))
        .exec(db)
        .await?;
    Ok(())
}
