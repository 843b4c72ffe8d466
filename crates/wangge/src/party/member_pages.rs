//! The party slice's pages for members, household links, meetings, compliance and the rules:
//! the list and record of members (with the pipeline, edits and transfers), the coverage of
//! households, the meetings and the form that records one (attendance, a resolution and its
//! votes), the compliance of each branch, the rules in force, and a member's own page.

use super::entity::party_org;
use super::{links, meetings, members, service};
use crate::infra::clock::today;
use crate::infra::error::{AppError, AppResult};
use crate::people::entity::resident;
use crate::web::{Base, Caller, Choice, Html, PageActor, PageCtx, Query, choice, done, respond};
use askama::Template;
use axum::Form;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
use serde::Deserialize;
use std::collections::HashMap;
use wangge_core::Permission;
use wangge_core::party::PartyKind;
use wangge_core::party::meeting::{Cadence, MeetingKind};
use wangge_core::party::member::{Post, Stage};

/// The tabs over the party pages.
pub struct Tabs {
    /// The current tab.
    pub on: &'static str,
    /// Whether the member pages are shown (party data).
    pub members: bool,
    /// Whether the caller records meetings and links.
    pub manage: bool,
}

pub(super) fn tabs(c: &Caller, on: &'static str) -> Tabs {
    let can = |p| c.role.is_none_or(|r| r.can(p));
    Tabs {
        on,
        members: can(Permission::PartyMemberView),
        manage: members::manages_members(c),
    }
}

/// The members (预备 and 正式) of the caller's subtree, by name with their branch, for a form.
pub(super) async fn member_choices(st: &Base, c: &Caller) -> AppResult<Vec<Choice>> {
    Ok(members::list(
        st,
        c,
        &members::Filter {
            category: "members".into(),
            per_page: Some(200),
            ..Default::default()
        },
    )
    .await?
    .items
    .into_iter()
    .map(|m| choice(m.id, format!("{}（{}）", m.name, m.party_org_name)))
    .collect())
}

fn opt_id(what: &str, s: &str) -> AppResult<Option<i64>> {
    match s.trim() {
        "" => Ok(None),
        t => t
            .parse()
            .map(Some)
            .map_err(|_| AppError::bad("invalid_input", format!("{what}无效"))),
    }
}

fn version(s: &str) -> Option<i32> {
    s.trim().parse().ok()
}

/// The branches (and groups, when asked) in the caller's subtree, for selects.
async fn org_choices(st: &Base, c: &Caller, kinds: &[PartyKind]) -> AppResult<Vec<Choice>> {
    Ok(service::list(&st.db, c)
        .await?
        .into_iter()
        .filter(|o| PartyKind::parse(&o.kind).is_some_and(|k| kinds.contains(&k)))
        .map(|o| {
            let label = PartyKind::parse(&o.kind).map_or("", PartyKind::label);
            choice(o.id, format!("{}（{label}）", o.name))
        })
        .collect())
}

/// The choices of a select over every value of a code list (its identifier and its name).
pub(super) fn choices_of<T: Copy>(
    all: &[T],
    id: fn(T) -> &'static str,
    label: fn(T) -> &'static str,
) -> Vec<Choice> {
    all.iter().map(|x| choice(id(*x), label(*x))).collect()
}

fn stage_choices() -> Vec<Choice> {
    choices_of(&Stage::ALL, Stage::as_str, Stage::label)
}

fn post_choices() -> Vec<Choice> {
    choices_of(&Post::ALL, Post::as_str, Post::label)
}

fn kind_choices() -> Vec<Choice> {
    choices_of(&MeetingKind::ALL, MeetingKind::as_str, MeetingKind::label)
}

fn query_string(pairs: &[(&str, String)]) -> String {
    pairs
        .iter()
        .filter(|(_, v)| !v.is_empty())
        .map(|(k, v)| format!("{k}={}", crate::web::urlencode(v)))
        .collect::<Vec<_>>()
        .join("&")
}

// ---------------------------------------------------------------------------------------------
// Members

#[derive(Template)]
#[template(path = "party/members.html")]
struct MembersPage {
    ctx: PageCtx,
    tabs: Tabs,
    page: members::Page,
    f: members::Filter,
    org_value: String,
    orgs: Vec<Choice>,
    stages: Vec<Choice>,
    query: String,
}

