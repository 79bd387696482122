//! Meetings in chat (`/meetings`, answers, calendar files) and what residents are told about
//! them, in each language; `pb-bot admin meetings import` uses the same texts.

use chrono::DateTime;
use teloxide::prelude::*;

use super::follow::area_audience;
use crate::{
    args,
    config::Config,
    domain::AreaKind,
    i18n::{Lang, Locales},
    store::{Broadcast, Meeting, Pushes},
};

/// The venue as `lang` reads it: the English name when there is one.
fn venue(meeting: &Meeting, lang: Lang) -> &str {
    match (lang, &meeting.venue_en) {
        (Lang::En, Some(english)) => english,
        _ => &meeting.venue_ko,
    }
}

/// The announcement of a newly scheduled meeting, in `lang`.
pub fn scheduled_text(config: &Config, locales: &Locales, lang: Lang, meeting: &Meeting) -> String {
    let (area, stage) = title(config, locales, lang, meeting);
    let mut text = locales.text(
        lang,
        "meeting-scheduled",
        args![
            ("area", area),
            ("stage", stage),
            ("when", at(lang, meeting.starts_at)),
            ("until", at(lang, meeting.ends_at)),
            ("venue", venue(meeting, lang).to_owned())
        ],
    );
    if let Some(capacity) = meeting.capacity {
        text.push('\n');
        text.push_str(&locales.text(lang, "meeting-capacity", args![("capacity", capacity)]));
    }
    if let Some(notes) = &meeting.notes {
        text.push('\n');
        text.push_str(&locales.text(lang, "meeting-notes", args![("notes", notes.clone())]));
    }
    super::fit(text)
}

/// The pushes that announce a newly scheduled meeting.
pub fn scheduled_pushes(config: &Config, locales: &Locales, meeting: &Meeting, official: Option<i64>) -> Pushes {
    Pushes {
        notices: Vec::new(),
        broadcasts: vec![Broadcast {
            kind: "meeting-scheduled".into(),
            subject: Some(meeting.id.to_string()),
            text_ko: scheduled_text(config, locales, Lang::Ko, meeting),
            text_en: scheduled_text(config, locales, Lang::En, meeting),
            markup_ko: None,
            markup_en: None,
            audience: area_audience(config, &meeting.area_key),
            exclude: None,
            created_by: official,
            photos: None,
        }],
        default_lang: config.default_language.code(),
    }
}

/// "Area, stage": how a meeting is named in a sentence.
fn title(config: &Config, locales: &Locales, lang: Lang, meeting: &Meeting) -> (String, String) {
    (config.area_name(&meeting.area_key, lang), locales.plain(lang, &format!("meeting-stage-{}", meeting.stage)))
}

fn at(lang: Lang, ts: i64) -> String {
    lang.datetime(DateTime::from_timestamp(ts, 0).unwrap_or_default())
}

/// What residents are told when a meeting moves or is cancelled, in `lang`.
pub fn changed_text(config: &Config, locales: &Locales, lang: Lang, before: &Meeting, after: &Meeting) -> String {
    let (area, stage) = title(config, locales, lang, after);
    let text = if after.cancelled_at.is_some() {
        locales.text(
            lang,
            "meeting-cancelled",
            args![
                ("area", area),
                ("stage", stage),
                ("when", at(lang, before.starts_at)),
                ("venue", venue(before, lang).to_owned())
            ],
        )
    } else {
        locales.text(
            lang,
            "meeting-moved",
            args![
                ("area", area),
                ("stage", stage),
                ("was", at(lang, before.starts_at)),
                ("when", at(lang, after.starts_at)),
                ("until", at(lang, after.ends_at)),
                ("venue", venue(after, lang).to_owned())
            ],
        )
    };
    super::fit(text)
}

