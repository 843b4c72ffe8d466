//! 光荣榜: the street names the best of a month, quarter or year in categories it defines
//! (优秀社区干部, 最美志愿者, 红旗党支部 …), each with a quota. People are nominated (by
//! themselves or others), the street approves up to the quota, and publishes the roll; a
//! published roll is frozen. Outcomes only: what people did, never how often they signed in.

use chrono::{Datelike, NaiveDate};

/// How often a category's roll is drawn.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PeriodKind {
    /// 月度.
    Month,
    /// 季度.
    Quarter,
    /// 年度.
    Year,
}

impl PeriodKind {
    /// Every kind.
    pub const ALL: [PeriodKind; 3] = [PeriodKind::Month, PeriodKind::Quarter, PeriodKind::Year];

    /// The identifier stored and used in the API.
    pub fn as_str(self) -> &'static str {
        match self {
            PeriodKind::Month => "month",
            PeriodKind::Quarter => "quarter",
            PeriodKind::Year => "year",
        }
    }

    /// The Chinese name.
    pub fn label(self) -> &'static str {
        match self {
            PeriodKind::Month => "月度",
            PeriodKind::Quarter => "季度",
            PeriodKind::Year => "年度",
        }
    }

    /// Parses the identifier or the Chinese name.
    pub fn parse(s: &str) -> Option<PeriodKind> {
        let s = s.trim();
        PeriodKind::ALL
            .into_iter()
            .find(|k| k.as_str() == s || k.label() == s)
    }

    /// The period of this kind that holds `d`.
    pub fn period_of(self, d: NaiveDate) -> Period {
        match self {
            PeriodKind::Month => Period::Month(d.year(), d.month()),
            PeriodKind::Quarter => Period::Quarter(d.year(), (d.month() - 1) / 3 + 1),
            PeriodKind::Year => Period::Year(d.year()),
        }
    }
}

/// One period: `2026-11`, `2026-Q4`, `2026`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Period {
    Month(i32, u32),
    Quarter(i32, u32),
    Year(i32),
}

impl Period {
    /// Parses `2026-11`, `2026-Q4` (or `2026-q4`) or `2026`.
    pub fn parse(s: &str) -> Option<Period> {
        let s = s.trim();
        let year = |y: &str| {
            y.parse::<i32>()
                .ok()
                .filter(|y| (2000..=2100).contains(y) && y.to_string().len() == 4)
        };
        match s.split_once('-') {
            None => year(s).map(Period::Year),
            Some((y, rest)) => {
                let y = year(y)?;
                if let Some(q) = rest.strip_prefix(['Q', 'q']) {
                    let q: u32 = q.parse().ok()?;
                    (1..=4).contains(&q).then_some(Period::Quarter(y, q))
                } else {
                    let m: u32 = rest.parse().ok()?;
                    (rest.len() == 2 && (1..=12).contains(&m)).then_some(Period::Month(y, m))
                }
            }
        }
    }

    /// The kind of period.
    pub fn kind(self) -> PeriodKind {
        match self {
            Period::Month(..) => PeriodKind::Month,
            Period::Quarter(..) => PeriodKind::Quarter,
            Period::Year(_) => PeriodKind::Year,
        }
    }

    /// The first day.
    pub fn first_day(self) -> NaiveDate {
        let (y, m) = match self {
            Period::Month(y, m) => (y, m),
            Period::Quarter(y, q) => (y, (q - 1) * 3 + 1),
            Period::Year(y) => (y, 1),
        };
        NaiveDate::from_ymd_opt(y, m, 1).unwrap_or_default()
    }

    /// The first day of the next period.
    fn next_first_day(self) -> NaiveDate {
        let months = match self {
            Period::Month(..) => 1,
            Period::Quarter(..) => 3,
            Period::Year(_) => 12,
        };
        self.first_day()
            .checked_add_months(chrono::Months::new(months))
            .unwrap_or_default()
    }

    /// Whether the period has begun on `today` (a roll is not drawn for the future).
    pub fn begun(self, today: NaiveDate) -> bool {
        self.first_day() <= today
    }

    /// Whether the period is over on `today`.
    pub fn over(self, today: NaiveDate) -> bool {
        self.next_first_day() <= today
    }

    /// The Chinese name: 2026 年 11 月, 2026 年第四季度, 2026 年度.
    pub fn label(self) -> String {
        const Q: [&str; 4] = ["一", "二", "三", "四"];
        match self {
            Period::Month(y, m) => format!("{y} 年 {m} 月"),
            Period::Quarter(y, q) => format!("{y} 年第{}季度", Q[(q as usize - 1) % 4]),
            Period::Year(y) => format!("{y} 年度"),
        }
    }

    /// The previous period of the same kind.
    pub fn previous(self) -> Period {
        match self {
            Period::Month(y, 1) => Period::Month(y - 1, 12),
            Period::Month(y, m) => Period::Month(y, m - 1),
            Period::Quarter(y, 1) => Period::Quarter(y - 1, 4),
            Period::Quarter(y, q) => Period::Quarter(y, q - 1),
            Period::Year(y) => Period::Year(y - 1),
        }
    }
}

impl std::fmt::Display for Period {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Period::Month(y, m) => write!(f, "{y}-{m:02}"),
            Period::Quarter(y, q) => write!(f, "{y}-Q{q}"),
            Period::Year(y) => write!(f, "{y}"),
        }
    }
}

