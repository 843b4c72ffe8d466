//! The category tree (事项分类): who handles a kind of problem, how fast, and how to
//! recognise it from a report's words.
//!
//! Each leaf names a default handler level (grid, community, township, or a department of a
//! given kind), a response (签收) limit and a handling limit, and keywords. The suggestion is
//! deliberately simple and explainable: every keyword found in the text scores its length in
//! characters (a longer phrase is stronger evidence), and the suggestion lists the words that
//! matched, so the dispatcher sees *why*. A classifier learned from a street's closed cases can
//! rank alongside it later.

use crate::worktime::Limit;
use serde::Deserialize;
use std::collections::HashSet;

/// Who handles a category by default.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum HandlerLevel {
    /// The grid where it happened (小事不出网格).
    Grid,
    /// The community or village (大事不出社区).
    Community,
    /// The street or town.
    Township,
    /// A department of the named kind, found near the place.
    Department,
}

impl HandlerLevel {
    /// Every level, in the order the UI lists them.
    pub const ALL: [HandlerLevel; 4] = [
        HandlerLevel::Grid,
        HandlerLevel::Community,
        HandlerLevel::Township,
        HandlerLevel::Department,
    ];

    /// The stored identifier.
    pub fn as_str(self) -> &'static str {
        match self {
            HandlerLevel::Grid => "grid",
            HandlerLevel::Community => "community",
            HandlerLevel::Township => "township",
            HandlerLevel::Department => "department",
        }
    }

    /// Parses the stored identifier.
    pub fn parse(s: &str) -> Option<HandlerLevel> {
        HandlerLevel::ALL
            .into_iter()
            .find(|h| h.as_str() == s.trim())
    }

    /// The Chinese name.
    pub fn label(self) -> &'static str {
        match self {
            HandlerLevel::Grid => "网格",
            HandlerLevel::Community => "社区（村）",
            HandlerLevel::Township => "街道（乡镇）",
            HandlerLevel::Department => "职能部门",
        }
    }
}

/// Writes a limit back in the form [`parse_limit`] reads.
pub fn limit_code(l: Limit) -> String {
    match l {
        Limit::Natural { minutes } if minutes % 60 == 0 => format!("{}h", minutes / 60),
        Limit::Natural { minutes } => format!("{minutes}m"),
        Limit::WorkingHours(h) => format!("{h}wh"),
        Limit::WorkingDays(d) => format!("{d}wd"),
    }
}

/// A limit in Chinese: 2 小时, 4 个工作小时, 7 个工作日.
pub fn limit_label(l: Limit) -> String {
    match l {
        Limit::Natural { minutes } if minutes % 60 == 0 => format!("{} 小时", minutes / 60),
        Limit::Natural { minutes } => format!("{minutes} 分钟"),
        Limit::WorkingHours(h) => format!("{h} 个工作小时"),
        Limit::WorkingDays(d) => format!("{d} 个工作日"),
    }
}

/// A leaf of the tree as written in the seed file.
#[derive(Clone, Debug, Deserialize)]
struct RawLeaf {
    code: String,
    name: String,
    handler: HandlerLevel,
    response: String,
    handling: String,
    #[serde(default)]
    keywords: Vec<String>,
    #[serde(default)]
    department_kind: Option<String>,
}

#[derive(Deserialize)]
struct RawGroup {
    code: String,
    name: String,
    children: Vec<RawLeaf>,
}

#[derive(Deserialize)]
struct RawFile {
    categories: Vec<RawGroup>,
}

/// A category one can file a case under.
#[derive(Clone, Debug, PartialEq)]
pub struct Category {
    /// Stable code, e.g. `HJ01`.
    pub code: String,
    /// The kind of work filed under it (`appeal`; an errand's categories are `errand`).
    pub kind: String,
    /// Name, e.g. 垃圾清运.
    pub name: String,
    /// The group's code, e.g. `HJ`.
    pub group_code: String,
    /// The group's name, e.g. 环境卫生.
    pub group_name: String,
    /// Default handler.
    pub handler: HandlerLevel,
    /// For [`HandlerLevel::Department`]: the department kind (派出所, 城管中队 …).
    pub department_kind: Option<String>,
    /// 签收 limit.
    pub response: Limit,
    /// Handling limit.
    pub handling: Limit,
    /// Words that suggest it.
    pub keywords: Vec<String>,
}

