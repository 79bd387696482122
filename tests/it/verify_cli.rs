//! The officials' verification commands: roll import, code issuing, unbinding, the server secret.

use std::process::{Command, Output};

use sqlx::Row;

use crate::helpers::*;

fn stdout(output: &Output) -> String {
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    String::from_utf8_lossy(&output.stdout).into_owned()
}

fn stderr(output: &Output) -> String {
    assert!(!output.status.success(), "expected a failure: {}", String::from_utf8_lossy(&output.stdout));
    String::from_utf8_lossy(&output.stderr).into_owned()
}

async fn count(world: &World, table: &str) -> i64 {
    sqlx::query(&format!("SELECT COUNT(*) AS n FROM {table}"))
        .fetch_one(&world.raw().await)
        .await
        .unwrap()
        .try_get("n")
        .unwrap()
}

#[tokio::test]
async fn the_roll_imports_all_or_nothing_and_matches_the_bots_hashes() {
    let world = World::new().await;
    let file = world.db.dir.path().join("roll.csv");
    let import = || cli(&world.db).args(["admin", "roll", "import"]).arg(&file).output().unwrap();

    std::fs::write(
        &file,
        "dong,phone\n강남동,010-1111-2222\n신촌동,+1 415 555 2671\n신촌동,010-3333-4444\n신촌,010-3333-4444\n",
    )
    .unwrap();
    let refused = stderr(&import());
    for expected in [
        "roll.csv: line 2: unknown dong `강남동`",
        "roll.csv: line 3: `+1 415 555 2671` is not a Korean phone number",
        "roll.csv: line 5: the same phone number as line 4",
        "roll.csv: 3 problem(s); nothing was imported",
    ] {
        assert!(refused.contains(expected), "{expected:?} in {refused}");
    }
    assert_eq!(count(&world, "roll_entries").await, 0);

    std::fs::write(&file, "").unwrap();
    assert!(stderr(&import()).contains("roll.csv: the file is empty"));
    std::fs::write(&file, b"\xbd\xc5\xc3\xcc\xb5\xbf,010-1234-5678\n").unwrap();
    assert!(stderr(&import()).contains("the file is not UTF-8 text; save it as \"CSV UTF-8\""));

    std::fs::write(&file, "\u{feff}동,전화번호,출생연도\r\n신촌동,010-1234-5678,1980\r\nYeonhui-dong,+82 10 2222 3333,\r\n홍제1,01033334444\r\n").unwrap();
    let said = stdout(&import());
    assert!(said.starts_with("Imported 3 roll entries from ") && said.contains("(3 new, 0 already known)"), "{said}");
    let again = stdout(&import());
    assert!(again.contains("(0 new, 3 already known)"), "re-importing is idempotent: {again}");
    assert_eq!(count(&world, "roll_entries").await, 3);
    let imports = world.store.audit_log().await.unwrap().into_iter().filter(|e| e.action == "roll.import").count();
    assert_eq!(imports, 2);

    // The bot, with the same secret, finds the imported number.
    let mut bot = world.bot(contact(&user(ALEX, "en"), "+82 10 2222 3333", Some(ALEX)));
    bot.dispatch().await;
    assert_eq!(last_text(&bot), "You are verified as a resident of Yeonhui-dong. You will get news of your dong.");
    drop(bot);

    let unbind = || cli(&world.db).args(["admin", "roll", "unbind", "--phone", "010-2222-3333"]).output().unwrap();
    assert_eq!(stdout(&unbind()), format!("Unbound Telegram user {ALEX}; they can verify again.\n"));
    assert!(stderr(&unbind()).contains("no verified resident matches"));
    assert!(!world.all_stored_text().await.contains("22223333"));
}

#[tokio::test]
async fn codes_are_issued_as_csv_and_stored_only_as_hashes() {
    let world = World::new().await;
    let issue = |args: &[&str]| cli(&world.db).args(["admin", "codes", "issue"]).args(args).output().unwrap();
    let csv_text = stdout(&issue(&["--dong", "신촌", "--count", "25", "--expires", "2099-12-31"]));
    let mut reader = csv::Reader::from_reader(csv_text.as_bytes());
    assert_eq!(reader.headers().unwrap().iter().collect::<Vec<_>>(), ["code", "dong", "dong_en", "valid_until"]);
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    assert_eq!(rows.len(), 25);
    for row in &rows {
        assert!(pb_bot::domain::verification::Code::parse(&row[0]).is_some(), "{}", &row[0]);
        assert_eq!((&row[1], &row[2], &row[3]), ("신촌동", "Sinchon-dong", "2099-12-31"));
    }
    assert_eq!(count(&world, "verification_codes").await, 25);
    let stored = world.all_stored_text().await;
    assert!(rows.iter().all(|r| !stored.contains(&r[0].replace('-', ""))), "no code in clear");

    let mut bot = world.bot(text(&user(KIM, "ko"), &format!("/verify {}", &rows[7][0])));
    bot.dispatch().await;
    assert_eq!(last_text(&bot), "신촌동 주민으로 인증되었어요. 앞으로 우리 동 소식을 알려 드릴게요.");
    drop(bot);

    assert!(stderr(&issue(&["--dong", "강남", "--count", "5"])).contains("unknown dong `강남`"));
    assert!(stderr(&issue(&["--dong", "신촌", "--count", "0"])).contains("--count must be between 1 and 100000"));
    assert!(stderr(&issue(&["--dong", "신촌", "--count", "5", "--expires", "2001-01-01"])).contains("is in the past"));
    assert!(stderr(&issue(&["--dong", "district", "--count", "5"])).contains("unknown dong"), "codes are per dong");
}

#[tokio::test]
async fn a_sqlite_deployment_creates_its_secret_once_and_postgresql_requires_one() {
    let db = TestDb::sqlite();
    let roll = db.dir.path().join("roll.csv");
    std::fs::write(&roll, "신촌동,010-1234-5678\n").unwrap();
    let import = || {
        Command::new(env!("CARGO_BIN_EXE_pb-bot"))
            .current_dir(repo_path(""))
            .env_clear()
            .env("DATABASE_URL", &db.url)
            .args(["admin", "roll", "import"])
            .arg(&roll)
            .output()
            .unwrap()
    };
    let first = import();
    assert!(first.status.success(), "{}", String::from_utf8_lossy(&first.stderr));
    assert!(String::from_utf8_lossy(&first.stderr).contains("created a new server secret"));
    let secret_file = db.dir.path().join("pb.db.secret");
    use std::os::unix::fs::PermissionsExt;
    assert_eq!(std::fs::metadata(&secret_file).unwrap().permissions().mode() & 0o777, 0o600);
    let secret = std::fs::read_to_string(&secret_file).unwrap();
    assert_eq!(secret.len(), 64);
    let second = import();
    assert!(second.status.success());
    assert!(!String::from_utf8_lossy(&second.stderr).contains("created a new server secret"));
    assert_eq!(std::fs::read_to_string(&secret_file).unwrap(), secret, "the secret is kept");

    if let Some(pg) = TestDb::postgres().await {
        let refused = Command::new(env!("CARGO_BIN_EXE_pb-bot"))
            .current_dir(repo_path(""))
            .env_clear()
            .env("DATABASE_URL", &pg.url)
            .args(["admin", "roll", "import"])
            .arg(&roll)
            .output()
            .unwrap();
        assert!(stderr(&refused).contains("PB_SECRET must be set for a PostgreSQL database"));
    }
}
