//! Routing (分拨): where a case goes.
//!
//! The location decides the grid — the deepest active grid (or micro-grid) whose boundary holds
//! the reported point, or the grid above a picked building — and the category decides who acts:
//! that grid, its community, its street, or the nearest department of the category's kind,
//! looked for from the place upwards. The dispatcher sees the suggestion with its reason and
//! may override it. Pure: the caller passes the candidate nodes and departments it loaded.

use crate::category::{Category, HandlerLevel};
use crate::geo::{Area, Point};
use crate::org::{OrgLevel, OrgPath};

/// A node as routing sees it.
#[derive(Clone, Debug)]
pub struct Place {
    /// Id.
    pub id: i64,
    /// Name, for the reason.
    pub name: String,
    /// Path.
    pub path: OrgPath,
    /// Level.
    pub level: OrgLevel,
    /// Boundary, if any.
    pub area: Option<Area>,
    /// Whether it is in use.
    pub active: bool,
}

/// A department as routing sees it.
#[derive(Clone, Debug)]
pub struct Department {
    /// Id.
    pub id: i64,
    /// Name, for the reason.
    pub name: String,
    /// The path of the node it is attached to.
    pub org_path: OrgPath,
    /// Its kind (派出所, 城管中队 …).
    pub kind: String,
    /// Whether it is in use.
    pub active: bool,
}

/// Who a case is routed to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Target {
    /// An org node (grid, community, street).
    Node(i64),
    /// A department.
    Department(i64),
}

/// A routing suggestion.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Route {
    /// Who should act.
    pub target: Target,
    /// Why, in Chinese.
    pub reason: String,
}

/// Why no route was found.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum RouteError {
    /// The place has no ancestor of the needed level.
    #[error("事发地点不在任何{0}之内，请人工派遣")]
    NoLevel(&'static str),
    /// No department of the kind above the place.
    #[error("事发地点及其上级都没有“{0}”，请人工派遣")]
    NoDepartment(String),
}

/// The deepest active grid or micro-grid whose boundary holds the point.
pub fn grid_at(places: &[Place], pt: Point) -> Option<&Place> {
    places
        .iter()
        .filter(|p| p.active && matches!(p.level, OrgLevel::Grid | OrgLevel::MicroGrid))
        .filter(|p| p.area.as_ref().is_some_and(|a| a.contains(pt)))
        .max_by_key(|p| p.path.depth())
}

