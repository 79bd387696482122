//! `/proposals` paging, `/proposal <id>`, `/myproposals` and deep links.

use crate::helpers::*;

#[tokio::test]
async fn proposals_page_ten_at_a_time_and_edit_in_place() {
    let world = World::new().await;
    for n in 1..=23 {
        world.seed(KIM, "sinchon", &format!("제안 {n}"), 1_000_000 * n).await;
    }
    world.seed(KIM, "yeonhui", "다른 동 제안", 1_000_000).await;
    let alex = user(ALEX, "en");
    let mut bot = world.bot(text(&alex, "/proposals"));
    bot.dispatch().await;
    let chooser = last_sent(&bot);
    assert_eq!(chooser.text(), Some("Which area's proposals would you like to see?"));

    bot.update(press(&alex, &chooser, &button_data(&chooser, "Sinchon-dong")));
    bot.dispatch().await;
    let page = &bot.get_responses().edited_messages_text[0];
    let shown = page.bot_request.text.clone();
    assert!(shown.starts_with("Sinchon-dong: 23 proposals (page 1 of 3)"), "{shown}");
    assert!(shown.contains("#1 제안 1 · ₩1,000,000 · under review"), "{shown}");
    assert!(shown.contains("#10 제안 10"), "{shown}");
    assert!(!shown.contains("#11 "), "{shown}");
    let page_message = page.message.clone();
    let labels: Vec<String> = buttons(&page_message).into_iter().map(|(l, _)| l).collect();
    assert_eq!(labels.len(), 12, "ten proposals, Areas and Next: {labels:?}");
    assert_eq!(&labels[10..], ["Areas", "Next ▶"]);

    bot.update(press(&alex, &page_message, &button_data(&page_message, "Next ▶")));
    bot.dispatch().await;
    let page = bot.get_responses().edited_messages_text[0].message.clone();
    bot.update(press(&alex, &page, &button_data(&page, "Next ▶")));
    bot.dispatch().await;
    let last_page = &bot.get_responses().edited_messages_text[0];
    assert!(last_page.bot_request.text.starts_with("Sinchon-dong: 23 proposals (page 3 of 3)"));
    assert!(last_page.bot_request.text.contains("#23 제안 23"));
    assert!(!last_page.bot_request.text.contains("#24"), "other dongs' proposals stay out");
    let labels: Vec<String> = buttons(&last_page.message).into_iter().map(|(l, _)| l).collect();
    assert_eq!(&labels[labels.len() - 2..], ["◀ Previous", "Areas"]);

    // Opening a proposal from the list sends its card.
    bot.update(press(&alex, &last_page.message, &button_data(&last_page.message, "#23 제안 23")));
    bot.dispatch().await;
    assert!(last_text(&bot).starts_with("Proposal #23 · Sinchon-dong\n<제안 23>"), "{}", last_text(&bot));
}

#[tokio::test]
async fn an_area_without_proposals_says_so() {
    let world = World::new().await;
    let kim = user(KIM, "ko");
    let mut bot = world.bot(text(&kim, "/proposals"));
    bot.dispatch().await;
    let chooser = last_sent(&bot);
    bot.update(press(&kim, &chooser, &button_data(&chooser, "천연동")));
    bot.dispatch().await;
    assert_eq!(edited(&bot), ["천연동에는 아직 제안이 없어요."]);
}

#[tokio::test]
async fn a_proposal_card_shows_status_costs_and_history() {
    let world = World::new().await;
    let id = world.seed(KIM, "sinchon", "작은 도서관", 3_000_000).await;
    let decision =
        pb_bot::domain::ReviewDecision::Eligible { reviewed_cost: pb_bot::domain::Won::from_i64(2_500_000).unwrap() };
    world
        .store
        .review_proposal(id, &decision, OFFICIAL as i64, &Default::default(), chrono::Utc::now().timestamp())
        .await
        .unwrap();
    let kim = user(KIM, "ko");
    let mut bot = world.bot(text(&kim, &format!("/proposal #{id}")));
    bot.dispatch().await;
    let card = last_text(&bot);
    assert!(
        card.starts_with(
            "제안 #1 · 신촌동\n<작은 도서관>\n\n설명\n\n예상 사업비: 3,000,000원\n검토 사업비: 2,500,000원\n상태: 적격"
        ),
        "{card}"
    );
    assert!(card.contains("진행 기록\n· "), "{card}");
    assert!(card.ends_with(" — 적격"), "{card}");
    assert_eq!(card.matches("\n· ").count(), 2, "submitted, then eligible: {card}");
}

#[tokio::test]
async fn bad_proposal_numbers_are_answered() {
    let world = World::new().await;
    let alex = user(ALEX, "en");
    let mut bot = world.bot(text(&alex, "/proposal abc"));
    bot.dispatch().await;
    assert_eq!(last_text(&bot), "Please give the proposal's number, e.g. /proposal 12.");
    for bad in ["/proposal", "/proposal -3", "/proposal 99999999999999999999999"] {
        bot.update(text(&alex, bad));
        bot.dispatch().await;
        assert_eq!(last_text(&bot), "Please give the proposal's number, e.g. /proposal 12.", "{bad}");
    }
    bot.update(text(&alex, "/proposal 404"));
    bot.dispatch().await;
    assert_eq!(last_text(&bot), "There is no proposal #404. Check the number in /proposals.");
}

#[tokio::test]
async fn my_proposals_lists_only_mine_newest_first() {
    let world = World::new().await;
    world.seed(ALEX, "sinchon", "Bench", 1_000_000).await;
    world.seed(KIM, "sinchon", "Not Alex's", 1_000_000).await;
    world.seed(ALEX, "district", "Bike lanes", 90_000_000).await;
    let alex = user(ALEX, "en");
    let mut bot = world.bot(text(&alex, "/myproposals"));
    bot.dispatch().await;
    let reply = last_text(&bot);
    assert!(
        reply
            .starts_with("Your 2 proposals:\n\n#3 Bike lanes · ₩90,000,000 · under review — District-wide\n\n#1 Bench"),
        "{reply}"
    );
    assert!(!reply.contains("Not Alex's"));

    bot.update(text(&user(100_009, "en"), "/myproposals"));
    bot.dispatch().await;
    assert_eq!(last_text(&bot), "You haven't proposed anything yet. Start with /propose.");
}

#[tokio::test]
async fn a_deep_link_opens_the_proposal() {
    let world = World::new().await;
    world.seed(KIM, "yeonhui", "그늘막", 1_000_000).await;
    let mut bot = world.bot(text(&user(ALEX, "en"), "/start proposal-1"));
    bot.dispatch().await;
    assert!(last_text(&bot).starts_with("Proposal #1 · Yeonhui-dong\n<그늘막>"));
}
