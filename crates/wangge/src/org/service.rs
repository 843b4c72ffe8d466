//! The org tree's rules over storage: every read is filtered by the caller's scope, every
//! write checks the caller's permission, runs in one transaction with its audit entry, and
//! checks the row's version where two people might edit at once.

use super::entity::{department, node};
use crate::infra::audit::{self, Entry};
use crate::infra::error::{AppError, AppResult};
use crate::web::{Actor, Caller};
use sea_orm::ExprTrait;
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter,
    QueryOrder, Set,
};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use std::collections::HashMap;
use wangge_core::geo::Area;
use wangge_core::org::{self as core_org, NodeStatus, kind_label, kinds_of};
use wangge_core::{OrgLevel, OrgPath, Permission, validate};

/// A node as the API and pages show it.
#[derive(Clone, Debug, Serialize)]
pub struct NodeView {
    pub id: i64,
    pub parent_id: Option<i64>,
    pub code: String,
    pub name: String,
    pub level: OrgLevel,
    pub level_label: &'static str,
    pub kind: String,
    pub kind_label: &'static str,
    pub path: String,
    pub depth: i32,
    pub status: String,
    pub has_boundary: bool,
    pub sort_order: i32,
    pub version: i32,
    pub created_at: i64,
    pub updated_at: i64,
}

impl NodeView {
    /// Whether the node is retired.
    pub fn retired(&self) -> bool {
        self.status == NodeStatus::Retired.as_str()
    }
}

/// Converts a row; a row with an unknown level is a corrupt database.
pub fn view(m: &node::Model) -> AppResult<NodeView> {
    let level = OrgLevel::parse(&m.level).ok_or_else(|| {
        AppError::Internal(anyhow::anyhow!("node {} has level {}", m.id, m.level))
    })?;
    Ok(NodeView {
        id: m.id,
        parent_id: m.parent_id,
        code: m.code.clone(),
        name: m.name.clone(),
        level,
        level_label: level.label(),
        kind: m.kind.clone(),
        kind_label: kind_label(level, &m.kind),
        path: m.path.clone(),
        depth: m.depth,
        status: m.status.clone(),
        has_boundary: m.boundary.is_some(),
        sort_order: m.sort_order,
        version: m.version,
        created_at: m.created_at,
        updated_at: m.updated_at,
    })
}

fn path_of(m: &node::Model) -> AppResult<OrgPath> {
    crate::infra::error::stored_path(&m.path)
}

fn not_found() -> AppError {
    AppError::NotFound("节点不存在或不在您的管辖范围内".into())
}

/// One node in the caller's scope (404 otherwise: ids outside scope are not confirmed).
pub async fn find(db: &impl ConnectionTrait, c: &Caller, id: i64) -> AppResult<node::Model> {
    c.require(Permission::OrgView)?;
    node::Entity::find_by_id(id)
        .filter(c.scope_cond("path"))
        .one(db)
        .await?
        .ok_or_else(not_found)
}

/// The name of a node, for the layout (the caller's own node).
pub async fn node_name(db: &impl ConnectionTrait, id: i64) -> AppResult<String> {
    Ok(node::Entity::find_by_id(id)
        .one(db)
        .await?
        .map(|n| n.name)
        .unwrap_or_default())
}

/// Filters for listing nodes.
#[derive(Debug, Default, Deserialize)]
pub struct NodeFilter {
    /// Only this level.
    pub level: Option<String>,
    /// Only direct children of this node.
    pub parent_id: Option<i64>,
    /// Name or code contains.
    pub q: Option<String>,
    /// Include retired nodes.
    pub include_retired: Option<bool>,
}

/// Nodes in scope, ordered by path.
pub async fn list(
    db: &impl ConnectionTrait,
    c: &Caller,
    f: &NodeFilter,
) -> AppResult<Vec<node::Model>> {
    c.require(Permission::OrgView)?;
    let mut q = node::Entity::find().filter(c.scope_cond("path"));
    if let Some(l) = f.level.as_deref().filter(|s| !s.is_empty()) {
        let level = OrgLevel::parse(l)
            .ok_or_else(|| AppError::bad("bad_level", format!("未知的层级：{l}")))?;
        q = q.filter(node::Column::Level.eq(level.as_str()));
    }
    if let Some(p) = f.parent_id {
        q = q.filter(node::Column::ParentId.eq(p));
    }
    if let Some(text) = f.q.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        q = q.filter(
            sea_orm::Condition::any()
                .add(node::Column::Name.contains(text))
                .add(node::Column::Code.contains(text)),
        );
    }
    if !f.include_retired.unwrap_or(false) {
        q = q.filter(node::Column::Status.eq(NodeStatus::Active.as_str()));
    }
    Ok(q.order_by_asc(node::Column::Depth)
        .order_by_asc(node::Column::SortOrder)
        .order_by_asc(node::Column::Code)
        .all(db)
        .await?)
}

