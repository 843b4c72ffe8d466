//! The monthly report (月度报告) of a node: 工作情况 (what came in and how it was handled, beside
//! the month before), 类型 (by kind, source and category), 承办 (who handled how many, on time),
//! 热点 (the most frequent categories, the repeated places), 办理 (the children's ranking, the
//! notable overdue cases). Printed on A4 from its page, or downloaded as a workbook. Its figures
//! are the dashboard's and the ranking's, for the calendar month and the one before.

use super::dashboard::{self, Count, Dashboard, Period};
use super::ranking::{RankingView, month_bounds};
use crate::cases::service::{APPEALS, COUNTED, count_of};
use crate::infra::clock::{now_ms, today};
use crate::infra::db::statement;
use crate::infra::error::{AppResult, stored_path};
use crate::org::entity::node;
use crate::web::Caller;
use chrono::NaiveDate;
use sea_orm::ConnectionTrait;
use serde::Serialize;
use wangge_core::Scope;
use wangge_core::ranking::RankWeights;

/// How many handlers and hot categories the report lists.
pub const LISTED: usize = 10;

/// A handler's month (承办).
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct Handler {
    /// The node, department or person the cases went to.
    pub name: String,
    /// Cases dispatched to it in the month.
    pub dispatched: u64,
    /// Of those, fed back within the limit.
    pub on_time: u64,
    /// Of those, fed back late or still in hand past the limit now.
    pub late: u64,
}

/// A category this month and the month before (热点).
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct Hot {
    pub category: String,
    pub count: u64,
    pub last_month: u64,
}

/// The report.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct Report {
    pub org_id: i64,
    pub org_name: String,
    /// `YYYY-MM`.
    pub month: String,
    pub last_month: String,
    /// The month's dashboard (to today when the month is this one) and the month before's.
    pub this: Dashboard,
    pub before: Dashboard,
    pub handlers: Vec<Handler>,
    pub hot: Vec<Hot>,
    /// The ranking of the children for the month (as published when it was).
    pub ranking: Option<RankingView>,
}

/// The first and the last day of a month (the last is today for this month).
fn days_of(month: &str, day: NaiveDate) -> AppResult<(NaiveDate, NaiveDate)> {
    let (m, _, _) = month_bounds(month, day)?;
    let first = NaiveDate::parse_from_str(&format!("{m}-01"), "%Y-%m-%d")
        .map_err(|_| crate::infra::error::AppError::bad("bad_month", "月份无效"))?;
    let last = first
        .checked_add_months(chrono::Months::new(1))
        .map_or(first, |d| d - chrono::Duration::days(1))
        .min(day);
    Ok((first, last))
}

/// The report of `n` (in the caller's sight) for a month (the last month over when empty).
pub async fn report(
    db: &impl ConnectionTrait,
    c: &Caller,
    n: node::Model,
    month: &str,
    w: &RankWeights,
    ranking_default: RankWeights,
) -> AppResult<Report> {
    let day = today();
    let (first, last) = days_of(month, day)?;
    let prev_first = first
        .checked_sub_months(chrono::Months::new(1))
        .unwrap_or(first);
    let prev_last = first - chrono::Duration::days(1);
    let range = |a: NaiveDate, b: NaiveDate| {
        Period::read(None, Some(&a.to_string()), Some(&b.to_string()), day)
    };
    let this = dashboard::dashboard(db, c, n.clone(), range(first, last)?, w).await?;
    let before = dashboard::dashboard(db, c, n.clone(), range(prev_first, prev_last)?, w).await?;
    let (t0, t1) = range(first, last)?.bounds();
    let pat = Scope::new(stored_path(&n.path)?).like_pattern();
    let rows = db
        .query_all_raw(statement(
            db,
            &format!(
                "SELECT assignee_name, COUNT(*), \
                 CAST(SUM(CASE WHEN fed_back_at IS NOT NULL AND handle_late = FALSE THEN 1 ELSE 0 END) AS BIGINT), \
                 CAST(SUM(CASE WHEN handle_late = TRUE OR (fed_back_at IS NULL \
                 AND status IN ('dispatched', 'handling') AND handle_due < $4) THEN 1 ELSE 0 END) AS BIGINT) \
                 FROM cases WHERE org_path LIKE $1 AND dispatched_at >= $2 AND dispatched_at < $3 \
                 AND {APPEALS} AND {COUNTED} GROUP BY assignee_name"
            ),
            vec![pat.into(), t0.into(), t1.into(), now_ms().into()],
        ))
        .await?;
    let mut handlers: Vec<Handler> = rows
        .iter()
        .map(|r| Handler {
            name: r
                .try_get_by_index::<String>(0)
                .ok()
                .filter(|s| !s.is_empty())
                .unwrap_or_else(|| "（未记名）".into()),
            dispatched: count_of(r, 1),
            on_time: count_of(r, 2),
            late: count_of(r, 3),
        })
        .collect();
    handlers.sort_by(|a, b| b.dispatched.cmp(&a.dispatched).then(a.name.cmp(&b.name)));
    handlers.truncate(LISTED);
    let count_in = |v: &[Count], key: &str| v.iter().find(|c| c.key == key).map_or(0, |c| c.count);
    let hot = this
        .by_category
        .iter()
        .take(LISTED)
        .map(|c| Hot {
            category: c.label.clone(),
            count: c.count,
            last_month: count_in(&before.by_category, &c.key),
        })
        .collect();
    let month = first.format("%Y-%m").to_string();
    let ranking = if super::ranking::child_level(&n.level).is_some() {
        Some(super::publish::view(db, c, Some(n.id), &month, ranking_default).await?)
    } else {
        None
    };
    Ok(Report {
        org_id: n.id,
        org_name: n.name,
        last_month: prev_first.format("%Y-%m").to_string(),
        month,
        this,
        before,
        handlers,
        hot,
        ranking,
    })
}

