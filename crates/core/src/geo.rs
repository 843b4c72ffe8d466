//! Grid boundaries: GeoJSON polygons in WGS-84 longitude/latitude.
//!
//! An uploaded boundary is parsed here into an [`Area`] (one or more polygons, each an outer
//! ring and optional holes) and refused with a clear message unless every ring is closed, has
//! at least three distinct corners, encloses an area and does not cross itself. Chinese map
//! apps use GCJ-02 or BD-09; we store WGS-84 only and convert at the edges.

use serde_json::{Value, json};

/// A longitude/latitude pair in WGS-84.
pub type Point = (f64, f64);

/// A closed ring, first point repeated last.
pub type Ring = Vec<Point>;

/// One polygon: an outer ring, then holes.
#[derive(Clone, Debug, PartialEq)]
pub struct Polygon {
    /// Rings: the first is the outer boundary, the rest are holes.
    pub rings: Vec<Ring>,
}

/// A node's area: one polygon or several (a MultiPolygon).
#[derive(Clone, Debug, PartialEq)]
pub struct Area {
    /// The polygons.
    pub polygons: Vec<Polygon>,
}

/// A boundary that is not a valid polygon, with the reason in Chinese.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error("边界不是有效的多边形：{0}")]
pub struct BadBoundary(pub String);

fn bad(msg: impl Into<String>) -> BadBoundary {
    BadBoundary(msg.into())
}

/// The most points a boundary may have: enough for a surveyed village, small enough that
/// the self-intersection check stays quick.
pub const MAX_POINTS: usize = 5_000;

impl Area {
    /// Parses GeoJSON text: a Polygon or MultiPolygon geometry, or a Feature or a
    /// FeatureCollection holding exactly one such geometry.
    pub fn from_geojson(text: &str) -> Result<Area, BadBoundary> {
        let v: Value =
            serde_json::from_str(text).map_err(|e| bad(format!("不是合法的 JSON（{e}）")))?;
        Area::from_value(&v)
    }

    /// Parses an already decoded GeoJSON value; see [`Area::from_geojson`].
    pub fn from_value(v: &Value) -> Result<Area, BadBoundary> {
        let ty = v.get("type").and_then(Value::as_str).unwrap_or_default();
        match ty {
            "FeatureCollection" => {
                let features = v
                    .get("features")
                    .and_then(Value::as_array)
                    .ok_or_else(|| bad("FeatureCollection 缺少 features"))?;
                match features.as_slice() {
                    [one] => Area::from_value(one),
                    _ => Err(bad(format!(
                        "FeatureCollection 应只含一个要素，现有 {} 个",
                        features.len()
                    ))),
                }
            }
            "Feature" => Area::from_value(v.get("geometry").unwrap_or(&Value::Null)),
            "Polygon" => Ok(Area {
                polygons: vec![polygon(coordinates(v)?)?],
            }),
            "MultiPolygon" => {
                let polys = coordinates(v)?
                    .as_array()
                    .ok_or_else(|| bad("coordinates 应是数组"))?;
                if polys.is_empty() {
                    return Err(bad("MultiPolygon 不能为空"));
                }
                let polygons = polys.iter().map(polygon).collect::<Result<Vec<_>, _>>()?;
                Ok(Area { polygons })
            }
            "" => Err(bad("缺少 type 字段")),
            other => Err(bad(format!(
                "类型应为 Polygon 或 MultiPolygon，而不是 {other}"
            ))),
        }
        .and_then(Area::checked)
    }

    fn checked(self) -> Result<Area, BadBoundary> {
        let n: usize = self
            .polygons
            .iter()
            .flat_map(|p| &p.rings)
            .map(Vec::len)
            .sum();
        if n > MAX_POINTS {
            return Err(bad(format!("顶点过多（{n} 个，最多 {MAX_POINTS} 个）")));
        }
        Ok(self)
    }

    /// The area as a GeoJSON geometry (Polygon when there is one, MultiPolygon otherwise).
    pub fn to_geojson(&self) -> Value {
        let poly = |p: &Polygon| -> Value {
            Value::Array(
                p.rings
                    .iter()
                    .map(|r| Value::Array(r.iter().map(|(x, y)| json!([x, y])).collect()))
                    .collect(),
            )
        };
        match self.polygons.as_slice() {
            [one] => json!({"type": "Polygon", "coordinates": poly(one)}),
            many => {
                json!({"type": "MultiPolygon", "coordinates": many.iter().map(poly).collect::<Vec<_>>()})
            }
        }
    }

