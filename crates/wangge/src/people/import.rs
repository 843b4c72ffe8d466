//! Importing a population ledger (人口台账) from CSV or XLSX.
//!
//! The file streams through two stages. A reader thread parses rows (the CSV reader over the
//! file, or calamine's cell reader over the sheet, so a million rows never sit in memory),
//! checks each with the same rule as the form ([`wangge_core::registry::check`]), resolves its
//! building, seals its ID number and phone, and hands batches of [`BATCH`] rows over a bounded
//! channel. The writer commits each batch in one transaction: it finds or creates the
//! households, upserts the residents by their ID number's blind index (a row equal to what is
//! stored changes nothing, so importing the same file twice changes nothing), sets tags and
//! heads of household, and writes one audit entry for the batch.
//!
//! A bad row is rejected alone, with its line and reason; the rest of the file goes in. The
//! rejected rows come back as a spreadsheet with an 错误原因 column, ready to fix and import
//! again.

use super::PeopleState;
use super::entity::{household, resident};
use super::service::{self, ACTIVE, Sealed};
use crate::infra::audit::{self, Entry};
use crate::infra::error::{AppError, AppResult, stored_path};
use crate::infra::vault::Vault;
use crate::org::entity::node;
use crate::web::Caller;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QuerySelect, QueryTrait};
use serde::Serialize;
use serde_json::json;
use std::collections::{HashMap, HashSet};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use wangge_core::people::{Relation, mask_id};
use wangge_core::registry::{self, Resident, ResidentInput};
use wangge_core::{OrgLevel, Permission};

/// Rows per transaction.
pub const BATCH: usize = 10_000;
/// The largest file accepted through the web (the command line reads any size).
pub const MAX_UPLOAD: usize = 100 * 1024 * 1024;
/// Rejected rows kept whole for the report (more are only counted).
pub const MAX_REJECTED: usize = 100_000;

/// The columns of the ledger: (field, header, other headers accepted, required).
pub const COLUMNS: [(&str, &str, &[&str], bool); 15] = [
    (
        "building",
        "楼栋",
        &["楼栋编码", "楼栋名称", "所在楼栋", "楼号"],
        true,
    ),
    ("room", "房号", &["门牌号", "户号", "室号"], true),
    (
        "kind",
        "房屋类型",
        &["户类型", "房屋性质", "居住类型"],
        false,
    ),
    ("relation", "与户主关系", &["关系"], false),
    ("name", "姓名", &[], true),
    ("gender", "性别", &[], false),
    ("ethnicity", "民族", &[], false),
    (
        "id_number",
        "公民身份号码",
        &["身份证号", "身份证号码", "证件号码"],
        true,
    ),
    ("birth_date", "出生日期", &["出生年月日"], false),
    (
        "phone",
        "联系电话",
        &["电话", "手机", "手机号", "联系方式"],
        false,
    ),
    ("residence", "人口类型", &["户籍类型", "户籍性质"], false),
    ("political", "政治面貌", &[], false),
    (
        "work_unit",
        "工作单位",
        &["工作单位或学校", "工作单位/学校", "服务处所"],
        false,
    ),
    ("tags", "标签", &["重点人群", "人群标签", "特殊人群"], false),
    ("note", "备注", &[], false),
];

/// The template's header line.
pub fn template_headers() -> Vec<&'static str> {
    COLUMNS.iter().map(|c| c.1).collect()
}

/// How far an import has got, shared with whoever shows a progress bar.
#[derive(Debug, Default)]
pub struct Progress {
    /// Data rows read so far.
    pub rows: AtomicU64,
    /// Rows written (inserted, updated, unchanged or rejected).
    pub done: AtomicU64,
    /// How many data rows the file has, when known (XLSX says; CSV is estimated from bytes).
    pub total: AtomicU64,
    /// Bytes read of a CSV file.
    pub bytes: AtomicU64,
    /// The CSV file's size.
    pub total_bytes: AtomicU64,
}

impl Progress {
    /// The share done, 0.0–1.0, when it can be told.
    pub fn fraction(&self) -> Option<f64> {
        let tb = self.total_bytes.load(Ordering::Relaxed);
        if tb > 0 {
            return Some((self.bytes.load(Ordering::Relaxed) as f64 / tb as f64).min(1.0));
        }
        let t = self.total.load(Ordering::Relaxed);
        (t > 0).then(|| (self.done.load(Ordering::Relaxed) as f64 / t as f64).min(1.0))
    }
}

/// A rejected row: its line as the spreadsheet shows it, why, and its cells.
#[derive(Clone, Debug, Serialize)]
pub struct Rejected {
    pub line: u64,
    pub reason: String,
    #[serde(skip)]
    pub cells: Vec<String>,
}

/// What an import did.
#[derive(Clone, Debug, Default, Serialize)]
pub struct Report {
    /// Data rows read.
    pub rows: u64,
    pub inserted: u64,
    pub updated: u64,
    pub unchanged: u64,
    pub rejected: u64,
    /// Households created for rooms not yet in the registry.
    pub households_created: u64,
    /// The rejected rows (the first [`MAX_REJECTED`]); the API shows the first 1,000.
    pub errors: Vec<Rejected>,
    /// The file's header line, for the rejected-rows spreadsheet.
    #[serde(skip)]
    pub headers: Vec<String>,
    pub seconds: f64,
}

impl Report {
    /// The one-line summary the command line prints.
    pub fn summary(&self) -> String {
        format!(
            "读取 {} 行：新增 {}，更新 {}，未变 {}，退回 {}（新建住户 {}），用时 {:.1} 秒",
            self.rows,
            self.inserted,
            self.updated,
            self.unchanged,
            self.rejected,
            self.households_created,
            self.seconds
        )
    }

