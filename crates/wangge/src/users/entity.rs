//! The accounts table.

use sea_orm::entity::prelude::*;

/// An account: bound to one org node (its data scope), with one role.
#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "users")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub username: String,
    pub display_name: String,
    pub password_hash: String,
    pub role: String,
    pub org_id: i64,
    pub org_path: String,
    pub department_id: Option<i64>,
    pub status: String,
    pub must_change_password: bool,
    pub version: i32,
    pub created_at: i64,
    pub updated_at: i64,
    pub last_login_at: Option<i64>,
    /// A service account: used by a machine through tokens, never logs in with a password.
    pub service: bool,
}

impl ActiveModelBehavior for ActiveModel {}
