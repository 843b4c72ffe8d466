//! Importing an org tree from a CSV or XLSX file: every row is checked first, every bad
//! row is reported with its line number and reason, and then either everything is written
//! in one transaction or nothing is.
//!
//! Columns (header names in Chinese or English, any order): 编码/code, 名称/name,
//! 层级/level, 上级编码/parent_code, and optionally 类型/kind and 排序/sort_order.
//! A parent is found among the file's earlier or later rows first, then among the existing
//! nodes in the importer's scope. A row whose code already exists under the same parent
//! updates that node's name, kind and order (so a re-import changes nothing).

use super::entity::node;
use super::service::{NodeSpec, insert_node};
use crate::infra::audit::{self, Entry};
use crate::infra::error::{AppError, AppResult};
use crate::web::Caller;
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use serde::Serialize;
use serde_json::json;
use std::collections::HashMap;
use wangge_core::org::{kind_label, kinds_of};
use wangge_core::{OrgLevel, OrgPath, Permission, validate};

/// One data row of the file.
#[derive(Clone, Debug, Default)]
pub struct Row {
    /// The line in the file (the header is line 1).
    pub line: usize,
    pub code: String,
    pub name: String,
    pub level: String,
    pub parent_code: String,
    pub kind: String,
    pub sort_order: String,
}

/// A rejected row.
#[derive(Clone, Debug, Serialize)]
pub struct RowError {
    pub line: usize,
    pub message: String,
}

/// What an import did, or would have done.
#[derive(Clone, Debug, Default, Serialize)]
pub struct Report {
    pub rows: usize,
    pub inserted: usize,
    pub updated: usize,
    pub unchanged: usize,
    pub errors: Vec<RowError>,
    /// Whether anything was written (false whenever there is any error).
    pub committed: bool,
}

/// The most rows one import takes.
pub const MAX_ROWS: usize = 20_000;

const COLUMNS: [(&str, &[&str], bool); 6] = [
    ("code", &["编码", "code", "节点编码", "单元网格编码"], true),
    ("name", &["名称", "name", "节点名称"], true),
    ("level", &["层级", "level", "级别"], true),
    ("parent_code", &["上级编码", "parent_code", "上级"], true),
    ("kind", &["类型", "kind"], false),
    ("sort_order", &["排序", "sort_order", "sort"], false),
];

/// Reads the file's rows through the kit's one sheet reader (XLSX, or CSV in UTF-8 or GB18030).
pub fn parse(bytes: &[u8]) -> AppResult<Vec<Row>> {
    let table = crate::web::sheet::read_all(bytes.to_vec())?;
    let mut it = table.into_iter();
    let Some((_, header)) = it.next() else {
        return Err(AppError::bad("empty_file", "文件是空的"));
    };
    let header: Vec<String> = header
        .iter()
        .map(|h| h.trim().trim_start_matches('\u{feff}').to_lowercase())
        .collect();
    let mut index = HashMap::new();
    let mut missing = Vec::new();
    for (key, names, required) in COLUMNS {
        match header
            .iter()
            .position(|h| names.iter().any(|n| n.to_lowercase() == *h))
        {
            Some(i) => {
                index.insert(key, i);
            }
            None if required => missing.push(names[0]),
            None => {}
        }
    }
    if !missing.is_empty() {
        return Err(AppError::bad(
            "missing_columns",
            format!(
                "缺少必需的列：{}（表头应含 编码、名称、层级、上级编码）",
                missing.join("、")
            ),
        ));
    }
    let get = |r: &[String], k: &str| {
        index
            .get(k)
            .and_then(|i| r.get(*i))
            .map(|s| s.trim().to_owned())
            .unwrap_or_default()
    };
    let mut rows = Vec::new();
    for (line, r) in it {
        let line = usize::try_from(line).unwrap_or(usize::MAX);
        if r.iter().all(|c| c.trim().is_empty()) {
            continue;
        }
        if rows.len() >= MAX_ROWS {
            return Err(AppError::bad(
                "too_many_rows",
                format!("一次最多导入 {MAX_ROWS} 行"),
            ));
        }
        rows.push(Row {
            line,
            code: get(&r, "code"),
            name: get(&r, "name"),
            level: get(&r, "level"),
            parent_code: get(&r, "parent_code"),
            kind: get(&r, "kind"),
            sort_order: get(&r, "sort_order"),
        });
    }
    if rows.is_empty() {
        return Err(AppError::bad("empty_file", "文件只有表头，没有数据行"));
    }
    Ok(rows)
}

/// A row that passed the checks.
struct Planned {
    row: Row,
    level: OrgLevel,
    kind: String,
    sort_order: i32,
    parent: ParentRef,
}

enum ParentRef {
    Root,
    Existing(Box<node::Model>),
    InFile(usize),
}

