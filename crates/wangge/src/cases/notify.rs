//! Who hears of a case: the screeners of a node's queue, whoever a case is dispatched to, the
//! grid workers of a grid. The notifications themselves are [`crate::infra::notify`]'s.

use crate::infra::error::AppResult;
pub use crate::infra::notify::{Hub, Note, list, mark_read, to_many, to_users, unread};
use crate::users::entity as user;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QuerySelect};

async fn users_where(db: &impl ConnectionTrait, cond: sea_orm::Condition) -> AppResult<Vec<i64>> {
    Ok(user::Entity::find()
        .select_only()
        .column(user::Column::Id)
        .filter(user::Column::Status.eq("active"))
        .filter(cond)
        .limit(200)
        .into_tuple()
        .all(db)
        .await?)
}

/// The roles that screen a node's queue.
pub const DISPATCHER_ROLES: &[&str] = &[
    "command_center",
    "community_secretary",
    "community_staff",
    "admin",
];

/// Notifies the screeners of a node's queue (command centre, community secretary and staff,
/// administrators bound there).
pub async fn to_dispatchers(
    db: &impl ConnectionTrait,
    node: i64,
    case_id: i64,
    kind: &str,
    text: &str,
) -> AppResult<Vec<Note>> {
    let ids = users_where(
        db,
        sea_orm::Condition::all()
            .add(user::Column::OrgId.eq(node))
            .add(user::Column::Role.is_in(DISPATCHER_ROLES.iter().copied())),
    )
    .await?;
    to_users(db, &ids, case_id, kind, text).await
}

/// Notifies whoever a case is dispatched to: the department's handlers, or the node's staff.
pub async fn to_assignee(
    db: &impl ConnectionTrait,
    org: Option<i64>,
    dept: Option<i64>,
    case_id: i64,
    kind: &str,
    text: &str,
) -> AppResult<Vec<Note>> {
    let cond = match (dept, org) {
        (Some(d), _) => sea_orm::Condition::all().add(user::Column::DepartmentId.eq(d)),
        (None, Some(o)) => sea_orm::Condition::all()
            .add(user::Column::OrgId.eq(o))
            .add(user::Column::Role.is_in([
                "grid_worker",
                "community_staff",
                "community_secretary",
                "command_center",
            ])),
        (None, None) => return Ok(Vec::new()),
    };
    let ids = users_where(db, cond).await?;
    to_users(db, &ids, case_id, kind, text).await
}

/// Notifies the grid workers of a grid (to verify on site).
pub async fn to_grid_workers(
    db: &impl ConnectionTrait,
    grid: i64,
    case_id: i64,
    kind: &str,
    text: &str,
) -> AppResult<Vec<Note>> {
    let ids = users_where(
        db,
        sea_orm::Condition::all()
            .add(user::Column::OrgId.eq(grid))
            .add(user::Column::Role.eq("grid_worker")),
    )
    .await?;
    to_users(db, &ids, case_id, kind, text).await
}
