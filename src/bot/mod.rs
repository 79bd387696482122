//! Everything that speaks Telegram: the handler tree, commands, dialogues, keyboards, replies.
//!
//! [`schema`] builds the whole tree; the district configuration, the store and the locales come
//! in as dependencies ([`dependencies`]). Every update is answered in the user's language, and
//! an internal failure is logged and shown as a polite generic message, never as error text.

mod admin;
mod announce;
pub mod callback;
mod checkin;
mod commands;
mod delivery;
mod dialogue;
pub mod execution;
mod follow;
mod intake;
pub mod jobs;
pub mod meetings;
pub mod paper;
mod propose;
mod qr;
mod resident;
pub mod results;
mod rounds;
mod schedule;
mod verify;
pub mod vote;

use std::sync::Arc;

use chrono::{DateTime, NaiveTime, TimeZone, Utc};
use chrono_tz::Asia::Seoul;
use teloxide::{
    dispatching::UpdateHandler,
    prelude::*,
    requests::{JsonRequest, Payload},
    types::{InlineKeyboardButton, InlineKeyboardMarkup, Me, MessageId, UpdateKind},
};

pub use commands::{RESIDENT_COMMANDS, register_commands};
pub use delivery::{Courier, Worker};
pub use dialogue::Dialogue;
pub use intake::{Intake, UPDATES_AT_ONCE};

use crate::{
    config::Config,
    domain::verification::Secret,
    i18n::{Args, Lang, Locales},
    store::{Store, StoreError, UserLanguage},
};
use callback::Callback;

pub type BotError = Box<dyn std::error::Error + Send + Sync>;
pub type HandlerResult = Result<(), BotError>;

/// Telegram's limit on a message's text.
pub const MAX_TEXT_CHARS: usize = 4096;

/// The handler tree's dependencies: the district, the store, the locales, the server secret and
/// the courier that paces every message and wakes the delivery worker, and the intake whose
/// places the handlers give back.
pub fn dependencies(
    config: Arc<Config>,
    store: Store,
    locales: Arc<Locales>,
    secret: Arc<Secret>,
    courier: Arc<Courier>,
    intake: Arc<Intake>,
) -> DependencyMap {
    dptree::deps![Services { config, store, locales, secret, courier, intake }]
}

/// What every handler works with besides the update itself.
#[derive(Clone)]
struct Services {
    config: Arc<Config>,
    store: Store,
    locales: Arc<Locales>,
    secret: Arc<Secret>,
    courier: Arc<Courier>,
    /// The updates in hand; a handler gives its update's place back when it ends.
    intake: Arc<Intake>,
}

/// The whole handler tree: one endpoint that takes the update apart itself. Filters and
/// endpoints of their own would each clone the message or button press out of the update (a
/// ballot's press carries the whole ballot message), and drop the copies again.
pub fn schema() -> UpdateHandler<BotError> {
    dptree::endpoint(on_update)
}

async fn on_update(bot: Bot, update: Update, me: Me, services: Services) -> HandlerResult {
    match update.kind {
        UpdateKind::Message(msg) => on_message(bot, msg, me, services).await,
        UpdateKind::CallbackQuery(query) => on_callback(bot, query, me, services).await,
        // Nothing else is asked for (see `Intake`'s allowed updates).
        _ => Ok(()),
    }
}

/// Everything a handler needs about the update it is answering.
pub struct Ctx {
    pub bot: Bot,
    pub config: Arc<Config>,
    pub store: Store,
    pub locales: Arc<Locales>,
    pub secret: Arc<Secret>,
    pub courier: Arc<Courier>,
    pub user_id: i64,
    pub lang: Lang,
    /// Their name to the ballot box and their dong, if verified, as the update began.
    pub voter: Option<(String, String)>,
    pub now: DateTime<Utc>,
    pub bot_username: Option<String>,
}

impl Ctx {
    pub fn chat(&self) -> ChatId {
        // The bot works in private chats, where the chat id is the user id.
        ChatId(self.user_id)
    }

    pub fn t(&self, id: &str) -> String {
        self.locales.plain(self.lang, id)
    }

    pub fn ta(&self, id: &str, args: Args<'_>) -> String {
        self.locales.text(self.lang, id, args)
    }

    pub fn now_ts(&self) -> i64 {
        self.now.timestamp()
    }

    /// Sends a message in this chat; the id it got.
    pub async fn send(&self, text: String) -> Result<MessageId, BotError> {
        self.paced(teloxide::payloads::SendMessage::new(self.chat(), fit(text))).await
    }

