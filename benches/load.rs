//! End-to-end load: simulated residents talk to the release `pb-bot run` binary through the fake
//! Bot API server on loopback (`TELOXIDE_API_URL`), and then to a minimal teloxide bot that only
//! echoes, under the same harness, as a yardstick.
//!
//! Each resident is verified in Sinchon-dong, where one approval round over 20 projects is open.
//! Their flow: `/start`, `/proposals`, `/vote` (the ballot message), 1 to 5 taps on projects,
//! "submit" and "yes, submit": 6 to 10 updates, each sent when the bot has answered the one before
//! (a message sent or edited, and a pressed button answered). The echo bot gets the same updates
//! and answers each with one message (texts echoed, presses answered and their message edited).
//!
//! Phases, for each bot:
//! - paced at a fixed rate (`PACED`, default `100,1000` updates a second), residents joining as
//!   the rate allows (`PACED_RESIDENTS`, default 400 at 100/s and 2,000 above); a p99 of about a
//!   millisecond moves with the machine from one run to the next, so each rate runs
//!   `PACED_REPEAT` times (default 3), each with new residents, and is compared over all their
//!   updates together;
//! - at once: `RESIDENTS` (default 2,000) start together and go as fast as the bot answers; this
//!   takes seconds, so it runs `REPEAT` times (default 5), each with new residents, and the run
//!   of median throughput is compared.
//!
//! Reported per phase: updates handled per second, latency from an update being available to the
//! bot's first reply in that chat (p50, p95, p99, max), errors (no answer within 30 s, an
//! apology for an internal error, a refused button, a request the fake server refused), and the
//! bot's CPU time and the harness's (this process: residents and fake server); at the end, the bot's peak RSS, and for pb-bot a check that every resident's
//! ballot was stored. Nothing here is limited at Telegram's 30 messages a second: the point is
//! what one process can handle.
//!
//! `cargo bench --bench load` (SQLite in a temporary directory);
//! `BENCH_DATABASE_URL=postgres://…/db` for PostgreSQL (an empty database the benchmark may fill).
//! `ECHO=0` skips the echo bot; `BOT_LOG` sets pb-bot's `RUST_LOG` and `KEEP_LOG=<file>` keeps
//! its log (with `BOT_LOG=warn,sqlx::query=debug`, every statement it ran). `LATENCIES=<file>`
//! appends every answered update to a CSV file (bot, phase, sent at in Unix ms, kind, latency
//! in ms), to line slow answers up with the bot's log.

mod common;

/// pb-bot's allocator, here for the harness and the echo bot alike.
#[global_allocator]
static ALLOCATOR: tikv_jemallocator::Jemalloc = tikv_jemallocator::Jemalloc;

use std::{
    process::{Child, Command, Stdio},
    sync::{
        Arc,
        atomic::{AtomicU64, Ordering},
    },
    time::{Duration, Instant},
};

use common::fake_api::{FakeApi, Reply};
use pb_bot::{
    domain::verification::{Code, Secret},
    i18n::{Lang, Locales},
    store::{CodeLimits, Store},
};
use rand::{Rng, seq::IndexedRandom};
use serde_json::Value;

const TOKEN: &str = "123456789:LOAD-token";
const PROJECTS: i64 = 20;
/// Residents of each phase are numbered from here, a phase's block after the other.
const FIRST_RESIDENT: i64 = 50_000_000;
const STEP_TIMEOUT: Duration = Duration::from_secs(30);
/// Run as the echo bot (the benchmark starts itself again with this set).
const ECHO_ENV: &str = "PB_LOAD_ECHO_BOT";

/// What a resident sends next.
#[derive(Debug, Clone)]
enum Step {
    Text(String),
    /// A press of a button with this data on the last message the bot sent or edited.
    Press(String),
}

impl Step {
    /// What kind of update this is, for latencies by kind: the command, or the button's prefix.
    fn kind(&self) -> &str {
        match self {
            Step::Text(text) => text,
            Step::Press(data) => data.split(':').next().unwrap_or(data),
        }
    }
}

/// The round the residents vote in.
struct Ballot {
    round: i64,
    projects: Vec<i64>,
}

