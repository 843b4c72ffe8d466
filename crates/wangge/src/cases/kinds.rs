//! The kinds of work the engine carries, as the slices registered them (each slice's
//! `SLICE.kinds`): the appeal (with 事件 as its alias) from this slice, the errand from the
//! party slice. The engine finds a case's flow here and never imports the slice that brought it.

use crate::infra::error::{AppError, AppResult};
use crate::web::Site;
use wangge_core::flow::{Flow, Kind};

/// The flow of a stored or requested kind (an alias runs on its kind's flow).
pub fn flow_of(site: &Site, kind: &str) -> Option<&'static Flow> {
    site.kinds
        .iter()
        .find(|k| k.flow.kind == kind || k.aliases.iter().any(|a| a.0 == kind))
        .map(|k| k.flow)
}

/// The flow of a stored case: a kind no slice registers any more is a damaged row.
pub fn flow_for_case(site: &Site, kind: &str, id: i64) -> AppResult<&'static Flow> {
    flow_of(site, kind)
        .ok_or_else(|| AppError::Internal(anyhow::anyhow!("case {id} has an unknown kind {kind}")))
}

/// Every kind a report may name, with its Chinese name: each registered kind and its aliases.
pub fn choices(site: &Site) -> Vec<(&'static str, &'static str)> {
    site.kinds
        .iter()
        .flat_map(|k: &&'static Kind| {
            std::iter::once((k.flow.kind, k.flow.label)).chain(k.aliases.iter().copied())
        })
        .collect()
}

/// The Chinese name of a kind or alias (`其他` for one nobody registered).
pub fn label(site: &Site, kind: &str) -> &'static str {
    site.kinds
        .iter()
        .find_map(|k| {
            if k.flow.kind == kind {
                Some(k.flow.label)
            } else {
                k.aliases.iter().find(|a| a.0 == kind).map(|a| a.1)
            }
        })
        .unwrap_or("其他")
}

/// The state label of a case of a kind (`未知` when the kind or state is unknown).
pub fn state_label(site: &Site, kind: &str, status: &str) -> &'static str {
    flow_of(site, kind).map_or("未知", |f| f.label_of(status))
}
