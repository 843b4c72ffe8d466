//! The errand (红色代办) as a flow: a resident, or a grid worker for them, asks for an errand
//! (paperwork, an appointment, a purchase for the housebound); someone serving the place takes
//! it, does it and says so; the requester confirms (or says it is not done yet). The taker may
//! release it back to the pool with a reason; the requester may cancel it until it is done.
//! The category's response limit is the time to be taken, its handling limit the time to be
//! done, on the working-time calendar; the reminders and 催办 are the appeal's.

use super::Audience::{Dispatchers, Handler, Reporter};
use super::Effect::*;
use super::*;
use crate::worktime::Limit;

const REQUESTED: &str = "requested";
const TAKEN: &str = "taken";
const DONE: &str = "done";
const CONFIRMED: &str = "confirmed";
const CANCELLED: &str = "cancelled";

const TAKER_ONLY: &str = "只有接单人可以操作";
const REQUESTER_ONLY: &str = "只有提出代办的人可以操作";

/// The errand.
pub static FLOW: Flow = Flow {
    kind: "errand",
    label: "红色代办",
    states: &[
        State {
            id: REQUESTED,
            label: "待接单",
            done: false,
            clock: Some(Clock::Intake),
        },
        State {
            id: TAKEN,
            label: "代办中",
            done: false,
            clock: Some(Clock::Handling),
        },
        State {
            id: DONE,
            label: "待确认",
            done: false,
            clock: None,
        },
        State {
            id: CONFIRMED,
            label: "已办结",
            done: true,
            clock: None,
        },
        State {
            id: CANCELLED,
            label: "已取消",
            done: true,
            clock: None,
        },
    ],
    on_open: &[Notify(Dispatchers, "report", "新的代办请求 {no}：{title}")],
    steps: &[
        Step {
            action: "take",
            label: "接单",
            from: &[REQUESTED],
            by: &[Party::Neighbour],
            who: "只有服务本网格、社区的工作人员和党员可以接单",
            guards: &[],
            needs: &[Need::Text {
                label: "说明",
                hint: "选填，如预计何时上门",
                max: 500,
                required: Required::No,
            }],
            branches: &[Branch {
                when: When::Always,
                to: To::State(TAKEN),
                effects: &[
                    TakeSelf,
                    Notify(Reporter, "taken", "代办 {no} 已由 {to} 接单"),
                ],
            }],
            main: true,
        },
        Step {
            action: "finish",
            label: "办好了",
            from: &[TAKEN],
            by: &[Party::Handler],
            who: TAKER_ONLY,
            guards: &[],
            needs: &[
                Need::Text {
                    label: "办理情况",
                    hint: "办了什么，结果如何",
                    max: 2000,
                    required: Required::Yes,
                },
                Need::Photos {
                    label: "办理照片",
                    max: 9,
                },
            ],
            branches: &[Branch {
                when: When::Always,
                to: To::State(DONE),
                effects: &[
                    RecordResult,
                    Notify(Reporter, "finish", "代办 {no} 已办好，请确认"),
                ],
            }],
            main: true,
        },
        Step {
            action: "confirm",
            label: "确认办结",
            from: &[DONE],
            by: &[Party::Reporter, Party::Verifier],
            who: "只有提出代办的人或本网格的网格员可以确认",
            guards: &[],
            needs: &[
                Need::Verdict {
                    legend: "是否办好",
                    yes: "已办好",
                    no: "还没有办好",
                },
                Need::Text {
                    label: "没有办好的地方",
                    hint: "没有办好时必填",
                    max: 500,
                    required: Required::UnlessPassed,
                },
            ],
            branches: &[
                Branch {
                    when: When::Passed(true),
                    to: To::State(CONFIRMED),
                    effects: &[
                        Close,
                        Notify(Handler, "confirm", "代办 {no} 已确认办结，谢谢您"),
                    ],
                },
                Branch {
                    when: When::Always,
                    to: To::State(TAKEN),
                    effects: &[Notify(Handler, "rework", "代办 {no} 还没有办好：{note}")],
                },
            ],
            main: true,
        },
        Step {
            action: "release",
            label: "退回待接单",
            from: &[TAKEN],
            by: &[Party::Handler],
            who: TAKER_ONLY,
            guards: &[],
            needs: &[Need::Text {
                label: "退回理由",
                hint: "说明为什么办不了，其他人可以接单",
                max: 500,
                required: Required::Yes,
            }],
            branches: &[Branch {
                when: When::Always,
                to: To::State(REQUESTED),
                effects: &[
                    Unassign,
                    Notify(Dispatchers, "return", "代办 {no} 被退回，等待其他人接单"),
                    Notify(
                        Reporter,
                        "return",
                        "代办 {no} 原接单人办不了，正在另找人办理",
                    ),
                ],
            }],
            main: false,
        },
        Step {
            action: "cancel",
            label: "取消代办",
            from: &[REQUESTED, TAKEN],
            by: &[Party::Reporter],
            who: REQUESTER_ONLY,
            guards: &[],
            needs: &[Need::Text {
                label: "说明",
                hint: "选填",
                max: 500,
                required: Required::No,
            }],
            branches: &[Branch {
                when: When::Always,
                to: To::State(CANCELLED),
                effects: &[Close, Notify(Handler, "cancel", "代办 {no} 已被取消")],
            }],
            main: false,
        },
    ],
    timers: &[
        Timer {
            action: "unclaimed",
            label: "无人接单提醒",
            states: &[REQUESTED],
            at: At::ClockPassed,
            mark: Mark::Urged,
            effects: &[Notify(Dispatchers, "unclaimed", "{text}")],
            text: "代办 {no} {title} 超过接单时限仍无人接单，请安排人员",
        },
        Timer {
            action: "urge",
            label: "催办",
            states: &[TAKEN],
            at: At::UrgeAfterDue,
            mark: Mark::Urged,
            effects: &[Notify(Handler, "urge", "{text}")],
            text: "代办 {no} {title} 已超过办理时限，请尽快办好",
        },
        Timer {
            action: "remind",
            label: "到期提醒",
            states: &[TAKEN],
            at: At::ShareUsed,
            mark: Mark::Reminded,
            effects: &[Notify(Handler, "remind", "{text}")],
            text: "代办 {no} {title} 即将到期，请按时办好",
        },
    ],
};

