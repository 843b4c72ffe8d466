//! The schema, written once in Rust and applied on both backends at start-up.
//! Each migration is append-only: change the schema by adding a new one.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;
use sea_orm_migration::sea_orm::ConnectionTrait;

/// The list of migrations, oldest first.
pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(M0001Skeleton),
            Box::new(M0002Cases),
            Box::new(M0003CaseFigures),
            Box::new(M0004CaseScope),
            Box::new(M0005People),
            Box::new(M0006SealedPhones),
            Box::new(M0007BytewisePaths),
            Box::new(M0008ResidentIndexStatus),
            Box::new(M0009Trust),
            Box::new(M0010Invariants),
            Box::new(M0011Party),
            Box::new(M0012CaseKinds),
            Box::new(M0013FigureKinds),
            Box::new(M0014PartyMembers),
            Box::new(M0015PartyCenters),
            Box::new(M0016PartyMeetingFiles),
            Box::new(M0017PartyShape),
            Box::new(M0018PartyPledges),
            Box::new(M0019PartyWishes),
            Box::new(M0020MemberSkills),
            Box::new(M0021PartyPosts),
            Box::new(M0022PartyServe),
            Box::new(M0023Honours),
            Box::new(M0024Stars),
            Box::new(M0025Rankings),
            Box::new(M0026Command),
            Box::new(M0027Tallies),
            Box::new(M0028CaseTallies),
            Box::new(M0029CommandReads),
            Box::new(M0030OpenTally),
        ]
    }
}

/// The walking skeleton: the org tree, departments, accounts, sessions, tokens, audit log.
struct M0001Skeleton;

impl MigrationName for M0001Skeleton {
    fn name(&self) -> &str {
        "m0001_skeleton"
    }
}

fn ts(name: &'static str) -> ColumnDef {
    big_integer(name)
}

#[async_trait::async_trait]
impl MigrationTrait for M0001Skeleton {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table("org_nodes")
                .col(big_pk_auto("id"))
                .col(big_integer_null("parent_id"))
                .col(string_len("code", 32))
                .col(string_len("name", 100))
                .col(string_len("level", 16))
                .col(string_len("kind", 16))
                .col(string_len("path", 400))
                .col(integer("depth"))
                .col(text_null("boundary"))
                .col(string_len("status", 16))
                .col(integer("sort_order").default(0))
                .col(integer("version").default(1))
                .col(ts("created_at"))
                .col(ts("updated_at"))
                .to_owned(),
        )
        .await?;
        index(m, "org_nodes", "ux_org_nodes_path", &["path"], true).await?;
        index(
            m,
            "org_nodes",
            "ux_org_nodes_parent_code",
            &["parent_id", "code"],
            true,
        )
        .await?;
        index(
            m,
            "org_nodes",
            "ix_org_nodes_parent",
            &["parent_id", "sort_order"],
            false,
        )
        .await?;

        m.create_table(
            Table::create()
                .table("departments")
                .col(big_pk_auto("id"))
                .col(big_integer("org_id"))
                .col(string_len("org_path", 400))
                .col(string_len("name", 100))
                .col(string_len("kind", 32))
                .col(string_len("duty", 500).default(""))
                .col(string_len("status", 16))
                .col(integer("version").default(1))
                .col(ts("created_at"))
                .col(ts("updated_at"))
                .to_owned(),
        )
        .await?;
        index(
            m,
            "departments",
            "ux_departments_org_name",
            &["org_id", "name"],
            true,
        )
        .await?;
        index(
            m,
            "departments",
            "ix_departments_path",
            &["org_path"],
            false,
        )
        .await?;

        m.create_table(
            Table::create()
                .table("users")
                .col(big_pk_auto("id"))
                .col(string_len("username", 32))
                .col(string_len("display_name", 50))
                .col(string_len("password_hash", 200))
                .col(string_len("role", 32))
                .col(big_integer("org_id"))
                .col(string_len("org_path", 400))
                .col(big_integer_null("department_id"))
                .col(string_len("status", 16))
                .col(boolean("must_change_password").default(false))
                .col(integer("version").default(1))
                .col(ts("created_at"))
                .col(ts("updated_at"))
                .col(big_integer_null("last_login_at"))
                .to_owned(),
        )
        .await?;
        index(m, "users", "ux_users_username", &["username"], true).await?;
        index(m, "users", "ix_users_path", &["org_path"], false).await?;

        m.create_table(
            Table::create()
                .table("sessions")
                .col(big_pk_auto("id"))
                .col(string_len("token_hash", 64))
                .col(big_integer("user_id"))
                .col(string_len("csrf_token", 64))
                .col(ts("created_at"))
                .col(ts("expires_at"))
                .col(ts("last_seen_at"))
                .col(string_len("ip", 64).default(""))
                .to_owned(),
        )
        .await?;
        index(m, "sessions", "ux_sessions_token", &["token_hash"], true).await?;
        index(m, "sessions", "ix_sessions_user", &["user_id"], false).await?;

        m.create_table(
            Table::create()
                .table("api_tokens")
                .col(big_pk_auto("id"))
                .col(big_integer("user_id"))
                .col(string_len("name", 100))
                .col(string_len("kind", 16))
                .col(string_len("token_hash", 64))
                .col(ts("created_at"))
                .col(big_integer_null("expires_at"))
                .col(big_integer_null("last_used_at"))
                .col(big_integer_null("revoked_at"))
                .to_owned(),
        )
        .await?;
        index(m, "api_tokens", "ux_api_tokens_hash", &["token_hash"], true).await?;
        index(m, "api_tokens", "ix_api_tokens_user", &["user_id"], false).await?;

        m.create_table(
            Table::create()
                .table("login_failures")
                .col(big_pk_auto("id"))
                .col(string_len("username", 64))
                .col(string_len("ip", 64))
                .col(ts("at"))
                .to_owned(),
        )
        .await?;
        index(
            m,
            "login_failures",
            "ix_login_failures_user",
            &["username", "at"],
            false,
        )
        .await?;

        m.create_table(
            Table::create()
                .table("audit_log")
                .col(big_pk_auto("id"))
                .col(ts("at"))
                .col(big_integer_null("actor_id"))
                .col(string_len("actor_name", 64))
                .col(string_len("org_path", 400))
                .col(string_len("action", 32))
                .col(string_len("entity", 32))
                .col(big_integer_null("entity_id"))
                .col(string_len("summary", 500))
                .col(text("changes"))
                .col(string_len("ip", 64).default(""))
                .to_owned(),
        )
        .await?;
        index(
            m,
            "audit_log",
            "ix_audit_path_at",
            &["org_path", "at"],
            false,
        )
        .await?;
        index(
            m,
            "audit_log",
            "ix_audit_entity",
            &["entity", "entity_id"],
            false,
        )
        .await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for t in [
            "audit_log",
            "login_failures",
            "api_tokens",
            "sessions",
            "users",
            "departments",
            "org_nodes",
        ] {
            m.drop_table(Table::drop().table(t).to_owned()).await?;
        }
        Ok(())
    }
}

/// (name, columns, unique) of the indexes m0002 made on `cases`: the number and the retry key
/// are unique; the rest serve the scope filter (three paths), the to-do queues, the reporter's
/// own list, pressing (status and deadline) and, until m0003, the figures.
const CASE_INDEXES: [(&str, &[&str], bool); 11] = [
    ("ux_cases_no", &["case_no"], true),
    ("ux_cases_idem", &["idem_key"], true),
    ("ix_cases_path", &["org_path", "created_at"], false),
    ("ix_cases_created", &["created_at"], false),
    ("ix_cases_assignee_path", &["assignee_path"], false),
    ("ix_cases_dispatch", &["dispatch_path", "status"], false),
    ("ix_cases_node_todo", &["assignee_org_id", "status"], false),
    ("ix_cases_dept_todo", &["assignee_dept_id", "status"], false),
    ("ix_cases_reporter", &["reporter_id", "created_at"], false),
    ("ix_cases_status_due", &["status", "handle_due"], false),
    ("ix_cases_rated", &["org_path", "rated_at"], false),
];

/// The case loop: categories, the working calendar, cases with their timeline, files,
/// followers and notifications.
struct M0002Cases;

impl MigrationName for M0002Cases {
    fn name(&self) -> &str {
        "m0002_cases"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for M0002Cases {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table("categories")
                .col(big_pk_auto("id"))
                .col(string_len("code", 16))
                .col(string_len("name", 50))
                .col(string_len("group_code", 16))
                .col(string_len("group_name", 50))
                .col(string_len("handler", 16))
                .col(string_len_null("department_kind", 32))
                .col(string_len("response", 16))
                .col(string_len("handling", 16))
                .col(text("keywords"))
                .col(boolean("active").default(true))
                .col(integer("sort_order").default(0))
                .col(integer("version").default(1))
                .col(ts("updated_at"))
                .to_owned(),
        )
        .await?;
        index(m, "categories", "ux_categories_code", &["code"], true).await?;

        m.create_table(
            Table::create()
                .table("calendar_days")
                .col(big_pk_auto("id"))
                .col(string_len("day", 10))
                .col(string_len("kind", 16))
                .col(string_len("name", 50))
                .col(ts("updated_at"))
                .to_owned(),
        )
        .await?;
        index(m, "calendar_days", "ux_calendar_days_day", &["day"], true).await?;

        m.create_table(
            Table::create()
                .table("case_counters")
                .col(integer("year").primary_key())
                .col(big_integer("n"))
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table("cases")
                .col(big_pk_auto("id"))
                .col(string_len("case_no", 20))
                .col(string_len("kind", 16))
                .col(string_len("title", 100))
                .col(text("description"))
                .col(string_len("category_code", 16))
                .col(string_len("source", 16))
                .col(string_len("status", 16))
                .col(integer("version").default(1))
                // Where it happened: the grid (or the node the report fell back to).
                .col(big_integer("org_id"))
                .col(string_len("org_path", 400))
                .col(big_integer_null("building_id"))
                .col(double_null("lat"))
                .col(double_null("lng"))
                .col(string_len("address", 200).default(""))
                .col(boolean("located").default(true))
                // Whose queue screens and dispatches it.
                .col(big_integer("dispatch_org_id"))
                .col(string_len("dispatch_path", 400))
                // Who acts on it now.
                .col(big_integer_null("assignee_org_id"))
                .col(big_integer_null("assignee_dept_id"))
                .col(string_len_null("assignee_path", 400))
                .col(string_len("assignee_name", 100).default(""))
                .col(string_len("suggestion", 400).default(""))
                // Who reported it.
                .col(big_integer_null("reporter_id"))
                .col(string_len("reporter_name", 50).default(""))
                .col(string_len("reporter_phone", 20).default(""))
                .col(boolean("anonymous").default(false))
                .col(string_len_null("track_hash", 64))
                .col(string_len_null("idem_key", 120))
                // Clocks and marks.
                .col(ts("created_at"))
                .col(ts("updated_at"))
                .col(big_integer_null("dispatched_at"))
                .col(big_integer_null("response_due"))
                .col(big_integer_null("handle_due"))
                .col(big_integer_null("acknowledged_at"))
                .col(big_integer_null("fed_back_at"))
                .col(big_integer_null("closed_at"))
                .col(boolean("ack_late").default(false))
                .col(boolean("handle_late").default(false))
                .col(integer("reworks_after_rating").default(0))
                .col(boolean("extension_pending").default(false))
                .col(integer("extension_days").default(0))
                .col(boolean("supervised").default(false))
                .col(big_integer_null("reminded_at"))
                .col(big_integer_null("urged_at"))
                // The rating (回访).
                .col(big_integer_null("rated_at"))
                .col(boolean_null("contacted"))
                .col(boolean_null("solved"))
                .col(string_len_null("satisfaction", 16))
                .col(string_len("rating_comment", 500).default(""))
                .col(big_integer_null("merged_into"))
                .to_owned(),
        )
        .await?;
        for (name, cols, unique) in CASE_INDEXES {
            index(m, "cases", name, cols, unique).await?;
        }

        m.create_table(
            Table::create()
                .table("case_events")
                .col(big_pk_auto("id"))
                .col(big_integer("case_id"))
                .col(ts("at"))
                .col(big_integer_null("actor_id"))
                .col(string_len("actor_name", 64))
                .col(string_len("actor_role", 32))
                .col(string_len("action", 32))
                .col(string_len("from_status", 16))
                .col(string_len("to_status", 16))
                .col(text("note"))
                .col(text("data"))
                .to_owned(),
        )
        .await?;
        index(
            m,
            "case_events",
            "ix_case_events_case",
            &["case_id", "at"],
            false,
        )
        .await?;

        m.create_table(
            Table::create()
                .table("case_files")
                .col(big_pk_auto("id"))
                .col(big_integer("case_id"))
                .col(big_integer_null("event_id"))
                .col(string_len("sha256", 64))
                .col(string_len("mime", 32))
                .col(big_integer("size"))
                .col(ts("created_at"))
                .to_owned(),
        )
        .await?;
        index(m, "case_files", "ix_case_files_case", &["case_id"], false).await?;
        index(m, "case_files", "ix_case_files_sha", &["sha256"], false).await?;

        m.create_table(
            Table::create()
                .table("case_followers")
                .col(big_pk_auto("id"))
                .col(big_integer("case_id"))
                .col(big_integer("user_id"))
                .to_owned(),
        )
        .await?;
        index(
            m,
            "case_followers",
            "ux_case_followers",
            &["user_id", "case_id"],
            true,
        )
        .await?;

        m.create_table(
            Table::create()
                .table("notifications")
                .col(big_pk_auto("id"))
                .col(big_integer("user_id"))
                .col(big_integer_null("case_id"))
                .col(string_len("kind", 32))
                .col(string_len("text", 300))
                .col(ts("at"))
                .col(big_integer_null("read_at"))
                .to_owned(),
        )
        .await?;
        index(
            m,
            "notifications",
            "ix_notifications_user",
            &["user_id", "at"],
            false,
        )
        .await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for t in [
            "notifications",
            "case_followers",
            "case_files",
            "case_events",
            "cases",
            "case_counters",
            "calendar_days",
            "categories",
        ] {
            m.drop_table(Table::drop().table(t).to_owned()).await?;
        }
        Ok(())
    }
}

