//! The registry's rules over storage: households in buildings, residents in households, their
//! moves, tags and search. Every read is filtered by the caller's scope (a household's and a
//! resident's `org_path` is their building's path, so a grid sees exactly its buildings), every
//! write checks the caller's permission and runs in one transaction with its audit entry.
//!
//! ID numbers and phones are sealed by the [`Vault`](crate::infra::vault::Vault); what leaves this
//! module is masked, except through [`reveal`], which needs `PeopleFullView` and is audited.

use super::PeopleState;
use super::entity::{household, movement, resident, tag};
use crate::infra::audit::{self, Entry};
use crate::infra::clock::today;
use crate::infra::error::{AppError, AppResult, stored_path};
use crate::infra::vault::{Field, Vault};
use crate::org::entity::node;
use crate::web::Caller;
use sea_orm::sea_query::{Expr, Query as SqlQuery};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, EntityTrait, ExprTrait, QueryFilter,
    QueryOrder, QuerySelect, QueryTrait, Set,
};
use serde::{Deserialize, Serialize};
use serde_json::json;
use std::collections::HashMap;
use wangge_core::people::{
    Gender, HouseholdType, IdNumber, Phone, PoliticalStatus, Relation, ResidenceStatus, age_on,
    ethnicity_name,
};
use wangge_core::registry::{self, AgeBand, ResidentInput};
use wangge_core::{OrgLevel, Permission, validate};

/// A resident who lives in the registry's households.
pub const ACTIVE: &str = "active";
/// A resident who moved out of the street (kept, with their history, where they last lived).
pub const MOVED_OUT: &str = "moved_out";
/// A resident who died.
pub const DECEASED: &str = "deceased";

/// The Chinese label of a resident's status.
pub fn status_label(s: &str) -> &'static str {
    match s {
        ACTIVE => "在册",
        MOVED_OUT => "已迁出",
        DECEASED => "已故",
        _ => "未知",
    }
}

/// The most rows a list counts (more shows as "more than").
pub const COUNT_CAP: u64 = 10_000;

fn not_found() -> AppError {
    AppError::NotFound("居民不存在或不在您的管辖范围内".into())
}

fn household_not_found() -> AppError {
    AppError::NotFound("住户不存在或不在您的管辖范围内".into())
}

// ---------------------------------------------------------------------------------------------
// Views

/// A resident as lists, pages and the API show them: the ID number and phone masked.
#[derive(Clone, Debug, Serialize)]
pub struct ResidentView {
    pub id: i64,
    pub household_id: Option<i64>,
    pub address: String,
    pub name: String,
    pub gender: &'static str,
    pub birth_date: String,
    pub age: i32,
    pub ethnicity: &'static str,
    /// `330102********1234`.
    pub id_number: String,
    /// `138****5678`, or empty.
    pub phone: String,
    pub residence: &'static str,
    pub political: &'static str,
    pub relation: &'static str,
    pub work_unit: String,
    pub tags: Vec<String>,
    pub note: String,
    pub status: String,
    pub status_label: &'static str,
    pub version: i32,
    pub updated_at: i64,
}

impl ResidentView {
    /// Whether the resident is a party member (full or probationary).
    pub fn is_party_member(&self) -> bool {
        self.political.contains("党员")
    }
}

fn label_of<T: Copy>(
    parse: fn(&str) -> Option<T>,
    label: fn(T) -> &'static str,
    s: &str,
) -> &'static str {
    parse(s).map_or("", label)
}

fn view(vault: &Vault, r: &resident::Model, address: String, tags: Vec<String>) -> ResidentView {
    let birth = chrono::NaiveDate::parse_from_str(&r.birth_date, "%Y-%m-%d").ok();
    ResidentView {
        id: r.id,
        household_id: r.household_id,
        address,
        name: r.name.clone(),
        gender: label_of(Gender::parse, Gender::label, &r.gender),
        birth_date: r.birth_date.clone(),
        age: birth.map_or(0, |b| age_on(b, today())),
        ethnicity: u8::try_from(r.ethnicity)
            .ok()
            .and_then(ethnicity_name)
            .unwrap_or(""),
        id_number: vault.masked_id(&r.id_sealed),
        phone: vault.masked_phone(r.phone_sealed.as_deref().unwrap_or_default()),
        residence: label_of(ResidenceStatus::parse, ResidenceStatus::label, &r.residence),
        political: label_of(PoliticalStatus::parse, PoliticalStatus::label, &r.political),
        relation: label_of(Relation::parse, Relation::label, &r.relation),
        work_unit: r.work_unit.clone(),
        tags,
        note: r.note.clone(),
        status: r.status.clone(),
        status_label: status_label(&r.status),
        version: r.version,
        updated_at: r.updated_at,
    }
}

/// Views of many rows: their addresses and tags read in two queries.
pub async fn views(st: &PeopleState, rows: &[resident::Model]) -> AppResult<Vec<ResidentView>> {
    let db = &st.db;
    let hids: Vec<i64> = rows.iter().filter_map(|r| r.household_id).collect();
    let addresses: HashMap<i64, String> = if hids.is_empty() {
        HashMap::new()
    } else {
        household::Entity::find()
            .filter(household::Column::Id.is_in(hids))
            .all(db)
            .await?
            .into_iter()
            .map(|h| (h.id, h.address))
            .collect()
    };
    let mut tags = tags_of(db, &rows.iter().map(|r| r.id).collect::<Vec<_>>()).await?;
    Ok(rows
        .iter()
        .map(|r| {
            let address = r
                .household_id
                .and_then(|h| addresses.get(&h).cloned())
                .unwrap_or_default();
            view(
                &st.vault,
                r,
                address,
                tags.remove(&r.id).unwrap_or_default(),
            )
        })
        .collect())
}

/// The tag names of residents.
async fn tags_of(db: &impl ConnectionTrait, ids: &[i64]) -> AppResult<HashMap<i64, Vec<String>>> {
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    let names: HashMap<i64, String> = tag::Entity::find()
        .all(db)
        .await?
        .into_iter()
        .map(|t| (t.id, t.name))
        .collect();
    Ok(tag_ids_of(db, ids)
        .await?
        .into_iter()
        .map(|(rid, tags)| {
            let named = tags.iter().filter_map(|t| names.get(t).cloned()).collect();
            (rid, named)
        })
        .collect())
}

/// The tag ids of each of these residents, in tag order.
pub(crate) async fn tag_ids_of(
    db: &impl ConnectionTrait,
    ids: &[i64],
) -> AppResult<HashMap<i64, Vec<i64>>> {
    let mut out: HashMap<i64, Vec<i64>> = HashMap::new();
    for chunk in ids.chunks(500) {
        let list = crate::infra::db::id_list(chunk);
        let rows = db
            .query_all_raw(crate::infra::db::statement(
                db,
                &format!(
                    "SELECT resident_id, tag_id FROM resident_tags WHERE resident_id IN ({list}) \
                     ORDER BY tag_id"
                ),
                vec![],
            ))
            .await?;
        for r in rows {
            let rid: i64 = r.try_get_by_index(0)?;
            let tid: i64 = r.try_get_by_index(1)?;
            out.entry(rid).or_default().push(tid);
        }
    }
    Ok(out)
}

// ---------------------------------------------------------------------------------------------
// Tags

/// The street's care-group tags, in order.
pub async fn tags(db: &impl ConnectionTrait) -> AppResult<Vec<tag::Model>> {
    Ok(tag::Entity::find()
        .filter(tag::Column::Status.eq(ACTIVE))
        .order_by_asc(tag::Column::SortOrder)
        .order_by_asc(tag::Column::Id)
        .all(db)
        .await?)
}

/// Seeds the default tags into an empty table.
pub async fn seed_tags(db: &impl ConnectionTrait) -> Result<(), sea_orm::DbErr> {
    if tag::Entity::find().one(db).await?.is_some() {
        return Ok(());
    }
    let now = crate::infra::clock::now_ms();
    tag::Entity::insert_many(wangge_core::people::DEFAULT_TAGS.iter().enumerate().map(
        |(i, (_, name))| tag::ActiveModel {
            name: Set((*name).to_owned()),
            sort_order: Set(i32::try_from(i).unwrap_or(0)),
            status: Set(ACTIVE.into()),
            created_at: Set(now),
            ..Default::default()
        },
    ))
    .exec_without_returning(db)
    .await?;
    Ok(())
}

