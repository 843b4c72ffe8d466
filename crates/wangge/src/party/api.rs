//! The party slice's JSON API.

use super::service::{self, OrgInput, OrgView};
use super::shape;
use crate::infra::error::AppResult;
use crate::web::{Actor, Base};
use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use serde::Deserialize;

/// `GET /api/v1/party/orgs`: the party tree in the caller's subtree.
#[utoipa::path(
    get,
    operation_id = "party_tree",
    path = "/party/orgs",
    tag = "党组织",
    summary = "管辖范围内的党组织树（嵌套；含类型、所在节点、任期与换届到期日）",
    responses(
        (status = 200, description = "成功"),
        crate::web::Refused,
    ),
)]
pub async fn api_tree(State(st): State<Base>, actor: Actor) -> AppResult<Json<Vec<OrgView>>> {
    Ok(Json(service::tree(&st.db, &actor.caller()).await?))
}

/// `POST /api/v1/party/orgs`
#[utoipa::path(
    post,
    operation_id = "party_create",
    path = "/party/orgs",
    tag = "党组织",
    summary = "建立党组织（党(工)委、党总支、党支部或党小组）",
    request_body(content = Object, content_type = "application/json", description = "{org_node_id, parent_id?, name, kind, category?（支部类别）, secretary?, founded_on?, elected_on?, note?}"),
    responses(
        (status = 201, description = "已建立"),
        crate::web::RefusedWrite,
    ),
)]
pub async fn api_create(
    State(st): State<Base>,
    actor: Actor,
    b: Bytes,
) -> AppResult<(StatusCode, Json<OrgView>)> {
    let input: OrgInput = crate::web::json_body(&b)?;
    let c = actor.caller();
    let row = service::create(&st.db, &c, input).await?;
    Ok((StatusCode::CREATED, Json(one(&st, &row).await?)))
}

/// `GET /api/v1/party/orgs/{id}`
#[utoipa::path(
    get,
    operation_id = "party_get",
    path = "/party/orgs/{id}",
    tag = "党组织",
    summary = "一个党组织（含其下级）",
    params(("id" = i64, Path, description = "编号")),
    responses(
        (status = 200, description = "成功"),
        crate::web::Refused,
    ),
)]
pub async fn api_get(
    State(st): State<Base>,
    actor: Actor,
    Path(id): Path<i64>,
) -> AppResult<Json<OrgView>> {
    let c = actor.caller();
    let row = service::find(&st.db, &c, id).await?;
    let mut v = one(&st, &row).await?;
    v.children = children(&st, &c, id).await?;
    Ok(Json(v))
}

/// `PATCH /api/v1/party/orgs/{id}`
#[utoipa::path(
    patch,
    operation_id = "party_update",
    path = "/party/orgs/{id}",
    tag = "党组织",
    summary = "修改党组织（名称、类别、书记、成立与换届日期、备注；带版本号）",
    params(("id" = i64, Path, description = "编号")),
    request_body(content = Object, content_type = "application/json", description = "{name, category?, secretary?, founded_on?, elected_on?, note?, version}"),
    responses(
        (status = 200, description = "成功"),
        crate::web::RefusedWrite,
    ),
)]
pub async fn api_update(
    State(st): State<Base>,
    actor: Actor,
    Path(id): Path<i64>,
    b: Bytes,
) -> AppResult<Json<OrgView>> {
    let input: OrgInput = crate::web::json_body(&b)?;
    let row = service::update(&st.db, &actor.caller(), id, input).await?;
    Ok(Json(one(&st, &row).await?))
}

/// The body of a dissolution.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct DissolveInput {
    /// The version the caller saw.
    pub version: Option<i32>,
}

/// `POST /api/v1/party/orgs/{id}/dissolve`
#[utoipa::path(
    post,
    operation_id = "party_dissolve",
    path = "/party/orgs/{id}/dissolve",
    tag = "党组织",
    summary = "撤销党组织（其下须已无在册的下级；历史保留）",
    params(("id" = i64, Path, description = "编号")),
    request_body(content = Object, content_type = "application/json", description = "{version?}"),
    responses(
        (status = 204, description = "已撤销"),
        crate::web::RefusedWrite,
    ),
)]
pub async fn api_dissolve(
    State(st): State<Base>,
    actor: Actor,
    Path(id): Path<i64>,
    b: Bytes,
) -> AppResult<StatusCode> {
    let input: DissolveInput = if b.is_empty() {
        DissolveInput::default()
    } else {
        crate::web::json_body(&b)?
    };
    service::dissolve(&st.db, &actor.caller(), id, input.version).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The terms of office, in years.
#[derive(Debug, Default, Deserialize, serde::Serialize)]
#[serde(default)]
pub struct TermsBody {
    /// 村、社区党组织.
    pub grassroots: u32,
    /// 其他党组织.
    pub other: u32,
}

/// `GET /api/v1/party/terms`
#[utoipa::path(
    get,
    operation_id = "party_terms",
    path = "/party/terms",
    tag = "党组织",
    summary = "党组织任期（年）：村、社区与其他",
    responses(
        (status = 200, description = "成功"),
        crate::web::Refused,
    ),
)]
pub async fn api_terms(State(st): State<Base>, actor: Actor) -> AppResult<Json<TermsBody>> {
    actor.caller().require(wangge_core::Permission::PartyView)?;
    let t = service::terms(&st.db).await?;
    Ok(Json(TermsBody {
        grassroots: t.grassroots,
        other: t.other,
    }))
}

