//! The case loop's JSON API under `/api/v1`. Thin: parse, call the service, answer.

use super::CasesState;
use super::catalog::{self, CategoryInput, CategoryView, DayView};
use super::service::{self, ActInput, CaseView, EventView, Filter, NewCase, Page, Reporter, Stats};
use super::{notify, press, suggest};
use crate::infra::error::{AppError, AppResult};
use crate::infra::files;
use crate::web::Actor;
use crate::web::Query;
use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use serde_json::json;

/// A case with its timeline and what the caller may do next.
#[derive(Serialize)]
pub struct CaseDetail {
    /// The case.
    #[serde(flatten)]
    pub case: CaseView,
    /// Every step, oldest first.
    pub timeline: Vec<EventView>,
    /// The actions the caller may take now (their identifiers).
    pub actions: Vec<&'static str>,
    /// The same, each with its name, whether it moves the case on, and what its form asks
    /// for (texts with their limits, verdicts, the rating, days, a target, a case number,
    /// photos): drawn from the case's flow, so a client needs no rule of its own.
    pub offers: Vec<wangge_core::flow::Offer>,
    /// Whether a 不满意 rating would send the case back for rework now (the flow's rule).
    pub dissatisfaction_reopens: bool,
    /// Whether the caller reported the case (then the caller rates it and may withdraw it).
    pub reported_by_you: bool,
    /// Photos of the report and of every step (file ids; `GET /files/{id}`).
    pub photos: Vec<String>,
}

/// Loads the detail the caller may see (full phone only for those who act on it).
pub async fn detail(st: &CasesState, a: &Actor, id: i64) -> AppResult<CaseDetail> {
    let m = service::find(&st.db, a, id).await?;
    let who = service::standing(a, &m)?;
    let catalog = st.catalog.get(&st.db).await?;
    let full = service::shows_full_phone(who);
    let flow = super::kinds::flow_for_case(&st.site, &m.kind, m.id)?;
    let timeline = service::timeline(&st.db, flow, m.id).await?;
    let photos = timeline.iter().flat_map(|e| e.photos.clone()).collect();
    let offers = service::offers(&st.site, &m, who)?;
    Ok(CaseDetail {
        case: service::view(&st.site, &catalog, &st.vault, &m, full),
        timeline,
        actions: offers.iter().map(|o| o.action).collect(),
        offers,
        dissatisfaction_reopens: service::dissatisfaction_reopens(flow, &m),
        reported_by_you: who.reporter,
        photos,
    })
}

/// What `POST /api/v1/cases` answers.
#[derive(Serialize)]
struct CreatedView {
    #[serde(flatten)]
    case: CaseView,
    /// A note for the reporter (the location is outside every grid …).
    notice: Option<String>,
    /// For public reports: the private follow-up link.
    track_url: Option<String>,
}

/// `POST /api/v1/cases` — an `Idempotency-Key` header makes retries safe.
#[utoipa::path(
    post,
    operation_id = "cases_create",
    path = "/cases",
    tag = "诉求事件",
    summary = "上报事件（幂等键 Idempotency-Key 可选）",
    request_body(content = Object, content_type = "application/json", description = "{title, description, category?（须属于该类型）, kind?（appeal 诉求 / incident 事件 / errand 红色代办）, source?, building_id | lat+lng | org_id, address?, reporter_name?, reporter_phone?, private?, photos?}"),
    responses(
        (status = 201, description = "已受理"),
        crate::web::Refused,
    ),
)]
pub async fn api_create(
    State(st): State<CasesState>,
    actor: Actor,
    headers: HeaderMap,
    b: Bytes,
) -> AppResult<Response> {
    let input: NewCase = crate::web::json_body(&b)?;
    let idem = headers
        .get("idempotency-key")
        .map(|v| {
            v.to_str().map(str::to_owned).map_err(|_| {
                AppError::bad(
                    "bad_idempotency_key",
                    "Idempotency-Key 只能由 ASCII 可见字符组成（字母、数字、- 和 _ 等）",
                )
            })
        })
        .transpose()?;
    let c = service::report(&st, Reporter::Account(&actor), input, idem.as_deref()).await?;
    let catalog = st.catalog.get(&st.db).await?;
    let body = CreatedView {
        case: service::view(&st.site, &catalog, &st.vault, &c.case, true),
        notice: c.notice,
        track_url: c
            .track_token
            .map(|t| format!("/track/{}?t={t}", c.case.case_no)),
    };
    let status = if c.replayed {
        StatusCode::OK
    } else {
        StatusCode::CREATED
    };
    let mut resp = (status, Json(body)).into_response();
    if c.replayed {
        resp.headers_mut()
            .insert("idempotent-replayed", HeaderValue::from_static("true"));
    }
    Ok(resp)
}

