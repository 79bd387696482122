//! `/admin` → meetings, for officials: the cycle's meetings with who answered and who came, and
//! a guided dialogue to schedule one (area, stage, then typed time, venue, notes, capacity and a
//! preview), move it or cancel it. Every change is announced through the outbox, in each
//! follower's language, in the transaction that makes it.

use teloxide::{
    prelude::*,
    types::{InlineKeyboardMarkup, MessageId},
};

use super::{
    Ctx, HandlerResult,
    admin::{back_to_menu, current_cycle},
    answer, button,
    callback::Callback,
    dialogue::{Dialogue, MeetingDraft, MeetingStep},
    follow::area_audience,
    meetings::{changed_pushes, checkin_buttons, scheduled_pushes, scheduled_text},
};
use crate::{
    args,
    domain::{
        AreaKind,
        meeting::{
            MAX_MEETING_HOURS, NOTES_MAX_CHARS, SpanError, Stage, VENUE_MAX_CHARS, WhenError, check_span, parse_span,
        },
    },
    store::{ChangeOutcome, Meeting, NewMeeting},
};

/// The most places a meeting may announce.
const MAX_CAPACITY: i64 = 10_000;
/// How long after its end a meeting stays in the officials' list (attendance is read after it).
const LISTED_AFTER_END: i64 = 60 * 86_400;
/// Buttons in the list; Telegram keyboards grow unwieldy past that.
const LISTED_MAX: usize = 40;

pub async fn list(ctx: &Ctx, message: Option<MessageId>) -> HandlerResult {
    let cycle = current_cycle(ctx).await?;
    let all = ctx.store.meetings_with_counts(cycle.id).await?;
    let now = ctx.now_ts();
    let listed: Vec<_> = all.iter().filter(|(m, _)| m.ends_at + LISTED_AFTER_END > now).take(LISTED_MAX).collect();
    let mut rows: Vec<Vec<_>> = listed
        .iter()
        .map(|(m, (going, _, attended))| {
            let mark = if m.cancelled_at.is_some() { "❌ " } else { "" };
            let label = format!(
                "{mark}{} · {} · {} · ✅{going} 🧾{attended}",
                ctx.area_name(&m.area_key),
                ctx.t(&format!("meeting-stage-{}", m.stage)),
                ctx.datetime_of(m.starts_at)
            );
            vec![button(label, Callback::AdminMeeting { id: m.id })]
        })
        .collect();
    rows.push(vec![button(ctx.t("admin-meeting-new"), Callback::AdminMeetingNew)]);
    rows.push(back_to_menu(ctx));
    let text = ctx.ta("admin-meetings", args![("year", cycle.year.to_string()), ("count", all.len())]);
    ctx.show(message, text, InlineKeyboardMarkup::new(rows)).await
}

/// One meeting as officials see it: the announcement, the answers, attendance and check-in.
pub async fn card(ctx: &Ctx, id: i64, message: Option<MessageId>) -> HandlerResult {
    let Some(meeting) = ctx.store.meeting(id).await? else {
        return ctx.send(ctx.t("meeting-gone")).await.map(drop);
    };
    let (going, not_going) = ctx.store.rsvp_counts(id).await?;
    let attended = ctx.store.attendance_count(id).await?;
    let mut text = scheduled_text(&ctx.config, &ctx.locales, ctx.lang, &meeting);
    text.push_str("\n\n");
    text.push_str(&ctx.ta("admin-meeting-counts", args![("going", going), ("answer", not_going), ("count", attended)]));
    let checkin = ctx.store.open_checkin_of(id, ctx.now_ts()).await?;
    if let Some(open) = &checkin {
        text.push('\n');
        let line = args![("until", ctx.datetime_of(open.closes_at)), ("text", open.code.clone())];
        text.push_str(&ctx.ta("admin-meeting-checkin-line", line));
    }
    let mut rows = Vec::new();
    match meeting.cancelled_at {
        Some(at) => {
            text.push('\n');
            text.push_str(&ctx.ta("admin-meeting-cancelled-line", args![("at", ctx.datetime_of(at))]));
        }
        None if meeting.starts_at > ctx.now_ts() => rows.push(vec![
            button(ctx.t("admin-meeting-move"), Callback::AdminMeetingMove { id, sequence: meeting.sequence }),
            button(ctx.t("admin-meeting-cancel"), Callback::AdminMeetingCancel { id, sequence: meeting.sequence }),
        ]),
        None => {}
    }
    rows.extend(checkin_buttons(ctx, &meeting, checkin.is_some()));
    rows.push(vec![button(ctx.t("admin-meeting-back"), Callback::AdminMeetings)]);
    ctx.show(message, text, InlineKeyboardMarkup::new(rows)).await
}

