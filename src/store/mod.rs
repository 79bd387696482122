//! The only place that knows SQL: opens and migrates the database and turns rows into domain
//! values.
//!
//! Queries are written once in SQL that SQLite and PostgreSQL both accept (`$1` parameters,
//! `ON CONFLICT`, `RETURNING`) and run through sqlx's `Any` driver, so one body of store code
//! serves both databases. Timestamps are UTC seconds (BIGINT), money is whole won (BIGINT).
//! The `Any` driver was chosen over generics or a trait with two implementations because the
//! queries are identical on both databases; where a clause differs (row locking), [`Backend`]
//! says which one to use.

mod ballots;
mod committee;
mod coordination;
mod draft_writes;
mod execution;
mod meetings;
mod migrate;
mod outbox;
mod outcomes;
mod pool;
mod proposals;
mod recent;
mod verification;

use std::{
    collections::HashMap,
    str::FromStr,
    sync::{Arc, Mutex},
};

use sqlx::{
    Row,
    any::{AnyPoolOptions, AnyRow},
    migrate::Migrator,
};

pub use ballots::{
    CastOutcome, Draft, NewRound, PossibleVoter, Round, RoundProject, RoundRecord, Source, StoredBallot, rules_of,
};
pub use committee::{AppointOutcome, CommitteeCandidate, Completion, MeetingRecord};
pub use coordination::WorkItem;
pub use execution::{AnswerOutcome, Evaluation, PostOutcome, Ratings, UpdateRecord};
pub use meetings::{
    ChangeOutcome, CheckInOutcome, Checkin, Meeting, NewMeeting, OpenCheckin, ReminderDue, RsvpOutcome,
};
pub use migrate::MigrationReport;
pub use outbox::{
    Broadcast, BroadcastReport, DISTRICT_TARGET, DeliveryStats, Follow, Lane, Media, Notice, OutgoingMessage, Photos,
    Pushes,
};
pub use outcomes::{ExclusionOutcome, MAX_REASON_CHARS, Publication, PublishOutcome, SurveyOutcome};
pub use proposals::{DailyLimit, ReviewOutcome, SubmitOutcome};
pub use verification::{BindOutcome, CodeLimits, RedeemOutcome, Resident, RollEntry, RollRow};

use crate::{
    config::{Config, Official},
    domain::Phase,
    i18n::Lang,
};

static SQLITE_MIGRATIONS: Migrator = sqlx::migrate!("migrations/sqlite");
static POSTGRES_MIGRATIONS: Migrator = sqlx::migrate!("migrations/postgres");

/// A failure of the database itself, never a resident's mistake.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("database: {0}")]
    Database(#[from] sqlx::Error),
    #[error("database migration: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    #[error("unsupported DATABASE_URL `{0}`: use a SQLite file path, a sqlite:// URL or a postgres:// URL")]
    UnsupportedUrl(String),
    #[error("stored data is not valid: {0}")]
    Corrupt(String),
}

pub type StoreResult<T> = Result<T, StoreError>;

/// The database, shared by every handler (cheap to clone).
#[derive(Clone, Debug)]
pub struct Store {
    pool: pool::Pool,
    backend: Backend,
    /// The projects of each opened round, read once: they are fixed when the round opens and
    /// never change after, and every tap on a ballot needs them.
    round_projects: Arc<Mutex<HashMap<i64, Arc<Vec<ballots::RoundProject>>>>>,
    /// Users read in the last seconds (see [`recent`]).
    recent: Arc<recent::RecentUsers>,
    /// Rounds and voters' drafts read or written in the last seconds, by round and voter key,
    /// for taps on a ballot ([`Store::round_with_draft`]).
    drafts: Arc<recent::Recent<(i64, String), (ballots::Round, ballots::Draft)>>,
    /// Taps' draft writes waiting for this process's writer (SQLite; see [`draft_writes`]).
    draft_writes: Arc<draft_writes::DraftWrites>,
    /// The year's cycle and its rounds as read in the last [`SHOWN_FOR`] seconds, for what every
    /// resident is shown alike ([`Store::cycle_shown`], [`Store::rounds_shown`]).
    cycles: Arc<recent::Recent<i32, Option<Cycle>>>,
    rounds: Arc<recent::Recent<i32, Vec<ballots::Round>>>,
}