/// `GET /api/v1/cases`
#[utoipa::path(
    get,
    operation_id = "cases_list",
    path = "/cases",
    tag = "诉求事件",
    summary = "管辖范围内的事件列表",
    params(
        ("status" = Option<String>, Query, description = "状态"),
        ("kind" = Option<String>, Query, description = "类型"),
        ("category" = Option<String>, Query, description = "分类编码或大类"),
        ("source" = Option<String>, Query, description = "来源"),
        ("org" = Option<i64>, Query, description = "节点（含子树）"),
        ("from" = Option<String>, Query, description = "起始日期"),
        ("to" = Option<String>, Query, description = "截止日期"),
        ("q" = Option<String>, Query, description = "文字"),
        ("page" = Option<u64>, Query, description = "页码"),
    ),
    responses(
        (status = 200, description = "成功"),
        crate::web::Refused,
    ),
)]
pub async fn api_list(
    State(st): State<CasesState>,
    actor: Actor,
    Query(f): Query<Filter>,
) -> AppResult<Json<Page>> {
    Ok(Json(service::list(&st, &actor, &f).await?))
}

/// `GET /api/v1/cases/{id}`
#[utoipa::path(
    get,
    operation_id = "cases_get",
    path = "/cases/{id}",
    tag = "诉求事件",
    summary = "事件详情：时间线、照片、调用者此刻可做的操作及各操作表单所需（offers）",
    params(
        ("id" = i64, Path, description = "编号"),
    ),
    responses(
        (status = 200, description = "成功"),
        crate::web::Refused,
    ),
)]
pub async fn api_get(
    State(st): State<CasesState>,
    actor: Actor,
    Path(id): Path<i64>,
) -> AppResult<Json<CaseDetail>> {
    Ok(Json(detail(&st, &actor, id).await?))
}

/// `POST /api/v1/cases/{id}/actions`
#[utoipa::path(
    post,
    operation_id = "cases_act",
    path = "/cases/{id}/actions",
    tag = "诉求事件",
    summary = "对事件执行一项操作（带版本号）",
    params(
        ("id" = i64, Path, description = "编号"),
    ),
    request_body(content = Object, content_type = "application/json", description = "{action, version, …该操作表单所需字段（见详情的 offers）}"),
    responses(
        (status = 200, description = "成功"),
        crate::web::RefusedWrite,
    ),
)]
pub async fn api_act(
    State(st): State<CasesState>,
    actor: Actor,
    Path(id): Path<i64>,
    b: Bytes,
) -> AppResult<Json<CaseDetail>> {
    let input: ActInput = crate::web::json_body(&b)?;
    let m = service::act(&st, &actor, id, input).await?;
    match detail(&st, &actor, id).await {
        Err(AppError::NotFound(_)) => {
            let catalog = st.catalog.get(&st.db).await?;
            Ok(Json(CaseDetail {
                case: service::view(&st.site, &catalog, &st.vault, &m, false),
                timeline: Vec::new(),
                actions: Vec::new(),
                offers: Vec::new(),
                dissatisfaction_reopens: false,
                reported_by_you: m.reporter_id == Some(actor.user_id),
                photos: Vec::new(),
            }))
        }
        r => r.map(Json),
    }
}

/// `GET /api/v1/todo`
#[utoipa::path(
    get,
    operation_id = "cases_todo",
    path = "/todo",
    tag = "诉求事件",
    summary = "待我办理的事件（红黄灯优先）",
    responses(
        (status = 200, description = "成功"),
        crate::web::Refused,
    ),
)]
pub async fn api_todo(
    State(st): State<CasesState>,
    actor: Actor,
) -> AppResult<Json<Vec<CaseView>>> {
    Ok(Json(service::todo(&st, &actor).await?))
}

