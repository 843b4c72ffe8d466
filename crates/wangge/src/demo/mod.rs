//! The demo street: a deterministic (seeded) district with streets, a town, communities,
//! villages, grids whose boundaries tile their community, buildings, departments and an
//! account for every role at several levels — so a newcomer sees a living system at once.

pub mod cases;
pub mod command;
mod names;
pub mod party;
mod pdf;
pub mod people;
pub mod serve;
mod stars;
pub mod wishes;

use crate::infra::audit::{self, Entry, Who};
use crate::infra::error::AppResult;
use crate::org::entity::{department, node};
use crate::org::service::{NodeSpec, insert_node};
use crate::users::entity as user;
use sea_orm::{ActiveModelTrait, DatabaseConnection, Set};
use serde_json::json;
use wangge_core::geo::Area;
use wangge_core::{OrgLevel, OrgPath, Role};

/// A small deterministic generator (SplitMix64): the same seed gives the same street.
pub struct Rng(u64);

impl Rng {
    /// A generator from a seed.
    pub fn new(seed: u64) -> Rng {
        Rng(seed)
    }
    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    /// A number in `lo..=hi`.
    pub fn range(&mut self, lo: u64, hi: u64) -> u64 {
        lo + self.next_u64() % (hi - lo + 1)
    }
    /// A float in `[0, 1)`.
    pub fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }
    /// One of the items.
    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[(self.next_u64() % items.len() as u64) as usize]
    }
}

/// What the demo made, for the command line to print.
#[derive(Debug, Default)]
pub struct Made {
    pub nodes: usize,
    pub departments: usize,
    pub users: usize,
}

type Pt = (f64, f64);

/// A quadrilateral: bottom-left, bottom-right, top-right, top-left.
#[derive(Clone, Copy)]
struct Quad([Pt; 4]);

fn lerp(a: Pt, b: Pt, t: f64) -> Pt {
    (a.0 + (b.0 - a.0) * t, a.1 + (b.1 - a.1) * t)
}

impl Quad {
    /// Cuts into `n` columns with slanted, jittered cut lines; the pieces tile the quad.
    fn columns(&self, n: usize, rng: &mut Rng) -> Vec<Quad> {
        let [bl, br, tr, tl] = self.0;
        let cuts = |rng: &mut Rng| -> Vec<f64> {
            (0..=n)
                .map(|i| {
                    let base = i as f64 / n as f64;
                    if i == 0 || i == n {
                        base
                    } else {
                        base + (rng.unit() - 0.5) * 0.35 / n as f64
                    }
                })
                .collect()
        };
        let (b, t) = (cuts(rng), cuts(rng));
        (0..n)
            .map(|i| {
                Quad([
                    lerp(bl, br, b[i]),
                    lerp(bl, br, b[i + 1]),
                    lerp(tl, tr, t[i + 1]),
                    lerp(tl, tr, t[i]),
                ])
            })
            .collect()
    }

    /// Cuts into `n` rows (bottom first).
    fn rows(&self, n: usize, rng: &mut Rng) -> Vec<Quad> {
        let [bl, br, tr, tl] = self.0;
        // Rows of this quad are the columns of the quad turned a quarter.
        Quad([br, tr, tl, bl])
            .columns(n, rng)
            .into_iter()
            .map(|Quad([a, b, c, d])| Quad([d, a, b, c]))
            .collect()
    }

    fn geojson(&self) -> String {
        let r = |p: Pt| json!([(p.0 * 1e6).round() / 1e6, (p.1 * 1e6).round() / 1e6]);
        let [a, b, c, d] = self.0;
        json!({"type": "Polygon", "coordinates": [[r(a), r(b), r(c), r(d), r(a)]]}).to_string()
    }
}

struct Ctx<'a> {
    tx: &'a crate::infra::db::WriteTxn,
    rng: Rng,
    hash: String,
    made: Made,
}

/// The fields of a demo node.
fn spec<'a>(
    level: OrgLevel,
    kind: &'a str,
    code: &'a str,
    name: &'a str,
    sort_order: i32,
    area: Option<Quad>,
) -> NodeSpec<'a> {
    NodeSpec {
        level,
        kind,
        code,
        name,
        sort_order,
        boundary: area.map(|q| q.geojson()),
    }
}

