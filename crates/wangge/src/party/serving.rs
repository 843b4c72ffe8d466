//! 双报到 and 双报告: the units that serve an area under an agreement (共驻共建协议, with its
//! 需求清单, 资源清单 and 项目清单); in-service members registered with the community where
//! they live; the community's service needs, members' sign-ups, and the hours the community
//! confirms; each member's yearly record for the work unit. The rules are the core's
//! (`wangge_core::party::serve`); every write is audited in its transaction.
//!
//! Who sees what: a unit, a need and a registration belong to a node (a unit and a need to the
//! street or community they serve; a registration to the member's home), and are seen through
//! the scope as everything else; a member sees their own registration, the needs of the
//! community they registered with, and their own sign-ups.

use super::entity::{party_member, party_need, party_registration, party_signup, party_unit};
use super::members::{date_of, manages_members as staff};
use super::wishes::display_name;
use crate::infra::audit::{self, Entry};
use crate::infra::clock::{bj, now_ms, today};
use crate::infra::db::{begin_write, exec, lock_row};
use crate::infra::error::{AppError, AppResult, stored_path};
use crate::infra::vault::Field;
use crate::org::entity::node;
use crate::people::entity::resident;
use crate::web::{Base, Caller};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, Set,
};
use serde::{Deserialize, Serialize};
use serde_json::json;
use std::collections::HashMap;
use wangge_core::party::serve::{self as rules, SignUp, SignUpStep, UnitKind};
use wangge_core::validate::{self, Lines};
use wangge_core::{OrgLevel, OrgPath, Permission};

fn unit_not_found() -> AppError {
    AppError::NotFound("共建单位不存在".into())
}

fn registration_not_found() -> AppError {
    AppError::NotFound("报到记录不存在".into())
}

fn need_not_found() -> AppError {
    AppError::NotFound("服务需求不存在".into())
}

fn signup_not_found() -> AppError {
    AppError::NotFound("报名记录不存在".into())
}

/// A date a form sent, or a clear refusal naming the field.
fn date_field(what: &str, s: &str) -> AppResult<chrono::NaiveDate> {
    date_of(s.trim()).ok_or_else(|| AppError::bad("bad_date", format!("请填写{what}（年-月-日）")))
}

/// The street or community a unit or need belongs to: the one named (in the caller's scope,
/// a street or community), or the caller's own node when that is one.
pub(super) async fn serving_node(
    db: &impl ConnectionTrait,
    c: &Caller,
    named: Option<i64>,
) -> AppResult<node::Model> {
    let id = match (named, &c.scope) {
        (Some(n), _) => n,
        (None, Some(sc)) => sc.root().ids().last().copied().unwrap_or_default(),
        (None, None) => return Err(AppError::bad("no_node", "请选择街道或社区")),
    };
    let n = crate::org::service::find(db, c, id).await?;
    match OrgLevel::parse(&n.level) {
        Some(OrgLevel::Township | OrgLevel::Community) => Ok(n),
        _ => Err(AppError::bad("bad_node", "请选择街道（乡镇）或社区（村）")),
    }
}

// ---------------------------------------------------------------------------------------------
// Units (驻区单位) and their agreements

/// What a form or the API sends to register a unit or change its agreement.
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(default)]
pub struct UnitInput {
    /// The street or community it serves (the caller's own node when none).
    pub org_node_id: Option<i64>,
    /// 单位名称.
    pub name: String,
    /// agency, state_firm, firm, society, institution, other.
    pub kind: String,
    /// 单位党组织.
    pub party_org_name: String,
    /// 地址.
    pub address: String,
    /// 联系人.
    pub contact_name: String,
    /// 联系电话.
    pub contact_phone: String,
    /// 协议签订日期.
    pub signed_on: String,
    /// 协议有效期至 (optional).
    pub until: String,
    /// 需求清单: one item a line.
    pub needs: String,
    /// 资源清单: one item a line.
    pub resources: String,
    /// 项目清单: one item a line.
    pub projects: String,
    /// The version the caller saw (changes only).
    pub version: Option<i32>,
}

/// A unit as shown.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct UnitView {
    pub id: i64,
    pub org_node_id: i64,
    pub node_name: String,
    pub name: String,
    pub kind: String,
    pub kind_label: &'static str,
    pub party_org_name: String,
    pub address: String,
    pub contact_name: String,
    /// Masked (138****0000); the unit's page shows it whole to those who manage it.
    pub contact_phone: String,
    pub signed_on: String,
    pub until: Option<String>,
    /// Whether the agreement has run out (its end date is past).
    pub expired: bool,
    pub needs: Vec<String>,
    pub resources: Vec<String>,
    pub projects: Vec<String>,
    pub status: String,
    pub left_on: Option<String>,
    pub left_reason: String,
    /// In-service members of the unit registered in the caller's sight.
    pub members: u64,
    pub version: i32,
}

fn lines(s: &str) -> Vec<String> {
    s.lines()
        .filter(|l| !l.trim().is_empty())
        .map(str::to_owned)
        .collect()
}

async fn unit_views(
    st: &Base,
    c: &Caller,
    rows: Vec<party_unit::Model>,
) -> AppResult<Vec<UnitView>> {
    let nodes = super::service::node_names(&st.db, rows.iter().map(|r| r.org_node_id)).await?;
    let mut counts: HashMap<i64, u64> = HashMap::new();
    if !rows.is_empty() {
        for r in party_registration::Entity::find()
            .filter(party_registration::Column::UnitId.is_in(rows.iter().map(|r| r.id)))
            .filter(party_registration::Column::Status.eq("active"))
            .filter(c.scope_cond("org_path"))
            .all(&st.db)
            .await?
        {
            *counts.entry(r.unit_id.unwrap_or_default()).or_default() += 1;
        }
    }
    let day = today().to_string();
    Ok(rows
        .into_iter()
        .map(|r| UnitView {
            id: r.id,
            org_node_id: r.org_node_id,
            node_name: nodes.get(&r.org_node_id).cloned().unwrap_or_default(),
            kind_label: UnitKind::parse(&r.kind).map_or("", UnitKind::label),
            contact_phone: if r.contact_phone.is_empty() {
                String::new()
            } else {
                st.vault.masked_phone(&r.contact_phone)
            },
            expired: r.until.as_deref().is_some_and(|u| u < day.as_str()),
            needs: lines(&r.needs),
            resources: lines(&r.resources),
            projects: lines(&r.projects),
            members: counts.get(&r.id).copied().unwrap_or(0),
            name: r.name,
            kind: r.kind,
            party_org_name: r.party_org_name,
            address: r.address,
            contact_name: r.contact_name,
            signed_on: r.signed_on,
            until: r.until,
            status: r.status,
            left_on: r.left_on,
            left_reason: r.left_reason,
            version: r.version,
        })
        .collect())
}

