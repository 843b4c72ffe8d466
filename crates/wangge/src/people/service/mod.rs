//! The registry's rules over storage: households in buildings, residents in households, their
//! moves, tags and search. Every read is filtered by the caller's scope (a household's and a
//! resident's `org_path` is their building's path, so a grid sees exactly its buildings), every
//! write checks the caller's permission and runs in one transaction with its audit entry.
//!
//! ID numbers and phones are sealed by the [`Vault`](crate::infra::vault::Vault); what leaves this
//! module is masked, except through [`reveal`], which needs `PeopleFullView` and is audited.

use super::PeopleState;
use super::entity::{household, movement, resident, tag};
use crate::infra::audit::{self, Entry};
use crate::infra::clock::today;
use crate::infra::error::{AppError, AppResult, stored_path};
use crate::infra::vault::{Field, Vault};
use crate::org::entity::node;
use crate::web::Caller;
use sea_orm::sea_query::{Expr, Query as SqlQuery};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, EntityTrait, ExprTrait, QueryFilter,
    QueryOrder, QuerySelect, QueryTrait, Set,
};
use serde::{Deserialize, Serialize};
use serde_json::json;
use std::collections::HashMap;
use wangge_core::people::{
    Gender, HouseholdType, IdNumber, Phone, PoliticalStatus, Relation, ResidenceStatus, age_on,
    ethnicity_name,
};
use wangge_core::registry::{self, AgeBand, ResidentInput};
use wangge_core::{OrgLevel, Permission, validate};

/// A resident who lives in the registry's households.
pub const ACTIVE: &str = "active";
/// A resident who moved out of the street (kept, with their history, where they last lived).
pub const MOVED_OUT: &str = "moved_out";
/// A resident who died.
pub const DECEASED: &str = "deceased";

/// The Chinese label of a resident's status.
pub fn status_label(s: &str) -> &'static str {
    match s {
        ACTIVE => "在册",
        MOVED_OUT => "已迁出",
        DECEASED => "已故",
        _ => "未知",
    }
}

/// The most rows a list counts (more shows as "more than").
pub const COUNT_CAP: u64 = 10_000;

fn not_found() -> AppError {
    AppError::NotFound("居民不存在或不在您的管辖范围内".into())
}

fn household_not_found() -> AppError {
    AppError::NotFound("住户不存在或不在您的管辖范围内".into())
}

mod households;
mod residents;
mod search;
mod tags;
mod views;

pub use households::*;
pub use residents::*;
pub use search::*;
pub use tags::*;
pub use views::*;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn search_text_picks_its_index() {
        assert!(matches!(
            classify("11010519491231002X"),
            Some(Needle::IdNumber(_))
        ));
        assert!(matches!(classify("138 0013 5678"), Some(Needle::Phone(_))));
        assert_eq!(classify("002x"), Some(Needle::Tail("002X".into())));
        assert_eq!(classify("5678"), Some(Needle::Tail("5678".into())));
        assert_eq!(classify("ZSF"), Some(Needle::Initials("zsf".into())));
        assert_eq!(classify("3幢"), Some(Needle::Address("3幢".into())));
        assert_eq!(classify("2-301"), Some(Needle::Address("2-301".into())));
        assert_eq!(
            classify("柳岸 2-301"),
            Some(Needle::Address("柳岸 2-301".into()))
        );
        assert_eq!(classify(" 张三 "), Some(Needle::Name("张三".into())));
        assert_eq!(classify("  "), None);
        // A wrong check digit is not an ID number: it is searched as an address fragment.
        assert!(matches!(
            classify("110105194912310021"),
            Some(Needle::Address(_))
        ));
    }

    #[test]
    fn like_prefix_escapes_wildcards() {
        assert_eq!(prefix("张"), "张%");
        assert_eq!(prefix("a%b_c!"), "abc!%");
    }

    #[test]
    fn rooms_sort_as_people_read_them() {
        let mut rooms = vec!["10-101", "2-101", "2-1001", "2-201", "东3户"];
        rooms.sort_by_key(|r| natural_key(r));
        assert_eq!(rooms, ["2-101", "2-201", "2-1001", "10-101", "东3户"]);
    }
}
