//! The demo's registry: households in every building, with families, elders living alone,
//! tenants from elsewhere, party members and the care groups a street looks after, in
//! proportions a street would recognise. It is written as a population ledger and goes in
//! through the real import, then visits, assessments and archived documents (agreements,
//! certificates and notices as one-page PDFs) are added for some households.

use super::Rng;
use super::names;
use crate::infra::error::AppResult;
use crate::org::entity::node;
use crate::people::PeopleState;
use crate::people::entity::{assessment, assessment_item, household, resident, visit};
use crate::people::import::{self, Input, Progress, Report};
use crate::web::Caller;
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

    /// A birth date for someone aged `age_lo..=age_hi` today.
    fn birth(&mut self, age_lo: u64, age_hi: u64) -> NaiveDate {
        let age = self.rng.range(age_lo, age_hi);
        let days = self.rng.range(0, 364);
        self.today
            .checked_sub_days(chrono::Days::new(age * 365 + age / 4 + days))
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

    fn given(&mut self, surname: &str, male: bool) -> String {
        format!("{surname}{}", names::given(&mut self.rng, male))
    }

    /// A child's name, not a sibling's already.
    fn child_name(&mut self, surname: &str, male: bool, family: &[Person]) -> String {
        let mut name = self.given(surname, male);
        for _ in 0..5 {
            if !family.iter().any(|p| p.name == name) {
                break;
            }
            name = self.given(surname, male);
        }
        name
    }

    /// The people of one household.
    fn household(&mut self) -> Vec<Person> {
        let surname = names::surname(&mut self.rng);
        let spouse_surname = names::surname(&mut self.rng);
        let male = self.chance(0.7);
        let roll = self.rng.unit();
        let mut out = Vec::new();
        let head = |g: &mut Gen, lo, hi, male: bool| Person {
            name: g.given(surname, male),
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
                name: self.given(spouse_surname, false),
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
                name: self.given(spouse_surname, !male),
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
                    name: self.child_name(surname, boy, &out),
                    male: boy,
                    birth: self.birth(0, age_hi),
                    relation: if boy { "子" } else { "女" },
                });
            }
            if self.chance(0.25) {
                let own = names::surname(&mut self.rng);
                out.push(Person {
                    name: self.given(own, false),
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
                    name: self.given(spouse_surname, !male),
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
        today: crate::infra::clock::today(),
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
pub async fn generate(st: &PeopleState, seed: u64) -> AppResult<Report> {
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
    documents(st, seed, &communities).await?;
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
    st: &PeopleState,
    seed: u64,
    communities: &[node::Model],
) -> AppResult<()> {
    let db = &st.db;
    let mut rng = Rng::new(seed ^ 0x7157);
    let today = crate::infra::clock::today();
    let homes = household::Entity::find()
        .order_by_asc(household::Column::Id)
        .all(db)
        .await?;
    let now = crate::infra::clock::now_ms();
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

/// A member of a household, as its documents name them.
struct Member {
    name: String,
    relation: String,
    male: bool,
    age: i32,
}

/// One archived document: (type, title, the PDF).
type Doc = (&'static str, String, Vec<u8>);

/// Files documents into the archives of about one household in twenty, through the
/// archive's own service (so each is stored, scoped and audited as an upload would be).
async fn documents(st: &PeopleState, seed: u64, communities: &[node::Model]) -> AppResult<()> {
    let mut rng = Rng::new(seed ^ 0xD0C5);
    let today = crate::infra::clock::today();
    let homes: Vec<household::Model> = household::Entity::find()
        .order_by_asc(household::Column::Id)
        .all(&st.db)
        .await?
        .into_iter()
        .filter(|_| rng.unit() < 0.06)
        .collect();
    for chunk in homes.chunks(300) {
        let ids: Vec<i64> = chunk.iter().map(|h| h.id).collect();
        let people = resident::Entity::find()
            .filter(resident::Column::HouseholdId.is_in(ids))
            .filter(resident::Column::Status.eq("active"))
            .order_by_asc(resident::Column::Id)
            .all(&st.db)
            .await?;
        for h in chunk {
            let members: Vec<Member> = people
                .iter()
                .filter(|r| r.household_id == Some(h.id))
                .map(|r| Member {
                    name: r.name.clone(),
                    relation: r.relation.clone(),
                    male: r.gender == "male",
                    age: NaiveDate::parse_from_str(&r.birth_date, "%Y-%m-%d")
                        .map_or(40, |b| wangge_core::people::age_on(b, today) as i32),
                })
                .collect();
            let village = communities
                .iter()
                .any(|c| h.org_path.starts_with(&c.path) && c.kind == "village");
            let filer = Caller {
                who: crate::infra::audit::Who {
                    id: None,
                    name: names::person(&mut rng),
                    ip: String::new(),
                },
                scope: None,
                role: None,
            };
            let n = if rng.unit() < 0.25 { 2 } else { 1 };
            let mut filed = HashSet::new();
            for _ in 0..n {
                let Some((kind, title, pdf)) =
                    document(&mut rng, village, &h.address, &members, today)
                else {
                    break;
                };
                if filed.insert(kind) {
                    crate::people::archive::add_document(st, &filer, h.id, kind, &title, &pdf)
                        .await?;
                }
            }
        }
    }
    Ok(())
}

/// A date some years before `today`, as a document writes it.
fn some_day(rng: &mut Rng, today: NaiveDate, years_lo: u64, years_hi: u64) -> String {
    let d = today - chrono::Days::new(rng.range(years_lo * 365, years_hi * 365));
    format!("{}年{}月{}日", d.year(), d.month(), d.day())
}

/// One document a household of these members might have filed, or none.
fn document(
    rng: &mut Rng,
    village: bool,
    address: &str,
    members: &[Member],
    today: NaiveDate,
) -> Option<Doc> {
    use super::pdf::{
        Block::{self, Gap, Para, Right, Title},
        page,
    };
    let head = members
        .iter()
        .find(|m| m.relation == "head")
        .or_else(|| members.first())?;
    let children: Vec<&Member> = members
        .iter()
        .filter(|m| matches!(m.relation.as_str(), "son" | "daughter"))
        .collect();
    let parent = members.iter().find(|m| m.relation == "parent");
    let pupil = children.iter().find(|m| (6..=18).contains(&m.age));
    let recruit = children
        .iter()
        .find(|m| m.male && (18..=22).contains(&m.age));
    let mut kinds = Vec::new();
    if village {
        kinds.extend([
            "land_contract",
            "land_contract",
            "land_contract",
            "forest_right",
        ]);
        if children.iter().any(|m| m.male && m.age >= 20) {
            kinds.extend(["family_division", "family_division"]);
        }
    }
    if parent.is_some() || head.age >= 65 && !children.is_empty() {
        kinds.push("support_agreement");
    }
    if pupil.is_some() {
        kinds.extend(["admission", "admission"]);
    }
    if recruit.is_some() {
        kinds.push("enlistment");
    }
    // A neighbours' agreement is the odd dispute settled on paper, not every household's.
    if kinds.is_empty() || rng.unit() < 0.15 {
        if rng.unit() < 0.5 {
            return None;
        }
        kinds.push("neighbour_agreement");
    }
    let kind = *rng.pick(&kinds);
    let all = members
        .iter()
        .map(|m| m.name.as_str())
        .collect::<Vec<_>>()
        .join("、");
    let signed = some_day(rng, today, 1, 12);
    let neighbour = names::person(rng);
    let (title, blocks): (String, Vec<Block>) = match kind {
        "land_contract" => {
            let plots = rng.range(2, 6);
            let mu = rng.range(12, 60) as f64 / 10.0;
            (
                format!("{}户土地承包经营权证", head.name),
                vec![
                    Title("农村土地承包经营权证".into()),
                    Para(format!("承包方代表：{}", head.name)),
                    Para(format!("承包方地址：{address}")),
                    Para(format!("家庭成员：{all}，共 {} 人。", members.len())),
                    Para(format!(
                        "承包地块 {plots} 块，合计 {mu:.1} 亩，以发包方与承包方签订的承包合同及地块示意图为准。\
                         承包期内，承包方依法享有承包地使用、收益和土地经营权流转的权利。"
                    )),
                    Para("承包期限：第二轮承包到期后再延长三十年。".into()),
                    Gap(1),
                    Right("发证机关：区人民政府（印）".into()),
                    Right(signed),
                ],
            )
        }
        "forest_right" => {
            let mu = rng.range(5, 80);
            (
                format!("{}户林权证", head.name),
                vec![
                    Title("林权证".into()),
                    Para(format!("林权权利人：{}", head.name)),
                    Para(format!("住址：{address}")),
                    Para(format!(
                        "林地坐落于本村后山集体林地第 {} 小班，面积 {mu} 亩，主要树种为杉木、毛竹，\
                         林地使用期至 2068 年 12 月 31 日。",
                        rng.range(1, 40)
                    )),
                    Para("权利人应依法保护和合理利用森林资源，做好森林防火工作。".into()),
                    Gap(1),
                    Right("登记机关：区林业主管部门（印）".into()),
                    Right(signed),
                ],
            )
        }
        "family_division" => {
            let sons: Vec<&str> = children
                .iter()
                .filter(|m| m.male && m.age >= 20)
                .map(|m| m.name.as_str())
                .collect();
            let shares = match sons.as_slice() {
                [a, b, ..] => Para(format!(
                    "一、老宅东侧两间归{a}所有，西侧两间归{b}所有，堂屋共用，父母随{a}居住。"
                )),
                [a] => Para(format!(
                    "一、新建楼房归{a}所有；老宅由父母居住，父母百年之后归{a}所有。"
                )),
                [] => Para("一、老宅由父母居住。".into()),
            };
            (
                format!("{}户分家协议", head.name),
                vec![
                    Title("分家协议".into()),
                    Para(format!(
                        "立协议人：{}（{}），{}（儿子）。",
                        head.name,
                        if head.male { "父亲" } else { "母亲" },
                        sons.join("、")
                    )),
                    Para("儿子成年成家，经全家商议，在村民调解委员会见证下，自愿分家，达成协议如下：".into()),
                    shares,
                    Para("二、承包地按人口平均分配，各自耕种、各自受益。".into()),
                    Para("三、父母由子女共同赡养，每人每月给付生活费五百元，生病时医药费共同负担。".into()),
                    Para("四、本协议一式多份，各方及村民委员会各执一份，自签字之日起生效。".into()),
                    Gap(1),
                    Right(format!("立协议人：{}、{}", head.name, sons.join("、"))),
                    Right("见证：村民调解委员会".into()),
                    Right(signed),
                ],
            )
        }
        "support_agreement" => {
            let (elder, carer) = match parent {
                Some(p) => (p.name.as_str(), head.name.as_str()),
                None => (
                    head.name.as_str(),
                    children
                        .first()
                        .map_or(head.name.as_str(), |c| c.name.as_str()),
                ),
            };
            (
                format!("{elder}赡养协议"),
                vec![
                    Title("赡养协议".into()),
                    Para(format!("被赡养人：{elder}")),
                    Para(format!("赡养人：{carer}")),
                    Para(format!("住址：{address}")),
                    Para("为保障老人晚年生活，经协商，赡养人自愿承担以下义务：".into()),
                    Para(format!(
                        "一、每月 {} 日前给付生活费 {} 元；二、老人生病时负责陪护就医，承担医疗费用；\
                         三、保障老人居住条件，不得擅自处分老人的住房；四、经常看望问候，关心老人精神生活。",
                        rng.range(1, 10),
                        rng.range(3, 12) * 100
                    )),
                    Para("本协议经社区（村）见证，如有争议，可申请人民调解。".into()),
                    Gap(1),
                    Right(format!("被赡养人：{elder}　赡养人：{carer}")),
                    Right(signed),
                ],
            )
        }
        "admission" => {
            let p = pupil?;
            let school = if p.age <= 12 {
                "区实验小学"
            } else if p.age <= 15 {
                "区第二中学"
            } else {
                "市第一高级中学"
            };
            let year = today.year() - i32::try_from(rng.range(0, 2)).unwrap_or(0);
            (
                format!("{}入学通知书", p.name),
                vec![
                    Title("入学通知书".into()),
                    Para(format!("{}同学：", p.name)),
                    Para(format!(
                        "你已被我校录取，请于 {year} 年 8 月 30 日持本通知书和户口簿到校报到。\
                         报到时请家长陪同，办理入学登记手续。"
                    )),
                    Para(format!("学校：{school}")),
                    Gap(1),
                    Right(format!("{school}（印）")),
                    Right(format!("{year}年7月{}日", rng.range(10, 28))),
                ],
            )
        }
        "enlistment" => {
            let p = recruit?;
            let year = today.year() - i32::try_from(rng.range(0, 3)).unwrap_or(0);
            (
                format!("{}入伍通知书", p.name),
                vec![
                    Title("入伍通知书".into()),
                    Para(format!("{}同志：", p.name)),
                    Para(format!(
                        "经体检、政治考核合格，批准你应征入伍。请于 {year} 年 9 月 {} 日到区人民武装部报到。",
                        rng.range(5, 20)
                    )),
                    Para("光荣参军，保家卫国。望你在部队刻苦训练，早日成才。".into()),
                    Para(format!("家庭住址：{address}")),
                    Gap(1),
                    Right("区征兵办公室（印）".into()),
                    Right(format!("{year}年8月{}日", rng.range(20, 31))),
                ],
            )
        }
        _ => (
            format!("{}户邻里协议", head.name),
            vec![
                Title("邻里协议".into()),
                Para(format!("甲方：{}（{address}）", head.name)),
                Para(format!("乙方：{neighbour}（隔壁住户）")),
                Para(format!(
                    "双方因{}发生纠纷，经网格员和调解员调解，本着互谅互让的原则，自愿达成如下协议：",
                    rng.pick(&[
                        "排水沟渠",
                        "楼道堆物",
                        "空调外机噪音",
                        "院墙边界",
                        "车辆停放"
                    ])
                )),
                Para("一、双方于本协议签订后十日内各自整改，恢复原状；".into()),
                Para("二、今后遇事先沟通，互相体谅，和睦相处；".into()),
                Para("三、如再有争议，请网格员或调解委员会协调，不得采取过激行为。".into()),
                Gap(1),
                Right(format!("甲方：{}　乙方：{neighbour}", head.name)),
                Right("见证：网格员".into()),
                Right(signed),
            ],
        ),
    };
    Some((kind, title, page(&blocks)))
}