/// `PUT /api/v1/party/terms`
#[utoipa::path(
    put,
    operation_id = "party_set_terms",
    path = "/party/terms",
    tag = "党组织",
    summary = "设定党组织任期（区级党建部门；各 1–10 年）",
    request_body(content = Object, content_type = "application/json", description = "{grassroots, other}"),
    responses(
        (status = 200, description = "已设定"),
        crate::web::Refused,
    ),
)]
pub async fn api_set_terms(
    State(st): State<Base>,
    actor: Actor,
    b: Bytes,
) -> AppResult<Json<TermsBody>> {
    let input: TermsBody = crate::web::json_body(&b)?;
    let t = service::set_terms(&st.db, &actor.caller(), input.grassroots, input.other).await?;
    Ok(Json(TermsBody {
        grassroots: t.grassroots,
        other: t.other,
    }))
}

/// The view of one row.
pub(super) async fn one(st: &Base, row: &super::entity::party_org::Model) -> AppResult<OrgView> {
    let mut v = service::views(&st.db, std::slice::from_ref(row)).await?;
    v.pop()
        .ok_or_else(|| crate::infra::error::AppError::NotFound("党组织不存在".into()))
}

/// The organizations directly under one, in the caller's subtree.
pub(super) async fn children(
    st: &Base,
    c: &crate::web::Caller,
    id: i64,
) -> AppResult<Vec<OrgView>> {
    let rows: Vec<_> = service::list(&st.db, c)
        .await?
        .into_iter()
        .filter(|r| r.parent_id == Some(id))
        .collect();
    service::views(&st.db, &rows).await
}

use super::{links, meetings, members};
use crate::web::Query;

/// `GET /api/v1/party/members`
#[utoipa::path(
    get,
    operation_id = "party_members",
    path = "/party/members",
    tag = "党员",
    summary = "管辖范围内的党员和入党申请人（分页；身份证号遮蔽；仅党建工作人员和支部书记）",
    params(
        ("org" = Option<i64>, Query, description = "党组织（含其下级）"),
        ("q" = Option<String>, Query, description = "姓名"),
        ("category" = Option<String>, Query, description = "人员类别：applicant、activist、candidate、probationary、full，或 members（预备和正式）"),
        ("status" = Option<String>, Query, description = "normal、suspended、lost（失联）、flowing（流动）、abroad（出国境）、probation_due（待转正）"),
        ("skill" = Option<String>, Query, description = "特长（或其中几个字）：找能帮忙的党员，如 法律、医疗、维修"),
        ("page" = Option<u64>, Query, description = "页码"),
        ("per_page" = Option<u64>, Query, description = "每页条数"),
    ),
    responses(
        (status = 200, description = "成功"),
        crate::web::Refused,
    ),
)]
pub async fn api_members(
    State(st): State<Base>,
    actor: Actor,
    Query(f): Query<members::Filter>,
) -> AppResult<Json<members::Page>> {
    Ok(Json(members::list(&st, &actor.caller(), &f).await?))
}

/// `POST /api/v1/party/members`
#[utoipa::path(
    post,
    operation_id = "party_member_create",
    path = "/party/members",
    tag = "党员",
    summary = "登记党员或入党申请人（须是人口登记中的居民；一人同时只能有一个组织关系）",
    request_body(content = Object, content_type = "application/json", description = "{resident_id, party_org_id, group_id?, stage, applied_on, joined_on?, full_on?, introducers?, post?, work_unit?, skills?（特长，顿号分开，最多 8 项）, education?, migrant_worker?, user_id?, letter_no?（转入介绍信）, from_org?}"),
    responses(
        (status = 201, description = "已登记"),
        crate::web::RefusedWrite,
    ),
)]
pub async fn api_member_create(
    State(st): State<Base>,
    actor: Actor,
    b: Bytes,
) -> AppResult<(StatusCode, Json<members::MemberDetail>)> {
    let input: members::MemberInput = crate::web::json_body(&b)?;
    let c = actor.caller();
    let row = members::create(&st, &c, input).await?;
    Ok((
        StatusCode::CREATED,
        Json(members::written_back(&st, &c, row.id).await?),
    ))
}

