//! The monthly ranking of a node's children (the communities of a street, the grids of a
//! community) by a composite of outcome rates, built to be fair:
//!
//! - the composite is a weighted sum of the three rates (and, when the street adds it, the
//!   on-time rate) with integer weights in thousandths, computed and compared **exactly** as a
//!   fraction: two nodes at 33/50 tie, where floating point would put one at 0.66 and the other
//!   at 0.6599999999999999;
//! - ties are broken by a stated, deterministic order ([`RULE`]): the composite, then 满意率, then
//!   the rated cases (more first), then the node's code;
//! - a node with fewer rated cases than the minimum sample is listed, not ranked, and told why;
//! - 红榜 and 黑榜 take at most five each and at most half of the ranked nodes, so no node is on
//!   both when few are ranked.
//!
//! Nothing here counts log-ins, time online, check-ins, likes or forwards: only outcomes.

use crate::rates::RatingCounts;
use serde::Serialize;
use std::cmp::Ordering;

/// The stated order of a ranking, printed with it.
pub const RULE: &str = "按综合得分（精确计算，不四舍五入）从高到低排名；综合得分相同时依次比较满意率（高者在前）、已评价件数（多者在前）、节点编码（小者在前）。已评价件数少于最少样本的，列出但不排名。";

/// The weights of a ranking, in thousandths, and the minimum sample. The default is the
/// commonly cited 0.1 × 响应率 + 0.5 × 解决率 + 0.4 × 满意率 with 基本满意 counted at 0.9 — a
/// configurable default, not any city's official formula.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct RankWeights {
    /// The version (kept with every published ranking).
    pub version: u32,
    pub response: u32,
    pub resolution: u32,
    pub satisfaction: u32,
    /// The on-time rate (fed back within the handling limit ÷ cases due); 0 leaves it out.
    pub on_time: u32,
    /// How much a 基本满意 counts, in thousandths.
    pub basic_discount: u32,
    /// The fewest rated cases a node must have to be ranked.
    pub min_rated: u64,
}

impl Default for RankWeights {
    fn default() -> RankWeights {
        RankWeights {
            version: 1,
            response: 100,
            resolution: 500,
            satisfaction: 400,
            on_time: 0,
            basic_discount: 900,
            min_rated: 10,
        }
    }
}

impl RankWeights {
    /// Checks the weights: each within 0–1000 and together 1000; the discount within 0–1000;
    /// the minimum sample 1–1000.
    pub fn check(&self) -> Result<(), String> {
        let parts = [
            self.response,
            self.resolution,
            self.satisfaction,
            self.on_time,
        ];
        // Unsigned parts summing to 1000 (counted wide: no overflow) are each within 0–1000.
        if parts.iter().map(|p| u64::from(*p)).sum::<u64>() != 1000 {
            return Err("各项权重应在 0 至 1 之间，合计为 1".into());
        }
        if self.basic_discount > 1000 {
            return Err("“基本满意”的折算应在 0 至 1 之间".into());
        }
        if !(1..=1000).contains(&self.min_rated) {
            return Err("最少样本应为 1 至 1000 件".into());
        }
        Ok(())
    }
}

/// An exact non-negative fraction.
#[derive(Clone, Copy, Debug, Serialize)]
pub struct Ratio {
    pub num: u128,
    pub den: u128,
}

impl Ratio {
    /// `num / den`; `None` when `den` is zero.
    pub fn new(num: u128, den: u128) -> Option<Ratio> {
        (den > 0).then_some(Ratio { num, den })
    }

    /// As a percentage with one decimal, rounded half up exactly: `66.0`.
    pub fn percent(self) -> String {
        // Tenths of a percent, rounded half up: (num × 1000 × 2 + den) / (2 × den).
        let tenths = (self.num * 2000 + self.den) / (2 * self.den);
        format!("{}.{}", tenths / 10, tenths % 10)
    }
}

impl PartialEq for Ratio {
    fn eq(&self, other: &Ratio) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}

