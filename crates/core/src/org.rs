//! The org tree: district → street/town → community/village → grid → (micro-grid) → building.
//!
//! Every node carries a materialized path of ids (`/1/4/17/`), so "is this row inside that
//! subtree" is one prefix test, and a move is one prefix rewrite.

use serde::{Deserialize, Serialize};
use std::fmt;

/// The level of a node in the org tree.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, PartialOrd, Ord)]
#[serde(rename_all = "snake_case")]
pub enum OrgLevel {
    /// 区/县: the top of one deployment's tree.
    District,
    /// 街道 / 乡镇: runs a 综治中心 and dispatches work.
    Township,
    /// 社区 / 村: a residents' or villagers' committee.
    Community,
    /// 网格: the smallest management area.
    Grid,
    /// 微网格: an optional finer cell inside a grid.
    MicroGrid,
    /// 楼栋: a building or a cluster of rural houses.
    Building,
}

impl OrgLevel {
    /// All levels, top down.
    pub const ALL: [OrgLevel; 6] = [
        OrgLevel::District,
        OrgLevel::Township,
        OrgLevel::Community,
        OrgLevel::Grid,
        OrgLevel::MicroGrid,
        OrgLevel::Building,
    ];

    /// The identifier stored in the database and used in the API.
    pub fn as_str(self) -> &'static str {
        match self {
            OrgLevel::District => "district",
            OrgLevel::Township => "township",
            OrgLevel::Community => "community",
            OrgLevel::Grid => "grid",
            OrgLevel::MicroGrid => "micro_grid",
            OrgLevel::Building => "building",
        }
    }

    /// Parses the stored identifier; also accepts the Chinese label.
    pub fn parse(s: &str) -> Option<OrgLevel> {
        let s = s.trim();
        OrgLevel::ALL
            .into_iter()
            .find(|l| l.as_str() == s || l.label() == s)
            .or(match s {
                "区" | "县" => Some(OrgLevel::District),
                "街道" | "乡镇" | "乡" | "镇" | "street" | "town" => Some(OrgLevel::Township),
                "社区" | "村" | "village" => Some(OrgLevel::Community),
                _ => None,
            })
    }

    /// The Chinese name of the level.
    pub fn label(self) -> &'static str {
        match self {
            OrgLevel::District => "区县",
            OrgLevel::Township => "街道乡镇",
            OrgLevel::Community => "社区村",
            OrgLevel::Grid => "网格",
            OrgLevel::MicroGrid => "微网格",
            OrgLevel::Building => "楼栋",
        }
    }

    /// The levels a child of a node of this level may have.
    pub fn child_levels(self) -> &'static [OrgLevel] {
        match self {
            OrgLevel::District => &[OrgLevel::Township],
            OrgLevel::Township => &[OrgLevel::Community],
            OrgLevel::Community => &[OrgLevel::Grid],
            OrgLevel::Grid => &[OrgLevel::MicroGrid, OrgLevel::Building],
            OrgLevel::MicroGrid => &[OrgLevel::Building],
            OrgLevel::Building => &[],
        }
    }

    /// Whether a node of level `child` may sit directly under a node of this level.
    pub fn may_contain(self, child: OrgLevel) -> bool {
        self.child_levels().contains(&child)
    }

    /// Whether nodes of this level carry a boundary polygon (areas, not buildings).
    pub fn has_area(self) -> bool {
        !matches!(self, OrgLevel::Building)
    }
}

impl fmt::Display for OrgLevel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The kind of a node inside its level: a 街道 or a 乡镇, a 社区 or a 村.
/// Stored beside the level because the party side and the UI word differ.
pub fn kind_label(level: OrgLevel, kind: &str) -> &'static str {
    match (level, kind) {
        (OrgLevel::District, "county") => "县",
        (OrgLevel::District, _) => "区",
        (OrgLevel::Township, "town") => "乡镇",
        (OrgLevel::Township, _) => "街道",
        (OrgLevel::Community, "village") => "村",
        (OrgLevel::Community, _) => "社区",
        (OrgLevel::Grid, _) => "网格",
        (OrgLevel::MicroGrid, _) => "微网格",
        (OrgLevel::Building, _) => "楼栋",
    }
}

/// The kinds a level allows; the first is the default.
pub fn kinds_of(level: OrgLevel) -> &'static [&'static str] {
    match level {
        OrgLevel::District => &["district", "county"],
        OrgLevel::Township => &["street", "town"],
        OrgLevel::Community => &["community", "village"],
        OrgLevel::Grid => &["grid"],
        OrgLevel::MicroGrid => &["micro_grid"],
        OrgLevel::Building => &["building"],
    }
}

