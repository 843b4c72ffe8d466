//! The party slice's tables.

/// A party organization (党委/党工委, 党总支, 党支部, 党小组) attached to an org node.
pub mod party_org {
    use sea_orm::entity::prelude::*;

    #[sea_orm::model]
    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "party_orgs")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i64,
        pub parent_id: Option<i64>,
        pub org_node_id: i64,
        pub org_path: String,
        pub name: String,
        pub kind: String,
        pub category: Option<String>,
        pub secretary: String,
        pub founded_on: Option<String>,
        pub elected_on: Option<String>,
        pub note: String,
        pub status: String,
        pub version: i32,
        pub created_at: i64,
        pub updated_at: i64,
    }

    impl ActiveModelBehavior for ActiveModel {}
}

/// A person on the way into the party or a member (党员), always a resident of the registry:
/// the name and ID number are the resident's, never copied here.
pub mod party_member {
    use sea_orm::entity::prelude::*;

    #[sea_orm::model]
    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "party_members")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i64,
        pub resident_id: i64,
        pub user_id: Option<i64>,
        pub party_org_id: i64,
        pub group_id: Option<i64>,
        pub org_path: String,
        pub stage: String,
        pub since: String,
        pub applied_on: String,
        pub joined_on: Option<String>,
        pub full_on: Option<String>,
        pub extended_months: i32,
        pub introducers: String,
        pub post: Option<String>,
        pub standing: String,
        pub lost_on: Option<String>,
        pub lost_note: String,
        pub flow_out: String,
        pub flow_in_org: String,
        pub abroad: String,
        pub work_unit: String,
        pub skills: String,
        pub education: String,
        pub migrant_worker: bool,
        pub status: String,
        pub version: i32,
        pub created_at: i64,
        pub updated_at: i64,
    }

    impl ActiveModelBehavior for ActiveModel {}
}

/// A step in a member's history: on the pipeline, between branches, of standing or post.
pub mod party_member_step {
    use sea_orm::entity::prelude::*;

    #[sea_orm::model]
    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "party_member_steps")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i64,
        pub member_id: i64,
        pub org_path: String,
        pub kind: String,
        pub from_value: String,
        pub to_value: String,
        pub on_date: String,
        pub approved_by: String,
        pub reason: String,
        pub letter_no: String,
        pub actor_name: String,
        pub at: i64,
    }

    impl ActiveModelBehavior for ActiveModel {}
}

/// A household looked after: by a member (党员联户) or by a grid worker (网格员包户).
pub mod party_link {
    use sea_orm::entity::prelude::*;

    #[sea_orm::model]
    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "party_links")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i64,
        pub kind: String,
        pub household_id: i64,
        pub holder_id: i64,
        pub org_path: String,
        pub status: String,
        pub actor_name: String,
        pub created_at: i64,
        pub ended_at: Option<i64>,
    }

    impl ActiveModelBehavior for ActiveModel {}
}

/// A meeting of 三会一课 or organisational life.
pub mod party_meeting {
    use sea_orm::entity::prelude::*;

    #[sea_orm::model]
    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "party_meetings")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i64,
        pub party_org_id: i64,
        pub org_path: String,
        pub kind: String,
        pub held_on: String,
        pub place: String,
        pub topic: String,
        pub chair: String,
        pub recorder: String,
        pub minutes: String,
        pub entitled: i32,
        pub present: i32,
        pub actor_name: String,
        pub created_at: i64,
    }

    impl ActiveModelBehavior for ActiveModel {}
}

/// One line of a meeting's attendance: a member (of the branch, or a guest from elsewhere) or
/// a named guest from outside the registry.
pub mod party_attendance {
    use sea_orm::entity::prelude::*;

    #[sea_orm::model]
    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "party_attendance")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i64,
        pub meeting_id: i64,
        pub member_id: Option<i64>,
        pub guest_name: String,
        pub presence: String,
        pub guest: bool,
        pub votes: bool,
        pub excluded: String,
        pub excluded_by: String,
    }

    impl ActiveModelBehavior for ActiveModel {}
}

