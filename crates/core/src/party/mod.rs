//! Party organizations laid over the org tree (支部建在网格上): 党委/党工委 → 党总支 → 党支部 →
//! 党小组, each attached to an org node so that scope applies to it as to everything else.
//!
//! The rules of shape here are those that need no members: which kind may sit under which,
//! which org level each kind is attached to, the 两新/联合/临时 categories of a branch, and the
//! term of its committee (村/社区 5 years, others 3 — the street may set them) with the date the
//! next election (换届) is due. The rules that count members are in [`member`]; the meetings
//! (三会一课) and their rules in [`meeting`].

pub mod center;
pub mod election;
pub mod honour;
pub mod meeting;
pub mod member;
pub mod pledge;
pub mod post;
pub mod serve;
pub mod star;
pub mod wish;

use crate::org::OrgLevel;
use chrono::{Datelike, NaiveDate};

/// The kind of a party organization.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum PartyKind {
    /// 党委 / 党工委: a street's or town's committee.
    Committee,
    /// 党总支: a general branch over several branches (as when two village branches merge).
    GeneralBranch,
    /// 党支部: the basic organization.
    Branch,
    /// 党小组: a group of a branch, usually one per grid.
    Group,
}

impl PartyKind {
    /// Every kind, top down.
    pub const ALL: [PartyKind; 4] = [
        PartyKind::Committee,
        PartyKind::GeneralBranch,
        PartyKind::Branch,
        PartyKind::Group,
    ];

    /// The identifier stored and used in the API.
    pub fn as_str(self) -> &'static str {
        match self {
            PartyKind::Committee => "committee",
            PartyKind::GeneralBranch => "general_branch",
            PartyKind::Branch => "branch",
            PartyKind::Group => "group",
        }
    }

    /// The Chinese name.
    pub fn label(self) -> &'static str {
        match self {
            PartyKind::Committee => "党(工)委",
            PartyKind::GeneralBranch => "党总支",
            PartyKind::Branch => "党支部",
            PartyKind::Group => "党小组",
        }
    }

    /// Parses the identifier or the Chinese name (党委 and 党工委 both name a committee).
    pub fn parse(s: &str) -> Option<PartyKind> {
        let s = s.trim();
        if matches!(s, "党委" | "党工委") {
            return Some(PartyKind::Committee);
        }
        PartyKind::ALL
            .into_iter()
            .find(|k| k.as_str() == s || k.label() == s)
    }

    /// The kinds that may sit directly under this one.
    pub fn children(self) -> &'static [PartyKind] {
        match self {
            PartyKind::Committee => &[PartyKind::GeneralBranch, PartyKind::Branch],
            PartyKind::GeneralBranch => &[PartyKind::Branch],
            PartyKind::Branch => &[PartyKind::Group],
            PartyKind::Group => &[],
        }
    }

    /// The org levels an organization of this kind may be attached to: a committee to a
    /// district or street; a general branch or branch to a street (机关 and 两新 branches), a
    /// community or village; a group to a community, grid or micro-grid.
    pub fn levels(self) -> &'static [OrgLevel] {
        match self {
            PartyKind::Committee => &[OrgLevel::District, OrgLevel::Township],
            PartyKind::GeneralBranch | PartyKind::Branch => {
                &[OrgLevel::Township, OrgLevel::Community]
            }
            PartyKind::Group => &[OrgLevel::Community, OrgLevel::Grid, OrgLevel::MicroGrid],
        }
    }

    /// Whether this kind elects a committee with a term (党委, 党总支 and 党支部 do; a group
    /// has a leader).
    pub fn has_term(self) -> bool {
        self != PartyKind::Group
    }
}

/// The category of a branch or general branch (支部类别).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum BranchCategory {
    /// 村.
    Village,
    /// 社区.
    Community,
    /// 机关事业单位.
    Institution,
    /// 两新组织（非公企业、社会组织）.
    NewEconomy,
    /// 联合支部: several small units together.
    Joint,
    /// 项目: on a project or site.
    Project,
    /// 临时: for a task or a training.
    Temporary,
}

impl BranchCategory {
    /// Every category.
    pub const ALL: [BranchCategory; 7] = [
        BranchCategory::Village,
        BranchCategory::Community,
        BranchCategory::Institution,
        BranchCategory::NewEconomy,
        BranchCategory::Joint,
        BranchCategory::Project,
        BranchCategory::Temporary,
    ];

