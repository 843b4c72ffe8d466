//! 党员先锋岗 and 党员责任区: posts of responsibility attached to places, held by members. A
//! branch's secretary (or the street's party staff) sets them up and ends them; everyone with
//! the party in sight sees them, place by place. One active post of a name at a place is held
//! by a partial unique index; a member holds at most [`rules::PER_MEMBER`] (counted under a
//! lock on the member).

use super::entity::{party_member, party_org, party_post};
use super::members::{date_of, manages_members, required_date};
use crate::infra::audit::{self, Entry};
use crate::infra::clock::now_ms;
use crate::infra::db::{begin_write, exec, lock_row};
use crate::infra::error::{AppError, AppResult, stored_path};
use crate::org::entity::node;
use crate::web::{Base, Caller};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, Set,
};
use serde::{Deserialize, Serialize};
use serde_json::json;
use std::collections::HashMap;
use wangge_core::Permission;
use wangge_core::party::post::{self as rules, PostKind};
use wangge_core::validate::{self, Lines};

/// A post as shown.
#[derive(Clone, Debug, Serialize)]
pub struct PostView {
    pub id: i64,
    pub kind: String,
    pub kind_label: &'static str,
    pub title: String,
    pub duty: String,
    pub member_id: i64,
    pub member_name: String,
    pub party_org_name: String,
    pub place_id: i64,
    pub place_name: String,
    pub since: String,
    pub until: Option<String>,
    pub status: String,
}

/// What a form or the API sends to set up a post.
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(default)]
pub struct PostInput {
    /// The member holding it.
    pub member_id: Option<i64>,
    /// `pioneer` (党员先锋岗) or `zone` (党员责任区).
    pub kind: String,
    /// 名称, e.g. 垃圾分类督导先锋岗, 3幢责任区.
    pub title: String,
    /// 职责.
    pub duty: String,
    /// The place: a grid, a building or another node of the caller's subtree.
    pub place_id: Option<i64>,
    /// 设岗日期.
    pub since: String,
}

/// The active posts of the caller's subtree (and the ended ones when `all`), by place.
pub async fn list(st: &Base, c: &Caller, all: bool) -> AppResult<Vec<PostView>> {
    c.require(Permission::PartyView)?;
    let mut q = party_post::Entity::find().filter(c.scope_cond("org_path"));
    if !all {
        q = q.filter(party_post::Column::Status.eq("active"));
    }
    let rows = q
        .order_by_asc(party_post::Column::OrgPath)
        .order_by_asc(party_post::Column::Id)
        .all(&st.db)
        .await?;
    let members = party_member::Entity::find()
        .filter(party_member::Column::Id.is_in(rows.iter().map(|r| r.member_id)))
        .all(&st.db)
        .await?;
    let names: HashMap<i64, String> = super::members::views(st, &members)
        .await?
        .into_iter()
        .map(|v| (v.id, v.name))
        .collect();
    let orgs: HashMap<i64, String> = party_org::Entity::find()
        .filter(party_org::Column::Id.is_in(rows.iter().map(|r| r.party_org_id)))
        .all(&st.db)
        .await?
        .into_iter()
        .map(|o| (o.id, o.name))
        .collect();
    let places: HashMap<i64, String> = node::Entity::find()
        .filter(node::Column::Id.is_in(rows.iter().map(|r| r.place_id)))
        .all(&st.db)
        .await?
        .into_iter()
        .map(|n| (n.id, n.name))
        .collect();
    Ok(rows
        .into_iter()
        .map(|r| PostView {
            id: r.id,
            kind_label: PostKind::parse(&r.kind).map_or("", PostKind::label),
            kind: r.kind,
            title: r.title,
            duty: r.duty,
            member_id: r.member_id,
            member_name: names.get(&r.member_id).cloned().unwrap_or_default(),
            party_org_name: orgs.get(&r.party_org_id).cloned().unwrap_or_default(),
            place_id: r.place_id,
            place_name: places.get(&r.place_id).cloned().unwrap_or_default(),
            since: r.since,
            until: r.until,
            status: r.status,
        })
        .collect())
}

