//! 五星支部: each year the street rates its branches by sets of stars, one set per kind of branch
//! (a village's differ from a city community's), each star with its criteria (areas, tasks,
//! points) kept as data. One star may be a gate (支部过硬星 in most streets' rules): without it
//! no other star is awarded — whether a set has a gate is its own setting, since the sources
//! disagree. A branch assesses itself with evidence, the street reviews (never the branch
//! itself), the result is published for five days (公示) during which objections are heard,
//! then awarded; a star may be withdrawn during the year (摘星) with a reason.
//!
//! The rules here are pure: the default sets, the checks of a set, what a review may award, the
//! publication window, and the stars a branch holds after withdrawals.

use chrono::NaiveDate;

/// One criterion of a star: an area, the task, the points it is worth.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Criterion {
    pub area: String,
    pub task: String,
    pub points: u32,
}

/// One star of a set.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct StarDef {
    /// A stable key within the set (`strong`, `industry` …).
    pub key: String,
    /// 支部过硬星 …
    pub name: String,
    /// Without this star no other of the set is awarded.
    pub gate: bool,
    /// The points a branch needs of this star's criteria to be awarded it.
    pub pass: u32,
    pub criteria: Vec<Criterion>,
}

impl StarDef {
    /// The points of all criteria.
    pub fn total(&self) -> u32 {
        self.criteria.iter().map(|c| c.points).sum()
    }
}

/// The kind of branch a set is for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SetKind {
    /// 村党组织.
    Rural,
    /// 社区党组织.
    Urban,
}

impl SetKind {
    /// The identifier stored and used in the API.
    pub fn as_str(self) -> &'static str {
        match self {
            SetKind::Rural => "rural",
            SetKind::Urban => "urban",
        }
    }

    /// The Chinese name.
    pub fn label(self) -> &'static str {
        match self {
            SetKind::Rural => "村党组织",
            SetKind::Urban => "社区党组织",
        }
    }

    pub fn parse(s: &str) -> Option<SetKind> {
        [SetKind::Rural, SetKind::Urban]
            .into_iter()
            .find(|k| k.as_str() == s)
    }

    /// The set a branch of this category (`village`, `community` …) is rated by: villages by
    /// the rural set, every other grassroots branch by the urban one.
    pub fn for_category(category: &str) -> SetKind {
        if category == "village" {
            SetKind::Rural
        } else {
            SetKind::Urban
        }
    }
}

fn c(area: &str, task: &str, points: u32) -> Criterion {
    Criterion {
        area: area.into(),
        task: task.into(),
        points,
    }
}

fn star(key: &str, name: &str, gate: bool, criteria: Vec<Criterion>) -> StarDef {
    let total: u32 = criteria.iter().map(|c| c.points).sum();
    StarDef {
        key: key.into(),
        name: name.into(),
        gate,
        pass: total * 4 / 5,
        criteria,
    }
}

/// The default set of a kind (a street adopts it for a year and may change it): five stars, the
/// first a gate.
pub fn default_set(kind: SetKind) -> Vec<StarDef> {
    let strong = star(
        "strong",
        "支部过硬星",
        true,
        vec![
            c("班子", "支部班子健全，书记履职尽责", 30),
            c("组织生活", "三会一课、主题党日按要求开展", 40),
            c("党员管理", "党员联户全覆盖，发展党员规范", 30),
        ],
    );
    match kind {
        SetKind::Rural => vec![
            strong,
            star(
                "industry",
                "产业兴旺星",
                false,
                vec![
                    c("集体经济", "村集体经营性收入稳定增长", 50),
                    c("带富", "党员带头创业、结对帮扶", 50),
                ],
            ),
            star(
                "ecology",
                "生态宜居星",
                false,
                vec![
                    c("人居环境", "垃圾分类、污水治理、村庄整洁", 60),
                    c("生态保护", "无违法用地、无乱砍滥伐", 40),
                ],
            ),
            star(
                "safety",
                "平安法治星",
                false,
                vec![
                    c("矛盾化解", "矛盾纠纷就地化解，无越级上访", 50),
                    c("安全", "无重大安全事故和刑事案件", 50),
                ],
            ),
            star(
                "civility",
                "文明幸福星",
                false,
                vec![
                    c("乡风", "移风易俗、红白理事会运行", 50),
                    c("民生", "困难群众帮扶到位，群众满意", 50),
                ],
            ),
        ],
        SetKind::Urban => vec![
            strong,
            star(
                "service",
                "服务群众星",
                false,
                vec![
                    c("诉求办理", "群众诉求按时办结，满意率高", 60),
                    c("为民办实事", "微心愿、红色代办落实", 40),
                ],
            ),
            star(
                "safety",
                "平安和谐星",
                false,
                vec![
                    c("矛盾化解", "矛盾纠纷就地化解", 50),
                    c("安全", "无重大安全事故和群体性事件", 50),
                ],
            ),
            star(
                "joint",
                "共建共享星",
                false,
                vec![
                    c("双报到", "驻区单位和在职党员报到服务", 50),
                    c("共建项目", "共驻共建项目落地", 50),
                ],
            ),
            star(
                "civility",
                "文明创建星",
                false,
                vec![
                    c("文明实践", "志愿服务常态化", 50),
                    c("环境", "小区环境整洁有序", 50),
                ],
            ),
        ],
    }
}

