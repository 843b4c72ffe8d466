//! The pages of 五星支部: the year's sets and reviews (`/party/stars`), a set's stars and
//! criteria (`/party/star-sets/{id}`), a review with its self-assessment, scores, 公示,
//! objections and withdrawals (`/party/stars/{id}`), and the public history (`/stars`).

use super::member_pages::{Tabs, tabs};
use super::pledge_pages::number;
use super::stars::{
    self, AdoptInput, AnswerInput, AssessInput, PublicResult, ReviewDetail, SetInput, SetView,
    StarInput, StartInput, StepInput, YearView,
};
use crate::infra::clock::today;
use crate::infra::error::{AppError, AppResult};
use crate::web::{
    Base, Choice, Html, PageActor, PageCtx, Query, choice, done, flash_redirect, respond,
};
use askama::Template;
use axum::Form;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use chrono::Datelike;
use serde::Deserialize;
use std::collections::{BTreeMap, HashMap};
use wangge_core::party::star::SetKind;

/// What the pages' year query sends.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct YearQuery {
    year: String,
}

fn year_of(s: &str) -> i32 {
    s.trim().parse().unwrap_or_else(|_| today().year())
}

#[derive(Template)]
#[template(path = "party/stars.html")]
struct StarsPage {
    ctx: PageCtx,
    tabs: Tabs,
    staff: bool,
    y: YearView,
    years: Vec<i32>,
    /// The kinds the caller's street may still adopt a set of, for the year shown.
    adoptable: Vec<Choice>,
    /// The branches of the caller's subtree without a review this year.
    startable: Vec<Choice>,
}

/// `GET /party/stars?year=`
pub async fn list(
    State(st): State<Base>,
    PageActor(actor): PageActor,
    Query(q): Query<YearQuery>,
) -> Response {
    let run = async {
        let c = actor.caller();
        let t = tabs(&c, "stars");
        let staff = t.manage;
        let year = year_of(&q.year);
        let y = stars::year(&st, &c, year).await?;
        // A street's staff adopt their street's sets (a district picks no street here).
        let own_street = c
            .scope
            .as_ref()
            .filter(|s| staff && s.root().depth() == 1)
            .map(|s| s.root().id());
        let adoptable = match own_street {
            Some(street) => [SetKind::Urban, SetKind::Rural]
                .into_iter()
                .filter(|k| {
                    !y.sets
                        .iter()
                        .any(|s| s.kind == k.as_str() && s.org_node_id == street)
                })
                .map(|k| choice(k.as_str(), k.label()))
                .collect(),
            None => Vec::new(),
        };
        let startable = if staff && !y.sets.is_empty() {
            super::service::list(&st.db, &c)
                .await?
                .into_iter()
                .filter(|o| o.status == "active" && o.kind != "group")
                .filter(|o| !y.reviews.iter().any(|r| r.party_org_id == o.id))
                .map(|o| choice(o.id, o.name))
                .collect()
        } else {
            Vec::new()
        };
        let now = today().year();
        let ctx = PageCtx::new(&st, &actor, "五星支部", "party").await?;
        Ok::<_, AppError>(Html(
            StarsPage {
                ctx,
                tabs: t,
                staff,
                y,
                years: vec![now, now - 1],
                adoptable,
                startable,
            }
            .render(),
        ))
    };
    respond(&st, &actor, run.await.map(IntoResponse::into_response)).await
}

/// What the start form sends.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct StartForm {
    party_org_id: String,
    year: String,
}

/// `POST /party/stars`: opens a branch's review.
pub async fn start(
    State(st): State<Base>,
    PageActor(actor): PageActor,
    Form(f): Form<StartForm>,
) -> Response {
    let r = async {
        stars::start(
            &st,
            &actor.caller(),
            StartInput {
                party_org_id: number("党组织", &f.party_org_id)?,
                year: number("年度", &f.year)?,
            },
        )
        .await
    }
    .await;
    match r {
        Ok(row) => flash_redirect(
            &format!("/party/stars/{}", row.id),
            true,
            "已开始评定：请逐颗星填写自评",
        ),
        Err(e) => done::<()>(Err(e), &format!("/party/stars?year={}", f.year), ""),
    }
}

/// What the adopt form sends.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct AdoptForm {
    kind: String,
    year: String,
}

