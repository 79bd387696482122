//! What runs on the clock inside `pb-bot run`: ballot rounds opening and closing on time,
//! meeting reminders, and the quarterly digest of execution cards. Every step is safe to run on
//! several replicas at once (the store lets one of them do each change), so each replica simply
//! runs them all.

use std::{sync::Arc, time::Duration};

use crate::{config::Config, domain::verification::Secret, i18n::Locales, store::Store};

/// How often the clock's work is looked for.
pub const TICK: Duration = Duration::from_secs(15);

/// How often the SQLite write-ahead log is copied into the database.
pub const CHECKPOINT_EVERY: Duration = Duration::from_secs(1);

/// One pass: rounds due to open or close, reminders due; returns how many pushes or changes
/// were made (the delivery worker is woken when there are any).
pub async fn tick(
    store: &Store,
    config: &Config,
    locales: &Locales,
    secret: &Secret,
    now: chrono::DateTime<chrono::Utc>,
) -> usize {
    let mut done = 0;
    match super::vote::open_and_close_rounds(store, config, locales, now.timestamp()).await {
        Ok(n) => done += n,
        Err(e) => tracing::warn!(error = %e, "could not open or close ballot rounds; trying again shortly"),
    }
    match super::vote::queue_vote_reminders(store, config, locales, secret, now.timestamp()).await {
        Ok(n) => done += n,
        Err(e) => tracing::warn!(error = %e, "could not queue voting reminders; trying again shortly"),
    }
    match super::execution::queue_digests(store, config, locales, now).await {
        Ok(n) => done += n,
        Err(e) => tracing::warn!(error = %e, "could not queue the execution digests; trying again shortly"),
    }
    match super::meetings::queue_reminders(store, config, locales, now).await {
        Ok(0) => {}
        Ok(n) => {
            tracing::info!(queued = n, "meeting reminders queued");
            done += n;
        }
        Err(e) => tracing::warn!(error = %e, "could not queue meeting reminders; trying again shortly"),
    }
    done
}

/// Runs [`tick`] every [`TICK`] until `stop` turns true.
pub async fn run(
    store: Store,
    config: Arc<Config>,
    locales: Arc<Locales>,
    secret: Arc<Secret>,
    courier: Arc<super::Courier>,
    mut stop: tokio::sync::watch::Receiver<bool>,
) {
    loop {
        if tick(&store, &config, &locales, &secret, chrono::Utc::now()).await > 0 {
            courier.wake();
        }
        tokio::select! {
            _ = tokio::time::sleep(TICK) => {}
            _ = stop.wait_for(|stopped| *stopped) => return,
        }
    }
}

/// Copies the SQLite write-ahead log into the database every [`CHECKPOINT_EVERY`], off the path
/// of residents' updates (see [`Store::checkpoint`]), until `stop` turns true. Returns at once on
/// PostgreSQL.
pub async fn checkpoints(store: Store, mut stop: tokio::sync::watch::Receiver<bool>) {
    loop {
        match store.checkpoint().await {
            Ok(None) => return,
            Ok(Some((log, copied))) => tracing::debug!(log, copied, "write-ahead log checkpointed"),
            Err(e) => tracing::warn!(error = %e, "could not checkpoint the database; trying again shortly"),
        }
        tokio::select! {
            _ = tokio::time::sleep(CHECKPOINT_EVERY) => {}
            _ = stop.wait_for(|stopped| *stopped) => return,
        }
    }
}
