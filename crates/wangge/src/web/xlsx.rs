//! Ledger exports as XLSX. Every cell is written as text, and text that a spreadsheet
//! would take for a formula (`=`, `+`, `-`, `@`) is prefixed with an apostrophe.

use crate::infra::error::{AppError, AppResult};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use rust_xlsxwriter::{Format, Workbook};

/// Neutralizes formula-looking text.
pub fn safe_cell(s: &str) -> String {
    if s.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{s}")
    } else {
        s.to_owned()
    }
}

/// One sheet of a workbook: its name, header row and rows.
pub struct Sheet<'a> {
    pub name: &'a str,
    pub headers: &'a [&'a str],
    pub rows: &'a [Vec<String>],
}

/// Builds a one-sheet workbook with a bold header row.
pub fn build(sheet: &str, headers: &[&str], rows: &[Vec<String>]) -> AppResult<Vec<u8>> {
    build_sheets(&[Sheet {
        name: sheet,
        headers,
        rows,
    }])
}

/// Builds a workbook of several sheets, each with a bold header row.
pub fn build_sheets(sheets: &[Sheet<'_>]) -> AppResult<Vec<u8>> {
    let err = |e: rust_xlsxwriter::XlsxError| AppError::Internal(anyhow::anyhow!("xlsx: {e}"));
    let mut wb = Workbook::new();
    let bold = Format::new().set_bold();
    for sheet in sheets {
        let ws = wb.add_worksheet();
        ws.set_name(sheet.name).map_err(err)?;
        for (c, h) in sheet.headers.iter().enumerate() {
            let col = u16::try_from(c).map_err(|e| AppError::Internal(e.into()))?;
            ws.write_string_with_format(0, col, *h, &bold)
                .map_err(err)?;
            ws.set_column_width(col, 16).map_err(err)?;
        }
        for (r, row) in sheet.rows.iter().enumerate() {
            let rr = u32::try_from(r + 1).map_err(|e| AppError::Internal(e.into()))?;
            for (c, v) in row.iter().enumerate() {
                let col = u16::try_from(c).map_err(|e| AppError::Internal(e.into()))?;
                ws.write_string(rr, col, safe_cell(v)).map_err(err)?;
            }
        }
    }
    wb.save_to_buffer().map_err(err)
}

/// The cells of a workbook's first sheet as text (for reading back what was exported), by
/// the one sheet reader.
pub fn read_rows(bytes: &[u8]) -> AppResult<Vec<Vec<String>>> {
    Ok(super::sheet::read_all(bytes.to_vec())?
        .into_iter()
        .map(|(_, cells)| cells)
        .collect())
}

/// The workbook as a download.
pub fn download(filename: &str, bytes: Vec<u8>) -> Response {
    (
        [
            (
                header::CONTENT_TYPE,
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet".to_owned(),
            ),
            (
                header::CONTENT_DISPOSITION,
                format!(
                    "attachment; filename=\"export.xlsx\"; filename*=UTF-8''{}",
                    crate::web::urlencode(filename)
                ),
            ),
        ],
        bytes,
    )
        .into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formulas_are_neutralized() {
        assert_eq!(safe_cell("=1+1"), "'=1+1");
        assert_eq!(safe_cell("@SUM(A1)"), "'@SUM(A1)");
        assert_eq!(safe_cell("-2"), "'-2");
        assert_eq!(safe_cell("清河街道"), "清河街道");
        let bytes = build("表", &["a"], &[vec!["=x".into()]]).expect("xlsx");
        assert!(bytes.starts_with(b"PK"));
    }
}
