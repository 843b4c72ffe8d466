//! The case figures of every place and day, kept as cases change (`case_tallies`: a count a
//! node, Beijing day and metric), so that a street's dashboard for a month sums a few thousand
//! rows instead of reading a million cases. Triggers keep them in the transaction of each change
//! — whichever code writes the case (intake, the engine, an import, a move of the tree) — and
//! of each decision on an unreasonable case (不合理诉求); migration m0028 counts what is there.
//!
//! A case of the appeal flow's kinds (诉求, 事件) counts at every node of its stored path (the
//! district, the street, the community, the grid, the building): its contribution is the rows
//! of `slots`, each on the Beijing day of one of its times. An update takes the old row's
//! contribution away and adds the new one's, netted, so it holds whatever changed.
//!
//! Metrics (the day in brackets):
//! - (reported) `src:{source}`, `cat:{category}`, `kind:{kind}`, `status:{status now}`;
//! - (rated) `rated`, `contacted`, `solved`, `satisfied`, `basic` — of the cases counted in the
//!   rates — and `excluded` for those left out by an approved decision;
//! - (dispatched, counted only) `dispatched`, `acknowledged`, `ack_on_time`, `ack_ms` (the sum
//!   of dispatch → acknowledgement), `fed_back`, `on_time` (fed back within the limit);
//! - (closed) `closed`, `closed_ms` (the sum of report → close);
//! - (no day: [`NOW_DAY`]; since m0030) `open` — the cases not final now ([`open_statuses`]),
//!   so that a dashboard's open count is one row, not a walk over every open case.
//!
//! Each migration that changes the set installs triggers of its own [`Edition`] and counts what
//! it adds, so that a database upgraded step by step ends where a new one does.

/// The `day` of the figures that have none (what stands now): before any Beijing day a case
/// can have.
pub const NOW_DAY: i64 = -1;

/// The set of figures a migration keeps (each edition keeps those of the ones before).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Edition {
    /// The figures of days (m0028).
    M0028,
    /// And the open cases now (m0030).
    M0030,
}

impl Edition {
    /// The set the code reads.
    pub const LATEST: Edition = Edition::M0030;
}