/// How long the year's cycle and rounds, as shown to residents, are taken as read, in seconds:
/// a change made by another replica shows within it; one made through this store at once.
const SHOWN_FOR: i64 = 1;

/// A budget year's cycle and the phase it is in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cycle {
    pub id: i64,
    pub year: i32,
    pub phase: Phase,
    pub phase_changed_at: i64,
}

/// What the bot knows of a user's language.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct UserLanguage {
    pub chosen: Option<Lang>,
    pub telegram: Option<String>,
}

/// What the start of an update learns about its user.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Seen {
    pub language: UserLanguage,
    /// Their name to the ballot box and their dong, when they are a verified resident.
    pub voter: Option<(String, String)>,
}

/// One line of the audit log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditEntry {
    pub at: i64,
    pub actor_id: Option<i64>,
    pub action: String,
    pub subject: Option<String>,
    pub detail: Option<String>,
}

/// How many SQLite connections the store opens at most. One writes at a time; the others read
/// meanwhile (WAL). Measured under load, 1, 2, 4 and 8 handle residents equally fast.
const SQLITE_CONNECTIONS: usize = 8;

/// The page cache of each SQLite connection.
const SQLITE_CACHE: &str = "PRAGMA cache_size = -4000";

/// How stale a user's `last_seen` may be before an update writes it again, in seconds.
pub const LAST_SEEN_PRECISION: i64 = 600;

