//! Months of demo cases in every state, with believable Chinese text per category, deadlines
//! from the working calendar, timelines, ratings and a few slow, supervised ones — so the
//! lists, to-do lights and rates look alive. Deterministic for a seed.

use super::Rng;
use crate::cases::catalog;
use crate::cases::entity::{case, event};
use crate::infra::clock::{bj, from_bj};
use crate::infra::error::{AppError, AppResult};
use crate::infra::vault::{Field, Vault};
use crate::org::entity::node;
use crate::users::entity as user;
use sea_orm::{ActiveModelTrait, ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, Set};
use serde_json::json;
use wangge_core::category::Category;
use wangge_core::routing::Target;

/// Titles and details per category code: (title, description).
const TEXTS: &[(&str, &[(&str, &str)])] = &[
    (
        "HJ01",
        &[
            (
                "垃圾桶满溢无人清运",
                "门口的垃圾桶已经满了两天，袋子堆在地上，天热有异味，请尽快安排清运。",
            ),
            (
                "垃圾房周边脏乱",
                "垃圾房门口散落生活垃圾，晚上有野猫翻找，住户进出要绕着走。",
            ),
        ],
    ),
    (
        "HJ02",
        &[
            (
                "楼后空地积水发臭",
                "楼后空地常年积水，下雨后更严重，蚊虫很多，希望清理并疏通。",
            ),
            (
                "绿化带里堆满杂物",
                "绿化带里有人丢弃旧家具和装修垃圾，已经堆了一周。",
            ),
        ],
    ),
    (
        "HJ05",
        &[(
            "地下室老鼠较多",
            "地下车库和储藏室最近老鼠明显增多，咬坏了住户的东西，请安排灭鼠。",
        )],
    ),
    (
        "SR01",
        &[(
            "路口早市占道经营",
            "每天早上六点到九点路口摆满菜摊，占了大半条路，车辆和行人通行困难。",
        )],
    ),
    (
        "SR02",
        &[(
            "单元门上小广告贴满",
            "单元门和电梯里贴满开锁、疏通的小广告，清了又贴。",
        )],
    ),
    (
        "SR04",
        &[(
            "消防通道口长期乱停车",
            "小区东门消防通道口每天都停着几辆私家车，救护车进不来。",
        )],
    ),
    (
        "SR05",
        &[(
            "夜间施工噪音扰民",
            "工地晚上十一点以后还在施工，噪音很大，老人孩子都睡不好。",
        )],
    ),
    (
        "WY01",
        &[
            (
                "单元门禁损坏",
                "单元门禁坏了半个月，门一直关不上，陌生人随便进出。",
            ),
            (
                "楼道声控灯不亮",
                "三楼到六楼的楼道灯都不亮了，晚上上下楼很危险。",
            ),
        ],
    ),
    (
        "WY02",
        &[(
            "物业对报修不理不睬",
            "家里卫生间漏水报修三次，物业一直说等通知，没有人上门。",
        )],
    ),
    (
        "WY03",
        &[(
            "楼道堆放杂物",
            "楼道里堆满纸箱和旧自行车，影响通行，也有火灾隐患。",
        )],
    ),
    (
        "WY05",
        &[(
            "电梯经常停运",
            "电梯这个月已经坏了三次，楼上有行动不便的老人，上下楼很困难。",
        )],
    ),
    (
        "LL01",
        &[(
            "楼上深夜噪音",
            "楼上住户每天深夜拖动家具、走路声音很大，沟通过几次没有改善。",
        )],
    ),
    (
        "LL02",
        &[(
            "楼上漏水到我家",
            "楼上卫生间漏水，我家天花板发霉掉皮，楼上住户不愿意维修。",
        )],
    ),
    (
        "LL03",
        &[(
            "邻居家狗整夜叫",
            "隔壁养的狗白天晚上都叫，出门也不拴绳，孩子很害怕。",
        )],
    ),
    (
        "LL05",
        &[(
            "家庭赡养矛盾",
            "老人反映子女不愿承担赡养费用，家里吵得厉害，希望社区帮忙调解。",
        )],
    ),
    (
        "AQ03",
        &[
            (
                "楼道里给电动车充电",
                "有住户把电动车推进楼道，从家里拉电线充电，很危险。",
            ),
            (
                "飞线充电",
                "一楼住户从窗户拉线给电动车充电，电线横跨人行道。",
            ),
        ],
    ),
    (
        "AQ04",
        &[(
            "消防通道被占用",
            "消防通道被杂物和车辆堵住，万一着火消防车进不来。",
        )],
    ),
    (
        "AQ06",
        &[(
            "路边井盖缺失",
            "人行道上有一个井盖不见了，只用树枝挡着，晚上很容易踩空。",
        )],
    ),
    (
        "ZA01",
        &[(
            "小区里有陌生人挨家敲门",
            "这两天有陌生人挨家挨户敲门推销，问家里有没有老人，感觉可疑。",
        )],
    ),
    (
        "ZA04",
        &[(
            "老人接到可疑电话",
            "我母亲接到自称公检法的电话，要求转账到安全账户，请民警上门提醒。",
        )],
    ),
    (
        "MS01",
        &[(
            "整栋楼停水",
            "从早上开始整栋楼停水，没有提前通知，家里做不了饭。",
        )],
    ),
    (
        "MS02",
        &[(
            "片区突然停电",
            "晚上七点起这一片突然停电，冰箱里的东西要坏了。",
        )],
    ),
    (
        "MS05",
        &[(
            "独居老人生活困难",
            "楼里一位独居老人腿脚不便，最近生病，没人照顾，希望社区去看看。",
        )],
    ),
    (
        "MS06",
        &[(
            "申请助餐服务",
            "家中老人八十多岁，想申请社区老年食堂的送餐服务。",
        )],
    ),
    (
        "JC01",
        &[("路灯不亮", "路段的几盏路灯已经不亮一周了，晚上走路很黑。")],
    ),
    (
        "JC02",
        &[(
            "路面坑洼",
            "道路上有好几个大坑，下雨积水，电动车经过容易摔倒。",
        )],
    ),
    (
        "JC03",
        &[("下水道堵塞返水", "小区下水道堵了，一楼卫生间往上返污水。")],
    ),
    (
        "JC04",
        &[(
            "健身器材损坏",
            "小广场的健身器材有两件坏了，有尖锐的断口，怕孩子受伤。",
        )],
    ),
    (
        "QT01",
        &[(
            "建议增设休息座椅",
            "公交站附近没有座椅，老人等车很辛苦，建议加几把长椅。",
        )],
    ),
];