    /// The rejected rows as a spreadsheet: the file's columns and an 错误原因 column, with
    /// every cell escaped against formulas.
    pub fn rejected_xlsx(&self) -> AppResult<Vec<u8>> {
        let mut headers: Vec<&str> = vec!["行号", "错误原因"];
        headers.extend(self.headers.iter().map(String::as_str));
        let rows: Vec<Vec<String>> = self
            .errors
            .iter()
            .map(|e| {
                let mut r = vec![e.line.to_string(), e.reason.clone()];
                r.extend(e.cells.iter().cloned());
                r
            })
            .collect();
        crate::web::xlsx::build("退回行", &headers, &rows)
    }

    /// The reasons rows were rejected for, the commonest first, with how many rows each (over
    /// the rows kept); past `top`, the rest are summed as 其他原因.
    pub fn reasons(&self, top: usize) -> Vec<(String, u64)> {
        let mut counts: HashMap<String, u64> = HashMap::new();
        for e in &self.errors {
            *counts.entry(reason_kind(&e.reason)).or_default() += 1;
        }
        let mut all: Vec<(String, u64)> = counts.into_iter().collect();
        all.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        if all.len() > top {
            let rest: u64 = all[top..].iter().map(|x| x.1).sum();
            all.truncate(top);
            all.push(("其他原因".into(), rest));
        }
        all
    }

    /// The report without the rejected rows past the first `n` (for a page).
    pub fn head(&self, n: usize) -> Report {
        Report {
            errors: self
                .errors
                .iter()
                .take(n)
                .map(|e| Rejected {
                    line: e.line,
                    reason: e.reason.clone(),
                    cells: Vec::new(),
                })
                .collect(),
            headers: Vec::new(),
            ..*self
        }
    }

    fn reject(&mut self, line: u64, reason: String, cells: Vec<String>) {
        self.rejected += 1;
        if self.errors.len() < MAX_REJECTED {
            self.errors.push(Rejected {
                line,
                reason,
                cells,
            });
        }
    }
}

/// A reason with what it quotes of the row left out (`性别“x”只能填 男 或 女` → `性别“…”只能填
/// 男 或 女`), so rows rejected for the same rule count together.
fn reason_kind(reason: &str) -> String {
    let mut out = String::with_capacity(reason.len());
    let mut close = None;
    for ch in reason.chars() {
        match (close, ch) {
            (None, '“' | '（') => {
                out.push(ch);
                out.push('…');
                close = Some(if ch == '“' { '”' } else { '）' });
            }
            (Some(c), _) if ch == c => {
                out.push(ch);
                close = None;
            }
            (Some(_), _) => {}
            (None, _) => out.push(ch),
        }
    }
    out
}

pub use crate::web::sheet::Input;

/// A building as the ledger names it.
#[derive(Clone, Debug)]
struct BuildingRef {
    id: i64,
    path: String,
    /// The address prefix of its rooms (community + building name).
    prefix: String,
}

/// The buildings in scope under every name a ledger may use: the code, the name when it is
/// unique, `社区/楼栋` and `网格/楼栋`. An ambiguous name maps to an error.
async fn building_names(
    st: &PeopleState,
    c: &Caller,
) -> AppResult<HashMap<String, Result<BuildingRef, String>>> {
    let nodes = node::Entity::find()
        .filter(node::Column::Level.eq(OrgLevel::Building.as_str()))
        .filter(node::Column::Status.eq("active"))
        .filter(c.scope_cond("path"))
        .all(&st.db)
        .await?;
    let dir = st.cases.directory.get(&st.db).await?;
    let mut out: HashMap<String, Result<BuildingRef, String>> = HashMap::new();
    let mut put = |key: String, b: &BuildingRef| {
        out.entry(key.clone())
            .and_modify(|e| {
                if e.as_ref().map(|x| x.id) != Ok(b.id) {
                    *e = Err(format!(
                        "楼栋“{key}”在辖区内不止一处：请写楼栋编码，或写成“社区/楼栋”"
                    ));
                }
            })
            .or_insert_with(|| Ok(b.clone()));
    };
    for n in &nodes {
        let chain = dir.chain(&stored_path(&n.path)?);
        let named = |level: OrgLevel| {
            chain
                .iter()
                .find(|x| x.level == level.as_str())
                .map(|x| x.name.clone())
        };
        let community = named(OrgLevel::Community).unwrap_or_default();
        let b = BuildingRef {
            id: n.id,
            path: n.path.clone(),
            prefix: format!("{community}{}", n.name),
        };
        put(n.code.clone(), &b);
        put(n.name.clone(), &b);
        put(format!("{community}/{}", n.name), &b);
        if let Some(g) = named(OrgLevel::Grid) {
            put(format!("{g}/{}", n.name), &b);
        }
    }
    Ok(out)
}

/// A row that passed every check the reader can make.
struct Ready {
    line: u64,
    cells: Vec<String>,
    building: BuildingRef,
    room: String,
    kind: &'static str,
    resident: Resident,
    sealed: Sealed,
    tags: Vec<i64>,
}

/// What the reader hands the writer.
enum Batch {
    Rows(Vec<Ready>, Vec<Rejected>),
    Headers(Vec<String>),
}

/// Everything the reader thread needs, owned.
struct ReaderCtx {
    vault: Arc<Vault>,
    buildings: HashMap<String, Result<BuildingRef, String>>,
    tags: Vec<(i64, String)>,
    progress: Arc<Progress>,
    /// The day the import runs on (no one in the ledger is born after it).
    today: chrono::NaiveDate,
}

