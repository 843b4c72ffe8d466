//! 双报到, 双报告 and 吹哨报到: units of an area that serve it under an agreement (共驻共建),
//! in-service members who report to the community where they live and serve there, the hours the
//! community confirms (reported back to the work unit each year), and the whistle a community or
//! street blows on one problem, summoning several units or departments at once, each with its own
//! deadline on the working-time calendar.
//!
//! Outcomes only: hours served and confirmed, answers given in time — never sign-ins.

use crate::worktime::{Calendar, Limit};
use chrono::NaiveDateTime;

/// What a unit that serves the area is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum UnitKind {
    /// 机关事业单位.
    Agency,
    /// 国有企业.
    StateFirm,
    /// 非公企业.
    Firm,
    /// 社会组织.
    Society,
    /// 学校、医院.
    Institution,
    /// 其他.
    Other,
}

impl UnitKind {
    /// Every kind.
    pub const ALL: [UnitKind; 6] = [
        UnitKind::Agency,
        UnitKind::StateFirm,
        UnitKind::Firm,
        UnitKind::Society,
        UnitKind::Institution,
        UnitKind::Other,
    ];

    /// The identifier stored and used in the API.
    pub fn as_str(self) -> &'static str {
        match self {
            UnitKind::Agency => "agency",
            UnitKind::StateFirm => "state_firm",
            UnitKind::Firm => "firm",
            UnitKind::Society => "society",
            UnitKind::Institution => "institution",
            UnitKind::Other => "other",
        }
    }

    /// The Chinese name.
    pub fn label(self) -> &'static str {
        match self {
            UnitKind::Agency => "机关事业单位",
            UnitKind::StateFirm => "国有企业",
            UnitKind::Firm => "非公企业",
            UnitKind::Society => "社会组织",
            UnitKind::Institution => "学校医院",
            UnitKind::Other => "其他单位",
        }
    }

    /// Parses the identifier or the Chinese name.
    pub fn parse(s: &str) -> Option<UnitKind> {
        let s = s.trim();
        UnitKind::ALL
            .into_iter()
            .find(|k| k.as_str() == s || k.label() == s)
    }
}

/// The most items one list of an agreement holds (需求清单, 资源清单, 项目清单).
pub const LIST_ITEMS: usize = 20;
/// The longest item of a list, in characters.
pub const ITEM_CHARS: usize = 100;

/// Splits a list as typed (one item a line; blank lines and surrounding spaces dropped) and
/// checks its bounds.
pub fn list_items(what: &str, raw: &str) -> Result<Vec<String>, String> {
    let items: Vec<String> = raw
        .lines()
        .map(|l| l.trim().trim_start_matches(['-', '*', '•', '·']).trim())
        .filter(|l| !l.is_empty())
        .map(str::to_owned)
        .collect();
    if items.len() > LIST_ITEMS {
        return Err(format!(
            "{what}最多 {LIST_ITEMS} 项（现有 {} 项）",
            items.len()
        ));
    }
    if let Some(long) = items.iter().find(|i| i.chars().count() > ITEM_CHARS) {
        let head: String = long.chars().take(12).collect();
        return Err(format!(
            "{what}的每项不超过 {ITEM_CHARS} 字（“{head}…”过长）"
        ));
    }
    if items.iter().any(|i| i.chars().any(char::is_control)) {
        return Err(format!("{what}含有不可见的控制字符"));
    }
    Ok(items)
}

/// The most hours one service counts (a long day; more is a typing error).
pub const MAX_TENTHS: i32 = 240;

