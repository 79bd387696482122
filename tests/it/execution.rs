//! Carrying out funded projects: publishing an area's final outcome opens an execution card
//! for each funded project, `/project` shows it (or what was decided and why), and a quarter's
//! updates imported from CSV reach each project's followers in their language, all lines or none.

use pb_bot::{
    bot::vote::open_and_close_rounds,
    domain::{
        Won,
        ballot::{Kind, RoundStage},
        execution::{Card, Status, Update},
    },
    store::{PostOutcome, Pushes},
};

use crate::helpers::*;

const LEE: u64 = 100_003;

/// Three Sinchon projects (10M, 20M, 30M) in a greedy round with a 40M pot, ballots cast so
/// that #2 and #1 are funded and #3 is not, and the outcome published by the official.
async fn published(world: &World, bot: &mut Bot) -> (Vec<i64>, i64) {
    let projects = [("Stair lights", 10_000_000), ("Shade trees", 20_000_000), ("Library shelves", 30_000_000)];
    let ids = world.eligible("sinchon", &projects).await;
    let now = chrono::Utc::now().timestamp();
    let kind = Kind::Approval { min: 1, max: 2 };
    let new = new_round("sinchon", RoundStage::Dong, kind, "greedy", 40_000_000, (now - 60, now + 3600));
    let round = world.store.create_round(world.cycle_id().await, &new, None, now).await.unwrap();
    open_and_close_rounds(&world.store, &world.config, &world.locales, now).await.unwrap();
    for (n, picks) in [[ids[1], ids[2]], [ids[1], ids[0]], [ids[2], ids[1]]].iter().enumerate() {
        world.cast(round.id, &format!("roll:{n}"), Some("sinchon"), picks, now).await;
    }
    open_and_close_rounds(&world.store, &world.config, &world.locales, now + 3600).await.unwrap();
    bot.update(press_detached(&user(OFFICIAL, "en"), &format!("ad:rp:{}", round.id)));
    bot.dispatch().await;
    assert!(world.store.publication(round.id).await.unwrap().is_some());
    (ids, round.id)
}

fn update(status: Status, progress: u8, spent: i64, text: &str) -> Update {
    Update {
        status,
        progress,
        spent: Won::from_i64(spent).unwrap(),
        text_ko: text.into(),
        text_en: None,
        reason: None,
        photo: None,
        department: None,
    }
}

#[tokio::test]
async fn a_published_outcome_opens_a_card_for_each_funded_project_and_project_shows_it() {
    let world = World::new().await;
    let mut bot = world.bot(text(&user(KIM, "en"), "/start"));
    bot.dispatch().await;
    let (ids, round) = published(&world, &mut bot).await;
    let card = world.store.execution_card(ids[1]).await.unwrap().expect("funded: a card");
    assert_eq!(
        (card.approved, card.spent, card.progress, card.status),
        (Won::from_i64(20_000_000).unwrap(), Won::ZERO, 0, Status::Planned)
    );
    assert!(world.store.execution_card(ids[0]).await.unwrap().is_some());
    assert!(world.store.execution_card(ids[2]).await.unwrap().is_none(), "not funded: no card");

    let kim = user(KIM, "en");
    bot.update(text(&kim, &format!("/project {}", ids[1])));
    bot.dispatch().await;
    let shown = last_text(&bot);
    assert!(shown.starts_with(&format!("🏗 Project #{} · Sinchon-dong", ids[1])), "{shown}");
    assert!(shown.contains("Status: planned · 0%") && shown.contains("No updates yet."), "{shown}");
    // Not funded: what was decided and why.
    bot.update(text(&kim, &format!("/project #{}", ids[2])));
    bot.dispatch().await;
    let shown = last_text(&bot);
    assert!(shown.contains(&format!("Decided in round {round}:")), "{shown}");
    assert!(shown.contains("Library shelves: not funded. After the projects with more support"), "{shown}");
    // Korean, bad input, unknown project.
    bot.update(text(&user(LEE, "ko"), &format!("/project {}", ids[1])));
    bot.dispatch().await;
    assert!(last_text(&bot).contains("상태: 추진 예정 · 0%"), "{}", last_text(&bot));
    // Reviewed as not eligible: said so, with the reason; not yet on a ballot: where it stands.
    let refused = world.seed(ALEX, "sinchon", "Private parking", 5_000_000).await;
    let decision = pb_bot::domain::ReviewDecision::Ineligible { reason: "사유지입니다".into() };
    let nothing = Pushes { default_lang: "ko", ..Pushes::default() };
    world.store.review_proposal(refused, &decision, OFFICIAL as i64, &nothing, 0).await.unwrap();
    bot.update(text(&kim, &format!("/project {refused}")));
    bot.dispatch().await;
    let shown = last_text(&bot);
    assert!(shown.contains("the review found it not eligible") && shown.contains("사유지입니다"), "{shown}");
    let waiting = world.seed(ALEX, "sinchon", "Bike racks", 5_000_000).await;
    bot.update(text(&kim, &format!("/project {waiting}")));
    bot.dispatch().await;
    assert!(last_text(&bot).contains("Not decided yet."), "{}", last_text(&bot));
    bot.update(text(&kim, "/project twelve"));
    bot.dispatch().await;
    assert_eq!(last_text(&bot), "Please give the project's number, e.g. /project 12.");
    bot.update(text(&kim, "/project 999999"));
    bot.dispatch().await;
    assert!(last_text(&bot).contains("999999"), "{}", last_text(&bot));
}

