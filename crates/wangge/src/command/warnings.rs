//! Early warning (预警) and 每月一题: words in recent case text that call for attention now
//! (讨薪, 跳楼, 聚集, 燃气 …: the street's own list, the defaults until it sets one), cases
//! repeated at one building or address in one category, and the month's most frequent
//! categories as candidates for the month's question. Each warning links to its cases.

use super::dashboard::{Tallies, day_of};
use super::entity::keyword;
use crate::cases::entity::case;
use crate::cases::service::{APPEAL_KINDS, APPEALS, count_of};
use crate::infra::audit::{self, Entry};
use crate::infra::clock::{fmt_time, now_ms, today};
use crate::infra::db::{begin_write, statement};
use crate::infra::error::{AppError, AppResult, stored_path};
use crate::org::entity::node;
use crate::web::Caller;
use chrono::Datelike;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect, Set,
};
use serde::{Deserialize, Serialize};
use serde_json::json;
use std::collections::BTreeMap;
use wangge_core::{OrgPath, Scope};

/// The words watched until a street sets its own.
pub const DEFAULT_WORDS: [&str; 10] = [
    "讨薪", "欠薪", "跳楼", "轻生", "聚集", "上访", "燃气", "煤气", "火灾", "坍塌",
];

/// How far back the words are looked for, in days.
pub const KEYWORD_DAYS: i64 = 7;

/// How far back repeats are looked for, in days; and how many cases make a repeat.
pub const REPEAT_DAYS: i64 = 30;
pub const REPEAT_MIN: u64 = 3;

/// How many cases a warning lists.
const LISTED: u64 = 20;

/// How many categories the month's question considers.
pub const TOPICS: usize = 5;

/// A case a warning links to (no reporter: the title says what happened).
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct Linked {
    pub id: i64,
    pub case_no: String,
    pub title: String,
    pub status_label: String,
    pub reported_at: String,
}

/// Cases whose text holds a watched word.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct WordHit {
    pub word: String,
    pub count: u64,
    pub cases: Vec<Linked>,
}

/// Cases repeated at one place in one category.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct Repeat {
    /// The building's name or the address.
    pub place: String,
    pub category_code: String,
    pub category: String,
    pub count: u64,
    pub cases: Vec<Linked>,
}

/// A candidate for 每月一题: a category and its count this month and last.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct Topic {
    pub category_code: String,
    pub category: String,
    pub count: u64,
    pub last_month: u64,
}

/// The warnings of a node.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct Warnings {
    pub org_id: i64,
    pub org_name: String,
    /// The watched words in force, and whether they are the defaults.
    pub words: Vec<String>,
    pub default_words: bool,
    pub keyword_days: i64,
    pub word_hits: Vec<WordHit>,
    pub repeat_days: i64,
    pub repeat_min: u64,
    pub repeats: Vec<Repeat>,
    /// The last month over (`YYYY-MM`) and its top categories, with the month before's counts.
    pub month: String,
    /// Its first and last day (for the links to its cases).
    pub month_from: String,
    pub month_to: String,
    pub topics: Vec<Topic>,
}

/// The words in force at a node: those set at the nearest node on its path that set any; the
/// defaults when none did.
pub async fn words_at(
    db: &impl ConnectionTrait,
    n: &node::Model,
) -> AppResult<(Vec<String>, bool)> {
    let ids = OrgPath::parse(&n.path).map(|p| p.ids()).unwrap_or_default();
    let rows = keyword::Entity::find()
        .filter(keyword::Column::OrgNodeId.is_in(ids))
        .order_by_desc(keyword::Column::OrgPath)
        .order_by_asc(keyword::Column::Word)
        .all(db)
        .await?;
    match rows.first().map(|r| r.org_node_id) {
        Some(nearest) => Ok((
            rows.into_iter()
                .filter(|r| r.org_node_id == nearest)
                .map(|r| r.word)
                .collect(),
            false,
        )),
        None => Ok((
            DEFAULT_WORDS.iter().map(|w| (*w).to_owned()).collect(),
            true,
        )),
    }
}

