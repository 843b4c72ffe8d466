//! Finding.

use super::*;

/// Filters of the case lists (all optional).
#[derive(Debug, Default, Clone, Deserialize, Serialize)]
pub struct Filter {
    /// A status identifier.
    pub status: Option<String>,
    /// A kind.
    pub kind: Option<String>,
    /// A category code (or a group code: every category of the group).
    pub category: Option<String>,
    /// A source.
    pub source: Option<String>,
    /// An org node: cases located in its subtree.
    pub org: Option<i64>,
    /// Assigned to this node.
    pub assignee_org: Option<i64>,
    /// Assigned to this department.
    pub assignee_dept: Option<i64>,
    /// Reported on or after (YYYY-MM-DD, Beijing).
    pub from: Option<String>,
    /// Reported on or before (YYYY-MM-DD, Beijing).
    pub to: Option<String>,
    /// Only overdue open cases.
    pub overdue: Option<bool>,
    /// Words in the number, title, description or address.
    pub q: Option<String>,
    /// Page, from 1.
    pub page: Option<u64>,
    /// Rows per page (at most 200).
    pub per_page: Option<u64>,
}

impl Filter {
    /// Whether the filter asks only what the scope index (org path, status, creation time)
    /// answers by itself, so that counting the cases located in a scope reads no rows.
    fn scope_index_covers(&self) -> bool {
        let unset = |o: &Option<String>| o.as_deref().is_none_or(|s| s.trim().is_empty());
        unset(&self.kind)
            && unset(&self.category)
            && unset(&self.source)
            && unset(&self.q)
            && self.assignee_org.is_none()
            && self.assignee_dept.is_none()
            && self.overdue != Some(true)
    }
}

pub(crate) fn day_start(s: &str) -> AppResult<i64> {
    let d = NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d")
        .map_err(|_| AppError::bad("bad_date", format!("日期“{s}”应写成 2026-01-31 这样的格式")))?;
    Ok(from_bj(d.and_time(chrono::NaiveTime::MIN)))
}

pub(crate) async fn filter_cond(st: &CasesState, a: &Actor, f: &Filter) -> AppResult<Condition> {
    Ok(Condition::all()
        .add(visible(a))
        .add(narrowing(st, f).await?))
}

/// The filter's own conditions, without the caller's visibility.
pub(crate) async fn narrowing(st: &CasesState, f: &Filter) -> AppResult<Condition> {
    let db = &st.db;
    let mut c = Condition::all();
    let some = |o: &Option<String>| {
        o.as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
    };
    if let Some(s) = some(&f.status) {
        if Status::parse(&s).is_none() {
            return Err(AppError::bad("bad_status", format!("没有“{s}”这种状态")));
        }
        c = c.add(case::Column::Status.eq(s));
    }
    if let Some(k) = some(&f.kind) {
        c = c.add(case::Column::Kind.eq(k));
    }
    if let Some(k) = some(&f.category) {
        c = c.add(
            Condition::any()
                .add(case::Column::CategoryCode.eq(k.clone()))
                .add(case::Column::CategoryCode.like(format!("{k}__"))),
        );
    }
    if let Some(s) = some(&f.source) {
        c = c.add(case::Column::Source.eq(s));
    }
    if let Some(o) = f.org {
        let n = node::Entity::find_by_id(o)
            .one(db)
            .await?
            .ok_or_else(|| AppError::bad("bad_org", "所选区域不存在"))?;
        c = c.add(crate::infra::db::subtree(
            case::Column::OrgPath,
            &stored_path(&n.path)?,
        ));
    }
    if let Some(o) = f.assignee_org {
        c = c.add(case::Column::AssigneeOrgId.eq(o));
    }
    if let Some(d) = f.assignee_dept {
        c = c.add(case::Column::AssigneeDeptId.eq(d));
    }
    if let Some(d) = some(&f.from) {
        c = c.add(case::Column::CreatedAt.gte(day_start(&d)?));
    }
    if let Some(d) = some(&f.to) {
        c = c.add(case::Column::CreatedAt.lt(day_start(&d)? + 86_400_000));
    }
    if f.overdue == Some(true) {
        c = c
            .add(case::Column::Status.is_in(["dispatched", "handling"]))
            .add(case::Column::HandleDue.lt(crate::infra::clock::now_ms()));
    }
    if let Some(q) = some(&f.q) {
        c = c.add(text_cond(&st.vault, &q));
    }
    Ok(c)
}