/// Parses hours as typed ("2", "1.5", "0.5") into tenths of an hour: above zero, at most a day
/// of [`MAX_TENTHS`], one decimal place at most.
pub fn parse_hours(s: &str) -> Result<i32, String> {
    let s = s.trim();
    let bad = || format!("服务时长“{s}”无效：请填写小时数，如 2 或 1.5");
    if s.is_empty() {
        return Err("请填写服务时长（小时）".into());
    }
    let (whole, frac) = match s.split_once('.') {
        Some((w, f)) => (w, f),
        None => (s, ""),
    };
    if whole.is_empty() && frac.is_empty() {
        return Err(bad());
    }
    if !whole.chars().all(|c| c.is_ascii_digit()) || !frac.chars().all(|c| c.is_ascii_digit()) {
        return Err(bad());
    }
    if frac.len() > 1 {
        return Err("服务时长最多保留一位小数".into());
    }
    let w: i32 = if whole.is_empty() {
        0
    } else {
        whole.parse().map_err(|_| bad())?
    };
    let f: i32 = if frac.is_empty() {
        0
    } else {
        frac.parse().map_err(|_| bad())?
    };
    let tenths = w.checked_mul(10).and_then(|t| t.checked_add(f));
    match tenths {
        Some(t) if t > 0 && t <= MAX_TENTHS => Ok(t),
        Some(0) => Err("服务时长须大于 0".into()),
        _ => Err(format!("一次服务最多记 {} 小时", MAX_TENTHS / 10)),
    }
}

/// Tenths of an hour as shown: "2", "1.5".
pub fn hours_label(tenths: i64) -> String {
    if tenths % 10 == 0 {
        format!("{}", tenths / 10)
    } else {
        format!("{}.{}", tenths / 10, (tenths % 10).abs())
    }
}

/// Where a member's sign-up for a service need stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SignUp {
    /// 已报名.
    Signed,
    /// 已服务: the member (or staff) reported the service and its hours.
    Served,
    /// 已确认: the community confirmed the hours; they count.
    Confirmed,
    /// 已取消.
    Cancelled,
}

impl SignUp {
    /// Every state.
    pub const ALL: [SignUp; 4] = [
        SignUp::Signed,
        SignUp::Served,
        SignUp::Confirmed,
        SignUp::Cancelled,
    ];

    /// The identifier stored and used in the API.
    pub fn as_str(self) -> &'static str {
        match self {
            SignUp::Signed => "signed",
            SignUp::Served => "served",
            SignUp::Confirmed => "confirmed",
            SignUp::Cancelled => "cancelled",
        }
    }

    /// The Chinese name.
    pub fn label(self) -> &'static str {
        match self {
            SignUp::Signed => "已报名",
            SignUp::Served => "待确认",
            SignUp::Confirmed => "已确认",
            SignUp::Cancelled => "已取消",
        }
    }

    /// Parses the identifier.
    pub fn parse(s: &str) -> Option<SignUp> {
        SignUp::ALL.into_iter().find(|k| k.as_str() == s.trim())
    }

    /// Whether the sign-up holds a place of the need.
    pub fn holds_place(self) -> bool {
        !matches!(self, SignUp::Cancelled)
    }
}

/// A step on a sign-up.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SignUpStep {
    /// The member reports having served, with hours.
    Serve,
    /// The community confirms the hours (and may correct them).
    Confirm,
    /// The member withdraws, or staff strike it off.
    Cancel,
}

impl SignUpStep {
    /// Parses the identifier used in routes and the API.
    pub fn parse(s: &str) -> Option<SignUpStep> {
        match s.trim() {
            "serve" => Some(SignUpStep::Serve),
            "confirm" => Some(SignUpStep::Confirm),
            "cancel" => Some(SignUpStep::Cancel),
            _ => None,
        }
    }
}

/// The state a sign-up takes by a step, or why the step cannot be taken now.
pub fn check_signup_step(now: SignUp, step: SignUpStep) -> Result<SignUp, String> {
    match (now, step) {
        (SignUp::Cancelled, _) => Err("该报名已取消".into()),
        (SignUp::Confirmed, _) => Err("服务时长已确认，不能再修改".into()),
        (_, SignUpStep::Cancel) => Ok(SignUp::Cancelled),
        (SignUp::Signed | SignUp::Served, SignUpStep::Serve) => Ok(SignUp::Served),
        (SignUp::Signed | SignUp::Served, SignUpStep::Confirm) => Ok(SignUp::Confirmed),
    }
}

