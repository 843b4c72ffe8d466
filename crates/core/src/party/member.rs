//! Members: the pipeline from application to full membership, the posts of a branch's
//! committee, the probation and its reminder, and the rules of a branch's shape that count
//! members (at least 3 正式党员, a committee only from 7, a warning above 50).
//!
//! The pipeline follows the 发展党员工作细则: 入党申请人 → 入党积极分子 → 发展对象 → 预备党员 →
//! 正式党员, each step dated and approved; a step may be returned (back one stage) or refused
//! (the record ends), each with a reason; the probation lasts a year and may be extended once,
//! by six months to a year.

use chrono::{Months, NaiveDate};

/// Where a person stands on the way into the party.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Stage {
    /// 入党申请人.
    Applicant,
    /// 入党积极分子.
    Activist,
    /// 发展对象.
    Candidate,
    /// 预备党员.
    Probationary,
    /// 正式党员.
    Full,
}

impl Stage {
    /// Every stage, in order.
    pub const ALL: [Stage; 5] = [
        Stage::Applicant,
        Stage::Activist,
        Stage::Candidate,
        Stage::Probationary,
        Stage::Full,
    ];

    /// The identifier stored and used in the API.
    pub fn as_str(self) -> &'static str {
        match self {
            Stage::Applicant => "applicant",
            Stage::Activist => "activist",
            Stage::Candidate => "candidate",
            Stage::Probationary => "probationary",
            Stage::Full => "full",
        }
    }

    /// The Chinese name.
    pub fn label(self) -> &'static str {
        match self {
            Stage::Applicant => "入党申请人",
            Stage::Activist => "入党积极分子",
            Stage::Candidate => "发展对象",
            Stage::Probationary => "预备党员",
            Stage::Full => "正式党员",
        }
    }

    /// Parses the identifier or the Chinese name.
    pub fn parse(s: &str) -> Option<Stage> {
        let s = s.trim();
        Stage::ALL
            .into_iter()
            .find(|x| x.as_str() == s || x.label() == s)
    }

    /// The stage after this one.
    pub fn next(self) -> Option<Stage> {
        match self {
            Stage::Applicant => Some(Stage::Activist),
            Stage::Activist => Some(Stage::Candidate),
            Stage::Candidate => Some(Stage::Probationary),
            Stage::Probationary => Some(Stage::Full),
            Stage::Full => None,
        }
    }

    /// The stage before this one (where a return sends the record).
    pub fn previous(self) -> Option<Stage> {
        match self {
            Stage::Applicant | Stage::Full | Stage::Probationary => None,
            Stage::Activist => Some(Stage::Applicant),
            Stage::Candidate => Some(Stage::Activist),
        }
    }

    /// Whether a person at this stage is a member (预备 or 正式).
    pub fn is_member(self) -> bool {
        matches!(self, Stage::Probationary | Stage::Full)
    }

    /// Whether a member at this stage votes (only 正式党员 do; 预备党员 attend and speak).
    pub fn votes(self) -> bool {
        self == Stage::Full
    }
}

/// A step on the pipeline.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Step {
    /// On to the next stage (确定为积极分子, 列为发展对象, 接收为预备党员, 转正).
    Advance,
    /// Back one stage, with a reason (退回).
    Return,
    /// The record ends, with a reason (不予发展; for a 预备党员, 取消预备党员资格).
    Refuse,
    /// The probation is extended by 6–12 months, once (延长预备期).
    Extend,
}

impl Step {
    /// The identifier used in the API.
    pub fn as_str(self) -> &'static str {
        match self {
            Step::Advance => "advance",
            Step::Return => "return",
            Step::Refuse => "refuse",
            Step::Extend => "extend",
        }
    }

    /// Parses the identifier.
    pub fn parse(s: &str) -> Option<Step> {
        [Step::Advance, Step::Return, Step::Refuse, Step::Extend]
            .into_iter()
            .find(|x| x.as_str() == s.trim())
    }

    /// The Chinese words of the step from a stage.
    pub fn label(self, from: Stage) -> &'static str {
        match (self, from) {
            (Step::Advance, Stage::Applicant) => "确定为入党积极分子",
            (Step::Advance, Stage::Activist) => "列为发展对象",
            (Step::Advance, Stage::Candidate) => "接收为预备党员",
            (Step::Advance, _) => "按期转为正式党员",
            (Step::Return, _) => "退回上一阶段",
            (Step::Refuse, Stage::Probationary) => "取消预备党员资格",
            (Step::Refuse, _) => "不予发展",
            (Step::Extend, _) => "延长预备期",
        }
    }
}

