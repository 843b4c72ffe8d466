//! 微心愿 and their campaigns. A grid worker or a member records a needy resident's small wish
//! (the beneficiary from the registry); the community reviews and publishes it; members,
//! activists, branches, units and volunteers claim it (whole, or a share each); the claimant
//! makes contact within the working days the street sets (reminded, then released); the
//! beneficiary or their grid worker confirms it fulfilled, with a photo. Campaigns gather wishes
//! in a window with a target and print the reports' figures ([`campaign_figures`]).
//!
//! Who sees whom: staff of the place see the beneficiary; anyone else sees the surname alone
//! and the grid, until they hold a share of the wish — then the name and the address the
//! visit needs, never an ID number or a phone. The rules are the core's
//! (`wangge_core::party::wish`); every write is audited in its transaction, and "one claimant per
//! share" is held by partial unique indexes under a lock on the wish.

use super::entity::{
    party_campaign, party_campaign_grid, party_member, party_wish, party_wish_claim,
};
use crate::infra::audit::{self, Entry};
use crate::infra::clock::{bj, from_bj, now_ms, today};
use crate::infra::db::{begin_write, exec, lock_row};
use crate::infra::error::{AppError, AppResult, stored_path};
use crate::org::entity::node;
use crate::people::entity::{household, resident};
use crate::web::{Base, Caller};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, EntityTrait, QueryFilter,
    QueryOrder, Set,
};
use serde::{Deserialize, Serialize};
use serde_json::json;
use std::collections::{HashMap, HashSet};
use wangge_core::party::wish::{
    self as rules, ClaimState, ClaimantKind, Figures, Status, ValueBand,
};
use wangge_core::validate::{self, Lines};
use wangge_core::{OrgLevel, OrgPath, Permission};

fn not_found() -> AppError {
    AppError::NotFound("心愿不存在".into())
}

/// Whether the caller works for the place (sees beneficiaries, records and confirms for
/// them): staff with the registry in sight.
pub fn staff(c: &Caller) -> bool {
    c.role
        .is_none_or(|r| r.is_staff() && r.can(Permission::PeopleView))
}

/// Whether the caller reviews wishes, revokes claims and runs campaigns: the community's and
/// the street's party staff.
pub fn reviewer(c: &Caller) -> bool {
    c.require(Permission::PartyManage).is_ok()
}

/// Whether the caller may record a wish: those who visit households — grid workers, members,
/// the community's staff and secretary.
pub fn recorder(c: &Caller) -> bool {
    c.require(Permission::VisitLog).is_ok()
}

// ---------------------------------------------------------------------------------------------
// Settings

/// The setting that holds the working days a claimant has to make contact.
const CONTACT_SETTING: &str = "party.wish_contact_days";

/// The working days a claimant has to make contact ([`rules::CONTACT_DAYS`] until set).
pub async fn contact_days(db: &impl ConnectionTrait) -> AppResult<u32> {
    Ok(crate::infra::settings::Entity::find_by_id(CONTACT_SETTING)
        .one(db)
        .await?
        .and_then(|s| s.value.trim().parse().ok())
        .filter(|d| (1..=30).contains(d))
        .unwrap_or(rules::CONTACT_DAYS))
}

