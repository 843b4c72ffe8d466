//! The audit log's API.

use super::{Filter, Page, list};
use crate::infra::error::AppResult;
use crate::web::Actor;
use crate::web::Base;
use crate::web::Query;
use axum::Json;
use axum::extract::State;
use wangge_core::Permission;

/// `GET /api/v1/audit`
#[utoipa::path(
    get,
    operation_id = "audit_list",
    path = "/audit",
    tag = "审计日志",
    summary = "管辖范围内的审计日志（管理员）",
    params(
        ("entity" = Option<String>, Query, description = "对象类型"),
        ("action" = Option<String>, Query, description = "操作"),
        ("actor" = Option<String>, Query, description = "操作人"),
        ("entity_id" = Option<i64>, Query, description = "对象编号"),
        ("page" = Option<u64>, Query, description = "页码"),
    ),
    responses(
        (status = 200, description = "成功"),
        crate::web::Refused,
    ),
)]
pub async fn api_list(
    State(st): State<Base>,
    actor: Actor,
    Query(f): Query<Filter>,
) -> AppResult<Json<Page>> {
    actor.require(Permission::AuditView)?;
    Ok(Json(list(&st.db, &st.site, &actor.scope, &f).await?))
}
