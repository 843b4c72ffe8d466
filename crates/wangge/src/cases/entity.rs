//! The case loop's tables.

/// A case (诉求/事件): one report followed to its close.
pub mod case {
    use sea_orm::entity::prelude::*;

    /// A row of `cases`.
    #[sea_orm::model]
    #[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
    #[sea_orm(table_name = "cases")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i64,
        pub case_no: String,
        pub kind: String,
        pub title: String,
        pub description: String,
        pub category_code: String,
        pub source: String,
        pub status: String,
        pub version: i32,
        pub org_id: i64,
        pub org_path: String,
        pub building_id: Option<i64>,
        pub lat: Option<f64>,
        pub lng: Option<f64>,
        pub address: String,
        pub located: bool,
        pub dispatch_org_id: i64,
        pub dispatch_path: String,
        pub assignee_org_id: Option<i64>,
        pub assignee_dept_id: Option<i64>,
        pub assignee_path: Option<String>,
        pub assignee_name: String,
        /// The one person who took it (an errand's taker), when it went to a person.
        pub assignee_user_id: Option<i64>,
        /// The category intake chose when the report came without one.
        pub suggested_category: Option<String>,
        /// How: `keywords`, `learned` or `fallback`.
        pub suggested_method: Option<String>,
        /// The keyword score (matched characters) or the learned probability.
        pub suggested_score: Option<f64>,
        /// The words that led to it, separated by `、`.
        pub suggested_words: String,
        /// The node the routing rules proposed.
        pub route_org_id: Option<i64>,
        /// The department the routing rules proposed.
        pub route_dept_id: Option<i64>,
        /// Why (or why nothing could be proposed), whole.
        pub route_reason: String,
        pub reporter_id: Option<i64>,
        pub reporter_name: String,
        /// Sealed (see `people::vault`); empty when none was left.
        pub reporter_phone: String,
        /// The phone's blind index, to find a caller's cases by number.
        pub reporter_phone_blind: Option<i64>,
        pub anonymous: bool,
        pub track_hash: Option<String>,
        pub idem_key: Option<String>,
        pub created_at: i64,
        pub updated_at: i64,
        pub dispatched_at: Option<i64>,
        pub response_due: Option<i64>,
        pub handle_due: Option<i64>,
        pub acknowledged_at: Option<i64>,
        pub fed_back_at: Option<i64>,
        pub closed_at: Option<i64>,
        pub ack_late: bool,
        pub handle_late: bool,
        pub reworks_after_rating: i32,
        pub extension_pending: bool,
        pub extension_days: i32,
        pub supervised: bool,
        pub reminded_at: Option<i64>,
        pub urged_at: Option<i64>,
        pub rated_at: Option<i64>,
        pub contacted: Option<bool>,
        pub solved: Option<bool>,
        pub satisfaction: Option<String>,
        pub rating_comment: String,
        pub merged_into: Option<i64>,
    }

    impl ActiveModelBehavior for ActiveModel {}
}

/// One step of a case's timeline.
pub mod event {
    use sea_orm::entity::prelude::*;

    /// A row of `case_events`.
    #[sea_orm::model]
    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "case_events")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i64,
        pub case_id: i64,
        pub at: i64,
        pub actor_id: Option<i64>,
        pub actor_name: String,
        pub actor_role: String,
        pub action: String,
        pub from_status: String,
        pub to_status: String,
        pub note: String,
        pub data: String,
    }

    impl ActiveModelBehavior for ActiveModel {}
}

/// A photo attached to a case or to one step of it.
pub mod file {
    use sea_orm::entity::prelude::*;

    /// A row of `case_files`.
    #[sea_orm::model]
    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "case_files")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i64,
        pub case_id: i64,
        pub event_id: Option<i64>,
        pub sha256: String,
        pub mime: String,
        pub size: i64,
        pub created_at: i64,
    }

    impl ActiveModelBehavior for ActiveModel {}
}

/// Who uploaded a stored file: a file is attached to a case only by an account that uploaded
/// it, so knowing a file's hash gives no access to it.
pub mod upload {
    use sea_orm::entity::prelude::*;

    /// A row of `uploads`.
    #[sea_orm::model]
    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "uploads")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i64,
        pub sha256: String,
        pub user_id: i64,
        pub created_at: i64,
    }

    impl ActiveModelBehavior for ActiveModel {}
}

/// Someone who follows a case they did not report (the reporter of a merged duplicate).
pub mod follower {
    use sea_orm::entity::prelude::*;

    /// A row of `case_followers`.
    #[sea_orm::model]
    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "case_followers")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i64,
        pub case_id: i64,
        pub user_id: i64,
    }

    impl ActiveModelBehavior for ActiveModel {}
}

/// A category of the editable tree.
pub mod category {
    use sea_orm::entity::prelude::*;

    /// A row of `categories`.
    #[sea_orm::model]
    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "categories")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i64,
        pub code: String,
        /// The kind of work filed under it (`appeal`, `errand` …).
        pub kind: String,
        pub name: String,
        pub group_code: String,
        pub group_name: String,
        pub handler: String,
        pub department_kind: Option<String>,
        pub response: String,
        pub handling: String,
        pub keywords: String,
        pub active: bool,
        pub sort_order: i32,
        pub version: i32,
        pub updated_at: i64,
    }

    impl ActiveModelBehavior for ActiveModel {}
}

/// A listed day of the working calendar (a holiday or a make-up workday).
pub mod calendar_day {
    use sea_orm::entity::prelude::*;

    /// A row of `calendar_days`.
    #[sea_orm::model]
    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "calendar_days")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i64,
        pub day: String,
        pub kind: String,
        pub name: String,
        pub updated_at: i64,
    }

    impl ActiveModelBehavior for ActiveModel {}
}