/// Sets the working days a claimant has to make contact (1–30), for the whole district.
pub async fn set_contact_days(st: &Base, c: &Caller, days: u32) -> AppResult<u32> {
    c.require_at_district(
        Permission::PartyManage,
        "认领后联系的期限由区级党建部门设定",
    )?;
    if !(1..=30).contains(&days) {
        return Err(AppError::bad(
            "bad_days",
            format!("联系期限应为 1 到 30 个工作日（现在是 {days}）"),
        ));
    }
    let tx = begin_write(&st.db).await?;
    let old = contact_days(&tx).await?;
    exec(
        &tx,
        "INSERT INTO settings (name, value, updated_at) VALUES ($1, $2, $3) \
         ON CONFLICT (name) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at",
        vec![
            CONTACT_SETTING.into(),
            days.to_string().into(),
            now_ms().into(),
        ],
    )
    .await?;
    let root = c.audit_root(&tx).await?;
    audit::record(
        &tx,
        &c.who,
        Entry {
            org_path: &root,
            action: "update",
            entity: "party_wish_rules",
            entity_id: None,
            summary: format!("设定微心愿认领后联系期限：{days} 个工作日"),
            changes: json!({"contact_days": [old, days]}),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(days)
}

// ---------------------------------------------------------------------------------------------
// Views

/// A claim as shown.
#[derive(Clone, Debug, Serialize)]
pub struct ClaimView {
    pub id: i64,
    pub share_no: i32,
    pub claimant_kind: String,
    pub claimant_kind_label: &'static str,
    pub claimant_name: String,
    pub state: String,
    pub state_label: &'static str,
    pub claimed_at: String,
    pub contact_due: String,
    pub contacted_at: Option<String>,
    pub contact_note: String,
    pub reminded: bool,
    /// The contact limit passed without contact.
    pub overdue: bool,
    pub end_reason: String,
    /// Whether the caller holds this claim.
    pub mine: bool,
}

/// A wish as the caller may see it.
#[derive(Clone, Debug, Serialize)]
pub struct WishView {
    pub id: i64,
    pub campaign_id: Option<i64>,
    pub campaign_name: String,
    pub grid_name: String,
    /// The beneficiary: the full name for those who may know it, else the surname alone.
    pub beneficiary: String,
    /// Whether `beneficiary` and `address` are shown in full.
    pub identified: bool,
    /// The address (building and room) for those who may know it, else the grid.
    pub address: String,
    pub title: String,
    pub reason: String,
    pub value_band: String,
    pub value_label: &'static str,
    pub has_photo: bool,
    pub shares: i32,
    pub taken: i32,
    pub status: String,
    pub status_label: &'static str,
    pub recorded_by: String,
    pub reviewed_by: String,
    pub review_note: String,
    pub published_at: Option<String>,
    /// Back in the pool after a claim ended (first in line).
    pub returned: bool,
    pub fulfilled_at: Option<String>,
    pub fulfil_note: String,
    pub has_fulfil_photo: bool,
    pub confirmed_by: String,
    pub claims: Vec<ClaimView>,
    pub version: i32,
    pub created_at: String,
    /// What the caller may do now.
    pub can: Can,
}

/// What the caller may do with a wish now (the page shows these; the service checks again).
#[derive(Clone, Debug, Default, Serialize)]
pub struct Can {
    pub review: bool,
    pub claim: bool,
    pub claim_for_others: bool,
    pub withdraw: bool,
    pub fulfil: bool,
    /// The caller's own active claim, to cancel or report contact on.
    pub my_claim: Option<i64>,
    /// Staff may revoke active claims.
    pub revoke: bool,
}

/// Who the caller is, as far as wishes go.
pub struct Sight {
    pub staff: bool,
    pub reviewer: bool,
    pub user_id: Option<i64>,
    /// The caller's own active member record.
    pub member: Option<party_member::Model>,
    /// The grid worker's grids (their scope), for confirming for a beneficiary.
    pub grid_worker: bool,
}

/// Reads who the caller is.
pub async fn sight(db: &impl ConnectionTrait, c: &Caller) -> AppResult<Sight> {
    let member = match c.who.id {
        Some(uid) => {
            party_member::Entity::find()
                .filter(party_member::Column::UserId.eq(uid))
                .filter(party_member::Column::Status.eq("active"))
                .one(db)
                .await?
        }
        None => None,
    };
    Ok(Sight {
        staff: staff(c),
        reviewer: reviewer(c),
        user_id: c.who.id,
        member,
        grid_worker: c.role == Some(wangge_core::Role::GridWorker),
    })
}

impl Sight {
    /// The key the caller's own claim is stored under.
    fn own_key(&self) -> Option<String> {
        match (&self.member, self.user_id) {
            (Some(m), _) => Some(format!("m:{}", m.id)),
            (None, Some(u)) => Some(format!("u:{u}")),
            (None, None) => None,
        }
    }
}

fn fmt_ms(ms: i64) -> String {
    crate::infra::clock::fmt_time(ms)
}

/// Views of rows: their residents, households, grids, campaigns and claims read in one query
/// each.
pub async fn views(
    db: &impl ConnectionTrait,
    c: &Caller,
    s: &Sight,
    rows: Vec<party_wish::Model>,
) -> AppResult<Vec<WishView>> {
    let ids: Vec<i64> = rows.iter().map(|r| r.id).collect();
    let mut claims: HashMap<i64, Vec<party_wish_claim::Model>> = HashMap::new();
    let mut residents: HashMap<i64, resident::Model> = HashMap::new();
    let mut homes: HashMap<i64, String> = HashMap::new();
    let mut grids: HashMap<i64, String> = HashMap::new();
    let mut campaigns: HashMap<i64, String> = HashMap::new();
    for chunk in ids.chunks(500) {
        for cl in party_wish_claim::Entity::find()
            .filter(party_wish_claim::Column::WishId.is_in(chunk.to_vec()))
            .order_by_asc(party_wish_claim::Column::Id)
            .all(db)
            .await?
        {
            claims.entry(cl.wish_id).or_default().push(cl);
        }
    }
    let rids: Vec<i64> = rows.iter().map(|r| r.resident_id).collect();
    for chunk in rids.chunks(500) {
        residents.extend(
            resident::Entity::find()
                .filter(resident::Column::Id.is_in(chunk.to_vec()))
                .all(db)
                .await?
                .into_iter()
                .map(|r| (r.id, r)),
        );
    }
    let hids: Vec<i64> = rows.iter().filter_map(|r| r.household_id).collect();
    for chunk in hids.chunks(500) {
        homes.extend(
            household::Entity::find()
                .filter(household::Column::Id.is_in(chunk.to_vec()))
                .all(db)
                .await?
                .into_iter()
                .map(|h| (h.id, h.address)),
        );
    }
    let gids: HashSet<i64> = rows.iter().filter_map(|r| r.grid_id).collect();
    if !gids.is_empty() {
        grids.extend(
            node::Entity::find()
                .filter(node::Column::Id.is_in(gids))
                .all(db)
                .await?
                .into_iter()
                .map(|n| (n.id, n.name)),
        );
    }
    let cids: HashSet<i64> = rows.iter().filter_map(|r| r.campaign_id).collect();
    if !cids.is_empty() {
        campaigns.extend(
            party_campaign::Entity::find()
                .filter(party_campaign::Column::Id.is_in(cids))
                .all(db)
                .await?
                .into_iter()
                .map(|k| (k.id, k.name)),
        );
    }
    let key = s.own_key();
    let now = now_ms();
    Ok(rows
        .into_iter()
        .map(|r| {
            let status = Status::parse(&r.status).unwrap_or(Status::Pending);
            let list = claims.remove(&r.id).unwrap_or_default();
            let taken = list.iter().filter(|c| c.state == "active").count() as i32;
            let mine_active = list
                .iter()
                .find(|cl| cl.state == "active" && Some(&cl.claimant_key) == key.as_ref());
            let held = list.iter().any(|cl| {
                (cl.state == "active" || cl.state == "fulfilled")
                    && (Some(&cl.claimant_key) == key.as_ref()
                        || cl.user_id == s.user_id && s.user_id.is_some())
            });
            let identified = s.staff
                || held
                || (r.recorded_by_id.is_some() && r.recorded_by_id == s.user_id)
                || (r.beneficiary_user_id.is_some() && r.beneficiary_user_id == s.user_id);
            let person = residents.get(&r.resident_id);
            let grid_name = r
                .grid_id
                .and_then(|g| grids.get(&g).cloned())
                .unwrap_or_default();
            let (beneficiary, address) = if identified {
                (
                    person.map(|p| p.name.clone()).unwrap_or_default(),
                    r.household_id
                        .and_then(|h| homes.get(&h).cloned())
                        .unwrap_or_else(|| grid_name.clone()),
                )
            } else {
                (
                    rules::masked_name(person.map_or("", |p| p.name.as_str())),
                    grid_name.clone(),
                )
            };
            let may_confirm = s.grid_worker && staff(c)
                || (r.beneficiary_user_id.is_some() && r.beneficiary_user_id == s.user_id);
            let can = Can {
                review: s.reviewer && status == Status::Pending,
                claim: key.is_some()
                    && rules::check_claim(status, r.shares, taken, mine_active.is_some()).is_ok(),
                claim_for_others: s.reviewer
                    && rules::check_claim(status, r.shares, taken, false).is_ok(),
                withdraw: (s.reviewer
                    || (r.recorded_by_id.is_some() && r.recorded_by_id == s.user_id))
                    && rules::check_withdraw(status, taken).is_ok(),
                fulfil: may_confirm && rules::check_fulfil(status).is_ok(),
                my_claim: mine_active.map(|cl| cl.id),
                revoke: s.reviewer && taken > 0,
            };
            WishView {
                id: r.id,
                campaign_id: r.campaign_id,
                campaign_name: r
                    .campaign_id
                    .and_then(|k| campaigns.get(&k).cloned())
                    .unwrap_or_default(),
                grid_name,
                beneficiary,
                identified,
                address,
                title: r.title,
                reason: r.reason,
                value_label: ValueBand::parse(&r.value_band).map_or("", ValueBand::label),
                value_band: r.value_band,
                has_photo: !r.photo_id.is_empty(),
                shares: r.shares,
                taken,
                status_label: status.label(),
                status: r.status,
                recorded_by: r.recorded_by,
                reviewed_by: r.reviewed_by,
                review_note: r.review_note,
                published_at: r.published_at.map(fmt_ms),
                returned: r.returned_at.is_some() && status == Status::Open,
                fulfilled_at: r.fulfilled_at.map(fmt_ms),
                fulfil_note: r.fulfil_note,
                has_fulfil_photo: !r.fulfil_photo.is_empty(),
                confirmed_by: r.confirmed_by,
                claims: list
                    .into_iter()
                    .map(|cl| {
                        let state = ClaimState::parse(&cl.state).unwrap_or(ClaimState::Active);
                        ClaimView {
                            id: cl.id,
                            share_no: cl.share_no,
                            claimant_kind_label: ClaimantKind::parse(&cl.claimant_kind)
                                .map_or("", ClaimantKind::label),
                            claimant_kind: cl.claimant_kind,
                            claimant_name: cl.claimant_name,
                            state_label: state.label(),
                            state: cl.state,
                            claimed_at: fmt_ms(cl.claimed_at),
                            contact_due: fmt_ms(cl.contact_due),
                            contacted_at: cl.contacted_at.map(fmt_ms),
                            contact_note: cl.contact_note,
                            reminded: cl.reminded_at.is_some(),
                            overdue: state == ClaimState::Active
                                && cl.contacted_at.is_none()
                                && now >= cl.contact_due,
                            end_reason: cl.end_reason,
                            mine: Some(&cl.claimant_key) == key.as_ref(),
                        }
                    })
                    .collect(),
                version: r.version,
                created_at: fmt_ms(r.created_at),
                can,
            }
        })
        .collect())
}

// ---------------------------------------------------------------------------------------------
// Lists

/// What a list of wishes shows.
#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[serde(default)]
pub struct Filter {
    /// 状态: pending, open, claimed, fulfilled, rejected, withdrawn (or the Chinese name).
    pub status: Option<String>,
    /// 专项行动.
    pub campaign: Option<i64>,
    /// An org node (a community, a grid) in the caller's scope.
    pub org: Option<i64>,
    /// `mine`: the wishes the caller claimed or recorded.
    pub view: Option<String>,
}

/// The statuses anyone may see (published); staff and the recorder see the rest too.
const PUBLISHED: [&str; 3] = ["open", "claimed", "fulfilled"];

/// The condition of the wishes the caller may see: in the subtree, and published unless the
/// caller is staff or recorded it or is its beneficiary.
fn visible(c: &Caller, s: &Sight) -> Condition {
    let mut cond = Condition::all().add(c.scope_cond("org_path"));
    if !s.staff {
        let mut any = Condition::any().add(party_wish::Column::Status.is_in(PUBLISHED));
        if let Some(u) = s.user_id {
            any = any
                .add(party_wish::Column::RecordedById.eq(u))
                .add(party_wish::Column::BeneficiaryUserId.eq(u));
        }
        cond = cond.add(any);
    }
    cond
}

/// The wishes the caller may see, filtered; the pool (待认领) first in line: returned wishes,
/// then by publication.
pub async fn list(st: &Base, c: &Caller, f: &Filter) -> AppResult<Vec<WishView>> {
    let s = sight(&st.db, c).await?;
    let mut q = party_wish::Entity::find().filter(visible(c, &s));
    if let Some(raw) = f.status.as_deref().filter(|t| !t.trim().is_empty()) {
        let status = Status::parse(raw)
            .ok_or_else(|| AppError::bad("bad_status", format!("没有“{raw}”这个心愿状态")))?;
        q = q.filter(party_wish::Column::Status.eq(status.as_str()));
    }
    if let Some(k) = f.campaign {
        q = q.filter(party_wish::Column::CampaignId.eq(k));
    }
    if let Some(o) = f.org {
        let n = crate::org::service::find(&st.db, c, o).await?;
        let p = OrgPath::parse(&n.path).map_err(|_| not_found())?;
        q = q.filter(crate::infra::db::subtree(party_wish::Column::OrgPath, &p));
    }
    if f.view.as_deref() == Some("mine") {
        let mut any = Condition::any();
        if let Some(u) = s.user_id {
            any = any.add(party_wish::Column::RecordedById.eq(u));
            let mut held = sea_orm::sea_query::Query::select();
            held.column(party_wish_claim::Column::WishId)
                .from(party_wish_claim::Entity)
                .and_where(party_wish_claim::Column::UserId.eq(u));
            if let Some(k) = s.own_key() {
                held.cond_where(
                    Condition::any()
                        .add(party_wish_claim::Column::UserId.eq(u))
                        .add(party_wish_claim::Column::ClaimantKey.eq(k)),
                );
            }
            any = any.add(party_wish::Column::Id.in_subquery(held.to_owned()));
        } else {
            any = any.add(Expr::val(false));
        }
        q = q.filter(any);
    }
    let mut rows = q.order_by_desc(party_wish::Column::Id).all(&st.db).await?;
    // The pool first, first in line: returned wishes (earliest return first), then by
    // publication; the rest newest first.
    rows.sort_by_key(
        |r| match (r.status.as_str(), r.returned_at, r.published_at) {
            ("open", Some(back), _) => (0, back, 0),
            ("open", None, p) => (1, p.unwrap_or(0), 0),
            ("pending", _, _) => (2, 0, -r.id),
            _ => (3, 0, -r.id),
        },
    );
    views(&st.db, c, &s, rows).await
}

/// One wish the caller may see.
pub async fn one(st: &Base, c: &Caller, id: i64) -> AppResult<WishView> {
    let s = sight(&st.db, c).await?;
    let row = find(&st.db, c, &s, id).await?;
    views(&st.db, c, &s, vec![row])
        .await?
        .pop()
        .ok_or_else(not_found)
}

async fn find(
    db: &impl ConnectionTrait,
    c: &Caller,
    s: &Sight,
    id: i64,
) -> AppResult<party_wish::Model> {
    party_wish::Entity::find_by_id(id)
        .filter(visible(c, s))
        .one(db)
        .await?
        .ok_or_else(not_found)
}

/// A wish's photo (`wish`) or its fulfilment photo (`fulfil`), for those who may know the
/// beneficiary.
pub async fn photo(st: &Base, c: &Caller, id: i64, which: &str) -> AppResult<(String, Vec<u8>)> {
    let w = one(st, c, id).await?;
    if !w.identified {
        return Err(not_found());
    }
    let row = party_wish::Entity::find_by_id(id)
        .one(&st.db)
        .await?
        .ok_or_else(not_found)?;
    let file = match which {
        "fulfil" => row.fulfil_photo,
        _ => row.photo_id,
    };
    if file.is_empty() {
        return Err(AppError::NotFound("没有照片".into()));
    }
    crate::infra::files::read(&st.config.data_dir, &file).await
}

// ---------------------------------------------------------------------------------------------
// Writes

/// What a form or the API sends to record a wish.
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(default)]
pub struct WishInput {
    /// The beneficiary (a resident of the registry, in the caller's subtree).
    pub resident_id: Option<i64>,
    /// 心愿内容.
    pub title: String,
    /// 心愿原因 (why the resident needs it).
    pub reason: String,
    /// under_50, 50_100, 100_200, 200_500, service.
    pub value_band: String,
    /// How many claimants may share it (1 = one claimant).
    pub shares: Option<i32>,
    /// A campaign it belongs to.
    pub campaign_id: Option<i64>,
    /// The beneficiary's own account, if they have one (they may then confirm it themself).
    pub beneficiary_user_id: Option<i64>,
    /// A photo the caller uploaded (`POST /api/v1/files`).
    pub photo: Option<String>,
}

/// Stores a photo a page's form carried, as the caller's upload; answers its id.
pub async fn store_photo(st: &Base, c: &Caller, bytes: &[u8]) -> AppResult<Option<String>> {
    use crate::cases::entity::upload;
    if bytes.is_empty() {
        return Ok(None);
    }
    let (id, _, _) = crate::infra::files::put(&st.config.data_dir, bytes).await?;
    if let Some(u) = c.who.id {
        upload::Entity::insert(upload::ActiveModel {
            sha256: Set(id.clone()),
            user_id: Set(u),
            created_at: Set(now_ms()),
            ..Default::default()
        })
        .on_conflict(
            sea_orm::sea_query::OnConflict::columns([
                upload::Column::UserId,
                upload::Column::Sha256,
            ])
            .do_nothing()
            .to_owned(),
        )
        .try_insert()
        .exec(&st.db)
        .await?;
    }
    Ok(Some(id))
}

/// A photo id the caller sent: a stored file they uploaded (the pages store the form's photo
/// as the caller's upload first). Empty when none.
pub async fn owned_photo(st: &Base, c: &Caller, id: Option<&str>) -> AppResult<String> {
    use crate::cases::entity::upload;
    let Some(id) = id.map(str::trim).filter(|i| !i.is_empty()) else {
        return Ok(String::new());
    };
    let mine = match c.who.id {
        Some(u) => upload::Entity::find()
            .filter(upload::Column::UserId.eq(u))
            .filter(upload::Column::Sha256.eq(id))
            .one(&st.db)
            .await?
            .is_some(),
        None => true,
    };
    if !mine || crate::infra::files::stat(&st.config.data_dir, id).is_none() {
        return Err(AppError::bad(
            "bad_photo",
            "照片不存在或不是您上传的：请先上传照片，再提交",
        ));
    }
    Ok(id.to_owned())
}

async fn record_audit(
    tx: &impl ConnectionTrait,
    c: &Caller,
    w: &party_wish::Model,
    action: &str,
    summary: String,
    changes: serde_json::Value,
) -> AppResult<()> {
    audit::record(
        tx,
        &c.who,
        Entry {
            org_path: &stored_path(&w.org_path)?,
            action,
            entity: "party_wish",
            entity_id: Some(w.id),
            summary,
            changes,
        },
    )
    .await?;
    Ok(())
}

/// The grid a path lies in, if any.
async fn grid_of(db: &impl ConnectionTrait, path: &str) -> AppResult<Option<i64>> {
    let ids = OrgPath::parse(path).map(|p| p.ids()).unwrap_or_default();
    if ids.is_empty() {
        return Ok(None);
    }
    Ok(node::Entity::find()
        .filter(node::Column::Id.is_in(ids))
        .filter(node::Column::Level.eq(OrgLevel::Grid.as_str()))
        .one(db)
        .await?
        .map(|n| n.id))
}

/// Records a wish for a resident of the caller's subtree; it awaits review.
pub async fn create(st: &Base, c: &Caller, input: WishInput) -> AppResult<party_wish::Model> {
    if !recorder(c) {
        return Err(AppError::no_permission());
    }
    let title = validate::text("心愿内容", &input.title, 100, Lines::One, true)?;
    let reason = validate::text("心愿原因", &input.reason, 500, Lines::Many, false)?;
    let band = ValueBand::parse(&input.value_band).ok_or_else(|| {
        AppError::bad(
            "bad_value",
            "请选择心愿价值：50 元以下、50–100、100–200、200–500 元或服务类",
        )
    })?;
    let shares = input.shares.unwrap_or(1);
    if !(1..=rules::MAX_SHARES).contains(&shares) {
        return Err(AppError::bad(
            "bad_shares",
            format!("认领份数应为 1 到 {} 份", rules::MAX_SHARES),
        ));
    }
    let rid = input
        .resident_id
        .ok_or_else(|| AppError::bad("not_resident", "请选择心愿人：须是人口登记中的居民"))?;
    let person = resident::Entity::find_by_id(rid)
        .filter(c.scope_cond("org_path"))
        .filter(resident::Column::Status.eq("active"))
        .one(&st.db)
        .await?
        .ok_or_else(|| AppError::bad("not_resident", "心愿人须是您管辖范围内在册的居民"))?;
    for (what, text) in [("心愿内容", &title), ("心愿原因", &reason)] {
        rules::check_public_text(what, text, &person.name)
            .map_err(|e| AppError::bad("names_someone", e))?;
    }
    if let Some(k) = input.campaign_id {
        let camp = campaign_row(&st.db, c, k).await?;
        if camp.status != "active" {
            return Err(AppError::bad(
                "campaign_closed",
                "该专项行动已结束，不能再加入心愿",
            ));
        }
    }
    if let Some(u) = input.beneficiary_user_id {
        let ok = crate::users::entity::Entity::find_by_id(u)
            .filter(c.scope_cond("org_path"))
            .filter(crate::users::entity::Column::Role.eq(wangge_core::Role::Resident.as_str()))
            .filter(crate::users::entity::Column::Status.eq("active"))
            .one(&st.db)
            .await?
            .is_some();
        if !ok {
            return Err(AppError::bad(
                "bad_account",
                "心愿人的账号须是您管辖范围内的居民账号",
            ));
        }
    }
    let photo_id = owned_photo(st, c, input.photo.as_deref()).await?;
    let grid = grid_of(&st.db, &person.org_path).await?;
    let tx = begin_write(&st.db).await?;
    let row = party_wish::ActiveModel {
        campaign_id: Set(input.campaign_id),
        grid_id: Set(grid),
        org_path: Set(person.org_path.clone()),
        resident_id: Set(person.id),
        household_id: Set(person.household_id),
        title: Set(title),
        reason: Set(reason),
        value_band: Set(band.as_str().into()),
        photo_id: Set(photo_id),
        shares: Set(shares),
        status: Set(Status::Pending.as_str().into()),
        recorded_by_id: Set(c.who.id),
        recorded_by: Set(display_name(&tx, c).await?),
        beneficiary_user_id: Set(input.beneficiary_user_id),
        reviewed_by: Set(String::new()),
        review_note: Set(String::new()),
        published_at: Set(None),
        returned_at: Set(None),
        fulfilled_at: Set(None),
        fulfil_note: Set(String::new()),
        fulfil_photo: Set(String::new()),
        confirmed_by: Set(String::new()),
        confirmed_as: Set(String::new()),
        version: Set(1),
        created_at: Set(now_ms()),
        ..Default::default()
    }
    .insert(&tx)
    .await?;
    record_audit(
        &tx,
        c,
        &row,
        "create",
        "登记微心愿".into(),
        json!({"value_band": band.as_str(), "shares": shares, "campaign_id": input.campaign_id}),
    )
    .await?;
    tx.commit().await?;
    Ok(row)
}

pub(super) use crate::users::display_name;

/// A review: publish (`approve`) or refuse with a reason.
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(default)]
pub struct ReviewInput {
    /// Publish it.
    pub approve: bool,
    /// 审核意见 (required when refused).
    pub note: String,
    /// The version the caller saw.
    pub version: Option<i32>,
}

