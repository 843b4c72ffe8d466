//! The case loop (诉求/事件): report, screen, route, dispatch, handle, feed back, verify, rate,
//! close — with working-time deadlines, pressing, notifications and the three rates.
//!
//! The rules live in the pure core (`wangge_core::case`, `worktime`, `category`, `routing`,
//! `rates`, `photo`, `classify`); this slice holds their storage ([`entity`]), the editable
//! reference data ([`catalog`]), the services ([`service`]), the suggestion ([`suggest`]),
//! notifications ([`notify`]), photos ([`files`]), the pressing job ([`press`]), the JSON API
//! ([`handlers`]) and the pages ([`pages`]). The engine carries a case *kind*, so disputes and
//! hazards can reuse it.

pub mod catalog;
pub mod entity;
pub mod files;
pub mod handlers;
pub mod intake;
pub mod notify;
pub mod pages;
pub mod press;
pub mod public;
pub mod service;
pub mod suggest;
