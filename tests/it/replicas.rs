//! Several bot processes on one database: work claimed once, scheduled jobs run once, proposal
//! numbers unique — with a separate connection pool per "process", as separate replicas have.

use std::{collections::BTreeSet, sync::Arc};

use pb_bot::store::Store;
use tokio::sync::Mutex;

use crate::helpers::*;

async fn second_process(world: &World) -> Store {
    Store::open(&world.db.url).await.unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn workers_in_two_processes_process_every_item_exactly_once() {
    let world = World::new().await;
    let processes = [Store::open(&world.db.url).await.unwrap(), second_process(&world).await];
    for n in 0..600 {
        processes[0].enqueue_work("delivery", &format!("message {n}"), 0).await.unwrap();
    }
    let processed = Arc::new(Mutex::new(Vec::new()));
    let mut workers = Vec::new();
    for (p, store) in processes.iter().enumerate() {
        for w in 0..2 {
            let (store, processed) = (store.clone(), processed.clone());
            let worker = format!("replica-{p}/worker-{w}");
            workers.push(tokio::spawn(async move {
                loop {
                    let batch = store.claim_work("delivery", &worker, 25, 60, 100).await.unwrap();
                    if batch.is_empty() {
                        break;
                    }
                    for item in batch {
                        assert_eq!(item.attempts, 1);
                        processed.lock().await.push(item.id);
                        assert!(store.complete_work(item.id, &worker, 101).await.unwrap());
                    }
                }
            }));
        }
    }
    for w in workers {
        w.await.unwrap();
    }
    let processed = processed.lock().await.clone();
    let unique: BTreeSet<i64> = processed.iter().copied().collect();
    assert_eq!(processed.len(), 600, "no item processed twice");
    assert_eq!(unique.len(), 600, "no item lost");
    assert!(processes[1].claim_work("delivery", "late", 10, 60, 200).await.unwrap().is_empty());
}

#[tokio::test]
async fn a_dead_workers_claim_expires_and_is_taken_over() {
    let world = World::new().await;
    let (a, b) = (Store::open(&world.db.url).await.unwrap(), second_process(&world).await);
    let id = a.enqueue_work("reminder", "{}", 0).await.unwrap();
    assert_eq!(a.claim_work("reminder", "a", 10, 30, 0).await.unwrap().len(), 1);
    assert!(b.claim_work("reminder", "b", 10, 30, 29).await.unwrap().is_empty(), "the lease holds");
    let taken = b.claim_work("reminder", "b", 10, 30, 31).await.unwrap();
    assert_eq!((taken[0].id, taken[0].attempts), (id, 2));
    assert!(!a.complete_work(id, "a", 32).await.unwrap(), "the first worker lost its claim");
    assert!(b.complete_work(id, "b", 32).await.unwrap());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_scheduled_job_runs_once_per_slot_across_replicas() {
    let world = World::new().await;
    let processes = [Store::open(&world.db.url).await.unwrap(), second_process(&world).await];
    let mut schedulers = Vec::new();
    for (p, store) in processes.iter().enumerate() {
        for s in 0..3 {
            let store = store.clone();
            schedulers.push(tokio::spawn(async move {
                let mut won = Vec::new();
                for slot in 0..40 {
                    if store.claim_job_run("reminders", &format!("slot-{slot}"), &format!("{p}/{s}"), 0).await.unwrap()
                    {
                        won.push(slot);
                    }
                }
                won
            }));
        }
    }
    let mut runs = Vec::new();
    for s in schedulers {
        runs.extend(s.await.unwrap());
    }
    runs.sort();
    assert_eq!(runs, (0..40).collect::<Vec<_>>(), "every slot ran exactly once");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_submissions_through_two_processes_get_unique_numbers() {
    let world = World::new().await;
    let processes = [Store::open(&world.db.url).await.unwrap(), second_process(&world).await];
    let cycle = world.cycle_id().await;
    let mut submissions = Vec::new();
    for resident in 0..60u64 {
        let store = processes[(resident % 2) as usize].clone();
        submissions.push(tokio::spawn(async move {
            use pb_bot::domain::{
                NewProposal, Won,
                proposal::{ProposalDescription, ProposalTitle},
            };
            use pb_bot::store::{DailyLimit, SubmitOutcome};
            let user = 500_000 + resident as i64;
            store.touch_user(user, Some("ko"), 0).await.unwrap();
            store.set_dialogue(user, "draft", 0).await.unwrap();
            let proposal = NewProposal {
                area_key: "sinchon".into(),
                title: ProposalTitle::parse(&format!("제안 {resident}")).unwrap(),
                description: ProposalDescription::parse("설명").unwrap(),
                estimated_cost: Won::from_i64(1_000_000).unwrap(),
                photo_file_id: None,
                location: None,
            };
            let limit = DailyLimit { day_start: 0, max: 3 };
            // The same resident taps "submit" on two devices at once: one proposal results.
            let (first, second) = tokio::join!(
                store.submit_proposal(cycle, user, &proposal, "draft", limit, 1),
                store.submit_proposal(cycle, user, &proposal, "draft", limit, 1)
            );
            match (first.unwrap(), second.unwrap()) {
                (SubmitOutcome::Submitted { id }, SubmitOutcome::AlreadyHandled)
                | (SubmitOutcome::AlreadyHandled, SubmitOutcome::Submitted { id }) => id,
                other => panic!("expected exactly one submission, got {other:?}"),
            }
        }));
    }
    let mut ids = Vec::new();
    for s in submissions {
        ids.push(s.await.unwrap());
    }
    ids.sort();
    assert_eq!(ids, (1..=60).collect::<Vec<i64>>());
    assert_eq!(world.store.all_proposals(cycle).await.unwrap().len(), 60);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn processes_starting_together_on_a_fresh_database_migrate_it_once() {
    let db = TestDb::new().await;
    let mut opening = tokio::task::JoinSet::new();
    for _ in 0..6 {
        let url = db.url.clone();
        opening.spawn(async move { Store::open(&url).await.map(|_| ()).map_err(|e| e.to_string()) });
    }
    while let Some(opened) = opening.join_next().await {
        assert_eq!(opened.unwrap(), Ok(()));
    }
}
