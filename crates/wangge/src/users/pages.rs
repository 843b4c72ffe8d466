//! The accounts' pages: list with filters and export, new account, account detail.

use super::{EditUser, Filter, NewUser, Page, UserView};
use crate::infra::error::{AppError, AppResult};
use crate::org::service::{self as org, DepartmentView, NodeFilter};
use crate::web::Base;
use crate::web::Choice;
use crate::web::Query;
use crate::web::{Actor, Caller, PageActor, Panel};
use crate::web::{Html, PageCtx, done, page_err, respond};
use askama::Template;
use axum::Form;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use wangge_core::{OrgLevel, Permission, Role};

/// A choice in a select.
fn role_choices() -> Vec<Choice> {
    Role::ALL
        .iter()
        .map(|r| Choice {
            value: r.as_str().into(),
            label: r.label().into(),
        })
        .collect()
}

/// Nodes an account may be bound to: every active node in scope, indented by depth.
async fn node_choices(st: &Base, actor: &Actor) -> AppResult<Vec<Choice>> {
    let rows = org::list(&st.db, &actor.caller(), &NodeFilter::default()).await?;
    let base = actor.scope.root().depth();
    let mut nested = Vec::new();
    flatten(&org::nest(&rows), &mut nested, 0);
    Ok(nested
        .into_iter()
        .map(|(id, name, level, depth)| Choice {
            value: id.to_string(),
            label: format!(
                "{}{}（{}）",
                "　".repeat(depth.saturating_sub(base.min(depth))),
                name,
                level.label()
            ),
        })
        .collect())
}

fn flatten(nodes: &[org::TreeNode], out: &mut Vec<(i64, String, OrgLevel, usize)>, depth: usize) {
    for n in nodes {
        out.push((n.id, n.name.clone(), n.level, depth));
        flatten(&n.children, out, depth + 1);
    }
}

#[derive(Template)]
#[template(path = "users/list.html")]
struct ListPage {
    ctx: PageCtx,
    page: Page,
    q: String,
    role: String,
    status: String,
    roles: Vec<Choice>,
    query: String,
    can_manage: bool,
}

/// `GET /users`
pub async fn list(
    State(st): State<Base>,
    PageActor(actor): PageActor,
    Query(f): Query<Filter>,
) -> Response {
    let run = async {
        let page = super::list(&st.db, &actor.caller(), &f, Some(super::PER_PAGE)).await?;
        let query = crate::web::query_string(&[
            ("q", f.q.clone().unwrap_or_default()),
            ("role", f.role.clone().unwrap_or_default()),
            ("status", f.status.clone().unwrap_or_default()),
            (
                "org_id",
                f.org_id.map(|i| i.to_string()).unwrap_or_default(),
            ),
        ]);
        let ctx = PageCtx::new(&st, &actor, "账号管理", "users").await?;
        Ok(Html(
            ListPage {
                ctx,
                page,
                q: f.q.clone().unwrap_or_default(),
                role: f.role.clone().unwrap_or_default(),
                status: f.status.clone().unwrap_or_default(),
                roles: role_choices(),
                query,
                can_manage: actor.role.can(Permission::UserManage),
            }
            .render(),
        )
        .into_response())
    };
    respond(&st, &actor, run.await).await
}

/// `GET /users/export.xlsx`: the filtered account ledger.
pub async fn export(
    State(st): State<Base>,
    PageActor(actor): PageActor,
    Query(f): Query<Filter>,
) -> Response {
    let run = async {
        let page = super::list(&st.db, &actor.caller(), &f, None).await?;
        let rows: Vec<Vec<String>> = page
            .items
            .iter()
            .map(|u| {
                vec![
                    u.username.clone(),
                    u.display_name.clone(),
                    u.role_label.to_owned(),
                    u.org_name.clone(),
                    u.department_name.clone().unwrap_or_default(),
                    if u.status == "active" {
                        "启用".into()
                    } else {
                        "禁用".into()
                    },
                    u.last_login_text(),
                ]
            })
            .collect();
        let bytes = crate::web::xlsx::build(
            "账号",
            &[
                "用户名",
                "姓名",
                "角色",
                "所属节点",
                "所属部门",
                "状态",
                "最近登录",
            ],
            &rows,
        )?;
        Ok(crate::web::xlsx::download("账号台账.xlsx", bytes))
    };
    respond(&st, &actor, run.await).await
}