    /// The identifier stored.
    pub fn as_str(self) -> &'static str {
        match self {
            BranchCategory::Village => "village",
            BranchCategory::Community => "community",
            BranchCategory::Institution => "institution",
            BranchCategory::NewEconomy => "new_economy",
            BranchCategory::Joint => "joint",
            BranchCategory::Project => "project",
            BranchCategory::Temporary => "temporary",
        }
    }

    /// The Chinese name.
    pub fn label(self) -> &'static str {
        match self {
            BranchCategory::Village => "村",
            BranchCategory::Community => "社区",
            BranchCategory::Institution => "机关事业单位",
            BranchCategory::NewEconomy => "两新组织",
            BranchCategory::Joint => "联合支部",
            BranchCategory::Project => "项目",
            BranchCategory::Temporary => "临时",
        }
    }

    /// Parses the identifier or the Chinese name.
    pub fn parse(s: &str) -> Option<BranchCategory> {
        let s = s.trim();
        BranchCategory::ALL
            .into_iter()
            .find(|c| c.as_str() == s || c.label() == s)
    }

    /// Whether the term of this category is the village and community one (5 years).
    pub fn grassroots(self) -> bool {
        matches!(self, BranchCategory::Village | BranchCategory::Community)
    }
}

/// The terms of office, in years: 村/社区 organizations and the others. The default is the
/// rule since 2018 (村、社区 five years; other grassroots organizations three); a street may set
/// its own.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Terms {
    /// 村/社区.
    pub grassroots: u32,
    /// Every other kind and category.
    pub other: u32,
}

impl Default for Terms {
    fn default() -> Terms {
        Terms {
            grassroots: 5,
            other: 3,
        }
    }
}

impl Terms {
    /// The term of an organization of this kind and category.
    pub fn years(self, kind: PartyKind, category: Option<BranchCategory>) -> u32 {
        match (kind, category) {
            (PartyKind::Branch | PartyKind::GeneralBranch, Some(c)) if c.grassroots() => {
                self.grassroots
            }
            _ => self.other,
        }
    }
}

/// Where a term stands on a day.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TermState {
    /// No election recorded yet.
    Unknown,
    /// Running; the next election is due on the date.
    Running(NaiveDate),
    /// Due within the warning window (six months): prepare the election.
    DueSoon(NaiveDate),
    /// Past the due date: the election is overdue.
    Overdue(NaiveDate),
}

impl TermState {
    /// The Chinese words for it.
    pub fn label(self) -> String {
        match self {
            TermState::Unknown => "未登记换届".to_owned(),
            TermState::Running(d) => format!("{d} 到期"),
            TermState::DueSoon(d) => format!("{d} 到期，请准备换届"),
            TermState::Overdue(d) => format!("已于 {d} 到期，换届逾期"),
        }
    }

    /// The date the next election is due, when known.
    pub fn due(self) -> Option<NaiveDate> {
        match self {
            TermState::Unknown => None,
            TermState::Running(d) | TermState::DueSoon(d) | TermState::Overdue(d) => Some(d),
        }
    }
}

/// The date a term begun on `elected` ends after `years`: the same day of the month that
/// many years on (29 February ends on 28 February).
pub fn term_end(elected: NaiveDate, years: u32) -> NaiveDate {
    let year = elected.year() + i32::try_from(years).unwrap_or(i32::MAX - elected.year());
    NaiveDate::from_ymd_opt(year, elected.month(), elected.day())
        .or_else(|| NaiveDate::from_ymd_opt(year, elected.month(), 28))
        .unwrap_or(elected)
}

/// Where the term of an organization elected on `elected` stands on `today`.
pub fn term_state(elected: Option<NaiveDate>, years: u32, today: NaiveDate) -> TermState {
    let Some(elected) = elected else {
        return TermState::Unknown;
    };
    let due = term_end(elected, years);
    if today >= due {
        TermState::Overdue(due)
    } else if today >= warn_from(due) {
        TermState::DueSoon(due)
    } else {
        TermState::Running(due)
    }
}

/// Six months before `due`.
fn warn_from(due: NaiveDate) -> NaiveDate {
    due.checked_sub_months(chrono::Months::new(6))
        .unwrap_or(due)
}

