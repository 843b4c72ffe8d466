use super::*;
use crate::case::{MAX_EXTENSION_DAYS, Satisfaction};
use proptest::prelude::*;

const APPEAL: &Flow = &appeal::FLOW;
const ERRAND: &Flow = &errand::FLOW;

fn facts(status: &str) -> Facts<'_> {
    Facts {
        status,
        reworks_after_rating: 0,
        extension_pending: false,
    }
}

fn st(role: Role) -> Standing {
    Standing::of(role)
}

fn local_worker() -> Standing {
    Standing {
        local: true,
        ..st(Role::GridWorker)
    }
}

fn dispatcher() -> Standing {
    Standing {
        dispatcher: true,
        ..st(Role::CommandCenter)
    }
}

fn assignee() -> Standing {
    Standing {
        assignee: true,
        ..st(Role::DepartmentHandler)
    }
}

fn reporter() -> Standing {
    Standing {
        reporter: true,
        ..st(Role::Resident)
    }
}

fn text(t: &str) -> Input {
    Input {
        text: t.into(),
        ..Input::default()
    }
}

fn verdict(passed: bool, t: &str) -> Input {
    Input {
        passed: Some(passed),
        ..text(t)
    }
}

fn rating(s: Satisfaction) -> Input {
    Input {
        rating: Some(Rating {
            contacted: true,
            solved: s != Satisfaction::Dissatisfied,
            satisfaction: s,
        }),
        ..Input::default()
    }
}

fn days(d: u32) -> Input {
    Input {
        days: Some(d),
        ..text("需等待配件")
    }
}

/// An input that satisfies every need of a step (the verdict as given).
fn valid_for(step: &Step, passed: bool) -> Input {
    let mut i = Input::default();
    for n in step.needs {
        match n {
            Need::Text { .. } => i.text = "已处理".into(),
            Need::Verdict { .. } => i.passed = Some(passed),
            Need::Rating => i.rating = rating(Satisfaction::Satisfied).rating,
            Need::Days { .. } => i.days = Some(1),
            Need::Target | Need::CaseRef | Need::Photos { .. } => {}
        }
    }
    i
}

fn go(
    flow: &'static Flow,
    from: &str,
    who: Standing,
    action: &str,
    input: &Input,
) -> Result<&'static str, Refusal> {
    apply(flow, facts(from), who, action, input).map(|o| o.status)
}

#[test]
fn the_main_path_closes_the_loop() {
    let steps: [(&str, Standing, &str, Input, &str); 7] = [
        (
            "reported",
            dispatcher(),
            "accept",
            Input::default(),
            "accepted",
        ),
        (
            "accepted",
            dispatcher(),
            "dispatch",
            Input::default(),
            "dispatched",
        ),
        (
            "dispatched",
            assignee(),
            "acknowledge",
            Input::default(),
            "handling",
        ),
        (
            "handling",
            assignee(),
            "feedback",
            text("已修复路灯"),
            "fed_back",
        ),
        (
            "fed_back",
            local_worker(),
            "verify",
            verdict(true, ""),
            "verified",
        ),
        (
            "verified",
            reporter(),
            "rate",
            rating(Satisfaction::Basic),
            "closed",
        ),
        (
            "verified",
            dispatcher(),
            "close",
            Input::default(),
            "closed",
        ),
    ];
    for (from, who, action, input, to) in steps {
        assert_eq!(go(APPEAL, from, who, action, &input), Ok(to), "{action}");
    }
}

#[test]
fn every_action_is_refused_from_every_final_state() {
    for flow in FLOWS {
        for s in flow.states.iter().filter(|s| s.done) {
            for step in flow.steps {
                for who in [
                    dispatcher(),
                    assignee(),
                    reporter(),
                    Standing {
                        above: true,
                        ..dispatcher()
                    },
                    Standing {
                        serves: true,
                        ..local_worker()
                    },
                ] {
                    assert!(
                        matches!(
                            apply(flow, facts(s.id), who, step.action, &valid_for(step, true)),
                            Err(Refusal::WrongState { .. })
                        ),
                        "{} {}",
                        s.id,
                        step.action
                    );
                }
            }
        }
    }
}

