//! `/propose`: the whole dialogue, every bad input, editing, limits, and a restart in the middle.

use pb_bot::domain::{Location, Phase, ProposalStatus, Won};
use teloxide::types::Message;

use crate::helpers::*;

/// Walks a resident from `/propose` to the summary (skipping photo and location) and returns the
/// summary message.
pub async fn walk_to_summary(
    bot: &mut Bot,
    who: &teloxide::types::User,
    area: &str,
    title: &str,
    cost: &str,
) -> Message {
    bot.update(text(who, "/propose"));
    bot.dispatch().await;
    let area_prompt = last_sent(bot);
    bot.update(press(who, &area_prompt, &button_data(&area_prompt, area)));
    bot.dispatch().await;
    for answer in [title, "주민 누구나 쓸 수 있는 공간이 필요합니다.", cost] {
        bot.update(text(who, answer));
        bot.dispatch().await;
    }
    for _ in 0..2 {
        let prompt = last_sent(bot);
        let skip = buttons(&prompt).into_iter().next().expect("a skip button").1;
        bot.update(press(who, &prompt, &skip));
        bot.dispatch().await;
    }
    last_sent(bot)
}

pub async fn submit(bot: &mut Bot, who: &teloxide::types::User, summary: &Message, label: &str) {
    bot.update(press(who, summary, &button_data(summary, label)));
    bot.dispatch().await;
}

#[tokio::test]
async fn a_resident_proposes_with_photo_and_location_in_korean() {
    let world = World::new().await;
    let kim = user(KIM, "ko");
    let mut bot = world.bot(text(&kim, "/propose"));
    bot.dispatch().await;
    let texts = sent(&bot);
    assert_eq!(texts[0], "여섯 단계로 간단히 제안서를 작성할게요. 언제든 /cancel 로 그만둘 수 있어요.");
    let area_prompt = last_sent(&bot);
    let labels: Vec<String> = buttons(&area_prompt).into_iter().map(|(l, _)| l).collect();
    assert_eq!(labels.len(), 15, "14 dongs and the district: {labels:?}");
    assert_eq!(labels[3], "신촌동");
    assert_eq!(labels[14], "서대문구 전체");

    bot.update(press(&kim, &area_prompt, &button_data(&area_prompt, "신촌동")));
    bot.dispatch().await;
    assert_eq!(edited(&bot), ["지역: 신촌동"]);
    assert!(last_text(&bot).starts_with("2/6 · 사업 이름을 알려 주세요."));

    bot.update(text(&kim, "  신촌 작은  도서관 "));
    bot.dispatch().await;
    assert!(last_text(&bot).starts_with("3/6"));
    bot.update(text(&kim, "골목 안 빈 공간에 작은 도서관을 만들어\n아이들과 어르신이 함께 쓰면 좋겠습니다."));
    bot.dispatch().await;
    assert!(last_text(&bot).contains("이 지역의 배정 예산은 3억 원이에요"), "{}", last_text(&bot));
    bot.update(text(&kim, "3백만 원"));
    bot.dispatch().await;
    assert!(last_text(&bot).starts_with("5/6"));
    bot.update(photo(&kim));
    bot.dispatch().await;
    assert!(last_text(&bot).starts_with("6/6"));
    bot.update(location(&kim, 37.5585, 126.9368));
    bot.dispatch().await;
    let summary = last_sent(&bot);
    let shown = summary.text().unwrap();
    assert!(
        shown.contains("지역: 신촌동\n사업명: 신촌 작은 도서관\n예상 사업비: 3,000,000원\n사진: 있음 · 위치: 있음"),
        "{shown}"
    );

    submit(&mut bot, &kim, &summary, "✅ 제출하기").await;
    let reply = last_text(&bot);
    assert!(reply.starts_with("제안해 주셔서 감사해요! 「신촌 작은 도서관」 제안이 1번으로 접수되었어요."), "{reply}");
    assert_eq!(edited(&bot).len(), 1, "the summary loses its buttons");
    assert!(bot.get_responses().edited_messages_text[0].bot_request.reply_markup.is_none());

    let stored = world.store.proposal(1).await.unwrap().unwrap();
    assert_eq!(stored.area_key, "sinchon");
    assert_eq!(stored.title, "신촌 작은 도서관");
    assert_eq!(stored.description, "골목 안 빈 공간에 작은 도서관을 만들어\n아이들과 어르신이 함께 쓰면 좋겠습니다.");
    assert_eq!(stored.estimated_cost, Won::from_i64(3_000_000).unwrap());
    assert_eq!(stored.status, ProposalStatus::Submitted);
    assert_eq!(stored.proposer_id, Some(KIM as i64));
    assert!(stored.photo_file_id.is_some());
    assert_eq!(stored.location, Some(Location { latitude: 37.5585, longitude: 126.9368 }));
    assert_eq!(world.store.proposal_history(1).await.unwrap().len(), 1);
    assert!(world.store.dialogue(KIM as i64).await.unwrap().is_none(), "the dialogue ended");
}

