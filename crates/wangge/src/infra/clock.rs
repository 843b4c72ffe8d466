//! Time: how timestamps are stored (milliseconds since the Unix epoch, UTC) and shown
//! (Beijing time, UTC+8, no daylight saving).

use chrono::{DateTime, Duration, NaiveDateTime};

/// Milliseconds since the Unix epoch, UTC: how every timestamp is stored.
pub fn now_ms() -> i64 {
    chrono::Utc::now().timestamp_millis()
}

/// Beijing time (UTC+8, no daylight saving) of a stored timestamp.
pub fn bj(ms: i64) -> NaiveDateTime {
    DateTime::from_timestamp_millis(ms)
        .unwrap_or_default()
        .naive_utc()
        + Duration::hours(8)
}

/// The stored timestamp of a Beijing time.
pub fn from_bj(t: NaiveDateTime) -> i64 {
    (t - Duration::hours(8)).and_utc().timestamp_millis()
}

/// Today in Beijing.
pub fn today() -> chrono::NaiveDate {
    bj(now_ms()).date()
}

/// A timestamp (ms, UTC) as Beijing time, `2026-11-22 18:30`.
pub fn fmt_time(ms: impl std::borrow::Borrow<i64>) -> String {
    let Some(t) = chrono::DateTime::from_timestamp_millis(*ms.borrow()) else {
        return String::new();
    };
    match chrono::FixedOffset::east_opt(8 * 3600) {
        Some(tz) => t.with_timezone(&tz).format("%Y-%m-%d %H:%M").to_string(),
        None => t.format("%Y-%m-%d %H:%M").to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_show_in_beijing() {
        assert_eq!(fmt_time(0), "1970-01-01 08:00");
        assert_eq!(bj(0).to_string(), "1970-01-01 08:00:00");
        assert_eq!(from_bj(bj(1_700_000_000_000)), 1_700_000_000_000);
    }
}