/// Loads a wish for a write under a lock, checking the version the caller saw.
async fn locked(
    tx: &impl ConnectionTrait,
    c: &Caller,
    s: &Sight,
    id: i64,
    version: Option<i32>,
) -> AppResult<party_wish::Model> {
    // Scope first: a wish the caller may not see is "not found", locked or not.
    find(tx, c, s, id).await?;
    lock_row(tx, "party_wishes", id).await?;
    let row = find(tx, c, s, id).await?;
    if version.is_some_and(|v| v != row.version) {
        return Err(AppError::stale());
    }
    Ok(row)
}

/// Sets a wish's status (and what goes with it), guarded by its version.
async fn set_status(
    tx: &impl ConnectionTrait,
    w: &party_wish::Model,
    sets: &str,
    mut values: Vec<sea_orm::Value>,
) -> AppResult<()> {
    let n = values.len();
    values.push(w.id.into());
    values.push(w.version.into());
    let sql = format!(
        "UPDATE party_wishes SET {sets}, version = version + 1 WHERE id = ${} AND version = ${}",
        n + 1,
        n + 2
    );
    if exec(tx, &sql, values).await? == 0 {
        return Err(AppError::stale());
    }
    Ok(())
}

/// Reviews a wish awaiting it: publishes it to the pool or refuses it with a reason.
pub async fn review(st: &Base, c: &Caller, id: i64, input: ReviewInput) -> AppResult<WishView> {
    if !reviewer(c) {
        return Err(AppError::no_permission());
    }
    let note = validate::text("审核意见", &input.note, 500, Lines::Many, !input.approve)?;
    let s = sight(&st.db, c).await?;
    let tx = begin_write(&st.db).await?;
    let w = locked(&tx, c, &s, id, input.version).await?;
    let status = Status::parse(&w.status).unwrap_or(Status::Pending);
    rules::check_review(status).map_err(|e| AppError::bad("bad_step", e))?;
    let to = if input.approve {
        Status::Open
    } else {
        Status::Rejected
    };
    let name = display_name(&tx, c).await?;
    set_status(
        &tx,
        &w,
        "status = $1, reviewed_by = $2, review_note = $3, published_at = $4",
        vec![
            to.as_str().into(),
            name.into(),
            note.into(),
            input.approve.then(now_ms).into(),
        ],
    )
    .await?;
    record_audit(
        &tx,
        c,
        &w,
        "update",
        format!(
            "审核微心愿：{}",
            if input.approve {
                "通过并发布"
            } else {
                "未通过"
            }
        ),
        json!({"status": [w.status, to.as_str()]}),
    )
    .await?;
    if let Some(u) = w.recorded_by_id {
        let text = format!(
            "您登记的微心愿“{}”{}",
            w.title,
            if input.approve {
                "已通过审核并发布"
            } else {
                "未通过审核"
            }
        );
        let notes = crate::infra::notify::about(&tx, &[u], "wish", &text).await?;
        tx.commit().await?;
        st.hub.publish(notes);
    } else {
        tx.commit().await?;
    }
    one(st, c, id).await
}

