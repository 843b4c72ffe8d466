//! 三会一课 and organisational life: the kinds of meeting, the rules of how often each is due
//! (data, with the source named beside each, editable by the street), the quorum and majority
//! rules of a 支部党员大会 and a 支委会, and the compliance of a branch over a period.
//!
//! The rules are those of the 中国共产党支部工作条例（试行）(2018); a quarterly 党课 is common
//! local practice and is offered as a labelled local default, never as the 条例's rule.

use chrono::{Datelike, Months, NaiveDate};

/// A kind of meeting or organisational life.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum MeetingKind {
    /// 支部党员大会.
    General,
    /// 支部委员会会议.
    Committee,
    /// 党小组会.
    Group,
    /// 党课.
    Lecture,
    /// 主题党日.
    ThemeDay,
    /// 组织生活会.
    LifeMeeting,
    /// 民主评议党员.
    Appraisal,
    /// 谈心谈话.
    Talk,
}

impl MeetingKind {
    /// Every kind.
    pub const ALL: [MeetingKind; 8] = [
        MeetingKind::General,
        MeetingKind::Committee,
        MeetingKind::Group,
        MeetingKind::Lecture,
        MeetingKind::ThemeDay,
        MeetingKind::LifeMeeting,
        MeetingKind::Appraisal,
        MeetingKind::Talk,
    ];

    /// The identifier stored.
    pub fn as_str(self) -> &'static str {
        match self {
            MeetingKind::General => "general",
            MeetingKind::Committee => "committee",
            MeetingKind::Group => "group",
            MeetingKind::Lecture => "lecture",
            MeetingKind::ThemeDay => "theme_day",
            MeetingKind::LifeMeeting => "life_meeting",
            MeetingKind::Appraisal => "appraisal",
            MeetingKind::Talk => "talk",
        }
    }

    /// The Chinese name.
    pub fn label(self) -> &'static str {
        match self {
            MeetingKind::General => "支部党员大会",
            MeetingKind::Committee => "支委会",
            MeetingKind::Group => "党小组会",
            MeetingKind::Lecture => "党课",
            MeetingKind::ThemeDay => "主题党日",
            MeetingKind::LifeMeeting => "组织生活会",
            MeetingKind::Appraisal => "民主评议党员",
            MeetingKind::Talk => "谈心谈话",
        }
    }

    /// Parses the identifier or the Chinese name.
    pub fn parse(s: &str) -> Option<MeetingKind> {
        let s = s.trim();
        MeetingKind::ALL
            .into_iter()
            .find(|k| k.as_str() == s || k.label() == s)
    }

    /// Whether the kind is held by a 党小组 (the others by the branch).
    pub fn by_group(self) -> bool {
        self == MeetingKind::Group
    }

    /// Whether resolutions may be voted at it (a 党员大会 or a 支委会).
    pub fn votes(self) -> bool {
        matches!(self, MeetingKind::General | MeetingKind::Committee)
    }
}

/// How often a meeting is due.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Cadence {
    Month,
    Quarter,
    Year,
    /// Not required (the street turned it off).
    Off,
}

impl Cadence {
    /// Every cadence.
    pub const ALL: [Cadence; 4] = [
        Cadence::Month,
        Cadence::Quarter,
        Cadence::Year,
        Cadence::Off,
    ];

    /// The identifier stored.
    pub fn as_str(self) -> &'static str {
        match self {
            Cadence::Month => "month",
            Cadence::Quarter => "quarter",
            Cadence::Year => "year",
            Cadence::Off => "off",
        }
    }

    /// The Chinese words.
    pub fn label(self) -> &'static str {
        match self {
            Cadence::Month => "每月",
            Cadence::Quarter => "每季度",
            Cadence::Year => "每年",
            Cadence::Off => "不作要求",
        }
    }

    /// Parses the identifier.
    pub fn parse(s: &str) -> Option<Cadence> {
        Cadence::ALL.into_iter().find(|c| c.as_str() == s.trim())
    }

    /// The window of this cadence that holds `day` (none when off).
    pub fn window(self, day: NaiveDate) -> Option<(NaiveDate, NaiveDate)> {
        let months = match self {
            Cadence::Month => 1,
            Cadence::Quarter => 3,
            Cadence::Year => 12,
            Cadence::Off => return None,
        };
        let first_month = (day.month0() / months) * months + 1;
        let start = NaiveDate::from_ymd_opt(day.year(), first_month, 1)?;
        let end = start.checked_add_months(Months::new(months))?.pred_opt()?;
        Some((start, end))
    }
}

