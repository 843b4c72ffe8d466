//! The households looked after: by a member (党员联户) and by a grid worker (网格员包户), two
//! kinds of link; and the coverage of a place — households linked and not.
//!
//! **Coverage** (联户覆盖率), defined here once: of the active households under a place, the
//! share with at least one active member link. The page also lists the gaps: the households
//! with neither a member nor a grid worker linked (or without one of them), grid by grid. `tests/it/party_members.rs` recounts both from the rows.

use super::entity::{party_link, party_member};
use crate::infra::audit::{self, Entry};
use crate::infra::clock::now_ms;
use crate::infra::db::{begin_write, exec, subtree};
use crate::infra::error::{AppError, AppResult, stored_path};
use crate::org::entity::node;
use crate::people::entity::household;
use crate::web::{Base, Caller};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter,
    QueryOrder, Set,
};
use serde::{Deserialize, Serialize};
use serde_json::json;
use std::collections::{HashMap, HashSet};
use wangge_core::party::member::Stage;
use wangge_core::{OrgLevel, OrgPath, Permission, Role};

/// The two kinds of link.
pub const KINDS: [(&str, &str); 2] = [("member", "党员联户"), ("grid_worker", "网格员包户")];

/// The Chinese name of a kind.
pub fn kind_label(kind: &str) -> &'static str {
    KINDS
        .iter()
        .find(|(k, _)| *k == kind)
        .map_or("", |(_, l)| l)
}

/// The setting that holds how many households a member looks after by default.
pub const LOAD_SETTING: &str = "party.link_load";

/// How many households a member looks after, as the district set it (10 until it does).
pub async fn load_limit(db: &impl ConnectionTrait) -> AppResult<u32> {
    use crate::infra::settings as setting;
    Ok(setting::Entity::find_by_id(LOAD_SETTING)
        .one(db)
        .await?
        .and_then(|s| s.value.trim().parse().ok())
        .unwrap_or(10))
}

/// What a link form sends.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct LinkInput {
    /// `member` or `grid_worker`.
    pub kind: String,
    pub household_id: Option<i64>,
    /// The member (for `member`) or the grid worker's account (for `grid_worker`).
    pub holder_id: Option<i64>,
}

/// A link made, with the holder's load after it.
#[derive(Debug, Serialize)]
pub struct Linked {
    pub id: i64,
    pub kind: String,
    pub household_id: i64,
    pub holder_id: i64,
    /// Households the holder now looks after.
    pub load: u64,
    /// The suggested load (members only).
    pub limit: Option<u32>,
    /// A warning when the load is above the suggestion.
    pub warning: Option<String>,
}

/// A link as lists show it.
#[derive(Clone, Debug, Serialize)]
pub struct LinkView {
    pub id: i64,
    pub kind: String,
    pub kind_label: &'static str,
    pub household_id: i64,
    pub address: String,
    pub holder_id: i64,
    pub holder_name: String,
    pub since: i64,
}

fn not_found() -> AppError {
    AppError::NotFound("联户关系不存在".into())
}