impl Ctx<'_> {
    async fn node(
        &mut self,
        parent: Option<&node::Model>,
        spec: NodeSpec<'_>,
    ) -> AppResult<node::Model> {
        if let Some(b) = &spec.boundary {
            debug_assert!(Area::from_geojson(b).is_ok());
        }
        self.made.nodes += 1;
        insert_node(self.tx, parent, spec).await
    }

    async fn department(
        &mut self,
        at: &node::Model,
        name: &str,
        kind: &str,
        duty: &str,
    ) -> AppResult<department::Model> {
        let now = crate::infra::clock::now_ms();
        self.made.departments += 1;
        Ok(department::ActiveModel {
            org_id: Set(at.id),
            org_path: Set(at.path.clone()),
            name: Set(name.to_owned()),
            kind: Set(kind.to_owned()),
            duty: Set(duty.to_owned()),
            status: Set("active".into()),
            version: Set(1),
            created_at: Set(now),
            updated_at: Set(now),
            ..Default::default()
        }
        .insert(self.tx)
        .await?)
    }

    async fn user(
        &mut self,
        username: &str,
        role: Role,
        at: &node::Model,
        dept: Option<i64>,
    ) -> AppResult<()> {
        let display = names::person(&mut self.rng);
        let now = crate::infra::clock::now_ms();
        self.made.users += 1;
        user::ActiveModel {
            username: Set(username.to_owned()),
            display_name: Set(display),
            password_hash: Set(self.hash.clone()),
            role: Set(role.as_str().to_owned()),
            org_id: Set(at.id),
            org_path: Set(at.path.clone()),
            department_id: Set(dept),
            status: Set("active".into()),
            must_change_password: Set(false),
            version: Set(1),
            created_at: Set(now),
            updated_at: Set(now),
            last_login_at: Set(None),
            ..Default::default()
        }
        .insert(self.tx)
        .await?;
        Ok(())
    }
}

