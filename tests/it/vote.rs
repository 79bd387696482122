//! `/vote` in chat: one live ballot message edited by taps, every limit refused with a reason,
//! a confirmation, a receipt, changing one's ballot, typed ballots, and refusals for the
//! unverified, another dong, an old message, a forged button and a closed round.

use pb_bot::{
    bot::vote::open_and_close_rounds,
    domain::{
        ReviewDecision, Won,
        ballot::{Kind, RoundStage},
    },
    store::{NewRound, Pushes, Round},
};
use teloxide::types::Message;

use crate::helpers::*;

const HOUR: i64 = 3600;
const LEE: u64 = 100_003;

/// `count` eligible Sinchon proposals costing 10M, 20M, … won; their ids.
async fn eligible(world: &World, count: i64) -> Vec<i64> {
    let titles: Vec<String> = (1..=count).map(|i| format!("Project {i}")).collect();
    let projects: Vec<(&str, i64)> = titles.iter().zip(1..).map(|(t, i)| (t.as_str(), i * 10_000_000)).collect();
    world.eligible("sinchon", &projects).await
}

/// A Sinchon round of `kind`, opened now (by the clock's own job).
async fn open_round(world: &World, kind: Kind, pot: i64) -> Round {
    let now = chrono::Utc::now().timestamp();
    let round = new_round("sinchon", RoundStage::Dong, kind, "greedy", pot, (now - 60, now + 48 * HOUR));
    let created = world.store.create_round(world.cycle_id().await, &round, None, now).await.unwrap();
    open_and_close_rounds(&world.store, &world.config, &world.locales, now).await.unwrap();
    world.store.round(created.id).await.unwrap().unwrap()
}

/// The message the last update changed: edited, else sent.
fn latest(bot: &Bot) -> Message {
    let responses = bot.get_responses();
    match (responses.edited_messages_text.last(), responses.sent_messages.last()) {
        (Some(edit), _) => edit.message.clone(),
        (None, Some(sent)) => sent.clone(),
        (None, None) => panic!("nothing sent"),
    }
}

fn label_of(message: &Message, project: i64) -> String {
    buttons(message)
        .into_iter()
        .find(|(label, _)| label.contains(&format!("#{project} ")))
        .map(|(label, _)| label)
        .unwrap_or_else(|| panic!("no button for #{project} in {:?}", buttons(message)))
}

