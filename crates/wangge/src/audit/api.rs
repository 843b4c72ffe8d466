//! The audit log's page and API.

use super::{Filter, Page, list};
use crate::infra::error::AppResult;
use crate::web::Base;
use crate::web::Query;
use crate::web::{Actor, PageActor};
use crate::web::{Html, PageCtx, respond};
use askama::Template;
use axum::Json;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use wangge_core::Permission;

/// `GET /api/v1/audit`
#[utoipa::path(
    get,
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
        (status = 400, description = "输入有误：中文说明与错误码，未作任何改动", body = crate::web::ErrorAnswer),
        (status = 401, description = "未登录或令牌无效", body = crate::web::ErrorAnswer),
        (status = 403, description = "无此权限或不在管辖范围内", body = crate::web::ErrorAnswer),
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

#[derive(Template)]
#[template(path = "audit/list.html")]
struct AuditPage {
    ctx: PageCtx,
    page: Page,
    f: Filter,
    query: String,
    actions: Vec<(&'static str, &'static str)>,
    entities: Vec<(&'static str, &'static str)>,
}

/// `GET /audit`
pub async fn page(
    State(st): State<Base>,
    PageActor(actor): PageActor,
    Query(f): Query<Filter>,
) -> Response {
    let run = async {
        actor.require(Permission::AuditView)?;
        let page = list(&st.db, &st.site, &actor.scope, &f).await?;
        let query = crate::web::query_string(&[
            ("entity", f.entity.clone().unwrap_or_default()),
            ("action", f.action.clone().unwrap_or_default()),
            ("actor", f.actor.clone().unwrap_or_default()),
        ]);
        let ctx = PageCtx::new(&st, &actor, "审计日志", "audit").await?;
        Ok::<_, crate::infra::error::AppError>(Html(
            AuditPage {
                ctx,
                page,
                f,
                query,
                actions: st.site.audit_actions.clone(),
                entities: st.site.audit_entities.clone(),
            }
            .render(),
        ))
    };
    respond(&st, &actor, run.await.map(IntoResponse::into_response)).await
}
