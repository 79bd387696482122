//! Shared set-up: a fresh database per test, the shipped district file with one official, and
//! builders for what residents send.

use std::{path::PathBuf, sync::Arc};

use pb_bot::{
    bot::{self, BotError},
    config::Config,
    i18n::Locales,
    store::Store,
};
use teloxide::types::{Message, User};
use teloxide_tests::{
    MockBot, MockCallbackQuery, MockMessageLocation, MockMessagePhoto, MockMessageSticker, MockMessageText,
    MockPrivateChat, MockUser, mock_bot::DistributionKey,
};

/// The official configured in every test district.
pub const OFFICIAL: u64 = 900_001;
/// A Korean-speaking resident.
pub const KIM: u64 = 100_001;
/// An English-speaking resident.
pub const ALEX: u64 = 100_002;
/// The server secret of every test deployment.
pub const TEST_SECRET: &str = "test-secret-of-at-least-thirty-two-characters";

pub type Bot = MockBot<BotError, DistributionKey>;

/// A database of its own for one test: a SQLite file in a temporary directory or, when
/// `TEST_DATABASE_URL` names a PostgreSQL server, a fresh database there, dropped afterwards.
pub struct TestDb {
    pub dir: tempfile::TempDir,
    pub url: String,
    postgres: Option<(String, String)>,
}

impl TestDb {
    /// PostgreSQL when `TEST_DATABASE_URL` is set, else SQLite.
    pub async fn new() -> TestDb {
        match TestDb::postgres().await {
            Some(db) => db,
            None => TestDb::sqlite(),
        }
    }

    pub fn sqlite() -> TestDb {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}", dir.path().join("pb.db").display());
        TestDb { dir, url, postgres: None }
    }

    /// A fresh PostgreSQL database, when `TEST_DATABASE_URL` names a server.
    pub async fn postgres() -> Option<TestDb> {
        let dir = tempfile::tempdir().unwrap();
        let server = std::env::var("TEST_DATABASE_URL").ok()?;
        static COUNTER: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
        let name = format!(
            "pbtest_{}_{}_{}",
            std::process::id(),
            COUNTER.fetch_add(1, std::sync::atomic::Ordering::SeqCst),
            chrono::Utc::now().timestamp_subsec_nanos()
        );
        use sqlx::Connection;
        let mut admin = sqlx::PgConnection::connect(&server).await.expect("TEST_DATABASE_URL reachable");
        sqlx::query(&format!("CREATE DATABASE {name}")).execute(&mut admin).await.unwrap();
        let url = with_database(&server, &name);
        Some(TestDb { dir, url, postgres: Some((server, name)) })
    }
}

/// `postgres://user@host:port/db?x` with another database name.
fn with_database(server: &str, name: &str) -> String {
    let (base, query) = server.split_once('?').map_or((server, None), |(b, q)| (b, Some(q)));
    let root =
        base.rsplit_once('/').filter(|(head, _)| head.ends_with(|c: char| c != '/')).map_or(base, |(head, _)| head);
    match query {
        Some(q) => format!("{root}/{name}?{q}"),
        None => format!("{root}/{name}"),
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        let Some((server, name)) = self.postgres.take() else { return };
        // Drop runs outside async code: a small runtime of its own removes the database.
        let _ = std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
            runtime.block_on(async move {
                use sqlx::Connection;
                if let Ok(mut admin) = sqlx::PgConnection::connect(&server).await {
                    let _ =
                        sqlx::query(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)")).execute(&mut admin).await;
                }
            });
        })
        .join();
    }
}

/// One deployment: the shipped Seodaemun-gu file and a database of its own.
pub struct World {
    pub db: TestDb,
    pub config: Arc<Config>,
    pub store: Store,
    pub locales: Arc<Locales>,
    pub secret: Arc<pb_bot::domain::verification::Secret>,
}

pub fn repo_path(relative: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(relative)
}

/// The `pb-bot` command line on a test database, run from the repository root with a clean
/// environment (only the database and the test secret).
pub fn cli(db: &TestDb) -> std::process::Command {
    let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_pb-bot"));
    command.current_dir(repo_path("")).env_clear().env("DATABASE_URL", &db.url).env("PB_SECRET", TEST_SECRET);
    command
}

