//! Members: each a resident of the registry (the resident record is the one identity), on the
//! pipeline from application to full membership, in one branch at a time, with their party
//! fields, posts, standing and history. Every list and detail is within the caller's subtree
//! (the branch's place); party data is shown only to the roles that need it
//! ([`Permission::PartyMemberView`]), and every view of a member's record is audited.
//! The rules are the core's (`wangge_core::party::member`).

use super::entity::{party_member, party_member_step, party_org};
use crate::infra::audit::{self, Entry};
use crate::infra::clock::{now_ms, today};
use crate::infra::db::{begin_write, exec, lock_row};
use crate::infra::error::{AppError, AppResult, stored_path};
use crate::people::entity::resident;
use crate::web::{Base, Caller};
use chrono::NaiveDate;
use sea_orm::sea_query::Query;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter,
    QueryOrder, QuerySelect, Set,
};
use serde::{Deserialize, Serialize};
use serde_json::json;
use std::collections::HashMap;
use wangge_core::Permission;
use wangge_core::party::PartyKind;
use wangge_core::party::member::{
    self as rules, Counts, Post, Record, Stage, Step, StepInput, StepOutcome,
};
use wangge_core::validate::{self, Lines, Paging};

fn not_found() -> AppError {
    AppError::NotFound("党员档案不存在".into())
}

/// Dates are stored as `YYYY-MM-DD`.
pub(crate) fn date_of(s: &str) -> Option<NaiveDate> {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").ok()
}

/// A required past date.
pub(crate) fn required_date(what: &str, raw: &str) -> AppResult<NaiveDate> {
    validate::past_date(what, raw, today())?
        .ok_or_else(|| AppError::bad("invalid_input", format!("请填写{what}")))
}

/// What a form or the API sends to register a member (or an applicant).
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct MemberInput {
    /// The resident (from the registry).
    pub resident_id: Option<i64>,
    /// The branch.
    pub party_org_id: Option<i64>,
    /// The 党小组 in the branch, if any.
    pub group_id: Option<i64>,
    /// 入党申请人 / 入党积极分子 / 发展对象 / 预备党员 / 正式党员 (identifier or Chinese).
    pub stage: String,
    /// 递交入党申请日期.
    pub applied_on: String,
    /// 入党日期 (for 预备 and 正式).
    pub joined_on: String,
    /// 转正日期 (for 正式).
    pub full_on: String,
    /// 入党介绍人.
    pub introducers: String,
    /// 党内职务.
    pub post: String,
    pub work_unit: String,
    /// 特长 (法律、医疗、水电维修…), separated by 、.
    pub skills: String,
    /// 学历.
    pub education: String,
    /// 是否农民工.
    pub migrant_worker: bool,
    /// The member's account, when they have one.
    pub user_id: Option<i64>,
    /// 组织关系转入: the 介绍信 number, when the member comes from elsewhere.
    pub letter_no: String,
    /// 组织关系转入: where from.
    pub from_org: String,
}

/// What an edit of a member's party fields sends (version-checked). A field left out keeps
/// its value; `group_id` and `user_id` may be sent as `null` to clear them.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct FieldsInput {
    #[serde(deserialize_with = "present")]
    pub group_id: Option<Option<i64>>,
    pub introducers: Option<String>,
    pub post: Option<String>,
    pub work_unit: Option<String>,
    /// 特长, separated by 、.
    pub skills: Option<String>,
    pub education: Option<String>,
    pub migrant_worker: Option<bool>,
    /// 正常 / 停止 (党籍状态).
    pub standing: Option<String>,
    /// 失联: since when (empty: not lost).
    pub lost_on: Option<String>,
    /// 失联: the circumstances.
    pub lost_note: Option<String>,
    /// 流动党员: where they went (外出流向).
    pub flow_out: Option<String>,
    /// 流动党员: the organization they joined there (流入党组织).
    pub flow_in_org: Option<String>,
    /// 出国(境)暂留: where and why.
    pub abroad: Option<String>,
    #[serde(deserialize_with = "present")]
    pub user_id: Option<Option<i64>>,
    pub version: Option<i32>,
}

/// A field that is present (perhaps `null`): `Some(value)`; absent fields stay `None`.
fn present<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<Option<i64>>, D::Error> {
    Ok(Some(Option::deserialize(d)?))
}

/// Every field of an edit, the ones left out taken from the record.
struct Fields {
    group_id: Option<i64>,
    introducers: String,
    post: String,
    work_unit: String,
    skills: String,
    education: String,
    migrant_worker: bool,
    standing: String,
    lost_on: String,
    lost_note: String,
    flow_out: String,
    flow_in_org: String,
    abroad: String,
    user_id: Option<i64>,
}

impl FieldsInput {
    fn over(self, m: &party_member::Model) -> Fields {
        Fields {
            group_id: self.group_id.unwrap_or(m.group_id),
            introducers: self.introducers.unwrap_or_else(|| m.introducers.clone()),
            post: self
                .post
                .unwrap_or_else(|| m.post.clone().unwrap_or_default()),
            work_unit: self.work_unit.unwrap_or_else(|| m.work_unit.clone()),
            skills: self.skills.unwrap_or_else(|| m.skills.clone()),
            education: self.education.unwrap_or_else(|| m.education.clone()),
            migrant_worker: self.migrant_worker.unwrap_or(m.migrant_worker),
            standing: self.standing.unwrap_or_else(|| m.standing.clone()),
            lost_on: self
                .lost_on
                .unwrap_or_else(|| m.lost_on.clone().unwrap_or_default()),
            lost_note: self.lost_note.unwrap_or_else(|| m.lost_note.clone()),
            flow_out: self.flow_out.unwrap_or_else(|| m.flow_out.clone()),
            flow_in_org: self.flow_in_org.unwrap_or_else(|| m.flow_in_org.clone()),
            abroad: self.abroad.unwrap_or_else(|| m.abroad.clone()),
            user_id: self.user_id.unwrap_or(m.user_id),
        }
    }
}

