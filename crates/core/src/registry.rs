//! A resident's record as it arrives — typed in a form, sent to the API or read from a row of a
//! population ledger — checked into a value the registry can store. One rule for all three,
//! so a row the import accepts is a record the form would accept.

use crate::people::{
    Gender, IdNumber, PoliticalStatus, Relation, ResidenceStatus, ethnicity_code, initials,
};
use crate::people::{Phone, age_on};
use crate::validate::Invalid;
use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};

/// The fields of a resident as text, the way every source brings them.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(default)]
pub struct ResidentInput {
    /// 姓名.
    pub name: String,
    /// 性别 (optional: the ID number says it).
    pub gender: String,
    /// 出生日期 (optional: the ID number says it).
    pub birth_date: String,
    /// 民族 (name or GB 3304 code; empty means 汉族).
    pub ethnicity: String,
    /// 公民身份号码.
    pub id_number: String,
    /// 联系电话 (optional).
    pub phone: String,
    /// 人口类型: 户籍 / 流动 / 境外 (empty means 户籍).
    pub residence: String,
    /// 政治面貌 (empty means 群众).
    pub political: String,
    /// 与户主关系 (empty means 其他).
    pub relation: String,
    /// 工作单位或学校.
    pub work_unit: String,
    /// Care-group tags, separated by 、 , ; or spaces.
    pub tags: String,
    /// 备注.
    pub note: String,
}

/// A checked resident.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Resident {
    pub name: String,
    /// Pinyin initials of the name, for search.
    pub initials: String,
    pub gender: Gender,
    pub birth_date: NaiveDate,
    /// GB 3304 code.
    pub ethnicity: u8,
    pub id_number: IdNumber,
    pub phone: Option<Phone>,
    pub residence: ResidenceStatus,
    pub political: PoliticalStatus,
    pub relation: Relation,
    pub work_unit: String,
    /// Tag names as written (checked against the street's list by the caller).
    pub tags: Vec<String>,
    pub note: String,
}

/// The longest name kept (names of some ethnic groups run long when transcribed).
pub const NAME_MAX: usize = 40;
/// The longest work unit or note kept.
pub const TEXT_MAX: usize = 200;

/// Checks a resident's fields on `today` (no one is born after it). The first problem found is
/// reported, in Chinese.
pub fn check(input: &ResidentInput, today: NaiveDate) -> Result<Resident, Invalid> {
    let name = input.name.trim();
    if name.is_empty() {
        return Err(Invalid("姓名不能为空".into()));
    }
    if name.chars().count() > NAME_MAX {
        return Err(Invalid(format!("姓名不能超过 {NAME_MAX} 个字")));
    }
    if name.chars().any(char::is_control) {
        return Err(Invalid("姓名含有不可见字符".into()));
    }
    if input.id_number.trim().is_empty() {
        return Err(Invalid("公民身份号码不能为空".into()));
    }
    let id_number = IdNumber::parse(&input.id_number)?;
    if id_number.birth_date() > today {
        return Err(Invalid("身份证号中的出生日期晚于今天，请核对".into()));
    }
    let gender = if input.gender.trim().is_empty() {
        None
    } else {
        Some(
            Gender::parse(&input.gender)
                .ok_or_else(|| Invalid(format!("性别“{}”只能填 男 或 女", input.gender.trim())))?,
        )
    };
    let birth = if input.birth_date.trim().is_empty() {
        None
    } else {
        Some(parse_date(&input.birth_date)?)
    };
    id_number.agrees(birth, gender)?;
    let ethnicity = if input.ethnicity.trim().is_empty() {
        1
    } else {
        ethnicity_code(&input.ethnicity).ok_or_else(|| {
            Invalid(format!(
                "未知的民族“{}”（请填 56 个民族之一，如 汉族、回族，或 其他、外国血统）",
                input.ethnicity.trim()
            ))
        })?
    };
    let phone = if input.phone.trim().is_empty() {
        None
    } else {
        Some(Phone::parse(&input.phone)?)
    };
    let pick = |raw: &str, what: &str, all: &[&str]| {
        Invalid(format!(
            "未知的{what}“{}”（可填：{}）",
            raw.trim(),
            all.join("、")
        ))
    };
    let residence = if input.residence.trim().is_empty() {
        ResidenceStatus::Registered
    } else {
        ResidenceStatus::parse(&input.residence).ok_or_else(|| {
            let all: Vec<&str> = ResidenceStatus::ALL.iter().map(|x| x.label()).collect();
            pick(&input.residence, "人口类型", &all)
        })?
    };
    let political = if input.political.trim().is_empty() {
        PoliticalStatus::Masses
    } else {
        PoliticalStatus::parse(&input.political).ok_or_else(|| {
            let all: Vec<&str> = PoliticalStatus::ALL.iter().map(|x| x.label()).collect();
            pick(&input.political, "政治面貌", &all)
        })?
    };
    let relation = if input.relation.trim().is_empty() {
        Relation::Other
    } else {
        Relation::parse(&input.relation).ok_or_else(|| {
            let all: Vec<&str> = Relation::ALL.iter().map(|x| x.label()).collect();
            pick(&input.relation, "与户主关系", &all)
        })?
    };
    let work_unit = bounded("工作单位", &input.work_unit)?;
    let note = bounded("备注", &input.note)?;
    Ok(Resident {
        initials: initials(name),
        name: name.to_owned(),
        gender: id_number.gender(),
        birth_date: id_number.birth_date(),
        ethnicity,
        id_number,
        phone,
        residence,
        political,
        relation,
        work_unit,
        tags: split_tags(&input.tags),
        note,
    })
}

