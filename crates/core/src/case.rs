//! The case workflow: the closed loop of a report, as a state machine.
//!
//! 上报 → 受理 (or 不予受理) → 派遣 → 签收 → 处置 → 反馈 → 核查 → 评价/回访 → 结案, with
//! 退回, 延期, 督办, 上报上级, 合并 and 撤回 beside the main path. Every transition names the
//! states it leaves from, who may make it, and where it goes; anything else is refused with a
//! Chinese message. The engine knows nothing of storage: the caller works out the actor's
//! [`Standing`] towards the case (reporter? assignee? dispatcher? a level above?) and applies
//! the returned [`Outcome`]. Later kinds of work (disputes, hazards, errands) reuse it.

use crate::role::Role;
use serde::{Deserialize, Serialize};

/// Where a case stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// 待受理: reported, waiting to be screened.
    Reported,
    /// 待派遣: accepted (or returned), waiting to be dispatched.
    Accepted,
    /// 待签收: dispatched, waiting for the assignee to take it.
    Dispatched,
    /// 处置中: taken, being handled (or sent back for rework).
    Handling,
    /// 待核查: the assignee fed back a result.
    FedBack,
    /// 待评价: verified on site, waiting for the reporter's rating or a return visit.
    Verified,
    /// 已结案.
    Closed,
    /// 不予受理.
    Rejected,
    /// 已撤回 by the reporter.
    Withdrawn,
    /// 已合并 into another case.
    Merged,
}

impl Status {
    /// Every status, in the order of the loop.
    pub const ALL: [Status; 10] = [
        Status::Reported,
        Status::Accepted,
        Status::Dispatched,
        Status::Handling,
        Status::FedBack,
        Status::Verified,
        Status::Closed,
        Status::Rejected,
        Status::Withdrawn,
        Status::Merged,
    ];

    /// The stored identifier.
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Reported => "reported",
            Status::Accepted => "accepted",
            Status::Dispatched => "dispatched",
            Status::Handling => "handling",
            Status::FedBack => "fed_back",
            Status::Verified => "verified",
            Status::Closed => "closed",
            Status::Rejected => "rejected",
            Status::Withdrawn => "withdrawn",
            Status::Merged => "merged",
        }
    }

    /// Parses the stored identifier.
    pub fn parse(s: &str) -> Option<Status> {
        Status::ALL.into_iter().find(|x| x.as_str() == s)
    }

    /// The Chinese name.
    pub fn label(self) -> &'static str {
        match self {
            Status::Reported => "待受理",
            Status::Accepted => "待派遣",
            Status::Dispatched => "待签收",
            Status::Handling => "处置中",
            Status::FedBack => "待核查",
            Status::Verified => "待评价",
            Status::Closed => "已结案",
            Status::Rejected => "不予受理",
            Status::Withdrawn => "已撤回",
            Status::Merged => "已合并",
        }
    }

    /// Whether nothing more happens to the case.
    pub fn is_final(self) -> bool {
        matches!(
            self,
            Status::Closed | Status::Rejected | Status::Withdrawn | Status::Merged
        )
    }
}

/// The reporter's verdict (回访/评价).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Satisfaction {
    /// 满意.
    Satisfied,
    /// 基本满意.
    Basic,
    /// 不满意.
    Dissatisfied,
}