/// Checks a member may sign up for a need with `held` places taken of `places` (0: no limit),
/// open or not.
pub fn check_sign_up(open: bool, places: i32, held: i64, already: bool) -> Result<(), String> {
    if !open {
        return Err("该服务需求已结束报名".into());
    }
    if already {
        return Err("您已报名该服务需求".into());
    }
    if places > 0 && held >= i64::from(places) {
        return Err(format!("该服务需求的 {places} 个名额已满"));
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// 吹哨报到

/// The working hours a summoned unit has to report by default (one working day).
pub const DEFAULT_LIMIT_HOURS: u32 = 8;
/// The longest limit a whistle may give (ten working days).
pub const MAX_LIMIT_HOURS: u32 = 80;

/// Checks a limit in working hours.
pub fn check_limit(hours: u32) -> Result<(), String> {
    if hours == 0 || hours > MAX_LIMIT_HOURS {
        return Err(format!(
            "报到时限应为 1 至 {MAX_LIMIT_HOURS} 个工作小时（{} 个工作日）",
            MAX_LIMIT_HOURS / 8
        ));
    }
    Ok(())
}

/// When a unit summoned at `blown` with `hours` working hours must have reported.
pub fn call_due(cal: &Calendar, blown: NaiveDateTime, hours: u32) -> NaiveDateTime {
    cal.deadline(blown, Limit::WorkingHours(hours))
}

/// Where a summoned unit stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Call {
    /// 待报到, within its time.
    Waiting,
    /// 已超时: not reported, past its deadline (red).
    Overdue,
    /// 已报到: arrived in time, its report on what it did still to come.
    Arrived,
    /// 超时报到: arrived after its deadline, its report still to come.
    ArrivedLate,
    /// 已反馈: answered with what it did, having reported in time.
    Answered,
    /// 超时反馈: answered, having reported after its deadline.
    AnsweredLate,
}

impl Call {
    /// Where a call stands at `now` (all in one clock: milliseconds). The deadline is the
    /// report's (报到): the first of arrival and answer; an answer may come later.
    pub fn of(due: i64, arrived: Option<i64>, answered: Option<i64>, now: i64) -> Call {
        let late = arrived.or(answered).is_some_and(|r| r > due);
        match (arrived.or(answered), answered, late) {
            (None, _, _) if now > due => Call::Overdue,
            (None, _, _) => Call::Waiting,
            (Some(_), None, false) => Call::Arrived,
            (Some(_), None, true) => Call::ArrivedLate,
            (Some(_), Some(_), false) => Call::Answered,
            (Some(_), Some(_), true) => Call::AnsweredLate,
        }
    }

    /// The Chinese name.
    pub fn label(self) -> &'static str {
        match self {
            Call::Waiting => "待报到",
            Call::Overdue => "已超时",
            Call::Arrived => "已报到",
            Call::ArrivedLate => "超时报到",
            Call::Answered => "已反馈",
            Call::AnsweredLate => "超时反馈",
        }
    }

    /// The identifier used in the API.
    pub fn as_str(self) -> &'static str {
        match self {
            Call::Waiting => "waiting",
            Call::Overdue => "overdue",
            Call::Arrived => "arrived",
            Call::ArrivedLate => "arrived_late",
            Call::Answered => "answered",
            Call::AnsweredLate => "answered_late",
        }
    }

    /// Whether it is shown red: not reported and past its deadline.
    pub fn red(self) -> bool {
        matches!(self, Call::Overdue)
    }

    /// Whether the unit has answered (the whistle closes when all have).
    pub fn answered(self) -> bool {
        matches!(self, Call::Answered | Call::AnsweredLate)
    }
}

/// Checks a whistle's callees: at least two (one is an ordinary assignment, not a whistle), at
/// most twenty, none twice.
pub fn check_callees(keys: &[String]) -> Result<(), String> {
    if keys.len() < 2 {
        return Err("吹哨报到须召集至少 2 个单位或部门（只派一家请直接派单）".into());
    }
    if keys.len() > 20 {
        return Err("一次吹哨最多召集 20 个单位或部门".into());
    }
    let mut seen = std::collections::HashSet::new();
    if keys.iter().any(|k| !seen.insert(k)) {
        return Err("同一个单位或部门不能重复召集".into());
    }
    Ok(())
}

