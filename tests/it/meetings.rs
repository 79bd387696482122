//! Meetings in the store: scheduling announced to exactly the dong's followers, residents'
//! answers and their refusals, and a move or cancellation told to those who said they would come.

use pb_bot::{
    domain::meeting::Stage,
    store::{Broadcast, ChangeOutcome, Follow, Meeting, NewMeeting, Pushes, RsvpOutcome},
};

use crate::helpers::*;

const HOUR: i64 = 3600;

fn first_meeting(starts_at: i64) -> NewMeeting {
    NewMeeting {
        area_key: "sinchon".into(),
        stage: Stage::First,
        starts_at,
        ends_at: starts_at + 2 * HOUR,
        venue_ko: "신촌동 주민센터 3층".into(),
        venue_en: Some("Sinchon-dong community centre, 3rd floor".into()),
        notes: None,
        capacity: Some(2),
    }
}

/// News of a meeting for `audience`, naming it.
fn news(meeting: &Meeting, what: &str, audience: Vec<Follow>) -> Pushes {
    Pushes {
        notices: vec![],
        broadcasts: vec![Broadcast {
            kind: format!("meeting-{what}"),
            subject: Some(meeting.id.to_string()),
            text_ko: format!("회의 #{} {what} (순번 {})", meeting.id, meeting.sequence),
            text_en: format!("Meeting #{} {what} (sequence {})", meeting.id, meeting.sequence),
            markup_ko: None,
            markup_en: None,
            audience,
            exclude: None,
            created_by: Some(OFFICIAL as i64),
            photos: None,
        }],
        default_lang: "ko",
    }
}

