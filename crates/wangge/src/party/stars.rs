//! 五星支部: each year a street adopts a star set per kind of branch (the core's defaults, which
//! it may change until a review of the set is submitted); a village's or community's branch
//! assesses itself star by star with evidence (text, photos, links to what the system records of
//! it — meetings held, wishes fulfilled, cases resolved in its area); the street scores it (one
//! level, or two with a second reviewer's check), publishes it for five days (公示) during which
//! objections are heard, awards the stars, and may withdraw one during the year (摘星) with a
//! reason. The history is public (`/stars`). The rules are the core's
//! (`wangge_core::party::star`).
//!
//! Who does what: the review belongs to the branch's place and is seen through the scope. Its
//! own side — staff whose scope holds the branch but not the street — writes and submits the
//! self-assessment; the street's staff (whose scope holds the street the set belongs to) score,
//! check, publish, decide objections, award and withdraw. A community never scores its own
//! branches (`not_reviewer`), and the street never writes a branch's self-assessment
//! (`not_branch`).

use super::entity::{party_meeting, party_org, party_wish, star_objection, star_review};
use super::entity::{star_set, star_withdrawal};
use super::members::manages_members as staff;
use super::wishes::display_name;
use crate::cases::entity::case;
use crate::infra::audit::{self, Entry};
use crate::infra::clock::{from_bj, now_ms, today};
use crate::infra::db::{begin_write, exec, lock_row, subtree};
use crate::infra::error::{AppError, AppResult, stored_path};
use crate::org::entity::node;
use crate::web::{Base, Caller};
use chrono::{Datelike, NaiveDate};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter,
    QueryOrder, QuerySelect, Set,
};
use serde::{Deserialize, Serialize};
use serde_json::json;
use std::collections::{BTreeMap, HashMap};
use wangge_core::party::star::{self as rules, Criterion, SetKind, Stage, StarDef};
use wangge_core::validate::{self, Lines};
use wangge_core::{OrgLevel, OrgPath, Permission};

fn set_not_found() -> AppError {
    AppError::NotFound("星级标准不存在".into())
}

fn review_not_found() -> AppError {
    AppError::NotFound("星级评定不存在".into())
}

fn not_reviewer() -> AppError {
    AppError::bad(
        "not_reviewer",
        "星级由街道评定：村（社区）不能评定、公示或授予本支部的星",
    )
}

fn not_branch() -> AppError {
    AppError::bad(
        "not_branch",
        "自评由本村（社区）党组织填写和提交，街道不代为自评",
    )
}

/// The years a review may be of: this year and the last.
fn check_year(year: i32) -> AppResult<i32> {
    let now = today().year();
    if year == now || year == now - 1 {
        Ok(year)
    } else {
        Err(AppError::bad(
            "bad_year",
            format!("评定年度只能是 {} 年或 {now} 年", now - 1),
        ))
    }
}

/// The first and the last millisecond (exclusive) of a year in Beijing.
fn year_ms(year: i32) -> (i64, i64) {
    let start = |y| {
        NaiveDate::from_ymd_opt(y, 1, 1)
            .and_then(|d| d.and_hms_opt(0, 0, 0))
            .map_or(0, from_bj)
    };
    (start(year), start(year + 1))
}

/// The street (乡镇、街道) a path lies in.
async fn street_of(db: &impl ConnectionTrait, path: &OrgPath) -> AppResult<Option<node::Model>> {
    Ok(node::Entity::find()
        .filter(node::Column::Id.is_in(path.ids()))
        .filter(node::Column::Level.eq(OrgLevel::Township.as_str()))
        .one(db)
        .await?)
}

/// Whether the caller is the street's reviewer for a set at `street`.
fn reviews(c: &Caller, street: &OrgPath) -> bool {
    staff(c) && c.allows(street)
}

/// Whether the caller is the branch's own side: staff holding the branch but not its street.
fn branch_side(c: &Caller, branch: &OrgPath, street: &OrgPath) -> bool {
    staff(c) && c.allows(branch) && !c.allows(street)
}

// ---------------------------------------------------------------------------------------------
// Sets

/// A star set as shown.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct SetView {
    pub id: i64,
    pub org_node_id: i64,
    pub street: String,
    pub year: i32,
    pub kind: String,
    pub kind_label: &'static str,
    /// A second reviewer checks the scores before publication.
    pub two_level: bool,
    #[schema(value_type = Vec<Object>)]
    pub stars: Vec<StarDef>,
    /// The set's gate star, when it has one.
    pub gate: Option<String>,
    /// Whether the caller may change it (the street, while no review of it is submitted).
    pub editable: bool,
}

fn parse_stars(s: &str) -> Vec<StarDef> {
    serde_json::from_str(s).unwrap_or_default()
}

async fn in_use(db: &impl ConnectionTrait, set_id: i64) -> AppResult<bool> {
    Ok(star_review::Entity::find()
        .filter(star_review::Column::SetId.eq(set_id))
        .filter(star_review::Column::Stage.ne(Stage::Draft.as_str()))
        .count(db)
        .await?
        > 0)
}

async fn set_views(st: &Base, c: &Caller, rows: Vec<star_set::Model>) -> AppResult<Vec<SetView>> {
    let names = super::service::node_names(&st.db, rows.iter().map(|r| r.org_node_id)).await?;
    let mut out = Vec::new();
    for r in rows {
        let Ok(path) = OrgPath::parse(&r.org_path) else {
            continue;
        };
        let stars = parse_stars(&r.stars);
        out.push(SetView {
            id: r.id,
            org_node_id: r.org_node_id,
            street: names.get(&r.org_node_id).cloned().unwrap_or_default(),
            year: r.year,
            kind_label: SetKind::parse(&r.kind).map_or("", SetKind::label),
            kind: r.kind,
            two_level: r.two_level,
            gate: stars.iter().find(|s| s.gate).map(|s| s.name.clone()),
            editable: reviews(c, &path) && !in_use(&st.db, r.id).await?,
            stars,
        });
    }
    Ok(out)
}

/// The sets of a year in the caller's sight.
pub async fn sets(st: &Base, c: &Caller, year: i32) -> AppResult<Vec<SetView>> {
    c.require(Permission::PartyView)?;
    let rows = star_set::Entity::find()
        .filter(star_set::Column::Year.eq(year))
        .order_by_asc(star_set::Column::OrgPath)
        .order_by_asc(star_set::Column::Kind)
        .all(&st.db)
        .await?
        .into_iter()
        .filter(|r| OrgPath::parse(&r.org_path).is_ok_and(|p| c.sees_above_or_within(&p)))
        .collect();
    set_views(st, c, rows).await
}

