//! 不合理诉求: a case found unreasonable is left out of its handler's rates only by a recorded
//! decision — proposed with a reason by the community's secretary or the command centre,
//! approved (or refused) by another account of the command centre, revocable, every step
//! audited and the decisions listed. An approved decision takes the case out of every rate
//! (`cases::service::COUNTED`); the case still counts as a report.

use super::entity::exclusion;
use crate::cases::entity::case;
use crate::infra::audit::{self, Entry};
use crate::infra::clock::{fmt_time, now_ms};
use crate::infra::db::begin_write;
use crate::infra::error::{AppError, AppResult, stored_path};
use crate::web::Caller;
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect, Set,
};
use serde::{Deserialize, Serialize};
use serde_json::json;
use wangge_core::Role;
use wangge_core::validate::{Lines, text};

/// The Chinese name of a decision's state.
pub fn status_label(s: &str) -> &'static str {
    match s {
        "proposed" => "待批准",
        "approved" => "已批准（不计入考核）",
        "refused" => "未批准",
        "revoked" => "已撤销",
        _ => "其他",
    }
}

/// Who approves, refuses and revokes: the command centre (and the command line).
fn approves(c: &Caller) -> bool {
    matches!(c.role, None | Some(Role::CommandCenter))
}

/// A decision as listed.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct ExclusionView {
    pub id: i64,
    pub case_id: i64,
    pub case_no: String,
    pub case_title: String,
    pub status: String,
    pub status_label: String,
    pub reason: String,
    pub proposer_name: String,
    pub proposed_at: String,
    pub decider_name: String,
    pub decided_at: Option<String>,
    pub decision_note: String,
}

/// What proposing sends: the case (by id or by its number) and why.
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(default)]
pub struct ProposeInput {
    pub case_id: Option<i64>,
    pub case_no: Option<String>,
    pub reason: String,
}

/// What deciding sends.
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(default)]
pub struct DecideInput {
    /// `approve`, `refuse` or `revoke`.
    pub decision: String,
    /// Required to refuse or revoke.
    pub note: String,
}

fn not_found() -> AppError {
    AppError::NotFound("没有找到这项认定，或您无权查看".into())
}

/// The decisions of the caller's subtree, the waiting ones first.
pub async fn list(db: &impl ConnectionTrait, c: &Caller) -> AppResult<Vec<ExclusionView>> {
    if !c.role.is_none_or(Role::is_staff) {
        return Err(AppError::no_permission());
    }
    let rows = exclusion::Entity::find()
        .filter(c.scope_cond("org_path"))
        .order_by_desc(Expr::cust(
            "CASE WHEN status = 'proposed' THEN 1 ELSE 0 END",
        ))
        .order_by_desc(exclusion::Column::Id)
        .limit(500)
        .all(db)
        .await?;
    let ids: Vec<i64> = rows.iter().map(|r| r.case_id).collect();
    let cases: std::collections::HashMap<i64, (String, String)> = case::Entity::find()
        .filter(case::Column::Id.is_in(ids))
        .all(db)
        .await?
        .into_iter()
        .map(|m| (m.id, (m.case_no, m.title)))
        .collect();
    Ok(rows
        .into_iter()
        .map(|r| {
            let (no, title) = cases.get(&r.case_id).cloned().unwrap_or_default();
            ExclusionView {
                id: r.id,
                case_id: r.case_id,
                case_no: no,
                case_title: title,
                status_label: status_label(&r.status).into(),
                status: r.status,
                reason: r.reason,
                proposer_name: r.proposer_name,
                proposed_at: fmt_time(r.proposed_at),
                decider_name: r.decider_name,
                decided_at: r.decided_at.map(fmt_time),
                decision_note: r.decision_note,
            }
        })
        .collect())
}

