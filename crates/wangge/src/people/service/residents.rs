//! Residents.

use super::*;

/// A resident's fields as forms and the API send them.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ResidentForm {
    #[serde(flatten)]
    pub fields: ResidentInput,
    /// The household (required when adding someone).
    pub household_id: Option<i64>,
    /// The version the editor saw (when editing).
    pub version: Option<i32>,
    /// When editing: remove the phone (an empty phone field keeps the stored one).
    pub clear_phone: bool,
}

/// One resident in the caller's scope.
pub async fn find(db: &impl ConnectionTrait, c: &Caller, id: i64) -> AppResult<resident::Model> {
    c.require(Permission::PeopleView)?;
    resident::Entity::find_by_id(id)
        .filter(c.scope_cond("org_path"))
        .one(db)
        .await?
        .ok_or_else(not_found)
}

/// The sealed and indexed forms of an ID number and a phone.
pub struct Sealed {
    pub id_sealed: String,
    pub id_blind: i64,
    pub id_tail: i64,
    pub phone_sealed: Option<String>,
    pub phone_blind: Option<i64>,
    pub phone_tail: Option<i64>,
}

/// Seals a checked resident's personal fields.
pub fn seal(vault: &Vault, id: &IdNumber, phone: Option<&Phone>) -> AppResult<Sealed> {
    Ok(Sealed {
        id_sealed: vault.seal(Field::IdNumber, id.expose())?,
        id_blind: vault.blind(Field::IdNumber, id.expose()),
        id_tail: vault.blind(Field::IdTail, id.tail()),
        phone_sealed: phone
            .map(|p| vault.seal(Field::Phone, p.expose()))
            .transpose()?,
        phone_blind: phone.map(|p| vault.blind(Field::Phone, p.expose())),
        phone_tail: phone.map(|p| vault.blind(Field::PhoneTail, p.tail())),
    })
}

/// The resident registered under an ID number, if any, in any scope: for the uniqueness check
/// only. What the caller is told of someone outside their scope goes through [`id_taken`].
pub async fn by_id_number(
    db: &impl ConnectionTrait,
    vault: &Vault,
    id: &IdNumber,
) -> AppResult<Option<resident::Model>> {
    Ok(resident::Entity::find()
        .filter(resident::Column::IdBlind.eq(vault.blind(Field::IdNumber, id.expose())))
        .one(db)
        .await?)
}

/// The message for an ID number registered to someone the caller may not see. It says only
/// that the number cannot be used here: not who holds it, where, or in what state.
pub const ID_UNAVAILABLE: &str =
    "该身份证号无法在此登记：请核对证件号；确属本人的，请联系街道或区里的管理人员核实";

/// Refuses an ID number already registered to another resident. Inside the caller's scope the
/// answer names them (the caller may open that record anyway); outside it, it reveals nothing
/// about them, the write's transaction is rolled back and the attempt is audited at the
/// caller's node.
pub(crate) async fn id_taken(
    st: &PeopleState,
    c: &Caller,
    txn: crate::infra::db::WriteTxn,
    other: &resident::Model,
    id: &IdNumber,
) -> AppError {
    if stored_path(&other.org_path).is_ok_and(|p| c.allows(&p)) {
        return AppError::conflict(
            "id_taken",
            format!(
                "该身份证号已登记为另一人（{}，{}）：一个身份证号只对应一个人",
                other.name,
                status_label(&other.status)
            ),
        );
    }
    if let Err(e) = txn.rollback().await {
        return e.into();
    }
    if let Err(e) = audit_unavailable_ids(&st.db, c, &[id.masked()]).await {
        return e;
    }
    AppError::conflict("id_unavailable", ID_UNAVAILABLE)
}

/// Audits attempts to register ID numbers held outside the caller's scope (masked), at the
/// caller's node, in a transaction of its own.
pub async fn audit_unavailable_ids(
    db: &sea_orm::DatabaseConnection,
    c: &Caller,
    masked: &[String],
) -> AppResult<()> {
    let txn = crate::infra::db::begin_write(db).await?;
    record_unavailable_ids(
        &txn,
        c,
        masked,
        format!(
            "登记被拒：身份证号 {} 已登记在管辖范围之外",
            masked.join("、")
        ),
    )
    .await?;
    txn.commit().await?;
    Ok(())
}