/// A step on the pipeline.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct StepBody {
    /// `advance`, `return`, `refuse`, `extend`.
    pub step: String,
    pub on: String,
    pub approved_by: String,
    pub reason: String,
    /// For an extension: 6–12.
    pub months: u32,
    pub version: Option<i32>,
}

/// A transfer (组织关系转接): to another branch in the system, or out of it.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct TransferInput {
    /// The receiving branch, when in the system.
    pub to_org_id: Option<i64>,
    /// Where to, when out of the system (转出到系统外).
    pub to_outside: String,
    /// 介绍信编号.
    pub letter_no: String,
    pub on: String,
    pub version: Option<i32>,
}

/// A member as lists show them: the resident's name with the ID number masked.
#[derive(Clone, Debug, Serialize)]
pub struct MemberView {
    pub id: i64,
    pub resident_id: i64,
    pub name: String,
    pub gender: &'static str,
    pub age: i32,
    /// `330102********1234`.
    pub id_number: String,
    pub party_org_id: i64,
    pub party_org_name: String,
    pub group_id: Option<i64>,
    pub stage: String,
    pub stage_label: &'static str,
    pub since: String,
    pub applied_on: String,
    pub joined_on: Option<String>,
    pub full_on: Option<String>,
    pub extended_months: i32,
    pub introducers: String,
    pub post: Option<String>,
    pub post_label: &'static str,
    /// `normal` / `suspended`.
    pub standing: String,
    pub standing_label: &'static str,
    pub lost_on: Option<String>,
    pub lost_note: String,
    pub flow_out: String,
    pub flow_in_org: String,
    pub abroad: String,
    pub work_unit: String,
    /// 特长.
    pub skills: Vec<String>,
    pub education: String,
    pub migrant_worker: bool,
    pub user_id: Option<i64>,
    /// `active`, `ended` (不予发展 / 取消预备资格), `transferred_out`.
    pub status: String,
    pub status_label: &'static str,
    /// For a 预备党员: where the probation stands, in words, and whether it reminds.
    pub probation: Option<String>,
    pub probation_due: bool,
    pub version: i32,
}

/// A step of a member's history.
#[derive(Clone, Debug, Serialize)]
pub struct StepView {
    pub kind: String,
    pub kind_label: &'static str,
    pub from_value: String,
    pub to_value: String,
    pub on_date: String,
    pub approved_by: String,
    pub reason: String,
    pub letter_no: String,
    pub actor_name: String,
}

/// A member's record with its history.
#[derive(Clone, Debug, Serialize)]
pub struct MemberDetail {
    #[serde(flatten)]
    pub member: MemberView,
    pub history: Vec<StepView>,
    /// What they did for people this year.
    pub service: ServiceRecord,
}

/// What a member did for the people around them in a year — outcomes only: the 红色代办
/// errands they finished that the resident confirmed (`errands::done_by`), and the in-service
/// hours the community where they live confirmed (`serving::confirmed_tenths`).
#[derive(Clone, Debug, Serialize)]
pub struct ServiceRecord {
    pub year: i32,
    pub errands_done: i64,
    /// Hours, as shown ("10.5"); empty when they are not registered as an in-service member.
    pub service_hours: String,
}

async fn service_record(st: &Base, m: &party_member::Model) -> AppResult<ServiceRecord> {
    let year = chrono::Datelike::year(&today());
    let errands_done = match m.user_id {
        Some(u) => super::errands::done_by(&st.db, &[u], year)
            .await?
            .get(&u)
            .copied()
            .unwrap_or(0),
        None => 0,
    };
    let reg = super::entity::party_registration::Entity::find()
        .filter(super::entity::party_registration::Column::ResidentId.eq(m.resident_id))
        .filter(super::entity::party_registration::Column::Status.eq("active"))
        .one(&st.db)
        .await?;
    let service_hours = match reg {
        Some(r) => wangge_core::party::serve::hours_label(
            super::serving::confirmed_tenths(&st.db, &[r.id], year)
                .await?
                .get(&r.id)
                .copied()
                .unwrap_or(0),
        ),
        None => String::new(),
    };
    Ok(ServiceRecord {
        year,
        errands_done,
        service_hours,
    })
}

fn status_label(s: &str) -> &'static str {
    match s {
        "active" => "在册",
        "ended" => "已终止",
        "transferred_out" => "已转出",
        _ => "",
    }
}

fn standing_label(s: &str) -> &'static str {
    match s {
        "suspended" => "停止党籍",
        _ => "正常",
    }
}

fn step_label(kind: &str) -> &'static str {
    match kind {
        "apply" => "递交入党申请",
        "register" => "登记",
        "advance" => "进入下一阶段",
        "return" => "退回",
        "refuse" => "终止",
        "extend" => "延长预备期",
        "transfer_in" => "组织关系转入",
        "transfer" => "组织关系转接",
        "transfer_out" => "组织关系转出",
        "standing" => "党籍状态",
        "lost" => "失联",
        "found" => "恢复联系",
        "post" => "党内职务",
        "elected" => "当选",
        "merge" => "组织合并",
        "split" => "组织分设",
        _ => "",
    }
}

