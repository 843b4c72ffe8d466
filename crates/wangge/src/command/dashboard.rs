//! The dashboard of a node (district, street, community, grid) for a period: what came in and
//! where, what is overdue, how well it was handled beside the period before, the map of its
//! children, its people and its party. Every figure is defined here once and documented in the
//! README ("The command centre"); `tests/it/dashboard.rs` recounts each from the raw rows.
//!
//! Periods are days in Beijing time (Asia/Shanghai), `from` and `to` inclusive; the previous
//! period is the same number of days just before `from`. Cases are those of the appeal flow's
//! kinds (诉求 and 事件) located in the node's subtree.

use super::chart;
use crate::cases::service::{APPEAL_KINDS, APPEALS, COUNTED, count_of, source_label};
use crate::infra::clock::{from_bj, now_ms};
use crate::infra::db::case_tallies::NOW_DAY;
use crate::infra::db::statement;
use crate::infra::error::{AppError, AppResult, stored_path};
use crate::org::entity::node;
use crate::web::Caller;
use chrono::{Datelike, Duration, NaiveDate};
use sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect, Value,
};
use serde::Serialize;
use std::collections::BTreeMap;
use wangge_core::ranking::{self, RankWeights, Ratio};
use wangge_core::rates::RatingCounts;
use wangge_core::{OrgPath, Permission, Scope};

/// The longest period a dashboard shows (its intake is drawn day by day).
pub const MAX_DAYS: i64 = 366;

/// How long before its handling limit a case in hand counts as nearly overdue, in hours.
pub const NEARLY_HOURS: i64 = 24;

/// How many overdue and nearly-overdue cases the dashboard lists.
pub const LISTED: usize = 30;

fn bad_period(why: &str) -> AppError {
    AppError::bad("bad_period", format!("统计区间无效：{why}"))
}

/// A period of whole days in Beijing time.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct Period {
    /// `today`, `week` (Monday to today), `month` (the 1st to today), `last_month` (the whole
    /// month before) or `range`.
    pub preset: String,
    /// First day, `YYYY-MM-DD`.
    pub from: String,
    /// Last day (inclusive).
    pub to: String,
    #[serde(skip)]
    first: NaiveDate,
    #[serde(skip)]
    last: NaiveDate,
}

impl Period {
    /// Reads a preset or a range; `month` when nothing is given. A range is at most
    /// [`MAX_DAYS`] days, never ends before it starts, and never starts after today.
    pub fn read(
        preset: Option<&str>,
        from: Option<&str>,
        to: Option<&str>,
        today: NaiveDate,
    ) -> AppResult<Period> {
        let day = |s: Option<&str>| -> AppResult<Option<NaiveDate>> {
            match s.map(str::trim).filter(|s| !s.is_empty()) {
                None => Ok(None),
                Some(s) => NaiveDate::parse_from_str(s, "%Y-%m-%d")
                    .map(Some)
                    .map_err(|_| bad_period("日期请写成 2026-11-01 这样")),
            }
        };
        let (from, to) = (day(from)?, day(to)?);
        let preset = preset.map(str::trim).filter(|s| !s.is_empty());
        let (preset, first, last) = match (preset, from, to) {
            (Some("today"), ..) => ("today", today, today),
            (Some("week"), ..) => (
                "week",
                today - Duration::days(i64::from(today.weekday().num_days_from_monday())),
                today,
            ),
            (Some("month"), ..) | (None, None, None) => {
                ("month", today.with_day(1).unwrap_or(today), today)
            }
            (Some("last_month"), ..) => {
                let last = today.with_day(1).unwrap_or(today) - Duration::days(1);
                ("last_month", last.with_day(1).unwrap_or(last), last)
            }
            (Some("range") | None, f, t) => {
                let first = f.unwrap_or_else(|| today.with_day(1).unwrap_or(today));
                ("range", first, t.unwrap_or(today))
            }
            (Some(other), ..) => {
                return Err(bad_period(&format!(
                    "没有“{other}”这种区间：可选 today、week、month、last_month、range"
                )));
            }
        };
        if last < first {
            return Err(bad_period("结束日期不能早于开始日期"));
        }
        if first > today {
            return Err(bad_period("开始日期不能晚于今天"));
        }
        if (last - first).num_days() >= MAX_DAYS {
            return Err(bad_period("统计区间不能超过一年"));
        }
        Ok(Period {
            preset: preset.into(),
            from: first.to_string(),
            to: last.to_string(),
            first,
            last,
        })
    }