/// Withdraws a wish nobody has claimed (its recorder or the reviewers).
pub async fn withdraw(st: &Base, c: &Caller, id: i64, version: Option<i32>) -> AppResult<WishView> {
    let s = sight(&st.db, c).await?;
    let tx = begin_write(&st.db).await?;
    let w = locked(&tx, c, &s, id, version).await?;
    if !(s.reviewer || (w.recorded_by_id.is_some() && w.recorded_by_id == s.user_id)) {
        return Err(AppError::no_permission());
    }
    let taken = active_claims(&tx, w.id).await?.len() as i32;
    rules::check_withdraw(Status::parse(&w.status).unwrap_or(Status::Pending), taken)
        .map_err(|e| AppError::bad("bad_step", e))?;
    set_status(
        &tx,
        &w,
        "status = $1",
        vec![Status::Withdrawn.as_str().into()],
    )
    .await?;
    record_audit(
        &tx,
        c,
        &w,
        "update",
        "撤回微心愿".into(),
        json!({"status": [w.status, "withdrawn"]}),
    )
    .await?;
    tx.commit().await?;
    one(st, c, id).await
}

async fn active_claims(
    db: &impl ConnectionTrait,
    wish: i64,
) -> AppResult<Vec<party_wish_claim::Model>> {
    Ok(party_wish_claim::Entity::find()
        .filter(party_wish_claim::Column::WishId.eq(wish))
        .filter(party_wish_claim::Column::State.eq("active"))
        .all(db)
        .await?)
}