/// Which database the store talks to; the SQL is the same, a few clauses are not.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl Store {
    /// Opens the database named by `url` and applies every pending migration: PostgreSQL for a
    /// `postgres://` or `postgresql://` URL, otherwise a SQLite file (path or `sqlite://` URL),
    /// created if missing.
    pub async fn open(url: &str) -> StoreResult<Store> {
        Store::open_with(url, true).await
    }

    /// Like [`Store::open`]; with `keep_idle_connections` false every connection is closed when
    /// released. Only for test harnesses that run each step in a Tokio runtime of its own: a
    /// PostgreSQL connection cannot outlive the runtime it was opened in.
    pub async fn open_with(url: &str, keep_idle_connections: bool) -> StoreResult<Store> {
        sqlx::any::install_default_drivers();
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            let pool = AnyPoolOptions::new()
                .max_connections(16)
                .after_release(move |_, _| Box::pin(async move { Ok(keep_idle_connections) }))
                .connect(url)
                .await?;
            // sqlx takes an advisory lock while migrating, so replicas starting together are safe.
            POSTGRES_MIGRATIONS.run(&pool).await?;
            return Ok(Store::new(pool::Pool::Postgres(pool), Backend::Postgres));
        }
        let url = sqlite_url(url)?;
        let setup = vec![
            // WAL lets residents browse while another resident's proposal is written.
            "PRAGMA journal_mode = WAL",
            "PRAGMA foreign_keys = ON",
            "PRAGMA busy_timeout = 10000",
            // Under WAL, NORMAL keeps the database consistent through a crash (only the last
            // commits before a power cut may be lost) and spares an fsync per commit.
            "PRAGMA synchronous = NORMAL",
            // Each connection keeps its own page cache: 4 MB each (SQLite's default is 2 MB)
            // holds a district's hot pages while 8 connections stay within 32 MB. The roll
            // import raises it for its own transaction.
            SQLITE_CACHE,
            // `pb-bot run` copies the write-ahead log into the database in the background
            // ([`Store::checkpoint`]): done by SQLite itself, the copy and its fsync fall to the
            // commit that crosses the limit, and that resident waits milliseconds for it. The
            // limit stays as a safety net, high enough that the background copy keeps under it
            // (40 MB of log), and for the command line, which has no background work.
            "PRAGMA wal_autocheckpoint = 10000",
        ];
        // sqlx takes no lock while migrating SQLite; processes starting together on a fresh file
        // would both apply the first migration. A lock file beside the database serialises them,
        // from the first connection on: turning a fresh file to WAL needs it to themselves, and
        // SQLite refuses ("database is locked") rather than waits when another is doing the same.
        let lock = sqlite_migration_lock(&url).await?;
        let pool =
            pool::Pool::Sqlite(pool::SqlitePool::open(&url, SQLITE_CONNECTIONS, setup, keep_idle_connections).await?);
        SQLITE_MIGRATIONS.run_direct(&mut *pool.acquire().await?).await?;
        drop(lock);
        Ok(Store::new(pool, Backend::Sqlite))
    }

    fn new(pool: pool::Pool, backend: Backend) -> Store {
        Store {
            pool,
            backend,
            round_projects: Arc::default(),
            recent: Arc::default(),
            drafts: Arc::default(),
            draft_writes: Arc::default(),
            cycles: Arc::new(recent::Recent::lasting(SHOWN_FOR)),
            rounds: Arc::new(recent::Recent::lasting(SHOWN_FOR)),
        }
    }

    /// A transaction that writes. On SQLite it takes the write lock at once (`BEGIN IMMEDIATE`):
    /// a transaction that reads first and writes later fails with "database is locked" when
    /// another writer committed in between, while waiting for the lock up front lets
    /// `busy_timeout` queue concurrent writers of other processes (two replicas, the command
    /// line); this process's writers queue for their turn first ([`Store::write_conn`]).
    pub(crate) async fn write_tx(&self) -> StoreResult<pool::Tx> {
        let statement = match self.backend {
            Backend::Sqlite => Some("BEGIN IMMEDIATE"),
            Backend::Postgres => None,
        };
        pool::Tx::begin(self.write_conn().await?, statement).await
    }

    /// A connection of this store's, for one or more queries that only read; it goes back when
    /// dropped.
    pub(crate) async fn conn(&self) -> StoreResult<pool::Conn> {
        self.pool.acquire().await
    }

    /// A connection for a statement that writes outside a transaction. On SQLite it waits for
    /// this process's one writer's turn, so that writers take the file's lock in order instead
    /// of sleeping in SQLite's busy handler. Nothing that holds it may wait for another.
    pub(crate) async fn write_conn(&self) -> StoreResult<pool::Conn> {
        self.pool.acquire_writer().await
    }

    /// Closes the store's idle connections; for a clean end (the SQLite file is checkpointed).
    pub async fn close(&self) {
        self.pool.close().await;
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// SQLite: copies what the write-ahead log holds into the database without waiting for, or
    /// holding up, readers and writers (a passive checkpoint), and returns how many pages the log
    /// held and how many of them are now in the database (fewer when a reader still needs older
    /// ones; the next checkpoint takes them). PostgreSQL checkpoints on its own: `None`.
    pub async fn checkpoint(&self) -> StoreResult<Option<(i64, i64)>> {
        if self.backend == Backend::Postgres {
            return Ok(None);
        }
        let row = sqlx::query("PRAGMA wal_checkpoint(PASSIVE)").fetch_one(&mut *self.conn().await?).await?;
        // The columns: busy (always 0 for a passive checkpoint), log pages, pages checkpointed.
        Ok(Some((row.try_get(1)?, row.try_get(2)?)))
    }

    /// Whether the database answers (for health checks).
    pub async fn ping(&self) -> StoreResult<()> {
        sqlx::query("SELECT 1").execute(&mut *self.conn().await?).await?;
        Ok(())
    }

    /// Brings the database in line with the district file: areas (added, renamed, re-potted, or
    /// retired when dropped), the configured officials, and the cycle of the file's year, which a
    /// fresh database opens in the file's starting phase. Returns that cycle.
    pub async fn apply_district(&self, config: &Config, now: i64) -> StoreResult<Cycle> {
        let mut tx = self.write_tx().await?;
        sqlx::query("UPDATE areas SET active = 0").execute(&mut *tx).await?;
        for (position, area) in config.areas.iter().enumerate() {
            sqlx::query(
                "INSERT INTO areas (key, kind, name_ko, name_en, pot, position, active)
                 VALUES ($1, $2, $3, $4, $5, $6, 1)
                 ON CONFLICT (key) DO UPDATE SET kind = excluded.kind, name_ko = excluded.name_ko,
                   name_en = excluded.name_en, pot = excluded.pot, position = excluded.position,
                   active = 1",
            )
            .bind(&area.key)
            .bind(area.kind.as_str())
            .bind(&area.name_ko)
            .bind(&area.name_en)
            .bind(area.pot.to_i64())
            .bind(position as i64)
            .execute(&mut *tx)
            .await?;
        }
        sync_config_officials(&mut tx, &config.officials, now).await?;
        let created = sqlx::query(
            "INSERT INTO cycles (year, phase, phase_changed_at, created_at) VALUES ($1, $2, $3, $3)
             ON CONFLICT (year) DO NOTHING",
        )
        .bind(config.cycle_year)
        .bind(config.start_phase.as_str())
        .bind(now)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        let detail = serde_json::json!({
            "file": config.path.display().to_string(),
            "areas": config.areas.len(),
            "pot": config.pot.to_i64(),
            "cycle_created": created == 1,
        });
        insert_audit(
            &mut tx,
            now,
            None,
            "district.apply",
            Some(&config.cycle_year.to_string()),
            Some(&detail.to_string()),
        )
        .await?;
        tx.commit().await?;
        self.cycles.forget_all();
        self.cycle(config.cycle_year)
            .await?
            .ok_or_else(|| StoreError::Corrupt(format!("cycle {} missing after apply", config.cycle_year)))
    }

    pub async fn cycle(&self, year: i32) -> StoreResult<Option<Cycle>> {
        let row = sqlx::query("SELECT id, year, phase, phase_changed_at FROM cycles WHERE year = $1")
            .bind(year)
            .fetch_optional(&mut *self.conn().await?)
            .await?;
        row.map(|r| cycle_from_row(&r)).transpose()
    }

    /// The cycle as read in the last second, for what residents are shown (a welcome, a phase
    /// hint): another replica's phase change shows within a second. Whatever decides something
    /// reads [`Store::cycle`].
    pub async fn cycle_shown(&self, year: i32, now: i64) -> StoreResult<Option<Cycle>> {
        self.cycles.or_read(year, now, self.cycle(year)).await
    }

    /// Moves a cycle from `from` to `to`; `false` when it was no longer in `from` (another
    /// official moved it meanwhile). Audited.
    pub async fn move_phase(&self, cycle_id: i64, from: Phase, to: Phase, actor: i64, now: i64) -> StoreResult<bool> {
        let mut tx = self.write_tx().await?;
        let moved = sqlx::query("UPDATE cycles SET phase = $1, phase_changed_at = $2 WHERE id = $3 AND phase = $4")
            .bind(to.as_str())
            .bind(now)
            .bind(cycle_id)
            .bind(from.as_str())
            .execute(&mut *tx)
            .await?
            .rows_affected()
            == 1;
        if moved {
            let detail = serde_json::json!({ "from": from.as_str(), "to": to.as_str() }).to_string();
            insert_audit(&mut tx, now, Some(actor), "cycle.phase", Some(&cycle_id.to_string()), Some(&detail)).await?;
        }
        tx.commit().await?;
        self.cycles.forget_all();
        Ok(moved)
    }

    /// Records that a user wrote: their app's language and when (to within
    /// [`LAST_SEEN_PRECISION`]), and returns what is known of their language. Writing again also
    /// clears a "blocked the bot" mark, since Telegram only delivers updates from users who can be
    /// reached.
    pub async fn touch_user(
        &self,
        telegram_id: i64,
        telegram_language: Option<&str>,
        now: i64,
    ) -> StoreResult<UserLanguage> {
        Ok(self.seen(telegram_id, telegram_language, now).await?.language)
    }

    /// [`Store::touch_user`], and who the user is as a voter ([`Store::voter`]), for the start
    /// of every update. When nothing changed it is one read: a write per update would queue
    /// every resident behind SQLite's one writer, and each query is a hand-off to the database.
    /// What was read is kept for a few seconds ([`recent`]).
    pub async fn seen(&self, telegram_id: i64, telegram_language: Option<&str>, now: i64) -> StoreResult<Seen> {
        if let Some(seen) = self.recent.user(telegram_id, telegram_language, now) {
            return Ok(seen);
        }
        let ticket = self.recent.ticket();
        let seen = self.read_seen(telegram_id, telegram_language, now).await?;
        self.recent.put_user(ticket, telegram_id, telegram_language, &seen, now);
        Ok(seen)
    }

    async fn read_seen(&self, telegram_id: i64, telegram_language: Option<&str>, now: i64) -> StoreResult<Seen> {
        let detected = telegram_language.and_then(Lang::from_code).map(Lang::code);
        let known = sqlx::query(
            "SELECT u.chosen_language, u.telegram_language, u.language, u.blocked_at, u.last_seen,
               r.dong_key, r.roll_entry_id, r.code_id
             FROM users u LEFT JOIN residents r ON r.telegram_id = u.telegram_id WHERE u.telegram_id = $1",
        )
        .bind(telegram_id)
        .fetch_optional(&mut *self.conn().await?)
        .await?;
        // The residency needs a user row, so a user not known yet is no voter either.
        let voter = match &known {
            Some(row) => verification::voter_of(telegram_id, row)?,
            None => None,
        };
        if let Some(row) = known {
            let stored_telegram: Option<String> = row.try_get("telegram_language")?;
            let chosen: Option<String> = row.try_get("chosen_language")?;
            let language: Option<String> = row.try_get("language")?;
            let blocked: Option<i64> = row.try_get("blocked_at")?;
            let last_seen: i64 = row.try_get("last_seen")?;
            let same_language = telegram_language.is_none_or(|given| {
                stored_telegram.as_deref() == Some(given) && (chosen.is_some() || language.as_deref() == detected)
            });
            if same_language && blocked.is_none() && now - last_seen < LAST_SEEN_PRECISION {
                return Ok(Seen { language: user_language_from_row(&row)?, voter });
            }
        }
        let row = sqlx::query(
            "INSERT INTO users (telegram_id, telegram_language, language, first_seen, last_seen) VALUES ($1, $2, $3, $4, $4)
             ON CONFLICT (telegram_id) DO UPDATE SET
               telegram_language = COALESCE(excluded.telegram_language, users.telegram_language),
               language = COALESCE(users.chosen_language,
                 CASE WHEN excluded.telegram_language IS NULL THEN users.language ELSE excluded.language END),
               blocked_at = NULL,
               last_seen = excluded.last_seen
             RETURNING chosen_language, telegram_language",
        )
        .bind(telegram_id)
        .bind(telegram_language)
        .bind(detected)
        .bind(now)
        .fetch_one(&mut *self.write_conn().await?)
        .await?;
        Ok(Seen { language: user_language_from_row(&row)?, voter })
    }

    pub async fn user_language(&self, telegram_id: i64) -> StoreResult<UserLanguage> {
        let row = sqlx::query("SELECT chosen_language, telegram_language FROM users WHERE telegram_id = $1")
            .bind(telegram_id)
            .fetch_optional(&mut *self.conn().await?)
            .await?;
        row.map(|r| user_language_from_row(&r)).transpose().map(Option::unwrap_or_default)
    }

    pub async fn set_language(&self, telegram_id: i64, lang: Lang) -> StoreResult<()> {
        sqlx::query("UPDATE users SET chosen_language = $1, language = $1 WHERE telegram_id = $2")
            .bind(lang.code())
            .bind(telegram_id)
            .execute(&mut *self.write_conn().await?)
            .await?;
        self.recent.forget(&telegram_id);
        Ok(())
    }

    pub async fn is_official(&self, telegram_id: i64) -> StoreResult<bool> {
        let row = sqlx::query("SELECT 1 FROM officials WHERE telegram_id = $1")
            .bind(telegram_id)
            .fetch_optional(&mut *self.conn().await?)
            .await?;
        Ok(row.is_some())
    }

    /// The dialogue a user is in, as stored JSON.
    pub async fn dialogue(&self, telegram_id: i64) -> StoreResult<Option<String>> {
        let row = sqlx::query("SELECT state FROM dialogues WHERE telegram_id = $1")
            .bind(telegram_id)
            .fetch_optional(&mut *self.conn().await?)
            .await?;
        Ok(row.map(|r| r.try_get("state")).transpose()?)
    }

    pub async fn set_dialogue(&self, telegram_id: i64, state: &str, now: i64) -> StoreResult<()> {
        sqlx::query(
            "INSERT INTO dialogues (telegram_id, state, updated_at) VALUES ($1, $2, $3)
             ON CONFLICT (telegram_id) DO UPDATE SET state = excluded.state, updated_at = excluded.updated_at",
        )
        .bind(telegram_id)
        .bind(state)
        .bind(now)
        .execute(&mut *self.write_conn().await?)
        .await?;
        Ok(())
    }

    /// Replaces a dialogue only if it is still exactly `expected`; `false` when another process
    /// (a second replica handling the same resident's message) changed it first.
    pub async fn replace_dialogue(&self, telegram_id: i64, expected: &str, state: &str, now: i64) -> StoreResult<bool> {
        let replaced =
            sqlx::query("UPDATE dialogues SET state = $1, updated_at = $2 WHERE telegram_id = $3 AND state = $4")
                .bind(state)
                .bind(now)
                .bind(telegram_id)
                .bind(expected)
                .execute(&mut *self.write_conn().await?)
                .await?
                .rows_affected();
        Ok(replaced == 1)
    }

    /// Ends the dialogue if it is still exactly `expected`; `false` when another update (a second
    /// tap, another replica) moved or ended it first. Acting only after `true` makes a button act once.
    pub async fn end_dialogue(&self, telegram_id: i64, expected: &str) -> StoreResult<bool> {
        let ended = sqlx::query("DELETE FROM dialogues WHERE telegram_id = $1 AND state = $2")
            .bind(telegram_id)
            .bind(expected)
            .execute(&mut *self.write_conn().await?)
            .await?
            .rows_affected();
        Ok(ended == 1)
    }

    pub async fn clear_dialogue(&self, telegram_id: i64) -> StoreResult<()> {
        sqlx::query("DELETE FROM dialogues WHERE telegram_id = $1")
            .bind(telegram_id)
            .execute(&mut *self.write_conn().await?)
            .await?;
        Ok(())
    }

    /// The audit log, oldest first.
    pub async fn audit_log(&self) -> StoreResult<Vec<AuditEntry>> {
        let rows = sqlx::query("SELECT at, actor_id, action, subject, detail FROM audit_log ORDER BY id")
            .fetch_all(&mut *self.conn().await?)
            .await?;
        rows.iter()
            .map(|r| {
                Ok(AuditEntry {
                    at: r.try_get("at")?,
                    actor_id: r.try_get("actor_id")?,
                    action: r.try_get("action")?,
                    subject: r.try_get("subject")?,
                    detail: r.try_get("detail")?,
                })
            })
            .collect()
    }
}

