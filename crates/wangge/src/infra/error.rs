//! One error type at the edge: every failure becomes an HTTP status, a stable code and a
//! Chinese message. Internal causes are logged with their chain and never shown.

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::json;
use wangge_core::validate::Invalid;

/// An error as the user and the API see it.
#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// Bad input: nothing was written.
    #[error("{message}")]
    BadInput {
        /// Stable machine-readable code.
        code: &'static str,
        /// The Chinese message.
        message: String,
    },
    /// Not logged in, or the credentials are wrong.
    #[error("{0}")]
    Unauthenticated(String),
    /// Logged in, but not allowed (role or scope).
    #[error("{0}")]
    Forbidden(String),
    /// No such thing (or not in the caller's scope, where saying so would leak).
    #[error("{0}")]
    NotFound(String),
    /// A conflict with the current state: a duplicate, or a stale version.
    #[error("{message}")]
    Conflict {
        /// Stable machine-readable code.
        code: &'static str,
        /// The Chinese message.
        message: String,
    },
    /// Too many attempts.
    #[error("{0}")]
    TooManyRequests(String),
    /// The store cannot take writes now (a full disk, a read-only file): nothing was written,
    /// and writes resume by themselves when it can.
    #[error("{0}")]
    Unavailable(String),
    /// A request refused before any handler ran (a path, body or method the route does not
    /// take), with its status.
    #[error("{message}")]
    Refused {
        /// The HTTP status.
        status: StatusCode,
        /// Stable machine-readable code.
        code: &'static str,
        /// The Chinese message.
        message: String,
    },
    /// An administrator reset the password: nothing but changing it until it is changed.
    #[error(
        "您的密码是管理员设置的初始密码：请先修改密码（POST /api/v1/me/password），再使用其他功能"
    )]
    MustChangePassword,
    /// Anything else: logged, shown as a generic message.
    #[error("服务器内部错误")]
    Internal(#[from] anyhow::Error),
}

/// The result of a service call.
pub type AppResult<T> = Result<T, AppError>;

impl AppError {
    /// Bad input with a code.
    pub fn bad(code: &'static str, message: impl Into<String>) -> AppError {
        AppError::BadInput {
            code,
            message: message.into(),
        }
    }

    /// A conflict with a code.
    pub fn conflict(code: &'static str, message: impl Into<String>) -> AppError {
        AppError::Conflict {
            code,
            message: message.into(),
        }
    }

    /// The caller lacks a permission.
    pub fn no_permission() -> AppError {
        AppError::Forbidden("您的角色没有此操作的权限".into())
    }

    /// The target lies outside the caller's scope.
    pub fn out_of_scope() -> AppError {
        AppError::Forbidden("该数据不在您的管辖范围内".into())
    }

    /// A stale version: someone else changed the record first.
    pub fn stale() -> AppError {
        AppError::conflict("stale_version", "该记录已被他人修改，请刷新后重试")
    }

    /// The HTTP status.
    pub fn status(&self) -> StatusCode {
        match self {
            AppError::BadInput { .. } => StatusCode::BAD_REQUEST,
            AppError::Unauthenticated(_) => StatusCode::UNAUTHORIZED,
            AppError::Forbidden(_) | AppError::MustChangePassword => StatusCode::FORBIDDEN,
            AppError::Refused { status, .. } => *status,
            AppError::NotFound(_) => StatusCode::NOT_FOUND,
            AppError::Conflict { .. } => StatusCode::CONFLICT,
            AppError::TooManyRequests(_) => StatusCode::TOO_MANY_REQUESTS,
            AppError::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
            AppError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// The stable code.
    pub fn code(&self) -> &'static str {
        match self {
            AppError::BadInput { code, .. }
            | AppError::Conflict { code, .. }
            | AppError::Refused { code, .. } => code,
            AppError::Unauthenticated(_) => "unauthenticated",
            AppError::Forbidden(_) => "forbidden",
            AppError::NotFound(_) => "not_found",
            AppError::TooManyRequests(_) => "too_many_requests",
            AppError::Unavailable(_) => "storage_unavailable",
            AppError::MustChangePassword => "must_change_password",
            AppError::Internal(_) => "internal",
        }
    }

    /// Logs an internal error with its cause chain; other errors are the user's, not ours.
    pub fn log(&self) {
        if let AppError::Internal(e) = self {
            tracing::error!(error = format!("{e:#}"), "internal error");
        }
    }
}

impl From<Invalid> for AppError {
    fn from(e: Invalid) -> AppError {
        AppError::bad("invalid_input", e.0)
    }
}

/// A rule the database holds: the words that name its index (PostgreSQL) or its columns
/// (SQLite) in the violation's message, and what the loser of a race for it is told.
type HeldRule = (&'static [&'static str], fn() -> AppError);

