//! The web kit: what every slice's pages and API use, naming no slice. Who is calling
//! ([`caller`]), the base state and how a slice joins the site ([`base`]), the page layout
//! ([`PageCtx`]) and its errors, queries and forms, spreadsheets ([`xlsx`]), CSRF, metrics,
//! static assets, and the layers every request passes (body limits, one shape of refusal,
//! security headers). The app puts them together.

pub mod base;
pub mod caller;
pub mod csrf;
pub mod metrics;
pub mod sheet;
pub mod xlsx;

use crate::infra::error::{AppError, AppResult};
use askama::Template;
use axum::extract::{FromRef, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
pub use base::{Base, Mounted, NavEntry, NodePanel, NodeRef, Panel, Routes, Site, Slice};
pub use caller::{Actor, Caller, ClientIp, PageActor, Via};

/// The largest request body of a route that declares none: GeoJSON and spreadsheets for import
/// fit well inside. Slices declare larger ones (`Slice::body_limits`).
pub const BODY_LIMIT: usize = 16 * 1024 * 1024;

/// The largest body a route takes, by the route's path as the router matched it.
fn body_limit(site: &Site, route: &str) -> usize {
    site.body_limits.get(route).copied().unwrap_or(BODY_LIMIT)
}

/// The largest body any route takes (the framework's own limit is set to it; the route's own
/// is held by [`guard_body`]).
pub fn largest_body(site: &Site) -> usize {
    site.body_limits
        .values()
        .copied()
        .max()
        .unwrap_or(BODY_LIMIT)
        .max(BODY_LIMIT)
}

/// Holds every request body to its route's size and to [`BODY_IDLE`](crate::infra::config::BODY_IDLE) between pieces: a
/// declared size over the limit is refused before anything is read; a body that grows past it,
/// or stops arriving, ends with an error the handler reports. A client announcing a terabyte,
/// or sending a byte a minute, holds no connection for long.
pub async fn guard_body(
    State(st): State<Base>,
    req: axum::extract::Request,
    next: axum::middleware::Next,
) -> Response {
    let limit = req
        .extensions()
        .get::<axum::extract::MatchedPath>()
        .map_or(BODY_LIMIT, |m| body_limit(&st.site, m.as_str()));
    let declared = req
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|n| n > limit as u64) {
        return (
            StatusCode::PAYLOAD_TOO_LARGE,
            format!("请求体过大：这个地址最多接受 {} MB", limit / 1024 / 1024),
        )
            .into_response();
    }
    if declared == Some(0) {
        return next.run(req).await;
    }
    let idle = st.config.body_idle;
    let (parts, body) = req.into_parts();
    let body = axum::body::Body::from_stream(futures_util::stream::unfold(
        (body.into_data_stream(), 0usize, false),
        move |(mut stream, seen, over)| async move {
            use futures_util::StreamExt;
            if over {
                return None;
            }
            let piece = match tokio::time::timeout(idle, stream.next()).await {
                Err(_) => Err(std::io::Error::new(
                    std::io::ErrorKind::TimedOut,
                    "request body stalled",
                )),
                Ok(None) => return None,
                Ok(Some(Ok(bytes))) if seen + bytes.len() > limit => Err(std::io::Error::new(
                    std::io::ErrorKind::InvalidData,
                    "request body too large",
                )),
                Ok(Some(Ok(bytes))) => {
                    let seen = seen + bytes.len();
                    return Some((Ok(bytes), (stream, seen, false)));
                }
                Ok(Some(Err(e))) => Err(std::io::Error::other(e)),
            };
            Some((piece, (stream, seen, true)))
        },
    ));
    next.run(axum::extract::Request::from_parts(parts, body))
        .await
}

