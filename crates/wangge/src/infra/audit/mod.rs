//! The append-only audit log's writer: every write records who, when, what entity and what
//! changed, in the same transaction as the write.

pub mod entity;

use crate::infra::error::AppResult;
use entity as log;
use sea_orm::{ActiveModelTrait, ConnectionTrait, EntityTrait, Set};
use serde_json::{Map, Value};
use wangge_core::OrgPath;

/// Who made a write.
#[derive(Clone, Debug)]
pub struct Who {
    /// The account, or none for the command line and the demo generator.
    pub id: Option<i64>,
    /// The account's username, or a word for the tool.
    pub name: String,
    /// The client address.
    pub ip: String,
}

impl Who {
    /// The command line, run by whoever holds the server.
    pub fn cli() -> Who {
        Who {
            id: None,
            name: "命令行".into(),
            ip: String::new(),
        }
    }
}

/// One entry to write.
pub struct Entry<'a> {
    /// Where the entity belongs (scopes who may read the entry).
    pub org_path: &'a OrgPath,
    /// What was done: `create`, `update`, `move`, `retire`, `login`…
    pub action: &'a str,
    /// The entity's kind: `org_node`, `user`, `department`…
    pub entity: &'a str,
    /// The entity's id.
    pub entity_id: Option<i64>,
    /// One Chinese sentence for people.
    pub summary: String,
    /// What changed, as JSON (see [`changes`]).
    pub changes: Value,
}

/// Writes an entry, on the same connection (transaction) as the write it records.
pub async fn record(db: &impl ConnectionTrait, who: &Who, e: Entry<'_>) -> AppResult<()> {
    row(who, e).insert(db).await?;
    Ok(())
}

/// Writes many entries in one statement, on the same transaction as the writes they record.
pub async fn record_many<'a>(
    db: &impl ConnectionTrait,
    entries: impl IntoIterator<Item = (&'a Who, Entry<'a>)>,
) -> AppResult<()> {
    log::Entity::insert_many(entries.into_iter().map(|(who, e)| row(who, e)))
        .exec_without_returning(db)
        .await?;
    Ok(())
}

fn row(who: &Who, e: Entry<'_>) -> log::ActiveModel {
    log::ActiveModel {
        at: Set(crate::infra::clock::now_ms()),
        actor_id: Set(who.id),
        actor_name: Set(who.name.clone()),
        org_path: Set(e.org_path.as_str().to_owned()),
        action: Set(e.action.to_owned()),
        entity: Set(e.entity.to_owned()),
        entity_id: Set(e.entity_id),
        summary: Set(e.summary.chars().take(500).collect()),
        changes: Set(e.changes.to_string()),
        ip: Set(who.ip.clone()),
        ..Default::default()
    }
}

/// The changed fields only, as `{"field": [old, new]}`.
pub fn changes(fields: &[(&str, Value, Value)]) -> Value {
    let mut m = Map::new();
    for (k, old, new) in fields {
        if old != new {
            m.insert(
                (*k).to_owned(),
                Value::Array(vec![old.clone(), new.clone()]),
            );
        }
    }
    Value::Object(m)
}
