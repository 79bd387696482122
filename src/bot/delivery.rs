//! The delivery worker: drains the outbox within Telegram's limits (DESIGN §8).
//!
//! * **Pace.** One schedule per process spaces messages at `messages_per_second` and keeps
//!   `per_chat_interval` between two messages to one chat. Replies to a resident's own action do
//!   not go through the outbox and never wait: they only take their place in the schedule, so
//!   the worker leaves room for them ([`Courier::note_reply`]).
//! * **Order.** Personal notices are claimed before broadcasts; within a chat and lane, messages
//!   go out in the order they were written, one after another.
//! * **Failures.** A 429 pauses all sending for its `retry_after` and requeues the message
//!   without counting an attempt. 5xx answers and network errors requeue it with exponential
//!   backoff until `max_attempts`, then it is failed with the reason. A 403 (blocked, deactivated)
//!   marks the user inactive and drops what waits for them. Any other refusal fails the message.
//! * **Crashes.** Rows are claimed with a lease and marked `sending` just before the request. A
//!   worker that dies leaves its rows to be claimed again when the lease ends; only those it was
//!   sending at that moment may arrive twice (they are marked so). On a clean stop, unsent
//!   claims are handed back at once.
//!
//! The worker speaks to the Bot API with the bot's own HTTP client rather than through
//! teloxide's request types: it needs the HTTP status and `error_code`, which teloxide drops,
//! and teloxide sleeps 10 s inside every 5xx answer, which would stall a broadcast.

use std::{
    collections::{BTreeMap, HashMap, HashSet},
    sync::{Arc, Mutex},
    time::{Duration, Instant},
};

use chrono::Utc;
use serde_json::Value;
use teloxide::Bot;
use tokio::{
    sync::{Notify, watch},
    task::JoinSet,
};

use crate::{
    config::Delivery,
    store::{OutgoingMessage, Store},
};

/// How long a claim holds before another worker may take the row over, by default.
const LEASE_SECONDS: i64 = 30;
/// How often an idle worker looks for new rows written by other processes.
const IDLE_POLL: Duration = Duration::from_millis(500);
/// The first retry delay; it doubles with every attempt, up to [`MAX_BACKOFF`].
const FIRST_BACKOFF: Duration = Duration::from_secs(2);
const MAX_BACKOFF: Duration = Duration::from_secs(600);

/// The shared schedule of sends, and the bell that wakes the worker when a handler queued a push.
/// One per process; handlers get it as a dependency.
#[derive(Debug)]
pub struct Courier {
    interval: Duration,
    per_chat: Duration,
    schedule: Mutex<Schedule>,
    wake: Notify,
}

#[derive(Debug)]
struct Schedule {
    /// The earliest moment the next message may go.
    next_slot: Instant,
    /// No message before this (after a 429).
    paused_until: Instant,
    /// When each chat last got (or will get) a message.
    chats: HashMap<i64, Instant>,
}

impl Courier {
    pub fn new(delivery: &Delivery) -> Arc<Courier> {
        let now = Instant::now();
        Arc::new(Courier {
            interval: Duration::from_secs_f64(1.0 / delivery.messages_per_second),
            per_chat: delivery.per_chat_interval,
            schedule: Mutex::new(Schedule { next_slot: now, paused_until: now, chats: HashMap::new() }),
            wake: Notify::new(),
        })
    }

    /// A handler queued a push: the worker should look now rather than at its next poll.
    pub fn wake(&self) {
        self.wake.notify_one();
    }

    /// A reply to a resident's own action goes out at once; it takes its place in the schedule so
    /// that the worker's next message waits for it instead.
    pub fn note_reply(&self, chat: i64) {
        let now = Instant::now();
        let mut s = self.schedule.lock().unwrap_or_else(|e| e.into_inner());
        let slot = s.next_slot.max(now);
        s.next_slot = slot + self.interval;
        s.chats.insert(chat, now);
    }

    /// Stops every send until `until` (Telegram said to retry after).
    fn pause(&self, until: Instant) {
        let mut s = self.schedule.lock().unwrap_or_else(|e| e.into_inner());
        s.paused_until = s.paused_until.max(until);
    }

    fn paused_until(&self) -> Option<Instant> {
        let s = self.schedule.lock().unwrap_or_else(|e| e.into_inner());
        (s.paused_until > Instant::now()).then_some(s.paused_until)
    }