type Sender = tokio::sync::mpsc::Sender<AppResult<Batch>>;

/// Imports a ledger. `progress` is updated as rows go in.
pub async fn import(
    st: &PeopleState,
    c: &Caller,
    input: Input,
    progress: Arc<Progress>,
) -> AppResult<Report> {
    c.require(Permission::PeopleImport)?;
    let started = std::time::Instant::now();
    let ctx = ReaderCtx {
        vault: st.vault.clone(),
        buildings: building_names(st, c).await?,
        tags: service::tags(&st.db)
            .await?
            .into_iter()
            .map(|t| (t.id, t.name))
            .collect(),
        progress: progress.clone(),
        today: crate::infra::clock::today(),
    };
    let (tx, mut rx) = tokio::sync::mpsc::channel::<AppResult<Batch>>(2);
    let reader = tokio::task::spawn_blocking(move || {
        let err_tx = tx.clone();
        if let Err(e) = read(input, &ctx, &tx) {
            let _ = err_tx.blocking_send(Err(e));
        }
    });
    let mut report = Report::default();
    let mut w = Writer {
        began: crate::infra::clock::now_ms(),
        ..Writer::default()
    };
    let mut bulk = false;
    let written = async {
        while let Some(msg) = rx.recv().await {
            match msg? {
                Batch::Headers(h) => report.headers = h,
                Batch::Rows(rows, rejected) => {
                    if report.rows == 0 {
                        bulk = go_bulk(st, &progress).await?;
                    }
                    report.rows += (rows.len() + rejected.len()) as u64;
                    let n = (rows.len() + rejected.len()) as u64;
                    for r in rejected {
                        report.reject(r.line, r.reason, r.cells);
                    }
                    w.write(st, c, rows, &mut report).await?;
                    progress.done.fetch_add(n, Ordering::Relaxed);
                }
            }
        }
        Ok::<(), AppError>(())
    }
    .await;
    if bulk {
        // Whatever happened, the search indexes come back.
        crate::infra::db::migrations::ensure_search_indexes(&st.db).await?;
    }
    written?;
    reader
        .await
        .map_err(|e| AppError::Internal(anyhow::anyhow!("import reader: {e}")))?;
    if report.rows == 0 && report.headers.is_empty() {
        return Err(AppError::bad("empty_file", "文件是空的"));
    }
    // The reader's rejections and the writer's arrive apart: list them in file order.
    report.errors.sort_by_key(|e| e.line);
    report.seconds = started.elapsed().as_secs_f64();
    Ok(report)
}

/// The fewest rows for which dropping and rebuilding the search indexes pays.
const BULK_ROWS: u64 = 50_000;

/// Whether this import is a bulk load: a file of at least [`BULK_ROWS`] rows (told by the
/// workbook's size, or a CSV's bytes at ~120 a row) into a registry less than half its size.
/// Then the search indexes are dropped now and built again at the end.
async fn go_bulk(st: &PeopleState, p: &Progress) -> AppResult<bool> {
    let estimate = std::cmp::max(
        p.total.load(Ordering::Relaxed),
        p.total_bytes.load(Ordering::Relaxed) / 120,
    );
    if estimate < BULK_ROWS {
        return Ok(false);
    }
    let ids = resident::Entity::find()
        .select_only()
        .column(resident::Column::Id)
        .into_query();
    let have = crate::infra::db::capped_count(&st.db, ids, estimate / 2).await?;
    if have > estimate / 2 {
        return Ok(false);
    }
    crate::infra::db::migrations::drop_search_indexes(&st.db).await?;
    Ok(true)
}

// ---------------------------------------------------------------------------------------------
// Reading

/// Reads the file through the kit's one sheet reader and hands its rows to the writer.
fn read(input: Input, ctx: &ReaderCtx, tx: &Sender) -> AppResult<()> {
    let mut rows = Rows::new(ctx, tx);
    if crate::web::sheet::read(input, &*ctx.progress, &mut |line, cells| {
        rows.push(line, cells)
    })? {
        rows.finish()?;
    }
    Ok(())
}

impl crate::web::sheet::Watch for Progress {
    fn total_bytes(&self, n: u64) {
        self.total_bytes.store(n, Ordering::Relaxed);
    }

    fn at_byte(&self, n: u64) {
        self.bytes.store(n, Ordering::Relaxed);
    }

    fn total_rows(&self, n: u64) {
        self.total.store(n, Ordering::Relaxed);
    }
}

/// Rows on their way to the writer: the header line is read first, then each row is checked
/// and batched.
struct Rows<'a> {
    ctx: &'a ReaderCtx,
    tx: &'a Sender,
    columns: Option<[Option<usize>; COLUMNS.len()]>,
    ready: Vec<Ready>,
    rejected: Vec<Rejected>,
    /// The first 17 digits of every ID number seen, to catch a person listed twice.
    seen: HashSet<u64>,
}