/// When a rule applies, by the branch's shape.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Applies {
    /// To every branch.
    Always,
    /// Only where a committee exists.
    Committee,
    /// To each 党小组.
    Group,
}

/// A rule: a kind is due at a cadence, where it applies, and where the rule comes from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Rule {
    pub kind: MeetingKind,
    pub cadence: Cadence,
    pub applies: Applies,
    /// The source, named beside the rule.
    pub source: &'static str,
    /// Whether the default is local practice, not the 条例.
    pub local: bool,
}

const REGULATION: &str = "《中国共产党支部工作条例（试行）》（2018）";

/// The rules by default.
pub const RULES: [Rule; 8] = [
    Rule {
        kind: MeetingKind::General,
        cadence: Cadence::Quarter,
        applies: Applies::Always,
        source: REGULATION,
        local: false,
    },
    Rule {
        kind: MeetingKind::Committee,
        cadence: Cadence::Month,
        applies: Applies::Committee,
        source: REGULATION,
        local: false,
    },
    Rule {
        kind: MeetingKind::Group,
        cadence: Cadence::Month,
        applies: Applies::Group,
        source: REGULATION,
        local: false,
    },
    Rule {
        kind: MeetingKind::Lecture,
        cadence: Cadence::Quarter,
        applies: Applies::Always,
        source: "本地惯例（条例要求支部书记每年至少讲 1 次党课）",
        local: true,
    },
    Rule {
        kind: MeetingKind::ThemeDay,
        cadence: Cadence::Month,
        applies: Applies::Always,
        source: REGULATION,
        local: false,
    },
    Rule {
        kind: MeetingKind::LifeMeeting,
        cadence: Cadence::Year,
        applies: Applies::Always,
        source: REGULATION,
        local: false,
    },
    Rule {
        kind: MeetingKind::Appraisal,
        cadence: Cadence::Year,
        applies: Applies::Always,
        source: REGULATION,
        local: false,
    },
    Rule {
        kind: MeetingKind::Talk,
        cadence: Cadence::Year,
        applies: Applies::Always,
        source: REGULATION,
        local: false,
    },
];

/// The rules with the street's cadences (`kind:cadence` pairs, comma-separated) applied over
/// the defaults; a pair that does not parse is ignored.
pub fn rules_with(overrides: &str) -> Vec<Rule> {
    let mut out = RULES.to_vec();
    for pair in overrides.split(',') {
        let Some((k, c)) = pair.split_once(':') else {
            continue;
        };
        let (Some(k), Some(c)) = (MeetingKind::parse(k), Cadence::parse(c)) else {
            continue;
        };
        if let Some(r) = out.iter_mut().find(|r| r.kind == k)
            && r.cadence != c
        {
            r.cadence = c;
            r.source = "街道设定";
            r.local = true;
        }
    }
    out
}

/// The stored form of the cadences that differ from the defaults.
pub fn overrides_of(rules: &[Rule]) -> String {
    rules
        .iter()
        .filter(|r| {
            RULES
                .iter()
                .any(|d| d.kind == r.kind && d.cadence != r.cadence)
        })
        .map(|r| format!("{}:{}", r.kind.as_str(), r.cadence.as_str()))
        .collect::<Vec<_>>()
        .join(",")
}

/// Why a vote may not be held or a resolution may not pass.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum VoteRefusal {
    /// Not more than half of those entitled are present.
    NoQuorum { entitled: u32, present: u32 },
    /// Not more than half of those entitled voted yes.
    NoMajority { entitled: u32, yes: u32 },
}