    /// The bounding box: (min lon, min lat, max lon, max lat).
    pub fn bbox(&self) -> (f64, f64, f64, f64) {
        let mut b = (f64::MAX, f64::MAX, f64::MIN, f64::MIN);
        for (x, y) in self.outer_points() {
            b = (b.0.min(x), b.1.min(y), b.2.max(x), b.3.max(y));
        }
        b
    }

    fn outer_points(&self) -> impl Iterator<Item = Point> + '_ {
        self.polygons
            .iter()
            .filter_map(|p| p.rings.first())
            .flatten()
            .copied()
    }

    /// Whether a point lies inside the area (inside an outer ring and outside its holes).
    pub fn contains(&self, pt: Point) -> bool {
        self.polygons.iter().any(|p| {
            let mut rings = p.rings.iter();
            rings.next().is_some_and(|outer| ring_contains(outer, pt))
                && !rings.any(|hole| ring_contains(hole, pt))
        })
    }

    /// A representative interior-ish point (the centre of the largest polygon's box), for labels.
    pub fn label_point(&self) -> Point {
        let (a, b, c, d) = self.bbox();
        ((a + c) / 2.0, (b + d) / 2.0)
    }
}

fn coordinates(v: &Value) -> Result<&Value, BadBoundary> {
    v.get("coordinates").ok_or_else(|| bad("缺少 coordinates"))
}

fn polygon(v: &Value) -> Result<Polygon, BadBoundary> {
    let rings = v
        .as_array()
        .ok_or_else(|| bad("多边形的坐标应是环的数组"))?;
    if rings.is_empty() {
        return Err(bad("多边形至少要有一个外环"));
    }
    let rings = rings
        .iter()
        .enumerate()
        .map(|(i, r)| ring(i, r))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(Polygon { rings })
}

fn ring(index: usize, v: &Value) -> Result<Ring, BadBoundary> {
    let which = if index == 0 {
        "外环".to_owned()
    } else {
        format!("第 {index} 个内环")
    };
    let pts = v
        .as_array()
        .ok_or_else(|| bad(format!("{which}应是坐标数组")))?;
    let mut ring = Vec::with_capacity(pts.len());
    for (i, p) in pts.iter().enumerate() {
        let pair = p.as_array().filter(|a| a.len() >= 2);
        let (Some(x), Some(y)) = (
            pair.and_then(|a| a[0].as_f64()),
            pair.and_then(|a| a[1].as_f64()),
        ) else {
            return Err(bad(format!("{which}第 {} 个点不是 [经度, 纬度]", i + 1)));
        };
        if !(-180.0..=180.0).contains(&x) || !(-90.0..=90.0).contains(&y) {
            return Err(bad(format!(
                "{which}第 {} 个点超出经纬度范围（经度 −180~180，纬度 −90~90）",
                i + 1
            )));
        }
        ring.push((x, y));
    }
    if ring.len() < 4 {
        return Err(bad(format!("{which}至少需要 4 个点（首尾相同）")));
    }
    if ring.first() != ring.last() {
        return Err(bad(format!("{which}没有闭合：首尾两点应相同")));
    }
    let mut distinct: Vec<Point> = ring[..ring.len() - 1].to_vec();
    distinct.sort_by(|a, b| a.partial_cmp(b).unwrap_or(std::cmp::Ordering::Equal));
    distinct.dedup();
    if distinct.len() < 3 {
        return Err(bad(format!("{which}至少需要 3 个不同的顶点")));
    }
    if self_intersects(&ring) {
        return Err(bad(format!("{which}自相交")));
    }
    if signed_area(&ring).abs() < 1e-14 {
        return Err(bad(format!("{which}面积为零")));
    }
    Ok(ring)
}

/// Twice the signed area of a closed ring (shoelace formula).
fn signed_area(ring: &[Point]) -> f64 {
    ring.windows(2)
        .map(|w| w[0].0 * w[1].1 - w[1].0 * w[0].1)
        .sum()
}

fn orient(a: Point, b: Point, c: Point) -> f64 {
    (b.0 - a.0) * (c.1 - a.1) - (b.1 - a.1) * (c.0 - a.0)
}

fn on_segment(a: Point, b: Point, p: Point) -> bool {
    p.0 >= a.0.min(b.0) && p.0 <= a.0.max(b.0) && p.1 >= a.1.min(b.1) && p.1 <= a.1.max(b.1)
}

