//! The registry's JSON API. Thin: parse, call the service, answer.

use super::PeopleState;
use super::archive::{self, AssessmentInput, ItemInput, VisitInput};
use super::import::{self, Input, Progress};
use super::service::{
    self, BuildingView, Filter, HouseholdInput, HouseholdView, MoveInput, Page, ResidentForm,
    ResidentView,
};
use crate::infra::error::{AppError, AppResult};
use crate::web::Actor;
use crate::web::Query;
use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use serde_json::{Value, json};
use std::sync::Arc;
use wangge_core::Permission;

/// `GET /api/v1/residents?q=&org=&tag=&age=&residence=&status=&party=&page=&per_page=`
#[utoipa::path(
    get,
    operation_id = "people_search",
    path = "/residents",
    tag = "人口台账",
    summary = "查找居民（证件号、电话已脱敏）",
    params(
        ("q" = Option<String>, Query, description = "姓名、拼音首字母、证件号后四位、电话后四位或地址"),
        ("org" = Option<i64>, Query, description = "节点"),
        ("tag" = Option<String>, Query, description = "标签"),
        ("age" = Option<String>, Query, description = "年龄段"),
        ("residence" = Option<String>, Query, description = "人口类型"),
        ("status" = Option<String>, Query, description = "状态"),
        ("party" = Option<bool>, Query, description = "党员"),
        ("page" = Option<u64>, Query, description = "页码"),
        ("per_page" = Option<u64>, Query, description = "每页条数"),
    ),
    responses(
        (status = 200, description = "成功"),
        crate::web::Refused,
    ),
)]
pub async fn api_search(
    State(st): State<PeopleState>,
    actor: Actor,
    Query(f): Query<Filter>,
) -> AppResult<Json<Page>> {
    Ok(Json(service::search(&st, &actor.caller(), &f).await?))
}

async fn one(st: &PeopleState, m: &super::entity::resident::Model) -> AppResult<ResidentView> {
    service::views(st, std::slice::from_ref(m))
        .await?
        .pop()
        .ok_or_else(|| AppError::Internal(anyhow::anyhow!("no view")))
}

/// `GET /api/v1/residents/{id}`: the resident (masked) and their moves.
#[utoipa::path(
    get,
    operation_id = "people_get",
    path = "/residents/{id}",
    tag = "人口台账",
    summary = "一位居民（脱敏）及其迁移记录",
    params(
        ("id" = i64, Path, description = "编号"),
    ),
    responses(
        (status = 200, description = "成功"),
        crate::web::Refused,
    ),
)]
pub async fn api_get(
    State(st): State<PeopleState>,
    actor: Actor,
    Path(id): Path<i64>,
) -> AppResult<Json<Value>> {
    let r = service::find(&st.db, &actor.caller(), id).await?;
    let moves: Vec<Value> = service::moves_of(&st.db, &[r.id])
        .await?
        .into_iter()
        .map(|m| {
            json!({"kind": m.kind, "label": service::move_label(&m.kind), "from": m.from_address,
                   "to": m.to_address, "on": m.on_date, "reason": m.reason, "by": m.actor_name})
        })
        .collect();
    let mut v =
        serde_json::to_value(one(&st, &r).await?).map_err(|e| AppError::Internal(e.into()))?;
    v["moves"] = Value::Array(moves);
    Ok(Json(v))
}

/// `POST /api/v1/residents`
#[utoipa::path(
    post,
    operation_id = "people_create",
    path = "/residents",
    tag = "人口台账",
    summary = "登记居民",
    request_body(content = Object, content_type = "application/json", description = "{household_id, name, id_number, gender?, birth_date?, ethnicity?, phone?, residence?, political?, relation?, work_unit?, tags?, note?}"),
    responses(
        (status = 201, description = "已登记"),
        crate::web::Refused,
    ),
)]
pub async fn api_create(
    State(st): State<PeopleState>,
    actor: Actor,
    b: Bytes,
) -> AppResult<(StatusCode, Json<ResidentView>)> {
    let form: ResidentForm = crate::web::json_body(&b)?;
    let r = service::create(&st, &actor.caller(), form).await?;
    Ok((StatusCode::CREATED, Json(one(&st, &r).await?)))
}

