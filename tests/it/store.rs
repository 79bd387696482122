//! The store's guarantees, checked on the data itself.

use pb_bot::{
    domain::{
        NewProposal, Phase, ProposalStatus, ReviewDecision, Won,
        proposal::{ProposalDescription, ProposalTitle},
    },
    store::{DailyLimit, ReviewOutcome, SubmitOutcome},
};

use crate::helpers::*;

fn bench() -> NewProposal {
    NewProposal {
        area_key: "sinchon".into(),
        title: ProposalTitle::parse("Bench").unwrap(),
        description: ProposalDescription::parse("By the stream").unwrap(),
        estimated_cost: Won::from_i64(1_000_000).unwrap(),
        photo_file_id: None,
        location: None,
    }
}

#[tokio::test]
async fn a_submission_over_the_daily_limit_keeps_the_draft_and_stores_nothing() {
    let world = World::new().await;
    let cycle = world.cycle_id().await;
    let user = ALEX as i64;
    world.store.touch_user(user, Some("en"), 10).await.unwrap();
    world.store.set_dialogue(user, "draft-1", 10).await.unwrap();
    let limit = DailyLimit { day_start: 0, max: 1 };
    assert_eq!(
        world.store.submit_proposal(cycle, user, &bench(), "draft-1", limit, 20).await.unwrap(),
        SubmitOutcome::Submitted { id: 1 }
    );

    world.store.set_dialogue(user, "draft-2", 30).await.unwrap();
    let outcome = world.store.submit_proposal(cycle, user, &bench(), "draft-2", limit, 40).await.unwrap();
    assert_eq!(outcome, SubmitOutcome::DailyLimitReached { limit: 1 });
    assert_eq!(world.store.dialogue(user).await.unwrap().as_deref(), Some("draft-2"), "the draft is kept");
    assert_eq!(world.store.all_proposals(cycle).await.unwrap().len(), 1);

    // The next day (day_start after the first submission) the same draft goes through.
    let tomorrow = DailyLimit { day_start: 25, max: 1 };
    assert_eq!(
        world.store.submit_proposal(cycle, user, &bench(), "draft-2", tomorrow, 50).await.unwrap(),
        SubmitOutcome::Submitted { id: 2 }
    );
}

#[tokio::test]
async fn a_replaced_or_finished_dialogue_cannot_submit_again() {
    let world = World::new().await;
    let cycle = world.cycle_id().await;
    let user = KIM as i64;
    world.store.touch_user(user, None, 0).await.unwrap();
    world.store.set_dialogue(user, "newer", 0).await.unwrap();
    let limit = DailyLimit { day_start: 0, max: 10 };
    assert_eq!(
        world.store.submit_proposal(cycle, user, &bench(), "older", limit, 1).await.unwrap(),
        SubmitOutcome::AlreadyHandled
    );
    assert!(world.store.all_proposals(cycle).await.unwrap().is_empty());
}

#[tokio::test]
async fn a_proposal_is_reviewed_once() {
    let world = World::new().await;
    let id = world.seed(KIM, "sinchon", "Bench", 1_000_000).await;
    let eligible = ReviewDecision::Eligible { reviewed_cost: Won::from_i64(900_000).unwrap() };
    let ReviewOutcome::Reviewed(p) =
        world.store.review_proposal(id, &eligible, OFFICIAL as i64, &Default::default(), 5).await.unwrap()
    else {
        panic!()
    };
    assert_eq!(p.status, ProposalStatus::Eligible);
    let again = ReviewDecision::Ineligible { reason: "late".into() };
    assert_eq!(
        world.store.review_proposal(id, &again, OFFICIAL as i64, &Default::default(), 6).await.unwrap(),
        ReviewOutcome::NotPending(ProposalStatus::Eligible)
    );
    assert_eq!(
        world.store.review_proposal(99, &again, OFFICIAL as i64, &Default::default(), 6).await.unwrap(),
        ReviewOutcome::NotFound
    );
    assert_eq!(world.store.proposal_history(id).await.unwrap().len(), 2);
}

#[tokio::test]
async fn the_audit_log_is_append_only() {
    let world = World::new().await;
    let cycle = world.cycle_id().await;
    world.store.move_phase(cycle, Phase::Proposals, Phase::Review, OFFICIAL as i64, 1).await.unwrap();
    let entries = world.store.audit_log().await.unwrap();
    assert_eq!(entries.iter().map(|e| e.action.as_str()).collect::<Vec<_>>(), ["district.apply", "cycle.phase"]);
    let pool = world.raw().await;
    let update = sqlx::query("UPDATE audit_log SET action = 'x'").execute(&pool).await.unwrap_err();
    assert!(update.to_string().contains("audit_log is append-only"), "{update}");
    let delete = sqlx::query("DELETE FROM audit_log").execute(&pool).await.unwrap_err();
    assert!(delete.to_string().contains("audit_log is append-only"), "{delete}");
}

#[tokio::test]
async fn reapplying_the_district_keeps_the_cycle_and_retires_dropped_areas() {
    let mut world = World::new().await;
    let cycle = world.cycle_id().await;
    world.store.move_phase(cycle, Phase::Proposals, Phase::Review, OFFICIAL as i64, 1).await.unwrap();
    let mut config = (*world.config).clone();
    config.areas.retain(|a| a.key != "sinchon");
    let again = world.store.apply_district(&config, 2).await.unwrap();
    assert_eq!((again.id, again.phase), (cycle, Phase::Review), "the running cycle keeps its phase");
    world.restart().await;
    let pool = world.raw().await;
    let active: Vec<(String, i64)> =
        sqlx::query_as("SELECT key, active FROM areas WHERE key IN ('sinchon', 'yeonhui') ORDER BY key")
            .fetch_all(&pool)
            .await
            .unwrap();
    assert_eq!(active, [("sinchon".to_owned(), 0), ("yeonhui".to_owned(), 1)]);
}

