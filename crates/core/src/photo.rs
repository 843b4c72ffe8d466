//! Photos attached to cases: which files are accepted, and the metadata stripped from them.
//!
//! Only JPEG, PNG and WebP are accepted, recognised by their bytes (never by the name or the
//! declared type). Before a photo is stored, everything that may carry a location or a
//! device's identity is removed — EXIF (GPS lives there), XMP, IPTC, comments and text chunks —
//! while the pixels are copied untouched. A JPEG keeps only its orientation, re-written as a
//! minimal EXIF block, so a phone's portrait photo is not shown lying on its side.

/// An accepted image format.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    /// image/jpeg.
    Jpeg,
    /// image/png.
    Png,
    /// image/webp.
    Webp,
}

impl Format {
    /// The MIME type.
    pub fn mime(self) -> &'static str {
        match self {
            Format::Jpeg => "image/jpeg",
            Format::Png => "image/png",
            Format::Webp => "image/webp",
        }
    }
}

/// Why a file is refused.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum PhotoError {
    /// Not one of the accepted formats.
    #[error("只能上传 JPEG、PNG 或 WebP 格式的照片")]
    NotAnImage,
    /// The bytes claim a format but do not hold together.
    #[error("照片文件已损坏，无法读取")]
    Damaged,
    /// Too large.
    #[error("照片不能超过 {0} MB")]
    TooLarge(usize),
}

/// Recognises the format from the first bytes.
pub fn sniff(b: &[u8]) -> Option<Format> {
    if b.starts_with(&[0xFF, 0xD8, 0xFF]) {
        Some(Format::Jpeg)
    } else if b.starts_with(b"\x89PNG\r\n\x1a\n") {
        Some(Format::Png)
    } else if b.len() >= 12 && &b[0..4] == b"RIFF" && &b[8..12] == b"WEBP" {
        Some(Format::Webp)
    } else {
        None
    }
}

/// Checks a photo and returns its format and a copy without metadata.
pub fn clean(b: &[u8], max_bytes: usize) -> Result<(Format, Vec<u8>), PhotoError> {
    if b.len() > max_bytes {
        return Err(PhotoError::TooLarge(max_bytes / (1024 * 1024)));
    }
    let f = sniff(b).ok_or(PhotoError::NotAnImage)?;
    let out = match f {
        Format::Jpeg => jpeg(b),
        Format::Png => png(b),
        Format::Webp => webp(b),
    }
    .ok_or(PhotoError::Damaged)?;
    Ok((f, out))
}

fn be16(b: &[u8], at: usize) -> Option<usize> {
    Some(u16::from_be_bytes([*b.get(at)?, *b.get(at + 1)?]) as usize)
}

fn jpeg(b: &[u8]) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(b.len());
    out.extend_from_slice(&[0xFF, 0xD8]);
    let mut orientation = None;
    let mut wrote_orientation = false;
    let mut i = 2;
    loop {
        if *b.get(i)? != 0xFF {
            return None;
        }
        let marker = *b.get(i + 1)?;
        if marker == 0xFF {
            i += 1; // fill byte
            continue;
        }
        if (0xD0..=0xD7).contains(&marker) || marker == 0x01 {
            out.extend_from_slice(&b[i..i + 2]);
            i += 2;
            continue;
        }
        if marker == 0xD9 {
            out.extend_from_slice(&[0xFF, 0xD9]);
            return Some(out);
        }
        let len = be16(b, i + 2)?;
        if len < 2 || i + 2 + len > b.len() {
            return None;
        }
        let seg = &b[i..i + 2 + len];
        let body = &seg[4..];
        let keep = match marker {
            0xE1 => {
                if body.starts_with(b"Exif\0\0") {
                    orientation = orientation.or_else(|| exif_orientation(&body[6..]));
                }
                false
            }
            0xE0 | 0xE2 | 0xEE => true, // JFIF, ICC profile, Adobe colour transform
            0xE3..=0xEF | 0xFE => false,
            _ => true,
        };
        // The orientation goes right after JFIF (or first), before any frame data.
        if !wrote_orientation && marker != 0xE0 && marker != 0xE1 {
            if let Some(o) = orientation {
                out.extend_from_slice(&orientation_segment(o));
            }
            wrote_orientation = true;
        }
        if keep {
            out.extend_from_slice(seg);
        }
        i += 2 + len;
        if marker == 0xDA {
            // Start of scan: the rest is entropy-coded data and trailing markers.
            out.extend_from_slice(&b[i..]);
            return Some(out);
        }
    }
}