#[tokio::test]
async fn a_resident_builds_submits_and_changes_an_approval_ballot_in_one_live_message() {
    let world = World::new().await;
    let ids = eligible(&world, 10).await;
    let round = open_round(&world, Kind::Approval { min: 2, max: 3 }, 300_000_000).await;
    world.verify(KIM, "ko", "sinchon").await;
    let kim = user(KIM, "ko");

    let mut bot = world.bot(text(&kim, "/vote"));
    bot.dispatch().await;
    let ballot = last_sent(&bot);
    let body = ballot.text().unwrap();
    assert!(body.starts_with("🗳 신촌동 찬성 투표\n지지하는 사업을 눌러 주세요. 최소 2개, 최대 3개"), "{body}");
    assert!(body.contains(&format!("▫️ #{} Project 1 · 10,000,000원", ids[0])), "{body}");
    assert!(body.ends_with("0개 선택 (최소 2개, 최대 3개)\n제출하려면 사업을 하나 이상 골라 주세요."), "{body}");
    let labels: Vec<String> = buttons(&ballot).into_iter().map(|(l, _)| l).collect();
    assert_eq!(labels.len(), 8 + 2 + 1, "a page of 8 projects, ▶ and the page number, submit: {labels:?}");

    // Taps edit the one message; the fourth pick is refused with the reason.
    for id in &ids[..3] {
        bot.update(press(&kim, &ballot, &format!("vt:{}:{id}", round.id)));
        bot.dispatch().await;
    }
    let edited = latest(&bot);
    assert_eq!(edited.id, ballot.id, "the same message, edited");
    assert!(edited.text().unwrap().contains(&format!("✅ #{} Project 2", ids[1])));
    assert!(edited.text().unwrap().ends_with("3개 선택 (최소 2개, 최대 3개)\n✅ 제출할 수 있어요."));
    bot.update(press(&kim, &ballot, &format!("vt:{}:{}", round.id, ids[3])));
    bot.dispatch().await;
    assert_eq!(notices(&bot), ["최대 3개까지 고를 수 있어요. 먼저 하나를 빼 주세요."]);

    // Page two, then submit, confirm: a receipt.
    bot.update(press(&kim, &ballot, &format!("vg:{}:1", round.id)));
    bot.dispatch().await;
    let page_two = latest(&bot);
    assert!(label_of(&page_two, ids[9]).starts_with("▫️"), "{:?}", buttons(&page_two));
    let body = page_two.text().unwrap();
    assert!(body.contains(&format!("▫️ #{} Project 10", ids[9])) && !body.contains("Project 1 ·"), "{body}");
    assert!(body.contains(&format!("전체 선택: #{}, #{}, #{}", ids[0], ids[1], ids[2])), "{body}");
    bot.update(press(&kim, &ballot, &format!("vs:{}", round.id)));
    bot.dispatch().await;
    let confirm = latest(&bot);
    assert!(confirm.text().unwrap().starts_with("신촌동 찬성 투표 내용을 확인해 주세요."), "{:?}", confirm.text());
    bot.update(press(&kim, &ballot, &button_data(&confirm, "✅ 네, 제출할게요")));
    bot.dispatch().await;
    let answers = &bot.get_responses().answered_callback_queries;
    assert_eq!(answers.len(), 1, "the confirm's button is answered once");
    assert_eq!(answers[0].text, None, "and without a notice");
    let stored = latest(&bot).text().unwrap().to_owned();
    assert!(stored.starts_with("🗳 신촌동 찬성 투표 투표가 저장되었어요. 고맙습니다!\n영수증 번호: "), "{stored}");
    let ballots = world.store.ballots(round.id).await.unwrap();
    assert_eq!(ballots.len(), 1);
    assert!(stored.contains(&ballots[0].receipt));
    assert_eq!(ballots[0].ballot.order(), ids[..3].to_vec());

    // The stored ballot's buttons no longer count.
    bot.update(press(&kim, &ballot, &format!("vt:{}:{}", round.id, ids[0])));
    bot.dispatch().await;
    assert_eq!(notices(&bot), ["예전 투표 메시지예요. 가장 최근 메시지를 쓰거나 /vote 로 다시 열어 주세요."]);

    // /vote again shows the ballot cast, to change; the last one counts.
    bot.update(text(&kim, "/vote"));
    bot.dispatch().await;
    let again = last_sent(&bot);
    assert!(again.text().unwrap().contains("3개 선택"), "{:?}", again.text());
    bot.update(press(&kim, &again, &format!("vt:{}:{}", round.id, ids[2])));
    bot.dispatch().await;
    bot.update(press(&kim, &again, &format!("vs:{}", round.id)));
    bot.dispatch().await;
    bot.update(press(&kim, &again, &format!("vc:{}", round.id)));
    bot.dispatch().await;
    assert!(latest(&bot).text().unwrap().starts_with("🗳 신촌동 찬성 투표 투표를 바꿨어요."));
    let ballots = world.store.ballots(round.id).await.unwrap();
    assert_eq!(ballots.len(), 1);
    assert_eq!(ballots[0].ballot.order(), ids[..2].to_vec());

    // Too few to submit; a forged and a truncated button.
    bot.update(text(&kim, "/vote"));
    bot.dispatch().await;
    let third = last_sent(&bot);
    bot.update(press(&kim, &third, &format!("vt:{}:{}", round.id, ids[1])));
    bot.dispatch().await;
    bot.update(press(&kim, &third, &format!("vs:{}", round.id)));
    bot.dispatch().await;
    assert_eq!(notices(&bot), ["제출하려면 최소 2개를 골라 주세요."]);
    bot.update(press(&kim, &third, &format!("vt:{}:99999", round.id)));
    bot.dispatch().await;
    assert_eq!(notices(&bot), ["#99999번은 이 투표에 없는 사업이에요."]);
    bot.update(press(&kim, &third, &format!("vt:{}", round.id)));
    bot.dispatch().await;
    assert_eq!(notices(&bot).len(), 1, "a truncated payload is refused");

    // Once closed (by the clock's job), nothing is taken.
    open_and_close_rounds(&world.store, &world.config, &world.locales, round.closes_at).await.unwrap();
    bot.update(press(&kim, &third, &format!("vt:{}:{}", round.id, ids[0])));
    bot.dispatch().await;
    assert_eq!(notices(&bot), ["마감된 투표예요."]);
    assert_eq!(world.store.ballots(round.id).await.unwrap()[0].ballot.order(), ids[..2].to_vec());
}

#[tokio::test]
async fn the_unverified_and_other_dongs_are_refused_and_typed_ballots_are_checked() {
    let world = World::new().await;
    let ids = eligible(&world, 4).await;
    let round = open_round(&world, Kind::Ranked { max: 3 }, 300_000_000).await;
    world.verify(ALEX, "en", "yeonhui").await;
    world.verify(KIM, "ko", "sinchon").await;
    let (kim, alex, lee) = (user(KIM, "ko"), user(ALEX, "en"), user(LEE, "ko"));

    let mut bot = world.bot(text(&lee, "/vote"));
    bot.dispatch().await;
    assert!(last_text(&bot).starts_with("투표는 인증된 주민만 할 수 있어요."));
    bot.update(text(&alex, "/vote"));
    bot.dispatch().await;
    assert_eq!(last_text(&bot), "This ballot is for residents of Sinchon-dong.");
    bot.update(press_detached(&alex, &format!("vt:{}:{}", round.id, ids[0])));
    bot.dispatch().await;
    assert_eq!(notices(&bot), ["This ballot is for residents of Sinchon-dong."]);

    // Typed: in order of preference, checked like taps, confirmed like taps.
    let typed = |s: String| text(&kim, &s);
    bot.update(typed(format!("/vote {} {} {} {}", ids[0], ids[1], ids[2], ids[3])));
    bot.dispatch().await;
    assert_eq!(last_text(&bot), "최대 3개까지 고를 수 있어요. 먼저 하나를 빼 주세요.");
    bot.update(typed(format!("/vote {} {}", ids[2], ids[2])));
    bot.dispatch().await;
    assert_eq!(last_text(&bot), format!("#{}번을 두 번 적었어요.", ids[2]));
    bot.update(typed("/vote 세 번째".into()));
    bot.dispatch().await;
    assert!(last_text(&bot).starts_with("사업 번호를 띄어 써 주세요."));
    bot.update(typed(format!("/vote {} #{}", ids[2], ids[0])));
    bot.dispatch().await;
    let confirm = last_sent(&bot);
    let body = confirm.text().unwrap();
    assert!(
        body.contains(&format!("1순위 #{} Project 3", ids[2]))
            && body.contains(&format!("2순위 #{} Project 1", ids[0]))
    );
    bot.update(press(&kim, &confirm, &button_data(&confirm, "✅ 네, 제출할게요")));
    bot.dispatch().await;
    let ballots = world.store.ballots(round.id).await.unwrap();
    assert_eq!(ballots[0].ballot.order(), [ids[2], ids[0]]);

    // Ranked taps: a second tap takes a project out and the ranks close up.
    bot.update(text(&kim, "/vote"));
    bot.dispatch().await;
    let live = last_sent(&bot);
    bot.update(press(&kim, &live, &format!("vt:{}:{}", round.id, ids[1])));
    bot.dispatch().await;
    bot.update(press(&kim, &live, &format!("vt:{}:{}", round.id, ids[2])));
    bot.dispatch().await;
    let edited = latest(&bot).text().unwrap().to_owned();
    assert!(edited.contains(&format!("1순위 #{} Project 1", ids[0])), "{edited}");
    assert!(edited.contains(&format!("2순위 #{} Project 2", ids[1])), "{edited}");
    assert!(edited.contains(&format!("▫️ #{} Project 3", ids[2])), "{edited}");
}