/// `GET /api/v1/party/members/{id}`
#[utoipa::path(
    get,
    operation_id = "party_member_get",
    path = "/party/members/{id}",
    tag = "党员",
    summary = "一名党员的档案与历程（每次查看记入审计日志）",
    params(("id" = i64, Path, description = "编号")),
    responses(
        (status = 200, description = "成功"),
        crate::web::Refused,
    ),
)]
pub async fn api_member_get(
    State(st): State<Base>,
    actor: Actor,
    Path(id): Path<i64>,
) -> AppResult<Json<members::MemberDetail>> {
    Ok(Json(members::detail(&st, &actor.caller(), id).await?))
}

/// `PATCH /api/v1/party/members/{id}`
#[utoipa::path(
    patch,
    operation_id = "party_member_update",
    path = "/party/members/{id}",
    tag = "党员",
    summary = "修改党员信息（党小组、职务、党籍状态、失联、流动、出国境、工作单位等；带版本号）",
    params(("id" = i64, Path, description = "编号")),
    request_body(content = Object, content_type = "application/json", description = "{group_id?, introducers, post, work_unit, skills?, education, migrant_worker, standing, lost_on, lost_note, flow_out, flow_in_org, abroad, user_id?, version}"),
    responses(
        (status = 200, description = "成功"),
        crate::web::RefusedWrite,
    ),
)]
pub async fn api_member_update(
    State(st): State<Base>,
    actor: Actor,
    Path(id): Path<i64>,
    b: Bytes,
) -> AppResult<Json<members::MemberDetail>> {
    let input: members::FieldsInput = crate::web::json_body(&b)?;
    let c = actor.caller();
    members::update(&st, &c, id, input).await?;
    Ok(Json(members::written_back(&st, &c, id).await?))
}

/// `POST /api/v1/party/members/{id}/steps`
#[utoipa::path(
    post,
    operation_id = "party_member_step",
    path = "/party/members/{id}/steps",
    tag = "党员",
    summary = "发展程序的一步：advance（进入下一阶段）、return（退回）、refuse（终止）、extend（延长预备期）",
    params(("id" = i64, Path, description = "编号")),
    request_body(content = Object, content_type = "application/json", description = "{step, on, approved_by?, reason?, months?, version?}"),
    responses(
        (status = 200, description = "成功"),
        crate::web::RefusedWrite,
    ),
)]
pub async fn api_member_step(
    State(st): State<Base>,
    actor: Actor,
    Path(id): Path<i64>,
    b: Bytes,
) -> AppResult<Json<members::MemberDetail>> {
    let input: members::StepBody = crate::web::json_body(&b)?;
    let c = actor.caller();
    members::step(&st, &c, id, input).await?;
    Ok(Json(members::written_back(&st, &c, id).await?))
}

/// `POST /api/v1/party/members/{id}/transfer`
#[utoipa::path(
    post,
    operation_id = "party_member_transfer",
    path = "/party/members/{id}/transfer",
    tag = "党员",
    summary = "组织关系转接：转到系统内另一党支部，或转出到系统外（须有介绍信编号）",
    params(("id" = i64, Path, description = "编号")),
    request_body(content = Object, content_type = "application/json", description = "{to_org_id? | to_outside?, letter_no, on, version?}"),
    responses(
        (status = 200, description = "成功"),
        crate::web::RefusedWrite,
    ),
)]
pub async fn api_member_transfer(
    State(st): State<Base>,
    actor: Actor,
    Path(id): Path<i64>,
    b: Bytes,
) -> AppResult<Json<members::MemberDetail>> {
    let input: members::TransferInput = crate::web::json_body(&b)?;
    let c = actor.caller();
    members::transfer(&st, &c, id, input).await?;
    Ok(Json(members::written_back(&st, &c, id).await?))
}

/// `POST /api/v1/party/links`
#[utoipa::path(
    post,
    operation_id = "party_link",
    path = "/party/links",
    tag = "党员联户",
    summary = "党员联户或网格员包户：把一户交给一名党员或一名网格员联系（超过建议户数时提示）",
    request_body(content = Object, content_type = "application/json", description = "{kind: member | grid_worker, household_id, holder_id（党员编号或网格员账号编号）}"),
    responses(
        (status = 201, description = "已联系"),
        crate::web::RefusedWrite,
    ),
)]
pub async fn api_link(
    State(st): State<Base>,
    actor: Actor,
    b: Bytes,
) -> AppResult<(StatusCode, Json<links::Linked>)> {
    let input: links::LinkInput = crate::web::json_body(&b)?;
    Ok((
        StatusCode::CREATED,
        Json(links::link(&st, &actor.caller(), input).await?),
    ))
}

