//! A fake Telegram Bot API server on loopback for running the real `pb-bot` binary.
//!
//! Every request is checked against the Bot API spec (`tests/data/telegram-bot-api.json`):
//! known method, known parameters, required parameters present, values of the declared types
//! (objects checked field by field, recursively), and Telegram's limits (text ≤ 4096 characters,
//! callback_data ≤ 64 bytes, answerCallbackQuery text ≤ 200, command names and descriptions).
//! Like Telegram it refuses to message a chat that never wrote to the bot, to edit a message that
//! does not exist or would not change, and to answer a callback query twice. Anything refused is
//! recorded as a violation, and tests assert there are none.
//!
//! For delivery tests it also behaves like Telegram under load: optional limits (messages per
//! second overall, and a least interval per chat) answered with 429 and `retry_after`, a penalty
//! window during which every send is refused again (and counted, since a well-behaved client
//! waits it out), users who blocked the bot (403), and scripted faults: 5xx answers and dropped
//! connections.

use std::{
    collections::{HashMap, HashSet, VecDeque},
    net::SocketAddr,
    sync::{Arc, Mutex},
    time::{Duration, Instant},
};

use axum::{
    Router,
    body::Bytes,
    extract::{Path, State},
    http::{HeaderMap, StatusCode},
    response::{IntoResponse, Response},
    routing::any,
};
use serde_json::{Value, json};
use tokio::sync::{Notify, mpsc};

use super::helpers::repo_path;

pub const BOT_ID: i64 = 7_000_000_001;
pub const BOT_USERNAME: &str = "pb_test_bot";

/// One request the bot made.
#[derive(Debug, Clone)]
pub struct Call {
    pub method: String,
    pub params: Value,
    /// The message the fake server returned, for sends and edits.
    pub message: Option<Value>,
    /// Files uploaded with the request (multipart parts with a file name).
    pub files: Vec<Upload>,
}

/// A file the bot uploaded.
#[derive(Debug, Clone)]
pub struct Upload {
    /// The parameter it was sent as (`document`, `photo`).
    pub field: String,
    pub file_name: String,
    pub bytes: Vec<u8>,
}

/// A reply the bot made in a watched chat, as it arrived (see [`FakeApi::watch`]).
#[allow(dead_code)] // read by benches/load.rs
#[derive(Debug, Clone)]
pub struct Reply {
    pub at: Instant,
    /// `sendMessage`, `sendPhoto`, `editMessageText` or `answerCallbackQuery`.
    pub method: &'static str,
    /// The text, caption, or the notice of an answered button press.
    pub text: Option<String>,
    /// The message sent or edited, shared with the server's copy: a load generator that lets go
    /// of it before the next edit spares the server a copy of the whole message.
    pub message: Option<Arc<Value>>,
}

impl Call {
    pub fn chat(&self) -> Option<u64> {
        self.params.get("chat_id").and_then(Value::as_u64)
    }

    pub fn text(&self) -> &str {
        self.params.get("text").or_else(|| self.params.get("caption")).and_then(Value::as_str).unwrap_or_default()
    }

    /// `(label, callback_data)` of the inline buttons the request carried.
    pub fn buttons(&self) -> Vec<(String, String)> {
        self.params
            .pointer("/reply_markup/inline_keyboard")
            .and_then(Value::as_array)
            .map(|rows| {
                rows.iter()
                    .flat_map(|row| row.as_array().cloned().unwrap_or_default())
                    .filter_map(|b| Some((b["text"].as_str()?.to_owned(), b["callback_data"].as_str()?.to_owned())))
                    .collect()
            })
            .unwrap_or_default()
    }

    pub fn button(&self, label: &str) -> String {
        self.buttons()
            .into_iter()
            .find(|(l, _)| l == label)
            .map(|(_, d)| d)
            .unwrap_or_else(|| panic!("no button {label:?} in {:?}", self.buttons()))
    }
}

struct Spec {
    methods: HashMap<String, Value>,
    types: HashMap<String, Value>,
}

/// Telegram's flood limits, as the fake enforces them.
#[derive(Debug, Clone, Copy, Default)]
pub struct Limits {
    /// At most this many `sendMessage` calls in any second.
    pub per_second: Option<usize>,
    /// At least this long between two messages to one chat (a tenth of it is forgiven, as
    /// Telegram forgives short bursts).
    pub per_chat: Option<Duration>,
    /// What a 429 asks the client to wait.
    pub retry_after: u64,
}

/// A scripted failure of the next `sendMessage` calls.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fault {
    /// An HTTP error status with a Bot API error body; the message is not delivered.
    Status(u16),
    /// The connection is cut before an answer; the message is not delivered.
    Drop,
}

/// What happened to `sendMessage` calls under the limits.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SendStats {
    pub delivered: usize,
    /// Refused with 429 for going over a limit.
    pub flood_refused: usize,
    /// Calls that came while a 429's `retry_after` was still running.
    pub ignored_retry_after: usize,
    pub faults_served: usize,
    /// Refused with 403 because the user blocked the bot.
    pub blocked_refused: usize,
}

