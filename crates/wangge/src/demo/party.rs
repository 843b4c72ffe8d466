//! The demo street's party tree (支部建在网格上): a working committee (党工委) for each street or
//! town, a branch for each community and village (by its category), a 两新 branch at each
//! street, and a group for each grid of the first community of each street. Elections spread over the years so that
//! some terms are running, some due within half a year and one overdue.

use crate::infra::error::AppResult;
use crate::org::entity::node;
use crate::party::service::{self, OrgInput};
use crate::web::Caller;
use chrono::{Datelike, NaiveDate};
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder};

/// How many organizations the demo made.
#[derive(Debug, Default)]
pub struct Made {
    pub orgs: usize,
}

fn date(today: NaiveDate, years_ago: i32, month: u32, day: u32) -> String {
    NaiveDate::from_ymd_opt(today.year() - years_ago, month, day)
        .filter(|d| *d <= today)
        .or_else(|| NaiveDate::from_ymd_opt(today.year() - years_ago - 1, month, day))
        .map(|d| d.to_string())
        .unwrap_or_default()
}

/// Lays the party tree over the demo's org tree.
pub async fn generate(db: &DatabaseConnection) -> AppResult<Made> {
    let c = Caller::cli();
    let today = crate::infra::clock::today();
    let mut made = Made::default();
    let nodes = node::Entity::find()
        .filter(node::Column::Status.eq("active"))
        // By code: 清河街道 and its 柳岸社区 first, as the demo's accounts expect.
        .order_by_asc(node::Column::Code)
        .all(db)
        .await?;
    let streets: Vec<&node::Model> = nodes.iter().filter(|n| n.level == "township").collect();
    let mut merged = false;
    for (si, street) in streets.iter().enumerate() {
        let short = street.name.trim_end_matches("街道").trim_end_matches('镇');
        let committee = service::create(
            db,
            &c,
            OrgInput {
                org_node_id: Some(street.id),
                name: format!("中共{}工作委员会", street.name),
                kind: "committee".into(),
                secretary: ["陈立群", "周海峰", "吴晓岚"][si % 3].into(),
                founded_on: date(today, 30, 3, 1),
                elected_on: date(today, 2, 9, 20),
                ..OrgInput::default()
            },
        )
        .await?;
        made.orgs += 1;
        let communities: Vec<&node::Model> = nodes
            .iter()
            .filter(|n| n.level == "community" && n.path.starts_with(&street.path))
            .collect();
        for (ci, community) in communities.iter().enumerate() {
            let village = community.kind == "village";
            // A term of five years: elected 1, 2, 3 or 4 years ago; the second community of
            // the first street is due within half a year, the third is overdue.
            let months_ago = |m: u32| {
                today
                    .checked_sub_months(chrono::Months::new(m))
                    .map(|d| d.to_string())
                    .unwrap_or_default()
            };
            let elected = match (si, ci) {
                (0, 1) => months_ago(58),
                (0, 2) => months_ago(63),
                _ => date(today, 1 + (ci as i32 % 4), 6, 10),
            };
            // The first village of the district merged two village branches into a 党总支
            // (as the reports tell): the general branch, and the two branches under it.
            if village && !merged {
                merged = true;
                let general = service::create(
                    db,
                    &c,
                    OrgInput {
                        parent_id: Some(committee.id),
                        org_node_id: Some(community.id),
                        name: format!("中共{}总支部委员会", community.name),
                        kind: "general_branch".into(),
                        category: "village".into(),
                        secretary: community_secretary(ci),
                        founded_on: date(today, 3, 4, 1),
                        elected_on: date(today, 3, 4, 1),
                        note: "由原东岙村、西岙村两个党支部合并组建".into(),
                        ..OrgInput::default()
                    },
                )
                .await?;
                made.orgs += 1;
                // The two village branches were the committee's until they were put under
                // the new general branch: the move is on record.
                for (k, old) in ["东岙", "西岙"].into_iter().enumerate() {
                    let b = service::create(
                        db,
                        &c,
                        OrgInput {
                            parent_id: Some(committee.id),
                            org_node_id: Some(community.id),
                            name: format!("第{}党支部（原{old}村）", ["一", "二"][k]),
                            kind: "branch".into(),
                            category: "village".into(),
                            secretary: ["郑海明", "孙桂英"][k].into(),
                            founded_on: date(today, 12, 4, 1),
                            elected_on: date(today, 3, 4, 1),
                            ..OrgInput::default()
                        },
                    )
                    .await?;
                    crate::party::shape::reorganize(
                        db,
                        &c,
                        b.id,
                        crate::party::shape::ReorgInput {
                            kind: "move".into(),
                            to: Some(general.id),
                            on: date(today, 3, 4, 1),
                            approval_no: format!("{short}党工〔{}〕7号", today.year() - 3),
                            note: format!("东岙、西岙两村党支部合并组建{}党总支", community.name),
                            ..Default::default()
                        },
                    )
                    .await?;
                    made.orgs += 1;
                }
                continue;
            }
            let branch = service::create(
                db,
                &c,
                OrgInput {
                    parent_id: Some(committee.id),
                    org_node_id: Some(community.id),
                    name: format!("中共{}支部委员会", community.name),
                    kind: "branch".into(),
                    category: if village { "village" } else { "community" }.into(),
                    secretary: community_secretary(ci),
                    founded_on: date(today, 20 + ci as i32, 7, 1),
                    elected_on: elected,
                    ..OrgInput::default()
                },
            )
            .await?;
            made.orgs += 1;
            if ci == 0 {
                let grids = nodes
                    .iter()
                    .filter(|n| n.level == "grid" && n.path.starts_with(&community.path));
                for (gi, grid) in grids.enumerate() {
                    service::create(
                        db,
                        &c,
                        OrgInput {
                            parent_id: Some(branch.id),
                            org_node_id: Some(grid.id),
                            name: format!("{}党小组", grid.name),
                            kind: "group".into(),
                            secretary: ["沈国强", "朱玉梅", "许志远", "何丽华"][gi % 4].into(),
                            ..OrgInput::default()
                        },
                    )
                    .await?;
                    made.orgs += 1;
                }
            }
        }
        // A branch of the street's private firms and social organizations (两新).
        service::create(
            db,
            &c,
            OrgInput {
                parent_id: Some(committee.id),
                org_node_id: Some(street.id),
                name: format!("中共{short}两新组织联合支部委员会"),
                kind: "branch".into(),
                category: "new_economy".into(),
                secretary: "林建华".into(),
                founded_on: date(today, 6, 5, 20),
                elected_on: date(today, 2, 5, 20),
                note: "辖区内非公企业和社会组织的党员".into(),
                ..OrgInput::default()
            },
        )
        .await?;
        made.orgs += 1;
        // The first street's firms along the river share one branch (联合支部), its units on
        // record; two members of the 两新 branch were split off into it (see `shape`).
        if si == 0 {
            service::create(
                db,
                &c,
                OrgInput {
                    parent_id: Some(committee.id),
                    org_node_id: Some(street.id),
                    name: format!("中共{short}沿河商圈联合支部委员会"),
                    kind: "branch".into(),
                    category: "joint".into(),
                    secretary: "钱卫东".into(),
                    founded_on: date(today, 2, 3, 15),
                    elected_on: date(today, 2, 3, 15),
                    note: "沿河商户、物业和社会组织联合组建".into(),
                    ..OrgInput::default()
                },
            )
            .await?;
            made.orgs += 1;
        }
    }
    Ok(made)
}

