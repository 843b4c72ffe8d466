//! The org tree and the departments attached to it: the places of a deployment, from the
//! district down to buildings, each with a materialized path that scopes every other row.

pub mod directory;
pub mod entity;
pub mod handlers;
pub mod import;
pub mod map;
pub mod pages;
pub mod service;

/// Kinds of departments (职能部门) a node can hold; the UI offers these, the API accepts any.
pub const DEPARTMENT_KINDS: &[&str] = &[
    "派出所",
    "司法所",
    "信访办",
    "综治办",
    "城管中队",
    "市场监管所",
    "应急管理办",
    "卫生健康办",
    "民政办",
    "自然资源所",
    "人大代表联络站",
    "供电所",
    "自来水公司",
    "燃气公司",
    "物业公司",
    "业委会",
    "学校",
    "其他",
];
