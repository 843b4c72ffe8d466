//! One file per household (一户一档): its documents, its assessments against the items its
//! community defines, and the visits (走访) to it — a need found on a visit becomes a case in
//! one step.

use super::PeopleState;
use super::entity::{assessment, assessment_item, document, household, visit};
use super::service::find_household;
use crate::infra::audit::{self, Entry};
use crate::infra::error::{AppError, AppResult, stored_path};
use crate::web::{Actor, Caller};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect, Set,
};
use serde::{Deserialize, Serialize};
use serde_json::json;
use std::collections::HashMap;
use wangge_core::registry::parse_date;
use wangge_core::{OrgLevel, Permission};

/// The document types of a household's archive: (stored word, label).
pub const DOC_TYPES: [(&str, &str); 8] = [
    ("land_contract", "土地承包证"),
    ("forest_right", "林权证"),
    ("family_division", "分家协议"),
    ("support_agreement", "赡养协议"),
    ("neighbour_agreement", "邻里协议"),
    ("enlistment", "入伍通知书"),
    ("admission", "入学通知书"),
    ("other", "其他"),
];

/// The label of a document type.
pub fn doc_type_label(t: &str) -> &'static str {
    DOC_TYPES
        .iter()
        .find(|(w, l)| *w == t || *l == t)
        .map_or("其他", |x| x.1)
}

use super::service::check_text as text;
use crate::infra::clock::today;

/// A day on or before today (default: today).
fn past_day(what: &str, s: &str) -> AppResult<chrono::NaiveDate> {
    if s.trim().is_empty() {
        return Ok(today());
    }
    let d = parse_date(s)?;
    if d > today() {
        return Err(AppError::bad(
            "invalid_input",
            format!("{what}不能晚于今天"),
        ));
    }
    Ok(d)
}

// ---------------------------------------------------------------------------------------------
// Documents