pub async fn choose_area(ctx: &Ctx, message: Option<MessageId>) -> HandlerResult {
    let mut rows = area_rows(ctx, |area| Callback::AdminMeetingArea { area });
    rows.push(vec![button(ctx.t("admin-meeting-back"), Callback::AdminMeetings)]);
    ctx.show(message, ctx.t("admin-meeting-area"), InlineKeyboardMarkup::new(rows)).await
}

/// Every area as a button, the dongs two to a row, then the district-wide area.
pub(super) fn area_rows(
    ctx: &Ctx,
    callback: impl Fn(String) -> Callback,
) -> Vec<Vec<teloxide::types::InlineKeyboardButton>> {
    let dongs: Vec<_> = ctx.config.areas.iter().filter(|a| a.kind == AreaKind::Dong).collect();
    let mut rows: Vec<Vec<_>> = dongs
        .chunks(2)
        .map(|pair| pair.iter().map(|a| button(ctx.area_name(&a.key), callback(a.key.clone()))).collect())
        .collect();
    for area in ctx.config.areas.iter().filter(|a| a.kind == AreaKind::District) {
        rows.push(vec![button(ctx.area_name(&area.key), callback(area.key.clone()))]);
    }
    rows
}

/// The stages a meeting of `area` can be: dong meetings only in a dong.
fn stages_for(ctx: &Ctx, area: &str) -> Option<Vec<Stage>> {
    let kind = ctx.config.area(area)?.kind;
    Some(
        Stage::ALL
            .into_iter()
            .filter(|s| kind == AreaKind::Dong || matches!(s, Stage::Committee | Stage::Forum))
            .collect(),
    )
}

pub async fn choose_stage(ctx: &Ctx, query: &CallbackQuery, area: &str) -> HandlerResult {
    let Some(stages) = stages_for(ctx, area) else {
        return answer(ctx, query, Some(ctx.t("button-stale")), true).await;
    };
    answer(ctx, query, None, false).await?;
    let mut rows: Vec<Vec<_>> = stages
        .into_iter()
        .map(|stage| {
            let label = ctx.t(&format!("meeting-stage-{stage}"));
            vec![button(label, Callback::AdminMeetingStage { area: area.to_owned(), stage })]
        })
        .collect();
    rows.push(vec![button(ctx.t("admin-meeting-back"), Callback::AdminMeetingNew)]);
    let text = ctx.ta("admin-meeting-stage", args![("area", ctx.area_name(area))]);
    ctx.show(query.regular_message().map(|m| m.id), text, InlineKeyboardMarkup::new(rows)).await
}

pub async fn begin(ctx: &Ctx, query: &CallbackQuery, area: &str, stage: Stage) -> HandlerResult {
    if !stages_for(ctx, area).is_some_and(|stages| stages.contains(&stage)) {
        return answer(ctx, query, Some(ctx.t("button-stale")), true).await;
    }
    answer(ctx, query, None, false).await?;
    ctx.save_dialogue(&Dialogue::Meeting(MeetingDraft::new(area.to_owned(), stage.to_string()))).await?;
    ctx.send(ctx.t("admin-meeting-ask-when")).await.map(drop)
}

/// What is wrong with a typed start and end, in the official's language.
fn span_problem(ctx: &Ctx, error: SpanError) -> String {
    match error {
        SpanError::Start(WhenError::Unreadable) => ctx.t("admin-meeting-bad-start"),
        SpanError::End(WhenError::Unreadable) => ctx.t("admin-meeting-bad-end"),
        SpanError::Start(WhenError::NoSuchTime) | SpanError::End(WhenError::NoSuchTime) => {
            ctx.t("admin-meeting-no-such-time")
        }
        SpanError::Past => ctx.t("admin-meeting-past"),
        SpanError::EndsBeforeStart => ctx.t("admin-meeting-ends-before"),
        SpanError::TooLong => ctx.ta("admin-meeting-too-long", args![("max", MAX_MEETING_HOURS)]),
    }
}