#[derive(Default)]
struct Inner {
    token: String,
    /// Updates not yet confirmed by an `offset`.
    updates: Vec<Value>,
    next_update_id: i64,
    next_message_id: HashMap<i64, i64>,
    /// Chats that wrote to the bot, with their first name.
    known_chats: HashMap<i64, String>,
    /// Current text and markup of every message, by (chat, message id).
    messages: HashMap<(i64, i64), Arc<Value>>,
    /// Callback queries not answered yet, with the user who pressed.
    open_queries: HashMap<String, i64>,
    /// Chats whose replies are streamed to a load generator as they arrive.
    watchers: HashMap<i64, mpsc::UnboundedSender<Reply>>,
    calls: Vec<Call>,
    violations: Vec<String>,
    limits: Limits,
    recent_sends: VecDeque<Instant>,
    last_in_chat: HashMap<i64, Instant>,
    penalty_until: Option<Instant>,
    faults: VecDeque<Fault>,
    blocked: HashSet<i64>,
    send_stats: SendStats,
    /// Texts delivered to each chat, in order (kept apart from `calls` for big broadcasts).
    delivered: HashMap<i64, Vec<String>>,
    /// Every delivered message in arrival order: (chat, text).
    log: Vec<(i64, String)>,
    /// When each of them arrived.
    arrivals: Vec<Instant>,
    /// Record every call in `calls` (off for benchmarks of thousands of messages).
    record_calls: bool,
    /// File ids handed out for uploaded pictures.
    uploads: Vec<String>,
}

/// A running fake server; dropped, it stops.
pub struct FakeApi {
    pub url: String,
    state: Arc<Shared>,
    server: tokio::task::JoinHandle<()>,
}

struct Shared {
    spec: Spec,
    inner: Mutex<Inner>,
    new_update: Notify,
}

impl Drop for FakeApi {
    fn drop(&mut self) {
        self.server.abort();
    }
}

impl FakeApi {
    pub async fn start(token: &str) -> FakeApi {
        let raw: Value =
            serde_json::from_str(&std::fs::read_to_string(repo_path("tests/data/telegram-bot-api.json")).unwrap())
                .unwrap();
        // Telegram matches method names case-insensitively (teloxide sends `GetMe`).
        let methods: HashMap<String, Value> = serde_json::from_value(raw["methods"].clone()).unwrap();
        let spec = Spec {
            methods: methods.into_iter().map(|(name, m)| (name.to_lowercase(), m)).collect(),
            types: serde_json::from_value(raw["types"].clone()).unwrap(),
        };
        let state = Arc::new(Shared {
            spec,
            inner: Mutex::new(Inner {
                token: token.to_owned(),
                next_update_id: 1,
                record_calls: true,
                uploads: Vec::new(),
                ..Inner::default()
            }),
            new_update: Notify::new(),
        });
        let app = Router::new().route("/{token}/{method}", any(handle)).with_state(state.clone());
        let listener = tokio::net::TcpListener::bind(SocketAddr::from(([127, 0, 0, 1], 0))).await.unwrap();
        let url = format!("http://{}/", listener.local_addr().unwrap());
        let server = tokio::spawn(async move {
            axum::serve(listener, app).await.unwrap();
        });
        FakeApi { url, state, server }
    }

    fn user_json(id: i64, language: &str) -> Value {
        json!({ "id": id, "is_bot": false, "first_name": format!("Resident {id}"), "language_code": language })
    }

    /// Builds the next update (registering its chat or query) without queueing it.
    fn make(&self, make: impl FnOnce(&mut Inner, i64) -> Value) -> Value {
        let mut inner = self.state.inner.lock().unwrap();
        let id = inner.next_update_id;
        inner.next_update_id += 1;
        let mut update = make(&mut inner, id);
        update["update_id"] = json!(id);
        update
    }

    /// Queues an update for `getUpdates`. It is numbered anew here, under the same lock, so that
    /// ids rise in queue order even when several tasks push at once: a client confirms everything
    /// up to the last id it got, so an id out of order would lose an update or deliver one twice.
    fn push(&self, mut update: Value) {
        let mut inner = self.state.inner.lock().unwrap();
        update["update_id"] = json!(inner.next_update_id);
        inner.next_update_id += 1;
        inner.updates.push(update);
        drop(inner);
        self.state.new_update.notify_waiters();
    }

    /// A private text message from a user whose app speaks `language`, queued for `getUpdates`.
    pub fn send_text(&self, from: u64, language: &str, text: &str) {
        self.push(self.text_update(from, language, text));
    }

    /// A press of the button `data` on the bot's message returned by `call`, queued.
    pub fn press(&self, from: u64, language: &str, call: &Call, data: &str) {
        self.push(self.press_update(from, language, call, data));
    }

    /// The update of a private text message, for delivering it yourself (to a webhook).
    pub fn text_update(&self, from: u64, language: &str, text: &str) -> Value {
        let from = from as i64;
        self.make(|inner, _| {
            inner.known_chats.insert(from, format!("Resident {from}"));
            let message_id = next_message_id(inner, from);
            let mut message = json!({
                "message_id": message_id,
                "date": chrono::Utc::now().timestamp(),
                "chat": { "id": from, "type": "private", "first_name": format!("Resident {from}") },
                "from": Self::user_json(from, language),
                "text": text,
            });
            if let Some(command) = text.strip_prefix('/') {
                let length = 1 + command.split_whitespace().next().unwrap_or("").encode_utf16().count();
                message["entities"] = json!([{ "type": "bot_command", "offset": 0, "length": length }]);
            }
            json!({ "message": message })
        })
    }

