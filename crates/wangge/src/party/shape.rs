//! An organization's shape over time: its elections (换届选举 and 补选, with the 选举工作条例's
//! quorum and majority held by the core, `wangge_core::party::election`), the units a 联合支部
//! joins, and reorganizations that keep history — a branch merged into another, members split
//! off into a new branch, an organization moved under another parent (two village branches
//! under a new 党总支). Every write is audited in its transaction; every read is scoped.

use super::entity::{
    party_election, party_election_result, party_member, party_org, party_org_change,
    party_org_unit,
};
use super::members::{date_of, record_step, require_view, required_date};
use crate::infra::audit::{self, Entry};
use crate::infra::clock::now_ms;
use crate::infra::db::{begin_write, exec, lock_row};
use crate::infra::error::{AppError, AppResult, stored_path};
use crate::web::{Base, Caller};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, Set,
};
use serde::{Deserialize, Serialize};
use serde_json::json;
use std::collections::HashMap;
use wangge_core::Permission;
use wangge_core::party::election::{self, Elected, Election, ElectionKind};
use wangge_core::party::member::{Post, Stage};
use wangge_core::party::{self, PartyKind};
use wangge_core::validate::{self, Lines};

fn short(what: &str, raw: &str, max: usize) -> AppResult<String> {
    Ok(validate::text(what, raw, max, Lines::One, false)?)
}

fn note(raw: &str) -> AppResult<String> {
    Ok(validate::text("说明", raw, 500, Lines::Many, false)?)
}

fn count(what: &str, n: Option<i64>) -> AppResult<u32> {
    let n = n.ok_or_else(|| AppError::bad("invalid_input", format!("请填写{what}")))?;
    u32::try_from(n)
        .ok()
        .filter(|n| *n <= 100_000)
        .ok_or_else(|| {
            AppError::bad(
                "invalid_input",
                format!("{what}应为 0 到 100000 之间的整数"),
            )
        })
}

/// An active organization in the caller's subtree, locked until the commit.
async fn active_org(db: &impl ConnectionTrait, c: &Caller, id: i64) -> AppResult<party_org::Model> {
    lock_row(db, "party_orgs", id).await?;
    let o = super::service::find(db, c, id).await?;
    if o.status != "active" {
        return Err(AppError::bad(
            "dissolved",
            format!("“{}”已撤销或已合并", o.name),
        ));
    }
    Ok(o)
}

// ---------------------------------------------------------------------------------------------
// Elections

/// One person elected, as a form or the API sends it.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(default)]
pub struct ElectedInput {
    /// The member (a 正式党员 of the branch).
    pub member_id: Option<i64>,
    /// 书记 / 副书记 / 组织委员 / 宣传委员 / 纪检委员.
    pub post: String,
    /// 赞成票.
    pub votes: Option<i64>,
}

/// What a form or the API sends to record an election.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ElectionInput {
    /// `regular` (换届选举) or `by_election` (补选).
    pub kind: String,
    /// 选举日期.
    pub held_on: String,
    /// 应到会有选举权的党员.
    pub entitled: Option<i64>,
    /// 实到会有选举权的党员.
    pub present: Option<i64>,
    /// 应选名额.
    pub seats: Option<i64>,
    /// 候选人数.
    pub candidates: Option<i64>,
    /// Who was elected.
    pub elected: Vec<ElectedInput>,
    /// 上级批复文号.
    pub approval_no: String,
    /// 说明.
    pub note: String,
}

/// An election as shown.
#[derive(Clone, Debug, Serialize)]
pub struct ElectionView {
    pub id: i64,
    pub party_org_id: i64,
    pub kind: String,
    pub kind_label: &'static str,
    pub held_on: String,
    pub entitled: i32,
    pub present: i32,
    pub seats: i32,
    pub candidates: i32,
    pub approval_no: String,
    pub note: String,
    pub actor_name: String,
    /// Who was elected, in the order of the posts.
    pub elected: Vec<ElectedView>,
}