async fn find_set(db: &impl ConnectionTrait, c: &Caller, id: i64) -> AppResult<star_set::Model> {
    c.require(Permission::PartyView)?;
    let row = star_set::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or_else(set_not_found)?;
    let path = OrgPath::parse(&row.org_path).map_err(|_| set_not_found())?;
    if c.sees_above_or_within(&path) {
        Ok(row)
    } else {
        Err(set_not_found())
    }
}

/// One set.
pub async fn set(st: &Base, c: &Caller, id: i64) -> AppResult<SetView> {
    let row = find_set(&st.db, c, id).await?;
    set_views(st, c, vec![row])
        .await?
        .pop()
        .ok_or_else(set_not_found)
}

/// What adopting a set sends.
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(default)]
pub struct AdoptInput {
    /// The street (the caller's own node when none).
    pub org_node_id: Option<i64>,
    pub year: Option<i32>,
    /// rural (村党组织) or urban (社区党组织).
    pub kind: String,
}

/// The street adopts the default set of a kind for a year (to change it afterwards).
pub async fn adopt(st: &Base, c: &Caller, input: AdoptInput) -> AppResult<star_set::Model> {
    if !staff(c) {
        return Err(AppError::no_permission());
    }
    let year = check_year(input.year.unwrap_or_else(|| today().year()))?;
    let kind = SetKind::parse(&input.kind)
        .ok_or_else(|| AppError::bad("bad_kind", "请选择村党组织或社区党组织的星级标准"))?;
    let at = super::serving::serving_node(&st.db, c, input.org_node_id).await?;
    if OrgLevel::parse(&at.level) != Some(OrgLevel::Township) {
        return Err(AppError::bad("bad_node", "星级标准由街道（乡镇）确定"));
    }
    let stars = to_json(&rules::default_set(kind))?;
    let tx = begin_write(&st.db).await?;
    let row = star_set::ActiveModel {
        org_node_id: Set(at.id),
        org_path: Set(at.path.clone()),
        year: Set(year),
        kind: Set(kind.as_str().into()),
        two_level: Set(false),
        stars: Set(stars),
        actor_name: Set(display_name(&tx, c).await?),
        created_at: Set(now_ms()),
        updated_at: Set(now_ms()),
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
            entity: "star_set",
            entity_id: Some(row.id),
            summary: format!("确定 {year} 年度{}星级标准（默认五星）", kind.label()),
            changes: json!({"year": year, "kind": kind.as_str()}),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(row)
}

/// One star as a form or the API sends it.
#[derive(Debug, Default, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(default)]
pub struct StarInput {
    /// The star's key (kept from the set; a new star gets one).
    pub key: String,
    pub name: String,
    /// 门槛星: without it no other star is awarded.
    pub gate: bool,
    /// 达标分.
    pub pass: Option<u32>,
    /// The criteria, one a line: `领域｜任务｜分值`.
    pub criteria: String,
}

/// What changing a set sends.
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(default)]
pub struct SetInput {
    pub two_level: bool,
    pub stars: Vec<StarInput>,
}

/// Reads the criteria lines of a star: `领域｜任务｜分值` (a full-width or ASCII bar).
fn criteria_of(name: &str, text: &str) -> AppResult<Vec<Criterion>> {
    let mut out = Vec::new();
    for line in text.lines().map(str::trim).filter(|l| !l.is_empty()) {
        let parts: Vec<&str> = line.split(['｜', '|']).map(str::trim).collect();
        let bad = || {
            AppError::bad(
                "bad_criterion",
                format!("“{name}”的标准“{line}”应写成：领域｜任务｜分值"),
            )
        };
        let [area, task, points] = parts[..] else {
            return Err(bad());
        };
        let points: u32 = points.parse().map_err(|_| bad())?;
        if area.is_empty() || task.is_empty() {
            return Err(bad());
        }
        out.push(Criterion {
            area: validate::text("领域", area, 20, Lines::One, true)?,
            task: validate::text("任务", task, 60, Lines::One, true)?,
            points,
        });
    }
    Ok(out)
}

/// The stars a form sent, checked by the core; a star with neither a name nor criteria is left out.
fn stars_of(input: Vec<StarInput>) -> AppResult<Vec<StarDef>> {
    let mut out = Vec::new();
    for (i, s) in input.into_iter().enumerate() {
        if s.name.trim().is_empty() && s.criteria.trim().is_empty() {
            continue;
        }
        let name = validate::text("星名", &s.name, 12, Lines::One, true)?;
        let criteria = criteria_of(&name, &s.criteria)?;
        let total: u32 = criteria.iter().map(|c| c.points).sum();
        let key = match s.key.trim() {
            "" => format!("star{}", i + 1),
            k if k.len() <= 24 && k.bytes().all(|b| b.is_ascii_alphanumeric()) => k.to_owned(),
            _ => return Err(AppError::bad("bad_key", "星的标识只能是字母和数字")),
        };
        out.push(StarDef {
            key,
            name,
            gate: s.gate,
            pass: s.pass.unwrap_or(total * 4 / 5),
            criteria,
        });
    }
    rules::check_set(&out).map_err(|e| AppError::bad("bad_set", e))?;
    Ok(out)
}

/// The street changes a set: its stars, criteria, pass marks, the gate and the levels of review.
/// Refused once a review of the set is submitted (`set_in_use`).
pub async fn edit_set(st: &Base, c: &Caller, id: i64, input: SetInput) -> AppResult<SetView> {
    let stars = stars_of(input.stars)?;
    let tx = begin_write(&st.db).await?;
    let row = find_set(&tx, c, id).await?;
    let path = OrgPath::parse(&row.org_path).map_err(|_| set_not_found())?;
    if !reviews(c, &path) {
        return Err(AppError::bad("not_reviewer", "星级标准由街道确定和修改"));
    }
    lock_row(&tx, "star_sets", row.id).await?;
    if in_use(&tx, row.id).await? {
        return Err(AppError::bad(
            "set_in_use",
            "已有党组织提交了本标准下的自评，标准不能再改",
        ));
    }
    let json = to_json(&stars)?;
    exec(
        &tx,
        "UPDATE star_sets SET stars = $1, two_level = $2, updated_at = $3 WHERE id = $4",
        vec![
            json.into(),
            input.two_level.into(),
            now_ms().into(),
            row.id.into(),
        ],
    )
    .await?;
    audit::record(
        &tx,
        &c.who,
        Entry {
            org_path: &stored_path(&row.org_path)?,
            action: "update",
            entity: "star_set",
            entity_id: Some(row.id),
            summary: format!(
                "修改 {} 年度星级标准：{}",
                row.year,
                stars
                    .iter()
                    .map(|s| s.name.as_str())
                    .collect::<Vec<_>>()
                    .join("、")
            ),
            changes: json!({"two_level": input.two_level, "stars": stars.len()}),
        },
    )
    .await?;
    tx.commit().await?;
    set(st, c, id).await
}

