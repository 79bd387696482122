//! The command line: `pb-bot run` and the officials' bulk tools under `pb-bot admin`.

mod committee;
mod execution;
mod rounds;

use std::{
    io::Write,
    net::SocketAddr,
    path::{Path, PathBuf},
    sync::Arc,
    time::Duration,
};

use anyhow::{Context, bail};
use axum::{http::StatusCode, routing::get};
use chrono::{Datelike, Utc};
use chrono_tz::Asia::Seoul;
use clap::{Parser, Subcommand};
use teloxide::{
    prelude::*,
    update_listeners::{Polling, webhooks},
};

use crate::{
    bot,
    config::Config,
    domain::{
        AreaKind,
        area::find_area,
        meeting::parse_schedule,
        roll::parse_roll,
        verification::{Phone, Secret, code_batch, valid_through},
    },
    i18n::Locales,
    store::{NewMeeting, RollRow, Store, redact_url, sqlite_path},
};

#[derive(Debug, Parser)]
#[command(name = "pb-bot", version, about = "Participatory budgeting in Telegram, in Korean and English")]
pub struct Cli {
    /// The district file (TOML).
    #[arg(long, env = "PB_CONFIG", default_value = "config/seodaemun.toml", global = true)]
    pub config: PathBuf,
    /// The database: a SQLite file path or sqlite:// URL (created and migrated on start).
    #[arg(long, env = "DATABASE_URL", default_value = "sqlite://pb-bot.db", global = true, hide_env_values = true)]
    pub database_url: String,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the bot (needs TELOXIDE_TOKEN; TELOXIDE_API_URL selects another Bot API server).
    Run(RunArgs),
    /// Officials' bulk work on the same database.
    #[command(subcommand)]
    Admin(AdminCommand),
    /// Re-tally a Pabulib `.pb` file (a published export, or any Pabulib instance) with an
    /// outcome rule; needs no database.
    Tally(TallyArgs),
}

#[derive(Debug, clap::Args)]
pub struct TallyArgs {
    /// The `.pb` file.
    pub file: PathBuf,
    /// The outcome rule.
    #[arg(long, value_enum)]
    pub rule: TallyRule,
    /// Print `{"rule":…,"selected":[…],"total_cost":"…","budget":"…"}`.
    #[arg(long)]
    pub json: bool,
    /// `mes-completed`: when the Add1 loop stops raising the voters' budgets.
    #[arg(long, value_enum, default_value = "exhaustive")]
    pub add1_stop: Add1StopArg,
    /// `mes-completed`: how much Add1 adds to each voter's budget at a time (default: the file's
    /// `add1_step`, which pb-bot's exports carry, else 1).
    #[arg(long)]
    pub add1_step: Option<rust_decimal::Decimal>,
    /// `mes-completed`: how Add1's outcome is completed.
    #[arg(long, value_enum, default_value = "greedy")]
    pub completion: CompletionArg,
}

/// `--add1-stop`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Add1StopArg {
    /// At the first exhaustive outcome (the default).
    Exhaustive,
    /// While the outcome still fits the budget (Wieliczka 2023's official count).
    Infeasible,
}

/// `--completion`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum CompletionArg {
    /// Add the remaining projects by score while they fit (the default).
    Greedy,
    /// None (Assen 2024's official count).
    None,
}

/// The outcome rules `pb-bot tally` runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum TallyRule {
    /// By score, every project that still fits.
    Greedy,
    /// By score, stopping at the first project that does not fit.
    GreedyStop,
    /// The Method of Equal Shares (cost utilities), without completion.
    Mes,
    /// MES with Add1 (per-voter budget raised by 1 until exhaustive), then greedy completion.
    MesCompleted,
    /// Sequential Phragmén (approval and choose-1 files only; others exit with code 2).
    Phragmen,
}

#[derive(Debug, clap::Args)]
pub struct RunArgs {
    /// Receive updates by webhook (for production and several replicas) instead of long polling.
    #[arg(long, requires = "public_url")]
    pub webhook: bool,
    /// Address the webhook server listens on; it also serves GET /healthz.
    #[arg(long, default_value = "0.0.0.0:8443")]
    pub listen: SocketAddr,
    /// Public HTTPS URL Telegram posts updates to (behind your load balancer).
    #[arg(long, env = "PB_PUBLIC_URL")]
    pub public_url: Option<url::Url>,
}