/// Time-first covering indexes for the figures: a period of a subtree reads one slice of
/// each index (the month), filters the org path inside it and never touches the rows. They
/// replace the path-first rating index and the bare creation-time index.
struct M0003CaseFigures;

impl MigrationName for M0003CaseFigures {
    fn name(&self) -> &str {
        "m0003_case_figures"
    }
}

/// (name, columns) of each figures index.
const FIGURE_INDEXES: [(&str, &[&str]); 4] = [
    (
        "ix_cases_fig_created",
        &["created_at", "org_path", "status"],
    ),
    (
        "ix_cases_fig_dispatched",
        &[
            "dispatched_at",
            "org_path",
            "acknowledged_at",
            "ack_late",
            "fed_back_at",
            "handle_due",
            "handle_late",
        ],
    ),
    (
        "ix_cases_fig_rated",
        &[
            "rated_at",
            "org_path",
            "contacted",
            "solved",
            "satisfaction",
        ],
    ),
    (
        "ix_cases_fig_closed",
        &["closed_at", "org_path", "created_at"],
    ),
];

/// The m0002 indexes the figures indexes replace.
const REPLACED: [&str; 2] = ["ix_cases_rated", "ix_cases_created"];

#[async_trait::async_trait]
impl MigrationTrait for M0003CaseFigures {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for (name, cols) in FIGURE_INDEXES {
            index(m, "cases", name, cols, false).await?;
        }
        for old in REPLACED {
            m.drop_index(Index::drop().name(old).table("cases").to_owned())
                .await?;
        }
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for (name, cols, unique) in CASE_INDEXES.iter().filter(|x| REPLACED.contains(&x.0)) {
            index(m, "cases", name, cols, *unique).await?;
        }
        for (name, _) in FIGURE_INDEXES {
            m.drop_index(Index::drop().name(name).table("cases").to_owned())
                .await?;
        }
        Ok(())
    }
}

/// The scope's own path index carries the status: a list's count in a small scope ("my grid's
/// closed cases") is then read from the index alone, as is the lower bound that spares a large
/// scope the union of its visibility branches (see `cases::service::list`).
struct M0004CaseScope;

impl MigrationName for M0004CaseScope {
    fn name(&self) -> &str {
        "m0004_case_scope"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for M0004CaseScope {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        let scope = ("ix_cases_scope", &["org_path", "status", "created_at"][..]);
        replace_index(m, "cases", "ix_cases_path", scope).await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for (name, cols, _) in CASE_INDEXES.iter().filter(|x| x.0 == "ix_cases_path") {
            replace_index(m, "cases", "ix_cases_scope", (name, cols)).await?;
        }
        Ok(())
    }
}

/// The people registry: households in buildings, residents with their personal data sealed,
/// care-group tags, moves, the household archive (documents and assessments) and visits.
/// Every table carries the org path of the building its household is in: the scope filter.
struct M0005People;

impl MigrationName for M0005People {
    fn name(&self) -> &str {
        "m0005_people"
    }
}

/// The residents' search indexes: dropped while a large ledger goes into a registry much
/// smaller than it and built again at the end (a sort is far cheaper than a million random
/// index inserts), and made again by [`ensure_search_indexes`] if an import stopped half-way.
pub const RESIDENT_SEARCH_INDEXES: [(&str, &[&str]); 6] = [
    ("ix_residents_phone_blind", &["phone_blind"]),
    ("ix_residents_id_tail", &["id_tail"]),
    ("ix_residents_phone_tail", &["phone_tail"]),
    // The path lets a search in a grid's scope be filtered inside the index, without reading
    // every 张 of the district; the status at the end lets a search be counted from the index
    // alone (a district's 张 counted to the cap: 80 → 3 ms at 1,000,000 residents; m0008).
    ("ix_residents_name", &["name", "org_path", "status"]),
    (
        "ix_residents_initials",
        &["initials", "name", "org_path", "status"],
    ),
    (
        "ix_residents_path",
        &["org_path", "initials", "name", "status"],
    ),
];

/// The residents' indexes m0008 redefines (with the status), as they were before it.
const BEFORE_M0008: [(&str, &[&str]); 3] = [
    ("ix_residents_name", &["name", "org_path"]),
    ("ix_residents_initials", &["initials", "name", "org_path"]),
    ("ix_residents_path", &["org_path", "initials", "name"]),
];

/// Creates any of the residents' search indexes that are missing.
pub async fn ensure_search_indexes(db: &impl ConnectionTrait) -> Result<(), DbErr> {
    resident_indexes(db, &RESIDENT_SEARCH_INDEXES).await
}

/// Creates those of the residents' indexes that are missing.
async fn resident_indexes(
    db: &impl ConnectionTrait,
    list: &[(&str, &[&str])],
) -> Result<(), DbErr> {
    for (name, cols) in list {
        db.execute_unprepared(&format!(
            "CREATE INDEX IF NOT EXISTS {name} ON residents ({})",
            cols.join(", ")
        ))
        .await?;
    }
    Ok(())
}

/// Drops the residents' search indexes (see [`RESIDENT_SEARCH_INDEXES`]).
pub async fn drop_search_indexes(db: &impl ConnectionTrait) -> Result<(), DbErr> {
    drop_indexes(db, &RESIDENT_SEARCH_INDEXES.map(|x| x.0)).await
}

/// (table, index, columns, unique) of the registry.
const PEOPLE_INDEXES: [(&str, &str, &[&str], bool); 10] = [
    (
        "households",
        "ux_households_room",
        &["building_id", "room"],
        true,
    ),
    (
        "households",
        "ix_households_path",
        &["org_path", "room"],
        false,
    ),
    ("residents", "ux_residents_id_blind", &["id_blind"], true),
    (
        "residents",
        "ix_residents_household",
        &["household_id"],
        false,
    ),
    (
        "resident_tags",
        "ix_resident_tags_tag",
        &["tag_id", "resident_id"],
        false,
    ),
    (
        "resident_moves",
        "ix_resident_moves_resident",
        &["resident_id", "at"],
        false,
    ),
    (
        "household_docs",
        "ix_household_docs_household",
        &["household_id", "at"],
        false,
    ),
    (
        "assessments",
        "ix_assessments_household",
        &["household_id", "assessed_on"],
        false,
    ),
    (
        "visits",
        "ix_visits_household",
        &["household_id", "visited_on"],
        false,
    ),
    (
        "visits",
        "ix_visits_path",
        &["org_path", "visited_on"],
        false,
    ),
];

#[async_trait::async_trait]
impl MigrationTrait for M0005People {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table("settings")
                .col(string_len("name", 64).primary_key())
                .col(text("value"))
                .col(ts("updated_at"))
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table("households")
                .col(big_pk_auto("id"))
                .col(big_integer("building_id"))
                .col(string_len("org_path", 400))
                .col(string_len("room", 40))
                .col(string_len("address", 200))
                .col(string_len("kind", 16))
                .col(big_integer_null("head_id"))
                .col(string_len("note", 400))
                .col(string_len("status", 16))
                .col(integer("version").default(1))
                .col(ts("created_at"))
                .col(ts("updated_at"))
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table("residents")
                .col(big_pk_auto("id"))
                .col(big_integer_null("household_id"))
                .col(string_len("org_path", 400))
                .col(string_len("name", 80))
                .col(string_len("initials", 80))
                .col(string_len("gender", 8))
                .col(string_len("birth_date", 10))
                .col(integer("ethnicity"))
                .col(text("id_sealed"))
                .col(big_integer("id_blind"))
                .col(big_integer("id_tail"))
                .col(text_null("phone_sealed"))
                .col(big_integer_null("phone_blind"))
                .col(big_integer_null("phone_tail"))
                .col(string_len("residence", 16))
                .col(string_len("political", 24))
                .col(string_len("relation", 16))
                .col(string_len("work_unit", 400))
                .col(string_len("note", 400))
                .col(string_len("status", 16))
                .col(integer("version").default(1))
                .col(ts("created_at"))
                .col(ts("updated_at"))
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table("tags")
                .col(big_pk_auto("id"))
                .col(string_len("name", 20).unique_key())
                .col(integer("sort_order").default(0))
                .col(string_len("status", 16))
                .col(ts("created_at"))
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table("resident_tags")
                .col(big_integer("resident_id"))
                .col(big_integer("tag_id"))
                .primary_key(Index::create().col("resident_id").col("tag_id"))
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table("resident_moves")
                .col(big_pk_auto("id"))
                .col(big_integer("resident_id"))
                .col(string_len("org_path", 400))
                .col(string_len("kind", 16))
                .col(big_integer_null("from_household"))
                .col(big_integer_null("to_household"))
                .col(string_len("from_address", 200))
                .col(string_len("to_address", 200))
                .col(string_len("on_date", 10))
                .col(string_len("reason", 400))
                .col(string_len("actor_name", 64))
                .col(ts("at"))
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table("household_docs")
                .col(big_pk_auto("id"))
                .col(big_integer("household_id"))
                .col(string_len("org_path", 400))
                .col(string_len("doc_type", 24))
                .col(string_len("title", 100))
                .col(string_len("file_id", 80))
                .col(string_len("mime", 64))
                .col(big_integer("size"))
                .col(string_len("actor_name", 64))
                .col(ts("at"))
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table("assessment_items")
                .col(big_pk_auto("id"))
                .col(big_integer("org_id"))
                .col(string_len("org_path", 400))
                .col(string_len("name", 60))
                .col(integer("max_score"))
                .col(integer("sort_order").default(0))
                .col(string_len("status", 16))
                .col(ts("created_at"))
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table("assessments")
                .col(big_pk_auto("id"))
                .col(big_integer("household_id"))
                .col(string_len("org_path", 400))
                .col(string_len("period", 16))
                .col(text("scores"))
                .col(integer("total"))
                .col(integer("max_total"))
                .col(string_len("assessor_name", 64))
                .col(string_len("assessed_on", 10))
                .col(string_len("note", 400))
                .col(ts("at"))
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table("visits")
                .col(big_pk_auto("id"))
                .col(big_integer("household_id"))
                .col(string_len("org_path", 400))
                .col(string_len("visited_on", 10))
                .col(big_integer_null("visitor_id"))
                .col(string_len("visitor_name", 64))
                .col(text("notes"))
                .col(text("needs"))
                .col(big_integer_null("case_id"))
                .col(ts("at"))
                .to_owned(),
        )
        .await?;
        for (table, name, cols, unique) in PEOPLE_INDEXES {
            index(m, table, name, cols, unique).await?;
        }
        ensure_search_indexes(m.get_connection()).await?;
        // A prefix search (`name LIKE '张%'`) uses a b-tree only under byte order: SQLite's
        // default with case-sensitive LIKE, PostgreSQL's `text_pattern_ops`.
        if m.get_database_backend() == sea_orm::DbBackend::Postgres {
            for sql in [
                "CREATE INDEX ix_residents_name_pat ON residents (name text_pattern_ops, org_path)",
                "CREATE INDEX ix_residents_initials_pat ON residents (initials text_pattern_ops, name, org_path)",
                "CREATE INDEX ix_residents_path_pat ON residents (org_path text_pattern_ops, initials, name)",
            ] {
                m.get_connection().execute_unprepared(sql).await?;
            }
        }
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for t in [
            "visits",
            "assessments",
            "assessment_items",
            "household_docs",
            "resident_moves",
            "resident_tags",
            "tags",
            "residents",
            "households",
            "settings",
        ] {
            m.drop_table(Table::drop().table(t).to_owned()).await?;
        }
        Ok(())
    }
}