/// Fills an empty database with the demo street. Every demo account gets `password`.
pub async fn generate(db: &DatabaseConnection, seed: u64, password: &str) -> AppResult<Made> {
    // One hash for every demo account: they share one published password anyway.
    let hash = crate::infra::password::hash(password.to_owned()).await?;
    let tx = crate::infra::db::begin_write(db).await?;
    let mut cx = Ctx {
        tx: &tx,
        rng: Rng::new(seed),
        hash,
        made: Made::default(),
    };
    let d = names::DISTRICT;
    let area = Quad([
        (120.100, 30.200),
        (120.280, 30.200),
        (120.280, 30.320),
        (120.100, 30.320),
    ]);
    let district = cx
        .node(
            None,
            spec(
                OrgLevel::District,
                "district",
                d.code,
                d.name,
                0,
                Some(area),
            ),
        )
        .await?;
    for (name, kind, duty) in names::DISTRICT_DEPARTMENTS {
        cx.department(&district, name, kind, duty).await?;
    }
    cx.user("admin", Role::Admin, &district, None).await?;
    cx.user("district-zz", Role::CommandCenter, &district, None)
        .await?;

    let street_areas = area.columns(names::STREETS.len(), &mut cx.rng);
    for (si, (s, s_area)) in names::STREETS.iter().zip(street_areas).enumerate() {
        let street = cx
            .node(
                Some(&district),
                spec(
                    OrgLevel::Township,
                    s.kind,
                    &format!("{}{:03}000", d.code, s.seq),
                    s.name,
                    si as i32 + 1,
                    Some(s_area),
                ),
            )
            .await?;
        let mut depts = Vec::new();
        for (suffix, kind, duty) in names::STREET_DEPARTMENTS {
            let dep = cx
                .department(&street, &format!("{}{}", s.short, suffix), kind, duty)
                .await?;
            depts.push(dep);
        }
        cx.user(
            &format!("{}-zz", s.slug),
            Role::CommandCenter,
            &street,
            None,
        )
        .await?;
        cx.user(&format!("{}-admin", s.slug), Role::Admin, &street, None)
            .await?;
        cx.user(
            &format!("{}-pcs", s.slug),
            Role::DepartmentHandler,
            &street,
            Some(depts[0].id),
        )
        .await?;
        cx.user(
            &format!("{}-cg", s.slug),
            Role::DepartmentHandler,
            &street,
            Some(depts[3].id),
        )
        .await?;

        let comm_areas = s_area.rows(s.communities.len(), &mut cx.rng);
        for (ci, (c, c_area)) in s.communities.iter().zip(comm_areas).enumerate() {
            let village = s.kind == "town";
            let community = cx
                .node(
                    Some(&street),
                    spec(
                        OrgLevel::Community,
                        if village { "village" } else { "community" },
                        &format!("{}{:03}{:03}", d.code, s.seq, ci + 1),
                        c.name,
                        ci as i32 + 1,
                        Some(c_area),
                    ),
                )
                .await?;
            if !village {
                cx.department(
                    &community,
                    &format!("{}物业服务中心", c.short),
                    "物业公司",
                    "小区保洁、维修、绿化和秩序维护",
                )
                .await?;
                cx.department(
                    &community,
                    &format!("{}业主委员会", c.short),
                    "业委会",
                    "代表业主监督物业服务",
                )
                .await?;
            }
            cx.user(
                &format!("{}-sj", c.slug),
                Role::CommunitySecretary,
                &community,
                None,
            )
            .await?;
            cx.user(
                &format!("{}-gz", c.slug),
                Role::CommunityStaff,
                &community,
                None,
            )
            .await?;
            let n_grids = cx.rng.range(3, 5) as usize;
            let mut group_no = 0;
            let grid_areas = c_area.columns(n_grids, &mut cx.rng);
            for (gi, g_area) in grid_areas.into_iter().enumerate() {
                let gname = format!("{}第{}网格", c.name, names::NUMERALS[gi]);
                let gcode = format!("{}{:03}{:03}{:02}", d.code, s.seq, ci + 1, gi + 1);
                let grid = cx
                    .node(
                        Some(&community),
                        spec(
                            OrgLevel::Grid,
                            "grid",
                            &gcode,
                            &gname,
                            gi as i32 + 1,
                            Some(g_area),
                        ),
                    )
                    .await?;
                cx.user(
                    &format!("wgy-{}-{}", c.slug, gi + 1),
                    Role::GridWorker,
                    &grid,
                    None,
                )
                .await?;
                let n_buildings = cx.rng.range(4, 8) as usize;
                let mut first_building = None;
                for bi in 0..n_buildings {
                    group_no += 1;
                    let bname = if village {
                        format!("{}{}组", c.short, group_no)
                    } else {
                        format!("{}幢", gi * 10 + bi + 1)
                    };
                    let b = cx
                        .node(
                            Some(&grid),
                            spec(
                                OrgLevel::Building,
                                "building",
                                &format!("{gcode}{:03}", bi + 1),
                                &bname,
                                bi as i32 + 1,
                                None,
                            ),
                        )
                        .await?;
                    first_building.get_or_insert(b);
                }
                if gi == 0
                    && let Some(b) = first_building
                {
                    cx.user(&format!("ldz-{}", c.slug), Role::BuildingHead, &b, None)
                        .await?;
                    cx.user(&format!("dy-{}", c.slug), Role::PartyMember, &grid, None)
                        .await?;
                    cx.user(&format!("jm-{}", c.slug), Role::Resident, &b, None)
                        .await?;
                }
            }
        }
    }
    let made = std::mem::take(&mut cx.made);
    let root = OrgPath::parse(&district.path)
        .map_err(|e| crate::infra::error::AppError::Internal(e.into()))?;
    audit::record(
        &tx,
        &Who { id: None, name: "演示数据".into(), ip: String::new() },
        Entry {
            org_path: &root,
            action: "create",
            entity: "demo",
            entity_id: None,
            summary: format!("生成演示数据：{} 个节点、{} 个部门、{} 个账号（种子 {seed}）", made.nodes, made.departments, made.users),
            changes: json!({"seed": seed, "nodes": made.nodes, "departments": made.departments, "users": made.users}),
        },
    )
    .await?;
    tx.commit().await?;
    party::generate(db).await?;
    Ok(made)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_generator_is_deterministic() {
        let (mut a, mut b) = (Rng::new(7), Rng::new(7));
        for _ in 0..100 {
            assert_eq!(a.next_u64(), b.next_u64());
        }
        assert_ne!(Rng::new(7).next_u64(), Rng::new(8).next_u64());
    }

    #[test]
    fn quads_tile_and_are_valid_polygons() {
        let mut rng = Rng::new(1);
        let q = Quad([(0.0, 0.0), (1.0, 0.0), (1.0, 1.0), (0.0, 1.0)]);
        for piece in q
            .rows(3, &mut rng)
            .iter()
            .flat_map(|r| r.columns(4, &mut rng))
        {
            let a = Area::from_geojson(&piece.geojson()).expect("valid");
            let (x0, y0, x1, y1) = a.bbox();
            assert!(x0 >= 0.0 && y0 >= 0.0 && x1 <= 1.0 && y1 <= 1.0);
        }
        // Every point of the square is inside exactly one piece.
        let pieces: Vec<Area> = q
            .columns(5, &mut rng)
            .iter()
            .map(|p| Area::from_geojson(&p.geojson()).expect("valid"))
            .collect();
        for i in 0..20 {
            let pt = (
                0.013 + i as f64 * 0.049,
                0.5 + (i as f64 * 0.37).sin() * 0.4,
            );
            assert_eq!(
                pieces.iter().filter(|a| a.contains(pt)).count(),
                1,
                "{pt:?}"
            );
        }
    }
}
