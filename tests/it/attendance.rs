//! After scheduling: reminders to residents who are going (timed with a controlled clock, never
//! twice, never after the start or a cancellation), check-in at the door and its refusals, and
//! the committee appointed from residents who finished Budget School.

use chrono::{DateTime, TimeZone, Utc};
use pb_bot::{
    bot::meetings::queue_reminders,
    domain::{Course, meeting::Stage},
    store::{AppointOutcome, Completion, Meeting, NewMeeting, Pushes},
};

use crate::helpers::*;

const HOUR: i64 = 3600;

fn silent(_: &Meeting) -> Pushes {
    Pushes { default_lang: "ko", ..Pushes::default() }
}

fn meeting_at(area: &str, starts_at: i64) -> NewMeeting {
    NewMeeting {
        area_key: area.into(),
        stage: Stage::First,
        starts_at,
        ends_at: starts_at + 2 * HOUR,
        venue_ko: "신촌동 주민센터 3층".into(),
        venue_en: Some("Sinchon-dong community centre, 3rd floor".into()),
        notes: None,
        capacity: None,
    }
}

fn at(ts: i64) -> DateTime<Utc> {
    DateTime::from_timestamp(ts, 0).unwrap()
}

#[tokio::test]
async fn going_residents_are_reminded_once_per_offset_and_never_after_the_start_or_a_cancellation() {
    let world = World::new().await;
    let t0 = chrono_tz::Asia::Seoul.with_ymd_and_hms(2027, 3, 1, 9, 0, 0).unwrap().timestamp();
    let start = t0 + 72 * HOUR;
    for (id, lang) in [(1, "ko"), (2, "en"), (3, "ko"), (4, "ko"), (5, "en"), (6, "ko")] {
        world.store.touch_user(id, Some(lang), t0).await.unwrap();
    }
    let cycle = world.cycle_id().await;
    let m = world.store.create_meeting(cycle, &meeting_at("sinchon", start), None, silent, t0).await.unwrap();
    world.store.rsvp(m.id, 1, true, t0).await.unwrap();
    world.store.rsvp(m.id, 2, true, t0).await.unwrap();
    world.store.rsvp(m.id, 3, false, t0).await.unwrap();
    let queue = |now: i64| {
        let (store, config, locales) = (world.store.clone(), world.config.clone(), world.locales.clone());
        async move { queue_reminders(&store, &config, &locales, at(now)).await.unwrap() }
    };

    assert_eq!(queue(start - 25 * HOUR).await, 0, "too early");
    assert_eq!(queue(start - 24 * HOUR).await, 2, "the day before, to both going");
    let kim = world.store.outbox_for(1).await.unwrap();
    assert_eq!(
        kim,
        [(
            "queued".into(),
            "⏰ 신촌동 1차 동 지역회의 잊지 마세요!\n일시: 2027년 3월 4일 (목) 09:00 ~ 2027년 3월 4일 (목) 11:00\n\
             장소: 신촌동 주민센터 3층\n그때 만나요."
                .into()
        )]
    );
    let alex = world.store.outbox_for(2).await.unwrap();
    assert!(
        alex[0].1.starts_with("⏰ Reminder: Sinchon-dong first dong meeting\nWhen: Thu 4 Mar 2027, 09:00"),
        "{alex:?}"
    );
    assert!(alex[0].1.contains("Where: Sinchon-dong community centre, 3rd floor"), "{alex:?}");
    assert!(world.store.outbox_for(3).await.unwrap().is_empty(), "not going");
    assert_eq!(queue(start - 24 * HOUR + 60).await, 0, "never twice");
    let reopened = pb_bot::store::Store::open_with(&world.db.url, false).await.unwrap();
    let after_restart = queue_reminders(&reopened, &world.config, &world.locales, at(start - 23 * HOUR)).await;
    assert_eq!(after_restart.unwrap(), 0, "nor after a restart");

    // Answering two hours ahead: no "day before" reminder at once, the hour-before one later.
    world.store.rsvp(m.id, 4, true, start - 2 * HOUR).await.unwrap();
    assert_eq!(queue(start - 2 * HOUR + 60).await, 0);
    assert_eq!(queue(start - HOUR).await, 3, "the hour before, to the three going");
    assert_eq!(world.store.outbox_for(4).await.unwrap().len(), 1);
    assert_eq!(queue(start - HOUR + 30).await, 0);
    assert_eq!(queue(start + 60).await, 0, "never once it has begun");

    // The bot was down through both moments: one message, not two.
    let late = world.store.create_meeting(cycle, &meeting_at("yeonhui", start + 10 * HOUR), None, silent, t0).await;
    let late = late.unwrap();
    world.store.rsvp(late.id, 5, true, t0).await.unwrap();
    assert_eq!(queue(start + 10 * HOUR - 30 * 60).await, 1);
    assert_eq!(queue(start + 10 * HOUR - 10 * 60).await, 0);
    assert_eq!(world.store.outbox_for(5).await.unwrap().len(), 1);

    // A move starts reminders over for the new time; a cancellation stops them.
    let moving = world.store.create_meeting(cycle, &meeting_at("sinchon", start + 48 * HOUR), None, silent, t0).await;
    let moving = moving.unwrap();
    world.store.rsvp(moving.id, 6, true, t0).await.unwrap();
    assert_eq!(queue(start + 24 * HOUR).await, 1);
    let new_start = start + 72 * HOUR;
    world
        .store
        .move_meeting(moving.id, 0, (new_start, new_start + 2 * HOUR), None, |_, _| silent(&moving), start + 25 * HOUR)
        .await
        .unwrap();
    assert_eq!(queue(start + 47 * HOUR).await, 0, "the old time's reminder is not sent again");
    assert_eq!(queue(new_start - 24 * HOUR).await, 1, "the new time's day-before reminder");
    world.store.cancel_meeting(moving.id, 1, None, |_, _| silent(&moving), new_start - 20 * HOUR).await.unwrap();
    assert_eq!(queue(new_start - HOUR).await, 0, "no reminder for a cancelled meeting");
    assert_eq!(world.store.outbox_for(6).await.unwrap().len(), 2);
}

