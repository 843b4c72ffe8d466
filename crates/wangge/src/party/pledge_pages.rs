//! The page of 承诺践诺: a member makes and reports their own pledges; a branch secretary (or
//! the street's party staff) sees the members' pledges of a year, enters one for a member and
//! reviews the reported ones.

use super::pledges::{self, Filter, PledgeInput, PledgeView, StepInput};
use crate::infra::error::AppError;
use crate::web::{Base, Choice, Html, PageActor, PageCtx, Query, choice, done, respond};
use askama::Template;
use axum::Form;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use wangge_core::party::pledge::Verdict;

#[derive(Template)]
#[template(path = "party/pledges.html")]
struct PledgesPage {
    ctx: PageCtx,
    tabs: super::member_pages::Tabs,
    list: Vec<PledgeView>,
    year: i32,
    years: Vec<i32>,
    /// Whether the caller reviews (and enters pledges for members).
    reviews: bool,
    /// Whether the caller is a member (and pledges for themself).
    member: bool,
    /// The members the caller may enter a pledge for.
    members: Vec<Choice>,
    verdicts: Vec<Choice>,
    today: String,
    /// The figures of the year.
    tally: pledges::Tally,
}

/// What the list's query sends.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ListQuery {
    year: String,
}

/// `GET /party/pledges`
pub async fn list(
    State(st): State<Base>,
    PageActor(actor): PageActor,
    Query(q): Query<ListQuery>,
) -> Response {
    let run = async {
        let c = actor.caller();
        let this = chrono::Datelike::year(&crate::infra::clock::today());
        let year = q.year.trim().parse().unwrap_or(this);
        let list = pledges::list(
            &st,
            &c,
            &Filter {
                year: Some(year),
                org: None,
            },
        )
        .await?;
        let tabs = super::member_pages::tabs(&c, "pledges");
        let reviews = tabs.manage;
        let member = super::members::mine(&st, &c).await?.is_some();
        let members = if reviews {
            super::member_pages::member_choices(&st, &c).await?
        } else {
            Vec::new()
        };
        let ctx = PageCtx::new(
            &st,
            &actor,
            "承诺践诺",
            if member && !reviews {
                "party_me"
            } else {
                "party"
            },
        )
        .await?;
        Ok::<_, AppError>(Html(
            PledgesPage {
                ctx,
                tabs,
                tally: pledges::tally(&list),
                list,
                year,
                years: vec![this + 1, this, this - 1],
                reviews,
                member,
                members,
                verdicts: Verdict::ALL
                    .into_iter()
                    .map(|v| choice(v.as_str(), v.label()))
                    .collect(),
                today: crate::infra::clock::today().to_string(),
            }
            .render(),
        ))
    };
    respond(&st, &actor, run.await.map(IntoResponse::into_response)).await
}

/// What the pledge form sends.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct PledgeForm {
    member_id: String,
    year: String,
    content: String,
}

/// An optional number a form sent (empty: none), or a clear refusal.
pub(super) use crate::web::number;

/// `POST /party/pledges`
pub async fn make(
    State(st): State<Base>,
    PageActor(actor): PageActor,
    Form(f): Form<PledgeForm>,
) -> Response {
    let input = (|| {
        Ok::<_, AppError>(PledgeInput {
            member_id: number("党员", &f.member_id)?,
            year: number("年度", &f.year)?,
            content: f.content.clone(),
        })
    })();
    let r = match input {
        Ok(i) => pledges::create(&st, &actor.caller(), i).await,
        Err(e) => Err(e),
    };
    let back = format!("/party/pledges?year={}", f.year.trim());
    done(r, &back, "已作出承诺")
}

/// What a report or review form sends.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct StepForm {
    text: String,
    verdict: String,
    on: String,
    version: String,
    year: String,
}

async fn step(
    st: &Base,
    actor: &crate::web::Actor,
    id: i64,
    review: bool,
    f: StepForm,
) -> Response {
    let back = format!("/party/pledges?year={}", f.year.trim());
    let r = match number::<i32>("版本号", &f.version) {
        Ok(version) => {
            pledges::step(
                st,
                &actor.caller(),
                id,
                review,
                StepInput {
                    text: f.text,
                    verdict: f.verdict,
                    on: f.on,
                    version,
                },
            )
            .await
        }
        Err(e) => Err(e),
    };
    done(r, &back, if review { "已评议" } else { "已汇报" })
}

/// `POST /party/pledges/{id}/report`
pub async fn report(
    State(st): State<Base>,
    PageActor(actor): PageActor,
    Path(id): Path<i64>,
    Form(f): Form<StepForm>,
) -> Response {
    step(&st, &actor, id, false, f).await
}

/// `POST /party/pledges/{id}/review`
pub async fn review(
    State(st): State<Base>,
    PageActor(actor): PageActor,
    Path(id): Path<i64>,
    Form(f): Form<StepForm>,
) -> Response {
    step(&st, &actor, id, true, f).await
}
