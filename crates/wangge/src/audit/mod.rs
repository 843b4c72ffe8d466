//! The audit log's pages: administrators browse the entries within their scope (the writer is
//! [`crate::infra::audit`]).

pub mod handlers;

use crate::infra::audit::entity as log;
use crate::infra::error::AppResult;
use sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect,
};
use serde::Serialize;
use wangge_core::Scope;

/// Filters for browsing the log.
#[derive(Debug, Default, serde::Deserialize)]
pub struct Filter {
    /// Entity kind.
    pub entity: Option<String>,
    /// Action.
    pub action: Option<String>,
    /// Actor's username.
    pub actor: Option<String>,
    /// Entity id.
    pub entity_id: Option<i64>,
    /// Page, from 1.
    pub page: Option<u64>,
}

/// A page of entries.
#[derive(Debug, Serialize)]
pub struct Page {
    /// The entries, newest first.
    pub items: Vec<Item>,
    /// How many match.
    pub total: u64,
    /// This page.
    pub page: u64,
    /// How many pages.
    pub pages: u64,
}

/// An entry as shown.
#[derive(Debug, Serialize)]
pub struct Item {
    /// Id.
    pub id: i64,
    /// When, in ms since the epoch.
    pub at: i64,
    /// When, Beijing time.
    pub at_text: String,
    /// Who.
    pub actor: String,
    /// Action.
    pub action: String,
    /// Action, in Chinese.
    pub action_label: &'static str,
    /// Entity kind.
    pub entity: String,
    /// Entity id.
    pub entity_id: Option<i64>,
    /// Sentence.
    pub summary: String,
    /// Changes as JSON text.
    pub changes: String,
    /// Client address.
    pub ip: String,
}

/// The actions the log records, with their Chinese words (the filter offers these).
pub const ACTIONS: &[(&str, &str)] = &[
    ("create", "新建"),
    ("update", "修改"),
    ("move", "移动"),
    ("retire", "停用"),
    ("reactivate", "重新启用"),
    ("delete", "删除"),
    ("boundary", "边界"),
    ("import", "导入"),
    ("login", "登录"),
    ("password", "改密码"),
    ("reset_password", "重置密码"),
    ("disable", "禁用"),
    ("enable", "启用"),
    ("token", "令牌"),
    ("reveal", "查看完整证件号"),
    ("export_full", "导出完整证件号"),
    ("refuse_id", "拒绝他处证件号"),
    ("case_action", "办理案件"),
    ("upload", "上传"),
];

/// The kinds of entity the log records, with their Chinese names.
pub const ENTITIES: &[(&str, &str)] = &[
    ("org_node", "组织节点"),
    ("department", "部门"),
    ("user", "账号"),
    ("api_token", "接口令牌"),
    ("demo", "演示数据"),
    ("resident", "居民"),
    ("household", "住户"),
    ("household_doc", "户档材料"),
    ("assessment_item", "考评项目"),
    ("assessment", "考评"),
    ("visit", "走访"),
    ("tag", "重点人群标签"),
    ("case", "案件"),
    ("category", "事项分类"),
    ("calendar", "工作日历"),
    ("file", "文件"),
];

/// The Chinese word for an action.
pub fn action_label(a: &str) -> &'static str {
    ACTIONS
        .iter()
        .find(|(k, _)| *k == a)
        .map_or("其他", |(_, l)| l)
}

/// Lists entries in scope, newest first, 50 a page.
pub async fn list(db: &impl ConnectionTrait, scope: &Scope, f: &Filter) -> AppResult<Page> {
    const PER: u64 = 50;
    let mut q = log::Entity::find().filter(crate::infra::db::in_scope("org_path", scope));
    if let Some(e) = f.entity.as_deref().filter(|s| !s.is_empty()) {
        q = q.filter(log::Column::Entity.eq(e));
    }
    if let Some(a) = f.action.as_deref().filter(|s| !s.is_empty()) {
        q = q.filter(log::Column::Action.eq(a));
    }
    if let Some(a) = f.actor.as_deref().filter(|s| !s.is_empty()) {
        q = q.filter(log::Column::ActorName.eq(a.trim()));
    }
    if let Some(id) = f.entity_id {
        q = q.filter(log::Column::EntityId.eq(id));
    }
    let total = q.clone().count(db).await?;
    let pages = total.div_ceil(PER).max(1);
    let page = f.page.unwrap_or(1).clamp(1, pages);
    let rows = q
        .order_by_desc(log::Column::Id)
        .offset((page - 1) * PER)
        .limit(PER)
        .all(db)
        .await?;
    Ok(Page {
        items: rows
            .into_iter()
            .map(|r| Item {
                id: r.id,
                at: r.at,
                at_text: crate::infra::clock::fmt_time(r.at),
                action_label: action_label(&r.action),
                actor: r.actor_name,
                action: r.action,
                entity: r.entity,
                entity_id: r.entity_id,
                summary: r.summary,
                changes: r.changes,
                ip: r.ip,
            })
            .collect(),
        total,
        page,
        pages,
    })
}
