//! The route table's scope-and-role test. It walks every route the router has (read from the
//! router itself, `wangge::web::route_paths`), as every role — the administrator and the command
//! centre at the district and at a street, and each other role where it works — and:
//!
//! - fails when a route is not in [`ROUTES`] below (a new route must say who may call it);
//! - answers no request with a 5xx;
//! - for an account below the district, gives nothing of another street: every id of every kind
//!   from there (node, building, household, resident, case, case number, account, department,
//!   token, document, file, assessment item) is refused, and no page or list shows the other
//!   street's names;
//! - writes nothing for any such account when aimed at the other street (the audit log and the
//!   other street's rows are the same after as before);
//! - refuses the roles a list or page is not for, and serves the ones it is for;
//! - and for every account, every case its to-do list or case list shows opens.
//!
//! A new slice adds its routes to [`ROUTES`] and, for a new kind of id, one line to [`fill`].

use crate::support::{PW, TestApp};
use reqwest::{Method, StatusCode};
use sea_orm::ConnectionTrait;
use serde_json::{Value, json};
use wangge_core::{Permission, Role};

/// Who may call a route at all.
#[derive(Clone, Copy, Debug)]
enum Who {
    /// Anyone, without an account.
    Public,
    /// Any account.
    Any,
    /// Staff (not residents, building heads or party members).
    Staff,
    /// Accounts whose role has the permission.
    Can(Permission),
}

/// What a route's answer may hold.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Shape {
    /// Scoped data: nothing of another street.
    Scoped,
    /// Open data of every street by design (the public report's places).
    Open,
    /// A stream that does not end (server-sent events): the status only.
    Stream,
    /// Acts on the caller's own session, password or uploads: not sent in the walk (its own
    /// tests cover it).
    Own,
    /// Reports a case, which anyone may do about any place: not sent in the walk.
    ReportsAnywhere,
}

struct Route {
    path: &'static str,
    who: Who,
    shape: Shape,
    /// A query the GET needs to answer 2xx (a required field).
    query: &'static str,
}

const fn r(path: &'static str, who: Who, shape: Shape) -> Route {
    Route {
        path,
        who,
        shape,
        query: "",
    }
}

const fn q(path: &'static str, who: Who, shape: Shape, query: &'static str) -> Route {
    Route {
        path,
        who,
        shape,
        query,
    }
}

use Permission::*;
use Shape::*;
use Who::*;