/// The statuses of a case not final (open), quoted for an SQL list: derived from the loop's
/// states, so that a state added there is counted here.
pub fn open_statuses() -> String {
    wangge_core::case::Status::ALL
        .iter()
        .filter(|s| !s.is_final())
        .map(|s| format!("'{}'", s.as_str()))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Which node-of-the-path ids a stored path (`p`, an SQL expression) yields, as a FROM item
/// `a` with a column `value`.
fn ancestors(p: &str, pg: bool) -> String {
    if pg {
        format!("unnest(string_to_array(trim(both '/' from {p}), '/')) AS a(value)")
    } else {
        format!("json_each('[' || replace(trim({p}, '/'), '/', ',') || ']') AS a")
    }
}

/// The Beijing day number (days since 1970-01-01 in UTC+8) of a time in ms.
fn day(t: &str) -> String {
    format!("CAST(({t} + 28800000) / 86400000 AS BIGINT)")
}

/// One figure of a case `r`: its day, its metric and its count (0 when it does not count).
struct Slot {
    /// The column of the time whose Beijing day it falls on; `None` for [`NOW_DAY`].
    day: Option<&'static str>,
    metric: String,
    n: String,
    /// The edition that added it.
    since: Edition,
}

impl Slot {
    /// The day of case `r`'s figure (SQL).
    fn day_of(&self, r: &str) -> String {
        match self.day {
            Some(column) => day(&format!("{r}.{column}")),
            None => NOW_DAY.to_string(),
        }
    }
}

/// Every figure of `edition` of a case `r` (SQL over its columns) whose exclusion (an approved
/// 不合理诉求 decision) is `ex`.
fn slots(r: &str, ex: &str, edition: Edition) -> Vec<Slot> {
    let appeal = format!("{r}.kind IN ('appeal', 'incident')");
    let when = |cond: String, v: &str| format!("CASE WHEN {cond} THEN {v} ELSE 0 END");
    let reported = |metric: String| Slot {
        day: Some("created_at"),
        since: Edition::M0028,
        metric,
        n: when(appeal.clone(), "1"),
    };
    let rated_ok = format!("{appeal} AND {r}.rated_at IS NOT NULL AND NOT ({ex})");
    let rated = |metric: &str, also: &str| Slot {
        day: Some("rated_at"),
        since: Edition::M0028,
        metric: format!("'{metric}'"),
        n: when(format!("{rated_ok}{also}"), "1"),
    };
    let sent = format!("{appeal} AND {r}.dispatched_at IS NOT NULL AND NOT ({ex})");
    let dispatched = |metric: &str, also: &str, v: &str| Slot {
        day: Some("dispatched_at"),
        since: Edition::M0028,
        metric: format!("'{metric}'"),
        n: when(format!("{sent}{also}"), v),
    };
    let closed = format!("{appeal} AND {r}.closed_at IS NOT NULL");
    let open = Slot {
        day: None,
        since: Edition::M0030,
        metric: "'open'".into(),
        n: when(
            format!("{appeal} AND {r}.status IN ({})", open_statuses()),
            "1",
        ),
    };
    let all = vec![
        reported(format!("'src:' || {r}.source")),
        reported(format!("'cat:' || COALESCE({r}.category_code, '')")),
        reported(format!("'kind:' || {r}.kind")),
        reported(format!("'status:' || {r}.status")),
        Slot {
            day: Some("rated_at"),
            since: Edition::M0028,
            metric: "'excluded'".into(),
            n: when(
                format!("{appeal} AND {r}.rated_at IS NOT NULL AND ({ex})"),
                "1",
            ),
        },
        rated("rated", ""),
        rated("contacted", &format!(" AND {r}.contacted = TRUE")),
        rated("solved", &format!(" AND {r}.solved = TRUE")),
        rated("satisfied", &format!(" AND {r}.satisfaction = 'satisfied'")),
        rated("basic", &format!(" AND {r}.satisfaction = 'basic'")),
        dispatched("dispatched", "", "1"),
        dispatched(
            "acknowledged",
            &format!(" AND {r}.acknowledged_at IS NOT NULL"),
            "1",
        ),
        dispatched(
            "ack_on_time",
            &format!(" AND {r}.acknowledged_at IS NOT NULL AND {r}.ack_late = FALSE"),
            "1",
        ),
        dispatched(
            "ack_ms",
            &format!(" AND {r}.acknowledged_at IS NOT NULL"),
            &format!("{r}.acknowledged_at - {r}.dispatched_at"),
        ),
        dispatched(
            "fed_back",
            &format!(" AND {r}.fed_back_at IS NOT NULL"),
            "1",
        ),
        dispatched(
            "on_time",
            &format!(" AND {r}.fed_back_at IS NOT NULL AND {r}.handle_late = FALSE"),
            "1",
        ),
        Slot {
            day: Some("closed_at"),
            since: Edition::M0028,
            metric: "'closed'".into(),
            n: when(closed.clone(), "1"),
        },
        Slot {
            day: Some("closed_at"),
            since: Edition::M0028,
            metric: "'closed_ms'".into(),
            n: when(closed, &format!("{r}.closed_at - {r}.created_at")),
        },
        open,
    ];
    all.into_iter().filter(|s| s.since <= edition).collect()
}

/// Whether case `r` is left out of the rates by an approved decision now.
fn excluded_now(r: &str) -> String {
    format!(
        "EXISTS (SELECT 1 FROM case_exclusions x WHERE x.case_id = {r}.id AND x.status = 'approved')"
    )
}

/// Where a case's contribution is read from and counted at.
struct Source<'a> {
    /// The case's row: `NEW`, `OLD`, or an alias of `cases`.
    r: &'a str,
    /// Whether it is excluded from the rates (SQL).
    ex: &'a str,
    /// FROM items ending in ", " that give `r` ("" for a trigger's row).
    from: &'a str,
    /// A WHERE clause over them ("" for none).
    filter: &'a str,
}

