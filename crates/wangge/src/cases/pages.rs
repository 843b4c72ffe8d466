//! The case loop's pages for accounts: report, lists and export, the case
//! with its timeline and action forms, the to-do list, notifications, figures, and the
//! administrators' category and calendar pages.

use super::CasesState;
use super::api::{self, CaseDetail, StatsQuery};
use super::catalog::{self, CategoryInput, CategoryView, DayView};
use super::notify;
use super::service::{self, ActInput, CaseView, Filter, NewCase, Reporter, Stats};
use crate::infra::clock::fmt_time;
use crate::infra::error::{AppError, AppResult};
use crate::infra::files;
use crate::org::service::{self as org};
use crate::web::Query;
use crate::web::{Actor, PageActor};
use crate::web::{Choice, choice};
use crate::web::{Html, PageCtx, done, flash_redirect, query_string, respond};
use askama::Template;
use axum::Form;
use axum::extract::{Multipart, Path, State};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use std::collections::HashMap;
use wangge_core::Permission;
use wangge_core::flow::{Need, Offer, Required};

/// Fields and photos of a multipart form.
pub(super) struct FormData {
    fields: HashMap<String, String>,
    photos: Vec<axum::body::Bytes>,
}

impl FormData {
    pub(super) fn get(&self, k: &str) -> Option<String> {
        self.fields
            .get(k)
            .map(|s| s.trim().to_owned())
            .filter(|s| !s.is_empty())
    }
    pub(super) fn text(&self, k: &str) -> String {
        self.get(k).unwrap_or_default()
    }
    pub(super) fn num<T: std::str::FromStr>(&self, k: &str) -> AppResult<Option<T>> {
        match self.get(k) {
            None => Ok(None),
            Some(v) => v
                .parse()
                .map(Some)
                .map_err(|_| AppError::bad("bad_number", format!("“{v}”不是有效的数字"))),
        }
    }
    pub(super) fn yes_no(&self, k: &str) -> Option<bool> {
        match self.get(k).as_deref() {
            Some("yes" | "true" | "on" | "1") => Some(true),
            Some("no" | "false" | "0") => Some(false),
            _ => None,
        }
    }
}

pub(super) async fn read_form(mut mp: Multipart) -> AppResult<FormData> {
    let mut fields = HashMap::new();
    let mut photos = Vec::new();
    let bad = |e: axum::extract::multipart::MultipartError| {
        AppError::bad("bad_form", format!("表单读取失败（文件可能过大）：{e}"))
    };
    while let Some(f) = mp.next_field().await.map_err(bad)? {
        let name = f.name().unwrap_or_default().to_owned();
        if name == "photos" {
            let has_name = f.file_name().is_some_and(|n| !n.is_empty());
            let bytes = f.bytes().await.map_err(bad)?;
            if has_name && !bytes.is_empty() {
                if photos.len() >= files::MAX_PHOTOS {
                    return Err(AppError::bad(
                        "too_many_photos",
                        format!("每次最多上传 {} 张照片", files::MAX_PHOTOS),
                    ));
                }
                photos.push(bytes);
            }
        } else {
            let v = f.text().await.map_err(bad)?;
            fields.insert(name, v);
        }
    }
    Ok(FormData { fields, photos })
}

pub(super) async fn store_photos(
    st: &CasesState,
    uploader: Option<&Actor>,
    f: &FormData,
) -> AppResult<Vec<String>> {
    let mut ids = Vec::new();
    for p in &f.photos {
        ids.push(service::store_upload(st, uploader, p).await?.0);
    }
    Ok(ids)
}

pub(super) fn new_case_of(f: &FormData, photos: Vec<String>) -> AppResult<NewCase> {
    Ok(NewCase {
        title: f.text("title"),
        description: f.text("description"),
        category: f.get("category"),
        kind: f.get("kind"),
        source: f.get("source"),
        building_id: f.num("building_id")?,
        lat: f.num("lat")?,
        lng: f.num("lng")?,
        org_id: f.num("org_id")?,
        address: f.get("address"),
        reporter_name: f.get("reporter_name"),
        reporter_phone: f.get("reporter_phone"),
        private: f.yes_no("private").unwrap_or(false),
        photos,
    })
}

/// A category group with its leaves, for the selects.
pub struct Group {
    /// Group name.
    pub name: String,
    /// Leaves.
    pub items: Vec<Choice>,
}