#[derive(Debug, Subcommand)]
pub enum AdminCommand {
    /// Apply a district file to the database: areas, their pots, officials and the cycle.
    ApplyDistrict {
        /// The district file to apply.
        file: PathBuf,
    },
    /// Proposals of the cycle.
    #[command(subcommand)]
    Proposals(ProposalsCommand),
    /// The resident roll that phone verification matches against.
    #[command(subcommand)]
    Roll(RollCommand),
    /// One-time verification codes.
    #[command(subcommand)]
    Codes(CodesCommand),
    /// Dong meetings, the committee and the forum.
    #[command(subcommand)]
    Meetings(MeetingsCommand),
    /// Ballot rounds: priority votes that open and close by themselves.
    #[command(subcommand)]
    Rounds(rounds::RoundsCommand),
    /// Ballots: paper ballots from the dong meetings.
    #[command(subcommand)]
    Ballots(rounds::BallotsCommand),
    /// A closed round's anonymised ballots (`pb`: Pabulib, voter ids are receipt codes) or its
    /// results (`csv`). `pb-bot tally` on the `.pb` file gives the published outcome.
    Export {
        /// The round's number (`pb-bot admin rounds list`).
        #[arg(long)]
        round: i64,
        #[arg(long, value_enum)]
        format: rounds::ExportFormat,
        /// Where to write it (default: standard output).
        #[arg(long)]
        out: Option<PathBuf>,
    },
    /// Execution cards of funded projects: updates in bulk.
    #[command(subcommand)]
    Execution(execution::ExecutionCommand),
    /// Facilitators: residents who may open check-in at meetings.
    #[command(subcommand)]
    Facilitators(FacilitatorsCommand),
    /// Budget School course completions.
    #[command(subcommand)]
    Courses(CoursesCommand),
    /// The residents' PB committee of the cycle.
    #[command(subcommand)]
    Committee(CommitteeCommand),
    /// Copy this deployment (DATABASE_URL) into an empty PostgreSQL database, checking row counts
    /// and money totals. Stop the bot first; point it at the new database afterwards.
    MigrateTo {
        /// The target, a postgres:// URL (it is migrated first and must hold no data).
        target: String,
    },
}

#[derive(Debug, Subcommand)]
pub enum RollCommand {
    /// Import the roll: CSV of dong (Korean or English name), phone, optional birth year,
    /// optional reference. Phones are stored only as keyed hashes; all lines or none are imported.
    Import {
        /// The CSV file (UTF-8; a header row, a BOM and CRLF line ends are fine).
        file: PathBuf,
    },
    /// Unbind a verified resident from their roll entry or code, so they can verify again.
    Unbind {
        /// The phone number on the roll.
        #[arg(long, conflicts_with = "telegram_id", required_unless_present = "telegram_id")]
        phone: Option<String>,
        /// The resident's Telegram user id.
        #[arg(long)]
        telegram_id: Option<i64>,
    },
}

#[derive(Debug, Subcommand)]
pub enum CodesCommand {
    /// Issue fresh one-time codes for a dong and print them as CSV for printing.
    Issue {
        /// The dong (Korean or English name).
        #[arg(long)]
        dong: String,
        /// How many codes (1 to 100,000).
        #[arg(long)]
        count: u32,
        /// Last valid day, YYYY-MM-DD in Asia/Seoul (default: the district file's code_valid_days from today).
        #[arg(long)]
        expires: Option<chrono::NaiveDate>,
    },
}

#[derive(Debug, Subcommand)]
pub enum MeetingsCommand {
    /// Schedule meetings from a CSV file and announce each to its area's followers: dong, stage
    /// (first, second, committee, forum), start, end, venue in Korean, optional venue in English,
    /// notes and capacity. Times are Seoul time: 2026-12-03 19:00, 12/3 19:00 or 12월 3일 19시
    /// (the end may be a time alone). All lines or none; problems are listed by line.
    Import {
        /// The CSV file (UTF-8; a header row, a BOM and CRLF line ends are fine).
        file: PathBuf,
    },
    /// The cycle's meetings as CSV, with answers and attendance.
    List,
}