/// What the search box asks: a whole phone number finds that caller's cases (the phone is
/// sealed, so only through its blind index) and any case that mentions it; other text is
/// looked for in the number, title, address and description.
pub(crate) fn text_cond(vault: &Vault, q: &str) -> Condition {
    if let Some(phone) = phone_query(q) {
        return Condition::any()
            .add(case::Column::ReporterPhoneBlind.eq(vault.blind(Field::Phone, &phone)))
            .add(case::Column::Description.like(format!("%{q}%")));
    }
    let q: String = q
        .chars()
        .filter(|ch| !matches!(ch, '%' | '_' | '\\'))
        .take(50)
        .collect();
    let pat = format!("%{q}%");
    Condition::any()
        .add(case::Column::CaseNo.like(pat.clone()))
        .add(case::Column::Title.like(pat.clone()))
        .add(case::Column::Address.like(pat.clone()))
        .add(case::Column::Description.like(pat))
}

/// The text of a search box as a whole phone number (digits, maybe with spaces or dashes),
/// normalized as intake stores it.
pub(crate) fn phone_query(q: &str) -> Option<String> {
    let digits = q.chars().filter(char::is_ascii_digit).count();
    let only = q
        .chars()
        .all(|ch| ch.is_ascii_digit() || matches!(ch, ' ' | '-' | '+'));
    (only && digits >= 11)
        .then(|| wangge_core::people::Phone::parse(q).ok())
        .flatten()
        .map(|p| p.expose().to_owned())
}

/// Seals the reporters' phones stored in the clear before migration m0006 (it leaves a
/// setting when there are any). Runs at start, once the key is known; a no-op after.
pub async fn seal_phones(db: &sea_orm::DatabaseConnection, vault: &Vault) -> anyhow::Result<u64> {
    use crate::infra::db::migrations::SEAL_CASE_PHONES;
    use crate::infra::settings as setting;
    if setting::Entity::find_by_id(SEAL_CASE_PHONES)
        .one(db)
        .await?
        .is_none()
    {
        return Ok(0);
    }
    let mut sealed = 0;
    loop {
        let rows = db
            .query_all_raw(crate::infra::db::statement(
                db,
                "SELECT id, reporter_phone FROM cases \
                 WHERE reporter_phone <> '' AND reporter_phone_blind IS NULL ORDER BY id LIMIT 1000",
                vec![],
            ))
            .await?;
        if rows.is_empty() {
            break;
        }
        let tx = sea_orm::TransactionTrait::begin(db).await?;
        for r in &rows {
            let id: i64 = r.try_get("", "id")?;
            let clear: String = r.try_get("", "reporter_phone")?;
            let phone = wangge_core::people::Phone::parse(&clear)
                .map_or_else(|_| clear.trim().to_owned(), |p| p.expose().to_owned());
            crate::infra::db::exec(
                &tx,
                "UPDATE cases SET reporter_phone = $1, reporter_phone_blind = $2 WHERE id = $3",
                vec![
                    vault.seal(Field::Phone, &phone)?.into(),
                    vault.blind(Field::Phone, &phone).into(),
                    id.into(),
                ],
            )
            .await?;
            sealed += 1;
        }
        tx.commit().await?;
    }
    setting::Entity::delete_by_id(SEAL_CASE_PHONES)
        .exec(db)
        .await?;
    tracing::info!(sealed, "sealed the reporters' phones stored before m0006");
    Ok(sealed)
}

