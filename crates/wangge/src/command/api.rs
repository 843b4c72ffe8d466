//! The JSON API of the command centre.

use super::publish::{self, ErratumInput, PublishInput, WeightsInput};
use super::ranking::RankingView;
use crate::infra::error::{AppError, AppResult};
use crate::web::{Actor, Base, json_body};
use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use serde::Deserialize;
use serde_json::{Value, json};

/// A ranking's node and month.
#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[serde(default)]
#[into_params(parameter_in = Query)]
pub struct RankingQuery {
    /// 区县、街道或社区 (the caller's own node when none).
    pub org: Option<i64>,
    /// YYYY-MM (the last month when none).
    pub month: String,
}

fn staff(actor: &Actor) -> AppResult<()> {
    if actor.role.is_staff() {
        Ok(())
    } else {
        Err(AppError::no_permission())
    }
}

/// `GET /api/v1/stats/ranking?org=&month=`
#[utoipa::path(
    get,
    operation_id = "stats_ranking",
    path = "/stats/ranking",
    tag = "指挥中心",
    summary = "月度排名：下一级节点（区县下的街道、街道下的社区、社区下的网格）按综合得分排名，每个节点的各项分量（响应率、解决率、满意率、按时办结率，及其分子分母）、精确的综合得分（composite_exact）、巡查主动发现单列、每万人投诉数；已评价件数少于最少样本的列出但不排名并说明原因；并列时的排序规则（rule）、权重及其版本、红榜和黑榜。已公布的月份返回公布时冻结的数字（published）和勘误（errata）",
    params(RankingQuery),
    responses((status = 200, description = "成功"), crate::web::Refused),
)]
pub async fn api_ranking(
    State(st): State<Base>,
    actor: Actor,
    crate::web::Query(q): crate::web::Query<RankingQuery>,
) -> AppResult<Json<RankingView>> {
    staff(&actor)?;
    Ok(Json(
        publish::view(
            &st.db,
            &actor.caller(),
            q.org,
            &q.month,
            super::weights(&st),
        )
        .await?,
    ))
}

/// `POST /api/v1/stats/ranking/weights`
#[utoipa::path(
    post,
    operation_id = "stats_ranking_weights",
    path = "/stats/ranking/weights",
    tag = "指挥中心",
    summary = "修改一个节点下级排名的权重（千分数，合计 1000；基本满意折算；最少样本），每次修改是新的一版，已公布的排名不受影响（综治中心、社区书记）；note 必填",
    request_body(content = Object, content_type = "application/json", description = "{org?, response?, resolution?, satisfaction?, on_time?, basic_discount?, min_rated?, note}"),
    responses((status = 200, description = "成功"), crate::web::RefusedWrite),
)]
pub async fn api_weights(State(st): State<Base>, actor: Actor, b: Bytes) -> AppResult<Json<Value>> {
    staff(&actor)?;
    let input: WeightsInput = json_body(&b)?;
    let w = publish::set_weights(&st.db, &actor.caller(), input, super::weights(&st)).await?;
    Ok(Json(json!(w)))
}

/// `POST /api/v1/stats/ranking/publish`
#[utoipa::path(
    post,
    operation_id = "stats_ranking_publish",
    path = "/stats/ranking/publish",
    tag = "指挥中心",
    summary = "公布一个已结束月份的排名：按当时生效的权重计算后冻结，此后数字不再变化；每个节点每月一次（published_twice）",
    request_body(content = Object, content_type = "application/json", description = "{org?, month}"),
    responses((status = 201, description = "已公布"), crate::web::RefusedWrite),
)]
pub async fn api_publish(
    State(st): State<Base>,
    actor: Actor,
    b: Bytes,
) -> AppResult<(StatusCode, Json<Value>)> {
    staff(&actor)?;
    let input: PublishInput = json_body(&b)?;
    let id = publish::publish(&st.db, &actor.caller(), input, super::weights(&st)).await?;
    Ok((StatusCode::CREATED, Json(json!({"id": id}))))
}

/// `POST /api/v1/stats/rankings/{id}/errata`
#[utoipa::path(
    post,
    operation_id = "stats_ranking_erratum",
    path = "/stats/rankings/{id}/errata",
    tag = "指挥中心",
    summary = "对已公布的排名发勘误：按公布时的权重重新计算，与原排名并列显示，原排名不改；note 必填",
    params(("id" = i64, Path, description = "已公布排名的编号")),
    request_body(content = Object, content_type = "application/json", description = "{note}"),
    responses((status = 201, description = "已发勘误"), crate::web::RefusedWrite),
)]
pub async fn api_erratum(
    State(st): State<Base>,
    actor: Actor,
    Path(id): Path<i64>,
    b: Bytes,
) -> AppResult<(StatusCode, Json<Value>)> {
    staff(&actor)?;
    let input: ErratumInput = json_body(&b)?;
    let id = publish::erratum(&st.db, &actor.caller(), id, input).await?;
    Ok((StatusCode::CREATED, Json(json!({"id": id}))))
}