/// Checks a nomination may be made for `period` of a category of `kind`, on `today`, its roll
/// published or not: the period's kind is the category's, it has begun, it is this period or the
/// last one (rolls are drawn during a period or just after), and the roll is not published.
pub fn check_nomination(
    kind: PeriodKind,
    period: Period,
    published: bool,
    today: NaiveDate,
) -> Result<(), String> {
    if period.kind() != kind {
        return Err(format!(
            "该类别按{}评选，请选择{}",
            kind.label(),
            kind.label()
        ));
    }
    if published {
        return Err(format!("{}的光荣榜已公布，不能再改动", period.label()));
    }
    let now = kind.period_of(today);
    if !period.begun(today) {
        return Err(format!("{}还没到，不能提名", period.label()));
    }
    if period != now && period != now.previous() {
        return Err(format!(
            "只能为{}或{}提名",
            now.label(),
            now.previous().label()
        ));
    }
    Ok(())
}

/// Checks an approval against the quota: `approved` already of `quota`.
pub fn check_quota(quota: i32, approved: i64) -> Result<(), String> {
    if approved >= i64::from(quota) {
        return Err(format!("名额已满：本期最多 {quota} 名"));
    }
    Ok(())
}

/// Checks a category's quota (1 to 50).
pub fn check_category_quota(quota: i32) -> Result<(), String> {
    if !(1..=50).contains(&quota) {
        return Err("每期名额应为 1 至 50".into());
    }
    Ok(())
}

/// What a category honours.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Subject {
    /// A person of the registry.
    Person,
    /// A party organization (红旗党支部).
    PartyOrg,
}

impl Subject {
    /// Every subject.
    pub const ALL: [Subject; 2] = [Subject::Person, Subject::PartyOrg];

    /// The identifier stored and used in the API.
    pub fn as_str(self) -> &'static str {
        match self {
            Subject::Person => "person",
            Subject::PartyOrg => "party_org",
        }
    }

    /// The Chinese name.
    pub fn label(self) -> &'static str {
        match self {
            Subject::Person => "个人",
            Subject::PartyOrg => "党组织",
        }
    }

    /// Parses the identifier or the Chinese name.
    pub fn parse(s: &str) -> Option<Subject> {
        let s = s.trim();
        Subject::ALL
            .into_iter()
            .find(|k| k.as_str() == s || k.label() == s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").expect("date")
    }

    #[test]
    fn periods_parse_print_and_bound() {
        for s in ["2026-11", "2026-Q4", "2026"] {
            let p = Period::parse(s).expect(s);
            assert_eq!(p.to_string(), s);
        }
        assert_eq!(Period::parse("2026-q2"), Some(Period::Quarter(2026, 2)));
        for bad in [
            "2026-13",
            "2026-Q5",
            "26",
            "2026-1",
            "2026-11-01",
            "",
            "二〇二六",
        ] {
            assert_eq!(Period::parse(bad), None, "{bad}");
        }
        assert_eq!(Period::Month(2026, 11).label(), "2026 年 11 月");
        assert_eq!(Period::Quarter(2026, 4).label(), "2026 年第四季度");
        assert_eq!(Period::Year(2026).label(), "2026 年度");
        assert_eq!(Period::Month(2026, 1).previous(), Period::Month(2025, 12));
        assert_eq!(
            Period::Quarter(2026, 1).previous(),
            Period::Quarter(2025, 4)
        );
        assert!(Period::Month(2026, 11).over(d("2026-12-01")));
        assert!(!Period::Month(2026, 11).over(d("2026-11-30")));
        assert!(Period::Quarter(2026, 4).begun(d("2026-10-01")));
        assert!(!Period::Quarter(2026, 4).begun(d("2026-09-30")));
        assert_eq!(
            PeriodKind::Quarter.period_of(d("2026-11-30")),
            Period::Quarter(2026, 4)
        );
        for k in PeriodKind::ALL {
            assert_eq!(PeriodKind::parse(k.as_str()), Some(k));
            assert_eq!(PeriodKind::parse(k.label()), Some(k));
        }
        for s in Subject::ALL {
            assert_eq!(Subject::parse(s.as_str()), Some(s));
        }
    }

    #[test]
    fn nominations_are_for_this_or_the_last_period_until_published() {
        let today = d("2026-12-03");
        let m = PeriodKind::Month;
        assert!(check_nomination(m, Period::Month(2026, 12), false, today).is_ok());
        assert!(check_nomination(m, Period::Month(2026, 11), false, today).is_ok());
        assert!(
            check_nomination(m, Period::Month(2026, 10), false, today)
                .expect_err("too old")
                .contains("只能为")
        );
        assert!(
            check_nomination(m, Period::Month(2027, 1), false, today)
                .expect_err("future")
                .contains("还没到")
        );
        assert!(
            check_nomination(m, Period::Month(2026, 11), true, today)
                .expect_err("frozen")
                .contains("已公布")
        );
        assert!(
            check_nomination(m, Period::Quarter(2026, 4), false, today)
                .expect_err("kind")
                .contains("按月度评选")
        );
        assert!(
            check_nomination(PeriodKind::Year, Period::Year(2025), false, d("2026-01-10")).is_ok()
        );
    }

    #[test]
    fn the_quota_holds() {
        assert!(check_quota(3, 2).is_ok());
        assert!(check_quota(3, 3).expect_err("full").contains("最多 3 名"));
        assert!(check_category_quota(0).is_err());
        assert!(check_category_quota(51).is_err());
        assert!(check_category_quota(10).is_ok());
    }
}
