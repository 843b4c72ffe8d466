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

pub(crate) fn to_action(i: &ActInput) -> AppResult<Action> {
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

pub(crate) async fn apply_action(
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

/// The most working days one extension adds (the form's bound comes from the core's rule).
pub const MAX_EXTENSION_DAYS: u32 = wangge_core::case::MAX_EXTENSION_DAYS;

/// The actions that move a case on, in the order a caller is most likely to want them: the
/// one expected next comes first. The others the caller may take (refuse, return, escalate,
/// merge, supervise, withdraw, ask for more time) are exceptions.
pub(crate) const MAIN_ACTIONS: [&str; 8] = [
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
