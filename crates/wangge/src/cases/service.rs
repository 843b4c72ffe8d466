//! The case services: intake, the workflow actions, finding and measuring. The rules come from
//! `wangge_core::case` (the state machine), `worktime` (deadlines), `routing` and `rates`; this
//! module loads what they need, applies what they decide in one short transaction with a
//! version check, records the timeline and the audit entry, and queues notifications.

use super::CasesState;
use super::catalog::Catalog;
use super::entity::{case, event, file, follower, upload};
use super::notify::{self, Note};
use crate::infra::audit::{self, Entry};
use crate::infra::clock::{bj, from_bj};
use crate::infra::error::{AppError, AppResult, stored_path};
use crate::infra::vault::{Field, Vault};
use crate::org::entity::{department, node};
use crate::web::Actor;
use chrono::NaiveDate;
use sea_orm::sea_query::{Expr, Query as SqlQuery, SimpleExpr};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, DbBackend, EntityTrait, ExprTrait,
    PaginatorTrait, QueryFilter, QueryOrder, QuerySelect, QueryTrait, Set,
};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use wangge_core::case::{self as wf, Action, Facts, Refusal, Satisfaction, Standing, Status};
use wangge_core::category::Category;
use wangge_core::rates::{self, Light};
use wangge_core::routing::{self, Place, Target};
use wangge_core::worktime::Limit;
use wangge_core::{OrgLevel, OrgPath, Role, validate};

/// The kinds of work the engine carries. Later capabilities (disputes, hazards) add theirs.
pub const KINDS: &[(&str, &str)] = &[("appeal", "诉求"), ("incident", "事件")];

/// Where reports come from.
pub const SOURCES: &[(&str, &str)] = &[
    ("resident", "居民自报"),
    ("patrol", "网格员巡查"),
    ("hotline", "12345 热线"),
    ("api", "开放接口"),
];

/// The Chinese name of a kind.
pub fn kind_label(k: &str) -> &'static str {
    KINDS.iter().find(|x| x.0 == k).map_or("其他", |x| x.1)
}

/// The Chinese name of a source.
pub fn source_label(s: &str) -> &'static str {
    SOURCES.iter().find(|x| x.0 == s).map_or("其他", |x| x.1)
}

fn status_of(m: &case::Model) -> AppResult<Status> {
    Status::parse(&m.status)
        .ok_or_else(|| AppError::Internal(anyhow::anyhow!("case {} has a bad status", m.id)))
}

fn not_found() -> AppError {
    AppError::NotFound("没有找到这件案件，或您无权查看".into())
}

// ---------------------------------------------------------------------------------------------
// Who sees what

/// The condition that keeps the cases a caller may see: staff see cases located in, queued at
/// or dispatched into their subtree; department handlers what is dispatched to their
/// department; everyone their own reports and the cases they follow.
pub fn visible(a: &Actor) -> Condition {
    let mine = Condition::any()
        .add(case::Column::ReporterId.eq(a.user_id))
        .add(
            case::Column::Id.in_subquery(
                SqlQuery::select()
                    .column(follower::Column::CaseId)
                    .from(follower::Entity)
                    .and_where(Expr::col(follower::Column::UserId).eq(a.user_id))
                    .to_owned(),
            ),
        );
    match a.role {
        r if !r.is_staff() => mine,
        Role::DepartmentHandler => match a.department_id {
            Some(d) => mine.add(case::Column::AssigneeDeptId.eq(d)),
            None => mine,
        },
        _ => mine
            .add(crate::infra::db::in_scope("org_path", &a.scope))
            .add(crate::infra::db::in_scope("dispatch_path", &a.scope))
            .add(crate::infra::db::in_scope("assignee_path", &a.scope)),
    }
}

/// A case the caller may see, or 404.
pub async fn find(db: &impl ConnectionTrait, a: &Actor, id: i64) -> AppResult<case::Model> {
    case::Entity::find_by_id(id)
        .filter(visible(a))
        .one(db)
        .await?
        .ok_or_else(not_found)
}

async fn is_follower(db: &impl ConnectionTrait, case_id: i64, user: i64) -> AppResult<bool> {
    Ok(follower::Entity::find()
        .filter(follower::Column::CaseId.eq(case_id))
        .filter(follower::Column::UserId.eq(user))
        .count(db)
        .await?
        > 0)
}

/// How the actor stands towards the case (see [`Standing`]).
pub fn standing(a: &Actor, m: &case::Model) -> AppResult<Standing> {
    // Only the reporter withdraws or rates; followers (the reporters of merged duplicates)
    // are told, and see the case, but do not speak for its reporter.
    let reporter = m.reporter_id == Some(a.user_id);
    let assignee = match (m.assignee_dept_id, m.assignee_org_id) {
        (Some(d), _) => a.department_id == Some(d) && a.role == Role::DepartmentHandler,
        (None, Some(n)) => a.org_id == n && a.role.handles_at_node(),
        _ => false,
    };
    let dispatch = stored_path(&m.dispatch_path)?;
    let handler_path = match &m.assignee_path {
        Some(p) => stored_path(p)?,
        None => dispatch.clone(),
    };
    let place = stored_path(&m.org_path)?;
    Ok(Standing {
        role: a.role,
        reporter,
        assignee,
        dispatcher: a.scope.allows(&dispatch),
        above: !assignee && a.scope.allows(&handler_path) && a.scope.root() != &handler_path
            || !assignee && m.assignee_dept_id.is_some() && a.scope.allows(&handler_path),
        local: a.role == Role::GridWorker && a.scope.allows(&place),
    })
}

// ---------------------------------------------------------------------------------------------
// Intake

pub use super::intake::{Created, NewCase, Reporter, parse_phone, report};

async fn active_node(db: &impl ConnectionTrait, id: i64) -> AppResult<Option<node::Model>> {
    Ok(node::Entity::find_by_id(id)
        .filter(node::Column::Status.eq("active"))
        .one(db)
        .await?)
}

pub(crate) fn level_of(n: &node::Model) -> Option<OrgLevel> {
    OrgLevel::parse(&n.level)
}

/// The path of the street or town above a place, given the place's ancestors: where a learned
/// category model is kept.
pub fn township_path(chain: &[node::Model]) -> Option<String> {
    chain
        .iter()
        .find(|n| n.level == "township")
        .map(|n| n.path.clone())
}

/// The street or town above a node's path.
pub async fn street_of(db: &impl ConnectionTrait, path: &OrgPath) -> AppResult<Option<String>> {
    Ok(township_path(&chain(db, path).await?))
}

/// The place's ancestors (itself included), as routing sees them.
async fn chain(db: &impl ConnectionTrait, path: &OrgPath) -> AppResult<Vec<node::Model>> {
    Ok(node::Entity::find()
        .filter(node::Column::Id.is_in(path.ids()))
        .all(db)
        .await?)
}

fn places_of(nodes: &[node::Model]) -> AppResult<Vec<Place>> {
    nodes
        .iter()
        .map(|n| {
            Ok(Place {
                id: n.id,
                name: n.name.clone(),
                path: stored_path(&n.path)?,
                level: level_of(n).unwrap_or(OrgLevel::Building),
                area: None,
                active: n.status == "active",
            })
        })
        .collect()
}

async fn departments_on(
    db: &impl ConnectionTrait,
    nodes: &[node::Model],
) -> AppResult<Vec<department::Model>> {
    Ok(department::Entity::find()
        .filter(department::Column::OrgId.is_in(nodes.iter().map(|n| n.id)))
        .filter(department::Column::Status.eq("active"))
        .all(db)
        .await?)
}

/// The suggested handler of a case at `place`, as (target, its name, reason), or the reason
/// none was found.
pub(crate) async fn suggest_route(
    db: &impl ConnectionTrait,
    place: &OrgPath,
    cat: &Category,
) -> AppResult<Result<(Target, String), String>> {
    let nodes = chain(db, place).await?;
    let depts = departments_on(db, &nodes).await?;
    route_from(&nodes, &depts, place, cat)
}

/// The suggested handler of a case at `place`, given the place's ancestors and their
/// departments (see [`suggest_route`]).
pub(crate) fn route_from(
    nodes: &[node::Model],
    depts: &[department::Model],
    place: &OrgPath,
    cat: &Category,
) -> AppResult<Result<(Target, String), String>> {
    let places = places_of(nodes)?;
    let rdepts: Vec<routing::Department> = depts
        .iter()
        .map(|d| {
            Ok(routing::Department {
                id: d.id,
                name: d.name.clone(),
                org_path: stored_path(&d.org_path)?,
                kind: d.kind.clone(),
                active: true,
            })
        })
        .collect::<AppResult<_>>()?;
    Ok(match routing::route(place, cat, &places, &rdepts) {
        Ok(r) => Ok((r.target, r.reason)),
        Err(e) => Err(e.to_string()),
    })
}