/// A dashboard's node and period.
#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[serde(default)]
#[into_params(parameter_in = Query)]
pub struct DashboardQuery {
    /// 区县、街道、社区或网格 (the caller's own node when none).
    pub org: Option<i64>,
    /// today、week、month、last_month（上月整月）或 range（给出 from/to 时为 range；默认本月）.
    pub preset: Option<String>,
    /// YYYY-MM-DD.
    pub from: Option<String>,
    /// YYYY-MM-DD (inclusive).
    pub to: Option<String>,
}

/// The dashboard of a query, for the API and the pages.
pub async fn dashboard_of(
    st: &Base,
    actor: &Actor,
    q: &DashboardQuery,
) -> AppResult<super::dashboard::Dashboard> {
    staff(actor)?;
    let c = actor.caller();
    let n = super::ranking::node_of(&st.db, &c, q.org).await?;
    let p = super::dashboard::Period::read(
        q.preset.as_deref(),
        q.from.as_deref(),
        q.to.as_deref(),
        crate::infra::clock::today(),
    )?;
    super::dashboard::dashboard(&st.db, &c, n, p, &super::weights(st)).await
}

/// `GET /api/v1/stats/dashboard?org=&preset=&from=&to=`
#[utoipa::path(
    get,
    operation_id = "stats_dashboard",
    path = "/stats/dashboard",
    tag = "指挥中心",
    summary = "指挥中心总览：一个节点（本人所在或下级）在一段时间（北京时间，整天）的受理件数（按日、来源、类别、类型）、按现状态计数、在办与超期/即将超期（及清单）、三率与按时率（与上一等长时段对比）、平均签收和办结时长、下级节点的件数/每千人件数/超期数（地图用）、人口与关爱对象、党建数字、今日值班与逐级上报。每个数字的定义见 README",
    params(DashboardQuery),
    responses((status = 200, description = "成功"), crate::web::Refused),
)]
pub async fn api_dashboard(
    State(st): State<Base>,
    actor: Actor,
    crate::web::Query(q): crate::web::Query<DashboardQuery>,
) -> AppResult<Json<super::dashboard::Dashboard>> {
    Ok(Json(dashboard_of(&st, &actor, &q).await?))
}

/// A node, for the warnings and the roster.
#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[serde(default)]
#[into_params(parameter_in = Query)]
pub struct NodeQuery {
    /// The node (the caller's own when none).
    pub org: Option<i64>,
    /// For the roster: a day of the week shown (YYYY-MM-DD; this week when none).
    pub week: Option<String>,
}

/// The warnings of a query's node.
pub async fn warnings_of(
    st: &Base,
    actor: &Actor,
    q: &NodeQuery,
) -> AppResult<super::warnings::Warnings> {
    staff(actor)?;
    let n = super::ranking::node_of(&st.db, &actor.caller(), q.org).await?;
    super::warnings::warnings(&st.db, n).await
}

/// `GET /api/v1/stats/warnings?org=`
#[utoipa::path(
    get,
    operation_id = "stats_warnings",
    path = "/stats/warnings",
    tag = "指挥中心",
    summary = "预警：近 7 天案件标题或描述含预警关键词的（按词列出案件）、近 30 天同一楼栋或地址同一类别 3 件及以上的重复诉求、本月最多的类别（每月一题候选，附上月件数）。每条预警都链接到它的案件",
    params(NodeQuery),
    responses((status = 200, description = "成功"), crate::web::Refused),
)]
pub async fn api_warnings(
    State(st): State<Base>,
    actor: Actor,
    crate::web::Query(q): crate::web::Query<NodeQuery>,
) -> AppResult<Json<super::warnings::Warnings>> {
    Ok(Json(warnings_of(&st, &actor, &q).await?))
}

/// `POST /api/v1/stats/warnings/keywords`
#[utoipa::path(
    post,
    operation_id = "stats_warning_keywords",
    path = "/stats/warnings/keywords",
    tag = "指挥中心",
    summary = "增加或删除一个节点的预警关键词（综治中心、社区书记）；节点第一次修改时先接过当前生效的词（默认词或上级的词）",
    request_body(content = Object, content_type = "application/json", description = "{org?, word, remove?}"),
    responses((status = 200, description = "成功，返回生效的关键词"), crate::web::RefusedWrite),
)]
pub async fn api_keywords(
    State(st): State<Base>,
    actor: Actor,
    b: Bytes,
) -> AppResult<Json<Value>> {
    staff(&actor)?;
    let input: super::warnings::WordInput = json_body(&b)?;
    let words = super::warnings::change_word(&st.db, &actor.caller(), input).await?;
    Ok(Json(json!({ "words": words })))
}