impl Eq for Ratio {}

impl PartialOrd for Ratio {
    fn partial_cmp(&self, other: &Ratio) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Ratio {
    fn cmp(&self, other: &Ratio) -> Ordering {
        (self.num * other.den).cmp(&(other.num * self.den))
    }
}

/// One child node as counted for a month.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Candidate {
    pub node_id: i64,
    pub code: String,
    pub name: String,
    /// Its rated cases (after the exclusions recorded for the month).
    pub counts: RatingCounts,
    /// Cases fed back within the handling limit, of those due.
    pub on_time: u64,
    pub due: u64,
    /// Cases of the month (the intake), and the residents, for the figure per 10,000.
    pub cases: u64,
    pub population: u64,
}

/// The satisfaction rate, exactly: (1000 × 满意 + d × 基本满意) ÷ (1000 × rated).
pub fn satisfaction(c: &RatingCounts, w: &RankWeights) -> Option<Ratio> {
    Ratio::new(
        1000 * u128::from(c.satisfied) + u128::from(w.basic_discount) * u128::from(c.basic),
        1000 * u128::from(c.rated),
    )
}

/// The composite score, exactly (a fraction of 1); `None` when nothing is rated, or when the
/// on-time rate is weighed and nothing was due.
pub fn composite(c: &Candidate, w: &RankWeights) -> Option<Ratio> {
    let n = u128::from(c.counts.rated);
    if n == 0 {
        return None;
    }
    // The three rates over a common denominator of 1,000,000 × n.
    let three = u128::from(w.response) * 1000 * u128::from(c.counts.contacted)
        + u128::from(w.resolution) * 1000 * u128::from(c.counts.solved)
        + u128::from(w.satisfaction)
            * (1000 * u128::from(c.counts.satisfied)
                + u128::from(w.basic_discount) * u128::from(c.counts.basic));
    if w.on_time == 0 {
        return Ratio::new(three, 1_000_000 * n);
    }
    let due = u128::from(c.due);
    if due == 0 {
        return None;
    }
    // + on_time × on / (1000 × due), over 1,000,000 × n × due.
    Ratio::new(
        three * due + u128::from(w.on_time) * u128::from(c.on_time) * 1000 * n,
        1_000_000 * n * due,
    )
}

/// One row of a ranking.
#[derive(Clone, Debug, Serialize)]
pub struct Row {
    pub node_id: i64,
    pub code: String,
    pub name: String,
    /// 1, 2, 3 … for the ranked; `None` for those not ranked.
    pub rank: Option<u32>,
    /// Why not ranked.
    pub not_ranked: Option<String>,
    /// Whether its composite equals that of a neighbour (the order between them is the rule's).
    pub tied: bool,
    pub rated: u64,
    pub composite: Option<Ratio>,
    pub response: Option<Ratio>,
    pub resolution: Option<Ratio>,
    pub satisfaction: Option<Ratio>,
    pub on_time: Option<Ratio>,
    pub cases: u64,
    pub population: u64,
    /// Cases per 10,000 residents.
    pub per_10k: Option<Ratio>,
}

/// The order of the ranked: composite, 满意率 (higher first), rated (more first), code.
fn order(a: &Row, b: &Row) -> Ordering {
    b.composite
        .cmp(&a.composite)
        .then_with(|| b.satisfaction.cmp(&a.satisfaction))
        .then_with(|| b.rated.cmp(&a.rated))
        .then_with(|| a.code.cmp(&b.code))
}

