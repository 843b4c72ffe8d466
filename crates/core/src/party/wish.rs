//! 微心愿: a needy resident's small wish, recorded by a grid worker or a member, reviewed and
//! published, claimed by members, branches, units or volunteers (one claimant, or several
//! sharing it), and fulfilled — confirmed by the beneficiary or their grid worker. Campaigns
//! (专项行动, e.g. 百名老党员、百个微心愿 from 6/1 to 6/25) gather wishes in a window with a
//! target, and their summary prints the figures the reports print.
//!
//! The beneficiary is a person: until someone has claimed the wish, anyone but staff sees the
//! surname alone ([`masked_name`]), and nobody outside sees the room.

use crate::worktime::{Calendar, Limit};
use chrono::{NaiveDate, NaiveDateTime};

/// The most shares one wish is split into.
pub const MAX_SHARES: i32 = 10;

/// Working days a claimant has to make contact, unless the street sets another number.
pub const CONTACT_DAYS: u32 = 7;

/// Working days after the reminder before an uncontacted claim is released.
pub const RELEASE_GRACE_DAYS: u32 = 2;

macro_rules! labelled {
    ($(#[$m:meta])* $name:ident { $($(#[$vm:meta])* $v:ident = $id:literal, $label:literal;)* }) => {
        $(#[$m])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        pub enum $name { $($(#[$vm])* $v,)* }

        impl $name {
            /// Every value, in the order the UI lists them.
            pub const ALL: &'static [$name] = &[$($name::$v,)*];

            /// The identifier stored and used in the API.
            pub fn as_str(self) -> &'static str {
                match self { $($name::$v => $id,)* }
            }

            /// The Chinese name.
            pub fn label(self) -> &'static str {
                match self { $($name::$v => $label,)* }
            }

            /// Parses the identifier or the Chinese name.
            pub fn parse(s: &str) -> Option<$name> {
                let s = s.trim();
                $name::ALL.iter().copied().find(|v| v.as_str() == s || v.label() == s)
            }
        }
    };
}

labelled! {
    /// Where a wish stands.
    Status {
        /// 待审核: recorded, not yet published.
        Pending = "pending", "待审核";
        /// 待认领: published, shares free.
        Open = "open", "待认领";
        /// 已认领: every share taken.
        Claimed = "claimed", "已认领";
        /// 已实现: fulfilled and confirmed.
        Fulfilled = "fulfilled", "已实现";
        /// 未通过: refused at review.
        Rejected = "rejected", "未通过审核";
        /// 已撤回: withdrawn before anyone claimed it.
        Withdrawn = "withdrawn", "已撤回";
    }
}

labelled! {
    /// What a wish is worth, roughly (the reports keep wishes small).
    ValueBand {
        /// Under 50 yuan.
        Under50 = "under_50", "50 元以下";
        /// 50–100 yuan.
        To100 = "50_100", "50–100 元";
        /// 100–200 yuan.
        To200 = "100_200", "100–200 元";
        /// 200–500 yuan.
        To500 = "200_500", "200–500 元";
        /// Not money: a service, a visit, help.
        Service = "service", "服务类（不涉及金额）";
    }
}

labelled! {
    /// Who claims a wish.
    ClaimantKind {
        /// 党员 (预备 or 正式).
        Member = "member", "党员";
        /// 入党积极分子 (and the applicants and 发展对象 after them).
        Activist = "activist", "入党积极分子";
        /// A party organization.
        Branch = "branch", "党组织";
        /// A unit of the area (驻区单位).
        Unit = "unit", "驻区单位";
        /// A volunteer.
        Volunteer = "volunteer", "志愿者";
    }
}

labelled! {
    /// How a claim stands or ended.
    ClaimState {
        /// Holding its share.
        Active = "active", "认领中";
        /// The wish was fulfilled with it.
        Fulfilled = "fulfilled", "已实现";
        /// The claimant cancelled it.
        Cancelled = "cancelled", "认领人取消";
        /// Staff revoked it.
        Revoked = "revoked", "工作人员撤销";
        /// Released: no contact made in time.
        Released = "released", "超期未联系，已释放";
    }
}

/// Checks a review may be made: only a wish awaiting review.
pub fn check_review(status: Status) -> Result<(), String> {
    match status {
        Status::Pending => Ok(()),
        s => Err(format!("该心愿{}，不需要审核", s.label())),
    }
}

