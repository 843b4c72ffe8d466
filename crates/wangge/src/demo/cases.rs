//! Months of demo cases in every state, with believable Chinese text per category, deadlines
//! from the working calendar, timelines, ratings and a few slow, supervised ones — so the
//! lists, to-do lights and rates look alive. Every step goes through the case engine, as a
//! person would take it. Deterministic for a seed.

use super::Rng;
use crate::cases::CasesState;
use crate::cases::catalog;
use crate::cases::entity::{case, event};
use crate::cases::service::{
    ActInput, By, Move, Transition, public_reporter, standing, transition_in,
};
use crate::infra::clock::{bj, from_bj};
use crate::infra::error::{AppError, AppResult};
use crate::infra::vault::Field;
use crate::org::entity::node;
use crate::users::entity as user;
use crate::web::{Actor, Base, Via};
use chrono::Datelike;
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, Set};
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
        "AQ01",
        &[(
            "楼道里闻到燃气味",
            "三单元二楼楼道里有很重的燃气味，敲门没人应，担心漏气，请尽快来人查看。",
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
        &[
            (
                "建议增设休息座椅",
                "公交站附近没有座椅，老人等车很辛苦，建议加几把长椅。",
            ),
            (
                "工地门口有工人讨薪",
                "小区旁边工地门口聚集了十几个工人，说包工头拖欠工资，情绪比较激动。",
            ),
        ],
    ),
];

