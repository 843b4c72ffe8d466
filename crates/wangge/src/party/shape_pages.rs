//! The organization page's parts for its shape over time: the elections with their form, a
//! 联合支部's units, and the reorganizations (merge, split, move) with theirs.

use super::entity::{party_member, party_org};
use super::shape::{self, ChangeView, ElectedInput, ElectionInput, ElectionView, ReorgInput};
use super::shape::{UnitInput, UnitView};
use crate::infra::error::{AppError, AppResult};
use crate::web::{Base, Caller, Choice, PageActor, choice, done};
use axum::Form;
use axum::extract::{Path, State};
use axum::response::Response;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};
use wangge_core::party::member::{Post, Stage};
use wangge_core::party::{BranchCategory, PartyKind};

/// What the organization's page shows of its shape over time, and offers.
pub struct Extras {
    pub elections: Vec<ElectionView>,
    pub units: Vec<UnitView>,
    pub changes: Vec<ChangeView>,
    /// Whether it is a 联合支部 (its units are listed).
    pub joint: bool,
    /// Whether the forms are offered (the caller manages the party and sees its members).
    pub can_edit: bool,
    /// Its active members, for the election's and the split's forms.
    pub members: Vec<Choice>,
    /// Its 正式党员 among them, for the election's form.
    pub full_members: Vec<Choice>,
    /// The posts an election fills.
    pub posts: Vec<Choice>,
    /// The branches it may be merged into or split into.
    pub branches: Vec<Choice>,
    /// The organizations it may be moved under.
    pub parents: Vec<Choice>,
    /// The kinds of unit.
    pub unit_kinds: &'static [&'static str],
    /// The rows of the election form.
    pub rows: Vec<usize>,
}

/// The parts for `org`.
pub async fn extras(st: &Base, c: &Caller, org: &party_org::Model) -> AppResult<Extras> {
    let kind = PartyKind::parse(&org.kind).unwrap_or(PartyKind::Branch);
    let can_edit = super::members::manages_members(c);
    let mut members = Vec::new();
    let mut full_members = Vec::new();
    if can_edit && kind == PartyKind::Branch {
        let rows = party_member::Entity::find()
            .filter(party_member::Column::PartyOrgId.eq(org.id))
            .filter(party_member::Column::Status.eq("active"))
            .filter(c.scope_cond("org_path"))
            .all(&st.db)
            .await?;
        let mut views = super::members::views(st, &rows).await?;
        views.sort_by(|a, b| a.name.cmp(&b.name));
        for v in views {
            let stage = Stage::parse(&v.stage);
            if !stage.is_some_and(Stage::is_member) {
                continue;
            }
            if stage == Some(Stage::Full) {
                full_members.push(choice(v.id, v.name.clone()));
            }
            members.push(choice(v.id, format!("{}（{}）", v.name, v.stage_label)));
        }
    }
    let (mut branches, mut parents) = (Vec::new(), Vec::new());
    if can_edit && org.status == "active" {
        let all = party_org::Entity::find()
            .filter(c.scope_cond("org_path"))
            .filter(party_org::Column::Status.eq("active"))
            .filter(party_org::Column::Id.ne(org.id))
            .order_by_asc(party_org::Column::OrgPath)
            .order_by_asc(party_org::Column::Id)
            .all(&st.db)
            .await?;
        for o in all {
            let k = PartyKind::parse(&o.kind);
            if kind == PartyKind::Branch && k == Some(PartyKind::Branch) {
                branches.push(choice(o.id, o.name.clone()));
            }
            if k.is_some_and(|k| k.children().contains(&kind))
                && Some(o.id) != org.parent_id
                && org.org_path.starts_with(&o.org_path)
            {
                parents.push(choice(
                    o.id,
                    format!("{}（{}）", o.name, k.map_or("", PartyKind::label)),
                ));
            }
        }
    }
    Ok(Extras {
        elections: shape::elections(st, c, org.id).await?,
        units: shape::units(&st.db, c, org.id).await?,
        changes: shape::changes(&st.db, c, org.id).await?,
        joint: org.category.as_deref() == Some(BranchCategory::Joint.as_str()),
        can_edit,
        members,
        full_members,
        posts: [
            Post::Secretary,
            Post::Deputy,
            Post::Organization,
            Post::Propaganda,
            Post::Discipline,
        ]
        .into_iter()
        .map(|p| choice(p.as_str(), p.label()))
        .collect(),
        branches,
        parents,
        unit_kinds: &shape::UNIT_KINDS,
        rows: (1..=7).collect(),
    })
}