/// Checks a claim of one share: the wish must be published with a share free, and the same
/// claimant may hold one share of it only.
pub fn check_claim(status: Status, shares: i32, taken: i32, mine: bool) -> Result<(), String> {
    match status {
        Status::Open if taken < shares && !mine => Ok(()),
        Status::Open if mine => Err("您已认领了这个心愿的一份".into()),
        Status::Open | Status::Claimed => Err("这个心愿已被认领完，请选择其他心愿".into()),
        Status::Fulfilled => Err("这个心愿已经实现，不能再认领".into()),
        Status::Pending => Err("这个心愿尚未通过审核，暂不能认领".into()),
        s => Err(format!("这个心愿{}，不能认领", s.label())),
    }
}

/// The status of a published wish with `taken` of its `shares` held.
pub fn after_claims(shares: i32, taken: i32) -> Status {
    if taken >= shares {
        Status::Claimed
    } else {
        Status::Open
    }
}

/// Checks a wish may be withdrawn: only while nobody holds a share.
pub fn check_withdraw(status: Status, taken: i32) -> Result<(), String> {
    match status {
        Status::Pending | Status::Open if taken == 0 => Ok(()),
        Status::Open | Status::Claimed => Err("心愿已有人认领，不能撤回；可先撤销认领".into()),
        s => Err(format!("这个心愿{}，不能撤回", s.label())),
    }
}

/// Checks a wish may be marked fulfilled: every share held.
pub fn check_fulfil(status: Status) -> Result<(), String> {
    match status {
        Status::Claimed => Ok(()),
        Status::Open => Err("心愿还有未认领的份额，认领完后才能确认实现".into()),
        s => Err(format!("这个心愿{}，不能确认实现", s.label())),
    }
}

/// Checks a claim may end by its claimant or staff: only while it holds its share.
pub fn check_end(state: ClaimState) -> Result<(), String> {
    match state {
        ClaimState::Active => Ok(()),
        s => Err(format!("该认领{}，不能再操作", s.label())),
    }
}

/// What the pressing of an uncontacted claim does now.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Chase {
    /// Remind the claimant to make contact.
    Remind,
    /// Release the share back to the pool.
    Release,
}

/// When a claim made at `claimed` must have made contact by.
pub fn contact_due(cal: &Calendar, claimed: NaiveDateTime, days: u32) -> NaiveDateTime {
    cal.deadline(claimed, Limit::WorkingDays(days.max(1)))
}

/// What an active claim without contact calls for at `now`: a reminder once the contact limit
/// has passed, a release [`RELEASE_GRACE_DAYS`] working days after the reminder.
pub fn chase(
    cal: &Calendar,
    now: NaiveDateTime,
    due: NaiveDateTime,
    reminded: Option<NaiveDateTime>,
) -> Option<Chase> {
    match reminded {
        None if now >= due => Some(Chase::Remind),
        Some(r) if now >= cal.deadline(r, Limit::WorkingDays(RELEASE_GRACE_DAYS)) => {
            Some(Chase::Release)
        }
        _ => None,
    }
}

/// Compound surnames read as one (the common ones).
const COMPOUND: [&str; 16] = [
    "欧阳", "司马", "上官", "诸葛", "东方", "皇甫", "尉迟", "公孙", "慕容", "长孙", "宇文", "司徒",
    "夏侯", "轩辕", "令狐", "端木",
];

/// A name as those who may not know it see it: the surname alone (王某, 欧阳某).
pub fn masked_name(name: &str) -> String {
    let name = name.trim();
    let surname: String = match COMPOUND.iter().find(|c| name.starts_with(*c)) {
        Some(c) => (*c).to_owned(),
        None => name.chars().take(1).collect(),
    };
    if surname.is_empty() {
        "某居民".into()
    } else {
        format!("{surname}某")
    }
}

/// Checks the words a wish is published with (its content and reason, shown to everyone and
/// on the public page) name nobody: not the beneficiary's name or given name, and no phone or
/// ID number (seven digits or more in a row).
pub fn check_public_text(what: &str, text: &str, name: &str) -> Result<(), String> {
    let name = name.trim();
    let given: String = name.chars().skip(1).collect();
    let named = (!name.is_empty() && text.contains(name))
        || (given.chars().count() >= 2 && text.contains(&given));
    if named {
        return Err(format!(
            "{what}会公开显示，不要写心愿人的姓名，可写“独居老人”“困难家庭”等"
        ));
    }
    let mut run = 0;
    for ch in text.chars() {
        run = if ch.is_ascii_digit() { run + 1 } else { 0 };
        if run >= 7 {
            return Err(format!("{what}会公开显示，不要写电话号码或证件号码"));
        }
    }
    Ok(())
}