/// Adds a care-group tag. The list is the district's (every street's ledgers and imports use
/// it), so it is kept at the district: its administrator or command centre, or the command line.
pub async fn add_tag(
    conn: &sea_orm::DatabaseConnection,
    c: &Caller,
    name: &str,
) -> AppResult<tag::Model> {
    c.require_at_district(
        Permission::PeopleImport,
        "重点人群标签全区通用，由区级管理员或区综治中心维护；需要新标签请向区里提出",
    )?;
    let name = &validate::text("标签名称", name, 10, validate::Lines::One, true)?;
    let txn = crate::infra::db::begin_write(conn).await?;
    let db = &txn;
    if tag::Entity::find()
        .filter(tag::Column::Name.eq(name))
        .one(db)
        .await?
        .is_some()
    {
        return Err(AppError::conflict(
            "duplicate",
            format!("标签“{name}”已存在"),
        ));
    }
    let row = tag::ActiveModel {
        name: Set(name.to_owned()),
        sort_order: Set(100),
        status: Set(ACTIVE.into()),
        created_at: Set(crate::infra::clock::now_ms()),
        ..Default::default()
    }
    .insert(db)
    .await?;
    audit::record(
        db,
        &c.who,
        Entry {
            org_path: &c.audit_root(db).await?,
            action: "create",
            entity: "tag",
            entity_id: Some(row.id),
            summary: format!("新增重点人群标签“{name}”"),
            changes: json!({"name": name}),
        },
    )
    .await?;
    txn.commit().await?;
    Ok(row)
}

/// Maps tag names to ids, refusing an unknown one.
pub fn tag_ids(all: &[tag::Model], names: &[String]) -> AppResult<Vec<i64>> {
    names
        .iter()
        .map(|n| {
            all.iter()
                .find(|t| &t.name == n)
                .map(|t| t.id)
                .ok_or_else(|| {
                    AppError::bad(
                        "unknown_tag",
                        format!(
                            "未知的标签“{n}”（可用：{}）",
                            all.iter()
                                .map(|t| t.name.as_str())
                                .collect::<Vec<_>>()
                                .join("、")
                        ),
                    )
                })
        })
        .collect()
}