/// Fills the demo street with `n` cases over the last `days` days. Returns how many.
/// Reporters' phones are sealed with the base's vault, as intake seals them. Every step of
/// every case's history goes through the case engine's one commit path at its moment (so the
/// history is one the flow allows, with its deadlines, timeline, audit entries and
/// notices), and the pressing job then runs once as of now.
pub async fn generate(base: &Base, seed: u64, n: usize, days: i64) -> AppResult<usize> {
    let st = &CasesState::of(base);
    let (db, vault) = (&st.db, &*st.vault);
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
    let admin = users.iter().find(|u| {
        u.role == "admin" && u.status == "active" && u.org_path.matches('/').count() <= 2
    });
    let nodes = node::Entity::find().all(db).await?;
    let name_of = |id: i64| {
        nodes
            .iter()
            .find(|n| n.id == id)
            .map(|x| x.name.clone())
            .unwrap_or_default()
    };
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
        let target_state: &str = if age > 20 {
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
        // The case as intake lands it: reported, queued, with the route it suggests.
        let year = bj(t0).year();
        let seq = counters.entry(year).or_insert(0);
        *seq += 1;
        let (route_org, route_dept, route_reason) = match &route {
            Ok((Target::Node(id), why)) => (Some(*id), None, why.clone()),
            Ok((Target::Department(id), why)) => (None, Some(*id), why.clone()),
            Err(why) => (None, None, why.clone()),
        };
        let flow = &wangge_core::flow::appeal::FLOW;
        let mut row = case::ActiveModel {
            case_no: Set(format!("{year}-{:06}", *seq)),
            kind: Set(if source == "patrol" {
                "incident".into()
            } else {
                "appeal".into()
            }),
            title: Set(title.into()),
            description: Set(desc.into()),
            category_code: Set(c.code.clone()),
            source: Set(source.into()),
            status: Set(flow.start().id.into()),
            version: Set(1),
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
            assignee_org_id: Set(None),
            assignee_dept_id: Set(None),
            assignee_user_id: Set(None),
            assignee_path: Set(None),
            assignee_name: Set(String::new()),
            suggested_category: Set(None),
            suggested_method: Set(None),
            suggested_score: Set(None),
            suggested_words: Set(String::new()),
            route_org_id: Set(route_org),
            route_dept_id: Set(route_dept),
            route_reason: Set(route_reason),
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
            updated_at: Set(t0),
            ack_late: Set(false),
            handle_late: Set(false),
            reworks_after_rating: Set(0),
            extension_pending: Set(false),
            extension_days: Set(0),
            supervised: Set(false),
            rating_comment: Set(String::new()),
            ..Default::default()
        }
        .insert(&tx)
        .await?;
        let reporter_actor = reporter.map(actor_of).transpose()?;
        event::ActiveModel {
            case_id: Set(row.id),
            at: Set(t0),
            actor_id: Set(reporter.map(|u| u.id)),
            actor_name: Set(reporter.map_or_else(|| "公众".to_owned(), |u| u.display_name.clone())),
            actor_role: Set(reporter.map_or_else(|| "public".to_owned(), |u| u.role.clone())),
            action: Set("report".into()),
            from_status: Set(String::new()),
            to_status: Set(row.status.clone()),
            note: Set(String::new()),
            data: Set(json!({"category": c.code}).to_string()),
            ..Default::default()
        }
        .insert(&tx)
        .await?;
        // Who acts: the screeners of the queue (an administrator where it has none), whoever
        // the route reaches (the community where nobody would), the grid's own worker.
        let staff_at = |org: i64, roles: &[&str]| {
            users.iter().find(|u| {
                u.org_id == org && u.status == "active" && roles.contains(&u.role.as_str())
            })
        };
        let dispatcher_user = staff_at(
            queue.id,
            &["command_center", "community_secretary", "community_staff"],
        )
        .or(admin);
        let Some(dispatcher_user) = dispatcher_user else {
            continue;
        };
        let dispatcher = actor_of(dispatcher_user)?;
        let node_handler = |org: i64| {
            staff_at(
                org,
                &[
                    "grid_worker",
                    "community_staff",
                    "community_secretary",
                    "command_center",
                ],
            )
        };
        let (target, handler_user) = match &route {
            Ok((Target::Department(d), _)) => match users.iter().find(|u| {
                u.department_id == Some(*d)
                    && u.role == "department_handler"
                    && u.status == "active"
            }) {
                Some(h) => ((None, Some(*d)), Some(h)),
                None => ((Some(community.id), None), node_handler(community.id)),
            },
            Ok((Target::Node(id), _)) if node_handler(*id).is_some() => {
                ((Some(*id), None), node_handler(*id))
            }
            _ => ((Some(community.id), None), node_handler(community.id)),
        };
        let handler = handler_user.map(actor_of).transpose()?;
        let verifier = staff_at(grid.id, &["grid_worker"])
            .map(actor_of)
            .transpose()?;
        let slow = rng.unit() < 0.15;
        // The steps towards the target state, each through the engine at its moment.
        let mut t = t0;
        let at = |mins: i64, t: &mut i64| {
            *t = (*t + mins * 60_000).min(now - 1000);
            *t
        };
        let mut plan: Vec<(i64, Actor2, ActInput)> = Vec::new();
        let act = |action: &str| ActInput {
            action: action.to_owned(),
            ..ActInput::default()
        };
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
        let goal = reach(target_state);
        if target_state == "rejected" {
            plan.push((
                at(rng.range(20, 240) as i64, &mut t),
                Actor2::Staff(&dispatcher),
                ActInput {
                    text: "经核实不属于本级受理范围，已告知报告人向相关单位反映".into(),
                    ..act("reject")
                },
            ));
        } else if target_state == "withdrawn" {
            let by = reporter_actor
                .as_ref()
                .map_or(Actor2::Public, Actor2::Staff);
            plan.push((at(rng.range(20, 600) as i64, &mut t), by, act("withdraw")));
        } else {
            if goal >= 1 {
                plan.push((
                    at(rng.range(10, 120) as i64, &mut t),
                    Actor2::Staff(&dispatcher),
                    act("accept"),
                ));
            }
            if goal >= 2 {
                plan.push((
                    at(rng.range(5, 90) as i64, &mut t),
                    Actor2::Staff(&dispatcher),
                    ActInput {
                        org_id: target.0,
                        department_id: target.1,
                        ..act("dispatch")
                    },
                ));
            }
            if let Some(h) = handler.as_ref().filter(|_| goal >= 3) {
                plan.push((
                    at(rng.range(15, 300) as i64, &mut t),
                    Actor2::Staff(h),
                    act("acknowledge"),
                ));
                let rounds = if goal >= 6 && rng.unit() < 0.07 { 2 } else { 1 };
                for round in 0..rounds {
                    if goal < 4 {
                        break;
                    }
                    // Feedback: most within the limit, some late.
                    let limit = limit_minutes(cal, c, t);
                    let mins = if slow && round == 0 {
                        limit + rng.range(60, 3 * 24 * 60) as i64
                    } else {
                        (limit as f64 * (0.2 + 0.7 * rng.unit())) as i64
                    };
                    plan.push((
                        at(mins.max(30), &mut t),
                        Actor2::Staff(h),
                        ActInput {
                            text: format!(
                                "已到现场处理：{}。处理后情况已拍照留存。",
                                feedback_for(c)
                            ),
                            ..act("feedback")
                        },
                    ));
                    if goal < 5 {
                        break;
                    }
                    plan.push((
                        at(rng.range(60, 1440) as i64, &mut t),
                        verifier
                            .as_ref()
                            .map_or(Actor2::Staff(&dispatcher), Actor2::Staff),
                        ActInput {
                            passed: Some(true),
                            text: "已到现场核查，问题已处理".into(),
                            ..act("verify")
                        },
                    ));
                    if goal < 6 {
                        break;
                    }
                    // The first round of a reworked case is rated 不满意 (it comes back once).
                    let s = if rounds == 2 && round == 0 {
                        "dissatisfied"
                    } else {
                        match rng.unit() {
                            x if x < 0.74 => "satisfied",
                            x if x < 0.95 => "basic",
                            _ => "dissatisfied",
                        }
                    };
                    let rater = reporter_actor
                        .as_ref()
                        .map_or(Actor2::Staff(&dispatcher), Actor2::Staff);
                    plan.push((
                        at(rng.range(120, 2880) as i64, &mut t),
                        rater,
                        ActInput {
                            contacted: Some(rng.unit() < 0.95),
                            solved: Some(s != "dissatisfied" && rng.unit() < 0.97),
                            satisfaction: Some(s.into()),
                            text: if s == "dissatisfied" {
                                "处理不彻底，过几天又出现了".into()
                            } else {
                                String::new()
                            },
                            ..act("rate")
                        },
                    ));
                }
            }
        }
        for (when, by, mut input) in plan {
            input.version = Some(row.version);
            let (who, by) = match by {
                Actor2::Staff(a) => (standing(a, &row)?, By::Actor(a)),
                Actor2::Public => (public_reporter(), By::Public),
            };
            let done = transition_in(
                &tx,
                st,
                Transition {
                    case: row,
                    by,
                    who,
                    step: Move::Act(&input),
                    now: when,
                    days: 0,
                },
            )
            .await?;
            row = done.case;
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
    // The history's notices were read long ago; those of open cases wait.
    crate::infra::db::exec(
        &tx,
        "UPDATE notifications SET read_at = $1 WHERE read_at IS NULL AND case_id IN \
         (SELECT id FROM cases WHERE closed_at IS NOT NULL OR status IN ('rejected', 'withdrawn', 'merged'))",
        vec![now.into()],
    )
    .await?;
    tx.commit().await?;
    // What the pressing job finds today: reminders, 催办 and 督办 of the slow ones.
    crate::cases::press::run_once(st, now).await?;
    Ok(made)
}

/// Who takes a step of the demo's history.
enum Actor2<'a> {
    /// An account.
    Staff(&'a Actor),
    /// The reporter without an account (on their private page).
    Public,
}

/// An account as the engine sees it acting (as auth resolves it).
fn actor_of(u: &user::Model) -> AppResult<Actor> {
    crate::auth::actor_of(u.clone(), Via::Token { id: 0 }, "")
}

/// The handling limit of a category from a moment, in clock minutes.
fn limit_minutes(cal: &wangge_core::worktime::Calendar, c: &Category, from: i64) -> i64 {
    let due = from_bj(cal.deadline(bj(from), c.handling));
    ((due - from) / 60_000).max(60)
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
