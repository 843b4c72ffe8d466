//! Sessions, API tokens and failed logins. Only hashes of tokens are stored.

/// A browser session (HttpOnly cookie).
pub mod session {
    use sea_orm::entity::prelude::*;

    #[sea_orm::model]
    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "sessions")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i64,
        pub token_hash: String,
        pub user_id: i64,
        pub csrf_token: String,
        pub created_at: i64,
        pub expires_at: i64,
        pub last_seen_at: i64,
        pub ip: String,
    }

    impl ActiveModelBehavior for ActiveModel {}
}

/// A bearer token: from an API login, or issued to a machine.
pub mod api_token {
    use sea_orm::entity::prelude::*;

    #[sea_orm::model]
    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "api_tokens")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i64,
        pub user_id: i64,
        pub name: String,
        pub kind: String,
        pub token_hash: String,
        pub created_at: i64,
        pub expires_at: Option<i64>,
        pub last_used_at: Option<i64>,
        pub revoked_at: Option<i64>,
    }

    impl ActiveModelBehavior for ActiveModel {}
}

/// One failed login, for throttling.
pub mod login_failure {
    use sea_orm::entity::prelude::*;

    #[sea_orm::model]
    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "login_failures")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i64,
        pub username: String,
        pub ip: String,
        pub at: i64,
    }

    impl ActiveModelBehavior for ActiveModel {}
}
