//! Following news (`/subscribe`, follow buttons on proposal cards, `/mydata`) and officials'
//! announcements: preview, recipients, a double tap, delivery figures, and the news a review
//! queues for a dong's followers.

use pb_bot::store::Follow;

use crate::helpers::*;

#[tokio::test]
async fn a_resident_chooses_what_to_follow_and_mydata_lists_it() {
    let world = World::new().await;
    let alex = user(ALEX, "en");
    let mut bot = world.bot(text(&alex, "/subscribe"));
    bot.dispatch().await;
    let menu = last_sent(&bot);
    assert!(menu.text().unwrap().starts_with("What would you like news of?"), "{}", menu.text().unwrap());
    assert!(
        menu.text()
            .unwrap()
            .ends_with("Projects: none yet. Open a proposal (/proposals) and tap 🔔 Follow to get its news.")
    );
    let labels: Vec<String> = buttons(&menu).into_iter().map(|(label, _)| label).collect();
    assert_eq!(labels.len(), 15, "district announcements and 14 dongs: {labels:?}");
    assert_eq!(labels[0], "district announcements");

    bot.update(press(&alex, &menu, &button_data(&menu, "Sinchon-dong")));
    bot.dispatch().await;
    assert_eq!(notices(&bot), ["You now follow Sinchon-dong."]);
    let edited = bot.get_responses().edited_messages_text.last().cloned().unwrap();
    let menu = edited.message;
    assert!(buttons(&menu).iter().any(|(label, _)| label == "✅ Sinchon-dong"), "{:?}", buttons(&menu));
    bot.update(press(&alex, &menu, &button_data(&menu, "district announcements")));
    bot.dispatch().await;
    assert_eq!(
        world.store.subscriptions(ALEX as i64).await.unwrap(),
        [("district".to_owned(), "all".to_owned()), ("dong".to_owned(), "sinchon".to_owned())]
    );

    // A stale menu pressed again does not flip a choice back.
    let follow_sinchon = "fw:d:sinchon:1";
    bot.update(press(&alex, &menu, follow_sinchon));
    bot.dispatch().await;
    assert!(world.store.subscriptions(ALEX as i64).await.unwrap().contains(&("dong".into(), "sinchon".into())));
    // Forged targets are refused.
    for forged in ["fw:d:nowhere:1", "fw:a:sinchon:1", "fp:999:1"] {
        bot.update(press(&alex, &menu, forged));
        bot.dispatch().await;
        assert_eq!(notices(&bot), ["This button is out of date. Please use the latest message."], "{forged}");
    }

    // A project is followed from its card; the card shows it.
    let id = world.seed(KIM, "sinchon", "벤치 설치", 1_000_000).await;
    bot.update(text(&alex, &format!("/proposal {id}")));
    bot.dispatch().await;
    let card = last_sent(&bot);
    bot.update(press(&alex, &card, &button_data(&card, "🔔 Follow")));
    bot.dispatch().await;
    assert_eq!(notices(&bot), [format!("You now follow #{id}.")]);
    let card = bot.get_responses().edited_messages_text.last().cloned().unwrap().message;
    assert_eq!(button_data(&card, "🔕 Stop following"), format!("fp:{id}:0"));

    bot.update(text(&alex, "/mydata"));
    bot.dispatch().await;
    assert!(
        last_text(&bot).contains(&format!("News you follow: district announcements, Sinchon-dong, #{id}")),
        "{}",
        last_text(&bot)
    );
    bot.update(text(&alex, "/subscribe"));
    bot.dispatch().await;
    assert!(last_text(&bot).contains(&format!("Projects you follow: #{id}.")), "{}", last_text(&bot));
}

