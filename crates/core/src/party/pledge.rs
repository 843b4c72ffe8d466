//! 承诺践诺: a member's pledges for a year (what they will do for the people around them), their
//! own report on each (践诺), and the branch's review of it (评议). Outcomes only: what was
//! pledged and done, never how often anyone signed in.

use chrono::{Datelike, NaiveDate};

/// The most pledges a member makes for one year (a short list is kept; a long one is not).
pub const PER_YEAR: u64 = 5;

/// The branch's review of a reported pledge.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Verdict {
    /// 已践诺.
    Fulfilled,
    /// 部分践诺.
    Partly,
    /// 未践诺.
    NotFulfilled,
}

impl Verdict {
    /// Every verdict, best first.
    pub const ALL: [Verdict; 3] = [Verdict::Fulfilled, Verdict::Partly, Verdict::NotFulfilled];

    /// The identifier stored and used in the API.
    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Fulfilled => "fulfilled",
            Verdict::Partly => "partly",
            Verdict::NotFulfilled => "not_fulfilled",
        }
    }

    /// The Chinese name.
    pub fn label(self) -> &'static str {
        match self {
            Verdict::Fulfilled => "已践诺",
            Verdict::Partly => "部分践诺",
            Verdict::NotFulfilled => "未践诺",
        }
    }

    /// Parses the identifier or the Chinese name.
    pub fn parse(s: &str) -> Option<Verdict> {
        let s = s.trim();
        Verdict::ALL
            .into_iter()
            .find(|v| v.as_str() == s || v.label() == s)
    }
}

/// Where a pledge stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Stage {
    /// 已承诺: made, not yet reported on.
    Made,
    /// 已践诺汇报: the member reported; the branch reviews.
    Reported,
    /// 已评议.
    Reviewed,
}

impl Stage {
    /// Where a pledge with these dates stands.
    pub fn of(reported: bool, reviewed: bool) -> Stage {
        match (reported, reviewed) {
            (_, true) => Stage::Reviewed,
            (true, false) => Stage::Reported,
            (false, false) => Stage::Made,
        }
    }

    /// The Chinese name.
    pub fn label(self) -> &'static str {
        match self {
            Stage::Made => "已承诺",
            Stage::Reported => "已汇报",
            Stage::Reviewed => "已评议",
        }
    }
}

/// Checks the year a pledge is made for, on `today`: last year (a late entry), this year, or
/// next year (pledges are made in the last weeks of the year before).
pub fn check_year(year: i32, today: NaiveDate) -> Result<(), String> {
    let now = today.year();
    if year < now - 1 || year > now + 1 {
        return Err(format!(
            "承诺年度应为 {} 至 {} 年（现在是 {year} 年）",
            now - 1,
            now + 1
        ));
    }
    Ok(())
}

/// Checks a report or review may be made now: a report once, on a pledge not yet reviewed; a
/// review once, after the report.
pub fn check_step(stage: Stage, review: bool) -> Result<(), String> {
    match (stage, review) {
        (Stage::Reviewed, _) => Err("该承诺已评议，不能再修改".into()),
        (Stage::Made, true) => Err("党员尚未汇报践诺情况，暂不能评议".into()),
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").expect("date")
    }

    #[test]
    fn a_pledge_is_for_last_this_or_next_year() {
        let today = d("2026-11-30");
        assert!(check_year(2025, today).is_ok());
        assert!(check_year(2026, today).is_ok());
        assert!(check_year(2027, today).is_ok());
        let why = check_year(2024, today).expect_err("too old");
        assert!(why.contains("2025 至 2027"), "{why}");
        assert!(check_year(2028, today).is_err());
    }

    #[test]
    fn a_report_comes_before_the_review_and_a_review_ends_it() {
        assert_eq!(Stage::of(false, false), Stage::Made);
        assert_eq!(Stage::of(true, false), Stage::Reported);
        assert_eq!(Stage::of(true, true), Stage::Reviewed);
        assert!(check_step(Stage::Made, false).is_ok());
        assert!(
            check_step(Stage::Reported, false).is_ok(),
            "a report may be amended"
        );
        assert!(check_step(Stage::Reported, true).is_ok());
        assert!(
            check_step(Stage::Made, true)
                .expect_err("no review before the report")
                .contains("尚未汇报")
        );
        assert!(check_step(Stage::Reviewed, false).is_err());
        assert!(check_step(Stage::Reviewed, true).is_err());
        assert_eq!(Stage::Reviewed.label(), "已评议");
    }

    #[test]
    fn verdicts_parse_by_name() {
        for v in Verdict::ALL {
            assert_eq!(Verdict::parse(v.as_str()), Some(v));
            assert_eq!(Verdict::parse(v.label()), Some(v));
        }
        assert_eq!(Verdict::parse("优秀"), None);
        assert_eq!(Verdict::Partly.as_str(), "partly");
    }
}
