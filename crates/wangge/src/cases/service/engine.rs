//! The one commit path of the case engine. Every change of a case's state — an action by a
//! person, a timer of the pressing job, a step of the demo's history — goes through
//! [`commit_transition`]: the core's flow decides ([`flow::apply`] or [`flow::timers_due`]),
//! then, in one transaction, the effects it names are carried out, the case row is written
//! (guarded by its version, or for a timer by its marks), its timeline step and audit entry are
//! recorded, the notifications are queued, and every slice's transition hook runs. Intake
//! opens cases through [`opening`], which reads the same flow's `on_open` effects.

use super::*;
use crate::infra::db::WriteTxn;
use wangge_core::flow::{self, Audience, Change, Effect, Flow, Input, Mark, Marks, Rating, Timer};

/// What moves the case.
pub(crate) enum Move<'a> {
    /// A person's action, as the API or the form sent it.
    Act(&'a ActInput),
    /// The timers that fire now (the pressing job).
    Timers(Vec<&'static Timer>),
}

/// One transition to commit.
pub(crate) struct Transition<'a> {
    /// The case as loaded.
    pub case: case::Model,
    /// Who moves it.
    pub by: By<'a>,
    /// How they stand towards it.
    pub who: Standing,
    /// What they do.
    pub step: Move<'a>,
    /// When (ms): now, or a moment of the demo's history.
    pub now: i64,
    /// For a timer: the working days its text names (the rules').
    pub days: u32,
}

/// The core's input from what the caller sent.
pub(crate) fn core_input(i: &ActInput) -> AppResult<Input> {
    // The one rule for free text (required or not, and how long, is the flow's to say).
    let text = validate::text("说明", &i.text, 2000, validate::Lines::Many, false)?;
    let rating = match (i.contacted, i.solved, i.satisfaction.as_deref()) {
        (None, None, None) => None,
        (Some(contacted), Some(solved), Some(s)) => Some(Rating {
            contacted,
            solved,
            satisfaction: parse_satisfaction(s)
                .ok_or_else(|| AppError::bad("bad_input", "请选择满意、基本满意或不满意"))?,
        }),
        (None, ..) => return Err(AppError::bad("bad_input", "请选择是否联系")),
        (_, None, _) => return Err(AppError::bad("bad_input", "请选择是否解决")),
        (_, _, None) => return Err(AppError::bad("bad_input", "请选择满意、基本满意或不满意")),
    };
    Ok(Input {
        text,
        passed: i.passed,
        rating,
        days: i.days,
    })
}

/// The facts of a row the flow looks at.
pub(crate) fn facts_of(m: &case::Model) -> flow::Facts<'_> {
    flow::Facts {
        status: &m.status,
        reworks_after_rating: u32::try_from(m.reworks_after_rating).unwrap_or(0),
        extension_pending: m.extension_pending,
    }
}

/// The marks of a row (which timers already fired).
pub(crate) fn marks_of(m: &case::Model) -> Marks {
    Marks {
        reminded: m.reminded_at.is_some(),
        urged: m.urged_at.is_some(),
        supervised: m.supervised,
    }
}

/// The clock running in a case's state: (start, due) in ms.
pub(crate) fn clock_of(flow: &Flow, catalog: &Catalog, m: &case::Model) -> Option<(i64, i64)> {
    match flow.state(&m.status)?.clock? {
        flow::Clock::Intake => catalog.category(&m.category_code).map(|c| {
            (
                m.created_at,
                limit_deadline(catalog, m.created_at, c.response),
            )
        }),
        flow::Clock::Response => Some((m.dispatched_at?, m.response_due?)),
        flow::Clock::Handling => Some((m.dispatched_at?, m.handle_due?)),
    }
}

/// What one committed transition left to do after the commit.
pub(crate) struct Committed {
    /// The notifications to publish once the transaction committed.
    pub notes: Vec<Note>,
    /// Whether it changed anything (a timer another run got to first changes nothing).
    pub changed: bool,
    /// The case as it now stands.
    pub case: case::Model,
}