/// A member's record as the pipeline needs it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Record {
    pub stage: Stage,
    /// The date of the last step (application, or the last advance).
    pub since: NaiveDate,
    /// 入党日期: when accepted as 预备党员.
    pub joined: Option<NaiveDate>,
    /// Months the probation was extended by (0 when not).
    pub extended_months: u32,
}

/// What a step asks for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StepInput {
    pub step: Step,
    pub on: NaiveDate,
    /// Who approved it (支部大会 / 上级党委), required for an advance.
    pub approved_by: String,
    pub reason: String,
    /// For an extension: 6–12.
    pub months: u32,
}

/// What a step does to the record.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StepOutcome {
    /// The record moves to the stage (with the join date set when it becomes 预备).
    To(Stage),
    /// The record ends.
    Ends,
    /// The probation is extended by the months.
    Extended(u32),
}

/// The minimum time an 积极分子 is trained before becoming a 发展对象: a year.
pub const ACTIVIST_MONTHS: u32 = 12;
/// The probation: a year.
pub const PROBATION_MONTHS: u32 = 12;

fn plus_months(d: NaiveDate, m: u32) -> NaiveDate {
    d.checked_add_months(Months::new(m)).unwrap_or(d)
}

/// When a 预备党员 joined on `joined` is due to become 正式.
pub fn full_due(joined: NaiveDate, extended_months: u32) -> NaiveDate {
    plus_months(joined, PROBATION_MONTHS + extended_months)
}

/// Checks a step against the record on `today`; says in Chinese why it cannot be taken.
pub fn check_step(r: &Record, s: &StepInput, today: NaiveDate) -> Result<StepOutcome, String> {
    if s.on > today {
        return Err(format!("日期不能晚于今天（{today}）"));
    }
    if s.on < r.since {
        return Err(format!("日期不能早于上一步的日期（{}）", r.since));
    }
    let needs_reason = matches!(s.step, Step::Return | Step::Refuse | Step::Extend);
    if needs_reason && s.reason.trim().is_empty() {
        return Err(format!("“{}”须写明理由", s.step.label(r.stage)));
    }
    match s.step {
        Step::Advance => {
            let next = r
                .stage
                .next()
                .ok_or_else(|| "已是正式党员，没有下一阶段".to_owned())?;
            if s.approved_by.trim().is_empty() {
                return Err(format!(
                    "“{}”须写明批准的组织（如 支部大会、街道党工委）",
                    s.step.label(r.stage)
                ));
            }
            if r.stage == Stage::Activist && s.on < plus_months(r.since, ACTIVIST_MONTHS) {
                return Err(format!(
                    "入党积极分子须经一年以上培养教育和考察，最早 {} 可列为发展对象",
                    plus_months(r.since, ACTIVIST_MONTHS)
                ));
            }
            if r.stage == Stage::Probationary {
                let joined = r.joined.unwrap_or(r.since);
                let due = full_due(joined, r.extended_months);
                if s.on < due {
                    return Err(format!("预备期至 {due} 届满，届满后方可转正"));
                }
            }
            Ok(StepOutcome::To(next))
        }
        Step::Return => r
            .stage
            .previous()
            .map(StepOutcome::To)
            .ok_or_else(|| format!("{}不能退回上一阶段", r.stage.label())),
        Step::Refuse => {
            if r.stage == Stage::Full {
                return Err("正式党员不在发展程序中：出党请按组织处置办理".to_owned());
            }
            Ok(StepOutcome::Ends)
        }
        Step::Extend => {
            if r.stage != Stage::Probationary {
                return Err("只有预备党员可以延长预备期".to_owned());
            }
            if r.extended_months > 0 {
                return Err("预备期只能延长一次".to_owned());
            }
            if !(6..=12).contains(&s.months) {
                return Err(format!(
                    "延长预备期不能少于半年、最长不超过一年（现在是 {} 个月）",
                    s.months
                ));
            }
            Ok(StepOutcome::Extended(s.months))
        }
    }
}

/// Where a 预备党员's probation stands on a day.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Probation {
    /// Running until the date.
    Running(NaiveDate),
    /// Due within a month: prepare the 转正 (the branch discusses it on time).
    DueSoon(NaiveDate),
    /// Past the date and not yet decided.
    Overdue(NaiveDate),
}