/// `PATCH /api/v1/residents/{id}`
#[utoipa::path(
    patch,
    operation_id = "people_update",
    path = "/residents/{id}",
    tag = "人口台账",
    summary = "修改居民信息（带版本号）",
    params(
        ("id" = i64, Path, description = "编号"),
    ),
    request_body(content = Object, content_type = "application/json", description = "登记字段与 version；证件号、电话留空则保留原值"),
    responses(
        (status = 200, description = "成功"),
        crate::web::RefusedWrite,
    ),
)]
pub async fn api_update(
    State(st): State<PeopleState>,
    actor: Actor,
    Path(id): Path<i64>,
    b: Bytes,
) -> AppResult<Json<ResidentView>> {
    let form: ResidentForm = crate::web::json_body(&b)?;
    let r = service::update(&st, &actor.caller(), id, form).await?;
    Ok(Json(one(&st, &r).await?))
}

/// `POST /api/v1/residents/{id}/move`
#[utoipa::path(
    post,
    operation_id = "people_move",
    path = "/residents/{id}/move",
    tag = "人口台账",
    summary = "迁移：户间迁移、迁出或死亡注销",
    params(
        ("id" = i64, Path, description = "编号"),
    ),
    request_body(content = Object, content_type = "application/json", description = "{kind, to_household?, relation?, on_date?, reason?, version?}"),
    responses(
        (status = 200, description = "成功"),
        crate::web::RefusedWrite,
    ),
)]
pub async fn api_move(
    State(st): State<PeopleState>,
    actor: Actor,
    Path(id): Path<i64>,
    b: Bytes,
) -> AppResult<Json<ResidentView>> {
    let input: MoveInput = crate::web::json_body(&b)?;
    let r = service::move_resident(&st, &actor.caller(), id, input).await?;
    Ok(Json(one(&st, &r).await?))
}

/// `POST /api/v1/residents/{id}/reveal`: the full ID number and phone (audited, never cached).
#[utoipa::path(
    post,
    operation_id = "people_reveal",
    path = "/residents/{id}/reveal",
    tag = "人口台账",
    summary = "查看完整证件号与电话（记审计，不缓存）",
    params(
        ("id" = i64, Path, description = "编号"),
    ),
    responses(
        (status = 200, description = "成功"),
        crate::web::Refused,
    ),
)]
pub async fn api_reveal(
    State(st): State<PeopleState>,
    actor: Actor,
    Path(id): Path<i64>,
) -> AppResult<Response> {
    let r = service::reveal(&st, &actor.caller(), id).await?;
    Ok(([(header::CACHE_CONTROL, "no-store")], Json(r)).into_response())
}

/// `GET /api/v1/org/nodes/{id}/buildings`
#[utoipa::path(
    get,
    operation_id = "people_buildings",
    path = "/org/nodes/{id}/buildings",
    tag = "人口台账",
    summary = "节点下的楼栋及户数人数",
    params(
        ("id" = i64, Path, description = "编号"),
    ),
    responses(
        (status = 200, description = "成功"),
        crate::web::Refused,
    ),
)]
pub async fn api_buildings(
    State(st): State<PeopleState>,
    actor: Actor,
    Path(id): Path<i64>,
) -> AppResult<Json<Vec<BuildingView>>> {
    Ok(Json(
        service::buildings_under(&st, &actor.caller(), id).await?,
    ))
}

/// `GET /api/v1/buildings/{id}/households`
#[utoipa::path(
    get,
    operation_id = "people_households",
    path = "/buildings/{id}/households",
    tag = "人口台账",
    summary = "楼栋的住户",
    params(
        ("id" = i64, Path, description = "编号"),
    ),
    responses(
        (status = 200, description = "成功"),
        crate::web::Refused,
    ),
)]
pub async fn api_households(
    State(st): State<PeopleState>,
    actor: Actor,
    Path(id): Path<i64>,
) -> AppResult<Json<Vec<HouseholdView>>> {
    Ok(Json(
        service::households_of(&st, &actor.caller(), id).await?,
    ))
}