fn community_secretary(i: usize) -> String {
    [
        "王秀兰",
        "李建军",
        "张丽萍",
        "刘志刚",
        "陈美华",
        "杨国平",
        "赵淑芬",
        "黄卫东",
    ][i % 8]
        .into()
}

/// What the demo's members, links and meetings came to.
#[derive(Debug, Default)]
pub struct Lives {
    pub members: usize,
    pub links: usize,
    pub meetings: usize,
    pub wishes: usize,
}

/// The demo's party life over its registry (run after the registry is filled): in each branch
/// the residents who are members by the registry, with a secretary (and a committee where there
/// are seven or more), a few applicants, activists and candidates, 预备党员 (one due for 转正), a
/// member lost and one flowing; members grouped by grid where groups exist; households looked
/// after by members and grid workers with a few gaps; a year of meetings with some branches
/// behind and one vote that failed its quorum. The demo's party member accounts are linked to
/// members of their community.
pub async fn lives(st: &crate::web::Base, seed: u64) -> AppResult<Lives> {
    use crate::party::entity::party_org;
    use crate::party::{links, meetings, members};
    use crate::people::entity::{household, resident};
    let db = &st.db;
    let c = Caller::cli();
    let today = crate::infra::clock::today();
    let mut rng = super::Rng::new(seed ^ 0x5eed_da12);
    let mut out = Lives::default();
    let mut taken = std::collections::HashSet::new();
    let mut linked = std::collections::HashSet::new();
    let mut homes_done = std::collections::HashSet::new();
    let day = |d: NaiveDate| d.to_string();
    let ago = |m: u32| {
        today
            .checked_sub_months(chrono::Months::new(m))
            .unwrap_or(today)
    };
    let branches = party_org::Entity::find()
        .filter(party_org::Column::Kind.eq("branch"))
        .filter(party_org::Column::Status.eq("active"))
        .order_by_asc(party_org::Column::Id)
        .all(db)
        .await?;
    let accounts = crate::users::entity::Entity::find()
        .filter(crate::users::entity::Column::Role.eq("party_member"))
        .all(db)
        .await?;
    let workers = crate::users::entity::Entity::find()
        .filter(crate::users::entity::Column::Role.eq("grid_worker"))
        .all(db)
        .await?;
    for (bi, b) in branches.iter().enumerate() {
        // A 联合支部's members come from the 两新 branch (see `shape`).
        if b.category.as_deref() == Some("joint") {
            continue;
        }
        // A 两新 branch's members work at the street's firms: a few, and no households.
        let firms = b.category.as_deref() == Some("new_economy");
        let people = resident::Entity::find()
            .filter(crate::infra::db::subtree(
                resident::Column::OrgPath,
                &crate::infra::error::stored_path(&b.org_path)?,
            ))
            .filter(resident::Column::Status.eq("active"))
            .order_by_asc(resident::Column::Id)
            .all(db)
            .await?;
        if people.is_empty() {
            continue;
        }
        let adult = |r: &resident::Model| {
            members::date_of(&r.birth_date)
                .is_some_and(|d| wangge_core::people::age_on(d, today) >= 20)
        };
        // The first branch is large (above fifty, a warning); a village branch of the second
        // street is small; the rest in between.
        let cap = match bi {
            _ if firms => 4,
            1 => 56,
            _ if bi % 5 == 3 => 6,
            _ => 24,
        };
        // Spread over the place: every k-th of those who are members by the registry.
        let eligible: Vec<&resident::Model> = people
            .iter()
            .filter(|r| r.political == "party_member" && adult(r) && !taken.contains(&r.id))
            .collect();
        let stride = (eligible.len() / cap.max(1)).max(1);
        let party: Vec<&resident::Model> = eligible.into_iter().step_by(stride).take(cap).collect();
        taken.extend(party.iter().map(|r| r.id));
        let groups = party_org::Entity::find()
            .filter(party_org::Column::ParentId.eq(b.id))
            .filter(party_org::Column::Kind.eq("group"))
            .all(db)
            .await?;
        let mut made: Vec<(i64, &resident::Model)> = Vec::new();
        for (i, r) in party.iter().enumerate() {
            // 预备党员: the last two, one of them due within a month.
            let probationary = i + 2 >= party.len() && party.len() > 4;
            let joined = if probationary {
                if i + 1 == party.len() {
                    ago(11)
                        .checked_sub_days(chrono::Days::new(20))
                        .unwrap_or(today)
                } else {
                    ago(4)
                }
            } else {
                // Joined at twenty or later.
                let age = members::date_of(&r.birth_date)
                    .map_or(20, |d| wangge_core::people::age_on(d, today));
                let most = (u64::try_from(age - 20).unwrap_or(0) * 12).clamp(25, 400);
                ago(rng.range(24, most) as u32)
            };
            let full = joined
                .checked_add_months(chrono::Months::new(12))
                .filter(|d| *d <= today);
            // The secretary at once; the committee once the members are in (it needs seven).
            let post = if i == 0 { "secretary" } else { "" };
            let group = groups
                .iter()
                .find(|g| r.org_path.starts_with(&g.org_path))
                .map(|g| g.id);
            let m = members::create(
                st,
                &c,
                members::MemberInput {
                    resident_id: Some(r.id),
                    party_org_id: Some(b.id),
                    group_id: group,
                    stage: if probationary { "probationary" } else { "full" }.into(),
                    applied_on: day(joined
                        .checked_sub_months(chrono::Months::new(30))
                        .unwrap_or(joined)),
                    joined_on: day(joined),
                    full_on: if probationary {
                        String::new()
                    } else {
                        full.map(day).unwrap_or_default()
                    },
                    introducers: "党员甲、党员乙".into(),
                    post: post.into(),
                    education: ["高中", "大专", "本科", "初中"][i % 4].into(),
                    work_unit: if i % 6 == 5 {
                        "区城市管理局".into()
                    } else {
                        String::new()
                    },
                    migrant_worker: i % 11 == 7,
                    // A few list what they can help with (the skills register).
                    skills: match i % 9 {
                        1 => "法律咨询、调解".into(),
                        3 => "医疗护理".into(),
                        5 => "水电维修、家电维修".into(),
                        7 => "书法、教育辅导".into(),
                        _ => String::new(),
                    },
                    ..Default::default()
                },
            )
            .await?;
            made.push((m.id, r));
        }
        let keep = |m: &crate::party::entity::party_member::Model| members::FieldsInput {
            version: Some(m.version),
            ..Default::default()
        };
        if made.len() >= 9 {
            for (i, post) in ["deputy", "organization", "propaganda", "discipline"]
                .into_iter()
                .enumerate()
            {
                let m = members::find(db, &c, made[i + 1].0).await?;
                let mut f = keep(&m);
                f.post = Some(post.into());
                members::update(st, &c, m.id, f).await?;
            }
        }
        // A member lost, one flowing, one abroad (in the larger branches).
        if made.len() > 10 {
            let edit = |id: i64, f: members::FieldsInput| members::update(st, &c, id, f);
            for (k, id) in [
                made[made.len() - 3].0,
                made[made.len() - 4].0,
                made[made.len() - 5].0,
            ]
            .into_iter()
            .enumerate()
            {
                let m = members::find(db, &c, id).await?;
                let mut f = keep(&m);
                match k {
                    0 => {
                        f.lost_on = Some(day(ago(14)));
                        f.lost_note = Some("外出务工后更换联系方式，多次联系未果".into());
                    }
                    1 => {
                        f.flow_out = Some("浙江省宁波市".into());
                        f.flow_in_org = Some("宁波市北仑区流动党员党支部".into());
                    }
                    _ => f.abroad = Some("随子女在新加坡暂住".into()),
                }
                edit(id, f).await?;
            }
        }
        // The pipeline: non-members who applied, at each stage.
        let hopefuls: Vec<&resident::Model> = people
            .iter()
            .filter(|r| r.political != "party_member" && adult(r) && !taken.contains(&r.id))
            .skip(3)
            .step_by(7)
            .take(5)
            .collect();
        taken.extend(hopefuls.iter().map(|r| r.id));
        for (k, r) in hopefuls.iter().enumerate() {
            let stage = [
                "applicant",
                "applicant",
                "activist",
                "activist",
                "candidate",
            ][k];
            let m = members::create(
                st,
                &c,
                members::MemberInput {
                    resident_id: Some(r.id),
                    party_org_id: Some(b.id),
                    stage: "applicant".into(),
                    applied_on: day(ago(30 - k as u32 * 2)),
                    ..Default::default()
                },
            )
            .await?;
            if stage != "applicant" {
                members::step(
                    st,
                    &c,
                    m.id,
                    members::StepBody {
                        step: "advance".into(),
                        on: day(ago(26 - k as u32 * 2)),
                        approved_by: "支部委员会".into(),
                        ..Default::default()
                    },
                )
                .await?;
            }
            if stage == "candidate" {
                members::step(
                    st,
                    &c,
                    m.id,
                    members::StepBody {
                        step: "advance".into(),
                        on: day(ago(6)),
                        approved_by: "支部委员会".into(),
                        ..Default::default()
                    },
                )
                .await?;
            }
        }
        out.members += made.len() + hopefuls.len();
        // The community's party member account is one of its members.
        if let Some(a) = accounts
            .iter()
            .find(|a| a.org_path.starts_with(&b.org_path) && !linked.contains(&a.id))
            && let Some((id, _)) = made
                .iter()
                .skip(1)
                .find(|(_, r)| r.org_path.starts_with(&a.org_path))
        {
            let m = members::find(db, &c, *id).await?;
            let mut f = keep(&m);
            f.user_id = Some(Some(a.id));
            members::update(st, &c, m.id, f).await?;
            linked.insert(a.id);
            // The account is the member's: it bears the member's name.
            if let Some(r) = made.iter().find(|(mid, _)| *mid == m.id).map(|(_, r)| r) {
                crate::infra::db::exec(
                    db,
                    "UPDATE users SET display_name = $1 WHERE id = $2",
                    vec![r.name.clone().into(), a.id.into()],
                )
                .await?;
            }
        }
        // Households: members look after the households near them, about eight each; grid
        // workers take their grid's, but for one building in six; some households have neither.
        let homes = household::Entity::find()
            .filter(crate::infra::db::subtree(
                household::Column::OrgPath,
                &crate::infra::error::stored_path(&b.org_path)?,
            ))
            .filter(household::Column::Status.eq("active"))
            .order_by_asc(household::Column::OrgPath)
            .order_by_asc(household::Column::Id)
            .all(db)
            .await?;
        let full: Vec<(i64, &resident::Model)> = made
            .iter()
            .take(if firms {
                0
            } else {
                made.len().saturating_sub(2)
            })
            .map(|(id, r)| (*id, *r))
            .collect();
        let mut load: std::collections::HashMap<i64, usize> = std::collections::HashMap::new();
        for (hi, h) in homes.iter().enumerate() {
            if firms {
                break;
            }
            // Two branches of one village (the merged 党总支) share its households: each is
            // looked after once.
            if !homes_done.insert(h.id) {
                continue;
            }
            // The grid the household is in: its building's parent.
            let grid = wangge_core::OrgPath::parse(&h.org_path)
                .ok()
                .and_then(|p| p.parent())
                .map(|p| p.as_str().to_owned())
                .unwrap_or_default();
            let near = full
                .iter()
                .filter(|(_, r)| r.org_path.starts_with(&grid))
                .map(|(id, _)| *id)
                .min_by_key(|id| load.get(id).copied().unwrap_or(0))
                .filter(|id| load.get(id).copied().unwrap_or(0) < 9);
            if hi % 7 != 3
                && let Some(holder) = near
            {
                *load.entry(holder).or_default() += 1;
                links::link(
                    st,
                    &c,
                    links::LinkInput {
                        kind: "member".into(),
                        household_id: Some(h.id),
                        holder_id: Some(holder),
                    },
                )
                .await?;
                out.links += 1;
            }
            let worker = workers.iter().find(|w| h.org_path.starts_with(&w.org_path));
            if let Some(w) = worker
                && !firms
                && h.building_id % 6 != 1
            {
                links::link(
                    st,
                    &c,
                    links::LinkInput {
                        kind: "grid_worker".into(),
                        household_id: Some(h.id),
                        holder_id: Some(w.id),
                    },
                )
                .await?;
                out.links += 1;
            }
        }
        // 党员中心户: two plaqued, one being announced, one just nominated.
        for (k, (id, _)) in full.iter().take(if firms { 0 } else { 4 }).enumerate() {
            use crate::party::centers;
            let center = centers::nominate(
                st,
                &c,
                centers::NominateInput {
                    member_id: Some(*id),
                    on: day(if k < 2 {
                        today - chrono::Duration::days(90)
                    } else {
                        today - chrono::Duration::days(5)
                    }),
                    note: "热心邻里事务，住处便于周边住户联系".into(),
                },
            )
            .await?;
            let steps: &[(&str, i64, Option<i64>)] = match k {
                0 | 1 => &[
                    ("announce", 85, Some(79)),
                    ("file", 75, None),
                    ("plaque", 70, None),
                ],
                2 => &[("announce", 3, Some(-3))],
                _ => &[],
            };
            for (step, back, until) in steps {
                centers::step(
                    st,
                    &c,
                    center.id,
                    centers::StepInput {
                        step: (*step).into(),
                        on: day(today - chrono::Duration::days(*back)),
                        until: until
                            .map(|u| day(today - chrono::Duration::days(u)))
                            .unwrap_or_default(),
                        ..Default::default()
                    },
                )
                .await?;
            }
        }
        // A year of meetings. Branch 3 is behind: no 主题党日 in the last two months and no
        // 党员大会 last quarter. The first branch's last 党员大会 failed its quorum.
        let roll: Vec<i64> = made.iter().map(|m| m.0).collect();
        let behind = bi == 3;
        let has_committee = made.len() >= 9;
        let mut held = Vec::new();
        for m in (0..=11u32).rev() {
            let month_start = ago(m).with_day(1).unwrap_or(today);
            let on = |d: u32| month_start.with_day(d).filter(|x| *x <= today);
            if !(behind && m <= 2)
                && let Some(d) = on(1 + (bi as u32 % 5))
            {
                held.push(("theme_day", d, "主题党日：走访慰问困难群众"));
            }
            if has_committee && let Some(d) = on(8) {
                held.push(("committee", d, "支委会：研究本月工作"));
            }
            if month_start.month() % 3 == 0 && !(behind && m <= 3) {
                if let Some(d) = on(15) {
                    held.push(("general", d, "支部党员大会：通报季度工作"));
                }
                if let Some(d) = on(20) {
                    held.push(("lecture", d, "党课：学习党章"));
                }
            }
            if month_start.month() == 1 {
                if let Some(d) = on(18) {
                    held.push(("life_meeting", d, "年度组织生活会"));
                }
                if let Some(d) = on(19) {
                    held.push(("appraisal", d, "民主评议党员"));
                }
                if let Some(d) = on(10) {
                    held.push(("talk", d, "谈心谈话"));
                }
            }
        }
        let founded = b.founded_on.as_deref().and_then(members::date_of);
        let last_general = held.iter().rposition(|h| h.0 == "general");
        for (k, (kind, on, topic)) in held.iter().enumerate() {
            if founded.is_some_and(|f| *on < f) {
                continue;
            }
            let kind_is_general = *kind == "general";
            let failed = bi == 1 && Some(k) == last_general;
            let committee_roll: Vec<i64> = made.iter().take(5).map(|m| m.0).collect();
            let names = if *kind == "committee" {
                &committee_roll
            } else {
                &roll
            };
            let attendance = names
                .iter()
                .enumerate()
                .map(|(i, id)| meetings::AttendanceInput {
                    member_id: *id,
                    presence: if failed {
                        if i % 3 == 0 { "present" } else { "absent" }
                    } else if i % 9 == 4 {
                        "excused"
                    } else {
                        "present"
                    }
                    .into(),
                    ..Default::default()
                })
                .collect();
            let resolutions = if kind_is_general && (failed || k % 2 == 0) {
                let voters: Vec<i64> = names
                    .iter()
                    .enumerate()
                    .filter(|(i, _)| if failed { i % 3 == 0 } else { i % 9 != 4 })
                    .filter(|(i, _)| *i + 2 < names.len())
                    .map(|(_, id)| *id)
                    .collect();
                vec![meetings::ResolutionInput {
                    title: if failed {
                        "讨论村集体经济项目实施方案".into()
                    } else {
                        "通过本季度党费收缴和使用情况".into()
                    },
                    votes: voters
                        .into_iter()
                        .map(|id| meetings::VoteInput {
                            member_id: id,
                            choice: "yes".into(),
                        })
                        .collect(),
                    passed: None,
                }]
            } else {
                Vec::new()
            };
            meetings::record(
                st,
                &c,
                meetings::MeetingInput {
                    party_org_id: Some(b.id),
                    kind: (*kind).into(),
                    held_on: day(*on),
                    place: "党群服务中心".into(),
                    topic: (*topic).into(),
                    chair: "书记".into(),
                    recorder: "组织委员".into(),
                    minutes: format!("{topic}。到会党员认真讨论，形成会议记录。"),
                    attendance,
                    resolutions,
                    ..Default::default()
                },
            )
            .await?;
            out.meetings += 1;
        }
        // The groups meet monthly, but for the last month of the second group.
        for (gi, g) in groups.iter().enumerate() {
            let group_roll: Vec<i64> = made
                .iter()
                .filter(|(_, r)| r.org_path.starts_with(&g.org_path))
                .map(|m| m.0)
                .collect();
            for m in (0..=11u32).rev() {
                if gi == 1 && m <= 1 {
                    continue;
                }
                let Some(on) = ago(m).with_day(12).filter(|d| *d <= today) else {
                    continue;
                };
                meetings::record(
                    st,
                    &c,
                    meetings::MeetingInput {
                        party_org_id: Some(g.id),
                        kind: "group".into(),
                        held_on: day(on),
                        topic: "党小组会：学习讨论、分工联户".into(),
                        attendance: group_roll
                            .iter()
                            .map(|id| meetings::AttendanceInput {
                                member_id: *id,
                                presence: "present".into(),
                                ..Default::default()
                            })
                            .collect(),
                        ..Default::default()
                    },
                )
                .await?;
                out.meetings += 1;
            }
        }
    }
    shape(st).await?;
    out.wishes = super::wishes::generate(st).await?.wishes;
    super::serve::generate(st).await?;
    Ok(out)
}

