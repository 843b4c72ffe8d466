//! Measuring.

use super::*;

/// The case loop's figures are the appeal flow's (诉求 and 事件): the kinds that run on
/// `wangge_core::flow::appeal` (its kind and its aliases, as `appeal::KIND` lists them; a test
/// keeps the two in step). Other kinds' figures come with their slices.
pub const APPEALS: &str = "kind IN ('appeal', 'incident')";

/// The same kinds as a list, for a query built with the ORM (the test keeps it in step too).
pub const APPEAL_KINDS: [&str; 2] = ["appeal", "incident"];

/// A case counts in the handling rates (响应率, 解决率, 满意率, the on-time rates) unless an
/// approved decision found it unreasonable (不合理诉求, the command centre's `case_exclusions`):
/// it is still counted as a report, never against its handler.
pub const COUNTED: &str = "NOT EXISTS (SELECT 1 FROM case_exclusions x WHERE x.case_id = cases.id \
     AND x.status = 'approved')";

/// The figures of a subtree over a period.
#[derive(Debug, Serialize)]
pub struct Stats {
    /// The node.
    pub org_id: i64,
    /// Its name.
    pub org_name: String,
    /// First day (inclusive).
    pub from: String,
    /// Last day (inclusive).
    pub to: String,
    /// Cases reported in the period.
    pub reported: u64,
    /// Of those, by status now.
    pub by_status: Vec<(String, String, u64)>,
    /// Dispatched in the period.
    pub dispatched: u64,
    /// Of those, acknowledged within the response limit.
    pub acknowledged_on_time: u64,
    /// 按时签收率 = acknowledged_on_time ÷ dispatched.
    pub ack_on_time_rate: Option<f64>,
    /// Of the dispatched, those whose handling limit has passed or that were fed back.
    pub handling_due: u64,
    /// Of those, fed back within the limit.
    pub handled_on_time: u64,
    /// 按时办结率 = handled_on_time ÷ handling_due.
    pub handle_on_time_rate: Option<f64>,
    /// The three rates over cases rated in the period.
    pub rates: rates::ThreeRates,
    /// 满意 / 基本满意 / 不满意 counts.
    pub satisfied: u64,
    /// 基本满意.
    pub basic: u64,
    /// 不满意.
    pub dissatisfied: u64,
    /// Cases closed in the period.
    pub closed: u64,
    /// Their average time from report to close, in hours.
    pub avg_hours_to_close: Option<f64>,
}

/// The period's bounds (ms), from `YYYY-MM-DD` days inclusive; defaults to this month.
pub fn period(from: Option<&str>, to: Option<&str>) -> AppResult<(String, String, i64, i64)> {
    use chrono::Datelike;
    let today = bj(crate::infra::clock::now_ms()).date();
    let first = today.with_day(1).unwrap_or(today);
    let from = from
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map_or_else(|| first.to_string(), str::to_owned);
    let to = to
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map_or_else(|| today.to_string(), str::to_owned);
    let (a, b) = (day_start(&from)?, day_start(&to)? + 86_400_000);
    if b <= a {
        return Err(AppError::bad("bad_period", "结束日期不能早于开始日期"));
    }
    if b - a > 3 * 366 * 86_400_000 {
        return Err(AppError::bad("bad_period", "统计区间不能超过三年"));
    }
    Ok((from, to, a, b))
}

pub(crate) fn count_of(row: &sea_orm::QueryResult, i: usize) -> u64 {
    row.try_get_by_index::<Option<i64>>(i)
        .ok()
        .flatten()
        .map_or(0, |v| u64::try_from(v).unwrap_or(0))
}

