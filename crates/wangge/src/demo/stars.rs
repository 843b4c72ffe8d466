//! The first street's 五星支部: last year's review finished (the first community's branch with
//! all five stars, one branch held back by its gate, one star withdrawn during this year with
//! its reason), and this year's under way (a self-assessment being written with links to the
//! branch's meetings, one submitted, one in 公示 with an objection).

use crate::infra::clock::today;
use crate::infra::db::exec;
use crate::infra::error::{AppResult, stored_path};
use crate::org::entity::node;
use crate::party::entity::party_org;
use crate::party::stars::{self, AdoptInput, AssessInput, StartInput, StepInput};
use crate::users::entity as user;
use crate::web::{Base, Caller};
use chrono::Datelike;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};
use std::collections::BTreeMap;
use wangge_core::party::star::{SetKind, default_set};
use wangge_core::{Role, Scope};

/// What a branch writes of each star of the urban set.
const EVIDENCE: [(&str, &str); 5] = [
    (
        "strong",
        "支委会五人配齐，书记按时述职；全年召开支部党员大会、支委会和党课，主题党日每月一次；党员联户覆盖全部网格。",
    ),
    (
        "service",
        "群众诉求按时办结，回访满意；微心愿全部认领实现，红色代办常态开展。",
    ),
    (
        "safety",
        "矛盾纠纷在网格内调解，全年无群体性事件和重大安全事故。",
    ),
    (
        "joint",
        "六家驻区单位签订共驻共建协议，在职党员报到服务，共建项目按计划落地。",
    ),
    (
        "civility",
        "志愿服务队每周活动，小区环境整治常态化，文明楼道评比覆盖各楼栋。",
    ),
];

/// A caller bound to a node as the role there (the demo's accounts are bound without scope).
async fn at(st: &Base, n: &node::Model, role: Role) -> AppResult<Caller> {
    let u = user::Entity::find()
        .filter(user::Column::Role.eq(role.as_str()))
        .filter(user::Column::OrgId.eq(n.id))
        .order_by_asc(user::Column::Id)
        .one(&st.db)
        .await?;
    let mut c = match u {
        Some(u) => super::wishes::as_user(&u, role),
        None => Caller::cli(),
    };
    c.scope = Some(Scope::new(stored_path(&n.path)?));
    c.role = Some(role);
    Ok(c)
}

async fn assess_all(st: &Base, who: &Caller, id: i64, points: &[u32]) -> AppResult<()> {
    for ((key, text), p) in EVIDENCE.iter().zip(points) {
        stars::assess(
            st,
            who,
            id,
            key,
            AssessInput {
                points: Some(*p),
                text: (*text).into(),
                ..Default::default()
            },
        )
        .await?;
    }
    Ok(())
}

fn step_input(note: &str, points: &[u32]) -> StepInput {
    StepInput {
        note: note.into(),
        points: EVIDENCE
            .iter()
            .zip(points)
            .map(|((k, _), p)| ((*k).to_owned(), *p))
            .collect::<BTreeMap<_, _>>(),
        star: String::new(),
    }
}

