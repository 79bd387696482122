//! `pb-bot admin migrate-to`: a live SQLite deployment copied into PostgreSQL.

use std::process::Command;

use pb_bot::{
    domain::{Phase, ReviewDecision, Won},
    store::Store,
};

use crate::helpers::*;

#[tokio::test]
async fn a_sqlite_deployment_moves_to_postgresql_with_every_row_and_won() {
    let Some(target) = TestDb::postgres().await else {
        eprintln!("skipped: needs TEST_DATABASE_URL (CI's PostgreSQL pass runs it)");
        return;
    };
    let world = World::on(TestDb::sqlite(), |_| {}).await;
    let mut ids = Vec::new();
    for n in 0..120 {
        ids.push(
            world
                .seed(
                    KIM + n % 7,
                    if n % 2 == 0 { "sinchon" } else { "district" },
                    &format!("제안 {n}"),
                    1_000_000 + n as i64,
                )
                .await,
        );
    }
    let eligible = ReviewDecision::Eligible { reviewed_cost: Won::from_i64(987_654).unwrap() };
    world.store.review_proposal(ids[3], &eligible, OFFICIAL as i64, &Default::default(), 5).await.unwrap();
    let ineligible = ReviewDecision::Ineligible { reason: "사유지".into() };
    world.store.review_proposal(ids[4], &ineligible, OFFICIAL as i64, &Default::default(), 6).await.unwrap();
    world.store.move_phase(world.cycle_id().await, Phase::Proposals, Phase::Review, OFFICIAL as i64, 7).await.unwrap();
    world.store.set_dialogue(ALEX as i64, r#"{"kind":"review_cost","proposal_id":9}"#, 8).await.unwrap();
    world.store.enqueue_work("delivery", "{}", 9).await.unwrap();
    world.store.claim_job_run("reminders", "slot-1", "replica-a", 9).await.unwrap();
    // A broadcast with a picture: its bytes (every byte value) must cross over unchanged.
    let picture: Vec<u8> = (0..=255u8).cycle().take(70_000).collect();
    let chart = pb_bot::store::Broadcast {
        kind: "results-chart".into(),
        subject: Some("1".into()),
        text_ko: "결과".into(),
        text_en: "Results".into(),
        markup_ko: None,
        markup_en: None,
        audience: vec![pb_bot::store::Follow::AnyDong],
        exclude: None,
        created_by: None,
        photos: Some(pb_bot::store::Photos::Drawn { name: "chart.png".into(), ko: picture.clone(), en: vec![1, 2, 3] }),
    };
    world.store.announce(&chart, "ko", None, 9).await.unwrap().unwrap();

    let migrate = || {
        Command::new(env!("CARGO_BIN_EXE_pb-bot"))
            .args(["admin", "migrate-to", &target.url])
            .env_clear()
            .env("DATABASE_URL", &world.db.url)
            .current_dir(repo_path(""))
            .output()
            .unwrap()
    };
    let copied = migrate();
    assert!(copied.status.success(), "{}", String::from_utf8_lossy(&copied.stderr));
    let said = String::from_utf8_lossy(&copied.stdout);
    assert!(said.contains("proposals               120 rows (same in both)"), "{said}");
    assert!(said.contains("proposals.estimated_cost"), "{said}");
    assert!(!said.contains("hunter"), "{said}");

    let moved = Store::open(&target.url).await.unwrap();
    let cycle = moved.cycle(world.config.cycle_year).await.unwrap().unwrap();
    assert_eq!(cycle.phase, Phase::Review);
    assert_eq!(
        moved.all_proposals(cycle.id).await.unwrap(),
        world.store.all_proposals(world.cycle_id().await).await.unwrap()
    );
    assert_eq!(moved.proposal_history(ids[3]).await.unwrap(), world.store.proposal_history(ids[3]).await.unwrap());
    assert_eq!(moved.dialogue(ALEX as i64).await.unwrap(), world.store.dialogue(ALEX as i64).await.unwrap());
    assert!(!moved.claim_job_run("reminders", "slot-1", "replica-b", 10).await.unwrap(), "job runs came along");
    let source_audit = world.store.audit_log().await.unwrap();
    let moved_audit = moved.audit_log().await.unwrap();
    assert_eq!(&moved_audit[..source_audit.len()], &source_audit[..]);
    assert_eq!(moved_audit.last().unwrap().action, "database.migrate");
    let media = moved.media_named("chart-ko.png").await.unwrap().expect("the picture came along");
    assert_eq!(
        moved.media(media).await.unwrap(),
        Some(pb_bot::store::Media::Upload { name: "chart-ko.png".into(), bytes: picture })
    );

    // New rows continue the numbering instead of colliding with copied ones.
    let newcomer = 424_242;
    moved.touch_user(newcomer, None, 11).await.unwrap();
    moved.set_dialogue(newcomer, "draft", 11).await.unwrap();
    let proposal = pb_bot::domain::NewProposal {
        area_key: "sinchon".into(),
        title: pb_bot::domain::proposal::ProposalTitle::parse("After the move").unwrap(),
        description: pb_bot::domain::proposal::ProposalDescription::parse("x").unwrap(),
        estimated_cost: Won::from_i64(1).unwrap(),
        photo_file_id: None,
        location: None,
    };
    let limit = pb_bot::store::DailyLimit { day_start: 0, max: 5 };
    let outcome = moved.submit_proposal(cycle.id, newcomer, &proposal, "draft", limit, 12).await.unwrap();
    assert_eq!(outcome, pb_bot::store::SubmitOutcome::Submitted { id: 121 });

    // A second run refuses to copy into a database that now holds data.
    let again = migrate();
    assert!(!again.status.success());
    assert!(String::from_utf8_lossy(&again.stderr).contains("the target database is not empty (table users has rows)"));
}
