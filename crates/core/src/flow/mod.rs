//! The case engine: each kind of work is a [`Flow`] written as data — its states, its steps
//! (which action, from which states, by which [`Party`], with what [`Need`]s, to which state,
//! with which [`Effect`]s), and its [`Timer`]s on the working-time calendar.
//!
//! [`apply`] checks an action against a flow and says where the case goes and what must be
//! done; [`available`] says what a caller may do now and what each action needs (the forms are
//! drawn from it). Neither knows anything of storage: the service works out the caller's
//! [`Standing`], carries out the effects and writes the result in one transaction.
//!
//! Kinds: the 12345 appeal loop ([`appeal`]) and the errand (红色代办, [`errand`]). A new kind
//! is a new `Flow` value and a [`Kind`] that names it; the engine's code does not change.

pub mod appeal;
pub mod errand;

use crate::case::Satisfaction;
use crate::press::Rules;
use crate::role::Role;
use crate::worktime::{Calendar, Limit};
use chrono::NaiveDateTime;

/// One state of a flow.
#[derive(Debug, PartialEq, Eq)]
pub struct State {
    /// The stored identifier.
    pub id: &'static str,
    /// The Chinese name.
    pub label: &'static str,
    /// Nothing more happens to a case here (closed, refused, withdrawn, merged …).
    pub done: bool,
    /// The clock that runs while a case is here (its deadline and its light).
    pub clock: Option<Clock>,
}

/// The deadlines a case keeps.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Clock {
    /// The response limit counted from the report (waiting to be screened or taken).
    Intake,
    /// The response limit counted from the dispatch (waiting to be acknowledged).
    Response,
    /// The handling limit.
    Handling,
}

/// Who takes part in a case. The service finds which parties a caller is (their
/// [`Standing`]); a step names the parties that may take it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Party {
    /// Who reported it (or asked for the errand).
    Reporter,
    /// The screeners of the level that holds the case (受理派遣).
    Dispatcher,
    /// Whoever the case is dispatched to, or the one who took the errand.
    Handler,
    /// A level above the screeners (督办).
    Above,
    /// A grid worker of the case's own grid (核查 on site).
    Verifier,
    /// Staff serving the place of the case, who may take an errand.
    Neighbour,
    /// The platform's own timers.
    System,
}

impl Party {
    /// Every party, for the tests.
    pub const ALL_PARTIES: [Party; 7] = [
        Party::Reporter,
        Party::Dispatcher,
        Party::Handler,
        Party::Above,
        Party::Verifier,
        Party::Neighbour,
        Party::System,
    ];
}

/// The roles that screen and dispatch.
pub const DISPATCHING: &[Role] = &[
    Role::CommandCenter,
    Role::CommunitySecretary,
    Role::CommunityStaff,
    Role::Admin,
];

/// The roles that handle what is dispatched to their node or department.
pub const HANDLING: &[Role] = &[
    // A member handles what they took (an errand); nothing else is assigned to a person.
    Role::PartyMember,
    Role::GridWorker,
    Role::CommunityStaff,
    Role::CommunitySecretary,
    Role::DepartmentHandler,
    Role::CommandCenter,
];

/// The roles that supervise from above.
pub const SUPERVISING: &[Role] = &[Role::CommandCenter, Role::Admin, Role::CommunitySecretary];

/// The roles that serve residents where they live (take errands).
pub const SERVING: &[Role] = &[
    Role::PartyMember,
    Role::GridWorker,
    Role::CommunityStaff,
    Role::CommunitySecretary,
];

/// What the service found out about the caller and the case.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Standing {
    /// The caller's role.
    pub role: Role,
    /// The caller reported the case.
    pub reporter: bool,
    /// The case is dispatched to the caller's node or department, or the caller took it.
    pub assignee: bool,
    /// The caller screens and dispatches at the case's current level.
    pub dispatcher: bool,
    /// The caller's scope strictly contains the screening level.
    pub above: bool,
    /// The caller is a grid worker of the case's grid.
    pub local: bool,
    /// The caller's scope holds the case's place.
    pub serves: bool,
    /// The caller is the platform's timer job.
    pub system: bool,
}

