//! The party on the grid (党建引领): party organizations laid over the org tree — 党(工)委,
//! 党总支, 党支部 (by category: 村, 社区, 机关, 两新, 联合, 项目, 临时) and 党小组 — each attached
//! to an org node so that scope applies, with the term of its committee and when the next
//! election is due; their members, each a resident of the registry, from application to
//! transfer ([`members`]); the households members and grid workers look after, and the
//! coverage ([`links`]); 三会一课 with their quorum rules and the compliance of each branch
//! ([`meetings`]).
//!
//! The rules are the core's (`wangge_core::party`); this slice holds their storage
//! ([`entity`]), the services ([`service`] for the organizations, and the three above), the
//! JSON API ([`api`]) and the pages ([`pages`], [`member_pages`]).

pub mod api;
pub mod centers;
pub mod entity;
pub mod errand_pages;
pub mod errands;
pub mod honour_pages;
pub mod honours;
pub mod links;
pub mod meetings;
pub mod member_pages;
pub mod members;
pub mod pages;
pub mod pledge_pages;
pub mod pledges;
pub mod post_pages;
pub mod posts;
pub mod serve_api;
pub mod serve_pages;
pub mod service;
pub mod serving;
pub mod shape;
pub mod shape_pages;
pub mod star_api;
pub mod star_pages;
pub mod stars;
pub mod whistles;
pub mod wish_api;
pub mod wish_pages;
pub mod wishes;

use crate::infra::db::Hold;
use crate::web::{Base, Mounted, NavEntry, Routes, Slice};
use axum::routing::{get, post};
use utoipa_axum::routes;
use wangge_core::Permission;

/// The slice, as the app lists it.
pub const SLICE: Slice = Slice {
    name: "party",
    mount,
    nav: &[
        NavEntry {
            order: 105,
            key: "party",
            href: "/party",
            label: "党建",
            shown: |r| r.can(Permission::PartyView) && r.is_staff(),
        },
        NavEntry {
            order: 106,
            key: "party_me",
            href: "/party/me",
            label: "我的联户",
            shown: |r| r == wangge_core::Role::PartyMember,
        },
        NavEntry {
            order: 108,
            key: "errands",
            href: "/party/errands",
            label: "红色代办",
            shown: |r| !r.is_staff(),
        },
        NavEntry {
            order: 109,
            key: "serve",
            href: "/party/serve",
            label: "双报到",
            shown: |r| r == wangge_core::Role::PartyMember,
        },
        NavEntry {
            order: 111,
            key: "honours",
            href: "/party/honours",
            label: "光荣榜",
            shown: |r| r == wangge_core::Role::PartyMember,
        },
        NavEntry {
            order: 110,
            key: "whistles",
            href: "/party/whistles",
            label: "吹哨报到",
            shown: |r| r == wangge_core::Role::DepartmentHandler,
        },
        NavEntry {
            order: 107,
            key: "wishes",
            href: "/party/wishes",
            label: "微心愿",
            shown: |r| !r.is_staff(),
        },
    ],
    node_panels: &[pages::node_panel],
    body_limits: &[
        ("/api/v1/party/meetings/{id}/files", FILE_BODY_LIMIT),
        ("/party/meetings/{id}/files", FILE_BODY_LIMIT),
        ("/party/wishes", WISH_BODY_LIMIT),
        ("/party/wishes/{id}/fulfil", WISH_BODY_LIMIT),
        ("/party/honour-nominations", WISH_BODY_LIMIT),
        ("/party/stars/{id}/assess/{key}", WISH_BODY_LIMIT),
    ],
    holds: &[
        Hold::path("party_orgs", "org_path", "个党组织"),
        Hold::id("party_orgs", "org_node_id", "个党组织"),
        Hold::path("party_members", "org_path", "名党员"),
        Hold::path("party_member_steps", "org_path", "条党员历程"),
        Hold::path("party_links", "org_path", "条联户关系"),
        Hold::path("party_meetings", "org_path", "次会议记录"),
        Hold::path("party_centers", "org_path", "个党员中心户"),
        Hold::path("party_meeting_files", "org_path", "个会议文件"),
        Hold::path("party_elections", "org_path", "次选举记录"),
        Hold::path("party_election_results", "org_path", "条当选记录"),
        Hold::path("party_org_units", "org_path", "个组建单位"),
        Hold::path("party_org_changes", "org_path", "条党组织调整记录"),
        Hold::path("party_pledges", "org_path", "条党员承诺"),
        Hold::path("party_campaigns", "org_path", "个专项行动"),
        Hold::path("party_campaign_grids", "org_path", "个专项行动网格"),
        Hold::path("party_wishes", "org_path", "个微心愿"),
        Hold::path("party_wish_claims", "org_path", "条心愿认领"),
        Hold::path("party_posts", "org_path", "个先锋岗和责任区"),
        Hold::id("party_posts", "place_id", "个先锋岗和责任区"),
        Hold::path("party_units", "org_path", "个共建单位"),
        Hold::id("party_units", "org_node_id", "个共建单位"),
        Hold::path("party_registrations", "org_path", "名报到的在职党员"),
        Hold::id("party_registrations", "community_id", "名报到的在职党员"),
        Hold::path("party_needs", "org_path", "项服务需求"),
        Hold::path("party_signups", "org_path", "条服务报名"),
        Hold::path("party_whistles", "org_path", "个吹哨事项"),
        Hold::path("party_whistle_calls", "org_path", "条吹哨召集"),
        Hold::path("honour_categories", "org_path", "个光荣榜类别"),
        Hold::path("honour_nominations", "org_path", "条光荣榜提名"),
        Hold::path("honour_rolls", "org_path", "期光荣榜"),
        Hold::path("star_sets", "org_path", "套星级标准"),
        Hold::id("star_sets", "org_node_id", "套星级标准"),
        Hold::path("star_reviews", "org_path", "个五星支部评定"),
        Hold::path("star_objections", "org_path", "条五星支部异议"),
        Hold::path("star_withdrawals", "org_path", "条摘星记录"),
    ],
    audit_actions: &[("dissolve", "撤销"), ("view", "查看"), ("end", "解除")],
    audit_entities: &[
        ("party_org", "党组织"),
        ("party_terms", "党组织任期"),
        ("party_member", "党员档案"),
        ("party_link", "联户"),
        ("party_meeting", "组织生活"),
        ("party_rules", "组织生活要求"),
        ("party_center", "党员中心户"),
        ("party_election", "党组织选举"),
        ("party_org_unit", "联合支部组建单位"),
        ("party_pledge", "党员承诺"),
        ("party_wish", "微心愿"),
        ("party_wish_rules", "微心愿规则"),
        ("party_campaign", "专项行动"),
        ("party_post", "先锋岗和责任区"),
        ("party_unit", "共建单位"),
        ("party_registration", "在职党员报到"),
        ("party_need", "服务需求"),
        ("party_signup", "服务报名"),
        ("party_whistle", "吹哨报到"),
        ("honour_category", "光荣榜类别"),
        ("honour_nomination", "光荣榜提名"),
        ("honour_roll", "光荣榜"),
        ("star_set", "星级标准"),
        ("star_review", "五星支部评定"),
        ("star_objection", "五星支部异议"),
    ],
    seed: None,
    kinds: &[&wangge_core::flow::errand::KIND],
    on_transition: &[],
};