/// The view of a row, with its resident and its branch's name.
fn view(
    st: &Base,
    m: &party_member::Model,
    r: Option<&resident::Model>,
    org_name: String,
) -> MemberView {
    use wangge_core::people::Gender;
    let day = today();
    let stage = Stage::parse(&m.stage).unwrap_or(Stage::Applicant);
    let probation = (stage == Stage::Probationary && m.status == "active")
        .then(|| m.joined_on.as_deref().and_then(date_of))
        .flatten()
        .map(|j| rules::probation(j, u32::try_from(m.extended_months).unwrap_or(0), day));
    let post = m.post.as_deref().and_then(Post::parse);
    MemberView {
        id: m.id,
        resident_id: m.resident_id,
        name: r.map(|r| r.name.clone()).unwrap_or_default(),
        gender: r
            .and_then(|r| Gender::parse(&r.gender))
            .map_or("", Gender::label),
        age: r
            .and_then(|r| date_of(&r.birth_date))
            .map_or(0, |b| wangge_core::people::age_on(b, day)),
        id_number: r
            .map(|r| st.vault.masked_id(&r.id_sealed))
            .unwrap_or_default(),
        party_org_id: m.party_org_id,
        party_org_name: org_name,
        group_id: m.group_id,
        stage: stage.as_str().to_owned(),
        stage_label: stage.label(),
        since: m.since.clone(),
        applied_on: m.applied_on.clone(),
        joined_on: m.joined_on.clone(),
        full_on: m.full_on.clone(),
        extended_months: m.extended_months,
        introducers: m.introducers.clone(),
        post: post.map(|p| p.as_str().to_owned()),
        post_label: post.map_or("", Post::label),
        standing: m.standing.clone(),
        standing_label: standing_label(&m.standing),
        lost_on: m.lost_on.clone(),
        lost_note: m.lost_note.clone(),
        flow_out: m.flow_out.clone(),
        flow_in_org: m.flow_in_org.clone(),
        abroad: m.abroad.clone(),
        work_unit: m.work_unit.clone(),
        skills: m
            .skills
            .split('、')
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
            .collect(),
        education: m.education.clone(),
        migrant_worker: m.migrant_worker,
        user_id: m.user_id,
        status: m.status.clone(),
        status_label: status_label(&m.status),
        probation: probation.map(|p| p.label()),
        probation_due: probation.is_some_and(|p| p.reminds()),
        version: m.version,
    }
}

/// Views of rows: their residents and branches read in two queries.
pub async fn views(st: &Base, rows: &[party_member::Model]) -> AppResult<Vec<MemberView>> {
    let rids: Vec<i64> = rows.iter().map(|m| m.resident_id).collect();
    let oids: Vec<i64> = rows.iter().map(|m| m.party_org_id).collect();
    let mut residents: HashMap<i64, resident::Model> = HashMap::new();
    for chunk in rids.chunks(500) {
        residents.extend(
            resident::Entity::find()
                .filter(resident::Column::Id.is_in(chunk.to_vec()))
                .all(&st.db)
                .await?
                .into_iter()
                .map(|r| (r.id, r)),
        );
    }
    let mut orgs: HashMap<i64, String> = HashMap::new();
    for chunk in oids.chunks(500) {
        orgs.extend(
            party_org::Entity::find()
                .filter(party_org::Column::Id.is_in(chunk.to_vec()))
                .all(&st.db)
                .await?
                .into_iter()
                .map(|o| (o.id, o.name)),
        );
    }
    Ok(rows
        .iter()
        .map(|m| {
            view(
                st,
                m,
                residents.get(&m.resident_id),
                orgs.get(&m.party_org_id).cloned().unwrap_or_default(),
            )
        })
        .collect())
}

/// The filter of the member list.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct Filter {
    /// A party organization: its members and those of the organizations under it.
    pub org: Option<i64>,
    /// A name (or part of one).
    pub q: String,
    /// A stage (`full`, `probationary`, …; `members` for both).
    pub category: String,
    /// `normal`, `suspended`, `lost`, `flowing`, `abroad`, `probation_due`.
    pub status: String,
    /// A skill (特长) the member lists, or part of one: who can help with law, medicine …
    pub skill: String,
    pub page: Option<u64>,
    pub per_page: Option<u64>,
}

/// A page of members.
#[derive(Debug, Serialize)]
pub struct Page {
    pub items: Vec<MemberView>,
    pub total: u64,
    pub page: u64,
    pub per_page: u64,
}

/// Whether the caller works with members' records (a branch secretary, the street's party
/// staff): sees them and manages them.
pub(crate) fn manages_members(c: &Caller) -> bool {
    c.require(Permission::PartyManage).is_ok() && c.require(Permission::PartyMemberView).is_ok()
}

/// The caller may see party data.
pub(crate) fn require_view(c: &Caller) -> AppResult<()> {
    c.require(Permission::PartyView)?;
    c.require(Permission::PartyMemberView)
}

/// The active members and applicants in the caller's subtree matching the filter, by branch
/// and name.
pub async fn list(st: &Base, c: &Caller, f: &Filter) -> AppResult<Page> {
    require_view(c)?;
    let paging = Paging::new(f.page, f.per_page, 50)?;
    let mut q = party_member::Entity::find()
        .filter(c.scope_cond("org_path"))
        .filter(party_member::Column::Status.eq("active"));
    if let Some(o) = f.org {
        let org = super::service::find(&st.db, c, o).await?;
        let under = Query::select()
            .column(party_org::Column::Id)
            .from(party_org::Entity)
            .and_where(crate::infra::db::subtree(
                (party_org::Entity, party_org::Column::OrgPath),
                &stored_path(&org.org_path)?,
            ))
            .to_owned();
        q = q.filter(
            sea_orm::Condition::any()
                .add(party_member::Column::PartyOrgId.eq(org.id))
                .add(party_member::Column::GroupId.eq(org.id))
                .add(party_member::Column::PartyOrgId.in_subquery(under)),
        );
    }
    let name = f.q.trim();
    if !name.is_empty() {
        let named = Query::select()
            .column(resident::Column::Id)
            .from(resident::Entity)
            .and_where(resident::Column::Name.contains(name))
            .to_owned();
        q = q.filter(party_member::Column::ResidentId.in_subquery(named));
    }
    let skill = f.skill.trim();
    if !skill.is_empty() {
        q = q.filter(party_member::Column::Skills.contains(skill));
    }
    match f.category.trim() {
        "" => {}
        "members" => {
            q = q.filter(party_member::Column::Stage.is_in(["probationary", "full"]));
        }
        s => {
            let stage = Stage::parse(s)
                .ok_or_else(|| AppError::bad("bad_stage", format!("没有“{s}”这个人员类别")))?;
            q = q.filter(party_member::Column::Stage.eq(stage.as_str()));
        }
    }
    match f.status.trim() {
        "" => {}
        "normal" | "suspended" => {
            q = q.filter(party_member::Column::Standing.eq(f.status.trim()));
        }
        "lost" => q = q.filter(party_member::Column::LostOn.is_not_null()),
        "flowing" => q = q.filter(party_member::Column::FlowOut.ne("")),
        "abroad" => q = q.filter(party_member::Column::Abroad.ne("")),
        "probation_due" => {
            // Joined a year (less a month) ago or earlier: the view says which are due.
            let cutoff = today()
                .checked_sub_months(chrono::Months::new(11))
                .unwrap_or_else(today)
                .to_string();
            q = q
                .filter(party_member::Column::Stage.eq("probationary"))
                .filter(party_member::Column::JoinedOn.lte(cutoff));
        }
        s => {
            return Err(AppError::bad(
                "bad_status",
                format!(
                    "没有“{s}”这个状态：可选 normal、suspended、lost、flowing、abroad、probation_due"
                ),
            ));
        }
    }
    let total = q.clone().count(&st.db).await?;
    let rows = q
        .order_by_asc(party_member::Column::OrgPath)
        .order_by_asc(party_member::Column::PartyOrgId)
        .order_by_asc(party_member::Column::Id)
        .offset(paging.offset())
        .limit(paging.per_page)
        .all(&st.db)
        .await?;
    Ok(Page {
        items: views(st, &rows).await?,
        total,
        page: paging.page,
        per_page: paging.per_page,
    })
}