/// Replaces a resident's tags.
pub(crate) async fn set_tags(
    db: &impl ConnectionTrait,
    resident: i64,
    ids: &[i64],
) -> AppResult<()> {
    crate::infra::db::exec(
        db,
        "DELETE FROM resident_tags WHERE resident_id = $1",
        vec![resident.into()],
    )
    .await?;
    for t in ids {
        crate::infra::db::exec(
            db,
            "INSERT INTO resident_tags (resident_id, tag_id) VALUES ($1, $2)",
            vec![resident.into(), (*t).into()],
        )
        .await?;
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// Buildings and households

/// A building (楼栋) in the caller's scope.
pub async fn building(st: &PeopleState, c: &Caller, id: i64) -> AppResult<node::Model> {
    let b = node::Entity::find_by_id(id)
        .filter(c.scope_cond("path"))
        .one(&st.db)
        .await?
        .filter(|n| n.status == "active")
        .ok_or_else(|| AppError::NotFound("楼栋不存在或不在您的管辖范围内".into()))?;
    if b.level != OrgLevel::Building.as_str() {
        return Err(AppError::bad(
            "not_a_building",
            format!("“{}”不是楼栋：住户只能建在楼栋下", b.name),
        ));
    }
    Ok(b)
}

/// The postal-style address of a room: community, building, room (村/社区 + 楼栋 + 房号).
pub async fn address_of(st: &PeopleState, b: &node::Model, room: &str) -> AppResult<String> {
    let dir = st.cases.directory.get(&st.db).await?;
    let chain = dir.chain(&stored_path(&b.path)?);
    let community = chain
        .iter()
        .find(|n| n.level == OrgLevel::Community.as_str())
        .map(|n| n.name.as_str())
        .unwrap_or("");
    Ok(format!("{community}{}{}", b.name, room))
}

/// A household as pages and the API show it.
#[derive(Clone, Debug, Serialize)]
pub struct HouseholdView {
    pub id: i64,
    pub building_id: i64,
    pub room: String,
    pub address: String,
    pub kind: String,
    pub kind_label: &'static str,
    pub head_id: Option<i64>,
    pub note: String,
    pub version: i32,
    pub members: i64,
}

/// The view of a household row.
pub fn household_view(h: &household::Model, members: i64) -> HouseholdView {
    HouseholdView {
        id: h.id,
        building_id: h.building_id,
        room: h.room.clone(),
        address: h.address.clone(),
        kind: h.kind.clone(),
        kind_label: label_of(HouseholdType::parse, HouseholdType::label, &h.kind),
        head_id: h.head_id,
        note: h.note.clone(),
        version: h.version,
        members,
    }
}

/// A household's fields as forms and the API send them.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct HouseholdInput {
    /// The building (only when creating).
    pub building_id: Option<i64>,
    /// 房号: 1-201, 东头第三户 …
    pub room: String,
    /// 自住 / 出租 / 空置 / 商用 (or the stored word).
    pub kind: String,
    /// The head of household: a member's id (only when editing).
    pub head_id: Option<i64>,
    pub note: String,
    /// The version the editor saw (only when editing).
    pub version: Option<i32>,
}

/// A text field, by the one rule for free text ([`validate::text`]): trimmed, required or not,
/// at most `max` characters, no control characters but line breaks and tabs.
pub(crate) fn check_text(what: &str, s: &str, max: usize, required: bool) -> AppResult<String> {
    Ok(validate::text(
        what,
        s,
        max,
        validate::Lines::Many,
        required,
    )?)
}

fn check_room(room: &str) -> AppResult<String> {
    Ok(validate::text(
        "房号",
        room,
        20,
        validate::Lines::One,
        true,
    )?)
}

fn check_kind(kind: &str) -> AppResult<HouseholdType> {
    if kind.trim().is_empty() {
        return Ok(HouseholdType::Owner);
    }
    HouseholdType::parse(kind).ok_or_else(|| {
        AppError::bad(
            "invalid_input",
            format!(
                "未知的房屋类型“{}”（可填：{}）",
                kind.trim(),
                HouseholdType::ALL
                    .iter()
                    .map(|k| k.label())
                    .collect::<Vec<_>>()
                    .join("、")
            ),
        )
    })
}

fn check_note(note: &str) -> AppResult<String> {
    check_text("备注", note, registry::TEXT_MAX, false)
}

/// One household in the caller's scope.
pub async fn find_household(
    db: &impl ConnectionTrait,
    c: &Caller,
    id: i64,
) -> AppResult<household::Model> {
    c.require(Permission::PeopleView)?;
    household::Entity::find_by_id(id)
        .filter(c.scope_cond("org_path"))
        .one(db)
        .await?
        .ok_or_else(household_not_found)
}

/// Adds a household to a building.
pub async fn create_household(
    st: &PeopleState,
    c: &Caller,
    input: HouseholdInput,
) -> AppResult<household::Model> {
    c.require(Permission::PeopleManage)?;
    let bid = input
        .building_id
        .ok_or_else(|| AppError::bad("invalid_input", "请选择楼栋"))?;
    let b = building(st, c, bid).await?;
    let room = check_room(&input.room)?;
    let kind = check_kind(&input.kind)?;
    let note = check_note(&input.note)?;
    let address = address_of(st, &b, &room).await?;
    let txn = crate::infra::db::begin_write(&st.db).await?;
    if household::Entity::find()
        .filter(household::Column::BuildingId.eq(b.id))
        .filter(household::Column::Room.eq(room.as_str()))
        .one(&txn)
        .await?
        .is_some()
    {
        return Err(AppError::conflict(
            "duplicate",
            format!("{}已有房号“{room}”的住户", b.name),
        ));
    }
    let now = crate::infra::clock::now_ms();
    let row = household::ActiveModel {
        building_id: Set(b.id),
        org_path: Set(b.path.clone()),
        room: Set(room),
        address: Set(address.clone()),
        kind: Set(kind.as_str().into()),
        head_id: Set(None),
        note: Set(note),
        status: Set(ACTIVE.into()),
        version: Set(1),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    audit::record(
        &txn,
        &c.who,
        Entry {
            org_path: &stored_path(&row.org_path)?,
            action: "create",
            entity: "household",
            entity_id: Some(row.id),
            summary: format!("新增住户 {address}（{}）", kind.label()),
            changes: json!({"address": address, "kind": kind.as_str()}),
        },
    )
    .await?;
    txn.commit().await?;
    Ok(row)
}

/// Edits a household's room, type, head and note (version-checked). The head must be a
/// member of the household.
pub async fn update_household(
    st: &PeopleState,
    c: &Caller,
    id: i64,
    input: HouseholdInput,
) -> AppResult<household::Model> {
    c.require(Permission::PeopleManage)?;
    let txn = crate::infra::db::begin_write(&st.db).await?;
    let h = find_household(&txn, c, id).await?;
    if input.version.is_some_and(|v| v != h.version) {
        return Err(AppError::stale());
    }
    let room = check_room(&input.room)?;
    let kind = check_kind(&input.kind)?;
    let note = check_note(&input.note)?;
    if let Some(head) = input.head_id {
        let member = resident::Entity::find_by_id(head)
            .filter(resident::Column::HouseholdId.eq(h.id))
            .one(&txn)
            .await?;
        if member.is_none() {
            return Err(AppError::bad(
                "head_not_member",
                "户主必须是本户的成员：请先把此人迁入本户",
            ));
        }
    }
    let address = if room == h.room {
        h.address.clone()
    } else {
        let b = building(st, c, h.building_id).await?;
        if household::Entity::find()
            .filter(household::Column::BuildingId.eq(b.id))
            .filter(household::Column::Room.eq(room.as_str()))
            .one(&txn)
            .await?
            .is_some()
        {
            return Err(AppError::conflict(
                "duplicate",
                format!("{}已有房号“{room}”的住户", b.name),
            ));
        }
        address_of(st, &b, &room).await?
    };
    let changes = audit::changes(&[
        ("room", json!(h.room), json!(room)),
        ("kind", json!(h.kind), json!(kind.as_str())),
        ("head_id", json!(h.head_id), json!(input.head_id)),
        ("note", json!(h.note), json!(note)),
    ]);
    let n = crate::infra::db::exec(
        &txn,
        "UPDATE households SET room = $1, address = $2, kind = $3, head_id = $4, note = $5, \
         version = version + 1, updated_at = $6 WHERE id = $7 AND version = $8",
        vec![
            room.into(),
            address.clone().into(),
            kind.as_str().into(),
            input.head_id.into(),
            note.into(),
            crate::infra::clock::now_ms().into(),
            h.id.into(),
            h.version.into(),
        ],
    )
    .await?;
    if n == 0 {
        return Err(AppError::stale());
    }
    if let Some(head) = input.head_id
        && h.head_id != Some(head)
    {
        // The new head's relation says so; a former head becomes 其他 until someone says more.
        crate::infra::db::exec(
            &txn,
            "UPDATE residents SET relation = $1, version = version + 1, updated_at = $5 \
             WHERE household_id = $2 AND relation = $3 AND id <> $4",
            vec![
                Relation::Other.as_str().into(),
                h.id.into(),
                Relation::Head.as_str().into(),
                head.into(),
                crate::infra::clock::now_ms().into(),
            ],
        )
        .await?;
        crate::infra::db::exec(
            &txn,
            "UPDATE residents SET relation = $1, version = version + 1, updated_at = $3 \
             WHERE id = $2",
            vec![
                Relation::Head.as_str().into(),
                head.into(),
                crate::infra::clock::now_ms().into(),
            ],
        )
        .await?;
    }
    audit::record(
        &txn,
        &c.who,
        Entry {
            org_path: &stored_path(&h.org_path)?,
            action: "update",
            entity: "household",
            entity_id: Some(h.id),
            summary: format!("修改住户 {address}"),
            changes,
        },
    )
    .await?;
    let row = household::Entity::find_by_id(h.id)
        .one(&txn)
        .await?
        .ok_or_else(household_not_found)?;
    txn.commit().await?;
    Ok(row)
}

/// The households of a building, with their member counts.
pub async fn households_of(
    st: &PeopleState,
    c: &Caller,
    building_id: i64,
) -> AppResult<Vec<HouseholdView>> {
    c.require(Permission::PeopleView)?;
    let b = building(st, c, building_id).await?;
    let rows = household::Entity::find()
        .filter(household::Column::BuildingId.eq(b.id))
        .filter(c.scope_cond("org_path"))
        .order_by_asc(household::Column::Room)
        .all(&st.db)
        .await?;
    let counts = member_counts(&st.db, &rows.iter().map(|h| h.id).collect::<Vec<_>>()).await?;
    let mut out: Vec<HouseholdView> = rows
        .iter()
        .map(|h| household_view(h, counts.get(&h.id).copied().unwrap_or(0)))
        .collect();
    out.sort_by_key(|a| natural_key(&a.room));
    Ok(out)
}

/// Rooms in the order people read them: 2-101 before 10-101, numbered rooms before named ones.
fn natural_key(s: &str) -> Vec<(String, u64)> {
    let mut out = Vec::new();
    let mut num = String::new();
    let mut text = String::new();
    for ch in s.chars() {
        if ch.is_ascii_digit() {
            num.push(ch);
        } else {
            if !num.is_empty() {
                out.push((std::mem::take(&mut text), num.parse().unwrap_or(u64::MAX)));
                num.clear();
            }
            text.push(ch);
        }
    }
    out.push((text, num.parse().unwrap_or(0)));
    out
}

async fn member_counts(db: &impl ConnectionTrait, ids: &[i64]) -> AppResult<HashMap<i64, i64>> {
    let mut out = HashMap::new();
    for chunk in ids.chunks(500) {
        let rows: Vec<(Option<i64>, i64)> = resident::Entity::find()
            .select_only()
            .column(resident::Column::HouseholdId)
            .column_as(resident::Column::Id.count(), "n")
            .filter(resident::Column::HouseholdId.is_in(chunk.to_vec()))
            .filter(resident::Column::Status.eq(ACTIVE))
            .group_by(resident::Column::HouseholdId)
            .into_tuple()
            .all(db)
            .await?;
        out.extend(rows.into_iter().filter_map(|(h, n)| Some((h?, n))));
    }
    Ok(out)
}

/// A building of a grid with how many households and residents it has.
#[derive(Clone, Debug, Serialize)]
pub struct BuildingView {
    pub id: i64,
    pub name: String,
    pub code: String,
    pub grid_id: Option<i64>,
    pub households: i64,
    pub residents: i64,
}

/// The buildings under a node in the caller's scope (a grid's, usually), with their counts.
pub async fn buildings_under(
    st: &PeopleState,
    c: &Caller,
    org: i64,
) -> AppResult<Vec<BuildingView>> {
    c.require(Permission::PeopleView)?;
    let top = crate::org::service::find(&st.db, c, org).await?;
    let path = stored_path(&top.path)?;
    let nodes = node::Entity::find()
        .filter(node::Column::Path.like(format!("{}%", path.as_str())))
        .filter(node::Column::Level.eq(OrgLevel::Building.as_str()))
        .filter(node::Column::Status.eq("active"))
        .filter(c.scope_cond("path"))
        .order_by_asc(node::Column::Path)
        .limit(2000)
        .all(&st.db)
        .await?;
    let mut out = Vec::with_capacity(nodes.len());
    let counts = building_counts(&st.db, &nodes.iter().map(|n| n.id).collect::<Vec<_>>()).await?;
    for n in nodes {
        let (h, r) = counts.get(&n.id).copied().unwrap_or((0, 0));
        out.push(BuildingView {
            id: n.id,
            name: n.name,
            code: n.code,
            grid_id: n.parent_id,
            households: h,
            residents: r,
        });
    }
    out.sort_by_key(|a| natural_key(&a.name));
    Ok(out)
}

async fn building_counts(
    db: &impl ConnectionTrait,
    ids: &[i64],
) -> AppResult<HashMap<i64, (i64, i64)>> {
    let mut out: HashMap<i64, (i64, i64)> = HashMap::new();
    for chunk in ids.chunks(500) {
        let list = crate::infra::db::id_list(chunk);
        let rows = db
            .query_all_raw(crate::infra::db::statement(
                db,
                &format!(
                    "SELECT h.building_id, COUNT(DISTINCT h.id), COUNT(r.id) FROM households h \
                     LEFT JOIN residents r ON r.household_id = h.id AND r.status = 'active' \
                     WHERE h.building_id IN ({list}) GROUP BY h.building_id"
                ),
                vec![],
            ))
            .await?;
        for r in rows {
            out.insert(
                r.try_get_by_index(0)?,
                (r.try_get_by_index(1)?, r.try_get_by_index(2)?),
            );
        }
    }
    Ok(out)
}

// ---------------------------------------------------------------------------------------------
// Residents

/// A resident's fields as forms and the API send them.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ResidentForm {
    #[serde(flatten)]
    pub fields: ResidentInput,
    /// The household (required when adding someone).
    pub household_id: Option<i64>,
    /// The version the editor saw (when editing).
    pub version: Option<i32>,
    /// When editing: remove the phone (an empty phone field keeps the stored one).
    pub clear_phone: bool,
}

/// One resident in the caller's scope.
pub async fn find(db: &impl ConnectionTrait, c: &Caller, id: i64) -> AppResult<resident::Model> {
    c.require(Permission::PeopleView)?;
    resident::Entity::find_by_id(id)
        .filter(c.scope_cond("org_path"))
        .one(db)
        .await?
        .ok_or_else(not_found)
}

/// The sealed and indexed forms of an ID number and a phone.
pub struct Sealed {
    pub id_sealed: String,
    pub id_blind: i64,
    pub id_tail: i64,
    pub phone_sealed: Option<String>,
    pub phone_blind: Option<i64>,
    pub phone_tail: Option<i64>,
}

/// Seals a checked resident's personal fields.
pub fn seal(vault: &Vault, id: &IdNumber, phone: Option<&Phone>) -> AppResult<Sealed> {
    Ok(Sealed {
        id_sealed: vault.seal(Field::IdNumber, id.expose())?,
        id_blind: vault.blind(Field::IdNumber, id.expose()),
        id_tail: vault.blind(Field::IdTail, id.tail()),
        phone_sealed: phone
            .map(|p| vault.seal(Field::Phone, p.expose()))
            .transpose()?,
        phone_blind: phone.map(|p| vault.blind(Field::Phone, p.expose())),
        phone_tail: phone.map(|p| vault.blind(Field::PhoneTail, p.tail())),
    })
}

/// The resident registered under an ID number, if any, in any scope: for the uniqueness check
/// only. What the caller is told of someone outside their scope goes through [`id_taken`].
pub async fn by_id_number(
    db: &impl ConnectionTrait,
    vault: &Vault,
    id: &IdNumber,
) -> AppResult<Option<resident::Model>> {
    Ok(resident::Entity::find()
        .filter(resident::Column::IdBlind.eq(vault.blind(Field::IdNumber, id.expose())))
        .one(db)
        .await?)
}

/// The message for an ID number registered to someone the caller may not see. It says only
/// that the number cannot be used here: not who holds it, where, or in what state.
pub const ID_UNAVAILABLE: &str =
    "该身份证号无法在此登记：请核对证件号；确属本人的，请联系街道或区里的管理人员核实";

/// Refuses an ID number already registered to another resident. Inside the caller's scope the
/// answer names them (the caller may open that record anyway); outside it, it reveals nothing
/// about them, the write's transaction is rolled back and the attempt is audited at the
/// caller's node.
async fn id_taken(
    st: &PeopleState,
    c: &Caller,
    txn: crate::infra::db::WriteTxn,
    other: &resident::Model,
    id: &IdNumber,
) -> AppError {
    if stored_path(&other.org_path).is_ok_and(|p| c.allows(&p)) {
        return AppError::conflict(
            "id_taken",
            format!(
                "该身份证号已登记为另一人（{}，{}）：一个身份证号只对应一个人",
                other.name,
                status_label(&other.status)
            ),
        );
    }
    if let Err(e) = txn.rollback().await {
        return e.into();
    }
    if let Err(e) = audit_unavailable_ids(&st.db, c, &[id.masked()]).await {
        return e;
    }
    AppError::conflict("id_unavailable", ID_UNAVAILABLE)
}

/// Audits attempts to register ID numbers held outside the caller's scope (masked), at the
/// caller's node, in a transaction of its own.
pub async fn audit_unavailable_ids(
    db: &sea_orm::DatabaseConnection,
    c: &Caller,
    masked: &[String],
) -> AppResult<()> {
    let txn = crate::infra::db::begin_write(db).await?;
    record_unavailable_ids(
        &txn,
        c,
        masked,
        format!(
            "登记被拒：身份证号 {} 已登记在管辖范围之外",
            masked.join("、")
        ),
    )
    .await?;
    txn.commit().await?;
    Ok(())
}

/// Writes the audit entry of ID numbers refused because they are held outside the caller's
/// scope (masked), at the caller's node, on the caller's transaction.
pub async fn record_unavailable_ids(
    db: &impl ConnectionTrait,
    c: &Caller,
    masked: &[String],
    summary: String,
) -> AppResult<()> {
    if masked.is_empty() {
        return Ok(());
    }
    let root = c.audit_root(db).await?;
    audit::record(
        db,
        &c.who,
        Entry {
            org_path: &root,
            action: "refuse_id",
            entity: "resident",
            entity_id: None,
            summary,
            changes: json!({"id_numbers": masked}),
        },
    )
    .await
}

/// Refuses a second head in a household.
async fn check_one_head(
    db: &impl ConnectionTrait,
    household: i64,
    relation: Relation,
    except: Option<i64>,
) -> AppResult<()> {
    if relation != Relation::Head {
        return Ok(());
    }
    let mut q = resident::Entity::find()
        .filter(resident::Column::HouseholdId.eq(household))
        .filter(resident::Column::Relation.eq(Relation::Head.as_str()))
        .filter(resident::Column::Status.eq(ACTIVE));
    if let Some(id) = except {
        q = q.filter(resident::Column::Id.ne(id));
    }
    if let Some(h) = q.one(db).await? {
        return Err(AppError::bad(
            "two_heads",
            format!(
                "该户已有户主{}：一户只有一位户主，请先修改其与户主关系",
                h.name
            ),
        ));
    }
    Ok(())
}

/// Adds a resident to a household, with a move-in record.
pub async fn create(
    st: &PeopleState,
    c: &Caller,
    form: ResidentForm,
) -> AppResult<resident::Model> {
    c.require(Permission::PeopleManage)?;
    let r = registry::check(&form.fields, today())?;
    let hid = form
        .household_id
        .ok_or_else(|| AppError::bad("invalid_input", "请选择所在住户"))?;
    let all_tags = tags(&st.db).await?;
    let tag_ids = tag_ids(&all_tags, &r.tags)?;
    let sealed = seal(&st.vault, &r.id_number, r.phone.as_ref())?;
    let txn = crate::infra::db::begin_write(&st.db).await?;
    let h = find_household(&txn, c, hid).await?;
    if let Some(other) = by_id_number(&txn, &st.vault, &r.id_number).await? {
        return Err(id_taken(st, c, txn, &other, &r.id_number).await);
    }
    check_one_head(&txn, h.id, r.relation, None).await?;
    let now = crate::infra::clock::now_ms();
    let row = resident::ActiveModel {
        household_id: Set(Some(h.id)),
        org_path: Set(h.org_path.clone()),
        name: Set(r.name.clone()),
        initials: Set(r.initials.clone()),
        gender: Set(r.gender.as_str().into()),
        birth_date: Set(r.birth_date.format("%Y-%m-%d").to_string()),
        ethnicity: Set(i32::from(r.ethnicity)),
        id_sealed: Set(sealed.id_sealed),
        id_blind: Set(sealed.id_blind),
        id_tail: Set(sealed.id_tail),
        phone_sealed: Set(sealed.phone_sealed),
        phone_blind: Set(sealed.phone_blind),
        phone_tail: Set(sealed.phone_tail),
        residence: Set(r.residence.as_str().into()),
        political: Set(r.political.as_str().into()),
        relation: Set(r.relation.as_str().into()),
        work_unit: Set(r.work_unit.clone()),
        note: Set(r.note.clone()),
        status: Set(ACTIVE.into()),
        version: Set(1),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    set_tags(&txn, row.id, &tag_ids).await?;
    if r.relation == Relation::Head {
        crate::infra::db::exec(
            &txn,
            "UPDATE households SET head_id = $1, version = version + 1 WHERE id = $2",
            vec![row.id.into(), h.id.into()],
        )
        .await?;
    }
    record_move(
        &txn,
        c,
        &row,
        "in",
        None,
        Some(&h),
        &today().to_string(),
        "登记",
    )
    .await?;
    audit::record(
        &txn,
        &c.who,
        Entry {
            org_path: &stored_path(&row.org_path)?,
            action: "create",
            entity: "resident",
            entity_id: Some(row.id),
            summary: format!(
                "登记居民 {}（{}）于 {}",
                r.name,
                r.id_number.masked(),
                h.address
            ),
            changes: json!({"name": r.name, "household_id": h.id, "tags": r.tags}),
        },
    )
    .await?;
    txn.commit().await?;
    Ok(row)
}

/// Edits a resident's record (version-checked). Moving between households is [`move_resident`].
pub async fn update(
    st: &PeopleState,
    c: &Caller,
    id: i64,
    form: ResidentForm,
) -> AppResult<resident::Model> {
    c.require(Permission::PeopleManage)?;
    let mut fields = form.fields;
    let current = find(&st.db, c, id).await?;
    // An edit form never carries the full values back: empty means "keep what is stored".
    if fields.id_number.trim().is_empty() {
        fields.id_number = st.vault.unseal(Field::IdNumber, &current.id_sealed)?;
    }
    if fields.phone.trim().is_empty()
        && !form.clear_phone
        && let Some(p) = &current.phone_sealed
    {
        fields.phone = st.vault.unseal(Field::Phone, p)?;
    }
    let r = registry::check(&fields, today())?;
    let all_tags = tags(&st.db).await?;
    let tag_ids = tag_ids(&all_tags, &r.tags)?;
    let sealed = seal(&st.vault, &r.id_number, r.phone.as_ref())?;
    let txn = crate::infra::db::begin_write(&st.db).await?;
    let old = find(&txn, c, id).await?;
    if form.version.is_some_and(|v| v != old.version) {
        return Err(AppError::stale());
    }
    if let Some(other) = by_id_number(&txn, &st.vault, &r.id_number).await?
        && other.id != old.id
    {
        return Err(id_taken(st, c, txn, &other, &r.id_number).await);
    }
    if let Some(h) = old.household_id {
        check_one_head(&txn, h, r.relation, Some(old.id)).await?;
    }
    let id_changed = old.id_blind != sealed.id_blind;
    let phone_changed = old.phone_blind != sealed.phone_blind;
    let old_tags = tags_of(&txn, &[old.id])
        .await?
        .remove(&old.id)
        .unwrap_or_default();
    let birth = r.birth_date.format("%Y-%m-%d").to_string();
    let mut changes = audit::changes(&[
        ("name", json!(old.name), json!(r.name)),
        ("birth_date", json!(old.birth_date), json!(birth)),
        ("ethnicity", json!(old.ethnicity), json!(r.ethnicity)),
        (
            "residence",
            json!(old.residence),
            json!(r.residence.as_str()),
        ),
        (
            "political",
            json!(old.political),
            json!(r.political.as_str()),
        ),
        ("relation", json!(old.relation), json!(r.relation.as_str())),
        ("work_unit", json!(old.work_unit), json!(r.work_unit)),
        ("note", json!(old.note), json!(r.note)),
        ("tags", json!(old_tags), json!(r.tags)),
    ]);
    // Personal fields are noted as changed, never with their values.
    if let Some(m) = changes.as_object_mut() {
        if id_changed {
            m.insert("id_number".into(), json!("已修改"));
        }
        if phone_changed {
            m.insert("phone".into(), json!("已修改"));
        }
    }
    if !write_record(&txn, &old, &r, &sealed, None, crate::infra::clock::now_ms()).await? {
        return Err(AppError::stale());
    }
    set_tags(&txn, old.id, &tag_ids).await?;
    if let Some(h) = old.household_id {
        sync_head(&txn, h).await?;
    }
    audit::record(
        &txn,
        &c.who,
        Entry {
            org_path: &stored_path(&old.org_path)?,
            action: "update",
            entity: "resident",
            entity_id: Some(old.id),
            summary: format!("修改居民 {} 的信息", r.name),
            changes,
        },
    )
    .await?;
    let row = resident::Entity::find_by_id(old.id)
        .one(&txn)
        .await?
        .ok_or_else(not_found)?;
    txn.commit().await?;
    Ok(row)
}

/// Where a written record lives: its household and the path it is held at.
pub(crate) struct Place<'a> {
    pub household: i64,
    pub org_path: &'a str,
}

/// The one writer of a resident's record: the form's edit and the import's update both come
/// here. It writes only while the row is still at the version `old` was read at, and answers
/// `false` when it is not (someone saved in between: nothing is overwritten). A sealed ID
/// number or phone whose blind index is unchanged is kept as stored. `place` moves the record
/// (an import row names its household; the form's edit keeps it where it is and makes it
/// active only by [`move_resident`]).
pub(crate) async fn write_record(
    db: &impl ConnectionTrait,
    old: &resident::Model,
    r: &registry::Resident,
    sealed: &Sealed,
    place: Option<Place<'_>>,
    now: i64,
) -> AppResult<bool> {
    let (household, org_path, status) = match &place {
        Some(p) => (Some(p.household), p.org_path.to_owned(), ACTIVE),
        None => (old.household_id, old.org_path.clone(), old.status.as_str()),
    };
    let n = crate::infra::db::exec(
        db,
        "UPDATE residents SET name = $1, initials = $2, gender = $3, birth_date = $4, \
         ethnicity = $5, id_sealed = $6, id_blind = $7, id_tail = $8, phone_sealed = $9, \
         phone_blind = $10, phone_tail = $11, residence = $12, political = $13, relation = $14, \
         work_unit = $15, note = $16, household_id = $17, org_path = $18, status = $19, \
         version = version + 1, updated_at = $20 WHERE id = $21 AND version = $22",
        vec![
            r.name.clone().into(),
            r.initials.clone().into(),
            r.gender.as_str().into(),
            r.birth_date.format("%Y-%m-%d").to_string().into(),
            i32::from(r.ethnicity).into(),
            if old.id_blind == sealed.id_blind {
                old.id_sealed.clone()
            } else {
                sealed.id_sealed.clone()
            }
            .into(),
            sealed.id_blind.into(),
            sealed.id_tail.into(),
            if old.phone_blind == sealed.phone_blind {
                old.phone_sealed.clone()
            } else {
                sealed.phone_sealed.clone()
            }
            .into(),
            sealed.phone_blind.into(),
            sealed.phone_tail.into(),
            r.residence.as_str().into(),
            r.political.as_str().into(),
            r.relation.as_str().into(),
            r.work_unit.clone().into(),
            r.note.clone().into(),
            household.into(),
            org_path.into(),
            status.into(),
            now.into(),
            old.id.into(),
            old.version.into(),
        ],
    )
    .await?;
    Ok(n == 1)
}

/// Points a household's head at the member whose relation is 户主 (or at no one).
async fn sync_head(db: &impl ConnectionTrait, household: i64) -> AppResult<()> {
    crate::infra::db::exec(
        db,
        "UPDATE households SET head_id = (SELECT MIN(id) FROM residents WHERE household_id = $1 \
         AND relation = 'head' AND status = 'active') WHERE id = $2",
        vec![household.into(), household.into()],
    )
    .await?;
    Ok(())
}

#[allow(clippy::too_many_arguments)]
async fn record_move(
    db: &impl ConnectionTrait,
    c: &Caller,
    r: &resident::Model,
    kind: &str,
    from: Option<&household::Model>,
    to: Option<&household::Model>,
    on: &str,
    reason: &str,
) -> AppResult<()> {
    movement::ActiveModel {
        resident_id: Set(r.id),
        org_path: Set(to.map_or_else(|| r.org_path.clone(), |h| h.org_path.clone())),
        kind: Set(kind.into()),
        from_household: Set(from.map(|h| h.id)),
        to_household: Set(to.map(|h| h.id)),
        from_address: Set(from.map(|h| h.address.clone()).unwrap_or_default()),
        to_address: Set(to.map(|h| h.address.clone()).unwrap_or_default()),
        on_date: Set(on.into()),
        reason: Set(reason.chars().take(200).collect()),
        actor_name: Set(c.who.name.clone()),
        at: Set(crate::infra::clock::now_ms()),
        ..Default::default()
    }
    .insert(db)
    .await?;
    Ok(())
}

/// The Chinese label of a move.
pub fn move_label(kind: &str) -> &'static str {
    match kind {
        "in" => "迁入",
        "transfer" => "户间迁移",
        "out" => "迁出",
        "deceased" => "死亡注销",
        "import" => "台账导入",
        _ => "变动",
    }
}