/// Every route of the router, with who may call it.
const ROUTES: &[Route] = &[
    r("/api/v1/openapi.json", Public, Open),
    r("/api/v1/auth/login", Public, Own),
    r("/api/v1/auth/logout", Any, Own),
    r("/api/v1/me", Any, Scoped),
    r("/api/v1/me/password", Any, Own),
    r("/api/v1/tokens", Can(TokenManage), Scoped),
    r("/api/v1/tokens/{id}", Can(TokenManage), Scoped),
    r("/api/v1/org/tree", Any, Scoped),
    r("/api/v1/org/nodes", Any, Scoped),
    r("/api/v1/org/nodes/{id}", Any, Scoped),
    r("/api/v1/org/nodes/{id}/move", Can(OrgManage), Scoped),
    r("/api/v1/org/nodes/{id}/retire", Can(OrgManage), Scoped),
    r("/api/v1/org/nodes/{id}/reactivate", Can(OrgManage), Scoped),
    r("/api/v1/org/nodes/{id}/boundary", Any, Scoped),
    r("/api/v1/org/nodes/{id}/departments", Any, Scoped),
    r("/api/v1/org/import", Can(OrgManage), Scoped),
    r("/api/v1/departments", Any, Scoped),
    r("/api/v1/departments/{id}", Any, Scoped),
    r("/api/v1/users", Can(UserView), Scoped),
    r("/api/v1/users/{id}", Can(UserView), Scoped),
    r("/api/v1/users/{id}/password", Can(UserManage), Scoped),
    r("/api/v1/users/{id}/disable", Can(UserManage), Scoped),
    r("/api/v1/users/{id}/enable", Can(UserManage), Scoped),
    r("/api/v1/audit", Can(AuditView), Scoped),
    r("/api/v1/cases", Any, ReportsAnywhere),
    r("/api/v1/cases/{id}", Any, Scoped),
    r("/api/v1/cases/{id}/actions", Any, Scoped),
    r("/api/v1/todo", Any, Scoped),
    r("/api/v1/categories", Any, Scoped),
    q(
        "/api/v1/categories/suggest",
        Any,
        Scoped,
        "text=楼道里堆满纸箱",
    ),
    r("/api/v1/categories/{code}", Can(OrgManage), Scoped),
    r("/api/v1/calendar", Any, Scoped),
    r("/api/v1/calendar/{date}", Can(OrgManage), Scoped),
    r("/api/v1/stats/cases", Staff, Scoped),
    r("/api/v1/stats/ranking", Staff, Scoped),
    r("/api/v1/stats/ranking/history", Staff, Scoped),
    r("/api/v1/stats/ranking/weights", Any, Scoped),
    r("/api/v1/stats/ranking/publish", Any, Scoped),
    r("/api/v1/stats/rankings/{id}/errata", Any, Scoped),
    r("/api/v1/stats/dashboard", Staff, Scoped),
    r("/api/v1/stats/lists", Staff, Scoped),
    r("/api/v1/stats/report", Staff, Scoped),
    r("/api/v1/stats/warnings", Staff, Scoped),
    r("/api/v1/stats/warnings/keywords", Any, Scoped),
    r("/api/v1/stats/exclusions", Staff, Scoped),
    r("/api/v1/stats/exclusions/{id}/decide", Any, Scoped),
    r("/api/v1/stats/duty", Staff, Scoped),
    r("/api/v1/stats/duty/{id}/remove", Any, Scoped),
    r("/api/v1/files", Any, Own),
    r("/api/v1/notifications", Any, Scoped),
    r("/api/v1/notifications/read", Any, Own),
    r("/api/v1/admin/press", Can(OrgManage), Scoped),
    q("/api/v1/residents", Can(PeopleView), Scoped, "q=张"),
    r("/api/v1/residents/export.xlsx", Can(PeopleImport), Scoped),
    r("/api/v1/residents/{id}", Can(PeopleView), Scoped),
    r("/api/v1/residents/{id}/move", Can(PeopleManage), Scoped),
    r("/api/v1/residents/{id}/reveal", Can(PeopleFullView), Scoped),
    r("/api/v1/org/nodes/{id}/buildings", Can(PeopleView), Scoped),
    r("/api/v1/buildings/{id}/households", Can(PeopleView), Scoped),
    r("/api/v1/households", Can(PeopleManage), Scoped),
    r("/api/v1/households/{id}", Can(PeopleView), Scoped),
    r("/api/v1/households/{id}/visits", Can(VisitLog), Scoped),
    r(
        "/api/v1/households/{id}/assessments",
        Can(PeopleManage),
        Scoped,
    ),
    r(
        "/api/v1/households/{id}/documents",
        Can(PeopleManage),
        Scoped,
    ),
    r("/api/v1/assessment-items", Can(PeopleView), Scoped),
    r("/api/v1/tags", Can(PeopleView), Scoped),
    r("/api/v1/people/import", Can(PeopleImport), Scoped),
    r("/api/v1/party/orgs", Can(PartyView), Scoped),
    r("/api/v1/party/orgs/{id}", Can(PartyView), Scoped),
    r("/api/v1/party/orgs/{id}/dissolve", Can(PartyManage), Scoped),
    r("/api/v1/party/terms", Can(PartyView), Scoped),
    r("/api/v1/party/members", Can(PartyMemberView), Scoped),
    r("/api/v1/party/members/{id}", Can(PartyMemberView), Scoped),
    r(
        "/api/v1/party/members/{id}/steps",
        Can(PartyMemberView),
        Scoped,
    ),
    r(
        "/api/v1/party/members/{id}/transfer",
        Can(PartyMemberView),
        Scoped,
    ),
    r("/api/v1/party/links", Can(PartyMemberView), Scoped),
    r("/api/v1/party/links/{id}/end", Can(PartyMemberView), Scoped),
    r("/api/v1/party/coverage", Can(PartyView), Scoped),
    r("/api/v1/party/meetings", Can(PartyView), Scoped),
    r("/api/v1/party/meetings/{id}", Can(PartyMemberView), Scoped),
    r("/api/v1/party/compliance", Can(PartyView), Scoped),
    r("/api/v1/party/centers", Can(PartyView), Scoped),
    r("/api/v1/party/orgs/{id}/elections", Can(PartyView), Scoped),
    r("/api/v1/party/orgs/{id}/units", Can(PartyView), Scoped),
    r("/api/v1/party/units/{id}/end", Can(PartyManage), Scoped),
    r("/api/v1/party/orgs/{id}/changes", Can(PartyView), Scoped),
    r(
        "/api/v1/party/orgs/{id}/reorganize",
        Can(PartyManage),
        Scoped,
    ),
    r("/api/v1/party/pledges", Can(PartyView), Scoped),
    r("/api/v1/party/pledges/{id}/report", Can(PartyView), Scoped),
    r(
        "/api/v1/party/pledges/{id}/review",
        Can(PartyManage),
        Scoped,
    ),
    r("/api/v1/party/wishes", Any, Scoped),
    r("/api/v1/party/wishes/{id}", Any, Scoped),
    r("/api/v1/party/wishes/{id}/{step}", Any, Scoped),
    r("/api/v1/party/wish-claims/{id}/{step}", Any, Scoped),
    r("/api/v1/party/campaigns", Any, Scoped),
    r("/api/v1/party/campaigns/{id}", Any, Scoped),
    r(
        "/api/v1/party/campaigns/{id}/summary",
        Can(PartyManage),
        Scoped,
    ),
    r("/api/v1/public/wishes", Public, Open),
    r("/api/v1/party/posts", Can(PartyView), Scoped),
    r("/api/v1/party/posts/{id}/end", Can(PartyView), Scoped),
    r("/api/v1/party/units", Can(PartyView), Scoped),
    r("/api/v1/party/units/{id}", Can(PartyView), Scoped),
    r("/api/v1/party/units/{id}/leave", Can(PartyManage), Scoped),
    r("/api/v1/party/registrations", Can(PartyView), Scoped),
    r(
        "/api/v1/party/registrations/{id}/end",
        Can(PartyManage),
        Scoped,
    ),
    r(
        "/api/v1/party/registrations/{id}/record",
        Can(PartyView),
        Scoped,
    ),
    r("/api/v1/party/needs", Can(PartyView), Scoped),
    r("/api/v1/party/needs/{id}", Can(PartyView), Scoped),
    r("/api/v1/party/needs/{id}/signups", Can(PartyView), Scoped),
    r("/api/v1/party/needs/{id}/close", Can(PartyManage), Scoped),
    r("/api/v1/party/signups/{id}/{step}", Can(PartyView), Scoped),
    r("/api/v1/party/whistles", Any, Scoped),
    r("/api/v1/party/whistles/{id}", Any, Scoped),
    r("/api/v1/party/whistle-calls/{id}/{step}", Any, Scoped),
    r("/api/v1/honours", Public, Open),
    r("/api/v1/party/honour-categories", Can(PartyView), Scoped),
    r("/api/v1/party/honour-nominations", Can(PartyView), Scoped),
    r("/api/v1/party/honour-nominations/{id}/{step}", Any, Scoped),
    r("/api/v1/party/honour-rolls", Any, Scoped),
    r("/api/v1/party/stars", Can(PartyView), Scoped),
    r("/api/v1/party/star-sets", Any, Scoped),
    r("/api/v1/party/star-sets/{id}", Can(PartyView), Scoped),
    r("/api/v1/party/star-reviews", Any, Scoped),
    r("/api/v1/party/star-reviews/{id}", Can(PartyView), Scoped),
    r("/api/v1/party/star-reviews/{id}/stars/{key}", Any, Scoped),
    r("/api/v1/party/star-reviews/{id}/{step}", Any, Scoped),
    r("/api/v1/party/star-objections/{id}/{step}", Any, Scoped),
    r("/api/v1/stars", Public, Open),
    r(
        "/api/v1/party/meetings/{id}/files",
        Can(PartyMemberView),
        Scoped,
    ),
    r(
        "/api/v1/party/centers/{id}/steps",
        Can(PartyMemberView),
        Scoped,
    ),
    r("/", Any, Scoped),
    r("/login", Public, Own),
    r("/logout", Any, Own),
    r("/account", Any, Scoped),
    r("/account/password", Any, Own),
    r("/tokens", Can(TokenManage), Scoped),
    r("/tokens/{id}/revoke", Can(TokenManage), Scoped),
    r("/org", Any, Scoped),
    r("/org/export.xlsx", Any, Scoped),
    r("/org/import", Can(OrgManage), Scoped),
    r("/org/import/template.csv", Public, Open),
    r("/org/nodes/{id}", Any, Scoped),
    r("/org/nodes/{id}/edit", Can(OrgManage), Scoped),
    r("/org/nodes/{id}/children", Can(OrgManage), Scoped),
    r("/org/nodes/{id}/move", Can(OrgManage), Scoped),
    r("/org/nodes/{id}/retire", Can(OrgManage), Scoped),
    r("/org/nodes/{id}/reactivate", Can(OrgManage), Scoped),
    r("/org/nodes/{id}/delete", Can(OrgManage), Scoped),
    r("/org/nodes/{id}/boundary", Can(OrgManage), Scoped),
    r("/org/nodes/{id}/departments", Can(DepartmentManage), Scoped),
    r("/org/nodes/{id}/map.svg", Any, Scoped),
    r("/departments", Any, Scoped),
    r("/departments/{id}", Can(DepartmentManage), Scoped),
    r("/users", Can(UserView), Scoped),
    r("/users/export.xlsx", Can(UserView), Scoped),
    r("/users/new", Can(UserManage), Scoped),
    r("/users/{id}", Can(UserView), Scoped),
    r("/users/{id}/password", Can(UserManage), Scoped),
    r("/users/{id}/status", Can(UserManage), Scoped),
    r("/audit", Can(AuditView), Scoped),
    r("/todo", Any, Scoped),
    r("/cases", Any, Scoped),
    r("/cases/export.xlsx", Any, Scoped),
    // A resident's report form offers every community of the district (reports go anywhere).
    r("/cases/new", Any, ReportsAnywhere),
    r("/cases/{id}", Any, Scoped),
    r("/cases/{id}/act", Any, Scoped),
    r("/report", Public, ReportsAnywhere),
    q("/report/places", Public, Open, "q=社区"),
    q("/report/locate", Public, Open, "lat=30.27&lng=120.15"),
    r("/track", Public, Scoped),
    r("/track/{no}", Public, Scoped),
    r("/track/{no}/files/{id}", Public, Scoped),
    r("/files/{id}", Any, Scoped),
    r("/events", Any, Stream),
    r("/notifications", Any, Scoped),
    r("/notifications/read", Any, Own),
    r("/stats", Staff, Scoped),
    r("/stats/ranking", Staff, Scoped),
    r("/stats/ranking/weights", Any, Scoped),
    r("/stats/ranking/publish", Any, Scoped),
    r("/stats/rankings/{id}/errata", Any, Scoped),
    r("/stats/dashboard", Staff, Scoped),
    r("/stats/lists", Staff, Scoped),
    r("/stats/lists.xlsx", Staff, Scoped),
    r("/stats/report", Staff, Scoped),
    r("/stats/report.xlsx", Staff, Scoped),
    r("/stats/screen", Staff, Scoped),
    r("/stats/warnings", Staff, Scoped),
    r("/stats/warnings/keywords", Any, Scoped),
    r("/stats/exclusions", Staff, Scoped),
    r("/stats/exclusions/{id}/decide", Any, Scoped),
    r("/stats/duty", Staff, Scoped),
    r("/stats/duty/{id}/remove", Any, Scoped),
    r("/admin/categories", Can(OrgManage), Scoped),
    r("/admin/categories/{code}", Can(OrgManage), Scoped),
    r("/admin/calendar", Can(OrgManage), Scoped),
    r("/people", Can(PeopleView), Scoped),
    r("/people/export.xlsx", Can(PeopleImport), Scoped),
    r("/people/buildings", Can(PeopleView), Scoped),
    r("/people/buildings/{id}", Can(PeopleView), Scoped),
    r("/people/households", Can(PeopleManage), Scoped),
    r("/people/households/{id}", Can(PeopleView), Scoped),
    r("/people/households/{id}/edit", Can(PeopleManage), Scoped),
    r("/people/households/{id}/print", Can(PeopleView), Scoped),
    r("/people/households/{id}/visits", Can(VisitLog), Scoped),
    r(
        "/people/households/{id}/assessments",
        Can(PeopleManage),
        Scoped,
    ),
    r(
        "/people/households/{id}/documents",
        Can(PeopleManage),
        Scoped,
    ),
    r(
        "/people/households/{id}/documents/{doc}",
        Can(PeopleView),
        Scoped,
    ),
    r("/people/residents", Can(PeopleManage), Scoped),
    r("/people/residents/{id}", Can(PeopleView), Scoped),
    r("/people/residents/{id}/edit", Can(PeopleManage), Scoped),
    r("/people/residents/{id}/move", Can(PeopleManage), Scoped),
    r("/people/residents/{id}/reveal", Can(PeopleFullView), Scoped),
    r("/people/assessment-items", Can(PeopleView), Scoped),
    r(
        "/people/assessment-items/{id}/retire",
        Can(PeopleManage),
        Scoped,
    ),
    r("/people/import", Can(PeopleImport), Scoped),
    r("/people/import/template.csv", Public, Open),
    r("/people/import/jobs/{id}", Can(PeopleImport), Scoped),
    r("/people/import/jobs/{id}/status", Can(PeopleImport), Scoped),
    r("/party", Can(PartyView), Scoped),
    r("/party/orgs", Can(PartyManage), Scoped),
    r("/party/orgs/new", Can(PartyManage), Scoped),
    r("/party/orgs/{id}", Can(PartyView), Scoped),
    r("/party/orgs/{id}/dissolve", Can(PartyManage), Scoped),
    r("/party/terms", Can(PartyManage), Scoped),
    r("/party/members", Can(PartyMemberView), Scoped),
    r("/party/members/new", Can(PartyMemberView), Scoped),
    r("/party/members/{id}", Can(PartyMemberView), Scoped),
    r("/party/members/{id}/steps", Can(PartyMemberView), Scoped),
    r("/party/members/{id}/transfer", Can(PartyMemberView), Scoped),
    r("/party/links", Can(PartyMemberView), Scoped),
    r("/party/links/{id}/end", Can(PartyMemberView), Scoped),
    r("/party/coverage", Can(PartyView), Scoped),
    r("/party/meetings", Can(PartyView), Scoped),
    r("/party/meetings/new", Can(PartyMemberView), Scoped),
    r("/party/meetings/{id}", Can(PartyMemberView), Scoped),
    r("/party/compliance", Can(PartyView), Scoped),
    // The caller's own place's rules: a street's staff set their street's (party.rs).
    r("/party/rules", Can(PartyView), Own),
    r("/party/me", Any, Scoped),
    r("/party/centers", Can(PartyView), Scoped),
    r("/party/orgs/{id}/elections", Can(PartyManage), Scoped),
    r("/party/orgs/{id}/units", Can(PartyManage), Scoped),
    r("/party/units/{id}/end", Can(PartyManage), Scoped),
    r("/party/orgs/{id}/reorganize", Can(PartyManage), Scoped),
    r("/party/pledges", Can(PartyView), Scoped),
    r("/party/pledges/{id}/report", Can(PartyView), Scoped),
    r("/party/pledges/{id}/review", Can(PartyManage), Scoped),
    r("/party/wishes", Any, Scoped),
    r("/party/wishes/new", Can(VisitLog), Scoped),
    r("/party/wishes/{id}", Any, Scoped),
    r("/party/wishes/{id}/fulfil", Any, Scoped),
    r("/party/wishes/{id}/{step}", Any, Scoped),
    r("/party/wishes/{id}/photo/{which}", Any, Scoped),
    r("/party/wish-claims/{id}/{step}", Any, Scoped),
    r("/party/campaigns", Any, Scoped),
    r("/party/campaigns/{id}", Any, Scoped),
    r("/party/campaigns/{id}/summary", Can(PartyManage), Scoped),
    r("/party/wish-rules", Can(PartyManage), Scoped),
    r("/wishes", Public, Open),
    // Asks for an errand, which anyone may do about any place, like a report.
    r("/party/errands", Any, ReportsAnywhere),
    r("/party/posts", Can(PartyView), Scoped),
    r("/party/posts/{id}/end", Can(PartyView), Scoped),
    r("/party/units", Can(PartyView), Scoped),
    r("/party/units/{id}", Can(PartyView), Scoped),
    r("/party/units/{id}/leave", Can(PartyManage), Scoped),
    r("/party/serve", Can(PartyView), Scoped),
    r("/party/registrations", Can(PartyView), Scoped),
    r("/party/registrations/{id}/end", Can(PartyManage), Scoped),
    r("/party/registrations/{id}/record", Can(PartyView), Scoped),
    r(
        "/party/registrations/{id}/record.xlsx",
        Can(PartyView),
        Scoped,
    ),
    r("/party/needs", Can(PartyManage), Scoped),
    r("/party/needs/{id}/signups", Can(PartyView), Scoped),
    r("/party/needs/{id}/close", Can(PartyManage), Scoped),
    r("/party/signups/{id}/{step}", Can(PartyView), Scoped),
    r("/party/whistles", Any, Scoped),
    r("/party/whistles/{id}", Any, Scoped),
    r("/party/whistle-calls/{id}/{step}", Any, Scoped),
    r("/party/honours", Can(PartyView), Scoped),
    r("/party/honour-categories", Can(PartyManage), Scoped),
    r("/party/honour-nominations", Can(PartyView), Scoped),
    r("/party/honour-nominations/{id}/{step}", Any, Scoped),
    r("/party/honour-rolls", Any, Scoped),
    r("/honours", Public, Open),
    r("/honours/photo/{id}", Public, Scoped),
    r("/party/stars", Can(PartyView), Scoped),
    r("/party/star-sets", Any, Scoped),
    r("/party/star-sets/{id}", Can(PartyView), Scoped),
    r("/party/stars/{id}", Can(PartyView), Scoped),
    r("/party/stars/{id}/{step}", Any, Scoped),
    r("/party/stars/{id}/assess/{key}", Any, Scoped),
    r("/party/stars/{id}/photo/{file}", Can(PartyView), Scoped),
    r("/party/star-objections/{id}/{step}", Any, Scoped),
    r("/stars", Public, Open),
    r("/party/meetings/{id}/files", Can(PartyMemberView), Scoped),
    r(
        "/party/meetings/{id}/files/{doc}",
        Can(PartyMemberView),
        Scoped,
    ),
    r("/party/centers/{id}/steps", Can(PartyMemberView), Scoped),
    r(
        "/people/import/jobs/{id}/rejected.xlsx",
        Can(PeopleImport),
        Scoped,
    ),
    r("/healthz", Public, Open),
    r("/metrics", Public, Open),
    r("/static/{file}", Public, Open),
];

