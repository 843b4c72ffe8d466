//! Logging in, password changes and machine tokens: the rules that touch storage.

use super::AuthState;
use crate::infra::access::{self, entity::api_token};
use crate::infra::audit::{self, Entry, Who};
use crate::infra::error::{AppError, AppResult};
use crate::users::entity as user;
use crate::web::{Actor, Via};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};
use serde::Serialize;
use serde_json::json;
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

pub(super) async fn note_login(
    st: &AuthState,
    u: &user::Model,
    ip: &str,
    how: &str,
) -> AppResult<()> {
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

/// A token as listed (never the token itself).
#[derive(Serialize)]
pub struct TokenView {
    pub(super) id: i64,
    pub(super) user_id: i64,
    pub(super) username: String,
    pub(super) name: String,
    pub(super) kind: String,
    pub(super) created_at: i64,
    pub(super) created_text: String,
    pub(super) last_used_text: String,
    pub(super) revoked: bool,
}

pub(super) async fn token_list(st: &AuthState, actor: &Actor) -> AppResult<Vec<TokenView>> {
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
pub(super) async fn issue_machine_token(
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

pub(super) async fn revoke_machine_token(st: &AuthState, actor: &Actor, id: i64) -> AppResult<()> {
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