/// The rules of the form "at most one …" the database holds.
const HELD_BY_THE_DATABASE: [HeldRule; 32] = [
    (&["ux_residents_one_head", "residents.household_id"], || {
        AppError::bad(
            "two_heads",
            "该户已有户主：一户只有一位户主，请先修改原户主的与户主关系",
        )
    }),
    (
        &["ux_assessment_items_name", "assessment_items.org_id"],
        || AppError::conflict("duplicate_item", "该社区已有同名的考评项目"),
    ),
    (&["ux_org_nodes_one_root", "ux_org_nodes_one_root"], || {
        AppError::conflict("one_root", "组织树已有根节点（区县）：只能有一个")
    }),
    (&["ux_residents_id_blind", "residents.id_blind"], || {
        AppError::conflict("id_taken", "该身份证号已经登记：一个身份证号只对应一个人")
    }),
    (&["ux_households_room", "households.building_id"], || {
        AppError::conflict("duplicate_room", "这个楼栋已有这个房号的住户")
    }),
    (&["ux_party_orgs_name", "party_orgs.org_node_id"], || {
        AppError::conflict("duplicate_party_org", "这个节点上已有同名的党组织")
    }),
    (
        &["ux_party_members_resident", "party_members.resident_id"],
        || {
            AppError::conflict(
                "already_member",
                "此人已有在册的党员（发展）档案：一人同时只能有一个组织关系，请先办理转出",
            )
        },
    ),
    (&["ux_party_members_user", "party_members.user_id"], || {
        AppError::conflict("account_taken", "该账号已关联另一名党员")
    }),
    (
        &["ux_party_members_secretary", "party_members.party_org_id"],
        || AppError::conflict("two_secretaries", "该支部已有书记：请先免去原书记的职务"),
    ),
    (&["ux_party_links_active", "party_links.kind"], || {
        AppError::conflict("already_linked", "已经联系了这一户")
    }),
    (
        &["ux_party_attendance", "party_attendance.meeting_id"],
        || AppError::bad("attendance_twice", "同一人的出席情况只能登记一次"),
    ),
    (&["ux_party_votes", "party_votes.resolution_id"], || {
        AppError::bad("vote_twice", "同一人在同一项决议上只能表决一次")
    }),
    (
        &["ux_party_centers_member", "party_centers.member_id"],
        || AppError::conflict("already_center", "这名党员的家已是（或正推荐为）党员中心户"),
    ),
    (
        &["ux_party_org_units_name", "party_org_units.party_org_id"],
        || AppError::conflict("duplicate_unit", "该单位已是这个联合党支部的组建单位"),
    ),
    (
        &["ux_party_wish_claims_share", "party_wish_claims.share_no"],
        || AppError::conflict("claimed_out", "这个心愿已被认领完，请选择其他心愿"),
    ),
    (&["ux_party_posts_place", "party_posts.place_id"], || {
        AppError::conflict("duplicate_post", "这个地方已有同名的先锋岗或责任区")
    }),
    (
        &[
            "ux_party_wish_claims_claimant",
            "party_wish_claims.claimant_key",
        ],
        || AppError::conflict("claimed_twice", "您已认领了这个心愿的一份"),
    ),
    (&["ux_party_units_name", "party_units.name"], || {
        AppError::conflict("duplicate_unit", "这里已登记了同名的共建单位")
    }),
    (
        &[
            "ux_party_registrations_resident",
            "party_registrations.resident_id",
        ],
        || {
            AppError::conflict(
                "already_registered",
                "此人已在社区报到：一人同时只在一个社区报到",
            )
        },
    ),
    (
        &["ux_party_signups_live", "party_signups.registration_id"],
        || AppError::conflict("signed_twice", "已报名这项服务需求"),
    ),
    (
        &["ux_party_whistle_calls", "party_whistle_calls.callee_key"],
        || AppError::bad("called_twice", "同一个单位或部门不能重复召集"),
    ),
    (
        &["ux_honour_categories_name", "honour_categories.name"],
        || AppError::conflict("duplicate_category", "已有同名的光荣榜类别"),
    ),
    (
        &[
            "ux_honour_nominations_live",
            "honour_nominations.nominee_key",
        ],
        || AppError::conflict("nominated_twice", "已在本期这一类别中提名"),
    ),
    (&["ux_honour_rolls", "honour_rolls.period"], || {
        AppError::conflict("published_twice", "本期光荣榜已公布")
    }),
    (&["ux_star_sets", "star_sets.kind"], || {
        AppError::conflict("set_twice", "街道本年度已有这类党组织的星级标准")
    }),
    (&["ux_star_reviews", "star_reviews.year"], || {
        AppError::conflict("review_twice", "该党组织本年度已有星级评定")
    }),
    (
        &["ux_star_withdrawals", "star_withdrawals.star_key"],
        || AppError::conflict("withdrawn_twice", "这颗星已经摘除"),
    ),
    (&["ux_ranking_weights", "ranking_weights.version"], || {
        AppError::conflict("weights_twice", "权重刚被别人改过：请刷新后再改")
    }),
    (&["ux_rankings", "rankings.month"], || {
        AppError::conflict("published_twice", "这个月的排名已经公布：公布后只能发勘误")
    }),
    (
        &["ux_case_exclusions_live", "case_exclusions.case_id"],
        || {
            AppError::conflict(
                "excluded_twice",
                "这件案件已有不合理诉求的认定（待批准或已批准）",
            )
        },
    ),
    (&["ux_warning_keywords", "warning_keywords.word"], || {
        AppError::conflict("word_twice", "这个预警关键词已经有了")
    }),
    (&["ux_duty_shifts", "duty_shifts.user_id"], || {
        AppError::conflict("shift_twice", "此人当天已在值班表上")
    }),
];