impl<'a> Rows<'a> {
    fn new(ctx: &'a ReaderCtx, tx: &'a Sender) -> Rows<'a> {
        Rows {
            ctx,
            tx,
            columns: None,
            ready: Vec::with_capacity(BATCH),
            rejected: Vec::new(),
            seen: HashSet::new(),
        }
    }

    /// Takes one line; `false` when the writer has gone (stop reading).
    fn push(&mut self, line: u64, cells: Vec<String>) -> AppResult<bool> {
        if cells.iter().all(|c| c.trim().is_empty()) {
            return Ok(true);
        }
        let Some(columns) = self.columns else {
            self.columns = Some(header(&cells)?);
            return Ok(self
                .tx
                .blocking_send(Ok(Batch::Headers(
                    cells.iter().map(|c| c.trim().to_owned()).collect(),
                )))
                .is_ok());
        };
        self.ctx.progress.rows.fetch_add(1, Ordering::Relaxed);
        match self.check(&columns, &cells) {
            Ok(r) => self.ready.push(Ready { line, cells, ..r }),
            Err(reason) => self.rejected.push(Rejected {
                line,
                reason,
                cells,
            }),
        }
        if self.ready.len() + self.rejected.len() >= BATCH {
            return Ok(self.flush());
        }
        Ok(true)
    }

    fn flush(&mut self) -> bool {
        let rows = std::mem::replace(&mut self.ready, Vec::with_capacity(BATCH));
        let rejected = std::mem::take(&mut self.rejected);
        self.tx
            .blocking_send(Ok(Batch::Rows(rows, rejected)))
            .is_ok()
    }

    fn finish(mut self) -> AppResult<()> {
        if self.columns.is_none() {
            return Err(AppError::bad("empty_file", "文件是空的：没有表头和数据行"));
        }
        if !self.ready.is_empty() || !self.rejected.is_empty() {
            self.flush();
        }
        Ok(())
    }

    fn check(&mut self, columns: &[Option<usize>], cells: &[String]) -> Result<Ready, String> {
        let get = |field: &str| -> String {
            COLUMNS
                .iter()
                .position(|c| c.0 == field)
                .and_then(|i| columns[i])
                .and_then(|i| cells.get(i))
                .map(|s| s.trim().to_owned())
                .unwrap_or_default()
        };
        let input = ResidentInput {
            name: get("name"),
            gender: get("gender"),
            birth_date: get("birth_date"),
            ethnicity: get("ethnicity"),
            id_number: get("id_number"),
            phone: get("phone"),
            residence: get("residence"),
            political: get("political"),
            relation: get("relation"),
            work_unit: get("work_unit"),
            tags: get("tags"),
            note: get("note"),
        };
        let resident = registry::check(&input, self.ctx.today).map_err(|e| e.0)?;
        let key: u64 = resident.id_number.expose()[..17]
            .parse()
            .map_err(|_| "公民身份号码格式不对".to_owned())?;
        if !self.seen.insert(key) {
            return Err(format!(
                "身份证号 {} 在文件中重复出现（同一人只能有一行）",
                mask_id(resident.id_number.expose())
            ));
        }
        let bname = get("building");
        if bname.is_empty() {
            return Err("楼栋不能为空".into());
        }
        let building = match self.ctx.buildings.get(&bname) {
            Some(Ok(b)) => b.clone(),
            Some(Err(e)) => return Err(e.clone()),
            None => {
                return Err(format!(
                    "未知的楼栋“{bname}”：请先在组织架构中建好楼栋，或检查名称、编码"
                ));
            }
        };
        let room = get("room");
        if room.is_empty() {
            return Err("房号不能为空".into());
        }
        if room.chars().count() > 20 {
            return Err("房号不能超过 20 个字".into());
        }
        let kind_raw = get("kind");
        let kind = if kind_raw.is_empty() {
            wangge_core::people::HouseholdType::Owner
        } else {
            wangge_core::people::HouseholdType::parse(&kind_raw).ok_or_else(|| {
                format!("未知的房屋类型“{kind_raw}”（可填：自住、出租、空置、商用）")
            })?
        };
        let mut tags = Vec::with_capacity(resident.tags.len());
        for t in &resident.tags {
            match self.ctx.tags.iter().find(|(_, n)| n == t) {
                Some((id, _)) => tags.push(*id),
                None => {
                    return Err(format!(
                        "未知的标签“{t}”（可用：{}）",
                        self.ctx
                            .tags
                            .iter()
                            .map(|x| x.1.as_str())
                            .collect::<Vec<_>>()
                            .join("、")
                    ));
                }
            }
        }
        let sealed = service::seal(
            &self.ctx.vault,
            &resident.id_number,
            resident.phone.as_ref(),
        )
        .map_err(|e| e.to_string())?;
        Ok(Ready {
            line: 0,
            cells: Vec::new(),
            building,
            room,
            kind: kind.as_str(),
            resident,
            sealed,
            tags,
        })
    }
}

/// Maps the header line to the columns; refuses a sheet without the required ones.
fn header(cells: &[String]) -> AppResult<[Option<usize>; COLUMNS.len()]> {
    let norm = |s: &str| {
        s.trim()
            .trim_start_matches('\u{feff}')
            .replace([' ', '*', '＊', '\u{3000}'], "")
    };
    let names: Vec<String> = cells.iter().map(|c| norm(c)).collect();
    let mut out = [None; COLUMNS.len()];
    for (i, (_, label, aliases, _)) in COLUMNS.iter().enumerate() {
        out[i] = names
            .iter()
            .position(|n| n == label || aliases.contains(&n.as_str()));
    }
    let missing: Vec<&str> = COLUMNS
        .iter()
        .zip(out.iter())
        .filter(|((_, _, _, required), found)| *required && found.is_none())
        .map(|((_, label, _, _), _)| *label)
        .collect();
    if !missing.is_empty() {
        return Err(AppError::bad(
            "missing_columns",
            format!(
                "缺少必需的列：{}。第一行应是表头，如：{}（可下载模板对照）",
                missing.join("、"),
                template_headers().join("、")
            ),
        ));
    }
    Ok(out)
}

// ---------------------------------------------------------------------------------------------
// Writing

/// A household the writer knows: its id, path and head.
#[derive(Clone, Copy)]
struct Known {
    id: i64,
    head: Option<i64>,
}