/// A resident named on the command line: a Telegram user id or a phone number on the roll.
#[derive(Debug, clap::Args)]
pub struct ResidentArgs {
    /// The resident's Telegram user id.
    #[arg(long, conflicts_with = "phone", required_unless_present = "phone")]
    pub telegram_id: Option<i64>,
    /// The phone number the resident verified with (as on the roll).
    #[arg(long)]
    pub phone: Option<String>,
}

#[derive(Debug, Subcommand)]
pub enum FacilitatorsCommand {
    /// Let a resident open check-in at meetings.
    Grant(ResidentArgs),
    /// Take the facilitator role back.
    Revoke(ResidentArgs),
    /// List facilitators as CSV.
    List,
}

#[derive(Debug, Subcommand)]
pub enum CoursesCommand {
    /// Record Budget School completions from a CSV of telegram_id, phone (one of the two),
    /// course (basic, instructor, committee; or 기본/강사/위원), completed_on (YYYY-MM-DD).
    /// All lines or none.
    Import {
        /// The CSV file (UTF-8; a header row, a BOM and CRLF line ends are fine).
        file: PathBuf,
    },
}

#[derive(Debug, Subcommand)]
pub enum CommitteeCommand {
    /// Everyone verified or trained, as CSV: whether they may sit on the committee and why not.
    Eligible,
    /// Appoint the residents listed in a CSV of telegram_id, phone (one of the two) to the
    /// committee and tell each of them. All or none: anyone not eligible stops the appointment.
    Appoint { file: PathBuf },
    /// The committee's members as CSV.
    List,
}

#[derive(Debug, Subcommand)]
pub enum ProposalsCommand {
    /// Write every proposal of the cycle as CSV to standard output (no personal data).
    Export {
        /// Budget year (default: the district file's cycle).
        #[arg(long)]
        year: Option<i32>,
    },
}

/// Runs the parsed command line.
pub async fn run(cli: Cli) -> anyhow::Result<()> {
    match cli.command {
        Command::Run(args) => run_bot(&cli.config, &cli.database_url, &args).await,
        Command::Tally(args) => tally(&args),
        Command::Admin(AdminCommand::ApplyDistrict { file }) => apply_district(&file, &cli.database_url).await,
        Command::Admin(AdminCommand::Proposals(ProposalsCommand::Export { year })) => {
            export_proposals(&cli.config, &cli.database_url, year).await
        }
        Command::Admin(AdminCommand::MigrateTo { target }) => migrate_to(&cli.database_url, &target).await,
        Command::Admin(AdminCommand::Roll(RollCommand::Import { file })) => {
            import_roll(&cli.config, &cli.database_url, &file).await
        }
        Command::Admin(AdminCommand::Roll(RollCommand::Unbind { phone, telegram_id })) => {
            unbind(&cli.config, &cli.database_url, phone.as_deref(), telegram_id).await
        }
        Command::Admin(AdminCommand::Codes(CodesCommand::Issue { dong, count, expires })) => {
            issue_codes(&cli.config, &cli.database_url, &dong, count, expires).await
        }
        Command::Admin(AdminCommand::Meetings(MeetingsCommand::Import { file })) => {
            import_meetings(&cli.config, &cli.database_url, &file).await
        }
        Command::Admin(AdminCommand::Meetings(MeetingsCommand::List)) => {
            list_meetings(&cli.config, &cli.database_url).await
        }
        Command::Admin(AdminCommand::Rounds(command)) => rounds::run(&cli.config, &cli.database_url, command).await,
        Command::Admin(AdminCommand::Export { round, format, out }) => {
            rounds::export(&cli.config, &cli.database_url, round, format, out.as_deref()).await
        }
        Command::Admin(AdminCommand::Ballots(rounds::BallotsCommand::Import { file })) => {
            rounds::import_paper(&cli.config, &cli.database_url, &file).await
        }
        Command::Admin(AdminCommand::Execution(command)) => {
            execution::run(&cli.config, &cli.database_url, command).await
        }
        Command::Admin(AdminCommand::Facilitators(command)) => {
            committee::facilitators(&cli.config, &cli.database_url, command).await
        }
        Command::Admin(AdminCommand::Courses(CoursesCommand::Import { file })) => {
            committee::import_courses(&cli.config, &cli.database_url, &file).await
        }
        Command::Admin(AdminCommand::Committee(command)) => {
            committee::committee(&cli.config, &cli.database_url, command).await
        }
    }
}