/// Why an organization cannot be placed where it was asked to be, in Chinese.
pub fn check_place(
    kind: PartyKind,
    category: Option<BranchCategory>,
    level: OrgLevel,
    parent: Option<PartyKind>,
) -> Result<(), String> {
    if !kind.levels().contains(&level) {
        let names: Vec<&str> = kind.levels().iter().map(|l| l.label()).collect();
        return Err(format!(
            "{}只能建在{}一级，不能建在{}",
            kind.label(),
            names.join("、"),
            level.label()
        ));
    }
    match parent {
        None if kind != PartyKind::Committee => {
            return Err(format!("{}须有上级党组织", kind.label()));
        }
        Some(p) if !p.children().contains(&kind) => {
            return Err(format!("{}下不能设{}", p.label(), kind.label()));
        }
        _ => {}
    }
    let needs_category = matches!(kind, PartyKind::Branch | PartyKind::GeneralBranch);
    match (needs_category, category) {
        (true, None) => Err(format!("请选择{}的类别", kind.label())),
        (false, Some(_)) => Err(format!("{}不分类别", kind.label())),
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
    fn the_tree_has_its_order() {
        use PartyKind::*;
        assert!(check_place(Committee, None, OrgLevel::Township, None).is_ok());
        assert!(
            check_place(
                Branch,
                Some(BranchCategory::Community),
                OrgLevel::Community,
                Some(Committee)
            )
            .is_ok()
        );
        assert!(check_place(Group, None, OrgLevel::Grid, Some(Branch)).is_ok());
        // A group straight under a committee, a branch with no parent, a branch on a grid.
        let e = check_place(Group, None, OrgLevel::Grid, Some(Committee)).expect_err("refused");
        assert!(e.contains("党(工)委下不能设党小组"), "{e}");
        let e = check_place(
            Branch,
            Some(BranchCategory::Village),
            OrgLevel::Community,
            None,
        )
        .expect_err("refused");
        assert!(e.contains("须有上级"), "{e}");
        let e = check_place(
            Branch,
            Some(BranchCategory::Village),
            OrgLevel::Grid,
            Some(Committee),
        )
        .expect_err("refused");
        assert!(e.contains("不能建在网格"), "{e}");
        // A branch names its category; a group does not have one.
        assert!(check_place(Branch, None, OrgLevel::Community, Some(Committee)).is_err());
        assert!(
            check_place(
                Group,
                Some(BranchCategory::Joint),
                OrgLevel::Grid,
                Some(Branch)
            )
            .is_err()
        );
    }

    #[test]
    fn names_parse_both_ways() {
        for k in PartyKind::ALL {
            assert_eq!(PartyKind::parse(k.as_str()), Some(k));
            assert_eq!(PartyKind::parse(k.label()), Some(k));
        }
        assert_eq!(PartyKind::parse("党工委"), Some(PartyKind::Committee));
        for c in BranchCategory::ALL {
            assert_eq!(BranchCategory::parse(c.label()), Some(c));
            assert_eq!(BranchCategory::parse(c.as_str()), Some(c));
        }
        // The stored identifiers are the database's: they never change.
        let stored: Vec<&str> = BranchCategory::ALL.iter().map(|c| c.as_str()).collect();
        assert_eq!(
            stored,
            [
                "village",
                "community",
                "institution",
                "new_economy",
                "joint",
                "project",
                "temporary"
            ]
        );
        assert_eq!(PartyKind::parse("支委"), None);
    }

    #[test]
    fn a_term_state_names_its_due_date() {
        let due = d("2027-03-15");
        assert_eq!(TermState::Unknown.due(), None);
        for s in [
            TermState::Running(due),
            TermState::DueSoon(due),
            TermState::Overdue(due),
        ] {
            assert_eq!(s.due(), Some(due), "{s:?}");
        }
    }

    #[test]
    fn every_kind_but_a_group_has_a_term() {
        assert!(PartyKind::Committee.has_term());
        assert!(PartyKind::GeneralBranch.has_term());
        assert!(PartyKind::Branch.has_term());
        assert!(!PartyKind::Group.has_term());
    }

    #[test]
    fn terms_run_five_years_in_villages_and_three_elsewhere() {
        let t = Terms::default();
        assert_eq!(t.years(PartyKind::Branch, Some(BranchCategory::Village)), 5);
        assert_eq!(
            t.years(PartyKind::Branch, Some(BranchCategory::NewEconomy)),
            3
        );
        assert_eq!(t.years(PartyKind::Committee, None), 3);
        assert_eq!(term_end(d("2021-05-10"), 5), d("2026-05-10"));
        assert_eq!(term_end(d("2024-02-29"), 3), d("2027-02-28"));
    }

    #[test]
    fn a_term_warns_six_months_ahead_and_then_is_overdue() {
        let elected = Some(d("2021-12-15"));
        assert_eq!(
            term_state(elected, 5, d("2026-06-14")),
            TermState::Running(d("2026-12-15"))
        );
        assert_eq!(
            term_state(elected, 5, d("2026-06-15")),
            TermState::DueSoon(d("2026-12-15"))
        );
        assert_eq!(
            term_state(elected, 5, d("2026-12-15")),
            TermState::Overdue(d("2026-12-15"))
        );
        assert_eq!(term_state(None, 5, d("2026-12-15")), TermState::Unknown);
        assert!(TermState::Overdue(d("2026-12-15")).label().contains("逾期"));
    }
}
