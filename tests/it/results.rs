//! Results in chat: an official reviews a closed round's outcome, excludes a project for a
//! legal reason, confirms it once; every voter is told what happened to their picks and why,
//! followers get the results, and `/results` shows the same on demand.

use pb_bot::{
    bot::vote::open_and_close_rounds,
    domain::{
        Won,
        ballot::{Kind, RoundStage},
    },
    i18n::Lang,
    store::ExclusionOutcome,
};

use crate::helpers::*;

const LEE: u64 = 100_003;

/// The text the last update showed: an edited message, else a sent one.
fn shown(bot: &Bot) -> String {
    edited(bot).pop().unwrap_or_else(|| last_text(bot))
}

fn won(n: i64) -> Won {
    Won::from_i64(n).unwrap()
}

#[tokio::test]
async fn an_official_confirms_the_outcome_once_and_every_voter_learns_what_happened_to_their_picks() {
    let world = World::new().await;
    let projects = [("Project 1", 10_000_000), ("Project 2", 20_000_000), ("Project 3", 30_000_000)];
    let ids = world.eligible("sinchon", &projects).await;
    let (p1, p2, p3) = (ids[0], ids[1], ids[2]);
    world.verify(KIM, "en", "sinchon").await;
    world.verify(LEE, "ko", "sinchon").await;
    let now = chrono::Utc::now().timestamp();
    let new = new_round(
        "sinchon",
        RoundStage::Dong,
        Kind::Approval { min: 1, max: 2 },
        "greedy",
        40_000_000,
        (now - 60, now + 3600),
    );
    let round = world.store.create_round(world.cycle_id().await, &new, None, now).await.unwrap();
    open_and_close_rounds(&world.store, &world.config, &world.locales, now).await.unwrap();
    let name = |user: u64| {
        let store = world.store.clone();
        async move { store.voter(user as i64).await.unwrap().unwrap().0 }
    };
    let sinchon = Some("sinchon");
    let kim_receipt = world.cast(round.id, &name(KIM).await, sinchon, &[p1, p3], now).await;
    world.cast(round.id, &name(LEE).await, sinchon, &[p2, p3], now).await;
    world.cast(round.id, "roll:777", sinchon, &[p2], now).await;

    // Sealed until it closes: no outcome to review, nothing to show residents.
    let official = user(OFFICIAL, "en");
    let kim = user(KIM, "en");
    let mut bot = world.bot(press_detached(&official, &format!("ad:ro:{}", round.id)));
    bot.dispatch().await;
    assert!(last_text(&bot).contains("not closed"), "{}", last_text(&bot));
    open_and_close_rounds(&world.store, &world.config, &world.locales, now + 3600).await.unwrap();
    bot.update(text(&kim, "/results"));
    bot.dispatch().await;
    assert!(last_text(&bot).contains("No results are published yet"), "{}", last_text(&bot));

    // Votes: #3 two, #2 two, #1 one. Ties go to the smaller id string, so #2 (20M) first; #3
    // (30M) no longer fits the 40M pot; #1 (10M) does.
    bot.update(press_detached(&official, &format!("ad:ro:{}", round.id)));
    bot.dispatch().await;
    let review = shown(&bot);
    assert!(
        review.contains(&format!("✅ #{p2} Project 2")) && review.contains(&format!("✅ #{p1} Project 1")),
        "{review}"
    );
    assert!(review.contains(&format!("▫️ #{p3} Project 3")), "{review}");
    assert!(review.contains("then confirm"), "{review}");
    assert!(review.contains("2 votes") && review.contains("· 1 vote\n"), "{review}");

    // A legal exclusion changes the count: without #1, only #2 is funded. The official picks
    // the project from the review and types the public reason.
    let reason = "the site belongs to the national railway";
    bot.update(press_detached(&official, &format!("ad:rx:{}", round.id)));
    bot.dispatch().await;
    assert!(shown(&bot).contains("tap a project to exclude it"), "{}", shown(&bot));
    bot.update(press_detached(&official, &format!("ad:re:{}:{p1}", round.id)));
    bot.dispatch().await;
    assert!(last_text(&bot).contains(&format!("Why is #{p1} Project 1 excluded?")), "{}", last_text(&bot));
    bot.update(text(&official, &"x".repeat(501)));
    bot.dispatch().await;
    assert!(last_text(&bot).contains("1 to 500 characters"), "{}", last_text(&bot));
    bot.update(text(&official, reason));
    bot.dispatch().await;
    let review = shown(&bot);
    assert!(review.contains(&format!("🚫 #{p1} Project 1 — excluded for a legal reason: {reason}")), "{review}");
    assert!(!review.contains(&format!("✅ #{p1}")), "{review}");
    assert_eq!(world.store.exclusions(round.id).await.unwrap(), [(p1, reason.to_owned())]);
    // A resident cannot exclude; a project not on the ballot cannot be excluded.
    bot.update(press_detached(&kim, &format!("ad:re:{}:{p3}", round.id)));
    bot.dispatch().await;
    assert_eq!(
        world.store.exclude_project(round.id, 999_999, Some(reason), Some(OFFICIAL as i64), now).await.unwrap(),
        ExclusionOutcome::NotOnBallot
    );
    // Excluded by mistake, then taken back: #3 is in the count again.
    world.store.exclude_project(round.id, p3, Some("by mistake"), Some(OFFICIAL as i64), now).await.unwrap();
    bot.update(press_detached(&official, &format!("ad:ri:{}:{p3}", round.id)));
    bot.dispatch().await;
    assert_eq!(world.store.exclusions(round.id).await.unwrap(), [(p1, reason.to_owned())]);
    let list = bot.get_responses().edited_messages_text.last().cloned().unwrap().message;
    let labels: Vec<String> = buttons(&list).into_iter().map(|(label, _)| label).collect();
    assert!(labels.contains(&format!("↩️ #{p1} Project 1")), "{labels:?}");
    assert!(labels.contains(&format!("🚫 #{p3} Project 3")), "{labels:?}");

    bot.update(press_detached(&official, &format!("ad:rp:{}", round.id)));
    bot.dispatch().await;
    let publication = world.store.publication(round.id).await.unwrap().unwrap();
    assert_eq!(publication.funded, [p2]);
    assert_eq!(publication.used, won(20_000_000));
    assert_eq!(publication.published_by, Some(OFFICIAL as i64));
    // The outcome is kept as published: `/results` reads it rather than counting again.
    let kept = publication.outcome.expect("the outcome is kept");
    assert_eq!(kept.ballots, 3);
    assert_eq!(kept.project(p1).and_then(|p| p.excluded.as_deref()), Some(reason));
    assert_eq!(kept.project(p3).map(|p| (p.title.as_str(), p.funded)), Some(("Project 3", false)));
    let told = world.store.outbox_for(KIM as i64).await.unwrap();
    let mine = told.iter().map(|(_, text)| text.as_str()).find(|t| t.contains("Your ballot")).expect("KIM is told");
    assert!(mine.contains(&kim_receipt), "{mine}");
    let left = Lang::En.money(won(20_000_000));
    assert!(
        mine.contains(&format!("#{p3} Project 3: not funded. After the projects with more support, {left} was left")),
        "{mine}"
    );
    assert!(mine.contains(&format!("#{p1} Project 1: excluded for a legal reason: {reason}")), "{mine}");
    let lee = world.store.outbox_for(LEE as i64).await.unwrap();
    assert!(
        lee.iter().any(|(_, t)| t.contains("내 투표지") && t.contains(&format!("#{p2} Project 2: 선정되었습니다"))),
        "{lee:?}"
    );
    // ALEX proposed the projects and follows them: the results, without a ballot of his own.
    let alex = world.store.outbox_for(ALEX as i64).await.unwrap();
    assert!(alex.iter().any(|(_, t)| t.contains("결과") && !t.contains("내 투표지")), "{alex:?}");

    // Once: a second confirmation changes nothing, and the outcome now stands.
    let queued = told.len();
    bot.update(press_detached(&official, &format!("ad:rp:{}", round.id)));
    bot.dispatch().await;
    assert_eq!(world.store.outbox_for(KIM as i64).await.unwrap().len(), queued);
    assert_eq!(
        world.store.exclude_project(round.id, p3, Some(reason), Some(OFFICIAL as i64), now).await.unwrap(),
        ExclusionOutcome::Published
    );
    let audit: Vec<String> = world.store.audit_log().await.unwrap().into_iter().map(|e| e.action).collect();
    assert_eq!(audit.iter().filter(|a| *a == "round.publish").count(), 1);
    assert!(audit.contains(&"round.exclude".to_owned()) && audit.contains(&"round.readmit".to_owned()));

    // The chart goes out first, in each language, its caption the headline.
    let kinds: Vec<String> = world.store.recent_broadcasts(5).await.unwrap().into_iter().map(|b| b.kind).collect();
    assert_eq!(kinds[..2], ["results".to_owned(), "results-chart".to_owned()]);
    assert!(alex.iter().any(|(_, t)| t.starts_with("🏁") && t.contains("선정 1건")), "{alex:?}");
    for lang in ["ko", "en"] {
        let chart = world.store.media_named(&format!("results-{}-{lang}.png", round.id)).await.unwrap();
        let Some(pb_bot::store::Media::Upload { bytes, .. }) = world.store.media(chart.unwrap()).await.unwrap() else {
            panic!("the {lang} chart is kept to upload")
        };
        assert!(bytes.starts_with(b"\x89PNG"), "{lang}");
    }

    bot.update(text(&kim, "/results"));
    bot.dispatch().await;
    let results = shown(&bot);
    assert!(results.contains(&format!("✅ #{p2} Project 2")) && results.contains(&kim_receipt), "{results}");
    assert_eq!(bot.get_responses().sent_messages_photo.len(), 1, "/results shows the chart too");

    // A voter may follow their funded picks: Lee picked #2 (funded) and #3; Kim nothing funded.
    bot.update(press_detached(&user(LEE, "ko"), &format!("fk:{}", round.id)));
    bot.dispatch().await;
    assert!(notices(&bot).iter().any(|n| n.contains("1건을 구독했습니다")), "{:?}", notices(&bot));
    let lee_follows = world.store.subscriptions(LEE as i64).await.unwrap();
    assert!(lee_follows.contains(&("project".to_owned(), p2.to_string())), "{lee_follows:?}");
    assert!(!lee_follows.contains(&("project".to_owned(), p3.to_string())), "{lee_follows:?}");
    bot.update(press_detached(&kim, &format!("fk:{}", round.id)));
    bot.dispatch().await;
    assert!(notices(&bot).iter().any(|n| n.contains("None of your picks")), "{:?}", notices(&bot));

    // A resident cannot publish.
    bot.update(press_detached(&kim, &format!("ad:rp:{}", round.id)));
    bot.dispatch().await;
    assert_eq!(world.store.outbox_for(KIM as i64).await.unwrap().len(), queued);
}

