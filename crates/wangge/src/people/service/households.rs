//! Buildings and households.

use super::*;

/// A building (楼栋) in the caller's scope.
pub async fn building(st: &PeopleState, c: &Caller, id: i64) -> AppResult<node::Model> {
    let b = node::Entity::find_by_id(id)
        .filter(c.scope_cond("path"))
        .one(&st.db)
        .await?
        .filter(|n| n.status == "active")
        .ok_or_else(|| AppError::NotFound("楼栋不存在或不在您的管辖范围内".into()))?;
    if b.level != OrgLevel::Building.as_str() {
        return Err(AppError::bad(
            "not_a_building",
            format!("“{}”不是楼栋：住户只能建在楼栋下", b.name),
        ));
    }
    Ok(b)
}

/// The postal-style address of a room: community, building, room (村/社区 + 楼栋 + 房号).
pub async fn address_of(st: &PeopleState, b: &node::Model, room: &str) -> AppResult<String> {
    let dir = st.cases.directory.get(&st.db).await?;
    let chain = dir.chain(&stored_path(&b.path)?);
    let community = chain
        .iter()
        .find(|n| n.level == OrgLevel::Community.as_str())
        .map(|n| n.name.as_str())
        .unwrap_or("");
    Ok(format!("{community}{}{}", b.name, room))
}

/// A household as pages and the API show it.
#[derive(Clone, Debug, Serialize)]
pub struct HouseholdView {
    pub id: i64,
    pub building_id: i64,
    pub room: String,
    pub address: String,
    pub kind: String,
    pub kind_label: &'static str,
    pub head_id: Option<i64>,
    pub note: String,
    pub version: i32,
    pub members: i64,
}

/// The view of a household row.
pub fn household_view(h: &household::Model, members: i64) -> HouseholdView {
    HouseholdView {
        id: h.id,
        building_id: h.building_id,
        room: h.room.clone(),
        address: h.address.clone(),
        kind: h.kind.clone(),
        kind_label: label_of(HouseholdType::parse, HouseholdType::label, &h.kind),
        head_id: h.head_id,
        note: h.note.clone(),
        version: h.version,
        members,
    }
}

/// A household's fields as forms and the API send them.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct HouseholdInput {
    /// The building (only when creating).
    pub building_id: Option<i64>,
    /// 房号: 1-201, 东头第三户 …
    pub room: String,
    /// 自住 / 出租 / 空置 / 商用 (or the stored word).
    pub kind: String,
    /// The head of household: a member's id (only when editing).
    pub head_id: Option<i64>,
    pub note: String,
    /// The version the editor saw (only when editing).
    pub version: Option<i32>,
}

/// A text field, by the one rule for free text ([`validate::text`]): trimmed, required or not,
/// at most `max` characters, no control characters but line breaks and tabs.
pub(crate) fn check_text(what: &str, s: &str, max: usize, required: bool) -> AppResult<String> {
    Ok(validate::text(
        what,
        s,
        max,
        validate::Lines::Many,
        required,
    )?)
}

pub(crate) fn check_room(room: &str) -> AppResult<String> {
    Ok(validate::text(
        "房号",
        room,
        20,
        validate::Lines::One,
        true,
    )?)
}

pub(crate) fn check_kind(kind: &str) -> AppResult<HouseholdType> {
    if kind.trim().is_empty() {
        return Ok(HouseholdType::Owner);
    }
    HouseholdType::parse(kind).ok_or_else(|| {
        AppError::bad(
            "invalid_input",
            format!(
                "未知的房屋类型“{}”（可填：{}）",
                kind.trim(),
                HouseholdType::ALL
                    .iter()
                    .map(|k| k.label())
                    .collect::<Vec<_>>()
                    .join("、")
            ),
        )
    })
}

pub(crate) fn check_note(note: &str) -> AppResult<String> {
    check_text("备注", note, registry::TEXT_MAX, false)
}

/// One household in the caller's scope.
pub async fn find_household(
    db: &impl ConnectionTrait,
    c: &Caller,
    id: i64,
) -> AppResult<household::Model> {
    c.require(Permission::PeopleView)?;
    household::Entity::find_by_id(id)
        .filter(c.scope_cond("org_path"))
        .one(db)
        .await?
        .ok_or_else(household_not_found)
}

