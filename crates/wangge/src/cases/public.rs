//! The pages of people without an account: the public report (placed by building or address
//! search, or by the phone's position, on its grid), the private follow-up page reached by
//! its link or QR code — or, for a reporter who lost both, by the case number and the last
//! four digits of the phone they gave — where they rate or withdraw.

use super::CasesState;
use super::api;
use super::pages::{new_case_of, read_form, store_photos};
use super::service::{self, ActInput, CaseView, Reporter};
use crate::infra::error::{AppError, AppResult};
use crate::infra::vault::Field;
use crate::web::Query;
use crate::web::csrf::PRE_COOKIE;
use crate::web::{Actor, ClientIp};
use crate::web::{Choice, choice};
use crate::web::{Html, done};
use askama::Template;
use axum::extract::{Multipart, Path, State};
use axum::http::{HeaderMap, header};
use axum::response::{IntoResponse, Response};
use axum::{Extension, Form, Json};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use wangge_core::flow::{Need, Offer, Required};

/// Communities and villages (the fallback place of a public report).
pub(super) async fn public_places(st: &CasesState) -> AppResult<Vec<Choice>> {
    use crate::org::entity::node;
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};
    let rows = node::Entity::find()
        .filter(node::Column::Status.eq("active"))
        .filter(node::Column::Level.is_in(["township", "community"]))
        .order_by_asc(node::Column::Path)
        .all(&st.db)
        .await?;
    let names: HashMap<i64, String> = rows.iter().map(|n| (n.id, n.name.clone())).collect();
    Ok(rows
        .iter()
        .filter(|n| n.level == "community")
        .map(|n| {
            let street = n
                .parent_id
                .and_then(|p| names.get(&p))
                .cloned()
                .unwrap_or_default();
            choice(n.id, format!("{street} · {}", n.name))
        })
        .collect())
}

/// A report just taken in, as its reporter is told.
pub struct Received {
    /// 2026-000123.
    pub case_no: String,
    /// The full private link.
    pub link: String,
    /// The link as a QR code (inline SVG).
    pub qr: Option<String>,
    /// Where to look the case up with its number and the phone's last four digits.
    pub lookup: String,
}

#[derive(Template)]
#[template(path = "cases/public.html")]
struct PublicPage {
    csrf: String,
    places: Vec<Choice>,
    idem: String,
    error: Option<String>,
    done: Option<Received>,
}

/// Refused input, shown on the form with its status (400, or 429 when too many came).
type Refused = (axum::http::StatusCode, String);

fn pre_token(headers: &HeaderMap) -> AppResult<String> {
    match crate::web::caller::cookie(headers, PRE_COOKIE) {
        Some(v) if v.len() == 64 => Ok(v.to_owned()),
        _ => crate::infra::tokens::random_token().map_err(AppError::Internal),
    }
}

fn with_pre(st: &CasesState, mut resp: Response, pre: &str) -> Response {
    if let Some(h) =
        crate::web::caller::cookie_header(st.config.secure_cookies, PRE_COOKIE, pre, None)
    {
        resp.headers_mut().append(header::SET_COOKIE, h);
    }
    resp
}

async fn render_public(
    st: &CasesState,
    headers: &HeaderMap,
    error: Option<Refused>,
    done: Option<Received>,
) -> AppResult<Response> {
    let pre = pre_token(headers)?;
    let status = error.as_ref().map_or(axum::http::StatusCode::OK, |e| e.0);
    let page = PublicPage {
        csrf: pre.clone(),
        places: public_places(st).await?,
        idem: crate::infra::tokens::random_token().map_err(AppError::Internal)?,
        error: error.map(|e| e.1),
        done,
    };
    Ok(with_pre(
        st,
        (status, Html(page.render())).into_response(),
        &pre,
    ))
}

/// `GET /report` — the public report page (no account needed).
pub async fn public_form(
    State(st): State<CasesState>,
    headers: HeaderMap,
    actor: Option<Extension<Actor>>,
) -> Response {
    if actor.is_some() {
        return crate::web::redirect("/cases/new");
    }
    render_public(&st, &headers, None, None)
        .await
        .unwrap_or_else(IntoResponse::into_response)
}

