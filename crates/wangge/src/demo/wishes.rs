//! The demo's 微心愿: at the first street's first community, last June's finished campaign (百名老党员、百个微心愿,
//! summarized) and a running one with wishes in every state — awaiting review, in the pool (one
//! back after a cancelled claim), claimed with and without contact (one past its limit),
//! fulfilled with a photo, refused, withdrawn — recorded by the grids' workers for their older
//! residents and claimed by the community's member accounts, branches and units. Everything
//! goes through the service, as the people would do it; and 红色代办 in the first member's
//! grid, asked by the resident and the grid worker, taken by that member; only the finished campaign's times are
//! moved back to June afterwards.

use crate::infra::audit::Who;
use crate::infra::clock::{from_bj, today};
use crate::infra::db::exec;
use crate::infra::error::AppResult;
use crate::org::entity::node;
use crate::party::entity::{party_member, party_org};
use crate::party::wishes::{
    self, CampaignInput, ClaimInput, ClaimStep, ClaimStepInput, FulfilInput, ReviewInput, WishInput,
};
use crate::people::entity::resident;
use crate::users::entity as user;
use crate::web::{Base, Caller};
use chrono::{Datelike, NaiveDate};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};
use wangge_core::Role;

/// What the wishes' demo made.
#[derive(Debug, Default)]
pub struct Made {
    pub wishes: usize,
    pub campaigns: usize,
    pub errands: usize,
}

pub(super) fn as_user(u: &user::Model, role: Role) -> Caller {
    Caller {
        who: Who {
            id: Some(u.id),
            name: u.username.clone(),
            ip: String::new(),
        },
        scope: None,
        role: Some(role),
    }
}

const ASKED: [(&str, &str, &str); 12] = [
    ("一台收音机", "独居老人，视力不好，想每天听新闻", "50_100"),
    ("陪同去医院复查", "子女在外地，行动不便", "service"),
    ("一副老花镜", "看不清药品说明书", "under_50"),
    ("冬天的棉被", "家里被子太薄，冬天怕冷", "100_200"),
    ("帮忙修理漏水的水龙头", "独居，不会修", "service"),
    ("一双防滑棉鞋", "冬天路滑，出门怕摔", "50_100"),
    ("学会用智能手机视频通话", "想和在外地的孙子视频", "service"),
    ("一个电暖器", "房子朝北，冬天很冷", "100_200"),
    ("一辆助行器", "腿脚不便，出门困难", "200_500"),
    ("理一次发", "行动不便，很久没理发", "service"),
    ("几本大字版书籍", "喜欢看书，字小看不清", "under_50"),
    ("一个血压计", "有高血压，需要每天测量", "100_200"),
];

/// A small photo (a PNG drawn here, stored without compression) to stand for a wish fulfilled.
pub(super) fn photo(seed: u8) -> Vec<u8> {
    fn crc(data: &[u8]) -> u32 {
        let mut c = 0xFFFF_FFFFu32;
        for &b in data {
            c ^= u32::from(b);
            for _ in 0..8 {
                c = if c & 1 == 1 {
                    0xEDB8_8320 ^ (c >> 1)
                } else {
                    c >> 1
                };
            }
        }
        !c
    }
    fn chunk(out: &mut Vec<u8>, kind: &[u8; 4], data: &[u8]) {
        out.extend_from_slice(&(data.len() as u32).to_be_bytes());
        let mut body = kind.to_vec();
        body.extend_from_slice(data);
        out.extend_from_slice(&body);
        out.extend_from_slice(&crc(&body).to_be_bytes());
    }
    let (w, h) = (160u32, 120u32);
    let mut raw = Vec::with_capacity(((w * 3 + 1) * h) as usize);
    for y in 0..h {
        raw.push(0);
        for x in 0..w {
            // A warm sky over a red band: the colours of a 红色 banner.
            let band = y > h * 2 / 3;
            let r = if band { 200 } else { 250 - (y as u8 / 2) };
            let g = if band { 30 } else { 200 - (x as u8 / 4) };
            let b = if band {
                40
            } else {
                120u8.wrapping_add(seed.wrapping_mul(17))
            };
            raw.extend_from_slice(&[r, g, b]);
        }
    }
    // zlib, stored blocks.
    let mut z = vec![0x78, 0x01];
    for (i, block) in raw.chunks(65_535).enumerate() {
        let last = (i + 1) * 65_535 >= raw.len();
        z.push(u8::from(last));
        let n = block.len() as u16;
        z.extend_from_slice(&n.to_le_bytes());
        z.extend_from_slice(&(!n).to_le_bytes());
        z.extend_from_slice(block);
    }
    let (mut a, mut b) = (1u32, 0u32);
    for &x in &raw {
        a = (a + u32::from(x)) % 65_521;
        b = (b + a) % 65_521;
    }
    z.extend_from_slice(&((b << 16) | a).to_be_bytes());
    let mut out = vec![0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A];
    let mut ihdr = Vec::new();
    ihdr.extend_from_slice(&w.to_be_bytes());
    ihdr.extend_from_slice(&h.to_be_bytes());
    ihdr.extend_from_slice(&[8, 2, 0, 0, 0]);
    chunk(&mut out, b"IHDR", &ihdr);
    chunk(&mut out, b"IDAT", &z);
    chunk(&mut out, b"IEND", &[]);
    out
}

