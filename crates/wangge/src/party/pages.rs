//! The party slice's pages: the tree, setting up an organization, its page (edit, dissolve),
//! and the panel on an org node's page.

use super::service::{self, OrgInput, OrgView};
use crate::infra::error::{AppError, AppResult};
use crate::web::{Actor, Base, Caller, Choice, Html, PageActor, PageCtx, Panel, Query, choice};
use crate::web::{done, respond};
use askama::Template;
use axum::Form;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use wangge_core::Permission;
use wangge_core::party::{BranchCategory, PartyKind};

/// A row of the tree as the page lists it.
struct Line {
    depth: usize,
    org: OrgView,
}

#[derive(Template)]
#[template(path = "party/tree.html")]
struct TreePage {
    ctx: PageCtx,
    tabs: super::member_pages::Tabs,
    lines: Vec<Line>,
    can_manage: bool,
    overdue: usize,
    due_soon: usize,
    counts: Vec<(&'static str, usize)>,
    terms: wangge_core::party::Terms,
    /// Whether the caller sets the terms (the district's party staff).
    can_set_terms: bool,
}

/// `GET /party`
pub async fn tree(State(st): State<Base>, PageActor(actor): PageActor) -> Response {
    let run = async {
        let c = actor.caller();
        let tree = service::tree(&st.db, &c).await?;
        let lines: Vec<Line> = service::flatten(&tree)
            .into_iter()
            .map(|(depth, org)| Line {
                depth,
                org: OrgView {
                    children: Vec::new(),
                    ..org.clone()
                },
            })
            .collect();
        let t = service::tally(lines.iter().map(|l| &l.org));
        let ctx = PageCtx::new(&st, &actor, "党组织", "party").await?;
        Ok::<_, AppError>(Html(
            TreePage {
                ctx,
                tabs: super::member_pages::tabs(&c, "orgs"),
                overdue: t.overdue,
                due_soon: t.due_soon,
                lines,
                can_manage: actor.can(Permission::PartyManage),
                counts: t.by_kind,
                terms: service::terms(&st.db).await?,
                can_set_terms: actor.can(Permission::PartyManage) && actor.scope.is_whole_tree(),
            }
            .render(),
        ))
    };
    respond(&st, &actor, run.await.map(IntoResponse::into_response)).await
}

/// What the forms send (strings: an empty select is no choice).
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct OrgForm {
    parent_id: String,
    org_node_id: String,
    name: String,
    kind: String,
    category: String,
    secretary: String,
    founded_on: String,
    elected_on: String,
    note: String,
    version: String,
}

fn id_of(what: &str, s: &str) -> AppResult<Option<i64>> {
    match s.trim() {
        "" => Ok(None),
        t => t
            .parse()
            .map(Some)
            .map_err(|_| AppError::bad("invalid_input", format!("{what}无效"))),
    }
}

impl OrgForm {
    fn input(self) -> AppResult<OrgInput> {
        Ok(OrgInput {
            parent_id: id_of("上级党组织", &self.parent_id)?,
            org_node_id: id_of("所在节点", &self.org_node_id)?,
            name: self.name,
            kind: self.kind,
            category: self.category,
            secretary: self.secretary,
            founded_on: self.founded_on,
            elected_on: self.elected_on,
            note: self.note,
            version: id_of("版本号", &self.version)?.and_then(|v| i32::try_from(v).ok()),
        })
    }
}

/// Where the new organization's form starts: under a parent, or at a node.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct NewQuery {
    parent: Option<i64>,
    node: Option<i64>,
}

#[derive(Template)]
#[template(path = "party/new.html")]
struct NewPage {
    ctx: PageCtx,
    parents: Vec<Choice>,
    nodes: Vec<Choice>,
    kinds: Vec<Choice>,
    categories: Vec<Choice>,
    parent: String,
    node: String,
    /// The kind offered first: the first that may sit under the parent.
    kind: String,
}

