//! The JSON API of 双报到, 双报告 and 吹哨报到 (`super::serving`, `super::whistles`).

use crate::infra::error::AppResult;
use crate::web::{Actor, Base, json_body};
use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use serde::Deserialize;

/// A list's `all` switch.
#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[serde(default)]
#[into_params(parameter_in = Query)]
pub struct AllQuery {
    /// Ended ones too.
    all: bool,
}

/// A year.
#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[serde(default)]
#[into_params(parameter_in = Query)]
pub struct YearQuery {
    /// 年度 (this year when none).
    year: Option<i32>,
}

/// `GET /api/v1/party/units`
#[utoipa::path(
    get,
    operation_id = "party_service_units",
    path = "/party/units",
    tag = "双报到",
    summary = "驻区共建单位（双报到）：管辖范围内的单位、单位党组织、联系人（电话打码）、共驻共建协议的需求清单、资源清单、项目清单，以及已报到的在职党员人数；all=true 含已退出的",
    params(super::serving::UnitFilter),
    responses(
        (status = 200, description = "成功"),
        crate::web::Refused,
    ),
)]
pub async fn api_units(
    State(st): State<Base>,
    actor: Actor,
    crate::web::Query(f): crate::web::Query<super::serving::UnitFilter>,
) -> AppResult<Json<Vec<super::serving::UnitView>>> {
    Ok(Json(super::serving::units(&st, &actor.caller(), &f).await?))
}

/// `POST /api/v1/party/units`
#[utoipa::path(
    post,
    operation_id = "party_unit_register",
    path = "/party/units",
    tag = "双报到",
    summary = "登记共建单位并签订共驻共建协议（社区书记、街道综治中心）；三个清单每行一项，每个清单最多 20 项",
    request_body(content = Object, content_type = "application/json", description = "{org_node_id?, name, kind, party_org_name?, address?, contact_name?, contact_phone?, signed_on, until?, needs?, resources?, projects?}"),
    responses(
        (status = 201, description = "已创建"),
        crate::web::RefusedWrite,
    ),
)]
pub async fn api_unit_register(
    State(st): State<Base>,
    actor: Actor,
    b: Bytes,
) -> AppResult<(StatusCode, Json<super::serving::UnitView>)> {
    let c = actor.caller();
    let row = super::serving::register_unit(&st, &c, json_body(&b)?).await?;
    Ok((
        StatusCode::CREATED,
        Json(super::serving::unit(&st, &c, row.id).await?),
    ))
}

/// `GET /api/v1/party/units/{id}`
#[utoipa::path(
    get,
    operation_id = "party_unit_get",
    path = "/party/units/{id}",
    tag = "双报到",
    summary = "一个共建单位及其协议",
    params(("id" = i64, Path, description = "编号")),
    responses(
        (status = 200, description = "成功"),
        crate::web::Refused,
    ),
)]
pub async fn api_unit_get(
    State(st): State<Base>,
    actor: Actor,
    Path(id): Path<i64>,
) -> AppResult<Json<super::serving::UnitView>> {
    Ok(Json(super::serving::unit(&st, &actor.caller(), id).await?))
}

/// `PATCH /api/v1/party/units/{id}`
#[utoipa::path(
    patch,
    operation_id = "party_unit_update",
    path = "/party/units/{id}",
    tag = "双报到",
    summary = "修改共建单位信息和协议：只改请求体中给出的字段（电话留空则不变）",
    params(("id" = i64, Path, description = "编号")),
    request_body(content = Object, content_type = "application/json", description = "{name, kind, …, version}"),
    responses(
        (status = 200, description = "成功"),
        crate::web::RefusedWrite,
    ),
)]
pub async fn api_unit_update(
    State(st): State<Base>,
    actor: Actor,
    Path(id): Path<i64>,
    b: Bytes,
) -> AppResult<Json<super::serving::UnitView>> {
    let c = actor.caller();
    let row = super::serving::patch_unit(&st, &c, id, json_body(&b)?).await?;
    Ok(Json(super::serving::unit(&st, &c, row.id).await?))
}