#[test]
fn only_the_right_people_act() {
    let stranger = st(Role::GridWorker);
    let none = Input::default();
    let refused = |r: Result<&str, Refusal>| matches!(r, Err(Refusal::NotAllowed { .. }));
    assert!(refused(go(APPEAL, "reported", stranger, "accept", &none)));
    assert!(refused(go(
        APPEAL,
        "reported",
        reporter(),
        "dispatch",
        &none
    )));
    assert!(refused(go(
        APPEAL,
        "dispatched",
        dispatcher(),
        "acknowledge",
        &none
    )));
    assert!(refused(go(
        APPEAL,
        "dispatched",
        assignee(),
        "withdraw",
        &none
    )));
    assert!(refused(go(
        APPEAL,
        "fed_back",
        st(Role::Resident),
        "verify",
        &verdict(true, "")
    )));
    assert!(
        refused(go(
            APPEAL,
            "verified",
            assignee(),
            "rate",
            &rating(Satisfaction::Satisfied)
        )),
        "the handler does not rate itself"
    );
    assert!(
        refused(go(
            APPEAL,
            "handling",
            dispatcher(),
            "supervise",
            &text("快")
        )),
        "supervision comes from above"
    );
    let above = Standing {
        above: true,
        ..st(Role::CommandCenter)
    };
    assert_eq!(
        go(APPEAL, "handling", above, "supervise", &text("快")),
        Ok("handling")
    );
    // The flags alone are not enough: the role must be one that screens, handles or
    // supervises.
    let odd = Standing {
        assignee: true,
        ..st(Role::Resident)
    };
    assert!(refused(go(APPEAL, "dispatched", odd, "acknowledge", &none)));
    for role in [Role::Resident, Role::GridWorker, Role::DepartmentHandler] {
        let flagged = Standing {
            dispatcher: true,
            ..st(role)
        };
        assert!(
            refused(go(APPEAL, "reported", flagged, "accept", &none)),
            "{role:?} does not screen"
        );
        let from_above = Standing {
            above: true,
            ..st(role)
        };
        assert!(refused(go(
            APPEAL,
            "handling",
            from_above,
            "supervise",
            &text("快")
        )));
    }
    for role in [
        Role::CommandCenter,
        Role::CommunitySecretary,
        Role::CommunityStaff,
        Role::Admin,
    ] {
        let d = Standing {
            dispatcher: true,
            ..st(role)
        };
        assert_eq!(
            go(APPEAL, "reported", d, "accept", &none),
            Ok("accepted"),
            "{role:?}"
        );
    }
    for role in HANDLING {
        let h = Standing {
            assignee: true,
            ..st(*role)
        };
        assert_eq!(
            go(APPEAL, "dispatched", h, "acknowledge", &none),
            Ok("handling")
        );
    }
    let grid_worker_elsewhere = Standing {
        dispatcher: true,
        ..st(Role::GridWorker)
    };
    assert!(refused(go(
        APPEAL,
        "fed_back",
        grid_worker_elsewhere,
        "verify",
        &verdict(true, "")
    )));
    let local_but_staff = Standing {
        local: true,
        ..st(Role::CommunityStaff)
    };
    assert!(refused(go(
        APPEAL,
        "fed_back",
        local_but_staff,
        "verify",
        &verdict(true, "")
    )));
}

#[test]
fn returns_rework_and_withdrawal() {
    let r = apply(
        APPEAL,
        facts("handling"),
        assignee(),
        "return",
        &text("非本部门职责"),
    )
    .expect("return");
    assert_eq!(r.status, "accepted");
    assert!(r.effects.contains(&Effect::Unassign));
    assert!(
        go(APPEAL, "handling", assignee(), "return", &text("  ")).is_err(),
        "a reason is required"
    );
    let v = apply(
        APPEAL,
        facts("fed_back"),
        local_worker(),
        "verify",
        &verdict(false, "垃圾仍在"),
    )
    .expect("verify");
    assert_eq!(v.status, "handling");
    assert!(v.effects.contains(&Effect::RestartHandling));
    assert!(matches!(
        go(APPEAL, "fed_back", local_worker(), "verify", &verdict(false, "")),
        Err(Refusal::BadInput(m)) if m.contains("核查不通过的原因")
    ));
    assert!(matches!(
        go(APPEAL, "fed_back", local_worker(), "verify", &text("")),
        Err(Refusal::BadInput(m)) if m == "请选择核查结果"
    ));
    assert!(
        matches!(
            go(
                APPEAL,
                "fed_back",
                st(Role::GridWorker),
                "verify",
                &verdict(true, "")
            ),
            Err(Refusal::NotAllowed { .. })
        ),
        "only the grid's own worker verifies"
    );
    for s in ["reported", "accepted", "dispatched"] {
        assert_eq!(
            go(APPEAL, s, reporter(), "withdraw", &Input::default()),
            Ok("withdrawn")
        );
    }
    assert!(
        matches!(
            go(
                APPEAL,
                "handling",
                reporter(),
                "withdraw",
                &Input::default()
            ),
            Err(Refusal::WrongState { .. })
        ),
        "not once handling started"
    );
}

