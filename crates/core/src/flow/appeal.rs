//! The 12345 appeal loop (诉求) as a flow: 上报 → 受理 (or 不予受理) → 派遣 → 签收 → 处置 →
//! 反馈 → 核查 → 评价/回访 → 结案, with 退回, 延期, 督办, 上报上级, 合并 and 撤回 beside the
//! main path, and the reminders, 催办 and automatic 督办 of slow cases. 事件 (incidents found
//! on patrol) run on the same flow.

use super::Audience::{Dispatchers, DispatchersAbove, GridWorkers, Handler, Reporter};
use super::Effect::*;
use super::*;
use crate::case::MAX_EXTENSION_DAYS;

const REPORTED: &str = "reported";
const ACCEPTED: &str = "accepted";
const DISPATCHED: &str = "dispatched";
const HANDLING: &str = "handling";
const FED_BACK: &str = "fed_back";
const VERIFIED: &str = "verified";
const CLOSED: &str = "closed";
const REJECTED: &str = "rejected";
const WITHDRAWN: &str = "withdrawn";
const MERGED: &str = "merged";

const DISPATCHER_ONLY: &str = "只有本级受理派遣人员可以操作";
const HANDLER_ONLY: &str = "只有承办单位的人员可以操作";

const fn reason(label: &'static str, hint: &'static str) -> Need {
    Need::Text {
        label,
        hint,
        max: 500,
        required: Required::Yes,
    }
}

const NOTE: Need = Need::Text {
    label: "说明",
    hint: "选填",
    max: 2000,
    required: Required::No,
};

const fn always(to: &'static str, effects: &'static [Effect]) -> Branch {
    Branch {
        when: When::Always,
        to: To::State(to),
        effects,
    }
}

const fn stay(effects: &'static [Effect]) -> Branch {
    Branch {
        when: When::Always,
        to: To::Same,
        effects,
    }
}