/// Writes the audit entry of ID numbers refused because they are held outside the caller's
/// scope (masked), at the caller's node, on the caller's transaction.
pub async fn record_unavailable_ids(
    db: &impl ConnectionTrait,
    c: &Caller,
    masked: &[String],
    summary: String,
) -> AppResult<()> {
    if masked.is_empty() {
        return Ok(());
    }
    let root = c.audit_root(db).await?;
    audit::record(
        db,
        &c.who,
        Entry {
            org_path: &root,
            action: "refuse_id",
            entity: "resident",
            entity_id: None,
            summary,
            changes: json!({"id_numbers": masked}),
        },
    )
    .await
}

/// Refuses a second head in a household.
pub(crate) async fn check_one_head(
    db: &impl ConnectionTrait,
    household: i64,
    relation: Relation,
    except: Option<i64>,
) -> AppResult<()> {
    if relation != Relation::Head {
        return Ok(());
    }
    let mut q = resident::Entity::find()
        .filter(resident::Column::HouseholdId.eq(household))
        .filter(resident::Column::Relation.eq(Relation::Head.as_str()))
        .filter(resident::Column::Status.eq(ACTIVE));
    if let Some(id) = except {
        q = q.filter(resident::Column::Id.ne(id));
    }
    if let Some(h) = q.one(db).await? {
        return Err(AppError::bad(
            "two_heads",
            format!(
                "该户已有户主{}：一户只有一位户主，请先修改其与户主关系",
                h.name
            ),
        ));
    }
    Ok(())
}

