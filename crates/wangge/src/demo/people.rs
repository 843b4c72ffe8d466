//! The demo's registry: households in every building, with families, elders living alone,
//! tenants from elsewhere, party members and the care groups a street looks after, in
//! proportions a street would recognise. It is written as a population ledger and goes in
//! through the real import, then visits and assessments are added for some households.

use super::Rng;
use super::names;
use crate::AppState;
use crate::auth::Caller;
use crate::org::entity::node;
use crate::people::entity::{assessment, assessment_item, household, visit};
use crate::people::import::{self, Input, Progress, Report};
use crate::web::error::AppResult;
use chrono::{Datelike, NaiveDate};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder, Set};
use std::collections::HashSet;
use std::sync::Arc;
use wangge_core::OrgLevel;
use wangge_core::people::make_id;

/// Household regions of people registered here, and of people from elsewhere.
const HOME: &str = "330106";
const ELSEWHERE: [&str; 8] = [
    "340104", "411302", "510722", "362321", "430124", "421127", "320882", "452122",
];

/// One person of a household, before the ledger line is written.
struct Person {
    name: String,
    male: bool,
    birth: NaiveDate,
    relation: &'static str,
}

struct Gen {
    rng: Rng,
    today: NaiveDate,
    ids: HashSet<String>,
}

impl Gen {
    fn chance(&mut self, p: f64) -> bool {
        self.rng.unit() < p
    }

    fn birth(&mut self, age_lo: u64, age_hi: u64) -> NaiveDate {
        let age = self.rng.range(age_lo, age_hi);
        let days = self.rng.range(0, 364);
        NaiveDate::from_ymd_opt(self.today.year() - age as i32, 1, 1)
            .and_then(|d| d.checked_add_days(chrono::Days::new(days)))
            .unwrap_or(self.today)
    }

    fn id(&mut self, region: &str, birth: NaiveDate, male: bool) -> String {
        loop {
            let mut seq = self.rng.range(0, 999) as u32;
            if (seq % 2 == 1) != male {
                seq = (seq + 1) % 1000;
            }
            let id = make_id(region, birth, seq).expose().to_owned();
            if self.ids.insert(id.clone()) {
                return id;
            }
        }
    }

    fn phone(&mut self) -> String {
        const HEADS: [&str; 10] = [
            "138", "139", "135", "136", "150", "152", "158", "186", "189", "177",
        ];
        format!(
            "{}{:08}",
            self.rng.pick(&HEADS),
            self.rng.range(0, 99_999_999)
        )
    }

    fn given(&mut self, surname: &str) -> String {
        let full = names::person(&mut self.rng);
        let given: String = full.chars().skip(1).collect();
        format!("{surname}{given}")
    }

    /// The people of one household.
    fn household(&mut self) -> Vec<Person> {
        let surname: String = names::person(&mut self.rng).chars().take(1).collect();
        let spouse_surname: String = names::person(&mut self.rng).chars().take(1).collect();
        let male = self.chance(0.7);
        let roll = self.rng.unit();
        let mut out = Vec::new();
        let head = |g: &mut Gen, lo, hi, male: bool| Person {
            name: g.given(&surname),
            male,
            birth: g.birth(lo, hi),
            relation: "户主",
        };
        if roll < 0.12 {
            // An elder living alone.
            let elder_male = self.chance(0.4);
            let p = head(self, 66, 92, elder_male);
            out.push(p);
        } else if roll < 0.30 {
            let h = head(self, 60, 86, true);
            let b = h.birth;
            out.push(h);
            out.push(Person {
                name: self.given(&spouse_surname),
                male: false,
                birth: b
                    .checked_add_days(chrono::Days::new(self.rng.range(0, 1500)))
                    .unwrap_or(b),
                relation: "配偶",
            });
        } else if roll < 0.80 {
            let h = head(self, 30, 56, male);
            let hb = h.birth;
            out.push(h);
            out.push(Person {
                name: self.given(&spouse_surname),
                male: !male,
                birth: hb
                    .checked_add_days(chrono::Days::new(self.rng.range(0, 1500)))
                    .unwrap_or(hb),
                relation: "配偶",
            });
            let kids = self.rng.range(1, 2);
            let head_age = self.today.year() - hb.year();
            for _ in 0..kids {
                let boy = self.chance(0.52);
                let age_hi = (head_age - 22).clamp(1, 30) as u64;
                out.push(Person {
                    name: self.given(&surname),
                    male: boy,
                    birth: self.birth(0, age_hi),
                    relation: if boy { "子" } else { "女" },
                });
            }
            if self.chance(0.25) {
                out.push(Person {
                    name: self.given(&surname),
                    male: false,
                    birth: self.birth(
                        (head_age + 22).min(95) as u64,
                        (head_age + 32).min(98) as u64,
                    ),
                    relation: "母亲",
                });
            }
        } else {
            out.push(head(self, 22, 40, male));
            if self.chance(0.4) {
                let b = self.birth(22, 40);
                out.push(Person {
                    name: self.given(&spouse_surname),
                    male: !male,
                    birth: b,
                    relation: "配偶",
                });
            }
        }
        out
    }
}