    /// The number of days.
    pub fn days(&self) -> i64 {
        (self.last - self.first).num_days() + 1
    }

    /// The same number of days just before.
    pub fn previous(&self) -> Period {
        let last = self.first - Duration::days(1);
        let first = self.first - Duration::days(self.days());
        Period {
            preset: "range".into(),
            from: first.to_string(),
            to: last.to_string(),
            first,
            last,
        }
    }

    /// Its bounds in ms: `[start of from, start of the day after to)`.
    pub fn bounds(&self) -> (i64, i64) {
        let ms = |d: NaiveDate| d.and_hms_opt(0, 0, 0).map_or(0, from_bj);
        (ms(self.first), ms(self.last + Duration::days(1)))
    }

    /// Each day, in order.
    pub fn each_day(&self) -> impl Iterator<Item = NaiveDate> + '_ {
        self.first.iter_days().take_while(move |d| *d <= self.last)
    }
}

/// A count under a key, with its Chinese label.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct Count {
    pub key: String,
    pub label: String,
    pub count: u64,
}

/// How a period's cases were handled (see the README for each definition).
#[derive(Clone, Debug, Default, Serialize, utoipa::ToSchema)]
pub struct Handling {
    /// Cases rated (`rated_at`) in the period, not excluded as unreasonable.
    pub rated: u64,
    pub contacted: u64,
    pub solved: u64,
    pub satisfied: u64,
    pub basic: u64,
    /// 响应率 = contacted ÷ rated, per cent with one decimal, exact, rounded half up.
    pub response: Option<String>,
    /// 解决率 = solved ÷ rated.
    pub resolution: Option<String>,
    /// 满意率 = (satisfied + basic × discount) ÷ rated.
    pub satisfaction: Option<String>,
    /// Cases dispatched (`dispatched_at`) in the period, not excluded.
    pub dispatched: u64,
    /// Of those, acknowledged within the response limit.
    pub ack_on_time: u64,
    /// 按时签收率 = ack_on_time ÷ dispatched.
    pub ack_on_time_rate: Option<String>,
    /// Of the dispatched, those whose handling limit has passed or that were fed back.
    pub due: u64,
    /// Of those, fed back within the limit.
    pub on_time: u64,
    /// 按时办结率 = on_time ÷ due.
    pub on_time_rate: Option<String>,
    /// Of the dispatched, those acknowledged (签收).
    pub acknowledged: u64,
    /// Their average time from dispatch to acknowledgement, in hours with one decimal.
    pub avg_hours_to_acknowledge: Option<String>,
    /// Cases closed (`closed_at`) in the period.
    pub closed: u64,
    /// Their average time from report to close, in hours with one decimal.
    pub avg_hours_to_close: Option<String>,
    /// Cases rated in the period left out of the rates by an approved decision (不合理诉求).
    pub excluded: u64,
}

/// A case overdue or nearly so.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct Pressing {
    pub id: i64,
    pub case_no: String,
    pub title: String,
    pub category: String,
    pub status_label: String,
    /// The node it is located at (its grid), by name.
    pub place: String,
    pub handle_due: i64,
    pub due_label: String,
    pub overdue: bool,
}

/// A child of the node, as the map and the table show it.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct Child {
    pub node_id: i64,
    pub name: String,
    pub level: String,
    /// Cases reported in the period in its subtree.
    pub cases: u64,
    /// Active residents of its subtree now.
    pub residents: u64,
    /// cases × 1,000 ÷ residents, one decimal (none without residents).
    pub per_1000: Option<String>,
    /// Its open cases overdue now.
    pub overdue: u64,
    pub has_boundary: bool,
    /// Its boundary (GeoJSON), for the map drawn on the server; not in the JSON.
    #[serde(skip)]
    pub boundary: Option<String>,
}

/// The people of the subtree now.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct Population {
    /// Active residents.
    pub residents: u64,
    /// Active households.
    pub households: u64,
    /// Active residents per active care-group tag (低保, 独居老人 …), in the tags' order.
    pub care: Vec<Count>,
}

