//! The delivery worker against the fake Bot API server behaving like Telegram under load:
//! flood limits with `retry_after`, a user who blocked the bot, 5xx bursts, a dropped
//! connection, a crash and a clean stop in the middle of a broadcast, personal notices during a
//! broadcast, and two broadcasts sent by two workers at once.

use std::{collections::HashMap, time::Duration};

use pb_bot::{
    bot::{Courier, Worker},
    config::Delivery,
    store::{Broadcast, Follow, Notice, Store},
};
use sqlx::Row;
use teloxide::Bot;
use tokio::{sync::watch, task::JoinHandle};

use super::{
    fake_api::{FakeApi, Fault, Limits},
    helpers::World,
};

const TOKEN: &str = "4242:delivery-test-token";
/// Follower ids start here; even ones read Korean, odd ones English.
const FIRST: i64 = 500_000;

/// A running worker and the switch that stops it cleanly.
struct Running {
    stop: watch::Sender<bool>,
    task: JoinHandle<()>,
}

impl Running {
    async fn stop(self) {
        let _ = self.stop.send(true);
        self.task.await.unwrap();
    }

    /// Kills the worker where it stands, as `kill -9` would: nothing is handed back.
    fn crash(self) {
        self.task.abort();
    }
}

/// A worker on its own connection pool, as in `pb-bot run` (the worlds' pools close idle
/// connections, which would make every query on PostgreSQL open a new one).
async fn start(world: &World, api: &FakeApi, delivery: &Delivery, lease: i64) -> Running {
    let store = Store::open(&world.db.url).await.unwrap();
    let bot = Bot::new(TOKEN).set_api_url(url::Url::parse(&api.url).unwrap());
    let courier = Courier::new(delivery);
    let worker = Worker::new(store, bot, courier, delivery).with_lease(lease);
    let (stop, signal) = watch::channel(false);
    Running { stop, task: tokio::spawn(worker.run(signal)) }
}

fn pace(per_second: f64) -> Delivery {
    Delivery { messages_per_second: per_second, per_chat_interval: Duration::from_secs(1), max_attempts: 8 }
}

/// `count` residents following `dong`, known to the fake Telegram.
async fn followers(world: &World, api: &FakeApi, dong: &str, count: i64) -> Vec<i64> {
    let ids: Vec<i64> = (FIRST..FIRST + count).collect();
    // A pool that keeps its connections: the world's opens one per query on PostgreSQL.
    let store = Store::open(&world.db.url).await.unwrap();
    for id in &ids {
        let language = if id % 2 == 0 { "ko" } else { "en-US" };
        store.touch_user(*id, Some(language), 0).await.unwrap();
        store.subscribe(*id, "dong", dong, 0).await.unwrap();
    }
    api.know_chats(ids.iter().copied());
    ids
}

fn news(audience: Vec<Follow>, tag: &str) -> Broadcast {
    Broadcast {
        kind: "announcement".into(),
        subject: None,
        text_ko: format!("공지 {tag}"),
        text_en: format!("Announcement {tag}"),
        markup_ko: None,
        markup_en: None,
        audience,
        exclude: None,
        created_by: None,
        photos: None,
    }
}

async fn outbox_states(world: &World) -> HashMap<String, i64> {
    let pool = world.raw().await;
    sqlx::query("SELECT state, COUNT(*) AS n FROM outbox GROUP BY state")
        .fetch_all(&pool)
        .await
        .unwrap()
        .iter()
        .map(|r| (r.get::<String, _>("state"), r.get::<i64, _>("n")))
        .collect()
}

/// Every chat got exactly the texts given, once each.
fn assert_once_each(api: &FakeApi, expected: &HashMap<i64, Vec<String>>) {
    let delivered = api.delivered();
    for (chat, texts) in expected {
        assert_eq!(delivered.get(chat), Some(texts), "chat {chat}");
    }
    assert_eq!(delivered.len(), expected.len(), "messages went to chats that should get none");
}