async fn category_groups(st: &CasesState) -> AppResult<Vec<Group>> {
    let catalog = st.catalog.get(&st.db).await?;
    let mut out: Vec<Group> = Vec::new();
    for c in catalog.in_use() {
        let label = format!("{}（{}）", c.name, c.code);
        match out.last_mut() {
            Some(g) if g.name == c.group_name => g.items.push(choice(&c.code, label)),
            _ => out.push(Group {
                name: c.group_name.clone(),
                items: vec![choice(&c.code, label)],
            }),
        }
    }
    Ok(out)
}

// ---------------------------------------------------------------------------------------------
// Report

#[derive(Template)]
#[template(path = "cases/new.html")]
struct NewPage {
    ctx: PageCtx,
    groups: Vec<Group>,
    buildings: Vec<Choice>,
    areas: Vec<Choice>,
    sources: Vec<Choice>,
    kinds: Vec<Choice>,
    idem: String,
    staff: bool,
    error: Option<String>,
}

/// `GET /cases/new`
pub async fn new_form(State(st): State<CasesState>, PageActor(a): PageActor) -> Response {
    let r = render_new(&st, &a, None).await;
    respond(&st, &a, r).await
}

async fn render_new(st: &CasesState, a: &Actor, error: Option<String>) -> AppResult<Response> {
    let (buildings, mut areas) = service::scoped_places(st, a).await?;
    if !a.role.is_staff() {
        areas = super::public::public_places(st).await?;
    }
    let page = NewPage {
        ctx: PageCtx::new(st, a, "上报问题", "new").await?,
        groups: category_groups(st).await?,
        buildings,
        areas,
        sources: service::SOURCES.iter().map(|s| choice(s.0, s.1)).collect(),
        kinds: super::kinds::choices(&st.site)
            .into_iter()
            .map(|s| choice(s.0, s.1))
            .collect(),
        idem: crate::infra::tokens::random_token().map_err(AppError::Internal)?,
        staff: a.role.is_staff(),
        error,
    };
    let status = if page.error.is_some() {
        axum::http::StatusCode::BAD_REQUEST
    } else {
        axum::http::StatusCode::OK
    };
    Ok((status, Html(page.render())).into_response())
}

/// `POST /cases/new` (multipart, with photos)
pub async fn create(
    State(st): State<CasesState>,
    PageActor(a): PageActor,
    mp: Multipart,
) -> Response {
    let r = async {
        let f = read_form(mp).await?;
        let photos = store_photos(&st, Some(&a), &f).await?;
        let input = new_case_of(&f, photos)?;
        service::report(&st, Reporter::Account(&a), input, f.get("idem").as_deref()).await
    }
    .await;
    match r {
        Ok(c) => {
            let msg = match &c.notice {
                Some(n) => format!("已上报，编号 {}。{n}", c.case.case_no),
                None => format!("已上报，编号 {}", c.case.case_no),
            };
            flash_redirect(&format!("/cases/{}", c.case.id), true, &msg)
        }
        Err(e @ AppError::BadInput { .. }) => {
            let r = render_new(&st, &a, Some(e.to_string())).await;
            respond(&st, &a, r).await
        }
        Err(e) => crate::web::page_err(&st, &a, e).await,
    }
}

// ---------------------------------------------------------------------------------------------
// Lists

#[derive(Template)]
#[template(path = "cases/list.html")]
struct ListPage {
    ctx: PageCtx,
    page: service::Page,
    f: Filter,
    query: String,
    statuses: Vec<Choice>,
    groups: Vec<Choice>,
    sources: Vec<Choice>,
    areas: Vec<Choice>,
    org_value: String,
    pages: u64,
}

fn filter_query(f: &Filter) -> String {
    let s = |o: &Option<String>| o.clone().unwrap_or_default();
    query_string(&[
        ("status", s(&f.status)),
        ("kind", s(&f.kind)),
        ("category", s(&f.category)),
        ("source", s(&f.source)),
        ("org", f.org.map(|x| x.to_string()).unwrap_or_default()),
        ("from", s(&f.from)),
        ("to", s(&f.to)),
        (
            "overdue",
            if f.overdue == Some(true) {
                "true".into()
            } else {
                String::new()
            },
        ),
        ("q", s(&f.q)),
    ])
}

