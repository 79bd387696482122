//! Storage scale: a district with 300,000 roll entries, 50,000 verified residents and 50,000
//! ballots, through the release binary where an official would use it.
//!
//! 1. `pb-bot admin roll import` of a generated 300,000-row roll: time and peak RSS.
//! 2. 50,000 residents verified by phone (the roll entry looked up by its keyed hash and bound,
//!    as `/verify` does after a shared contact), through the store.
//! 3. 50,000 approval ballots (1 to 5 of 20 projects) in one district-wide round, through the
//!    store call behind `/vote`'s submit.
//! 4. The round closed, then `pb-bot admin export --format csv`, which counts the outcome with the
//!    round's rule (MES) from the database: time and peak RSS.
//! 5. `pb-bot run` on that database while residents ask for `/start`, `/proposals`, `/vote` and
//!    `/results`: peak RSS.
//! 6. The database's size.
//!
//! `cargo bench --bench scale` (SQLite in a temporary directory);
//! `BENCH_DATABASE_URL=postgres://…/db` for PostgreSQL (an empty database the benchmark may fill).
//! `ROLL`, `RESIDENTS`, `BALLOTS` change the sizes.

mod common;

use std::{
    path::Path,
    process::Command,
    sync::Arc,
    time::{Duration, Instant},
};

use common::{fake_api::FakeApi, helpers};
use pb_bot::{
    domain::{
        ballot::{Ballot, receipt},
        verification::{Phone, Secret},
    },
    store::{BindOutcome, CastOutcome, Pushes, Source, Store},
};
use rand::{Rng, SeedableRng, rngs::StdRng, seq::IndexedRandom};

const TOKEN: &str = "123456789:SCALE-token";
use common::SECRET;
const PROJECTS: i64 = 20;
const DONGS: [&str; 14] = [
    "충현동",
    "천연동",
    "북아현동",
    "신촌동",
    "연희동",
    "홍제1동",
    "홍제2동",
    "홍제3동",
    "홍은1동",
    "홍은2동",
    "남가좌1동",
    "남가좌2동",
    "북가좌1동",
    "북가좌2동",
];
const FIRST_USER: i64 = 80_000_000;

fn size(name: &str, default: usize) -> usize {
    std::env::var(name).ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}

/// The `i`th roll entry's phone, as the roll file writes it.
fn phone(i: usize) -> String {
    format!("010-{:04}-{:04}", 1000 + i / 10_000, i % 10_000)
}

fn write_roll(path: &Path, rows: usize) {
    let mut rng = StdRng::seed_from_u64(7);
    let mut text = String::with_capacity(rows * 40);
    text.push_str("dong,phone,birth_year,ref\r\n");
    for i in 0..rows {
        text.push_str(&format!("{},{},{},R{i}\r\n", DONGS[i % 14], phone(i), rng.random_range(1930..=2012)));
    }
    std::fs::write(path, text).unwrap();
}

/// Runs a `pb-bot` command under `/usr/bin/time`: its output, wall seconds and peak RSS in MB.
fn timed(url: &str, args: &[&str]) -> (String, f64, f64) {
    let out = Command::new("/usr/bin/time")
        .args(["-f", "@@ %e %M"])
        .arg(env!("CARGO_BIN_EXE_pb-bot"))
        .args(args)
        .current_dir(helpers::repo_path(""))
        .env_clear()
        .env("RUST_LOG", "warn")
        .env("PB_SECRET", SECRET)
        .env("DATABASE_URL", url)
        .output()
        .expect("/usr/bin/time and pb-bot run");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "pb-bot {args:?} failed: {stderr}");
    let line = stderr.lines().find_map(|l| l.strip_prefix("@@ ")).expect("time's line");
    let (wall, rss) = line.split_once(' ').unwrap();
    (String::from_utf8_lossy(&out.stdout).into_owned(), wall.parse().unwrap(), rss.parse::<f64>().unwrap() / 1024.0)
}