/// `GET /api/v1/categories`
#[utoipa::path(
    get,
    operation_id = "cases_categories",
    path = "/categories",
    tag = "诉求事件",
    summary = "事件分类树",
    responses(
        (status = 200, description = "成功"),
        crate::web::Refused,
    ),
)]
pub async fn api_categories(
    State(st): State<CasesState>,
    _actor: Actor,
) -> AppResult<Json<Vec<CategoryView>>> {
    Ok(Json(catalog::categories(&st.db).await?))
}

/// `POST /api/v1/categories`
#[utoipa::path(
    post,
    operation_id = "cases_create_category",
    path = "/categories",
    tag = "诉求事件",
    summary = "新建分类（区管理员）",
    request_body(content = Object, content_type = "application/json", description = "{code, name, parent?, handler_level, response_hours, handle_days, …}"),
    responses(
        (status = 201, description = "已创建"),
        crate::web::Refused,
    ),
)]
pub async fn api_create_category(
    State(st): State<CasesState>,
    actor: Actor,
    b: Bytes,
) -> AppResult<(StatusCode, Json<CategoryView>)> {
    let input: CategoryInput = crate::web::json_body(&b)?;
    let v = catalog::create_category(&st.db, &actor.caller(), input).await?;
    st.catalog.invalidate();
    Ok((StatusCode::CREATED, Json(v)))
}

/// `PATCH /api/v1/categories/{code}`
#[utoipa::path(
    patch,
    operation_id = "cases_update_category",
    path = "/categories/{code}",
    tag = "诉求事件",
    summary = "修改分类（区管理员）",
    params(
        ("code" = String, Path, description = "分类编码"),
    ),
    request_body(content = Object, content_type = "application/json", description = "分类字段"),
    responses(
        (status = 200, description = "成功"),
        crate::web::RefusedWrite,
    ),
)]
pub async fn api_update_category(
    State(st): State<CasesState>,
    actor: Actor,
    Path(code): Path<String>,
    b: Bytes,
) -> AppResult<Json<CategoryView>> {
    let input: CategoryInput = crate::web::json_body(&b)?;
    let v = catalog::update_category(&st.db, &actor.caller(), &code, input).await?;
    st.catalog.invalidate();
    Ok(Json(v))
}

/// Query of the suggestion.
#[derive(Deserialize)]
pub struct SuggestQuery {
    text: String,
    org: Option<i64>,
}

/// `GET /api/v1/categories/suggest?text=…`
#[utoipa::path(
    get,
    operation_id = "cases_suggest",
    path = "/categories/suggest",
    tag = "诉求事件",
    summary = "按文字推荐分类",
    params(
        ("text" = Option<String>, Query, description = "事件文字"),
    ),
    responses(
        (status = 200, description = "成功"),
        crate::web::Refused,
    ),
)]
pub async fn api_suggest(
    State(st): State<CasesState>,
    actor: Actor,
    Query(q): Query<SuggestQuery>,
) -> AppResult<Json<Vec<suggest::Suggestion>>> {
    let street = street_of(&st, &actor, q.org).await?;
    Ok(Json(
        suggest::suggest(&st, &q.text, street.as_deref()).await?,
    ))
}

/// The street (township) path above a node in the caller's scope, or above the caller.
async fn street_of(st: &CasesState, a: &Actor, org: Option<i64>) -> AppResult<Option<String>> {
    let n = crate::org::service::find(&st.db, &a.caller(), org.unwrap_or(a.org_id)).await?;
    service::street_of(&st.db, &crate::infra::error::stored_path(&n.path)?).await
}

/// Query of the calendar.
#[derive(Deserialize)]
pub struct YearQuery {
    year: Option<i32>,
}