/// A move: to another household (in scope), out of the street, or a death.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct MoveInput {
    /// `transfer` (needs `to_household`), `out` or `deceased`; a resident who had moved out
    /// comes back with `transfer`.
    pub kind: String,
    pub to_household: Option<i64>,
    /// The relation to the new head (for `transfer`).
    pub relation: String,
    /// 迁移日期 (default today).
    pub on_date: String,
    /// 原因 / 去向.
    pub reason: String,
    pub version: Option<i32>,
}

/// Records a move and applies it; the history keeps every move.
pub async fn move_resident(
    st: &PeopleState,
    c: &Caller,
    id: i64,
    input: MoveInput,
) -> AppResult<resident::Model> {
    c.require(Permission::PeopleManage)?;
    let on = if input.on_date.trim().is_empty() {
        today()
    } else {
        registry::parse_date(&input.on_date)?
    };
    if on > today() {
        return Err(AppError::bad("invalid_input", "迁移日期不能晚于今天"));
    }
    let reason = input.reason.trim();
    if reason.chars().count() > registry::TEXT_MAX {
        return Err(AppError::bad("invalid_input", "原因不能超过 200 个字"));
    }
    let txn = crate::infra::db::begin_write(&st.db).await?;
    let r = find(&txn, c, id).await?;
    if input.version.is_some_and(|v| v != r.version) {
        return Err(AppError::stale());
    }
    let from = match r.household_id {
        Some(h) => household::Entity::find_by_id(h).one(&txn).await?,
        None => None,
    };
    let (kind, to, status) = match input.kind.as_str() {
        "transfer" | "in" => {
            let to = find_household(
                &txn,
                c,
                input
                    .to_household
                    .ok_or_else(|| AppError::bad("invalid_input", "请选择迁入的住户"))?,
            )
            .await?;
            if Some(to.id) == r.household_id {
                return Err(AppError::bad("invalid_input", "此人已在该住户中"));
            }
            let relation = if input.relation.trim().is_empty() {
                Relation::Other
            } else {
                Relation::parse(&input.relation).ok_or_else(|| {
                    AppError::bad(
                        "invalid_input",
                        format!("未知的与户主关系“{}”", input.relation),
                    )
                })?
            };
            check_one_head(&txn, to.id, relation, Some(r.id)).await?;
            let kind = if r.status == ACTIVE { "transfer" } else { "in" };
            let n = crate::infra::db::exec(
                &txn,
                "UPDATE residents SET household_id = $1, org_path = $2, relation = $3, \
                 status = 'active', version = version + 1, updated_at = $4 \
                 WHERE id = $5 AND version = $6",
                vec![
                    to.id.into(),
                    to.org_path.clone().into(),
                    relation.as_str().into(),
                    crate::infra::clock::now_ms().into(),
                    r.id.into(),
                    r.version.into(),
                ],
            )
            .await?;
            if n == 0 {
                return Err(AppError::stale());
            }
            (kind, Some(to), ACTIVE)
        }
        "out" | "deceased" => {
            if r.status != ACTIVE {
                return Err(AppError::bad("invalid_input", "此人已不在册"));
            }
            let status = if input.kind == "out" {
                MOVED_OUT
            } else {
                DECEASED
            };
            if reason.is_empty() && input.kind == "out" {
                return Err(AppError::bad("invalid_input", "请填写迁出去向或原因"));
            }
            let n = crate::infra::db::exec(
                &txn,
                "UPDATE residents SET household_id = NULL, status = $1, version = version + 1, \
                 updated_at = $2 WHERE id = $3 AND version = $4",
                vec![
                    status.into(),
                    crate::infra::clock::now_ms().into(),
                    r.id.into(),
                    r.version.into(),
                ],
            )
            .await?;
            if n == 0 {
                return Err(AppError::stale());
            }
            (input.kind.as_str(), None, status)
        }
        _ => {
            return Err(AppError::bad(
                "invalid_input",
                "变动类型只能是 transfer（迁往他户）、out（迁出）或 deceased（死亡注销）",
            ));
        }
    };
    record_move(
        &txn,
        c,
        &r,
        kind,
        from.as_ref(),
        to.as_ref(),
        &on.to_string(),
        reason,
    )
    .await?;
    for h in [from.as_ref(), to.as_ref()].into_iter().flatten() {
        sync_head(&txn, h.id).await?;
    }
    audit::record(
        &txn,
        &c.who,
        Entry {
            org_path: &stored_path(
                &to.as_ref()
                    .map_or(r.org_path.clone(), |h| h.org_path.clone()),
            )?,
            action: "move",
            entity: "resident",
            entity_id: Some(r.id),
            summary: format!(
                "{}：{}{}{}",
                move_label(kind),
                r.name,
                from.as_ref()
                    .map_or(String::new(), |h| format!("，自 {}", h.address)),
                to.as_ref()
                    .map_or(String::new(), |h| format!("，至 {}", h.address)),
            ),
            changes: json!({"status": status, "reason": reason, "on": on.to_string()}),
        },
    )
    .await?;
    let row = resident::Entity::find_by_id(r.id)
        .one(&txn)
        .await?
        .ok_or_else(not_found)?;
    txn.commit().await?;
    Ok(row)
}