/// Stores an uploaded photo and notes who uploaded it (an account, or nobody for the public
/// page, whose photos go with the report in the same request). Answers (id, mime, size).
pub async fn store_upload(
    st: &CasesState,
    uploader: Option<&Actor>,
    bytes: &[u8],
) -> AppResult<(String, String, i64)> {
    let stored = crate::infra::files::put(&st.config.data_dir, bytes).await?;
    if let Some(a) = uploader {
        let txn = crate::infra::db::begin_write(&st.db).await?;
        let new = upload::Entity::insert(upload::ActiveModel {
            sha256: Set(stored.0.clone()),
            user_id: Set(a.user_id),
            created_at: Set(crate::infra::clock::now_ms()),
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
        .exec(&txn)
        .await?;
        if matches!(new, sea_orm::TryInsertResult::Inserted(_)) {
            audit::record(
                &txn,
                &a.who(),
                Entry {
                    org_path: a.scope.root(),
                    action: "upload",
                    entity: "file",
                    entity_id: None,
                    summary: format!("上传照片（{}，{} 字节）", stored.1, stored.2),
                    changes: json!({"file": stored.0}),
                },
            )
            .await?;
        }
        txn.commit().await?;
    }
    Ok(stored)
}

/// Checks photo ids and returns them: each must be a stored file that `uploader` uploaded
/// (`None`: the public page, which passes the ids it stored in the same request). A file
/// someone else uploaded and a file that does not exist get the same answer, so a hash tells
/// nothing.
pub(crate) async fn photo_ids(
    st: &CasesState,
    uploader: Option<i64>,
    ids: &[String],
) -> AppResult<Vec<(String, String, i64)>> {
    if ids.len() > crate::infra::files::MAX_PHOTOS {
        return Err(AppError::bad(
            "too_many_photos",
            format!("每次最多上传 {} 张照片", crate::infra::files::MAX_PHOTOS),
        ));
    }
    let missing = || {
        AppError::bad(
            "bad_photo",
            "照片不存在或不是您上传的：请先上传照片，再提交",
        )
    };
    if let (Some(user), false) = (uploader, ids.is_empty()) {
        let owned: std::collections::HashSet<String> = upload::Entity::find()
            .select_only()
            .column(upload::Column::Sha256)
            .filter(upload::Column::UserId.eq(user))
            .filter(upload::Column::Sha256.is_in(ids.iter().cloned()))
            .into_tuple::<String>()
            .all(&st.db)
            .await?
            .into_iter()
            .collect();
        if ids.iter().any(|id| !owned.contains(id)) {
            return Err(missing());
        }
    }
    ids.iter()
        .map(|id| crate::infra::files::stat(&st.config.data_dir, id).ok_or_else(missing))
        .collect()
}

pub(crate) async fn attach(
    db: &impl ConnectionTrait,
    case_id: i64,
    event_id: Option<i64>,
    photos: &[(String, String, i64)],
) -> AppResult<()> {
    for (sha, mime, size) in photos {
        file::ActiveModel {
            case_id: Set(case_id),
            event_id: Set(event_id),
            sha256: Set(sha.clone()),
            mime: Set(mime.clone()),
            size: Set(*size),
            created_at: Set(crate::infra::clock::now_ms()),
            ..Default::default()
        }
        .insert(db)
        .await?;
    }
    Ok(())
}

pub(crate) fn target_json(t: &Target) -> Value {
    match t {
        Target::Node(id) => json!({"org_id": id}),
        Target::Department(id) => json!({"department_id": id}),
    }
}

// ---------------------------------------------------------------------------------------------
// The timeline

/// Who made a step of the timeline.
#[derive(Clone, Copy)]
pub(crate) enum By<'a> {
    /// An account.
    Actor(&'a Actor),
    /// Someone without an account: the public reporter.
    Public,
    /// The pressing job.
    System,
}

/// One step to record.
pub(crate) struct EventIn<'a> {
    pub case_id: i64,
    pub by: By<'a>,
    pub at: i64,
    pub action: &'a str,
    pub from: &'a str,
    pub to: &'a str,
    pub note: String,
    pub data: Value,
}

/// Writes one step of a case's timeline.
pub(crate) async fn record_event(db: &impl ConnectionTrait, e: EventIn<'_>) -> AppResult<i64> {
    Ok(event_row(e).insert(db).await?.id)
}

/// The row of one step of a case's timeline.
pub(crate) fn event_row(e: EventIn<'_>) -> event::ActiveModel {
    let (id, name, role) = match e.by {
        By::Actor(a) => (
            Some(a.user_id),
            a.display_name.clone(),
            a.role.as_str().to_owned(),
        ),
        By::Public if e.action == "report" => (None, "公众".into(), "public".into()),
        By::Public => (None, "报告人".into(), "public".into()),
        By::System => (None, "系统".into(), "system".into()),
    };
    event::ActiveModel {
        case_id: Set(e.case_id),
        at: Set(e.at),
        actor_id: Set(id),
        actor_name: Set(name),
        actor_role: Set(role),
        action: Set(e.action.to_owned()),
        from_status: Set(e.from.to_owned()),
        to_status: Set(e.to.to_owned()),
        note: Set(e.note),
        data: Set(e.data.to_string()),
        ..Default::default()
    }
}

// ---------------------------------------------------------------------------------------------
// Actions

/// One workflow action, as the API and the forms send it.
#[derive(Debug, Default, Deserialize)]
pub struct ActInput {
    /// accept, reject, dispatch, acknowledge, return, feedback, verify, rate, close,
    /// withdraw, merge, escalate, supervise, request_extension, decide_extension.
    pub action: String,
    /// The version the actor saw.
    pub version: Option<i32>,
    /// Reason, result, note or comment, by action.
    #[serde(default)]
    pub text: String,
    /// dispatch: a node.
    #[serde(default)]
    pub org_id: Option<i64>,
    /// dispatch: a department.
    #[serde(default)]
    pub department_id: Option<i64>,
    /// verify: passed; decide_extension: approved.
    #[serde(default)]
    pub passed: Option<bool>,
    /// rate: 是否联系.
    #[serde(default)]
    pub contacted: Option<bool>,
    /// rate: 是否解决.
    #[serde(default)]
    pub solved: Option<bool>,
    /// rate: satisfied / basic / dissatisfied.
    #[serde(default)]
    pub satisfaction: Option<String>,
    /// request_extension: working days.
    #[serde(default)]
    pub days: Option<u32>,
    /// merge: the case number or id this one duplicates.
    #[serde(default)]
    pub into: Option<String>,
    /// feedback: photos uploaded before.
    #[serde(default)]
    pub photos: Vec<String>,
}

/// The action names, with their Chinese labels (the README lists their fields).
pub const ACTIONS: &[(&str, &str)] = &[
    ("accept", "受理"),
    ("reject", "不予受理"),
    ("dispatch", "派遣"),
    ("acknowledge", "签收"),
    ("return", "退回"),
    ("feedback", "反馈"),
    ("verify", "核查"),
    ("rate", "评价/回访"),
    ("close", "结案"),
    ("withdraw", "撤回"),
    ("merge", "合并"),
    ("escalate", "上报上级"),
    ("supervise", "督办"),
    ("request_extension", "申请延期"),
    ("decide_extension", "审批延期"),
];

/// Parses a satisfaction from its identifier or Chinese name.
pub fn parse_satisfaction(s: &str) -> Option<Satisfaction> {
    match s.trim() {
        "satisfied" | "满意" => Some(Satisfaction::Satisfied),
        "basic" | "基本满意" => Some(Satisfaction::Basic),
        "dissatisfied" | "不满意" => Some(Satisfaction::Dissatisfied),
        _ => None,
    }
}

/// The identifier of a satisfaction.
pub fn satisfaction_str(s: Satisfaction) -> &'static str {
    match s {
        Satisfaction::Satisfied => "satisfied",
        Satisfaction::Basic => "basic",
        Satisfaction::Dissatisfied => "dissatisfied",
    }
}

/// The Chinese name of a stored satisfaction.
pub fn satisfaction_label(s: &str) -> &'static str {
    match s {
        "satisfied" => "满意",
        "basic" => "基本满意",
        "dissatisfied" => "不满意",
        _ => "",
    }
}

