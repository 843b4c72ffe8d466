//! Party organizations: set up, edited, dissolved, listed as a tree — every one within the
//! caller's subtree, every write with its audit entry in one transaction. The rules of shape
//! are the core's (`wangge_core::party`).

use super::entity::party_org;
use crate::infra::audit::{self, Entry};
use crate::infra::clock::today;
use crate::infra::error::{AppError, AppResult, stored_path};
use crate::org::entity::node;
use crate::web::Caller;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, Set,
};
use serde::{Deserialize, Serialize};
use serde_json::json;
use std::collections::{HashMap, HashSet};
use wangge_core::party::{self, BranchCategory, PartyKind, TermState, Terms};
use wangge_core::validate::{self, Lines};
use wangge_core::{OrgLevel, Permission};

/// What a form or the API sends to set up or edit an organization.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct OrgInput {
    /// The organization above it (none for a street's committee).
    pub parent_id: Option<i64>,
    /// The org node it is attached to (when setting up).
    pub org_node_id: Option<i64>,
    /// 名称.
    pub name: String,
    /// 党委 / 党总支 / 党支部 / 党小组 (identifier or Chinese; when setting up).
    pub kind: String,
    /// 支部类别, for a branch or general branch: 村, 社区, 机关事业单位, 两新组织, 联合支部, 项目, 临时.
    pub category: String,
    /// 书记 (or 组长), as a name until the members are registered.
    pub secretary: String,
    /// 成立日期.
    pub founded_on: String,
    /// 最近一次换届（选举）日期.
    pub elected_on: String,
    /// 备注.
    pub note: String,
    /// The version the editor saw (when editing).
    pub version: Option<i32>,
}

/// An organization as lists, pages and the API show it.
#[derive(Clone, Debug, Serialize)]
pub struct OrgView {
    pub id: i64,
    pub parent_id: Option<i64>,
    pub org_node_id: i64,
    /// The name of the org node it is attached to.
    pub node_name: String,
    pub name: String,
    pub kind: String,
    pub kind_label: &'static str,
    pub category: Option<String>,
    pub category_label: &'static str,
    pub secretary: String,
    pub founded_on: Option<String>,
    pub elected_on: Option<String>,
    /// The term, in years (none for a group).
    pub term_years: Option<u32>,
    /// When the next election is due.
    pub term_due: Option<String>,
    /// `unknown`, `running`, `due_soon`, `overdue` (none for a group).
    pub term_state: Option<&'static str>,
    /// The term in words.
    pub term_label: String,
    pub note: String,
    pub status: String,
    pub version: i32,
    /// Members (预备 and 正式): of a branch or group its own; of a 党委 or 党总支 those of the
    /// branches under it that the caller sees (in the tree).
    pub members: u32,
    /// 正式党员.
    pub full: u32,
    /// Members on the branch committee (a branch's only).
    pub committee: u32,
    /// What the branch's shape says (a branch's only): too few, too many, a committee due.
    pub notes: Vec<ShapeNote>,
    /// The organizations under it (in the tree).
    pub children: Vec<OrgView>,
}

/// A note on a branch's shape, as shown.
#[derive(Clone, Debug, Serialize)]
pub struct ShapeNote {
    /// `warn` or `info`.
    pub level: &'static str,
    pub text: String,
}

fn not_found() -> AppError {
    AppError::NotFound("党组织不存在".into())
}