/// A node of the nested tree.
#[derive(Clone, Debug, Serialize)]
pub struct TreeNode {
    pub id: i64,
    pub code: String,
    pub name: String,
    pub level: OrgLevel,
    pub kind: String,
    pub kind_label: &'static str,
    pub status: String,
    pub children: Vec<TreeNode>,
}

/// The caller's subtree, nested: the roots are the nodes whose parent is outside the scope.
pub async fn tree(
    db: &impl ConnectionTrait,
    c: &Caller,
    include_retired: bool,
) -> AppResult<Vec<TreeNode>> {
    let rows = list(
        db,
        c,
        &NodeFilter {
            include_retired: Some(include_retired),
            ..Default::default()
        },
    )
    .await?;
    Ok(nest(&rows))
}

/// Nests rows (ordered parents before children) into trees.
pub fn nest(rows: &[node::Model]) -> Vec<TreeNode> {
    let ids: std::collections::HashSet<i64> = rows.iter().map(|r| r.id).collect();
    let mut kids: HashMap<i64, Vec<&node::Model>> = HashMap::new();
    let mut roots = Vec::new();
    for r in rows {
        match r.parent_id.filter(|p| ids.contains(p)) {
            Some(p) => kids.entry(p).or_default().push(r),
            None => roots.push(r),
        }
    }
    fn build(r: &node::Model, kids: &HashMap<i64, Vec<&node::Model>>) -> TreeNode {
        let level = OrgLevel::parse(&r.level).unwrap_or(OrgLevel::Building);
        TreeNode {
            id: r.id,
            code: r.code.clone(),
            name: r.name.clone(),
            level,
            kind: r.kind.clone(),
            kind_label: kind_label(level, &r.kind),
            status: r.status.clone(),
            children: kids
                .get(&r.id)
                .map(|v| v.iter().map(|k| build(k, kids)).collect())
                .unwrap_or_default(),
        }
    }
    roots.into_iter().map(|r| build(r, &kids)).collect()
}

/// The node's ancestors within the caller's scope, root first (for breadcrumbs).
pub async fn ancestors(
    db: &impl ConnectionTrait,
    c: &Caller,
    n: &node::Model,
) -> AppResult<Vec<node::Model>> {
    let ids: Vec<i64> = path_of(n)?
        .ids()
        .into_iter()
        .filter(|i| *i != n.id)
        .collect();
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    Ok(node::Entity::find()
        .filter(node::Column::Id.is_in(ids))
        .filter(c.scope_cond("path"))
        .order_by_asc(node::Column::Depth)
        .all(db)
        .await?)
}

/// Counts for the home page.
#[derive(Debug, Default, Serialize)]
pub struct Summary {
    /// Active nodes per level, top down, with the level's label.
    pub levels: Vec<(&'static str, u64)>,
    /// Departments in scope.
    pub departments: u64,
    /// Retired nodes in scope.
    pub retired: u64,
}

/// Counts of what the caller's scope holds.
pub async fn summary(db: &impl ConnectionTrait, actor: &Actor) -> AppResult<Summary> {
    let c = actor.caller();
    let mut levels = Vec::new();
    for l in OrgLevel::ALL {
        let n = node::Entity::find()
            .filter(c.scope_cond("path"))
            .filter(node::Column::Level.eq(l.as_str()))
            .filter(node::Column::Status.eq("active"))
            .count(db)
            .await?;
        if n > 0 {
            levels.push((l.label(), n));
        }
    }
    let retired = node::Entity::find()
        .filter(c.scope_cond("path"))
        .filter(node::Column::Status.eq("retired"))
        .count(db)
        .await?;
    let departments = department::Entity::find()
        .filter(c.scope_cond("org_path"))
        .filter(department::Column::Status.eq("active"))
        .count(db)
        .await?;
    Ok(Summary {
        levels,
        departments,
        retired,
    })
}

/// A new node.
#[derive(Debug, Deserialize)]
pub struct NewNode {
    /// The parent; `None` only for the root, which only the command line creates.
    pub parent_id: Option<i64>,
    pub level: String,
    #[serde(default)]
    pub kind: Option<String>,
    pub code: String,
    pub name: String,
    #[serde(default)]
    pub sort_order: Option<i32>,
}

fn parse_kind(level: OrgLevel, kind: Option<&str>) -> AppResult<String> {
    let allowed = kinds_of(level);
    match kind.map(str::trim).filter(|k| !k.is_empty()) {
        None => Ok(allowed[0].to_owned()),
        Some(k) => allowed
            .iter()
            .find(|a| **a == k || kind_label(level, a) == k)
            .map(|a| (*a).to_owned())
            .ok_or_else(|| {
                AppError::bad(
                    "bad_kind",
                    format!("{}的类型只能是：{}", level.label(), allowed.join("、")),
                )
            }),
    }
}

async fn ensure_code_free(
    db: &impl ConnectionTrait,
    parent_id: Option<i64>,
    code: &str,
    except: Option<i64>,
) -> AppResult<()> {
    let mut q = node::Entity::find().filter(node::Column::Code.eq(code));
    q = match parent_id {
        Some(p) => q.filter(node::Column::ParentId.eq(p)),
        None => q.filter(node::Column::ParentId.is_null()),
    };
    if let Some(id) = except {
        q = q.filter(node::Column::Id.ne(id));
    }
    if q.count(db).await? > 0 {
        return Err(AppError::conflict(
            "duplicate_code",
            format!("同一上级下已有编码为 {code} 的节点"),
        ));
    }
    Ok(())
}

/// The fields of a node to insert, already checked.
pub(crate) struct NodeSpec<'a> {
    pub level: OrgLevel,
    pub kind: &'a str,
    pub code: &'a str,
    pub name: &'a str,
    pub sort_order: i32,
    pub boundary: Option<String>,
}

