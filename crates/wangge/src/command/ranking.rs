//! The monthly ranking of a node's children (the streets of a district, the communities of a
//! street, the grids of a community), counted live from the cases and ranked by the core's
//! fair rules (`wangge_core::ranking`): exact composite, a stated order for ties, a minimum
//! sample, 红榜 and 黑榜 that never share a node.
//!
//! What each child's figures count, for the month `YYYY-MM` in Beijing time, over the appeal
//! flow's kinds (诉求 and 事件) of the child's subtree:
//!
//! - **rated**, **contacted**, **solved**, **满意**, **基本满意**: cases rated (`rated_at`) in the
//!   month — the denominators of 响应率, 解决率, 满意率 as the 办理统计 page counts them;
//! - **due** and **on time**: cases dispatched in the month whose handling limit has passed or
//!   that were fed back, and of those the ones fed back within the limit (按时办结率);
//! - **cases**: reported (`created_at`) in the month; **patrol**: of those, found by the grid's
//!   own patrols (source `patrol`, 主动发现) — shown apart and credited, not counted as
//!   complaints; **complaints** = cases − patrol;
//! - **residents**: the active residents of the subtree now; **per 10,000** = complaints × 10,000
//!   ÷ residents.

use crate::cases::service::{APPEALS, COUNTED, count_of};
use crate::infra::clock::from_bj;
use crate::infra::db::statement;
use crate::infra::error::{AppError, AppResult, stored_path};
use crate::org::entity::node;
use crate::web::Caller;
use chrono::{Datelike, NaiveDate};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder};
use serde::{Deserialize, Serialize};
use wangge_core::ranking::{self, Candidate, RankWeights, Ratio};
use wangge_core::rates::RatingCounts;
use wangge_core::{OrgLevel, Scope};

/// What the page says of the default weights.
pub const WEIGHTS_NOTE: &str = "默认权重为常见的 0.1 × 响应率 + 0.5 × 解决率 + 0.4 × 满意率，“基本满意”按 0.9 折算：这是可以调整的默认设置，不是任何城市的官方公式。";

/// What the page says of what is ranked.
pub const OUTCOMES_ONLY: &str = "排名只看办理结果（响应、解决、满意、按时），不统计登录、在线时长、打卡、点赞或转发。网格员巡查主动发现的问题单列并计入成绩，不算作群众投诉。";

fn bad_month() -> AppError {
    AppError::bad("bad_month", "月份无效：请写成 2026-11 这样的年月")
}

/// A month's bounds in ms (Beijing), from `YYYY-MM`; the last month (the last one over, which
/// is what a monthly ranking is of) when empty.
pub fn month_bounds(month: &str, today: NaiveDate) -> AppResult<(String, i64, i64)> {
    let first = match month.trim() {
        "" => today
            .with_day(1)
            .and_then(|d| d.checked_sub_months(chrono::Months::new(1)))
            .ok_or_else(bad_month)?,
        m => NaiveDate::parse_from_str(&format!("{m}-01"), "%Y-%m-%d").map_err(|_| bad_month())?,
    };
    if first.year() < 2000 || first > today {
        return Err(bad_month());
    }
    let next = if first.month() == 12 {
        NaiveDate::from_ymd_opt(first.year() + 1, 1, 1)
    } else {
        NaiveDate::from_ymd_opt(first.year(), first.month() + 1, 1)
    }
    .ok_or_else(bad_month)?;
    let ms = |d: NaiveDate| d.and_hms_opt(0, 0, 0).map_or(0, from_bj);
    Ok((first.format("%Y-%m").to_string(), ms(first), ms(next)))
}

/// A fraction as `33/50` in lowest terms.
fn fraction(r: Ratio) -> String {
    fn gcd(a: u128, b: u128) -> u128 {
        if b == 0 { a } else { gcd(b, a % b) }
    }
    let g = gcd(r.num, r.den).max(1);
    format!("{}/{}", r.num / g, r.den / g)
}