/// Commits one transition in its own transaction and publishes its notifications.
pub(crate) async fn commit_transition(st: &CasesState, t: Transition<'_>) -> AppResult<bool> {
    let tx = crate::infra::db::begin_write(&st.db).await?;
    let done = transition_in(&tx, st, t).await?;
    if done.changed {
        tx.commit().await?;
        st.hub.publish(done.notes);
    } else {
        tx.rollback().await?;
    }
    Ok(done.changed)
}

/// The state a new case of a flow starts in, and the notifications its opening sends
/// (`on_open`'s, with the case's number and title): intake writes them in its batch.
pub(crate) fn opening(
    flow: &'static Flow,
) -> (&'static str, Vec<(Audience, &'static str, &'static str)>) {
    let notes = flow
        .on_open
        .iter()
        .filter_map(|e| match e {
            Effect::Notify(a, k, t) => Some((*a, *k, *t)),
            _ => None,
        })
        .collect();
    (flow.start().id, notes)
}

/// Fills a notification's or timeline's text.
pub(crate) fn fill(text: &str, m: &case::Model, note: &str, days: u32, to: &str) -> String {
    text.replace("{no}", &m.case_no)
        .replace("{title}", &m.title)
        .replace("{note}", note)
        .replace("{days}", &days.to_string())
        .replace("{to}", to)
}