/// `pb-bot tally`: the selected ids sorted as strings, their total cost and the budget.
fn tally(args: &TallyArgs) -> anyhow::Result<()> {
    use crate::domain::{pabulib, tally};
    let text = std::fs::read_to_string(&args.file).with_context(|| format!("cannot read {}", args.file.display()))?;
    let instance = pabulib::parse(&text).map_err(|e| anyhow::anyhow!("{}: {e}", args.file.display()))?;
    let profile = tally::Profile::of(&instance).map_err(|e| anyhow::anyhow!("{}: {e}", args.file.display()))?;
    let rule = match args.rule {
        TallyRule::Greedy => tally::Rule::Greedy,
        TallyRule::GreedyStop => tally::Rule::GreedyStop,
        TallyRule::Mes => tally::Rule::Mes,
        TallyRule::MesCompleted => tally::Rule::MesCompleted {
            stop: match args.add1_stop {
                Add1StopArg::Exhaustive => tally::Add1Stop::Exhaustive,
                Add1StopArg::Infeasible => tally::Add1Stop::Infeasible,
            },
            complete: args.completion == CompletionArg::Greedy,
            step: match (args.add1_step, instance.meta(tally::ADD1_STEP)) {
                (Some(step), _) => step,
                (None, Some(text)) => text.trim().parse().map_err(|_| {
                    anyhow::anyhow!("{}: {} `{text}` is not a number", args.file.display(), tally::ADD1_STEP)
                })?,
                (None, None) => rust_decimal::Decimal::ONE,
            },
        },
        TallyRule::Phragmen => tally::Rule::Phragmen,
    };
    let name = rule.name();
    let selected = match rule.run(&profile) {
        Ok(selected) => selected,
        Err(e) => {
            eprintln!("{}: {e}", args.file.display());
            std::process::exit(2);
        }
    };
    let ids = tally::sorted_ids(&profile, &selected);
    let total = profile.cost_of(&selected).normalize().to_string();
    let budget = profile.budget.normalize().to_string();
    if args.json {
        #[derive(serde::Serialize)]
        struct Tallied<'a> {
            rule: &'a str,
            selected: &'a [String],
            total_cost: &'a str,
            budget: &'a str,
        }
        let tallied = Tallied { rule: name, selected: &ids, total_cost: &total, budget: &budget };
        println!("{}", serde_json::to_string(&tallied)?);
    } else {
        println!("rule: {name}");
        println!("selected ({}): {}", ids.len(), ids.join(" "));
        println!("total cost: {total}");
        println!("budget: {budget}");
    }
    Ok(())
}

pub(crate) fn this_year_in_seoul() -> i32 {
    Utc::now().with_timezone(&Seoul).year()
}

/// The district file plus `PB_OFFICIALS`.
pub fn load_config(path: &Path) -> anyhow::Result<Config> {
    let mut config = Config::load(path, this_year_in_seoul())?;
    if let Ok(extra) = std::env::var("PB_OFFICIALS") {
        config.add_officials_from_env(&extra)?;
    }
    Ok(config)
}

pub(crate) async fn open_store(url: &str) -> anyhow::Result<Store> {
    Store::open(url).await.with_context(|| format!("cannot open the database {}", redact_url(url)))
}

/// The secret Telegram sends with every webhook request; every replica must share it.
fn webhook_secret() -> anyhow::Result<String> {
    let secret = std::env::var("PB_WEBHOOK_SECRET").unwrap_or_default();
    let valid = (1..=256).contains(&secret.len())
        && secret.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-');
    if !valid {
        bail!(
            "PB_WEBHOOK_SECRET must be set for --webhook: 1-256 characters of A-Z, a-z, 0-9, _ and -, the same on every replica"
        );
    }
    Ok(secret)
}