/// The errand as a kind, with its categories: the response limit is the time to be taken, the
/// handling limit the time to be done.
pub static KIND: Kind = Kind {
    flow: &FLOW,
    aliases: &[],
    categories: &[
        KindCategory {
            code: "DB01",
            name: "证件证明代办",
            group: "红色代办",
            response: Limit::WorkingHours(4),
            handling: Limit::WorkingDays(5),
            keywords: &["证件", "证明", "社保", "医保", "户籍", "身份证", "认证"],
        },
        KindCategory {
            code: "DB02",
            name: "就医预约陪同",
            group: "红色代办",
            response: Limit::WorkingHours(2),
            handling: Limit::WorkingDays(3),
            keywords: &["挂号", "预约", "看病", "就医", "陪同", "取药"],
        },
        KindCategory {
            code: "DB03",
            name: "代购代买",
            group: "红色代办",
            response: Limit::WorkingHours(4),
            handling: Limit::WorkingDays(2),
            keywords: &["代购", "买菜", "代买", "送货"],
        },
        KindCategory {
            code: "DB04",
            name: "生活缴费代办",
            group: "红色代办",
            response: Limit::WorkingHours(4),
            handling: Limit::WorkingDays(3),
            keywords: &["缴费", "水费", "电费", "燃气费", "话费"],
        },
        KindCategory {
            code: "DB99",
            name: "其他代办",
            group: "红色代办",
            response: Limit::WorkingHours(4),
            handling: Limit::WorkingDays(5),
            keywords: &[],
        },
    ],
};
