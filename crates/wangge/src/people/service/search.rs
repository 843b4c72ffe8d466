//! Search.

use super::*;

impl Filter {
    /// The filter as a query string (for links and the audit log).
    pub fn query_string(&self) -> String {
        crate::web::query_string(&[
            ("q", self.q.clone()),
            ("org", self.org.map(|i| i.to_string()).unwrap_or_default()),
            ("tag", self.tag.clone()),
            ("age", self.age.clone()),
            ("residence", self.residence.clone()),
            ("status", self.status.clone()),
            (
                "party",
                if self.party {
                    "true".into()
                } else {
                    String::new()
                },
            ),
        ])
    }
}

/// Filters of the registry's lists.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(default)]
pub struct Filter {
    /// A name, pinyin initials, the last 4 characters of an ID number or phone, a whole ID
    /// number or phone, or part of an address.
    pub q: String,
    /// Only this node's subtree (a community, grid or building).
    pub org: Option<i64>,
    /// Only residents with this tag (its name).
    pub tag: String,
    /// `minor`, `adult`, `senior` or `aged`.
    pub age: String,
    /// `registered`, `floating` or `overseas`.
    pub residence: String,
    /// `active` (default), `moved_out`, `deceased` or `all`.
    pub status: String,
    /// Only party members.
    pub party: bool,
    pub page: Option<u64>,
    pub per_page: Option<u64>,
}

/// What a search text is: the classification decides which index answers it.
#[derive(Debug, PartialEq, Eq)]
pub enum Needle {
    /// A whole, valid ID number.
    IdNumber(IdNumber),
    /// A whole mobile or landline.
    Phone(Phone),
    /// The last four characters of an ID number or phone.
    Tail(String),
    /// Pinyin initials (lower-case).
    Initials(String),
    /// Part of an address.
    Address(String),
    /// The start of a name.
    Name(String),
}

/// Classifies a search text (see [`Needle`]).
pub fn classify(q: &str) -> Option<Needle> {
    let q = q.trim();
    if q.is_empty() {
        return None;
    }
    let compact: String = q
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '-')
        .collect();
    if compact.len() == 18
        && let Ok(id) = IdNumber::parse(&compact)
    {
        return Some(Needle::IdNumber(id));
    }
    let digits = compact.bytes().all(|b| b.is_ascii_digit());
    if digits
        && (7..=12).contains(&compact.len())
        && let Ok(p) = Phone::parse(q)
    {
        return Some(Needle::Phone(p));
    }
    let nospace: String = q.chars().filter(|c| !c.is_whitespace()).collect();
    if nospace.len() == 4
        && nospace
            .bytes()
            .enumerate()
            .all(|(i, b)| b.is_ascii_digit() || (i == 3 && (b == b'X' || b == b'x')))
    {
        return Some(Needle::Tail(nospace.to_ascii_uppercase()));
    }
    if q.bytes().all(|b| b.is_ascii_alphabetic()) {
        return Some(Needle::Initials(q.to_ascii_lowercase()));
    }
    const MARKS: [char; 12] = [
        '幢', '栋', '号', '室', '单', '元', '路', '街', '巷', '弄', '组', '楼',
    ];
    if q.chars().any(|c| c.is_ascii_digit() || MARKS.contains(&c)) {
        return Some(Needle::Address(q.to_owned()));
    }
    Some(Needle::Name(q.to_owned()))
}

/// A `LIKE` pattern for a literal prefix: the wildcards `%` and `_` are dropped from what was
/// typed (no name, initials or address needs them), so the pattern stays a plain prefix that
/// the index answers.
pub(crate) fn prefix(s: &str) -> String {
    let mut out: String = s.chars().filter(|c| !matches!(c, '%' | '_')).collect();
    out.push('%');
    out
}

pub(crate) fn like(col: &'static str, pattern: String) -> sea_orm::sea_query::SimpleExpr {
    Expr::col(col).like(pattern)
}