/// A resident's whole visit: look around, open the ballot, pick 1 to 5 projects, submit.
fn script(ballot: &Ballot) -> Vec<Step> {
    let mut rng = rand::rng();
    let picks = rng.random_range(1..=5);
    let mut steps = vec![Step::Text("/start".into()), Step::Text("/proposals".into()), Step::Text("/vote".into())];
    for project in ballot.projects.choose_multiple(&mut rng, picks) {
        steps.push(Step::Press(format!("vt:{}:{project}", ballot.round)));
    }
    steps.push(Step::Press(format!("vs:{}", ballot.round)));
    steps.push(Step::Press(format!("vc:{}", ballot.round)));
    steps
}

/// Hands out send times at a fixed rate, one per update, to residents who ask.
struct Pacer {
    start: Instant,
    every: Duration,
    next: AtomicU64,
}

impl Pacer {
    async fn wait(&self) {
        let slot = self.next.fetch_add(1, Ordering::Relaxed);
        let at = self.start + self.every.mul_f64(slot as f64);
        tokio::time::sleep_until(at.into()).await;
    }
}

/// What one resident saw.
#[derive(Default)]
struct Visit {
    updates: usize,
    /// Each answered update: its kind, when it was sent, and its latency.
    latencies: Vec<(String, Instant, Duration)>,
    timeouts: usize,
    apologies: usize,
    refusals: usize,
    finished: Option<Instant>,
}

/// The texts of the bot's apology for an internal error, in both languages.
fn apologies() -> Vec<String> {
    let locales = Locales::embedded().unwrap();
    [Lang::Ko, Lang::En].iter().map(|lang| locales.plain(*lang, "error-internal")).collect()
}

async fn visit(
    api: Arc<FakeApi>,
    resident: i64,
    steps: Vec<Step>,
    mut replies: tokio::sync::mpsc::UnboundedReceiver<Reply>,
    pacer: Option<Arc<Pacer>>,
    apologies: Arc<Vec<String>>,
) -> Visit {
    let language = if resident % 2 == 0 { "ko" } else { "en" };
    let mut seen = Visit::default();
    // The message last sent or edited, which the server keeps too. It is let go of while a
    // press on it is answered (kept only weakly), so that the server edits its own copy in place
    // rather than copying the whole message; a refused press leaves it as it was.
    let mut last: Option<Arc<Value>> = None;
    let mut pressed = std::sync::Weak::new();
    for step in steps {
        if let Some(pacer) = &pacer {
            pacer.wait().await;
        }
        let asked = Instant::now();
        let press = match &step {
            Step::Text(text) => {
                api.send_text(resident as u64, language, text);
                false
            }
            Step::Press(data) => {
                let Some(message) = last.take() else {
                    seen.refusals += 1;
                    break;
                };
                api.press_on(resident as u64, language, &message, data);
                pressed = Arc::downgrade(&message);
                true
            }
        };
        seen.updates += 1;
        // Done when a message was sent or edited and, for a press, the press was answered; a
        // press answered with a notice (a refusal) gets no message.
        let (mut message, mut answered, mut first) = (false, !press, None);
        while !(message && answered) {
            let Ok(Some(reply)) = tokio::time::timeout_at((asked + STEP_TIMEOUT).into(), replies.recv()).await else {
                seen.timeouts += 1;
                break;
            };
            first.get_or_insert(reply.at.duration_since(asked));
            match reply.method {
                "answerCallbackQuery" => {
                    answered = true;
                    if reply.text.as_deref().is_some_and(|t| !t.is_empty()) {
                        seen.refusals += 1;
                        message = true;
                    }
                }
                _ => {
                    message = true;
                    if reply.text.as_ref().is_some_and(|t| apologies.contains(t)) {
                        seen.apologies += 1;
                    }
                    last = reply.message;
                }
            }
        }
        if last.is_none() {
            last = pressed.upgrade();
        }
        match first {
            Some(latency) if message && answered => seen.latencies.push((step.kind().to_owned(), asked, latency)),
            _ => break,
        }
    }
    seen.finished = Some(Instant::now());
    seen
}

/// A phase's figures.
struct Phase {
    name: String,
    residents: usize,
    updates: usize,
    seconds: f64,
    latencies: Vec<Duration>,
    /// The same latencies by kind of update, each sorted.
    by_kind: std::collections::BTreeMap<String, Vec<Duration>>,
    /// Every answered update in the order sent: when (since the phase began), kind, latency.
    timeline: Vec<(Duration, String, Duration)>,
    /// When the phase began, by the wall clock (to line the timeline up with the bot's log).
    began: std::time::SystemTime,
    timeouts: usize,
    apologies: usize,
    refusals: usize,
    violations: usize,
    cpu_seconds: f64,
    /// This process's CPU time meanwhile: the simulated residents and the fake Bot API server.
    harness_cpu_seconds: f64,
}