#[tokio::test]
async fn every_bad_answer_is_explained_and_nothing_is_stored_half_way() {
    let world = World::new().await;
    let alex = user(ALEX, "en");
    let mut bot = world.bot(text(&alex, "/propose"));
    bot.dispatch().await;
    let area_prompt = last_sent(&bot);

    bot.update(text(&alex, "Gangnam"));
    bot.dispatch().await;
    assert_eq!(sent(&bot)[0], "I don't know that area. Please choose one of the buttons.");
    assert_eq!(last_text(&bot), "1/6 · Which area is your project for? Choose your dong, or the whole district.");

    // A typed dong name works as well as the button: "Sinchon" → Sinchon-dong.
    bot.update(text(&alex, "sinchon"));
    bot.dispatch().await;
    assert!(last_text(&bot).starts_with("2/6"));

    bot.update(photo(&alex));
    bot.dispatch().await;
    assert_eq!(last_text(&bot), "Please send this as a text message.");
    bot.update(sticker(&alex));
    bot.dispatch().await;
    assert_eq!(last_text(&bot), "Please send this as a text message.");
    bot.update(text(&alex, "   "));
    bot.dispatch().await;
    assert_eq!(last_text(&bot), "The title is empty. Please type a short title.");
    bot.update(text(&alex, &"a".repeat(101)));
    bot.dispatch().await;
    assert_eq!(last_text(&bot), "The title has 101 characters; at most 100 are allowed. Please shorten it.");
    bot.update(text(&alex, &"가".repeat(100)));
    bot.dispatch().await;
    assert!(last_text(&bot).starts_with("3/6"), "100 characters are fine");

    bot.update(text(&alex, &"x".repeat(2001)));
    bot.dispatch().await;
    assert_eq!(last_text(&bot), "The description has 2001 characters; at most 2000 are allowed. Please shorten it.");
    bot.update(text(&alex, "A reading room."));
    bot.dispatch().await;
    assert!(last_text(&bot).starts_with("4/6"));

    for (typed, expected) in [
        ("0", "The amount must be more than zero."),
        ("-300000", "The amount can't be negative."),
        (
            "three million",
            "I couldn't read that amount. Please type digits, optionally with 만 or 억: e.g. 3000000, 3,000,000, 300만 or 1.5억.",
        ),
        ("12.5", "Please give the amount in whole won."),
        (
            "4억",
            "₩400,000,000 is more than the whole budget of this area (₩300,000,000). Please enter a smaller amount.",
        ),
    ] {
        bot.update(text(&alex, typed));
        bot.dispatch().await;
        assert_eq!(last_text(&bot), expected, "cost {typed:?}");
    }
    bot.update(text(&alex, "3억"));
    bot.dispatch().await;
    assert!(last_text(&bot).starts_with("5/6"), "exactly the area's pot is allowed");

    bot.update(text(&alex, "no photo"));
    bot.dispatch().await;
    assert_eq!(last_text(&bot), "Please send a photo, or tap “Skip”.");

    // A button from the first prompt is out of date now.
    bot.update(press(&alex, &area_prompt, &button_data(&area_prompt, "Yeonhui-dong")));
    bot.dispatch().await;
    assert_eq!(notices(&bot), ["This button is out of date. Please use the latest message."]);

    assert_eq!(world.store.all_proposals(world.cycle_id().await).await.unwrap().len(), 0);
    let draft = world.store.dialogue(ALEX as i64).await.unwrap().unwrap();
    assert!(draft.contains("\"cost\":300000000"), "{draft}");
}