fn to_action(i: &ActInput) -> AppResult<Action> {
    // A reason, a result or a comment: the one rule for free text (required or not is the
    // workflow's to say).
    let text = validate::text("说明", &i.text, 2000, validate::Lines::Many, false)?;
    let need = |what: &str, v: Option<bool>| {
        v.ok_or_else(|| AppError::bad("bad_input", format!("请选择{what}")))
    };
    Ok(match i.action.as_str() {
        "accept" => Action::Accept,
        "reject" => Action::Reject { reason: text },
        "dispatch" => Action::Dispatch,
        "acknowledge" => Action::Acknowledge,
        "return" => Action::Return { reason: text },
        "feedback" => Action::FeedBack { text },
        "verify" => Action::Verify {
            passed: need("核查结果", i.passed)?,
            note: text,
        },
        "rate" => Action::Rate {
            contacted: need("是否联系", i.contacted)?,
            solved: need("是否解决", i.solved)?,
            satisfaction: i
                .satisfaction
                .as_deref()
                .and_then(parse_satisfaction)
                .ok_or_else(|| AppError::bad("bad_input", "请选择满意、基本满意或不满意"))?,
        },
        "close" => Action::Close,
        "withdraw" => Action::Withdraw,
        "merge" => Action::Merge,
        "escalate" => Action::Escalate { reason: text },
        "supervise" => Action::Supervise { note: text },
        "request_extension" => Action::RequestExtension {
            reason: text,
            days: i
                .days
                .ok_or_else(|| AppError::bad("bad_input", "请填写延期的工作日天数"))?,
        },
        "decide_extension" => Action::DecideExtension {
            approve: need("审批结果", i.passed)?,
        },
        other => {
            return Err(AppError::bad(
                "unknown_action",
                format!("没有“{other}”这个操作"),
            ));
        }
    })
}

impl From<Refusal> for AppError {
    fn from(r: Refusal) -> AppError {
        match r {
            Refusal::WrongState { .. } => AppError::conflict("wrong_state", r.to_string()),
            Refusal::NotAllowed { .. } => AppError::Forbidden(r.to_string()),
            Refusal::BadInput(m) => AppError::bad("bad_input", m),
        }
    }
}

fn limit_deadline(cal: &Catalog, start_ms: i64, l: Limit) -> i64 {
    from_bj(cal.calendar.deadline(bj(start_ms), l))
}

/// Resolves a dispatch target in the caller's scope: (org id, dept id, path, name).
async fn dispatch_target(
    db: &impl ConnectionTrait,
    a: &Actor,
    i: &ActInput,
) -> AppResult<(Option<i64>, Option<i64>, String, String)> {
    match (i.org_id, i.department_id) {
        (_, Some(d)) => {
            let dep = department::Entity::find_by_id(d)
                .filter(department::Column::Status.eq("active"))
                .one(db)
                .await?
                .ok_or_else(|| AppError::bad("bad_target", "所选部门不存在或已停用"))?;
            a.require_scope(&stored_path(&dep.org_path)?)?;
            Ok((None, Some(dep.id), dep.org_path, dep.name))
        }
        (Some(o), None) => {
            let n = active_node(db, o)
                .await?
                .ok_or_else(|| AppError::bad("bad_target", "所选单位不存在或已停用"))?;
            if !matches!(
                level_of(&n),
                Some(
                    OrgLevel::Grid | OrgLevel::MicroGrid | OrgLevel::Community | OrgLevel::Township
                )
            ) {
                return Err(AppError::bad(
                    "bad_target",
                    "只能派遣到网格、社区（村）、街道（乡镇）或职能部门",
                ));
            }
            a.require_scope(&stored_path(&n.path)?)?;
            Ok((Some(n.id), None, n.path, n.name))
        }
        (None, None) => Err(AppError::bad("bad_target", "请选择承办单位")),
    }
}

/// Performs one action on a case for the actor. A stale `version` → 409.
pub async fn act(st: &CasesState, a: &Actor, id: i64, i: ActInput) -> AppResult<case::Model> {
    let m = find(&st.db, a, id).await?;
    let who = standing(a, &m)?;
    apply_action(st, Some(a), m, who, i).await?;
    // The actor may no longer see the case (a department that returned it): they still get
    // the state their action left it in.
    case::Entity::find_by_id(id)
        .one(&st.db)
        .await?
        .ok_or_else(not_found)
}

/// The anonymous reporter acts from their private follow-up page (rate, withdraw).
pub async fn act_as_public_reporter(
    st: &CasesState,
    m: &case::Model,
    i: ActInput,
) -> AppResult<()> {
    let who = Standing {
        role: Role::Resident,
        reporter: true,
        assignee: false,
        dispatcher: false,
        above: false,
        local: false,
    };
    apply_action(st, None, m.clone(), who, i).await
}

