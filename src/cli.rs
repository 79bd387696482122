//! The command line: `pb-bot run` and the officials' bulk tools under `pb-bot admin`.

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
    i18n::Locales,
    store::{Store, redact_url},
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
    /// Copy this deployment (DATABASE_URL) into an empty PostgreSQL database, checking row counts
    /// and money totals. Stop the bot first; point it at the new database afterwards.
    MigrateTo {
        /// The target, a postgres:// URL (it is migrated first and must hold no data).
        target: String,
    },
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
        Command::Admin(AdminCommand::ApplyDistrict { file }) => apply_district(&file, &cli.database_url).await,
        Command::Admin(AdminCommand::Proposals(ProposalsCommand::Export { year })) => {
            export_proposals(&cli.config, &cli.database_url, year).await
        }
        Command::Admin(AdminCommand::MigrateTo { target }) => migrate_to(&cli.database_url, &target).await,
    }
}

fn this_year_in_seoul() -> i32 {
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

async fn open_store(url: &str) -> anyhow::Result<Store> {
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
    let secret = if args.webhook { Some(webhook_secret()?) } else { None };
    let config = load_config(config_path)?;
    let store = open_store(database_url).await?;
    let cycle = store.apply_district(&config, Utc::now().timestamp()).await?;
    let locales = Locales::embedded()?;
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

    let mut dispatcher = Dispatcher::builder(bot.clone(), bot::schema())
        .dependencies(bot::dependencies(config, store.clone(), locales))
        .enable_ctrlc_handler()
        .build();
    let errors = LoggingErrorHandler::with_custom_text("update listener");
    match (secret, &args.public_url) {
        (Some(secret), Some(public_url)) => {
            let options = webhooks::Options::new(args.listen, public_url.clone()).secret_token(secret);
            let (listener, stop, router) =
                webhooks::axum_to_router(bot, options).await.context("the Bot API refused the webhook")?;
            let app = router.route("/healthz", get(move || health(store.clone())));
            let tcp = tokio::net::TcpListener::bind(args.listen)
                .await
                .with_context(|| format!("cannot listen on {}", args.listen))?;
            tracing::info!(listen = %args.listen, public_url = %public_url, "receiving updates by webhook");
            let server = tokio::spawn(async move { axum::serve(tcp, app).with_graceful_shutdown(stop).await });
            dispatcher.try_dispatch_with_listener(listener, errors).await.context("the webhook listener failed")?;
            server.await.context("the webhook server stopped")?.context("the webhook server failed")?;
        }
        _ => {
            let listener = Polling::builder(bot).timeout(Duration::from_secs(25)).delete_webhook().await.build();
            tracing::info!("receiving updates by long polling");
            dispatcher.try_dispatch_with_listener(listener, errors).await.context("the Bot API refused the bot")?;
        }
    }
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