async fn run_bot(config_path: &Path, database_url: &str, args: &RunArgs) -> anyhow::Result<()> {
    if std::env::var("TELOXIDE_TOKEN").map_or(true, |t| t.trim().is_empty()) {
        bail!("TELOXIDE_TOKEN is not set: export the bot token from @BotFather before `pb-bot run`");
    }
    let webhook_secret = if args.webhook { Some(webhook_secret()?) } else { None };
    let config = load_config(config_path)?;
    let store = open_store(database_url).await?;
    let cycle = store.apply_district(&config, Utc::now().timestamp()).await?;
    let locales = Locales::embedded()?;
    let secret = Arc::new(load_secret(database_url)?);
    tracing::info!(
        district = %config.district_en,
        areas = config.areas.len(),
        officials = config.officials.len(),
        cycle = cycle.year,
        phase = %cycle.phase,
        database = %redact_url(database_url),
        "district applied"
    );

    let bot = Bot::from_env();
    let me = bot.get_me().await.with_context(|| format!("cannot reach the Bot API at {}", bot.api_url()))?;
    tracing::info!(username = me.username.as_deref().unwrap_or(""), api = %bot.api_url(), "connected to the Bot API");

    let (config, locales) = (Arc::new(config), Arc::new(locales));
    if let Err(e) = bot::register_commands(&bot, &config, &store, &locales).await {
        tracing::warn!(error = %e, "could not register the command menus");
    }

    // Every push goes out through the delivery worker; it shares the pace with the handlers.
    let courier = bot::Courier::new(&config.delivery);
    let (stop_delivery, stop_signal) = tokio::sync::watch::channel(false);
    let worker = bot::Worker::new(store.clone(), bot.clone(), courier.clone(), &config.delivery);
    let clock = tokio::spawn(bot::jobs::run(
        store.clone(),
        config.clone(),
        locales.clone(),
        secret.clone(),
        courier.clone(),
        stop_signal.clone(),
    ));
    let checkpoints = tokio::spawn(bot::jobs::checkpoints(store.clone(), stop_signal.clone()));
    let delivery = tokio::spawn(worker.run(stop_signal));

    // Residents' updates beyond the ones in hand wait at Telegram, not in memory. The dispatcher
    // runs as a task of the runtime rather than on this thread: handing each update from here to
    // a worker thread woke that thread every time (measured in BENCHMARKS.md).
    let intake = bot::Intake::new(bot::UPDATES_AT_ONCE);
    let mut dispatcher = Dispatcher::builder(bot.clone(), bot::schema())
        .dependencies(bot::dependencies(config, store.clone(), locales, secret, courier, intake.clone()))
        .enable_ctrlc_handler()
        .build();
    let errors = LoggingErrorHandler::with_custom_text("update listener");
    match (webhook_secret, &args.public_url) {
        (Some(webhook_secret), Some(public_url)) => {
            let options = webhooks::Options::new(args.listen, public_url.clone()).secret_token(webhook_secret);
            let (listener, stop, router) =
                webhooks::axum_to_router(bot, options).await.context("the Bot API refused the webhook")?;
            let probe = store.clone();
            let app = router.route("/healthz", get(move || health(probe.clone())));
            let tcp = tokio::net::TcpListener::bind(args.listen)
                .await
                .with_context(|| format!("cannot listen on {}", args.listen))?;
            tracing::info!(listen = %args.listen, public_url = %public_url, "receiving updates by webhook");
            let server = tokio::spawn(async move { axum::serve(tcp, app).with_graceful_shutdown(stop).await });
            let listener = intake.admitting(listener);
            let receiving = tokio::spawn(async move { dispatcher.try_dispatch_with_listener(listener, errors).await });
            receiving.await?.context("the webhook listener failed")?;
            server.await.context("the webhook server stopped")?.context("the webhook server failed")?;
        }
        _ => {
            let listener = Polling::builder(bot).timeout(Duration::from_secs(25)).delete_webhook().await.build();
            let listener = intake.admitting(listener);
            tracing::info!("receiving updates by long polling");
            let receiving = tokio::spawn(async move { dispatcher.try_dispatch_with_listener(listener, errors).await });
            receiving.await?.context("the Bot API refused the bot")?;
        }
    }
    let _ = stop_delivery.send(true);
    let _ = clock.await;
    let _ = checkpoints.await;
    if tokio::time::timeout(Duration::from_secs(30), delivery).await.is_err() {
        tracing::warn!("the delivery worker did not stop within 30 s; its claims return to the queue when they expire");
    }
    store.close().await;
    tracing::info!("stopped");
    Ok(())
}