/// Ranks the candidates: the ranked first in the stated order, then those not ranked (by code),
/// each with why.
pub fn rank(candidates: &[Candidate], w: &RankWeights) -> Vec<Row> {
    let mut ranked = Vec::new();
    let mut not = Vec::new();
    for c in candidates {
        let counts = &c.counts;
        let n = u128::from(counts.rated);
        let row = Row {
            node_id: c.node_id,
            code: c.code.clone(),
            name: c.name.clone(),
            rank: None,
            not_ranked: None,
            tied: false,
            rated: counts.rated,
            composite: composite(c, w),
            response: Ratio::new(u128::from(counts.contacted), n),
            resolution: Ratio::new(u128::from(counts.solved), n),
            satisfaction: satisfaction(counts, w),
            on_time: Ratio::new(u128::from(c.on_time), u128::from(c.due)),
            cases: c.cases,
            population: c.population,
            per_10k: Ratio::new(u128::from(c.cases) * 10_000, u128::from(c.population)),
        };
        let why = if counts.rated < w.min_rated {
            Some(format!(
                "该月已评价 {} 件，少于最少样本 {} 件，不排名",
                counts.rated, w.min_rated
            ))
        } else if row.composite.is_none() {
            Some("该月没有到期的案件，算不出按时率，不排名".to_owned())
        } else {
            None
        };
        match why {
            Some(why) => not.push(Row {
                not_ranked: Some(why),
                ..row
            }),
            None => ranked.push(row),
        }
    }
    ranked.sort_by(order);
    let composites: Vec<Option<Ratio>> = ranked.iter().map(|r| r.composite).collect();
    for (i, r) in ranked.iter_mut().enumerate() {
        r.rank = u32::try_from(i + 1).ok();
        r.tied = (i > 0 && composites[i - 1] == composites[i])
            || composites.get(i + 1).is_some_and(|n| *n == composites[i]);
    }
    not.sort_by(|a, b| a.code.cmp(&b.code));
    ranked.extend(not);
    ranked
}

