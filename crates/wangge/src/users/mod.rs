//! Accounts: each bound to one org node (its data scope) with one role. Administrators
//! create them, change their role and node, reset passwords and disable them, all within
//! their own subtree.

pub mod api;
pub mod entity;
pub mod pages;

use crate::infra::audit::{self, Entry};
use crate::infra::error::{AppError, AppResult};
use crate::org::entity::{department, node};
use crate::web::Caller;
use entity as user;
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter,
    QueryOrder, QuerySelect, Set,
};
use serde::{Deserialize, Serialize};
use serde_json::json;
use std::collections::HashMap;
use utoipa_axum::routes;
use wangge_core::{OrgLevel, OrgPath, Permission, Role, validate};

/// An account as shown (never the hash).
#[derive(Clone, Debug, Serialize)]
pub struct UserView {
    pub id: i64,
    pub username: String,
    pub display_name: String,
    pub role: String,
    pub role_label: &'static str,
    pub org_id: i64,
    pub org_name: String,
    pub department_id: Option<i64>,
    pub department_name: Option<String>,
    pub status: String,
    pub must_change_password: bool,
    pub version: i32,
    pub created_at: i64,
    pub last_login_at: Option<i64>,
    /// A machine's account: tokens only, no password.
    pub service: bool,
}

impl UserView {
    /// Whether the account belongs to the department (for the edit form).
    pub fn in_department(&self, id: &i64) -> bool {
        self.department_id == Some(*id)
    }

    /// Last login as Beijing time, or a dash.
    pub fn last_login_text(&self) -> String {
        self.last_login_at
            .map(crate::infra::clock::fmt_time)
            .unwrap_or_else(|| "—".into())
    }
}

async fn views(db: &impl ConnectionTrait, rows: Vec<user::Model>) -> AppResult<Vec<UserView>> {
    let org_ids: Vec<i64> = rows.iter().map(|r| r.org_id).collect();
    let dept_ids: Vec<i64> = rows.iter().filter_map(|r| r.department_id).collect();
    let nodes = node::Entity::find()
        .filter(node::Column::Id.is_in(org_ids))
        .all(db)
        .await?;
    // "1幢" alone says little: a building is named with its grid.
    let parent_ids: Vec<i64> = nodes
        .iter()
        .filter(|n| n.level == OrgLevel::Building.as_str())
        .filter_map(|n| n.parent_id)
        .collect();
    let parents: HashMap<i64, String> = if parent_ids.is_empty() {
        HashMap::new()
    } else {
        node::Entity::find()
            .filter(node::Column::Id.is_in(parent_ids))
            .all(db)
            .await?
            .into_iter()
            .map(|n| (n.id, n.name))
            .collect()
    };
    let orgs: HashMap<i64, String> = nodes
        .into_iter()
        .map(|n| {
            let name = match n.parent_id.and_then(|p| parents.get(&p)) {
                Some(p) if n.level == OrgLevel::Building.as_str() => format!("{p} {}", n.name),
                _ => n.name,
            };
            (n.id, name)
        })
        .collect();
    let depts: HashMap<i64, String> = if dept_ids.is_empty() {
        HashMap::new()
    } else {
        department::Entity::find()
            .filter(department::Column::Id.is_in(dept_ids))
            .all(db)
            .await?
            .into_iter()
            .map(|d| (d.id, d.name))
            .collect()
    };
    Ok(rows
        .into_iter()
        .map(|u| {
            let role = Role::parse(&u.role);
            UserView {
                role_label: role.map(Role::label).unwrap_or("未知"),
                org_name: orgs.get(&u.org_id).cloned().unwrap_or_default(),
                department_name: u.department_id.and_then(|d| depts.get(&d).cloned()),
                id: u.id,
                username: u.username,
                display_name: u.display_name,
                role: u.role,
                org_id: u.org_id,
                department_id: u.department_id,
                status: u.status,
                must_change_password: u.must_change_password,
                version: u.version,
                created_at: u.created_at,
                last_login_at: u.last_login_at,
                service: u.service,
            }
        })
        .collect())
}