/// Every refusal in one shape: under `/api/` the documented JSON error with a Chinese message
/// and a stable code; elsewhere a Chinese page. Handlers answer so themselves; this catches what
/// is refused before a handler runs or outside one — an id in the path that is not a number, a
/// body too large, not JSON or cut off, a method the route does not have, a missing CSRF
/// token — which would otherwise go out as the framework's English text.
pub async fn one_error_shape(
    State(st): State<Base>,
    req: axum::extract::Request,
    next: axum::middleware::Next,
) -> Response {
    let api = req.uri().path().starts_with("/api/");
    let resp = next.run(req).await;
    let status = resp.status();
    if !(status.is_client_error() || status.is_server_error()) {
        return resp;
    }
    let kind = resp
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    let shaped = if api {
        kind.starts_with("application/json")
    } else {
        kind.starts_with("text/html")
    };
    if shaped {
        return resp;
    }
    let actor = resp.extensions().get::<Actor>().cloned();
    let allow = resp.headers().get(header::ALLOW).cloned();
    let text = axum::body::to_bytes(resp.into_body(), 64 * 1024)
        .await
        .unwrap_or_default();
    let e = rejection(status, &String::from_utf8_lossy(&text));
    let mut out = match (api, actor) {
        (true, _) => e.into_response(),
        (false, Some(a)) => page_err(&st, &a, e).await,
        (false, None) => plain_page(e.status(), &e.to_string()),
    };
    *out.status_mut() = status;
    if let Some(v) = allow {
        out.headers_mut().insert(header::ALLOW, v);
    }
    out
}

/// What a refusal the framework wrote in English means, as one of ours.
fn rejection(status: StatusCode, text: &str) -> AppError {
    let (code, message) = match status {
        StatusCode::PAYLOAD_TOO_LARGE => (
            "too_large",
            if text.starts_with("请求体过大") {
                text.to_owned()
            } else {
                "请求体过大".to_owned()
            },
        ),
        StatusCode::METHOD_NOT_ALLOWED => {
            ("method_not_allowed", "这个地址不支持该请求方法".to_owned())
        }
        StatusCode::UNSUPPORTED_MEDIA_TYPE => (
            "bad_content_type",
            "请求体的类型不对（Content-Type）：接口收 JSON，表单收表单".to_owned(),
        ),
        StatusCode::FORBIDDEN => (
            "forbidden",
            "页面已过期或来源不明（CSRF 校验失败），请刷新后重试".to_owned(),
        ),
        StatusCode::NOT_FOUND => ("not_found", "页面或接口不存在".to_owned()),
        s if s.is_server_error() => ("internal", "服务器内部错误".to_owned()),
        _ if text.starts_with("Invalid URL") => ("bad_path", "网址中的编号不正确".to_owned()),
        _ if text.contains("JSON") => ("bad_json", "请求体不是合法的 JSON，或缺少字段".to_owned()),
        _ if text.contains("body") => (
            "bad_body",
            "请求体不完整：读取超时、中断或超过大小限制".to_owned(),
        ),
        _ => ("bad_request", "请求无法处理，请检查后重试".to_owned()),
    };
    AppError::Refused {
        status,
        code,
        message,
    }
}

/// The headers every answer carries: no sniffing, no framing, same-origin referrers, and a
/// content security policy that allows our own assets only.
pub async fn security_headers(
    req: axum::extract::Request,
    next: axum::middleware::Next,
) -> Response {
    let mut resp = next.run(req).await;
    let h = resp.headers_mut();
    h.insert(
        "x-content-type-options",
        HeaderValue::from_static("nosniff"),
    );
    h.insert("x-frame-options", HeaderValue::from_static("DENY"));
    h.insert("referrer-policy", HeaderValue::from_static("same-origin"));
    h.insert(
        "content-security-policy",
        HeaderValue::from_static("default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; frame-ancestors 'none'; form-action 'self'"),
    );
    resp
}

/// `/api/v1/…` that no route matches.
pub async fn api_not_found() -> AppError {
    AppError::NotFound("接口不存在".into())
}

/// `GET /healthz`: 200 `ok` when the database answers and takes writes; 503 saying which
/// does not (a read-only or full database still serves reads).
/// `GET /healthz`
pub async fn healthz(State(st): State<Base>) -> Response {
    if let Err(e) = st.db.ping().await {
        tracing::error!(error = %e, "health check: database does not answer");
        return (StatusCode::SERVICE_UNAVAILABLE, "database unavailable\n").into_response();
    }
    if st.metrics.writable(&st.db).await {
        (StatusCode::OK, "ok\n").into_response()
    } else {
        (
            StatusCode::SERVICE_UNAVAILABLE,
            "database reads ok, writes fail (full disk or read-only)\n",
        )
            .into_response()
    }
}