/// A claim: the caller for themself (as a member, an activist, or a volunteer), or a reviewer
/// for a branch or a unit.
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(default)]
pub struct ClaimInput {
    /// `member`, `branch` or `unit` to claim for them (the community's party staff); empty
    /// for oneself.
    pub on_behalf: String,
    /// The member claiming (for `member`).
    pub member_id: Option<i64>,
    /// The branch claiming (for `branch`).
    pub branch_id: Option<i64>,
    /// The unit's name (for `unit`).
    pub unit_name: String,
}

/// Claims one share of a published wish. Under a lock on the wish, and held by the database
/// besides: two claims of the last share cannot both win.
pub async fn claim(st: &Base, c: &Caller, id: i64, input: ClaimInput) -> AppResult<WishView> {
    let s = sight(&st.db, c).await?;
    let kind_of = |m: &party_member::Model| {
        if wangge_core::party::member::Stage::parse(&m.stage)
            .is_some_and(wangge_core::party::member::Stage::is_member)
        {
            ClaimantKind::Member
        } else {
            ClaimantKind::Activist
        }
    };
    // The account the claim belongs to (told of what becomes of it).
    let mut holder = s.user_id;
    let (kind, key, name, member_id, org_id) = match input.on_behalf.trim() {
        "" => {
            let Some(key) = s.own_key() else {
                return Err(AppError::bad("no_account", "请用个人账号认领"));
            };
            match &s.member {
                Some(m) => {
                    let stage = wangge_core::party::member::Stage::parse(&m.stage);
                    let kind = if stage.is_some_and(wangge_core::party::member::Stage::is_member) {
                        ClaimantKind::Member
                    } else {
                        ClaimantKind::Activist
                    };
                    (kind, key, display_name(&st.db, c).await?, Some(m.id), None)
                }
                None => (
                    ClaimantKind::Volunteer,
                    key,
                    display_name(&st.db, c).await?,
                    None,
                    None,
                ),
            }
        }
        "member" | "党员" => {
            // A member without a phone (an old member, most often) claims through the branch.
            if !s.reviewer {
                return Err(AppError::no_permission());
            }
            let mid = input
                .member_id
                .ok_or_else(|| AppError::bad("no_member", "请选择认领的党员"))?;
            let m = super::members::find(&st.db, c, mid).await?;
            if m.status != "active" {
                return Err(AppError::bad(
                    "not_a_member",
                    "该党员的组织关系已不在本支部",
                ));
            }
            let view = super::members::views(st, std::slice::from_ref(&m))
                .await?
                .pop()
                .ok_or_else(not_found)?;
            holder = m.user_id;
            (
                kind_of(&m),
                format!("m:{}", m.id),
                view.name,
                Some(m.id),
                None,
            )
        }
        "branch" | "党组织" => {
            if !s.reviewer {
                return Err(AppError::no_permission());
            }
            let bid = input
                .branch_id
                .ok_or_else(|| AppError::bad("no_branch", "请选择认领的党组织"))?;
            let org = super::service::find(&st.db, c, bid).await?;
            (
                ClaimantKind::Branch,
                format!("o:{}", org.id),
                org.name,
                None,
                Some(org.id),
            )
        }
        "unit" | "驻区单位" => {
            if !s.reviewer {
                return Err(AppError::no_permission());
            }
            let unit = validate::text("单位名称", &input.unit_name, 60, Lines::One, true)?;
            let key: String = format!("n:{}", unit.to_lowercase())
                .chars()
                .take(40)
                .collect();
            (ClaimantKind::Unit, key, unit, None, None)
        }
        other => {
            return Err(AppError::bad(
                "bad_claimant",
                format!("没有“{other}”这种认领方式：个人认领，或为党员、党组织、驻区单位认领"),
            ));
        }
    };
    let days = contact_days(&st.db).await?;
    let cal = crate::cases::catalog::load(&st.db).await?.calendar;
    let tx = begin_write(&st.db).await?;
    let w = locked(&tx, c, &s, id, None).await?;
    let status = Status::parse(&w.status).unwrap_or(Status::Pending);
    let held = active_claims(&tx, w.id).await?;
    let taken = held.len() as i32;
    let mine = held.iter().any(|h| h.claimant_key == key);
    rules::check_claim(status, w.shares, taken, mine).map_err(|e| {
        if mine {
            AppError::conflict("claimed_twice", e)
        } else {
            AppError::bad("not_claimable", e)
        }
    })?;
    let used: HashSet<i32> = held.iter().map(|h| h.share_no).collect();
    let share = (1..=w.shares)
        .find(|n| !used.contains(n))
        .unwrap_or(w.shares);
    let now = now_ms();
    let due = from_bj(rules::contact_due(&cal, bj(now), days));
    let actor = display_name(&tx, c).await?;
    party_wish_claim::ActiveModel {
        wish_id: Set(w.id),
        org_path: Set(w.org_path.clone()),
        share_no: Set(share),
        claimant_kind: Set(kind.as_str().into()),
        claimant_key: Set(key),
        claimant_name: Set(name.clone()),
        user_id: Set(holder),
        member_id: Set(member_id),
        party_org_id: Set(org_id),
        state: Set(ClaimState::Active.as_str().into()),
        claimed_at: Set(now),
        contact_due: Set(due),
        contacted_at: Set(None),
        contact_note: Set(String::new()),
        reminded_at: Set(None),
        ended_at: Set(None),
        end_reason: Set(String::new()),
        actor_name: Set(actor),
        ..Default::default()
    }
    .insert(&tx)
    .await?;
    let to = rules::after_claims(w.shares, taken + 1);
    set_status(
        &tx,
        &w,
        "status = $1, returned_at = $2",
        vec![
            to.as_str().into(),
            if to == Status::Open {
                w.returned_at
            } else {
                None
            }
            .into(),
        ],
    )
    .await?;
    record_audit(
        &tx,
        c,
        &w,
        "update",
        format!("{}“{name}”认领微心愿（第 {share} 份）", kind.label()),
        json!({"share": share, "claimant_kind": kind.as_str(), "status": [w.status, to.as_str()]}),
    )
    .await?;
    let mut notes = Vec::new();
    if let Some(u) = w.recorded_by_id {
        let text = format!("微心愿“{}”已由{}“{name}”认领", w.title, kind.label());
        notes = crate::infra::notify::about(&tx, &[u], "wish", &text).await?;
    }
    tx.commit().await?;
    st.hub.publish(notes);
    one(st, c, id).await
}

/// Ends a claim or reports contact on it.
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(default)]
pub struct ClaimStepInput {
    /// The reason (a revocation needs one) or the contact's note.
    pub note: String,
}

/// What is done to a claim.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ClaimStep {
    /// The claimant cancels: the wish returns to the pool, first in line.
    Cancel,
    /// Staff revoke it (with a reason): the same.
    Revoke,
    /// The claimant made contact with the beneficiary (a visit).
    Contact,
}

/// Finds a claim and the wish it holds, the wish locked.
async fn claim_of(
    tx: &impl ConnectionTrait,
    c: &Caller,
    s: &Sight,
    claim_id: i64,
) -> AppResult<(party_wish_claim::Model, party_wish::Model)> {
    let gone = || AppError::NotFound("认领记录不存在".into());
    let cl = party_wish_claim::Entity::find_by_id(claim_id)
        .filter(c.scope_cond("org_path"))
        .one(tx)
        .await?
        .ok_or_else(gone)?;
    let w = locked(tx, c, s, cl.wish_id, None)
        .await
        .map_err(|_| gone())?;
    let cl = party_wish_claim::Entity::find_by_id(claim_id)
        .one(tx)
        .await?
        .ok_or_else(gone)?;
    Ok((cl, w))
}