/// Adds a household to a building.
pub async fn create_household(
    st: &PeopleState,
    c: &Caller,
    input: HouseholdInput,
) -> AppResult<household::Model> {
    c.require(Permission::PeopleManage)?;
    let bid = input
        .building_id
        .ok_or_else(|| AppError::bad("invalid_input", "请选择楼栋"))?;
    let b = building(st, c, bid).await?;
    let room = check_room(&input.room)?;
    let kind = check_kind(&input.kind)?;
    let note = check_note(&input.note)?;
    let address = address_of(st, &b, &room).await?;
    let txn = crate::infra::db::begin_write(&st.db).await?;
    if household::Entity::find()
        .filter(household::Column::BuildingId.eq(b.id))
        .filter(household::Column::Room.eq(room.as_str()))
        .one(&txn)
        .await?
        .is_some()
    {
        return Err(AppError::conflict(
            "duplicate",
            format!("{}已有房号“{room}”的住户", b.name),
        ));
    }
    let now = crate::infra::clock::now_ms();
    let row = household::ActiveModel {
        building_id: Set(b.id),
        org_path: Set(b.path.clone()),
        room: Set(room),
        address: Set(address.clone()),
        kind: Set(kind.as_str().into()),
        head_id: Set(None),
        note: Set(note),
        status: Set(ACTIVE.into()),
        version: Set(1),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    audit::record(
        &txn,
        &c.who,
        Entry {
            org_path: &stored_path(&row.org_path)?,
            action: "create",
            entity: "household",
            entity_id: Some(row.id),
            summary: format!("新增住户 {address}（{}）", kind.label()),
            changes: json!({"address": address, "kind": kind.as_str()}),
        },
    )
    .await?;
    txn.commit().await?;
    Ok(row)
}

/// Edits a household's room, type, head and note (version-checked). The head must be a
/// member of the household.
pub async fn update_household(
    st: &PeopleState,
    c: &Caller,
    id: i64,
    input: HouseholdInput,
) -> AppResult<household::Model> {
    c.require(Permission::PeopleManage)?;
    let txn = crate::infra::db::begin_write(&st.db).await?;
    let h = find_household(&txn, c, id).await?;
    if input.version.is_some_and(|v| v != h.version) {
        return Err(AppError::stale());
    }
    let room = check_room(&input.room)?;
    let kind = check_kind(&input.kind)?;
    let note = check_note(&input.note)?;
    if let Some(head) = input.head_id {
        let member = resident::Entity::find_by_id(head)
            .filter(resident::Column::HouseholdId.eq(h.id))
            .one(&txn)
            .await?;
        if member.is_none() {
            return Err(AppError::bad(
                "head_not_member",
                "户主必须是本户的成员：请先把此人迁入本户",
            ));
        }
    }
    let address = if room == h.room {
        h.address.clone()
    } else {
        let b = building(st, c, h.building_id).await?;
        if household::Entity::find()
            .filter(household::Column::BuildingId.eq(b.id))
            .filter(household::Column::Room.eq(room.as_str()))
            .one(&txn)
            .await?
            .is_some()
        {
            return Err(AppError::conflict(
                "duplicate",
                format!("{}已有房号“{room}”的住户", b.name),
            ));
        }
        address_of(st, &b, &room).await?
    };
    let changes = audit::changes(&[
        ("room", json!(h.room), json!(room)),
        ("kind", json!(h.kind), json!(kind.as_str())),
        ("head_id", json!(h.head_id), json!(input.head_id)),
        ("note", json!(h.note), json!(note)),
    ]);
    let n = crate::infra::db::exec(
        &txn,
        "UPDATE households SET room = $1, address = $2, kind = $3, head_id = $4, note = $5, \
         version = version + 1, updated_at = $6 WHERE id = $7 AND version = $8",
        vec![
            room.into(),
            address.clone().into(),
            kind.as_str().into(),
            input.head_id.into(),
            note.into(),
            crate::infra::clock::now_ms().into(),
            h.id.into(),
            h.version.into(),
        ],
    )
    .await?;
    if n == 0 {
        return Err(AppError::stale());
    }
    if let Some(head) = input.head_id
        && h.head_id != Some(head)
    {
        // The new head's relation says so; a former head becomes 其他 until someone says more.
        crate::infra::db::exec(
            &txn,
            "UPDATE residents SET relation = $1, version = version + 1, updated_at = $5 \
             WHERE household_id = $2 AND relation = $3 AND id <> $4",
            vec![
                Relation::Other.as_str().into(),
                h.id.into(),
                Relation::Head.as_str().into(),
                head.into(),
                crate::infra::clock::now_ms().into(),
            ],
        )
        .await?;
        crate::infra::db::exec(
            &txn,
            "UPDATE residents SET relation = $1, version = version + 1, updated_at = $3 \
             WHERE id = $2",
            vec![
                Relation::Head.as_str().into(),
                head.into(),
                crate::infra::clock::now_ms().into(),
            ],
        )
        .await?;
    }
    audit::record(
        &txn,
        &c.who,
        Entry {
            org_path: &stored_path(&h.org_path)?,
            action: "update",
            entity: "household",
            entity_id: Some(h.id),
            summary: format!("修改住户 {address}"),
            changes,
        },
    )
    .await?;
    let row = household::Entity::find_by_id(h.id)
        .one(&txn)
        .await?
        .ok_or_else(household_not_found)?;
    txn.commit().await?;
    Ok(row)
}

/// The households of a building, with their member counts.
pub async fn households_of(
    st: &PeopleState,
    c: &Caller,
    building_id: i64,
) -> AppResult<Vec<HouseholdView>> {
    c.require(Permission::PeopleView)?;
    let b = building(st, c, building_id).await?;
    let rows = household::Entity::find()
        .filter(household::Column::BuildingId.eq(b.id))
        .filter(c.scope_cond("org_path"))
        .order_by_asc(household::Column::Room)
        .all(&st.db)
        .await?;
    let counts = member_counts(&st.db, &rows.iter().map(|h| h.id).collect::<Vec<_>>()).await?;
    let mut out: Vec<HouseholdView> = rows
        .iter()
        .map(|h| household_view(h, counts.get(&h.id).copied().unwrap_or(0)))
        .collect();
    out.sort_by_key(|a| natural_key(&a.room));
    Ok(out)
}

/// Rooms in the order people read them: 2-101 before 10-101, numbered rooms before named ones.
pub(crate) fn natural_key(s: &str) -> Vec<(String, u64)> {
    let mut out = Vec::new();
    let mut num = String::new();
    let mut text = String::new();
    for ch in s.chars() {
        if ch.is_ascii_digit() {
            num.push(ch);
        } else {
            if !num.is_empty() {
                out.push((std::mem::take(&mut text), num.parse().unwrap_or(u64::MAX)));
                num.clear();
            }
            text.push(ch);
        }
    }
    out.push((text, num.parse().unwrap_or(0)));
    out
}

pub(crate) async fn member_counts(
    db: &impl ConnectionTrait,
    ids: &[i64],
) -> AppResult<HashMap<i64, i64>> {
    let mut out = HashMap::new();
    for chunk in ids.chunks(500) {
        let rows: Vec<(Option<i64>, i64)> = resident::Entity::find()
            .select_only()
            .column(resident::Column::HouseholdId)
            .column_as(resident::Column::Id.count(), "n")
            .filter(resident::Column::HouseholdId.is_in(chunk.to_vec()))
            .filter(resident::Column::Status.eq(ACTIVE))
            .group_by(resident::Column::HouseholdId)
            .into_tuple()
            .all(db)
            .await?;
        out.extend(rows.into_iter().filter_map(|(h, n)| Some((h?, n))));
    }
    Ok(out)
}

/// A building of a grid with how many households and residents it has.
#[derive(Clone, Debug, Serialize)]
pub struct BuildingView {
    pub id: i64,
    pub name: String,
    pub code: String,
    pub grid_id: Option<i64>,
    pub households: i64,
    pub residents: i64,
}

/// The buildings under a node in the caller's scope (a grid's, usually), with their counts.
pub async fn buildings_under(
    st: &PeopleState,
    c: &Caller,
    org: i64,
) -> AppResult<Vec<BuildingView>> {
    c.require(Permission::PeopleView)?;
    let top = crate::org::service::find(&st.db, c, org).await?;
    let path = stored_path(&top.path)?;
    let nodes = node::Entity::find()
        .filter(crate::infra::db::subtree(node::Column::Path, &path))
        .filter(node::Column::Level.eq(OrgLevel::Building.as_str()))
        .filter(node::Column::Status.eq("active"))
        .filter(c.scope_cond("path"))
        .order_by_asc(node::Column::Path)
        .limit(2000)
        .all(&st.db)
        .await?;
    let mut out = Vec::with_capacity(nodes.len());
    let counts = building_counts(&st.db, &nodes.iter().map(|n| n.id).collect::<Vec<_>>()).await?;
    for n in nodes {
        let (h, r) = counts.get(&n.id).copied().unwrap_or((0, 0));
        out.push(BuildingView {
            id: n.id,
            name: n.name,
            code: n.code,
            grid_id: n.parent_id,
            households: h,
            residents: r,
        });
    }
    out.sort_by_key(|a| natural_key(&a.name));
    Ok(out)
}

pub(crate) async fn building_counts(
    db: &impl ConnectionTrait,
    ids: &[i64],
) -> AppResult<HashMap<i64, (i64, i64)>> {
    let mut out: HashMap<i64, (i64, i64)> = HashMap::new();
    for chunk in ids.chunks(500) {
        let list = crate::infra::db::id_list(chunk);
        let rows = db
            .query_all_raw(crate::infra::db::statement(
                db,
                &format!(
                    "SELECT h.building_id, COUNT(DISTINCT h.id), COUNT(r.id) FROM households h \
                     LEFT JOIN residents r ON r.household_id = h.id AND r.status = 'active' \
                     WHERE h.building_id IN ({list}) GROUP BY h.building_id"
                ),
                vec![],
            ))
            .await?;
        for r in rows {
            out.insert(
                r.try_get_by_index(0)?,
                (r.try_get_by_index(1)?, r.try_get_by_index(2)?),
            );
        }
    }
    Ok(out)
}