/// `GET /metrics`
pub async fn metrics_text(State(st): State<Base>) -> Response {
    let up = st.db.ping().await.is_ok();
    let writable = up && st.metrics.writable(&st.db).await;
    (
        [(
            header::CONTENT_TYPE,
            "text/plain; version=0.0.4; charset=utf-8",
        )],
        st.metrics.render(up, writable),
    )
        .into_response()
}

const CSS: &str = include_str!("../../static/app.css");
const JS: &str = include_str!("../../static/app.js");
const ICON: &str = include_str!("../../static/icon.svg");

/// `GET /static/{file}`: our own stylesheet, script and icon, embedded in the binary.
pub async fn static_file(axum::extract::Path(file): axum::extract::Path<String>) -> Response {
    let (body, ty) = match file.as_str() {
        "app.css" => (CSS, "text/css; charset=utf-8"),
        "app.js" => (JS, "text/javascript; charset=utf-8"),
        "icon.svg" => (ICON, "image/svg+xml"),
        _ => return (StatusCode::NOT_FOUND, "not found").into_response(),
    };
    (
        [
            (header::CONTENT_TYPE, ty),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        body,
    )
        .into_response()
}

/// The one shape of every error answer of the API (`one_error_shape` makes every error so),
/// as the OpenAPI document describes it.
#[derive(serde::Serialize, utoipa::ToSchema)]
pub struct ErrorAnswer {
    /// What went wrong.
    pub error: ErrorDetail,
}

/// An error: a stable code to act on and a Chinese message to show.
#[derive(serde::Serialize, utoipa::ToSchema)]
pub struct ErrorDetail {
    /// The stable code (`bad_input`, `stale_version`, `out_of_scope`…).
    pub code: String,
    /// The message, in Chinese, for a person.
    pub message: String,
}

/// The refusals any API route may answer, in the one error shape: what the OpenAPI document
/// lists under each operation beside its success.
#[derive(utoipa::IntoResponses)]
pub enum Refused {
    /// Bad input: nothing was changed.
    #[response(status = 400, description = "输入有误：中文说明与错误码，未作任何改动")]
    BadInput(ErrorAnswer),
    /// No or a bad credential.
    #[response(status = 401, description = "未登录或令牌无效")]
    Unauthenticated(ErrorAnswer),
    /// The role may not, or the row lies outside the caller's subtree.
    #[response(status = 403, description = "无此权限或不在管辖范围内")]
    Forbidden(ErrorAnswer),
    /// No such row in the caller's subtree (an id outside it is answered the same).
    #[response(status = 404, description = "不存在或不在管辖范围内")]
    NotFound(ErrorAnswer),
}

/// The refusals of a write that names the version it read, or a state it expects.
#[derive(utoipa::IntoResponses)]
pub enum RefusedWrite {
    /// Bad input: nothing was changed.
    #[response(status = 400, description = "输入有误：中文说明与错误码，未作任何改动")]
    BadInput(ErrorAnswer),
    /// No or a bad credential.
    #[response(status = 401, description = "未登录或令牌无效")]
    Unauthenticated(ErrorAnswer),
    /// The role may not, or the row lies outside the caller's subtree.
    #[response(status = 403, description = "无此权限或不在管辖范围内")]
    Forbidden(ErrorAnswer),
    /// No such row in the caller's subtree.
    #[response(status = 404, description = "不存在或不在管辖范围内")]
    NotFound(ErrorAnswer),
    /// Someone changed it first, or its state does not allow this.
    #[response(status = 409, description = "已被他人修改或状态不允许：请刷新后重试")]
    Conflict(ErrorAnswer),
}

/// A choice in a select: the value sent and the label shown.
pub struct Choice {
    /// Value.
    pub value: String,
    /// Label.
    pub label: String,
}

/// A [`Choice`] from any value and label.
pub fn choice(v: impl ToString, l: impl Into<String>) -> Choice {
    Choice {
        value: v.to_string(),
        label: l.into(),
    }
}

/// What the layout needs on every page.
pub struct PageCtx {
    /// The page title.
    pub title: String,
    /// Which nav entry is current.
    pub nav_key: &'static str,
    /// The nav entries the role may use.
    pub nav: Vec<NavEntry>,
    /// The account's shown name.
    pub user_name: String,
    /// The role in Chinese.
    pub role_label: &'static str,
    /// The bound node's name.
    pub node_name: String,
    /// The CSRF token for forms.
    pub csrf: String,
    /// A one-time message from the previous page: (is it good news, text).
    pub flash: Option<(bool, String)>,
    /// Unread notifications (the badge; kept live by server-sent events).
    pub unread: u64,
}

impl PageCtx {
    /// The layout for an actor's page: the navigation every slice offers the actor's role, the
    /// bound node's name and the unread notifications.
    pub async fn new(
        st: &Base,
        actor: &Actor,
        title: &str,
        nav_key: &'static str,
    ) -> AppResult<PageCtx> {
        let node_name = crate::infra::db::node_name(&st.db, actor.org_id)
            .await?
            .unwrap_or_default();
        Ok(PageCtx {
            title: title.to_owned(),
            nav_key,
            nav: st
                .site
                .nav
                .iter()
                .filter(|n| (n.shown)(actor.role))
                .copied()
                .collect(),
            user_name: actor.display_name.clone(),
            role_label: actor.role.label(),
            node_name,
            csrf: actor.csrf().to_owned(),
            flash: actor.flash.clone(),
            unread: crate::infra::notify::unread(&st.db, actor.user_id).await?,
        })
    }
}

/// A rendered template as a response (a template error is logged and answered with 500).
pub struct Html(pub Result<String, askama::Error>);

impl IntoResponse for Html {
    fn into_response(self) -> Response {
        match self.0 {
            Ok(s) => axum::response::Html(s).into_response(),
            Err(e) => {
                AppError::Internal(anyhow::anyhow!("template: {e}")).log();
                (StatusCode::INTERNAL_SERVER_ERROR, "页面渲染失败").into_response()
            }
        }
    }
}

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage {
    ctx: PageCtx,
    status: u16,
    message: String,
}

/// An error shown as a page inside the layout, with its status.
pub async fn page_err(st: &Base, actor: &Actor, e: AppError) -> Response {
    e.log();
    let status = e.status();
    let message = e.to_string();
    match PageCtx::new(st, actor, "出错了", "").await {
        Ok(ctx) => (
            status,
            Html(
                ErrorPage {
                    ctx,
                    status: status.as_u16(),
                    message,
                }
                .render(),
            ),
        )
            .into_response(),
        Err(_) => (status, message).into_response(),
    }
}

/// A page that no route matches: inside the layout for someone logged in.
pub async fn page_not_found(st: Base, actor: Option<axum::Extension<Actor>>) -> Response {
    match actor {
        Some(axum::Extension(a)) => {
            page_err(&st, &a, AppError::NotFound("页面不存在".into())).await
        }
        None => plain_page(StatusCode::NOT_FOUND, "页面不存在。"),
    }
}

/// A page's result as a response: the page, or the error shown inside the layout.
pub async fn respond(st: &Base, actor: &Actor, r: AppResult<Response>) -> Response {
    match r {
        Ok(r) => r,
        Err(e) => page_err(st, actor, e).await,
    }
}

/// A query string read into `T`, where an empty field (`org=`, as a form's blank select sends
/// it) means "not set". A query that still does not parse is refused in Chinese: as the JSON
/// error under `/api/`, as the error page inside the layout elsewhere. Use it instead of
/// axum's `Query` for every handler.
pub struct Query<T>(pub T);

impl<S, T> axum::extract::FromRequestParts<S> for Query<T>
where
    S: Send + Sync,
    Base: axum::extract::FromRef<S>,
    T: serde::de::DeserializeOwned,
{
    type Rejection = Response;

    async fn from_request_parts(
        parts: &mut axum::http::request::Parts,
        state: &S,
    ) -> Result<Self, Self::Rejection> {
        let st = Base::from_ref(state);
        let st = &st;
        let detail = match parse_query(parts.uri.query().unwrap_or("")) {
            Ok(v) => return Ok(Query(v)),
            Err(detail) => detail,
        };
        tracing::debug!(detail, "a query string that does not parse");
        let e = AppError::bad("bad_query", "网址中的查询参数不正确，请检查后重试");
        let api = parts
            .extensions
            .get::<axum::extract::NestedPath>()
            .is_some_and(|n| n.as_str().starts_with("/api/"));
        match parts.extensions.get::<Actor>().cloned() {
            _ if api => Err(e.into_response()),
            Some(a) => Err(page_err(st, &a, e).await),
            None => Err(plain_page(e.status(), &e.to_string())),
        }
    }
}

/// A page for someone without an account (no layout to put it in): the message and a way home.
fn plain_page(status: StatusCode, message: &str) -> Response {
    let escaped = message
        .replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;");
    (
        status,
        axum::response::Html(format!(
            "<!doctype html><meta charset=utf-8><meta name=viewport content=\"width=device-width, initial-scale=1\"><title>出错了</title><p>{escaped}</p><p><a href=\"/\">返回首页</a></p>"
        )),
    )
        .into_response()
}

/// Parses a query string, leaving out empty fields (see [`Query`]).
pub fn parse_query<T: serde::de::DeserializeOwned>(raw: &str) -> Result<T, String> {
    let kept: Vec<&str> = raw
        .split('&')
        .filter(|kv| {
            kv.split_once('=')
                .is_some_and(|(k, v)| !k.is_empty() && !v.is_empty())
        })
        .collect();
    serde_urlencoded::from_str(&kept.join("&")).map_err(|e| e.to_string())
}

/// Reads a JSON request body; a malformed one is bad input with the parser's reason.
pub fn json_body<T: serde::de::DeserializeOwned>(bytes: &[u8]) -> AppResult<T> {
    serde_json::from_slice(bytes)
        .map_err(|e| AppError::bad("bad_json", format!("请求体不是合法的 JSON 或缺少字段：{e}")))
}

/// A QR code of `text` as inline SVG markup (black on white, 4 modules of quiet zone), for a
/// link a phone can open by scanning it; `None` if the text is too long for a code.
pub fn qr_svg(text: &str) -> Option<String> {
    let code =
        qrcode::QrCode::with_error_correction_level(text.as_bytes(), qrcode::EcLevel::M).ok()?;
    let svg = code
        .render::<qrcode::render::svg::Color>()
        .min_dimensions(200, 200)
        .build();
    // Inline in HTML: the XML declaration has no place there.
    let at = svg.find("<svg")?;
    Some(svg[at..].replacen(
        "<svg ",
        "<svg class=\"qr\" role=\"img\" aria-label=\"二维码\" ",
        1,
    ))
}

/// The address people reach the platform at: the configured `public_url`, or the scheme and
/// host this request came to (`X-Forwarded-Proto` and `Host`, as a proxy sets them).
pub fn base_url(st: &Base, headers: &axum::http::HeaderMap) -> String {
    if let Some(u) = &st.config.public_url {
        return u.clone();
    }
    let host = headers
        .get(header::HOST)
        .and_then(|v| v.to_str().ok())
        .filter(|h| {
            !h.is_empty()
                && h.bytes().all(|b| {
                    b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b':' | b'[' | b']')
                })
        })
        .unwrap_or("127.0.0.1");
    let https = st.config.secure_cookies
        || headers
            .get("x-forwarded-proto")
            .and_then(|v| v.to_str().ok())
            .is_some_and(|p| p.eq_ignore_ascii_case("https"));
    format!("{}://{host}", if https { "https" } else { "http" })
}

