//! Intake (上报): a report is checked, placed on its grid, classified and routed without
//! touching the database (the org tree, departments and staff come from the in-memory
//! [`Directory`], the categories from the catalog), then handed to one [`Writer`] task that
//! lands the reports waiting at that moment in one transaction: their case numbers, rows,
//! first timeline steps, audit entries and the notifications to the screeners of each queue.
//!
//! Group commit is what makes intake scale on SQLite, which has one writer: a burst of reports
//! costs one transaction, not one each. A report is answered only after its transaction
//! committed; when a batch fails, its reports are retried one by one so that one bad report
//! cannot fail the others.

use super::CasesState;
use super::catalog::Catalog;
use super::entity::{case, event};
use super::notify::{self, Note};
use super::service::{
    By, EventIn, SOURCES, attach, event_row, level_of, opening, photo_ids, route_from,
    township_path,
};
use crate::cases::directory::Directory;
use crate::infra::audit::{self, Entry, Who};
use crate::infra::clock::bj;
use crate::infra::error::{AppError, AppResult, stored_path};
use crate::infra::vault::Field;
use crate::org::entity::node;
use crate::web::Actor;
use sea_orm::{ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter, Set};
use serde::Deserialize;
use serde_json::json;
use std::collections::HashMap;
use std::sync::Arc;
use tokio::sync::{mpsc, oneshot};
use wangge_core::category::{Category, HandlerLevel};
use wangge_core::geo::Point;
use wangge_core::org::OrgLevel;
use wangge_core::routing::Target;
use wangge_core::{Role, validate};

/// A report, as the API and the forms send it.
#[derive(Debug, Default, Deserialize)]
pub struct NewCase {
    /// 标题.
    #[serde(default)]
    pub title: String,
    /// 描述.
    #[serde(default)]
    pub description: String,
    /// Category code; suggested from the text when absent.
    #[serde(default)]
    pub category: Option<String>,
    /// appeal / incident.
    #[serde(default)]
    pub kind: Option<String>,
    /// resident / patrol / hotline / api; defaults from the caller.
    #[serde(default)]
    pub source: Option<String>,
    /// A picked building.
    #[serde(default)]
    pub building_id: Option<i64>,
    /// A point (WGS-84).
    #[serde(default)]
    pub lat: Option<f64>,
    /// A point (WGS-84).
    #[serde(default)]
    pub lng: Option<f64>,
    /// A picked node (community or grid) when there is no building or point.
    #[serde(default)]
    pub org_id: Option<i64>,
    /// Free-text address.
    #[serde(default)]
    pub address: Option<String>,
    /// The reporter's name (hotline calls and anonymous reports).
    #[serde(default)]
    pub reporter_name: Option<String>,
    /// The reporter's phone (required for anonymous reports).
    #[serde(default)]
    pub reporter_phone: Option<String>,
    /// Keep my identity private (shown to handlers as 匿名).
    #[serde(default)]
    pub private: bool,
    /// Photos uploaded before (their ids from `POST /api/v1/files`).
    #[serde(default)]
    pub photos: Vec<String>,
}

/// Who reports: an account, or someone on the public page.
pub enum Reporter<'a> {
    /// Logged in.
    Account(&'a Actor),
    /// The public page, with the client address.
    Public {
        /// For the audit log.
        ip: String,
    },
}

/// What intake answers.
pub struct Created {
    /// The case.
    pub case: case::Model,
    /// The private follow-up token (only for a new public report).
    pub track_token: Option<String>,
    /// Whether an earlier request with the same idempotency key created it.
    pub replayed: bool,
    /// A note for the reporter (e.g. the location is outside every grid).
    pub notice: Option<String>,
}

/// A report's text field by the one rule for free text, with the field's own error code.
fn need_text(
    what: &str,
    code: &'static str,
    s: &str,
    max: usize,
    lines: validate::Lines,
) -> AppResult<String> {
    validate::text(what, s, max, lines, true).map_err(|e| AppError::bad(code, e.0))
}