#[tokio::test]
async fn the_committees_outcome_blends_the_residents_vote_the_committee_and_the_survey() {
    let weights = pb_bot::domain::blend::Weights::new(45, 45, 10).unwrap();
    let world = World::on(TestDb::new().await, |config| config.ballots.blend = Some(weights)).await;
    let projects = [("Project 1", 10_000_000), ("Project 2", 20_000_000), ("Project 3", 30_000_000)];
    let ids = world.eligible("sinchon", &projects).await;
    let (p1, p2, p3) = (ids[0], ids[1], ids[2]);
    let official = user(OFFICIAL, "en");
    let mut bot = world.bot(text(&official, "/start"));
    bot.dispatch().await;
    // A round opens at `at`, gets `ballots`, closes an hour later; returns its id.
    let run = async |stage: RoundStage, at: i64, ballots: &[&[i64]]| {
        let kind = Kind::Approval { min: 1, max: 2 };
        let new = new_round("sinchon", stage, kind, "greedy", 40_000_000, (at - 60, at + 3600));
        let round = world.store.create_round(world.cycle_id().await, &new, None, at - 120).await.unwrap();
        open_and_close_rounds(&world.store, &world.config, &world.locales, at).await.unwrap();
        for (n, picks) in ballots.iter().enumerate() {
            world.cast(round.id, &format!("roll:{stage}-{n}"), None, picks, at).await;
        }
        open_and_close_rounds(&world.store, &world.config, &world.locales, at + 3600).await.unwrap();
        round.id
    };
    let now = chrono::Utc::now().timestamp();
    // Residents: #3 three votes, #2 one. Published as counted: #3 and #1 funded.
    let residents = run(RoundStage::Dong, now, &[&[p3], &[p3], &[p3, p2]]).await;
    bot.update(press_detached(&official, &format!("ad:rp:{residents}")));
    bot.dispatch().await;
    assert!(world.store.publication(residents).await.unwrap().is_some());
    // The committee: #1 and #2 two votes each, #3 none.
    let committee = run(RoundStage::Committee, now + 7200, &[&[p1, p2], &[p1, p2]]).await;
    let survey = [(p2, 10), (p3, 5)];
    assert_eq!(
        world.store.import_survey(residents, &survey, None, now).await.unwrap(),
        pb_bot::store::SurveyOutcome::NotCommittee
    );
    assert_eq!(
        world.store.import_survey(committee, &[(999_999, 1)], None, now).await.unwrap(),
        pb_bot::store::SurveyOutcome::NotOnBallot(999_999)
    );
    assert_eq!(
        world.store.import_survey(committee, &survey, None, now).await.unwrap(),
        pb_bot::store::SurveyOutcome::Imported(2)
    );

    // Scaled: residents #3 1, #2 1/3; committee #1 1, #2 1; survey #2 1, #3 1/2. Blended
    // out of 100: #2 15 + 45 + 10 = 70, #3 45 + 5 = 50, #1 45. Pot 40M: #2 (20M) in, #3 (30M)
    // no longer fits, #1 (10M) does.
    bot.update(press_detached(&official, &format!("ad:ro:{committee}")));
    bot.dispatch().await;
    let review = shown(&bot);
    let rank = |needle: String| review.find(&needle).unwrap_or_else(|| panic!("{needle} in {review}"));
    assert!(rank(format!("✅ #{p2} Project 2")) < rank(format!("✅ #{p1} Project 1")), "{review}");
    assert!(review.contains("· 70/100") && review.contains("· 50/100") && review.contains("· 45/100"), "{review}");
    assert!(review.contains(&format!("▫️ #{p3} Project 3")), "{review}");
    assert!(review.contains("residents' vote 45%, committee 45%, survey 10%"), "{review}");

    bot.update(press_detached(&official, &format!("ad:rp:{committee}")));
    bot.dispatch().await;
    let kept = world.store.publication(committee).await.unwrap().unwrap();
    assert_eq!(kept.funded, [p2, p1]);
    // The residents' round had funded #3 and #1; the committee's decision stands: #2 and #1
    // have execution cards, #3 no longer.
    for (project, funded) in [(p1, true), (p2, true), (p3, false)] {
        assert_eq!(world.store.execution_card(project).await.unwrap().is_some(), funded, "#{project}");
    }
    let blended = kept.outcome.unwrap();
    assert_eq!(blended.blend.map(|b| b.configured), Some(weights));
    let parts = blended.project(p2).unwrap().parts.unwrap();
    assert_eq!(parts.resident, Some(rust_decimal::Decimal::new(3333, 4)));
    // Published, the survey stands.
    assert_eq!(
        world.store.import_survey(committee, &survey, None, now).await.unwrap(),
        pb_bot::store::SurveyOutcome::Published
    );
}