/// The pushes of a move or cancellation: the area's followers and everyone who said they are
/// going (each once), in their language.
pub fn changed_pushes(config: &Config, locales: &Locales, before: &Meeting, after: &Meeting, official: i64) -> Pushes {
    let mut audience = area_audience(config, &after.area_key);
    audience.push(crate::store::Follow::Going(after.id));
    let kind = if after.cancelled_at.is_some() { "meeting-cancelled" } else { "meeting-moved" };
    Pushes {
        notices: Vec::new(),
        broadcasts: vec![Broadcast {
            kind: kind.into(),
            subject: Some(after.id.to_string()),
            text_ko: changed_text(config, locales, Lang::Ko, before, after),
            text_en: changed_text(config, locales, Lang::En, before, after),
            markup_ko: None,
            markup_en: None,
            audience,
            exclude: None,
            created_by: Some(official),
            photos: None,
        }],
        default_lang: config.default_language.code(),
    }
}

/// The reminder a resident who is going gets before the start, in `lang`.
pub fn reminder_text(config: &Config, locales: &Locales, lang: Lang, meeting: &Meeting) -> String {
    let (area, stage) = title(config, locales, lang, meeting);
    super::fit(locales.text(
        lang,
        "meeting-reminder",
        args![
            ("area", area),
            ("stage", stage),
            ("when", at(lang, meeting.starts_at)),
            ("until", at(lang, meeting.ends_at)),
            ("venue", venue(meeting, lang).to_owned())
        ],
    ))
}

/// Queues every reminder due at `now` (DESIGN §7): once per resident, meeting, offset and
/// version of the meeting, also across restarts and replicas (the store records each). When
/// several are due at once (the bot was down), one message goes out. Returns how many.
pub async fn queue_reminders(
    store: &crate::store::Store,
    config: &Config,
    locales: &Locales,
    now: DateTime<chrono::Utc>,
) -> Result<usize, super::BotError> {
    use crate::{domain::meeting::due_reminders, store::Notice};
    let offsets = &config.meetings.reminders;
    let Some(horizon) = offsets.iter().max() else { return Ok(0) };
    let mut queued = 0;
    for due in store.reminders_due(now.timestamp(), horizon.as_secs() as i64).await? {
        let at = |ts: i64| DateTime::from_timestamp(ts, 0).unwrap_or_default();
        let minutes: Vec<i64> = due_reminders(at(due.meeting.starts_at), offsets, at(due.answered_at), now)
            .iter()
            .map(|d| (d.as_secs() / 60) as i64)
            .filter(|m| !due.queued_minutes.contains(m))
            .collect();
        if minutes.is_empty() {
            continue;
        }
        let lang = due.language.as_deref().and_then(Lang::from_code).unwrap_or(config.default_language);
        let keyboard = teloxide::types::InlineKeyboardMarkup::new(vec![vec![super::button(
            locales.plain(lang, "meeting-open"),
            super::callback::Callback::ViewMeeting { id: due.meeting.id },
        )]]);
        let notice = Notice {
            chat_id: due.telegram_id,
            text: reminder_text(config, locales, lang, &due.meeting),
            markup: Some(serde_json::to_string(&keyboard)?),
        };
        let pushes =
            Pushes { notices: vec![notice], broadcasts: Vec::new(), default_lang: config.default_language.code() };
        if store
            .queue_reminder(due.meeting.id, due.meeting.sequence, due.telegram_id, &minutes, &pushes, now.timestamp())
            .await?
        {
            queued += 1;
        }
    }
    Ok(queued)
}

/// `/meetings`: upcoming meetings of the dongs the resident lives in or follows, then
/// district-wide ones; each opens a card with the answer and calendar buttons.
pub async fn list(ctx: &super::Ctx) -> super::HandlerResult {
    use std::collections::HashSet;
    let mut own: HashSet<String> = ctx
        .store
        .subscriptions(ctx.user_id)
        .await?
        .into_iter()
        .filter(|(kind, _)| kind == "dong")
        .map(|(_, target)| target)
        .collect();
    if let Some(resident) = ctx.store.resident(ctx.user_id).await? {
        own.insert(resident.dong_key);
    }
    let upcoming = ctx.store.upcoming_meetings(ctx.now_ts(), 200).await?;
    let district = |m: &Meeting| ctx.config.area(&m.area_key).is_none_or(|a| a.kind != AreaKind::Dong);
    let mut shown: Vec<&Meeting> = upcoming.iter().filter(|m| own.contains(&m.area_key)).collect();
    shown.extend(upcoming.iter().filter(|m| district(m)));
    if shown.is_empty() {
        return ctx.send(ctx.t(if own.is_empty() { "meetings-none-follow" } else { "meetings-none" })).await.map(drop);
    }
    let rows: Vec<Vec<_>> = shown
        .iter()
        .take(20)
        .map(|m| {
            let label = format!(
                "{} · {} · {}",
                ctx.area_name(&m.area_key),
                ctx.t(&format!("meeting-stage-{}", m.stage)),
                ctx.datetime_of(m.starts_at)
            );
            vec![super::button(label, super::callback::Callback::ViewMeeting { id: m.id })]
        })
        .collect();
    ctx.send_with(ctx.t("meetings-header"), teloxide::types::InlineKeyboardMarkup::new(rows)).await?;
    Ok(())
}

