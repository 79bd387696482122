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
    store::{Media, OutgoingMessage, Store},
};

/// How long a claim holds before another worker may take the row over, by default.
const LEASE_SECONDS: i64 = 10;
/// How long a row being sent stays its worker's: longer than any request may take (the HTTP
/// client gives up after 17 s), so a slow answer is never mistaken for a dead worker.
const SENDING_LEASE_SECONDS: i64 = 60;
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
    /// At most this many messages in any one second, replies included: Telegram counts per
    /// second, and spacing alone lets one more through when a timer fires a millisecond late.
    /// One less than the allowance, so a resident's reply always finds room.
    per_second: usize,
    per_chat: Duration,
    schedule: Mutex<Schedule>,
    wake: Notify,
}

#[derive(Debug)]
struct Schedule {
    /// The earliest moment the next message may go.
    next_slot: Instant,
    /// The slots booked in the last second, oldest first.
    recent: std::collections::VecDeque<Instant>,
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
            per_second: (delivery.messages_per_second.floor() as usize).saturating_sub(1).max(1),
            per_chat: delivery.per_chat_interval,
            schedule: Mutex::new(Schedule {
                next_slot: now,
                recent: std::collections::VecDeque::new(),
                paused_until: now,
                chats: HashMap::new(),
            }),
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
        self.note_reply_at(chat, Instant::now());
    }

    fn note_reply_at(&self, chat: i64, now: Instant) {
        let mut s = self.schedule.lock().unwrap_or_else(|e| e.into_inner());
        self.count_reply(&mut s, now);
        s.chats.insert(chat, now);
    }

    /// A reply counts when it really goes (`now`), so the worker's next slots leave room for it.
    /// Slots older than the window are forgotten here too: with no broadcast going, nothing else
    /// would, and every reply would stay in memory for good.
    fn count_reply(&self, s: &mut Schedule, now: Instant) {
        while s.recent.front().is_some_and(|oldest| *oldest + WINDOW <= now) {
            s.recent.pop_front();
        }
        if s.chats.len() > MAX_CHATS {
            forget_quiet_chats(s, now, self.per_chat);
        }
        let at = s.recent.partition_point(|t| *t <= now);
        s.recent.insert(at, now);
        s.next_slot = s.next_slot.max(now + self.interval);
    }

    /// Books the first slot at or after `now` that keeps both the spacing and the count per
    /// second.
    fn book(&self, s: &mut Schedule, now: Instant) -> Instant {
        let mut slot = s.next_slot.max(now);
        while s.recent.front().is_some_and(|oldest| *oldest + WINDOW <= slot) {
            s.recent.pop_front();
        }
        if s.recent.len() >= self.per_second {
            slot = slot.max(s.recent[s.recent.len() - self.per_second] + WINDOW);
        }
        s.recent.push_back(slot);
        s.next_slot = slot + self.interval;
        slot
    }

    /// Telegram told a reply to wait: the worker waits as long.
    pub fn pause_for(&self, wait: Duration) {
        self.pause(Instant::now() + wait);
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
                    let slot = self.book(&mut s, now);
                    s.chats.insert(chat, slot);
                    if s.chats.len() > MAX_CHATS {
                        forget_quiet_chats(&mut s, now, self.per_chat);
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

/// Telegram's window for counting messages a second, and a little more: counted exactly, one
/// message would sit on the very edge of the window every second, and a millisecond of jitter
/// would make it a 429.
const WINDOW: Duration = Duration::from_millis(1010);

/// How many chats the schedule remembers before it forgets those that may be written to again.
const MAX_CHATS: usize = 100_000;

fn forget_quiet_chats(s: &mut Schedule, now: Instant, per_chat: Duration) {
    let horizon = now.checked_sub(per_chat).unwrap_or(now);
    s.chats.retain(|_, at| *at > horizon);
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
    sending_lease_seconds: i64,
    id: String,
    /// Held while a picture is uploaded, so the messages sent alongside wait for its file id
    /// instead of uploading it again.
    uploading: Arc<tokio::sync::Mutex<()>>,
    /// Telegram's file ids of the pictures already uploaded, by `media` row: a broadcast's
    /// messages after the first read no row.
    file_ids: Arc<std::sync::Mutex<HashMap<i64, String>>>,
}

impl Worker {
    pub fn new(store: Store, bot: Bot, courier: Arc<Courier>, delivery: &Delivery) -> Worker {
        let capacity = ((delivery.messages_per_second * 2.0).ceil() as usize).clamp(8, 256);
        let id = format!("{}-{:08x}", std::process::id(), rand::random::<u32>());
        Worker {
            store,
            bot,
            courier,
            max_attempts: delivery.max_attempts,
            capacity,
            lease_seconds: LEASE_SECONDS,
            sending_lease_seconds: SENDING_LEASE_SECONDS,
            id,
            uploading: Arc::default(),
            file_ids: Arc::default(),
        }
    }

    /// How long a claim holds, also while being sent (by default 10 s, and 60 s while being
    /// sent); after a crash, that is how long the dead worker's messages wait before another
    /// worker takes them over.
    pub fn with_lease(mut self, seconds: i64) -> Worker {
        self.lease_seconds = seconds.max(1);
        self.sending_lease_seconds = seconds.max(1);
        self
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
                    let Some(message) = queue.remove(&key) else { continue };
                    // Marked `sending` before its slot, so no database write sits between the
                    // slot and the request and the pace Telegram sees is the pace booked.
                    match worker.begin(&message).await {
                        Ok(true) => {}
                        Ok(false) => {
                            worker.settle(Ok((message, false)), &mut queue, &mut sending).await;
                            continue;
                        }
                        Err(e) => {
                            tracing::error!(message = message.id, error = %e, "delivery: the database failed");
                            worker.settle(Ok((message, false)), &mut queue, &mut sending).await;
                            continue;
                        }
                    }
                    worker.courier.take_slot(message.chat_id).await;
                    sending.insert(message.chat_id);
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

    /// Marks a claimed row as being sent; `false` when the lease ran out while it waited and
    /// another worker took it over (then it must not be sent).
    async fn begin(&self, message: &OutgoingMessage) -> Result<bool, crate::store::StoreError> {
        let lease_until = Utc::now().timestamp() + self.sending_lease_seconds;
        self.store.start_sending(message.id, &self.id, lease_until).await
    }

    /// Sends one message (already marked `sending`) and records what happened; `false` when the
    /// chat's later messages must wait (a retry is pending, or the user is unreachable).
    async fn deliver(&self, message: &OutgoingMessage) -> Result<bool, crate::store::StoreError> {
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

    /// One `sendMessage` request, or `sendPhoto` with the text as the caption. A picture is
    /// uploaded with its first message; the file id Telegram answers with is kept, and later
    /// messages send that instead of the bytes.
    async fn send(&self, message: &OutgoingMessage) -> Outcome {
        let markup = message.markup.as_deref().and_then(|m| serde_json::from_str::<Value>(m).ok());
        let Some(photo) = message.photo else {
            let mut body = serde_json::json!({ "chat_id": message.chat_id, "text": message.text });
            if let Some(markup) = markup {
                body["reply_markup"] = markup;
            }
            return self.post("sendMessage", |request| request.json(&body)).await.0;
        };
        let known = self.file_ids.lock().unwrap_or_else(std::sync::PoisonError::into_inner).get(&photo).cloned();
        let mut media = match known {
            Some(file_id) => Ok(Some(Media::FileId(file_id))),
            None => self.store.media(photo).await,
        };
        let _uploading = if matches!(media, Ok(Some(Media::Upload { .. }))) {
            let guard = self.uploading.clone().lock_owned().await;
            // Another message may have uploaded it meanwhile.
            media = self.store.media(photo).await;
            Some(guard)
        } else {
            None
        };
        let media = match media {
            Ok(Some(media)) => media,
            Ok(None) => return Outcome::Refused(format!("picture {photo} is missing")),
            Err(e) => return Outcome::Transient(format!("database: {e}")),
        };
        let caption = super::fit_caption(message.text.clone());
        let uploaded = matches!(media, Media::Upload { .. });
        let (outcome, answer) = match media {
            Media::FileId(file_id) => {
                self.remember(photo, &file_id);
                let mut body = serde_json::json!({ "chat_id": message.chat_id, "photo": file_id, "caption": caption });
                if let Some(markup) = markup {
                    body["reply_markup"] = markup;
                }
                self.post("sendPhoto", |request| request.json(&body)).await
            }
            Media::Upload { name, bytes } => {
                let mut form = reqwest::multipart::Form::new()
                    .text("chat_id", message.chat_id.to_string())
                    .text("caption", caption)
                    .part("photo", reqwest::multipart::Part::bytes(bytes).file_name(name));
                if let Some(markup) = markup {
                    form = form.text("reply_markup", markup.to_string());
                }
                self.post("sendPhoto", |request| request.multipart(form)).await
            }
        };
        // The largest size's id; any of them sends the same picture.
        let file_id = answer
            .as_ref()
            .and_then(|a| a.pointer("/result/photo"))
            .and_then(Value::as_array)
            .and_then(|sizes| sizes.last().and_then(|size| size["file_id"].as_str()));
        if let (Outcome::Sent(_), Some(file_id), true) = (&outcome, file_id, uploaded) {
            self.remember(photo, file_id);
            if let Err(e) = self.store.set_media_file_id(photo, file_id).await {
                tracing::warn!(error = %e, "delivery: the picture's file id could not be kept; it will be uploaded again");
            }
        }
        outcome
    }

    fn remember(&self, photo: i64, file_id: &str) {
        self.file_ids.lock().unwrap_or_else(std::sync::PoisonError::into_inner).insert(photo, file_id.to_owned());
    }

    /// One Bot API request, classified, with its answer.
    async fn post(
        &self,
        method: &str,
        body: impl FnOnce(reqwest::RequestBuilder) -> reqwest::RequestBuilder,
    ) -> (Outcome, Option<Value>) {
        // `./` keeps the token's colon from reading as a URL scheme.
        let Ok(url) = self.bot.api_url().join(&format!("./bot{}/{method}", self.bot.token())) else {
            return (Outcome::Refused("the Bot API URL is not usable".into()), None);
        };
        let response = match body(self.bot.client().post(url)).send().await {
            Ok(r) => r,
            // The URL holds the token: never let it into a reason or a log line.
            Err(e) => return (Outcome::Transient(format!("network: {}", e.without_url())), None),
        };
        let status = response.status();
        let answer: Option<Value> = match response.text().await {
            Ok(text) => serde_json::from_str(&text).ok(),
            Err(e) => return (Outcome::Transient(format!("network: {}", e.without_url())), None),
        };
        (classify(status.as_u16(), answer.as_ref()), answer)
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
    fn the_pace_never_books_more_than_the_rate_in_any_second() {
        let courier = Courier::new(&Delivery { messages_per_second: 30.0, ..Delivery::default() });
        let start = Instant::now();
        let mut s = courier.schedule.lock().unwrap();
        // The worker books slot after slot; replies go at once in between.
        let mut slots = Vec::new();
        for i in 0..200 {
            let slot = courier.book(&mut s, start + Duration::from_millis(i));
            slots.push(slot);
            if i % 40 == 7 {
                // A reply while the worker waits for that slot.
                let reply = slot.checked_sub(Duration::from_millis(5)).unwrap();
                courier.count_reply(&mut s, reply);
                slots.push(reply);
            }
        }
        slots.sort();
        for (i, slot) in slots.iter().enumerate() {
            let in_window = slots[i..].iter().take_while(|t| **t < *slot + Duration::from_secs(1)).count();
            assert!(in_window <= 30, "{in_window} messages within a second from slot {i}");
        }
        let span = slots.last().unwrap().duration_since(slots[0]).as_secs_f64();
        let rate = (slots.len() - 1) as f64 / span;
        assert!((rate - 29.0).abs() < 0.5, "the rate, replies included, holds at {rate:.2}/s");
        drop(s);
        // Without replies the worker keeps one message a second free.
        let courier = Courier::new(&Delivery { messages_per_second: 30.0, ..Delivery::default() });
        let mut s = courier.schedule.lock().unwrap();
        let slots: Vec<Instant> = (0..100).map(|_| courier.book(&mut s, start)).collect();
        for (i, slot) in slots.iter().enumerate() {
            let in_window = slots[i..].iter().take_while(|t| **t < *slot + Duration::from_secs(1)).count();
            assert!(in_window <= 29, "{in_window} slots within a second from slot {i}");
        }
    }

    #[test]
    fn replies_alone_are_forgotten_once_out_of_the_window() {
        let courier = Courier::new(&Delivery { messages_per_second: 30.0, ..Delivery::default() });
        let start = Instant::now();
        let mut s = courier.schedule.lock().unwrap();
        // A day of replies and no broadcast: only the last second's are remembered.
        for i in 0..100_000u64 {
            courier.count_reply(&mut s, start + Duration::from_millis(i * 20));
        }
        assert_eq!(s.recent.len(), 51, "1,010 ms of replies, one every 20 ms");
        drop(s);
        // A chat is remembered for its interval (1 s), then forgotten once there are many.
        for chat in 0..(MAX_CHATS as u64 + 10) {
            courier.note_reply_at(chat as i64, start + Duration::from_micros(chat * 100));
        }
        let s = courier.schedule.lock().unwrap();
        assert!(s.chats.len() <= 10_010, "{} chats remembered", s.chats.len());
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
                photo: None,
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