/// The writer's memory across batches: the households of the buildings it has touched, when
/// the import began and whom it has written.
#[derive(Default)]
struct Writer {
    households: HashMap<(i64, String), Known>,
    loaded: HashSet<i64>,
    /// When the import began (ms): a record saved by someone else after that is newer than
    /// the sheet and is not overwritten.
    began: i64,
    /// The residents this import has written (a later row of the file may write them again).
    written: HashSet<i64>,
}

/// Why a row is not written over a record someone saved while the import ran.
const CHANGED_MEANWHILE: &str =
    "导入期间此人信息已在系统中被修改，未覆盖：请核对后单独修改或重新导入该行";

/// The stored fields a row is compared with.
struct Existing {
    id: i64,
    name: String,
    household_id: Option<i64>,
    row: resident::Model,
    tags: Vec<i64>,
}

impl Writer {
    async fn load_building(&mut self, db: &impl ConnectionTrait, b: i64) -> AppResult<()> {
        if !self.loaded.insert(b) {
            return Ok(());
        }
        let rows: Vec<(i64, String, Option<i64>)> = household::Entity::find()
            .select_only()
            .column(household::Column::Id)
            .column(household::Column::Room)
            .column(household::Column::HeadId)
            .filter(household::Column::BuildingId.eq(b))
            .into_tuple()
            .all(db)
            .await?;
        for (id, room, head) in rows {
            self.households.insert((b, room), Known { id, head });
        }
        Ok(())
    }

    /// Reads, in the batch's transaction, who heads each of the batch's households now: the
    /// copy kept since the building was first read may be stale (a head registered in the
    /// browser meanwhile). The database holds the rule (one head per household) in any case;
    /// this keeps a row from tripping it and failing the whole batch.
    async fn refresh_heads(&mut self, txn: &impl ConnectionTrait, rows: &[Ready]) -> AppResult<()> {
        let keys: Vec<(i64, String)> = rows
            .iter()
            .map(|r| (r.building.id, r.room.clone()))
            .collect();
        let ids: Vec<i64> = keys
            .iter()
            .filter_map(|k| self.households.get(k).map(|h| h.id))
            .collect::<HashSet<i64>>()
            .into_iter()
            .collect();
        let mut heads: HashMap<i64, i64> = HashMap::new();
        for chunk in ids.chunks(500) {
            let found: Vec<(Option<i64>, i64)> = resident::Entity::find()
                .select_only()
                .column(resident::Column::HouseholdId)
                .column(resident::Column::Id)
                .filter(resident::Column::HouseholdId.is_in(chunk.to_vec()))
                .filter(resident::Column::Relation.eq(Relation::Head.as_str()))
                .filter(resident::Column::Status.eq(ACTIVE))
                .into_tuple()
                .all(txn)
                .await?;
            heads.extend(found.into_iter().filter_map(|(h, id)| Some((h?, id))));
        }
        for k in keys {
            if let Some(known) = self.households.get_mut(&k) {
                known.head = heads.get(&known.id).copied();
            }
        }
        Ok(())
    }

    /// Finds or creates the household of every row's room (the new ones in a few
    /// statements); answers the deepest node all the rows lie under, for the audit entry.
    async fn households_for(
        &mut self,
        txn: &impl ConnectionTrait,
        rows: &[Ready],
        now: i64,
        report: &mut Report,
    ) -> AppResult<Option<String>> {
        let mut audit_path: Option<String> = None;
        let mut new_homes: Vec<&Ready> = Vec::new();
        let mut pending: HashSet<(i64, &str)> = HashSet::new();
        for r in rows {
            self.load_building(txn, r.building.id).await?;
            if !self
                .households
                .contains_key(&(r.building.id, r.room.clone()))
                && pending.insert((r.building.id, r.room.as_str()))
            {
                new_homes.push(r);
            }
            audit_path = Some(match audit_path {
                None => r.building.path.clone(),
                Some(p) => common_path(&p, &r.building.path),
            });
        }
        if !new_homes.is_empty() {
            for chunk in new_homes.chunks(300) {
                let mut sql = String::from(
                    "INSERT INTO households (building_id, org_path, room, address, kind, head_id, \
                     note, status, version, created_at, updated_at) VALUES ",
                );
                let mut values: Vec<sea_orm::Value> = Vec::with_capacity(chunk.len() * 4);
                for (i, r) in chunk.iter().enumerate() {
                    let n = i * 4;
                    if i > 0 {
                        sql.push(',');
                    }
                    sql.push_str(&format!(
                        "({}, ${}, ${}, ${}, ${}, NULL, '', 'active', 1, {now}, {now})",
                        r.building.id,
                        n + 1,
                        n + 2,
                        n + 3,
                        n + 4
                    ));
                    values.push(r.building.path.clone().into());
                    values.push(r.room.clone().into());
                    values.push(format!("{}{}", r.building.prefix, r.room).into());
                    values.push(r.kind.into());
                }
                crate::infra::db::exec(txn, &sql, values).await?;
            }
            report.households_created += new_homes.len() as u64;
            let buildings: HashSet<i64> = new_homes.iter().map(|r| r.building.id).collect();
            let list = crate::infra::db::id_list(&buildings.into_iter().collect::<Vec<_>>());
            let made: Vec<(i64, i64, String)> = household::Entity::find()
                .select_only()
                .column(household::Column::Id)
                .column(household::Column::BuildingId)
                .column(household::Column::Room)
                .filter(sea_orm::sea_query::Expr::cust(format!(
                    "building_id IN ({list})"
                )))
                .filter(household::Column::CreatedAt.eq(now))
                .into_tuple()
                .all(txn)
                .await?;
            for (id, b, room) in made {
                self.households
                    .entry((b, room))
                    .or_insert(Known { id, head: None });
            }
        }
        Ok(audit_path)
    }