/// The view of a row on `today`.
pub fn view(
    m: &party_org::Model,
    node_name: String,
    terms: Terms,
    day: chrono::NaiveDate,
) -> OrgView {
    let kind = PartyKind::parse(&m.kind).unwrap_or(PartyKind::Branch);
    let category = m.category.as_deref().and_then(BranchCategory::parse);
    let (term_years, state) = if kind.has_term() {
        let years = terms.years(kind, category);
        let elected = m
            .elected_on
            .as_deref()
            .and_then(|d| chrono::NaiveDate::parse_from_str(d, "%Y-%m-%d").ok());
        (Some(years), Some(party::term_state(elected, years, day)))
    } else {
        (None, None)
    };
    OrgView {
        id: m.id,
        parent_id: m.parent_id,
        org_node_id: m.org_node_id,
        node_name,
        name: m.name.clone(),
        kind: kind.as_str().to_owned(),
        kind_label: kind.label(),
        category: category.map(|c| c.as_str().to_owned()),
        category_label: category.map_or("", BranchCategory::label),
        secretary: m.secretary.clone(),
        founded_on: m.founded_on.clone(),
        elected_on: m.elected_on.clone(),
        term_years,
        term_due: state.and_then(TermState::due).map(|d| d.to_string()),
        term_state: state.map(|s| match s {
            TermState::Unknown => "unknown",
            TermState::Running(_) => "running",
            TermState::DueSoon(_) => "due_soon",
            TermState::Overdue(_) => "overdue",
        }),
        term_label: state.map(TermState::label).unwrap_or_default(),
        note: m.note.clone(),
        status: m.status.clone(),
        version: m.version,
        members: 0,
        full: 0,
        committee: 0,
        notes: Vec::new(),
        children: Vec::new(),
    }
}

/// Fills the member counts and shape notes of branches and groups.
async fn fill_counts(db: &impl ConnectionTrait, views: &mut [OrgView]) -> AppResult<()> {
    use super::entity::party_member;
    use sea_orm::QuerySelect;
    use wangge_core::party::member::{self as rules, Post, Stage};
    let ids: Vec<i64> = views.iter().map(|v| v.id).collect();
    let mut counts: HashMap<i64, rules::Counts> = HashMap::new();
    for chunk in ids.chunks(400) {
        let rows: Vec<(i64, Option<i64>, String, Option<String>)> = party_member::Entity::find()
            .select_only()
            .column(party_member::Column::PartyOrgId)
            .column(party_member::Column::GroupId)
            .column(party_member::Column::Stage)
            .column(party_member::Column::Post)
            .filter(party_member::Column::Status.eq("active"))
            .filter(
                sea_orm::Condition::any()
                    .add(party_member::Column::PartyOrgId.is_in(chunk.to_vec()))
                    .add(party_member::Column::GroupId.is_in(chunk.to_vec())),
            )
            .into_tuple()
            .all(db)
            .await?;
        for (org, group, stage, post) in rows {
            let stage = Stage::parse(&stage);
            for (id, branch) in [(Some(org), true), (group, false)] {
                let Some(id) = id else { continue };
                let c = counts.entry(id).or_default();
                match stage {
                    Some(Stage::Full) => c.full += 1,
                    Some(Stage::Probationary) => c.probationary += 1,
                    _ => {}
                }
                if branch
                    && post
                        .as_deref()
                        .and_then(Post::parse)
                        .is_some_and(Post::on_committee)
                {
                    c.committee += 1;
                }
            }
        }
    }
    let joint_ids: Vec<i64> = views
        .iter()
        .filter(|v| v.category.as_deref() == Some(BranchCategory::Joint.as_str()))
        .map(|v| v.id)
        .collect();
    let units = super::shape::unit_counts(db, &joint_ids).await?;
    for v in views.iter_mut() {
        let c = counts.get(&v.id).copied().unwrap_or_default();
        v.members = c.members();
        v.full = c.full;
        if v.kind == PartyKind::Branch.as_str() {
            v.committee = c.committee;
            let joint = v.category.as_deref() == Some(BranchCategory::Joint.as_str());
            v.notes = rules::shape_notes(c, joint)
                .into_iter()
                .chain(if joint {
                    rules::unit_notes(units.get(&v.id).copied().unwrap_or(0))
                } else {
                    Vec::new()
                })
                .map(|n| ShapeNote {
                    level: n.level,
                    text: n.text,
                })
                .collect();
        }
    }
    Ok(())
}

/// The active organizations in the caller's subtree, in path order.
pub async fn list(db: &impl ConnectionTrait, c: &Caller) -> AppResult<Vec<party_org::Model>> {
    c.require(Permission::PartyView)?;
    Ok(party_org::Entity::find()
        .filter(c.scope_cond("org_path"))
        .filter(party_org::Column::Status.eq("active"))
        .order_by_asc(party_org::Column::OrgPath)
        .order_by_asc(party_org::Column::Id)
        .all(db)
        .await?)
}