/// `POST /api/v1/party/links/{id}/end`
#[utoipa::path(
    post,
    operation_id = "party_unlink",
    path = "/party/links/{id}/end",
    tag = "党员联户",
    summary = "解除联户（历史保留）",
    params(("id" = i64, Path, description = "编号")),
    responses(
        (status = 204, description = "已解除"),
        crate::web::RefusedWrite,
    ),
)]
pub async fn api_unlink(
    State(st): State<Base>,
    actor: Actor,
    Path(id): Path<i64>,
) -> AppResult<StatusCode> {
    links::unlink(&st, &actor.caller(), id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// `GET /api/v1/party/coverage`
#[utoipa::path(
    get,
    operation_id = "party_coverage",
    path = "/party/coverage",
    tag = "党员联户",
    summary = "联户覆盖：住户数、有党员联系的、有网格员包户的、两者都没有的（按网格），联户覆盖率 = 有党员联系的住户 ÷ 住户",
    params(
        ("org" = Option<i64>, Query, description = "党组织（按其所在节点统计）"),
        ("grid" = Option<i64>, Query, description = "只列这个网格的住户"),
        ("gaps" = Option<String>, Query, description = "列出哪些住户：neither（两者都没有，默认）、member（无党员联系）、worker（无网格员包户）；每次最多 60 户"),
    ),
    responses(
        (status = 200, description = "成功"),
        crate::web::Refused,
    ),
)]
pub async fn api_coverage(
    State(st): State<Base>,
    actor: Actor,
    Query(q): Query<CoverageQuery>,
) -> AppResult<Json<links::Coverage>> {
    let want = links::Want::parse(&q.gaps)?;
    Ok(Json(
        links::coverage(&st, &actor.caller(), q.org, q.grid, want).await?,
    ))
}

/// The coverage's query.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct CoverageQuery {
    /// A party organization (its place); none for the caller's whole subtree.
    pub org: Option<i64>,
    /// One grid's gaps.
    pub grid: Option<i64>,
    /// `neither`, `member`, `worker`.
    pub gaps: String,
}

/// `GET /api/v1/party/meetings`
#[utoipa::path(
    get,
    operation_id = "party_meetings",
    path = "/party/meetings",
    tag = "三会一课",
    summary = "会议与组织生活记录（最新在前，最多 500 条）",
    params(
        ("org" = Option<i64>, Query, description = "党组织（含其下级）"),
        ("kind" = Option<String>, Query, description = "general、committee、group、lecture、theme_day、life_meeting、appraisal、talk"),
        ("from" = Option<String>, Query, description = "开始日期"),
        ("to" = Option<String>, Query, description = "结束日期"),
    ),
    responses(
        (status = 200, description = "成功"),
        crate::web::Refused,
    ),
)]
pub async fn api_meetings(
    State(st): State<Base>,
    actor: Actor,
    Query(f): Query<meetings::Filter>,
) -> AppResult<Json<Vec<meetings::MeetingView>>> {
    Ok(Json(meetings::list(&st, &actor.caller(), &f).await?))
}

/// `POST /api/v1/party/meetings`
#[utoipa::path(
    post,
    operation_id = "party_meeting_record",
    path = "/party/meetings",
    tag = "三会一课",
    summary = "登记会议（出席、决议与表决）；表决不足法定人数或赞成票未过应到半数而称“通过”的，拒绝并说明原因（no_quorum、no_majority）",
    request_body(content = Object, content_type = "application/json", description = "{party_org_id, kind, held_on, place?, topic, chair?, recorder?, minutes?, attendance: [{member_id, presence, excluded?, excluded_by?}], guests: [{name}], resolutions: [{title, votes: [{member_id, choice}], passed?}]}"),
    responses(
        (status = 201, description = "已登记"),
        crate::web::RefusedWrite,
    ),
)]
pub async fn api_meeting_record(
    State(st): State<Base>,
    actor: Actor,
    b: Bytes,
) -> AppResult<(StatusCode, Json<meetings::MeetingDetail>)> {
    let input: meetings::MeetingInput = crate::web::json_body(&b)?;
    let c = actor.caller();
    let row = meetings::record(&st, &c, input).await?;
    Ok((
        StatusCode::CREATED,
        Json(meetings::detail(&st, &c, row.id).await?),
    ))
}

/// `GET /api/v1/party/meetings/{id}`
#[utoipa::path(
    get,
    operation_id = "party_meeting_get",
    path = "/party/meetings/{id}",
    tag = "三会一课",
    summary = "一次会议：记录、出席（应到、实到）、决议与表决结果",
    params(("id" = i64, Path, description = "编号")),
    responses(
        (status = 200, description = "成功"),
        crate::web::Refused,
    ),
)]
pub async fn api_meeting_get(
    State(st): State<Base>,
    actor: Actor,
    Path(id): Path<i64>,
) -> AppResult<Json<meetings::MeetingDetail>> {
    Ok(Json(meetings::detail(&st, &actor.caller(), id).await?))
}

