//! Category suggestion: the administrators' keyword rules first (each says which words
//! matched), then a classifier learned from the street's own closed cases (it says which
//! character pairs weighed most). The learned models are derived data, kept per street for
//! [`TTL`] and rebuilt from the cases when they expire.

use super::CasesState;
use super::catalog::Catalog;
use super::entity::case;
use crate::infra::error::AppResult;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
use serde::Serialize;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use wangge_core::category;
use wangge_core::classify::Model;

/// How long a learned model is used before it is rebuilt.
pub const TTL: Duration = Duration::from_secs(600);
/// How many of the latest closed cases a model learns from.
const TRAIN_ON: u64 = 5000;

/// One suggestion, with why.
#[derive(Debug, Clone, Serialize)]
pub struct Suggestion {
    /// Category code.
    pub code: String,
    /// Category name.
    pub name: String,
    /// `keywords` (the editable rules) or `learned` (the street's closed cases).
    pub method: &'static str,
    /// Why, in Chinese.
    pub reason: String,
}

/// A street's model (none when it has too few closed cases), and when it was built.
type Entry = (Instant, Option<Arc<Model>>);

/// Learned models per street path.
#[derive(Default)]
pub struct Models {
    inner: Mutex<HashMap<String, Entry>>,
    /// Held while a model is trained, so a burst of reports trains it once, not once each.
    training: tokio::sync::Mutex<()>,
    /// Set while intake has a rebuild running in the background.
    rebuilding: std::sync::atomic::AtomicBool,
}

impl Models {
    fn fresh(&self, street: &str) -> Option<Option<Arc<Model>>> {
        let g = self.inner.lock().ok()?;
        let (at, m) = g.get(street)?;
        (at.elapsed() < TTL).then(|| m.clone())
    }

    /// The street's model however old, and whether it should be rebuilt.
    fn latest(&self, street: &str) -> (Option<Arc<Model>>, bool) {
        let Ok(g) = self.inner.lock() else {
            return (None, false);
        };
        match g.get(street) {
            Some((at, m)) => (m.clone(), at.elapsed() >= TTL),
            None => (None, true),
        }
    }
}

async fn model_for(st: &CasesState, street: &str) -> AppResult<Option<Arc<Model>>> {
    if let Some(m) = st.models.fresh(street) {
        return Ok(m);
    }
    let _one = st.models.training.lock().await;
    if let Some(m) = st.models.fresh(street) {
        return Ok(m);
    }
    let mut closed = case::Entity::find()
        .select_only()
        .column(case::Column::CategoryCode)
        .column(case::Column::Title)
        .column(case::Column::Description)
        .filter(case::Column::Status.eq("closed"));
    // "/" is the whole tree (a caller above any street): no subtree to narrow to.
    if street != "/" {
        closed = closed.filter(crate::infra::db::subtree(
            case::Column::OrgPath,
            &crate::infra::error::stored_path(street)?,
        ));
    }
    let rows: Vec<(String, String, String)> = closed
        .order_by_desc(case::Column::Id)
        .limit(TRAIN_ON)
        .into_tuple()
        .all(&st.db)
        .await?;
    let texts: Vec<(String, String)> = rows
        .into_iter()
        .map(|(c, t, d)| (c, format!("{t} {d}")))
        .collect();
    let model = Model::train(texts.iter().map(|(c, t)| (c.as_str(), t.as_str()))).map(Arc::new);
    if let Ok(mut g) = st.models.inner.lock() {
        g.insert(street.to_owned(), (Instant::now(), model.clone()));
    }
    Ok(model)
}

/// The category intake chose for a report that came without one, and why.
#[derive(Clone, Debug, PartialEq)]
pub struct Pick {
    /// The category's code.
    pub code: String,
    /// `keywords` (the editable rules) or `learned` (the street's closed cases).
    pub method: &'static str,
    /// The keyword score (matched characters) or the learned probability.
    pub score: f64,
    /// The words (or character pairs) that led to it.
    pub words: Vec<String>,
}

/// The one category intake gives a report of `kind` that came without one: the first keyword
/// rule that matches, else the street's learned model if it is sure enough. Never waits: a
/// model that is missing or old is (re)built in the background and used from the next report on.
pub fn best(
    st: &CasesState,
    catalog: &Catalog,
    kind: &str,
    text: &str,
    street: Option<&str>,
) -> Option<Pick> {
    if let Some(s) = category::suggest(catalog.in_use_for(kind), text, 1)
        .into_iter()
        .next()
    {
        return Some(Pick {
            code: s.code,
            method: "keywords",
            score: s.score as f64,
            words: s.matched,
        });
    }
    let street = street.unwrap_or("/");
    let (model, stale) = st.models.latest(street);
    let flag = &st.models.rebuilding;
    if stale && !flag.swap(true, std::sync::atomic::Ordering::AcqRel) {
        let (st, street) = (st.clone(), street.to_owned());
        tokio::spawn(async move {
            if let Err(e) = model_for(&st, &street).await {
                tracing::warn!(error = %e, "could not train the category model");
            }
            st.models
                .rebuilding
                .store(false, std::sync::atomic::Ordering::Release);
        });
    }
    model?
        .predict(text, 1)
        .into_iter()
        .find(|g| g.probability >= MIN_PROBABILITY)
        .filter(|g| {
            catalog.active.contains(&g.code)
                && catalog.category(&g.code).is_some_and(|c| c.kind == kind)
        })
        .map(|g| Pick {
            code: g.code,
            method: "learned",
            score: g.probability,
            words: g.evidence,
        })
}

/// Below this, a learned guess is not offered.
const MIN_PROBABILITY: f64 = 0.3;

/// Suggestions for a text reported in `street` (a path; the whole deployment when `None`).
pub async fn suggest(
    st: &CasesState,
    text: &str,
    street: Option<&str>,
) -> AppResult<Vec<Suggestion>> {
    let catalog = st.catalog.get(&st.db).await?;
    let mut out: Vec<Suggestion> = category::suggest(catalog.in_use_for("appeal"), text, 3)
        .into_iter()
        .map(|s| Suggestion {
            reason: s.reason(),
            code: s.code,
            name: s.name,
            method: "keywords",
        })
        .collect();
    if let Some(m) = model_for(st, street.unwrap_or("/")).await? {
        for g in m.predict(text, 3) {
            if g.probability < MIN_PROBABILITY || out.iter().any(|s| s.code == g.code) {
                continue;
            }
            let Some(c) = catalog
                .category(&g.code)
                .filter(|c| catalog.active.contains(&c.code))
            else {
                continue;
            };
            out.push(Suggestion {
                code: c.code.clone(),
                name: c.name.clone(),
                method: "learned",
                reason: format!(
                    "与本街道 {} 件已结案件相比，“{}”多见于此类（把握 {:.0}%）",
                    m.examples(),
                    g.evidence.join("”“"),
                    g.probability * 100.0
                ),
            });
        }
    }
    Ok(out)
}
