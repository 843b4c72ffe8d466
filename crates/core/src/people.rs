//! The people registry's rules: resident ID numbers (GB 11643) and phones, parsed once and
//! masked wherever shown; the code lists a record is made of (ethnic groups after GB 3304,
//! political status after GB/T 4762, residence status, relation to the head of household,
//! household type, the care-group tags a street starts with); and the pinyin initials that let
//! a grid worker find 张三丰 by typing "zsf".

use crate::validate::Invalid;
use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};

fn invalid(msg: impl Into<String>) -> Invalid {
    Invalid(msg.into())
}

// ---------------------------------------------------------------------------------------------
// ID numbers

/// GB 11643 weights of the first 17 characters.
const WEIGHTS: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
/// The check character for each remainder mod 11.
const CHECK: [u8; 11] = *b"10X98765432";

/// Province-level codes (the first two digits) in use, mainland, Hong Kong, Macao and Taiwan.
const PROVINCES: [u8; 35] = [
    11, 12, 13, 14, 15, 21, 22, 23, 31, 32, 33, 34, 35, 36, 37, 41, 42, 43, 44, 45, 46, 50, 51, 52,
    53, 54, 61, 62, 63, 64, 65, 71, 81, 82, 83,
];

/// The check character of the first 17 digits.
pub fn check_char(first17: &[u8]) -> char {
    let sum: u32 = first17
        .iter()
        .zip(WEIGHTS)
        .map(|(d, w)| u32::from(d - b'0') * w)
        .sum();
    char::from(CHECK[(sum % 11) as usize])
}

/// A gender, as an ID number and a registry record carry it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Gender {
    /// 男.
    Male,
    /// 女.
    Female,
}

impl Gender {
    /// The stored word.
    pub fn as_str(self) -> &'static str {
        match self {
            Gender::Male => "male",
            Gender::Female => "female",
        }
    }

    /// 男 / 女.
    pub fn label(self) -> &'static str {
        match self {
            Gender::Male => "男",
            Gender::Female => "女",
        }
    }

    /// Parses the stored word or the Chinese label.
    pub fn parse(s: &str) -> Option<Gender> {
        match s.trim() {
            "male" | "男" | "M" | "m" => Some(Gender::Male),
            "female" | "女" | "F" | "f" => Some(Gender::Female),
            _ => None,
        }
    }
}

/// An 18-character resident ID number whose check digit, region and birth date are valid.
/// It never prints itself: `Debug` and [`IdNumber::masked`] show `110101********1234`.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct IdNumber(String);

impl std::fmt::Debug for IdNumber {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "IdNumber({})", self.masked())
    }
}

impl IdNumber {
    /// Parses an ID number: 17 digits and a check character (digit or X, either case), spaces
    /// around it ignored.
    pub fn parse(raw: &str) -> Result<IdNumber, Invalid> {
        let s: String = raw.trim().to_ascii_uppercase();
        if s.is_empty() {
            return Err(invalid("身份证号不能为空"));
        }
        let b = s.as_bytes();
        if b.len() != 18 {
            return Err(invalid(format!(
                "身份证号应为 18 位（现在 {} 位）",
                s.chars().count()
            )));
        }
        if !b[..17].iter().all(u8::is_ascii_digit) || !(b[17].is_ascii_digit() || b[17] == b'X') {
            return Err(invalid("身份证号只能由数字组成，最后一位可以是 X"));
        }
        let province = (b[0] - b'0') * 10 + (b[1] - b'0');
        if !PROVINCES.contains(&province) {
            return Err(invalid("身份证号的前两位不是有效的省级行政区划代码"));
        }
        let birth = birth_of(b).ok_or_else(|| invalid("身份证号中的出生日期不是有效日期"))?;
        if birth.year() < 1900 {
            return Err(invalid("身份证号中的出生日期早于 1900 年"));
        }
        let want = check_char(&b[..17]);
        if char::from(b[17]) != want {
            return Err(invalid("身份证号校验位不对，请核对是否输错"));
        }
        Ok(IdNumber(s))
    }

    /// The full number: only for encryption and the audited full view.
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// The birth date it encodes.
    pub fn birth_date(&self) -> NaiveDate {
        birth_of(self.0.as_bytes()).unwrap_or_default()
    }

    /// The gender it encodes (the 17th digit: odd for men).
    pub fn gender(&self) -> Gender {
        if (self.0.as_bytes()[16] - b'0') % 2 == 1 {
            Gender::Male
        } else {
            Gender::Female
        }
    }

