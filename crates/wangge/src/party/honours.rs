//! 光荣榜: the street's categories, nominations (by staff for people and branches of their
//! subtree, by a member for themself), the street's approval up to each category's quota
//! (counted under a lock on the category), and the published roll, frozen and public with a photo
//! and a short citation. The rules are the core's (`wangge_core::party::honour`).
//!
//! Who sees what: a category belongs to a street and is seen from the street and from every node
//! under it (communities nominate into it); a nomination belongs to the nominee's place and is
//! seen through the scope; a member sees the nominations they made. Only the street (whose scope
//! holds the category) approves and publishes: a community cannot approve its own people.

use super::entity::{honour_category, honour_nomination, honour_roll, party_member, party_org};
use super::members::manages_members as staff;
use super::wishes::display_name;
use crate::infra::audit::{self, Entry};
use crate::infra::clock::{bj, now_ms, today};
use crate::infra::db::{begin_write, exec, lock_row};
use crate::infra::error::{AppError, AppResult, stored_path};
use crate::org::entity::node;
use crate::people::entity::resident;
use crate::web::{Base, Caller};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter,
    QueryOrder, QuerySelect, Set,
};
use serde::{Deserialize, Serialize};
use serde_json::json;
use std::collections::HashMap;
use wangge_core::party::honour::{self as rules, Period, PeriodKind, Subject};
use wangge_core::validate::{self, Lines};
use wangge_core::{OrgLevel, OrgPath, Permission};

fn category_not_found() -> AppError {
    AppError::NotFound("光荣榜类别不存在".into())
}

fn nomination_not_found() -> AppError {
    AppError::NotFound("提名不存在".into())
}

fn bad_period() -> AppError {
    AppError::bad(
        "bad_period",
        "评选期无效：月度如 2026-11，季度如 2026-Q4，年度如 2026",
    )
}

/// A category as shown.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct CategoryView {
    pub id: i64,
    pub org_node_id: i64,
    pub node_name: String,
    pub name: String,
    pub period_kind: String,
    pub period_label: &'static str,
    pub quota: i32,
    pub subject: String,
    pub subject_label: &'static str,
    pub note: String,
    /// The period nominations are now taken for (the current one).
    pub current_period: String,
    /// Whether the caller approves and publishes its rolls.
    pub approves: bool,
}

/// Whether the caller approves the category's rolls: the street's party staff.
fn approves(c: &Caller, path: &OrgPath) -> bool {
    staff(c) && c.allows(path)
}

async fn category_views(
    st: &Base,
    c: &Caller,
    rows: Vec<honour_category::Model>,
) -> AppResult<Vec<CategoryView>> {
    let nodes = super::service::node_names(&st.db, rows.iter().map(|r| r.org_node_id)).await?;
    let day = today();
    Ok(rows
        .into_iter()
        .filter_map(|r| {
            let path = OrgPath::parse(&r.org_path).ok()?;
            let kind = PeriodKind::parse(&r.period_kind)?;
            let subject = Subject::parse(&r.subject)?;
            Some(CategoryView {
                id: r.id,
                org_node_id: r.org_node_id,
                node_name: nodes.get(&r.org_node_id).cloned().unwrap_or_default(),
                period_label: kind.label(),
                current_period: kind.period_of(day).to_string(),
                subject_label: subject.label(),
                approves: approves(c, &path),
                name: r.name,
                period_kind: r.period_kind,
                quota: r.quota,
                subject: r.subject,
                note: r.note,
            })
        })
        .collect())
}

/// The categories in the caller's sight.
pub async fn categories(st: &Base, c: &Caller) -> AppResult<Vec<CategoryView>> {
    c.require(Permission::PartyView)?;
    let rows: Vec<honour_category::Model> = honour_category::Entity::find()
        .filter(honour_category::Column::Status.eq("active"))
        .order_by_asc(honour_category::Column::OrgPath)
        .order_by_asc(honour_category::Column::Id)
        .all(&st.db)
        .await?
        .into_iter()
        .filter(|r| OrgPath::parse(&r.org_path).is_ok_and(|p| c.sees_above_or_within(&p)))
        .collect();
    category_views(st, c, rows).await
}

