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
    collections::HashMap,
    sync::{Arc, Mutex},
    time::{Duration, Instant},
};

use chrono::Utc;
use serde_json::Value;
use teloxide::Bot;
use tokio::{
    sync::{Notify, Semaphore, watch},
    task::JoinSet,
};

use crate::{
    config::Delivery,
    store::{OutgoingMessage, Store},
};

/// How long a claim holds before another worker may take the row over.
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

    /// Waits for this chat's turn and a free slot overall, then returns.
    async fn wait_turn(&self, chat: i64) {
        loop {
            let now = Instant::now();
            let reserved = {
                let mut s = self.schedule.lock().unwrap_or_else(|e| e.into_inner());
                let chat_ready = s.chats.get(&chat).map_or(now, |last| *last + self.per_chat);
                let blocked = chat_ready.max(s.paused_until);
                if blocked > now {
                    Err(blocked)
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
            match reserved {
                Err(until) => tokio::time::sleep_until(until.into()).await,
                Ok(slot) => {
                    tokio::time::sleep_until(slot.into()).await;
                    // A 429 while this one waited for its slot voids the slot.
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
    id: String,
}

impl Worker {
    pub fn new(store: Store, bot: Bot, courier: Arc<Courier>, delivery: &Delivery) -> Worker {
        let capacity = ((delivery.messages_per_second * 2.0).ceil() as usize).clamp(8, 256);
        let id = format!("{}-{:08x}", std::process::id(), rand::random::<u32>());
        Worker { store, bot, courier, max_attempts: delivery.max_attempts, capacity, id }
    }

    pub fn id(&self) -> &str {
        &self.id
    }

    /// Delivers until `stop` turns true; then finishes the messages being sent and hands the
    /// rest of its claims back.
    pub async fn run(self, mut stop: watch::Receiver<bool>) {
        let worker = Arc::new(self);
        let permits = Arc::new(Semaphore::new(worker.capacity));
        let mut tasks = JoinSet::new();
        tracing::info!(worker = %worker.id, "delivery worker started");
        loop {
            if *stop.borrow() {
                break;
            }
            while tasks.try_join_next().is_some() {}
            if let Some(until) = worker.courier.paused_until() {
                tokio::select! {
                    _ = tokio::time::sleep_until(until.into()) => {}
                    _ = stop.changed() => {}
                }
                continue;
            }
            let free = permits.available_permits();
            if free < worker.capacity.min(8) {
                tokio::select! {
                    _ = tokio::time::sleep(Duration::from_millis(20)) => {}
                    _ = stop.changed() => {}
                }
                continue;
            }
            let now = Utc::now().timestamp();
            let batch = match worker.store.claim_outbox(&worker.id, free as i64, now + LEASE_SECONDS, now).await {
                Ok(batch) => batch,
                Err(e) => {
                    tracing::error!(error = %e, "delivery: could not claim messages");
                    tokio::select! {
                        _ = tokio::time::sleep(Duration::from_secs(1)) => {}
                        _ = stop.changed() => {}
                    }
                    continue;
                }
            };
            if batch.is_empty() {
                tokio::select! {
                    _ = worker.courier.wake.notified() => {}
                    _ = tokio::time::sleep(IDLE_POLL) => {}
                    _ = stop.changed() => {}
                }
                continue;
            }
            let doubtful = batch.iter().filter(|m| m.in_doubt).count();
            if doubtful > 0 {
                tracing::warn!(
                    messages = doubtful,
                    "delivery: sending again messages that were in flight when a worker stopped; they may arrive twice"
                );
            }
            for group in by_chat(batch) {
                let Ok(held) = permits.clone().acquire_many_owned(group.len() as u32).await else { break };
                let (worker, stop) = (worker.clone(), stop.clone());
                tasks.spawn(async move {
                    worker.deliver_chat(group, &stop).await;
                    drop(held);
                });
            }
        }
        while tasks.join_next().await.is_some() {}
        match worker.store.release_claims(&worker.id).await {
            Ok(n) => tracing::info!(worker = %worker.id, released = n, "delivery worker stopped"),
            Err(e) => tracing::error!(error = %e, "delivery: could not hand back claimed messages"),
        }
    }

    /// Sends one chat's claimed messages in order. When one cannot go now, the rest wait for it.
    async fn deliver_chat(&self, group: Vec<OutgoingMessage>, stop: &watch::Receiver<bool>) {
        let mut rest = group.into_iter();
        while let Some(message) = rest.next() {
            if *stop.borrow() {
                return;
            }
            let go_on = match self.deliver(&message).await {
                Ok(go_on) => go_on,
                Err(e) => {
                    tracing::error!(message = message.id, error = %e, "delivery: the database failed");
                    false
                }
            };
            if !go_on {
                for later in rest {
                    let _ = self.store.release_claim(later.id, &self.id).await;
                }
                return;
            }
        }
    }

    /// Sends one message and records what happened; `false` when the chat's later messages must
    /// wait (a retry is pending, or the user is unreachable).
    async fn deliver(&self, message: &OutgoingMessage) -> Result<bool, crate::store::StoreError> {
        self.courier.wait_turn(message.chat_id).await;
        let lease_until = Utc::now().timestamp() + LEASE_SECONDS;
        if !self.store.start_sending(message.id, &self.id, lease_until).await? {
            // The lease ran out while waiting and another worker took the row over.
            return Ok(false);
        }
        let outcome = self.send(message).await;
        let now = Utc::now().timestamp();
        match outcome {
            Outcome::Sent(message_id) => {
                if !self.store.mark_sent(message.id, &self.id, message_id, now).await? {
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
        let Ok(url) = self.bot.api_url().join(&format!("bot{}/sendMessage", self.bot.token())) else {
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

/// Groups a batch by chat, keeping each chat's order.
fn by_chat(batch: Vec<OutgoingMessage>) -> Vec<Vec<OutgoingMessage>> {
    let mut order = Vec::new();
    let mut groups: HashMap<(i64, crate::store::Lane), Vec<OutgoingMessage>> = HashMap::new();
    for message in batch {
        let key = (message.chat_id, message.lane);
        if !groups.contains_key(&key) {
            order.push(key);
        }
        groups.entry(key).or_default().push(message);
    }
    order.into_iter().filter_map(|key| groups.remove(&key)).collect()
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
    fn a_chats_messages_stay_together_and_in_order() {
        let m = |id, chat, lane| OutgoingMessage {
            id,
            chat_id: chat,
            lane,
            text: String::new(),
            markup: None,
            attempts: 0,
            in_doubt: false,
        };
        use crate::store::Lane::{Bulk, Personal};
        let groups = by_chat(vec![m(1, 7, Personal), m(2, 8, Bulk), m(3, 7, Personal), m(4, 7, Bulk)]);
        let ids: Vec<Vec<i64>> = groups.iter().map(|g| g.iter().map(|m| m.id).collect()).collect();
        assert_eq!(ids, vec![vec![1, 3], vec![2], vec![4]]);
    }
}