/// A resident's moves, newest first.
pub async fn moves_of(
    db: &impl ConnectionTrait,
    resident_ids: &[i64],
) -> AppResult<Vec<movement::Model>> {
    if resident_ids.is_empty() {
        return Ok(Vec::new());
    }
    Ok(movement::Entity::find()
        .filter(movement::Column::ResidentId.is_in(resident_ids.to_vec()))
        .order_by_desc(movement::Column::At)
        .order_by_desc(movement::Column::Id)
        .limit(200)
        .all(db)
        .await?)
}

/// A resident's full ID number and phone, for whoever may see them; every call is audited
/// (who, whose, when), and the audit entry holds no full value.
#[derive(Debug, Serialize)]
pub struct Revealed {
    pub id: i64,
    pub name: String,
    pub id_number: String,
    pub phone: Option<String>,
}

/// Opens a resident's ID number and phone (see [`Revealed`]).
pub async fn reveal(st: &PeopleState, c: &Caller, id: i64) -> AppResult<Revealed> {
    c.require(Permission::PeopleFullView)?;
    let r = find(&st.db, c, id).await?;
    let id_number = st.vault.unseal(Field::IdNumber, &r.id_sealed)?;
    let phone = r
        .phone_sealed
        .as_deref()
        .map(|s| st.vault.unseal(Field::Phone, s))
        .transpose()?;
    audit::record(
        &st.db,
        &c.who,
        Entry {
            org_path: &stored_path(&r.org_path)?,
            action: "reveal",
            entity: "resident",
            entity_id: Some(r.id),
            summary: format!("查看居民 {} 的完整身份证号和电话", r.name),
            changes: json!({}),
        },
    )
    .await?;
    Ok(Revealed {
        id: r.id,
        name: r.name,
        id_number,
        phone,
    })
}