/// Writes the demo ledger for buildings given as (code, in a village).
pub fn ledger(seed: u64, buildings: &[(String, bool)]) -> String {
    let mut out = Vec::new();
    // Writing to memory cannot fail.
    let _ = write_ledger(&mut out, seed, buildings, None, u64::MAX);
    String::from_utf8_lossy(&out).into_owned()
}

/// Writes a ledger of at most `max_rows` people: `homes` households per building (by default
/// 10–24 in a village, 24–60 in a city). Answers how many rows it wrote. The benchmark writes
/// a million this way.
pub fn write_ledger(
    out: &mut impl std::io::Write,
    seed: u64,
    buildings: &[(String, bool)],
    homes: Option<(u64, u64)>,
    max_rows: u64,
) -> std::io::Result<u64> {
    let mut g = Gen {
        rng: Rng::new(seed ^ 0x005e_ed0f_907f),
        today: crate::people::service::today(),
        ids: HashSet::new(),
    };
    writeln!(out, "{}", import::template_headers().join(","))?;
    let mut written = 0u64;
    for (code, village) in buildings {
        let homes = match homes {
            Some((lo, hi)) => g.rng.range(lo, hi),
            None if *village => g.rng.range(10, 24),
            None => g.rng.range(24, 60),
        };
        let floors = g.rng.range(5, 18);
        for n in 0..homes {
            let room = if *village {
                format!("{}号", n + 1)
            } else {
                let unit = n / (floors * 2) + 1;
                let floor = (n / 2) % floors + 1;
                format!("{unit}-{floor}{:02}", n % 2 + 1)
            };
            let rented = !*village && g.chance(0.18);
            let commercial = !rented && g.chance(0.02);
            let kind = if rented {
                "出租"
            } else if commercial {
                "商用"
            } else {
                "自住"
            };
            let members = g.household();
            let single = members.len() == 1;
            let dibao = g.chance(0.015);
            for p in &members {
                let age = wangge_core::people::age_on(p.birth, g.today);
                let overseas = !rented && g.chance(0.002);
                let region = if rented {
                    *g.rng.pick(&ELSEWHERE)
                } else if overseas {
                    "810000"
                } else {
                    HOME
                };
                let id = g.id(region, p.birth, p.male);
                let residence = if rented {
                    "流动"
                } else if overseas {
                    "境外"
                } else {
                    "户籍"
                };
                let phone =
                    if (18..76).contains(&age) && g.chance(0.9) || age >= 76 && g.chance(0.4) {
                        g.phone()
                    } else {
                        String::new()
                    };
                let political = if age >= 18 && g.chance(if age >= 60 { 0.12 } else { 0.08 }) {
                    "中共党员"
                } else if (14..=28).contains(&age) && g.chance(0.4) {
                    "共青团员"
                } else {
                    "群众"
                };
                let mut tags: Vec<&str> = Vec::new();
                if dibao {
                    tags.push("低保");
                }
                if single && age >= 70 {
                    tags.push("独居老人");
                    if g.chance(0.05) {
                        tags.push("特困");
                    }
                }
                if age >= 80 {
                    tags.push("高龄老人");
                }
                if g.chance(0.025) {
                    tags.push("残疾");
                }
                if *village && age < 16 && g.chance(0.12) {
                    tags.push("留守儿童");
                }
                if *village && age >= 60 && !single && g.chance(0.1) {
                    tags.push("留守老人");
                }
                if *village && !p.male && (25..50).contains(&age) && g.chance(0.04) {
                    tags.push("留守妇女");
                }
                if p.male && (35..76).contains(&age) && g.chance(0.04) {
                    tags.push("退役军人");
                }
                if age >= 18 && g.chance(0.003) {
                    tags.push("重点人员");
                }
                if g.chance(0.008) {
                    tags.push("大病患者");
                }
                let work = if age < 6 {
                    ""
                } else if age < 18 {
                    "明湖实验学校"
                } else if age < 60 {
                    g.rng.pick(&[
                        "个体经营",
                        "明湖区人民医院",
                        "城西物流园",
                        "明湖区教育局",
                        "杭湖制造有限公司",
                        "自由职业",
                        "在读",
                    ])
                } else {
                    "退休"
                };
                if written >= max_rows {
                    return Ok(written);
                }
                written += 1;
                writeln!(
                    out,
                    "{code},{room},{kind},{},{},{},汉族,{id},{},{phone},{residence},{political},{work},{},",
                    p.relation,
                    p.name,
                    if p.male { "男" } else { "女" },
                    p.birth.format("%Y-%m-%d"),
                    tags.join("、"),
                )?;
            }
        }
    }
    Ok(written)
}