/// `GET /api/v1/calendar?year=2026`
#[utoipa::path(
    get,
    operation_id = "cases_calendar",
    path = "/calendar",
    tag = "诉求事件",
    summary = "工作日历",
    params(
        ("year" = Option<i32>, Query, description = "年份"),
    ),
    responses(
        (status = 200, description = "成功"),
        crate::web::Refused,
    ),
)]
pub async fn api_calendar(
    State(st): State<CasesState>,
    _actor: Actor,
    Query(q): Query<YearQuery>,
) -> AppResult<Json<serde_json::Value>> {
    use chrono::Datelike;
    let year = q
        .year
        .unwrap_or_else(|| crate::infra::clock::bj(crate::infra::clock::now_ms()).year());
    let days: Vec<DayView> = catalog::days(&st.db, year).await?;
    let years = catalog::years(&st.db).await?;
    let covered = st.catalog.get(&st.db).await?.calendar.covers(year);
    Ok(Json(json!({
        "year": year,
        "covered": covered,
        "years": years,
        "days": days,
    })))
}

/// Body of a calendar change.
#[derive(Deserialize)]
pub struct DayInput {
    kind: String,
    #[serde(default)]
    name: String,
}

/// `PUT /api/v1/calendar/{date}` with `{"kind": "holiday"|"workday"|"normal", "name"}`.
#[utoipa::path(
    put,
    operation_id = "cases_set_day",
    path = "/calendar/{date}",
    tag = "诉求事件",
    summary = "设置某日为节假日、调休工作日或恢复正常",
    params(
        ("date" = String, Path, description = "日期 YYYY-MM-DD"),
    ),
    request_body(content = Object, content_type = "application/json", description = "{kind: holiday|workday|normal, name}"),
    responses(
        (status = 204, description = "已保存"),
        crate::web::Refused,
    ),
)]
pub async fn api_set_day(
    State(st): State<CasesState>,
    actor: Actor,
    Path(date): Path<String>,
    b: Bytes,
) -> AppResult<StatusCode> {
    let d: DayInput = crate::web::json_body(&b)?;
    catalog::set_day(&st.db, &actor.caller(), &date, &d.kind, &d.name).await?;
    st.catalog.invalidate();
    Ok(StatusCode::NO_CONTENT)
}

/// Query of the figures.
#[derive(Deserialize)]
pub struct StatsQuery {
    org: Option<i64>,
    from: Option<String>,
    to: Option<String>,
}

/// `GET /api/v1/stats/cases?org=ID&from=YYYY-MM-DD&to=YYYY-MM-DD`
#[utoipa::path(
    get,
    operation_id = "cases_stats",
    path = "/stats/cases",
    tag = "诉求事件",
    summary = "事件统计：各状态数、按期率、三率、平均办结时长",
    params(
        ("org" = Option<i64>, Query, description = "节点"),
        ("from" = Option<String>, Query, description = "起始日期"),
        ("to" = Option<String>, Query, description = "截止日期"),
    ),
    responses(
        (status = 200, description = "成功"),
        crate::web::Refused,
    ),
)]
pub async fn api_stats(
    State(st): State<CasesState>,
    actor: Actor,
    Query(q): Query<StatsQuery>,
) -> AppResult<Json<Stats>> {
    stats_for(&st, &actor, &q).await.map(Json)
}

/// The figures for a query.
pub async fn stats_for(st: &CasesState, a: &Actor, q: &StatsQuery) -> AppResult<Stats> {
    service::stats(st, a, q.org, q.from.as_deref(), q.to.as_deref()).await
}

impl StatsQuery {
    /// The query's fields, for the page's form.
    pub fn parts(&self) -> (Option<i64>, String, String) {
        (
            self.org,
            self.from.clone().unwrap_or_default(),
            self.to.clone().unwrap_or_default(),
        )
    }
}

/// `POST /api/v1/files` — a photo as the raw body; answers its id for `photos`.
#[utoipa::path(
    post,
    operation_id = "cases_upload",
    path = "/files",
    tag = "诉求事件",
    summary = "上传照片（JPEG/PNG/WebP，≤10 MB，去除 EXIF/GPS）",
    request_body(content = String, content_type = "application/octet-stream", description = "照片原始字节"),
    responses(
        (status = 201, description = "已保存"),
        crate::web::Refused,
    ),
)]
pub async fn api_upload(
    State(st): State<CasesState>,
    actor: Actor,
    b: Bytes,
) -> AppResult<(StatusCode, Json<serde_json::Value>)> {
    let (id, mime, size) = service::store_upload(&st, Some(&actor), &b).await?;
    Ok((
        StatusCode::CREATED,
        Json(json!({"id": id, "mime": mime, "size": size})),
    ))
}