/// A page of cases.
#[derive(Debug, Serialize)]
pub struct Page {
    /// The rows.
    pub items: Vec<CaseView>,
    /// How many match (counted up to [`COUNT_CAP`]; more shows as the cap).
    pub total: u64,
    /// Whether `total` hit the cap.
    pub total_capped: bool,
    /// This page.
    pub page: u64,
    /// Rows per page.
    pub per_page: u64,
}

/// Counting stops here: a list says "10000+" rather than scanning a million rows.
pub const COUNT_CAP: u64 = 10_000;

/// Pages this deep or shallower may be read by walking the creation-time index (see [`list`]).
pub(crate) const WALK_DEPTH: u64 = 1_000;

/// Lists cases in the caller's sight, newest first.
///
/// Visibility is a union of branches (the scope's located, queued and assigned cases, the
/// caller's reports, the cases they follow). For a scope with few matching cases, the database
/// unions the branches through their indexes and sorts the result; for one with many (a
/// community's or a grid's whole ledger), that union reads every matching row, so on SQLite
/// the page is read instead by walking the creation-time index backwards until it is full —
/// cheap exactly when matches are many. The count decides which: it is capped at
/// [`COUNT_CAP`], and its lower bound — the cases located in the scope, read from the scope
/// index alone — usually reaches the cap without the union.
pub async fn list(st: &CasesState, a: &Actor, f: &Filter) -> AppResult<Page> {
    let db = &st.db;
    let narrow = narrowing(st, f).await?;
    let cond = Condition::all().add(visible(a)).add(narrow.clone());
    let paging = wangge_core::validate::Paging::new(f.page, f.per_page, 20)?;
    let (page, per_page, offset) = (paging.page, paging.per_page, paging.offset());
    let mut counted = match located_branch(a) {
        Some(located) if f.scope_index_covers() => {
            capped_count(db, Condition::all().add(located).add(narrow)).await?
        }
        _ => 0,
    };
    if counted <= COUNT_CAP {
        counted = capped_count(db, cond.clone()).await?;
    }
    let query = case::Entity::find()
        .filter(cond)
        .order_by_desc(case::Column::CreatedAt)
        .order_by_desc(case::Column::Id)
        .offset(offset)
        .limit(per_page);
    let walk = counted > COUNT_CAP
        && offset + per_page <= WALK_DEPTH
        && crate::infra::db::backend(db) == crate::infra::db::Backend::Sqlite;
    let rows = if walk {
        let mut stmt = query.build(DbBackend::Sqlite);
        stmt.sql = stmt.sql.replacen(
            r#"FROM "cases" "#,
            r#"FROM "cases" INDEXED BY "ix_cases_fig_created_kind" "#,
            1,
        );
        case::Entity::find().from_raw_sql(stmt).all(db).await?
    } else {
        query.all(db).await?
    };
    let catalog = st.catalog.get(db).await?;
    Ok(Page {
        items: rows
            .iter()
            .map(|r| view(&st.site, &catalog, &st.vault, r, false))
            .collect(),
        total: std::cmp::min(counted, COUNT_CAP),
        total_capped: counted > COUNT_CAP,
        page,
        per_page,
    })
}

/// The visibility branch of the cases located in the caller's scope, for staff who have one.
pub(crate) fn located_branch(a: &Actor) -> Option<SimpleExpr> {
    (a.role.is_staff() && a.role != Role::DepartmentHandler)
        .then(|| crate::infra::db::in_scope("org_path", &a.scope))
}

/// How many cases match, counted in the database up to [`COUNT_CAP`] + 1.
pub(crate) async fn capped_count(db: &impl ConnectionTrait, cond: Condition) -> AppResult<u64> {
    let ids = case::Entity::find()
        .select_only()
        .column(case::Column::Id)
        .filter(cond)
        .into_query();
    Ok(crate::infra::db::capped_count(db, ids, COUNT_CAP).await?)
}