impl VoteRefusal {
    /// The stable code.
    pub fn code(&self) -> &'static str {
        match self {
            VoteRefusal::NoQuorum { .. } => "no_quorum",
            VoteRefusal::NoMajority { .. } => "no_majority",
        }
    }

    /// The Chinese words for it.
    pub fn message(&self, kind: MeetingKind) -> String {
        let who = if kind == MeetingKind::Committee {
            "支委"
        } else {
            "有表决权的党员"
        };
        match self {
            VoteRefusal::NoQuorum { entitled, present } => {
                format!("应到会{who} {entitled} 人，实到 {present} 人，未超过半数：不能进行表决")
            }
            VoteRefusal::NoMajority { entitled, yes } => {
                format!("赞成 {yes} 票，未超过应到会{who}（{entitled} 人）的半数：决议未通过")
            }
        }
    }
}

/// Whether a vote may be held: more than half of the `entitled` present (for a 党员大会,
/// 正式党员 less the approved exclusions; for a 支委会, its members). Compared in whole
/// numbers: 5 of 10 is not more than half, 6 is.
pub fn quorum(entitled: u32, present: u32) -> Result<(), VoteRefusal> {
    if entitled == 0 || u64::from(present) * 2 <= u64::from(entitled) {
        return Err(VoteRefusal::NoQuorum { entitled, present });
    }
    Ok(())
}

/// Whether a resolution passes: the quorum, and yes-votes from more than half of those
/// *entitled* (not of those present).
pub fn passes(entitled: u32, present: u32, yes: u32) -> Result<(), VoteRefusal> {
    quorum(entitled, present)?;
    if u64::from(yes) * 2 <= u64::from(entitled) {
        return Err(VoteRefusal::NoMajority { entitled, yes });
    }
    Ok(())
}

/// The standing of a window in the compliance view.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum WindowState {
    /// A meeting of the kind was held in it.
    Held,
    /// The window is over and none was held.
    Missing,
    /// The window is running and none has been held yet.
    Pending,
}

/// One rule's compliance over a period.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Line {
    pub rule: Rule,
    /// Windows of the rule's cadence in the period (begun by today).
    pub due: u32,
    /// Of those, the windows with a meeting.
    pub held: u32,
    /// Over and without a meeting.
    pub missing: u32,
    /// Running and without one yet.
    pub pending: u32,
    /// Each window with its state.
    pub windows: Vec<(NaiveDate, NaiveDate, WindowState)>,
}