    pub async fn send_with(&self, text: String, keyboard: InlineKeyboardMarkup) -> Result<MessageId, BotError> {
        let mut payload = teloxide::payloads::SendMessage::new(self.chat(), fit(text));
        payload.reply_markup = Some(keyboard.into());
        self.paced(payload).await
    }

    /// Sends a reply at once, taking its place in the pace the delivery worker keeps. If Telegram
    /// still says to slow down, the worker pauses too and the reply goes once more after the
    /// wait, rather than being lost.
    async fn paced(&self, payload: teloxide::payloads::SendMessage) -> Result<MessageId, BotError> {
        let request = || JsonRequest::new(self.bot.clone(), SendText(payload.clone()));
        self.courier.note_reply(self.user_id);
        match request().await {
            Err(teloxide::RequestError::RetryAfter(wait)) => {
                self.courier.pause_for(wait.duration());
                tokio::time::sleep(wait.duration()).await;
                self.courier.note_reply(self.user_id);
                Ok(request().await?)
            }
            other => Ok(other?),
        }
    }

    /// Replaces the text (and buttons) of one of the bot's messages in this chat.
    pub async fn edit(
        &self,
        message: MessageId,
        text: String,
        keyboard: Option<InlineKeyboardMarkup>,
    ) -> HandlerResult {
        self.courier.note_reply(self.user_id);
        let mut payload = teloxide::payloads::EditMessageText::new(self.chat(), message, fit(text));
        payload.reply_markup = keyboard;
        match JsonRequest::new(self.bot.clone(), EditText(payload)).await {
            // Pressing "refresh" when nothing changed is not an error worth a word.
            Err(teloxide::RequestError::Api(teloxide::ApiError::MessageNotModified)) => Ok(()),
            other => other.map(drop).map_err(Into::into),
        }
    }

    /// Shows a screen of a menu: in place of the message whose button was pressed, else anew.
    pub async fn show(
        &self,
        message: Option<MessageId>,
        text: String,
        keyboard: InlineKeyboardMarkup,
    ) -> HandlerResult {
        match message {
            Some(id) => self.edit(id, text, Some(keyboard)).await,
            None => self.send_with(text, keyboard).await.map(drop),
        }
    }

    pub async fn is_official(&self) -> Result<bool, StoreError> {
        self.store.is_official(self.user_id).await
    }

    /// The start of today in Seoul, as UTC seconds (the day a daily limit counts from).
    pub fn seoul_day_start(&self) -> i64 {
        let today = self.now.with_timezone(&Seoul).date_naive();
        Seoul
            .from_local_datetime(&today.and_time(NaiveTime::MIN))
            .earliest()
            .map_or(self.now_ts() - 86_400, |t| t.timestamp())
    }

    /// A stored UTC timestamp as the user reads dates, in Seoul time.
    pub fn datetime_of(&self, ts: i64) -> String {
        self.lang.datetime(DateTime::from_timestamp(ts, 0).unwrap_or_default())
    }

    pub fn area_name(&self, key: &str) -> String {
        self.area_name_in(key, self.lang)
    }

    /// An area's name in a given language (for a message to someone else).
    pub fn area_name_in(&self, key: &str, lang: Lang) -> String {
        self.config.area_name(key, lang)
    }
}

/// The language to speak to a user: their choice, else their Telegram app's, else the district's.
pub fn resolve_lang(known: &UserLanguage, config: &Config) -> Lang {
    known.chosen.or_else(|| known.telegram.as_deref().and_then(Lang::from_code)).unwrap_or(config.default_language)
}

/// Cuts a text to Telegram's limit on a character boundary, marking the cut.
pub fn fit(text: String) -> String {
    cut(text, MAX_TEXT_CHARS)
}

fn cut(text: String, max: usize) -> String {
    if text.chars().count() <= max {
        return text;
    }
    let mut cut: String = text.chars().take(max - 1).collect();
    cut.push('…');
    cut
}

/// Telegram's limit on a photo or document caption.
pub const MAX_CAPTION_CHARS: usize = 1024;

/// Cuts a caption to Telegram's limit on a character boundary, marking the cut.
pub fn fit_caption(text: String) -> String {
    cut(text, MAX_CAPTION_CHARS)
}

/// `editMessageText`, with Telegram's answer left unparsed: it is the whole edited message,
/// buttons and all, which nothing here reads. Parsing it was a twentieth of the bot's time while
/// residents tapped through their ballots.
#[derive(serde::Serialize)]
#[serde(transparent)]
struct EditText(teloxide::payloads::EditMessageText);