/// The party figures of the subtree (for accounts that see the party).
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct Party {
    /// Active branches (支部) located in the subtree.
    pub branches: u64,
    /// Active members and probationary members located in the subtree.
    pub members: u64,
    /// Active households with no active member link (党员联户).
    pub households_without_member: u64,
    /// Meetings due in the period (the 三会一课 windows, as the meetings page counts them).
    pub meetings_due: u32,
    /// Of those, held.
    pub meetings_held: u32,
    /// Of those, windows over without a meeting.
    pub meetings_missing: u32,
}

/// The whole dashboard.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct Dashboard {
    pub org_id: i64,
    pub org_name: String,
    pub org_level: String,
    /// The node's boundary (GeoJSON), for the map; not in the JSON.
    #[serde(skip)]
    pub boundary: Option<String>,
    /// The node's parent, for the way back up; not in the JSON.
    #[serde(skip)]
    pub parent_id: Option<i64>,
    pub period: Period,
    pub previous: Period,
    /// Cases reported in the period.
    pub reported: u64,
    /// …in the previous period.
    pub reported_before: u64,
    /// Reported per day (every day of the period, zeros included).
    pub by_day: Vec<Count>,
    pub by_source: Vec<Count>,
    pub by_category: Vec<Count>,
    pub by_kind: Vec<Count>,
    /// The period's reports by their status now.
    pub by_status: Vec<Count>,
    /// Open cases now (any period).
    pub open: u64,
    /// Open cases in hand (待签收, 处置中) past their handling limit now — as the case list's
    /// 超期 filter.
    pub overdue: u64,
    /// Open cases in hand whose handling limit falls within the next [`NEARLY_HOURS`] hours.
    pub nearly_overdue: u64,
    /// The most overdue first, then the nearest to their limit (at most [`LISTED`]).
    pub pressing: Vec<Pressing>,
    pub handling: Handling,
    pub handling_before: Handling,
    pub children: Vec<Child>,
    pub population: Population,
    pub party: Option<Party>,
    /// Today's duty of the node's street, with the escalations into it (none above a street).
    pub duty: Option<super::duty::Today>,
}

/// A ratio as a percentage, exact.
fn pct(part: u64, whole: u64) -> Option<String> {
    Ratio::new(u128::from(part), u128::from(whole)).map(Ratio::percent)
}

/// Milliseconds over a count as hours with one decimal, rounded half up.
fn hours(total_ms: u64, n: u64) -> Option<String> {
    Ratio::new(u128::from(total_ms), u128::from(n) * 3_600_000).map(|r| {
        let tenths = (r.num * 20 + r.den) / (2 * r.den);
        format!("{}.{}", tenths / 10, tenths % 10)
    })
}

/// cases × 1,000 ÷ residents, one decimal.
pub fn per_1000(cases: u64, residents: u64) -> Option<String> {
    hours(cases * 1000 * 3_600_000, residents)
}

async fn one(
    db: &impl ConnectionTrait,
    sql: &str,
    vals: Vec<Value>,
) -> AppResult<sea_orm::QueryResult> {
    db.query_one_raw(statement(db, sql, vals))
        .await?
        .ok_or_else(|| AppError::Internal(anyhow::anyhow!("no aggregate row")))
}

/// The Beijing day number (days since 1970-01-01, UTC+8) that a time in ms falls on — the
/// `day` of the case tallies.
pub(super) fn day_of(ms: i64) -> i64 {
    (ms + 28_800_000).div_euclid(86_400_000)
}

/// The case tallies (m0028, [`crate::infra::db::case_tallies`]) of some nodes over days
/// `[d0, d1)`: (node, day, metric, count).
pub(super) struct Tallies(Vec<(i64, i64, String, i64)>);

impl Tallies {
    /// The rows of `nodes` over the days, of metrics starting with `prefix`.
    pub(super) async fn read(
        db: &impl ConnectionTrait,
        nodes: &[i64],
        (d0, d1): (i64, i64),
        prefix: &str,
    ) -> AppResult<Tallies> {
        if nodes.is_empty() {
            return Ok(Tallies(Vec::new()));
        }
        let marks: Vec<String> = (0..nodes.len()).map(|i| format!("${}", i + 4)).collect();
        // The figures of no day (what stands now) are never a day's.
        let d0 = d0.max(NOW_DAY + 1);
        let mut vals: Vec<Value> = vec![d0.into(), d1.into(), format!("{prefix}%").into()];
        vals.extend(nodes.iter().map(|&n| Value::from(n)));
        Ok(Tallies(
            db.query_all_raw(statement(
                db,
                &format!(
                    "SELECT node_id, day, metric, n FROM case_tallies WHERE node_id IN ({}) \
                     AND day >= $1 AND day < $2 AND metric LIKE $3 AND n <> 0",
                    marks.join(", ")
                ),
                vals,
            ))
            .await?
            .iter()
            .map(|r| {
                (
                    r.try_get_by_index::<i64>(0).unwrap_or_default(),
                    r.try_get_by_index::<i64>(1).unwrap_or_default(),
                    r.try_get_by_index::<String>(2).unwrap_or_default(),
                    r.try_get_by_index::<i64>(3).unwrap_or_default(),
                )
            })
            .collect(),
        ))
    }