#[derive(Template)]
#[template(path = "users/new.html")]
struct NewPage {
    ctx: PageCtx,
    roles: Vec<Choice>,
    nodes: Vec<Choice>,
    departments: Vec<DepartmentView>,
    form: NewForm,
    error: Option<String>,
}

/// The new-account form (also its echo after an error).
#[derive(Deserialize, Default)]
pub struct NewForm {
    #[serde(default)]
    username: String,
    #[serde(default)]
    display_name: String,
    #[serde(default)]
    role: String,
    #[serde(default)]
    org_id: String,
    #[serde(default)]
    department_id: String,
    #[serde(default)]
    password: String,
    /// The checkbox: present when ticked.
    #[serde(default)]
    service: Option<String>,
}

/// Query of the new-account page (a node page links here with its node).
#[derive(Deserialize)]
pub struct NewQuery {
    org: Option<i64>,
}

async fn render_new(
    st: &Base,
    actor: &Actor,
    form: NewForm,
    error: Option<String>,
) -> AppResult<Response> {
    actor.require(Permission::UserManage)?;
    let nodes = node_choices(st, actor).await?;
    let departments = org::departments(&st.db, &actor.caller(), None)
        .await?
        .into_iter()
        .filter(|d| d.status == "active")
        .collect();
    let ctx = PageCtx::new(st, actor, "新建账号", "users").await?;
    let status = if error.is_some() {
        axum::http::StatusCode::BAD_REQUEST
    } else {
        axum::http::StatusCode::OK
    };
    Ok((
        status,
        Html(
            NewPage {
                ctx,
                roles: role_choices(),
                nodes,
                departments,
                form,
                error,
            }
            .render(),
        ),
    )
        .into_response())
}

/// `GET /users/new`
pub async fn new_form(
    State(st): State<Base>,
    PageActor(actor): PageActor,
    Query(q): Query<NewQuery>,
) -> Response {
    let form = NewForm {
        org_id: q.org.map(|i| i.to_string()).unwrap_or_default(),
        role: "grid_worker".into(),
        ..Default::default()
    };
    let r = render_new(&st, &actor, form, None).await;
    respond(&st, &actor, r).await
}

fn opt_id(s: &str) -> Option<i64> {
    s.trim().parse().ok()
}

/// `POST /users/new`
pub async fn create(
    State(st): State<Base>,
    PageActor(actor): PageActor,
    Form(f): Form<NewForm>,
) -> Response {
    let input = NewUser {
        username: f.username.clone(),
        display_name: f.display_name.clone(),
        role: f.role.clone(),
        org_id: opt_id(&f.org_id),
        department_id: opt_id(&f.department_id),
        password: f.password.clone(),
        service: f.service.is_some(),
    };
    match super::create(&st.db, &actor.caller(), input).await {
        Ok(u) if u.service => crate::web::flash_redirect(
            "/tokens",
            true,
            &format!("已创建服务账号 {}，请在此为它签发接口令牌", u.username),
        ),
        Ok(u) => crate::web::flash_redirect(
            &format!("/users/{}", u.id),
            true,
            &format!("已创建账号 {}，首次登录须修改密码", u.username),
        ),
        Err(
            e @ (AppError::BadInput { .. } | AppError::Conflict { .. } | AppError::Forbidden(_)),
        ) => {
            let form = NewForm {
                password: String::new(),
                ..f
            };
            let r = render_new(&st, &actor, form, Some(e.to_string())).await;
            respond(&st, &actor, r).await
        }
        Err(e) => page_err(&st, &actor, e).await,
    }
}

#[derive(Template)]
#[template(path = "users/detail.html")]
struct DetailPage {
    ctx: PageCtx,
    u: UserView,
    roles: Vec<Choice>,
    nodes: Vec<Choice>,
    departments: Vec<DepartmentView>,
    can_manage: bool,
    is_self: bool,
    created_text: String,
    /// Why the caller may not reset this password, if they may not.
    reset_refused: Option<String>,
}