/// Proposes that a case of the caller's subtree be left out of the rates. At most one live
/// (proposed or approved) decision a case: a partial unique index answers a second.
pub async fn propose(
    db: &sea_orm::DatabaseConnection,
    c: &Caller,
    input: ProposeInput,
) -> AppResult<i64> {
    if !super::publish::governs(c) {
        return Err(AppError::bad(
            "not_proposer",
            "不合理诉求的认定由社区书记或综治中心提出",
        ));
    }
    let reason = text("认定理由", &input.reason, 500, Lines::Many, true)?;
    if reason.chars().count() < 4 {
        return Err(AppError::bad(
            "short_reason",
            "请写清认定为不合理诉求的理由",
        ));
    }
    let mut q = case::Entity::find().filter(c.scope_cond("org_path"));
    q = match (input.case_id, input.case_no.as_deref().map(str::trim)) {
        (Some(id), _) => q.filter(case::Column::Id.eq(id)),
        (None, Some(no)) if !no.is_empty() => q.filter(case::Column::CaseNo.eq(no)),
        _ => return Err(AppError::bad("no_case", "请填写案件编号")),
    };
    let m = q
        .one(db)
        .await?
        .ok_or_else(|| AppError::NotFound("没有找到这件案件，或您无权查看".into()))?;
    if !matches!(m.kind.as_str(), "appeal" | "incident") {
        return Err(AppError::bad(
            "bad_case",
            "只有诉求和事件计入办理考核，才需要认定",
        ));
    }
    let tx = begin_write(db).await?;
    let name = crate::users::display_name(&tx, c).await?;
    let row = exclusion::ActiveModel {
        case_id: Set(m.id),
        org_path: Set(m.org_path.clone()),
        status: Set("proposed".into()),
        reason: Set(reason.clone()),
        proposed_by: Set(c.who.id.unwrap_or(0)),
        proposer_name: Set(name),
        proposed_at: Set(now_ms()),
        decided_by: Set(None),
        decider_name: Set(String::new()),
        decided_at: Set(None),
        decision_note: Set(String::new()),
        ..Default::default()
    }
    .insert(&tx)
    .await?;
    audit::record(
        &tx,
        &c.who,
        Entry {
            org_path: &stored_path(&m.org_path)?,
            action: "create",
            entity: "case_exclusion",
            entity_id: Some(row.id),
            summary: format!("提出案件 {} 为不合理诉求：{reason}", m.case_no),
            changes: json!({"case_id": m.id, "reason": reason}),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(row.id)
}

/// Approves, refuses or revokes a decision. Only the command centre decides, never the account
/// that proposed it; the state moves by a conditional update, so two decisions at once have one
/// winner.
pub async fn decide(
    db: &sea_orm::DatabaseConnection,
    c: &Caller,
    id: i64,
    input: DecideInput,
) -> AppResult<()> {
    let row = exclusion::Entity::find_by_id(id)
        .filter(c.scope_cond("org_path"))
        .one(db)
        .await?
        .ok_or_else(not_found)?;
    if !approves(c) {
        return Err(AppError::bad(
            "not_approver",
            "不合理诉求的认定由综治中心批准：提出认定的社区不能自己批准",
        ));
    }
    let (from, to, verb) = match input.decision.trim() {
        "approve" => ("proposed", "approved", "批准"),
        "refuse" => ("proposed", "refused", "不批准"),
        "revoke" => ("approved", "revoked", "撤销"),
        other => {
            return Err(AppError::bad(
                "bad_decision",
                format!(
                    "没有“{other}”这种决定：可选 approve（批准）、refuse（不批准）、revoke（撤销）"
                ),
            ));
        }
    };
    if to == "approved" && c.who.id.is_some() && c.who.id == Some(row.proposed_by) {
        return Err(AppError::bad(
            "same_person",
            "提出认定的人不能自己批准：请由综治中心的另一位负责人批准",
        ));
    }
    let note = text("说明", &input.note, 500, Lines::Many, to != "approved")?;
    if row.status != from {
        return Err(AppError::conflict(
            "wrong_state",
            format!("这项认定当前为“{}”，不能{verb}", status_label(&row.status)),
        ));
    }
    let tx = begin_write(db).await?;
    let name = crate::users::display_name(&tx, c).await?;
    let done = exclusion::Entity::update_many()
        .col_expr(exclusion::Column::Status, Expr::value(to))
        .col_expr(
            exclusion::Column::DecidedBy,
            Expr::value(c.who.id.unwrap_or(0)),
        )
        .col_expr(exclusion::Column::DeciderName, Expr::value(name))
        .col_expr(exclusion::Column::DecidedAt, Expr::value(now_ms()))
        .col_expr(exclusion::Column::DecisionNote, Expr::value(note.clone()))
        .filter(exclusion::Column::Id.eq(id))
        .filter(exclusion::Column::Status.eq(from))
        .exec(&tx)
        .await?;
    if done.rows_affected != 1 {
        return Err(AppError::conflict(
            "wrong_state",
            "这项认定刚被别人处理过：请刷新后再看",
        ));
    }
    audit::record(
        &tx,
        &c.who,
        Entry {
            org_path: &stored_path(&row.org_path)?,
            action: "update",
            entity: "case_exclusion",
            entity_id: Some(id),
            summary: format!("{verb}不合理诉求认定（案件 ID {}）{note}", row.case_id),
            changes: json!({"from": from, "to": to, "note": note}),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(())
}
