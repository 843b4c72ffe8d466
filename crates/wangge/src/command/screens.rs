//! The command centre's pages beside the ranking: the dashboard, the wall's big screen, the
//! warnings, the decisions on unreasonable cases and the duty roster.

use super::api::{DashboardQuery, NodeQuery, dashboard_of, warnings_of};
use super::chart::{self, Cell};
use super::dashboard::{Child, Dashboard};
use super::duty::Roster;
use super::exclusions::{self, DecideInput, ExclusionView, ProposeInput};
use super::warnings::{Warnings, WordInput};
use crate::infra::error::AppError;
use crate::org::entity::node;
use crate::web::{Base, Html, PageActor, PageCtx, Query, done, respond};
use askama::Template;
use axum::Form;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use sea_orm::EntityTrait;
use serde::Deserialize;
use wangge_core::Role;
use wangge_core::geo::Area;

/// The dashboard's query with the map's choice.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct DashboardPageQuery {
    org: Option<i64>,
    preset: Option<String>,
    from: Option<String>,
    to: Option<String>,
    /// `per1000` (default) or `overdue`.
    map: Option<String>,
}

impl DashboardPageQuery {
    fn api(&self) -> DashboardQuery {
        DashboardQuery {
            org: self.org,
            preset: self.preset.clone(),
            from: self.from.clone(),
            to: self.to.clone(),
        }
    }
}

/// The map's figure.
fn by_overdue(q: &DashboardPageQuery) -> bool {
    q.map.as_deref() == Some("overdue")
}

/// The map of the dashboard's children coloured by the chosen figure, each linking to its own
/// dashboard for the same period (drill-down).
fn map_of(d: &Dashboard, overdue: bool, link: &str) -> Option<String> {
    let outer = d
        .boundary
        .as_deref()
        .and_then(|b| Area::from_geojson(b).ok());
    let cells: Vec<Cell<'_>> = d
        .children
        .iter()
        .filter_map(|c: &Child| {
            let area = Area::from_geojson(c.boundary.as_deref()?).ok()?;
            let label = c
                .name
                .strip_prefix(d.org_name.as_str())
                .filter(|l| !l.is_empty());
            let (value, shown) = if overdue {
                (c.overdue as f64, format!("超期 {}", c.overdue))
            } else {
                let v = c.per_1000.clone().unwrap_or_else(|| "—".into());
                (v.parse().unwrap_or(0.0), format!("{v} 件/千人"))
            };
            Some(Cell {
                id: c.node_id,
                name: label.unwrap_or(&c.name),
                area,
                value,
                shown,
                href: format!("{link}&org={}", c.node_id),
            })
        })
        .collect();
    chart::map(outer.as_ref(), &cells)
}