/// One member record in the caller's subtree (ended and transferred ones too).
pub async fn find(
    db: &impl ConnectionTrait,
    c: &Caller,
    id: i64,
) -> AppResult<party_member::Model> {
    require_view(c)?;
    party_member::Entity::find_by_id(id)
        .filter(c.scope_cond("org_path"))
        .one(db)
        .await?
        .ok_or_else(not_found)
}

/// The history of a member, oldest first.
async fn history(db: &impl ConnectionTrait, id: i64) -> AppResult<Vec<StepView>> {
    Ok(party_member_step::Entity::find()
        .filter(party_member_step::Column::MemberId.eq(id))
        .order_by_asc(party_member_step::Column::Id)
        .all(db)
        .await?
        .into_iter()
        .map(|s| StepView {
            kind_label: step_label(&s.kind),
            kind: s.kind,
            from_value: s.from_value,
            to_value: s.to_value,
            on_date: s.on_date,
            approved_by: s.approved_by,
            reason: s.reason,
            letter_no: s.letter_no,
            actor_name: s.actor_name,
        })
        .collect())
}

/// A member's record with its history; the view is audited (as a full ID view is), since it
/// shows the member's standing, 失联 and history.
pub async fn detail(st: &Base, c: &Caller, id: i64) -> AppResult<MemberDetail> {
    let d = answer(st, c, id).await?;
    audit::record(
        &st.db,
        &c.who,
        Entry {
            org_path: &stored_path(&d.member_path)?,
            action: "view",
            entity: "party_member",
            entity_id: Some(d.detail.member.id),
            summary: format!("查看党员档案：{}", d.detail.member.name),
            changes: json!({}),
        },
    )
    .await?;
    Ok(d.detail)
}

/// A record read back as the answer to the caller's own write (the write is audited; the
/// answer is not a second, "view", entry).
pub async fn written_back(st: &Base, c: &Caller, id: i64) -> AppResult<MemberDetail> {
    Ok(answer(st, c, id).await?.detail)
}

struct Answer {
    detail: MemberDetail,
    member_path: String,
}

async fn answer(st: &Base, c: &Caller, id: i64) -> AppResult<Answer> {
    let m = find(&st.db, c, id).await?;
    let member = views(st, std::slice::from_ref(&m))
        .await?
        .pop()
        .ok_or_else(not_found)?;
    Ok(Answer {
        detail: MemberDetail {
            history: history(&st.db, m.id).await?,
            service: service_record(st, &m).await?,
            member,
        },
        member_path: m.org_path,
    })
}

/// The member record of the calling account, if it has one (a member's own page).
pub async fn mine(st: &Base, c: &Caller) -> AppResult<Option<MemberView>> {
    let Some(uid) = c.who.id else {
        return Ok(None);
    };
    let row = party_member::Entity::find()
        .filter(party_member::Column::UserId.eq(uid))
        .filter(party_member::Column::Status.eq("active"))
        .one(&st.db)
        .await?;
    match row {
        Some(m) => Ok(views(st, &[m]).await?.pop()),
        None => Ok(None),
    }
}

/// A branch in the caller's subtree that members may belong to.
async fn branch(db: &impl ConnectionTrait, c: &Caller, id: i64) -> AppResult<party_org::Model> {
    let o = super::service::find(db, c, id).await?;
    if o.status != "active" {
        return Err(AppError::bad("dissolved", "该党组织已撤销"));
    }
    if PartyKind::parse(&o.kind) != Some(PartyKind::Branch) {
        return Err(AppError::bad(
            "not_a_branch",
            format!("“{}”不是党支部：党员的组织关系在党支部", o.name),
        ));
    }
    Ok(o)
}

/// A 党小组 of the branch (or none).
async fn group_of(
    db: &impl ConnectionTrait,
    c: &Caller,
    branch: &party_org::Model,
    id: Option<i64>,
) -> AppResult<Option<i64>> {
    let Some(g) = id else { return Ok(None) };
    let g = super::service::find(db, c, g).await?;
    if g.parent_id != Some(branch.id) || g.status != "active" {
        return Err(AppError::bad(
            "bad_group",
            format!("“{}”不是“{}”的党小组", g.name, branch.name),
        ));
    }
    Ok(Some(g.id))
}

/// The counts of a branch by which its shape is judged.
pub async fn counts(db: &impl ConnectionTrait, branch_id: i64) -> AppResult<Counts> {
    Ok(counts_of(db, &[branch_id])
        .await?
        .remove(&branch_id)
        .unwrap_or_default())
}

