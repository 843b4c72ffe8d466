//! The editable reference data of the case loop: the category tree and the working calendar.
//!
//! Both are tables seeded from the files in `crates/core/data/` on first start, and edited by
//! administrators afterwards (a new year's holidays are added each autumn). Services read them
//! through [`Cache`], which reloads after an edit in this process and at most
//! [`Cache::TTL`] after an edit in another one.

use super::entity::{calendar_day, category};
use crate::infra::audit::{self, Entry};
use crate::infra::error::{AppError, AppResult};
use crate::web::Caller;
use chrono::NaiveDate;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter,
    QueryOrder, Set,
};
use serde::{Deserialize, Serialize};
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};
use wangge_core::category::{self as cat, Category, HandlerLevel, limit_code, limit_label};
use wangge_core::flow::Kind;
use wangge_core::validate;
use wangge_core::worktime::{Calendar, DayKind, SpecialDay, WorkHours};

const CATEGORIES: &str = include_str!("../../../core/data/categories-cn.json");
const HOLIDAYS: &str = include_str!("../../../core/data/holidays-cn.json");

/// Fills empty tables from the seed files, and adds the categories of every kind of work the
/// slices bring that are not there yet. Idempotent.
pub async fn seed(db: &impl ConnectionTrait, kinds: &[&'static Kind]) -> anyhow::Result<()> {
    let now = crate::infra::clock::now_ms();
    if category::Entity::find().count(db).await? == 0 {
        let cats = cat::parse_taxonomy(CATEGORIES)?;
        for (i, c) in cats.into_iter().enumerate() {
            category::ActiveModel {
                code: Set(c.code),
                kind: Set(c.kind),
                name: Set(c.name),
                group_code: Set(c.group_code),
                group_name: Set(c.group_name),
                handler: Set(c.handler.as_str().to_owned()),
                department_kind: Set(c.department_kind),
                response: Set(limit_code(c.response)),
                handling: Set(limit_code(c.handling)),
                keywords: Set(c.keywords.join(" ")),
                active: Set(true),
                sort_order: Set(i32::try_from(i).unwrap_or(i32::MAX)),
                version: Set(1),
                updated_at: Set(now),
                ..Default::default()
            }
            .insert(db)
            .await?;
        }
    }
    let mut order = 10_000;
    for kind in kinds {
        for c in kind.categories {
            order += 1;
            if category::Entity::find()
                .filter(category::Column::Code.eq(c.code))
                .count(db)
                .await?
                > 0
            {
                continue;
            }
            category::ActiveModel {
                code: Set(c.code.to_owned()),
                kind: Set(kind.flow.kind.to_owned()),
                name: Set(c.name.to_owned()),
                group_code: Set(c.code.get(..2).unwrap_or(c.code).to_owned()),
                group_name: Set(c.group.to_owned()),
                handler: Set(HandlerLevel::Community.as_str().to_owned()),
                department_kind: Set(None),
                response: Set(limit_code(c.response)),
                handling: Set(limit_code(c.handling)),
                keywords: Set(c.keywords.join(" ")),
                active: Set(true),
                sort_order: Set(order),
                version: Set(1),
                updated_at: Set(now),
                ..Default::default()
            }
            .insert(db)
            .await?;
        }
    }
    if calendar_day::Entity::find().count(db).await? == 0 {
        for d in Calendar::parse_schedule(HOLIDAYS)? {
            calendar_day::ActiveModel {
                day: Set(d.date.to_string()),
                kind: Set(kind_str(d.kind).to_owned()),
                name: Set(d.name),
                updated_at: Set(now),
                ..Default::default()
            }
            .insert(db)
            .await?;
        }
    }
    Ok(())
}

fn kind_str(k: DayKind) -> &'static str {
    match k {
        DayKind::Holiday => "holiday",
        DayKind::Workday => "workday",
    }
}

/// The loaded reference data.
#[derive(Debug)]
pub struct Catalog {
    /// Active and retired categories, in tree order.
    pub categories: Vec<Category>,
    /// Which codes are in use.
    pub active: std::collections::HashSet<String>,
    /// The working calendar.
    pub calendar: Calendar,
    /// The share of a limit after which its light turns yellow (`[pressing] yellow_at`).
    pub yellow_at: f64,
}

