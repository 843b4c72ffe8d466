//! The demo's 双报到 and 吹哨报到, at the first street's first community: units with their
//! agreements (four registered with the community, two with the street), in-service members who
//! live there (one of them the demo's member account) with a year of needs served and hours
//! confirmed, one need still open, and two whistles — one closed, one running with a unit past
//! its deadline. Everything goes through the services as the people would do it; only dates are
//! moved back afterwards (a need's service date, a whistle's time), as the history would have
//! them.

use super::wishes::as_user;
use crate::infra::clock::{bj, from_bj, today};
use crate::infra::db::exec;
use crate::infra::error::AppResult;
use crate::org::entity::{department, node};
use crate::party::entity::party_member;
use crate::party::serving::{
    self, NeedInput, RegistrationInput, SignUpInput, SignupStepInput, UnitInput,
};
use crate::party::whistles::{self, CallStepInput, CalleeInput, WhistleInput};
use crate::people::entity::resident;
use crate::users::entity as user;
use crate::web::{Base, Caller};
use chrono::Datelike;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
use wangge_core::Role;

/// What the demo made.
#[derive(Debug, Default)]
pub struct Made {
    pub units: usize,
    pub registrations: usize,
    pub needs: usize,
    pub whistles: usize,
    pub star_reviews: usize,
}

/// (name, kind, party organization, contact, phone, needs, resources, projects, at the street)
type UnitSeed = (
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    bool,
);

const UNITS: [UnitSeed; 6] = [
    (
        "区人民医院",
        "agency",
        "区人民医院党委",
        "周建华",
        "13957100101",
        "老年人慢病随访\n家庭医生签约宣讲",
        "每月一次专家坐诊\n急救知识培训",
        "银发健康义诊（每月第二个周六）",
        false,
    ),
    (
        "区税务局第二税务所",
        "agency",
        "区税务局第二税务所党支部",
        "陈晓燕",
        "13957100102",
        "个体户办税辅导",
        "办税志愿者\n政策宣讲",
        "个体工商户办税服务点",
        false,
    ),
    (
        "清河小学",
        "institution",
        "清河小学党支部",
        "沈老师",
        "13957100103",
        "四点半课堂\n暑期托管",
        "教师志愿者\n操场周末开放",
        "四点半课堂（周一至周四）",
        false,
    ),
    (
        "区供电公司清河供电所",
        "state_firm",
        "清河供电所党支部",
        "王工",
        "13957100104",
        "老旧小区线路排查",
        "电工志愿服务队",
        "楼道线路安全检查",
        false,
    ),
    (
        "区建设集团",
        "state_firm",
        "区建设集团党委",
        "吴经理",
        "13957100105",
        "背街小巷改造\n加装电梯协调",
        "工程技术人员\n施工机械",
        "老旧小区微改造",
        true,
    ),
    (
        "清河农商银行",
        "firm",
        "清河农商银行党支部",
        "钱行长",
        "13957100106",
        "防诈骗宣传",
        "金融知识讲座\n上门助老服务",
        "反诈宣传进小区",
        true,
    ),
];

/// (title, place, days ago, places, hours each)
const NEEDS: [(&str, &str, i64, i32, &str); 5] = [
    ("春季小区环境整治", "柳岸社区各小区", 240, 10, "3"),
    ("老年人义务理发", "社区党群服务中心", 150, 8, "2"),
    ("暑期四点半课堂辅导", "社区活动室", 120, 8, "4"),
    ("防汛沙袋装运", "社区仓库", 90, 8, "2.5"),
    ("重阳节走访慰问独居老人", "社区各网格", 50, 8, "3"),
];

const WORK_UNITS: [&str; 6] = [
    "区人民医院",
    "区税务局第二税务所",
    "清河小学",
    "区供电公司清河供电所",
    "区司法局",
    "区档案馆",
];

