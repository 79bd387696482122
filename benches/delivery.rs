//! Delivery benchmark: the release `pb-bot run` binary drains a broadcast to 10,000 followers
//! against the fake Bot API server limiting at 30 messages a second (and one a second per chat).
//!
//! 1. Writing broadcasts: how long queueing one for 10,000 and for 50,000 followers takes.
//! 2. A full broadcast: messages per second from the first delivery to the last, duplicates, and
//!    how long a resident waits for the answer to `/start` while the broadcast runs.
//! 3. `kill -9` halfway through a second broadcast and an immediate restart: messages lost,
//!    messages repeated, and how many were in flight at the kill.
//!
//! `cargo bench --bench delivery` (SQLite); `BENCH_DATABASE_URL=postgres://…/db` for PostgreSQL
//! (a database the benchmark may fill; it should be empty). `FOLLOWERS=2000` for a quick run.

mod common;

use std::time::{Duration, Instant};

use common::fake_api::{FakeApi, Limits};
use pb_bot::store::{Broadcast, Follow, Store};
use sqlx::Row;

const TOKEN: &str = "123456789:BENCH-token";
const FIRST: i64 = 1_000_000;

/// `count` followers of Sinchon-dong, half Korean, half English, written in bulk.
async fn seed_followers(url: &str, first: i64, count: i64) {
    sqlx::any::install_default_drivers();
    let pool = sqlx::AnyPool::connect(url).await.unwrap();
    for chunk in (first..first + count).collect::<Vec<_>>().chunks(500) {
        let users: Vec<String> = chunk
            .iter()
            .map(|id| {
                format!(
                    "({id}, '{}', '{}', 0, 0)",
                    if id % 2 == 0 { "ko" } else { "en" },
                    if id % 2 == 0 { "ko" } else { "en" }
                )
            })
            .collect();
        sqlx::query(&format!(
            "INSERT INTO users (telegram_id, telegram_language, language, first_seen, last_seen) VALUES {}",
            users.join(", ")
        ))
        .execute(&pool)
        .await
        .unwrap();
        let follows: Vec<String> = chunk.iter().map(|id| format!("({id}, 'dong', 'sinchon', 0)")).collect();
        sqlx::query(&format!(
            "INSERT INTO subscriptions (telegram_id, kind, target, created_at) VALUES {}",
            follows.join(", ")
        ))
        .execute(&pool)
        .await
        .unwrap();
    }
    pool.close().await;
}

fn broadcast(tag: &str) -> Broadcast {
    Broadcast {
        kind: "announcement".into(),
        subject: Some("sinchon".into()),
        text_ko: format!("📣 신촌동 공지 {tag}"),
        text_en: format!("📣 Sinchon-dong announcement {tag}"),
        markup_ko: None,
        markup_en: None,
        audience: vec![Follow::Dong("sinchon".into())],
        exclude: None,
        created_by: None,
        photos: None,
    }
}

/// Deliveries of texts ending in `tag`: (total, distinct chats).
fn count_tag(api: &FakeApi, tag: &str) -> (usize, usize) {
    let delivered = api.delivered();
    let mut total = 0;
    let mut chats = 0;
    for texts in delivered.values() {
        let n = texts.iter().filter(|t| t.ends_with(tag)).count();
        total += n;
        chats += usize::from(n > 0);
    }
    (total, chats)
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    sorted[((sorted.len() - 1) as f64 * p).round() as usize]
}