/// What the list of units shows.
#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[serde(default)]
#[into_params(parameter_in = Query)]
pub struct UnitFilter {
    /// Also the units that left (退出共建).
    pub all: bool,
}

/// The units of the caller's subtree, by node and name.
pub async fn units(st: &Base, c: &Caller, f: &UnitFilter) -> AppResult<Vec<UnitView>> {
    c.require(Permission::PartyView)?;
    let mut q = party_unit::Entity::find().filter(c.scope_cond("org_path"));
    if !f.all {
        q = q.filter(party_unit::Column::Status.eq("active"));
    }
    let rows = q
        .order_by_asc(party_unit::Column::OrgPath)
        .order_by_asc(party_unit::Column::Name)
        .all(&st.db)
        .await?;
    unit_views(st, c, rows).await
}

async fn find_unit(db: &impl ConnectionTrait, c: &Caller, id: i64) -> AppResult<party_unit::Model> {
    c.require(Permission::PartyView)?;
    party_unit::Entity::find_by_id(id)
        .filter(c.scope_cond("org_path"))
        .one(db)
        .await?
        .ok_or_else(unit_not_found)
}

/// One unit of the caller's subtree.
pub async fn unit(st: &Base, c: &Caller, id: i64) -> AppResult<UnitView> {
    let row = find_unit(&st.db, c, id).await?;
    unit_views(st, c, vec![row])
        .await?
        .pop()
        .ok_or_else(unit_not_found)
}

/// A unit's contact phone in full, for those who manage it (the unit's page).
pub async fn unit_phone(st: &Base, c: &Caller, id: i64) -> AppResult<String> {
    if !staff(c) {
        return Err(AppError::no_permission());
    }
    let row = find_unit(&st.db, c, id).await?;
    if row.contact_phone.is_empty() {
        return Ok(String::new());
    }
    Ok(st.vault.unseal(Field::Phone, &row.contact_phone)?)
}

/// The checked fields of a unit.
struct UnitFields {
    name: String,
    kind: UnitKind,
    party_org_name: String,
    address: String,
    contact_name: String,
    contact_phone: String,
    signed_on: String,
    until: Option<String>,
    needs: String,
    resources: String,
    projects: String,
}

fn unit_fields(st: &Base, input: &UnitInput) -> AppResult<UnitFields> {
    let name = validate::text("单位名称", &input.name, 60, Lines::One, true)?;
    let kind = UnitKind::parse(&input.kind).ok_or_else(|| {
        AppError::bad(
            "bad_kind",
            "请选择单位类别：机关事业单位、国有企业、非公企业、社会组织、学校医院或其他单位",
        )
    })?;
    let party_org_name =
        validate::text("单位党组织", &input.party_org_name, 60, Lines::One, false)?;
    let address = validate::text("地址", &input.address, 120, Lines::One, false)?;
    let contact_name = validate::text("联系人", &input.contact_name, 30, Lines::One, false)?;
    let contact_phone = match input.contact_phone.trim() {
        "" => String::new(),
        p => {
            let p = crate::cases::intake::parse_phone(p)?;
            st.vault.seal(Field::Phone, &p)?
        }
    };
    let signed = date_field("协议签订日期", &input.signed_on)?;
    if signed > today() {
        return Err(AppError::bad("bad_date", "协议签订日期不能晚于今天"));
    }
    let until = match input.until.trim() {
        "" => None,
        u => {
            let u = date_field("协议有效期", u)?;
            if u <= signed {
                return Err(AppError::bad("bad_date", "协议有效期须晚于签订日期"));
            }
            Some(u.to_string())
        }
    };
    let list = |what: &str, raw: &str| {
        rules::list_items(what, raw)
            .map(|v| v.join("\n"))
            .map_err(|e| AppError::bad("bad_list", e))
    };
    Ok(UnitFields {
        name,
        kind,
        party_org_name,
        address,
        contact_name,
        contact_phone,
        signed_on: signed.to_string(),
        until,
        needs: list("需求清单", &input.needs)?,
        resources: list("资源清单", &input.resources)?,
        projects: list("项目清单", &input.projects)?,
    })
}