/// `POST /api/v1/party/units/{id}/leave`
#[utoipa::path(
    post,
    operation_id = "party_unit_leave",
    path = "/party/units/{id}/leave",
    tag = "双报到",
    summary = "共建单位退出共建（原因必填，记录保留）",
    params(("id" = i64, Path, description = "编号")),
    request_body(content = Object, content_type = "application/json", description = "{reason, on}"),
    responses(
        (status = 200, description = "成功"),
        crate::web::RefusedWrite,
    ),
)]
pub async fn api_unit_leave(
    State(st): State<Base>,
    actor: Actor,
    Path(id): Path<i64>,
    b: Bytes,
) -> AppResult<Json<super::serving::UnitView>> {
    let c = actor.caller();
    let row = super::serving::leave_unit(&st, &c, id, json_body(&b)?).await?;
    Ok(Json(super::serving::unit(&st, &c, row.id).await?))
}

/// `GET /api/v1/party/registrations`
#[utoipa::path(
    get,
    operation_id = "party_registrations",
    path = "/party/registrations",
    tag = "双报到",
    summary = "在职党员到社区报到：工作人员看管辖范围内的，党员看自己的；含本年已确认的服务时长",
    params(AllQuery),
    responses(
        (status = 200, description = "成功"),
        crate::web::Refused,
    ),
)]
pub async fn api_registrations(
    State(st): State<Base>,
    actor: Actor,
    crate::web::Query(q): crate::web::Query<AllQuery>,
) -> AppResult<Json<Vec<super::serving::RegistrationView>>> {
    Ok(Json(
        super::serving::registrations(&st, &actor.caller(), q.all).await?,
    ))
}

/// `POST /api/v1/party/registrations`
#[utoipa::path(
    post,
    operation_id = "party_register",
    path = "/party/registrations",
    tag = "双报到",
    summary = "在职党员到居住地社区报到：党员为自己（须有党员档案），工作人员为辖区居民登记；一人同时只在一个社区报到",
    request_body(content = Object, content_type = "application/json", description = "{resident_id?, work_unit, unit_id?, home_branch?}"),
    responses(
        (status = 201, description = "已创建"),
        crate::web::RefusedWrite,
    ),
)]
pub async fn api_register(
    State(st): State<Base>,
    actor: Actor,
    b: Bytes,
) -> AppResult<(StatusCode, Json<super::serving::RegistrationView>)> {
    let c = actor.caller();
    let row = super::serving::register(&st, &c, json_body(&b)?).await?;
    Ok((
        StatusCode::CREATED,
        Json(super::serving::registration(&st, &c, row.id).await?),
    ))
}

/// `POST /api/v1/party/registrations/{id}/end`
#[utoipa::path(
    post,
    operation_id = "party_registration_end",
    path = "/party/registrations/{id}/end",
    tag = "双报到",
    summary = "结束报到（搬离、退休等），服务记录保留",
    params(("id" = i64, Path, description = "编号")),
    responses(
        (status = 200, description = "成功"),
        crate::web::RefusedWrite,
    ),
)]
pub async fn api_registration_end(
    State(st): State<Base>,
    actor: Actor,
    Path(id): Path<i64>,
) -> AppResult<Json<super::serving::RegistrationView>> {
    let c = actor.caller();
    let row = super::serving::end_registration(&st, &c, id).await?;
    Ok(Json(super::serving::registration(&st, &c, row.id).await?))
}

