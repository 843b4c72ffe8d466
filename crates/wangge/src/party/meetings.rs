//! 三会一课 and organisational life: meetings recorded with their attendance, resolutions and
//! votes, held to the quorum and majority rules of the 支部工作条例; the rules of how often
//! each kind is due (the street's own cadences over the defaults); and the compliance of each
//! branch and group over a period.
//!
//! **应到 and 实到**, defined here once. At a 支部党员大会, 应到 are the branch's 正式党员 in
//! normal standing less those excluded with a recorded approval (long abroad, bedridden,
//! detained, away half a year without transferring); 实到 those of them present. At a 支委会,
//! the committee's members and those present. 预备党员 attend and speak but do not count or
//! vote; guests (列席, 双重组织生活, 流动党员, 双报到) are flagged and never counted.
//! `tests/it/party_members.rs` recounts them from the attendance rows.

use super::entity::{
    party_attendance, party_meeting, party_meeting_file, party_member, party_org, party_resolution,
    party_vote,
};
use super::members::{date_of, required_date};
use crate::infra::audit::{self, Entry};
use crate::infra::clock::{now_ms, today};
use crate::infra::db::{begin_write, subtree};
use crate::infra::error::{AppError, AppResult, stored_path};
use crate::web::{Base, Caller};
use chrono::NaiveDate;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect, Set,
};
use serde::{Deserialize, Serialize};
use serde_json::json;
use std::collections::{HashMap, HashSet};
use wangge_core::party::PartyKind;
use wangge_core::party::meeting::{self as rules, Cadence, MeetingKind, Rule, WindowState};
use wangge_core::party::member::{Post, Stage};
use wangge_core::validate::{self, Lines};
use wangge_core::{OrgPath, Permission};

fn not_found() -> AppError {
    AppError::NotFound("会议记录不存在".into())
}

/// Presence at a meeting.
pub const PRESENCE: [(&str, &str); 4] = [
    ("present", "出席"),
    ("absent", "缺席"),
    ("excused", "请假"),
    ("attending", "列席"),
];

/// The reasons practice allows for leaving a 正式党员 out of 应到, with an approval.
pub const EXCLUSIONS: [(&str, &str); 4] = [
    ("abroad", "长期出国（境）"),
    ("bedridden", "年老体弱卧床不起"),
    ("detained", "被限制人身自由"),
    ("away", "外出半年以上未转组织关系"),
];

/// The votes.
pub const CHOICES: [(&str, &str); 3] = [("yes", "赞成"), ("no", "反对"), ("abstain", "弃权")];

fn label_in(table: &[(&str, &'static str)], key: &str) -> &'static str {
    table.iter().find(|(k, _)| *k == key).map_or("", |(_, l)| l)
}

/// One line of attendance as sent.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct AttendanceInput {
    pub member_id: i64,
    /// `present`, `absent`, `excused`, `attending` (列席).
    pub presence: String,
    /// For an absent 正式党员 left out of 应到: the reason (`abroad`, `bedridden`, `detained`,
    /// `away`).
    pub excluded: String,
    /// Who approved leaving them out.
    pub excluded_by: String,
}

/// A guest from outside the registry of members (a street official attending).
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct GuestInput {
    pub name: String,
}

/// One vote as sent.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct VoteInput {
    pub member_id: i64,
    /// `yes`, `no`, `abstain`.
    pub choice: String,
}

/// A resolution as sent.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ResolutionInput {
    pub title: String,
    pub votes: Vec<VoteInput>,
    /// Whether the recorder says it passed: refused when the rules say otherwise.
    pub passed: Option<bool>,
}

/// A meeting as sent.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct MeetingInput {
    /// The branch (or, for a 党小组会, the group).
    pub party_org_id: Option<i64>,
    pub kind: String,
    pub held_on: String,
    pub place: String,
    pub topic: String,
    pub chair: String,
    pub recorder: String,
    pub minutes: String,
    /// The attendance of members (those of the branch not listed are absent).
    pub attendance: Vec<AttendanceInput>,
    pub guests: Vec<GuestInput>,
    pub resolutions: Vec<ResolutionInput>,
}

/// A meeting as lists show it.
#[derive(Clone, Debug, Serialize)]
pub struct MeetingView {
    pub id: i64,
    pub party_org_id: i64,
    pub party_org_name: String,
    pub kind: String,
    pub kind_label: &'static str,
    pub held_on: String,
    pub place: String,
    pub topic: String,
    pub chair: String,
    pub recorder: String,
    /// 应到 and 实到 (for a 党员大会 or a 支委会; 0 otherwise).
    pub entitled: i32,
    pub present: i32,
    pub resolutions: usize,
    /// Whether a resolution failed its quorum or majority.
    pub failed_vote: bool,
}

/// A line of attendance as the meeting's page shows it.
#[derive(Clone, Debug, Serialize)]
pub struct AttendanceView {
    pub member_id: Option<i64>,
    pub name: String,
    pub stage_label: &'static str,
    pub presence: String,
    pub presence_label: &'static str,
    pub guest: bool,
    pub votes: bool,
    pub excluded: String,
    pub excluded_label: &'static str,
    pub excluded_by: String,
}

/// A resolution as shown.
#[derive(Clone, Debug, Serialize)]
pub struct ResolutionView {
    pub title: String,
    pub yes: i32,
    pub no: i32,
    pub abstain: i32,
    pub entitled: i32,
    pub present: i32,
    /// `passed`, `rejected`, `no_quorum`.
    pub result: String,
    pub result_label: &'static str,
    /// Why, in words.
    pub why: String,
}