/// Registers a unit with the street or community it serves, with its agreement.
pub async fn register_unit(
    st: &Base,
    c: &Caller,
    input: UnitInput,
) -> AppResult<party_unit::Model> {
    if !staff(c) {
        return Err(AppError::no_permission());
    }
    let f = unit_fields(st, &input)?;
    let at = serving_node(&st.db, c, input.org_node_id).await?;
    let tx = begin_write(&st.db).await?;
    let row = party_unit::ActiveModel {
        org_node_id: Set(at.id),
        org_path: Set(at.path.clone()),
        name: Set(f.name.clone()),
        kind: Set(f.kind.as_str().into()),
        party_org_name: Set(f.party_org_name),
        address: Set(f.address),
        contact_name: Set(f.contact_name),
        contact_phone: Set(f.contact_phone),
        signed_on: Set(f.signed_on),
        until: Set(f.until),
        needs: Set(f.needs),
        resources: Set(f.resources),
        projects: Set(f.projects),
        status: Set("active".into()),
        left_on: Set(None),
        left_reason: Set(String::new()),
        actor_name: Set(display_name(&tx, c).await?),
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
            org_path: &stored_path(&at.path)?,
            action: "create",
            entity: "party_unit",
            entity_id: Some(row.id),
            summary: format!("登记共建单位“{}”，签订共驻共建协议", f.name),
            changes: json!({"kind": f.kind.as_str(), "signed_on": row.signed_on}),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(row)
}

/// Changes a unit's details and agreement (its node stays).
pub async fn update_unit(
    st: &Base,
    c: &Caller,
    id: i64,
    input: UnitInput,
) -> AppResult<party_unit::Model> {
    if !staff(c) {
        return Err(AppError::no_permission());
    }
    let f = unit_fields(st, &input)?;
    let tx = begin_write(&st.db).await?;
    let old = find_unit(&tx, c, id).await?;
    if old.status != "active" {
        return Err(AppError::bad("left", "该单位已退出共建，不能修改"));
    }
    if input.version.is_some_and(|v| v != old.version) {
        return Err(AppError::stale());
    }
    // An empty phone field keeps the stored one (the form never shows it whole).
    let phone = if f.contact_phone.is_empty() {
        old.contact_phone.clone()
    } else {
        f.contact_phone
    };
    let n = exec(
        &tx,
        "UPDATE party_units SET name = $1, kind = $2, party_org_name = $3, address = $4, \
         contact_name = $5, contact_phone = $6, signed_on = $7, until = $8, needs = $9, \
         resources = $10, projects = $11, version = version + 1 WHERE id = $12 AND version = $13",
        vec![
            f.name.clone().into(),
            f.kind.as_str().into(),
            f.party_org_name.into(),
            f.address.into(),
            f.contact_name.into(),
            phone.into(),
            f.signed_on.into(),
            f.until.into(),
            f.needs.into(),
            f.resources.into(),
            f.projects.into(),
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
            entity: "party_unit",
            entity_id: Some(old.id),
            summary: format!("修改共建单位“{}”的信息和协议", f.name),
            changes: json!({"name": f.name}),
        },
    )
    .await?;
    let row = find_unit(&tx, c, id).await?;
    tx.commit().await?;
    Ok(row)
}

/// Changes only the fields a JSON body names (the API's PATCH); the rest keep their values.
pub async fn patch_unit(
    st: &Base,
    c: &Caller,
    id: i64,
    body: serde_json::Value,
) -> AppResult<party_unit::Model> {
    let old = find_unit(&st.db, c, id).await?;
    let mut merged = json!({
        "name": old.name, "kind": old.kind, "party_org_name": old.party_org_name,
        "address": old.address, "contact_name": old.contact_name, "contact_phone": "",
        "signed_on": old.signed_on, "until": old.until.unwrap_or_default(), "needs": old.needs,
        "resources": old.resources, "projects": old.projects,
    });
    let Some(given) = body.as_object() else {
        return Err(AppError::bad("bad_json", "请求体应为 JSON 对象"));
    };
    if let Some(m) = merged.as_object_mut() {
        for (k, v) in given {
            m.insert(k.clone(), v.clone());
        }
    }
    let input: UnitInput = serde_json::from_value(merged)
        .map_err(|e| AppError::bad("bad_json", format!("请求体字段无效：{e}")))?;
    update_unit(st, c, id, input).await
}

/// Why and when a unit leaves (退出共建).
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(default)]
pub struct LeaveInput {
    /// 原因.
    pub reason: String,
    /// 日期.
    pub on: String,
}

/// A unit leaves the joint work; its history stays.
pub async fn leave_unit(
    st: &Base,
    c: &Caller,
    id: i64,
    input: LeaveInput,
) -> AppResult<party_unit::Model> {
    if !staff(c) {
        return Err(AppError::no_permission());
    }
    let reason = validate::text("退出原因", &input.reason, 300, Lines::Many, true)?;
    let on = super::members::required_date("退出日期", &input.on)?;
    let tx = begin_write(&st.db).await?;
    let old = find_unit(&tx, c, id).await?;
    if old.status != "active" {
        return Err(AppError::bad("left", "该单位已退出共建"));
    }
    if on.to_string() < old.signed_on {
        return Err(AppError::bad("bad_date", "退出日期不能早于协议签订日期"));
    }
    exec(
        &tx,
        "UPDATE party_units SET status = 'left', left_on = $1, left_reason = $2, \
         version = version + 1 WHERE id = $3",
        vec![on.to_string().into(), reason.clone().into(), old.id.into()],
    )
    .await?;
    audit::record(
        &tx,
        &c.who,
        Entry {
            org_path: &stored_path(&old.org_path)?,
            action: "end",
            entity: "party_unit",
            entity_id: Some(old.id),
            summary: format!("共建单位“{}”退出共建", old.name),
            changes: json!({"reason": reason, "on": on.to_string()}),
        },
    )
    .await?;
    let row = find_unit(&tx, c, id).await?;
    tx.commit().await?;
    Ok(row)
}

// ---------------------------------------------------------------------------------------------
// In-service members (在职党员到社区报到)

/// What a form or the API sends to register an in-service member.
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(default)]
pub struct RegistrationInput {
    /// The resident (staff only; a member registers themself).
    pub resident_id: Option<i64>,
    /// 工作单位.
    pub work_unit: String,
    /// The registered unit they work for, if it is one.
    pub unit_id: Option<i64>,
    /// 组织关系所在党组织.
    pub home_branch: String,
}

/// A registration as shown: the member's name, their community and unit; never an ID number or
/// a phone.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct RegistrationView {
    pub id: i64,
    pub resident_id: i64,
    pub name: String,
    pub community_id: i64,
    pub community_name: String,
    pub work_unit: String,
    pub unit_id: Option<i64>,
    pub home_branch: String,
    pub registered_on: String,
    pub status: String,
    pub ended_on: Option<String>,
    /// Whether the member signs up themself (their account is linked).
    pub has_account: bool,
    /// Hours confirmed this year (the yearly record's total).
    pub hours_this_year: String,
}

