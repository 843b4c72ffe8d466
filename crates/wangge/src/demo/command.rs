//! The first street's command centre: a duty roster for this week and the next (the command
//! centre's account on duty today, leading the shift), a case escalated by the first community
//! this morning for the duty to see, an unreasonable case excluded by decision (proposed by the
//! community, approved by the street) and one waiting for approval, and last month's ranking of
//! its communities published.

use crate::cases::CasesState;
use crate::cases::entity::case;
use crate::cases::service::{APPEAL_KINDS, ActInput};
use crate::command::{duty, exclusions, publish};
use crate::infra::clock::today;
use crate::infra::error::{AppResult, stored_path};
use crate::org::entity::node;
use crate::users::entity as user;
use crate::web::{Actor, Base, Caller, Via};
use chrono::{Datelike, Duration};
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};
use wangge_core::{Role, Scope};

/// An account as a caller of the case engine (the demo acts as the people would).
fn actor_of(u: &user::Model, role: Role) -> AppResult<Actor> {
    Ok(Actor {
        user_id: u.id,
        username: u.username.clone(),
        display_name: u.display_name.clone(),
        role,
        org_id: u.org_id,
        scope: Scope::new(stored_path(&u.org_path)?),
        department_id: u.department_id,
        must_change_password: false,
        via: Via::Token { id: 0 },
        ip: String::new(),
        flash: None,
    })
}