/// Reporters' phones are sealed like the registry's (see `people::vault`): the column widens
/// to hold the sealed form, and a blind index finds a caller's earlier cases by their number.
/// Phones already stored in the clear are sealed at the next start, when the key is at hand
/// (the setting [`SEAL_CASE_PHONES`] marks that work as pending; `cases::service::seal_phones`).
struct M0006SealedPhones;

/// Set while reporters' phones written before m0006 wait to be sealed.
pub const SEAL_CASE_PHONES: &str = "cases.seal_phones";

impl MigrationName for M0006SealedPhones {
    fn name(&self) -> &str {
        "m0006_sealed_phones"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for M0006SealedPhones {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        let db = m.get_connection();
        if db.get_database_backend() == sea_orm::DbBackend::Postgres {
            db.execute_unprepared("ALTER TABLE cases ALTER COLUMN reporter_phone TYPE text")
                .await?;
        }
        m.alter_table(
            Table::alter()
                .table("cases")
                .add_column(big_integer_null("reporter_phone_blind"))
                .to_owned(),
        )
        .await?;
        index(
            m,
            "cases",
            "ix_cases_reporter_phone",
            &["reporter_phone_blind"],
            false,
        )
        .await?;
        let clear = db
            .query_one_raw(sea_orm::Statement::from_string(
                db.get_database_backend(),
                "SELECT 1 AS x FROM cases WHERE reporter_phone <> '' LIMIT 1",
            ))
            .await?;
        if clear.is_some() {
            db.execute_unprepared(&format!(
                "INSERT INTO settings (name, value, updated_at) VALUES ('{SEAL_CASE_PHONES}', 'pending', 0)"
            ))
            .await?;
        }
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_index(
            Index::drop()
                .name("ix_cases_reporter_phone")
                .table("cases")
                .to_owned(),
        )
        .await?;
        m.alter_table(
            Table::alter()
                .table("cases")
                .drop_column("reporter_phone_blind")
                .to_owned(),
        )
        .await
    }
}

/// On PostgreSQL, the columns searched by prefix (`LIKE '/1/4/%'` — every scope filter — and the
/// residents' name and initials) compare bytewise (`COLLATE "C"`), as SQLite's do: under any
/// other collation, C.UTF-8 included, PostgreSQL cannot use a b-tree index for a prefix match
/// and reads the whole table. Tables added later declare their path columns the same way (see
/// [`PREFIX_COLUMNS`]; a test checks every one). SQLite compares bytewise already.
struct M0007BytewisePaths;

/// The org path columns there were when m0007 was written (the slices declare theirs since:
/// see `Slice::holds`; a slice that adds one declares it `COLLATE "C"` in its own migration).
const M0007_PATH_COLUMNS: [(&str, &str); 13] = [
    ("departments", "org_path"),
    ("users", "org_path"),
    ("audit_log", "org_path"),
    ("cases", "org_path"),
    ("cases", "dispatch_path"),
    ("cases", "assignee_path"),
    ("households", "org_path"),
    ("residents", "org_path"),
    ("resident_moves", "org_path"),
    ("household_docs", "org_path"),
    ("assessment_items", "org_path"),
    ("assessments", "org_path"),
    ("visits", "org_path"),
];

/// The columns m0007 made bytewise: the org paths of its day, the tree's own path, and the
/// residents' name and initials.
fn m0007_columns() -> impl Iterator<Item = (&'static str, &'static str)> {
    M0007_PATH_COLUMNS.into_iter().chain(PREFIX_COLUMNS)
}

/// The prefix-matched columns that are not org paths of a row.
pub const PREFIX_COLUMNS: [(&str, &str); 3] = [
    ("org_nodes", "path"),
    ("residents", "name"),
    ("residents", "initials"),
];

impl MigrationName for M0007BytewisePaths {
    fn name(&self) -> &str {
        "m0007_bytewise_paths"
    }
}

async fn set_collation(m: &SchemaManager<'_>, collation: &str) -> Result<(), DbErr> {
    let db = m.get_connection();
    if db.get_database_backend() != sea_orm::DbBackend::Postgres {
        return Ok(());
    }
    for (table, column) in m0007_columns() {
        let row = db
            .query_one_raw(sea_orm::Statement::from_sql_and_values(
                sea_orm::DbBackend::Postgres,
                "SELECT format_type(a.atttypid, a.atttypmod) AS t FROM pg_attribute a \
                 WHERE a.attrelid = to_regclass($1) AND a.attname = $2",
                [table.into(), column.into()],
            ))
            .await?
            .ok_or_else(|| DbErr::Custom(format!("no column {table}.{column}")))?;
        let ty: String = row.try_get("", "t")?;
        db.execute_unprepared(&format!(
            "ALTER TABLE {table} ALTER COLUMN {column} TYPE {ty} COLLATE \"{collation}\""
        ))
        .await?;
    }
    Ok(())
}

#[async_trait::async_trait]
impl MigrationTrait for M0007BytewisePaths {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        set_collation(m, "C").await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        set_collation(m, "default").await
    }
}

/// The residents' name, initials and place indexes end with the status, so that a search (which
/// asks for residents in the register by default) is counted from the index alone.
struct M0008ResidentIndexStatus;

impl MigrationName for M0008ResidentIndexStatus {
    fn name(&self) -> &str {
        "m0008_resident_index_status"
    }
}

async fn drop_indexes(db: &impl ConnectionTrait, names: &[&str]) -> Result<(), DbErr> {
    for name in names {
        db.execute_unprepared(&format!("DROP INDEX IF EXISTS {name}"))
            .await?;
    }
    Ok(())
}

/// Puts index `new` (name, columns; not unique) in place of index `old` of `table`. The two
/// names differ: on SQLite a pooled connection that has not seen `old` dropped refuses to
/// create an index of the same name.
async fn replace_index(
    m: &SchemaManager<'_>,
    table: &'static str,
    old: &str,
    new: (&'static str, &[&'static str]),
) -> Result<(), DbErr> {
    index(m, table, new.0, new.1, false).await?;
    drop_indexes(m.get_connection(), &[old]).await
}

#[async_trait::async_trait]
impl MigrationTrait for M0008ResidentIndexStatus {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        let db = m.get_connection();
        drop_indexes(db, &BEFORE_M0008.map(|x| x.0)).await?;
        ensure_search_indexes(db).await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        let db = m.get_connection();
        drop_indexes(db, &BEFORE_M0008.map(|x| x.0)).await?;
        resident_indexes(db, &BEFORE_M0008).await
    }
}