#[tokio::test]
async fn an_update_is_checked_against_the_card_as_it_stands_and_a_stale_one_is_refused() {
    let world = World::new().await;
    let mut bot = world.bot(text(&user(KIM, "en"), "/start"));
    bot.dispatch().await;
    let (ids, _) = published(&world, &mut bot).await;
    let card: Card = world.store.execution_card(ids[1]).await.unwrap().unwrap();
    let first = update(Status::InProgress, 40, 8_000_000, "착공했습니다");
    let nothing = Pushes { default_lang: "ko", ..Pushes::default() };
    let PostOutcome::Posted(now) =
        world.store.post_update(&card, &first, Some(OFFICIAL as i64), &nothing, 100).await.unwrap()
    else {
        panic!("posted")
    };
    assert_eq!((now.status, now.progress, now.updated_at), (Status::InProgress, 40, 100));
    // Posted against the card as it was before: refused, nothing written.
    let late = update(Status::Delayed, 45, 9_000_000, "지연");
    assert_eq!(world.store.post_update(&card, &late, None, &nothing, 101).await.unwrap(), PostOutcome::Stale);
    let unfunded = Card { proposal_id: ids[2], ..card.clone() };
    assert_eq!(world.store.post_update(&unfunded, &late, None, &nothing, 102).await.unwrap(), PostOutcome::NotFunded);
    let updates = world.store.execution_updates(ids[1], 10).await.unwrap();
    assert_eq!(updates.len(), 1);
    assert_eq!(updates[0].text_ko, "착공했습니다");
    let audit = world.store.audit_log().await.unwrap();
    assert_eq!(audit.iter().filter(|e| e.action == "execution.update").count(), 1);
}