#[tokio::test]
async fn a_meeting_is_announced_to_its_dongs_followers_and_answers_are_kept() {
    let world = World::new().await;
    let now = chrono::Utc::now().timestamp();
    for (id, lang, dong) in [(1, "ko", "sinchon"), (2, "en", "sinchon"), (3, "ko", "yeonhui"), (4, "ko", "sinchon")] {
        world.store.touch_user(id, Some(lang), now).await.unwrap();
        world.store.subscribe(id, "dong", dong, now).await.unwrap();
    }
    world.store.mark_blocked(4, "403 Forbidden: bot was blocked by the user", now).await.unwrap();
    let cycle = world.cycle_id().await;
    let meeting = world
        .store
        .create_meeting(
            cycle,
            &first_meeting(now + 48 * HOUR),
            Some(OFFICIAL as i64),
            |m| news(m, "scheduled", vec![Follow::Dong(m.area_key.clone())]),
            now,
        )
        .await
        .unwrap();
    assert_eq!((meeting.stage, meeting.sequence, meeting.cancelled_at), (Stage::First, 0, None));
    assert_eq!(
        world.store.outbox_for(1).await.unwrap(),
        [("queued".into(), format!("회의 #{} scheduled (순번 0)", meeting.id))]
    );
    assert_eq!(
        world.store.outbox_for(2).await.unwrap(),
        [("queued".into(), format!("Meeting #{} scheduled (sequence 0)", meeting.id))]
    );
    assert!(world.store.outbox_for(3).await.unwrap().is_empty(), "another dong's follower");
    assert!(world.store.outbox_for(4).await.unwrap().is_empty(), "blocked the bot");
    assert_eq!(world.store.upcoming_meetings(now, 10).await.unwrap(), std::slice::from_ref(&meeting));

    // Answers: the latest counts; a full meeting refuses one more "going".
    let id = meeting.id;
    assert_eq!(world.store.rsvp(id, 1, true, now).await.unwrap(), RsvpOutcome::Recorded);
    assert_eq!(world.store.rsvp(id, 2, true, now).await.unwrap(), RsvpOutcome::Recorded);
    assert_eq!(world.store.rsvp(id, 3, true, now).await.unwrap(), RsvpOutcome::Full);
    assert_eq!(world.store.rsvp(id, 3, false, now).await.unwrap(), RsvpOutcome::Recorded);
    assert_eq!(world.store.rsvp(id, 1, true, now).await.unwrap(), RsvpOutcome::Recorded, "answering again is fine");
    assert_eq!(world.store.rsvp_counts(id).await.unwrap(), (2, 1));
    assert_eq!(world.store.rsvp(999, 1, true, now).await.unwrap(), RsvpOutcome::NotFound);
    assert_eq!(world.store.rsvp(id, 1, true, now + 48 * HOUR).await.unwrap(), RsvpOutcome::Past);

    // A move is told to the dong's followers and to who is going, once each; sequence goes up.
    world.store.touch_user(5, Some("en"), now).await.unwrap();
    assert_eq!(world.store.rsvp(id, 2, false, now).await.unwrap(), RsvpOutcome::Recorded);
    assert_eq!(world.store.rsvp(id, 5, true, now).await.unwrap(), RsvpOutcome::Recorded);
    let moved = world
        .store
        .move_meeting(
            id,
            0,
            (now + 72 * HOUR, now + 74 * HOUR),
            Some(OFFICIAL as i64),
            |_, after| news(after, "moved", vec![Follow::Dong(after.area_key.clone()), Follow::Going(after.id)]),
            now,
        )
        .await
        .unwrap();
    let ChangeOutcome::Changed(before, after) = moved else { panic!("{moved:?}") };
    assert_eq!((before.sequence, after.sequence, after.starts_at), (0, 1, now + 72 * HOUR));
    assert_eq!(
        world.store.outbox_for(5).await.unwrap(),
        [("queued".into(), format!("Meeting #{id} moved (sequence 1)"))]
    );
    assert_eq!(world.store.outbox_for(1).await.unwrap().len(), 2, "a follower who is also going is told once");
    assert_eq!(world.store.outbox_for(3).await.unwrap().len(), 0, "not going, and follows another dong");

    // Cancelled: told, answers refused, never twice, and it can no longer be moved.
    let cancelled = world
        .store
        .cancel_meeting(
            id,
            0,
            Some(OFFICIAL as i64),
            |_, after| news(after, "cancelled", vec![Follow::Going(after.id)]),
            now,
        )
        .await
        .unwrap();
    assert_eq!(cancelled, ChangeOutcome::Stale, "the official saw version 0; it is at 1 since the move");
    assert_eq!(world.store.outbox_for(5).await.unwrap().len(), 1, "a stale cancellation tells no one");
    let cancelled = world
        .store
        .cancel_meeting(
            id,
            1,
            Some(OFFICIAL as i64),
            |_, after| news(after, "cancelled", vec![Follow::Going(after.id)]),
            now,
        )
        .await
        .unwrap();
    assert!(
        matches!(cancelled, ChangeOutcome::Changed(_, ref after) if after.sequence == 2 && after.cancelled_at == Some(now))
    );
    assert_eq!(world.store.rsvp(id, 3, true, now).await.unwrap(), RsvpOutcome::Cancelled);
    let again =
        world.store.cancel_meeting(id, 2, None, |_, after| news(after, "cancelled", vec![]), now).await.unwrap();
    assert_eq!(again, ChangeOutcome::AlreadyCancelled);
    let moved = world
        .store
        .move_meeting(id, 2, (now + HOUR, now + 2 * HOUR), None, |_, after| news(after, "moved", vec![]), now)
        .await
        .unwrap();
    assert_eq!(moved, ChangeOutcome::AlreadyCancelled);
    assert_eq!(
        world.store.cancel_meeting(999, 0, None, |_, a| news(a, "x", vec![]), now).await.unwrap(),
        ChangeOutcome::NotFound
    );
    assert!(world.store.upcoming_meetings(now, 10).await.unwrap().is_empty());

    let audit: Vec<String> = world.store.audit_log().await.unwrap().into_iter().map(|e| e.action).collect();
    assert_eq!(audit.iter().filter(|a| a.starts_with("meeting.")).count(), 3, "{audit:?}");

    // Forgetting a resident takes their answers with them.
    world.store.forget_user(5, now).await.unwrap();
    assert_eq!(world.store.rsvp_counts(id).await.unwrap(), (1, 2));
}