#[tokio::test]
async fn knapsack_and_cumulative_ballots_keep_to_the_pot_and_the_points() {
    let world = World::new().await;
    let ids = eligible(&world, 3).await; // 10M, 20M, 30M
    let knapsack = open_round(&world, Kind::Knapsack, 40_000_000).await;
    world.verify(KIM, "ko", "sinchon").await;
    let kim = user(KIM, "ko");
    let mut bot = world.bot(text(&kim, &format!("/vote r{} {} {}", knapsack.id, ids[1], ids[2])));
    bot.dispatch().await;
    assert_eq!(last_text(&bot), "합계 50,000,000원(으)로 예산 40,000,000원을 넘어요. 먼저 사업 하나를 빼 주세요.");
    bot.update(text(&kim, "/vote"));
    bot.dispatch().await;
    let live = last_sent(&bot);
    for id in [ids[0], ids[2]] {
        bot.update(press(&kim, &live, &format!("vt:{}:{id}", knapsack.id)));
        bot.dispatch().await;
    }
    assert!(
        latest(&bot).text().unwrap().contains("▓▓▓▓▓▓▓▓▓▓ 40,000,000원 중 40,000,000원"),
        "{:?}",
        latest(&bot).text()
    );
    bot.update(press(&kim, &live, &format!("vt:{}:{}", knapsack.id, ids[1])));
    bot.dispatch().await;
    assert!(notices(&bot)[0].starts_with("합계 60,000,000원(으)로 예산"), "{:?}", notices(&bot));

    // A second round open at once: /vote asks which.
    let points = open_round(&world, Kind::Cumulative { points: 3, per_project: 2 }, 40_000_000).await;
    bot.update(text(&kim, "/vote"));
    bot.dispatch().await;
    let choose = last_sent(&bot);
    assert_eq!(choose.text().unwrap(), "참여할 수 있는 투표가 여러 개예요. 어떤 투표를 할까요?");
    bot.update(press(&kim, &choose, &format!("vr:{}", points.id)));
    bot.dispatch().await;
    let live = last_sent(&bot);
    let up = |id: i64| format!("vp:{}:{id}:1", points.id);
    for data in [up(ids[0]), up(ids[0]), up(ids[0])] {
        bot.update(press(&kim, &live, &data));
        bot.dispatch().await;
    }
    assert_eq!(notices(&bot).last().unwrap(), &format!("#{}번에는 최대 2점까지 줄 수 있어요.", ids[0]));
    bot.update(press(&kim, &live, &up(ids[1])));
    bot.dispatch().await;
    bot.update(press(&kim, &live, &up(ids[2])));
    bot.dispatch().await;
    assert_eq!(notices(&bot).last().unwrap(), "남은 점수가 없어요(전체 3점). 먼저 ➖로 점수를 빼 주세요.");
    bot.update(press(&kim, &live, &format!("vp:{}:{}:0", points.id, ids[0])));
    bot.dispatch().await;
    let body = latest(&bot).text().unwrap().to_owned();
    assert!(body.contains(&format!("1점 #{} Project 1", ids[0])) && body.contains("남은 점수: 3점 중 1점"), "{body}");
}