/// The names of nodes by id (each looked up once, in chunks).
pub(super) async fn node_names(
    db: &impl ConnectionTrait,
    ids: impl IntoIterator<Item = i64>,
) -> AppResult<HashMap<i64, String>> {
    let ids: Vec<i64> = ids
        .into_iter()
        .collect::<HashSet<_>>()
        .into_iter()
        .collect();
    let mut out = HashMap::new();
    for chunk in ids.chunks(500) {
        let found = node::Entity::find()
            .filter(node::Column::Id.is_in(chunk.to_vec()))
            .all(db)
            .await?;
        out.extend(found.into_iter().map(|n| (n.id, n.name)));
    }
    Ok(out)
}

/// The setting that holds the terms of office: `村社区年数,其他年数`.
const TERMS_SETTING: &str = "party.terms";

/// The terms of office the district set (the rule's 5 and 3 years until it sets its own).
pub async fn terms(db: &impl ConnectionTrait) -> AppResult<Terms> {
    use crate::infra::settings as setting;
    let stored = setting::Entity::find_by_id(TERMS_SETTING).one(db).await?;
    let parsed = stored.and_then(|s| {
        let (g, o) = s.value.split_once(',')?;
        Some(Terms {
            grassroots: g.trim().parse().ok()?,
            other: o.trim().parse().ok()?,
        })
    });
    Ok(parsed.unwrap_or_default())
}

