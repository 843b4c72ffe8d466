//! In-app notifications: written in the same transaction as the action that causes them,
//! then pushed live (server-sent events) to the pages their recipients have open.
//!
//! The live push goes through a [`Hub`] in this process; the rows are the truth, so a page
//! that reconnects, or a server behind a load balancer, loses nothing but immediacy.

pub mod entity;

use crate::infra::error::AppResult;
use entity as notification;
use sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder,
    QuerySelect, Set,
};
use serde::Serialize;
use tokio::sync::broadcast;

/// A notification for one user.
#[derive(Clone, Debug, Serialize)]
pub struct Note {
    /// Row id.
    pub id: i64,
    /// Recipient.
    #[serde(skip)]
    pub user_id: i64,
    /// The case it is about.
    pub case_id: Option<i64>,
    /// dispatch, feedback, rate, supervise, remind, urge …
    pub kind: String,
    /// The Chinese text.
    pub text: String,
    /// When (ms).
    pub at: i64,
    /// Read at (ms).
    pub read_at: Option<i64>,
}

/// The live channel.
pub struct Hub {
    tx: broadcast::Sender<Note>,
}

impl Default for Hub {
    fn default() -> Hub {
        Hub {
            tx: broadcast::channel(1024).0,
        }
    }
}

impl Hub {
    /// Pushes committed notifications to whoever listens.
    pub fn publish(&self, notes: Vec<Note>) {
        for n in notes {
            // No listener is fine: the row is stored.
            let _ = self.tx.send(n);
        }
    }

    /// Listens to every notification (the SSE handler keeps the caller's own).
    pub fn subscribe(&self) -> broadcast::Receiver<Note> {
        self.tx.subscribe()
    }
}

/// Writes one notification per user.
pub async fn to_users(
    db: &impl ConnectionTrait,
    users: &[i64],
    case_id: i64,
    kind: &str,
    text: &str,
) -> AppResult<Vec<Note>> {
    to_many(db, users.iter().map(|&u| (u, case_id, kind, text))).await
}

/// Writes one notification per user about something other than a case (a wish, a whistle).
pub async fn about(
    db: &impl ConnectionTrait,
    users: &[i64],
    kind: &str,
    text: &str,
) -> AppResult<Vec<Note>> {
    let rows = users.iter().map(|&u| row(u, None, kind, text)).collect();
    insert(db, rows).await
}

/// Writes notifications `(user, case, kind, text)` in one statement.
pub async fn to_many<'a>(
    db: &impl ConnectionTrait,
    notes: impl IntoIterator<Item = (i64, i64, &'a str, &'a str)>,
) -> AppResult<Vec<Note>> {
    let rows = notes
        .into_iter()
        .map(|(user, case_id, kind, text)| row(user, Some(case_id), kind, text))
        .collect();
    insert(db, rows).await
}

fn row(user: i64, case_id: Option<i64>, kind: &str, text: &str) -> notification::ActiveModel {
    notification::ActiveModel {
        user_id: Set(user),
        case_id: Set(case_id),
        kind: Set(kind.to_owned()),
        text: Set(text.chars().take(300).collect()),
        at: Set(crate::infra::clock::now_ms()),
        read_at: Set(None),
        ..Default::default()
    }
}

async fn insert(
    db: &impl ConnectionTrait,
    rows: Vec<notification::ActiveModel>,
) -> AppResult<Vec<Note>> {
    if rows.is_empty() {
        return Ok(Vec::new());
    }
    Ok(notification::Entity::insert_many(rows)
        .exec_with_returning(db)
        .await?
        .into_iter()
        .map(|r| Note {
            id: r.id,
            user_id: r.user_id,
            case_id: r.case_id,
            kind: r.kind,
            text: r.text,
            at: r.at,
            read_at: r.read_at,
        })
        .collect())
}

/// A user's latest notifications, and how many are unread.
pub async fn list(db: &impl ConnectionTrait, user: i64, limit: u64) -> AppResult<(Vec<Note>, u64)> {
    let rows = notification::Entity::find()
        .filter(notification::Column::UserId.eq(user))
        .order_by_desc(notification::Column::At)
        .order_by_desc(notification::Column::Id)
        .limit(limit)
        .all(db)
        .await?;
    let unread = unread(db, user).await?;
    Ok((
        rows.into_iter()
            .map(|r| Note {
                id: r.id,
                user_id: r.user_id,
                case_id: r.case_id,
                kind: r.kind,
                text: r.text,
                at: r.at,
                read_at: r.read_at,
            })
            .collect(),
        unread,
    ))
}

/// How many unread notifications a user has.
pub async fn unread(db: &impl ConnectionTrait, user: i64) -> AppResult<u64> {
    Ok(notification::Entity::find()
        .filter(notification::Column::UserId.eq(user))
        .filter(notification::Column::ReadAt.is_null())
        .count(db)
        .await?)
}

/// Marks a user's notifications read (all, or one).
pub async fn mark_read(db: &impl ConnectionTrait, user: i64, id: Option<i64>) -> AppResult<u64> {
    let mut q = notification::Entity::update_many()
        .col_expr(
            notification::Column::ReadAt,
            sea_orm::sea_query::Expr::value(crate::infra::clock::now_ms()),
        )
        .filter(notification::Column::UserId.eq(user))
        .filter(notification::Column::ReadAt.is_null());
    if let Some(id) = id {
        q = q.filter(notification::Column::Id.eq(id));
    }
    Ok(q.exec(db).await?.rows_affected)
}
