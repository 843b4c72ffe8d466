//! The people registry's tables. `resident_tags` (resident, tag) is written with plain SQL.

/// A household (户): a dwelling in a building and the people who live there.
pub mod household {
    use sea_orm::entity::prelude::*;

    #[sea_orm::model]
    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "households")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i64,
        pub building_id: i64,
        pub org_path: String,
        pub room: String,
        pub address: String,
        pub kind: String,
        pub head_id: Option<i64>,
        pub note: String,
        pub status: String,
        pub version: i32,
        pub created_at: i64,
        pub updated_at: i64,
    }

    impl ActiveModelBehavior for ActiveModel {}
}

/// A resident (居民). The ID number and phone are sealed (`*_sealed`), found by their blind index (`*_blind`), and shown by their last four characters (`*_tail`) behind a mask.
pub mod resident {
    use sea_orm::entity::prelude::*;

    #[sea_orm::model]
    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "residents")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i64,
        pub household_id: Option<i64>,
        pub org_path: String,
        pub name: String,
        pub initials: String,
        pub gender: String,
        pub birth_date: String,
        pub ethnicity: i32,
        pub id_sealed: String,
        pub id_blind: i64,
        pub id_tail: i64,
        pub phone_sealed: Option<String>,
        pub phone_blind: Option<i64>,
        pub phone_tail: Option<i64>,
        pub residence: String,
        pub political: String,
        pub relation: String,
        pub work_unit: String,
        pub note: String,
        pub status: String,
        pub version: i32,
        pub created_at: i64,
        pub updated_at: i64,
    }

    impl ActiveModelBehavior for ActiveModel {}
}

/// A care-group tag (低保, 独居老人 …), editable by the street.
pub mod tag {
    use sea_orm::entity::prelude::*;

    #[sea_orm::model]
    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "tags")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i64,
        pub name: String,
        pub sort_order: i32,
        pub status: String,
        pub created_at: i64,
    }

    impl ActiveModelBehavior for ActiveModel {}
}

/// One move of a resident: into the registry, between households, out of it.
pub mod movement {
    use sea_orm::entity::prelude::*;

    #[sea_orm::model]
    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "resident_moves")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i64,
        pub resident_id: i64,
        pub org_path: String,
        pub kind: String,
        pub from_household: Option<i64>,
        pub to_household: Option<i64>,
        pub from_address: String,
        pub to_address: String,
        pub on_date: String,
        pub reason: String,
        pub actor_name: String,
        pub at: i64,
    }

    impl ActiveModelBehavior for ActiveModel {}
}

/// A document in a household's archive (一户一档): a stored file with its type.
pub mod document {
    use sea_orm::entity::prelude::*;

    #[sea_orm::model]
    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "household_docs")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i64,
        pub household_id: i64,
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

/// A criterion a community assesses households against (score out of `max_score`).
pub mod assessment_item {
    use sea_orm::entity::prelude::*;

    #[sea_orm::model]
    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "assessment_items")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i64,
        pub org_id: i64,
        pub org_path: String,
        pub name: String,
        pub max_score: i32,
        pub sort_order: i32,
        pub status: String,
        pub created_at: i64,
    }

    impl ActiveModelBehavior for ActiveModel {}
}

/// A periodic assessment of a household: the scores per item (JSON) and their total.
pub mod assessment {
    use sea_orm::entity::prelude::*;

    #[sea_orm::model]
    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "assessments")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i64,
        pub household_id: i64,
        pub org_path: String,
        pub period: String,
        pub scores: String,
        pub total: i32,
        pub max_total: i32,
        pub assessor_name: String,
        pub assessed_on: String,
        pub note: String,
        pub at: i64,
    }

    impl ActiveModelBehavior for ActiveModel {}
}

/// A visit (走访) to a household, and the case a need found there became.
pub mod visit {
    use sea_orm::entity::prelude::*;

    #[sea_orm::model]
    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "visits")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i64,
        pub household_id: i64,
        pub org_path: String,
        pub visited_on: String,
        pub visitor_id: Option<i64>,
        pub visitor_name: String,
        pub notes: String,
        pub needs: String,
        pub case_id: Option<i64>,
        pub at: i64,
    }

    impl ActiveModelBehavior for ActiveModel {}
}