impl Standing {
    /// Nobody in particular, with a role.
    pub fn of(role: Role) -> Standing {
        Standing {
            role,
            reporter: false,
            assignee: false,
            dispatcher: false,
            above: false,
            local: false,
            serves: false,
            system: false,
        }
    }

    /// The platform's timer job.
    pub fn system() -> Standing {
        Standing {
            system: true,
            ..Standing::of(Role::Admin)
        }
    }

    /// Whether the caller is `party`.
    pub fn is(&self, party: Party) -> bool {
        match party {
            Party::Reporter => self.reporter,
            Party::Dispatcher => self.dispatcher && DISPATCHING.contains(&self.role),
            Party::Handler => self.assignee && HANDLING.contains(&self.role),
            Party::Above => self.above && SUPERVISING.contains(&self.role),
            Party::Verifier => self.local && self.role == Role::GridWorker,
            Party::Neighbour => self.serves && !self.reporter && SERVING.contains(&self.role),
            Party::System => self.system,
        }
    }
}

/// The facts of a case the rules look at.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Facts<'a> {
    /// Its state's identifier.
    pub status: &'a str,
    /// How many times a 不满意 already sent it back.
    pub reworks_after_rating: u32,
    /// An extension request waits for a decision.
    pub extension_pending: bool,
}

/// A fact a step requires before it may be taken.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Guard {
    /// An extension request waits (true) or none does (false); the message says why not.
    ExtensionPending(bool, &'static str),
}

impl Guard {
    fn holds(&self, f: &Facts) -> Result<(), Refusal> {
        match *self {
            Guard::ExtensionPending(want, why) if f.extension_pending != want => {
                Err(Refusal::BadInput(why.to_owned()))
            }
            Guard::ExtensionPending(..) => Ok(()),
        }
    }
}

/// When a free text is required.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Required {
    /// Always.
    Yes,
    /// Never (optional).
    No,
    /// When the verdict is "no" (a failed check says why).
    UnlessPassed,
}

/// One thing an action's form asks for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Need {
    /// A text: its label, a hint under it, its longest length, whether required.
    Text {
        /// The label (also the name in messages).
        label: &'static str,
        /// A hint shown beside the label.
        hint: &'static str,
        /// The longest, in characters.
        max: usize,
        /// When it is required.
        required: Required,
    },
    /// A yes/no verdict: the question, the yes and the no.
    Verdict {
        /// The question (also the name in messages).
        legend: &'static str,
        /// The label of yes.
        yes: &'static str,
        /// The label of no.
        no: &'static str,
    },
    /// The three questions of a rating (联系, 解决, 满意).
    Rating,
    /// A number of working days, from 1 to `max`.
    Days {
        /// The most.
        max: u32,
        /// What the form offers first.
        default: u32,
    },
    /// Where to dispatch (the service offers the targets in the caller's scope).
    Target,
    /// Another case's number (a merge).
    CaseRef,
    /// Photos.
    Photos {
        /// The label.
        label: &'static str,
        /// At most this many.
        max: u32,
    },
}

/// The rating of 回访/评价.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Rating {
    /// 是否联系.
    pub contacted: bool,
    /// 是否解决.
    pub solved: bool,
    /// 满意 / 基本满意 / 不满意.
    pub satisfaction: Satisfaction,
}

/// What the caller sent with an action (the service parses the form or the JSON into it).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Input {
    /// Reason, result, note or comment.
    pub text: String,
    /// A verdict.
    pub passed: Option<bool>,
    /// A rating.
    pub rating: Option<Rating>,
    /// Working days.
    pub days: Option<u32>,
}

/// Where a branch of a step leads.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum To {
    /// This state.
    State(&'static str),
    /// The state the case is in (a step beside the path: 督办, 延期, a reminder).
    Same,
}