/// Something a person does to a case.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Action {
    /// 受理.
    Accept,
    /// 不予受理, with the reason the reporter is shown.
    Reject {
        /// The reason.
        reason: String,
    },
    /// 派遣 to an org node or a department (the caller resolves and checks the target).
    Dispatch,
    /// 签收.
    Acknowledge,
    /// 退回 to the dispatcher, with a reason.
    Return {
        /// The reason.
        reason: String,
    },
    /// 反馈: the result of the handling.
    FeedBack {
        /// What was done.
        text: String,
    },
    /// 核查: passed, or sent back for rework with a reason.
    Verify {
        /// Whether the result holds on site.
        passed: bool,
        /// Why not, when it does not.
        note: String,
    },
    /// 评价 by the reporter, or 回访 recorded by an operator.
    Rate {
        /// 是否联系.
        contacted: bool,
        /// 是否解决.
        solved: bool,
        /// 满意 / 基本满意 / 不满意.
        satisfaction: Satisfaction,
    },
    /// 结案 by the dispatcher (e.g. when the reporter cannot be reached to rate).
    Close,
    /// 撤回 by the reporter before handling starts.
    Withdraw,
    /// 合并 into another case.
    Merge,
    /// 上报上级: moved up a level.
    Escalate {
        /// Why the current level cannot handle it.
        reason: String,
    },
    /// 督办 by a level above: marks the case and notifies the assignee.
    Supervise {
        /// What is asked.
        note: String,
    },
    /// 申请延期.
    RequestExtension {
        /// Why more time is needed.
        reason: String,
        /// How many more working days (1 to [`MAX_EXTENSION_DAYS`]).
        days: u32,
    },
    /// 审批延期.
    DecideExtension {
        /// Approved or refused.
        approve: bool,
    },
}

impl Action {
    /// The stored identifier of the action (for the timeline).
    pub fn as_str(&self) -> &'static str {
        match self {
            Action::Accept => "accept",
            Action::Reject { .. } => "reject",
            Action::Dispatch => "dispatch",
            Action::Acknowledge => "acknowledge",
            Action::Return { .. } => "return",
            Action::FeedBack { .. } => "feedback",
            Action::Verify { .. } => "verify",
            Action::Rate { .. } => "rate",
            Action::Close => "close",
            Action::Withdraw => "withdraw",
            Action::Merge => "merge",
            Action::Escalate { .. } => "escalate",
            Action::Supervise { .. } => "supervise",
            Action::RequestExtension { .. } => "request_extension",
            Action::DecideExtension { .. } => "decide_extension",
        }
    }

    /// The Chinese name of the action.
    pub fn label(&self) -> &'static str {
        match self {
            Action::Accept => "受理",
            Action::Reject { .. } => "不予受理",
            Action::Dispatch => "派遣",
            Action::Acknowledge => "签收",
            Action::Return { .. } => "退回",
            Action::FeedBack { .. } => "反馈",
            Action::Verify { .. } => "核查",
            Action::Rate { .. } => "评价",
            Action::Close => "结案",
            Action::Withdraw => "撤回",
            Action::Merge => "合并",
            Action::Escalate { .. } => "上报上级",
            Action::Supervise { .. } => "督办",
            Action::RequestExtension { .. } => "申请延期",
            Action::DecideExtension { .. } => "审批延期",
        }
    }
}

/// What the caller found out about the actor and the case.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Standing {
    /// The actor's role.
    pub role: Role,
    /// The actor reported the case.
    pub reporter: bool,
    /// The case is dispatched to the actor's node or department.
    pub assignee: bool,
    /// The actor screens and dispatches at the case's current handling level.
    pub dispatcher: bool,
    /// The actor's scope strictly contains the dispatching level (may supervise).
    pub above: bool,
    /// The actor is a grid worker of the grid where the case is (verifies on site).
    pub local: bool,
}

/// The case's facts the rules look at.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Facts {
    /// Where it stands.
    pub status: Status,
    /// How many times a 不满意 already sent it back (it goes back once).
    pub reworks_after_rating: u32,
    /// An extension request waits for a decision.
    pub extension_pending: bool,
}

/// What a transition does.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Outcome {
    /// The new status.
    pub status: Status,
    /// Whether the handling clocks restart (a new dispatch or a rework).
    pub restart_clock: bool,
    /// Whether 不满意 sent it back for rework.
    pub rework_after_rating: bool,
    /// The new state of the extension request, if this changes it.
    pub extension_pending: Option<bool>,
}

/// Why an action is refused.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum Refusal {
    /// The case is not in a state the action leaves from.
    #[error("案件当前为“{status}”，不能{action}")]
    WrongState {
        /// The current status label.
        status: &'static str,
        /// The action label.
        action: &'static str,
    },
    /// The actor may not do this to this case.
    #[error("您不能对这件案件{action}：{why}")]
    NotAllowed {
        /// The action label.
        action: &'static str,
        /// Who may.
        why: &'static str,
    },
    /// A required text is missing or too long.
    #[error("{0}")]
    BadInput(String),
}