#[tokio::main]
async fn main() {
    let followers: i64 = std::env::var("FOLLOWERS").ok().and_then(|v| v.parse().ok()).unwrap_or(10_000);
    let dir = tempfile::tempdir().unwrap();
    let url = std::env::var("BENCH_DATABASE_URL")
        .unwrap_or_else(|_| format!("sqlite://{}", dir.path().join("bench.db").display()));
    let backend = if url.starts_with("postgres") { "PostgreSQL" } else { "SQLite" };
    println!("delivery benchmark on {backend}, {followers} followers");

    let store = Store::open(&url).await.unwrap();
    common::district(&store).await;

    // 1. Writing broadcasts.
    let big = 50_000;
    seed_followers(&url, FIRST + 10_000_000, big).await;
    let mut wide = broadcast("wide");
    wide.audience = vec![Follow::Dong("sinchon".into())];
    let started = Instant::now();
    let (wide_id, n) = store.announce(&wide, "ko", None, 0).await.unwrap().unwrap();
    println!("queued a broadcast to {n} followers in {:.0} ms", started.elapsed().as_secs_f64() * 1000.0);
    // Those were only for timing the write: take them out again.
    let pool = sqlx::AnyPool::connect(&url).await.unwrap();
    sqlx::query("DELETE FROM outbox WHERE broadcast_id = $1").bind(wide_id).execute(&pool).await.unwrap();
    sqlx::query("DELETE FROM subscriptions WHERE telegram_id >= $1")
        .bind(FIRST + 10_000_000)
        .execute(&pool)
        .await
        .unwrap();
    seed_followers(&url, FIRST, followers).await;
    let started = Instant::now();
    let (_, n) = store.announce(&broadcast("A"), "ko", None, 0).await.unwrap().unwrap();
    println!("queued a broadcast to {n} followers in {:.0} ms", started.elapsed().as_secs_f64() * 1000.0);

    let api = FakeApi::start(TOKEN).await;
    api.stop_recording_calls();
    api.know_chats(FIRST..FIRST + followers);
    api.set_limits(Limits { per_second: Some(30), per_chat: Some(Duration::from_secs(1)), retry_after: 1 });

    // 2. The whole broadcast, with a resident talking to the bot meanwhile.
    let mut bot = common::spawn_pb_bot(&api.url, TOKEN, &url, &dir.path().join("run-1.log"), "info");
    let resident = 77_000_001_i64;
    let mut latencies = Vec::new();
    let began = Instant::now();
    while count_tag(&api, "A").1 < followers as usize {
        if began.elapsed() > Duration::from_secs(followers as u64 / 10 + 120) {
            panic!("stalled at {:?}", count_tag(&api, "A"));
        }
        if api.delivered_count() > 0 {
            let before = api.delivered_to(resident);
            let asked = Instant::now();
            api.send_text(resident as u64, "ko", "/start");
            while api.delivered_to(resident) == before && asked.elapsed() < Duration::from_secs(10) {
                tokio::time::sleep(Duration::from_millis(2)).await;
            }
            latencies.push(asked.elapsed());
        }
        tokio::time::sleep(Duration::from_secs(5)).await;
    }
    let arrivals = api.arrivals();
    let (first, last) = (arrivals[0], *arrivals.last().unwrap());
    let (total, chats) = count_tag(&api, "A");
    let span = last.duration_since(first).as_secs_f64();
    let stats = api.send_stats();
    latencies.sort();
    println!(
        "broadcast A: {chats} chats reached, {total} messages ({} repeated) in {span:.1} s = {:.2} msgs/s overall \
         (replies included: {} messages in that span); 429s: {}, sent during a retry_after: {}",
        total - chats,
        total as f64 / span,
        arrivals.len(),
        stats.flood_refused,
        stats.ignored_retry_after
    );
    println!(
        "reply to /start during the broadcast: {} samples, median {:.0} ms, p95 {:.0} ms, max {:.0} ms",
        latencies.len(),
        percentile(&latencies, 0.5).as_secs_f64() * 1000.0,
        percentile(&latencies, 0.95).as_secs_f64() * 1000.0,
        percentile(&latencies, 1.0).as_secs_f64() * 1000.0
    );

    // 3. kill -9 halfway through broadcast B, and a restart.
    let (_, n) = store.announce(&broadcast("B"), "ko", None, 0).await.unwrap().unwrap();
    let half = (n / 2) as usize;
    while count_tag(&api, "B").0 < half {
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    bot.kill().unwrap();
    bot.wait().unwrap();
    let killed_at = Instant::now();
    let at_kill = count_tag(&api, "B");
    let sending: i64 = sqlx::query("SELECT COUNT(*) AS n FROM outbox WHERE state = 'sending'")
        .fetch_one(&pool)
        .await
        .unwrap()
        .get("n");
    let claimed: i64 = sqlx::query("SELECT COUNT(*) AS n FROM outbox WHERE state = 'claimed'")
        .fetch_one(&pool)
        .await
        .unwrap()
        .get("n");
    let mut bot = common::spawn_pb_bot(&api.url, TOKEN, &url, &dir.path().join("run-2.log"), "info");
    let restarted = Instant::now();
    while count_tag(&api, "B").1 < n as usize {
        if restarted.elapsed() > Duration::from_secs(n as u64 / 10 + 120) {
            panic!("stalled at {:?}", count_tag(&api, "B"));
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let done = killed_at.elapsed();
    tokio::time::sleep(Duration::from_secs(1)).await;
    bot.kill().unwrap();
    bot.wait().unwrap();
    let (total, chats) = count_tag(&api, "B");
    let in_doubt: i64 = sqlx::query("SELECT COUNT(*) AS n FROM outbox WHERE last_error LIKE 'in flight%'")
        .fetch_one(&pool)
        .await
        .unwrap()
        .get("n");
    let unsent: i64 =
        sqlx::query("SELECT COUNT(*) AS n FROM outbox WHERE state <> 'sent'").fetch_one(&pool).await.unwrap().get("n");
    println!(
        "broadcast B: killed after {} of {n} delivered, with {sending} messages being sent and {claimed} claimed; \
         restarted at once; all {n} reached {:.1} s after the kill",
        at_kill.0,
        done.as_secs_f64()
    );
    println!(
        "broadcast B: {chats} of {n} chats reached (lost: {}), {} repeated, {in_doubt} marked in doubt, {unsent} rows not sent",
        n as usize - chats,
        total - chats
    );
}
