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

#[cfg(test)]
mod tests {
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
}