async fn index(
    m: &SchemaManager<'_>,
    table: &'static str,
    name: &'static str,
    cols: &[&'static str],
    unique: bool,
) -> Result<(), DbErr> {
    let mut stmt = Index::create();
    stmt.name(name).table(table);
    for c in cols {
        stmt.col(*c);
    }
    if unique {
        stmt.unique();
    }
    m.create_index(stmt.to_owned()).await
}

/// Trust: who uploaded which stored file (a file is attached only by whoever uploaded it), and
/// service accounts (for machines: tokens, no password).
struct M0009Trust;

impl MigrationName for M0009Trust {
    fn name(&self) -> &str {
        "m0009_trust"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for M0009Trust {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table("uploads")
                .col(big_pk_auto("id"))
                .col(string_len("sha256", 64))
                .col(big_integer("user_id"))
                .col(ts("created_at"))
                .to_owned(),
        )
        .await?;
        index(
            m,
            "uploads",
            "ux_uploads_user_sha",
            &["user_id", "sha256"],
            true,
        )
        .await?;
        m.alter_table(
            Table::alter()
                .table("users")
                .add_column(boolean("service").default(false))
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(
            Table::alter()
                .table("users")
                .drop_column("service")
                .to_owned(),
        )
        .await?;
        m.drop_table(Table::drop().table("uploads").to_owned())
            .await
    }
}

/// The rules of the form "at most one …" held by the database itself, not by a read before the
/// write (two writers at the same moment both pass a read): one head per household, one
/// active assessment item of a name per community, one root of the tree. Named in
/// [`crate::infra::error`] so that the loser of a race is told in Chinese what rule it met.
struct M0010Invariants;

impl MigrationName for M0010Invariants {
    fn name(&self) -> &str {
        "m0010_invariants"
    }
}

/// (name, the statement that makes it) of m0010's indexes: partial and expression indexes,
/// written once, the same on SQLite and PostgreSQL.
pub const INVARIANT_INDEXES: [(&str, &str); 3] = [
    (
        "ux_residents_one_head",
        "CREATE UNIQUE INDEX ux_residents_one_head ON residents (household_id) \
         WHERE relation = 'head' AND status = 'active'",
    ),
    (
        "ux_assessment_items_name",
        "CREATE UNIQUE INDEX ux_assessment_items_name ON assessment_items (org_id, name) \
         WHERE status = 'active'",
    ),
    (
        "ux_org_nodes_one_root",
        "CREATE UNIQUE INDEX ux_org_nodes_one_root ON org_nodes ((parent_id IS NULL)) \
         WHERE parent_id IS NULL",
    ),
];

#[async_trait::async_trait]
impl MigrationTrait for M0010Invariants {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        let db = m.get_connection();
        for (_, sql) in INVARIANT_INDEXES {
            db.execute_unprepared(sql).await?;
        }
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        drop_indexes(m.get_connection(), &INVARIANT_INDEXES.map(|x| x.0)).await
    }
}

/// Party organizations laid over the org tree (the party slice): each attached to an org node,
/// held by its path (`COLLATE "C"` on PostgreSQL, as every path column) and by the node's id.
/// At most one active organization of a name at a node: a partial unique index.
struct M0011Party;

impl MigrationName for M0011Party {
    fn name(&self) -> &str {
        "m0011_party"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for M0011Party {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        let mut path = string("org_path");
        if m.get_database_backend() == sea_orm::DbBackend::Postgres {
            path.extra("COLLATE \"C\"");
        }
        m.create_table(
            Table::create()
                .table("party_orgs")
                .col(big_pk_auto("id"))
                .col(big_integer_null("parent_id"))
                .col(big_integer("org_node_id"))
                .col(path)
                .col(string_len("name", 60))
                .col(string_len("kind", 20))
                .col(string_len_null("category", 20))
                .col(string_len("secretary", 40).default(""))
                .col(string_len_null("founded_on", 10))
                .col(string_len_null("elected_on", 10))
                .col(string_len("note", 500).default(""))
                .col(string_len("status", 20).default("active"))
                .col(integer("version").default(1))
                .col(ts("created_at"))
                .col(ts("updated_at"))
                .to_owned(),
        )
        .await?;
        index(m, "party_orgs", "ix_party_orgs_path", &["org_path"], false).await?;
        index(
            m,
            "party_orgs",
            "ix_party_orgs_parent",
            &["parent_id"],
            false,
        )
        .await?;
        index(
            m,
            "party_orgs",
            "ix_party_orgs_node",
            &["org_node_id"],
            false,
        )
        .await?;
        m.get_connection()
            .execute_unprepared(PARTY_ORG_NAME_INDEX)
            .await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table("party_orgs").to_owned())
            .await
    }
}

/// One active party organization of a name at a node.
const PARTY_ORG_NAME_INDEX: &str = "CREATE UNIQUE INDEX ux_party_orgs_name ON party_orgs \
     (org_node_id, name) WHERE status = 'active'";

/// The case engine of kinds: a category names its kind of work; a case may be taken by one
/// person (an errand's taker); and the suggestions intake made are typed columns (the
/// category it chose with its method, score and the words that led to it; the route it
/// proposed with its reason, whole) instead of JSON text cut at 400 characters.
struct M0012CaseKinds;

impl MigrationName for M0012CaseKinds {
    fn name(&self) -> &str {
        "m0012_case_kinds"
    }
}

/// The columns m0012 adds to `cases`.
fn m0012_case_columns() -> Vec<ColumnDef> {
    vec![
        big_integer_null("assignee_user_id"),
        string_len_null("suggested_category", 20),
        string_len_null("suggested_method", 20),
        double_null("suggested_score"),
        string_len("suggested_words", 400).default("").to_owned(),
        big_integer_null("route_org_id"),
        big_integer_null("route_dept_id"),
        text("route_reason").default("").to_owned(),
    ]
}

#[async_trait::async_trait]
impl MigrationTrait for M0012CaseKinds {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(
            Table::alter()
                .table("categories")
                .add_column(string_len("kind", 20).default("appeal"))
                .to_owned(),
        )
        .await?;
        for mut col in m0012_case_columns() {
            m.alter_table(
                Table::alter()
                    .table("cases")
                    .add_column(&mut col)
                    .to_owned(),
            )
            .await?;
        }
        index(
            m,
            "cases",
            "ix_cases_assignee_user",
            &["assignee_user_id"],
            false,
        )
        .await?;
        // The route suggestion, from the JSON it was kept in.
        let db = m.get_connection();
        let backend = db.get_database_backend();
        let rows = db
            .query_all_raw(sea_orm::Statement::from_string(
                backend,
                "SELECT id, suggestion FROM cases",
            ))
            .await?;
        for row in rows {
            let id: i64 = row.try_get("", "id")?;
            let text: String = row.try_get("", "suggestion")?;
            let v: serde_json::Value = serde_json::from_str(&text).unwrap_or_default();
            let target = &v["target"];
            let sql = match backend {
                sea_orm::DbBackend::Postgres => {
                    "UPDATE cases SET route_org_id = $1, route_dept_id = $2, route_reason = $3 \
                     WHERE id = $4"
                }
                _ => {
                    "UPDATE cases SET route_org_id = ?, route_dept_id = ?, route_reason = ? \
                      WHERE id = ?"
                }
            };
            db.execute_raw(sea_orm::Statement::from_sql_and_values(
                backend,
                sql,
                [
                    target["org_id"].as_i64().into(),
                    target["department_id"].as_i64().into(),
                    v["reason"].as_str().unwrap_or_default().into(),
                    id.into(),
                ],
            ))
            .await?;
        }
        m.alter_table(
            Table::alter()
                .table("cases")
                .drop_column("suggestion")
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(
            Table::alter()
                .table("cases")
                .add_column(text("suggestion").default(""))
                .to_owned(),
        )
        .await?;
        m.drop_index(
            Index::drop()
                .name("ix_cases_assignee_user")
                .table("cases")
                .to_owned(),
        )
        .await?;
        for col in m0012_case_columns() {
            let name = col.get_column_name();
            m.alter_table(Table::alter().table("cases").drop_column(name).to_owned())
                .await?;
        }
        m.alter_table(
            Table::alter()
                .table("categories")
                .drop_column("kind")
                .to_owned(),
        )
        .await
    }
}

/// The case loop's figures count the appeal flow's kinds (`kind IN (…)`): each figures index
/// carries the kind too, so that the figures are still read from the indexes alone.
struct M0013FigureKinds;

impl MigrationName for M0013FigureKinds {
    fn name(&self) -> &str {
        "m0013_figure_kinds"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for M0013FigureKinds {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        // New names, made before the old are dropped: a pooled SQLite connection may still see
        // the schema from before a drop, and a reused name would then "already exist".
        let db = m.get_connection();
        for (name, cols) in FIGURE_INDEXES {
            db.execute_unprepared(&format!(
                "CREATE INDEX IF NOT EXISTS {name}_kind ON cases ({}, kind)",
                cols.join(", ")
            ))
            .await?;
        }
        drop_indexes(db, &FIGURE_INDEXES.map(|x| x.0)).await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        let db = m.get_connection();
        for (name, cols) in FIGURE_INDEXES {
            db.execute_unprepared(&format!(
                "CREATE INDEX IF NOT EXISTS {name} ON cases ({})",
                cols.join(", ")
            ))
            .await?;
        }
        drop_indexes(
            db,
            &FIGURE_INDEXES
                .map(|x| format!("{}_kind", x.0))
                .each_ref()
                .map(String::as_str),
        )
        .await
    }
}

/// The party's members (each a resident of the registry), their history on the pipeline and
/// between branches, the households they (and grid workers) look after, and the meetings of
/// 三会一课 with attendance, resolutions and votes. The rules "at most one" are indexes: one
/// active membership per resident and per account, one secretary per branch, one active link
/// of a kind between a household and a holder, one attendance line per member per meeting,
/// one vote per member per resolution.
struct M0014PartyMembers;

impl MigrationName for M0014PartyMembers {
    fn name(&self) -> &str {
        "m0014_party_members"
    }
}

/// The path column of a party table (bytewise on PostgreSQL).
fn party_path(m: &SchemaManager) -> ColumnDef {
    let mut path = string("org_path");
    if m.get_database_backend() == sea_orm::DbBackend::Postgres {
        path.extra("COLLATE \"C\"");
    }
    path
}

const PARTY_MEMBER_INDEXES: [&str; 6] = [
    "CREATE UNIQUE INDEX ux_party_members_resident ON party_members (resident_id) \
     WHERE status = 'active'",
    "CREATE UNIQUE INDEX ux_party_members_user ON party_members (user_id) \
     WHERE status = 'active' AND user_id IS NOT NULL",
    "CREATE UNIQUE INDEX ux_party_members_secretary ON party_members (party_org_id) \
     WHERE status = 'active' AND post = 'secretary'",
    "CREATE UNIQUE INDEX ux_party_links_active ON party_links (kind, household_id, holder_id) \
     WHERE status = 'active'",
    "CREATE UNIQUE INDEX ux_party_attendance ON party_attendance (meeting_id, member_id)",
    "CREATE UNIQUE INDEX ux_party_votes ON party_votes (resolution_id, member_id)",
];

#[async_trait::async_trait]
impl MigrationTrait for M0014PartyMembers {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table("party_members")
                .col(big_pk_auto("id"))
                .col(big_integer("resident_id"))
                .col(big_integer_null("user_id"))
                .col(big_integer("party_org_id"))
                .col(big_integer_null("group_id"))
                .col(party_path(m))
                .col(string_len("stage", 16))
                .col(string_len("since", 10))
                .col(string_len("applied_on", 10))
                .col(string_len_null("joined_on", 10))
                .col(string_len_null("full_on", 10))
                .col(integer("extended_months").default(0))
                .col(string_len("introducers", 80).default(""))
                .col(string_len_null("post", 20))
                .col(string_len("standing", 16).default("normal"))
                .col(string_len_null("lost_on", 10))
                .col(string_len("lost_note", 200).default(""))
                .col(string_len("flow_out", 100).default(""))
                .col(string_len("flow_in_org", 100).default(""))
                .col(string_len("abroad", 100).default(""))
                .col(string_len("work_unit", 100).default(""))
                .col(string_len("education", 20).default(""))
                .col(boolean("migrant_worker").default(false))
                .col(string_len("status", 20).default("active"))
                .col(integer("version").default(1))
                .col(ts("created_at"))
                .col(ts("updated_at"))
                .to_owned(),
        )
        .await?;
        index(
            m,
            "party_members",
            "ix_party_members_path",
            &["org_path"],
            false,
        )
        .await?;
        index(
            m,
            "party_members",
            "ix_party_members_org",
            &["party_org_id", "status"],
            false,
        )
        .await?;
        m.create_table(
            Table::create()
                .table("party_member_steps")
                .col(big_pk_auto("id"))
                .col(big_integer("member_id"))
                .col(party_path(m))
                .col(string_len("kind", 20))
                .col(string_len("from_value", 100).default(""))
                .col(string_len("to_value", 100).default(""))
                .col(string_len("on_date", 10))
                .col(string_len("approved_by", 60).default(""))
                .col(string_len("reason", 500).default(""))
                .col(string_len("letter_no", 40).default(""))
                .col(string_len("actor_name", 60))
                .col(ts("at"))
                .to_owned(),
        )
        .await?;
        index(
            m,
            "party_member_steps",
            "ix_party_member_steps_member",
            &["member_id"],
            false,
        )
        .await?;
        index(
            m,
            "party_member_steps",
            "ix_party_member_steps_path",
            &["org_path"],
            false,
        )
        .await?;
        m.create_table(
            Table::create()
                .table("party_links")
                .col(big_pk_auto("id"))
                .col(string_len("kind", 16))
                .col(big_integer("household_id"))
                .col(big_integer("holder_id"))
                .col(party_path(m))
                .col(string_len("status", 16).default("active"))
                .col(string_len("actor_name", 60))
                .col(ts("created_at"))
                .col(big_integer_null("ended_at"))
                .to_owned(),
        )
        .await?;
        index(
            m,
            "party_links",
            "ix_party_links_path",
            &["org_path"],
            false,
        )
        .await?;
        index(
            m,
            "party_links",
            "ix_party_links_holder",
            &["kind", "holder_id"],
            false,
        )
        .await?;
        m.create_table(
            Table::create()
                .table("party_meetings")
                .col(big_pk_auto("id"))
                .col(big_integer("party_org_id"))
                .col(party_path(m))
                .col(string_len("kind", 20))
                .col(string_len("held_on", 10))
                .col(string_len("place", 100).default(""))
                .col(string_len("topic", 200))
                .col(string_len("chair", 40).default(""))
                .col(string_len("recorder", 40).default(""))
                .col(text("minutes"))
                .col(integer("entitled").default(0))
                .col(integer("present").default(0))
                .col(string_len("actor_name", 60))
                .col(ts("created_at"))
                .to_owned(),
        )
        .await?;
        index(
            m,
            "party_meetings",
            "ix_party_meetings_org",
            &["party_org_id", "held_on"],
            false,
        )
        .await?;
        index(
            m,
            "party_meetings",
            "ix_party_meetings_path",
            &["org_path", "held_on"],
            false,
        )
        .await?;
        m.create_table(
            Table::create()
                .table("party_attendance")
                .col(big_pk_auto("id"))
                .col(big_integer("meeting_id"))
                .col(big_integer_null("member_id"))
                .col(string_len("guest_name", 40).default(""))
                .col(string_len("presence", 16))
                .col(boolean("guest").default(false))
                .col(boolean("votes").default(false))
                .col(string_len("excluded", 200).default(""))
                .col(string_len("excluded_by", 60).default(""))
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table("party_resolutions")
                .col(big_pk_auto("id"))
                .col(big_integer("meeting_id"))
                .col(string_len("title", 200))
                .col(integer("yes"))
                .col(integer("no"))
                .col(integer("abstain"))
                .col(integer("entitled"))
                .col(integer("present"))
                .col(string_len("result", 16))
                .to_owned(),
        )
        .await?;
        index(
            m,
            "party_resolutions",
            "ix_party_resolutions_meeting",
            &["meeting_id"],
            false,
        )
        .await?;
        m.create_table(
            Table::create()
                .table("party_votes")
                .col(big_pk_auto("id"))
                .col(big_integer("resolution_id"))
                .col(big_integer("member_id"))
                .col(string_len("choice", 10))
                .to_owned(),
        )
        .await?;
        let db = m.get_connection();
        for sql in PARTY_MEMBER_INDEXES {
            db.execute_unprepared(sql).await?;
        }
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for t in [
            "party_votes",
            "party_resolutions",
            "party_attendance",
            "party_meetings",
            "party_links",
            "party_member_steps",
            "party_members",
        ] {
            m.drop_table(Table::drop().table(t).to_owned()).await?;
        }
        Ok(())
    }
}

/// 党员中心户: a member's home announced, filed and plaqued. One active per member: a partial
/// unique index.
struct M0015PartyCenters;

impl MigrationName for M0015PartyCenters {
    fn name(&self) -> &str {
        "m0015_party_centers"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for M0015PartyCenters {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table("party_centers")
                .col(big_pk_auto("id"))
                .col(big_integer("member_id"))
                .col(big_integer("household_id"))
                .col(party_path(m))
                .col(string_len("stage", 16))
                .col(string_len("since", 10))
                .col(string_len("nominated_on", 10))
                .col(string_len_null("announced_until", 10))
                .col(string_len_null("filed_on", 10))
                .col(string_len_null("plaqued_on", 10))
                .col(string_len("note", 200).default(""))
                .col(integer("version").default(1))
                .col(ts("created_at"))
                .col(ts("updated_at"))
                .to_owned(),
        )
        .await?;
        index(
            m,
            "party_centers",
            "ix_party_centers_path",
            &["org_path"],
            false,
        )
        .await?;
        m.get_connection()
            .execute_unprepared(
                "CREATE UNIQUE INDEX ux_party_centers_member ON party_centers (member_id) \
                 WHERE stage <> 'revoked'",
            )
            .await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table("party_centers").to_owned())
            .await
    }
}

