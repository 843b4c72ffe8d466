//! 党员中心户: a member's own household nominated, announced (公示), filed once the
//! announcement is over, and plaqued; revoked with a reason. One active per member (a partial
//! unique index). Each grid's count (filed or plaqued) is shown beside its households, with
//! about one advised for every ten. The rules are the core's (`wangge_core::party::center`).

use super::entity::{party_center, party_member};
use super::members::{date_of, required_date};
use crate::infra::audit::{self, Entry};
use crate::infra::clock::{now_ms, today};
use crate::infra::db::{begin_write, exec, subtree};
use crate::infra::error::{AppError, AppResult, stored_path};
use crate::people::entity::household;
use crate::web::{Base, Caller};
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, QueryOrder, Set};
use serde::{Deserialize, Serialize};
use serde_json::json;
use std::collections::HashMap;
use wangge_core::Permission;
use wangge_core::party::center::{self as rules, CenterStage, CenterStep};
use wangge_core::party::member::Stage;
use wangge_core::validate::{self, Lines};

fn not_found() -> AppError {
    AppError::NotFound("党员中心户不存在".into())
}

/// A nomination.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct NominateInput {
    pub member_id: Option<i64>,
    pub on: String,
    pub note: String,
}

/// A step.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct StepInput {
    /// `announce`, `file`, `plaque`, `revoke`.
    pub step: String,
    pub on: String,
    /// The announcement's last day (for `announce`).
    pub until: String,
    /// Why (for `revoke`).
    pub reason: String,
    pub version: Option<i32>,
}

/// A 中心户 as lists show it.
#[derive(Clone, Debug, Serialize)]
pub struct CenterView {
    pub id: i64,
    pub member_id: i64,
    pub member_name: String,
    pub household_id: i64,
    pub address: String,
    pub stage: String,
    pub stage_label: &'static str,
    pub since: String,
    pub nominated_on: String,
    pub announced_until: Option<String>,
    pub filed_on: Option<String>,
    pub plaqued_on: Option<String>,
    pub note: String,
    pub version: i32,
}

/// The 中心户 in the caller's subtree (or under a party organization's place), revoked last.
pub async fn list(st: &Base, c: &Caller, org: Option<i64>) -> AppResult<Vec<CenterView>> {
    c.require(Permission::PartyView)?;
    let mut q = party_center::Entity::find().filter(c.scope_cond("org_path"));
    if let Some(o) = org {
        let o = super::service::find(&st.db, c, o).await?;
        q = q.filter(subtree(
            party_center::Column::OrgPath,
            &stored_path(&o.org_path)?,
        ));
    }
    let mut rows = q
        .order_by_asc(party_center::Column::OrgPath)
        .order_by_asc(party_center::Column::Id)
        .all(&st.db)
        .await?;
    rows.sort_by_key(|r| r.stage == "revoked");
    views(st, &rows).await
}

async fn views(st: &Base, rows: &[party_center::Model]) -> AppResult<Vec<CenterView>> {
    let homes: HashMap<i64, String> = household::Entity::find()
        .filter(household::Column::Id.is_in(rows.iter().map(|r| r.household_id)))
        .all(&st.db)
        .await?
        .into_iter()
        .map(|h| (h.id, h.address))
        .collect();
    let members = party_member::Entity::find()
        .filter(party_member::Column::Id.is_in(rows.iter().map(|r| r.member_id)))
        .all(&st.db)
        .await?;
    let names: HashMap<i64, String> = super::members::views(st, &members)
        .await?
        .into_iter()
        .map(|m| (m.id, m.name))
        .collect();
    Ok(rows
        .iter()
        .map(|r| {
            let stage = CenterStage::parse(&r.stage).unwrap_or(CenterStage::Nominated);
            CenterView {
                id: r.id,
                member_id: r.member_id,
                member_name: names.get(&r.member_id).cloned().unwrap_or_default(),
                household_id: r.household_id,
                address: homes.get(&r.household_id).cloned().unwrap_or_default(),
                stage: stage.as_str().into(),
                stage_label: stage.label(),
                since: r.since.clone(),
                nominated_on: r.nominated_on.clone(),
                announced_until: r.announced_until.clone(),
                filed_on: r.filed_on.clone(),
                plaqued_on: r.plaqued_on.clone(),
                note: r.note.clone(),
                version: r.version,
            }
        })
        .collect())
}

/// One 中心户 in the caller's subtree.
pub async fn one(st: &Base, c: &Caller, id: i64) -> AppResult<CenterView> {
    c.require(Permission::PartyView)?;
    let rows = party_center::Entity::find_by_id(id)
        .filter(c.scope_cond("org_path"))
        .all(&st.db)
        .await?;
    views(st, &rows).await?.pop().ok_or_else(not_found)
}

/// The active 中心户 of a member, if any.
pub async fn of_member(st: &Base, c: &Caller, member: i64) -> AppResult<Option<CenterView>> {
    let rows = party_center::Entity::find()
        .filter(c.scope_cond("org_path"))
        .filter(party_center::Column::MemberId.eq(member))
        .filter(party_center::Column::Stage.ne("revoked"))
        .all(&st.db)
        .await?;
    Ok(views(st, &rows).await?.pop())
}