/// Which branch of a step applies.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum When {
    /// Always (the last branch).
    Always,
    /// The verdict is this.
    Passed(bool),
    /// 不满意 for the first time (it goes back for rework once).
    FirstDissatisfaction,
}

/// One way a step can go.
#[derive(Debug, PartialEq, Eq)]
pub struct Branch {
    /// When it applies.
    pub when: When,
    /// Where it leads.
    pub to: To,
    /// What it does.
    pub effects: &'static [Effect],
}

/// Who hears of a step.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Audience {
    /// The reporter (an account; the public reporter reads their page).
    Reporter,
    /// The screeners of the level that holds the case.
    Dispatchers,
    /// The screeners of the level above that (automatic 督办).
    DispatchersAbove,
    /// Whoever the case is dispatched to, or who took it.
    Handler,
    /// The grid workers of the case's grid.
    GridWorkers,
}

/// What a step does besides changing the state. The service carries each out the same way
/// for every kind.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Effect {
    /// Dispatch to the chosen target: the assignee is set, the response and handling clocks
    /// start, the marks of the last round are cleared.
    Assign,
    /// The caller takes the case themself (an errand): they become the assignee and the
    /// handling clock starts.
    TakeSelf,
    /// The assignee is cleared (back to the queue).
    Unassign,
    /// The handling clock starts again from now (rework), its marks cleared.
    RestartHandling,
    /// The acknowledgement is recorded (late or not).
    Acknowledge,
    /// The result is recorded (late or not), with its photos.
    RecordResult,
    /// The rating is recorded.
    RecordRating,
    /// One more rework after a rating.
    CountRework,
    /// The case is closed now.
    Close,
    /// The case is merged into the chosen one (its reporter follows that one).
    MergeInto,
    /// The case moves up to the level above the screeners.
    EscalateUp,
    /// The case is marked as supervised.
    MarkSupervised,
    /// The reminder is marked as sent.
    MarkReminded,
    /// The 催办 is marked as sent.
    MarkUrged,
    /// An extension request is recorded and waits.
    RequestExtension,
    /// The extension request is decided: approved, the handling deadline moves on.
    DecideExtension,
    /// A notification: who, its kind, and its text (`{no}` the case number, `{title}` its
    /// title, `{note}` the caller's text, `{days}` the days asked, `{to}` the new assignee
    /// or level).
    Notify(Audience, &'static str, &'static str),
}

/// One step a caller may take.
#[derive(Debug, PartialEq, Eq)]
pub struct Step {
    /// The stored identifier of the action.
    pub action: &'static str,
    /// Its Chinese name.
    pub label: &'static str,
    /// The states it leaves from.
    pub from: &'static [&'static str],
    /// Who may take it (any of them).
    pub by: &'static [Party],
    /// Said when someone else tries.
    pub who: &'static str,
    /// Facts it requires.
    pub guards: &'static [Guard],
    /// What its form asks for.
    pub needs: &'static [Need],
    /// Where it goes, the first branch that applies.
    pub branches: &'static [Branch],
    /// Whether it moves the case on (offered first) or is an exception (folded away).
    pub main: bool,
}

/// When a timer fires.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum At {
    /// When the share of the running clock given by the rules (`yellow_at`) is used, while
    /// neither the clock nor the handling deadline has passed.
    ShareUsed,
    /// When the handling deadline has passed by the rules' 催办 days.
    UrgeAfterDue,
    /// When the handling deadline has passed by the rules' 督办 days.
    SuperviseAfterDue,
    /// When the clock running in the state has run out (an errand nobody took in time).
    ClockPassed,
}

/// Marks that say a timer already fired.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Marks {
    /// A reminder was sent.
    pub reminded: bool,
    /// A 催办 was sent.
    pub urged: bool,
    /// The case is supervised.
    pub supervised: bool,
}

/// Which mark a timer sets (so it fires once).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mark {
    /// [`Marks::reminded`].
    Reminded,
    /// [`Marks::urged`].
    Urged,
    /// [`Marks::supervised`].
    Supervised,
}