/// The files of a meeting: its notice, sign-in sheet, minutes and photos.
struct M0016PartyMeetingFiles;

impl MigrationName for M0016PartyMeetingFiles {
    fn name(&self) -> &str {
        "m0016_party_meeting_files"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for M0016PartyMeetingFiles {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table("party_meeting_files")
                .col(big_pk_auto("id"))
                .col(big_integer("meeting_id"))
                .col(party_path(m))
                .col(string_len("doc_type", 16))
                .col(string_len("title", 50))
                .col(string_len("file_id", 80))
                .col(string_len("mime", 40))
                .col(big_integer("size"))
                .col(string_len("actor_name", 60))
                .col(ts("at"))
                .to_owned(),
        )
        .await?;
        index(
            m,
            "party_meeting_files",
            "ix_party_meeting_files_meeting",
            &["meeting_id"],
            false,
        )
        .await?;
        index(
            m,
            "party_meeting_files",
            "ix_party_meeting_files_path",
            &["org_path"],
            false,
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table("party_meeting_files").to_owned())
            .await
    }
}

/// The party's shape over time: elections with their results (换届选举, 补选), the units a
/// 联合支部 joins (one active unit of a name per branch: a partial unique index), and the
/// reorganizations — merges, splits, moves under another parent — that keep history.
struct M0017PartyShape;

impl MigrationName for M0017PartyShape {
    fn name(&self) -> &str {
        "m0017_party_shape"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for M0017PartyShape {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table("party_elections")
                .col(big_pk_auto("id"))
                .col(big_integer("party_org_id"))
                .col(party_path(m))
                .col(string_len("kind", 16))
                .col(string_len("held_on", 10))
                .col(integer("entitled"))
                .col(integer("present"))
                .col(integer("seats"))
                .col(integer("candidates"))
                .col(string_len("approval_no", 40).default(""))
                .col(string_len("note", 500).default(""))
                .col(string_len("actor_name", 60))
                .col(ts("created_at"))
                .to_owned(),
        )
        .await?;
        index(
            m,
            "party_elections",
            "ix_party_elections_org",
            &["party_org_id"],
            false,
        )
        .await?;
        index(
            m,
            "party_elections",
            "ix_party_elections_path",
            &["org_path"],
            false,
        )
        .await?;
        m.create_table(
            Table::create()
                .table("party_election_results")
                .col(big_pk_auto("id"))
                .col(big_integer("election_id"))
                .col(big_integer("member_id"))
                .col(party_path(m))
                .col(string_len("post", 20))
                .col(integer("votes"))
                .to_owned(),
        )
        .await?;
        index(
            m,
            "party_election_results",
            "ix_party_election_results_election",
            &["election_id"],
            false,
        )
        .await?;
        index(
            m,
            "party_election_results",
            "ix_party_election_results_path",
            &["org_path"],
            false,
        )
        .await?;
        m.create_table(
            Table::create()
                .table("party_org_units")
                .col(big_pk_auto("id"))
                .col(big_integer("party_org_id"))
                .col(party_path(m))
                .col(string_len("name", 60))
                .col(string_len("kind", 20))
                .col(string_len("contact", 40).default(""))
                .col(string_len("joined_on", 10))
                .col(string_len_null("left_on", 10))
                .col(string_len("status", 16).default("active"))
                .col(string_len("actor_name", 60))
                .col(ts("created_at"))
                .to_owned(),
        )
        .await?;
        index(
            m,
            "party_org_units",
            "ix_party_org_units_org",
            &["party_org_id"],
            false,
        )
        .await?;
        index(
            m,
            "party_org_units",
            "ix_party_org_units_path",
            &["org_path"],
            false,
        )
        .await?;
        m.get_connection()
            .execute_unprepared(
                "CREATE UNIQUE INDEX ux_party_org_units_name ON party_org_units \
                 (party_org_id, name) WHERE status = 'active'",
            )
            .await?;
        m.create_table(
            Table::create()
                .table("party_org_changes")
                .col(big_pk_auto("id"))
                .col(string_len("kind", 16))
                .col(big_integer("from_org_id"))
                .col(big_integer_null("to_org_id"))
                .col(party_path(m))
                .col(string_len("from_name", 60))
                .col(string_len("to_name", 60).default(""))
                .col(string_len("on_date", 10))
                .col(integer("members_moved").default(0))
                .col(string_len("approval_no", 40).default(""))
                .col(string_len("note", 500).default(""))
                .col(string_len("actor_name", 60))
                .col(ts("at"))
                .to_owned(),
        )
        .await?;
        for (name, col) in [
            ("ix_party_org_changes_from", "from_org_id"),
            ("ix_party_org_changes_to", "to_org_id"),
            ("ix_party_org_changes_path", "org_path"),
        ] {
            index(m, "party_org_changes", name, &[col], false).await?;
        }
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for t in [
            "party_org_changes",
            "party_org_units",
            "party_election_results",
            "party_elections",
        ] {
            m.drop_table(Table::drop().table(t).to_owned()).await?;
        }
        Ok(())
    }
}

/// 承诺践诺: a member's pledges for a year, their report and the branch's review.
struct M0018PartyPledges;

impl MigrationName for M0018PartyPledges {
    fn name(&self) -> &str {
        "m0018_party_pledges"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for M0018PartyPledges {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table("party_pledges")
                .col(big_pk_auto("id"))
                .col(big_integer("member_id"))
                .col(big_integer("party_org_id"))
                .col(party_path(m))
                .col(integer("year"))
                .col(string_len("content", 500))
                .col(string_len("made_on", 10))
                .col(string_len("report", 1000).default(""))
                .col(string_len_null("reported_on", 10))
                .col(string_len_null("verdict", 16))
                .col(string_len("review_note", 1000).default(""))
                .col(string_len("reviewed_by", 60).default(""))
                .col(string_len_null("reviewed_on", 10))
                .col(string_len("status", 16).default("active"))
                .col(integer("version").default(1))
                .col(ts("created_at"))
                .to_owned(),
        )
        .await?;
        for (name, cols) in [
            ("ix_party_pledges_member", &["member_id", "year"][..]),
            ("ix_party_pledges_path", &["org_path", "year"][..]),
        ] {
            index(m, "party_pledges", name, cols, false).await?;
        }
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table("party_pledges").to_owned())
            .await
    }
}

/// 微心愿 and campaigns: the campaigns (专项行动) with the grids taking part, the wishes, and
/// their claims. One active claim per share and one per claimant of a wish: partial unique
/// indexes, so two people claiming the last share at once cannot both win.
struct M0019PartyWishes;

impl MigrationName for M0019PartyWishes {
    fn name(&self) -> &str {
        "m0019_party_wishes"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for M0019PartyWishes {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table("party_campaigns")
                .col(big_pk_auto("id"))
                .col(big_integer("org_node_id"))
                .col(party_path(m))
                .col(string_len("name", 60))
                .col(string_len("starts_on", 10))
                .col(string_len("ends_on", 10))
                .col(integer("target"))
                .col(string_len("note", 500).default(""))
                .col(string_len("summary", 1000).default(""))
                .col(big_integer_null("summarized_at"))
                .col(string_len("status", 16).default("active"))
                .col(string_len("actor_name", 60))
                .col(integer("version").default(1))
                .col(ts("created_at"))
                .to_owned(),
        )
        .await?;
        index(
            m,
            "party_campaigns",
            "ix_party_campaigns_path",
            &["org_path"],
            false,
        )
        .await?;
        m.create_table(
            Table::create()
                .table("party_campaign_grids")
                .col(big_pk_auto("id"))
                .col(big_integer("campaign_id"))
                .col(big_integer("grid_id"))
                .col(party_path(m))
                .to_owned(),
        )
        .await?;
        index(
            m,
            "party_campaign_grids",
            "ux_party_campaign_grids",
            &["campaign_id", "grid_id"],
            true,
        )
        .await?;
        m.create_table(
            Table::create()
                .table("party_wishes")
                .col(big_pk_auto("id"))
                .col(big_integer_null("campaign_id"))
                .col(big_integer_null("grid_id"))
                .col(party_path(m))
                .col(big_integer("resident_id"))
                .col(big_integer_null("household_id"))
                .col(string_len("title", 100))
                .col(string_len("reason", 500).default(""))
                .col(string_len("value_band", 16))
                .col(string_len("photo_id", 80).default(""))
                .col(integer("shares").default(1))
                .col(string_len("status", 16))
                .col(big_integer_null("recorded_by_id"))
                .col(string_len("recorded_by", 60))
                .col(big_integer_null("beneficiary_user_id"))
                .col(string_len("reviewed_by", 60).default(""))
                .col(string_len("review_note", 500).default(""))
                .col(big_integer_null("published_at"))
                .col(big_integer_null("returned_at"))
                .col(big_integer_null("fulfilled_at"))
                .col(string_len("fulfil_note", 1000).default(""))
                .col(string_len("fulfil_photo", 80).default(""))
                .col(string_len("confirmed_by", 60).default(""))
                .col(string_len("confirmed_as", 16).default(""))
                .col(integer("version").default(1))
                .col(ts("created_at"))
                .to_owned(),
        )
        .await?;
        for (name, cols) in [
            ("ix_party_wishes_path", &["org_path", "status"][..]),
            ("ix_party_wishes_campaign", &["campaign_id"][..]),
            ("ix_party_wishes_status", &["status", "published_at"][..]),
        ] {
            index(m, "party_wishes", name, cols, false).await?;
        }
        m.create_table(
            Table::create()
                .table("party_wish_claims")
                .col(big_pk_auto("id"))
                .col(big_integer("wish_id"))
                .col(party_path(m))
                .col(integer("share_no"))
                .col(string_len("claimant_kind", 16))
                .col(string_len("claimant_key", 40))
                .col(string_len("claimant_name", 100))
                .col(big_integer_null("user_id"))
                .col(big_integer_null("member_id"))
                .col(big_integer_null("party_org_id"))
                .col(string_len("state", 16))
                .col(ts("claimed_at"))
                .col(ts("contact_due"))
                .col(big_integer_null("contacted_at"))
                .col(string_len("contact_note", 500).default(""))
                .col(big_integer_null("reminded_at"))
                .col(big_integer_null("ended_at"))
                .col(string_len("end_reason", 500).default(""))
                .col(string_len("actor_name", 60))
                .to_owned(),
        )
        .await?;
        for (name, cols) in [
            ("ix_party_wish_claims_wish", &["wish_id"][..]),
            ("ix_party_wish_claims_user", &["user_id"][..]),
            ("ix_party_wish_claims_state", &["state", "contact_due"][..]),
        ] {
            index(m, "party_wish_claims", name, cols, false).await?;
        }
        for stmt in [
            "CREATE UNIQUE INDEX ux_party_wish_claims_share ON party_wish_claims \
             (wish_id, share_no) WHERE state = 'active'",
            "CREATE UNIQUE INDEX ux_party_wish_claims_claimant ON party_wish_claims \
             (wish_id, claimant_key) WHERE state = 'active'",
        ] {
            m.get_connection().execute_unprepared(stmt).await?;
        }
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for t in [
            "party_wish_claims",
            "party_wishes",
            "party_campaign_grids",
            "party_campaigns",
        ] {
            m.drop_table(Table::drop().table(t).to_owned()).await?;
        }
        Ok(())
    }
}

/// A member's skills (特长), which a community searches when it needs help.
struct M0020MemberSkills;

