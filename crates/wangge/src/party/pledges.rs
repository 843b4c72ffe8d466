//! 承诺践诺: a member's pledges for a year, their report on each, the branch's review. A member
//! makes and reports their own from 我的联户; a branch secretary (or the street's party staff)
//! may enter them for a member and reviews them. The rules are the core's
//! (`wangge_core::party::pledge`); every write is audited in its transaction.

use super::entity::{party_member, party_org, party_pledge};
use super::members::{date_of, required_date};
use crate::infra::audit::{self, Entry};
use crate::infra::clock::{now_ms, today};
use crate::infra::db::{begin_write, exec, lock_row};
use crate::infra::error::{AppError, AppResult, stored_path};
use crate::web::{Base, Caller};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter,
    QueryOrder, Set,
};
use serde::{Deserialize, Serialize};
use serde_json::json;
use std::collections::HashMap;
use wangge_core::Permission;
use wangge_core::party::pledge::{self as rules, Stage, Verdict};
use wangge_core::validate::{self, Lines};

fn not_found() -> AppError {
    AppError::NotFound("承诺不存在".into())
}

use super::members::manages_members as staff;

/// What a form or the API sends to make a pledge.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct PledgeInput {
    /// The member (staff only; a member pledges for themself).
    pub member_id: Option<i64>,
    /// 承诺年度.
    pub year: Option<i32>,
    /// 承诺内容.
    pub content: String,
}

/// A report (践诺情况) or a review (评议).
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct StepInput {
    /// The report's text, or the review's note.
    pub text: String,
    /// The review: `fulfilled`, `partly`, `not_fulfilled` (or 已践诺, 部分践诺, 未践诺).
    pub verdict: String,
    /// The date.
    pub on: String,
    /// The version the caller saw.
    pub version: Option<i32>,
}

/// A pledge as shown.
#[derive(Clone, Debug, Serialize)]
pub struct PledgeView {
    pub id: i64,
    pub member_id: i64,
    pub member_name: String,
    pub party_org_id: i64,
    pub party_org_name: String,
    pub year: i32,
    pub content: String,
    pub made_on: String,
    pub report: String,
    pub reported_on: Option<String>,
    pub verdict: Option<String>,
    pub verdict_label: &'static str,
    pub review_note: String,
    pub reviewed_by: String,
    pub reviewed_on: Option<String>,
    pub stage_label: &'static str,
    pub version: i32,
}

async fn views(st: &Base, rows: Vec<party_pledge::Model>) -> AppResult<Vec<PledgeView>> {
    let member_ids: Vec<i64> = rows.iter().map(|r| r.member_id).collect();
    let members = if member_ids.is_empty() {
        Vec::new()
    } else {
        party_member::Entity::find()
            .filter(party_member::Column::Id.is_in(member_ids))
            .all(&st.db)
            .await?
    };
    let names: HashMap<i64, String> = super::members::views(st, &members)
        .await?
        .into_iter()
        .map(|v| (v.id, v.name))
        .collect();
    let org_ids: Vec<i64> = rows.iter().map(|r| r.party_org_id).collect();
    let orgs: HashMap<i64, String> = if org_ids.is_empty() {
        HashMap::new()
    } else {
        party_org::Entity::find()
            .filter(party_org::Column::Id.is_in(org_ids))
            .all(&st.db)
            .await?
            .into_iter()
            .map(|o| (o.id, o.name))
            .collect()
    };
    Ok(rows
        .into_iter()
        .map(|r| {
            let verdict = r.verdict.as_deref().and_then(Verdict::parse);
            PledgeView {
                id: r.id,
                member_id: r.member_id,
                member_name: names.get(&r.member_id).cloned().unwrap_or_default(),
                party_org_id: r.party_org_id,
                party_org_name: orgs.get(&r.party_org_id).cloned().unwrap_or_default(),
                year: r.year,
                stage_label: Stage::of(r.reported_on.is_some(), r.reviewed_on.is_some()).label(),
                content: r.content,
                made_on: r.made_on,
                report: r.report,
                reported_on: r.reported_on,
                verdict: verdict.map(|v| v.as_str().to_owned()),
                verdict_label: verdict.map_or("", Verdict::label),
                review_note: r.review_note,
                reviewed_by: r.reviewed_by,
                reviewed_on: r.reviewed_on,
                version: r.version,
            }
        })
        .collect())
}

/// The calling account's own member record, if it has one.
async fn own_member(
    db: &impl ConnectionTrait,
    c: &Caller,
) -> AppResult<Option<party_member::Model>> {
    let Some(uid) = c.who.id else { return Ok(None) };
    Ok(party_member::Entity::find()
        .filter(party_member::Column::UserId.eq(uid))
        .filter(party_member::Column::Status.eq("active"))
        .one(db)
        .await?)
}