/// Checks a set: two to seven stars, keys and names unique, at most one gate, each star with one
/// to ten criteria of 1–100 points and a pass mark within its total.
pub fn check_set(set: &[StarDef]) -> Result<(), String> {
    if !(2..=7).contains(&set.len()) {
        return Err("一套星级应有 2 至 7 颗星".into());
    }
    let mut keys = std::collections::HashSet::new();
    let mut names = std::collections::HashSet::new();
    for s in set {
        if s.key.trim().is_empty() || s.name.trim().is_empty() {
            return Err("每颗星须有标识和名称".into());
        }
        if !keys.insert(s.key.as_str()) || !names.insert(s.name.as_str()) {
            return Err(format!("“{}”重复", s.name));
        }
        if !(1..=10).contains(&s.criteria.len()) {
            return Err(format!("“{}”应有 1 至 10 项标准", s.name));
        }
        if s.criteria.iter().any(|c| !(1..=100).contains(&c.points)) {
            return Err(format!("“{}”每项标准的分值应为 1 至 100", s.name));
        }
        if s.pass == 0 || s.pass > s.total() {
            return Err(format!("“{}”的达标分应为 1 至 {}", s.name, s.total()));
        }
    }
    if set.iter().filter(|s| s.gate).count() > 1 {
        return Err("一套星级最多一颗“门槛星”".into());
    }
    Ok(())
}

/// The stars a review may award, given each star's points awarded by the street: those that pass
/// their mark, and none but the gate's own when a gate star exists and does not pass. Returns
/// the keys awarded and, for each star not awarded, why.
pub fn award(set: &[StarDef], points: &[(String, u32)]) -> (Vec<String>, Vec<(String, String)>) {
    let got = |key: &str| points.iter().find(|(k, _)| k == key).map_or(0, |(_, p)| *p);
    let gate_failed = set.iter().any(|s| s.gate && got(&s.key) < s.pass);
    let mut awarded = Vec::new();
    let mut not = Vec::new();
    for s in set {
        let p = got(&s.key);
        if p < s.pass {
            not.push((s.key.clone(), format!("得分 {p}，未达 {} 分", s.pass)));
        } else if gate_failed && !s.gate {
            not.push((s.key.clone(), "门槛星未评上，其他星不予授予".to_owned()));
        } else {
            awarded.push(s.key.clone());
        }
    }
    (awarded, not)
}

/// The days of publication (公示) before the stars are awarded.
pub const PUBLIC_DAYS: i64 = 5;

/// The last day of a publication begun on `from` (five days: the first and four more).
pub fn public_until(from: NaiveDate) -> NaiveDate {
    from + chrono::Duration::days(PUBLIC_DAYS - 1)
}

/// Whether the stars of a review published on `from` may be awarded on `today`: after the
/// window, with no objection upheld still open.
pub fn may_award(from: NaiveDate, today: NaiveDate, open_objections: usize) -> Result<(), String> {
    if today <= public_until(from) {
        return Err(format!("公示期至 {}，期满后才能授星", public_until(from)));
    }
    if open_objections > 0 {
        return Err(format!("还有 {open_objections} 条异议未处理"));
    }
    Ok(())
}