/// The confirmed hours (in tenths) of registrations in a year, by registration: the sum of
/// `hours_tenths` over sign-ups in state `confirmed` whose need's date falls in the year. This
/// is the figure the record and the lists print, recounted from the rows by
/// `tests/it/party_serve.rs`.
pub async fn confirmed_tenths(
    db: &impl ConnectionTrait,
    registrations: &[i64],
    year: i32,
) -> AppResult<HashMap<i64, i64>> {
    let mut out = HashMap::new();
    if registrations.is_empty() {
        return Ok(out);
    }
    let signups = party_signup::Entity::find()
        .filter(party_signup::Column::RegistrationId.is_in(registrations.to_vec()))
        .filter(party_signup::Column::State.eq(SignUp::Confirmed.as_str()))
        .all(db)
        .await?;
    let needs: HashMap<i64, String> = party_need::Entity::find()
        .filter(party_need::Column::Id.is_in(signups.iter().map(|s| s.need_id)))
        .all(db)
        .await?
        .into_iter()
        .map(|n| (n.id, n.on_date))
        .collect();
    let prefix = format!("{year}-");
    for s in signups {
        if needs
            .get(&s.need_id)
            .is_some_and(|d| d.starts_with(&prefix))
        {
            *out.entry(s.registration_id).or_default() += i64::from(s.hours_tenths);
        }
    }
    Ok(out)
}

async fn registration_views(
    st: &Base,
    rows: Vec<party_registration::Model>,
) -> AppResult<Vec<RegistrationView>> {
    let people: HashMap<i64, String> = resident::Entity::find()
        .filter(resident::Column::Id.is_in(rows.iter().map(|r| r.resident_id)))
        .all(&st.db)
        .await?
        .into_iter()
        .map(|r| (r.id, r.name))
        .collect();
    let nodes = super::service::node_names(&st.db, rows.iter().map(|r| r.community_id)).await?;
    let ids: Vec<i64> = rows.iter().map(|r| r.id).collect();
    let hours = confirmed_tenths(&st.db, &ids, chrono::Datelike::year(&today())).await?;
    Ok(rows
        .into_iter()
        .map(|r| RegistrationView {
            id: r.id,
            resident_id: r.resident_id,
            name: people.get(&r.resident_id).cloned().unwrap_or_default(),
            community_id: r.community_id,
            community_name: nodes.get(&r.community_id).cloned().unwrap_or_default(),
            has_account: r.user_id.is_some(),
            hours_this_year: rules::hours_label(hours.get(&r.id).copied().unwrap_or(0)),
            work_unit: r.work_unit,
            unit_id: r.unit_id,
            home_branch: r.home_branch,
            registered_on: r.registered_on,
            status: r.status,
            ended_on: r.ended_on,
        })
        .collect())
}

/// The caller's own active registration, if they have one.
pub async fn own_registration(
    db: &impl ConnectionTrait,
    c: &Caller,
) -> AppResult<Option<party_registration::Model>> {
    let Some(uid) = c.who.id else { return Ok(None) };
    Ok(party_registration::Entity::find()
        .filter(party_registration::Column::UserId.eq(uid))
        .filter(party_registration::Column::Status.eq("active"))
        .one(db)
        .await?)
}

/// The registrations the caller may see: staff those of their subtree (active unless `all`),
/// anyone their own.
pub async fn registrations(st: &Base, c: &Caller, all: bool) -> AppResult<Vec<RegistrationView>> {
    c.require(Permission::PartyView)?;
    let rows = if staff(c) {
        let mut q = party_registration::Entity::find().filter(c.scope_cond("org_path"));
        if !all {
            q = q.filter(party_registration::Column::Status.eq("active"));
        }
        q.order_by_asc(party_registration::Column::CommunityId)
            .order_by_asc(party_registration::Column::Id)
            .all(&st.db)
            .await?
    } else {
        own_registration(&st.db, c).await?.into_iter().collect()
    };
    registration_views(st, rows).await
}

/// A registration the caller may see: staff's in their subtree, a member's own.
async fn find_registration(
    db: &impl ConnectionTrait,
    c: &Caller,
    id: i64,
) -> AppResult<party_registration::Model> {
    c.require(Permission::PartyView)?;
    let row = party_registration::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or_else(registration_not_found)?;
    let path = OrgPath::parse(&row.org_path).map_err(|_| registration_not_found())?;
    let own = c.who.id.is_some() && row.user_id == c.who.id;
    if own || (staff(c) && c.allows(&path)) {
        Ok(row)
    } else {
        Err(registration_not_found())
    }
}

/// One registration the caller may see.
pub async fn registration(st: &Base, c: &Caller, id: i64) -> AppResult<RegistrationView> {
    let row = find_registration(&st.db, c, id).await?;
    registration_views(st, vec![row])
        .await?
        .pop()
        .ok_or_else(registration_not_found)
}

/// The community a path lies in (the node of community level on it).
async fn community_of(db: &impl ConnectionTrait, path: &str) -> AppResult<Option<node::Model>> {
    let ids = OrgPath::parse(path)
        .map_err(|_| registration_not_found())?
        .ids();
    Ok(node::Entity::find()
        .filter(node::Column::Id.is_in(ids))
        .filter(node::Column::Level.eq(OrgLevel::Community.as_str()))
        .one(db)
        .await?)
}