/// Makes the first street's command-centre records.
pub async fn generate(st: &Base) -> AppResult<()> {
    let db = &st.db;
    let Some(street) = node::Entity::find()
        .filter(node::Column::Level.eq("township"))
        .order_by_asc(node::Column::Code)
        .one(db)
        .await?
    else {
        return Ok(());
    };
    let under = stored_path(&street.path)?;
    let Some(first) = node::Entity::find()
        .filter(node::Column::Level.eq("community"))
        .filter(crate::infra::db::subtree(node::Column::Path, &under))
        .order_by_asc(node::Column::Code)
        .one(db)
        .await?
    else {
        return Ok(());
    };
    let staff = user::Entity::find()
        .filter(crate::infra::db::subtree(user::Column::OrgPath, &under))
        .filter(user::Column::Status.eq("active"))
        .order_by_asc(user::Column::Id)
        .all(db)
        .await?;
    let Some(centre) = staff
        .iter()
        .find(|u| u.role == Role::CommandCenter.as_str() && u.org_id == street.id)
    else {
        return Ok(());
    };
    let centre_caller = super::wishes::as_user(centre, Role::CommandCenter);
    let secretaries: Vec<&user::Model> = staff
        .iter()
        .filter(|u| u.role == Role::CommunitySecretary.as_str())
        .collect();
    let leaders: Vec<&user::Model> = staff
        .iter()
        .filter(|u| u.org_id == street.id && matches!(u.role.as_str(), "command_center" | "admin"))
        .collect();
    // The roster: this week and the next; the command centre leads today's shift.
    let day0 = today();
    let monday = day0 - Duration::days(i64::from(day0.weekday().num_days_from_monday()));
    for i in 0..14 {
        let day = monday + Duration::days(i);
        if day < day0 - Duration::days(1) {
            continue;
        }
        let leader = if day == day0 {
            centre
        } else {
            leaders[usize::try_from(i).unwrap_or(0) % leaders.len().max(1)]
        };
        duty::add(
            db,
            &Caller::cli(),
            duty::ShiftInput {
                org: Some(street.id),
                day: day.to_string(),
                user_id: leader.id,
                leader: true,
                note: "24 小时带班".into(),
            },
        )
        .await?;
        if let Some(s) = secretaries
            .get(usize::try_from(i).unwrap_or(0) % secretaries.len().max(1))
            .filter(|s| s.id != leader.id)
        {
            duty::add(
                db,
                &Caller::cli(),
                duty::ShiftInput {
                    org: Some(street.id),
                    day: day.to_string(),
                    user_id: s.id,
                    leader: false,
                    note: if i % 2 == 0 { "白班" } else { "夜班" }.into(),
                },
            )
            .await?;
        }
    }
    let secretary = secretaries.iter().find(|u| u.org_id == first.id).copied();
    if let Some(sec) = secretary {
        let first_path = stored_path(&first.path)?;
        // 逐级上报: a report the community cannot settle goes up to the street this morning.
        let waiting = case::Entity::find()
            .filter(crate::infra::db::subtree(
                case::Column::OrgPath,
                &first_path,
            ))
            .filter(case::Column::Status.is_in(["reported", "accepted"]))
            .filter(case::Column::DispatchOrgId.eq(first.id))
            .order_by_desc(case::Column::CreatedAt)
            .one(db)
            .await?;
        if let Some(c) = waiting {
            let cs = CasesState::of(st);
            crate::cases::service::act(
                &cs,
                &actor_of(sec, Role::CommunitySecretary)?,
                c.id,
                ActInput {
                    action: "escalate".into(),
                    version: Some(c.version),
                    text: "涉及多个小区和市政管线，社区协调不了，请街道统筹处理".into(),
                    ..Default::default()
                },
            )
            .await?;
        }
        // 重复诉求: the three latest reports of the community's most frequent recent category,
        // made to come from one building (the latest one's).
        let recent = case::Entity::find()
            .filter(crate::infra::db::subtree(
                case::Column::OrgPath,
                &first_path,
            ))
            .filter(case::Column::Kind.is_in(APPEAL_KINDS))
            .filter(case::Column::CreatedAt.gte(crate::infra::clock::now_ms() - 20 * 86_400_000))
            .order_by_desc(case::Column::CreatedAt)
            .all(db)
            .await?;
        let mut by_cat: std::collections::BTreeMap<&str, Vec<&case::Model>> =
            std::collections::BTreeMap::new();
        for c in &recent {
            by_cat.entry(c.category_code.as_str()).or_default().push(c);
        }
        let top = by_cat
            .values()
            .filter(|v| v.len() >= 3 && v.iter().any(|c| c.building_id.is_some()))
            .max_by_key(|v| v.len());
        if let Some(group) = top
            && let Some(anchor) = group.iter().find(|c| c.building_id.is_some())
        {
            let same: Vec<i64> = group
                .iter()
                .filter(|c| c.id != anchor.id)
                .take(2)
                .map(|c| c.id)
                .collect();
            case::Entity::update_many()
                .col_expr(case::Column::BuildingId, Expr::value(anchor.building_id))
                .col_expr(case::Column::OrgId, Expr::value(anchor.org_id))
                .col_expr(case::Column::OrgPath, Expr::value(anchor.org_path.clone()))
                .col_expr(case::Column::Address, Expr::value(anchor.address.clone()))
                .filter(case::Column::Id.is_in(same))
                .exec(db)
                .await?;
        }
        // 不合理诉求: last month's dissatisfied ratings in the first community.
        let month_start = day0
            .with_day(1)
            .and_then(|d| d.checked_sub_months(chrono::Months::new(1)))
            .unwrap_or(day0);
        let (_, m0, m1) =
            crate::command::ranking::month_bounds(&month_start.format("%Y-%m").to_string(), day0)?;
        let unhappy = case::Entity::find()
            .filter(crate::infra::db::subtree(
                case::Column::OrgPath,
                &first_path,
            ))
            .filter(case::Column::Kind.is_in(APPEAL_KINDS))
            .filter(case::Column::RatedAt.gte(m0))
            .filter(case::Column::RatedAt.lt(m1))
            .filter(case::Column::Satisfaction.ne("satisfied"))
            .order_by_asc(case::Column::Id)
            .all(db)
            .await?;
        let sec_caller = super::wishes::as_user(sec, Role::CommunitySecretary);
        for (i, c) in unhappy.iter().take(2).enumerate() {
            let id = exclusions::propose(
                db,
                &sec_caller,
                exclusions::ProposeInput {
                    case_id: Some(c.id),
                    case_no: None,
                    reason: if i == 0 {
                        "诉求人提出的要求超出政策规定，经社区、物业和律师三方核实无依据，已当面解释并出具书面答复，属不合理诉求。".into()
                    } else {
                        "诉求人坚持要求由社区承担应由个人负担的费用，已多次解释政策，仍反复投诉。".into()
                    },
                },
            )
            .await?;
            if i == 0 {
                exclusions::decide(
                    db,
                    &centre_caller,
                    id,
                    exclusions::DecideInput {
                        decision: "approve".into(),
                        note: "经街道综治中心会商，同意认定".into(),
                    },
                )
                .await?;
            }
        }
    }
    // Last month's ranking of the street's communities, published.
    publish::publish(
        db,
        &centre_caller,
        publish::PublishInput {
            org: Some(street.id),
            month: day0
                .with_day(1)
                .and_then(|d| d.checked_sub_months(chrono::Months::new(1)))
                .unwrap_or(day0)
                .format("%Y-%m")
                .to_string(),
        },
        crate::command::weights(st),
    )
    .await?;
    Ok(())
}