/// Checks a phone number: an 11-digit mobile or a landline with its area code.
pub fn parse_phone(s: &str) -> AppResult<String> {
    wangge_core::people::Phone::parse(s)
        .map(|p| p.expose().to_owned())
        .map_err(|e| AppError::bad("bad_phone", e.0))
}

/// The place a report lands on.
struct Landing {
    /// The grid (or the fallback node).
    node: node::Model,
    building_id: Option<i64>,
    located: bool,
}

/// Finds the grid of a report from its building, point or picked node.
fn land(dir: &Directory, input: &NewCase, home: Option<i64>) -> AppResult<Landing> {
    let parent = |n: &node::Model| n.parent_id.and_then(|p| dir.active(p)).cloned();
    if let Some(b) = input.building_id {
        let bad = || AppError::bad("bad_building", "所选楼栋不存在或已停用");
        let n = dir
            .active(b)
            .filter(|n| level_of(n) == Some(OrgLevel::Building))
            .ok_or_else(bad)?;
        return Ok(Landing {
            node: parent(n).ok_or_else(bad)?,
            building_id: Some(n.id),
            located: true,
        });
    }
    if let (Some(lat), Some(lng)) = (input.lat, input.lng) {
        if !(3.0..=54.0).contains(&lat) || !(73.0..=136.0).contains(&lng) {
            return Err(AppError::bad("bad_point", "坐标不在中国境内，请重新选点"));
        }
        if let Some(g) = dir.grid_at((lng, lat) as Point) {
            return Ok(Landing {
                node: g.clone(),
                building_id: None,
                located: true,
            });
        }
    }
    let n = input
        .org_id
        .or(home)
        .and_then(|id| dir.active(id))
        .ok_or_else(|| {
            AppError::bad(
                "no_location",
                "请选择事发楼栋、在地图上选点，或选择所在社区（村）",
            )
        })?;
    if level_of(n) == Some(OrgLevel::Building)
        && let Some(g) = parent(n)
    {
        return Ok(Landing {
            node: g,
            building_id: Some(n.id),
            located: true,
        });
    }
    Ok(Landing {
        node: n.clone(),
        building_id: None,
        located: matches!(level_of(n), Some(OrgLevel::Grid | OrgLevel::MicroGrid)),
    })
}

/// Which node screens a new case: the community for what the grid or community handles
/// ("大事不出社区"), the street or town for the rest; the nearest that exists.
fn dispatch_level<'a>(nodes: &'a [node::Model], cat: &Category) -> Option<&'a node::Model> {
    let want: &[&str] = match cat.handler {
        HandlerLevel::Grid | HandlerLevel::Community => &["community", "township", "district"],
        HandlerLevel::Township | HandlerLevel::Department => &["township", "district"],
    };
    want.iter()
        .find_map(|l| nodes.iter().find(|n| n.level == *l && n.status == "active"))
}

/// A checked report, ready to be written.
struct Pending {
    /// The case as it will be stored; its id and number are given when it is written.
    row: case::Model,
    idem_key: Option<String>,
    /// The reporter's account (none on the public page).
    actor: Option<Actor>,
    audit_who: Who,
    title: String,
    category: String,
    located: bool,
    queue_name: String,
    photos: Vec<(String, String, i64)>,
    /// Who screens the queue.
    dispatchers: Vec<i64>,
    /// The flow's opening notices (to the screeners).
    opening: Vec<(wangge_core::flow::Audience, &'static str, &'static str)>,
    at: i64,
}

/// What the writer answers for one report: the case, and whether it existed already.
type Landed = (case::Model, bool);