#[tokio::test]
async fn a_broadcast_reaches_every_follower_once_in_their_language_within_the_limits() {
    let world = World::new().await;
    let api = FakeApi::start(TOKEN).await;
    api.set_limits(Limits { per_second: Some(30), per_chat: Some(Duration::from_secs(1)), retry_after: 1 });
    let ids = followers(&world, &api, "sinchon", 60).await;
    // Also following the district: still one message. Unsubscribed, or blocked earlier: none.
    world.store.subscribe(ids[0], "district", "all", 0).await.unwrap();
    world.store.unsubscribe(ids[1], "dong", "sinchon").await.unwrap();
    world.store.mark_blocked(ids[2], "403 Forbidden: bot was blocked by the user", 0).await.unwrap();
    let (id, recipients) = world
        .store
        .announce(&news(vec![Follow::District, Follow::AnyDong], "1"), "ko", None, 0)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(recipients, 58);
    assert_eq!(outbox_states(&world).await, HashMap::from([("queued".to_owned(), 58)]), "one row per recipient");

    let worker = start(&world, &api, &pace(29.0), 30).await;
    api.wait_delivered(58, Duration::from_secs(30)).await;
    worker.stop().await;

    let expected: HashMap<i64, Vec<String>> = ids[3..]
        .iter()
        .chain([&ids[0]])
        .map(|id| (*id, vec![if id % 2 == 0 { "공지 1".to_owned() } else { "Announcement 1".to_owned() }]))
        .collect();
    assert_once_each(&api, &expected);
    let stats = api.send_stats();
    assert_eq!((stats.flood_refused, stats.ignored_retry_after), (0, 0), "the worker kept within the limits");
    assert_eq!(world.store.broadcast_stats(id).await.unwrap().sent, 58);
    assert!(api.violations().is_empty(), "{:?}", api.violations());
}

#[tokio::test]
async fn a_429_pauses_delivery_for_its_retry_after_and_nothing_is_lost() {
    let world = World::new().await;
    let api = FakeApi::start(TOKEN).await;
    // The worker is configured faster than this Telegram allows.
    api.set_limits(Limits { per_second: Some(4), per_chat: None, retry_after: 1 });
    let ids = followers(&world, &api, "yeonhui", 24).await;
    world.store.announce(&news(vec![Follow::Dong("yeonhui".into())], "2"), "ko", None, 0).await.unwrap();

    let worker = start(&world, &api, &pace(100.0), 30).await;
    api.wait_delivered(24, Duration::from_secs(60)).await;
    worker.stop().await;

    let stats = api.send_stats();
    assert!(stats.flood_refused > 0, "the limit was reached: {stats:?}");
    assert_eq!(stats.ignored_retry_after, 0, "nothing was sent while retry_after ran: {stats:?}");
    let expected = ids.iter().map(|id| (*id, vec![if id % 2 == 0 { "공지 2" } else { "Announcement 2" }.to_owned()]));
    assert_once_each(&api, &expected.collect());
    assert_eq!(outbox_states(&world).await, HashMap::from([("sent".to_owned(), 24)]));
    // A 429 is not the message's fault: no attempt beyond the one that went through is counted.
    let pool = world.raw().await;
    let attempts: i64 = sqlx::query("SELECT MAX(attempts) AS n FROM outbox").fetch_one(&pool).await.unwrap().get("n");
    assert_eq!(attempts, 1);
}

