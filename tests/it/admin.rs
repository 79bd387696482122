//! `/admin`: refusal to everyone else, the review queue, and phase moves — all audited.

use pb_bot::domain::{Phase, ProposalStatus};

use crate::helpers::*;

#[tokio::test]
async fn everyone_but_officials_is_refused_on_every_path() {
    let world = World::new().await;
    let id = world.seed(ALEX, "sinchon", "Bench", 1_000_000).await;
    let kim = user(KIM, "ko");
    let mut bot = world.bot(text(&kim, "/admin"));
    bot.dispatch().await;
    assert_eq!(last_text(&bot), "구청 담당 공무원만 사용할 수 있는 기능이에요.");

    // Buttons obtained by forwarding an official's message are checked against the presser.
    for data in [
        format!("rv:{id}:y"),
        format!("rv:{id}:n"),
        "ad:pm:proposals:review".to_owned(),
        "ad:m".to_owned(),
        "ad:r:0".to_owned(),
    ] {
        bot.update(press_detached(&kim, &data));
        bot.dispatch().await;
        assert_eq!(notices(&bot), ["구청 담당 공무원만 사용할 수 있는 기능이에요."], "{data}");
        assert!(sent(&bot).is_empty() && edited(&bot).is_empty(), "{data}");
    }
    assert_eq!(world.store.proposal(id).await.unwrap().unwrap().status, ProposalStatus::Submitted);
    assert_eq!(world.store.cycle(2027).await.unwrap().unwrap().phase, Phase::Proposals);
    assert!(world.store.dialogue(KIM as i64).await.unwrap().is_none());
}

#[tokio::test]
async fn an_official_reviews_and_each_proposer_is_told_in_their_own_language() {
    let world = World::new().await;
    let alex = user(ALEX, "en");
    let official = user(OFFICIAL, "ko");
    let mut bot = world.bot(text(&alex, "/start"));
    bot.dispatch().await;
    let bench = world.seed(ALEX, "sinchon", "Bench", 1_000_000).await;
    let park = world.seed(KIM, "yeonhui", "주차장 확장", 200_000_000).await;

    bot.update(text(&official, "/admin"));
    bot.dispatch().await;
    let menu = last_sent(&bot);
    assert_eq!(menu.text(), Some("담당 공무원 메뉴 — 2027년 주민참여예산\n현재 단계: 사업 제안 접수\n검토 대기: 2건"));
    bot.update(press(&official, &menu, &button_data(&menu, "제안 검토 (2건 대기)")));
    bot.dispatch().await;
    let card = last_sent(&bot);
    assert!(card.text().unwrap().starts_with("검토 대기 2건\n\n제안 #1 · 신촌동\n<Bench>"), "{}", card.text().unwrap());

    bot.update(press(&official, &card, &button_data(&card, "✅ 적격")));
    bot.dispatch().await;
    assert!(
        last_text(&bot)
            .starts_with("#1 제안을 적격으로 처리합니다. 검토 사업비를 입력해 주세요. 제안자 예상 금액은 1,000,000원")
    );
    bot.update(text(&official, "4억"));
    bot.dispatch().await;
    assert_eq!(last_text(&bot), "4억 원은 이 지역의 배정 예산(3억 원)보다 많아요. 더 적은 금액을 입력해 주세요.");
    bot.update(text(&official, "120만"));
    bot.dispatch().await;
    let texts = sent(&bot);
    assert_eq!(texts[0], "#1 제안을 「적격」(으)로 처리했고, 제안자에게 알렸어요.");
    // The proposer's notice is queued with the decision, in the proposer's language, for the
    // delivery worker; nothing is sent to them from the official's handler.
    assert!(bot.get_responses().sent_messages.iter().all(|m| m.chat.id.0 == OFFICIAL as i64));
    assert_eq!(
        world.store.outbox_for(ALEX as i64).await.unwrap(),
        [(
            "queued".to_owned(),
            "Your proposal #1 “Bench” was reviewed and is eligible, with a reviewed cost of ₩1,200,000. It goes on to the residents' vote.".to_owned()
        )]
    );
    let next = last_sent(&bot);
    assert!(next.text().unwrap().starts_with("검토 대기 1건\n\n제안 #2 · 연희동"), "the queue moves on");

    bot.update(press(&official, &next, &button_data(&next, "❌ 부적격")));
    bot.dispatch().await;
    bot.update(text(&official, "   "));
    bot.dispatch().await;
    assert_eq!(last_text(&bot), "부적격 사유를 500자 이내의 글로 입력해 주세요.");
    bot.update(text(&official, "사유지 내 시설로 구 예산 집행이 불가합니다."));
    bot.dispatch().await;
    assert_eq!(
        world.store.outbox_for(KIM as i64).await.unwrap(),
        [(
            "queued".to_owned(),
            "제안하신 #2 「주차장 확장」 사업이 부서 검토 결과 부적격으로 판정되었습니다. 부적격 사유: 사유지 내 시설로 구 예산 집행이 불가합니다.".to_owned()
        )]
    );
    assert_eq!(last_text(&bot), "검토를 기다리는 제안이 없어요.");

    let bench = world.store.proposal(bench).await.unwrap().unwrap();
    assert_eq!((bench.status, bench.reviewed_cost.map(|c| c.to_i64())), (ProposalStatus::Eligible, Some(1_200_000)));
    let park = world.store.proposal(park).await.unwrap().unwrap();
    assert_eq!(park.status, ProposalStatus::Ineligible);
    assert_eq!(park.ineligible_reason.as_deref(), Some("사유지 내 시설로 구 예산 집행이 불가합니다."));

    let audit = world.store.audit_log().await.unwrap();
    let reviews: Vec<_> = audit.iter().filter(|e| e.action == "proposal.review").collect();
    assert_eq!(reviews.len(), 2);
    assert!(reviews.iter().all(|e| e.actor_id == Some(OFFICIAL as i64)));
    assert_eq!(reviews[0].subject.as_deref(), Some("1"));

    // A second verdict on a reviewed proposal is refused.
    bot.update(press(&official, &card, &button_data(&card, "❌ 부적격")));
    bot.dispatch().await;
    assert_eq!(notices(&bot), ["#1 제안은 이미 검토되었어요(적격)."]);
}

