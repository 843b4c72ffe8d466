//! The appeal loop's states and ratings, as the figures name them. The loop itself is a flow
//! of the case engine ([`crate::flow::appeal`]); these types are its states by name, for the
//! code that counts them (the rates, the dashboards).

use serde::{Deserialize, Serialize};

/// Where a case stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// 待受理: reported, waiting to be screened.
    Reported,
    /// 待派遣: accepted (or returned), waiting to be dispatched.
    Accepted,
    /// 待签收: dispatched, waiting for the assignee to take it.
    Dispatched,
    /// 处置中: taken, being handled (or sent back for rework).
    Handling,
    /// 待核查: the assignee fed back a result.
    FedBack,
    /// 待评价: verified on site, waiting for the reporter's rating or a return visit.
    Verified,
    /// 已结案.
    Closed,
    /// 不予受理.
    Rejected,
    /// 已撤回 by the reporter.
    Withdrawn,
    /// 已合并 into another case.
    Merged,
}

impl Status {
    /// Every status, in the order of the loop.
    pub const ALL: [Status; 10] = [
        Status::Reported,
        Status::Accepted,
        Status::Dispatched,
        Status::Handling,
        Status::FedBack,
        Status::Verified,
        Status::Closed,
        Status::Rejected,
        Status::Withdrawn,
        Status::Merged,
    ];

    /// The stored identifier.
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Reported => "reported",
            Status::Accepted => "accepted",
            Status::Dispatched => "dispatched",
            Status::Handling => "handling",
            Status::FedBack => "fed_back",
            Status::Verified => "verified",
            Status::Closed => "closed",
            Status::Rejected => "rejected",
            Status::Withdrawn => "withdrawn",
            Status::Merged => "merged",
        }
    }

    /// Parses the stored identifier.
    pub fn parse(s: &str) -> Option<Status> {
        Status::ALL.into_iter().find(|x| x.as_str() == s)
    }

    /// The Chinese name.
    pub fn label(self) -> &'static str {
        match self {
            Status::Reported => "待受理",
            Status::Accepted => "待派遣",
            Status::Dispatched => "待签收",
            Status::Handling => "处置中",
            Status::FedBack => "待核查",
            Status::Verified => "待评价",
            Status::Closed => "已结案",
            Status::Rejected => "不予受理",
            Status::Withdrawn => "已撤回",
            Status::Merged => "已合并",
        }
    }

    /// Whether nothing more happens to the case.
    pub fn is_final(self) -> bool {
        matches!(
            self,
            Status::Closed | Status::Rejected | Status::Withdrawn | Status::Merged
        )
    }
}

/// The reporter's verdict (回访/评价).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Satisfaction {
    /// 满意.
    Satisfied,
    /// 基本满意.
    Basic,
    /// 不满意.
    Dissatisfied,
}

/// The longest extension one request may ask for, in working days (12345 practice allows
/// one extension of up to about two working weeks).
pub const MAX_EXTENSION_DAYS: u32 = 10;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_states_are_the_appeal_flows() {
        let flow = &crate::flow::appeal::FLOW;
        assert_eq!(flow.states.len(), Status::ALL.len());
        for (s, f) in Status::ALL.into_iter().zip(flow.states) {
            assert_eq!(
                (s.as_str(), s.label(), s.is_final()),
                (f.id, f.label, f.done)
            );
            assert_eq!(Status::parse(s.as_str()), Some(s));
        }
        assert_eq!(Status::parse("nonsense"), None);
    }
}