/// A materialized path of node ids, `/1/4/17/`: the root first, the node itself last.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct OrgPath(String);

/// A string that is not a well-formed path.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error("不是合法的组织路径：{0}")]
pub struct BadPath(pub String);

impl OrgPath {
    /// The path of a root node.
    pub fn root(id: i64) -> OrgPath {
        OrgPath(format!("/{id}/"))
    }

    /// Parses `/1/4/17/`: slash-separated positive integers, with leading and trailing slashes.
    pub fn parse(s: &str) -> Result<OrgPath, BadPath> {
        let inner = s
            .strip_prefix('/')
            .and_then(|r| r.strip_suffix('/'))
            .ok_or_else(|| BadPath(s.to_owned()))?;
        if inner.is_empty()
            || !inner.split('/').all(|p| {
                !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()) && !p.starts_with('0')
            })
        {
            return Err(BadPath(s.to_owned()));
        }
        Ok(OrgPath(s.to_owned()))
    }

    /// The path of a child with id `id` under this node.
    pub fn child(&self, id: i64) -> OrgPath {
        OrgPath(format!("{}{id}/", self.0))
    }

    /// The path as stored.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The ids along the path, root first.
    pub fn ids(&self) -> Vec<i64> {
        self.0
            .split('/')
            .filter(|p| !p.is_empty())
            .filter_map(|p| p.parse().ok())
            .collect()
    }

    /// The node's own id (the last segment).
    pub fn id(&self) -> i64 {
        self.ids().last().copied().unwrap_or_default()
    }

    /// How deep the node is: a root has depth 0.
    pub fn depth(&self) -> usize {
        self.ids().len().saturating_sub(1)
    }

    /// The parent's path, if this is not a root.
    pub fn parent(&self) -> Option<OrgPath> {
        let trimmed = &self.0[..self.0.len() - 1];
        let cut = trimmed.rfind('/')?;
        if cut == 0 {
            None
        } else {
            Some(OrgPath(self.0[..=cut].to_owned()))
        }
    }

    /// Whether `other` is this node or lies beneath it.
    pub fn contains(&self, other: &OrgPath) -> bool {
        other.0.starts_with(&self.0)
    }

    /// Whether `other` lies strictly beneath this node.
    pub fn is_ancestor_of(&self, other: &OrgPath) -> bool {
        other.0.len() > self.0.len() && self.contains(other)
    }

    /// Rewrites a path inside the subtree at `old` to sit under `new` instead — what a move
    /// does to every row of the moved subtree. Paths outside `old` are returned unchanged.
    pub fn rebase(&self, old: &OrgPath, new: &OrgPath) -> OrgPath {
        match self.0.strip_prefix(&old.0) {
            Some(rest) => OrgPath(format!("{}{rest}", new.0)),
            None => self.clone(),
        }
    }
}

impl fmt::Display for OrgPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl TryFrom<String> for OrgPath {
    type Error = BadPath;
    fn try_from(s: String) -> Result<Self, BadPath> {
        OrgPath::parse(&s)
    }
}

impl From<OrgPath> for String {
    fn from(p: OrgPath) -> String {
        p.0
    }
}

/// Why a node may not be moved where asked.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum MoveError {
    /// The new parent is the node itself or one of its descendants.
    #[error("不能把节点移到它自己或它的下级节点之下")]
    IntoOwnSubtree,
    /// The new parent's level cannot hold a node of this level.
    #[error("{parent}之下不能放{child}")]
    LevelMismatch {
        /// The new parent's level label.
        parent: &'static str,
        /// The moved node's level label.
        child: &'static str,
    },
    /// The node is already there.
    #[error("节点已经在该上级之下")]
    SameParent,
    /// A root cannot be moved.
    #[error("根节点不能移动")]
    Root,
}

/// Checks a move of the node at `node` (level `level`) under `new_parent` and returns the
/// node's new path. Pure: the caller then rewrites every row under the old path with
/// [`OrgPath::rebase`].
pub fn plan_move(
    node: &OrgPath,
    level: OrgLevel,
    new_parent: &OrgPath,
    parent_level: OrgLevel,
) -> Result<OrgPath, MoveError> {
    let Some(old_parent) = node.parent() else {
        return Err(MoveError::Root);
    };
    if node.contains(new_parent) {
        return Err(MoveError::IntoOwnSubtree);
    }
    if &old_parent == new_parent {
        return Err(MoveError::SameParent);
    }
    if !parent_level.may_contain(level) {
        return Err(MoveError::LevelMismatch {
            parent: parent_level.label(),
            child: level.label(),
        });
    }
    Ok(new_parent.child(node.id()))
}

/// The status of a node: active, or retired (kept for history, hidden from new work).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum NodeStatus {
    /// In use.
    Active,
    /// Retired: a node with children or records is never deleted, only retired.
    Retired,
}