async fn find_category(
    db: &impl ConnectionTrait,
    c: &Caller,
    id: i64,
) -> AppResult<honour_category::Model> {
    c.require(Permission::PartyView)?;
    let row = honour_category::Entity::find_by_id(id)
        .filter(honour_category::Column::Status.eq("active"))
        .one(db)
        .await?
        .ok_or_else(category_not_found)?;
    let path = OrgPath::parse(&row.org_path).map_err(|_| category_not_found())?;
    if c.sees_above_or_within(&path) {
        Ok(row)
    } else {
        Err(category_not_found())
    }
}

/// What a form or the API sends to define a category.
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(default)]
pub struct CategoryInput {
    /// The street (the caller's own node when none).
    pub org_node_id: Option<i64>,
    /// 类别名称.
    pub name: String,
    /// month, quarter or year.
    pub period_kind: String,
    /// 每期名额.
    pub quota: Option<i32>,
    /// person or party_org.
    pub subject: String,
    /// 评选标准.
    pub note: String,
}

/// Defines a category: the street's party staff.
pub async fn create_category(
    st: &Base,
    c: &Caller,
    input: CategoryInput,
) -> AppResult<honour_category::Model> {
    if !staff(c) {
        return Err(AppError::no_permission());
    }
    let name = validate::text("类别名称", &input.name, 30, Lines::One, true)?;
    let note = validate::text("评选标准", &input.note, 200, Lines::Many, false)?;
    let kind = PeriodKind::parse(&input.period_kind)
        .ok_or_else(|| AppError::bad("bad_period_kind", "请选择评选周期：月度、季度或年度"))?;
    let subject = Subject::parse(&input.subject)
        .ok_or_else(|| AppError::bad("bad_subject", "请选择评选对象：个人或党组织"))?;
    let quota = input.quota.unwrap_or(0);
    rules::check_category_quota(quota).map_err(|e| AppError::bad("bad_quota", e))?;
    let at = super::serving::serving_node(&st.db, c, input.org_node_id).await?;
    if OrgLevel::parse(&at.level) != Some(OrgLevel::Township) {
        return Err(AppError::bad("bad_node", "光荣榜的类别由街道（乡镇）设立"));
    }
    let tx = begin_write(&st.db).await?;
    let row = honour_category::ActiveModel {
        org_node_id: Set(at.id),
        org_path: Set(at.path.clone()),
        name: Set(name.clone()),
        period_kind: Set(kind.as_str().into()),
        quota: Set(quota),
        subject: Set(subject.as_str().into()),
        note: Set(note),
        status: Set("active".into()),
        actor_name: Set(display_name(&tx, c).await?),
        created_at: Set(now_ms()),
        ..Default::default()
    }
    .insert(&tx)
    .await?;
    audit::record(
        &tx,
        &c.who,
        Entry {
            org_path: &stored_path(&at.path)?,
            action: "create",
            entity: "honour_category",
            entity_id: Some(row.id),
            summary: format!("设立光荣榜类别“{name}”（{}，每期 {quota} 名）", kind.label()),
            changes: json!({"period_kind": kind.as_str(), "quota": quota, "subject": subject.as_str()}),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(row)
}

/// A nomination as shown.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct NominationView {
    pub id: i64,
    pub category_id: i64,
    pub category_name: String,
    pub period: String,
    pub period_label: String,
    pub nominee_name: String,
    pub place_name: String,
    pub citation: String,
    pub has_photo: bool,
    pub self_nominated: bool,
    pub nominated_by: String,
    /// nominated, approved, rejected, withdrawn.
    pub status: String,
    pub status_label: &'static str,
    pub decided_by: String,
    pub decision_note: String,
    /// Whether the roll it belongs to is published (frozen).
    pub published: bool,
}

fn status_label(s: &str) -> &'static str {
    match s {
        "nominated" => "待审定",
        "approved" => "已入选",
        "rejected" => "未入选",
        "withdrawn" => "已撤回",
        _ => "",
    }
}

async fn published_rolls(
    db: &impl ConnectionTrait,
    keys: impl Iterator<Item = (i64, String)>,
) -> AppResult<std::collections::HashSet<(i64, String)>> {
    let keys: Vec<(i64, String)> = keys.collect();
    if keys.is_empty() {
        return Ok(Default::default());
    }
    Ok(honour_roll::Entity::find()
        .filter(honour_roll::Column::CategoryId.is_in(keys.iter().map(|k| k.0)))
        .all(db)
        .await?
        .into_iter()
        .map(|r| (r.category_id, r.period))
        .filter(|k| keys.contains(k))
        .collect())
}