/// A meeting with its minutes, attendance, resolutions and files.
#[derive(Clone, Debug, Serialize)]
pub struct MeetingDetail {
    #[serde(flatten)]
    pub meeting: MeetingView,
    pub minutes: String,
    pub attendance: Vec<AttendanceView>,
    pub resolutions: Vec<ResolutionView>,
    pub files: Vec<FileView>,
}

/// The kinds of a meeting's files.
pub const FILE_TYPES: [(&str, &str); 4] = [
    ("notice", "会议通知"),
    ("sign_in", "签到表"),
    ("minutes", "会议记录"),
    ("photo", "照片"),
];

/// A file of a meeting as shown.
#[derive(Clone, Debug, Serialize)]
pub struct FileView {
    pub id: i64,
    pub doc_type: String,
    pub type_label: &'static str,
    pub title: String,
    pub mime: String,
    pub size: i64,
    pub by: String,
    pub at: i64,
    /// Where it opens.
    pub href: String,
}

fn result_label(r: &str) -> &'static str {
    match r {
        "passed" => "通过",
        "rejected" => "未通过",
        "no_quorum" => "不足法定人数，表决无效",
        _ => "",
    }
}

/// The filter of the meeting list.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct Filter {
    pub org: Option<i64>,
    pub kind: String,
    pub from: String,
    pub to: String,
}

fn day_of(what: &str, raw: &str) -> AppResult<Option<NaiveDate>> {
    match raw.trim() {
        "" => Ok(None),
        s => NaiveDate::parse_from_str(s, "%Y-%m-%d")
            .map(Some)
            .map_err(|_| {
                AppError::bad(
                    "invalid_input",
                    format!("{what}“{s}”不是日期：请写成 2026-05-01 的样子"),
                )
            }),
    }
}

/// The meetings in the caller's subtree matching the filter, newest first (at most 500).
pub async fn list(st: &Base, c: &Caller, f: &Filter) -> AppResult<Vec<MeetingView>> {
    c.require(Permission::PartyView)?;
    let mut q = party_meeting::Entity::find().filter(c.scope_cond("org_path"));
    if let Some(o) = f.org {
        let org = super::service::find(&st.db, c, o).await?;
        q = q.filter(subtree(
            party_meeting::Column::OrgPath,
            &stored_path(&org.org_path)?,
        ));
    }
    match f.kind.trim() {
        "" => {}
        s => {
            let k = MeetingKind::parse(s)
                .ok_or_else(|| AppError::bad("bad_kind", format!("没有“{s}”这种会议")))?;
            q = q.filter(party_meeting::Column::Kind.eq(k.as_str()));
        }
    }
    if let Some(d) = day_of("开始日期", &f.from)? {
        q = q.filter(party_meeting::Column::HeldOn.gte(d.to_string()));
    }
    if let Some(d) = day_of("结束日期", &f.to)? {
        q = q.filter(party_meeting::Column::HeldOn.lte(d.to_string()));
    }
    let rows = q
        .order_by_desc(party_meeting::Column::HeldOn)
        .order_by_desc(party_meeting::Column::Id)
        .limit(500)
        .all(&st.db)
        .await?;
    views(&st.db, &rows).await
}

async fn views(
    db: &impl ConnectionTrait,
    rows: &[party_meeting::Model],
) -> AppResult<Vec<MeetingView>> {
    let oids: Vec<i64> = rows.iter().map(|m| m.party_org_id).collect();
    let names: HashMap<i64, String> = party_org::Entity::find()
        .filter(party_org::Column::Id.is_in(oids))
        .all(db)
        .await?
        .into_iter()
        .map(|o| (o.id, o.name))
        .collect();
    let mids: Vec<i64> = rows.iter().map(|m| m.id).collect();
    let mut res: HashMap<i64, (usize, bool)> = HashMap::new();
    for chunk in mids.chunks(500) {
        for r in party_resolution::Entity::find()
            .filter(party_resolution::Column::MeetingId.is_in(chunk.to_vec()))
            .all(db)
            .await?
        {
            let e = res.entry(r.meeting_id).or_default();
            e.0 += 1;
            e.1 |= r.result != "passed";
        }
    }
    Ok(rows
        .iter()
        .map(|m| {
            let kind = MeetingKind::parse(&m.kind).unwrap_or(MeetingKind::General);
            let (n, failed) = res.get(&m.id).copied().unwrap_or_default();
            MeetingView {
                id: m.id,
                party_org_id: m.party_org_id,
                party_org_name: names.get(&m.party_org_id).cloned().unwrap_or_default(),
                kind: kind.as_str().into(),
                kind_label: kind.label(),
                held_on: m.held_on.clone(),
                place: m.place.clone(),
                topic: m.topic.clone(),
                chair: m.chair.clone(),
                recorder: m.recorder.clone(),
                entitled: m.entitled,
                present: m.present,
                resolutions: n,
                failed_vote: failed,
            }
        })
        .collect())
}