/// The compliance view's query.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ComplianceQuery {
    pub org: Option<i64>,
    pub from: String,
    pub to: String,
}

/// `GET /api/v1/party/compliance`
#[utoipa::path(
    get,
    operation_id = "party_compliance",
    path = "/party/compliance",
    tag = "三会一课",
    summary = "组织生活落实情况：每个党支部、党小组在时间段内按其自身情况应开、已开、缺开、本期待开（默认本季度）",
    params(
        ("org" = Option<i64>, Query, description = "党组织（含其下级）"),
        ("from" = Option<String>, Query, description = "开始日期"),
        ("to" = Option<String>, Query, description = "结束日期"),
    ),
    responses(
        (status = 200, description = "成功"),
        crate::web::Refused,
    ),
)]
pub async fn api_compliance(
    State(st): State<Base>,
    actor: Actor,
    Query(q): Query<ComplianceQuery>,
) -> AppResult<Json<meetings::Compliance>> {
    let period = meetings::period(&q.from, &q.to)?;
    Ok(Json(
        meetings::compliance(&st, &actor.caller(), q.org, period).await?,
    ))
}

use super::centers;

/// `GET /api/v1/party/centers`
#[utoipa::path(
    get,
    operation_id = "party_centers",
    path = "/party/centers",
    tag = "党员联户",
    summary = "党员中心户（推荐、公示、备案、挂牌、撤销）",
    params(("org" = Option<i64>, Query, description = "党组织（按其所在区域）")),
    responses(
        (status = 200, description = "成功"),
        crate::web::Refused,
    ),
)]
pub async fn api_centers(
    State(st): State<Base>,
    actor: Actor,
    Query(q): Query<CoverageQuery>,
) -> AppResult<Json<Vec<centers::CenterView>>> {
    Ok(Json(centers::list(&st, &actor.caller(), q.org).await?))
}

/// `POST /api/v1/party/centers`
#[utoipa::path(
    post,
    operation_id = "party_center_nominate",
    path = "/party/centers",
    tag = "党员联户",
    summary = "推荐党员中心户（设在这名党员自己家中；一名党员只有一个）",
    request_body(content = Object, content_type = "application/json", description = "{member_id, on, note?}"),
    responses(
        (status = 201, description = "已推荐"),
        crate::web::RefusedWrite,
    ),
)]
pub async fn api_center_nominate(
    State(st): State<Base>,
    actor: Actor,
    b: Bytes,
) -> AppResult<(StatusCode, Json<centers::CenterView>)> {
    let input: centers::NominateInput = crate::web::json_body(&b)?;
    let c = actor.caller();
    let row = centers::nominate(&st, &c, input).await?;
    Ok((
        StatusCode::CREATED,
        Json(centers::one(&st, &c, row.id).await?),
    ))
}

/// `POST /api/v1/party/centers/{id}/steps`
#[utoipa::path(
    post,
    operation_id = "party_center_step",
    path = "/party/centers/{id}/steps",
    tag = "党员联户",
    summary = "党员中心户的一步：announce（公示，不少于 5 天）、file（公示期满后备案）、plaque（挂牌）、revoke（撤销，须写理由）",
    params(("id" = i64, Path, description = "编号")),
    request_body(content = Object, content_type = "application/json", description = "{step, on, until?, reason?, version?}"),
    responses(
        (status = 200, description = "成功"),
        crate::web::RefusedWrite,
    ),
)]
pub async fn api_center_step(
    State(st): State<Base>,
    actor: Actor,
    Path(id): Path<i64>,
    b: Bytes,
) -> AppResult<Json<centers::CenterView>> {
    let input: centers::StepInput = crate::web::json_body(&b)?;
    let c = actor.caller();
    let row = centers::step(&st, &c, id, input).await?;
    Ok(Json(centers::one(&st, &c, row.id).await?))
}

/// The file's kind and title.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct FileQuery {
    #[serde(rename = "type")]
    pub doc_type: String,
    pub title: String,
}

/// `POST /api/v1/party/meetings/{id}/files?type=&title=` with the file as the body.
#[utoipa::path(
    post,
    operation_id = "party_meeting_file",
    path = "/party/meetings/{id}/files",
    tag = "三会一课",
    summary = "上传会议文件（会议通知、签到表、会议记录或照片；PDF 或照片，不超过 20 MB）",
    params(
        ("id" = i64, Path, description = "会议编号"),
        ("type" = Option<String>, Query, description = "notice、sign_in、minutes、photo（或中文）"),
        ("title" = Option<String>, Query, description = "名称"),
    ),
    request_body(content = String, content_type = "application/octet-stream", description = "PDF 或照片"),
    responses(
        (status = 201, description = "已上传"),
        crate::web::RefusedWrite,
    ),
)]
pub async fn api_meeting_file(
    State(st): State<Base>,
    actor: Actor,
    Path(id): Path<i64>,
    Query(q): Query<FileQuery>,
    b: Bytes,
) -> AppResult<(StatusCode, Json<serde_json::Value>)> {
    let f = meetings::add_file(&st, &actor.caller(), id, &q.doc_type, &q.title, &b).await?;
    Ok((
        StatusCode::CREATED,
        Json(
            serde_json::json!({"id": f.id, "type": f.doc_type, "title": f.title, "mime": f.mime,
            "href": format!("/party/meetings/{id}/files/{}", f.id)}),
        ),
    ))
}