/// Takes a report in: validates it, finds its grid and handler, numbers it and queues it
/// for screening. With an idempotency key, a retry returns the case the first call made.
pub async fn report(
    st: &CasesState,
    who: Reporter<'_>,
    input: NewCase,
    idem: Option<&str>,
) -> AppResult<Created> {
    let owner = match &who {
        Reporter::Account(a) => a.user_id.to_string(),
        Reporter::Public { .. } => "public".to_owned(),
    };
    let idem_key = match idem.map(str::trim) {
        Some(k) if k.len() > 100 => {
            return Err(AppError::bad(
                "bad_idempotency_key",
                "Idempotency-Key 不能超过 100 个字符",
            ));
        }
        Some(k) if !k.is_empty() => Some(format!("{owner}:{k}")),
        _ => None,
    };
    let prepared = prepare(st, &who, input, idem_key.clone()).await;
    let (pending, track_token, notice) = match prepared {
        Ok(p) => p,
        Err(e) => {
            // A retry whose first call got through answers with that case, even if what it
            // names (a building, a category) changed since.
            if let Some(c) = find_by_key(&st.db, idem_key.as_deref()).await? {
                return Ok(replay(c));
            }
            return Err(e);
        }
    };
    let (case, replayed) = match st.intake.submit(st, pending).await {
        Ok(l) => l,
        // Another server took the same key between our look and our write.
        Err(e) => match find_by_key(&st.db, idem_key.as_deref()).await? {
            Some(c) => (c, true),
            None => return Err(e),
        },
    };
    if replayed {
        return Ok(replay(case));
    }
    Ok(Created {
        case,
        track_token,
        replayed,
        notice,
    })
}

fn replay(case: case::Model) -> Created {
    Created {
        case,
        track_token: None,
        replayed: true,
        notice: None,
    }
}

async fn find_by_key(
    db: &impl ConnectionTrait,
    key: Option<&str>,
) -> AppResult<Option<case::Model>> {
    let Some(k) = key else {
        return Ok(None);
    };
    Ok(case::Entity::find()
        .filter(case::Column::IdemKey.eq(k))
        .one(db)
        .await?)
}