/// What a list shows.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct Filter {
    /// 年度 (this year when none).
    pub year: Option<i32>,
    /// A branch.
    pub org: Option<i64>,
}

/// The pledges the caller may see for a year: staff those of the members in their subtree
/// (or one branch), a member their own.
pub async fn list(st: &Base, c: &Caller, f: &Filter) -> AppResult<Vec<PledgeView>> {
    c.require(Permission::PartyView)?;
    let year = f.year.unwrap_or_else(|| chrono::Datelike::year(&today()));
    let mut q = party_pledge::Entity::find()
        .filter(party_pledge::Column::Year.eq(year))
        .filter(party_pledge::Column::Status.eq("active"));
    if c.require(Permission::PartyMemberView).is_ok() {
        q = q.filter(c.scope_cond("org_path"));
        if let Some(o) = f.org {
            let org = super::service::find(&st.db, c, o).await?;
            q = q.filter(party_pledge::Column::PartyOrgId.eq(org.id));
        }
    } else {
        match own_member(&st.db, c).await? {
            Some(m) => q = q.filter(party_pledge::Column::MemberId.eq(m.id)),
            None => return Ok(Vec::new()),
        }
    }
    let rows = q
        .order_by_asc(party_pledge::Column::PartyOrgId)
        .order_by_asc(party_pledge::Column::MemberId)
        .order_by_asc(party_pledge::Column::Id)
        .all(&st.db)
        .await?;
    views(st, rows).await
}

/// One pledge the caller may see.
pub async fn one(st: &Base, c: &Caller, id: i64) -> AppResult<PledgeView> {
    let row = find(&st.db, c, id).await?;
    views(st, vec![row]).await?.pop().ok_or_else(not_found)
}

/// A pledge the caller may act on: staff's in their subtree, a member's own.
async fn find(db: &impl ConnectionTrait, c: &Caller, id: i64) -> AppResult<party_pledge::Model> {
    c.require(Permission::PartyView)?;
    let q = party_pledge::Entity::find_by_id(id).filter(party_pledge::Column::Status.eq("active"));
    if c.require(Permission::PartyMemberView).is_ok() {
        return q
            .filter(c.scope_cond("org_path"))
            .one(db)
            .await?
            .ok_or_else(not_found);
    }
    let row = q.one(db).await?.ok_or_else(not_found)?;
    match own_member(db, c).await? {
        Some(m) if m.id == row.member_id => Ok(row),
        _ => Err(not_found()),
    }
}

/// The figures of a year's pledges as the page shows them: made, reported on, and reviewed as
/// fulfilled (recounted from the rows by `tests/it/party_pledges.rs`).
pub struct Tally {
    pub made: usize,
    pub reported: usize,
    pub fulfilled: usize,
}

/// The tally of a list.
pub fn tally(list: &[PledgeView]) -> Tally {
    Tally {
        made: list.len(),
        reported: list.iter().filter(|p| p.reported_on.is_some()).count(),
        fulfilled: list
            .iter()
            .filter(|p| p.verdict.as_deref() == Some(Verdict::Fulfilled.as_str()))
            .count(),
    }
}