/// Fills the registry: the ledger through the import, then visits and assessments.
pub async fn generate(st: &AppState, seed: u64) -> AppResult<Report> {
    let db = &st.db;
    let nodes = node::Entity::find()
        .filter(node::Column::Level.eq(OrgLevel::Building.as_str()))
        .order_by_asc(node::Column::Path)
        .all(db)
        .await?;
    let communities = node::Entity::find()
        .filter(node::Column::Level.eq(OrgLevel::Community.as_str()))
        .all(db)
        .await?;
    let buildings: Vec<(String, bool)> = nodes
        .iter()
        .map(|b| {
            let village = communities
                .iter()
                .any(|c| b.path.starts_with(&c.path) && c.kind == "village");
            (b.code.clone(), village)
        })
        .collect();
    let csv = ledger(seed, &buildings);
    let report = import::import(
        st,
        &Caller::cli(),
        Input::Bytes(csv.into_bytes()),
        Arc::new(Progress::default()),
    )
    .await?;
    visits_and_assessments(st, seed, &communities).await?;
    Ok(report)
}

const VISIT_NOTES: [(&str, &str); 8] = [
    ("老人身体尚可，独自在家，冰箱里有菜，叮嘱注意防滑。", ""),
    ("家中燃气灶软管老化，已提醒更换。", "燃气软管老化需更换"),
    ("了解到孩子暑期无人看护，已介绍社区托管班。", ""),
    ("低保复核走访，家庭收入情况与申报一致。", ""),
    ("楼道堆放杂物较多，住户表示会清理。", "楼道杂物需清理"),
    ("老人反映卫生间扶手松动，希望帮忙加固。", "卫生间扶手松动"),
    ("租户信息已核对，提醒办理居住证。", ""),
    ("家中一切正常，宣传了防诈骗知识。", ""),
];

async fn visits_and_assessments(
    st: &AppState,
    seed: u64,
    communities: &[node::Model],
) -> AppResult<()> {
    let db = &st.db;
    let mut rng = Rng::new(seed ^ 0x7157);
    let today = crate::people::service::today();
    let homes = household::Entity::find()
        .order_by_asc(household::Column::Id)
        .all(db)
        .await?;
    let now = crate::db::now_ms();
    let mut visits = Vec::new();
    for h in &homes {
        if rng.unit() > 0.15 {
            continue;
        }
        let (notes, needs) = *rng.pick(&VISIT_NOTES);
        let day = today - chrono::Days::new(rng.range(1, 90));
        visits.push(visit::ActiveModel {
            household_id: Set(h.id),
            org_path: Set(h.org_path.clone()),
            visited_on: Set(day.to_string()),
            visitor_id: Set(None),
            visitor_name: Set(names::person(&mut rng)),
            notes: Set(notes.into()),
            needs: Set(needs.into()),
            case_id: Set(None),
            at: Set(now),
            ..Default::default()
        });
    }
    for chunk in visits.chunks(300) {
        visit::Entity::insert_many(chunk.to_vec())
            .exec_without_returning(db)
            .await?;
    }
    // Every community assesses its households on the same four items; a few have been.
    const ITEMS: [(&str, i32); 4] = [
        ("遵纪守法", 30),
        ("邻里和睦", 25),
        ("赡养老人", 25),
        ("环境卫生", 20),
    ];
    for c in communities {
        for (i, (name, max)) in ITEMS.iter().enumerate() {
            assessment_item::Entity::insert(assessment_item::ActiveModel {
                org_id: Set(c.id),
                org_path: Set(c.path.clone()),
                name: Set((*name).into()),
                max_score: Set(*max),
                sort_order: Set(i as i32),
                status: Set("active".into()),
                created_at: Set(now),
                ..Default::default()
            })
            .exec_without_returning(db)
            .await?;
        }
    }
    let items: Vec<assessment_item::Model> = assessment_item::Entity::find().all(db).await?;
    let mut rows = Vec::new();
    for h in &homes {
        if rng.unit() > 0.1 {
            continue;
        }
        let mine: Vec<&assessment_item::Model> = items
            .iter()
            .filter(|i| h.org_path.starts_with(&i.org_path))
            .collect();
        if mine.is_empty() {
            continue;
        }
        let scores: Vec<serde_json::Value> = mine
            .iter()
            .map(|i| {
                let s = i.max_score - rng.range(0, (i.max_score / 5) as u64) as i32;
                serde_json::json!({"item": i.name, "score": s, "max": i.max_score})
            })
            .collect();
        let total: i64 = scores.iter().filter_map(|s| s["score"].as_i64()).sum();
        rows.push(assessment::ActiveModel {
            household_id: Set(h.id),
            org_path: Set(h.org_path.clone()),
            period: Set(format!("{}年", today.year())),
            scores: Set(serde_json::Value::Array(scores).to_string()),
            total: Set(total as i32),
            max_total: Set(mine.iter().map(|i| i.max_score).sum()),
            assessor_name: Set(names::person(&mut rng)),
            assessed_on: Set((today - chrono::Days::new(rng.range(5, 60))).to_string()),
            note: Set(String::new()),
            at: Set(now),
            ..Default::default()
        });
    }
    for chunk in rows.chunks(300) {
        assessment::Entity::insert_many(chunk.to_vec())
            .exec_without_returning(db)
            .await?;
    }
    Ok(())
}
