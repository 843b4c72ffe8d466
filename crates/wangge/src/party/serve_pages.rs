//! The pages of 双报到, 双报告 and 吹哨报到: the units and their agreements, in-service members
//! with the community's needs and the hours it confirms, each member's yearly record (printable
//! and XLSX), and the whistles with their callees' deadlines.

use super::member_pages::{Found, Tabs, find_residents, tabs};
use super::pledge_pages::number;
use super::serving::{
    self, LeaveInput, NeedInput, NeedView, Record, RegistrationInput, RegistrationView,
    SignUpInput, SignupStepInput, UnitFilter, UnitInput, UnitView,
};
use super::whistles::{self, CallStepInput, CalleeInput, WhistleInput, WhistleView};
use crate::infra::clock::today;
use crate::infra::error::{AppError, AppResult};
use crate::web::{Base, Choice, Html, PageActor, PageCtx, Query, choice, done, respond};
use askama::Template;
use axum::Form;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use wangge_core::party::serve::{DEFAULT_LIMIT_HOURS, UnitKind};

fn kinds() -> Vec<Choice> {
    UnitKind::ALL
        .into_iter()
        .map(|k| choice(k.as_str(), k.label()))
        .collect()
}

// ---------------------------------------------------------------------------------------------
// Units

#[derive(Template)]
#[template(path = "party/units.html")]
struct UnitsPage {
    ctx: PageCtx,
    tabs: Tabs,
    list: Vec<UnitView>,
    all: bool,
    /// The unit whose fields the form shows (none: a new one).
    unit: Option<UnitView>,
    kinds: Vec<Choice>,
    today: String,
}

/// What the units' list asks.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct UnitsQuery {
    all: String,
}

/// `GET /party/units`
pub async fn units(
    State(st): State<Base>,
    PageActor(actor): PageActor,
    Query(q): Query<UnitsQuery>,
) -> Response {
    let run = async {
        let c = actor.caller();
        let all = q.all == "1";
        let list = serving::units(&st, &c, &UnitFilter { all }).await?;
        let ctx = PageCtx::new(&st, &actor, "共建单位", "party").await?;
        Ok::<_, AppError>(Html(
            UnitsPage {
                ctx,
                tabs: tabs(&c, "units"),
                list,
                all,
                unit: None,
                kinds: kinds(),
                today: today().to_string(),
            }
            .render(),
        ))
    };
    respond(&st, &actor, run.await.map(IntoResponse::into_response)).await
}

/// What the unit form sends.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct UnitForm {
    name: String,
    kind: String,
    party_org_name: String,
    address: String,
    contact_name: String,
    contact_phone: String,
    signed_on: String,
    until: String,
    needs: String,
    resources: String,
    projects: String,
    version: String,
}

impl UnitForm {
    fn input(self) -> AppResult<UnitInput> {
        Ok(UnitInput {
            org_node_id: None,
            version: number("版本号", &self.version)?,
            name: self.name,
            kind: self.kind,
            party_org_name: self.party_org_name,
            address: self.address,
            contact_name: self.contact_name,
            contact_phone: self.contact_phone,
            signed_on: self.signed_on,
            until: self.until,
            needs: self.needs,
            resources: self.resources,
            projects: self.projects,
        })
    }
}

/// `POST /party/units`
pub async fn unit_register(
    State(st): State<Base>,
    PageActor(actor): PageActor,
    Form(f): Form<UnitForm>,
) -> Response {
    let r = match f.input() {
        Ok(i) => serving::register_unit(&st, &actor.caller(), i).await,
        Err(e) => Err(e),
    };
    match r {
        Ok(u) => done(Ok(()), &format!("/party/units/{}", u.id), "已登记共建单位"),
        Err(e) => done::<()>(Err(e), "/party/units", ""),
    }
}

#[derive(Template)]
#[template(path = "party/unit.html")]
struct UnitPage {
    ctx: PageCtx,
    tabs: Tabs,
    u: UnitView,
    /// The same, for the form's fields.
    unit: Option<UnitView>,
    phone: String,
    members: Vec<RegistrationView>,
    kinds: Vec<Choice>,
    today: String,
}