/// `POST /party/star-sets`: the street adopts the default set of a kind.
pub async fn adopt(
    State(st): State<Base>,
    PageActor(actor): PageActor,
    Form(f): Form<AdoptForm>,
) -> Response {
    let r = async {
        stars::adopt(
            &st,
            &actor.caller(),
            AdoptInput {
                org_node_id: None,
                year: number("年度", &f.year)?,
                kind: f.kind.clone(),
            },
        )
        .await
    }
    .await;
    match r {
        Ok(row) => flash_redirect(
            &format!("/party/star-sets/{}", row.id),
            true,
            "已采用默认的五星标准，可以按本街道的实际修改",
        ),
        Err(e) => done::<()>(Err(e), &format!("/party/stars?year={}", f.year), ""),
    }
}

#[derive(Template)]
#[template(path = "party/star_set.html")]
struct SetPage {
    ctx: PageCtx,
    tabs: Tabs,
    s: SetView,
    /// The stars with one empty slot to add one (when fewer than seven).
    slots: Vec<Slot>,
}

struct Slot {
    i: usize,
    key: String,
    name: String,
    gate: bool,
    pass: String,
    criteria: String,
}

/// `GET /party/star-sets/{id}`
pub async fn set_page(
    State(st): State<Base>,
    PageActor(actor): PageActor,
    Path(id): Path<i64>,
) -> Response {
    let run = async {
        let c = actor.caller();
        let s = stars::set(&st, &c, id).await?;
        let mut slots: Vec<Slot> = s
            .stars
            .iter()
            .enumerate()
            .map(|(i, d)| Slot {
                i,
                key: d.key.clone(),
                name: d.name.clone(),
                gate: d.gate,
                pass: d.pass.to_string(),
                criteria: d
                    .criteria
                    .iter()
                    .map(|c| format!("{}｜{}｜{}", c.area, c.task, c.points))
                    .collect::<Vec<_>>()
                    .join("\n"),
            })
            .collect();
        if s.editable && slots.len() < 7 {
            slots.push(Slot {
                i: slots.len(),
                key: String::new(),
                name: String::new(),
                gate: false,
                pass: String::new(),
                criteria: String::new(),
            });
        }
        let ctx = PageCtx::new(&st, &actor, "星级标准", "party").await?;
        Ok::<_, AppError>(Html(
            SetPage {
                ctx,
                tabs: tabs(&c, "stars"),
                s,
                slots,
            }
            .render(),
        ))
    };
    respond(&st, &actor, run.await.map(IntoResponse::into_response)).await
}

/// `POST /party/star-sets/{id}`: the form names each star's fields by its slot (`name_0` …),
/// the gate by the slot chosen.
pub async fn set_edit(
    State(st): State<Base>,
    PageActor(actor): PageActor,
    Path(id): Path<i64>,
    Form(f): Form<HashMap<String, String>>,
) -> Response {
    let get = |k: &str| f.get(k).map_or("", String::as_str);
    let r = async {
        let mut list = Vec::new();
        for i in 0..8 {
            if !f.contains_key(&format!("name_{i}")) {
                continue;
            }
            list.push(StarInput {
                key: get(&format!("key_{i}")).to_owned(),
                name: get(&format!("name_{i}")).to_owned(),
                gate: get("gate") == i.to_string(),
                pass: number("达标分", get(&format!("pass_{i}")))?,
                criteria: get(&format!("criteria_{i}")).to_owned(),
            });
        }
        stars::edit_set(
            &st,
            &actor.caller(),
            id,
            SetInput {
                two_level: get("two_level") == "1",
                stars: list,
            },
        )
        .await
    }
    .await;
    done(r, &format!("/party/star-sets/{id}"), "已保存星级标准")
}

#[derive(Template)]
#[template(path = "party/star.html")]
struct StarPage {
    ctx: PageCtx,
    tabs: Tabs,
    staff: bool,
    d: ReviewDetail,
}

/// `GET /party/stars/{id}`
pub async fn detail(
    State(st): State<Base>,
    PageActor(actor): PageActor,
    Path(id): Path<i64>,
) -> Response {
    let run = async {
        let c = actor.caller();
        let d = stars::one(&st, &c, id).await?;
        let t = tabs(&c, "stars");
        let ctx = PageCtx::new(&st, &actor, "五星支部评定", "party").await?;
        Ok::<_, AppError>(Html(
            StarPage {
                ctx,
                staff: t.manage,
                tabs: t,
                d,
            }
            .render(),
        ))
    };
    respond(&st, &actor, run.await.map(IntoResponse::into_response)).await
}