async fn nomination_views(
    st: &Base,
    rows: Vec<honour_nomination::Model>,
) -> AppResult<Vec<NominationView>> {
    let cats: HashMap<i64, String> = honour_category::Entity::find()
        .filter(honour_category::Column::Id.is_in(rows.iter().map(|r| r.category_id)))
        .all(&st.db)
        .await?
        .into_iter()
        .map(|c| (c.id, c.name))
        .collect();
    let published = published_rolls(
        &st.db,
        rows.iter().map(|r| (r.category_id, r.period.clone())),
    )
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| NominationView {
            id: r.id,
            category_id: r.category_id,
            category_name: cats.get(&r.category_id).cloned().unwrap_or_default(),
            period_label: Period::parse(&r.period)
                .map(Period::label)
                .unwrap_or_default(),
            published: published.contains(&(r.category_id, r.period.clone())),
            status_label: status_label(&r.status),
            has_photo: !r.photo_id.is_empty(),
            period: r.period,
            nominee_name: r.nominee_name,
            place_name: r.place_name,
            citation: r.citation,
            self_nominated: r.self_nominated,
            nominated_by: r.nominated_by,
            status: r.status,
            decided_by: r.decided_by,
            decision_note: r.decision_note,
        })
        .collect())
}

/// The nominations the caller may see for a period (all periods when none, newest first, at most
/// 300): staff those of their subtree; anyone else those they made.
pub async fn nominations(
    st: &Base,
    c: &Caller,
    period: Option<&str>,
) -> AppResult<Vec<NominationView>> {
    c.require(Permission::PartyView)?;
    let mut q = honour_nomination::Entity::find();
    q = if staff(c) {
        q.filter(c.scope_cond("org_path"))
    } else {
        match c.who.id {
            Some(u) => q.filter(honour_nomination::Column::NominatedById.eq(u)),
            None => return Ok(Vec::new()),
        }
    };
    if let Some(p) = period.map(str::trim).filter(|p| !p.is_empty()) {
        let p = Period::parse(p).ok_or_else(bad_period)?;
        q = q.filter(honour_nomination::Column::Period.eq(p.to_string()));
    }
    let rows = q
        .order_by_desc(honour_nomination::Column::Period)
        .order_by_asc(honour_nomination::Column::CategoryId)
        .order_by_asc(honour_nomination::Column::Id)
        .limit(300)
        .all(&st.db)
        .await?;
    nomination_views(st, rows).await
}

/// What a form or the API sends to nominate.
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(default)]
pub struct NominationInput {
    pub category_id: Option<i64>,
    /// The period (the category's current one when none; `last`: the one before).
    pub period: String,
    /// A person (staff; a member nominating themself sends none).
    pub resident_id: Option<i64>,
    /// A party organization (for a category of organizations; staff only).
    pub party_org_id: Option<i64>,
    /// 事迹简介, shown on the roll.
    pub citation: String,
    /// A photo the caller uploaded (`POST /api/v1/files`).
    pub photo: String,
}

/// The community a path lies in, by name (the place shown on the roll).
async fn place_of(db: &impl ConnectionTrait, path: &OrgPath) -> AppResult<String> {
    Ok(node::Entity::find()
        .filter(node::Column::Id.is_in(path.ids()))
        .filter(
            node::Column::Level.is_in([OrgLevel::Community.as_str(), OrgLevel::Township.as_str()]),
        )
        .order_by_desc(node::Column::Path)
        .one(db)
        .await?
        .map(|n| n.name)
        .unwrap_or_default())
}

