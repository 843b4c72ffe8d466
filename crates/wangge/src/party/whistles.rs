//! 吹哨报到: a community or street "blows the whistle" on one problem, summoning several units
//! (驻区单位) and departments (职能部门) at once; each has its own deadline on the working-time
//! calendar, reports arrival and what it did; the whistle closes when all have answered; a unit
//! past its deadline without a report shows red. The rules are the core's
//! (`wangge_core::party::serve`).
//!
//! Who sees a whistle: the staff of the node that blew it (by scope), and the department
//! handlers of a department it summoned (their own call is theirs to answer). The staff of the
//! node record a unit's arrival and answer on its behalf.

use super::entity::{party_unit, party_whistle, party_whistle_call};
use super::members::manages_members as staff;
use super::wishes::display_name;
use crate::infra::audit::{self, Entry};
use crate::infra::clock::{bj, from_bj, now_ms};
use crate::infra::db::{begin_write, exec, lock_row};
use crate::infra::error::{AppError, AppResult, stored_path};
use crate::org::entity::department;
use crate::web::{Base, Caller};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, Set,
};
use serde::{Deserialize, Serialize};
use serde_json::json;
use std::collections::HashMap;
use wangge_core::party::serve::{self as rules, Call, CallStep};
use wangge_core::validate::{self, Lines};
use wangge_core::{OrgPath, Role};

fn not_found() -> AppError {
    AppError::NotFound("吹哨事项不存在".into())
}

fn call_not_found() -> AppError {
    AppError::NotFound("报到单位不存在".into())
}

/// One callee of a new whistle: a unit or a department, with its limit.
#[derive(Clone, Debug, Default, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(default)]
pub struct CalleeInput {
    /// A registered unit (驻区单位).
    pub unit_id: Option<i64>,
    /// A department (职能部门).
    pub department_id: Option<i64>,
    /// Working hours to report (one working day when none).
    pub limit_hours: Option<u32>,
}

/// What a form or the API sends to blow a whistle.
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(default)]
pub struct WhistleInput {
    /// The community or street blowing it (the caller's own node when none).
    pub org_node_id: Option<i64>,
    /// 事项.
    pub title: String,
    /// 问题描述.
    pub problem: String,
    /// 地点.
    pub place: String,
    /// The case it arose from, if any.
    pub case_id: Option<i64>,
    /// The units and departments summoned (two or more).
    pub callees: Vec<CalleeInput>,
}

/// One summoned unit or department as shown.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct CallView {
    pub id: i64,
    pub callee_name: String,
    /// `unit` or `department`.
    pub callee_kind: &'static str,
    pub unit_id: Option<i64>,
    pub department_id: Option<i64>,
    pub limit_hours: i32,
    /// The deadline to report (Beijing time).
    pub due_at: String,
    pub arrived_at: Option<String>,
    pub answered_at: Option<String>,
    pub answer: String,
    pub answered_by: String,
    /// waiting, overdue, arrived, arrived_late, answered, answered_late.
    pub state: &'static str,
    pub state_label: &'static str,
    /// Shown red: no report and past the deadline.
    pub red: bool,
    /// Whether the caller may record its arrival and answer.
    pub can_act: bool,
}

/// A whistle as shown.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct WhistleView {
    pub id: i64,
    pub org_node_id: i64,
    pub node_name: String,
    pub title: String,
    pub problem: String,
    pub place: String,
    pub case_id: Option<i64>,
    pub blown_at: String,
    pub blown_by: String,
    /// `open` or `closed` (closed when every callee answered).
    pub status: String,
    pub closed_at: Option<String>,
    pub calls: Vec<CallView>,
    /// Callees that answered.
    pub answered: usize,
    /// Callees shown red.
    pub overdue: usize,
}

fn moment(ms: i64) -> String {
    bj(ms).format("%Y-%m-%d %H:%M").to_string()
}

/// The department a department handler works for.
async fn own_department(db: &impl ConnectionTrait, c: &Caller) -> AppResult<Option<i64>> {
    if c.role != Some(Role::DepartmentHandler) {
        return Ok(None);
    }
    let Some(uid) = c.who.id else { return Ok(None) };
    Ok(crate::users::entity::Entity::find_by_id(uid)
        .one(db)
        .await?
        .and_then(|u| u.department_id))
}