/// Carries out one transition inside `tx` (see the module's documentation). Nothing is
/// published: the caller commits and then publishes [`Committed::notes`].
pub(crate) async fn transition_in(
    tx: &WriteTxn,
    st: &CasesState,
    t: Transition<'_>,
) -> AppResult<Committed> {
    let m = t.case;
    let flow = super::super::kinds::flow_for_case(&st.site, &m.kind, m.id)?;
    let now = t.now;
    let actor = match t.by {
        By::Actor(a) => Some(a),
        By::Public | By::System => None,
    };
    // Decide: the flow says where the case goes and what must be done.
    let (action, label, to, effects, input, timers): (
        &str,
        &str,
        &'static str,
        Vec<Effect>,
        Input,
        Vec<&'static Timer>,
    ) = match &t.step {
        Move::Act(i) => {
            let input = core_input(i)?;
            let version = i
                .version
                .ok_or_else(|| AppError::bad("need_version", "请带上案件的版本号 version"))?;
            if m.version != version {
                return Err(AppError::stale());
            }
            let outcome = flow::apply(flow, facts_of(&m), t.who, &i.action, &input)?;
            let step = flow
                .step(&i.action)
                .ok_or_else(|| AppError::Internal(anyhow::anyhow!("a step went missing")))?;
            (
                step.action,
                step.label,
                outcome.status,
                outcome.effects.to_vec(),
                input,
                Vec::new(),
            )
        }
        Move::Timers(ts) => {
            if !t.who.is(flow::Party::System) || ts.is_empty() {
                return Err(AppError::no_permission());
            }
            let mut effects = Vec::new();
            for timer in ts {
                effects.push(match timer.mark {
                    Mark::Reminded => Effect::MarkReminded,
                    Mark::Urged => Effect::MarkUrged,
                    Mark::Supervised => Effect::MarkSupervised,
                });
            }
            let status = flow.state(&m.status).map(|s| s.id).ok_or_else(|| {
                AppError::Internal(anyhow::anyhow!("case {} lost its state", m.id))
            })?;
            ("timers", "", status, effects, Input::default(), ts.clone())
        }
    };
    let cat_ref = st.catalog.get(&st.db).await?;
    let catalog: &Catalog = &cat_ref;
    let cat = catalog
        .category(&m.category_code)
        .cloned()
        .ok_or_else(|| AppError::Internal(anyhow::anyhow!("case {} lost its category", m.id)))?;
    let staff = || actor.ok_or_else(AppError::no_permission);
    let input_of = || match &t.step {
        Move::Act(i) => Some(*i),
        Move::Timers(_) => None,
    };
    let mut data = json!({});
    let mut photos = Vec::new();
    let mut notes: Vec<Note> = Vec::new();
    let mut merge_target: Option<case::Model> = None;
    let mut moved_to: Option<String> = None;
    let mut escalated_to: Option<String> = None;
    // The row as the effects leave it, for the notifications (the new assignee or level).
    let mut after = m.clone();
    for effect in &effects {
        match *effect {
            Effect::Assign => {
                let i = input_of().ok_or_else(AppError::no_permission)?;
                let (org, dept, path, name) = dispatch_target(tx, staff()?, i).await?;
                after.assignee_org_id = org;
                after.assignee_dept_id = dept;
                after.assignee_path = Some(path);
                after.assignee_name = name.clone();
                after.assignee_user_id = None;
                after.dispatched_at = Some(now);
                after.response_due = Some(limit_deadline(catalog, now, cat.response));
                after.handle_due = Some(limit_deadline(catalog, now, cat.handling));
                after.acknowledged_at = None;
                after.fed_back_at = None;
                after.reminded_at = None;
                after.urged_at = None;
                after.ack_late = false;
                after.handle_late = false;
                data = json!({"to": name, "org_id": org, "department_id": dept});
                moved_to = Some(name);
            }
            Effect::TakeSelf => {
                let a = staff()?;
                let path = stored_path(&m.org_path)?;
                a.require_scope(&path)?;
                after.assignee_user_id = Some(a.user_id);
                after.assignee_org_id = None;
                after.assignee_dept_id = None;
                after.assignee_path = Some(m.org_path.clone());
                after.assignee_name = a.display_name.clone();
                after.dispatched_at = Some(now);
                after.acknowledged_at = Some(now);
                after.ack_late = clock_of(flow, catalog, &m).is_some_and(|(_, due)| now > due);
                after.handle_due = Some(limit_deadline(catalog, now, cat.handling));
                after.fed_back_at = None;
                after.reminded_at = None;
                after.urged_at = None;
                after.handle_late = false;
                data = json!({"to": a.display_name});
                moved_to = Some(a.display_name.clone());
            }
            Effect::Unassign => {
                data = json!({"from": m.assignee_name});
                after.assignee_org_id = None;
                after.assignee_dept_id = None;
                after.assignee_user_id = None;
                after.assignee_path = None;
                after.assignee_name = String::new();
                after.extension_pending = false;
            }
            Effect::RestartHandling => {
                after.handle_due = Some(limit_deadline(catalog, now, cat.handling));
                after.fed_back_at = None;
                after.reminded_at = None;
                after.urged_at = None;
            }
            Effect::Acknowledge => {
                after.acknowledged_at = Some(now);
                after.ack_late = m.response_due.is_some_and(|d| now > d);
            }
            Effect::RecordResult => {
                // Only an account feeds back, with photos it uploaded.
                if let Some(i) = input_of() {
                    let uploader = actor.map(|a| a.user_id).unwrap_or(-1);
                    photos = photo_ids(st, Some(uploader), &i.photos).await?;
                }
                after.fed_back_at = Some(now);
                after.handle_late = m.handle_due.is_some_and(|d| now > d);
                after.extension_pending = false;
            }
            Effect::RecordRating => {
                let r = input.rating.ok_or_else(|| {
                    AppError::bad("bad_input", "请回答是否联系、是否解决和满意程度")
                })?;
                after.rated_at = Some(now);
                after.contacted = Some(r.contacted);
                after.solved = Some(r.solved);
                after.satisfaction = Some(satisfaction_str(r.satisfaction).to_owned());
                after.rating_comment = input.text.trim().chars().take(500).collect();
                data = json!({
                    "contacted": r.contacted, "solved": r.solved,
                    "satisfaction": satisfaction_str(r.satisfaction),
                    "by": if t.who.reporter { "reporter" } else { "return_visit" },
                });
            }
            Effect::CountRework => after.reworks_after_rating = m.reworks_after_rating + 1,
            Effect::Close => after.closed_at = Some(now),
            Effect::MergeInto => {
                let i = input_of().ok_or_else(AppError::no_permission)?;
                let key = i.into.as_deref().map(str::trim).unwrap_or("");
                let found = find_by_no_or_id(tx, staff()?, key).await?;
                // The target stays open until this commits: a close or a merge of it at the
                // same moment waits, then sees this one.
                crate::infra::db::lock_row(tx, "cases", found.id).await?;
                let target = case::Entity::find_by_id(found.id)
                    .one(tx)
                    .await?
                    .ok_or_else(not_found)?;
                let target_flow =
                    super::super::kinds::flow_for_case(&st.site, &target.kind, target.id)?;
                if target.id == m.id
                    || target_flow.is_done(&target.status)
                    || !std::ptr::eq(target_flow, flow)
                {
                    return Err(AppError::bad(
                        "bad_merge",
                        "只能合并到另一件尚未办结的同类案件",
                    ));
                }
                after.merged_into = Some(target.id);
                data = json!({"into": target.case_no});
                if let Some(r) = m.reporter_id
                    && Some(r) != target.reporter_id
                    && !is_follower(tx, target.id, r).await?
                {
                    follower::ActiveModel {
                        case_id: Set(target.id),
                        user_id: Set(r),
                        ..Default::default()
                    }
                    .insert(tx)
                    .await?;
                    notes.extend(
                        notify::to_users(
                            tx,
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
            Effect::EscalateUp => {
                let here = node::Entity::find_by_id(m.dispatch_org_id).one(tx).await?;
                let up = match here.and_then(|h| h.parent_id) {
                    Some(p) => active_node(tx, p).await?,
                    None => None,
                }
                .ok_or_else(|| AppError::bad("no_upper_level", "已是最高一级，无法再上报"))?;
                after.dispatch_org_id = up.id;
                after.dispatch_path = up.path.clone();
                after.assignee_org_id = None;
                after.assignee_dept_id = None;
                after.assignee_user_id = None;
                after.assignee_path = None;
                after.assignee_name = String::new();
                data = json!({"to": up.name});
                moved_to = Some(up.name.clone());
                escalated_to = Some(up.name);
            }
            Effect::MarkSupervised => after.supervised = true,
            Effect::MarkReminded => after.reminded_at = Some(now),
            Effect::MarkUrged => after.urged_at = Some(now),
            Effect::RequestExtension => {
                let days = input.days.unwrap_or(0);
                after.extension_pending = true;
                after.extension_days = i32::try_from(days).unwrap_or(0);
                data = json!({"days": days});
            }
            Effect::DecideExtension => {
                let approve = input.passed == Some(true);
                let days = u32::try_from(m.extension_days).unwrap_or(0);
                if approve && let Some(due) = m.handle_due {
                    after.handle_due = Some(limit_deadline(catalog, due, Limit::WorkingDays(days)));
                    after.urged_at = None;
                    after.reminded_at = None;
                }
                after.extension_days = 0;
                after.extension_pending = false;
                data = json!({"approve": approve, "days": days});
            }
            Effect::Notify(..) => {}
        }
    }
    after.status = to.to_owned();
    let note_text = input.text.trim().to_owned();
    let days = match &t.step {
        Move::Act(_) => input
            .days
            .unwrap_or_else(|| u32::try_from(m.extension_days).unwrap_or(0)),
        Move::Timers(_) => t.days,
    };
    let to_name = moved_to.unwrap_or_default();
    // Who hears of it: the effects', then each timer's, against the row as it is now.
    let mut sends: Vec<(Audience, &str, String)> = Vec::new();
    for e in &effects {
        if let Effect::Notify(aud, kind, text) = *e {
            sends.push((aud, kind, fill(text, &after, &note_text, days, &to_name)));
        }
    }
    let timer_texts: Vec<(&'static Timer, String)> = timers
        .iter()
        .map(|tm| (*tm, fill(tm.text, &after, "", t.days, "")))
        .collect();
    for (tm, text) in &timer_texts {
        for e in tm.effects {
            if let Effect::Notify(aud, kind, _) = *e {
                sends.push((aud, kind, text.clone()));
            }
        }
    }
    for (aud, kind, text) in &sends {
        notes.extend(tell(tx, &after, *aud, kind, text).await?);
    }
    // Write the row: guarded by its version (a person's action), or by its marks (a timer:
    // another run that got there first leaves this one nothing to do).
    let mut set: case::ActiveModel = m.clone().into();
    let mut guard = Condition::all().add(case::Column::Id.eq(m.id));
    match &t.step {
        Move::Act(_) => {
            copy_into(&mut set, &after);
            set.version = Set(m.version + 1);
            set.updated_at = Set(now);
            guard = guard.add(case::Column::Version.eq(m.version));
        }
        Move::Timers(ts) => {
            // Only the marks: the rest of the row may have moved on since it was read.
            for tm in ts {
                guard = guard.add(match tm.mark {
                    Mark::Reminded => {
                        set.reminded_at = Set(after.reminded_at);
                        case::Column::RemindedAt.is_null()
                    }
                    Mark::Urged => {
                        set.urged_at = Set(after.urged_at);
                        case::Column::UrgedAt.is_null()
                    }
                    Mark::Supervised => {
                        set.supervised = Set(after.supervised);
                        case::Column::Supervised.eq(false)
                    }
                });
            }
            guard = guard.add(case::Column::Status.eq(m.status.clone()));
        }
    }
    let res = case::Entity::update_many()
        .set(set)
        .filter(guard)
        .exec(tx)
        .await?;
    if res.rows_affected == 0 {
        return match t.step {
            Move::Act(_) => Err(AppError::stale()),
            Move::Timers(_) => Ok(Committed {
                notes: Vec::new(),
                changed: false,
                case: m,
            }),
        };
    }
    // The timeline: one step per action, one per timer.
    let steps: Vec<(&str, String, Value)> = if timers.is_empty() {
        vec![(action, note_text.chars().take(2000).collect(), data)]
    } else {
        timer_texts
            .into_iter()
            .map(|(tm, text)| (tm.action, text, json!({})))
            .collect()
    };
    for (act, note, data) in &steps {
        let ev = record_event(
            tx,
            EventIn {
                case_id: m.id,
                by: t.by,
                at: now,
                action: act,
                from: &m.status,
                to,
                note: note.clone(),
                data: data.clone(),
            },
        )
        .await?;
        attach(tx, m.id, Some(ev), &photos).await?;
        photos.clear();
        for hook in &st.site.on_transition {
            hook(
                tx,
                &Change {
                    case_id: m.id,
                    kind: &m.kind,
                    org_path: &m.org_path,
                    action: act,
                    from: &m.status,
                    to,
                    at_ms: now,
                },
            )
            .await?;
        }
    }
    if let Some(target) = &merge_target {
        record_event(
            tx,
            EventIn {
                case_id: target.id,
                by: t.by,
                at: now,
                action: "merged_in",
                from: &target.status,
                to: &target.status,
                note: String::new(),
                data: json!({"from": m.case_no}),
            },
        )
        .await?;
    }
    let audit_who = match t.by {
        By::Actor(a) => a.who(),
        By::Public => crate::infra::audit::Who {
            id: None,
            name: "公众（报告人）".into(),
            ip: String::new(),
        },
        By::System => crate::infra::audit::Who {
            id: None,
            name: "系统".into(),
            ip: String::new(),
        },
    };
    let what = if timers.is_empty() {
        let up = escalated_to.map(|n| format!("至{n}")).unwrap_or_default();
        format!("{label}{up}")
    } else {
        timers
            .iter()
            .map(|tm| tm.label)
            .collect::<Vec<_>>()
            .join("、")
    };
    audit::record(
        tx,
        &audit_who,
        Entry {
            org_path: &stored_path(&m.org_path)?,
            action: "case_action",
            entity: "case",
            entity_id: Some(m.id),
            summary: format!("案件 {}：{what}", m.case_no),
            changes: audit::changes(&[("status", m.status.as_str().into(), to.into())]),
        },
    )
    .await?;
    if matches!(t.step, Move::Act(_)) {
        after.version = m.version + 1;
        after.updated_at = now;
    }
    Ok(Committed {
        notes,
        changed: true,
        case: after,
    })
}

/// Copies the columns the effects may change from `after` into the update.
fn copy_into(am: &mut case::ActiveModel, a: &case::Model) {
    am.status = Set(a.status.clone());
    am.dispatch_org_id = Set(a.dispatch_org_id);
    am.dispatch_path = Set(a.dispatch_path.clone());
    am.assignee_org_id = Set(a.assignee_org_id);
    am.assignee_dept_id = Set(a.assignee_dept_id);
    am.assignee_user_id = Set(a.assignee_user_id);
    am.assignee_path = Set(a.assignee_path.clone());
    am.assignee_name = Set(a.assignee_name.clone());
    am.dispatched_at = Set(a.dispatched_at);
    am.response_due = Set(a.response_due);
    am.handle_due = Set(a.handle_due);
    am.acknowledged_at = Set(a.acknowledged_at);
    am.fed_back_at = Set(a.fed_back_at);
    am.closed_at = Set(a.closed_at);
    am.ack_late = Set(a.ack_late);
    am.handle_late = Set(a.handle_late);
    am.reworks_after_rating = Set(a.reworks_after_rating);
    am.extension_pending = Set(a.extension_pending);
    am.extension_days = Set(a.extension_days);
    am.supervised = Set(a.supervised);
    am.reminded_at = Set(a.reminded_at);
    am.urged_at = Set(a.urged_at);
    am.rated_at = Set(a.rated_at);
    am.contacted = Set(a.contacted);
    am.solved = Set(a.solved);
    am.satisfaction = Set(a.satisfaction.clone());
    am.rating_comment = Set(a.rating_comment.clone());
    am.merged_into = Set(a.merged_into);
}

/// Notifies an audience of a case (as the effects left it).
async fn tell(
    tx: &WriteTxn,
    m: &case::Model,
    aud: Audience,
    kind: &str,
    text: &str,
) -> AppResult<Vec<Note>> {
    match aud {
        Audience::Reporter => match m.reporter_id {
            Some(r) => notify::to_users(tx, &[r], m.id, kind, text).await,
            None => Ok(Vec::new()),
        },
        Audience::Dispatchers => {
            notify::to_dispatchers(tx, m.dispatch_org_id, m.id, kind, text).await
        }
        Audience::DispatchersAbove => {
            // 督办 also goes to the level above the one that holds the case.
            let above = node::Entity::find_by_id(m.dispatch_org_id)
                .one(tx)
                .await?
                .and_then(|n| n.parent_id)
                .unwrap_or(m.dispatch_org_id);
            notify::to_dispatchers(tx, above, m.id, kind, text).await
        }
        Audience::Handler => match m.assignee_user_id {
            Some(u) => notify::to_users(tx, &[u], m.id, kind, text).await,
            None => {
                notify::to_assignee(tx, m.assignee_org_id, m.assignee_dept_id, m.id, kind, text)
                    .await
            }
        },
        Audience::GridWorkers => notify::to_grid_workers(tx, m.org_id, m.id, kind, text).await,
    }
}