/// `GET /party/members`
pub async fn members_list(
    State(st): State<Base>,
    PageActor(actor): PageActor,
    Query(f): Query<members::Filter>,
) -> Response {
    let run = async {
        let c = actor.caller();
        let page = members::list(&st, &c, &f).await?;
        let ctx = PageCtx::new(&st, &actor, "党员", "party").await?;
        let org_value = f.org.map(|o| o.to_string()).unwrap_or_default();
        let query = query_string(&[
            ("org", org_value.clone()),
            ("q", f.q.clone()),
            ("category", f.category.clone()),
            ("status", f.status.clone()),
            ("skill", f.skill.clone()),
        ]);
        Ok::<_, AppError>(Html(
            MembersPage {
                ctx,
                tabs: tabs(&c, "members"),
                page,
                orgs: org_choices(
                    &st,
                    &c,
                    &[
                        PartyKind::Committee,
                        PartyKind::GeneralBranch,
                        PartyKind::Branch,
                        PartyKind::Group,
                    ],
                )
                .await?,
                stages: stage_choices(),
                org_value,
                f,
                query,
            }
            .render(),
        ))
    };
    respond(&st, &actor, run.await.map(IntoResponse::into_response)).await
}

/// A resident found for a form that names one (a new member, a wish's beneficiary).
pub(super) struct Found {
    pub id: i64,
    pub name: String,
    pub id_number: String,
    pub address: String,
    pub age: i32,
}

/// The living residents of the caller's subtree whose name holds `name` (at most 30), with the
/// ID number masked.
pub(super) async fn find_residents(st: &Base, c: &Caller, name: &str) -> AppResult<Vec<Found>> {
    let name = name.trim();
    if name.is_empty() {
        return Ok(Vec::new());
    }
    let rows = resident::Entity::find()
        .filter(c.scope_cond("org_path"))
        .filter(resident::Column::Status.eq("active"))
        .filter(resident::Column::Name.contains(name))
        .order_by_asc(resident::Column::Name)
        .limit(30)
        .all(&st.db)
        .await?;
    let homes: HashMap<i64, String> = crate::people::entity::household::Entity::find()
        .filter(
            crate::people::entity::household::Column::Id
                .is_in(rows.iter().filter_map(|r| r.household_id)),
        )
        .all(&st.db)
        .await?
        .into_iter()
        .map(|h| (h.id, h.address))
        .collect();
    Ok(rows
        .into_iter()
        .map(|r| Found {
            id: r.id,
            id_number: st.vault.masked_id(&r.id_sealed),
            address: r
                .household_id
                .and_then(|h| homes.get(&h).cloned())
                .unwrap_or_default(),
            age: members::date_of(&r.birth_date)
                .map_or(0, |b| wangge_core::people::age_on(b, today())),
            name: r.name,
        })
        .collect())
}

#[derive(Template)]
#[template(path = "party/member_new.html")]
struct NewMemberPage {
    ctx: PageCtx,
    q: String,
    found: Vec<Found>,
    branches: Vec<Choice>,
    stages: Vec<Choice>,
    posts: Vec<Choice>,
    today: String,
}

/// The new member's search.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct FindQuery {
    q: String,
}

/// `GET /party/members/new`
pub async fn member_new(
    State(st): State<Base>,
    PageActor(actor): PageActor,
    Query(q): Query<FindQuery>,
) -> Response {
    let run = async {
        let c = actor.caller();
        c.require(Permission::PartyManage)?;
        c.require(Permission::PartyMemberView)?;
        let found = find_residents(&st, &c, &q.q).await?;
        let ctx = PageCtx::new(&st, &actor, "登记党员", "party").await?;
        Ok::<_, AppError>(Html(
            NewMemberPage {
                ctx,
                q: q.q.clone(),
                found,
                branches: org_choices(&st, &c, &[PartyKind::Branch]).await?,
                stages: stage_choices(),
                posts: post_choices(),
                today: today().to_string(),
            }
            .render(),
        ))
    };
    respond(&st, &actor, run.await.map(IntoResponse::into_response)).await
}

/// What the new member's form sends.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct MemberForm {
    resident_id: String,
    party_org_id: String,
    stage: String,
    applied_on: String,
    joined_on: String,
    full_on: String,
    introducers: String,
    post: String,
    work_unit: String,
    skills: String,
    education: String,
    migrant_worker: String,
    letter_no: String,
    from_org: String,
}

/// `POST /party/members`
pub async fn member_create(
    State(st): State<Base>,
    PageActor(actor): PageActor,
    Form(f): Form<MemberForm>,
) -> Response {
    let c = actor.caller();
    let input = (|| {
        Ok::<_, AppError>(members::MemberInput {
            resident_id: opt_id("居民", &f.resident_id)?,
            party_org_id: opt_id("党支部", &f.party_org_id)?,
            group_id: None,
            stage: f.stage,
            applied_on: f.applied_on,
            joined_on: f.joined_on,
            full_on: f.full_on,
            introducers: f.introducers,
            post: f.post,
            work_unit: f.work_unit,
            skills: f.skills,
            education: f.education,
            migrant_worker: !f.migrant_worker.is_empty(),
            user_id: None,
            letter_no: f.letter_no,
            from_org: f.from_org,
        })
    })();
    let made = match input {
        Ok(i) => members::create(&st, &c, i).await,
        Err(e) => Err(e),
    };
    match made {
        Ok(row) => {
            crate::web::flash_redirect(&format!("/party/members/{}", row.id), true, "已登记")
        }
        Err(e) => done::<()>(Err(e), "/party/members/new", ""),
    }
}