/// Reads tag 0x0112 (orientation) from IFD0 of a TIFF block.
fn exif_orientation(t: &[u8]) -> Option<u16> {
    let le = match t.get(0..2)? {
        b"II" => true,
        b"MM" => false,
        _ => return None,
    };
    let u16_at = |at: usize| -> Option<u16> {
        let x = [*t.get(at)?, *t.get(at + 1)?];
        Some(if le {
            u16::from_le_bytes(x)
        } else {
            u16::from_be_bytes(x)
        })
    };
    let u32_at = |at: usize| -> Option<u32> {
        let x = [
            *t.get(at)?,
            *t.get(at + 1)?,
            *t.get(at + 2)?,
            *t.get(at + 3)?,
        ];
        Some(if le {
            u32::from_le_bytes(x)
        } else {
            u32::from_be_bytes(x)
        })
    };
    let ifd = u32_at(4)? as usize;
    let n = u16_at(ifd)? as usize;
    (0..n.min(256)).find_map(|k| {
        let e = ifd + 2 + 12 * k;
        (u16_at(e)? == 0x0112)
            .then(|| u16_at(e + 8))
            .flatten()
            .filter(|o| (1..=8).contains(o))
    })
}

/// A minimal big-endian EXIF block holding only the orientation.
fn orientation_segment(o: u16) -> Vec<u8> {
    let mut s = vec![0xFF, 0xE1, 0x00, 0x22];
    s.extend_from_slice(b"Exif\0\0MM\0\x2a\0\0\0\x08");
    s.extend_from_slice(&[0x00, 0x01, 0x01, 0x12, 0x00, 0x03, 0x00, 0x00, 0x00, 0x01]);
    s.extend_from_slice(&o.to_be_bytes());
    s.extend_from_slice(&[0, 0, 0, 0, 0, 0]);
    s
}

fn png(b: &[u8]) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(b.len());
    out.extend_from_slice(&b[..8]);
    let mut i = 8;
    while i < b.len() {
        let len = u32::from_be_bytes(b.get(i..i + 4)?.try_into().ok()?) as usize;
        let end = i.checked_add(12)?.checked_add(len)?;
        if end > b.len() {
            return None;
        }
        let kind = &b[i + 4..i + 8];
        if !matches!(kind, b"tEXt" | b"zTXt" | b"iTXt" | b"eXIf" | b"tIME") {
            out.extend_from_slice(&b[i..end]);
        }
        i = end;
        if kind == b"IEND" {
            return Some(out);
        }
    }
    None
}