/// `GET /api/v1/party/orgs/{id}/elections`
#[utoipa::path(
    get,
    operation_id = "party_elections",
    path = "/party/orgs/{id}/elections",
    tag = "党组织",
    summary = "党支部的选举记录（换届选举、补选），新的在前，含当选人、职务与得票",
    params(("id" = i64, Path, description = "党组织编号")),
    responses(
        (status = 200, description = "成功"),
        crate::web::Refused,
    ),
)]
pub async fn api_elections(
    State(st): State<Base>,
    actor: Actor,
    Path(id): Path<i64>,
) -> AppResult<Json<Vec<shape::ElectionView>>> {
    Ok(Json(shape::elections(&st, &actor.caller(), id).await?))
}

/// `POST /api/v1/party/orgs/{id}/elections`
#[utoipa::path(
    post,
    operation_id = "party_election_record",
    path = "/party/orgs/{id}/elections",
    tag = "党组织",
    summary = "登记党支部的选举：到会须超过应到会有选举权党员的五分之四，当选须得赞成票超过应到会有选举权人数的一半，委员差额不少于 20%；不符合时拒绝并说明（election_invalid）。换届选举更新换届日期和职务",
    params(("id" = i64, Path, description = "党组织编号")),
    request_body(content = Object, content_type = "application/json", description = "{kind: regular|by_election, held_on, entitled, present, seats, candidates, elected: [{member_id, post, votes}], approval_no?, note?}"),
    responses(
        (status = 201, description = "已登记"),
        crate::web::RefusedWrite,
    ),
)]
pub async fn api_election_record(
    State(st): State<Base>,
    actor: Actor,
    Path(id): Path<i64>,
    b: Bytes,
) -> AppResult<(StatusCode, Json<shape::ElectionView>)> {
    let input: shape::ElectionInput = crate::web::json_body(&b)?;
    let c = actor.caller();
    let row = shape::record_election(&st, &c, id, input).await?;
    let one = the_one(shape::elections(&st, &c, id).await?, row.id, |e| e.id)?;
    Ok((StatusCode::CREATED, Json(one)))
}

/// `GET /api/v1/party/orgs/{id}/units`
#[utoipa::path(
    get,
    operation_id = "party_units",
    path = "/party/orgs/{id}/units",
    tag = "党组织",
    summary = "联合党支部的组建单位（含已退出的）",
    params(("id" = i64, Path, description = "党组织编号")),
    responses(
        (status = 200, description = "成功"),
        crate::web::Refused,
    ),
)]
pub async fn api_units(
    State(st): State<Base>,
    actor: Actor,
    Path(id): Path<i64>,
) -> AppResult<Json<Vec<shape::UnitView>>> {
    Ok(Json(shape::units(&st.db, &actor.caller(), id).await?))
}

/// `POST /api/v1/party/orgs/{id}/units`
#[utoipa::path(
    post,
    operation_id = "party_unit_add",
    path = "/party/orgs/{id}/units",
    tag = "党组织",
    summary = "为联合党支部增加组建单位（一般不超过 5 个，超过时提示）",
    params(("id" = i64, Path, description = "党组织编号")),
    request_body(content = Object, content_type = "application/json", description = "{name, kind: 企业|社会组织|机关事业单位|其他, contact?, joined_on}"),
    responses(
        (status = 201, description = "已增加"),
        crate::web::RefusedWrite,
    ),
)]
pub async fn api_unit_add(
    State(st): State<Base>,
    actor: Actor,
    Path(id): Path<i64>,
    b: Bytes,
) -> AppResult<(StatusCode, Json<shape::UnitView>)> {
    let input: shape::UnitInput = crate::web::json_body(&b)?;
    let c = actor.caller();
    let row = shape::add_unit(&st.db, &c, id, input).await?;
    let one = the_one(shape::units(&st.db, &c, id).await?, row.id, |u| u.id)?;
    Ok((StatusCode::CREATED, Json(one)))
}

/// When a unit left.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct UnitEndInput {
    /// 退出日期.
    pub left_on: String,
}