#[tokio::test]
async fn a_restart_in_the_middle_resumes_where_the_resident_was() {
    let mut world = World::new().await;
    let kim = user(KIM, "ko");
    {
        let mut bot = world.bot(text(&kim, "/propose"));
        bot.dispatch().await;
        let area_prompt = last_sent(&bot);
        bot.update(press(&kim, &area_prompt, &button_data(&area_prompt, "연희동")));
        bot.dispatch().await;
        bot.update(text(&kim, "연희동 쉼터 그늘막"));
        bot.dispatch().await;
        assert!(last_text(&bot).starts_with("3/6"));
    }
    world.restart().await;

    let mut bot = world.bot(text(&kim, "버스 정류장 옆 그늘막 설치"));
    bot.dispatch().await;
    assert!(last_text(&bot).starts_with("4/6"), "{}", last_text(&bot));
    bot.update(text(&kim, "1,500만"));
    bot.dispatch().await;
    for _ in 0..2 {
        let prompt = last_sent(&bot);
        bot.update(press(&kim, &prompt, &button_data(&prompt, "건너뛰기")));
        bot.dispatch().await;
    }
    let summary = last_sent(&bot);
    submit(&mut bot, &kim, &summary, "✅ 제출하기").await;
    let stored = world.store.proposal(1).await.unwrap().unwrap();
    assert_eq!((stored.area_key.as_str(), stored.title.as_str()), ("yeonhui", "연희동 쉼터 그늘막"));
    assert_eq!(stored.estimated_cost.to_i64(), 15_000_000);
}

#[tokio::test]
async fn editing_from_the_summary_returns_to_the_summary() {
    let world = World::new().await;
    let alex = user(ALEX, "en");
    let mut bot = world.bot(text(&alex, "/start"));
    let summary = walk_to_summary(&mut bot, &alex, "Hongje 1-dong", "Bench by the stream", "2000000").await;
    assert!(summary.text().unwrap().contains("Cost: ₩2,000,000"));

    bot.update(press(&alex, &summary, &button_data(&summary, "✏️ Edit")));
    bot.dispatch().await;
    let chooser = bot.get_responses().edited_messages_text[0].message.clone();
    assert_eq!(edited(&bot), ["What would you like to change?"]);
    bot.update(press(&alex, &chooser, &button_data(&chooser, "Cost")));
    bot.dispatch().await;
    assert!(last_text(&bot).starts_with("4/6"));
    bot.update(text(&alex, "250만"));
    bot.dispatch().await;
    let summary = last_sent(&bot);
    assert!(summary.text().unwrap().contains("Cost: ₩2,500,000"), "{}", summary.text().unwrap());
    assert!(summary.text().unwrap().contains("Title: Bench by the stream"));

    // Typing instead of tapping at the summary is answered, and the summary shown again.
    bot.update(text(&alex, "ok"));
    bot.dispatch().await;
    assert_eq!(sent(&bot)[0], "Please use the buttons under your proposal.");

    let summary = last_sent(&bot);
    submit(&mut bot, &alex, &summary, "✅ Submit").await;
    assert_eq!(world.store.proposal(1).await.unwrap().unwrap().estimated_cost.to_i64(), 2_500_000);
}