/// Whether the caller blows and runs whistles of their subtree.
pub fn runs(c: &Caller) -> bool {
    staff(c)
}

async fn views(
    st: &Base,
    c: &Caller,
    rows: Vec<party_whistle::Model>,
) -> AppResult<Vec<WhistleView>> {
    let dept = own_department(&st.db, c).await?;
    let ids: Vec<i64> = rows.iter().map(|r| r.id).collect();
    let calls = if ids.is_empty() {
        Vec::new()
    } else {
        party_whistle_call::Entity::find()
            .filter(party_whistle_call::Column::WhistleId.is_in(ids))
            .order_by_asc(party_whistle_call::Column::Id)
            .all(&st.db)
            .await?
    };
    let nodes = super::service::node_names(&st.db, rows.iter().map(|r| r.org_node_id)).await?;
    let now = now_ms();
    let mut by: HashMap<i64, Vec<CallView>> = HashMap::new();
    // Per whistle: (open, the caller runs it).
    let whistle: HashMap<i64, (bool, bool)> = rows
        .iter()
        .map(|w| {
            let mine = runs(c) && OrgPath::parse(&w.org_path).is_ok_and(|p| c.allows(&p));
            (w.id, (w.status == "open", mine))
        })
        .collect();
    for k in calls {
        let state = Call::of(k.due_at, k.arrived_at, k.answered_at, now);
        let own = dept.is_some() && k.department_id == dept;
        let (open, mine) = whistle.get(&k.whistle_id).copied().unwrap_or_default();
        by.entry(k.whistle_id).or_default().push(CallView {
            id: k.id,
            callee_kind: if k.unit_id.is_some() {
                "unit"
            } else {
                "department"
            },
            unit_id: k.unit_id,
            department_id: k.department_id,
            limit_hours: k.limit_hours,
            due_at: moment(k.due_at),
            arrived_at: k.arrived_at.map(moment),
            answered_at: k.answered_at.map(moment),
            state: state.as_str(),
            state_label: state.label(),
            red: state.red(),
            can_act: open && !state.answered() && (mine || own),
            callee_name: k.callee_name,
            answer: k.answer,
            answered_by: k.answered_by,
        });
    }
    Ok(rows
        .into_iter()
        .map(|w| {
            let calls = by.remove(&w.id).unwrap_or_default();
            WhistleView {
                id: w.id,
                org_node_id: w.org_node_id,
                node_name: nodes.get(&w.org_node_id).cloned().unwrap_or_default(),
                answered: calls.iter().filter(|k| k.answered_at.is_some()).count(),
                overdue: calls.iter().filter(|k| k.red).count(),
                calls,
                title: w.title,
                problem: w.problem,
                place: w.place,
                case_id: w.case_id,
                blown_at: moment(w.blown_at),
                blown_by: w.actor_name,
                status: w.status,
                closed_at: w.closed_at.map(moment),
            }
        })
        .collect())
}

/// The ids of the whistles that summoned the caller's department (none for others).
async fn called_for(db: &impl ConnectionTrait, c: &Caller) -> AppResult<Option<Vec<i64>>> {
    Ok(match own_department(db, c).await? {
        Some(d) => Some(
            party_whistle_call::Entity::find()
                .filter(party_whistle_call::Column::DepartmentId.eq(d))
                .all(db)
                .await?
                .into_iter()
                .map(|k| k.whistle_id)
                .collect(),
        ),
        None => None,
    })
}

/// The whistles the caller may see, open first, newest first (at most 200): none for those who
/// neither run whistles nor were summoned.
pub async fn list(st: &Base, c: &Caller) -> AppResult<Vec<WhistleView>> {
    let q = party_whistle::Entity::find();
    let q = match called_for(&st.db, c).await? {
        Some(ids) => q.filter(party_whistle::Column::Id.is_in(ids)),
        None if runs(c) => q.filter(c.scope_cond("org_path")),
        None => return Ok(Vec::new()),
    };
    let rows = sea_orm::QuerySelect::limit(
        q.order_by_desc(party_whistle::Column::Status.eq("open"))
            .order_by_desc(party_whistle::Column::BlownAt)
            .order_by_desc(party_whistle::Column::Id),
        200,
    )
    .all(&st.db)
    .await?;
    views(st, c, rows).await
}