/// Adds a resident to a household, with a move-in record.
pub async fn create(
    st: &PeopleState,
    c: &Caller,
    form: ResidentForm,
) -> AppResult<resident::Model> {
    c.require(Permission::PeopleManage)?;
    let r = registry::check(&form.fields, today())?;
    let hid = form
        .household_id
        .ok_or_else(|| AppError::bad("invalid_input", "请选择所在住户"))?;
    let all_tags = tags(&st.db).await?;
    let tag_ids = tag_ids(&all_tags, &r.tags)?;
    let sealed = seal(&st.vault, &r.id_number, r.phone.as_ref())?;
    let txn = crate::infra::db::begin_write(&st.db).await?;
    let h = find_household(&txn, c, hid).await?;
    if let Some(other) = by_id_number(&txn, &st.vault, &r.id_number).await? {
        return Err(id_taken(st, c, txn, &other, &r.id_number).await);
    }
    check_one_head(&txn, h.id, r.relation, None).await?;
    let now = crate::infra::clock::now_ms();
    let row = resident::ActiveModel {
        household_id: Set(Some(h.id)),
        org_path: Set(h.org_path.clone()),
        name: Set(r.name.clone()),
        initials: Set(r.initials.clone()),
        gender: Set(r.gender.as_str().into()),
        birth_date: Set(r.birth_date.format("%Y-%m-%d").to_string()),
        ethnicity: Set(i32::from(r.ethnicity)),
        id_sealed: Set(sealed.id_sealed),
        id_blind: Set(sealed.id_blind),
        id_tail: Set(sealed.id_tail),
        phone_sealed: Set(sealed.phone_sealed),
        phone_blind: Set(sealed.phone_blind),
        phone_tail: Set(sealed.phone_tail),
        residence: Set(r.residence.as_str().into()),
        political: Set(r.political.as_str().into()),
        relation: Set(r.relation.as_str().into()),
        work_unit: Set(r.work_unit.clone()),
        note: Set(r.note.clone()),
        status: Set(ACTIVE.into()),
        version: Set(1),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    set_tags(&txn, row.id, &tag_ids).await?;
    if r.relation == Relation::Head {
        crate::infra::db::exec(
            &txn,
            "UPDATE households SET head_id = $1, version = version + 1 WHERE id = $2",
            vec![row.id.into(), h.id.into()],
        )
        .await?;
    }
    record_move(
        &txn,
        c,
        &row,
        "in",
        None,
        Some(&h),
        &today().to_string(),
        "登记",
    )
    .await?;
    audit::record(
        &txn,
        &c.who,
        Entry {
            org_path: &stored_path(&row.org_path)?,
            action: "create",
            entity: "resident",
            entity_id: Some(row.id),
            summary: format!(
                "登记居民 {}（{}）于 {}",
                r.name,
                r.id_number.masked(),
                h.address
            ),
            changes: json!({"name": r.name, "household_id": h.id, "tags": r.tags}),
        },
    )
    .await?;
    txn.commit().await?;
    Ok(row)
}

/// Edits a resident's record (version-checked). Moving between households is [`move_resident`].
pub async fn update(
    st: &PeopleState,
    c: &Caller,
    id: i64,
    form: ResidentForm,
) -> AppResult<resident::Model> {
    c.require(Permission::PeopleManage)?;
    let mut fields = form.fields;
    let current = find(&st.db, c, id).await?;
    // An edit form never carries the full values back: empty means "keep what is stored".
    if fields.id_number.trim().is_empty() {
        fields.id_number = st.vault.unseal(Field::IdNumber, &current.id_sealed)?;
    }
    if fields.phone.trim().is_empty()
        && !form.clear_phone
        && let Some(p) = &current.phone_sealed
    {
        fields.phone = st.vault.unseal(Field::Phone, p)?;
    }
    let r = registry::check(&fields, today())?;
    let all_tags = tags(&st.db).await?;
    let tag_ids = tag_ids(&all_tags, &r.tags)?;
    let sealed = seal(&st.vault, &r.id_number, r.phone.as_ref())?;
    let txn = crate::infra::db::begin_write(&st.db).await?;
    let old = find(&txn, c, id).await?;
    if form.version.is_some_and(|v| v != old.version) {
        return Err(AppError::stale());
    }
    if let Some(other) = by_id_number(&txn, &st.vault, &r.id_number).await?
        && other.id != old.id
    {
        return Err(id_taken(st, c, txn, &other, &r.id_number).await);
    }
    if let Some(h) = old.household_id {
        check_one_head(&txn, h, r.relation, Some(old.id)).await?;
    }
    let id_changed = old.id_blind != sealed.id_blind;
    let phone_changed = old.phone_blind != sealed.phone_blind;
    let old_tags = tags_of(&txn, &[old.id])
        .await?
        .remove(&old.id)
        .unwrap_or_default();
    let birth = r.birth_date.format("%Y-%m-%d").to_string();
    let mut changes = audit::changes(&[
        ("name", json!(old.name), json!(r.name)),
        ("birth_date", json!(old.birth_date), json!(birth)),
        ("ethnicity", json!(old.ethnicity), json!(r.ethnicity)),
        (
            "residence",
            json!(old.residence),
            json!(r.residence.as_str()),
        ),
        (
            "political",
            json!(old.political),
            json!(r.political.as_str()),
        ),
        ("relation", json!(old.relation), json!(r.relation.as_str())),
        ("work_unit", json!(old.work_unit), json!(r.work_unit)),
        ("note", json!(old.note), json!(r.note)),
        ("tags", json!(old_tags), json!(r.tags)),
    ]);
    // Personal fields are noted as changed, never with their values.
    if let Some(m) = changes.as_object_mut() {
        if id_changed {
            m.insert("id_number".into(), json!("已修改"));
        }
        if phone_changed {
            m.insert("phone".into(), json!("已修改"));
        }
    }
    if !write_record(&txn, &old, &r, &sealed, None, crate::infra::clock::now_ms()).await? {
        return Err(AppError::stale());
    }
    set_tags(&txn, old.id, &tag_ids).await?;
    if let Some(h) = old.household_id {
        sync_head(&txn, h).await?;
    }
    audit::record(
        &txn,
        &c.who,
        Entry {
            org_path: &stored_path(&old.org_path)?,
            action: "update",
            entity: "resident",
            entity_id: Some(old.id),
            summary: format!("修改居民 {} 的信息", r.name),
            changes,
        },
    )
    .await?;
    let row = resident::Entity::find_by_id(old.id)
        .one(&txn)
        .await?
        .ok_or_else(not_found)?;
    txn.commit().await?;
    Ok(row)
}

/// Where a written record lives: its household and the path it is held at.
pub(crate) struct Place<'a> {
    pub household: i64,
    pub org_path: &'a str,
}