/// `GET /party/units/{id}`
pub async fn unit(
    State(st): State<Base>,
    PageActor(actor): PageActor,
    Path(id): Path<i64>,
) -> Response {
    let run = async {
        let c = actor.caller();
        let u = serving::unit(&st, &c, id).await?;
        let t = tabs(&c, "units");
        let phone = if t.manage {
            serving::unit_phone(&st, &c, id).await?
        } else {
            String::new()
        };
        let members = if t.manage {
            serving::registrations(&st, &c, false)
                .await?
                .into_iter()
                .filter(|r| r.unit_id == Some(u.id))
                .collect()
        } else {
            Vec::new()
        };
        let ctx = PageCtx::new(&st, &actor, &u.name, "party").await?;
        Ok::<_, AppError>(Html(
            UnitPage {
                ctx,
                tabs: t,
                unit: Some(u.clone()),
                u,
                phone,
                members,
                kinds: kinds(),
                today: today().to_string(),
            }
            .render(),
        ))
    };
    respond(&st, &actor, run.await.map(IntoResponse::into_response)).await
}

/// `POST /party/units/{id}`
pub async fn unit_update(
    State(st): State<Base>,
    PageActor(actor): PageActor,
    Path(id): Path<i64>,
    Form(f): Form<UnitForm>,
) -> Response {
    let r = match f.input() {
        Ok(i) => serving::update_unit(&st, &actor.caller(), id, i).await,
        Err(e) => Err(e),
    };
    done(r, &format!("/party/units/{id}"), "已保存")
}

/// What the leave form sends.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct LeaveForm {
    reason: String,
    on: String,
}

/// `POST /party/units/{id}/leave`
pub async fn unit_leave(
    State(st): State<Base>,
    PageActor(actor): PageActor,
    Path(id): Path<i64>,
    Form(f): Form<LeaveForm>,
) -> Response {
    let r = serving::leave_unit(
        &st,
        &actor.caller(),
        id,
        LeaveInput {
            reason: f.reason,
            on: f.on,
        },
    )
    .await;
    done(r, &format!("/party/units/{id}"), "已退出共建")
}

// ---------------------------------------------------------------------------------------------
// In-service members, needs, sign-ups

#[derive(Template)]
#[template(path = "party/serve.html")]
struct ServePage {
    ctx: PageCtx,
    tabs: Tabs,
    /// Whether the caller is the community's staff (registers, posts, confirms).
    staff: bool,
    /// The caller's own registration (a member).
    mine: Option<RegistrationView>,
    /// Whether the caller has a member record (and may register themself).
    member: bool,
    registrations: Vec<RegistrationView>,
    needs: Vec<NeedView>,
    units: Vec<Choice>,
    q: String,
    found: Vec<Found>,
    waiting: usize,
    year: i32,
    today: String,
}

/// What the page's query sends: a resident's name to register.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ServeQuery {
    q: String,
}

/// `GET /party/serve`
pub async fn serve(
    State(st): State<Base>,
    PageActor(actor): PageActor,
    Query(q): Query<ServeQuery>,
) -> Response {
    let run = async {
        let c = actor.caller();
        let t = tabs(&c, "serve");
        let staff = t.manage;
        let registrations = serving::registrations(&st, &c, false).await?;
        let mine = serving::own_registration(&st.db, &c).await?;
        let mine = match mine {
            Some(m) => registrations.iter().find(|r| r.id == m.id).cloned(),
            None => None,
        };
        let member = super::members::mine(&st, &c).await?.is_some();
        let needs = serving::needs(&st, &c).await?;
        let units = serving::units(&st, &c, &UnitFilter { all: false })
            .await?
            .into_iter()
            .map(|u| choice(u.id, u.name))
            .collect();
        let found = if staff {
            find_residents(&st, &c, &q.q).await?
        } else {
            Vec::new()
        };
        let ctx = PageCtx::new(
            &st,
            &actor,
            "在职党员双报到",
            if staff { "party" } else { "serve" },
        )
        .await?;
        Ok::<_, AppError>(Html(
            ServePage {
                ctx,
                tabs: t,
                staff,
                mine,
                member,
                waiting: serving::awaiting_confirmation(&needs),
                registrations: if staff { registrations } else { Vec::new() },
                needs,
                units,
                q: q.q,
                found,
                year: chrono::Datelike::year(&today()),
                today: today().to_string(),
            }
            .render(),
        ))
    };
    respond(&st, &actor, run.await.map(IntoResponse::into_response)).await
}