/// The flash cookie's name.
pub const FLASH_COOKIE: &str = "wangge_flash";

/// A local path a browser will stay on this site for, or `None`: it starts with one `/`, holds
/// no control character, space or backslash (browsers drop tabs and newlines and read `\` as
/// `/`, so `/\t/evil.example/` would become `//evil.example/`, another site), and no scheme or
/// authority. Characters beyond ASCII are percent-encoded, so the result is always a valid
/// `Location` header.
pub fn local_path(next: &str) -> Option<String> {
    let rest = next.strip_prefix('/')?;
    if rest.starts_with('/') {
        return None;
    }
    let mut out = String::with_capacity(next.len());
    out.push('/');
    for c in rest.chars() {
        match c {
            c if c.is_ascii_control() || c == ' ' || c == '\\' => return None,
            c if c.is_ascii() => out.push(c),
            c if c.is_control() || c.is_whitespace() => return None,
            c => {
                let mut buf = [0u8; 4];
                for b in c.encode_utf8(&mut buf).bytes() {
                    out.push_str(&format!("%{b:02X}"));
                }
            }
        }
    }
    Some(out)
}

/// A 303 redirect to a local path; anything that is not one (see [`local_path`]) goes home.
/// Never panics, whatever the path holds.
pub fn redirect(to: &str) -> Response {
    let to = local_path(to).unwrap_or_else(|| "/".to_owned());
    let mut resp = StatusCode::SEE_OTHER.into_response();
    if let Ok(v) = HeaderValue::from_str(&to) {
        resp.headers_mut().insert(header::LOCATION, v);
    }
    resp
}