// ---------------------------------------------------------------------------------------------
// Search

impl Filter {
    /// The filter as a query string (for links and the audit log).
    pub fn query_string(&self) -> String {
        crate::web::query_string(&[
            ("q", self.q.clone()),
            ("org", self.org.map(|i| i.to_string()).unwrap_or_default()),
            ("tag", self.tag.clone()),
            ("age", self.age.clone()),
            ("residence", self.residence.clone()),
            ("status", self.status.clone()),
            (
                "party",
                if self.party {
                    "true".into()
                } else {
                    String::new()
                },
            ),
        ])
    }
}

/// Filters of the registry's lists.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(default)]
pub struct Filter {
    /// A name, pinyin initials, the last 4 characters of an ID number or phone, a whole ID
    /// number or phone, or part of an address.
    pub q: String,
    /// Only this node's subtree (a community, grid or building).
    pub org: Option<i64>,
    /// Only residents with this tag (its name).
    pub tag: String,
    /// `minor`, `adult`, `senior` or `aged`.
    pub age: String,
    /// `registered`, `floating` or `overseas`.
    pub residence: String,
    /// `active` (default), `moved_out`, `deceased` or `all`.
    pub status: String,
    /// Only party members.
    pub party: bool,
    pub page: Option<u64>,
    pub per_page: Option<u64>,
}

/// What a search text is: the classification decides which index answers it.
#[derive(Debug, PartialEq, Eq)]
pub enum Needle {
    /// A whole, valid ID number.
    IdNumber(IdNumber),
    /// A whole mobile or landline.
    Phone(Phone),
    /// The last four characters of an ID number or phone.
    Tail(String),
    /// Pinyin initials (lower-case).
    Initials(String),
    /// Part of an address.
    Address(String),
    /// The start of a name.
    Name(String),
}

