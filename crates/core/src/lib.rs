//! The pure core of wangge: the domain's types and rules, with no web, database or IO.
//!
//! Everything here is a plain function over plain types, unit-tested in milliseconds:
//! the org tree's levels and materialized paths ([`org`]), the data-scope predicate
//! ([`scope`]), roles and their permissions ([`role`]), validation of what people type
//! ([`validate`]) and of the grid boundaries they upload ([`geo`]); and the case engine: the
//! flows of each kind of work ([`flow`]) and the appeal's states ([`case`]), working-time deadlines ([`worktime`]), categories and their suggestion
//! ([`category`]), routing ([`routing`]), the three rates ([`rates`]), the fair ranking of a node's children
//! ([`ranking`]) and photo cleaning
//! ([`photo`]); the people registry's ID numbers, phones, code lists and pinyin initials
//! ([`people`]).

pub mod case;
pub mod category;
pub mod classify;
pub mod flow;
pub mod geo;
pub mod org;
pub mod party;
pub mod people;
pub mod photo;
pub mod press;
pub mod ranking;
pub mod rates;
pub mod registry;
pub mod role;
pub mod routing;
pub mod scope;
pub mod validate;
pub mod worktime;

pub use org::{OrgLevel, OrgPath};
pub use role::{Permission, Role};
pub use scope::Scope;