/// The longest extension one request may ask for, in working days (12345 practice allows
/// one extension of up to about two working weeks).
pub const MAX_EXTENSION_DAYS: u32 = 10;

fn dispatching_role(r: Role) -> bool {
    matches!(
        r,
        Role::CommandCenter | Role::CommunitySecretary | Role::CommunityStaff | Role::Admin
    )
}

fn handling_role(r: Role) -> bool {
    matches!(
        r,
        Role::GridWorker
            | Role::CommunityStaff
            | Role::CommunitySecretary
            | Role::DepartmentHandler
            | Role::CommandCenter
    )
}

fn text(what: &str, s: &str, max: usize) -> Result<(), Refusal> {
    let n = s.trim().chars().count();
    if n == 0 {
        return Err(Refusal::BadInput(format!("请填写{what}")));
    }
    if n > max {
        return Err(Refusal::BadInput(format!("{what}不能超过 {max} 个字")));
    }
    Ok(())
}

/// Applies an action: checks the state, the actor's standing and the input, and says where
/// the case goes. Pure: nothing is written.
pub fn apply(case: Facts, who: Standing, action: &Action) -> Result<Outcome, Refusal> {
    use Status::*;
    let label = action.label();
    let wrong = || Refusal::WrongState {
        status: case.status.label(),
        action: label,
    };
    let deny = |why: &'static str| Refusal::NotAllowed { action: label, why };
    let from = |allowed: &[Status]| {
        if allowed.contains(&case.status) {
            Ok(())
        } else {
            Err(wrong())
        }
    };
    let dispatcher = || {
        if who.dispatcher && dispatching_role(who.role) {
            Ok(())
        } else {
            Err(deny("只有本级受理派遣人员可以操作"))
        }
    };
    let assignee = || {
        if who.assignee && handling_role(who.role) {
            Ok(())
        } else {
            Err(deny("只有承办单位的人员可以操作"))
        }
    };
    let go = |status: Status| Outcome {
        status,
        restart_clock: false,
        rework_after_rating: false,
        extension_pending: None,
    };
    match action {
        Action::Accept => {
            from(&[Reported])?;
            dispatcher()?;
            Ok(go(Accepted))
        }
        Action::Reject { reason } => {
            from(&[Reported])?;
            dispatcher()?;
            text("不予受理的理由", reason, 500)?;
            Ok(go(Rejected))
        }
        Action::Dispatch => {
            from(&[Reported, Accepted])?;
            dispatcher()?;
            Ok(Outcome {
                restart_clock: true,
                ..go(Dispatched)
            })
        }
        Action::Acknowledge => {
            from(&[Dispatched])?;
            assignee()?;
            Ok(go(Handling))
        }
        Action::Return { reason } => {
            from(&[Dispatched, Handling])?;
            assignee()?;
            text("退回理由", reason, 500)?;
            Ok(Outcome {
                extension_pending: Some(false),
                ..go(Accepted)
            })
        }
        Action::FeedBack { text: t } => {
            from(&[Handling])?;
            assignee()?;
            text("处置结果", t, 2000)?;
            Ok(Outcome {
                extension_pending: Some(false),
                ..go(FedBack)
            })
        }
        Action::Verify { passed, note } => {
            from(&[FedBack])?;
            let on_site = who.local && who.role == Role::GridWorker;
            if !(on_site || who.dispatcher && dispatching_role(who.role)) {
                return Err(deny("只有网格员或本级受理派遣人员可以核查"));
            }
            if *passed {
                Ok(go(Verified))
            } else {
                text("核查不通过的原因", note, 500)?;
                Ok(Outcome {
                    restart_clock: true,
                    ..go(Handling)
                })
            }
        }
        Action::Rate { satisfaction, .. } => {
            from(&[Verified])?;
            let operator = who.dispatcher && dispatching_role(who.role);
            if !(who.reporter || operator) {
                return Err(deny("只有报告人本人或回访人员可以评价"));
            }
            if *satisfaction == Satisfaction::Dissatisfied && case.reworks_after_rating == 0 {
                Ok(Outcome {
                    restart_clock: true,
                    rework_after_rating: true,
                    ..go(Handling)
                })
            } else {
                Ok(go(Closed))
            }
        }
        Action::Close => {
            from(&[Verified])?;
            dispatcher()?;
            Ok(go(Closed))
        }
        Action::Withdraw => {
            from(&[Reported, Accepted, Dispatched])?;
            if !who.reporter {
                return Err(deny("只有报告人本人可以撤回"));
            }
            Ok(go(Withdrawn))
        }
        Action::Merge => {
            from(&[Reported, Accepted])?;
            dispatcher()?;
            Ok(go(Merged))
        }
        Action::Escalate { reason } => {
            from(&[Reported, Accepted])?;
            dispatcher()?;
            text("上报理由", reason, 500)?;
            Ok(go(Reported))
        }
        Action::Supervise { note } => {
            from(&[Reported, Accepted, Dispatched, Handling, FedBack, Verified])?;
            if !(who.above
                && matches!(
                    who.role,
                    Role::CommandCenter | Role::Admin | Role::CommunitySecretary
                ))
            {
                return Err(deny("只有上级可以督办"));
            }
            text("督办要求", note, 500)?;
            Ok(go(case.status))
        }
        Action::RequestExtension { reason, days } => {
            from(&[Dispatched, Handling])?;
            assignee()?;
            if case.extension_pending {
                return Err(Refusal::BadInput("已有延期申请在等待审批".into()));
            }
            text("延期理由", reason, 500)?;
            if *days == 0 || *days > MAX_EXTENSION_DAYS {
                return Err(Refusal::BadInput(format!(
                    "延期天数应为 1 到 {MAX_EXTENSION_DAYS} 个工作日"
                )));
            }
            Ok(Outcome {
                extension_pending: Some(true),
                ..go(case.status)
            })
        }
        Action::DecideExtension { .. } => {
            from(&[Dispatched, Handling])?;
            dispatcher()?;
            if !case.extension_pending {
                return Err(Refusal::BadInput("没有等待审批的延期申请".into()));
            }
            Ok(Outcome {
                extension_pending: Some(false),
                ..go(case.status)
            })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use Status::*;

    fn facts(status: Status) -> Facts {
        Facts {
            status,
            reworks_after_rating: 0,
            extension_pending: false,
        }
    }

    fn st(role: Role) -> Standing {
        Standing {
            role,
            reporter: false,
            assignee: false,
            dispatcher: false,
            above: false,
            local: false,
        }
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

    fn all_actions() -> Vec<Action> {
        vec![
            Action::Accept,
            Action::Reject {
                reason: "不属于受理范围".into(),
            },
            Action::Dispatch,
            Action::Acknowledge,
            Action::Return {
                reason: "不属本部门职责".into(),
            },
            Action::FeedBack {
                text: "已清理".into(),
            },
            Action::Verify {
                passed: true,
                note: String::new(),
            },
            Action::Rate {
                contacted: true,
                solved: true,
                satisfaction: Satisfaction::Satisfied,
            },
            Action::Close,
            Action::Withdraw,
            Action::Merge,
            Action::Escalate {
                reason: "涉及多个部门".into(),
            },
            Action::Supervise {
                note: "请尽快处理".into(),
            },
            Action::RequestExtension {
                reason: "需等待配件".into(),
                days: 3,
            },
            Action::DecideExtension { approve: true },
        ]
    }

    #[test]
    fn the_main_path_closes_the_loop() {
        let steps: [(Status, Standing, Action, Status); 7] = [
            (Reported, dispatcher(), Action::Accept, Accepted),
            (Accepted, dispatcher(), Action::Dispatch, Dispatched),
            (Dispatched, assignee(), Action::Acknowledge, Handling),
            (
                Handling,
                assignee(),
                Action::FeedBack {
                    text: "已修复路灯".into(),
                },
                FedBack,
            ),
            (
                FedBack,
                local_worker(),
                Action::Verify {
                    passed: true,
                    note: String::new(),
                },
                Verified,
            ),
            (
                Verified,
                reporter(),
                Action::Rate {
                    contacted: true,
                    solved: true,
                    satisfaction: Satisfaction::Basic,
                },
                Closed,
            ),
            (Verified, dispatcher(), Action::Close, Closed),
        ];
        for (from, who, action, to) in steps {
            assert_eq!(
                apply(facts(from), who, &action).map(|o| o.status),
                Ok(to),
                "{action:?}"
            );
        }
    }

    #[test]
    fn every_action_is_refused_from_every_final_state() {
        for s in Status::ALL.into_iter().filter(|s| s.is_final()) {
            for a in all_actions() {
                for who in [
                    dispatcher(),
                    assignee(),
                    reporter(),
                    Standing {
                        above: true,
                        ..dispatcher()
                    },
                ] {
                    assert!(
                        matches!(apply(facts(s), who, &a), Err(Refusal::WrongState { .. })),
                        "{s:?} {a:?}"
                    );
                }
            }
        }
    }

    #[test]
    fn only_the_right_people_act() {
        let stranger = st(Role::GridWorker);
        assert!(matches!(
            apply(facts(Reported), stranger, &Action::Accept),
            Err(Refusal::NotAllowed { .. })
        ));
        assert!(matches!(
            apply(facts(Reported), reporter(), &Action::Dispatch),
            Err(Refusal::NotAllowed { .. })
        ));
        assert!(matches!(
            apply(facts(Dispatched), dispatcher(), &Action::Acknowledge),
            Err(Refusal::NotAllowed { .. })
        ));
        assert!(matches!(
            apply(facts(Dispatched), assignee(), &Action::Withdraw),
            Err(Refusal::NotAllowed { .. })
        ));
        assert!(matches!(
            apply(
                facts(FedBack),
                st(Role::Resident),
                &Action::Verify {
                    passed: true,
                    note: String::new()
                }
            ),
            Err(Refusal::NotAllowed { .. })
        ));
        let rate = Action::Rate {
            contacted: true,
            solved: true,
            satisfaction: Satisfaction::Satisfied,
        };
        assert!(
            matches!(
                apply(facts(Verified), assignee(), &rate),
                Err(Refusal::NotAllowed { .. })
            ),
            "the handler does not rate itself"
        );
        assert!(
            matches!(
                apply(
                    facts(Handling),
                    dispatcher(),
                    &Action::Supervise { note: "快".into() }
                ),
                Err(Refusal::NotAllowed { .. })
            ),
            "supervision comes from above"
        );
        let above = Standing {
            above: true,
            ..st(Role::CommandCenter)
        };
        assert_eq!(
            apply(
                facts(Handling),
                above,
                &Action::Supervise { note: "快".into() }
            )
            .map(|o| o.status),
            Ok(Handling)
        );
        // A resident who is (somehow) named assignee still cannot handle.
        let odd = Standing {
            assignee: true,
            ..st(Role::Resident)
        };
        assert!(apply(facts(Dispatched), odd, &Action::Acknowledge).is_err());
    }

    #[test]
    fn returns_rework_and_withdrawal() {
        let r = apply(
            facts(Handling),
            assignee(),
            &Action::Return {
                reason: "非本部门职责".into(),
            },
        )
        .expect("return");
        assert_eq!(r.status, Accepted);
        assert!(
            apply(
                facts(Handling),
                assignee(),
                &Action::Return {
                    reason: "  ".into()
                }
            )
            .is_err(),
            "a reason is required"
        );
        let v = apply(
            facts(FedBack),
            local_worker(),
            &Action::Verify {
                passed: false,
                note: "垃圾仍在".into(),
            },
        )
        .expect("verify");
        assert_eq!((v.status, v.restart_clock), (Handling, true));
        assert!(
            apply(
                facts(FedBack),
                local_worker(),
                &Action::Verify {
                    passed: false,
                    note: String::new()
                }
            )
            .is_err()
        );
        let elsewhere = st(Role::GridWorker);
        let pass = Action::Verify {
            passed: true,
            note: String::new(),
        };
        assert!(
            matches!(
                apply(facts(FedBack), elsewhere, &pass),
                Err(Refusal::NotAllowed { .. })
            ),
            "only the grid's own worker verifies"
        );
        for s in [Reported, Accepted, Dispatched] {
            assert_eq!(
                apply(facts(s), reporter(), &Action::Withdraw).map(|o| o.status),
                Ok(Withdrawn)
            );
        }
        assert!(
            matches!(
                apply(facts(Handling), reporter(), &Action::Withdraw),
                Err(Refusal::WrongState { .. })
            ),
            "not once handling started"
        );
    }

    #[test]
    fn dissatisfaction_reopens_once() {
        let bad = Action::Rate {
            contacted: true,
            solved: false,
            satisfaction: Satisfaction::Dissatisfied,
        };
        let first = apply(facts(Verified), reporter(), &bad).expect("rate");
        assert_eq!(
            (first.status, first.rework_after_rating, first.restart_clock),
            (Handling, true, true)
        );
        let again = Facts {
            reworks_after_rating: 1,
            ..facts(Verified)
        };
        assert_eq!(apply(again, reporter(), &bad).map(|o| o.status), Ok(Closed));
        assert_eq!(
            apply(facts(Verified), dispatcher(), &bad).map(|o| o.status),
            Ok(Handling),
            "a return visit by phone counts"
        );
    }

    #[test]
    fn extensions_wait_for_one_decision() {
        let ask = Action::RequestExtension {
            reason: "需等待配件".into(),
            days: 3,
        };
        for days in [0, MAX_EXTENSION_DAYS + 1] {
            let long = Action::RequestExtension {
                reason: "需等待配件".into(),
                days,
            };
            assert!(
                matches!(apply(facts(Handling), assignee(), &long), Err(Refusal::BadInput(m)) if m.contains("工作日")),
                "{days} days"
            );
        }
        let o = apply(facts(Handling), assignee(), &ask).expect("ask");
        assert_eq!((o.status, o.extension_pending), (Handling, Some(true)));
        let pending = Facts {
            extension_pending: true,
            ..facts(Handling)
        };
        assert!(
            matches!(apply(pending, assignee(), &ask), Err(Refusal::BadInput(_))),
            "one request at a time"
        );
        assert_eq!(
            apply(
                pending,
                dispatcher(),
                &Action::DecideExtension { approve: false }
            )
            .map(|o| o.extension_pending),
            Ok(Some(false))
        );
        assert!(
            apply(
                facts(Handling),
                dispatcher(),
                &Action::DecideExtension { approve: true }
            )
            .is_err(),
            "nothing to decide"
        );
        assert!(
            apply(
                pending,
                assignee(),
                &Action::DecideExtension { approve: true }
            )
            .is_err(),
            "not one's own request"
        );
    }

    #[test]
    fn escalation_merge_and_rejection() {
        assert_eq!(
            apply(
                facts(Accepted),
                dispatcher(),
                &Action::Escalate {
                    reason: "涉及多个社区".into()
                }
            )
            .map(|o| o.status),
            Ok(Reported)
        );
        assert_eq!(
            apply(facts(Reported), dispatcher(), &Action::Merge).map(|o| o.status),
            Ok(Merged)
        );
        assert!(apply(facts(Handling), dispatcher(), &Action::Merge).is_err());
        assert!(
            apply(
                facts(Reported),
                dispatcher(),
                &Action::Reject {
                    reason: String::new()
                }
            )
            .is_err()
        );
        let long = "字".repeat(501);
        assert!(matches!(
            apply(
                facts(Reported),
                dispatcher(),
                &Action::Reject { reason: long }
            ),
            Err(Refusal::BadInput(_))
        ));
        assert_eq!(
            apply(facts(Reported), dispatcher(), &Action::Dispatch).map(|o| o.restart_clock),
            Ok(true),
            "accept and dispatch at once"
        );
    }

    #[test]
    fn statuses_round_trip_and_messages_are_chinese() {
        for s in Status::ALL {
            assert_eq!(Status::parse(s.as_str()), Some(s));
        }
        let e = apply(facts(Closed), dispatcher(), &Action::Accept).expect_err("closed");
        assert_eq!(e.to_string(), "案件当前为“已结案”，不能受理");
    }
}
