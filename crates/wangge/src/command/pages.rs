//! The pages of the command centre.

use super::api::RankingQuery;
use super::publish::{self, ErratumInput, PublishInput, WeightsInput};
use super::ranking::RankingView;
use crate::infra::error::AppError;
use crate::web::{Base, Html, PageActor, PageCtx, Query, done, number, respond};
use askama::Template;
use axum::Form;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

#[derive(Template)]
#[template(path = "command/ranking.html")]
struct RankingPage {
    ctx: PageCtx,
    r: RankingView,
    /// The months offered: this one and the eleven before.
    months: Vec<String>,
    /// Whether the caller sets weights and publishes (and the month is over, not published).
    governs: bool,
    may_publish: bool,
    history: super::publish::History,
}

/// `GET /stats/ranking?org=&month=`
pub async fn ranking(
    State(st): State<Base>,
    PageActor(actor): PageActor,
    Query(q): Query<RankingQuery>,
) -> Response {
    let run = async {
        if !actor.role.is_staff() {
            return Err(AppError::no_permission());
        }
        let r = publish::view(
            &st.db,
            &actor.caller(),
            q.org,
            &q.month,
            super::weights(&st),
        )
        .await?;
        let today = crate::infra::clock::today();
        let this_month = today.format("%Y-%m").to_string();
        let months = (0..12)
            .filter_map(|i| today.checked_sub_months(chrono::Months::new(i)))
            .map(|d| d.format("%Y-%m").to_string())
            .collect();
        let governs = matches!(
            actor.role,
            wangge_core::Role::CommandCenter | wangge_core::Role::CommunitySecretary
        ) && r.ranks_children;
        let history = publish::history(&st.db, &actor.caller(), Some(r.org_id)).await?;
        let ctx = PageCtx::new(&st, &actor, "月度排名", "ranking").await?;
        Ok(Html(
            RankingPage {
                ctx,
                may_publish: governs && r.published.is_none() && r.month < this_month,
                governs,
                r,
                months,
                history,
            }
            .render(),
        )
        .into_response())
    };
    respond(&st, &actor, run.await).await
}

fn back(org: i64, month: &str) -> String {
    format!("/stats/ranking?org={org}&month={month}")
}

/// What the weights form sends (thousandths).
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct WeightsForm {
    org: i64,
    month: String,
    response: String,
    resolution: String,
    satisfaction: String,
    on_time: String,
    basic_discount: String,
    min_rated: String,
    note: String,
}

/// `POST /stats/ranking/weights`
pub async fn weights(
    State(st): State<Base>,
    PageActor(actor): PageActor,
    Form(f): Form<WeightsForm>,
) -> Response {
    let r = async {
        publish::set_weights(
            &st.db,
            &actor.caller(),
            WeightsInput {
                org: Some(f.org),
                response: number("响应率权重", &f.response)?,
                resolution: number("解决率权重", &f.resolution)?,
                satisfaction: number("满意率权重", &f.satisfaction)?,
                on_time: number("按时办结率权重", &f.on_time)?,
                basic_discount: number("基本满意折算", &f.basic_discount)?,
                min_rated: number("最少样本", &f.min_rated)?,
                note: f.note.clone(),
            },
            super::weights(&st),
        )
        .await
    }
    .await;
    done(
        r,
        &back(f.org, &f.month),
        "已保存新一版权重；已公布的排名不变",
    )
}

/// What the publish and erratum forms send.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct PublishForm {
    org: i64,
    month: String,
    note: String,
}

/// `POST /stats/ranking/publish`
pub async fn publish(
    State(st): State<Base>,
    PageActor(actor): PageActor,
    Form(f): Form<PublishForm>,
) -> Response {
    let r = publish::publish(
        &st.db,
        &actor.caller(),
        PublishInput {
            org: Some(f.org),
            month: f.month.clone(),
        },
        super::weights(&st),
    )
    .await;
    done(r, &back(f.org, &f.month), "已公布，该月排名的数字从此冻结")
}

/// `POST /stats/rankings/{id}/errata`
pub async fn erratum(
    State(st): State<Base>,
    PageActor(actor): PageActor,
    Path(id): Path<i64>,
    Form(f): Form<PublishForm>,
) -> Response {
    let r = publish::erratum(&st.db, &actor.caller(), id, ErratumInput { note: f.note }).await;
    done(r, &back(f.org, &f.month), "已发勘误，原排名保留")
}
