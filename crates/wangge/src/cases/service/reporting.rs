//! Intake.

use super::*;

pub use crate::cases::intake::{Created, NewCase, Reporter, parse_phone, report};

pub(crate) async fn active_node(
    db: &impl ConnectionTrait,
    id: i64,
) -> AppResult<Option<node::Model>> {
    Ok(node::Entity::find_by_id(id)
        .filter(node::Column::Status.eq("active"))
        .one(db)
        .await?)
}

pub(crate) fn level_of(n: &node::Model) -> Option<OrgLevel> {
    OrgLevel::parse(&n.level)
}

/// The path of the street or town above a place, given the place's ancestors: where a learned
/// category model is kept.
pub fn township_path(chain: &[node::Model]) -> Option<String> {
    chain
        .iter()
        .find(|n| n.level == "township")
        .map(|n| n.path.clone())
}

/// The street or town above a node's path.
pub async fn street_of(db: &impl ConnectionTrait, path: &OrgPath) -> AppResult<Option<String>> {
    Ok(township_path(&chain(db, path).await?))
}

/// The place's ancestors (itself included), as routing sees them.
pub(crate) async fn chain(
    db: &impl ConnectionTrait,
    path: &OrgPath,
) -> AppResult<Vec<node::Model>> {
    Ok(node::Entity::find()
        .filter(node::Column::Id.is_in(path.ids()))
        .all(db)
        .await?)
}

pub(crate) fn places_of(nodes: &[node::Model]) -> AppResult<Vec<Place>> {
    nodes
        .iter()
        .map(|n| {
            Ok(Place {
                id: n.id,
                name: n.name.clone(),
                path: stored_path(&n.path)?,
                level: level_of(n).unwrap_or(OrgLevel::Building),
                area: None,
                active: n.status == "active",
            })
        })
        .collect()
}

pub(crate) async fn departments_on(
    db: &impl ConnectionTrait,
    nodes: &[node::Model],
) -> AppResult<Vec<department::Model>> {
    Ok(department::Entity::find()
        .filter(department::Column::OrgId.is_in(nodes.iter().map(|n| n.id)))
        .filter(department::Column::Status.eq("active"))
        .all(db)
        .await?)
}

/// The suggested handler of a case at `place`, as (target, its name, reason), or the reason
/// none was found.
pub(crate) async fn suggest_route(
    db: &impl ConnectionTrait,
    place: &OrgPath,
    cat: &Category,
) -> AppResult<Result<(Target, String), String>> {
    let nodes = chain(db, place).await?;
    let depts = departments_on(db, &nodes).await?;
    route_from(&nodes, &depts, place, cat)
}

/// The suggested handler of a case at `place`, given the place's ancestors and their
/// departments (see [`suggest_route`]).
pub(crate) fn route_from(
    nodes: &[node::Model],
    depts: &[department::Model],
    place: &OrgPath,
    cat: &Category,
) -> AppResult<Result<(Target, String), String>> {
    let places = places_of(nodes)?;
    let rdepts: Vec<routing::Department> = depts
        .iter()
        .map(|d| {
            Ok(routing::Department {
                id: d.id,
                name: d.name.clone(),
                org_path: stored_path(&d.org_path)?,
                kind: d.kind.clone(),
                active: true,
            })
        })
        .collect::<AppResult<_>>()?;
    Ok(match routing::route(place, cat, &places, &rdepts) {
        Ok(r) => Ok((r.target, r.reason)),
        Err(e) => Err(e.to_string()),
    })
}

/// Stores an uploaded photo and notes who uploaded it (an account, or nobody for the public
/// page, whose photos go with the report in the same request). Answers (id, mime, size).
pub async fn store_upload(
    st: &CasesState,
    uploader: Option<&Actor>,
    bytes: &[u8],
) -> AppResult<(String, String, i64)> {
    let stored = crate::infra::files::put(&st.config.data_dir, bytes).await?;
    if let Some(a) = uploader {
        let txn = crate::infra::db::begin_write(&st.db).await?;
        let new = upload::Entity::insert(upload::ActiveModel {
            sha256: Set(stored.0.clone()),
            user_id: Set(a.user_id),
            created_at: Set(crate::infra::clock::now_ms()),
            ..Default::default()
        })
        .on_conflict(
            sea_orm::sea_query::OnConflict::columns([
                upload::Column::UserId,
                upload::Column::Sha256,
            ])
            .do_nothing()
            .to_owned(),
        )
        .try_insert()
        .exec(&txn)
        .await?;
        if matches!(new, sea_orm::TryInsertResult::Inserted(_)) {
            audit::record(
                &txn,
                &a.who(),
                Entry {
                    org_path: a.scope.root(),
                    action: "upload",
                    entity: "file",
                    entity_id: None,
                    summary: format!("上传照片（{}，{} 字节）", stored.1, stored.2),
                    changes: json!({"file": stored.0}),
                },
            )
            .await?;
        }
        txn.commit().await?;
    }
    Ok(stored)
}