/// Rows as lists show them (phones masked).
/// The cases the caller sees that also meet `extra`, newest first, at most `limit`: another
/// slice's view of a kind of work (the party's errands).
pub async fn seen_where(
    st: &CasesState,
    a: &Actor,
    extra: Condition,
    limit: u64,
) -> AppResult<Vec<CaseView>> {
    let rows = case::Entity::find()
        .filter(visible(a))
        .filter(extra)
        .order_by_desc(case::Column::Id)
        .limit(limit)
        .all(&st.db)
        .await?;
    views(st, &rows).await
}

pub(crate) async fn views(st: &CasesState, rows: &[case::Model]) -> AppResult<Vec<CaseView>> {
    let catalog = st.catalog.get(&st.db).await?;
    Ok(rows
        .iter()
        .map(|r| view(&st.site, &catalog, &st.vault, r, false))
        .collect())
}

/// Every case matching the filter (for the export; at most 50,000 rows).
pub async fn export_rows(st: &CasesState, a: &Actor, f: &Filter) -> AppResult<Vec<CaseView>> {
    let cond = filter_cond(st, a, f).await?;
    let rows = case::Entity::find()
        .filter(cond)
        .order_by_desc(case::Column::CreatedAt)
        .limit(50_000)
        .all(&st.db)
        .await?;
    views(st, &rows).await
}

/// What waits on the caller: to screen, to take, to handle, to verify, to rate, to decide.
pub async fn todo(st: &CasesState, a: &Actor) -> AppResult<Vec<CaseView>> {
    let db = &st.db;
    let mut any = Condition::any().add(
        Condition::all()
            .add(case::Column::ReporterId.eq(a.user_id))
            .add(case::Column::Status.eq("verified")),
    );
    let home = a.scope.root().as_str().to_owned();
    if matches!(
        a.role,
        Role::CommandCenter | Role::CommunitySecretary | Role::CommunityStaff | Role::Admin
    ) {
        any = any
            .add(
                Condition::all()
                    .add(case::Column::DispatchPath.eq(home.clone()))
                    .add(case::Column::Status.is_in(["reported", "accepted", "verified"])),
            )
            .add(
                Condition::all()
                    .add(case::Column::DispatchPath.eq(home))
                    .add(case::Column::Status.is_in(["dispatched", "handling"]))
                    .add(case::Column::ExtensionPending.eq(true)),
            );
    }
    let open = ["dispatched", "handling"];
    match (a.role, a.department_id) {
        (Role::DepartmentHandler, Some(d)) => {
            any = any.add(
                Condition::all()
                    .add(case::Column::AssigneeDeptId.eq(d))
                    .add(case::Column::Status.is_in(open)),
            );
        }
        (Role::DepartmentHandler, None) => {}
        (r, _) if !r.handles_at_node() => {}
        _ => {
            any = any.add(
                Condition::all()
                    .add(case::Column::AssigneeOrgId.eq(a.org_id))
                    .add(case::Column::AssigneeDeptId.is_null())
                    .add(case::Column::Status.is_in(open)),
            );
        }
    }
    if a.role == Role::GridWorker {
        any = any.add(
            Condition::all()
                .add(case::Column::Status.eq("fed_back"))
                .add(crate::infra::db::in_scope("org_path", &a.scope)),
        );
    }
    // What waits on the caller is a part of what the caller may see, never more.
    let rows = case::Entity::find()
        .filter(visible(a))
        .filter(any)
        .order_by_asc(case::Column::HandleDue)
        .order_by_asc(case::Column::CreatedAt)
        .limit(500)
        .all(db)
        .await?;
    let mut out = views(st, &rows).await?;
    out.sort_by_key(|v| {
        (
            std::cmp::Reverse(light_rank(v.light)),
            v.due_at.unwrap_or(i64::MAX),
        )
    });
    Ok(out)
}

