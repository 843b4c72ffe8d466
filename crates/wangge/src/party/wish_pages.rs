//! The pages of 微心愿: the pool and the caller's own wishes, recording a wish for a resident,
//! a wish with what the caller may do with it, the campaigns with their live figures, and the
//! public page (no account) that names nobody.

use super::member_pages::{Found, find_residents};
use super::pledge_pages::number;
use super::wishes::{
    self, CampaignInput, CampaignView, ClaimInput, ClaimStep, ClaimStepInput, Filter, FulfilInput,
    PublicWish, ReviewInput, WishInput, WishView,
};
use crate::infra::error::{AppError, AppResult};
use crate::web::{Base, Choice, Html, PageActor, PageCtx, Query, choice, done, respond};
use askama::Template;
use axum::Form;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use wangge_core::Permission;
use wangge_core::party::wish::{Status, ValueBand};

/// The nav entry a wish page sits under: staff under 党建, others under 微心愿.
fn nav_of(c: &crate::web::Caller) -> &'static str {
    if wishes::staff(c) { "party" } else { "wishes" }
}

#[derive(Template)]
#[template(path = "party/wishes.html")]
struct WishesPage {
    ctx: PageCtx,
    tabs: super::member_pages::Tabs,
    staff: bool,
    recorder: bool,
    list: Vec<WishView>,
    /// The list shown: `pool`, `mine`, `pending`, `all`.
    view: String,
    campaign: String,
    campaigns: Vec<Choice>,
}

/// What the list's query sends.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ListQuery {
    view: String,
    campaign: String,
}

/// `GET /party/wishes`
pub async fn list(
    State(st): State<Base>,
    PageActor(actor): PageActor,
    Query(q): Query<ListQuery>,
) -> Response {
    let run = async {
        let c = actor.caller();
        let staff = wishes::staff(&c);
        let view = match q.view.as_str() {
            "mine" | "pending" | "all" => q.view.clone(),
            _ => "pool".to_owned(),
        };
        let campaign = number::<i64>("专项行动", &q.campaign)?;
        let f = Filter {
            status: match view.as_str() {
                "pool" => Some(Status::Open.as_str().into()),
                "pending" => Some(Status::Pending.as_str().into()),
                _ => None,
            },
            campaign,
            org: None,
            view: (view == "mine").then(|| "mine".into()),
        };
        let list = wishes::list(&st, &c, &f).await?;
        let campaigns = wishes::campaigns(&st, &c)
            .await?
            .into_iter()
            .map(|k| choice(k.id, k.name))
            .collect();
        let ctx = PageCtx::new(&st, &actor, "微心愿", nav_of(&c)).await?;
        Ok::<_, AppError>(Html(
            WishesPage {
                ctx,
                tabs: super::member_pages::tabs(&c, "wishes"),
                staff,
                recorder: wishes::recorder(&c),
                list,
                view,
                campaign: q.campaign.trim().to_owned(),
                campaigns,
            }
            .render(),
        ))
    };
    respond(&st, &actor, run.await.map(IntoResponse::into_response)).await
}

#[derive(Template)]
#[template(path = "party/wish_new.html")]
struct NewWishPage {
    ctx: PageCtx,
    q: String,
    found: Vec<Found>,
    bands: Vec<Choice>,
    campaigns: Vec<Choice>,
    campaign: String,
    accounts: Vec<Choice>,
}

/// The search of the beneficiary.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct FindQuery {
    q: String,
    campaign: String,
}

/// `GET /party/wishes/new`
pub async fn new_wish(
    State(st): State<Base>,
    PageActor(actor): PageActor,
    Query(q): Query<FindQuery>,
) -> Response {
    let run = async {
        let c = actor.caller();
        if !wishes::recorder(&c) {
            return Err(AppError::no_permission());
        }
        let found = find_residents(&st, &c, &q.q).await?;
        let campaigns = wishes::campaigns(&st, &c)
            .await?
            .into_iter()
            .filter(|k| k.status == "active")
            .map(|k| {
                choice(
                    k.id,
                    format!("{}（{} 至 {}）", k.name, k.starts_on, k.ends_on),
                )
            })
            .collect();
        let accounts = if found.is_empty() {
            Vec::new()
        } else {
            resident_accounts(&st, &c).await?
        };
        let ctx = PageCtx::new(&st, &actor, "登记微心愿", nav_of(&c)).await?;
        Ok::<_, AppError>(Html(
            NewWishPage {
                ctx,
                q: q.q.trim().to_owned(),
                found,
                bands: ValueBand::ALL
                    .iter()
                    .map(|b| choice(b.as_str(), b.label()))
                    .collect(),
                campaigns,
                campaign: q.campaign.trim().to_owned(),
                accounts,
            }
            .render(),
        ))
    };
    respond(&st, &actor, run.await.map(IntoResponse::into_response)).await
}