/// `POST /report` (multipart; double-submit token in the query)
pub async fn public_create(
    State(st): State<CasesState>,
    headers: HeaderMap,
    Extension(ClientIp(ip)): Extension<ClientIp>,
    mp: Multipart,
) -> Response {
    let r = async {
        service::check_public_rate(&st.db, &ip).await?;
        let f = read_form(mp).await?;
        let photos = store_photos(&st, None, &f).await?;
        let input = new_case_of(&f, photos)?;
        service::report(
            &st,
            Reporter::Public { ip: ip.clone() },
            input,
            f.get("idem").as_deref(),
        )
        .await
    }
    .await;
    let out = match r {
        Ok(c) => {
            let base = crate::web::base_url(&st, &headers);
            let link = c
                .track_token
                .map(|t| format!("{base}/track/{}?t={t}", c.case.case_no))
                .unwrap_or_default();
            // A retry of a report already taken in has no new link to give: only the lookup.
            let received = Received {
                qr: (!link.is_empty())
                    .then(|| crate::web::qr_svg(&link))
                    .flatten(),
                case_no: c.case.case_no,
                link,
                lookup: format!("{base}/track"),
            };
            render_public(&st, &headers, None, Some(received)).await
        }
        Err(e @ (AppError::BadInput { .. } | AppError::TooManyRequests(_))) => {
            render_public(&st, &headers, Some((e.status(), e.to_string())), None).await
        }
        Err(e) => Err(e),
    };
    out.unwrap_or_else(IntoResponse::into_response)
}

// ---------------------------------------------------------------------------------------------
// Placing a report without knowing the grid

/// Query of the building search.
#[derive(Deserialize)]
pub struct PlaceQuery {
    #[serde(default)]
    q: String,
}

/// A building found by the search.
#[derive(Serialize)]
pub struct PlaceHit {
    /// The building's id (the report's `building_id`).
    pub id: i64,
    /// `清河街道 柳岸社区 第一网格 3幢`.
    pub label: String,
}

/// `GET /report/places?q=` — buildings whose street, community, grid or own name hold every
/// word typed (at most 15), for the public and the staff report forms.
pub async fn places(
    State(st): State<CasesState>,
    Query(q): Query<PlaceQuery>,
) -> AppResult<Json<Vec<PlaceHit>>> {
    let text: String = q.q.trim().chars().take(40).collect();
    let dir = st.directory.get(&st.db).await?;
    Ok(Json(
        dir.buildings_matching(&text, 15)
            .into_iter()
            .map(|(id, label)| PlaceHit { id, label })
            .collect(),
    ))
}

/// Query of the locator.
#[derive(Deserialize)]
pub struct LocateQuery {
    lat: f64,
    lng: f64,
}

/// Where a point lies.
#[derive(Serialize)]
pub struct Located {
    /// The grid holding it, if any.
    pub grid_id: Option<i64>,
    /// Its place, `清河街道 柳岸社区 第一网格`.
    pub label: Option<String>,
}

/// `GET /report/locate?lat=&lng=` (WGS-84, as phones give it) — the grid holding the point.
pub async fn locate(
    State(st): State<CasesState>,
    Query(q): Query<LocateQuery>,
) -> AppResult<Json<Located>> {
    if !(3.0..=54.0).contains(&q.lat) || !(73.0..=136.0).contains(&q.lng) {
        return Err(AppError::bad("bad_point", "坐标不在中国境内"));
    }
    let dir = st.directory.get(&st.db).await?;
    let grid = dir.grid_at((q.lng, q.lat));
    Ok(Json(Located {
        grid_id: grid.map(|g| g.id),
        label: grid.map(|g| dir.place_label(g)),
    }))
}

// ---------------------------------------------------------------------------------------------
// Following a public report

/// How the follow-up page was reached: its private link's token, or a grant for two hours
/// from a lookup by case number and phone.
#[derive(Clone, Debug)]
pub struct Access {
    /// `t` (token) or `g` (grant).
    pub name: &'static str,
    /// Its value.
    pub value: String,
}

