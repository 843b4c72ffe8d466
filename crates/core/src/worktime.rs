//! Working time: deadlines counted in working days and hours on the Chinese calendar.
//!
//! A day is a working day when the calendar says so: a listed public holiday is a day off, a
//! listed make-up workday (调休上班, often a Saturday or Sunday) is a working day, and any other
//! day follows the ordinary week (Monday–Friday). The list is data — the State Council publishes
//! next year's schedule every autumn — so it is passed in, never compiled in. All times here are
//! Beijing local times (`NaiveDateTime` in UTC+8); the caller converts at the edge.
//!
//! Working days are made of spans of working hours (by default 09:00–12:00 and 13:30–17:30,
//! 7 hours). A limit of *N working days* is N days' worth of working minutes counted from the
//! start, so a case dispatched on Friday at 15:00 with two working days is due on Tuesday at
//! 15:00 — later if a holiday falls between, earlier if a make-up Saturday does.

use chrono::{Datelike, Duration, NaiveDate, NaiveDateTime, NaiveTime, Timelike, Weekday};
use serde::Deserialize;
use std::collections::{BTreeSet, HashMap};

/// What the published schedule says of a date.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DayKind {
    /// A public holiday: no work, whatever the weekday.
    Holiday,
    /// A make-up workday: work, whatever the weekday.
    Workday,
}

/// One listed date.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
pub struct SpecialDay {
    /// The date.
    pub date: NaiveDate,
    /// Day off or make-up workday.
    pub kind: DayKind,
    /// The holiday's name (元旦, 春节 …) or 调休上班.
    pub name: String,
}

/// The working hours of a working day, as minutes after midnight: sorted, disjoint spans.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WorkHours {
    spans: Vec<(u32, u32)>,
}

/// A calendar or working-hours definition that cannot be used.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum CalendarError {
    /// The hours are empty, unsorted, overlapping or outside the day.
    #[error("工作时段不合法：应为当天之内、按时间先后、互不重叠的时段")]
    BadHours,
    /// The holiday file is not in the expected format.
    #[error("节假日数据格式错误：{0}")]
    BadData(String),
    /// A date is listed twice with different kinds.
    #[error("日期 {0} 既被列为假日又被列为调休上班")]
    Contradiction(NaiveDate),
}

impl WorkHours {
    /// Spans given as `(start, end)` minutes after midnight.
    pub fn new(spans: Vec<(u32, u32)>) -> Result<WorkHours, CalendarError> {
        let ok = !spans.is_empty()
            && spans.iter().all(|(s, e)| s < e && *e <= 24 * 60)
            && spans.windows(2).all(|w| w[0].1 <= w[1].0);
        if ok {
            Ok(WorkHours { spans })
        } else {
            Err(CalendarError::BadHours)
        }
    }

    /// Working minutes in one working day.
    pub fn minutes_per_day(&self) -> u32 {
        self.spans.iter().map(|(s, e)| e - s).sum()
    }
}

impl Default for WorkHours {
    /// 09:00–12:00 and 13:30–17:30.
    fn default() -> WorkHours {
        WorkHours {
            spans: vec![(9 * 60, 12 * 60), (13 * 60 + 30, 17 * 60 + 30)],
        }
    }
}

/// A time limit.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Limit {
    /// Clock time, holidays or not (emergencies: "2 hours" means two hours).
    Natural {
        /// Minutes.
        minutes: u32,
    },
    /// Working hours.
    WorkingHours(u32),
    /// Working days, each worth a working day's minutes.
    WorkingDays(u32),
}

/// The statutory holidays that fall on the same date every year (全国年节及纪念日放假办法 as
/// revised in 2024: 元旦 1 January, 劳动节 1–2 May, 国庆节 1–3 October), as (month, day,
/// name). A year without its published schedule still has these off; 春节, 清明, 端午 and 中秋
/// follow the lunar calendar or the solar terms, and the make-up workdays are set each year,
/// so they come only with the schedule.
pub const FIXED_HOLIDAYS: [(u32, u32, &str); 6] = [
    (1, 1, "元旦"),
    (5, 1, "劳动节"),
    (5, 2, "劳动节"),
    (10, 1, "国庆节"),
    (10, 2, "国庆节"),
    (10, 3, "国庆节"),
];