async fn apply_action(
    st: &CasesState,
    actor: Option<&Actor>,
    m: case::Model,
    who: Standing,
    i: ActInput,
) -> AppResult<()> {
    let db = &st.db;
    let action = to_action(&i)?;
    let version = i
        .version
        .ok_or_else(|| AppError::bad("need_version", "请带上案件的版本号 version"))?;
    if m.version != version {
        return Err(AppError::stale());
    }
    let status = status_of(&m)?;
    let outcome = wf::apply(
        Facts {
            status,
            reworks_after_rating: u32::try_from(m.reworks_after_rating).unwrap_or(0),
            extension_pending: m.extension_pending,
        },
        who,
        &action,
    )?;
    let staff = || actor.ok_or_else(AppError::no_permission);
    let cat_ref = st.catalog.get(db).await?;
    let catalog: &Catalog = &cat_ref;
    let cat = catalog
        .category(&m.category_code)
        .cloned()
        .ok_or_else(|| AppError::Internal(anyhow::anyhow!("case {} lost its category", m.id)))?;
    let now = crate::infra::clock::now_ms();
    let mut am: case::ActiveModel = m.clone().into();
    am.status = Set(outcome.status.as_str().to_owned());
    am.version = Set(m.version + 1);
    am.updated_at = Set(now);
    if let Some(p) = outcome.extension_pending {
        am.extension_pending = Set(p);
    }
    if outcome.restart_clock && action != Action::Dispatch {
        am.handle_due = Set(Some(limit_deadline(catalog, now, cat.handling)));
        am.fed_back_at = Set(None);
        am.reminded_at = Set(None);
        am.urged_at = Set(None);
    }
    let mut data = json!({});
    let mut photos = Vec::new();
    let mut notes: Vec<Note> = Vec::new();
    let mut merge_target: Option<case::Model> = None;
    let mut escalate_to: Option<node::Model> = None;
    let label = |s: &str| format!("案件 {} {}", m.case_no, s);
    let tx = crate::infra::db::begin_write(db).await?;
    match &action {
        Action::Dispatch => {
            let (org, dept, path, name) = dispatch_target(&tx, staff()?, &i).await?;
            am.assignee_org_id = Set(org);
            am.assignee_dept_id = Set(dept);
            am.assignee_path = Set(Some(path));
            am.assignee_name = Set(name.clone());
            am.dispatched_at = Set(Some(now));
            am.response_due = Set(Some(limit_deadline(catalog, now, cat.response)));
            am.handle_due = Set(Some(limit_deadline(catalog, now, cat.handling)));
            am.acknowledged_at = Set(None);
            am.fed_back_at = Set(None);
            am.reminded_at = Set(None);
            am.urged_at = Set(None);
            am.ack_late = Set(false);
            am.handle_late = Set(false);
            data = json!({"to": name, "org_id": org, "department_id": dept});
            notes.extend(
                notify::to_assignee(
                    &tx,
                    org,
                    dept,
                    m.id,
                    "dispatch",
                    &label(&format!("已派遣给您，请签收：{}", m.title)),
                )
                .await?,
            );
        }
        Action::Acknowledge => {
            am.acknowledged_at = Set(Some(now));
            am.ack_late = Set(m.response_due.is_some_and(|d| now > d));
        }
        Action::Return { .. } => {
            am.assignee_org_id = Set(None);
            am.assignee_dept_id = Set(None);
            am.assignee_path = Set(None);
            data = json!({"from": m.assignee_name});
            am.assignee_name = Set(String::new());
            notes.extend(
                notify::to_dispatchers(
                    &tx,
                    m.dispatch_org_id,
                    m.id,
                    "return",
                    &label("被退回，请重新派遣"),
                )
                .await?,
            );
        }
        Action::FeedBack { .. } => {
            // Only an account feeds back, with photos it uploaded.
            let uploader = actor.map(|a| a.user_id).unwrap_or(-1);
            photos = photo_ids(st, Some(uploader), &i.photos).await?;
            am.fed_back_at = Set(Some(now));
            am.handle_late = Set(m.handle_due.is_some_and(|d| now > d));
            notes.extend(
                notify::to_grid_workers(
                    &tx,
                    m.org_id,
                    m.id,
                    "feedback",
                    &label("已反馈处置结果，请现场核查"),
                )
                .await?,
            );
        }
        Action::Verify { passed, .. } => {
            data = json!({"passed": passed});
            if *passed {
                if let Some(r) = m.reporter_id {
                    notes.extend(
                        notify::to_users(&tx, &[r], m.id, "rate", &label("已处置完毕，请您评价"))
                            .await?,
                    );
                }
                notes.extend(
                    notify::to_dispatchers(
                        &tx,
                        m.dispatch_org_id,
                        m.id,
                        "verify",
                        &label("核查通过，待评价或回访"),
                    )
                    .await?,
                );
            } else {
                notes.extend(
                    notify::to_assignee(
                        &tx,
                        m.assignee_org_id,
                        m.assignee_dept_id,
                        m.id,
                        "rework",
                        &label("核查未通过，请重新处置"),
                    )
                    .await?,
                );
            }
        }
        Action::Rate {
            contacted,
            solved,
            satisfaction,
        } => {
            let comment: String = i.text.trim().chars().take(500).collect();
            am.rated_at = Set(Some(now));
            am.contacted = Set(Some(*contacted));
            am.solved = Set(Some(*solved));
            am.satisfaction = Set(Some(satisfaction_str(*satisfaction).to_owned()));
            am.rating_comment = Set(comment);
            data = json!({
                "contacted": contacted, "solved": solved,
                "satisfaction": satisfaction_str(*satisfaction),
                "by": if who.reporter { "reporter" } else { "return_visit" },
            });
            if outcome.rework_after_rating {
                am.reworks_after_rating = Set(m.reworks_after_rating + 1);
                notes.extend(
                    notify::to_assignee(
                        &tx,
                        m.assignee_org_id,
                        m.assignee_dept_id,
                        m.id,
                        "rework",
                        &label("评价不满意，请重新处置"),
                    )
                    .await?,
                );
            } else {
                am.closed_at = Set(Some(now));
            }
        }
        Action::Close => {
            am.closed_at = Set(Some(now));
        }
        Action::Merge => {
            let key = i.into.as_deref().map(str::trim).unwrap_or("");
            let found = find_by_no_or_id(&tx, staff()?, key).await?;
            // The target stays open until this commits: a close or a merge of it at the same
            // moment waits, then sees this one.
            crate::infra::db::lock_row(&tx, "cases", found.id).await?;
            let target = case::Entity::find_by_id(found.id)
                .one(&tx)
                .await?
                .ok_or_else(not_found)?;
            let ts = status_of(&target)?;
            if target.id == m.id || ts.is_final() {
                return Err(AppError::bad("bad_merge", "只能合并到另一件尚未办结的案件"));
            }
            am.merged_into = Set(Some(target.id));
            data = json!({"into": target.case_no});
            if let Some(r) = m.reporter_id
                && Some(r) != target.reporter_id
                && !is_follower(&tx, target.id, r).await?
            {
                follower::ActiveModel {
                    case_id: Set(target.id),
                    user_id: Set(r),
                    ..Default::default()
                }
                .insert(&tx)
                .await?;
                notes.extend(
                    notify::to_users(
                        &tx,
                        &[r],
                        target.id,
                        "merge",
                        &format!(
                            "您反映的案件 {} 已与 {} 合并办理",
                            m.case_no, target.case_no
                        ),
                    )
                    .await?,
                );
            }
            merge_target = Some(target);
        }
        Action::Escalate { .. } => {
            let here = node::Entity::find_by_id(m.dispatch_org_id).one(&tx).await?;
            let up = match here.and_then(|h| h.parent_id) {
                Some(p) => active_node(&tx, p).await?,
                None => None,
            }
            .ok_or_else(|| AppError::bad("no_upper_level", "已是最高一级，无法再上报"))?;
            am.dispatch_org_id = Set(up.id);
            am.dispatch_path = Set(up.path.clone());
            am.assignee_org_id = Set(None);
            am.assignee_dept_id = Set(None);
            am.assignee_path = Set(None);
            am.assignee_name = Set(String::new());
            data = json!({"to": up.name});
            notes.extend(
                notify::to_dispatchers(
                    &tx,
                    up.id,
                    m.id,
                    "escalate",
                    &label(&format!("由下级上报，请受理：{}", m.title)),
                )
                .await?,
            );
            escalate_to = Some(up);
        }
        Action::Supervise { note } => {
            am.supervised = Set(true);
            notes.extend(
                notify::to_assignee(
                    &tx,
                    m.assignee_org_id,
                    m.assignee_dept_id,
                    m.id,
                    "supervise",
                    &label(&format!("被督办：{note}")),
                )
                .await?,
            );
        }
        Action::RequestExtension { days, .. } => {
            am.extension_days = Set(i32::try_from(*days).unwrap_or(0));
            data = json!({"days": days});
            notes.extend(
                notify::to_dispatchers(
                    &tx,
                    m.dispatch_org_id,
                    m.id,
                    "extension",
                    &label(&format!("申请延期 {days} 个工作日，请审批")),
                )
                .await?,
            );
        }
        Action::DecideExtension { approve } => {
            let days = u32::try_from(m.extension_days).unwrap_or(0);
            if *approve && let Some(due) = m.handle_due {
                let new_due = limit_deadline(catalog, due, Limit::WorkingDays(days));
                am.handle_due = Set(Some(new_due));
                am.urged_at = Set(None);
                am.reminded_at = Set(None);
            }
            am.extension_days = Set(0);
            data = json!({"approve": approve, "days": days});
            notes.extend(
                notify::to_assignee(
                    &tx,
                    m.assignee_org_id,
                    m.assignee_dept_id,
                    m.id,
                    "extension",
                    &label(if *approve {
                        "延期申请已批准"
                    } else {
                        "延期申请未获批准"
                    }),
                )
                .await?,
            );
        }
        Action::Accept | Action::Reject { .. } | Action::Withdraw => {
            if let (Action::Reject { .. }, Some(r)) = (&action, m.reporter_id) {
                notes
                    .extend(notify::to_users(&tx, &[r], m.id, "reject", &label("不予受理")).await?);
            }
        }
    }
    let res = case::Entity::update_many()
        .set(am)
        .filter(case::Column::Id.eq(m.id))
        .filter(case::Column::Version.eq(m.version))
        .exec(&tx)
        .await?;
    if res.rows_affected == 0 {
        return Err(AppError::stale());
    }
    let ev = record_event(
        &tx,
        EventIn {
            case_id: m.id,
            by: actor.map_or(By::Public, By::Actor),
            at: now,
            action: action.as_str(),
            from: status.as_str(),
            to: outcome.status.as_str(),
            note: i.text.trim().chars().take(2000).collect(),
            data,
        },
    )
    .await?;
    attach(&tx, m.id, Some(ev), &photos).await?;
    if let Some(t) = &merge_target {
        record_event(
            &tx,
            EventIn {
                case_id: t.id,
                by: actor.map_or(By::Public, By::Actor),
                at: now,
                action: "merged_in",
                from: &t.status,
                to: &t.status,
                note: String::new(),
                data: json!({"from": m.case_no}),
            },
        )
        .await?;
    }
    let audit_who = actor.map_or_else(
        || crate::infra::audit::Who {
            id: None,
            name: "公众（报告人）".into(),
            ip: String::new(),
        },
        Actor::who,
    );
    audit::record(
        &tx,
        &audit_who,
        Entry {
            org_path: &stored_path(&m.org_path)?,
            action: "case_action",
            entity: "case",
            entity_id: Some(m.id),
            summary: format!(
                "案件 {}：{}{}",
                m.case_no,
                action.label(),
                escalate_to
                    .map(|u| format!("至{}", u.name))
                    .unwrap_or_default()
            ),
            changes: audit::changes(&[(
                "status",
                status.as_str().into(),
                outcome.status.as_str().into(),
            )]),
        },
    )
    .await?;
    tx.commit().await?;
    st.hub.publish(notes);
    Ok(())
}

/// Whether a stored file belongs to a case.
pub async fn case_has_file(db: &impl ConnectionTrait, case_id: i64, sha: &str) -> AppResult<bool> {
    Ok(file::Entity::find()
        .filter(file::Column::CaseId.eq(case_id))
        .filter(file::Column::Sha256.eq(sha))
        .count(db)
        .await?
        > 0)
}

async fn find_by_no_or_id(
    db: &impl ConnectionTrait,
    a: &Actor,
    key: &str,
) -> AppResult<case::Model> {
    if key.is_empty() {
        return Err(AppError::bad("bad_merge", "请填写要合并到的案件编号"));
    }
    let cond = match key.parse::<i64>() {
        Ok(id) => Condition::any().add(case::Column::Id.eq(id)),
        Err(_) => Condition::any().add(case::Column::CaseNo.eq(key)),
    };
    case::Entity::find()
        .filter(cond)
        .filter(visible(a))
        .one(db)
        .await?
        .ok_or_else(|| AppError::bad("bad_merge", format!("没有找到案件 {key}")))
}

/// Whether the actor sees the reporter's full phone: those who act on the case (its assignee,
/// its screeners other than grid workers) and not when the reporter keeps their identity
/// private ([`view`] masks it then).
pub fn shows_full_phone(who: Standing) -> bool {
    who.assignee || who.dispatcher && who.role != Role::GridWorker
}

/// The timeline as the public reporter sees it: only the notes meant for them (why it was not
/// accepted, what was done, their own rating).
pub fn public_timeline(mut events: Vec<EventView>) -> Vec<EventView> {
    for e in &mut events {
        if !matches!(e.action.as_str(), "reject" | "feedback" | "rate") {
            e.note.clear();
        }
    }
    events
}