impl NodeStatus {
    /// The identifier stored in the database.
    pub fn as_str(self) -> &'static str {
        match self {
            NodeStatus::Active => "active",
            NodeStatus::Retired => "retired",
        }
    }
    /// Parses the stored identifier.
    pub fn parse(s: &str) -> Option<NodeStatus> {
        match s {
            "active" => Some(NodeStatus::Active),
            "retired" => Some(NodeStatus::Retired),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(s: &str) -> OrgPath {
        OrgPath::parse(s).expect("valid path")
    }

    #[test]
    fn paths_parse_strictly() {
        assert!(OrgPath::parse("/1/4/17/").is_ok());
        for bad in [
            "", "/", "1/4/", "/1/4", "//", "/1//2/", "/a/", "/01/", "/-1/",
        ] {
            assert!(OrgPath::parse(bad).is_err(), "{bad} should be refused");
        }
    }

    #[test]
    fn path_navigation() {
        let path = p("/1/4/17/");
        assert_eq!(path.ids(), vec![1, 4, 17]);
        assert_eq!(path.id(), 17);
        assert_eq!(path.depth(), 2);
        assert_eq!(path.parent(), Some(p("/1/4/")));
        assert_eq!(p("/1/").parent(), None);
        assert_eq!(p("/1/4/").child(9), p("/1/4/9/"));
    }

    #[test]
    fn containment_is_by_whole_segments() {
        let a = p("/1/4/");
        assert!(a.contains(&p("/1/4/")));
        assert!(a.contains(&p("/1/4/17/")));
        assert!(
            !a.contains(&p("/1/41/")),
            "a sibling with a longer id is not inside"
        );
        assert!(!a.contains(&p("/1/")));
        assert!(a.is_ancestor_of(&p("/1/4/5/")));
        assert!(!a.is_ancestor_of(&p("/1/4/")));
    }

    #[test]
    fn rebase_rewrites_only_the_subtree() {
        let old = p("/1/4/17/");
        let new = p("/1/5/17/");
        assert_eq!(p("/1/4/17/").rebase(&old, &new), p("/1/5/17/"));
        assert_eq!(p("/1/4/17/30/31/").rebase(&old, &new), p("/1/5/17/30/31/"));
        assert_eq!(p("/1/4/18/").rebase(&old, &new), p("/1/4/18/"));
        assert_eq!(p("/1/4/170/").rebase(&old, &new), p("/1/4/170/"));
    }

    #[test]
    fn moves_are_checked() {
        let grid = p("/1/2/3/4/");
        let other_community = p("/1/2/8/");
        assert_eq!(
            plan_move(&grid, OrgLevel::Grid, &other_community, OrgLevel::Community),
            Ok(p("/1/2/8/4/"))
        );
        assert_eq!(
            plan_move(
                &p("/1/2/3/"),
                OrgLevel::Community,
                &p("/1/2/3/4/"),
                OrgLevel::Grid
            ),
            Err(MoveError::IntoOwnSubtree)
        );
        assert_eq!(
            plan_move(&grid, OrgLevel::Grid, &grid, OrgLevel::Grid),
            Err(MoveError::IntoOwnSubtree)
        );
        assert_eq!(
            plan_move(&grid, OrgLevel::Grid, &p("/1/2/3/"), OrgLevel::Community),
            Err(MoveError::SameParent)
        );
        assert!(matches!(
            plan_move(&grid, OrgLevel::Grid, &p("/1/9/"), OrgLevel::Township),
            Err(MoveError::LevelMismatch { .. })
        ));
        assert_eq!(
            plan_move(&p("/1/"), OrgLevel::District, &p("/2/"), OrgLevel::District),
            Err(MoveError::Root)
        );
    }

    #[test]
    fn levels_nest_in_order() {
        assert!(OrgLevel::District.may_contain(OrgLevel::Township));
        assert!(OrgLevel::Grid.may_contain(OrgLevel::Building));
        assert!(OrgLevel::Grid.may_contain(OrgLevel::MicroGrid));
        assert!(OrgLevel::MicroGrid.may_contain(OrgLevel::Building));
        assert!(!OrgLevel::Community.may_contain(OrgLevel::Building));
        assert!(!OrgLevel::Building.may_contain(OrgLevel::Building));
        for l in OrgLevel::ALL {
            assert_eq!(OrgLevel::parse(l.as_str()), Some(l));
            assert_eq!(OrgLevel::parse(l.label()), Some(l));
        }
        assert_eq!(OrgLevel::parse("村"), Some(OrgLevel::Community));
        assert_eq!(OrgLevel::parse("province"), None);
    }
}