/// Filters for the account list.
#[derive(Debug, Default, Deserialize)]
pub struct Filter {
    /// Username or name contains.
    pub q: Option<String>,
    /// Role identifier.
    pub role: Option<String>,
    /// Only accounts bound inside this node's subtree.
    pub org_id: Option<i64>,
    /// `active` or `disabled`.
    pub status: Option<String>,
    /// Page, from 1.
    pub page: Option<u64>,
}

/// A page of accounts.
#[derive(Debug, Serialize)]
pub struct Page {
    pub items: Vec<UserView>,
    pub total: u64,
    pub page: u64,
    pub pages: u64,
}

/// Accounts per page.
pub const PER_PAGE: u64 = 50;

/// Accounts in scope, filtered; `per_page: None` returns all (for exports).
pub async fn list(
    db: &impl ConnectionTrait,
    c: &Caller,
    f: &Filter,
    per_page: Option<u64>,
) -> AppResult<Page> {
    c.require(Permission::UserView)?;
    let mut q = user::Entity::find().filter(c.scope_cond("org_path"));
    if let Some(text) = f.q.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        q = q.filter(
            sea_orm::Condition::any()
                // Usernames are stored in lower case; LIKE is case-sensitive on both backends.
                .add(user::Column::Username.contains(text.to_ascii_lowercase()))
                .add(user::Column::DisplayName.contains(text)),
        );
    }
    if let Some(r) = f.role.as_deref().filter(|s| !s.is_empty()) {
        let role =
            Role::parse(r).ok_or_else(|| AppError::bad("bad_role", format!("未知的角色：{r}")))?;
        q = q.filter(user::Column::Role.eq(role.as_str()));
    }
    if let Some(s) = f.status.as_deref().filter(|s| !s.is_empty()) {
        q = q.filter(user::Column::Status.eq(s));
    }
    if let Some(org) = f.org_id {
        let n = crate::org::service::find(db, c, org).await?;
        q = q.filter(crate::infra::db::subtree(
            user::Column::OrgPath,
            &crate::infra::error::stored_path(&n.path)?,
        ));
    }
    let total = q.clone().count(db).await?;
    let q = q
        .order_by_asc(user::Column::OrgPath)
        .order_by_asc(user::Column::Username);
    let (rows, page, pages) = match per_page {
        Some(per) => {
            let pages = total.div_ceil(per).max(1);
            let page = f.page.unwrap_or(1).clamp(1, pages);
            (
                q.offset((page - 1) * per).limit(per).all(db).await?,
                page,
                pages,
            )
        }
        None => (q.all(db).await?, 1, 1),
    };
    Ok(Page {
        items: views(db, rows).await?,
        total,
        page,
        pages,
    })
}

/// How many accounts the caller's scope holds.
pub async fn count(db: &impl ConnectionTrait, c: &Caller) -> AppResult<u64> {
    c.require(Permission::UserView)?;
    Ok(user::Entity::find()
        .filter(c.scope_cond("org_path"))
        .count(db)
        .await?)
}

/// Accounts bound to exactly one node (for the node page).
pub async fn at_node(
    db: &impl ConnectionTrait,
    c: &Caller,
    org_id: i64,
) -> AppResult<Vec<UserView>> {
    c.require(Permission::UserView)?;
    let rows = user::Entity::find()
        .filter(c.scope_cond("org_path"))
        .filter(user::Column::OrgId.eq(org_id))
        .order_by_asc(user::Column::Username)
        .all(db)
        .await?;
    views(db, rows).await
}

async fn find_row(db: &impl ConnectionTrait, c: &Caller, id: i64) -> AppResult<user::Model> {
    user::Entity::find_by_id(id)
        .filter(c.scope_cond("org_path"))
        .one(db)
        .await?
        .ok_or_else(|| AppError::NotFound("账号不存在或不在您的管辖范围内".into()))
}

/// One account in scope.
pub async fn get(db: &impl ConnectionTrait, c: &Caller, id: i64) -> AppResult<UserView> {
    c.require(Permission::UserView)?;
    let row = find_row(db, c, id).await?;
    views(db, vec![row])
        .await?
        .pop()
        .ok_or_else(|| AppError::NotFound("账号不存在".into()))
}