/// The largest body of a wish's form: one photo and the fields around it.
pub const WISH_BODY_LIMIT: usize = crate::infra::files::MAX_BYTES + 256 * 1024;

/// How often the claims of wishes are checked for contact (reminded, then released).
const CHASE_EVERY: std::time::Duration = std::time::Duration::from_secs(300);

/// The largest body of a meeting's file upload: the document and the form around it.
pub const FILE_BODY_LIMIT: usize = crate::infra::files::MAX_DOCUMENT + 1024 * 1024;

fn mount(base: &Base) -> Mounted {
    Mounted {
        api: api().with_state(base.clone()),
        pages: pages().with_state(base.clone()),
        jobs: vec![Box::pin(wishes::chase_forever(base.clone(), CHASE_EVERY))],
    }
}

/// The JSON API (under `/api/v1`).
fn api() -> Routes<Base> {
    Routes::api()
        .routes(routes!(api::api_tree, api::api_create))
        .routes(routes!(api::api_get, api::api_update))
        .routes(routes!(api::api_dissolve))
        .routes(routes!(api::api_terms, api::api_set_terms))
        .routes(routes!(api::api_members, api::api_member_create))
        .routes(routes!(api::api_member_get, api::api_member_update))
        .routes(routes!(api::api_member_step))
        .routes(routes!(api::api_member_transfer))
        .routes(routes!(api::api_link))
        .routes(routes!(api::api_unlink))
        .routes(routes!(api::api_coverage))
        .routes(routes!(api::api_meetings, api::api_meeting_record))
        .routes(routes!(api::api_meeting_get))
        .routes(routes!(api::api_compliance))
        .routes(routes!(api::api_centers, api::api_center_nominate))
        .routes(routes!(api::api_center_step))
        .routes(routes!(api::api_meeting_file))
        .routes(routes!(api::api_elections, api::api_election_record))
        .routes(routes!(api::api_units, api::api_unit_add))
        .routes(routes!(api::api_unit_end))
        .routes(routes!(api::api_changes))
        .routes(routes!(api::api_reorganize))
        .routes(routes!(api::api_pledges, api::api_pledge_make))
        .routes(routes!(api::api_pledge_report))
        .routes(routes!(api::api_pledge_review))
        .routes(routes!(api::api_posts, api::api_post_create))
        .routes(routes!(api::api_post_end))
        .routes(routes!(wish_api::api_wishes, wish_api::api_wish_record))
        .routes(routes!(wish_api::api_wish_get))
        .routes(routes!(wish_api::api_wish_step))
        .routes(routes!(wish_api::api_claim_step))
        .routes(routes!(
            wish_api::api_campaigns,
            wish_api::api_campaign_create
        ))
        .routes(routes!(wish_api::api_campaign_get))
        .routes(routes!(wish_api::api_campaign_summary))
        .routes(routes!(wish_api::api_public_wishes))
        .routes(routes!(serve_api::api_units, serve_api::api_unit_register))
        .routes(routes!(serve_api::api_unit_get, serve_api::api_unit_update))
        .routes(routes!(serve_api::api_unit_leave))
        .routes(routes!(
            serve_api::api_registrations,
            serve_api::api_register
        ))
        .routes(routes!(serve_api::api_registration_end))
        .routes(routes!(serve_api::api_record))
        .routes(routes!(serve_api::api_needs, serve_api::api_need_post))
        .routes(routes!(serve_api::api_need_get))
        .routes(routes!(serve_api::api_need_sign_up))
        .routes(routes!(serve_api::api_need_close))
        .routes(routes!(serve_api::api_signup_step))
        .routes(routes!(
            serve_api::api_whistles,
            serve_api::api_whistle_blow
        ))
        .routes(routes!(serve_api::api_whistle_get))
        .routes(routes!(serve_api::api_whistle_call_step))
        .routes(routes!(serve_api::api_public_honours))
        .routes(routes!(
            serve_api::api_honour_categories,
            serve_api::api_honour_category_create
        ))
        .routes(routes!(
            serve_api::api_honour_nominations,
            serve_api::api_honour_nominate
        ))
        .routes(routes!(serve_api::api_honour_decide))
        .routes(routes!(serve_api::api_honour_publish))
        .routes(routes!(star_api::api_stars))
        .routes(routes!(star_api::api_star_set_adopt))
        .routes(routes!(
            star_api::api_star_set_get,
            star_api::api_star_set_edit
        ))
        .routes(routes!(star_api::api_star_review_start))
        .routes(routes!(star_api::api_star_review_get))
        .routes(routes!(star_api::api_star_assess))
        .routes(routes!(star_api::api_star_review_step))
        .routes(routes!(star_api::api_star_objection_decide))
        .routes(routes!(star_api::api_public_stars))
}