#[derive(Template)]
#[template(path = "party/member.html")]
struct MemberPage {
    ctx: PageCtx,
    tabs: Tabs,
    m: members::MemberDetail,
    households: Vec<links::LinkView>,
    center: Option<super::centers::CenterView>,
    groups: Vec<Choice>,
    branches: Vec<Choice>,
    posts: Vec<Choice>,
    next_step: &'static str,
    group_value: String,
    branch_value: String,
    can_manage: bool,
    today: String,
}

/// `GET /party/members/{id}`
pub async fn member_detail(
    State(st): State<Base>,
    PageActor(actor): PageActor,
    Path(id): Path<i64>,
) -> Response {
    let run = async {
        let c = actor.caller();
        let m = members::detail(&st, &c, id).await?;
        let households = links::of_holder(&st, &c, "member", id).await?;
        let center = super::centers::of_member(&st, &c, id).await?;
        let groups = service::list(&st.db, &c)
            .await?
            .into_iter()
            .filter(|o| o.parent_id == Some(m.member.party_org_id) && o.kind == "group")
            .map(|o| choice(o.id, o.name))
            .collect();
        let stage = Stage::parse(&m.member.stage).unwrap_or(Stage::Applicant);
        let ctx = PageCtx::new(
            &st,
            &actor,
            &format!("党员档案 · {}", m.member.name),
            "party",
        )
        .await?;
        Ok::<_, AppError>(Html(
            MemberPage {
                ctx,
                tabs: tabs(&c, "members"),
                next_step: wangge_core::party::member::Step::Advance.label(stage),
                group_value: m.member.group_id.map(|g| g.to_string()).unwrap_or_default(),
                branch_value: m.member.party_org_id.to_string(),
                households,
                center,
                groups,
                branches: org_choices(&st, &c, &[PartyKind::Branch]).await?,
                posts: post_choices(),
                can_manage: c.role.is_none_or(|r| r.can(Permission::PartyManage)),
                today: today().to_string(),
                m,
            }
            .render(),
        ))
    };
    respond(&st, &actor, run.await.map(IntoResponse::into_response)).await
}

/// What the member's edit form sends.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct FieldsForm {
    group_id: String,
    introducers: String,
    post: String,
    work_unit: String,
    skills: String,
    education: String,
    migrant_worker: String,
    standing: String,
    lost_on: String,
    lost_note: String,
    flow_out: String,
    flow_in_org: String,
    abroad: String,
    user_id: String,
    version: String,
}

/// `POST /party/members/{id}`
pub async fn member_update(
    State(st): State<Base>,
    PageActor(actor): PageActor,
    Path(id): Path<i64>,
    Form(f): Form<FieldsForm>,
) -> Response {
    let to = format!("/party/members/{id}");
    let input = (|| {
        Ok::<_, AppError>(members::FieldsInput {
            group_id: Some(opt_id("党小组", &f.group_id)?),
            introducers: Some(f.introducers),
            post: Some(f.post),
            work_unit: Some(f.work_unit),
            skills: Some(f.skills),
            education: Some(f.education),
            migrant_worker: Some(!f.migrant_worker.is_empty()),
            standing: Some(f.standing),
            lost_on: Some(f.lost_on),
            lost_note: Some(f.lost_note),
            flow_out: Some(f.flow_out),
            flow_in_org: Some(f.flow_in_org),
            abroad: Some(f.abroad),
            user_id: Some(opt_id("账号", &f.user_id)?),
            version: version(&f.version),
        })
    })();
    let r = match input {
        Ok(i) => members::update(&st, &actor.caller(), id, i).await,
        Err(e) => Err(e),
    };
    done(r, &to, "已保存")
}

/// What the step form sends.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct StepForm {
    step: String,
    on: String,
    approved_by: String,
    reason: String,
    months: String,
    version: String,
}

/// `POST /party/members/{id}/steps`
pub async fn member_step(
    State(st): State<Base>,
    PageActor(actor): PageActor,
    Path(id): Path<i64>,
    Form(f): Form<StepForm>,
) -> Response {
    let body = members::StepBody {
        step: f.step,
        on: f.on,
        approved_by: f.approved_by,
        reason: f.reason,
        months: f.months.trim().parse().unwrap_or(0),
        version: version(&f.version),
    };
    let r = members::step(&st, &actor.caller(), id, body).await;
    done(r, &format!("/party/members/{id}"), "已记录")
}

/// What the transfer form sends.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct TransferForm {
    to_org_id: String,
    to_outside: String,
    letter_no: String,
    on: String,
    version: String,
}