/// Redirects with a one-time message shown by the next page.
pub fn flash_redirect(to: &str, ok: bool, msg: &str) -> Response {
    let value = format!("{}{}", if ok { "1" } else { "0" }, urlencode(msg));
    let mut resp = redirect(to);
    if let Ok(v) = HeaderValue::from_str(&format!(
        "{FLASH_COOKIE}={value}; Path=/; HttpOnly; SameSite=Lax; Max-Age=60"
    )) {
        resp.headers_mut().append(header::SET_COOKIE, v);
    }
    resp
}

/// Turns a service result into a redirect with a flash: the message on success, the
/// error's message on failure.
pub fn done<T>(r: AppResult<T>, to: &str, ok_msg: &str) -> Response {
    match r {
        Ok(_) => flash_redirect(to, true, ok_msg),
        Err(e) => {
            e.log();
            flash_redirect(to, false, &e.to_string())
        }
    }
}

/// Percent-encodes for a URL query or cookie value.
pub fn urlencode(s: &str) -> String {
    use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};
    /// Everything but letters, digits and `-_.~/` (the slash kept: paths stay readable).
    const KEEP: &AsciiSet = &NON_ALPHANUMERIC
        .remove(b'-')
        .remove(b'_')
        .remove(b'.')
        .remove(b'~')
        .remove(b'/');
    utf8_percent_encode(s, KEEP).to_string()
}