/// `GET /api/v1/stats/exclusions`
#[utoipa::path(
    get,
    operation_id = "stats_exclusions",
    path = "/stats/exclusions",
    tag = "指挥中心",
    summary = "不合理诉求认定的清单（本人辖区，待批准的在前）：案件、理由、提出人、批准人、时间和状态。已批准的案件不计入三率和按时率，仍计入受理件数",
    responses((status = 200, description = "成功"), crate::web::Refused),
)]
pub async fn api_exclusions(
    State(st): State<Base>,
    actor: Actor,
) -> AppResult<Json<Vec<super::exclusions::ExclusionView>>> {
    staff(&actor)?;
    Ok(Json(
        super::exclusions::list(&st.db, &actor.caller()).await?,
    ))
}

/// `POST /api/v1/stats/exclusions`
#[utoipa::path(
    post,
    operation_id = "stats_exclusion_propose",
    path = "/stats/exclusions",
    tag = "指挥中心",
    summary = "提出认定一件案件为不合理诉求（社区书记、综治中心）：必须写明理由；每件案件同时只有一项待批准或已批准的认定（excluded_twice）",
    request_body(content = Object, content_type = "application/json", description = "{case_id? | case_no?, reason}"),
    responses((status = 201, description = "已提出"), crate::web::RefusedWrite),
)]
pub async fn api_propose(
    State(st): State<Base>,
    actor: Actor,
    b: Bytes,
) -> AppResult<(StatusCode, Json<Value>)> {
    staff(&actor)?;
    let input: super::exclusions::ProposeInput = json_body(&b)?;
    let id = super::exclusions::propose(&st.db, &actor.caller(), input).await?;
    Ok((StatusCode::CREATED, Json(json!({"id": id}))))
}

/// `POST /api/v1/stats/exclusions/{id}/decide`
#[utoipa::path(
    post,
    operation_id = "stats_exclusion_decide",
    path = "/stats/exclusions/{id}/decide",
    tag = "指挥中心",
    summary = "批准（approve）、不批准（refuse，须写说明）或撤销（revoke，须写说明）一项不合理诉求认定：只有综治中心能决定，提出人不能批准自己的认定（same_person）",
    params(("id" = i64, Path, description = "认定的编号")),
    request_body(content = Object, content_type = "application/json", description = "{decision, note?}"),
    responses((status = 200, description = "成功"), crate::web::RefusedWrite),
)]
pub async fn api_decide(
    State(st): State<Base>,
    actor: Actor,
    Path(id): Path<i64>,
    b: Bytes,
) -> AppResult<Json<Value>> {
    staff(&actor)?;
    let input: super::exclusions::DecideInput = json_body(&b)?;
    super::exclusions::decide(&st.db, &actor.caller(), id, input).await?;
    Ok(Json(json!({"ok": true})))
}

/// `GET /api/v1/stats/duty?org=&week=`
#[utoipa::path(
    get,
    operation_id = "stats_duty",
    path = "/stats/duty",
    tag = "指挥中心",
    summary = "街道的值班表（一周七天，每天的值班人员和带班领导）",
    params(NodeQuery),
    responses((status = 200, description = "成功"), crate::web::Refused),
)]
pub async fn api_duty(
    State(st): State<Base>,
    actor: Actor,
    crate::web::Query(q): crate::web::Query<NodeQuery>,
) -> AppResult<Json<super::duty::Roster>> {
    staff(&actor)?;
    Ok(Json(
        super::duty::roster(&st.db, &actor.caller(), q.org, q.week.as_deref()).await?,
    ))
}

/// `POST /api/v1/stats/duty`
#[utoipa::path(
    post,
    operation_id = "stats_duty_add",
    path = "/stats/duty",
    tag = "指挥中心",
    summary = "排班：把本街道的一名工作人员排到某天值班，leader 为带班领导（综治中心）；同一人同一天只排一次（shift_twice）",
    request_body(content = Object, content_type = "application/json", description = "{org?, day, user_id, leader?, note?}"),
    responses((status = 201, description = "已排班"), crate::web::RefusedWrite),
)]
pub async fn api_duty_add(
    State(st): State<Base>,
    actor: Actor,
    b: Bytes,
) -> AppResult<(StatusCode, Json<Value>)> {
    staff(&actor)?;
    let input: super::duty::ShiftInput = json_body(&b)?;
    let id = super::duty::add(&st.db, &actor.caller(), input).await?;
    Ok((StatusCode::CREATED, Json(json!({"id": id}))))
}