/// Inserts a node under a parent row (or as the root) and fixes its path; no audit here.
pub(crate) async fn insert_node(
    db: &impl ConnectionTrait,
    parent: Option<&node::Model>,
    spec: NodeSpec<'_>,
) -> AppResult<node::Model> {
    let NodeSpec {
        level,
        kind,
        code,
        name,
        sort_order,
        boundary,
    } = spec;
    let now = crate::infra::clock::now_ms();
    let placeholder = format!("/pending/{}/", crate::infra::tokens::random_token()?);
    let row = node::ActiveModel {
        parent_id: Set(parent.map(|p| p.id)),
        code: Set(code.to_owned()),
        name: Set(name.to_owned()),
        level: Set(level.as_str().to_owned()),
        kind: Set(kind.to_owned()),
        path: Set(placeholder),
        depth: Set(parent.map_or(0, |p| p.depth + 1)),
        boundary: Set(boundary),
        status: Set(NodeStatus::Active.as_str().to_owned()),
        sort_order: Set(sort_order),
        version: Set(1),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    }
    .insert(db)
    .await?;
    let path = match parent {
        Some(p) => path_of(p)?.child(row.id),
        None => OrgPath::root(row.id),
    };
    let mut am: node::ActiveModel = row.into();
    am.path = Set(path.as_str().to_owned());
    Ok(am.update(db).await?)
}

/// Adds a node. Checks the level's nesting, the kind, the code's uniqueness among siblings,
/// and that the parent is active and in scope.
pub async fn create(
    db: &sea_orm::DatabaseConnection,
    c: &Caller,
    input: NewNode,
) -> AppResult<node::Model> {
    c.require(Permission::OrgManage)?;
    let name = validate::name("节点名称", &input.name, 50)?;
    let code = validate::code(&input.code)?;
    let level = OrgLevel::parse(&input.level)
        .ok_or_else(|| AppError::bad("bad_level", format!("未知的层级：{}", input.level)))?;
    let kind = parse_kind(level, input.kind.as_deref())?;
    let tx = crate::infra::db::begin_write(db).await?;
    crate::infra::db::lock_tree(&tx).await?;
    let parent = match input.parent_id {
        Some(pid) => Some(
            find(&tx, c, pid)
                .await
                .map_err(|_| AppError::Forbidden("上级节点不存在或不在您的管辖范围内".into()))?,
        ),
        None => {
            if c.scope.is_some() {
                return Err(AppError::bad("parent_required", "请选择上级节点"));
            }
            if level != OrgLevel::District {
                return Err(AppError::bad("bad_level", "根节点必须是区县"));
            }
            None
        }
    };
    if let Some(p) = &parent {
        let pl = OrgLevel::parse(&p.level).unwrap_or(OrgLevel::Building);
        if !pl.may_contain(level) {
            return Err(AppError::bad(
                "bad_level",
                format!("{}之下不能添加{}", pl.label(), level.label()),
            ));
        }
        if p.status != "active" {
            return Err(AppError::bad(
                "parent_retired",
                "上级节点已停用，不能在其下添加节点",
            ));
        }
    }
    ensure_code_free(&tx, input.parent_id, &code, None).await?;
    let spec = NodeSpec {
        level,
        kind: &kind,
        code: &code,
        name: &name,
        sort_order: input.sort_order.unwrap_or(0),
        boundary: None,
    };
    let row = insert_node(&tx, parent.as_ref(), spec).await?;
    audit::record(
        &tx,
        &c.who,
        Entry {
            org_path: &path_of(&row)?,
            action: "create",
            entity: "org_node",
            entity_id: Some(row.id),
            summary: format!("新建{}“{}”（{}）", level.label(), name, code),
            changes: json!({"code": code, "name": name, "level": level.as_str(), "kind": kind, "parent_id": input.parent_id}),
        },
    )
    .await?;
    tx.commit().await?;
    crate::infra::cache::directory_changed();
    Ok(row)
}