/// Everything a report needs before it is written: checked fields, its grid, category,
/// screening queue and route suggestion. Reads nothing from the database but the caches.
async fn prepare(
    st: &CasesState,
    who: &Reporter<'_>,
    input: NewCase,
    idem_key: Option<String>,
) -> AppResult<(Pending, Option<String>, Option<String>)> {
    let title = need_text("标题", "bad_title", &input.title, 100, validate::Lines::One)?;
    let description = need_text(
        "问题描述",
        "bad_description",
        &input.description,
        2000,
        validate::Lines::Many,
    )?;
    let address = validate::text(
        "地址",
        input.address.as_deref().unwrap_or(""),
        200,
        validate::Lines::One,
        false,
    )
    .map_err(|e| AppError::bad("bad_address", e.0))?;
    let kind = input.kind.clone().unwrap_or_else(|| "appeal".into());
    let choices = super::kinds::choices(&st.site);
    let flow = super::kinds::flow_of(&st.site, &kind).ok_or_else(|| {
        let names: Vec<&str> = choices.iter().map(|c| c.1).collect();
        AppError::bad("bad_kind", format!("案件类型应为{}", names.join("、")))
    })?;
    let actor = match who {
        Reporter::Account(a) => Some(*a),
        Reporter::Public { .. } => None,
    };
    if actor.is_none() && flow.kind != "appeal" {
        return Err(AppError::bad(
            "bad_kind",
            format!("{}请登录后提出，或请网格员代为登记", flow.label),
        ));
    }
    let source = match (&input.source, actor) {
        (Some(s), _) => s.clone(),
        (None, Some(a)) if a.role == Role::GridWorker => "patrol".into(),
        (None, Some(a)) if matches!(a.via, crate::web::Via::Token { .. }) => "api".into(),
        (None, Some(a)) if a.role == Role::CommandCenter => "hotline".into(),
        _ => "resident".into(),
    };
    if !SOURCES.iter().any(|s| s.0 == source) {
        return Err(AppError::bad(
            "bad_source",
            "来源应为居民自报、网格员巡查、12345 热线或开放接口",
        ));
    }
    let phone = match input.reporter_phone.as_deref().map(str::trim) {
        Some(p) if !p.is_empty() => parse_phone(p)?,
        _ if actor.is_none() => {
            return Err(AppError::bad(
                "need_phone",
                "匿名反映请留下联系电话，以便处置人员联系和回访",
            ));
        }
        _ => String::new(),
    };
    let (reporter_phone, reporter_phone_blind) = if phone.is_empty() {
        (String::new(), None)
    } else {
        (
            st.vault.seal(Field::Phone, &phone)?,
            Some(st.vault.blind(Field::Phone, &phone)),
        )
    };
    let reporter_name = match (input.reporter_name.as_deref().map(str::trim), actor) {
        (Some(n), _) if !n.is_empty() => {
            need_text("联系人", "bad_name", n, 50, validate::Lines::One)?
        }
        (_, Some(a)) if source != "hotline" => a.display_name.clone(),
        _ => String::new(),
    };
    let photos = photo_ids(st, actor.map(|a| a.user_id), &input.photos).await?;
    let dir = st.directory.get(&st.db).await?;
    let landing = land(&dir, &input, actor.map(|a| a.org_id))?;
    let place = stored_path(&landing.node.path)?;
    if let Some(a) = actor
        && matches!(
            a.role,
            Role::GridWorker | Role::CommunityStaff | Role::CommunitySecretary
        )
    {
        // Staff report within their own subtree.
        a.require_scope(&place)?;
    }
    let nodes = dir.chain(&place);
    let catalog: Arc<Catalog> = st.catalog.get(&st.db).await?;
    let mut pick: Option<super::suggest::Pick> = None;
    let cat = match input.category.as_deref().map(str::trim) {
        Some(code) if !code.is_empty() => catalog
            .category(code)
            .filter(|c| catalog.active.contains(&c.code) && c.kind == flow.kind)
            .ok_or_else(|| {
                AppError::bad(
                    "bad_category",
                    format!("事项分类“{code}”不存在、已停用或不属于{}", flow.label),
                )
            })?,
        _ => {
            let text = format!("{title} {description}");
            pick = super::suggest::best(
                st,
                &catalog,
                flow.kind,
                &text,
                township_path(&nodes).as_deref(),
            );
            // Nothing matched: the kind's catch-all (其他), its last category.
            let fallback = || {
                catalog
                    .category("QT02")
                    .filter(|c| c.kind == flow.kind && catalog.active.contains(&c.code))
                    .or_else(|| catalog.in_use_for(flow.kind).last())
            };
            match &pick {
                Some(p) => catalog.category(&p.code).or_else(fallback),
                None => fallback(),
            }
            .ok_or_else(|| {
                AppError::bad("bad_category", format!("{}没有可用的事项分类", flow.label))
            })?
        }
    };
    let queue = dispatch_level(&nodes, cat).unwrap_or(&landing.node);
    let (route, route_reason) = match route_from(&nodes, &dir.departments_on(&nodes), &place, cat)?
    {
        Ok((t, reason)) => (Some(t), reason),
        Err(why) => (None, why),
    };
    let notice = (!landing.located)
        .then(|| format!("事发地点不在任何网格内，已转入“{}”待人工派遣", queue.name));
    let (track_token, track_hash) = if actor.is_none() {
        let t = crate::infra::tokens::random_token()?;
        let h = crate::infra::tokens::hash_token(&t);
        (Some(t), Some(h))
    } else {
        (None, None)
    };
    let at = crate::infra::clock::now_ms();
    let row = case::Model {
        id: 0,
        case_no: String::new(),
        kind,
        title: title.clone(),
        description,
        category_code: cat.code.clone(),
        source,
        status: opening(flow).0.to_owned(),
        version: 1,
        org_id: landing.node.id,
        org_path: landing.node.path.clone(),
        building_id: landing.building_id,
        lat: input.lat,
        lng: input.lng,
        address,
        located: landing.located,
        dispatch_org_id: queue.id,
        dispatch_path: queue.path.clone(),
        assignee_org_id: None,
        assignee_dept_id: None,
        assignee_path: None,
        assignee_name: String::new(),
        assignee_user_id: None,
        suggested_category: pick.as_ref().map(|p| p.code.clone()),
        suggested_method: pick.as_ref().map(|p| p.method.to_owned()),
        suggested_score: pick.as_ref().map(|p| p.score),
        suggested_words: pick
            .as_ref()
            .map(|p| p.words.join("、").chars().take(400).collect())
            .unwrap_or_default(),
        route_org_id: match route {
            Some(Target::Node(id)) => Some(id),
            _ => None,
        },
        route_dept_id: match route {
            Some(Target::Department(id)) => Some(id),
            _ => None,
        },
        route_reason,
        reporter_id: actor.map(|a| a.user_id),
        reporter_name,
        reporter_phone,
        reporter_phone_blind,
        anonymous: input.private,
        track_hash,
        idem_key: idem_key.clone(),
        created_at: at,
        updated_at: at,
        dispatched_at: None,
        response_due: None,
        handle_due: None,
        acknowledged_at: None,
        fed_back_at: None,
        closed_at: None,
        ack_late: false,
        handle_late: false,
        reworks_after_rating: 0,
        extension_pending: false,
        extension_days: 0,
        supervised: false,
        reminded_at: None,
        urged_at: None,
        rated_at: None,
        contacted: None,
        solved: None,
        satisfaction: None,
        rating_comment: String::new(),
        merged_into: None,
    };
    let audit_who = match who {
        Reporter::Account(a) => a.who(),
        Reporter::Public { ip } => Who {
            id: None,
            name: "公众".into(),
            ip: ip.clone(),
        },
    };
    let pending = Pending {
        row,
        idem_key,
        actor: actor.cloned(),
        audit_who,
        title,
        category: cat.code.clone(),
        located: landing.located,
        queue_name: queue.name.clone(),
        photos,
        dispatchers: dir.staff_at(queue.id, notify::DISPATCHER_ROLES),
        opening: opening(flow).1,
        at,
    };
    Ok((pending, track_token, notice))
}