/// The caller's own reports still open (not closed, withdrawn, rejected or merged), newest
/// first: what a resident follows on their home page.
pub async fn my_open_reports(st: &CasesState, a: &Actor, limit: u64) -> AppResult<Vec<CaseView>> {
    let rows = case::Entity::find()
        .filter(case::Column::ReporterId.eq(a.user_id))
        .filter(
            case::Column::Status.is_not_in(
                Status::ALL
                    .into_iter()
                    .filter(|s| s.is_final())
                    .map(Status::as_str),
            ),
        )
        .order_by_desc(case::Column::CreatedAt)
        .limit(limit)
        .all(&st.db)
        .await?;
    views(st, &rows).await
}

pub(crate) fn light_rank(l: Option<Light>) -> u8 {
    match l {
        Some(Light::Red) => 3,
        Some(Light::Yellow) => 2,
        Some(Light::Green) => 1,
        None => 0,
    }
}

/// A case as lists and the API show it (phones masked).
#[derive(Debug, Serialize)]
pub struct CaseView {
    /// Id.
    pub id: i64,
    /// 2026-000123.
    pub case_no: String,
    /// appeal / incident.
    pub kind: String,
    /// Title.
    pub title: String,
    /// Description.
    pub description: String,
    /// Category code.
    pub category: String,
    /// Category name (group / leaf).
    pub category_name: String,
    /// Source.
    pub source: String,
    /// Status identifier.
    pub status: String,
    /// Status in Chinese.
    pub status_label: String,
    /// For optimistic concurrency.
    pub version: i32,
    /// The grid (or node) where it happened.
    pub org_id: i64,
    /// Picked building.
    pub building_id: Option<i64>,
    /// Point.
    pub lat: Option<f64>,
    /// Point.
    pub lng: Option<f64>,
    /// Address text.
    pub address: String,
    /// Whether the location fell in a grid.
    pub located: bool,
    /// The node whose queue screens it.
    pub dispatch_org_id: i64,
    /// Current assignee: node.
    pub assignee_org_id: Option<i64>,
    /// Current assignee: department.
    pub assignee_department_id: Option<i64>,
    /// The assignee's name.
    pub assignee_name: String,
    /// The routing suggestion: `{"target": {"org_id"} | {"department_id"} | null, "reason"}`
    /// (the reason whole).
    pub suggestion: Value,
    /// The category intake chose for a report that came without one, with why.
    pub suggested_category: Option<SuggestedCategory>,
    /// The kind in Chinese.
    pub kind_label: String,
    /// The clock its flow runs in its state: `intake` (waiting to be screened or taken,
    /// against the response limit from the report), `response`, `handling`, or none.
    pub clock: Option<&'static str>,
    /// Reporter's shown name (匿名 when private).
    pub reporter_name: String,
    /// Reporter's phone, masked.
    pub reporter_phone: String,
    /// Reported at (ms).
    pub created_at: i64,
    /// Last change (ms).
    pub updated_at: i64,
    /// Response (签收) deadline (ms).
    pub response_due: Option<i64>,
    /// Handling deadline (ms).
    pub handle_due: Option<i64>,
    /// The deadline the light measures now (ms).
    pub due_at: Option<i64>,
    /// Green / yellow / red, for open dispatched cases.
    pub light: Option<Light>,
    /// Supervised (督办).
    pub supervised: bool,
    /// An extension waits for a decision.
    pub extension_pending: bool,
    /// Rating.
    pub satisfaction: Option<String>,
    /// Rating: contacted.
    pub contacted: Option<bool>,
    /// Rating: solved.
    pub solved: Option<bool>,
    /// Closed at (ms).
    pub closed_at: Option<i64>,
    /// Merged into (case id).
    pub merged_into: Option<i64>,
    /// Set when a deadline falls in a year whose holiday schedule is not entered yet: it
    /// counts only weekends and the fixed-date holidays, and may move.
    pub deadline_note: Option<String>,
}

/// The category intake chose, and why.
#[derive(Clone, Debug, Serialize)]
pub struct SuggestedCategory {
    /// Its code.
    pub code: String,
    /// `keywords` or `learned`.
    pub method: String,
    /// The keyword score (matched characters) or the learned probability.
    pub score: Option<f64>,
    /// The words (or character pairs) that led to it.
    pub words: Vec<String>,
}