/// The check-in code an open check-in shows.
async fn open_code(world: &World, meeting: i64) -> String {
    world.store.open_checkin_of(meeting, Utc::now().timestamp()).await.unwrap().expect("check-in is open").code
}

#[tokio::test]
async fn facilitators_open_check_in_and_residents_check_in_with_the_code_or_link() {
    const FACILITATOR: u64 = 100_050;
    const LEE: u64 = 100_051;
    let world = World::new().await;
    let now = Utc::now().timestamp();
    let cycle = world.cycle_id().await;
    let soon = world.store.create_meeting(cycle, &meeting_at("sinchon", now + HOUR), None, silent, now).await.unwrap();
    let later =
        world.store.create_meeting(cycle, &meeting_at("sinchon", now + 30 * HOUR), None, silent, now).await.unwrap();
    let (kim, alex, facilitator, lee) = (user(KIM, "ko"), user(ALEX, "en"), user(FACILITATOR, "ko"), user(LEE, "ko"));

    // A resident who is not a facilitator cannot open check-in, even with a forged button.
    let mut bot = world.bot(press_detached(&kim, &format!("co:{}", soon.id)));
    bot.dispatch().await;
    assert_eq!(notices(&bot), ["출석 확인은 퍼실리테이터와 구청 담당자만 시작할 수 있어요."]);
    assert!(world.store.open_checkin_of(soon.id, now).await.unwrap().is_none());

    // A facilitator sees the button on the meeting card and opens it: code, link and QR image.
    bot.update(text(&facilitator, "/start"));
    bot.dispatch().await;
    // An official grants the role from /admin; the new facilitator is told.
    let official = user(OFFICIAL, "ko");
    bot.update(text(&official, "/admin"));
    bot.dispatch().await;
    let menu = last_sent(&bot);
    bot.update(press(&official, &menu, &button_data(&menu, "🧑‍🏫 퍼실리테이터")));
    bot.dispatch().await;
    let screen = bot.get_responses().edited_messages_text.last().cloned().unwrap().message;
    assert_eq!(screen.text().unwrap(), "🧑‍🏫 퍼실리테이터 0명. 회의에서 출석 확인을 열 수 있어요.");
    bot.update(press(&official, &screen, &button_data(&screen, "➕ 역할 부여")));
    bot.dispatch().await;
    bot.update(text(&official, "someone"));
    bot.dispatch().await;
    assert!(last_text(&bot).starts_with("주민의 명부상 전화번호"), "unreadable: asked again");
    bot.update(text(&official, "123454321"));
    bot.dispatch().await;
    assert!(last_text(&bot).starts_with("아직 봇을 시작하지 않은 분이에요."));
    bot.update(text(&official, &FACILITATOR.to_string()));
    bot.dispatch().await;
    let said = sent(&bot);
    assert!(said.contains(&format!("{FACILITATOR} 님을 퍼실리테이터로 지정하고 알려 드렸어요.")), "{said:?}");
    assert!(last_text(&bot).starts_with("🧑‍🏫 퍼실리테이터 1명."), "{}", last_text(&bot));
    let told = world.store.outbox_for(FACILITATOR as i64).await.unwrap();
    assert!(told[0].1.starts_with("🧑‍🏫 주민참여예산 퍼실리테이터로 지정되셨어요."), "{told:?}");
    world.store.subscribe(FACILITATOR as i64, "dong", "sinchon", now).await.unwrap();
    bot.update(text(&facilitator, "/meetings"));
    bot.dispatch().await;
    let list = last_sent(&bot);
    bot.update(press(&facilitator, &list, &format!("mv:{}", soon.id)));
    bot.dispatch().await;
    let card = last_sent(&bot);
    bot.update(press(&facilitator, &card, &button_data(&card, "🧾 출석 확인 시작")));
    bot.dispatch().await;
    let code = open_code(&world, soon.id).await;
    let photo = bot.get_responses().sent_messages_photo.last().cloned().expect("the QR image").message;
    let caption = photo.caption().unwrap();
    assert!(caption.contains(&format!("코드: {code}")), "{caption}");
    assert!(caption.contains(&format!("?start=checkin-{code}")), "{caption}");
    // Opening again shows the same code.
    bot.update(press(&facilitator, &card, &button_data(&card, "🧾 출석 확인 시작")));
    bot.dispatch().await;
    assert_eq!(open_code(&world, soon.id).await, code);

    // Too early for the meeting tomorrow.
    bot.update(press(&facilitator, &card, &format!("co:{}", later.id)));
    bot.dispatch().await;
    assert!(notices(&bot)[0].starts_with("출석 확인은 회의 시작 2시간 전("), "{:?}", notices(&bot));

    // Residents: the code typed loosely, the link, twice, a wrong code, nonsense.
    bot.update(text(&kim, &format!("/checkin {}-{}", &code[..3].to_lowercase(), &code[3..])));
    bot.dispatch().await;
    assert_eq!(last_text(&bot), "✅ 신촌동 1차 동 지역회의 출석이 확인되었어요. 와 주셔서 고맙습니다!");
    bot.update(text(&kim, &format!("/start checkin-{code}")));
    bot.dispatch().await;
    assert_eq!(last_text(&bot), "신촌동 1차 동 지역회의 출석은 이미 확인되었어요.");
    bot.update(text(&alex, &format!("/start checkin-{code}")));
    bot.dispatch().await;
    assert_eq!(last_text(&bot), "✅ You're checked in at Sinchon-dong first dong meeting. Thank you for coming!");
    let wrong = if code == "AAAAAA" { "BBBBBB" } else { "AAAAAA" };
    bot.update(text(&alex, &format!("/checkin {wrong}")));
    bot.dispatch().await;
    assert!(last_text(&bot).starts_with("No meeting has this check-in code."));
    bot.update(text(&alex, "/checkin please"));
    bot.dispatch().await;
    assert!(last_text(&bot).starts_with("Send the code shown at the meeting, like /checkin AB3XYZ"));

    // Closed: the code no longer counts, here or for another meeting.
    bot.update(press(&facilitator, &card, &format!("cx:{}", soon.id)));
    bot.dispatch().await;
    assert_eq!(last_text(&bot), "신촌동 1차 동 지역회의 출석 확인을 마감했어요. 출석 2명.");
    bot.update(text(&lee, &format!("/checkin {code}")));
    bot.dispatch().await;
    assert_eq!(
        last_text(&bot),
        "신촌동 1차 동 지역회의 출석 확인이 마감되었어요. 현장의 퍼실리테이터에게 말씀해 주세요."
    );
    assert_eq!(world.store.attendance_count(soon.id).await.unwrap(), 2);
    assert_eq!(world.store.attendance_count(later.id).await.unwrap(), 0, "a code belongs to one meeting");
    bot.update(press(&facilitator, &card, &format!("cx:{}", soon.id)));
    bot.dispatch().await;
    assert_eq!(notices(&bot), ["이 회의는 지금 출석 확인을 받고 있지 않아요."]);

    // A revoked facilitator can no longer open it; a cancelled meeting's code is refused.
    bot.update(press(&official, &screen, &button_data(&screen, "➖ 역할 해제")));
    bot.dispatch().await;
    bot.update(text(&official, &FACILITATOR.to_string()));
    bot.dispatch().await;
    assert!(sent(&bot).contains(&format!("{FACILITATOR} 님의 퍼실리테이터 역할을 해제했어요.")));
    bot.update(press(&facilitator, &card, &format!("co:{}", soon.id)));
    bot.dispatch().await;
    assert_eq!(notices(&bot), ["출석 확인은 퍼실리테이터와 구청 담당자만 시작할 수 있어요."]);
    let third = world.store.create_meeting(cycle, &meeting_at("sinchon", now + 600), None, silent, now).await.unwrap();
    let opened = world.store.open_checkin(third.id, OFFICIAL as i64, "CCCCCC", now + 3 * HOUR, now).await.unwrap();
    assert!(matches!(opened, pb_bot::store::OpenCheckin::Opened(_)));
    let other = world.store.create_meeting(cycle, &meeting_at("yeonhui", now + 900), None, silent, now).await.unwrap();
    let clash = world.store.open_checkin(other.id, OFFICIAL as i64, "CCCCCC", now + 3 * HOUR, now).await.unwrap();
    assert_eq!(clash, pb_bot::store::OpenCheckin::CodeTaken, "a code belongs to one check-in");
    world.store.cancel_meeting(third.id, 0, None, |_, _| silent(&third), now).await.unwrap();
    bot.update(text(&lee, "/checkin CCCCCC"));
    bot.dispatch().await;
    assert_eq!(last_text(&bot), "취소된 회의라 출석 확인을 할 수 없어요.");

    // /mydata shows it; /forgetme takes it away.
    bot.update(text(&kim, "/mydata"));
    bot.dispatch().await;
    assert!(last_text(&bot).contains("\n출석이 확인된 회의: 신촌동 1차 동 지역회의 ("), "{}", last_text(&bot));
    world.store.forget_user(KIM as i64, now).await.unwrap();
    assert_eq!(world.store.attendance_count(soon.id).await.unwrap(), 1);

    let audit: Vec<String> = world.store.audit_log().await.unwrap().into_iter().map(|e| e.action).collect();
    for action in ["checkin.open", "checkin.close", "facilitator.grant", "facilitator.revoke"] {
        assert!(audit.contains(&action.to_owned()), "{action} missing from {audit:?}");
    }
}

