//! CSRF protection for cookie-authenticated writes: the token comes back in the
//! `X-CSRF-Token` header, in a form's `_csrf` field, or (for file uploads) in the query.

use axum::body::{Body, to_bytes};
use axum::extract::Request;
use axum::http::{StatusCode, header};
use axum::response::{Html, IntoResponse, Response};

/// The pre-login CSRF cookie's name (double-submit for the forms people post without an
/// account: login, the public report, the lookup).
pub const PRE_COOKIE: &str = "wangge_pre";

/// The largest urlencoded form body we buffer to read the token.
const FORM_LIMIT: usize = 2 * 1024 * 1024;

fn field<'a>(pairs: &'a str, name: &str) -> Option<std::borrow::Cow<'a, str>> {
    pairs
        .split('&')
        .filter_map(|kv| kv.split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| crate::web::urldecode(v))
}

/// Checks the request's token against `expected`; returns the request (rebuilt if its body
/// was read) and whether it passed.
pub async fn check(req: Request, expected: &str) -> (Request, bool) {
    if expected.is_empty() {
        return (req, false);
    }
    let ok = |got: &str| crate::infra::tokens::constant_eq(got, expected);
    if let Some(h) = req
        .headers()
        .get("x-csrf-token")
        .and_then(|v| v.to_str().ok())
    {
        let pass = ok(h);
        return (req, pass);
    }
    if let Some(q) = req.uri().query()
        && let Some(v) = field(q, "_csrf")
    {
        let pass = ok(&v);
        return (req, pass);
    }
    let is_form = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/x-www-form-urlencoded"));
    if !is_form {
        return (req, false);
    }
    let (parts, body) = req.into_parts();
    let Ok(bytes) = to_bytes(body, FORM_LIMIT).await else {
        return (Request::from_parts(parts, Body::empty()), false);
    };
    let pass = std::str::from_utf8(&bytes)
        .ok()
        .and_then(|s| field(s, "_csrf"))
        .is_some_and(|v| ok(&v));
    (Request::from_parts(parts, Body::from(bytes)), pass)
}

/// The answer to a write without a valid token.
pub fn rejected() -> Response {
    (
        StatusCode::FORBIDDEN,
        Html(
            "<!doctype html><meta charset=utf-8><title>请求已过期</title>\
             <p>页面已过期或来源不明（CSRF 校验失败）。请返回上一页刷新后重试。</p>\
             <p><a href=\"/\">返回首页</a></p>",
        ),
    )
        .into_response()
}