impl Access {
    /// `t=…` or `g=…`, for links back to the page.
    pub fn query(&self) -> String {
        format!("{}={}", self.name, crate::web::urlencode(&self.value))
    }
}

/// Lookups: 5 for a case number, 20 from an address, in 15 minutes.
const LOOKUP_TRIES: crate::infra::access::Tries = crate::infra::access::Tries {
    kind: "track",
    ..crate::infra::access::LOGIN_TRIES
};

/// How long a lookup's grant lasts.
const GRANT_MS: i64 = 2 * 3600 * 1000;

/// The grant a successful lookup gives: `{expiry}.{mac}`, the mac keyed by the deployment's
/// index key over the case number and the expiry.
fn grant(st: &CasesState, no: &str, expires: i64) -> String {
    let mac = st
        .vault
        .blind(Field::TrackGrant, &format!("{no}|{expires}"));
    format!("{expires}.{:016x}", mac as u64)
}

fn grant_ok(st: &CasesState, no: &str, g: &str) -> bool {
    let Some((exp, _)) = g.split_once('.') else {
        return false;
    };
    let Ok(expires) = exp.parse::<i64>() else {
        return false;
    };
    expires > crate::infra::clock::now_ms()
        && crate::infra::tokens::constant_eq(&grant(st, no, expires), g)
}

#[derive(Template)]
#[template(path = "cases/track.html")]
struct TrackPage {
    /// Who the rating questions ask.
    you: &'static str,
    csrf: String,
    access: Access,
    case: CaseView,
    timeline: Vec<service::EventView>,
    /// The rating the flow offers the reporter now, with its form.
    rate: Option<Offer>,
    /// The withdrawal the flow offers the reporter now.
    withdraw: Option<Offer>,
    /// Whether 不满意 would send the case back for rework (the flow's rule, once).
    dissatisfaction_reopens: bool,
    /// Whether the flow waits for the reporter's rating now (read by a lookup: say how).
    rating_open: bool,
    /// Reached by the private link (may act), not by a lookup (may read).
    by_link: bool,
    flash: Option<(bool, String)>,
}

/// Query of the follow-up page: the link's token, or a lookup's grant.
#[derive(Deserialize)]
pub struct TrackQuery {
    t: Option<String>,
    g: Option<String>,
}

impl TrackQuery {
    fn access(&self) -> Option<Access> {
        match (&self.t, &self.g) {
            (Some(t), _) => Some(Access {
                name: "t",
                value: t.clone(),
            }),
            (None, Some(g)) => Some(Access {
                name: "g",
                value: g.clone(),
            }),
            _ => None,
        }
    }
}

/// The public case reached with a token or a grant; anything else is "not found", whether the
/// case exists or not.
async fn tracked(
    st: &CasesState,
    no: &str,
    access: Option<&Access>,
) -> AppResult<super::entity::case::Model> {
    use super::entity::case;
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
    let missing = || AppError::NotFound("没有找到这件案件，或链接不完整、已过期".into());
    let access = access.ok_or_else(missing)?;
    let m = case::Entity::find()
        .filter(case::Column::CaseNo.eq(no))
        .one(&st.db)
        .await?
        .filter(|m| m.track_hash.is_some())
        .ok_or_else(missing)?;
    let ok = match access.name {
        "t" => {
            let hash = crate::infra::tokens::hash_token(&access.value);
            m.track_hash
                .as_deref()
                .is_some_and(|h| crate::infra::tokens::constant_eq(h, &hash))
        }
        _ => grant_ok(st, no, &access.value),
    };
    if ok { Ok(m) } else { Err(missing()) }
}