/// Cancels, revokes or reports contact on a claim.
pub async fn claim_step(
    st: &Base,
    c: &Caller,
    claim_id: i64,
    step: ClaimStep,
    input: ClaimStepInput,
) -> AppResult<WishView> {
    let note = validate::text(
        match step {
            ClaimStep::Contact => "联系情况",
            _ => "理由",
        },
        &input.note,
        500,
        Lines::Many,
        step == ClaimStep::Revoke,
    )?;
    let s = sight(&st.db, c).await?;
    let tx = begin_write(&st.db).await?;
    let (cl, w) = claim_of(&tx, c, &s, claim_id).await?;
    // The party staff act for the claimants they registered (a branch, a unit, a member
    // without an account).
    let own = Some(&cl.claimant_key) == s.own_key().as_ref()
        || (s.reviewer
            && (matches!(cl.claimant_kind.as_str(), "branch" | "unit") || cl.user_id.is_none()));
    match step {
        ClaimStep::Revoke if !s.reviewer => return Err(AppError::no_permission()),
        ClaimStep::Cancel | ClaimStep::Contact if !own => {
            return Err(AppError::no_permission());
        }
        _ => {}
    }
    let state = ClaimState::parse(&cl.state).unwrap_or(ClaimState::Active);
    rules::check_end(state).map_err(|e| AppError::bad("bad_step", e))?;
    let now = now_ms();
    if step == ClaimStep::Contact {
        exec(
            &tx,
            "UPDATE party_wish_claims SET contacted_at = $1, contact_note = $2 WHERE id = $3",
            vec![now.into(), note.into(), cl.id.into()],
        )
        .await?;
        record_audit(
            &tx,
            c,
            &w,
            "update",
            format!("认领人“{}”已联系心愿人", cl.claimant_name),
            json!({"claim_id": cl.id}),
        )
        .await?;
        tx.commit().await?;
        return one(st, c, w.id).await;
    }
    let ended = if step == ClaimStep::Cancel {
        ClaimState::Cancelled
    } else {
        ClaimState::Revoked
    };
    release(&tx, &w, &cl, ended, &note, now).await?;
    record_audit(
        &tx,
        c,
        &w,
        "update",
        format!("{}：“{}”的认领", ended.label(), cl.claimant_name),
        json!({"claim_id": cl.id, "state": ended.as_str()}),
    )
    .await?;
    tx.commit().await?;
    one(st, c, w.id).await
}

/// Ends an active claim and returns its share to the pool, first in line.
async fn release(
    tx: &impl ConnectionTrait,
    w: &party_wish::Model,
    cl: &party_wish_claim::Model,
    ended: ClaimState,
    reason: &str,
    now: i64,
) -> AppResult<()> {
    let n = exec(
        tx,
        "UPDATE party_wish_claims SET state = $1, ended_at = $2, end_reason = $3 \
         WHERE id = $4 AND state = 'active'",
        vec![
            ended.as_str().into(),
            now.into(),
            reason.to_owned().into(),
            cl.id.into(),
        ],
    )
    .await?;
    if n == 0 {
        return Err(AppError::stale());
    }
    set_status(
        tx,
        w,
        "status = $1, returned_at = $2",
        vec![Status::Open.as_str().into(), now.into()],
    )
    .await
}

/// A fulfilment: what was done (and the photo, sent beside it).
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(default)]
pub struct FulfilInput {
    /// 实现情况.
    pub note: String,
    /// The photo of the wish fulfilled, uploaded by the caller (`POST /api/v1/files`).
    pub photo: String,
    /// The version the caller saw.
    pub version: Option<i32>,
}

/// Confirms a wish fulfilled: the beneficiary (their own account) or their grid worker, with
/// a photo.
pub async fn fulfil(st: &Base, c: &Caller, id: i64, input: FulfilInput) -> AppResult<WishView> {
    let note = validate::text("实现情况", &input.note, 1000, Lines::Many, true)?;
    let s = sight(&st.db, c).await?;
    // Who may confirm is checked on the row before the photo is stored.
    let w = find(&st.db, c, &s, id).await?;
    let as_beneficiary = w.beneficiary_user_id.is_some() && w.beneficiary_user_id == s.user_id;
    let as_worker = s.grid_worker && staff(c);
    if !as_beneficiary && !as_worker {
        return Err(AppError::bad(
            "not_confirmer",
            "只有心愿人本人或其所在网格的网格员可以确认心愿实现",
        ));
    }
    rules::check_fulfil(Status::parse(&w.status).unwrap_or(Status::Pending))
        .map_err(|e| AppError::bad("bad_step", e))?;
    let file = owned_photo(st, c, Some(&input.photo)).await?;
    if file.is_empty() {
        return Err(AppError::bad("no_photo", "请上传心愿实现的照片"));
    }
    let tx = begin_write(&st.db).await?;
    let w = locked(&tx, c, &s, id, input.version).await?;
    rules::check_fulfil(Status::parse(&w.status).unwrap_or(Status::Pending))
        .map_err(|e| AppError::bad("bad_step", e))?;
    let now = now_ms();
    let name = display_name(&tx, c).await?;
    set_status(
        &tx,
        &w,
        "status = $1, fulfilled_at = $2, fulfil_note = $3, fulfil_photo = $4, \
         confirmed_by = $5, confirmed_as = $6",
        vec![
            Status::Fulfilled.as_str().into(),
            now.into(),
            note.into(),
            file.into(),
            name.into(),
            if as_beneficiary {
                "beneficiary"
            } else {
                "grid_worker"
            }
            .into(),
        ],
    )
    .await?;
    let claimants: Vec<i64> = active_claims(&tx, w.id)
        .await?
        .iter()
        .filter_map(|h| h.user_id)
        .collect();
    exec(
        &tx,
        "UPDATE party_wish_claims SET state = 'fulfilled', ended_at = $1 \
         WHERE wish_id = $2 AND state = 'active'",
        vec![now.into(), w.id.into()],
    )
    .await?;
    record_audit(
        &tx,
        c,
        &w,
        "update",
        format!(
            "确认微心愿已实现（{}确认）",
            if as_beneficiary {
                "心愿人"
            } else {
                "网格员"
            }
        ),
        json!({"status": [w.status, "fulfilled"]}),
    )
    .await?;
    let text = format!("您认领的微心愿“{}”已确认实现，谢谢您", w.title);
    let notes = crate::infra::notify::about(&tx, &claimants, "wish", &text).await?;
    tx.commit().await?;
    st.hub.publish(notes);
    one(st, c, id).await
}

// ---------------------------------------------------------------------------------------------
// The pressing of uncontacted claims

/// What one pass did.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct ChaseReport {
    pub reminded: u64,
    pub released: u64,
}

/// One pass over the active claims without contact, as of `now` (ms): reminds those past the
/// limit, releases those reminded and still silent after the grace.
pub async fn chase_once(st: &Base, now: i64) -> AppResult<ChaseReport> {
    let cal = crate::cases::catalog::load(&st.db).await?.calendar;
    let due: Vec<party_wish_claim::Model> = party_wish_claim::Entity::find()
        .filter(party_wish_claim::Column::State.eq("active"))
        .filter(party_wish_claim::Column::ContactedAt.is_null())
        .filter(party_wish_claim::Column::ContactDue.lte(now))
        .order_by_asc(party_wish_claim::Column::Id)
        .all(&st.db)
        .await?;
    let mut report = ChaseReport::default();
    for cl in due {
        let step = rules::chase(&cal, bj(now), bj(cl.contact_due), cl.reminded_at.map(bj));
        let Some(step) = step else { continue };
        let tx = begin_write(&st.db).await?;
        lock_row(&tx, "party_wishes", cl.wish_id).await?;
        let (Some(cl), Some(w)) = (
            party_wish_claim::Entity::find_by_id(cl.id).one(&tx).await?,
            party_wish::Entity::find_by_id(cl.wish_id).one(&tx).await?,
        ) else {
            continue;
        };
        if cl.state != "active" || cl.contacted_at.is_some() {
            continue;
        }
        let system = Caller::cli();
        let notes = match step {
            rules::Chase::Remind => {
                let n = exec(
                    &tx,
                    "UPDATE party_wish_claims SET reminded_at = $1 \
                     WHERE id = $2 AND reminded_at IS NULL",
                    vec![now.into(), cl.id.into()],
                )
                .await?;
                if n == 0 {
                    continue;
                }
                record_audit(
                    &tx,
                    &system,
                    &w,
                    "update",
                    format!("提醒认领人“{}”尽快联系心愿人", cl.claimant_name),
                    json!({"claim_id": cl.id}),
                )
                .await?;
                report.reminded += 1;
                let text = format!(
                    "您认领的微心愿“{}”已超过联系期限，请尽快联系心愿人；再过 {} 个工作日未联系将自动释放",
                    w.title,
                    rules::RELEASE_GRACE_DAYS
                );
                crate::infra::notify::about(
                    &tx,
                    &cl.user_id.into_iter().collect::<Vec<_>>(),
                    "wish",
                    &text,
                )
                .await?
            }
            rules::Chase::Release => {
                release(
                    &tx,
                    &w,
                    &cl,
                    ClaimState::Released,
                    "超期未联系，自动释放",
                    now,
                )
                .await?;
                record_audit(
                    &tx,
                    &system,
                    &w,
                    "update",
                    format!("“{}”超期未联系，认领已释放", cl.claimant_name),
                    json!({"claim_id": cl.id, "state": "released"}),
                )
                .await?;
                report.released += 1;
                let text = format!("您认领的微心愿“{}”超期未联系，已释放给其他人认领", w.title);
                crate::infra::notify::about(
                    &tx,
                    &cl.user_id.into_iter().collect::<Vec<_>>(),
                    "wish",
                    &text,
                )
                .await?
            }
        };
        tx.commit().await?;
        st.hub.publish(notes);
    }
    Ok(report)
}

