//! The people registry: buildings' households and their residents, with personal data sealed
//! at rest ([`vault`]).

pub mod vault;