/// One report waiting for the writer, and where to send its answer.
struct Job {
    pending: Pending,
    reply: oneshot::Sender<AppResult<Landed>>,
}

/// The most reports one transaction lands.
const MAX_BATCH: usize = 256;

/// The intake writer: one task per server that lands the reports waiting in batches.
#[derive(Default)]
pub struct Writer {
    queue: tokio::sync::OnceCell<mpsc::Sender<Job>>,
}

impl Writer {
    /// Lands one report; answers once its transaction committed. The task starts with the
    /// first report.
    async fn submit(&self, st: &CasesState, pending: Pending) -> AppResult<Landed> {
        let queue = self.queue.get_or_init(|| async { start(st) }).await;
        let (reply, answer) = oneshot::channel();
        match queue.send(Job { pending, reply }).await {
            Ok(()) => answer
                .await
                .map_err(|_| AppError::Internal(anyhow::anyhow!("the intake writer stopped")))?,
            // The writer is gone (it never should be): write this one here.
            Err(mpsc::error::SendError(job)) => {
                let (mut out, notes) =
                    land_batch(&st.db, std::slice::from_ref(&job.pending)).await?;
                st.hub.publish(notes);
                out.pop()
                    .ok_or_else(|| AppError::Internal(anyhow::anyhow!("nothing landed")))
            }
        }
    }
}