#[tokio::test]
async fn an_official_moves_the_phase_and_a_stale_confirmation_is_refused() {
    let world = World::new().await;
    let official = user(OFFICIAL, "en");
    let mut bot = world.bot(text(&official, "/admin"));
    bot.dispatch().await;
    let menu = last_sent(&bot);
    bot.update(press(&official, &menu, &button_data(&menu, "Phases")));
    bot.dispatch().await;
    let phases = bot.get_responses().edited_messages_text[0].message.clone();
    assert!(edited(&bot)[0].starts_with("2027 cycle: phase “proposals” since "));
    bot.update(press(&official, &phases, &button_data(&phases, "department review")));
    bot.dispatch().await;
    let confirm = bot.get_responses().edited_messages_text[0].message.clone();
    assert_eq!(edited(&bot), ["Move the cycle from “proposals” to “department review” now?"]);
    bot.update(press(&official, &confirm, &button_data(&confirm, "Yes, move it")));
    bot.dispatch().await;
    assert_eq!(edited(&bot), ["The cycle moved from “proposals” to “department review”."]);
    assert_eq!(world.store.cycle(2027).await.unwrap().unwrap().phase, Phase::Review);

    bot.update(press(&official, &confirm, &button_data(&confirm, "Yes, move it")));
    bot.dispatch().await;
    assert_eq!(notices(&bot), ["The phase was changed meanwhile. Here it is as it stands now."]);
    assert_eq!(world.store.cycle(2027).await.unwrap().unwrap().phase, Phase::Review);

    let moves: Vec<_> =
        world.store.audit_log().await.unwrap().into_iter().filter(|e| e.action == "cycle.phase").collect();
    assert_eq!(moves.len(), 1);
    assert_eq!(moves[0].detail.as_deref(), Some(r#"{"from":"proposals","to":"review"}"#));
}

#[tokio::test]
async fn an_official_can_cancel_a_review_half_way() {
    let world = World::new().await;
    let id = world.seed(KIM, "sinchon", "Bench", 1_000_000).await;
    let official = user(OFFICIAL, "en");
    let mut bot = world.bot(press_detached(&official, &format!("rv:{id}:y")));
    bot.dispatch().await;
    assert!(last_text(&bot).starts_with("Proposal #1 is eligible. What is the reviewed cost?"));
    bot.update(text(&official, "/cancel"));
    bot.dispatch().await;
    assert_eq!(last_text(&bot), "Stopped. Nothing was submitted.");
    assert_eq!(world.store.proposal(id).await.unwrap().unwrap().status, ProposalStatus::Submitted);
}