#[tokio::test]
async fn a_double_tap_on_submit_stores_one_proposal() {
    let world = World::new().await;
    let alex = user(ALEX, "en");
    let mut bot = world.bot(text(&alex, "/start"));
    let summary = walk_to_summary(&mut bot, &alex, "Sinchon-dong", "Street lights", "5000000").await;
    let data = button_data(&summary, "✅ Submit");
    bot.update(vec![press(&alex, &summary, &data), press(&alex, &summary, &data)]);
    bot.dispatch().await;
    assert_eq!(world.store.all_proposals(world.cycle_id().await).await.unwrap().len(), 1);
    assert_eq!(notices(&bot), ["This button is out of date. Please use the latest message."]);
}

#[tokio::test]
async fn cancel_discards_the_draft() {
    let world = World::new().await;
    let alex = user(ALEX, "en");
    let mut bot = world.bot(text(&alex, "/propose"));
    bot.dispatch().await;
    bot.update(text(&alex, "/cancel"));
    bot.dispatch().await;
    assert_eq!(last_text(&bot), "Stopped. Nothing was submitted.");
    bot.update(text(&alex, "/cancel"));
    bot.dispatch().await;
    assert_eq!(last_text(&bot), "There was nothing to stop.");

    let summary = walk_to_summary(&mut bot, &alex, "Sinchon-dong", "Street lights", "5000000").await;
    submit(&mut bot, &alex, &summary, "Cancel").await;
    assert_eq!(edited(&bot), ["Your proposal was discarded."]);
    assert!(world.store.all_proposals(world.cycle_id().await).await.unwrap().is_empty());
}

#[tokio::test]
async fn proposing_is_refused_outside_the_proposals_phase() {
    let world = World::new().await;
    let cycle = world.cycle_id().await;
    assert!(world.store.move_phase(cycle, Phase::Proposals, Phase::Review, OFFICIAL as i64, 0).await.unwrap());
    let mut bot = world.bot(text(&user(KIM, "ko"), "/propose"));
    bot.dispatch().await;
    assert_eq!(
        last_text(&bot),
        "지금은 제안을 받지 않아요. 현재 「부서 검토」 단계예요. 접수된 제안은 /proposals 에서 볼 수 있어요."
    );
    assert!(world.store.dialogue(KIM as i64).await.unwrap().is_none());
}

#[tokio::test]
async fn a_draft_confirmed_after_the_phase_closed_is_not_stored() {
    let world = World::new().await;
    let alex = user(ALEX, "en");
    let mut bot = world.bot(text(&alex, "/start"));
    let summary = walk_to_summary(&mut bot, &alex, "Sinchon-dong", "Street lights", "5000000").await;
    let cycle = world.cycle_id().await;
    world.store.move_phase(cycle, Phase::Proposals, Phase::DongMeeting1, OFFICIAL as i64, 0).await.unwrap();
    submit(&mut bot, &alex, &summary, "✅ Submit").await;
    assert!(
        sent(&bot)[0].starts_with("Proposals aren't being taken now: the cycle is in the phase “first dong meetings”.")
    );
    assert!(world.store.all_proposals(cycle).await.unwrap().is_empty());
}

#[tokio::test]
async fn the_daily_limit_keeps_the_extra_draft_for_another_day() {
    let world = World::with_config(|c| c.proposals_per_day = 2).await;
    let alex = user(ALEX, "en");
    let mut bot = world.bot(text(&alex, "/start"));
    for title in ["First", "Second"] {
        let summary = walk_to_summary(&mut bot, &alex, "Sinchon-dong", title, "1000000").await;
        submit(&mut bot, &alex, &summary, "✅ Submit").await;
    }
    bot.update(text(&alex, "/propose"));
    bot.dispatch().await;
    assert_eq!(
        last_text(&bot),
        "You have already submitted 2 proposals today, the daily limit. Please come back tomorrow."
    );
    assert!(world.store.dialogue(ALEX as i64).await.unwrap().is_none());
    assert_eq!(world.store.all_proposals(world.cycle_id().await).await.unwrap().len(), 2);
}