/// Adds a stored file to a household's archive.
pub async fn add_document(
    st: &PeopleState,
    c: &Caller,
    household_id: i64,
    doc_type: &str,
    title: &str,
    bytes: &[u8],
) -> AppResult<document::Model> {
    c.require(Permission::PeopleManage)?;
    let h = find_household(&st.db, c, household_id).await?;
    let Some((word, label)) = DOC_TYPES
        .iter()
        .find(|(w, l)| *w == doc_type.trim() || *l == doc_type.trim())
        .copied()
    else {
        return Err(AppError::bad(
            "invalid_input",
            format!(
                "未知的档案类型“{}”（可选：{}）",
                doc_type.trim(),
                DOC_TYPES.iter().map(|d| d.1).collect::<Vec<_>>().join("、")
            ),
        ));
    };
    let title = text("档案名称", title, 50, false)?;
    if bytes.is_empty() {
        return Err(AppError::bad("invalid_input", "请选择要上传的文件"));
    }
    let (file_id, mime, size) =
        crate::infra::files::put_document(&st.config.data_dir, bytes).await?;
    let txn = crate::infra::db::begin_write(&st.db).await?;
    let row = document::ActiveModel {
        household_id: Set(h.id),
        org_path: Set(h.org_path.clone()),
        doc_type: Set(word.into()),
        title: Set(if title.is_empty() {
            label.to_owned()
        } else {
            title
        }),
        file_id: Set(file_id),
        mime: Set(mime),
        size: Set(size),
        actor_name: Set(c.who.name.clone()),
        at: Set(crate::infra::clock::now_ms()),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    audit::record(
        &txn,
        &c.who,
        Entry {
            org_path: &stored_path(&h.org_path)?,
            action: "create",
            entity: "household_doc",
            entity_id: Some(row.id),
            summary: format!("为 {} 归档{}“{}”", h.address, label, row.title),
            changes: json!({"household_id": h.id, "type": word}),
        },
    )
    .await?;
    txn.commit().await?;
    Ok(row)
}

/// A document of a household in scope, with its stored bytes.
pub async fn document_file(
    st: &PeopleState,
    c: &Caller,
    household_id: i64,
    doc_id: i64,
) -> AppResult<(document::Model, Vec<u8>)> {
    let h = find_household(&st.db, c, household_id).await?;
    let d = document::Entity::find_by_id(doc_id)
        .filter(document::Column::HouseholdId.eq(h.id))
        .one(&st.db)
        .await?
        .ok_or_else(|| AppError::NotFound("档案不存在".into()))?;
    let (_, bytes) = crate::infra::files::read(&st.config.data_dir, &d.file_id).await?;
    Ok((d, bytes))
}

// ---------------------------------------------------------------------------------------------
// Assessments

/// The community a household belongs to (its assessment items are the community's).
async fn community_of(st: &PeopleState, h: &household::Model) -> AppResult<Option<i64>> {
    let dir = st.cases.directory.get(&st.db).await?;
    Ok(dir
        .chain(&stored_path(&h.org_path)?)
        .into_iter()
        .find(|n| n.level == OrgLevel::Community.as_str())
        .map(|n| n.id))
}

/// The active assessment items of a community.
pub async fn items_of(
    db: &impl ConnectionTrait,
    community: i64,
) -> AppResult<Vec<assessment_item::Model>> {
    Ok(assessment_item::Entity::find()
        .filter(assessment_item::Column::OrgId.eq(community))
        .filter(assessment_item::Column::Status.eq("active"))
        .order_by_asc(assessment_item::Column::SortOrder)
        .order_by_asc(assessment_item::Column::Id)
        .all(db)
        .await?)
}

/// The active items of every community in the caller's scope.
pub async fn items_in_scope(
    db: &impl ConnectionTrait,
    c: &Caller,
) -> AppResult<Vec<assessment_item::Model>> {
    Ok(assessment_item::Entity::find()
        .filter(c.scope_cond("org_path"))
        .filter(assessment_item::Column::Status.eq("active"))
        .order_by_asc(assessment_item::Column::OrgId)
        .order_by_asc(assessment_item::Column::SortOrder)
        .order_by_asc(assessment_item::Column::Id)
        .all(db)
        .await?)
}

/// The items a household is assessed on.
pub async fn items_for(
    st: &PeopleState,
    h: &household::Model,
) -> AppResult<Vec<assessment_item::Model>> {
    match community_of(st, h).await? {
        Some(c) => items_of(&st.db, c).await,
        None => Ok(Vec::new()),
    }
}

/// A new assessment item.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ItemInput {
    /// The community (id).
    pub org_id: Option<i64>,
    pub name: String,
    pub max_score: Option<i32>,
}

/// Adds an item to a community's criteria.
pub async fn add_item(
    st: &PeopleState,
    c: &Caller,
    input: ItemInput,
) -> AppResult<assessment_item::Model> {
    c.require(Permission::PeopleManage)?;
    let org = input
        .org_id
        .ok_or_else(|| AppError::bad("invalid_input", "请选择社区"))?;
    let n = crate::org::service::find(&st.db, c, org).await?;
    if n.level != OrgLevel::Community.as_str() {
        return Err(AppError::bad(
            "invalid_input",
            "考评项目由社区（村）制定：请选择一个社区或村",
        ));
    }
    let name = text("项目名称", &input.name, 20, true)?;
    let max = input.max_score.unwrap_or(0);
    if !(1..=100).contains(&max) {
        return Err(AppError::bad("invalid_input", "满分应在 1–100 之间"));
    }
    let txn = crate::infra::db::begin_write(&st.db).await?;
    let existing = items_of(&txn, n.id).await?;
    if existing.iter().any(|i| i.name == name) {
        return Err(AppError::conflict(
            "duplicate_item",
            format!("已有考评项目“{name}”"),
        ));
    }
    let row = assessment_item::ActiveModel {
        org_id: Set(n.id),
        org_path: Set(n.path.clone()),
        name: Set(name.clone()),
        max_score: Set(max),
        sort_order: Set(i32::try_from(existing.len()).unwrap_or(0)),
        status: Set("active".into()),
        created_at: Set(crate::infra::clock::now_ms()),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    audit::record(
        &txn,
        &c.who,
        Entry {
            org_path: &stored_path(&n.path)?,
            action: "create",
            entity: "assessment_item",
            entity_id: Some(row.id),
            summary: format!("{} 新增考评项目“{name}”（满分 {max}）", n.name),
            changes: json!({"name": name, "max_score": max}),
        },
    )
    .await?;
    txn.commit().await?;
    Ok(row)
}

/// Retires an item (past assessments keep their scores).
pub async fn retire_item(st: &PeopleState, c: &Caller, id: i64) -> AppResult<()> {
    c.require(Permission::PeopleManage)?;
    let item = assessment_item::Entity::find_by_id(id)
        .filter(c.scope_cond("org_path"))
        .one(&st.db)
        .await?
        .ok_or_else(|| AppError::NotFound("考评项目不存在".into()))?;
    let txn = crate::infra::db::begin_write(&st.db).await?;
    crate::infra::db::exec(
        &txn,
        "UPDATE assessment_items SET status = 'retired' WHERE id = $1",
        vec![item.id.into()],
    )
    .await?;
    audit::record(
        &txn,
        &c.who,
        Entry {
            org_path: &stored_path(&item.org_path)?,
            action: "retire",
            entity: "assessment_item",
            entity_id: Some(item.id),
            summary: format!("停用考评项目“{}”", item.name),
            changes: json!({}),
        },
    )
    .await?;
    txn.commit().await?;
    Ok(())
}

/// An assessment as sent: a score per item id.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct AssessmentInput {
    /// 2026年, 2026年上半年 …
    pub period: String,
    pub assessed_on: String,
    pub scores: HashMap<String, i32>,
    pub note: String,
}

