//! A one-page A4 PDF of Chinese text, for the demo's household archives: the scanned
//! agreements and certificates a street files per household. The text is set in the standard
//! Chinese font every PDF reader provides (`STSong-Light` with the `UniGB-UCS2-H` encoding), so
//! nothing is embedded and a page is a couple of kilobytes.

/// Page width and height in points (A4), and the margins.
const WIDTH: f64 = 595.0;
const HEIGHT: f64 = 842.0;
const MARGIN: f64 = 72.0;

/// A text block of a page.
pub enum Block {
    /// Centred, large.
    Title(String),
    /// A paragraph, wrapped to the page.
    Para(String),
    /// A line set flush right (signatures, dates).
    Right(String),
    /// Vertical space, in lines.
    Gap(u8),
}

/// How wide a character is, in ems: ASCII is half width.
fn em(ch: char) -> f64 {
    if ch.is_ascii() { 0.5 } else { 1.0 }
}

fn width(s: &str) -> f64 {
    s.chars().map(em).sum()
}

/// The string as the encoding wants it: UCS-2, big-endian, in hex. Characters outside the
/// basic plane (none in our text) become a question mark.
fn hex(s: &str) -> String {
    let mut out = String::with_capacity(s.len() * 4 + 2);
    out.push('<');
    for ch in s.chars() {
        let code = u16::try_from(u32::from(ch)).unwrap_or(u16::from(b'?'));
        out.push_str(&format!("{code:04X}"));
    }
    out.push('>');
    out
}

/// Splits a paragraph into lines at most `ems` wide (an indent of two characters first).
fn wrap(s: &str, ems: f64) -> Vec<String> {
    let mut lines = Vec::new();
    let mut line = String::from("\u{3000}\u{3000}");
    let mut w = 2.0;
    for ch in s.chars() {
        let cw = em(ch);
        // Closing punctuation stays on the line it ends.
        let closing = matches!(ch, '，' | '。' | '、' | '；' | '：' | '）' | '”');
        if w + cw > ems && !closing {
            lines.push(std::mem::take(&mut line));
            w = 0.0;
        }
        line.push(ch);
        w += cw;
    }
    if !line.is_empty() {
        lines.push(line);
    }
    lines
}

/// The page's content stream.
fn content(blocks: &[Block]) -> String {
    const BODY: f64 = 12.0;
    const LEAD: f64 = 22.0;
    const TITLE: f64 = 20.0;
    let ems = (WIDTH - 2.0 * MARGIN) / BODY;
    let mut y = HEIGHT - MARGIN - TITLE;
    let mut out = String::new();
    let put = |out: &mut String, size: f64, x: f64, y: f64, s: &str| {
        out.push_str(&format!(
            "BT /F1 {size} Tf 1 0 0 1 {x:.1} {y:.1} Tm {} Tj ET\n",
            hex(s)
        ));
    };
    for b in blocks {
        match b {
            Block::Title(t) => {
                let x = (WIDTH - width(t) * TITLE) / 2.0;
                put(&mut out, TITLE, x, y, t);
                y -= LEAD * 2.0;
            }
            Block::Para(p) => {
                for line in wrap(p, ems) {
                    if y < MARGIN {
                        break;
                    }
                    put(&mut out, BODY, MARGIN, y, &line);
                    y -= LEAD;
                }
            }
            Block::Right(t) => {
                put(&mut out, BODY, WIDTH - MARGIN - width(t) * BODY, y, t);
                y -= LEAD;
            }
            Block::Gap(n) => y -= LEAD * f64::from(*n),
        }
    }
    out
}

/// The whole file.
pub fn page(blocks: &[Block]) -> Vec<u8> {
    let stream = content(blocks);
    let objects = [
        "<< /Type /Catalog /Pages 2 0 R >>".to_owned(),
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_owned(),
        format!(
            "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 {WIDTH} {HEIGHT}] \
             /Resources << /Font << /F1 5 0 R >> >> /Contents 4 0 R >>"
        ),
        format!("<< /Length {} >>\nstream\n{stream}endstream", stream.len()),
        "<< /Type /Font /Subtype /Type0 /BaseFont /STSong-Light /Encoding /UniGB-UCS2-H \
         /DescendantFonts [6 0 R] >>"
            .to_owned(),
        // Adobe-GB1 CIDs 1–95 are the ASCII characters: half width.
        "<< /Type /Font /Subtype /CIDFontType0 /BaseFont /STSong-Light \
         /CIDSystemInfo << /Registry (Adobe) /Ordering (GB1) /Supplement 2 >> \
         /FontDescriptor 7 0 R /DW 1000 /W [1 95 500] >>"
            .to_owned(),
        "<< /Type /FontDescriptor /FontName /STSong-Light /Flags 6 \
         /FontBBox [-25 -254 1000 880] /ItalicAngle 0 /Ascent 880 /Descent -120 \
         /CapHeight 880 /StemV 93 >>"
            .to_owned(),
    ];
    let mut out = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n".to_vec();
    let mut offsets = Vec::with_capacity(objects.len());
    for (i, o) in objects.iter().enumerate() {
        offsets.push(out.len());
        out.extend_from_slice(format!("{} 0 obj\n{o}\nendobj\n", i + 1).as_bytes());
    }
    let xref = out.len();
    out.extend_from_slice(
        format!("xref\n0 {}\n0000000000 65535 f \n", objects.len() + 1).as_bytes(),
    );
    for off in offsets {
        out.extend_from_slice(format!("{off:010} 00000 n \n").as_bytes());
    }
    out.extend_from_slice(
        format!(
            "trailer\n<< /Size {} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n",
            objects.len() + 1
        )
        .as_bytes(),
    );
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_page_is_a_pdf_whose_cross_references_point_at_its_objects() {
        let pdf = page(&[
            Block::Title("赡养协议".into()),
            Block::Para("赡养人张建国，被赡养人张福生，经协商一致，约定如下。".into()),
            Block::Right("2026年3月1日".into()),
        ]);
        assert!(pdf.starts_with(b"%PDF-1.4"));
        // Everything after the binary comment line is ASCII.
        let text = String::from_utf8_lossy(&pdf);
        let start: usize = text
            .rsplit("startxref\n")
            .next()
            .and_then(|s| s.lines().next())
            .and_then(|s| s.parse().ok())
            .expect("startxref");
        assert!(pdf[start..].starts_with(b"xref"));
        let table = String::from_utf8_lossy(&pdf[start..]).into_owned();
        for (i, line) in table.lines().skip(3).take(7).enumerate() {
            let off: usize = line[..10].parse().expect("offset");
            assert!(
                pdf[off..].starts_with(format!("{} 0 obj", i + 1).as_bytes()),
                "object {}",
                i + 1
            );
        }
        assert!(text.contains("<8D61517B534F8BAE>"), "赡养协议 in UCS-2");
    }

    #[test]
    fn long_paragraphs_wrap_and_punctuation_stays_with_its_line() {
        let lines = wrap(&"一二三四五，".repeat(20), 10.0);
        assert!(lines.len() > 5);
        assert!(lines.iter().all(|l| !l.starts_with('，')));
        assert!(lines.iter().all(|l| width(l) <= 11.0));
    }
}