fn bounded(what: &str, raw: &str) -> Result<String, Invalid> {
    let s = raw.trim();
    if s.chars().count() > TEXT_MAX {
        return Err(Invalid(format!("{what}不能超过 {TEXT_MAX} 个字")));
    }
    Ok(s.to_owned())
}

/// Splits a cell of tags: 低保、残疾 / 低保,残疾 / 低保；残疾 / 低保 残疾. Duplicates are dropped.
pub fn split_tags(raw: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for t in raw.split(['、', ',', '，', ';', '；', '/', ' ', '|']) {
        let t = t.trim();
        if !t.is_empty() && !out.iter().any(|x| x == t) {
            out.push(t.to_owned());
        }
    }
    out
}

/// Reads a date the ways ledgers write it: 1990-01-02, 1990/1/2, 1990.1.2, 1990年1月2日,
/// 19900102.
pub fn parse_date(raw: &str) -> Result<NaiveDate, Invalid> {
    let s = raw.trim();
    let bad = || Invalid(format!("日期“{s}”无法识别（请写成 1990-01-02）"));
    let parts: Vec<&str> = s
        .split(['-', '/', '.', '年', '月', '日'])
        .filter(|p| !p.is_empty())
        .collect();
    let (y, m, d) = match parts.as_slice() {
        [ymd] if ymd.len() == 8 && ymd.bytes().all(|b| b.is_ascii_digit()) => {
            (&ymd[..4], &ymd[4..6], &ymd[6..])
        }
        [y, m, d] => (*y, *m, *d),
        _ => return Err(bad()),
    };
    let num = |p: &str| p.trim().parse::<u32>().map_err(|_| bad());
    let date = NaiveDate::from_ymd_opt(num(y)? as i32, num(m)?, num(d)?).ok_or_else(bad)?;
    if date.year() < 1900 {
        return Err(bad());
    }
    Ok(date)
}

/// Age bands the registry filters by.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AgeBand {
    /// 0–17: minors.
    Minor,
    /// 18–59.
    Adult,
    /// 60–79.
    Senior,
    /// 80 and over (高龄).
    Aged,
}