    /// The rows of a node over `[d0, d1)`.
    fn of(
        &self,
        node: i64,
        (d0, d1): (i64, i64),
    ) -> impl Iterator<Item = &(i64, i64, String, i64)> {
        self.0
            .iter()
            .filter(move |x| x.0 == node && x.1 >= d0 && x.1 < d1)
    }

    /// A metric of a node summed over `[d0, d1)`.
    fn sum(&self, node: i64, days: (i64, i64), metric: &str) -> u64 {
        let n: i64 = self
            .of(node, days)
            .filter(|x| x.2 == metric)
            .map(|x| x.3)
            .sum();
        u64::try_from(n).unwrap_or(0)
    }

    /// The metrics of a node starting with `prefix`, summed over `[d0, d1)` by the rest of
    /// their name.
    pub(super) fn by(&self, node: i64, days: (i64, i64), prefix: &str) -> BTreeMap<String, u64> {
        let mut m: BTreeMap<String, i64> = BTreeMap::new();
        for x in self.of(node, days) {
            if let Some(key) = x.2.strip_prefix(prefix) {
                *m.entry(key.to_owned()).or_default() += x.3;
            }
        }
        m.into_iter()
            .filter_map(|(k, n)| Some((k, u64::try_from(n).ok().filter(|n| *n > 0)?)))
            .collect()
    }
}

/// How a subtree's cases were handled over `[t0, t1)`: from the node's case tallies, but for
/// the cases due that were not fed back, which the clock alone makes due.
async fn handling(
    db: &impl ConnectionTrait,
    (node, pat): (i64, &str),
    tallies: &Tallies,
    (t0, t1): (i64, i64),
    w: &RankWeights,
) -> AppResult<Handling> {
    let days = (day_of(t0), day_of(t1));
    let sum = |metric: &str| tallies.sum(node, days, metric);
    let late = one(
        db,
        &format!(
            "SELECT COUNT(*) FROM cases{} WHERE org_path LIKE $1 AND fed_back_at IS NULL \
             AND dispatched_at IS NOT NULL AND dispatched_at >= $2 AND dispatched_at < $3 \
             AND handle_due < $4 AND {APPEALS} AND {COUNTED}",
            super::index_hint(db, "ix_cases_unfed")
        ),
        vec![pat.into(), t0.into(), t1.into(), now_ms().into()],
    )
    .await?;
    let counts = RatingCounts {
        rated: sum("rated"),
        contacted: sum("contacted"),
        solved: sum("solved"),
        satisfied: sum("satisfied"),
        basic: sum("basic"),
    };
    let (dispatched, ack_ok, acked, on_time) = (
        sum("dispatched"),
        sum("ack_on_time"),
        sum("acknowledged"),
        sum("on_time"),
    );
    let due = sum("fed_back") + count_of(&late, 0);
    let closed = sum("closed");
    Ok(Handling {
        rated: counts.rated,
        contacted: counts.contacted,
        solved: counts.solved,
        satisfied: counts.satisfied,
        basic: counts.basic,
        response: pct(counts.contacted, counts.rated),
        resolution: pct(counts.solved, counts.rated),
        satisfaction: ranking::satisfaction(&counts, w).map(Ratio::percent),
        dispatched,
        ack_on_time: ack_ok,
        ack_on_time_rate: pct(ack_ok, dispatched),
        due,
        on_time,
        on_time_rate: pct(on_time, due),
        acknowledged: acked,
        avg_hours_to_acknowledge: hours(sum("ack_ms"), acked),
        closed,
        avg_hours_to_close: hours(sum("closed_ms"), closed),
        excluded: sum("excluded"),
    })
}