/// The accounts the walk takes: every role, each that may sit at more than one level at two of
/// them (the demo's, and those [`more_accounts`] adds). Those bound to the district see the other
/// street (it is theirs): they only read.
const ACCOUNTS: &[&str] = &[
    "liuan-admin",
    "liuan-zz",
    "dy-liuan-c",
    "jm-liuan-g",
    "district-cg",
    "admin",
    "district-zz",
    "qinghe-admin",
    "qinghe-zz",
    "liuan-sj",
    "liuan-gz",
    "wgy-liuan-1",
    "qinghe-pcs",
    "ldz-liuan",
    "dy-liuan",
    "jm-liuan",
];

/// The accounts bound to the district.
const WHOLE_TREE: &[&str] = &["admin", "district-zz", "district-cg"];

/// Accounts at the levels the demo leaves out: an administrator and a command centre of a
/// community, a party member bound to a community, a resident bound to a grid, a handler of a
/// district department. Made from the command line (no first password to change).
async fn more_accounts(app: &TestApp) {
    let admin = app.token("admin").await;
    let liuan = app.node_id(&admin, "330199001001").await;
    let grid = app.node_id(&admin, "33019900100101").await;
    let district = app.node_id(&admin, "330199").await;
    let dept = app
        .int(&format!(
            "SELECT MIN(id) FROM departments WHERE org_id = {district}"
        ))
        .await;
    for (username, role, org_id, department_id) in [
        ("liuan-admin", "admin", Some(liuan), None),
        ("liuan-zz", "command_center", Some(liuan), None),
        ("dy-liuan-c", "party_member", Some(liuan), None),
        ("jm-liuan-g", "resident", Some(grid), None),
        ("district-cg", "department_handler", None, Some(dept)),
    ] {
        wangge::users::create(
            &app.db,
            &wangge::web::Caller::cli(),
            wangge::users::NewUser {
                username: username.into(),
                display_name: username.into(),
                role: role.into(),
                org_id,
                department_id,
                password: PW.into(),
                service: false,
            },
        )
        .await
        .unwrap_or_else(|e| panic!("{username}: {e}"));
    }
    app.state.forget_directory();
}