#[test]
fn dissatisfaction_reopens_once() {
    let bad = rating(Satisfaction::Dissatisfied);
    let first = apply(APPEAL, facts("verified"), reporter(), "rate", &bad).expect("rate");
    assert_eq!(first.status, "handling");
    for e in [
        Effect::CountRework,
        Effect::RestartHandling,
        Effect::RecordRating,
    ] {
        assert!(first.effects.contains(&e), "{e:?}");
    }
    let again = Facts {
        reworks_after_rating: 1,
        ..facts("verified")
    };
    let second = apply(APPEAL, again, reporter(), "rate", &bad).expect("rate");
    assert_eq!(second.status, "closed");
    assert!(second.effects.contains(&Effect::Close));
    assert_eq!(
        go(APPEAL, "verified", dispatcher(), "rate", &bad),
        Ok("handling"),
        "a return visit by phone counts"
    );
    assert!(matches!(
        go(APPEAL, "verified", reporter(), "rate", &Input::default()),
        Err(Refusal::BadInput(_))
    ));
}

#[test]
fn extensions_wait_for_one_decision() {
    for d in [0, MAX_EXTENSION_DAYS + 1] {
        assert!(
            matches!(go(APPEAL, "handling", assignee(), "request_extension", &days(d)), Err(Refusal::BadInput(m)) if m.contains("工作日")),
            "{d} days"
        );
    }
    assert!(matches!(
        go(APPEAL, "handling", assignee(), "request_extension", &text("需等待")),
        Err(Refusal::BadInput(m)) if m.contains("天数")
    ));
    let o = apply(
        APPEAL,
        facts("handling"),
        assignee(),
        "request_extension",
        &days(MAX_EXTENSION_DAYS),
    )
    .expect("ask");
    assert_eq!(o.status, "handling");
    assert!(o.effects.contains(&Effect::RequestExtension));
    let pending = Facts {
        extension_pending: true,
        ..facts("handling")
    };
    assert!(
        matches!(
            apply(APPEAL, pending, assignee(), "request_extension", &days(3)),
            Err(Refusal::BadInput(_))
        ),
        "one request at a time"
    );
    let no = apply(
        APPEAL,
        pending,
        dispatcher(),
        "decide_extension",
        &verdict(false, ""),
    )
    .expect("decide");
    assert!(no.effects.contains(&Effect::DecideExtension));
    assert!(
        go(
            APPEAL,
            "handling",
            dispatcher(),
            "decide_extension",
            &verdict(true, "")
        )
        .is_err(),
        "nothing to decide"
    );
    assert!(
        apply(
            APPEAL,
            pending,
            assignee(),
            "decide_extension",
            &verdict(true, "")
        )
        .is_err(),
        "not one's own request"
    );
}

#[test]
fn escalation_merge_and_rejection() {
    assert_eq!(
        go(
            APPEAL,
            "accepted",
            dispatcher(),
            "escalate",
            &text("涉及多个社区")
        ),
        Ok("reported")
    );
    assert_eq!(
        go(APPEAL, "reported", dispatcher(), "merge", &Input::default()),
        Ok("merged")
    );
    assert!(go(APPEAL, "handling", dispatcher(), "merge", &Input::default()).is_err());
    assert!(go(APPEAL, "reported", dispatcher(), "reject", &text("")).is_err());
    assert!(matches!(
        go(
            APPEAL,
            "reported",
            dispatcher(),
            "reject",
            &text(&"字".repeat(501))
        ),
        Err(Refusal::BadInput(_))
    ));
    assert!(
        go(
            APPEAL,
            "reported",
            dispatcher(),
            "reject",
            &text(&"字".repeat(500))
        )
        .is_ok()
    );
    let d = apply(
        APPEAL,
        facts("reported"),
        dispatcher(),
        "dispatch",
        &Input::default(),
    )
    .expect("accept and dispatch at once");
    assert!(d.effects.contains(&Effect::Assign));
}