/// Checks a campaign's window and target.
pub fn check_campaign(starts: NaiveDate, ends: NaiveDate, target: i32) -> Result<(), String> {
    if ends < starts {
        return Err("结束日期不能早于开始日期".into());
    }
    if (ends - starts).num_days() > 366 {
        return Err("专项行动的时间不能超过一年".into());
    }
    if !(1..=100_000).contains(&target) {
        return Err("目标心愿数应在 1 至 100000 之间".into());
    }
    Ok(())
}

/// A campaign's figures (each defined in `party::wishes::campaign_figures` and recounted from
/// the rows by the tests).
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize)]
pub struct Figures {
    /// Wishes published in the campaign (待认领, 已认领 or 已实现).
    pub posted: i64,
    /// Of those, claimed in full or fulfilled.
    pub claimed: i64,
    /// Of those, fulfilled.
    pub fulfilled: i64,
    /// Distinct members holding or having fulfilled a share.
    pub members: i64,
    /// Distinct households of beneficiaries whose claimant made contact (visited).
    pub households: i64,
}

/// A whole percentage `part / whole`, rounded down, 0 when there is no whole.
pub fn percent(part: i64, whole: i64) -> i64 {
    if whole <= 0 {
        0
    } else {
        (part.max(0) * 100 / whole).min(100)
    }
}