/// How many public reports one address may send per hour.
const PUBLIC_PER_HOUR: u64 = 20;

/// Refuses a public report when the address sent too many in the last hour. Each is counted
/// before it is taken in (see [`crate::infra::access::take_try`]), so that many sent at once are too.
pub async fn check_public_rate(db: &impl ConnectionTrait, ip: &str) -> AppResult<()> {
    let tries = crate::infra::access::Tries {
        kind: "report",
        window_ms: 3_600_000,
        per_key: PUBLIC_PER_HOUR,
        per_ip: PUBLIC_PER_HOUR,
    };
    if !crate::infra::access::take_try(db, tries, ip, ip).await? {
        return Err(AppError::TooManyRequests(
            "提交过于频繁，请稍后再试，或拨打 12345 热线".into(),
        ));
    }
    Ok(())
}

/// The most working days one extension adds (the form's bound comes from the core's rule).
pub const MAX_EXTENSION_DAYS: u32 = wangge_core::case::MAX_EXTENSION_DAYS;

/// The actions that move a case on, in the order a caller is most likely to want them: the
/// one expected next comes first. The others the caller may take (refuse, return, escalate,
/// merge, supervise, withdraw, ask for more time) are exceptions.
const MAIN_ACTIONS: [&str; 8] = [
    "decide_extension",
    "verify",
    "feedback",
    "acknowledge",
    "dispatch",
    "accept",
    "rate",
    "close",
];