/// 工作情况: (figure, this month, the month before) — the lines of the page and of the workbook.
pub fn work(r: &Report) -> Vec<(&'static str, String, String)> {
    let pc = |v: &Option<String>| v.clone().map_or_else(|| "—".into(), |x| format!("{x}%"));
    let hours = |v: &Option<String>| v.clone().unwrap_or_else(|| "—".into());
    let (t, b) = (&r.this.handling, &r.before.handling);
    vec![
        (
            "受理",
            r.this.reported.to_string(),
            r.before.reported.to_string(),
        ),
        ("办结", t.closed.to_string(), b.closed.to_string()),
        ("已评价", t.rated.to_string(), b.rated.to_string()),
        ("响应率", pc(&t.response), pc(&b.response)),
        ("解决率", pc(&t.resolution), pc(&b.resolution)),
        ("满意率", pc(&t.satisfaction), pc(&b.satisfaction)),
        (
            "按时签收率",
            pc(&t.ack_on_time_rate),
            pc(&b.ack_on_time_rate),
        ),
        ("按时办结率", pc(&t.on_time_rate), pc(&b.on_time_rate)),
        (
            "平均办结（小时）",
            hours(&t.avg_hours_to_close),
            hours(&b.avg_hours_to_close),
        ),
        (
            "不合理诉求（不计考核）",
            t.excluded.to_string(),
            b.excluded.to_string(),
        ),
    ]
}

/// The report as a workbook: one sheet, a row a figure (section, item, this month, the month
/// before).
pub fn workbook(r: &Report) -> AppResult<Vec<u8>> {
    let mut rows: Vec<Vec<String>> = Vec::new();
    let mut row = |a: &str, b: &str, c: String, d: String| {
        rows.push(vec![a.into(), b.into(), c, d]);
    };
    for (item, this, before) in work(r) {
        row("工作情况", item, this, before);
    }
    let t = &r.this;
    for k in &t.by_kind {
        row("类型", &k.label, k.count.to_string(), String::new());
    }
    for s in &t.by_source {
        row("来源", &s.label, s.count.to_string(), String::new());
    }
    for h in &r.hot {
        row(
            "热点",
            &h.category,
            h.count.to_string(),
            h.last_month.to_string(),
        );
    }
    for h in &r.handlers {
        row(
            "承办",
            &h.name,
            format!("派遣 {}，按时 {}，超期 {}", h.dispatched, h.on_time, h.late),
            String::new(),
        );
    }
    if let Some(k) = &r.ranking {
        for x in &k.rows {
            row(
                "排名",
                &x.name,
                x.rank
                    .map_or_else(|| "不排名".into(), |n| format!("第 {n} 名")),
                x.composite.clone().unwrap_or_default(),
            );
        }
    }
    for p in t.pressing.iter().filter(|p| p.overdue).take(LISTED) {
        row(
            "超期",
            &p.case_no,
            format!("{} · {} · {}", p.category, p.place, p.due_label),
            String::new(),
        );
    }
    crate::web::xlsx::build("月报", &["部分", "项目", &r.month, &r.last_month], &rows)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Datelike;

    #[test]
    fn a_month_runs_to_its_end_or_to_today() {
        let day = NaiveDate::from_ymd_opt(2026, 12, 10).expect("d");
        let (a, b) = days_of("2026-11", day).expect("nov");
        assert_eq!(
            (a.to_string(), b.to_string()),
            ("2026-11-01".into(), "2026-11-30".into())
        );
        let (a, b) = days_of("2026-12", day).expect("dec");
        assert_eq!(
            (a.to_string(), b.to_string()),
            ("2026-12-01".into(), "2026-12-10".into())
        );
        assert_eq!(days_of("", day).expect("last").0.month(), 11);
    }
}