/// Checks every row, then writes all of them or none.
pub async fn import(
    db: &sea_orm::DatabaseConnection,
    c: &Caller,
    rows: Vec<Row>,
) -> AppResult<Report> {
    c.require(Permission::OrgManage)?;
    let mut report = Report {
        rows: rows.len(),
        ..Default::default()
    };
    let tx = crate::infra::db::begin_write(db).await?;
    crate::infra::db::lock_tree(&tx).await?;
    let existing = node::Entity::find()
        .filter(c.scope_cond("path"))
        .all(&tx)
        .await?;
    let mut by_code: HashMap<&str, Vec<&node::Model>> = HashMap::new();
    for n in &existing {
        by_code.entry(n.code.as_str()).or_default().push(n);
    }
    let mut file_codes: HashMap<String, usize> = HashMap::new();
    for (i, r) in rows.iter().enumerate() {
        if r.code.is_empty() {
            continue;
        }
        if file_codes.contains_key(&r.code) {
            report.errors.push(RowError {
                line: r.line,
                message: format!("编码 {} 在文件中重复", r.code),
            });
        } else {
            file_codes.insert(r.code.clone(), i);
        }
    }
    let tree_empty = node::Entity::find().one(&tx).await?.is_none();
    let mut planned: Vec<Option<Planned>> = Vec::with_capacity(rows.len());
    for r in &rows {
        match plan_row(r, &rows, &file_codes, &by_code, c, tree_empty) {
            Ok(p) => planned.push(Some(p)),
            Err(message) => {
                report.errors.push(RowError {
                    line: r.line,
                    message,
                });
                planned.push(None);
            }
        }
    }
    // Check nesting against parents in the file, now that every row has a level.
    for p in planned.iter().flatten() {
        if let ParentRef::InFile(j) = p.parent
            && let Some(Some(parent)) = planned.get(j)
            && !parent.level.may_contain(p.level)
        {
            report.errors.push(RowError {
                line: p.row.line,
                message: format!(
                    "上级 {}（{}）之下不能放{}",
                    parent.row.code,
                    parent.level.label(),
                    p.level.label()
                ),
            });
        }
    }
    report.errors.sort_by_key(|e| e.line);
    if !report.errors.is_empty() {
        return Ok(report);
    }
    // Parents before children: write in level order, resolving in-file parents as we go.
    let mut order: Vec<usize> = (0..planned.len()).collect();
    order.sort_by_key(|i| planned[*i].as_ref().map(|p| p.level));
    let mut made: HashMap<usize, node::Model> = HashMap::new();
    for i in order {
        let Some(p) = planned[i].as_ref() else {
            continue;
        };
        let parent: Option<node::Model> = match &p.parent {
            ParentRef::Root => None,
            ParentRef::Existing(n) => Some((**n).clone()),
            ParentRef::InFile(j) => Some(made.get(j).cloned().ok_or_else(|| {
                AppError::bad(
                    "bad_parent",
                    format!("第 {} 行的上级没有先于它导入", p.row.line),
                )
            })?),
        };
        let name = p.row.name.trim().to_owned();
        let same = existing
            .iter()
            .find(|n| n.code == p.row.code && n.parent_id == parent.as_ref().map(|x| x.id));
        let row = match same {
            Some(n) if n.name == name && n.kind == p.kind && n.sort_order == p.sort_order => {
                report.unchanged += 1;
                n.clone()
            }
            Some(n) => {
                node::Entity::update_many()
                    .col_expr(node::Column::Name, Expr::value(name.clone()))
                    .col_expr(node::Column::Kind, Expr::value(p.kind.clone()))
                    .col_expr(node::Column::SortOrder, Expr::value(p.sort_order))
                    .col_expr(node::Column::Version, Expr::value(n.version + 1))
                    .col_expr(
                        node::Column::UpdatedAt,
                        Expr::value(crate::infra::clock::now_ms()),
                    )
                    .filter(node::Column::Id.eq(n.id))
                    .exec(&tx)
                    .await?;
                report.updated += 1;
                n.clone()
            }
            None => {
                report.inserted += 1;
                let spec = NodeSpec {
                    level: p.level,
                    kind: &p.kind,
                    code: &p.row.code,
                    name: &name,
                    sort_order: p.sort_order,
                    boundary: None,
                };
                insert_node(&tx, parent.as_ref(), spec).await?
            }
        };
        made.insert(i, row);
    }
    let top = made
        .values()
        .map(|n| n.path.clone())
        .min_by_key(|p| p.len())
        .and_then(|p| OrgPath::parse(&p).ok());
    let at = match (&c.scope, top) {
        (None, Some(p)) => OrgPath::root(p.ids().first().copied().unwrap_or(0)),
        _ => c.audit_root(&tx).await?,
    };
    audit::record(
        &tx,
        &c.who,
        Entry {
            org_path: &at,
            action: "import",
            entity: "org_node",
            entity_id: None,
            summary: format!(
                "导入组织树：{} 行，新增 {}，更新 {}，未变 {}",
                report.rows, report.inserted, report.updated, report.unchanged
            ),
            changes: json!({"rows": report.rows, "inserted": report.inserted, "updated": report.updated, "unchanged": report.unchanged}),
        },
    )
    .await?;
    tx.commit().await?;
    crate::infra::cache::directory_changed();
    report.committed = true;
    Ok(report)
}