/// What the registration form sends.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct RegistrationForm {
    resident_id: String,
    work_unit: String,
    unit_id: String,
    home_branch: String,
}

/// `POST /party/registrations`
pub async fn register(
    State(st): State<Base>,
    PageActor(actor): PageActor,
    Form(f): Form<RegistrationForm>,
) -> Response {
    let input = (|| {
        Ok::<_, AppError>(RegistrationInput {
            resident_id: number("居民", &f.resident_id)?,
            unit_id: number("共建单位", &f.unit_id)?,
            work_unit: f.work_unit.clone(),
            home_branch: f.home_branch.clone(),
        })
    })();
    let r = match input {
        Ok(i) => serving::register(&st, &actor.caller(), i).await,
        Err(e) => Err(e),
    };
    done(r, "/party/serve", "已报到")
}

/// `POST /party/registrations/{id}/end`
pub async fn registration_end(
    State(st): State<Base>,
    PageActor(actor): PageActor,
    Path(id): Path<i64>,
) -> Response {
    let r = serving::end_registration(&st, &actor.caller(), id).await;
    done(r, "/party/serve", "已结束报到")
}

/// What the need form sends.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct NeedForm {
    title: String,
    detail: String,
    on_date: String,
    place: String,
    places: String,
}

/// `POST /party/needs`
pub async fn need_post(
    State(st): State<Base>,
    PageActor(actor): PageActor,
    Form(f): Form<NeedForm>,
) -> Response {
    let r = match number::<i32>("名额", &f.places) {
        Ok(places) => {
            serving::post_need(
                &st,
                &actor.caller(),
                NeedInput {
                    org_node_id: None,
                    title: f.title,
                    detail: f.detail,
                    on_date: f.on_date,
                    place: f.place,
                    places,
                },
            )
            .await
        }
        Err(e) => Err(e),
    };
    done(r, "/party/serve", "已发布服务需求")
}

/// What the sign-up form sends.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct SignUpForm {
    registration_id: String,
}

/// `POST /party/needs/{id}/signups`
pub async fn sign_up(
    State(st): State<Base>,
    PageActor(actor): PageActor,
    Path(id): Path<i64>,
    Form(f): Form<SignUpForm>,
) -> Response {
    let r = match number("报到党员", &f.registration_id) {
        Ok(registration_id) => {
            serving::sign_up(&st, &actor.caller(), id, SignUpInput { registration_id }).await
        }
        Err(e) => Err(e),
    };
    done(r, "/party/serve", "已报名")
}

/// `POST /party/needs/{id}/close`
pub async fn need_close(
    State(st): State<Base>,
    PageActor(actor): PageActor,
    Path(id): Path<i64>,
) -> Response {
    let r = serving::close_need(&st, &actor.caller(), id).await;
    done(r, "/party/serve", "已结束报名")
}

/// What a sign-up's step form sends.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct SignupStepForm {
    hours: String,
    note: String,
}

/// `POST /party/signups/{id}/{step}`
pub async fn signup_step(
    State(st): State<Base>,
    PageActor(actor): PageActor,
    Path((id, step)): Path<(i64, String)>,
    Form(f): Form<SignupStepForm>,
) -> Response {
    let r = serving::signup_step(
        &st,
        &actor.caller(),
        id,
        &step,
        SignupStepInput {
            hours: f.hours,
            note: f.note,
        },
    )
    .await;
    let msg = match step.as_str() {
        "confirm" => "已确认服务时长",
        "serve" => "已登记服务时长，待社区确认",
        _ => "已取消报名",
    };
    done(r, "/party/serve", msg)
}

