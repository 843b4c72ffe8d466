//! The registry's pages: search, buildings and households, a household's file (members,
//! documents, assessments, visits) and its printable page, a resident's record with the
//! audited full view, import with progress, and the masked export.

use super::PeopleState;
use super::archive::{self, AssessmentInput, DOC_TYPES, ItemInput, VisitInput};
use super::entity::{assessment, assessment_item, document, household, movement, visit};
use super::import::{self, Input, Progress, Report};
use super::service::{
    self, BuildingView, Filter, HouseholdInput, HouseholdView, MoveInput, Page, ResidentForm,
    ResidentView, Revealed,
};
use crate::infra::error::{AppError, AppResult};
use crate::org::entity::node;
use crate::web::Query;
use crate::web::{Actor, PageActor};
use crate::web::{Html, PageCtx, done, flash_redirect, respond};
use askama::Template;
use axum::body::Bytes;
use axum::extract::{Multipart, Path, State};
use axum::http::header;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use std::collections::HashMap;
use std::sync::atomic::Ordering;
use std::sync::{Arc, Mutex};
use wangge_core::people::{ETHNICITIES, HouseholdType, PoliticalStatus, Relation, ResidenceStatus};
use wangge_core::registry::{AgeBand, ResidentInput};
use wangge_core::{OrgLevel, Permission};

use crate::web::Choice;

fn choices<T: Copy>(
    all: &[T],
    word: fn(T) -> &'static str,
    label: fn(T) -> &'static str,
) -> Vec<Choice> {
    all.iter()
        .map(|x| Choice {
            value: word(*x).into(),
            label: label(*x).into(),
        })
        .collect()
}

/// The code lists every resident form offers.
pub struct Lists {
    pub residence: Vec<Choice>,
    pub political: Vec<Choice>,
    pub relation: Vec<Choice>,
    pub kinds: Vec<Choice>,
    pub ethnicities: Vec<&'static str>,
    pub tags: Vec<String>,
    pub ages: Vec<Choice>,
    pub doc_types: Vec<Choice>,
}

async fn lists(st: &PeopleState) -> AppResult<Lists> {
    Ok(Lists {
        residence: choices(
            ResidenceStatus::ALL,
            ResidenceStatus::as_str,
            ResidenceStatus::label,
        ),
        political: choices(
            PoliticalStatus::ALL,
            PoliticalStatus::as_str,
            PoliticalStatus::label,
        ),
        relation: choices(Relation::ALL, Relation::as_str, Relation::label),
        kinds: choices(
            HouseholdType::ALL,
            HouseholdType::as_str,
            HouseholdType::label,
        ),
        ethnicities: ETHNICITIES.to_vec(),
        tags: service::tags(&st.db)
            .await?
            .into_iter()
            .map(|t| t.name)
            .collect(),
        ages: AgeBand::ALL
            .iter()
            .map(|a| Choice {
                value: a.as_str().into(),
                label: a.label().into(),
            })
            .collect(),
        doc_types: DOC_TYPES
            .iter()
            .map(|(w, l)| Choice {
                value: (*w).into(),
                label: (*l).into(),
            })
            .collect(),
    })
}

/// The communities and grids in the caller's scope, for the filter.
async fn area_choices(st: &PeopleState, actor: &Actor) -> AppResult<Vec<Choice>> {
    let rows = node::Entity::find()
        .filter(actor.caller().scope_cond("path"))
        .filter(node::Column::Level.is_in([
            OrgLevel::Township.as_str(),
            OrgLevel::Community.as_str(),
            OrgLevel::Grid.as_str(),
        ]))
        .filter(node::Column::Status.eq("active"))
        .order_by_asc(node::Column::Path)
        .all(&st.db)
        .await?;
    Ok(rows
        .into_iter()
        .map(|n| Choice {
            value: n.id.to_string(),
            label: format!(
                "{}{}",
                if n.level == OrgLevel::Grid.as_str() {
                    "　"
                } else {
                    ""
                },
                n.name
            ),
        })
        .collect())
}

use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};

/// The values a resident form starts with: empty for a new member, the record for an edit
/// (the ID number and phone are never put back into a form: an empty field keeps them).
#[derive(Default)]
pub struct FormVals {
    pub editing: bool,
    pub name: String,
    pub ethnicity: String,
    pub residence: String,
    pub political: String,
    pub relation: String,
    pub work_unit: String,
    pub note: String,
    pub tags: Vec<String>,
    pub id_hint: String,
    pub phone_hint: String,
}

impl FormVals {
    fn blank() -> FormVals {
        FormVals {
            ethnicity: "汉族".into(),
            residence: "户籍".into(),
            political: "群众".into(),
            relation: "其他".into(),
            ..FormVals::default()
        }
    }

