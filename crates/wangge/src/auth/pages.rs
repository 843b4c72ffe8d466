//! The login page, logging out, the account page and the tokens page.

use super::AuthState;
use super::SESSION_COOKIE;
use super::api::TokenForm;
use super::service::{
    TokenView, authenticate, change_own_password, issue_machine_token, note_login,
    revoke_machine_token, token_list,
};
use crate::infra::access;
use crate::infra::error::{AppError, AppResult};
use crate::web::Query;
use crate::web::caller::{cookie, cookie_header};
use crate::web::csrf::PRE_COOKIE;
use crate::web::{Actor, ClientIp, PageActor, Via};
use crate::web::{Html, PageCtx, done};
use askama::Template;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::{Extension, Form};
use serde::Deserialize;

#[derive(Template)]
#[template(path = "login.html")]
struct LoginPage {
    csrf: String,
    next: String,
    username: String,
    error: Option<String>,
    demo_hint: bool,
}

/// Query of the login page.
#[derive(Deserialize)]
pub struct LoginQuery {
    next: Option<String>,
}

/// Where to go after logging in: a local path only (see [`crate::web::local_path`]).
fn safe_next(next: Option<&str>) -> String {
    next.and_then(crate::web::local_path)
        .unwrap_or_else(|| "/".to_owned())
}

async fn render_login(
    st: &AuthState,
    headers: &HeaderMap,
    next: String,
    username: String,
    error: Option<String>,
) -> AppResult<Response> {
    let pre = match cookie(headers, PRE_COOKIE) {
        Some(v) if v.len() == 64 => v.to_owned(),
        _ => crate::infra::tokens::random_token()?,
    };
    let status = if error.is_some() {
        StatusCode::UNAUTHORIZED
    } else {
        StatusCode::OK
    };
    let page = LoginPage {
        csrf: pre.clone(),
        next,
        username,
        error,
        demo_hint: st.config.demo_hint,
    };
    let mut resp = (status, Html(page.render())).into_response();
    if let Some(h) = cookie_header(st.config.secure_cookies, PRE_COOKIE, &pre, None) {
        resp.headers_mut().append(header::SET_COOKIE, h);
    }
    Ok(resp)
}

/// `GET /login`
pub async fn login_page(
    State(st): State<AuthState>,
    headers: HeaderMap,
    actor: Option<Extension<Actor>>,
    Query(q): Query<LoginQuery>,
) -> Response {
    if actor.is_some() {
        return crate::web::redirect(&safe_next(q.next.as_deref()));
    }
    render_login(
        &st,
        &headers,
        safe_next(q.next.as_deref()),
        String::new(),
        None,
    )
    .await
    .unwrap_or_else(IntoResponse::into_response)
}

/// The login form.
#[derive(Deserialize)]
pub struct LoginForm {
    username: String,
    password: String,
    next: Option<String>,
}

/// `POST /login`
pub async fn login_submit(
    State(st): State<AuthState>,
    headers: HeaderMap,
    Extension(ClientIp(ip)): Extension<ClientIp>,
    Form(f): Form<LoginForm>,
) -> Response {
    let next = safe_next(f.next.as_deref());
    let result = async {
        let u = authenticate(&st, &f.username, &f.password, &ip).await?;
        let token = access::start_session(&st.db, u.id, &ip).await?;
        note_login(&st, &u, &ip, "网页").await?;
        Ok::<_, AppError>((u, token))
    }
    .await;
    match result {
        Ok((u, token)) => {
            let to = if u.must_change_password {
                "/account".to_owned()
            } else {
                next
            };
            let mut resp = crate::web::redirect(&to);
            if let Some(h) = cookie_header(st.config.secure_cookies, SESSION_COOKIE, &token, None) {
                resp.headers_mut().append(header::SET_COOKIE, h);
            }
            resp
        }
        Err(
            e @ (AppError::Unauthenticated(_)
            | AppError::TooManyRequests(_)
            | AppError::BadInput { .. }),
        ) => {
            let status = e.status();
            let mut r = render_login(&st, &headers, next, f.username.clone(), Some(e.to_string()))
                .await
                .unwrap_or_else(IntoResponse::into_response);
            *r.status_mut() = status;
            r
        }
        Err(e) => e.into_response(),
    }
}