#[test]
fn messages_are_chinese() {
    let e = apply(
        APPEAL,
        facts("closed"),
        dispatcher(),
        "accept",
        &Input::default(),
    )
    .expect_err("closed");
    assert_eq!(e.to_string(), "案件当前为“已结案”，不能受理");
    let e = apply(
        APPEAL,
        facts("reported"),
        dispatcher(),
        "fly",
        &Input::default(),
    )
    .expect_err("unknown");
    assert_eq!(e.to_string(), "没有“fly”这个操作");
    assert_eq!(APPEAL.label_of("handling"), "处置中");
    assert_eq!(APPEAL.label_of("nonsense"), "未知");
    assert_eq!(APPEAL.action_label("remind"), "到期提醒");
    assert_eq!(APPEAL.action_label("nonsense"), "其他");
    assert!(APPEAL.is_done("merged") && !APPEAL.is_done("verified"));
}

#[test]
fn an_errand_goes_round_its_loop() {
    let neighbour = Standing {
        serves: true,
        ..st(Role::GridWorker)
    };
    let taker = Standing {
        assignee: true,
        ..st(Role::GridWorker)
    };
    let t = apply(
        ERRAND,
        facts("requested"),
        neighbour,
        "take",
        &Input::default(),
    )
    .expect("take");
    assert_eq!(t.status, "taken");
    assert!(t.effects.contains(&Effect::TakeSelf));
    assert_eq!(
        go(ERRAND, "taken", taker, "finish", &text("已代办社保认证")),
        Ok("done")
    );
    assert_eq!(
        go(
            ERRAND,
            "done",
            reporter(),
            "confirm",
            &verdict(false, "还差一份证明")
        ),
        Ok("taken")
    );
    assert_eq!(
        go(ERRAND, "done", reporter(), "confirm", &verdict(true, "")),
        Ok("confirmed")
    );
    assert_eq!(
        go(ERRAND, "taken", taker, "release", &text("临时出差")),
        Ok("requested")
    );
    assert!(go(ERRAND, "taken", taker, "release", &text("")).is_err());
    assert_eq!(
        go(ERRAND, "requested", reporter(), "cancel", &Input::default()),
        Ok("cancelled")
    );
    assert!(go(ERRAND, "done", reporter(), "cancel", &Input::default()).is_err());
    // The requester does not take their own errand, a stranger does not take one elsewhere,
    // and a resident does not finish one.
    let own = Standing {
        reporter: true,
        ..neighbour
    };
    assert!(go(ERRAND, "requested", own, "take", &Input::default()).is_err());
    assert!(
        go(
            ERRAND,
            "requested",
            st(Role::GridWorker),
            "take",
            &Input::default()
        )
        .is_err()
    );
    let resident_taker = Standing {
        assignee: true,
        ..st(Role::Resident)
    };
    assert!(go(ERRAND, "taken", resident_taker, "finish", &text("好了")).is_err());
    assert!(go(ERRAND, "done", taker, "confirm", &verdict(true, "")).is_err());
    assert_eq!(
        go(
            ERRAND,
            "done",
            local_worker(),
            "confirm",
            &verdict(true, "")
        ),
        Ok("confirmed")
    );
}

#[test]
fn only_the_timer_job_is_the_system() {
    assert!(Standing::system().is(Party::System));
    for role in Role::ALL {
        let s = Standing::of(role);
        assert!(!s.is(Party::System), "{role:?}");
        assert!(
            !(Party::ALL_PARTIES.iter().any(|p| s.is(*p))),
            "{role:?} is nobody"
        );
    }
}

#[test]
fn a_rating_form_knows_whether_dissatisfaction_sends_it_back() {
    let rated = |s, reworks| {
        leads_to(
            APPEAL,
            Facts {
                reworks_after_rating: reworks,
                ..facts("verified")
            },
            "rate",
            &rating(s),
        )
    };
    assert_eq!(rated(Satisfaction::Dissatisfied, 0), Some("handling"));
    assert_eq!(rated(Satisfaction::Satisfied, 0), Some("closed"));
    assert_eq!(rated(Satisfaction::Dissatisfied, 1), Some("closed"));
    assert_eq!(
        leads_to(
            APPEAL,
            facts("handling"),
            "rate",
            &rating(Satisfaction::Satisfied)
        ),
        None,
        "not from a state it does not leave"
    );
    assert_eq!(
        leads_to(APPEAL, facts("verified"), "fly", &Input::default()),
        None
    );
    assert_eq!(
        leads_to(APPEAL, facts("handling"), "supervise", &text("快")),
        Some("handling"),
        "a step beside the path stays"
    );
}