/// The nodes an organization may be attached to: the caller's subtree down to the grids.
async fn node_choices(st: &Base, c: &Caller) -> AppResult<Vec<Choice>> {
    use crate::org::entity::node;
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};
    let rows = node::Entity::find()
        .filter(c.scope_cond("path"))
        .filter(node::Column::Status.eq("active"))
        .filter(node::Column::Level.is_in(["district", "township", "community", "grid"]))
        .order_by_asc(node::Column::Path)
        .all(&st.db)
        .await?;
    Ok(rows
        .into_iter()
        .map(|n| {
            let depth = n.path.matches('/').count().saturating_sub(2);
            let level = wangge_core::OrgLevel::parse(&n.level).map_or("", |l| l.label());
            choice(n.id, format!("{}{}（{level}）", "　".repeat(depth), n.name))
        })
        .collect())
}

fn kind_choices() -> Vec<Choice> {
    super::member_pages::choices_of(&PartyKind::ALL, PartyKind::as_str, PartyKind::label)
}

fn category_choices() -> Vec<Choice> {
    super::member_pages::choices_of(
        &BranchCategory::ALL,
        BranchCategory::as_str,
        BranchCategory::label,
    )
}

fn parent_choices(tree: &[OrgView]) -> Vec<Choice> {
    service::flatten(tree)
        .into_iter()
        .filter(|(_, o)| o.kind != PartyKind::Group.as_str())
        .map(|(d, o)| {
            choice(
                o.id,
                format!("{}{}（{}）", "　".repeat(d), o.name, o.kind_label),
            )
        })
        .collect()
}

/// `GET /party/orgs/new`
pub async fn new_org(
    State(st): State<Base>,
    PageActor(actor): PageActor,
    Query(q): Query<NewQuery>,
) -> Response {
    let run = async {
        actor.require(Permission::PartyManage)?;
        let c = actor.caller();
        let tree = service::tree(&st.db, &c).await?;
        let kind = match q.parent {
            Some(p) => service::flatten(&tree)
                .into_iter()
                .find(|(_, o)| o.id == p)
                .and_then(|(_, o)| PartyKind::parse(&o.kind))
                .and_then(|k| k.children().first().copied()),
            None => None,
        }
        .unwrap_or(PartyKind::Committee);
        let ctx = PageCtx::new(&st, &actor, "建立党组织", "party").await?;
        Ok::<_, AppError>(Html(
            NewPage {
                ctx,
                parents: parent_choices(&tree),
                nodes: node_choices(&st, &c).await?,
                kinds: kind_choices(),
                categories: category_choices(),
                parent: q.parent.map(|p| p.to_string()).unwrap_or_default(),
                node: q.node.map(|n| n.to_string()).unwrap_or_default(),
                kind: kind.as_str().to_owned(),
            }
            .render(),
        ))
    };
    respond(&st, &actor, run.await.map(IntoResponse::into_response)).await
}

/// `POST /party/orgs`
pub async fn create(
    State(st): State<Base>,
    PageActor(actor): PageActor,
    Form(f): Form<OrgForm>,
) -> Response {
    let c = actor.caller();
    let made = match f.input() {
        Ok(input) => service::create(&st.db, &c, input).await,
        Err(e) => Err(e),
    };
    match made {
        Ok(row) => crate::web::flash_redirect(&format!("/party/orgs/{}", row.id), true, "已建立"),
        Err(e) => done::<()>(Err(e), "/party/orgs/new", ""),
    }
}

#[derive(Template)]
#[template(path = "party/detail.html")]
struct DetailPage {
    ctx: PageCtx,
    tabs: super::member_pages::Tabs,
    org: OrgView,
    parent: Option<OrgView>,
    children: Vec<OrgView>,
    categories: Vec<Choice>,
    can_manage: bool,
    shape: super::shape_pages::Extras,
    /// For a branch: the errands its members finished this year.
    errands: Option<super::errands::BranchErrands>,
    year: i32,
}

