//! `/admin` → announcements to a dong or the whole district (typed in Korean, optionally in
//! English, previewed with the number of recipients, then sent or dropped), and the delivery
//! figures of the latest broadcasts.

use teloxide::{
    prelude::*,
    types::{InlineKeyboardMarkup, MessageId},
};

use super::{
    Ctx, HandlerResult,
    admin::{back_to_menu, ensure_official},
    answer, button,
    callback::Callback,
    dialogue::Dialogue,
    follow::area_audience,
};
use crate::{
    args,
    domain::AreaKind,
    i18n::Lang,
    store::{Broadcast, DISTRICT_TARGET},
};

/// The longest announcement an official may type: with its header it stays within Telegram's
/// 4,096 characters.
pub const ANNOUNCEMENT_MAX_CHARS: usize = 3500;

fn is_target(ctx: &Ctx, area: &str) -> bool {
    area == DISTRICT_TARGET || ctx.config.area(area).is_some_and(|a| a.kind == AreaKind::Dong)
}

fn target_name(ctx: &Ctx, area: &str, lang: Lang) -> String {
    if area == DISTRICT_TARGET { ctx.config.district_name(lang).to_owned() } else { ctx.area_name_in(area, lang) }
}

/// The announcement as residents will read it, with its header.
fn rendered(ctx: &Ctx, lang: Lang, area: &str, body: &str) -> String {
    ctx.locales.text(lang, "announce-message", args![("area", target_name(ctx, area, lang)), ("text", body.to_owned())])
}

pub async fn choose_area(ctx: &Ctx, message: Option<MessageId>) -> HandlerResult {
    let mut rows =
        vec![vec![button(ctx.t("announce-district"), Callback::AdminAnnounceArea { area: DISTRICT_TARGET.into() })]];
    let dongs: Vec<_> = ctx.config.areas.iter().filter(|a| a.kind == AreaKind::Dong).collect();
    for pair in dongs.chunks(2) {
        rows.push(
            pair.iter()
                .map(|a| button(ctx.area_name(&a.key), Callback::AdminAnnounceArea { area: a.key.clone() }))
                .collect(),
        );
    }
    rows.push(back_to_menu(ctx));
    let keyboard = InlineKeyboardMarkup::new(rows);
    match message {
        Some(id) => ctx.edit(id, ctx.t("announce-choose-area"), Some(keyboard)).await,
        None => ctx.send_with(ctx.t("announce-choose-area"), keyboard).await.map(drop),
    }
}

pub async fn ask_text(ctx: &Ctx, query: &CallbackQuery, area: &str) -> HandlerResult {
    if !is_target(ctx, area) {
        return answer(ctx, query, Some(ctx.t("button-stale")), true).await;
    }
    answer(ctx, query, None, false).await?;
    ctx.save_dialogue(&Dialogue::Announce { area: area.to_owned(), korean: None }).await?;
    let text = ctx
        .ta("announce-ask-korean", args![("area", target_name(ctx, area, ctx.lang)), ("max", ANNOUNCEMENT_MAX_CHARS)]);
    ctx.send(text).await?;
    Ok(())
}

/// The official typed the announcement (Korean first, then the English version if they asked
/// to add one).
pub async fn on_text(ctx: &Ctx, msg: &Message, area: &str, korean: Option<String>, state: &str) -> HandlerResult {
    if !ensure_official(ctx).await? {
        ctx.store.clear_dialogue(ctx.user_id).await?;
        return Ok(());
    }
    let typed = msg.text().map(str::trim).unwrap_or_default();
    if typed.is_empty() {
        return ctx.send(ctx.t("announce-need-text")).await.map(drop);
    }
    let length = typed.chars().count();
    if length > ANNOUNCEMENT_MAX_CHARS {
        let text = ctx.ta("announce-too-long", args![("length", length), ("max", ANNOUNCEMENT_MAX_CHARS)]);
        return ctx.send(text).await.map(drop);
    }
    let (korean, english) = match korean {
        None => (typed.to_owned(), None),
        Some(korean) => (korean, Some(typed.to_owned())),
    };
    let next = Dialogue::AnnouncePreview { area: area.to_owned(), korean, english };
    ctx.replace_dialogue(state, &next).await?;
    preview(ctx, &next).await
}

async fn preview(ctx: &Ctx, dialogue: &Dialogue) -> HandlerResult {
    let Dialogue::AnnouncePreview { area, korean, english } = dialogue else { return Ok(()) };
    let recipients = ctx.store.audience_size(&area_audience(&ctx.config, area), None).await?;
    let mut text = ctx.ta("announce-preview", args![("area", target_name(ctx, area, ctx.lang)), ("count", recipients)]);
    text.push_str("\n\n— 한국어 —\n");
    text.push_str(&rendered(ctx, Lang::Ko, area, korean));
    text.push_str("\n\n— English —\n");
    match english {
        Some(english) => text.push_str(&rendered(ctx, Lang::En, area, english)),
        None => text.push_str(&ctx.t("announce-no-english")),
    }
    let mut rows =
        vec![vec![button(ctx.ta("announce-send", args![("count", recipients)]), Callback::AdminAnnounceSend)]];
    if english.is_none() {
        rows.push(vec![button(ctx.t("announce-add-english"), Callback::AdminAnnounceEnglish)]);
    }
    rows.push(vec![button(ctx.t("announce-cancel"), Callback::AdminAnnounceCancel)]);
    ctx.send_with(text, InlineKeyboardMarkup::new(rows)).await?;
    Ok(())
}

