//! wangge — party-building-led grid governance for Chinese towns and city streets.
//!
//! One binary serves a Chinese web UI and a JSON API. The layers, each importing only from those
//! below it (see ARCHITECTURE.md):
//! - [`app`]: the state, the router, the jobs, the home page; [`demo`]: the demo street;
//! - the slices, one folder per capability: [`org`] (the tree and departments), [`users`]
//!   (accounts), [`auth`] (logging in, sessions, tokens), [`audit`] (the log's pages), [`cases`]
//!   (the case loop), [`people`] (the registry);
//! - [`web`]: the web kit (who is calling, pages, forms, sheets, CSRF, static files, metrics);
//! - [`infra`]: infrastructure (errors, clock, config, caches, the database, the vault…);
//! - and below them all the pure rules of `wangge_core`.

pub mod app;
pub mod audit;
pub mod auth;
pub mod cases;
pub mod command;
pub mod demo;
pub mod infra;
pub mod org;
pub mod party;
pub mod people;
pub mod users;
pub mod web;

/// mimalloc instead of the C library's allocator: a request allocates many small strings on
/// two threads or more, where glibc's malloc spent a fifth of the intake benchmark's time.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

pub use app::{AppState, Server, open_vault};
