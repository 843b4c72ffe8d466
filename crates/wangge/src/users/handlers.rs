//! The accounts' JSON API.

use super::{EditUser, Filter, NewUser, Page, UserView};
use crate::infra::error::AppResult;
use crate::web::Actor;
use crate::web::Base;
use crate::web::Query;
use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use serde::Deserialize;

/// `GET /api/v1/users`
pub async fn api_list(
    State(st): State<Base>,
    actor: Actor,
    Query(f): Query<Filter>,
) -> AppResult<Json<Page>> {
    Ok(Json(
        super::list(&st.db, &actor.caller(), &f, Some(super::PER_PAGE)).await?,
    ))
}

/// `GET /api/v1/users/{id}`
pub async fn api_get(
    State(st): State<Base>,
    actor: Actor,
    Path(id): Path<i64>,
) -> AppResult<Json<UserView>> {
    Ok(Json(super::get(&st.db, &actor.caller(), id).await?))
}

/// `POST /api/v1/users`
pub async fn api_create(
    State(st): State<Base>,
    actor: Actor,
    b: Bytes,
) -> AppResult<(StatusCode, Json<UserView>)> {
    let input: NewUser = crate::web::json_body(&b)?;
    Ok((
        StatusCode::CREATED,
        Json(super::create(&st.db, &actor.caller(), input).await?),
    ))
}

/// `PATCH /api/v1/users/{id}`
pub async fn api_update(
    State(st): State<Base>,
    actor: Actor,
    Path(id): Path<i64>,
    b: Bytes,
) -> AppResult<Json<UserView>> {
    let input: EditUser = crate::web::json_body(&b)?;
    Ok(Json(
        super::update(&st.db, &actor.caller(), id, input).await?,
    ))
}

/// A password reset.
#[derive(Deserialize)]
pub struct ResetBody {
    password: String,
}

/// `POST /api/v1/users/{id}/password`
pub async fn api_reset_password(
    State(st): State<Base>,
    actor: Actor,
    Path(id): Path<i64>,
    b: Bytes,
) -> AppResult<StatusCode> {
    let input: ResetBody = crate::web::json_body(&b)?;
    super::reset_password(&st.db, &actor.caller(), id, &input.password).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// `POST /api/v1/users/{id}/disable`
pub async fn api_disable(
    State(st): State<Base>,
    actor: Actor,
    Path(id): Path<i64>,
) -> AppResult<StatusCode> {
    super::set_status(&st.db, &actor.caller(), id, false).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// `POST /api/v1/users/{id}/enable`
pub async fn api_enable(
    State(st): State<Base>,
    actor: Actor,
    Path(id): Path<i64>,
) -> AppResult<StatusCode> {
    super::set_status(&st.db, &actor.caller(), id, true).await?;
    Ok(StatusCode::NO_CONTENT)
}