// ---------------------------------------------------------------------------------------------
// Reviews

/// A star's self-assessment.
#[derive(Clone, Debug, Default, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Assessed {
    pub key: String,
    /// The points the branch claims.
    pub points: u32,
    /// 自评说明.
    pub text: String,
    /// Records of the system it points at: `meeting:12`, `wish:5`, `case:88`.
    pub links: Vec<String>,
    /// Photos (file ids).
    pub files: Vec<String>,
}

/// The street's score of a star.
#[derive(Clone, Debug, Default, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Scored {
    pub key: String,
    pub points: u32,
    /// Why not awarded, when not (from the core's award).
    pub why_not: String,
}

/// One star of a review, as shown.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct StarLine {
    pub key: String,
    pub name: String,
    pub gate: bool,
    pub pass: u32,
    pub total: u32,
    #[schema(value_type = Vec<Object>)]
    pub criteria: Vec<Criterion>,
    pub assessed: Option<Assessed>,
    pub score: Option<u32>,
    pub why_not: String,
    /// Scored to be awarded (拟授予), before the award.
    pub proposed: bool,
    pub awarded: bool,
    /// 摘星: the reason and the day, when withdrawn.
    pub withdrawn: Option<String>,
    /// Held now (awarded, not withdrawn, the gate still held).
    pub held: bool,
}

impl StarLine {
    /// Whether the self-assessment links this record.
    pub fn linked(&self, key: &str) -> bool {
        self.assessed
            .as_ref()
            .is_some_and(|a| a.links.iter().any(|l| l == key))
    }
}

/// A review as listed.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct ReviewView {
    pub id: i64,
    pub set_id: i64,
    pub party_org_id: i64,
    pub branch: String,
    pub place: String,
    pub year: i32,
    pub kind_label: &'static str,
    pub stage: String,
    pub stage_label: &'static str,
    pub two_level: bool,
    pub stars: Vec<StarLine>,
    /// Stars awarded and stars held now (after withdrawals).
    pub awarded_count: usize,
    pub held_count: usize,
    pub score_note: String,
    pub scored_by: String,
    pub checked_by: String,
    pub return_note: String,
    pub public_from: Option<String>,
    pub public_until: Option<String>,
    pub awarded_on: Option<String>,
    pub objections_open: usize,
    /// 公示 is over with no objection open: the street may award.
    pub may_award: bool,
    /// What the caller may do: `assess` (the branch's side, while 自评中), `review` (the street).
    pub can_assess: bool,
    pub can_review: bool,
}

struct Loaded {
    sets: HashMap<i64, star_set::Model>,
    orgs: HashMap<i64, party_org::Model>,
    places: HashMap<i64, String>,
    withdrawals: HashMap<i64, Vec<star_withdrawal::Model>>,
    open: HashMap<i64, usize>,
}

async fn load(db: &impl ConnectionTrait, rows: &[star_review::Model]) -> AppResult<Loaded> {
    let ids: Vec<i64> = rows.iter().map(|r| r.id).collect();
    let sets = star_set::Entity::find()
        .filter(star_set::Column::Id.is_in(rows.iter().map(|r| r.set_id)))
        .all(db)
        .await?
        .into_iter()
        .map(|s| (s.id, s))
        .collect();
    let orgs: HashMap<i64, party_org::Model> = party_org::Entity::find()
        .filter(party_org::Column::Id.is_in(rows.iter().map(|r| r.party_org_id)))
        .all(db)
        .await?
        .into_iter()
        .map(|o| (o.id, o))
        .collect();
    let places = super::service::node_names(db, orgs.values().map(|o| o.org_node_id)).await?;
    let mut withdrawals: HashMap<i64, Vec<star_withdrawal::Model>> = HashMap::new();
    for w in star_withdrawal::Entity::find()
        .filter(star_withdrawal::Column::ReviewId.is_in(ids.clone()))
        .order_by_asc(star_withdrawal::Column::Id)
        .all(db)
        .await?
    {
        withdrawals.entry(w.review_id).or_default().push(w);
    }
    let mut open: HashMap<i64, usize> = HashMap::new();
    for o in star_objection::Entity::find()
        .filter(star_objection::Column::ReviewId.is_in(ids))
        .filter(star_objection::Column::Status.eq("open"))
        .all(db)
        .await?
    {
        *open.entry(o.review_id).or_default() += 1;
    }
    Ok(Loaded {
        sets,
        orgs,
        places,
        withdrawals,
        open,
    })
}

fn view(c: Option<&Caller>, l: &Loaded, r: star_review::Model) -> Option<ReviewView> {
    let set = l.sets.get(&r.set_id)?;
    let org = l.orgs.get(&r.party_org_id)?;
    let defs = parse_stars(&set.stars);
    let assessed: Vec<Assessed> = serde_json::from_str(&r.assessment).unwrap_or_default();
    let scores: Vec<Scored> = serde_json::from_str(&r.scores).unwrap_or_default();
    let stage = Stage::parse(&r.stage)?;
    // The stars the scores would award, and those awarded once 公示 is over.
    let proposed: Vec<String> = serde_json::from_str(&r.awarded).unwrap_or_default();
    let awarded: Vec<String> = if stage == Stage::Awarded {
        proposed.clone()
    } else {
        Vec::new()
    };
    let scored = matches!(stage, Stage::Scored | Stage::Checked | Stage::Public);
    let gone = l.withdrawals.get(&r.id).cloned().unwrap_or_default();
    let withdrawn: Vec<String> = gone.iter().map(|w| w.star_key.clone()).collect();
    let held = rules::held(&defs, &awarded, &withdrawn);
    let (branch_path, street_path) = (
        OrgPath::parse(&r.org_path).ok()?,
        OrgPath::parse(&set.org_path).ok()?,
    );
    let stars: Vec<StarLine> = defs
        .iter()
        .map(|d| {
            let sc = scores.iter().find(|s| s.key == d.key);
            StarLine {
                key: d.key.clone(),
                name: d.name.clone(),
                gate: d.gate,
                pass: d.pass,
                total: d.total(),
                criteria: d.criteria.clone(),
                assessed: assessed.iter().find(|a| a.key == d.key).cloned(),
                score: sc.map(|s| s.points),
                why_not: sc.map(|s| s.why_not.clone()).unwrap_or_default(),
                proposed: scored && proposed.contains(&d.key),
                awarded: awarded.contains(&d.key),
                withdrawn: gone
                    .iter()
                    .find(|w| w.star_key == d.key)
                    .map(|w| format!("{} 摘星：{}", w.withdrawn_on, w.reason)),
                held: held.contains(&d.key),
            }
        })
        .collect();
    let from = r
        .public_from
        .as_deref()
        .and_then(|d| NaiveDate::parse_from_str(d, "%Y-%m-%d").ok());
    let open = l.open.get(&r.id).copied().unwrap_or_default();
    let may_award =
        stage == Stage::Public && from.is_some_and(|f| rules::may_award(f, today(), open).is_ok());
    let public_until = from.map(|d| rules::public_until(d).to_string());
    Some(ReviewView {
        id: r.id,
        set_id: r.set_id,
        party_org_id: r.party_org_id,
        branch: org.name.clone(),
        place: l.places.get(&org.org_node_id).cloned().unwrap_or_default(),
        year: r.year,
        kind_label: SetKind::parse(&set.kind).map_or("", SetKind::label),
        stage_label: stage.label(),
        two_level: set.two_level,
        awarded_count: awarded.len(),
        held_count: held.len(),
        stars,
        score_note: r.score_note,
        scored_by: r.scored_by,
        checked_by: r.checked_by,
        return_note: r.return_note,
        public_until,
        public_from: r.public_from,
        awarded_on: r.awarded_on,
        objections_open: open,
        may_award,
        can_assess: c
            .is_some_and(|c| stage == Stage::Draft && branch_side(c, &branch_path, &street_path)),
        can_review: c.is_some_and(|c| reviews(c, &street_path)),
        stage: r.stage,
    })
}