/// Decodes `application/x-www-form-urlencoded` text (`+` is a space).
pub fn urldecode(s: &str) -> std::borrow::Cow<'_, str> {
    if !s.contains(['%', '+']) {
        return std::borrow::Cow::Borrowed(s);
    }
    let spaced = s.replace('+', " ");
    std::borrow::Cow::Owned(
        percent_encoding::percent_decode_str(&spaced)
            .decode_utf8_lossy()
            .into_owned(),
    )
}

/// A number a form sent: none when blank, a clear refusal when not a number.
pub fn number<T: std::str::FromStr>(what: &str, s: &str) -> AppResult<Option<T>> {
    match s.trim() {
        "" => Ok(None),
        t => t
            .parse()
            .map(Some)
            .map_err(|_| AppError::bad("invalid_input", format!("{what}无效"))),
    }
}

/// Builds `a=1&b=2` from non-empty pairs, for paging links that keep the filters.
pub fn query_string(pairs: &[(&str, String)]) -> String {
    pairs
        .iter()
        .filter(|(_, v)| !v.is_empty())
        .map(|(k, v)| format!("{k}={}", urlencode(v)))
        .collect::<Vec<_>>()
        .join("&")
}

/// An upload form's fields (`type`, `title`, …) and its `file`, read from a multipart body;
/// `what` names the file in the message that refuses one too large (`档案文件不超过 20 MB`).
pub async fn read_upload(
    mut mp: axum::extract::Multipart,
    what: &str,
) -> AppResult<(std::collections::HashMap<String, String>, Vec<u8>)> {
    let too_large = || AppError::bad("too_large", format!("文件太大或上传中断（{what}）"));
    let (mut fields, mut bytes) = (std::collections::HashMap::new(), Vec::new());
    while let Some(field) = mp.next_field().await.map_err(|_| too_large())? {
        let name = field.name().unwrap_or("").to_owned();
        let data = field.bytes().await.map_err(|_| too_large())?;
        if name == "file" {
            bytes = data.to_vec();
        } else {
            fields.insert(name, String::from_utf8_lossy(&data).into_owned());
        }
    }
    Ok((fields, bytes))
}

