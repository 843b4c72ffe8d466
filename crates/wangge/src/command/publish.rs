//! A ranking's weights by version and its publication: a node (a street, a community, the
//! district) sets the weights that rank its children — each change a new version, the old ones
//! kept; a month that is over is published and frozen (its figures never change again, whatever
//! happens to the cases or the weights later); a correction is an erratum beside it, shown as
//! such, never an edit.

use super::entity::{ranking, ranking_erratum, ranking_weights};
use super::ranking::{Erratum, Published, RankingView, live, month_bounds, node_of};
use crate::infra::audit::{self, Entry};
use crate::infra::clock::{fmt_time, now_ms, today};
use crate::infra::db::begin_write;
use crate::infra::error::{AppError, AppResult, stored_path};
use crate::org::entity::node;
use crate::web::Caller;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect, Set,
};
use serde::{Deserialize, Serialize};
use serde_json::json;
use wangge_core::ranking::RankWeights;
use wangge_core::{OrgPath, Role};

/// Who governs the command centre's settings and rankings (weights, publication, watched
/// words, proposing an exclusion): the command centre and the community's secretary (and the
/// command line).
pub(crate) fn governs(c: &Caller) -> bool {
    matches!(
        c.role,
        None | Some(Role::CommandCenter | Role::CommunitySecretary)
    )
}

fn not_governor() -> AppError {
    AppError::bad("not_governor", "排名的权重和公布由综治中心或社区书记负责")
}

/// The weights that rank the children of `n`: the newest version set at `n` or at the nearest
/// node above it; the default (with the configured discount of 基本满意) when none.
pub async fn weights_for(
    db: &impl ConnectionTrait,
    n: &node::Model,
    default: RankWeights,
) -> AppResult<RankWeights> {
    let path = OrgPath::parse(&n.path).map_err(|_| AppError::NotFound("节点不存在".into()))?;
    let row = ranking_weights::Entity::find()
        .filter(ranking_weights::Column::OrgNodeId.is_in(path.ids()))
        .order_by_desc(ranking_weights::Column::OrgPath)
        .order_by_desc(ranking_weights::Column::Version)
        .one(db)
        .await?;
    Ok(row
        .and_then(|r| serde_json::from_str(&r.weights).ok())
        .unwrap_or(default))
}

/// The ranking of a node's children for a month: as published (frozen, with its errata) when it
/// is, else counted now with the weights in force.
pub async fn view(
    db: &impl ConnectionTrait,
    c: &Caller,
    org: Option<i64>,
    month: &str,
    default: RankWeights,
) -> AppResult<RankingView> {
    let n = node_of(db, c, org).await?;
    let bounds = month_bounds(month, today())?;
    if let Some(p) = ranking::Entity::find()
        .filter(ranking::Column::OrgNodeId.eq(n.id))
        .filter(ranking::Column::Month.eq(bounds.0.clone()))
        .one(db)
        .await?
    {
        let mut v: RankingView =
            serde_json::from_str(&p.body).map_err(|e| AppError::Internal(anyhow::Error::new(e)))?;
        v.published = Some(Published {
            id: p.id,
            at: fmt_time(p.published_at),
            by: p.published_by,
        });
        v.errata = ranking_erratum::Entity::find()
            .filter(ranking_erratum::Column::RankingId.eq(p.id))
            .order_by_asc(ranking_erratum::Column::Id)
            .all(db)
            .await?
            .into_iter()
            .map(|e| Erratum {
                ranks: serde_json::from_str::<RankingView>(&e.body)
                    .map(|b| b.rows.into_iter().map(|r| (r.name, r.rank)).collect())
                    .unwrap_or_default(),
                note: e.note,
                at: fmt_time(e.created_at),
                by: e.actor_name,
            })
            .collect();
        return Ok(v);
    }
    let w = weights_for(db, &n, default).await?;
    live(db, n, bounds, &w).await
}

/// What changing the weights sends (thousandths; the missing ones keep their value).
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(default)]
pub struct WeightsInput {
    /// The node whose children are ranked (the caller's own when none).
    #[serde(alias = "org_node_id")]
    pub org: Option<i64>,
    pub response: Option<u32>,
    pub resolution: Option<u32>,
    pub satisfaction: Option<u32>,
    pub on_time: Option<u32>,
    pub basic_discount: Option<u32>,
    pub min_rated: Option<u64>,
    /// Why (shown with the version).
    pub note: String,
}

