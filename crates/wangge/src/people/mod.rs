//! The people registry: buildings' households and the residents in them, their moves, tags,
//! archives and visits; personal data sealed at rest ([`vault`]) and masked everywhere else.

pub mod archive;
pub mod entity;
pub mod handlers;
pub mod import;
pub mod pages;
pub mod service;