#[test]
fn every_flow_opens_to_its_screeners() {
    // Intake lands reports in batches and tells the screeners of each queue; an opening
    // notice to anyone else would need the engine to learn it.
    for flow in FLOWS {
        assert!(!flow.on_open.is_empty(), "{}", flow.kind);
        for e in flow.on_open {
            assert!(
                matches!(e, Effect::Notify(Audience::Dispatchers, ..)),
                "{}: {e:?}",
                flow.kind
            );
        }
    }
}

#[test]
fn every_flow_is_whole() {
    for flow in FLOWS {
        let ids: Vec<&str> = flow.states.iter().map(|s| s.id).collect();
        assert!(!flow.start().done, "{}", flow.kind);
        let mut unique = ids.clone();
        unique.sort_unstable();
        unique.dedup();
        assert_eq!(unique.len(), ids.len(), "{}: state ids repeat", flow.kind);
        for step in flow.steps {
            assert!(
                !step.from.is_empty() && !step.by.is_empty(),
                "{}",
                step.action
            );
            assert!(
                step.branches.last().is_some_and(|b| b.when == When::Always),
                "{}: the last branch must always apply",
                step.action
            );
            for s in step.from {
                assert!(ids.contains(s), "{}: {s}", step.action);
            }
            for b in step.branches {
                if let To::State(s) = b.to {
                    assert!(ids.contains(&s), "{}: {s}", step.action);
                }
            }
        }
        for t in flow.timers {
            for s in t.states {
                assert!(ids.contains(s), "{}: {s}", t.action);
            }
        }
        // Every state but the start is reached by some step.
        for s in &flow.states[1..] {
            assert!(
                flow.steps
                    .iter()
                    .any(|st| st.branches.iter().any(|b| b.to == To::State(s.id))),
                "{}: {} is never reached",
                flow.kind,
                s.id
            );
        }
    }
}

fn any_standing() -> impl Strategy<Value = Standing> {
    (prop::sample::select(Role::ALL.to_vec()), any::<[bool; 7]>()).prop_map(|(role, b)| Standing {
        role,
        reporter: b[0],
        assignee: b[1],
        dispatcher: b[2],
        above: b[3],
        local: b[4],
        serves: b[5],
        system: b[6],
    })
}

fn any_input() -> impl Strategy<Value = Input> {
    (
        prop::sample::select(vec!["", "  ", "已处理", "字字字字字字字字字字字字"]),
        prop::option::of(any::<bool>()),
        prop::option::of((any::<bool>(), any::<bool>(), 0u8..3)),
        prop::option::of(0u32..14),
    )
        .prop_map(|(t, passed, r, days)| Input {
            text: t.to_owned(),
            passed,
            rating: r.map(|(contacted, solved, s)| Rating {
                contacted,
                solved,
                satisfaction: [
                    Satisfaction::Satisfied,
                    Satisfaction::Basic,
                    Satisfaction::Dissatisfied,
                ][usize::from(s)],
            }),
            days,
        })
}

