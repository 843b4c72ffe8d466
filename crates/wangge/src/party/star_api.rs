//! The JSON API of 五星支部 (`super::stars`).

use super::stars::{self, PublicResult, ReviewDetail, SetView, YearView};
use crate::infra::clock::today;
use crate::infra::error::AppResult;
use crate::web::{Actor, Base, json_body};
use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use chrono::Datelike;
use serde::Deserialize;

/// A year.
#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[serde(default)]
#[into_params(parameter_in = Query)]
pub struct StarYear {
    /// 评定年度 (this year when none).
    year: Option<i32>,
}

impl StarYear {
    fn get(&self) -> i32 {
        self.year.unwrap_or_else(|| today().year())
    }
}

/// `GET /api/v1/party/stars?year=`
#[utoipa::path(
    get,
    operation_id = "party_stars",
    path = "/party/stars",
    tag = "五星支部",
    summary = "一个年度的五星支部：所在街道的星级标准（每类党组织一套，含门槛星、达标分、是否两级评定），管辖范围内各党组织的评定（阶段、每颗星的自评分和评分、授予、摘星及理由、现有的星），以及汇总数字（tally）",
    params(StarYear),
    responses((status = 200, description = "成功"), crate::web::Refused),
)]
pub async fn api_stars(
    State(st): State<Base>,
    actor: Actor,
    crate::web::Query(q): crate::web::Query<StarYear>,
) -> AppResult<Json<YearView>> {
    Ok(Json(stars::year(&st, &actor.caller(), q.get()).await?))
}

/// `POST /api/v1/party/star-sets`
#[utoipa::path(
    post,
    operation_id = "party_star_set_adopt",
    path = "/party/star-sets",
    tag = "五星支部",
    summary = "街道确定一个年度某类党组织（rural 村、urban 社区）的星级标准：先采用默认的五颗星，再按需修改",
    request_body(content = Object, content_type = "application/json", description = "{org_node_id?, year?, kind}"),
    responses((status = 201, description = "已创建"), crate::web::RefusedWrite),
)]
pub async fn api_star_set_adopt(
    State(st): State<Base>,
    actor: Actor,
    b: Bytes,
) -> AppResult<(StatusCode, Json<SetView>)> {
    let c = actor.caller();
    let row = stars::adopt(&st, &c, json_body(&b)?).await?;
    Ok((
        StatusCode::CREATED,
        Json(stars::set(&st, &c, row.id).await?),
    ))
}

/// `GET /api/v1/party/star-sets/{id}`
#[utoipa::path(
    get,
    operation_id = "party_star_set_get",
    path = "/party/star-sets/{id}",
    tag = "五星支部",
    summary = "一套星级标准：每颗星的名称、是否门槛星、达标分和各项标准（领域、任务、分值）",
    params(("id" = i64, Path, description = "编号")),
    responses((status = 200, description = "成功"), crate::web::Refused),
)]
pub async fn api_star_set_get(
    State(st): State<Base>,
    actor: Actor,
    Path(id): Path<i64>,
) -> AppResult<Json<SetView>> {
    Ok(Json(stars::set(&st, &actor.caller(), id).await?))
}

/// `PUT /api/v1/party/star-sets/{id}`
#[utoipa::path(
    put,
    operation_id = "party_star_set_edit",
    path = "/party/star-sets/{id}",
    tag = "五星支部",
    summary = "街道修改星级标准（2 至 7 颗星，最多一颗门槛星；标准每行“领域｜任务｜分值”）；已有党组织提交自评后不能再改（set_in_use）",
    params(("id" = i64, Path, description = "编号")),
    request_body(content = Object, content_type = "application/json", description = "{two_level, stars: [{key?, name, gate, pass?, criteria}]}"),
    responses((status = 200, description = "成功"), crate::web::RefusedWrite),
)]
pub async fn api_star_set_edit(
    State(st): State<Base>,
    actor: Actor,
    Path(id): Path<i64>,
    b: Bytes,
) -> AppResult<Json<SetView>> {
    Ok(Json(
        stars::edit_set(&st, &actor.caller(), id, json_body(&b)?).await?,
    ))
}

/// `POST /api/v1/party/star-reviews`
#[utoipa::path(
    post,
    operation_id = "party_star_review_start",
    path = "/party/star-reviews",
    tag = "五星支部",
    summary = "开始一个村（社区）党组织的年度评定（本年或上一年），按所在街道这一年的星级标准",
    request_body(content = Object, content_type = "application/json", description = "{party_org_id, year?}"),
    responses((status = 201, description = "已创建"), crate::web::RefusedWrite),
)]
pub async fn api_star_review_start(
    State(st): State<Base>,
    actor: Actor,
    b: Bytes,
) -> AppResult<(StatusCode, Json<ReviewDetail>)> {
    let c = actor.caller();
    let row = stars::start(&st, &c, json_body(&b)?).await?;
    Ok((
        StatusCode::CREATED,
        Json(stars::one(&st, &c, row.id).await?),
    ))
}