fn linked(m: case::Model) -> Linked {
    Linked {
        id: m.id,
        case_no: m.case_no,
        title: m.title,
        status_label: wangge_core::case::Status::parse(&m.status)
            .map_or("", |s| s.label())
            .into(),
        reported_at: fmt_time(m.created_at),
    }
}

fn escape_like(w: &str) -> String {
    w.chars()
        .filter(|c| !matches!(c, '%' | '_' | '\\'))
        .collect()
}

/// The warnings of `n` now (its sight is checked by the caller of this).
pub async fn warnings(db: &impl ConnectionTrait, n: node::Model) -> AppResult<Warnings> {
    let pat = Scope::new(stored_path(&n.path)?).like_pattern();
    let now = now_ms();
    let (words, default_words) = words_at(db, &n).await?;
    let names = super::category_names(db).await?;
    // 每月一题: the most frequent categories of the last month over (the question of the month
    // is chosen from it), beside the month before.
    let day = today();
    let first = day
        .with_day(1)
        .and_then(|d| d.checked_sub_months(chrono::Months::new(1)))
        .unwrap_or(day);
    let (month, m0, m1) = super::ranking::month_bounds(&first.format("%Y-%m").to_string(), day)?;
    let prev = first
        .checked_sub_months(chrono::Months::new(1))
        .unwrap_or(first);
    let (_, p0, p1) = super::ranking::month_bounds(&prev.format("%Y-%m").to_string(), day)?;
    // The scans depend on nothing but the node: they run side by side, each on a connection of
    // the pool. The months' categories are the node's case tallies (`cat:`, m0028).
    let own = [n.id];
    let (word_hits, mut repeats, by_address, tallies) = tokio::try_join!(
        word_hits(db, &pat, now, &words),
        repeats(db, &pat, now, true, &names),
        repeats(db, &pat, now, false, &names),
        Tallies::read(db, &own, (day_of(p0), day_of(m1)), "cat:"),
    )?;
    repeats.extend(by_address);
    repeats.sort_by(|a, b| b.count.cmp(&a.count).then(a.place.cmp(&b.place)));
    let last = tallies.by(n.id, (day_of(p0), day_of(p1)), "cat:");
    let mut topics: Vec<Topic> = tallies
        .by(n.id, (day_of(m0), day_of(m1)), "cat:")
        .into_iter()
        .map(|(k, v)| Topic {
            category: names.get(&k).cloned().unwrap_or_else(|| k.clone()),
            last_month: last.get(&k).copied().unwrap_or(0),
            category_code: k,
            count: v,
        })
        .collect();
    topics.sort_by(|a, b| {
        b.count
            .cmp(&a.count)
            .then(a.category_code.cmp(&b.category_code))
    });
    topics.truncate(TOPICS);
    Ok(Warnings {
        org_id: n.id,
        org_name: n.name,
        words,
        default_words,
        keyword_days: KEYWORD_DAYS,
        word_hits,
        repeat_days: REPEAT_DAYS,
        repeat_min: REPEAT_MIN,
        repeats,
        month,
        month_from: first.to_string(),
        month_to: (first
            .checked_add_months(chrono::Months::new(1))
            .unwrap_or(first)
            - chrono::Duration::days(1))
        .to_string(),
        topics,
    })
}