/// A ratio as a number with one decimal, rounded half up exactly (for per 10,000).
fn one_decimal(r: Ratio) -> String {
    let tenths = (r.num * 20 + r.den) / (2 * r.den);
    format!("{}.{}", tenths / 10, tenths % 10)
}

/// One child as shown.
#[derive(Clone, Debug, Serialize, Deserialize, utoipa::ToSchema)]
pub struct RowView {
    pub rank: Option<u32>,
    pub node_id: i64,
    pub code: String,
    pub name: String,
    pub not_ranked: Option<String>,
    /// Its composite equals a neighbour's: the order between them is the rule's.
    pub tied: bool,
    /// 综合得分 as a percentage (`66.0`) and exactly (`33/50`).
    pub composite: Option<String>,
    pub composite_exact: Option<String>,
    pub rated: u64,
    pub contacted: u64,
    pub solved: u64,
    pub satisfied: u64,
    pub basic: u64,
    pub response: Option<String>,
    pub resolution: Option<String>,
    pub satisfaction: Option<String>,
    pub due: u64,
    pub on_time: u64,
    pub on_time_rate: Option<String>,
    pub cases: u64,
    pub patrol: u64,
    pub complaints: u64,
    pub residents: u64,
    /// Complaints per 10,000 residents.
    pub per_10k: Option<String>,
    pub red: bool,
    pub black: bool,
}

/// When and by whom a ranking was published (it is then frozen).
#[derive(Clone, Debug, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Published {
    pub id: i64,
    pub at: String,
    pub by: String,
}

/// An erratum of a published ranking: why, when, by whom, and the ranks it corrects to.
#[derive(Clone, Debug, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Erratum {
    pub note: String,
    pub at: String,
    pub by: String,
    /// (name, rank or none) in the corrected order.
    pub ranks: Vec<(String, Option<u32>)>,
}

/// A month's ranking of a node's children: live, or as published (frozen) with its errata.
#[derive(Clone, Debug, Serialize, Deserialize, utoipa::ToSchema)]
pub struct RankingView {
    pub org_id: i64,
    pub org_name: String,
    pub month: String,
    #[schema(value_type = Object)]
    pub weights: RankWeights,
    pub weights_note: String,
    pub rule: String,
    pub outcomes_only: String,
    /// Set once published: the figures are then those of the day of publication.
    #[serde(default)]
    pub published: Option<Published>,
    #[serde(default)]
    pub errata: Vec<Erratum>,
    /// Whether the node has children of the next level to rank (a grid has none).
    pub ranks_children: bool,
    pub rows: Vec<RowView>,
    /// 红榜 and 黑榜 (names, in order).
    pub red: Vec<String>,
    pub black: Vec<String>,
}

/// The level whose nodes are ranked under a node of `level`.
pub fn child_level(level: &str) -> Option<OrgLevel> {
    match OrgLevel::parse(level)? {
        OrgLevel::District => Some(OrgLevel::Township),
        OrgLevel::Township => Some(OrgLevel::Community),
        OrgLevel::Community => Some(OrgLevel::Grid),
        _ => None,
    }
}