/// A step on a call.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CallStep {
    /// 报到: the unit arrived.
    Arrive,
    /// 反馈: what it did.
    Answer,
}

/// Checks a step on a call of an open whistle.
pub fn check_call_step(
    whistle_open: bool,
    arrived: bool,
    answered: bool,
    step: CallStep,
) -> Result<(), String> {
    if !whistle_open {
        return Err("该吹哨事项已办结".into());
    }
    match step {
        _ if answered => Err("该单位已反馈办理情况".into()),
        CallStep::Arrive if arrived => Err("该单位已报到".into()),
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::worktime::WorkHours;
    use chrono::NaiveDate;

    #[test]
    fn hours_parse_in_tenths_and_refuse_what_is_not_hours() {
        assert_eq!(parse_hours("2"), Ok(20));
        assert_eq!(parse_hours(" 1.5 "), Ok(15));
        assert_eq!(parse_hours("0.5"), Ok(5));
        assert_eq!(parse_hours(".5"), Ok(5));
        assert_eq!(parse_hours("24"), Ok(240));
        assert!(
            parse_hours("24.1")
                .expect_err("too long")
                .contains("24 小时")
        );
        assert!(parse_hours("0").expect_err("zero").contains("大于 0"));
        assert!(
            parse_hours("1.25")
                .expect_err("two places")
                .contains("一位小数")
        );
        assert!(parse_hours("-1").is_err());
        assert!(parse_hours("两小时").is_err());
        assert!(parse_hours(".").is_err());
        assert!(parse_hours("").expect_err("empty").contains("请填写"));
        assert!(parse_hours("99999999999").is_err());
        assert_eq!(hours_label(20), "2");
        assert_eq!(hours_label(15), "1.5");
        assert_eq!(hours_label(0), "0");
    }

    #[test]
    fn lists_are_one_item_a_line_within_bounds() {
        assert_eq!(
            list_items("需求清单", "- 老旧小区停车\n\n  · 四点半课堂 \n"),
            Ok(vec!["老旧小区停车".to_owned(), "四点半课堂".to_owned()])
        );
        assert_eq!(list_items("需求清单", ""), Ok(Vec::new()));
        let many = vec!["一项"; LIST_ITEMS + 1].join("\n");
        assert!(
            list_items("资源清单", &many)
                .expect_err("many")
                .contains("最多 20 项")
        );
        let long = "长".repeat(ITEM_CHARS + 1);
        assert!(
            list_items("项目清单", &long)
                .expect_err("long")
                .contains("不超过")
        );
    }

    #[test]
    fn a_sign_up_is_served_then_confirmed_and_confirmed_is_final() {
        use SignUp::*;
        use SignUpStep::*;
        assert_eq!(check_signup_step(Signed, Serve), Ok(Served));
        assert_eq!(check_signup_step(Served, Serve), Ok(Served));
        assert_eq!(check_signup_step(Signed, Confirm), Ok(Confirmed));
        assert_eq!(check_signup_step(Served, Confirm), Ok(Confirmed));
        assert_eq!(check_signup_step(Served, Cancel), Ok(Cancelled));
        assert!(check_signup_step(Confirmed, Cancel).is_err());
        assert!(check_signup_step(Confirmed, Confirm).is_err());
        assert!(check_signup_step(Cancelled, Serve).is_err());
        assert!(!Cancelled.holds_place());
        assert!(Served.holds_place());
        assert_eq!(SignUpStep::parse("confirm"), Some(Confirm));
        assert_eq!(SignUpStep::parse("approve"), None);
        for s in SignUp::ALL {
            assert_eq!(SignUp::parse(s.as_str()), Some(s));
        }
    }

    #[test]
    fn a_sign_up_needs_an_open_need_with_a_place_left() {
        assert!(check_sign_up(true, 3, 2, false).is_ok());
        assert!(check_sign_up(true, 0, 500, false).is_ok(), "0: no limit");
        assert!(
            check_sign_up(true, 3, 3, false)
                .expect_err("full")
                .contains("3 个名额已满")
        );
        assert!(check_sign_up(false, 3, 0, false).is_err());
        assert!(
            check_sign_up(true, 3, 1, true)
                .expect_err("twice")
                .contains("已报名")
        );
    }

    #[test]
    fn a_call_is_red_only_when_unanswered_past_its_deadline() {
        let due = 1_000;
        assert_eq!(Call::of(due, None, None, 999), Call::Waiting);
        assert_eq!(Call::of(due, None, None, 1_000), Call::Waiting);
        assert_eq!(Call::of(due, None, None, 1_001), Call::Overdue);
        assert_eq!(Call::of(due, Some(900), None, 5_000), Call::Arrived);
        assert_eq!(Call::of(due, Some(1_100), None, 5_000), Call::ArrivedLate);
        assert_eq!(Call::of(due, Some(900), Some(950), 5_000), Call::Answered);
        assert_eq!(
            Call::of(due, Some(900), Some(3_000), 5_000),
            Call::Answered,
            "reported in time; the answer may follow"
        );
        assert_eq!(Call::of(due, None, Some(1_000), 5_000), Call::Answered);
        assert_eq!(Call::of(due, None, Some(1_001), 5_000), Call::AnsweredLate);
        assert_eq!(
            Call::of(due, Some(1_001), Some(1_002), 5_000),
            Call::AnsweredLate
        );
        assert!(!Call::ArrivedLate.red());
        assert!(Call::Overdue.red());
        assert!(!Call::AnsweredLate.red());
        assert!(Call::AnsweredLate.answered());
        assert!(!Call::Arrived.answered());
    }

    #[test]
    fn a_whistle_summons_two_to_twenty_different_callees() {
        let k = |v: &[&str]| v.iter().map(|s| (*s).to_owned()).collect::<Vec<_>>();
        assert!(check_callees(&k(&["u1", "d2"])).is_ok());
        assert!(
            check_callees(&k(&["u1"]))
                .expect_err("one")
                .contains("至少 2 个")
        );
        assert!(
            check_callees(&k(&["u1", "u1"]))
                .expect_err("twice")
                .contains("重复")
        );
        let many: Vec<String> = (0..21).map(|i| format!("u{i}")).collect();
        assert!(check_callees(&many).is_err());
        assert!(check_limit(0).is_err());
        assert!(check_limit(8).is_ok());
        assert!(check_limit(81).is_err());
    }

    #[test]
    fn steps_on_a_call_follow_its_order() {
        assert!(check_call_step(true, false, false, CallStep::Arrive).is_ok());
        assert!(check_call_step(true, true, false, CallStep::Arrive).is_err());
        assert!(check_call_step(true, true, false, CallStep::Answer).is_ok());
        assert!(
            check_call_step(true, false, false, CallStep::Answer).is_ok(),
            "a unit may answer without a separate arrival"
        );
        assert!(check_call_step(true, true, true, CallStep::Answer).is_err());
        assert!(check_call_step(false, false, false, CallStep::Arrive).is_err());
    }

    #[test]
    fn a_call_is_due_in_working_hours() {
        let cal = Calendar::new(Vec::new(), WorkHours::default()).expect("calendar");
        // Friday 2026-11-27 16:00 + 8 working hours: Monday 2026-11-30, before the day's end.
        let blown = NaiveDate::from_ymd_opt(2026, 11, 27)
            .and_then(|d| d.and_hms_opt(16, 0, 0))
            .expect("time");
        let due = call_due(&cal, blown, 8);
        assert_eq!(
            due.date(),
            NaiveDate::from_ymd_opt(2026, 11, 30).expect("d")
        );
        for k in UnitKind::ALL {
            assert_eq!(UnitKind::parse(k.as_str()), Some(k));
            assert_eq!(UnitKind::parse(k.label()), Some(k));
        }
    }
}