/// The subtree's cases whose text holds a watched word, by word, newest first.
async fn word_hits(
    db: &impl ConnectionTrait,
    pat: &str,
    now: i64,
    words: &[String],
) -> AppResult<Vec<WordHit>> {
    if words.is_empty() {
        return Ok(Vec::new());
    }
    // One pass over the recent cases holding any of the words (the time slice of an index,
    // never the subtree's whole history), then each word's cases, newest first.
    let hint = super::index_hint(db, "ix_cases_dash_created");
    let mut vals: Vec<sea_orm::Value> = vec![pat.into(), (now - KEYWORD_DAYS * 86_400_000).into()];
    let mut any = Vec::new();
    for w in words {
        vals.push(format!("%{}%", escape_like(w)).into());
        let k = vals.len();
        any.push(format!("title LIKE ${k} OR description LIKE ${k}"));
    }
    let stmt = statement(
        db,
        &format!(
            "SELECT * FROM cases{hint} WHERE org_path LIKE $1 AND created_at >= $2 \
             AND {APPEALS} AND ({}) ORDER BY created_at DESC, id DESC",
            any.join(" OR ")
        ),
        vals,
    );
    let hits: Vec<case::Model> = case::Entity::find().from_raw_sql(stmt).all(db).await?;
    let mut word_hits = Vec::new();
    for w in words {
        let mine: Vec<&case::Model> = hits
            .iter()
            .filter(|m| m.title.contains(w.as_str()) || m.description.contains(w.as_str()))
            .collect();
        if mine.is_empty() {
            continue;
        }
        word_hits.push(WordHit {
            word: w.clone(),
            count: mine.len() as u64,
            cases: mine
                .into_iter()
                .take(LISTED as usize)
                .cloned()
                .map(linked)
                .collect(),
        });
    }
    Ok(word_hits)
}

/// The subtree's repeats of the last [`REPEAT_DAYS`]: at one building (`by_building`) or at
/// one address outside any building, in one category.
async fn repeats(
    db: &impl ConnectionTrait,
    pat: &str,
    now: i64,
    by_building: bool,
    names: &BTreeMap<String, String>,
) -> AppResult<Vec<Repeat>> {
    let hint = super::index_hint(db, "ix_cases_dash_created");
    let since = now - REPEAT_DAYS * 86_400_000;
    let mut repeats = Vec::new();
    let (col, extra) = if by_building {
        ("building_id", "building_id IS NOT NULL")
    } else {
        ("address", "building_id IS NULL AND address <> ''")
    };
    let groups = db
        .query_all_raw(statement(
            db,
            &format!(
                "SELECT {col}, category_code, COUNT(*) FROM cases{hint} WHERE org_path LIKE $1 \
                 AND created_at >= $2 AND {APPEALS} AND {extra} \
                 GROUP BY {col}, category_code HAVING COUNT(*) >= $3 \
                 ORDER BY COUNT(*) DESC LIMIT 50"
            ),
            vec![
                pat.into(),
                since.into(),
                i64::try_from(REPEAT_MIN).unwrap_or(3).into(),
            ],
        ))
        .await?;
    // A building's name ("32幢") is read with its grid's ("柳岸社区第一网格 32幢"): the
    // buildings of every cluster at once, then their grids at once.
    let building_ids: Vec<i64> = if by_building {
        groups
            .iter()
            .map(|g| g.try_get_by_index::<i64>(0).unwrap_or_default())
            .collect()
    } else {
        Vec::new()
    };
    let buildings = nodes_by_id(db, building_ids).await?;
    let grids = nodes_by_id(db, buildings.values().filter_map(|b| b.parent_id).collect()).await?;
    for g in groups {
        let cat: String = g.try_get_by_index(1).unwrap_or_default();
        let count = count_of(&g, 2);
        let (place, cond) = if by_building {
            let b: i64 = g.try_get_by_index(0).unwrap_or_default();
            let building = buildings.get(&b);
            let grid = building
                .and_then(|x| x.parent_id)
                .and_then(|g| grids.get(&g));
            let name = match (grid, building) {
                (Some(g), Some(x)) => format!("{} {}", g.name, x.name),
                (None, Some(x)) => x.name.clone(),
                _ => format!("楼栋 {b}"),
            };
            (name, case::Column::BuildingId.eq(b))
        } else {
            let a: String = g.try_get_by_index(0).unwrap_or_default();
            (a.clone(), case::Column::Address.eq(a))
        };
        let cases = case::Entity::find()
            .filter(case::Column::OrgPath.like(pat))
            .filter(case::Column::Kind.is_in(APPEAL_KINDS))
            .filter(case::Column::CreatedAt.gte(since))
            .filter(case::Column::CategoryCode.eq(cat.clone()))
            .filter(cond)
            .order_by_desc(case::Column::CreatedAt)
            .limit(LISTED)
            .all(db)
            .await?
            .into_iter()
            .map(linked)
            .collect();
        repeats.push(Repeat {
            place,
            category: names.get(&cat).cloned().unwrap_or_else(|| cat.clone()),
            category_code: cat,
            count,
            cases,
        });
    }
    Ok(repeats)
}