impl Probation {
    /// The Chinese words for it.
    pub fn label(self) -> String {
        match self {
            Probation::Running(d) => format!("预备期至 {d}"),
            Probation::DueSoon(d) => format!("{d} 预备期满，请及时讨论转正"),
            Probation::Overdue(d) => format!("预备期已于 {d} 届满，尚未讨论转正"),
        }
    }

    /// Whether the reminder shows.
    pub fn reminds(self) -> bool {
        !matches!(self, Probation::Running(_))
    }
}

/// Where a probation begun on `joined` stands on `today`.
pub fn probation(joined: NaiveDate, extended_months: u32, today: NaiveDate) -> Probation {
    let due = full_due(joined, extended_months);
    if today >= due {
        Probation::Overdue(due)
    } else if today >= due.checked_sub_months(Months::new(1)).unwrap_or(due) {
        Probation::DueSoon(due)
    } else {
        Probation::Running(due)
    }
}

/// A post in a branch (党内职务).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Post {
    /// 书记.
    Secretary,
    /// 副书记.
    Deputy,
    /// 组织委员.
    Organization,
    /// 宣传委员.
    Propaganda,
    /// 纪检委员.
    Discipline,
    /// 党小组组长.
    GroupLeader,
}

impl Post {
    /// Every post.
    pub const ALL: [Post; 6] = [
        Post::Secretary,
        Post::Deputy,
        Post::Organization,
        Post::Propaganda,
        Post::Discipline,
        Post::GroupLeader,
    ];

    /// The identifier stored.
    pub fn as_str(self) -> &'static str {
        match self {
            Post::Secretary => "secretary",
            Post::Deputy => "deputy",
            Post::Organization => "organization",
            Post::Propaganda => "propaganda",
            Post::Discipline => "discipline",
            Post::GroupLeader => "group_leader",
        }
    }

    /// The Chinese name.
    pub fn label(self) -> &'static str {
        match self {
            Post::Secretary => "书记",
            Post::Deputy => "副书记",
            Post::Organization => "组织委员",
            Post::Propaganda => "宣传委员",
            Post::Discipline => "纪检委员",
            Post::GroupLeader => "党小组组长",
        }
    }

    /// Parses the identifier or the Chinese name.
    pub fn parse(s: &str) -> Option<Post> {
        let s = s.trim();
        Post::ALL
            .into_iter()
            .find(|x| x.as_str() == s || x.label() == s)
    }

    /// Whether the post sits on the branch committee (支部委员会).
    pub fn on_committee(self) -> bool {
        self != Post::GroupLeader
    }

    /// Whether a branch without a committee may still have the post (a 书记, and a 副书记
    /// when needed).
    pub fn without_committee(self) -> bool {
        matches!(self, Post::Secretary | Post::Deputy | Post::GroupLeader)
    }
}

/// The fewest 正式党员 for a branch to have a committee (支部委员会).
pub const COMMITTEE_FROM: u32 = 7;
/// The most members of a committee.
pub const COMMITTEE_MAX: u32 = 7;
/// The fewest 正式党员 to form a branch (otherwise a 联合支部).
pub const BRANCH_FROM: u32 = 3;
/// Above this many members a branch is large: consider a 党总支 or splitting it.
pub const LARGE_BRANCH: u32 = 50;
/// The most units a 联合支部 joins.
pub const JOINT_UNITS_MAX: u32 = 5;

/// Checks giving `post` to a member of a branch with `full` 正式党员 whose committee already
/// has `committee` members (not counting this one) and whose post is already held by
/// `holders` others (for 书记: at most one).
pub fn check_post(post: Post, full: u32, committee: u32, holders: u32) -> Result<(), String> {
    if !post.without_committee() && full < COMMITTEE_FROM {
        return Err(format!(
            "该支部只有 {full} 名正式党员：不足 {COMMITTEE_FROM} 人的支部不设支部委员会，只设书记（必要时设副书记），不能设{}",
            post.label()
        ));
    }
    if post.on_committee() && committee >= COMMITTEE_MAX {
        return Err(format!(
            "支部委员会最多 {COMMITTEE_MAX} 人，已有 {committee} 人"
        ));
    }
    if matches!(post, Post::Secretary) && holders > 0 {
        return Err("该支部已有书记：请先免去原书记的职务".to_owned());
    }
    Ok(())
}

/// A note on a branch's shape, shown with the branch (not enforced: practice varies).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ShapeNote {
    /// `warn` or `info`.
    pub level: &'static str,
    pub text: String,
}