/// The one writer of a resident's record: the form's edit and the import's update both come
/// here. It writes only while the row is still at the version `old` was read at, and answers
/// `false` when it is not (someone saved in between: nothing is overwritten). A sealed ID
/// number or phone whose blind index is unchanged is kept as stored. `place` moves the record
/// (an import row names its household; the form's edit keeps it where it is and makes it
/// active only by [`move_resident`]).
pub(crate) async fn write_record(
    db: &impl ConnectionTrait,
    old: &resident::Model,
    r: &registry::Resident,
    sealed: &Sealed,
    place: Option<Place<'_>>,
    now: i64,
) -> AppResult<bool> {
    let (household, org_path, status) = match &place {
        Some(p) => (Some(p.household), p.org_path.to_owned(), ACTIVE),
        None => (old.household_id, old.org_path.clone(), old.status.as_str()),
    };
    let n = crate::infra::db::exec(
        db,
        "UPDATE residents SET name = $1, initials = $2, gender = $3, birth_date = $4, \
         ethnicity = $5, id_sealed = $6, id_blind = $7, id_tail = $8, phone_sealed = $9, \
         phone_blind = $10, phone_tail = $11, residence = $12, political = $13, relation = $14, \
         work_unit = $15, note = $16, household_id = $17, org_path = $18, status = $19, \
         version = version + 1, updated_at = $20 WHERE id = $21 AND version = $22",
        vec![
            r.name.clone().into(),
            r.initials.clone().into(),
            r.gender.as_str().into(),
            r.birth_date.format("%Y-%m-%d").to_string().into(),
            i32::from(r.ethnicity).into(),
            if old.id_blind == sealed.id_blind {
                old.id_sealed.clone()
            } else {
                sealed.id_sealed.clone()
            }
            .into(),
            sealed.id_blind.into(),
            sealed.id_tail.into(),
            if old.phone_blind == sealed.phone_blind {
                old.phone_sealed.clone()
            } else {
                sealed.phone_sealed.clone()
            }
            .into(),
            sealed.phone_blind.into(),
            sealed.phone_tail.into(),
            r.residence.as_str().into(),
            r.political.as_str().into(),
            r.relation.as_str().into(),
            r.work_unit.clone().into(),
            r.note.clone().into(),
            household.into(),
            org_path.into(),
            status.into(),
            now.into(),
            old.id.into(),
            old.version.into(),
        ],
    )
    .await?;
    Ok(n == 1)
}

/// Points a household's head at the member whose relation is 户主 (or at no one).
pub(crate) async fn sync_head(db: &impl ConnectionTrait, household: i64) -> AppResult<()> {
    crate::infra::db::exec(
        db,
        "UPDATE households SET head_id = (SELECT MIN(id) FROM residents WHERE household_id = $1 \
         AND relation = 'head' AND status = 'active') WHERE id = $2",
        vec![household.into(), household.into()],
    )
    .await?;
    Ok(())
}

