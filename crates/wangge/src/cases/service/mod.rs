//! The case services: the actions, finding and measuring. The rules come from
//! `wangge_core::flow` (each kind's flow), `worktime` (deadlines), `routing` and `rates`; this
//! module loads what they need and commits what they decide through the one commit path
//! ([`engine`]): one short transaction with a version check, the timeline, the audit entry,
//! the notifications and the slices' hooks.

use super::CasesState;
use super::catalog::Catalog;
use super::entity::{case, event, file, follower, upload};
use super::notify::{self, Note};
use crate::infra::audit::{self, Entry};
use crate::infra::clock::{bj, from_bj};
use crate::infra::error::{AppError, AppResult, stored_path};
use crate::infra::vault::{Field, Vault};
use crate::org::entity::{department, node};
use crate::web::Actor;
use chrono::NaiveDate;
use sea_orm::sea_query::{Expr, Query as SqlQuery, SimpleExpr};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, DbBackend, EntityTrait, ExprTrait,
    PaginatorTrait, QueryFilter, QueryOrder, QuerySelect, QueryTrait, Set,
};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use wangge_core::case::{Satisfaction, Status};
use wangge_core::category::Category;
use wangge_core::flow::{Flow, Offer, Refusal, Standing};
use wangge_core::rates::{self, Light};
use wangge_core::routing::{self, Place, Target};
use wangge_core::worktime::Limit;
use wangge_core::{OrgLevel, OrgPath, Role, validate};

/// Where reports come from.
pub const SOURCES: &[(&str, &str)] = &[
    ("resident", "居民自报"),
    ("patrol", "网格员巡查"),
    ("hotline", "12345 热线"),
    ("api", "开放接口"),
];

/// The Chinese name of a source.
pub fn source_label(s: &str) -> &'static str {
    SOURCES.iter().find(|x| x.0 == s).map_or("其他", |x| x.1)
}

fn not_found() -> AppError {
    AppError::NotFound("没有找到这件案件，或您无权查看".into())
}

mod actions;
mod engine;
mod finding;
mod measuring;
mod reporting;
mod sight;
mod timeline;

pub use actions::*;
pub(crate) use engine::*;
pub use finding::*;
pub use measuring::*;
pub use reporting::*;
pub use sight::*;
pub(crate) use timeline::*;