/// The days off a year's statutory holidays add up to (全国年节及纪念日放假办法, 2024: 元旦 1,
/// 春节 4, 清明 1, 劳动节 2, 端午 1, 中秋 1, 国庆 3).
pub const STATUTORY_DAYS_OFF: usize = 13;

/// The fixed-date statutory holiday on `d`, if there is one.
pub fn fixed_holiday(d: NaiveDate) -> Option<&'static str> {
    FIXED_HOLIDAYS
        .iter()
        .find(|(m, day, _)| d.month() == *m && d.day() == *day)
        .map(|x| x.2)
}

/// The calendar of working days and hours.
#[derive(Clone, Debug)]
pub struct Calendar {
    special: HashMap<NaiveDate, DayKind>,
    years: BTreeSet<i32>,
    hours: WorkHours,
}

/// How far a search for working time may run before giving up (a calendar with no working
/// day in ten years is a broken calendar, not a deadline).
const SEARCH_DAYS: i64 = 3660;

fn at(date: NaiveDate, minute: u32) -> NaiveDateTime {
    date.and_time(NaiveTime::MIN) + Duration::minutes(i64::from(minute))
}

fn minute_of(t: NaiveDateTime) -> u32 {
    t.time().num_seconds_from_midnight() / 60
}

impl Calendar {
    /// A calendar from listed days and working hours. A date listed twice with the same kind
    /// is fine; with different kinds it is refused.
    pub fn new(
        days: impl IntoIterator<Item = SpecialDay>,
        hours: WorkHours,
    ) -> Result<Calendar, CalendarError> {
        let mut special = HashMap::new();
        let mut holidays: HashMap<i32, usize> = HashMap::new();
        for d in days {
            if let Some(prev) = special.insert(d.date, d.kind)
                && prev != d.kind
            {
                return Err(CalendarError::Contradiction(d.date));
            }
            if d.kind == DayKind::Holiday {
                *holidays.entry(d.date.year()).or_insert(0usize) += 1;
            }
        }
        let years = holidays
            .into_iter()
            .filter(|(_, n)| *n >= STATUTORY_DAYS_OFF)
            .map(|(y, _)| y)
            .collect();
        Ok(Calendar {
            special,
            years,
            hours,
        })
    }

    /// Reads the listed days from the project's holiday file (`crates/core/data/holidays-cn.json`):
    /// `{"years": {"2025": {"source": …, "days": [{"date", "kind", "name"}]}}}`.
    pub fn parse_schedule(text: &str) -> Result<Vec<SpecialDay>, CalendarError> {
        #[derive(Deserialize)]
        struct Year {
            days: Vec<SpecialDay>,
        }
        #[derive(Deserialize)]
        struct File {
            years: std::collections::BTreeMap<String, Year>,
        }
        let f: File =
            serde_json::from_str(text).map_err(|e| CalendarError::BadData(e.to_string()))?;
        let mut out = Vec::new();
        for (y, year) in f.years {
            for d in year.days {
                if d.date.year().to_string() != y {
                    return Err(CalendarError::BadData(format!(
                        "{} 列在 {y} 年之下",
                        d.date
                    )));
                }
                out.push(d);
            }
        }
        Ok(out)
    }

    /// Whether the published schedule of a year is loaded: it lists at least the
    /// [`STATUTORY_DAYS_OFF`] days off the law gives (a schedule lists them, and the weekend days
    /// joined to them). A year with fewer — none, or a day or two entered by hand — is not:
    /// deadlines that reach into it are provisional ([`Calendar::is_provisional`]), since the
    /// lunar holidays and the make-up workdays are known only from the schedule. Either way,
    /// the fixed-date holidays ([`FIXED_HOLIDAYS`]) are days off unless a date is listed
    /// otherwise.
    pub fn covers(&self, year: i32) -> bool {
        self.years.contains(&year)
    }

    /// Whether a deadline falling on `d` (or counted across it) rests on a year whose schedule
    /// is not loaded, so that it may move once the schedule is entered.
    pub fn is_provisional(&self, d: NaiveDate) -> bool {
        !self.covers(d.year())
    }

    /// The year whose schedule administrators should enter now: next year, from 1 November
    /// (the State Council publishes it in the autumn), when it is not loaded yet.
    pub fn next_year_missing(&self, today: NaiveDate) -> Option<i32> {
        let next = today.year() + 1;
        (today.month() >= 11 && !self.covers(next)).then_some(next)
    }