#[allow(clippy::too_many_arguments)]
pub(crate) async fn record_move(
    db: &impl ConnectionTrait,
    c: &Caller,
    r: &resident::Model,
    kind: &str,
    from: Option<&household::Model>,
    to: Option<&household::Model>,
    on: &str,
    reason: &str,
) -> AppResult<()> {
    movement::ActiveModel {
        resident_id: Set(r.id),
        org_path: Set(to.map_or_else(|| r.org_path.clone(), |h| h.org_path.clone())),
        kind: Set(kind.into()),
        from_household: Set(from.map(|h| h.id)),
        to_household: Set(to.map(|h| h.id)),
        from_address: Set(from.map(|h| h.address.clone()).unwrap_or_default()),
        to_address: Set(to.map(|h| h.address.clone()).unwrap_or_default()),
        on_date: Set(on.into()),
        reason: Set(reason.chars().take(200).collect()),
        actor_name: Set(c.who.name.clone()),
        at: Set(crate::infra::clock::now_ms()),
        ..Default::default()
    }
    .insert(db)
    .await?;
    Ok(())
}

/// The Chinese label of a move.
pub fn move_label(kind: &str) -> &'static str {
    match kind {
        "in" => "迁入",
        "transfer" => "户间迁移",
        "out" => "迁出",
        "deceased" => "死亡注销",
        "import" => "台账导入",
        _ => "变动",
    }
}

/// A move: to another household (in scope), out of the street, or a death.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct MoveInput {
    /// `transfer` (needs `to_household`), `out` or `deceased`; a resident who had moved out
    /// comes back with `transfer`.
    pub kind: String,
    pub to_household: Option<i64>,
    /// The relation to the new head (for `transfer`).
    pub relation: String,
    /// 迁移日期 (default today).
    pub on_date: String,
    /// 原因 / 去向.
    pub reason: String,
    pub version: Option<i32>,
}

/// Records a move and applies it; the history keeps every move.
pub async fn move_resident(
    st: &PeopleState,
    c: &Caller,
    id: i64,
    input: MoveInput,
) -> AppResult<resident::Model> {
    c.require(Permission::PeopleManage)?;
    let on = if input.on_date.trim().is_empty() {
        today()
    } else {
        registry::parse_date(&input.on_date)?
    };
    if on > today() {
        return Err(AppError::bad("invalid_input", "迁移日期不能晚于今天"));
    }
    let reason = input.reason.trim();
    if reason.chars().count() > registry::TEXT_MAX {
        return Err(AppError::bad("invalid_input", "原因不能超过 200 个字"));
    }
    let txn = crate::infra::db::begin_write(&st.db).await?;
    let r = find(&txn, c, id).await?;
    if input.version.is_some_and(|v| v != r.version) {
        return Err(AppError::stale());
    }
    let from = match r.household_id {
        Some(h) => household::Entity::find_by_id(h).one(&txn).await?,
        None => None,
    };
    let (kind, to, status) = match input.kind.as_str() {
        "transfer" | "in" => {
            let to = find_household(
                &txn,
                c,
                input
                    .to_household
                    .ok_or_else(|| AppError::bad("invalid_input", "请选择迁入的住户"))?,
            )
            .await?;
            if Some(to.id) == r.household_id {
                return Err(AppError::bad("invalid_input", "此人已在该住户中"));
            }
            let relation = if input.relation.trim().is_empty() {
                Relation::Other
            } else {
                Relation::parse(&input.relation).ok_or_else(|| {
                    AppError::bad(
                        "invalid_input",
                        format!("未知的与户主关系“{}”", input.relation),
                    )
                })?
            };
            check_one_head(&txn, to.id, relation, Some(r.id)).await?;
            let kind = if r.status == ACTIVE { "transfer" } else { "in" };
            let n = crate::infra::db::exec(
                &txn,
                "UPDATE residents SET household_id = $1, org_path = $2, relation = $3, \
                 status = 'active', version = version + 1, updated_at = $4 \
                 WHERE id = $5 AND version = $6",
                vec![
                    to.id.into(),
                    to.org_path.clone().into(),
                    relation.as_str().into(),
                    crate::infra::clock::now_ms().into(),
                    r.id.into(),
                    r.version.into(),
                ],
            )
            .await?;
            if n == 0 {
                return Err(AppError::stale());
            }
            (kind, Some(to), ACTIVE)
        }
        "out" | "deceased" => {
            if r.status != ACTIVE {
                return Err(AppError::bad("invalid_input", "此人已不在册"));
            }
            let status = if input.kind == "out" {
                MOVED_OUT
            } else {
                DECEASED
            };
            if reason.is_empty() && input.kind == "out" {
                return Err(AppError::bad("invalid_input", "请填写迁出去向或原因"));
            }
            let n = crate::infra::db::exec(
                &txn,
                "UPDATE residents SET household_id = NULL, status = $1, version = version + 1, \
                 updated_at = $2 WHERE id = $3 AND version = $4",
                vec![
                    status.into(),
                    crate::infra::clock::now_ms().into(),
                    r.id.into(),
                    r.version.into(),
                ],
            )
            .await?;
            if n == 0 {
                return Err(AppError::stale());
            }
            (input.kind.as_str(), None, status)
        }
        _ => {
            return Err(AppError::bad(
                "invalid_input",
                "变动类型只能是 transfer（迁往他户）、out（迁出）或 deceased（死亡注销）",
            ));
        }
    };
    record_move(
        &txn,
        c,
        &r,
        kind,
        from.as_ref(),
        to.as_ref(),
        &on.to_string(),
        reason,
    )
    .await?;
    for h in [from.as_ref(), to.as_ref()].into_iter().flatten() {
        sync_head(&txn, h.id).await?;
    }
    audit::record(
        &txn,
        &c.who,
        Entry {
            org_path: &stored_path(
                &to.as_ref()
                    .map_or(r.org_path.clone(), |h| h.org_path.clone()),
            )?,
            action: "move",
            entity: "resident",
            entity_id: Some(r.id),
            summary: format!(
                "{}：{}{}{}",
                move_label(kind),
                r.name,
                from.as_ref()
                    .map_or(String::new(), |h| format!("，自 {}", h.address)),
                to.as_ref()
                    .map_or(String::new(), |h| format!("，至 {}", h.address)),
            ),
            changes: json!({"status": status, "reason": reason, "on": on.to_string()}),
        },
    )
    .await?;
    let row = resident::Entity::find_by_id(r.id)
        .one(&txn)
        .await?
        .ok_or_else(not_found)?;
    txn.commit().await?;
    Ok(row)
}