#[tokio::test]
async fn officials_import_a_schedule_and_each_follower_is_told_in_their_language() {
    // The command line opens this year's cycle (the district file names none).
    let this_year = chrono::Datelike::year(&chrono::Utc::now().with_timezone(&chrono_tz::Asia::Seoul));
    let world = World::with_config(|c| c.cycle_year = this_year).await;
    let now = chrono::Utc::now().timestamp();
    for (id, lang, kind, target) in [
        (1, "ko", "dong", "sinchon"),
        (2, "en", "dong", "sinchon"),
        (3, "ko", "dong", "yeonhui"),
        (4, "en", "district", "all"),
    ] {
        world.store.touch_user(id, Some(lang), now).await.unwrap();
        world.store.subscribe(id, kind, target, now).await.unwrap();
    }
    let next_year = this_year + 1;
    let file = world.db.dir.path().join("schedule.csv");
    std::fs::write(
        &file,
        format!(
            "동,단계,시작,종료,장소,장소(영문),안내,정원\r\n\
             신촌동,first,{next_year}-03-03 19:00,21:00,\"신촌동 주민센터 3층, 대회의실\",\"Sinchon-dong community centre, 3rd floor\",,80\r\n\
             District-wide,forum,{next_year}-03-20 14:00,17:00,서대문구청 대회의실,,누구나 참석할 수 있어요\r\n"
        ),
    )
    .unwrap();
    let output = cli(&world.db).args(["admin", "meetings", "import"]).arg(&file).output().unwrap();
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let said = String::from_utf8_lossy(&output.stdout);
    // Sinchon: 2 followers; the forum: everyone following the district or any dong (4).
    assert!(said.starts_with("Scheduled 2 meetings from "), "{said}");
    assert!(said.contains("queued 6 announcements"), "{said}");

    let kim = world.store.outbox_for(1).await.unwrap();
    assert_eq!(kim.len(), 2);
    assert_eq!(
        kim[0].1,
        format!(
            "📅 신촌동 1차 동 지역회의 일정을 알려 드려요.\n일시: {next_year}년 3월 3일 ({}) 19:00 ~ {next_year}년 3월 3일 ({}) 21:00\n장소: 신촌동 주민센터 3층, 대회의실\n정원: 80명",
            weekday_ko(next_year, 3, 3),
            weekday_ko(next_year, 3, 3)
        )
    );
    let alex = world.store.outbox_for(2).await.unwrap();
    assert!(alex[0].1.starts_with("📅 Sinchon-dong: the first dong meeting is scheduled."), "{}", alex[0].1);
    assert!(alex[0].1.contains("Where: Sinchon-dong community centre, 3rd floor"), "{}", alex[0].1);
    assert!(alex[1].1.contains("Where: 서대문구청 대회의실\nNote: 누구나 참석할 수 있어요"), "{}", alex[1].1);
    assert_eq!(world.store.outbox_for(3).await.unwrap().len(), 1, "the forum only");
    assert_eq!(world.store.outbox_for(4).await.unwrap().len(), 1, "the forum only");
    assert_eq!(world.store.upcoming_meetings(now, 10).await.unwrap().len(), 2);

    // A file with a problem schedules nothing and says where.
    std::fs::write(
        &file,
        format!("신촌동,second,{next_year}-03-03 19:00,18:00,주민센터\n홍대동,first,내일,21:00,주민센터\n"),
    )
    .unwrap();
    let output = cli(&world.db).args(["admin", "meetings", "import"]).arg(&file).output().unwrap();
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("line 1: the meeting ends before it starts"), "{stderr}");
    assert!(stderr.contains("line 2: unknown area `홍대동`"), "{stderr}");
    assert!(stderr.contains("2 problem(s); nothing was scheduled"), "{stderr}");
    assert_eq!(world.store.upcoming_meetings(now, 10).await.unwrap().len(), 2);
}

fn weekday_ko(year: i32, month: u32, day: u32) -> &'static str {
    use chrono::Datelike;
    const DAYS: [&str; 7] = ["월", "화", "수", "목", "금", "토", "일"];
    DAYS[chrono::NaiveDate::from_ymd_opt(year, month, day).unwrap().weekday().num_days_from_monday() as usize]
}