impl MigrationName for M0020MemberSkills {
    fn name(&self) -> &str {
        "m0020_member_skills"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for M0020MemberSkills {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(
            Table::alter()
                .table("party_members")
                .add_column(string_len("skills", 200).default(""))
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(
            Table::alter()
                .table("party_members")
                .drop_column("skills")
                .to_owned(),
        )
        .await
    }
}

/// 党员先锋岗 and 党员责任区: a member's post of responsibility attached to a place. One active
/// post of a name at a place: a partial unique index.
struct M0021PartyPosts;

impl MigrationName for M0021PartyPosts {
    fn name(&self) -> &str {
        "m0021_party_posts"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for M0021PartyPosts {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table("party_posts")
                .col(big_pk_auto("id"))
                .col(big_integer("member_id"))
                .col(big_integer("party_org_id"))
                .col(big_integer("place_id"))
                .col(party_path(m))
                .col(string_len("kind", 16))
                .col(string_len("title", 40))
                .col(string_len("duty", 300).default(""))
                .col(string_len("since", 10))
                .col(string_len_null("until", 10))
                .col(string_len("status", 16).default("active"))
                .col(string_len("actor_name", 60))
                .col(ts("created_at"))
                .to_owned(),
        )
        .await?;
        index(
            m,
            "party_posts",
            "ix_party_posts_path",
            &["org_path"],
            false,
        )
        .await?;
        index(
            m,
            "party_posts",
            "ix_party_posts_member",
            &["member_id"],
            false,
        )
        .await?;
        m.get_connection()
            .execute_unprepared(
                "CREATE UNIQUE INDEX ux_party_posts_place ON party_posts \
                 (place_id, title) WHERE status = 'active'",
            )
            .await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table("party_posts").to_owned())
            .await
    }
}

/// 双报到 and 吹哨报到: the units that serve an area under an agreement, in-service members
/// registered with the community where they live, the community's service needs and members'
/// sign-ups with their confirmed hours, and the whistles with one call per summoned unit or
/// department. One active unit of a name per node, one active registration per resident, one
/// live sign-up per member and need, one call per callee of a whistle: unique indexes.
struct M0022PartyServe;

impl MigrationName for M0022PartyServe {
    fn name(&self) -> &str {
        "m0022_party_serve"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for M0022PartyServe {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table("party_units")
                .col(big_pk_auto("id"))
                .col(big_integer("org_node_id"))
                .col(party_path(m))
                .col(string_len("name", 60))
                .col(string_len("kind", 16))
                .col(string_len("party_org_name", 60).default(""))
                .col(string_len("address", 120).default(""))
                .col(string_len("contact_name", 30).default(""))
                .col(string_len("contact_phone", 200).default(""))
                .col(string_len("signed_on", 10))
                .col(string_len_null("until", 10))
                .col(string_len("needs", 2500).default(""))
                .col(string_len("resources", 2500).default(""))
                .col(string_len("projects", 2500).default(""))
                .col(string_len("status", 16).default("active"))
                .col(string_len_null("left_on", 10))
                .col(string_len("left_reason", 300).default(""))
                .col(string_len("actor_name", 60))
                .col(integer("version").default(1))
                .col(ts("created_at"))
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table("party_registrations")
                .col(big_pk_auto("id"))
                .col(big_integer("resident_id"))
                .col(big_integer_null("member_id"))
                .col(big_integer_null("user_id"))
                .col(big_integer("community_id"))
                .col(party_path(m))
                .col(string_len("work_unit", 60))
                .col(big_integer_null("unit_id"))
                .col(string_len("home_branch", 60).default(""))
                .col(string_len("registered_on", 10))
                .col(string_len("status", 16).default("active"))
                .col(string_len_null("ended_on", 10))
                .col(string_len("actor_name", 60))
                .col(ts("created_at"))
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table("party_needs")
                .col(big_pk_auto("id"))
                .col(big_integer("org_node_id"))
                .col(party_path(m))
                .col(string_len("title", 60))
                .col(string_len("detail", 500).default(""))
                .col(string_len("on_date", 10))
                .col(string_len("place", 60).default(""))
                .col(integer("places").default(0))
                .col(string_len("status", 16).default("open"))
                .col(string_len("actor_name", 60))
                .col(integer("version").default(1))
                .col(ts("created_at"))
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table("party_signups")
                .col(big_pk_auto("id"))
                .col(big_integer("need_id"))
                .col(big_integer("registration_id"))
                .col(party_path(m))
                .col(string_len("state", 16))
                .col(integer("hours_tenths").default(0))
                .col(string_len("note", 300).default(""))
                .col(big_integer_null("served_at"))
                .col(string_len("confirmed_by", 60).default(""))
                .col(big_integer_null("confirmed_at"))
                .col(ts("created_at"))
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table("party_whistles")
                .col(big_pk_auto("id"))
                .col(big_integer("org_node_id"))
                .col(party_path(m))
                .col(string_len("title", 60))
                .col(string_len("problem", 1000))
                .col(string_len("place", 120).default(""))
                .col(big_integer_null("case_id"))
                .col(ts("blown_at"))
                .col(string_len("status", 16).default("open"))
                .col(big_integer_null("closed_at"))
                .col(string_len("summary", 1000).default(""))
                .col(string_len("actor_name", 60))
                .col(integer("version").default(1))
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table("party_whistle_calls")
                .col(big_pk_auto("id"))
                .col(big_integer("whistle_id"))
                .col(party_path(m))
                .col(big_integer_null("unit_id"))
                .col(big_integer_null("department_id"))
                .col(string_len("callee_key", 24))
                .col(string_len("callee_name", 60))
                .col(integer("limit_hours"))
                .col(ts("due_at"))
                .col(big_integer_null("arrived_at"))
                .col(big_integer_null("answered_at"))
                .col(string_len("answer", 1000).default(""))
                .col(string_len("answered_by", 60).default(""))
                .to_owned(),
        )
        .await?;
        for (table, name, cols) in [
            ("party_units", "ix_party_units_path", &["org_path"][..]),
            (
                "party_registrations",
                "ix_party_registrations_path",
                &["org_path"][..],
            ),
            (
                "party_registrations",
                "ix_party_registrations_community",
                &["community_id"][..],
            ),
            ("party_needs", "ix_party_needs_path", &["org_path"][..]),
            (
                "party_signups",
                "ix_party_signups_registration",
                &["registration_id"][..],
            ),
            ("party_signups", "ix_party_signups_need", &["need_id"][..]),
            (
                "party_whistles",
                "ix_party_whistles_path",
                &["org_path"][..],
            ),
            (
                "party_whistle_calls",
                "ix_party_whistle_calls_unit",
                &["unit_id"][..],
            ),
            (
                "party_whistle_calls",
                "ix_party_whistle_calls_department",
                &["department_id"][..],
            ),
        ] {
            index(m, table, name, cols, false).await?;
        }
        index(
            m,
            "party_whistle_calls",
            "ux_party_whistle_calls",
            &["whistle_id", "callee_key"],
            true,
        )
        .await?;
        for stmt in [
            "CREATE UNIQUE INDEX ux_party_units_name ON party_units (org_node_id, name) \
             WHERE status = 'active'",
            "CREATE UNIQUE INDEX ux_party_registrations_resident ON party_registrations \
             (resident_id) WHERE status = 'active'",
            "CREATE UNIQUE INDEX ux_party_signups_live ON party_signups \
             (need_id, registration_id) WHERE state <> 'cancelled'",
        ] {
            m.get_connection().execute_unprepared(stmt).await?;
        }
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for t in [
            "party_whistle_calls",
            "party_whistles",
            "party_signups",
            "party_needs",
            "party_registrations",
            "party_units",
        ] {
            m.drop_table(Table::drop().table(t).to_owned()).await?;
        }
        Ok(())
    }
}

/// 光荣榜: the street's categories (a name, a period kind, a quota), nominations, and the
/// published rolls. One live nomination of a nominee per category and period, one published roll
/// per category and period: unique indexes; the quota is counted under a lock on the category.
struct M0023Honours;

impl MigrationName for M0023Honours {
    fn name(&self) -> &str {
        "m0023_honours"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for M0023Honours {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table("honour_categories")
                .col(big_pk_auto("id"))
                .col(big_integer("org_node_id"))
                .col(party_path(m))
                .col(string_len("name", 30))
                .col(string_len("period_kind", 8))
                .col(integer("quota"))
                .col(string_len("subject", 16))
                .col(string_len("note", 200).default(""))
                .col(string_len("status", 16).default("active"))
                .col(string_len("actor_name", 60))
                .col(ts("created_at"))
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table("honour_nominations")
                .col(big_pk_auto("id"))
                .col(big_integer("category_id"))
                .col(string_len("period", 8))
                .col(party_path(m))
                .col(string_len("nominee_key", 24))
                .col(big_integer_null("resident_id"))
                .col(big_integer_null("party_org_id"))
                .col(string_len("nominee_name", 60))
                .col(string_len("place_name", 60).default(""))
                .col(string_len("citation", 200))
                .col(string_len("photo_id", 80).default(""))
                .col(boolean("self_nominated").default(false))
                .col(big_integer_null("nominated_by_id"))
                .col(string_len("nominated_by", 60))
                .col(string_len("status", 16))
                .col(string_len("decided_by", 60).default(""))
                .col(big_integer_null("decided_at"))
                .col(string_len("decision_note", 200).default(""))
                .col(ts("created_at"))
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table("honour_rolls")
                .col(big_pk_auto("id"))
                .col(big_integer("category_id"))
                .col(string_len("period", 8))
                .col(party_path(m))
                .col(ts("published_at"))
                .col(string_len("published_by", 60))
                .to_owned(),
        )
        .await?;
        for (table, name, cols) in [
            (
                "honour_categories",
                "ix_honour_categories_path",
                &["org_path"][..],
            ),
            (
                "honour_nominations",
                "ix_honour_nominations_path",
                &["org_path"][..],
            ),
            (
                "honour_nominations",
                "ix_honour_nominations_roll",
                &["category_id", "period"][..],
            ),
        ] {
            index(m, table, name, cols, false).await?;
        }
        index(
            m,
            "honour_rolls",
            "ux_honour_rolls",
            &["category_id", "period"],
            true,
        )
        .await?;
        for stmt in [
            "CREATE UNIQUE INDEX ux_honour_categories_name ON honour_categories \
             (org_node_id, name) WHERE status = 'active'",
            "CREATE UNIQUE INDEX ux_honour_nominations_live ON honour_nominations \
             (category_id, period, nominee_key) WHERE status IN ('nominated', 'approved')",
        ] {
            m.get_connection().execute_unprepared(stmt).await?;
        }
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for t in ["honour_rolls", "honour_nominations", "honour_categories"] {
            m.drop_table(Table::drop().table(t).to_owned()).await?;
        }
        Ok(())
    }
}

/// 五星支部: the street's star sets of a year (one a kind), each branch's review of a year (one:
/// unique), the objections raised during 公示, and the stars withdrawn (摘星; a star of a review
/// once: unique).
struct M0024Stars;

impl MigrationName for M0024Stars {
    fn name(&self) -> &str {
        "m0024_stars"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for M0024Stars {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table("star_sets")
                .col(big_pk_auto("id"))
                .col(big_integer("org_node_id"))
                .col(party_path(m))
                .col(integer("year"))
                .col(string_len("kind", 8))
                .col(boolean("two_level").default(false))
                .col(text("stars"))
                .col(string_len("actor_name", 60))
                .col(ts("created_at"))
                .col(ts("updated_at"))
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table("star_reviews")
                .col(big_pk_auto("id"))
                .col(big_integer("set_id"))
                .col(big_integer("party_org_id"))
                .col(party_path(m))
                .col(integer("year"))
                .col(string_len("stage", 12))
                .col(text("assessment"))
                .col(text("scores"))
                .col(text("awarded"))
                .col(string_len("score_note", 500).default(""))
                .col(big_integer_null("scored_by_id"))
                .col(string_len("scored_by", 60).default(""))
                .col(string_len("checked_by", 60).default(""))
                .col(string_len("return_note", 500).default(""))
                .col(string_len_null("public_from", 10))
                .col(string_len_null("awarded_on", 10))
                .col(ts("created_at"))
                .col(ts("updated_at"))
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table("star_objections")
                .col(big_pk_auto("id"))
                .col(big_integer("review_id"))
                .col(party_path(m))
                .col(string_len("body", 500))
                .col(big_integer_null("raised_by_id"))
                .col(string_len("raised_by", 60))
                .col(string_len("status", 12))
                .col(string_len("answer", 500).default(""))
                .col(string_len("answered_by", 60).default(""))
                .col(ts("created_at"))
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table("star_withdrawals")
                .col(big_pk_auto("id"))
                .col(big_integer("review_id"))
                .col(party_path(m))
                .col(string_len("star_key", 24))
                .col(string_len("reason", 500))
                .col(string_len("withdrawn_on", 10))
                .col(string_len("withdrawn_by", 60))
                .col(ts("created_at"))
                .to_owned(),
        )
        .await?;
        for (table, name, cols) in [
            ("star_sets", "ix_star_sets_path", &["org_path"][..]),
            ("star_reviews", "ix_star_reviews_path", &["org_path"][..]),
            ("star_reviews", "ix_star_reviews_set", &["set_id"][..]),
            (
                "star_objections",
                "ix_star_objections_review",
                &["review_id"][..],
            ),
            (
                "star_objections",
                "ix_star_objections_path",
                &["org_path"][..],
            ),
            (
                "star_withdrawals",
                "ix_star_withdrawals_path",
                &["org_path"][..],
            ),
        ] {
            index(m, table, name, cols, false).await?;
        }
        for (table, name, cols) in [
            (
                "star_sets",
                "ux_star_sets",
                &["org_node_id", "year", "kind"][..],
            ),
            (
                "star_reviews",
                "ux_star_reviews",
                &["party_org_id", "year"][..],
            ),
            (
                "star_withdrawals",
                "ux_star_withdrawals",
                &["review_id", "star_key"][..],
            ),
        ] {
            index(m, table, name, cols, true).await?;
        }
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for t in [
            "star_withdrawals",
            "star_objections",
            "star_reviews",
            "star_sets",
        ] {
            m.drop_table(Table::drop().table(t).to_owned()).await?;
        }
        Ok(())
    }
}

/// The monthly rankings: a node's weights by version (one version number a node: unique), the
/// published rankings, frozen (one a node and month: unique), and their errata.
struct M0025Rankings;

impl MigrationName for M0025Rankings {
    fn name(&self) -> &str {
        "m0025_rankings"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for M0025Rankings {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table("ranking_weights")
                .col(big_pk_auto("id"))
                .col(big_integer("org_node_id"))
                .col(party_path(m))
                .col(integer("version"))
                .col(text("weights"))
                .col(string_len("note", 200).default(""))
                .col(string_len("actor_name", 60))
                .col(ts("created_at"))
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table("rankings")
                .col(big_pk_auto("id"))
                .col(big_integer("org_node_id"))
                .col(party_path(m))
                .col(string_len("month", 7))
                .col(integer("weights_version"))
                .col(text("body"))
                .col(string_len("published_by", 60))
                .col(ts("published_at"))
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table("ranking_errata")
                .col(big_pk_auto("id"))
                .col(big_integer("ranking_id"))
                .col(party_path(m))
                .col(string_len("note", 500))
                .col(text("body"))
                .col(string_len("actor_name", 60))
                .col(ts("created_at"))
                .to_owned(),
        )
        .await?;
        for (table, name, cols) in [
            (
                "ranking_weights",
                "ix_ranking_weights_path",
                &["org_path"][..],
            ),
            ("rankings", "ix_rankings_path", &["org_path"][..]),
            (
                "ranking_errata",
                "ix_ranking_errata_ranking",
                &["ranking_id"][..],
            ),
        ] {
            index(m, table, name, cols, false).await?;
        }
        for (table, name, cols) in [
            (
                "ranking_weights",
                "ux_ranking_weights",
                &["org_node_id", "version"][..],
            ),
            ("rankings", "ux_rankings", &["org_node_id", "month"][..]),
        ] {
            index(m, table, name, cols, true).await?;
        }
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for t in ["ranking_errata", "rankings", "ranking_weights"] {
            m.drop_table(Table::drop().table(t).to_owned()).await?;
        }
        Ok(())
    }
}

/// The command centre's records: decisions to leave an unreasonable case (不合理诉求) out of
/// the rates (at most one live decision a case: a partial unique index), the warning keywords
/// of a node (a word once a node: unique) and the duty roster (a person once a day a street:
/// unique).
struct M0026Command;

impl MigrationName for M0026Command {
    fn name(&self) -> &str {
        "m0026_command"
    }
}

/// At most one proposed or approved exclusion of a case.
const EXCLUSION_INDEX: &str = "CREATE UNIQUE INDEX ux_case_exclusions_live ON case_exclusions \
     (case_id) WHERE status IN ('proposed', 'approved')";

#[async_trait::async_trait]
impl MigrationTrait for M0026Command {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table("case_exclusions")
                .col(big_pk_auto("id"))
                .col(big_integer("case_id"))
                .col(party_path(m))
                .col(string_len("status", 16))
                .col(string_len("reason", 500))
                .col(big_integer("proposed_by"))
                .col(string_len("proposer_name", 60))
                .col(ts("proposed_at"))
                .col(big_integer_null("decided_by"))
                .col(string_len("decider_name", 60).default(""))
                .col(big_integer_null("decided_at"))
                .col(string_len("decision_note", 500).default(""))
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table("warning_keywords")
                .col(big_pk_auto("id"))
                .col(big_integer("org_node_id"))
                .col(party_path(m))
                .col(string_len("word", 20))
                .col(string_len("actor_name", 60))
                .col(ts("created_at"))
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table("duty_shifts")
                .col(big_pk_auto("id"))
                .col(big_integer("org_node_id"))
                .col(party_path(m))
                .col(string_len("day", 10))
                .col(big_integer("user_id"))
                .col(string_len("person_name", 60))
                .col(boolean("leader").default(false))
                .col(string_len("note", 200).default(""))
                .col(string_len("actor_name", 60))
                .col(ts("created_at"))
                .to_owned(),
        )
        .await?;
        for (table, name, cols) in [
            (
                "case_exclusions",
                "ix_case_exclusions_path",
                &["org_path"][..],
            ),
            (
                "case_exclusions",
                "ix_case_exclusions_case",
                &["case_id", "status"][..],
            ),
            (
                "warning_keywords",
                "ix_warning_keywords_path",
                &["org_path"][..],
            ),
            (
                "duty_shifts",
                "ix_duty_shifts_path",
                &["org_path", "day"][..],
            ),
        ] {
            index(m, table, name, cols, false).await?;
        }
        for (table, name, cols) in [
            (
                "warning_keywords",
                "ux_warning_keywords",
                &["org_node_id", "word"][..],
            ),
            (
                "duty_shifts",
                "ux_duty_shifts",
                &["org_node_id", "day", "user_id"][..],
            ),
        ] {
            index(m, table, name, cols, true).await?;
        }
        m.get_connection()
            .execute_unprepared(EXCLUSION_INDEX)
            .await?;
        // The dashboard: a period's reports of a subtree read from one covering slice (every
        // column it groups by), and the open cases in hand sought by status and path.
        index(
            m,
            "cases",
            "ix_cases_dash_created",
            &[
                "created_at",
                "org_path",
                "kind",
                "source",
                "category_code",
                "status",
            ],
            false,
        )
        .await?;
        index(
            m,
            "cases",
            "ix_cases_open_due",
            &["status", "org_path", "handle_due"],
            false,
        )
        .await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for i in ["ix_cases_dash_created", "ix_cases_open_due"] {
            m.drop_index(Index::drop().name(i).table("cases").to_owned())
                .await?;
        }
        for t in ["duty_shifts", "warning_keywords", "case_exclusions"] {
            m.drop_table(Table::drop().table(t).to_owned()).await?;
        }
        Ok(())
    }
}