/// The wishes of the first street.
pub async fn generate(st: &Base) -> AppResult<Made> {
    let db = &st.db;
    let mut made = Made::default();
    let today = today();
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
    // The wishes are of the first community (the demo's accounts work there); the street
    // runs the campaigns.
    let Some(first) = node::Entity::find()
        .filter(node::Column::Level.eq("community"))
        .filter(crate::infra::db::subtree(node::Column::Path, &under))
        .order_by_asc(node::Column::Code)
        .one(db)
        .await?
    else {
        return Ok(made);
    };
    let grids = node::Entity::find()
        .filter(node::Column::Level.eq("grid"))
        .filter(crate::infra::db::subtree(
            node::Column::Path,
            &crate::infra::error::stored_path(&first.path)?,
        ))
        .order_by_asc(node::Column::Code)
        .all(db)
        .await?;
    // The community's secretary reviews and claims for others; the street's command centre
    // runs the campaigns (the command line when the demo has no such account).
    let account = |role: Role, at: i64| {
        user::Entity::find()
            .filter(user::Column::Role.eq(role.as_str()))
            .filter(user::Column::OrgId.eq(at))
            .order_by_asc(user::Column::Id)
            .one(db)
    };
    let secretary = account(Role::CommunitySecretary, first.id)
        .await?
        .map_or_else(Caller::cli, |u| as_user(&u, Role::CommunitySecretary));
    let centre = account(Role::CommandCenter, street.id)
        .await?
        .map_or_else(Caller::cli, |u| as_user(&u, Role::CommandCenter));
    let workers = user::Entity::find()
        .filter(user::Column::Role.eq(Role::GridWorker.as_str()))
        .all(db)
        .await?;
    let member_accounts = user::Entity::find()
        .filter(user::Column::Role.eq(Role::PartyMember.as_str()))
        .filter(crate::infra::db::subtree(user::Column::OrgPath, &under))
        .order_by_asc(user::Column::Username)
        .all(db)
        .await?;
    // Only the member accounts linked to a member record claim as members.
    let mut claimers = Vec::new();
    for u in &member_accounts {
        let linked = party_member::Entity::find()
            .filter(party_member::Column::UserId.eq(u.id))
            .filter(party_member::Column::Status.eq("active"))
            .one(db)
            .await?
            .is_some();
        if linked {
            claimers.push(u.clone());
        }
    }
    // Members without accounts claim through their branch (老党员 most often).
    let by_branch = party_member::Entity::find()
        .filter(party_member::Column::Status.eq("active"))
        .filter(party_member::Column::Stage.eq("full"))
        .filter(party_member::Column::UserId.is_null())
        .filter(crate::infra::db::subtree(
            party_member::Column::OrgPath,
            &under,
        ))
        .order_by_asc(party_member::Column::Id)
        .all(db)
        .await?;
    let branches = party_org::Entity::find()
        .filter(party_org::Column::Kind.eq("branch"))
        .filter(party_org::Column::Status.eq("active"))
        .filter(crate::infra::db::subtree(
            party_org::Column::OrgPath,
            &under,
        ))
        .order_by_asc(party_org::Column::Id)
        .all(db)
        .await?;
    // The older residents of each grid, and its worker.
    let mut places = Vec::new();
    for g in &grids {
        let Some(worker) = workers.iter().find(|w| w.org_id == g.id) else {
            continue;
        };
        let at = crate::infra::error::stored_path(&g.path)?;
        let old: Vec<resident::Model> = resident::Entity::find()
            .filter(crate::infra::db::subtree(resident::Column::OrgPath, &at))
            .filter(resident::Column::Status.eq("active"))
            .filter(resident::Column::BirthDate.lt(format!("{}-01-01", today.year() - 70)))
            .order_by_asc(resident::Column::Id)
            .all(db)
            .await?;
        if !old.is_empty() {
            places.push((g, worker, old));
        }
    }
    if places.is_empty() {
        return Ok(made);
    }
    // Last June's campaign (this June's once it is over).
    let june_year = if (today.month(), today.day()) > (6, 25) {
        today.year()
    } else {
        today.year() - 1
    };
    let june = |d: u32| NaiveDate::from_ymd_opt(june_year, 6, d).unwrap_or(today);
    let finished = wishes::create_campaign(
        st,
        &centre,
        CampaignInput {
            org_node_id: Some(street.id),
            name: "百名老党员、百个微心愿".into(),
            starts_on: june(1).to_string(),
            ends_on: june(25).to_string(),
            target: Some(20),
            note: "新党员和老党员结对，走访困难群众，认领微心愿".into(),
            ..Default::default()
        },
    )
    .await?;
    let running = wishes::create_campaign(
        st,
        &centre,
        CampaignInput {
            org_node_id: Some(street.id),
            name: "冬日暖心微心愿".into(),
            starts_on: (today - chrono::Days::new(10)).to_string(),
            ends_on: (today + chrono::Days::new(20)).to_string(),
            target: Some(30),
            note: "为独居、高龄和困难老人送温暖".into(),
            ..Default::default()
        },
    )
    .await?;
    made.campaigns += 2;
    let mut asked = ASKED.iter().cycle();
    let mut person = 0usize;
    let mut next = |places: &[(&node::Model, &user::Model, Vec<resident::Model>)]| {
        let i = person % places.len();
        let (g, w, old) = &places[i];
        let r = &old[(person / places.len()) % old.len()];
        person += 1;
        ((*g).clone(), (*w).clone(), r.clone())
    };
    let claimer = |i: usize| claimers.get(i % claimers.len().max(1)).cloned();
    // What happens to each wish: 0 pending, 1 refused, 2 withdrawn, 3 open, 4 returned,
    // 5 claimed, 6 contacted, 7 overdue, 8 fulfilled.
    let plan: Vec<(Option<i64>, u8)> = std::iter::repeat_n((Some(finished.id), 8u8), 16)
        .chain([(Some(finished.id), 6)])
        .chain([
            (Some(running.id), 0),
            (Some(running.id), 0),
            (Some(running.id), 1),
            (Some(running.id), 2),
            (Some(running.id), 3),
            (Some(running.id), 3),
            (Some(running.id), 3),
            (Some(running.id), 4),
            (Some(running.id), 5),
            (Some(running.id), 6),
            (Some(running.id), 6),
            (Some(running.id), 7),
            (Some(running.id), 8),
            (Some(running.id), 8),
            (Some(running.id), 8),
            (None, 3),
            (None, 8),
        ])
        .collect();
    let mut finished_ids = Vec::new();
    for (n, (campaign, fate)) in plan.into_iter().enumerate() {
        let (_, worker, r) = next(&places);
        let (title, reason, band) = asked.next().copied().unwrap_or(ASKED[0]);
        let gw = as_user(&worker, Role::GridWorker);
        let w = wishes::create(
            st,
            &gw,
            WishInput {
                resident_id: Some(r.id),
                title: title.into(),
                reason: reason.into(),
                value_band: band.into(),
                shares: Some(if n % 7 == 3 { 2 } else { 1 }),
                campaign_id: campaign,
                ..Default::default()
            },
        )
        .await?;
        made.wishes += 1;
        if campaign == Some(finished.id) {
            finished_ids.push(w.id);
        }
        match fate {
            0 => continue,
            1 => {
                wishes::review(
                    st,
                    &secretary,
                    w.id,
                    ReviewInput {
                        approve: false,
                        note: "家庭条件较好，不属于帮扶对象".into(),
                        version: None,
                    },
                )
                .await?;
                continue;
            }
            _ => {}
        }
        wishes::review(
            st,
            &secretary,
            w.id,
            ReviewInput {
                approve: true,
                note: String::new(),
                version: None,
            },
        )
        .await?;
        if fate == 2 {
            wishes::withdraw(st, &gw, w.id, None).await?;
            continue;
        }
        if fate == 3 {
            continue;
        }
        // Claimed: by a member account, a branch or a unit, in turn; a wish of two shares by
        // a unit and a member.
        let shares = if n % 7 == 3 { 2 } else { 1 };
        let mut held = Vec::new();
        for s in 0..shares {
            let by = (n + s) % 4;
            let v = match (by, claimer(n + s)) {
                (0, Some(u)) => {
                    let c = as_user(&u, Role::PartyMember);
                    let v = wishes::claim(st, &c, w.id, ClaimInput::default()).await?;
                    held.push((c, v.claims.last().map(|x| x.id)));
                    continue;
                }
                (1, _) if !by_branch.is_empty() => ClaimInput {
                    on_behalf: "member".into(),
                    member_id: Some(by_branch[(n * 7) % by_branch.len()].id),
                    ..Default::default()
                },
                (2, _) if !branches.is_empty() => ClaimInput {
                    on_behalf: "branch".into(),
                    branch_id: Some(branches[n % branches.len()].id),
                    ..Default::default()
                },
                _ => ClaimInput {
                    on_behalf: "unit".into(),
                    unit_name: ["清河供电所", "河埠头卫生服务站", "清河中学", "沿河物业"][n % 4]
                        .into(),
                    ..Default::default()
                },
            };
            let v = wishes::claim(st, &secretary, w.id, v).await?;
            held.push((secretary.clone(), v.claims.last().map(|x| x.id)));
        }
        if fate == 4 {
            // Cancelled by its claimant: back in the pool, first in line.
            if let Some((c, Some(id))) = held.first() {
                wishes::claim_step(
                    st,
                    c,
                    *id,
                    if c.role == Some(Role::PartyMember) {
                        ClaimStep::Cancel
                    } else {
                        ClaimStep::Revoke
                    },
                    ClaimStepInput {
                        note: "临时外出，无法上门".into(),
                    },
                )
                .await?;
            }
            continue;
        }
        if fate == 5 {
            continue;
        }
        if fate == 7 {
            // Claimed ten days ago, no contact since: past its limit.
            let long_ago = from_bj(
                (today - chrono::Days::new(10))
                    .and_hms_opt(10, 0, 0)
                    .unwrap_or_default(),
            );
            exec(
                db,
                "UPDATE party_wish_claims SET claimed_at = $1, contact_due = $2 WHERE wish_id = $3",
                vec![
                    long_ago.into(),
                    (long_ago + 5 * 86_400_000).into(),
                    w.id.into(),
                ],
            )
            .await?;
            continue;
        }
        for (c, id) in &held {
            if let Some(id) = id {
                // A branch's or unit's claim is reported by the street for them.
                wishes::claim_step(
                    st,
                    c,
                    *id,
                    ClaimStep::Contact,
                    ClaimStepInput {
                        note: "已上门看望，了解具体需要".into(),
                    },
                )
                .await?;
            }
        }
        if fate == 6 {
            continue;
        }
        let file = wishes::store_photo(st, &gw, &photo(n as u8)).await?;
        wishes::fulfil(
            st,
            &gw,
            w.id,
            FulfilInput {
                note: "心愿已实现，老人很满意".into(),
                photo: file.unwrap_or_default(),
                version: None,
            },
        )
        .await?;
    }
    // The finished campaign happened in June: its times moved back there, then summarized.
    let at = |d: u32, h: u32| from_bj(june(d).and_hms_opt(h, 0, 0).unwrap_or_default());
    for (i, id) in finished_ids.iter().enumerate() {
        let d = 1 + (i as u32 % 20);
        exec(
            db,
            "UPDATE party_wishes SET created_at = $1, published_at = $2, \
             fulfilled_at = CASE WHEN fulfilled_at IS NULL THEN NULL ELSE $3 END WHERE id = $4",
            vec![
                at(d, 9).into(),
                at(d, 15).into(),
                at(d + 4, 16).into(),
                (*id).into(),
            ],
        )
        .await?;
        exec(
            db,
            "UPDATE party_wish_claims SET claimed_at = $1, contact_due = $2, \
             contacted_at = CASE WHEN contacted_at IS NULL THEN NULL ELSE $3 END, \
             ended_at = CASE WHEN ended_at IS NULL THEN NULL ELSE $4 END WHERE wish_id = $5",
            vec![
                at(d + 1, 10).into(),
                at(d + 8, 10).into(),
                at(d + 2, 10).into(),
                at(d + 4, 16).into(),
                (*id).into(),
            ],
        )
        .await?;
    }
    wishes::summarize(st, &centre, finished.id).await?;
    made.errands = errands(st, &places).await?;
    // 先锋岗 and 责任区 of the community's members without accounts, at its grids.
    let duties = [
        (
            "pioneer",
            "垃圾分类督导岗",
            "每天早晚在投放点督导分类，劝导乱扔",
        ),
        (
            "zone",
            "楼道环境责任区",
            "每周巡查楼道堆物和消防通道，发现问题报网格员",
        ),
        (
            "pioneer",
            "便民服务岗",
            "每周六上午在服务站帮老人代办、咨询",
        ),
        (
            "zone",
            "独居老人联系责任区",
            "每周上门或电话问候片区内独居老人",
        ),
    ];
    let since = (today - chrono::Days::new(90)).to_string();
    let ours: Vec<&party_member::Model> = by_branch
        .iter()
        .filter(|m| m.org_path.starts_with(&first.path))
        .collect();
    for (i, ((kind, title, duty), (grid, _, _))) in duties.iter().zip(places.iter()).enumerate() {
        let Some(m) = ours.get(i * 3) else { break };
        crate::party::posts::create(
            st,
            &secretary,
            crate::party::posts::PostInput {
                member_id: Some(m.id),
                kind: (*kind).into(),
                title: (*title).into(),
                duty: (*duty).into(),
                place_id: Some(grid.id),
                since: since.clone(),
            },
        )
        .await?;
    }
    Ok(made)
}