    fn of(r: &ResidentView) -> FormVals {
        FormVals {
            editing: true,
            name: r.name.clone(),
            ethnicity: r.ethnicity.into(),
            residence: r.residence.into(),
            political: r.political.into(),
            relation: r.relation.into(),
            work_unit: r.work_unit.clone(),
            note: r.note.clone(),
            tags: r.tags.clone(),
            id_hint: r.id_number.clone(),
            phone_hint: r.phone.clone(),
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Search

#[derive(Template)]
#[template(path = "people/search.html")]
struct SearchPage {
    ctx: PageCtx,
    page: Page,
    f: Filter,
    org_value: String,
    lists: Lists,
    areas: Vec<Choice>,
    query: String,
    can_import: bool,
    can_full: bool,
}

/// `GET /people`
pub async fn search(
    State(st): State<PeopleState>,
    PageActor(actor): PageActor,
    Query(f): Query<Filter>,
) -> Response {
    let run = async {
        let page = service::search(&st, &actor.caller(), &f).await?;
        let ctx = PageCtx::new(&st, &actor, "人口台账", "people").await?;
        Ok(Html(
            SearchPage {
                ctx,
                page,
                query: f.query_string(),
                org_value: f.org.map(|i| i.to_string()).unwrap_or_default(),
                f,
                lists: lists(&st).await?,
                areas: area_choices(&st, &actor).await?,
                can_import: actor.role.can(Permission::PeopleImport),
                can_full: actor.role.can(Permission::PeopleFullView),
            }
            .render(),
        )
        .into_response())
    };
    respond(&st, &actor, run.await).await
}

/// Query of the export.
#[derive(Deserialize)]
pub struct ExportQuery {
    /// Full ID numbers and phones (needs `PeopleFullView`; audited).
    #[serde(default)]
    full: Option<String>,
}

/// `GET /people/export.xlsx` (and `/api/v1/residents/export.xlsx`): the filtered registry,
/// masked unless `full=1` by someone who may see full values (then audited).
pub async fn export(
    State(st): State<PeopleState>,
    actor: Actor,
    // The list's filter and the export's own field, read apart: a flattened struct reads
    // every value as text and refuses `org=12`.
    Query(f): Query<Filter>,
    Query(q): Query<ExportQuery>,
) -> Response {
    match export_file(&st, &actor, &f, &q).await {
        Ok(r) => r,
        Err(e) => crate::web::page_err(&st, &actor, e).await,
    }
}

/// `GET /api/v1/residents/export.xlsx`: the same file; a refusal is the API's JSON error.
#[utoipa::path(
    get,
    operation_id = "people_export",
    path = "/residents/export.xlsx",
    tag = "人口台账",
    summary = "导出人口台账（XLSX，默认脱敏；full=1 为全量并记审计）",
    params(
        ("full" = Option<u8>, Query, description = "1 为全量导出"),
    ),
    responses(
        (status = 200, description = "成功"),
        crate::web::Refused,
    ),
)]
pub async fn api_export(
    State(st): State<PeopleState>,
    actor: Actor,
    Query(f): Query<Filter>,
    Query(q): Query<ExportQuery>,
) -> AppResult<Response> {
    export_file(&st, &actor, &f, &q).await
}

async fn export_file(
    st: &PeopleState,
    actor: &Actor,
    f: &Filter,
    q: &ExportQuery,
) -> AppResult<Response> {
    let full = q.full.as_deref().is_some_and(|v| v == "1" || v == "true");
    let out = service::export(st, &actor.caller(), f, full).await?;
    let bytes = crate::web::xlsx::build("人口台账", &service::EXPORT_HEADERS, &out)?;
    let mut resp = crate::web::xlsx::download(
        if full {
            "人口台账（完整）.xlsx"
        } else {
            "人口台账.xlsx"
        },
        bytes,
    );
    resp.headers_mut().insert(
        header::CACHE_CONTROL,
        header::HeaderValue::from_static("no-store"),
    );
    Ok(resp)
}

// ---------------------------------------------------------------------------------------------
// Buildings and households

#[derive(Template)]
#[template(path = "people/buildings.html")]
struct BuildingsPage {
    ctx: PageCtx,
    top: node::Model,
    buildings: Vec<BuildingView>,
    areas: Vec<Choice>,
}

/// Query naming a node.
#[derive(Deserialize)]
pub struct OrgQuery {
    org: Option<i64>,
}

/// `GET /people/buildings?org=ID`: the buildings under a node (default: the account's own).
pub async fn buildings(
    State(st): State<PeopleState>,
    PageActor(actor): PageActor,
    Query(q): Query<OrgQuery>,
) -> Response {
    let run = async {
        let c = actor.caller();
        let org = q.org.unwrap_or(actor.org_id);
        let top = crate::org::service::find(&st.db, &c, org).await?;
        let buildings = service::buildings_under(&st, &c, org).await?;
        let ctx = PageCtx::new(&st, &actor, "楼栋住户", "people").await?;
        Ok(Html(
            BuildingsPage {
                ctx,
                top,
                buildings,
                areas: area_choices(&st, &actor).await?,
            }
            .render(),
        )
        .into_response())
    };
    respond(&st, &actor, run.await).await
}

#[derive(Template)]
#[template(path = "people/building.html")]
struct BuildingPage {
    ctx: PageCtx,
    b: node::Model,
    households: Vec<HouseholdView>,
    lists: Lists,
    can_manage: bool,
}

/// `GET /people/buildings/{id}`
pub async fn building(
    State(st): State<PeopleState>,
    PageActor(actor): PageActor,
    Path(id): Path<i64>,
) -> Response {
    let run = async {
        let c = actor.caller();
        c.require(Permission::PeopleView)?;
        let b = service::building(&st, &c, id).await?;
        let households = service::households_of(&st, &c, id).await?;
        let ctx = PageCtx::new(&st, &actor, &b.name, "people").await?;
        Ok(Html(
            BuildingPage {
                ctx,
                b,
                households,
                lists: lists(&st).await?,
                can_manage: actor.role.can(Permission::PeopleManage),
            }
            .render(),
        )
        .into_response())
    };
    respond(&st, &actor, run.await).await
}

/// The household form.
#[derive(Deserialize, Default)]
pub struct HouseholdForm {
    #[serde(default)]
    building_id: Option<i64>,
    #[serde(default)]
    room: String,
    #[serde(default)]
    kind: String,
    #[serde(default)]
    head_id: String,
    #[serde(default)]
    note: String,
    #[serde(default)]
    version: Option<i32>,
}

impl HouseholdForm {
    fn input(self) -> HouseholdInput {
        HouseholdInput {
            building_id: self.building_id,
            room: self.room,
            kind: self.kind,
            head_id: self.head_id.trim().parse().ok(),
            note: self.note,
            version: self.version,
        }
    }
}

/// `POST /people/households`
pub async fn create_household(
    State(st): State<PeopleState>,
    PageActor(actor): PageActor,
    axum::Form(f): axum::Form<HouseholdForm>,
) -> Response {
    let back = format!("/people/buildings/{}", f.building_id.unwrap_or(0));
    match service::create_household(&st, &actor.caller(), f.input()).await {
        Ok(h) => flash_redirect(
            &format!("/people/households/{}", h.id),
            true,
            "住户已添加，请登记家庭成员",
        ),
        Err(e) => done::<()>(Err(e), &back, ""),
    }
}

/// `POST /people/households/{id}/edit`
pub async fn update_household(
    State(st): State<PeopleState>,
    PageActor(actor): PageActor,
    Path(id): Path<i64>,
    axum::Form(f): axum::Form<HouseholdForm>,
) -> Response {
    let r = service::update_household(&st, &actor.caller(), id, f.input()).await;
    done(r, &format!("/people/households/{id}"), "住户信息已保存")
}

#[derive(Template)]
#[template(path = "people/household.html")]
struct HouseholdPage {
    ctx: PageCtx,
    h: HouseholdView,
    building: String,
    members: Vec<ResidentView>,
    moves: Vec<(movement::Model, String)>,
    documents: Vec<document::Model>,
    assessments: Vec<assessment::Model>,
    visits: Vec<visit::Model>,
    items: Vec<assessment_item::Model>,
    lists: Lists,
    fv: FormVals,
    can_manage: bool,
    can_visit: bool,
    today: String,
    year: i32,
}

struct HouseholdData {
    h: household::Model,
    view: HouseholdView,
    building: String,
    members: Vec<ResidentView>,
    moves: Vec<(movement::Model, String)>,
    a: archive::Archive,
}

async fn household_data(st: &PeopleState, actor: &Actor, id: i64) -> AppResult<HouseholdData> {
    let h = service::find_household(&st.db, &actor.caller(), id).await?;
    let members = service::members(st, &h).await?;
    let ids: Vec<i64> = members.iter().map(|m| m.id).collect();
    let mut moves = service::moves_of(&st.db, &ids).await?;
    // Moves out of this household by people no longer in it are history too.
    let gone = movement::Entity::find()
        .filter(movement::Column::FromHousehold.eq(h.id))
        .order_by_desc(movement::Column::At)
        .all(&st.db)
        .await?;
    for g in gone {
        if !moves.iter().any(|m| m.id == g.id) {
            moves.push(g);
        }
    }
    moves.sort_by(|a, b| b.at.cmp(&a.at).then(b.id.cmp(&a.id)));
    let who: Vec<i64> = moves.iter().map(|m| m.resident_id).collect();
    let names: HashMap<i64, String> = super::entity::resident::Entity::find()
        .filter(super::entity::resident::Column::Id.is_in(who))
        .all(&st.db)
        .await?
        .into_iter()
        .map(|r| (r.id, r.name))
        .collect();
    let moves = moves
        .into_iter()
        .map(|m| {
            let n = names.get(&m.resident_id).cloned().unwrap_or_default();
            (m, n)
        })
        .collect();
    let building = node::Entity::find_by_id(h.building_id)
        .one(&st.db)
        .await?
        .map(|b| b.name)
        .unwrap_or_default();
    let a = archive::archive(st, &h).await?;
    Ok(HouseholdData {
        view: service::household_view(&h, members.len() as i64),
        h,
        building,
        members,
        moves,
        a,
    })
}

use crate::infra::clock::today;

/// `GET /people/households/{id}`
pub async fn household(
    State(st): State<PeopleState>,
    PageActor(actor): PageActor,
    Path(id): Path<i64>,
) -> Response {
    let run = async {
        let d = household_data(&st, &actor, id).await?;
        let ctx = PageCtx::new(&st, &actor, &d.h.address, "people").await?;
        use chrono::Datelike;
        Ok(Html(
            HouseholdPage {
                ctx,
                h: d.view,
                building: d.building,
                members: d.members,
                moves: d.moves,
                documents: d.a.documents,
                assessments: d.a.assessments,
                visits: d.a.visits,
                items: d.a.items,
                lists: lists(&st).await?,
                fv: FormVals::blank(),
                can_manage: actor.role.can(Permission::PeopleManage),
                can_visit: actor.role.can(Permission::VisitLog),
                today: today().to_string(),
                year: today().year(),
            }
            .render(),
        )
        .into_response())
    };
    respond(&st, &actor, run.await).await
}

#[derive(Template)]
#[template(path = "people/print.html")]
struct PrintPage {
    h: HouseholdView,
    members: Vec<ResidentView>,
    documents: Vec<document::Model>,
    assessments: Vec<assessment::Model>,
    visits: Vec<visit::Model>,
    printed: String,
    printed_by: String,
}

/// `GET /people/households/{id}/print`: the household's file on one printable page.
pub async fn print(
    State(st): State<PeopleState>,
    PageActor(actor): PageActor,
    Path(id): Path<i64>,
) -> Response {
    let run = async {
        let d = household_data(&st, &actor, id).await?;
        Ok(Html(
            PrintPage {
                h: d.view,
                members: d.members,
                documents: d.a.documents,
                assessments: d.a.assessments,
                visits: d.a.visits.into_iter().take(10).collect(),
                printed: today().to_string(),
                printed_by: actor.display_name.clone(),
            }
            .render(),
        )
        .into_response())
    };
    respond(&st, &actor, run.await).await
}

// ---------------------------------------------------------------------------------------------
// Residents

/// Reads an urlencoded form body into pairs (repeated names kept, for the tag boxes).
fn pairs(body: &[u8]) -> Vec<(String, String)> {
    std::str::from_utf8(body)
        .unwrap_or("")
        .split('&')
        .filter_map(|kv| kv.split_once('='))
        .map(|(k, v)| {
            (
                crate::web::urldecode(&k.replace('+', " ")).into_owned(),
                crate::web::urldecode(&v.replace('+', " ")).into_owned(),
            )
        })
        .collect()
}

fn resident_form(body: &[u8]) -> ResidentForm {
    let p = pairs(body);
    let get = |k: &str| {
        p.iter()
            .find(|(n, _)| n == k)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    };
    let tags: Vec<String> = p
        .iter()
        .filter(|(n, _)| n == "tag")
        .map(|(_, v)| v.clone())
        .collect();
    ResidentForm {
        fields: ResidentInput {
            name: get("name"),
            gender: get("gender"),
            birth_date: get("birth_date"),
            ethnicity: get("ethnicity"),
            id_number: get("id_number"),
            phone: get("phone"),
            residence: get("residence"),
            political: get("political"),
            relation: get("relation"),
            work_unit: get("work_unit"),
            tags: tags.join("、"),
            note: get("note"),
        },
        household_id: get("household_id").trim().parse().ok(),
        version: get("version").trim().parse().ok(),
        clear_phone: !get("clear_phone").is_empty(),
    }
}

/// `POST /people/residents` (from a household's page)
pub async fn create_resident(
    State(st): State<PeopleState>,
    PageActor(actor): PageActor,
    body: Bytes,
) -> Response {
    let form = resident_form(&body);
    let back = format!("/people/households/{}", form.household_id.unwrap_or(0));
    let r = service::create(&st, &actor.caller(), form).await;
    done(r, &back, "居民已登记")
}

#[derive(Template)]
#[template(path = "people/resident.html")]
struct ResidentPage {
    ctx: PageCtx,
    r: ResidentView,
    moves: Vec<movement::Model>,
    revealed: Option<Revealed>,
    lists: Lists,
    fv: FormVals,
    can_manage: bool,
    can_full: bool,
    today: String,
}

async fn render_resident(
    st: &PeopleState,
    actor: &Actor,
    id: i64,
    revealed: Option<Revealed>,
) -> AppResult<Response> {
    let raw = service::find(&st.db, &actor.caller(), id).await?;
    let r = service::views(st, std::slice::from_ref(&raw))
        .await?
        .pop()
        .ok_or_else(|| AppError::Internal(anyhow::anyhow!("no view")))?;
    let moves = service::moves_of(&st.db, &[raw.id]).await?;
    let ctx = PageCtx::new(st, actor, &r.name, "people").await?;
    let mut resp = Html(
        ResidentPage {
            ctx,
            fv: FormVals::of(&r),
            r,
            moves,
            revealed,
            lists: lists(st).await?,
            can_manage: actor.role.can(Permission::PeopleManage),
            can_full: actor.role.can(Permission::PeopleFullView),
            today: today().to_string(),
        }
        .render(),
    )
    .into_response();
    resp.headers_mut().insert(
        header::CACHE_CONTROL,
        header::HeaderValue::from_static("no-store"),
    );
    Ok(resp)
}

/// `GET /people/residents/{id}`
pub async fn resident(
    State(st): State<PeopleState>,
    PageActor(actor): PageActor,
    Path(id): Path<i64>,
) -> Response {
    let r = render_resident(&st, &actor, id, None).await;
    respond(&st, &actor, r).await
}

/// `POST /people/residents/{id}/reveal`: the same page with the full values (audited).
pub async fn reveal(
    State(st): State<PeopleState>,
    PageActor(actor): PageActor,
    Path(id): Path<i64>,
) -> Response {
    let run = async {
        let v = service::reveal(&st, &actor.caller(), id).await?;
        render_resident(&st, &actor, id, Some(v)).await
    };
    respond(&st, &actor, run.await).await
}

/// `POST /people/residents/{id}/edit`
pub async fn update_resident(
    State(st): State<PeopleState>,
    PageActor(actor): PageActor,
    Path(id): Path<i64>,
    body: Bytes,
) -> Response {
    let form = resident_form(&body);
    let r = service::update(&st, &actor.caller(), id, form).await;
    done(r, &format!("/people/residents/{id}"), "已保存")
}

/// The move form.
#[derive(Deserialize)]
pub struct MoveForm {
    #[serde(default)]
    kind: String,
    #[serde(default)]
    to_household: String,
    #[serde(default)]
    relation: String,
    #[serde(default)]
    on_date: String,
    #[serde(default)]
    reason: String,
    #[serde(default)]
    version: Option<i32>,
}

/// `POST /people/residents/{id}/move`
pub async fn move_resident(
    State(st): State<PeopleState>,
    PageActor(actor): PageActor,
    Path(id): Path<i64>,
    axum::Form(f): axum::Form<MoveForm>,
) -> Response {
    // The form takes a household by its number as shown on its page (住户编号).
    let input = MoveInput {
        kind: f.kind,
        to_household: f.to_household.trim().trim_start_matches('#').parse().ok(),
        relation: f.relation,
        on_date: f.on_date,
        reason: f.reason,
        version: f.version,
    };
    let r = service::move_resident(&st, &actor.caller(), id, input).await;
    done(r, &format!("/people/residents/{id}"), "变动已登记")
}

// ---------------------------------------------------------------------------------------------
// The household's file

/// The visit form.
#[derive(Deserialize)]
pub struct VisitForm {
    #[serde(default)]
    visited_on: String,
    #[serde(default)]
    notes: String,
    #[serde(default)]
    needs: String,
    #[serde(default)]
    make_case: Option<String>,
}

/// `POST /people/households/{id}/visits`
pub async fn visit(
    State(st): State<PeopleState>,
    PageActor(actor): PageActor,
    Path(id): Path<i64>,
    axum::Form(f): axum::Form<VisitForm>,
) -> Response {
    let input = VisitInput {
        visited_on: f.visited_on,
        notes: f.notes,
        needs: f.needs,
        make_case: f.make_case.is_some(),
        category: None,
    };
    let back = format!("/people/households/{id}");
    match archive::log_visit(&st, &actor, id, input).await {
        Ok(v) => match v.case_id {
            Some(c) => flash_redirect(&format!("/cases/{c}"), true, "走访已记录，诉求已转为案件"),
            None => flash_redirect(&back, true, "走访已记录"),
        },
        Err(e) => done::<()>(Err(e), &back, ""),
    }
}

/// `POST /people/households/{id}/assessments`: `period`, `assessed_on`, `note` and
/// `score_<item id>` fields.
pub async fn assess(
    State(st): State<PeopleState>,
    PageActor(actor): PageActor,
    Path(id): Path<i64>,
    body: Bytes,
) -> Response {
    let p = pairs(&body);
    let mut input = AssessmentInput::default();
    let mut scores = HashMap::new();
    for (k, v) in p {
        match k.as_str() {
            "period" => input.period = v,
            "assessed_on" => input.assessed_on = v,
            "note" => input.note = v,
            _ => {
                if let Some(item) = k.strip_prefix("score_")
                    && let Ok(s) = v.trim().parse::<i32>()
                {
                    scores.insert(item.to_owned(), s);
                }
            }
        }
    }
    input.scores = scores;
    let r = archive::assess(&st, &actor.caller(), id, input).await;
    done(r, &format!("/people/households/{id}"), "考评已记录")
}

/// `POST /people/households/{id}/documents` (multipart: `type`, `title`, `file`)
pub async fn add_document(
    State(st): State<PeopleState>,
    PageActor(actor): PageActor,
    Path(id): Path<i64>,
    mp: Multipart,
) -> Response {
    let run = async {
        let (fields, bytes) = crate::web::read_upload(mp, "档案文件不超过 20 MB").await?;
        let get = |k: &str| fields.get(k).map_or("", String::as_str);
        archive::add_document(&st, &actor.caller(), id, get("type"), get("title"), &bytes).await
    };
    done(run.await, &format!("/people/households/{id}"), "档案已上传")
}

/// `GET /people/households/{id}/documents/{doc}`
pub async fn document_file(
    State(st): State<PeopleState>,
    PageActor(actor): PageActor,
    Path((id, doc)): Path<(i64, i64)>,
) -> Response {
    let run = async {
        let (d, bytes) = archive::document_file(&st, &actor.caller(), id, doc).await?;
        Ok(crate::web::document_response(&d.mime, &d.title, bytes))
    };
    respond(&st, &actor, run.await).await
}

#[derive(Template)]
#[template(path = "people/items.html")]
struct ItemsPage {
    ctx: PageCtx,
    community: node::Model,
    communities: Vec<Choice>,
    items: Vec<assessment_item::Model>,
    total_max: i32,
    can_manage: bool,
}

/// `GET /people/assessment-items?org=ID`: a community's assessment items.
pub async fn items(
    State(st): State<PeopleState>,
    PageActor(actor): PageActor,
    Query(q): Query<OrgQuery>,
) -> Response {
    let run = async {
        let c = actor.caller();
        c.require(Permission::PeopleView)?;
        let communities = node::Entity::find()
            .filter(c.scope_cond("path"))
            .filter(node::Column::Level.eq(OrgLevel::Community.as_str()))
            .filter(node::Column::Status.eq("active"))
            .order_by_asc(node::Column::Path)
            .all(&st.db)
            .await?;
        let dir = st.cases.directory.get(&st.db).await?;
        let own = dir
            .chain(&actor.scope.root().clone())
            .into_iter()
            .find(|n| n.level == OrgLevel::Community.as_str());
        let community = match q.org {
            Some(o) => crate::org::service::find(&st.db, &c, o).await?,
            None => own
                .or_else(|| communities.first().cloned())
                .ok_or_else(|| AppError::NotFound("您的管辖范围内没有社区".into()))?,
        };
        let items = archive::items_of(&st.db, community.id).await?;
        let ctx = PageCtx::new(&st, &actor, "考评项目", "people").await?;
        Ok(Html(
            ItemsPage {
                ctx,
                communities: communities
                    .iter()
                    .map(|n| Choice {
                        value: n.id.to_string(),
                        label: n.name.clone(),
                    })
                    .collect(),
                community,
                total_max: items.iter().map(|i| i.max_score).sum(),
                items,
                can_manage: actor.role.can(Permission::PeopleManage),
            }
            .render(),
        )
        .into_response())
    };
    respond(&st, &actor, run.await).await
}

/// The item form.
#[derive(Deserialize)]
pub struct ItemForm {
    org_id: Option<i64>,
    #[serde(default)]
    name: String,
    #[serde(default)]
    max_score: String,
}

/// `POST /people/assessment-items`
pub async fn add_item(
    State(st): State<PeopleState>,
    PageActor(actor): PageActor,
    axum::Form(f): axum::Form<ItemForm>,
) -> Response {
    let back = format!("/people/assessment-items?org={}", f.org_id.unwrap_or(0));
    let r = archive::add_item(
        &st,
        &actor.caller(),
        ItemInput {
            org_id: f.org_id,
            name: f.name,
            max_score: f.max_score.trim().parse().ok(),
        },
    )
    .await;
    done(r, &back, "考评项目已添加")
}

/// `POST /people/assessment-items/{id}/retire`
pub async fn retire_item(
    State(st): State<PeopleState>,
    PageActor(actor): PageActor,
    Path(id): Path<i64>,
) -> Response {
    let r = archive::retire_item(&st, &actor.caller(), id).await;
    done(r, "/people/assessment-items", "考评项目已停用")
}

// ---------------------------------------------------------------------------------------------
// Import

/// An import running in the background for the web page.
pub struct Job {
    pub id: u64,
    pub owner: i64,
    pub file_name: String,
    pub progress: Arc<Progress>,
    pub outcome: Mutex<Option<Result<Report, String>>>,
}

/// The server's recent imports (the last [`KEPT_JOBS`]).
#[derive(Default)]
pub struct Jobs {
    jobs: Mutex<Vec<Arc<Job>>>,
    next: std::sync::atomic::AtomicU64,
}

/// How many finished imports the server remembers.
pub const KEPT_JOBS: usize = 20;

impl Jobs {
    fn add(&self, owner: i64, file_name: String) -> Arc<Job> {
        let job = Arc::new(Job {
            id: self.next.fetch_add(1, Ordering::Relaxed) + 1,
            owner,
            file_name,
            progress: Arc::default(),
            outcome: Mutex::new(None),
        });
        if let Ok(mut all) = self.jobs.lock() {
            all.push(job.clone());
            let n = all.len();
            if n > KEPT_JOBS {
                all.drain(..n - KEPT_JOBS);
            }
        }
        job
    }