/// The announcement waiting for "send", with its stored state; `None` when there is none.
async fn pending(ctx: &Ctx) -> Result<Option<(Dialogue, String)>, super::BotError> {
    Ok(ctx
        .dialogue()
        .await?
        .filter(|l| matches!(l.dialogue, Dialogue::AnnouncePreview { .. }))
        .map(|l| (l.dialogue, l.json)))
}

pub async fn ask_english(ctx: &Ctx, query: &CallbackQuery) -> HandlerResult {
    let Some((Dialogue::AnnouncePreview { area, korean, english: None }, state)) = pending(ctx).await? else {
        return answer(ctx, query, Some(ctx.t("announce-gone")), true).await;
    };
    answer(ctx, query, None, false).await?;
    ctx.replace_dialogue(&state, &Dialogue::Announce { area, korean: Some(korean) }).await?;
    ctx.send(ctx.ta("announce-ask-english", args![("max", ANNOUNCEMENT_MAX_CHARS)])).await?;
    Ok(())
}

pub async fn send(ctx: &Ctx, query: &CallbackQuery) -> HandlerResult {
    let Some((Dialogue::AnnouncePreview { area, korean, english }, state)) = pending(ctx).await? else {
        return answer(ctx, query, Some(ctx.t("announce-gone")), true).await;
    };
    let broadcast = Broadcast {
        kind: "announcement".into(),
        subject: Some(area.clone()),
        text_ko: rendered(ctx, Lang::Ko, &area, &korean),
        text_en: rendered(ctx, Lang::En, &area, english.as_deref().unwrap_or(&korean)),
        markup_ko: None,
        markup_en: None,
        audience: area_audience(&ctx.config, &area),
        exclude: None,
        created_by: Some(ctx.user_id),
        photos: None,
    };
    let default_lang = ctx.config.default_language.code();
    let queued = ctx.store.announce(&broadcast, default_lang, Some((ctx.user_id, &state)), ctx.now_ts()).await?;
    let Some((id, recipients)) = queued else {
        return answer(ctx, query, Some(ctx.t("announce-gone")), true).await;
    };
    ctx.courier.wake();
    tracing::info!(official = ctx.user_id, broadcast = id, recipients, area = %area, "announcement queued");
    answer(ctx, query, None, false).await?;
    let text = ctx.ta("announce-queued", args![("id", id), ("count", recipients)]);
    let keyboard = InlineKeyboardMarkup::new(vec![
        vec![button(ctx.t("admin-delivery-button"), Callback::AdminDelivery)],
        back_to_menu(ctx),
    ]);
    match query.regular_message() {
        Some(m) => ctx.edit(m.id, text, Some(keyboard)).await,
        None => ctx.send_with(text, keyboard).await.map(drop),
    }
}

pub async fn cancel(ctx: &Ctx, query: &CallbackQuery) -> HandlerResult {
    if let Some(loaded) = ctx.dialogue().await?
        && matches!(loaded.dialogue, Dialogue::Announce { .. } | Dialogue::AnnouncePreview { .. })
    {
        ctx.store.clear_dialogue(ctx.user_id).await?;
    }
    answer(ctx, query, None, false).await?;
    let keyboard = InlineKeyboardMarkup::new(vec![back_to_menu(ctx)]);
    match query.regular_message() {
        Some(m) => ctx.edit(m.id, ctx.t("announce-cancelled"), Some(keyboard)).await,
        None => ctx.send_with(ctx.t("announce-cancelled"), keyboard).await.map(drop),
    }
}

/// What the latest broadcasts became: sent, still queued, failed, recipients who blocked the bot.
pub async fn delivery_report(ctx: &Ctx, message: Option<MessageId>) -> HandlerResult {
    let reports = ctx.store.recent_broadcasts(10).await?;
    let mut lines = vec![ctx.ta("delivery-header", args![("at", ctx.datetime_of(ctx.now_ts()))])];
    if reports.is_empty() {
        lines.push(ctx.t("delivery-none"));
    }
    for r in &reports {
        let subject = match (r.kind.as_str(), r.subject.as_deref()) {
            ("announcement", Some(area)) => target_name(ctx, area, ctx.lang),
            (_, Some(id)) => format!("#{id}"),
            (_, None) => String::new(),
        };
        lines.push(String::new());
        lines.push(ctx.ta(
            "delivery-line",
            args![
                ("id", r.id),
                ("kind", ctx.t(&format!("broadcast-kind-{}", r.kind))),
                ("subject", subject),
                ("at", ctx.datetime_of(r.created_at)),
                ("recipients", r.recipients),
                ("sent", r.stats.sent),
                ("queued", r.stats.queued),
                ("failed", r.stats.failed),
                ("blocked", r.stats.blocked)
            ],
        ));
    }
    let keyboard = InlineKeyboardMarkup::new(vec![
        vec![button(ctx.t("delivery-refresh"), Callback::AdminDelivery)],
        back_to_menu(ctx),
    ]);
    match message {
        Some(id) => ctx.edit(id, lines.join("\n"), Some(keyboard)).await,
        None => ctx.send_with(lines.join("\n"), keyboard).await.map(drop),
    }
}
