//! Validation of what people type: names, codes, usernames, passwords.
//! Each error carries the Chinese sentence shown to the user.

use thiserror::Error;

/// A rejected input, with the message the user sees.
#[derive(Debug, Error, Clone, PartialEq, Eq)]
#[error("{0}")]
pub struct Invalid(pub String);

fn invalid(msg: impl Into<String>) -> Invalid {
    Invalid(msg.into())
}

/// Trims a name and checks that it is 1–`max` characters with no control characters.
/// `what` names the field in the message ("节点名称").
pub fn name(what: &str, raw: &str, max: usize) -> Result<String, Invalid> {
    let s = raw.trim();
    if s.is_empty() {
        return Err(invalid(format!("{what}不能为空")));
    }
    let n = s.chars().count();
    if n > max {
        return Err(invalid(format!("{what}不能超过 {max} 个字（现在 {n} 个）")));
    }
    if s.chars().any(char::is_control) {
        return Err(invalid(format!("{what}不能包含控制字符")));
    }
    Ok(s.to_owned())
}

/// A date a person gives for something that has happened (`YYYY-MM-DD`, or `YYYY/M/D`):
/// empty is none; a date after `today` or before 1921 is refused.
pub fn past_date(
    what: &str,
    raw: &str,
    today: chrono::NaiveDate,
) -> Result<Option<chrono::NaiveDate>, Invalid> {
    let s = raw.trim();
    if s.is_empty() {
        return Ok(None);
    }
    let d = chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d")
        .or_else(|_| chrono::NaiveDate::parse_from_str(s, "%Y/%m/%d"))
        .map_err(|_| invalid(format!("{what}“{s}”不是日期：请写成 2024-05-01 的样子")))?;
    if d > today {
        return Err(invalid(format!("{what}不能晚于今天（{today}）")));
    }
    if d < chrono::NaiveDate::from_ymd_opt(1921, 7, 1).unwrap_or(d) {
        return Err(invalid(format!("{what}“{s}”太早了，请核对")));
    }
    Ok(Some(d))
}

/// An org or department code: 1–32 ASCII letters, digits or `-`.
pub fn code(raw: &str) -> Result<String, Invalid> {
    let s = raw.trim();
    if s.is_empty() {
        return Err(invalid("编码不能为空"));
    }
    if s.len() > 32 {
        return Err(invalid("编码不能超过 32 位"));
    }
    if !s.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-') {
        return Err(invalid("编码只能包含数字、字母和“-”"));
    }
    Ok(s.to_owned())
}

/// A login name: 3–32 characters of lower-case letters, digits, `_`, `.` or `-`,
/// starting with a letter or digit.
pub fn username(raw: &str) -> Result<String, Invalid> {
    let s = raw.trim().to_ascii_lowercase();
    if s.len() < 3 || s.len() > 32 {
        return Err(invalid("用户名须为 3–32 位"));
    }
    let ok_start = s.bytes().next().is_some_and(|b| b.is_ascii_alphanumeric());
    if !ok_start
        || !s.bytes().all(|b| {
            b.is_ascii_lowercase() || b.is_ascii_digit() || matches!(b, b'_' | b'.' | b'-')
        })
    {
        return Err(invalid(
            "用户名只能包含小写字母、数字和 _ . -，并以字母或数字开头",
        ));
    }
    Ok(s)
}

/// A new password: 8–128 characters using at least two of: letters, digits, other symbols.
pub fn password(raw: &str) -> Result<String, Invalid> {
    let n = raw.chars().count();
    if n < 8 {
        return Err(invalid("密码至少 8 位"));
    }
    if n > 128 {
        return Err(invalid("密码不能超过 128 位"));
    }
    let letter = raw.chars().any(char::is_alphabetic);
    let digit = raw.chars().any(|c| c.is_ascii_digit());
    let other = raw.chars().any(|c| !c.is_alphanumeric());
    if u8::from(letter) + u8::from(digit) + u8::from(other) < 2 {
        return Err(invalid("密码须包含字母、数字、符号中的至少两类"));
    }
    Ok(raw.to_owned())
}

/// Which line breaks a free text may hold.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Lines {
    /// One line: a title, a name, a room.
    One,
    /// Several: a description, a reason, notes (line breaks and tabs kept).
    Many,
}

/// The one rule for free text a person types: trimmed; required or not; at most `max`
/// characters; no control character (in [`Lines::Many`] text, line breaks and tabs are kept).
/// NUL and the other controls would be invisible on a page, break a spreadsheet, and PostgreSQL
/// refuses NUL in text.
pub fn text(
    what: &str,
    raw: &str,
    max: usize,
    lines: Lines,
    required: bool,
) -> Result<String, Invalid> {
    let s = raw.trim();
    if s.is_empty() {
        return if required {
            Err(invalid(format!("请填写{what}")))
        } else {
            Ok(String::new())
        };
    }
    let n = s.chars().count();
    if n > max {
        return Err(invalid(format!("{what}不能超过 {max} 个字（现在 {n} 个）")));
    }
    let allowed = |c: char| lines == Lines::Many && matches!(c, '\n' | '\r' | '\t');
    if s.chars().any(|c| c.is_control() && !allowed(c)) {
        return Err(invalid(format!("{what}不能包含控制字符")));
    }
    Ok(s.to_owned())
}

