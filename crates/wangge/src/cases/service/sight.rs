//! Who sees what.

use super::*;

/// The kinds whose flows let those serving a place take a case (an errand's pool), known from
/// the registered kinds when the slice is mounted ([`serve_kinds`]).
static SERVED: std::sync::OnceLock<Vec<&'static str>> = std::sync::OnceLock::new();

/// Notes which registered kinds those serving a place may take (a step by
/// [`wangge_core::flow::Party::Neighbour`]).
pub fn serve_kinds(kinds: &[&'static wangge_core::flow::Kind]) {
    SERVED.get_or_init(|| {
        kinds
            .iter()
            .filter(|k| {
                k.flow
                    .steps
                    .iter()
                    .any(|s| s.by.contains(&wangge_core::flow::Party::Neighbour))
            })
            .map(|k| k.flow.kind)
            .collect()
    });
}

/// The condition that keeps the cases a caller may see: staff see cases located in, queued at
/// or dispatched into their subtree; department handlers what is dispatched to their
/// department; a party member the cases of the kinds they may take (errands) located in their
/// subtree and the ones they took; everyone their own reports and the cases they follow.
pub fn visible(a: &Actor) -> Condition {
    let mine = Condition::any()
        .add(case::Column::ReporterId.eq(a.user_id))
        .add(
            case::Column::Id.in_subquery(
                SqlQuery::select()
                    .column(follower::Column::CaseId)
                    .from(follower::Entity)
                    .and_where(Expr::col(follower::Column::UserId).eq(a.user_id))
                    .to_owned(),
            ),
        );
    match a.role {
        Role::PartyMember => mine.add(case::Column::AssigneeUserId.eq(a.user_id)).add(
            Condition::all()
                .add(case::Column::Kind.is_in(SERVED.get().cloned().unwrap_or_default()))
                .add(crate::infra::db::in_scope("org_path", &a.scope)),
        ),
        r if !r.is_staff() => mine,
        Role::DepartmentHandler => match a.department_id {
            Some(d) => mine.add(case::Column::AssigneeDeptId.eq(d)),
            None => mine,
        },
        _ => mine
            .add(crate::infra::db::in_scope("org_path", &a.scope))
            .add(crate::infra::db::in_scope("dispatch_path", &a.scope))
            .add(crate::infra::db::in_scope("assignee_path", &a.scope)),
    }
}

/// A case the caller may see, or 404.
pub async fn find(db: &impl ConnectionTrait, a: &Actor, id: i64) -> AppResult<case::Model> {
    case::Entity::find_by_id(id)
        .filter(visible(a))
        .one(db)
        .await?
        .ok_or_else(not_found)
}

pub(crate) async fn is_follower(
    db: &impl ConnectionTrait,
    case_id: i64,
    user: i64,
) -> AppResult<bool> {
    Ok(follower::Entity::find()
        .filter(follower::Column::CaseId.eq(case_id))
        .filter(follower::Column::UserId.eq(user))
        .count(db)
        .await?
        > 0)
}

/// How the actor stands towards the case (see [`Standing`]).
pub fn standing(a: &Actor, m: &case::Model) -> AppResult<Standing> {
    // Only the reporter withdraws or rates; followers (the reporters of merged duplicates)
    // are told, and see the case, but do not speak for its reporter.
    let reporter = m.reporter_id == Some(a.user_id);
    let assignee = match (m.assignee_user_id, m.assignee_dept_id, m.assignee_org_id) {
        (Some(u), ..) => a.user_id == u,
        (None, Some(d), _) => a.department_id == Some(d) && a.role == Role::DepartmentHandler,
        (None, None, Some(n)) => a.org_id == n && a.role.handles_at_node(),
        _ => false,
    };
    let dispatch = stored_path(&m.dispatch_path)?;
    let handler_path = match &m.assignee_path {
        Some(p) => stored_path(p)?,
        None => dispatch.clone(),
    };
    let place = stored_path(&m.org_path)?;
    Ok(Standing {
        role: a.role,
        reporter,
        assignee,
        dispatcher: a.scope.allows(&dispatch),
        above: !assignee && a.scope.allows(&handler_path) && a.scope.root() != &handler_path
            || !assignee && m.assignee_dept_id.is_some() && a.scope.allows(&handler_path),
        local: a.role == Role::GridWorker && a.scope.allows(&place),
        serves: a.scope.allows(&place),
        system: false,
    })
}