/// A stored document (a PDF or a photo) as its page opens it: inline, named by its title,
/// never cached.
pub fn document_response(mime: &str, title: &str, bytes: Vec<u8>) -> Response {
    (
        [
            (header::CONTENT_TYPE, mime.to_owned()),
            (header::CACHE_CONTROL, "private, no-store".into()),
            (
                header::CONTENT_DISPOSITION,
                format!(
                    "inline; filename*=UTF-8''{}.{}",
                    urlencode(title),
                    if mime == "application/pdf" {
                        "pdf"
                    } else {
                        "jpg"
                    }
                ),
            ),
        ],
        bytes,
    )
        .into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn url_coding_round_trips() {
        for s in ["清河街道 a+b", "100%", "a=b&c", "/org/nodes/3?x=1"] {
            assert_eq!(urldecode(&urlencode(s)), s);
        }
        assert_eq!(urldecode("a+b%20c"), "a b c");
        assert_eq!(urldecode("bad%zz"), "bad%zz");
        assert_eq!(urldecode("end%4"), "end%4");
    }

    #[test]
    fn only_local_paths_are_followed() {
        for bad in [
            "/\t/evil.example/",
            "/\n/evil.example/",
            "/\r\n/x",
            "//evil.example/",
            "/\\evil.example/",
            "/\\/evil.example/",
            "https://evil.example/",
            "evil.example",
            "",
            " /x",
            "/a b",
            "/\u{7f}x",
            "/\u{85}x",
            "/\u{3000}x",
        ] {
            assert_eq!(local_path(bad), None, "{bad:?}");
            let r = redirect(bad);
            assert_eq!(r.headers()[header::LOCATION], "/", "{bad:?}");
        }
        assert_eq!(
            local_path("/cases?status=reported&page=2").as_deref(),
            Some("/cases?status=reported&page=2")
        );
        assert_eq!(local_path("/").as_deref(), Some("/"));
        assert_eq!(
            local_path("/people?q=张").as_deref(),
            Some("/people?q=%E5%BC%A0")
        );
        assert_eq!(local_path("/x/https://y").as_deref(), Some("/x/https://y"));
        assert_eq!(redirect("/todo").headers()[header::LOCATION], "/todo");
        assert_eq!(redirect("/todo").status(), StatusCode::SEE_OTHER);
    }

    #[test]
    fn empty_query_fields_are_not_set() {
        #[derive(serde::Deserialize, Debug)]
        struct F {
            org: Option<i64>,
            q: Option<String>,
            #[serde(default)]
            page: Option<u64>,
        }
        let f: F = parse_query("org=&q=%E5%BC%A0&page=").expect("parses");
        assert_eq!((f.org, f.q.as_deref(), f.page), (None, Some("张"), None));
        let f: F = parse_query("").expect("parses");
        assert!(f.org.is_none());
        assert!(parse_query::<F>("org=abc").is_err());
        let f: F = parse_query("org=12&bare&=x").expect("parses");
        assert_eq!(f.org, Some(12));
    }

    #[test]
    fn a_link_becomes_an_inline_qr_code() {
        let svg = qr_svg("https://wangge.example.gov.cn/track/2026-000123?t=abc").expect("fits");
        assert!(svg.starts_with("<svg class=\"qr\""), "{svg}");
        assert!(svg.ends_with("</svg>") && svg.contains("<path"));
        assert!(qr_svg(&"x".repeat(5000)).is_none(), "too long for any code");
    }
}