#[tokio::test]
async fn the_committee_is_appointed_from_verified_residents_who_finished_the_required_courses() {
    // The command line opens this year's cycle (the district file names none).
    let this_year = chrono::Datelike::year(&Utc::now().with_timezone(&chrono_tz::Asia::Seoul));
    let world = World::with_config(|c| c.cycle_year = this_year).await;
    let now = Utc::now().timestamp();
    let limits = pb_bot::store::CodeLimits { max_failures: 5, lockout_seconds: 60 };
    let codes = world.codes("sinchon", 2, now + 86_400).await;
    for (id, lang) in [(1, "ko"), (2, "en"), (3, "ko")] {
        world.store.touch_user(id, Some(lang), now).await.unwrap();
    }
    // 1 and 2 are verified residents; 3 took the courses but is not verified.
    for (id, code) in [(1, &codes[0]), (2, &codes[1])] {
        let code = pb_bot::domain::verification::Code::parse(code).unwrap();
        world.store.redeem_code(id, &world.secret.code_hash(&code), limits, now).await.unwrap();
    }
    let file = world.db.dir.path().join("courses.csv");
    std::fs::write(
        &file,
        "telegram_id,phone,course,completed_on\n1,,basic,2026-04-11\n1,,위원 과정,2026-05-02\n2,,basic,2026-04-11\n\
         3,,basic,2026-04-11\n3,,committee,2026-05-02\n",
    )
    .unwrap();
    let output = cli(&world.db).args(["admin", "courses", "import"]).arg(&file).output().unwrap();
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    assert!(String::from_utf8_lossy(&output.stdout).starts_with("Recorded 5 course completions"));

    // Facilitators from the command line too.
    let output = cli(&world.db).args(["admin", "facilitators", "grant", "--telegram-id", "2"]).output().unwrap();
    assert!(String::from_utf8_lossy(&output.stdout).starts_with("Telegram user 2 is now a facilitator"));
    assert!(world.store.outbox_for(2).await.unwrap()[0].1.starts_with("🧑‍🏫 You are now a facilitator"));
    let output = cli(&world.db).args(["admin", "facilitators", "list"]).output().unwrap();
    assert!(String::from_utf8_lossy(&output.stdout).starts_with("telegram_id,granted\n2,"));
    let output = cli(&world.db).args(["admin", "facilitators", "revoke", "--telegram-id", "2"]).output().unwrap();
    assert!(output.status.success());
    let output = cli(&world.db).args(["admin", "facilitators", "revoke", "--telegram-id", "2"]).output().unwrap();
    assert!(!output.status.success(), "not a facilitator any more");

    // A resident the bot never met stops the whole file.
    std::fs::write(&file, "1,,instructor,2026-06-01\n777,,basic,2026-04-11\n").unwrap();
    let output = cli(&world.db).args(["admin", "courses", "import"]).arg(&file).output().unwrap();
    assert!(!output.status.success());
    assert!(String::from_utf8_lossy(&output.stderr).contains("line 2: no such resident"));

    let output = cli(&world.db).args(["admin", "committee", "eligible"]).output().unwrap();
    let table = String::from_utf8_lossy(&output.stdout).to_string();
    let rows: Vec<&str> = table.lines().collect();
    assert_eq!(rows[0], "telegram_id,dong,courses,meetings_attended,member,eligible,why_not");
    assert_eq!(rows[1], "1,신촌동,basic committee,0,no,yes,");
    assert_eq!(rows[2], "2,신촌동,basic,0,no,no,has not finished the committee course(s)");
    assert_eq!(rows[3], "3,,basic committee,0,no,no,not a verified resident");

    // Appointing someone not eligible appoints no one.
    let list = world.db.dir.path().join("committee.csv");
    std::fs::write(&list, "telegram_id,phone\n1\n2\n").unwrap();
    let output = cli(&world.db).args(["admin", "committee", "appoint"]).arg(&list).output().unwrap();
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("line 3: Telegram user 2 has not finished the committee course(s)"), "{stderr}");
    assert!(world.store.committee_members(world.cycle_id().await).await.unwrap().is_empty());

    std::fs::write(&list, "telegram_id,phone\n1\n").unwrap();
    let output = cli(&world.db).args(["admin", "committee", "appoint"]).arg(&list).output().unwrap();
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let said = String::from_utf8_lossy(&output.stdout);
    assert!(said.contains("Appointed 1 new member(s)"), "{said}");
    assert!(said.contains("still needs 39 more"), "{said}");
    let cycle = world.cycle_id().await;
    assert_eq!(world.store.committee_members(cycle).await.unwrap(), [1]);
    let told = world.store.outbox_for(1).await.unwrap();
    assert_eq!(told.len(), 1);
    assert!(told[0].1.starts_with(&format!("🏛 서대문구 {this_year}년 주민참여예산위원으로 위촉되셨어요.")), "{told:?}");

    // The committee never grows past its maximum; appointing a member again changes nothing.
    world
        .store
        .record_completions(
            &[Completion { telegram_id: 2, course: Course::Committee, completed_on: "2026-06-01".into() }],
            Some(OFFICIAL as i64),
            now,
        )
        .await
        .unwrap();
    let full = world.store.appoint_committee(cycle, &[1, 2], 1, None, |_| silent_pushes(), now).await.unwrap();
    assert_eq!(full, AppointOutcome::TooLarge { would_have: 2 });
    let again = world.store.appoint_committee(cycle, &[1], 1, None, |_| silent_pushes(), now).await.unwrap();
    assert_eq!(again, AppointOutcome::Appointed { added: 0, size: 1 });
    let record = world.store.meeting_record(1).await.unwrap();
    assert_eq!((record.courses.len(), record.committees.clone()), (2, vec![this_year]));

    // A district that asks for a meeting attended: eligibility follows check-in.
    let district = world.db.dir.path().join("district.toml");
    let shipped = std::fs::read_to_string(repo_path("config/seodaemun.toml")).unwrap();
    std::fs::write(&district, shipped.replace("min_meetings_attended = 0", "min_meetings_attended = 1")).unwrap();
    let eligible = || {
        let output = cli(&world.db).arg("--config").arg(&district).args(["admin", "committee", "eligible"]).output();
        String::from_utf8(output.unwrap().stdout).unwrap()
    };
    assert!(
        eligible().contains("\n2,신촌동,basic committee,0,no,no,\"attended 0 meeting(s) of the cycle, 1 needed\"\n")
    );
    let meeting =
        world.store.create_meeting(cycle, &meeting_at("sinchon", now + 600), None, silent, now).await.unwrap();
    world.store.open_checkin(meeting.id, OFFICIAL as i64, "DDDDDD", now + 4 * HOUR, now).await.unwrap();
    world.store.check_in("DDDDDD", 2, now).await.unwrap();
    assert!(eligible().contains("\n2,신촌동,basic committee,1,no,yes,\n"), "{}", eligible());

    // Forgetting a member takes the seat and the courses with them.
    world.store.forget_user(1, now).await.unwrap();
    assert!(world.store.committee_members(cycle).await.unwrap().is_empty());
    assert_eq!(world.store.meeting_record(1).await.unwrap(), Default::default());
}

fn silent_pushes() -> Pushes {
    Pushes { default_lang: "ko", ..Pushes::default() }
}