/// The figures of one subtree for a month (see the module's documentation), and its patrol
/// findings (which travel beside it: the core does not rank by them).
async fn candidate(
    db: &impl ConnectionTrait,
    n: &node::Model,
    from: i64,
    to: i64,
    now: i64,
) -> AppResult<(Candidate, u64)> {
    let pat = Scope::new(stored_path(&n.path)?).like_pattern();
    let one = |sql: String, vals: Vec<sea_orm::Value>| async move {
        db.query_one_raw(statement(db, &sql, vals))
            .await?
            .ok_or_else(|| AppError::Internal(anyhow::anyhow!("no aggregate row")))
    };
    let r = one(
        format!(
            "SELECT COUNT(*), \
             CAST(SUM(CASE WHEN contacted = TRUE THEN 1 ELSE 0 END) AS BIGINT), \
             CAST(SUM(CASE WHEN solved = TRUE THEN 1 ELSE 0 END) AS BIGINT), \
             CAST(SUM(CASE WHEN satisfaction = 'satisfied' THEN 1 ELSE 0 END) AS BIGINT), \
             CAST(SUM(CASE WHEN satisfaction = 'basic' THEN 1 ELSE 0 END) AS BIGINT) \
             FROM cases WHERE org_path LIKE $1 AND rated_at >= $2 AND rated_at < $3 AND {APPEALS} \
             AND {COUNTED}"
        ),
        vec![pat.clone().into(), from.into(), to.into()],
    )
    .await?;
    let d = one(
        format!(
            "SELECT CAST(SUM(CASE WHEN fed_back_at IS NOT NULL OR handle_due < $4 THEN 1 ELSE 0 END) AS BIGINT), \
             CAST(SUM(CASE WHEN fed_back_at IS NOT NULL AND handle_late = FALSE THEN 1 ELSE 0 END) AS BIGINT) \
             FROM cases WHERE org_path LIKE $1 AND dispatched_at >= $2 AND dispatched_at < $3 \
             AND {APPEALS} AND {COUNTED}"
        ),
        vec![pat.clone().into(), from.into(), to.into(), now.into()],
    )
    .await?;
    let c = one(
        format!(
            "SELECT COUNT(*), CAST(SUM(CASE WHEN source = 'patrol' THEN 1 ELSE 0 END) AS BIGINT) \
             FROM cases WHERE org_path LIKE $1 AND created_at >= $2 AND created_at < $3 AND {APPEALS}"
        ),
        vec![pat.clone().into(), from.into(), to.into()],
    )
    .await?;
    let p = one(
        "SELECT CAST(COALESCE(SUM(n), 0) AS BIGINT) FROM org_tallies WHERE org_path LIKE $1 \
         AND metric = 'residents'"
            .to_owned(),
        vec![pat.into()],
    )
    .await?;
    let patrol = count_of(&c, 1);
    let cand = Candidate {
        node_id: n.id,
        code: n.code.clone(),
        name: n.name.clone(),
        counts: RatingCounts {
            rated: count_of(&r, 0),
            contacted: count_of(&r, 1),
            solved: count_of(&r, 2),
            satisfied: count_of(&r, 3),
            basic: count_of(&r, 4),
        },
        due: count_of(&d, 0),
        on_time: count_of(&d, 1),
        // The figure per 10,000 is of complaints: patrol findings are not complaints.
        cases: count_of(&c, 0) - patrol.min(count_of(&c, 0)),
        population: count_of(&p, 0),
    };
    Ok((cand, patrol))
}

/// The node a ranking is of: `org`, or the caller's own node; in the caller's sight.
pub async fn node_of(
    db: &impl ConnectionTrait,
    c: &Caller,
    org: Option<i64>,
) -> AppResult<node::Model> {
    let here = match (org, &c.scope) {
        (Some(id), _) => id,
        (None, Some(s)) => s.root().id(),
        (None, None) => {
            return Err(AppError::bad("no_node", "请选择要排名的区县、街道或社区"));
        }
    };
    crate::org::service::find(db, c, here).await
}