/// The pages.
fn pages() -> Routes<Base> {
    Routes::pages()
        .route("/party", get(pages::tree))
        .route("/party/orgs", post(pages::create))
        .route("/party/orgs/new", get(pages::new_org))
        .route("/party/orgs/{id}", get(pages::detail).post(pages::update))
        .route("/party/orgs/{id}/dissolve", post(pages::dissolve))
        .route(
            "/party/orgs/{id}/elections",
            post(shape_pages::election_record),
        )
        .route("/party/orgs/{id}/units", post(shape_pages::unit_add))
        .route("/party/units/{id}/end", post(shape_pages::unit_end))
        .route("/party/orgs/{id}/reorganize", post(shape_pages::reorganize))
        .route(
            "/party/pledges",
            get(pledge_pages::list).post(pledge_pages::make),
        )
        .route("/party/pledges/{id}/report", post(pledge_pages::report))
        .route("/party/pledges/{id}/review", post(pledge_pages::review))
        .route(
            "/party/wishes",
            get(wish_pages::list).post(wish_pages::create),
        )
        .route("/party/wishes/new", get(wish_pages::new_wish))
        .route("/party/wishes/{id}", get(wish_pages::detail))
        .route("/party/wishes/{id}/fulfil", post(wish_pages::fulfil))
        .route("/party/wishes/{id}/{step}", post(wish_pages::step))
        .route("/party/wishes/{id}/photo/{which}", get(wish_pages::photo))
        .route(
            "/party/wish-claims/{id}/{step}",
            post(wish_pages::claim_step),
        )
        .route(
            "/party/campaigns",
            get(wish_pages::campaigns).post(wish_pages::campaign_create),
        )
        .route("/party/campaigns/{id}", get(wish_pages::campaign))
        .route(
            "/party/campaigns/{id}/summary",
            post(wish_pages::campaign_summary),
        )
        .route("/party/wish-rules", post(wish_pages::set_rules))
        .route("/wishes", get(wish_pages::public))
        .route(
            "/party/posts",
            get(post_pages::list).post(post_pages::create),
        )
        .route("/party/posts/{id}/end", post(post_pages::end))
        .route(
            "/party/errands",
            get(errand_pages::page).post(errand_pages::ask),
        )
        .route(
            "/party/units",
            get(serve_pages::units).post(serve_pages::unit_register),
        )
        .route(
            "/party/units/{id}",
            get(serve_pages::unit).post(serve_pages::unit_update),
        )
        .route("/party/units/{id}/leave", post(serve_pages::unit_leave))
        .route("/party/serve", get(serve_pages::serve))
        .route("/party/registrations", post(serve_pages::register))
        .route(
            "/party/registrations/{id}/end",
            post(serve_pages::registration_end),
        )
        .route("/party/registrations/{id}/record", get(serve_pages::record))
        .route(
            "/party/registrations/{id}/record.xlsx",
            get(serve_pages::record_xlsx),
        )
        .route("/party/needs", post(serve_pages::need_post))
        .route("/party/needs/{id}/signups", post(serve_pages::sign_up))
        .route("/party/needs/{id}/close", post(serve_pages::need_close))
        .route("/party/signups/{id}/{step}", post(serve_pages::signup_step))
        .route(
            "/party/whistles",
            get(serve_pages::whistles_page).post(serve_pages::whistle_blow),
        )
        .route("/party/whistles/{id}", get(serve_pages::whistle))
        .route(
            "/party/whistle-calls/{id}/{step}",
            post(serve_pages::call_step),
        )
        .route("/party/honours", get(honour_pages::page))
        .route(
            "/party/honour-categories",
            post(honour_pages::category_create),
        )
        .route("/party/honour-nominations", post(honour_pages::nominate))
        .route(
            "/party/honour-nominations/{id}/{step}",
            post(honour_pages::decide),
        )
        .route("/party/honour-rolls", post(honour_pages::publish))
        .route("/honours", get(honour_pages::public))
        .route("/honours/photo/{id}", get(honour_pages::photo))
        .route(
            "/party/stars",
            get(star_pages::list).post(star_pages::start),
        )
        .route("/party/star-sets", post(star_pages::adopt))
        .route(
            "/party/star-sets/{id}",
            get(star_pages::set_page).post(star_pages::set_edit),
        )
        .route("/party/stars/{id}", get(star_pages::detail))
        .route("/party/stars/{id}/{step}", post(star_pages::step))
        .route("/party/stars/{id}/assess/{key}", post(star_pages::assess))
        .route("/party/stars/{id}/photo/{file}", get(star_pages::photo))
        .route(
            "/party/star-objections/{id}/{step}",
            post(star_pages::objection),
        )
        .route("/stars", get(star_pages::public))
        .route("/party/terms", post(pages::set_terms))
        .route(
            "/party/members",
            get(member_pages::members_list).post(member_pages::member_create),
        )
        .route("/party/members/new", get(member_pages::member_new))
        .route(
            "/party/members/{id}",
            get(member_pages::member_detail).post(member_pages::member_update),
        )
        .route("/party/members/{id}/steps", post(member_pages::member_step))
        .route(
            "/party/members/{id}/transfer",
            post(member_pages::member_transfer),
        )
        .route("/party/links", post(member_pages::link))
        .route("/party/links/{id}/end", post(member_pages::unlink))
        .route("/party/coverage", get(member_pages::coverage))
        .route(
            "/party/meetings",
            get(member_pages::meetings_list).post(member_pages::meeting_record),
        )
        .route("/party/meetings/new", get(member_pages::meeting_new))
        .route("/party/meetings/{id}", get(member_pages::meeting_detail))
        .route("/party/compliance", get(member_pages::compliance))
        .route(
            "/party/rules",
            get(member_pages::rules).post(member_pages::set_rules),
        )
        .route("/party/me", get(member_pages::me))
        .route(
            "/party/centers",
            get(member_pages::centers).post(member_pages::center_nominate),
        )
        .route("/party/centers/{id}/steps", post(member_pages::center_step))
        .route(
            "/party/meetings/{id}/files",
            post(member_pages::meeting_file_add),
        )
        .route(
            "/party/meetings/{id}/files/{doc}",
            get(member_pages::meeting_file),
        )
}