impl Phase {
    fn rate(&self) -> f64 {
        self.updates as f64 / self.seconds
    }

    fn percentile(&self, p: f64) -> Duration {
        percentile(&self.latencies, p)
    }

    fn errors(&self) -> usize {
        self.timeouts + self.apologies + self.refusals + self.violations
    }

    fn print(&self, bot: &str) {
        let ms = |d: Duration| d.as_secs_f64() * 1000.0;
        println!(
            "{bot:<7} {:<14} {:>5} residents {:>6} updates in {:>5.1} s = {:>6.0} updates/s; latency p50 {:>6.1} ms, \
             p95 {:>6.1} ms, p99 {:>6.1} ms, max {:>6.1} ms; errors {} (timeouts {}, apologies {}, refusals {}, \
             refused requests {}); bot CPU {:.2} ms per update, harness {:.2}",
            self.name,
            self.residents,
            self.updates,
            self.seconds,
            self.rate(),
            ms(self.percentile(0.5)),
            ms(self.percentile(0.95)),
            ms(self.percentile(0.99)),
            ms(self.percentile(1.0)),
            self.errors(),
            self.timeouts,
            self.apologies,
            self.refusals,
            self.violations,
            self.cpu_seconds * 1000.0 / self.updates.max(1) as f64,
            self.harness_cpu_seconds * 1000.0 / self.updates.max(1) as f64,
        );
        let kinds: Vec<String> = self
            .by_kind
            .iter()
            .map(|(kind, l)| format!("{kind} {:.1}/{:.1}", ms(percentile(l, 0.5)), ms(percentile(l, 0.99))))
            .collect();
        println!("{bot:<7} {:<14} p50/p99 ms by update: {}", self.name, kinds.join(", "));
    }
}

impl Phase {
    /// A phase that has not run yet: nothing counted.
    fn empty(name: String, residents: usize, began: std::time::SystemTime) -> Phase {
        Phase {
            name,
            residents,
            updates: 0,
            seconds: 0.0,
            latencies: vec![],
            by_kind: Default::default(),
            timeline: vec![],
            began,
            timeouts: 0,
            apologies: 0,
            refusals: 0,
            violations: 0,
            cpu_seconds: 0.0,
            harness_cpu_seconds: 0.0,
        }
    }

    /// Several runs of one phase as one: their updates, latencies, errors and CPU time together.
    fn pooled(name: &str, runs: Vec<Phase>) -> Phase {
        let began = runs.first().map_or_else(std::time::SystemTime::now, |run| run.began);
        let mut all = Phase::empty(name.to_owned(), 0, began);
        for run in runs {
            all.residents += run.residents;
            all.updates += run.updates;
            all.seconds += run.seconds;
            all.latencies.extend(run.latencies);
            for (kind, latencies) in run.by_kind {
                all.by_kind.entry(kind).or_default().extend(latencies);
            }
            all.timeouts += run.timeouts;
            all.apologies += run.apologies;
            all.refusals += run.refusals;
            all.violations += run.violations;
            all.cpu_seconds += run.cpu_seconds;
            all.harness_cpu_seconds += run.harness_cpu_seconds;
        }
        all.latencies.sort_unstable();
        all.by_kind.values_mut().for_each(|latencies| latencies.sort_unstable());
        all
    }

    /// With `LATENCIES=<file>`, appends every answered update to that CSV file: bot, phase,
    /// when it was sent (Unix time, ms), kind, latency (ms).
    fn keep_timeline(&self, bot: &str) {
        use std::io::Write;
        let Some(path) = std::env::var_os("LATENCIES") else { return };
        let began = self.began.duration_since(std::time::UNIX_EPOCH).unwrap_or_default();
        let mut out = std::io::BufWriter::new(
            std::fs::OpenOptions::new().create(true).append(true).open(path).expect("the LATENCIES file opens"),
        );
        for (at, kind, latency) in &self.timeline {
            let sent = (began + *at).as_secs_f64() * 1000.0;
            let ms = latency.as_secs_f64() * 1000.0;
            writeln!(out, "{bot},{},{sent:.3},{kind},{ms:.3}", self.name).expect("the LATENCIES file is written");
        }
    }
}