/// The light of a case now, with the deadline it runs against: the clock its flow runs in
/// its state — for an appeal, a report waiting to be screened (待受理, 已受理待派遣) against its
/// category's response limit from when it came in, a dispatched case against its response
/// limit, a case in hand against its handling limit.
pub fn light_of(
    flow: Option<&Flow>,
    catalog: &Catalog,
    m: &case::Model,
    now: i64,
) -> (Option<i64>, Option<Light>) {
    let Some((start, due)) = flow.and_then(|f| clock_of(f, catalog, m)) else {
        return (None, None);
    };
    let cal = &catalog.calendar;
    let limit = cal.working_minutes_between(bj(start), bj(due));
    let used = cal.working_minutes_between(bj(start), bj(now));
    let light = if now > due {
        Light::Red
    } else if limit <= 0 {
        // A clock-time limit over a holiday: measure in clock time.
        rates::light(now - start, due - start, catalog.yellow_at)
    } else {
        rates::light(used, limit, catalog.yellow_at)
    };
    (Some(due), Some(light))
}

/// The view of a row; `full` shows the reporter's phone (for the handlers of the case), opened
/// with the vault that sealed it; otherwise it is masked.
pub fn view(
    site: &crate::web::Site,
    catalog: &Catalog,
    vault: &Vault,
    m: &case::Model,
    full: bool,
) -> CaseView {
    let flow = crate::cases::kinds::flow_of(site, &m.kind);
    let (due_at, light) = light_of(flow, catalog, m, crate::infra::clock::now_ms());
    let category_name = catalog.category(&m.category_code).map_or_else(
        || m.category_code.clone(),
        |c| format!("{} / {}", c.group_name, c.name),
    );
    let deadline_note = [m.response_due, m.handle_due, due_at]
        .into_iter()
        .flatten()
        .map(|t| bj(t).date())
        .find(|d| catalog.calendar.is_provisional(*d))
        .map(|d| {
            format!(
                "时限暂定：{} 年放假安排尚未录入，只扣除了周末和元旦、劳动节、国庆节，录入后可能变化",
                d.format("%Y")
            )
        });
    CaseView {
        deadline_note,
        id: m.id,
        case_no: m.case_no.clone(),
        kind: m.kind.clone(),
        title: m.title.clone(),
        description: m.description.clone(),
        category: m.category_code.clone(),
        category_name,
        source: m.source.clone(),
        status: m.status.clone(),
        status_label: flow.map_or("", |f| f.label_of(&m.status)).to_owned(),
        kind_label: crate::cases::kinds::label(site, &m.kind).to_owned(),
        clock: flow
            .and_then(|f| f.state(&m.status))
            .and_then(|s| s.clock)
            .map(|c| match c {
                wangge_core::flow::Clock::Intake => "intake",
                wangge_core::flow::Clock::Response => "response",
                wangge_core::flow::Clock::Handling => "handling",
            }),
        version: m.version,
        org_id: m.org_id,
        building_id: m.building_id,
        lat: m.lat,
        lng: m.lng,
        address: m.address.clone(),
        located: m.located,
        dispatch_org_id: m.dispatch_org_id,
        assignee_org_id: m.assignee_org_id,
        assignee_department_id: m.assignee_dept_id,
        assignee_name: m.assignee_name.clone(),
        suggestion: json!({
            "target": match (m.route_org_id, m.route_dept_id) {
                (Some(o), _) => json!({"org_id": o}),
                (None, Some(d)) => json!({"department_id": d}),
                (None, None) => Value::Null,
            },
            "reason": m.route_reason,
        }),
        suggested_category: m.suggested_category.as_ref().map(|code| SuggestedCategory {
            code: code.clone(),
            method: m.suggested_method.clone().unwrap_or_default(),
            score: m.suggested_score,
            words: m
                .suggested_words
                .split('、')
                .filter(|w| !w.is_empty())
                .map(str::to_owned)
                .collect(),
        }),
        reporter_name: if m.anonymous {
            "匿名".into()
        } else {
            m.reporter_name.clone()
        },
        reporter_phone: if full && !m.anonymous && !m.reporter_phone.is_empty() {
            vault
                .unseal(Field::Phone, &m.reporter_phone)
                .unwrap_or_else(|_| vault.masked_phone(&m.reporter_phone))
        } else {
            vault.masked_phone(&m.reporter_phone)
        },
        created_at: m.created_at,
        updated_at: m.updated_at,
        response_due: m.response_due,
        handle_due: m.handle_due,
        due_at,
        light,
        supervised: m.supervised,
        extension_pending: m.extension_pending,
        satisfaction: m.satisfaction.clone(),
        contacted: m.contacted,
        solved: m.solved,
        closed_at: m.closed_at,
        merged_into: m.merged_into,
    }
}