#[derive(Template)]
#[template(path = "command/dashboard.html")]
struct DashboardPage {
    ctx: PageCtx,
    d: Dashboard,
    overdue_map: bool,
    /// The query string of the period (for links that keep it).
    keep: String,
    day_chart: String,
    source_chart: String,
    category_chart: String,
    map: Option<String>,
    /// The node above, when the caller may go up to it.
    up: Option<(i64, String)>,
    /// (rate, this period, the previous).
    rates: Vec<(&'static str, Option<String>, Option<String>)>,
}

/// The query string that keeps a period in links (a preset, or the range).
fn keep_of(p: &super::dashboard::Period) -> String {
    if p.preset == "range" {
        format!("from={}&to={}", p.from, p.to)
    } else {
        format!("preset={}", p.preset)
    }
}

fn pairs(v: &[super::dashboard::Count], most: usize) -> Vec<(String, u64)> {
    v.iter()
        .take(most)
        .map(|c| (c.label.clone(), c.count))
        .collect()
}

/// `GET /stats/dashboard?org=&preset=&from=&to=&map=`
pub async fn dashboard(
    State(st): State<Base>,
    PageActor(actor): PageActor,
    Query(q): Query<DashboardPageQuery>,
) -> Response {
    let run = async {
        let d = dashboard_of(&st, &actor, &q.api()).await?;
        let overdue_map = by_overdue(&q);
        let keep = keep_of(&d.period);
        let map = map_of(
            &d,
            overdue_map,
            &format!(
                "/stats/dashboard?{keep}&map={}",
                if overdue_map { "overdue" } else { "per1000" }
            ),
        );
        let c = actor.caller();
        let up = match d.parent_id {
            Some(p) => node::Entity::find_by_id(p)
                .one(&st.db)
                .await?
                .filter(|p| wangge_core::OrgPath::parse(&p.path).is_ok_and(|path| c.allows(&path)))
                .map(|p| (p.id, p.name)),
            None => None,
        };
        let ctx = PageCtx::new(&st, &actor, "指挥中心", "dashboard").await?;
        let (h, b) = (&d.handling, &d.handling_before);
        let rates = vec![
            ("响应率", h.response.clone(), b.response.clone()),
            ("解决率", h.resolution.clone(), b.resolution.clone()),
            ("满意率", h.satisfaction.clone(), b.satisfaction.clone()),
            (
                "按时签收率",
                h.ack_on_time_rate.clone(),
                b.ack_on_time_rate.clone(),
            ),
            ("按时办结率", h.on_time_rate.clone(), b.on_time_rate.clone()),
        ];
        Ok(Html(
            DashboardPage {
                ctx,
                day_chart: chart::columns(
                    &d.by_day
                        .iter()
                        .map(|c| (c.label.clone(), c.count))
                        .collect::<Vec<_>>(),
                    false,
                ),
                source_chart: chart::bars(&pairs(&d.by_source, 8), false),
                category_chart: chart::bars(&pairs(&d.by_category, 10), false),
                map,
                up,
                rates,
                overdue_map,
                keep,
                d,
            }
            .render(),
        )
        .into_response())
    };
    respond(&st, &actor, run.await).await
}

#[derive(Template)]
#[template(path = "command/screen.html")]
struct ScreenPage {
    d: Dashboard,
    now: String,
    day_chart: String,
    category_chart: String,
    map: Option<String>,
    on_duty: usize,
    leader: bool,
}

/// `GET /stats/screen?org=` — the wall: dark, large, refreshed every minute; no person's name,
/// phone or room, places no finer than a grid (no case titles: they may name people).
pub async fn screen(
    State(st): State<Base>,
    PageActor(actor): PageActor,
    Query(q): Query<DashboardPageQuery>,
) -> Response {
    let run = async {
        let mut api = q.api();
        if api.preset.is_none() && api.from.is_none() {
            api.preset = Some("today".into());
        }
        let d = dashboard_of(&st, &actor, &api).await?;
        let keep = keep_of(&d.period);
        let map = map_of(&d, true, &format!("/stats/screen?{keep}"));
        let (on_duty, leader) = d.duty.as_ref().map_or((0, false), |t| {
            (t.shifts.len(), t.shifts.iter().any(|s| s.leader))
        });
        Ok(Html(
            ScreenPage {
                now: crate::infra::clock::fmt_time(crate::infra::clock::now_ms()),
                day_chart: chart::columns(
                    &d.by_day
                        .iter()
                        .map(|c| (c.label.clone(), c.count))
                        .collect::<Vec<_>>(),
                    true,
                ),
                category_chart: chart::bars(&pairs(&d.by_category, 8), true),
                map,
                on_duty,
                leader,
                d,
            }
            .render(),
        )
        .into_response())
    };
    respond(&st, &actor, run.await).await
}

#[derive(Template)]
#[template(path = "command/warnings.html")]
struct WarningsPage {
    ctx: PageCtx,
    w: Warnings,
    governs: bool,
}

fn governs(role: Role) -> bool {
    matches!(role, Role::CommandCenter | Role::CommunitySecretary)
}

/// `GET /stats/warnings?org=`
pub async fn warnings(
    State(st): State<Base>,
    PageActor(actor): PageActor,
    Query(q): Query<NodeQuery>,
) -> Response {
    let run = async {
        let w = warnings_of(&st, &actor, &q).await?;
        let ctx = PageCtx::new(&st, &actor, "预警", "dashboard").await?;
        Ok(Html(
            WarningsPage {
                ctx,
                governs: governs(actor.role),
                w,
            }
            .render(),
        )
        .into_response())
    };
    respond(&st, &actor, run.await).await
}

/// What the keyword form sends.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct WordForm {
    org: i64,
    word: String,
    remove: String,
}

