//! The timeline.

use super::*;

/// Who made a step of the timeline.
#[derive(Clone, Copy)]
pub(crate) enum By<'a> {
    /// An account.
    Actor(&'a Actor),
    /// Someone without an account: the public reporter.
    Public,
    /// The pressing job.
    System,
}

/// One step to record.
pub(crate) struct EventIn<'a> {
    pub case_id: i64,
    pub by: By<'a>,
    pub at: i64,
    pub action: &'a str,
    pub from: &'a str,
    pub to: &'a str,
    pub note: String,
    pub data: Value,
}

/// Writes one step of a case's timeline.
pub(crate) async fn record_event(db: &impl ConnectionTrait, e: EventIn<'_>) -> AppResult<i64> {
    Ok(event_row(e).insert(db).await?.id)
}

/// The row of one step of a case's timeline.
pub(crate) fn event_row(e: EventIn<'_>) -> event::ActiveModel {
    let (id, name, role) = match e.by {
        By::Actor(a) => (
            Some(a.user_id),
            a.display_name.clone(),
            a.role.as_str().to_owned(),
        ),
        By::Public if e.action == "report" => (None, "公众".into(), "public".into()),
        By::Public => (None, "报告人".into(), "public".into()),
        By::System => (None, "系统".into(), "system".into()),
    };
    event::ActiveModel {
        case_id: Set(e.case_id),
        at: Set(e.at),
        actor_id: Set(id),
        actor_name: Set(name),
        actor_role: Set(role),
        action: Set(e.action.to_owned()),
        from_status: Set(e.from.to_owned()),
        to_status: Set(e.to.to_owned()),
        note: Set(e.note),
        data: Set(e.data.to_string()),
        ..Default::default()
    }
}
