//! The real `pb-bot` binary against the fake Bot API server, as a deployment would run it:
//! residents in Korean and English, a proposal taken by message across a `kill -9` and restart,
//! browsing, the CSV export, and one-line errors for a bad start.

use std::{
    path::{Path, PathBuf},
    process::{Child, Command, Output, Stdio},
    time::Duration,
};

use crate::{
    fake_api::{Call, FakeApi},
    helpers::{ALEX, KIM, OFFICIAL, TEST_SECRET, TestDb, repo_path},
};

const TOKEN: &str = "123456789:TEST-secret-token-never-logged";

fn pb_bot() -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_pb-bot"));
    command.current_dir(repo_path("")).env_clear().env("RUST_LOG", "info").env("PB_SECRET", TEST_SECRET);
    command
}

fn spawn_bot(api: &FakeApi, database_url: &str, log: &Path, env: &[(String, String)]) -> Child {
    pb_bot()
        .envs(env.iter().map(|(k, v)| (k, v)))
        .arg("run")
        .env("TELOXIDE_TOKEN", TOKEN)
        .env("TELOXIDE_API_URL", &api.url)
        .env("DATABASE_URL", database_url)
        .env("PB_OFFICIALS", OFFICIAL.to_string())
        .stdout(Stdio::null())
        .stderr(std::fs::File::create(log).unwrap())
        .spawn()
        .expect("the pb-bot binary starts")
}

struct Deployment {
    api: FakeApi,
    db: TestDb,
    bot: Option<Child>,
    logs: Vec<PathBuf>,
    /// Extra environment for the binary (another district file).
    env: Vec<(String, String)>,
}

impl Deployment {
    async fn start() -> Deployment {
        Deployment::start_on(TestDb::new().await).await
    }

    /// A deployment on a database prepared beforehand (a roll imported, codes issued).
    async fn start_on(db: TestDb) -> Deployment {
        Deployment::start_with(db, vec![]).await
    }

    async fn start_with(db: TestDb, env: Vec<(String, String)>) -> Deployment {
        let api = FakeApi::start(TOKEN).await;
        let mut d = Deployment { api, db, bot: None, logs: vec![], env };
        d.launch();
        d
    }

    fn launch(&mut self) {
        let log = self.db.dir.path().join(format!("bot-{}.log", self.logs.len()));
        self.bot = Some(spawn_bot(&self.api, &self.db.url, &log, &self.env));
        self.logs.push(log);
    }

    /// `kill -9`, as a crash or an out-of-memory kill would.
    fn kill(&mut self) {
        if let Some(mut bot) = self.bot.take() {
            bot.kill().unwrap();
            bot.wait().unwrap();
        }
    }

    /// Sends a message and waits for the bot's first answer in that chat.
    async fn say(&self, user: u64, language: &str, text: &str) -> Call {
        let before = self.api.calls().len();
        self.api.send_text(user, language, text);
        self.api.next_in(before, user).await
    }

    /// Presses a button and waits for the first message sent or edited in that chat.
    async fn tap(&self, user: u64, language: &str, on: &Call, label: &str) -> Call {
        let before = self.api.calls().len();
        self.api.press(user, language, on, &on.button(label));
        self.api.next_in(before, user).await
    }

    /// Waits for a message in `user`'s chat whose text starts with `prefix`, after `before` calls.
    async fn expect(&self, before: usize, user: u64, prefix: &str) -> Call {
        self.api
            .wait_for(before, prefix, |c| {
                c.chat() == Some(user) && c.text().starts_with(prefix) && !c.method.starts_with("REFUSED")
            })
            .await
    }

    fn logs(&self) -> String {
        self.logs.iter().map(|l| std::fs::read_to_string(l).unwrap_or_default()).collect()
    }
}

impl Drop for Deployment {
    fn drop(&mut self) {
        self.kill();
        if std::thread::panicking() {
            eprintln!("--- pb-bot logs ---\n{}", self.logs());
        }
    }
}

#[tokio::test]
async fn the_binary_serves_residents_in_both_languages_and_survives_a_kill() {
    let mut d = Deployment::start().await;

    // Command menus are registered per language.
    let ko_menu =
        d.api.wait_for(0, "Korean menu", |c| c.method == "setMyCommands" && c.params["language_code"] == "ko").await;
    let en_menu =
        d.api.wait_for(0, "English menu", |c| c.method == "setMyCommands" && c.params["language_code"] == "en").await;
    assert_eq!(ko_menu.params["commands"][3]["description"], "사업 제안하기");
    assert_eq!(en_menu.params["commands"][3]["description"], "Propose a project");

    let welcome = d.say(KIM, "ko", "/start").await;
    assert!(welcome.text().starts_with("안녕하세요! 서대문구 주민참여예산 안내 봇이에요."), "{}", welcome.text());
    let welcome = d.say(ALEX, "en", "/start").await;
    assert!(
        welcome.text().starts_with("Hello! This is the participatory budgeting (PB) bot of Seodaemun-gu."),
        "{}",
        welcome.text()
    );

    // A proposal by message, interrupted by a crash after the title.
    let before = d.api.calls().len();
    d.api.send_text(ALEX, "en", "/propose");
    let area_prompt = d.expect(before, ALEX, "1/6").await;
    let title_prompt = d.tap(ALEX, "en", &area_prompt, "Sinchon-dong").await;
    assert_eq!(title_prompt.text(), "Area: Sinchon-dong");
    let before = d.api.calls().len();
    d.api.send_text(ALEX, "en", "Night lights on the Sinchon stairs");
    d.expect(before, ALEX, "3/6").await;
    d.api.settle(Duration::from_millis(300)).await;
    d.kill();

    d.launch();
    let cost_prompt = d.say(ALEX, "en", "Solar lamps along the 120 steps behind the station.").await;
    assert!(cost_prompt.text().starts_with("4/6"), "resumed after the restart: {}", cost_prompt.text());
    let photo_prompt = d.say(ALEX, "en", "1,200만").await;
    assert!(photo_prompt.text().starts_with("5/6"));
    let before = d.api.calls().len();
    d.api.press(ALEX, "en", &photo_prompt, &photo_prompt.button("Skip"));
    let location_prompt = d.expect(before, ALEX, "6/6 ·").await;
    let before = d.api.calls().len();
    d.api.press(ALEX, "en", &location_prompt, &location_prompt.button("Skip"));
    let summary = d.expect(before, ALEX, "Please check your proposal").await;
    assert!(
        summary.text().contains("Title: Night lights on the Sinchon stairs\nCost: ₩12,000,000"),
        "{}",
        summary.text()
    );
    let before = d.api.calls().len();
    d.api.press(ALEX, "en", &summary, &summary.button("✅ Submit"));
    let thanks = d.expect(before, ALEX, "Thank you!").await;
    assert!(thanks.text().contains("Your proposal #1 “Night lights on the Sinchon stairs” was submitted."));

    // Korean residents see it in /proposals.
    let chooser = d.say(KIM, "ko", "/proposals").await;
    let list = d.tap(KIM, "ko", &chooser, "신촌동").await;
    assert!(list.text().starts_with("신촌동 제안 1건 (1/1쪽)"), "{}", list.text());
    assert!(list.text().contains("#1 Night lights on the Sinchon stairs · 12,000,000원 · 검토 중"), "{}", list.text());

    // The official's CSV export, from the command line on the same database.
    let export = pb_bot().args(["admin", "proposals", "export"]).env("DATABASE_URL", &d.db.url).output().unwrap();
    assert!(export.status.success(), "{}", String::from_utf8_lossy(&export.stderr));
    let mut reader = csv::Reader::from_reader(export.stdout.as_slice());
    let header = reader.headers().unwrap().clone();
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    assert_eq!(rows.len(), 1);
    let field = |name: &str| rows[0].get(header.iter().position(|h| h == name).unwrap()).unwrap().to_owned();
    assert_eq!(field("id"), "1");
    assert_eq!(field("area"), "sinchon");
    assert_eq!(field("area_ko"), "신촌동");
    assert_eq!(field("title"), "Night lights on the Sinchon stairs");
    assert_eq!(field("estimated_cost"), "12000000");
    assert_eq!(field("status"), "submitted");
    assert!(field("submitted_at").ends_with("+09:00"), "shown in Seoul time: {}", field("submitted_at"));
    assert!(!header.iter().any(|h| h.contains("proposer")), "no personal data in the export");

    d.api.settle(Duration::from_millis(300)).await;
    assert_eq!(d.api.violations(), Vec::<String>::new(), "every request met the Bot API spec");
    d.kill();
    let logs = d.logs();
    assert!(logs.contains("connected to the Bot API"), "{logs}");
    assert!(!logs.contains("TEST-secret-token"), "the token never reaches the logs");
}