/// Starts the writer. On SQLite it gets a thread of its own with its own connection: its
/// round trips to the database then wait neither behind the requests queued on the server's
/// runtime nor for a pooled connection whose page cache another writer made stale. On
/// PostgreSQL (or if that thread cannot start) it is a task on the server's runtime over the
/// shared pool.
fn start(st: &CasesState) -> mpsc::Sender<Job> {
    let (tx, rx) = mpsc::channel(4 * MAX_BATCH);
    let hub = st.hub.clone();
    if crate::infra::db::backend(&st.db) == crate::infra::db::Backend::Sqlite {
        let url = st.config.database_url.clone();
        let own = std::thread::Builder::new()
            .name("intake-writer".into())
            .spawn(move || {
                let rt = tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build();
                match rt {
                    Ok(rt) => rt.block_on(async move {
                        match crate::infra::db::connect_single(&url).await {
                            Ok(db) => write_forever(db, hub, rx).await,
                            Err(e) => {
                                tracing::error!(error = %e, "the intake writer cannot open the database");
                            }
                        }
                    }),
                    Err(e) => tracing::error!(error = %e, "the intake writer cannot start"),
                }
            });
        if let Err(e) = own {
            tracing::error!(error = %e, "the intake writer's thread cannot start");
        }
        return tx;
    }
    tokio::spawn(write_forever(st.db.clone(), hub, rx));
    tx
}

/// The writer's loop: waits for a report, takes every other one waiting (up to
/// [`MAX_BATCH`]), lands them together and answers each.
async fn write_forever(db: DatabaseConnection, hub: Arc<notify::Hub>, mut rx: mpsc::Receiver<Job>) {
    let mut batch = Vec::with_capacity(MAX_BATCH);
    while rx.recv_many(&mut batch, MAX_BATCH).await > 0 {
        let (pending, replies): (Vec<Pending>, Vec<_>) =
            batch.drain(..).map(|j| (j.pending, j.reply)).unzip();
        let started = std::time::Instant::now();
        let landed = land_batch(&db, &pending).await;
        tracing::debug!(
            reports = pending.len(),
            ms = started.elapsed().as_secs_f64() * 1000.0,
            "intake batch"
        );
        match landed {
            Ok((landed, notes)) => {
                hub.publish(notes);
                for (reply, l) in replies.into_iter().zip(landed) {
                    let _ = reply.send(Ok(l));
                }
            }
            Err(e) if replies.len() == 1 => {
                if let Some(reply) = replies.into_iter().next() {
                    let _ = reply.send(Err(e));
                }
            }
            Err(e) => {
                tracing::warn!(error = %e, reports = replies.len(), "a batch of reports failed; landing them one by one");
                for (p, reply) in pending.into_iter().zip(replies) {
                    let r = land_batch(&db, std::slice::from_ref(&p)).await.and_then(
                        |(mut l, notes)| {
                            hub.publish(notes);
                            l.pop().ok_or_else(|| {
                                AppError::Internal(anyhow::anyhow!("nothing landed"))
                            })
                        },
                    );
                    let _ = reply.send(r);
                }
            }
        }
    }
}

