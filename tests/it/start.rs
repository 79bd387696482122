//! `/start`, `/help`, `/lang`, unknown input, and chats that are not private.

use teloxide_tests::{MockGroupChat, MockMessageText};

use crate::helpers::*;

#[tokio::test]
async fn start_speaks_korean_to_a_korean_app_and_english_to_an_english_one() {
    let world = World::new().await;
    let kim = user(KIM, "ko");
    let mut bot = world.bot(text(&kim, "/start"));
    bot.dispatch().await;
    let reply = last_text(&bot);
    assert!(reply.contains("서대문구 주민참여예산 안내 봇이에요"), "{reply}");
    assert!(reply.contains("구 예산의 1%인 78억 원"), "{reply}");
    assert!(reply.contains("2027년 주민참여예산은 지금 「사업 제안 접수」 단계예요"), "{reply}");

    let alex = user(ALEX, "en-GB");
    bot.update(text(&alex, "/start"));
    bot.dispatch().await;
    let reply = last_text(&bot);
    assert!(reply.contains("participatory budgeting (PB) bot of Seodaemun-gu"), "{reply}");
    assert!(reply.contains("1% of the district budget — ₩7,800,000,000"), "{reply}");
    assert!(reply.contains("in the phase “proposals”"), "{reply}");
}

#[tokio::test]
async fn other_app_languages_get_the_districts_default() {
    let world = World::new().await;
    let mut bot = world.bot(text(&user(100_003, "de"), "/help"));
    bot.dispatch().await;
    assert!(last_text(&bot).starts_with("이런 일을 할 수 있어요."), "{}", last_text(&bot));
}

#[tokio::test]
async fn lang_switches_and_is_remembered_over_the_apps_language() {
    let world = World::new().await;
    let kim = user(KIM, "ko");
    let mut bot = world.bot(text(&kim, "/lang"));
    bot.dispatch().await;
    let chooser = last_sent(&bot);
    assert_eq!(buttons(&chooser).iter().map(|(l, _)| l.as_str()).collect::<Vec<_>>(), ["한국어", "English"]);

    bot.update(press(&kim, &chooser, &button_data(&chooser, "English")));
    bot.dispatch().await;
    assert_eq!(edited(&bot), ["Done — I'll speak English from now on."]);

    bot.update(text(&kim, "/help"));
    bot.dispatch().await;
    let help = last_text(&bot);
    assert!(help.starts_with("What you can do here:"), "{help}");
    assert!(help.contains("/propose — Propose a project"), "{help}");
    assert!(!help.contains("/admin"), "residents are not shown the officials' menu: {help}");
}

#[tokio::test]
async fn unknown_commands_and_stray_text_get_a_pointer_to_help() {
    let world = World::new().await;
    let alex = user(ALEX, "en");
    let mut bot = world.bot(text(&alex, "/teleport"));
    bot.dispatch().await;
    assert_eq!(last_text(&bot), "I don't know that command. Type /help for the list of commands.");

    bot.update(text(&alex, "hello?"));
    bot.dispatch().await;
    assert_eq!(last_text(&bot), "I didn't catch that. Type /help to see what I can do.");

    bot.update(sticker(&alex));
    bot.dispatch().await;
    assert_eq!(last_text(&bot), "I didn't catch that. Type /help to see what I can do.");
}

#[tokio::test]
async fn in_a_group_the_bot_only_points_to_a_private_chat() {
    let world = World::new().await;
    let group = MockGroupChat::new().build();
    let message = MockMessageText::new().text("/propose").from(user(KIM, "ko")).chat(group);
    let mut bot = world.bot(message);
    bot.dispatch().await;
    let reply = last_text(&bot);
    assert!(reply.starts_with("제안과 투표 내용은 소중한 개인 정보라서 1:1 대화에서만"), "{reply}");
    assert!(world.store.dialogue(KIM as i64).await.unwrap().is_none(), "no dialogue starts in a group");
}

#[tokio::test]
async fn forged_button_payloads_are_refused_politely() {
    let world = World::new().await;
    let alex = user(ALEX, "en");
    let mut bot = world.bot(press_detached(&alex, "pv:1; DROP TABLE proposals"));
    bot.dispatch().await;
    assert_eq!(notices(&bot), ["This button isn't valid. Please use the buttons of the bot's latest message."]);
    assert!(sent(&bot).is_empty());
}