impl Catalog {
    /// The category with a code, if it exists (in use or not).
    pub fn category(&self, code: &str) -> Option<&Category> {
        self.categories.iter().find(|c| c.code == code)
    }

    /// The categories in use.
    pub fn in_use(&self) -> impl Iterator<Item = &Category> {
        self.categories
            .iter()
            .filter(|c| self.active.contains(&c.code))
    }

    /// The categories in use for one kind of work.
    pub fn in_use_for<'a>(&'a self, kind: &'a str) -> impl Iterator<Item = &'a Category> {
        self.in_use().filter(move |c| c.kind == kind)
    }
}

fn to_category(r: &category::Model) -> AppResult<Category> {
    let bad = || AppError::Internal(anyhow::anyhow!("category {} is damaged", r.code));
    Ok(Category {
        code: r.code.clone(),
        kind: r.kind.clone(),
        name: r.name.clone(),
        group_code: r.group_code.clone(),
        group_name: r.group_name.clone(),
        handler: HandlerLevel::parse(&r.handler).ok_or_else(bad)?,
        department_kind: r.department_kind.clone(),
        response: cat::parse_limit(&r.response).ok_or_else(bad)?,
        handling: cat::parse_limit(&r.handling).ok_or_else(bad)?,
        keywords: split_keywords(&r.keywords),
    })
}

fn split_keywords(s: &str) -> Vec<String> {
    s.split(|c: char| c.is_whitespace() || matches!(c, ',' | '，' | '、' | ';' | '；'))
        .filter(|k| !k.is_empty())
        .map(str::to_owned)
        .collect()
}

/// Reads the catalog from the database.
pub async fn load(db: &impl ConnectionTrait) -> AppResult<Catalog> {
    let rows = category::Entity::find()
        .order_by_asc(category::Column::SortOrder)
        .order_by_asc(category::Column::Id)
        .all(db)
        .await?;
    let categories = rows
        .iter()
        .map(to_category)
        .collect::<AppResult<Vec<_>>>()?;
    let active = rows
        .iter()
        .filter(|r| r.active)
        .map(|r| r.code.clone())
        .collect();
    let days = calendar_day::Entity::find().all(db).await?;
    let mut special = Vec::with_capacity(days.len());
    for d in days {
        let (Ok(date), kind) = (
            NaiveDate::parse_from_str(&d.day, "%Y-%m-%d"),
            d.kind.as_str(),
        ) else {
            continue;
        };
        special.push(SpecialDay {
            date,
            kind: if kind == "workday" {
                DayKind::Workday
            } else {
                DayKind::Holiday
            },
            name: d.name,
        });
    }
    let calendar =
        Calendar::new(special, WorkHours::default()).map_err(|e| AppError::Internal(e.into()))?;
    Ok(Catalog {
        categories,
        active,
        calendar,
        yellow_at: wangge_core::press::Rules::default().yellow_at,
    })
}

/// A process-wide copy of the catalog, reloaded after edits and at most every [`Cache::TTL`].
pub struct Cache {
    inner: RwLock<Option<(Instant, Arc<Catalog>)>>,
    yellow_at: f64,
}

impl Cache {
    /// An empty cache whose catalogs carry the configured yellow share.
    pub fn new(yellow_at: f64) -> Cache {
        Cache {
            inner: RwLock::default(),
            yellow_at,
        }
    }

    /// How stale a copy may get when another process edits the tables.
    pub const TTL: Duration = Duration::from_secs(30);

    /// The current catalog.
    pub async fn get(&self, db: &impl ConnectionTrait) -> AppResult<Arc<Catalog>> {
        if let Ok(g) = self.inner.read()
            && let Some((at, c)) = g.as_ref()
            && at.elapsed() < Self::TTL
        {
            return Ok(c.clone());
        }
        let mut loaded = load(db).await?;
        loaded.yellow_at = self.yellow_at;
        let fresh = Arc::new(loaded);
        if let Ok(mut g) = self.inner.write() {
            *g = Some((Instant::now(), fresh.clone()));
        }
        Ok(fresh)
    }

    /// Forgets the copy (after an edit).
    pub fn invalidate(&self) {
        if let Ok(mut g) = self.inner.write() {
            *g = None;
        }
    }
}