/// The current quarter's execution report, written through the binary: (CSV, Markdown).
pub fn quarter_report(db: &TestDb) -> (String, String) {
    let today = chrono::Utc::now().with_timezone(&chrono_tz::Asia::Seoul);
    let quarter = format!("{}Q{}", chrono::Datelike::year(&today), (chrono::Datelike::month(&today) - 1) / 3 + 1);
    let out = tempfile::tempdir().unwrap();
    let report = cli(db)
        .args(["admin", "execution", "report", "--quarter", &quarter, "--out"])
        .arg(out.path())
        .output()
        .unwrap();
    assert!(report.status.success(), "{}", String::from_utf8_lossy(&report.stderr));
    let read = |ext: &str| std::fs::read_to_string(out.path().join(format!("execution-{quarter}.{ext}"))).unwrap();
    (read("csv"), read("md"))
}

impl World {
    pub async fn new() -> World {
        Self::with_config(|_| {}).await
    }

    /// A world whose configuration `adjust` may change before the district is applied.
    pub async fn with_config(adjust: impl FnOnce(&mut Config)) -> World {
        World::on(TestDb::new().await, adjust).await
    }

    /// A world on the given database.
    pub async fn on(db: TestDb, adjust: impl FnOnce(&mut Config)) -> World {
        let mut config = Config::load(&repo_path("config/seodaemun.toml"), 2027).unwrap();
        config.add_officials_from_env(&OFFICIAL.to_string()).unwrap();
        adjust(&mut config);
        let store = Store::open_with(&db.url, false).await.unwrap();
        store.apply_district(&config, chrono::Utc::now().timestamp()).await.unwrap();
        let secret = Arc::new(pb_bot::domain::verification::Secret::new(TEST_SECRET).unwrap());
        World { db, config: Arc::new(config), store, locales: Arc::new(Locales::embedded().unwrap()), secret }
    }

    /// The same database opened again, as after a restart of the bot.
    pub async fn restart(&mut self) {
        self.store = Store::open_with(&self.db.url, false).await.unwrap();
    }

    /// A raw connection pool to the world's database, to check the data itself.
    pub async fn raw(&self) -> sqlx::AnyPool {
        sqlx::any::install_default_drivers();
        sqlx::AnyPool::connect(&self.db.url).await.unwrap()
    }

    pub fn bot(&self, first: impl teloxide_tests::IntoUpdate) -> Bot {
        let mut bot = MockBot::new(first, bot::schema());
        bot.dependencies(bot::dependencies(
            self.config.clone(),
            self.store.clone(),
            self.locales.clone(),
            self.secret.clone(),
            bot::Courier::new(&self.config.delivery),
            bot::Intake::new(bot::UPDATES_AT_ONCE),
        ));
        bot
    }

    pub async fn cycle_id(&self) -> i64 {
        self.store.cycle(self.config.cycle_year).await.unwrap().unwrap().id
    }
}

pub fn user(id: u64, language: &str) -> User {
    MockUser::new().id(id).first_name("Resident").language_code(language.to_owned()).build()
}

fn private_chat(id: u64) -> teloxide::types::Chat {
    MockPrivateChat::new().id(id as i64).build()
}

pub fn text(from: &User, text: &str) -> MockMessageText {
    MockMessageText::new().text(text).from(from.clone()).chat(private_chat(from.id.0))
}

pub fn photo(from: &User) -> MockMessagePhoto {
    MockMessagePhoto::new().from(from.clone()).chat(private_chat(from.id.0))
}

pub fn sticker(from: &User) -> MockMessageSticker {
    MockMessageSticker::new().from(from.clone()).chat(private_chat(from.id.0))
}

pub fn location(from: &User, latitude: f64, longitude: f64) -> MockMessageLocation {
    MockMessageLocation::new().latitude(latitude).longitude(longitude).from(from.clone()).chat(private_chat(from.id.0))
}

/// A press of the button `data` under `message` (a message the bot sent).
pub fn press(from: &User, message: &Message, data: &str) -> MockCallbackQuery {
    MockCallbackQuery::new().from(from.clone()).data(data).message(message.clone())
}

/// A press of a button on a message the bot never sent in this chat (forwarded or forged).
pub fn press_detached(from: &User, data: &str) -> MockCallbackQuery {
    let message = MockMessageText::new().text("forwarded").id(4242).chat(private_chat(from.id.0)).build();
    MockCallbackQuery::new().from(from.clone()).data(data).message(message)
}

/// Texts of the messages sent in the last dispatch.
pub fn sent(bot: &Bot) -> Vec<String> {
    bot.get_responses().sent_messages.iter().filter_map(|m| m.text().map(str::to_owned)).collect()
}