#[tokio::test]
async fn a_quarters_updates_import_whole_reach_each_projects_followers_and_show_on_the_card() {
    let world = World::new().await;
    let mut bot = world.bot(text(&user(KIM, "en"), "/start"));
    bot.dispatch().await;
    let (ids, _) = published(&world, &mut bot).await;
    // KIM (English) follows #2; ALEX proposed all three and follows them.
    world.store.subscribe(KIM as i64, "project", &ids[1].to_string(), 0).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let import = |content: String| {
        let file = dir.path().join("updates.csv");
        std::fs::write(&file, content).unwrap();
        cli(&world.db).args(["admin", "execution", "import"]).arg(&file).output().unwrap()
    };
    let (p1, p2, p3) = (ids[0], ids[1], ids[2]);

    // Refused whole: an unfunded project, progress over 100, overspending without a reason,
    // progress going back without one (against the line before it), a bad amount.
    let bad = format!(
        "project_id,status,progress,spent,text_ko,text_en,reason,department\n\
         {p2},in_progress,40,\"8,000,000\",착공,Work started,,도시디자인과\n\
         {p3},in_progress,10,0,착공,,,\n\
         {p1},in_progress,120,0,착공,,,\n\
         {p1},in_progress,50,1억,착공,,,\n\
         {p2},in_progress,30,\"8,000,000\",조정,,,\n\
         {p1},delayed,10,열 원,지연,,,\n"
    );
    let refused = import(bad);
    assert!(!refused.status.success());
    let said = String::from_utf8_lossy(&refused.stderr);
    assert!(said.contains("nothing was imported"), "{said}");
    assert!(said.contains(&format!("line 3: project {p3} has no execution card")), "{said}");
    assert!(said.contains("line 4: progress 120 is outside 0–100"), "{said}");
    assert!(said.contains("line 5: ") && said.contains("exceeds the approved"), "{said}");
    assert!(said.contains("line 6: ") && said.contains("progress moves back from 40 to 30"), "{said}");
    assert!(said.contains("line 7: spent `열 원`"), "{said}");
    assert!(world.store.execution_updates(p2, 10).await.unwrap().is_empty(), "nothing half-imported");

    // A good quarter: #2 started, then delayed with a reason; #1 completed.
    let good = format!(
        "project_id,status,progress,spent,text_ko,text_en,reason,department\n\
         {p2},in_progress,40,\"8,000,000\",착공했습니다,Work started,,도시디자인과\n\
         {p2},delayed,40,\"8,000,000\",자재 수급 지연,Materials are late,자재 수급 지연,\n\
         {p1},completed,100,950만,준공했습니다,,,\n"
    );
    let done = import(good);
    assert!(done.status.success(), "{}", String::from_utf8_lossy(&done.stderr));
    assert!(String::from_utf8_lossy(&done.stdout).contains("3 updates imported"));
    let card = world.store.execution_card(p2).await.unwrap().unwrap();
    assert_eq!((card.status, card.progress, card.department.as_deref()), (Status::Delayed, 40, Some("도시디자인과")));
    assert_eq!(card.note.as_deref(), Some("자재 수급 지연"));

    // KIM hears of #2 in English, twice, with what changed; ALEX (Korean) of all three.
    let kim: Vec<String> = world.store.outbox_for(KIM as i64).await.unwrap().into_iter().map(|(_, t)| t).collect();
    let news: Vec<&String> = kim.iter().filter(|t| t.contains("an update")).collect();
    assert_eq!(news.len(), 2, "{kim:?}");
    assert!(
        news[0].contains("status planned → in progress · progress 0% → 40%") && news[0].contains("Work started"),
        "{}",
        news[0]
    );
    assert!(news[1].contains("status in progress → delayed") && news[1].contains("Materials are late"), "{}", news[1]);
    let alex: Vec<String> = world.store.outbox_for(ALEX as i64).await.unwrap().into_iter().map(|(_, t)| t).collect();
    assert_eq!(alex.iter().filter(|t| t.contains("추진 소식")).count(), 3, "{alex:?}");
    assert!(alex.iter().any(|t| t.contains("상태 추진 예정 → 완료") && t.contains("준공했습니다")), "{alex:?}");

    bot.update(text(&user(KIM, "en"), &format!("/project {p2}")));
    bot.dispatch().await;
    let shown = last_text(&bot);
    assert!(shown.contains("Department in charge: 도시디자인과") && shown.contains("Status: delayed · 40%"), "{shown}");
    assert!(shown.contains("Note: 자재 수급 지연") && shown.contains("Materials are late"), "{shown}");

    // Milestones: refused whole on a bad line, then shown on the card.
    let plan = |content: &str| {
        let file = dir.path().join("milestones.csv");
        std::fs::write(&file, content).unwrap();
        cli(&world.db).args(["admin", "execution", "milestones"]).arg(&file).output().unwrap()
    };
    let refused = plan(&format!(
        "project_id,title_ko,title_en,due_on,done_on\n{p2},설계,Design,2020-03-31,2020-03-20\n{p3},착공,,2020-06-30,\n{p2},착공,,June,\n"
    ));
    let said = String::from_utf8_lossy(&refused.stderr);
    assert!(said.contains(&format!("line 3: project {p3} has no execution card")), "{said}");
    assert!(said.contains("line 4: due_on `June` is not a date"), "{said}");
    assert!(world.store.milestones(p2).await.unwrap().is_empty(), "nothing half-imported");
    let done = plan(&format!(
        "project_id,title_ko,title_en,due_on,done_on\n{p2},설계,Design,2020-03-31,2020-03-20\n{p2},착공,Start of works,2020-06-30,\n{p2},준공,Completion,2999-12-31,\n"
    ));
    assert!(done.status.success(), "{}", String::from_utf8_lossy(&done.stderr));
    bot.update(text(&user(KIM, "en"), &format!("/project {p2}")));
    bot.dispatch().await;
    let shown = last_text(&bot);
    assert!(shown.contains("Milestones:\n· ✅ Design — due 2020-03-31, done 2020-03-20"), "{shown}");
    assert!(shown.contains("· ⚠️ Start of works — was due 2020-06-30, not done yet"), "{shown}");
    assert!(shown.contains("· ⏳ Completion — by 2999-12-31"), "{shown}");

    // The quarter's report for the district website.
    let (csv, md) = quarter_report(&world.db);
    let rows: Vec<&str> = csv.lines().collect();
    assert_eq!(rows.len(), 3, "a header and the two funded projects: {csv}");
    assert!(rows[1].starts_with(&format!("{p1},Stair lights,신촌동,,10000000,9500000,100,completed,1,")), "{csv}");
    assert!(
        rows[2].starts_with(&format!("{p2},Shade trees,신촌동,도시디자인과,20000000,8000000,40,delayed,2,")),
        "{csv}"
    );
    assert!(
        md.contains(&format!("## #{p2} Shade trees — 신촌동")) && md.contains("자재 수급 지연 / Materials are late"),
        "{md}"
    );
    assert!(md.contains("상태 Status: 완료 (completed) · 100%"), "{md}");
    let bad = cli(&world.db).args(["admin", "execution", "report", "--quarter", "2027Q5"]).output().unwrap();
    assert!(String::from_utf8_lossy(&bad.stderr).contains("not a quarter"));
}