/// Filters as a form sends them (empty fields allowed).
#[derive(Deserialize, Default)]
pub struct FilterForm {
    status: Option<String>,
    kind: Option<String>,
    category: Option<String>,
    source: Option<String>,
    org: Option<String>,
    from: Option<String>,
    to: Option<String>,
    overdue: Option<String>,
    q: Option<String>,
    page: Option<u64>,
}

impl FilterForm {
    fn filter(self) -> Filter {
        let keep = |o: Option<String>| o.filter(|s| !s.trim().is_empty());
        Filter {
            status: keep(self.status),
            kind: keep(self.kind),
            category: keep(self.category),
            source: keep(self.source),
            org: self.org.and_then(|o| o.trim().parse().ok()),
            from: keep(self.from),
            to: keep(self.to),
            overdue: self.overdue.map(|o| o == "true" || o == "on"),
            q: keep(self.q),
            page: self.page,
            ..Default::default()
        }
    }
}

/// `GET /cases`
pub async fn list(
    State(st): State<CasesState>,
    PageActor(a): PageActor,
    Query(ff): Query<FilterForm>,
) -> Response {
    let r = async {
        let f = ff.filter();
        let page = service::list(&st, &a, &f).await?;
        let catalog = st.catalog.get(&st.db).await?;
        let mut groups: Vec<Choice> = Vec::new();
        for c in catalog.in_use() {
            if groups.last().is_none_or(|g| g.value != c.group_code) {
                groups.push(choice(&c.group_code, &c.group_name));
            }
        }
        let areas = if a.role.is_staff() {
            service::scoped_places(&st, &a).await?.1
        } else {
            Vec::new()
        };
        let pages = page.total.div_ceil(page.per_page).max(1);
        Ok::<_, AppError>(
            Html(
                ListPage {
                    ctx: PageCtx::new(&st, &a, "案件台账", "cases").await?,
                    query: filter_query(&f),
                    statuses: wangge_core::case::Status::ALL
                        .iter()
                        .map(|s| choice(s.as_str(), s.label()))
                        .collect(),
                    groups,
                    sources: service::SOURCES.iter().map(|s| choice(s.0, s.1)).collect(),
                    areas,
                    org_value: f.org.map(|o| o.to_string()).unwrap_or_default(),
                    pages,
                    page,
                    f,
                }
                .render(),
            )
            .into_response(),
        )
    }
    .await;
    respond(&st, &a, r).await
}

/// `GET /cases/export.xlsx`
pub async fn export(
    State(st): State<CasesState>,
    PageActor(a): PageActor,
    Query(ff): Query<FilterForm>,
) -> Response {
    let r = async {
        let rows = service::export_rows(&st, &a, &ff.filter()).await?;
        let data: Vec<Vec<String>> = rows
            .iter()
            .map(|c| {
                vec![
                    c.case_no.clone(),
                    c.title.clone(),
                    c.category_name.clone(),
                    service::source_label(&c.source).to_owned(),
                    c.status_label.clone(),
                    c.address.clone(),
                    c.assignee_name.clone(),
                    c.reporter_name.clone(),
                    c.reporter_phone.clone(),
                    fmt_time(c.created_at),
                    c.handle_due.map(fmt_time).unwrap_or_default(),
                    c.closed_at.map(fmt_time).unwrap_or_default(),
                    c.satisfaction
                        .as_deref()
                        .map(service::satisfaction_label)
                        .unwrap_or_default()
                        .to_owned(),
                ]
            })
            .collect();
        let bytes = crate::web::xlsx::build(
            "案件台账",
            &[
                "编号",
                "标题",
                "分类",
                "来源",
                "状态",
                "地址",
                "承办单位",
                "报告人",
                "联系电话",
                "上报时间",
                "办理时限",
                "结案时间",
                "评价",
            ],
            &data,
        )?;
        Ok::<_, AppError>(crate::web::xlsx::download("案件台账.xlsx", bytes))
    }
    .await;
    respond(&st, &a, r).await
}

#[derive(Template)]
#[template(path = "cases/todo.html")]
struct TodoPage {
    ctx: PageCtx,
    items: Vec<CaseView>,
    red: usize,
    yellow: usize,
}

/// `GET /todo`
pub async fn todo(State(st): State<CasesState>, PageActor(a): PageActor) -> Response {
    let r = async {
        let items = service::todo(&st, &a).await?;
        let count = |l| items.iter().filter(|c| c.light == Some(l)).count();
        Ok::<_, AppError>(
            Html(
                TodoPage {
                    ctx: PageCtx::new(&st, &a, "我的待办", "todo").await?,
                    red: count(wangge_core::rates::Light::Red),
                    yellow: count(wangge_core::rates::Light::Yellow),
                    items,
                }
                .render(),
            )
            .into_response(),
        )
    }
    .await;
    respond(&st, &a, r).await
}