/// The reviews of a year in the caller's subtree, by place and branch.
pub async fn list(st: &Base, c: &Caller, year: i32) -> AppResult<Vec<ReviewView>> {
    c.require(Permission::PartyView)?;
    let rows = star_review::Entity::find()
        .filter(c.scope_cond("org_path"))
        .filter(star_review::Column::Year.eq(year))
        .order_by_asc(star_review::Column::OrgPath)
        .order_by_asc(star_review::Column::Id)
        .limit(500)
        .all(&st.db)
        .await?;
    let l = load(&st.db, &rows).await?;
    Ok(rows
        .into_iter()
        .filter_map(|r| view(Some(c), &l, r))
        .collect())
}

async fn find(db: &impl ConnectionTrait, c: &Caller, id: i64) -> AppResult<star_review::Model> {
    c.require(Permission::PartyView)?;
    star_review::Entity::find_by_id(id)
        .filter(c.scope_cond("org_path"))
        .one(db)
        .await?
        .ok_or_else(review_not_found)
}

/// One record of the system a self-assessment may point at.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct Rec {
    /// `meeting:12`, `wish:5`, `case:88`.
    pub key: String,
    pub label: String,
    pub href: String,
}

/// What the system records of a branch in a year: its figures (defined here, once) and the most
/// recent records of each kind (up to 30) to link as evidence.
///
/// - `meetings_held`: meetings (三会一课, 主题党日 …) recorded for the branch or an organization
///   under it, held (`held_on`) in the year;
/// - `wishes_fulfilled`: 微心愿 of its area (the subtree of the branch's node) fulfilled in the
///   year (Beijing time);
/// - `cases_resolved`: cases of its area closed in the year (Beijing time).
#[derive(Clone, Debug, Default, Serialize, utoipa::ToSchema)]
pub struct Records {
    pub meetings_held: u64,
    pub wishes_fulfilled: u64,
    pub cases_resolved: u64,
    pub meetings: Vec<Rec>,
    pub wishes: Vec<Rec>,
    pub cases: Vec<Rec>,
}

impl Records {
    /// The record of a key, when among the recent ones.
    pub fn find(&self, key: &str) -> Option<&Rec> {
        self.meetings
            .iter()
            .chain(&self.wishes)
            .chain(&self.cases)
            .find(|r| r.key == key)
    }
}

/// The organization and the organizations under it.
async fn org_and_below(db: &impl ConnectionTrait, org: &party_org::Model) -> AppResult<Vec<i64>> {
    let path = OrgPath::parse(&org.org_path).map_err(|_| review_not_found())?;
    let all = party_org::Entity::find()
        .filter(subtree(party_org::Column::OrgPath, &path))
        .all(db)
        .await?;
    let mut ids = vec![org.id];
    let mut i = 0;
    while i < ids.len() {
        let parent = ids[i];
        ids.extend(
            all.iter()
                .filter(|o| o.parent_id == Some(parent) && !ids.contains(&o.id))
                .map(|o| o.id)
                .collect::<Vec<_>>(),
        );
        i += 1;
    }
    Ok(ids)
}

/// The system's records of a branch in a year (see [`Records`]).
pub async fn records(
    db: &impl ConnectionTrait,
    org: &party_org::Model,
    year: i32,
) -> AppResult<Records> {
    let path = OrgPath::parse(&org.org_path).map_err(|_| review_not_found())?;
    let orgs = org_and_below(db, org).await?;
    let (from, to) = year_ms(year);
    let meetings = party_meeting::Entity::find()
        .filter(party_meeting::Column::PartyOrgId.is_in(orgs))
        .filter(party_meeting::Column::HeldOn.gte(format!("{year}-01-01")))
        .filter(party_meeting::Column::HeldOn.lte(format!("{year}-12-31")));
    let wishes = party_wish::Entity::find()
        .filter(subtree(party_wish::Column::OrgPath, &path))
        .filter(party_wish::Column::Status.eq("fulfilled"))
        .filter(party_wish::Column::FulfilledAt.gte(from))
        .filter(party_wish::Column::FulfilledAt.lt(to));
    let cases = case::Entity::find()
        .filter(subtree(case::Column::OrgPath, &path))
        .filter(case::Column::Status.eq("closed"))
        .filter(case::Column::ClosedAt.gte(from))
        .filter(case::Column::ClosedAt.lt(to));
    Ok(Records {
        meetings_held: meetings.clone().count(db).await?,
        wishes_fulfilled: wishes.clone().count(db).await?,
        cases_resolved: cases.clone().count(db).await?,
        meetings: meetings
            .order_by_desc(party_meeting::Column::HeldOn)
            .limit(30)
            .all(db)
            .await?
            .into_iter()
            .map(|m| Rec {
                key: format!("meeting:{}", m.id),
                label: format!(
                    "{} {}：{}",
                    m.held_on,
                    wangge_core::party::meeting::MeetingKind::parse(&m.kind)
                        .map_or("会议", |k| k.label()),
                    m.topic
                ),
                href: format!("/party/meetings/{}", m.id),
            })
            .collect(),
        wishes: wishes
            .order_by_desc(party_wish::Column::FulfilledAt)
            .limit(30)
            .all(db)
            .await?
            .into_iter()
            .map(|w| Rec {
                key: format!("wish:{}", w.id),
                label: format!("微心愿：{}", w.title),
                href: format!("/party/wishes/{}", w.id),
            })
            .collect(),
        cases: cases
            .order_by_desc(case::Column::ClosedAt)
            .limit(30)
            .all(db)
            .await?
            .into_iter()
            .map(|k| Rec {
                key: format!("case:{}", k.id),
                label: format!("{} {}", k.case_no, k.title),
                href: format!("/cases/{}", k.id),
            })
            .collect(),
    })
}

