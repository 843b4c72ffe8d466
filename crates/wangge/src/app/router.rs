//! The router: every slice's routes on its own state, the app's own (the home page, health,
//! metrics, static assets), behind the kit's layers and the auth middleware.

use super::SLICES;
use crate::web::{self, Actor, Base, Routes};
use axum::Router;
use axum::extract::{DefaultBodyLimit, Extension};
use axum::middleware::{from_fn, from_fn_with_state};
use axum::routing::get;
use futures_util::future::BoxFuture;

/// Every slice mounted, with the app's own routes: the API routes, the pages and the jobs.
fn mounted(base: &Base) -> (Routes<()>, Routes<()>, Vec<BoxFuture<'static, ()>>) {
    let mut api = Routes::<()>::api();
    let mut pages = Routes::<Base>::pages()
        .route("/", get(super::home::page))
        .route("/healthz", get(web::healthz))
        .route("/metrics", get(web::metrics_text))
        .route("/static/{file}", get(web::static_file))
        .with_state(base.clone());
    let mut jobs = Vec::new();
    for slice in SLICES {
        let m = (slice.mount)(base);
        api = api.merge(m.api);
        pages = pages.merge(m.pages);
        jobs.extend(m.jobs);
    }
    (api, pages, jobs)
}

/// Every route's path as the router matches it (`/api/v1/cases/{id}`), pages and API.
pub fn route_paths(base: &Base) -> Vec<String> {
    let (api, pages, _) = mounted(base);
    api.paths.into_iter().chain(pages.paths).collect()
}

/// The whole application, and the jobs its slices run beside it.
pub fn router(base: &Base) -> (Router, Vec<BoxFuture<'static, ()>>) {
    let (api, pages, jobs) = mounted(base);
    let not_found = {
        let base = base.clone();
        move |actor: Option<Extension<Actor>>| async move { web::page_not_found(base, actor).await }
    };
    let router = Router::new()
        .nest("/api/v1", api.router.fallback(web::api_not_found))
        .merge(pages.router)
        .fallback(not_found)
        .layer(from_fn_with_state(
            crate::auth::AuthState::of(base),
            crate::auth::middleware,
        ))
        .layer(from_fn_with_state(base.clone(), web::guard_body))
        .layer(from_fn_with_state(base.clone(), web::one_error_shape))
        .layer(from_fn_with_state(base.clone(), web::metrics::middleware))
        .layer(from_fn(web::security_headers))
        // The size of each route's body is held by `guard_body`, before a byte is read.
        .layer(DefaultBodyLimit::max(web::largest_body(&base.site)));
    (router, jobs)
}