/// `GET /healthz` for load balancers: 200 while the database answers, 503 otherwise.
async fn health(store: Store) -> (StatusCode, &'static str) {
    match store.ping().await {
        Ok(()) => (StatusCode::OK, "ok"),
        Err(e) => {
            tracing::warn!(error = %e, "health check: the database does not answer");
            (StatusCode::SERVICE_UNAVAILABLE, "database unavailable")
        }
    }
}

async fn apply_district(file: &Path, database_url: &str) -> anyhow::Result<()> {
    let config = load_config(file)?;
    let store = open_store(database_url).await?;
    let cycle = store.apply_district(&config, Utc::now().timestamp()).await?;
    println!(
        "Applied {}: {} areas, PB pot {} ({}% of {}), {} officials, cycle {} in phase {}",
        config.district_en,
        config.areas.len(),
        config.pot.format_en(),
        config.pb_share_percent,
        config.annual_budget.format_en(),
        config.officials.len(),
        cycle.year,
        cycle.phase,
    );
    Ok(())
}

/// The server secret keying phone and code hashes: `PB_SECRET`, else (SQLite) a file beside the
/// database, created on first use and readable by its owner only.
pub fn load_secret(database_url: &str) -> anyhow::Result<Secret> {
    if let Ok(value) = std::env::var("PB_SECRET") {
        return Secret::new(&value).context("PB_SECRET");
    }
    let Some(db) = sqlite_path(database_url) else {
        bail!(
            "PB_SECRET must be set for a PostgreSQL database: every replica needs the same secret (at least 32 characters)"
        );
    };
    let path = PathBuf::from(format!("{}.secret", db.display()));
    if path.exists() {
        let text = std::fs::read_to_string(&path)
            .with_context(|| format!("cannot read the server secret {}", path.display()))?;
        return Secret::new(&text).with_context(|| path.display().to_string());
    }
    use std::os::unix::fs::OpenOptionsExt;
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(&path)
        .with_context(|| format!("cannot create the server secret {}", path.display()))?;
    let secret = Secret::generate();
    file.write_all(secret.as_bytes())?;
    tracing::warn!(
        file = %path.display(),
        "created a new server secret: back it up with the database; without it the roll and codes cannot be matched"
    );
    Ok(Secret::new(&secret)?)
}

/// A stored UTC time as officials read it in the command line's CSV: `2026-12-03 19:00`, Seoul.
pub(crate) fn seoul_minute(ts: i64) -> String {
    chrono::DateTime::from_timestamp(ts, 0)
        .unwrap_or_default()
        .with_timezone(&Seoul)
        .format("%Y-%m-%d %H:%M")
        .to_string()
}

fn seoul_year_and_now() -> (i32, i64) {
    (this_year_in_seoul(), Utc::now().timestamp())
}

/// An officials' CSV file as text, or a one-line error saying how to save it.
pub(crate) fn read_csv_text(file: &Path) -> anyhow::Result<String> {
    let bytes = std::fs::read(file).with_context(|| format!("cannot read {}", file.display()))?;
    let Ok(text) = String::from_utf8(bytes) else {
        bail!("{}: the file is not UTF-8 text; save it as \"CSV UTF-8\"", file.display());
    };
    Ok(text)
}

async fn import_meetings(config_path: &Path, database_url: &str, file: &Path) -> anyhow::Result<()> {
    let config = load_config(config_path)?;
    let text = read_csv_text(file)?;
    let now = Utc::now();
    let lines = match parse_schedule(&text, &config.areas, now) {
        Ok(lines) => lines,
        Err(errors) => {
            for e in &errors {
                eprintln!("{}: {e}", file.display());
            }
            bail!("{}: {} problem(s); nothing was scheduled", file.display(), errors.len());
        }
    };
    let store = open_store(database_url).await?;
    let cycle = store.apply_district(&config, now.timestamp()).await?;
    let locales = Locales::embedded()?;
    let meetings: Vec<NewMeeting> = lines
        .iter()
        .map(|l| NewMeeting {
            area_key: l.area_key.clone(),
            stage: l.stage,
            starts_at: l.starts_at.timestamp(),
            ends_at: l.ends_at.timestamp(),
            venue_ko: l.venue_ko.clone(),
            venue_en: l.venue_en.clone(),
            notes: l.notes.clone(),
            capacity: l.capacity.map(i64::from),
        })
        .collect();
    let (created, announced) = store
        .create_meetings(
            cycle.id,
            &meetings,
            None,
            |m| bot::meetings::scheduled_pushes(&config, &locales, m, None),
            now.timestamp(),
        )
        .await?;
    println!(
        "Scheduled {} meetings from {} and queued {announced} announcements to their followers; `pb-bot run` delivers them",
        created.len(),
        file.display()
    );
    Ok(())
}

