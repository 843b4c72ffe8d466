//! The audit log's page.

use super::{Filter, Page, list};
use crate::web::Base;
use crate::web::Query;
use crate::web::{Html, PageActor, PageCtx, respond};
use askama::Template;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use wangge_core::Permission;

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