    /// When `chat` may get its next message; `None` when it may now (it got none lately).
    fn chat_ready(&self, chat: i64) -> Option<Instant> {
        let s = self.schedule.lock().unwrap_or_else(|e| e.into_inner());
        s.chats.get(&chat).map(|last| *last + self.per_chat)
    }

    /// Waits for the next free slot overall (and for the end of a 429 pause), and books it for
    /// `chat`.
    async fn take_slot(&self, chat: i64) {
        loop {
            let now = Instant::now();
            let booked = {
                let mut s = self.schedule.lock().unwrap_or_else(|e| e.into_inner());
                if s.paused_until > now {
                    Err(s.paused_until)
                } else {
                    let slot = s.next_slot.max(now);
                    s.next_slot = slot + self.interval;
                    s.chats.insert(chat, slot);
                    if s.chats.len() > 100_000 {
                        let horizon = now.checked_sub(self.per_chat).unwrap_or(now);
                        s.chats.retain(|_, at| *at > horizon);
                    }
                    Ok(slot)
                }
            };
            match booked {
                Err(until) => tokio::time::sleep_until(until.into()).await,
                Ok(slot) => {
                    tokio::time::sleep_until(slot.into()).await;
                    // A 429 while waiting for the slot voids it.
                    if self.paused_until().is_none() {
                        return;
                    }
                }
            }
        }
    }
}

/// What the Bot API made of one message.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Outcome {
    Sent(Option<i64>),
    /// 429: wait this long, then try again.
    RetryAfter(Duration),
    /// 403, or a chat that no longer exists: the user cannot be reached.
    Unreachable(String),
    /// 5xx, a network error, an unreadable answer: try again later.
    Transient(String),
    /// Telegram refused the message itself (400): trying again would not help.
    Refused(String),
}

/// Sends outbox rows to the Bot API; one per process, however many replicas share the database.
pub struct Worker {
    store: Store,
    bot: Bot,
    courier: Arc<Courier>,
    max_attempts: u32,
    /// How many rows this worker may hold at once (about two seconds' worth).
    capacity: usize,
    lease_seconds: i64,
    id: String,
}

impl Worker {
    pub fn new(store: Store, bot: Bot, courier: Arc<Courier>, delivery: &Delivery) -> Worker {
        let capacity = ((delivery.messages_per_second * 2.0).ceil() as usize).clamp(8, 256);
        let id = format!("{}-{:08x}", std::process::id(), rand::random::<u32>());
        Worker { store, bot, courier, max_attempts: delivery.max_attempts, capacity, lease_seconds: LEASE_SECONDS, id }
    }

    /// How long a claim holds (30 s by default); after a crash, that is how long the dead
    /// worker's messages wait before another worker takes them over.
    pub fn with_lease(mut self, seconds: i64) -> Worker {
        self.lease_seconds = seconds.max(1);
        self
    }

    pub fn id(&self) -> &str {
        &self.id
    }