/// Where an address fragment points. Buildings are few, so their names are matched first: a
/// text that names buildings (柳岸社区6幢1-601 names 6幢; 3幢 names every 3幢) picks their
/// residents by the buildings' paths, and what follows the name is the start of a room. Only a
/// text that names no building is looked for anywhere in the households' addresses.
pub(crate) async fn address_cond(st: &PeopleState, c: &Caller, q: &str) -> AppResult<Condition> {
    let buildings: Vec<(i64, String, String)> = node::Entity::find()
        .select_only()
        .column(node::Column::Id)
        .column(node::Column::Name)
        .column(node::Column::Path)
        .filter(node::Column::Level.eq(OrgLevel::Building.as_str()))
        .filter(c.scope_cond("path"))
        .into_tuple()
        .all(&st.db)
        .await?;
    let compact: String = q.chars().filter(|ch| !ch.is_whitespace()).collect();
    // The longest building name the text contains, and every building of that name.
    let best = buildings
        .iter()
        .filter(|(_, name, _)| !name.is_empty() && compact.contains(name.as_str()))
        .map(|(_, name, _)| name.chars().count())
        .max();
    let Some(len) = best else {
        let mut sub = SqlQuery::select();
        sub.column("id")
            .from("households")
            .and_where(like("address", format!("%{}", prefix(q.trim()))));
        if let Some(s) = &c.scope {
            sub.and_where(crate::infra::db::in_scope("org_path", s));
        }
        return Ok(Condition::all().add(resident::Column::HouseholdId.in_subquery(sub.to_owned())));
    };
    let named: Vec<&(i64, String, String)> = buildings
        .iter()
        .filter(|(_, name, _)| name.chars().count() == len && compact.contains(name.as_str()))
        .collect();
    let room = named
        .first()
        .and_then(|(_, name, _)| compact.split_once(name.as_str()))
        .map(|(_, rest)| rest.trim_start_matches(['-', '#', '号']).to_owned())
        .unwrap_or_default();
    if room.is_empty() {
        return Ok(Condition::all()
            .add(resident::Column::OrgPath.is_in(named.iter().map(|(_, _, p)| p.clone()))));
    }
    let mut sub = SqlQuery::select();
    sub.column("id")
        .from("households")
        .and_where(Expr::col("building_id").is_in(named.iter().map(|(id, _, _)| *id)))
        .and_where(like("room", prefix(&room)));
    Ok(Condition::all().add(resident::Column::HouseholdId.in_subquery(sub.to_owned())))
}

/// A page of residents.
#[derive(Debug, Serialize)]
pub struct Page {
    pub items: Vec<ResidentView>,
    /// How many match (counted up to [`COUNT_CAP`]).
    pub total: u64,
    pub total_capped: bool,
    pub page: u64,
    pub per_page: u64,
    /// How the search text was read (姓名 / 拼音首字母 / 证件尾号 …), for the page to say.
    pub matched_by: &'static str,
}