/// An objection as shown.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct ObjectionView {
    pub id: i64,
    pub body: String,
    pub raised_by: String,
    pub raised_on: String,
    /// open, upheld, dismissed.
    pub status: String,
    pub status_label: &'static str,
    pub answer: String,
    pub answered_by: String,
}

fn objection_label(s: &str) -> &'static str {
    match s {
        "open" => "待处理",
        "upheld" => "异议成立",
        "dismissed" => "异议不成立",
        _ => "",
    }
}

/// A review with everything its page shows.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct ReviewDetail {
    #[serde(flatten)]
    pub review: ReviewView,
    pub records: Records,
    pub objections: Vec<ObjectionView>,
}

/// One review, with the branch's records of the year and the objections.
pub async fn one(st: &Base, c: &Caller, id: i64) -> AppResult<ReviewDetail> {
    let row = find(&st.db, c, id).await?;
    let l = load(&st.db, std::slice::from_ref(&row)).await?;
    let org = l
        .orgs
        .get(&row.party_org_id)
        .cloned()
        .ok_or_else(review_not_found)?;
    let records = records(&st.db, &org, row.year).await?;
    let objections = star_objection::Entity::find()
        .filter(star_objection::Column::ReviewId.eq(row.id))
        .order_by_asc(star_objection::Column::Id)
        .all(&st.db)
        .await?
        .into_iter()
        .map(|o| ObjectionView {
            id: o.id,
            raised_on: crate::infra::clock::fmt_time(o.created_at),
            status_label: objection_label(&o.status),
            body: o.body,
            raised_by: o.raised_by,
            status: o.status,
            answer: o.answer,
            answered_by: o.answered_by,
        })
        .collect();
    let review = view(Some(c), &l, row).ok_or_else(review_not_found)?;
    Ok(ReviewDetail {
        review,
        records,
        objections,
    })
}

/// What starting a review sends.
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(default)]
pub struct StartInput {
    pub party_org_id: Option<i64>,
    pub year: Option<i32>,
}

/// Opens a branch's review of a year under its street's set (staff of the branch's place or of
/// the street). A village's branch is rated by the rural set, any other by the urban one; the
/// branch must be at a village or community or below.
pub async fn start(st: &Base, c: &Caller, input: StartInput) -> AppResult<star_review::Model> {
    if !staff(c) {
        return Err(AppError::no_permission());
    }
    let year = check_year(input.year.unwrap_or_else(|| today().year()))?;
    let org_id = input
        .party_org_id
        .ok_or_else(|| AppError::bad("no_branch", "请选择参加评定的党组织"))?;
    let org = party_org::Entity::find_by_id(org_id)
        .filter(c.scope_cond("org_path"))
        .filter(party_org::Column::Status.eq("active"))
        .one(&st.db)
        .await?
        .ok_or_else(|| AppError::NotFound("党组织不存在".into()))?;
    let path = OrgPath::parse(&org.org_path).map_err(|_| review_not_found())?;
    let street = street_of(&st.db, &path).await?;
    let Some(street) = street.filter(|s| s.path != org.org_path && org.kind != "group") else {
        return Err(AppError::bad(
            "bad_branch",
            "五星支部评的是村（社区）党组织和它们下属的支部，不含党小组和街道机关",
        ));
    };
    let kind = SetKind::for_category(org.category.as_deref().unwrap_or_default());
    let set = star_set::Entity::find()
        .filter(star_set::Column::OrgNodeId.eq(street.id))
        .filter(star_set::Column::Year.eq(year))
        .filter(star_set::Column::Kind.eq(kind.as_str()))
        .one(&st.db)
        .await?
        .ok_or_else(|| {
            AppError::bad(
                "no_set",
                format!(
                    "{}还没有确定 {year} 年度{}的星级标准",
                    street.name,
                    kind.label()
                ),
            )
        })?;
    let tx = begin_write(&st.db).await?;
    let row = star_review::ActiveModel {
        set_id: Set(set.id),
        party_org_id: Set(org.id),
        org_path: Set(org.org_path.clone()),
        year: Set(year),
        stage: Set(Stage::Draft.as_str().into()),
        assessment: Set("[]".into()),
        scores: Set("[]".into()),
        awarded: Set("[]".into()),
        score_note: Set(String::new()),
        scored_by_id: Set(None),
        scored_by: Set(String::new()),
        checked_by: Set(String::new()),
        return_note: Set(String::new()),
        public_from: Set(None),
        awarded_on: Set(None),
        created_at: Set(now_ms()),
        updated_at: Set(now_ms()),
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
            entity: "star_review",
            entity_id: Some(row.id),
            summary: format!("{}开始 {year} 年度五星支部评定", org.name),
            changes: json!({"year": year, "set_id": set.id}),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(row)
}

/// What a star's self-assessment sends.
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(default)]
pub struct AssessInput {
    /// 自评分.
    pub points: Option<u32>,
    /// 自评说明 (required).
    pub text: String,
    /// Records of the system: `meeting:12`, `wish:5`, `case:88` (from the review's `records`).
    pub links: Vec<String>,
    /// A photo to add (`POST /api/v1/files`).
    pub photo: String,
    /// Photos to drop (file ids).
    pub drop: Vec<String>,
}

/// The most photos of one star's evidence.
const MAX_EVIDENCE_PHOTOS: usize = 6;

/// Locks a review and reads it again with its set and the caller's sides.
async fn locked(
    tx: &impl ConnectionTrait,
    c: &Caller,
    id: i64,
) -> AppResult<(star_review::Model, star_set::Model, OrgPath, OrgPath)> {
    find(tx, c, id).await?;
    lock_row(tx, "star_reviews", id).await?;
    let r = find(tx, c, id).await?;
    let set = star_set::Entity::find_by_id(r.set_id)
        .one(tx)
        .await?
        .ok_or_else(set_not_found)?;
    let branch = OrgPath::parse(&r.org_path).map_err(|_| review_not_found())?;
    let street = OrgPath::parse(&set.org_path).map_err(|_| set_not_found())?;
    Ok((r, set, branch, street))
}