/// The counts of many branches, read in one query per 400 of them.
pub async fn counts_of(
    db: &impl ConnectionTrait,
    branch_ids: &[i64],
) -> AppResult<HashMap<i64, Counts>> {
    let mut out: HashMap<i64, Counts> = HashMap::new();
    for chunk in branch_ids.chunks(400) {
        let rows: Vec<(i64, String, Option<String>)> = party_member::Entity::find()
            .select_only()
            .column(party_member::Column::PartyOrgId)
            .column(party_member::Column::Stage)
            .column(party_member::Column::Post)
            .filter(party_member::Column::PartyOrgId.is_in(chunk.to_vec()))
            .filter(party_member::Column::Status.eq("active"))
            .into_tuple()
            .all(db)
            .await?;
        for (org, stage, post) in rows {
            let c = out.entry(org).or_default();
            match Stage::parse(&stage) {
                Some(Stage::Full) => c.full += 1,
                Some(Stage::Probationary) => c.probationary += 1,
                _ => {}
            }
            if post
                .as_deref()
                .and_then(Post::parse)
                .is_some_and(Post::on_committee)
            {
                c.committee += 1;
            }
        }
    }
    Ok(out)
}

/// Checks giving a post to a member (not counting the member's own current post); the
/// branch's row is locked by the caller so that two posts given at once are counted in turn.
async fn check_post(
    db: &impl ConnectionTrait,
    branch_id: i64,
    member: Option<&party_member::Model>,
    post: Post,
    stage: Stage,
) -> AppResult<()> {
    if !stage.is_member() {
        return Err(AppError::bad(
            "bad_post",
            format!("{}不是党员，不能担任党内职务", stage.label()),
        ));
    }
    let mut counts = counts(db, branch_id).await?;
    if let Some(m) = member
        && m.post
            .as_deref()
            .and_then(Post::parse)
            .is_some_and(Post::on_committee)
    {
        counts.committee = counts.committee.saturating_sub(1);
    }
    let holders = if post == Post::Secretary {
        party_member::Entity::find()
            .filter(party_member::Column::PartyOrgId.eq(branch_id))
            .filter(party_member::Column::Status.eq("active"))
            .filter(party_member::Column::Post.eq("secretary"))
            .filter(party_member::Column::Id.ne(member.map_or(0, |m| m.id)))
            .count(db)
            .await?
    } else {
        0
    };
    rules::check_post(
        post,
        counts.full,
        counts.committee,
        u32::try_from(holders).unwrap_or(u32::MAX),
    )
    .map_err(|e| AppError::bad("bad_post", e))
}

fn post_of(raw: &str) -> AppResult<Option<Post>> {
    match raw.trim() {
        "" => Ok(None),
        s => Post::parse(s).map(Some).ok_or_else(|| {
            AppError::bad(
                "bad_post",
                format!(
                    "没有“{s}”这个职务：可选 书记、副书记、组织委员、宣传委员、纪检委员、党小组组长"
                ),
            )
        }),
    }
}

/// An account the member may be linked to: in the caller's subtree.
async fn account(db: &impl ConnectionTrait, c: &Caller, id: Option<i64>) -> AppResult<()> {
    if let Some(u) = id {
        let found = crate::users::entity::Entity::find_by_id(u)
            .filter(c.scope_cond("org_path"))
            .one(db)
            .await?;
        if found.is_none() {
            return Err(AppError::bad(
                "bad_account",
                "所选账号不存在或不在您的管辖范围内",
            ));
        }
    }
    Ok(())
}

/// Writes a step of history.
#[allow(clippy::too_many_arguments)]
pub(crate) async fn record_step(
    db: &impl ConnectionTrait,
    c: &Caller,
    m: &party_member::Model,
    kind: &str,
    from: &str,
    to: &str,
    on: &str,
    approved_by: &str,
    reason: &str,
    letter_no: &str,
) -> AppResult<()> {
    party_member_step::ActiveModel {
        member_id: Set(m.id),
        org_path: Set(m.org_path.clone()),
        kind: Set(kind.into()),
        from_value: Set(from.into()),
        to_value: Set(to.into()),
        on_date: Set(on.into()),
        approved_by: Set(approved_by.into()),
        reason: Set(reason.into()),
        letter_no: Set(letter_no.into()),
        actor_name: Set(c.who.name.clone()),
        at: Set(now_ms()),
        ..Default::default()
    }
    .insert(db)
    .await?;
    Ok(())
}

fn short(what: &str, raw: &str, max: usize) -> AppResult<String> {
    Ok(validate::text(what, raw, max, Lines::One, false)?)
}