/// `GET /api/v1/party/registrations/{id}/record`
#[utoipa::path(
    get,
    operation_id = "party_registration_record",
    path = "/party/registrations/{id}/record",
    tag = "双报到",
    summary = "双报告：在职党员一年在社区的服务记录（仅社区确认的时长），供报送工作单位",
    params(("id" = i64, Path, description = "编号"), YearQuery),
    responses(
        (status = 200, description = "成功"),
        crate::web::Refused,
    ),
)]
pub async fn api_record(
    State(st): State<Base>,
    actor: Actor,
    Path(id): Path<i64>,
    crate::web::Query(q): crate::web::Query<YearQuery>,
) -> AppResult<Json<super::serving::Record>> {
    let year = q
        .year
        .unwrap_or_else(|| chrono::Datelike::year(&crate::infra::clock::today()));
    Ok(Json(
        super::serving::record(&st, &actor.caller(), id, year).await?,
    ))
}

/// `GET /api/v1/party/needs`
#[utoipa::path(
    get,
    operation_id = "party_needs",
    path = "/party/needs",
    tag = "双报到",
    summary = "社区发布的服务需求及报名情况：工作人员看管辖范围内的，报到党员看所报到社区的（只含自己的报名）",
    responses(
        (status = 200, description = "成功"),
        crate::web::Refused,
    ),
)]
pub async fn api_needs(
    State(st): State<Base>,
    actor: Actor,
) -> AppResult<Json<Vec<super::serving::NeedView>>> {
    Ok(Json(super::serving::needs(&st, &actor.caller()).await?))
}

/// `POST /api/v1/party/needs`
#[utoipa::path(
    post,
    operation_id = "party_need_post",
    path = "/party/needs",
    tag = "双报到",
    summary = "社区发布服务需求（名额 0 为不限）",
    request_body(content = Object, content_type = "application/json", description = "{org_node_id?, title, detail?, on_date, place?, places?}"),
    responses(
        (status = 201, description = "已创建"),
        crate::web::RefusedWrite,
    ),
)]
pub async fn api_need_post(
    State(st): State<Base>,
    actor: Actor,
    b: Bytes,
) -> AppResult<(StatusCode, Json<super::serving::NeedView>)> {
    let c = actor.caller();
    let row = super::serving::post_need(&st, &c, json_body(&b)?).await?;
    Ok((
        StatusCode::CREATED,
        Json(super::serving::need(&st, &c, row.id).await?),
    ))
}

/// `GET /api/v1/party/needs/{id}`
#[utoipa::path(
    get,
    operation_id = "party_need_get",
    path = "/party/needs/{id}",
    tag = "双报到",
    summary = "一项服务需求",
    params(("id" = i64, Path, description = "编号")),
    responses(
        (status = 200, description = "成功"),
        crate::web::Refused,
    ),
)]
pub async fn api_need_get(
    State(st): State<Base>,
    actor: Actor,
    Path(id): Path<i64>,
) -> AppResult<Json<super::serving::NeedView>> {
    Ok(Json(super::serving::need(&st, &actor.caller(), id).await?))
}

/// `POST /api/v1/party/needs/{id}/signups`
#[utoipa::path(
    post,
    operation_id = "party_need_sign_up",
    path = "/party/needs/{id}/signups",
    tag = "双报到",
    summary = "报名服务需求：报到党员为自己，工作人员为报到党员（{registration_id}）；名额满或重复报名被拒绝",
    params(("id" = i64, Path, description = "编号")),
    request_body(content = Object, content_type = "application/json", description = "{registration_id?}"),
    responses(
        (status = 200, description = "成功"),
        crate::web::RefusedWrite,
    ),
)]
pub async fn api_need_sign_up(
    State(st): State<Base>,
    actor: Actor,
    Path(id): Path<i64>,
    b: Bytes,
) -> AppResult<Json<super::serving::NeedView>> {
    Ok(Json(
        super::serving::sign_up(&st, &actor.caller(), id, json_body(&b)?).await?,
    ))
}