/// `POST /party/members/{id}/transfer`
pub async fn member_transfer(
    State(st): State<Base>,
    PageActor(actor): PageActor,
    Path(id): Path<i64>,
    Form(f): Form<TransferForm>,
) -> Response {
    let input = opt_id("接收党支部", &f.to_org_id).map(|to| members::TransferInput {
        to_org_id: to,
        to_outside: f.to_outside,
        letter_no: f.letter_no,
        on: f.on,
        version: version(&f.version),
    });
    let r = match input {
        Ok(i) => members::transfer(&st, &actor.caller(), id, i).await,
        Err(e) => Err(e),
    };
    done(r, &format!("/party/members/{id}"), "已办理转接")
}

// ---------------------------------------------------------------------------------------------
// Households and coverage

#[derive(Template)]
#[template(path = "party/coverage.html")]
struct CoveragePage {
    ctx: PageCtx,
    tabs: Tabs,
    cov: links::Coverage,
    org_value: String,
    grid_value: String,
    gaps: String,
    /// The query that keeps the page's choices (for the forms' way back).
    back: String,
    orgs: Vec<Choice>,
    /// Members who may be linked (when the caller links).
    members: Vec<Choice>,
    workers: Vec<Choice>,
    limit: u32,
}

/// `GET /party/coverage`
pub async fn coverage(
    State(st): State<Base>,
    PageActor(actor): PageActor,
    Query(q): Query<super::api::CoverageQuery>,
) -> Response {
    let run = async {
        let c = actor.caller();
        let want = links::Want::parse(&q.gaps)?;
        let cov = links::coverage(&st, &c, q.org, q.grid, want).await?;
        let t = tabs(&c, "coverage");
        let (members, workers) = if t.manage {
            let page = members::list(
                &st,
                &c,
                &members::Filter {
                    org: q.org,
                    category: "members".into(),
                    per_page: Some(200),
                    ..Default::default()
                },
            )
            .await?;
            let workers = crate::users::entity::Entity::find()
                .filter(c.scope_cond("org_path"))
                .filter(crate::users::entity::Column::Role.eq("grid_worker"))
                .filter(crate::users::entity::Column::Status.eq("active"))
                .order_by_asc(crate::users::entity::Column::Username)
                .all(&st.db)
                .await?
                .into_iter()
                .map(|u| choice(u.id, u.display_name))
                .collect();
            (
                page.items
                    .into_iter()
                    .map(|m| choice(m.id, format!("{}（{}）", m.name, m.party_org_name)))
                    .collect(),
                workers,
            )
        } else {
            (Vec::new(), Vec::new())
        };
        let ctx = PageCtx::new(&st, &actor, "党员联户", "party").await?;
        Ok::<_, AppError>(Html(
            CoveragePage {
                ctx,
                tabs: t,
                cov,
                org_value: q.org.map(|o| o.to_string()).unwrap_or_default(),
                grid_value: q.grid.map(|g| g.to_string()).unwrap_or_default(),
                back: format!(
                    "/party/coverage?{}",
                    query_string(&[
                        ("org", q.org.map(|o| o.to_string()).unwrap_or_default()),
                        ("grid", q.grid.map(|g| g.to_string()).unwrap_or_default()),
                        ("gaps", q.gaps.clone()),
                    ])
                ),
                gaps: q.gaps.clone(),
                orgs: org_choices(
                    &st,
                    &c,
                    &[
                        PartyKind::Committee,
                        PartyKind::GeneralBranch,
                        PartyKind::Branch,
                        PartyKind::Group,
                    ],
                )
                .await?,
                members,
                workers,
                limit: links::load_limit(&st.db).await?,
            }
            .render(),
        ))
    };
    respond(&st, &actor, run.await.map(IntoResponse::into_response)).await
}

/// What the link form sends.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct LinkForm {
    kind: String,
    household_id: String,
    holder_id: String,
    back: String,
}

/// Where a form returns to: a party page only.
fn back_to(back: &str, fallback: &str) -> String {
    if back.starts_with("/party/") && !back.contains("//") {
        back.to_owned()
    } else {
        fallback.to_owned()
    }
}

/// `POST /party/links`
pub async fn link(
    State(st): State<Base>,
    PageActor(actor): PageActor,
    Form(f): Form<LinkForm>,
) -> Response {
    let to = back_to(&f.back, "/party/coverage");
    let input = (|| {
        Ok::<_, AppError>(links::LinkInput {
            kind: f.kind,
            household_id: opt_id("住户", &f.household_id)?,
            holder_id: opt_id("联系人", &f.holder_id)?,
        })
    })();
    let r = match input {
        Ok(i) => links::link(&st, &actor.caller(), i).await,
        Err(e) => Err(e),
    };
    match r {
        Ok(l) => {
            let msg = l.warning.unwrap_or_else(|| "已建立联系".into());
            crate::web::flash_redirect(&to, true, &msg)
        }
        Err(e) => done::<()>(Err(e), &to, ""),
    }
}