/// An edit of a node's own fields; `version` is the one the editor saw.
#[derive(Debug, Deserialize)]
pub struct EditNode {
    pub name: Option<String>,
    pub code: Option<String>,
    pub kind: Option<String>,
    pub sort_order: Option<i32>,
    pub version: i32,
}

/// Renames / recodes a node (optimistic: a stale version is refused).
pub async fn update(
    db: &sea_orm::DatabaseConnection,
    c: &Caller,
    id: i64,
    e: EditNode,
) -> AppResult<node::Model> {
    c.require(Permission::OrgManage)?;
    let tx = crate::infra::db::begin_write(db).await?;
    let old = find(&tx, c, id).await?;
    let level = OrgLevel::parse(&old.level).unwrap_or(OrgLevel::Building);
    let name = match &e.name {
        Some(n) => validate::name("节点名称", n, 50)?,
        None => old.name.clone(),
    };
    let code = match &e.code {
        Some(cd) => validate::code(cd)?,
        None => old.code.clone(),
    };
    let kind = match &e.kind {
        Some(k) => parse_kind(level, Some(k))?,
        None => old.kind.clone(),
    };
    let sort_order = e.sort_order.unwrap_or(old.sort_order);
    if code != old.code {
        ensure_code_free(&tx, old.parent_id, &code, Some(id)).await?;
    }
    let res = node::Entity::update_many()
        .col_expr(node::Column::Name, Expr::value(name.clone()))
        .col_expr(node::Column::Code, Expr::value(code.clone()))
        .col_expr(node::Column::Kind, Expr::value(kind.clone()))
        .col_expr(node::Column::SortOrder, Expr::value(sort_order))
        .col_expr(node::Column::Version, Expr::value(e.version + 1))
        .col_expr(
            node::Column::UpdatedAt,
            Expr::value(crate::infra::clock::now_ms()),
        )
        .filter(node::Column::Id.eq(id))
        .filter(node::Column::Version.eq(e.version))
        .exec(&tx)
        .await?;
    if res.rows_affected == 0 {
        return Err(AppError::stale());
    }
    let changes = audit::changes(&[
        ("name", json!(old.name), json!(name)),
        ("code", json!(old.code), json!(code)),
        ("kind", json!(old.kind), json!(kind)),
        ("sort_order", json!(old.sort_order), json!(sort_order)),
    ]);
    audit::record(
        &tx,
        &c.who,
        Entry {
            org_path: &path_of(&old)?,
            action: "update",
            entity: "org_node",
            entity_id: Some(id),
            summary: format!("修改节点“{}”", name),
            changes,
        },
    )
    .await?;
    let row = find(&tx, c, id).await?;
    tx.commit().await?;
    crate::infra::cache::directory_changed();
    Ok(row)
}

/// A move request.
#[derive(Debug, Deserialize)]
pub struct MoveNode {
    pub new_parent_id: i64,
    pub version: i32,
}

