//! 党员中心户: a member's home that the households around it turn to — nominated, announced
//! (公示), filed (备案) once the announcement is over, and given its plaque (挂牌); revoked with a
//! reason. About one for every ten households of a grid.

use chrono::NaiveDate;

/// Where a 中心户 stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CenterStage {
    /// 已推荐.
    Nominated,
    /// 公示中.
    Announced,
    /// 已备案.
    Filed,
    /// 已挂牌.
    Plaqued,
    /// 已撤销.
    Revoked,
}

impl CenterStage {
    /// Every stage, in order.
    pub const ALL: [CenterStage; 5] = [
        CenterStage::Nominated,
        CenterStage::Announced,
        CenterStage::Filed,
        CenterStage::Plaqued,
        CenterStage::Revoked,
    ];

    /// The identifier stored.
    pub fn as_str(self) -> &'static str {
        match self {
            CenterStage::Nominated => "nominated",
            CenterStage::Announced => "announced",
            CenterStage::Filed => "filed",
            CenterStage::Plaqued => "plaqued",
            CenterStage::Revoked => "revoked",
        }
    }

    /// The Chinese name.
    pub fn label(self) -> &'static str {
        match self {
            CenterStage::Nominated => "已推荐",
            CenterStage::Announced => "公示中",
            CenterStage::Filed => "已备案",
            CenterStage::Plaqued => "已挂牌",
            CenterStage::Revoked => "已撤销",
        }
    }

    /// Parses the identifier.
    pub fn parse(s: &str) -> Option<CenterStage> {
        CenterStage::ALL
            .into_iter()
            .find(|x| x.as_str() == s.trim())
    }

    /// Whether the 中心户 counts on its grid (filed or plaqued).
    pub fn counts(self) -> bool {
        matches!(self, CenterStage::Filed | CenterStage::Plaqued)
    }
}

/// A step of a 中心户.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CenterStep {
    /// 公示, from a day until a day.
    Announce,
    /// 备案, after the announcement is over.
    File,
    /// 挂牌.
    Plaque,
    /// 撤销, with a reason.
    Revoke,
}

impl CenterStep {
    /// The identifier used in the API.
    pub fn as_str(self) -> &'static str {
        match self {
            CenterStep::Announce => "announce",
            CenterStep::File => "file",
            CenterStep::Plaque => "plaque",
            CenterStep::Revoke => "revoke",
        }
    }

    /// Parses the identifier.
    pub fn parse(s: &str) -> Option<CenterStep> {
        [
            CenterStep::Announce,
            CenterStep::File,
            CenterStep::Plaque,
            CenterStep::Revoke,
        ]
        .into_iter()
        .find(|x| x.as_str() == s.trim())
    }

    /// The Chinese name.
    pub fn label(self) -> &'static str {
        match self {
            CenterStep::Announce => "公示",
            CenterStep::File => "备案",
            CenterStep::Plaque => "挂牌",
            CenterStep::Revoke => "撤销",
        }
    }
}

/// The shortest announcement, in days (the first and the last day counted).
pub const ANNOUNCE_DAYS: i64 = 5;
/// About one 中心户 for this many households.
pub const HOUSEHOLDS_PER_CENTER: u64 = 10;

/// How many 中心户 a grid of `households` households is advised to have.
pub fn wanted(households: u64) -> u64 {
    households.div_ceil(HOUSEHOLDS_PER_CENTER)
}