#[tokio::test]
async fn an_eligible_proposal_is_news_for_its_dongs_followers_but_not_for_its_proposer() {
    let world = World::new().await;
    let now = chrono::Utc::now().timestamp();
    for (id, lang) in [(KIM, "ko"), (ALEX, "en"), (300_003, "ko")] {
        world.store.touch_user(id as i64, Some(lang), now).await.unwrap();
    }
    world.store.subscribe(ALEX as i64, "dong", "sinchon", now).await.unwrap();
    world.store.subscribe(300_003, "dong", "yeonhui", now).await.unwrap();
    // The proposer follows their own project from the moment they submit it.
    let id = world.seed(KIM, "sinchon", "벤치 설치", 1_000_000).await;
    world.store.subscribe(KIM as i64, "dong", "sinchon", now).await.unwrap();
    assert!(world.store.subscriptions(KIM as i64).await.unwrap().contains(&("project".into(), id.to_string())));

    let official = user(OFFICIAL, "ko");
    let mut bot = world.bot(text(&official, "/admin"));
    bot.dispatch().await;
    let menu = last_sent(&bot);
    bot.update(press(&official, &menu, &button_data(&menu, "제안 검토 (1건 대기)")));
    bot.dispatch().await;
    let card = last_sent(&bot);
    bot.update(press(&official, &card, &button_data(&card, "✅ 적격")));
    bot.dispatch().await;
    bot.update(text(&official, "90만"));
    bot.dispatch().await;

    assert_eq!(
        world.store.outbox_for(ALEX as i64).await.unwrap(),
        [(
            "queued".to_owned(),
            format!(
                "New in Sinchon-dong: proposal #{id} “벤치 설치” passed the department review with a cost of ₩900,000 and goes to the residents' vote."
            )
        )]
    );
    assert!(world.store.outbox_for(300_003).await.unwrap().is_empty(), "another dong's follower");
    let to_kim = world.store.outbox_for(KIM as i64).await.unwrap();
    assert_eq!(to_kim.len(), 1, "the proposer gets their own notice only: {to_kim:?}");
    assert!(to_kim[0].1.starts_with("제안하신 #1 「벤치 설치」 사업이 부서 검토 결과 적격"), "{to_kim:?}");
    let reports = world.store.recent_broadcasts(5).await.unwrap();
    assert_eq!((reports[0].kind.as_str(), reports[0].recipients), ("proposal-eligible", 1));
}