/// The file of a SQLite database URL (`None` for PostgreSQL or an in-memory database).
pub fn sqlite_path(url: &str) -> Option<std::path::PathBuf> {
    let url = sqlite_url(url).ok()?;
    let path = url.trim_start_matches("sqlite://").split('?').next()?;
    (!path.is_empty() && !path.starts_with(':')).then(|| std::path::PathBuf::from(path))
}

/// Accepts `sqlite://file`, `sqlite:file` or a plain file path; the file is created if missing.
fn sqlite_url(url: &str) -> StoreResult<String> {
    let path = if let Some(rest) = url.strip_prefix("sqlite://") {
        rest
    } else if let Some(rest) = url.strip_prefix("sqlite:") {
        rest
    } else if url.contains("://") {
        return Err(StoreError::UnsupportedUrl(redact_url(url)));
    } else {
        url
    };
    if path.is_empty() {
        return Err(StoreError::UnsupportedUrl(redact_url(url)));
    }
    let (path, query) = path.split_once('?').unwrap_or((path, ""));
    let mut params: Vec<&str> = query.split('&').filter(|p| !p.is_empty() && !p.starts_with("mode=")).collect();
    params.push("mode=rwc");
    Ok(format!("sqlite://{path}?{}", params.join("&")))
}

/// Holds an exclusive lock on `<database>.migrate-lock` until dropped.
async fn sqlite_migration_lock(url: &str) -> StoreResult<Option<std::fs::File>> {
    let Some(path) = sqlite_path(url) else { return Ok(None) };
    let lock_path = format!("{}.migrate-lock", path.display());
    let file = tokio::task::spawn_blocking(move || -> std::io::Result<std::fs::File> {
        let file = std::fs::OpenOptions::new().create(true).truncate(false).write(true).open(&lock_path)?;
        file.lock()?;
        Ok(file)
    })
    .await
    .map_err(|e| StoreError::Corrupt(format!("migration lock: {e}")))?
    .map_err(|e| StoreError::Database(sqlx::Error::Io(e)))?;
    Ok(Some(file))
}

