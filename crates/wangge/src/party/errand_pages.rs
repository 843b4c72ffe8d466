//! The page of 红色代办: ask for an errand (a resident for themself, a grid worker or member
//! for a resident), the pool of the caller's place to take, the errands taken and asked, and
//! for the branches' staff what each branch's members finished this year.

use super::errands::{self, Ask, BranchErrands};
use crate::cases::service::CaseView;
use crate::infra::error::AppError;
use crate::web::{Base, Choice, Html, PageActor, PageCtx, choice, done, respond};
use askama::Template;
use axum::Form;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use wangge_core::Permission;

#[derive(Template)]
#[template(path = "party/errands.html")]
struct ErrandsPage {
    ctx: PageCtx,
    tabs: super::member_pages::Tabs,
    staff: bool,
    /// Whether the caller takes errands (staff serving the place, party members): the pool and
    /// the taker's figures are theirs; a resident sees what they asked.
    takes: bool,
    pool: Vec<CaseView>,
    taken: Vec<CaseView>,
    asked: Vec<CaseView>,
    done_this_year: i64,
    year: i32,
    categories: Vec<Choice>,
    buildings: Vec<Choice>,
    branches: Vec<BranchErrands>,
}

/// `GET /party/errands`
pub async fn page(State(st): State<Base>, PageActor(actor): PageActor) -> Response {
    let run = async {
        let c = actor.caller();
        let board = errands::board(&st, &actor).await?;
        let cs = crate::cases::CasesState::of(&st);
        let catalog = cs.catalog.get(&st.db).await?;
        let categories = catalog
            .in_use_for(errands::KIND)
            .map(|k| choice(&k.code, k.name.clone()))
            .collect();
        let (buildings, _) = crate::cases::service::scoped_places(&cs, &actor).await?;
        let year = chrono::Datelike::year(&crate::infra::clock::today());
        let staff = actor.role.is_staff();
        let branches = if c.require(Permission::PartyMemberView).is_ok() {
            errands::branch_totals(&st, &c, year).await?
        } else {
            Vec::new()
        };
        let ctx = PageCtx::new(
            &st,
            &actor,
            "红色代办",
            if staff { "party" } else { "errands" },
        )
        .await?;
        Ok::<_, AppError>(Html(
            ErrandsPage {
                ctx,
                tabs: super::member_pages::tabs(&c, "errands"),
                staff,
                takes: staff || actor.role == wangge_core::Role::PartyMember,
                pool: board.pool,
                taken: board.taken,
                asked: board.asked,
                done_this_year: board.done_this_year,
                year,
                categories,
                buildings,
                branches,
            }
            .render(),
        ))
    };
    respond(&st, &actor, run.await.map(IntoResponse::into_response)).await
}

/// What the ask form sends.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct AskForm {
    category: String,
    title: String,
    description: String,
    building_id: String,
    address: String,
}

/// `POST /party/errands`
pub async fn ask(
    State(st): State<Base>,
    PageActor(actor): PageActor,
    Form(f): Form<AskForm>,
) -> Response {
    let r = async {
        let building_id = match f.building_id.trim() {
            "" => None,
            b => Some(
                b.parse()
                    .map_err(|_| AppError::bad("invalid_input", "楼栋无效"))?,
            ),
        };
        errands::ask(
            &st,
            &actor,
            Ask {
                category: f.category,
                title: f.title,
                description: f.description,
                building_id,
                address: f.address,
            },
        )
        .await
    }
    .await;
    match r {
        Ok(c) => done(
            Ok(()),
            &format!("/cases/{}", c.id),
            &format!(
                "代办请求已提交，编号 {}，附近的党员和网格员会尽快接单",
                c.case_no
            ),
        ),
        Err(e) => done::<()>(Err(e), "/party/errands", ""),
    }
}
