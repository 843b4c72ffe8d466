//! Grid maps drawn on the server as SVG: a node's boundary with its children's boundaries
//! inside it, each child a link to its page. No map tiles, nothing fetched.

use std::fmt::Write;
use wangge_core::geo::Area;

/// One shape to draw.
pub struct Shape<'a> {
    /// The node id (for the link).
    pub id: i64,
    /// The label.
    pub name: &'a str,
    /// The area.
    pub area: &'a Area,
    /// Its fill (a colour of a scale), or a colour of the palette when none.
    pub fill: Option<&'a str>,
    /// Where it links (its node's page when none).
    pub href: Option<String>,
    /// A second line under the label (a figure).
    pub note: Option<String>,
}

const PALETTE: [&str; 8] = [
    "#dbeafe", "#dcfce7", "#fef3c7", "#fce7f3", "#e0e7ff", "#ccfbf1", "#fee2e2", "#ede9fe",
];

/// Escapes text for SVG and HTML.
pub fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// Draws the outline of `outer` (if any) and the children filled and labelled, fitted into
/// a 800-wide box with longitude scaled by the cosine of the latitude.
pub fn svg(outer: Option<&Area>, children: &[Shape<'_>]) -> Option<String> {
    let areas: Vec<&Area> = outer
        .into_iter()
        .chain(children.iter().map(|s| s.area))
        .collect();
    if areas.is_empty() {
        return None;
    }
    let (mut x0, mut y0, mut x1, mut y1) = (f64::MAX, f64::MAX, f64::MIN, f64::MIN);
    for a in &areas {
        let b = a.bbox();
        x0 = x0.min(b.0);
        y0 = y0.min(b.1);
        x1 = x1.max(b.2);
        y1 = y1.max(b.3);
    }
    let k = ((y0 + y1) / 2.0).to_radians().cos().max(0.1);
    let w_geo = ((x1 - x0) * k).max(1e-9);
    let h_geo = (y1 - y0).max(1e-9);
    let width = 800.0;
    let pad = 12.0;
    let scale = (width - 2.0 * pad) / w_geo;
    let height = (h_geo * scale + 2.0 * pad).clamp(160.0, 900.0);
    let scale = scale.min((height - 2.0 * pad) / h_geo);
    let px = |(lon, lat): (f64, f64)| -> (f64, f64) {
        (
            pad + (lon - x0) * k * scale,
            height - pad - (lat - y0) * scale,
        )
    };
    let path = |a: &Area| -> String {
        let mut d = String::new();
        for p in &a.polygons {
            for r in &p.rings {
                for (i, pt) in r.iter().enumerate() {
                    let (x, y) = px(*pt);
                    let _ = write!(d, "{}{x:.1},{y:.1}", if i == 0 { "M" } else { "L" });
                }
                d.push('Z');
            }
        }
        d
    };
    let mut s = String::new();
    let _ = write!(
        s,
        r#"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width:.0} {height:.0}" class="gridmap" role="img" aria-label="网格地图">"#
    );
    for (i, c) in children.iter().enumerate() {
        let (lx, ly) = px(c.area.label_point());
        let href = c
            .href
            .clone()
            .unwrap_or_else(|| format!("/org/nodes/{}", c.id));
        // With a figure, the name goes up and the figure down by parts of their own type size
        // (the wall's and the phone's are larger than the desk's), so they never overlap.
        let note = c.note.as_deref().map_or(String::new(), |n| {
            format!(
                r#"<text x="{lx:.1}" y="{ly:.1}" dy="0.85em" text-anchor="middle" dominant-baseline="middle" class="note">{}</text>"#,
                esc(n)
            )
        });
        let lift = if c.note.is_some() {
            r#" dy="-0.45em""#
        } else {
            ""
        };
        let title = c
            .note
            .as_deref()
            .map_or_else(|| esc(c.name), |n| format!("{}：{}", esc(c.name), esc(n)));
        let _ = write!(
            s,
            r##"<a href="{href}"><path d="{d}" fill="{fill}" stroke="#1d4ed8" stroke-width="1" fill-rule="evenodd"><title>{title}</title></path><text x="{lx:.1}" y="{ly:.1}"{lift} text-anchor="middle" dominant-baseline="middle">{name}</text>{note}</a>"##,
            href = esc(&href),
            d = path(c.area),
            fill = c.fill.unwrap_or(PALETTE[i % PALETTE.len()]),
            name = esc(c.name),
        );
    }
    if let Some(o) = outer {
        let _ = write!(
            s,
            r##"<path d="{}" fill="{}" stroke="#b91c1c" stroke-width="2.5" fill-rule="evenodd" pointer-events="none"/>"##,
            path(o),
            if children.is_empty() {
                "#fee2e2"
            } else {
                "none"
            }
        );
    }
    s.push_str("</svg>");
    Some(s)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn draws_children_as_links_and_escapes_names() {
        let a = Area::from_geojson(r#"{"type":"Polygon","coordinates":[[[120,30],[120.01,30],[120.01,30.01],[120,30.01],[120,30]]]}"#).expect("area");
        let out = svg(
            Some(&a),
            &[Shape {
                id: 7,
                name: "<一>",
                area: &a,
                fill: None,
                href: None,
                note: Some("3 件".into()),
            }],
        )
        .expect("svg");
        assert!(out.starts_with("<svg"));
        assert!(out.contains(r#"href="/org/nodes/7""#));
        assert!(out.contains("&lt;一&gt;"));
        assert!(out.contains("3 件"));
        // The name above its figure, apart by their own type sizes (they overlapped on the wall).
        assert!(out.contains(
            r#"dy="-0.45em" text-anchor="middle" dominant-baseline="middle">&lt;一&gt;"#
        ));
        assert!(out.contains(
            r#"dy="0.85em" text-anchor="middle" dominant-baseline="middle" class="note">3 件"#
        ));
        assert!(svg(None, &[]).is_none());
    }
}