/// `GET /api/v1/party/star-reviews/{id}`
#[utoipa::path(
    get,
    operation_id = "party_star_review_get",
    path = "/party/star-reviews/{id}",
    tag = "五星支部",
    summary = "一个评定：每颗星的标准、自评（分数、说明、照片、引用的系统记录）、街道评分和未授予的原因、异议，以及系统记录的本年度会议、实现的微心愿、办结的诉求（records，可作为证明引用）",
    params(("id" = i64, Path, description = "编号")),
    responses((status = 200, description = "成功"), crate::web::Refused),
)]
pub async fn api_star_review_get(
    State(st): State<Base>,
    actor: Actor,
    Path(id): Path<i64>,
) -> AppResult<Json<ReviewDetail>> {
    Ok(Json(stars::one(&st, &actor.caller(), id).await?))
}

/// `PUT /api/v1/party/star-reviews/{id}/stars/{key}`
#[utoipa::path(
    put,
    operation_id = "party_star_assess",
    path = "/party/star-reviews/{id}/stars/{key}",
    tag = "五星支部",
    summary = "本村（社区）党组织自评一颗星（自评中）：自评分、说明（必填）、引用的系统记录（records 中的 meeting:…、wish:…、case:…）、照片（先 POST /api/v1/files）；街道不能代为自评（not_branch）",
    params(("id" = i64, Path, description = "评定编号"), ("key" = String, Path, description = "星的标识")),
    request_body(content = Object, content_type = "application/json", description = "{points, text, links?, photo?, drop?}"),
    responses((status = 200, description = "成功"), crate::web::RefusedWrite),
)]
pub async fn api_star_assess(
    State(st): State<Base>,
    actor: Actor,
    Path((id, key)): Path<(i64, String)>,
    b: Bytes,
) -> AppResult<Json<ReviewDetail>> {
    Ok(Json(
        stars::assess(&st, &actor.caller(), id, &key, json_body(&b)?).await?,
    ))
}

/// `POST /api/v1/party/star-reviews/{id}/{step}`
#[utoipa::path(
    post,
    operation_id = "party_star_review_step",
    path = "/party/star-reviews/{id}/{step}",
    tag = "五星支部",
    summary = "评定的一步：submit 提交自评（本党组织）；score 评分（街道，points 每颗星一个分数，门槛星未达标时其他星不授予）、return 退回（note 必填）、check 复核（两级评定，须另一位评定人）、publish 公示 5 天、award 授星（公示期满且异议都已处理）、withdraw 摘星（star 和 note 必填）；object 对公示中的评定提出异议（note 必填）。村（社区）不能评定本支部（not_reviewer）",
    params(("id" = i64, Path, description = "评定编号"), ("step" = String, Path, description = "submit / score / return / check / publish / award / withdraw / object")),
    request_body(content = Object, content_type = "application/json", description = "{note?, points?: {key: 分数}, star?}"),
    responses((status = 200, description = "成功"), crate::web::RefusedWrite),
)]
pub async fn api_star_review_step(
    State(st): State<Base>,
    actor: Actor,
    Path((id, step)): Path<(i64, String)>,
    b: Bytes,
) -> AppResult<Json<ReviewDetail>> {
    Ok(Json(
        stars::step(&st, &actor.caller(), id, &step, json_body(&b)?).await?,
    ))
}

/// `POST /api/v1/party/star-objections/{id}/{step}`
#[utoipa::path(
    post,
    operation_id = "party_star_objection_decide",
    path = "/party/star-objections/{id}/{step}",
    tag = "五星支部",
    summary = "街道处理公示期间的异议：uphold 异议成立（评定退回重新评分，公示中止）或 dismiss 不成立；answer 必填",
    params(("id" = i64, Path, description = "异议编号"), ("step" = String, Path, description = "uphold / dismiss")),
    request_body(content = Object, content_type = "application/json", description = "{answer}"),
    responses((status = 200, description = "成功"), crate::web::RefusedWrite),
)]
pub async fn api_star_objection_decide(
    State(st): State<Base>,
    actor: Actor,
    Path((id, step)): Path<(i64, String)>,
    b: Bytes,
) -> AppResult<Json<ReviewDetail>> {
    Ok(Json(
        stars::decide_objection(&st, &actor.caller(), id, &step, json_body(&b)?).await?,
    ))
}

/// `GET /api/v1/stars?year=`
#[utoipa::path(
    get,
    operation_id = "public_stars",
    path = "/stars",
    tag = "五星支部",
    summary = "公开的五星支部（不需登录）：公示中和已授星的党组织、所在村（社区）、拟授或现有的星、摘星及理由",
    params(StarYear),
    responses((status = 200, description = "成功"), crate::web::Refused),
)]
pub async fn api_public_stars(
    State(st): State<Base>,
    crate::web::Query(q): crate::web::Query<StarYear>,
) -> AppResult<Json<Vec<PublicResult>>> {
    Ok(Json(stars::public(&st.db, q.get()).await?))
}