// ---------------------------------------------------------------------------------------------
// The case

#[derive(Template)]
#[template(path = "cases/detail.html")]
struct DetailPage {
    ctx: PageCtx,
    d: CaseDetail,
    /// The expected next steps, the first one open, then the exceptions (folded, quiet),
    /// each with the form its flow asks for.
    main_offers: Vec<Offer>,
    other_offers: Vec<Offer>,
    /// The rating form asks "you" when the reporter rates, "the reporter" on a return visit.
    rater_is_reporter: bool,
    /// Whether 不满意 would send the case back for rework (the flow's rule, once).
    dissatisfaction_reopens: bool,
    you: &'static str,
    targets: Vec<Choice>,
    suggested: String,
    place: String,
    dispatch_name: String,
}

/// `GET /cases/{id}`
pub async fn detail(
    State(st): State<CasesState>,
    PageActor(a): PageActor,
    Path(id): Path<i64>,
) -> Response {
    let r = async {
        let d = api::detail(&st, &a, id).await?;
        let targets = if d.actions.contains(&"dispatch") {
            dispatch_targets(&st, &a).await?
        } else {
            Vec::new()
        };
        let suggested = match &d.case.suggestion["target"] {
            serde_json::Value::Object(o) => match (o.get("org_id"), o.get("department_id")) {
                (Some(v), _) => format!("n{v}"),
                (_, Some(v)) => format!("d{v}"),
                _ => String::new(),
            },
            _ => String::new(),
        };
        let place = org::node_name(&st.db, d.case.org_id).await?;
        let dispatch_name = org::node_name(&st.db, d.case.dispatch_org_id).await?;
        let (main_offers, other_offers): (Vec<Offer>, Vec<Offer>) =
            d.offers.iter().partition(|o| o.main);
        let rater_is_reporter = d.reported_by_you;
        let dissatisfaction_reopens = d.dissatisfaction_reopens;
        Ok::<_, AppError>(
            Html(
                DetailPage {
                    ctx: PageCtx::new(&st, &a, &format!("案件 {}", d.case.case_no), "cases")
                        .await?,
                    main_offers,
                    other_offers,
                    rater_is_reporter,
                    dissatisfaction_reopens,
                    you: if rater_is_reporter {
                        "您"
                    } else {
                        "报告人"
                    },
                    d,
                    targets,
                    suggested,
                    place,
                    dispatch_name,
                }
                .render(),
            )
            .into_response(),
        )
    }
    .await;
    respond(&st, &a, r).await
}

/// Where the caller may dispatch: grids, communities, streets and departments in scope.
async fn dispatch_targets(st: &CasesState, a: &Actor) -> AppResult<Vec<Choice>> {
    let (_, areas) = service::scoped_places(st, a).await?;
    let mut out: Vec<Choice> = areas
        .into_iter()
        .map(|c| choice(format!("n{}", c.value), c.label))
        .collect();
    for d in org::departments(&st.db, &a.caller(), None).await? {
        if d.status == "active" {
            out.push(choice(
                format!("d{}", d.id),
                format!("{}（{}）", d.name, d.kind),
            ));
        }
    }
    Ok(out)
}

/// `POST /cases/{id}/act` (multipart: feedback may carry photos)
pub async fn act(
    State(st): State<CasesState>,
    PageActor(a): PageActor,
    Path(id): Path<i64>,
    mp: Multipart,
) -> Response {
    let to = format!("/cases/{id}");
    let r = async {
        let f = read_form(mp).await?;
        let photos = store_photos(&st, Some(&a), &f).await?;
        let target = f.text("target");
        let (org_id, department_id) = match target.split_at_checked(1) {
            Some(("n", v)) => (v.parse().ok(), None),
            Some(("d", v)) => (None, v.parse().ok()),
            _ => (None, None),
        };
        let input = ActInput {
            action: f.text("action"),
            version: f.num("version")?,
            text: f.text("text"),
            org_id,
            department_id,
            passed: f.yes_no("passed"),
            contacted: f.yes_no("contacted"),
            solved: f.yes_no("solved"),
            satisfaction: f.get("satisfaction"),
            days: f.num("days")?,
            into: f.get("into"),
            photos,
        };
        let m = service::act(&st, &a, id, input).await?;
        let flow = super::kinds::flow_for_case(&st.site, &m.kind, m.id)?;
        Ok::<_, AppError>(service::action_label(flow, &f.text("action")))
    }
    .await;
    match r {
        Ok(label) if service::find(&st.db, &a, id).await.is_ok() => {
            flash_redirect(&to, true, &format!("已{label}"))
        }
        Ok(label) => flash_redirect("/todo", true, &format!("已{label}")),
        Err(AppError::NotFound(m)) => crate::web::page_err(&st, &a, AppError::NotFound(m)).await,
        Err(e) => done::<()>(Err(e), &to, ""),
    }
}