struct Who {
    id: Option<i64>,
    name: String,
    role: &'static str,
}

/// Fills the demo street with `n` cases over the last `days` days. Returns how many.
/// Reporters' phones are sealed with `vault`, as intake seals them.
pub async fn generate(
    db: &DatabaseConnection,
    vault: &Vault,
    seed: u64,
    n: usize,
    days: i64,
) -> AppResult<usize> {
    let mut rng = Rng::new(seed ^ 0xCA5E);
    let cat = catalog::load(db).await?;
    let cal = &cat.calendar;
    let grids = node::Entity::find()
        .filter(node::Column::Level.eq("grid"))
        .all(db)
        .await?;
    let buildings = node::Entity::find()
        .filter(node::Column::Level.eq("building"))
        .all(db)
        .await?;
    let users = user::Entity::find().all(db).await?;
    let nodes = node::Entity::find().all(db).await?;
    let name_of = |id: i64| {
        nodes
            .iter()
            .find(|n| n.id == id)
            .map(|x| x.name.clone())
            .unwrap_or_default()
    };
    let depts = crate::org::entity::department::Entity::find()
        .all(db)
        .await?;
    let cats: Vec<&Category> = TEXTS
        .iter()
        .filter_map(|(code, _)| cat.category(code))
        .collect();
    if grids.is_empty() || cats.is_empty() {
        return Ok(0);
    }
    let now = crate::infra::clock::now_ms();
    let day = 86_400_000i64;
    let tx = crate::infra::db::begin_write(db).await?;
    let mut made = 0;
    // Oldest first, so case numbers grow with time.
    let mut starts: Vec<i64> = (0..n)
        .map(|_| {
            let back = (rng.unit().powf(1.3) * days as f64 * day as f64) as i64;
            let t = bj(now - back);
            let d = t.date();
            let minute = 8 * 60 + rng.range(0, 11 * 60) as i64;
            from_bj(d.and_hms_opt(0, 0, 0).unwrap_or(t) + chrono::Duration::minutes(minute))
                .min(now - 60_000)
        })
        .collect();
    starts.sort_unstable();
    let mut counters: std::collections::HashMap<i32, i64> = std::collections::HashMap::new();
    for t0 in starts {
        use chrono::Datelike;
        let c = *rng.pick(&cats);
        let texts = TEXTS
            .iter()
            .find(|x| x.0 == c.code)
            .map_or(&[][..], |x| x.1);
        let (title, desc) = *rng.pick(texts);
        let grid = rng.pick(&grids).clone();
        let bs: Vec<&node::Model> = buildings
            .iter()
            .filter(|b| b.parent_id == Some(grid.id))
            .collect();
        let building = (!bs.is_empty()).then(|| *rng.pick(&bs));
        let place_path =
            wangge_core::OrgPath::parse(&grid.path).map_err(|e| AppError::Internal(e.into()))?;
        let chain: Vec<&node::Model> = nodes
            .iter()
            .filter(|x| place_path.ids().contains(&x.id))
            .collect();
        let community = chain.iter().find(|x| x.level == "community").copied();
        let township = chain.iter().find(|x| x.level == "township").copied();
        let (Some(community), Some(township)) = (community, township) else {
            continue;
        };
        let queue = match c.handler {
            wangge_core::category::HandlerLevel::Grid
            | wangge_core::category::HandlerLevel::Community => community,
            _ => township,
        };
        // Who reports.
        let roll = rng.unit();
        let (source, reporter): (&str, Option<&user::Model>) = if roll < 0.45 {
            (
                "resident",
                users
                    .iter()
                    .find(|u| u.role == "resident" && u.org_path.starts_with(&community.path)),
            )
        } else if roll < 0.8 {
            (
                "patrol",
                users
                    .iter()
                    .find(|u| u.role == "grid_worker" && u.org_id == grid.id),
            )
        } else {
            ("hotline", None)
        };
        let phone = format!(
            "1{}{:08}",
            rng.pick(&["35", "38", "39", "58", "86", "77"]),
            rng.range(0, 99_999_999)
        );
        let reporter_name = reporter.map_or_else(
            || super::names::person(&mut rng),
            |u| u.display_name.clone(),
        );
        // Where it ends up.
        let age = (now - t0) / day;
        let r = rng.unit();
        let target: &str = if age > 20 {
            match r {
                x if x < 0.80 => "closed",
                x if x < 0.85 => "rejected",
                x if x < 0.88 => "withdrawn",
                x if x < 0.93 => "handling",
                _ => "verified",
            }
        } else if age > 4 {
            match r {
                x if x < 0.45 => "closed",
                x if x < 0.55 => "verified",
                x if x < 0.65 => "fed_back",
                x if x < 0.85 => "handling",
                x if x < 0.92 => "dispatched",
                _ => "accepted",
            }
        } else {
            match r {
                x if x < 0.25 => "reported",
                x if x < 0.35 => "accepted",
                x if x < 0.55 => "dispatched",
                x if x < 0.80 => "handling",
                x if x < 0.92 => "fed_back",
                _ => "verified",
            }
        };
        let route = crate::cases::service::suggest_route(&tx, &place_path, c).await?;
        let (assignee_org, assignee_dept, assignee_path, assignee_name) = match &route {
            Ok((Target::Node(id), _)) => {
                let nd = nodes.iter().find(|x| x.id == *id);
                (Some(*id), None, nd.map(|x| x.path.clone()), name_of(*id))
            }
            Ok((Target::Department(id), _)) => {
                let d = depts.iter().find(|d| d.id == *id);
                (
                    None,
                    Some(*id),
                    d.map(|d| d.org_path.clone()),
                    d.map(|d| d.name.clone()).unwrap_or_default(),
                )
            }
            Err(_) => (
                Some(community.id),
                None,
                Some(community.path.clone()),
                community.name.clone(),
            ),
        };
        let suggestion = match &route {
            Ok((t, reason)) => {
                json!({"target": match t { Target::Node(i) => json!({"org_id": i}), Target::Department(i) => json!({"department_id": i}) }, "reason": reason})
            }
            Err(why) => json!({"target": null, "reason": why}),
        };
        let dispatcher = users
            .iter()
            .find(|u| {
                u.org_id == queue.id
                    && matches!(u.role.as_str(), "command_center" | "community_secretary")
            })
            .map_or(
                Who {
                    id: None,
                    name: "受理员".into(),
                    role: "command_center",
                },
                |u| Who {
                    id: Some(u.id),
                    name: u.display_name.clone(),
                    role: if u.role == "command_center" {
                        "command_center"
                    } else {
                        "community_secretary"
                    },
                },
            );
        let handler = users
            .iter()
            .find(|u| match (assignee_dept, assignee_org) {
                (Some(d), _) => u.department_id == Some(d),
                (None, Some(o)) => u.org_id == o && u.role != "department_handler",
                _ => false,
            })
            .map_or(
                Who {
                    id: None,
                    name: assignee_name.clone(),
                    role: "community_staff",
                },
                |u| Who {
                    id: Some(u.id),
                    name: u.display_name.clone(),
                    role: if u.role == "department_handler" {
                        "department_handler"
                    } else if u.role == "grid_worker" {
                        "grid_worker"
                    } else {
                        "community_staff"
                    },
                },
            );
        let verifier = users
            .iter()
            .find(|u| u.role == "grid_worker" && u.org_id == grid.id)
            .map_or(
                Who {
                    id: None,
                    name: "网格员".into(),
                    role: "grid_worker",
                },
                |u| Who {
                    id: Some(u.id),
                    name: u.display_name.clone(),
                    role: "grid_worker",
                },
            );
        let rep = Who {
            id: reporter.map(|u| u.id),
            name: reporter_name.clone(),
            role: reporter.map_or("public", |u| {
                if u.role == "grid_worker" {
                    "grid_worker"
                } else {
                    "resident"
                }
            }),
        };

        let year = bj(t0).year();
        let seq = counters.entry(year).or_insert(0);
        *seq += 1;
        let case_no = format!("{year}-{:06}", *seq);
        // The steps, with times.
        let mut steps: Vec<(i64, &Who, &str, &str, &str, String, serde_json::Value)> = Vec::new();
        let mut t = t0;
        let mut status = "reported";
        let add = |mins: i64, t: &mut i64| {
            *t = (*t + mins * 60_000).min(now - 1000);
            *t
        };
        steps.push((
            t,
            &rep,
            "report",
            "",
            "reported",
            String::new(),
            json!({"category": c.code}),
        ));
        let order = [
            "reported",
            "accepted",
            "dispatched",
            "handling",
            "fed_back",
            "verified",
            "closed",
        ];
        let reach = |s: &str| order.iter().position(|x| *x == s).unwrap_or(0);
        let goal = reach(target);
        let mut dispatched_at = None;
        let mut response_due = None;
        let mut handle_due = None;
        let mut ack_at = None;
        let mut fed_at = None;
        let mut rating: Option<(bool, bool, &str)> = None;
        let mut closed_at = None;
        let slow = rng.unit() < 0.15;
        if target == "rejected" {
            let at = add(rng.range(20, 240) as i64, &mut t);
            steps.push((
                at,
                &dispatcher,
                "reject",
                "reported",
                "rejected",
                "经核实不属于本级受理范围，已告知报告人向相关单位反映".into(),
                json!({}),
            ));
            status = "rejected";
        } else if target == "withdrawn" {
            let at = add(rng.range(20, 600) as i64, &mut t);
            steps.push((
                at,
                &rep,
                "withdraw",
                "reported",
                "withdrawn",
                String::new(),
                json!({}),
            ));
            status = "withdrawn";
        } else {
            if goal >= 1 {
                let at = add(rng.range(10, 120) as i64, &mut t);
                steps.push((
                    at,
                    &dispatcher,
                    "accept",
                    "reported",
                    "accepted",
                    String::new(),
                    json!({}),
                ));
                status = "accepted";
            }
            if goal >= 2 {
                let at = add(rng.range(5, 90) as i64, &mut t);
                dispatched_at = Some(at);
                response_due = Some(from_bj(cal.deadline(bj(at), c.response)));
                handle_due = Some(from_bj(cal.deadline(bj(at), c.handling)));
                steps.push((
                    at,
                    &dispatcher,
                    "dispatch",
                    "accepted",
                    "dispatched",
                    String::new(),
                    json!({"to": assignee_name}),
                ));
                status = "dispatched";
            }
            if goal >= 3 {
                let at = add(rng.range(15, 300) as i64, &mut t);
                ack_at = Some(at);
                steps.push((
                    at,
                    &handler,
                    "acknowledge",
                    "dispatched",
                    "handling",
                    String::new(),
                    json!({}),
                ));
                status = "handling";
            }
            if goal >= 4 {
                let due = handle_due.unwrap_or(t);
                let span = (due - t).max(3_600_000);
                let at = if slow {
                    due + rng.range(1, 4) as i64 * day
                } else {
                    t + (span as f64 * (0.2 + 0.7 * rng.unit())) as i64
                };
                let at = at.min(now - 1000).max(t);
                t = at;
                fed_at = Some(at);
                steps.push((
                    at,
                    &handler,
                    "feedback",
                    "handling",
                    "fed_back",
                    format!("已到现场处理：{}。处理后情况已拍照留存。", feedback_for(c)),
                    json!({}),
                ));
                status = "fed_back";
            }
            if goal >= 5 {
                let at = add(rng.range(60, 1440) as i64, &mut t);
                steps.push((
                    at,
                    &verifier,
                    "verify",
                    "fed_back",
                    "verified",
                    "已到现场核查，问题已处理".into(),
                    json!({"passed": true}),
                ));
                status = "verified";
            }
            if goal >= 6 {
                let at = add(rng.range(120, 2880) as i64, &mut t);
                let s = match rng.unit() {
                    x if x < 0.72 => "satisfied",
                    x if x < 0.93 => "basic",
                    _ => "dissatisfied",
                };
                let contacted = rng.unit() < 0.95;
                let solved = s != "dissatisfied" && rng.unit() < 0.97;
                let by = if rep.id.is_some() { &rep } else { &dispatcher };
                steps.push((
                    at,
                    by,
                    "rate",
                    "verified",
                    "closed",
                    if s == "dissatisfied" {
                        "处理不彻底，过几天又出现了".into()
                    } else {
                        String::new()
                    },
                    json!({"contacted": contacted, "solved": solved, "satisfaction": s}),
                ));
                rating = Some((contacted, solved, s));
                closed_at = Some(at);
                status = "closed";
            }
        }
        let ack_late = matches!((ack_at, response_due), (Some(a), Some(d)) if a > d);
        let handle_late = matches!((fed_at, handle_due), (Some(a), Some(d)) if a > d);
        let overdue_days = match (status, handle_due) {
            ("handling" | "dispatched", Some(d)) if now > d => {
                cal.working_minutes_between(bj(d), bj(now))
                    / i64::from(cal.hours().minutes_per_day())
            }
            _ => 0,
        };
        let row = case::ActiveModel {
            case_no: Set(case_no),
            kind: Set(if source == "patrol" {
                "incident".into()
            } else {
                "appeal".into()
            }),
            title: Set(title.into()),
            description: Set(desc.into()),
            category_code: Set(c.code.clone()),
            source: Set(source.into()),
            status: Set(status.into()),
            version: Set(i32::try_from(steps.len()).unwrap_or(1)),
            org_id: Set(grid.id),
            org_path: Set(grid.path.clone()),
            building_id: Set(building.map(|b| b.id)),
            lat: Set(None),
            lng: Set(None),
            address: Set(building
                .map(|b| format!("{}{}", name_of(community.id), b.name))
                .unwrap_or_default()),
            located: Set(true),
            dispatch_org_id: Set(queue.id),
            dispatch_path: Set(queue.path.clone()),
            assignee_org_id: Set(if dispatched_at.is_some() {
                assignee_org
            } else {
                None
            }),
            assignee_dept_id: Set(if dispatched_at.is_some() {
                assignee_dept
            } else {
                None
            }),
            assignee_path: Set(if dispatched_at.is_some() {
                assignee_path.clone()
            } else {
                None
            }),
            assignee_name: Set(if dispatched_at.is_some() {
                assignee_name.clone()
            } else {
                String::new()
            }),
            suggestion: Set(suggestion.to_string().chars().take(400).collect()),
            reporter_id: Set(reporter.map(|u| u.id)),
            reporter_name: Set(reporter_name),
            reporter_phone: Set(if reporter.is_some() {
                String::new()
            } else {
                vault.seal(Field::Phone, &phone)?
            }),
            reporter_phone_blind: Set(reporter
                .is_none()
                .then(|| vault.blind(Field::Phone, &phone))),
            anonymous: Set(false),
            track_hash: Set(None),
            idem_key: Set(None),
            created_at: Set(t0),
            updated_at: Set(steps.last().map_or(t0, |s| s.0)),
            dispatched_at: Set(dispatched_at),
            response_due: Set(response_due),
            handle_due: Set(handle_due),
            acknowledged_at: Set(ack_at),
            fed_back_at: Set(fed_at),
            closed_at: Set(closed_at),
            ack_late: Set(ack_late),
            handle_late: Set(handle_late),
            reworks_after_rating: Set(0),
            extension_pending: Set(false),
            extension_days: Set(0),
            supervised: Set(overdue_days >= 5),
            reminded_at: Set(None),
            urged_at: Set(if overdue_days >= 1 { Some(now) } else { None }),
            rated_at: Set(closed_at),
            contacted: Set(rating.map(|r| r.0)),
            solved: Set(rating.map(|r| r.1)),
            satisfaction: Set(rating.map(|r| r.2.to_owned())),
            rating_comment: Set(String::new()),
            merged_into: Set(None),
            ..Default::default()
        }
        .insert(&tx)
        .await?;
        for (at, who, action, from, to, note, data) in steps {
            event::ActiveModel {
                case_id: Set(row.id),
                at: Set(at),
                actor_id: Set(who.id),
                actor_name: Set(who.name.clone()),
                actor_role: Set(who.role.into()),
                action: Set(action.into()),
                from_status: Set(from.into()),
                to_status: Set(to.into()),
                note: Set(note),
                data: Set(data.to_string()),
                ..Default::default()
            }
            .insert(&tx)
            .await?;
        }
        made += 1;
    }
    for (year, n) in counters {
        crate::infra::db::exec(
            &tx,
            "INSERT INTO case_counters (year, n) VALUES ($1, $2)",
            vec![year.into(), n.into()],
        )
        .await?;
    }
    tx.commit().await?;
    Ok(made)
}

fn feedback_for(c: &Category) -> &'static str {
    match c.group_code.as_str() {
        "HJ" => "已安排保洁人员清理完毕，并增加巡查频次",
        "SR" => "执法队员已现场劝导整改，当事人承诺不再发生",
        "WY" => "已督促物业公司上门维修，设施恢复正常",
        "LL" => "已约双方当面沟通调解，达成一致意见",
        "AQ" => "隐患已排除，已对相关住户进行安全教育",
        "ZA" => "民警已上门核实并做好防范提醒",
        "MS" => "已对接相关单位恢复服务并上门回访",
        "JC" => "已通知维修单位修复，现已恢复使用",
        _ => "已按要求处理",
    }
}
