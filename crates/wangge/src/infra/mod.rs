//! Infrastructure: what every slice stands on and none of them is named by. The error type,
//! the clock, the configuration, caches, the database (connections, the scope filter,
//! transactions, migrations, backups), settings, the data vault, tokens and passwords.

pub mod access;
pub mod audit;
pub mod cache;
pub mod clock;
pub mod config;
pub mod db;
pub mod error;
pub mod files;
pub mod notify;
pub mod password;
pub mod settings;
pub mod tokens;
pub mod vault;