/// Classifies a search text (see [`Needle`]).
pub fn classify(q: &str) -> Option<Needle> {
    let q = q.trim();
    if q.is_empty() {
        return None;
    }
    let compact: String = q
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '-')
        .collect();
    if compact.len() == 18
        && let Ok(id) = IdNumber::parse(&compact)
    {
        return Some(Needle::IdNumber(id));
    }
    let digits = compact.bytes().all(|b| b.is_ascii_digit());
    if digits
        && (7..=12).contains(&compact.len())
        && let Ok(p) = Phone::parse(q)
    {
        return Some(Needle::Phone(p));
    }
    let nospace: String = q.chars().filter(|c| !c.is_whitespace()).collect();
    if nospace.len() == 4
        && nospace
            .bytes()
            .enumerate()
            .all(|(i, b)| b.is_ascii_digit() || (i == 3 && (b == b'X' || b == b'x')))
    {
        return Some(Needle::Tail(nospace.to_ascii_uppercase()));
    }
    if q.bytes().all(|b| b.is_ascii_alphabetic()) {
        return Some(Needle::Initials(q.to_ascii_lowercase()));
    }
    const MARKS: [char; 12] = [
        '幢', '栋', '号', '室', '单', '元', '路', '街', '巷', '弄', '组', '楼',
    ];
    if q.chars().any(|c| c.is_ascii_digit() || MARKS.contains(&c)) {
        return Some(Needle::Address(q.to_owned()));
    }
    Some(Needle::Name(q.to_owned()))
}

/// A `LIKE` pattern for a literal prefix: the wildcards `%` and `_` are dropped from what was
/// typed (no name, initials or address needs them), so the pattern stays a plain prefix that
/// the index answers.
fn prefix(s: &str) -> String {
    let mut out: String = s.chars().filter(|c| !matches!(c, '%' | '_')).collect();
    out.push('%');
    out
}

fn like(col: &'static str, pattern: String) -> sea_orm::sea_query::SimpleExpr {
    Expr::col(col).like(pattern)
}

/// Where an address fragment points. Buildings are few, so their names are matched first: a
/// text that names buildings (柳岸社区6幢1-601 names 6幢; 3幢 names every 3幢) picks their
/// residents by the buildings' paths, and what follows the name is the start of a room. Only a
/// text that names no building is looked for anywhere in the households' addresses.
async fn address_cond(st: &PeopleState, c: &Caller, q: &str) -> AppResult<Condition> {
    let buildings: Vec<(i64, String, String)> = node::Entity::find()
        .select_only()
        .column(node::Column::Id)
        .column(node::Column::Name)
        .column(node::Column::Path)
        .filter(node::Column::Level.eq(OrgLevel::Building.as_str()))
        .filter(c.scope_cond("path"))
        .into_tuple()
        .all(&st.db)
        .await?;
    let compact: String = q.chars().filter(|ch| !ch.is_whitespace()).collect();
    // The longest building name the text contains, and every building of that name.
    let best = buildings
        .iter()
        .filter(|(_, name, _)| !name.is_empty() && compact.contains(name.as_str()))
        .map(|(_, name, _)| name.chars().count())
        .max();
    let Some(len) = best else {
        let mut sub = SqlQuery::select();
        sub.column("id")
            .from("households")
            .and_where(like("address", format!("%{}", prefix(q.trim()))));
        if let Some(s) = &c.scope {
            sub.and_where(crate::infra::db::in_scope("org_path", s));
        }
        return Ok(Condition::all().add(resident::Column::HouseholdId.in_subquery(sub.to_owned())));
    };
    let named: Vec<&(i64, String, String)> = buildings
        .iter()
        .filter(|(_, name, _)| name.chars().count() == len && compact.contains(name.as_str()))
        .collect();
    let room = named
        .first()
        .and_then(|(_, name, _)| compact.split_once(name.as_str()))
        .map(|(_, rest)| rest.trim_start_matches(['-', '#', '号']).to_owned())
        .unwrap_or_default();
    if room.is_empty() {
        return Ok(Condition::all()
            .add(resident::Column::OrgPath.is_in(named.iter().map(|(_, _, p)| p.clone()))));
    }
    let mut sub = SqlQuery::select();
    sub.column("id")
        .from("households")
        .and_where(Expr::col("building_id").is_in(named.iter().map(|(id, _, _)| *id)))
        .and_where(like("room", prefix(&room)));
    Ok(Condition::all().add(resident::Column::HouseholdId.in_subquery(sub.to_owned())))
}

/// A page of residents.
#[derive(Debug, Serialize)]
pub struct Page {
    pub items: Vec<ResidentView>,
    /// How many match (counted up to [`COUNT_CAP`]).
    pub total: u64,
    pub total_capped: bool,
    pub page: u64,
    pub per_page: u64,
    /// How the search text was read (姓名 / 拼音首字母 / 证件尾号 …), for the page to say.
    pub matched_by: &'static str,
}

/// The condition and the order a filter asks for.
async fn filter_cond(
    st: &PeopleState,
    c: &Caller,
    f: &Filter,
) -> AppResult<(Condition, Vec<resident::Column>, &'static str)> {
    c.require(Permission::PeopleView)?;
    let mut cond = c.scope_cond("org_path");
    if let Some(org) = f.org {
        let n = crate::org::service::find(&st.db, c, org).await?;
        cond = cond.add(like("org_path", prefix(&n.path)));
    }
    match f.status.as_str() {
        "" | ACTIVE => cond = cond.add(resident::Column::Status.eq(ACTIVE)),
        MOVED_OUT | DECEASED => cond = cond.add(resident::Column::Status.eq(f.status.as_str())),
        "all" => {}
        other => {
            return Err(AppError::bad(
                "invalid_input",
                format!("未知的状态“{other}”"),
            ));
        }
    }
    if !f.tag.trim().is_empty() {
        let all = tags(&st.db).await?;
        let ids = tag_ids(&all, &[f.tag.trim().to_owned()])?;
        cond = cond.add(
            resident::Column::Id.in_subquery(
                SqlQuery::select()
                    .column("resident_id")
                    .from("resident_tags")
                    .and_where(Expr::col("tag_id").eq(ids[0]))
                    .to_owned(),
            ),
        );
    }
    if !f.age.trim().is_empty() {
        let band = AgeBand::parse(&f.age)
            .ok_or_else(|| AppError::bad("invalid_input", format!("未知的年龄段“{}”", f.age)))?;
        let (after, upto) = band.births(today());
        cond = cond.add(resident::Column::BirthDate.lte(upto.to_string()));
        if let Some(a) = after {
            cond = cond.add(resident::Column::BirthDate.gt(a.to_string()));
        }
    }
    if !f.residence.trim().is_empty() {
        let r = ResidenceStatus::parse(&f.residence).ok_or_else(|| {
            AppError::bad("invalid_input", format!("未知的人口类型“{}”", f.residence))
        })?;
        cond = cond.add(resident::Column::Residence.eq(r.as_str()));
    }
    if f.party {
        cond = cond.add(resident::Column::Political.is_in([
            PoliticalStatus::PartyMember.as_str(),
            PoliticalStatus::ProbationaryMember.as_str(),
        ]));
    }
    let v = &st.vault;
    let (order, by) = match classify(&f.q) {
        // By place, then in pinyin order (the initials sort as a dictionary would, roughly).
        None => (
            vec![
                resident::Column::OrgPath,
                resident::Column::Initials,
                resident::Column::Name,
            ],
            "",
        ),
        Some(Needle::IdNumber(id)) => {
            cond = cond.add(resident::Column::IdBlind.eq(v.blind(Field::IdNumber, id.expose())));
            (vec![resident::Column::Name], "身份证号")
        }
        Some(Needle::Phone(p)) => {
            cond = cond.add(resident::Column::PhoneBlind.eq(v.blind(Field::Phone, p.expose())));
            (vec![resident::Column::Name], "电话")
        }
        Some(Needle::Tail(t)) => {
            cond = cond.add(
                Condition::any()
                    .add(resident::Column::IdTail.eq(v.blind(Field::IdTail, &t)))
                    .add(resident::Column::PhoneTail.eq(v.blind(Field::PhoneTail, &t))),
            );
            (vec![resident::Column::Name], "身份证号或电话尾号")
        }
        Some(Needle::Initials(i)) => {
            cond = cond.add(like("initials", prefix(&i)));
            (
                vec![resident::Column::Initials, resident::Column::Name],
                "拼音首字母",
            )
        }
        Some(Needle::Address(a)) => {
            cond = cond.add(address_cond(st, c, &a).await?);
            (
                vec![
                    resident::Column::OrgPath,
                    resident::Column::Initials,
                    resident::Column::Name,
                ],
                "地址",
            )
        }
        Some(Needle::Name(n)) => {
            cond = cond.add(like("name", prefix(&n)));
            (vec![resident::Column::Name], "姓名")
        }
    };
    Ok((cond, order, by))
}