/// `POST /api/v1/party/units/{id}/end`
#[utoipa::path(
    post,
    operation_id = "party_unit_end",
    path = "/party/units/{id}/end",
    tag = "党组织",
    summary = "组建单位退出联合党支部（记录保留）",
    params(("id" = i64, Path, description = "组建单位编号")),
    request_body(content = Object, content_type = "application/json", description = "{left_on}"),
    responses(
        (status = 204, description = "已退出"),
        crate::web::RefusedWrite,
    ),
)]
pub async fn api_unit_end(
    State(st): State<Base>,
    actor: Actor,
    Path(id): Path<i64>,
    b: Bytes,
) -> AppResult<StatusCode> {
    let input: UnitEndInput = crate::web::json_body(&b)?;
    shape::end_unit(&st.db, &actor.caller(), id, &input.left_on).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// `GET /api/v1/party/orgs/{id}/changes`
#[utoipa::path(
    get,
    operation_id = "party_changes",
    path = "/party/orgs/{id}/changes",
    tag = "党组织",
    summary = "党组织的调整记录（合并、分设、调整隶属），新的在前",
    params(("id" = i64, Path, description = "党组织编号")),
    responses(
        (status = 200, description = "成功"),
        crate::web::Refused,
    ),
)]
pub async fn api_changes(
    State(st): State<Base>,
    actor: Actor,
    Path(id): Path<i64>,
) -> AppResult<Json<Vec<shape::ChangeView>>> {
    Ok(Json(shape::changes(&st.db, &actor.caller(), id).await?))
}

/// `POST /api/v1/party/orgs/{id}/reorganize`
#[utoipa::path(
    post,
    operation_id = "party_reorganize",
    path = "/party/orgs/{id}/reorganize",
    tag = "党组织",
    summary = "调整党组织并保留历史：merge（合并：全部党员和党小组并入 to，本支部关闭）、split（分设：members 所列党员转入 to）、move（调整隶属：to 为新的上级）",
    params(("id" = i64, Path, description = "党组织编号")),
    request_body(content = Object, content_type = "application/json", description = "{kind: merge|split|move, to, members?, on, approval_no?, note?, version?}"),
    responses(
        (status = 201, description = "已调整"),
        crate::web::RefusedWrite,
    ),
)]
pub async fn api_reorganize(
    State(st): State<Base>,
    actor: Actor,
    Path(id): Path<i64>,
    b: Bytes,
) -> AppResult<(StatusCode, Json<shape::ChangeView>)> {
    let input: shape::ReorgInput = crate::web::json_body(&b)?;
    let c = actor.caller();
    let row = shape::reorganize(&st.db, &c, id, input).await?;
    let one = the_one(shape::changes(&st.db, &c, id).await?, row.id, |x| x.id)?;
    Ok((StatusCode::CREATED, Json(one)))
}

/// The row just written, from the list it belongs to (as the caller sees it).
fn the_one<T>(all: Vec<T>, id: i64, id_of: impl Fn(&T) -> i64) -> AppResult<T> {
    all.into_iter()
        .find(|x| id_of(x) == id)
        .ok_or_else(|| crate::infra::error::AppError::NotFound("记录不存在".into()))
}

/// `GET /api/v1/party/pledges?year=&org=`
#[utoipa::path(
    get,
    operation_id = "party_pledges",
    path = "/party/pledges",
    tag = "党员",
    summary = "承诺践诺：某年度的承诺（党支部书记和街道党建人员看管辖范围内的，党员看自己的）",
    params(
        ("year" = Option<i32>, Query, description = "年度（默认今年）"),
        ("org" = Option<i64>, Query, description = "党支部"),
    ),
    responses(
        (status = 200, description = "成功"),
        crate::web::Refused,
    ),
)]
pub async fn api_pledges(
    State(st): State<Base>,
    actor: Actor,
    Query(f): Query<super::pledges::Filter>,
) -> AppResult<Json<Vec<super::pledges::PledgeView>>> {
    Ok(Json(super::pledges::list(&st, &actor.caller(), &f).await?))
}

/// `POST /api/v1/party/pledges`
#[utoipa::path(
    post,
    operation_id = "party_pledge_make",
    path = "/party/pledges",
    tag = "党员",
    summary = "作出承诺（党员为自己；书记可为本支部党员录入）；每人每年最多 5 条",
    request_body(content = Object, content_type = "application/json", description = "{content, year?, member_id?}"),
    responses(
        (status = 201, description = "已承诺"),
        crate::web::RefusedWrite,
    ),
)]
pub async fn api_pledge_make(
    State(st): State<Base>,
    actor: Actor,
    b: Bytes,
) -> AppResult<(StatusCode, Json<super::pledges::PledgeView>)> {
    let input: super::pledges::PledgeInput = crate::web::json_body(&b)?;
    let c = actor.caller();
    let row = super::pledges::create(&st, &c, input).await?;
    Ok((
        StatusCode::CREATED,
        Json(super::pledges::one(&st, &c, row.id).await?),
    ))
}