/// The `p` quantile of sorted latencies.
fn percentile(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    sorted[((sorted.len() - 1) as f64 * p).round() as usize]
}

/// CPU seconds a process used so far (user and system), from `/proc`.
fn cpu_seconds(pid: u32) -> f64 {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
    // The command name may hold spaces; the fields after it are plain.
    let fields: Vec<&str> = stat.rsplit_once(')').map_or("", |(_, rest)| rest).split_whitespace().collect();
    let ticks = |i: usize| fields.get(i).and_then(|v| v.parse::<f64>().ok()).unwrap_or(0.0);
    // utime and stime are fields 14 and 15 of the line, 12 and 13 after the name.
    (ticks(11) + ticks(12)) / 100.0
}

async fn run_phase(
    api: &Arc<FakeApi>,
    bot: &Child,
    name: String,
    residents: std::ops::Range<i64>,
    ballot: &Ballot,
    rate: Option<f64>,
) -> Phase {
    let apologies = Arc::new(apologies());
    let violations_before = api.violations().len();
    let cpu_before = cpu_seconds(bot.id());
    let harness_before = cpu_seconds(std::process::id());
    let (started, began) = (Instant::now(), std::time::SystemTime::now());
    let pacer =
        rate.map(|r| Arc::new(Pacer { start: started, every: Duration::from_secs_f64(1.0 / r), next: 0.into() }));
    let mut visits = tokio::task::JoinSet::new();
    let count = residents.end - residents.start;
    for resident in residents {
        let replies = api.watch(resident);
        visits.spawn(visit(api.clone(), resident, script(ballot), replies, pacer.clone(), apologies.clone()));
    }
    let mut phase = Phase::empty(name, count as usize, began);
    let mut finished = started;
    while let Some(seen) = visits.join_next().await {
        let seen = seen.unwrap();
        phase.updates += seen.updates;
        for (kind, asked, latency) in seen.latencies {
            phase.latencies.push(latency);
            phase.by_kind.entry(kind.clone()).or_default().push(latency);
            phase.timeline.push((asked.duration_since(started), kind, latency));
        }
        phase.timeouts += seen.timeouts;
        phase.apologies += seen.apologies;
        phase.refusals += seen.refusals;
        finished = finished.max(seen.finished.unwrap_or(started));
    }
    phase.seconds = finished.duration_since(started).as_secs_f64();
    phase.latencies.sort_unstable();
    phase.timeline.sort_unstable_by_key(|(at, _, _)| *at);
    phase.by_kind.values_mut().for_each(|latencies| latencies.sort_unstable());
    phase.violations = api.violations().len() - violations_before;
    phase.cpu_seconds = cpu_seconds(bot.id()) - cpu_before;
    phase.harness_cpu_seconds = cpu_seconds(std::process::id()) - harness_before;
    phase
}

/// Waits until the bot answers a first `/start` (it may still be starting).
async fn warm_up(api: &Arc<FakeApi>, resident: i64) {
    let mut replies = api.watch(resident);
    api.send_text(resident as u64, "ko", "/start");
    tokio::time::timeout(Duration::from_secs(60), replies.recv())
        .await
        .expect("the bot answers within a minute")
        .expect("a reply");
}

fn spawn_echo_bot(api: &FakeApi, log: &std::path::Path) -> Child {
    Command::new(std::env::current_exe().unwrap())
        .env_clear()
        .env(ECHO_ENV, "1")
        .env("TELOXIDE_TOKEN", TOKEN)
        .env("TELOXIDE_API_URL", &api.url)
        .stdout(Stdio::null())
        .stderr(std::fs::File::create(log).unwrap())
        .spawn()
        .expect("the echo bot starts")
}

/// The yardstick: a teloxide bot that echoes texts and answers presses by editing their message,
/// polling as pb-bot polls.
async fn echo_bot() {
    use teloxide::{prelude::*, update_listeners::Polling};
    let bot = Bot::from_env();
    let handler = dptree::entry()
        .branch(Update::filter_message().endpoint(|bot: Bot, msg: Message| async move {
            bot.send_message(msg.chat.id, msg.text().unwrap_or("…").to_owned()).await?;
            respond(())
        }))
        .branch(Update::filter_callback_query().endpoint(|bot: Bot, query: CallbackQuery| async move {
            bot.answer_callback_query(query.id.clone()).await?;
            if let Some(message) = query.regular_message() {
                let text = format!("{} ({})", query.data.as_deref().unwrap_or(""), query.id);
                bot.edit_message_text(message.chat.id, message.id, text).await?;
            }
            respond(())
        }));
    let listener = Polling::builder(bot.clone()).timeout(Duration::from_secs(25)).delete_webhook().await.build();
    Dispatcher::builder(bot, handler)
        .build()
        .dispatch_with_listener(listener, LoggingErrorHandler::with_custom_text("update listener"))
        .await;
}