async fn find(db: &impl ConnectionTrait, c: &Caller, id: i64) -> AppResult<party_whistle::Model> {
    let row = party_whistle::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or_else(not_found)?;
    let path = OrgPath::parse(&row.org_path).map_err(|_| not_found())?;
    if runs(c) && c.allows(&path) {
        return Ok(row);
    }
    match called_for(db, c).await? {
        Some(ids) if ids.contains(&row.id) => Ok(row),
        _ => Err(not_found()),
    }
}

/// One whistle the caller may see.
pub async fn one(st: &Base, c: &Caller, id: i64) -> AppResult<WhistleView> {
    let row = find(&st.db, c, id).await?;
    views(st, c, vec![row]).await?.pop().ok_or_else(not_found)
}

/// The units and departments a node may summon: the active units registered with it or within
/// it, and the departments of the streets on its path or within it.
pub struct Callable {
    pub units: Vec<party_unit::Model>,
    pub departments: Vec<department::Model>,
}

/// What a node may summon.
pub async fn callable(db: &impl ConnectionTrait, at: &OrgPath) -> AppResult<Callable> {
    let units = party_unit::Entity::find()
        .filter(party_unit::Column::Status.eq("active"))
        .filter(crate::infra::db::subtree(party_unit::Column::OrgPath, at))
        .order_by_asc(party_unit::Column::Name)
        .all(db)
        .await?;
    let mut departments = department::Entity::find()
        .filter(department::Column::Status.eq("active"))
        .filter(department::Column::OrgId.is_in(at.ids()))
        .order_by_asc(department::Column::Name)
        .all(db)
        .await?;
    departments.extend(
        department::Entity::find()
            .filter(department::Column::Status.eq("active"))
            .filter(crate::infra::db::subtree(department::Column::OrgPath, at))
            .filter(department::Column::OrgId.is_not_in(at.ids()))
            .order_by_asc(department::Column::Name)
            .all(db)
            .await?,
    );
    Ok(Callable { units, departments })
}