fn skip_keyboard(ctx: &Ctx, token: u32) -> InlineKeyboardMarkup {
    InlineKeyboardMarkup::new(vec![vec![button(ctx.t("admin-meeting-skip"), Callback::AdminMeetingSkip { token })]])
}

/// The next typed answer of the scheduling dialogue.
pub async fn on_input(ctx: &Ctx, msg: &Message, mut draft: MeetingDraft, state: &str) -> HandlerResult {
    if !super::admin::ensure_official(ctx).await? {
        ctx.store.clear_dialogue(ctx.user_id).await?;
        return Ok(());
    }
    let text = msg.text().map(str::trim).unwrap_or_default();
    match draft.step {
        MeetingStep::When => match parse_span(text, ctx.now) {
            Ok((start, end)) => {
                (draft.starts_at, draft.ends_at, draft.step) =
                    (Some(start.timestamp()), Some(end.timestamp()), MeetingStep::Venue);
                ctx.replace_dialogue(state, &Dialogue::Meeting(draft)).await?;
                ctx.send(ctx.t("admin-meeting-ask-venue")).await.map(drop)
            }
            Err(e) => ctx.send(span_problem(ctx, e)).await.map(drop),
        },
        MeetingStep::Venue => {
            let (ko, en) = match text.split_once('/') {
                Some((ko, en)) => (ko.trim(), Some(en.trim()).filter(|e| !e.is_empty())),
                None => (text, None),
            };
            let fits = |v: &str| !v.is_empty() && v.chars().count() <= VENUE_MAX_CHARS;
            if !fits(ko) || en.is_some_and(|e| !fits(e)) {
                return ctx.send(ctx.ta("admin-meeting-bad-venue", args![("max", VENUE_MAX_CHARS)])).await.map(drop);
            }
            (draft.venue_ko, draft.venue_en, draft.step) =
                (Some(ko.to_owned()), en.map(str::to_owned), MeetingStep::Notes);
            let token = draft.token;
            ctx.replace_dialogue(state, &Dialogue::Meeting(draft)).await?;
            ctx.send_with(ctx.t("admin-meeting-ask-notes"), skip_keyboard(ctx, token)).await.map(drop)
        }
        MeetingStep::Notes => {
            if text.is_empty() || text.chars().count() > NOTES_MAX_CHARS {
                return ctx.send(ctx.ta("admin-meeting-bad-notes", args![("max", NOTES_MAX_CHARS)])).await.map(drop);
            }
            (draft.notes, draft.step) = (Some(text.to_owned()), MeetingStep::Capacity);
            let token = draft.token;
            ctx.replace_dialogue(state, &Dialogue::Meeting(draft)).await?;
            ctx.send_with(ctx.t("admin-meeting-ask-capacity"), skip_keyboard(ctx, token)).await.map(drop)
        }
        MeetingStep::Capacity => {
            let digits: String = text.chars().filter(|c| !matches!(c, ',' | '명' | ' ')).collect();
            match digits.parse::<i64>().ok().filter(|n| (1..=MAX_CAPACITY).contains(n)) {
                Some(capacity) => {
                    (draft.capacity, draft.step) = (Some(capacity), MeetingStep::Confirm);
                    ctx.replace_dialogue(state, &Dialogue::Meeting(draft.clone())).await?;
                    preview(ctx, &draft, None).await
                }
                None => ctx.send(ctx.ta("admin-meeting-bad-capacity", args![("max", MAX_CAPACITY)])).await.map(drop),
            }
        }
        MeetingStep::Confirm => ctx.send(ctx.t("admin-meeting-use-buttons")).await.map(drop),
    }
}

/// The draft as the meeting it would become (not yet stored: id 0).
fn draft_meeting(ctx: &Ctx, draft: &MeetingDraft) -> Option<Meeting> {
    Some(Meeting {
        id: 0,
        cycle_id: 0,
        area_key: draft.area.clone(),
        stage: draft.stage.parse().ok()?,
        starts_at: draft.starts_at?,
        ends_at: draft.ends_at?,
        venue_ko: draft.venue_ko.clone()?,
        venue_en: draft.venue_en.clone(),
        notes: draft.notes.clone(),
        capacity: draft.capacity,
        sequence: 0,
        cancelled_at: None,
    })
    .filter(|_| ctx.config.area(&draft.area).is_some())
}