/// A case's contribution to the figures of `edition` as rows `(node_id, day, metric, n)` times
/// `sign`.
fn part(src: &Source, sign: i32, pg: bool, edition: Edition) -> String {
    let Source {
        r,
        ex,
        from,
        filter,
    } = *src;
    let s = slots(r, ex, edition);
    let pick = |f: &dyn Fn(&Slot) -> String| {
        let arms: String = s
            .iter()
            .enumerate()
            .map(|(i, slot)| format!(" WHEN {} THEN {}", i + 1, f(slot)))
            .collect();
        format!("CASE s.k{arms} END")
    };
    let ks = (1..=s.len())
        .map(|k| format!("SELECT {k} AS k"))
        .collect::<Vec<_>>()
        .join(" UNION ALL ");
    format!(
        "SELECT CAST(a.value AS BIGINT) AS node_id, {} AS day, {} AS metric, {sign} * ({}) AS n \
         FROM {from}{}, ({ks}) s{}",
        pick(&|slot| slot.day_of(r)),
        pick(&|slot| slot.metric.clone()),
        pick(&|slot| slot.n.clone()),
        ancestors(&format!("{r}.org_path"), pg),
        if filter.is_empty() {
            String::new()
        } else {
            format!(" WHERE {filter}")
        }
    )
}

/// Adds the netted rows of `parts` (UNION ALL) to the tallies, in one order so that two
/// transactions never wait on each other's rows in a circle.
fn apply(parts: &[String]) -> String {
    format!(
        "INSERT INTO case_tallies (node_id, day, metric, n) \
         SELECT node_id, day, metric, SUM(n) FROM ({}) t WHERE n <> 0 \
         GROUP BY node_id, day, metric HAVING SUM(n) <> 0 ORDER BY node_id, day, metric \
         ON CONFLICT (node_id, day, metric) DO UPDATE SET n = case_tallies.n + excluded.n",
        parts.join(" UNION ALL ")
    )
}

/// A trigger that keeps the case tallies: its name, table, event, row condition and body.
pub struct Trigger {
    pub name: &'static str,
    pub table: &'static str,
    pub event: String,
    /// The row's condition (a row trigger).
    pub when: &'static str,
    /// The transition tables of a statement trigger (PostgreSQL); empty for a row trigger.
    pub refs: &'static str,
    pub body: String,
}

/// The columns whose change moves a case's figures.
const FIGURE_COLUMNS: &str = "org_path, kind, source, category_code, status, created_at, \
    rated_at, contacted, solved, satisfaction, dispatched_at, acknowledged_at, ack_late, \
    fed_back_at, handle_late, closed_at";

