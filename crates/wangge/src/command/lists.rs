//! The three lists (三个清单) of a node for a period: 问题清单 — what was raised, from any source
//! (residents, patrols, visits, the hotline); 任务清单 — who was given each and by when; 效果清单 —
//! what was resolved and how the reporter rated it. The three are linked by the case: a problem's
//! task and effect carry its case's id and number.
//!
//! Over the appeal flow's cases located in the node's subtree and reported in the period (Beijing
//! days): every such case is a problem; those dispatched are tasks; those closed are effects.

use super::dashboard::Period;
use crate::cases::entity::case;
use crate::cases::service::{APPEAL_KINDS, source_label};
use crate::infra::clock::{fmt_time, now_ms};
use crate::infra::db::statement;
use crate::infra::error::{AppResult, stored_path};
use crate::org::entity::node;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
use serde::Serialize;
use std::collections::{HashMap, HashSet};
use wangge_core::Scope;

/// The most cases the lists hold (the period is then to be narrowed).
pub const MOST: u64 = 5000;

/// A problem (问题).
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct Problem {
    pub case_id: i64,
    pub case_no: String,
    pub title: String,
    pub category: String,
    /// Where it came from: 居民自报, 网格员巡查, 入户走访, 12345 热线, 开放接口.
    pub source: String,
    /// Its grid (or building's grid), by name.
    pub place: String,
    pub reported_at: String,
    pub status: String,
    pub open: bool,
}

/// A task (任务): the case as given to its handler.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct Task {
    pub case_id: i64,
    pub case_no: String,
    /// 承办: the node, department or person that has it.
    pub owner: String,
    pub dispatched_at: String,
    /// The handling limit.
    pub deadline: String,
    pub status: String,
    /// Past its limit: fed back late, or open in hand past it now.
    pub late: bool,
}

/// An effect (效果): the case as closed, with the reporter's verdict.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct Effect {
    pub case_id: i64,
    pub case_no: String,
    pub closed_at: String,
    /// 是否解决 (none: not rated).
    pub solved: Option<bool>,
    /// 满意, 基本满意, 不满意 (empty: not rated).
    pub satisfaction: String,
    /// Left out of the rates as unreasonable by decision.
    pub excluded: bool,
}

/// The three lists.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct Lists {
    pub org_id: i64,
    pub org_name: String,
    pub period: Period,
    pub problems: Vec<Problem>,
    pub tasks: Vec<Task>,
    pub effects: Vec<Effect>,
    /// More cases than [`MOST`] were reported: the lists hold the first ones.
    pub truncated: bool,
}

fn satisfaction_label(s: Option<&str>) -> &'static str {
    match s {
        Some("satisfied") => "满意",
        Some("basic") => "基本满意",
        Some("dissatisfied") => "不满意",
        _ => "",
    }
}