// ---------------------------------------------------------------------------------------------
// 双报告: the yearly record

#[derive(Template)]
#[template(path = "party/record.html")]
struct RecordPage {
    r: Record,
    years: Vec<i32>,
    printed_by: String,
}

/// What the record's query sends.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct YearQuery {
    year: String,
}

fn year_of(q: &YearQuery) -> i32 {
    q.year
        .trim()
        .parse()
        .unwrap_or_else(|_| chrono::Datelike::year(&today()))
}

/// `GET /party/registrations/{id}/record`: printable on A4.
pub async fn record(
    State(st): State<Base>,
    PageActor(actor): PageActor,
    Path(id): Path<i64>,
    Query(q): Query<YearQuery>,
) -> Response {
    let run = async {
        let r = serving::record(&st, &actor.caller(), id, year_of(&q)).await?;
        let this = chrono::Datelike::year(&today());
        Ok::<_, AppError>(Html(
            RecordPage {
                r,
                years: vec![this, this - 1, this - 2],
                printed_by: actor.display_name.clone(),
            }
            .render(),
        ))
    };
    respond(&st, &actor, run.await.map(IntoResponse::into_response)).await
}

/// `GET /party/registrations/{id}/record.xlsx`
pub async fn record_xlsx(
    State(st): State<Base>,
    PageActor(actor): PageActor,
    Path(id): Path<i64>,
    Query(q): Query<YearQuery>,
) -> Response {
    let run = async {
        let r = serving::record(&st, &actor.caller(), id, year_of(&q)).await?;
        let mut rows: Vec<Vec<String>> = r
            .lines
            .iter()
            .map(|l| {
                vec![
                    l.on_date.clone(),
                    l.title.clone(),
                    l.place.clone(),
                    l.hours.clone(),
                    l.note.clone(),
                    l.confirmed_by.clone(),
                ]
            })
            .collect();
        rows.push(vec![
            "合计".into(),
            format!("{} 次服务", r.services),
            String::new(),
            r.total_hours.clone(),
            String::new(),
            String::new(),
        ]);
        let bytes = crate::web::xlsx::build(
            "双报告",
            &[
                "服务日期",
                "服务内容",
                "地点",
                "时长（小时）",
                "服务情况",
                "确认人",
            ],
            &rows,
        )?;
        let name = format!(
            "{}年在职党员社区服务记录-{}.xlsx",
            r.year, r.registration.name
        );
        Ok::<_, AppError>(crate::web::xlsx::download(&name, bytes))
    };
    respond(&st, &actor, run.await).await
}

// ---------------------------------------------------------------------------------------------
// 吹哨报到

#[derive(Template)]
#[template(path = "party/whistles.html")]
struct WhistlesPage {
    ctx: PageCtx,
    tabs: Tabs,
    runs: bool,
    list: Vec<WhistleView>,
    tally: whistles::Tally,
    units: Vec<Choice>,
    departments: Vec<Choice>,
    limits: Vec<Choice>,
}

fn limits() -> Vec<Choice> {
    [
        (4, "4 个工作小时"),
        (8, "1 个工作日"),
        (16, "2 个工作日"),
        (40, "5 个工作日"),
    ]
    .into_iter()
    .map(|(h, l)| choice(h, l))
    .collect()
}

/// `GET /party/whistles`
pub async fn whistles_page(State(st): State<Base>, PageActor(actor): PageActor) -> Response {
    let run = async {
        let c = actor.caller();
        let list = whistles::list(&st, &c).await?;
        let runs = whistles::runs(&c);
        let (units, departments) = match (&c.scope, runs) {
            (Some(sc), true) => {
                let can = whistles::callable(&st.db, sc.root()).await?;
                (
                    can.units
                        .into_iter()
                        .map(|u| choice(format!("u:{}", u.id), u.name))
                        .collect(),
                    can.departments
                        .into_iter()
                        .map(|d| choice(format!("d:{}", d.id), d.name))
                        .collect(),
                )
            }
            _ => (Vec::new(), Vec::new()),
        };
        let ctx = PageCtx::new(
            &st,
            &actor,
            "吹哨报到",
            if runs { "party" } else { "whistles" },
        )
        .await?;
        Ok::<_, AppError>(Html(
            WhistlesPage {
                ctx,
                tabs: tabs(&c, "whistles"),
                runs,
                tally: whistles::tally(&list),
                list,
                units,
                departments,
                limits: limits(),
            }
            .render(),
        ))
    };
    respond(&st, &actor, run.await.map(IntoResponse::into_response)).await
}