/// `GET /files/{id}` for pages (same rule as the API).
pub async fn file(st: State<CasesState>, PageActor(a): PageActor, id: Path<String>) -> Response {
    match api::file(st, a, id).await {
        Ok(r) => r,
        Err(e) => e.into_response(),
    }
}

// ---------------------------------------------------------------------------------------------
// Notifications

#[derive(Template)]
#[template(path = "cases/notifications.html")]
struct NotesPage {
    ctx: PageCtx,
    items: Vec<notify::Note>,
}

/// `GET /notifications`
pub async fn notifications(State(st): State<CasesState>, PageActor(a): PageActor) -> Response {
    let r = async {
        let (items, _) = notify::list(&st.db, a.user_id, 100).await?;
        Ok::<_, AppError>(
            Html(
                NotesPage {
                    ctx: PageCtx::new(&st, &a, "消息通知", "notifications").await?,
                    items,
                }
                .render(),
            )
            .into_response(),
        )
    }
    .await;
    respond(&st, &a, r).await
}

/// `POST /notifications/read`
pub async fn mark_read(State(st): State<CasesState>, PageActor(a): PageActor) -> Response {
    done(
        notify::mark_read(&st.db, a.user_id, None).await,
        "/notifications",
        "已全部标为已读",
    )
}

// ---------------------------------------------------------------------------------------------
// Figures

#[derive(Template)]
#[template(path = "cases/stats.html")]
struct StatsPage {
    ctx: PageCtx,
    s: Stats,
    areas: Vec<Choice>,
    org: String,
    weights_discount: f64,
}

/// `GET /stats`
pub async fn stats(
    State(st): State<CasesState>,
    PageActor(a): PageActor,
    Query(q): Query<StatsQuery>,
) -> Response {
    let r = async {
        let s = api::stats_for(&st, &a, &q).await?;
        let (org, _, _) = q.parts();
        Ok::<_, AppError>(
            Html(
                StatsPage {
                    ctx: PageCtx::new(&st, &a, "办理统计", "stats").await?,
                    areas: service::scoped_places(&st, &a).await?.1,
                    org: org.map(|o| o.to_string()).unwrap_or_default(),
                    weights_discount: st.config.rates.basic_discount,
                    s,
                }
                .render(),
            )
            .into_response(),
        )
    }
    .await;
    respond(&st, &a, r).await
}

/// A rate as shown.
pub fn pct(r: &Option<f64>) -> String {
    wangge_core::rates::percent(*r)
}

// ---------------------------------------------------------------------------------------------
// Administration: categories and calendar

#[derive(Template)]
#[template(path = "cases/categories.html")]
struct CategoriesPage {
    ctx: PageCtx,
    /// Only the district's administrators change what every street shares.
    editable: bool,
    rows: Vec<CategoryView>,
    levels: Vec<Choice>,
    groups: Vec<Choice>,
}

/// `GET /admin/categories`
pub async fn categories(State(st): State<CasesState>, PageActor(a): PageActor) -> Response {
    let r = async {
        a.require(Permission::OrgManage)?;
        let rows = catalog::categories(&st.db).await?;
        let mut groups: Vec<Choice> = Vec::new();
        for c in &rows {
            if groups.last().is_none_or(|g| g.value != c.group_code) {
                groups.push(choice(&c.group_code, &c.group_name));
            }
        }
        Ok::<_, AppError>(
            Html(
                CategoriesPage {
                    ctx: PageCtx::new(&st, &a, "事项分类", "categories").await?,
                    editable: a.caller().require_district_admin().is_ok(),
                    rows,
                    levels: wangge_core::category::HandlerLevel::ALL
                        .iter()
                        .map(|h| choice(h.as_str(), h.label()))
                        .collect(),
                    groups,
                }
                .render(),
            )
            .into_response(),
        )
    }
    .await;
    respond(&st, &a, r).await
}

