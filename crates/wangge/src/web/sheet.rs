//! Sheets in: the one reader of the spreadsheets people upload — XLSX (streamed cell by cell),
//! or CSV in UTF-8 (with or without a BOM) or GB18030 (what Excel on a Chinese Windows writes),
//! told apart by what the file is. Each row comes with the line a person sees it on.
//! Sheets out are [`super::xlsx`].

use crate::infra::error::{AppError, AppResult};
use std::io::{BufRead, Read, Seek};

/// Where a file comes from.
pub enum Input {
    /// A file on disk (the command line): streamed.
    Path(std::path::PathBuf),
    /// An upload held in memory.
    Bytes(Vec<u8>),
}

/// What a reader tells of its progress (an import's status page shows it). Every method
/// does nothing unless a watcher wants it.
pub trait Watch {
    /// The size of the CSV text, in bytes.
    fn total_bytes(&self, _n: u64) {}
    /// The byte a CSV reader has reached.
    fn at_byte(&self, _n: u64) {}
    /// How many rows a workbook's sheet spans.
    fn total_rows(&self, _n: u64) {}
}

impl Watch for () {}

/// Reads a sheet's rows, the header first, each with its 1-based line, into `row` until it
/// answers `false` (then `Ok(false)`); `Ok(true)` when every row was read.
pub fn read(
    input: Input,
    watch: &dyn Watch,
    row: &mut dyn FnMut(u64, Vec<String>) -> AppResult<bool>,
) -> AppResult<bool> {
    match input {
        Input::Path(p) => {
            let f = std::fs::File::open(&p).map_err(|e| {
                AppError::bad("bad_file", format!("无法打开文件 {}：{e}", p.display()))
            })?;
            let size = f.metadata().map(|m| m.len()).unwrap_or(0);
            let mut r = std::io::BufReader::with_capacity(1 << 20, f);
            let head = r
                .fill_buf()
                .map_err(|e| AppError::bad("bad_file", format!("无法读取文件：{e}")))?
                .to_vec();
            if sniff(&head)? {
                read_xlsx(r, watch, row)
            } else if std::str::from_utf8(&head[..utf8_prefix(&head)]).is_ok() {
                watch.total_bytes(size);
                read_csv(r, watch, row)
            } else {
                let mut all = Vec::new();
                r.read_to_end(&mut all)
                    .map_err(|e| AppError::bad("bad_file", format!("无法读取文件：{e}")))?;
                read_csv_bytes(all, watch, row)
            }
        }
        Input::Bytes(b) => {
            if sniff(&b)? {
                read_xlsx(std::io::Cursor::new(b), watch, row)
            } else {
                read_csv_bytes(b, watch, row)
            }
        }
    }
}

/// Every row of a sheet in memory, with its line.
pub fn read_all(bytes: Vec<u8>) -> AppResult<Vec<(u64, Vec<String>)>> {
    let mut out = Vec::new();
    read(Input::Bytes(bytes), &(), &mut |line, cells| {
        out.push((line, cells));
        Ok(true)
    })?;
    Ok(out)
}

/// Which kind of file the bytes are.
fn sniff(head: &[u8]) -> AppResult<bool> {
    if head.starts_with(b"PK\x03\x04") {
        return Ok(true);
    }
    if head.starts_with(&[0xD0, 0xCF, 0x11, 0xE0]) {
        return Err(AppError::bad(
            "bad_file",
            "这是旧版 Excel（.xls）文件：请在 Excel 中另存为 .xlsx 或 CSV 后再导入",
        ));
    }
    // Decided by what the file is, not by every byte: formats that are surely no table are
    // named; anything else is read as CSV text, whose rows are then checked one by one (a stray
    // control character rejects its row, not the file). A NUL is never in CSV text.
    const NOT_TABLES: [&[u8]; 6] = [
        b"%PDF",
        b"\x89PNG",
        b"\xFF\xD8\xFF",
        b"GIF8",
        b"Rar!",
        b"\x1F\x8B",
    ];
    if head.is_empty()
        || NOT_TABLES.iter().any(|m| head.starts_with(m))
        || head.iter().take(4096).any(|b| *b == 0)
    {
        return Err(AppError::bad(
            "bad_file",
            "文件不是电子表格：请上传 .xlsx 或 .csv 文件（可先下载模板）",
        ));
    }
    Ok(false)
}

/// The length of the longest prefix of (at most 64 KiB of) `b` that does not end inside a
/// multi-byte character, for checking the start of a file as UTF-8.
fn utf8_prefix(b: &[u8]) -> usize {
    let end = b.len().min(65536);
    // Find the last lead byte within the last four bytes.
    let mut lead = end;
    while lead > 0 && end - lead < 4 {
        lead -= 1;
        if b[lead] & 0xC0 != 0x80 {
            break;
        }
    }
    let need = match b.get(lead) {
        Some(x) if *x >= 0xF0 => 4,
        Some(x) if *x >= 0xE0 => 3,
        Some(x) if *x >= 0xC0 => 2,
        _ => 1,
    };
    if lead + need <= end { end } else { lead }
}