/// This year's cycle, 20 eligible Sinchon projects, one approval round open for a week, and
/// `residents` verified residents of Sinchon-dong from [`FIRST_RESIDENT`].
async fn seed(url: &str, residents: i64) -> (Store, Ballot) {
    let store = Store::open(url).await.unwrap();
    let cycle = common::district(&store).await;
    let projects = common::seed_projects(url, cycle.id, "sinchon", PROJECTS, 5_000_000).await;
    // Opened before anyone is verified, so its announcement goes to no one; open for a week,
    // so no reminder before its close goes out either.
    let round = common::open_round(&store, cycle.id, "sinchon", "greedy", 300_000_000, 7).await;
    let now = chrono::Utc::now().timestamp();
    let secret = Secret::new(common::SECRET).unwrap();
    let codes: Vec<Code> = (0..residents).map(|_| Code::generate()).collect();
    let hashes: Vec<String> = codes.iter().map(|c| secret.code_hash(c)).collect();
    store.issue_codes("sinchon", &hashes, now + 86_400, None, now).await.unwrap();
    let limits = CodeLimits { max_failures: 5, lockout_seconds: 60 };
    for (i, hash) in hashes.iter().enumerate() {
        let resident = FIRST_RESIDENT + i as i64;
        let language = if resident % 2 == 0 { "ko" } else { "en" };
        store.touch_user(resident, Some(language), now).await.unwrap();
        store.redeem_code(resident, hash, limits, now).await.unwrap();
    }
    (store, Ballot { round, projects })
}

fn numbers(name: &str, default: &[f64]) -> Vec<f64> {
    std::env::var(name)
        .ok()
        .map(|v| v.split(',').filter_map(|n| n.trim().parse().ok()).collect())
        .unwrap_or_else(|| default.to_vec())
}

/// Runs every phase against one bot; returns the phases and the bot's peak RSS.
async fn measure(
    bot_name: &str,
    api: &Arc<FakeApi>,
    bot: &mut Child,
    ballot: &Ballot,
    rates: &[f64],
    at_once: i64,
) -> (Vec<Phase>, f64) {
    warm_up(api, FIRST_RESIDENT - 1).await;
    let mut phases = vec![];
    let mut next = FIRST_RESIDENT;
    for &rate in rates {
        let residents = paced_residents(rate);
        let name = format!("paced {rate}/s");
        let mut runs = vec![];
        for _ in 0..paced_repeats() {
            let phase = run_phase(api, bot, name.clone(), next..next + residents, ballot, Some(rate)).await;
            phase.print(bot_name);
            phase.keep_timeline(bot_name);
            runs.push(phase);
            next += residents;
        }
        if runs.len() > 1 {
            let pooled = Phase::pooled(&name, runs);
            println!("{bot_name:<7} {name}: all {} updates of the runs together", pooled.updates);
            pooled.print(bot_name);
            phases.push(pooled);
        } else {
            phases.extend(runs);
        }
    }
    // Short and so noisy: run several times and keep the median by throughput.
    let mut runs = vec![];
    for _ in 0..repeats() {
        let phase = run_phase(api, bot, "all at once".into(), next..next + at_once, ballot, None).await;
        phase.print(bot_name);
        phase.keep_timeline(bot_name);
        runs.push(phase);
        next += at_once;
    }
    runs.sort_by(|a, b| a.rate().total_cmp(&b.rate()));
    let median = runs.swap_remove(runs.len() / 2);
    println!("{bot_name:<7} all at once: the median of {} runs is {:.0} updates/s", runs.len() + 1, median.rate());
    phases.push(median);
    let peak = common::peak_rss_mb(bot.id());
    println!("{bot_name:<7} peak RSS {peak:.1} MB");
    bot.kill().unwrap();
    bot.wait().unwrap();
    (phases, peak)
}