/// Sets the weights that rank the children of a node: a new version (the next number after the
/// one in force); rankings already published keep theirs.
pub async fn set_weights(
    db: &sea_orm::DatabaseConnection,
    c: &Caller,
    input: WeightsInput,
    default: RankWeights,
) -> AppResult<RankWeights> {
    if !governs(c) {
        return Err(not_governor());
    }
    let note = wangge_core::validate::text(
        "说明",
        &input.note,
        200,
        wangge_core::validate::Lines::One,
        true,
    )?;
    let n = node_of(db, c, input.org).await?;
    if super::ranking::child_level(&n.level).is_none() {
        return Err(AppError::bad("bad_node", "网格下没有可排名的节点"));
    }
    let now = weights_for(db, &n, default).await?;
    let w = RankWeights {
        version: now.version + 1,
        response: input.response.unwrap_or(now.response),
        resolution: input.resolution.unwrap_or(now.resolution),
        satisfaction: input.satisfaction.unwrap_or(now.satisfaction),
        on_time: input.on_time.unwrap_or(now.on_time),
        basic_discount: input.basic_discount.unwrap_or(now.basic_discount),
        min_rated: input.min_rated.unwrap_or(now.min_rated),
    };
    w.check().map_err(|e| AppError::bad("bad_weights", e))?;
    let body = serde_json::to_string(&w).map_err(|e| AppError::Internal(e.into()))?;
    let tx = begin_write(db).await?;
    let row = ranking_weights::ActiveModel {
        org_node_id: Set(n.id),
        org_path: Set(n.path.clone()),
        version: Set(i32::try_from(w.version).unwrap_or(i32::MAX)),
        weights: Set(body),
        note: Set(note.clone()),
        actor_name: Set(crate::users::display_name(&tx, c).await?),
        created_at: Set(now_ms()),
        ..Default::default()
    }
    .insert(&tx)
    .await?;
    audit::record(
        &tx,
        &c.who,
        Entry {
            org_path: &stored_path(&n.path)?,
            action: "update",
            entity: "ranking_weights",
            entity_id: Some(row.id),
            summary: format!("{}月度排名权重改为第 {} 版：{note}", n.name, w.version),
            changes: json!(w),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(w)
}

/// What publishing sends.
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(default)]
pub struct PublishInput {
    /// The node whose children are ranked (the caller's own when none).
    #[serde(alias = "org_node_id")]
    pub org: Option<i64>,
    /// YYYY-MM: a month that is over.
    pub month: String,
}

/// Publishes a month's ranking of a node's children: counted now with the weights in force,
/// then frozen. Once a month: the unique index answers a second publication.
pub async fn publish(
    db: &sea_orm::DatabaseConnection,
    c: &Caller,
    input: PublishInput,
    default: RankWeights,
) -> AppResult<i64> {
    if !governs(c) {
        return Err(not_governor());
    }
    // Publishing freezes a month: it is named, never taken by default.
    if input.month.trim().is_empty() {
        return Err(AppError::bad("bad_month", "请写明要公布的月份，如 2026-11"));
    }
    let n = node_of(db, c, input.org).await?;
    let bounds = month_bounds(&input.month, today())?;
    if bounds.2 > now_ms() {
        return Err(AppError::bad(
            "not_over",
            "这个月还没有结束：月度排名在月份结束后公布",
        ));
    }
    if super::ranking::child_level(&n.level).is_none() {
        return Err(AppError::bad("bad_node", "网格下没有可排名的节点"));
    }
    let w = weights_for(db, &n, default).await?;
    let (path, name, month) = (n.path.clone(), n.name.clone(), bounds.0.clone());
    let node_id = n.id;
    let v = live(db, n, bounds, &w).await?;
    let body = serde_json::to_string(&v).map_err(|e| AppError::Internal(e.into()))?;
    let tx = begin_write(db).await?;
    let row = ranking::ActiveModel {
        org_node_id: Set(node_id),
        org_path: Set(path.clone()),
        month: Set(month.clone()),
        weights_version: Set(i32::try_from(w.version).unwrap_or(i32::MAX)),
        body: Set(body),
        published_by: Set(crate::users::display_name(&tx, c).await?),
        published_at: Set(now_ms()),
        ..Default::default()
    }
    .insert(&tx)
    .await?;
    audit::record(
        &tx,
        &c.who,
        Entry {
            org_path: &stored_path(&path)?,
            action: "create",
            entity: "ranking",
            entity_id: Some(row.id),
            summary: format!("公布{name} {month} 月度排名（权重第 {} 版）", w.version),
            changes: json!({"month": month, "weights_version": w.version}),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(row.id)
}

/// What an erratum sends.
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(default)]
pub struct ErratumInput {
    /// Why the published ranking is corrected (required).
    pub note: String,
}

/// Corrects a published ranking by an erratum: the ranking counted now, with the weights it was
/// published with, kept beside the original (which never changes).
pub async fn erratum(
    db: &sea_orm::DatabaseConnection,
    c: &Caller,
    id: i64,
    input: ErratumInput,
) -> AppResult<i64> {
    if !governs(c) {
        return Err(not_governor());
    }
    let note = wangge_core::validate::text(
        "勘误说明",
        &input.note,
        500,
        wangge_core::validate::Lines::Many,
        true,
    )?;
    let p = ranking::Entity::find_by_id(id)
        .filter(c.scope_cond("org_path"))
        .one(db)
        .await?
        .ok_or_else(|| AppError::NotFound("排名不存在".into()))?;
    let n = node_of(db, c, Some(p.org_node_id)).await?;
    let published: RankingView =
        serde_json::from_str(&p.body).map_err(|e| AppError::Internal(anyhow::Error::new(e)))?;
    let bounds = month_bounds(&p.month, today())?;
    let v = live(db, n, bounds, &published.weights).await?;
    let body = serde_json::to_string(&v).map_err(|e| AppError::Internal(e.into()))?;
    let tx = begin_write(db).await?;
    let row = ranking_erratum::ActiveModel {
        ranking_id: Set(p.id),
        org_path: Set(p.org_path.clone()),
        note: Set(note.clone()),
        body: Set(body),
        actor_name: Set(crate::users::display_name(&tx, c).await?),
        created_at: Set(now_ms()),
        ..Default::default()
    }
    .insert(&tx)
    .await?;
    audit::record(
        &tx,
        &c.who,
        Entry {
            org_path: &stored_path(&p.org_path)?,
            action: "create",
            entity: "ranking_erratum",
            entity_id: Some(row.id),
            summary: format!("{} 月度排名勘误：{note}", p.month),
            changes: json!({"ranking_id": p.id}),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(row.id)
}

/// One published month of a node's ranking, as history.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct PastMonth {
    pub month: String,
    pub weights_version: i32,
    /// Whether an erratum corrected it (the ranks shown are the published ones).
    pub corrected: bool,
}

/// A child's ranks over the published months (`None`: listed, not ranked; absent: not a child
/// then).
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct PastRanks {
    pub node_id: i64,
    pub name: String,
    pub ranks: Vec<Option<u32>>,
}

/// The history of a node's published rankings: the last twelve months published, newest first,
/// and each child's rank in each.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct History {
    pub org_id: i64,
    pub months: Vec<PastMonth>,
    pub children: Vec<PastRanks>,
}

/// The history of the rankings of `org`'s children (in the caller's sight).
pub async fn history(
    db: &impl ConnectionTrait,
    c: &Caller,
    org: Option<i64>,
) -> AppResult<History> {
    let n = node_of(db, c, org).await?;
    let published = ranking::Entity::find()
        .filter(ranking::Column::OrgNodeId.eq(n.id))
        .order_by_desc(ranking::Column::Month)
        .limit(12)
        .all(db)
        .await?;
    let mut months = Vec::new();
    let mut children: Vec<PastRanks> = Vec::new();
    for (i, p) in published.iter().enumerate() {
        let corrected = ranking_erratum::Entity::find()
            .filter(ranking_erratum::Column::RankingId.eq(p.id))
            .one(db)
            .await?
            .is_some();
        months.push(PastMonth {
            month: p.month.clone(),
            weights_version: p.weights_version,
            corrected,
        });
        let v: RankingView =
            serde_json::from_str(&p.body).map_err(|e| AppError::Internal(anyhow::Error::new(e)))?;
        for r in v.rows {
            let at = match children.iter().position(|x| x.node_id == r.node_id) {
                Some(at) => at,
                None => {
                    children.push(PastRanks {
                        node_id: r.node_id,
                        name: r.name.clone(),
                        ranks: vec![None; published.len()],
                    });
                    children.len() - 1
                }
            };
            children[at].ranks[i] = r.rank;
        }
    }
    Ok(History {
        org_id: n.id,
        months,
        children,
    })
}