/// Splits the actions a caller may take into the expected ones, the next step first, and the
/// exceptions, in their usual order.
pub fn next_step_first(actions: &[&'static str]) -> (Vec<&'static str>, Vec<&'static str>) {
    let main = MAIN_ACTIONS
        .iter()
        .filter_map(|m| actions.iter().find(|a| *a == m).copied())
        .collect();
    let other = actions
        .iter()
        .filter(|a| !MAIN_ACTIONS.contains(a))
        .copied()
        .collect();
    (main, other)
}

/// The actions the actor may take now, as (identifier, label), for the detail page's forms.
pub fn allowed_actions(
    m: &case::Model,
    who: Standing,
) -> AppResult<Vec<(&'static str, &'static str)>> {
    let facts = Facts {
        status: status_of(m)?,
        reworks_after_rating: u32::try_from(m.reworks_after_rating).unwrap_or(0),
        extension_pending: m.extension_pending,
    };
    let mut out = Vec::new();
    for (name, label) in ACTIONS {
        let probe = ActInput {
            action: (*name).to_owned(),
            text: "x".into(),
            passed: Some(true),
            contacted: Some(true),
            solved: Some(true),
            satisfaction: Some("satisfied".into()),
            days: Some(1),
            ..Default::default()
        };
        let Ok(act) = to_action(&probe) else { continue };
        if wf::apply(facts, who, &act).is_ok() {
            out.push((*name, *label));
        }
    }
    Ok(out)
}

// ---------------------------------------------------------------------------------------------
// Finding

/// Filters of the case lists (all optional).
#[derive(Debug, Default, Clone, Deserialize, Serialize)]
pub struct Filter {
    /// A status identifier.
    pub status: Option<String>,
    /// A kind.
    pub kind: Option<String>,
    /// A category code (or a group code: every category of the group).
    pub category: Option<String>,
    /// A source.
    pub source: Option<String>,
    /// An org node: cases located in its subtree.
    pub org: Option<i64>,
    /// Assigned to this node.
    pub assignee_org: Option<i64>,
    /// Assigned to this department.
    pub assignee_dept: Option<i64>,
    /// Reported on or after (YYYY-MM-DD, Beijing).
    pub from: Option<String>,
    /// Reported on or before (YYYY-MM-DD, Beijing).
    pub to: Option<String>,
    /// Only overdue open cases.
    pub overdue: Option<bool>,
    /// Words in the number, title, description or address.
    pub q: Option<String>,
    /// Page, from 1.
    pub page: Option<u64>,
    /// Rows per page (at most 200).
    pub per_page: Option<u64>,
}

impl Filter {
    /// Whether the filter asks only what the scope index (org path, status, creation time)
    /// answers by itself, so that counting the cases located in a scope reads no rows.
    fn scope_index_covers(&self) -> bool {
        let unset = |o: &Option<String>| o.as_deref().is_none_or(|s| s.trim().is_empty());
        unset(&self.kind)
            && unset(&self.category)
            && unset(&self.source)
            && unset(&self.q)
            && self.assignee_org.is_none()
            && self.assignee_dept.is_none()
            && self.overdue != Some(true)
    }
}

fn day_start(s: &str) -> AppResult<i64> {
    let d = NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d")
        .map_err(|_| AppError::bad("bad_date", format!("日期“{s}”应写成 2026-01-31 这样的格式")))?;
    Ok(from_bj(d.and_time(chrono::NaiveTime::MIN)))
}

async fn filter_cond(st: &CasesState, a: &Actor, f: &Filter) -> AppResult<Condition> {
    Ok(Condition::all()
        .add(visible(a))
        .add(narrowing(st, f).await?))
}

/// The filter's own conditions, without the caller's visibility.
async fn narrowing(st: &CasesState, f: &Filter) -> AppResult<Condition> {
    let db = &st.db;
    let mut c = Condition::all();
    let some = |o: &Option<String>| {
        o.as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
    };
    if let Some(s) = some(&f.status) {
        if Status::parse(&s).is_none() {
            return Err(AppError::bad("bad_status", format!("没有“{s}”这种状态")));
        }
        c = c.add(case::Column::Status.eq(s));
    }
    if let Some(k) = some(&f.kind) {
        c = c.add(case::Column::Kind.eq(k));
    }
    if let Some(k) = some(&f.category) {
        c = c.add(
            Condition::any()
                .add(case::Column::CategoryCode.eq(k.clone()))
                .add(case::Column::CategoryCode.like(format!("{k}__"))),
        );
    }
    if let Some(s) = some(&f.source) {
        c = c.add(case::Column::Source.eq(s));
    }
    if let Some(o) = f.org {
        let n = node::Entity::find_by_id(o)
            .one(db)
            .await?
            .ok_or_else(|| AppError::bad("bad_org", "所选区域不存在"))?;
        c = c.add(case::Column::OrgPath.like(format!("{}%", n.path)));
    }
    if let Some(o) = f.assignee_org {
        c = c.add(case::Column::AssigneeOrgId.eq(o));
    }
    if let Some(d) = f.assignee_dept {
        c = c.add(case::Column::AssigneeDeptId.eq(d));
    }
    if let Some(d) = some(&f.from) {
        c = c.add(case::Column::CreatedAt.gte(day_start(&d)?));
    }
    if let Some(d) = some(&f.to) {
        c = c.add(case::Column::CreatedAt.lt(day_start(&d)? + 86_400_000));
    }
    if f.overdue == Some(true) {
        c = c
            .add(case::Column::Status.is_in(["dispatched", "handling"]))
            .add(case::Column::HandleDue.lt(crate::infra::clock::now_ms()));
    }
    if let Some(q) = some(&f.q) {
        c = c.add(text_cond(&st.vault, &q));
    }
    Ok(c)
}

/// What the search box asks: a whole phone number finds that caller's cases (the phone is
/// sealed, so only through its blind index) and any case that mentions it; other text is
/// looked for in the number, title, address and description.
fn text_cond(vault: &Vault, q: &str) -> Condition {
    if let Some(phone) = phone_query(q) {
        return Condition::any()
            .add(case::Column::ReporterPhoneBlind.eq(vault.blind(Field::Phone, &phone)))
            .add(case::Column::Description.like(format!("%{q}%")));
    }
    let q: String = q
        .chars()
        .filter(|ch| !matches!(ch, '%' | '_' | '\\'))
        .take(50)
        .collect();
    let pat = format!("%{q}%");
    Condition::any()
        .add(case::Column::CaseNo.like(pat.clone()))
        .add(case::Column::Title.like(pat.clone()))
        .add(case::Column::Address.like(pat.clone()))
        .add(case::Column::Description.like(pat))
}

/// The text of a search box as a whole phone number (digits, maybe with spaces or dashes),
/// normalized as intake stores it.
fn phone_query(q: &str) -> Option<String> {
    let digits = q.chars().filter(char::is_ascii_digit).count();
    let only = q
        .chars()
        .all(|ch| ch.is_ascii_digit() || matches!(ch, ' ' | '-' | '+'));
    (only && digits >= 11)
        .then(|| wangge_core::people::Phone::parse(q).ok())
        .flatten()
        .map(|p| p.expose().to_owned())
}

/// Seals the reporters' phones stored in the clear before migration m0006 (it leaves a
/// setting when there are any). Runs at start, once the key is known; a no-op after.
pub async fn seal_phones(db: &sea_orm::DatabaseConnection, vault: &Vault) -> anyhow::Result<u64> {
    use crate::infra::db::migrations::SEAL_CASE_PHONES;
    use crate::infra::settings as setting;
    if setting::Entity::find_by_id(SEAL_CASE_PHONES)
        .one(db)
        .await?
        .is_none()
    {
        return Ok(0);
    }
    let mut sealed = 0;
    loop {
        let rows = db
            .query_all_raw(crate::infra::db::statement(
                db,
                "SELECT id, reporter_phone FROM cases \
                 WHERE reporter_phone <> '' AND reporter_phone_blind IS NULL ORDER BY id LIMIT 1000",
                vec![],
            ))
            .await?;
        if rows.is_empty() {
            break;
        }
        let tx = sea_orm::TransactionTrait::begin(db).await?;
        for r in &rows {
            let id: i64 = r.try_get("", "id")?;
            let clear: String = r.try_get("", "reporter_phone")?;
            let phone = wangge_core::people::Phone::parse(&clear)
                .map_or_else(|_| clear.trim().to_owned(), |p| p.expose().to_owned());
            crate::infra::db::exec(
                &tx,
                "UPDATE cases SET reporter_phone = $1, reporter_phone_blind = $2 WHERE id = $3",
                vec![
                    vault.seal(Field::Phone, &phone)?.into(),
                    vault.blind(Field::Phone, &phone).into(),
                    id.into(),
                ],
            )
            .await?;
            sealed += 1;
        }
        tx.commit().await?;
    }
    setting::Entity::delete_by_id(SEAL_CASE_PHONES)
        .exec(db)
        .await?;
    tracing::info!(sealed, "sealed the reporters' phones stored before m0006");
    Ok(sealed)
}

/// A page of cases.
#[derive(Debug, Serialize)]
pub struct Page {
    /// The rows.
    pub items: Vec<CaseView>,
    /// How many match (counted up to [`COUNT_CAP`]; more shows as the cap).
    pub total: u64,
    /// Whether `total` hit the cap.
    pub total_capped: bool,
    /// This page.
    pub page: u64,
    /// Rows per page.
    pub per_page: u64,
}

/// Counting stops here: a list says "10000+" rather than scanning a million rows.
pub const COUNT_CAP: u64 = 10_000;

/// Pages this deep or shallower may be read by walking the creation-time index (see [`list`]).
const WALK_DEPTH: u64 = 1_000;

/// Lists cases in the caller's sight, newest first.
///
/// Visibility is a union of branches (the scope's located, queued and assigned cases, the
/// caller's reports, the cases they follow). For a scope with few matching cases, the database
/// unions the branches through their indexes and sorts the result; for one with many (a
/// community's or a grid's whole ledger), that union reads every matching row, so on SQLite
/// the page is read instead by walking the creation-time index backwards until it is full —
/// cheap exactly when matches are many. The count decides which: it is capped at
/// [`COUNT_CAP`], and its lower bound — the cases located in the scope, read from the scope
/// index alone — usually reaches the cap without the union.
pub async fn list(st: &CasesState, a: &Actor, f: &Filter) -> AppResult<Page> {
    let db = &st.db;
    let narrow = narrowing(st, f).await?;
    let cond = Condition::all().add(visible(a)).add(narrow.clone());
    let paging = wangge_core::validate::Paging::new(f.page, f.per_page, 20)?;
    let (page, per_page, offset) = (paging.page, paging.per_page, paging.offset());
    let mut counted = match located_branch(a) {
        Some(located) if f.scope_index_covers() => {
            capped_count(db, Condition::all().add(located).add(narrow)).await?
        }
        _ => 0,
    };
    if counted <= COUNT_CAP {
        counted = capped_count(db, cond.clone()).await?;
    }
    let query = case::Entity::find()
        .filter(cond)
        .order_by_desc(case::Column::CreatedAt)
        .order_by_desc(case::Column::Id)
        .offset(offset)
        .limit(per_page);
    let walk = counted > COUNT_CAP
        && offset + per_page <= WALK_DEPTH
        && crate::infra::db::backend(db) == crate::infra::db::Backend::Sqlite;
    let rows = if walk {
        let mut stmt = query.build(DbBackend::Sqlite);
        stmt.sql = stmt.sql.replacen(
            r#"FROM "cases" "#,
            r#"FROM "cases" INDEXED BY "ix_cases_fig_created" "#,
            1,
        );
        case::Entity::find().from_raw_sql(stmt).all(db).await?
    } else {
        query.all(db).await?
    };
    let catalog = st.catalog.get(db).await?;
    Ok(Page {
        items: rows
            .iter()
            .map(|r| view(&catalog, &st.vault, r, false))
            .collect(),
        total: std::cmp::min(counted, COUNT_CAP),
        total_capped: counted > COUNT_CAP,
        page,
        per_page,
    })
}

/// The visibility branch of the cases located in the caller's scope, for staff who have one.
fn located_branch(a: &Actor) -> Option<SimpleExpr> {
    (a.role.is_staff() && a.role != Role::DepartmentHandler)
        .then(|| crate::infra::db::in_scope("org_path", &a.scope))
}

/// How many cases match, counted in the database up to [`COUNT_CAP`] + 1.
async fn capped_count(db: &impl ConnectionTrait, cond: Condition) -> AppResult<u64> {
    let ids = case::Entity::find()
        .select_only()
        .column(case::Column::Id)
        .filter(cond)
        .into_query();
    Ok(crate::infra::db::capped_count(db, ids, COUNT_CAP).await?)
}

/// Rows as lists show them (phones masked).
async fn views(st: &CasesState, rows: &[case::Model]) -> AppResult<Vec<CaseView>> {
    let catalog = st.catalog.get(&st.db).await?;
    Ok(rows
        .iter()
        .map(|r| view(&catalog, &st.vault, r, false))
        .collect())
}

/// Every case matching the filter (for the export; at most 50,000 rows).
pub async fn export_rows(st: &CasesState, a: &Actor, f: &Filter) -> AppResult<Vec<CaseView>> {
    let cond = filter_cond(st, a, f).await?;
    let rows = case::Entity::find()
        .filter(cond)
        .order_by_desc(case::Column::CreatedAt)
        .limit(50_000)
        .all(&st.db)
        .await?;
    views(st, &rows).await
}

/// What waits on the caller: to screen, to take, to handle, to verify, to rate, to decide.
pub async fn todo(st: &CasesState, a: &Actor) -> AppResult<Vec<CaseView>> {
    let db = &st.db;
    let mut any = Condition::any().add(
        Condition::all()
            .add(case::Column::ReporterId.eq(a.user_id))
            .add(case::Column::Status.eq("verified")),
    );
    let home = a.scope.root().as_str().to_owned();
    if matches!(
        a.role,
        Role::CommandCenter | Role::CommunitySecretary | Role::CommunityStaff | Role::Admin
    ) {
        any = any
            .add(
                Condition::all()
                    .add(case::Column::DispatchPath.eq(home.clone()))
                    .add(case::Column::Status.is_in(["reported", "accepted", "verified"])),
            )
            .add(
                Condition::all()
                    .add(case::Column::DispatchPath.eq(home))
                    .add(case::Column::Status.is_in(["dispatched", "handling"]))
                    .add(case::Column::ExtensionPending.eq(true)),
            );
    }
    let open = ["dispatched", "handling"];
    match (a.role, a.department_id) {
        (Role::DepartmentHandler, Some(d)) => {
            any = any.add(
                Condition::all()
                    .add(case::Column::AssigneeDeptId.eq(d))
                    .add(case::Column::Status.is_in(open)),
            );
        }
        (Role::DepartmentHandler, None) => {}
        (r, _) if !r.handles_at_node() => {}
        _ => {
            any = any.add(
                Condition::all()
                    .add(case::Column::AssigneeOrgId.eq(a.org_id))
                    .add(case::Column::AssigneeDeptId.is_null())
                    .add(case::Column::Status.is_in(open)),
            );
        }
    }
    if a.role == Role::GridWorker {
        any = any.add(
            Condition::all()
                .add(case::Column::Status.eq("fed_back"))
                .add(crate::infra::db::in_scope("org_path", &a.scope)),
        );
    }
    // What waits on the caller is a part of what the caller may see, never more.
    let rows = case::Entity::find()
        .filter(visible(a))
        .filter(any)
        .order_by_asc(case::Column::HandleDue)
        .order_by_asc(case::Column::CreatedAt)
        .limit(500)
        .all(db)
        .await?;
    let mut out = views(st, &rows).await?;
    out.sort_by_key(|v| {
        (
            std::cmp::Reverse(light_rank(v.light)),
            v.due_at.unwrap_or(i64::MAX),
        )
    });
    Ok(out)
}

/// The caller's own reports still open (not closed, withdrawn, rejected or merged), newest
/// first: what a resident follows on their home page.
pub async fn my_open_reports(st: &CasesState, a: &Actor, limit: u64) -> AppResult<Vec<CaseView>> {
    let rows = case::Entity::find()
        .filter(case::Column::ReporterId.eq(a.user_id))
        .filter(
            case::Column::Status.is_not_in(
                Status::ALL
                    .into_iter()
                    .filter(|s| s.is_final())
                    .map(Status::as_str),
            ),
        )
        .order_by_desc(case::Column::CreatedAt)
        .limit(limit)
        .all(&st.db)
        .await?;
    views(st, &rows).await
}

fn light_rank(l: Option<Light>) -> u8 {
    match l {
        Some(Light::Red) => 3,
        Some(Light::Yellow) => 2,
        Some(Light::Green) => 1,
        None => 0,
    }
}

/// A case as lists and the API show it (phones masked).
#[derive(Debug, Serialize)]
pub struct CaseView {
    /// Id.
    pub id: i64,
    /// 2026-000123.
    pub case_no: String,
    /// appeal / incident.
    pub kind: String,
    /// Title.
    pub title: String,
    /// Description.
    pub description: String,
    /// Category code.
    pub category: String,
    /// Category name (group / leaf).
    pub category_name: String,
    /// Source.
    pub source: String,
    /// Status identifier.
    pub status: String,
    /// Status in Chinese.
    pub status_label: String,
    /// For optimistic concurrency.
    pub version: i32,
    /// The grid (or node) where it happened.
    pub org_id: i64,
    /// Picked building.
    pub building_id: Option<i64>,
    /// Point.
    pub lat: Option<f64>,
    /// Point.
    pub lng: Option<f64>,
    /// Address text.
    pub address: String,
    /// Whether the location fell in a grid.
    pub located: bool,
    /// The node whose queue screens it.
    pub dispatch_org_id: i64,
    /// Current assignee: node.
    pub assignee_org_id: Option<i64>,
    /// Current assignee: department.
    pub assignee_department_id: Option<i64>,
    /// The assignee's name.
    pub assignee_name: String,
    /// The routing suggestion: `{"target": {...} | null, "reason": "..."}`.
    pub suggestion: Value,
    /// Reporter's shown name (匿名 when private).
    pub reporter_name: String,
    /// Reporter's phone, masked.
    pub reporter_phone: String,
    /// Reported at (ms).
    pub created_at: i64,
    /// Last change (ms).
    pub updated_at: i64,
    /// Response (签收) deadline (ms).
    pub response_due: Option<i64>,
    /// Handling deadline (ms).
    pub handle_due: Option<i64>,
    /// The deadline the light measures now (ms).
    pub due_at: Option<i64>,
    /// Green / yellow / red, for open dispatched cases.
    pub light: Option<Light>,
    /// Supervised (督办).
    pub supervised: bool,
    /// An extension waits for a decision.
    pub extension_pending: bool,
    /// Rating.
    pub satisfaction: Option<String>,
    /// Rating: contacted.
    pub contacted: Option<bool>,
    /// Rating: solved.
    pub solved: Option<bool>,
    /// Closed at (ms).
    pub closed_at: Option<i64>,
    /// Merged into (case id).
    pub merged_into: Option<i64>,
    /// Set when a deadline falls in a year whose holiday schedule is not entered yet: it
    /// counts only weekends and the fixed-date holidays, and may move.
    pub deadline_note: Option<String>,
}

/// The light of a case now, with the deadline it runs against: a report waiting to be
/// screened (待受理, 已受理待派遣) against its category's response limit from when it came in,
/// a dispatched case against its response limit, a case in hand against its handling limit.
pub fn light_of(catalog: &Catalog, m: &case::Model, now: i64) -> (Option<i64>, Option<Light>) {
    let (due, start) = match m.status.as_str() {
        "reported" | "accepted" => (
            catalog
                .category(&m.category_code)
                .map(|c| limit_deadline(catalog, m.created_at, c.response)),
            Some(m.created_at),
        ),
        "dispatched" => (m.response_due, m.dispatched_at),
        "handling" => (m.handle_due, m.dispatched_at),
        _ => (None, None),
    };
    let (Some(due), Some(start)) = (due, start) else {
        return (due, None);
    };
    let cal = &catalog.calendar;
    let limit = cal.working_minutes_between(bj(start), bj(due));
    let used = cal.working_minutes_between(bj(start), bj(now));
    let light = if now > due {
        Light::Red
    } else if limit <= 0 {
        // A clock-time limit over a holiday: measure in clock time.
        rates::light(now - start, due - start, catalog.yellow_at)
    } else {
        rates::light(used, limit, catalog.yellow_at)
    };
    (Some(due), Some(light))
}

/// The view of a row; `full` shows the reporter's phone (for the handlers of the case), opened
/// with the vault that sealed it; otherwise it is masked.
pub fn view(catalog: &Catalog, vault: &Vault, m: &case::Model, full: bool) -> CaseView {
    let (due_at, light) = light_of(catalog, m, crate::infra::clock::now_ms());
    let category_name = catalog.category(&m.category_code).map_or_else(
        || m.category_code.clone(),
        |c| format!("{} / {}", c.group_name, c.name),
    );
    let deadline_note = [m.response_due, m.handle_due, due_at]
        .into_iter()
        .flatten()
        .map(|t| bj(t).date())
        .find(|d| catalog.calendar.is_provisional(*d))
        .map(|d| {
            format!(
                "时限暂定：{} 年放假安排尚未录入，只扣除了周末和元旦、劳动节、国庆节，录入后可能变化",
                d.format("%Y")
            )
        });
    CaseView {
        deadline_note,
        id: m.id,
        case_no: m.case_no.clone(),
        kind: m.kind.clone(),
        title: m.title.clone(),
        description: m.description.clone(),
        category: m.category_code.clone(),
        category_name,
        source: m.source.clone(),
        status: m.status.clone(),
        status_label: Status::parse(&m.status)
            .map_or("", |s| s.label())
            .to_owned(),
        version: m.version,
        org_id: m.org_id,
        building_id: m.building_id,
        lat: m.lat,
        lng: m.lng,
        address: m.address.clone(),
        located: m.located,
        dispatch_org_id: m.dispatch_org_id,
        assignee_org_id: m.assignee_org_id,
        assignee_department_id: m.assignee_dept_id,
        assignee_name: m.assignee_name.clone(),
        suggestion: serde_json::from_str(&m.suggestion).unwrap_or(Value::Null),
        reporter_name: if m.anonymous {
            "匿名".into()
        } else {
            m.reporter_name.clone()
        },
        reporter_phone: if full && !m.anonymous && !m.reporter_phone.is_empty() {
            vault
                .unseal(Field::Phone, &m.reporter_phone)
                .unwrap_or_else(|_| vault.masked_phone(&m.reporter_phone))
        } else {
            vault.masked_phone(&m.reporter_phone)
        },
        created_at: m.created_at,
        updated_at: m.updated_at,
        response_due: m.response_due,
        handle_due: m.handle_due,
        due_at,
        light,
        supervised: m.supervised,
        extension_pending: m.extension_pending,
        satisfaction: m.satisfaction.clone(),
        contacted: m.contacted,
        solved: m.solved,
        closed_at: m.closed_at,
        merged_into: m.merged_into,
    }
}

/// One step of the timeline as shown.
#[derive(Debug, Serialize)]
pub struct EventView {
    /// When (ms).
    pub at: i64,
    /// Who.
    pub actor_name: String,
    /// Their role (identifier).
    pub actor_role: String,
    /// Their role in Chinese.
    pub actor_role_label: String,
    /// The action identifier.
    pub action: String,
    /// The action in Chinese.
    pub action_label: String,
    /// Status before.
    pub from_status: String,
    /// Status after.
    pub to_status: String,
    /// Reason, result, comment.
    pub note: String,
    /// Details by action.
    pub data: Value,
    /// Photos (file ids).
    pub photos: Vec<String>,
}

/// The Chinese name of a timeline action.
pub fn action_label(a: &str) -> &'static str {
    match a {
        "report" => "上报",
        "merged_in" => "合并进来",
        "remind" => "到期提醒",
        "urge" => "催办",
        "auto_supervise" => "自动督办",
        other => ACTIONS
            .iter()
            .find(|x| x.0 == other)
            .map_or("操作", |x| x.1),
    }
}