/// A new account.
#[derive(Debug, Deserialize, Default)]
pub struct NewUser {
    pub username: String,
    pub display_name: String,
    pub role: String,
    /// The node; for a department handler, taken from the department when left out.
    pub org_id: Option<i64>,
    pub department_id: Option<i64>,
    /// The initial password; the account must change it at first login. Not used for a
    /// service account.
    #[serde(default)]
    pub password: String,
    /// A service account: for a machine, used through tokens an administrator issues to it;
    /// it has no password and never logs in. Its role may not see full personal data.
    #[serde(default)]
    pub service: bool,
}

/// Checks that a role may be bound where asked; returns the node and the department.
async fn binding(
    db: &impl ConnectionTrait,
    c: &Caller,
    role: Role,
    org_id: Option<i64>,
    department_id: Option<i64>,
) -> AppResult<(node::Model, Option<i64>)> {
    let (org_id, department_id) = if role.needs_department() {
        let did = department_id
            .ok_or_else(|| AppError::bad("department_required", "部门处置人员必须选择所属部门"))?;
        let d = department::Entity::find_by_id(did)
            .filter(c.scope_cond("org_path"))
            .one(db)
            .await?
            .ok_or_else(|| AppError::Forbidden("所选部门不存在或不在您的管辖范围内".into()))?;
        if d.status != "active" {
            return Err(AppError::bad("department_retired", "所选部门已停用"));
        }
        (d.org_id, Some(did))
    } else {
        (
            org_id.ok_or_else(|| AppError::bad("org_required", "请选择账号所属的节点"))?,
            None,
        )
    };
    let n = node::Entity::find_by_id(org_id)
        .filter(c.scope_cond("path"))
        .one(db)
        .await?
        .ok_or_else(|| AppError::Forbidden("所选节点不存在或不在您的管辖范围内".into()))?;
    if n.status != "active" {
        return Err(AppError::bad("node_retired", "所选节点已停用"));
    }
    let level = OrgLevel::parse(&n.level).unwrap_or(OrgLevel::Building);
    if !role.bindable_levels().contains(&level) {
        let allowed: Vec<&str> = role.bindable_levels().iter().map(|l| l.label()).collect();
        return Err(AppError::bad(
            "bad_binding",
            format!(
                "{}只能绑定到{}，不能绑定到{}",
                role.label(),
                allowed.join("、"),
                level.label()
            ),
        ));
    }
    Ok((n, department_id))
}

fn parse_role(raw: &str) -> AppResult<Role> {
    Role::parse(raw).ok_or_else(|| AppError::bad("bad_role", format!("未知的角色：{raw}")))
}

/// Creates an account; nothing is written unless every field is good.
pub async fn create(
    db: &sea_orm::DatabaseConnection,
    c: &Caller,
    input: NewUser,
) -> AppResult<UserView> {
    c.require(Permission::UserManage)?;
    let username = validate::username(&input.username)?;
    let display_name = validate::name("姓名", &input.display_name, 30)?;
    let role = parse_role(&input.role)?;
    let password = if input.service {
        if !role.may_be_service() || c.role.is_some_and(|mine| !role.personal_data_within(mine)) {
            return Err(AppError::bad(
                "bad_service_role",
                format!(
                    "服务账号不能是{}：服务账号的角色不能查看完整个人信息、不能管理账号和令牌，也不能有您的角色没有的居民个人信息权限",
                    role.label()
                ),
            ));
        }
        // Nobody knows it: a service account never logs in with a password.
        crate::infra::tokens::random_token()?
    } else {
        validate::password(&input.password)?;
        input.password.clone()
    };
    let hash = crate::infra::password::hash(password).await?;
    let tx = crate::infra::db::begin_write(db).await?;
    let (n, department_id) = binding(&tx, c, role, input.org_id, input.department_id).await?;
    if user::Entity::find()
        .filter(user::Column::Username.eq(username.clone()))
        .count(&tx)
        .await?
        > 0
    {
        return Err(AppError::conflict(
            "duplicate_username",
            format!("用户名 {username} 已被使用"),
        ));
    }
    let now = crate::infra::clock::now_ms();
    let row = user::ActiveModel {
        username: Set(username.clone()),
        display_name: Set(display_name.clone()),
        password_hash: Set(hash),
        role: Set(role.as_str().to_owned()),
        org_id: Set(n.id),
        org_path: Set(n.path.clone()),
        department_id: Set(department_id),
        status: Set("active".into()),
        must_change_password: Set(c.scope.is_some() && !input.service),
        service: Set(input.service),
        version: Set(1),
        created_at: Set(now),
        updated_at: Set(now),
        last_login_at: Set(None),
        ..Default::default()
    }
    .insert(&tx)
    .await?;
    audit::record(
        &tx,
        &c.who,
        Entry {
            org_path: &path(&n.path)?,
            action: "create",
            entity: "user",
            entity_id: Some(row.id),
            summary: format!(
                "新建{}账号 {username}（{display_name}，{}，{}）",
                if input.service { "服务" } else { "" },
                role.label(),
                n.name
            ),
            changes: json!({"username": username, "display_name": display_name, "role": role.as_str(), "org_id": n.id, "department_id": department_id, "service": input.service}),
        },
    )
    .await?;
    tx.commit().await?;
    crate::infra::cache::directory_changed();
    views(db, vec![row])
        .await?
        .pop()
        .ok_or_else(|| AppError::NotFound("账号不存在".into()))
}