/// Nominates a person or a party organization for a category's roll of a period.
pub async fn nominate(
    st: &Base,
    c: &Caller,
    input: NominationInput,
) -> AppResult<honour_nomination::Model> {
    c.require(Permission::PartyView)?;
    let citation = validate::text("事迹简介", &input.citation, 200, Lines::Many, true)?;
    let photo = super::wishes::owned_photo(st, c, Some(&input.photo)).await?;
    let cat_id = input
        .category_id
        .ok_or_else(|| AppError::bad("no_category", "请选择光荣榜类别"))?;
    let cat = find_category(&st.db, c, cat_id).await?;
    let kind = PeriodKind::parse(&cat.period_kind).ok_or_else(category_not_found)?;
    let period = match input.period.trim() {
        "" => kind.period_of(today()),
        "last" => kind.period_of(today()).previous(),
        p => Period::parse(p).ok_or_else(bad_period)?,
    };
    let cat_path = OrgPath::parse(&cat.org_path).map_err(|_| category_not_found())?;
    let subject = Subject::parse(&cat.subject).ok_or_else(category_not_found)?;
    let tx = begin_write(&st.db).await?;
    let (key, resident_id, org_id, name, path, own) = match (subject, staff(c)) {
        (Subject::Person, true) if input.resident_id.is_some() => {
            let r = resident::Entity::find_by_id(input.resident_id.unwrap_or_default())
                .filter(c.scope_cond("org_path"))
                .filter(resident::Column::Status.eq("active"))
                .one(&tx)
                .await?
                .ok_or_else(|| AppError::NotFound("居民不存在".into()))?;
            (
                format!("r:{}", r.id),
                Some(r.id),
                None,
                r.name,
                r.org_path,
                false,
            )
        }
        (Subject::Person, _) if input.resident_id.is_none() => {
            let uid = c.who.id.ok_or_else(AppError::no_permission)?;
            let m = party_member::Entity::find()
                .filter(party_member::Column::UserId.eq(uid))
                .filter(party_member::Column::Status.eq("active"))
                .one(&tx)
                .await?
                .ok_or_else(|| AppError::bad("no_nominee", "请选择被提名人（自荐须有党员档案）"))?;
            let r = resident::Entity::find_by_id(m.resident_id)
                .one(&tx)
                .await?
                .ok_or_else(|| AppError::NotFound("居民不存在".into()))?;
            (
                format!("r:{}", r.id),
                Some(r.id),
                None,
                r.name,
                r.org_path,
                true,
            )
        }
        (Subject::PartyOrg, true) if input.party_org_id.is_some() => {
            let o = party_org::Entity::find_by_id(input.party_org_id.unwrap_or_default())
                .filter(c.scope_cond("org_path"))
                .filter(party_org::Column::Status.eq("active"))
                .one(&tx)
                .await?
                .ok_or_else(|| AppError::NotFound("党组织不存在".into()))?;
            (
                format!("o:{}", o.id),
                None,
                Some(o.id),
                o.name,
                o.org_path,
                false,
            )
        }
        (Subject::PartyOrg, true) => {
            return Err(AppError::bad("no_nominee", "请选择被提名的党组织"));
        }
        _ => return Err(AppError::no_permission()),
    };
    let at = OrgPath::parse(&path).map_err(|_| nomination_not_found())?;
    if !cat_path.contains(&at) {
        return Err(AppError::bad(
            "outside",
            "被提名者不在该类别所属街道的范围内",
        ));
    }
    lock_row(&tx, "honour_categories", cat.id).await?;
    let published = honour_roll::Entity::find()
        .filter(honour_roll::Column::CategoryId.eq(cat.id))
        .filter(honour_roll::Column::Period.eq(period.to_string()))
        .count(&tx)
        .await?
        > 0;
    rules::check_nomination(kind, period, published, today()).map_err(|e| {
        if published {
            AppError::bad("frozen", e)
        } else {
            AppError::bad("bad_period", e)
        }
    })?;
    let row = honour_nomination::ActiveModel {
        category_id: Set(cat.id),
        period: Set(period.to_string()),
        org_path: Set(path.clone()),
        nominee_key: Set(key),
        resident_id: Set(resident_id),
        party_org_id: Set(org_id),
        nominee_name: Set(name.clone()),
        place_name: Set(place_of(&tx, &at).await?),
        citation: Set(citation),
        photo_id: Set(photo),
        self_nominated: Set(own),
        nominated_by_id: Set(c.who.id),
        nominated_by: Set(display_name(&tx, c).await?),
        status: Set("nominated".into()),
        decided_by: Set(String::new()),
        decided_at: Set(None),
        decision_note: Set(String::new()),
        created_at: Set(now_ms()),
        ..Default::default()
    }
    .insert(&tx)
    .await?;
    audit::record(
        &tx,
        &c.who,
        Entry {
            org_path: &stored_path(&path)?,
            action: "create",
            entity: "honour_nomination",
            entity_id: Some(row.id),
            summary: format!(
                "{}“{}”{}",
                if own { "自荐" } else { "提名" },
                cat.name,
                period.label()
            ),
            changes: json!({"category_id": cat.id, "period": period.to_string()}),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(row)
}

/// A decision on a nomination: approve or reject (the street; a reason to reject), or withdraw
/// (the nominator, or staff of the place, while it waits).
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(default)]
pub struct DecisionInput {
    pub note: String,
}

/// Takes a decision on a nomination.
pub async fn decide(
    st: &Base,
    c: &Caller,
    id: i64,
    step: &str,
    input: DecisionInput,
) -> AppResult<NominationView> {
    let note = validate::text("意见", &input.note, 200, Lines::Many, step == "reject")?;
    let next = match step {
        "approve" => "approved",
        "reject" => "rejected",
        "withdraw" => "withdrawn",
        _ => return Err(nomination_not_found()),
    };
    let tx = begin_write(&st.db).await?;
    let n = honour_nomination::Entity::find_by_id(id)
        .one(&tx)
        .await?
        .ok_or_else(nomination_not_found)?;
    let path = OrgPath::parse(&n.org_path).map_err(|_| nomination_not_found())?;
    let mine = c.who.id.is_some() && n.nominated_by_id == c.who.id;
    let seen = mine || (staff(c) && c.allows(&path));
    if !seen {
        return Err(nomination_not_found());
    }
    let cat = honour_category::Entity::find_by_id(n.category_id)
        .one(&tx)
        .await?
        .ok_or_else(category_not_found)?;
    let cat_path = OrgPath::parse(&cat.org_path).map_err(|_| category_not_found())?;
    if next != "withdrawn" && !approves(c, &cat_path) {
        return Err(AppError::bad(
            "not_approver",
            "光荣榜由街道审定：社区和本人不能审定提名",
        ));
    }
    lock_row(&tx, "honour_categories", cat.id).await?;
    let published = honour_roll::Entity::find()
        .filter(honour_roll::Column::CategoryId.eq(cat.id))
        .filter(honour_roll::Column::Period.eq(n.period.clone()))
        .count(&tx)
        .await?
        > 0;
    if published {
        return Err(AppError::bad("frozen", "本期光荣榜已公布，不能再改动"));
    }
    let n = honour_nomination::Entity::find_by_id(id)
        .one(&tx)
        .await?
        .ok_or_else(nomination_not_found)?;
    match (n.status.as_str(), next) {
        ("nominated", _) => {}
        ("approved", "rejected") => {}
        _ => {
            return Err(AppError::bad(
                "bad_step",
                format!(
                    "该提名{}，不能再{}",
                    status_label(&n.status),
                    match next {
                        "approved" => "审定入选",
                        "rejected" => "审定不入选",
                        _ => "撤回",
                    }
                ),
            ));
        }
    }
    if next == "approved" {
        let approved = honour_nomination::Entity::find()
            .filter(honour_nomination::Column::CategoryId.eq(cat.id))
            .filter(honour_nomination::Column::Period.eq(n.period.clone()))
            .filter(honour_nomination::Column::Status.eq("approved"))
            .count(&tx)
            .await?;
        rules::check_quota(cat.quota, approved as i64)
            .map_err(|e| AppError::bad("quota_full", e))?;
    }
    let who = display_name(&tx, c).await?;
    exec(
        &tx,
        "UPDATE honour_nominations SET status = $1, decided_by = $2, decided_at = $3, \
         decision_note = $4 WHERE id = $5 AND status = $6",
        vec![
            next.into(),
            who.into(),
            now_ms().into(),
            note.into(),
            n.id.into(),
            n.status.clone().into(),
        ],
    )
    .await?;
    audit::record(
        &tx,
        &c.who,
        Entry {
            org_path: &stored_path(&n.org_path)?,
            action: "update",
            entity: "honour_nomination",
            entity_id: Some(n.id),
            summary: format!(
                "光荣榜“{}”{}的提名：{}",
                cat.name,
                n.period,
                status_label(next)
            ),
            changes: json!({"status": next}),
        },
    )
    .await?;
    let row = honour_nomination::Entity::find_by_id(id)
        .one(&tx)
        .await?
        .ok_or_else(nomination_not_found)?;
    tx.commit().await?;
    nomination_views(st, vec![row])
        .await?
        .pop()
        .ok_or_else(nomination_not_found)
}

/// What publishing a roll sends.
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(default)]
pub struct PublishInput {
    pub category_id: Option<i64>,
    pub period: String,
}