/// One item's score as stored.
#[derive(Debug, Serialize, Deserialize)]
pub struct Score {
    pub item: String,
    pub score: i32,
    pub max: i32,
}

/// Records an assessment of a household; every current item needs a score within its range.
pub async fn assess(
    st: &PeopleState,
    c: &Caller,
    household_id: i64,
    input: AssessmentInput,
) -> AppResult<assessment::Model> {
    c.require(Permission::PeopleManage)?;
    let h = find_household(&st.db, c, household_id).await?;
    let items = items_for(st, &h).await?;
    if items.is_empty() {
        return Err(AppError::bad(
            "no_items",
            "本社区还没有考评项目：请社区先制定考评项目",
        ));
    }
    let period = text("考评周期", &input.period, 16, true)?;
    let on = past_day("考评日期", &input.assessed_on)?;
    let note = text("备注", &input.note, 200, false)?;
    let mut scores = Vec::with_capacity(items.len());
    for i in &items {
        let s = input
            .scores
            .get(&i.id.to_string())
            .copied()
            .ok_or_else(|| AppError::bad("invalid_input", format!("请为“{}”打分", i.name)))?;
        if !(0..=i.max_score).contains(&s) {
            return Err(AppError::bad(
                "invalid_input",
                format!("“{}”的得分应在 0–{} 之间", i.name, i.max_score),
            ));
        }
        scores.push(Score {
            item: i.name.clone(),
            score: s,
            max: i.max_score,
        });
    }
    let total: i32 = scores.iter().map(|s| s.score).sum();
    let max_total: i32 = scores.iter().map(|s| s.max).sum();
    let txn = crate::infra::db::begin_write(&st.db).await?;
    let row = assessment::ActiveModel {
        household_id: Set(h.id),
        org_path: Set(h.org_path.clone()),
        period: Set(period.clone()),
        scores: Set(serde_json::to_string(&scores).map_err(|e| AppError::Internal(e.into()))?),
        total: Set(total),
        max_total: Set(max_total),
        assessor_name: Set(c.who.name.clone()),
        assessed_on: Set(on.to_string()),
        note: Set(note),
        at: Set(crate::infra::clock::now_ms()),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    audit::record(
        &txn,
        &c.who,
        Entry {
            org_path: &stored_path(&h.org_path)?,
            action: "create",
            entity: "assessment",
            entity_id: Some(row.id),
            summary: format!("考评 {}（{period}）：{total}/{max_total} 分", h.address),
            changes: json!({"household_id": h.id, "total": total}),
        },
    )
    .await?;
    txn.commit().await?;
    Ok(row)
}

/// The scores of an assessment.
pub fn scores_of(a: &assessment::Model) -> Vec<Score> {
    serde_json::from_str(&a.scores).unwrap_or_default()
}

// ---------------------------------------------------------------------------------------------
// Visits

/// A visit as sent.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct VisitInput {
    pub visited_on: String,
    pub notes: String,
    /// A need found (走访发现的诉求); with `make_case` it becomes a case.
    pub needs: String,
    pub make_case: bool,
    /// The case's category (suggested from the text when empty).
    pub category: Option<String>,
}