/// 红色代办 in the grid of the first member account: asked by the resident account and by
/// the grid's worker for older residents; one confirmed, one being done and one awaiting
/// confirmation by that member, the rest in the pool.
async fn errands(
    st: &Base,
    places: &[(&node::Model, &user::Model, Vec<resident::Model>)],
) -> AppResult<usize> {
    use crate::cases::service::{ActInput, act};
    use crate::party::errands::{Ask, ask};
    let db = &st.db;
    let cs = crate::cases::CasesState::of(st);
    let account = |name: &'static str| {
        user::Entity::find()
            .filter(user::Column::Username.eq(name))
            .one(db)
    };
    let (Some(member), Some(resident_acc)) =
        (account("dy-liuan").await?, account("jm-liuan").await?)
    else {
        return Ok(0);
    };
    let Some((grid, worker, _)) = places.iter().find(|(g, _, _)| g.id == member.org_id) else {
        return Ok(0);
    };
    let building = node::Entity::find()
        .filter(node::Column::ParentId.eq(grid.id))
        .filter(node::Column::Level.eq("building"))
        .order_by_asc(node::Column::Code)
        .one(db)
        .await?
        .map(|b| b.id);
    let who =
        |u: &user::Model| crate::auth::actor_of(u.clone(), crate::web::Via::Token { id: 0 }, "");
    let (dy, jm, gw) = (who(&member)?, who(&resident_acc)?, who(worker)?);
    let asked = [
        (
            &jm,
            "DB02",
            "帮忙预约下周二医院的号",
            "腿脚不便，想请人帮忙在医院预约下周二上午的号，复查血压",
            3,
        ),
        (
            &gw,
            "DB01",
            "代办高龄津贴认证",
            "独居老人不会用手机做高龄津贴认证，需要上门帮忙",
            2,
        ),
        (
            &gw,
            "DB03",
            "代购一周的米面油",
            "老人行动不便，想请人代买米、面、油，钱当面给",
            1,
        ),
        (
            &jm,
            "DB04",
            "帮忙缴纳水电费",
            "家里老人不会用手机缴费，想请人代缴这个月的水电费",
            0,
        ),
        (
            &gw,
            "DB02",
            "陪同去社区卫生服务站取药",
            "老人每月要取降压药，子女不在身边",
            0,
        ),
    ];
    let step = |action: &str, text: &str, version: i32| ActInput {
        action: action.into(),
        text: text.into(),
        version: Some(version),
        ..Default::default()
    };
    let mut n = 0;
    for (by, category, title, description, progress) in asked {
        let c = ask(
            st,
            by,
            Ask {
                category: category.into(),
                title: title.into(),
                description: description.into(),
                building_id: building,
                address: String::new(),
            },
        )
        .await?;
        n += 1;
        if progress == 0 {
            continue;
        }
        let c = act(&cs, &dy, c.id, step("take", "今天下午上门", c.version)).await?;
        if progress == 1 {
            continue;
        }
        let c = act(
            &cs,
            &dy,
            c.id,
            step("finish", "已办好，材料已交还本人", c.version),
        )
        .await?;
        if progress == 2 {
            continue;
        }
        let confirm = ActInput {
            passed: Some(true),
            ..step("confirm", "", c.version)
        };
        act(&cs, by, c.id, confirm).await?;
    }
    Ok(n)
}
