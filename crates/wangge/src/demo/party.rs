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