/// Checks photo ids and returns them: each must be a stored file that `uploader` uploaded
/// (`None`: the public page, which passes the ids it stored in the same request). A file
/// someone else uploaded and a file that does not exist get the same answer, so a hash tells
/// nothing.
pub(crate) async fn photo_ids(
    st: &CasesState,
    uploader: Option<i64>,
    ids: &[String],
) -> AppResult<Vec<(String, String, i64)>> {
    if ids.len() > crate::infra::files::MAX_PHOTOS {
        return Err(AppError::bad(
            "too_many_photos",
            format!("每次最多上传 {} 张照片", crate::infra::files::MAX_PHOTOS),
        ));
    }
    let missing = || {
        AppError::bad(
            "bad_photo",
            "照片不存在或不是您上传的：请先上传照片，再提交",
        )
    };
    if let (Some(user), false) = (uploader, ids.is_empty()) {
        let owned: std::collections::HashSet<String> = upload::Entity::find()
            .select_only()
            .column(upload::Column::Sha256)
            .filter(upload::Column::UserId.eq(user))
            .filter(upload::Column::Sha256.is_in(ids.iter().cloned()))
            .into_tuple::<String>()
            .all(&st.db)
            .await?
            .into_iter()
            .collect();
        if ids.iter().any(|id| !owned.contains(id)) {
            return Err(missing());
        }
    }
    ids.iter()
        .map(|id| crate::infra::files::stat(&st.config.data_dir, id).ok_or_else(missing))
        .collect()
}

pub(crate) async fn attach(
    db: &impl ConnectionTrait,
    case_id: i64,
    event_id: Option<i64>,
    photos: &[(String, String, i64)],
) -> AppResult<()> {
    for (sha, mime, size) in photos {
        file::ActiveModel {
            case_id: Set(case_id),
            event_id: Set(event_id),
            sha256: Set(sha.clone()),
            mime: Set(mime.clone()),
            size: Set(*size),
            created_at: Set(crate::infra::clock::now_ms()),
            ..Default::default()
        }
        .insert(db)
        .await?;
    }
    Ok(())
}

/// Buildings and grids in the caller's scope, for a staff report's place.
pub async fn scoped_places(
    st: &CasesState,
    a: &Actor,
) -> AppResult<(Vec<crate::web::Choice>, Vec<crate::web::Choice>)> {
    let rows = crate::org::service::list(
        &st.db,
        &a.caller(),
        &crate::org::service::NodeFilter::default(),
    )
    .await?;
    let names: std::collections::HashMap<i64, String> =
        rows.iter().map(|n| (n.id, n.name.clone())).collect();
    let mut buildings = Vec::new();
    let mut areas = Vec::new();
    for n in rows.iter().filter(|n| n.status == "active") {
        match OrgLevel::parse(&n.level) {
            Some(OrgLevel::Building) => {
                let grid = n
                    .parent_id
                    .and_then(|p| names.get(&p))
                    .cloned()
                    .unwrap_or_default();
                buildings.push(crate::web::choice(n.id, format!("{grid} · {}", n.name)));
            }
            Some(
                OrgLevel::Grid | OrgLevel::MicroGrid | OrgLevel::Community | OrgLevel::Township,
            ) => {
                areas.push(crate::web::choice(
                    n.id,
                    format!(
                        "{}（{}）",
                        n.name,
                        OrgLevel::parse(&n.level).map_or("", |l| l.label())
                    ),
                ));
            }
            _ => {}
        }
    }
    Ok((buildings, areas))
}