/// How many times the all-at-once phase runs (`REPEAT`, default 5).
fn repeats() -> i64 {
    std::env::var("REPEAT").ok().and_then(|v| v.parse().ok()).unwrap_or(5).max(1)
}

/// How many times each paced phase runs (`PACED_REPEAT`, default 3).
fn paced_repeats() -> i64 {
    std::env::var("PACED_REPEAT").ok().and_then(|v| v.parse().ok()).unwrap_or(3).max(1)
}

/// Residents for a paced run: each sends 8 updates on average, so 400 last 32 s at 100/s, and
/// 2,000 last 16 s at 1,000/s.
fn paced_residents(rate: f64) -> i64 {
    std::env::var("PACED_RESIDENTS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or((rate * 4.0).clamp(400.0, 2_000.0) as i64)
}

#[tokio::main]
async fn main() {
    if std::env::var_os(ECHO_ENV).is_some() {
        return echo_bot().await;
    }
    let at_once: i64 = std::env::var("RESIDENTS").ok().and_then(|v| v.parse().ok()).unwrap_or(2_000);
    let rates = numbers("PACED", &[100.0, 1_000.0]);
    let dir = tempfile::tempdir().unwrap();
    let url = std::env::var("BENCH_DATABASE_URL")
        .unwrap_or_else(|_| format!("sqlite://{}", dir.path().join("bench.db").display()));
    let backend = if url.starts_with("postgres") { "PostgreSQL" } else { "SQLite" };
    let total: i64 = rates.iter().map(|r| paced_residents(*r)).sum::<i64>() * paced_repeats() + at_once * repeats();
    println!("load benchmark on {backend}: paced at {rates:?} updates/s, then {at_once} residents at once");
    let seeding = Instant::now();
    let (store, ballot) = seed(&url, total).await;
    println!("seeded {total} verified residents in {:.1} s", seeding.elapsed().as_secs_f64());

    let api = Arc::new(FakeApi::start(TOKEN).await);
    api.stop_recording_calls();
    let log_level = std::env::var("BOT_LOG").unwrap_or_else(|_| "warn".into());
    let mut bot = common::spawn_pb_bot(&api.url, TOKEN, &url, &dir.path().join("pb-bot.log"), &log_level);
    let (ours, our_peak) = measure("pb-bot", &api, &mut bot, &ballot, &rates, at_once).await;
    let log = std::fs::read_to_string(dir.path().join("pb-bot.log")).unwrap_or_default();
    if let Ok(keep) = std::env::var("KEEP_LOG") {
        std::fs::write(keep, &log).unwrap();
    }
    let warnings: Vec<&str> = log.lines().filter(|l| l.contains("WARN") || l.contains("ERROR")).collect();
    println!("pb-bot  {} warnings or errors logged", warnings.len());
    for line in warnings.iter().take(10) {
        println!("  {line}");
    }
    let stored = store.ballots(ballot.round).await.unwrap().len();
    let outbox: i64 = sqlx::Row::get(
        &sqlx::query("SELECT COUNT(*) AS n FROM outbox")
            .fetch_one(&sqlx::AnyPool::connect(&url).await.unwrap())
            .await
            .unwrap(),
        "n",
    );
    println!("pb-bot  ballots stored: {stored} of {total} residents; messages queued besides the replies: {outbox}");

    if std::env::var("ECHO").is_ok_and(|v| v == "0") {
        return;
    }
    let api = Arc::new(FakeApi::start(TOKEN).await);
    api.stop_recording_calls();
    let mut echo = spawn_echo_bot(&api, &dir.path().join("echo.log"));
    let (theirs, echo_peak) = measure("echo", &api, &mut echo, &ballot, &rates, at_once).await;

    println!();
    println!("pb-bot against the echo bot ({backend}):");
    for (ours, theirs) in ours.iter().zip(&theirs) {
        println!(
            "  {:<14} throughput {:>5.0} / {:>5.0} updates/s = {:.2}; p99 {:.1} / {:.1} ms = {:.2}",
            ours.name,
            ours.rate(),
            theirs.rate(),
            ours.rate() / theirs.rate(),
            ours.percentile(0.99).as_secs_f64() * 1000.0,
            theirs.percentile(0.99).as_secs_f64() * 1000.0,
            ours.percentile(0.99).as_secs_f64() / theirs.percentile(0.99).as_secs_f64().max(1e-9),
        );
    }
    println!("  peak RSS {our_peak:.1} MB / {echo_peak:.1} MB");
}