    /// A contact shared in a private chat: `owner` is the account the number belongs to (Telegram
    /// sets it when the user shares their own number), `None` for a typed contact.
    pub fn send_contact(&self, from: u64, language: &str, phone: &str, owner: Option<u64>) {
        let from = from as i64;
        let update = self.make(|inner, _| {
            inner.known_chats.insert(from, format!("Resident {from}"));
            let message_id = next_message_id(inner, from);
            let mut contact = json!({ "phone_number": phone, "first_name": format!("Resident {from}") });
            if let Some(owner) = owner {
                contact["user_id"] = json!(owner);
            }
            json!({ "message": {
                "message_id": message_id,
                "date": chrono::Utc::now().timestamp(),
                "chat": { "id": from, "type": "private", "first_name": format!("Resident {from}") },
                "from": Self::user_json(from, language),
                "contact": contact,
            }})
        });
        self.push(update);
    }

    /// The update of a button press, for delivering it yourself (to a webhook).
    pub fn press_update(&self, from: u64, language: &str, call: &Call, data: &str) -> Value {
        self.press_update_on(from, language, call.message.as_ref().expect("a call that returned a message"), data)
    }

    /// A press on a button of `message` (as the bot sent or last edited it).
    #[allow(dead_code)] // used by benches/load.rs
    pub fn press_on(&self, from: u64, language: &str, message: &Value, data: &str) {
        self.push(self.press_update_on(from, language, message, data));
    }

    fn press_update_on(&self, from: u64, language: &str, message: &Value, data: &str) -> Value {
        let from = from as i64;
        self.make(|inner, update_id| {
            let query_id = format!("q{update_id}");
            inner.open_queries.insert(query_id.clone(), from);
            json!({ "callback_query": {
                "id": query_id,
                "from": Self::user_json(from, language),
                "chat_instance": format!("ci{from}"),
                "message": message,
                "data": data,
            }})
        })
    }

    /// Enforce Telegram's flood limits from now on.
    pub fn set_limits(&self, limits: Limits) {
        self.state.inner.lock().unwrap().limits = limits;
    }

    /// The next `sendMessage` calls fail as scripted, in order.
    pub fn fail_next(&self, faults: &[Fault]) {
        self.state.inner.lock().unwrap().faults.extend(faults.iter().copied());
    }

    /// Users who wrote to the bot at some point (so Telegram knows their chat).
    pub fn know_chats(&self, chats: impl IntoIterator<Item = i64>) {
        let mut inner = self.state.inner.lock().unwrap();
        for chat in chats {
            inner.known_chats.insert(chat, format!("Resident {chat}"));
        }
    }

    /// Every later reply in `chat` (messages sent or edited, button presses answered), as it
    /// arrives; for load generators, which cannot afford to scan [`FakeApi::calls`].
    #[allow(dead_code)] // used by benches/load.rs
    pub fn watch(&self, chat: i64) -> mpsc::UnboundedReceiver<Reply> {
        let (sender, receiver) = mpsc::unbounded_channel();
        self.state.inner.lock().unwrap().watchers.insert(chat, sender);
        receiver
    }

    /// This user blocked the bot: sends to them get 403.
    pub fn block(&self, chat: i64) {
        self.state.inner.lock().unwrap().blocked.insert(chat);
    }

    /// Stop keeping every call (the counters and delivered texts are still kept).
    #[allow(dead_code)] // used by benches/delivery.rs
    pub fn stop_recording_calls(&self) {
        self.state.inner.lock().unwrap().record_calls = false;
    }

    pub fn send_stats(&self) -> SendStats {
        self.state.inner.lock().unwrap().send_stats.clone()
    }

    /// Texts delivered to each chat, in order.
    pub fn delivered(&self) -> HashMap<i64, Vec<String>> {
        self.state.inner.lock().unwrap().delivered.clone()
    }

    /// Every delivered message in arrival order: (chat, text).
    pub fn delivery_log(&self) -> Vec<(i64, String)> {
        self.state.inner.lock().unwrap().log.clone()
    }

    /// When each delivered message arrived, in order.
    #[allow(dead_code)] // used by benches/delivery.rs
    pub fn arrivals(&self) -> Vec<Instant> {
        self.state.inner.lock().unwrap().arrivals.clone()
    }

    /// How many messages one chat received.
    #[allow(dead_code)] // used by benches/delivery.rs
    pub fn delivered_to(&self, chat: i64) -> usize {
        self.state.inner.lock().unwrap().delivered.get(&chat).map_or(0, Vec::len)
    }

    pub fn delivered_count(&self) -> usize {
        self.state.inner.lock().unwrap().send_stats.delivered
    }

