//! pb-bot: a Telegram bot that runs a district's participatory budgeting in chat.
//!
//! `domain` holds the pure PB rules, `store` alone speaks SQL, `bot` alone speaks Telegram,
//! `i18n` renders every message in Korean and English, and `config` reads the district file.

pub mod bot;
pub mod chart;
pub mod cli;
pub mod config;
pub mod domain;
pub mod i18n;
pub mod store;