/// One meeting with its attendance and resolutions (attendance is party data).
pub async fn detail(st: &Base, c: &Caller, id: i64) -> AppResult<MeetingDetail> {
    c.require(Permission::PartyView)?;
    c.require(Permission::PartyMemberView)?;
    let m = party_meeting::Entity::find_by_id(id)
        .filter(c.scope_cond("org_path"))
        .one(&st.db)
        .await?
        .ok_or_else(not_found)?;
    let meeting = views(&st.db, std::slice::from_ref(&m))
        .await?
        .pop()
        .ok_or_else(not_found)?;
    let lines = party_attendance::Entity::find()
        .filter(party_attendance::Column::MeetingId.eq(m.id))
        .order_by_asc(party_attendance::Column::Id)
        .all(&st.db)
        .await?;
    let member_rows = party_member::Entity::find()
        .filter(party_member::Column::Id.is_in(lines.iter().filter_map(|l| l.member_id)))
        .all(&st.db)
        .await?;
    let members: HashMap<i64, super::members::MemberView> = super::members::views(st, &member_rows)
        .await?
        .into_iter()
        .map(|v| (v.id, v))
        .collect();
    let attendance = lines
        .into_iter()
        .map(|l| {
            let m = l.member_id.and_then(|id| members.get(&id));
            AttendanceView {
                member_id: l.member_id,
                name: m.map_or_else(|| l.guest_name.clone(), |m| m.name.clone()),
                stage_label: m.map_or("", |m| m.stage_label),
                presence_label: label_in(&PRESENCE, &l.presence),
                presence: l.presence,
                guest: l.guest,
                votes: l.votes,
                excluded_label: label_in(&EXCLUSIONS, &l.excluded),
                excluded: l.excluded,
                excluded_by: l.excluded_by,
            }
        })
        .collect();
    let kind = MeetingKind::parse(&m.kind).unwrap_or(MeetingKind::General);
    let resolutions = party_resolution::Entity::find()
        .filter(party_resolution::Column::MeetingId.eq(m.id))
        .order_by_asc(party_resolution::Column::Id)
        .all(&st.db)
        .await?
        .into_iter()
        .map(|r| {
            let (e, p, y) = (
                u32::try_from(r.entitled).unwrap_or(0),
                u32::try_from(r.present).unwrap_or(0),
                u32::try_from(r.yes).unwrap_or(0),
            );
            ResolutionView {
                why: rules::passes(e, p, y)
                    .err()
                    .map(|w| w.message(kind))
                    .unwrap_or_else(|| format!("赞成 {y} 票，超过应到会人数（{e}）的半数")),
                result_label: result_label(&r.result),
                title: r.title,
                yes: r.yes,
                no: r.no,
                abstain: r.abstain,
                entitled: r.entitled,
                present: r.present,
                result: r.result,
            }
        })
        .collect();
    let files = party_meeting_file::Entity::find()
        .filter(party_meeting_file::Column::MeetingId.eq(m.id))
        .order_by_asc(party_meeting_file::Column::Id)
        .all(&st.db)
        .await?
        .into_iter()
        .map(|f| FileView {
            href: format!("/party/meetings/{}/files/{}", m.id, f.id),
            id: f.id,
            type_label: label_in(&FILE_TYPES, &f.doc_type),
            doc_type: f.doc_type,
            title: f.title,
            mime: f.mime,
            size: f.size,
            by: f.actor_name,
            at: f.at,
        })
        .collect();
    Ok(MeetingDetail {
        meeting,
        minutes: m.minutes,
        attendance,
        resolutions,
        files,
    })
}

/// A meeting in the caller's subtree.
async fn meeting_in(
    db: &impl ConnectionTrait,
    c: &Caller,
    id: i64,
) -> AppResult<party_meeting::Model> {
    c.require(Permission::PartyView)?;
    party_meeting::Entity::find_by_id(id)
        .filter(c.scope_cond("org_path"))
        .one(db)
        .await?
        .ok_or_else(not_found)
}