/// Registers an in-service member with the community where they live: a member themself (their
/// member record names them), or staff for a resident of their subtree. One active
/// registration a person (a unique index).
pub async fn register(
    st: &Base,
    c: &Caller,
    input: RegistrationInput,
) -> AppResult<party_registration::Model> {
    c.require(Permission::PartyView)?;
    let work_unit = validate::text("工作单位", &input.work_unit, 60, Lines::One, true)?;
    let home_branch = validate::text(
        "组织关系所在党组织",
        &input.home_branch,
        60,
        Lines::One,
        false,
    )?;
    let tx = begin_write(&st.db).await?;
    let (person, member) = match (staff(c), input.resident_id) {
        (true, Some(rid)) => {
            let p = resident::Entity::find_by_id(rid)
                .filter(c.scope_cond("org_path"))
                .filter(resident::Column::Status.eq("active"))
                .one(&tx)
                .await?
                .ok_or_else(|| AppError::NotFound("居民不存在".into()))?;
            let m = party_member::Entity::find()
                .filter(party_member::Column::ResidentId.eq(p.id))
                .filter(party_member::Column::Status.eq("active"))
                .one(&tx)
                .await?;
            (p, m)
        }
        (false, Some(_)) => return Err(AppError::no_permission()),
        (_, None) => {
            let uid = c.who.id.ok_or_else(AppError::no_permission)?;
            let m = party_member::Entity::find()
                .filter(party_member::Column::UserId.eq(uid))
                .filter(party_member::Column::Status.eq("active"))
                .one(&tx)
                .await?
                .ok_or_else(|| {
                    AppError::bad("not_a_member", "您的账号没有关联党员档案，请到社区登记报到")
                })?;
            let p = resident::Entity::find_by_id(m.resident_id)
                .one(&tx)
                .await?
                .ok_or_else(|| AppError::NotFound("居民不存在".into()))?;
            (p, Some(m))
        }
    };
    let community = community_of(&tx, &person.org_path).await?.ok_or_else(|| {
        AppError::bad("no_community", "此人的住址不在任何社区内，请先完善居住信息")
    })?;
    let unit_id = match input.unit_id {
        Some(u) => {
            let unit = party_unit::Entity::find_by_id(u)
                .filter(party_unit::Column::Status.eq("active"))
                .one(&tx)
                .await?
                .ok_or_else(unit_not_found)?;
            let served = OrgPath::parse(&unit.org_path).map_err(|_| unit_not_found())?;
            let home = OrgPath::parse(&person.org_path).map_err(|_| unit_not_found())?;
            if !served.contains(&home) && !c.allows(&served) {
                return Err(unit_not_found());
            }
            Some(unit.id)
        }
        None => None,
    };
    let row = party_registration::ActiveModel {
        resident_id: Set(person.id),
        member_id: Set(member.as_ref().map(|m| m.id)),
        user_id: Set(member.as_ref().and_then(|m| m.user_id)),
        community_id: Set(community.id),
        org_path: Set(person.org_path.clone()),
        work_unit: Set(work_unit.clone()),
        unit_id: Set(unit_id),
        home_branch: Set(home_branch),
        registered_on: Set(today().to_string()),
        status: Set("active".into()),
        ended_on: Set(None),
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
            org_path: &stored_path(&person.org_path)?,
            action: "create",
            entity: "party_registration",
            entity_id: Some(row.id),
            summary: format!("在职党员到“{}”报到", community.name),
            changes: json!({"resident_id": person.id, "work_unit": work_unit}),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(row)
}

/// Ends a registration (the member moved or retired); their record stays.
pub async fn end_registration(
    st: &Base,
    c: &Caller,
    id: i64,
) -> AppResult<party_registration::Model> {
    if !staff(c) {
        return Err(AppError::no_permission());
    }
    let tx = begin_write(&st.db).await?;
    let old = find_registration(&tx, c, id).await?;
    if old.status != "active" {
        return Err(AppError::bad("ended", "该报到已结束"));
    }
    exec(
        &tx,
        "UPDATE party_registrations SET status = 'ended', ended_on = $1 WHERE id = $2",
        vec![today().to_string().into(), old.id.into()],
    )
    .await?;
    audit::record(
        &tx,
        &c.who,
        Entry {
            org_path: &stored_path(&old.org_path)?,
            action: "end",
            entity: "party_registration",
            entity_id: Some(old.id),
            summary: "结束在职党员报到".into(),
            changes: json!({}),
        },
    )
    .await?;
    let row = find_registration(&tx, c, id).await?;
    tx.commit().await?;
    Ok(row)
}

// ---------------------------------------------------------------------------------------------
// Service needs and sign-ups

/// What a form or the API sends to post a need.
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(default)]
pub struct NeedInput {
    /// The community (the caller's own when none).
    pub org_node_id: Option<i64>,
    /// 服务内容.
    pub title: String,
    /// 说明.
    pub detail: String,
    /// 服务日期.
    pub on_date: String,
    /// 地点.
    pub place: String,
    /// 名额 (0: no limit).
    pub places: Option<i32>,
}

/// A sign-up as shown.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct SignupView {
    pub id: i64,
    pub need_id: i64,
    pub registration_id: i64,
    pub name: String,
    pub work_unit: String,
    pub state: String,
    pub state_label: &'static str,
    pub hours: String,
    pub note: String,
    pub confirmed_by: String,
    /// Whether the sign-up is the caller's own.
    pub mine: bool,
    /// The hours in tenths.
    #[serde(skip)]
    pub tenths: i32,
}

/// A need as shown, with its sign-ups (all of them to staff; the caller's own to a member).
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct NeedView {
    pub id: i64,
    pub org_node_id: i64,
    pub community_name: String,
    pub title: String,
    pub detail: String,
    pub on_date: String,
    pub place: String,
    pub places: i32,
    /// Places held (sign-ups not cancelled).
    pub taken: i64,
    pub status: String,
    pub signups: Vec<SignupView>,
    /// Whether the caller (a member) holds a live sign-up of it.
    pub signed: bool,
    /// Whether its service date has come (hours may be recorded).
    pub past: bool,
    /// Sign-ups shown that wait for a step (signed or served).
    pub pending: usize,
    /// Sign-ups shown that are confirmed, and their hours.
    pub confirmed: usize,
    pub confirmed_hours: String,
    pub version: i32,
}

/// Who is looking at needs: staff of a subtree, or a member through their registration.
enum Viewer {
    Staff,
    Member(Box<party_registration::Model>),
    Nobody,
}