/// Moves a node (and its subtree, and every row that belongs to them) under a new parent.
/// `holds` are every column by which a row holds a node (`Site::holds`): each path among them is
/// rewritten.
pub async fn move_node(
    db: &sea_orm::DatabaseConnection,
    holds: &[crate::infra::db::Hold],
    c: &Caller,
    id: i64,
    m: MoveNode,
) -> AppResult<node::Model> {
    c.require(Permission::OrgManage)?;
    let tx = crate::infra::db::begin_write(db).await?;
    crate::infra::db::lock_tree(&tx).await?;
    let n = find(&tx, c, id).await?;
    if n.version != m.version {
        return Err(AppError::stale());
    }
    let parent = find(&tx, c, m.new_parent_id)
        .await
        .map_err(|_| AppError::Forbidden("新的上级节点不存在或不在您的管辖范围内".into()))?;
    if parent.status != "active" {
        return Err(AppError::bad("parent_retired", "新的上级节点已停用"));
    }
    let old_path = path_of(&n)?;
    let level = OrgLevel::parse(&n.level).unwrap_or(OrgLevel::Building);
    let parent_level = OrgLevel::parse(&parent.level).unwrap_or(OrgLevel::Building);
    let new_path = core_org::plan_move(&old_path, level, &path_of(&parent)?, parent_level)
        .map_err(|e| AppError::bad("bad_move", e.to_string()))?;
    ensure_code_free(&tx, Some(parent.id), &n.code, Some(id)).await?;
    let cut =
        i32::try_from(old_path.as_str().len() + 1).map_err(|e| AppError::Internal(e.into()))?;
    let depth_delta = parent.depth + 1 - n.depth;
    let pattern = format!("{}%", old_path.as_str());
    crate::infra::db::exec(
        &tx,
        "UPDATE org_nodes SET path = $1 || substr(path, $2), depth = depth + $3 WHERE path LIKE $4",
        vec![
            new_path.as_str().into(),
            cut.into(),
            depth_delta.into(),
            pattern.clone().into(),
        ],
    )
    .await?;
    for h in holds.iter().filter(|h| h.by_path) {
        let (table, col) = (h.table, h.column);
        crate::infra::db::exec(
            &tx,
            &format!("UPDATE {table} SET {col} = $1 || substr({col}, $2) WHERE {col} LIKE $3"),
            vec![new_path.as_str().into(), cut.into(), pattern.clone().into()],
        )
        .await?;
    }
    let res = node::Entity::update_many()
        .col_expr(node::Column::ParentId, Expr::value(parent.id))
        .col_expr(node::Column::Version, Expr::value(n.version + 1))
        .col_expr(
            node::Column::UpdatedAt,
            Expr::value(crate::infra::clock::now_ms()),
        )
        .filter(node::Column::Id.eq(id))
        .filter(node::Column::Version.eq(n.version))
        .exec(&tx)
        .await?;
    if res.rows_affected == 0 {
        return Err(AppError::stale());
    }
    audit::record(
        &tx,
        &c.who,
        Entry {
            org_path: &new_path,
            action: "move",
            entity: "org_node",
            entity_id: Some(id),
            summary: format!("将“{}”移到“{}”之下", n.name, parent.name),
            changes: json!({"parent_id": [n.parent_id, parent.id], "path": [old_path.as_str(), new_path.as_str()]}),
        },
    )
    .await?;
    let row = find(&tx, c, id).await?;
    tx.commit().await?;
    crate::infra::cache::directory_changed();
    Ok(row)
}

/// Retires a node and its whole subtree (kept for history; hidden from new work).
pub async fn retire(db: &sea_orm::DatabaseConnection, c: &Caller, id: i64) -> AppResult<u64> {
    change_status(db, c, id, NodeStatus::Retired).await
}

/// Brings a retired node and its subtree back (its parent must be active).
pub async fn reactivate(db: &sea_orm::DatabaseConnection, c: &Caller, id: i64) -> AppResult<u64> {
    change_status(db, c, id, NodeStatus::Active).await
}

/// Moves a node and every node beneath it to `to`: a subtree goes and comes back whole.
async fn change_status(
    db: &sea_orm::DatabaseConnection,
    c: &Caller,
    id: i64,
    to: NodeStatus,
) -> AppResult<u64> {
    c.require(Permission::OrgManage)?;
    let retiring = to == NodeStatus::Retired;
    let from = if retiring {
        NodeStatus::Active
    } else {
        NodeStatus::Retired
    };
    let tx = crate::infra::db::begin_write(db).await?;
    crate::infra::db::lock_tree(&tx).await?;
    let n = find(&tx, c, id).await?;
    let path = path_of(&n)?;
    if retiring && c.scope.as_ref().is_some_and(|s| s.root() == &path) {
        return Err(AppError::bad("retire_own_root", "不能停用您自己所在的节点"));
    }
    if n.status == to.as_str() {
        return Err(if retiring {
            AppError::conflict("already_retired", "该节点已停用")
        } else {
            AppError::conflict("already_active", "该节点本来就是启用状态")
        });
    }
    if !retiring
        && let Some(pid) = n.parent_id
        && node::Entity::find_by_id(pid)
            .one(&tx)
            .await?
            .is_some_and(|p| p.status != "active")
    {
        return Err(AppError::bad(
            "parent_retired",
            "上级节点已停用，请先启用上级节点",
        ));
    }
    let res = node::Entity::update_many()
        .col_expr(node::Column::Status, Expr::value(to.as_str()))
        .col_expr(
            node::Column::Version,
            Expr::col(node::Column::Version).add(1),
        )
        .col_expr(
            node::Column::UpdatedAt,
            Expr::value(crate::infra::clock::now_ms()),
        )
        .filter(crate::infra::db::subtree(node::Column::Path, &path))
        .filter(node::Column::Status.eq(from.as_str()))
        .exec(&tx)
        .await?;
    let verb = if retiring { "停用" } else { "重新启用" };
    audit::record(
        &tx,
        &c.who,
        Entry {
            org_path: &path,
            action: if retiring { "retire" } else { "reactivate" },
            entity: "org_node",
            entity_id: Some(id),
            summary: format!("{verb}“{}”及其下级共 {} 个节点", n.name, res.rows_affected),
            changes: json!({"status": [from.as_str(), to.as_str()], "nodes": res.rows_affected}),
        },
    )
    .await?;
    tx.commit().await?;
    crate::infra::cache::directory_changed();
    Ok(res.rows_affected)
}