/// `POST /party/stars/{id}/assess/{key}` (multipart: the fields, `link:<record>` ticks,
/// `drop:<file>` ticks and a photo).
pub async fn assess(
    State(st): State<Base>,
    PageActor(actor): PageActor,
    Path((id, key)): Path<(i64, String)>,
    mp: axum::extract::Multipart,
) -> Response {
    let c = actor.caller();
    let run = async {
        let (fields, bytes) = crate::web::read_upload(mp, "照片不超过 10 MB").await?;
        let get = |k: &str| fields.get(k).map_or("", String::as_str);
        let ticked = |prefix: &str| -> Vec<String> {
            let mut v: Vec<String> = fields
                .keys()
                .filter_map(|k| k.strip_prefix(prefix).map(str::to_owned))
                .collect();
            v.sort();
            v
        };
        let photo = super::wishes::store_photo(&st, &c, &bytes).await?;
        stars::assess(
            &st,
            &c,
            id,
            &key,
            AssessInput {
                points: number("自评分", get("points"))?,
                text: get("text").to_owned(),
                links: ticked("link:"),
                photo: photo.unwrap_or_default(),
                drop: ticked("drop:"),
            },
        )
        .await
    };
    done(run.await, &format!("/party/stars/{id}"), "已保存自评")
}

/// `POST /party/stars/{id}/{step}` (the form: `note`, `star`, and `p_<key>` points to score).
pub async fn step(
    State(st): State<Base>,
    PageActor(actor): PageActor,
    Path((id, step)): Path<(i64, String)>,
    Form(f): Form<HashMap<String, String>>,
) -> Response {
    let get = |k: &str| f.get(k).cloned().unwrap_or_default();
    let r = async {
        let mut points = BTreeMap::new();
        for (k, v) in &f {
            if let Some(key) = k.strip_prefix("p_")
                && let Some(p) = number::<u32>("评分", v)?
            {
                points.insert(key.to_owned(), p);
            }
        }
        stars::step(
            &st,
            &actor.caller(),
            id,
            &step,
            StepInput {
                note: get("note"),
                points,
                star: get("star"),
            },
        )
        .await
    }
    .await;
    let msg = match step.as_str() {
        "submit" => "已提交自评，等待街道评定",
        "score" => "已评分",
        "return" => "已退回补充材料",
        "check" => "已复核",
        "publish" => "已开始公示（5 天）",
        "award" => "已授星",
        "withdraw" => "已摘星",
        _ => "已提出异议，街道将处理并答复",
    };
    done(r, &format!("/party/stars/{id}"), msg)
}

/// What deciding an objection sends.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct AnswerForm {
    answer: String,
    review: String,
}

/// `POST /party/star-objections/{id}/{step}`
pub async fn objection(
    State(st): State<Base>,
    PageActor(actor): PageActor,
    Path((id, step)): Path<(i64, String)>,
    Form(f): Form<AnswerForm>,
) -> Response {
    let r = stars::decide_objection(
        &st,
        &actor.caller(),
        id,
        &step,
        AnswerInput { answer: f.answer },
    )
    .await;
    let back = match &r {
        Ok(d) => format!("/party/stars/{}", d.review.id),
        Err(_) => format!("/party/stars/{}", f.review.trim()),
    };
    let msg = if step == "uphold" {
        "异议成立：评定退回重新评分"
    } else {
        "已答复：异议不成立"
    };
    done(r, &back, msg)
}

/// `GET /party/stars/{id}/photo/{file}`: an evidence photo.
pub async fn photo(
    State(st): State<Base>,
    PageActor(actor): PageActor,
    Path((id, file)): Path<(i64, String)>,
) -> Response {
    let run = async {
        let (mime, bytes) = stars::photo(&st, &actor.caller(), id, &file).await?;
        AppResult::Ok(crate::web::document_response(&mime, "自评证明照片", bytes))
    };
    respond(&st, &actor, run.await).await
}

#[derive(Template)]
#[template(path = "party/public_stars.html")]
struct PublicPage {
    year: i32,
    years: Vec<i32>,
    results: Vec<PublicResult>,
}

/// `GET /stars?year=`: the year's results, for anyone.
pub async fn public(State(st): State<Base>, Query(q): Query<YearQuery>) -> Response {
    let year = year_of(&q.year);
    match stars::public(&st.db, year).await {
        Ok(results) => Html(
            PublicPage {
                year,
                years: (0..3).map(|i| today().year() - i).collect(),
                results,
            }
            .render(),
        )
        .into_response(),
        Err(e) => e.into_response(),
    }
}