fn as_cli_or(u: Option<user::Model>, role: Role) -> Caller {
    u.map_or_else(Caller::cli, |u| as_user(&u, role))
}

/// The 双报到 and 吹哨报到 of the first community.
pub async fn generate(st: &Base) -> AppResult<Made> {
    let db = &st.db;
    let mut made = Made::default();
    let day = today();
    let Some(street) = node::Entity::find()
        .filter(node::Column::Level.eq("township"))
        .filter(node::Column::Status.eq("active"))
        .order_by_asc(node::Column::Code)
        .one(db)
        .await?
    else {
        return Ok(made);
    };
    let under = crate::infra::error::stored_path(&street.path)?;
    let Some(first) = node::Entity::find()
        .filter(node::Column::Level.eq("community"))
        .filter(crate::infra::db::subtree(node::Column::Path, &under))
        .order_by_asc(node::Column::Code)
        .one(db)
        .await?
    else {
        return Ok(made);
    };
    let account = |role: Role, at: i64| {
        user::Entity::find()
            .filter(user::Column::Role.eq(role.as_str()))
            .filter(user::Column::OrgId.eq(at))
            .order_by_asc(user::Column::Id)
            .one(db)
    };
    let secretary = as_cli_or(
        account(Role::CommunitySecretary, first.id).await?,
        Role::CommunitySecretary,
    );
    let centre = as_cli_or(
        account(Role::CommandCenter, street.id).await?,
        Role::CommandCenter,
    );
    // Units and their agreements.
    let mut units = Vec::new();
    for (i, (name, kind, org, contact, phone, needs, resources, projects, at_street)) in
        UNITS.iter().enumerate()
    {
        let signed = day - chrono::Days::new(300 - 20 * i as u64);
        let (who, at) = if *at_street {
            (&centre, street.id)
        } else {
            (&secretary, first.id)
        };
        let u = serving::register_unit(
            st,
            who,
            UnitInput {
                org_node_id: Some(at),
                name: (*name).into(),
                kind: (*kind).into(),
                party_org_name: (*org).into(),
                contact_name: (*contact).into(),
                contact_phone: (*phone).into(),
                signed_on: signed.to_string(),
                until: (signed + chrono::Days::new(3 * 365)).to_string(),
                needs: (*needs).into(),
                resources: (*resources).into(),
                projects: (*projects).into(),
                ..Default::default()
            },
        )
        .await?;
        units.push(u);
        made.units += 1;
    }
    // In-service members: the demo's member account for themself, and residents of working
    // age who are not already members here, through the community.
    let community_path = crate::infra::error::stored_path(&first.path)?;
    let mut registrations = Vec::new();
    let member_account = user::Entity::find()
        .filter(user::Column::Role.eq(Role::PartyMember.as_str()))
        .filter(crate::infra::db::subtree(
            user::Column::OrgPath,
            &community_path,
        ))
        .order_by_asc(user::Column::Username)
        .all(db)
        .await?;
    for u in &member_account {
        let linked = party_member::Entity::find()
            .filter(party_member::Column::UserId.eq(u.id))
            .filter(party_member::Column::Status.eq("active"))
            .one(db)
            .await?;
        if linked.is_some() {
            let r = serving::register(
                st,
                &as_user(u, Role::PartyMember),
                RegistrationInput {
                    work_unit: "区人民医院".into(),
                    unit_id: Some(units[0].id),
                    home_branch: "区人民医院第二党支部".into(),
                    ..Default::default()
                },
            )
            .await?;
            registrations.push(r);
            break;
        }
    }
    let members: Vec<i64> = party_member::Entity::find()
        .filter(party_member::Column::Status.eq("active"))
        .all(db)
        .await?
        .into_iter()
        .map(|m| m.resident_id)
        .collect();
    let year = day.year();
    let working: Vec<resident::Model> = resident::Entity::find()
        .filter(crate::infra::db::subtree(
            resident::Column::OrgPath,
            &community_path,
        ))
        .filter(resident::Column::Status.eq("active"))
        .filter(resident::Column::BirthDate.between(
            format!("{}-01-01", year - 55),
            format!("{}-12-31", year - 28),
        ))
        .filter(resident::Column::Id.is_not_in(members))
        .order_by_asc(resident::Column::Id)
        .limit(40)
        .all(db)
        .await?;
    for (i, r) in working.iter().step_by(5).take(6).enumerate() {
        let work = WORK_UNITS[i % WORK_UNITS.len()];
        let unit = units.iter().find(|u| u.name == work).map(|u| u.id);
        let reg = serving::register(
            st,
            &secretary,
            RegistrationInput {
                resident_id: Some(r.id),
                work_unit: work.into(),
                unit_id: unit,
                home_branch: format!("{work}党支部"),
            },
        )
        .await?;
        registrations.push(reg);
    }
    made.registrations = registrations.len();
    // They registered before the year's first need.
    for (i, r) in registrations.iter().enumerate() {
        exec(
            db,
            "UPDATE party_registrations SET registered_on = $1 WHERE id = $2",
            vec![
                (day - chrono::Days::new(280 + 7 * i as u64))
                    .to_string()
                    .into(),
                r.id.into(),
            ],
        )
        .await?;
    }
    // A year of needs: posted, signed up for, served and confirmed, then dated back.
    for (n, (title, place, ago, places, hours)) in NEEDS.iter().enumerate() {
        let need = serving::post_need(
            st,
            &secretary,
            NeedInput {
                org_node_id: Some(first.id),
                title: (*title).into(),
                place: (*place).into(),
                on_date: day.to_string(),
                places: Some(*places),
                ..Default::default()
            },
        )
        .await?;
        made.needs += 1;
        for (k, reg) in registrations.iter().enumerate() {
            if (k + n) % 3 == 2 {
                continue;
            }
            let v = serving::sign_up(
                st,
                &secretary,
                need.id,
                SignUpInput {
                    registration_id: Some(reg.id),
                },
            )
            .await?;
            let Some(s) = v.signups.iter().find(|s| s.registration_id == reg.id) else {
                continue;
            };
            serving::signup_step(
                st,
                &secretary,
                s.id,
                "confirm",
                SignupStepInput {
                    hours: (*hours).into(),
                    note: "按时到岗，完成服务".into(),
                },
            )
            .await?;
        }
        serving::close_need(st, &secretary, need.id).await?;
        let on = day - chrono::Days::new(*ago as u64);
        // Keep the history in this year when the demo runs early in the year.
        let on = if on.year() == year { on } else { day };
        exec(
            db,
            "UPDATE party_needs SET on_date = $1 WHERE id = $2",
            vec![on.to_string().into(), need.id.into()],
        )
        .await?;
    }
    // Last week's need: served, the member's report awaiting confirmation; and an open one.
    let recent = serving::post_need(
        st,
        &secretary,
        NeedInput {
            org_node_id: Some(first.id),
            title: "冬季消防安全巡查".into(),
            place: "各小区楼道".into(),
            on_date: day.to_string(),
            places: Some(6),
            detail: "检查楼道堆物、灭火器".into(),
        },
    )
    .await?;
    for reg in registrations.iter().take(3) {
        let v = serving::sign_up(
            st,
            &secretary,
            recent.id,
            SignUpInput {
                registration_id: Some(reg.id),
            },
        )
        .await?;
        if let Some(s) = v.signups.iter().find(|s| s.registration_id == reg.id) {
            serving::signup_step(
                st,
                &secretary,
                s.id,
                "serve",
                SignupStepInput {
                    hours: "2".into(),
                    note: "检查 3 幢楼道，清理堆物 2 处".into(),
                },
            )
            .await?;
        }
    }
    let upcoming = serving::post_need(
        st,
        &secretary,
        NeedInput {
            org_node_id: Some(first.id),
            title: "迎新春写春联送福字".into(),
            place: "社区党群服务中心".into(),
            on_date: (day + chrono::Days::new(20)).to_string(),
            places: Some(8),
            detail: "会写毛笔字的党员优先".into(),
        },
    )
    .await?;
    if let Some(reg) = registrations.get(1) {
        serving::sign_up(
            st,
            &secretary,
            upcoming.id,
            SignUpInput {
                registration_id: Some(reg.id),
            },
        )
        .await?;
    }
    made.needs += 2;
    // Whistles: the departments of the street and the community's units.
    let depts = department::Entity::find()
        .filter(department::Column::OrgId.eq(street.id))
        .filter(department::Column::Status.eq("active"))
        .order_by_asc(department::Column::Id)
        .all(db)
        .await?;
    let local: Vec<i64> = units
        .iter()
        .filter(|u| u.org_node_id == first.id)
        .map(|u| u.id)
        .collect();
    if local.len() >= 2 && !depts.is_empty() {
        let cg = depts.get(3).unwrap_or(&depts[0]);
        let closed = whistles::blow(
            st,
            &secretary,
            WhistleInput {
                org_node_id: Some(first.id),
                title: "2 幢楼道电线私拉乱接".into(),
                problem: "2 幢多户从楼道私拉电线给电瓶车充电，存在火灾隐患，劝导无效".into(),
                place: "柳岸社区 2 幢".into(),
                callees: vec![
                    CalleeInput {
                        unit_id: local.get(3).copied().or(Some(local[0])),
                        limit_hours: Some(8),
                        ..Default::default()
                    },
                    CalleeInput {
                        department_id: Some(cg.id),
                        limit_hours: Some(16),
                        ..Default::default()
                    },
                ],
                ..Default::default()
            },
        )
        .await?;
        let calls = whistles::one(st, &secretary, closed.id).await?.calls;
        for (k, answer) in calls.iter().zip([
            "供电所派 2 名电工到场，拆除私拉电线 6 处，加装充电桩 1 处",
            "城管中队到场劝导，对拒不整改的 1 户下达整改通知",
        ]) {
            whistles::call_step(st, &secretary, k.id, "arrive", CallStepInput::default()).await?;
            whistles::call_step(
                st,
                &secretary,
                k.id,
                "answer",
                CallStepInput {
                    answer: answer.into(),
                },
            )
            .await?;
        }
        // Dated back a month to a working morning, each deadline counted again from then.
        let cal = crate::cases::catalog::load(db).await?.calendar;
        let morning = |d: chrono::NaiveDate| from_bj(d.and_hms_opt(9, 30, 0).unwrap_or_default());
        let blown = morning(day - chrono::Days::new(30));
        let hour = 3_600_000i64;
        let times =
            |calls: &[whistles::CallView], blown: i64, plan: &[(Option<i64>, Option<i64>)]| {
                calls
                    .iter()
                    .zip(plan.iter().copied())
                    .map(|(k, (arrived, answered))| {
                        let due = from_bj(wangge_core::party::serve::call_due(
                            &cal,
                            bj(blown),
                            u32::try_from(k.limit_hours).unwrap_or(8),
                        ));
                        (
                            k.id,
                            due,
                            arrived.map(|a| blown + a),
                            answered.map(|a| blown + a),
                        )
                    })
                    .collect::<Vec<_>>()
            };
        exec(
            db,
            "UPDATE party_whistles SET blown_at = $1, closed_at = $2 WHERE id = $3",
            vec![blown.into(), (blown + 5 * hour).into(), closed.id.into()],
        )
        .await?;
        for (id, due, arrived, answered) in times(
            &calls,
            blown,
            &[
                (Some(hour), Some(3 * hour)),
                (Some(2 * hour), Some(5 * hour)),
            ],
        ) {
            exec(
                db,
                "UPDATE party_whistle_calls SET due_at = $1, arrived_at = $2, answered_at = $3 \
                 WHERE id = $4",
                vec![due.into(), arrived.into(), answered.into(), id.into()],
            )
            .await?;
        }
        let running = whistles::blow(
            st,
            &secretary,
            WhistleInput {
                org_node_id: Some(first.id),
                title: "柳岸路菜场门口占道经营".into(),
                problem: "早市摊贩占道，堵塞消防通道，居民多次反映".into(),
                place: "柳岸路菜场".into(),
                callees: vec![
                    CalleeInput {
                        department_id: Some(cg.id),
                        limit_hours: Some(8),
                        ..Default::default()
                    },
                    CalleeInput {
                        unit_id: Some(local[0]),
                        limit_hours: Some(4),
                        ..Default::default()
                    },
                    CalleeInput {
                        unit_id: Some(local[1]),
                        limit_hours: Some(8),
                        ..Default::default()
                    },
                ],
                ..Default::default()
            },
        )
        .await?;
        let calls = whistles::one(st, &secretary, running.id).await?.calls;
        if let Some(k) = calls.first() {
            whistles::call_step(st, &secretary, k.id, "arrive", CallStepInput::default()).await?;
            whistles::call_step(
                st,
                &secretary,
                k.id,
                "answer",
                CallStepInput {
                    answer: "城管中队早 6 点到场，规劝摊贩进场经营，清理占道摊位 9 个".into(),
                },
            )
            .await?;
        }
        if let Some(k) = calls.get(2) {
            whistles::call_step(st, &secretary, k.id, "arrive", CallStepInput::default()).await?;
        }
        // Blown three days ago in the morning: the department came and answered within hours,
        // one unit arrived in time and has not reported what it did yet, the other (4 hours)
        // never came — red.
        let blown = morning(day - chrono::Days::new(3));
        exec(
            db,
            "UPDATE party_whistles SET blown_at = $1 WHERE id = $2",
            vec![blown.into(), running.id.into()],
        )
        .await?;
        for (id, due, arrived, answered) in times(
            &calls,
            blown,
            &[
                (Some(hour), Some(3 * hour)),
                (None, None),
                (Some(2 * hour), None),
            ],
        ) {
            exec(
                db,
                "UPDATE party_whistle_calls SET due_at = $1, arrived_at = $2, answered_at = $3 \
                 WHERE id = $4",
                vec![due.into(), arrived.into(), answered.into(), id.into()],
            )
            .await?;
        }
        made.whistles += 2;
    }
    honours(st, &secretary, &centre, &street, &first).await?;
    made.star_reviews = super::stars::generate(st, &street).await?;
    Ok(made)
}