#[tokio::test]
async fn server_errors_and_a_dropped_connection_are_retried_and_a_blocked_user_is_dropped() {
    let world = World::new().await;
    let api = FakeApi::start(TOKEN).await;
    let ids = followers(&world, &api, "sinchon", 20).await;
    let blocker = ids[5];
    api.block(blocker);
    api.fail_next(&[Fault::Status(500), Fault::Status(502), Fault::Drop, Fault::Status(503)]);
    let (first, _) =
        world.store.announce(&news(vec![Follow::Dong("sinchon".into())], "3"), "ko", None, 0).await.unwrap().unwrap();

    let worker = start(&world, &api, &pace(50.0), 30).await;
    api.wait_delivered(19, Duration::from_secs(30)).await;
    // The fake Telegram counts a message before the worker has recorded it.
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    while world.store.broadcast_stats(first).await.unwrap().queued > 0 {
        assert!(std::time::Instant::now() < deadline, "{:?}", world.store.broadcast_stats(first).await.unwrap());
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let expected: HashMap<i64, Vec<String>> = ids
        .iter()
        .filter(|id| **id != blocker)
        .map(|id| (*id, vec![if id % 2 == 0 { "공지 3" } else { "Announcement 3" }.to_owned()]))
        .collect();
    assert_once_each(&api, &expected);
    assert_eq!(api.send_stats().faults_served, 4);
    let stats = world.store.broadcast_stats(first).await.unwrap();
    assert_eq!((stats.sent, stats.blocked, stats.failed, stats.queued), (19, 1, 0, 0));

    // The user who blocked the bot gets nothing more, until they write to it again.
    let (_, recipients) =
        world.store.announce(&news(vec![Follow::Dong("sinchon".into())], "4"), "ko", None, 0).await.unwrap().unwrap();
    assert_eq!(recipients, 19);
    world.store.touch_user(blocker, Some("en"), 1).await.unwrap();
    let (_, recipients) =
        world.store.announce(&news(vec![Follow::Dong("sinchon".into())], "5"), "ko", None, 0).await.unwrap().unwrap();
    assert_eq!(recipients, 20);
    worker.stop().await;
    assert!(api.violations().is_empty(), "{:?}", api.violations());
}

#[tokio::test]
async fn a_message_that_keeps_failing_is_given_up_with_its_reason() {
    let world = World::new().await;
    let api = FakeApi::start(TOKEN).await;
    api.know_chats([FIRST]);
    world.store.touch_user(FIRST, Some("ko"), 0).await.unwrap();
    world.store.queue_notices(&[Notice { chat_id: FIRST, text: "알림".into(), markup: None }], 0).await.unwrap();
    api.fail_next(&[Fault::Status(500), Fault::Status(500)]);
    let delivery = Delivery { max_attempts: 2, ..pace(50.0) };
    let worker = start(&world, &api, &delivery, 30).await;
    let deadline = std::time::Instant::now() + Duration::from_secs(20);
    while outbox_states(&world).await.get("failed") != Some(&1) {
        assert!(std::time::Instant::now() < deadline, "not failed: {:?}", outbox_states(&world).await);
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    worker.stop().await;
    let pool = world.raw().await;
    let row = sqlx::query("SELECT attempts, last_error FROM outbox").fetch_one(&pool).await.unwrap();
    assert_eq!(row.get::<i64, _>("attempts"), 2);
    assert_eq!(row.get::<String, _>("last_error"), "500 Internal Server Error");
    assert_eq!(api.delivered_count(), 0);
}

/// Sends a broadcast to `count` followers, stops the first worker halfway (`crash` or cleanly)
/// and lets a second one finish. Returns (duplicates, messages marked in doubt).
async fn interrupted_broadcast(crash: bool) -> (usize, i64) {
    let world = World::new().await;
    let api = FakeApi::start(TOKEN).await;
    let count = 120;
    let ids = followers(&world, &api, "cheonyeon", count).await;
    world.store.announce(&news(vec![Follow::Dong("cheonyeon".into())], "6"), "ko", None, 0).await.unwrap();
    let first = start(&world, &api, &pace(60.0), 2).await;
    api.wait_delivered(50, Duration::from_secs(30)).await;
    if crash {
        first.crash();
    } else {
        first.stop().await;
    }
    let second = start(&world, &api, &pace(60.0), 2).await;
    let deadline = std::time::Instant::now() + Duration::from_secs(30);
    while api.delivered().len() < ids.len() {
        assert!(std::time::Instant::now() < deadline, "only {} chats reached", api.delivered().len());
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    // Let anything still in flight land before counting.
    tokio::time::sleep(Duration::from_millis(500)).await;
    second.stop().await;
    let delivered = api.delivered();
    assert!(ids.iter().all(|id| delivered.get(id).is_some_and(|texts| !texts.is_empty())), "none is lost");
    let duplicates = api.delivered_count() - ids.len();
    let pool = world.raw().await;
    let in_doubt: i64 = sqlx::query("SELECT COUNT(*) AS n FROM outbox WHERE last_error LIKE 'in flight%'")
        .fetch_one(&pool)
        .await
        .unwrap()
        .get("n");
    assert_eq!(outbox_states(&world).await, HashMap::from([("sent".to_owned(), count)]));
    (duplicates, in_doubt)
}

#[tokio::test]
async fn a_crash_mid_broadcast_loses_nothing_and_repeats_only_what_was_in_flight() {
    let (duplicates, in_doubt) = interrupted_broadcast(true).await;
    assert!(duplicates as i64 <= in_doubt, "{duplicates} repeated, {in_doubt} were in flight");
}

#[tokio::test]
async fn a_clean_stop_mid_broadcast_hands_back_its_claims_and_repeats_nothing() {
    let (duplicates, in_doubt) = interrupted_broadcast(false).await;
    assert_eq!((duplicates, in_doubt), (0, 0));
}

#[tokio::test]
async fn personal_notices_overtake_a_broadcast_and_keep_their_order() {
    let world = World::new().await;
    let api = FakeApi::start(TOKEN).await;
    api.set_limits(Limits { per_second: Some(60), per_chat: Some(Duration::from_secs(1)), retry_after: 1 });
    followers(&world, &api, "sinchon", 150).await;
    world.store.announce(&news(vec![Follow::Dong("sinchon".into())], "7"), "ko", None, 0).await.unwrap();
    let proposer = 42_424_242;
    api.know_chats([proposer]);
    world.store.touch_user(proposer, Some("ko"), 0).await.unwrap();
    let notices: Vec<Notice> =
        (1..=3).map(|n| Notice { chat_id: proposer, text: format!("당신의 제안 소식 {n}"), markup: None }).collect();
    world.store.queue_notices(&notices, 0).await.unwrap();

    let worker = start(&world, &api, &pace(50.0), 30).await;
    api.wait_delivered(153, Duration::from_secs(30)).await;
    worker.stop().await;

    let log = api.delivery_log();
    let positions: Vec<usize> =
        log.iter().enumerate().filter(|(_, (chat, _))| *chat == proposer).map(|(i, _)| i).collect();
    assert_eq!(
        api.delivered()[&proposer],
        ["당신의 제안 소식 1", "당신의 제안 소식 2", "당신의 제안 소식 3"],
        "in the order they were written"
    );
    assert_eq!(positions[0], 0, "the first notice did not wait behind the broadcast");
    // One a second in that chat, while the broadcast goes on at 50 a second.
    assert!(positions[2] < 150, "the notices were not held until the broadcast ended: {positions:?}");
    assert_eq!(api.send_stats().flood_refused, 0, "{:?}", api.send_stats());
}

#[tokio::test]
async fn two_broadcasts_sent_by_two_workers_reach_each_chat_once_and_in_order() {
    let world = World::new().await;
    let api = FakeApi::start(TOKEN).await;
    api.set_limits(Limits { per_second: None, per_chat: Some(Duration::from_secs(1)), retry_after: 1 });
    let ids = followers(&world, &api, "bugahyeon", 40).await;
    for id in &ids {
        world.store.subscribe(*id, "district", "all", 0).await.unwrap();
    }
    let (dong, district) = (news(vec![Follow::Dong("bugahyeon".into())], "A"), news(vec![Follow::District], "B"));
    let (a, b) =
        tokio::join!(world.store.announce(&dong, "ko", None, 0), world.store.announce(&district, "ko", None, 0),);
    assert_eq!((a.unwrap().unwrap().1, b.unwrap().unwrap().1), (40, 40));

    // Two replicas' workers on one database.
    let one = start(&world, &api, &pace(40.0), 30).await;
    let two = start(&world, &api, &pace(40.0), 30).await;
    api.wait_delivered(80, Duration::from_secs(40)).await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    one.stop().await;
    two.stop().await;

    let pool = world.raw().await;
    let rows = sqlx::query(
        "SELECT o.chat_id, b.text_ko, b.text_en FROM outbox o JOIN broadcasts b ON b.id = o.broadcast_id ORDER BY o.id",
    )
    .fetch_all(&pool)
    .await
    .unwrap();
    let mut expected: HashMap<i64, Vec<String>> = HashMap::new();
    for row in rows {
        let chat: i64 = row.get("chat_id");
        let text: String = if chat % 2 == 0 { row.get("text_ko") } else { row.get("text_en") };
        expected.entry(chat).or_default().push(text);
    }
    assert_once_each(&api, &expected);
    assert_eq!(api.send_stats().flood_refused, 0, "one message a second per chat: {:?}", api.send_stats());
}

#[tokio::test]
async fn a_broadcast_picture_is_uploaded_once_per_language_and_then_sent_by_its_file_id() {
    let world = World::new().await;
    let api = FakeApi::start(TOKEN).await;
    api.set_limits(Limits { per_second: Some(30), per_chat: Some(Duration::from_secs(1)), retry_after: 1 });
    let ids = followers(&world, &api, "sinchon", 12).await;
    let png = |shade: u8| {
        let mut bytes = Vec::new();
        let mut encoder = png::Encoder::new(&mut bytes, 2, 2);
        encoder.set_color(png::ColorType::Grayscale);
        encoder.write_header().unwrap().write_image_data(&[shade; 4]).unwrap();
        bytes
    };
    let mut chart = news(vec![Follow::Dong("sinchon".into())], "chart");
    chart.photos = Some(pb_bot::store::Photos::Drawn { name: "results-9.png".into(), ko: png(10), en: png(200) });
    world.store.announce(&chart, "ko", None, 0).await.unwrap().unwrap();
    // The text that follows the picture in every chat.
    world.store.announce(&news(vec![Follow::Dong("sinchon".into())], "text"), "ko", None, 0).await.unwrap().unwrap();

    let worker = start(&world, &api, &pace(29.0), 30).await;
    api.wait_delivered(24, Duration::from_secs(30)).await;
    worker.stop().await;

    let expected: HashMap<i64, Vec<String>> = ids
        .iter()
        .map(|id| {
            let texts = if id % 2 == 0 {
                ["[photo] 공지 chart", "공지 text"]
            } else {
                ["[photo] Announcement chart", "Announcement text"]
            };
            (*id, texts.map(str::to_owned).to_vec())
        })
        .collect();
    assert_once_each(&api, &expected);
    assert_eq!(api.uploads(), 2, "one upload per language; every other message reuses its file id");
    let photos: Vec<_> = api.calls().into_iter().filter(|c| c.method == "sendPhoto").collect();
    assert_eq!(photos.len(), 12);
    let korean: Vec<&str> =
        photos.iter().filter(|c| c.text() == "공지 chart").map(|c| c.params["photo"].as_str().unwrap()).collect();
    assert_eq!(korean.iter().filter(|p| p.starts_with("attach://")).count(), 1, "{korean:?}");
    assert_eq!(korean.iter().filter(|p| **p == "AgACAgIAAxkDAAI-1" || **p == "AgACAgIAAxkDAAI-2").count(), 5);
    let uploaded: Vec<_> = photos.iter().flat_map(|c| c.files.iter()).collect();
    assert_eq!(uploaded.len(), 2);
    assert!(uploaded.iter().any(|f| f.file_name == "results-9-ko.png" && f.bytes == png(10)));
    assert!(uploaded.iter().any(|f| f.file_name == "results-9-en.png" && f.bytes == png(200)));
    assert!(api.violations().is_empty(), "{:?}", api.violations());
}