/// Logs a visit; a need can become a case in the same step (reported by the visitor, at the
/// household's building, as a patrol finding).
pub async fn log_visit(
    st: &PeopleState,
    a: &Actor,
    household_id: i64,
    input: VisitInput,
) -> AppResult<visit::Model> {
    let c = a.caller();
    c.require(Permission::VisitLog)?;
    let h = find_household(&st.db, &c, household_id).await?;
    let on = past_day("走访日期", &input.visited_on)?;
    let notes = text("走访情况", &input.notes, 1000, true)?;
    let needs = text("发现的诉求", &input.needs, 500, false)?;
    if input.make_case && needs.is_empty() {
        return Err(AppError::bad("invalid_input", "转为案件需要填写发现的诉求"));
    }
    let case_id = if input.make_case {
        let title: String = needs.chars().take(30).collect();
        let created = crate::cases::intake::report(
            &st.cases,
            crate::cases::intake::Reporter::Account(a),
            crate::cases::intake::NewCase {
                title,
                description: format!("走访 {} 时发现：{needs}\n走访情况：{notes}", h.address),
                category: input.category.filter(|c| !c.trim().is_empty()),
                source: Some("patrol".into()),
                building_id: Some(h.building_id),
                address: Some(h.address.clone()),
                ..Default::default()
            },
            None,
        )
        .await?;
        Some(created.case.id)
    } else {
        None
    };
    let txn = crate::infra::db::begin_write(&st.db).await?;
    let row = visit::ActiveModel {
        household_id: Set(h.id),
        org_path: Set(h.org_path.clone()),
        visited_on: Set(on.to_string()),
        visitor_id: Set(Some(a.user_id)),
        visitor_name: Set(a.display_name.clone()),
        notes: Set(notes),
        needs: Set(needs),
        case_id: Set(case_id),
        at: Set(crate::infra::clock::now_ms()),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    audit::record(
        &txn,
        &c.who,
        Entry {
            org_path: &stored_path(&h.org_path)?,
            action: "create",
            entity: "visit",
            entity_id: Some(row.id),
            summary: format!(
                "走访 {}{}",
                h.address,
                if case_id.is_some() {
                    "，诉求已转为案件"
                } else {
                    ""
                }
            ),
            changes: json!({"household_id": h.id, "case_id": case_id}),
        },
    )
    .await?;
    txn.commit().await?;
    Ok(row)
}

// ---------------------------------------------------------------------------------------------
// The whole file

/// Everything in a household's file.
pub struct Archive {
    pub documents: Vec<document::Model>,
    pub assessments: Vec<assessment::Model>,
    pub visits: Vec<visit::Model>,
    pub items: Vec<assessment_item::Model>,
}

/// A household's documents, assessments, visits and the items it is assessed on.
pub async fn archive(st: &PeopleState, h: &household::Model) -> AppResult<Archive> {
    let db = &st.db;
    Ok(Archive {
        documents: document::Entity::find()
            .filter(document::Column::HouseholdId.eq(h.id))
            .order_by_desc(document::Column::At)
            .limit(200)
            .all(db)
            .await?,
        assessments: assessment::Entity::find()
            .filter(assessment::Column::HouseholdId.eq(h.id))
            .order_by_desc(assessment::Column::AssessedOn)
            .limit(50)
            .all(db)
            .await?,
        visits: visit::Entity::find()
            .filter(visit::Column::HouseholdId.eq(h.id))
            .order_by_desc(visit::Column::VisitedOn)
            .order_by_desc(visit::Column::Id)
            .limit(100)
            .all(db)
            .await?,
        items: items_for(st, h).await?,
    })
}