#[tokio::test]
async fn a_dialogue_moves_on_only_from_the_state_it_was_read_in() {
    let world = World::new().await;
    let user = KIM as i64;
    world.store.touch_user(user, None, 0).await.unwrap();
    world.store.set_dialogue(user, "asking-title", 0).await.unwrap();
    // Replica A read "asking-title" and stores its answer; replica B, which read the same state,
    // must not overwrite A's step with its own.
    assert!(world.store.replace_dialogue(user, "asking-title", "asking-description", 1).await.unwrap());
    assert!(!world.store.replace_dialogue(user, "asking-title", "asking-description-from-b", 1).await.unwrap());
    assert_eq!(world.store.dialogue(user).await.unwrap().as_deref(), Some("asking-description"));
    assert!(!world.store.replace_dialogue(424_242, "x", "y", 1).await.unwrap(), "no dialogue, nothing replaced");
}

#[tokio::test]
async fn seeing_a_user_again_writes_only_what_changed_or_a_stale_last_seen() {
    use pb_bot::{i18n::Lang, store::LAST_SEEN_PRECISION};
    use sqlx::Row;
    let world = World::new().await;
    let pool = world.raw().await;
    let user = ALEX as i64;
    let row = |pool: sqlx::AnyPool| async move {
        let r =
            sqlx::query("SELECT telegram_language, language, blocked_at, last_seen FROM users WHERE telegram_id = $1")
                .bind(user)
                .fetch_one(&pool)
                .await
                .unwrap();
        let telegram: Option<String> = r.get("telegram_language");
        let language: Option<String> = r.get("language");
        let blocked: Option<i64> = r.get("blocked_at");
        (telegram, language, blocked, r.get::<i64, _>("last_seen"))
    };
    world.store.touch_user(user, Some("en"), 1_000).await.unwrap();
    assert_eq!(row(pool.clone()).await, (Some("en".into()), Some("en".into()), None, 1_000));

    // Nothing changed and last seen recently: nothing written.
    world.store.touch_user(user, Some("en"), 1_000 + LAST_SEEN_PRECISION - 1).await.unwrap();
    world.store.touch_user(user, None, 1_000 + LAST_SEEN_PRECISION - 1).await.unwrap();
    assert_eq!(row(pool.clone()).await.3, 1_000);
    // Stale: written.
    world.store.touch_user(user, Some("en"), 1_000 + LAST_SEEN_PRECISION).await.unwrap();
    assert_eq!(row(pool.clone()).await.3, 1_000 + LAST_SEEN_PRECISION);

    // The app's language changed, a moment later: written at once.
    let seen = world.store.touch_user(user, Some("ko-KR"), 1_000 + LAST_SEEN_PRECISION + 1).await.unwrap();
    assert_eq!(seen.telegram.as_deref(), Some("ko-KR"));
    assert_eq!(row(pool.clone()).await.1.as_deref(), Some("ko"));

    // A block is cleared by the next update, however recent the last one.
    world.store.mark_blocked(user, "403 Forbidden: bot was blocked by the user", 1_700).await.unwrap();
    assert!(row(pool.clone()).await.2.is_some());
    world.store.touch_user(user, Some("ko-KR"), 1_701).await.unwrap();
    assert_eq!(row(pool.clone()).await.2, None);

    // A chosen language stays whatever the app says, and is what the store reports.
    world.store.set_language(user, Lang::En).await.unwrap();
    let seen = world.store.touch_user(user, Some("ko"), 1_702).await.unwrap();
    assert_eq!((seen.chosen, seen.telegram.as_deref()), (Some(Lang::En), Some("ko")));
    assert_eq!(row(pool).await.1.as_deref(), Some("en"));
}

#[tokio::test]
async fn a_checkpoint_copies_the_write_ahead_log_into_the_sqlite_file() {
    let world = World::new().await;
    // A store that keeps its connections, as `pb-bot run` does: SQLite copies the log into the
    // file by itself when the last connection closes.
    let store = pb_bot::store::Store::open(&world.db.url).await.unwrap();
    let user = KIM as i64;
    store.touch_user(user, Some("ko"), 1_000).await.unwrap();
    store.set_dialogue(user, "asking-title", 1_000).await.unwrap();
    match store.backend() {
        pb_bot::store::Backend::Postgres => assert_eq!(store.checkpoint().await.unwrap(), None),
        pb_bot::store::Backend::Sqlite => {
            let (log, copied) = store.checkpoint().await.unwrap().expect("SQLite checkpoints");
            assert!(log > 0, "the writes above are in the log");
            assert_eq!(copied, log, "no reader holds the log back, so all of it is copied");
            // Copied, the log is started again by the next write.
            store.set_dialogue(user, "asking-description", 1_001).await.unwrap();
            let (again, _) = store.checkpoint().await.unwrap().unwrap();
            assert!(again < log, "the log restarted: {again} pages after {log}");
            store.close().await;
            assert_eq!(world.store.dialogue(user).await.unwrap().as_deref(), Some("asking-description"));
        }
    }
}