    /// Waits until `count` messages were delivered, or panics after `timeout`.
    pub async fn wait_delivered(&self, count: usize, timeout: Duration) {
        let deadline = Instant::now() + timeout;
        while self.delivered_count() < count {
            if Instant::now() > deadline {
                panic!(
                    "timed out: {} of {count} delivered; stats {:?}; violations {:?}",
                    self.delivered_count(),
                    self.send_stats(),
                    self.violations()
                );
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    pub fn calls(&self) -> Vec<Call> {
        self.state.inner.lock().unwrap().calls.clone()
    }

    /// How many pictures were uploaded (rather than sent by file id).
    pub fn uploads(&self) -> usize {
        self.state.inner.lock().unwrap().uploads.len()
    }

    pub fn violations(&self) -> Vec<String> {
        self.state.inner.lock().unwrap().violations.clone()
    }

    /// Waits for the first call after the `skip` first ones that satisfies `wanted`.
    pub async fn wait_for(&self, skip: usize, what: &str, wanted: impl Fn(&Call) -> bool) -> Call {
        self.wait_within(skip, Duration::from_secs(20), what, wanted).await
    }

    /// [`FakeApi::wait_for`], for at most `timeout`.
    pub async fn wait_within(
        &self,
        skip: usize,
        timeout: Duration,
        what: &str,
        wanted: impl Fn(&Call) -> bool,
    ) -> Call {
        let deadline = Instant::now() + timeout;
        loop {
            if let Some(call) = self.calls().into_iter().skip(skip).find(|c| wanted(c)) {
                return call;
            }
            if Instant::now() > deadline {
                panic!("timed out waiting for {what}; calls: {:#?}; violations: {:?}", self.calls(), self.violations());
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    /// Waits for the bot's next message (sent or edited) in `chat` after the `skip` first calls.
    pub async fn next_in(&self, skip: usize, chat: u64) -> Call {
        self.wait_for(skip, &format!("a message in chat {chat}"), |c| {
            (c.method == "sendMessage" || c.method == "editMessageText") && c.chat() == Some(chat)
        })
        .await
    }

    /// Waits until every update was fetched by the bot and nothing happened for `quiet`.
    pub async fn settle(&self, quiet: Duration) {
        let mut last = usize::MAX;
        loop {
            let now = self.calls().len();
            if now == last && self.state.inner.lock().unwrap().updates.is_empty() {
                return;
            }
            last = now;
            tokio::time::sleep(quiet).await;
        }
    }
}

/// Streams a reply in `chat` to its watcher, if it has one.
fn watched(inner: &Inner, chat: i64, method: &'static str, text: Option<&str>, message: Option<&Arc<Value>>) {
    if let Some(watcher) = inner.watchers.get(&chat) {
        let reply = Reply { at: Instant::now(), method, text: text.map(str::to_owned), message: message.cloned() };
        let _ = watcher.send(reply);
    }
}

fn next_message_id(inner: &mut Inner, chat: i64) -> i64 {
    let counter = inner.next_message_id.entry(chat).or_insert(0);
    *counter += 1;
    *counter
}

/// What a method returns: a value of its own, or a message as the server keeps it.
enum Returned {
    Value(Value),
    Message(Arc<Value>),
}

impl serde::Serialize for Returned {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            Returned::Value(value) => value.serialize(serializer),
            Returned::Message(message) => message.serialize(serializer),
        }
    }
}

impl From<Value> for Returned {
    fn from(value: Value) -> Self {
        Returned::Value(value)
    }
}

/// Telegram's envelope of a successful answer.
#[derive(serde::Serialize)]
struct Answer<T> {
    ok: bool,
    result: T,
}

fn reply<T: serde::Serialize>(result: T) -> Response {
    axum::Json(Answer { ok: true, result }).into_response()
}

fn refuse(status: StatusCode, description: String) -> Response {
    (status, axum::Json(json!({ "ok": false, "error_code": status.as_u16(), "description": description })))
        .into_response()
}

async fn handle(
    State(state): State<Arc<Shared>>,
    Path((token, method)): Path<(String, String)>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let method = canonical(&state.spec, &method);
    let expected = format!("bot{}", state.inner.lock().unwrap().token);
    if token != expected {
        return refuse(StatusCode::UNAUTHORIZED, "Unauthorized".into());
    }
    let (params, files) = match parse_params(&state.spec, &method, &headers, &body) {
        Ok(p) => p,
        Err(e) => return violation(&state, &method, Value::Null, format!("unreadable parameters: {e}")),
    };
    if let Err(problem) = check(&state.spec, &method, &params).and_then(|()| check_files(&method, &files)) {
        return violation(&state, &method, params, problem);
    }
    if method == "getUpdates" {
        return get_updates(&state, &params).await;
    }
    let mut inner = state.inner.lock().unwrap();
    let sends = matches!(method.as_str(), "sendMessage" | "sendPhoto");
    if sends && let Some(refusal) = flood_control(&mut inner, &params) {
        return refusal;
    }
    let outcome = respond(&mut inner, &method, &params, &files);
    match outcome {
        Ok((result, message)) => {
            if sends {
                let chat = params["chat_id"].as_i64().unwrap_or_default();
                let text = match method.as_str() {
                    "sendPhoto" => format!("[photo] {}", params["caption"].as_str().unwrap_or_default()),
                    _ => params["text"].as_str().unwrap_or_default().to_owned(),
                };
                inner.send_stats.delivered += 1;
                inner.delivered.entry(chat).or_default().push(text.clone());
                inner.log.push((chat, text));
                inner.arrivals.push(Instant::now());
            }
            if inner.record_calls {
                inner.calls.push(Call { method, params, message, files });
            }
            reply(result)
        }
        Err(problem) => {
            drop(inner);
            violation(&state, &method, params, problem)
        }
    }
}

/// Telegram's behaviour under load for one `sendMessage`: scripted faults, blocked users, the
/// penalty after a 429, and the limits. `None` lets the call through.
fn flood_control(inner: &mut Inner, params: &Value) -> Option<Response> {
    let now = Instant::now();
    let chat = params["chat_id"].as_i64().unwrap_or_default();
    if let Some(fault) = inner.faults.pop_front() {
        inner.send_stats.faults_served += 1;
        return Some(match fault {
            Fault::Status(code) => refuse(
                StatusCode::from_u16(code).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR),
                "Internal Server Error".into(),
            ),
            Fault::Drop => dropped_connection(),
        });
    }
    if inner.blocked.contains(&chat) {
        inner.send_stats.blocked_refused += 1;
        return Some(refuse(StatusCode::FORBIDDEN, "Forbidden: bot was blocked by the user".into()));
    }
    let retry_after = inner.limits.retry_after.max(1);
    let too_many = |inner: &mut Inner| {
        inner.send_stats.flood_refused += 1;
        inner.penalty_until = Some(now + Duration::from_secs(retry_after));
        Some(flood(retry_after))
    };
    if inner.penalty_until.is_some_and(|until| now < until) {
        inner.send_stats.ignored_retry_after += 1;
        return too_many(inner);
    }
    if let Some(per_second) = inner.limits.per_second {
        while inner.recent_sends.front().is_some_and(|t| now.duration_since(*t) >= Duration::from_secs(1)) {
            inner.recent_sends.pop_front();
        }
        if inner.recent_sends.len() >= per_second {
            return too_many(inner);
        }
    }
    if let Some(per_chat) = inner.limits.per_chat
        && inner.last_in_chat.get(&chat).is_some_and(|last| now.duration_since(*last) < per_chat.mul_f64(0.9))
    {
        return too_many(inner);
    }
    inner.recent_sends.push_back(now);
    inner.last_in_chat.insert(chat, now);
    None
}

fn flood(retry_after: u64) -> Response {
    (
        StatusCode::TOO_MANY_REQUESTS,
        axum::Json(json!({ "ok": false, "error_code": 429,
            "description": format!("Too Many Requests: retry after {retry_after}"),
            "parameters": { "retry_after": retry_after } })),
    )
        .into_response()
}

/// A response whose body fails at once: the client sees the connection cut mid-answer.
fn dropped_connection() -> Response {
    let failing = futures_util::stream::once(async { Err::<Bytes, _>(std::io::Error::other("connection dropped")) });
    Response::builder()
        .status(StatusCode::OK)
        .header("content-type", "application/json")
        .body(axum::body::Body::from_stream(failing))
        .unwrap()
}

/// The spec's spelling of a method name (`GetMe` → `getMe`); unknown names stay as they are.
fn canonical(spec: &Spec, method: &str) -> String {
    spec.methods.get(&method.to_lowercase()).and_then(|m| m["name"].as_str()).unwrap_or(method).to_owned()
}

fn violation(state: &Shared, method: &str, params: Value, problem: String) -> Response {
    let mut inner = state.inner.lock().unwrap();
    inner.violations.push(format!("{method}: {problem}"));
    inner.calls.push(Call { method: format!("REFUSED {method}"), params, message: None, files: vec![] });
    refuse(StatusCode::BAD_REQUEST, format!("Bad Request: {problem}"))
}

fn parse_params(spec: &Spec, method: &str, headers: &HeaderMap, body: &Bytes) -> Result<(Value, Vec<Upload>), String> {
    let content_type = headers.get("content-type").and_then(|v| v.to_str().ok()).unwrap_or("");
    if body.is_empty() {
        return Ok((json!({}), vec![]));
    }
    if content_type.starts_with("application/json") {
        return Ok((serde_json::from_slice(body).map_err(|e| e.to_string())?, vec![]));
    }
    if let Some(boundary) = content_type.strip_prefix("multipart/form-data; boundary=") {
        let (fields, files) = parse_multipart(body, boundary)?;
        return Ok((coerce_form_fields(spec, method, fields), files));
    }
    Err(format!("content type {content_type:?} is not handled by the fake server"))
}

fn find(haystack: &[u8], needle: &[u8], from: usize) -> Option<usize> {
    haystack.get(from..)?.windows(needle.len()).position(|w| w == needle).map(|i| i + from)
}

/// A request's text fields, by name.
type Fields = Vec<(String, String)>;

/// The text fields and the uploaded files of a multipart body.
fn parse_multipart(body: &[u8], boundary: &str) -> Result<(Fields, Vec<Upload>), String> {
    let delimiter = format!("--{boundary}").into_bytes();
    let mut fields = Vec::new();
    let mut files = Vec::new();
    let mut at = find(body, &delimiter, 0).ok_or("a multipart body without its boundary")? + delimiter.len();
    while !body[at..].starts_with(b"--") {
        let start = at + 2; // the CRLF after the delimiter
        let next = find(body, &delimiter, start).ok_or("a multipart part without an end")?;
        let part = &body[start..next];
        let split = find(part, b"\r\n\r\n", 0).ok_or("a multipart part without headers")?;
        let head = std::str::from_utf8(&part[..split]).map_err(|_| "multipart headers that are not UTF-8")?;
        let value = part[split + 4..].strip_suffix(b"\r\n").unwrap_or(&part[split + 4..]);
        let quoted = |key: &str| head.split(&format!("{key}=\"")).nth(1).and_then(|rest| rest.split('"').next());
        let name = quoted(" name").or_else(|| quoted(";name")).ok_or("a multipart part without a name")?;
        match quoted("filename") {
            Some(file_name) => {
                files.push(Upload { field: name.to_owned(), file_name: file_name.to_owned(), bytes: value.to_vec() });
            }
            None => {
                let text = std::str::from_utf8(value).map_err(|_| format!("field {name} is not UTF-8 text"))?;
                fields.push((name.to_owned(), text.to_owned()));
            }
        }
        at = next + delimiter.len();
    }
    // A file is either the parameter itself (`document` with a file name) or a part that a
    // parameter names as `attach://<part>`.
    for file in &mut files {
        let reference = format!("attach://{}", file.field);
        match fields.iter().find(|(_, v)| *v == reference) {
            Some((field, _)) => file.field = field.clone(),
            None => fields.push((file.field.clone(), format!("attach://{}", file.file_name))),
        }
    }
    Ok((fields, files))
}

/// Telegram's checks on uploads: photos must be images of at most 10 MB, documents at most 50 MB.
fn check_files(method: &str, files: &[Upload]) -> Result<(), String> {
    for file in files {
        let (max, image) = match (method, file.field.as_str()) {
            ("sendPhoto", "photo") => (10 << 20, true),
            ("sendDocument", "document") => (50 << 20, false),
            _ => return Err(format!("{method} does not take a file as {}", file.field)),
        };
        if file.bytes.is_empty() || file.bytes.len() > max {
            return Err(format!("file {} has {} bytes", file.file_name, file.bytes.len()));
        }
        if image && !(file.bytes.starts_with(b"\x89PNG\r\n\x1a\n") || file.bytes.starts_with(&[0xff, 0xd8, 0xff])) {
            return Err("IMAGE_PROCESS_FAILED".into());
        }
    }
    Ok(())
}

/// Form fields arrive as strings; like Telegram, read each one as its declared type.
fn coerce_form_fields(spec: &Spec, method: &str, fields: Vec<(String, String)>) -> Value {
    let fields_of_method = spec.methods.get(&method.to_lowercase()).map_or(&[][..], declared);
    let mut object = serde_json::Map::new();
    for (name, raw) in fields {
        let types: Vec<&str> = fields_of_method
            .iter()
            .find(|f| f["name"] == name.as_str())
            .map(|f| types_of(f).collect())
            .unwrap_or_default();
        let textual = types.iter().any(|t| *t == "String" || *t == "InputFile");
        let value = match raw.parse::<i64>() {
            // `chat_id` is "Integer or String": a number is read as the number.
            Ok(n) if types.contains(&"Integer") => Value::from(n),
            _ if textual => Value::String(raw),
            _ => serde_json::from_str(&raw).unwrap_or(Value::String(raw)),
        };
        object.insert(name, value);
    }
    Value::Object(object)
}

async fn get_updates(state: &Shared, params: &Value) -> Response {
    let offset = params.get("offset").and_then(Value::as_i64).unwrap_or(0);
    // At most `limit` updates (1–100, 100 by default), as Telegram answers.
    let limit = params.get("limit").and_then(Value::as_u64).unwrap_or(100).clamp(1, 100) as usize;
    // Long polling, but never longer than a second, so a test's bot stops promptly.
    let wait = Duration::from_secs(params.get("timeout").and_then(Value::as_u64).unwrap_or(0).min(1));
    let deadline = Instant::now() + wait;
    loop {
        let notified = state.new_update.notified();
        {
            let mut inner = state.inner.lock().unwrap();
            inner.updates.retain(|u| u["update_id"].as_i64().unwrap_or(0) >= offset);
            if !inner.updates.is_empty() || Instant::now() >= deadline {
                // Written from the queue as it is, not from a copy of it.
                let updates = &inner.updates[..inner.updates.len().min(limit)];
                return reply(updates);
            }
        }
        let _ = tokio::time::timeout(deadline.saturating_duration_since(Instant::now()), notified).await;
    }
}

fn bot_user() -> Value {
    json!({ "id": BOT_ID, "is_bot": true, "first_name": "PB bot", "username": BOT_USERNAME,
            "can_join_groups": true, "can_read_all_group_messages": false, "supports_inline_queries": false,
            "can_connect_to_business": false, "has_main_web_app": false, "has_topics_enabled": false,
            "allows_users_to_create_topics": false, "can_manage_bots": false, "supports_guest_queries": false,
            "supports_join_request_queries": false })
}

/// What the fake Telegram answers, and the message it created or changed.
fn respond(
    inner: &mut Inner,
    method: &str,
    params: &Value,
    files: &[Upload],
) -> Result<(Returned, Option<Value>), String> {
    match method {
        "getMe" => Ok((bot_user().into(), None)),
        "getWebhookInfo" => {
            Ok((json!({ "url": "", "has_custom_certificate": false, "pending_update_count": 0 }).into(), None))
        }
        "deleteWebhook" | "setMyCommands" => Ok((json!(true).into(), None)),
        "setWebhook" => {
            let url = params["url"].as_str().unwrap_or_default();
            let parsed = url::Url::parse(url).map_err(|e| format!("bad webhook url {url:?}: {e}"))?;
            if parsed.scheme() != "https" {
                return Err("bad webhook: An HTTPS URL must be provided for webhook".into());
            }
            if !matches!(parsed.port_or_known_default(), Some(443 | 80 | 88 | 8443)) {
                return Err("bad webhook: Webhook can be set up only on ports 80, 88, 443 or 8443".into());
            }
            Ok((json!(true).into(), None))
        }
        "answerCallbackQuery" => {
            let id = params["callback_query_id"].as_str().unwrap_or_default();
            let Some(user) = inner.open_queries.remove(id) else {
                return Err("query is too old and response timeout expired or query ID is invalid".into());
            };
            watched(inner, user, "answerCallbackQuery", params.get("text").and_then(Value::as_str), None);
            Ok((json!(true).into(), None))
        }
        "sendMessage" | "sendPhoto" | "sendDocument" => {
            let chat = params["chat_id"].as_i64().ok_or("chat_id must be a private chat's id here")?;
            let Some(first_name) = inner.known_chats.get(&chat).cloned() else {
                return Err("chat not found".into());
            };
            let message_id = next_message_id(inner, chat);
            let mut message = json!({
                "message_id": message_id,
                "date": chrono::Utc::now().timestamp(),
                "chat": { "id": chat, "type": "private", "first_name": first_name },
                "from": bot_user(),
            });
            match method {
                "sendMessage" => message["text"] = params["text"].clone(),
                "sendPhoto" => {
                    // An upload gets a file id of its own, as on Telegram; a file id is reused.
                    let given = params["photo"].as_str().ok_or("photo must be a file id or an upload")?;
                    let file_id = if given.starts_with("attach://") {
                        if !files.iter().any(|f| f.field == "photo") {
                            return Err("wrong remote file identifier specified: the attachment is missing".into());
                        }
                        inner.uploads.push(format!("AgACAgIAAxkDAAI-{}", inner.uploads.len() + 1));
                        inner.uploads.last().cloned().unwrap_or_default()
                    } else {
                        given.to_owned()
                    };
                    message["photo"] = json!([
                        { "file_id": format!("{file_id}-s"), "file_unique_id": "s", "width": 90, "height": 60 },
                        { "file_id": file_id, "file_unique_id": "u", "width": 800, "height": 600 }
                    ]);
                }
                _ => {
                    message["document"] = json!({ "file_id": params["document"], "file_unique_id": "d",
                        "file_name": params["document"].as_str().unwrap_or_default().trim_start_matches("attach://") });
                }
            }
            if method != "sendMessage"
                && let Some(caption) = params.get("caption")
            {
                message["caption"] = caption.clone();
            }
            if let Some(markup) = params.get("reply_markup").filter(|m| m.get("inline_keyboard").is_some()) {
                message["reply_markup"] = markup.clone();
            }
            let message = Arc::new(message);
            inner.messages.insert((chat, message_id), message.clone());
            let text = params.get("text").or_else(|| params.get("caption")).and_then(Value::as_str);
            let method = if method == "sendMessage" { "sendMessage" } else { "sendPhoto" };
            watched(inner, chat, method, text, Some(&message));
            let recorded = inner.record_calls.then(|| message.as_ref().clone());
            Ok((Returned::Message(message), recorded))
        }
        "editMessageText" => {
            let chat = params["chat_id"].as_i64().ok_or("editMessageText needs chat_id here")?;
            let id = params["message_id"].as_i64().ok_or("editMessageText needs message_id here")?;
            let Some(current) = inner.messages.get_mut(&(chat, id)) else {
                return Err("message to edit not found".into());
            };
            // Only the text and the markup change, so the rest need not be compared.
            let markup = params.get("reply_markup");
            if current.get("text") == Some(&params["text"]) && current.get("reply_markup") == markup {
                return Err("message is not modified: specified new message content and reply markup are exactly the same as a current content and reply markup of the message".into());
            }
            // Changed in place, unless a load generator still holds the message as it was.
            let edited = Arc::make_mut(current);
            edited["text"] = params["text"].clone();
            match markup {
                Some(markup) => edited["reply_markup"] = markup.clone(),
                None => {
                    edited.as_object_mut().unwrap().remove("reply_markup");
                }
            }
            edited["edit_date"] = json!(chrono::Utc::now().timestamp());
            let edited = current.clone();
            watched(inner, chat, "editMessageText", params["text"].as_str(), Some(&edited));
            let recorded = inner.record_calls.then(|| edited.as_ref().clone());
            Ok((Returned::Message(edited), recorded))
        }
        other => Err(format!("the fake server does not implement {other}")),
    }
}

/// Where in a request a value sits (`sendMessage.reply_markup.inline_keyboard[0][1]`), written
/// out only when a check fails.
#[derive(Clone, Copy)]
enum Where<'a> {
    Method(&'a str),
    Field(&'a Where<'a>, &'a str),
    Item(&'a Where<'a>, usize),
}

impl std::fmt::Display for Where<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Where::Method(method) => f.write_str(method),
            Where::Field(parent, key) => write!(f, "{parent}.{key}"),
            Where::Item(parent, i) => write!(f, "{parent}[{i}]"),
        }
    }
}

/// The fields a method or type declares in the spec.
fn declared(entry: &Value) -> &[Value] {
    entry["fields"].as_array().map_or(&[], Vec::as_slice)
}

/// The type names a field declares ("Integer", "Array of InlineKeyboardButton", …).
fn types_of(field: &Value) -> impl Iterator<Item = &str> {
    field["types"].as_array().into_iter().flatten().filter_map(Value::as_str)
}

/// Checks a request against the spec and Telegram's limits.
fn check(spec: &Spec, method: &str, params: &Value) -> Result<(), String> {
    let m = spec.methods.get(&method.to_lowercase()).ok_or_else(|| format!("unknown method {method}"))?;
    check_object(spec, Where::Method(method), declared(m), params)?;
    let text_limit = |key: &str, max: usize| -> Result<(), String> {
        match params.get(key).and_then(Value::as_str) {
            Some(t) if t.chars().count() > max => {
                Err(format!("{key} has {} characters, more than {max}", t.chars().count()))
            }
            Some(t) if t.trim().is_empty() && key == "text" => Err("message text is empty".into()),
            _ => Ok(()),
        }
    };
    match method {
        "sendMessage" | "editMessageText" => text_limit("text", 4096),
        "sendPhoto" | "sendDocument" => text_limit("caption", 1024),
        "answerCallbackQuery" => text_limit("text", 200),
        "setMyCommands" => {
            let commands = params["commands"].as_array().map_or(&[][..], Vec::as_slice);
            if commands.len() > 100 {
                return Err("more than 100 commands".into());
            }
            for c in commands {
                let name = c["command"].as_str().unwrap_or_default();
                let description = c["description"].as_str().unwrap_or_default().chars().count();
                if !(1..=32).contains(&name.len())
                    || !name.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
                {
                    return Err(format!("bad command name {name:?}"));
                }
                if !(1..=256).contains(&description) {
                    return Err(format!("command {name} has a description of {description} characters"));
                }
            }
            Ok(())
        }
        _ => Ok(()),
    }
}

fn check_object(spec: &Spec, path: Where, fields: &[Value], value: &Value) -> Result<(), String> {
    let object = value.as_object().ok_or_else(|| format!("{path} must be an object"))?;
    for (key, v) in object {
        let field = fields
            .iter()
            .find(|f| f["name"] == key.as_str())
            .ok_or_else(|| format!("{path} has no parameter {key}"))?;
        if v.is_null() {
            continue;
        }
        check_value(spec, Where::Field(&path, key), types_of(field), v)?;
    }
    for field in fields {
        let name = field["name"].as_str().unwrap_or_default();
        if field["required"] == true && object.get(name).is_none_or(Value::is_null) {
            return Err(format!("{path} is missing the required {name}"));
        }
    }
    Ok(())
}

/// Passes when `value` is of one of `types`.
fn check_value<'t>(
    spec: &Spec,
    path: Where,
    types: impl IntoIterator<Item = &'t str>,
    value: &Value,
) -> Result<(), String> {
    let mut problems = Vec::new();
    for ty in types {
        match check_type(spec, path, ty, value) {
            Ok(()) => return Ok(()),
            Err(p) => problems.push(p),
        }
    }
    Err(problems.join(" / "))
}