    /// The working hours.
    pub fn hours(&self) -> &WorkHours {
        &self.hours
    }

    /// Whether people work on this date.
    pub fn is_workday(&self, d: NaiveDate) -> bool {
        match self.special.get(&d) {
            Some(DayKind::Holiday) => false,
            Some(DayKind::Workday) => true,
            None if fixed_holiday(d).is_some() => false,
            None => !matches!(d.weekday(), Weekday::Sat | Weekday::Sun),
        }
    }

    /// When a limit that starts at `start` runs out.
    pub fn deadline(&self, start: NaiveDateTime, limit: Limit) -> NaiveDateTime {
        match limit {
            Limit::Natural { minutes } => start + Duration::minutes(i64::from(minutes)),
            Limit::WorkingHours(h) => self.add_working_minutes(start, h.saturating_mul(60)),
            Limit::WorkingDays(d) => {
                self.add_working_minutes(start, d.saturating_mul(self.hours.minutes_per_day()))
            }
        }
    }

    /// The moment `minutes` of working time after `start`. A limit that runs out exactly at
    /// the end of a span ends there (17:30), not at the start of the next one.
    pub fn add_working_minutes(&self, start: NaiveDateTime, minutes: u32) -> NaiveDateTime {
        if minutes == 0 {
            return start;
        }
        let mut remaining = minutes;
        let mut date = start.date();
        let mut from = minute_of(start);
        for _ in 0..SEARCH_DAYS {
            if self.is_workday(date) {
                for &(s, e) in &self.hours.spans {
                    let begin = s.max(from);
                    if begin >= e {
                        continue;
                    }
                    let available = e - begin;
                    if remaining <= available {
                        return at(date, begin + remaining);
                    }
                    remaining -= available;
                }
            }
            date = match date.succ_opt() {
                Some(d) => d,
                None => break,
            };
            from = 0;
        }
        start + Duration::days(SEARCH_DAYS)
    }

    /// Working minutes between two moments (0 when `to` is not after `from`): how much of a
    /// limit is used, for the deadline lights.
    pub fn working_minutes_between(&self, from: NaiveDateTime, to: NaiveDateTime) -> i64 {
        if to <= from {
            return 0;
        }
        let mut total = 0i64;
        let mut date = from.date();
        for _ in 0..SEARCH_DAYS {
            if date > to.date() {
                break;
            }
            if self.is_workday(date) {
                let lo = if date == from.date() {
                    minute_of(from)
                } else {
                    0
                };
                let hi = if date == to.date() {
                    minute_of(to)
                } else {
                    24 * 60
                };
                for &(s, e) in &self.hours.spans {
                    total += i64::from(e.min(hi).saturating_sub(s.max(lo)));
                }
            }
            date = match date.succ_opt() {
                Some(d) => d,
                None => break,
            };
        }
        total
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SCHEDULE: &str = include_str!("../data/holidays-cn.json");

    #[test]
    fn a_calendar_keeps_its_working_hours() {
        let hours = WorkHours::new(vec![(8 * 60, 11 * 60 + 30)]).expect("hours");
        let cal = Calendar::new(Vec::new(), hours.clone()).expect("calendar");
        assert_eq!(cal.hours(), &hours);
        assert_eq!(cal.hours().minutes_per_day(), 210);
    }

    #[test]
    fn a_calendar_without_a_working_day_gives_a_deadline_far_ahead_not_behind() {
        let start = NaiveDate::from_ymd_opt(2030, 1, 1)
            .and_then(|d| d.and_hms_opt(9, 0, 0))
            .expect("time");
        let days = (0..SEARCH_DAYS + 10).filter_map(|k| {
            Some(SpecialDay {
                date: start.date().checked_add_signed(Duration::days(k))?,
                kind: DayKind::Holiday,
                name: "停工".into(),
            })
        });
        let cal = Calendar::new(days, WorkHours::default()).expect("calendar");
        assert_eq!(
            cal.deadline(start, Limit::WorkingHours(1)),
            start + Duration::days(SEARCH_DAYS)
        );
    }

    fn cal() -> Calendar {
        let days = Calendar::parse_schedule(SCHEDULE).expect("the shipped schedule parses");
        Calendar::new(days, WorkHours::default()).expect("calendar")
    }

    fn t(s: &str) -> NaiveDateTime {
        NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M").expect("time")
    }

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").expect("date")
    }

