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