/// The stars a branch holds: those awarded, less those withdrawn; when the gate star is
/// withdrawn, the others fall with it.
pub fn held(set: &[StarDef], awarded: &[String], withdrawn: &[String]) -> Vec<String> {
    let gate_lost = set.iter().any(|s| s.gate && withdrawn.contains(&s.key));
    awarded
        .iter()
        .filter(|k| !withdrawn.contains(k))
        .filter(|k| !gate_lost || set.iter().any(|s| s.gate && s.key == **k))
        .cloned()
        .collect()
}

/// Where a branch's review of a year stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Stage {
    /// 自评中: the branch writes its self-assessment.
    Draft,
    /// 待评定: submitted to the street.
    Submitted,
    /// 已评分: the street scored it (the first level when there are two).
    Scored,
    /// 已复核: a second reviewer confirmed the scores (two levels).
    Checked,
    /// 公示中: published for five days; objections are heard.
    Public,
    /// 已授星.
    Awarded,
}

impl Stage {
    pub const ALL: [Stage; 6] = [
        Stage::Draft,
        Stage::Submitted,
        Stage::Scored,
        Stage::Checked,
        Stage::Public,
        Stage::Awarded,
    ];

    /// The identifier stored and used in the API.
    pub fn as_str(self) -> &'static str {
        match self {
            Stage::Draft => "draft",
            Stage::Submitted => "submitted",
            Stage::Scored => "scored",
            Stage::Checked => "checked",
            Stage::Public => "public",
            Stage::Awarded => "awarded",
        }
    }

    pub fn parse(s: &str) -> Option<Stage> {
        Stage::ALL.into_iter().find(|k| k.as_str() == s)
    }

    /// The Chinese name.
    pub fn label(self) -> &'static str {
        match self {
            Stage::Draft => "自评中",
            Stage::Submitted => "待街道评定",
            Stage::Scored => "已评分",
            Stage::Checked => "已复核",
            Stage::Public => "公示中",
            Stage::Awarded => "已授星",
        }
    }
}

