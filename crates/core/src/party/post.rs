//! 党员先锋岗 and 党员责任区: a member's post of responsibility at a place — a grid, a building,
//! a street corner's 垃圾分类 station — with what the member answers for there.

/// The kind of post.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PostKind {
    /// 党员先锋岗: a duty at a post (a station, a service window, a patrol).
    Pioneer,
    /// 党员责任区: an area the member answers for (a building, a stretch of street).
    Zone,
}

impl PostKind {
    /// Both kinds.
    pub const ALL: [PostKind; 2] = [PostKind::Pioneer, PostKind::Zone];

    /// The identifier stored and used in the API.
    pub fn as_str(self) -> &'static str {
        match self {
            PostKind::Pioneer => "pioneer",
            PostKind::Zone => "zone",
        }
    }

    /// The Chinese name.
    pub fn label(self) -> &'static str {
        match self {
            PostKind::Pioneer => "党员先锋岗",
            PostKind::Zone => "党员责任区",
        }
    }

    /// Parses the identifier or the Chinese name (先锋岗, 责任区 too).
    pub fn parse(s: &str) -> Option<PostKind> {
        match s.trim() {
            "pioneer" | "党员先锋岗" | "先锋岗" => Some(PostKind::Pioneer),
            "zone" | "党员责任区" | "责任区" => Some(PostKind::Zone),
            _ => None,
        }
    }
}

/// The most active posts one member holds (a post is a real duty, not a badge).
pub const PER_MEMBER: u64 = 3;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_parse_by_either_name() {
        for k in PostKind::ALL {
            assert_eq!(PostKind::parse(k.as_str()), Some(k));
            assert_eq!(PostKind::parse(k.label()), Some(k));
        }
        assert_eq!(PostKind::parse(" 责任区 "), Some(PostKind::Zone));
        assert_eq!(PostKind::parse("岗"), None);
    }
}