async fn preview(ctx: &Ctx, draft: &MeetingDraft, message: Option<MessageId>) -> HandlerResult {
    let Some(meeting) = draft_meeting(ctx, draft) else {
        ctx.store.clear_dialogue(ctx.user_id).await?;
        return ctx.send(ctx.t("admin-meeting-draft-gone")).await.map(drop);
    };
    let followers = ctx.store.audience_size(&area_audience(&ctx.config, &meeting.area_key), None).await?;
    let text = format!(
        "{}\n\n{}",
        ctx.ta("admin-meeting-preview", args![("count", followers)]),
        scheduled_text(&ctx.config, &ctx.locales, ctx.lang, &meeting)
    );
    let keyboard = InlineKeyboardMarkup::new(vec![vec![button(
        ctx.t("admin-meeting-save"),
        Callback::AdminMeetingSave { token: draft.token },
    )]]);
    ctx.show(message, text, keyboard).await
}

/// The scheduling draft this button belongs to, with its stored state; `None` when stale.
async fn draft_of(ctx: &Ctx, token: u32) -> Result<Option<(MeetingDraft, String)>, super::BotError> {
    Ok(ctx.dialogue().await?.and_then(|loaded| match loaded.dialogue {
        Dialogue::Meeting(draft) if draft.token == token => Some((draft, loaded.json)),
        _ => None,
    }))
}

pub async fn on_skip(ctx: &Ctx, query: &CallbackQuery, token: u32) -> HandlerResult {
    let Some((mut draft, state)) =
        draft_of(ctx, token).await?.filter(|(d, _)| matches!(d.step, MeetingStep::Notes | MeetingStep::Capacity))
    else {
        return answer(ctx, query, Some(ctx.t("button-stale")), true).await;
    };
    answer(ctx, query, None, false).await?;
    if draft.step == MeetingStep::Notes {
        draft.step = MeetingStep::Capacity;
        ctx.replace_dialogue(&state, &Dialogue::Meeting(draft)).await?;
        return ctx.send_with(ctx.t("admin-meeting-ask-capacity"), skip_keyboard(ctx, token)).await.map(drop);
    }
    draft.step = MeetingStep::Confirm;
    ctx.replace_dialogue(&state, &Dialogue::Meeting(draft.clone())).await?;
    preview(ctx, &draft, None).await
}

/// Stores the meeting and its announcement; a second tap (or another replica) finds the draft
/// gone and stores nothing.
pub async fn on_save(ctx: &Ctx, query: &CallbackQuery, token: u32) -> HandlerResult {
    let Some((draft, state)) = draft_of(ctx, token).await?.filter(|(d, _)| d.step == MeetingStep::Confirm) else {
        return answer(ctx, query, Some(ctx.t("admin-meeting-draft-gone")), true).await;
    };
    let Some(meeting) = draft_meeting(ctx, &draft) else {
        ctx.store.clear_dialogue(ctx.user_id).await?;
        return answer(ctx, query, Some(ctx.t("admin-meeting-draft-gone")), true).await;
    };
    let at = |ts: i64| chrono::DateTime::from_timestamp(ts, 0).unwrap_or_default();
    if let Err(e) = check_span(at(meeting.starts_at), at(meeting.ends_at), ctx.now) {
        // The start passed while the preview waited: ask for the time again.
        answer(ctx, query, None, false).await?;
        let redo = MeetingDraft { step: MeetingStep::When, ..draft };
        ctx.replace_dialogue(&state, &Dialogue::Meeting(redo)).await?;
        return ctx.send(format!("{}\n\n{}", span_problem(ctx, e), ctx.t("admin-meeting-ask-when"))).await.map(drop);
    }
    if !ctx.store.end_dialogue(ctx.user_id, &state).await? {
        return answer(ctx, query, Some(ctx.t("admin-meeting-draft-gone")), true).await;
    }
    answer(ctx, query, None, false).await?;
    let cycle = current_cycle(ctx).await?;
    let new = NewMeeting {
        area_key: meeting.area_key,
        stage: meeting.stage,
        starts_at: meeting.starts_at,
        ends_at: meeting.ends_at,
        venue_ko: meeting.venue_ko,
        venue_en: meeting.venue_en,
        notes: meeting.notes,
        capacity: meeting.capacity,
    };
    let official = Some(ctx.user_id);
    let (created, announced) = ctx
        .store
        .create_meetings(
            cycle.id,
            std::slice::from_ref(&new),
            official,
            |m| scheduled_pushes(&ctx.config, &ctx.locales, m, official),
            ctx.now_ts(),
        )
        .await?;
    ctx.courier.wake();
    let Some(created) = created.first() else { return Ok(()) };
    tracing::info!(official = ctx.user_id, meeting = created.id, announced, "meeting scheduled from chat");
    let text = ctx.ta("admin-meeting-saved", args![("id", created.id), ("count", announced)]);
    let keyboard = InlineKeyboardMarkup::new(vec![
        vec![button(ctx.t("meeting-open"), Callback::AdminMeeting { id: created.id })],
        vec![button(ctx.t("admin-meeting-back"), Callback::AdminMeetings)],
    ]);
    ctx.show(query.regular_message().map(|m| m.id), text, keyboard).await
}