/// Counts under keys, the largest first (then by key), labelled.
fn sorted(m: BTreeMap<String, u64>, label: &dyn Fn(&str) -> String) -> Vec<Count> {
    let mut v: Vec<Count> = m
        .into_iter()
        .map(|(k, n)| Count {
            label: label(&k),
            key: k,
            count: n,
        })
        .collect();
    v.sort_by(|a, b| b.count.cmp(&a.count).then(a.key.cmp(&b.key)));
    v
}

fn kind_label(k: &str) -> &'static str {
    match k {
        "appeal" => "诉求",
        "incident" => "事件",
        _ => "其他",
    }
}

/// The children of a node that its map and table show: its active direct children.
pub async fn children_of(
    db: &impl ConnectionTrait,
    n: &node::Model,
) -> AppResult<Vec<node::Model>> {
    Ok(node::Entity::find()
        .filter(node::Column::ParentId.eq(n.id))
        .filter(node::Column::Status.eq("active"))
        .order_by_asc(node::Column::Code)
        .all(db)
        .await?)
}

/// Which child a stored path is under (the child's id appears in the path).
fn child_of(path: &str, kids: &[node::Model]) -> Option<usize> {
    let ids = OrgPath::parse(path).map(|p| p.ids()).unwrap_or_default();
    kids.iter().position(|k| ids.contains(&k.id))
}

