//! A notification row.

use sea_orm::entity::prelude::*;

/// A row of `notifications`.
#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "notifications")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub user_id: i64,
    pub case_id: Option<i64>,
    pub kind: String,
    pub text: String,
    pub at: i64,
    pub read_at: Option<i64>,
}

impl ActiveModelBehavior for ActiveModel {}