/// Registers a resident as an applicant or member of a branch in the caller's subtree. A
/// second active record for the same resident is refused by the database.
pub async fn create(st: &Base, c: &Caller, input: MemberInput) -> AppResult<party_member::Model> {
    require_view(c)?;
    c.require(Permission::PartyManage)?;
    let stage = Stage::parse(&input.stage).ok_or_else(|| {
        AppError::bad(
            "bad_stage",
            "请选择人员类别：入党申请人、入党积极分子、发展对象、预备党员或正式党员",
        )
    })?;
    let applied = required_date("入党申请日期", &input.applied_on)?;
    let joined = validate::past_date("入党日期", &input.joined_on, today())?;
    let full = validate::past_date("转正日期", &input.full_on, today())?;
    let joined = match (stage.is_member(), joined) {
        (true, None) => {
            return Err(AppError::bad(
                "invalid_input",
                "预备党员和正式党员须填写入党日期",
            ));
        }
        (true, Some(j)) if j < applied => {
            return Err(AppError::bad("bad_date", "入党日期不能早于入党申请日期"));
        }
        (false, Some(_)) => {
            return Err(AppError::bad(
                "bad_date",
                format!("{}尚未入党，不填入党日期", stage.label()),
            ));
        }
        (_, j) => j,
    };
    let full = match (stage, full, joined) {
        (Stage::Full, None, _) => {
            return Err(AppError::bad("invalid_input", "正式党员须填写转正日期"));
        }
        (Stage::Full, Some(f), Some(j)) if f < rules::full_due(j, 0) => {
            return Err(AppError::bad(
                "bad_date",
                format!("预备期一年：转正日期不能早于 {}", rules::full_due(j, 0)),
            ));
        }
        (Stage::Full, f, _) => f,
        (_, Some(_), _) => {
            return Err(AppError::bad(
                "bad_date",
                format!("{}尚未转正，不填转正日期", stage.label()),
            ));
        }
        (_, None, _) => None,
    };
    let post = post_of(&input.post)?;
    let introducers = short("入党介绍人", &input.introducers, 80)?;
    let work_unit = short("工作单位", &input.work_unit, 100)?;
    let skills = wangge_core::party::member::skills(&input.skills)
        .map_err(|e| AppError::bad("bad_skills", e))?
        .join("、");
    let education = short("学历", &input.education, 20)?;
    let letter_no = short("介绍信编号", &input.letter_no, 40)?;
    let from_org = short("转出党组织", &input.from_org, 100)?;
    if !letter_no.is_empty() && !stage.is_member() {
        return Err(AppError::bad(
            "invalid_input",
            "组织关系转入只适用于预备党员和正式党员",
        ));
    }
    let rid = input
        .resident_id
        .ok_or_else(|| AppError::bad("not_resident", "请选择居民：党员须先在人口登记中登记"))?;
    let oid = input
        .party_org_id
        .ok_or_else(|| AppError::bad("invalid_input", "请选择党支部"))?;
    let tx = begin_write(&st.db).await?;
    lock_row(&tx, "party_orgs", oid).await?;
    let org = branch(&tx, c, oid).await?;
    // The resident must be one the caller sees, and living: a member is a resident of the
    // registry. Someone outside the caller's subtree is told the same as no one.
    let r = resident::Entity::find_by_id(rid)
        .filter(c.scope_cond("org_path"))
        .one(&tx)
        .await?
        .filter(|r| r.status == "active")
        .ok_or_else(|| {
            AppError::bad(
                "not_resident",
                "找不到这位居民（或已迁出、已故）：党员须是人口登记中的居民",
            )
        })?;
    let group_id = group_of(&tx, c, &org, input.group_id).await?;
    account(&tx, c, input.user_id).await?;
    if let Some(p) = post {
        check_post(&tx, org.id, None, p, stage).await?;
    }
    let since = full.or(joined).unwrap_or(applied);
    let now = now_ms();
    let row = party_member::ActiveModel {
        resident_id: Set(r.id),
        user_id: Set(input.user_id),
        party_org_id: Set(org.id),
        group_id: Set(group_id),
        org_path: Set(org.org_path.clone()),
        stage: Set(stage.as_str().into()),
        since: Set(since.to_string()),
        applied_on: Set(applied.to_string()),
        joined_on: Set(joined.map(|d| d.to_string())),
        full_on: Set(full.map(|d| d.to_string())),
        extended_months: Set(0),
        introducers: Set(introducers),
        post: Set(post.map(|p| p.as_str().to_owned())),
        standing: Set("normal".into()),
        lost_on: Set(None),
        lost_note: Set(String::new()),
        flow_out: Set(String::new()),
        flow_in_org: Set(String::new()),
        abroad: Set(String::new()),
        work_unit: Set(work_unit),
        skills: Set(skills),
        education: Set(education),
        migrant_worker: Set(input.migrant_worker),
        status: Set("active".into()),
        version: Set(1),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    }
    .insert(&tx)
    .await?;
    if letter_no.is_empty() {
        let kind = if stage == Stage::Applicant {
            "apply"
        } else {
            "register"
        };
        record_step(
            &tx,
            c,
            &row,
            kind,
            "",
            stage.label(),
            &since.to_string(),
            "",
            "",
            "",
        )
        .await?;
    } else {
        record_step(
            &tx,
            c,
            &row,
            "transfer_in",
            &from_org,
            &org.name,
            &since.max(applied).to_string(),
            "",
            "",
            &letter_no,
        )
        .await?;
    }
    audit::record(
        &tx,
        &c.who,
        Entry {
            org_path: &stored_path(&org.org_path)?,
            action: "create",
            entity: "party_member",
            entity_id: Some(row.id),
            summary: format!("{}登记{}：{}", org.name, stage.label(), r.name),
            changes: json!({"stage": stage.as_str(), "party_org_id": org.id}),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(row)
}

/// Edits a member's party fields: group, introducers, post, work unit, education, standing,
/// 失联, 流动, 出国(境). Changes of standing, 失联 and post are kept in the history.
pub async fn update(
    st: &Base,
    c: &Caller,
    id: i64,
    input: FieldsInput,
) -> AppResult<party_member::Model> {
    require_view(c)?;
    c.require(Permission::PartyManage)?;
    let tx = begin_write(&st.db).await?;
    let old = find(&tx, c, id).await?;
    lock_row(&tx, "party_orgs", old.party_org_id).await?;
    let old = find(&tx, c, id).await?;
    if input.version.is_some_and(|v| v != old.version) {
        return Err(AppError::stale());
    }
    if old.status != "active" {
        return Err(AppError::bad(
            "not_active",
            "该档案已终止或已转出，不能修改",
        ));
    }
    let input = input.over(&old);
    let post = post_of(&input.post)?;
    let standing = match input.standing.trim() {
        "" | "normal" | "正常" => "normal",
        "suspended" | "停止" | "停止党籍" => "suspended",
        s => {
            return Err(AppError::bad(
                "bad_standing",
                format!("没有“{s}”这个党籍状态：可选 正常、停止"),
            ));
        }
    };
    let lost_on = validate::past_date("失联日期", &input.lost_on, today())?;
    let lost_note = validate::text("失联情况", &input.lost_note, 200, Lines::Many, false)?;
    if lost_on.is_none() && !lost_note.is_empty() {
        return Err(AppError::bad(
            "invalid_input",
            "写了失联情况，请同时填写失联日期",
        ));
    }
    let introducers = short("入党介绍人", &input.introducers, 80)?;
    let work_unit = short("工作单位", &input.work_unit, 100)?;
    let skills = wangge_core::party::member::skills(&input.skills)
        .map_err(|e| AppError::bad("bad_skills", e))?
        .join("、");
    let education = short("学历", &input.education, 20)?;
    let flow_out = short("外出流向", &input.flow_out, 100)?;
    let flow_in_org = short("流入党组织", &input.flow_in_org, 100)?;
    let abroad = short("出国（境）情况", &input.abroad, 100)?;
    let stage = Stage::parse(&old.stage).unwrap_or(Stage::Applicant);
    let org = super::service::find(&tx, c, old.party_org_id).await?;
    let group_id = group_of(&tx, c, &org, input.group_id).await?;
    account(&tx, c, input.user_id).await?;
    let old_post = old.post.as_deref().and_then(Post::parse);
    if let Some(p) = post
        && old_post != Some(p)
    {
        check_post(&tx, old.party_org_id, Some(&old), p, stage).await?;
    }
    let day = today().to_string();
    if old_post != post {
        record_step(
            &tx,
            c,
            &old,
            "post",
            old_post.map_or("无", Post::label),
            post.map_or("无", Post::label),
            &day,
            "",
            "",
            "",
        )
        .await?;
    }
    if old.standing != standing {
        record_step(
            &tx,
            c,
            &old,
            "standing",
            standing_label(&old.standing),
            standing_label(standing),
            &day,
            "",
            "",
            "",
        )
        .await?;
    }
    let lost = lost_on.map(|d| d.to_string());
    if old.lost_on != lost {
        let (kind, on) = match &lost {
            Some(d) => ("lost", d.clone()),
            None => ("found", day.clone()),
        };
        record_step(&tx, c, &old, kind, "", "", &on, "", &lost_note, "").await?;
    }
    let changes = audit::changes(&[
        ("group_id", json!(old.group_id), json!(group_id)),
        ("post", json!(old.post), json!(post.map(Post::as_str))),
        ("standing", json!(old.standing), json!(standing)),
        ("lost_on", json!(old.lost_on), json!(lost)),
        ("flow_out", json!(old.flow_out), json!(flow_out)),
        ("abroad", json!(old.abroad), json!(abroad)),
        ("work_unit", json!(old.work_unit), json!(work_unit)),
        ("skills", json!(old.skills), json!(skills)),
        ("user_id", json!(old.user_id), json!(input.user_id)),
    ]);
    let n = exec(
        &tx,
        "UPDATE party_members SET group_id = $1, introducers = $2, post = $3, work_unit = $4, \
         education = $5, migrant_worker = $6, standing = $7, lost_on = $8, lost_note = $9, \
         flow_out = $10, flow_in_org = $11, abroad = $12, user_id = $13, skills = $14, \
         version = version + 1, updated_at = $15 WHERE id = $16 AND version = $17",
        vec![
            group_id.into(),
            introducers.into(),
            post.map(|p| p.as_str().to_owned()).into(),
            work_unit.into(),
            education.into(),
            input.migrant_worker.into(),
            standing.into(),
            lost.into(),
            lost_note.into(),
            flow_out.into(),
            flow_in_org.into(),
            abroad.into(),
            input.user_id.into(),
            skills.into(),
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
            entity: "party_member",
            entity_id: Some(old.id),
            summary: "修改党员信息".to_owned(),
            changes,
        },
    )
    .await?;
    let row = party_member::Entity::find_by_id(old.id)
        .one(&tx)
        .await?
        .ok_or_else(not_found)?;
    tx.commit().await?;
    Ok(row)
}

/// Takes a step on the pipeline (advance, return, refuse, extend), by the core's rules.
pub async fn step(
    st: &Base,
    c: &Caller,
    id: i64,
    body: StepBody,
) -> AppResult<party_member::Model> {
    require_view(c)?;
    c.require(Permission::PartyManage)?;
    let step = Step::parse(&body.step)
        .ok_or_else(|| AppError::bad("bad_step", "请选择：进入下一阶段、退回、终止或延长预备期"))?;
    let on = required_date("日期", &body.on)?;
    let approved_by = short("批准组织", &body.approved_by, 60)?;
    let reason = validate::text("理由", &body.reason, 500, Lines::Many, false)?;
    let tx = begin_write(&st.db).await?;
    let old = find(&tx, c, id).await?;
    if body.version.is_some_and(|v| v != old.version) {
        return Err(AppError::stale());
    }
    if old.status != "active" {
        return Err(AppError::bad("not_active", "该档案已终止或已转出"));
    }
    let stage = Stage::parse(&old.stage).unwrap_or(Stage::Applicant);
    let record = Record {
        stage,
        since: date_of(&old.since).unwrap_or(on),
        joined: old.joined_on.as_deref().and_then(date_of),
        extended_months: u32::try_from(old.extended_months).unwrap_or(0),
    };
    let input = StepInput {
        step,
        on,
        approved_by: approved_by.clone(),
        reason: reason.clone(),
        months: body.months,
    };
    let outcome =
        rules::check_step(&record, &input, today()).map_err(|e| AppError::bad("bad_step", e))?;
    let (to_stage, status, joined, full, extended) = match outcome {
        StepOutcome::To(s) => (
            s,
            "active",
            if s == Stage::Probationary {
                Some(on.to_string())
            } else {
                old.joined_on.clone()
            },
            if s == Stage::Full {
                Some(on.to_string())
            } else {
                old.full_on.clone()
            },
            old.extended_months,
        ),
        StepOutcome::Ends => (
            stage,
            "ended",
            old.joined_on.clone(),
            old.full_on.clone(),
            old.extended_months,
        ),
        StepOutcome::Extended(m) => (
            stage,
            "active",
            old.joined_on.clone(),
            old.full_on.clone(),
            i32::try_from(m).unwrap_or(12),
        ),
    };
    // The record's date moves with the stage; an extension keeps the stage's date.
    let since = match outcome {
        StepOutcome::Extended(_) => old.since.clone(),
        _ => on.to_string(),
    };
    // A post is a member's: one who leaves the pipeline or goes back gives it up.
    let post = if status == "active" && to_stage.is_member() {
        old.post.clone()
    } else {
        None
    };
    let n = exec(
        &tx,
        "UPDATE party_members SET stage = $1, status = $2, joined_on = $3, full_on = $4, \
         extended_months = $5, since = $6, post = $7, version = version + 1, updated_at = $8 \
         WHERE id = $9 AND version = $10",
        vec![
            to_stage.as_str().into(),
            status.into(),
            joined.into(),
            full.into(),
            extended.into(),
            since.into(),
            post.into(),
            now_ms().into(),
            old.id.into(),
            old.version.into(),
        ],
    )
    .await?;
    if n == 0 {
        return Err(AppError::stale());
    }
    let what = step.label(stage);
    record_step(
        &tx,
        c,
        &old,
        step.as_str(),
        stage.label(),
        if status == "ended" {
            "终止"
        } else {
            to_stage.label()
        },
        &on.to_string(),
        &approved_by,
        &reason,
        "",
    )
    .await?;
    audit::record(
        &tx,
        &c.who,
        Entry {
            org_path: &stored_path(&old.org_path)?,
            action: "update",
            entity: "party_member",
            entity_id: Some(old.id),
            summary: format!("{what}（{on}）"),
            changes: json!({"stage": [stage.as_str(), to_stage.as_str()], "status": [old.status, status]}),
        },
    )
    .await?;
    let row = party_member::Entity::find_by_id(old.id)
        .one(&tx)
        .await?
        .ok_or_else(not_found)?;
    tx.commit().await?;
    Ok(row)
}

/// Transfers a member's organizational relation (组织关系转接): to another branch the caller
/// sees, or out of the system; with the 介绍信 number and date. The record keeps its history.
pub async fn transfer(
    st: &Base,
    c: &Caller,
    id: i64,
    input: TransferInput,
) -> AppResult<party_member::Model> {
    require_view(c)?;
    c.require(Permission::PartyManage)?;
    let on = required_date("转接日期", &input.on)?;
    let letter_no = short("介绍信编号", &input.letter_no, 40)?;
    if letter_no.is_empty() {
        return Err(AppError::bad("invalid_input", "请填写介绍信编号"));
    }
    let outside = short("转往党组织", &input.to_outside, 100)?;
    if input.to_org_id.is_none() == outside.is_empty() {
        return Err(AppError::bad(
            "invalid_input",
            "请选择接收的党支部，或填写系统外的接收党组织（二者选一）",
        ));
    }
    let tx = begin_write(&st.db).await?;
    let old = find(&tx, c, id).await?;
    if input.version.is_some_and(|v| v != old.version) {
        return Err(AppError::stale());
    }
    if old.status != "active" {
        return Err(AppError::bad("not_active", "该档案已终止或已转出"));
    }
    if !Stage::parse(&old.stage).is_some_and(Stage::is_member) {
        return Err(AppError::bad(
            "not_a_member",
            "组织关系转接只适用于预备党员和正式党员",
        ));
    }
    if date_of(&old.since).is_some_and(|s| on < s) {
        return Err(AppError::bad(
            "bad_date",
            format!("转接日期不能早于上一步的日期（{}）", old.since),
        ));
    }
    let from = super::service::find(&tx, c, old.party_org_id).await?;
    let (kind, to_name, to_org, status) = match input.to_org_id {
        Some(t) => {
            lock_row(&tx, "party_orgs", t).await?;
            let to = branch(&tx, c, t).await?;
            if to.id == old.party_org_id {
                return Err(AppError::bad("same_branch", "接收的党支部与现在的相同"));
            }
            ("transfer", to.name.clone(), Some(to), "active")
        }
        None => ("transfer_out", outside, None, "transferred_out"),
    };
    let (org_id, path) = match &to_org {
        Some(t) => (t.id, t.org_path.clone()),
        None => (old.party_org_id, old.org_path.clone()),
    };
    let n = exec(
        &tx,
        "UPDATE party_members SET party_org_id = $1, org_path = $2, group_id = NULL, post = NULL, \
         status = $3, since = $4, version = version + 1, updated_at = $5 \
         WHERE id = $6 AND version = $7",
        vec![
            org_id.into(),
            path.clone().into(),
            status.into(),
            on.to_string().into(),
            now_ms().into(),
            old.id.into(),
            old.version.into(),
        ],
    )
    .await?;
    if n == 0 {
        return Err(AppError::stale());
    }
    let moved = party_member::Model {
        org_path: path.clone(),
        ..old.clone()
    };
    record_step(
        &tx,
        c,
        &moved,
        kind,
        &from.name,
        &to_name,
        &on.to_string(),
        "",
        "",
        &letter_no,
    )
    .await?;
    // The history moves with the member: the receiving branch sees where they came from.
    exec(
        &tx,
        "UPDATE party_member_steps SET org_path = $1 WHERE member_id = $2",
        vec![path.clone().into(), old.id.into()],
    )
    .await?;
    for p in [&old.org_path, &path] {
        audit::record(
            &tx,
            &c.who,
            Entry {
                org_path: &stored_path(p)?,
                action: "update",
                entity: "party_member",
                entity_id: Some(old.id),
                summary: format!("组织关系由“{}”转至“{}”（介绍信 {letter_no}）", from.name, to_name),
                changes: json!({"party_org_id": [old.party_org_id, org_id], "status": [old.status, status]}),
            },
        )
        .await?;
        if *p == path {
            break;
        }
    }
    let row = party_member::Entity::find_by_id(old.id)
        .one(&tx)
        .await?
        .ok_or_else(not_found)?;
    tx.commit().await?;
    Ok(row)
}
