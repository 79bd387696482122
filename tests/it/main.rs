//! The integration tests: flows through the bot against teloxide_tests' mock server, the store,
//! the locales, and the real binary against a fake Bot API server.

mod admin;
mod attendance;
mod ballots;
mod browse;
mod delivery;
mod e2e;
mod execution;
mod fake_api;
mod helpers;
mod locales;
mod meetings;
mod migrate;
mod outcomes;
mod pabulib;
mod propose;
mod replicas;
mod results;
mod schedule;
mod start;
mod store;
mod subscribe;
mod verify;
mod verify_cli;
mod vote;