    /// The region code (first six digits).
    pub fn region(&self) -> &str {
        &self.0[..6]
    }

    /// The last four characters: shown in the masked form, so stored in clear for search.
    pub fn tail(&self) -> &str {
        &self.0[14..]
    }

    /// `110101********1234`.
    pub fn masked(&self) -> String {
        mask_id(&self.0)
    }

    /// Checks a birth date and gender typed beside the number against it.
    pub fn agrees(&self, birth: Option<NaiveDate>, gender: Option<Gender>) -> Result<(), Invalid> {
        if let Some(d) = birth
            && d != self.birth_date()
        {
            return Err(invalid(format!(
                "出生日期 {d} 与身份证号中的 {} 不一致",
                self.birth_date()
            )));
        }
        if let Some(g) = gender
            && g != self.gender()
        {
            return Err(invalid(format!(
                "性别“{}”与身份证号（{}）不一致",
                g.label(),
                self.gender().label()
            )));
        }
        Ok(())
    }
}

fn birth_of(b: &[u8]) -> Option<NaiveDate> {
    let num = |r: std::ops::Range<usize>| -> Option<u32> {
        std::str::from_utf8(&b[r]).ok()?.parse().ok()
    };
    NaiveDate::from_ymd_opt(num(6..10)? as i32, num(10..12)?, num(12..14)?)
}

/// Keeps the first `head` and last `tail` characters and stars the rest; a value too short
/// to hide anything that way is starred whole.
fn mask(s: &str, head: usize, tail: usize) -> String {
    let c: Vec<char> = s.chars().collect();
    if c.len() <= head + tail {
        return "*".repeat(c.len());
    }
    let mut out: String = c[..head].iter().collect();
    out.push_str(&"*".repeat(c.len() - head - tail));
    out.extend(&c[c.len() - tail..]);
    out
}

/// Masks an ID-like string: the first six and last four characters kept, stars between.
pub fn mask_id(s: &str) -> String {
    mask(s, 6, 4)
}

/// Builds a valid ID number from a region code, a birth date and a sequence number (0–999;
/// odd for men): for the demo and tests.
pub fn make_id(region: &str, birth: NaiveDate, seq: u32) -> IdNumber {
    let first17 = format!("{region:0>6.6}{}{:03}", birth.format("%Y%m%d"), seq % 1000);
    let check = check_char(first17.as_bytes());
    IdNumber(format!("{first17}{check}"))
}

// ---------------------------------------------------------------------------------------------
// Phones

/// A phone number: an 11-digit mainland mobile (1[3-9]…) or a landline of 7–8 digits with an
/// optional area code (0xx or 0xxx) and extension-free. Stored as digits with the area code
/// joined by `-`. Like [`IdNumber`], it never prints itself in full.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct Phone(String);

impl std::fmt::Debug for Phone {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Phone({})", self.masked())
    }
}

impl Phone {
    /// Parses a phone as people type it: spaces, dashes and a leading +86 allowed.
    pub fn parse(raw: &str) -> Result<Phone, Invalid> {
        let t = raw.trim();
        if t.is_empty() {
            return Err(invalid("电话号码不能为空"));
        }
        let t = t.strip_prefix("+86").unwrap_or(t);
        let parts: Vec<&str> = t.split(['-', ' ', '—']).filter(|p| !p.is_empty()).collect();
        if parts.iter().any(|p| !p.bytes().all(|b| b.is_ascii_digit())) {
            return Err(invalid("电话号码只能包含数字（可带区号和“-”）"));
        }
        let digits: String = parts.concat();
        let b = digits.as_bytes();
        if b.len() == 11 && b[0] == b'1' && (b'3'..=b'9').contains(&b[1]) {
            return Ok(Phone(digits));
        }
        let ok_local = |s: &str| (7..=8).contains(&s.len()) && !s.starts_with('0');
        match parts.as_slice() {
            [area, local]
                if (3..=4).contains(&area.len()) && area.starts_with('0') && ok_local(local) =>
            {
                Ok(Phone(format!("{area}-{local}")))
            }
            [local] if ok_local(local) => Ok(Phone(digits)),
            _ => Err(invalid(
                "电话号码格式不对：手机号为 11 位，固定电话为 7–8 位（可加区号，如 0571-88886666）",
            )),
        }
    }

    /// The full number: only for encryption and the audited full view.
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// The last four digits (shown in the masked form).
    pub fn tail(&self) -> &str {
        &self.0[self.0.len() - 4..]
    }

    /// `138****5678`.
    pub fn masked(&self) -> String {
        mask_phone(&self.0)
    }
}