/// One person elected, as shown.
#[derive(Clone, Debug, Serialize)]
pub struct ElectedView {
    pub member_id: i64,
    pub name: String,
    pub post: String,
    pub post_label: &'static str,
    pub votes: i32,
}

/// The elections of an organization in the caller's subtree, newest first.
pub async fn elections(st: &Base, c: &Caller, org_id: i64) -> AppResult<Vec<ElectionView>> {
    c.require(Permission::PartyView)?;
    let org = super::service::find(&st.db, c, org_id).await?;
    let rows = party_election::Entity::find()
        .filter(party_election::Column::PartyOrgId.eq(org.id))
        .filter(c.scope_cond("org_path"))
        .order_by_desc(party_election::Column::HeldOn)
        .order_by_desc(party_election::Column::Id)
        .all(&st.db)
        .await?;
    let ids: Vec<i64> = rows.iter().map(|r| r.id).collect();
    let results = if ids.is_empty() {
        Vec::new()
    } else {
        party_election_result::Entity::find()
            .filter(party_election_result::Column::ElectionId.is_in(ids))
            .filter(c.scope_cond("org_path"))
            .all(&st.db)
            .await?
    };
    let names = member_names(st, results.iter().map(|r| r.member_id).collect()).await?;
    Ok(rows
        .into_iter()
        .map(|r| {
            let mut elected: Vec<ElectedView> = results
                .iter()
                .filter(|x| x.election_id == r.id)
                .map(|x| {
                    let post = Post::parse(&x.post);
                    ElectedView {
                        member_id: x.member_id,
                        name: names.get(&x.member_id).cloned().unwrap_or_default(),
                        post: x.post.clone(),
                        post_label: post.map_or("", Post::label),
                        votes: x.votes,
                    }
                })
                .collect();
            elected.sort_by_key(|e| {
                Post::ALL
                    .iter()
                    .position(|p| p.as_str() == e.post)
                    .unwrap_or(usize::MAX)
            });
            ElectionView {
                id: r.id,
                party_org_id: r.party_org_id,
                kind_label: ElectionKind::parse(&r.kind).map_or("", ElectionKind::label),
                kind: r.kind,
                held_on: r.held_on,
                entitled: r.entitled,
                present: r.present,
                seats: r.seats,
                candidates: r.candidates,
                approval_no: r.approval_no,
                note: r.note,
                actor_name: r.actor_name,
                elected,
            }
        })
        .collect())
}

/// The residents' names of members (the registry holds them; no copy here).
async fn member_names(st: &Base, ids: Vec<i64>) -> AppResult<HashMap<i64, String>> {
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    let rows = party_member::Entity::find()
        .filter(party_member::Column::Id.is_in(ids))
        .all(&st.db)
        .await?;
    Ok(super::members::views(st, &rows)
        .await?
        .into_iter()
        .map(|v| (v.id, v.name))
        .collect())
}