/// The last message sent in the last dispatch.
pub fn last_sent(bot: &Bot) -> Message {
    bot.get_responses().sent_messages.last().cloned().expect("the bot sent nothing")
}

pub fn last_text(bot: &Bot) -> String {
    last_sent(bot).text().unwrap_or_default().to_owned()
}

/// Texts of the messages edited in the last dispatch.
pub fn edited(bot: &Bot) -> Vec<String> {
    bot.get_responses().edited_messages_text.iter().map(|e| e.bot_request.text.clone()).collect()
}

/// Alerts and notices shown for button presses in the last dispatch.
pub fn notices(bot: &Bot) -> Vec<String> {
    bot.get_responses().answered_callback_queries.iter().filter_map(|a| a.text.clone()).collect()
}

/// `(label, callback_data)` of every inline button of a message.
pub fn buttons(message: &Message) -> Vec<(String, String)> {
    message
        .reply_markup()
        .map(|markup| {
            markup
                .inline_keyboard
                .iter()
                .flatten()
                .filter_map(|b| match &b.kind {
                    teloxide::types::InlineKeyboardButtonKind::CallbackData(data) => {
                        Some((b.text.clone(), data.clone()))
                    }
                    _ => None,
                })
                .collect()
        })
        .unwrap_or_default()
}

/// The callback data of the button labelled `label` (exactly) on `message`.
pub fn button_data(message: &Message, label: &str) -> String {
    buttons(message)
        .into_iter()
        .find(|(l, _)| l == label)
        .map(|(_, d)| d)
        .unwrap_or_else(|| panic!("no button {label:?} in {:?}", buttons(message)))
}

/// A round of `area` at `stage` with its kind and rule, `pot` won, open from `window.0` to
/// `window.1`.
pub fn new_round(
    area: &str,
    stage: pb_bot::domain::ballot::RoundStage,
    kind: pb_bot::domain::ballot::Kind,
    rule: &str,
    pot: i64,
    window: (i64, i64),
) -> pb_bot::store::NewRound {
    pb_bot::store::NewRound {
        area_key: area.into(),
        stage,
        kind,
        rule: rule.into(),
        pot: pb_bot::domain::Won::from_i64(pot).unwrap(),
        opens_at: window.0,
        closes_at: window.1,
    }
}

impl World {
    /// Proposals of `area` by ALEX, reviewed eligible at their cost: (title, cost) each; their ids.
    pub async fn eligible(&self, area: &str, projects: &[(&str, i64)]) -> Vec<i64> {
        use pb_bot::{
            domain::{ReviewDecision, Won},
            store::Pushes,
        };
        let mut ids = vec![];
        for (title, cost) in projects {
            let id = self.seed(ALEX, area, title, *cost).await;
            let decision = ReviewDecision::Eligible { reviewed_cost: Won::from_i64(*cost).unwrap() };
            let pushes = Pushes { default_lang: "ko", ..Pushes::default() };
            self.store.review_proposal(id, &decision, OFFICIAL as i64, &pushes, 0).await.unwrap();
            ids.push(id);
        }
        ids
    }

    /// Casts `voter`'s ballot picking `picks` (one point each) in an open round; its receipt.
    pub async fn cast(&self, round: i64, voter: &str, dong: Option<&str>, picks: &[i64], at: i64) -> String {
        use pb_bot::{
            domain::ballot::{Ballot, receipt},
            store::Source,
        };
        let ballot = Ballot::decode(&picks.iter().map(|p| format!("{p}:1")).collect::<Vec<_>>().join(",")).unwrap();
        let key = self.secret.voter_key(round, voter);
        let code = receipt();
        self.store.cast_ballot(round, &key, dong, &ballot, &code, Source::Chat, None, at).await.unwrap();
        code
    }

    /// Verifies `user` as a resident of `dong` with a fresh one-time code.
    pub async fn verify(&self, user: u64, lang: &str, dong: &str) {
        use pb_bot::{domain::verification::Code, store::CodeLimits};
        let now = chrono::Utc::now().timestamp();
        self.store.touch_user(user as i64, Some(lang), now).await.unwrap();
        let code = self.codes(dong, 1, now + 86_400).await.remove(0);
        let hash = self.secret.code_hash(&Code::parse(&code).unwrap());
        let limits = CodeLimits { max_failures: 5, lockout_seconds: 60 };
        self.store.redeem_code(user as i64, &hash, limits, now).await.unwrap();
    }