/// The meeting as the official last saw it, or `None` (after telling them) when it changed.
async fn unchanged(
    ctx: &Ctx,
    query: &CallbackQuery,
    id: i64,
    sequence: i64,
) -> Result<Option<Meeting>, super::BotError> {
    match ctx.store.meeting(id).await? {
        Some(m) if m.sequence == sequence && m.cancelled_at.is_none() && m.starts_at > ctx.now_ts() => Ok(Some(m)),
        Some(_) => {
            answer(ctx, query, Some(ctx.t("admin-meeting-changed")), true).await?;
            card(ctx, id, query.regular_message().map(|m| m.id)).await?;
            Ok(None)
        }
        None => {
            answer(ctx, query, Some(ctx.t("meeting-gone")), true).await?;
            Ok(None)
        }
    }
}

pub async fn ask_move(ctx: &Ctx, query: &CallbackQuery, id: i64, sequence: i64) -> HandlerResult {
    let Some(meeting) = unchanged(ctx, query, id, sequence).await? else { return Ok(()) };
    answer(ctx, query, None, false).await?;
    ctx.save_dialogue(&Dialogue::MeetingMove { id, sequence, to: None }).await?;
    let text = ctx.ta("admin-meeting-ask-move", args![("id", id), ("when", ctx.datetime_of(meeting.starts_at))]);
    ctx.send(text).await.map(drop)
}

/// The new times of a meeting being moved: asks to confirm them.
pub async fn on_move_input(ctx: &Ctx, msg: &Message, id: i64, sequence: i64, state: &str) -> HandlerResult {
    if !super::admin::ensure_official(ctx).await? {
        ctx.store.clear_dialogue(ctx.user_id).await?;
        return Ok(());
    }
    let (start, end) = match parse_span(msg.text().unwrap_or_default(), ctx.now) {
        Ok(span) => span,
        Err(e) => return ctx.send(span_problem(ctx, e)).await.map(drop),
    };
    let Some(meeting) = ctx.store.meeting(id).await?.filter(|m| m.sequence == sequence && m.cancelled_at.is_none())
    else {
        ctx.store.clear_dialogue(ctx.user_id).await?;
        ctx.send(ctx.t("admin-meeting-changed")).await?;
        return card(ctx, id, None).await;
    };
    let to = (start.timestamp(), end.timestamp());
    ctx.replace_dialogue(state, &Dialogue::MeetingMove { id, sequence, to: Some(to) }).await?;
    let (going, _) = ctx.store.rsvp_counts(id).await?;
    let text = ctx.ta(
        "admin-meeting-move-confirm",
        args![
            ("id", id),
            ("was", ctx.datetime_of(meeting.starts_at)),
            ("when", ctx.datetime_of(to.0)),
            ("until", ctx.datetime_of(to.1)),
            ("going", going)
        ],
    );
    let keyboard = InlineKeyboardMarkup::new(vec![vec![
        button(ctx.t("admin-meeting-move-yes"), Callback::AdminMeetingMoveDo { id, sequence }),
        button(ctx.t("admin-back"), Callback::AdminMeeting { id }),
    ]]);
    ctx.send_with(text, keyboard).await.map(drop)
}