/// The resident accounts of the caller's subtree (a beneficiary who has one may confirm
/// their wish themself).
async fn resident_accounts(st: &Base, c: &crate::web::Caller) -> AppResult<Vec<Choice>> {
    use crate::users::entity as user;
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
    Ok(user::Entity::find()
        .filter(c.scope_cond("org_path"))
        .filter(user::Column::Role.eq(wangge_core::Role::Resident.as_str()))
        .filter(user::Column::Status.eq("active"))
        .order_by_asc(user::Column::DisplayName)
        .limit(200)
        .all(&st.db)
        .await?
        .into_iter()
        .map(|u| choice(u.id, format!("{}（{}）", u.display_name, u.username)))
        .collect())
}

/// `POST /party/wishes` (multipart: the fields and an optional `file`, the photo)
pub async fn create(
    State(st): State<Base>,
    PageActor(actor): PageActor,
    mp: axum::extract::Multipart,
) -> Response {
    let c = actor.caller();
    let run = async {
        let (fields, bytes) = crate::web::read_upload(mp, "照片不超过 10 MB").await?;
        let get = |k: &str| fields.get(k).map_or("", String::as_str);
        let photo = wishes::store_photo(&st, &c, &bytes).await?;
        let input = WishInput {
            resident_id: number("心愿人", get("resident_id"))?,
            title: get("title").to_owned(),
            reason: get("reason").to_owned(),
            value_band: get("value_band").to_owned(),
            shares: number("认领份数", get("shares"))?,
            campaign_id: number("专项行动", get("campaign_id"))?,
            beneficiary_user_id: number("心愿人账号", get("beneficiary_user_id"))?,
            photo,
        };
        wishes::create(&st, &c, input).await
    };
    match run.await {
        Ok(w) => done(
            Ok(()),
            &format!("/party/wishes/{}", w.id),
            "已登记，等待社区审核",
        ),
        Err(e) => done::<()>(Err(e), "/party/wishes/new", ""),
    }
}

#[derive(Template)]
#[template(path = "party/wish.html")]
struct WishPage {
    ctx: PageCtx,
    w: WishView,
    branches: Vec<Choice>,
    members: Vec<Choice>,
}

/// `GET /party/wishes/{id}`
pub async fn detail(
    State(st): State<Base>,
    PageActor(actor): PageActor,
    Path(id): Path<i64>,
) -> Response {
    let run = async {
        let c = actor.caller();
        let w = wishes::one(&st, &c, id).await?;
        let branches = if w.can.claim_for_others {
            super::service::list(&st.db, &c)
                .await?
                .into_iter()
                .filter(|o| o.status == "active")
                .map(|o| choice(o.id, o.name))
                .collect()
        } else {
            Vec::new()
        };
        let members = if w.can.claim_for_others && c.require(Permission::PartyMemberView).is_ok() {
            super::member_pages::member_choices(&st, &c).await?
        } else {
            Vec::new()
        };
        let ctx = PageCtx::new(&st, &actor, "微心愿", nav_of(&c)).await?;
        Ok::<_, AppError>(Html(
            WishPage {
                ctx,
                w,
                branches,
                members,
            }
            .render(),
        ))
    };
    respond(&st, &actor, run.await.map(IntoResponse::into_response)).await
}

/// What a step's form sends.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct StepForm {
    approve: String,
    note: String,
    version: String,
    on_behalf: String,
    branch_id: String,
    member_id: String,
    unit_name: String,
}