impl Marks {
    fn has(&self, m: Mark) -> bool {
        match m {
            Mark::Reminded => self.reminded,
            Mark::Urged => self.urged,
            Mark::Supervised => self.supervised,
        }
    }
}

/// A timer: the system's step when a deadline nears or passes.
#[derive(Debug, PartialEq, Eq)]
pub struct Timer {
    /// The timeline's identifier.
    pub action: &'static str,
    /// Its Chinese name.
    pub label: &'static str,
    /// The states in which it runs.
    pub states: &'static [&'static str],
    /// When it fires.
    pub at: At,
    /// The mark that makes it fire once.
    pub mark: Mark,
    /// What it does (notifications; the mark is set by the engine).
    pub effects: &'static [Effect],
    /// The timeline's text (`{no}` `{title}` `{days}` as in [`Effect::Notify`]).
    pub text: &'static str,
}

/// A kind of work, as data.
#[derive(Debug, PartialEq, Eq)]
pub struct Flow {
    /// The kind's identifier (`appeal`, `errand` …).
    pub kind: &'static str,
    /// Its Chinese name.
    pub label: &'static str,
    /// Its states; the first is where a new case starts.
    pub states: &'static [State],
    /// What reporting does (the first step of the timeline).
    pub on_open: &'static [Effect],
    /// Its steps, in the order a caller most likely wants them.
    pub steps: &'static [Step],
    /// Its timers.
    pub timers: &'static [Timer],
}

/// A kind of work a slice brings: its flow and its categories.
#[derive(Debug)]
pub struct Kind {
    /// The flow (its `kind` is the kind's identifier).
    pub flow: &'static Flow,
    /// Its categories: `(code, name, response limit, handling limit)`, seeded once.
    pub categories: &'static [KindCategory],
    /// Other identifiers a report may name that run on this flow (事件 runs as an appeal).
    pub aliases: &'static [(&'static str, &'static str)],
}

/// A category a kind brings.
#[derive(Debug)]
pub struct KindCategory {
    /// Stable code.
    pub code: &'static str,
    /// Name.
    pub name: &'static str,
    /// The group's name.
    pub group: &'static str,
    /// The limit to be taken.
    pub response: Limit,
    /// The limit to be done.
    pub handling: Limit,
    /// Words that suggest it.
    pub keywords: &'static [&'static str],
}

/// A change of a case's state, as the hooks inside its transaction see it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Change<'a> {
    /// The case.
    pub case_id: i64,
    /// Its kind.
    pub kind: &'a str,
    /// Where it is (its grid's path).
    pub org_path: &'a str,
    /// The action or timer (`report` when it was opened).
    pub action: &'a str,
    /// The state it left (empty when it was opened).
    pub from: &'a str,
    /// The state it is in now.
    pub to: &'a str,
    /// When, in milliseconds since the epoch.
    pub at_ms: i64,
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
    /// The caller may not do this to this case.
    #[error("您不能对这件案件{action}：{why}")]
    NotAllowed {
        /// The action label.
        action: &'static str,
        /// Who may.
        why: &'static str,
    },
    /// The flow has no such action.
    #[error("没有“{0}”这个操作")]
    Unknown(String),
    /// A required input is missing or bad.
    #[error("{0}")]
    BadInput(String),
}

/// Where a transition goes and what it does.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Outcome {
    /// The new state.
    pub status: &'static str,
    /// What must be carried out.
    pub effects: &'static [Effect],
}

/// An action the caller may take now, with what its form asks for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Offer {
    /// The action's identifier.
    pub action: &'static str,
    /// Its Chinese name.
    pub label: &'static str,
    /// What its form asks for.
    pub needs: &'static [Need],
    /// Whether it moves the case on (offered first).
    pub main: bool,
}