/// The most rows a list gives at once, whatever is asked.
pub const MAX_PER_PAGE: u64 = 200;
/// The deepest page a list goes to (a count stops at 10,000 rows, so every counted row is
/// reachable one to a page); beyond it, narrow the filter.
pub const MAX_PAGE: u64 = 10_000;

/// A page of a list: which page (from 1) and how many rows; the offset never overflows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Paging {
    /// The page, 1 to [`MAX_PAGE`].
    pub page: u64,
    /// Rows per page, 1 to [`MAX_PER_PAGE`].
    pub per_page: u64,
}

impl Paging {
    /// Reads `page` and `per_page` as a list's query gives them: missing means the first page of
    /// `default_per_page` rows; a page of 0 is the first; more rows than [`MAX_PER_PAGE`] are
    /// that many; a page beyond [`MAX_PAGE`] is refused.
    pub fn new(
        page: Option<u64>,
        per_page: Option<u64>,
        default_per_page: u64,
    ) -> Result<Paging, Invalid> {
        let page = page.unwrap_or(1).max(1);
        if page > MAX_PAGE {
            return Err(invalid(format!("页码不能超过 {MAX_PAGE}：请缩小筛选范围")));
        }
        Ok(Paging {
            page,
            per_page: per_page.unwrap_or(default_per_page).clamp(1, MAX_PER_PAGE),
        })
    }

    /// Rows to skip before this page.
    pub fn offset(&self) -> u64 {
        (self.page - 1) * self.per_page
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn past_dates_are_read_and_the_future_refused() {
        let today = chrono::NaiveDate::from_ymd_opt(2026, 11, 30).expect("date");
        assert_eq!(past_date("换届日期", "", today), Ok(None));
        assert_eq!(
            past_date("换届日期", "2021/5/8", today),
            Ok(chrono::NaiveDate::from_ymd_opt(2021, 5, 8))
        );
        let e = past_date("换届日期", "2026-12-01", today).expect_err("future");
        assert!(e.0.contains("不能晚于今天"), "{e}");
        assert!(past_date("换届日期", "明年", today).is_err());
        assert!(past_date("换届日期", "1900-01-01", today).is_err());
    }

    use super::*;

    #[test]
    fn names() {
        assert_eq!(name("名称", "  清河街道 ", 50), Ok("清河街道".to_owned()));
        assert!(name("名称", "   ", 50).is_err());
        assert!(name("名称", &"长".repeat(51), 50).is_err());
        assert!(name("名称", &"长".repeat(50), 50).is_ok());
        assert!(name("名称", "a\u{7}b", 50).is_err());
        assert_eq!(
            name("节点名称", "", 50).map_err(|e| e.0),
            Err("节点名称不能为空".to_owned())
        );
    }

    #[test]
    fn codes_and_usernames() {
        assert!(code("330106001").is_ok());
        assert!(code("33 01").is_err());
        assert!(code("").is_err());
        assert!(code(&"1".repeat(33)).is_err());
        assert_eq!(username(" Admin "), Ok("admin".to_owned()));
        assert!(username("ab").is_err());
        assert!(username("_x1").is_err());
        assert!(username("张三").is_err());
        assert!(username("grid.worker-01").is_ok());
    }

    #[test]
    fn passwords() {
        assert!(password("wangge-demo1").is_ok());
        assert!(password("wangge-demo").is_ok());
        assert!(password("abcd1234").is_ok());
        assert!(password("short1").is_err());
        assert!(password("onlyletters").is_err());
        assert!(password("1234567890").is_err());
        assert!(password("--------").is_err());
        assert!(password(&"a1".repeat(65)).is_err());
    }

    #[test]
    fn free_text_has_one_rule() {
        assert_eq!(
            text("标题", "  路灯不亮 ", 10, Lines::One, true),
            Ok("路灯不亮".into())
        );
        assert!(text("标题", "  ", 10, Lines::One, true).is_err());
        assert_eq!(text("备注", "", 10, Lines::One, false), Ok(String::new()));
        assert!(text("标题", "路灯\0不亮", 10, Lines::One, true).is_err());
        assert!(text("标题", "两\n行", 10, Lines::One, true).is_err());
        assert_eq!(
            text("描述", "两\r\n行\t字", 10, Lines::Many, true),
            Ok("两\r\n行\t字".into())
        );
        assert!(text("描述", "响\u{7}铃", 10, Lines::Many, true).is_err());
        assert!(text("描述", "长".repeat(11).as_str(), 10, Lines::Many, true).is_err());
    }

    #[test]
    fn pages_never_overflow() {
        let p = Paging::new(Some(3), Some(50), 20).expect("paging");
        assert_eq!((p.page, p.per_page, p.offset()), (3, 50, 100));
        let p = Paging::new(None, None, 20).expect("paging");
        assert_eq!((p.page, p.per_page, p.offset()), (1, 20, 0));
        let p = Paging::new(Some(0), Some(0), 20).expect("paging");
        assert_eq!((p.page, p.per_page), (1, 1));
        assert_eq!(
            Paging::new(Some(1), Some(u64::MAX), 20)
                .expect("paging")
                .per_page,
            MAX_PER_PAGE
        );
        assert!(Paging::new(Some(461_168_601_842_738_790), Some(40), 20).is_err());
        assert!(Paging::new(Some(u64::MAX), Some(u64::MAX), 20).is_err());
        let deepest = Paging::new(Some(MAX_PAGE), Some(MAX_PER_PAGE), 20).expect("paging");
        assert!(i64::try_from(deepest.offset()).is_ok());
    }
}