impl From<sea_orm::DbErr> for AppError {
    fn from(e: sea_orm::DbErr) -> AppError {
        if let Some(sea_orm::SqlErr::UniqueConstraintViolation(m)) = e.sql_err() {
            let text = format!("{m} {e}");
            if let Some((_, answer)) = HELD_BY_THE_DATABASE
                .iter()
                .find(|(names, _)| names.iter().any(|n| text.contains(n)))
            {
                return answer();
            }
            return AppError::conflict("duplicate", "数据重复：已存在相同的记录");
        }
        if let Some(why) = storage_refusal(&e) {
            tracing::error!(error = %e, "the database refuses writes");
            return AppError::Unavailable(why.into());
        }
        AppError::Internal(anyhow::Error::new(e))
    }
}

/// Whether a database error says the store cannot be used now (cannot be reached, or cannot
/// write), and what to tell the user. A full or read-only store is known by the
/// driver's code where there is one (SQLite `SQLITE_FULL` 13 and `SQLITE_READONLY` 8 with their
/// extended codes; PostgreSQL `disk_full` 53100 and `read_only_sql_transaction` 25006), else by
/// the words of the message ("database or disk is full", "could not extend file", …).
pub fn storage_refusal(e: &sea_orm::DbErr) -> Option<&'static str> {
    use sea_orm::{DbErr, RuntimeErr, sqlx};
    const FULL: &str = "存储空间已满，这次没有保存：请联系管理员清理磁盘，空间恢复后即可重新提交";
    const READ_ONLY: &str = "数据库当前只读，这次没有保存：请联系管理员检查数据库文件和目录的权限";
    const UNREACHABLE: &str = "暂时连不上数据库：请稍后重试；一直如此请联系管理员";
    if let DbErr::ConnectionAcquire(_) | DbErr::Conn(_) = e {
        return Some(UNREACHABLE);
    }
    if let DbErr::Exec(RuntimeErr::SqlxError(x)) | DbErr::Query(RuntimeErr::SqlxError(x)) = e
        && matches!(
            &**x,
            sqlx::Error::Io(_) | sqlx::Error::PoolTimedOut | sqlx::Error::PoolClosed
        )
    {
        return Some(UNREACHABLE);
    }
    if let DbErr::Exec(RuntimeErr::SqlxError(x)) | DbErr::Query(RuntimeErr::SqlxError(x)) = e
        && let sqlx::Error::Database(d) = &**x
        && let Some(code) = d.code()
    {
        let (full, read_only) = if d.try_downcast_ref::<sqlx::sqlite::SqliteError>().is_some() {
            let primary = code.parse::<u32>().map_or(0, |c| c & 0xff);
            (primary == 13, primary == 8)
        } else {
            (code == "53100", code == "25006")
        };
        if full {
            return Some(FULL);
        }
        if read_only {
            return Some(READ_ONLY);
        }
    }
    let text = e.to_string().to_ascii_lowercase();
    if text.contains("disk is full")
        || text.contains("no space left")
        || text.contains("could not extend file")
    {
        Some(FULL)
    } else if text.contains("readonly database") || text.contains("read-only transaction") {
        Some(READ_ONLY)
    } else {
        None
    }
}

/// JSON errors: `{"error": {"code", "message"}}`.
impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        self.log();
        let body = json!({"error": {"code": self.code(), "message": self.to_string()}});
        (self.status(), Json(body)).into_response()
    }
}

/// Parses a materialized path read from the database; a bad one is a corrupt row.
pub fn stored_path(p: &str) -> AppResult<wangge_core::OrgPath> {
    wangge_core::OrgPath::parse(p).map_err(|e| AppError::Internal(e.into()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use sea_orm::{ConnAcquireErr, DbErr, RuntimeErr};
    use std::sync::Arc;

    #[test]
    fn a_store_that_cannot_be_used_is_503_in_words_a_user_can_act_on() {
        let unavailable = |e: DbErr| match AppError::from(e) {
            AppError::Unavailable(m) => m,
            other => panic!("not 503: {other:?}"),
        };
        assert!(unavailable(DbErr::ConnectionAcquire(ConnAcquireErr::Timeout)).contains("连不上"));
        let io = sea_orm::sqlx::Error::Io(std::io::Error::other("connection reset"));
        assert!(unavailable(DbErr::Exec(RuntimeErr::SqlxError(Arc::new(io)))).contains("连不上"));
        let full = DbErr::Exec(RuntimeErr::Internal("database or disk is full".into()));
        assert!(unavailable(full).contains("存储空间已满"));
        let other = DbErr::Custom("no such column".into());
        assert!(matches!(AppError::from(other), AppError::Internal(_)));
    }
}