#[tokio::test]
async fn an_official_posts_an_update_step_by_step_and_the_projects_followers_hear_of_it() {
    let world = World::new().await;
    let official = user(OFFICIAL, "en");
    let mut bot = world.bot(text(&official, "/start"));
    bot.dispatch().await;
    let (ids, _) = published(&world, &mut bot).await;
    let p2 = ids[1];
    world.store.touch_user(KIM as i64, Some("en"), 0).await.unwrap();
    world.store.subscribe(KIM as i64, "project", &p2.to_string(), 0).await.unwrap();
    let say = |bot: &mut Bot, words: &str| bot.update(text(&official, words));

    bot.update(press_detached(&official, "ad:xl"));
    bot.dispatch().await;
    bot.update(press_detached(&official, &format!("ad:xp:{p2}")));
    bot.dispatch().await;
    let asked = last_sent(&bot);
    assert!(asked.text().unwrap().contains(&format!("Update of #{p2} (now planned, 0%)")), "{:?}", asked.text());
    let status = button_data(&asked, "in progress");
    bot.update(press_detached(&official, &status));
    bot.dispatch().await;
    assert!(last_text(&bot).starts_with("Progress now"), "{}", last_text(&bot));
    say(&mut bot, "120");
    bot.dispatch().await;
    assert_eq!(last_text(&bot), "Progress is a whole number from 0 to 100.");
    say(&mut bot, "40%");
    bot.dispatch().await;
    say(&mut bot, "팔백만");
    bot.dispatch().await;
    assert!(!last_text(&bot).starts_with("The news in Korean"), "a bad amount is refused: {}", last_text(&bot));
    say(&mut bot, "800만");
    bot.dispatch().await;
    assert!(last_text(&bot).starts_with("The news in Korean"), "{}", last_text(&bot));
    say(&mut bot, "착공했습니다");
    bot.dispatch().await;
    let english = last_sent(&bot);
    bot.update(press_detached(&official, &button_data(&english, "Skip English")));
    bot.dispatch().await;
    assert!(last_text(&bot).starts_with("A photo of the work?"), "{}", last_text(&bot));
    // A second tap on the old button does not skip the photo too.
    bot.update(press_detached(&official, &button_data(&english, "Skip English")));
    bot.dispatch().await;
    assert!(notices(&bot).iter().any(|n| n.contains("out of date")), "{:?}", notices(&bot));
    // Text where a photo is expected asks again; a photo over 10 MB is refused.
    say(&mut bot, "no photo today");
    bot.dispatch().await;
    assert!(last_text(&bot).starts_with("A photo of the work?"), "{}", last_text(&bot));
    let size = |id: &str, bytes: u32| teloxide::types::PhotoSize {
        file: teloxide::types::FileMeta {
            id: teloxide::types::FileId(id.into()),
            unique_id: teloxide::types::FileUniqueId(format!("u-{id}")),
            size: bytes,
        },
        width: 1280,
        height: 960,
    };
    bot.update(photo(&official).photo(vec![size("huge", 20 << 20)]));
    bot.dispatch().await;
    assert!(last_text(&bot).contains("too large"), "{}", last_text(&bot));
    bot.update(photo(&official).photo(vec![size("site-photo", 300_000)]));
    bot.dispatch().await;
    let preview = last_sent(&bot);
    assert!(preview.text().unwrap().contains("📷 with a photo"), "{:?}", preview.text());
    let shown = preview.text().unwrap().to_owned();
    assert!(
        shown.contains("status planned → in progress · progress 0% → 40% · spent ₩0 → ₩8,000,000 (of ₩20,000,000)"),
        "{shown}"
    );
    say(&mut bot, "one more thing");
    bot.dispatch().await;
    assert!(last_text(&bot).contains("use the buttons"), "{}", last_text(&bot));
    bot.update(press_detached(&official, &button_data(&preview, "✅ Post it")));
    bot.dispatch().await;
    assert!(notices(&bot).iter().any(|n| n.starts_with("Posted.")), "{:?}", notices(&bot));
    assert!(last_text(&bot).contains("Status: in progress · 40%"), "{}", last_text(&bot));
    let kim = world.store.outbox_for(KIM as i64).await.unwrap();
    assert!(kim.iter().any(|(_, t)| t.contains("an update") && t.contains("착공했습니다")), "{kim:?}");
    assert!(kim.iter().any(|(_, t)| t == &format!("📷 #{p2} Shade trees")), "the photo goes too: {kim:?}");
    assert_eq!(world.store.execution_updates(p2, 1).await.unwrap()[0].photo_file_id.as_deref(), Some("site-photo"));
    // A second tap posts nothing more.
    bot.update(press_detached(&official, &button_data(&preview, "✅ Post it")));
    bot.dispatch().await;
    assert_eq!(world.store.execution_updates(p2, 10).await.unwrap().len(), 1);

    // Going back needs a reason, asked for after the texts.
    bot.update(press_detached(&official, &format!("ad:xp:{p2}")));
    bot.dispatch().await;
    bot.update(press_detached(&official, &button_data(&last_sent(&bot), "delayed")));
    bot.dispatch().await;
    for words in ["30", "800만", "설계 변경", "Design change"] {
        say(&mut bot, words);
        bot.dispatch().await;
    }
    bot.update(press_detached(&official, &button_data(&last_sent(&bot), "No photo")));
    bot.dispatch().await;
    assert!(last_text(&bot).starts_with("Progress goes back from 40% to 30%"), "{}", last_text(&bot));
    say(&mut bot, "구청 설계 변경으로 일부 재시공");
    bot.dispatch().await;
    let preview = last_sent(&bot);
    bot.update(press_detached(&official, &button_data(&preview, "✅ Post it")));
    bot.dispatch().await;
    let card = world.store.execution_card(p2).await.unwrap().unwrap();
    assert_eq!((card.status, card.progress), (Status::Delayed, 30));
    assert_eq!(card.note.as_deref(), Some("구청 설계 변경으로 일부 재시공"));
    let kim = world.store.outbox_for(KIM as i64).await.unwrap();
    assert!(kim.iter().any(|(_, t)| t.contains("Design change") && t.contains("Note: 구청 설계 변경")), "{kim:?}");

    // Residents cannot open the officials' flow.
    bot.update(press_detached(&user(KIM, "en"), &format!("ad:xp:{p2}")));
    bot.dispatch().await;
    assert_eq!(world.store.execution_updates(p2, 10).await.unwrap().len(), 2);
}