/// A database URL without its password, fit for logs and error messages.
pub fn redact_url(url: &str) -> String {
    match (url.find("://"), url.find('@')) {
        (Some(scheme_end), Some(at)) if at > scheme_end => {
            let userinfo = &url[scheme_end + 3..at];
            let user = userinfo.split(':').next().unwrap_or("");
            format!("{}://{user}:***{}", &url[..scheme_end], &url[at..])
        }
        _ => url.to_owned(),
    }
}

async fn sync_config_officials(conn: &mut sqlx::AnyConnection, officials: &[Official], now: i64) -> StoreResult<()> {
    sqlx::query("DELETE FROM officials WHERE source = 'config'").execute(&mut *conn).await?;
    for o in officials {
        sqlx::query(
            "INSERT INTO officials (telegram_id, name, source, added_at) VALUES ($1, $2, 'config', $3)
             ON CONFLICT (telegram_id) DO NOTHING",
        )
        .bind(o.telegram_id)
        .bind(&o.name)
        .bind(now)
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}

pub(crate) async fn insert_audit(
    conn: &mut sqlx::AnyConnection,
    now: i64,
    actor: Option<i64>,
    action: &str,
    subject: Option<&str>,
    detail: Option<&str>,
) -> StoreResult<()> {
    sqlx::query("INSERT INTO audit_log (at, actor_id, action, subject, detail) VALUES ($1, $2, $3, $4, $5)")
        .bind(now)
        .bind(actor)
        .bind(action)
        .bind(subject)
        .bind(detail)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

fn cycle_from_row(row: &AnyRow) -> StoreResult<Cycle> {
    let phase: String = row.try_get("phase")?;
    let year: i64 = row.try_get("year")?;
    Ok(Cycle {
        id: row.try_get("id")?,
        year: i32::try_from(year).map_err(|_| StoreError::Corrupt(format!("cycle year {year}")))?,
        phase: Phase::from_str(&phase).map_err(|e| StoreError::Corrupt(e.to_string()))?,
        phase_changed_at: row.try_get("phase_changed_at")?,
    })
}

fn user_language_from_row(row: &AnyRow) -> StoreResult<UserLanguage> {
    let chosen: Option<String> = row.try_get("chosen_language")?;
    Ok(UserLanguage {
        chosen: chosen.as_deref().and_then(Lang::from_code),
        telegram: row.try_get("telegram_language")?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sqlite_urls_are_normalised_and_others_refused() {
        assert_eq!(sqlite_url("pb-bot.db").unwrap(), "sqlite://pb-bot.db?mode=rwc");
        assert_eq!(sqlite_url("sqlite://x/y.db").unwrap(), "sqlite://x/y.db?mode=rwc");
        assert_eq!(sqlite_url("sqlite:y.db?mode=ro").unwrap(), "sqlite://y.db?mode=rwc");
        assert!(sqlite_url("mysql://u:secret@h/db").unwrap_err().to_string().contains("u:***@h/db"));
        assert!(sqlite_url("").is_err());
    }

    #[test]
    fn passwords_are_redacted() {
        assert_eq!(redact_url("postgres://pb:hunter2@db:5432/pb"), "postgres://pb:***@db:5432/pb");
        assert_eq!(redact_url("pb-bot.db"), "pb-bot.db");
    }
}