#[tokio::test]
async fn one_reminder_before_close_goes_to_who_has_not_voted_and_can_be_turned_off() {
    use pb_bot::{
        bot::vote::queue_vote_reminders,
        domain::ballot::{Ballot, receipt},
        store::Source,
    };
    const PARK: u64 = 100_004;
    const CHOI: u64 = 100_005;
    const YOON: u64 = 100_006;
    let world = World::new().await;
    let ids = eligible(&world, 2).await;
    let round = open_round(&world, Kind::Approval { min: 1, max: 2 }, 300_000_000).await;
    for (id, lang, dong) in [
        (KIM, "ko", "sinchon"),
        (ALEX, "en", "sinchon"),
        (LEE, "ko", "sinchon"),
        (PARK, "ko", "sinchon"),
        (CHOI, "ko", "yeonhui"),
    ] {
        world.verify(id, lang, dong).await;
    }
    // Kim opened the ballot without submitting; Alex voted; Park turned reminders off.
    let kim = user(KIM, "ko");
    let mut bot = world.bot(text(&kim, "/vote"));
    bot.dispatch().await;
    let (name, _) = world.store.voter(ALEX as i64).await.unwrap().unwrap();
    let key = world.secret.voter_key(round.id, &name);
    let ballot = Ballot::decode(&format!("{}:1", ids[0])).unwrap();
    world
        .store
        .cast_ballot(round.id, &key, Some("sinchon"), &ballot, &receipt(), Source::Chat, None, round.opens_at + 1)
        .await
        .unwrap();
    world.store.opt_out_of_vote_reminders(PARK as i64, 0).await.unwrap();

    let remind = |now: i64| {
        let (store, config, locales, secret) =
            (world.store.clone(), world.config.clone(), world.locales.clone(), world.secret.clone());
        async move { queue_vote_reminders(&store, &config, &locales, &secret, now).await.unwrap() }
    };
    let moment = round.closes_at - 24 * HOUR;
    assert_eq!(remind(moment - 60).await, 0, "not yet");
    assert_eq!(remind(moment).await, 2, "Kim and Lee");
    let told = world.store.outbox_for(KIM as i64).await.unwrap();
    assert!(told[0].1.starts_with("⏰ 신촌동 투표를 아직 제출하지 않았어요."), "{told:?}");
    let told = world.store.outbox_for(LEE as i64).await.unwrap();
    assert!(told[0].1.starts_with("⏰ 신촌동 투표가 ") && told[0].1.contains("아직 투표하지 않으셨어요."), "{told:?}");
    for quiet in [ALEX, PARK, CHOI] {
        assert!(world.store.outbox_for(quiet as i64).await.unwrap().is_empty(), "{quiet} gets nothing");
    }
    world.verify(YOON, "ko", "sinchon").await;
    assert_eq!(remind(moment + 60).await, 0, "one reminder per round");
    assert!(world.store.outbox_for(YOON as i64).await.unwrap().is_empty());

    // The reminder's button turns them off.
    let lee = user(LEE, "ko");
    bot.update(press_detached(&lee, "vo"));
    bot.dispatch().await;
    assert_eq!(notices(&bot), ["이제 투표 알림을 보내지 않을게요."]);
    let later = open_round(&world, Kind::Approval { min: 1, max: 2 }, 300_000_000).await;
    assert_eq!(remind(later.closes_at - 60).await, 3, "Kim, Alex and Yoon; not Lee, Park or Choi");
    let reminders =
        world.store.outbox_for(LEE as i64).await.unwrap().into_iter().filter(|(_, t)| t.starts_with("⏰")).count();
    assert_eq!(reminders, 1, "Lee turned them off after the first");
}

