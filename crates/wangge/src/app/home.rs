//! The 工作台: each role's home page. It shows what waits on the caller first (their to-do by
//! light, what to screen, verify or rate), their place's figures for the month, the actions
//! they take most; an administrator sees the system's state (the working calendar's coverage,
//! imports, failed logins). It reads the slices and is used by none of them.

use crate::cases::CasesState;
use crate::cases::service::{self as cases, CaseView, Stats};
use crate::infra::error::{AppError, AppResult};
use crate::web::Base;
use crate::web::{Actor, PageActor};
use crate::web::{Html, PageCtx, respond};
use askama::Template;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use wangge_core::Permission;
use wangge_core::rates::Light;

/// What waits on the caller, counted from their to-do list.
#[derive(Default)]
pub struct Work {
    /// Past their deadline.
    pub red: usize,
    /// Close to it.
    pub yellow: usize,
    /// Everything on the list.
    pub total: usize,
    /// New reports to screen or dispatch (待受理, 待派遣).
    pub to_screen: usize,
    /// Dispatched to the caller, to take (待签收).
    pub to_take: usize,
    /// In hand, to handle and feed back (处置中).
    pub in_hand: usize,
    /// Fed back, to check on site (待核查).
    pub to_verify: usize,
    /// Verified, to rate (the caller's own reports) or to call back (待评价).
    pub to_rate: usize,
    /// Extension requests to decide.
    pub extensions: usize,
    /// The first few, most urgent first.
    pub top: Vec<CaseView>,
}

impl Work {
    /// Counts a to-do list (already sorted most urgent first).
    pub fn of(items: Vec<CaseView>) -> Work {
        let mut w = Work {
            total: items.len(),
            ..Work::default()
        };
        for c in &items {
            match c.light {
                Some(Light::Red) => w.red += 1,
                Some(Light::Yellow) => w.yellow += 1,
                _ => {}
            }
            if c.extension_pending {
                w.extensions += 1;
            }
            match c.status.as_str() {
                "reported" | "accepted" => w.to_screen += 1,
                "dispatched" => w.to_take += 1,
                "handling" if !c.extension_pending => w.in_hand += 1,
                "fed_back" => w.to_verify += 1,
                "verified" => w.to_rate += 1,
                _ => {}
            }
        }
        w.top = items.into_iter().take(6).collect();
        w
    }
}

/// One button of the page's most used actions.
pub struct Quick {
    /// Link.
    pub href: String,
    /// Chinese label.
    pub label: &'static str,
    /// Drawn as the main button.
    pub primary: bool,
}

/// What an administrator is told about the system.
pub struct AdminState {
    /// Nodes and departments in scope.
    pub summary: crate::org::service::Summary,
    /// Accounts in scope (when the role may see them).
    pub users: Option<u64>,
    /// This year, and whether its holiday schedule is entered.
    pub year: i32,
    /// Whether this year's schedule is loaded.
    pub year_covered: bool,
    /// Next year, when its schedule is due (from 1 November) and not entered.
    pub next_year_missing: Option<i32>,
    /// Whether this administrator may enter it (the district's).
    pub may_edit_calendar: bool,
    /// Failed logins in the last 24 hours (accounts in scope; unknown names too at the root).
    pub failed_logins: u64,
    /// The latest ledger and tree imports.
    pub imports: Vec<crate::audit::Item>,
    /// The latest writes.
    pub recent: Vec<crate::audit::Item>,
}

#[derive(Template)]
#[template(path = "home.html")]
struct HomePage {
    ctx: PageCtx,
    is_staff: bool,
    work: Work,
    figures: Option<Stats>,
    mine: Vec<CaseView>,
    quick: Vec<Quick>,
    admin: Option<AdminState>,
}

fn quick(href: impl Into<String>, label: &'static str, primary: bool) -> Quick {
    Quick {
        href: href.into(),
        label,
        primary,
    }
}

/// The actions a role takes most, the most common first.
fn quick_actions(a: &Actor) -> Vec<Quick> {
    let mut q = vec![quick("/cases/new", "上报问题", true)];
    if a.role.can(Permission::VisitLog) {
        q.push(quick(
            format!("/people/buildings?org={}", a.org_id),
            "入户走访",
            false,
        ));
    }
    q.push(quick("/todo", "我的待办", false));
    q.push(quick("/cases", "案件台账", false));
    if a.role.is_staff() && a.role != wangge_core::Role::Admin {
        q.push(quick("/stats", "办理统计", false));
    }
    if a.role.can(Permission::PeopleView) {
        q.push(quick("/people", "人口台账", false));
    }
    if a.role.can(Permission::UserManage) {
        q.push(quick("/users/new", "新建账号", false));
        q.push(quick("/org/import", "导入组织树", false));
    }
    q
}

async fn admin_state(st: &CasesState, a: &Actor) -> AppResult<AdminState> {
    use chrono::Datelike;
    let summary = crate::org::service::summary(&st.db, a).await?;
    let catalog = st.catalog.get(&st.db).await?;
    let today = crate::infra::clock::today();
    let imports = crate::audit::list(
        &st.db,
        &st.site,
        &a.scope,
        &crate::audit::Filter {
            action: Some("import".into()),
            ..Default::default()
        },
    )
    .await?
    .items
    .into_iter()
    .take(5)
    .collect();
    let mut recent = crate::audit::list(&st.db, &st.site, &a.scope, &Default::default())
        .await?
        .items;
    recent.truncate(8);
    let users = if a.role.can(Permission::UserView) {
        Some(crate::users::count(&st.db, &a.caller()).await?)
    } else {
        None
    };
    Ok(AdminState {
        summary,
        users,
        year: today.year(),
        year_covered: catalog.calendar.covers(today.year()),
        next_year_missing: catalog.calendar.next_year_missing(today),
        may_edit_calendar: a.caller().require_district_admin().is_ok(),
        failed_logins: crate::auth::failed_logins_since(
            &st.db,
            &a.scope,
            crate::infra::clock::now_ms() - 24 * 3600 * 1000,
        )
        .await?,
        imports,
        recent,
    })
}

/// `GET /`
pub async fn page(State(base): State<Base>, PageActor(a): PageActor) -> Response {
    let st = CasesState::of(&base);
    let run = async {
        let is_staff = a.role.is_staff();
        let work = Work::of(cases::todo(&st, &a).await?);
        // An administrator keeps the tree and the accounts; the figures are the handlers'.
        let figures = if is_staff && a.role != wangge_core::Role::Admin {
            Some(cases::stats(&st, &a, None, None, None).await?)
        } else {
            None
        };
        let mine = if a.role.is_staff() {
            Vec::new()
        } else {
            cases::my_open_reports(&st, &a, 6).await?
        };
        let admin = if a.role.can(Permission::AuditView) {
            Some(admin_state(&st, &a).await?)
        } else {
            None
        };
        let ctx = PageCtx::new(&st, &a, "工作台", "home").await?;
        Ok::<_, AppError>(Html(
            HomePage {
                ctx,
                is_staff,
                work,
                figures,
                mine,
                quick: quick_actions(&a),
                admin,
            }
            .render(),
        ))
    };
    respond(&st, &a, run.await.map(IntoResponse::into_response)).await
}