/// Lands reports in one transaction, each kind of row in one statement. A report whose
/// idempotency key is already stored (or used by an earlier report of the same batch) answers
/// with that case instead.
async fn land_batch(
    db: &DatabaseConnection,
    jobs: &[Pending],
) -> AppResult<(Vec<Landed>, Vec<Note>)> {
    let tx = crate::infra::db::begin_write(db).await?;
    let keys: Vec<&str> = jobs.iter().filter_map(|j| j.idem_key.as_deref()).collect();
    let mut known: HashMap<String, case::Model> = if keys.is_empty() {
        HashMap::new()
    } else {
        case::Entity::find()
            .filter(case::Column::IdemKey.is_in(keys))
            .all(&tx)
            .await?
            .into_iter()
            .filter_map(|c| Some((c.idem_key.clone()?, c)))
            .collect()
    };
    let mut claimed = std::collections::HashSet::new();
    let fresh: Vec<bool> = jobs
        .iter()
        .map(|j| match &j.idem_key {
            Some(k) => !known.contains_key(k) && claimed.insert(k.as_str()),
            None => true,
        })
        .collect();
    let numbers = numbers_for(&tx, jobs, &fresh).await?;
    let new_jobs: Vec<&Pending> = jobs
        .iter()
        .zip(&fresh)
        .filter(|x| *x.1)
        .map(|x| x.0)
        .collect();
    let cases = insert_cases(&tx, &new_jobs, &numbers).await?;
    let steps = new_jobs.iter().zip(&cases).map(|(j, c)| {
        event_row(EventIn {
            case_id: c.id,
            by: j.actor.as_ref().map_or(By::Public, By::Actor),
            at: j.at,
            action: "report",
            from: "",
            to: &c.status,
            note: String::new(),
            data: json!({
                "category": j.category, "located": j.located, "queue": j.queue_name,
            }),
        })
    });
    if new_jobs.iter().any(|j| !j.photos.is_empty()) {
        let events = event::Entity::insert_many(steps)
            .exec_with_returning(&tx)
            .await?;
        for (j, c) in new_jobs.iter().zip(&cases) {
            let ev = events.iter().find(|e| e.case_id == c.id).map(|e| e.id);
            attach(&tx, c.id, ev, &j.photos).await?;
        }
    } else if !new_jobs.is_empty() {
        event::Entity::insert_many(steps)
            .exec_without_returning(&tx)
            .await?;
    }
    let paths = cases
        .iter()
        .map(|c| stored_path(&c.org_path))
        .collect::<AppResult<Vec<_>>>()?;
    if !new_jobs.is_empty() {
        audit::record_many(
            &tx,
            new_jobs
                .iter()
                .zip(&cases)
                .zip(&paths)
                .map(|((j, c), path)| {
                    let entry = Entry {
                        org_path: path,
                        action: "create",
                        entity: "case",
                        entity_id: Some(c.id),
                        summary: format!("上报案件 {}：{}", c.case_no, j.title),
                        changes: json!({}),
                    };
                    (&j.audit_who, entry)
                }),
        )
        .await?;
    }
    // The flow's opening notices go to the screeners of each queue (the core's flows open
    // with notices to them only; see `every_flow_opens_to_its_screeners`).
    let texts: Vec<Vec<(&str, String)>> = new_jobs
        .iter()
        .zip(&cases)
        .map(|(j, c)| {
            j.opening
                .iter()
                .map(|(_, kind, text)| (*kind, super::service::fill(text, c, "", 0, "")))
                .collect()
        })
        .collect();
    let mut to_send: Vec<(i64, i64, &str, &str)> = Vec::new();
    for ((j, c), texts) in new_jobs.iter().zip(&cases).zip(&texts) {
        for (kind, text) in texts {
            to_send.extend(
                j.dispatchers
                    .iter()
                    .map(|&u| (u, c.id, *kind, text.as_str())),
            );
        }
    }
    let notes = notify::to_many(&tx, to_send).await?;
    tx.commit().await?;
    let mut cases = cases.into_iter();
    let mut landed = Vec::with_capacity(jobs.len());
    for (j, new) in jobs.iter().zip(fresh) {
        if new {
            let c = cases
                .next()
                .ok_or_else(|| AppError::Internal(anyhow::anyhow!("a case went missing")))?;
            if let Some(k) = &j.idem_key {
                known.insert(k.clone(), c.clone());
            }
            landed.push((c, false));
        } else {
            let key = j.idem_key.as_deref().unwrap_or_default();
            let c = known
                .get(key)
                .cloned()
                .ok_or_else(|| AppError::Internal(anyhow::anyhow!("a replayed key has no case")))?;
            landed.push((c, true));
        }
    }
    Ok((landed, notes))
}