/// The people figures of every place kept as they change (`org_tallies`: a count a stored
/// path and metric), so that a dashboard sums a few hundred rows instead of counting a
/// million residents. Triggers keep them in the transaction of each change — whichever code
/// writes the row (the registry's forms, an import, a move of the tree, a restore) — and the
/// migration counts what is there. Metrics, each of the rows at exactly that path:
///
/// - `residents`: active residents;
/// - `tag:{id}`: active residents carrying the tag;
/// - `households`: active households;
/// - `households_linked`: active households with at least one active member link (党员联户).
struct M0027Tallies;

impl MigrationName for M0027Tallies {
    fn name(&self) -> &str {
        "m0027_tallies"
    }
}

/// The org path columns of the summaries (matched by prefix: `COLLATE "C"` on PostgreSQL).
pub const SUMMARY_PATH_COLUMNS: [(&str, &str); 1] = [("org_tallies", "org_path")];

/// Adds `n` to a tally, the row made if missing: the end of every statement that writes one.
const TALLY_UPSERT: &str =
    "ON CONFLICT (org_path, metric) DO UPDATE SET n = org_tallies.n + excluded.n";

/// Whether a household (`{h}`: `NEW` or `OLD`) has an active member link now.
fn linked(h: &str) -> String {
    format!(
        "EXISTS (SELECT 1 FROM party_links l WHERE l.household_id = {h}.id \
         AND l.kind = 'member' AND l.status = 'active')"
    )
}

/// A row's own count under `metric` (`sign` −1 for `OLD`, +1 for `NEW`) while it is active
/// and `also` holds.
fn own_count(row: &str, metric: &str, sign: i32, also: &str) -> String {
    format!(
        "INSERT INTO org_tallies (org_path, metric, n) SELECT {row}.org_path, '{metric}', {sign} \
         WHERE {row}.status = 'active'{also} {TALLY_UPSERT}"
    )
}

/// The statements that take a resident's contribution away (`sign` −1, `row` `OLD`) or add it
/// (+1, `NEW`).
fn resident_part(row: &str, sign: i32) -> Vec<String> {
    vec![
        own_count(row, "residents", sign, ""),
        format!(
            "INSERT INTO org_tallies (org_path, metric, n) \
             SELECT {row}.org_path, 'tag:' || t.tag_id, {sign} FROM resident_tags t \
             WHERE t.resident_id = {row}.id AND {row}.status = 'active' {TALLY_UPSERT}"
        ),
    ]
}

/// A household's contribution, taken away or added.
fn household_part(row: &str, sign: i32) -> Vec<String> {
    vec![
        own_count(row, "households", sign, ""),
        own_count(
            row,
            "households_linked",
            sign,
            &format!(" AND {}", linked(row)),
        ),
    ]
}

/// A tag of a resident, taken away or added.
fn tag_part(row: &str, sign: i32) -> String {
    format!(
        "INSERT INTO org_tallies (org_path, metric, n) \
         SELECT r.org_path, 'tag:' || {row}.tag_id, {sign} FROM residents r \
         WHERE r.id = {row}.resident_id AND r.status = 'active' {TALLY_UPSERT}"
    )
}

/// Member links changed (`new`: the links as they are now, `old`: as they were — tables of
/// `household_id, kind, status`): each household they belong to turns linked (+1) or unlinked
/// (−1) when its count of active member links crossed zero. The count before is the count now
/// less the active member links added plus those taken away, so the rule holds whether it runs
/// after each row (SQLite) or once after the statement (PostgreSQL, which sees every row of the
/// statement already changed).
fn links_part(new: &str, old: &str) -> String {
    let active = |t: &str| {
        format!(
            "(SELECT COUNT(*) FROM {t} x WHERE x.household_id = a.household_id \
             AND x.kind = 'member' AND x.status = 'active')"
        )
    };
    let now = "(SELECT COUNT(*) FROM party_links l WHERE l.household_id = a.household_id \
               AND l.kind = 'member' AND l.status = 'active')";
    let after = "CASE WHEN c.now_n > 0 THEN 1 ELSE 0 END";
    let before = "CASE WHEN c.now_n - c.added + c.removed > 0 THEN 1 ELSE 0 END";
    format!(
        "INSERT INTO org_tallies (org_path, metric, n) \
         SELECT h.org_path, 'households_linked', {after} - {before} \
         FROM (SELECT a.household_id AS id, {now} AS now_n, {} AS added, {} AS removed \
               FROM (SELECT household_id FROM {new} n UNION SELECT household_id FROM {old} o) a) c \
         JOIN households h ON h.id = c.id \
         WHERE h.status = 'active' AND {after} <> {before} {TALLY_UPSERT}",
        active(new),
        active(old)
    )
}

/// The changed link of a row trigger as a table (SQLite), and no rows.
const NEW_LINK: &str =
    "(SELECT NEW.household_id AS household_id, NEW.kind AS kind, NEW.status AS status)";
const OLD_LINK: &str =
    "(SELECT OLD.household_id AS household_id, OLD.kind AS kind, OLD.status AS status)";
const NO_LINK: &str = "(SELECT 0 AS household_id, '' AS kind, '' AS status WHERE 1 = 0)";

/// A trigger that keeps the tallies.
struct TallyTrigger {
    name: &'static str,
    table: &'static str,
    /// The event, as SQLite and PostgreSQL row triggers name it.
    event: &'static str,
    /// The row's condition.
    when: &'static str,
    body: Vec<String>,
    /// On PostgreSQL, a statement trigger over these transition tables instead, with its body.
    statement: Option<(&'static str, &'static str, String)>,
}

