//! Views.

use super::*;

/// A resident as lists, pages and the API show them: the ID number and phone masked.
#[derive(Clone, Debug, Serialize)]
pub struct ResidentView {
    pub id: i64,
    pub household_id: Option<i64>,
    pub address: String,
    pub name: String,
    pub gender: &'static str,
    pub birth_date: String,
    pub age: i32,
    pub ethnicity: &'static str,
    /// `330102********1234`.
    pub id_number: String,
    /// `138****5678`, or empty.
    pub phone: String,
    pub residence: &'static str,
    pub political: &'static str,
    pub relation: &'static str,
    pub work_unit: String,
    pub tags: Vec<String>,
    pub note: String,
    pub status: String,
    pub status_label: &'static str,
    pub version: i32,
    pub updated_at: i64,
}

impl ResidentView {
    /// Whether the resident is a party member (full or probationary).
    pub fn is_party_member(&self) -> bool {
        self.political.contains("党员")
    }
}

pub(crate) fn label_of<T: Copy>(
    parse: fn(&str) -> Option<T>,
    label: fn(T) -> &'static str,
    s: &str,
) -> &'static str {
    parse(s).map_or("", label)
}

pub(crate) fn view(
    vault: &Vault,
    r: &resident::Model,
    address: String,
    tags: Vec<String>,
) -> ResidentView {
    let birth = chrono::NaiveDate::parse_from_str(&r.birth_date, "%Y-%m-%d").ok();
    ResidentView {
        id: r.id,
        household_id: r.household_id,
        address,
        name: r.name.clone(),
        gender: label_of(Gender::parse, Gender::label, &r.gender),
        birth_date: r.birth_date.clone(),
        age: birth.map_or(0, |b| age_on(b, today())),
        ethnicity: u8::try_from(r.ethnicity)
            .ok()
            .and_then(ethnicity_name)
            .unwrap_or(""),
        id_number: vault.masked_id(&r.id_sealed),
        phone: vault.masked_phone(r.phone_sealed.as_deref().unwrap_or_default()),
        residence: label_of(ResidenceStatus::parse, ResidenceStatus::label, &r.residence),
        political: label_of(PoliticalStatus::parse, PoliticalStatus::label, &r.political),
        relation: label_of(Relation::parse, Relation::label, &r.relation),
        work_unit: r.work_unit.clone(),
        tags,
        note: r.note.clone(),
        status: r.status.clone(),
        status_label: status_label(&r.status),
        version: r.version,
        updated_at: r.updated_at,
    }
}

/// Views of many rows: their addresses and tags read in two queries.
pub async fn views(st: &PeopleState, rows: &[resident::Model]) -> AppResult<Vec<ResidentView>> {
    let db = &st.db;
    let hids: Vec<i64> = rows.iter().filter_map(|r| r.household_id).collect();
    let addresses: HashMap<i64, String> = if hids.is_empty() {
        HashMap::new()
    } else {
        household::Entity::find()
            .filter(household::Column::Id.is_in(hids))
            .all(db)
            .await?
            .into_iter()
            .map(|h| (h.id, h.address))
            .collect()
    };
    let mut tags = tags_of(db, &rows.iter().map(|r| r.id).collect::<Vec<_>>()).await?;
    Ok(rows
        .iter()
        .map(|r| {
            let address = r
                .household_id
                .and_then(|h| addresses.get(&h).cloned())
                .unwrap_or_default();
            view(
                &st.vault,
                r,
                address,
                tags.remove(&r.id).unwrap_or_default(),
            )
        })
        .collect())
}

/// The tag names of residents.
pub(crate) async fn tags_of(
    db: &impl ConnectionTrait,
    ids: &[i64],
) -> AppResult<HashMap<i64, Vec<String>>> {
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    let names: HashMap<i64, String> = tag::Entity::find()
        .all(db)
        .await?
        .into_iter()
        .map(|t| (t.id, t.name))
        .collect();
    Ok(tag_ids_of(db, ids)
        .await?
        .into_iter()
        .map(|(rid, tags)| {
            let named = tags.iter().filter_map(|t| names.get(t).cloned()).collect();
            (rid, named)
        })
        .collect())
}

/// The tag ids of each of these residents, in tag order.
pub(crate) async fn tag_ids_of(
    db: &impl ConnectionTrait,
    ids: &[i64],
) -> AppResult<HashMap<i64, Vec<i64>>> {
    let mut out: HashMap<i64, Vec<i64>> = HashMap::new();
    for chunk in ids.chunks(500) {
        let list = crate::infra::db::id_list(chunk);
        let rows = db
            .query_all_raw(crate::infra::db::statement(
                db,
                &format!(
                    "SELECT resident_id, tag_id FROM resident_tags WHERE resident_id IN ({list}) \
                     ORDER BY tag_id"
                ),
                vec![],
            ))
            .await?;
        for r in rows {
            let rid: i64 = r.try_get_by_index(0)?;
            let tid: i64 = r.try_get_by_index(1)?;
            out.entry(rid).or_default().push(tid);
        }
    }
    Ok(out)
}
