//! Tags.

use super::*;

/// The street's care-group tags, in order.
pub async fn tags(db: &impl ConnectionTrait) -> AppResult<Vec<tag::Model>> {
    Ok(tag::Entity::find()
        .filter(tag::Column::Status.eq(ACTIVE))
        .order_by_asc(tag::Column::SortOrder)
        .order_by_asc(tag::Column::Id)
        .all(db)
        .await?)
}

/// Seeds the default tags into an empty table.
pub async fn seed_tags(db: &impl ConnectionTrait) -> Result<(), sea_orm::DbErr> {
    if tag::Entity::find().one(db).await?.is_some() {
        return Ok(());
    }
    let now = crate::infra::clock::now_ms();
    tag::Entity::insert_many(wangge_core::people::DEFAULT_TAGS.iter().enumerate().map(
        |(i, (_, name))| tag::ActiveModel {
            name: Set((*name).to_owned()),
            sort_order: Set(i32::try_from(i).unwrap_or(0)),
            status: Set(ACTIVE.into()),
            created_at: Set(now),
            ..Default::default()
        },
    ))
    .exec_without_returning(db)
    .await?;
    Ok(())
}

/// Adds a care-group tag. The list is the district's (every street's ledgers and imports use
/// it), so it is kept at the district: its administrator or command centre, or the command line.
pub async fn add_tag(
    conn: &sea_orm::DatabaseConnection,
    c: &Caller,
    name: &str,
) -> AppResult<tag::Model> {
    c.require_at_district(
        Permission::PeopleImport,
        "重点人群标签全区通用，由区级管理员或区综治中心维护；需要新标签请向区里提出",
    )?;
    let name = &validate::text("标签名称", name, 10, validate::Lines::One, true)?;
    let txn = crate::infra::db::begin_write(conn).await?;
    let db = &txn;
    if tag::Entity::find()
        .filter(tag::Column::Name.eq(name))
        .one(db)
        .await?
        .is_some()
    {
        return Err(AppError::conflict(
            "duplicate",
            format!("标签“{name}”已存在"),
        ));
    }
    let row = tag::ActiveModel {
        name: Set(name.to_owned()),
        sort_order: Set(100),
        status: Set(ACTIVE.into()),
        created_at: Set(crate::infra::clock::now_ms()),
        ..Default::default()
    }
    .insert(db)
    .await?;
    audit::record(
        db,
        &c.who,
        Entry {
            org_path: &c.audit_root(db).await?,
            action: "create",
            entity: "tag",
            entity_id: Some(row.id),
            summary: format!("新增重点人群标签“{name}”"),
            changes: json!({"name": name}),
        },
    )
    .await?;
    txn.commit().await?;
    Ok(row)
}

/// Maps tag names to ids, refusing an unknown one.
pub fn tag_ids(all: &[tag::Model], names: &[String]) -> AppResult<Vec<i64>> {
    names
        .iter()
        .map(|n| {
            all.iter()
                .find(|t| &t.name == n)
                .map(|t| t.id)
                .ok_or_else(|| {
                    AppError::bad(
                        "unknown_tag",
                        format!(
                            "未知的标签“{n}”（可用：{}）",
                            all.iter()
                                .map(|t| t.name.as_str())
                                .collect::<Vec<_>>()
                                .join("、")
                        ),
                    )
                })
        })
        .collect()
}

/// Replaces a resident's tags.
pub(crate) async fn set_tags(
    db: &impl ConnectionTrait,
    resident: i64,
    ids: &[i64],
) -> AppResult<()> {
    crate::infra::db::exec(
        db,
        "DELETE FROM resident_tags WHERE resident_id = $1",
        vec![resident.into()],
    )
    .await?;
    for t in ids {
        crate::infra::db::exec(
            db,
            "INSERT INTO resident_tags (resident_id, tag_id) VALUES ($1, $2)",
            vec![resident.into(), (*t).into()],
        )
        .await?;
    }
    Ok(())
}
