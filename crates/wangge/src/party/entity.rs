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