#[tokio::test]
async fn paper_ballots_from_the_meeting_replace_chat_ballots_and_end_chat_voting() {
    use pb_bot::domain::verification::Phone;
    // The command line works on this year's cycle.
    let this_year = chrono::Datelike::year(&chrono::Utc::now().with_timezone(&chrono_tz::Asia::Seoul));
    let world = World::with_config(|c| c.cycle_year = this_year).await;
    let ids = eligible(&world, 3).await;
    let round = open_round(&world, Kind::Ranked { max: 2 }, 300_000_000).await;
    world.roll("sinchon", &[("010-1111-2222", None), ("010-3333-4444", None)]).await;
    world.roll("yeonhui", &[("010-5555-6666", None)]).await;
    // Kim verified by phone and voted in chat.
    let now = chrono::Utc::now().timestamp();
    world.store.touch_user(KIM as i64, Some("ko"), now).await.unwrap();
    let entry = world.store.roll_entry(&world.secret.phone_hash(&Phone::parse("010-1111-2222").unwrap())).await;
    world.store.bind_roll_entry(KIM as i64, &entry.unwrap().unwrap(), now).await.unwrap();
    let kim = user(KIM, "ko");
    let mut bot = world.bot(text(&kim, &format!("/vote {}", ids[0])));
    bot.dispatch().await;
    let confirm = last_sent(&bot);
    bot.update(press(&kim, &confirm, &format!("vc:{}", round.id)));
    bot.dispatch().await;
    assert_eq!(world.store.ballots(round.id).await.unwrap().len(), 1);

    // A file with any problem enters nothing, and says where.
    let file = world.db.dir.path().join("paper.csv");
    let r = round.id;
    std::fs::write(
        &file,
        format!(
            "round,phone,choices\n{r},010-1111-2222,{} {}\n{r},010-5555-6666,{}\n{r},010-9999-0000,{}\n\
             {r},010-3333-4444,{} {} {}\n{r},010-1111-2222,{}\n",
            ids[1], ids[0], ids[0], ids[0], ids[0], ids[1], ids[2], ids[2]
        ),
    )
    .unwrap();
    let output = cli(&world.db).args(["admin", "ballots", "import"]).arg(&file).output().unwrap();
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("line 3: the voter lives in another dong"), "{stderr}");
    assert!(stderr.contains("line 4: this phone number is not on the roll"), "{stderr}");
    assert!(stderr.contains("line 5: at most 2 projects"), "{stderr}");
    assert!(stderr.contains("line 6: the same voter as line 2"), "{stderr}");
    assert_eq!(world.store.ballots(round.id).await.unwrap()[0].ballot.order(), [ids[0]], "nothing entered");

    std::fs::write(&file, format!("{r},010-1111-2222,{} {}\n{r},01033334444,{}\n", ids[1], ids[0], ids[2])).unwrap();
    let output = cli(&world.db).args(["admin", "ballots", "import"]).arg(&file).output().unwrap();
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let said = String::from_utf8_lossy(&output.stdout);
    assert!(said.contains("Entered 2 paper ballot(s)") && said.contains("(1 replaced an earlier ballot)"), "{said}");
    let ballots = world.store.ballots(round.id).await.unwrap();
    assert_eq!(ballots.len(), 2);
    assert!(ballots.iter().all(|b| b.paper));
    assert!(ballots.iter().any(|b| b.ballot.order() == [ids[1], ids[0]]), "Kim's paper ballot replaced the chat one");

    // Chat voting has ended for Kim.
    bot.update(text(&kim, "/vote"));
    bot.dispatch().await;
    assert_eq!(last_text(&bot), "종이 투표가 이미 입력되어 있어 투표가 반영되었어요.");
    bot.update(press(&kim, &confirm, &format!("vc:{}", round.id)));
    bot.dispatch().await;
    assert!(!notices(&bot).is_empty());
    assert_eq!(world.store.ballots(round.id).await.unwrap().len(), 2);
    let audit = world.store.audit_log().await.unwrap();
    assert_eq!(audit.iter().filter(|e| e.action == "ballot.paper").count(), 2);

    // A facilitator enters more at the meeting, from /admin; a resident cannot.
    const FACILITATOR: u64 = 100_050;
    let facilitator = user(FACILITATOR, "ko");
    bot.update(text(&kim, "/admin"));
    bot.dispatch().await;
    assert_eq!(last_text(&bot), "구청 담당 공무원만 사용할 수 있는 기능이에요.");
    bot.update(press_detached(&kim, &format!("pp:{}", round.id)));
    bot.dispatch().await;
    assert_eq!(notices(&bot), ["구청 담당 공무원만 사용할 수 있는 기능이에요."]);
    world.store.touch_user(FACILITATOR as i64, Some("ko"), now).await.unwrap();
    let none = Pushes { default_lang: "ko", ..Pushes::default() };
    world.store.grant_facilitator(FACILITATOR as i64, Some(OFFICIAL as i64), &none, now).await.unwrap();
    bot.update(text(&facilitator, "/admin"));
    bot.dispatch().await;
    let screen = last_sent(&bot);
    assert_eq!(screen.text().unwrap(), "어느 투표의 종이 투표를 입력할까요?");
    bot.update(press(&facilitator, &screen, &format!("pp:{}", round.id)));
    bot.dispatch().await;
    assert!(last_text(&bot).starts_with("신촌동 순위 투표 종이 투표를 입력해 주세요."), "{}", last_text(&bot));
    bot.update(text(&facilitator, &format!("010-3333-4444 {} {}\n010-0000-1111 {}\nhello", ids[0], ids[1], ids[0])));
    bot.dispatch().await;
    let lines: Vec<String> = last_text(&bot).lines().map(str::to_owned).collect();
    assert!(lines[0].starts_with("1번째 줄: 이전 투표를 대신해 입력했어요. 영수증 번호 "), "{lines:?}");
    assert_eq!(lines[1], "2번째 줄: 입력하지 못했어요 — 명부에 없는 전화번호예요.");
    assert_eq!(lines[2], "3번째 줄: 전화번호, 띄어쓰기, 사업 번호 순서로 적어 주세요.");
    let ballots = world.store.ballots(round.id).await.unwrap();
    assert_eq!(ballots.len(), 2);
    assert!(ballots.iter().any(|b| b.ballot.order() == [ids[0], ids[1]]));

    // A voter who asks to be forgotten leaves their ballot behind, anonymous.
    world.store.forget_user(KIM as i64, now).await.unwrap();
    assert_eq!(world.store.ballots(round.id).await.unwrap().len(), 2);
}

