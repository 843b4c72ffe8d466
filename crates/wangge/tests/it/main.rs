//! The one integration-test binary: every test starts the real application (the full
//! router with its middleware) on a random loopback port against a fresh database — a
//! SQLite file, or a fresh PostgreSQL schema when `WANGGE_TEST_POSTGRES_URL` is set — filled
//! with the seeded demo street, and talks HTTP to it.

mod answers;
mod architecture;
mod auth;
mod case_tallies;
mod cases;
mod cli;
mod dashboard;
mod errands;
mod figures;
mod guards;
mod layers;
mod openapi;
mod org;
mod pages;
mod party;
mod party_errands;
mod party_honours;
mod party_members;
mod party_pledges;
mod party_serve;
mod party_shape;
mod party_stars;
mod party_wishes;
mod people;
mod races;
mod ranking;
mod routes;
mod scope;
mod screens;
mod support;
mod trust;
mod users;