/// A category as the API shows it.
#[derive(Debug, Serialize)]
pub struct CategoryView {
    /// Code.
    pub code: String,
    /// Name.
    pub name: String,
    /// Group code.
    pub group_code: String,
    /// Group name.
    pub group_name: String,
    /// grid / community / township / department.
    pub handler: String,
    /// Chinese name of the handler level.
    pub handler_label: String,
    /// Department kind for department handlers.
    pub department_kind: Option<String>,
    /// Response limit (`4wh` …).
    pub response: String,
    /// In Chinese.
    pub response_label: String,
    /// Handling limit (`7wd` …).
    pub handling: String,
    /// In Chinese.
    pub handling_label: String,
    /// Keywords of the suggestion.
    pub keywords: Vec<String>,
    /// In use.
    pub active: bool,
    /// For optimistic concurrency.
    pub version: i32,
}

/// Every category, in tree order.
pub async fn categories(db: &impl ConnectionTrait) -> AppResult<Vec<CategoryView>> {
    let rows = category::Entity::find()
        .order_by_asc(category::Column::SortOrder)
        .order_by_asc(category::Column::Id)
        .all(db)
        .await?;
    rows.iter().map(view).collect()
}

fn view(r: &category::Model) -> AppResult<CategoryView> {
    let c = to_category(r)?;
    Ok(CategoryView {
        code: c.code,
        name: c.name,
        group_code: c.group_code,
        group_name: c.group_name,
        handler: c.handler.as_str().to_owned(),
        handler_label: c.handler.label().to_owned(),
        department_kind: c.department_kind,
        response: r.response.clone(),
        response_label: limit_label(c.response),
        handling: r.handling.clone(),
        handling_label: limit_label(c.handling),
        keywords: c.keywords,
        active: r.active,
        version: r.version,
    })
}

/// What an administrator sets on a category (new or edited).
#[derive(Debug, Deserialize)]
pub struct CategoryInput {
    /// Code (for a new one; ignored on edit).
    #[serde(default)]
    pub code: String,
    /// Name.
    pub name: String,
    /// Group code (for a new one: an existing group's code, or a new group's).
    #[serde(default)]
    pub group_code: String,
    /// Group name (for a new group).
    #[serde(default)]
    pub group_name: String,
    /// grid / community / township / department.
    pub handler: String,
    /// For department handlers.
    #[serde(default)]
    pub department_kind: Option<String>,
    /// Response limit.
    pub response: String,
    /// Handling limit.
    pub handling: String,
    /// Keywords, separated by spaces, commas or 、.
    #[serde(default)]
    pub keywords: String,
    /// In use.
    #[serde(default = "yes")]
    pub active: bool,
    /// The version edited (edits only).
    #[serde(default)]
    pub version: Option<i32>,
}

fn yes() -> bool {
    true
}

struct Checked {
    name: String,
    handler: HandlerLevel,
    department_kind: Option<String>,
    response: String,
    handling: String,
    keywords: String,
}

fn check(i: &CategoryInput) -> AppResult<Checked> {
    let name = validate::text("分类名称", &i.name, 50, validate::Lines::One, true)
        .map_err(|e| AppError::bad("bad_name", e.0))?;
    let name = name.as_str();
    let handler = HandlerLevel::parse(&i.handler)
        .ok_or_else(|| AppError::bad("bad_handler", "处置层级应为网格、社区、街道或职能部门"))?;
    let department_kind = Some(validate::text(
        "部门类型",
        i.department_kind.as_deref().unwrap_or(""),
        32,
        validate::Lines::One,
        false,
    )?)
    .filter(|k| !k.is_empty());
    if handler == HandlerLevel::Department && department_kind.is_none() {
        return Err(AppError::bad(
            "no_department_kind",
            "由职能部门处置时，请填写部门类型",
        ));
    }
    let limit = |what: &str, t: &str| {
        cat::parse_limit(t).map(limit_code).ok_or_else(|| {
            AppError::bad(
                "bad_limit",
                format!("{what}“{t}”无法识别：请写成 30m（分钟）、2h（小时）、4wh（工作小时）或 7wd（工作日）"),
            )
        })
    };
    let keywords = split_keywords(&i.keywords);
    for k in &keywords {
        validate::text("关键词", k, 20, validate::Lines::One, true)
            .map_err(|e| AppError::bad("bad_keywords", e.0))?;
    }
    if keywords.len() > 100 {
        return Err(AppError::bad(
            "bad_keywords",
            "关键词每个不超过 20 个字，最多 100 个",
        ));
    }
    Ok(Checked {
        name: name.to_owned(),
        handler,
        department_kind: (handler == HandlerLevel::Department)
            .then_some(department_kind)
            .flatten(),
        response: limit("签收时限", &i.response)?,
        handling: limit("办理时限", &i.handling)?,
        keywords: keywords.join(" "),
    })
}