/// The ranking of the children of `n` for a month (`YYYY-MM`, with its bounds), counted now.
pub async fn live(
    db: &impl ConnectionTrait,
    n: node::Model,
    (month, from, to): (String, i64, i64),
    weights: &RankWeights,
) -> AppResult<RankingView> {
    // A grid (or a building) has nothing under it to rank: an empty ranking says so.
    let kids = match child_level(&n.level) {
        Some(level) => {
            node::Entity::find()
                .filter(node::Column::ParentId.eq(n.id))
                .filter(node::Column::Level.eq(level.as_str()))
                .filter(node::Column::Status.eq("active"))
                .order_by_asc(node::Column::Code)
                .all(db)
                .await?
        }
        None => Vec::new(),
    };
    let now = crate::infra::clock::now_ms();
    let mut cands = Vec::new();
    let mut patrols = Vec::new();
    for k in &kids {
        let (cand, patrol) = candidate(db, k, from, to, now).await?;
        patrols.push((cand.node_id, patrol));
        cands.push(cand);
    }
    let rows = ranking::rank(&cands, weights);
    let (red, black) = ranking::red_and_black(&rows, 5);
    let name_of = |id: &i64| {
        rows.iter()
            .find(|r| r.node_id == *id)
            .map(|r| r.name.clone())
            .unwrap_or_default()
    };
    let red_names = red.iter().map(name_of).collect();
    let black_names = black.iter().map(name_of).collect();
    let rows = rows
        .into_iter()
        .map(|r| {
            let cand = cands.iter().find(|x| x.node_id == r.node_id);
            let patrol = patrols.iter().find(|p| p.0 == r.node_id).map_or(0, |p| p.1);
            let counts = cand.map(|x| x.counts).unwrap_or_default();
            RowView {
                rank: r.rank,
                red: red.contains(&r.node_id),
                black: black.contains(&r.node_id),
                node_id: r.node_id,
                code: r.code,
                name: r.name,
                not_ranked: r.not_ranked,
                tied: r.tied,
                composite: r.composite.map(Ratio::percent),
                composite_exact: r.composite.map(fraction),
                rated: r.rated,
                contacted: counts.contacted,
                solved: counts.solved,
                satisfied: counts.satisfied,
                basic: counts.basic,
                response: r.response.map(Ratio::percent),
                resolution: r.resolution.map(Ratio::percent),
                satisfaction: r.satisfaction.map(Ratio::percent),
                due: cand.map_or(0, |x| x.due),
                on_time: cand.map_or(0, |x| x.on_time),
                on_time_rate: r.on_time.map(Ratio::percent),
                cases: r.cases + patrol,
                patrol,
                complaints: r.cases,
                residents: r.population,
                per_10k: r.per_10k.map(one_decimal),
            }
        })
        .collect();
    Ok(RankingView {
        ranks_children: child_level(&n.level).is_some(),
        org_id: n.id,
        org_name: n.name,
        month,
        weights: *weights,
        weights_note: WEIGHTS_NOTE.into(),
        rule: ranking::RULE.into(),
        outcomes_only: OUTCOMES_ONLY.into(),
        published: None,
        errata: Vec::new(),
        rows,
        red: red_names,
        black: black_names,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_month_is_read_in_beijing_and_never_in_the_future() {
        let today = NaiveDate::from_ymd_opt(2026, 12, 1).expect("d");
        let (m, a, b) = month_bounds("2026-11", today).expect("nov");
        assert_eq!(m, "2026-11");
        assert_eq!(b - a, 30 * 86_400_000);
        assert_eq!(month_bounds("", today).expect("last").0, "2026-11");
        assert_eq!(month_bounds("2026-12", today).expect("this").0, "2026-12");
        let (_, _, end) = month_bounds("2025-12", today).expect("dec");
        assert_eq!(end, month_bounds("2026-01", today).expect("jan").1);
        for bad in ["2027-01", "2026-13", "11-2026", "1999-01", "2026-1x"] {
            assert!(month_bounds(bad, today).is_err(), "{bad}");
        }
    }

    #[test]
    fn fractions_are_in_lowest_terms_and_decimals_round_half_up() {
        assert_eq!(
            fraction(Ratio {
                num: 660,
                den: 1000
            }),
            "33/50"
        );
        assert_eq!(one_decimal(Ratio { num: 1, den: 8 }), "0.1");
        assert_eq!(one_decimal(Ratio { num: 25, den: 2 }), "12.5");
        assert_eq!(one_decimal(Ratio { num: 1, den: 20 }), "0.1", "0.05 up");
    }
}