/// A CSV in memory: UTF-8 (with or without a BOM) as is; anything else is read as GB18030,
/// which is what Excel on a Chinese Windows writes.
fn read_csv_bytes(
    b: Vec<u8>,
    watch: &dyn Watch,
    row: &mut dyn FnMut(u64, Vec<String>) -> AppResult<bool>,
) -> AppResult<bool> {
    watch.total_bytes(b.len() as u64);
    if std::str::from_utf8(&b).is_ok() {
        return read_csv(std::io::Cursor::new(b), watch, row);
    }
    let (text, _, bad) = encoding_rs::GB18030.decode(&b);
    if bad {
        return Err(AppError::bad(
            "bad_file",
            "文件编码无法识别：请在 Excel 中另存为“CSV UTF-8”，或直接上传 xlsx",
        ));
    }
    let text = text.into_owned().into_bytes();
    watch.total_bytes(text.len() as u64);
    read_csv(std::io::Cursor::new(text), watch, row)
}

/// Where each line of a file begins with something on it, noted as a reader passes the bytes
/// on: the CSV parser places a record at the byte where it began reading — a blank line before
/// it, or the LF of a CRLF, included — so its own line count runs early. The line a person sees
/// a row on is the first line with content at or after that byte.
#[derive(Default)]
struct LineStarts {
    /// Bytes passed so far.
    offset: u64,
    /// The line being read, from 1.
    line: u64,
    /// Whether nothing but a CR has been seen on it yet.
    fresh: bool,
    /// (first content byte, line) of lines not yet claimed by a record.
    starts: std::collections::VecDeque<(u64, u64)>,
}

impl LineStarts {
    fn new() -> LineStarts {
        LineStarts {
            line: 1,
            fresh: true,
            ..LineStarts::default()
        }
    }

    fn see(&mut self, bytes: &[u8]) {
        for &b in bytes {
            match b {
                b'\n' => {
                    self.line += 1;
                    self.fresh = true;
                }
                b'\r' => {}
                _ if self.fresh => {
                    self.starts.push_back((self.offset, self.line));
                    self.fresh = false;
                }
                _ => {}
            }
            self.offset += 1;
        }
    }

    /// The line of the record the parser placed at byte `at`.
    fn line_at(&mut self, at: u64) -> u64 {
        while self.starts.front().is_some_and(|(o, _)| *o < at) {
            self.starts.pop_front();
        }
        self.starts.front().map_or(self.line, |(_, l)| *l)
    }
}

/// A reader that tells [`LineStarts`] every byte it passes on (and drops 0x1A end-of-file
/// marks).
struct Tracked<R> {
    inner: R,
    lines: std::rc::Rc<std::cell::RefCell<LineStarts>>,
}

impl<R: Read> Read for Tracked<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        loop {
            let n = self.inner.read(buf)?;
            // The end-of-file mark (0x1A) old tools write is no data: it is dropped.
            let mut kept = 0;
            for i in 0..n {
                if buf[i] != 0x1A {
                    buf[kept] = buf[i];
                    kept += 1;
                }
            }
            self.lines.borrow_mut().see(&buf[..kept]);
            if kept > 0 || n == 0 {
                return Ok(kept);
            }
        }
    }
}

fn read_csv<R: Read>(
    r: R,
    watch: &dyn Watch,
    row: &mut dyn FnMut(u64, Vec<String>) -> AppResult<bool>,
) -> AppResult<bool> {
    let lines = std::rc::Rc::new(std::cell::RefCell::new(LineStarts::new()));
    let mut rdr = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(Tracked {
            inner: r,
            lines: lines.clone(),
        });
    let mut rec = csv::StringRecord::new();
    loop {
        match rdr.read_record(&mut rec) {
            Ok(false) => break,
            Ok(true) => {
                let at = rec.position().map_or(0, csv::Position::byte);
                let line = lines.borrow_mut().line_at(at);
                watch.at_byte(at);
                let cells: Vec<String> = rec.iter().map(str::to_owned).collect();
                if !row(line, cells)? {
                    return Ok(false);
                }
            }
            Err(e) => {
                let at = e.position().map_or(0, csv::Position::byte);
                let line = lines.borrow_mut().line_at(at);
                return Err(AppError::bad(
                    "bad_file",
                    format!(
                        "CSV 第 {line} 行无法读取（{e}）：请检查引号是否成对，或另存为 CSV UTF-8"
                    ),
                ));
            }
        }
    }
    Ok(true)
}