fn check_type(spec: &Spec, path: Where, ty: &str, value: &Value) -> Result<(), String> {
    let ok = |good: bool| if good { Ok(()) } else { Err(format!("{path} is not {ty}: {value}")) };
    match ty {
        "Integer" => ok(value.is_i64() || value.is_u64()),
        "Float" => ok(value.is_number()),
        "String" | "InputFile" => ok(value.is_string()),
        "Boolean" => ok(value.is_boolean()),
        "True" => ok(value == &Value::Bool(true)),
        _ => {
            if let Some(inner) = ty.strip_prefix("Array of ") {
                let items = value.as_array().ok_or_else(|| format!("{path} is not an array"))?;
                for (i, item) in items.iter().enumerate() {
                    check_value(spec, Where::Item(&path, i), [inner], item)?;
                }
                return Ok(());
            }
            let t = spec.types.get(ty).ok_or_else(|| format!("{path}: unknown type {ty}"))?;
            if let Some(subtypes) = t["subtypes"].as_array().filter(|s| !s.is_empty()) {
                return check_value(spec, path, subtypes.iter().filter_map(Value::as_str), value);
            }
            check_object(spec, path, declared(t), value)?;
            if ty == "InlineKeyboardButton" {
                if let Some(data) = value.get("callback_data").and_then(Value::as_str)
                    && (data.is_empty() || data.len() > 64)
                {
                    return Err(format!("{path}.callback_data is {} bytes (1-64 allowed)", data.len()));
                }
                let actions = value.as_object().map_or(0, |o| {
                    o.keys().filter(|k| !["text", "icon_custom_emoji_id", "style"].contains(&k.as_str())).count()
                });
                if actions != 1 {
                    return Err(format!("{path} must have exactly one action, has {actions}"));
                }
                if value["text"].as_str().is_none_or(|t| t.trim().is_empty()) {
                    return Err(format!("{path} has an empty label"));
                }
            }
            Ok(())
        }
    }
}