/// The database's size on disk in MB (SQLite: the file and its WAL after a checkpoint).
async fn database_mb(url: &str, dir: &Path) -> f64 {
    let pool = sqlx::AnyPool::connect(url).await.unwrap();
    if url.starts_with("postgres") {
        let bytes: i64 = sqlx::Row::get(
            &sqlx::query("SELECT pg_database_size(current_database()) AS n").fetch_one(&pool).await.unwrap(),
            "n",
        );
        return bytes as f64 / 1e6;
    }
    sqlx::query("PRAGMA wal_checkpoint(TRUNCATE)").execute(&pool).await.unwrap();
    pool.close().await;
    std::fs::read_dir(dir)
        .unwrap()
        .filter_map(Result::ok)
        .filter(|e| e.file_name().to_string_lossy().starts_with("scale.db"))
        .map(|e| e.metadata().unwrap().len() as f64)
        .sum::<f64>()
        / 1e6
}

/// The `count` first roll entries' people verify, `tasks` at a time: their roll entry ids.
async fn verify(store: &Store, secret: &Arc<Secret>, count: usize, now: i64, tasks: usize) -> Vec<i64> {
    let mut set = tokio::task::JoinSet::new();
    for part in 0..tasks {
        let (store, secret) = (store.clone(), secret.clone());
        set.spawn(async move {
            let mut entries = vec![];
            for i in (part..count).step_by(tasks) {
                let hash = secret.phone_hash(&Phone::parse(&phone(i)).unwrap());
                let entry = store.roll_entry(&hash).await.unwrap().expect("on the roll");
                let user = FIRST_USER + i as i64;
                store.touch_user(user, Some(if i % 2 == 0 { "ko" } else { "en" }), now).await.unwrap();
                let bound = store.bind_roll_entry(user, &entry, now).await.unwrap();
                assert!(matches!(bound, BindOutcome::Bound), "{bound:?}");
                entries.push(entry.id);
            }
            entries
        });
    }
    let mut entries = vec![];
    while let Some(part) = set.join_next().await {
        entries.extend(part.unwrap());
    }
    entries
}

/// Every verified resident votes once, `tasks` at a time.
async fn vote(store: &Store, secret: &Arc<Secret>, round: i64, entries: &[i64], projects: &[i64], tasks: usize) {
    let mut set = tokio::task::JoinSet::new();
    for chunk in entries.chunks(entries.len().div_ceil(tasks)) {
        let (store, secret, chunk, projects) = (store.clone(), secret.clone(), chunk.to_vec(), projects.to_vec());
        set.spawn(async move {
            let mut rng = StdRng::seed_from_u64(chunk[0] as u64);
            for entry in chunk {
                // Popular projects first: the first ones are picked more often.
                let n = rng.random_range(1..=5);
                let mut picks: Vec<i64> = vec![];
                while picks.len() < n {
                    let weighted = projects[..rng.random_range(1..=projects.len())].choose(&mut rng).unwrap();
                    if !picks.contains(weighted) {
                        picks.push(*weighted);
                    }
                }
                let ballot = Ballot::decode(&picks.iter().map(|p| format!("{p}:1")).collect::<Vec<_>>().join(","))
                    .expect("a ballot");
                let key = secret.voter_key(round, &format!("roll:{entry}"));
                let now = chrono::Utc::now().timestamp();
                let outcome =
                    store.cast_ballot(round, &key, None, &ballot, &receipt(), Source::Chat, None, now).await.unwrap();
                assert!(matches!(outcome, CastOutcome::Cast { .. }), "{outcome:?}");
            }
        });
    }
    while let Some(done) = set.join_next().await {
        done.unwrap();
    }
}