/// The condition and the order a filter asks for.
pub(crate) async fn filter_cond(
    st: &PeopleState,
    c: &Caller,
    f: &Filter,
) -> AppResult<(Condition, Vec<resident::Column>, &'static str)> {
    c.require(Permission::PeopleView)?;
    let mut cond = c.scope_cond("org_path");
    if let Some(org) = f.org {
        let n = crate::org::service::find(&st.db, c, org).await?;
        cond = cond.add(like("org_path", prefix(&n.path)));
    }
    match f.status.as_str() {
        "" | ACTIVE => cond = cond.add(resident::Column::Status.eq(ACTIVE)),
        MOVED_OUT | DECEASED => cond = cond.add(resident::Column::Status.eq(f.status.as_str())),
        "all" => {}
        other => {
            return Err(AppError::bad(
                "invalid_input",
                format!("未知的状态“{other}”"),
            ));
        }
    }
    if !f.tag.trim().is_empty() {
        let all = tags(&st.db).await?;
        let ids = tag_ids(&all, &[f.tag.trim().to_owned()])?;
        cond = cond.add(
            resident::Column::Id.in_subquery(
                SqlQuery::select()
                    .column("resident_id")
                    .from("resident_tags")
                    .and_where(Expr::col("tag_id").eq(ids[0]))
                    .to_owned(),
            ),
        );
    }
    if !f.age.trim().is_empty() {
        let band = AgeBand::parse(&f.age)
            .ok_or_else(|| AppError::bad("invalid_input", format!("未知的年龄段“{}”", f.age)))?;
        let (after, upto) = band.births(today());
        cond = cond.add(resident::Column::BirthDate.lte(upto.to_string()));
        if let Some(a) = after {
            cond = cond.add(resident::Column::BirthDate.gt(a.to_string()));
        }
    }
    if !f.residence.trim().is_empty() {
        let r = ResidenceStatus::parse(&f.residence).ok_or_else(|| {
            AppError::bad("invalid_input", format!("未知的人口类型“{}”", f.residence))
        })?;
        cond = cond.add(resident::Column::Residence.eq(r.as_str()));
    }
    if f.party {
        cond = cond.add(resident::Column::Political.is_in([
            PoliticalStatus::PartyMember.as_str(),
            PoliticalStatus::ProbationaryMember.as_str(),
        ]));
    }
    let v = &st.vault;
    let (order, by) = match classify(&f.q) {
        // By place, then in pinyin order (the initials sort as a dictionary would, roughly).
        None => (
            vec![
                resident::Column::OrgPath,
                resident::Column::Initials,
                resident::Column::Name,
            ],
            "",
        ),
        Some(Needle::IdNumber(id)) => {
            cond = cond.add(resident::Column::IdBlind.eq(v.blind(Field::IdNumber, id.expose())));
            (vec![resident::Column::Name], "身份证号")
        }
        Some(Needle::Phone(p)) => {
            cond = cond.add(resident::Column::PhoneBlind.eq(v.blind(Field::Phone, p.expose())));
            (vec![resident::Column::Name], "电话")
        }
        Some(Needle::Tail(t)) => {
            cond = cond.add(
                Condition::any()
                    .add(resident::Column::IdTail.eq(v.blind(Field::IdTail, &t)))
                    .add(resident::Column::PhoneTail.eq(v.blind(Field::PhoneTail, &t))),
            );
            (vec![resident::Column::Name], "身份证号或电话尾号")
        }
        Some(Needle::Initials(i)) => {
            cond = cond.add(like("initials", prefix(&i)));
            (
                vec![resident::Column::Initials, resident::Column::Name],
                "拼音首字母",
            )
        }
        Some(Needle::Address(a)) => {
            cond = cond.add(address_cond(st, c, &a).await?);
            (
                vec![
                    resident::Column::OrgPath,
                    resident::Column::Initials,
                    resident::Column::Name,
                ],
                "地址",
            )
        }
        Some(Needle::Name(n)) => {
            cond = cond.add(like("name", prefix(&n)));
            (vec![resident::Column::Name], "姓名")
        }
    };
    Ok((cond, order, by))
}

/// Searches and lists residents in the caller's scope.
pub async fn search(st: &PeopleState, c: &Caller, f: &Filter) -> AppResult<Page> {
    let (cond, order, matched_by) = filter_cond(st, c, f).await?;
    let paging = wangge_core::validate::Paging::new(f.page, f.per_page, 30)?;
    let (page, per_page) = (paging.page, paging.per_page);
    let ids = resident::Entity::find()
        .select_only()
        .column(resident::Column::Id)
        .filter(cond.clone())
        .into_query();
    let mut q = resident::Entity::find().filter(cond);
    for col in order {
        q = q.order_by_asc(col);
    }
    let q = q
        .order_by_asc(resident::Column::Id)
        .offset((page - 1) * per_page)
        .limit(per_page);
    // A list by place (no search text) walks the place index. SQLite's planner, seeing the
    // path inside the name indexes too, would otherwise scan a name index for the count.
    let by_place = matched_by.is_empty()
        && crate::infra::db::backend(&st.db) == crate::infra::db::Backend::Sqlite;
    let planned = if by_place {
        by_path_index(&st.db, ids.clone(), q.clone()).await.ok()
    } else {
        None
    };
    let (counted, rows) = match planned {
        Some(x) => x,
        // Without the hint (another backend, or the index is being rebuilt by a bulk import).
        None => (
            crate::infra::db::capped_count(&st.db, ids, COUNT_CAP).await?,
            q.all(&st.db).await?,
        ),
    };
    Ok(Page {
        items: views(st, &rows).await?,
        total: std::cmp::min(counted, COUNT_CAP),
        total_capped: counted > COUNT_CAP,
        page,
        per_page,
        matched_by,
    })
}