/// Nominates a member's own household (the member's residence in the registry).
pub async fn nominate(
    st: &Base,
    c: &Caller,
    input: NominateInput,
) -> AppResult<party_center::Model> {
    c.require(Permission::PartyManage)?;
    c.require(Permission::PartyMemberView)?;
    let on = required_date("推荐日期", &input.on)?;
    let note = validate::text("推荐理由", &input.note, 200, Lines::Many, false)?;
    let mid = input
        .member_id
        .ok_or_else(|| AppError::bad("invalid_input", "请选择党员"))?;
    let tx = begin_write(&st.db).await?;
    let m = super::members::find(&tx, c, mid).await?;
    if m.status != "active" || !Stage::parse(&m.stage).is_some_and(Stage::is_member) {
        return Err(AppError::bad(
            "not_a_member",
            "只有在册的党员可以推荐为党员中心户",
        ));
    }
    let home = crate::people::entity::resident::Entity::find_by_id(m.resident_id)
        .one(&tx)
        .await?
        .and_then(|r| r.household_id)
        .ok_or_else(|| {
            AppError::bad(
                "no_household",
                "这名党员在人口登记中没有住户：中心户设在党员自己家中",
            )
        })?;
    let h = crate::people::service::find_household(&tx, c, home).await?;
    let now = now_ms();
    let row = party_center::ActiveModel {
        member_id: Set(m.id),
        household_id: Set(h.id),
        org_path: Set(h.org_path.clone()),
        stage: Set(CenterStage::Nominated.as_str().into()),
        since: Set(on.to_string()),
        nominated_on: Set(on.to_string()),
        announced_until: Set(None),
        filed_on: Set(None),
        plaqued_on: Set(None),
        note: Set(note),
        version: Set(1),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    }
    .insert(&tx)
    .await?;
    audit::record(
        &tx,
        &c.who,
        Entry {
            org_path: &stored_path(&h.org_path)?,
            action: "create",
            entity: "party_center",
            entity_id: Some(row.id),
            summary: format!("推荐党员中心户：{}", h.address),
            changes: json!({"member_id": m.id, "household_id": h.id}),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(row)
}

/// Takes a step (announce, file, plaque, revoke) by the core's rules.
pub async fn step(
    st: &Base,
    c: &Caller,
    id: i64,
    input: StepInput,
) -> AppResult<party_center::Model> {
    c.require(Permission::PartyManage)?;
    c.require(Permission::PartyMemberView)?;
    let step = CenterStep::parse(&input.step)
        .ok_or_else(|| AppError::bad("bad_step", "请选择：公示、备案、挂牌或撤销"))?;
    let on = required_date("日期", &input.on)?;
    let until = match input.until.trim() {
        "" => None,
        u => Some(
            chrono::NaiveDate::parse_from_str(u, "%Y-%m-%d").map_err(|_| {
                AppError::bad(
                    "invalid_input",
                    format!("公示截止日期“{u}”不是日期：请写成 2026-05-01 的样子"),
                )
            })?,
        ),
    };
    let reason = validate::text("撤销理由", &input.reason, 200, Lines::Many, false)?;
    if step == CenterStep::Revoke && reason.is_empty() {
        return Err(AppError::bad("bad_step", "撤销须写明理由"));
    }
    let tx = begin_write(&st.db).await?;
    let old = party_center::Entity::find_by_id(id)
        .filter(c.scope_cond("org_path"))
        .one(&tx)
        .await?
        .ok_or_else(not_found)?;
    if input.version.is_some_and(|v| v != old.version) {
        return Err(AppError::stale());
    }
    let stage = CenterStage::parse(&old.stage).unwrap_or(CenterStage::Nominated);
    let to = rules::check(
        stage,
        step,
        date_of(&old.since).unwrap_or(on),
        old.announced_until.as_deref().and_then(date_of),
        on,
        until,
        today(),
    )
    .map_err(|e| AppError::bad("bad_step", e))?;
    let day = on.to_string();
    let (announced, filed, plaqued, note) = match step {
        CenterStep::Announce => (until.map(|u| u.to_string()), None, None, old.note.clone()),
        CenterStep::File => (
            old.announced_until.clone(),
            Some(day.clone()),
            None,
            old.note.clone(),
        ),
        CenterStep::Plaque => (
            old.announced_until.clone(),
            old.filed_on.clone(),
            Some(day.clone()),
            old.note.clone(),
        ),
        CenterStep::Revoke => (
            old.announced_until.clone(),
            old.filed_on.clone(),
            old.plaqued_on.clone(),
            format!("撤销：{reason}"),
        ),
    };
    let n = exec(
        &tx,
        "UPDATE party_centers SET stage = $1, since = $2, announced_until = $3, filed_on = $4, \
         plaqued_on = $5, note = $6, version = version + 1, updated_at = $7 \
         WHERE id = $8 AND version = $9",
        vec![
            to.as_str().into(),
            day.clone().into(),
            announced.into(),
            filed.into(),
            plaqued.into(),
            note.into(),
            now_ms().into(),
            old.id.into(),
            old.version.into(),
        ],
    )
    .await?;
    if n == 0 {
        return Err(AppError::stale());
    }
    audit::record(
        &tx,
        &c.who,
        Entry {
            org_path: &stored_path(&old.org_path)?,
            action: "update",
            entity: "party_center",
            entity_id: Some(old.id),
            summary: format!("党员中心户{}（{day}）", step.label()),
            changes: json!({"stage": [stage.as_str(), to.as_str()]}),
        },
    )
    .await?;
    let row = party_center::Entity::find_by_id(old.id)
        .one(&tx)
        .await?
        .ok_or_else(not_found)?;
    tx.commit().await?;
    Ok(row)
}

/// The 中心户 that count (filed or plaqued) by the grid their household is in, for the coverage.
pub async fn counting_by_path(st: &Base, c: &Caller) -> AppResult<Vec<String>> {
    Ok(party_center::Entity::find()
        .filter(c.scope_cond("org_path"))
        .filter(party_center::Column::Stage.is_in(["filed", "plaqued"]))
        .all(&st.db)
        .await?
        .into_iter()
        .map(|r| r.org_path)
        .collect())
}