    /// Inserts the new residents with their tags and their "imported" moves, and notes the
    /// households whose head is among them.
    async fn insert_new(
        &mut self,
        txn: &impl ConnectionTrait,
        c: &Caller,
        inserts: &[(Ready, i64)],
        now: i64,
        heads_changed: &mut HashSet<i64>,
    ) -> AppResult<()> {
        if inserts.is_empty() {
            return Ok(());
        }
        let new_ids = insert_rows(txn, inserts, now).await?;
        let mut tag_values = Vec::new();
        let mut moves = Vec::new();
        for (r, hid) in inserts {
            let Some(id) = new_ids.get(&r.sealed.id_blind).copied() else {
                continue;
            };
            self.written.insert(id);
            for t in &r.tags {
                tag_values.push((id, *t));
            }
            moves.push((id, *hid, r));
            if r.resident.relation == Relation::Head {
                if let Some(k) = self.households.get_mut(&(r.building.id, r.room.clone())) {
                    k.head = Some(id);
                }
                heads_changed.insert(*hid);
            }
        }
        for chunk in tag_values.chunks(400) {
            let sql = format!(
                "INSERT INTO resident_tags (resident_id, tag_id) VALUES {}",
                chunk
                    .iter()
                    .map(|(r, t)| format!("({r}, {t})"))
                    .collect::<Vec<_>>()
                    .join(",")
            );
            txn.execute_unprepared(&sql).await?;
        }
        let today = crate::infra::clock::today().to_string();
        for chunk in moves.chunks(200) {
            let mut values = Vec::with_capacity(chunk.len() * 6);
            let mut sql = String::from(
                "INSERT INTO resident_moves (resident_id, org_path, kind, from_household, \
                 to_household, from_address, to_address, on_date, reason, actor_name, at) VALUES ",
            );
            for (i, (id, hid, r)) in chunk.iter().enumerate() {
                let n = i * 4;
                if i > 0 {
                    sql.push(',');
                }
                sql.push_str(&format!(
                    "({id}, ${}, 'import', NULL, {hid}, '', ${}, ${}, '台账导入', ${}, {now})",
                    n + 1,
                    n + 2,
                    n + 3,
                    n + 4,
                ));
                values.push(r.building.path.clone().into());
                values.push(format!("{}{}", r.building.prefix, r.room).into());
                values.push(today.clone().into());
                values.push(c.who.name.clone().into());
            }
            crate::infra::db::exec(txn, &sql, values).await?;
        }
        Ok(())
    }

    async fn write(
        &mut self,
        st: &PeopleState,
        c: &Caller,
        rows: Vec<Ready>,
        report: &mut Report,
    ) -> AppResult<()> {
        if rows.is_empty() {
            return Ok(());
        }
        let (first, last) = (rows[0].line, rows[rows.len() - 1].line);
        let before = (
            report.inserted,
            report.updated,
            report.unchanged,
            report.rejected,
        );
        let txn = crate::infra::db::begin_write(&st.db).await?;
        let now = crate::infra::clock::now_ms();
        let existing = registered(&txn, &rows).await?;
        // Rows refused for who they name are refused before any household is made for them:
        // a rejected row leaves nothing behind.
        let mut refused_ids: Vec<String> = Vec::new();
        let mut kept = Vec::with_capacity(rows.len());
        for r in rows {
            match existing.get(&r.sealed.id_blind) {
                // Someone the importer may not see: the row says nothing about them and
                // changes nothing of theirs.
                Some(e) if !stored_path(&e.row.org_path).is_ok_and(|p| c.allows(&p)) => {
                    refused_ids.push(r.resident.id_number.masked());
                    report.reject(r.line, service::ID_UNAVAILABLE.to_owned(), r.cells);
                }
                Some(e) if e.name != r.resident.name => {
                    let reason =
                        format!("身份证号已登记为另一人（{}）：请核对姓名和证件号", e.name);
                    report.reject(r.line, reason, r.cells);
                }
                _ => kept.push(r),
            }
        }
        let audit_path = self.households_for(&txn, &kept, now, report).await?;
        self.refresh_heads(&txn, &kept).await?;
        let mut heads_changed: HashSet<i64> = HashSet::new();
        let mut inserts: Vec<(Ready, i64)> = Vec::new();
        for r in kept {
            let key = (r.building.id, r.room.clone());
            let Some(hh) = self.households.get(&key).copied() else {
                continue;
            };
            let is_head = r.resident.relation == Relation::Head;
            match existing.get(&r.sealed.id_blind) {
                Some(e) => {
                    if is_head && hh.head.is_some_and(|h| h != e.id) {
                        report.reject(r.line, "该户已有户主：一户只能有一位户主".into(), r.cells);
                        continue;
                    }
                    let mut tags = r.tags.clone();
                    tags.sort_unstable();
                    let mut old_tags = e.tags.clone();
                    old_tags.sort_unstable();
                    if same(&e.row, &r, hh.id) && tags == old_tags {
                        report.unchanged += 1;
                        continue;
                    }
                    // The version rule: a record saved by someone else since the import
                    // began (or between this batch's read and its write) is newer than the
                    // sheet; the row is returned, not written over it.
                    let newer = e.row.updated_at >= self.began && !self.written.contains(&e.id);
                    if newer || !update_row(&txn, e, &r, hh.id, &tags, now).await? {
                        report.reject(r.line, CHANGED_MEANWHILE.to_owned(), r.cells);
                        continue;
                    }
                    self.written.insert(e.id);
                    if e.household_id != Some(hh.id) {
                        movement_row(&txn, c, e.id, &r, e.household_id, hh.id, "transfer", now)
                            .await?;
                    }
                    if is_head || hh.head == Some(e.id) {
                        if let Some(k) = self.households.get_mut(&key) {
                            k.head = is_head.then_some(e.id);
                        }
                        heads_changed.insert(hh.id);
                    }
                    report.updated += 1;
                }
                None => {
                    if is_head && hh.head.is_some() {
                        report.reject(r.line, "该户已有户主：一户只能有一位户主".into(), r.cells);
                        continue;
                    }
                    if is_head {
                        // Reserve the head before the insert, so a second head in this batch is
                        // refused; the id is filled in below.
                        if let Some(k) = self.households.get_mut(&key) {
                            k.head = Some(0);
                        }
                    }
                    inserts.push((r, hh.id));
                }
            }
        }
        self.insert_new(&txn, c, &inserts, now, &mut heads_changed)
            .await?;
        // Each household whose head changed points at its member who is 户主.
        let changed: Vec<i64> = heads_changed.into_iter().collect();
        for chunk in changed.chunks(500) {
            let list = crate::infra::db::id_list(chunk);
            txn.execute_unprepared(&format!(
                "UPDATE households SET head_id = (SELECT MIN(r.id) FROM residents r \
                 WHERE r.household_id = households.id AND r.relation = 'head' \
                 AND r.status = 'active') WHERE id IN ({list})"
            ))
            .await?;
        }
        report.inserted += inserts.len() as u64;
        let (i, u, s, x) = (
            report.inserted - before.0,
            report.updated - before.1,
            report.unchanged - before.2,
            report.rejected - before.3,
        );
        if let Some(p) = audit_path {
            audit::record(
                &txn,
                &c.who,
                Entry {
                    org_path: &stored_path(&p)?,
                    action: "import",
                    entity: "resident",
                    entity_id: None,
                    summary: format!(
                        "导入人口台账第 {first}–{last} 行：新增 {i} 人，更新 {u} 人，未变 {s} 人，退回 {x} 行"
                    ),
                    changes: json!({"inserted": i, "updated": u, "unchanged": s, "rejected": x}),
                },
            )
            .await?;
        }
        service::record_unavailable_ids(
            &txn,
            c,
            &refused_ids,
            format!(
                "导入人口台账第 {first}–{last} 行：{} 个身份证号已登记在管辖范围之外，未导入",
                refused_ids.len()
            ),
        )
        .await?;
        txn.commit().await?;
        Ok(())
    }
}