/// Masks a phone: the first three and last four characters kept, stars between.
pub fn mask_phone(p: &str) -> String {
    mask(p, 3, 4)
}

// ---------------------------------------------------------------------------------------------
// Code lists

/// The 56 ethnic groups in GB 3304 order (code = index + 1), then 97 其他 and 98 外国血统.
pub const ETHNICITIES: [&str; 58] = [
    "汉族",
    "蒙古族",
    "回族",
    "藏族",
    "维吾尔族",
    "苗族",
    "彝族",
    "壮族",
    "布依族",
    "朝鲜族",
    "满族",
    "侗族",
    "瑶族",
    "白族",
    "土家族",
    "哈尼族",
    "哈萨克族",
    "傣族",
    "黎族",
    "傈僳族",
    "佤族",
    "畲族",
    "高山族",
    "拉祜族",
    "水族",
    "东乡族",
    "纳西族",
    "景颇族",
    "柯尔克孜族",
    "土族",
    "达斡尔族",
    "仫佬族",
    "羌族",
    "布朗族",
    "撒拉族",
    "毛南族",
    "仡佬族",
    "锡伯族",
    "阿昌族",
    "普米族",
    "塔吉克族",
    "怒族",
    "乌孜别克族",
    "俄罗斯族",
    "鄂温克族",
    "德昂族",
    "保安族",
    "裕固族",
    "京族",
    "塔塔尔族",
    "独龙族",
    "鄂伦春族",
    "赫哲族",
    "门巴族",
    "珞巴族",
    "基诺族",
    "其他",
    "外国血统中国籍人士",
];

/// The GB 3304 code of an ethnic group (01–56, 97, 98) given its name, with or without the
/// trailing 族 ("汉" and "汉族" both work), or its two-digit code.
pub fn ethnicity_code(s: &str) -> Option<u8> {
    let s = s.trim();
    if let Ok(n) = s.parse::<u8>() {
        return ((1..=56).contains(&n) || n == 97 || n == 98).then_some(n);
    }
    let i = ETHNICITIES
        .iter()
        .position(|e| *e == s || e.strip_suffix('族') == Some(s))?;
    Some(match i {
        56 => 97,
        57 => 98,
        i => i as u8 + 1,
    })
}

/// The name of a GB 3304 code.
pub fn ethnicity_name(code: u8) -> Option<&'static str> {
    match code {
        1..=56 => Some(ETHNICITIES[code as usize - 1]),
        97 => Some(ETHNICITIES[56]),
        98 => Some(ETHNICITIES[57]),
        _ => None,
    }
}

