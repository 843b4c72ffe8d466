//! The JSON API of 微心愿 and their campaigns.

use super::wishes::{
    self, CampaignInput, CampaignView, ClaimInput, ClaimStep, ClaimStepInput, Filter, FulfilInput,
    PublicWish, ReviewInput, WishInput, WishView,
};
use crate::infra::error::{AppError, AppResult};
use crate::web::{Actor, Base, Query, json_body};
use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use serde::Deserialize;

/// `GET /api/v1/party/wishes?status=&campaign=&org=&view=`
#[utoipa::path(
    get,
    operation_id = "party_wishes",
    path = "/party/wishes",
    tag = "微心愿",
    summary = "微心愿：管辖范围内的心愿（工作人员看全部并看到心愿人；其他人只看已发布的，心愿人只显示姓氏，认领后才显示姓名和地址）；待认领的按先后排队",
    params(Filter),
    responses(
        (status = 200, description = "成功"),
        crate::web::Refused,
    ),
)]
pub async fn api_wishes(
    State(st): State<Base>,
    actor: Actor,
    Query(f): Query<Filter>,
) -> AppResult<Json<Vec<WishView>>> {
    Ok(Json(wishes::list(&st, &actor.caller(), &f).await?))
}

/// `POST /api/v1/party/wishes`
#[utoipa::path(
    post,
    operation_id = "party_wish_record",
    path = "/party/wishes",
    tag = "微心愿",
    summary = "登记微心愿（网格员、党员或社区工作人员为人口登记中的困难居民登记；待社区审核）",
    request_body(content = Object, content_type = "application/json", description = "{resident_id, title, reason?, value_band（under_50 / 50_100 / 100_200 / 200_500 / service）, shares?（1–10）, campaign_id?, beneficiary_user_id?, photo?（先上传到 /files）}"),
    responses(
        (status = 201, description = "已登记"),
        crate::web::RefusedWrite,
    ),
)]
pub async fn api_wish_record(
    State(st): State<Base>,
    actor: Actor,
    b: Bytes,
) -> AppResult<(StatusCode, Json<WishView>)> {
    let input: WishInput = json_body(&b)?;
    let c = actor.caller();
    let row = wishes::create(&st, &c, input).await?;
    Ok((
        StatusCode::CREATED,
        Json(wishes::one(&st, &c, row.id).await?),
    ))
}

/// `GET /api/v1/party/wishes/{id}`
#[utoipa::path(
    get,
    operation_id = "party_wish_get",
    path = "/party/wishes/{id}",
    tag = "微心愿",
    summary = "一个微心愿，含认领记录和调用者现在可以做的操作",
    params(("id" = i64, Path, description = "编号")),
    responses(
        (status = 200, description = "成功"),
        crate::web::Refused,
    ),
)]
pub async fn api_wish_get(
    State(st): State<Base>,
    actor: Actor,
    Path(id): Path<i64>,
) -> AppResult<Json<WishView>> {
    Ok(Json(wishes::one(&st, &actor.caller(), id).await?))
}

/// What a step on a wish is.
#[derive(Debug, Deserialize)]
pub struct WishStep {
    id: i64,
    step: String,
}

/// `POST /api/v1/party/wishes/{id}/{step}`
#[utoipa::path(
    post,
    operation_id = "party_wish_step",
    path = "/party/wishes/{id}/{step}",
    tag = "微心愿",
    summary = "心愿的操作：review 审核（{approve, note, version?}，社区、街道党建人员）；claim 认领一份（个人认领不带参数；社区党建人员代为认领：{on_behalf: member|branch|unit, member_id?, branch_id?, unit_name?}）；withdraw 撤回（{version?}，仅无人认领时）；fulfil 确认实现（{note, photo, version?}，心愿人本人或网格员）",
    params(
        ("id" = i64, Path, description = "编号"),
        ("step" = String, Path, description = "review / claim / withdraw / fulfil"),
    ),
    request_body(content = Object, content_type = "application/json"),
    responses(
        (status = 200, description = "成功"),
        crate::web::RefusedWrite,
    ),
)]
pub async fn api_wish_step(
    State(st): State<Base>,
    actor: Actor,
    Path(p): Path<WishStep>,
    b: Bytes,
) -> AppResult<Json<WishView>> {
    let c = actor.caller();
    Ok(Json(match p.step.as_str() {
        "review" => wishes::review(&st, &c, p.id, json_body::<ReviewInput>(&b)?).await?,
        "claim" => wishes::claim(&st, &c, p.id, json_body::<ClaimInput>(&b)?).await?,
        "withdraw" => {
            let v: Versioned = json_body(&b)?;
            wishes::withdraw(&st, &c, p.id, v.version).await?
        }
        "fulfil" => wishes::fulfil(&st, &c, p.id, json_body::<FulfilInput>(&b)?).await?,
        _ => return Err(AppError::NotFound("没有这个操作".into())),
    }))
}

/// A body carrying only the version the caller saw.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct Versioned {
    version: Option<i32>,
}

