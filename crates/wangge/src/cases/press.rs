//! Pressing slow cases, as 12345 practice does: a reminder to the assignee when most of the
//! handling time is used (yellow), a 催办 notice once the deadline has passed by a working day
//! (red), and an automatic 督办 reported to the level above after more working days overdue.
//! Every number is in [`Rules`](wangge_core::press::Rules) (the config file's `[pressing]` table). The job runs every
//! minute inside `wangge serve`; each step marks the case so it happens once.

use super::CasesState;
use super::entity::case;
use super::notify::{self, Note};
use super::service::{By, EventIn, light_of, record_event};
use crate::infra::clock::{bj, from_bj};
use crate::infra::error::AppResult;
use sea_orm::{ColumnTrait, Condition, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
use serde::Serialize;
use serde_json::json;
use wangge_core::rates::Light;
use wangge_core::worktime::Limit;

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

/// One pass over the open dispatched cases, as of `now` (ms).
pub async fn run_once(st: &CasesState, now: i64) -> AppResult<Report> {
    let rules = st.config.pressing;
    let catalog = st.catalog.get(&st.db).await?;
    let cal = &catalog.calendar;
    let mut report = Report::default();
    let mut after_id = 0i64;
    loop {
        let rows = case::Entity::find()
            .filter(case::Column::Status.is_in(["dispatched", "handling"]))
            .filter(case::Column::HandleDue.is_not_null())
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
            let Some(due) = m.handle_due else { continue };
            let label = format!("案件 {} {}", m.case_no, m.title);
            let overdue_by =
                |days: u32| now >= from_bj(cal.deadline(bj(due), Limit::WorkingDays(days)));
            let supervise = !m.supervised && now > due && overdue_by(rules.supervise_after_days);
            let urge = m.urged_at.is_none() && now > due && overdue_by(rules.urge_after_days);
            let remind = m.reminded_at.is_none()
                && now <= due
                && light_of(&catalog, &m, now).1 == Some(Light::Yellow);
            if !(supervise || urge || remind) {
                continue;
            }
            // Each step marks its column, notifies the assignee and writes a timeline step.
            let mut steps: Vec<Step> = Vec::new();
            if supervise {
                steps.push(Step {
                    column: "supervised",
                    value: true.into(),
                    kind: "supervise",
                    action: "auto_supervise",
                    text: format!(
                        "{label} 已超期 {} 个工作日，系统自动督办",
                        rules.supervise_after_days
                    ),
                });
            }
            if urge {
                steps.push(Step {
                    column: "urged_at",
                    value: now.into(),
                    kind: "urge",
                    action: "urge",
                    text: format!("{label} 已超过办理时限，请尽快处置（催办）"),
                });
            }
            if remind {
                steps.push(Step {
                    column: "reminded_at",
                    value: now.into(),
                    kind: "remind",
                    action: "remind",
                    text: format!("{label} 即将到期，请按时办结"),
                });
            }
            let mut notes: Vec<Note> = Vec::new();
            let tx = crate::infra::db::begin_write(&st.db).await?;
            // Each step happens once: its mark is set only where it is not set yet, read and
            // written in one statement. Another run that got there first leaves this one
            // nothing to do (and nothing to tell).
            let mut set: Vec<(&str, sea_orm::Value)> = Vec::new();
            let mut unset: Vec<String> = Vec::new();
            for step in &steps {
                set.push((step.column, step.value.clone()));
                unset.push(if step.column == "supervised" {
                    "supervised = FALSE".to_owned()
                } else {
                    format!("{} IS NULL", step.column)
                });
            }
            let cols: Vec<String> = set
                .iter()
                .enumerate()
                .map(|(k, (c, _))| format!("{c} = ${}", k + 1))
                .collect();
            let id_at = set.len() + 1;
            let mut vals: Vec<sea_orm::Value> = set.into_iter().map(|x| x.1).collect();
            vals.push(m.id.into());
            let marked = crate::infra::db::exec(
                &tx,
                &format!(
                    "UPDATE cases SET {} WHERE id = ${id_at} AND {}",
                    cols.join(", "),
                    unset.join(" AND ")
                ),
                vals,
            )
            .await?;
            if marked == 0 {
                tx.rollback().await?;
                continue;
            }
            for step in &steps {
                match step.kind {
                    "supervise" => report.supervised += 1,
                    "urge" => report.urged += 1,
                    _ => report.reminded += 1,
                }
            }
            for step in &steps {
                notes.extend(
                    notify::to_assignee(
                        &tx,
                        m.assignee_org_id,
                        m.assignee_dept_id,
                        m.id,
                        step.kind,
                        &step.text,
                    )
                    .await?,
                );
            }
            if let Some(step) = steps.iter().find(|s| s.kind == "supervise") {
                // 督办 also goes to the level above the one that dispatched it.
                let above = crate::org::entity::node::Entity::find_by_id(m.dispatch_org_id)
                    .one(&tx)
                    .await?
                    .and_then(|n| n.parent_id)
                    .unwrap_or(m.dispatch_org_id);
                notes.extend(
                    notify::to_dispatchers(&tx, above, m.id, "supervise", &step.text).await?,
                );
            }
            let events: Vec<(&str, String)> =
                steps.into_iter().map(|s| (s.action, s.text)).collect();
            for (action, text) in events {
                record_event(
                    &tx,
                    EventIn {
                        case_id: m.id,
                        by: By::System,
                        at: now,
                        action,
                        from: &m.status,
                        to: &m.status,
                        note: text,
                        data: json!({}),
                    },
                )
                .await?;
            }
            tx.commit().await?;
            st.hub.publish(notes);
        }
    }
    Ok(report)
}

/// One pressing step on a case.
struct Step {
    /// The column that marks it done (so it happens once).
    column: &'static str,
    value: sea_orm::Value,
    /// The notification kind.
    kind: &'static str,
    /// The timeline action.
    action: &'static str,
    text: String,
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