/// `POST /api/v1/party/needs/{id}/close`
#[utoipa::path(
    post,
    operation_id = "party_need_close",
    path = "/party/needs/{id}/close",
    tag = "双报到",
    summary = "服务需求结束报名",
    params(("id" = i64, Path, description = "编号")),
    responses(
        (status = 200, description = "成功"),
        crate::web::RefusedWrite,
    ),
)]
pub async fn api_need_close(
    State(st): State<Base>,
    actor: Actor,
    Path(id): Path<i64>,
) -> AppResult<Json<super::serving::NeedView>> {
    Ok(Json(
        super::serving::close_need(&st, &actor.caller(), id).await?,
    ))
}

/// `POST /api/v1/party/signups/{id}/{step}`
#[utoipa::path(
    post,
    operation_id = "party_signup_step",
    path = "/party/signups/{id}/{step}",
    tag = "双报到",
    summary = "报名的操作：serve 登记已服务及时长（党员本人或社区）；confirm 社区确认时长（可更正，确认后计入年度记录，本人不能确认）；cancel 取消",
    params(("id" = i64, Path, description = "报名编号"), ("step" = String, Path, description = "serve / confirm / cancel")),
    request_body(content = Object, content_type = "application/json", description = "{hours, note?}"),
    responses(
        (status = 200, description = "成功"),
        crate::web::RefusedWrite,
    ),
)]
pub async fn api_signup_step(
    State(st): State<Base>,
    actor: Actor,
    Path((id, step)): Path<(i64, String)>,
    b: Bytes,
) -> AppResult<Json<super::serving::NeedView>> {
    Ok(Json(
        super::serving::signup_step(&st, &actor.caller(), id, &step, json_body(&b)?).await?,
    ))
}

/// `GET /api/v1/party/whistles`
#[utoipa::path(
    get,
    operation_id = "party_whistles",
    path = "/party/whistles",
    tag = "吹哨报到",
    summary = "吹哨报到事项：吹哨的社区（街道）看管辖范围内的，职能部门看召集了本部门的；未办结的在前",
    responses(
        (status = 200, description = "成功"),
        crate::web::Refused,
    ),
)]
pub async fn api_whistles(
    State(st): State<Base>,
    actor: Actor,
) -> AppResult<Json<Vec<super::whistles::WhistleView>>> {
    Ok(Json(super::whistles::list(&st, &actor.caller()).await?))
}

/// `POST /api/v1/party/whistles`
#[utoipa::path(
    post,
    operation_id = "party_whistle_blow",
    path = "/party/whistles",
    tag = "吹哨报到",
    summary = "吹哨：就一个问题同时召集 2–20 个共建单位或职能部门，各有按工作日历计算的报到时限（默认 8 个工作小时）",
    request_body(content = Object, content_type = "application/json", description = "{org_node_id?, title, problem, place?, case_id?, callees: [{unit_id | department_id, limit_hours?}]}"),
    responses(
        (status = 201, description = "已创建"),
        crate::web::RefusedWrite,
    ),
)]
pub async fn api_whistle_blow(
    State(st): State<Base>,
    actor: Actor,
    b: Bytes,
) -> AppResult<(StatusCode, Json<super::whistles::WhistleView>)> {
    let c = actor.caller();
    let row = super::whistles::blow(&st, &c, json_body(&b)?).await?;
    Ok((
        StatusCode::CREATED,
        Json(super::whistles::one(&st, &c, row.id).await?),
    ))
}

/// `GET /api/v1/party/whistles/{id}`
#[utoipa::path(
    get,
    operation_id = "party_whistle_get",
    path = "/party/whistles/{id}",
    tag = "吹哨报到",
    summary = "一个吹哨事项：每个被召集方的时限、报到与反馈、是否超时（red）",
    params(("id" = i64, Path, description = "编号")),
    responses(
        (status = 200, description = "成功"),
        crate::web::Refused,
    ),
)]
pub async fn api_whistle_get(
    State(st): State<Base>,
    actor: Actor,
    Path(id): Path<i64>,
) -> AppResult<Json<super::whistles::WhistleView>> {
    Ok(Json(super::whistles::one(&st, &actor.caller(), id).await?))
}