/// `POST /party/links/{id}/end`
pub async fn unlink(
    State(st): State<Base>,
    PageActor(actor): PageActor,
    Path(id): Path<i64>,
    Form(f): Form<LinkForm>,
) -> Response {
    let to = back_to(&f.back, "/party/coverage");
    done(
        links::unlink(&st, &actor.caller(), id).await,
        &to,
        "已解除联系",
    )
}

// ---------------------------------------------------------------------------------------------
// Meetings

#[derive(Template)]
#[template(path = "party/meetings.html")]
struct MeetingsPage {
    ctx: PageCtx,
    tabs: Tabs,
    list: Vec<meetings::MeetingView>,
    f: meetings::Filter,
    org_value: String,
    orgs: Vec<Choice>,
    kinds: Vec<Choice>,
}

/// `GET /party/meetings`
pub async fn meetings_list(
    State(st): State<Base>,
    PageActor(actor): PageActor,
    Query(f): Query<meetings::Filter>,
) -> Response {
    let run = async {
        let c = actor.caller();
        let list = meetings::list(&st, &c, &f).await?;
        let ctx = PageCtx::new(&st, &actor, "三会一课", "party").await?;
        Ok::<_, AppError>(Html(
            MeetingsPage {
                ctx,
                tabs: tabs(&c, "meetings"),
                list,
                org_value: f.org.map(|o| o.to_string()).unwrap_or_default(),
                f,
                orgs: org_choices(
                    &st,
                    &c,
                    &[
                        PartyKind::Committee,
                        PartyKind::GeneralBranch,
                        PartyKind::Branch,
                        PartyKind::Group,
                    ],
                )
                .await?,
                kinds: kind_choices(),
            }
            .render(),
        ))
    };
    respond(&st, &actor, run.await.map(IntoResponse::into_response)).await
}

#[derive(Template)]
#[template(path = "party/meeting_new.html")]
struct NewMeetingPage {
    ctx: PageCtx,
    orgs: Vec<Choice>,
    kinds: Vec<Choice>,
    org: String,
    kind: String,
    kind_label: &'static str,
    votes: bool,
    roll: Vec<members::MemberView>,
    presence: &'static [(&'static str, &'static str)],
    exclusions: &'static [(&'static str, &'static str)],
    choices: &'static [(&'static str, &'static str)],
    today: String,
}

/// Which organization and kind the new meeting's form is for.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct NewMeetingQuery {
    org: Option<i64>,
    kind: String,
}

/// `GET /party/meetings/new`
pub async fn meeting_new(
    State(st): State<Base>,
    PageActor(actor): PageActor,
    Query(q): Query<NewMeetingQuery>,
) -> Response {
    let run = async {
        let c = actor.caller();
        c.require(Permission::PartyManage)?;
        c.require(Permission::PartyMemberView)?;
        let kind = MeetingKind::parse(&q.kind).unwrap_or(MeetingKind::General);
        let roll = match q.org {
            Some(o) => meetings::roll_for(&st, &c, o, kind).await?,
            None => Vec::new(),
        };
        let ctx = PageCtx::new(&st, &actor, "登记会议", "party").await?;
        Ok::<_, AppError>(Html(
            NewMeetingPage {
                ctx,
                orgs: org_choices(&st, &c, &[PartyKind::Branch, PartyKind::Group]).await?,
                kinds: kind_choices(),
                org: q.org.map(|o| o.to_string()).unwrap_or_default(),
                kind: kind.as_str().into(),
                kind_label: kind.label(),
                votes: kind.votes(),
                roll,
                presence: &meetings::PRESENCE,
                exclusions: &meetings::EXCLUSIONS,
                choices: &meetings::CHOICES,
                today: today().to_string(),
            }
            .render(),
        ))
    };
    respond(&st, &actor, run.await.map(IntoResponse::into_response)).await
}