/// `pb-bot run` on the database while `residents` residents each send four commands; its peak RSS.
async fn bot_peak_rss(url: &str, dir: &Path, residents: usize) -> (f64, usize) {
    let api = FakeApi::start(TOKEN).await;
    api.stop_recording_calls();
    let mut bot = common::spawn_pb_bot(&api.url, TOKEN, url, &dir.join("run.log"), "warn");
    let commands = ["/start", "/proposals", "/vote", "/results"];
    let mut watchers = vec![];
    for i in 0..residents {
        let user = FIRST_USER + i as i64;
        watchers.push((user, api.watch(user)));
    }
    let mut answered = 0;
    for command in commands {
        for (user, _) in &watchers {
            api.send_text(*user as u64, if user % 2 == 0 { "ko" } else { "en" }, command);
        }
        for (_, replies) in &mut watchers {
            if tokio::time::timeout(Duration::from_secs(60), replies.recv()).await.is_ok_and(|r| r.is_some()) {
                answered += 1;
            }
        }
        // Anything else the command sent (a results chart and its list) arrives meanwhile.
        tokio::time::sleep(Duration::from_millis(500)).await;
        for (_, replies) in &mut watchers {
            while replies.try_recv().is_ok() {}
        }
    }
    let peak = common::peak_rss_mb(bot.id());
    bot.kill().unwrap();
    bot.wait().unwrap();
    assert!(api.violations().is_empty(), "{:?}", api.violations());
    (peak, answered)
}

#[tokio::main]
async fn main() {
    let (roll, residents, ballots) = (size("ROLL", 300_000), size("RESIDENTS", 50_000), size("BALLOTS", 50_000));
    assert!(residents <= roll && ballots <= residents, "ROLL ≥ RESIDENTS ≥ BALLOTS");
    let dir = tempfile::tempdir().unwrap();
    let url = std::env::var("BENCH_DATABASE_URL")
        .unwrap_or_else(|_| format!("sqlite://{}", dir.path().join("scale.db").display()));
    let backend = if url.starts_with("postgres") { "PostgreSQL" } else { "SQLite" };
    println!("storage scale on {backend}: {roll} roll entries, {residents} verified residents, {ballots} ballots");
    sqlx::any::install_default_drivers();

    // 1. The roll.
    let file = dir.path().join("roll.csv");
    write_roll(&file, roll);
    let (_, wall, rss) = timed(&url, &["admin", "roll", "import", file.to_str().unwrap()]);
    println!("roll import: {roll} entries in {wall:.1} s, peak RSS {rss:.1} MB");

    // 2. Verification.
    let store = Store::open(&url).await.unwrap();
    let cycle = common::district(&store).await;
    let projects = common::seed_projects(&url, cycle.id, "district", PROJECTS, 100_000_000).await;
    let round = common::open_round(&store, cycle.id, "district", "mes", 3_600_000_000, 1).await;
    let now = chrono::Utc::now().timestamp();
    let secret = Arc::new(Secret::new(SECRET).unwrap());
    let started = Instant::now();
    let entries = verify(&store, &secret, residents, now, 4).await;
    let took = started.elapsed().as_secs_f64();
    println!("verification: {residents} residents in {took:.1} s = {:.0} a second", residents as f64 / took);

    // 3. Ballots.
    let started = Instant::now();
    vote(&store, &secret, round, &entries[..ballots], &projects, 4).await;
    let took = started.elapsed().as_secs_f64();
    println!("ballots: {ballots} cast in {took:.1} s = {:.0} a second", ballots as f64 / took);
    assert_eq!(store.ballots(round).await.unwrap().len(), ballots, "one ballot per voter");

    // 4. The count, as an official exports it.
    store.close_due_rounds(now + 86_400, |_| Pushes { default_lang: "ko", ..Pushes::default() }).await.unwrap();
    let (csv, wall, rss) = timed(&url, &["admin", "export", "--round", &round.to_string(), "--format", "csv"]);
    let mut reader = csv::Reader::from_reader(csv.as_bytes());
    let column = reader.headers().unwrap().iter().position(|h| h == "funded").expect("a funded column");
    let funded = reader.records().filter(|r| r.as_ref().is_ok_and(|r| &r[column] == "1")).count();
    println!(
        "count (pb-bot admin export --format csv, MES): {ballots} ballots in {wall:.2} s, peak RSS {rss:.1} MB ({funded} of {PROJECTS} funded)"
    );

    // 5. The bot on this database.
    let visitors = size("VISITORS", 500).min(residents);
    let (peak, answered) = bot_peak_rss(&url, dir.path(), visitors).await;
    println!("pb-bot run: {answered} of {} commands answered, peak RSS {peak:.1} MB", visitors * 4);

    // 6. Size.
    println!("database size: {:.1} MB", database_mb(&url, dir.path()).await);
}