/// `POST /api/v1/party/wish-claims/{id}/{step}`
#[utoipa::path(
    post,
    operation_id = "party_wish_claim_step",
    path = "/party/wish-claims/{id}/{step}",
    tag = "微心愿",
    summary = "认领的操作：contact 已联系心愿人（认领人，{note}）；cancel 取消认领（认领人）；revoke 撤销认领（社区、街道党建人员，{note} 必填）。取消或撤销后心愿回到待认领队列最前",
    params(
        ("id" = i64, Path, description = "认领编号"),
        ("step" = String, Path, description = "contact / cancel / revoke"),
    ),
    request_body(content = Object, content_type = "application/json", description = "{note}"),
    responses(
        (status = 200, description = "成功"),
        crate::web::RefusedWrite,
    ),
)]
pub async fn api_claim_step(
    State(st): State<Base>,
    actor: Actor,
    Path(p): Path<WishStep>,
    b: Bytes,
) -> AppResult<Json<WishView>> {
    let step = match p.step.as_str() {
        "contact" => ClaimStep::Contact,
        "cancel" => ClaimStep::Cancel,
        "revoke" => ClaimStep::Revoke,
        _ => return Err(AppError::NotFound("没有这个操作".into())),
    };
    let input: ClaimStepInput = json_body(&b)?;
    Ok(Json(
        wishes::claim_step(&st, &actor.caller(), p.id, step, input).await?,
    ))
}

/// `GET /api/v1/party/campaigns`
#[utoipa::path(
    get,
    operation_id = "party_campaigns",
    path = "/party/campaigns",
    tag = "微心愿",
    summary = "专项行动：管辖范围内开展的和本辖区网格参加的，含实时数字",
    responses(
        (status = 200, description = "成功"),
        crate::web::Refused,
    ),
)]
pub async fn api_campaigns(
    State(st): State<Base>,
    actor: Actor,
) -> AppResult<Json<Vec<CampaignView>>> {
    Ok(Json(wishes::campaigns(&st, &actor.caller()).await?))
}

/// `POST /api/v1/party/campaigns`
#[utoipa::path(
    post,
    operation_id = "party_campaign_create",
    path = "/party/campaigns",
    tag = "微心愿",
    summary = "开展专项行动（街道或社区党建人员）：名称、起止日期、目标心愿数、参加的网格（默认全部）",
    request_body(content = Object, content_type = "application/json", description = "{name, starts_on, ends_on, target, org_node_id?, grids?, note?}"),
    responses(
        (status = 201, description = "已开展"),
        crate::web::RefusedWrite,
    ),
)]
pub async fn api_campaign_create(
    State(st): State<Base>,
    actor: Actor,
    b: Bytes,
) -> AppResult<(StatusCode, Json<CampaignView>)> {
    let input: CampaignInput = json_body(&b)?;
    let c = actor.caller();
    let row = wishes::create_campaign(&st, &c, input).await?;
    Ok((
        StatusCode::CREATED,
        Json(wishes::campaign(&st, &c, row.id).await?),
    ))
}

/// `GET /api/v1/party/campaigns/{id}`
#[utoipa::path(
    get,
    operation_id = "party_campaign_get",
    path = "/party/campaigns/{id}",
    tag = "微心愿",
    summary = "一个专项行动及其实时数字：发布、认领、实现的心愿数，参与党员数，走访户数，完成目标的百分比",
    params(("id" = i64, Path, description = "编号")),
    responses(
        (status = 200, description = "成功"),
        crate::web::Refused,
    ),
)]
pub async fn api_campaign_get(
    State(st): State<Base>,
    actor: Actor,
    Path(id): Path<i64>,
) -> AppResult<Json<CampaignView>> {
    Ok(Json(wishes::campaign(&st, &actor.caller(), id).await?))
}

/// `POST /api/v1/party/campaigns/{id}/summary`
#[utoipa::path(
    post,
    operation_id = "party_campaign_summary",
    path = "/party/campaigns/{id}/summary",
    tag = "微心愿",
    summary = "专项行动结束后生成总结（写入各项数字），之后不再加入新心愿",
    params(("id" = i64, Path, description = "编号")),
    responses(
        (status = 200, description = "成功"),
        crate::web::RefusedWrite,
    ),
)]
pub async fn api_campaign_summary(
    State(st): State<Base>,
    actor: Actor,
    Path(id): Path<i64>,
) -> AppResult<Json<CampaignView>> {
    Ok(Json(wishes::summarize(&st, &actor.caller(), id).await?))
}

/// `GET /api/v1/public/wishes`
#[utoipa::path(
    get,
    operation_id = "public_wishes",
    path = "/public/wishes",
    tag = "微心愿",
    summary = "公开的微心愿（不需登录）：心愿内容、价值、所在社区、状态；不含任何个人信息和照片",
    responses((status = 200, description = "成功")),
)]
pub async fn api_public_wishes(State(st): State<Base>) -> AppResult<Json<Vec<PublicWish>>> {
    Ok(Json(wishes::public(&st.db, 200).await?))
}