/// Links a household to a member or a grid worker, both in the caller's subtree.
pub async fn link(st: &Base, c: &Caller, input: LinkInput) -> AppResult<Linked> {
    c.require(Permission::PartyManage)?;
    c.require(Permission::PartyMemberView)?;
    let kind = match input.kind.trim() {
        "member" | "党员联户" => "member",
        "grid_worker" | "网格员包户" => "grid_worker",
        _ => {
            return Err(AppError::bad(
                "bad_kind",
                "请选择联系方式：党员联户或网格员包户",
            ));
        }
    };
    let hid = input
        .household_id
        .ok_or_else(|| AppError::bad("invalid_input", "请选择住户"))?;
    let holder = input
        .holder_id
        .ok_or_else(|| AppError::bad("invalid_input", "请选择联系人"))?;
    let tx = begin_write(&st.db).await?;
    let h = crate::people::service::find_household(&tx, c, hid).await?;
    if h.status != "active" {
        return Err(AppError::bad("household_gone", "该住户已注销"));
    }
    let holder_name = match kind {
        "member" => {
            // Held until the commit, so that two links of one member are counted in turn.
            crate::infra::db::lock_row(&tx, "party_members", holder).await?;
            let m = super::members::find(&tx, c, holder).await?;
            if m.status != "active" || !Stage::parse(&m.stage).is_some_and(Stage::is_member) {
                return Err(AppError::bad(
                    "not_a_member",
                    "只有在册的党员（预备党员、正式党员）可以联系住户",
                ));
            }
            super::members::views(st, &[m])
                .await?
                .pop()
                .map(|v| v.name)
                .unwrap_or_default()
        }
        _ => {
            let u = crate::users::entity::Entity::find_by_id(holder)
                .filter(c.scope_cond("org_path"))
                .one(&tx)
                .await?
                .filter(|u| u.role == Role::GridWorker.as_str() && u.status == "active")
                .ok_or_else(|| {
                    AppError::bad("not_a_grid_worker", "所选账号不是您管辖范围内的网格员")
                })?;
            u.display_name
        }
    };
    let row = party_link::ActiveModel {
        kind: Set(kind.into()),
        household_id: Set(h.id),
        holder_id: Set(holder),
        org_path: Set(h.org_path.clone()),
        status: Set("active".into()),
        actor_name: Set(c.who.name.clone()),
        created_at: Set(now_ms()),
        ended_at: Set(None),
        ..Default::default()
    }
    .insert(&tx)
    .await?;
    let load = party_link::Entity::find()
        .filter(party_link::Column::Kind.eq(kind))
        .filter(party_link::Column::HolderId.eq(holder))
        .filter(party_link::Column::Status.eq("active"))
        .count(&tx)
        .await?;
    let limit = if kind == "member" {
        Some(load_limit(&tx).await?)
    } else {
        None
    };
    let warning = limit
        .filter(|l| load > u64::from(*l))
        .map(|l| format!("{holder_name}已联系 {load} 户，超过建议的 {l} 户"));
    audit::record(
        &tx,
        &c.who,
        Entry {
            org_path: &stored_path(&h.org_path)?,
            action: "create",
            entity: "party_link",
            entity_id: Some(row.id),
            summary: format!("{}：{holder_name} 联系 {}", kind_label(kind), h.address),
            changes: json!({"kind": kind, "household_id": h.id, "holder_id": holder}),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(Linked {
        id: row.id,
        kind: kind.into(),
        household_id: h.id,
        holder_id: holder,
        load,
        limit,
        warning,
    })
}

/// Ends a link (its history stays).
pub async fn unlink(st: &Base, c: &Caller, id: i64) -> AppResult<()> {
    c.require(Permission::PartyManage)?;
    c.require(Permission::PartyMemberView)?;
    let tx = begin_write(&st.db).await?;
    let l = party_link::Entity::find_by_id(id)
        .filter(c.scope_cond("org_path"))
        .one(&tx)
        .await?
        .ok_or_else(not_found)?;
    if l.status != "active" {
        return Err(AppError::bad("ended", "该联系已解除"));
    }
    let n = exec(
        &tx,
        "UPDATE party_links SET status = 'ended', ended_at = $1 WHERE id = $2 AND status = 'active'",
        vec![now_ms().into(), l.id.into()],
    )
    .await?;
    if n == 0 {
        return Err(AppError::stale());
    }
    audit::record(
        &tx,
        &c.who,
        Entry {
            org_path: &stored_path(&l.org_path)?,
            action: "end",
            entity: "party_link",
            entity_id: Some(l.id),
            summary: format!("解除{}", kind_label(&l.kind)),
            changes: json!({}),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// The active links of one holder (a member's households), with addresses.
pub async fn of_holder(st: &Base, c: &Caller, kind: &str, holder: i64) -> AppResult<Vec<LinkView>> {
    let rows = party_link::Entity::find()
        .filter(party_link::Column::Kind.eq(kind))
        .filter(party_link::Column::HolderId.eq(holder))
        .filter(party_link::Column::Status.eq("active"))
        .filter(c.scope_cond("org_path"))
        .order_by_asc(party_link::Column::OrgPath)
        .order_by_asc(party_link::Column::Id)
        .all(&st.db)
        .await?;
    link_views(st, rows).await
}

/// The active links of one household.
pub async fn of_household(st: &Base, c: &Caller, household: i64) -> AppResult<Vec<LinkView>> {
    let rows = party_link::Entity::find()
        .filter(party_link::Column::HouseholdId.eq(household))
        .filter(party_link::Column::Status.eq("active"))
        .filter(c.scope_cond("org_path"))
        .order_by_asc(party_link::Column::Id)
        .all(&st.db)
        .await?;
    link_views(st, rows).await
}

async fn link_views(st: &Base, rows: Vec<party_link::Model>) -> AppResult<Vec<LinkView>> {
    let hids: Vec<i64> = rows.iter().map(|l| l.household_id).collect();
    let addresses: HashMap<i64, String> = household::Entity::find()
        .filter(household::Column::Id.is_in(hids))
        .all(&st.db)
        .await?
        .into_iter()
        .map(|h| (h.id, h.address))
        .collect();
    let members: Vec<i64> = rows
        .iter()
        .filter(|l| l.kind == "member")
        .map(|l| l.holder_id)
        .collect();
    let member_rows = party_member::Entity::find()
        .filter(party_member::Column::Id.is_in(members))
        .all(&st.db)
        .await?;
    let mut names: HashMap<(bool, i64), String> = super::members::views(st, &member_rows)
        .await?
        .into_iter()
        .map(|v| ((true, v.id), v.name))
        .collect();
    let users: Vec<i64> = rows
        .iter()
        .filter(|l| l.kind != "member")
        .map(|l| l.holder_id)
        .collect();
    names.extend(
        crate::users::entity::Entity::find()
            .filter(crate::users::entity::Column::Id.is_in(users))
            .all(&st.db)
            .await?
            .into_iter()
            .map(|u| ((false, u.id), u.display_name)),
    );
    Ok(rows
        .into_iter()
        .map(|l| LinkView {
            id: l.id,
            kind_label: kind_label(&l.kind),
            address: addresses.get(&l.household_id).cloned().unwrap_or_default(),
            holder_name: names
                .get(&(l.kind == "member", l.holder_id))
                .cloned()
                .unwrap_or_default(),
            kind: l.kind,
            household_id: l.household_id,
            holder_id: l.holder_id,
            since: l.created_at,
        })
        .collect())
}

/// A household without a member or a grid worker linked.
#[derive(Clone, Debug, Serialize)]
pub struct Gap {
    pub household_id: i64,
    pub address: String,
    /// Whether a member looks after it.
    pub member: bool,
    /// Whether a grid worker looks after it.
    pub grid_worker: bool,
}

/// The coverage of one grid (or of the households not under any grid).
#[derive(Clone, Debug, Serialize)]
pub struct GridCoverage {
    pub node_id: Option<i64>,
    pub name: String,
    pub households: u64,
    pub member_linked: u64,
    pub worker_linked: u64,
    /// Neither a member nor a grid worker.
    pub neither: u64,
    /// `member_linked ÷ households`, in per cent with one decimal ("—" for no households).
    pub rate: String,
    /// 党员中心户 filed or plaqued in the grid.
    pub centers: u64,
    /// About one for every ten households.
    pub centers_wanted: u64,
}

/// The coverage of a place.
#[derive(Clone, Debug, Serialize)]
pub struct Coverage {
    pub households: u64,
    pub member_linked: u64,
    pub worker_linked: u64,
    pub neither: u64,
    /// 联户覆盖率: `member_linked ÷ households`, in per cent with one decimal.
    pub rate: String,
    /// 党员中心户 filed or plaqued.
    pub centers: u64,
    pub grids: Vec<GridCoverage>,
    /// The gaps asked for (at most [`GAPS_SHOWN`]), in address order.
    pub gaps: Vec<Gap>,
    /// How many households the gaps asked for are, in all.
    pub gaps_total: u64,
}

/// How many unlinked households the coverage lists at once.
pub const GAPS_SHOWN: usize = 60;

/// Which gaps a coverage lists.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Want {
    /// Households with neither a member nor a grid worker.
    Neither,
    /// Households without a member.
    NoMember,
    /// Households without a grid worker.
    NoWorker,
}

impl Want {
    /// Reads `neither` (or empty), `member`, `worker`.
    pub fn parse(s: &str) -> AppResult<Want> {
        match s.trim() {
            "" | "neither" => Ok(Want::Neither),
            "member" => Ok(Want::NoMember),
            "worker" => Ok(Want::NoWorker),
            other => Err(AppError::bad(
                "bad_gaps",
                format!(
                    "没有“{other}”这种筛选：可选 neither（两者都没有）、member（无党员联系）、worker（无网格员包户）"
                ),
            )),
        }
    }

    fn takes(self, member: bool, worker: bool) -> bool {
        match self {
            Want::Neither => !member && !worker,
            Want::NoMember => !member,
            Want::NoWorker => !worker,
        }
    }
}

/// A share in per cent with one decimal, exactly rounded half up (`2/3` → `66.7`).
pub fn percent(part: u64, whole: u64) -> String {
    if whole == 0 {
        return "—".into();
    }
    let tenths = (u128::from(part) * 2000 + u128::from(whole)) / (u128::from(whole) * 2);
    format!("{}.{}", tenths / 10, tenths % 10)
}

/// The coverage of the caller's subtree, or of the place of a party organization in it; the
/// gaps listed are those `want` asks for, in one grid when `grid` names one.
pub async fn coverage(
    st: &Base,
    c: &Caller,
    org: Option<i64>,
    grid: Option<i64>,
    want: Want,
) -> AppResult<Coverage> {
    c.require(Permission::PeopleView)?;
    c.require(Permission::PartyView)?;
    let place: Option<OrgPath> = match org {
        Some(o) => Some(stored_path(
            &super::service::find(&st.db, c, o).await?.org_path,
        )?),
        None => None,
    };
    let mut q = household::Entity::find()
        .filter(c.scope_cond("org_path"))
        .filter(household::Column::Status.eq("active"));
    if let Some(p) = &place {
        q = q.filter(subtree(household::Column::OrgPath, p));
    }
    let homes = q
        .order_by_asc(household::Column::Address)
        .order_by_asc(household::Column::Id)
        .all(&st.db)
        .await?;
    let mut lq = party_link::Entity::find()
        .filter(c.scope_cond("org_path"))
        .filter(party_link::Column::Status.eq("active"));
    if let Some(p) = &place {
        lq = lq.filter(subtree(party_link::Column::OrgPath, p));
    }
    let mut by_member = HashSet::new();
    let mut by_worker = HashSet::new();
    for l in lq.all(&st.db).await? {
        if l.kind == "member" {
            by_member.insert(l.household_id);
        } else {
            by_worker.insert(l.household_id);
        }
    }
    let grids: HashMap<i64, String> = node::Entity::find()
        .filter(c.scope_cond("path"))
        .filter(node::Column::Level.is_in([OrgLevel::Grid.as_str()]))
        .all(&st.db)
        .await?
        .into_iter()
        .map(|n| (n.id, n.name))
        .collect();
    let mut per: Vec<GridCoverage> = Vec::new();
    let mut index: HashMap<Option<i64>, usize> = HashMap::new();
    let mut out = Coverage {
        households: 0,
        member_linked: 0,
        worker_linked: 0,
        neither: 0,
        rate: String::new(),
        centers: 0,
        grids: Vec::new(),
        gaps: Vec::new(),
        gaps_total: 0,
    };
    for h in &homes {
        let this_grid = OrgPath::parse(&h.org_path)
            .map(|p| p.ids().into_iter().find(|id| grids.contains_key(id)))
            .unwrap_or(None);
        let i = *index.entry(this_grid).or_insert_with(|| {
            per.push(GridCoverage {
                node_id: this_grid,
                name: this_grid
                    .and_then(|g| grids.get(&g).cloned())
                    .unwrap_or_else(|| "未划入网格".into()),
                households: 0,
                member_linked: 0,
                worker_linked: 0,
                neither: 0,
                rate: String::new(),
                centers: 0,
                centers_wanted: 0,
            });
            per.len() - 1
        });
        let (m, w) = (by_member.contains(&h.id), by_worker.contains(&h.id));
        let g = &mut per[i];
        g.households += 1;
        g.member_linked += u64::from(m);
        g.worker_linked += u64::from(w);
        g.neither += u64::from(!m && !w);
        out.households += 1;
        out.member_linked += u64::from(m);
        out.worker_linked += u64::from(w);
        if !m && !w {
            out.neither += 1;
        }
        if want.takes(m, w) && (grid.is_none() || grid == this_grid) {
            out.gaps_total += 1;
            if out.gaps.len() < GAPS_SHOWN {
                out.gaps.push(Gap {
                    household_id: h.id,
                    address: h.address.clone(),
                    member: m,
                    grid_worker: w,
                });
            }
        }
    }
    let mut centers: HashMap<Option<i64>, u64> = HashMap::new();
    for path in super::centers::counting_by_path(st, c).await? {
        if place
            .as_ref()
            .is_some_and(|p| !path.starts_with(p.as_str()))
        {
            continue;
        }
        let grid = OrgPath::parse(&path)
            .map(|p| p.ids().into_iter().find(|id| grids.contains_key(id)))
            .unwrap_or(None);
        *centers.entry(grid).or_default() += 1;
        out.centers += 1;
    }
    for g in &mut per {
        g.rate = percent(g.member_linked, g.households);
        g.centers = centers.get(&g.node_id).copied().unwrap_or(0);
        g.centers_wanted = wangge_core::party::center::wanted(g.households);
    }
    per.sort_by(|a, b| a.name.cmp(&b.name));
    out.rate = percent(out.member_linked, out.households);
    out.grids = per;
    // The households with neither first: they are the gaps to close.
    out.gaps
        .sort_by_key(|g| (g.member || g.grid_worker, g.member));
    Ok(out)
}

#[cfg(test)]
mod tests {
    #[test]
    fn percents_round_half_up_exactly() {
        assert_eq!(super::percent(2, 3), "66.7");
        assert_eq!(super::percent(1, 3), "33.3");
        assert_eq!(super::percent(1, 8), "12.5");
        assert_eq!(super::percent(0, 5), "0.0");
        assert_eq!(super::percent(5, 5), "100.0");
        assert_eq!(super::percent(0, 0), "—");
    }
}