#[tokio::test]
async fn a_resident_lists_meetings_answers_and_takes_the_calendar_file() {
    let world = World::new().await;
    let now = chrono::Utc::now().timestamp();
    let kim = user(KIM, "ko");
    let mut bot = world.bot(text(&kim, "/meetings"));
    bot.dispatch().await;
    assert_eq!(
        last_text(&bot),
        "지금은 예정된 구 전체 회의가 없어요. /subscribe 에서 우리 동을 구독하면 동 회의 일정도 알려 드려요."
    );

    world.store.subscribe(KIM as i64, "dong", "sinchon", now).await.unwrap();
    let cycle = world.cycle_id().await;
    let mut yeonhui = first_meeting(now + 30 * HOUR);
    yeonhui.area_key = "yeonhui".into();
    let empty = |_: &Meeting| Pushes { default_lang: "ko", ..Pushes::default() };
    let other = world.store.create_meeting(cycle, &yeonhui, None, empty, now).await.unwrap();
    let mine = world.store.create_meeting(cycle, &first_meeting(now + 48 * HOUR), None, empty, now).await.unwrap();
    bot.update(text(&kim, "/meetings"));
    bot.dispatch().await;
    let list = last_sent(&bot);
    let labels: Vec<String> = buttons(&list).into_iter().map(|(label, _)| label).collect();
    assert_eq!(labels.len(), 1, "another dong's meeting is not listed: {labels:?}");
    assert!(labels[0].starts_with("신촌동 · 1차 동 지역회의 · "), "{labels:?}");

    bot.update(press(&kim, &list, &format!("mv:{}", mine.id)));
    bot.dispatch().await;
    let card = last_sent(&bot);
    assert!(
        card.text().unwrap().starts_with("📅 신촌동 1차 동 지역회의 일정을 알려 드려요."),
        "{}",
        card.text().unwrap()
    );
    assert!(card.text().unwrap().ends_with("참석 예정 0명 · 내 응답: 아직 없음"));
    bot.update(press(&kim, &card, &button_data(&card, "✅ 참석할게요")));
    bot.dispatch().await;
    assert_eq!(
        notices(&bot),
        ["참석으로 알려 드렸어요. 시작 전에 다시 알려 드리고, 일정이 바뀌면 바로 알려 드릴게요."]
    );
    assert!(edited(&bot).last().unwrap().ends_with("참석 예정 1명 · 내 응답: 참석"), "{:?}", edited(&bot));
    assert_eq!(world.store.my_rsvp(mine.id, KIM as i64).await.unwrap(), Some(true));

    bot.update(press(&kim, &card, &button_data(&card, "📅 캘린더에 추가")));
    bot.dispatch().await;
    let documents = bot.get_responses().sent_messages_document;
    let sent = documents.last().expect("a calendar file");
    assert_eq!(sent.message.caption(), Some("이 파일을 열면 휴대폰 캘린더에 회의 일정이 추가돼요."));
    assert_eq!(
        sent.message.document().and_then(|d| d.file_name.as_deref()),
        Some(format!("meeting-{}.ics", mine.id).as_str())
    );

    // Another dong's meeting offers to follow that dong; once followed, the card drops the offer.
    bot.update(press(&kim, &list, &format!("mv:{}", other.id)));
    bot.dispatch().await;
    let other_card = last_sent(&bot);
    assert!(buttons(&card).iter().all(|(label, _)| !label.starts_with("🔔")), "Kim follows Sinchon-dong already");
    bot.update(press(&kim, &other_card, &button_data(&other_card, "🔔 연희동 소식 받기")));
    bot.dispatch().await;
    assert_eq!(notices(&bot), ["이제 연희동 소식을 보내 드릴게요."]);
    let updated = bot.get_responses().edited_messages_text.last().cloned().unwrap().message;
    assert!(buttons(&updated).iter().all(|(label, _)| !label.starts_with("🔔")), "{:?}", buttons(&updated));
    assert!(world.store.subscriptions(KIM as i64).await.unwrap().contains(&("dong".into(), "yeonhui".into())));

    // Answers to a cancelled meeting, or to one that never was, are refused.
    world.store.cancel_meeting(mine.id, 0, None, no_notice, now).await.unwrap();
    bot.update(press(&kim, &card, &button_data(&card, "❌ 못 가요")));
    bot.dispatch().await;
    assert_eq!(notices(&bot), ["취소되었거나 없는 회의예요. /meetings 에서 다시 확인해 주세요."]);
    bot.update(press(&kim, &card, "mr:99999:1"));
    bot.dispatch().await;
    assert_eq!(notices(&bot), ["취소되었거나 없는 회의예요. /meetings 에서 다시 확인해 주세요."]);
    assert_eq!(world.store.my_rsvp(other.id, KIM as i64).await.unwrap(), None);
}

fn no_notice(_: &Meeting, _: &Meeting) -> Pushes {
    Pushes { default_lang: "ko", ..Pushes::default() }
}
