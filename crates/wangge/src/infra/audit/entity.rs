//! The append-only audit log.

use sea_orm::entity::prelude::*;

/// One write: who, when, what entity, what changed.
#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "audit_log")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub at: i64,
    pub actor_id: Option<i64>,
    pub actor_name: String,
    pub org_path: String,
    pub action: String,
    pub entity: String,
    pub entity_id: Option<i64>,
    pub summary: String,
    pub changes: String,
    pub ip: String,
}

impl ActiveModelBehavior for ActiveModel {}