/// The three lists of `n` (in the caller's sight) for a period.
pub async fn lists(db: &impl ConnectionTrait, n: node::Model, period: Period) -> AppResult<Lists> {
    let pat = Scope::new(stored_path(&n.path)?).like_pattern();
    let (t0, t1) = period.bounds();
    let rows = case::Entity::find()
        .filter(case::Column::OrgPath.like(pat.clone()))
        .filter(case::Column::Kind.is_in(APPEAL_KINDS))
        .filter(case::Column::CreatedAt.gte(t0))
        .filter(case::Column::CreatedAt.lt(t1))
        .order_by_asc(case::Column::CreatedAt)
        .order_by_asc(case::Column::Id)
        .limit(MOST + 1)
        .all(db)
        .await?;
    let truncated = rows.len() as u64 > MOST;
    let rows: Vec<case::Model> = rows.into_iter().take(MOST as usize).collect();
    let ids: Vec<i64> = rows.iter().map(|r| r.id).collect();
    let mut visited = HashSet::new();
    let mut excluded = HashSet::new();
    for chunk in ids.chunks(500) {
        let list = chunk
            .iter()
            .map(i64::to_string)
            .collect::<Vec<_>>()
            .join(",");
        for r in db
            .query_all_raw(statement(
                db,
                &format!("SELECT case_id FROM visits WHERE case_id IN ({list})"),
                vec![],
            ))
            .await?
        {
            visited.insert(r.try_get_by_index::<i64>(0).unwrap_or_default());
        }
        for r in db
            .query_all_raw(statement(
                db,
                &format!(
                    "SELECT case_id FROM case_exclusions WHERE status = 'approved' \
                     AND case_id IN ({list})"
                ),
                vec![],
            ))
            .await?
        {
            excluded.insert(r.try_get_by_index::<i64>(0).unwrap_or_default());
        }
    }
    let names = super::category_names(db).await?;
    let places: HashMap<i64, String> = node::Entity::find()
        .filter(node::Column::Path.like(pat))
        .all(db)
        .await?
        .into_iter()
        .map(|x| (x.id, x.name))
        .collect();
    let now = now_ms();
    let status_of = |s: &str| {
        wangge_core::case::Status::parse(s)
            .map_or("", |x| x.label())
            .to_owned()
    };
    let mut out = Lists {
        org_id: n.id,
        org_name: n.name,
        period,
        problems: Vec::new(),
        tasks: Vec::new(),
        effects: Vec::new(),
        truncated,
    };
    for m in rows {
        let open = wangge_core::case::Status::parse(&m.status).is_some_and(|s| !s.is_final());
        out.problems.push(Problem {
            case_id: m.id,
            case_no: m.case_no.clone(),
            title: m.title.clone(),
            category: names
                .get(&m.category_code)
                .cloned()
                .unwrap_or_else(|| m.category_code.clone()),
            source: if visited.contains(&m.id) {
                "入户走访".into()
            } else {
                source_label(&m.source).into()
            },
            place: places.get(&m.org_id).cloned().unwrap_or_default(),
            reported_at: fmt_time(m.created_at),
            status: status_of(&m.status),
            open,
        });
        if let Some(d) = m.dispatched_at {
            let in_hand = matches!(m.status.as_str(), "dispatched" | "handling");
            out.tasks.push(Task {
                case_id: m.id,
                case_no: m.case_no.clone(),
                owner: m.assignee_name.clone(),
                dispatched_at: fmt_time(d),
                deadline: m.handle_due.map(fmt_time).unwrap_or_default(),
                status: status_of(&m.status),
                late: m.handle_late || (in_hand && m.handle_due.is_some_and(|t| t < now)),
            });
        }
        if let Some(c) = m.closed_at.filter(|_| m.status == "closed") {
            out.effects.push(Effect {
                case_id: m.id,
                case_no: m.case_no,
                closed_at: fmt_time(c),
                solved: m.solved,
                satisfaction: satisfaction_label(m.satisfaction.as_deref()).into(),
                excluded: excluded.contains(&m.id),
            });
        }
    }
    Ok(out)
}

/// The lists as a workbook of three sheets.
pub fn workbook(l: &Lists) -> AppResult<Vec<u8>> {
    let yes = |b: bool| if b { "是" } else { "否" }.to_owned();
    let problems: Vec<Vec<String>> = l
        .problems
        .iter()
        .map(|p| {
            vec![
                p.case_no.clone(),
                p.title.clone(),
                p.category.clone(),
                p.source.clone(),
                p.place.clone(),
                p.reported_at.clone(),
                p.status.clone(),
            ]
        })
        .collect();
    let tasks: Vec<Vec<String>> = l
        .tasks
        .iter()
        .map(|t| {
            vec![
                t.case_no.clone(),
                t.owner.clone(),
                t.dispatched_at.clone(),
                t.deadline.clone(),
                t.status.clone(),
                yes(t.late),
            ]
        })
        .collect();
    let effects: Vec<Vec<String>> = l
        .effects
        .iter()
        .map(|e| {
            vec![
                e.case_no.clone(),
                e.closed_at.clone(),
                e.solved.map_or_else(String::new, yes),
                e.satisfaction.clone(),
                yes(e.excluded),
            ]
        })
        .collect();
    crate::web::xlsx::build_sheets(&[
        crate::web::xlsx::Sheet {
            name: "问题清单",
            headers: &[
                "案件编号",
                "问题",
                "类别",
                "来源",
                "地点",
                "上报时间",
                "状态",
            ],
            rows: &problems,
        },
        crate::web::xlsx::Sheet {
            name: "任务清单",
            headers: &["案件编号", "承办", "派遣时间", "办理期限", "状态", "超期"],
            rows: &tasks,
        },
        crate::web::xlsx::Sheet {
            name: "效果清单",
            headers: &[
                "案件编号",
                "办结时间",
                "是否解决",
                "满意度",
                "不合理诉求（不计考核）",
            ],
            rows: &effects,
        },
    ])
}