/// The counts of a branch that its shape is judged by.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Counts {
    /// 正式党员.
    pub full: u32,
    /// 预备党员.
    pub probationary: u32,
    /// Members on the committee (书记 included).
    pub committee: u32,
}

impl Counts {
    /// 党员 (正式 and 预备).
    pub fn members(self) -> u32 {
        self.full + self.probationary
    }

    /// Whether the branch has a committee (支委会 meetings are due): 7 or more 正式党员 and at
    /// least three on it.
    pub fn has_committee(self) -> bool {
        self.full >= COMMITTEE_FROM && self.committee >= 3
    }
}

/// What a branch's shape says, in Chinese: too few for a branch, too many, a committee where
/// none may be, a committee too small or too large.
pub fn shape_notes(counts: Counts, joint: bool) -> Vec<ShapeNote> {
    let mut out = Vec::new();
    let warn = |text: String| ShapeNote {
        level: "warn",
        text,
    };
    if counts.full < BRANCH_FROM && !joint {
        out.push(warn(format!(
            "正式党员 {} 名，不足 {BRANCH_FROM} 名：应与邻近单位成立联合支部（不超过 {JOINT_UNITS_MAX} 个单位）",
            counts.full
        )));
    }
    if counts.members() > LARGE_BRANCH {
        out.push(warn(format!(
            "党员 {} 名，超过 {LARGE_BRANCH} 名：可考虑成立党总支或分设支部",
            counts.members()
        )));
    }
    if counts.full >= COMMITTEE_FROM {
        if counts.committee < 3 {
            out.push(ShapeNote {
                level: "info",
                text: format!(
                    "正式党员 {} 名（7 名以上）：应设支部委员会（3 至 5 人，最多 7 人），现有委员 {} 人",
                    counts.full, counts.committee
                ),
            });
        } else if counts.committee > 5 {
            out.push(ShapeNote {
                level: "info",
                text: format!(
                    "支部委员会 {} 人：一般 3 至 5 人，最多 7 人",
                    counts.committee
                ),
            });
        }
    }
    out
}

/// What a 联合支部's units say about its shape: it joins two or more units, generally at most
/// [`JOINT_UNITS_MAX`] (shown, not enforced: practice varies).
pub fn unit_notes(units: u32) -> Vec<ShapeNote> {
    if units < 2 {
        vec![ShapeNote {
            level: "info",
            text: format!("联合党支部由 2 个以上单位联合组建，已登记 {units} 个单位"),
        }]
    } else if units > JOINT_UNITS_MAX {
        vec![ShapeNote {
            level: "warn",
            text: format!(
                "联合党支部覆盖单位一般不超过 {JOINT_UNITS_MAX} 个，现有 {units} 个：可考虑分设"
            ),
        }]
    } else {
        Vec::new()
    }
}

/// The most skills (特长) a member lists.
pub const MAX_SKILLS: usize = 8;