/// Ids of every kind from the other street (望江街道), and the words that name it.
struct Other {
    community: i64,
    building: i64,
    household: i64,
    resident: i64,
    case: i64,
    case_no: String,
    user: i64,
    department: i64,
    token: i64,
    doc: i64,
    file: String,
    item: i64,
    party_org: i64,
    member: i64,
    meeting: i64,
    link: i64,
    center: i64,
    unit: i64,
    pledge: i64,
    wish: i64,
    claim: i64,
    campaign: i64,
    post: i64,
    service_unit: i64,
    registration: i64,
    need: i64,
    signup: i64,
    whistle: i64,
    call: i64,
    nomination: i64,
    star_set: i64,
    star_review: i64,
    star_objection: i64,
    ranking: i64,
    exclusion: i64,
    shift: i64,
    markers: Vec<String>,
}

async fn scalar(app: &TestApp, sql: &str) -> Value {
    app.scalar(sql).await
}

async fn other_street(app: &TestApp) -> Other {
    // 望江街道, made to hold one of everything: its grid worker registers a household and a
    // resident, files a document, its secretary sets an assessment item.
    let admin = app.token("admin").await;
    let street = app.node_id(&admin, "330199002000").await;
    let path: String = scalar(
        app,
        &format!("SELECT path FROM org_nodes WHERE id = {street}"),
    )
    .await
    .as_str()
    .expect("path")
    .to_owned();
    let like = format!("'{path}%'");
    let id = |sql: String| async move { scalar(app, &sql).await.as_i64().expect("id") };
    let community = id(format!(
        "SELECT MIN(id) FROM org_nodes WHERE path LIKE {like} AND level = 'community'"
    ))
    .await;
    let grid_worker = scalar(
        app,
        &format!(
            "SELECT MIN(username) FROM users WHERE org_path LIKE {like} AND role = 'grid_worker'"
        ),
    )
    .await;
    let grid_worker = grid_worker.as_str().expect("a grid worker").to_owned();
    let w = app.token(&grid_worker).await;
    let grid_path: String = scalar(
        app,
        &format!("SELECT org_path FROM users WHERE username = '{grid_worker}'"),
    )
    .await
    .as_str()
    .expect("path")
    .to_owned();
    let building = id(format!(
        "SELECT MIN(id) FROM org_nodes WHERE path LIKE '{grid_path}%' AND level = 'building'"
    ))
    .await;
    let (household, resident) = app
        .household_with_head(
            &w,
            building,
            "江守望",
            &crate::support::id_number((1961, 5, 4), 77),
            json!({}),
        )
        .await;
    let r = app
        .client
        .post(app.url(&format!(
            "/api/v1/households/{household}/documents?type=分家协议&title=分家协议"
        )))
        .bearer_auth(&w)
        .body(b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n".to_vec())
        .send()
        .await
        .expect("document");
    assert_eq!(r.status(), StatusCode::CREATED);
    let doc = id(format!(
        "SELECT MIN(id) FROM household_docs WHERE household_id = {household}"
    ))
    .await;
    let secretary = scalar(
        app,
        &format!(
            "SELECT MIN(username) FROM users WHERE org_id = {community} AND role = 'community_secretary'"
        ),
    )
    .await;
    let sj = app.token(secretary.as_str().expect("a secretary")).await;
    let (s, item) = app
        .send(
            Method::POST,
            &sj,
            "/api/v1/assessment-items",
            json!({"org_id": community, "name": "庭院整洁", "max_score": 10}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{item}");
    let item = item["id"].as_i64().expect("item");
    let user = id(format!(
        "SELECT id FROM users WHERE username = '{grid_worker}'"
    ))
    .await;
    let department = id(format!(
        "SELECT MIN(id) FROM departments WHERE org_path LIKE {like}"
    ))
    .await;
    // A case of the other street with a photo, reported there by its grid worker.
    let photo = upload_photo(app, &w).await;
    let b = building;
    let (s, c) = app
        .send(
            Method::POST,
            &w,
            "/api/v1/cases",
            json!({"title": "江边护栏松动", "description": "江滨步道护栏松动有坠江危险", "building_id": b, "photos": [photo]}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{c}");
    // A token of the other street's administrator.
    let admin_name = scalar(
        app,
        &format!("SELECT MIN(username) FROM users WHERE org_path = '{path}' AND role = 'admin'"),
    )
    .await;
    let wa = app
        .token(admin_name.as_str().expect("the street's administrator"))
        .await;
    let (s, t) = app
        .send(
            Method::POST,
            &wa,
            "/api/v1/tokens",
            json!({"name": "望江大屏"}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{t}");
    let party_org = id(format!(
        "SELECT MIN(id) FROM party_orgs WHERE org_path LIKE {like} AND kind = 'branch'"
    ))
    .await;
    // A member of the other street's branch (the resident above), a household they look
    // after, and a meeting of the branch.
    let cli = wangge::web::Caller::cli();
    use wangge::party::{links, meetings, members};
    let member = members::create(
        &app.state,
        &cli,
        members::MemberInput {
            resident_id: Some(resident),
            party_org_id: Some(party_org),
            stage: "full".into(),
            applied_on: "2010-03-01".into(),
            joined_on: "2012-07-01".into(),
            full_on: "2013-07-01".into(),
            ..Default::default()
        },
    )
    .await
    .expect("a member there")
    .id;
    let link = links::link(
        &app.state,
        &cli,
        links::LinkInput {
            kind: "member".into(),
            household_id: Some(household),
            holder_id: Some(member),
        },
    )
    .await
    .expect("a link there")
    .id;
    let meeting = meetings::record(
        &app.state,
        &cli,
        meetings::MeetingInput {
            party_org_id: Some(party_org),
            kind: "theme_day".into(),
            held_on: "2026-11-02".into(),
            topic: "江滨护栏巡查主题党日".into(),
            attendance: vec![meetings::AttendanceInput {
                member_id: member,
                presence: "present".into(),
                ..Default::default()
            }],
            ..Default::default()
        },
    )
    .await
    .expect("a meeting there")
    .id;
    let center = wangge::party::centers::nominate(
        &app.state,
        &cli,
        wangge::party::centers::NominateInput {
            member_id: Some(member),
            on: "2026-11-02".into(),
            note: "江边人家".into(),
        },
    )
    .await
    .expect("a 中心户 there")
    .id;
    // A joint branch of the other street with a unit, and an election of its branch.
    let committee = id(format!(
        "SELECT MIN(id) FROM party_orgs WHERE org_path LIKE {like} AND kind = 'committee'"
    ))
    .await;
    let joint = wangge::party::service::create(
        &app.db,
        &cli,
        wangge::party::service::OrgInput {
            parent_id: Some(committee),
            org_node_id: Some(community),
            name: "江滨两新联合党支部".into(),
            kind: "branch".into(),
            category: "联合支部".into(),
            ..Default::default()
        },
    )
    .await
    .expect("a joint branch there")
    .id;
    let unit = wangge::party::shape::add_unit(
        &app.db,
        &cli,
        joint,
        wangge::party::shape::UnitInput {
            name: "江滨物流有限公司".into(),
            kind: "企业".into(),
            contact: String::new(),
            joined_on: "2025-01-01".into(),
        },
    )
    .await
    .expect("a unit there")
    .id;
    wangge::party::shape::record_election(
        &app.state,
        &cli,
        party_org,
        wangge::party::shape::ElectionInput {
            kind: "regular".into(),
            held_on: "2026-03-01".into(),
            entitled: Some(1),
            present: Some(1),
            seats: Some(1),
            candidates: Some(1),
            elected: vec![wangge::party::shape::ElectedInput {
                member_id: Some(member),
                post: "secretary".into(),
                votes: Some(1),
            }],
            approval_no: "江组〔2026〕1号".into(),
            note: String::new(),
        },
    )
    .await
    .expect("an election there");
    let pledge = wangge::party::pledges::create(
        &app.state,
        &cli,
        wangge::party::pledges::PledgeInput {
            member_id: Some(member),
            year: None,
            content: "江滨护栏每周巡查一次".into(),
        },
    )
    .await
    .expect("a pledge there")
    .id;
    let campaign = wangge::party::wishes::create_campaign(
        &app.state,
        &cli,
        wangge::party::wishes::CampaignInput {
            org_node_id: Some(community),
            name: "江滨助老行动".into(),
            starts_on: "2026-01-01".into(),
            ends_on: "2026-12-31".into(),
            target: Some(20),
            ..Default::default()
        },
    )
    .await
    .expect("a campaign there")
    .id;
    let wish = wangge::party::wishes::create(
        &app.state,
        &cli,
        wangge::party::wishes::WishInput {
            resident_id: Some(resident),
            title: "江滨助听器".into(),
            value_band: "200_500".into(),
            campaign_id: Some(campaign),
            ..Default::default()
        },
    )
    .await
    .expect("a wish there")
    .id;
    wangge::party::wishes::review(
        &app.state,
        &cli,
        wish,
        wangge::party::wishes::ReviewInput {
            approve: true,
            ..Default::default()
        },
    )
    .await
    .expect("published there");
    let claimed = wangge::party::wishes::claim(
        &app.state,
        &cli,
        wish,
        wangge::party::wishes::ClaimInput {
            on_behalf: "unit".into(),
            unit_name: "江滨物流有限公司".into(),
            ..Default::default()
        },
    )
    .await
    .expect("claimed there");
    let claim = claimed.claims[0].id;
    let post = wangge::party::posts::create(
        &app.state,
        &cli,
        wangge::party::posts::PostInput {
            member_id: Some(member),
            kind: "zone".into(),
            title: "江滨护栏责任区".into(),
            place_id: Some(community),
            since: "2026-01-01".into(),
            ..Default::default()
        },
    )
    .await
    .expect("a post there")
    .id;
    let service_unit = wangge::party::serving::register_unit(
        &app.state,
        &cli,
        wangge::party::serving::UnitInput {
            org_node_id: Some(community),
            name: "江滨港务集团".into(),
            kind: "state_firm".into(),
            signed_on: "2026-01-05".into(),
            needs: "江滨步道照明".into(),
            ..Default::default()
        },
    )
    .await
    .expect("a unit there")
    .id;
    let registration = wangge::party::serving::register(
        &app.state,
        &cli,
        wangge::party::serving::RegistrationInput {
            resident_id: Some(resident),
            work_unit: "江滨港务集团".into(),
            unit_id: Some(service_unit),
            ..Default::default()
        },
    )
    .await
    .expect("a registration there")
    .id;
    let need = wangge::party::serving::post_need(
        &app.state,
        &cli,
        wangge::party::serving::NeedInput {
            org_node_id: Some(community),
            title: "江滨义务理发".into(),
            on_date: wangge::infra::clock::today().to_string(),
            ..Default::default()
        },
    )
    .await
    .expect("a need there")
    .id;
    let signed = wangge::party::serving::sign_up(
        &app.state,
        &cli,
        need,
        wangge::party::serving::SignUpInput {
            registration_id: Some(registration),
        },
    )
    .await
    .expect("signed up there");
    let signup = signed.signups[0].id;
    let whistle = wangge::party::whistles::blow(
        &app.state,
        &cli,
        wangge::party::whistles::WhistleInput {
            org_node_id: Some(community),
            title: "江滨码头油污".into(),
            problem: "码头边有油污漂浮".into(),
            callees: vec![
                wangge::party::whistles::CalleeInput {
                    unit_id: Some(service_unit),
                    ..Default::default()
                },
                wangge::party::whistles::CalleeInput {
                    department_id: Some(department),
                    ..Default::default()
                },
            ],
            ..Default::default()
        },
    )
    .await
    .expect("a whistle there")
    .id;
    let call = wangge::party::whistles::one(&app.state, &cli, whistle)
        .await
        .expect("the whistle")
        .calls[0]
        .id;
    let category = wangge::party::honours::create_category(
        &app.state,
        &cli,
        wangge::party::honours::CategoryInput {
            org_node_id: Some(street),
            name: "江滨好人".into(),
            period_kind: "month".into(),
            quota: Some(3),
            subject: "person".into(),
            ..Default::default()
        },
    )
    .await
    .expect("a category there")
    .id;
    let nomination = wangge::party::honours::nominate(
        &app.state,
        &cli,
        wangge::party::honours::NominationInput {
            category_id: Some(category),
            resident_id: Some(resident),
            citation: "江滨救人的事迹".into(),
            ..Default::default()
        },
    )
    .await
    .expect("a nomination there")
    .id;
    // 五星支部: the street's set, the 江滨 branch's review in 公示 with its self-assessment and
    // an objection.
    let year = chrono::Datelike::year(&wangge::infra::clock::today());
    let star_set = wangge::party::stars::adopt(
        &app.state,
        &cli,
        wangge::party::stars::AdoptInput {
            org_node_id: Some(street),
            year: Some(year),
            kind: "urban".into(),
        },
    )
    .await
    .expect("a star set there")
    .id;
    let star_review = wangge::party::stars::start(
        &app.state,
        &cli,
        wangge::party::stars::StartInput {
            party_org_id: Some(party_org),
            year: Some(year),
        },
    )
    .await
    .expect("a star review there")
    .id;
    wangge::infra::db::exec(
        &app.db,
        "UPDATE star_reviews SET stage = 'public', public_from = $1, \
         assessment = '[{\"key\":\"strong\",\"points\":90,\"text\":\"江滨自评说明\",\"links\":[],\"files\":[]}]' \
         WHERE id = $2",
        vec![
            wangge::infra::clock::today().to_string().into(),
            star_review.into(),
        ],
    )
    .await
    .expect("in 公示");
    wangge::party::stars::step(
        &app.state,
        &cli,
        star_review,
        "object",
        wangge::party::stars::StepInput {
            note: "江滨星级异议".into(),
            ..Default::default()
        },
    )
    .await
    .expect("an objection there");
    let star_objection = id(format!(
        "SELECT MIN(id) FROM star_objections WHERE review_id = {star_review}"
    ))
    .await;
    // A published ranking of the street's communities, last month.
    let last_month = wangge::infra::clock::today()
        .checked_sub_months(chrono::Months::new(1))
        .expect("last month")
        .format("%Y-%m")
        .to_string();
    let ranking = wangge::command::publish::publish(
        &app.db,
        &cli,
        wangge::command::publish::PublishInput {
            org: Some(street),
            month: last_month,
        },
        wangge_core::ranking::RankWeights::default(),
    )
    .await
    .expect("a ranking there");
    // A proposed exclusion of its case, a watched word and a shift on its roster.
    let exclusion = wangge::command::exclusions::propose(
        &app.db,
        &cli,
        wangge::command::exclusions::ProposeInput {
            case_id: c["id"].as_i64(),
            case_no: None,
            reason: "江滨不合理认定理由".into(),
        },
    )
    .await
    .expect("an exclusion there");
    wangge::command::warnings::change_word(
        &app.db,
        &cli,
        wangge::command::warnings::WordInput {
            org: Some(street),
            word: "江滨预警词".into(),
            remove: false,
        },
    )
    .await
    .expect("a word there");
    let their_centre = id(format!(
        "SELECT MIN(id) FROM users WHERE role = 'command_center' AND org_path LIKE '{path}%'"
    ))
    .await;
    let shift = wangge::command::duty::add(
        &app.db,
        &cli,
        wangge::command::duty::ShiftInput {
            org: Some(street),
            day: wangge::infra::clock::today().to_string(),
            user_id: their_centre,
            leader: true,
            note: "江滨值班备注".into(),
        },
    )
    .await
    .expect("a shift there");
    let mut markers = vec![
        "江滨不合理认定理由".to_owned(),
        "江滨预警词".to_owned(),
        "江滨值班备注".to_owned(),
        "江滨自评说明".to_owned(),
        "江滨星级异议".to_owned(),
        "江滨好人".to_owned(),
        "江滨救人的事迹".to_owned(),
        "江滨港务集团".to_owned(),
        "江滨义务理发".to_owned(),
        "江滨码头油污".to_owned(),
        c["case_no"].as_str().expect("no").to_owned(),
        "江滨助老行动".to_owned(),
        "江滨护栏责任区".to_owned(),
        "江守望".to_owned(),
        "江滨护栏每周巡查一次".to_owned(),
        "江滨物流有限公司".to_owned(),
        "江组〔2026〕1号".to_owned(),
        "江滨护栏巡查主题党日".to_owned(),
    ];
    let names = app
        .db
        .query_all_raw(sea_orm::Statement::from_string(
            app.db.get_database_backend(),
            format!(
                "SELECT name FROM org_nodes WHERE path LIKE {like} AND level IN ('township', 'community') \
                 UNION SELECT name FROM departments WHERE org_path LIKE {like} \
                 UNION SELECT name FROM party_orgs WHERE org_path LIKE {like}"
            ),
        ))
        .await
        .expect("names");
    for n in names {
        markers.push(n.try_get_by_index::<String>(0).expect("name"));
    }
    Other {
        community,
        building,
        household,
        resident,
        case: c["id"].as_i64().expect("id"),
        case_no: c["case_no"].as_str().expect("no").to_owned(),
        user,
        department,
        token: t["id"].as_i64().expect("token id"),
        doc,
        file: photo,
        item,
        party_org,
        member,
        meeting,
        link,
        center,
        unit,
        pledge,
        wish,
        claim,
        campaign,
        post,
        service_unit,
        registration,
        need,
        signup,
        whistle,
        call,
        nomination,
        star_set,
        star_review,
        star_objection,
        ranking,
        exclusion,
        shift,
        markers,
    }
}

/// A tiny JPEG, uploaded by `token`; its id.
pub async fn upload_photo(app: &TestApp, token: &str) -> String {
    let jpeg = crate::support::tiny_jpeg();
    let r = app
        .client
        .post(app.url("/api/v1/files"))
        .bearer_auth(token)
        .body(jpeg)
        .send()
        .await
        .expect("upload");
    assert_eq!(r.status(), StatusCode::CREATED);
    let v: Value = r.json().await.expect("json");
    v["id"].as_str().expect("id").to_owned()
}

/// The route's path with its parameters taken from the other street.
fn fill(path: &str, o: &Other) -> String {
    let id = if path.contains("/tokens/") {
        o.token.to_string()
    } else if path.contains("/org/nodes/") {
        o.community.to_string()
    } else if path.contains("/departments/") {
        o.department.to_string()
    } else if path.contains("/users/") {
        o.user.to_string()
    } else if path.contains("/cases/") {
        o.case.to_string()
    } else if path.contains("/residents/") {
        o.resident.to_string()
    } else if path.contains("/buildings/") {
        o.building.to_string()
    } else if path.contains("/households/") {
        o.household.to_string()
    } else if path.contains("/assessment-items/") {
        o.item.to_string()
    } else if path.contains("/party/orgs/") {
        o.party_org.to_string()
    } else if path.contains("/party/members/") {
        o.member.to_string()
    } else if path.contains("/party/meetings/") {
        o.meeting.to_string()
    } else if path.contains("/party/links/") {
        o.link.to_string()
    } else if path.contains("/party/centers/") {
        o.center.to_string()
    } else if path.contains("/party/units/") && path.ends_with("/end") {
        o.unit.to_string()
    } else if path.contains("/party/units/") {
        o.service_unit.to_string()
    } else if path.contains("/party/registrations/") {
        o.registration.to_string()
    } else if path.contains("/party/needs/") {
        o.need.to_string()
    } else if path.contains("/party/signups/") {
        o.signup.to_string()
    } else if path.contains("/party/whistles/") {
        o.whistle.to_string()
    } else if path.contains("/party/whistle-calls/") {
        o.call.to_string()
    } else if path.contains("/stats/rankings/") {
        o.ranking.to_string()
    } else if path.contains("/stats/exclusions/") {
        o.exclusion.to_string()
    } else if path.contains("/stats/duty/") {
        o.shift.to_string()
    } else if path.contains("/party/star-sets/") {
        o.star_set.to_string()
    } else if path.contains("/party/star-reviews/") || path.contains("/party/stars/") {
        o.star_review.to_string()
    } else if path.contains("/party/star-objections/") {
        o.star_objection.to_string()
    } else if path.contains("/party/honour-nominations/") || path.contains("/honours/photo/") {
        o.nomination.to_string()
    } else if path.contains("/party/pledges/") {
        o.pledge.to_string()
    } else if path.contains("/party/wishes/") {
        o.wish.to_string()
    } else if path.contains("/party/wish-claims/") {
        o.claim.to_string()
    } else if path.contains("/party/campaigns/") {
        o.campaign.to_string()
    } else if path.contains("/party/posts/") {
        o.post.to_string()
    } else if path.contains("/import/jobs/") {
        "1".to_owned()
    } else if path.contains("/files/") {
        o.file.clone()
    } else {
        String::new()
    };
    path.replace("{id}", &id)
        .replace("{code}", "WY03")
        .replace("{date}", "2027-01-01")
        .replace("{no}", &o.case_no)
        .replace("{doc}", &o.doc.to_string())
        .replace("{file}", "app.css")
        .replace("{step}", "claim")
        .replace("{which}", "wish")
        .replace("{key}", "strong")
}

/// A body that points every reference it can at the other street.
fn body(o: &Other) -> Value {
    json!({
        "org_id": o.community, "parent_id": o.community, "building_id": o.building,
        "household_id": o.household, "to_household": o.household, "department_id": o.department,
        "org_node_id": o.community,
        "id": o.resident, "name": "越权测试", "title": "越权测试", "description": "越权测试",
        "username": "wgy-jiangbin-1", "display_name": "越权", "role": "grid_worker",
        "password": "guess-2026-x", "version": 1, "action": "accept", "kind": "holiday",
        "text": "越权", "passed": true, "into": o.case_no, "room": "999", "id_number": "",
        "period": "2026", "scores": {}, "notes": "越权", "max_score": 10, "handler": "grid",
        "response": "1wh", "handling": "1wd", "date": "2027-01-01", "no": o.case_no,
        "tail": "0000", "t": "x", "target": format!("n{}", o.community), "active": "1",
    })
}

fn form_of(v: &Value) -> String {
    v.as_object()
        .map(|m| {
            m.iter()
                .map(|(k, v)| {
                    let s = match v {
                        Value::String(s) => s.clone(),
                        other => other.to_string(),
                    };
                    format!("{k}={}", wangge::web::urlencode(&s))
                })
                .collect::<Vec<_>>()
                .join("&")
        })
        .unwrap_or_default()
}

/// The methods a path answers, read from the 405 a method it does not have gets.
async fn methods(app: &TestApp, token: &str, path: &str) -> Vec<Method> {
    let r = app
        .client
        .request(
            Method::from_bytes(b"PROPFIND").expect("method"),
            app.url(path),
        )
        .bearer_auth(token)
        .send()
        .await
        .expect("probe");
    assert_eq!(r.status(), StatusCode::METHOD_NOT_ALLOWED, "{path}");
    r.headers()
        .get("allow")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .split(',')
        .filter_map(|m| Method::from_bytes(m.trim().as_bytes()).ok())
        .filter(|m| *m != Method::HEAD)
        .collect()
}

fn allowed(who: Who, role: Role) -> bool {
    match who {
        Public | Any => true,
        Staff => role.is_staff(),
        Can(p) => role.can(p),
    }
}

/// What the other street holds, summed: changes to any of it show here.
async fn fingerprint(app: &TestApp) -> Vec<Value> {
    // Reads of a member's record are audited by design (as a full ID view is): they are not
    // writes to the other street's data.
    let mut out = vec![json!(
        scalar(app, "SELECT COUNT(*) FROM audit_log WHERE action <> 'view'")
            .await
            .to_string()
    )];
    for sql in [
        "SELECT COALESCE(SUM(version), 0) FROM org_nodes",
        "SELECT COUNT(*) FROM org_nodes WHERE status = 'active'",
        "SELECT COALESCE(SUM(version), 0) FROM users",
        "SELECT COALESCE(SUM(version), 0) FROM residents",
        "SELECT COALESCE(SUM(version), 0) FROM households",
        "SELECT COALESCE(SUM(version), 0) FROM cases",
        "SELECT COUNT(*) FROM case_events",
        "SELECT COUNT(*) FROM api_tokens WHERE revoked_at IS NULL",
        "SELECT COUNT(*) FROM visits",
        "SELECT COUNT(*) FROM assessments",
        "SELECT COUNT(*) FROM tags",
        "SELECT COUNT(*) FROM calendar_days",
        "SELECT COALESCE(SUM(version), 0) FROM categories",
        "SELECT COUNT(*) FROM departments",
        "SELECT COUNT(*) FROM household_docs",
        "SELECT COALESCE(SUM(version), 0) FROM party_members",
        "SELECT COUNT(*) FROM party_member_steps",
        "SELECT COUNT(*) FROM party_links WHERE status = 'active'",
        "SELECT COUNT(*) FROM party_meetings",
        "SELECT COALESCE(SUM(version), 0) FROM party_centers",
        "SELECT COUNT(*) FROM party_meeting_files",
        "SELECT COUNT(*) FROM settings WHERE name LIKE 'party.%'",
        "SELECT COALESCE(SUM(version), 0) FROM party_units",
        "SELECT COUNT(*) FROM party_registrations WHERE status = 'active'",
        "SELECT COALESCE(SUM(version), 0) FROM party_needs",
        "SELECT COUNT(*) FROM party_signups WHERE state = 'signed'",
        "SELECT COUNT(*) FROM party_whistles WHERE status = 'open'",
        "SELECT COUNT(*) FROM party_whistle_calls WHERE answered_at IS NULL AND arrived_at IS NULL",
        "SELECT COUNT(*) FROM honour_categories",
        "SELECT COUNT(*) FROM honour_nominations WHERE status = 'nominated'",
        "SELECT COUNT(*) FROM honour_rolls",
        "SELECT COALESCE(MAX(updated_at), 0) FROM star_sets",
        "SELECT COALESCE(MAX(updated_at), 0) FROM star_reviews",
        "SELECT COUNT(*) FROM star_objections WHERE status = 'open'",
        "SELECT COUNT(*) FROM star_withdrawals",
        "SELECT COUNT(*) FROM rankings",
        "SELECT COUNT(*) FROM ranking_weights",
        "SELECT COUNT(*) FROM ranking_errata",
        "SELECT COUNT(*) FROM case_exclusions WHERE status = 'proposed'",
        "SELECT COUNT(*) FROM warning_keywords",
        "SELECT COUNT(*) FROM duty_shifts",
    ] {
        out.push(json!(scalar(app, sql).await.to_string()));
    }
    out
}

#[tokio::test]
async fn every_route_keeps_scope_and_role_for_every_account() {
    let app = TestApp::spawn().await;
    // The table and the router agree, both ways.
    let paths = wangge::app::route_paths(&app.state);
    for p in &paths {
        assert!(
            ROUTES.iter().any(|r| r.path == p),
            "the route {p} is not in tests/it/routes.rs: say who may call it"
        );
    }
    for r in ROUTES {
        assert!(
            paths.iter().any(|p| p == r.path),
            "{} is no longer a route",
            r.path
        );
    }
    let o = other_street(&app).await;
    // A case in 柳岸 grid 1, reported by a resident and dispatched to the grid, so that the
    // to-do lists and case lists below have something that waits on the grid.
    {
        let admin = app.token("admin").await;
        let grid = app.node_id(&admin, "33019900100101").await;
        let (_, kids) = app
            .get(&admin, &format!("/api/v1/org/nodes?parent_id={grid}"))
            .await;
        let building = kids[0]["id"].as_i64().expect("a building");
        let jm = app.token("jm-liuan").await;
        let (s, c) = app
            .send(
                Method::POST,
                &jm,
                "/api/v1/cases",
                json!({"title": "楼道灯不亮", "description": "三楼楼道灯坏了一周", "category": "WY03", "building_id": building}),
            )
            .await;
        assert_eq!(s, StatusCode::CREATED, "{c}");
        let sj = app.token("liuan-sj").await;
        let (s, v) = app
            .send(
                Method::POST,
                &sj,
                &format!("/api/v1/cases/{}/actions", c["id"]),
                json!({"action": "dispatch", "org_id": grid, "version": c["version"]}),
            )
            .await;
        assert_eq!(s, StatusCode::OK, "{v}");
    }
    more_accounts(&app).await;
    let mut tokens = Vec::new();
    for a in ACCOUNTS {
        tokens.push((*a, app.token(a).await));
    }
    let roles: Vec<(String, Role)> = {
        let mut out = Vec::new();
        for (a, t) in &tokens {
            let (_, me) = app.get(t, "/api/v1/me").await;
            let role = me["role"]
                .as_str()
                .and_then(Role::parse)
                .unwrap_or_else(|| panic!("{a}'s role: {me}"));
            out.push(((*a).to_owned(), role));
        }
        out
    };
    let before = fingerprint(&app).await;
    let mut requests = 0;
    for route in ROUTES {
        let url_path = fill(route.path, &o);
        let has_id = route.path.contains('{') && !route.path.starts_with("/static/");
        let ms = methods(&app, &tokens[0].1, &url_path).await;
        assert!(!ms.is_empty(), "{}", route.path);
        for ((name, token), (_, role)) in tokens.iter().zip(&roles) {
            let district = WHOLE_TREE.contains(name);
            for m in &ms {
                let unsafe_method = *m != Method::GET;
                if unsafe_method
                    && (district || matches!(route.shape, Own | ReportsAnywhere | Stream))
                {
                    continue;
                }
                if matches!(route.shape, Own) && route.path.contains("logout") {
                    continue;
                }
                let full = if route.query.is_empty() || unsafe_method {
                    url_path.clone()
                } else {
                    format!("{url_path}?{}", route.query)
                };
                let mut rb = app
                    .client
                    .request(m.clone(), app.url(&full))
                    .bearer_auth(token)
                    .timeout(std::time::Duration::from_secs(20));
                if unsafe_method {
                    let b = body(&o);
                    rb = if route.path.starts_with("/api/") {
                        rb.json(&b)
                    } else {
                        rb.header("content-type", "application/x-www-form-urlencoded")
                            .body(form_of(&b))
                    };
                }
                let resp = rb.send().await.expect("request");
                requests += 1;
                let status = resp.status();
                let what = format!("{m} {full} as {name}");
                assert!(!status.is_server_error(), "{what}: {status}");
                if route.shape == Stream {
                    continue;
                }
                let text = resp.text().await.unwrap_or_default();
                if unsafe_method {
                    assert!(
                        !status.is_success(),
                        "{what} aimed at the other street answered {status}: {}",
                        &text[..text.len().min(300)]
                    );
                    continue;
                }
                // GET from here on.
                if !district && route.shape == Scoped {
                    if has_id && route.path != "/static/{file}" {
                        assert!(
                            !status.is_success(),
                            "{what}: another street's id answered {status}"
                        );
                    }
                    for mk in &o.markers {
                        assert!(
                            !text.contains(mk.as_str()),
                            "{what} shows “{mk}” of the other street"
                        );
                    }
                }
                if !has_id && route.shape != Own {
                    let may = allowed(route.who, *role);
                    let served = status.is_success()
                        || (status == StatusCode::SEE_OTHER && route.who == Public);
                    assert_eq!(
                        served,
                        may,
                        "{what}: {status} for a {} ({})",
                        role.label(),
                        &text[..text.len().min(200)]
                    );
                }
            }
        }
    }
    eprintln!("{requests} requests");
    assert!(requests > 1000, "{requests} requests");
    assert_eq!(
        fingerprint(&app).await,
        before,
        "nothing was written by any request aimed at the other street"
    );

    // What a list shows, its detail opens: the to-do list and the case list of every account.
    for (name, token) in &tokens {
        for list in ["/api/v1/todo", "/api/v1/cases?per_page=100"] {
            let (s, v) = app.get(token, list).await;
            assert_eq!(s, StatusCode::OK, "{list} as {name}");
            let items = v
                .as_array()
                .or_else(|| v["items"].as_array())
                .cloned()
                .unwrap_or_default();
            for c in items {
                let id = c["id"].as_i64().expect("id");
                let (s, _) = app.get(token, &format!("/api/v1/cases/{id}")).await;
                assert_eq!(
                    s,
                    StatusCode::OK,
                    "{name} sees case {id} in {list} but cannot open it"
                );
            }
        }
    }
}

impl PartialEq for Who {
    fn eq(&self, other: &Who) -> bool {
        std::mem::discriminant(self) == std::mem::discriminant(other)
    }
}
