//! 红色代办 as the party slice shows it: the errand is a kind of the case engine (its flow is
//! `wangge_core::flow::errand`; the engine carries every step); this is its page for residents
//! (ask, follow), members (the pool of their place, the errands they took) and grid workers
//! (ask for a resident), and its figures: the errands each member finished in a year, and a
//! branch's total ([`done_by`], recounted from the rows by `tests/it/party_errands.rs`).

use crate::cases::CasesState;
use crate::cases::entity::case;
use crate::cases::service::{CaseView, NewCase, Reporter, seen_where};
use crate::infra::error::AppResult;
use crate::web::{Actor, Base};
use sea_orm::{ColumnTrait, Condition, ConnectionTrait, EntityTrait, QueryFilter, QuerySelect};
use std::collections::HashMap;

/// The kind's identifier.
pub const KIND: &str = "errand";

/// The errand's state that is finished and confirmed.
const CONFIRMED: &str = "confirmed";

/// What the page shows a caller.
pub struct Board {
    /// Waiting for someone to take them, in the caller's place (members and staff).
    pub pool: Vec<CaseView>,
    /// Taken by the caller and not yet confirmed.
    pub taken: Vec<CaseView>,
    /// Asked by the caller.
    pub asked: Vec<CaseView>,
    /// Errands the caller finished (confirmed) this year.
    pub done_this_year: i64,
}

/// The caller's board.
pub async fn board(st: &Base, a: &Actor) -> AppResult<Board> {
    let cs = CasesState::of(st);
    let errand = || Condition::all().add(case::Column::Kind.eq(KIND));
    let pool = seen_where(
        &cs,
        a,
        errand().add(case::Column::Status.eq("requested")),
        100,
    )
    .await?;
    let taken = seen_where(
        &cs,
        a,
        errand()
            .add(case::Column::AssigneeUserId.eq(a.user_id))
            .add(case::Column::Status.is_in(["taken", "done"])),
        100,
    )
    .await?;
    let asked = seen_where(
        &cs,
        a,
        errand().add(case::Column::ReporterId.eq(a.user_id)),
        50,
    )
    .await?;
    let year = chrono::Datelike::year(&crate::infra::clock::today());
    let done_this_year = done_by(&st.db, &[a.user_id], year)
        .await?
        .get(&a.user_id)
        .copied()
        .unwrap_or(0);
    Ok(Board {
        pool,
        taken,
        asked,
        done_this_year,
    })
}

/// The errands each of these accounts finished in a year (Beijing): errands confirmed by
/// their requester (or grid worker) whose taker was the account, counted in the year they
/// closed.
pub async fn done_by(
    db: &impl ConnectionTrait,
    users: &[i64],
    year: i32,
) -> AppResult<HashMap<i64, i64>> {
    if users.is_empty() {
        return Ok(HashMap::new());
    }
    let start = |y: i32| {
        chrono::NaiveDate::from_ymd_opt(y, 1, 1)
            .and_then(|d| d.and_hms_opt(0, 0, 0))
            .map(crate::infra::clock::from_bj)
            .unwrap_or_default()
    };
    let mut out = HashMap::new();
    for chunk in users.chunks(500) {
        let rows: Vec<(Option<i64>, i64)> = case::Entity::find()
            .select_only()
            .column(case::Column::AssigneeUserId)
            .column_as(case::Column::Id.count(), "n")
            .filter(case::Column::Kind.eq(KIND))
            .filter(case::Column::Status.eq(CONFIRMED))
            .filter(case::Column::AssigneeUserId.is_in(chunk.to_vec()))
            .filter(case::Column::ClosedAt.gte(start(year)))
            .filter(case::Column::ClosedAt.lt(start(year + 1)))
            .group_by(case::Column::AssigneeUserId)
            .into_tuple()
            .all(db)
            .await?;
        for (u, n) in rows {
            if let Some(u) = u {
                out.insert(u, n);
            }
        }
    }
    Ok(out)
}

/// What the ask form sends.
pub struct Ask {
    pub category: String,
    pub title: String,
    pub description: String,
    pub building_id: Option<i64>,
    pub address: String,
}

/// Asks for an errand: a case of the errand kind, through the engine's intake.
pub async fn ask(st: &Base, a: &Actor, ask: Ask) -> AppResult<case::Model> {
    let cs = CasesState::of(st);
    let input = NewCase {
        title: ask.title,
        description: ask.description,
        category: Some(ask.category).filter(|c| !c.trim().is_empty()),
        kind: Some(KIND.into()),
        source: None,
        building_id: ask.building_id,
        lat: None,
        lng: None,
        org_id: ask.building_id.is_none().then_some(a.org_id),
        address: Some(ask.address).filter(|s| !s.trim().is_empty()),
        reporter_name: None,
        reporter_phone: None,
        private: false,
        photos: Vec::new(),
    };
    Ok(
        crate::cases::service::report(&cs, Reporter::Account(a), input, None)
            .await?
            .case,
    )
}

/// A branch's errand figure for a year.
#[derive(Debug, serde::Serialize)]
pub struct BranchErrands {
    pub party_org_id: i64,
    pub name: String,
    /// Members with an account (who can take errands).
    pub members_with_accounts: usize,
    /// Errands they finished in the year ([`done_by`]).
    pub done: i64,
}

/// The branches of the caller's subtree with the errands their members finished in a year.
pub async fn branch_totals(
    st: &Base,
    c: &crate::web::Caller,
    year: i32,
) -> AppResult<Vec<BranchErrands>> {
    use super::entity::{party_member, party_org};
    let branches = party_org::Entity::find()
        .filter(c.scope_cond("org_path"))
        .filter(party_org::Column::Kind.eq("branch"))
        .filter(party_org::Column::Status.eq("active"))
        .all(&st.db)
        .await?;
    let members = party_member::Entity::find()
        .filter(c.scope_cond("org_path"))
        .filter(party_member::Column::Status.eq("active"))
        .filter(party_member::Column::UserId.is_not_null())
        .all(&st.db)
        .await?;
    let users: Vec<i64> = members.iter().filter_map(|m| m.user_id).collect();
    let done = done_by(&st.db, &users, year).await?;
    let mut out: Vec<BranchErrands> = branches
        .into_iter()
        .map(|b| {
            let mine: Vec<&party_member::Model> =
                members.iter().filter(|m| m.party_org_id == b.id).collect();
            BranchErrands {
                party_org_id: b.id,
                name: b.name,
                members_with_accounts: mine.len(),
                done: mine
                    .iter()
                    .filter_map(|m| m.user_id.and_then(|u| done.get(&u)))
                    .sum(),
            }
        })
        .collect();
    out.sort_by(|a, b| {
        b.done
            .cmp(&a.done)
            .then(a.party_org_id.cmp(&b.party_org_id))
    });
    Ok(out)
}