/// The appeal loop.
pub static FLOW: Flow = Flow {
    kind: "appeal",
    label: "诉求",
    states: &[
        State {
            id: REPORTED,
            label: "待受理",
            done: false,
            clock: Some(Clock::Intake),
        },
        State {
            id: ACCEPTED,
            label: "待派遣",
            done: false,
            clock: Some(Clock::Intake),
        },
        State {
            id: DISPATCHED,
            label: "待签收",
            done: false,
            clock: Some(Clock::Response),
        },
        State {
            id: HANDLING,
            label: "处置中",
            done: false,
            clock: Some(Clock::Handling),
        },
        State {
            id: FED_BACK,
            label: "待核查",
            done: false,
            clock: None,
        },
        State {
            id: VERIFIED,
            label: "待评价",
            done: false,
            clock: None,
        },
        State {
            id: CLOSED,
            label: "已结案",
            done: true,
            clock: None,
        },
        State {
            id: REJECTED,
            label: "不予受理",
            done: true,
            clock: None,
        },
        State {
            id: WITHDRAWN,
            label: "已撤回",
            done: true,
            clock: None,
        },
        State {
            id: MERGED,
            label: "已合并",
            done: true,
            clock: None,
        },
    ],
    on_open: &[Notify(Dispatchers, "report", "新案件 {no} 待受理：{title}")],
    steps: &[
        Step {
            action: "decide_extension",
            label: "审批延期",
            from: &[DISPATCHED, HANDLING],
            by: &[Party::Dispatcher],
            who: DISPATCHER_ONLY,
            guards: &[Guard::ExtensionPending(true, "没有等待审批的延期申请")],
            needs: &[Need::Verdict {
                legend: "审批结果",
                yes: "批准",
                no: "不批准",
            }],
            branches: &[
                Branch {
                    when: When::Passed(true),
                    to: To::Same,
                    effects: &[
                        DecideExtension,
                        Notify(Handler, "extension", "案件 {no} 延期申请已批准"),
                    ],
                },
                stay(&[
                    DecideExtension,
                    Notify(Handler, "extension", "案件 {no} 延期申请未获批准"),
                ]),
            ],
            main: true,
        },
        Step {
            action: "verify",
            label: "核查",
            from: &[FED_BACK],
            by: &[Party::Verifier, Party::Dispatcher],
            who: "只有网格员或本级受理派遣人员可以核查",
            guards: &[],
            needs: &[
                Need::Verdict {
                    legend: "核查结果",
                    yes: "核查通过",
                    no: "不通过，退回重办",
                },
                Need::Text {
                    label: "核查不通过的原因",
                    hint: "不通过时必填",
                    max: 500,
                    required: Required::UnlessPassed,
                },
            ],
            branches: &[
                Branch {
                    when: When::Passed(true),
                    to: To::State(VERIFIED),
                    effects: &[
                        Notify(Reporter, "rate", "案件 {no} 已处置完毕，请您评价"),
                        Notify(Dispatchers, "verify", "案件 {no} 核查通过，待评价或回访"),
                    ],
                },
                always(
                    HANDLING,
                    &[
                        RestartHandling,
                        Notify(Handler, "rework", "案件 {no} 核查未通过，请重新处置"),
                    ],
                ),
            ],
            main: true,
        },
        Step {
            action: "feedback",
            label: "反馈",
            from: &[HANDLING],
            by: &[Party::Handler],
            who: HANDLER_ONLY,
            guards: &[],
            needs: &[
                Need::Text {
                    label: "处置结果",
                    hint: "做了什么，结果如何",
                    max: 2000,
                    required: Required::Yes,
                },
                Need::Photos {
                    label: "处置后照片",
                    max: 9,
                },
            ],
            branches: &[always(
                FED_BACK,
                &[
                    RecordResult,
                    Notify(
                        GridWorkers,
                        "feedback",
                        "案件 {no} 已反馈处置结果，请现场核查",
                    ),
                ],
            )],
            main: true,
        },
        Step {
            action: "acknowledge",
            label: "签收",
            from: &[DISPATCHED],
            by: &[Party::Handler],
            who: HANDLER_ONLY,
            guards: &[],
            needs: &[NOTE],
            branches: &[always(HANDLING, &[Acknowledge])],
            main: true,
        },
        Step {
            action: "dispatch",
            label: "派遣",
            from: &[REPORTED, ACCEPTED],
            by: &[Party::Dispatcher],
            who: DISPATCHER_ONLY,
            guards: &[],
            needs: &[
                Need::Target,
                Need::Text {
                    label: "派遣说明",
                    hint: "选填",
                    max: 2000,
                    required: Required::No,
                },
            ],
            branches: &[always(
                DISPATCHED,
                &[
                    Assign,
                    Notify(Handler, "dispatch", "案件 {no} 已派遣给您，请签收：{title}"),
                ],
            )],
            main: true,
        },
        Step {
            action: "accept",
            label: "受理",
            from: &[REPORTED],
            by: &[Party::Dispatcher],
            who: DISPATCHER_ONLY,
            guards: &[],
            needs: &[NOTE],
            branches: &[always(ACCEPTED, &[])],
            main: true,
        },
        Step {
            action: "rate",
            label: "评价",
            from: &[VERIFIED],
            by: &[Party::Reporter, Party::Dispatcher],
            who: "只有报告人本人或回访人员可以评价",
            guards: &[],
            needs: &[
                Need::Rating,
                Need::Text {
                    label: "意见或建议",
                    hint: "选填",
                    max: 500,
                    required: Required::No,
                },
            ],
            branches: &[
                Branch {
                    when: When::FirstDissatisfaction,
                    to: To::State(HANDLING),
                    effects: &[
                        RecordRating,
                        CountRework,
                        RestartHandling,
                        Notify(Handler, "rework", "案件 {no} 评价不满意，请重新处置"),
                    ],
                },
                always(CLOSED, &[RecordRating, Close]),
            ],
            main: true,
        },
        Step {
            action: "close",
            label: "结案",
            from: &[VERIFIED],
            by: &[Party::Dispatcher],
            who: DISPATCHER_ONLY,
            guards: &[],
            needs: &[NOTE],
            branches: &[always(CLOSED, &[Close])],
            main: true,
        },
        Step {
            action: "reject",
            label: "不予受理",
            from: &[REPORTED],
            by: &[Party::Dispatcher],
            who: DISPATCHER_ONLY,
            guards: &[],
            needs: &[reason("不予受理的理由", "报告人会看到")],
            branches: &[always(
                REJECTED,
                &[Notify(Reporter, "reject", "案件 {no} 不予受理")],
            )],
            main: false,
        },
        Step {
            action: "return",
            label: "退回",
            from: &[DISPATCHED, HANDLING],
            by: &[Party::Handler],
            who: HANDLER_ONLY,
            guards: &[],
            needs: &[reason(
                "退回理由",
                "说明为什么不归您处置，受理单位会重新派遣",
            )],
            branches: &[always(
                ACCEPTED,
                &[
                    Unassign,
                    Notify(Dispatchers, "return", "案件 {no} 被退回，请重新派遣"),
                ],
            )],
            main: false,
        },
        Step {
            action: "escalate",
            label: "上报上级",
            from: &[REPORTED, ACCEPTED],
            by: &[Party::Dispatcher],
            who: DISPATCHER_ONLY,
            guards: &[],
            needs: &[reason("上报理由", "")],
            branches: &[always(
                REPORTED,
                &[
                    EscalateUp,
                    Notify(
                        Dispatchers,
                        "escalate",
                        "案件 {no} 由下级上报，请受理：{title}",
                    ),
                ],
            )],
            main: false,
        },
        Step {
            action: "merge",
            label: "合并",
            from: &[REPORTED, ACCEPTED],
            by: &[Party::Dispatcher],
            who: DISPATCHER_ONLY,
            guards: &[],
            needs: &[Need::CaseRef, NOTE],
            branches: &[always(MERGED, &[MergeInto])],
            main: false,
        },
        Step {
            action: "supervise",
            label: "督办",
            from: &[REPORTED, ACCEPTED, DISPATCHED, HANDLING, FED_BACK, VERIFIED],
            by: &[Party::Above],
            who: "只有上级可以督办",
            guards: &[],
            needs: &[reason("督办要求", "")],
            branches: &[stay(&[
                MarkSupervised,
                Notify(Handler, "supervise", "案件 {no} 被督办：{note}"),
            ])],
            main: false,
        },
        Step {
            action: "request_extension",
            label: "申请延期",
            from: &[DISPATCHED, HANDLING],
            by: &[Party::Handler],
            who: HANDLER_ONLY,
            guards: &[Guard::ExtensionPending(false, "已有延期申请在等待审批")],
            needs: &[
                Need::Days {
                    max: MAX_EXTENSION_DAYS,
                    default: 3,
                },
                reason("延期理由", ""),
            ],
            branches: &[stay(&[
                RequestExtension,
                Notify(
                    Dispatchers,
                    "extension",
                    "案件 {no} 申请延期 {days} 个工作日，请审批",
                ),
            ])],
            main: false,
        },
        Step {
            action: "withdraw",
            label: "撤回",
            from: &[REPORTED, ACCEPTED, DISPATCHED],
            by: &[Party::Reporter],
            who: "只有报告人本人可以撤回",
            guards: &[],
            needs: &[NOTE],
            branches: &[always(WITHDRAWN, &[])],
            main: false,
        },
    ],
    timers: &[
        Timer {
            action: "auto_supervise",
            label: "自动督办",
            states: &[DISPATCHED, HANDLING],
            at: At::SuperviseAfterDue,
            mark: Mark::Supervised,
            effects: &[
                Notify(Handler, "supervise", "{text}"),
                Notify(DispatchersAbove, "supervise", "{text}"),
            ],
            text: "案件 {no} {title} 已超期 {days} 个工作日，系统自动督办",
        },
        Timer {
            action: "urge",
            label: "催办",
            states: &[DISPATCHED, HANDLING],
            at: At::UrgeAfterDue,
            mark: Mark::Urged,
            effects: &[Notify(Handler, "urge", "{text}")],
            text: "案件 {no} {title} 已超过办理时限，请尽快处置（催办）",
        },
        Timer {
            action: "remind",
            label: "到期提醒",
            states: &[DISPATCHED, HANDLING],
            at: At::ShareUsed,
            mark: Mark::Reminded,
            effects: &[Notify(Handler, "remind", "{text}")],
            text: "案件 {no} {title} 即将到期，请按时办结",
        },
    ],
};

/// The appeal as a kind. Its categories are the street's taxonomy (the catalog's reference
/// data, edited by the administrators), not a fixed list; 事件 runs on the same flow.
pub static KIND: Kind = Kind {
    flow: &FLOW,
    aliases: &[("incident", "事件")],
    categories: &[],
};
