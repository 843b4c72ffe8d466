//! Pressing slow cases, as 12345 practice does: a reminder to the assignee when most of the
//! handling time is used (yellow), a 催办 notice once the deadline has passed by a working day
//! (red), and an automatic 督办 reported to the level above after more working days overdue.
//! Every number is in [`Rules`](wangge_core::press::Rules) (the config file's `[pressing]` table); the timers
//! themselves are each flow's (`wangge_core::flow`). The job runs every minute inside
//! `wangge serve`; each step marks the case so it happens once.

use super::CasesState;
use super::entity::case;
use super::kinds;
use super::service::{By, Move, Transition, clock_of, commit_transition, marks_of};
use crate::infra::clock::bj;
use crate::infra::error::AppResult;
use sea_orm::{ColumnTrait, Condition, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
use serde::Serialize;
use wangge_core::flow::{self, At, Standing};

/// What one run did.
#[derive(Debug, Default, Serialize, PartialEq, Eq)]
pub struct Report {
    /// Reminders sent.
    pub reminded: u64,
    /// 催办 notices sent.
    pub urged: u64,
    /// Cases supervised automatically.
    pub supervised: u64,
}

/// One pass over the open cases whose flows have timers in their state, as of `now` (ms).
/// Which timers fire is the core's ([`flow::timers_due`]); each case's firing goes through the
/// engine's one commit path, marked so that it happens once.
pub async fn run_once(st: &CasesState, now: i64) -> AppResult<Report> {
    let rules = st.config.pressing;
    let catalog = st.catalog.get(&st.db).await?;
    let cal = &catalog.calendar;
    // The kinds and states where some timer runs.
    let mut running = Condition::any();
    for kind in &st.site.kinds {
        let states: Vec<&str> = kind
            .flow
            .timers
            .iter()
            .flat_map(|t| t.states.iter().copied())
            .collect();
        if states.is_empty() {
            continue;
        }
        let names: Vec<&str> = std::iter::once(kind.flow.kind)
            .chain(kind.aliases.iter().map(|a| a.0))
            .collect();
        running = running.add(
            Condition::all()
                .add(case::Column::Kind.is_in(names))
                .add(case::Column::Status.is_in(states)),
        );
    }
    let mut report = Report::default();
    let mut after_id = 0i64;
    loop {
        let rows = case::Entity::find()
            .filter(running.clone())
            .filter(
                Condition::any()
                    .add(case::Column::Supervised.eq(false))
                    .add(case::Column::UrgedAt.is_null())
                    .add(case::Column::RemindedAt.is_null()),
            )
            .filter(case::Column::Id.gt(after_id))
            .order_by_asc(case::Column::Id)
            .limit(500)
            .all(&st.db)
            .await?;
        let Some(last) = rows.last() else { break };
        after_id = last.id;
        for m in rows {
            let Some(flow) = kinds::flow_of(&st.site, &m.kind) else {
                continue;
            };
            let clock = clock_of(flow, &catalog, &m).map(|(a, b)| (bj(a), bj(b)));
            let due = flow::timers_due(
                flow,
                &m.status,
                marks_of(&m),
                &rules,
                cal,
                flow::Deadlines {
                    clock,
                    handle_due: m.handle_due.map(bj),
                },
                bj(now),
            );
            if due.is_empty() {
                continue;
            }
            let fired: Vec<At> = due.iter().map(|t| t.at).collect();
            let changed = commit_transition(
                st,
                Transition {
                    case: m,
                    by: By::System,
                    who: Standing::system(),
                    step: Move::Timers(due),
                    now,
                    days: rules.supervise_after_days,
                },
            )
            .await?;
            if !changed {
                continue;
            }
            for at in fired {
                match at {
                    At::SuperviseAfterDue => report.supervised += 1,
                    At::UrgeAfterDue | At::ClockPassed => report.urged += 1,
                    At::ShareUsed => report.reminded += 1,
                }
            }
        }
    }
    Ok(report)
}

/// Runs the job forever at the configured interval (inside `wangge serve`).
pub async fn run_forever(st: CasesState) {
    let every = std::time::Duration::from_secs(st.config.pressing.interval_secs.max(5));
    loop {
        tokio::time::sleep(every).await;
        match run_once(&st, crate::infra::clock::now_ms()).await {
            Ok(r) if r != Report::default() => tracing::info!(?r, "pressed slow cases"),
            Ok(_) => {}
            Err(e) => e.log(),
        }
    }
}