/// Inserts the cases of a batch in one statement that returns only their ids, and gives
/// back the stored cases in the batch's order.
async fn insert_cases(
    db: &impl ConnectionTrait,
    jobs: &[&Pending],
    numbers: &[String],
) -> AppResult<Vec<case::Model>> {
    use sea_orm::{QueryTrait, sea_query::Query};
    if jobs.is_empty() {
        return Ok(Vec::new());
    }
    let mut insert = case::Entity::insert_many(jobs.iter().zip(numbers).map(|(j, no)| {
        let mut row: case::ActiveModel = j.row.clone().into();
        row.id = sea_orm::ActiveValue::NotSet;
        row.case_no = Set(no.clone());
        row
    }));
    insert
        .query()
        .returning(Query::returning().columns([case::Column::Id, case::Column::CaseNo]));
    let stmt = insert.build(db.get_database_backend());
    // RETURNING rows come back in no promised order: match them by number.
    let mut ids: HashMap<String, i64> = HashMap::with_capacity(jobs.len());
    for r in db.query_all_raw(stmt).await? {
        ids.insert(r.try_get_by_index(1)?, r.try_get_by_index(0)?);
    }
    jobs.iter()
        .zip(numbers)
        .map(|(j, no)| {
            let id = *ids
                .get(no)
                .ok_or_else(|| AppError::Internal(anyhow::anyhow!("case {no} was not stored")))?;
            Ok(case::Model {
                id,
                case_no: no.clone(),
                ..j.row.clone()
            })
        })
        .collect()
}

/// Case numbers for the fresh reports of a batch, in order: `YYYY-NNNNNN`, counted per year
/// of the report.
async fn numbers_for(
    db: &impl ConnectionTrait,
    jobs: &[Pending],
    fresh: &[bool],
) -> AppResult<Vec<String>> {
    use chrono::Datelike;
    let years: Vec<i32> = jobs
        .iter()
        .zip(fresh)
        .filter(|(_, f)| **f)
        .map(|(j, _)| bj(j.at).year())
        .collect();
    let mut next: HashMap<i32, i64> = HashMap::new();
    for &y in &years {
        if next.contains_key(&y) {
            continue;
        }
        let k = years.iter().filter(|x| **x == y).count() as i64;
        let row = db
            .query_one_raw(crate::infra::db::statement(
                db,
                "INSERT INTO case_counters (year, n) VALUES ($1, $2) ON CONFLICT (year) \
                 DO UPDATE SET n = case_counters.n + $3 RETURNING n",
                vec![y.into(), k.into(), k.into()],
            ))
            .await?
            .ok_or_else(|| AppError::Internal(anyhow::anyhow!("no case counter")))?;
        let last: i64 = row.try_get_by_index(0)?;
        next.insert(y, last - k + 1);
    }
    let mut out = Vec::with_capacity(years.len());
    for y in years {
        let n = next.entry(y).or_default();
        out.push(format!("{y}-{n:06}"));
        *n += 1;
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn node(id: i64, level: &str, path: &str) -> node::Model {
        node::Model {
            id,
            parent_id: None,
            code: id.to_string(),
            name: format!("n{id}"),
            level: level.into(),
            kind: String::new(),
            path: path.into(),
            depth: 0,
            boundary: None,
            status: "active".into(),
            sort_order: 0,
            version: 1,
            created_at: 0,
            updated_at: 0,
        }
    }

    #[test]
    fn the_nearest_screening_level_takes_the_queue() {
        let cats = wangge_core::category::parse_taxonomy(include_str!(
            "../../../core/data/categories-cn.json"
        ))
        .expect("the seed parses");
        let by = |h: HandlerLevel| cats.iter().find(|c| c.handler == h).cloned();
        let chain = vec![
            node(1, "district", "/1/"),
            node(2, "township", "/1/2/"),
            node(3, "community", "/1/2/3/"),
            node(4, "grid", "/1/2/3/4/"),
        ];
        let grid = by(HandlerLevel::Grid).expect("a grid category");
        let dept = by(HandlerLevel::Department).expect("a department category");
        assert_eq!(dispatch_level(&chain, &grid).map(|n| n.id), Some(3));
        assert_eq!(dispatch_level(&chain, &dept).map(|n| n.id), Some(2));
        // Without a community (a street's own grid), the street screens.
        assert_eq!(dispatch_level(&chain[..2], &grid).map(|n| n.id), Some(2));
        assert_eq!(dispatch_level(&chain[3..], &grid).map(|n| n.id), None);
    }
}