/// Deletes a node that holds nothing: no children, and no row that `holds` name (accounts,
/// departments, cases, households…). Anything else is retired, never deleted.
pub async fn delete(
    db: &sea_orm::DatabaseConnection,
    holds: &[crate::infra::db::Hold],
    c: &Caller,
    id: i64,
) -> AppResult<()> {
    c.require(Permission::OrgManage)?;
    let tx = crate::infra::db::begin_write(db).await?;
    crate::infra::db::lock_tree(&tx).await?;
    let n = find(&tx, c, id).await?;
    let path = path_of(&n)?;
    if n.parent_id.is_none() || c.scope.as_ref().is_some_and(|s| s.root() == &path) {
        return Err(AppError::bad(
            "delete_root",
            "不能删除根节点或您自己所在的节点",
        ));
    }
    let children = node::Entity::find()
        .filter(node::Column::ParentId.eq(id))
        .count(&tx)
        .await?;
    let mut held = crate::infra::db::rows_held(&tx, holds, &path).await?;
    if children > 0 {
        held.insert(0, format!("{children} 个下级节点"));
    }
    if !held.is_empty() {
        return Err(AppError::conflict(
            "node_in_use",
            format!("该节点还有{}，不能删除，只能停用", held.join("、")),
        ));
    }
    node::Entity::delete_by_id(id).exec(&tx).await?;
    audit::record(
        &tx,
        &c.who,
        Entry {
            org_path: &path.parent().unwrap_or(path.clone()),
            action: "delete",
            entity: "org_node",
            entity_id: Some(id),
            summary: format!("删除节点“{}”（{}）", n.name, n.code),
            changes: json!({"code": n.code, "name": n.name, "level": n.level}),
        },
    )
    .await?;
    tx.commit().await?;
    crate::infra::cache::directory_changed();
    Ok(())
}

/// Sets (or, with `None`, clears) a node's boundary from GeoJSON text.
pub async fn set_boundary(
    db: &sea_orm::DatabaseConnection,
    c: &Caller,
    id: i64,
    geojson: Option<&str>,
) -> AppResult<()> {
    c.require(Permission::OrgManage)?;
    let area = match geojson {
        Some(text) => Some(
            Area::from_geojson(text).map_err(|e| AppError::bad("bad_geojson", e.to_string()))?,
        ),
        None => None,
    };
    let tx = crate::infra::db::begin_write(db).await?;
    let n = find(&tx, c, id).await?;
    let level = OrgLevel::parse(&n.level).unwrap_or(OrgLevel::Building);
    if area.is_some() && !level.has_area() {
        return Err(AppError::bad(
            "no_area",
            "楼栋没有边界，请在网格或社区上设置边界",
        ));
    }
    let stored = area.as_ref().map(|a| a.to_geojson().to_string());
    node::Entity::update_many()
        .col_expr(node::Column::Boundary, Expr::value(stored.clone()))
        .col_expr(node::Column::Version, Expr::value(n.version + 1))
        .col_expr(
            node::Column::UpdatedAt,
            Expr::value(crate::infra::clock::now_ms()),
        )
        .filter(node::Column::Id.eq(id))
        .exec(&tx)
        .await?;
    let points: usize = area
        .as_ref()
        .map(|a| a.polygons.iter().flat_map(|p| &p.rings).map(Vec::len).sum())
        .unwrap_or(0);
    audit::record(
        &tx,
        &c.who,
        Entry {
            org_path: &path_of(&n)?,
            action: "boundary",
            entity: "org_node",
            entity_id: Some(id),
            summary: match &area {
                Some(_) => format!("设置“{}”的边界（{points} 个顶点）", n.name),
                None => format!("清除“{}”的边界", n.name),
            },
            changes: json!({"had_boundary": n.boundary.is_some(), "has_boundary": stored.is_some(), "points": points}),
        },
    )
    .await?;
    tx.commit().await?;
    crate::infra::cache::directory_changed();
    Ok(())
}