/// Blows a whistle: checks the callees (two to twenty, none twice, each one the node may
/// summon), sets each one's deadline on the working calendar from now, and tells the
/// summoned departments' handlers.
pub async fn blow(st: &Base, c: &Caller, input: WhistleInput) -> AppResult<party_whistle::Model> {
    if !runs(c) {
        return Err(AppError::no_permission());
    }
    let title = validate::text("事项", &input.title, 60, Lines::One, true)?;
    let problem = validate::text("问题描述", &input.problem, 1000, Lines::Many, true)?;
    let place = validate::text("地点", &input.place, 120, Lines::One, false)?;
    let keys: Vec<String> = input
        .callees
        .iter()
        .map(|k| match (k.unit_id, k.department_id) {
            (Some(u), None) => Ok(format!("u:{u}")),
            (None, Some(d)) => Ok(format!("d:{d}")),
            _ => Err(AppError::bad(
                "bad_callee",
                "每个被召集方须是一个共建单位或一个职能部门",
            )),
        })
        .collect::<AppResult<_>>()?;
    rules::check_callees(&keys).map_err(|e| AppError::bad("bad_callees", e))?;
    for k in &input.callees {
        rules::check_limit(k.limit_hours.unwrap_or(rules::DEFAULT_LIMIT_HOURS))
            .map_err(|e| AppError::bad("bad_limit", e))?;
    }
    let at = super::serving::serving_node(&st.db, c, input.org_node_id).await?;
    let at_path = OrgPath::parse(&at.path).map_err(|_| not_found())?;
    if let Some(case_id) = input.case_id {
        crate::cases::entity::case::Entity::find_by_id(case_id)
            .filter(c.scope_cond("org_path"))
            .one(&st.db)
            .await?
            .ok_or_else(|| AppError::NotFound("案件不存在".into()))?;
    }
    let can = callable(&st.db, &at_path).await?;
    let units: HashMap<i64, &party_unit::Model> = can.units.iter().map(|u| (u.id, u)).collect();
    let depts: HashMap<i64, &department::Model> =
        can.departments.iter().map(|d| (d.id, d)).collect();
    let cal = crate::cases::catalog::load(&st.db).await?.calendar;
    let now = now_ms();
    let tx = begin_write(&st.db).await?;
    let row = party_whistle::ActiveModel {
        org_node_id: Set(at.id),
        org_path: Set(at.path.clone()),
        title: Set(title.clone()),
        problem: Set(problem),
        place: Set(place),
        case_id: Set(input.case_id),
        blown_at: Set(now),
        status: Set("open".into()),
        closed_at: Set(None),
        summary: Set(String::new()),
        actor_name: Set(display_name(&tx, c).await?),
        version: Set(1),
        ..Default::default()
    }
    .insert(&tx)
    .await?;
    let mut summoned_depts = Vec::new();
    let mut calls = Vec::new();
    for (k, key) in input.callees.iter().zip(keys) {
        let hours = k.limit_hours.unwrap_or(rules::DEFAULT_LIMIT_HOURS);
        let name = match (k.unit_id, k.department_id) {
            (Some(u), _) => units
                .get(&u)
                .map(|u| u.name.clone())
                .ok_or_else(|| AppError::bad("bad_callee", "所选共建单位不在本辖区或已退出共建"))?,
            (_, Some(d)) => {
                let dept = depts
                    .get(&d)
                    .ok_or_else(|| AppError::bad("bad_callee", "所选职能部门不能由这里召集"))?;
                summoned_depts.push(dept.id);
                dept.name.clone()
            }
            _ => unreachable_callee()?,
        };
        calls.push(party_whistle_call::ActiveModel {
            whistle_id: Set(row.id),
            org_path: Set(at.path.clone()),
            unit_id: Set(k.unit_id),
            department_id: Set(k.department_id),
            callee_key: Set(key),
            callee_name: Set(name),
            limit_hours: Set(i32::try_from(hours).unwrap_or(8)),
            due_at: Set(from_bj(rules::call_due(&cal, bj(now), hours))),
            arrived_at: Set(None),
            answered_at: Set(None),
            answer: Set(String::new()),
            answered_by: Set(String::new()),
            ..Default::default()
        });
    }
    let n = calls.len();
    party_whistle_call::Entity::insert_many(calls)
        .exec(&tx)
        .await?;
    audit::record(
        &tx,
        &c.who,
        Entry {
            org_path: &stored_path(&at.path)?,
            action: "create",
            entity: "party_whistle",
            entity_id: Some(row.id),
            summary: format!("吹哨“{title}”，召集 {n} 个单位和部门"),
            changes: json!({"callees": n, "case_id": input.case_id}),
        },
    )
    .await?;
    let handlers: Vec<i64> = if summoned_depts.is_empty() {
        Vec::new()
    } else {
        crate::users::entity::Entity::find()
            .filter(crate::users::entity::Column::DepartmentId.is_in(summoned_depts))
            .filter(crate::users::entity::Column::Status.eq("active"))
            .all(&tx)
            .await?
            .into_iter()
            .map(|u| u.id)
            .collect()
    };
    let text = format!("{}吹哨“{title}”，请按时到场报到并反馈办理情况", at.name);
    let notes = crate::infra::notify::about(&tx, &handlers, "whistle", &text).await?;
    tx.commit().await?;
    st.hub.publish(notes);
    Ok(row)
}

fn unreachable_callee() -> AppResult<String> {
    Err(AppError::bad(
        "bad_callee",
        "每个被召集方须是一个共建单位或一个职能部门",
    ))
}

/// What a call's step sends: the answer's text.
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(default)]
pub struct CallStepInput {
    /// What the unit did (required to answer).
    pub answer: String,
}