async fn list_meetings(config_path: &Path, database_url: &str) -> anyhow::Result<()> {
    let config = load_config(config_path)?;
    let store = open_store(database_url).await?;
    let cycle = store.apply_district(&config, Utc::now().timestamp()).await?;
    let mut out = csv::Writer::from_writer(std::io::stdout().lock());
    out.write_record([
        "id",
        "area",
        "stage",
        "starts",
        "ends",
        "venue",
        "capacity",
        "going",
        "not_going",
        "attended",
        "cancelled",
    ])?;
    let seoul = seoul_minute;
    for (m, (going, not_going, attended)) in store.meetings_with_counts(cycle.id).await? {
        out.write_record([
            m.id.to_string(),
            config.area_name(&m.area_key, crate::i18n::Lang::Ko),
            m.stage.to_string(),
            seoul(m.starts_at),
            seoul(m.ends_at),
            m.venue_ko,
            m.capacity.map(|c| c.to_string()).unwrap_or_default(),
            going.to_string(),
            not_going.to_string(),
            attended.to_string(),
            m.cancelled_at.map(seoul).unwrap_or_default(),
        ])?;
    }
    out.flush()?;
    Ok(())
}

async fn import_roll(config_path: &Path, database_url: &str, file: &Path) -> anyhow::Result<()> {
    let config = load_config(config_path)?;
    let text = read_csv_text(file)?;
    let (this_year, now) = seoul_year_and_now();
    let started = std::time::Instant::now();
    let lines = match parse_roll(&text, &config.areas, this_year) {
        Ok(lines) => lines,
        Err(errors) => {
            for e in errors.iter().take(100) {
                eprintln!("{}: {e}", file.display());
            }
            if errors.len() > 100 {
                eprintln!("{}: … and {} more", file.display(), errors.len() - 100);
            }
            bail!("{}: {} problem(s); nothing was imported", file.display(), errors.len());
        }
    };
    // A roll of 300,000 people is tens of MB in each form: the file, the checked lines and the
    // hashed rows. Each is let go as soon as the next is made.
    drop(text);
    let secret = load_secret(database_url)?;
    let store = open_store(database_url).await?;
    store.apply_district(&config, now).await?;
    let rows: Vec<RollRow> = lines
        .into_iter()
        .map(|l| RollRow {
            phone_hash: secret.phone_hash(&l.phone),
            dong_key: l.dong_key,
            birth_year: l.birth_year,
            external_ref: l.external_ref,
        })
        .collect();
    let new = store.import_roll(&rows, now, None).await?;
    println!(
        "Imported {} roll entries from {} ({} new, {} already known) in {} ms",
        rows.len(),
        file.display(),
        new,
        rows.len() as u64 - new,
        started.elapsed().as_millis()
    );
    Ok(())
}

async fn unbind(
    config_path: &Path,
    database_url: &str,
    phone: Option<&str>,
    telegram_id: Option<i64>,
) -> anyhow::Result<()> {
    let _config = load_config(config_path)?;
    let store = open_store(database_url).await?;
    let user = match (phone, telegram_id) {
        (_, Some(id)) => Some(id),
        (Some(phone), None) => {
            let phone = Phone::parse(phone).map_err(|e| anyhow::anyhow!("`{phone}`: {e}"))?;
            store.resident_by_phone(&load_secret(database_url)?.phone_hash(&phone)).await?
        }
        (None, None) => bail!("give --phone or --telegram-id"),
    };
    match user {
        Some(id) if store.unbind_resident(id, None, Utc::now().timestamp()).await? => {
            println!("Unbound Telegram user {id}; they can verify again.");
            Ok(())
        }
        _ => bail!("no verified resident matches"),
    }
}