    #[test]
    fn the_shipped_schedule_covers_2025_and_2026() {
        let c = cal();
        assert!(c.covers(2025) && c.covers(2026));
        assert!(!c.covers(2027));
        assert_eq!(c.hours().minutes_per_day(), 420);
    }

    #[test]
    fn holidays_and_make_up_days() {
        let c = cal();
        assert!(
            !c.is_workday(d("2025-10-08")),
            "国庆中秋 2025, a Wednesday off"
        );
        assert!(c.is_workday(d("2025-10-11")), "a make-up Saturday");
        assert!(c.is_workday(d("2025-09-28")), "a make-up Sunday");
        assert!(!c.is_workday(d("2025-10-12")), "an ordinary Sunday");
        assert!(c.is_workday(d("2026-01-04")), "元旦 2026 make-up Sunday");
        assert!(
            c.is_workday(d("2026-02-14")) && c.is_workday(d("2026-02-28")),
            "春节 2026 make-up Saturdays"
        );
        assert!(!c.is_workday(d("2026-02-23")), "春节 2026, a Monday off");
        assert!(c.is_workday(d("2026-11-23")), "an ordinary Monday");
    }

    #[test]
    fn two_working_days_from_friday_afternoon() {
        let c = cal();
        // An ordinary week: Friday 15:00 → Tuesday 15:00.
        assert_eq!(
            c.deadline(t("2025-03-07 15:00"), Limit::WorkingDays(2)),
            t("2025-03-11 15:00")
        );
        // Before the 2026 Spring Festival: the make-up Saturday counts, the nine days off do not.
        assert_eq!(
            c.deadline(t("2026-02-13 15:00"), Limit::WorkingDays(2)),
            t("2026-02-24 15:00")
        );
        // Before National Day 2025: Tuesday 15:00, then eight days off.
        assert_eq!(
            c.deadline(t("2025-09-30 15:00"), Limit::WorkingDays(2)),
            t("2025-10-10 15:00")
        );
        // A make-up Sunday before it: Friday 16:30 + 1 day ends on Sunday 16:30.
        assert_eq!(
            c.deadline(t("2025-09-26 16:30"), Limit::WorkingDays(1)),
            t("2025-09-28 16:30")
        );
        // New Year 2026: Wednesday 17:00 + 1 day ends on the make-up Sunday.
        assert_eq!(
            c.deadline(t("2025-12-31 17:00"), Limit::WorkingDays(1)),
            t("2026-01-04 17:00")
        );
    }

    #[test]
    fn hours_skip_lunch_and_nights_but_natural_time_does_not() {
        let c = cal();
        assert_eq!(
            c.deadline(t("2025-03-07 11:00"), Limit::WorkingHours(2)),
            t("2025-03-07 14:30")
        );
        assert_eq!(
            c.deadline(t("2025-03-07 17:00"), Limit::WorkingHours(1)),
            t("2025-03-10 09:30")
        );
        assert_eq!(
            c.deadline(t("2025-03-08 10:00"), Limit::WorkingHours(1)),
            t("2025-03-10 10:00"),
            "a Saturday report starts on Monday"
        );
        assert_eq!(
            c.deadline(t("2025-10-01 23:30"), Limit::Natural { minutes: 120 }),
            t("2025-10-02 01:30")
        );
        assert_eq!(
            c.deadline(t("2025-03-07 16:00"), Limit::WorkingHours(0)),
            t("2025-03-07 16:00")
        );
        // A limit that runs out at the end of the day ends at 17:30.
        assert_eq!(
            c.deadline(t("2025-03-07 09:00"), Limit::WorkingDays(1)),
            t("2025-03-07 17:30")
        );
    }

    #[test]
    fn used_time_is_counted_the_same_way() {
        let c = cal();
        assert_eq!(
            c.working_minutes_between(t("2025-09-26 16:30"), t("2025-09-28 16:30")),
            420
        );
        assert_eq!(
            c.working_minutes_between(t("2025-09-30 12:00"), t("2025-10-08 23:00")),
            240
        );
        assert_eq!(
            c.working_minutes_between(t("2025-03-07 15:00"), t("2025-03-07 10:00")),
            0
        );
    }