/// Changes a category.
pub async fn update_category(
    db: &sea_orm::DatabaseConnection,
    c: &Caller,
    code: &str,
    i: CategoryInput,
) -> AppResult<CategoryView> {
    c.require_district_admin()?;
    let v = check(&i)?;
    let tx = crate::infra::db::begin_write(db).await?;
    let row = category::Entity::find()
        .filter(category::Column::Code.eq(code))
        .one(&tx)
        .await?
        .ok_or_else(|| AppError::NotFound("没有这个事项分类".into()))?;
    if i.version.is_some_and(|ver| ver != row.version) {
        return Err(AppError::stale());
    }
    let before = view(&row)?;
    let mut am: category::ActiveModel = row.clone().into();
    am.name = Set(v.name);
    am.handler = Set(v.handler.as_str().to_owned());
    am.department_kind = Set(v.department_kind);
    am.response = Set(v.response);
    am.handling = Set(v.handling);
    am.keywords = Set(v.keywords);
    am.active = Set(i.active);
    am.version = Set(row.version + 1);
    am.updated_at = Set(crate::infra::clock::now_ms());
    let saved = am.update(&tx).await?;
    let after = view(&saved)?;
    audit::record(
        &tx,
        &c.who,
        Entry {
            org_path: &c.audit_root(&tx).await?,
            action: "update",
            entity: "category",
            entity_id: Some(saved.id),
            summary: format!("修改事项分类 {} {}", saved.code, saved.name),
            changes: audit::changes(&[
                ("name", before.name.into(), after.name.clone().into()),
                (
                    "handler",
                    before.handler.into(),
                    after.handler.clone().into(),
                ),
                (
                    "response",
                    before.response.into(),
                    after.response.clone().into(),
                ),
                (
                    "handling",
                    before.handling.into(),
                    after.handling.clone().into(),
                ),
                (
                    "keywords",
                    before.keywords.join(" ").into(),
                    after.keywords.join(" ").into(),
                ),
                ("active", before.active.into(), after.active.into()),
            ]),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(after)
}

/// Adds a category.
pub async fn create_category(
    db: &sea_orm::DatabaseConnection,
    c: &Caller,
    i: CategoryInput,
) -> AppResult<CategoryView> {
    c.require_district_admin()?;
    let v = check(&i)?;
    let code = i.code.trim().to_uppercase();
    if code.is_empty() || code.len() > 16 || !code.chars().all(|ch| ch.is_ascii_alphanumeric()) {
        return Err(AppError::bad(
            "bad_code",
            "分类编码应为 1 到 16 位字母或数字，如 HJ09",
        ));
    }
    let tx = crate::infra::db::begin_write(db).await?;
    let group_code = i.group_code.trim().to_uppercase();
    let group = category::Entity::find()
        .filter(category::Column::GroupCode.eq(&group_code))
        .one(&tx)
        .await?;
    let new_name = validate::text("大类名称", &i.group_name, 50, validate::Lines::One, false)
        .map_err(|e| AppError::bad("bad_group", e.0))?;
    let group_name = match (&group, new_name.as_str()) {
        (Some(g), _) => g.group_name.clone(),
        (None, n) if !n.is_empty() && !group_code.is_empty() => n.to_owned(),
        _ => {
            return Err(AppError::bad(
                "bad_group",
                "请选择已有的分类大类，或同时填写新大类的编码和名称",
            ));
        }
    };
    let max = category::Entity::find()
        .order_by_desc(category::Column::SortOrder)
        .one(&tx)
        .await?
        .map_or(0, |r| r.sort_order);
    let saved = category::ActiveModel {
        code: Set(code.clone()),
        name: Set(v.name),
        group_code: Set(group_code),
        group_name: Set(group_name),
        handler: Set(v.handler.as_str().to_owned()),
        department_kind: Set(v.department_kind),
        response: Set(v.response),
        handling: Set(v.handling),
        keywords: Set(v.keywords),
        active: Set(i.active),
        sort_order: Set(max + 1),
        version: Set(1),
        updated_at: Set(crate::infra::clock::now_ms()),
        ..Default::default()
    }
    .insert(&tx)
    .await
    .map_err(|e| match AppError::from(e) {
        AppError::Conflict { .. } => {
            AppError::conflict("duplicate", format!("分类编码 {code} 已经存在"))
        }
        other => other,
    })?;
    audit::record(
        &tx,
        &c.who,
        Entry {
            org_path: &c.audit_root(&tx).await?,
            action: "create",
            entity: "category",
            entity_id: Some(saved.id),
            summary: format!("新增事项分类 {} {}", saved.code, saved.name),
            changes: serde_json::json!({}),
        },
    )
    .await?;
    tx.commit().await?;
    view(&saved)
}

/// A listed day as the API shows it.
#[derive(Debug, Serialize)]
pub struct DayView {
    /// YYYY-MM-DD.
    pub date: String,
    /// holiday / workday.
    pub kind: String,
    /// 春节, 调休上班 …
    pub name: String,
}

/// The listed days of a year, and whether the year is covered at all.
pub async fn days(db: &impl ConnectionTrait, year: i32) -> AppResult<Vec<DayView>> {
    let rows = calendar_day::Entity::find()
        .filter(calendar_day::Column::Day.starts_with(format!("{year}-")))
        .order_by_asc(calendar_day::Column::Day)
        .all(db)
        .await?;
    Ok(rows
        .into_iter()
        .map(|d| DayView {
            date: d.day,
            kind: d.kind,
            name: d.name,
        })
        .collect())
}

/// The years with a listed schedule.
pub async fn years(db: &impl ConnectionTrait) -> AppResult<Vec<i32>> {
    let rows = calendar_day::Entity::find().all(db).await?;
    let mut ys: Vec<i32> = rows
        .iter()
        .filter_map(|d| d.day.get(0..4)?.parse().ok())
        .collect();
    ys.sort_unstable();
    ys.dedup();
    Ok(ys)
}

/// Lists a day as a holiday or a make-up workday (replacing what was listed), or, with kind
/// `normal`, removes it from the list.
pub async fn set_day(
    db: &sea_orm::DatabaseConnection,
    c: &Caller,
    date: &str,
    kind: &str,
    name: &str,
) -> AppResult<()> {
    c.require_district_admin()?;
    let d = NaiveDate::parse_from_str(date.trim(), "%Y-%m-%d")
        .map_err(|_| AppError::bad("bad_date", "日期应写成 2027-01-01 这样的格式"))?;
    if !matches!(kind, "holiday" | "workday" | "normal") {
        return Err(AppError::bad(
            "bad_kind",
            "请选择放假、调休上班或恢复为普通日",
        ));
    }
    let name = validate::text("节日名称", name, 50, validate::Lines::One, kind != "normal")
        .map_err(|_| {
            AppError::bad(
                "bad_name",
                "请填写节日名称（如 春节、调休上班），不超过 50 个字、不含控制字符",
            )
        })?;
    let name = name.as_str();
    let day = d.to_string();
    let tx = crate::infra::db::begin_write(db).await?;
    let old = calendar_day::Entity::find()
        .filter(calendar_day::Column::Day.eq(&day))
        .one(&tx)
        .await?;
    let before = old
        .as_ref()
        .map(|o| o.kind.clone())
        .unwrap_or_else(|| "normal".into());
    if let Some(o) = old {
        calendar_day::Entity::delete_by_id(o.id).exec(&tx).await?;
    }
    if kind != "normal" {
        calendar_day::ActiveModel {
            day: Set(day.clone()),
            kind: Set(kind.to_owned()),
            name: Set(name.to_owned()),
            updated_at: Set(crate::infra::clock::now_ms()),
            ..Default::default()
        }
        .insert(&tx)
        .await?;
    }
    audit::record(
        &tx,
        &c.who,
        Entry {
            org_path: &c.audit_root(&tx).await?,
            action: "update",
            entity: "calendar",
            entity_id: None,
            summary: format!("工作日历：{day} 设为{}", day_label(kind)),
            changes: audit::changes(&[("kind", before.into(), kind.into())]),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// The Chinese name of a day kind.
pub fn day_label(kind: &str) -> &'static str {
    match kind {
        "holiday" => "放假",
        "workday" => "调休上班",
        _ => "普通日",
    }
}