/// Makes a pledge: a member for themself, staff for a member of their subtree; at most
/// [`rules::PER_YEAR`] a year per member (counted under a lock on the member's row).
pub async fn create(st: &Base, c: &Caller, input: PledgeInput) -> AppResult<party_pledge::Model> {
    c.require(Permission::PartyView)?;
    let day = today();
    let year = input.year.unwrap_or_else(|| chrono::Datelike::year(&day));
    rules::check_year(year, day).map_err(|e| AppError::bad("bad_year", e))?;
    let content = validate::text("承诺内容", &input.content, 500, Lines::Many, true)?;
    let tx = begin_write(&st.db).await?;
    let member = match (staff(c), input.member_id) {
        (true, Some(id)) => super::members::find(&tx, c, id).await?,
        (_, None) => own_member(&tx, c).await?.ok_or_else(|| {
            AppError::bad("not_a_member", "您的账号没有关联党员档案，不能作出承诺")
        })?,
        (false, Some(_)) => return Err(AppError::no_permission()),
    };
    if member.status != "active"
        || !wangge_core::party::member::Stage::parse(&member.stage)
            .is_some_and(wangge_core::party::member::Stage::is_member)
    {
        return Err(AppError::bad(
            "not_a_member",
            "承诺践诺适用于在册的预备党员和正式党员",
        ));
    }
    lock_row(&tx, "party_members", member.id).await?;
    let made = party_pledge::Entity::find()
        .filter(party_pledge::Column::MemberId.eq(member.id))
        .filter(party_pledge::Column::Year.eq(year))
        .filter(party_pledge::Column::Status.eq("active"))
        .count(&tx)
        .await?;
    if made >= rules::PER_YEAR {
        return Err(AppError::bad(
            "too_many",
            format!(
                "{year} 年已有 {made} 条承诺：每年最多 {} 条",
                rules::PER_YEAR
            ),
        ));
    }
    let row = party_pledge::ActiveModel {
        member_id: Set(member.id),
        party_org_id: Set(member.party_org_id),
        org_path: Set(member.org_path.clone()),
        year: Set(year),
        content: Set(content),
        made_on: Set(day.to_string()),
        report: Set(String::new()),
        reported_on: Set(None),
        verdict: Set(None),
        review_note: Set(String::new()),
        reviewed_by: Set(String::new()),
        reviewed_on: Set(None),
        status: Set("active".into()),
        version: Set(1),
        created_at: Set(now_ms()),
        ..Default::default()
    }
    .insert(&tx)
    .await?;
    audit::record(
        &tx,
        &c.who,
        Entry {
            org_path: &stored_path(&member.org_path)?,
            action: "create",
            entity: "party_pledge",
            entity_id: Some(row.id),
            summary: format!("党员作出 {year} 年承诺"),
            changes: json!({"member_id": member.id, "year": year}),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(row)
}

/// Reports on a pledge (the member, or staff for them), or reviews it (staff, after the
/// report). A review ends it.
pub async fn step(
    st: &Base,
    c: &Caller,
    id: i64,
    review: bool,
    input: StepInput,
) -> AppResult<party_pledge::Model> {
    if review && !staff(c) {
        return Err(AppError::no_permission());
    }
    let on = required_date(
        if review {
            "评议日期"
        } else {
            "汇报日期"
        },
        &input.on,
    )?;
    let text = validate::text(
        if review {
            "评议意见"
        } else {
            "践诺情况"
        },
        &input.text,
        1000,
        Lines::Many,
        !review,
    )?;
    let verdict = if review {
        Some(Verdict::parse(&input.verdict).ok_or_else(|| {
            AppError::bad("invalid_input", "请选择评议结果：已践诺、部分践诺或未践诺")
        })?)
    } else {
        None
    };
    let tx = begin_write(&st.db).await?;
    let old = find(&tx, c, id).await?;
    if input.version.is_some_and(|v| v != old.version) {
        return Err(AppError::stale());
    }
    let stage = Stage::of(old.reported_on.is_some(), old.reviewed_on.is_some());
    rules::check_step(stage, review).map_err(|e| AppError::bad("bad_step", e))?;
    let after = if review {
        old.reported_on.as_deref()
    } else {
        Some(old.made_on.as_str())
    };
    if after.and_then(date_of).is_some_and(|d| on < d) {
        return Err(AppError::bad(
            "bad_date",
            format!(
                "日期不能早于{}（{}）",
                if review { "汇报" } else { "承诺" },
                after.unwrap_or_default()
            ),
        ));
    }
    let n = if review {
        exec(
            &tx,
            "UPDATE party_pledges SET verdict = $1, review_note = $2, reviewed_by = $3, \
             reviewed_on = $4, version = version + 1 WHERE id = $5 AND version = $6",
            vec![
                verdict.map(Verdict::as_str).into(),
                text.clone().into(),
                c.who.name.clone().into(),
                on.to_string().into(),
                old.id.into(),
                old.version.into(),
            ],
        )
        .await?
    } else {
        exec(
            &tx,
            "UPDATE party_pledges SET report = $1, reported_on = $2, version = version + 1 \
             WHERE id = $3 AND version = $4",
            vec![
                text.into(),
                on.to_string().into(),
                old.id.into(),
                old.version.into(),
            ],
        )
        .await?
    };
    if n == 0 {
        return Err(AppError::stale());
    }
    audit::record(
        &tx,
        &c.who,
        Entry {
            org_path: &stored_path(&old.org_path)?,
            action: "update",
            entity: "party_pledge",
            entity_id: Some(old.id),
            summary: match verdict {
                Some(v) => format!("评议 {} 年承诺：{}", old.year, v.label()),
                None => format!("汇报 {} 年承诺的践诺情况", old.year),
            },
            changes: json!({"verdict": verdict.map(Verdict::as_str)}),
        },
    )
    .await?;
    let row = party_pledge::Entity::find_by_id(old.id)
        .one(&tx)
        .await?
        .ok_or_else(not_found)?;
    tx.commit().await?;
    Ok(row)
}