/// Counts and rates of the subtree of `org` (in the caller's scope) over a period.
pub async fn stats(
    st: &CasesState,
    a: &Actor,
    org: Option<i64>,
    from: Option<&str>,
    to: Option<&str>,
) -> AppResult<Stats> {
    if !a.role.is_staff() {
        return Err(AppError::no_permission());
    }
    let db = &st.db;
    let n = match org {
        Some(id) => crate::org::service::find(db, &a.caller(), id).await?,
        None => crate::org::service::find(db, &a.caller(), a.org_id).await?,
    };
    let (from, to, t0, t1) = period(from, to)?;
    let pat = wangge_core::Scope::new(stored_path(&n.path)?).like_pattern();
    let q = |sql: &str, vals: Vec<sea_orm::Value>| crate::infra::db::statement(db, sql, vals);
    let by = db
        .query_all_raw(q(
            &format!(
                "SELECT status, COUNT(*) FROM cases WHERE org_path LIKE $1 AND created_at >= $2 \
                 AND created_at < $3 AND {APPEALS} GROUP BY status"
            ),
            vec![pat.clone().into(), t0.into(), t1.into()],
        ))
        .await?;
    let mut by_status = Vec::new();
    let mut reported = 0;
    for s in Status::ALL {
        let c = by
            .iter()
            .find(|r| r.try_get_by_index::<String>(0).ok().as_deref() == Some(s.as_str()))
            .map_or(0, |r| count_of(r, 1));
        reported += c;
        by_status.push((s.as_str().to_owned(), s.label().to_owned(), c));
    }
    let now = crate::infra::clock::now_ms();
    let d = db
        .query_one_raw(q(
            &format!(
                "SELECT COUNT(*), \
             CAST(SUM(CASE WHEN acknowledged_at IS NOT NULL AND ack_late = FALSE THEN 1 ELSE 0 END) AS BIGINT), \
             CAST(SUM(CASE WHEN fed_back_at IS NOT NULL OR handle_due < $4 THEN 1 ELSE 0 END) AS BIGINT), \
             CAST(SUM(CASE WHEN fed_back_at IS NOT NULL AND handle_late = FALSE THEN 1 ELSE 0 END) AS BIGINT) \
             FROM cases WHERE org_path LIKE $1 AND dispatched_at >= $2 AND dispatched_at < $3 \
             AND {APPEALS} AND {COUNTED}"
            ),
            vec![pat.clone().into(), t0.into(), t1.into(), now.into()],
        ))
        .await?
        .ok_or_else(|| AppError::Internal(anyhow::anyhow!("no aggregate row")))?;
    let r = db
        .query_one_raw(q(
            &format!(
                "SELECT COUNT(*), \
             CAST(SUM(CASE WHEN contacted = TRUE THEN 1 ELSE 0 END) AS BIGINT), \
             CAST(SUM(CASE WHEN solved = TRUE THEN 1 ELSE 0 END) AS BIGINT), \
             CAST(SUM(CASE WHEN satisfaction = 'satisfied' THEN 1 ELSE 0 END) AS BIGINT), \
             CAST(SUM(CASE WHEN satisfaction = 'basic' THEN 1 ELSE 0 END) AS BIGINT) \
             FROM cases WHERE org_path LIKE $1 AND rated_at >= $2 AND rated_at < $3 \
             AND {APPEALS} AND {COUNTED}"
            ),
            vec![pat.clone().into(), t0.into(), t1.into()],
        ))
        .await?
        .ok_or_else(|| AppError::Internal(anyhow::anyhow!("no aggregate row")))?;
    let c = db
        .query_one_raw(q(
            &format!(
                "SELECT COUNT(*), CAST(SUM(closed_at - created_at) AS BIGINT) FROM cases \
             WHERE org_path LIKE $1 AND closed_at >= $2 AND closed_at < $3 \
             AND {APPEALS}"
            ),
            vec![pat.into(), t0.into(), t1.into()],
        ))
        .await?
        .ok_or_else(|| AppError::Internal(anyhow::anyhow!("no aggregate row")))?;
    let counts = rates::RatingCounts {
        rated: count_of(&r, 0),
        contacted: count_of(&r, 1),
        solved: count_of(&r, 2),
        satisfied: count_of(&r, 3),
        basic: count_of(&r, 4),
    };
    let weights = st.config.rate_weights();
    let closed = count_of(&c, 0);
    let closed_ms = count_of(&c, 1);
    let (dispatched, ack_ok, due, handled_ok) = (
        count_of(&d, 0),
        count_of(&d, 1),
        count_of(&d, 2),
        count_of(&d, 3),
    );
    Ok(Stats {
        org_id: n.id,
        org_name: n.name,
        from,
        to,
        reported,
        by_status,
        dispatched,
        acknowledged_on_time: ack_ok,
        ack_on_time_rate: rates::share(ack_ok, dispatched),
        handling_due: due,
        handled_on_time: handled_ok,
        handle_on_time_rate: rates::share(handled_ok, due),
        rates: rates::rates_from_counts(&counts, &weights),
        satisfied: counts.satisfied,
        basic: counts.basic,
        dissatisfied: counts.rated - counts.satisfied - counts.basic,
        closed,
        avg_hours_to_close: (closed > 0).then(|| closed_ms as f64 / closed as f64 / 3_600_000.0),
    })
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_figures_count_the_kinds_of_the_appeal_flow() {
        let k = &wangge_core::flow::appeal::KIND;
        let names: Vec<String> = std::iter::once(k.flow.kind)
            .chain(k.aliases.iter().map(|a| a.0))
            .map(|n| format!("'{n}'"))
            .collect();
        assert_eq!(super::APPEALS, format!("kind IN ({})", names.join(", ")));
        let listed: Vec<String> = super::APPEAL_KINDS
            .iter()
            .map(|n| format!("'{n}'"))
            .collect();
        assert_eq!(listed, names);
    }
}