/// `POST /party/whistles`: the form sends `title`, `problem`, `place`, and for each callee a
/// `callee` (`u:ID` or `d:ID`) with its `limit_u:ID` / `limit_d:ID`.
pub async fn whistle_blow(
    State(st): State<Base>,
    PageActor(actor): PageActor,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Response {
    let get = |k: &str| {
        pairs
            .iter()
            .find(|(n, _)| n == k)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    };
    let input = (|| {
        let mut callees = Vec::new();
        for (_, v) in pairs.iter().filter(|(n, _)| n == "callee") {
            let (kind, id) = v
                .split_once(':')
                .ok_or_else(|| AppError::bad("bad_callee", "被召集方无效"))?;
            let id: i64 = id
                .parse()
                .map_err(|_| AppError::bad("bad_callee", "被召集方无效"))?;
            let limit_hours = number::<u32>("报到时限", &get(&format!("limit_{v}")))?;
            callees.push(CalleeInput {
                unit_id: (kind == "u").then_some(id),
                department_id: (kind == "d").then_some(id),
                limit_hours: Some(limit_hours.unwrap_or(DEFAULT_LIMIT_HOURS)),
            });
        }
        Ok::<_, AppError>(WhistleInput {
            org_node_id: None,
            title: get("title"),
            problem: get("problem"),
            place: get("place"),
            case_id: number("案件编号", &get("case_id"))?,
            callees,
        })
    })();
    let r = match input {
        Ok(i) => whistles::blow(&st, &actor.caller(), i).await,
        Err(e) => Err(e),
    };
    match r {
        Ok(w) => done(
            Ok(()),
            &format!("/party/whistles/{}", w.id),
            "已吹哨，已通知被召集的单位和部门",
        ),
        Err(e) => done::<()>(Err(e), "/party/whistles", ""),
    }
}

#[derive(Template)]
#[template(path = "party/whistle.html")]
struct WhistlePage {
    ctx: PageCtx,
    tabs: Tabs,
    runs: bool,
    w: WhistleView,
}

/// `GET /party/whistles/{id}`
pub async fn whistle(
    State(st): State<Base>,
    PageActor(actor): PageActor,
    Path(id): Path<i64>,
) -> Response {
    let run = async {
        let c = actor.caller();
        let w = whistles::one(&st, &c, id).await?;
        let runs = whistles::runs(&c);
        let ctx = PageCtx::new(
            &st,
            &actor,
            &w.title,
            if runs { "party" } else { "whistles" },
        )
        .await?;
        Ok::<_, AppError>(Html(
            WhistlePage {
                ctx,
                tabs: tabs(&c, "whistles"),
                runs,
                w,
            }
            .render(),
        ))
    };
    respond(&st, &actor, run.await.map(IntoResponse::into_response)).await
}

/// What a call's step form sends.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct CallStepForm {
    answer: String,
    whistle: String,
}

/// `POST /party/whistle-calls/{id}/{step}`
pub async fn call_step(
    State(st): State<Base>,
    PageActor(actor): PageActor,
    Path((id, step)): Path<(i64, String)>,
    Form(f): Form<CallStepForm>,
) -> Response {
    let r = whistles::call_step(
        &st,
        &actor.caller(),
        id,
        &step,
        CallStepInput { answer: f.answer },
    )
    .await;
    let back = match f.whistle.trim().parse::<i64>() {
        Ok(w) => format!("/party/whistles/{w}"),
        Err(_) => "/party/whistles".into(),
    };
    done(
        r,
        &back,
        if step == "arrive" {
            "已登记报到"
        } else {
            "已登记办理情况"
        },
    )
}