pub async fn do_move(ctx: &Ctx, query: &CallbackQuery, id: i64, sequence: i64) -> HandlerResult {
    let pending = ctx.dialogue().await?.and_then(|loaded| match loaded.dialogue {
        Dialogue::MeetingMove { id: i, sequence: s, to: Some(to) } if i == id && s == sequence => {
            Some((to, loaded.json))
        }
        _ => None,
    });
    let Some(((starts_at, ends_at), state)) = pending else {
        return answer(ctx, query, Some(ctx.t("admin-meeting-draft-gone")), true).await;
    };
    let at = |ts: i64| chrono::DateTime::from_timestamp(ts, 0).unwrap_or_default();
    if let Err(e) = check_span(at(starts_at), at(ends_at), ctx.now) {
        return answer(ctx, query, Some(span_problem(ctx, e)), true).await;
    }
    if !ctx.store.end_dialogue(ctx.user_id, &state).await? {
        return answer(ctx, query, Some(ctx.t("admin-meeting-draft-gone")), true).await;
    }
    let official = ctx.user_id;
    let outcome = ctx
        .store
        .move_meeting(
            id,
            sequence,
            (starts_at, ends_at),
            Some(official),
            |before, after| changed_pushes(&ctx.config, &ctx.locales, before, after, official),
            ctx.now_ts(),
        )
        .await?;
    finish_change(ctx, query, id, outcome, "admin-meeting-moved").await
}

pub async fn ask_cancel(ctx: &Ctx, query: &CallbackQuery, id: i64, sequence: i64) -> HandlerResult {
    let Some(meeting) = unchanged(ctx, query, id, sequence).await? else { return Ok(()) };
    answer(ctx, query, None, false).await?;
    let (going, _) = ctx.store.rsvp_counts(id).await?;
    let text = ctx.ta(
        "admin-meeting-cancel-confirm",
        args![("id", id), ("when", ctx.datetime_of(meeting.starts_at)), ("going", going)],
    );
    let keyboard = InlineKeyboardMarkup::new(vec![vec![
        button(ctx.t("admin-meeting-cancel-yes"), Callback::AdminMeetingCancelDo { id, sequence }),
        button(ctx.t("admin-back"), Callback::AdminMeeting { id }),
    ]]);
    ctx.show(query.regular_message().map(|m| m.id), text, keyboard).await
}

pub async fn do_cancel(ctx: &Ctx, query: &CallbackQuery, id: i64, sequence: i64) -> HandlerResult {
    let official = ctx.user_id;
    let outcome = ctx
        .store
        .cancel_meeting(
            id,
            sequence,
            Some(official),
            |before, after| changed_pushes(&ctx.config, &ctx.locales, before, after, official),
            ctx.now_ts(),
        )
        .await?;
    finish_change(ctx, query, id, outcome, "admin-meeting-cancelled-done").await
}

async fn finish_change(ctx: &Ctx, query: &CallbackQuery, id: i64, outcome: ChangeOutcome, done: &str) -> HandlerResult {
    let message = query.regular_message().map(|m| m.id);
    match outcome {
        ChangeOutcome::Changed(_, after) => {
            ctx.courier.wake();
            tracing::info!(
                official = ctx.user_id,
                meeting = id,
                sequence = after.sequence,
                "meeting changed from chat"
            );
            answer(ctx, query, None, false).await?;
            let keyboard = InlineKeyboardMarkup::new(vec![
                vec![button(ctx.t("meeting-open"), Callback::AdminMeeting { id })],
                vec![button(ctx.t("admin-meeting-back"), Callback::AdminMeetings)],
            ]);
            ctx.show(message, ctx.ta(done, args![("id", id)]), keyboard).await
        }
        ChangeOutcome::NotFound => answer(ctx, query, Some(ctx.t("meeting-gone")), true).await,
        ChangeOutcome::AlreadyCancelled | ChangeOutcome::Stale => {
            answer(ctx, query, Some(ctx.t("admin-meeting-changed")), true).await?;
            card(ctx, id, message).await
        }
    }
}