#[tokio::test]
async fn officials_may_see_the_count_of_an_open_round_when_the_district_allows_it_and_each_look_is_recorded() {
    let world = World::on(TestDb::new().await, |c| c.ballots.live_tally_for_officials = true).await;
    let p1 = world.eligible("sinchon", &[("Project 1", 10_000_000)]).await[0];
    let now = chrono::Utc::now().timestamp();
    let kind = Kind::Approval { min: 1, max: 1 };
    let new = new_round("sinchon", RoundStage::Dong, kind, "greedy", 40_000_000, (now - 60, now + 3600));
    let round = world.store.create_round(world.cycle_id().await, &new, None, now).await.unwrap();
    let official = user(OFFICIAL, "en");
    let kim = user(KIM, "en");
    // Not open yet: nothing to count.
    let mut bot = world.bot(press_detached(&official, &format!("ad:ro:{}", round.id)));
    bot.dispatch().await;
    assert!(last_text(&bot).contains("not closed"), "{}", last_text(&bot));
    open_and_close_rounds(&world.store, &world.config, &world.locales, now).await.unwrap();
    world.cast(round.id, "roll:1", None, &[p1], now).await;

    bot.update(press_detached(&official, &format!("ad:rv:{}", round.id)));
    bot.dispatch().await;
    let card = bot.get_responses().edited_messages_text.last().cloned().map(|m| m.message);
    let card = card.unwrap_or_else(|| bot.get_responses().sent_messages.last().cloned().unwrap());
    assert!(buttons(&card).iter().any(|(label, _)| label == "📊 Count so far"), "{:?}", buttons(&card));
    bot.update(press_detached(&official, &format!("ad:ro:{}", round.id)));
    bot.dispatch().await;
    let live = shown(&bot);
    assert!(live.contains("still open") && live.contains(&format!("✅ #{p1} Project 1")), "{live}");
    assert!(!live.contains("Confirm"), "an open round cannot be published: {live}");
    let looks = world.store.audit_log().await.unwrap().into_iter().filter(|e| e.action == "round.live_tally").count();
    assert_eq!(looks, 1);
    // Residents see nothing, and cannot open the count.
    bot.update(press_detached(&kim, &format!("ad:ro:{}", round.id)));
    bot.dispatch().await;
    bot.update(text(&kim, "/results"));
    bot.dispatch().await;
    assert!(last_text(&bot).contains("No results are published yet"), "{}", last_text(&bot));
    let looks = world.store.audit_log().await.unwrap().into_iter().filter(|e| e.action == "round.live_tally").count();
    assert_eq!(looks, 1);
}
