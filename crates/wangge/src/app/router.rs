//! The router: every slice's routes on its own state, the app's own (the home page, health,
//! metrics, static assets), behind the kit's layers and the auth middleware.

use super::SLICES;
use crate::web::{self, Actor, Base, Routes};
use axum::Router;
use axum::extract::{DefaultBodyLimit, Extension};
use axum::middleware::{from_fn, from_fn_with_state};
use axum::routing::get;
use futures_util::future::BoxFuture;
use std::sync::Arc;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::openapi::{InfoBuilder, OpenApi, SecurityRequirement};
use utoipa_axum::routes;

/// Every slice mounted, with the app's own routes: the API routes, the pages and the jobs.
fn mounted(base: &Base) -> (Routes<()>, Routes<()>, Vec<BoxFuture<'static, ()>>) {
    let mut api = Routes::<Base>::api()
        .routes(routes!(openapi_json))
        .with_state(base.clone());
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

/// The OpenAPI 3.1 document of the JSON API: every route under `/api/v1`, as the handlers'
/// `#[utoipa::path]` annotations describe them (the routes and the document come from the
/// same `routes!`). Made once per base.
pub fn openapi(base: &Base) -> Arc<OpenApiDoc> {
    base.part(|base| {
        let (api, _, _) = mounted(base);
        OpenApiDoc::of(api.router.into_openapi())
    })
}

/// The document, and its JSON as served.
pub struct OpenApiDoc {
    /// The document.
    pub doc: OpenApi,
    /// Its JSON, pretty-printed.
    pub json: String,
}

impl OpenApiDoc {
    fn of(parts: OpenApi) -> OpenApiDoc {
        let mut doc = OpenApi::new(
            InfoBuilder::new()
                .title("网格 wangge API")
                .version(env!("CARGO_PKG_VERSION"))
                .description(Some(
                    "党建引领网格化基层治理平台的 JSON 接口。每个账号只看见其所属节点的子树；\
                     出错时一律答 {\"error\": {\"code\", \"message\"}}，code 稳定可依，message 为中文说明。\
                     令牌由 POST /api/v1/auth/login 或管理员签发，放在 Authorization: Bearer 头中。",
                ))
                .build(),
            utoipa::openapi::Paths::new(),
        );
        for (path, item) in parts.paths.paths {
            doc.paths.paths.insert(format!("/api/v1{path}"), item);
        }
        let mut components = parts.components.unwrap_or_default();
        // The one error shape the refusals of every operation refer to.
        let mut schemas = Vec::new();
        <web::ErrorAnswer as utoipa::ToSchema>::schemas(&mut schemas);
        schemas.push((
            <web::ErrorAnswer as utoipa::ToSchema>::name().into_owned(),
            <web::ErrorAnswer as utoipa::PartialSchema>::schema(),
        ));
        components.schemas.extend(schemas);
        components.add_security_scheme(
            "令牌",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
        doc.components = Some(components);
        doc.security = Some(vec![SecurityRequirement::new("令牌", Vec::<String>::new())]);
        let json = doc.to_pretty_json().unwrap_or_default();
        OpenApiDoc { doc, json }
    }
}

/// The OpenAPI 3.1 document of this API.
#[utoipa::path(
    get,
    operation_id = "app_openapi_json",
    path = "/openapi.json",
    tag = "接口说明",
    summary = "本接口的 OpenAPI 3.1 文档",
    security(()),
    responses((status = 200, description = "OpenAPI 文档", content_type = "application/json"))
)]
async fn openapi_json(
    axum::extract::State(base): axum::extract::State<Base>,
) -> axum::response::Response {
    use axum::response::IntoResponse;
    let doc = openapi(&base);
    (
        [(axum::http::header::CONTENT_TYPE, "application/json")],
        doc.json.clone(),
    )
        .into_response()
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
        .nest(
            "/api/v1",
            Router::from(api.router).fallback(web::api_not_found),
        )
        .merge(Router::from(pages.router))
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