fn read_xlsx<RS: Read + Seek>(
    r: RS,
    watch: &dyn Watch,
    push: &mut dyn FnMut(u64, Vec<String>) -> AppResult<bool>,
) -> AppResult<bool> {
    use calamine::{DataRef, Reader};
    let mut wb = calamine::Xlsx::new(r)
        .map_err(|e| AppError::bad("bad_file", format!("无法读取电子表格：{e}")))?;
    let first = wb
        .sheet_names()
        .first()
        .cloned()
        .ok_or_else(|| AppError::bad("bad_file", "电子表格里没有工作表"))?;
    let mut cells = wb
        .worksheet_cells_reader(&first)
        .map_err(|e| AppError::bad("bad_file", format!("无法读取第一个工作表：{e}")))?;
    let dim = cells.dimensions();
    watch.total_rows(u64::from(dim.end.0.saturating_sub(dim.start.0)));
    let mut current: Option<u32> = None;
    let mut row: Vec<String> = Vec::new();
    loop {
        let cell = cells
            .next_cell()
            .map_err(|e| AppError::bad("bad_file", format!("电子表格内容无法读取：{e}")))?;
        let Some(cell) = cell else { break };
        let (r, col) = cell.get_position();
        if current != Some(r) {
            if let Some(prev) = current
                && !push(u64::from(prev) + 1, std::mem::take(&mut row))?
            {
                return Ok(false);
            }
            current = Some(r);
        }
        let col = col as usize;
        if col > 64 {
            continue;
        }
        if row.len() <= col {
            row.resize(col + 1, String::new());
        }
        row[col] = match cell.get_value() {
            DataRef::String(s) => s.clone(),
            DataRef::SharedString(s) => (*s).to_owned(),
            DataRef::Int(i) => i.to_string(),
            DataRef::Float(f) if f.fract() == 0.0 && f.abs() < 1e15 => format!("{}", *f as i64),
            DataRef::Float(f) => f.to_string(),
            DataRef::Bool(b) => if *b { "是" } else { "否" }.to_owned(),
            DataRef::DateTime(d) => excel_date(d.as_f64()),
            DataRef::DateTimeIso(s) | DataRef::DurationIso(s) => {
                s.split('T').next().unwrap_or_default().to_owned()
            }
            DataRef::Error(_) | DataRef::Empty => String::new(),
        };
    }
    if let Some(prev) = current
        && !push(u64::from(prev) + 1, row)?
    {
        return Ok(false);
    }
    Ok(true)
}

/// An Excel date serial (1900 system) as `YYYY-MM-DD`.
fn excel_date(serial: f64) -> String {
    let days = serial.floor() as i64;
    chrono::NaiveDate::from_ymd_opt(1899, 12, 30)
        .and_then(|base| base.checked_add_signed(chrono::Duration::days(days)))
        .map_or_else(String::new, |d| d.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn files_are_told_apart() {
        assert!(sniff(b"PK\x03\x04rest").expect("xlsx"));
        assert!(!sniff("楼栋,房号\n".as_bytes()).expect("csv"));
        assert!(sniff(&[0xD0, 0xCF, 0x11, 0xE0, 0, 0]).is_err());
        assert!(sniff(&[0x89, b'P', b'N', b'G', 0, 0, 0]).is_err());
        assert!(sniff(b"").is_err());
    }

    #[test]
    fn excel_serials_are_dates() {
        assert_eq!(excel_date(32874.0), "1990-01-01");
        assert_eq!(excel_date(45658.5), "2025-01-01");
    }

    #[test]
    fn a_cut_character_is_stepped_over() {
        let s = "张三".as_bytes();
        assert_eq!(utf8_prefix(&s[..4]), 3);
        assert_eq!(utf8_prefix(s), 6);
    }

    #[test]
    fn rows_keep_the_line_a_person_sees() {
        let mut starts = LineStarts::new();
        // CRLF lines, a blank line, a quoted cell over two lines.
        let text = b"h1,h2\r\na,1\r\n\r\nb,2\r\n\"c\nd\",3\r\ne,4\r\n";
        starts.see(text);
        let pos = |needle: &[u8]| {
            text.windows(needle.len())
                .position(|w| w == needle)
                .expect("in text") as u64
        };
        // The parser places a record where it began reading: the LF before it, or a blank line.
        assert_eq!(starts.line_at(0), 1);
        assert_eq!(starts.line_at(pos(b"\na,1")), 2);
        assert_eq!(starts.line_at(pos(b"\n\r\nb,2")), 4, "after the blank line");
        assert_eq!(starts.line_at(pos(b"\n\"c")), 5);
        assert_eq!(starts.line_at(pos(b"\ne,4")), 7, "after the two-line cell");
    }
}