/// `POST /api/v1/households`
#[utoipa::path(
    post,
    operation_id = "people_create_household",
    path = "/households",
    tag = "人口台账",
    summary = "新建住户",
    request_body(content = Object, content_type = "application/json", description = "{building_id, room, kind?, note?}"),
    responses(
        (status = 201, description = "已创建"),
        crate::web::Refused,
    ),
)]
pub async fn api_create_household(
    State(st): State<PeopleState>,
    actor: Actor,
    b: Bytes,
) -> AppResult<(StatusCode, Json<Value>)> {
    let input: HouseholdInput = crate::web::json_body(&b)?;
    let h = service::create_household(&st, &actor.caller(), input).await?;
    Ok((
        StatusCode::CREATED,
        Json(household_json(&st, &actor, h.id).await?),
    ))
}

/// `PATCH /api/v1/households/{id}`
#[utoipa::path(
    patch,
    operation_id = "people_update_household",
    path = "/households/{id}",
    tag = "人口台账",
    summary = "修改住户（带版本号）",
    params(
        ("id" = i64, Path, description = "编号"),
    ),
    request_body(content = Object, content_type = "application/json", description = "{room, kind, head_id?, note, version?}"),
    responses(
        (status = 200, description = "成功"),
        crate::web::RefusedWrite,
    ),
)]
pub async fn api_update_household(
    State(st): State<PeopleState>,
    actor: Actor,
    Path(id): Path<i64>,
    b: Bytes,
) -> AppResult<Json<Value>> {
    let input: HouseholdInput = crate::web::json_body(&b)?;
    service::update_household(&st, &actor.caller(), id, input).await?;
    Ok(Json(household_json(&st, &actor, id).await?))
}

/// `GET /api/v1/households/{id}`: the household, its members, documents, assessments and
/// visits.
#[utoipa::path(
    get,
    operation_id = "people_household",
    path = "/households/{id}",
    tag = "人口台账",
    summary = "一户：成员、走访、评估",
    params(
        ("id" = i64, Path, description = "编号"),
    ),
    responses(
        (status = 200, description = "成功"),
        crate::web::Refused,
    ),
)]
pub async fn api_household(
    State(st): State<PeopleState>,
    actor: Actor,
    Path(id): Path<i64>,
) -> AppResult<Json<Value>> {
    Ok(Json(household_json(&st, &actor, id).await?))
}

async fn household_json(st: &PeopleState, actor: &Actor, id: i64) -> AppResult<Value> {
    let h = service::find_household(&st.db, &actor.caller(), id).await?;
    let members = service::members(st, &h).await?;
    let a = archive::archive(st, &h).await?;
    Ok(json!({
        "household": service::household_view(&h, members.len() as i64),
        "members": members,
        "documents": a.documents.iter().map(|d| json!({
            "id": d.id, "type": d.doc_type, "type_label": archive::doc_type_label(&d.doc_type),
            "title": d.title, "mime": d.mime, "size": d.size, "by": d.actor_name, "at": d.at,
            "href": format!("/people/households/{}/documents/{}", h.id, d.id),
        })).collect::<Vec<_>>(),
        "assessments": a.assessments.iter().map(|x| json!({
            "id": x.id, "period": x.period, "assessed_on": x.assessed_on, "total": x.total,
            "max_total": x.max_total, "assessor": x.assessor_name, "note": x.note,
            "scores": archive::scores_of(x),
        })).collect::<Vec<_>>(),
        "visits": a.visits.iter().map(|v| json!({
            "id": v.id, "visited_on": v.visited_on, "visitor": v.visitor_name, "notes": v.notes,
            "needs": v.needs, "case_id": v.case_id,
        })).collect::<Vec<_>>(),
        "assessment_items": a.items.iter().map(|i| json!({
            "id": i.id, "name": i.name, "max_score": i.max_score,
        })).collect::<Vec<_>>(),
    }))
}

/// `POST /api/v1/households/{id}/visits`
#[utoipa::path(
    post,
    operation_id = "people_visit",
    path = "/households/{id}/visits",
    tag = "人口台账",
    summary = "记录走访（可把需求转为事件）",
    params(
        ("id" = i64, Path, description = "编号"),
    ),
    request_body(content = Object, content_type = "application/json", description = "{visited_on?, notes, needs?, make_case?, category?}"),
    responses(
        (status = 201, description = "已记录"),
        crate::web::Refused,
    ),
)]
pub async fn api_visit(
    State(st): State<PeopleState>,
    actor: Actor,
    Path(id): Path<i64>,
    b: Bytes,
) -> AppResult<(StatusCode, Json<Value>)> {
    let input: VisitInput = crate::web::json_body(&b)?;
    let v = archive::log_visit(&st, &actor, id, input).await?;
    Ok((
        StatusCode::CREATED,
        Json(json!({"id": v.id, "visited_on": v.visited_on, "case_id": v.case_id})),
    ))
}

