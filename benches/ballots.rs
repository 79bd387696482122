//! Ballot benchmark: ballots stored per second while many voters submit at once, through the
//! same store call `/vote` uses (the round and its projects read, the ballot checked against
//! the round's rules, stored under its voter key and the draft removed, in one transaction).
//!
//! For each level of concurrency, `VOTERS` voters (default 5,000) each submit one approval
//! ballot over 20 projects; then every voter changes their ballot once (the last one counts).
//! Reported: ballots per second, the median and 99th-percentile submit time, and a check that
//! exactly one ballot per voter remains.
//!
//! `cargo bench --bench ballots` (SQLite); `BENCH_DATABASE_URL=postgres://…/db` for PostgreSQL
//! (an empty database the benchmark may fill).

mod common;

use std::time::{Duration, Instant};

use pb_bot::{
    domain::{
        ballot::{Ballot, receipt},
        verification::Secret,
    },
    store::{CastOutcome, Source, Store},
};
use rand::{Rng, seq::IndexedRandom};

const PROJECTS: i64 = 20;

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    sorted[((sorted.len() - 1) as f64 * p).round() as usize]
}

/// Every voter submits one ballot, `tasks` at a time; returns the submit times.
async fn submit_all(store: &Store, round: i64, keys: &[String], projects: &[i64], tasks: usize) -> Vec<Duration> {
    let mut set = tokio::task::JoinSet::new();
    for chunk in keys.chunks(keys.len().div_ceil(tasks)) {
        let (store, chunk, projects) = (store.clone(), chunk.to_vec(), projects.to_vec());
        set.spawn(async move {
            let mut times = Vec::with_capacity(chunk.len());
            for key in chunk {
                let picks: Vec<i64> = {
                    let mut rng = rand::rng();
                    let n = rng.random_range(1..=5);
                    projects.choose_multiple(&mut rng, n).copied().collect()
                };
                let ballot = Ballot::decode(&picks.iter().map(|p| format!("{p}:1")).collect::<Vec<_>>().join(","))
                    .expect("a ballot");
                let now = chrono::Utc::now().timestamp();
                let started = Instant::now();
                let outcome =
                    store.cast_ballot(round, &key, Some("sinchon"), &ballot, &receipt(), Source::Chat, None, now).await;
                times.push(started.elapsed());
                assert!(matches!(outcome, Ok(CastOutcome::Cast { .. })), "{outcome:?}");
            }
            times
        });
    }
    let mut times = vec![];
    while let Some(done) = set.join_next().await {
        times.extend(done.unwrap());
    }
    times.sort_unstable();
    times
}

#[tokio::main]
async fn main() {
    let voters: usize = std::env::var("VOTERS").ok().and_then(|v| v.parse().ok()).unwrap_or(5_000);
    let dir = tempfile::tempdir().unwrap();
    let url = std::env::var("BENCH_DATABASE_URL")
        .unwrap_or_else(|_| format!("sqlite://{}", dir.path().join("bench.db").display()));
    let backend = if url.starts_with("postgres") { "PostgreSQL" } else { "SQLite" };
    println!("ballot benchmark on {backend}: {voters} voters, approval ballots over {PROJECTS} projects");

    let store = Store::open(&url).await.unwrap();
    let cycle = common::district(&store).await;
    let projects = common::seed_projects(&url, cycle.id, "sinchon", PROJECTS, 5_000_000).await;
    let secret = Secret::new("benchmark-secret-of-at-least-32-characters").unwrap();

    for tasks in [1, 8, 32] {
        let round = common::open_round(&store, cycle.id, "sinchon", "greedy", 300_000_000, 1).await;
        let keys: Vec<String> = (0..voters).map(|v| secret.voter_key(round, &format!("roll:{v}"))).collect();
        for (phase, label) in [(0, "first ballots"), (1, "changed ballots")] {
            let started = Instant::now();
            let times = submit_all(&store, round, &keys, &projects, tasks).await;
            let elapsed = started.elapsed();
            println!(
                "{tasks:>2} voters at once, {label:<15}: {:>6.0} ballots/s (median {:.1} ms, p99 {:.1} ms)",
                voters as f64 / elapsed.as_secs_f64(),
                percentile(&times, 0.5).as_secs_f64() * 1000.0,
                percentile(&times, 0.99).as_secs_f64() * 1000.0,
            );
            let stored = store.ballots(round).await.unwrap().len();
            assert_eq!(stored, voters, "one ballot per voter after phase {phase}");
        }
    }
}
