//! The schema, written once in Rust and applied on both backends at start-up.
//! Each migration is append-only: change the schema by adding a new one.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

/// The list of migrations, oldest first.
pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![Box::new(M0001Skeleton)]
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