    /// Delivers until `stop` turns true; then finishes the messages being sent and hands the
    /// rest of its claims back.
    ///
    /// Claimed rows wait in memory in (lane, id) order. At every free slot the first one whose
    /// chat is free goes out, so a personal notice never waits for more than a slot behind a
    /// broadcast, and a chat's messages leave one at a time, in order.
    pub async fn run(self, mut stop: watch::Receiver<bool>) {
        let worker = Arc::new(self);
        let mut queue: BTreeMap<(i64, i64), OutgoingMessage> = BTreeMap::new();
        let mut sending: HashSet<i64> = HashSet::new();
        let mut tasks: JoinSet<(OutgoingMessage, bool)> = JoinSet::new();
        let mut next_claim = Instant::now();
        tracing::info!(worker = %worker.id, "delivery worker started");
        loop {
            if *stop.borrow() {
                break;
            }
            while let Some(done) = tasks.try_join_next() {
                worker.settle(done, &mut queue, &mut sending).await;
            }
            let held = queue.len() + tasks.len();
            if held < worker.capacity / 2 + 1 && Instant::now() >= next_claim {
                match worker.claim(worker.capacity - held).await {
                    Ok(batch) if batch.is_empty() => next_claim = Instant::now() + IDLE_POLL,
                    Ok(batch) => {
                        for message in batch {
                            queue.insert((message.lane.code(), message.id), message);
                        }
                    }
                    Err(e) => {
                        tracing::error!(error = %e, "delivery: could not claim messages");
                        next_claim = Instant::now() + Duration::from_secs(1);
                    }
                }
            }
            match pick(&queue, &sending, |chat| worker.courier.chat_ready(chat)) {
                Ok(key) => {
                    let chat = queue[&key].chat_id;
                    worker.courier.take_slot(chat).await;
                    let Some(message) = queue.remove(&key) else { continue };
                    sending.insert(chat);
                    let w = worker.clone();
                    tasks.spawn(async move {
                        let go_on = match w.deliver(&message).await {
                            Ok(go_on) => go_on,
                            Err(e) => {
                                tracing::error!(message = message.id, error = %e, "delivery: the database failed");
                                false
                            }
                        };
                        (message, go_on)
                    });
                }
                Err(earliest) => {
                    // Nothing can go now: wait for a send to finish, a chat to become free, new
                    // rows, or the next look at the queue.
                    let can_claim = queue.len() + tasks.len() < worker.capacity / 2 + 1;
                    let until = match (earliest, can_claim) {
                        (Some(at), true) => at.min(next_claim),
                        (Some(at), false) => at,
                        (None, true) => next_claim,
                        (None, false) => Instant::now() + IDLE_POLL,
                    }
                    .max(Instant::now() + Duration::from_millis(1));
                    tokio::select! {
                        Some(done) = tasks.join_next(), if !tasks.is_empty() => {
                            worker.settle(done, &mut queue, &mut sending).await;
                        }
                        _ = worker.courier.wake.notified() => next_claim = Instant::now(),
                        _ = tokio::time::sleep_until(until.into()) => {}
                        _ = stop.changed() => {}
                    }
                }
            }
        }
        while let Some(done) = tasks.join_next().await {
            worker.settle(done, &mut queue, &mut sending).await;
        }
        match worker.store.release_claims(&worker.id).await {
            Ok(n) => tracing::info!(worker = %worker.id, released = n, "delivery worker stopped"),
            Err(e) => tracing::error!(error = %e, "delivery: could not hand back claimed messages"),
        }
    }

    async fn claim(&self, room: usize) -> Result<Vec<OutgoingMessage>, crate::store::StoreError> {
        let now = Utc::now().timestamp();
        let batch = self.store.claim_outbox(&self.id, room as i64, now + self.lease_seconds, now).await?;
        let doubtful = batch.iter().filter(|m| m.in_doubt).count();
        if doubtful > 0 {
            tracing::warn!(
                messages = doubtful,
                "delivery: sending again messages that were in flight when a worker stopped; they may arrive twice"
            );
        }
        Ok(batch)
    }

    /// A send finished. When its chat's later messages must wait (a retry is pending, or the
    /// user cannot be reached), they are handed back rather than sent out of order.
    async fn settle(
        &self,
        done: Result<(OutgoingMessage, bool), tokio::task::JoinError>,
        queue: &mut BTreeMap<(i64, i64), OutgoingMessage>,
        sending: &mut HashSet<i64>,
    ) {
        let Ok((message, go_on)) = done else { return };
        sending.remove(&message.chat_id);
        if go_on {
            return;
        }
        let later: Vec<(i64, i64)> = queue
            .iter()
            .filter(|(_, m)| m.chat_id == message.chat_id && m.lane == message.lane)
            .map(|(key, _)| *key)
            .collect();
        for key in later {
            if let Some(m) = queue.remove(&key)
                && let Err(e) = self.store.release_claim(m.id, &self.id).await
            {
                tracing::error!(message = m.id, error = %e, "delivery: could not hand back a message");
            }
        }
    }