/// The dashboard of `n` for a period; the caller's sight of `n` is checked by the caller of
/// this (`node_of`).
pub async fn dashboard(
    db: &impl ConnectionTrait,
    c: &Caller,
    n: node::Model,
    period: Period,
    w: &RankWeights,
) -> AppResult<Dashboard> {
    let pat = Scope::new(stored_path(&n.path)?).like_pattern();
    let (t0, t1) = period.bounds();
    let previous = period.previous();
    let now = now_ms();
    // The period's and the one before's figures come from the case tallies the cases'
    // triggers keep (m0028): the node's rows of both periods, its children's reports.
    let (p0, p1) = previous.bounds();
    let days = (day_of(t0), day_of(t1));
    let before_days = (day_of(p0), day_of(p1));
    let kids = children_of(db, &n).await?;
    let kid_ids: Vec<i64> = kids.iter().map(|k| k.id).collect();
    let names = super::category_names(db).await?;
    let own = [n.id];
    // The reads below depend on nothing but the node: they run side by side, each on a
    // connection of the pool (a transaction runs them one after another).
    let (tallies, kid_tallies, people, open, in_hand, pressing, tags, duty) = tokio::try_join!(
        Tallies::read(db, &own, (before_days.0, days.1), ""),
        Tallies::read(db, &kid_ids, days, "kind:"),
        People::read(db, &pat),
        open_now(db, n.id),
        in_hand_now(db, &pat, now),
        pressing(db, &pat, now, &names),
        async {
            let sql = "SELECT id, name FROM tags WHERE status = 'active' ORDER BY sort_order, name";
            Ok::<_, AppError>(db.query_all_raw(statement(db, sql, vec![])).await?)
        },
        super::duty::today_of(db, c, &n),
    )?;
    let mut by_days: BTreeMap<i64, u64> = BTreeMap::new();
    for (_, d, metric, count) in tallies.of(n.id, days) {
        if metric.starts_with("kind:") {
            *by_days.entry(*d).or_default() += u64::try_from(*count).unwrap_or(0);
        }
    }
    let epoch = NaiveDate::from_ymd_opt(1970, 1, 1).unwrap_or_default();
    let by_day: Vec<Count> = period
        .each_day()
        .map(|d| Count {
            label: d.format("%m-%d").to_string(),
            key: d.to_string(),
            count: by_days.get(&(d - epoch).num_days()).copied().unwrap_or(0),
        })
        .collect();
    let reported = by_day.iter().map(|d| d.count).sum();
    let statuses = tallies.by(n.id, days, "status:");
    let by_source = sorted(tallies.by(n.id, days, "src:"), &|k| source_label(k).into());
    let by_category = sorted(tallies.by(n.id, days, "cat:"), &|k| {
        names.get(k).cloned().unwrap_or_else(|| k.to_owned())
    });
    let by_kind = sorted(tallies.by(n.id, days, "kind:"), &|k| kind_label(k).into());
    let by_status = wangge_core::case::Status::ALL
        .iter()
        .map(|s| Count {
            key: s.as_str().into(),
            label: s.label().into(),
            count: statuses.get(s.as_str()).copied().unwrap_or(0),
        })
        .collect();
    let reported_before: u64 = tallies.by(n.id, before_days, "kind:").values().sum();
    // The children: cases of the period, residents and overdue now.
    let mut children: Vec<Child> = kids
        .iter()
        .map(|k| Child {
            node_id: k.id,
            name: k.name.clone(),
            level: k.level.clone(),
            cases: 0,
            residents: 0,
            per_1000: None,
            overdue: 0,
            has_boundary: k.boundary.is_some(),
            boundary: k.boundary.clone(),
        })
        .collect();
    for (child, kid) in children.iter_mut().zip(&kids) {
        child.cases = kid_tallies.by(kid.id, days, "kind:").values().sum();
    }
    // The people figures come from the tallies the registry's triggers keep (m0027): a row a
    // place and metric, exact in the transaction of each change, read once for every figure.
    for (path, metric, count) in &people.0 {
        if metric == "residents"
            && let Some(i) = child_of(path, &kids)
        {
            children[i].residents += count;
        }
    }
    let (mut overdue, mut nearly_overdue) = (0, 0);
    for (path, [late, nearly]) in &in_hand {
        overdue += late;
        nearly_overdue += nearly;
        if let Some(i) = child_of(path, &kids) {
            children[i].overdue += late;
        }
    }
    for ch in &mut children {
        ch.per_1000 = per_1000(ch.cases, ch.residents);
    }
    // Care groups: the subtree's active residents by tag, beside every active tag.
    let tagged: BTreeMap<i64, u64> = people
        .0
        .iter()
        .filter_map(|(_, metric, n)| Some((metric.strip_prefix("tag:")?.parse().ok()?, *n)))
        .fold(BTreeMap::new(), |mut m, (tag, n)| {
            *m.entry(tag).or_default() += n;
            m
        });
    let care = tags
        .iter()
        .map(|r| {
            let name = r.try_get_by_index::<String>(1).unwrap_or_default();
            Count {
                key: name.clone(),
                label: name,
                count: tagged
                    .get(&r.try_get_by_index::<i64>(0).unwrap_or_default())
                    .copied()
                    .unwrap_or(0),
            }
        })
        .collect();
    let without = people
        .sum("households")
        .saturating_sub(people.sum("households_linked"));
    let sees_party = c.require(Permission::PartyView).is_ok();
    let (party, handling_now, handling_before) = tokio::try_join!(
        async {
            if sees_party {
                party(db, c, &pat, &period, without).await.map(Some)
            } else {
                Ok(None)
            }
        },
        handling(db, (n.id, &pat), &tallies, (t0, t1), w),
        handling(db, (n.id, &pat), &tallies, (p0, p1), w),
    )?;
    Ok(Dashboard {
        org_id: n.id,
        org_name: n.name.clone(),
        org_level: n.level.clone(),
        boundary: n.boundary.clone(),
        parent_id: n.parent_id,
        handling: handling_now,
        handling_before,
        period,
        previous,
        reported,
        reported_before,
        by_day,
        by_source,
        by_category,
        by_kind,
        by_status,
        open,
        overdue,
        nearly_overdue,
        pressing,
        children,
        population: Population {
            residents: people.sum("residents"),
            households: people.sum("households"),
            care,
        },
        duty,
        party,
    })
}

/// The subtree's cases in hand now by stored path: [overdue (past the limit), nearly overdue
/// (due within [`NEARLY_HOURS`])]. Only those due within the window are read, from
/// `ix_cases_open` alone.
async fn in_hand_now(
    db: &impl ConnectionTrait,
    pat: &str,
    now: i64,
) -> AppResult<Vec<(String, [u64; 2])>> {
    Ok(db
        .query_all_raw(statement(
            db,
            &format!(
                "SELECT org_path, CAST(SUM(CASE WHEN handle_due < $2 THEN 1 ELSE 0 END) AS BIGINT), \
                 CAST(SUM(CASE WHEN handle_due >= $2 THEN 1 ELSE 0 END) AS BIGINT) \
                 FROM cases{} WHERE status IN ('dispatched', 'handling') AND org_path LIKE $1 \
                 AND handle_due < $3 AND {APPEALS} GROUP BY org_path",
                super::index_hint(db, "ix_cases_open")
            ),
            vec![
                pat.into(),
                now.into(),
                (now + NEARLY_HOURS * 3_600_000).into(),
            ],
        ))
        .await?
        .iter()
        .map(|r| {
            let path = r.try_get_by_index::<String>(0).unwrap_or_default();
            (path, [count_of(r, 1), count_of(r, 2)])
        })
        .collect())
}

