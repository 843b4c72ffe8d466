//! The numbers that press slow cases (the config file's `[pressing]` table): when to remind,
//! when to urge (催办) and when to supervise (督办), in working days.

/// The pressing rules.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Rules {
    /// Remind when this share of the handling time is used (0.8).
    pub yellow_at: f64,
    /// 催办 when the deadline has passed by this many working days (1).
    pub urge_after_days: u32,
    /// Automatic 督办 when overdue by this many working days (5).
    pub supervise_after_days: u32,
    /// How often the job runs, in seconds (60).
    pub interval_secs: u64,
}

impl Default for Rules {
    fn default() -> Rules {
        Rules {
            yellow_at: 0.8,
            urge_after_days: 1,
            supervise_after_days: 5,
            interval_secs: 60,
        }
    }
}