fn segments_cross(p1: Point, p2: Point, p3: Point, p4: Point) -> bool {
    let d1 = orient(p3, p4, p1);
    let d2 = orient(p3, p4, p2);
    let d3 = orient(p1, p2, p3);
    let d4 = orient(p1, p2, p4);
    if ((d1 > 0.0 && d2 < 0.0) || (d1 < 0.0 && d2 > 0.0))
        && ((d3 > 0.0 && d4 < 0.0) || (d3 < 0.0 && d4 > 0.0))
    {
        return true;
    }
    (d1 == 0.0 && on_segment(p3, p4, p1))
        || (d2 == 0.0 && on_segment(p3, p4, p2))
        || (d3 == 0.0 && on_segment(p1, p2, p3))
        || (d4 == 0.0 && on_segment(p1, p2, p4))
}

/// Whether any two non-adjacent edges of the closed ring touch or cross.
fn self_intersects(ring: &[Point]) -> bool {
    let n = ring.len() - 1; // edges
    for i in 0..n {
        for j in (i + 1)..n {
            let adjacent = j == i + 1 || (i == 0 && j == n - 1);
            if adjacent {
                continue;
            }
            if segments_cross(ring[i], ring[i + 1], ring[j], ring[j + 1]) {
                return true;
            }
        }
    }
    false
}

/// Even-odd point-in-ring test.
fn ring_contains(ring: &[Point], (x, y): Point) -> bool {
    let mut inside = false;
    for w in ring.windows(2) {
        let ((x1, y1), (x2, y2)) = (w[0], w[1]);
        if (y1 > y) != (y2 > y) && x < (x2 - x1) * (y - y1) / (y2 - y1) + x1 {
            inside = !inside;
        }
    }
    inside
}

#[cfg(test)]
mod tests {
    use super::*;

    const SQUARE: &str = r#"{"type":"Polygon","coordinates":[[[120.0,30.0],[120.01,30.0],[120.01,30.01],[120.0,30.01],[120.0,30.0]]]}"#;

    #[test]
    fn accepts_polygons_features_and_collections() {
        let a = Area::from_geojson(SQUARE).expect("square");
        assert!(a.contains((120.005, 30.005)));
        assert!(!a.contains((120.02, 30.005)));
        let feature = format!(r#"{{"type":"Feature","properties":{{}},"geometry":{SQUARE}}}"#);
        assert_eq!(Area::from_geojson(&feature), Ok(a.clone()));
        let fc = format!(r#"{{"type":"FeatureCollection","features":[{feature}]}}"#);
        assert_eq!(Area::from_geojson(&fc), Ok(a.clone()));
        let round = Area::from_value(&a.to_geojson()).expect("round trip");
        assert_eq!(round, a);
    }

    #[test]
    fn refuses_what_is_not_a_polygon() {
        let cases = [
            ("not json", "JSON"),
            (r#"{"type":"Point","coordinates":[120,30]}"#, "Point"),
            (
                r#"{"type":"Polygon","coordinates":[[[120,30],[121,30],[121,31],[120,30.5]]]}"#,
                "闭合",
            ),
            (
                r#"{"type":"Polygon","coordinates":[[[120,30],[121,30],[120,30]]]}"#,
                "4 个点",
            ),
            (
                r#"{"type":"Polygon","coordinates":[[[120,30],[121,30],[122,30],[120,30]]]}"#,
                "面积为零",
            ),
            (
                r#"{"type":"Polygon","coordinates":[[[0,0],[2,2],[2,0],[0,2],[0,0]]]}"#,
                "自相交",
            ),
            (
                r#"{"type":"Polygon","coordinates":[[[200,30],[121,30],[121,31],[200,30]]]}"#,
                "范围",
            ),
            (r#"{"type":"Polygon","coordinates":[]}"#, "外环"),
            (
                r#"{"type":"Polygon","coordinates":[[["a",1],[1,1],[1,2],["a",1]]]}"#,
                "经度",
            ),
            (r#"{"type":"FeatureCollection","features":[]}"#, "0 个"),
        ];
        for (text, word) in cases {
            let err = Area::from_geojson(text).expect_err(text);
            assert!(err.to_string().contains(word), "{text}: {err}");
        }
    }

    #[test]
    fn holes_are_outside() {
        let with_hole = r#"{"type":"Polygon","coordinates":[
            [[0,0],[10,0],[10,10],[0,10],[0,0]],
            [[4,4],[6,4],[6,6],[4,6],[4,4]]]}"#;
        let a = Area::from_geojson(with_hole).expect("polygon with a hole");
        assert!(a.contains((1.0, 1.0)));
        assert!(!a.contains((5.0, 5.0)));
        assert_eq!(a.bbox(), (0.0, 0.0, 10.0, 10.0));
    }
}