/// Every trigger that keeps the tallies.
fn tally_triggers() -> Vec<TallyTrigger> {
    let both = |a: Vec<String>, b: Vec<String>| a.into_iter().chain(b).collect::<Vec<_>>();
    let moved = "OLD.org_path <> NEW.org_path OR OLD.status <> NEW.status";
    let row = |name, table, event, when, body| TallyTrigger {
        name,
        table,
        event,
        when,
        body,
        statement: None,
    };
    let links = |name, event, refs, (new, old): (&str, &str), (pg_new, pg_old): (&str, &str)| {
        TallyTrigger {
            name,
            table: "party_links",
            event,
            when: "TRUE",
            body: vec![links_part(new, old)],
            // A statement trigger with transition tables names no columns: `UPDATE OF …` → `UPDATE`.
            statement: Some((
                event.split(' ').next().unwrap_or(event),
                refs,
                links_part(pg_new, pg_old),
            )),
        }
    };
    vec![
        row(
            "tally_residents_in",
            "residents",
            "INSERT",
            "TRUE",
            resident_part("NEW", 1),
        ),
        row(
            "tally_residents_out",
            "residents",
            "DELETE",
            "TRUE",
            resident_part("OLD", -1),
        ),
        row(
            "tally_residents_moved",
            "residents",
            "UPDATE OF org_path, status",
            moved,
            both(resident_part("OLD", -1), resident_part("NEW", 1)),
        ),
        row(
            "tally_households_in",
            "households",
            "INSERT",
            "TRUE",
            household_part("NEW", 1),
        ),
        row(
            "tally_households_out",
            "households",
            "DELETE",
            "TRUE",
            household_part("OLD", -1),
        ),
        row(
            "tally_households_moved",
            "households",
            "UPDATE OF org_path, status",
            moved,
            both(household_part("OLD", -1), household_part("NEW", 1)),
        ),
        row(
            "tally_tags_in",
            "resident_tags",
            "INSERT",
            "TRUE",
            vec![tag_part("NEW", 1)],
        ),
        row(
            "tally_tags_out",
            "resident_tags",
            "DELETE",
            "TRUE",
            vec![tag_part("OLD", -1)],
        ),
        row(
            "tally_tags_moved",
            "resident_tags",
            "UPDATE",
            "TRUE",
            vec![tag_part("OLD", -1), tag_part("NEW", 1)],
        ),
        links(
            "tally_links_in",
            "INSERT",
            "REFERENCING NEW TABLE AS new_rows",
            (NEW_LINK, NO_LINK),
            ("new_rows", NO_LINK),
        ),
        links(
            "tally_links_out",
            "DELETE",
            "REFERENCING OLD TABLE AS old_rows",
            (NO_LINK, OLD_LINK),
            (NO_LINK, "old_rows"),
        ),
        links(
            "tally_links_moved",
            "UPDATE OF household_id, kind, status",
            "REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows",
            (NEW_LINK, OLD_LINK),
            ("new_rows", "old_rows"),
        ),
    ]
}

/// The tallies counted from the rows (the migration's starting point).
const TALLY_COUNTS: [&str; 4] = [
    "INSERT INTO org_tallies (org_path, metric, n) SELECT org_path, 'residents', COUNT(*) \
     FROM residents WHERE status = 'active' GROUP BY org_path",
    "INSERT INTO org_tallies (org_path, metric, n) SELECT r.org_path, 'tag:' || t.tag_id, COUNT(*) \
     FROM residents r JOIN resident_tags t ON t.resident_id = r.id WHERE r.status = 'active' \
     GROUP BY r.org_path, t.tag_id",
    "INSERT INTO org_tallies (org_path, metric, n) SELECT org_path, 'households', COUNT(*) \
     FROM households WHERE status = 'active' GROUP BY org_path",
    "INSERT INTO org_tallies (org_path, metric, n) SELECT h.org_path, 'households_linked', COUNT(*) \
     FROM households h WHERE h.status = 'active' AND EXISTS (SELECT 1 FROM party_links l \
     WHERE l.household_id = h.id AND l.kind = 'member' AND l.status = 'active') GROUP BY h.org_path",
];

#[async_trait::async_trait]
impl MigrationTrait for M0027Tallies {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        let pg = m.get_database_backend() == sea_orm::DbBackend::Postgres;
        let db = m.get_connection();
        db.execute_unprepared(&format!(
            "CREATE TABLE org_tallies (org_path VARCHAR(400){} NOT NULL, metric VARCHAR(40) NOT NULL, \
             n BIGINT NOT NULL, PRIMARY KEY (org_path, metric))",
            if pg { " COLLATE \"C\"" } else { "" }
        ))
        .await?;
        for sql in TALLY_COUNTS {
            db.execute_unprepared(sql).await?;
        }
        for t in tally_triggers() {
            let TallyTrigger {
                name, table, when, ..
            } = t;
            match (pg, t.statement) {
                (true, Some((event, refs, body))) => {
                    db.execute_unprepared(&format!(
                        "CREATE OR REPLACE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $fn$ \
                         BEGIN {body}; RETURN NULL; END $fn$"
                    ))
                    .await?;
                    db.execute_unprepared(&format!(
                        "CREATE TRIGGER {name} AFTER {event} ON {table} {refs} \
                         FOR EACH STATEMENT EXECUTE FUNCTION {name}()"
                    ))
                    .await?;
                }
                (true, None) => {
                    db.execute_unprepared(&format!(
                        "CREATE OR REPLACE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $fn$ \
                         BEGIN {}; RETURN NULL; END $fn$",
                        t.body.join(";\n")
                    ))
                    .await?;
                    db.execute_unprepared(&format!(
                        "CREATE TRIGGER {name} AFTER {} ON {table} FOR EACH ROW \
                         WHEN ({when}) EXECUTE FUNCTION {name}()",
                        t.event
                    ))
                    .await?;
                }
                (false, _) => {
                    db.execute_unprepared(&format!(
                        "CREATE TRIGGER {name} AFTER {} ON {table} FOR EACH ROW \
                         WHEN {when} BEGIN {}; END",
                        t.event,
                        t.body.join(";\n")
                    ))
                    .await?;
                }
            }
        }
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        let pg = m.get_database_backend() == sea_orm::DbBackend::Postgres;
        let db = m.get_connection();
        for TallyTrigger { name, table, .. } in tally_triggers() {
            let on = if pg {
                format!(" ON {table}")
            } else {
                String::new()
            };
            db.execute_unprepared(&format!("DROP TRIGGER {name}{on}"))
                .await?;
            if pg {
                db.execute_unprepared(&format!("DROP FUNCTION {name}()"))
                    .await?;
            }
        }
        m.drop_table(Table::drop().table("org_tallies").to_owned())
            .await
    }
}

/// The case figures of every place and Beijing day kept as cases change (`case_tallies`), by
/// triggers on cases and on the decisions that leave a case out of the rates; see
/// [`super::case_tallies`] for the metrics. Also an index for the one figure that moves with the
/// clock alone: dispatched cases not fed back, whose limit passes while nothing is written.
struct M0028CaseTallies;

impl MigrationName for M0028CaseTallies {
    fn name(&self) -> &str {
        "m0028_case_tallies"
    }
}

/// Dispatched cases of the appeal flow's kinds not fed back, by place and dispatch time (the
/// on-time rate's cases due).
const UNFED_INDEX: &str = "CREATE INDEX ix_cases_unfed ON cases (org_path, dispatched_at, handle_due) \
     WHERE fed_back_at IS NULL AND dispatched_at IS NOT NULL AND kind IN ('appeal', 'incident')";

#[async_trait::async_trait]
impl MigrationTrait for M0028CaseTallies {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        use super::case_tallies::{self, Edition};
        let pg = m.get_database_backend() == sea_orm::DbBackend::Postgres;
        let db = m.get_connection();
        db.execute_unprepared(case_tallies::TABLE).await?;
        db.execute_unprepared(&case_tallies::recount_of(pg, Edition::M0028, false))
            .await?;
        db.execute_unprepared(UNFED_INDEX).await?;
        install_case_tally_triggers(db, pg, Edition::M0028).await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        let pg = m.get_database_backend() == sea_orm::DbBackend::Postgres;
        let db = m.get_connection();
        drop_case_tally_triggers(db, pg).await?;
        db.execute_unprepared("DROP INDEX ix_cases_unfed").await?;
        m.drop_table(Table::drop().table("case_tallies").to_owned())
            .await
    }
}

/// Two reads of the dashboard answered from an index alone: the open cases of a subtree by
/// status, place and limit now carry their kind and id (`ix_cases_open`, in place of
/// `ix_cases_open_due`: only the appeal flow's kinds are counted, and the heap was visited for
/// each open case to learn it; the pressing list chooses its ids before it reads any row), and
/// the escalations the duty sees are sought by action and time instead of among every event.
struct M0029CommandReads;

impl MigrationName for M0029CommandReads {
    fn name(&self) -> &str {
        "m0029_command_reads"
    }
}

/// The open cases' index before m0029, and after it.
const OPEN_DUE: (&str, &[&str]) = ("ix_cases_open_due", &["status", "org_path", "handle_due"]);
const OPEN: (&str, &[&str]) = (
    "ix_cases_open",
    &["status", "org_path", "handle_due", "kind", "id"],
);

#[async_trait::async_trait]
impl MigrationTrait for M0029CommandReads {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        replace_index(m, "cases", OPEN_DUE.0, OPEN).await?;
        let events = ["action", "at"];
        index(m, "case_events", "ix_case_events_action_at", &events, false).await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        replace_index(m, "cases", OPEN.0, OPEN_DUE).await?;
        drop_indexes(m.get_connection(), &["ix_case_events_action_at"]).await
    }
}

/// Installs the triggers that keep the case tallies of `edition`.
async fn install_case_tally_triggers(
    db: &impl ConnectionTrait,
    pg: bool,
    edition: super::case_tallies::Edition,
) -> Result<(), DbErr> {
    use super::case_tallies;
    for t in case_tallies::triggers(pg, edition) {
        let case_tallies::Trigger {
            name,
            table,
            event,
            when,
            refs,
            body,
        } = t;
        if pg {
            // `jit = off` whoever writes (an import from psql too): the planner's estimate
            // of these statements passes the JIT threshold, and compiling them took ~350 ms
            // of every statement that fired them.
            db.execute_unprepared(&format!(
                "CREATE OR REPLACE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql \
                 SET jit = off AS $fn$ BEGIN {body}; RETURN NULL; END $fn$"
            ))
            .await?;
            let each = if refs.is_empty() {
                format!("FOR EACH ROW WHEN ({when})")
            } else {
                format!("{refs} FOR EACH STATEMENT")
            };
            db.execute_unprepared(&format!(
                "CREATE TRIGGER {name} AFTER {event} ON {table} {each} EXECUTE FUNCTION {name}()"
            ))
            .await?;
        } else {
            db.execute_unprepared(&format!(
                "CREATE TRIGGER {name} AFTER {event} ON {table} FOR EACH ROW \
                 WHEN {when} BEGIN {body}; END"
            ))
            .await?;
        }
    }
    Ok(())
}

/// Drops the triggers that keep the case tallies (their names are those of every edition).
async fn drop_case_tally_triggers(db: &impl ConnectionTrait, pg: bool) -> Result<(), DbErr> {
    use super::case_tallies::{self, Edition};
    for t in case_tallies::triggers(pg, Edition::M0028) {
        let on = if pg {
            format!(" ON {}", t.table)
        } else {
            String::new()
        };
        db.execute_unprepared(&format!("DROP TRIGGER {}{on}", t.name))
            .await?;
        if pg {
            db.execute_unprepared(&format!("DROP FUNCTION {}()", t.name))
                .await?;
        }
    }
    Ok(())
}

/// The case tallies count the open cases of every place now (metric `open`, day
/// [`super::case_tallies::NOW_DAY`]): a dashboard's open count is one row, where it walked
/// every open case of the subtree (8,000 heap visits for a community at 10,000,000 cases).
struct M0030OpenTally;

impl MigrationName for M0030OpenTally {
    fn name(&self) -> &str {
        "m0030_open_tally"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for M0030OpenTally {
    /// One transaction on SQLite too: the triggers are dropped and made again under the same
    /// names, and a second connection of the pool, its schema not yet read again, refused the
    /// new ones as already there.
    fn use_transaction(&self) -> Option<bool> {
        Some(true)
    }

    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        use super::case_tallies::{self, Edition};
        let pg = m.get_database_backend() == sea_orm::DbBackend::Postgres;
        let db = m.get_connection();
        drop_case_tally_triggers(db, pg).await?;
        db.execute_unprepared(&case_tallies::recount_of(pg, Edition::M0030, true))
            .await?;
        install_case_tally_triggers(db, pg, Edition::M0030).await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        use super::case_tallies::Edition;
        let pg = m.get_database_backend() == sea_orm::DbBackend::Postgres;
        let db = m.get_connection();
        drop_case_tally_triggers(db, pg).await?;
        db.execute_unprepared("DELETE FROM case_tallies WHERE metric = 'open'")
            .await?;
        install_case_tally_triggers(db, pg, Edition::M0028).await
    }
}
