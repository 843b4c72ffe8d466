//! Charts drawn on the server as SVG, with Chinese labels: intake by day (columns), counts by a
//! key (bars), and the map of a node's children coloured by a figure. Nothing is fetched and no
//! script runs: they read the same on a phone, a desk and the wall.

use crate::org::map::{Shape, esc, svg};
use std::fmt::Write;
use wangge_core::geo::Area;

/// The map's scale, light to dark.
pub const SCALE: [&str; 5] = ["#fef9c3", "#fde68a", "#fdba74", "#f87171", "#b91c1c"];

/// A time to or since a deadline, in words: `超期 3 小时`, `还剩 5 小时`.
pub fn since(due: i64, now: i64) -> String {
    let mins = (now - due).abs() / 60_000;
    let span = if mins >= 1440 {
        format!("{} 天 {} 小时", mins / 1440, mins % 1440 / 60)
    } else if mins >= 60 {
        format!("{} 小时", mins / 60)
    } else {
        format!("{} 分钟", mins.max(1))
    };
    if due < now {
        format!("超期 {span}")
    } else {
        format!("还剩 {span}")
    }
}

/// Columns of counts (one a day), `(label, count)`: the labels thinned to about eight.
/// Dark is for the wall, drawn narrower so that its type reads large from across the room.
pub fn columns(items: &[(String, u64)], dark: bool) -> String {
    let (w, h, left, bottom, top) = if dark {
        (420.0, 200.0, 36.0, 26.0, 14.0)
    } else {
        (800.0, 220.0, 36.0, 26.0, 14.0)
    };
    let max = items.iter().map(|i| i.1).max().unwrap_or(0).max(1);
    let n = items.len().max(1) as f64;
    let slot = (w - left - 8.0) / n;
    let ink = if dark { "#cbd5e1" } else { "#475569" };
    let bar = if dark { "#38bdf8" } else { "#2563eb" };
    let mut s = format!(
        r#"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {w} {h}" class="chart" role="img" aria-label="每日受理件数">"#
    );
    let _ = write!(
        s,
        r#"<text x="{x}" y="{top}" font-size="15" fill="{ink}" text-anchor="end">{max}</text><line x1="{left}" y1="{y}" x2="{w}" y2="{y}" stroke="{ink}" stroke-width="0.5"/>"#,
        x = left - 4.0,
        y = h - bottom,
    );
    let every = (items.len() / 8).max(1);
    for (i, (label, count)) in items.iter().enumerate() {
        let bh = (h - bottom - top) * (*count as f64) / (max as f64);
        // A bar is at most 48 wide: a day alone is a column, not a wall.
        let bw = (slot * 0.7).min(48.0);
        let x = left + slot * i as f64 + (slot - bw) / 2.0;
        let _ = write!(
            s,
            r#"<rect x="{x:.1}" y="{y:.1}" width="{bw:.1}" height="{bh:.1}" fill="{bar}"><title>{l}：{count} 件</title></rect>"#,
            y = h - bottom - bh,
            l = esc(label),
        );
        if i % every == 0 {
            let _ = write!(
                s,
                r#"<text x="{cx:.1}" y="{ty}" font-size="15" fill="{ink}" text-anchor="middle">{l}</text>"#,
                cx = x + bw / 2.0,
                ty = h - 8.0,
                l = esc(label),
            );
        }
    }
    s.push_str("</svg>");
    s
}

/// Horizontal bars, `(label, count)`, the longest first as given.
pub fn bars(items: &[(String, u64)], dark: bool) -> String {
    let row = 28.0;
    // Narrow, so that the labels read on a phone too.
    let (w, label_w) = (460.0, 150.0);
    let h = (row * items.len().max(1) as f64) + 4.0;
    let max = items.iter().map(|i| i.1).max().unwrap_or(0).max(1);
    let ink = if dark { "#e2e8f0" } else { "#1e293b" };
    let bar = if dark { "#38bdf8" } else { "#60a5fa" };
    let mut s = format!(
        r#"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {w} {h}" class="chart bars" role="img">"#
    );
    for (i, (label, count)) in items.iter().enumerate() {
        let y = row * i as f64 + 2.0;
        let bw = (w - label_w - 50.0) * (*count as f64) / (max as f64);
        let _ = write!(
            s,
            r#"<text x="{lx}" y="{ty:.1}" font-size="16" fill="{ink}" text-anchor="end">{l}</text><rect x="{label_w}" y="{y:.1}" width="{bw:.1}" height="{bh:.1}" rx="3" fill="{bar}"/><text x="{vx:.1}" y="{ty:.1}" font-size="16" fill="{ink}">{count}</text>"#,
            lx = label_w - 8.0,
            ty = y + row * 0.62,
            bh = row - 8.0,
            vx = label_w + bw + 6.0,
            l = esc(label),
        );
    }
    s.push_str("</svg>");
    s
}

/// A step of the scale for a value among the others: quintiles of the largest (none: the
/// lightest).
pub fn step(value: f64, max: f64) -> usize {
    if max <= 0.0 || value <= 0.0 {
        return 0;
    }
    (((value / max) * 5.0).ceil() as usize).clamp(1, 5) - 1
}

/// One child on the map: its id, label, boundary, figure and its shown figure.
pub struct Cell<'a> {
    pub id: i64,
    pub name: &'a str,
    pub area: Area,
    pub value: f64,
    pub shown: String,
    pub href: String,
}

/// The map of a node's children coloured by their figure, each a link (drill-down); `None`
/// when neither the node nor a child has a boundary.
pub fn map(outer: Option<&Area>, cells: &[Cell<'_>]) -> Option<String> {
    let max = cells.iter().map(|c| c.value).fold(0.0, f64::max);
    let shapes: Vec<Shape<'_>> = cells
        .iter()
        .map(|c| Shape {
            id: c.id,
            name: c.name,
            area: &c.area,
            fill: Some(SCALE[step(c.value, max)]),
            href: Some(c.href.clone()),
            note: Some(c.shown.clone()),
        })
        .collect();
    svg(outer, &shapes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deadlines_read_in_words() {
        let h = 3_600_000;
        assert_eq!(since(0, 3 * h), "超期 3 小时");
        assert_eq!(since(5 * h, 0), "还剩 5 小时");
        assert_eq!(since(0, 26 * h), "超期 1 天 2 小时");
        assert_eq!(since(0, 10), "超期 1 分钟");
    }

    #[test]
    fn charts_are_svg_with_escaped_labels_and_a_scale_of_five() {
        let c = columns(&[("11-01".into(), 3), ("<b>".into(), 0)], false);
        assert!(c.starts_with("<svg") && c.ends_with("</svg>"));
        assert!(c.contains("11-01：3 件") && c.contains("&lt;b&gt;"));
        let b = bars(&[("城市管理".into(), 7)], true);
        assert!(b.contains("城市管理") && b.contains(">7<"));
        assert_eq!(step(0.0, 10.0), 0);
        assert_eq!(step(10.0, 10.0), 4);
        assert_eq!(step(1.0, 10.0), 0);
        assert_eq!(step(2.1, 10.0), 1);
        assert_eq!(step(5.0, 0.0), 0);
    }
}