/// `POST /party/wishes/{id}/{step}`: review, claim, withdraw.
pub async fn step(
    State(st): State<Base>,
    PageActor(actor): PageActor,
    Path((id, step)): Path<(i64, String)>,
    Form(f): Form<StepForm>,
) -> Response {
    let c = actor.caller();
    let run = async {
        let version = number::<i32>("版本号", &f.version)?;
        match step.as_str() {
            "review" => {
                wishes::review(
                    &st,
                    &c,
                    id,
                    ReviewInput {
                        approve: f.approve == "yes",
                        note: f.note.clone(),
                        version,
                    },
                )
                .await
            }
            "claim" => {
                wishes::claim(
                    &st,
                    &c,
                    id,
                    ClaimInput {
                        on_behalf: f.on_behalf.clone(),
                        branch_id: number("党组织", &f.branch_id)?,
                        member_id: number("党员", &f.member_id)?,
                        unit_name: f.unit_name.clone(),
                    },
                )
                .await
            }
            "withdraw" => wishes::withdraw(&st, &c, id, version).await,
            _ => Err(AppError::NotFound("没有这个操作".into())),
        }
    };
    let msg = match step.as_str() {
        "review" if f.approve == "yes" => "已通过审核并发布",
        "review" => "已退回",
        "claim" => "认领成功，请在期限内联系心愿人",
        _ => "已撤回",
    };
    done(run.await, &format!("/party/wishes/{id}"), msg)
}

/// `POST /party/wishes/{id}/fulfil` (multipart: `note`, `version` and the photo as `file`)
pub async fn fulfil(
    State(st): State<Base>,
    PageActor(actor): PageActor,
    Path(id): Path<i64>,
    mp: axum::extract::Multipart,
) -> Response {
    let c = actor.caller();
    let run = async {
        let (fields, bytes) = crate::web::read_upload(mp, "照片不超过 10 MB").await?;
        let get = |k: &str| fields.get(k).map_or("", String::as_str);
        let photo = wishes::store_photo(&st, &c, &bytes).await?;
        wishes::fulfil(
            &st,
            &c,
            id,
            FulfilInput {
                note: get("note").to_owned(),
                photo: photo.unwrap_or_default(),
                version: number("版本号", get("version"))?,
            },
        )
        .await
    };
    done(run.await, &format!("/party/wishes/{id}"), "已确认心愿实现")
}

/// What a claim's form sends.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ClaimForm {
    note: String,
    wish: String,
}

/// `POST /party/wish-claims/{id}/{step}`: contact, cancel, revoke.
pub async fn claim_step(
    State(st): State<Base>,
    PageActor(actor): PageActor,
    Path((id, step)): Path<(i64, String)>,
    Form(f): Form<ClaimForm>,
) -> Response {
    let back = format!("/party/wishes/{}", f.wish.trim());
    let which = match step.as_str() {
        "contact" => Some((ClaimStep::Contact, "已记录联系情况")),
        "cancel" => Some((ClaimStep::Cancel, "已取消认领，心愿回到待认领队列")),
        "revoke" => Some((ClaimStep::Revoke, "已撤销认领，心愿回到待认领队列")),
        _ => None,
    };
    let Some((s, msg)) = which else {
        return done::<()>(Err(AppError::NotFound("没有这个操作".into())), &back, "");
    };
    let r = wishes::claim_step(&st, &actor.caller(), id, s, ClaimStepInput { note: f.note }).await;
    done(r, &back, msg)
}

/// `GET /party/wishes/{id}/photo/{which}`: `wish` or `fulfil`.
pub async fn photo(
    State(st): State<Base>,
    PageActor(actor): PageActor,
    Path((id, which)): Path<(i64, String)>,
) -> Response {
    let run = async {
        let (mime, bytes) = wishes::photo(&st, &actor.caller(), id, &which).await?;
        Ok(crate::web::document_response(&mime, "微心愿照片", bytes))
    };
    respond(&st, &actor, run.await).await
}

#[derive(Template)]
#[template(path = "party/campaigns.html")]
struct CampaignsPage {
    ctx: PageCtx,
    tabs: super::member_pages::Tabs,
    staff: bool,
    reviewer: bool,
    list: Vec<CampaignView>,
    today: String,
    contact_days: u32,
    district: bool,
}