/// `POST /api/v1/party/pledges/{id}/report`
#[utoipa::path(
    post,
    operation_id = "party_pledge_report",
    path = "/party/pledges/{id}/report",
    tag = "党员",
    summary = "汇报践诺情况（评议前可修改）",
    params(("id" = i64, Path, description = "编号")),
    request_body(content = Object, content_type = "application/json", description = "{text, on, version?}"),
    responses(
        (status = 200, description = "成功"),
        crate::web::RefusedWrite,
    ),
)]
pub async fn api_pledge_report(
    State(st): State<Base>,
    actor: Actor,
    Path(id): Path<i64>,
    b: Bytes,
) -> AppResult<Json<super::pledges::PledgeView>> {
    let input: super::pledges::StepInput = crate::web::json_body(&b)?;
    let c = actor.caller();
    let row = super::pledges::step(&st, &c, id, false, input).await?;
    Ok(Json(super::pledges::one(&st, &c, row.id).await?))
}

/// `POST /api/v1/party/pledges/{id}/review`
#[utoipa::path(
    post,
    operation_id = "party_pledge_review",
    path = "/party/pledges/{id}/review",
    tag = "党员",
    summary = "党支部评议：已践诺、部分践诺或未践诺（须在党员汇报之后）",
    params(("id" = i64, Path, description = "编号")),
    request_body(content = Object, content_type = "application/json", description = "{verdict, text?, on, version?}"),
    responses(
        (status = 200, description = "成功"),
        crate::web::RefusedWrite,
    ),
)]
pub async fn api_pledge_review(
    State(st): State<Base>,
    actor: Actor,
    Path(id): Path<i64>,
    b: Bytes,
) -> AppResult<Json<super::pledges::PledgeView>> {
    let input: super::pledges::StepInput = crate::web::json_body(&b)?;
    let c = actor.caller();
    let row = super::pledges::step(&st, &c, id, true, input).await?;
    Ok(Json(super::pledges::one(&st, &c, row.id).await?))
}

/// What the posts' list asks.
#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[serde(default)]
pub struct PostsQuery {
    /// Ended posts too.
    all: bool,
}

/// `GET /api/v1/party/posts?all=`
#[utoipa::path(
    get,
    operation_id = "party_posts",
    path = "/party/posts",
    tag = "党员",
    summary = "党员先锋岗和党员责任区：管辖范围内在岗的（all=true 含已撤销的），按地点",
    params(PostsQuery),
    responses(
        (status = 200, description = "成功"),
        crate::web::Refused,
    ),
)]
pub async fn api_posts(
    State(st): State<Base>,
    actor: Actor,
    crate::web::Query(q): crate::web::Query<PostsQuery>,
) -> AppResult<Json<Vec<super::posts::PostView>>> {
    Ok(Json(super::posts::list(&st, &actor.caller(), q.all).await?))
}

/// `POST /api/v1/party/posts`
#[utoipa::path(
    post,
    operation_id = "party_post_create",
    path = "/party/posts",
    tag = "党员",
    summary = "设立先锋岗或责任区（党支部书记、街道党建人员）；同一地点同名岗位只能有一个在岗，每名党员最多 3 个",
    request_body(content = Object, content_type = "application/json", description = "{member_id, kind（pioneer 先锋岗 / zone 责任区）, title, duty?, place_id, since}"),
    responses(
        (status = 201, description = "已设立"),
        crate::web::RefusedWrite,
    ),
)]
pub async fn api_post_create(
    State(st): State<Base>,
    actor: Actor,
    b: Bytes,
) -> AppResult<(StatusCode, Json<super::posts::PostView>)> {
    let input: super::posts::PostInput = crate::web::json_body(&b)?;
    let c = actor.caller();
    let row = super::posts::create(&st, &c, input).await?;
    let all = super::posts::list(&st, &c, false).await?;
    Ok((StatusCode::CREATED, Json(the_one(all, row.id, |p| p.id)?)))
}

/// `POST /api/v1/party/posts/{id}/end`
#[utoipa::path(
    post,
    operation_id = "party_post_end",
    path = "/party/posts/{id}/end",
    tag = "党员",
    summary = "撤销先锋岗或责任区（记录保留）",
    params(("id" = i64, Path, description = "编号")),
    request_body(content = Object, content_type = "application/json", description = "{until}"),
    responses(
        (status = 204, description = "已撤销"),
        crate::web::RefusedWrite,
    ),
)]
pub async fn api_post_end(
    State(st): State<Base>,
    actor: Actor,
    Path(id): Path<i64>,
    b: Bytes,
) -> AppResult<StatusCode> {
    #[derive(Deserialize, Default)]
    #[serde(default)]
    struct Until {
        until: String,
    }
    let u: Until = crate::web::json_body(&b)?;
    super::posts::end(&st, &actor.caller(), id, &u.until).await?;
    Ok(StatusCode::NO_CONTENT)
}