/// Sets up a post for a member of the caller's subtree at a place of it.
pub async fn create(st: &Base, c: &Caller, input: PostInput) -> AppResult<party_post::Model> {
    if !manages_members(c) {
        return Err(AppError::no_permission());
    }
    let kind = PostKind::parse(&input.kind)
        .ok_or_else(|| AppError::bad("invalid_input", "请选择：党员先锋岗或党员责任区"))?;
    let title = validate::text("名称", &input.title, 40, Lines::One, true)?;
    let duty = validate::text("职责", &input.duty, 300, Lines::Many, false)?;
    let since = required_date("设岗日期", &input.since)?;
    let place_id = input
        .place_id
        .ok_or_else(|| AppError::bad("no_place", "请选择岗位或责任区所在的地方"))?;
    let place = crate::org::service::find(&st.db, c, place_id).await?;
    let member_id = input
        .member_id
        .ok_or_else(|| AppError::bad("no_member", "请选择党员"))?;
    let tx = begin_write(&st.db).await?;
    let member = super::members::find(&tx, c, member_id).await?;
    if member.status != "active"
        || !wangge_core::party::member::Stage::parse(&member.stage)
            .is_some_and(wangge_core::party::member::Stage::is_member)
    {
        return Err(AppError::bad(
            "not_a_member",
            "先锋岗、责任区由在册的预备党员或正式党员担任",
        ));
    }
    lock_row(&tx, "party_members", member.id).await?;
    let held = party_post::Entity::find()
        .filter(party_post::Column::MemberId.eq(member.id))
        .filter(party_post::Column::Status.eq("active"))
        .count(&tx)
        .await?;
    if held >= rules::PER_MEMBER {
        return Err(AppError::bad(
            "too_many",
            format!(
                "这名党员已担任 {held} 个岗位或责任区：每人最多 {}",
                rules::PER_MEMBER
            ),
        ));
    }
    let row = party_post::ActiveModel {
        member_id: Set(member.id),
        party_org_id: Set(member.party_org_id),
        place_id: Set(place.id),
        org_path: Set(place.path.clone()),
        kind: Set(kind.as_str().into()),
        title: Set(title.clone()),
        duty: Set(duty),
        since: Set(since.to_string()),
        until: Set(None),
        status: Set("active".into()),
        actor_name: Set(c.who.name.clone()),
        created_at: Set(now_ms()),
        ..Default::default()
    }
    .insert(&tx)
    .await?;
    audit::record(
        &tx,
        &c.who,
        Entry {
            org_path: &stored_path(&place.path)?,
            action: "create",
            entity: "party_post",
            entity_id: Some(row.id),
            summary: format!("在“{}”设立{}“{title}”", place.name, kind.label()),
            changes: json!({"member_id": member.id, "kind": kind.as_str()}),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(row)
}

/// Ends a post (its row stays, with the date).
pub async fn end(st: &Base, c: &Caller, id: i64, until: &str) -> AppResult<()> {
    if !manages_members(c) {
        return Err(AppError::no_permission());
    }
    let until = required_date("撤岗日期", until)?;
    let tx = begin_write(&st.db).await?;
    let p = party_post::Entity::find_by_id(id)
        .filter(c.scope_cond("org_path"))
        .one(&tx)
        .await?
        .ok_or_else(|| AppError::NotFound("岗位不存在".into()))?;
    if p.status != "active" {
        return Err(AppError::bad("not_active", "该岗位已撤销"));
    }
    if date_of(&p.since).is_some_and(|s| until < s) {
        return Err(AppError::bad("bad_date", "撤岗日期不能早于设岗日期"));
    }
    let n = exec(
        &tx,
        "UPDATE party_posts SET status = 'ended', until = $1 WHERE id = $2 AND status = 'active'",
        vec![until.to_string().into(), p.id.into()],
    )
    .await?;
    if n == 0 {
        return Err(AppError::stale());
    }
    audit::record(
        &tx,
        &c.who,
        Entry {
            org_path: &stored_path(&p.org_path)?,
            action: "end",
            entity: "party_post",
            entity_id: Some(p.id),
            summary: format!("撤销“{}”", p.title),
            changes: json!({"until": until.to_string()}),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(())
}