/// One step of the timeline as shown.
#[derive(Debug, Serialize)]
pub struct EventView {
    /// When (ms).
    pub at: i64,
    /// Who.
    pub actor_name: String,
    /// Their role (identifier).
    pub actor_role: String,
    /// Their role in Chinese.
    pub actor_role_label: String,
    /// The action identifier.
    pub action: String,
    /// The action in Chinese.
    pub action_label: String,
    /// Status before.
    pub from_status: String,
    /// Status after.
    pub to_status: String,
    /// Reason, result, comment.
    pub note: String,
    /// Details by action.
    pub data: Value,
    /// Photos (file ids).
    pub photos: Vec<String>,
}

/// The Chinese name of a timeline step of a case of `flow`: its steps' and timers' names, and
/// the two steps the engine writes itself (上报, 合并进来).
pub fn action_label(flow: &Flow, a: &str) -> &'static str {
    match a {
        "report" => "上报",
        "merged_in" => "合并进来",
        other => flow.action_label(other),
    }
}

/// The timeline of a case, oldest first.
pub async fn timeline(
    db: &impl ConnectionTrait,
    flow: &Flow,
    case_id: i64,
) -> AppResult<Vec<EventView>> {
    let evs = event::Entity::find()
        .filter(event::Column::CaseId.eq(case_id))
        .order_by_asc(event::Column::At)
        .order_by_asc(event::Column::Id)
        .all(db)
        .await?;
    let files = file::Entity::find()
        .filter(file::Column::CaseId.eq(case_id))
        .all(db)
        .await?;
    Ok(evs
        .into_iter()
        .map(|e| EventView {
            at: e.at,
            actor_role_label: Role::parse(&e.actor_role)
                .map_or(
                    if e.actor_role == "public" {
                        "公众"
                    } else {
                        "系统"
                    },
                    |r| r.label(),
                )
                .to_owned(),
            actor_name: e.actor_name,
            actor_role: e.actor_role,
            action_label: match (e.action.as_str(), e.data.contains("\"return_visit\"")) {
                ("rate", true) => "回访",
                (a, _) => action_label(flow, a),
            }
            .to_owned(),
            action: e.action,
            from_status: e.from_status,
            to_status: e.to_status,
            note: e.note,
            data: serde_json::from_str(&e.data).unwrap_or(Value::Null),
            photos: files
                .iter()
                .filter(|f| f.event_id == Some(e.id))
                .map(|f| f.sha256.clone())
                .collect(),
        })
        .collect())
}

/// Whether the caller may see a stored file (it belongs to a case they can see).
pub async fn may_see_file(db: &impl ConnectionTrait, a: &Actor, sha: &str) -> AppResult<bool> {
    let ids: Vec<i64> = file::Entity::find()
        .select_only()
        .column(file::Column::CaseId)
        .filter(file::Column::Sha256.eq(sha))
        .limit(50)
        .into_tuple()
        .all(db)
        .await?;
    if ids.is_empty() {
        return Ok(false);
    }
    Ok(case::Entity::find()
        .filter(case::Column::Id.is_in(ids))
        .filter(visible(a))
        .count(db)
        .await?
        > 0)
}