/// `GET /files/{id}` — a photo of a case the caller may see.
pub async fn file(
    State(st): State<CasesState>,
    actor: Actor,
    Path(id): Path<String>,
) -> AppResult<Response> {
    if !service::may_see_file(&st.db, &actor, &id).await? {
        return Err(AppError::NotFound("文件不存在".into()));
    }
    send_file(&st, &id).await
}

/// Answers a stored file.
pub async fn send_file(st: &CasesState, id: &str) -> AppResult<Response> {
    let (mime, bytes) = files::read(&st.config.data_dir, id).await?;
    Ok((
        [
            (axum::http::header::CONTENT_TYPE, mime),
            (
                axum::http::header::CACHE_CONTROL,
                "private, max-age=86400".to_owned(),
            ),
        ],
        bytes,
    )
        .into_response())
}

/// `GET /api/v1/notifications`
#[utoipa::path(
    get,
    operation_id = "cases_notifications",
    path = "/notifications",
    tag = "诉求事件",
    summary = "站内通知",
    responses(
        (status = 200, description = "成功"),
        crate::web::Refused,
    ),
)]
pub async fn api_notifications(
    State(st): State<CasesState>,
    actor: Actor,
) -> AppResult<Json<serde_json::Value>> {
    let (items, unread) = notify::list(&st.db, actor.user_id, 50).await?;
    Ok(Json(json!({"unread": unread, "items": items})))
}

/// Body of marking read.
#[derive(Deserialize, Default)]
pub struct ReadInput {
    id: Option<i64>,
}

/// `POST /api/v1/notifications/read` with `{"id": N}` or `{}` for all.
#[utoipa::path(
    post,
    operation_id = "cases_mark_read",
    path = "/notifications/read",
    tag = "诉求事件",
    summary = "标记通知为已读",
    request_body(content = Object, content_type = "application/json", description = "{ids?}"),
    responses(
        (status = 200, description = "成功"),
        crate::web::Refused,
    ),
)]
pub async fn api_mark_read(
    State(st): State<CasesState>,
    actor: Actor,
    b: Bytes,
) -> AppResult<Json<serde_json::Value>> {
    let r: ReadInput = if b.is_empty() {
        ReadInput::default()
    } else {
        crate::web::json_body(&b)?
    };
    let n = notify::mark_read(&st.db, actor.user_id, r.id).await?;
    Ok(Json(json!({"marked": n})))
}

/// `GET /events` — the caller's notifications, live (server-sent events).
pub async fn events(State(st): State<CasesState>, actor: Actor) -> impl IntoResponse {
    let rx = st.hub.subscribe();
    let me = actor.user_id;
    let stream = futures_util::stream::unfold(rx, move |mut rx| async move {
        loop {
            match rx.recv().await {
                Ok(n) if n.user_id == me => {
                    let ev = Event::default()
                        .event("notification")
                        .json_data(&n)
                        .unwrap_or_else(|_| Event::default().comment("bad"));
                    return Some((Ok::<_, std::convert::Infallible>(ev), rx));
                }
                Ok(_) | Err(tokio::sync::broadcast::error::RecvError::Lagged(_)) => continue,
                Err(tokio::sync::broadcast::error::RecvError::Closed) => return None,
            }
        }
    });
    Sse::new(stream).keep_alive(KeepAlive::default())
}

/// `POST /api/v1/admin/press` — runs the pressing job now (administrators).
#[utoipa::path(
    post,
    operation_id = "cases_press",
    path = "/admin/press",
    tag = "诉求事件",
    summary = "立即运行催办督办（区管理员）",
    responses(
        (status = 200, description = "成功"),
        crate::web::Refused,
    ),
)]
pub async fn api_press(
    State(st): State<CasesState>,
    actor: Actor,
) -> AppResult<Json<press::Report>> {
    actor.caller().require_district_admin()?;
    Ok(Json(
        press::run_once(&st, crate::infra::clock::now_ms()).await?,
    ))
}