/// `POST /logout`
pub async fn logout(State(st): State<AuthState>, actor: Option<Extension<Actor>>) -> Response {
    if let Some(Extension(a)) = actor
        && let Via::Session { id, .. } = a.via
        && let Err(e) = access::end_session(&st.db, id).await
    {
        tracing::error!(error = %e, "could not end a session");
    }
    crate::infra::cache::directory_changed();
    let mut resp = Redirect::to("/login").into_response();
    if let Some(h) = cookie_header(st.config.secure_cookies, SESSION_COOKIE, "", Some(0)) {
        resp.headers_mut().append(header::SET_COOKIE, h);
    }
    resp
}

#[derive(Template)]
#[template(path = "account.html")]
struct AccountPage {
    ctx: PageCtx,
    username: String,
    must_change: bool,
}

/// `GET /account`
pub async fn account_page(State(st): State<AuthState>, PageActor(actor): PageActor) -> Response {
    let run = async {
        let ctx = PageCtx::new(&st, &actor, "我的账号", "account").await?;
        Ok::<_, AppError>(
            Html(
                AccountPage {
                    ctx,
                    username: actor.username.clone(),
                    must_change: actor.must_change_password,
                }
                .render(),
            )
            .into_response(),
        )
    };
    crate::web::respond(&st, &actor, run.await).await
}

/// The password form.
#[derive(Deserialize)]
pub struct PasswordForm {
    current: String,
    new: String,
    confirm: String,
}

/// `POST /account/password`
pub async fn account_password(
    State(st): State<AuthState>,
    actor: Option<Extension<Actor>>,
    Form(f): Form<PasswordForm>,
) -> Response {
    let Some(Extension(actor)) = actor else {
        return Redirect::to("/login").into_response();
    };
    let r = change_own_password(&st, &actor, &f.current, &f.new, Some(&f.confirm)).await;
    match r {
        Ok(()) => crate::web::flash_redirect("/", true, "密码已修改"),
        Err(e) => done::<()>(Err(e), "/account", ""),
    }
}

#[derive(Template)]
#[template(path = "tokens.html")]
struct TokensPage {
    ctx: PageCtx,
    tokens: Vec<TokenView>,
    new_token: Option<String>,
}

async fn render_tokens(
    st: &AuthState,
    actor: &Actor,
    new_token: Option<String>,
) -> AppResult<Response> {
    let tokens = token_list(st, actor).await?;
    let ctx = PageCtx::new(st, actor, "接口令牌", "tokens").await?;
    Ok(Html(
        TokensPage {
            ctx,
            tokens,
            new_token,
        }
        .render(),
    )
    .into_response())
}

/// `GET /tokens`
pub async fn tokens_page(State(st): State<AuthState>, PageActor(actor): PageActor) -> Response {
    crate::web::respond(&st, &actor, render_tokens(&st, &actor, None).await).await
}

/// `POST /tokens`: shows the new token once, on the page itself.
pub async fn tokens_issue(
    State(st): State<AuthState>,
    PageActor(actor): PageActor,
    Form(f): Form<TokenForm>,
) -> Response {
    match issue_machine_token(&st, &actor, &f.username, &f.name).await {
        Ok((_, token)) => {
            crate::web::respond(&st, &actor, render_tokens(&st, &actor, Some(token)).await).await
        }
        Err(e) => done::<()>(Err(e), "/tokens", ""),
    }
}

/// `POST /tokens/{id}/revoke`
pub async fn tokens_revoke(
    State(st): State<AuthState>,
    PageActor(actor): PageActor,
    Path(id): Path<i64>,
) -> Response {
    done(
        revoke_machine_token(&st, &actor, id).await,
        "/tokens",
        "令牌已吊销",
    )
}