fn one_line_error(output: &Output) -> String {
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    let lines: Vec<&str> = stderr.lines().filter(|l| !l.trim().is_empty()).collect();
    assert_eq!(lines.len(), 1, "one line, no panic: {stderr}");
    assert!(!stderr.contains("panicked"));
    lines[0].to_owned()
}

#[tokio::test]
async fn a_bad_start_is_a_one_line_error() {
    let test_db = TestDb::new().await;
    let (dir, db) = (&test_db.dir, &test_db.url);

    let no_token = pb_bot().arg("run").env("DATABASE_URL", db).output().unwrap();
    assert_eq!(
        one_line_error(&no_token),
        "pb-bot: TELOXIDE_TOKEN is not set: export the bot token from @BotFather before `pb-bot run`"
    );

    let no_file =
        pb_bot().args(["run", "--config", "/nonexistent/district.toml"]).env("TELOXIDE_TOKEN", TOKEN).output().unwrap();
    assert_eq!(
        one_line_error(&no_file),
        "pb-bot: /nonexistent/district.toml: cannot read the district file: No such file or directory (os error 2)"
    );

    let broken = dir.path().join("broken.toml");
    std::fs::write(
        &broken,
        std::fs::read_to_string(repo_path("config/seodaemun.toml"))
            .unwrap()
            .replace("pb_share_percent = 1", "pb_share_percent = 0.5"),
    )
    .unwrap();
    let over_budget = pb_bot().args(["admin", "apply-district"]).arg(&broken).env("DATABASE_URL", db).output().unwrap();
    let line = one_line_error(&over_budget);
    assert!(
        line.starts_with(&format!(
            "pb-bot: {}: dongs/district_area: the areas' pots add up to 7800000000 won",
            broken.display()
        )),
        "{line}"
    );

    let bad_db = pb_bot()
        .args(["admin", "proposals", "export"])
        .env("DATABASE_URL", "mysql://pb:hunter2@db/pb")
        .output()
        .unwrap();
    let line = one_line_error(&bad_db);
    assert!(line.contains("unsupported DATABASE_URL `mysql://pb:***@db/pb`"), "{line}");
    assert!(!line.contains("hunter2"));

    let bad_officials = pb_bot()
        .args(["admin", "apply-district", "config/seodaemun.toml"])
        .env("DATABASE_URL", db)
        .env("PB_OFFICIALS", "12,abc")
        .output()
        .unwrap();
    assert_eq!(
        one_line_error(&bad_officials),
        "pb-bot: PB_OFFICIALS: `abc` is not a Telegram user id (expected comma-separated numbers)"
    );
}

#[tokio::test]
async fn apply_district_and_help_work_from_the_command_line() {
    let test_db = TestDb::new().await;
    let db = &test_db.url;
    let applied =
        pb_bot().args(["admin", "apply-district", "config/seodaemun.toml"]).env("DATABASE_URL", db).output().unwrap();
    assert!(applied.status.success(), "{}", String::from_utf8_lossy(&applied.stderr));
    let said = String::from_utf8_lossy(&applied.stdout);
    assert!(
        said.starts_with(
            "Applied Seodaemun-gu: 15 areas, PB pot ₩7,800,000,000 (1% of ₩780,000,000,000), 0 officials, cycle "
        ),
        "{said}"
    );
    assert!(said.trim_end().ends_with("in phase proposals"), "{said}");

    for args in [
        &["--help"][..],
        &["run", "--help"],
        &["admin", "--help"],
        &["admin", "apply-district", "--help"],
        &["admin", "proposals", "export", "--help"],
    ] {
        let help = pb_bot().args(args).output().unwrap();
        assert!(help.status.success(), "{args:?}");
        assert!(String::from_utf8_lossy(&help.stdout).contains("Usage: pb-bot"), "{args:?}");
    }
}

const WEBHOOK_SECRET: &str = "shared-secret_of-every-replica";
const HOOK_PATH: &str = "/telegram/hook";

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

/// Replicas killed when the test ends, whatever happens.
struct Replicas(Vec<Child>, Vec<PathBuf>);

impl Drop for Replicas {
    fn drop(&mut self) {
        for child in &mut self.0 {
            let _ = child.kill();
            let _ = child.wait();
        }
        if std::thread::panicking() {
            for log in &self.1 {
                eprintln!("--- {} ---\n{}", log.display(), std::fs::read_to_string(log).unwrap_or_default());
            }
        }
    }
}