/// The capped count and the page of a list by place, both read through `ix_residents_path`.
pub(crate) async fn by_path_index(
    db: &sea_orm::DatabaseConnection,
    mut ids: sea_orm::sea_query::SelectStatement,
    page: sea_orm::Select<resident::Entity>,
) -> Result<(u64, Vec<resident::Model>), sea_orm::DbErr> {
    const FROM: &str = r#"FROM "residents" "#;
    const HINTED: &str = r#"FROM "residents" INDEXED BY "ix_residents_path" "#;
    ids.limit(COUNT_CAP + 1);
    let (sql, values) = ids.build(sea_orm::sea_query::SqliteQueryBuilder);
    let count = sea_orm::Statement::from_sql_and_values(
        sea_orm::DbBackend::Sqlite,
        format!("SELECT COUNT(*) FROM ({})", sql.replacen(FROM, HINTED, 1)),
        values,
    );
    let counted = db.query_one_raw(count).await?.map_or(0, |r| {
        r.try_get_by_index::<i64>(0)
            .ok()
            .and_then(|v| u64::try_from(v).ok())
            .unwrap_or(0)
    });
    let mut stmt = page.build(sea_orm::DbBackend::Sqlite);
    stmt.sql = stmt.sql.replacen(FROM, HINTED, 1);
    let rows = resident::Entity::find().from_raw_sql(stmt).all(db).await?;
    Ok((counted, rows))
}

/// The most rows one export holds.
pub const EXPORT_MAX: u64 = 100_000;

/// The export's columns.
pub const EXPORT_HEADERS: [&str; 14] = [
    "住址",
    "与户主关系",
    "姓名",
    "性别",
    "民族",
    "公民身份号码",
    "出生日期",
    "联系电话",
    "人口类型",
    "政治面貌",
    "工作单位",
    "标签",
    "状态",
    "备注",
];

/// The filtered registry as rows of [`EXPORT_HEADERS`]: masked, or with the full ID numbers
/// and phones for whoever may see them (`full`; written to the audit log).
pub async fn export(
    st: &PeopleState,
    c: &Caller,
    f: &Filter,
    full: bool,
) -> AppResult<Vec<Vec<String>>> {
    c.require(Permission::PeopleImport)?;
    if full {
        c.require(Permission::PeopleFullView)?;
    }
    let rows = export_rows(st, c, f, EXPORT_MAX).await?;
    let mut out = Vec::with_capacity(rows.len());
    for chunk in rows.chunks(1000) {
        let views = views(st, chunk).await?;
        for (m, v) in chunk.iter().zip(views) {
            let (id, phone) = if full {
                let id = st.vault.unseal(Field::IdNumber, &m.id_sealed)?;
                let phone = m
                    .phone_sealed
                    .as_deref()
                    .map(|s| st.vault.unseal(Field::Phone, s))
                    .transpose()?
                    .unwrap_or_default();
                (id, phone)
            } else {
                (v.id_number.clone(), v.phone.clone())
            };
            out.push(vec![
                v.address.clone(),
                v.relation.to_owned(),
                v.name.clone(),
                v.gender.to_owned(),
                v.ethnicity.to_owned(),
                id,
                v.birth_date.clone(),
                phone,
                v.residence.to_owned(),
                v.political.to_owned(),
                v.work_unit.clone(),
                v.tags.join("、"),
                v.status_label.to_owned(),
                v.note.clone(),
            ]);
        }
    }
    if full {
        let root = c.audit_root(&st.db).await?;
        audit::record(
            &st.db,
            &c.who,
            Entry {
                org_path: &root,
                action: "export_full",
                entity: "resident",
                entity_id: None,
                summary: format!("导出 {} 位居民的完整身份证号和电话", out.len()),
                changes: json!({"filter": f.query_string(), "rows": out.len()}),
            },
        )
        .await?;
    }
    Ok(out)
}

/// Every resident matching a filter, for the export (at most `limit` rows).
pub async fn export_rows(
    st: &PeopleState,
    c: &Caller,
    f: &Filter,
    limit: u64,
) -> AppResult<Vec<resident::Model>> {
    let (cond, order, _) = filter_cond(st, c, f).await?;
    let mut q = resident::Entity::find().filter(cond);
    for col in order {
        q = q.order_by_asc(col);
    }
    Ok(q.order_by_asc(resident::Column::Id)
        .limit(limit)
        .all(&st.db)
        .await?)
}

/// The members of a household, the head first.
pub async fn members(
    st: &PeopleState,
    household: &household::Model,
) -> AppResult<Vec<ResidentView>> {
    let mut rows = resident::Entity::find()
        .filter(resident::Column::HouseholdId.eq(household.id))
        .filter(resident::Column::Status.eq(ACTIVE))
        .order_by_asc(resident::Column::BirthDate)
        .all(&st.db)
        .await?;
    let rank = |r: &resident::Model| {
        Relation::parse(&r.relation)
            .and_then(|x| Relation::ALL.iter().position(|y| *y == x))
            .unwrap_or(99)
    };
    rows.sort_by_key(|r| rank(r));
    views(st, &rows).await
}
