//! The file store: photos kept content-addressed (by SHA-256) under `<data dir>/files/`, so the
//! same photo is stored once and a name can never point at another file. Everything goes
//! through [`put`] and [`read`], so an S3-compatible store can replace the directory later.

use crate::infra::error::{AppError, AppResult};
use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};
use wangge_core::photo;

/// The largest photo accepted.
pub const MAX_BYTES: usize = 10 * 1024 * 1024;
/// The most photos on one report or feedback.
pub const MAX_PHOTOS: usize = 9;

fn is_id(id: &str) -> bool {
    id.len() == 64
        && id
            .bytes()
            .all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase())
}

fn path_of(dir: &Path, id: &str) -> PathBuf {
    dir.join("files").join(&id[..2]).join(id)
}

fn ext_of(mime: &str) -> &'static str {
    match mime {
        "image/png" => "png",
        "image/webp" => "webp",
        "application/pdf" => "pdf",
        _ => "jpg",
    }
}

/// Cleans a photo (see [`wangge_core::photo`]) and stores it; answers (id, mime, size).
pub async fn put(dir: &Path, bytes: &[u8]) -> AppResult<(String, String, i64)> {
    let (fmt, clean) =
        photo::clean(bytes, MAX_BYTES).map_err(|e| AppError::bad("bad_photo", e.to_string()))?;
    store(dir, &clean, fmt.mime()).await
}

/// The largest scanned document accepted.
pub const MAX_DOCUMENT: usize = 20 * 1024 * 1024;

/// Stores a scanned document: a photo (cleaned like any photo) or a PDF.
pub async fn put_document(dir: &Path, bytes: &[u8]) -> AppResult<(String, String, i64)> {
    if bytes.starts_with(b"%PDF-") {
        if bytes.len() > MAX_DOCUMENT {
            return Err(AppError::bad(
                "too_large",
                format!("文件不能超过 {} MB", MAX_DOCUMENT / 1024 / 1024),
            ));
        }
        return store(dir, bytes, "application/pdf").await;
    }
    let (fmt, clean) = photo::clean(bytes, MAX_DOCUMENT).map_err(|_| {
        AppError::bad(
            "bad_document",
            "档案文件只能是 PDF 或照片（JPEG、PNG、WebP），且不超过 20 MB",
        )
    })?;
    store(dir, &clean, fmt.mime()).await
}

async fn store(dir: &Path, clean: &[u8], mime: &str) -> AppResult<(String, String, i64)> {
    let id = crate::infra::tokens::hex(&Sha256::digest(clean));
    let path = path_of(dir, &id).with_extension(ext_of(mime));
    if tokio::fs::metadata(&path).await.is_err() {
        let parent = path
            .parent()
            .ok_or_else(|| AppError::Internal(anyhow::anyhow!("bad file path")))?;
        tokio::fs::create_dir_all(parent)
            .await
            .map_err(|e| AppError::Internal(e.into()))?;
        let tmp = path.with_extension("tmp");
        tokio::fs::write(&tmp, clean)
            .await
            .map_err(|e| AppError::Internal(e.into()))?;
        tokio::fs::rename(&tmp, &path)
            .await
            .map_err(|e| AppError::Internal(e.into()))?;
    }
    Ok((
        id,
        mime.to_owned(),
        i64::try_from(clean.len()).unwrap_or(i64::MAX),
    ))
}

/// The (id, mime, size) of a stored file, if it exists.
pub fn stat(dir: &Path, id: &str) -> Option<(String, String, i64)> {
    if !is_id(id) {
        return None;
    }
    ["image/jpeg", "image/png", "image/webp", "application/pdf"]
        .into_iter()
        .find_map(|mime| {
            let m = std::fs::metadata(path_of(dir, id).with_extension(ext_of(mime))).ok()?;
            Some((id.to_owned(), mime.to_owned(), i64::try_from(m.len()).ok()?))
        })
}

/// Reads a stored file: (mime, bytes).
pub async fn read(dir: &Path, id: &str) -> AppResult<(String, Vec<u8>)> {
    let (_, mime, _) = stat(dir, id).ok_or_else(|| AppError::NotFound("文件不存在".into()))?;
    let bytes = tokio::fs::read(path_of(dir, id).with_extension(ext_of(&mime)))
        .await
        .map_err(|e| AppError::Internal(e.into()))?;
    Ok((mime, bytes))
}