/// What changing the watched words sends.
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(default)]
pub struct WordInput {
    /// The node whose words change (the caller's own when none).
    pub org: Option<i64>,
    pub word: String,
    /// Remove the word instead of adding it.
    pub remove: bool,
}

/// Adds or removes a watched word at a node (the command centre, the community's secretary).
/// A node still on the defaults gets them as its own first, so removing one keeps the others.
pub async fn change_word(
    db: &sea_orm::DatabaseConnection,
    c: &Caller,
    input: WordInput,
) -> AppResult<Vec<String>> {
    if !super::publish::governs(c) {
        return Err(AppError::bad(
            "not_governor",
            "预警关键词由综治中心或社区书记设置",
        ));
    }
    let word = wangge_core::validate::text(
        "关键词",
        &input.word,
        20,
        wangge_core::validate::Lines::One,
        true,
    )?;
    if word.chars().count() < 2 || word.contains(['%', '_', '\\']) {
        return Err(AppError::bad(
            "bad_word",
            "关键词至少两个字，且不能含 % _ \\ 这样的符号",
        ));
    }
    let n = super::ranking::node_of(db, c, input.org).await?;
    let (now_words, defaults) = words_at(db, &n).await?;
    let own_already = !defaults
        && keyword::Entity::find()
            .filter(keyword::Column::OrgNodeId.eq(n.id))
            .one(db)
            .await?
            .is_some();
    let mut want: Vec<String> = if own_already {
        Vec::new()
    } else {
        // The node takes over the words in force (the defaults or its parent's) as its own.
        now_words.clone()
    };
    let tx = begin_write(db).await?;
    let actor = crate::users::display_name(&tx, c).await?;
    if input.remove {
        if !now_words.contains(&word) {
            return Err(AppError::bad("no_word", format!("没有“{word}”这个关键词")));
        }
        want.retain(|w| *w != word);
        if own_already {
            keyword::Entity::delete_many()
                .filter(keyword::Column::OrgNodeId.eq(n.id))
                .filter(keyword::Column::Word.eq(word.clone()))
                .exec(&tx)
                .await?;
        }
    } else if own_already || !want.contains(&word) {
        want.push(word.clone());
    }
    for w in &want {
        keyword::ActiveModel {
            org_node_id: Set(n.id),
            org_path: Set(n.path.clone()),
            word: Set(w.clone()),
            actor_name: Set(actor.clone()),
            created_at: Set(now_ms()),
            ..Default::default()
        }
        .insert(&tx)
        .await?;
    }
    audit::record(
        &tx,
        &c.who,
        Entry {
            org_path: &stored_path(&n.path)?,
            action: "update",
            entity: "warning_keyword",
            entity_id: None,
            summary: format!(
                "{}预警关键词{}“{word}”",
                n.name,
                if input.remove { "删除" } else { "增加" }
            ),
            changes: json!({"word": word, "remove": input.remove}),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(words_at(db, &n).await?.0)
}

/// Nodes by id, read at once.
async fn nodes_by_id(
    db: &impl ConnectionTrait,
    ids: Vec<i64>,
) -> AppResult<std::collections::BTreeMap<i64, node::Model>> {
    if ids.is_empty() {
        return Ok(std::collections::BTreeMap::new());
    }
    Ok(node::Entity::find()
        .filter(node::Column::Id.is_in(ids))
        .all(db)
        .await?
        .into_iter()
        .map(|n| (n.id, n))
        .collect())
}