/// A resolution voted at a meeting, with its counts and result.
pub mod party_resolution {
    use sea_orm::entity::prelude::*;

    #[sea_orm::model]
    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "party_resolutions")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i64,
        pub meeting_id: i64,
        pub title: String,
        pub yes: i32,
        pub no: i32,
        pub abstain: i32,
        pub entitled: i32,
        pub present: i32,
        pub result: String,
    }

    impl ActiveModelBehavior for ActiveModel {}
}

/// One member's vote on a resolution.
pub mod party_vote {
    use sea_orm::entity::prelude::*;

    #[sea_orm::model]
    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "party_votes")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i64,
        pub resolution_id: i64,
        pub member_id: i64,
        pub choice: String,
    }

    impl ActiveModelBehavior for ActiveModel {}
}

/// A 党员中心户: a member's home, announced, filed and plaqued.
pub mod party_center {
    use sea_orm::entity::prelude::*;

    #[sea_orm::model]
    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "party_centers")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i64,
        pub member_id: i64,
        pub household_id: i64,
        pub org_path: String,
        pub stage: String,
        pub since: String,
        pub nominated_on: String,
        pub announced_until: Option<String>,
        pub filed_on: Option<String>,
        pub plaqued_on: Option<String>,
        pub note: String,
        pub version: i32,
        pub created_at: i64,
        pub updated_at: i64,
    }

    impl ActiveModelBehavior for ActiveModel {}
}

/// A file of a meeting: its notice, sign-in sheet, minutes or a photo.
pub mod party_meeting_file {
    use sea_orm::entity::prelude::*;

    #[sea_orm::model]
    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "party_meeting_files")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i64,
        pub meeting_id: i64,
        pub org_path: String,
        pub doc_type: String,
        pub title: String,
        pub file_id: String,
        pub mime: String,
        pub size: i64,
        pub actor_name: String,
        pub at: i64,
    }

    impl ActiveModelBehavior for ActiveModel {}
}

/// An election of an organization's committee or secretary (换届选举, 补选).
pub mod party_election {
    use sea_orm::entity::prelude::*;

    #[sea_orm::model]
    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "party_elections")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i64,
        pub party_org_id: i64,
        pub org_path: String,
        pub kind: String,
        pub held_on: String,
        pub entitled: i32,
        pub present: i32,
        pub seats: i32,
        pub candidates: i32,
        pub approval_no: String,
        pub note: String,
        pub actor_name: String,
        pub created_at: i64,
    }

    impl ActiveModelBehavior for ActiveModel {}
}

/// One person an election chose, with the post and the votes.
pub mod party_election_result {
    use sea_orm::entity::prelude::*;

    #[sea_orm::model]
    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "party_election_results")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i64,
        pub election_id: i64,
        pub member_id: i64,
        pub org_path: String,
        pub post: String,
        pub votes: i32,
    }

    impl ActiveModelBehavior for ActiveModel {}
}

/// A unit a 联合支部 joins (an enterprise, a social organization, an office).
pub mod party_org_unit {
    use sea_orm::entity::prelude::*;

    #[sea_orm::model]
    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "party_org_units")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i64,
        pub party_org_id: i64,
        pub org_path: String,
        pub name: String,
        pub kind: String,
        pub contact: String,
        pub joined_on: String,
        pub left_on: Option<String>,
        pub status: String,
        pub actor_name: String,
        pub created_at: i64,
    }

    impl ActiveModelBehavior for ActiveModel {}
}

/// A reorganization: a merge into another organization, members split off into another, or
/// a move under another parent; the organizations' history stays with them.
pub mod party_org_change {
    use sea_orm::entity::prelude::*;

    #[sea_orm::model]
    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "party_org_changes")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i64,
        pub kind: String,
        pub from_org_id: i64,
        pub to_org_id: Option<i64>,
        pub org_path: String,
        pub from_name: String,
        pub to_name: String,
        pub on_date: String,
        pub members_moved: i32,
        pub approval_no: String,
        pub note: String,
        pub actor_name: String,
        pub at: i64,
    }

    impl ActiveModelBehavior for ActiveModel {}
}