/// The summary a campaign writes: the figures the reports print, in their words.
pub fn summary(name: &str, starts: NaiveDate, ends: NaiveDate, target: i32, f: &Figures) -> String {
    use chrono::Datelike;
    format!(
        "“{name}”专项行动（{}月{}日至{}月{}日）目标 {target} 个微心愿，共发布微心愿 {} 个，\
         已认领 {} 个，已实现 {} 个（完成目标的 {}%）；{} 名党员参与认领，走访困难群众 {} 户。",
        starts.month(),
        starts.day(),
        ends.month(),
        ends.day(),
        f.posted,
        f.claimed,
        f.fulfilled,
        percent(f.fulfilled, i64::from(target)),
        f.members,
        f.households,
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::worktime::WorkHours;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").expect("date")
    }

    fn at(s: &str) -> NaiveDateTime {
        NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M").expect("time")
    }

    fn cal() -> Calendar {
        let hours =
            WorkHours::new(vec![(9 * 60, 12 * 60), (13 * 60 + 30, 17 * 60 + 30)]).expect("hours");
        Calendar::new(Vec::new(), hours).expect("calendar")
    }

    #[test]
    fn a_claim_needs_a_published_wish_with_a_free_share() {
        assert!(check_claim(Status::Open, 1, 0, false).is_ok());
        assert!(check_claim(Status::Open, 3, 2, false).is_ok());
        assert!(
            check_claim(Status::Open, 3, 3, false)
                .expect_err("full")
                .contains("已被认领完")
        );
        assert!(
            check_claim(Status::Claimed, 1, 1, false)
                .expect_err("claimed")
                .contains("已被认领完")
        );
        assert!(
            check_claim(Status::Fulfilled, 1, 1, false)
                .expect_err("fulfilled")
                .contains("已经实现")
        );
        assert!(
            check_claim(Status::Pending, 1, 0, false)
                .expect_err("pending")
                .contains("审核")
        );
        assert!(
            check_claim(Status::Open, 3, 1, true)
                .expect_err("mine")
                .contains("已认领了")
        );
        assert!(check_claim(Status::Withdrawn, 1, 0, false).is_err());
        assert!(check_claim(Status::Rejected, 1, 0, false).is_err());
        assert_eq!(after_claims(3, 2), Status::Open);
        assert_eq!(after_claims(3, 3), Status::Claimed);
        assert_eq!(after_claims(1, 1), Status::Claimed);
        assert_eq!(after_claims(1, 0), Status::Open);
    }

    #[test]
    fn withdrawal_review_and_fulfilment_keep_their_order() {
        assert!(check_withdraw(Status::Pending, 0).is_ok());
        assert!(check_withdraw(Status::Open, 0).is_ok());
        assert!(check_withdraw(Status::Open, 1).is_err());
        assert!(check_withdraw(Status::Claimed, 1).is_err());
        assert!(check_withdraw(Status::Fulfilled, 1).is_err());
        assert!(check_review(Status::Pending).is_ok());
        assert!(check_review(Status::Open).is_err());
        assert!(check_fulfil(Status::Claimed).is_ok());
        assert!(
            check_fulfil(Status::Open)
                .expect_err("open")
                .contains("未认领")
        );
        assert!(check_fulfil(Status::Fulfilled).is_err());
        assert!(check_fulfil(Status::Pending).is_err());
        assert!(check_end(ClaimState::Active).is_ok());
        for s in [
            ClaimState::Fulfilled,
            ClaimState::Cancelled,
            ClaimState::Revoked,
            ClaimState::Released,
        ] {
            assert!(check_end(s).is_err(), "{s:?}");
        }
    }

    #[test]
    fn an_uncontacted_claim_is_reminded_then_released_on_working_days() {
        let cal = cal();
        // Claimed on Friday 2026-06-05 at 10:00: seven working days end on Tuesday 06-16
        // (06-08…06-12, 06-15, 06-16 less the morning hour) — the weekend does not count.
        let claimed = at("2026-06-05 10:00");
        let due = contact_due(&cal, claimed, 7);
        assert_eq!(due, at("2026-06-16 10:00"));
        assert_eq!(chase(&cal, at("2026-06-16 09:59"), due, None), None);
        assert_eq!(
            chase(&cal, at("2026-06-16 10:00"), due, None),
            Some(Chase::Remind)
        );
        let reminded = at("2026-06-16 10:05");
        assert_eq!(
            chase(&cal, at("2026-06-17 17:00"), due, Some(reminded)),
            None
        );
        assert_eq!(
            chase(&cal, at("2026-06-18 10:05"), due, Some(reminded)),
            Some(Chase::Release)
        );
        // Zero days means one.
        assert_eq!(contact_due(&cal, claimed, 0), contact_due(&cal, claimed, 1));
    }

    #[test]
    fn names_show_the_surname_alone() {
        assert_eq!(masked_name("王秀英"), "王某");
        assert_eq!(masked_name(" 欧阳建国 "), "欧阳某");
        assert_eq!(masked_name("李"), "李某");
        assert_eq!(masked_name(""), "某居民");
        assert!(!masked_name("张三丰").contains('三'));
    }

    #[test]
    fn public_words_name_nobody() {
        assert!(check_public_text("心愿内容", "一台助听器", "王秀英").is_ok());
        assert!(check_public_text("心愿内容", "给王秀英买助听器", "王秀英").is_err());
        assert!(check_public_text("心愿内容", "秀英奶奶想要一台助听器", "王秀英").is_err());
        assert!(check_public_text("心愿内容", "王奶奶想要收音机", "王秀英").is_ok());
        assert!(
            check_public_text("心愿原因", "联系 13800001111", "王秀英")
                .expect_err("phone")
                .contains("电话")
        );
        assert!(check_public_text("心愿原因", "2026 年 6 月", "王秀英").is_ok());
    }

    #[test]
    fn campaigns_hold_a_window_and_a_target_and_print_their_figures() {
        assert!(check_campaign(d("2026-06-01"), d("2026-06-25"), 100).is_ok());
        assert!(check_campaign(d("2026-06-25"), d("2026-06-01"), 100).is_err());
        assert!(check_campaign(d("2026-01-01"), d("2027-06-01"), 100).is_err());
        assert!(check_campaign(d("2026-06-01"), d("2026-06-25"), 0).is_err());
        let f = Figures {
            posted: 104,
            claimed: 101,
            fulfilled: 98,
            members: 87,
            households: 95,
        };
        let s = summary(
            "百名老党员、百个微心愿",
            d("2026-06-01"),
            d("2026-06-25"),
            100,
            &f,
        );
        assert!(s.contains("6月1日至6月25日"), "{s}");
        assert!(s.contains("共发布微心愿 104 个"), "{s}");
        assert!(s.contains("已实现 98 个（完成目标的 98%）"), "{s}");
        assert!(s.contains("87 名党员"), "{s}");
        assert!(s.contains("95 户"), "{s}");
        assert_eq!(percent(150, 100), 100);
        assert_eq!(percent(1, 3), 33);
        assert_eq!(percent(5, 0), 0);
    }

    #[test]
    fn identifiers_and_names_parse() {
        for s in Status::ALL {
            assert_eq!(Status::parse(s.as_str()), Some(*s));
            assert_eq!(Status::parse(s.label()), Some(*s));
        }
        for v in ValueBand::ALL {
            assert_eq!(ValueBand::parse(v.as_str()), Some(*v));
        }
        for k in ClaimantKind::ALL {
            assert_eq!(ClaimantKind::parse(k.label()), Some(*k));
        }
        assert_eq!(ClaimState::parse("released"), Some(ClaimState::Released));
        assert_eq!(Status::parse("nope"), None);
    }
}