/// The steps of a review, each with the stage it leaves from and the one it reaches. `two_level`:
/// the set asks for a second reviewer's check before publication.
///
/// - `submit`: the branch submits its self-assessment (自评中 → 待评定);
/// - `return`: the street sends it back for more evidence (before publication);
/// - `score`: the street scores it, again if needed before publication;
/// - `check`: the second reviewer confirms the scores (two levels only);
/// - `publish`: 公示 begins (after the scores, or their check with two levels);
/// - `uphold`: an objection upheld sends the review back to be scored again;
/// - `award`: after 公示 (the window and the objections are the caller's to check, [`may_award`]).
pub fn next_stage(stage: Stage, step: &str, two_level: bool) -> Result<Stage, String> {
    use Stage::*;
    let to = match (step, stage) {
        ("submit", Draft) => Submitted,
        ("return", Submitted | Scored | Checked) => Draft,
        ("score", Submitted | Scored | Checked) => Scored,
        ("check", Scored) if two_level => Checked,
        ("publish", Scored) if !two_level => Public,
        ("publish", Checked) if two_level => Public,
        ("uphold", Public) => Submitted,
        ("award", Public) => Awarded,
        ("check", _) if !two_level => return Err("本年度星级标准只设一级评定，不需要复核".into()),
        ("publish", Scored) => return Err("两级评定：须由另一位评定人复核后才能公示".into()),
        _ => return Err(format!("评定{}，不能这样操作", stage.label())),
    };
    Ok(to)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pts(v: &[(&str, u32)]) -> Vec<(String, u32)> {
        v.iter().map(|(k, p)| ((*k).to_owned(), *p)).collect()
    }

    #[test]
    fn the_default_sets_are_valid_with_one_gate() {
        for kind in [SetKind::Rural, SetKind::Urban] {
            let set = default_set(kind);
            assert_eq!(set.len(), 5);
            assert!(check_set(&set).is_ok(), "{kind:?}");
            assert_eq!(set.iter().filter(|s| s.gate).count(), 1);
            assert_eq!(set[0].name, "支部过硬星");
            assert_eq!(set[0].pass, 80, "four fifths of 100");
        }
        assert_eq!(SetKind::for_category("village"), SetKind::Rural);
        assert_eq!(SetKind::for_category("community"), SetKind::Urban);
    }

    #[test]
    fn a_set_is_checked() {
        let mut set = default_set(SetKind::Urban);
        set[1].gate = true;
        assert!(check_set(&set).expect_err("two gates").contains("最多一颗"));
        let mut set = default_set(SetKind::Urban);
        set[2].name = set[1].name.clone();
        assert!(check_set(&set).expect_err("twice").contains("重复"));
        let mut set = default_set(SetKind::Urban);
        set[1].pass = 101;
        assert!(check_set(&set).expect_err("pass").contains("达标分"));
        assert!(check_set(&default_set(SetKind::Urban)[..1]).is_err());
    }

    #[test]
    fn no_star_without_its_gate() {
        let set = default_set(SetKind::Urban);
        let (awarded, not) = award(
            &set,
            &pts(&[
                ("strong", 70),
                ("service", 95),
                ("safety", 90),
                ("joint", 60),
            ]),
        );
        assert!(awarded.is_empty(), "{awarded:?}");
        assert!(
            not.iter()
                .any(|(k, why)| k == "service" && why.contains("门槛星未评上"))
        );
        assert!(
            not.iter()
                .any(|(k, why)| k == "joint" && why.contains("未达 80 分"))
        );
        let (awarded, _) = award(
            &set,
            &pts(&[("strong", 80), ("service", 95), ("safety", 79)]),
        );
        assert_eq!(awarded, vec!["strong".to_owned(), "service".to_owned()]);
        // A set without a gate: each star on its own.
        let mut free = set.clone();
        free[0].gate = false;
        let (awarded, _) = award(&free, &pts(&[("strong", 10), ("service", 95)]));
        assert_eq!(awarded, vec!["service".to_owned()]);
    }

    #[test]
    fn publication_lasts_five_days_and_objections_hold_the_award() {
        let from = NaiveDate::from_ymd_opt(2026, 12, 1).expect("d");
        assert_eq!(
            public_until(from),
            NaiveDate::from_ymd_opt(2026, 12, 5).expect("d")
        );
        let day = |d| NaiveDate::from_ymd_opt(2026, 12, d).expect("d");
        assert!(may_award(from, day(5), 0).is_err());
        assert!(may_award(from, day(6), 0).is_ok());
        assert!(
            may_award(from, day(6), 1)
                .expect_err("objection")
                .contains("异议")
        );
    }

    #[test]
    fn a_withdrawn_gate_takes_the_others_with_it() {
        let set = default_set(SetKind::Urban);
        let awarded: Vec<String> = ["strong", "service", "safety"]
            .iter()
            .map(|s| (*s).to_owned())
            .collect();
        assert_eq!(
            held(&set, &awarded, &["service".to_owned()]),
            vec!["strong".to_owned(), "safety".to_owned()]
        );
        assert!(held(&set, &awarded, &["strong".to_owned()]).is_empty());
    }
    #[test]
    fn a_review_moves_one_step_at_a_time() {
        use Stage::*;
        assert_eq!(next_stage(Draft, "submit", false), Ok(Submitted));
        assert_eq!(next_stage(Submitted, "score", false), Ok(Scored));
        assert_eq!(next_stage(Scored, "publish", false), Ok(Public));
        assert_eq!(next_stage(Public, "award", false), Ok(Awarded));
        assert_eq!(next_stage(Public, "uphold", false), Ok(Submitted));
        assert_eq!(next_stage(Scored, "return", false), Ok(Draft));
        // Two levels: no publication before the check.
        assert!(
            next_stage(Scored, "publish", true)
                .expect_err("unchecked")
                .contains("复核")
        );
        assert_eq!(next_stage(Scored, "check", true), Ok(Checked));
        assert_eq!(next_stage(Checked, "publish", true), Ok(Public));
        assert!(next_stage(Scored, "check", false).is_err());
        // Nothing after the award but withdrawals (not a stage change).
        assert!(next_stage(Awarded, "score", false).is_err());
        assert!(next_stage(Draft, "award", false).is_err());
        assert!(next_stage(Public, "return", false).is_err());
        for s in Stage::ALL {
            assert_eq!(Stage::parse(s.as_str()), Some(s));
        }
    }
}
