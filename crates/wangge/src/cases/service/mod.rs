//! The case services: intake, the workflow actions, finding and measuring. The rules come from
//! `wangge_core::case` (the state machine), `worktime` (deadlines), `routing` and `rates`; this
//! module loads what they need, applies what they decide in one short transaction with a
//! version check, records the timeline and the audit entry, and queues notifications.

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
use wangge_core::case::{self as wf, Action, Facts, Refusal, Satisfaction, Standing, Status};
use wangge_core::category::Category;
use wangge_core::rates::{self, Light};
use wangge_core::routing::{self, Place, Target};
use wangge_core::worktime::Limit;
use wangge_core::{OrgLevel, OrgPath, Role, validate};

/// The kinds of work the engine carries. Later capabilities (disputes, hazards) add theirs.
pub const KINDS: &[(&str, &str)] = &[("appeal", "诉求"), ("incident", "事件")];

/// Where reports come from.
pub const SOURCES: &[(&str, &str)] = &[
    ("resident", "居民自报"),
    ("patrol", "网格员巡查"),
    ("hotline", "12345 热线"),
    ("api", "开放接口"),
];

/// The Chinese name of a kind.
pub fn kind_label(k: &str) -> &'static str {
    KINDS.iter().find(|x| x.0 == k).map_or("其他", |x| x.1)
}

/// The Chinese name of a source.
pub fn source_label(s: &str) -> &'static str {
    SOURCES.iter().find(|x| x.0 == s).map_or("其他", |x| x.1)
}

fn status_of(m: &case::Model) -> AppResult<Status> {
    Status::parse(&m.status)
        .ok_or_else(|| AppError::Internal(anyhow::anyhow!("case {} has a bad status", m.id)))
}

fn not_found() -> AppError {
    AppError::NotFound("没有找到这件案件，或您无权查看".into())
}

mod actions;
mod finding;
mod measuring;
mod reporting;
mod sight;
mod timeline;

pub use actions::*;
pub use finding::*;
pub use measuring::*;
pub use reporting::*;
pub use sight::*;
pub(crate) use timeline::*;