    /// Sends one message and records what happened; `false` when the chat's later messages must
    /// wait (a retry is pending, or the user is unreachable).
    async fn deliver(&self, message: &OutgoingMessage) -> Result<bool, crate::store::StoreError> {
        let lease_until = Utc::now().timestamp() + self.lease_seconds;
        if !self.store.start_sending(message.id, &self.id, lease_until).await? {
            // The lease ran out while waiting and another worker took the row over.
            return Ok(false);
        }
        let outcome = self.send(message).await;
        let now = Utc::now().timestamp();
        match outcome {
            Outcome::Sent(message_id) => {
                // Whole seconds: one more makes sure a full interval passes on any replica.
                let chat_free = now + self.courier.per_chat.as_secs_f64().ceil() as i64 + 1;
                if !self.store.mark_sent(message, &self.id, message_id, now, chat_free).await? {
                    tracing::warn!(message = message.id, "delivery: sent, but the row had been taken over");
                }
                Ok(true)
            }
            Outcome::RetryAfter(wait) => {
                tracing::warn!(seconds = wait.as_secs(), "delivery: Telegram asked to slow down; pausing");
                self.courier.pause(Instant::now() + wait);
                let next = now + i64::try_from(wait.as_secs()).unwrap_or(60).max(1);
                self.store.retry_later(message.id, &self.id, next, "429 Too Many Requests", false).await?;
                Ok(false)
            }
            Outcome::Unreachable(reason) => {
                tracing::info!(chat = message.chat_id, reason = %reason, "delivery: the user cannot be reached; marked inactive");
                self.store.mark_blocked(message.chat_id, &reason, now).await?;
                Ok(false)
            }
            Outcome::Transient(reason) => {
                let attempts = message.attempts + 1;
                if attempts >= i64::from(self.max_attempts) {
                    tracing::warn!(message = message.id, attempts, reason = %reason, "delivery: giving up");
                    self.store.mark_failed(message.id, &self.id, &reason).await?;
                    return Ok(true);
                }
                let delay = backoff(attempts);
                tracing::info!(message = message.id, attempts, reason = %reason, retry_in = ?delay, "delivery: will retry");
                let next = now + i64::try_from(delay.as_secs()).unwrap_or(600);
                self.store.retry_later(message.id, &self.id, next, &reason, true).await?;
                Ok(false)
            }
            Outcome::Refused(reason) => {
                tracing::warn!(message = message.id, reason = %reason, "delivery: Telegram refused the message");
                self.store.mark_failed(message.id, &self.id, &reason).await?;
                Ok(true)
            }
        }
    }

    /// One `sendMessage` request.
    async fn send(&self, message: &OutgoingMessage) -> Outcome {
        let mut body = serde_json::json!({ "chat_id": message.chat_id, "text": message.text });
        if let Some(markup) = message.markup.as_deref().and_then(|m| serde_json::from_str::<Value>(m).ok()) {
            body["reply_markup"] = markup;
        }
        // `./` keeps the token's colon from reading as a URL scheme.
        let Ok(url) = self.bot.api_url().join(&format!("./bot{}/sendMessage", self.bot.token())) else {
            return Outcome::Refused("the Bot API URL is not usable".into());
        };
        let request = self.bot.client().post(url).json(&body);
        let response = match request.send().await {
            Ok(r) => r,
            // The URL holds the token: never let it into a reason or a log line.
            Err(e) => return Outcome::Transient(format!("network: {}", e.without_url())),
        };
        let status = response.status();
        let answer: Option<Value> = match response.text().await {
            Ok(text) => serde_json::from_str(&text).ok(),
            Err(e) => return Outcome::Transient(format!("network: {}", e.without_url())),
        };
        classify(status.as_u16(), answer.as_ref())
    }
}

/// Reads the Bot API's answer (or its absence).
fn classify(status: u16, answer: Option<&Value>) -> Outcome {
    let Some(answer) = answer else {
        return Outcome::Transient(format!("HTTP {status} without a readable answer"));
    };
    if answer["ok"] == true {
        return Outcome::Sent(answer.pointer("/result/message_id").and_then(Value::as_i64));
    }
    let code = answer["error_code"].as_u64().map_or(status, |c| u16::try_from(c).unwrap_or(status));
    let description = answer["description"].as_str().unwrap_or("no description");
    let reason: String = format!("{code} {description}").chars().take(300).collect();
    match code {
        429 => {
            let seconds = answer.pointer("/parameters/retry_after").and_then(Value::as_u64).unwrap_or(1);
            Outcome::RetryAfter(Duration::from_secs(seconds.clamp(1, 3600)))
        }
        403 => Outcome::Unreachable(reason),
        400 if description.contains("chat not found") || description.contains("user not found") => {
            Outcome::Unreachable(reason)
        }
        // A wrong token or API URL is the deployment's fault, not the message's: keep it.
        401 | 404 => Outcome::Transient(reason),
        c if c >= 500 => Outcome::Transient(reason),
        _ => Outcome::Refused(reason),
    }
}