/// Reads the meeting form: fixed fields, and `presence_<id>`, `excluded_<id>`,
/// `excluded_by_<id>`, `vote_<id>` per member; guests one per line; one resolution.
fn meeting_input(pairs: Vec<(String, String)>) -> AppResult<meetings::MeetingInput> {
    let mut input = meetings::MeetingInput::default();
    let mut lines: Vec<meetings::AttendanceInput> = Vec::new();
    let mut at: HashMap<i64, usize> = HashMap::new();
    let mut resolution = meetings::ResolutionInput::default();
    let mut passed = false;
    let id_of = |s: &str| -> AppResult<i64> {
        s.parse()
            .map_err(|_| AppError::bad("invalid_input", "表单里的党员编号无效"))
    };
    for (k, v) in pairs {
        let mut line = |id: i64| -> usize {
            *at.entry(id).or_insert_with(|| {
                lines.push(meetings::AttendanceInput {
                    member_id: id,
                    ..Default::default()
                });
                lines.len() - 1
            })
        };
        match k.as_str() {
            "party_org_id" => input.party_org_id = opt_id("党组织", &v)?,
            "kind" => input.kind = v,
            "held_on" => input.held_on = v,
            "place" => input.place = v,
            "topic" => input.topic = v,
            "chair" => input.chair = v,
            "recorder" => input.recorder = v,
            "minutes" => input.minutes = v,
            "guests" => {
                input.guests = v
                    .lines()
                    .map(str::trim)
                    .filter(|l| !l.is_empty())
                    .map(|l| meetings::GuestInput { name: l.to_owned() })
                    .collect();
            }
            "resolution" => resolution.title = v,
            "passed" => passed = !v.is_empty(),
            _ => {
                if let Some(id) = k.strip_prefix("presence_") {
                    let i = line(id_of(id)?);
                    lines[i].presence = v;
                } else if let Some(id) = k.strip_prefix("excluded_by_") {
                    let i = line(id_of(id)?);
                    lines[i].excluded_by = v;
                } else if let Some(id) = k.strip_prefix("excluded_") {
                    let i = line(id_of(id)?);
                    lines[i].excluded = v;
                } else if let Some(id) = k.strip_prefix("vote_")
                    && !v.is_empty()
                {
                    resolution.votes.push(meetings::VoteInput {
                        member_id: id_of(id)?,
                        choice: v,
                    });
                }
            }
        }
    }
    input.attendance = lines;
    if !resolution.title.trim().is_empty() {
        resolution.passed = passed.then_some(true);
        input.resolutions.push(resolution);
    } else if !resolution.votes.is_empty() {
        return Err(AppError::bad(
            "invalid_input",
            "填写了表决，请同时写明决议事项",
        ));
    }
    Ok(input)
}

