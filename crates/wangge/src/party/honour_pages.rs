//! The pages of 光荣榜: the street defines categories, approves nominations up to each quota and
//! publishes the roll; communities nominate their people and branches (with a photo); a member
//! nominates themself; anyone sees the published rolls at `/honours`.

use super::honours::{
    self, CategoryInput, DecisionInput, NominationInput, NominationView, PublicRoll, PublishInput,
};
use super::member_pages::{Found, Tabs, find_residents, tabs};
use super::pledge_pages::number;
use crate::infra::error::AppError;
use crate::web::{Base, Choice, Html, PageActor, PageCtx, Query, choice, done, respond};
use askama::Template;
use axum::Form;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use wangge_core::party::honour::{PeriodKind, Subject};

#[derive(Template)]
#[template(path = "party/honours.html")]
struct HonoursPage {
    ctx: PageCtx,
    tabs: Tabs,
    staff: bool,
    member: bool,
    blocks: Vec<honours::CategoryBlock>,
    /// The caller's own nominations (a member).
    mine: Vec<NominationView>,
    /// Whether the caller may define categories (a street's staff).
    defines: bool,
    kinds: Vec<Choice>,
    subjects: Vec<Choice>,
    branches: Vec<Choice>,
    q: String,
    found: Vec<Found>,
    /// `last` shows the previous period of each category.
    last: bool,
}

/// What the page's query sends.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct HonoursQuery {
    q: String,
    last: String,
}

/// `GET /party/honours`
pub async fn page(
    State(st): State<Base>,
    PageActor(actor): PageActor,
    Query(q): Query<HonoursQuery>,
) -> Response {
    let run = async {
        let c = actor.caller();
        let t = tabs(&c, "honours");
        let staff = t.manage;
        let last = q.last == "1";
        let all = honours::nominations(&st, &c, None).await?;
        let blocks = honours::board(&st, &c, &all, last).await?;
        let member = super::members::mine(&st, &c).await?.is_some();
        let defines = staff && c.scope.as_ref().is_none_or(|s| s.root().depth() <= 1);
        let branches = if staff {
            super::service::list(&st.db, &c)
                .await?
                .into_iter()
                .filter(|o| o.kind == "branch" && o.status == "active")
                .map(|o| choice(o.id, o.name))
                .collect()
        } else {
            Vec::new()
        };
        let found = if staff {
            find_residents(&st, &c, &q.q).await?
        } else {
            Vec::new()
        };
        let ctx = PageCtx::new(
            &st,
            &actor,
            "光荣榜",
            if staff { "party" } else { "honours" },
        )
        .await?;
        Ok::<_, AppError>(Html(
            HonoursPage {
                ctx,
                tabs: t,
                staff,
                member,
                mine: if staff { Vec::new() } else { all },
                blocks,
                defines,
                kinds: PeriodKind::ALL
                    .into_iter()
                    .map(|k| choice(k.as_str(), k.label()))
                    .collect(),
                subjects: Subject::ALL
                    .into_iter()
                    .map(|k| choice(k.as_str(), k.label()))
                    .collect(),
                branches,
                q: q.q,
                found,
                last,
            }
            .render(),
        ))
    };
    respond(&st, &actor, run.await.map(IntoResponse::into_response)).await
}

/// What the category form sends.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct CategoryForm {
    name: String,
    period_kind: String,
    quota: String,
    subject: String,
    note: String,
}

/// `POST /party/honour-categories`
pub async fn category_create(
    State(st): State<Base>,
    PageActor(actor): PageActor,
    Form(f): Form<CategoryForm>,
) -> Response {
    let r = match number::<i32>("名额", &f.quota) {
        Ok(quota) => {
            honours::create_category(
                &st,
                &actor.caller(),
                CategoryInput {
                    org_node_id: None,
                    name: f.name,
                    period_kind: f.period_kind,
                    quota,
                    subject: f.subject,
                    note: f.note,
                },
            )
            .await
        }
        Err(e) => Err(e),
    };
    done(r, "/party/honours", "已设立光荣榜类别")
}

/// `POST /party/honour-nominations` (multipart: the fields and a photo).
pub async fn nominate(
    State(st): State<Base>,
    PageActor(actor): PageActor,
    mp: axum::extract::Multipart,
) -> Response {
    let c = actor.caller();
    let run = async {
        let (fields, bytes) = crate::web::read_upload(mp, "照片不超过 10 MB").await?;
        let get = |k: &str| fields.get(k).map_or("", String::as_str);
        let photo = super::wishes::store_photo(&st, &c, &bytes).await?;
        honours::nominate(
            &st,
            &c,
            NominationInput {
                category_id: number("类别", get("category_id"))?,
                period: get("period").to_owned(),
                resident_id: number("被提名人", get("resident_id"))?,
                party_org_id: number("党组织", get("party_org_id"))?,
                citation: get("citation").to_owned(),
                photo: photo.unwrap_or_default(),
            },
        )
        .await
    };
    done(run.await, "/party/honours", "已提名")
}

/// What a decision form sends.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct DecisionForm {
    note: String,
    back: String,
}

fn back_of(s: &str) -> &'static str {
    if s == "last" {
        "/party/honours?last=1"
    } else {
        "/party/honours"
    }
}

/// `POST /party/honour-nominations/{id}/{step}`
pub async fn decide(
    State(st): State<Base>,
    PageActor(actor): PageActor,
    Path((id, step)): Path<(i64, String)>,
    Form(f): Form<DecisionForm>,
) -> Response {
    let r = honours::decide(
        &st,
        &actor.caller(),
        id,
        &step,
        DecisionInput { note: f.note },
    )
    .await;
    let msg = match step.as_str() {
        "approve" => "已审定入选",
        "reject" => "已审定不入选",
        _ => "已撤回提名",
    };
    done(r, back_of(&f.back), msg)
}

/// What the publish form sends.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct PublishForm {
    category_id: String,
    period: String,
    back: String,
}

/// `POST /party/honour-rolls`
pub async fn publish(
    State(st): State<Base>,
    PageActor(actor): PageActor,
    Form(f): Form<PublishForm>,
) -> Response {
    let r = match number("类别", &f.category_id) {
        Ok(category_id) => {
            honours::publish(
                &st,
                &actor.caller(),
                PublishInput {
                    category_id,
                    period: f.period,
                },
            )
            .await
        }
        Err(e) => Err(e),
    };
    done(r, back_of(&f.back), "已公布，本期光荣榜已冻结")
}

#[derive(Template)]
#[template(path = "party/public_honours.html")]
struct PublicPage {
    rolls: Vec<PublicRoll>,
    count: usize,
    period: String,
}

/// What the public page's query sends.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct PublicQuery {
    period: String,
}

/// `GET /honours`: the published rolls, for anyone.
pub async fn public(State(st): State<Base>, Query(q): Query<PublicQuery>) -> Response {
    match honours::public(&st.db, Some(&q.period)).await {
        Ok(rolls) => Html(
            PublicPage {
                count: honours::honoured_count(&rolls),
                rolls,
                period: q.period,
            }
            .render(),
        )
        .into_response(),
        Err(e) => e.into_response(),
    }
}

/// `GET /honours/photo/{id}`: the photo of an honoured entry of a published roll.
pub async fn photo(State(st): State<Base>, Path(id): Path<i64>) -> Response {
    match honours::public_photo(&st, id).await {
        Ok((mime, bytes)) => crate::web::document_response(&mime, "光荣榜照片", bytes),
        Err(e) => e.into_response(),
    }
}