/// `GET /users/{id}`
pub async fn detail(
    State(st): State<Base>,
    PageActor(actor): PageActor,
    Path(id): Path<i64>,
) -> Response {
    let run = async {
        let u = super::get(&st.db, &actor.caller(), id).await?;
        let can_manage = actor.role.can(Permission::UserManage);
        let (nodes, departments) = if can_manage {
            (
                node_choices(&st, &actor).await?,
                org::departments(&st.db, &actor.caller(), None).await?,
            )
        } else {
            (Vec::new(), Vec::new())
        };
        let ctx = PageCtx::new(&st, &actor, &format!("账号 {}", u.username), "users").await?;
        let reset_refused = super::may_reset(&actor.caller(), u.service, &u.role, &u.username)
            .err()
            .map(|e| e.to_string());
        Ok(Html(
            DetailPage {
                ctx,
                reset_refused,
                created_text: crate::infra::clock::fmt_time(u.created_at),
                is_self: u.id == actor.user_id,
                u,
                roles: role_choices(),
                nodes,
                departments,
                can_manage,
            }
            .render(),
        )
        .into_response())
    };
    respond(&st, &actor, run.await).await
}

/// The account edit form.
#[derive(Deserialize)]
pub struct EditForm {
    display_name: String,
    role: String,
    org_id: String,
    #[serde(default)]
    department_id: String,
    version: i32,
}

/// `POST /users/{id}`
pub async fn update(
    State(st): State<Base>,
    PageActor(actor): PageActor,
    Path(id): Path<i64>,
    Form(f): Form<EditForm>,
) -> Response {
    let e = EditUser {
        display_name: Some(f.display_name),
        role: Some(f.role),
        org_id: opt_id(&f.org_id),
        department_id: opt_id(&f.department_id),
        version: f.version,
    };
    done(
        super::update(&st.db, &actor.caller(), id, e).await,
        &format!("/users/{id}"),
        "已保存",
    )
}

/// The reset-password form.
#[derive(Deserialize)]
pub struct ResetForm {
    password: String,
}

/// `POST /users/{id}/password`
pub async fn reset_password(
    State(st): State<Base>,
    PageActor(actor): PageActor,
    Path(id): Path<i64>,
    Form(f): Form<ResetForm>,
) -> Response {
    done(
        super::reset_password(&st.db, &actor.caller(), id, &f.password).await,
        &format!("/users/{id}"),
        "密码已重置，该账号下次登录须修改密码",
    )
}

/// The enable/disable form.
#[derive(Deserialize)]
pub struct StatusForm {
    active: String,
}

/// `POST /users/{id}/status`
pub async fn set_status(
    State(st): State<Base>,
    PageActor(actor): PageActor,
    Path(id): Path<i64>,
    Form(f): Form<StatusForm>,
) -> Response {
    let active = f.active == "1";
    done(
        super::set_status(&st.db, &actor.caller(), id, active).await,
        &format!("/users/{id}"),
        if active {
            "账号已启用"
        } else {
            "账号已禁用，其登录会话已全部结束"
        },
    )
}

#[derive(Template)]
#[template(path = "users/node_panel.html")]
struct NodePanelPage {
    node: i64,
    users: Vec<UserView>,
    can_add: bool,
}

/// The accounts bound to a node, for the node's page (for those who may see accounts).
pub fn node_panel<'a>(
    st: &'a Base,
    c: &'a Caller,
    node: crate::web::NodeRef,
) -> futures_util::future::BoxFuture<'a, AppResult<Option<Panel>>> {
    Box::pin(async move {
        if c.role.is_some_and(|r| !r.can(Permission::UserView)) {
            return Ok(None);
        }
        let users = super::at_node(&st.db, c, node.id).await?;
        let holds = !users.is_empty();
        let can_add = !node.retired && c.role.is_none_or(|r| r.can(Permission::UserManage));
        let html = NodePanelPage {
            node: node.id,
            users,
            can_add,
        }
        .render()
        .map_err(|e| AppError::Internal(anyhow::anyhow!("template: {e}")))?;
        Ok(Some(Panel { html, holds }))
    })
}