/// `POST /stats/warnings/keywords`
pub async fn keywords(
    State(st): State<Base>,
    PageActor(actor): PageActor,
    Form(f): Form<WordForm>,
) -> Response {
    let remove = !f.remove.is_empty();
    let r = super::warnings::change_word(
        &st.db,
        &actor.caller(),
        WordInput {
            org: Some(f.org),
            word: f.word,
            remove,
        },
    )
    .await;
    done(
        r,
        &format!("/stats/warnings?org={}", f.org),
        if remove {
            "已删除关键词"
        } else {
            "已增加关键词"
        },
    )
}

#[derive(Template)]
#[template(path = "command/exclusions.html")]
struct ExclusionsPage {
    ctx: PageCtx,
    rows: Vec<ExclusionView>,
    proposes: bool,
    approves: bool,
    me: String,
}

/// `GET /stats/exclusions`
pub async fn exclusions(State(st): State<Base>, PageActor(actor): PageActor) -> Response {
    let run = async {
        let rows = exclusions::list(&st.db, &actor.caller()).await?;
        let ctx = PageCtx::new(&st, &actor, "不合理诉求认定", "dashboard").await?;
        Ok(Html(
            ExclusionsPage {
                ctx,
                rows,
                proposes: governs(actor.role),
                approves: actor.role == Role::CommandCenter,
                me: actor.display_name.clone(),
            }
            .render(),
        )
        .into_response())
    };
    respond(&st, &actor, run.await).await
}

/// What the proposal form sends.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ProposeForm {
    case_no: String,
    reason: String,
}

/// `POST /stats/exclusions`
pub async fn propose(
    State(st): State<Base>,
    PageActor(actor): PageActor,
    Form(f): Form<ProposeForm>,
) -> Response {
    let r = exclusions::propose(
        &st.db,
        &actor.caller(),
        ProposeInput {
            case_id: None,
            case_no: Some(f.case_no),
            reason: f.reason,
        },
    )
    .await;
    done(r, "/stats/exclusions", "已提出认定，待综治中心批准")
}

/// What a decision form sends.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct DecideForm {
    decision: String,
    note: String,
}

/// `POST /stats/exclusions/{id}/decide`
pub async fn decide(
    State(st): State<Base>,
    PageActor(actor): PageActor,
    Path(id): Path<i64>,
    Form(f): Form<DecideForm>,
) -> Response {
    let msg = match f.decision.as_str() {
        "approve" => "已批准：这件案件不再计入办理考核",
        "refuse" => "已不批准",
        _ => "已撤销认定：这件案件重新计入办理考核",
    };
    let r = exclusions::decide(
        &st.db,
        &actor.caller(),
        id,
        DecideInput {
            decision: f.decision,
            note: f.note,
        },
    )
    .await;
    done(r, "/stats/exclusions", msg)
}

#[derive(Template)]
#[template(path = "command/duty.html")]
struct DutyPage {
    ctx: PageCtx,
    r: Roster,
    today: Option<super::duty::Today>,
    prev_week: String,
    next_week: String,
}

/// `GET /stats/duty?org=&week=`
pub async fn duty(
    State(st): State<Base>,
    PageActor(actor): PageActor,
    Query(q): Query<NodeQuery>,
) -> Response {
    let run = async {
        if !actor.role.is_staff() {
            return Err(AppError::no_permission());
        }
        let c = actor.caller();
        let r = super::duty::roster(&st.db, &c, q.org, q.week.as_deref()).await?;
        // The street of the roster (above a community's secretary: the roster is the street's
        // for everyone in it; its escalations only for those who see the street).
        let today = match node::Entity::find_by_id(r.org_id).one(&st.db).await? {
            Some(street) => super::duty::today_of(&st.db, &c, &street).await?,
            None => None,
        };
        let monday = chrono::NaiveDate::parse_from_str(&r.week, "%Y-%m-%d")
            .unwrap_or_else(|_| crate::infra::clock::today());
        let ctx = PageCtx::new(&st, &actor, "值班表", "dashboard").await?;
        Ok(Html(
            DutyPage {
                ctx,
                prev_week: (monday - chrono::Duration::days(7)).to_string(),
                next_week: (monday + chrono::Duration::days(7)).to_string(),
                today,
                r,
            }
            .render(),
        )
        .into_response())
    };
    respond(&st, &actor, run.await).await
}

/// What the roster's form sends.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ShiftForm {
    org: i64,
    day: String,
    user_id: String,
    leader: String,
    note: String,
}