#[tokio::test]
async fn an_official_previews_an_announcement_and_sends_it_once() {
    let world = World::new().await;
    let now = chrono::Utc::now().timestamp();
    for (id, lang, dong) in [(KIM, "ko", "sinchon"), (ALEX, "en", "sinchon"), (300_003, "ko", "yeonhui")] {
        world.store.touch_user(id as i64, Some(lang), now).await.unwrap();
        world.store.subscribe(id as i64, "dong", dong, now).await.unwrap();
    }
    let official = user(OFFICIAL, "ko");
    let mut bot = world.bot(text(&official, "/admin"));
    bot.dispatch().await;
    let menu = last_sent(&bot);
    bot.update(press(&official, &menu, &button_data(&menu, "📣 공지 보내기")));
    bot.dispatch().await;
    let areas = bot.get_responses().edited_messages_text.last().cloned().unwrap().message;
    bot.update(press(&official, &areas, &button_data(&areas, "신촌동")));
    bot.dispatch().await;
    assert!(last_text(&bot).starts_with("신촌동 공지 내용을 한국어로 입력해 주세요(최대 3500자)."));

    bot.update(text(&official, &"가".repeat(3501)));
    bot.dispatch().await;
    assert_eq!(last_text(&bot), "입력하신 내용이 3501자예요. 공지는 3500자까지 보낼 수 있으니 줄여 주세요.");
    bot.update(text(&official, "12월 3일 신촌동 주민센터에서 1차 동 회의가 열립니다."));
    bot.dispatch().await;
    let preview = last_sent(&bot);
    assert!(
        preview.text().unwrap().starts_with("미리보기 — 신촌동 공지, 현재 구독자 2명에게 발송돼요."),
        "{}",
        preview.text().unwrap()
    );
    assert!(preview.text().unwrap().contains("(영어 번역 없음: 영어 사용자에게도 한국어 원문이 발송돼요.)"));
    bot.update(press(&official, &preview, &button_data(&preview, "영어 번역 추가")));
    bot.dispatch().await;
    bot.update(text(&official, "The first Sinchon-dong meeting is on 3 December at the community centre."));
    bot.dispatch().await;
    let preview = last_sent(&bot);
    assert!(preview.text().unwrap().contains("— English —\n📣 Sinchon-dong — announcement\n\nThe first"));

    // A resident cannot press an official's button.
    let kim = user(KIM, "ko");
    bot.update(press(&kim, &preview, "ad:as"));
    bot.dispatch().await;
    assert_eq!(notices(&bot), ["구청 담당 공무원만 사용할 수 있는 기능이에요."]);

    bot.update(press(&official, &preview, &button_data(&preview, "📣 2명에게 보내기")));
    bot.dispatch().await;
    let done = bot.get_responses().edited_messages_text.last().cloned().unwrap().message;
    assert!(done.text().unwrap().starts_with("#1 공지를 2명에게 보내고 있어요."), "{}", done.text().unwrap());
    // A second tap sends nothing more.
    bot.update(press(&official, &preview, &button_data(&preview, "📣 2명에게 보내기")));
    bot.dispatch().await;
    assert_eq!(notices(&bot), ["이미 발송했거나 취소한 공지예요."]);

    assert_eq!(
        world.store.outbox_for(KIM as i64).await.unwrap(),
        [("queued".to_owned(), "📣 신촌동 공지\n\n12월 3일 신촌동 주민센터에서 1차 동 회의가 열립니다.".to_owned())]
    );
    assert_eq!(
        world.store.outbox_for(ALEX as i64).await.unwrap(),
        [(
            "queued".to_owned(),
            "📣 Sinchon-dong — announcement\n\nThe first Sinchon-dong meeting is on 3 December at the community centre."
                .to_owned()
        )]
    );
    assert!(world.store.outbox_for(300_003).await.unwrap().is_empty());
    let audit = world.store.audit_log().await.unwrap();
    assert_eq!(audit.iter().filter(|e| e.action == "broadcast.announce").count(), 1);

    bot.update(press(&official, &done, &button_data(&done, "📊 발송 현황")));
    bot.dispatch().await;
    let report = bot.get_responses().edited_messages_text.last().cloned().unwrap().message;
    let text = report.text().unwrap();
    assert!(text.contains("#1 공지 · 신촌동 · "), "{text}");
    assert!(text.contains("대상 2명: 발송 0 · 대기 2 · 실패 0 · 차단 0"), "{text}");
}

#[tokio::test]
async fn a_district_wide_announcement_reaches_every_follower_once() {
    let world = World::new().await;
    let now = chrono::Utc::now().timestamp();
    for (id, kind, target) in [
        (1, "dong", "sinchon"),
        (1, "district", "all"),
        (2, "dong", "yeonhui"),
        (3, "district", "all"),
        (4, "project", "1"),
    ] {
        world.store.touch_user(id, Some("ko"), now).await.unwrap();
        world.store.subscribe(id, kind, target, now).await.unwrap();
    }
    let audience = [Follow::District, Follow::AnyDong];
    assert_eq!(world.store.audience_size(&audience, None).await.unwrap(), 3);
    let district = pb_bot::store::Broadcast {
        kind: "announcement".into(),
        subject: Some("all".into()),
        text_ko: "구 전체 공지".into(),
        text_en: "District news".into(),
        markup_ko: None,
        markup_en: None,
        audience: audience.to_vec(),
        exclude: None,
        created_by: Some(OFFICIAL as i64),
        photos: None,
    };
    let (_, recipients) = world.store.announce(&district, "ko", None, now).await.unwrap().unwrap();
    assert_eq!(recipients, 3);
    for (id, expected) in [(1, 1), (2, 1), (3, 1), (4, 0)] {
        assert_eq!(world.store.outbox_for(id).await.unwrap().len(), expected, "user {id}");
    }
}
