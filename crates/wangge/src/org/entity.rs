//! The org tree's tables: nodes and the departments attached to them.

/// A node of the org tree.
pub mod node {
    use sea_orm::entity::prelude::*;

    #[sea_orm::model]
    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "org_nodes")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i64,
        pub parent_id: Option<i64>,
        pub code: String,
        pub name: String,
        pub level: String,
        pub kind: String,
        pub path: String,
        pub depth: i32,
        pub boundary: Option<String>,
        pub status: String,
        pub sort_order: i32,
        pub version: i32,
        pub created_at: i64,
        pub updated_at: i64,
    }

    impl ActiveModelBehavior for ActiveModel {}
}

/// A department (职能部门) attached to an org node.
pub mod department {
    use sea_orm::entity::prelude::*;

    #[sea_orm::model]
    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "departments")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i64,
        pub org_id: i64,
        pub org_path: String,
        pub name: String,
        pub kind: String,
        pub duty: String,
        pub status: String,
        pub version: i32,
        pub created_at: i64,
        pub updated_at: i64,
    }

    impl ActiveModelBehavior for ActiveModel {}
}