/// The node's open cases now: the `open` tally its cases' triggers keep (m0030).
async fn open_now(db: &impl ConnectionTrait, node: i64) -> AppResult<u64> {
    let row = db
        .query_one_raw(statement(
            db,
            "SELECT n FROM case_tallies WHERE node_id = $1 AND day = $2 AND metric = 'open'",
            vec![node.into(), NOW_DAY.into()],
        ))
        .await?;
    Ok(row.map_or(0, |r| count_of(&r, 0)))
}

/// The overdue cases, most overdue first, then those nearly overdue, nearest first.
async fn pressing(
    db: &impl ConnectionTrait,
    pat: &str,
    now: i64,
    names: &BTreeMap<String, String>,
) -> AppResult<Vec<Pressing>> {
    use crate::cases::entity::case;
    // The cases are chosen from `ix_cases_open` alone (it carries the kind and the id), then
    // only the chosen rows are read: a subtree can hold thousands of overdue cases, and reading
    // each row before the sort took most of a community's dashboard at 10,000,000 cases.
    let chosen: Vec<i64> = case::Entity::find()
        .select_only()
        .column(case::Column::Id)
        .filter(case::Column::OrgPath.like(pat))
        .filter(case::Column::Status.is_in(["dispatched", "handling"]))
        .filter(case::Column::Kind.is_in(APPEAL_KINDS))
        .filter(case::Column::HandleDue.lt(now + NEARLY_HOURS * 3_600_000))
        .order_by_asc(case::Column::HandleDue)
        .order_by_asc(case::Column::Id)
        .limit(LISTED as u64)
        .into_tuple()
        .all(db)
        .await?;
    let rows = case::Entity::find()
        .filter(case::Column::Id.is_in(chosen))
        .filter(case::Column::OrgPath.like(pat))
        .order_by_asc(case::Column::HandleDue)
        .order_by_asc(case::Column::Id)
        .all(db)
        .await?;
    let ids: Vec<i64> = rows.iter().map(|r| r.org_id).collect();
    let places: BTreeMap<i64, String> = node::Entity::find()
        .filter(node::Column::Id.is_in(ids))
        .all(db)
        .await?
        .into_iter()
        .map(|n| (n.id, n.name))
        .collect();
    Ok(rows
        .into_iter()
        .map(|m| {
            let due = m.handle_due.unwrap_or(now);
            Pressing {
                id: m.id,
                case_no: m.case_no,
                title: m.title,
                category: names
                    .get(&m.category_code)
                    .cloned()
                    .unwrap_or(m.category_code),
                status_label: wangge_core::case::Status::parse(&m.status)
                    .map_or("", |s| s.label())
                    .into(),
                place: places.get(&m.org_id).cloned().unwrap_or_default(),
                handle_due: due,
                due_label: chart::since(due, now),
                overdue: due < now,
            }
        })
        .collect())
}

/// The people tallies of a subtree: (stored path, metric, count) — see m0027 for the metrics.
struct People(Vec<(String, String, u64)>);

impl People {
    async fn read(db: &impl ConnectionTrait, pat: &str) -> AppResult<People> {
        Ok(People(
            db.query_all_raw(statement(
                db,
                "SELECT org_path, metric, n FROM org_tallies WHERE org_path LIKE $1 AND n <> 0",
                vec![pat.into()],
            ))
            .await?
            .iter()
            .map(|r| {
                let text = |i| r.try_get_by_index::<String>(i).unwrap_or_default();
                (text(0), text(1), count_of(r, 2))
            })
            .collect(),
        ))
    }

    /// A metric summed over the subtree.
    fn sum(&self, metric: &str) -> u64 {
        self.0.iter().filter(|x| x.1 == metric).map(|x| x.2).sum()
    }
}