/// Every trigger that keeps the case tallies of `edition`.
pub fn triggers(pg: bool, edition: Edition) -> Vec<Trigger> {
    // A case's rows: a row trigger's `NEW`/`OLD` on SQLite; on PostgreSQL the statement's
    // transition tables, so that a batch of reports (intake lands them in one statement) adds
    // to each tally once, not once a report.
    let row = |new: bool, sign| {
        let (r, from) = match (pg, new) {
            (false, true) => ("NEW", ""),
            (false, false) => ("OLD", ""),
            (true, true) => ("n", "new_rows n, "),
            (true, false) => ("o", "old_rows o, "),
        };
        let ex = excluded_now(r);
        let src = Source {
            r,
            ex: &ex,
            from,
            filter: "",
        };
        part(&src, sign, pg, edition)
    };
    let refs = |which: &'static str| if pg { which } else { "" };
    // An exclusion decision moves its case between counted and not: the case's contribution
    // as it was (`was`: approved before) away, as it is now added.
    let decided = |was: &str, is: &str, id: &str| {
        let filter = format!("c.id = {id}");
        let of_case = |ex: &str, sign| {
            let src = Source {
                r: "c",
                ex,
                from: "cases c, ",
                filter: &filter,
            };
            part(&src, sign, pg, edition)
        };
        apply(&[of_case(was, -1), of_case(is, 1)])
    };
    let approved = |r: &str| format!("{r}.status = 'approved'");
    vec![
        Trigger {
            name: "tally_cases_in",
            table: "cases",
            event: "INSERT".into(),
            when: "TRUE",
            refs: refs("REFERENCING NEW TABLE AS new_rows"),
            body: apply(&[row(true, 1)]),
        },
        Trigger {
            name: "tally_cases_out",
            table: "cases",
            event: "DELETE".into(),
            when: "TRUE",
            refs: refs("REFERENCING OLD TABLE AS old_rows"),
            body: apply(&[row(false, -1)]),
        },
        Trigger {
            name: "tally_cases_moved",
            table: "cases",
            // A statement trigger with transition tables names no columns.
            event: if pg {
                "UPDATE".into()
            } else {
                format!("UPDATE OF {FIGURE_COLUMNS}")
            },
            when: "TRUE",
            refs: refs("REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows"),
            body: apply(&[row(false, -1), row(true, 1)]),
        },
        Trigger {
            name: "tally_exclusions_in",
            table: "case_exclusions",
            refs: "",
            event: "INSERT".into(),
            when: "NEW.status = 'approved'",
            body: decided("FALSE", "TRUE", "NEW.case_id"),
        },
        Trigger {
            name: "tally_exclusions_out",
            table: "case_exclusions",
            refs: "",
            event: "DELETE".into(),
            when: "OLD.status = 'approved'",
            body: decided("TRUE", "FALSE", "OLD.case_id"),
        },
        Trigger {
            name: "tally_exclusions_moved",
            table: "case_exclusions",
            refs: "",
            event: "UPDATE OF case_id, status".into(),
            when: "(OLD.status = 'approved') <> (NEW.status = 'approved') OR OLD.case_id <> NEW.case_id",
            body: [
                decided(&approved("OLD"), "FALSE", "OLD.case_id"),
                decided("FALSE", &approved("NEW"), "NEW.case_id"),
            ]
            .join(";\n"),
        },
    ]
}

/// Counts the tallies of every case from the rows (the migration's starting point, and after a
/// bulk load made without the triggers): each figure summed over the cases by stored path, day
/// and metric in a pass of its own (a few hundred thousand groups, where one pass over every
/// figure of every case would sort ten times as many rows as there are cases), then carried
/// up each path.
pub fn recount(pg: bool) -> String {
    recount_of(pg, Edition::LATEST, false)
}

/// Counts the figures of `edition` (`added`: only those it added to the editions before), as
/// [`recount`] does.
pub fn recount_of(pg: bool, edition: Edition, added: bool) -> String {
    let from = "cases r LEFT JOIN (SELECT DISTINCT case_id FROM case_exclusions \
                WHERE status = 'approved') x ON x.case_id = r.id";
    let own: Vec<String> = slots("r", "x.case_id IS NOT NULL", edition)
        .iter()
        .filter(|s| !added || s.since == edition)
        .map(|s| {
            format!(
                "SELECT r.org_path AS org_path, {} AS day, {} AS metric, SUM({n}) AS n \
                 FROM {from} WHERE {n} <> 0 GROUP BY 1, 2, 3",
                s.day_of("r"),
                s.metric,
                n = s.n
            )
        })
        .collect();
    format!(
        "INSERT INTO case_tallies (node_id, day, metric, n) \
         SELECT CAST(a.value AS BIGINT), o.day, o.metric, SUM(o.n) FROM ({}) o, {} \
         GROUP BY 1, 2, 3 HAVING SUM(o.n) <> 0 ORDER BY 1, 2, 3",
        own.join(" UNION ALL "),
        ancestors("o.org_path", pg)
    )
}

/// The table of the tallies.
pub const TABLE: &str = "CREATE TABLE case_tallies (node_id BIGINT NOT NULL, day BIGINT NOT NULL, \
     metric VARCHAR(80) NOT NULL, n BIGINT NOT NULL, PRIMARY KEY (node_id, day, metric))";