/// `POST /api/v1/households/{id}/assessments`
#[utoipa::path(
    post,
    operation_id = "people_assess",
    path = "/households/{id}/assessments",
    tag = "人口台账",
    summary = "记录评估",
    params(
        ("id" = i64, Path, description = "编号"),
    ),
    request_body(content = Object, content_type = "application/json", description = "{period, assessed_on?, scores, note?}"),
    responses(
        (status = 201, description = "已记录"),
        crate::web::Refused,
    ),
)]
pub async fn api_assess(
    State(st): State<PeopleState>,
    actor: Actor,
    Path(id): Path<i64>,
    b: Bytes,
) -> AppResult<(StatusCode, Json<Value>)> {
    let input: AssessmentInput = crate::web::json_body(&b)?;
    let a = archive::assess(&st, &actor.caller(), id, input).await?;
    Ok((
        StatusCode::CREATED,
        Json(json!({"id": a.id, "total": a.total, "max_total": a.max_total})),
    ))
}

/// Query of a document upload.
#[derive(Deserialize)]
pub struct DocQuery {
    #[serde(rename = "type", default)]
    doc_type: String,
    #[serde(default)]
    title: String,
}

/// `POST /api/v1/households/{id}/documents?type=&title=` with the file as the body.
#[utoipa::path(
    post,
    operation_id = "people_add_document",
    path = "/households/{id}/documents",
    tag = "人口台账",
    summary = "归档文件（PDF 或照片）",
    params(
        ("id" = i64, Path, description = "编号"),
        ("type" = Option<String>, Query, description = "文件类别"),
        ("title" = Option<String>, Query, description = "标题"),
    ),
    request_body(content = String, content_type = "application/octet-stream", description = "PDF 或照片"),
    responses(
        (status = 201, description = "已归档"),
        crate::web::Refused,
    ),
)]
pub async fn api_add_document(
    State(st): State<PeopleState>,
    actor: Actor,
    Path(id): Path<i64>,
    Query(q): Query<DocQuery>,
    b: Bytes,
) -> AppResult<(StatusCode, Json<Value>)> {
    let d = archive::add_document(&st, &actor.caller(), id, &q.doc_type, &q.title, &b).await?;
    Ok((
        StatusCode::CREATED,
        Json(
            json!({"id": d.id, "type": d.doc_type, "title": d.title, "mime": d.mime,
                    "href": format!("/people/households/{id}/documents/{}", d.id)}),
        ),
    ))
}

/// `GET /api/v1/assessment-items?org=ID`: a community's items; without `org`, every community's
/// in the caller's scope.
#[utoipa::path(
    get,
    operation_id = "people_items",
    path = "/assessment-items",
    tag = "人口台账",
    summary = "社区的评估项目",
    params(
        ("org" = Option<i64>, Query, description = "社区节点"),
    ),
    responses(
        (status = 200, description = "成功"),
        crate::web::Refused,
    ),
)]
pub async fn api_items(
    State(st): State<PeopleState>,
    actor: Actor,
    Query(q): Query<OrgQuery>,
) -> AppResult<Json<Value>> {
    actor.require(Permission::PeopleView)?;
    let items = match q.org {
        Some(org) => {
            let n = crate::org::service::find(&st.db, &actor.caller(), org).await?;
            archive::items_of(&st.db, n.id).await?
        }
        None => archive::items_in_scope(&st.db, &actor.caller()).await?,
    };
    Ok(Json(json!(
        items
            .iter()
            .map(|i| json!({"id": i.id, "org_id": i.org_id, "name": i.name, "max_score": i.max_score}))
            .collect::<Vec<_>>()
    )))
}

/// A node in a query.
#[derive(Deserialize)]
pub struct OrgQuery {
    org: Option<i64>,
}