/// "Open check-in" (or "close" while it is open) for a meeting not cancelled and not over; the
/// caller shows it only to facilitators and officials.
pub fn checkin_buttons(
    ctx: &super::Ctx,
    meeting: &Meeting,
    open: bool,
) -> Option<Vec<teloxide::types::InlineKeyboardButton>> {
    use super::callback::Callback;
    if meeting.cancelled_at.is_some() || meeting.ends_at <= ctx.now_ts() {
        return None;
    }
    Some(vec![if open {
        super::button(ctx.t("meeting-checkin-close-button"), Callback::CheckinClose { id: meeting.id })
    } else {
        super::button(ctx.t("meeting-checkin-open-button"), Callback::CheckinOpen { id: meeting.id })
    }])
}

/// A meeting's card: when, where, who is coming, and the resident's own answer.
async fn card(
    ctx: &super::Ctx,
    meeting: &Meeting,
) -> Result<(String, teloxide::types::InlineKeyboardMarkup), super::BotError> {
    use super::callback::Callback;
    let mut text = scheduled_text(&ctx.config, &ctx.locales, ctx.lang, meeting);
    let (going, _) = ctx.store.rsvp_counts(meeting.id).await?;
    let mine = ctx.store.my_rsvp(meeting.id, ctx.user_id).await?;
    let answer = match mine {
        Some(true) => ctx.t("meeting-my-going"),
        Some(false) => ctx.t("meeting-my-not-going"),
        None => ctx.t("meeting-my-none"),
    };
    text.push_str("\n\n");
    text.push_str(&ctx.ta("meeting-rsvp-line", args![("going", going), ("answer", answer)]));
    let mut rows = vec![
        vec![
            super::button(ctx.t("meeting-going"), Callback::MeetingRsvp { id: meeting.id, going: true }),
            super::button(ctx.t("meeting-not-going"), Callback::MeetingRsvp { id: meeting.id, going: false }),
        ],
        vec![super::button(ctx.t("meeting-calendar"), Callback::MeetingCalendar { id: meeting.id })],
    ];
    let is_dong = ctx.config.area(&meeting.area_key).is_some_and(|a| a.kind == AreaKind::Dong);
    let follows = ctx.store.subscriptions(ctx.user_id).await?.contains(&("dong".to_owned(), meeting.area_key.clone()));
    if is_dong && !follows {
        let label = ctx.ta("meeting-follow-dong", args![("dong", ctx.area_name(&meeting.area_key))]);
        rows.push(vec![super::button(label, Callback::MeetingFollowDong { id: meeting.id })]);
    }
    if super::checkin::may_run(ctx).await? {
        let open = ctx.store.open_checkin_of(meeting.id, ctx.now_ts()).await?.is_some();
        rows.extend(checkin_buttons(ctx, meeting, open));
    }
    Ok((super::fit(text), teloxide::types::InlineKeyboardMarkup::new(rows)))
}

pub async fn show(ctx: &super::Ctx, query: &teloxide::types::CallbackQuery, id: i64) -> super::HandlerResult {
    let Some(meeting) = ctx.store.meeting(id).await?.filter(|m| m.cancelled_at.is_none()) else {
        return super::answer(ctx, query, Some(ctx.t("meeting-gone")), true).await;
    };
    super::answer(ctx, query, None, false).await?;
    let (text, keyboard) = card(ctx, &meeting).await?;
    ctx.send_with(text, keyboard).await.map(drop)
}

