//! Elections of a party organization's committee or secretary (换届选举, 补选), by the
//! 中国共产党基层组织选举工作条例 (2020):
//!
//! - the meeting is valid only when the members with a vote present are **more than four
//!   fifths** of those entitled to attend (有选举权的到会人数超过应到会人数的五分之四);
//! - a candidate is elected only with yes-votes from **more than half** of those entitled
//!   (赞成票超过应到会有选举权人数的一半);
//! - the committee's members are elected from more candidates than seats, by at least 20%
//!   (差额); a secretary alone (a branch under 7 正式党员) may be elected from one candidate;
//! - a branch of fewer than 7 正式党员 has no committee: a secretary and, when needed, a deputy
//!   (at most two seats); a committee has 3 to 5 members, at most 7;
//! - only 正式党员 vote or stand (预备党员 have neither right).
//!
//! Every check returns the reason in Chinese; the service refuses the record with it.

use super::member::{COMMITTEE_FROM, COMMITTEE_MAX, Post};

/// A regular election at the end of a term, or a by-election for a vacant seat.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ElectionKind {
    /// 换届选举: the whole committee (or the secretary) for a new term.
    Regular,
    /// 补选: a vacant seat within the term.
    ByElection,
}

impl ElectionKind {
    /// The identifier stored and used in the API.
    pub fn as_str(self) -> &'static str {
        match self {
            ElectionKind::Regular => "regular",
            ElectionKind::ByElection => "by_election",
        }
    }

    /// The Chinese name.
    pub fn label(self) -> &'static str {
        match self {
            ElectionKind::Regular => "换届选举",
            ElectionKind::ByElection => "补选",
        }
    }

    /// Parses the identifier or the Chinese name.
    pub fn parse(s: &str) -> Option<ElectionKind> {
        [ElectionKind::Regular, ElectionKind::ByElection]
            .into_iter()
            .find(|k| k.as_str() == s.trim() || k.label() == s.trim())
    }
}

/// One person elected, as recorded.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Elected {
    /// The name, for the messages.
    pub name: String,
    /// Whether the person is a 正式党员 of the organization.
    pub full_member: bool,
    /// The post elected to.
    pub post: Post,
    /// Yes-votes received.
    pub votes: u32,
}

/// The figures of an election, as recorded.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Election {
    pub kind: ElectionKind,
    /// 正式党员 of the organization (its shape: a committee from 7).
    pub full_members: u32,
    /// 应到会有选举权的党员.
    pub entitled: u32,
    /// 实到会有选举权的党员.
    pub present: u32,
    /// 应选名额.
    pub seats: u32,
    /// 候选人数.
    pub candidates: u32,
    /// Who was elected.
    pub elected: Vec<Elected>,
}

/// The fewest candidates for `seats` committee seats: more than the seats by at least 20%.
pub fn fewest_candidates(seats: u32) -> u32 {
    if seats < 3 {
        return seats;
    }
    // ceil(seats × 1.2), in integers.
    (seats * 6).div_ceil(5)
}

/// Whether `present` of `entitled` make a valid electoral meeting (more than four fifths).
pub fn quorum(present: u32, entitled: u32) -> bool {
    u64::from(present) * 5 > u64::from(entitled) * 4
}

/// Whether `votes` elect a candidate when `entitled` may vote (more than half of them).
pub fn elected_by(votes: u32, entitled: u32) -> bool {
    u64::from(votes) * 2 > u64::from(entitled)
}

