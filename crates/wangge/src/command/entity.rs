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