/// Records an election of a branch (the committee or the secretary) in the caller's subtree.
/// The core checks the quorum, the majorities, the numbers and who may stand; a 换届选举 starts
/// the new term (the organization's election date) and gives the elected their posts, the
/// committee's other posts ending; a 补选 gives its seat. Each post given is a step in the
/// member's history.
pub async fn record_election(
    st: &Base,
    c: &Caller,
    org_id: i64,
    input: ElectionInput,
) -> AppResult<party_election::Model> {
    require_view(c)?;
    c.require(Permission::PartyManage)?;
    let kind = ElectionKind::parse(&input.kind)
        .ok_or_else(|| AppError::bad("invalid_input", "请选择选举类型：换届选举或补选"))?;
    let held = required_date("选举日期", &input.held_on)?;
    let entitled = count("应到会有选举权的党员人数", input.entitled)?;
    let present = count("实到会有选举权的党员人数", input.present)?;
    let seats = count("应选名额", input.seats)?;
    let candidates = count("候选人数", input.candidates)?;
    let approval_no = short("上级批复文号", &input.approval_no, 40)?;
    let note = note(&input.note)?;
    let mut chosen: Vec<(i64, Post, u32)> = Vec::new();
    for e in input.elected.iter().filter(|e| e.member_id.is_some()) {
        let post = Post::parse(&e.post).ok_or_else(|| {
            AppError::bad(
                "bad_post",
                "请为每位当选人选择职务：书记、副书记、组织委员、宣传委员或纪检委员",
            )
        })?;
        let id = e.member_id.unwrap_or_default();
        if chosen.iter().any(|x| x.0 == id) {
            return Err(AppError::bad("invalid_input", "同一名党员填写了两次"));
        }
        chosen.push((id, post, count("得票数", e.votes)?));
    }
    let tx = begin_write(&st.db).await?;
    let org = active_org(&tx, c, org_id).await?;
    if PartyKind::parse(&org.kind) != Some(PartyKind::Branch) {
        return Err(AppError::bad(
            "not_a_branch",
            "这里登记党支部的选举；党委、党总支的换届请在其党员代表大会或党员大会后修改换届日期",
        ));
    }
    if org
        .elected_on
        .as_deref()
        .and_then(date_of)
        .is_some_and(|d| held < d)
        && kind == ElectionKind::Regular
    {
        return Err(AppError::bad(
            "bad_date",
            format!(
                "选举日期不能早于上次换届（{}）",
                org.elected_on.clone().unwrap_or_default()
            ),
        ));
    }
    if org
        .founded_on
        .as_deref()
        .and_then(date_of)
        .is_some_and(|d| held < d)
    {
        return Err(AppError::bad("bad_date", "选举日期不能早于党组织成立日期"));
    }
    let counts = super::members::counts(&tx, org.id).await?;
    let mut people: Vec<(party_member::Model, Post, u32)> = Vec::new();
    let mut elected: Vec<Elected> = Vec::new();
    let found = party_member::Entity::find()
        .filter(party_member::Column::Id.is_in(chosen.iter().map(|x| x.0).collect::<Vec<_>>()))
        .filter(c.scope_cond("org_path"))
        .all(&tx)
        .await?;
    let names = member_names(st, found.iter().map(|m| m.id).collect()).await?;
    for (id, post, votes) in &chosen {
        let m = found
            .iter()
            .find(|m| m.id == *id)
            .ok_or_else(|| AppError::bad("bad_member", "所选党员不存在或不在您的管辖范围内"))?;
        elected.push(Elected {
            name: names.get(id).cloned().unwrap_or_default(),
            full_member: m.party_org_id == org.id
                && m.status == "active"
                && Stage::parse(&m.stage) == Some(Stage::Full),
            post: *post,
            votes: *votes,
        });
        people.push((m.clone(), *post, *votes));
    }
    election::check(&Election {
        kind,
        full_members: counts.full,
        entitled,
        present,
        seats,
        candidates,
        elected,
    })
    .map_err(|e| AppError::bad("election_invalid", e))?;
    let path = stored_path(&org.org_path)?;
    let now = now_ms();
    let row = party_election::ActiveModel {
        party_org_id: Set(org.id),
        org_path: Set(org.org_path.clone()),
        kind: Set(kind.as_str().into()),
        held_on: Set(held.to_string()),
        entitled: Set(i32::try_from(entitled).unwrap_or(i32::MAX)),
        present: Set(i32::try_from(present).unwrap_or(i32::MAX)),
        seats: Set(i32::try_from(seats).unwrap_or(i32::MAX)),
        candidates: Set(i32::try_from(candidates).unwrap_or(i32::MAX)),
        approval_no: Set(approval_no.clone()),
        note: Set(note),
        actor_name: Set(c.who.name.clone()),
        created_at: Set(now),
        ..Default::default()
    }
    .insert(&tx)
    .await?;
    // A new term: the committee's posts end; the elected take theirs.
    if kind == ElectionKind::Regular {
        let holders = party_member::Entity::find()
            .filter(party_member::Column::PartyOrgId.eq(org.id))
            .filter(party_member::Column::Status.eq("active"))
            .filter(party_member::Column::Post.is_not_null())
            .all(&tx)
            .await?;
        for h in holders {
            let old = h.post.as_deref().and_then(Post::parse);
            if !old.is_some_and(Post::on_committee) || people.iter().any(|p| p.0.id == h.id) {
                continue;
            }
            set_post(&tx, c, &h, None, &held.to_string(), "换届").await?;
        }
    }
    let mut secretary = None;
    for (m, post, votes) in &people {
        party_election_result::ActiveModel {
            election_id: Set(row.id),
            member_id: Set(m.id),
            org_path: Set(org.org_path.clone()),
            post: Set(post.as_str().into()),
            votes: Set(i32::try_from(*votes).unwrap_or(i32::MAX)),
            ..Default::default()
        }
        .insert(&tx)
        .await?;
        set_post(&tx, c, m, Some(*post), &held.to_string(), kind.label()).await?;
        if *post == Post::Secretary {
            secretary = names.get(&m.id).cloned();
        }
    }
    let elected_on = if kind == ElectionKind::Regular {
        Some(held.to_string())
    } else {
        org.elected_on.clone()
    };
    exec(
        &tx,
        "UPDATE party_orgs SET elected_on = $1, secretary = $2, version = version + 1, \
         updated_at = $3 WHERE id = $4",
        vec![
            elected_on.clone().into(),
            secretary
                .clone()
                .unwrap_or_else(|| org.secretary.clone())
                .into(),
            now.into(),
            org.id.into(),
        ],
    )
    .await?;
    audit::record(
        &tx,
        &c.who,
        Entry {
            org_path: &path,
            action: "create",
            entity: "party_election",
            entity_id: Some(row.id),
            summary: format!(
                "登记“{}”{}（{held}）：应到 {entitled} 名，实到 {present} 名，当选 {} 名",
                org.name,
                kind.label(),
                people.len()
            ),
            changes: json!({
                "party_org_id": org.id,
                "elected_on": [org.elected_on, elected_on],
                "elected": people.iter().map(|p| json!({"member_id": p.0.id, "post": p.1.as_str(), "votes": p.2})).collect::<Vec<_>>(),
            }),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(row)
}

/// Gives (or ends) a member's post, with its step of history.
async fn set_post(
    db: &impl ConnectionTrait,
    c: &Caller,
    m: &party_member::Model,
    post: Option<Post>,
    on: &str,
    why: &str,
) -> AppResult<()> {
    let old = m.post.as_deref().and_then(Post::parse);
    if old == post {
        return Ok(());
    }
    exec(
        db,
        "UPDATE party_members SET post = $1, version = version + 1, updated_at = $2 WHERE id = $3",
        vec![post.map(Post::as_str).into(), now_ms().into(), m.id.into()],
    )
    .await?;
    record_step(
        db,
        c,
        m,
        if post.is_some() { "elected" } else { "post" },
        old.map_or("", Post::label),
        post.map_or("", Post::label),
        on,
        why,
        "",
        "",
    )
    .await
}

// ---------------------------------------------------------------------------------------------
// Units of a 联合支部

/// What a form or the API sends to add a unit to a 联合支部.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct UnitInput {
    /// 单位名称.
    pub name: String,
    /// 企业 / 社会组织 / 机关事业单位 / 其他.
    pub kind: String,
    /// 联系人.
    pub contact: String,
    /// 加入日期.
    pub joined_on: String,
}

/// The kinds of unit a joint branch joins.
pub const UNIT_KINDS: [&str; 4] = ["企业", "社会组织", "机关事业单位", "其他"];

/// A unit as shown.
#[derive(Clone, Debug, Serialize)]
pub struct UnitView {
    pub id: i64,
    pub party_org_id: i64,
    pub name: String,
    pub kind: String,
    pub contact: String,
    pub joined_on: String,
    pub left_on: Option<String>,
    pub status: String,
}

fn unit_view(u: party_org_unit::Model) -> UnitView {
    UnitView {
        id: u.id,
        party_org_id: u.party_org_id,
        name: u.name,
        kind: u.kind,
        contact: u.contact,
        joined_on: u.joined_on,
        left_on: u.left_on,
        status: u.status,
    }
}

/// The units of an organization in the caller's subtree (those that left too), in the order
/// they joined.
pub async fn units(db: &impl ConnectionTrait, c: &Caller, org_id: i64) -> AppResult<Vec<UnitView>> {
    c.require(Permission::PartyView)?;
    let org = super::service::find(db, c, org_id).await?;
    Ok(party_org_unit::Entity::find()
        .filter(party_org_unit::Column::PartyOrgId.eq(org.id))
        .filter(c.scope_cond("org_path"))
        .order_by_asc(party_org_unit::Column::Status)
        .order_by_asc(party_org_unit::Column::JoinedOn)
        .order_by_asc(party_org_unit::Column::Id)
        .all(db)
        .await?
        .into_iter()
        .map(unit_view)
        .collect())
}

/// How many units each of the organizations has now.
pub async fn unit_counts(db: &impl ConnectionTrait, ids: &[i64]) -> AppResult<HashMap<i64, u32>> {
    use sea_orm::QuerySelect;
    let mut out = HashMap::new();
    for chunk in ids.chunks(400) {
        let rows: Vec<i64> = party_org_unit::Entity::find()
            .select_only()
            .column(party_org_unit::Column::PartyOrgId)
            .filter(party_org_unit::Column::PartyOrgId.is_in(chunk.to_vec()))
            .filter(party_org_unit::Column::Status.eq("active"))
            .into_tuple()
            .all(db)
            .await?;
        for id in rows {
            *out.entry(id).or_insert(0) += 1;
        }
    }
    Ok(out)
}

/// Adds a unit to a 联合支部 in the caller's subtree. One active unit of a name per branch
/// (held by the database); above five the branch's shape warns, as practice varies.
pub async fn add_unit(
    db: &sea_orm::DatabaseConnection,
    c: &Caller,
    org_id: i64,
    input: UnitInput,
) -> AppResult<party_org_unit::Model> {
    c.require(Permission::PartyManage)?;
    let name = validate::name("单位名称", &input.name, 60)?;
    let kind = input.kind.trim();
    if !UNIT_KINDS.contains(&kind) {
        return Err(AppError::bad(
            "invalid_input",
            "请选择单位类型：企业、社会组织、机关事业单位或其他",
        ));
    }
    let contact = short("联系人", &input.contact, 40)?;
    let joined = required_date("加入日期", &input.joined_on)?;
    let tx = begin_write(db).await?;
    let org = active_org(&tx, c, org_id).await?;
    if org.category.as_deref() != Some(party::BranchCategory::Joint.as_str()) {
        return Err(AppError::bad(
            "not_joint",
            format!("“{}”不是联合党支部，不登记组建单位", org.name),
        ));
    }
    let row = party_org_unit::ActiveModel {
        party_org_id: Set(org.id),
        org_path: Set(org.org_path.clone()),
        name: Set(name.clone()),
        kind: Set(kind.into()),
        contact: Set(contact),
        joined_on: Set(joined.to_string()),
        left_on: Set(None),
        status: Set("active".into()),
        actor_name: Set(c.who.name.clone()),
        created_at: Set(now_ms()),
        ..Default::default()
    }
    .insert(&tx)
    .await?;
    audit::record(
        &tx,
        &c.who,
        Entry {
            org_path: &stored_path(&org.org_path)?,
            action: "create",
            entity: "party_org_unit",
            entity_id: Some(row.id),
            summary: format!("“{}”增加组建单位“{name}”（{kind}）", org.name),
            changes: json!({"party_org_id": org.id}),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(row)
}

/// Records that a unit left its 联合支部 (its row stays, with the date).
pub async fn end_unit(
    db: &sea_orm::DatabaseConnection,
    c: &Caller,
    unit_id: i64,
    left_on: &str,
) -> AppResult<()> {
    c.require(Permission::PartyManage)?;
    let left = required_date("退出日期", left_on)?;
    let tx = begin_write(db).await?;
    let u = party_org_unit::Entity::find_by_id(unit_id)
        .filter(c.scope_cond("org_path"))
        .one(&tx)
        .await?
        .ok_or_else(|| AppError::NotFound("组建单位不存在".into()))?;
    if u.status != "active" {
        return Err(AppError::bad("not_active", "该单位已退出"));
    }
    if date_of(&u.joined_on).is_some_and(|j| left < j) {
        return Err(AppError::bad("bad_date", "退出日期不能早于加入日期"));
    }
    let n = exec(
        &tx,
        "UPDATE party_org_units SET status = 'left', left_on = $1 WHERE id = $2 AND status = 'active'",
        vec![left.to_string().into(), u.id.into()],
    )
    .await?;
    if n == 0 {
        return Err(AppError::stale());
    }
    audit::record(
        &tx,
        &c.who,
        Entry {
            org_path: &stored_path(&u.org_path)?,
            action: "end",
            entity: "party_org_unit",
            entity_id: Some(u.id),
            summary: format!("组建单位“{}”退出（{left}）", u.name),
            changes: json!({"status": ["active", "left"]}),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// Reorganizations

/// What a form or the API sends to reorganize.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ReorgInput {
    /// `merge` (合并：all members and groups into `to`, this one closed), `split` (分设：the
    /// listed members into `to`, this one stays) or `move` (调整隶属：under the parent `to`).
    pub kind: String,
    /// The organization receiving (merge, split) or the new parent (move).
    pub to: Option<i64>,
    /// The members split off (split only).
    pub members: Vec<i64>,
    /// 日期.
    pub on: String,
    /// 批复文号.
    pub approval_no: String,
    /// 说明.
    pub note: String,
    /// The version of this organization the caller saw.
    pub version: Option<i32>,
}

/// A reorganization as shown.
#[derive(Clone, Debug, Serialize)]
pub struct ChangeView {
    pub id: i64,
    pub kind: String,
    pub kind_label: &'static str,
    pub from_org_id: i64,
    pub from_name: String,
    pub to_org_id: Option<i64>,
    pub to_name: String,
    pub on_date: String,
    pub members_moved: i32,
    pub approval_no: String,
    pub note: String,
    pub actor_name: String,
}

fn change_label(kind: &str) -> &'static str {
    match kind {
        "merge" => "合并",
        "split" => "分设",
        "move" => "调整隶属",
        _ => "",
    }
}

/// The reorganizations an organization took part in (from it or into it), newest first.
pub async fn changes(
    db: &impl ConnectionTrait,
    c: &Caller,
    org_id: i64,
) -> AppResult<Vec<ChangeView>> {
    c.require(Permission::PartyView)?;
    let org = super::service::find(db, c, org_id).await?;
    Ok(party_org_change::Entity::find()
        .filter(
            sea_orm::Condition::any()
                .add(party_org_change::Column::FromOrgId.eq(org.id))
                .add(party_org_change::Column::ToOrgId.eq(org.id)),
        )
        .filter(c.scope_cond("org_path"))
        .order_by_desc(party_org_change::Column::OnDate)
        .order_by_desc(party_org_change::Column::Id)
        .all(db)
        .await?
        .into_iter()
        .map(|r| ChangeView {
            id: r.id,
            kind_label: change_label(&r.kind),
            kind: r.kind,
            from_org_id: r.from_org_id,
            from_name: r.from_name,
            to_org_id: r.to_org_id,
            to_name: r.to_name,
            on_date: r.on_date,
            members_moved: r.members_moved,
            approval_no: r.approval_no,
            note: r.note,
            actor_name: r.actor_name,
        })
        .collect())
}

/// Reorganizes an organization in the caller's subtree, keeping every history: its meetings,
/// elections and members' steps stay where they were; members who move get a step
/// (组织合并 / 组织分设) and their history follows them.
pub async fn reorganize(
    db: &sea_orm::DatabaseConnection,
    c: &Caller,
    id: i64,
    input: ReorgInput,
) -> AppResult<party_org_change::Model> {
    c.require(Permission::PartyManage)?;
    let kind = input.kind.trim();
    if !["merge", "split", "move"].contains(&kind) {
        return Err(AppError::bad(
            "invalid_input",
            "请选择调整方式：合并、分设或调整隶属",
        ));
    }
    let to_id = input.to.ok_or_else(|| {
        AppError::bad(
            "invalid_input",
            if kind == "move" {
                "请选择新的上级党组织"
            } else {
                "请选择接收的党组织"
            },
        )
    })?;
    if to_id == id {
        return Err(AppError::bad(
            "invalid_input",
            "不能与自身合并、分设或隶属于自身",
        ));
    }
    let on = required_date("调整日期", &input.on)?;
    let approval_no = short("批复文号", &input.approval_no, 40)?;
    let note = note(&input.note)?;
    let tx = begin_write(db).await?;
    // Locked in id order, so two reorganizations of the same pair wait for each other.
    let (first, second) = if id < to_id { (id, to_id) } else { (to_id, id) };
    lock_row(&tx, "party_orgs", first).await?;
    lock_row(&tx, "party_orgs", second).await?;
    let from = active_org(&tx, c, id).await?;
    let to = active_org(&tx, c, to_id).await?;
    if input.version.is_some_and(|v| v != from.version) {
        return Err(AppError::stale());
    }
    let from_kind = PartyKind::parse(&from.kind).unwrap_or(PartyKind::Branch);
    let to_kind = PartyKind::parse(&to.kind).unwrap_or(PartyKind::Branch);
    let mut moved = 0i32;
    match kind {
        "move" => {
            // The new parent must hold the organization's place, and may not be under it.
            if is_under(&tx, to.id, from.id).await? {
                return Err(AppError::bad("bad_parent", "不能隶属于自己的下级组织"));
            }
            if !from.org_path.starts_with(&to.org_path) {
                return Err(AppError::bad(
                    "outside_parent",
                    format!("“{}”不在“{}”所在的范围内", from.name, to.name),
                ));
            }
            let level = crate::org::entity::node::Entity::find_by_id(from.org_node_id)
                .one(&tx)
                .await?
                .and_then(|n| wangge_core::OrgLevel::parse(&n.level))
                .unwrap_or(wangge_core::OrgLevel::Building);
            let category = from
                .category
                .as_deref()
                .and_then(party::BranchCategory::parse);
            party::check_place(from_kind, category, level, Some(to_kind))
                .map_err(|e| AppError::bad("bad_place", e))?;
            exec(
                &tx,
                "UPDATE party_orgs SET parent_id = $1, version = version + 1, updated_at = $2 WHERE id = $3",
                vec![to.id.into(), now_ms().into(), from.id.into()],
            )
            .await?;
        }
        _ => {
            if from_kind != PartyKind::Branch || to_kind != PartyKind::Branch {
                return Err(AppError::bad(
                    "not_a_branch",
                    "合并、分设在党支部之间进行（党总支、党委的隶属请用“调整隶属”）",
                ));
            }
            let mut q = party_member::Entity::find()
                .filter(party_member::Column::PartyOrgId.eq(from.id))
                .filter(party_member::Column::Status.eq("active"));
            if kind == "split" {
                if input.members.is_empty() {
                    return Err(AppError::bad("invalid_input", "请选择分设出去的党员"));
                }
                q = q.filter(party_member::Column::Id.is_in(input.members.clone()));
            }
            let members = q.all(&tx).await?;
            if kind == "split" && members.len() != input.members.len() {
                return Err(AppError::bad(
                    "bad_member",
                    format!("所选党员中有不属于“{}”的", from.name),
                ));
            }
            let step = if kind == "merge" { "merge" } else { "split" };
            for m in &members {
                exec(
                    &tx,
                    "UPDATE party_members SET party_org_id = $1, org_path = $2, group_id = NULL, \
                     post = NULL, version = version + 1, updated_at = $3 WHERE id = $4",
                    vec![
                        to.id.into(),
                        to.org_path.clone().into(),
                        now_ms().into(),
                        m.id.into(),
                    ],
                )
                .await?;
                let there = party_member::Model {
                    org_path: to.org_path.clone(),
                    ..m.clone()
                };
                record_step(
                    &tx,
                    c,
                    &there,
                    step,
                    &from.name,
                    &to.name,
                    &on.to_string(),
                    &approval_no,
                    "",
                    "",
                )
                .await?;
                exec(
                    &tx,
                    "UPDATE party_member_steps SET org_path = $1 WHERE member_id = $2",
                    vec![to.org_path.clone().into(), m.id.into()],
                )
                .await?;
            }
            moved = i32::try_from(members.len()).unwrap_or(i32::MAX);
            if kind == "merge" {
                // Its groups go with its members; the branch itself closes, its records kept.
                exec(
                    &tx,
                    "UPDATE party_orgs SET parent_id = $1, version = version + 1, updated_at = $2 \
                     WHERE parent_id = $3 AND status = 'active'",
                    vec![to.id.into(), now_ms().into(), from.id.into()],
                )
                .await?;
                exec(
                    &tx,
                    "UPDATE party_orgs SET status = 'merged', version = version + 1, updated_at = $1 \
                     WHERE id = $2",
                    vec![now_ms().into(), from.id.into()],
                )
                .await?;
            }
        }
    }
    let row = party_org_change::ActiveModel {
        kind: Set(kind.into()),
        from_org_id: Set(from.id),
        to_org_id: Set(Some(to.id)),
        org_path: Set(common_path(&from.org_path, &to.org_path)),
        from_name: Set(from.name.clone()),
        to_name: Set(to.name.clone()),
        on_date: Set(on.to_string()),
        members_moved: Set(moved),
        approval_no: Set(approval_no),
        note: Set(note),
        actor_name: Set(c.who.name.clone()),
        at: Set(now_ms()),
        ..Default::default()
    }
    .insert(&tx)
    .await?;
    let summary = match kind {
        "merge" => format!("“{}”并入“{}”（{moved} 名党员）", from.name, to.name),
        "split" => format!("自“{}”分设 {moved} 名党员至“{}”", from.name, to.name),
        _ => format!("“{}”调整隶属于“{}”", from.name, to.name),
    };
    for p in [&from.org_path, &to.org_path] {
        audit::record(
            &tx,
            &c.who,
            Entry {
                org_path: &stored_path(p)?,
                action: "update",
                entity: "party_org",
                entity_id: Some(from.id),
                summary: summary.clone(),
                changes: json!({"reorganize": kind, "to": to.id, "members_moved": moved}),
            },
        )
        .await?;
        if from.org_path == to.org_path {
            break;
        }
    }
    tx.commit().await?;
    Ok(row)
}

/// Whether `id` lies under `ancestor` in the party tree (bounded by the tree's depth).
async fn is_under(db: &impl ConnectionTrait, id: i64, ancestor: i64) -> AppResult<bool> {
    let mut at = Some(id);
    for _ in 0..16 {
        let Some(cur) = at else { return Ok(false) };
        if cur == ancestor {
            return Ok(true);
        }
        at = party_org::Entity::find_by_id(cur)
            .one(db)
            .await?
            .and_then(|o| o.parent_id);
    }
    Ok(false)
}

/// The longest path both lie under (where a change between them is seen from).
fn common_path(a: &str, b: &str) -> String {
    let mut out = String::from("/");
    for (x, y) in a
        .split('/')
        .zip(b.split('/'))
        .filter(|(x, _)| !x.is_empty())
    {
        if x != y {
            break;
        }
        out.push_str(x);
        out.push('/');
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_common_path_is_the_deepest_shared_node() {
        assert_eq!(super::common_path("/1/2/3/", "/1/2/4/"), "/1/2/");
        assert_eq!(super::common_path("/1/2/3/", "/1/2/3/"), "/1/2/3/");
        assert_eq!(super::common_path("/1/2/", "/1/2/3/"), "/1/2/");
        assert_eq!(super::common_path("/1/", "/5/"), "/");
    }
}
