//! Place and people names for the demo: a fictional district, written for this project.

use super::Rng;

/// A district.
pub struct District {
    pub name: &'static str,
    pub code: &'static str,
}

/// A community or village.
pub struct Community {
    pub name: &'static str,
    pub short: &'static str,
    pub slug: &'static str,
}

/// A street or town with its communities.
pub struct Street {
    pub name: &'static str,
    pub short: &'static str,
    pub slug: &'static str,
    pub kind: &'static str,
    pub seq: u32,
    pub communities: &'static [Community],
}

/// The demo district (a fictional name and code).
pub const DISTRICT: District = District {
    name: "明湖区",
    code: "330199",
};

const fn c(name: &'static str, short: &'static str, slug: &'static str) -> Community {
    Community { name, short, slug }
}

/// Two streets and a town.
pub const STREETS: &[Street] = &[
    Street {
        name: "清河街道",
        short: "清河",
        slug: "qinghe",
        kind: "street",
        seq: 1,
        communities: &[
            c("柳岸社区", "柳岸", "liuan"),
            c("枫林社区", "枫林", "fenglin"),
            c("学府社区", "学府", "xuefu"),
            c("翠苑社区", "翠苑", "cuiyuan"),
        ],
    },
    Street {
        name: "望江街道",
        short: "望江",
        slug: "wangjiang",
        kind: "street",
        seq: 2,
        communities: &[
            c("江滨社区", "江滨", "jiangbin"),
            c("临江社区", "临江", "linjiang"),
            c("望潮社区", "望潮", "wangchao"),
        ],
    },
    Street {
        name: "青山镇",
        short: "青山",
        slug: "qingshan",
        kind: "town",
        seq: 101,
        communities: &[
            c("桃源村", "桃源", "taoyuan"),
            c("石桥村", "石桥", "shiqiao"),
            c("竹溪村", "竹溪", "zhuxi"),
            c("上塘村", "上塘", "shangtang"),
        ],
    },
];

/// Departments of the district.
pub const DISTRICT_DEPARTMENTS: &[(&str, &str, &str)] = &[
    ("明湖区信访局", "信访办", "受理群众来信来访，督办信访事项"),
    (
        "明湖区城市管理局",
        "城管中队",
        "市容环境、违章搭建、占道经营的执法与管理",
    ),
    (
        "明湖区市场监督管理局",
        "市场监管所",
        "食品安全、价格与消费投诉",
    ),
];

/// Departments of every street or town (the name is prefixed with the street's short name).
pub const STREET_DEPARTMENTS: &[(&str, &str, &str)] = &[
    ("派出所", "派出所", "治安、户籍与矛盾纠纷的联调联处"),
    ("司法所", "司法所", "人民调解、法律援助与社区矫正"),
    ("信访办", "信访办", "受理本辖区来信来访"),
    ("城管中队", "城管中队", "市容秩序、违章搭建、占道经营"),
    ("市场监管所", "市场监管所", "食品药品安全、消费纠纷"),
    ("应急管理办", "应急管理办", "安全生产、消防与防汛防台"),
    ("综治中心", "综治办", "事件受理、分拨、督办与考核"),
];

/// Chinese numerals for naming grids and groups.
pub const NUMERALS: [&str; 12] = [
    "一", "二", "三", "四", "五", "六", "七", "八", "九", "十", "十一", "十二",
];

const SURNAMES: &[&str] = &[
    "王", "李", "张", "刘", "陈", "杨", "黄", "赵", "吴", "周", "徐", "孙", "马", "朱", "胡", "郭",
    "何", "林", "罗", "高", "郑", "梁", "谢", "宋", "唐", "许", "韩", "冯", "邓", "曹", "彭", "曾",
    "沈", "蒋", "叶", "潘",
];
/// Given names as parents choose them for boys, and for girls.
const GIVEN_MALE: &[&str] = &[
    "伟", "强", "磊", "军", "洋", "勇", "杰", "涛", "明", "超", "刚", "平", "建华", "志强", "晓东",
    "国平", "鹏", "宇", "浩然", "思远", "建国", "海波", "俊杰", "子豪",
];
const GIVEN_FEMALE: &[&str] = &[
    "芳", "娜", "敏", "静", "丽", "艳", "娟", "秀英", "霞", "桂英", "红", "玉兰", "海燕", "春梅",
    "雪", "婷", "欣怡", "子涵", "晓梅", "丽华", "美玲", "雨萱",
];

/// A believable full name, of a man or a woman.
pub fn person(rng: &mut Rng) -> String {
    let surname = surname(rng);
    // One draw over both lists (the demo's other numbers follow from the same stream).
    let i = rng.range(0, (GIVEN_MALE.len() + GIVEN_FEMALE.len() - 1) as u64) as usize;
    let given = GIVEN_MALE
        .get(i)
        .or_else(|| GIVEN_FEMALE.get(i - GIVEN_MALE.len()))
        .copied()
        .unwrap_or("伟");
    format!("{surname}{given}")
}

/// A surname.
pub fn surname(rng: &mut Rng) -> &'static str {
    let s: &&'static str = rng.pick(SURNAMES);
    s
}

/// A given name for a man or a woman.
pub fn given(rng: &mut Rng, male: bool) -> &'static str {
    let g: &&'static str = rng.pick(if male { GIVEN_MALE } else { GIVEN_FEMALE });
    g
}