impl Flow {
    /// The state a new case starts in.
    pub fn start(&self) -> &'static State {
        &self.states[0]
    }

    /// A state by identifier.
    pub fn state(&self, id: &str) -> Option<&'static State> {
        self.states.iter().find(|s| s.id == id)
    }

    /// A state's Chinese name (`未知` for one the flow does not have).
    pub fn label_of(&self, id: &str) -> &'static str {
        self.state(id).map_or("未知", |s| s.label)
    }

    /// Whether nothing more happens in this state.
    pub fn is_done(&self, id: &str) -> bool {
        self.state(id).is_some_and(|s| s.done)
    }

    /// A step by its action's identifier.
    pub fn step(&self, action: &str) -> Option<&'static Step> {
        self.steps.iter().find(|s| s.action == action)
    }

    /// The Chinese name of an action or a timer (`其他` for one the flow does not have).
    pub fn action_label(&self, action: &str) -> &'static str {
        self.step(action)
            .map(|s| s.label)
            .or_else(|| {
                self.timers
                    .iter()
                    .find(|t| t.action == action)
                    .map(|t| t.label)
            })
            .unwrap_or("其他")
    }
}

fn check_text(label: &str, s: &str, max: usize, required: bool) -> Result<(), Refusal> {
    let n = s.trim().chars().count();
    if n == 0 && required {
        return Err(Refusal::BadInput(format!("请填写{label}")));
    }
    if n > max {
        return Err(Refusal::BadInput(format!("{label}不能超过 {max} 个字")));
    }
    Ok(())
}

fn check_needs(needs: &[Need], input: &Input) -> Result<(), Refusal> {
    for need in needs {
        match *need {
            Need::Text {
                label,
                max,
                required,
                ..
            } => {
                let req = match required {
                    Required::Yes => true,
                    Required::No => false,
                    Required::UnlessPassed => input.passed == Some(false),
                };
                check_text(label, &input.text, max, req)?;
            }
            Need::Verdict { legend, .. } if input.passed.is_none() => {
                return Err(Refusal::BadInput(format!("请选择{legend}")));
            }
            Need::Rating if input.rating.is_none() => {
                return Err(Refusal::BadInput(
                    "请回答是否联系、是否解决和满意程度".into(),
                ));
            }
            Need::Days { max, .. } => match input.days {
                None => return Err(Refusal::BadInput("请填写延期的工作日天数".into())),
                Some(d) if d == 0 || d > max => {
                    return Err(Refusal::BadInput(format!(
                        "延期天数应为 1 到 {max} 个工作日"
                    )));
                }
                Some(_) => {}
            },
            _ => {}
        }
    }
    Ok(())
}

fn branch_applies(when: When, facts: &Facts, input: &Input) -> bool {
    match when {
        When::Always => true,
        When::Passed(p) => input.passed == Some(p),
        When::FirstDissatisfaction => {
            facts.reworks_after_rating == 0
                && input
                    .rating
                    .is_some_and(|r| r.satisfaction == Satisfaction::Dissatisfied)
        }
    }
}

/// Checks that `step` may be taken now by the caller, before looking at any input.
fn may_take(
    flow: &'static Flow,
    step: &'static Step,
    facts: &Facts,
    who: &Standing,
) -> Result<(), Refusal> {
    if !step.from.contains(&facts.status) {
        return Err(Refusal::WrongState {
            status: flow.label_of(facts.status),
            action: step.label,
        });
    }
    if !step.by.iter().any(|p| who.is(*p)) {
        return Err(Refusal::NotAllowed {
            action: step.label,
            why: step.who,
        });
    }
    for g in step.guards {
        g.holds(facts)?;
    }
    Ok(())
}

/// Every flow of the core (the tests walk them all).
pub const FLOWS: &[&Flow] = &[&appeal::FLOW, &errand::FLOW];

/// Applies an action: checks the state, the caller's standing and the input, and says where
/// the case goes and what must be done. Pure: nothing is written.
pub fn apply(
    flow: &'static Flow,
    facts: Facts,
    who: Standing,
    action: &str,
    input: &Input,
) -> Result<Outcome, Refusal> {
    let step = flow
        .step(action)
        .ok_or_else(|| Refusal::Unknown(action.to_owned()))?;
    may_take(flow, step, &facts, &who)?;
    check_needs(step.needs, input)?;
    let branch = step
        .branches
        .iter()
        .find(|b| branch_applies(b.when, &facts, input))
        .ok_or_else(|| Refusal::BadInput("请完整填写表单".into()))?;
    Ok(Outcome {
        status: match branch.to {
            To::State(s) => s,
            To::Same => flow.state(facts.status).map_or(flow.start().id, |s| s.id),
        },
        effects: branch.effects,
    })
}