fn path(p: &str) -> AppResult<OrgPath> {
    crate::infra::error::stored_path(p)
}

/// An edit of an account.
#[derive(Debug, Deserialize, Default)]
pub struct EditUser {
    pub display_name: Option<String>,
    pub role: Option<String>,
    pub org_id: Option<i64>,
    pub department_id: Option<i64>,
    pub version: i32,
}

/// Changes an account's name, role and binding (version-checked).
pub async fn update(
    db: &sea_orm::DatabaseConnection,
    c: &Caller,
    id: i64,
    e: EditUser,
) -> AppResult<UserView> {
    c.require(Permission::UserManage)?;
    let tx = crate::infra::db::begin_write(db).await?;
    let old = find_row(&tx, c, id).await?;
    let display_name = match &e.display_name {
        Some(n) => validate::name("姓名", n, 30)?,
        None => old.display_name.clone(),
    };
    let role = match &e.role {
        Some(r) => parse_role(r)?,
        None => parse_role(&old.role)?,
    };
    if c.who.id == Some(id) && role.as_str() != old.role {
        return Err(AppError::bad("own_role", "不能修改自己的角色"));
    }
    // An administrator raises no account to rights over residents' personal data its own role
    // lacks: it could set that account's password first (reset it as a lesser role, then raise
    // it) and so see what it may not. A new account is made for such a role instead.
    if let (Some(mine), Some(was)) = (c.role, Role::parse(&old.role))
        && !role.personal_data_within(mine)
        && !role.personal_data_within(was)
    {
        return Err(AppError::Forbidden(format!(
            "不能把账号 {} 改为{}：这会让它获得您的角色没有的居民个人信息权限。请为担任{}的人新建账号",
            old.username,
            role.label(),
            role.label()
        )));
    }
    if old.service && !role.may_be_service() {
        return Err(AppError::bad(
            "bad_service_role",
            format!(
                "服务账号不能是{}：服务账号的角色不能查看完整个人信息，也不能管理账号和令牌",
                role.label()
            ),
        ));
    }
    let (n, department_id) = binding(
        &tx,
        c,
        role,
        e.org_id.or(Some(old.org_id)),
        e.department_id.or(old.department_id),
    )
    .await?;
    if c.who.id == Some(id) && n.id != old.org_id {
        return Err(AppError::bad("own_binding", "不能修改自己所属的节点"));
    }
    let res = user::Entity::update_many()
        .col_expr(user::Column::DisplayName, Expr::value(display_name.clone()))
        .col_expr(user::Column::Role, Expr::value(role.as_str()))
        .col_expr(user::Column::OrgId, Expr::value(n.id))
        .col_expr(user::Column::OrgPath, Expr::value(n.path.clone()))
        .col_expr(user::Column::DepartmentId, Expr::value(department_id))
        .col_expr(user::Column::Version, Expr::value(e.version + 1))
        .col_expr(
            user::Column::UpdatedAt,
            Expr::value(crate::infra::clock::now_ms()),
        )
        .filter(user::Column::Id.eq(id))
        .filter(user::Column::Version.eq(e.version))
        .exec(&tx)
        .await?;
    if res.rows_affected == 0 {
        return Err(AppError::stale());
    }
    audit::record(
        &tx,
        &c.who,
        Entry {
            org_path: &path(&n.path)?,
            action: "update",
            entity: "user",
            entity_id: Some(id),
            summary: format!("修改账号 {}", old.username),
            changes: audit::changes(&[
                ("display_name", json!(old.display_name), json!(display_name)),
                ("role", json!(old.role), json!(role.as_str())),
                ("org_id", json!(old.org_id), json!(n.id)),
                (
                    "department_id",
                    json!(old.department_id),
                    json!(department_id),
                ),
            ]),
        },
    )
    .await?;
    tx.commit().await?;
    crate::infra::cache::directory_changed();
    get(db, c, id).await
}