/// The timeline of a case, oldest first.
pub async fn timeline(db: &impl ConnectionTrait, case_id: i64) -> AppResult<Vec<EventView>> {
    let evs = event::Entity::find()
        .filter(event::Column::CaseId.eq(case_id))
        .order_by_asc(event::Column::At)
        .order_by_asc(event::Column::Id)
        .all(db)
        .await?;
    let files = file::Entity::find()
        .filter(file::Column::CaseId.eq(case_id))
        .all(db)
        .await?;
    Ok(evs
        .into_iter()
        .map(|e| EventView {
            at: e.at,
            actor_role_label: Role::parse(&e.actor_role)
                .map_or(
                    if e.actor_role == "public" {
                        "公众"
                    } else {
                        "系统"
                    },
                    |r| r.label(),
                )
                .to_owned(),
            actor_name: e.actor_name,
            actor_role: e.actor_role,
            action_label: action_label(&e.action).to_owned(),
            action: e.action,
            from_status: e.from_status,
            to_status: e.to_status,
            note: e.note,
            data: serde_json::from_str(&e.data).unwrap_or(Value::Null),
            photos: files
                .iter()
                .filter(|f| f.event_id == Some(e.id))
                .map(|f| f.sha256.clone())
                .collect(),
        })
        .collect())
}