/// A member's pledge for a year (承诺), their report (践诺) and the branch's review (评议).
pub mod party_pledge {
    use sea_orm::entity::prelude::*;

    #[sea_orm::model]
    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "party_pledges")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i64,
        pub member_id: i64,
        pub party_org_id: i64,
        pub org_path: String,
        pub year: i32,
        pub content: String,
        pub made_on: String,
        pub report: String,
        pub reported_on: Option<String>,
        pub verdict: Option<String>,
        pub review_note: String,
        pub reviewed_by: String,
        pub reviewed_on: Option<String>,
        pub status: String,
        pub version: i32,
        pub created_at: i64,
    }

    impl ActiveModelBehavior for ActiveModel {}
}

/// A campaign (专项行动) of wishes: a window, a target, the grids taking part, its summary.
pub mod party_campaign {
    use sea_orm::entity::prelude::*;

    #[sea_orm::model]
    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "party_campaigns")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i64,
        pub org_node_id: i64,
        pub org_path: String,
        pub name: String,
        pub starts_on: String,
        pub ends_on: String,
        pub target: i32,
        pub note: String,
        pub summary: String,
        pub summarized_at: Option<i64>,
        pub status: String,
        pub actor_name: String,
        pub version: i32,
        pub created_at: i64,
    }

    impl ActiveModelBehavior for ActiveModel {}
}

/// A grid taking part in a campaign.
pub mod party_campaign_grid {
    use sea_orm::entity::prelude::*;

    #[sea_orm::model]
    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "party_campaign_grids")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i64,
        pub campaign_id: i64,
        pub grid_id: i64,
        pub org_path: String,
    }

    impl ActiveModelBehavior for ActiveModel {}
}

/// A needy resident's small wish (微心愿).
pub mod party_wish {
    use sea_orm::entity::prelude::*;

    #[sea_orm::model]
    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "party_wishes")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i64,
        pub campaign_id: Option<i64>,
        pub grid_id: Option<i64>,
        pub org_path: String,
        pub resident_id: i64,
        pub household_id: Option<i64>,
        pub title: String,
        pub reason: String,
        pub value_band: String,
        pub photo_id: String,
        pub shares: i32,
        pub status: String,
        pub recorded_by_id: Option<i64>,
        pub recorded_by: String,
        pub beneficiary_user_id: Option<i64>,
        pub reviewed_by: String,
        pub review_note: String,
        pub published_at: Option<i64>,
        pub returned_at: Option<i64>,
        pub fulfilled_at: Option<i64>,
        pub fulfil_note: String,
        pub fulfil_photo: String,
        pub confirmed_by: String,
        pub confirmed_as: String,
        pub version: i32,
        pub created_at: i64,
    }

    impl ActiveModelBehavior for ActiveModel {}
}

/// One share of a wish claimed: by a member, an activist, a branch, a unit or a volunteer.
pub mod party_wish_claim {
    use sea_orm::entity::prelude::*;

    #[sea_orm::model]
    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "party_wish_claims")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i64,
        pub wish_id: i64,
        pub org_path: String,
        pub share_no: i32,
        pub claimant_kind: String,
        pub claimant_key: String,
        pub claimant_name: String,
        pub user_id: Option<i64>,
        pub member_id: Option<i64>,
        pub party_org_id: Option<i64>,
        pub state: String,
        pub claimed_at: i64,
        pub contact_due: i64,
        pub contacted_at: Option<i64>,
        pub contact_note: String,
        pub reminded_at: Option<i64>,
        pub ended_at: Option<i64>,
        pub end_reason: String,
        pub actor_name: String,
    }

    impl ActiveModelBehavior for ActiveModel {}
}

/// A member's post of responsibility at a place: 党员先锋岗 or 党员责任区.
pub mod party_post {
    use sea_orm::entity::prelude::*;