/// `GET /track/{case_no}?t=…` (or `?g=…`) — the anonymous reporter's private page.
pub async fn track(
    State(st): State<CasesState>,
    headers: HeaderMap,
    Path(no): Path<String>,
    Query(q): Query<TrackQuery>,
) -> Response {
    let r = async {
        let access = q.access();
        let m = tracked(&st, &no, access.as_ref()).await?;
        let by_link = access.as_ref().is_some_and(|a| a.name == "t");
        let catalog = st.catalog.get(&st.db).await?;
        // What the reporter may do is what the case's flow offers them.
        let flow = super::kinds::flow_for_case(&st.site, &m.kind, m.id)?;
        let offers = service::offers(&st.site, &m, service::public_reporter())?;
        let pre = pre_token(&headers)?;
        let flash = crate::web::caller::cookie(&headers, crate::web::FLASH_COOKIE).and_then(|v| {
            Some((
                v.starts_with('1'),
                crate::web::urldecode(v.get(1..)?).into_owned(),
            ))
        });
        let page = TrackPage {
            you: "您",
            csrf: pre.clone(),
            access: access.ok_or_else(|| AppError::NotFound("链接不完整".into()))?,
            rate: offers
                .iter()
                .find(|o| by_link && o.action == "rate")
                .copied(),
            withdraw: offers
                .iter()
                .find(|o| by_link && o.action == "withdraw")
                .copied(),
            dissatisfaction_reopens: service::dissatisfaction_reopens(flow, &m),
            rating_open: offers.iter().any(|o| o.action == "rate"),
            by_link,
            case: service::view(&st.site, &catalog, &st.vault, &m, false),
            timeline: service::public_timeline(service::timeline(&st.db, flow, m.id).await?),
            flash,
        };
        let mut resp = with_pre(&st, Html(page.render()).into_response(), &pre);
        resp.headers_mut().append(
            header::SET_COOKIE,
            header::HeaderValue::from_static(
                "wangge_flash=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0",
            ),
        );
        resp.headers_mut().insert(
            header::CACHE_CONTROL,
            header::HeaderValue::from_static("no-store"),
        );
        Ok::<_, AppError>(resp)
    }
    .await;
    r.unwrap_or_else(IntoResponse::into_response)
}

/// The anonymous reporter's form on the follow-up page.
#[derive(Deserialize)]
pub struct TrackForm {
    #[serde(default)]
    t: Option<String>,
    #[serde(default)]
    g: Option<String>,
    #[serde(default)]
    action: String,
    #[serde(default)]
    contacted: Option<String>,
    #[serde(default)]
    solved: Option<String>,
    #[serde(default)]
    satisfaction: Option<String>,
    #[serde(default)]
    text: String,
}

/// `POST /track/{case_no}` — the anonymous reporter rates or withdraws.
pub async fn track_act(
    State(st): State<CasesState>,
    Path(no): Path<String>,
    Form(f): Form<TrackForm>,
) -> Response {
    let access = TrackQuery {
        t: f.t.clone().filter(|t| !t.is_empty()),
        g: f.g.clone().filter(|g| !g.is_empty()),
    }
    .access();
    let to = match &access {
        Some(a) => format!("/track/{}?{}", crate::web::urlencode(&no), a.query()),
        None => "/track".to_owned(),
    };
    let r = async {
        let m = tracked(&st, &no, access.as_ref()).await?;
        if access.as_ref().is_some_and(|a| a.name != "t") {
            return Err(AppError::Forbidden(
                "凭案件编号查询只能查看进度；评价或撤回请使用提交时收到的链接或二维码".into(),
            ));
        }
        let yes = |v: &Option<String>| v.as_deref().map(|x| x == "yes");
        let input = ActInput {
            action: f.action.clone(),
            version: Some(m.version),
            text: f.text.clone(),
            contacted: yes(&f.contacted),
            solved: yes(&f.solved),
            satisfaction: f.satisfaction.clone(),
            ..Default::default()
        };
        service::act_as_public_reporter(&st, &m, input).await
    }
    .await;
    done(r, &to, "已提交，感谢您的反馈")
}

/// `GET /track/{case_no}/files/{id}?t=…`
pub async fn track_file(
    State(st): State<CasesState>,
    Path((no, id)): Path<(String, String)>,
    Query(q): Query<TrackQuery>,
) -> Response {
    let r = async {
        let m = tracked(&st, &no, q.access().as_ref()).await?;
        if !service::case_has_file(&st.db, m.id, &id).await? {
            return Err(AppError::NotFound("文件不存在".into()));
        }
        api::send_file(&st, &id).await
    }
    .await;
    r.unwrap_or_else(IntoResponse::into_response)
}