    /// Stores a submitted proposal directly, as if `proposer` had gone through `/propose`.
    pub async fn seed(&self, proposer: u64, area: &str, title: &str, cost: i64) -> i64 {
        use pb_bot::domain::{
            NewProposal, Won,
            proposal::{ProposalDescription, ProposalTitle},
        };
        use pb_bot::store::{DailyLimit, SubmitOutcome};
        let now = chrono::Utc::now().timestamp();
        let marker = format!("seed-{title}");
        self.store.touch_user(proposer as i64, None, now).await.unwrap();
        self.store.set_dialogue(proposer as i64, &marker, now).await.unwrap();
        let proposal = NewProposal {
            area_key: area.to_owned(),
            title: ProposalTitle::parse(title).unwrap(),
            description: ProposalDescription::parse("설명").unwrap(),
            estimated_cost: Won::from_i64(cost).unwrap(),
            photo_file_id: None,
            location: None,
        };
        match self
            .store
            .submit_proposal(
                self.cycle_id().await,
                proposer as i64,
                &proposal,
                &marker,
                DailyLimit { day_start: 0, max: u32::MAX },
                now,
            )
            .await
            .unwrap()
        {
            SubmitOutcome::Submitted { id } => id,
            other => panic!("seeding failed: {other:?}"),
        }
    }
}

/// A contact shared by `from`: `owner` is the Telegram user the contact belongs to (`None` for a
/// typed contact or a vCard without an account).
pub fn contact(from: &User, phone: &str, owner: Option<u64>) -> teloxide_tests::MockMessageContact {
    let mut shared =
        teloxide_tests::MockMessageContact::new().phone_number(phone).from(from.clone()).chat(private_chat(from.id.0));
    shared.user_id = owner.map(teloxide::types::UserId);
    shared
}

impl World {
    /// Puts phones on the roll of `dong`, hashed with the world's secret.
    pub async fn roll(&self, dong: &str, phones: &[(&str, Option<i32>)]) {
        use pb_bot::{domain::verification::Phone, store::RollRow};
        let rows: Vec<RollRow> = phones
            .iter()
            .map(|(phone, birth_year)| RollRow {
                dong_key: dong.to_owned(),
                phone_hash: self.secret.phone_hash(&Phone::parse(phone).unwrap()),
                birth_year: *birth_year,
                external_ref: None,
            })
            .collect();
        self.store.import_roll(&rows, 0, None).await.unwrap();
    }

    /// Issues codes for `dong` valid until `expires_at`; returns them as printed.
    pub async fn codes(&self, dong: &str, count: usize, expires_at: i64) -> Vec<String> {
        use pb_bot::domain::verification::Code;
        let codes: Vec<Code> = (0..count).map(|_| Code::generate()).collect();
        let hashes: Vec<String> = codes.iter().map(|c| self.secret.code_hash(c)).collect();
        self.store.issue_codes(dong, &hashes, expires_at, Some(OFFICIAL as i64), 0).await.unwrap();
        codes.iter().map(|c| c.printed()).collect()
    }

    /// Every text value stored anywhere in the database, to look for what must never be there.
    pub async fn all_stored_text(&self) -> String {
        use sqlx::Row;
        let pool = self.raw().await;
        let mut all = String::new();
        for table in [
            "users",
            "areas",
            "cycles",
            "officials",
            "proposals",
            "proposal_history",
            "dialogues",
            "audit_log",
            "work_items",
            "job_runs",
            "roll_entries",
            "verification_codes",
            "residents",
            "code_attempts",
            "subscriptions",
            "broadcasts",
            "outbox",
            "meetings",
            "meeting_rsvps",
            "meeting_reminders",
            "checkins",
            "attendance",
            "facilitators",
            "course_completions",
            "committee_members",
        ] {
            for row in sqlx::query(&format!("SELECT * FROM {table}")).fetch_all(&pool).await.unwrap() {
                for i in 0..row.columns().len() {
                    if let Ok(Some(text)) = row.try_get::<Option<String>, _>(i) {
                        all.push_str(&text);
                        all.push('\n');
                    } else if let Ok(Some(number)) = row.try_get::<Option<i64>, _>(i) {
                        all.push_str(&number.to_string());
                        all.push('\n');
                    }
                }
            }
        }
        all
    }
}