/// Defines a closed code list: stored word → Chinese label, with `parse` accepting either.
macro_rules! code_list {
    ($(#[$m:meta])* $name:ident { $($(#[$vm:meta])* $v:ident = ($word:literal, $label:literal $(, $alias:literal)*)),+ $(,)? }) => {
        $(#[$m])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
        #[serde(rename_all = "snake_case")]
        pub enum $name { $($(#[$vm])* $v),+ }

        impl $name {
            /// Every value, in display order.
            pub const ALL: &'static [$name] = &[$($name::$v),+];

            /// The stored word.
            pub fn as_str(self) -> &'static str {
                match self { $($name::$v => $word),+ }
            }

            /// The Chinese label.
            pub fn label(self) -> &'static str {
                match self { $($name::$v => $label),+ }
            }

            /// Parses the stored word, the label or a common alias.
            pub fn parse(s: &str) -> Option<$name> {
                match s.trim() {
                    $($word | $label $(| $alias)* => Some($name::$v),)+
                    _ => None,
                }
            }
        }
    };
}

code_list! {
    /// 户籍 / 流动 / 境外: where a resident's household registration is.
    ResidenceStatus {
        /// Registered here (户籍人口).
        Registered = ("registered", "户籍", "户籍人口", "常住"),
        /// Living here, registered elsewhere (流动人口).
        Floating = ("floating", "流动", "流动人口", "外来"),
        /// From outside the mainland (境外人员).
        Overseas = ("overseas", "境外", "境外人员"),
    }
}

code_list! {
    /// Political status (政治面貌), after GB/T 4762.
    PoliticalStatus {
        /// 中共党员.
        PartyMember = ("party_member", "中共党员", "党员"),
        /// 中共预备党员.
        ProbationaryMember = ("probationary_member", "中共预备党员", "预备党员"),
        /// 共青团员.
        LeagueMember = ("league_member", "共青团员", "团员"),
        /// A member of one of the eight other parties.
        DemocraticParty = ("democratic_party", "民主党派"),
        /// 无党派人士.
        NonParty = ("non_party", "无党派人士"),
        /// 群众.
        Masses = ("masses", "群众"),
    }
}

code_list! {
    /// Relation to the head of household (与户主关系).
    Relation {
        /// 户主.
        Head = ("head", "户主", "本人"),
        /// 配偶.
        Spouse = ("spouse", "配偶", "妻", "夫", "妻子", "丈夫"),
        /// 子.
        Son = ("son", "子", "儿子", "长子", "次子"),
        /// 女.
        Daughter = ("daughter", "女", "女儿", "长女", "次女"),
        /// 父亲 / 母亲.
        Parent = ("parent", "父母", "父亲", "母亲", "父", "母"),
        /// 祖父母 / 外祖父母.
        Grandparent = ("grandparent", "祖父母", "祖父", "祖母", "外祖父", "外祖母"),
        /// 孙子女 / 外孙子女.
        Grandchild = ("grandchild", "孙子女", "孙子", "孙女", "外孙", "外孙女"),
        /// 兄弟姐妹.
        Sibling = ("sibling", "兄弟姐妹", "兄", "弟", "姐", "妹"),
        /// 儿媳 / 女婿.
        InLaw = ("in_law", "儿媳/女婿", "儿媳", "女婿"),
        /// 租户 / 其他.
        Other = ("other", "其他", "租户", "保姆"),
    }
}

code_list! {
    /// How a dwelling is used (房屋性质).
    HouseholdType {
        /// 自住.
        Owner = ("owner", "自住", "自有"),
        /// 出租.
        Rented = ("rented", "出租", "租住"),
        /// 空置.
        Vacant = ("vacant", "空置", "空房"),
        /// 商用.
        Commercial = ("commercial", "商用", "经营"),
    }
}

/// The care-group tags a street starts with (editable afterwards): (code, label).
pub const DEFAULT_TAGS: [(&str, &str); 12] = [
    ("dibao", "低保"),
    ("tekun", "特困"),
    ("disabled", "残疾"),
    ("lonely_elder", "独居老人"),
    ("senior_80", "高龄老人"),
    ("left_child", "留守儿童"),
    ("left_woman", "留守妇女"),
    ("left_elder", "留守老人"),
    ("veteran", "退役军人"),
    ("key_person", "重点人员"),
    ("serious_ill", "大病患者"),
    ("rectify", "社区矫正"),
];

/// Whole years between a birth date and a day.
pub fn age_on(birth: NaiveDate, day: NaiveDate) -> i32 {
    let mut age = day.year() - birth.year();
    if (day.month(), day.day()) < (birth.month(), birth.day()) {
        age -= 1;
    }
    age
}

// ---------------------------------------------------------------------------------------------
// Pinyin initials

/// Surnames whose reading differs from the character's common one (曾 is zēng as a name,
/// 单 is shàn …): the initial used when the character opens a name.
const SURNAME_INITIALS: [(char, char); 14] = [
    ('曾', 'z'),
    ('单', 's'),
    ('解', 'x'),
    ('仇', 'q'),
    ('朴', 'p'),
    ('查', 'z'),
    ('区', 'o'),
    ('尉', 'y'),
    ('乐', 'y'),
    ('覃', 'q'),
    ('盖', 'g'),
    ('缪', 'm'),
    ('翟', 'z'),
    ('种', 'c'),
];

/// The pinyin initials of a name, lower-case: 张三丰 → "zsf", 曾小贤 → "zxx". Latin letters
/// and digits are kept (lower-cased); anything else without a reading is dropped.
pub fn initials(name: &str) -> String {
    use pinyin::ToPinyin;
    let mut out = String::with_capacity(name.len());
    for (i, ch) in name.trim().chars().enumerate() {
        if let Some(&(_, c)) = SURNAME_INITIALS.iter().find(|x| i == 0 && x.0 == ch) {
            out.push(c);
        } else if let Some(p) = ch.to_pinyin() {
            out.push_str(p.first_letter());
        } else if ch.is_ascii_alphanumeric() {
            out.push(ch.to_ascii_lowercase());
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).expect("date")
    }

    #[test]
    fn check_digit_follows_gb_11643() {
        // The standard's own example.
        assert_eq!(check_char(b"11010519491231002"), 'X');
        let id = IdNumber::parse("11010519491231002x").expect("valid");
        assert_eq!(id.expose(), "11010519491231002X");
        assert_eq!(id.birth_date(), d(1949, 12, 31));
        assert_eq!(id.gender(), Gender::Female);
        assert_eq!(id.masked(), "110105********002X");
        assert_eq!(id.tail(), "002X");
        assert_eq!(format!("{id:?}"), "IdNumber(110105********002X)");
    }

    #[test]
    fn bad_ids_say_why() {
        let e = |s| IdNumber::parse(s).expect_err(s).0;
        assert!(e("11010519491231002").contains("18 位"));
        assert!(e("1101051949123100A2").contains("数字"));
        assert!(e("110105194912310021").contains("校验位"));
        assert!(e("990105194912310020").contains("省级"));
        assert!(e("110105194902300020").contains("出生日期"));
        assert!(e("").contains("不能为空"));
    }

    #[test]
    fn made_ids_are_valid_and_agree() {
        for (seq, g) in [(11, Gender::Male), (12, Gender::Female)] {
            let id = make_id("330106", d(1988, 2, 29), seq);
            let again = IdNumber::parse(id.expose()).expect("valid");
            assert_eq!(again.birth_date(), d(1988, 2, 29));
            assert_eq!(again.gender(), g);
            assert!(again.agrees(Some(d(1988, 2, 29)), Some(g)).is_ok());
        }
        let id = make_id("330106", d(1988, 2, 29), 11);
        assert!(
            id.agrees(Some(d(1988, 3, 1)), None)
                .expect_err("refused")
                .0
                .contains("不一致")
        );
        assert!(
            id.agrees(None, Some(Gender::Female))
                .expect_err("refused")
                .0
                .contains("性别")
        );
    }

    #[test]
    fn phones_parse_and_mask() {
        let p = Phone::parse("+86 138-0013-5678").expect("mobile");
        assert_eq!(p.expose(), "13800135678");
        assert_eq!(p.masked(), "138****5678");
        assert_eq!(p.tail(), "5678");
        assert_eq!(format!("{p:?}"), "Phone(138****5678)");
        assert_eq!(
            Phone::parse("0571-88886666").expect("landline").expose(),
            "0571-88886666"
        );
        assert_eq!(
            Phone::parse("88886666").expect("local").expose(),
            "88886666"
        );
        for bad in ["12345", "1380013567", "12800135678", "电话", "0571-0888666"] {
            assert!(Phone::parse(bad).is_err(), "{bad}");
        }
        assert_eq!(mask_phone("0571-88886666"), "057******6666");
    }

    #[test]
    fn ethnic_groups_follow_gb_3304() {
        assert_eq!(ETHNICITIES.len(), 58);
        assert_eq!(ethnicity_code("汉族"), Some(1));
        assert_eq!(ethnicity_code("汉"), Some(1));
        assert_eq!(ethnicity_code("基诺族"), Some(56));
        assert_eq!(ethnicity_code("08"), Some(8));
        assert_eq!(ethnicity_code("其他"), Some(97));
        assert_eq!(ethnicity_code("火星族"), None);
        assert_eq!(ethnicity_code("57"), None);
        assert_eq!(ethnicity_name(8), Some("壮族"));
        assert_eq!(ethnicity_name(98), Some("外国血统中国籍人士"));
    }

    #[test]
    fn code_lists_take_labels_and_aliases() {
        assert_eq!(Relation::parse("妻子"), Some(Relation::Spouse));
        assert_eq!(Relation::parse("head"), Some(Relation::Head));
        assert_eq!(
            ResidenceStatus::parse("流动人口"),
            Some(ResidenceStatus::Floating)
        );
        assert_eq!(
            PoliticalStatus::parse("党员"),
            Some(PoliticalStatus::PartyMember)
        );
        assert_eq!(HouseholdType::parse("出租"), Some(HouseholdType::Rented));
        assert_eq!(HouseholdType::parse("别墅"), None);
        assert_eq!(Gender::parse("女"), Some(Gender::Female));
    }

    #[test]
    fn initials_of_names() {
        assert_eq!(initials("张三丰"), "zsf");
        assert_eq!(initials("曾小贤"), "zxx");
        assert_eq!(initials("单田芳"), "stf");
        assert_eq!(initials(" 欧阳Lin2 "), "oylin2");
        assert_eq!(initials("阿依·买买提"), "aymmt");
    }

    #[test]
    fn age_counts_whole_years() {
        assert_eq!(age_on(d(2000, 6, 15), d(2026, 6, 14)), 25);
        assert_eq!(age_on(d(2000, 6, 15), d(2026, 6, 15)), 26);
    }
}