async fn viewer(db: &impl ConnectionTrait, c: &Caller) -> AppResult<Viewer> {
    c.require(Permission::PartyView)?;
    if staff(c) {
        return Ok(Viewer::Staff);
    }
    Ok(match own_registration(db, c).await? {
        Some(r) => Viewer::Member(Box::new(r)),
        None => Viewer::Nobody,
    })
}

async fn need_views(
    st: &Base,
    viewer: &Viewer,
    rows: Vec<party_need::Model>,
) -> AppResult<Vec<NeedView>> {
    let ids: Vec<i64> = rows.iter().map(|r| r.id).collect();
    let signups = if ids.is_empty() {
        Vec::new()
    } else {
        party_signup::Entity::find()
            .filter(party_signup::Column::NeedId.is_in(ids))
            .order_by_asc(party_signup::Column::Id)
            .all(&st.db)
            .await?
    };
    let regs: HashMap<i64, party_registration::Model> = party_registration::Entity::find()
        .filter(party_registration::Column::Id.is_in(signups.iter().map(|s| s.registration_id)))
        .all(&st.db)
        .await?
        .into_iter()
        .map(|r| (r.id, r))
        .collect();
    let names: HashMap<i64, String> = resident::Entity::find()
        .filter(resident::Column::Id.is_in(regs.values().map(|r| r.resident_id)))
        .all(&st.db)
        .await?
        .into_iter()
        .map(|r| (r.id, r.name))
        .collect();
    let nodes = super::service::node_names(&st.db, rows.iter().map(|r| r.org_node_id)).await?;
    let own = match viewer {
        Viewer::Member(r) => Some(r.id),
        _ => None,
    };
    let mut by_need: HashMap<i64, Vec<SignupView>> = HashMap::new();
    let mut taken: HashMap<i64, i64> = HashMap::new();
    for s in signups {
        let state = SignUp::parse(&s.state).unwrap_or(SignUp::Cancelled);
        if state.holds_place() {
            *taken.entry(s.need_id).or_default() += 1;
        }
        let mine = own == Some(s.registration_id);
        if !mine && !matches!(viewer, Viewer::Staff) {
            continue;
        }
        let reg = regs.get(&s.registration_id);
        by_need.entry(s.need_id).or_default().push(SignupView {
            id: s.id,
            need_id: s.need_id,
            registration_id: s.registration_id,
            name: reg
                .and_then(|r| names.get(&r.resident_id))
                .cloned()
                .unwrap_or_default(),
            work_unit: reg.map(|r| r.work_unit.clone()).unwrap_or_default(),
            state: state.as_str().into(),
            state_label: state.label(),
            hours: if s.hours_tenths > 0 {
                rules::hours_label(i64::from(s.hours_tenths))
            } else {
                String::new()
            },
            note: s.note,
            confirmed_by: s.confirmed_by,
            mine,
            tenths: s.hours_tenths,
        });
    }
    let day = today().to_string();
    Ok(rows
        .into_iter()
        .map(|n| NeedView {
            past: n.on_date <= day,
            pending: by_need.get(&n.id).map_or(0, |v| {
                v.iter()
                    .filter(|s| {
                        s.state == SignUp::Signed.as_str() || s.state == SignUp::Served.as_str()
                    })
                    .count()
            }),
            confirmed: by_need.get(&n.id).map_or(0, |v| {
                v.iter()
                    .filter(|s| s.state == SignUp::Confirmed.as_str())
                    .count()
            }),
            confirmed_hours: rules::hours_label(by_need.get(&n.id).map_or(0, |v| {
                v.iter()
                    .filter(|s| s.state == SignUp::Confirmed.as_str())
                    .map(|s| i64::from(s.tenths))
                    .sum()
            })),
            id: n.id,
            org_node_id: n.org_node_id,
            community_name: nodes.get(&n.org_node_id).cloned().unwrap_or_default(),
            taken: taken.get(&n.id).copied().unwrap_or(0),
            signed: by_need.get(&n.id).is_some_and(|v| {
                v.iter()
                    .any(|s| s.mine && s.state != SignUp::Cancelled.as_str())
            }),
            signups: by_need.remove(&n.id).unwrap_or_default(),
            title: n.title,
            detail: n.detail,
            on_date: n.on_date,
            place: n.place,
            places: n.places,
            status: n.status,
            version: n.version,
        })
        .collect())
}

/// The needs the caller may see, newest service date first (at most 200): staff those of their
/// subtree, a registered member those of their community.
pub async fn needs(st: &Base, c: &Caller) -> AppResult<Vec<NeedView>> {
    let v = viewer(&st.db, c).await?;
    let q = party_need::Entity::find();
    let q = match &v {
        Viewer::Staff => q.filter(c.scope_cond("org_path")),
        Viewer::Member(r) => q.filter(party_need::Column::OrgNodeId.eq(r.community_id)),
        Viewer::Nobody => return Ok(Vec::new()),
    };
    let rows = sea_orm::QuerySelect::limit(
        q.order_by_desc(party_need::Column::OnDate)
            .order_by_desc(party_need::Column::Id),
        200,
    )
    .all(&st.db)
    .await?;
    need_views(st, &v, rows).await
}

async fn find_need(
    db: &impl ConnectionTrait,
    c: &Caller,
    v: &Viewer,
    id: i64,
) -> AppResult<party_need::Model> {
    let q = party_need::Entity::find_by_id(id);
    let q = match v {
        Viewer::Staff => q.filter(c.scope_cond("org_path")),
        Viewer::Member(r) => q.filter(party_need::Column::OrgNodeId.eq(r.community_id)),
        Viewer::Nobody => return Err(need_not_found()),
    };
    q.one(db).await?.ok_or_else(need_not_found)
}

/// One need the caller may see.
pub async fn need(st: &Base, c: &Caller, id: i64) -> AppResult<NeedView> {
    let v = viewer(&st.db, c).await?;
    let row = find_need(&st.db, c, &v, id).await?;
    need_views(st, &v, vec![row])
        .await?
        .pop()
        .ok_or_else(need_not_found)
}

