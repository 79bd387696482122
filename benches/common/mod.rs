//! What the benchmarks share: the fake Bot API server, a district on a fresh database, eligible
//! projects written in bulk, and an approval round opened at once.

#![allow(dead_code)] // each benchmark uses part of it

#[path = "../../tests/it/fake_api.rs"]
pub mod fake_api;

/// What the fake server needs from the test helpers.
pub mod helpers {
    pub fn repo_path(relative: &str) -> std::path::PathBuf {
        std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(relative)
    }
}

use std::process::{Child, Command, Stdio};

use pb_bot::{
    config::Config,
    domain::{
        Won,
        ballot::{Kind, RoundStage},
    },
    store::{Cycle, NewRound, Pushes, Store},
};

/// The secret every benchmark's bot and store share.
pub const SECRET: &str = "benchmark-secret-of-at-least-32-characters";

/// The release `pb-bot run` on `url` against the fake server at `api_url`, logging at `log_level`
/// to `log`.
pub fn spawn_pb_bot(api_url: &str, token: &str, url: &str, log: &std::path::Path, log_level: &str) -> Child {
    // `PB_BOT_BIN` runs another build (say, a copy of the binary before a change) for A/B runs.
    let binary = std::env::var_os("PB_BOT_BIN").unwrap_or_else(|| env!("CARGO_BIN_EXE_pb-bot").into());
    Command::new(binary)
        .current_dir(helpers::repo_path(""))
        .arg("run")
        .env_clear()
        .env("RUST_LOG", log_level)
        .env("PB_SECRET", SECRET)
        .env("TELOXIDE_TOKEN", token)
        .env("TELOXIDE_API_URL", api_url)
        .env("DATABASE_URL", url)
        .stdout(Stdio::null())
        .stderr(std::fs::File::create(log).unwrap())
        .spawn()
        .expect("pb-bot starts")
}

/// The most memory the process ever held resident, in MB, from `/proc`.
pub fn peak_rss_mb(pid: u32) -> f64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<f64>().ok())
        .map_or(0.0, |kb| kb / 1024.0)
}

/// The shipped district file applied to `store`, for this year's cycle.
pub async fn district(store: &Store) -> Cycle {
    let year = chrono::Datelike::year(&chrono::Utc::now().with_timezone(&chrono_tz::Asia::Seoul));
    let config = Config::load(&helpers::repo_path("config/seodaemun.toml"), year).unwrap();
    store.apply_district(&config, 0).await.unwrap()
}

/// `count` eligible proposals of `area` written directly, the `i`th costing `i × cost_step`.
pub async fn seed_projects(url: &str, cycle: i64, area: &str, count: i64, cost_step: i64) -> Vec<i64> {
    sqlx::any::install_default_drivers();
    let pool = sqlx::AnyPool::connect(url).await.unwrap();
    let mut ids = vec![];
    for i in 1..=count {
        let id: i64 = sqlx::Row::get(
            &sqlx::query(
                "INSERT INTO proposals (cycle_id, area_key, title, description, estimated_cost, reviewed_cost, status,
                   created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $5, 'eligible', 0, 0) RETURNING id",
            )
            .bind(cycle)
            .bind(area)
            .bind(format!("Project {i}: benches and shade on the riverside walk"))
            .bind("A longer description, as residents write them, of what the project would build and where.")
            .bind(i * cost_step)
            .fetch_one(&pool)
            .await
            .unwrap(),
            "id",
        );
        ids.push(id);
    }
    pool.close().await;
    ids
}

/// An approval round (1 to 5 picks) of `area`, opened now and closing in `days`, announced to
/// no one; its id.
pub async fn open_round(store: &Store, cycle: i64, area: &str, rule: &str, pot: i64, days: i64) -> i64 {
    let now = chrono::Utc::now().timestamp();
    let round = NewRound {
        area_key: area.into(),
        stage: if area == "district" { RoundStage::District } else { RoundStage::Dong },
        kind: Kind::Approval { min: 1, max: 5 },
        rule: rule.into(),
        pot: Won::from_i64(pot).unwrap(),
        opens_at: now,
        closes_at: now + days * 86_400,
    };
    let round = store.create_round(cycle, &round, None, now).await.unwrap().id;
    store.open_due_rounds(now, |_, _| Pushes { default_lang: "ko", ..Pushes::default() }).await.unwrap();
    round
}