/// The residents already registered under the rows' ID numbers, by blind index, with their
/// tag ids.
async fn registered(
    txn: &impl ConnectionTrait,
    rows: &[Ready],
) -> AppResult<HashMap<i64, Existing>> {
    let blinds: Vec<i64> = rows.iter().map(|r| r.sealed.id_blind).collect();
    let mut existing: HashMap<i64, Existing> = HashMap::new();
    for chunk in blinds.chunks(500) {
        for m in resident::Entity::find()
            .filter(resident::Column::IdBlind.is_in(chunk.to_vec()))
            .all(txn)
            .await?
        {
            existing.insert(
                m.id_blind,
                Existing {
                    id: m.id,
                    name: m.name.clone(),
                    household_id: m.household_id,
                    row: m,
                    tags: Vec::new(),
                },
            );
        }
    }
    let ids: Vec<i64> = existing.values().map(|e| e.id).collect();
    let mut tags = service::tag_ids_of(txn, &ids).await?;
    for e in existing.values_mut() {
        e.tags = tags.remove(&e.id).unwrap_or_default();
    }
    Ok(existing)
}

/// The deepest node both materialized paths lie under (`/1/4/` of `/1/4/7/` and `/1/4/9/`).
fn common_path(a: &str, b: &str) -> String {
    let mut end = 0;
    for ((i, x), y) in a.char_indices().zip(b.chars()) {
        if x != y {
            break;
        }
        if x == '/' {
            end = i + 1;
        }
    }
    a[..end.max(1)].to_owned()
}

/// Whether a stored resident already says what the row says.
fn same(m: &resident::Model, r: &Ready, household: i64) -> bool {
    let x = &r.resident;
    m.household_id == Some(household)
        && m.status == ACTIVE
        && m.name == x.name
        && m.gender == x.gender.as_str()
        && m.birth_date == x.birth_date.format("%Y-%m-%d").to_string()
        && m.ethnicity == i32::from(x.ethnicity)
        && m.phone_blind == r.sealed.phone_blind
        && m.residence == x.residence.as_str()
        && m.political == x.political.as_str()
        && m.relation == x.relation.as_str()
        && m.work_unit == x.work_unit
        && m.note == x.note
}

/// Writes an import row over a registered resident through the registry's one writer;
/// `false` when the record moved on meanwhile.
async fn update_row(
    db: &impl ConnectionTrait,
    e: &Existing,
    r: &Ready,
    household: i64,
    tags: &[i64],
    now: i64,
) -> AppResult<bool> {
    let place = service::Place {
        household,
        org_path: &r.building.path,
    };
    if !service::write_record(db, &e.row, &r.resident, &r.sealed, Some(place), now).await? {
        return Ok(false);
    }
    service::set_tags(db, e.id, tags).await?;
    Ok(true)
}