    #[sea_orm::model]
    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "party_posts")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i64,
        pub member_id: i64,
        pub party_org_id: i64,
        pub place_id: i64,
        pub org_path: String,
        pub kind: String,
        pub title: String,
        pub duty: String,
        pub since: String,
        pub until: Option<String>,
        pub status: String,
        pub actor_name: String,
        pub created_at: i64,
    }

    impl ActiveModelBehavior for ActiveModel {}
}

/// A unit that serves an area (驻区单位) under its agreement (共驻共建协议).
pub mod party_unit {
    use sea_orm::entity::prelude::*;

    #[sea_orm::model]
    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "party_units")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i64,
        pub org_node_id: i64,
        pub org_path: String,
        pub name: String,
        pub kind: String,
        pub party_org_name: String,
        pub address: String,
        pub contact_name: String,
        pub contact_phone: String,
        pub signed_on: String,
        pub until: Option<String>,
        pub needs: String,
        pub resources: String,
        pub projects: String,
        pub status: String,
        pub left_on: Option<String>,
        pub left_reason: String,
        pub actor_name: String,
        pub version: i32,
        pub created_at: i64,
    }

    impl ActiveModelBehavior for ActiveModel {}
}

/// An in-service member registered with the community where they live (在职党员到社区报到).
pub mod party_registration {
    use sea_orm::entity::prelude::*;

    #[sea_orm::model]
    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "party_registrations")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i64,
        pub resident_id: i64,
        pub member_id: Option<i64>,
        pub user_id: Option<i64>,
        pub community_id: i64,
        pub org_path: String,
        pub work_unit: String,
        pub unit_id: Option<i64>,
        pub home_branch: String,
        pub registered_on: String,
        pub status: String,
        pub ended_on: Option<String>,
        pub actor_name: String,
        pub created_at: i64,
    }

    impl ActiveModelBehavior for ActiveModel {}
}

/// A service need a community posts for registered members (服务需求).
pub mod party_need {
    use sea_orm::entity::prelude::*;

    #[sea_orm::model]
    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "party_needs")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i64,
        pub org_node_id: i64,
        pub org_path: String,
        pub title: String,
        pub detail: String,
        pub on_date: String,
        pub place: String,
        pub places: i32,
        pub status: String,
        pub actor_name: String,
        pub version: i32,
        pub created_at: i64,
    }

    impl ActiveModelBehavior for ActiveModel {}
}

/// A registered member's sign-up for a need, with the hours the community confirms.
pub mod party_signup {
    use sea_orm::entity::prelude::*;

    #[sea_orm::model]
    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "party_signups")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i64,
        pub need_id: i64,
        pub registration_id: i64,
        pub org_path: String,
        pub state: String,
        pub hours_tenths: i32,
        pub note: String,
        pub served_at: Option<i64>,
        pub confirmed_by: String,
        pub confirmed_at: Option<i64>,
        pub created_at: i64,
    }

    impl ActiveModelBehavior for ActiveModel {}
}

/// A whistle (吹哨报到) a community or street blows on one problem.
pub mod party_whistle {
    use sea_orm::entity::prelude::*;

    #[sea_orm::model]
    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "party_whistles")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i64,
        pub org_node_id: i64,
        pub org_path: String,
        pub title: String,
        pub problem: String,
        pub place: String,
        pub case_id: Option<i64>,
        pub blown_at: i64,
        pub status: String,
        pub closed_at: Option<i64>,
        pub summary: String,
        pub actor_name: String,
        pub version: i32,
    }

    impl ActiveModelBehavior for ActiveModel {}
}

/// One unit or department summoned by a whistle, with its own deadline.
pub mod party_whistle_call {
    use sea_orm::entity::prelude::*;

    #[sea_orm::model]
    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "party_whistle_calls")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i64,
        pub whistle_id: i64,
        pub org_path: String,
        pub unit_id: Option<i64>,
        pub department_id: Option<i64>,
        pub callee_key: String,
        pub callee_name: String,
        pub limit_hours: i32,
        pub due_at: i64,
        pub arrived_at: Option<i64>,
        pub answered_at: Option<i64>,
        pub answer: String,
        pub answered_by: String,
    }

    impl ActiveModelBehavior for ActiveModel {}
}