/// `POST /stats/duty`
pub async fn duty_add(
    State(st): State<Base>,
    PageActor(actor): PageActor,
    Form(f): Form<ShiftForm>,
) -> Response {
    let r = async {
        let user_id = crate::web::number::<i64>("值班人员", &f.user_id)?
            .ok_or_else(|| AppError::bad("bad_person", "请选择值班人员"))?;
        super::duty::add(
            &st.db,
            &actor.caller(),
            super::duty::ShiftInput {
                org: Some(f.org),
                day: f.day.clone(),
                user_id,
                leader: !f.leader.is_empty(),
                note: f.note.clone(),
            },
        )
        .await
    }
    .await;
    done(
        r,
        &format!("/stats/duty?org={}&week={}", f.org, f.day),
        "已排班",
    )
}

/// What removing a shift sends.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct RemoveForm {
    org: i64,
    week: String,
}

/// `POST /stats/duty/{id}/remove`
pub async fn duty_remove(
    State(st): State<Base>,
    PageActor(actor): PageActor,
    Path(id): Path<i64>,
    Form(f): Form<RemoveForm>,
) -> Response {
    let r = super::duty::remove(&st.db, &actor.caller(), id).await;
    done(
        r,
        &format!("/stats/duty?org={}&week={}", f.org, f.week),
        "已取消这条值班安排",
    )
}

#[derive(Template)]
#[template(path = "command/lists.html")]
struct ListsPage {
    ctx: PageCtx,
    l: super::lists::Lists,
    keep: String,
}

/// `GET /stats/lists?org=&preset=&from=&to=`
pub async fn lists(
    State(st): State<Base>,
    PageActor(actor): PageActor,
    Query(q): Query<DashboardPageQuery>,
) -> Response {
    let run = async {
        let l = super::api::lists_of(&st, &actor, &q.api()).await?;
        let keep = keep_of(&l.period);
        let ctx = PageCtx::new(&st, &actor, "三个清单", "dashboard").await?;
        Ok(Html(ListsPage { ctx, l, keep }.render()).into_response())
    };
    respond(&st, &actor, run.await).await
}

/// `GET /stats/lists.xlsx?org=&preset=&from=&to=`
pub async fn lists_xlsx(
    State(st): State<Base>,
    PageActor(actor): PageActor,
    Query(q): Query<DashboardPageQuery>,
) -> Response {
    let run = async {
        let l = super::api::lists_of(&st, &actor, &q.api()).await?;
        let bytes = super::lists::workbook(&l)?;
        Ok(crate::web::xlsx::download(
            &format!(
                "三个清单-{}-{}至{}.xlsx",
                l.org_name, l.period.from, l.period.to
            ),
            bytes,
        ))
    };
    respond(&st, &actor, run.await).await
}

#[derive(Template)]
#[template(path = "command/report.html")]
struct ReportPage {
    ctx: PageCtx,
    r: super::report::Report,
    months: Vec<String>,
    /// (figure, this month, the month before).
    lines: Vec<(&'static str, String, String)>,
}

/// `GET /stats/report?org=&month=` — printable on A4.
pub async fn report(
    State(st): State<Base>,
    PageActor(actor): PageActor,
    Query(q): Query<super::api::RankingQuery>,
) -> Response {
    let run = async {
        let r = super::api::report_of(&st, &actor, &q).await?;
        let today = crate::infra::clock::today();
        let months = (0..12)
            .filter_map(|i| today.checked_sub_months(chrono::Months::new(i)))
            .map(|d| d.format("%Y-%m").to_string())
            .collect();
        let lines = super::report::work(&r);
        let ctx = PageCtx::new(&st, &actor, "月度报告", "dashboard").await?;
        Ok(Html(
            ReportPage {
                ctx,
                r,
                months,
                lines,
            }
            .render(),
        )
        .into_response())
    };
    respond(&st, &actor, run.await).await
}

/// `GET /stats/report.xlsx?org=&month=`
pub async fn report_xlsx(
    State(st): State<Base>,
    PageActor(actor): PageActor,
    Query(q): Query<super::api::RankingQuery>,
) -> Response {
    let run = async {
        let r = super::api::report_of(&st, &actor, &q).await?;
        let bytes = super::report::workbook(&r)?;
        Ok(crate::web::xlsx::download(
            &format!("月度报告-{}-{}.xlsx", r.org_name, r.month),
            bytes,
        ))
    };
    respond(&st, &actor, run.await).await
}