/// Publishes a roll (the street): its approved nominations become public and the roll is frozen.
/// Nominations still waiting are closed as not selected.
pub async fn publish(st: &Base, c: &Caller, input: PublishInput) -> AppResult<i64> {
    let cat_id = input
        .category_id
        .ok_or_else(|| AppError::bad("no_category", "请选择光荣榜类别"))?;
    let period = Period::parse(&input.period).ok_or_else(bad_period)?;
    let tx = begin_write(&st.db).await?;
    let cat = find_category(&tx, c, cat_id).await?;
    let cat_path = OrgPath::parse(&cat.org_path).map_err(|_| category_not_found())?;
    if !approves(c, &cat_path) {
        return Err(AppError::bad("not_approver", "光荣榜由街道审定和公布"));
    }
    if PeriodKind::parse(&cat.period_kind) != Some(period.kind()) || !period.begun(today()) {
        return Err(bad_period());
    }
    lock_row(&tx, "honour_categories", cat.id).await?;
    let approved = honour_nomination::Entity::find()
        .filter(honour_nomination::Column::CategoryId.eq(cat.id))
        .filter(honour_nomination::Column::Period.eq(period.to_string()))
        .filter(honour_nomination::Column::Status.eq("approved"))
        .count(&tx)
        .await?;
    if approved == 0 {
        return Err(AppError::bad(
            "empty_roll",
            "本期还没有审定入选的提名，不能公布",
        ));
    }
    let who = display_name(&tx, c).await?;
    let roll = honour_roll::ActiveModel {
        category_id: Set(cat.id),
        period: Set(period.to_string()),
        org_path: Set(cat.org_path.clone()),
        published_at: Set(now_ms()),
        published_by: Set(who.clone()),
        ..Default::default()
    }
    .insert(&tx)
    .await?;
    exec(
        &tx,
        "UPDATE honour_nominations SET status = 'rejected', decided_by = $1, decided_at = $2, \
         decision_note = '本期已公布，未入选' WHERE category_id = $3 AND period = $4 \
         AND status = 'nominated'",
        vec![
            who.into(),
            now_ms().into(),
            cat.id.into(),
            period.to_string().into(),
        ],
    )
    .await?;
    audit::record(
        &tx,
        &c.who,
        Entry {
            org_path: &stored_path(&cat.org_path)?,
            action: "create",
            entity: "honour_roll",
            entity_id: Some(roll.id),
            summary: format!("公布光荣榜“{}”{}（{approved} 名）", cat.name, period.label()),
            changes: json!({"category_id": cat.id, "period": period.to_string(), "approved": approved}),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(roll.id)
}

/// One honoured entry of a public roll: a name, a place, a citation, a photo; nothing else.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct Honoured {
    pub id: i64,
    pub name: String,
    pub place: String,
    pub citation: String,
    /// The name's first character, shown when there is no photo.
    pub initial: String,
    /// `/honours/photo/{id}` when it has one.
    pub photo_url: Option<String>,
}

/// A published roll as the public sees it.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct PublicRoll {
    pub category: String,
    pub street: String,
    pub period: String,
    pub period_label: String,
    pub published_on: String,
    pub honoured: Vec<Honoured>,
}