/// A category of the street's 光荣榜, with its period kind and quota.
pub mod honour_category {
    use sea_orm::entity::prelude::*;

    #[sea_orm::model]
    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "honour_categories")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i64,
        pub org_node_id: i64,
        pub org_path: String,
        pub name: String,
        pub period_kind: String,
        pub quota: i32,
        pub subject: String,
        pub note: String,
        pub status: String,
        pub actor_name: String,
        pub created_at: i64,
    }

    impl ActiveModelBehavior for ActiveModel {}
}

/// A nomination for a category's roll of one period.
pub mod honour_nomination {
    use sea_orm::entity::prelude::*;

    #[sea_orm::model]
    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "honour_nominations")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i64,
        pub category_id: i64,
        pub period: String,
        pub org_path: String,
        pub nominee_key: String,
        pub resident_id: Option<i64>,
        pub party_org_id: Option<i64>,
        pub nominee_name: String,
        pub place_name: String,
        pub citation: String,
        pub photo_id: String,
        pub self_nominated: bool,
        pub nominated_by_id: Option<i64>,
        pub nominated_by: String,
        pub status: String,
        pub decided_by: String,
        pub decided_at: Option<i64>,
        pub decision_note: String,
        pub created_at: i64,
    }

    impl ActiveModelBehavior for ActiveModel {}
}

/// A published (frozen) roll: one category, one period.
pub mod honour_roll {
    use sea_orm::entity::prelude::*;

    #[sea_orm::model]
    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "honour_rolls")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i64,
        pub category_id: i64,
        pub period: String,
        pub org_path: String,
        pub published_at: i64,
        pub published_by: String,
    }

    impl ActiveModelBehavior for ActiveModel {}
}

/// 五星支部: a street's star set of a year for one kind of branch (the stars as JSON).
pub mod star_set {
    use sea_orm::entity::prelude::*;

    #[sea_orm::model]
    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "star_sets")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i64,
        pub org_node_id: i64,
        pub org_path: String,
        pub year: i32,
        pub kind: String,
        pub two_level: bool,
        pub stars: String,
        pub actor_name: String,
        pub created_at: i64,
        pub updated_at: i64,
    }

    impl ActiveModelBehavior for ActiveModel {}
}

/// 五星支部: a branch's review of a year (self-assessment, scores and the stars awarded as JSON).
pub mod star_review {
    use sea_orm::entity::prelude::*;

    #[sea_orm::model]
    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "star_reviews")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i64,
        pub set_id: i64,
        pub party_org_id: i64,
        pub org_path: String,
        pub year: i32,
        pub stage: String,
        pub assessment: String,
        pub scores: String,
        pub awarded: String,
        pub score_note: String,
        pub scored_by_id: Option<i64>,
        pub scored_by: String,
        pub checked_by: String,
        pub return_note: String,
        pub public_from: Option<String>,
        pub awarded_on: Option<String>,
        pub created_at: i64,
        pub updated_at: i64,
    }

    impl ActiveModelBehavior for ActiveModel {}
}

/// 五星支部: an objection raised during 公示.
pub mod star_objection {
    use sea_orm::entity::prelude::*;

    #[sea_orm::model]
    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "star_objections")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i64,
        pub review_id: i64,
        pub org_path: String,
        pub body: String,
        pub raised_by_id: Option<i64>,
        pub raised_by: String,
        pub status: String,
        pub answer: String,
        pub answered_by: String,
        pub created_at: i64,
    }

    impl ActiveModelBehavior for ActiveModel {}
}

/// 五星支部: a star withdrawn (摘星) with its reason.
pub mod star_withdrawal {
    use sea_orm::entity::prelude::*;

    #[sea_orm::model]
    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "star_withdrawals")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i64,
        pub review_id: i64,
        pub org_path: String,
        pub star_key: String,
        pub reason: String,
        pub withdrawn_on: String,
        pub withdrawn_by: String,
        pub created_at: i64,
    }

    impl ActiveModelBehavior for ActiveModel {}
}