/// Checks a step from `stage` (last changed on `since`, announced until `until`) on `on`;
/// says in Chinese why it cannot be taken, else where it leads.
pub fn check(
    stage: CenterStage,
    step: CenterStep,
    since: NaiveDate,
    announced_until: Option<NaiveDate>,
    on: NaiveDate,
    until: Option<NaiveDate>,
    today: NaiveDate,
) -> Result<CenterStage, String> {
    if on > today {
        return Err(format!("日期不能晚于今天（{today}）"));
    }
    if on < since {
        return Err(format!("日期不能早于上一步的日期（{since}）"));
    }
    let wrong = || format!("{}的中心户不能{}", stage.label(), step.label());
    match step {
        CenterStep::Announce => {
            if stage != CenterStage::Nominated {
                return Err(wrong());
            }
            let until = until.ok_or_else(|| "请填写公示截止日期".to_owned())?;
            if (until - on).num_days() + 1 < ANNOUNCE_DAYS {
                return Err(format!("公示期不少于 {ANNOUNCE_DAYS} 天"));
            }
            Ok(CenterStage::Announced)
        }
        CenterStep::File => {
            if stage != CenterStage::Announced {
                return Err(wrong());
            }
            if announced_until.is_some_and(|u| on <= u) {
                return Err(format!(
                    "公示至 {} 结束，期满后方可备案",
                    announced_until.map(|u| u.to_string()).unwrap_or_default()
                ));
            }
            Ok(CenterStage::Filed)
        }
        CenterStep::Plaque => {
            if stage != CenterStage::Filed {
                return Err(wrong());
            }
            Ok(CenterStage::Plaqued)
        }
        CenterStep::Revoke => {
            if stage == CenterStage::Revoked {
                return Err(wrong());
            }
            Ok(CenterStage::Revoked)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").expect("date")
    }

    #[test]
    fn a_center_is_announced_filed_and_plaqued_in_turn() {
        use CenterStage::*;
        use CenterStep::*;
        let today = d("2026-11-30");
        let since = d("2026-11-01");
        assert_eq!(
            check(
                Nominated,
                Announce,
                since,
                None,
                d("2026-11-02"),
                Some(d("2026-11-06")),
                today
            ),
            Ok(Announced)
        );
        // Four days is too short; no end date; not from a filed one.
        assert!(
            check(
                Nominated,
                Announce,
                since,
                None,
                d("2026-11-02"),
                Some(d("2026-11-05")),
                today
            )
            .expect_err("short")
            .contains("不少于 5 天")
        );
        assert!(
            check(
                Nominated,
                Announce,
                since,
                None,
                d("2026-11-02"),
                None,
                today
            )
            .is_err()
        );
        assert!(
            check(
                Filed,
                Announce,
                since,
                None,
                d("2026-11-02"),
                Some(d("2026-11-09")),
                today
            )
            .is_err()
        );
        // Filed only after the announcement.
        let e = check(
            Announced,
            File,
            since,
            Some(d("2026-11-06")),
            d("2026-11-06"),
            None,
            today,
        )
        .expect_err("early");
        assert!(e.contains("期满后"), "{e}");
        assert_eq!(
            check(
                Announced,
                File,
                since,
                Some(d("2026-11-06")),
                d("2026-11-07"),
                None,
                today
            ),
            Ok(Filed)
        );
        assert_eq!(
            check(Filed, Plaque, since, None, d("2026-11-10"), None, today),
            Ok(Plaqued)
        );
        assert!(check(Nominated, Plaque, since, None, d("2026-11-10"), None, today).is_err());
        assert_eq!(
            check(Plaqued, Revoke, since, None, d("2026-11-20"), None, today),
            Ok(Revoked)
        );
        assert!(check(Revoked, Revoke, since, None, d("2026-11-20"), None, today).is_err());
        // No date in the future or before the last step.
        assert!(check(Filed, Plaque, since, None, d("2026-12-01"), None, today).is_err());
        assert!(check(Filed, Plaque, since, None, d("2026-10-01"), None, today).is_err());
        assert!(Plaqued.counts() && Filed.counts() && !Announced.counts());
    }

    #[test]
    fn about_one_for_ten_households() {
        assert_eq!(wanted(0), 0);
        assert_eq!(wanted(10), 1);
        assert_eq!(wanted(11), 2);
        assert_eq!(wanted(326), 33);
    }

    #[test]
    fn names_round_trip_and_the_edges_of_the_dates_hold() {
        use CenterStage::*;
        use CenterStep::*;
        for s in CenterStage::ALL {
            assert_eq!(CenterStage::parse(s.as_str()), Some(s));
            assert!(!s.label().is_empty());
        }
        let labels: std::collections::HashSet<_> =
            CenterStage::ALL.iter().map(|s| s.label()).collect();
        assert_eq!(labels.len(), 5);
        assert_eq!(CenterStage::parse("plaqued"), Some(Plaqued));
        assert_eq!(CenterStage::parse("挂牌"), None);
        for s in [Announce, File, Plaque, Revoke] {
            assert_eq!(CenterStep::parse(s.as_str()), Some(s));
        }
        assert_eq!(CenterStep::parse("file"), Some(File));
        assert_eq!(CenterStep::parse("x"), None);
        assert_eq!(Announce.label(), "公示");
        assert_eq!(Revoke.label(), "撤销");
        // Today and the day of the last step are both allowed.
        let today = d("2026-11-30");
        assert_eq!(
            check(Filed, Plaque, today, None, today, None, today),
            Ok(Plaqued)
        );
        let e = check(Nominated, Plaque, today, None, today, None, today).expect_err("order");
        assert!(e.contains("已推荐的中心户不能挂牌"), "{e}");
    }
}