/// Runs the pressing of claims every `every` (inside `wangge serve`).
pub async fn chase_forever(st: Base, every: std::time::Duration) {
    loop {
        tokio::time::sleep(every).await;
        match chase_once(&st, now_ms()).await {
            Ok(r) if r != ChaseReport::default() => tracing::info!(?r, "chased wish claims"),
            Ok(_) => {}
            Err(e) => e.log(),
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Campaigns

/// A campaign as shown, with its live figures.
#[derive(Clone, Debug, Serialize)]
pub struct CampaignView {
    pub id: i64,
    pub org_node_id: i64,
    pub org_name: String,
    pub name: String,
    pub starts_on: String,
    pub ends_on: String,
    pub target: i32,
    pub note: String,
    /// The grids taking part that the caller sees.
    pub grids: Vec<(i64, String)>,
    /// Whether the figures are the whole campaign's (false: the caller's part of a campaign run
    /// above them).
    pub whole: bool,
    /// 进行中 / 未开始 / 已结束 (by the dates), or 已总结 once summarized.
    pub phase: &'static str,
    pub status: String,
    pub summary: String,
    pub figures: Figures,
    /// Fulfilled ÷ target, whole percent (at most 100).
    pub progress: i64,
    pub version: i32,
}

/// What a form or the API sends to start a campaign.
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(default)]
pub struct CampaignInput {
    /// The street or community running it (the caller's node when none).
    pub org_node_id: Option<i64>,
    /// 名称, e.g. 百名老党员、百个微心愿.
    pub name: String,
    /// 开始日期, 结束日期.
    pub starts_on: String,
    pub ends_on: String,
    /// 目标心愿数.
    pub target: Option<i32>,
    /// The grids taking part (every grid under the node when none).
    pub grids: Vec<i64>,
    /// 说明.
    pub note: String,
}

/// The campaigns the caller may see: those run in their subtree, and those run above it that
/// a grid of their subtree takes part in.
fn campaign_cond(c: &Caller) -> Condition {
    let taking_part = sea_orm::sea_query::Query::select()
        .column(party_campaign_grid::Column::CampaignId)
        .from(party_campaign_grid::Entity)
        .cond_where(c.scope_cond("org_path"))
        .to_owned();
    Condition::any()
        .add(c.scope_cond("org_path"))
        .add(party_campaign::Column::Id.in_subquery(taking_part))
}

async fn campaign_row(
    db: &impl ConnectionTrait,
    c: &Caller,
    id: i64,
) -> AppResult<party_campaign::Model> {
    party_campaign::Entity::find_by_id(id)
        .filter(campaign_cond(c))
        .one(db)
        .await?
        .ok_or_else(|| AppError::NotFound("专项行动不存在".into()))
}

/// A campaign's figures, each defined here once (and recounted from the rows by
/// `tests/it/party_wishes.rs`):
/// - posted: its wishes published (待认领, 已认领, 已实现);
/// - claimed: of those, 已认领 or 已实现;
/// - fulfilled: 已实现;
/// - members: distinct members holding an active share or one fulfilled;
/// - households: distinct households of beneficiaries whose claimant recorded contact.
///
/// `within` keeps the wishes of a subtree (a community sees its part of a street's campaign).
pub async fn campaign_figures(
    db: &impl ConnectionTrait,
    campaign: i64,
    within: Condition,
) -> AppResult<Figures> {
    let wishes = party_wish::Entity::find()
        .filter(party_wish::Column::CampaignId.eq(campaign))
        .filter(within)
        .filter(party_wish::Column::Status.is_in(PUBLISHED))
        .all(db)
        .await?;
    let mut f = Figures {
        posted: wishes.len() as i64,
        ..Figures::default()
    };
    for w in &wishes {
        f.claimed += i64::from(w.status != "open");
        f.fulfilled += i64::from(w.status == "fulfilled");
    }
    let ids: Vec<i64> = wishes.iter().map(|w| w.id).collect();
    let home: HashMap<i64, Option<i64>> = wishes
        .iter()
        .map(|w| (w.id, w.household_id.or(Some(-w.resident_id))))
        .collect();
    let (mut members, mut households) = (HashSet::new(), HashSet::new());
    for chunk in ids.chunks(500) {
        for cl in party_wish_claim::Entity::find()
            .filter(party_wish_claim::Column::WishId.is_in(chunk.to_vec()))
            .filter(party_wish_claim::Column::State.is_in(["active", "fulfilled"]))
            .all(db)
            .await?
        {
            if let Some(m) = cl.member_id {
                members.insert(m);
            }
            if cl.contacted_at.is_some()
                && let Some(h) = home.get(&cl.wish_id).copied().flatten()
            {
                households.insert(h);
            }
        }
    }
    f.members = members.len() as i64;
    f.households = households.len() as i64;
    Ok(f)
}

fn phase(c: &party_campaign::Model) -> &'static str {
    let day = today().to_string();
    if c.status == "summarized" {
        "已总结"
    } else if day < c.starts_on {
        "未开始"
    } else if day > c.ends_on {
        "已结束"
    } else {
        "进行中"
    }
}

async fn campaign_view(
    db: &impl ConnectionTrait,
    caller: &Caller,
    c: party_campaign::Model,
) -> AppResult<CampaignView> {
    // A campaign run above the caller's subtree shows the caller's part of it.
    let whole = OrgPath::parse(&c.org_path)
        .ok()
        .is_some_and(|p| caller.scope.as_ref().is_none_or(|s| s.allows(&p)));
    let grid_ids: Vec<i64> = party_campaign_grid::Entity::find()
        .filter(party_campaign_grid::Column::CampaignId.eq(c.id))
        .filter(caller.scope_cond("org_path"))
        .all(db)
        .await?
        .into_iter()
        .map(|g| g.grid_id)
        .collect();
    let mut names: HashMap<i64, String> = node::Entity::find()
        .filter(node::Column::Id.is_in(grid_ids.iter().copied().chain([c.org_node_id])))
        .all(db)
        .await?
        .into_iter()
        .map(|n| (n.id, n.name))
        .collect();
    let figures = campaign_figures(db, c.id, caller.scope_cond("org_path")).await?;
    Ok(CampaignView {
        id: c.id,
        org_node_id: c.org_node_id,
        org_name: names.get(&c.org_node_id).cloned().unwrap_or_default(),
        grids: grid_ids
            .iter()
            .map(|g| (*g, names.remove(g).unwrap_or_default()))
            .collect(),
        phase: phase(&c),
        whole,
        progress: rules::percent(figures.fulfilled, i64::from(c.target)),
        figures,
        name: c.name,
        starts_on: c.starts_on,
        ends_on: c.ends_on,
        target: c.target,
        note: c.note,
        status: c.status,
        summary: c.summary,
        version: c.version,
    })
}

/// The campaigns the caller may see ([`campaign_cond`]), the latest first.
pub async fn campaigns(st: &Base, c: &Caller) -> AppResult<Vec<CampaignView>> {
    let rows = party_campaign::Entity::find()
        .filter(campaign_cond(c))
        .order_by_desc(party_campaign::Column::StartsOn)
        .order_by_desc(party_campaign::Column::Id)
        .all(&st.db)
        .await?;
    let mut out = Vec::with_capacity(rows.len());
    for r in rows {
        out.push(campaign_view(&st.db, c, r).await?);
    }
    Ok(out)
}

/// One campaign, with its live figures.
pub async fn campaign(st: &Base, c: &Caller, id: i64) -> AppResult<CampaignView> {
    let row = campaign_row(&st.db, c, id).await?;
    campaign_view(&st.db, c, row).await
}

/// Starts a campaign at a street or community of the caller's subtree.
pub async fn create_campaign(
    st: &Base,
    c: &Caller,
    input: CampaignInput,
) -> AppResult<party_campaign::Model> {
    if !reviewer(c) {
        return Err(AppError::no_permission());
    }
    let name = validate::text("名称", &input.name, 60, Lines::One, true)?;
    let note = validate::text("说明", &input.note, 500, Lines::Many, false)?;
    let date = |what: &str, s: &str| {
        super::members::date_of(s.trim())
            .ok_or_else(|| AppError::bad("bad_date", format!("请填写{what}（年-月-日）")))
    };
    let starts = date("开始日期", &input.starts_on)?;
    let ends = date("结束日期", &input.ends_on)?;
    let target = input.target.unwrap_or(0);
    rules::check_campaign(starts, ends, target).map_err(|e| AppError::bad("bad_campaign", e))?;
    let node_id = match (input.org_node_id, &c.scope) {
        (Some(n), _) => n,
        (None, Some(sc)) => sc.root().ids().last().copied().unwrap_or_default(),
        (None, None) => return Err(AppError::bad("no_node", "请选择开展专项行动的街道或社区")),
    };
    let at = crate::org::service::find(&st.db, c, node_id).await?;
    let place = OrgPath::parse(&at.path).map_err(|_| not_found())?;
    let mut gq = node::Entity::find()
        .filter(node::Column::Level.eq(OrgLevel::Grid.as_str()))
        .filter(node::Column::Status.eq("active"))
        .filter(crate::infra::db::subtree(node::Column::Path, &place));
    if !input.grids.is_empty() {
        gq = gq.filter(node::Column::Id.is_in(input.grids.clone()));
    }
    let grids = gq.all(&st.db).await?;
    if grids.is_empty() || (!input.grids.is_empty() && grids.len() != input.grids.len()) {
        return Err(AppError::bad(
            "bad_grids",
            format!("参加的网格须是“{}”下的网格", at.name),
        ));
    }
    let tx = begin_write(&st.db).await?;
    let row = party_campaign::ActiveModel {
        org_node_id: Set(at.id),
        org_path: Set(at.path.clone()),
        name: Set(name.clone()),
        starts_on: Set(starts.to_string()),
        ends_on: Set(ends.to_string()),
        target: Set(target),
        note: Set(note),
        summary: Set(String::new()),
        summarized_at: Set(None),
        status: Set("active".into()),
        actor_name: Set(display_name(&tx, c).await?),
        version: Set(1),
        created_at: Set(now_ms()),
        ..Default::default()
    }
    .insert(&tx)
    .await?;
    party_campaign_grid::Entity::insert_many(grids.iter().map(|g| {
        party_campaign_grid::ActiveModel {
            campaign_id: Set(row.id),
            grid_id: Set(g.id),
            org_path: Set(g.path.clone()),
            ..Default::default()
        }
    }))
    .exec(&tx)
    .await?;
    audit::record(
        &tx,
        &c.who,
        Entry {
            org_path: &stored_path(&at.path)?,
            action: "create",
            entity: "party_campaign",
            entity_id: Some(row.id),
            summary: format!("开展专项行动“{name}”"),
            changes: json!({"starts_on": row.starts_on, "ends_on": row.ends_on, "target": target, "grids": grids.len()}),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(row)
}

/// Writes a campaign's summary from its figures (after its window; it may be rewritten until
/// the figures settle), and closes it to new wishes.
pub async fn summarize(st: &Base, c: &Caller, id: i64) -> AppResult<CampaignView> {
    if !reviewer(c) {
        return Err(AppError::no_permission());
    }
    let tx = begin_write(&st.db).await?;
    let row = campaign_row(&tx, c, id).await?;
    lock_row(&tx, "party_campaigns", row.id).await?;
    let starts = super::members::date_of(&row.starts_on).unwrap_or_default();
    let ends = super::members::date_of(&row.ends_on).unwrap_or_default();
    if today() <= ends {
        return Err(AppError::bad(
            "not_over",
            format!("专项行动到 {} 才结束，结束后再写总结", row.ends_on),
        ));
    }
    let figures = campaign_figures(&tx, row.id, Condition::all()).await?;
    let text = rules::summary(&row.name, starts, ends, row.target, &figures);
    exec(
        &tx,
        "UPDATE party_campaigns SET summary = $1, summarized_at = $2, status = 'summarized', \
         version = version + 1 WHERE id = $3",
        vec![text.clone().into(), now_ms().into(), row.id.into()],
    )
    .await?;
    audit::record(
        &tx,
        &c.who,
        Entry {
            org_path: &stored_path(&row.org_path)?,
            action: "update",
            entity: "party_campaign",
            entity_id: Some(row.id),
            summary: format!("总结专项行动“{}”", row.name),
            changes: json!({"figures": figures}),
        },
    )
    .await?;
    tx.commit().await?;
    campaign(st, c, id).await
}

// ---------------------------------------------------------------------------------------------
// The public page

/// A published wish as the public page shows it: no person, no address below the community,
/// no photo.
#[derive(Clone, Debug, Serialize)]
pub struct PublicWish {
    pub id: i64,
    /// `open`, `claimed` or `fulfilled`.
    pub status: String,
    pub title: String,
    pub value_label: &'static str,
    pub place: String,
    pub status_label: &'static str,
    pub shares: i32,
    pub campaign_name: String,
}

/// The public page's figures: of the wishes it lists, those waiting for a claimant and those
/// fulfilled (recounted from the rows by `tests/it/party_wishes.rs`).
pub fn public_tally(list: &[PublicWish]) -> (usize, usize) {
    let count = |s: Status| list.iter().filter(|w| w.status == s.as_str()).count();
    (count(Status::Open), count(Status::Fulfilled))
}

/// The published wishes of the whole deployment, newest first (at most `limit`).
pub async fn public(db: &impl ConnectionTrait, limit: u64) -> AppResult<Vec<PublicWish>> {
    use sea_orm::QuerySelect;
    let mut rows = party_wish::Entity::find()
        .filter(party_wish::Column::Status.is_in(PUBLISHED))
        .order_by_desc(party_wish::Column::PublishedAt)
        .limit(limit)
        .all(db)
        .await?;
    // Those still wanting a claimant first.
    rows.sort_by_key(|r| r.status == "fulfilled");
    // The community the wish's grid is in names the place.
    let mut ids: HashSet<i64> = HashSet::new();
    for r in &rows {
        if let Ok(p) = OrgPath::parse(&r.org_path) {
            ids.extend(p.ids());
        }
    }
    let communities: HashMap<i64, String> = node::Entity::find()
        .filter(node::Column::Id.is_in(ids))
        .filter(node::Column::Level.eq(OrgLevel::Community.as_str()))
        .all(db)
        .await?
        .into_iter()
        .map(|n| (n.id, n.name))
        .collect();
    let cids: HashSet<i64> = rows.iter().filter_map(|r| r.campaign_id).collect();
    let camps: HashMap<i64, String> = party_campaign::Entity::find()
        .filter(party_campaign::Column::Id.is_in(cids))
        .all(db)
        .await?
        .into_iter()
        .map(|k| (k.id, k.name))
        .collect();
    Ok(rows
        .into_iter()
        .map(|r| PublicWish {
            id: r.id,
            place: OrgPath::parse(&r.org_path)
                .ok()
                .and_then(|p| {
                    p.ids()
                        .into_iter()
                        .find_map(|i| communities.get(&i).cloned())
                })
                .unwrap_or_default(),
            value_label: ValueBand::parse(&r.value_band).map_or("", ValueBand::label),
            status_label: Status::parse(&r.status).map_or("", Status::label),
            status: r.status.clone(),
            shares: r.shares,
            campaign_name: r
                .campaign_id
                .and_then(|k| camps.get(&k).cloned())
                .unwrap_or_default(),
            title: r.title,
        })
        .collect())
}