/// A bad taxonomy.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum TaxonomyError {
    /// Not the expected JSON.
    #[error("事项分类数据格式错误：{0}")]
    Format(String),
    /// A code appears twice.
    #[error("事项分类编码 {0} 重复")]
    DuplicateCode(String),
    /// A limit cannot be read.
    #[error("事项分类 {code} 的时限“{text}”无法识别（应如 30m、2h、4wh、7wd）")]
    BadLimit {
        /// The category.
        code: String,
        /// The text.
        text: String,
    },
    /// A department handler without a department kind.
    #[error("事项分类 {0} 由部门处置，但没有写部门类型")]
    NoDepartmentKind(String),
}

/// Reads a limit: `30m`, `2h` (clock time), `4wh` (working hours), `7wd` (working days).
pub fn parse_limit(s: &str) -> Option<Limit> {
    let s = s.trim();
    let split = s.find(|c: char| !c.is_ascii_digit())?;
    let (n, unit) = s.split_at(split);
    let n: u32 = n.parse().ok().filter(|n| *n > 0)?;
    match unit {
        "m" => Some(Limit::Natural { minutes: n }),
        "h" => Some(Limit::Natural {
            minutes: n.checked_mul(60)?,
        }),
        "wh" => Some(Limit::WorkingHours(n)),
        "wd" => Some(Limit::WorkingDays(n)),
        _ => None,
    }
}

/// Parses and checks the seed file (`crates/core/data/categories-cn.json`).
pub fn parse_taxonomy(text: &str) -> Result<Vec<Category>, TaxonomyError> {
    let f: RawFile =
        serde_json::from_str(text).map_err(|e| TaxonomyError::Format(e.to_string()))?;
    let mut seen = HashSet::new();
    let mut out = Vec::new();
    for g in f.categories {
        if !seen.insert(g.code.clone()) {
            return Err(TaxonomyError::DuplicateCode(g.code));
        }
        for l in g.children {
            if !seen.insert(l.code.clone()) {
                return Err(TaxonomyError::DuplicateCode(l.code));
            }
            let limit = |t: &str| {
                parse_limit(t).ok_or_else(|| TaxonomyError::BadLimit {
                    code: l.code.clone(),
                    text: t.to_owned(),
                })
            };
            if l.handler == HandlerLevel::Department && l.department_kind.is_none() {
                return Err(TaxonomyError::NoDepartmentKind(l.code));
            }
            out.push(Category {
                kind: "appeal".to_owned(),
                response: limit(&l.response)?,
                handling: limit(&l.handling)?,
                code: l.code,
                name: l.name,
                group_code: g.code.clone(),
                group_name: g.name.clone(),
                handler: l.handler,
                department_kind: l.department_kind,
                keywords: l
                    .keywords
                    .into_iter()
                    .map(|k| k.trim().to_owned())
                    .filter(|k| !k.is_empty())
                    .collect(),
            });
        }
    }
    Ok(out)
}

/// A suggested category, with the words that led to it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Suggestion {
    /// The category's code.
    pub code: String,
    /// Its name.
    pub name: String,
    /// The score (sum of the matched keywords' lengths in characters).
    pub score: usize,
    /// The keywords found in the text.
    pub matched: Vec<String>,
}

impl Suggestion {
    /// Why, in one Chinese sentence.
    pub fn reason(&self) -> String {
        format!("文中出现“{}”", self.matched.join("”“"))
    }
}