    fn get(&self, id: u64, owner: i64) -> AppResult<Arc<Job>> {
        self.jobs
            .lock()
            .ok()
            .and_then(|all| all.iter().find(|j| j.id == id && j.owner == owner).cloned())
            .ok_or_else(|| AppError::NotFound("导入任务不存在或已过期".into()))
    }
}

#[derive(Template)]
#[template(path = "people/import.html")]
struct ImportPage {
    ctx: PageCtx,
    columns: Vec<(&'static str, &'static str, bool)>,
    tags: Vec<String>,
    max_mb: usize,
}

/// `GET /people/import`
pub async fn import_page(State(st): State<PeopleState>, PageActor(actor): PageActor) -> Response {
    let run = async {
        actor.require(Permission::PeopleImport)?;
        let ctx = PageCtx::new(&st, &actor, "导入人口台账", "people").await?;
        Ok(Html(
            ImportPage {
                ctx,
                columns: import::COLUMNS
                    .iter()
                    .map(|(_, label, aliases, req)| {
                        (*label, aliases.first().copied().unwrap_or(""), *req)
                    })
                    .collect(),
                tags: lists(&st).await?.tags,
                max_mb: import::MAX_UPLOAD / 1024 / 1024,
            }
            .render(),
        )
        .into_response())
    };
    respond(&st, &actor, run.await).await
}

/// `POST /people/import` (multipart `file`): starts the import and shows its progress.
pub async fn import_start(
    State(st): State<PeopleState>,
    PageActor(actor): PageActor,
    req: axum::extract::Request,
) -> Response {
    let run = async {
        actor.require(Permission::PeopleImport)?;
        super::api::check_upload_size(req.headers())?;
        let mut mp = <Multipart as axum::extract::FromRequest<PeopleState>>::from_request(req, &st)
            .await
            .map_err(|_| AppError::bad("bad_file", "请用网页上的表单选择文件上传"))?;
        let mut file: Option<(String, Vec<u8>)> = None;
        while let Some(field) = mp.next_field().await.map_err(|_| super::api::too_large())? {
            if field.name() == Some("file") {
                let name = field.file_name().unwrap_or("台账").to_owned();
                let data = field.bytes().await.map_err(|_| super::api::too_large())?;
                file = Some((name, data.to_vec()));
            }
        }
        let (name, bytes) = file
            .filter(|(_, b)| !b.is_empty())
            .ok_or_else(|| AppError::bad("empty_file", "请选择要导入的文件"))?;
        let job = st.imports.add(actor.user_id, name);
        let (st2, c, j) = (st.clone(), actor.caller(), job.clone());
        tokio::spawn(async move {
            let r = import::import(&st2, &c, Input::Bytes(bytes), j.progress.clone()).await;
            if let Err(e) = &r {
                e.log();
            }
            if let Ok(mut o) = j.outcome.lock() {
                *o = Some(r.map_err(|e| e.to_string()));
            }
        });
        Ok(Redirect::to(&format!("/people/import/jobs/{}", job.id)).into_response())
    };
    respond(&st, &actor, run.await).await
}

#[derive(Template)]
#[template(path = "people/job.html")]
struct JobPage {
    ctx: PageCtx,
    id: u64,
    file_name: String,
    rows: u64,
    percent: Option<u32>,
    report: Option<Report>,
    /// (reason, rows), the commonest first.
    reasons: Vec<(String, u64)>,
    error: Option<String>,
}

/// How many rejected rows the job page lists.
const SHOWN_REJECTED: usize = 50;

/// `GET /people/import/jobs/{id}`: the progress (the page refreshes itself) and then the
/// report.
pub async fn import_job(
    State(st): State<PeopleState>,
    PageActor(actor): PageActor,
    Path(id): Path<u64>,
) -> Response {
    let run = async {
        let job = st.imports.get(id, actor.user_id)?;
        // The page shows the commonest reasons and the first rows; the download has them all.
        let (report, reasons, error) = match job.outcome.lock().ok().as_deref() {
            Some(Some(Ok(r))) => (Some(r.head(SHOWN_REJECTED)), r.reasons(8), None),
            Some(Some(Err(e))) => (None, Vec::new(), Some(e.clone())),
            _ => (None, Vec::new(), None),
        };
        let ctx = PageCtx::new(&st, &actor, "导入人口台账", "people").await?;
        Ok(Html(
            JobPage {
                ctx,
                id,
                file_name: job.file_name.clone(),
                rows: job.progress.rows.load(Ordering::Relaxed),
                percent: job.progress.fraction().map(|f| (f * 100.0) as u32),
                report,
                reasons,
                error,
            }
            .render(),
        )
        .into_response())
    };
    respond(&st, &actor, run.await).await
}

/// `GET /people/import/jobs/{id}/status`: the progress as JSON, for the page's indicator.
pub async fn import_status(
    State(st): State<PeopleState>,
    actor: Actor,
    Path(id): Path<u64>,
) -> AppResult<axum::Json<serde_json::Value>> {
    let job = st.imports.get(id, actor.user_id)?;
    let done = job.outcome.lock().ok().is_some_and(|o| o.is_some());
    Ok(axum::Json(serde_json::json!({
        "rows": job.progress.rows.load(Ordering::Relaxed),
        "done_rows": job.progress.done.load(Ordering::Relaxed),
        "fraction": job.progress.fraction(),
        "finished": done,
    })))
}

/// `GET /people/import/jobs/{id}/rejected.xlsx`: the rejected rows with their reasons.
pub async fn import_rejected(
    State(st): State<PeopleState>,
    PageActor(actor): PageActor,
    Path(id): Path<u64>,
) -> Response {
    let run = async {
        let job = st.imports.get(id, actor.user_id)?;
        let report = job
            .outcome
            .lock()
            .ok()
            .and_then(|o| o.clone())
            .and_then(Result::ok)
            .ok_or_else(|| AppError::NotFound("导入尚未完成".into()))?;
        let bytes = report.rejected_xlsx()?;
        Ok(crate::web::xlsx::download("人口台账-退回行.xlsx", bytes))
    };
    respond(&st, &actor, run.await).await
}

/// `GET /people/import/template.csv`: the header line and one example row.
pub async fn template() -> Response {
    let body = format!(
        "\u{feff}{}\n{}\n",
        import::template_headers().join(","),
        "33019900100101001,1-101,自住,户主,张三丰,男,汉族,330106195803120018,1958-03-12,13800135678,户籍,中共党员,退休,独居老人,"
    );
    (
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()),
            (
                header::CONTENT_DISPOSITION,
                format!(
                    "attachment; filename*=UTF-8''{}",
                    crate::web::urlencode("人口台账模板.csv")
                ),
            ),
        ],
        body,
    )
        .into_response()
}