/// A node's boundary as GeoJSON, if it has one.
pub async fn boundary(db: &impl ConnectionTrait, c: &Caller, id: i64) -> AppResult<Option<Value>> {
    let n = find(db, c, id).await?;
    Ok(n.boundary.and_then(|b| serde_json::from_str(&b).ok()))
}

// ---- departments ----

/// A department as shown.
#[derive(Clone, Debug, Serialize)]
pub struct DepartmentView {
    pub id: i64,
    pub org_id: i64,
    pub org_name: String,
    pub name: String,
    pub kind: String,
    pub duty: String,
    pub status: String,
    pub version: i32,
}

/// A new or edited department.
#[derive(Debug, Deserialize)]
pub struct DepartmentInput {
    pub name: Option<String>,
    pub kind: Option<String>,
    pub duty: Option<String>,
    pub status: Option<String>,
    /// Required for an edit.
    pub version: Option<i32>,
}

async fn department_views(
    db: &impl ConnectionTrait,
    rows: Vec<department::Model>,
) -> AppResult<Vec<DepartmentView>> {
    let ids: Vec<i64> = rows.iter().map(|r| r.org_id).collect();
    let names: HashMap<i64, String> = node::Entity::find()
        .filter(node::Column::Id.is_in(ids))
        .all(db)
        .await?
        .into_iter()
        .map(|n| (n.id, n.name))
        .collect();
    Ok(rows
        .into_iter()
        .map(|d| DepartmentView {
            org_name: names.get(&d.org_id).cloned().unwrap_or_default(),
            id: d.id,
            org_id: d.org_id,
            name: d.name,
            kind: d.kind,
            duty: d.duty,
            status: d.status,
            version: d.version,
        })
        .collect())
}

/// Departments in scope (optionally of one node), by node then name.
pub async fn departments(
    db: &impl ConnectionTrait,
    c: &Caller,
    org_id: Option<i64>,
) -> AppResult<Vec<DepartmentView>> {
    c.require(Permission::OrgView)?;
    let mut q = department::Entity::find().filter(c.scope_cond("org_path"));
    if let Some(id) = org_id {
        q = q.filter(department::Column::OrgId.eq(id));
    }
    let rows = q
        .order_by_asc(department::Column::OrgPath)
        .order_by_asc(department::Column::Name)
        .all(db)
        .await?;
    department_views(db, rows).await
}

/// One department in scope.
pub async fn department(
    db: &impl ConnectionTrait,
    c: &Caller,
    id: i64,
) -> AppResult<DepartmentView> {
    c.require(Permission::OrgView)?;
    let row = department::Entity::find_by_id(id)
        .filter(c.scope_cond("org_path"))
        .one(db)
        .await?
        .ok_or_else(|| AppError::NotFound("部门不存在或不在您的管辖范围内".into()))?;
    department_views(db, vec![row])
        .await?
        .pop()
        .ok_or_else(|| AppError::NotFound("部门不存在".into()))
}

fn department_kind(raw: Option<&str>) -> AppResult<String> {
    let k = validate::name("部门类型", raw.unwrap_or("其他"), 32)?;
    Ok(k)
}