/// The published rolls of a period (`2026-11`, `2026-Q4`, `2026`), or the latest ones (at most 20)
/// when none. Approved nominations of published rolls only.
pub async fn public(db: &impl ConnectionTrait, period: Option<&str>) -> AppResult<Vec<PublicRoll>> {
    let mut q = honour_roll::Entity::find();
    if let Some(p) = period.map(str::trim).filter(|p| !p.is_empty()) {
        let p = Period::parse(p).ok_or_else(bad_period)?;
        q = q.filter(honour_roll::Column::Period.eq(p.to_string()));
    }
    let rolls = q
        .order_by_desc(honour_roll::Column::PublishedAt)
        .limit(20)
        .all(db)
        .await?;
    let cats: HashMap<i64, honour_category::Model> = honour_category::Entity::find()
        .filter(honour_category::Column::Id.is_in(rolls.iter().map(|r| r.category_id)))
        .all(db)
        .await?
        .into_iter()
        .map(|c| (c.id, c))
        .collect();
    let streets = super::service::node_names(db, cats.values().map(|c| c.org_node_id)).await?;
    let mut out = Vec::new();
    for r in rolls {
        let Some(cat) = cats.get(&r.category_id) else {
            continue;
        };
        let honoured = honour_nomination::Entity::find()
            .filter(honour_nomination::Column::CategoryId.eq(r.category_id))
            .filter(honour_nomination::Column::Period.eq(r.period.clone()))
            .filter(honour_nomination::Column::Status.eq("approved"))
            .order_by_asc(honour_nomination::Column::Id)
            .all(db)
            .await?
            .into_iter()
            .map(|n| Honoured {
                id: n.id,
                photo_url: (!n.photo_id.is_empty()).then(|| format!("/honours/photo/{}", n.id)),
                initial: n.nominee_name.chars().take(1).collect(),
                name: n.nominee_name,
                place: n.place_name,
                citation: n.citation,
            })
            .collect();
        out.push(PublicRoll {
            category: cat.name.clone(),
            street: streets.get(&cat.org_node_id).cloned().unwrap_or_default(),
            period_label: Period::parse(&r.period)
                .map(Period::label)
                .unwrap_or_default(),
            period: r.period,
            published_on: bj(r.published_at).date().to_string(),
            honoured,
        });
    }
    Ok(out)
}