/// An administrator sets a new password; the account must change it at next login, and its
/// sessions and login tokens end.
pub async fn reset_password(
    db: &sea_orm::DatabaseConnection,
    c: &Caller,
    id: i64,
    new_password: &str,
) -> AppResult<()> {
    c.require(Permission::UserManage)?;
    validate::password(new_password)?;
    let hash = crate::infra::password::hash(new_password.to_owned()).await?;
    let tx = crate::infra::db::begin_write(db).await?;
    let old = find_row(&tx, c, id).await?;
    may_reset(c, old.service, &old.role, &old.username)?;
    let mut am: user::ActiveModel = old.clone().into();
    am.password_hash = Set(hash);
    am.must_change_password = Set(c.scope.is_some() && c.who.id != Some(id));
    am.version = Set(old.version + 1);
    am.updated_at = Set(crate::infra::clock::now_ms());
    am.update(&tx).await?;
    crate::infra::access::end_all(&tx, id, None).await?;
    audit::record(
        &tx,
        &c.who,
        Entry {
            org_path: &path(&old.org_path)?,
            action: "reset_password",
            entity: "user",
            entity_id: Some(id),
            summary: format!("重置账号 {} 的密码", old.username),
            changes: json!({}),
        },
    )
    .await?;
    tx.commit().await?;
    crate::infra::cache::directory_changed();
    Ok(())
}

/// Whether the caller may reset this account's password. Not a service account's (it has
/// none), and not an account holding rights over personal data that the caller lacks: whoever
/// sets a password can log in with it, so a reset must not hand an administrator sight of
/// full ID numbers its own role withholds. Such accounts change their own password, or the
/// server's operator resets it with `wangge user passwd` (see the README).
pub fn may_reset(c: &Caller, service: bool, role: &str, username: &str) -> AppResult<()> {
    if service {
        return Err(AppError::bad(
            "service_account",
            "服务账号没有密码，只能使用接口令牌",
        ));
    }
    let (Some(mine), Some(theirs)) = (c.role, Role::parse(role)) else {
        return Ok(());
    };
    if !theirs.personal_data_within(mine) {
        return Err(AppError::Forbidden(format!(
            "{}可以查看或修改居民个人信息，权限多于您的角色，管理员不能重置其密码：请本人在“我的账号”修改，忘记密码时由服务器运维人员用命令 wangge user passwd {} 重置",
            theirs.label(),
            username
        )));
    }
    Ok(())
}

/// Disables or re-enables an account; disabling ends its sessions and tokens.
pub async fn set_status(
    db: &sea_orm::DatabaseConnection,
    c: &Caller,
    id: i64,
    active: bool,
) -> AppResult<()> {
    c.require(Permission::UserManage)?;
    if c.who.id == Some(id) {
        return Err(AppError::bad("own_status", "不能禁用自己的账号"));
    }
    let tx = crate::infra::db::begin_write(db).await?;
    let old = find_row(&tx, c, id).await?;
    let status = if active { "active" } else { "disabled" };
    if old.status == status {
        return Err(AppError::conflict(
            "same_status",
            if active {
                "该账号本来就是启用状态"
            } else {
                "该账号已被禁用"
            },
        ));
    }
    let mut am: user::ActiveModel = old.clone().into();
    am.status = Set(status.into());
    am.version = Set(old.version + 1);
    am.updated_at = Set(crate::infra::clock::now_ms());
    am.update(&tx).await?;
    if !active {
        crate::infra::access::end_all(&tx, id, None).await?;
        crate::infra::access::revoke_tokens(&tx, id).await?;
    }
    audit::record(
        &tx,
        &c.who,
        Entry {
            org_path: &path(&old.org_path)?,
            action: if active { "enable" } else { "disable" },
            entity: "user",
            entity_id: Some(id),
            summary: format!(
                "{}账号 {}",
                if active { "启用" } else { "禁用" },
                old.username
            ),
            changes: json!({"status": [old.status, status]}),
        },
    )
    .await?;
    tx.commit().await?;
    crate::infra::cache::directory_changed();
    Ok(())
}