#[tokio::test]
async fn an_official_creates_a_round_from_admin_and_sees_its_turnout() {
    let world = World::new().await;
    eligible(&world, 2).await;
    let official = user(OFFICIAL, "ko");
    let mut bot = world.bot(text(&official, "/admin"));
    bot.dispatch().await;
    let menu = last_sent(&bot);
    bot.update(press(&official, &menu, &button_data(&menu, "🗳 투표 관리")));
    bot.dispatch().await;
    let list = latest(&bot);
    assert!(list.text().unwrap().starts_with("🗳 2027년 투표 0건이에요."), "{:?}", list.text());
    bot.update(press(&official, &list, &button_data(&list, "➕ 투표 만들기")));
    bot.dispatch().await;
    let areas = latest(&bot);
    bot.update(press(&official, &areas, &button_data(&areas, "신촌동")));
    bot.dispatch().await;
    let stages = latest(&bot);
    bot.update(press(&official, &stages, &button_data(&stages, "이 동의 인증된 주민")));
    bot.dispatch().await;
    let kinds = latest(&bot);
    bot.update(press(&official, &kinds, &button_data(&kinds, "찬성 투표")));
    bot.dispatch().await;
    assert!(notices(&bot).is_empty(), "{:?}", notices(&bot));
    assert!(last_text(&bot).starts_with("한 사람이 고르는 사업 수의 최소와 최대"));
    bot.update(text(&official, "3 1"));
    bot.dispatch().await;
    assert!(last_text(&bot).starts_with("이 방식에 맞지 않는 숫자예요."));
    bot.update(text(&official, "1 3"));
    bot.dispatch().await;
    assert!(last_text(&bot).starts_with("투표는 언제 시작하고 마감하나요?"));
    bot.update(text(&official, "어제 ~ 12/10 18:00"));
    bot.dispatch().await;
    assert!(last_text(&bot).starts_with("시작 시각을 읽지 못했어요."));
    let closes = (chrono::Utc::now().with_timezone(&chrono_tz::Asia::Seoul) + chrono::Days::new(7)).date_naive();
    bot.update(text(&official, &format!("지금 ~ {closes} 18:00")));
    bot.dispatch().await;
    let rules = last_sent(&bot);
    assert_eq!(buttons(&rules).len(), 5, "approval ballots: every rule, Phragmén included");
    bot.update(press(&official, &rules, &button_data(&rules, "균등 배분 방식 + 남은 예산 득표순 보완")));
    bot.dispatch().await;
    let preview = latest(&bot);
    let body = preview.text().unwrap();
    assert!(body.contains("지금 이 지역의 적격 사업: 2개"), "{body}");
    assert!(body.contains("결과 결정 방식: 균등 배분 방식 + 남은 예산 득표순 보완"), "{body}");
    bot.update(press(&official, &preview, &button_data(&preview, "🗳 투표 만들기")));
    bot.dispatch().await;
    assert!(latest(&bot).text().unwrap().starts_with("투표(#"), "{:?}", latest(&bot).text());
    bot.update(press(&official, &preview, &button_data(&preview, "🗳 투표 만들기")));
    bot.dispatch().await;
    assert_eq!(notices(&bot), ["이 작성 화면은 이미 닫혔어요. /admin 에서 다시 시작해 주세요."]);

    let cycle = world.cycle_id().await;
    let rounds = world.store.rounds(cycle).await.unwrap();
    assert_eq!(rounds.len(), 1, "created once");
    assert_eq!((rounds[0].kind, rounds[0].rule.as_str()), (Kind::Approval { min: 1, max: 3 }, "mes-completed"));
    open_and_close_rounds(&world.store, &world.config, &world.locales, chrono::Utc::now().timestamp()).await.unwrap();
    bot.update(press(&official, &preview, &format!("ad:rv:{}", rounds[0].id)));
    bot.dispatch().await;
    let card = latest(&bot).text().unwrap().to_owned();
    assert!(
        card.contains("까지 진행 중") && card.contains("투표 대상 사업: 2개") && card.contains("지금까지 투표: 0명"),
        "{card}"
    );

    // Residents cannot reach it.
    let kim = user(KIM, "ko");
    bot.update(press(&kim, &preview, "ad:rl"));
    bot.dispatch().await;
    assert_eq!(notices(&bot), ["구청 담당 공무원만 사용할 수 있는 기능이에요."]);
}

#[tokio::test]
async fn a_committee_round_is_for_members_only_and_told_to_them_alone() {
    let world = World::new().await;
    let id = world.seed(ALEX, "district", "District library", 100_000_000).await;
    let decision = ReviewDecision::Eligible { reviewed_cost: Won::from_i64(100_000_000).unwrap() };
    let pushes = Pushes { default_lang: "ko", ..Pushes::default() };
    world.store.review_proposal(id, &decision, OFFICIAL as i64, &pushes, 0).await.unwrap();
    world.verify(KIM, "ko", "sinchon").await;
    world.verify(LEE, "ko", "sinchon").await;
    let cycle = world.cycle_id().await;
    world.store.appoint_committee(cycle, &[KIM as i64], 100, None, |_| pushes.clone(), 0).await.unwrap();
    let now = chrono::Utc::now().timestamp();
    let round = NewRound {
        area_key: "district".into(),
        stage: RoundStage::Committee,
        kind: Kind::Approval { min: 1, max: 1 },
        rule: "greedy".into(),
        pot: Won::from_i64(3_600_000_000).unwrap(),
        opens_at: now - 1,
        closes_at: now + 86_400,
    };
    let round = world.store.create_round(cycle, &round, None, now).await.unwrap();
    open_and_close_rounds(&world.store, &world.config, &world.locales, now).await.unwrap();
    let told = world.store.outbox_for(KIM as i64).await.unwrap();
    assert!(told.iter().any(|(_, t)| t.starts_with("🗳 서대문구 전체 우선순위 투표가 시작되었어요.")), "{told:?}");
    let lee_told = world.store.outbox_for(LEE as i64).await.unwrap();
    assert!(lee_told.iter().all(|(_, t)| !t.starts_with("🗳")), "{lee_told:?}");

    let lee = user(LEE, "ko");
    let mut bot = world.bot(text(&lee, "/vote"));
    bot.dispatch().await;
    assert_eq!(last_text(&bot), "주민참여예산위원만 참여하는 투표예요.");
    let kim = user(KIM, "ko");
    bot.update(text(&kim, &format!("/vote {id}")));
    bot.dispatch().await;
    let confirm = last_sent(&bot);
    bot.update(press(&kim, &confirm, &format!("vc:{}", round.id)));
    bot.dispatch().await;
    assert_eq!(world.store.ballots(round.id).await.unwrap().len(), 1);
    assert_eq!(world.store.ballots(round.id).await.unwrap()[0].dong_key.as_deref(), Some("sinchon"));
}