/// Files a document of a meeting (a PDF or a photo, cleaned as every photo is).
pub async fn add_file(
    st: &Base,
    c: &Caller,
    meeting: i64,
    doc_type: &str,
    title: &str,
    bytes: &[u8],
) -> AppResult<party_meeting_file::Model> {
    c.require(Permission::PartyManage)?;
    c.require(Permission::PartyMemberView)?;
    let m = meeting_in(&st.db, c, meeting).await?;
    let (word, label) = FILE_TYPES
        .iter()
        .find(|(w, l)| *w == doc_type.trim() || *l == doc_type.trim())
        .copied()
        .ok_or_else(|| {
            AppError::bad(
                "invalid_input",
                format!(
                    "未知的文件类别“{}”（可选：会议通知、签到表、会议记录、照片）",
                    doc_type.trim()
                ),
            )
        })?;
    let title = validate::text("文件名称", title, 50, Lines::One, false)?;
    if bytes.is_empty() {
        return Err(AppError::bad("invalid_input", "请选择要上传的文件"));
    }
    let (file_id, mime, size) =
        crate::infra::files::put_document(&st.config.data_dir, bytes).await?;
    let tx = begin_write(&st.db).await?;
    let row = party_meeting_file::ActiveModel {
        meeting_id: Set(m.id),
        org_path: Set(m.org_path.clone()),
        doc_type: Set(word.into()),
        title: Set(if title.is_empty() {
            label.to_owned()
        } else {
            title
        }),
        file_id: Set(file_id),
        mime: Set(mime),
        size: Set(size),
        actor_name: Set(c.who.name.clone()),
        at: Set(now_ms()),
        ..Default::default()
    }
    .insert(&tx)
    .await?;
    audit::record(
        &tx,
        &c.who,
        Entry {
            org_path: &stored_path(&m.org_path)?,
            action: "create",
            entity: "party_meeting",
            entity_id: Some(m.id),
            summary: format!("为会议“{}”上传{}“{}”", m.topic, label, row.title),
            changes: json!({"file": row.id, "type": word}),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(row)
}

/// A file of a meeting in the caller's subtree, with its bytes (party data: for the roles
/// that see attendance).
pub async fn file(
    st: &Base,
    c: &Caller,
    meeting: i64,
    id: i64,
) -> AppResult<(party_meeting_file::Model, Vec<u8>)> {
    c.require(Permission::PartyMemberView)?;
    let m = meeting_in(&st.db, c, meeting).await?;
    let f = party_meeting_file::Entity::find_by_id(id)
        .filter(party_meeting_file::Column::MeetingId.eq(m.id))
        .one(&st.db)
        .await?
        .ok_or_else(|| AppError::NotFound("文件不存在".into()))?;
    let (_, bytes) = crate::infra::files::read(&st.config.data_dir, &f.file_id).await?;
    Ok((f, bytes))
}

/// The organization a meeting of a kind is held by: a group for a 党小组会, else a branch.
async fn holder(
    db: &impl ConnectionTrait,
    c: &Caller,
    id: i64,
    kind: MeetingKind,
) -> AppResult<party_org::Model> {
    let o = super::service::find(db, c, id).await?;
    if o.status != "active" {
        return Err(AppError::bad("dissolved", "该党组织已撤销"));
    }
    let want = if kind.by_group() {
        PartyKind::Group
    } else {
        PartyKind::Branch
    };
    if PartyKind::parse(&o.kind) != Some(want) {
        return Err(AppError::bad(
            "bad_org",
            format!(
                "{}由{}召开，“{}”不是{}",
                kind.label(),
                want.label(),
                o.name,
                want.label()
            ),
        ));
    }
    Ok(o)
}

/// The members on a meeting's roll: a group's members for a 党小组会, the committee for a
/// 支委会, otherwise the branch's members (预备 and 正式).
async fn roll(
    db: &impl ConnectionTrait,
    org: &party_org::Model,
    kind: MeetingKind,
) -> AppResult<Vec<party_member::Model>> {
    let mut q = party_member::Entity::find()
        .filter(party_member::Column::Status.eq("active"))
        .filter(party_member::Column::Stage.is_in(["probationary", "full"]));
    q = if kind.by_group() {
        q.filter(party_member::Column::GroupId.eq(org.id))
    } else {
        q.filter(party_member::Column::PartyOrgId.eq(org.id))
    };
    let all = q.order_by_asc(party_member::Column::Id).all(db).await?;
    Ok(if kind == MeetingKind::Committee {
        all.into_iter()
            .filter(|m| {
                m.post
                    .as_deref()
                    .and_then(Post::parse)
                    .is_some_and(Post::on_committee)
            })
            .collect()
    } else {
        all
    })
}

/// The roll of a meeting to be recorded (for the form): the members, with whether each votes.
pub async fn roll_for(
    st: &Base,
    c: &Caller,
    org: i64,
    kind: MeetingKind,
) -> AppResult<Vec<super::members::MemberView>> {
    c.require(Permission::PartyMemberView)?;
    let o = holder(&st.db, c, org, kind).await?;
    let rows = roll(&st.db, &o, kind).await?;
    super::members::views(st, &rows).await
}

/// Whether a member on the roll votes at a meeting of this kind: a 正式党员 in normal standing
/// (at a 支委会, every member of the committee is one).
fn votes(m: &party_member::Model, kind: MeetingKind) -> bool {
    kind.votes() && Stage::parse(&m.stage).is_some_and(Stage::votes) && m.standing == "normal"
}

/// Records a meeting with its attendance, guests and resolutions in one transaction. A
/// resolution said to have passed when the quorum or the majority fails is refused with the
/// reason; attendance counted twice, a vote by someone without one, and dates in the future
/// are refused; nothing is written then.
pub async fn record(st: &Base, c: &Caller, input: MeetingInput) -> AppResult<party_meeting::Model> {
    c.require(Permission::PartyManage)?;
    c.require(Permission::PartyMemberView)?;
    let kind = MeetingKind::parse(&input.kind).ok_or_else(|| {
        AppError::bad(
            "bad_kind",
            "请选择会议类型：支部党员大会、支委会、党小组会、党课、主题党日、组织生活会、民主评议党员或谈心谈话",
        )
    })?;
    let held = required_date("会议日期", &input.held_on)?;
    let topic = validate::name("会议主题", &input.topic, 200)?;
    let place = validate::text("地点", &input.place, 100, Lines::One, false)?;
    let chair = validate::text("主持人", &input.chair, 40, Lines::One, false)?;
    let recorder = validate::text("记录人", &input.recorder, 40, Lines::One, false)?;
    let minutes = validate::text("会议记录", &input.minutes, 20_000, Lines::Many, false)?;
    if !kind.votes() && !input.resolutions.is_empty() {
        return Err(AppError::bad(
            "no_votes_here",
            format!(
                "{}不进行表决：决议只在支部党员大会和支委会上表决",
                kind.label()
            ),
        ));
    }
    let mut seen = HashSet::new();
    for a in &input.attendance {
        if !seen.insert(a.member_id) {
            return Err(AppError::bad(
                "attendance_twice",
                "同一人的出席情况只能登记一次",
            ));
        }
    }
    let oid = input
        .party_org_id
        .ok_or_else(|| AppError::bad("invalid_input", "请选择召开会议的党组织"))?;
    let tx = begin_write(&st.db).await?;
    let org = holder(&tx, c, oid, kind).await?;
    if org
        .founded_on
        .as_deref()
        .and_then(date_of)
        .is_some_and(|f| held < f)
    {
        return Err(AppError::bad(
            "bad_date",
            format!(
                "会议日期早于该组织的成立日期（{}）",
                org.founded_on.as_deref().unwrap_or("")
            ),
        ));
    }
    let on_roll = roll(&tx, &org, kind).await?;
    let roll_ids: HashSet<i64> = on_roll.iter().map(|m| m.id).collect();
    let sent: HashMap<i64, &AttendanceInput> =
        input.attendance.iter().map(|a| (a.member_id, a)).collect();
    // Guests: members from elsewhere, in the caller's subtree.
    let mut guests: Vec<party_member::Model> = Vec::new();
    for a in &input.attendance {
        if !roll_ids.contains(&a.member_id) {
            let m = super::members::find(&tx, c, a.member_id).await?;
            if m.status != "active" {
                return Err(AppError::bad("not_active", "列席的党员档案已终止或已转出"));
            }
            guests.push(m);
        }
    }
    struct Line {
        member: Option<i64>,
        guest_name: String,
        presence: &'static str,
        guest: bool,
        votes: bool,
        excluded: &'static str,
        excluded_by: String,
    }
    let presence_of = |raw: &str, guest: bool| -> AppResult<&'static str> {
        let p = PRESENCE
            .iter()
            .find(|(k, l)| *k == raw.trim() || *l == raw.trim())
            .map(|(k, _)| *k)
            .ok_or_else(|| AppError::bad("bad_presence", "出席情况应为：出席、缺席、请假或列席"))?;
        if p == "attending" && !guest {
            return Err(AppError::bad(
                "bad_presence",
                "本支部党员不能登记为列席：请登记为出席、缺席或请假",
            ));
        }
        Ok(p)
    };
    let mut lines = Vec::new();
    for m in &on_roll {
        let a = sent.get(&m.id);
        let presence = match a {
            Some(a) => presence_of(&a.presence, false)?,
            None => "absent",
        };
        let v = votes(m, kind);
        let (excluded, excluded_by) = match a.map(|a| a.excluded.trim()).unwrap_or("") {
            "" => ("", String::new()),
            e => {
                let key = EXCLUSIONS
                    .iter()
                    .find(|(k, l)| *k == e || *l == e)
                    .map(|(k, _)| *k)
                    .ok_or_else(|| {
                        AppError::bad(
                            "bad_exclusion",
                            "不计入应到的情形只能是：长期出国（境）、年老体弱卧床不起、被限制人身自由、外出半年以上未转组织关系",
                        )
                    })?;
                if kind != MeetingKind::General || !v {
                    return Err(AppError::bad(
                        "bad_exclusion",
                        "只有支部党员大会上有表决权的正式党员可以经批准不计入应到",
                    ));
                }
                if presence == "present" {
                    return Err(AppError::bad(
                        "bad_exclusion",
                        "已出席的党员计入应到，不能同时登记为不计入应到",
                    ));
                }
                let by = validate::text(
                    "批准人",
                    a.map(|a| a.excluded_by.as_str()).unwrap_or(""),
                    60,
                    Lines::One,
                    false,
                )?;
                if by.is_empty() {
                    return Err(AppError::bad(
                        "bad_exclusion",
                        "不计入应到须经批准：请填写批准人（或批准的组织）",
                    ));
                }
                (key, by)
            }
        };
        lines.push(Line {
            member: Some(m.id),
            guest_name: String::new(),
            presence,
            guest: false,
            votes: v,
            excluded,
            excluded_by,
        });
    }
    for m in &guests {
        let a = sent.get(&m.id);
        lines.push(Line {
            member: Some(m.id),
            guest_name: String::new(),
            presence: presence_of(a.map_or("attending", |a| a.presence.as_str()), true)?,
            guest: true,
            votes: false,
            excluded: "",
            excluded_by: String::new(),
        });
    }
    let mut guest_names = HashSet::new();
    for g in &input.guests {
        let name = validate::name("列席人员姓名", &g.name, 40)?;
        if !guest_names.insert(name.clone()) {
            return Err(AppError::bad(
                "attendance_twice",
                format!("列席人员“{name}”登记了两次"),
            ));
        }
        lines.push(Line {
            member: None,
            guest_name: name,
            presence: "attending",
            guest: true,
            votes: false,
            excluded: "",
            excluded_by: String::new(),
        });
    }
    // 应到 and 实到 (see the module's documentation).
    let (entitled, present) = if kind == MeetingKind::Committee {
        let counted = lines.iter().filter(|l| !l.guest);
        (
            counted.clone().count() as u32,
            counted.filter(|l| l.presence == "present").count() as u32,
        )
    } else if kind == MeetingKind::General {
        let counted = lines
            .iter()
            .filter(|l| !l.guest && l.votes && l.excluded.is_empty());
        (
            counted.clone().count() as u32,
            counted.filter(|l| l.presence == "present").count() as u32,
        )
    } else {
        (0, 0)
    };
    // The resolutions, each checked before anything is written.
    struct Checked {
        title: String,
        votes: Vec<(i64, &'static str)>,
        yes: u32,
        no: u32,
        abstain: u32,
        result: &'static str,
    }
    let voter: HashMap<i64, &Line> = lines
        .iter()
        .filter_map(|l| l.member.map(|m| (m, l)))
        .collect();
    let stage_of: HashMap<i64, &str> = on_roll
        .iter()
        .chain(guests.iter())
        .map(|m| (m.id, m.stage.as_str()))
        .collect();
    let mut checked = Vec::new();
    for r in &input.resolutions {
        let title = validate::name("决议事项", &r.title, 200)?;
        let mut seen = HashSet::new();
        let mut votes = Vec::new();
        let (mut yes, mut no, mut abstain) = (0u32, 0u32, 0u32);
        for v in &r.votes {
            if !seen.insert(v.member_id) {
                return Err(AppError::bad(
                    "vote_twice",
                    format!("“{title}”：同一人只能表决一次"),
                ));
            }
            let Some(line) = voter.get(&v.member_id) else {
                return Err(AppError::bad(
                    "not_entitled",
                    format!("“{title}”：表决人不在本次会议的名单中"),
                ));
            };
            if line.guest {
                return Err(AppError::bad(
                    "not_entitled",
                    format!("“{title}”：列席人员没有表决权"),
                ));
            }
            if !line.votes {
                let why = if stage_of.get(&v.member_id) == Some(&"probationary") {
                    "预备党员没有表决权（可以参加会议、发表意见）"
                } else {
                    "停止党籍的党员没有表决权"
                };
                return Err(AppError::bad("not_entitled", format!("“{title}”：{why}")));
            }
            if line.presence != "present" {
                return Err(AppError::bad(
                    "not_entitled",
                    format!("“{title}”：未出席会议的党员不能表决"),
                ));
            }
            let choice = CHOICES
                .iter()
                .find(|(k, l)| *k == v.choice.trim() || *l == v.choice.trim())
                .map(|(k, _)| *k)
                .ok_or_else(|| AppError::bad("bad_vote", "表决应为：赞成、反对或弃权"))?;
            match choice {
                "yes" => yes += 1,
                "no" => no += 1,
                _ => abstain += 1,
            }
            votes.push((v.member_id, choice));
        }
        let verdict = rules::passes(entitled, present, yes);
        let result = match &verdict {
            Ok(()) => "passed",
            Err(rules::VoteRefusal::NoQuorum { .. }) => "no_quorum",
            Err(rules::VoteRefusal::NoMajority { .. }) => "rejected",
        };
        if r.passed == Some(true)
            && let Err(why) = verdict
        {
            return Err(AppError::bad(
                why.code(),
                format!("“{title}”：{}", why.message(kind)),
            ));
        }
        if r.passed == Some(false) && result == "passed" {
            return Err(AppError::bad(
                "passed_by_count",
                format!(
                    "“{title}”：赞成 {yes} 票已超过应到会人数（{entitled}）的半数，按规则为通过"
                ),
            ));
        }
        checked.push(Checked {
            title,
            votes,
            yes,
            no,
            abstain,
            result,
        });
    }
    let meeting = party_meeting::ActiveModel {
        party_org_id: Set(org.id),
        org_path: Set(org.org_path.clone()),
        kind: Set(kind.as_str().into()),
        held_on: Set(held.to_string()),
        place: Set(place),
        topic: Set(topic.clone()),
        chair: Set(chair),
        recorder: Set(recorder),
        minutes: Set(minutes),
        entitled: Set(i32::try_from(entitled).unwrap_or(i32::MAX)),
        present: Set(i32::try_from(present).unwrap_or(i32::MAX)),
        actor_name: Set(c.who.name.clone()),
        created_at: Set(now_ms()),
        ..Default::default()
    }
    .insert(&tx)
    .await?;
    for l in lines {
        party_attendance::ActiveModel {
            meeting_id: Set(meeting.id),
            member_id: Set(l.member),
            guest_name: Set(l.guest_name),
            presence: Set(l.presence.into()),
            guest: Set(l.guest),
            votes: Set(l.votes),
            excluded: Set(l.excluded.into()),
            excluded_by: Set(l.excluded_by),
            ..Default::default()
        }
        .insert(&tx)
        .await?;
    }
    let mut outcomes = Vec::new();
    for r in checked {
        let row = party_resolution::ActiveModel {
            meeting_id: Set(meeting.id),
            title: Set(r.title.clone()),
            yes: Set(r.yes as i32),
            no: Set(r.no as i32),
            abstain: Set(r.abstain as i32),
            entitled: Set(entitled as i32),
            present: Set(present as i32),
            result: Set(r.result.into()),
            ..Default::default()
        }
        .insert(&tx)
        .await?;
        for (member, choice) in r.votes {
            party_vote::ActiveModel {
                resolution_id: Set(row.id),
                member_id: Set(member),
                choice: Set(choice.into()),
                ..Default::default()
            }
            .insert(&tx)
            .await?;
        }
        outcomes.push(json!({"title": r.title, "result": r.result}));
    }
    audit::record(
        &tx,
        &c.who,
        Entry {
            org_path: &stored_path(&org.org_path)?,
            action: "create",
            entity: "party_meeting",
            entity_id: Some(meeting.id),
            summary: format!("{}{}：{topic}（{held}）", org.name, kind.label()),
            changes: json!({"kind": kind.as_str(), "entitled": entitled, "present": present, "resolutions": outcomes}),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(meeting)
}

/// The setting that holds a street's cadences (`party.meeting_rules` for the district's, with
/// `:<node id>` for a street's own).
const RULES_SETTING: &str = "party.meeting_rules";

/// The rules in force at each place: the district's, and each street's own.
pub async fn rule_sets(db: &impl ConnectionTrait) -> AppResult<HashMap<Option<i64>, Vec<Rule>>> {
    use crate::infra::settings as setting;
    let rows = setting::Entity::find()
        .filter(setting::Column::Name.starts_with(RULES_SETTING))
        .all(db)
        .await?;
    let mut out = HashMap::new();
    for r in rows {
        let key = match r.name.strip_prefix(RULES_SETTING) {
            Some("") => None,
            Some(rest) => match rest.strip_prefix(':').and_then(|n| n.parse().ok()) {
                Some(n) => Some(n),
                None => continue,
            },
            None => continue,
        };
        out.insert(key, r.value);
    }
    // A street's setting lists every cadence; read after the district's, it wins.
    let district = out.remove(&None).unwrap_or_default();
    let mut sets: HashMap<Option<i64>, Vec<Rule>> = out
        .into_iter()
        .map(|(k, v)| (k, rules::rules_with(&format!("{district},{v}"))))
        .collect();
    sets.insert(None, rules::rules_with(&district));
    Ok(sets)
}

/// The rules in force for a place: the nearest street's own, else the district's.
pub fn rules_at<'a>(sets: &'a HashMap<Option<i64>, Vec<Rule>>, path: &str) -> &'a [Rule] {
    let ids = OrgPath::parse(path).map(|p| p.ids()).unwrap_or_default();
    ids.iter()
        .rev()
        .find_map(|id| sets.get(&Some(*id)))
        .or_else(|| sets.get(&None))
        .map_or(&rules::RULES[..], Vec::as_slice)
}

/// Sets the cadences for the caller's place: the district's when bound to the whole tree, else
/// the street's own (bound to a street). Each cadence is `month`, `quarter`, `year` or `off`.
pub async fn set_rules(
    st: &Base,
    c: &Caller,
    cadences: &[(MeetingKind, Cadence)],
    link_load: Option<u32>,
) -> AppResult<()> {
    use crate::infra::settings as setting;
    c.require(Permission::PartyManage)?;
    let root = c.audit_root(&st.db).await?;
    let whole = c.scope.as_ref().is_none_or(|s| s.is_whole_tree());
    if !whole {
        let n = crate::org::entity::node::Entity::find_by_id(root.id())
            .one(&st.db)
            .await?
            .ok_or_else(|| AppError::Forbidden("只有街道（乡镇）和区级党建部门可以设定".into()))?;
        if n.level != wangge_core::OrgLevel::Township.as_str() {
            return Err(AppError::Forbidden(
                "组织生活要求由街道（乡镇）或区级党建部门设定，社区只能查看".into(),
            ));
        }
    }
    if let Some(l) = link_load
        && !(1..=50).contains(&l)
    {
        return Err(AppError::bad(
            "bad_load",
            format!("每名党员联系户数应为 1 到 50（现在是 {l}）"),
        ));
    }
    if link_load.is_some() && !whole {
        return Err(AppError::Forbidden("联户数由区级党建部门设定".into()));
    }
    let mut set = rules::RULES.to_vec();
    for (k, cd) in cadences {
        if let Some(r) = set.iter_mut().find(|r| r.kind == *k) {
            r.cadence = *cd;
        }
    }
    // The district's differ from the defaults; a street's list every cadence, so that a street
    // may keep a default the district changed.
    let value = if whole {
        rules::overrides_of(&set)
    } else {
        set.iter()
            .map(|r| format!("{}:{}", r.kind.as_str(), r.cadence.as_str()))
            .collect::<Vec<_>>()
            .join(",")
    };
    let name = if whole {
        RULES_SETTING.to_owned()
    } else {
        format!("{RULES_SETTING}:{}", root.id())
    };
    let tx = begin_write(&st.db).await?;
    let now = now_ms();
    let mut pairs = vec![(name, value.clone())];
    if let Some(l) = link_load {
        pairs.push((super::links::LOAD_SETTING.to_owned(), l.to_string()));
    }
    for (name, value) in &pairs {
        let exists = setting::Entity::find_by_id(name.clone())
            .one(&tx)
            .await?
            .is_some();
        let row = setting::ActiveModel {
            name: Set(name.clone()),
            value: Set(value.clone()),
            updated_at: Set(now),
        };
        if exists {
            row.update(&tx).await?;
        } else {
            row.insert(&tx).await?;
        }
    }
    audit::record(
        &tx,
        &c.who,
        Entry {
            org_path: &root,
            action: "update",
            entity: "party_rules",
            entity_id: None,
            summary: "设定组织生活要求".to_owned(),
            changes: json!({"cadences": value, "link_load": link_load}),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// One rule's line in the compliance view.
#[derive(Clone, Debug, Serialize)]
pub struct RuleLine {
    pub kind: String,
    pub kind_label: &'static str,
    pub cadence: &'static str,
    pub source: &'static str,
    pub local: bool,
    pub due: u32,
    pub held: u32,
    pub missing: u32,
    pub pending: u32,
    /// The windows that are over without a meeting, as `YYYY-MM-DD–YYYY-MM-DD`.
    pub missing_windows: Vec<String>,
}

/// The compliance of one branch or group over a period.
#[derive(Clone, Debug, Serialize)]
pub struct OrgCompliance {
    pub org_id: i64,
    pub name: String,
    pub kind: String,
    pub kind_label: &'static str,
    /// The branch a group belongs to.
    pub parent_id: Option<i64>,
    pub has_committee: bool,
    pub lines: Vec<RuleLine>,
    pub due: u32,
    pub held: u32,
    pub missing: u32,
    pub pending: u32,
}

/// The compliance of the branches and groups in the caller's subtree (or under a party
/// organization) over `[from, to]`, with the totals.
#[derive(Clone, Debug, Serialize)]
pub struct Compliance {
    pub from: String,
    pub to: String,
    pub orgs: Vec<OrgCompliance>,
    pub due: u32,
    pub held: u32,
    pub missing: u32,
    pub pending: u32,
}

/// The period of the compliance view: `from`/`to`, or the current quarter.
pub fn period(from: &str, to: &str) -> AppResult<(NaiveDate, NaiveDate)> {
    let day = today();
    let (qs, qe) = Cadence::Quarter.window(day).unwrap_or((day, day));
    let from = day_of("开始日期", from)?.unwrap_or(qs);
    let to = day_of("结束日期", to)?.unwrap_or(qe);
    if to < from {
        return Err(AppError::bad("bad_period", "结束日期不能早于开始日期"));
    }
    if (to - from).num_days() > 366 * 3 {
        return Err(AppError::bad("bad_period", "时间段最长三年"));
    }
    Ok((from, to))
}

/// The compliance view.
pub async fn compliance(
    st: &Base,
    c: &Caller,
    org: Option<i64>,
    period: (NaiveDate, NaiveDate),
) -> AppResult<Compliance> {
    compliance_of(&st.db, c, org, period).await
}

/// The compliance view, on any connection (the command centre's dashboard counts it too).
pub async fn compliance_of(
    db: &impl ConnectionTrait,
    c: &Caller,
    org: Option<i64>,
    (from, to): (NaiveDate, NaiveDate),
) -> AppResult<Compliance> {
    c.require(Permission::PartyView)?;
    let mut q = party_org::Entity::find()
        .filter(c.scope_cond("org_path"))
        .filter(party_org::Column::Status.eq("active"))
        .filter(party_org::Column::Kind.is_in(["branch", "group"]));
    if let Some(o) = org {
        let o = super::service::find(db, c, o).await?;
        q = q.filter(
            sea_orm::Condition::any()
                .add(party_org::Column::Id.eq(o.id))
                .add(party_org::Column::ParentId.eq(o.id))
                .add(subtree(
                    party_org::Column::OrgPath,
                    &stored_path(&o.org_path)?,
                )),
        );
    }
    let orgs = q
        .order_by_asc(party_org::Column::OrgPath)
        .order_by_asc(party_org::Column::Id)
        .all(db)
        .await?;
    let ids: Vec<i64> = orgs.iter().map(|o| o.id).collect();
    let mut held: HashMap<i64, Vec<(MeetingKind, NaiveDate)>> = HashMap::new();
    // A window that overlaps the period may begin before it (a quarter, a year).
    let since = from
        .checked_sub_months(chrono::Months::new(12))
        .unwrap_or(from)
        .to_string();
    for chunk in ids.chunks(500) {
        let rows: Vec<(i64, String, String)> = party_meeting::Entity::find()
            .select_only()
            .column(party_meeting::Column::PartyOrgId)
            .column(party_meeting::Column::Kind)
            .column(party_meeting::Column::HeldOn)
            .filter(party_meeting::Column::PartyOrgId.is_in(chunk.to_vec()))
            .filter(party_meeting::Column::HeldOn.gte(since.clone()))
            .into_tuple()
            .all(db)
            .await?;
        for (o, k, d) in rows {
            if let (Some(k), Some(d)) = (MeetingKind::parse(&k), date_of(&d)) {
                held.entry(o).or_default().push((k, d));
            }
        }
    }
    let sets = rule_sets(db).await?;
    let day = today();
    let mut out = Compliance {
        from: from.to_string(),
        to: to.to_string(),
        orgs: Vec::new(),
        due: 0,
        held: 0,
        missing: 0,
        pending: 0,
    };
    let branch_ids: Vec<i64> = orgs
        .iter()
        .filter(|o| o.kind == "branch")
        .map(|o| o.id)
        .collect();
    let committees: HashMap<i64, bool> = super::members::counts_of(db, &branch_ids)
        .await?
        .into_iter()
        .map(|(id, c)| (id, c.has_committee()))
        .collect();
    for o in &orgs {
        let group = o.kind == "group";
        let has_committee = committees.get(&o.id).copied().unwrap_or(false);
        let lines = rules::compliance(
            rules_at(&sets, &o.org_path),
            has_committee,
            group,
            held.get(&o.id).map_or(&[][..], Vec::as_slice),
            (from, to),
            o.founded_on.as_deref().and_then(date_of),
            day,
        );
        let lines: Vec<RuleLine> = lines
            .into_iter()
            .map(|l| RuleLine {
                kind: l.rule.kind.as_str().into(),
                kind_label: l.rule.kind.label(),
                cadence: l.rule.cadence.label(),
                source: l.rule.source,
                local: l.rule.local,
                due: l.due,
                held: l.held,
                missing: l.missing,
                pending: l.pending,
                missing_windows: l
                    .windows
                    .iter()
                    .filter(|w| w.2 == WindowState::Missing)
                    .map(|w| format!("{}–{}", w.0, w.1))
                    .collect(),
            })
            .collect();
        let sum = |f: fn(&RuleLine) -> u32| lines.iter().map(f).sum::<u32>();
        let row = OrgCompliance {
            org_id: o.id,
            name: o.name.clone(),
            kind: o.kind.clone(),
            kind_label: PartyKind::parse(&o.kind).map_or("", PartyKind::label),
            parent_id: o.parent_id,
            has_committee,
            due: sum(|l| l.due),
            held: sum(|l| l.held),
            missing: sum(|l| l.missing),
            pending: sum(|l| l.pending),
            lines,
        };
        out.due += row.due;
        out.held += row.held;
        out.missing += row.missing;
        out.pending += row.pending;
        out.orgs.push(row);
    }
    Ok(out)
}
