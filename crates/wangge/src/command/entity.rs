//! The command centre's storage: the weights of rankings by version, the published rankings and
//! their errata.

/// A node's ranking weights, one row a version (the core's `RankWeights` as JSON).
pub mod ranking_weights {
    use sea_orm::entity::prelude::*;

    #[sea_orm::model]
    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "ranking_weights")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i64,
        pub org_node_id: i64,
        pub org_path: String,
        pub version: i32,
        pub weights: String,
        pub note: String,
        pub actor_name: String,
        pub created_at: i64,
    }

    impl ActiveModelBehavior for ActiveModel {}
}

/// A published ranking of a node's children for a month, frozen (the view as JSON).
pub mod ranking {
    use sea_orm::entity::prelude::*;

    #[sea_orm::model]
    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "rankings")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i64,
        pub org_node_id: i64,
        pub org_path: String,
        pub month: String,
        pub weights_version: i32,
        pub body: String,
        pub published_by: String,
        pub published_at: i64,
    }

    impl ActiveModelBehavior for ActiveModel {}
}

/// An erratum of a published ranking: the note and the corrected view (the original stays).
pub mod ranking_erratum {
    use sea_orm::entity::prelude::*;

    #[sea_orm::model]
    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "ranking_errata")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i64,
        pub ranking_id: i64,
        pub org_path: String,
        pub note: String,
        pub body: String,
        pub actor_name: String,
        pub created_at: i64,
    }

    impl ActiveModelBehavior for ActiveModel {}
}

/// A decision that a case is unreasonable (不合理诉求) and stays out of the rates: proposed with
/// a reason, then approved (or refused) by another account; an approved one may be revoked.
pub mod exclusion {
    use sea_orm::entity::prelude::*;

    #[sea_orm::model]
    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "case_exclusions")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i64,
        pub case_id: i64,
        pub org_path: String,
        /// `proposed`, `approved`, `refused` or `revoked`.
        pub status: String,
        pub reason: String,
        pub proposed_by: i64,
        pub proposer_name: String,
        pub proposed_at: i64,
        pub decided_by: Option<i64>,
        pub decider_name: String,
        pub decided_at: Option<i64>,
        pub decision_note: String,
    }

    impl ActiveModelBehavior for ActiveModel {}
}

/// A word that raises an early warning when recent case text holds it, for a node's subtree.
pub mod keyword {
    use sea_orm::entity::prelude::*;

    #[sea_orm::model]
    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "warning_keywords")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i64,
        pub org_node_id: i64,
        pub org_path: String,
        pub word: String,
        pub actor_name: String,
        pub created_at: i64,
    }

    impl ActiveModelBehavior for ActiveModel {}
}

/// One person on the duty roster (值班表) of a street for a day; `leader` is the leader on
/// shift (领导带班).
pub mod shift {
    use sea_orm::entity::prelude::*;

    #[sea_orm::model]
    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "duty_shifts")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i64,
        pub org_node_id: i64,
        pub org_path: String,
        pub day: String,
        pub user_id: i64,
        pub person_name: String,
        pub leader: bool,
        pub note: String,
        pub actor_name: String,
        pub created_at: i64,
    }

    impl ActiveModelBehavior for ActiveModel {}
}
