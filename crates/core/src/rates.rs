//! How well a place handles its cases: the three rates (三率) and the deadline lights.
//!
//! By default the rates follow Beijing's 接诉即办 practice, computed over the *rated* cases
//! (those with a reporter's rating or a recorded return visit, 回访):
//!
//! - 响应率 (response) = cases whose handler contacted the reporter ÷ rated cases
//! - 解决率 (resolution) = cases the reporter says are solved ÷ rated cases
//! - 满意率 (satisfaction) = (满意 + d × 基本满意) ÷ rated cases, with d = 0.9 by default
//!
//! A rate with no rated case is `None` (shown as "—"), never 0 % or 100 %. The discount `d`
//! is configurable and versioned ([`Weights`]), so a figure can always say how it was computed.
//! On-time rates are over every dispatched case: acknowledged (签收) within the response limit
//! ÷ dispatched, and fed back within the handling limit ÷ dispatched cases whose handling
//! limit has passed or that were fed back.

use crate::case::Satisfaction;
use serde::Serialize;

/// The configurable part of the formulas.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct Weights {
    /// Which version of the weights this is (kept with every published figure).
    pub version: u32,
    /// How much a 基本满意 counts in the satisfaction rate (0 to 1).
    pub basic_discount: f64,
}

impl Default for Weights {
    fn default() -> Weights {
        Weights {
            version: 1,
            basic_discount: 0.9,
        }
    }
}

/// One rated case.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Rating {
    /// 是否联系.
    pub contacted: bool,
    /// 是否解决.
    pub solved: bool,
    /// 满意 / 基本满意 / 不满意.
    pub satisfaction: Satisfaction,
}

/// The three rates, as fractions from 0 to 1.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct ThreeRates {
    /// How many rated cases they are computed over.
    pub rated: u64,
    /// 响应率.
    pub response: Option<f64>,
    /// 解决率.
    pub resolution: Option<f64>,
    /// 满意率.
    pub satisfaction: Option<f64>,
    /// The weights' version.
    pub weights_version: u32,
}

/// Counts over rated cases, as a database aggregate returns them.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct RatingCounts {
    /// Rated cases (the denominator of all three rates).
    pub rated: u64,
    /// Of which the handler contacted the reporter.
    pub contacted: u64,
    /// Of which the reporter says the problem is solved.
    pub solved: u64,
    /// Of which 满意.
    pub satisfied: u64,
    /// Of which 基本满意.
    pub basic: u64,
}

/// Computes the three rates over rated cases.
pub fn three_rates<'a>(ratings: impl IntoIterator<Item = &'a Rating>, w: &Weights) -> ThreeRates {
    let mut c = RatingCounts::default();
    for r in ratings {
        c.rated += 1;
        c.contacted += u64::from(r.contacted);
        c.solved += u64::from(r.solved);
        match r.satisfaction {
            Satisfaction::Satisfied => c.satisfied += 1,
            Satisfaction::Basic => c.basic += 1,
            Satisfaction::Dissatisfied => {}
        }
    }
    rates_from_counts(&c, w)
}

/// Computes the three rates from counts.
pub fn rates_from_counts(c: &RatingCounts, w: &Weights) -> ThreeRates {
    let n = c.rated;
    let ratio = |x: f64| if n == 0 { None } else { Some(x / n as f64) };
    ThreeRates {
        rated: n,
        response: ratio(c.contacted as f64),
        resolution: ratio(c.solved as f64),
        satisfaction: ratio(c.satisfied as f64 + w.basic_discount.clamp(0.0, 1.0) * c.basic as f64),
        weights_version: w.version,
    }
}

/// A share as a fraction, `None` when the denominator is zero.
pub fn share(part: u64, whole: u64) -> Option<f64> {
    (whole > 0).then(|| part as f64 / whole as f64)
}

/// A deadline light.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Light {
    /// Time enough.
    Green,
    /// Most of the time used (by default 80 %).
    Yellow,
    /// Overdue.
    Red,
}

/// The light for a limit of `limit` working minutes of which `used` are gone; yellow from
/// `yellow_at` (a fraction, 0.8 by default in 12345 practice).
pub fn light(used: i64, limit: i64, yellow_at: f64) -> Light {
    if limit <= 0 || used > limit {
        Light::Red
    } else if used as f64 >= yellow_at * limit as f64 {
        Light::Yellow
    } else {
        Light::Green
    }
}

/// A rate as the UI shows it: `93.5%`, or `—` when there is nothing to count.
pub fn percent(rate: Option<f64>) -> String {
    match rate {
        Some(r) => format!("{:.1}%", r * 100.0),
        None => "—".to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_share_is_the_part_over_the_whole_and_nothing_of_nothing() {
        assert_eq!(share(0, 0), None);
        assert_eq!(share(3, 0), None);
        assert_eq!(share(0, 5), Some(0.0));
        assert_eq!(share(1, 4), Some(0.25));
        assert_eq!(share(3, 3), Some(1.0));
        assert_eq!(share(2, 1), Some(2.0));
        assert_eq!(share(1, 1), Some(1.0));
    }

    fn r(contacted: bool, solved: bool, satisfaction: Satisfaction) -> Rating {
        Rating {
            contacted,
            solved,
            satisfaction,
        }
    }

    #[test]
    fn the_three_rates_follow_the_formulas() {
        let ratings = [
            r(true, true, Satisfaction::Satisfied),
            r(true, true, Satisfaction::Basic),
            r(true, false, Satisfaction::Dissatisfied),
            r(false, true, Satisfaction::Basic),
        ];
        let x = three_rates(&ratings, &Weights::default());
        assert_eq!(x.rated, 4);
        assert_eq!(x.response, Some(0.75));
        assert_eq!(x.resolution, Some(0.75));
        let sat = x.satisfaction.expect("rate");
        assert!((sat - (1.0 + 0.9 * 2.0) / 4.0).abs() < 1e-12);
        let strict = three_rates(
            &ratings,
            &Weights {
                version: 2,
                basic_discount: 0.0,
            },
        );
        assert_eq!(
            (strict.satisfaction, strict.weights_version),
            (Some(0.25), 2)
        );
        assert_eq!(percent(x.satisfaction), "70.0%");
    }

    #[test]
    fn nothing_rated_is_no_rate_not_zero() {
        let x = three_rates(&[], &Weights::default());
        assert_eq!((x.rated, x.response, x.satisfaction), (0, None, None));
        assert_eq!(percent(x.response), "—");
    }

    #[test]
    fn lights() {
        assert_eq!(light(0, 420, 0.8), Light::Green);
        assert_eq!(light(335, 420, 0.8), Light::Green);
        assert_eq!(light(336, 420, 0.8), Light::Yellow);
        assert_eq!(
            light(420, 420, 0.8),
            Light::Yellow,
            "due now is not yet late"
        );
        assert_eq!(light(421, 420, 0.8), Light::Red);
        assert_eq!(light(0, 0, 0.8), Light::Red);
    }
}