/// Routes a case at `place` (the path of its grid or building) under `category`, choosing
/// among `places` (the place's ancestors, at least) and `departments`.
pub fn route(
    place: &OrgPath,
    category: &Category,
    places: &[Place],
    departments: &[Department],
) -> Result<Route, RouteError> {
    // The place's ancestors (and itself), deepest first.
    let mut chain: Vec<&Place> = places.iter().filter(|p| p.path.contains(place)).collect();
    chain.sort_by_key(|p| std::cmp::Reverse(p.path.depth()));
    let at_level = |levels: &[OrgLevel], label: &'static str| -> Result<Route, RouteError> {
        let p = chain
            .iter()
            .find(|p| p.active && levels.contains(&p.level))
            .ok_or(RouteError::NoLevel(label))?;
        Ok(Route {
            target: Target::Node(p.id),
            reason: format!("“{}”类事项由{}处置：{}", category.name, label, p.name),
        })
    };
    match category.handler {
        HandlerLevel::Grid => at_level(&[OrgLevel::MicroGrid, OrgLevel::Grid], "网格"),
        // The community takes it in and answers for it, but the work starts where it
        // happened: the grid the case lies in is suggested (小事不出网格), the community only
        // for a place outside every grid.
        HandlerLevel::Community => {
            let community = at_level(&[OrgLevel::Community], "社区（村）")?;
            match chain
                .iter()
                .find(|p| p.active && matches!(p.level, OrgLevel::MicroGrid | OrgLevel::Grid))
            {
                Some(g) => Ok(Route {
                    target: Target::Node(g.id),
                    reason: format!(
                        "“{}”类事项由社区（村）受理，派给事发网格处置：{}",
                        category.name, g.name
                    ),
                }),
                None => Ok(community),
            }
        }
        HandlerLevel::Township => at_level(&[OrgLevel::Township], "街道（乡镇）"),
        HandlerLevel::Department => {
            let kind = category.department_kind.clone().unwrap_or_default();
            for p in &chain {
                let here = departments
                    .iter()
                    .filter(|d| d.active && d.kind == kind && d.org_path == p.path)
                    .min_by_key(|d| d.id);
                if let Some(d) = here {
                    return Ok(Route {
                        target: Target::Department(d.id),
                        reason: format!(
                            "“{}”类事项由{}处置：就近的{}（{}）",
                            category.name, kind, d.name, p.name
                        ),
                    });
                }
            }
            Err(RouteError::NoDepartment(kind))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::worktime::Limit;

    fn path(s: &str) -> OrgPath {
        OrgPath::parse(s).expect("path")
    }

    fn square(x: f64, y: f64, size: f64) -> Area {
        Area::from_geojson(&format!(
            r#"{{"type":"Polygon","coordinates":[[[{x},{y}],[{},{y}],[{},{}],[{x},{}],[{x},{y}]]]}}"#,
            x + size,
            x + size,
            y + size,
            y + size
        ))
        .expect("square")
    }

    fn place(id: i64, p: &str, level: OrgLevel, area: Option<Area>) -> Place {
        Place {
            id,
            name: format!("节点{id}"),
            path: path(p),
            level,
            area,
            active: true,
        }
    }

    fn street() -> Vec<Place> {
        vec![
            place(1, "/1/", OrgLevel::District, None),
            place(2, "/1/2/", OrgLevel::Township, None),
            place(
                3,
                "/1/2/3/",
                OrgLevel::Community,
                Some(square(0.0, 0.0, 2.0)),
            ),
            place(4, "/1/2/3/4/", OrgLevel::Grid, Some(square(0.0, 0.0, 1.0))),
            place(5, "/1/2/3/5/", OrgLevel::Grid, Some(square(1.0, 0.0, 1.0))),
            place(6, "/1/2/3/4/6/", OrgLevel::Building, None),
        ]
    }

    fn cat(handler: HandlerLevel, kind: Option<&str>) -> Category {
        Category {
            kind: "appeal".into(),
            code: "X01".into(),
            name: "测试事项".into(),
            group_code: "X".into(),
            group_name: "测试".into(),
            handler,
            department_kind: kind.map(str::to_owned),
            response: Limit::WorkingHours(4),
            handling: Limit::WorkingDays(7),
            keywords: vec![],
        }
    }

    #[test]
    fn the_point_decides_the_grid() {
        let places = street();
        assert_eq!(grid_at(&places, (0.5, 0.5)).map(|p| p.id), Some(4));
        assert_eq!(grid_at(&places, (1.5, 0.5)).map(|p| p.id), Some(5));
        assert_eq!(grid_at(&places, (5.0, 5.0)).map(|p| p.id), None);
        let mut retired = street();
        retired[3].active = false;
        assert_eq!(
            grid_at(&retired, (0.5, 0.5)).map(|p| p.id),
            None,
            "a retired grid takes no cases"
        );
    }

    #[test]
    fn the_category_decides_the_level() {
        let places = street();
        let at = path("/1/2/3/4/6/");
        let r = |h| route(&at, &cat(h, None), &places, &[]).map(|r| r.target);
        assert_eq!(r(HandlerLevel::Grid), Ok(Target::Node(4)));
        assert_eq!(
            r(HandlerLevel::Community),
            Ok(Target::Node(4)),
            "a community matter goes to the grid it happened in"
        );
        assert_eq!(r(HandlerLevel::Township), Ok(Target::Node(2)));
        let outside = route(
            &path("/1/2/3/"),
            &cat(HandlerLevel::Community, None),
            &places,
            &[],
        );
        assert_eq!(
            outside.map(|r| r.target),
            Ok(Target::Node(3)),
            "outside every grid, the community itself"
        );
    }

    #[test]
    fn departments_are_found_from_the_place_upwards() {
        let places = street();
        let d = |id: i64, p: &str, kind: &str| Department {
            id,
            name: format!("部门{id}"),
            org_path: path(p),
            kind: kind.into(),
            active: true,
        };
        let depts = vec![
            d(10, "/1/", "城管中队"),
            d(11, "/1/2/", "城管中队"),
            d(12, "/1/2/", "派出所"),
            d(13, "/1/9/", "物业公司"),
        ];
        let at = path("/1/2/3/4/");
        let r = route(
            &at,
            &cat(HandlerLevel::Department, Some("城管中队")),
            &places,
            &depts,
        )
        .expect("route");
        assert_eq!(
            r.target,
            Target::Department(11),
            "the nearest one, the street's"
        );
        assert!(r.reason.contains("部门11"));
        assert_eq!(
            route(
                &at,
                &cat(HandlerLevel::Department, Some("物业公司")),
                &places,
                &depts
            ),
            Err(RouteError::NoDepartment("物业公司".into())),
            "another street's department is not a candidate"
        );
    }
}