#[tokio::test]
async fn after_each_quarter_every_area_gets_one_digest_of_its_projects_once() {
    use chrono::TimeZone;
    let world = World::new().await;
    let mut bot = world.bot(text(&user(KIM, "en"), "/start"));
    bot.dispatch().await;
    let (ids, _) = published(&world, &mut bot).await;
    // KIM follows Sinchon-dong; LEE follows only Yeonhui-dong, which has no funded project.
    world.store.subscribe(KIM as i64, "dong", "sinchon", 0).await.unwrap();
    world.store.touch_user(LEE as i64, Some("ko"), 0).await.unwrap();
    world.store.subscribe(LEE as i64, "dong", "yeonhui", 0).await.unwrap();
    let seoul = chrono_tz::Asia::Seoul;
    let digest = |when: chrono::DateTime<chrono_tz::Tz>| {
        let world = &world;
        async move {
            pb_bot::bot::execution::queue_digests(
                &world.store,
                &world.config,
                &world.locales,
                when.with_timezone(&chrono::Utc),
            )
            .await
            .unwrap()
        }
    };
    // Not the digest day (the 5th of January, April, July and October).
    assert_eq!(digest(seoul.with_ymd_and_hms(2031, 4, 4, 9, 0, 0).unwrap()).await, 0);
    assert_eq!(digest(seoul.with_ymd_and_hms(2031, 5, 5, 9, 0, 0).unwrap()).await, 0);
    assert_eq!(digest(seoul.with_ymd_and_hms(2031, 4, 5, 9, 0, 0).unwrap()).await, 1, "Sinchon only");
    assert_eq!(digest(seoul.with_ymd_and_hms(2031, 4, 5, 9, 15, 0).unwrap()).await, 0, "once a quarter");
    let kim: Vec<String> = world.store.outbox_for(KIM as i64).await.unwrap().into_iter().map(|(_, t)| t).collect();
    let digests: Vec<&String> = kim.iter().filter(|t| t.starts_with("📋")).collect();
    assert_eq!(digests.len(), 1, "{kim:?}");
    assert!(digests[0].starts_with("📋 Sinchon-dong: where its PB projects stand after 2031Q1"), "{}", digests[0]);
    for id in [ids[0], ids[1]] {
        assert!(digests[0].contains(&format!("· #{id} ")), "{}", digests[0]);
    }
    assert!(!digests[0].contains(&format!("#{} ", ids[2])), "unfunded projects have no card: {}", digests[0]);
    assert!(world.store.outbox_for(LEE as i64).await.unwrap().iter().all(|(_, t)| !t.starts_with("📋")));
    // January's digest is the previous year's fourth quarter.
    assert_eq!(digest(seoul.with_ymd_and_hms(2032, 1, 5, 9, 0, 0).unwrap()).await, 1);
    assert!(world.store.job_ran(pb_bot::bot::execution::DIGEST_JOB, "2031Q4").await.unwrap());
}