fn webp(b: &[u8]) -> Option<Vec<u8>> {
    let mut body = Vec::with_capacity(b.len());
    body.extend_from_slice(b"WEBP");
    let mut i = 12;
    let end = (u32::from_le_bytes(b.get(4..8)?.try_into().ok()?) as usize)
        .checked_add(8)?
        .min(b.len());
    while i + 8 <= end {
        let kind = &b[i..i + 4];
        let len = u32::from_le_bytes(b[i + 4..i + 8].try_into().ok()?) as usize;
        let next = i.checked_add(8)?.checked_add(len + (len & 1))?;
        if i + 8 + len > end {
            return None;
        }
        match kind {
            b"EXIF" | b"XMP " => {}
            b"VP8X" => {
                let start = body.len();
                body.extend_from_slice(&b[i..(i + 8 + len).min(next.min(end))]);
                if let Some(flags) = body.get_mut(start + 8) {
                    *flags &= !(0x08 | 0x04); // EXIF and XMP present bits
                }
                if len & 1 == 1 && next <= end {
                    body.push(0);
                }
            }
            _ => body.extend_from_slice(&b[i..next.min(end)]),
        }
        i = next;
    }
    if body.len() <= 4 {
        return None;
    }
    let mut out = Vec::with_capacity(body.len() + 8);
    out.extend_from_slice(b"RIFF");
    out.extend_from_slice(&u32::try_from(body.len()).ok()?.to_le_bytes());
    out.extend_from_slice(&body);
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn gps_exif() -> Vec<u8> {
        // APP1 "Exif" with IFD0: orientation 6, and a GPS IFD pointer, plus GPS text.
        let mut tiff = b"II\x2a\0\x08\0\0\0".to_vec();
        tiff.extend_from_slice(&[2, 0]);
        tiff.extend_from_slice(&[0x12, 0x01, 3, 0, 1, 0, 0, 0, 6, 0, 0, 0]);
        tiff.extend_from_slice(&[0x25, 0x88, 4, 0, 1, 0, 0, 0, 0x26, 0, 0, 0]);
        tiff.extend_from_slice(&[0, 0, 0, 0]);
        tiff.extend_from_slice(b"GPS 30.2741N 120.1551E");
        let mut seg = vec![0xFF, 0xE1];
        let len = (2 + 6 + tiff.len()) as u16;
        seg.extend_from_slice(&len.to_be_bytes());
        seg.extend_from_slice(b"Exif\0\0");
        seg.extend_from_slice(&tiff);
        seg
    }

    fn jpeg_with_gps() -> Vec<u8> {
        let mut j = vec![0xFF, 0xD8];
        j.extend_from_slice(&[0xFF, 0xE0, 0, 16]);
        j.extend_from_slice(b"JFIF\0\x01\x01\0\0\x01\0\x01\0\0");
        j.extend_from_slice(&gps_exif());
        j.extend_from_slice(&[0xFF, 0xFE, 0, 7]);
        j.extend_from_slice(b"phone");
        j.extend_from_slice(&[0xFF, 0xDB, 0, 4, 1, 2]); // a (short) table
        j.extend_from_slice(&[0xFF, 0xDA, 0, 4, 0, 0]);
        j.extend_from_slice(&[0x12, 0x34, 0xFF, 0x00, 0x56, 0xFF, 0xD9]);
        j
    }

    fn contains(h: &[u8], n: &[u8]) -> bool {
        h.windows(n.len()).any(|w| w == n)
    }

    #[test]
    fn jpeg_loses_its_location_but_keeps_pixels_and_orientation() {
        let src = jpeg_with_gps();
        let (f, out) = clean(&src, 1 << 20).expect("clean");
        assert_eq!(f, Format::Jpeg);
        assert!(!contains(&out, b"GPS"), "the location is gone");
        assert!(!contains(&out, b"phone"), "comments are gone");
        assert!(contains(&out, b"JFIF"));
        assert!(out.ends_with(&[0x12, 0x34, 0xFF, 0x00, 0x56, 0xFF, 0xD9]));
        let at = out
            .windows(6)
            .position(|w| w == b"Exif\0\0")
            .expect("orientation block");
        assert_eq!(exif_orientation(&out[at + 6..]), Some(6));
        // Cleaning twice changes nothing more.
        assert_eq!(clean(&out, 1 << 20).map(|x| x.1), Ok(out));
    }

    #[test]
    fn png_and_webp_lose_text_and_exif() {
        let chunk = |kind: &[u8], data: &[u8]| {
            let mut c = (data.len() as u32).to_be_bytes().to_vec();
            c.extend_from_slice(kind);
            c.extend_from_slice(data);
            c.extend_from_slice(&[0, 0, 0, 0]);
            c
        };
        let mut p = b"\x89PNG\r\n\x1a\n".to_vec();
        p.extend(chunk(b"IHDR", &[0; 13]));
        p.extend(chunk(b"eXIf", b"GPS here"));
        p.extend(chunk(b"tEXt", b"Location\0home"));
        p.extend(chunk(b"IDAT", b"pixels"));
        p.extend(chunk(b"IEND", b""));
        let (f, out) = clean(&p, 1 << 20).expect("png");
        assert_eq!(f, Format::Png);
        assert!(!contains(&out, b"GPS") && !contains(&out, b"Location"));
        assert!(contains(&out, b"pixels") && contains(&out, b"IEND"));

        let wchunk = |kind: &[u8], data: &[u8]| {
            let mut c = kind.to_vec();
            c.extend_from_slice(&(data.len() as u32).to_le_bytes());
            c.extend_from_slice(data);
            if data.len() % 2 == 1 {
                c.push(0);
            }
            c
        };
        let mut body = b"WEBP".to_vec();
        body.extend(wchunk(b"VP8X", &[0x0C, 0, 0, 0, 1, 0, 0, 1, 0, 0]));
        body.extend(wchunk(b"VP8 ", b"pixels!"));
        body.extend(wchunk(b"EXIF", b"GPS there"));
        body.extend(wchunk(b"XMP ", b"<x:xmpmeta/>"));
        let mut w = b"RIFF".to_vec();
        w.extend_from_slice(&(body.len() as u32).to_le_bytes());
        w.extend(body);
        let (f, out) = clean(&w, 1 << 20).expect("webp");
        assert_eq!(f, Format::Webp);
        assert!(!contains(&out, b"GPS") && !contains(&out, b"xmpmeta"));
        assert!(contains(&out, b"pixels!"));
        assert_eq!(out[20] & 0x0C, 0, "the VP8X flags no longer claim metadata");
        let size = u32::from_le_bytes(out[4..8].try_into().expect("4 bytes")) as usize;
        assert_eq!(size + 8, out.len());
    }

    #[test]
    fn other_files_are_refused() {
        assert_eq!(clean(b"%PDF-1.7 ...", 1 << 20), Err(PhotoError::NotAnImage));
        assert_eq!(clean(b"GIF89a....", 1 << 20), Err(PhotoError::NotAnImage));
        assert_eq!(
            clean(&[0xFF, 0xD8, 0xFF, 0xE0, 0, 200], 1 << 20),
            Err(PhotoError::Damaged)
        );
        assert_eq!(
            clean(&vec![0xFF; 3 << 20], 2 << 20),
            Err(PhotoError::TooLarge(2))
        );
    }
}
