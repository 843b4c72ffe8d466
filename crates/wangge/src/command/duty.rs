//! The duty roster (值班表): who holds a street's 24-hour duty each day, with the leader on
//! shift (领导带班). Today's duty shows on the dashboard; cases escalated level by level
//! (逐级上报, the flow's `escalate`) into the street are shown to whoever is on duty and reach
//! them as a notification written in the same transaction as the escalation.

use super::entity::shift;
use crate::infra::audit::{self, Entry};
use crate::infra::clock::{bj, fmt_time, now_ms, today};
use crate::infra::db::{WriteTxn, begin_write, statement};
use crate::infra::error::{AppError, AppResult, stored_path};
use crate::org::entity::node;
use crate::users::entity as user;
use crate::web::Caller;
use chrono::{Datelike, Duration, NaiveDate};
use futures_util::future::BoxFuture;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, Set,
};
use serde::{Deserialize, Serialize};
use serde_json::json;
use wangge_core::{OrgLevel, OrgPath, Role};

/// How far back the escalations shown to the duty reach, in hours.
pub const ESCALATIONS_HOURS: i64 = 72;

/// One person on duty.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct ShiftView {
    pub id: i64,
    pub day: String,
    pub user_id: i64,
    pub person_name: String,
    pub leader: bool,
    pub note: String,
}

/// A day of the roster.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct DayView {
    pub day: String,
    /// 星期一 …
    pub weekday: String,
    pub today: bool,
    pub shifts: Vec<ShiftView>,
}

/// A case escalated into the street.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct Escalation {
    pub case_id: i64,
    pub case_no: String,
    pub title: String,
    pub at: String,
    /// Who escalated it (an account of the level below).
    pub by: String,
    pub reason: String,
}

/// A street's roster for a week, and the candidates it may put on duty.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct Roster {
    pub org_id: i64,
    pub org_name: String,
    /// The Monday of the week shown.
    pub week: String,
    pub days: Vec<DayView>,
    /// Staff accounts of the street (id, name, role label) — for the roster's form.
    pub staff: Vec<(i64, String, String)>,
    /// Whether the caller may change the roster.
    pub may_edit: bool,
    /// The streets in the caller's sight (id, name), to switch between, when there are more
    /// than one (a district's view).
    pub streets: Vec<(i64, String)>,
}

/// Today's duty of a street, and the escalations the duty sees.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct Today {
    pub org_id: i64,
    pub org_name: String,
    pub day: String,
    pub shifts: Vec<ShiftView>,
    /// Whether the caller is on duty today.
    pub caller_on_duty: bool,
    pub escalations: Vec<Escalation>,
}

fn weekday(d: NaiveDate) -> &'static str {
    [
        "星期一",
        "星期二",
        "星期三",
        "星期四",
        "星期五",
        "星期六",
        "星期日",
    ][d.weekday().num_days_from_monday() as usize]
}

fn view(s: shift::Model) -> ShiftView {
    ShiftView {
        id: s.id,
        day: s.day,
        user_id: s.user_id,
        person_name: s.person_name,
        leader: s.leader,
        note: s.note,
    }
}

/// The street (township) a node is in or above which it sits: the node itself when it is one,
/// else the township on its path; `None` above the streets (a district).
pub async fn street_of(
    db: &impl ConnectionTrait,
    n: &node::Model,
) -> AppResult<Option<node::Model>> {
    if n.level == OrgLevel::Township.as_str() {
        return Ok(Some(n.clone()));
    }
    let ids = OrgPath::parse(&n.path).map(|p| p.ids()).unwrap_or_default();
    Ok(node::Entity::find()
        .filter(node::Column::Id.is_in(ids))
        .filter(node::Column::Level.eq(OrgLevel::Township.as_str()))
        .one(db)
        .await?)
}

/// Who keeps the roster: the command centre (and the command line).
fn keeps(c: &Caller) -> bool {
    matches!(c.role, None | Some(Role::CommandCenter))
}