/// The demo's record of each branch's last election (the committee or secretary its members
/// hold now, elected on the branch's election date by the rules), and the 联合支部's units with
/// the two members split off into it from the 两新 branch.
async fn shape(st: &crate::web::Base) -> AppResult<()> {
    use crate::party::entity::{party_member, party_org};
    use crate::party::shape::{self as sh, ElectedInput, ElectionInput, ReorgInput, UnitInput};
    use wangge_core::party::member::{Post, Stage};
    let db = &st.db;
    let c = Caller::cli();
    let branches = party_org::Entity::find()
        .filter(party_org::Column::Kind.eq("branch"))
        .filter(party_org::Column::Status.eq("active"))
        .order_by_asc(party_org::Column::Id)
        .all(db)
        .await?;
    for b in &branches {
        let Some(held) = b.elected_on.clone() else {
            continue;
        };
        let rows = party_member::Entity::find()
            .filter(party_member::Column::PartyOrgId.eq(b.id))
            .filter(party_member::Column::Status.eq("active"))
            .order_by_asc(party_member::Column::Id)
            .all(db)
            .await?;
        let entitled = rows
            .iter()
            .filter(|m| Stage::parse(&m.stage) == Some(Stage::Full))
            .count() as i64;
        let holders: Vec<(&party_member::Model, Post)> = rows
            .iter()
            .filter_map(|m| Some((m, m.post.as_deref().and_then(Post::parse)?)))
            .filter(|(m, p)| p.on_committee() && Stage::parse(&m.stage) == Some(Stage::Full))
            .collect();
        if entitled == 0 || !holders.iter().any(|(_, p)| *p == Post::Secretary) {
            continue;
        }
        // One away where the four-fifths rule allows it.
        let present = if entitled > 5 { entitled - 1 } else { entitled };
        let seats = holders.len() as i64;
        sh::record_election(
            st,
            &c,
            b.id,
            ElectionInput {
                kind: "regular".into(),
                held_on: held,
                entitled: Some(entitled),
                present: Some(present),
                seats: Some(seats),
                candidates: Some(i64::from(wangge_core::party::election::fewest_candidates(
                    u32::try_from(seats).unwrap_or(1),
                ))),
                elected: holders
                    .iter()
                    .enumerate()
                    .map(|(i, (m, p))| ElectedInput {
                        member_id: Some(m.id),
                        post: p.as_str().into(),
                        votes: Some(if entitled > 6 {
                            present - (i as i64 % 3)
                        } else {
                            present
                        }),
                    })
                    .collect(),
                approval_no: String::new(),
                note: "任期届满，党员大会选举产生新一届支部委员会".into(),
            },
        )
        .await?;
    }
    // 承诺践诺: this year's pledges of the members with accounts and of the first branch's
    // first members, some reported, a few reviewed.
    let today = crate::infra::clock::today();
    let linked = party_member::Entity::find()
        .filter(party_member::Column::Status.eq("active"))
        .filter(party_member::Column::Stage.eq("full"))
        .filter(
            sea_orm::Condition::any()
                .add(party_member::Column::UserId.is_not_null())
                .add(party_member::Column::PartyOrgId.eq(branches.first().map_or(0, |b| b.id))),
        )
        .order_by_asc(party_member::Column::Id)
        .all(db)
        .await?;
    // The members with accounts first: their own page shows their pledges.
    let mut linked = linked;
    linked.sort_by_key(|m| (m.user_id.is_none(), m.id));
    let said = [
        "每月走访联系的住户，独居老人每周问候一次",
        "带头做好楼道清理和垃圾分类，劝导乱堆乱放",
        "参加社区夜间巡逻，每月不少于两次",
        "为行动不便的老人代办医保、养老认证等事项",
    ];
    for (i, m) in linked.iter().take(12).enumerate() {
        for k in 0..(1 + i % 2) {
            let made = crate::party::pledges::create(
                st,
                &c,
                crate::party::pledges::PledgeInput {
                    member_id: Some(m.id),
                    year: None,
                    content: said[(i + k) % said.len()].into(),
                },
            )
            .await?;
            if (i + k) % 3 == 2 {
                continue;
            }
            let reported = crate::party::pledges::step(
                st,
                &c,
                made.id,
                false,
                crate::party::pledges::StepInput {
                    text: "已按承诺完成：走访、代办和巡逻的记录见走访台账".into(),
                    on: today.to_string(),
                    ..Default::default()
                },
            )
            .await?;
            if i % 3 == 0 {
                // Reviewed by the branch, as its secretary signs it.
                let mut reviewer = Caller::cli();
                if let Some(b) = party_org::Entity::find_by_id(m.party_org_id)
                    .one(db)
                    .await?
                {
                    reviewer.who.name = format!("{}（支部书记）", b.secretary);
                }
                crate::party::pledges::step(
                    st,
                    &reviewer,
                    reported.id,
                    true,
                    crate::party::pledges::StepInput {
                        text: "群众反映好".into(),
                        verdict: if k == 0 { "fulfilled" } else { "partly" }.into(),
                        on: today.to_string(),
                        version: None,
                    },
                )
                .await?;
            }
        }
    }
    // The 联合支部: its units, and two members split off into it from the 两新 branch.
    let Some(joint) = branches
        .iter()
        .find(|b| b.category.as_deref() == Some("joint"))
    else {
        return Ok(());
    };
    let joined = joint.founded_on.clone().unwrap_or_default();
    for (name, kind) in [
        ("河埠头餐饮有限公司", "企业"),
        ("清河沿河物业服务中心", "企业"),
        ("乐邻社工服务社", "社会组织"),
        ("河畔小商品市场", "企业"),
    ] {
        sh::add_unit(
            db,
            &c,
            joint.id,
            UnitInput {
                name: name.into(),
                kind: kind.into(),
                contact: String::new(),
                joined_on: joined.clone(),
            },
        )
        .await?;
    }
    let firms = branches
        .iter()
        .find(|b| b.category.as_deref() == Some("new_economy") && b.parent_id == joint.parent_id);
    if let Some(firms) = firms {
        let moving: Vec<i64> = party_member::Entity::find()
            .filter(party_member::Column::PartyOrgId.eq(firms.id))
            .filter(party_member::Column::Status.eq("active"))
            .filter(party_member::Column::Post.is_null())
            .filter(party_member::Column::Stage.is_in(["full", "probationary"]))
            .order_by_desc(party_member::Column::Id)
            .all(db)
            .await?
            .into_iter()
            .take(2)
            .map(|m| m.id)
            .collect();
        if !moving.is_empty() {
            sh::reorganize(
                db,
                &c,
                firms.id,
                ReorgInput {
                    kind: "split".into(),
                    to: Some(joint.id),
                    members: moving,
                    on: joined,
                    note: "沿河商户的党员转入新组建的联合支部".into(),
                    ..Default::default()
                },
            )
            .await?;
        }
    }
    Ok(())
}