/// 红榜 and 黑榜: the first and the last of the ranked, at most `most` each and at most half of
/// the ranked (rounded down) each, so that no node is on both.
pub fn red_and_black(rows: &[Row], most: usize) -> (Vec<i64>, Vec<i64>) {
    let ranked: Vec<i64> = rows
        .iter()
        .filter(|r| r.rank.is_some())
        .map(|r| r.node_id)
        .collect();
    let k = most.min(ranked.len() / 2);
    let red = ranked.iter().take(k).copied().collect();
    let black = ranked.iter().rev().take(k).copied().collect();
    (red, black)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cand(
        id: i64,
        code: &str,
        rated: u64,
        contacted: u64,
        solved: u64,
        sat: u64,
        basic: u64,
    ) -> Candidate {
        Candidate {
            node_id: id,
            code: code.into(),
            name: code.into(),
            counts: RatingCounts {
                rated,
                contacted,
                solved,
                satisfied: sat,
                basic,
            },
            ..Default::default()
        }
    }

    #[test]
    fn the_default_weights_are_valid_and_checked() {
        assert!(RankWeights::default().check().is_ok());
        let mut w = RankWeights {
            on_time: 100,
            ..RankWeights::default()
        };
        assert!(w.check().expect_err("1.1").contains("合计为 1"));
        w.resolution = 400;
        assert!(w.check().is_ok());
        w.basic_discount = 1001;
        assert!(w.check().is_err());
        let w = RankWeights {
            min_rated: 0,
            ..RankWeights::default()
        };
        assert!(w.check().expect_err("sample").contains("最少样本"));
    }

    #[test]
    fn two_nodes_at_33_of_50_tie_exactly() {
        let w = RankWeights {
            min_rated: 1,
            ..RankWeights::default()
        };
        let a = cand(1, "a", 50, 33, 33, 33, 0);
        let b = cand(2, "b", 100, 66, 66, 66, 0);
        let (ca, cb) = (composite(&a, &w).expect("a"), composite(&b, &w).expect("b"));
        assert_eq!(ca, cb, "33/50 = 66/100");
        assert_eq!(ca.percent(), "66.0");
        // What floating point would have done with the same weights.
        let float = |n: f64, k: f64| 0.1 * (k / n) + 0.5 * (k / n) + 0.4 * (k / n);
        let (fa, fb) = (float(50.0, 33.0), float(100.0, 66.0));
        assert!((fa - 0.66).abs() < 1e-12 && (fb - 0.66).abs() < 1e-12);
        let rows = rank(&[a, b], &w);
        // The tie is broken by the rule: the same 满意率, then more rated cases first.
        assert_eq!(
            rows.iter()
                .map(|r| (r.node_id, r.rank, r.tied))
                .collect::<Vec<_>>(),
            vec![(2, Some(1), true), (1, Some(2), true)]
        );
    }

    #[test]
    fn the_rule_breaks_ties_by_satisfaction_then_rated_then_code() {
        let w = RankWeights {
            min_rated: 1,
            ..RankWeights::default()
        };
        // In thousandths: 100 × contacted/n + 500 × solved/n + 400 × (satisfied + 0.9 basic)/n.
        let z = cand(1, "z", 10, 10, 4, 6, 1); // 100 + 200 + 276 = 576, the best
        let a = cand(2, "a", 10, 0, 4, 9, 0); // 0 + 200 + 360 = 560, 满意率 0.9
        let b = cand(3, "b", 20, 20, 12, 8, 0); // 100 + 300 + 160 = 560, 满意率 0.4, 20 rated
        let x = cand(4, "x", 10, 10, 6, 4, 0); // 100 + 300 + 160 = 560, 满意率 0.4, 10 rated
        let y = cand(5, "y", 10, 0, 8, 4, 0); // 0 + 400 + 160 = 560, 满意率 0.4, 10 rated
        let rows = rank(&[y, x, b, a, z], &w);
        assert_eq!(
            rows.iter().map(|r| r.node_id).collect::<Vec<_>>(),
            vec![1, 2, 3, 4, 5],
            "composite, then 满意率, then rated, then code"
        );
        assert_eq!(
            rows.iter().map(|r| r.tied).collect::<Vec<_>>(),
            vec![false, true, true, true, true]
        );
        assert_eq!(
            rows[1].composite.map(Ratio::percent).as_deref(),
            Some("56.0")
        );
    }

    #[test]
    fn the_order_does_not_depend_on_the_input_order() {
        let w = RankWeights {
            min_rated: 3,
            ..RankWeights::default()
        };
        let cands: Vec<Candidate> = (0..30)
            .map(|i| {
                let k = u64::try_from(i).expect("small");
                let n = 1 + k % 7;
                cand(
                    i,
                    &format!("{:03}", (i * 37) % 101),
                    n,
                    n / 2,
                    (k * 5) % (n + 1),
                    n / 3,
                    n % 2,
                )
            })
            .collect();
        let first: Vec<i64> = rank(&cands, &w).iter().map(|r| r.node_id).collect();
        let mut rev = cands.clone();
        rev.reverse();
        let second: Vec<i64> = rank(&rev, &w).iter().map(|r| r.node_id).collect();
        assert_eq!(first, second);
    }

    #[test]
    fn a_node_under_the_minimum_sample_is_listed_not_ranked() {
        let w = RankWeights::default();
        let rows = rank(
            &[
                cand(1, "a", 9, 9, 9, 9, 0),
                cand(2, "b", 10, 5, 5, 5, 0),
                cand(3, "c", 0, 0, 0, 0, 0),
            ],
            &w,
        );
        assert_eq!(rows[0].node_id, 2);
        assert_eq!(rows[0].rank, Some(1));
        assert_eq!(rows[1].rank, None);
        assert!(
            rows[1]
                .not_ranked
                .as_deref()
                .is_some_and(|w| w.contains("少于最少样本 10 件"))
        );
        assert!(rows[2].composite.is_none(), "nothing rated: no score");
    }

    #[test]
    fn the_on_time_rate_joins_when_weighed_and_a_node_with_nothing_due_is_not_ranked() {
        let w = RankWeights {
            response: 100,
            resolution: 400,
            satisfaction: 400,
            on_time: 100,
            min_rated: 1,
            ..RankWeights::default()
        };
        let mut a = cand(1, "a", 10, 10, 10, 10, 0);
        a.on_time = 5;
        a.due = 10;
        let c = composite(&a, &w).expect("a");
        assert_eq!(
            c,
            Ratio::new(95, 100).expect("0.95"),
            "0.1 + 0.4 + 0.4 + 0.1 × 0.5"
        );
        let b = cand(2, "b", 10, 10, 10, 10, 0);
        let rows = rank(&[a, b], &w);
        assert!(
            rows[1]
                .not_ranked
                .as_deref()
                .is_some_and(|w| w.contains("按时率"))
        );
    }

    #[test]
    fn red_and_black_never_share_a_node() {
        let w = RankWeights {
            min_rated: 1,
            ..RankWeights::default()
        };
        for n in 0..14 {
            let cands: Vec<Candidate> = (0..n)
                .map(|i| {
                    cand(
                        i,
                        &format!("{i:02}"),
                        10,
                        10,
                        u64::try_from(i % 10).expect("small"),
                        5,
                        0,
                    )
                })
                .collect();
            let rows = rank(&cands, &w);
            let (red, black) = red_and_black(&rows, 5);
            assert!(red.len() <= 5 && black.len() <= 5);
            assert!(
                red.iter().all(|r| !black.contains(r)),
                "{n}: {red:?} {black:?}"
            );
            assert_eq!(red.len(), (n as usize / 2).min(5));
        }
    }

    #[test]
    fn the_parts_are_exact() {
        let r = |n, d| Ratio::new(n, d).expect("ratio");
        assert!(r(1, 3) < r(1, 2) && r(2, 4) == r(1, 2) && r(3, 4) > r(2, 3));
        let w = RankWeights::default();
        let c = RatingCounts {
            rated: 10,
            contacted: 9,
            solved: 7,
            satisfied: 4,
            basic: 1,
        };
        assert_eq!(satisfaction(&c, &w), Some(r(49, 100)), "(4 + 0.9) / 10");
        let mut x = cand(1, "x", 10, 9, 7, 4, 1);
        x.cases = 3;
        x.population = 20_000;
        let rows = rank(&[x], &RankWeights { min_rated: 1, ..w });
        assert_eq!(
            rows[0].per_10k,
            Some(r(3, 2)),
            "3 in 20,000 is 1.5 per 10,000"
        );
        // (100 × 9 + 500 × 7 + 400 × 4.9) / 1000 = 0.636
        assert_eq!(rows[0].composite, Some(r(636, 1000)));
        let whole = RankWeights {
            basic_discount: 1000,
            ..RankWeights::default()
        };
        assert!(whole.check().is_ok(), "a 基本满意 may count whole");
        let wrapping = RankWeights {
            response: u32::MAX,
            resolution: 1001,
            satisfaction: 0,
            on_time: 0,
            ..RankWeights::default()
        };
        assert!(wrapping.check().is_err(), "no overflow to 1000");
    }

    #[test]
    fn distinct_scores_are_not_tied() {
        let w = RankWeights {
            min_rated: 1,
            ..RankWeights::default()
        };
        let rows = rank(
            &[
                cand(1, "a", 10, 10, 9, 9, 0),
                cand(2, "b", 10, 10, 8, 8, 0),
                cand(3, "c", 10, 10, 7, 7, 0),
            ],
            &w,
        );
        assert_eq!(
            rows.iter().map(|r| (r.node_id, r.tied)).collect::<Vec<_>>(),
            vec![(1, false), (2, false), (3, false)]
        );
    }

    #[test]
    fn percentages_round_half_up_exactly() {
        assert_eq!(Ratio::new(2, 3).expect("r").percent(), "66.7");
        assert_eq!(Ratio::new(1, 8).expect("r").percent(), "12.5");
        assert_eq!(Ratio::new(1, 16).expect("r").percent(), "6.3", "6.25 up");
        assert_eq!(Ratio::new(0, 5).expect("r").percent(), "0.0");
        assert_eq!(Ratio::new(5, 5).expect("r").percent(), "100.0");
        assert!(Ratio::new(1, 0).is_none());
    }
}