/// Where `action` with `input` would lead from the facts, whoever takes it (`None` when the
/// action does not leave from this state): for hints such as "不满意 sends it back once".
pub fn leads_to(
    flow: &'static Flow,
    facts: Facts,
    action: &str,
    input: &Input,
) -> Option<&'static str> {
    let step = flow.step(action)?;
    if !step.from.contains(&facts.status) {
        return None;
    }
    let branch = step
        .branches
        .iter()
        .find(|b| branch_applies(b.when, &facts, input))?;
    Some(match branch.to {
        To::State(s) => s,
        To::Same => flow.state(facts.status)?.id,
    })
}

/// What the caller may do now, in the flow's order, with what each form asks for.
pub fn available(flow: &'static Flow, facts: Facts, who: Standing) -> Vec<Offer> {
    flow.steps
        .iter()
        .filter(|s| may_take(flow, s, &facts, &who).is_ok())
        .map(|s| Offer {
            action: s.action,
            label: s.label,
            needs: s.needs,
            main: s.main,
        })
        .collect()
}

/// The deadlines of a case the timers measure.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Deadlines {
    /// The clock running in its state: (start, due).
    pub clock: Option<(NaiveDateTime, NaiveDateTime)>,
    /// Its handling deadline.
    pub handle_due: Option<NaiveDateTime>,
}

/// When a timer fires for a case with these deadlines, by the rules and the calendar. `None`
/// when it never fires in this state.
pub fn fires_at(
    timer: &Timer,
    rules: &Rules,
    cal: &Calendar,
    d: Deadlines,
) -> Option<NaiveDateTime> {
    let Deadlines { clock, handle_due } = d;
    match timer.at {
        At::ShareUsed => {
            let (start, due) = clock?;
            let limit = cal.working_minutes_between(start, due);
            if limit <= 0 {
                // A clock-time limit over a holiday: measured in clock time.
                let span = (due - start).num_milliseconds();
                let ms = (rules.yellow_at * span as f64).ceil() as i64;
                return Some(start + chrono::Duration::milliseconds(ms));
            }
            let minutes = (rules.yellow_at * limit as f64).ceil() as u32;
            Some(cal.add_working_minutes(start, minutes))
        }
        At::UrgeAfterDue => {
            Some(cal.deadline(handle_due?, Limit::WorkingDays(rules.urge_after_days)))
        }
        At::SuperviseAfterDue => {
            Some(cal.deadline(handle_due?, Limit::WorkingDays(rules.supervise_after_days)))
        }
        At::ClockPassed => clock.map(|(_, due)| due),
    }
}

/// The timers of a flow that fire now for a case in `status` with `marks` and these deadlines
/// (see [`fires_at`]).
pub fn timers_due(
    flow: &'static Flow,
    status: &str,
    marks: Marks,
    rules: &Rules,
    cal: &Calendar,
    d: Deadlines,
    now: NaiveDateTime,
) -> Vec<&'static Timer> {
    let Deadlines { clock, handle_due } = d;
    flow.timers
        .iter()
        .filter(|t| t.states.contains(&status) && !marks.has(t.mark))
        .filter(|t| {
            let Some(at) = fires_at(t, rules, cal, d) else {
                return false;
            };
            match t.at {
                // A reminder is for a deadline still ahead.
                At::ShareUsed => {
                    now >= at
                        && handle_due.is_some_and(|h| now <= h)
                        && clock.is_some_and(|(_, due)| now <= due)
                }
                At::UrgeAfterDue | At::SuperviseAfterDue => {
                    handle_due.is_some_and(|h| now > h) && now >= at
                }
                At::ClockPassed => now > at,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests;