#[tokio::test]
async fn a_tap_builds_on_the_stored_draft_when_another_replica_changed_it_meanwhile() {
    use pb_bot::{domain::ballot::Ballot, store::Store};
    let world = World::new().await;
    let ids = eligible(&world, 4).await;
    let round = open_round(&world, Kind::Approval { min: 1, max: 2 }, 300_000_000).await;
    world.verify(KIM, "en", "sinchon").await;
    let kim = user(KIM, "en");
    let mut bot = world.bot(text(&kim, "/vote"));
    bot.dispatch().await;
    let ballot = last_sent(&bot);
    let tap = |bot: &mut Bot, project: i64| bot.update(press(&kim, &ballot, &format!("vt:{}:{project}", round.id)));
    tap(&mut bot, ids[0]);
    bot.dispatch().await;
    assert!(label_of(&latest(&bot), ids[0]).starts_with("✅"));

    // Kim's next taps reach another replica, which keeps drafts of its own making.
    let key = draft_key(&world, &round).await;
    let other = Store::open_with(&world.db.url, false).await.unwrap();
    let elsewhere = |picks: &[i64]| {
        let ballot = Ballot::decode(&picks.iter().map(|id| format!("{id}:1")).collect::<Vec<_>>().join(",")).unwrap();
        let (other, round, key) = (other.clone(), round.clone(), key.clone());
        async move { other.save_draft(&round, &key, &ballot, None, chrono::Utc::now().timestamp()).await.unwrap() }
    };
    let stored = || async { world.store.draft(round.id, &key).await.unwrap().unwrap() };

    // Back here, a tap starts from the stored draft, not from what this process saw last ...
    elsewhere(&[ids[1]]).await;
    tap(&mut bot, ids[2]);
    bot.dispatch().await;
    let shown = latest(&bot);
    let marks: Vec<bool> = ids.iter().map(|id| label_of(&shown, *id).starts_with("✅")).collect();
    assert_eq!(marks, [false, true, true, false], "{:?}", buttons(&shown));
    assert_eq!(stored().await.ballot.order(), [ids[1], ids[2]]);
    assert_eq!(stored().await.message_id, Some(i64::from(ballot.id.0)));

    // ... and is refused only for what the stored draft holds: here the last known draft is
    // full (2 of 2), the stored one is not.
    elsewhere(&[ids[3]]).await;
    tap(&mut bot, ids[0]);
    bot.dispatch().await;
    assert!(notices(&bot).is_empty(), "{:?}", notices(&bot));
    assert_eq!(stored().await.ballot.order(), [ids[0], ids[3]]);
}

/// The voter key of the round's one draft.
async fn draft_key(world: &World, round: &Round) -> String {
    use sqlx::Row;
    sqlx::query("SELECT voter_key FROM ballot_drafts WHERE round_id = $1")
        .bind(round.id)
        .fetch_one(&world.raw().await)
        .await
        .unwrap()
        .get("voter_key")
}

/// Kim, verified in Sinchon, with a ballot of one pick (the first of 3 projects) on its
/// confirmation screen: the projects, the round, the bot, Kim's voter key and ballot message.
async fn confirming(world: &World) -> (Vec<i64>, Round, Bot, String, Message) {
    let ids = eligible(world, 3).await;
    let round = open_round(world, Kind::Approval { min: 1, max: 2 }, 300_000_000).await;
    world.verify(KIM, "en", "sinchon").await;
    let kim = user(KIM, "en");
    let mut bot = world.bot(text(&kim, "/vote"));
    bot.dispatch().await;
    let ballot = last_sent(&bot);
    bot.update(press(&kim, &ballot, &format!("vt:{}:{}", round.id, ids[0])));
    bot.dispatch().await;
    bot.update(press(&kim, &ballot, &format!("vs:{}", round.id)));
    bot.dispatch().await;
    assert!(edited(&bot).last().is_some_and(|t| t.contains(&format!("#{}", ids[0]))), "{:?}", edited(&bot));
    let key = draft_key(world, &round).await;
    (ids, round, bot, key, ballot)
}

#[tokio::test]
async fn a_confirm_stores_the_draft_as_stored_when_another_replica_changed_it_after_submit() {
    use pb_bot::{domain::ballot::Ballot, store::Store};
    let world = World::new().await;
    let (ids, round, mut bot, key, ballot) = confirming(&world).await;

    // Kim's tap on the same message reached another replica meanwhile.
    let other = Store::open_with(&world.db.url, false).await.unwrap();
    let changed = Ballot::decode(&format!("{}:1", ids[1])).unwrap();
    other.save_draft(&round, &key, &changed, None, chrono::Utc::now().timestamp()).await.unwrap();

    bot.update(press(&user(KIM, "en"), &ballot, &format!("vc:{}", round.id)));
    bot.dispatch().await;
    assert!(notices(&bot).is_empty(), "{:?}", notices(&bot));
    assert!(edited(&bot).last().is_some_and(|t| t.starts_with("🗳 Your")), "{:?}", edited(&bot));
    let stored = world.store.ballots(round.id).await.unwrap();
    assert_eq!(stored.len(), 1);
    assert_eq!(stored[0].ballot.order(), [ids[1]], "the draft as stored, not as this process last saw it");
    assert!(world.store.draft(round.id, &key).await.unwrap().is_none());
}