    #[test]
    fn adding_then_measuring_gives_back_the_limit() {
        let c = cal();
        let mut start = t("2025-01-01 00:00");
        let end = t("2026-12-31 00:00");
        let mut checked = 0;
        while start < end {
            for minutes in [1, 59, 210, 420, 840, 2100] {
                let due = c.add_working_minutes(start, minutes);
                assert!(due > start);
                assert_eq!(
                    c.working_minutes_between(start, due),
                    i64::from(minutes),
                    "{start} + {minutes}"
                );
                checked += 1;
            }
            start += Duration::minutes(997);
        }
        assert!(checked > 5000);
    }

    #[test]
    fn bad_calendars_are_refused() {
        assert_eq!(WorkHours::new(vec![]), Err(CalendarError::BadHours));
        assert_eq!(
            WorkHours::new(vec![(600, 500)]),
            Err(CalendarError::BadHours)
        );
        assert_eq!(
            WorkHours::new(vec![(540, 720), (700, 800)]),
            Err(CalendarError::BadHours)
        );
        let twice = [
            SpecialDay {
                date: d("2025-10-11"),
                kind: DayKind::Holiday,
                name: "x".into(),
            },
            SpecialDay {
                date: d("2025-10-11"),
                kind: DayKind::Workday,
                name: "y".into(),
            },
        ];
        assert!(matches!(
            Calendar::new(twice, WorkHours::default()),
            Err(CalendarError::Contradiction(_))
        ));
        assert!(Calendar::parse_schedule("{}").is_err());
        let misfiled = r#"{"years": {"2025": {"days": [{"date": "2026-01-01", "kind": "holiday", "name": "元旦"}]}}}"#;
        assert!(Calendar::parse_schedule(misfiled).is_err());
    }

    #[test]
    fn a_year_without_its_schedule_keeps_the_fixed_holidays_and_says_so() {
        let cal = Calendar::new(
            Calendar::parse_schedule(include_str!("../data/holidays-cn.json")).expect("file"),
            WorkHours::default(),
        )
        .expect("calendar");
        assert!(cal.covers(2026) && !cal.covers(2027));
        let d = |y, m, dd| NaiveDate::from_ymd_opt(y, m, dd).expect("date");
        // Dispatched on the last working afternoon of 2026, one working day: 元旦 2027 is a
        // Friday, so it is due on Monday 4 January, not on the holiday.
        let start = d(2026, 12, 31).and_hms_opt(15, 0, 0).expect("time");
        let due = cal.deadline(start, Limit::WorkingDays(1));
        assert_eq!(due, d(2027, 1, 4).and_hms_opt(15, 0, 0).expect("time"));
        assert!(cal.is_provisional(due.date()));
        assert!(!cal.is_provisional(start.date()));
        for day in [d(2027, 5, 3), d(2027, 10, 4), d(2027, 10, 8)] {
            assert!(cal.is_workday(day), "{day}");
        }
        for day in [
            d(2027, 1, 1),
            d(2027, 5, 1),
            d(2027, 5, 2),
            d(2027, 10, 1),
            d(2027, 10, 3),
        ] {
            assert!(!cal.is_workday(day), "{day}");
        }
        assert_eq!(fixed_holiday(d(2027, 10, 2)), Some("国庆节"));
        // A day or two entered by hand is not the year's schedule: still provisional, and the
        // fixed-date holidays stay off.
        let mut days =
            Calendar::parse_schedule(include_str!("../data/holidays-cn.json")).expect("file");
        days.push(SpecialDay {
            date: d(2027, 2, 6),
            kind: DayKind::Holiday,
            name: "春节".into(),
        });
        let partial = Calendar::new(days, WorkHours::default()).expect("calendar");
        assert!(!partial.covers(2027) && partial.is_provisional(d(2027, 3, 1)));
        assert!(!partial.is_workday(d(2027, 1, 1)) && !partial.is_workday(d(2027, 2, 6)));
        assert_eq!(cal.next_year_missing(d(2026, 10, 31)), None);
        assert_eq!(cal.next_year_missing(d(2026, 11, 1)), Some(2027));
        assert_eq!(
            cal.next_year_missing(d(2025, 11, 30)),
            None,
            "2026 is loaded"
        );
    }
}