/// The street of `org` (or of the caller's node); above the streets, the first street under
/// it (the district sees each street's roster in turn).
async fn street_for(
    db: &impl ConnectionTrait,
    c: &Caller,
    org: Option<i64>,
) -> AppResult<node::Model> {
    let n = super::ranking::node_of(db, c, org).await?;
    if let Some(s) = street_of(db, &n).await? {
        return Ok(s);
    }
    node::Entity::find()
        .filter(crate::infra::db::subtree(
            node::Column::Path,
            &stored_path(&n.path)?,
        ))
        .filter(node::Column::Level.eq(OrgLevel::Township.as_str()))
        .filter(node::Column::Status.eq("active"))
        .order_by_asc(node::Column::Code)
        .one(db)
        .await?
        .ok_or_else(|| AppError::bad("no_street", "值班表按街道排：下面还没有街道"))
}

/// The roster of the caller's street (or `org`'s) for the week of `week` (a day; this week when
/// none).
pub async fn roster(
    db: &impl ConnectionTrait,
    c: &Caller,
    org: Option<i64>,
    week: Option<&str>,
) -> AppResult<Roster> {
    if !c.role.is_none_or(|r| r.is_staff()) {
        return Err(AppError::no_permission());
    }
    let street = street_for(db, c, org).await?;
    let day = match week.map(str::trim).filter(|s| !s.is_empty()) {
        Some(s) => NaiveDate::parse_from_str(s, "%Y-%m-%d")
            .map_err(|_| AppError::bad("bad_day", "日期请写成 2026-12-01 这样"))?,
        None => today(),
    };
    let monday = day - Duration::days(i64::from(day.weekday().num_days_from_monday()));
    let sunday = monday + Duration::days(6);
    let rows = shift::Entity::find()
        .filter(shift::Column::OrgNodeId.eq(street.id))
        .filter(shift::Column::Day.gte(monday.to_string()))
        .filter(shift::Column::Day.lte(sunday.to_string()))
        .order_by_asc(shift::Column::Day)
        .order_by_desc(shift::Column::Leader)
        .order_by_asc(shift::Column::Id)
        .all(db)
        .await?;
    let now = today();
    let days = (0..7)
        .map(|i| {
            let d = monday + Duration::days(i);
            DayView {
                day: d.to_string(),
                weekday: weekday(d).into(),
                today: d == now,
                shifts: rows
                    .iter()
                    .filter(|r| r.day == d.to_string())
                    .cloned()
                    .map(view)
                    .collect(),
            }
        })
        .collect();
    let staff = user::Entity::find()
        .filter(crate::infra::db::subtree(
            user::Column::OrgPath,
            &stored_path(&street.path)?,
        ))
        .filter(user::Column::Status.eq("active"))
        .filter(user::Column::Service.eq(false))
        .filter(user::Column::Role.is_in([
            Role::CommandCenter.as_str(),
            Role::CommunitySecretary.as_str(),
            Role::GridWorker.as_str(),
            Role::Admin.as_str(),
        ]))
        .order_by_asc(user::Column::OrgPath)
        .order_by_asc(user::Column::Id)
        .all(db)
        .await?
        .into_iter()
        .map(|u| {
            let label = Role::parse(&u.role).map_or("", Role::label).to_owned();
            (u.id, u.display_name, label)
        })
        .collect();
    let mut streets = node::Entity::find()
        .filter(node::Column::Level.eq(OrgLevel::Township.as_str()))
        .filter(node::Column::Status.eq("active"));
    if let Some(s) = &c.scope {
        streets = streets.filter(crate::infra::db::subtree(node::Column::Path, s.root()));
    }
    let streets: Vec<(i64, String)> = streets
        .order_by_asc(node::Column::Code)
        .all(db)
        .await?
        .into_iter()
        .map(|n| (n.id, n.name))
        .collect();
    Ok(Roster {
        org_id: street.id,
        org_name: street.name,
        week: monday.to_string(),
        days,
        staff,
        may_edit: keeps(c),
        streets: if streets.len() > 1 {
            streets
        } else {
            Vec::new()
        },
    })
}