fn get(pairs: &[(String, String)], k: &str) -> String {
    pairs
        .iter()
        .find(|(n, _)| n == k)
        .map(|(_, v)| v.trim().to_owned())
        .unwrap_or_default()
}

fn number(what: &str, s: &str) -> AppResult<Option<i64>> {
    match s.trim() {
        "" => Ok(None),
        t => t
            .parse()
            .map(Some)
            .map_err(|_| AppError::bad("invalid_input", format!("{what}应为整数"))),
    }
}

fn election_input(pairs: &[(String, String)]) -> AppResult<ElectionInput> {
    let mut elected = Vec::new();
    for i in 1..=7 {
        let member = number("当选人", &get(pairs, &format!("member_{i}")))?;
        if member.is_none() {
            continue;
        }
        elected.push(ElectedInput {
            member_id: member,
            post: get(pairs, &format!("post_{i}")),
            votes: number("得票数", &get(pairs, &format!("votes_{i}")))?,
        });
    }
    Ok(ElectionInput {
        kind: get(pairs, "kind"),
        held_on: get(pairs, "held_on"),
        entitled: number("应到人数", &get(pairs, "entitled"))?,
        present: number("实到人数", &get(pairs, "present"))?,
        seats: number("应选名额", &get(pairs, "seats"))?,
        candidates: number("候选人数", &get(pairs, "candidates"))?,
        elected,
        approval_no: get(pairs, "approval_no"),
        note: get(pairs, "note"),
    })
}

/// `POST /party/orgs/{id}/elections`
pub async fn election_record(
    State(st): State<Base>,
    PageActor(actor): PageActor,
    Path(id): Path<i64>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Response {
    let r = match election_input(&pairs) {
        Ok(input) => shape::record_election(&st, &actor.caller(), id, input).await,
        Err(e) => Err(e),
    };
    done(r, &format!("/party/orgs/{id}#elections"), "选举已登记")
}

/// `POST /party/orgs/{id}/units`
pub async fn unit_add(
    State(st): State<Base>,
    PageActor(actor): PageActor,
    Path(id): Path<i64>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Response {
    let input = UnitInput {
        name: get(&pairs, "name"),
        kind: get(&pairs, "kind"),
        contact: get(&pairs, "contact"),
        joined_on: get(&pairs, "joined_on"),
    };
    let r = shape::add_unit(&st.db, &actor.caller(), id, input).await;
    done(r, &format!("/party/orgs/{id}#units"), "已增加组建单位")
}

/// `POST /party/units/{id}/end` (the form says which organization's page to return to).
pub async fn unit_end(
    State(st): State<Base>,
    PageActor(actor): PageActor,
    Path(id): Path<i64>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Response {
    let back = match number("党组织", &get(&pairs, "org")) {
        Ok(Some(o)) => format!("/party/orgs/{o}#units"),
        _ => "/party".to_owned(),
    };
    let r = shape::end_unit(&st.db, &actor.caller(), id, &get(&pairs, "left_on")).await;
    done(r, &back, "已记录退出")
}

/// `POST /party/orgs/{id}/reorganize`
pub async fn reorganize(
    State(st): State<Base>,
    PageActor(actor): PageActor,
    Path(id): Path<i64>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Response {
    let input = (|| {
        let mut members = Vec::new();
        for (k, v) in &pairs {
            if k == "members"
                && let Some(m) = number("党员", v)?
            {
                members.push(m);
            }
        }
        let kind = get(&pairs, "kind");
        let to = match kind.as_str() {
            "move" => number("上级党组织", &get(&pairs, "parent"))?,
            _ => number("接收的党支部", &get(&pairs, "to"))?,
        };
        Ok::<_, AppError>(ReorgInput {
            kind,
            to,
            members,
            on: get(&pairs, "on"),
            approval_no: get(&pairs, "approval_no"),
            note: get(&pairs, "note"),
            version: number("版本号", &get(&pairs, "version"))?.and_then(|v| i32::try_from(v).ok()),
        })
    })();
    let r = match input {
        Ok(input) => shape::reorganize(&st.db, &actor.caller(), id, input).await,
        Err(e) => Err(e),
    };
    match r {
        Ok(ch) => {
            let to = match (ch.kind.as_str(), ch.to_org_id) {
                ("merge", Some(t)) => format!("/party/orgs/{t}"),
                _ => format!("/party/orgs/{id}"),
            };
            crate::web::flash_redirect(&to, true, "已调整，历史记录保留")
        }
        Err(e) => done::<()>(Err(e), &format!("/party/orgs/{id}#reorganize"), ""),
    }
}