fn plan_row(
    r: &Row,
    rows: &[Row],
    file_codes: &HashMap<String, usize>,
    by_code: &HashMap<&str, Vec<&node::Model>>,
    c: &Caller,
    tree_empty: bool,
) -> Result<Planned, String> {
    validate::code(&r.code).map_err(|e| e.0)?;
    validate::name("名称", &r.name, 50).map_err(|e| e.0)?;
    let level = OrgLevel::parse(&r.level).ok_or_else(|| {
        if r.level.is_empty() {
            "层级不能为空".to_owned()
        } else {
            format!(
                "未知的层级“{}”（可填：区县、街道乡镇、社区村、网格、微网格、楼栋）",
                r.level
            )
        }
    })?;
    let kind = if r.kind.is_empty() {
        // 街道/乡镇, 社区/村 may be told apart by the level word itself.
        match r.level.trim() {
            "乡镇" | "乡" | "镇" | "town" => "town".to_owned(),
            "村" | "village" => "village".to_owned(),
            "县" => "county".to_owned(),
            _ => kinds_of(level)[0].to_owned(),
        }
    } else {
        kinds_of(level)
            .iter()
            .find(|k| **k == r.kind || kind_label(level, k) == r.kind)
            .map(|k| (*k).to_owned())
            .ok_or_else(|| {
                format!(
                    "{}的类型只能是：{}",
                    level.label(),
                    kinds_of(level).join("、")
                )
            })?
    };
    let sort_order = if r.sort_order.is_empty() {
        0
    } else {
        r.sort_order
            .parse::<i32>()
            .map_err(|_| format!("排序“{}”不是整数", r.sort_order))?
    };
    let parent = if r.parent_code.is_empty() {
        if c.scope.is_some() || !tree_empty || level != OrgLevel::District {
            return Err("上级编码不能为空（只有在空库中用命令行导入时，区县可以没有上级）".into());
        }
        ParentRef::Root
    } else if let Some(j) = file_codes.get(&r.parent_code) {
        if rows.get(*j).is_some_and(|p| p.line == r.line) {
            return Err("上级不能是自己".into());
        }
        ParentRef::InFile(*j)
    } else {
        match by_code.get(r.parent_code.as_str()).map(Vec::as_slice) {
            Some([one]) => {
                let pl = OrgLevel::parse(&one.level).unwrap_or(OrgLevel::Building);
                if !pl.may_contain(level) {
                    return Err(format!(
                        "上级 {}（{}）之下不能放{}",
                        one.code,
                        pl.label(),
                        level.label()
                    ));
                }
                if one.status != "active" {
                    return Err(format!("上级 {} 已停用", one.code));
                }
                ParentRef::Existing(Box::new((*one).clone()))
            }
            Some([]) | None => {
                return Err(format!(
                    "找不到上级编码 {}（文件中没有，您的管辖范围内也没有）",
                    r.parent_code
                ));
            }
            Some(_) => return Err(format!("上级编码 {} 在您的管辖范围内不唯一", r.parent_code)),
        }
    };
    Ok(Planned {
        row: r.clone(),
        level,
        kind,
        sort_order,
        parent,
    })
}

/// The template offered for download: the header and a few example rows.
pub const TEMPLATE_CSV: &str = "编码,名称,层级,上级编码,类型,排序\n\
330106001,示例街道,街道乡镇,330106,街道,1\n\
330106001001,示例社区,社区村,330106001,社区,1\n\
33010600100101,示例社区第一网格,网格,330106001001,,1\n\
3301060010010101,1幢,楼栋,33010600100101,,1\n";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_csv_with_chinese_headers_and_bom() {
        let text = "\u{feff}名称,编码,层级,上级编码\n网格一,G1,网格,C1\n\n网格二,G2,网格,C1\n";
        let rows = parse(text.as_bytes()).expect("rows");
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[0].code, "G1");
        assert_eq!(rows[0].line, 2);
        assert_eq!(rows[1].line, 4);
    }

    #[test]
    fn refuses_missing_columns_and_non_text() {
        let err = parse("名称,编码\nx,y\n".as_bytes()).expect_err("missing columns");
        assert!(err.to_string().contains("层级"));
        let err = parse(&[0xff, 0xfe, 0x00, 0x01]).expect_err("binary");
        assert!(err.to_string().contains("不是电子表格"));
        assert!(parse(b"").is_err());
    }
}
