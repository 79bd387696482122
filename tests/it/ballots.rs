//! Ballot rounds and ballots in the store: opening and closing on time (once, with a controlled
//! clock), projects fixed at opening, the last ballot counting, paper ballots ending chat voting,
//! concurrent submits leaving one ballot, drafts across a restart, and no ballot row naming its
//! voter.

use pb_bot::{
    domain::{
        ReviewDecision, Won,
        ballot::{Ballot, Kind, RoundStage, receipt},
    },
    store::{CastOutcome, NewRound, Pushes, Round, Source, Store, rules_of},
};

use crate::helpers::*;

const HOUR: i64 = 3600;

fn nothing(_: &Round) -> Pushes {
    Pushes { default_lang: "ko", ..Pushes::default() }
}

/// Two eligible Sinchon proposals (30M and 50M won) and one still waiting; their ids.
async fn eligible_projects(world: &World) -> (i64, i64, i64) {
    let mut ids = vec![];
    for (title, cost) in [("Stair lights", 30_000_000), ("Shade trees", 50_000_000), ("Bench", 5_000_000)] {
        ids.push(world.seed(ALEX, "sinchon", title, cost).await);
    }
    for id in &ids[..2] {
        let cost = world.store.proposal(*id).await.unwrap().unwrap().estimated_cost;
        let decision = ReviewDecision::Eligible { reviewed_cost: cost };
        let pushes = Pushes { default_lang: "ko", ..Pushes::default() };
        world.store.review_proposal(*id, &decision, OFFICIAL as i64, &pushes, 0).await.unwrap();
    }
    (ids[0], ids[1], ids[2])
}

fn round(kind: Kind, opens_at: i64) -> NewRound {
    NewRound {
        area_key: "sinchon".into(),
        stage: RoundStage::Dong,
        kind,
        rule: "greedy".into(),
        pot: Won::from_i64(60_000_000).unwrap(),
        opens_at,
        closes_at: opens_at + 48 * HOUR,
    }
}

#[tokio::test]
async fn rounds_open_and_close_on_time_once_with_the_projects_eligible_at_opening() {
    let world = World::new().await;
    let (lights, trees, bench) = eligible_projects(&world).await;
    let cycle = world.cycle_id().await;
    let t0 = 1_900_000_000;
    let created = world.store.create_round(cycle, &round(Kind::Knapsack, t0 + HOUR), Some(OFFICIAL as i64), t0).await;
    let created = created.unwrap();
    let mut yeonhui = round(Kind::Approval { min: 1, max: 2 }, t0 + HOUR);
    yeonhui.area_key = "yeonhui".into();
    let empty = world.store.create_round(cycle, &yeonhui, None, t0).await.unwrap();

    let follower = |r: &Round, projects: &[pb_bot::store::RoundProject]| Pushes {
        notices: vec![pb_bot::store::Notice {
            chat_id: KIM as i64,
            text: format!("round {} open with {} projects", r.id, projects.len()),
            markup: None,
        }],
        broadcasts: vec![],
        default_lang: "ko",
    };
    world.store.touch_user(KIM as i64, Some("ko"), t0).await.unwrap();
    assert!(world.store.open_due_rounds(t0 + HOUR - 1, follower).await.unwrap().is_empty(), "not yet");
    let opened = world.store.open_due_rounds(t0 + HOUR, follower).await.unwrap();
    assert_eq!(opened.len(), 2);
    assert!(opened[0].is_open(t0 + HOUR) && opened[0].id == created.id);
    assert_eq!(opened[1].void_reason.as_deref(), Some("no eligible project in the area"));
    assert!(!opened[1].is_open(t0 + HOUR), "a round without projects is void");
    assert_eq!(opened[1].id, empty.id);
    assert!(world.store.open_due_rounds(t0 + 2 * HOUR, follower).await.unwrap().is_empty(), "once");
    let told = world.store.outbox_for(KIM as i64).await.unwrap();
    assert_eq!(told, [("queued".into(), format!("round {} open with 2 projects", created.id))], "void: not announced");

    // The projects are those eligible at opening; a later review does not join the ballot.
    let projects = world.store.round_projects(created.id).await.unwrap();
    assert_eq!(projects.iter().map(|p| p.proposal_id).collect::<Vec<_>>(), [lights, trees]);
    assert_eq!(projects[0].cost, Won::from_i64(30_000_000).unwrap());
    let decision = ReviewDecision::Eligible { reviewed_cost: Won::from_i64(5_000_000).unwrap() };
    let pushes = Pushes { default_lang: "ko", ..Pushes::default() };
    world.store.review_proposal(bench, &decision, OFFICIAL as i64, &pushes, t0).await.unwrap();
    assert_eq!(world.store.round_projects(created.id).await.unwrap().len(), 2);

    // Closing: on time, once, drafts dropped.
    let ballot = Ballot::decode(&format!("{lights}:1")).unwrap();
    world.store.save_draft(&created, "k", &ballot, Some(7), t0).await.unwrap();
    let closes = created.closes_at;
    assert!(world.store.close_due_rounds(closes - 1, nothing).await.unwrap().is_empty());
    assert_eq!(world.store.close_due_rounds(closes, nothing).await.unwrap().len(), 1);
    assert!(world.store.close_due_rounds(closes + 60, nothing).await.unwrap().is_empty(), "once");
    assert_eq!(world.store.draft(created.id, "k").await.unwrap(), None);
    let audit: Vec<String> = world.store.audit_log().await.unwrap().into_iter().map(|e| e.action).collect();
    for action in ["round.create", "round.open", "round.void", "round.close"] {
        assert!(audit.contains(&action.to_owned()), "{action} missing from {audit:?}");
    }
}