/// Records when an account last logged in (the login's audit entry is the caller's, in the
/// same transaction).
pub async fn note_login(db: &impl ConnectionTrait, u: &user::Model) -> AppResult<()> {
    let mut am: user::ActiveModel = u.clone().into();
    am.last_login_at = Set(Some(crate::infra::clock::now_ms()));
    am.update(db).await?;
    Ok(())
}

/// Sets the password an account's holder chose (after checking the current one): it need not
/// be changed again. The caller ends the other sessions and audits, in the same transaction.
pub async fn set_own_password(
    db: &impl ConnectionTrait,
    u: &user::Model,
    hash: String,
) -> AppResult<()> {
    let mut am: user::ActiveModel = u.clone().into();
    am.password_hash = Set(hash);
    am.must_change_password = Set(false);
    am.version = Set(u.version + 1);
    am.updated_at = Set(crate::infra::clock::now_ms());
    am.update(db).await?;
    Ok(())
}

/// Finds an account by username, with no scope (login and the command line only).
pub async fn by_username(
    db: &impl ConnectionTrait,
    username: &str,
) -> AppResult<Option<user::Model>> {
    Ok(user::Entity::find()
        .filter(user::Column::Username.eq(username.trim().to_ascii_lowercase()))
        .one(db)
        .await?)
}

/// Whether any account exists (the first start says how to make one).
pub async fn any(db: &impl ConnectionTrait) -> AppResult<bool> {
    Ok(user::Entity::find().one(db).await?.is_some())
}

use crate::infra::db::Hold;
use crate::web::{Base, Mounted, NavEntry, Routes, Slice};
use axum::routing;

/// The slice, as the app lists it.
pub const SLICE: Slice = Slice {
    name: "users",
    mount,
    nav: &[NavEntry {
        order: 130,
        key: "users",
        href: "/users",
        label: "账号管理",
        shown: |r| r.can(Permission::UserView),
    }],
    node_panels: &[pages::node_panel],
    body_limits: &[],
    holds: &[
        Hold::path("users", "org_path", "个账号"),
        Hold::id("users", "org_id", "个账号"),
    ],
    audit_actions: &[
        ("reset_password", "重置密码"),
        ("disable", "禁用"),
        ("enable", "启用"),
    ],
    audit_entities: &[("user", "账号")],
    seed: None,
    kinds: &[],
    on_transition: &[],
};

fn mount(base: &Base) -> Mounted {
    Mounted {
        api: api().with_state(base.clone()),
        pages: pages().with_state(base.clone()),
        jobs: Vec::new(),
    }
}

/// The JSON API (under `/api/v1`).
fn api() -> Routes<Base> {
    Routes::api()
        .routes(routes!(api::api_list, api::api_create))
        .routes(routes!(api::api_get, api::api_update))
        .routes(routes!(api::api_reset_password))
        .routes(routes!(api::api_disable))
        .routes(routes!(api::api_enable))
}

/// The pages.
fn pages() -> Routes<Base> {
    Routes::pages()
        .route("/users", routing::get(pages::list))
        .route("/users/export.xlsx", routing::get(pages::export))
        .route(
            "/users/new",
            routing::get(pages::new_form).post(pages::create),
        )
        .route(
            "/users/{id}",
            routing::get(pages::detail).post(pages::update),
        )
        .route("/users/{id}/password", routing::post(pages::reset_password))
        .route("/users/{id}/status", routing::post(pages::set_status))
}

/// The caller's name as others see it: the account's display name (the command line's name when
/// there is no account).
pub async fn display_name(db: &impl sea_orm::ConnectionTrait, c: &Caller) -> AppResult<String> {
    Ok(match c.who.id {
        Some(u) => user::Entity::find_by_id(u)
            .one(db)
            .await?
            .map_or_else(|| c.who.name.clone(), |m| m.display_name),
        None => c.who.name.clone(),
    })
}