/// The branch writes (or rewrites) its self-assessment of one star, while 自评中.
pub async fn assess(
    st: &Base,
    c: &Caller,
    id: i64,
    key: &str,
    input: AssessInput,
) -> AppResult<ReviewDetail> {
    let text = validate::text("自评说明", &input.text, 1000, Lines::Many, true)?;
    let photo = super::wishes::owned_photo(st, c, Some(&input.photo)).await?;
    let tx = begin_write(&st.db).await?;
    let (r, set, branch, street) = locked(&tx, c, id).await?;
    if !branch_side(c, &branch, &street) {
        return Err(not_branch());
    }
    if r.stage != Stage::Draft.as_str() {
        return Err(AppError::bad("bad_step", "自评已提交，不能再改"));
    }
    let defs = parse_stars(&set.stars);
    let def = defs
        .iter()
        .find(|d| d.key == key)
        .ok_or_else(|| AppError::NotFound("星级标准中没有这颗星".into()))?;
    let points = input.points.unwrap_or_default();
    if points > def.total() {
        return Err(AppError::bad(
            "bad_points",
            format!("“{}”的自评分应为 0 至 {} 分", def.name, def.total()),
        ));
    }
    let org = party_org::Entity::find_by_id(r.party_org_id)
        .one(&tx)
        .await?
        .ok_or_else(review_not_found)?;
    let own = records(&tx, &org, r.year).await?;
    let mut links: Vec<String> = Vec::new();
    for l in input
        .links
        .iter()
        .map(|l| l.trim())
        .filter(|l| !l.is_empty())
    {
        if !links.iter().any(|x| x == l) {
            links.push(l.to_owned());
        }
    }
    if let Some(bad) = links.iter().find(|l| own.find(l).is_none()) {
        return Err(AppError::bad(
            "bad_link",
            format!("“{bad}”不是本支部本年度的会议、微心愿或办结的诉求"),
        ));
    }
    let mut all: Vec<Assessed> = serde_json::from_str(&r.assessment).unwrap_or_default();
    let mut files = all
        .iter()
        .find(|a| a.key == key)
        .map(|a| a.files.clone())
        .unwrap_or_default();
    files.retain(|f| !input.drop.contains(f));
    if !photo.is_empty() && !files.contains(&photo) {
        files.push(photo);
    }
    if files.len() > MAX_EVIDENCE_PHOTOS {
        return Err(AppError::bad(
            "too_many_photos",
            format!("每颗星最多 {MAX_EVIDENCE_PHOTOS} 张证明照片"),
        ));
    }
    all.retain(|a| a.key != key);
    all.push(Assessed {
        key: key.to_owned(),
        points,
        text,
        links,
        files,
    });
    let json = to_json(&all)?;
    exec(
        &tx,
        "UPDATE star_reviews SET assessment = $1, updated_at = $2 WHERE id = $3",
        vec![json.into(), now_ms().into(), r.id.into()],
    )
    .await?;
    audit::record(
        &tx,
        &c.who,
        Entry {
            org_path: &stored_path(&r.org_path)?,
            action: "update",
            entity: "star_review",
            entity_id: Some(r.id),
            summary: format!("{}自评“{}”{points} 分", org.name, def.name),
            changes: json!({"star": key, "points": points}),
        },
    )
    .await?;
    tx.commit().await?;
    one(st, c, id).await
}

/// What a step of a review sends.
#[derive(Debug, Default, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(default)]
pub struct StepInput {
    /// 意见 (a return's reason; an objection's text; a withdrawal's reason).
    pub note: String,
    /// The street's points per star (`score`).
    pub points: BTreeMap<String, u32>,
    /// The star withdrawn (`withdraw`).
    pub star: String,
}

/// A step of a review: `submit` (the branch), `return`, `score`, `check`, `publish`, `award`,
/// `withdraw` (the street), `object` (anyone who sees it, during 公示).
pub async fn step(
    st: &Base,
    c: &Caller,
    id: i64,
    step: &str,
    input: StepInput,
) -> AppResult<ReviewDetail> {
    let note_required = matches!(step, "return" | "object" | "withdraw");
    let note = validate::text("意见", &input.note, 500, Lines::Many, note_required)?;
    let tx = begin_write(&st.db).await?;
    let (r, set, branch, street) = locked(&tx, c, id).await?;
    let stage = Stage::parse(&r.stage).ok_or_else(review_not_found)?;
    let defs = parse_stars(&set.stars);
    let org_name = party_org::Entity::find_by_id(r.party_org_id)
        .one(&tx)
        .await?
        .map(|o| o.name)
        .unwrap_or_default();
    let who = display_name(&tx, c).await?;
    let bad = |e: String| AppError::bad("bad_step", e);
    let summary;
    match step {
        "submit" => {
            if !branch_side(c, &branch, &street) {
                return Err(not_branch());
            }
            let to = rules::next_stage(stage, step, set.two_level).map_err(bad)?;
            let assessed: Vec<Assessed> = serde_json::from_str(&r.assessment).unwrap_or_default();
            if let Some(missing) = defs
                .iter()
                .find(|d| !assessed.iter().any(|a| a.key == d.key))
            {
                return Err(AppError::bad(
                    "incomplete",
                    format!("“{}”还没有自评：每颗星都要写明自评分和说明", missing.name),
                ));
            }
            exec(
                &tx,
                "UPDATE star_reviews SET stage = $1, return_note = '', updated_at = $2 WHERE id = $3",
                vec![to.as_str().into(), now_ms().into(), r.id.into()],
            )
            .await?;
            summary = format!("{org_name}提交 {} 年度五星支部自评", r.year);
        }
        "object" => {
            if stage != Stage::Public {
                return Err(AppError::bad("not_public", "只能对公示中的评定提出异议"));
            }
            star_objection::ActiveModel {
                review_id: Set(r.id),
                org_path: Set(r.org_path.clone()),
                body: Set(note.clone()),
                raised_by_id: Set(c.who.id),
                raised_by: Set(who.clone()),
                status: Set("open".into()),
                answer: Set(String::new()),
                answered_by: Set(String::new()),
                created_at: Set(now_ms()),
                ..Default::default()
            }
            .insert(&tx)
            .await?;
            summary = format!("对{org_name} {} 年度星级评定提出异议", r.year);
        }
        _ => {
            if !reviews(c, &street) {
                return Err(not_reviewer());
            }
            summary = review_step(&tx, c, &r, &set, &defs, stage, step, &input, &note, &who)
                .await
                .map(|s| format!("{org_name} {} 年度五星支部：{s}", r.year))?;
        }
    }
    audit::record(
        &tx,
        &c.who,
        Entry {
            org_path: &stored_path(&r.org_path)?,
            action: "update",
            entity: "star_review",
            entity_id: Some(r.id),
            summary,
            changes: json!({"step": step}),
        },
    )
    .await?;
    tx.commit().await?;
    one(st, c, id).await
}