/// How long to wait before attempt `attempts + 1`.
fn backoff(attempts: i64) -> Duration {
    let doublings = u32::try_from(attempts.saturating_sub(1)).unwrap_or(u32::MAX).min(16);
    FIRST_BACKOFF.saturating_mul(2u32.saturating_pow(doublings)).min(MAX_BACKOFF)
}

/// The first waiting message, in (lane, id) order, that may go now: nothing is being sent to
/// its chat, no earlier message of its chat is waiting, and the chat's interval has passed.
/// Otherwise, the earliest moment a waiting chat becomes free (`None` when every waiting chat is
/// busy with a send in flight).
fn pick(
    queue: &BTreeMap<(i64, i64), OutgoingMessage>,
    sending: &HashSet<i64>,
    ready: impl Fn(i64) -> Option<Instant>,
) -> Result<(i64, i64), Option<Instant>> {
    let now = Instant::now();
    let mut seen = HashSet::new();
    let mut earliest: Option<Instant> = None;
    for (key, message) in queue {
        if sending.contains(&message.chat_id) || !seen.insert(message.chat_id) {
            continue;
        }
        let Some(at) = ready(message.chat_id).filter(|at| *at > now) else {
            return Ok(*key);
        };
        earliest = Some(earliest.map_or(at, |e| e.min(at)));
    }
    Err(earliest)
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn answers_are_read_as_telegram_means_them() {
        let ok = json!({ "ok": true, "result": { "message_id": 42 } });
        assert_eq!(classify(200, Some(&ok)), Outcome::Sent(Some(42)));
        let flood = json!({ "ok": false, "error_code": 429, "description": "Too Many Requests: retry after 7",
                            "parameters": { "retry_after": 7 } });
        assert_eq!(classify(429, Some(&flood)), Outcome::RetryAfter(Duration::from_secs(7)));
        let blocked =
            json!({ "ok": false, "error_code": 403, "description": "Forbidden: bot was blocked by the user" });
        assert!(matches!(classify(403, Some(&blocked)), Outcome::Unreachable(r) if r.contains("blocked")));
        let gone = json!({ "ok": false, "error_code": 400, "description": "Bad Request: chat not found" });
        assert!(matches!(classify(400, Some(&gone)), Outcome::Unreachable(_)));
        let long = json!({ "ok": false, "error_code": 400, "description": "Bad Request: message is too long" });
        assert!(matches!(classify(400, Some(&long)), Outcome::Refused(_)));
        let down = json!({ "ok": false, "error_code": 502, "description": "Bad Gateway" });
        assert!(matches!(classify(502, Some(&down)), Outcome::Transient(_)));
        assert!(matches!(classify(502, None), Outcome::Transient(r) if r.contains("HTTP 502")));
    }

    #[test]
    fn backoff_doubles_up_to_a_ceiling() {
        assert_eq!(backoff(1), Duration::from_secs(2));
        assert_eq!(backoff(2), Duration::from_secs(4));
        assert_eq!(backoff(5), Duration::from_secs(32));
        assert_eq!(backoff(40), MAX_BACKOFF);
    }

    #[test]
    fn personal_notices_go_first_and_a_chat_waits_for_its_turn() {
        let m = |id, chat, lane: Lane| {
            let message = OutgoingMessage {
                id,
                chat_id: chat,
                lane,
                text: String::new(),
                markup: None,
                attempts: 0,
                in_doubt: false,
            };
            ((lane.code(), id), message)
        };
        use crate::store::Lane;
        let queue: BTreeMap<_, _> =
            [m(1, 7, Lane::Bulk), m(2, 8, Lane::Bulk), m(9, 8, Lane::Personal), m(3, 7, Lane::Bulk)].into();
        let free = |_| None;
        assert_eq!(pick(&queue, &HashSet::new(), free), Ok((0, 9)), "the personal notice first");
        assert_eq!(pick(&queue, &HashSet::from([8]), free), Ok((1, 1)), "chat 8 is busy");
        // Chat 7's second message never overtakes its first.
        assert_eq!(pick(&queue, &HashSet::from([8, 7]), free), Err(None));
        let later = Instant::now() + Duration::from_millis(300);
        let result = pick(&queue, &HashSet::from([8]), |_| Some(later));
        assert_eq!(result, Err(Some(later)), "chat 7 must wait for its interval");
    }
}