/// `POST /api/v1/assessment-items`
#[utoipa::path(
    post,
    operation_id = "people_add_item",
    path = "/assessment-items",
    tag = "人口台账",
    summary = "新增评估项目",
    request_body(content = Object, content_type = "application/json", description = "{org_id, name, max_score}"),
    responses(
        (status = 201, description = "已新增"),
        crate::web::Refused,
    ),
)]
pub async fn api_add_item(
    State(st): State<PeopleState>,
    actor: Actor,
    b: Bytes,
) -> AppResult<(StatusCode, Json<Value>)> {
    let input: ItemInput = crate::web::json_body(&b)?;
    let i = archive::add_item(&st, &actor.caller(), input).await?;
    Ok((
        StatusCode::CREATED,
        Json(json!({"id": i.id, "name": i.name, "max_score": i.max_score})),
    ))
}

/// `GET /api/v1/tags`
#[utoipa::path(
    get,
    operation_id = "people_tags",
    path = "/tags",
    tag = "人口台账",
    summary = "关爱标签",
    responses(
        (status = 200, description = "成功"),
        crate::web::Refused,
    ),
)]
pub async fn api_tags(State(st): State<PeopleState>, actor: Actor) -> AppResult<Json<Value>> {
    actor.require(Permission::PeopleView)?;
    let tags = service::tags(&st.db).await?;
    Ok(Json(json!(
        tags.iter()
            .map(|t| json!({"id": t.id, "name": t.name}))
            .collect::<Vec<_>>()
    )))
}

/// `POST /api/v1/tags` `{"name": "…"}`
#[utoipa::path(
    post,
    operation_id = "people_add_tag",
    path = "/tags",
    tag = "人口台账",
    summary = "新增关爱标签",
    request_body(content = Object, content_type = "application/json", description = "{name}"),
    responses(
        (status = 201, description = "已新增"),
        crate::web::Refused,
    ),
)]
pub async fn api_add_tag(
    State(st): State<PeopleState>,
    actor: Actor,
    b: Bytes,
) -> AppResult<(StatusCode, Json<Value>)> {
    #[derive(Deserialize)]
    struct NewTag {
        name: String,
    }
    let t: NewTag = crate::web::json_body(&b)?;
    let row = service::add_tag(&st.db, &actor.caller(), &t.name).await?;
    Ok((
        StatusCode::CREATED,
        Json(json!({"id": row.id, "name": row.name})),
    ))
}

/// Refuses an upload over the limit before reading it, with a clear message.
pub fn check_upload_size(headers: &HeaderMap) -> AppResult<()> {
    let len = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<usize>().ok());
    if len.is_some_and(|l| l > import::MAX_UPLOAD) {
        return Err(too_large());
    }
    Ok(())
}

/// The answer to an upload over the limit.
pub fn too_large() -> AppError {
    AppError::bad(
        "too_large",
        format!(
            "文件太大：网页和接口一次最多导入 {} MB。更大的台账请拆分，或在服务器上用命令 wangge import residents 文件 导入",
            import::MAX_UPLOAD / 1024 / 1024
        ),
    )
}

/// `POST /api/v1/people/import` with the CSV or XLSX file as the body: imports it and answers
/// the report (the first 1,000 rejected rows with their lines and reasons). A body declared
/// larger than the limit is refused before it is read.
#[utoipa::path(
    post,
    operation_id = "people_import",
    path = "/people/import",
    tag = "人口台账",
    summary = "导入人口台账（CSV 或 XLSX，≤100 MB）",
    request_body(content = String, content_type = "application/octet-stream", description = "CSV 或 XLSX 文件"),
    responses(
        (status = 200, description = "成功"),
        crate::web::Refused,
    ),
)]
pub async fn api_import(
    State(st): State<PeopleState>,
    actor: Actor,
    req: axum::extract::Request,
) -> AppResult<Json<Value>> {
    actor.require(Permission::PeopleImport)?;
    check_upload_size(req.headers())?;
    let b = axum::body::to_bytes(req.into_body(), import::MAX_UPLOAD)
        .await
        .map_err(|_| too_large())?;
    if b.is_empty() {
        return Err(AppError::bad("empty_file", "请求体里没有文件"));
    }
    let mut report = import::import(
        &st,
        &actor.caller(),
        Input::Bytes(b.to_vec()),
        Arc::new(Progress::default()),
    )
    .await?;
    report.errors.truncate(1000);
    Ok(Json(
        serde_json::to_value(&report).map_err(|e| AppError::Internal(e.into()))?,
    ))
}