/// The street's 光荣榜: last month's 最美志愿者 published (one with a photo), this month's
/// nominations waiting for the street, this quarter's 优秀楼栋长 approved but not yet published,
/// and this year's 红旗党支部 nominated.
async fn honours(
    st: &Base,
    secretary: &Caller,
    centre: &Caller,
    street: &node::Model,
    first: &node::Model,
) -> AppResult<()> {
    use crate::party::honours::{
        self as h, CategoryInput, DecisionInput, NominationInput, PublishInput,
    };
    let db = &st.db;
    let cat = |name: &str, kind: &str, quota: i32, subject: &str, note: &str| CategoryInput {
        org_node_id: Some(street.id),
        name: name.into(),
        period_kind: kind.into(),
        quota: Some(quota),
        subject: subject.into(),
        note: note.into(),
    };
    let volunteers = h::create_category(
        st,
        centre,
        cat(
            "最美志愿者",
            "month",
            3,
            "person",
            "长期参加志愿服务、群众口碑好",
        ),
    )
    .await?;
    let heads = h::create_category(
        st,
        centre,
        cat(
            "优秀楼栋长",
            "quarter",
            2,
            "person",
            "楼栋事务管得好，邻里矛盾化解及时",
        ),
    )
    .await?;
    let flags = h::create_category(
        st,
        centre,
        cat(
            "红旗党支部",
            "year",
            1,
            "party_org",
            "组织生活规范、联户全覆盖、为民办实事",
        ),
    )
    .await?;
    let community_path = crate::infra::error::stored_path(&first.path)?;
    let people: Vec<resident::Model> = resident::Entity::find()
        .filter(crate::infra::db::subtree(
            resident::Column::OrgPath,
            &community_path,
        ))
        .filter(resident::Column::Status.eq("active"))
        .filter(resident::Column::BirthDate.between(
            format!("{}-01-01", today().year() - 70),
            format!("{}-12-31", today().year() - 30),
        ))
        .order_by_asc(resident::Column::Id)
        .limit(200)
        .all(db)
        .await?;
    let pick: Vec<&resident::Model> = people.iter().step_by(23).take(8).collect();
    const DEEDS: [&str; 8] = [
        "坚持三年每周为独居老人送餐，风雨无阻",
        "组织楼道志愿服务队，清理楼道堆物二十余处",
        "暴雨夜巡查积水点，协助转移被困老人",
        "义务辅导社区孩子功课，每周两次",
        "调解邻里漏水纠纷五起，无一反复",
        "带头开展垃圾分类督导，小区分类准确率明显提高",
        "自费修缮楼道扶手和照明",
        "疫情期间连续值守卡点",
    ];
    let nominate = |category: i64, r: &resident::Model, deed: &str, period: &str, photo: String| {
        NominationInput {
            category_id: Some(category),
            period: period.into(),
            resident_id: Some(r.id),
            party_org_id: None,
            citation: deed.into(),
            photo,
        }
    };
    // Last month's roll, published.
    let mut last = Vec::new();
    for (i, r) in pick.iter().take(4).enumerate() {
        let photo = if i == 0 {
            crate::party::wishes::store_photo(st, secretary, &super::wishes::photo(7))
                .await?
                .unwrap_or_default()
        } else {
            String::new()
        };
        last.push(
            h::nominate(
                st,
                secretary,
                nominate(volunteers.id, r, DEEDS[i], "last", photo),
            )
            .await?,
        );
    }
    for n in last.iter().take(3) {
        h::decide(st, centre, n.id, "approve", DecisionInput::default()).await?;
    }
    if let Some(n) = last.get(3) {
        h::publish(
            st,
            centre,
            PublishInput {
                category_id: Some(volunteers.id),
                period: n.period.clone(),
            },
        )
        .await?;
    }
    // This month's, waiting for the street.
    for (i, r) in pick.iter().skip(4).take(2).enumerate() {
        h::nominate(
            st,
            secretary,
            nominate(volunteers.id, r, DEEDS[4 + i], "", String::new()),
        )
        .await?;
    }
    // This quarter's building heads: approved, not yet published.
    for (i, r) in pick.iter().skip(6).take(2).enumerate() {
        let n = h::nominate(
            st,
            secretary,
            nominate(heads.id, r, DEEDS[6 - i], "", String::new()),
        )
        .await?;
        if i == 0 {
            h::decide(st, centre, n.id, "approve", DecisionInput::default()).await?;
        }
    }
    // This year's 红旗党支部: the community's branch.
    if let Some(branch) = crate::party::entity::party_org::Entity::find()
        .filter(crate::party::entity::party_org::Column::Kind.eq("branch"))
        .filter(crate::party::entity::party_org::Column::Status.eq("active"))
        .filter(crate::party::entity::party_org::Column::OrgNodeId.eq(first.id))
        .one(db)
        .await?
    {
        h::nominate(
            st,
            secretary,
            NominationInput {
                category_id: Some(flags.id),
                party_org_id: Some(branch.id),
                citation: "三会一课规范，党员联户全覆盖，一年办结红色代办百余件".into(),
                ..Default::default()
            },
        )
        .await?;
    }
    Ok(())
}