/// Whether the caller may see a stored file (it belongs to a case they can see).
pub async fn may_see_file(db: &impl ConnectionTrait, a: &Actor, sha: &str) -> AppResult<bool> {
    let ids: Vec<i64> = file::Entity::find()
        .select_only()
        .column(file::Column::CaseId)
        .filter(file::Column::Sha256.eq(sha))
        .limit(50)
        .into_tuple()
        .all(db)
        .await?;
    if ids.is_empty() {
        return Ok(false);
    }
    Ok(case::Entity::find()
        .filter(case::Column::Id.is_in(ids))
        .filter(visible(a))
        .count(db)
        .await?
        > 0)
}

// ---------------------------------------------------------------------------------------------
// Measuring

/// The figures of a subtree over a period.
#[derive(Debug, Serialize)]
pub struct Stats {
    /// The node.
    pub org_id: i64,
    /// Its name.
    pub org_name: String,
    /// First day (inclusive).
    pub from: String,
    /// Last day (inclusive).
    pub to: String,
    /// Cases reported in the period.
    pub reported: u64,
    /// Of those, by status now.
    pub by_status: Vec<(String, String, u64)>,
    /// Dispatched in the period.
    pub dispatched: u64,
    /// Of those, acknowledged within the response limit.
    pub acknowledged_on_time: u64,
    /// 按时签收率 = acknowledged_on_time ÷ dispatched.
    pub ack_on_time_rate: Option<f64>,
    /// Of the dispatched, those whose handling limit has passed or that were fed back.
    pub handling_due: u64,
    /// Of those, fed back within the limit.
    pub handled_on_time: u64,
    /// 按时办结率 = handled_on_time ÷ handling_due.
    pub handle_on_time_rate: Option<f64>,
    /// The three rates over cases rated in the period.
    pub rates: rates::ThreeRates,
    /// 满意 / 基本满意 / 不满意 counts.
    pub satisfied: u64,
    /// 基本满意.
    pub basic: u64,
    /// 不满意.
    pub dissatisfied: u64,
    /// Cases closed in the period.
    pub closed: u64,
    /// Their average time from report to close, in hours.
    pub avg_hours_to_close: Option<f64>,
}

/// The period's bounds (ms), from `YYYY-MM-DD` days inclusive; defaults to this month.
pub fn period(from: Option<&str>, to: Option<&str>) -> AppResult<(String, String, i64, i64)> {
    use chrono::Datelike;
    let today = bj(crate::infra::clock::now_ms()).date();
    let first = today.with_day(1).unwrap_or(today);
    let from = from
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map_or_else(|| first.to_string(), str::to_owned);
    let to = to
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map_or_else(|| today.to_string(), str::to_owned);
    let (a, b) = (day_start(&from)?, day_start(&to)? + 86_400_000);
    if b <= a {
        return Err(AppError::bad("bad_period", "结束日期不能早于开始日期"));
    }
    if b - a > 3 * 366 * 86_400_000 {
        return Err(AppError::bad("bad_period", "统计区间不能超过三年"));
    }
    Ok((from, to, a, b))
}

fn count_of(row: &sea_orm::QueryResult, i: usize) -> u64 {
    row.try_get_by_index::<Option<i64>>(i)
        .ok()
        .flatten()
        .map_or(0, |v| u64::try_from(v).unwrap_or(0))
}

/// Counts and rates of the subtree of `org` (in the caller's scope) over a period.
pub async fn stats(
    st: &CasesState,
    a: &Actor,
    org: Option<i64>,
    from: Option<&str>,
    to: Option<&str>,
) -> AppResult<Stats> {
    if !a.role.is_staff() {
        return Err(AppError::no_permission());
    }
    let db = &st.db;
    let n = match org {
        Some(id) => crate::org::service::find(db, &a.caller(), id).await?,
        None => crate::org::service::find(db, &a.caller(), a.org_id).await?,
    };
    let (from, to, t0, t1) = period(from, to)?;
    let pat = format!("{}%", n.path);
    let q = |sql: &str, vals: Vec<sea_orm::Value>| crate::infra::db::statement(db, sql, vals);
    let by = db
        .query_all_raw(q(
            "SELECT status, COUNT(*) FROM cases WHERE org_path LIKE $1 AND created_at >= $2 \
             AND created_at < $3 GROUP BY status",
            vec![pat.clone().into(), t0.into(), t1.into()],
        ))
        .await?;
    let mut by_status = Vec::new();
    let mut reported = 0;
    for s in Status::ALL {
        let c = by
            .iter()
            .find(|r| r.try_get_by_index::<String>(0).ok().as_deref() == Some(s.as_str()))
            .map_or(0, |r| count_of(r, 1));
        reported += c;
        by_status.push((s.as_str().to_owned(), s.label().to_owned(), c));
    }
    let now = crate::infra::clock::now_ms();
    let d = db
        .query_one_raw(q(
            "SELECT COUNT(*), \
             CAST(SUM(CASE WHEN acknowledged_at IS NOT NULL AND ack_late = FALSE THEN 1 ELSE 0 END) AS BIGINT), \
             CAST(SUM(CASE WHEN fed_back_at IS NOT NULL OR handle_due < $4 THEN 1 ELSE 0 END) AS BIGINT), \
             CAST(SUM(CASE WHEN fed_back_at IS NOT NULL AND handle_late = FALSE THEN 1 ELSE 0 END) AS BIGINT) \
             FROM cases WHERE org_path LIKE $1 AND dispatched_at >= $2 AND dispatched_at < $3",
            vec![pat.clone().into(), t0.into(), t1.into(), now.into()],
        ))
        .await?
        .ok_or_else(|| AppError::Internal(anyhow::anyhow!("no aggregate row")))?;
    let r = db
        .query_one_raw(q(
            "SELECT COUNT(*), \
             CAST(SUM(CASE WHEN contacted = TRUE THEN 1 ELSE 0 END) AS BIGINT), \
             CAST(SUM(CASE WHEN solved = TRUE THEN 1 ELSE 0 END) AS BIGINT), \
             CAST(SUM(CASE WHEN satisfaction = 'satisfied' THEN 1 ELSE 0 END) AS BIGINT), \
             CAST(SUM(CASE WHEN satisfaction = 'basic' THEN 1 ELSE 0 END) AS BIGINT) \
             FROM cases WHERE org_path LIKE $1 AND rated_at >= $2 AND rated_at < $3",
            vec![pat.clone().into(), t0.into(), t1.into()],
        ))
        .await?
        .ok_or_else(|| AppError::Internal(anyhow::anyhow!("no aggregate row")))?;
    let c = db
        .query_one_raw(q(
            "SELECT COUNT(*), CAST(SUM(closed_at - created_at) AS BIGINT) FROM cases \
             WHERE org_path LIKE $1 AND closed_at >= $2 AND closed_at < $3",
            vec![pat.into(), t0.into(), t1.into()],
        ))
        .await?
        .ok_or_else(|| AppError::Internal(anyhow::anyhow!("no aggregate row")))?;
    let counts = rates::RatingCounts {
        rated: count_of(&r, 0),
        contacted: count_of(&r, 1),
        solved: count_of(&r, 2),
        satisfied: count_of(&r, 3),
        basic: count_of(&r, 4),
    };
    let weights = st.config.rate_weights();
    let closed = count_of(&c, 0);
    let closed_ms = count_of(&c, 1);
    let (dispatched, ack_ok, due, handled_ok) = (
        count_of(&d, 0),
        count_of(&d, 1),
        count_of(&d, 2),
        count_of(&d, 3),
    );
    Ok(Stats {
        org_id: n.id,
        org_name: n.name,
        from,
        to,
        reported,
        by_status,
        dispatched,
        acknowledged_on_time: ack_ok,
        ack_on_time_rate: rates::share(ack_ok, dispatched),
        handling_due: due,
        handled_on_time: handled_ok,
        handle_on_time_rate: rates::share(handled_ok, due),
        rates: rates::rates_from_counts(&counts, &weights),
        satisfied: counts.satisfied,
        basic: counts.basic,
        dissatisfied: counts.rated - counts.satisfied - counts.basic,
        closed,
        avg_hours_to_close: (closed > 0).then(|| closed_ms as f64 / closed as f64 / 3_600_000.0),
    })
}