impl AgeBand {
    /// Every band, youngest first.
    pub const ALL: [AgeBand; 4] = [
        AgeBand::Minor,
        AgeBand::Adult,
        AgeBand::Senior,
        AgeBand::Aged,
    ];

    /// The word used in URLs.
    pub fn as_str(self) -> &'static str {
        match self {
            AgeBand::Minor => "minor",
            AgeBand::Adult => "adult",
            AgeBand::Senior => "senior",
            AgeBand::Aged => "aged",
        }
    }

    /// The Chinese label.
    pub fn label(self) -> &'static str {
        match self {
            AgeBand::Minor => "未成年（0–17 岁）",
            AgeBand::Adult => "18–59 岁",
            AgeBand::Senior => "60–79 岁",
            AgeBand::Aged => "80 岁及以上",
        }
    }

    /// Parses the URL word.
    pub fn parse(s: &str) -> Option<AgeBand> {
        AgeBand::ALL.into_iter().find(|b| b.as_str() == s.trim())
    }

    fn years(self) -> (i32, Option<i32>) {
        match self {
            AgeBand::Minor => (0, Some(17)),
            AgeBand::Adult => (18, Some(59)),
            AgeBand::Senior => (60, Some(79)),
            AgeBand::Aged => (80, None),
        }
    }

    /// The birth dates of people in the band on a day, as `(after, up_to)`: born strictly
    /// after the first (if any) and on or before the second.
    pub fn births(self, today: NaiveDate) -> (Option<NaiveDate>, NaiveDate) {
        let (min, max) = self.years();
        let years_ago = |n: i32| {
            today
                .with_year(today.year() - n)
                // 29 February in a year without one: the day before counts as the birthday.
                .or_else(|| (today - chrono::Days::new(1)).with_year(today.year() - n))
                .unwrap_or(today)
        };
        (max.map(|m| years_ago(m + 1)), years_ago(min))
    }

    /// The band of an age.
    pub fn of(birth: NaiveDate, today: NaiveDate) -> AgeBand {
        let age = age_on(birth, today);
        AgeBand::ALL
            .into_iter()
            .rev()
            .find(|b| age >= b.years().0)
            .unwrap_or(AgeBand::Minor)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::people::make_id;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).expect("date")
    }

    const TODAY: NaiveDate = NaiveDate::from_ymd_opt(2026, 11, 23).expect("date");

    fn input(id: &str) -> ResidentInput {
        ResidentInput {
            name: " 张三丰 ".into(),
            id_number: id.into(),
            ..Default::default()
        }
    }

    #[test]
    fn a_minimal_row_takes_birth_and_gender_from_the_id() {
        let id = make_id("330106", d(1950, 3, 9), 12);
        let r = check(&input(id.expose()), TODAY).expect("valid");
        assert_eq!(r.name, "张三丰");
        assert_eq!(r.initials, "zsf");
        assert_eq!(r.birth_date, d(1950, 3, 9));
        assert_eq!(r.gender, id.gender());
        assert_eq!(r.ethnicity, 1);
        assert_eq!(r.residence, ResidenceStatus::Registered);
        assert_eq!(r.political, PoliticalStatus::Masses);
        assert_eq!(r.relation, Relation::Other);
        assert!(r.phone.is_none() && r.tags.is_empty());
    }

    #[test]
    fn every_field_is_read_and_cross_checked() {
        let id = make_id("330106", d(1988, 12, 1), 21);
        let mut i = input(id.expose());
        i.gender = id.gender().label().into();
        i.birth_date = "1988年12月1日".into();
        i.ethnicity = "回族".into();
        i.phone = "138 1234 5678".into();
        i.residence = "流动人口".into();
        i.political = "党员".into();
        i.relation = "长子".into();
        i.tags = "低保、残疾，低保".into();
        let r = check(&i, TODAY).expect("valid");
        assert_eq!(r.ethnicity, 3);
        assert_eq!(r.phone.as_ref().map(|p| p.expose()), Some("13812345678"));
        assert_eq!(r.residence, ResidenceStatus::Floating);
        assert_eq!(r.political, PoliticalStatus::PartyMember);
        assert_eq!(r.relation, Relation::Son);
        assert_eq!(r.tags, ["低保", "残疾"]);
    }

    #[test]
    fn bad_fields_say_what_is_wrong() {
        let id = make_id("330106", d(1988, 12, 1), 21);
        let err = |f: &dyn Fn(&mut ResidentInput)| {
            let mut i = input(id.expose());
            f(&mut i);
            check(&i, TODAY).expect_err("invalid").0
        };
        assert!(err(&|i| i.name.clear()).contains("姓名"));
        assert!(err(&|i| i.id_number.clear()).contains("身份号码"));
        let mut wrong = id.expose().to_owned();
        let last = if wrong.ends_with('0') { "1" } else { "0" };
        wrong.replace_range(17.., last);
        assert!(err(&|i| i.id_number = wrong.clone()).contains("校验"));
        assert!(err(&|i| i.birth_date = "1988-12-02".into()).contains("不一致"));
        let other = if id.gender() == Gender::Male {
            "女"
        } else {
            "男"
        };
        assert!(err(&|i| i.gender = other.into()).contains("不一致"));
        assert!(err(&|i| i.ethnicity = "火星族".into()).contains("民族"));
        assert!(err(&|i| i.phone = "12345".into()).len() > 2);
        assert!(err(&|i| i.residence = "常驻外星".into()).contains("户籍"));
        assert!(err(&|i| i.relation = "邻居".into()).contains("户主"));
        assert!(err(&|i| i.birth_date = "明天".into()).contains("日期"));
        assert!(err(&|i| i.work_unit = "长".repeat(201)).contains("200"));
        let unborn = make_id("330106", d(2026, 11, 24), 3);
        assert!(err(&|i| i.id_number = unborn.expose().to_owned()).contains("晚于今天"));
        let born_today = make_id("330106", TODAY, 3);
        assert!(check(&input(born_today.expose()), TODAY).is_ok());
    }

    #[test]
    fn dates_in_ledger_spellings() {
        for s in [
            "1990-01-02",
            "1990/1/2",
            "1990.01.02",
            "19900102",
            "1990年1月2日",
        ] {
            assert_eq!(parse_date(s).ok(), Some(d(1990, 1, 2)), "{s}");
        }
        for s in ["1990-02-30", "02/01/1990x", "1899-12-31", ""] {
            assert!(parse_date(s).is_err(), "{s}");
        }
    }

    #[test]
    fn age_bands_bound_birth_dates() {
        let today = d(2026, 11, 23);
        let (after, upto) = AgeBand::Aged.births(today);
        assert_eq!((after, upto), (None, d(1946, 11, 23)));
        let (after, upto) = AgeBand::Minor.births(today);
        assert_eq!((after, upto), (Some(d(2008, 11, 23)), today));
        // Born 2008-11-23 turns 18 today: an adult, not a minor.
        assert_eq!(AgeBand::of(d(2008, 11, 23), today), AgeBand::Adult);
        assert_eq!(AgeBand::of(d(2008, 11, 24), today), AgeBand::Minor);
        assert_eq!(AgeBand::of(d(1946, 11, 23), today), AgeBand::Aged);
        assert_eq!(AgeBand::of(d(1946, 11, 24), today), AgeBand::Senior);
        for b in AgeBand::ALL {
            let (after, upto) = b.births(today);
            assert_eq!(AgeBand::of(upto, today), b, "{b:?}");
            if let Some(a) = after {
                assert_ne!(AgeBand::of(a, today), b, "{b:?}");
            }
            assert_eq!(AgeBand::parse(b.as_str()), Some(b));
        }
        let leap = d(2028, 2, 29);
        assert_eq!(AgeBand::Adult.births(leap).1, d(2010, 2, 28));
    }
}