/// A member's skills (特长: 法律, 医疗, 水电维修 …) as typed — separated by 、，, ; or spaces —
/// cleaned: each at most 10 characters, no repeats, at most [`MAX_SKILLS`]. Stored joined by 、.
pub fn skills(text: &str) -> Result<Vec<String>, String> {
    let mut out: Vec<String> = Vec::new();
    for s in text
        .split(|c: char| matches!(c, '、' | '，' | ',' | '；' | ';') || c.is_whitespace())
        .map(str::trim)
        .filter(|s| !s.is_empty())
    {
        if s.chars().count() > 10 {
            return Err(format!("特长“{s}”太长：每项不超过 10 个字，多项用顿号分开"));
        }
        if !out.iter().any(|o| o == s) {
            out.push(s.to_owned());
        }
    }
    if out.len() > MAX_SKILLS {
        return Err(format!(
            "特长最多填 {MAX_SKILLS} 项（现在 {} 项）",
            out.len()
        ));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_joint_branch_joins_two_to_five_units() {
        assert_eq!(unit_notes(0)[0].level, "info");
        assert_eq!(unit_notes(1)[0].level, "info");
        assert!(unit_notes(2).is_empty());
        assert!(unit_notes(5).is_empty());
        let six = unit_notes(6);
        assert_eq!(six[0].level, "warn");
        assert!(six[0].text.contains("现有 6 个"), "{}", six[0].text);
    }

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").expect("date")
    }

    fn step(step: Step, on: &str) -> StepInput {
        StepInput {
            step,
            on: d(on),
            approved_by: "支部大会".into(),
            reason: String::new(),
            months: 0,
        }
    }

    #[test]
    fn the_pipeline_goes_one_stage_at_a_time() {
        let today = d("2026-11-30");
        let r = Record {
            stage: Stage::Applicant,
            since: d("2025-03-01"),
            joined: None,
            extended_months: 0,
        };
        assert_eq!(
            check_step(&r, &step(Step::Advance, "2025-04-01"), today),
            Ok(StepOutcome::To(Stage::Activist))
        );
        // An activist is trained a year first.
        let r = Record {
            stage: Stage::Activist,
            since: d("2025-04-01"),
            ..r
        };
        let e = check_step(&r, &step(Step::Advance, "2026-03-31"), today).expect_err("early");
        assert!(e.contains("2026-04-01"), "{e}");
        assert_eq!(
            check_step(&r, &step(Step::Advance, "2026-04-01"), today),
            Ok(StepOutcome::To(Stage::Candidate))
        );
        // No date in the future, none before the last step, an approver for an advance.
        assert!(
            check_step(&r, &step(Step::Advance, "2026-12-01"), today)
                .expect_err("future")
                .contains("晚于今天")
        );
        assert!(
            check_step(&r, &step(Step::Advance, "2025-03-01"), today)
                .expect_err("before")
                .contains("早于上一步")
        );
        let mut s = step(Step::Advance, "2026-05-01");
        s.approved_by = " ".into();
        assert!(
            check_step(&r, &s, today)
                .expect_err("no approver")
                .contains("批准")
        );
        // A return goes back one stage, with a reason.
        assert!(
            check_step(&r, &step(Step::Return, "2026-05-01"), today)
                .expect_err("no reason")
                .contains("理由")
        );
        let mut s = step(Step::Return, "2026-05-01");
        s.reason = "考察期表现需进一步观察".into();
        assert_eq!(
            check_step(&r, &s, today),
            Ok(StepOutcome::To(Stage::Applicant))
        );
        s.step = Step::Refuse;
        assert_eq!(check_step(&r, &s, today), Ok(StepOutcome::Ends));
    }

    #[test]
    fn the_probation_lasts_a_year_and_is_extended_once() {
        let today = d("2026-11-30");
        let r = Record {
            stage: Stage::Probationary,
            since: d("2025-12-10"),
            joined: Some(d("2025-12-10")),
            extended_months: 0,
        };
        let e = check_step(&r, &step(Step::Advance, "2026-11-30"), today).expect_err("early");
        assert!(e.contains("2026-12-10"), "{e}");
        assert_eq!(
            probation(d("2025-12-10"), 0, today),
            Probation::DueSoon(d("2026-12-10"))
        );
        assert!(probation(d("2025-12-10"), 0, today).reminds());
        assert!(!probation(d("2026-01-10"), 0, today).reminds());
        assert_eq!(
            probation(d("2025-11-10"), 0, today),
            Probation::Overdue(d("2026-11-10"))
        );
        let mut s = step(Step::Extend, "2026-11-30");
        s.reason = "需继续考察".into();
        s.months = 3;
        assert!(
            check_step(&r, &s, today)
                .expect_err("short")
                .contains("半年")
        );
        s.months = 6;
        assert_eq!(check_step(&r, &s, today), Ok(StepOutcome::Extended(6)));
        assert_eq!(full_due(d("2025-12-10"), 6), d("2027-06-10"));
        let r2 = Record {
            extended_months: 6,
            ..r
        };
        assert!(
            check_step(&r2, &s, today)
                .expect_err("twice")
                .contains("一次")
        );
        // A full member is not in the pipeline.
        let full = Record {
            stage: Stage::Full,
            ..r
        };
        assert!(check_step(&full, &step(Step::Advance, "2026-11-30"), today).is_err());
        s.step = Step::Refuse;
        assert!(check_step(&full, &s, today).is_err());
    }

    #[test]
    fn a_committee_needs_seven_full_members() {
        // A branch of 4: a secretary and a deputy, no committee members.
        assert!(check_post(Post::Secretary, 4, 0, 0).is_ok());
        assert!(check_post(Post::Deputy, 4, 1, 0).is_ok());
        let e = check_post(Post::Organization, 4, 2, 0).expect_err("no committee");
        assert!(e.contains("不设支部委员会"), "{e}");
        // A branch of 7 may have one, up to 7.
        assert!(check_post(Post::Organization, 7, 2, 0).is_ok());
        assert!(check_post(Post::Propaganda, 60, 7, 0).is_err());
        // One secretary.
        assert!(check_post(Post::Secretary, 60, 3, 1).is_err());
    }

    #[test]
    fn the_shape_is_noted() {
        let small = Counts {
            full: 2,
            probationary: 1,
            committee: 1,
        };
        assert!(shape_notes(small, false)[0].text.contains("联合支部"));
        assert!(shape_notes(small, true).is_empty());
        let seven = Counts {
            full: 7,
            probationary: 0,
            committee: 1,
        };
        assert!(!seven.has_committee());
        assert!(shape_notes(seven, false)[0].text.contains("应设支部委员会"));
        let large = Counts {
            full: 55,
            probationary: 5,
            committee: 5,
        };
        assert!(large.has_committee());
        let notes = shape_notes(large, false);
        assert_eq!(notes.len(), 1);
        assert!(notes[0].text.contains("超过 50"));
        // Exactly 50 is not above it.
        let fifty = Counts {
            full: 50,
            probationary: 0,
            committee: 5,
        };
        assert!(shape_notes(fifty, false).is_empty());
    }

    #[test]
    fn stages_parse_and_only_full_members_vote() {
        for s in Stage::ALL {
            assert_eq!(Stage::parse(s.as_str()), Some(s));
            assert_eq!(Stage::parse(s.label()), Some(s));
        }
        assert!(Stage::Full.votes());
        assert!(!Stage::Probationary.votes());
        assert!(Stage::Probationary.is_member());
        assert!(!Stage::Candidate.is_member());
        for p in Post::ALL {
            assert_eq!(Post::parse(p.label()), Some(p));
        }
    }

    #[test]
    fn the_edges_of_the_dates_and_the_counts_hold() {
        let today = d("2026-11-30");
        // A step on the day of the last one; 转正 on the very day the year is over.
        let r = Record {
            stage: Stage::Applicant,
            since: d("2026-11-01"),
            joined: None,
            extended_months: 0,
        };
        assert!(check_step(&r, &step(Step::Advance, "2026-11-01"), today).is_ok());
        let p = Record {
            stage: Stage::Probationary,
            since: d("2025-11-30"),
            joined: Some(d("2025-11-30")),
            extended_months: 0,
        };
        assert_eq!(
            check_step(&p, &step(Step::Advance, "2026-11-30"), today),
            Ok(StepOutcome::To(Stage::Full))
        );
        for s in [Step::Advance, Step::Return, Step::Refuse, Step::Extend] {
            assert_eq!(Step::parse(s.as_str()), Some(s));
        }
        assert_eq!(Step::parse("advance"), Some(Step::Advance));
        assert_eq!(Step::parse("x"), None);
        assert_eq!(Step::Advance.label(Stage::Candidate), "接收为预备党员");
        assert_eq!(Step::Refuse.label(Stage::Probationary), "取消预备党员资格");
        assert!(
            Probation::DueSoon(d("2026-12-10"))
                .label()
                .contains("2026-12-10 预备期满")
        );
        for p in Post::ALL {
            assert_eq!(Post::parse(p.as_str()), Some(p));
            assert_eq!(p.on_committee(), p != Post::GroupLeader);
        }
        assert_eq!(Post::Discipline.as_str(), "discipline");
        let c = Counts {
            full: 3,
            probationary: 2,
            committee: 0,
        };
        assert_eq!(c.members(), 5);
        // Exactly three 正式党员 make a branch: no note.
        assert!(shape_notes(c, false).is_empty());
        // Exactly three on a committee of a branch of seven is one; five is within 3–5.
        for (committee, notes) in [(2, 1), (3, 0), (5, 0), (6, 1)] {
            let c = Counts {
                full: 7,
                probationary: 0,
                committee,
            };
            assert_eq!(shape_notes(c, false).len(), notes, "{committee}");
        }
        // A 联合支部 of two is not told to be one.
        let two = Counts {
            full: 2,
            probationary: 0,
            committee: 1,
        };
        assert_eq!(shape_notes(two, true), vec![]);
        assert_eq!(shape_notes(two, false).len(), 1);
    }

    #[test]
    fn skills_are_cleaned_and_bounded() {
        assert_eq!(
            skills(" 法律、医疗，水电维修; 法律 ").expect("ok"),
            vec!["法律", "医疗", "水电维修"]
        );
        assert_eq!(skills("").expect("none"), Vec::<String>::new());
        assert!(
            skills("一二三四五六七八九十一")
                .expect_err("long")
                .contains("10 个字")
        );
        assert!(
            skills("a b c d e f g h i")
                .expect_err("many")
                .contains("最多")
        );
    }
}