async fn issue_codes(
    config_path: &Path,
    database_url: &str,
    dong: &str,
    count: u32,
    expires: Option<chrono::NaiveDate>,
) -> anyhow::Result<()> {
    let config = load_config(config_path)?;
    let Some(area) = find_area(&config.areas, dong).filter(|a| a.kind == AreaKind::Dong) else {
        bail!("unknown dong `{dong}`");
    };
    if !(1..=100_000).contains(&count) {
        bail!("--count must be between 1 and 100000");
    }
    let now = Utc::now();
    let last_day = expires.unwrap_or_else(|| {
        now.with_timezone(&Seoul).date_naive() + chrono::Days::new(u64::from(config.verification.code_valid_days))
    });
    let expires_at = valid_through(last_day).context("that day does not exist in Asia/Seoul")?;
    if expires_at <= now {
        bail!("--expires {last_day} is in the past");
    }
    let secret = load_secret(database_url)?;
    let store = open_store(database_url).await?;
    store.apply_district(&config, now.timestamp()).await?;
    let codes = code_batch(&secret, count as usize);
    let hashes: Vec<String> = codes.keys().cloned().collect();
    store.issue_codes(&area.key, &hashes, expires_at.timestamp(), None, now.timestamp()).await?;
    let mut out = csv::Writer::from_writer(std::io::stdout().lock());
    out.write_record(["code", "dong", "dong_en", "valid_until"])?;
    for code in codes.values() {
        out.write_record([code.printed(), area.name_ko.clone(), area.name_en.clone(), last_day.to_string()])?;
    }
    out.flush()?;
    Ok(())
}

async fn migrate_to(source_url: &str, target_url: &str) -> anyhow::Result<()> {
    if !(target_url.starts_with("postgres://") || target_url.starts_with("postgresql://")) {
        bail!("migrate-to takes a postgres:// URL, not `{}`", redact_url(target_url));
    }
    let source = open_store(source_url).await?;
    let target = open_store(target_url).await?;
    let report = source
        .copy_into(&target, Utc::now().timestamp())
        .await
        .with_context(|| format!("copying into {}", redact_url(target_url)))?;
    println!("Copied {} into {}:", redact_url(source_url), redact_url(target_url));
    for (table, rows) in &report.rows {
        println!("  {table:<17} {rows:>9} rows (same in both)");
    }
    for (column, won) in &report.money {
        println!("  {column:<28} {won:>20} won in total (same in both)");
    }
    Ok(())
}

async fn export_proposals(config_path: &Path, database_url: &str, year: Option<i32>) -> anyhow::Result<()> {
    let config = load_config(config_path)?;
    let store = open_store(database_url).await?;
    let year = year.unwrap_or(config.cycle_year);
    let Some(cycle) = store.cycle(year).await? else {
        bail!("there is no {year} cycle in {}", redact_url(database_url));
    };
    let proposals = store.all_proposals(cycle.id).await?;
    let stdout = std::io::stdout();
    let mut out = csv::Writer::from_writer(stdout.lock());
    out.write_record([
        "id",
        "year",
        "area",
        "area_ko",
        "area_en",
        "status",
        "title",
        "description",
        "estimated_cost",
        "reviewed_cost",
        "ineligible_reason",
        "has_photo",
        "latitude",
        "longitude",
        "submitted_at",
    ])?;
    for p in &proposals {
        let area = config.area(&p.area_key);
        let submitted = chrono::DateTime::from_timestamp(p.created_at, 0).unwrap_or_default().with_timezone(&Seoul);
        out.write_record([
            p.id.to_string(),
            year.to_string(),
            p.area_key.clone(),
            area.map(|a| a.name_ko.clone()).unwrap_or_default(),
            area.map(|a| a.name_en.clone()).unwrap_or_default(),
            p.status.to_string(),
            p.title.clone(),
            p.description.clone(),
            p.estimated_cost.to_i64().to_string(),
            p.reviewed_cost.map(|c| c.to_i64().to_string()).unwrap_or_default(),
            p.ineligible_reason.clone().unwrap_or_default(),
            p.photo_file_id.is_some().to_string(),
            p.location.map(|l| l.latitude.to_string()).unwrap_or_default(),
            p.location.map(|l| l.longitude.to_string()).unwrap_or_default(),
            submitted.to_rfc3339(),
        ])?;
    }
    out.flush()?;
    drop(out);
    std::io::stdout().flush()?;
    Ok(())
}