/// `POST /party/meetings`
pub async fn meeting_record(
    State(st): State<Base>,
    PageActor(actor): PageActor,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Response {
    let back = {
        let get = |k: &str| {
            pairs
                .iter()
                .find(|(n, _)| n == k)
                .map(|(_, v)| v.clone())
                .unwrap_or_default()
        };
        format!(
            "/party/meetings/new?{}",
            query_string(&[("org", get("party_org_id")), ("kind", get("kind"))])
        )
    };
    let r = match meeting_input(pairs) {
        Ok(i) => meetings::record(&st, &actor.caller(), i).await,
        Err(e) => Err(e),
    };
    match r {
        Ok(m) => crate::web::flash_redirect(&format!("/party/meetings/{}", m.id), true, "已登记"),
        Err(e) => done::<()>(Err(e), &back, ""),
    }
}

#[derive(Template)]
#[template(path = "party/meeting.html")]
struct MeetingPage {
    ctx: PageCtx,
    tabs: Tabs,
    m: meetings::MeetingDetail,
    file_types: &'static [(&'static str, &'static str)],
}

/// `GET /party/meetings/{id}`
pub async fn meeting_detail(
    State(st): State<Base>,
    PageActor(actor): PageActor,
    Path(id): Path<i64>,
) -> Response {
    let run = async {
        let c = actor.caller();
        let m = meetings::detail(&st, &c, id).await?;
        let ctx = PageCtx::new(&st, &actor, &m.meeting.topic, "party").await?;
        Ok::<_, AppError>(Html(
            MeetingPage {
                ctx,
                tabs: tabs(&c, "meetings"),
                m,
                file_types: &meetings::FILE_TYPES,
            }
            .render(),
        ))
    };
    respond(&st, &actor, run.await.map(IntoResponse::into_response)).await
}

// ---------------------------------------------------------------------------------------------
// Compliance and rules

#[derive(Template)]
#[template(path = "party/compliance.html")]
struct CompliancePage {
    ctx: PageCtx,
    tabs: Tabs,
    view: meetings::Compliance,
    org_value: String,
    orgs: Vec<Choice>,
    periods: Vec<(String, String, String)>,
}

/// `GET /party/compliance`
pub async fn compliance(
    State(st): State<Base>,
    PageActor(actor): PageActor,
    Query(q): Query<super::api::ComplianceQuery>,
) -> Response {
    let run = async {
        let c = actor.caller();
        let period = meetings::period(&q.from, &q.to)?;
        let view = meetings::compliance(&st, &c, q.org, period).await?;
        let day = today();
        let window = |cd: Cadence| cd.window(day).unwrap_or((day, day));
        let (ms, me) = window(Cadence::Month);
        let (qs, qe) = window(Cadence::Quarter);
        let (ys, ye) = window(Cadence::Year);
        let last_q = qs
            .pred_opt()
            .and_then(|d| Cadence::Quarter.window(d))
            .unwrap_or((qs, qe));
        let periods = vec![
            ("本月".to_owned(), ms.to_string(), me.to_string()),
            ("本季度".to_owned(), qs.to_string(), qe.to_string()),
            (
                "上季度".to_owned(),
                last_q.0.to_string(),
                last_q.1.to_string(),
            ),
            ("本年".to_owned(), ys.to_string(), ye.to_string()),
        ];
        let ctx = PageCtx::new(&st, &actor, "组织生活落实情况", "party").await?;
        Ok::<_, AppError>(Html(
            CompliancePage {
                ctx,
                tabs: tabs(&c, "compliance"),
                view,
                org_value: q.org.map(|o| o.to_string()).unwrap_or_default(),
                orgs: org_choices(
                    &st,
                    &c,
                    &[
                        PartyKind::Committee,
                        PartyKind::GeneralBranch,
                        PartyKind::Branch,
                    ],
                )
                .await?,
                periods,
            }
            .render(),
        ))
    };
    respond(&st, &actor, run.await.map(IntoResponse::into_response)).await
}

/// A rule as the rules page shows it.
struct RuleRow {
    kind: &'static str,
    label: &'static str,
    cadence: &'static str,
    applies: &'static str,
    source: &'static str,
    local: bool,
}

#[derive(Template)]
#[template(path = "party/rules.html")]
struct RulesPage {
    ctx: PageCtx,
    tabs: Tabs,
    rules: Vec<RuleRow>,
    cadences: Vec<Choice>,
    can_set: bool,
    whole: bool,
    limit: u32,
}

/// `GET /party/rules`
pub async fn rules(State(st): State<Base>, PageActor(actor): PageActor) -> Response {
    use wangge_core::party::meeting::Applies;
    let run = async {
        let c = actor.caller();
        c.require(Permission::PartyView)?;
        let sets = meetings::rule_sets(&st.db).await?;
        let root = c.audit_root(&st.db).await?;
        let rules = meetings::rules_at(&sets, root.as_str())
            .iter()
            .map(|r| RuleRow {
                kind: r.kind.as_str(),
                label: r.kind.label(),
                cadence: r.cadence.as_str(),
                applies: match r.applies {
                    Applies::Always => "每个党支部",
                    Applies::Committee => "设支部委员会的党支部",
                    Applies::Group => "每个党小组",
                },
                source: r.source,
                local: r.local,
            })
            .collect();
        let whole = c.scope.as_ref().is_none_or(|s| s.is_whole_tree());
        let level = crate::org::entity::node::Entity::find_by_id(root.id())
            .one(&st.db)
            .await?
            .map(|n| n.level)
            .unwrap_or_default();
        let ctx = PageCtx::new(&st, &actor, "组织生活要求", "party").await?;
        Ok::<_, AppError>(Html(
            RulesPage {
                ctx,
                tabs: tabs(&c, "rules"),
                rules,
                cadences: Cadence::ALL
                    .iter()
                    .map(|cd| choice(cd.as_str(), cd.label()))
                    .collect(),
                can_set: c.role.is_none_or(|r| r.can(Permission::PartyManage))
                    && (whole || level == "township"),
                whole,
                limit: links::load_limit(&st.db).await?,
            }
            .render(),
        ))
    };
    respond(&st, &actor, run.await.map(IntoResponse::into_response)).await
}

/// `POST /party/rules`: `cadence_<kind>` per kind, and the link load (district only).
pub async fn set_rules(
    State(st): State<Base>,
    PageActor(actor): PageActor,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Response {
    let parsed = (|| {
        let mut cadences = Vec::new();
        let mut load = None;
        for (k, v) in &pairs {
            if let Some(kind) = k.strip_prefix("cadence_") {
                let kind = MeetingKind::parse(kind)
                    .ok_or_else(|| AppError::bad("bad_kind", "表单里的会议类型无效"))?;
                let cd = Cadence::parse(v).ok_or_else(|| {
                    AppError::bad("bad_cadence", "频次应为每月、每季度、每年或不作要求")
                })?;
                cadences.push((kind, cd));
            } else if k == "link_load" && !v.trim().is_empty() {
                load = Some(v.trim().parse::<u32>().map_err(|_| {
                    AppError::bad("bad_load", "每名党员联系户数应为 1 到 50 的整数")
                })?);
            }
        }
        Ok::<_, AppError>((cadences, load))
    })();
    let r = match parsed {
        Ok((cadences, load)) => meetings::set_rules(&st, &actor.caller(), &cadences, load).await,
        Err(e) => Err(e),
    };
    done(r, "/party/rules", "已保存")
}

// ---------------------------------------------------------------------------------------------
// A member's own page

#[derive(Template)]
#[template(path = "party/me.html")]
struct MePage {
    ctx: PageCtx,
    me: Option<members::MemberView>,
    households: Vec<links::LinkView>,
    branch: Option<party_org::Model>,
}

/// `GET /party/me`: the member's own record and the households they look after (each opens
/// the registry's household page, where a visit is logged and a need becomes a case).
pub async fn me(State(st): State<Base>, PageActor(actor): PageActor) -> Response {
    let run = async {
        let c = actor.caller();
        let me = members::mine(&st, &c).await?;
        let (households, branch) = match &me {
            Some(m) => (
                links::of_holder(&st, &c, "member", m.id).await?,
                party_org::Entity::find_by_id(m.party_org_id)
                    .one(&st.db)
                    .await?,
            ),
            None => (Vec::new(), None),
        };
        let ctx = PageCtx::new(&st, &actor, "我的联户", "party_me").await?;
        Ok::<_, AppError>(Html(
            MePage {
                ctx,
                me,
                households,
                branch,
            }
            .render(),
        ))
    };
    respond(&st, &actor, run.await.map(IntoResponse::into_response)).await
}

// ---------------------------------------------------------------------------------------------
// 党员中心户

#[derive(Template)]
#[template(path = "party/centers.html")]
struct CentersPage {
    ctx: PageCtx,
    tabs: Tabs,
    list: Vec<super::centers::CenterView>,
    /// Members who may be nominated (when the caller nominates).
    members: Vec<Choice>,
    member: String,
    today: String,
}

/// Which member the nomination form starts with.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct CentersQuery {
    member: Option<i64>,
}

/// `GET /party/centers`
pub async fn centers(
    State(st): State<Base>,
    PageActor(actor): PageActor,
    Query(q): Query<CentersQuery>,
) -> Response {
    let run = async {
        let c = actor.caller();
        let list = super::centers::list(&st, &c, None).await?;
        let t = tabs(&c, "centers");
        let members = if t.manage {
            member_choices(&st, &c).await?
        } else {
            Vec::new()
        };
        let ctx = PageCtx::new(&st, &actor, "党员中心户", "party").await?;
        Ok::<_, AppError>(Html(
            CentersPage {
                ctx,
                tabs: t,
                list,
                members,
                member: q.member.map(|m| m.to_string()).unwrap_or_default(),
                today: today().to_string(),
            }
            .render(),
        ))
    };
    respond(&st, &actor, run.await.map(IntoResponse::into_response)).await
}

/// What the nomination form sends.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct NominateForm {
    member_id: String,
    on: String,
    note: String,
}