#[tokio::test]
async fn the_last_ballot_counts_a_paper_ballot_ends_chat_voting_and_limits_hold_at_submit() {
    let world = World::new().await;
    let (lights, trees, _) = eligible_projects(&world).await;
    let cycle = world.cycle_id().await;
    let t0 = 1_900_000_000;
    let r = world.store.create_round(cycle, &round(Kind::Knapsack, t0), None, t0 - HOUR).await.unwrap();
    let ballot = |text: &str| Ballot::decode(text).unwrap();
    let cast = |key: &'static str, b: Ballot, source: Source, at: i64| {
        let store = world.store.clone();
        async move { store.cast_ballot(r.id, key, Some("sinchon"), &b, &receipt(), source, None, at).await.unwrap() }
    };
    assert_eq!(cast("v1", ballot(&format!("{lights}:1")), Source::Chat, t0).await, CastOutcome::NotOpen, "not opened");
    world.store.open_due_rounds(t0, |_, _| nothing(&r)).await.unwrap();

    let first = cast("v1", ballot(&format!("{lights}:1")), Source::Chat, t0 + 1).await;
    assert!(matches!(first, CastOutcome::Cast { replaced: false, .. }), "{first:?}");
    let over = cast("v1", ballot(&format!("{lights}:1,{trees}:1")), Source::Chat, t0 + 2).await;
    assert!(matches!(over, CastOutcome::Invalid(ref why) if why.starts_with("costs ₩80,000,000 > pot")), "{over:?}");
    let forged = cast("v1", ballot("999:1"), Source::Chat, t0 + 2).await;
    assert_eq!(forged, CastOutcome::Invalid("#999 is not on this ballot".into()));
    let second = cast("v1", ballot(&format!("{trees}:1")), Source::Chat, t0 + 3).await;
    let CastOutcome::Cast { receipt: kept, replaced: true } = second else { panic!("{second:?}") };
    let stored = world.store.ballots(r.id).await.unwrap();
    assert_eq!(stored.len(), 1, "the last ballot counts");
    assert_eq!((stored[0].receipt.clone(), stored[0].ballot.order()), (kept, vec![trees]));

    // A paper ballot replaces the chat one; chat voting has ended for that voter.
    let paper = cast("v1", ballot(&format!("{lights}:1")), Source::Paper, t0 + 4).await;
    assert!(matches!(paper, CastOutcome::Cast { replaced: true, .. }));
    assert_eq!(cast("v1", ballot(&format!("{trees}:1")), Source::Chat, t0 + 5).await, CastOutcome::PaperEntered);
    let stored = world.store.ballots(r.id).await.unwrap();
    assert!(stored[0].paper && stored[0].ballot.order() == [lights]);
    let audit = world.store.audit_log().await.unwrap();
    let paper_entry = audit.iter().find(|e| e.action == "ballot.paper").unwrap();
    assert_eq!(paper_entry.detail.as_deref(), Some(r#"{"replaced_chat_ballot":true}"#));

    // After closing time nothing is taken, even before the close job has run.
    let late = cast("v2", ballot(&format!("{lights}:1")), Source::Chat, r.closes_at).await;
    assert_eq!(late, CastOutcome::NotOpen);
    assert_eq!(world.store.turnout(r.id).await.unwrap(), [(Some("sinchon".into()), 1)]);
}

#[tokio::test]
async fn concurrent_submits_leave_one_ballot_per_voter_and_drafts_survive_a_restart() {
    let world = World::new().await;
    let (lights, trees, _) = eligible_projects(&world).await;
    let cycle = world.cycle_id().await;
    let t0 = chrono::Utc::now().timestamp();
    let r = world.store.create_round(cycle, &round(Kind::Approval { min: 1, max: 2 }, t0), None, t0).await.unwrap();
    world.store.open_due_rounds(t0, |_, _| nothing(&r)).await.unwrap();
    // Its own pool, so the submits really run side by side.
    let store = Store::open(&world.db.url).await.unwrap();
    let mut tasks = tokio::task::JoinSet::new();
    for device in 0..8 {
        let store = store.clone();
        let b = Ballot::decode(&if device % 2 == 0 { format!("{lights}:1") } else { format!("{lights}:1,{trees}:1") });
        tasks.spawn(async move {
            store
                .cast_ballot(r.id, "same-voter", Some("sinchon"), &b.unwrap(), &receipt(), Source::Chat, None, t0 + 1)
                .await
        });
    }
    for voter in 0..20 {
        let store = store.clone();
        let b = Ballot::decode(&format!("{trees}:1")).unwrap();
        let key: &'static str = Box::leak(format!("voter-{voter}").into_boxed_str());
        tasks
            .spawn(async move { store.cast_ballot(r.id, key, None, &b, &receipt(), Source::Chat, None, t0 + 1).await });
    }
    let mut receipts = vec![];
    while let Some(done) = tasks.join_next().await {
        match done.unwrap().unwrap() {
            CastOutcome::Cast { receipt, .. } => receipts.push(receipt),
            other => panic!("{other:?}"),
        }
    }
    assert_eq!(receipts.len(), 28);
    let stored = store.ballots(r.id).await.unwrap();
    assert_eq!(stored.len(), 21, "one per voter");
    assert!(stored.iter().all(|b| receipts.contains(&b.receipt)));

    // A draft is there after the store is opened again.
    let draft = Ballot::decode(&format!("{trees}:1")).unwrap();
    store.save_draft(&r, "drafting", &draft, Some(41), t0).await.unwrap();
    let reopened = Store::open_with(&world.db.url, false).await.unwrap();
    let kept = reopened.draft(r.id, "drafting").await.unwrap().unwrap();
    assert_eq!((kept.ballot, kept.message_id), (draft, Some(41)));
    reopened.save_draft(&r, "drafting", &Ballot::new(), None, t0).await.unwrap();
    let kept = reopened.draft(r.id, "drafting").await.unwrap().unwrap();
    assert_eq!((kept.ballot, kept.message_id), (Ballot::new(), Some(41)), "emptied, still the same message");
    let rules = rules_of(&r, &reopened.round_projects(r.id).await.unwrap());
    assert!(stored.iter().all(|b| b.ballot.check(&rules).is_ok()));
}

#[tokio::test]
async fn no_ballot_row_names_its_voter() {
    use sqlx::Row;
    let world = World::new().await;
    let (lights, _, _) = eligible_projects(&world).await;
    let cycle = world.cycle_id().await;
    let t0 = chrono::Utc::now().timestamp();
    let r = world.store.create_round(cycle, &round(Kind::Knapsack, t0), None, t0).await.unwrap();
    world.store.open_due_rounds(t0, |_, _| nothing(&r)).await.unwrap();
    let voter = format!("roll:{}", 4242);
    let key = world.secret.voter_key(r.id, &voter);
    let b = Ballot::decode(&format!("{lights}:1")).unwrap();
    world.store.cast_ballot(r.id, &key, Some("sinchon"), &b, &receipt(), Source::Chat, None, t0 + 1).await.unwrap();
    world.store.save_draft(&r, &world.secret.voter_key(r.id, "code:77"), &b, Some(3), t0).await.unwrap();

    let pool = world.raw().await;
    for table in ["ballots", "ballot_drafts", "ballot_reminders"] {
        let rows = sqlx::query(&format!("SELECT * FROM {table}")).fetch_all(&pool).await.unwrap();
        for row in rows {
            for (i, column) in row.columns().iter().enumerate() {
                use sqlx::Column;
                let name = column.name();
                assert!(!["telegram_id", "roll_entry_id", "code_id", "cast_at", "created_at"].contains(&name));
                let value: Option<String> = row.try_get(i).ok().flatten();
                if let Some(value) = value {
                    for id in [KIM.to_string(), ALEX.to_string(), "4242".into(), "roll:4242".into(), "code:77".into()] {
                        assert_ne!(value, id, "{table}.{name} holds an identifier in clear");
                    }
                }
            }
        }
    }
    // Only the server secret finds the ballot again.
    assert!(world.store.cast_ballot_of(r.id, &key).await.unwrap().is_some());
    let other = pb_bot::domain::verification::Secret::new("some-other-secret-of-thirty-two-chars!").unwrap();
    assert!(world.store.cast_ballot_of(r.id, &other.voter_key(r.id, &voter)).await.unwrap().is_none());
}