/// The party figures of the subtree; `without_member` is its active households without an
/// active member link (from the people tallies).
async fn party(
    db: &impl ConnectionTrait,
    c: &Caller,
    pat: &str,
    period: &Period,
    without_member: u64,
) -> AppResult<Party> {
    let row = one(
        db,
        "SELECT \
         (SELECT COUNT(*) FROM party_orgs WHERE org_path LIKE $1 AND status = 'active' AND kind = 'branch'), \
         (SELECT COUNT(*) FROM party_members WHERE org_path LIKE $1 AND status = 'active' \
          AND stage IN ('full', 'probationary'))",
        vec![pat.into()],
    )
    .await?;
    // The meetings: as the party slice's compliance counts them, for the party organization
    // placed highest in the subtree (none: nothing due).
    let (mut due, mut held, mut missing) = (0, 0, 0);
    let top = crate::party::entity::party_org::Entity::find()
        .filter(crate::party::entity::party_org::Column::OrgPath.like(pat))
        .filter(crate::party::entity::party_org::Column::Status.eq("active"))
        .order_by_asc(crate::party::entity::party_org::Column::OrgPath)
        .order_by_asc(crate::party::entity::party_org::Column::Id)
        .all(db)
        .await?;
    if !top.is_empty() {
        let base_path = top[0].org_path.clone();
        let tops: Vec<i64> = top
            .iter()
            .filter(|p| p.org_path == base_path)
            .filter(|p| {
                p.parent_id
                    .is_none_or(|parent| !top.iter().any(|q| q.id == parent))
            })
            .map(|p| p.id)
            .collect();
        for id in tops {
            let comp =
                crate::party::meetings::compliance_of(db, c, Some(id), (period.first, period.last))
                    .await?;
            due += comp.due;
            held += comp.held;
            missing += comp.missing;
        }
    }
    Ok(Party {
        branches: count_of(&row, 0),
        members: count_of(&row, 1),
        households_without_member: without_member,
        meetings_due: due,
        meetings_held: held,
        meetings_missing: missing,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").expect("date")
    }

    #[test]
    fn periods_are_whole_days_with_the_one_before_of_the_same_length() {
        let today = d("2026-12-02"); // a Wednesday
        let m = Period::read(None, None, None, today).expect("month");
        assert_eq!(
            (m.from.as_str(), m.to.as_str(), m.days()),
            ("2026-12-01", "2026-12-02", 2)
        );
        let p = m.previous();
        assert_eq!(
            (p.from.as_str(), p.to.as_str()),
            ("2026-11-29", "2026-11-30")
        );
        let w = Period::read(Some("week"), None, None, today).expect("week");
        assert_eq!(w.from, "2026-11-30");
        let l = Period::read(Some("last_month"), None, None, today).expect("last month");
        assert_eq!(
            (l.from.as_str(), l.to.as_str(), l.days()),
            ("2026-11-01", "2026-11-30", 30)
        );
        assert_eq!(
            (l.previous().from.as_str(), l.previous().to.as_str()),
            ("2026-10-02", "2026-10-31")
        );
        let jan = Period::read(Some("last_month"), None, None, d("2027-01-01")).expect("January");
        assert_eq!(
            (jan.from.as_str(), jan.to.as_str()),
            ("2026-12-01", "2026-12-31")
        );
        let t = Period::read(Some("today"), None, None, today).expect("today");
        assert_eq!((t.days(), t.previous().from.as_str()), (1, "2026-12-01"));
        let r = Period::read(None, Some("2026-11-01"), Some("2026-11-30"), today).expect("range");
        assert_eq!((r.preset.as_str(), r.days()), ("range", 30));
        assert_eq!(r.previous().from, "2026-10-02");
        let (a, b) = r.bounds();
        assert_eq!(b - a, 30 * 86_400_000);
        assert_eq!(r.each_day().count(), 30);
        for (p, f, t) in [
            (Some("year"), None, None),
            (None, Some("2026-11-30"), Some("2026-11-01")),
            (None, Some("2026-12-03"), None),
            (None, Some("2025-11-01"), Some("2026-11-30")),
            (None, Some("11/01/2026"), None),
        ] {
            assert!(Period::read(p, f, t, today).is_err(), "{p:?} {f:?} {t:?}");
        }
    }

    #[test]
    fn hours_and_rates_are_exact_and_round_half_up() {
        assert_eq!(hours(5_400_000, 1).as_deref(), Some("1.5"));
        assert_eq!(hours(180_000, 1).as_deref(), Some("0.1"), "0.05 up");
        assert_eq!(hours(1, 0), None);
        assert_eq!(per_1000(3, 2000).as_deref(), Some("1.5"));
        assert_eq!(per_1000(1, 0), None);
        assert_eq!(pct(33, 50).as_deref(), Some("66.0"));
    }
}