/// A resident's moves, newest first.
pub async fn moves_of(
    db: &impl ConnectionTrait,
    resident_ids: &[i64],
) -> AppResult<Vec<movement::Model>> {
    if resident_ids.is_empty() {
        return Ok(Vec::new());
    }
    Ok(movement::Entity::find()
        .filter(movement::Column::ResidentId.is_in(resident_ids.to_vec()))
        .order_by_desc(movement::Column::At)
        .order_by_desc(movement::Column::Id)
        .limit(200)
        .all(db)
        .await?)
}

/// A resident's full ID number and phone, for whoever may see them; every call is audited
/// (who, whose, when), and the audit entry holds no full value.
#[derive(Debug, Serialize)]
pub struct Revealed {
    pub id: i64,
    pub name: String,
    pub id_number: String,
    pub phone: Option<String>,
}

/// Opens a resident's ID number and phone (see [`Revealed`]).
pub async fn reveal(st: &PeopleState, c: &Caller, id: i64) -> AppResult<Revealed> {
    c.require(Permission::PeopleFullView)?;
    let r = find(&st.db, c, id).await?;
    let id_number = st.vault.unseal(Field::IdNumber, &r.id_sealed)?;
    let phone = r
        .phone_sealed
        .as_deref()
        .map(|s| st.vault.unseal(Field::Phone, s))
        .transpose()?;
    audit::record(
        &st.db,
        &c.who,
        Entry {
            org_path: &stored_path(&r.org_path)?,
            action: "reveal",
            entity: "resident",
            entity_id: Some(r.id),
            summary: format!("查看居民 {} 的完整身份证号和电话", r.name),
            changes: json!({}),
        },
    )
    .await?;
    Ok(Revealed {
        id: r.id,
        name: r.name,
        id_number,
        phone,
    })
}