/// Going or not going; the card shows the new answer.
pub async fn rsvp(
    ctx: &super::Ctx,
    query: &teloxide::types::CallbackQuery,
    id: i64,
    going: bool,
) -> super::HandlerResult {
    use crate::store::RsvpOutcome;
    let outcome = ctx.store.rsvp(id, ctx.user_id, going, ctx.now_ts()).await?;
    let notice = match outcome {
        RsvpOutcome::Recorded if going => ctx.t("meeting-rsvp-going"),
        RsvpOutcome::Recorded => ctx.t("meeting-rsvp-not-going"),
        RsvpOutcome::Full => ctx.t("meeting-rsvp-full"),
        RsvpOutcome::Past => ctx.t("meeting-rsvp-past"),
        RsvpOutcome::Cancelled | RsvpOutcome::NotFound => ctx.t("meeting-gone"),
    };
    super::answer(ctx, query, Some(notice), outcome != RsvpOutcome::Recorded).await?;
    if outcome == RsvpOutcome::Recorded
        && let (Some(message), Some(meeting)) = (query.regular_message(), ctx.store.meeting(id).await?)
    {
        let (text, keyboard) = card(ctx, &meeting).await?;
        ctx.edit(message.id, text, Some(keyboard)).await?;
    }
    Ok(())
}

/// The meeting as a calendar file (`.ics`), in the resident's language.
pub async fn calendar_file(ctx: &super::Ctx, query: &teloxide::types::CallbackQuery, id: i64) -> super::HandlerResult {
    use crate::domain::meeting::{CalendarEvent, calendar};
    let Some(meeting) = ctx.store.meeting(id).await? else {
        return super::answer(ctx, query, Some(ctx.t("meeting-gone")), true).await;
    };
    super::answer(ctx, query, None, false).await?;
    let summary =
        format!("{} {}", ctx.area_name(&meeting.area_key), ctx.t(&format!("meeting-stage-{}", meeting.stage)));
    let location = venue(&meeting, ctx.lang);
    let uid = format!("meeting-{}@pb-bot", meeting.id);
    let at = |ts: i64| DateTime::from_timestamp(ts, 0).unwrap_or_default();
    let ics = calendar(&CalendarEvent {
        uid: &uid,
        sequence: u32::try_from(meeting.sequence).unwrap_or(0),
        start: at(meeting.starts_at),
        end: at(meeting.ends_at),
        summary: &summary,
        location,
        description: meeting.notes.as_deref().unwrap_or(""),
        cancelled: meeting.cancelled_at.is_some(),
        stamp: ctx.now,
    });
    let file = teloxide::types::InputFile::memory(ics.into_bytes()).file_name(format!("meeting-{}.ics", meeting.id));
    ctx.courier.note_reply(ctx.user_id);
    ctx.bot.send_document(ctx.chat(), file).caption(ctx.t("meeting-calendar-caption")).await?;
    Ok(())
}

/// Follow the meeting's dong from its card; the card then drops the button.
pub async fn follow_dong(ctx: &super::Ctx, query: &teloxide::types::CallbackQuery, id: i64) -> super::HandlerResult {
    let Some(meeting) = ctx.store.meeting(id).await? else {
        return super::answer(ctx, query, Some(ctx.t("meeting-gone")), true).await;
    };
    if ctx.config.area(&meeting.area_key).is_none_or(|a| a.kind != AreaKind::Dong) {
        return super::answer(ctx, query, Some(ctx.t("button-stale")), true).await;
    }
    ctx.store.subscribe(ctx.user_id, "dong", &meeting.area_key, ctx.now_ts()).await?;
    let notice = ctx.ta("follow-on", args![("name", ctx.area_name(&meeting.area_key))]);
    super::answer(ctx, query, Some(notice), false).await?;
    if let Some(message) = query.regular_message() {
        let (text, keyboard) = card(ctx, &meeting).await?;
        ctx.edit(message.id, text, Some(keyboard)).await?;
    }
    Ok(())
}