/// Searches and lists residents in the caller's scope.
pub async fn search(st: &PeopleState, c: &Caller, f: &Filter) -> AppResult<Page> {
    let (cond, order, matched_by) = filter_cond(st, c, f).await?;
    let paging = wangge_core::validate::Paging::new(f.page, f.per_page, 30)?;
    let (page, per_page) = (paging.page, paging.per_page);
    let ids = resident::Entity::find()
        .select_only()
        .column(resident::Column::Id)
        .filter(cond.clone())
        .into_query();
    let mut q = resident::Entity::find().filter(cond);
    for col in order {
        q = q.order_by_asc(col);
    }
    let q = q
        .order_by_asc(resident::Column::Id)
        .offset((page - 1) * per_page)
        .limit(per_page);
    // A list by place (no search text) walks the place index. SQLite's planner, seeing the
    // path inside the name indexes too, would otherwise scan a name index for the count.
    let by_place = matched_by.is_empty()
        && crate::infra::db::backend(&st.db) == crate::infra::db::Backend::Sqlite;
    let planned = if by_place {
        by_path_index(&st.db, ids.clone(), q.clone()).await.ok()
    } else {
        None
    };
    let (counted, rows) = match planned {
        Some(x) => x,
        // Without the hint (another backend, or the index is being rebuilt by a bulk import).
        None => (
            crate::infra::db::capped_count(&st.db, ids, COUNT_CAP).await?,
            q.all(&st.db).await?,
        ),
    };
    Ok(Page {
        items: views(st, &rows).await?,
        total: std::cmp::min(counted, COUNT_CAP),
        total_capped: counted > COUNT_CAP,
        page,
        per_page,
        matched_by,
    })
}

/// The capped count and the page of a list by place, both read through `ix_residents_path`.
async fn by_path_index(
    db: &sea_orm::DatabaseConnection,
    mut ids: sea_orm::sea_query::SelectStatement,
    page: sea_orm::Select<resident::Entity>,
) -> Result<(u64, Vec<resident::Model>), sea_orm::DbErr> {
    const FROM: &str = r#"FROM "residents" "#;
    const HINTED: &str = r#"FROM "residents" INDEXED BY "ix_residents_path" "#;
    ids.limit(COUNT_CAP + 1);
    let (sql, values) = ids.build(sea_orm::sea_query::SqliteQueryBuilder);
    let count = sea_orm::Statement::from_sql_and_values(
        sea_orm::DbBackend::Sqlite,
        format!("SELECT COUNT(*) FROM ({})", sql.replacen(FROM, HINTED, 1)),
        values,
    );
    let counted = db.query_one_raw(count).await?.map_or(0, |r| {
        r.try_get_by_index::<i64>(0)
            .ok()
            .and_then(|v| u64::try_from(v).ok())
            .unwrap_or(0)
    });
    let mut stmt = page.build(sea_orm::DbBackend::Sqlite);
    stmt.sql = stmt.sql.replacen(FROM, HINTED, 1);
    let rows = resident::Entity::find().from_raw_sql(stmt).all(db).await?;
    Ok((counted, rows))
}

/// The most rows one export holds.
pub const EXPORT_MAX: u64 = 100_000;

/// The export's columns.
pub const EXPORT_HEADERS: [&str; 14] = [
    "住址",
    "与户主关系",
    "姓名",
    "性别",
    "民族",
    "公民身份号码",
    "出生日期",
    "联系电话",
    "人口类型",
    "政治面貌",
    "工作单位",
    "标签",
    "状态",
    "备注",
];

/// The filtered registry as rows of [`EXPORT_HEADERS`]: masked, or with the full ID numbers
/// and phones for whoever may see them (`full`; written to the audit log).
pub async fn export(
    st: &PeopleState,
    c: &Caller,
    f: &Filter,
    full: bool,
) -> AppResult<Vec<Vec<String>>> {
    c.require(Permission::PeopleImport)?;
    if full {
        c.require(Permission::PeopleFullView)?;
    }
    let rows = export_rows(st, c, f, EXPORT_MAX).await?;
    let mut out = Vec::with_capacity(rows.len());
    for chunk in rows.chunks(1000) {
        let views = views(st, chunk).await?;
        for (m, v) in chunk.iter().zip(views) {
            let (id, phone) = if full {
                let id = st.vault.unseal(Field::IdNumber, &m.id_sealed)?;
                let phone = m
                    .phone_sealed
                    .as_deref()
                    .map(|s| st.vault.unseal(Field::Phone, s))
                    .transpose()?
                    .unwrap_or_default();
                (id, phone)
            } else {
                (v.id_number.clone(), v.phone.clone())
            };
            out.push(vec![
                v.address.clone(),
                v.relation.to_owned(),
                v.name.clone(),
                v.gender.to_owned(),
                v.ethnicity.to_owned(),
                id,
                v.birth_date.clone(),
                phone,
                v.residence.to_owned(),
                v.political.to_owned(),
                v.work_unit.clone(),
                v.tags.join("、"),
                v.status_label.to_owned(),
                v.note.clone(),
            ]);
        }
    }
    if full {
        let root = c.audit_root(&st.db).await?;
        audit::record(
            &st.db,
            &c.who,
            Entry {
                org_path: &root,
                action: "export_full",
                entity: "resident",
                entity_id: None,
                summary: format!("导出 {} 位居民的完整身份证号和电话", out.len()),
                changes: json!({"filter": f.query_string(), "rows": out.len()}),
            },
        )
        .await?;
    }
    Ok(out)
}

/// Every resident matching a filter, for the export (at most `limit` rows).
pub async fn export_rows(
    st: &PeopleState,
    c: &Caller,
    f: &Filter,
    limit: u64,
) -> AppResult<Vec<resident::Model>> {
    let (cond, order, _) = filter_cond(st, c, f).await?;
    let mut q = resident::Entity::find().filter(cond);
    for col in order {
        q = q.order_by_asc(col);
    }
    Ok(q.order_by_asc(resident::Column::Id)
        .limit(limit)
        .all(&st.db)
        .await?)
}

/// The members of a household, the head first.
pub async fn members(
    st: &PeopleState,
    household: &household::Model,
) -> AppResult<Vec<ResidentView>> {
    let mut rows = resident::Entity::find()
        .filter(resident::Column::HouseholdId.eq(household.id))
        .filter(resident::Column::Status.eq(ACTIVE))
        .order_by_asc(resident::Column::BirthDate)
        .all(&st.db)
        .await?;
    let rank = |r: &resident::Model| {
        Relation::parse(&r.relation)
            .and_then(|x| Relation::ALL.iter().position(|y| *y == x))
            .unwrap_or(99)
    };
    rows.sort_by_key(|r| rank(r));
    views(st, &rows).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn search_text_picks_its_index() {
        assert!(matches!(
            classify("11010519491231002X"),
            Some(Needle::IdNumber(_))
        ));
        assert!(matches!(classify("138 0013 5678"), Some(Needle::Phone(_))));
        assert_eq!(classify("002x"), Some(Needle::Tail("002X".into())));
        assert_eq!(classify("5678"), Some(Needle::Tail("5678".into())));
        assert_eq!(classify("ZSF"), Some(Needle::Initials("zsf".into())));
        assert_eq!(classify("3幢"), Some(Needle::Address("3幢".into())));
        assert_eq!(classify("2-301"), Some(Needle::Address("2-301".into())));
        assert_eq!(
            classify("柳岸 2-301"),
            Some(Needle::Address("柳岸 2-301".into()))
        );
        assert_eq!(classify(" 张三 "), Some(Needle::Name("张三".into())));
        assert_eq!(classify("  "), None);
        // A wrong check digit is not an ID number: it is searched as an address fragment.
        assert!(matches!(
            classify("110105194912310021"),
            Some(Needle::Address(_))
        ));
    }

    #[test]
    fn like_prefix_escapes_wildcards() {
        assert_eq!(prefix("张"), "张%");
        assert_eq!(prefix("a%b_c!"), "abc!%");
    }

    #[test]
    fn rooms_sort_as_people_read_them() {
        let mut rooms = vec!["10-101", "2-101", "2-1001", "2-201", "东3户"];
        rooms.sort_by_key(|r| natural_key(r));
        assert_eq!(rooms, ["2-101", "2-201", "2-1001", "10-101", "东3户"]);
    }
}