impl Payload for EditText {
    type Output = Unread;
    const NAME: &'static str = <teloxide::payloads::EditMessageText as Payload>::NAME;
}

/// `sendMessage`, with only the new message's id read from Telegram's answer (the message's
/// other fields are skipped), for the same reason.
#[derive(serde::Serialize)]
#[serde(transparent)]
struct SendText(teloxide::payloads::SendMessage);

impl Payload for SendText {
    type Output = MessageId;
    const NAME: &'static str = <teloxide::payloads::SendMessage as Payload>::NAME;
}

/// A successful answer whose content is not needed.
struct Unread;

impl<'de> serde::Deserialize<'de> for Unread {
    fn deserialize<D: serde::Deserializer<'de>>(answer: D) -> Result<Self, D::Error> {
        serde::de::IgnoredAny::deserialize(answer).map(|_| Unread)
    }
}

pub fn button(label: impl Into<String>, callback: Callback) -> InlineKeyboardButton {
    InlineKeyboardButton::callback(label.into(), callback.encode())
}

async fn context(bot: Bot, services: Services, me: &Me, user: &teloxide::types::User) -> Result<Ctx, BotError> {
    let Services { config, store, locales, secret, courier, intake: _ } = services;
    let now = Utc::now();
    let user_id = i64::try_from(user.id.0)?;
    let seen = store.seen(user_id, user.language_code.as_deref(), now.timestamp()).await?;
    let lang = resolve_lang(&seen.language, &config);
    let bot_username = me.username.clone();
    Ok(Ctx { bot, config, store, locales, secret, courier, user_id, lang, voter: seen.voter, now, bot_username })
}

async fn on_message(bot: Bot, msg: Message, me: Me, services: Services) -> HandlerResult {
    let intake = services.intake.clone();
    let _turn = intake.turn();
    let Some(user) = msg.from.clone() else { return Ok(()) };
    if user.is_bot {
        return Ok(());
    }
    let (config, locales) = (services.config.clone(), services.locales.clone());
    if !msg.chat.is_private() {
        return resident::outside_private_chat(&bot, &msg, &me, &config, &locales).await;
    }
    let ctx = match context(bot.clone(), services, &me, &user).await {
        Ok(ctx) => ctx,
        Err(e) => return apologise(&bot, msg.chat.id, config.default_language, &locales, e).await,
    };
    if let Err(e) = commands::route_message(&ctx, &msg).await {
        return apologise(&bot, msg.chat.id, ctx.lang, &locales, e).await;
    }
    Ok(())
}

async fn on_callback(bot: Bot, query: CallbackQuery, me: Me, services: Services) -> HandlerResult {
    let intake = services.intake.clone();
    let _turn = intake.turn();
    let (config, locales) = (services.config.clone(), services.locales.clone());
    let ctx = match context(bot.clone(), services, &me, &query.from).await {
        Ok(ctx) => ctx,
        Err(e) => {
            bot.answer_callback_query(query.id.clone()).await?;
            let chat = ChatId(i64::try_from(query.from.id.0).unwrap_or_default());
            return apologise(&bot, chat, config.default_language, &locales, e).await;
        }
    };
    match commands::route_callback(&ctx, &query).await {
        Ok(()) => Ok(()),
        Err(e) => {
            // The query may or may not have been answered; a second answer is harmless to the user.
            let _ = bot.answer_callback_query(query.id.clone()).await;
            apologise(&bot, ctx.chat(), ctx.lang, &locales, e).await
        }
    }
}

/// Logs an internal failure with its cause and tells the user, politely, to try again later.
async fn apologise(bot: &Bot, chat: ChatId, lang: Lang, locales: &Locales, error: BotError) -> HandlerResult {
    tracing::error!(chat = chat.0, error = %error, "handler failed");
    if let Err(send_error) = bot.send_message(chat, locales.plain(lang, "error-internal")).await {
        tracing::warn!(chat = chat.0, error = %send_error, "could not send the apology");
    }
    Ok(())
}

/// Answers a button press, optionally with a short notice or an alert.
pub async fn answer(ctx: &Ctx, query: &CallbackQuery, notice: Option<String>, alert: bool) -> HandlerResult {
    let request = ctx.bot.answer_callback_query(query.id.clone());
    match notice {
        Some(text) => request.text(text).show_alert(alert).await?,
        None => request.await?,
    };
    Ok(())
}
