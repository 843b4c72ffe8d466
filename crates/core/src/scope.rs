//! Data scope: an account sees and acts on the subtree of the org node it is bound to.
//!
//! This is the security spine of the platform. The storage layer turns a [`Scope`] into one
//! indexed prefix match (`org_path LIKE '/1/4/%'`); this module holds the same rule for code
//! that already has rows in hand.

use crate::org::OrgPath;

/// The part of the org tree an account may see: the subtree rooted at `root`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Scope {
    root: OrgPath,
}

impl Scope {
    /// The scope of an account bound to the node at `root`.
    pub fn new(root: OrgPath) -> Scope {
        Scope { root }
    }

    /// The path of the scope's root node.
    pub fn root(&self) -> &OrgPath {
        &self.root
    }

    /// Whether a row that belongs to the node at `path` is visible in this scope.
    pub fn allows(&self, path: &OrgPath) -> bool {
        self.root.contains(path)
    }

    /// Whether the scope is the whole tree (its root is the deployment's root node). Reference
    /// data that every street shares — the category tree, the working calendar, the district's
    /// jobs — is changed only from here.
    pub fn is_whole_tree(&self) -> bool {
        self.root.depth() == 0
    }

    /// The part of the subtree at `path` that this scope sees: all of it when the scope holds
    /// it, the scope's own subtree when that lies inside it, nothing when the two are apart.
    pub fn meet(&self, path: &OrgPath) -> Option<OrgPath> {
        if self.allows(path) {
            Some(path.clone())
        } else if path.contains(&self.root) {
            Some(self.root.clone())
        } else {
            None
        }
    }

    /// The `LIKE` pattern that selects this scope's rows by their `org_path` column.
    /// Paths hold only digits and slashes, so the pattern needs no escaping.
    pub fn like_pattern(&self) -> String {
        format!("{}%", self.root.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_grid_scope_excludes_its_siblings() {
        let grid_a = Scope::new(OrgPath::parse("/1/2/3/10/").expect("path"));
        assert!(grid_a.allows(&OrgPath::parse("/1/2/3/10/").expect("path")));
        assert!(grid_a.allows(&OrgPath::parse("/1/2/3/10/55/").expect("path")));
        assert!(!grid_a.allows(&OrgPath::parse("/1/2/3/11/").expect("path")));
        assert!(!grid_a.allows(&OrgPath::parse("/1/2/3/101/").expect("path")));
        assert!(!grid_a.allows(&OrgPath::parse("/1/2/3/").expect("path")));
        assert_eq!(grid_a.like_pattern(), "/1/2/3/10/%");
        assert!(!grid_a.is_whole_tree());
        assert!(Scope::new(OrgPath::root(1)).is_whole_tree());
        assert!(!Scope::new(OrgPath::parse("/1/2/").expect("path")).is_whole_tree());
    }

    #[test]
    fn the_meet_of_a_scope_and_a_subtree_is_what_both_hold() {
        let p = |s| OrgPath::parse(s).expect("path");
        let street = p("/1/2/");
        // A street's command centre sees the whole street; the district too.
        assert_eq!(Scope::new(p("/1/2/")).meet(&street), Some(p("/1/2/")));
        assert_eq!(Scope::new(p("/1/")).meet(&street), Some(p("/1/2/")));
        // A community sees only its own part of the street.
        assert_eq!(Scope::new(p("/1/2/3/")).meet(&street), Some(p("/1/2/3/")));
        // A neighbouring street, and a path that only begins with the same digits, see nothing.
        assert_eq!(Scope::new(p("/1/4/")).meet(&street), None);
        assert_eq!(Scope::new(p("/1/22/")).meet(&street), None);
        assert_eq!(Scope::new(p("/1/4/5/")).meet(&street), None);
    }
}