/// Posts a service need of a community.
pub async fn post_need(st: &Base, c: &Caller, input: NeedInput) -> AppResult<party_need::Model> {
    if !staff(c) {
        return Err(AppError::no_permission());
    }
    let title = validate::text("服务内容", &input.title, 60, Lines::One, true)?;
    let detail = validate::text("说明", &input.detail, 500, Lines::Many, false)?;
    let place = validate::text("地点", &input.place, 60, Lines::One, false)?;
    let on = date_field("服务日期", &input.on_date)?;
    if on < today() - chrono::Duration::days(30) {
        return Err(AppError::bad(
            "bad_date",
            "服务日期不能早于 30 天前（补记更早的服务请联系街道）",
        ));
    }
    let places = input.places.unwrap_or(0);
    if !(0..=500).contains(&places) {
        return Err(AppError::bad("bad_places", "名额应为 0（不限）至 500"));
    }
    let at = serving_node(&st.db, c, input.org_node_id).await?;
    if OrgLevel::parse(&at.level) != Some(OrgLevel::Community) {
        return Err(AppError::bad("bad_node", "服务需求由社区发布：请选择社区"));
    }
    let tx = begin_write(&st.db).await?;
    let row = party_need::ActiveModel {
        org_node_id: Set(at.id),
        org_path: Set(at.path.clone()),
        title: Set(title.clone()),
        detail: Set(detail),
        on_date: Set(on.to_string()),
        place: Set(place),
        places: Set(places),
        status: Set("open".into()),
        actor_name: Set(display_name(&tx, c).await?),
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
            org_path: &stored_path(&at.path)?,
            action: "create",
            entity: "party_need",
            entity_id: Some(row.id),
            summary: format!("发布服务需求“{title}”"),
            changes: json!({"on_date": row.on_date, "places": places}),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(row)
}

/// Closes a need to new sign-ups.
pub async fn close_need(st: &Base, c: &Caller, id: i64) -> AppResult<NeedView> {
    if !staff(c) {
        return Err(AppError::no_permission());
    }
    let tx = begin_write(&st.db).await?;
    let old = find_need(&tx, c, &Viewer::Staff, id).await?;
    if old.status != "open" {
        return Err(AppError::bad("closed", "该服务需求已结束报名"));
    }
    exec(
        &tx,
        "UPDATE party_needs SET status = 'closed', version = version + 1 WHERE id = $1",
        vec![old.id.into()],
    )
    .await?;
    audit::record(
        &tx,
        &c.who,
        Entry {
            org_path: &stored_path(&old.org_path)?,
            action: "update",
            entity: "party_need",
            entity_id: Some(old.id),
            summary: format!("服务需求“{}”结束报名", old.title),
            changes: json!({"status": "closed"}),
        },
    )
    .await?;
    tx.commit().await?;
    need(st, c, id).await
}

/// Who signs up: the member themself, or staff for a registration of their subtree.
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(default)]
pub struct SignUpInput {
    /// The registration (staff only).
    pub registration_id: Option<i64>,
}

/// Signs a registered member up for a need of their community: places counted under a lock on
/// the need's row; one live sign-up per member and need (a unique index).
pub async fn sign_up(st: &Base, c: &Caller, id: i64, input: SignUpInput) -> AppResult<NeedView> {
    let tx = begin_write(&st.db).await?;
    let v = viewer(&tx, c).await?;
    let need = find_need(&tx, c, &v, id).await?;
    let reg = match (&v, input.registration_id) {
        (Viewer::Staff, Some(r)) => find_registration(&tx, c, r).await?,
        (Viewer::Member(r), None) => (**r).clone(),
        (Viewer::Staff, None) => {
            return Err(AppError::bad("no_member", "请选择报名的在职党员"));
        }
        _ => return Err(AppError::no_permission()),
    };
    if reg.status != "active" {
        return Err(AppError::bad("ended", "该党员的报到已结束"));
    }
    if reg.community_id != need.org_node_id {
        return Err(AppError::bad(
            "other_community",
            "只能报名所报到社区发布的服务需求",
        ));
    }
    lock_row(&tx, "party_needs", need.id).await?;
    let live: Vec<party_signup::Model> = party_signup::Entity::find()
        .filter(party_signup::Column::NeedId.eq(need.id))
        .filter(party_signup::Column::State.ne(SignUp::Cancelled.as_str()))
        .all(&tx)
        .await?;
    let already = live.iter().any(|s| s.registration_id == reg.id);
    rules::check_sign_up(
        need.status == "open",
        need.places,
        live.len() as i64,
        already,
    )
    .map_err(|e| {
        if already {
            AppError::conflict("signed_twice", e)
        } else {
            AppError::bad("not_open", e)
        }
    })?;
    let row = party_signup::ActiveModel {
        need_id: Set(need.id),
        registration_id: Set(reg.id),
        org_path: Set(need.org_path.clone()),
        state: Set(SignUp::Signed.as_str().into()),
        hours_tenths: Set(0),
        note: Set(String::new()),
        served_at: Set(None),
        confirmed_by: Set(String::new()),
        confirmed_at: Set(None),
        created_at: Set(now_ms()),
        ..Default::default()
    }
    .insert(&tx)
    .await?;
    audit::record(
        &tx,
        &c.who,
        Entry {
            org_path: &stored_path(&need.org_path)?,
            action: "create",
            entity: "party_signup",
            entity_id: Some(row.id),
            summary: format!("在职党员报名服务需求“{}”", need.title),
            changes: json!({"registration_id": reg.id}),
        },
    )
    .await?;
    tx.commit().await?;
    need_views(st, &v, vec![need])
        .await?
        .pop()
        .ok_or_else(need_not_found)
}

/// A step on a sign-up: served (hours), confirmed (hours, by staff), cancelled.
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(default)]
pub struct SignupStepInput {
    /// Hours ("2", "1.5"): required to report or confirm.
    pub hours: String,
    /// A note: what was done.
    pub note: String,
}