/// `GET /party/orgs/{id}`
pub async fn detail(
    State(st): State<Base>,
    PageActor(actor): PageActor,
    Path(id): Path<i64>,
) -> Response {
    let run = async {
        let c = actor.caller();
        let row = service::find(&st.db, &c, id).await?;
        let org = super::api::one(&st, &row).await?;
        // The parent is named only when the caller may see it.
        let parent = match row.parent_id {
            Some(p) => match service::find(&st.db, &c, p).await {
                Ok(p) => Some(super::api::one(&st, &p).await?),
                Err(AppError::NotFound(_)) => None,
                Err(e) => return Err(e),
            },
            None => None,
        };
        let children = super::api::children(&st, &c, id).await?;
        let shape = super::shape_pages::extras(&st, &c, &row).await?;
        let year = chrono::Datelike::year(&crate::infra::clock::today());
        let errands = if row.kind == "branch" {
            super::errands::branch_totals(&st, &c, year)
                .await?
                .into_iter()
                .find(|b| b.party_org_id == row.id)
        } else {
            None
        };
        let ctx = PageCtx::new(&st, &actor, &org.name, "party").await?;
        Ok::<_, AppError>(Html(
            DetailPage {
                ctx,
                tabs: super::member_pages::tabs(&c, "orgs"),
                org,
                parent,
                children,
                categories: category_choices(),
                can_manage: actor.can(Permission::PartyManage),
                shape,
                errands,
                year,
            }
            .render(),
        ))
    };
    respond(&st, &actor, run.await.map(IntoResponse::into_response)).await
}

/// `POST /party/orgs/{id}`
pub async fn update(
    State(st): State<Base>,
    PageActor(actor): PageActor,
    Path(id): Path<i64>,
    Form(f): Form<OrgForm>,
) -> Response {
    let to = format!("/party/orgs/{id}");
    let r = match f.input() {
        Ok(input) => service::update(&st.db, &actor.caller(), id, input).await,
        Err(e) => Err(e),
    };
    done(r, &to, "已保存")
}

/// `POST /party/orgs/{id}/dissolve`
pub async fn dissolve(
    State(st): State<Base>,
    PageActor(actor): PageActor,
    Path(id): Path<i64>,
    Form(f): Form<OrgForm>,
) -> Response {
    let version = id_of("版本号", &f.version)
        .ok()
        .flatten()
        .and_then(|v| i32::try_from(v).ok());
    match service::dissolve(&st.db, &actor.caller(), id, version).await {
        Ok(()) => crate::web::flash_redirect("/party", true, "已撤销"),
        Err(e) => done::<()>(Err(e), &format!("/party/orgs/{id}"), ""),
    }
}

/// What the terms form sends.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct TermsForm {
    grassroots: String,
    other: String,
}

/// `POST /party/terms`
pub async fn set_terms(
    State(st): State<Base>,
    PageActor(actor): PageActor,
    Form(f): Form<TermsForm>,
) -> Response {
    let years = |what: &str, s: &str| {
        s.trim()
            .parse::<u32>()
            .map_err(|_| AppError::bad("bad_term", format!("{what}应为 1 到 10 的整数")))
    };
    let r = match (
        years("村、社区党组织的任期", &f.grassroots),
        years("其他党组织的任期", &f.other),
    ) {
        (Ok(g), Ok(o)) => service::set_terms(&st.db, &actor.caller(), g, o).await,
        (Err(e), _) | (_, Err(e)) => Err(e),
    };
    done(r, "/party", "已设定任期")
}

#[derive(Template)]
#[template(path = "party/node_panel.html")]
struct NodePanelPage {
    node: i64,
    orgs: Vec<OrgView>,
    can_add: bool,
}

/// The party organizations attached to a node, on the node's page.
pub fn node_panel<'a>(
    st: &'a Base,
    c: &'a Caller,
    node: crate::web::NodeRef,
) -> futures_util::future::BoxFuture<'a, AppResult<Option<Panel>>> {
    Box::pin(async move {
        if c.role.is_some_and(|r| !r.can(Permission::PartyView)) {
            return Ok(None);
        }
        let orgs = service::at_node(&st.db, c, node.id).await?;
        let holds = !orgs.is_empty();
        let can_add = !node.retired && c.role.is_none_or(|r| r.can(Permission::PartyManage));
        if orgs.is_empty() && !can_add {
            return Ok(None);
        }
        let html = NodePanelPage {
            node: node.id,
            orgs,
            can_add,
        }
        .render()
        .map_err(|e| AppError::Internal(anyhow::anyhow!("template: {e}")))?;
        Ok(Some(Panel { html, holds }))
    })
}

/// Whether the actor may (for templates).
trait Can {
    fn can(&self, p: Permission) -> bool;
}

impl Can for Actor {
    fn can(&self, p: Permission) -> bool {
        self.role.can(p)
    }
}