#[allow(clippy::too_many_arguments)]
async fn movement_row(
    db: &impl ConnectionTrait,
    c: &Caller,
    resident: i64,
    r: &Ready,
    from: Option<i64>,
    to: i64,
    kind: &str,
    now: i64,
) -> AppResult<()> {
    let from_address = match from {
        Some(h) => household::Entity::find_by_id(h)
            .one(db)
            .await?
            .map(|h| h.address)
            .unwrap_or_default(),
        None => String::new(),
    };
    crate::infra::db::exec(
        db,
        "INSERT INTO resident_moves (resident_id, org_path, kind, from_household, to_household, \
         from_address, to_address, on_date, reason, actor_name, at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, '台账导入', $9, $10)",
        vec![
            resident.into(),
            r.building.path.clone().into(),
            kind.into(),
            from.into(),
            to.into(),
            from_address.into(),
            format!("{}{}", r.building.prefix, r.room).into(),
            crate::infra::clock::today().to_string().into(),
            c.who.name.clone().into(),
            now.into(),
        ],
    )
    .await?;
    Ok(())
}

/// Inserts new residents, many per statement; answers their ids by blind index.
async fn insert_rows(
    db: &impl ConnectionTrait,
    rows: &[(Ready, i64)],
    now: i64,
) -> AppResult<HashMap<i64, i64>> {
    let mut ids = HashMap::with_capacity(rows.len());
    const COLS: usize = 20;
    for chunk in rows.chunks(400) {
        let mut sql = String::from(
            "INSERT INTO residents (household_id, org_path, name, initials, gender, birth_date, \
             ethnicity, id_sealed, id_blind, id_tail, phone_sealed, phone_blind, phone_tail, \
             residence, political, relation, work_unit, note, status, created_at, version, \
             updated_at) VALUES ",
        );
        let mut values: Vec<sea_orm::Value> = Vec::with_capacity(chunk.len() * COLS);
        for (i, (r, hid)) in chunk.iter().enumerate() {
            if i > 0 {
                sql.push(',');
            }
            sql.push('(');
            for k in 0..COLS {
                if k > 0 {
                    sql.push(',');
                }
                sql.push_str(&format!("${}", i * COLS + k + 1));
            }
            sql.push_str(",1,");
            sql.push_str(&now.to_string());
            sql.push(')');
            let x = &r.resident;
            let s = &r.sealed;
            values.extend([
                (*hid).into(),
                r.building.path.clone().into(),
                x.name.clone().into(),
                x.initials.clone().into(),
                x.gender.as_str().into(),
                x.birth_date.format("%Y-%m-%d").to_string().into(),
                i32::from(x.ethnicity).into(),
                s.id_sealed.clone().into(),
                s.id_blind.into(),
                s.id_tail.into(),
                s.phone_sealed.clone().into(),
                s.phone_blind.into(),
                s.phone_tail.into(),
                x.residence.as_str().into(),
                x.political.as_str().into(),
                x.relation.as_str().into(),
                x.work_unit.clone().into(),
                x.note.clone().into(),
                ACTIVE.into(),
                now.into(),
            ]);
        }
        sql.push_str(" RETURNING id, id_blind");
        for r in db
            .query_all_raw(crate::infra::db::statement(db, &sql, values))
            .await?
        {
            let id: i64 = r.try_get_by_index(0)?;
            let blind: i64 = r.try_get_by_index(1)?;
            ids.insert(blind, id);
        }
    }
    Ok(ids)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headers_map_by_name_and_alias_in_any_order() {
        let cells: Vec<String> = ["姓名", "身份证号", "楼栋编码", "房号", "联系电话", "标签"]
            .iter()
            .map(|s| (*s).to_owned())
            .collect();
        let cols = header(&cells).expect("all required there");
        let at = |f: &str| cols[COLUMNS.iter().position(|c| c.0 == f).expect("field")];
        assert_eq!(at("name"), Some(0));
        assert_eq!(at("id_number"), Some(1));
        assert_eq!(at("building"), Some(2));
        assert_eq!(at("phone"), Some(4));
        assert_eq!(at("note"), None);
        let e = header(&["姓名".to_owned(), "房号".to_owned()]).expect_err("missing");
        assert!(e.to_string().contains("楼栋") && e.to_string().contains("公民身份号码"));
    }

    #[test]
    fn batches_are_audited_where_all_their_rows_lie() {
        assert_eq!(common_path("/1/4/7/", "/1/4/9/"), "/1/4/");
        assert_eq!(common_path("/1/4/7/", "/1/4/7/"), "/1/4/7/");
        assert_eq!(common_path("/1/4/17/", "/1/4/1/"), "/1/4/");
        assert_eq!(common_path("/1/", "/2/"), "/");
    }

    #[test]
    fn reasons_count_together_whatever_they_quote() {
        let mut r = Report::default();
        for (line, reason) in [
            (3, "身份证号已登记为另一人（刘美玲）：请核对姓名和证件号"),
            (4, "身份证号已登记为另一人（何静）：请核对姓名和证件号"),
            (5, "性别“南”只能填 男 或 女"),
            (6, "该户已有户主：一户只能有一位户主"),
            (7, "身份证号已登记为另一人（王五）：请核对姓名和证件号"),
        ] {
            r.reject(line, reason.into(), Vec::new());
        }
        assert_eq!(
            r.reasons(2),
            [
                (
                    "身份证号已登记为另一人（…）：请核对姓名和证件号".to_owned(),
                    3
                ),
                ("性别“…”只能填 男 或 女".to_owned(), 1),
                ("其他原因".to_owned(), 1),
            ]
        );
        assert_eq!(r.head(1).errors.len(), 1);
        assert_eq!(r.head(1).rejected, 5);
    }
}