/// Checks an election's record; the reason it cannot stand, in Chinese.
pub fn check(e: &Election) -> Result<(), String> {
    if e.entitled == 0 {
        return Err("请填写应到会有选举权的党员人数".into());
    }
    if e.entitled > e.full_members {
        return Err(format!(
            "应到会有选举权的党员 {} 名，多于本组织的正式党员 {} 名（预备党员没有选举权）",
            e.entitled, e.full_members
        ));
    }
    if e.present > e.entitled {
        return Err(format!("实到 {} 名，多于应到 {} 名", e.present, e.entitled));
    }
    if !quorum(e.present, e.entitled) {
        return Err(format!(
            "到会有选举权的党员 {} 名，未超过应到会 {} 名的五分之四：选举无效",
            e.present, e.entitled
        ));
    }
    let committee = e.full_members >= COMMITTEE_FROM;
    let most = if committee { COMMITTEE_MAX } else { 2 };
    if e.seats == 0 || e.seats > most {
        return Err(if committee {
            format!(
                "支部委员会应选 3 至 5 名，最多 {COMMITTEE_MAX} 名（现在是 {}）",
                e.seats
            )
        } else {
            format!(
                "正式党员 {} 名，不足 {COMMITTEE_FROM} 名：不设支部委员会，只选书记（必要时选副书记），最多 2 名（现在是 {}）",
                e.full_members, e.seats
            )
        });
    }
    if committee && e.kind == ElectionKind::Regular && e.seats < 3 {
        return Err(format!(
            "正式党员 {} 名（7 名以上）：换届应选出支部委员会 3 至 5 名（现在是 {}）",
            e.full_members, e.seats
        ));
    }
    let least = if e.kind == ElectionKind::Regular {
        fewest_candidates(e.seats)
    } else {
        e.seats
    };
    if e.candidates < least {
        return Err(if least > e.seats {
            format!(
                "委员候选人应多于应选名额 20% 以上（差额选举）：应选 {} 名，至少 {least} 名候选人（现在是 {}）",
                e.seats, e.candidates
            )
        } else {
            format!("候选人 {} 名，少于应选名额 {} 名", e.candidates, e.seats)
        });
    }
    if e.elected.is_empty() {
        return Err("请填写当选人".into());
    }
    if e.elected.len() > e.seats as usize {
        return Err(format!(
            "当选 {} 名，多于应选名额 {} 名",
            e.elected.len(),
            e.seats
        ));
    }
    for p in &e.elected {
        if !p.full_member {
            return Err(format!(
                "“{}”不是本组织的正式党员：预备党员没有被选举权",
                p.name
            ));
        }
        if p.votes > e.present {
            return Err(format!(
                "“{}”得票 {}，多于到会人数 {}",
                p.name, p.votes, e.present
            ));
        }
        if !elected_by(p.votes, e.entitled) {
            return Err(format!(
                "“{}”得赞成票 {}，未超过应到会有选举权党员 {} 名的半数，不能当选",
                p.name, p.votes, e.entitled
            ));
        }
        if p.post == Post::GroupLeader {
            return Err(format!("党小组组长不由支部选举产生（“{}”）", p.name));
        }
        if !committee && !p.post.without_committee() {
            return Err(format!(
                "不设支部委员会的支部只选书记、副书记，不能选{}（“{}”）",
                p.post.label(),
                p.name
            ));
        }
    }
    for post in [Post::Secretary, Post::Deputy] {
        let n = e.elected.iter().filter(|p| p.post == post).count();
        if n > 1 {
            return Err(format!("{}只能选出 1 名（现在是 {n} 名）", post.label()));
        }
    }
    if e.kind == ElectionKind::Regular && !e.elected.iter().any(|p| p.post == Post::Secretary) {
        return Err("换届选举应选出书记".into());
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn person(name: &str, post: Post, votes: u32) -> Elected {
        Elected {
            name: name.into(),
            full_member: true,
            post,
            votes,
        }
    }

    fn committee_of_seven() -> Election {
        Election {
            kind: ElectionKind::Regular,
            full_members: 9,
            entitled: 9,
            present: 8,
            seats: 3,
            candidates: 4,
            elected: vec![
                person("甲", Post::Secretary, 8),
                person("乙", Post::Organization, 6),
                person("丙", Post::Propaganda, 5),
            ],
        }
    }

    #[test]
    fn a_valid_committee_election_stands() {
        assert_eq!(check(&committee_of_seven()), Ok(()));
    }

    #[test]
    fn more_than_four_fifths_must_be_present() {
        // 10 entitled: 8 present is exactly four fifths — not more — so the meeting fails.
        assert!(!quorum(8, 10));
        assert!(quorum(9, 10));
        // 9 entitled: 8 present is 8/9 > 4/5; 7 is 7/9 < 4/5.
        assert!(quorum(8, 9));
        assert!(!quorum(7, 9));
        let mut e = committee_of_seven();
        e.present = 7;
        let why = check(&e).expect_err("no quorum");
        assert!(why.contains("五分之四"), "{why}");
    }

    #[test]
    fn a_candidate_needs_more_than_half_of_those_entitled() {
        // 9 entitled: 5 votes elect, 4 do not.
        assert!(elected_by(5, 9));
        assert!(!elected_by(4, 9));
        // 10 entitled: exactly half is not more than half.
        assert!(!elected_by(5, 10));
        assert!(elected_by(6, 10));
        let mut e = committee_of_seven();
        e.elected[2].votes = 4;
        let why = check(&e).expect_err("too few votes");
        assert!(why.contains("“丙”") && why.contains("半数"), "{why}");
    }

    #[test]
    fn a_committee_is_elected_from_more_candidates_than_seats() {
        assert_eq!(fewest_candidates(3), 4);
        assert_eq!(fewest_candidates(5), 6);
        assert_eq!(fewest_candidates(7), 9);
        assert_eq!(fewest_candidates(1), 1);
        let mut e = committee_of_seven();
        e.candidates = 3;
        let why = check(&e).expect_err("equal numbers");
        assert!(why.contains("差额") && why.contains("至少 4 名"), "{why}");
        // A by-election fills a seat from as many candidates as seats.
        e.kind = ElectionKind::ByElection;
        e.seats = 1;
        e.candidates = 1;
        e.elected = vec![person("丁", Post::Discipline, 7)];
        assert_eq!(check(&e), Ok(()));
    }

    #[test]
    fn a_small_branch_elects_a_secretary_and_at_most_a_deputy() {
        let mut e = Election {
            kind: ElectionKind::Regular,
            full_members: 5,
            entitled: 5,
            present: 5,
            seats: 1,
            candidates: 1,
            elected: vec![person("甲", Post::Secretary, 5)],
        };
        assert_eq!(check(&e), Ok(()));
        e.seats = 3;
        e.candidates = 4;
        let why = check(&e).expect_err("no committee under 7");
        assert!(why.contains("不设支部委员会"), "{why}");
        e.seats = 2;
        e.candidates = 2;
        e.elected.push(person("乙", Post::Organization, 4));
        let why = check(&e).expect_err("no committee posts");
        assert!(why.contains("组织委员"), "{why}");
        e.elected[1].post = Post::Deputy;
        assert_eq!(check(&e), Ok(()));
    }

    #[test]
    fn a_regular_election_of_a_branch_of_seven_elects_a_committee_with_a_secretary() {
        let mut e = committee_of_seven();
        e.full_members = 7;
        e.entitled = 7;
        e.present = 7;
        e.seats = 1;
        e.candidates = 1;
        e.elected.truncate(1);
        let why = check(&e).expect_err("a committee is due");
        assert!(why.contains("3 至 5"), "{why}");
        let mut e = committee_of_seven();
        e.elected[0].post = Post::Deputy;
        let why = check(&e).expect_err("no secretary");
        assert!(why.contains("应选出书记"), "{why}");
        let mut e = committee_of_seven();
        e.elected[1].post = Post::Secretary;
        let why = check(&e).expect_err("two secretaries");
        assert!(why.contains("书记只能选出 1 名"), "{why}");
    }

    #[test]
    fn only_full_members_stand_and_the_figures_must_agree() {
        let mut e = committee_of_seven();
        e.elected[1].full_member = false;
        let why = check(&e).expect_err("probationary");
        assert!(why.contains("预备党员没有被选举权"), "{why}");
        let mut e = committee_of_seven();
        e.entitled = 10;
        let why = check(&e).expect_err("more entitled than members");
        assert!(why.contains("多于本组织的正式党员"), "{why}");
        let mut e = committee_of_seven();
        e.present = 10;
        assert!(check(&e).expect_err("more present").contains("多于应到"));
        let mut e = committee_of_seven();
        e.elected[0].votes = 9;
        assert!(check(&e).expect_err("more votes").contains("多于到会人数"));
        let mut e = committee_of_seven();
        e.elected.push(person("丁", Post::Discipline, 6));
        assert!(check(&e).expect_err("too many").contains("多于应选名额"));
        let mut e = committee_of_seven();
        e.elected.clear();
        assert!(check(&e).expect_err("none").contains("当选人"));
        let mut e = committee_of_seven();
        e.entitled = 0;
        assert!(check(&e).expect_err("none entitled").contains("应到会"));
        let mut e = committee_of_seven();
        e.elected[2].post = Post::GroupLeader;
        assert!(check(&e).expect_err("group leader").contains("党小组组长"));
    }

    #[test]
    fn the_kinds_parse_by_name() {
        assert_eq!(ElectionKind::parse("补选"), Some(ElectionKind::ByElection));
        assert_eq!(
            ElectionKind::parse(" regular "),
            Some(ElectionKind::Regular)
        );
        assert_eq!(ElectionKind::parse("选举"), None);
        assert_eq!(ElectionKind::Regular.label(), "换届选举");
    }
}