/// What putting someone on duty sends.
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(default)]
pub struct ShiftInput {
    /// The street (the caller's own when none).
    pub org: Option<i64>,
    /// `YYYY-MM-DD`.
    pub day: String,
    pub user_id: i64,
    /// 领导带班.
    pub leader: bool,
    pub note: String,
}

/// Puts an account of the street on duty for a day (once a day a person: unique).
pub async fn add(
    db: &sea_orm::DatabaseConnection,
    c: &Caller,
    input: ShiftInput,
) -> AppResult<i64> {
    if !keeps(c) {
        return Err(AppError::bad("not_keeper", "值班表由街道综治中心排定"));
    }
    let street = street_for(db, c, input.org).await?;
    let day = NaiveDate::parse_from_str(input.day.trim(), "%Y-%m-%d")
        .map_err(|_| AppError::bad("bad_day", "日期请写成 2026-12-01 这样"))?;
    if day < today() - Duration::days(1) {
        return Err(AppError::bad("past_day", "不能给已经过去的日子排班"));
    }
    let note = wangge_core::validate::text(
        "备注",
        &input.note,
        200,
        wangge_core::validate::Lines::One,
        false,
    )?;
    let u = user::Entity::find_by_id(input.user_id)
        .filter(crate::infra::db::subtree(
            user::Column::OrgPath,
            &stored_path(&street.path)?,
        ))
        .filter(user::Column::Status.eq("active"))
        .one(db)
        .await?
        .ok_or_else(|| AppError::bad("bad_person", "请选择本街道的工作人员"))?;
    if !Role::parse(&u.role).is_some_and(Role::is_staff) || u.service {
        return Err(AppError::bad("bad_person", "请选择本街道的工作人员"));
    }
    let tx = begin_write(db).await?;
    let row = shift::ActiveModel {
        org_node_id: Set(street.id),
        org_path: Set(street.path.clone()),
        day: Set(day.to_string()),
        user_id: Set(u.id),
        person_name: Set(u.display_name.clone()),
        leader: Set(input.leader),
        note: Set(note),
        actor_name: Set(crate::users::display_name(&tx, c).await?),
        created_at: Set(now_ms()),
        ..Default::default()
    }
    .insert(&tx)
    .await?;
    audit::record(
        &tx,
        &c.who,
        Entry {
            org_path: &stored_path(&street.path)?,
            action: "create",
            entity: "duty_shift",
            entity_id: Some(row.id),
            summary: format!(
                "{} {} 值班：{}{}",
                street.name,
                day,
                u.display_name,
                if input.leader {
                    "（带班领导）"
                } else {
                    ""
                }
            ),
            changes: json!({"day": day.to_string(), "user_id": u.id, "leader": input.leader}),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(row.id)
}

/// Takes someone off the roster.
pub async fn remove(db: &sea_orm::DatabaseConnection, c: &Caller, id: i64) -> AppResult<()> {
    let row = shift::Entity::find_by_id(id)
        .filter(c.scope_cond("org_path"))
        .one(db)
        .await?
        .ok_or_else(|| AppError::NotFound("没有找到这条值班安排".into()))?;
    if !keeps(c) {
        return Err(AppError::bad("not_keeper", "值班表由街道综治中心排定"));
    }
    let tx = begin_write(db).await?;
    shift::Entity::delete_by_id(id).exec(&tx).await?;
    audit::record(
        &tx,
        &c.who,
        Entry {
            org_path: &stored_path(&row.org_path)?,
            action: "delete",
            entity: "duty_shift",
            entity_id: Some(id),
            summary: format!("取消 {} {} 的值班", row.day, row.person_name),
            changes: json!({"day": row.day, "user_id": row.user_id}),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Today's duty of the street of `n` (none above the streets), with the escalations into it.
pub async fn today_of(
    db: &impl ConnectionTrait,
    c: &Caller,
    n: &node::Model,
) -> AppResult<Option<Today>> {
    let Some(street) = street_of(db, n).await? else {
        return Ok(None);
    };
    let day = today().to_string();
    let shifts: Vec<ShiftView> = shift::Entity::find()
        .filter(shift::Column::OrgNodeId.eq(street.id))
        .filter(shift::Column::Day.eq(day.clone()))
        .order_by_desc(shift::Column::Leader)
        .order_by_asc(shift::Column::Id)
        .all(db)
        .await?
        .into_iter()
        .map(view)
        .collect();
    let caller_on_duty = c
        .who
        .id
        .is_some_and(|id| shifts.iter().any(|s| s.user_id == id));
    // The escalations of the street's cases that lie in the caller's sight: the whole street
    // for its command centre, a community's own for its secretary.
    let street_path = stored_path(&street.path)?;
    let within = match &c.scope {
        None => Some(street_path),
        Some(s) => s.meet(&street_path),
    };
    let escalations = match within {
        Some(p) => escalations(db, &p).await?,
        None => Vec::new(),
    };
    Ok(Some(Today {
        org_id: street.id,
        org_name: street.name,
        day,
        shifts,
        caller_on_duty,
        escalations,
    }))
}

/// Cases escalated (上报上级) within [`ESCALATIONS_HOURS`] whose case lies under `within`.
async fn escalations(db: &impl ConnectionTrait, within: &OrgPath) -> AppResult<Vec<Escalation>> {
    let pat = wangge_core::Scope::new(within.clone()).like_pattern();
    let since = now_ms() - ESCALATIONS_HOURS * 3_600_000;
    let rows = db
        .query_all_raw(statement(
            db,
            "SELECT c.id, c.case_no, c.title, e.at, e.actor_name, e.note FROM case_events e \
             JOIN cases c ON c.id = e.case_id WHERE e.action = 'escalate' AND e.at >= $2 \
             AND c.org_path LIKE $1 ORDER BY e.at DESC, e.id DESC LIMIT 50",
            vec![pat.into(), since.into()],
        ))
        .await?;
    Ok(rows
        .iter()
        .map(|r| Escalation {
            case_id: r.try_get_by_index(0).unwrap_or_default(),
            case_no: r.try_get_by_index(1).unwrap_or_default(),
            title: r.try_get_by_index(2).unwrap_or_default(),
            at: fmt_time(r.try_get_by_index::<i64>(3).unwrap_or_default()),
            by: r.try_get_by_index(4).unwrap_or_default(),
            reason: r.try_get_by_index(5).unwrap_or_default(),
        })
        .collect())
}

/// Inside an escalation's transaction: tells whoever is on duty today at the street the case
/// lies in (the duty's notification is committed with the escalation, or not at all).
pub fn on_escalate<'a>(
    tx: &'a WriteTxn,
    ch: &'a wangge_core::flow::Change<'a>,
) -> BoxFuture<'a, AppResult<()>> {
    Box::pin(async move {
        if ch.action != "escalate" {
            return Ok(());
        }
        let Ok(path) = OrgPath::parse(ch.org_path) else {
            return Ok(());
        };
        let day = bj(ch.at_ms).date().to_string();
        let on_duty = shift::Entity::find()
            .filter(shift::Column::OrgNodeId.is_in(path.ids()))
            .filter(shift::Column::Day.eq(day))
            .all(tx)
            .await?;
        for s in on_duty {
            tx.execute_raw(statement(
                tx,
                "INSERT INTO notifications (user_id, case_id, kind, text, at, read_at) \
                 VALUES ($1, $2, $3, $4, $5, NULL)",
                vec![
                    s.user_id.into(),
                    ch.case_id.into(),
                    "duty_escalate".into(),
                    "值班提醒：有案件逐级上报到街道，请值班人员关注".into(),
                    ch.at_ms.into(),
                ],
            ))
            .await?;
        }
        Ok(())
    })
}