/// Sets the terms of office for the whole district (its party staff only): 1–10 years each.
pub async fn set_terms(
    db: &sea_orm::DatabaseConnection,
    c: &Caller,
    grassroots: u32,
    other: u32,
) -> AppResult<Terms> {
    use crate::infra::settings as setting;
    c.require_at_district(
        Permission::PartyManage,
        "党组织任期由区级党建部门设定，街道和社区只能查看",
    )?;
    for (what, years) in [
        ("村、社区党组织的任期", grassroots),
        ("其他党组织的任期", other),
    ] {
        if !(1..=10).contains(&years) {
            return Err(AppError::bad(
                "bad_term",
                format!("{what}应为 1 到 10 年（现在是 {years}）"),
            ));
        }
    }
    let tx = crate::infra::db::begin_write(db).await?;
    let old = terms(&tx).await?;
    let now = crate::infra::clock::now_ms();
    let exists = setting::Entity::find_by_id(TERMS_SETTING)
        .one(&tx)
        .await?
        .is_some();
    let row = setting::ActiveModel {
        name: Set(TERMS_SETTING.into()),
        value: Set(format!("{grassroots},{other}")),
        updated_at: Set(now),
    };
    if exists {
        row.update(&tx).await?;
    } else {
        row.insert(&tx).await?;
    }
    let root = c.audit_root(&tx).await?;
    audit::record(
        &tx,
        &c.who,
        Entry {
            org_path: &root,
            action: "update",
            entity: "party_terms",
            entity_id: None,
            summary: format!("设定党组织任期：村、社区 {grassroots} 年，其他 {other} 年"),
            changes: json!({"grassroots": [old.grassroots, grassroots], "other": [old.other, other]}),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(Terms { grassroots, other })
}

/// Views of rows, with their nodes' names.
pub async fn views(
    db: &impl ConnectionTrait,
    rows: &[party_org::Model],
) -> AppResult<Vec<OrgView>> {
    let names = node_names(db, rows.iter().map(|r| r.org_node_id)).await?;
    let terms = terms(db).await?;
    let day = today();
    let mut out: Vec<OrgView> = rows
        .iter()
        .map(|r| {
            let name = names.get(&r.org_node_id).cloned().unwrap_or_default();
            view(r, name, terms, day)
        })
        .collect();
    fill_counts(db, &mut out).await?;
    Ok(out)
}

/// The caller's part of the party tree, nested: its roots are the organizations whose parent
/// the caller cannot see (a community's secretary sees the community's branch as a root).
pub async fn tree(db: &impl ConnectionTrait, c: &Caller) -> AppResult<Vec<OrgView>> {
    let rows = list(db, c).await?;
    let all = views(db, &rows).await?;
    let ids: HashSet<i64> = all.iter().map(|v| v.id).collect();
    let mut children: HashMap<i64, Vec<OrgView>> = HashMap::new();
    let mut roots = Vec::new();
    for v in all {
        match v.parent_id.filter(|p| ids.contains(p)) {
            Some(p) => children.entry(p).or_default().push(v),
            None => roots.push(v),
        }
    }
    // Siblings in the order they were set up (their places' paths would put a grid numbered
    // 10 before one numbered 4).
    fn attach(v: &mut OrgView, children: &mut HashMap<i64, Vec<OrgView>>) {
        let mut mine = children.remove(&v.id).unwrap_or_default();
        mine.sort_by_key(|c| c.id);
        for c in &mut mine {
            attach(c, children);
        }
        // A 党委's or 党总支's members are those of the branches under it.
        if v.kind == PartyKind::Committee.as_str() || v.kind == PartyKind::GeneralBranch.as_str() {
            v.members = mine
                .iter()
                .filter(|c| c.kind != PartyKind::Group.as_str())
                .map(|c| c.members)
                .sum();
            v.full = mine
                .iter()
                .filter(|c| c.kind != PartyKind::Group.as_str())
                .map(|c| c.full)
                .sum();
        }
        v.children = mine;
    }
    roots.sort_by_key(|r| r.id);
    for r in &mut roots {
        attach(r, &mut children);
    }
    Ok(roots)
}

/// The figures of the party page: organizations by kind, terms overdue, terms due within half
/// a year. Defined here once; `tests/it/party.rs` recounts them from the rows.
pub struct Tally {
    /// (kind's label, how many), every kind in order.
    pub by_kind: Vec<(&'static str, usize)>,
    pub overdue: usize,
    pub due_soon: usize,
}

/// The tally of organizations (a flattened tree).
pub fn tally<'a>(orgs: impl Iterator<Item = &'a OrgView> + Clone) -> Tally {
    let state = |s: &str| orgs.clone().filter(|o| o.term_state == Some(s)).count();
    Tally {
        by_kind: PartyKind::ALL
            .iter()
            .map(|k| {
                (
                    k.label(),
                    orgs.clone().filter(|o| o.kind == k.as_str()).count(),
                )
            })
            .collect(),
        overdue: state("overdue"),
        due_soon: state("due_soon"),
    }
}

/// Every organization of a tree, depth first, with its depth.
pub fn flatten(tree: &[OrgView]) -> Vec<(usize, &OrgView)> {
    fn walk<'a>(v: &'a OrgView, depth: usize, out: &mut Vec<(usize, &'a OrgView)>) {
        out.push((depth, v));
        for c in &v.children {
            walk(c, depth + 1, out);
        }
    }
    let mut out = Vec::new();
    for r in tree {
        walk(r, 0, &mut out);
    }
    out
}

/// One organization in the caller's subtree (dissolved ones too).
pub async fn find(db: &impl ConnectionTrait, c: &Caller, id: i64) -> AppResult<party_org::Model> {
    c.require(Permission::PartyView)?;
    party_org::Entity::find_by_id(id)
        .filter(c.scope_cond("org_path"))
        .one(db)
        .await?
        .ok_or_else(not_found)
}

/// The organizations attached to one node (for the node's page).
pub async fn at_node(
    db: &impl ConnectionTrait,
    c: &Caller,
    node_id: i64,
) -> AppResult<Vec<OrgView>> {
    c.require(Permission::PartyView)?;
    let rows = party_org::Entity::find()
        .filter(c.scope_cond("org_path"))
        .filter(party_org::Column::OrgNodeId.eq(node_id))
        .filter(party_org::Column::Status.eq("active"))
        .order_by_asc(party_org::Column::Id)
        .all(db)
        .await?;
    views(db, &rows).await
}

/// The checked fields of an input.
struct Checked {
    name: String,
    category: Option<BranchCategory>,
    secretary: String,
    founded_on: Option<String>,
    elected_on: Option<String>,
    note: String,
}

fn check(input: &OrgInput) -> AppResult<Checked> {
    let day = today();
    let category = match input.category.trim() {
        "" => None,
        s => Some(BranchCategory::parse(s).ok_or_else(|| {
            AppError::bad(
                "bad_category",
                format!("没有“{s}”这个支部类别：可选 村、社区、机关事业单位、两新组织、联合支部、项目、临时"),
            )
        })?),
    };
    let founded = validate::past_date("成立日期", &input.founded_on, day)?;
    let elected = validate::past_date("换届日期", &input.elected_on, day)?;
    if let (Some(f), Some(e)) = (founded, elected)
        && e < f
    {
        return Err(AppError::bad("bad_date", "换届日期不能早于成立日期"));
    }
    Ok(Checked {
        name: validate::name("党组织名称", &input.name, 60)?,
        category,
        secretary: validate::text("书记姓名", &input.secretary, 40, Lines::One, false)?,
        founded_on: founded.map(|d| d.to_string()),
        elected_on: elected.map(|d| d.to_string()),
        note: validate::text("备注", &input.note, 500, Lines::Many, false)?,
    })
}

/// Sets up an organization at a node in the caller's subtree, under a parent the caller sees.
pub async fn create(
    db: &sea_orm::DatabaseConnection,
    c: &Caller,
    input: OrgInput,
) -> AppResult<party_org::Model> {
    c.require(Permission::PartyManage)?;
    let kind = PartyKind::parse(&input.kind).ok_or_else(|| {
        AppError::bad(
            "bad_kind",
            "请选择党组织类型：党(工)委、党总支、党支部或党小组",
        )
    })?;
    let f = check(&input)?;
    let node_id = input
        .org_node_id
        .ok_or_else(|| AppError::bad("bad_node", "请选择党组织所在的节点"))?;
    let tx = crate::infra::db::begin_write(db).await?;
    let n = crate::org::service::find(&tx, c, node_id).await?;
    if n.status != "active" {
        return Err(AppError::bad(
            "node_retired",
            "该节点已停用，不能在此建立党组织",
        ));
    }
    let level = OrgLevel::parse(&n.level).unwrap_or(OrgLevel::Building);
    let parent = match input.parent_id {
        Some(p) => {
            // Held until the commit: a dissolution of the parent waits for this child, and
            // sees it.
            crate::infra::db::lock_row(&tx, "party_orgs", p).await?;
            Some(find(&tx, c, p).await?)
        }
        None => None,
    };
    if let Some(p) = &parent {
        if p.status != "active" {
            return Err(AppError::bad("parent_dissolved", "上级党组织已撤销"));
        }
        // The parent's place holds the child's: a community's branch under its street's
        // committee, not under another street's.
        if !n.path.starts_with(&p.org_path) {
            return Err(AppError::bad(
                "outside_parent",
                format!("“{}”不在上级党组织“{}”所在的范围内", n.name, p.name),
            ));
        }
    }
    let parent_kind = parent.as_ref().and_then(|p| PartyKind::parse(&p.kind));
    party::check_place(kind, f.category, level, parent_kind)
        .map_err(|e| AppError::bad("bad_place", e))?;
    let now = crate::infra::clock::now_ms();
    let row = party_org::ActiveModel {
        parent_id: Set(parent.as_ref().map(|p| p.id)),
        org_node_id: Set(n.id),
        org_path: Set(n.path.clone()),
        name: Set(f.name.clone()),
        kind: Set(kind.as_str().into()),
        category: Set(f.category.map(|c| c.as_str().to_owned())),
        secretary: Set(f.secretary),
        founded_on: Set(f.founded_on),
        elected_on: Set(f.elected_on),
        note: Set(f.note),
        status: Set("active".into()),
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
            org_path: &stored_path(&n.path)?,
            action: "create",
            entity: "party_org",
            entity_id: Some(row.id),
            summary: format!("在{}建立{}“{}”", n.name, kind.label(), f.name),
            changes: json!({"kind": kind.as_str(), "parent_id": row.parent_id}),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(row)
}

/// Edits an organization's name, category, secretary, dates and note (version-checked).
pub async fn update(
    db: &sea_orm::DatabaseConnection,
    c: &Caller,
    id: i64,
    input: OrgInput,
) -> AppResult<party_org::Model> {
    c.require(Permission::PartyManage)?;
    let f = check(&input)?;
    let tx = crate::infra::db::begin_write(db).await?;
    let old = find(&tx, c, id).await?;
    if input.version.is_some_and(|v| v != old.version) {
        return Err(AppError::stale());
    }
    if old.status != "active" {
        return Err(AppError::bad("dissolved", "该党组织已撤销，不能修改"));
    }
    let kind = PartyKind::parse(&old.kind).unwrap_or(PartyKind::Branch);
    let n = node::Entity::find_by_id(old.org_node_id)
        .one(&tx)
        .await?
        .ok_or_else(not_found)?;
    let level = OrgLevel::parse(&n.level).unwrap_or(OrgLevel::Building);
    let parent_kind = match old.parent_id {
        Some(p) => party_org::Entity::find_by_id(p)
            .one(&tx)
            .await?
            .and_then(|p| PartyKind::parse(&p.kind)),
        None => None,
    };
    party::check_place(kind, f.category, level, parent_kind)
        .map_err(|e| AppError::bad("bad_place", e))?;
    let category = f.category.map(|c| c.as_str().to_owned());
    let changes = audit::changes(&[
        ("name", json!(old.name), json!(f.name)),
        ("category", json!(old.category), json!(category)),
        ("secretary", json!(old.secretary), json!(f.secretary)),
        ("founded_on", json!(old.founded_on), json!(f.founded_on)),
        ("elected_on", json!(old.elected_on), json!(f.elected_on)),
        ("note", json!(old.note), json!(f.note)),
    ]);
    let n_rows = crate::infra::db::exec(
        &tx,
        "UPDATE party_orgs SET name = $1, category = $2, secretary = $3, founded_on = $4, \
         elected_on = $5, note = $6, version = version + 1, updated_at = $7 \
         WHERE id = $8 AND version = $9",
        vec![
            f.name.clone().into(),
            category.into(),
            f.secretary.into(),
            f.founded_on.into(),
            f.elected_on.into(),
            f.note.into(),
            crate::infra::clock::now_ms().into(),
            old.id.into(),
            old.version.into(),
        ],
    )
    .await?;
    if n_rows == 0 {
        return Err(AppError::stale());
    }
    audit::record(
        &tx,
        &c.who,
        Entry {
            org_path: &stored_path(&old.org_path)?,
            action: "update",
            entity: "party_org",
            entity_id: Some(old.id),
            summary: format!("修改{}“{}”", kind.label(), f.name),
            changes,
        },
    )
    .await?;
    let row = party_org::Entity::find_by_id(old.id)
        .one(&tx)
        .await?
        .ok_or_else(not_found)?;
    tx.commit().await?;
    Ok(row)
}

/// Dissolves an organization with nothing active under it (its history stays).
pub async fn dissolve(
    db: &sea_orm::DatabaseConnection,
    c: &Caller,
    id: i64,
    version: Option<i32>,
) -> AppResult<()> {
    c.require(Permission::PartyManage)?;
    let tx = crate::infra::db::begin_write(db).await?;
    crate::infra::db::lock_row(&tx, "party_orgs", id).await?;
    let old = find(&tx, c, id).await?;
    if version.is_some_and(|v| v != old.version) {
        return Err(AppError::stale());
    }
    if old.status != "active" {
        return Err(AppError::bad("dissolved", "该党组织已撤销"));
    }
    let under = party_org::Entity::find()
        .filter(party_org::Column::ParentId.eq(old.id))
        .filter(party_org::Column::Status.eq("active"))
        .one(&tx)
        .await?;
    if let Some(child) = under {
        return Err(AppError::conflict(
            "has_children",
            format!("下面还有“{}”：请先撤销或调整下级党组织", child.name),
        ));
    }
    let n = crate::infra::db::exec(
        &tx,
        "UPDATE party_orgs SET status = 'dissolved', version = version + 1, updated_at = $1 \
         WHERE id = $2 AND version = $3",
        vec![
            crate::infra::clock::now_ms().into(),
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
            action: "dissolve",
            entity: "party_org",
            entity_id: Some(old.id),
            summary: format!("撤销“{}”", old.name),
            changes: json!({}),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(())
}