/// `POST /api/v1/party/whistle-calls/{id}/{step}`
#[utoipa::path(
    post,
    operation_id = "party_whistle_call_step",
    path = "/party/whistle-calls/{id}/{step}",
    tag = "吹哨报到",
    summary = "被召集方报到（arrive）或反馈办理情况（answer，{answer} 必填）：职能部门本身，或吹哨的社区（街道）代为登记；全部反馈后自动办结",
    params(("id" = i64, Path, description = "召集编号"), ("step" = String, Path, description = "arrive / answer")),
    request_body(content = Object, content_type = "application/json", description = "{answer}"),
    responses(
        (status = 200, description = "成功"),
        crate::web::RefusedWrite,
    ),
)]
pub async fn api_whistle_call_step(
    State(st): State<Base>,
    actor: Actor,
    Path((id, step)): Path<(i64, String)>,
    b: Bytes,
) -> AppResult<Json<super::whistles::WhistleView>> {
    Ok(Json(
        super::whistles::call_step(&st, &actor.caller(), id, &step, json_body(&b)?).await?,
    ))
}

/// A period filter.
#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[serde(default)]
#[into_params(parameter_in = Query)]
pub struct PeriodQuery {
    /// 2026-11 (月度), 2026-Q4 (季度) or 2026 (年度).
    period: String,
}

/// `GET /api/v1/honours?period=`
#[utoipa::path(
    get,
    operation_id = "public_honours",
    path = "/honours",
    tag = "光荣榜",
    summary = "公布的光荣榜（不需登录）：类别、评选期、入选者姓名、所在社区、事迹简介和照片链接；不含证件号、电话、住址。period 为空时是最近公布的",
    params(PeriodQuery),
    responses((status = 200, description = "成功"), crate::web::Refused),
)]
pub async fn api_public_honours(
    State(st): State<Base>,
    crate::web::Query(q): crate::web::Query<PeriodQuery>,
) -> AppResult<Json<Vec<super::honours::PublicRoll>>> {
    Ok(Json(super::honours::public(&st.db, Some(&q.period)).await?))
}

/// `GET /api/v1/party/honour-categories`
#[utoipa::path(
    get,
    operation_id = "honour_categories",
    path = "/party/honour-categories",
    tag = "光荣榜",
    summary = "光荣榜类别：所在街道设立的（评选周期、每期名额、评选对象）",
    responses((status = 200, description = "成功"), crate::web::Refused),
)]
pub async fn api_honour_categories(
    State(st): State<Base>,
    actor: Actor,
) -> AppResult<Json<Vec<super::honours::CategoryView>>> {
    Ok(Json(
        super::honours::categories(&st, &actor.caller()).await?,
    ))
}

/// `POST /api/v1/party/honour-categories`
#[utoipa::path(
    post,
    operation_id = "honour_category_create",
    path = "/party/honour-categories",
    tag = "光荣榜",
    summary = "设立光荣榜类别（街道）：名称、周期（month/quarter/year）、每期名额 1–50、对象（person/party_org）",
    request_body(content = Object, content_type = "application/json", description = "{org_node_id?, name, period_kind, quota, subject, note?}"),
    responses((status = 201, description = "已创建"), crate::web::RefusedWrite),
)]
pub async fn api_honour_category_create(
    State(st): State<Base>,
    actor: Actor,
    b: Bytes,
) -> AppResult<(StatusCode, Json<super::honours::CategoryView>)> {
    let c = actor.caller();
    let row = super::honours::create_category(&st, &c, json_body(&b)?).await?;
    let view = super::honours::categories(&st, &c)
        .await?
        .into_iter()
        .find(|v| v.id == row.id)
        .ok_or_else(|| crate::infra::error::AppError::NotFound("光荣榜类别不存在".into()))?;
    Ok((StatusCode::CREATED, Json(view)))
}