#[derive(Template)]
#[template(path = "cases/lookup.html")]
struct LookupPage {
    csrf: String,
    no: String,
    error: Option<String>,
}

async fn render_lookup(
    st: &CasesState,
    headers: &HeaderMap,
    no: String,
    error: Option<AppError>,
) -> Response {
    let pre = match pre_token(headers) {
        Ok(p) => p,
        Err(e) => return e.into_response(),
    };
    let status = error
        .as_ref()
        .map_or(axum::http::StatusCode::OK, AppError::status);
    let page = LookupPage {
        csrf: pre.clone(),
        no,
        error: error.map(|e| e.to_string()),
    };
    with_pre(st, (status, Html(page.render())).into_response(), &pre)
}

/// `GET /track` — look a public report up by its number and the phone's last four digits.
pub async fn lookup_page(State(st): State<CasesState>, headers: HeaderMap) -> Response {
    render_lookup(&st, &headers, String::new(), None).await
}

/// The lookup form.
#[derive(Deserialize)]
pub struct LookupForm {
    #[serde(default)]
    no: String,
    #[serde(default)]
    tail: String,
}

/// `POST /track` — a reporter who lost the link: the case number and the last four digits of
/// the phone they gave open the follow-up page, to read, for two hours (rating and withdrawing
/// need the link itself: four digits are too few to act on someone's case). Five tries of a
/// number, or twenty from one address, in 15 minutes stop further tries; "no such case" and
/// "wrong digits" get the same answer.
pub async fn lookup(
    State(st): State<CasesState>,
    headers: HeaderMap,
    Extension(ClientIp(ip)): Extension<ClientIp>,
    Form(f): Form<LookupForm>,
) -> Response {
    let no = f.no.trim().to_owned();
    let tail = f.tail.trim().to_owned();
    let r = async {
        let well_formed = !no.is_empty()
            && no.len() <= 20
            && no.bytes().all(|b| b.is_ascii_digit() || b == b'-')
            && tail.len() == 4
            && tail.bytes().all(|b| b.is_ascii_digit());
        if !well_formed {
            return Err(AppError::bad(
                "invalid_input",
                "请输入案件编号（如 2026-000123）和您留的电话号码的后四位",
            ));
        }
        if !crate::infra::access::take_try(&st.db, LOOKUP_TRIES, &no, &ip).await? {
            return Err(AppError::TooManyRequests(
                "查询次数过多，请 15 分钟后再试".into(),
            ));
        }
        use super::entity::case;
        use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
        let found = case::Entity::find()
            .filter(case::Column::CaseNo.eq(no.clone()))
            .one(&st.db)
            .await?
            .filter(|m| m.track_hash.is_some() && !m.reporter_phone.is_empty());
        let matches = found.as_ref().is_some_and(|m| {
            st.vault
                .unseal(Field::Phone, &m.reporter_phone)
                .is_ok_and(|p| {
                    let digits: Vec<char> = p.chars().filter(char::is_ascii_digit).collect();
                    let last: String = digits[digits.len().saturating_sub(4)..].iter().collect();
                    crate::infra::tokens::constant_eq(&last, &tail)
                })
        });
        if !matches {
            return Err(AppError::NotFound(
                "案件编号或电话后四位不对：请核对后再试".into(),
            ));
        }
        let expires = crate::infra::clock::now_ms() + GRANT_MS;
        Ok(format!(
            "/track/{}?g={}",
            crate::web::urlencode(&no),
            crate::web::urlencode(&grant(&st, &no, expires))
        ))
    }
    .await;
    match r {
        Ok(to) => crate::web::redirect(&to),
        Err(e @ AppError::Internal(_)) => e.into_response(),
        Err(e) => render_lookup(&st, &headers, no, Some(e)).await,
    }
}