#[tokio::test]
async fn a_confirm_after_the_ballot_was_cast_elsewhere_is_refused_as_an_old_message() {
    use pb_bot::{
        domain::ballot::receipt,
        store::{CastOutcome, Draft, Store},
    };
    let world = World::new().await;
    let (_, round, mut bot, key, ballot) = confirming(&world).await;

    // Kim's confirmation reached another replica first (a double press, say).
    let other = Store::open_with(&world.db.url, false).await.unwrap();
    let draft = world.store.draft(round.id, &key).await.unwrap().unwrap();
    let now = chrono::Utc::now().timestamp();
    let cast = other.cast_draft(round.id, &key, "sinchon", &draft, &receipt(), now, None).await.unwrap();
    assert!(matches!(cast, CastOutcome::Cast { replaced: false, .. }), "{cast:?}");
    // A draft that is no longer the one given is not cast.
    let stale = Draft { message_id: Some(1), ..draft };
    assert_eq!(
        other.cast_draft(round.id, &key, "sinchon", &stale, &receipt(), now, None).await.unwrap(),
        CastOutcome::DraftChanged
    );

    bot.update(press(&user(KIM, "en"), &ballot, &format!("vc:{}", round.id)));
    bot.dispatch().await;
    assert_eq!(notices(&bot), ["This is an older ballot message. Use the latest one, or send /vote to open it again."]);
    assert_eq!(world.store.ballots(round.id).await.unwrap().len(), 1);
}

#[tokio::test]
async fn a_round_another_replica_opened_this_very_second_is_offered_at_once() {
    use pb_bot::store::Store;
    let world = World::new().await;
    let ids = eligible(&world, 2).await;
    world.verify(KIM, "en", "sinchon").await;
    let kim = user(KIM, "en");
    let mut bot = world.bot(text(&kim, "/vote"));
    bot.dispatch().await;
    assert_eq!(last_text(&bot), "No ballot is open now. You will hear when voting opens in your dong.");

    let other = Store::open_with(&world.db.url, false).await.unwrap();
    let now = chrono::Utc::now().timestamp();
    let new = new_round(
        "sinchon",
        RoundStage::Dong,
        Kind::Approval { min: 1, max: 1 },
        "greedy",
        100_000_000,
        (now - 60, now + HOUR),
    );
    other.create_round(world.cycle_id().await, &new, None, now).await.unwrap();
    open_and_close_rounds(&other, &world.config, &world.locales, now).await.unwrap();

    bot.update(text(&kim, "/vote"));
    bot.dispatch().await;
    let labels: Vec<String> = buttons(&last_sent(&bot)).into_iter().map(|(label, _)| label).collect();
    assert!(ids.iter().all(|id| labels.iter().any(|l| l.contains(&format!("#{id} ")))), "{labels:?}");
}

#[tokio::test]
async fn a_refused_confirmation_leaves_the_draft_as_it_was() {
    use pb_bot::{
        domain::ballot::receipt,
        store::{CastOutcome, Draft, Store},
    };
    let world = World::new().await;
    let (_, round, _bot, key, _) = confirming(&world).await;
    let draft = world.store.draft(round.id, &key).await.unwrap().unwrap();
    let now = chrono::Utc::now().timestamp();

    // Each refusal is told after the transaction took the draft; it is rolled back with it, and
    // the bot hears of no decision (so it does not answer the button early).
    let stale = Draft { message_id: Some(1), ..draft.clone() };
    let mut refused = vec![];
    for (round_id, draft, at) in
        [(round.id, &stale, now), (round.id, &draft, round.closes_at), (round.id + 99, &draft, now)]
    {
        let (decided, heard) = tokio::sync::oneshot::channel();
        let outcome = world.store.cast_draft(round_id, &key, "sinchon", draft, &receipt(), at, Some(decided)).await;
        assert!(heard.await.is_err(), "no decision for a refusal");
        refused.push(outcome.unwrap());
    }
    assert_eq!(refused, [CastOutcome::DraftChanged, CastOutcome::NotOpen, CastOutcome::NotOpen]);
    let other = Store::open_with(&world.db.url, false).await.unwrap();
    assert_eq!(other.draft(round.id, &key).await.unwrap(), Some(draft.clone()), "the draft is still there");
    assert!(other.ballots(round.id).await.unwrap().is_empty());

    // The store goes on as before: the draft as it stands is cast, its decision heard, and then
    // the draft is gone.
    let (decided, heard) = tokio::sync::oneshot::channel();
    let code = receipt();
    let casting = world.store.cast_draft(round.id, &key, "sinchon", &draft, &code, now, Some(decided));
    let (cast, heard) = tokio::join!(casting, heard);
    assert_eq!(heard, Ok(()), "the decision is heard");
    let cast = cast.unwrap();
    assert!(matches!(cast, CastOutcome::Cast { replaced: false, .. }), "{cast:?}");
    assert_eq!(other.ballots(round.id).await.unwrap().len(), 1);
    assert_eq!(other.draft(round.id, &key).await.unwrap(), None);
}