/// `GET /api/v1/party/honour-nominations?period=`
#[utoipa::path(
    get,
    operation_id = "honour_nominations",
    path = "/party/honour-nominations",
    tag = "光荣榜",
    summary = "提名：工作人员看管辖范围内的，其他人看自己提名的",
    params(PeriodQuery),
    responses((status = 200, description = "成功"), crate::web::Refused),
)]
pub async fn api_honour_nominations(
    State(st): State<Base>,
    actor: Actor,
    crate::web::Query(q): crate::web::Query<PeriodQuery>,
) -> AppResult<Json<Vec<super::honours::NominationView>>> {
    Ok(Json(
        super::honours::nominations(&st, &actor.caller(), Some(&q.period)).await?,
    ))
}

/// `POST /api/v1/party/honour-nominations`
#[utoipa::path(
    post,
    operation_id = "honour_nominate",
    path = "/party/honour-nominations",
    tag = "光荣榜",
    summary = "提名（工作人员提名辖区居民或党组织；党员可自荐），须在本期或上一期、本期光荣榜公布前",
    request_body(content = Object, content_type = "application/json", description = "{category_id, period?, resident_id? | party_org_id?, citation, photo?}"),
    responses((status = 201, description = "已提名"), crate::web::RefusedWrite),
)]
pub async fn api_honour_nominate(
    State(st): State<Base>,
    actor: Actor,
    b: Bytes,
) -> AppResult<(StatusCode, Json<super::honours::NominationView>)> {
    let c = actor.caller();
    let row = super::honours::nominate(&st, &c, json_body(&b)?).await?;
    let view = super::honours::nominations(&st, &c, Some(&row.period))
        .await?
        .into_iter()
        .find(|v| v.id == row.id)
        .ok_or_else(|| crate::infra::error::AppError::NotFound("提名不存在".into()))?;
    Ok((StatusCode::CREATED, Json(view)))
}

/// `POST /api/v1/party/honour-nominations/{id}/{step}`
#[utoipa::path(
    post,
    operation_id = "honour_decide",
    path = "/party/honour-nominations/{id}/{step}",
    tag = "光荣榜",
    summary = "审定提名：approve 入选（街道，不超过名额）、reject 不入选（街道，须写意见）、withdraw 撤回（提名人）；本期公布后不能改动",
    params(("id" = i64, Path, description = "提名编号"), ("step" = String, Path, description = "approve / reject / withdraw")),
    request_body(content = Object, content_type = "application/json", description = "{note}"),
    responses((status = 200, description = "成功"), crate::web::RefusedWrite),
)]
pub async fn api_honour_decide(
    State(st): State<Base>,
    actor: Actor,
    Path((id, step)): Path<(i64, String)>,
    b: Bytes,
) -> AppResult<Json<super::honours::NominationView>> {
    Ok(Json(
        super::honours::decide(&st, &actor.caller(), id, &step, json_body(&b)?).await?,
    ))
}

/// `POST /api/v1/party/honour-rolls`
#[utoipa::path(
    post,
    operation_id = "honour_publish",
    path = "/party/honour-rolls",
    tag = "光荣榜",
    summary = "公布一期光荣榜（街道）：入选者公开，本期冻结，未审定的提名视为未入选",
    request_body(content = Object, content_type = "application/json", description = "{category_id, period}"),
    responses((status = 201, description = "已公布"), crate::web::RefusedWrite),
)]
pub async fn api_honour_publish(
    State(st): State<Base>,
    actor: Actor,
    b: Bytes,
) -> AppResult<(StatusCode, Json<serde_json::Value>)> {
    let id = super::honours::publish(&st, &actor.caller(), json_body(&b)?).await?;
    Ok((StatusCode::CREATED, Json(serde_json::json!({"id": id}))))
}