/// Records a callee's arrival (`arrive`) or answer (`answer`): the staff of the node for any
/// callee, a department's handler for their own. When the last callee answers, the whistle
/// closes (under a lock on its row).
pub async fn call_step(
    st: &Base,
    c: &Caller,
    call_id: i64,
    step: &str,
    input: CallStepInput,
) -> AppResult<WhistleView> {
    let step = match step {
        "arrive" => CallStep::Arrive,
        "answer" => CallStep::Answer,
        _ => return Err(call_not_found()),
    };
    let answer = validate::text(
        "办理情况",
        &input.answer,
        1000,
        Lines::Many,
        step == CallStep::Answer,
    )?;
    let tx = begin_write(&st.db).await?;
    let k = party_whistle_call::Entity::find_by_id(call_id)
        .one(&tx)
        .await?
        .ok_or_else(call_not_found)?;
    let w = find(&tx, c, k.whistle_id)
        .await
        .map_err(|_| call_not_found())?;
    let path = OrgPath::parse(&w.org_path).map_err(|_| not_found())?;
    let own = own_department(&tx, c)
        .await?
        .is_some_and(|d| k.department_id == Some(d));
    let runs_it = runs(c) && c.allows(&path);
    if !(own || runs_it) {
        return Err(AppError::bad(
            "not_callee",
            "只有被召集的部门本身或吹哨的社区（街道）可以登记报到",
        ));
    }
    lock_row(&tx, "party_whistles", w.id).await?;
    let w = party_whistle::Entity::find_by_id(w.id)
        .one(&tx)
        .await?
        .ok_or_else(not_found)?;
    let k = party_whistle_call::Entity::find_by_id(call_id)
        .one(&tx)
        .await?
        .ok_or_else(call_not_found)?;
    rules::check_call_step(
        w.status == "open",
        k.arrived_at.is_some(),
        k.answered_at.is_some(),
        step,
    )
    .map_err(|e| AppError::bad("bad_step", e))?;
    let now = now_ms();
    let who = display_name(&tx, c).await?;
    match step {
        CallStep::Arrive => {
            exec(
                &tx,
                "UPDATE party_whistle_calls SET arrived_at = $1 WHERE id = $2",
                vec![now.into(), k.id.into()],
            )
            .await?
        }
        CallStep::Answer => {
            exec(
                &tx,
                "UPDATE party_whistle_calls SET answered_at = $1, answer = $2, answered_by = $3 \
                 WHERE id = $4",
                vec![now.into(), answer.into(), who.into(), k.id.into()],
            )
            .await?
        }
    };
    let left = party_whistle_call::Entity::find()
        .filter(party_whistle_call::Column::WhistleId.eq(w.id))
        .filter(party_whistle_call::Column::AnsweredAt.is_null())
        .all(&tx)
        .await?
        .len();
    let closes = left == 0;
    if closes {
        exec(
            &tx,
            "UPDATE party_whistles SET status = 'closed', closed_at = $1, version = version + 1 \
             WHERE id = $2",
            vec![now.into(), w.id.into()],
        )
        .await?;
    }
    audit::record(
        &tx,
        &c.who,
        Entry {
            org_path: &stored_path(&w.org_path)?,
            action: "update",
            entity: "party_whistle",
            entity_id: Some(w.id),
            summary: format!(
                "“{}”{}{}",
                k.callee_name,
                match step {
                    CallStep::Arrive => "报到",
                    CallStep::Answer => "反馈办理情况",
                },
                if closes { "，吹哨事项办结" } else { "" }
            ),
            changes: json!({"call_id": k.id, "closed": closes}),
        },
    )
    .await?;
    tx.commit().await?;
    one(st, c, w.id).await
}

/// The figures of a list of whistles: open, closed, callees red now (recounted from the rows by
/// `tests/it/party_serve.rs`).
pub struct Tally {
    pub open: usize,
    pub closed: usize,
    pub red: usize,
}

/// The tally of a list.
pub fn tally(list: &[WhistleView]) -> Tally {
    Tally {
        open: list.iter().filter(|w| w.status == "open").count(),
        closed: list.iter().filter(|w| w.status == "closed").count(),
        red: list.iter().map(|w| w.overdue).sum(),
    }
}