/// Takes a step on a sign-up: the member reports having served, staff confirm the hours (they
/// count from then on), either cancels.
pub async fn signup_step(
    st: &Base,
    c: &Caller,
    id: i64,
    step: &str,
    input: SignupStepInput,
) -> AppResult<NeedView> {
    let step = SignUpStep::parse(step).ok_or_else(signup_not_found)?;
    let note = validate::text("服务情况", &input.note, 300, Lines::Many, false)?;
    let hours = match step {
        SignUpStep::Cancel => None,
        _ => Some(rules::parse_hours(&input.hours).map_err(|e| AppError::bad("bad_hours", e))?),
    };
    let tx = begin_write(&st.db).await?;
    let v = viewer(&tx, c).await?;
    let s = party_signup::Entity::find_by_id(id)
        .one(&tx)
        .await?
        .ok_or_else(signup_not_found)?;
    let need = find_need(&tx, c, &v, s.need_id)
        .await
        .map_err(|_| signup_not_found())?;
    let mine = matches!(&v, Viewer::Member(r) if r.id == s.registration_id);
    if !mine && !matches!(v, Viewer::Staff) {
        return Err(signup_not_found());
    }
    if step == SignUpStep::Confirm && !matches!(v, Viewer::Staff) {
        return Err(AppError::bad(
            "not_confirmer",
            "服务时长由社区确认：本人不能确认自己的时长",
        ));
    }
    if step != SignUpStep::Cancel && need.on_date > today().to_string() {
        return Err(AppError::bad(
            "not_yet",
            format!("服务日期（{}）还没到，不能登记时长", need.on_date),
        ));
    }
    lock_row(&tx, "party_signups", s.id).await?;
    let now_state = SignUp::parse(&s.state).unwrap_or(SignUp::Cancelled);
    let next =
        rules::check_signup_step(now_state, step).map_err(|e| AppError::bad("bad_step", e))?;
    let who = display_name(&tx, c).await?;
    let now = now_ms();
    let n = exec(
        &tx,
        "UPDATE party_signups SET state = $1, hours_tenths = $2, note = $3, served_at = $4, \
         confirmed_by = $5, confirmed_at = $6 WHERE id = $7 AND state = $8",
        vec![
            next.as_str().into(),
            hours.unwrap_or(s.hours_tenths).into(),
            if note.is_empty() {
                s.note.clone()
            } else {
                note
            }
            .into(),
            match step {
                SignUpStep::Serve => Some(now),
                _ => s.served_at,
            }
            .into(),
            if step == SignUpStep::Confirm {
                who
            } else {
                String::new()
            }
            .into(),
            (step == SignUpStep::Confirm).then_some(now).into(),
            s.id.into(),
            s.state.clone().into(),
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
            org_path: &stored_path(&s.org_path)?,
            action: "update",
            entity: "party_signup",
            entity_id: Some(s.id),
            summary: format!("服务需求“{}”的报名：{}", need.title, next.label()),
            changes: json!({"state": next.as_str(), "hours_tenths": hours}),
        },
    )
    .await?;
    tx.commit().await?;
    need_views(st, &v, vec![need])
        .await?
        .pop()
        .ok_or_else(need_not_found)
}

// ---------------------------------------------------------------------------------------------
// 双报告: the yearly record for the work unit

/// One confirmed service of a record.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct RecordLine {
    pub on_date: String,
    pub title: String,
    pub place: String,
    pub hours: String,
    pub note: String,
    pub confirmed_by: String,
}

/// A member's yearly record of service in the community where they live (双报告), for their
/// work unit: confirmed services only.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct Record {
    pub year: i32,
    pub registration: RegistrationView,
    pub lines: Vec<RecordLine>,
    /// Hours confirmed in the year (see [`confirmed_tenths`]).
    pub total_hours: String,
    pub services: usize,
    /// When the record was drawn (Beijing time).
    pub drawn_at: String,
}

/// The yearly record of a registration.
pub async fn record(st: &Base, c: &Caller, id: i64, year: i32) -> AppResult<Record> {
    let row = find_registration(&st.db, c, id).await?;
    if !(2000..=2100).contains(&year) {
        return Err(AppError::bad("bad_year", "年度无效"));
    }
    let signups = party_signup::Entity::find()
        .filter(party_signup::Column::RegistrationId.eq(row.id))
        .filter(party_signup::Column::State.eq(SignUp::Confirmed.as_str()))
        .all(&st.db)
        .await?;
    let needs: HashMap<i64, party_need::Model> = party_need::Entity::find()
        .filter(party_need::Column::Id.is_in(signups.iter().map(|s| s.need_id)))
        .all(&st.db)
        .await?
        .into_iter()
        .map(|n| (n.id, n))
        .collect();
    let prefix = format!("{year}-");
    let mut lines: Vec<RecordLine> = signups
        .into_iter()
        .filter_map(|s| {
            let n = needs.get(&s.need_id)?;
            n.on_date.starts_with(&prefix).then(|| RecordLine {
                on_date: n.on_date.clone(),
                title: n.title.clone(),
                place: n.place.clone(),
                hours: rules::hours_label(i64::from(s.hours_tenths)),
                note: s.note,
                confirmed_by: s.confirmed_by,
            })
        })
        .collect();
    lines.sort_by(|a, b| a.on_date.cmp(&b.on_date));
    let total = confirmed_tenths(&st.db, &[row.id], year)
        .await?
        .get(&row.id)
        .copied()
        .unwrap_or(0);
    let registration = registration_views(st, vec![row])
        .await?
        .pop()
        .ok_or_else(registration_not_found)?;
    Ok(Record {
        year,
        registration,
        services: lines.len(),
        lines,
        total_hours: rules::hours_label(total),
        drawn_at: bj(now_ms()).format("%Y-%m-%d %H:%M").to_string(),
    })
}

/// The number of sign-ups waiting for the community's confirmation among needs.
pub fn awaiting_confirmation(needs: &[NeedView]) -> usize {
    needs
        .iter()
        .flat_map(|n| n.signups.iter())
        .filter(|s| s.state == SignUp::Served.as_str())
        .count()
}