/// The compliance of one organization over `[from, to]` on `today`: for each rule that applies
/// to it (`shape` holds whether it has a committee; `group` whether it is a 党小组), the
/// windows of the rule's cadence that overlap the period, have begun by `today` and end on or
/// after `since` (the organization's founding), each held when a meeting of the kind falls in
/// it. `held` lists the dates of the meetings by kind.
pub fn compliance(
    rules: &[Rule],
    has_committee: bool,
    group: bool,
    held: &[(MeetingKind, NaiveDate)],
    period: (NaiveDate, NaiveDate),
    since: Option<NaiveDate>,
    today: NaiveDate,
) -> Vec<Line> {
    let (from, to) = period;
    rules
        .iter()
        .filter(|r| match r.applies {
            Applies::Group => group,
            Applies::Committee => !group && has_committee,
            Applies::Always => !group,
        })
        .filter(|r| r.cadence != Cadence::Off)
        .map(|r| {
            let mut windows = Vec::new();
            let mut day = from;
            while day <= to && day <= today {
                let Some((start, end)) = r.cadence.window(day) else {
                    break;
                };
                if since.is_none_or(|s| end >= s) {
                    let met = held
                        .iter()
                        .any(|(k, d)| *k == r.kind && *d >= start && *d <= end);
                    let state = if met {
                        WindowState::Held
                    } else if end < today {
                        WindowState::Missing
                    } else {
                        WindowState::Pending
                    };
                    windows.push((start, end, state));
                }
                // A window always ends on or after the day it holds; a broken one would hold
                // the loop, so it stops (and the period is at most a few years of windows).
                let Some(next) = end.succ_opt().filter(|n| *n > day) else {
                    break;
                };
                day = next;
                if windows.len() > 1200 {
                    break;
                }
            }
            let count = |s: WindowState| windows.iter().filter(|w| w.2 == s).count() as u32;
            Line {
                rule: *r,
                due: windows.len() as u32,
                held: count(WindowState::Held),
                missing: count(WindowState::Missing),
                pending: count(WindowState::Pending),
                windows,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").expect("date")
    }

    #[test]
    fn the_quorum_is_more_than_half_of_those_entitled() {
        // A branch of 5 正式党员: 3 present may vote, 2 may not.
        assert!(quorum(5, 3).is_ok());
        assert_eq!(
            quorum(5, 2),
            Err(VoteRefusal::NoQuorum {
                entitled: 5,
                present: 2
            })
        );
        // Exactly half is not more than half.
        assert!(quorum(10, 5).is_err());
        assert!(quorum(10, 6).is_ok());
        // A branch of 60: 31 present; the resolution needs 31 yes-votes of the 60, not of
        // the 31 present.
        assert!(passes(60, 31, 31).is_ok());
        assert_eq!(
            passes(60, 40, 30),
            Err(VoteRefusal::NoMajority {
                entitled: 60,
                yes: 30
            })
        );
        // A committee of 7: 4 present; 4 yes passes, 3 does not.
        assert!(passes(7, 4, 4).is_ok());
        assert!(passes(7, 4, 3).is_err());
        assert!(quorum(0, 0).is_err());
        let m = VoteRefusal::NoQuorum {
            entitled: 10,
            present: 5,
        }
        .message(MeetingKind::General);
        assert!(m.contains("应到会有表决权的党员 10 人，实到 5 人"), "{m}");
    }

    #[test]
    fn windows_are_calendar_months_quarters_and_years() {
        assert_eq!(
            Cadence::Quarter.window(d("2026-11-30")),
            Some((d("2026-10-01"), d("2026-12-31")))
        );
        assert_eq!(
            Cadence::Month.window(d("2026-02-10")),
            Some((d("2026-02-01"), d("2026-02-28")))
        );
        assert_eq!(
            Cadence::Year.window(d("2026-02-10")),
            Some((d("2026-01-01"), d("2026-12-31")))
        );
        assert_eq!(Cadence::Off.window(d("2026-02-10")), None);
    }

    #[test]
    fn a_quarter_with_a_missing_meeting() {
        // Q3 2026, looked at on 30 November, for a branch without a committee or groups: the
        // 党员大会 was held, the 主题党日 in July and September but not August, the quarterly
        // 党课 not at all.
        let held = [
            (MeetingKind::General, d("2026-08-20")),
            (MeetingKind::ThemeDay, d("2026-07-01")),
            (MeetingKind::ThemeDay, d("2026-09-01")),
        ];
        let lines = compliance(
            &RULES,
            false,
            false,
            &held,
            (d("2026-07-01"), d("2026-09-30")),
            None,
            d("2026-11-30"),
        );
        let line = |k: MeetingKind| lines.iter().find(|l| l.rule.kind == k).expect("line");
        assert!(lines.iter().all(|l| l.rule.kind != MeetingKind::Committee));
        assert!(lines.iter().all(|l| l.rule.kind != MeetingKind::Group));
        let g = line(MeetingKind::General);
        assert_eq!((g.due, g.held, g.missing, g.pending), (1, 1, 0, 0));
        let t = line(MeetingKind::ThemeDay);
        assert_eq!((t.due, t.held, t.missing, t.pending), (3, 2, 1, 0));
        assert_eq!(
            t.windows[1],
            (d("2026-08-01"), d("2026-08-31"), WindowState::Missing)
        );
        let l = line(MeetingKind::Lecture);
        assert_eq!((l.due, l.held, l.missing), (1, 0, 1));
        // The yearly ones: 2026 is still running on 30 November.
        let y = line(MeetingKind::LifeMeeting);
        assert_eq!((y.due, y.held, y.missing, y.pending), (1, 0, 0, 1));
    }

    #[test]
    fn the_shape_decides_what_is_due() {
        // A branch of 7 with a committee: 支委会 monthly; a group: 党小组会 only.
        let period = (d("2026-10-01"), d("2026-10-31"));
        let today = d("2026-11-30");
        let with = compliance(&RULES, true, false, &[], period, None, today);
        let c = with
            .iter()
            .find(|l| l.rule.kind == MeetingKind::Committee)
            .expect("committee");
        assert_eq!((c.due, c.missing), (1, 1));
        let group = compliance(&RULES, true, true, &[], period, None, today);
        assert_eq!(group.len(), 1);
        assert_eq!(group[0].rule.kind, MeetingKind::Group);
        // Windows not begun yet and windows before the founding are not due.
        let future = compliance(
            &RULES,
            false,
            false,
            &[],
            (d("2026-12-01"), d("2026-12-31")),
            None,
            today,
        );
        assert!(future.iter().all(|l| l.due == 0));
        let young = compliance(
            &RULES,
            false,
            false,
            &[],
            period,
            Some(d("2026-11-01")),
            today,
        );
        assert!(
            young
                .iter()
                .filter(|l| l.rule.cadence == Cadence::Month)
                .all(|l| l.due == 0)
        );
    }

    #[test]
    fn the_street_sets_its_own_cadences() {
        let rules = rules_with("lecture:year,talk:off,nonsense,general:weekly");
        let lecture = rules
            .iter()
            .find(|r| r.kind == MeetingKind::Lecture)
            .expect("lecture");
        assert_eq!(lecture.cadence, Cadence::Year);
        assert_eq!(lecture.source, "街道设定");
        let general = rules
            .iter()
            .find(|r| r.kind == MeetingKind::General)
            .expect("general");
        assert_eq!(general.cadence, Cadence::Quarter);
        assert_eq!(overrides_of(&rules), "lecture:year,talk:off");
        assert_eq!(overrides_of(&RULES), "");
        let off = compliance(
            &rules,
            false,
            false,
            &[],
            (d("2026-01-01"), d("2026-10-31")),
            None,
            d("2026-11-30"),
        );
        assert!(off.iter().all(|l| l.rule.kind != MeetingKind::Talk));
    }

    #[test]
    fn kinds_say_who_holds_them_and_where_votes_are() {
        for k in MeetingKind::ALL {
            assert_eq!(MeetingKind::parse(k.as_str()), Some(k));
            assert_eq!(MeetingKind::parse(k.label()), Some(k));
            assert_eq!(k.by_group(), k == MeetingKind::Group);
            assert_eq!(
                k.votes(),
                matches!(k, MeetingKind::General | MeetingKind::Committee)
            );
        }
        assert_eq!(MeetingKind::General.label(), "支部党员大会");
        for c in Cadence::ALL {
            assert_eq!(Cadence::parse(c.as_str()), Some(c));
        }
        assert_eq!(Cadence::Quarter.label(), "每季度");
        assert_eq!(Cadence::Off.label(), "不作要求");
        let q = VoteRefusal::NoQuorum {
            entitled: 4,
            present: 2,
        };
        let m = VoteRefusal::NoMajority {
            entitled: 4,
            yes: 2,
        };
        assert_eq!((q.code(), m.code()), ("no_quorum", "no_majority"));
        assert!(
            m.message(MeetingKind::Committee)
                .contains("应到会支委（4 人）")
        );
    }

    #[test]
    fn a_window_ending_today_is_still_pending() {
        // 30 November: November ends today, so its 主题党日 is pending, not missing.
        let lines = compliance(
            &RULES,
            false,
            false,
            &[],
            (d("2026-11-01"), d("2026-11-30")),
            None,
            d("2026-11-30"),
        );
        let t = lines
            .iter()
            .find(|l| l.rule.kind == MeetingKind::ThemeDay)
            .expect("theme day");
        assert_eq!((t.missing, t.pending), (0, 1));
        let lines = compliance(
            &RULES,
            false,
            false,
            &[],
            (d("2026-11-01"), d("2026-11-30")),
            None,
            d("2026-12-01"),
        );
        let t = lines
            .iter()
            .find(|l| l.rule.kind == MeetingKind::ThemeDay)
            .expect("theme day");
        assert_eq!((t.missing, t.pending), (1, 0));
    }
}