/// The street's steps; answers what was done, for the audit.
#[allow(clippy::too_many_arguments)]
async fn review_step(
    tx: &impl ConnectionTrait,
    c: &Caller,
    r: &star_review::Model,
    set: &star_set::Model,
    defs: &[StarDef],
    stage: Stage,
    step: &str,
    input: &StepInput,
    note: &str,
    who: &str,
) -> AppResult<String> {
    let bad = |e: String| AppError::bad("bad_step", e);
    let day = today();
    match step {
        "withdraw" => {
            if stage != Stage::Awarded {
                return Err(AppError::bad("not_awarded", "只能摘除已授予的星"));
            }
            let awarded: Vec<String> = serde_json::from_str(&r.awarded).unwrap_or_default();
            let def = defs
                .iter()
                .find(|d| d.key == input.star && awarded.contains(&d.key))
                .ok_or_else(|| AppError::bad("not_held", "这颗星没有授予，无从摘除"))?;
            star_withdrawal::ActiveModel {
                review_id: Set(r.id),
                org_path: Set(r.org_path.clone()),
                star_key: Set(def.key.clone()),
                reason: Set(note.to_owned()),
                withdrawn_on: Set(day.to_string()),
                withdrawn_by: Set(who.to_owned()),
                created_at: Set(now_ms()),
                ..Default::default()
            }
            .insert(tx)
            .await?;
            return Ok(format!("摘除“{}”：{note}", def.name));
        }
        "score" => {
            let to = rules::next_stage(stage, step, set.two_level).map_err(bad)?;
            let mut points = Vec::new();
            for d in defs {
                let p = *input
                    .points
                    .get(&d.key)
                    .ok_or_else(|| AppError::bad("no_points", format!("请给“{}”评分", d.name)))?;
                if p > d.total() {
                    return Err(AppError::bad(
                        "bad_points",
                        format!("“{}”的评分应为 0 至 {} 分", d.name, d.total()),
                    ));
                }
                points.push((d.key.clone(), p));
            }
            let (awarded, not) = rules::award(defs, &points);
            let scores: Vec<Scored> = points
                .iter()
                .map(|(k, p)| Scored {
                    key: k.clone(),
                    points: *p,
                    why_not: not
                        .iter()
                        .find(|(n, _)| n == k)
                        .map(|(_, w)| w.clone())
                        .unwrap_or_default(),
                })
                .collect();
            exec(
                tx,
                "UPDATE star_reviews SET stage = $1, scores = $2, awarded = $3, score_note = $4, \
                 scored_by_id = $5, scored_by = $6, checked_by = '', updated_at = $7 WHERE id = $8",
                vec![
                    to.as_str().into(),
                    to_json(&scores)?.into(),
                    to_json(&awarded)?.into(),
                    note.to_owned().into(),
                    c.who.id.into(),
                    who.to_owned().into(),
                    now_ms().into(),
                    r.id.into(),
                ],
            )
            .await?;
            return Ok(format!("评分，拟授 {} 颗星", awarded.len()));
        }
        _ => {}
    }
    let to = rules::next_stage(stage, step, set.two_level).map_err(bad)?;
    let (sql, values, said): (&str, Vec<sea_orm::Value>, String) = match step {
        "return" => (
            "UPDATE star_reviews SET stage = $1, return_note = $2, updated_at = $3 WHERE id = $4",
            vec![
                to.as_str().into(),
                note.to_owned().into(),
                now_ms().into(),
                r.id.into(),
            ],
            format!("退回补充材料：{note}"),
        ),
        "check" => {
            if c.who.id.is_some() && c.who.id == r.scored_by_id {
                return Err(AppError::bad(
                    "same_reviewer",
                    "复核须由评分人以外的另一位评定人进行",
                ));
            }
            (
                "UPDATE star_reviews SET stage = $1, checked_by = $2, updated_at = $3 WHERE id = $4",
                vec![
                    to.as_str().into(),
                    who.to_owned().into(),
                    now_ms().into(),
                    r.id.into(),
                ],
                "复核评分".to_owned(),
            )
        }
        "publish" => (
            "UPDATE star_reviews SET stage = $1, public_from = $2, updated_at = $3 WHERE id = $4",
            vec![
                to.as_str().into(),
                day.to_string().into(),
                now_ms().into(),
                r.id.into(),
            ],
            format!("公示至 {}", rules::public_until(day)),
        ),
        "award" => {
            let from = r
                .public_from
                .as_deref()
                .and_then(|d| NaiveDate::parse_from_str(d, "%Y-%m-%d").ok())
                .ok_or_else(|| AppError::bad("not_public", "还没有公示"))?;
            let open = star_objection::Entity::find()
                .filter(star_objection::Column::ReviewId.eq(r.id))
                .filter(star_objection::Column::Status.eq("open"))
                .count(tx)
                .await?;
            rules::may_award(from, day, usize::try_from(open).unwrap_or(usize::MAX))
                .map_err(|e| AppError::bad("too_early", e))?;
            (
                "UPDATE star_reviews SET stage = $1, awarded_on = $2, updated_at = $3 WHERE id = $4",
                vec![
                    to.as_str().into(),
                    day.to_string().into(),
                    now_ms().into(),
                    r.id.into(),
                ],
                "公示期满，授星".to_owned(),
            )
        }
        _ => return Err(review_not_found()),
    };
    exec(tx, sql, values).await?;
    Ok(said)
}

/// A value as the JSON of a text column.
fn to_json<T: Serialize>(v: &T) -> AppResult<String> {
    serde_json::to_string(v).map_err(|e| AppError::Internal(e.into()))
}

/// What deciding an objection sends.
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(default)]
pub struct AnswerInput {
    /// 答复 (required).
    pub answer: String,
}