/// The photo of an honoured entry of a published roll (public); nothing for any other.
pub async fn public_photo(st: &Base, id: i64) -> AppResult<(String, Vec<u8>)> {
    let n = honour_nomination::Entity::find_by_id(id)
        .filter(honour_nomination::Column::Status.eq("approved"))
        .one(&st.db)
        .await?
        .ok_or_else(nomination_not_found)?;
    let published = honour_roll::Entity::find()
        .filter(honour_roll::Column::CategoryId.eq(n.category_id))
        .filter(honour_roll::Column::Period.eq(n.period.clone()))
        .count(&st.db)
        .await?
        > 0;
    if !published || n.photo_id.is_empty() {
        return Err(nomination_not_found());
    }
    crate::infra::files::read(&st.config.data_dir, &n.photo_id).await
}

/// One category with the nominations of the period shown, as the page lists them.
pub struct CategoryBlock {
    pub c: CategoryView,
    pub period: String,
    pub period_label: String,
    pub list: Vec<NominationView>,
    /// Approved among `list` (the staff's figure: they see the whole roll of their subtree).
    pub approved: usize,
    /// Whether the roll of the period is published (frozen).
    pub published: bool,
}

/// The categories in the caller's sight, each with the period shown (the current one, or the
/// previous one when `last`) and the nominations of `all` for it.
pub async fn board(
    st: &Base,
    c: &Caller,
    all: &[NominationView],
    last: bool,
) -> AppResult<Vec<CategoryBlock>> {
    let cats = categories(st, c).await?;
    let mut shown = Vec::new();
    for cat in cats {
        let Some(now) = Period::parse(&cat.current_period) else {
            continue;
        };
        let p = if last { now.previous() } else { now };
        shown.push((cat, p));
    }
    let published =
        published_rolls(&st.db, shown.iter().map(|(c, p)| (c.id, p.to_string()))).await?;
    Ok(shown
        .into_iter()
        .map(|(cat, p)| {
            let list: Vec<NominationView> = all
                .iter()
                .filter(|n| n.category_id == cat.id && n.period == p.to_string())
                .cloned()
                .collect();
            CategoryBlock {
                approved: list.iter().filter(|n| n.status == "approved").count(),
                published: published.contains(&(cat.id, p.to_string())),
                period: p.to_string(),
                period_label: p.label(),
                list,
                c: cat,
            }
        })
        .collect())
}

/// The honoured of a list of rolls (the public page's figure).
pub fn honoured_count(rolls: &[PublicRoll]) -> usize {
    rolls.iter().map(|r| r.honoured.len()).sum()
}