/// The category form.
#[derive(Deserialize)]
pub struct CategoryForm {
    #[serde(default)]
    code: String,
    name: String,
    #[serde(default)]
    group_code: String,
    #[serde(default)]
    group_name: String,
    handler: String,
    #[serde(default)]
    department_kind: String,
    response: String,
    handling: String,
    #[serde(default)]
    keywords: String,
    #[serde(default)]
    active: Option<String>,
    #[serde(default)]
    version: Option<i32>,
}

impl CategoryForm {
    fn input(self) -> CategoryInput {
        CategoryInput {
            code: self.code,
            name: self.name,
            group_code: self.group_code,
            group_name: self.group_name,
            handler: self.handler,
            department_kind: Some(self.department_kind),
            response: self.response,
            handling: self.handling,
            keywords: self.keywords,
            active: self.active.is_some(),
            version: self.version,
        }
    }
}

/// `POST /admin/categories/{code}`
pub async fn update_category(
    State(st): State<CasesState>,
    PageActor(a): PageActor,
    Path(code): Path<String>,
    Form(f): Form<CategoryForm>,
) -> Response {
    let r = catalog::update_category(&st.db, &a.caller(), &code, f.input()).await;
    st.catalog.invalidate();
    done(r, "/admin/categories", &format!("已保存分类 {code}"))
}

/// `POST /admin/categories`
pub async fn create_category(
    State(st): State<CasesState>,
    PageActor(a): PageActor,
    Form(mut f): Form<CategoryForm>,
) -> Response {
    f.active = Some("on".into());
    let r = catalog::create_category(&st.db, &a.caller(), f.input()).await;
    st.catalog.invalidate();
    done(r, "/admin/categories", "已新增分类")
}

#[derive(Template)]
#[template(path = "cases/calendar.html")]
struct CalendarPage {
    ctx: PageCtx,
    /// Only the district's administrators change what every street shares.
    editable: bool,
    year: i32,
    years: Vec<i32>,
    covered: bool,
    days: Vec<DayView>,
}

/// `GET /admin/calendar?year=`
pub async fn calendar(
    State(st): State<CasesState>,
    PageActor(a): PageActor,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    let r = async {
        use chrono::Datelike;
        a.require(Permission::OrgManage)?;
        let year = q
            .get("year")
            .and_then(|y| y.parse().ok())
            .unwrap_or_else(|| crate::infra::clock::bj(crate::infra::clock::now_ms()).year());
        let years = catalog::years(&st.db).await?;
        Ok::<_, AppError>(
            Html(
                CalendarPage {
                    ctx: PageCtx::new(&st, &a, "工作日历", "calendar").await?,
                    editable: a.caller().require_district_admin().is_ok(),
                    covered: st.catalog.get(&st.db).await?.calendar.covers(year),
                    days: catalog::days(&st.db, year).await?,
                    year,
                    years,
                }
                .render(),
            )
            .into_response(),
        )
    }
    .await;
    respond(&st, &a, r).await
}

/// The calendar form.
#[derive(Deserialize)]
pub struct DayForm {
    date: String,
    kind: String,
    #[serde(default)]
    name: String,
}

/// `POST /admin/calendar`
pub async fn set_day(
    State(st): State<CasesState>,
    PageActor(a): PageActor,
    Form(f): Form<DayForm>,
) -> Response {
    let year = f.date.get(0..4).unwrap_or("").to_owned();
    let r = catalog::set_day(&st.db, &a.caller(), &f.date, &f.kind, &f.name).await;
    st.catalog.invalidate();
    done(
        r,
        &format!("/admin/calendar?year={year}"),
        &format!("已更新 {}", f.date),
    )
}

/// A `&&str` as `&str` (for templates' `match`).
pub fn plain<'a>(s: &&'a str) -> &'a str {
    s
}

/// A satisfaction's label (for templates).
pub fn sat(s: &Option<String>) -> &'static str {
    s.as_deref().map_or("", service::satisfaction_label)
}

/// Whether a value is `Some(true)` (for templates).
pub fn yes(b: &Option<bool>) -> &'static str {
    match b {
        Some(true) => "是",
        Some(false) => "否",
        None => "—",
    }
}