/// The street decides an objection: `uphold` (the review goes back to be scored again and its
/// 公示 ends) or `dismiss`.
pub async fn decide_objection(
    st: &Base,
    c: &Caller,
    id: i64,
    step: &str,
    input: AnswerInput,
) -> AppResult<ReviewDetail> {
    let answer = validate::text("答复", &input.answer, 500, Lines::Many, true)?;
    let status = match step {
        "uphold" => "upheld",
        "dismiss" => "dismissed",
        _ => return Err(AppError::NotFound("异议不存在".into())),
    };
    let o = star_objection::Entity::find_by_id(id)
        .filter(c.scope_cond("org_path"))
        .one(&st.db)
        .await?
        .ok_or_else(|| AppError::NotFound("异议不存在".into()))?;
    let tx = begin_write(&st.db).await?;
    let (r, set, _, street) = locked(&tx, c, o.review_id).await?;
    if !reviews(c, &street) {
        return Err(not_reviewer());
    }
    let o = star_objection::Entity::find_by_id(id)
        .one(&tx)
        .await?
        .ok_or_else(|| AppError::NotFound("异议不存在".into()))?;
    if o.status != "open" {
        return Err(AppError::bad("bad_step", "这条异议已经处理"));
    }
    let who = display_name(&tx, c).await?;
    exec(
        &tx,
        "UPDATE star_objections SET status = $1, answer = $2, answered_by = $3 WHERE id = $4",
        vec![
            status.into(),
            answer.clone().into(),
            who.into(),
            o.id.into(),
        ],
    )
    .await?;
    if status == "upheld" {
        let stage = Stage::parse(&r.stage).ok_or_else(review_not_found)?;
        let to = rules::next_stage(stage, "uphold", set.two_level)
            .map_err(|e| AppError::bad("bad_step", e))?;
        exec(
            &tx,
            "UPDATE star_reviews SET stage = $1, public_from = NULL, updated_at = $2 WHERE id = $3",
            vec![to.as_str().into(), now_ms().into(), r.id.into()],
        )
        .await?;
    }
    audit::record(
        &tx,
        &c.who,
        Entry {
            org_path: &stored_path(&r.org_path)?,
            action: "update",
            entity: "star_objection",
            entity_id: Some(o.id),
            summary: format!("{} 年度星级评定的异议：{}", r.year, objection_label(status)),
            changes: json!({"status": status}),
        },
    )
    .await?;
    tx.commit().await?;
    one(st, c, r.id).await
}

/// An evidence photo of a review the caller sees.
pub async fn photo(st: &Base, c: &Caller, id: i64, file: &str) -> AppResult<(String, Vec<u8>)> {
    let r = find(&st.db, c, id).await?;
    let assessed: Vec<Assessed> = serde_json::from_str(&r.assessment).unwrap_or_default();
    if !assessed.iter().any(|a| a.files.iter().any(|f| f == file)) {
        return Err(AppError::NotFound("文件不存在".into()));
    }
    crate::infra::files::read(&st.config.data_dir, file).await
}

// ---------------------------------------------------------------------------------------------
// Figures and the public history

/// The figures of a list of reviews (the page's header; recounted from the rows in the tests):
/// branches under review, branches awarded, stars awarded, stars held now, stars withdrawn.
#[derive(Clone, Debug, Default, Serialize, utoipa::ToSchema)]
pub struct Tally {
    pub reviews: usize,
    pub awarded_branches: usize,
    pub stars_awarded: usize,
    pub stars_held: usize,
    pub stars_withdrawn: usize,
    /// Branches holding every star of their set.
    pub five_star: usize,
}

/// The figures of reviews (see [`Tally`]).
pub fn tally(list: &[ReviewView]) -> Tally {
    let awarded: Vec<&ReviewView> = list.iter().filter(|r| r.stage == "awarded").collect();
    Tally {
        reviews: list.len(),
        awarded_branches: awarded.len(),
        stars_awarded: awarded.iter().map(|r| r.awarded_count).sum(),
        stars_held: awarded.iter().map(|r| r.held_count).sum(),
        stars_withdrawn: awarded
            .iter()
            .map(|r| r.stars.iter().filter(|s| s.withdrawn.is_some()).count())
            .sum(),
        five_star: awarded
            .iter()
            .filter(|r| !r.stars.is_empty() && r.held_count == r.stars.len())
            .count(),
    }
}

/// What the list of a year answers (`GET /api/v1/party/stars?year=`).
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct YearView {
    pub year: i32,
    pub sets: Vec<SetView>,
    pub reviews: Vec<ReviewView>,
    pub tally: Tally,
}

/// The year's sets, reviews and figures in the caller's sight.
pub async fn year(st: &Base, c: &Caller, year: i32) -> AppResult<YearView> {
    let reviews = list(st, c, year).await?;
    Ok(YearView {
        year,
        sets: sets(st, c, year).await?,
        tally: tally(&reviews),
        reviews,
    })
}

/// One branch's result as the public sees it: the branch, its place, the stars held and those
/// withdrawn with the reason; during 公示 the stars proposed.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct PublicResult {
    pub branch: String,
    pub place: String,
    pub year: i32,
    /// 公示中, 已授星, or 已评定 (no star awarded).
    pub stage_label: &'static str,
    pub public_until: Option<String>,
    pub awarded_on: Option<String>,
    /// During 公示: the stars proposed; after the award: those held now.
    pub stars: Vec<String>,
    /// 摘星: the star, the day and the reason.
    pub withdrawn: Vec<String>,
}

/// The published results of a year (公示中 and 已授星) of every street, by place.
pub async fn public(db: &impl ConnectionTrait, year: i32) -> AppResult<Vec<PublicResult>> {
    let rows = star_review::Entity::find()
        .filter(star_review::Column::Year.eq(year))
        .filter(star_review::Column::Stage.is_in([Stage::Public.as_str(), Stage::Awarded.as_str()]))
        .order_by_asc(star_review::Column::OrgPath)
        .order_by_asc(star_review::Column::Id)
        .limit(500)
        .all(db)
        .await?;
    let l = load(db, &rows).await?;
    Ok(rows
        .into_iter()
        .filter_map(|r| {
            let proposed: Vec<String> = serde_json::from_str(&r.awarded).unwrap_or_default();
            let v = view(None, &l, r)?;
            let public = v.stage == Stage::Public.as_str();
            let stars: Vec<String> = v
                .stars
                .iter()
                .filter(|s| {
                    if public {
                        proposed.contains(&s.key)
                    } else {
                        s.held
                    }
                })
                .map(|s| s.name.clone())
                .collect();
            Some(PublicResult {
                stage_label: match (public, v.awarded_count) {
                    (true, _) => "公示中",
                    (false, 0) => "已评定",
                    (false, _) => "已授星",
                },
                stars,
                withdrawn: v
                    .stars
                    .iter()
                    .filter_map(|s| s.withdrawn.as_ref().map(|w| format!("{}（{w}）", s.name)))
                    .collect(),
                branch: v.branch,
                place: v.place,
                year: v.year,
                public_until: v.public_until,
                awarded_on: v.awarded_on,
            })
        })
        .collect())
}