/// The best `limit` categories for a text, strongest first; empty when no keyword matches.
pub fn suggest<'a>(
    categories: impl IntoIterator<Item = &'a Category>,
    text: &str,
    limit: usize,
) -> Vec<Suggestion> {
    let mut out: Vec<Suggestion> = categories
        .into_iter()
        .filter_map(|c| {
            let matched: Vec<String> = c
                .keywords
                .iter()
                .filter(|k| text.contains(k.as_str()))
                .cloned()
                .collect();
            if matched.is_empty() {
                return None;
            }
            let score = matched.iter().map(|k| k.chars().count()).sum();
            Some(Suggestion {
                code: c.code.clone(),
                name: c.name.clone(),
                score,
                matched,
            })
        })
        .collect();
    out.sort_by(|a, b| b.score.cmp(&a.score).then_with(|| a.code.cmp(&b.code)));
    out.truncate(limit);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limits_and_levels_round_trip() {
        for t in ["30m", "2h", "24h", "4wh", "7wd"] {
            let l = parse_limit(t).expect(t);
            assert_eq!(limit_code(l), t);
        }
        assert_eq!(limit_label(parse_limit("7wd").expect("7wd")), "7 个工作日");
        for h in HandlerLevel::ALL {
            assert_eq!(HandlerLevel::parse(h.as_str()), Some(h));
        }
    }

    const SEED: &str = include_str!("../data/categories-cn.json");

    #[test]
    fn the_shipped_taxonomy_is_valid_and_follows_12345_practice() {
        let cats = parse_taxonomy(SEED).expect("seed parses");
        assert!(cats.len() >= 40);
        let groups: HashSet<&str> = cats.iter().map(|c| c.group_name.as_str()).collect();
        for g in [
            "环境卫生",
            "市容秩序",
            "物业管理",
            "邻里纠纷",
            "安全隐患",
            "社会治安",
            "民生服务",
            "基础设施",
            "其他",
        ] {
            assert!(groups.contains(g), "{g}");
        }
        let by = |code: &str| cats.iter().find(|c| c.code == code).expect(code);
        assert_eq!(
            by("AQ01").handling,
            Limit::Natural { minutes: 120 },
            "gas leaks: 2 hours"
        );
        assert_eq!(
            by("MS01").handling,
            Limit::Natural { minutes: 24 * 60 },
            "water: 24 hours"
        );
        assert_eq!(
            by("WY02").handling,
            Limit::WorkingDays(7),
            "ordinary: 7 working days"
        );
        assert_eq!(
            by("SR03").handling,
            Limit::WorkingDays(15),
            "complex: 15 working days"
        );
        assert_eq!(by("SR03").department_kind.as_deref(), Some("城管中队"));
    }

    #[test]
    fn limits_parse() {
        assert_eq!(parse_limit("30m"), Some(Limit::Natural { minutes: 30 }));
        assert_eq!(parse_limit("2h"), Some(Limit::Natural { minutes: 120 }));
        assert_eq!(parse_limit("4wh"), Some(Limit::WorkingHours(4)));
        assert_eq!(parse_limit(" 7wd "), Some(Limit::WorkingDays(7)));
        for bad in ["", "7", "wd", "0wd", "7d", "-1h", "99999999999h"] {
            assert_eq!(parse_limit(bad), None, "{bad}");
        }
    }

    #[test]
    fn suggestions_say_why() {
        let cats = parse_taxonomy(SEED).expect("seed");
        let s = suggest(&cats, "3号楼楼道里有人给电动车飞线充电，很危险", 3);
        assert_eq!(s[0].code, "AQ03", "{s:?}");
        assert!(s[0].matched.contains(&"飞线".to_owned()));
        assert!(s[0].reason().starts_with("文中出现“"));
        let s = suggest(&cats, "小区门口垃圾桶满溢好几天没人收了", 1);
        assert_eq!(s[0].code, "HJ01");
        assert!(suggest(&cats, "你好", 3).is_empty());
    }

    #[test]
    fn bad_taxonomies_are_refused() {
        assert!(matches!(
            parse_taxonomy("[]"),
            Err(TaxonomyError::Format(_))
        ));
        let dup = r#"{"categories":[{"code":"A","name":"甲","children":[{"code":"A","name":"乙","handler":"grid","response":"4wh","handling":"7wd"}]}]}"#;
        assert_eq!(
            parse_taxonomy(dup),
            Err(TaxonomyError::DuplicateCode("A".into()))
        );
        let bad = r#"{"categories":[{"code":"A","name":"甲","children":[{"code":"A1","name":"乙","handler":"grid","response":"soon","handling":"7wd"}]}]}"#;
        assert!(matches!(
            parse_taxonomy(bad),
            Err(TaxonomyError::BadLimit { .. })
        ));
        let nodep = r#"{"categories":[{"code":"A","name":"甲","children":[{"code":"A1","name":"乙","handler":"department","response":"4wh","handling":"7wd"}]}]}"#;
        assert_eq!(
            parse_taxonomy(nodep),
            Err(TaxonomyError::NoDepartmentKind("A1".into()))
        );
    }
}