/// `GET /party/campaigns`
pub async fn campaigns(State(st): State<Base>, PageActor(actor): PageActor) -> Response {
    let run = async {
        let c = actor.caller();
        let list = wishes::campaigns(&st, &c).await?;
        let ctx = PageCtx::new(&st, &actor, "专项行动", nav_of(&c)).await?;
        Ok::<_, AppError>(Html(
            CampaignsPage {
                ctx,
                tabs: super::member_pages::tabs(&c, "wishes"),
                staff: wishes::staff(&c),
                reviewer: wishes::reviewer(&c),
                list,
                today: crate::infra::clock::today().to_string(),
                contact_days: wishes::contact_days(&st.db).await?,
                district: c.require_at_district(Permission::PartyManage, "").is_ok(),
            }
            .render(),
        ))
    };
    respond(&st, &actor, run.await.map(IntoResponse::into_response)).await
}

/// What the campaign form sends.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct CampaignForm {
    name: String,
    starts_on: String,
    ends_on: String,
    target: String,
    note: String,
}

/// `POST /party/campaigns`
pub async fn campaign_create(
    State(st): State<Base>,
    PageActor(actor): PageActor,
    Form(f): Form<CampaignForm>,
) -> Response {
    let c = actor.caller();
    let run = async {
        let input = CampaignInput {
            org_node_id: None,
            name: f.name,
            starts_on: f.starts_on,
            ends_on: f.ends_on,
            target: number("目标心愿数", &f.target)?,
            grids: Vec::new(),
            note: f.note,
        };
        wishes::create_campaign(&st, &c, input).await
    };
    match run.await {
        Ok(k) => done(
            Ok(()),
            &format!("/party/campaigns/{}", k.id),
            "专项行动已开展",
        ),
        Err(e) => done::<()>(Err(e), "/party/campaigns", ""),
    }
}

#[derive(Template)]
#[template(path = "party/campaign.html")]
struct CampaignPage {
    ctx: PageCtx,
    k: CampaignView,
    wishes: Vec<WishView>,
    reviewer: bool,
    recorder: bool,
    over: bool,
}

/// `GET /party/campaigns/{id}`
pub async fn campaign(
    State(st): State<Base>,
    PageActor(actor): PageActor,
    Path(id): Path<i64>,
) -> Response {
    let run = async {
        let c = actor.caller();
        let k = wishes::campaign(&st, &c, id).await?;
        let list = wishes::list(
            &st,
            &c,
            &Filter {
                campaign: Some(id),
                ..Filter::default()
            },
        )
        .await?;
        let ctx = PageCtx::new(&st, &actor, &k.name, nav_of(&c)).await?;
        Ok::<_, AppError>(Html(
            CampaignPage {
                ctx,
                over: crate::infra::clock::today().to_string() > k.ends_on,
                k,
                wishes: list,
                reviewer: wishes::reviewer(&c),
                recorder: wishes::recorder(&c),
            }
            .render(),
        ))
    };
    respond(&st, &actor, run.await.map(IntoResponse::into_response)).await
}

/// `POST /party/campaigns/{id}/summary`
pub async fn campaign_summary(
    State(st): State<Base>,
    PageActor(actor): PageActor,
    Path(id): Path<i64>,
) -> Response {
    let r = wishes::summarize(&st, &actor.caller(), id).await;
    done(r, &format!("/party/campaigns/{id}"), "已生成总结")
}

/// What the contact limit form sends.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct DaysForm {
    days: String,
}

/// `POST /party/wish-rules`
pub async fn set_rules(
    State(st): State<Base>,
    PageActor(actor): PageActor,
    Form(f): Form<DaysForm>,
) -> Response {
    let c = actor.caller();
    let r = match number::<u32>("联系期限", &f.days) {
        Ok(Some(d)) => wishes::set_contact_days(&st, &c, d).await,
        Ok(None) => Err(AppError::bad("bad_days", "请填写联系期限（工作日）")),
        Err(e) => Err(e),
    };
    done(r, "/party/campaigns", "已设定联系期限")
}

#[derive(Template)]
#[template(path = "party/public_wishes.html")]
struct PublicPage {
    list: Vec<PublicWish>,
    open: usize,
    fulfilled: usize,
}

/// `GET /wishes` — the published wishes, for anyone (no person named, no photo).
pub async fn public(State(st): State<Base>) -> Response {
    match wishes::public(&st.db, 200).await {
        Ok(list) => {
            let (open, fulfilled) = wishes::public_tally(&list);
            Html(
                PublicPage {
                    open,
                    fulfilled,
                    list,
                }
                .render(),
            )
            .into_response()
        }
        Err(e) => e.into_response(),
    }
}