/// `POST /api/v1/stats/duty/{id}/remove`
#[utoipa::path(
    post,
    operation_id = "stats_duty_remove",
    path = "/stats/duty/{id}/remove",
    tag = "指挥中心",
    summary = "取消一条值班安排（综治中心）",
    params(("id" = i64, Path, description = "值班安排的编号")),
    responses((status = 200, description = "成功"), crate::web::RefusedWrite),
)]
pub async fn api_duty_remove(
    State(st): State<Base>,
    actor: Actor,
    Path(id): Path<i64>,
) -> AppResult<Json<Value>> {
    staff(&actor)?;
    super::duty::remove(&st.db, &actor.caller(), id).await?;
    Ok(Json(json!({"ok": true})))
}

/// The three lists of a query.
pub async fn lists_of(
    st: &Base,
    actor: &Actor,
    q: &DashboardQuery,
) -> AppResult<super::lists::Lists> {
    staff(actor)?;
    let n = super::ranking::node_of(&st.db, &actor.caller(), q.org).await?;
    let p = super::dashboard::Period::read(
        q.preset.as_deref(),
        q.from.as_deref(),
        q.to.as_deref(),
        crate::infra::clock::today(),
    )?;
    super::lists::lists(&st.db, n, p).await
}

/// `GET /api/v1/stats/lists?org=&from=&to=`
#[utoipa::path(
    get,
    operation_id = "stats_lists",
    path = "/stats/lists",
    tag = "指挥中心",
    summary = "三个清单：一段时间内（北京时间整天）辖区上报的诉求和事件——问题清单（来源含居民自报、网格员巡查、入户走访、热线）、任务清单（已派遣的：承办、期限、是否超期）、效果清单（已结案的：是否解决、满意度、是否认定为不合理诉求），三者以案件编号相连；最多 5000 件（truncated）",
    params(DashboardQuery),
    responses((status = 200, description = "成功"), crate::web::Refused),
)]
pub async fn api_lists(
    State(st): State<Base>,
    actor: Actor,
    crate::web::Query(q): crate::web::Query<DashboardQuery>,
) -> AppResult<Json<super::lists::Lists>> {
    Ok(Json(lists_of(&st, &actor, &q).await?))
}

/// The monthly report of a query (the last month over when none).
pub async fn report_of(
    st: &Base,
    actor: &Actor,
    q: &RankingQuery,
) -> AppResult<super::report::Report> {
    staff(actor)?;
    let c = actor.caller();
    let n = super::ranking::node_of(&st.db, &c, q.org).await?;
    let w = super::weights(st);
    super::report::report(&st.db, &c, n, &q.month, &w, w).await
}

/// `GET /api/v1/stats/report?org=&month=YYYY-MM`
#[utoipa::path(
    get,
    operation_id = "stats_report",
    path = "/stats/report",
    tag = "指挥中心",
    summary = "月度报告：工作情况（本月与上月的受理、办结、三率、按时率、不合理诉求件数）、类型与来源、承办（前 10 个承办单位的派遣、按时、超期）、热点（前 10 个类别及上月件数）、下级排名、超期案件。数字与总览、排名同一定义",
    params(RankingQuery),
    responses((status = 200, description = "成功"), crate::web::Refused),
)]
pub async fn api_report(
    State(st): State<Base>,
    actor: Actor,
    crate::web::Query(q): crate::web::Query<RankingQuery>,
) -> AppResult<Json<super::report::Report>> {
    Ok(Json(report_of(&st, &actor, &q).await?))
}

/// `GET /api/v1/stats/ranking/history?org=`
#[utoipa::path(
    get,
    operation_id = "stats_ranking_history",
    path = "/stats/ranking/history",
    tag = "指挥中心",
    summary = "历次排名：一个节点最近 12 个已公布月份的下级排名（按公布时冻结的名次；有勘误的月份标出 corrected）",
    params(NodeQuery),
    responses((status = 200, description = "成功"), crate::web::Refused),
)]
pub async fn api_history(
    State(st): State<Base>,
    actor: Actor,
    crate::web::Query(q): crate::web::Query<NodeQuery>,
) -> AppResult<Json<super::publish::History>> {
    staff(&actor)?;
    Ok(Json(
        super::publish::history(&st.db, &actor.caller(), q.org).await?,
    ))
}