/// `POST /party/centers`
pub async fn center_nominate(
    State(st): State<Base>,
    PageActor(actor): PageActor,
    Form(f): Form<NominateForm>,
) -> Response {
    let r = match opt_id("党员", &f.member_id) {
        Ok(m) => {
            super::centers::nominate(
                &st,
                &actor.caller(),
                super::centers::NominateInput {
                    member_id: m,
                    on: f.on,
                    note: f.note,
                },
            )
            .await
        }
        Err(e) => Err(e),
    };
    done(r, "/party/centers", "已推荐")
}

/// What a step form sends.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct CenterStepForm {
    step: String,
    on: String,
    until: String,
    reason: String,
    version: String,
}

/// `POST /party/centers/{id}/steps`
pub async fn center_step(
    State(st): State<Base>,
    PageActor(actor): PageActor,
    Path(id): Path<i64>,
    Form(f): Form<CenterStepForm>,
) -> Response {
    let r = super::centers::step(
        &st,
        &actor.caller(),
        id,
        super::centers::StepInput {
            step: f.step,
            on: f.on,
            until: f.until,
            reason: f.reason,
            version: version(&f.version),
        },
    )
    .await;
    done(r, "/party/centers", "已记录")
}

/// `POST /party/meetings/{id}/files` (multipart: `type`, `title`, `file`)
pub async fn meeting_file_add(
    State(st): State<Base>,
    PageActor(actor): PageActor,
    Path(id): Path<i64>,
    mp: axum::extract::Multipart,
) -> Response {
    let run = async {
        let (fields, bytes) = crate::web::read_upload(mp, "会议文件不超过 20 MB").await?;
        let get = |k: &str| fields.get(k).map_or("", String::as_str);
        meetings::add_file(&st, &actor.caller(), id, get("type"), get("title"), &bytes).await
    };
    done(run.await, &format!("/party/meetings/{id}"), "文件已上传")
}

/// `GET /party/meetings/{id}/files/{doc}`
pub async fn meeting_file(
    State(st): State<Base>,
    PageActor(actor): PageActor,
    Path((id, doc)): Path<(i64, i64)>,
) -> Response {
    let run = async {
        let (f, bytes) = meetings::file(&st, &actor.caller(), id, doc).await?;
        Ok(crate::web::document_response(&f.mime, &f.title, bytes))
    };
    respond(&st, &actor, run.await).await
}