/// Last year's and this year's reviews of the street's community branches.
pub async fn generate(st: &Base, street: &node::Model) -> AppResult<usize> {
    let db = &st.db;
    let centre = at(st, street, Role::CommandCenter).await?;
    let year = today().year();
    for y in [year - 1, year] {
        stars::adopt(
            st,
            &centre,
            AdoptInput {
                org_node_id: Some(street.id),
                year: Some(y),
                kind: SetKind::Urban.as_str().into(),
            },
        )
        .await?;
    }
    let branches = party_org::Entity::find()
        .filter(party_org::Column::Status.eq("active"))
        .filter(party_org::Column::Category.eq("community"))
        .filter(crate::infra::db::subtree(
            party_org::Column::OrgPath,
            &stored_path(&street.path)?,
        ))
        .order_by_asc(party_org::Column::OrgPath)
        .all(db)
        .await?;
    let mut sides = Vec::new();
    for b in &branches {
        if let Some(n) = node::Entity::find_by_id(b.org_node_id).one(db).await? {
            sides.push((
                n.code.clone(),
                b,
                at(st, &n, Role::CommunitySecretary).await?,
            ));
        }
    }
    // The communities in their order (the first community first).
    sides.sort_by(|a, b| a.0.cmp(&b.0));
    let sides: Vec<(&party_org::Model, Caller)> =
        sides.into_iter().map(|(_, b, c)| (b, c)).collect();
    debug_assert_eq!(default_set(SetKind::Urban).len(), EVIDENCE.len());
    // Last year: scored, published in January, awarded; one branch's gate failed.
    let scores: [[u32; 5]; 4] = [
        [95, 92, 90, 88, 93],
        [86, 85, 82, 70, 90],
        [70, 90, 88, 85, 84],
        [90, 88, 84, 86, 80],
    ];
    let mut reviews = 0;
    let mut last = Vec::new();
    for ((b, side), points) in sides.iter().zip(scores) {
        let r = stars::start(
            st,
            side,
            StartInput {
                party_org_id: Some(b.id),
                year: Some(year - 1),
            },
        )
        .await?;
        assess_all(st, side, r.id, &points.map(|p| (p + 3).min(100))).await?;
        stars::step(st, side, r.id, "submit", StepInput::default()).await?;
        stars::step(
            st,
            &centre,
            r.id,
            "score",
            step_input("经街道党工委评定", &points),
        )
        .await?;
        stars::step(st, &centre, r.id, "publish", StepInput::default()).await?;
        exec(
            db,
            "UPDATE star_reviews SET public_from = $1 WHERE id = $2",
            vec![format!("{year}-01-08").into(), r.id.into()],
        )
        .await?;
        stars::step(st, &centre, r.id, "award", StepInput::default()).await?;
        exec(
            db,
            "UPDATE star_reviews SET awarded_on = $1 WHERE id = $2",
            vec![format!("{year}-01-15").into(), r.id.into()],
        )
        .await?;
        last.push(r.id);
        reviews += 1;
    }
    // 摘星 this year: the fourth branch's 平安和谐星.
    if let Some(id) = last.get(3) {
        stars::step(
            st,
            &centre,
            *id,
            "withdraw",
            StepInput {
                note: "辖区发生一起群体性纠纷未能就地化解，不再符合“平安和谐星”的标准".into(),
                star: "safety".into(),
                ..Default::default()
            },
        )
        .await?;
        exec(
            db,
            "UPDATE star_withdrawals SET withdrawn_on = $1 WHERE review_id = $2",
            vec![format!("{year}-06-20").into(), (*id).into()],
        )
        .await?;
    }
    // This year: the first branch writing its self-assessment (two stars, with links to its
    // meetings), the second submitted, the third in 公示 with an objection.
    for (i, (b, side)) in sides.iter().take(3).enumerate() {
        let r = stars::start(
            st,
            side,
            StartInput {
                party_org_id: Some(b.id),
                year: Some(year),
            },
        )
        .await?;
        reviews += 1;
        if i == 0 {
            let own = stars::records(db, b, year).await?;
            for ((key, text), p) in EVIDENCE.iter().take(2).zip([92, 88]) {
                stars::assess(
                    st,
                    side,
                    r.id,
                    key,
                    AssessInput {
                        points: Some(p),
                        text: (*text).into(),
                        links: own.meetings.iter().take(3).map(|m| m.key.clone()).collect(),
                        ..Default::default()
                    },
                )
                .await?;
            }
            continue;
        }
        assess_all(st, side, r.id, &[90, 88, 86, 85, 84]).await?;
        stars::step(st, side, r.id, "submit", StepInput::default()).await?;
        if i == 2 {
            stars::step(
                st,
                &centre,
                r.id,
                "score",
                step_input("", &[88, 86, 84, 82, 81]),
            )
            .await?;
            stars::step(st, &centre, r.id, "publish", StepInput::default()).await?;
            exec(
                db,
                "UPDATE star_reviews SET public_from = $1 WHERE id = $2",
                vec![
                    (today() - chrono::Days::new(2)).to_string().into(),
                    r.id.into(),
                ],
            )
            .await?;
            stars::step(
                st,
                side,
                r.id,
                "object",
                StepInput {
                    note: "共建项目中有一项尚未完工，建议核实“共建共享星”的得分".into(),
                    ..Default::default()
                },
            )
            .await?;
        }
    }
    Ok(reviews)
}