fn any_flow() -> impl Strategy<Value = &'static Flow> {
    prop::sample::select(FLOWS.to_vec())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    /// Random walks by random callers never leave the flow's states; a finished case accepts
    /// nothing; a refused action changes nothing (the walk stays where it was).
    #[test]
    fn walks_stay_in_the_flow(
        flow in any_flow(),
        walk in prop::collection::vec((any::<prop::sample::Index>(), any_standing(), any_input()), 1..40),
    ) {
        let mut status = flow.start().id;
        let mut reworks = 0u32;
        let mut pending = false;
        for (pick, who, input) in walk {
            let step = &flow.steps[pick.index(flow.steps.len())];
            let f = Facts { status, reworks_after_rating: reworks, extension_pending: pending };
            if let Ok(o) = apply(flow, f, who, step.action, &input) {
                    prop_assert!(!flow.is_done(status), "{} acted on a finished case", step.action);
                    prop_assert!(flow.state(o.status).is_some(), "{} left the flow", o.status);
                    prop_assert!(step.from.contains(&status));
                    prop_assert!(step.by.iter().any(|p| who.is(*p)));
                    if o.effects.contains(&Effect::CountRework) { reworks += 1; }
                    if o.effects.contains(&Effect::RequestExtension) { pending = true; }
                    if o.effects.contains(&Effect::DecideExtension) || o.effects.contains(&Effect::Unassign) || o.effects.contains(&Effect::RecordResult) { pending = false; }
                    status = o.status;
            }
        }
        prop_assert!(reworks <= 1, "a rating sends a case back at most once");
    }

    /// `available` offers exactly the actions `apply` accepts (with input that fills the
    /// form), and nothing on a finished case.
    #[test]
    fn available_is_what_apply_accepts(
        flow in any_flow(),
        state in any::<prop::sample::Index>(),
        who in any_standing(),
        reworks in 0u32..2,
        pending in any::<bool>(),
    ) {
        let status = flow.states[state.index(flow.states.len())].id;
        let f = Facts { status, reworks_after_rating: reworks, extension_pending: pending };
        let offered: Vec<&str> = available(flow, f, who).iter().map(|o| o.action).collect();
        for step in flow.steps {
            let accepted = [true, false]
                .iter()
                .any(|p| apply(flow, f, who, step.action, &valid_for(step, *p)).is_ok());
            prop_assert_eq!(offered.contains(&step.action), accepted, "{} in {}", step.action, status);
        }
        if flow.is_done(status) {
            prop_assert!(offered.is_empty());
        }
    }
}

mod timers {
    use super::*;
    use crate::worktime::{Calendar, WorkHours};
    use chrono::{NaiveDate, NaiveDateTime};

    fn cal() -> Calendar {
        Calendar::new(
            Vec::new(),
            WorkHours::new(vec![(9 * 60, 12 * 60), (13 * 60 + 30, 18 * 60)]).expect("hours"),
        )
        .expect("calendar")
    }

    fn at(d: u32, h: u32, m: u32) -> NaiveDateTime {
        NaiveDate::from_ymd_opt(2026, 12, d)
            .and_then(|x| x.and_hms_opt(h, m, 0))
            .expect("time")
    }