#[tokio::test]
async fn a_year_end_evaluation_invites_the_areas_residents_once_and_its_ratings_reach_the_report() {
    const CHOI: u64 = 100_005;
    let world = World::new().await;
    let official = user(OFFICIAL, "en");
    let mut bot = world.bot(text(&official, "/start"));
    bot.dispatch().await;
    let (ids, _) = published(&world, &mut bot).await;
    let p2 = ids[1];
    world.verify(KIM, "en", "sinchon").await;
    world.verify(LEE, "ko", "sinchon").await;
    world.verify(CHOI, "ko", "yeonhui").await;

    bot.update(press_detached(&official, "ad:ea"));
    bot.dispatch().await;
    let areas = bot.get_responses().edited_messages_text.last().cloned().map(|m| m.message);
    let areas = areas.unwrap_or_else(|| last_sent(&bot));
    assert_eq!(buttons(&areas)[0], ("📝 Sinchon-dong (2)".to_owned(), "ad:eo:sinchon".to_owned()));
    bot.update(press_detached(&official, "ad:eo:sinchon"));
    bot.dispatch().await;
    assert!(notices(&bot).iter().any(|n| n == "Opened; 2 residents are invited."), "{:?}", notices(&bot));
    bot.update(press_detached(&official, "ad:eo:sinchon"));
    bot.dispatch().await;
    assert!(notices(&bot).iter().any(|n| n.contains("opened already")), "{:?}", notices(&bot));
    let invited = |user: u64| {
        let store = world.store.clone();
        async move {
            store.outbox_for(user as i64).await.unwrap().into_iter().filter(|(_, t)| t.starts_with("📝")).count()
        }
    };
    assert_eq!((invited(KIM).await, invited(LEE).await, invited(CHOI).await), (1, 1, 0));
    let evaluation = world.store.evaluation(1).await.unwrap().expect("opened");
    let e = evaluation.id;

    // Kim rates #2 4, comments, then changes it to 5; Lee rates it 5 without a comment.
    let kim = user(KIM, "en");
    bot.update(press_detached(&kim, &format!("ev:{e}:{p2}")));
    bot.dispatch().await;
    assert!(last_text(&bot).contains("Shade trees: your rating"), "{}", last_text(&bot));
    bot.update(press_detached(&kim, &format!("er:{e}:{p2}:4")));
    bot.dispatch().await;
    assert!(last_text(&bot).starts_with("Thank you: 4/5 is saved"), "{}", last_text(&bot));
    bot.update(text(&kim, &"x".repeat(501)));
    bot.dispatch().await;
    assert!(last_text(&bot).contains("1 to 500 characters"), "{}", last_text(&bot));
    bot.update(text(&kim, "Nice shade in summer"));
    bot.dispatch().await;
    assert_eq!(last_text(&bot), "Your comment is saved. Thank you.");
    bot.update(press_detached(&kim, &format!("er:{e}:{p2}:5")));
    bot.dispatch().await;
    bot.update(text(&kim, "/cancel"));
    bot.dispatch().await;
    bot.update(press_detached(&user(LEE, "ko"), &format!("er:{e}:{p2}:5")));
    bot.dispatch().await;
    // Another dong's resident, a rating out of range, a closed evaluation.
    bot.update(press_detached(&user(CHOI, "ko"), &format!("ev:{e}:{p2}")));
    bot.dispatch().await;
    assert!(notices(&bot).iter().any(|n| n.contains("인증 주민만")), "{:?}", notices(&bot));
    bot.update(press_detached(&kim, &format!("er:{e}:{p2}:6")));
    bot.dispatch().await;
    assert_eq!(
        world.store.answer_evaluation(e, p2, "late", 3, None, evaluation.closes_at + 1).await.unwrap(),
        pb_bot::store::AnswerOutcome::Closed
    );

    let results = world.store.evaluation_results().await.unwrap();
    assert_eq!(results.len(), 1);
    assert_eq!((results[0].proposal_id, results[0].count, results[0].sum), (p2, 2, 10), "the last rating counts");
    assert_eq!(results[0].comments, ["Nice shade in summer"]);
    let (csv, md) = quarter_report(&world.db);
    assert!(
        md.contains("Residents' rating: 5.0/5 (2명 평가 · 2 ratings)") && md.contains("“Nice shade in summer”"),
        "{md}"
    );
    assert!(csv.lines().any(|l| l.starts_with(&format!("{p2},")) && l.ends_with(",5.0,2")), "{csv}");
}