/// Attaches a department to a node.
pub async fn create_department(
    db: &sea_orm::DatabaseConnection,
    c: &Caller,
    org_id: i64,
    d: DepartmentInput,
) -> AppResult<department::Model> {
    c.require(Permission::DepartmentManage)?;
    let name = validate::name("部门名称", d.name.as_deref().unwrap_or_default(), 50)?;
    let kind = department_kind(d.kind.as_deref())?;
    let duty = validate::text(
        "职责说明",
        d.duty.as_deref().unwrap_or_default(),
        200,
        validate::Lines::Many,
        false,
    )?;
    let tx = crate::infra::db::begin_write(db).await?;
    let n = find(&tx, c, org_id).await?;
    if n.status != "active" {
        return Err(AppError::bad("parent_retired", "节点已停用，不能添加部门"));
    }
    let level = OrgLevel::parse(&n.level).unwrap_or(OrgLevel::Building);
    if matches!(level, OrgLevel::Building | OrgLevel::MicroGrid) {
        return Err(AppError::bad(
            "bad_level",
            "部门应设在区县、街道乡镇、社区村或网格上",
        ));
    }
    let dup = department::Entity::find()
        .filter(department::Column::OrgId.eq(org_id))
        .filter(department::Column::Name.eq(name.clone()))
        .count(&tx)
        .await?;
    if dup > 0 {
        return Err(AppError::conflict(
            "duplicate_name",
            format!("“{}”下已有名为“{name}”的部门", n.name),
        ));
    }
    let now = crate::infra::clock::now_ms();
    let row = department::ActiveModel {
        org_id: Set(org_id),
        org_path: Set(n.path.clone()),
        name: Set(name.clone()),
        kind: Set(kind.clone()),
        duty: Set(duty),
        status: Set("active".into()),
        version: Set(1),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    }
    .insert(&tx)
    .await?;
    audit::record(
        &tx,
        &c.who,
        Entry {
            org_path: &path_of(&n)?,
            action: "create",
            entity: "department",
            entity_id: Some(row.id),
            summary: format!("在“{}”添加部门“{name}”", n.name),
            changes: json!({"name": name, "kind": kind}),
        },
    )
    .await?;
    tx.commit().await?;
    crate::infra::cache::directory_changed();
    Ok(row)
}

/// Edits a department (name, kind, duty, status) with a version check.
pub async fn update_department(
    db: &sea_orm::DatabaseConnection,
    c: &Caller,
    id: i64,
    d: DepartmentInput,
) -> AppResult<()> {
    c.require(Permission::DepartmentManage)?;
    let version = d
        .version
        .ok_or_else(|| AppError::bad("invalid_input", "缺少版本号 version"))?;
    let tx = crate::infra::db::begin_write(db).await?;
    let old = department::Entity::find_by_id(id)
        .filter(c.scope_cond("org_path"))
        .one(&tx)
        .await?
        .ok_or_else(|| AppError::NotFound("部门不存在或不在您的管辖范围内".into()))?;
    let name = match &d.name {
        Some(n) => validate::name("部门名称", n, 50)?,
        None => old.name.clone(),
    };
    let kind = match &d.kind {
        Some(_) => department_kind(d.kind.as_deref())?,
        None => old.kind.clone(),
    };
    let duty = match d.duty.as_deref() {
        Some(t) => validate::text("职责说明", t, 200, validate::Lines::Many, false)?,
        None => old.duty.clone(),
    };
    let status = match d.status.as_deref() {
        None => old.status.clone(),
        Some(s @ ("active" | "retired")) => s.to_owned(),
        Some(s) => return Err(AppError::bad("invalid_input", format!("未知的状态：{s}"))),
    };
    if name != old.name {
        let dup = department::Entity::find()
            .filter(department::Column::OrgId.eq(old.org_id))
            .filter(department::Column::Name.eq(name.clone()))
            .count(&tx)
            .await?;
        if dup > 0 {
            return Err(AppError::conflict(
                "duplicate_name",
                format!("该节点下已有名为“{name}”的部门"),
            ));
        }
    }
    let res = department::Entity::update_many()
        .col_expr(department::Column::Name, Expr::value(name.clone()))
        .col_expr(department::Column::Kind, Expr::value(kind.clone()))
        .col_expr(department::Column::Duty, Expr::value(duty.clone()))
        .col_expr(department::Column::Status, Expr::value(status.clone()))
        .col_expr(department::Column::Version, Expr::value(version + 1))
        .col_expr(
            department::Column::UpdatedAt,
            Expr::value(crate::infra::clock::now_ms()),
        )
        .filter(department::Column::Id.eq(id))
        .filter(department::Column::Version.eq(version))
        .exec(&tx)
        .await?;
    if res.rows_affected == 0 {
        return Err(AppError::stale());
    }
    let path = crate::infra::error::stored_path(&old.org_path)?;
    audit::record(
        &tx,
        &c.who,
        Entry {
            org_path: &path,
            action: "update",
            entity: "department",
            entity_id: Some(id),
            summary: format!("修改部门“{name}”"),
            changes: audit::changes(&[
                ("name", json!(old.name), json!(name)),
                ("kind", json!(old.kind), json!(kind)),
                ("duty", json!(old.duty), json!(duty)),
                ("status", json!(old.status), json!(status)),
            ]),
        },
    )
    .await?;
    tx.commit().await?;
    crate::infra::cache::directory_changed();
    Ok(())
}