    fn timer(flow: &Flow, action: &str) -> &'static Timer {
        flow.timers
            .iter()
            .find(|t| t.action == action)
            .expect("timer")
    }

    #[test]
    fn each_timer_fires_once_where_it_runs() {
        let c = cal();
        let rules = Rules::default();
        let start = at(1, 9, 0);
        let due = c.deadline(start, Limit::WorkingDays(2));
        let clock = Some((start, due));
        let none = Marks::default();
        let fire = |status: &str, marks: Marks, now| {
            timers_due(
                APPEAL,
                status,
                marks,
                &rules,
                &c,
                Deadlines {
                    clock,
                    handle_due: Some(due),
                },
                now,
            )
            .iter()
            .map(|t| t.action)
            .collect::<Vec<_>>()
        };
        assert!(fire("handling", none, start).is_empty());
        let remind = fires_at(
            timer(APPEAL, "remind"),
            &rules,
            &c,
            Deadlines {
                clock,
                handle_due: Some(due),
            },
        )
        .expect("at");
        assert_eq!(fire("handling", none, remind), vec!["remind"]);
        assert!(fire("handling", none, remind - chrono::Duration::minutes(1)).is_empty());
        assert!(
            fire(
                "handling",
                Marks {
                    reminded: true,
                    ..none
                },
                remind
            )
            .is_empty()
        );
        assert!(
            fire("fed_back", none, remind).is_empty(),
            "not in a state without the timer"
        );
        let urge = c.deadline(due, Limit::WorkingDays(1));
        assert_eq!(
            fire(
                "handling",
                Marks {
                    reminded: true,
                    ..none
                },
                urge
            ),
            vec!["urge"]
        );
        let sup = c.deadline(due, Limit::WorkingDays(5));
        assert_eq!(
            fire("dispatched", none, sup),
            vec!["auto_supervise", "urge"]
        );
        assert!(
            fire(
                "handling",
                Marks {
                    reminded: true,
                    urged: true,
                    supervised: true
                },
                sup
            )
            .is_empty()
        );
    }

    #[test]
    fn an_errand_nobody_takes_is_flagged() {
        let c = cal();
        let start = at(1, 9, 0);
        let due = c.deadline(start, Limit::WorkingHours(4));
        let fired = timers_due(
            ERRAND,
            "requested",
            Marks::default(),
            &Rules::default(),
            &c,
            Deadlines {
                clock: Some((start, due)),
                handle_due: None,
            },
            due + chrono::Duration::minutes(1),
        );
        assert_eq!(
            fired.iter().map(|t| t.action).collect::<Vec<_>>(),
            vec!["unclaimed"]
        );
        assert!(
            timers_due(
                ERRAND,
                "requested",
                Marks::default(),
                &Rules::default(),
                &c,
                Deadlines {
                    clock: Some((start, due)),
                    handle_due: None
                },
                due
            )
            .is_empty()
        );
    }

    #[test]
    fn a_clock_time_limit_over_a_holiday_is_measured_in_clock_time() {
        let c = cal();
        let rules = Rules::default();
        // Saturday 5 December 2026, 10:00 to 12:00: no working minute in it.
        let start = NaiveDate::from_ymd_opt(2026, 12, 5)
            .and_then(|d| d.and_hms_opt(10, 0, 0))
            .expect("time");
        let due = start + chrono::Duration::hours(2);
        assert_eq!(c.working_minutes_between(start, due), 0);
        let d = Deadlines {
            clock: Some((start, due)),
            handle_due: Some(due),
        };
        assert_eq!(
            fires_at(timer(APPEAL, "remind"), &rules, &c, d),
            Some(start + chrono::Duration::minutes(96)),
            "0.8 of two hours"
        );
    }

    #[test]
    fn with_no_days_of_grace_urging_starts_just_after_the_deadline() {
        let c = cal();
        let rules = Rules {
            urge_after_days: 0,
            supervise_after_days: 0,
            ..Rules::default()
        };
        let start = at(1, 9, 0);
        let due = c.deadline(start, Limit::WorkingDays(1));
        let d = Deadlines {
            clock: Some((start, due)),
            handle_due: Some(due),
        };
        let fired = |now| {
            timers_due(
                APPEAL,
                "handling",
                Marks {
                    reminded: true,
                    ..Marks::default()
                },
                &rules,
                &c,
                d,
                now,
            )
            .iter()
            .map(|t| t.action)
            .collect::<Vec<_>>()
        };
        assert!(fired(due).is_empty(), "not at the deadline itself");
        assert_eq!(
            fired(due + chrono::Duration::seconds(1)),
            vec!["auto_supervise", "urge"]
        );
    }

    proptest! {
        /// The reminder fires at the working-time instant where the share of the clock is
        /// used — exactly when the light turns yellow — and the 催办/督办 at the calendar's
        /// deadline after the handling deadline.
        #[test]
        fn timers_fire_at_the_calendars_instant(
            day in 1u32..28, hour in 0u32..24, minute in 0u32..60,
            limit_days in 1u32..6, after in 0i64..20_000,
        ) {
            let c = cal();
            let rules = Rules::default();
            let start = at(day, hour, minute);
            let due = c.deadline(start, Limit::WorkingDays(limit_days));
            let clock = Some((start, due));
            let now = start + chrono::Duration::minutes(after);
            let remind = timer(APPEAL, "remind");
            let fired = |t: &Timer| {
                timers_due(APPEAL, "handling", Marks::default(), &rules, &c, Deadlines { clock, handle_due: Some(due) }, now)
                    .contains(&t)
            };
            let used = c.working_minutes_between(start, now);
            let limit = c.working_minutes_between(start, due);
            let yellow = now <= due
                && crate::rates::light(used, limit, rules.yellow_at) == crate::rates::Light::Yellow;
            prop_assert_eq!(fired(remind), yellow, "now {} used {} of {}", now, used, limit);
            let urge_at = c.deadline(due, Limit::WorkingDays(rules.urge_after_days));
            prop_assert_eq!(fired(timer(APPEAL, "urge")), now > due && now >= urge_at);
            let sup_at = c.deadline(due, Limit::WorkingDays(rules.supervise_after_days));
            prop_assert_eq!(fired(timer(APPEAL, "auto_supervise")), now > due && now >= sup_at);
        }
    }
}
