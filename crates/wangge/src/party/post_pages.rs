//! The page of 党员先锋岗 and 党员责任区: the posts of the caller's subtree by place, and for a
//! branch's secretary the form that sets one up and the button that ends one.

use super::posts::{self, PostInput, PostView};
use crate::infra::error::AppError;
use crate::web::{Base, Choice, Html, PageActor, PageCtx, choice, done, respond};
use askama::Template;
use axum::Form;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use wangge_core::party::post::PostKind;

#[derive(Template)]
#[template(path = "party/posts.html")]
struct PostsPage {
    ctx: PageCtx,
    tabs: super::member_pages::Tabs,
    list: Vec<PostView>,
    members: Vec<Choice>,
    places: Vec<Choice>,
    kinds: Vec<Choice>,
    today: String,
}

/// `GET /party/posts`
pub async fn list(State(st): State<Base>, PageActor(actor): PageActor) -> Response {
    let run = async {
        let c = actor.caller();
        let list = posts::list(&st, &c, false).await?;
        let tabs = super::member_pages::tabs(&c, "posts");
        let (members, places) = if tabs.manage {
            let cs = crate::cases::CasesState::of(&st);
            let (buildings, areas) = crate::cases::service::scoped_places(&cs, &actor).await?;
            (
                super::member_pages::member_choices(&st, &c).await?,
                areas.into_iter().chain(buildings).collect(),
            )
        } else {
            (Vec::new(), Vec::new())
        };
        let ctx = PageCtx::new(&st, &actor, "先锋岗和责任区", "party").await?;
        Ok::<_, AppError>(Html(
            PostsPage {
                ctx,
                tabs,
                list,
                members,
                places,
                kinds: PostKind::ALL
                    .into_iter()
                    .map(|k| choice(k.as_str(), k.label()))
                    .collect(),
                today: crate::infra::clock::today().to_string(),
            }
            .render(),
        ))
    };
    respond(&st, &actor, run.await.map(IntoResponse::into_response)).await
}

/// What the post form sends.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct PostForm {
    member_id: String,
    kind: String,
    title: String,
    duty: String,
    place_id: String,
    since: String,
}

/// `POST /party/posts`
pub async fn create(
    State(st): State<Base>,
    PageActor(actor): PageActor,
    Form(f): Form<PostForm>,
) -> Response {
    let id = |what: &str, s: &str| match s.trim() {
        "" => Ok(None),
        t => t
            .parse()
            .map(Some)
            .map_err(|_| AppError::bad("invalid_input", format!("{what}无效"))),
    };
    let r = async {
        let input = PostInput {
            member_id: id("党员", &f.member_id)?,
            kind: f.kind.clone(),
            title: f.title.clone(),
            duty: f.duty.clone(),
            place_id: id("地点", &f.place_id)?,
            since: f.since.clone(),
        };
        posts::create(&st, &actor.caller(), input).await
    }
    .await;
    done(r, "/party/posts", "已设立")
}

/// What the end form sends.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct EndForm {
    until: String,
}

/// `POST /party/posts/{id}/end`
pub async fn end(
    State(st): State<Base>,
    PageActor(actor): PageActor,
    Path(id): Path<i64>,
    Form(f): Form<EndForm>,
) -> Response {
    let r = posts::end(&st, &actor.caller(), id, &f.until).await;
    done(r, "/party/posts", "已撤销")
}
