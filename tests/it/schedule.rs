//! Officials schedule, move and cancel meetings from `/admin`: typos refused with the forms
//! that work, a preview before anything is announced, a button acting once, and every change
//! told to the dong's followers and to residents going, each in their language.

use crate::helpers::*;

/// `days` from now at 19:00 in Seoul, as typed: `2026-12-03 19:00`.
fn evening(days: u64) -> String {
    let day = (chrono::Utc::now().with_timezone(&chrono_tz::Asia::Seoul) + chrono::Days::new(days)).date_naive();
    format!("{day} 19:00")
}

#[tokio::test]
async fn an_official_schedules_moves_and_cancels_a_meeting_and_followers_hear_each_change() {
    let world = World::new().await;
    let now = chrono::Utc::now().timestamp();
    for (id, lang) in [(KIM, "ko"), (ALEX, "en")] {
        world.store.touch_user(id as i64, Some(lang), now).await.unwrap();
        world.store.subscribe(id as i64, "dong", "sinchon", now).await.unwrap();
    }
    let official = user(OFFICIAL, "ko");
    let mut bot = world.bot(text(&official, "/admin"));
    bot.dispatch().await;
    let menu = last_sent(&bot);
    bot.update(press(&official, &menu, &button_data(&menu, "🗓 회의")));
    bot.dispatch().await;
    let list = bot.get_responses().edited_messages_text.last().cloned().unwrap().message;
    assert!(list.text().unwrap().starts_with("🗓 2027년 회의 0건이에요."), "{:?}", list.text());
    bot.update(press(&official, &list, &button_data(&list, "➕ 회의 일정 등록")));
    bot.dispatch().await;
    let areas = bot.get_responses().edited_messages_text.last().cloned().unwrap().message;
    // The district offers only district-wide stages.
    bot.update(press(&official, &areas, &button_data(&areas, "서대문구 전체")));
    bot.dispatch().await;
    let stages = bot.get_responses().edited_messages_text.last().cloned().unwrap().message;
    let labels: Vec<String> = buttons(&stages).into_iter().map(|(l, _)| l).collect();
    assert_eq!(labels, ["참여예산위원회 회의", "민관 토론회", "⬅ 회의 목록"]);
    bot.update(press(&official, &areas, "ad:ms:district:first"));
    bot.dispatch().await;
    assert_eq!(notices(&bot), ["지난 메시지의 버튼이에요. 가장 최근 메시지에서 다시 눌러 주세요."]);
    bot.update(press(&official, &areas, &button_data(&areas, "신촌동")));
    bot.dispatch().await;
    let stages = bot.get_responses().edited_messages_text.last().cloned().unwrap().message;
    bot.update(press(&official, &stages, &button_data(&stages, "1차 동 지역회의")));
    bot.dispatch().await;
    assert!(last_text(&bot).starts_with("언제 열리나요?"));

    // Typed times: each mistake gets its own answer.
    for (typed, answer) in [
        ("다음 주 목요일", "시작 시각을 읽지 못했어요."),
        (evening(3).as_str(), "끝나는 시각을 읽지 못했어요."),
        ("2/30 19:00 ~ 21:00", "없는 날짜나 시각이에요"),
        ("2020-01-01 19:00 ~ 21:00", "이미 지난 시각이에요."),
        (&format!("{} ~ 18:00", evening(3)), "끝나는 시각이 시작보다 늦어야 해요."),
        (&format!("{} ~ {}", evening(3), evening(4)), "회의는 최대 12시간까지"),
    ] {
        bot.update(text(&official, typed));
        bot.dispatch().await;
        assert!(last_text(&bot).starts_with(answer), "{typed:?} → {}", last_text(&bot));
    }
    bot.update(text(&official, &format!("{} ~ 21:00", evening(3))));
    bot.dispatch().await;
    assert!(last_text(&bot).starts_with("어디에서 열리나요?"));
    bot.update(text(&official, &"가".repeat(201)));
    bot.dispatch().await;
    assert_eq!(last_text(&bot), "장소 이름은 각각 1~200자로 적어 주세요.");
    bot.update(text(&official, "신촌동 주민센터 3층 / Sinchon-dong Community Centre 3F"));
    bot.dispatch().await;
    bot.update(text(&official, "주차 공간이 없어요. 대중교통을 이용해 주세요."));
    bot.dispatch().await;
    let ask_capacity = last_sent(&bot);
    bot.update(text(&official, "많이"));
    bot.dispatch().await;
    assert_eq!(last_text(&bot), "1~10000 사이의 인원수를 적거나 건너뛰세요.");
    bot.update(text(&official, "80명"));
    bot.dispatch().await;
    let preview = last_sent(&bot);
    assert!(preview.text().unwrap().starts_with("회의 내용을 확인해 주세요. 구독자 2명에게"), "{:?}", preview.text());
    assert!(preview.text().unwrap().ends_with("정원: 80명\n안내: 주차 공간이 없어요. 대중교통을 이용해 주세요."));
    assert!(world.store.outbox_for(KIM as i64).await.unwrap().is_empty(), "nothing is announced before saving");
    bot.update(press(&official, &ask_capacity, &button_data(&ask_capacity, "건너뛰기")));
    bot.dispatch().await;
    assert_eq!(
        notices(&bot),
        ["지난 메시지의 버튼이에요. 가장 최근 메시지에서 다시 눌러 주세요."],
        "a skip from an earlier step"
    );

    bot.update(press(&official, &preview, &button_data(&preview, "📣 등록하고 알리기")));
    bot.dispatch().await;
    let saved = bot.get_responses().edited_messages_text.last().cloned().unwrap().message;
    let id = world.store.upcoming_meetings(now, 10).await.unwrap()[0].id;
    assert_eq!(saved.text().unwrap(), format!("회의(#{id})를 등록했어요. 구독자 2명에게 안내를 보내고 있어요."));
    bot.update(press(&official, &preview, &button_data(&preview, "📣 등록하고 알리기")));
    bot.dispatch().await;
    assert_eq!(notices(&bot), ["이 작성 화면은 이미 닫혔어요. /admin 에서 다시 시작해 주세요."]);
    assert_eq!(world.store.upcoming_meetings(now, 10).await.unwrap().len(), 1, "saved once");
    let kim = world.store.outbox_for(KIM as i64).await.unwrap();
    assert!(kim[0].1.starts_with("📅 신촌동 1차 동 지역회의 일정을 알려 드려요."), "{kim:?}");
    let alex = world.store.outbox_for(ALEX as i64).await.unwrap();
    assert!(alex[0].1.starts_with("📅 Sinchon-dong: the first dong meeting is scheduled."), "{alex:?}");

    // Moved: followers and a resident going who follows nothing are told.
    const LEE: i64 = 100_077;
    world.store.touch_user(LEE, Some("ko"), now).await.unwrap();
    world.store.rsvp(id, LEE, true, now).await.unwrap();
    bot.update(press(&official, &saved, &format!("ad:mv:{id}")));
    bot.dispatch().await;
    let card = bot.get_responses().edited_messages_text.last().cloned().unwrap().message;
    assert!(card.text().unwrap().contains("참석 1명 · 불참 0명 · 출석 확인 0명"), "{:?}", card.text());
    let stale_move = button_data(&card, "🕒 일정 변경");
    bot.update(press(&official, &card, &stale_move));
    bot.dispatch().await;
    bot.update(text(&official, &format!("{} ~ 21:30", evening(5))));
    bot.dispatch().await;
    let confirm = last_sent(&bot);
    assert!(confirm.text().unwrap().contains("참석 예정 주민 1명에게 알려 드려요."), "{:?}", confirm.text());
    bot.update(press(&official, &confirm, &button_data(&confirm, "🕒 변경하고 알리기")));
    bot.dispatch().await;
    assert_eq!(
        bot.get_responses().edited_messages_text.last().unwrap().message.text().unwrap(),
        format!("회의(#{id}) 일정을 바꿨어요. 변경 안내를 보내고 있어요.")
    );
    let lee = world.store.outbox_for(LEE).await.unwrap();
    assert_eq!(lee.len(), 1);
    assert!(lee[0].1.starts_with("🕒 신촌동 1차 동 지역회의 일정이 바뀌었어요."), "{lee:?}");
    assert!(lee[0].1.contains("변경 후: ") && lee[0].1.contains("21:30"), "{lee:?}");
    assert!(
        world.store.outbox_for(ALEX as i64).await.unwrap()[1]
            .1
            .starts_with("🕒 Sinchon-dong: the first dong meeting has moved.")
    );

    // The old card's buttons are stale now: nothing changes, the official sees the meeting.
    bot.update(press(&official, &card, &button_data(&card, "❌ 회의 취소")));
    bot.dispatch().await;
    assert_eq!(notices(&bot), ["그사이 회의가 바뀌었어요(일정 변경 또는 취소). 지금 상태를 보여 드릴게요."]);
    let fresh = bot.get_responses().edited_messages_text.last().cloned().unwrap().message;

    // Cancelled, after a confirmation.
    bot.update(press(&official, &fresh, &button_data(&fresh, "❌ 회의 취소")));
    bot.dispatch().await;
    let confirm = bot.get_responses().edited_messages_text.last().cloned().unwrap().message;
    bot.update(press(&official, &confirm, &button_data(&confirm, "❌ 취소하고 알리기")));
    bot.dispatch().await;
    let lee = world.store.outbox_for(LEE).await.unwrap();
    assert!(lee[1].1.starts_with("❌ ") && lee[1].1.contains("취소되었어요"), "{lee:?}");
    bot.update(press(&official, &confirm, &button_data(&confirm, "❌ 취소하고 알리기")));
    bot.dispatch().await;
    assert_eq!(notices(&bot), ["그사이 회의가 바뀌었어요(일정 변경 또는 취소). 지금 상태를 보여 드릴게요."]);
    assert_eq!(world.store.outbox_for(LEE).await.unwrap().len(), 2, "cancelled once");

    // Residents cannot reach any of it.
    let kim = user(KIM, "ko");
    bot.update(press(&kim, &fresh, &format!("ad:mx:{id}:2")));
    bot.dispatch().await;
    assert_eq!(notices(&bot), ["구청 담당 공무원만 사용할 수 있는 기능이에요."]);
}