/// Posts an update to one replica's webhook, as Telegram would.
async fn deliver(http: &reqwest::Client, port: u16, secret: &str, update: &serde_json::Value) -> reqwest::StatusCode {
    http.post(format!("http://127.0.0.1:{port}{HOOK_PATH}"))
        .header("X-Telegram-Bot-Api-Secret-Token", secret)
        .json(update)
        .send()
        .await
        .unwrap()
        .status()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_webhook_replicas_on_one_database_serve_residents_as_one_bot() {
    let api = FakeApi::start(TOKEN).await;
    let db = TestDb::new().await;
    let ports = [free_port(), free_port()];
    let mut replicas = Replicas(vec![], vec![]);
    for (i, port) in ports.iter().enumerate() {
        let log = db.dir.path().join(format!("replica-{i}.log"));
        let child = pb_bot()
            .args(["run", "--webhook", "--listen", &format!("127.0.0.1:{port}")])
            .args(["--public-url", &format!("https://pb.example.org{HOOK_PATH}")])
            .env("TELOXIDE_TOKEN", TOKEN)
            .env("TELOXIDE_API_URL", &api.url)
            .env("DATABASE_URL", &db.url)
            .env("PB_WEBHOOK_SECRET", WEBHOOK_SECRET)
            .stdout(Stdio::null())
            .stderr(std::fs::File::create(&log).unwrap())
            .spawn()
            .unwrap();
        replicas.0.push(child);
        replicas.1.push(log);
    }
    let http = reqwest::Client::new();
    for port in ports {
        let deadline = std::time::Instant::now() + Duration::from_secs(30);
        loop {
            let health = http.get(format!("http://127.0.0.1:{port}/healthz")).send().await;
            if health.as_ref().is_ok_and(|r| r.status() == 200) {
                break;
            }
            assert!(std::time::Instant::now() < deadline, "replica on {port} never became healthy: {health:?}");
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }
    let hooks: Vec<Call> = api.calls().into_iter().filter(|c| c.method == "setWebhook").collect();
    assert_eq!(hooks.len(), 2, "each replica registers the same webhook");
    assert!(hooks.iter().all(
        |h| h.params["url"] == "https://pb.example.org/telegram/hook" && h.params["secret_token"] == WEBHOOK_SECRET
    ));

    // A request without the shared secret is refused and not processed.
    let forged = api.text_update(KIM, "ko", "/start");
    assert_eq!(deliver(&http, ports[0], "guess", &forged).await, reqwest::StatusCode::UNAUTHORIZED);

    // Five residents propose at once; every step of each goes to the other replica than the last.
    let residents: Vec<u64> = (0..5).map(|n| 300_000 + n).collect();
    let step = |r: usize, s: usize| ports[(r + s) % 2];
    let before = api.calls().len();
    for (r, &resident) in residents.iter().enumerate() {
        assert!(
            deliver(&http, step(r, 0), WEBHOOK_SECRET, &api.text_update(resident, "en", "/propose")).await.is_success()
        );
    }
    let mut prompts = Vec::new();
    for &resident in &residents {
        prompts.push(
            api.wait_for(before, "area prompt", |c| c.chat() == Some(resident) && c.text().starts_with("1/6")).await,
        );
    }
    let before = api.calls().len();
    for (r, &resident) in residents.iter().enumerate() {
        let press = api.press_update(resident, "en", &prompts[r], &prompts[r].button("Yeonhui-dong"));
        assert!(deliver(&http, step(r, 1), WEBHOOK_SECRET, &press).await.is_success());
    }
    for &resident in &residents {
        api.wait_for(before, "title prompt", |c| c.chat() == Some(resident) && c.text().starts_with("2/6")).await;
    }
    let answers = |r: usize| {
        [
            format!("Shade for the bus stop {r}"),
            format!("A canopy over the stop by the market, number {r}."),
            "800만".to_owned(),
        ]
    };
    for (s, next) in ["3/6", "4/6", "5/6"].into_iter().enumerate() {
        let before = api.calls().len();
        for (r, &resident) in residents.iter().enumerate() {
            let update = api.text_update(resident, "en", &answers(r)[s]);
            assert!(deliver(&http, step(r, 2 + s), WEBHOOK_SECRET, &update).await.is_success());
        }
        for (r, &resident) in residents.iter().enumerate() {
            prompts[r] = api.wait_for(before, next, |c| c.chat() == Some(resident) && c.text().starts_with(next)).await;
        }
    }
    for (s, next) in ["6/6", "Please check your proposal"].iter().enumerate() {
        let before = api.calls().len();
        for (r, &resident) in residents.iter().enumerate() {
            let skip = prompts[r].button("Skip");
            let press = api.press_update(resident, "en", &prompts[r], &skip);
            assert!(deliver(&http, step(r, 5 + s), WEBHOOK_SECRET, &press).await.is_success());
        }
        for (r, &resident) in residents.iter().enumerate() {
            prompts[r] = api.wait_for(before, next, |c| c.chat() == Some(resident) && c.text().starts_with(next)).await;
        }
    }
    // Everyone submits at the same moment, through alternating replicas.
    let before = api.calls().len();
    let submits: Vec<_> = residents
        .iter()
        .enumerate()
        .map(|(r, &resident)| {
            (step(r, 7), api.press_update(resident, "en", &prompts[r], &prompts[r].button("✅ Submit")))
        })
        .collect();
    let mut sending = tokio::task::JoinSet::new();
    for (port, update) in submits {
        let http = http.clone();
        sending.spawn(async move { deliver(&http, port, WEBHOOK_SECRET, &update).await });
    }
    while let Some(status) = sending.join_next().await {
        assert!(status.unwrap().is_success());
    }
    let mut numbers = Vec::new();
    for &resident in &residents {
        let thanks =
            api.wait_for(before, "thanks", |c| c.chat() == Some(resident) && c.text().starts_with("Thank you!")).await;
        let number: i64 = thanks.text().split('#').nth(1).unwrap().split(' ').next().unwrap().parse().unwrap();
        numbers.push(number);
    }
    numbers.sort();
    assert_eq!(numbers, [1, 2, 3, 4, 5], "each resident got their own proposal number");
    api.settle(Duration::from_millis(300)).await;
    assert_eq!(api.violations(), Vec::<String>::new());
    assert!(!api.calls().iter().any(|c| c.chat() == Some(KIM)), "the forged update was never processed");
}

#[tokio::test]
async fn residents_verify_by_phone_and_by_code_through_the_binary() {
    let db = TestDb::new().await;
    let roll = db.dir.path().join("roll.csv");
    std::fs::write(&roll, "dong,phone\n신촌동,010-1234-5678\n").unwrap();
    let cli = |args: &[&str]| pb_bot().args(args).env("DATABASE_URL", &db.url).output().unwrap();
    let imported = cli(&["admin", "roll", "import", roll.to_str().unwrap()]);
    assert!(imported.status.success(), "{}", String::from_utf8_lossy(&imported.stderr));
    let issued = cli(&["admin", "codes", "issue", "--dong", "Hongje 1-dong", "--count", "3"]);
    assert!(issued.status.success(), "{}", String::from_utf8_lossy(&issued.stderr));
    let codes = String::from_utf8(issued.stdout).unwrap();
    let code = codes.lines().nth(1).unwrap().split(',').next().unwrap().to_owned();

    let d = Deployment::start_on(db).await;
    let intro = d.say(KIM, "ko", "/verify").await;
    assert!(intro.text().starts_with("우선순위 투표는 본인 확인된 주민만 할 수 있어요."));
    assert_eq!(intro.params["reply_markup"]["keyboard"][0][0]["request_contact"], true);

    let before = d.api.calls().len();
    d.api.send_contact(KIM, "ko", "821012345678", Some(KIM));
    let done = d.api.next_in(before, KIM).await;
    assert_eq!(done.text(), "신촌동 주민으로 인증되었어요. 앞으로 우리 동 소식을 알려 드릴게요.");
    assert_eq!(done.params["reply_markup"]["remove_keyboard"], true);

    // Someone else's contact, forwarded by Alex, is refused; Alex's code works.
    let before = d.api.calls().len();
    d.api.send_contact(ALEX, "en", "821012345678", Some(KIM));
    assert!(d.api.next_in(before, ALEX).await.text().starts_with("That is not your own phone number."));
    let verified = d.say(ALEX, "en", &format!("/verify {}", code.to_lowercase())).await;
    assert_eq!(verified.text(), "You are verified as a resident of Hongje 1-dong. You will get news of your dong.");
    let data = d.say(ALEX, "en", "/mydata").await;
    assert!(data.text().contains("Verified: resident of Hongje 1-dong, with a verification code"), "{}", data.text());

    d.api.settle(Duration::from_millis(300)).await;
    assert_eq!(d.api.violations(), Vec::<String>::new());
}

#[tokio::test]
async fn followers_get_reviews_and_announcements_through_the_binarys_delivery_worker() {
    // A proposal by Alex, waiting for review.
    // The binary opens this year's cycle (the district file names none).
    let this_year = chrono::Datelike::year(&chrono::Utc::now().with_timezone(&chrono_tz::Asia::Seoul));
    let world = crate::helpers::World::with_config(|c| c.cycle_year = this_year).await;
    let proposal = world.seed(ALEX, "sinchon", "Night lights on the Sinchon stairs", 12_000_000).await;
    let crate::helpers::World { db, .. } = world;
    let d = Deployment::start_on(db).await;

    // Kim follows Sinchon-dong; Alex follows nothing but their own proposal.
    let welcome = d.say(KIM, "ko", "/start").await;
    assert!(welcome.text().starts_with("안녕하세요!"));
    d.say(ALEX, "en", "/start").await;
    let menu = d.say(KIM, "ko", "/subscribe").await;
    let before = d.api.calls().len();
    d.api.press(KIM, "ko", &menu, &menu.button("신촌동"));
    d.api.wait_for(before, "the menu updated", |c| c.method == "editMessageText" && c.text().contains("구독")).await;

    // The official reviews it: Alex is told in English, Kim gets the dong's news in Korean.
    let admin = d.say(OFFICIAL, "ko", "/admin").await;
    let card = d.tap(OFFICIAL, "ko", &admin, "제안 검토 (1건 대기)").await;
    let ask = d.tap(OFFICIAL, "ko", &card, "✅ 적격").await;
    assert!(ask.text().starts_with(&format!("#{proposal} 제안을 적격으로 처리합니다.")), "{}", ask.text());
    let before = d.api.calls().len();
    d.api.send_text(OFFICIAL, "ko", "1,100만");
    d.expect(
        before,
        ALEX,
        &format!("Your proposal #{proposal} “Night lights on the Sinchon stairs” was reviewed and is eligible"),
    )
    .await;
    let news =
        d.expect(before, KIM, &format!("신촌동 새 소식: #{proposal} 「Night lights on the Sinchon stairs」")).await;
    let opened = d.tap(KIM, "ko", &news, "자세히 보기").await;
    assert!(opened.text().starts_with(&format!("제안 #{proposal} · 신촌동")), "{}", opened.text());

    // An announcement to Sinchon-dong, previewed and sent.
    let admin = d.say(OFFICIAL, "ko", "/admin").await;
    let areas = d.tap(OFFICIAL, "ko", &admin, "📣 공지 보내기").await;
    let ask = d.tap(OFFICIAL, "ko", &areas, "신촌동").await;
    assert!(ask.text().starts_with("신촌동 공지 내용을 한국어로 입력해 주세요"), "{}", ask.text());
    let preview = d.say(OFFICIAL, "ko", "12월 3일 저녁 7시, 신촌동 주민센터에서 1차 동 회의가 열립니다.").await;
    assert!(preview.text().starts_with("미리보기 — 신촌동 공지, 현재 구독자 1명에게 발송돼요."), "{}", preview.text());
    let before = d.api.calls().len();
    d.api.press(OFFICIAL, "ko", &preview, &preview.button("📣 1명에게 보내기"));
    let told = d.expect(before, KIM, "📣 신촌동 공지").await;
    assert!(told.text().ends_with("1차 동 회의가 열립니다."), "{}", told.text());

    d.api.settle(Duration::from_millis(300)).await;
    assert_eq!(d.api.violations(), Vec::<String>::new(), "every request met the Bot API spec");
    let logs = d.logs();
    assert!(logs.contains("delivery worker started"), "{logs}");
    assert!(!logs.contains("TEST-secret-token"), "the token never reaches the logs");
}

/// The moment `minutes` whole minutes after the first minute boundary at least `lead` ahead, in
/// Seoul, as typed in chat (`2026-12-03 19:04`) and as a UTC instant.
fn seoul_minute(lead: Duration, minutes: i64) -> (String, chrono::DateTime<chrono::Utc>) {
    use chrono::{DurationRound, TimeDelta};
    let ahead = chrono::Utc::now() + TimeDelta::from_std(lead).unwrap();
    let boundary = ahead.duration_trunc(TimeDelta::minutes(1)).unwrap() + TimeDelta::minutes(1 + minutes);
    (boundary.with_timezone(&chrono_tz::Asia::Seoul).format("%Y-%m-%d %H:%M").to_string(), boundary)
}

#[tokio::test]
async fn an_official_schedules_both_dong_meetings_and_a_resident_rsvps_is_reminded_and_checks_in() {
    // The shipped district file, with one more reminder two minutes before the start so the
    // test sees one fall due.
    let db = TestDb::new().await;
    let district = db.dir.path().join("district.toml");
    let shipped = std::fs::read_to_string(repo_path("config/seodaemun.toml")).unwrap();
    let with_short = shipped.replace(r#"reminders = ["24h", "1h"]"#, r#"reminders = ["24h", "1h", "2m"]"#);
    assert_ne!(with_short, shipped);
    std::fs::write(&district, with_short).unwrap();
    let d = Deployment::start_with(db, vec![("PB_CONFIG".into(), district.display().to_string())]).await;

    // Kim (Korean) and Alex (English) follow Sinchon-dong.
    for (user, lang, dong) in [(KIM, "ko", "신촌동"), (ALEX, "en", "Sinchon-dong")] {
        d.say(user, lang, "/start").await;
        let menu = d.say(user, lang, "/subscribe").await;
        let before = d.api.calls().len();
        d.api.press(user, lang, &menu, &menu.button(dong));
        d.api.wait_for(before, "the menu updated", |c| c.method == "editMessageText" && c.chat() == Some(user)).await;
    }

    // The official schedules the first meeting: its reminder two minutes ahead falls due 40 to
    // 100 seconds from now. Typos are refused with the forms that work.
    let (first_start, first_at) = seoul_minute(Duration::from_secs(40), 2);
    let (first_end, _) = seoul_minute(Duration::from_secs(40), 62);
    let d = &d;
    let schedule = |stage: &'static str| async move {
        let admin = d.say(OFFICIAL, "ko", "/admin").await;
        let list = d.tap(OFFICIAL, "ko", &admin, "🗓 회의").await;
        let areas = d.tap(OFFICIAL, "ko", &list, "➕ 회의 일정 등록").await;
        let stages = d.tap(OFFICIAL, "ko", &areas, "신촌동").await;
        let ask = d.tap(OFFICIAL, "ko", &stages, stage).await;
        assert!(ask.text().starts_with("언제 열리나요?"), "{}", ask.text());
    };
    schedule("1차 동 지역회의").await;
    let refused = d.say(OFFICIAL, "ko", "다음 주 목요일 저녁").await;
    assert!(refused.text().starts_with("시작 시각을 읽지 못했어요."), "{}", refused.text());
    // The end as officials type it, its time alone; in full when it falls on the next day
    // (the test running just before midnight in Seoul).
    let end = if first_end[..10] == first_start[..10] { &first_end[11..] } else { &first_end[..] };
    let venue = d.say(OFFICIAL, "ko", &format!("{first_start} ~ {end}")).await;
    assert!(venue.text().starts_with("어디에서 열리나요?"), "{}", venue.text());
    let notes = d.say(OFFICIAL, "ko", "신촌동 주민센터 3층 / Sinchon-dong Community Centre 3F").await;
    let capacity = d.tap(OFFICIAL, "ko", &notes, "건너뛰기").await;
    let preview = d.tap(OFFICIAL, "ko", &capacity, "건너뛰기").await;
    assert!(preview.text().starts_with("회의 내용을 확인해 주세요. 구독자 2명에게"), "{}", preview.text());
    let before = d.api.calls().len();
    d.api.press(OFFICIAL, "ko", &preview, &preview.button("📣 등록하고 알리기"));
    d.expect(before, KIM, "📅 신촌동 1차 동 지역회의 일정을 알려 드려요.").await;
    let told = d.expect(before, ALEX, "📅 Sinchon-dong: the first dong meeting is scheduled.").await;
    assert!(told.text().contains("Where: Sinchon-dong Community Centre 3F"), "{}", told.text());

    // The second meeting, ten days on, with notes and places.
    let second_day = (chrono::Utc::now().with_timezone(&chrono_tz::Asia::Seoul) + chrono::Days::new(10)).date_naive();
    schedule("2차 동 지역회의").await;
    d.say(OFFICIAL, "ko", &format!("{second_day} 19:00 ~ 21:00")).await;
    d.say(OFFICIAL, "ko", "신촌동 주민센터 대강당").await;
    d.say(OFFICIAL, "ko", "우선순위 투표가 있어요. 신분증을 가져오세요.").await;
    let preview = d.say(OFFICIAL, "ko", "80").await;
    let before = d.api.calls().len();
    d.api.press(OFFICIAL, "ko", &preview, &preview.button("📣 등록하고 알리기"));
    let told = d.expect(before, KIM, "📅 신촌동 2차 동 지역회의 일정을 알려 드려요.").await;
    assert!(told.text().ends_with("정원: 80명\n안내: 우선순위 투표가 있어요. 신분증을 가져오세요."), "{}", told.text());
    d.expect(before, ALEX, "📅 Sinchon-dong: the second dong meeting is scheduled.").await;

    // Kim says they are going and takes the calendar file: its start is the instant typed.
    let list = d.say(KIM, "ko", "/meetings").await;
    let first = list.buttons().into_iter().find(|(label, _)| label.starts_with("신촌동 · 1차")).unwrap();
    let before = d.api.calls().len();
    d.api.press(KIM, "ko", &list, &first.1);
    let card = d.api.next_in(before, KIM).await;
    let answered = d.tap(KIM, "ko", &card, "✅ 참석할게요").await;
    assert!(answered.text().ends_with("참석 예정 1명 · 내 응답: 참석"), "{}", answered.text());
    let before = d.api.calls().len();
    d.api.press(KIM, "ko", &card, &card.button("📅 캘린더에 추가"));
    let file =
        d.api.wait_for(before, "the calendar file", |c| c.method == "sendDocument" && c.chat() == Some(KIM)).await;
    let ics = String::from_utf8(file.files[0].bytes.clone()).unwrap();
    assert!(ics.contains(&format!("DTSTART:{}", first_at.format("%Y%m%dT%H%M%SZ"))), "{ics}");
    assert!(ics.contains("LOCATION:신촌동 주민센터 3층"), "{ics}");

    // The reminder reaches Kim (going) and not Alex (no answer), once.
    let reminder = d
        .api
        .wait_within(before, Duration::from_secs(150), "the reminder", |c| {
            c.chat() == Some(KIM) && c.text().starts_with("⏰ 신촌동 1차 동 지역회의 잊지 마세요!")
        })
        .await;
    assert!(reminder.text().contains("장소: 신촌동 주민센터 3층"), "{}", reminder.text());

    // At the door: the official opens check-in and gets the code, its link and the QR image.
    let admin = d.say(OFFICIAL, "ko", "/admin").await;
    let list = d.tap(OFFICIAL, "ko", &admin, "🗓 회의").await;
    let meeting = list.buttons().into_iter().find(|(label, _)| label.starts_with("신촌동 · 1차")).unwrap();
    let before = d.api.calls().len();
    d.api.press(OFFICIAL, "ko", &list, &meeting.1);
    let card = d.api.next_in(before, OFFICIAL).await;
    assert!(card.text().contains("참석 1명 · 불참 0명 · 출석 확인 0명"), "{}", card.text());
    let before = d.api.calls().len();
    d.api.press(OFFICIAL, "ko", &card, &card.button("🧾 출석 확인 시작"));
    let opened = d.api.wait_for(before, "the check-in code", |c| c.method == "sendPhoto").await;
    assert!(opened.files[0].bytes.starts_with(b"\x89PNG"), "a QR image");
    let code: String = opened.text().split("코드: ").nth(1).unwrap().chars().take(6).collect();
    assert!(opened.text().contains(&format!("https://t.me/pb_test_bot?start=checkin-{code}")), "{}", opened.text());

    // Kim opens the link; Alex types the code; a wrong code is refused.
    let checked = d.say(KIM, "ko", &format!("/start checkin-{code}")).await;
    assert_eq!(checked.text(), "✅ 신촌동 1차 동 지역회의 출석이 확인되었어요. 와 주셔서 고맙습니다!");
    let checked = d.say(ALEX, "en", &format!("/checkin {}", code.to_lowercase())).await;
    assert_eq!(checked.text(), "✅ You're checked in at Sinchon-dong first dong meeting. Thank you for coming!");
    let wrong = if code == "AAAAAA" { "BBBBBB" } else { "AAAAAA" };
    let refused = d.say(ALEX, "en", &format!("/checkin {wrong}")).await;
    assert!(refused.text().starts_with("No meeting has this check-in code."), "{}", refused.text());

    d.api.settle(Duration::from_millis(300)).await;
    let reminders = d.api.calls().iter().filter(|c| c.text().starts_with("⏰")).count();
    assert_eq!(reminders, 1, "one reminder, to the one resident going");
    assert_eq!(d.api.violations(), Vec::<String>::new(), "every request met the Bot API spec");
}

#[tokio::test]
async fn a_verified_resident_votes_each_kind_through_the_binary_and_a_round_closes_on_time() {
    use pb_bot::{
        domain::{
            ReviewDecision, Won,
            ballot::{Kind, RoundStage},
        },
        store::{NewRound, Pushes},
    };
    const LEE: u64 = 100_003;
    // This year's cycle (the binary opens it), four eligible Sinchon projects and four rounds
    // that the binary's clock opens at once; the approval round closes in 90 seconds.
    let this_year = chrono::Datelike::year(&chrono::Utc::now().with_timezone(&chrono_tz::Asia::Seoul));
    let world = crate::helpers::World::with_config(|c| c.cycle_year = this_year).await;
    let mut projects = vec![];
    for (i, title) in ["Stair lights", "Shade trees", "Library shelves", "Play street"].iter().enumerate() {
        let cost = (i as i64 + 1) * 10_000_000;
        let id = world.seed(ALEX, "sinchon", title, cost).await;
        let decision = ReviewDecision::Eligible { reviewed_cost: Won::from_i64(cost).unwrap() };
        let pushes = Pushes { default_lang: "ko", ..Pushes::default() };
        world.store.review_proposal(id, &decision, OFFICIAL as i64, &pushes, 0).await.unwrap();
        projects.push(id);
    }
    let now = chrono::Utc::now().timestamp();
    let cycle = world.cycle_id().await;
    let mut rounds = vec![];
    for (kind, closes_in) in [
        (Kind::Approval { min: 1, max: 2 }, 90),
        (Kind::Ranked { max: 2 }, 86_400),
        (Kind::Knapsack, 86_400),
        (Kind::Cumulative { points: 3, per_project: 2 }, 86_400),
    ] {
        let round = NewRound {
            area_key: "sinchon".into(),
            stage: RoundStage::Dong,
            kind,
            rule: "greedy".into(),
            pot: Won::from_i64(60_000_000).unwrap(),
            opens_at: now,
            closes_at: now + closes_in,
        };
        rounds.push(world.store.create_round(cycle, &round, Some(OFFICIAL as i64), now).await.unwrap().id);
    }
    let kim_code = world.codes("sinchon", 1, now + 86_400).await.remove(0);
    let alex_code = world.codes("yeonhui", 1, now + 86_400).await.remove(0);
    let store = world.store.clone();
    let crate::helpers::World { db, .. } = world;
    let d = Deployment::start_on(db).await;
    // The binary's clock opens the four rounds on its first tick.
    let deadline = std::time::Instant::now() + Duration::from_secs(30);
    for round in &rounds {
        while store.round(*round).await.unwrap().unwrap().opened_at.is_none() {
            assert!(std::time::Instant::now() < deadline, "round {round} was not opened; logs: {}", d.logs());
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    // Only verified residents of Sinchon-dong may vote.
    let refused = d.say(LEE, "ko", "/vote").await;
    assert!(refused.text().starts_with("투표는 인증된 주민만 할 수 있어요."), "{}", refused.text());
    d.say(KIM, "ko", &format!("/verify {kim_code}")).await;
    d.say(ALEX, "en", &format!("/verify {alex_code}")).await;
    let refused = d.say(ALEX, "en", "/vote").await;
    assert_eq!(refused.text(), "This ballot is for residents of Sinchon-dong.");

    // Approval, by taps: pick two, submit, confirm, a receipt.
    let choose = d.say(KIM, "ko", "/vote").await;
    assert_eq!(choose.buttons().len(), 4, "{:?}", choose.buttons());
    let d = &d;
    let press = |on: &Call, data: String| {
        let before = d.api.calls().len();
        d.api.press(KIM, "ko", on, &data);
        async move { d.api.next_in(before, KIM).await }
    };
    let ballot = press(&choose, format!("vr:{}", rounds[0])).await;
    assert!(ballot.text().starts_with("🗳 신촌동 찬성 투표"), "{}", ballot.text());
    press(&ballot, format!("vt:{}:{}", rounds[0], projects[0])).await;
    let edited = press(&ballot, format!("vt:{}:{}", rounds[0], projects[1])).await;
    assert_eq!(edited.method, "editMessageText");
    assert!(edited.text().ends_with("2개 선택 (최소 1개, 최대 2개)\n✅ 제출할 수 있어요."), "{}", edited.text());
    let confirm = press(&ballot, format!("vs:{}", rounds[0])).await;
    let stored = press(&confirm, format!("vc:{}", rounds[0])).await;
    assert!(stored.text().starts_with("🗳 신촌동 찬성 투표 투표가 저장되었어요."), "{}", stored.text());
    let first_receipt: String = stored.text().split("영수증 번호: ").nth(1).unwrap().chars().take(11).collect();

    // Changed: the last ballot counts, with a new receipt.
    let choose = d.say(KIM, "ko", "/vote").await;
    let ballot = press(&choose, format!("vr:{}", rounds[0])).await;
    press(&ballot, format!("vt:{}:{}", rounds[0], projects[1])).await;
    let confirm = press(&ballot, format!("vs:{}", rounds[0])).await;
    let changed = press(&confirm, format!("vc:{}", rounds[0])).await;
    assert!(changed.text().starts_with("🗳 신촌동 찬성 투표 투표를 바꿨어요."), "{}", changed.text());
    assert!(!changed.text().contains(&first_receipt));

    // Ranked, typed.
    let confirm = d.say(KIM, "ko", &format!("/vote r{} {} {}", rounds[1], projects[2], projects[0])).await;
    assert!(confirm.text().contains(&format!("1순위 #{} Library shelves", projects[2])), "{}", confirm.text());
    let stored = press(&confirm, format!("vc:{}", rounds[1])).await;
    assert!(stored.text().contains("영수증 번호: "), "{}", stored.text());

    // Knapsack: the pot holds 10M + 40M; 20M more is refused.
    let choose = d.say(KIM, "ko", "/vote").await;
    let ballot = press(&choose, format!("vr:{}", rounds[2])).await;
    press(&ballot, format!("vt:{}:{}", rounds[2], projects[0])).await;
    press(&ballot, format!("vt:{}:{}", rounds[2], projects[3])).await;
    let before = d.api.calls().len();
    d.api.press(KIM, "ko", &ballot, &format!("vt:{}:{}", rounds[2], projects[1]));
    let refusal =
        d.api.wait_for(before, "the refusal", |c| c.method == "answerCallbackQuery" && !c.text().is_empty()).await;
    assert!(refusal.text().starts_with("합계 70,000,000원(으)로 예산 60,000,000원을 넘어요."), "{}", refusal.text());
    let confirm = press(&ballot, format!("vs:{}", rounds[2])).await;
    press(&confirm, format!("vc:{}", rounds[2])).await;

    // Cumulative: two points and one.
    let choose = d.say(KIM, "ko", "/vote").await;
    let ballot = press(&choose, format!("vr:{}", rounds[3])).await;
    for project in [projects[0], projects[0], projects[1]] {
        press(&ballot, format!("vp:{}:{project}:1", rounds[3])).await;
    }
    let confirm = press(&ballot, format!("vs:{}", rounds[3])).await;
    press(&confirm, format!("vc:{}", rounds[3])).await;

    // The approval round closes on time, announced to the dong; nothing is taken after.
    let closed = d
        .api
        .wait_within(0, Duration::from_secs(150), "the closing news", |c| {
            c.chat() == Some(KIM) && c.text().starts_with("🗳 신촌동 투표가 마감되었어요.")
        })
        .await;
    assert!(closed.text().contains("결과는 위원회 검토를 거쳐"), "{}", closed.text());
    let late = d.say(KIM, "ko", &format!("/vote r{} {}", rounds[0], projects[0])).await;
    assert_eq!(late.text(), "그 번호로 열린 투표가 없어요. /vote 로 확인해 주세요.");

    for (round, expected) in
        rounds.iter().zip([vec![projects[0]], vec![projects[2], projects[0]], vec![projects[0], projects[3]]])
    {
        let ballots = store.ballots(*round).await.unwrap();
        assert_eq!(ballots.len(), 1, "round {round}");
        assert_eq!(
            ballots[0].ballot.order().iter().copied().collect::<std::collections::BTreeSet<_>>(),
            expected.into_iter().collect()
        );
    }
    let points = store.ballots(rounds[3]).await.unwrap();
    assert_eq!((points[0].ballot.weight(projects[0]), points[0].ballot.weight(projects[1])), (2, 1));
    d.api.settle(Duration::from_millis(300)).await;
    assert_eq!(d.api.violations(), Vec::<String>::new(), "every request met the Bot API spec");
}

#[tokio::test]
async fn a_round_closed_by_the_clock_is_confirmed_and_its_outcome_reaches_every_voter_with_the_chart() {
    use pb_bot::{
        domain::{
            Won,
            ballot::{Ballot, Kind, RoundStage, receipt},
        },
        store::Source,
    };
    const LEE: u64 = 100_003;
    const PARK: u64 = 100_004;
    let this_year = chrono::Datelike::year(&chrono::Utc::now().with_timezone(&chrono_tz::Asia::Seoul));
    let world = crate::helpers::World::with_config(|c| c.cycle_year = this_year).await;
    let projects = world
        .eligible(
            "sinchon",
            &[("Stair lights", 10_000_000), ("Shade trees", 20_000_000), ("Library shelves", 40_000_000)],
        )
        .await;
    for (user, lang) in [(KIM, "ko"), (PARK, "ko"), (LEE, "en")] {
        world.verify(user, lang, "sinchon").await;
    }
    // A round the binary's clock opens at once and closes within its next ticks.
    let now = chrono::Utc::now().timestamp();
    let kind = Kind::Approval { min: 1, max: 2 };
    let round = crate::helpers::new_round("sinchon", RoundStage::Dong, kind, "greedy", 50_000_000, (now, now + 20));
    let round = world.store.create_round(world.cycle_id().await, &round, Some(OFFICIAL as i64), now).await.unwrap().id;
    let store = world.store.clone();
    let secret = world.secret.clone();
    let crate::helpers::World { db, .. } = world;
    let d = Deployment::start_on(db).await;
    // Alex proposed the projects and follows them: he gets the results too.
    d.api.know_chats([KIM as i64, PARK as i64, LEE as i64, ALEX as i64]);
    d.say(OFFICIAL, "en", "/start").await;
    let deadline = std::time::Instant::now() + Duration::from_secs(30);
    while store.round(round).await.unwrap().unwrap().opened_at.is_none() {
        assert!(std::time::Instant::now() < deadline, "the round was not opened; logs: {}", d.logs());
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    // Library shelves (40M) three votes, stair lights two, shade trees one: 40M + 10M = 50M;
    // shade trees (20M) does not fit what is left.
    let mut receipts = std::collections::HashMap::new();
    for (user, picks) in
        [(KIM, [projects[2], projects[1]]), (PARK, [projects[2], projects[0]]), (LEE, [projects[2], projects[0]])]
    {
        let name = store.voter(user as i64).await.unwrap().unwrap().0;
        let ballot = Ballot::decode(&picks.iter().map(|p| format!("{p}:1")).collect::<Vec<_>>().join(",")).unwrap();
        let code = receipt();
        let key = secret.voter_key(round, &name);
        store.cast_ballot(round, &key, Some("sinchon"), &ballot, &code, Source::Chat, None, now).await.unwrap();
        receipts.insert(user, code);
    }

    // The clock closes it; the official is asked to review and confirm.
    let asked = d
        .api
        .wait_within(0, Duration::from_secs(90), "the official's review notice", |c| {
            c.chat() == Some(OFFICIAL) && c.text().starts_with(&format!("🗳 Round {round} (Sinchon-dong"))
        })
        .await;
    assert!(store.publication(round).await.unwrap().is_none(), "nothing is published before confirmation");
    let review = d.tap(OFFICIAL, "en", &asked, "🏁 Outcome").await;
    assert!(review.text().contains("✅ #") && review.text().contains("Library shelves"), "{}", review.text());
    let before = d.api.calls().len();
    d.api.press(OFFICIAL, "en", &review, &review.button("✅ Confirm and publish"));
    let published =
        d.api.wait_for(before, "the confirmation", |c| c.method == "answerCallbackQuery" && !c.text().is_empty()).await;
    assert!(published.text().starts_with("Published."), "{}", published.text());

    // Each voter: their picks explained (a personal notice), the chart, the results.
    let ko = |c: &Call, user: u64| c.chat() == Some(user) && !c.method.starts_with("REFUSED");
    for user in [KIM, PARK] {
        let mine = d
            .api
            .wait_within(before, Duration::from_secs(30), "the explanation", |c| {
                ko(c, user) && c.text().contains("내 투표지")
            })
            .await;
        assert!(mine.text().contains(&receipts[&user]), "{}", mine.text());
        let chart = d
            .api
            .wait_within(before, Duration::from_secs(30), "the chart", |c| ko(c, user) && c.method == "sendPhoto")
            .await;
        assert!(chart.text().starts_with("🏁 신촌동"), "{}", chart.text());
        d.api
            .wait_within(before, Duration::from_secs(30), "the results", |c| {
                ko(c, user) && c.method == "sendMessage" && c.text().contains("선정 2건")
            })
            .await;
    }
    let kim = d.api.calls().into_iter().find(|c| ko(c, KIM) && c.text().contains("내 투표지")).unwrap();
    assert!(kim.text().contains("Library shelves: 선정되었습니다"), "{}", kim.text());
    assert!(kim.text().contains("Shade trees: 선정되지 않았습니다"), "{}", kim.text());
    let lee = d
        .api
        .wait_within(before, Duration::from_secs(30), "Lee's chart", |c| ko(c, LEE) && c.method == "sendPhoto")
        .await;
    assert!(lee.text().starts_with("🏁 Results: Sinchon-dong"), "{}", lee.text());
    assert_eq!(d.api.uploads(), 2, "the chart is uploaded once per language, then sent by its file id");
    d.api
        .wait_within(before, Duration::from_secs(30), "Alex's chart", |c| ko(c, ALEX) && c.method == "sendPhoto")
        .await;
    assert_eq!(d.api.calls().iter().filter(|c| c.method == "sendPhoto").count(), 4);

    // Later, /results shows the same from what was published: the chart by file id.
    let before = d.api.calls().len();
    d.api.send_text(KIM, "ko", "/results");
    let again = d.api.wait_for(before, "the results again", |c| ko(c, KIM) && c.text().contains("내 투표지")).await;
    assert!(again.text().contains("✅ #") && again.text().contains(&receipts[&KIM]), "{}", again.text());
    assert!(d.api.calls()[before..].iter().any(|c| ko(c, KIM) && c.method == "sendPhoto"));
    assert_eq!(d.api.uploads(), 2);
    let kept = store.publication(round).await.unwrap().unwrap();
    assert_eq!(kept.funded.len(), 2);
    assert_eq!(kept.used, Won::from_i64(50_000_000).unwrap());
    d.api.settle(Duration::from_millis(300)).await;
    assert_eq!(d.api.violations(), Vec::<String>::new(), "every request met the Bot API spec");
}

#[tokio::test]
async fn an_official_posts_a_project_update_through_the_binary_and_its_followers_read_it_in_their_language() {
    use pb_bot::domain::ballot::{Kind, RoundStage};
    let this_year = chrono::Datelike::year(&chrono::Utc::now().with_timezone(&chrono_tz::Asia::Seoul));
    let world = crate::helpers::World::with_config(|c| c.cycle_year = this_year).await;
    let projects = world.eligible("sinchon", &[("Stair lights", 10_000_000), ("Shade trees", 20_000_000)]).await;
    // A round voted and closed an hour ago, its outcome published: both projects funded.
    let now = chrono::Utc::now().timestamp();
    let kind = Kind::Approval { min: 1, max: 2 };
    let new =
        crate::helpers::new_round("sinchon", RoundStage::Dong, kind, "greedy", 50_000_000, (now - 7200, now - 3600));
    let round = world.store.create_round(world.cycle_id().await, &new, None, now - 7300).await.unwrap().id;
    pb_bot::bot::vote::open_and_close_rounds(&world.store, &world.config, &world.locales, now - 7200).await.unwrap();
    world.cast(round, "roll:1", Some("sinchon"), &projects, now - 7000).await;
    pb_bot::bot::vote::open_and_close_rounds(&world.store, &world.config, &world.locales, now - 3600).await.unwrap();
    let outcome = pb_bot::bot::results::tallied(&world.store, &world.config, round).await.unwrap().unwrap().outcome;
    let nothing = pb_bot::store::Pushes { default_lang: "ko", ..Default::default() };
    world.store.publish_round(round, &outcome, true, Some(OFFICIAL as i64), &nothing, now).await.unwrap();
    // KIM reads English and follows "Shade trees"; ALEX proposed it (and reads Korean).
    let shade = projects[1];
    world.store.touch_user(KIM as i64, Some("en"), now).await.unwrap();
    world.store.subscribe(KIM as i64, "project", &shade.to_string(), now).await.unwrap();
    let store = world.store.clone();
    let crate::helpers::World { db, .. } = world;
    let d = Deployment::start_on(db).await;
    d.api.know_chats([KIM as i64, ALEX as i64]);

    let menu = d.say(OFFICIAL, "en", "/admin").await;
    let cards = d.tap(OFFICIAL, "en", &menu, "🏗 Execution of funded projects").await;
    let label = cards.buttons().into_iter().map(|(l, _)| l).find(|l| l.starts_with(&format!("🏗 #{shade} "))).unwrap();
    let asked = d.tap(OFFICIAL, "en", &cards, &label).await;
    assert!(asked.text().starts_with(&format!("Update of #{shade} (now planned, 0%)")), "{}", asked.text());
    let progress = d.tap(OFFICIAL, "en", &asked, "in progress").await;
    assert!(progress.text().starts_with("Progress now"), "{}", progress.text());
    d.say(OFFICIAL, "en", "35").await;
    d.say(OFFICIAL, "en", "700만").await;
    d.say(OFFICIAL, "en", "나무 심기를 시작했습니다").await;
    let ask_photo = d.say(OFFICIAL, "en", "Planting has started").await;
    let preview = d.tap(OFFICIAL, "en", &ask_photo, "No photo").await;
    assert!(preview.text().contains("progress 0% → 35%"), "{}", preview.text());
    let before = d.api.calls().len();
    d.api.press(OFFICIAL, "en", &preview, &preview.button("✅ Post it"));

    // Through the outbox: Kim in English, Alex in Korean, each with the button to the card.
    let kim = d.expect(before, KIM, &format!("🏗 #{shade} Shade trees: an update")).await;
    assert!(kim.text().contains("Planting has started") && kim.text().contains("progress 0% → 35%"), "{}", kim.text());
    let alex = d.expect(before, ALEX, &format!("🏗 #{shade} Shade trees 추진 소식")).await;
    assert!(
        alex.text().contains("나무 심기를 시작했습니다") && alex.text().contains("진행률 0% → 35%"),
        "{}",
        alex.text()
    );
    let card = d.tap(KIM, "en", &kim, "📋 Project card").await;
    assert!(
        card.text().contains("Status: in progress · 35%") && card.text().contains("Planting has started"),
        "{}",
        card.text()
    );
    let again = d.say(KIM, "en", &format!("/project {shade}")).await;
    assert!(again.text().contains("spent so far ₩7,000,000"), "{}", again.text());

    // The quarter's report.
    let (_, md) = crate::helpers::quarter_report(&d.db);
    assert!(md.contains("나무 심기를 시작했습니다 / Planting has started"), "{md}");
    assert_eq!(store.execution_updates(shade, 10).await.unwrap().len(), 1);
    d.api.settle(Duration::from_millis(300)).await;
    assert_eq!(d.api.violations(), Vec::<String>::new(), "every request met the Bot API spec");
}
