//! Actions.

use super::*;

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

impl From<Refusal> for AppError {
    fn from(r: Refusal) -> AppError {
        match r {
            Refusal::WrongState { .. } => AppError::conflict("wrong_state", r.to_string()),
            Refusal::NotAllowed { .. } => AppError::Forbidden(r.to_string()),
            Refusal::BadInput(m) => AppError::bad("bad_input", m),
            Refusal::Unknown(_) => AppError::bad("unknown_action", r.to_string()),
        }
    }
}

pub(crate) fn limit_deadline(cal: &Catalog, start_ms: i64, l: Limit) -> i64 {
    from_bj(cal.calendar.deadline(bj(start_ms), l))
}

/// Resolves a dispatch target in the caller's scope: (org id, dept id, path, name).
pub(crate) async fn dispatch_target(
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
    commit_transition(
        st,
        Transition {
            case: m,
            by: By::Actor(a),
            who,
            step: Move::Act(&i),
            now: crate::infra::clock::now_ms(),
            days: 0,
        },
    )
    .await?;
    // The actor may no longer see the case (a department that returned it): they still get
    // the state their action left it in.
    case::Entity::find_by_id(id)
        .one(&st.db)
        .await?
        .ok_or_else(not_found)
}

/// How the anonymous reporter stands towards their own case (on their private page).
pub fn public_reporter() -> Standing {
    Standing {
        reporter: true,
        ..Standing::of(Role::Resident)
    }
}

/// The anonymous reporter acts from their private follow-up page (rate, withdraw).
pub async fn act_as_public_reporter(
    st: &CasesState,
    m: &case::Model,
    i: ActInput,
) -> AppResult<()> {
    commit_transition(
        st,
        Transition {
            case: m.clone(),
            by: By::Public,
            who: public_reporter(),
            step: Move::Act(&i),
            now: crate::infra::clock::now_ms(),
            days: 0,
        },
    )
    .await?;
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

pub(crate) async fn find_by_no_or_id(
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
pub(crate) const PUBLIC_PER_HOUR: u64 = 20;

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

/// What the caller may do to a case now, in the flow's order, with what each form asks for
/// (the detail page draws its forms from it, the API lists it).
pub fn offers(site: &crate::web::Site, m: &case::Model, who: Standing) -> AppResult<Vec<Offer>> {
    let flow = crate::cases::kinds::flow_for_case(site, &m.kind, m.id)?;
    Ok(wangge_core::flow::available(flow, facts_of(m), who))
}

/// Whether a 不满意 rating would send the case back for rework now (the flow's rule), for
/// the rating form's hint.
pub fn dissatisfaction_reopens(flow: &'static wangge_core::flow::Flow, m: &case::Model) -> bool {
    let rating = |satisfaction| wangge_core::flow::Input {
        rating: Some(wangge_core::flow::Rating {
            contacted: true,
            solved: false,
            satisfaction,
        }),
        text: String::new(),
        ..Default::default()
    };
    let lead = |s| wangge_core::flow::leads_to(flow, facts_of(m), "rate", &rating(s));
    lead(Satisfaction::Dissatisfied) != lead(Satisfaction::Satisfied)
}
