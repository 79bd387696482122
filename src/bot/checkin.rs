//! Check-in at meetings: a facilitator or official opens it and gets a short code, a
//! `t.me/<bot>?start=checkin-…` link and its QR image to show at the door; residents who send the
//! code (or open the link) while it is open are recorded as attending.

use teloxide::{prelude::*, types::InputFile};

use super::{Ctx, HandlerResult, answer};
use crate::{
    args,
    domain::meeting::{CHECKIN_OPENS_BEFORE, CheckinWindow, checkin_closes_at, checkin_code, parse_checkin_code},
    store::{CheckInOutcome, Meeting, OpenCheckin},
};

/// Facilitators and officials may open and close check-in.
pub async fn may_run(ctx: &Ctx) -> Result<bool, super::BotError> {
    Ok(ctx.is_official().await? || ctx.store.is_facilitator(ctx.user_id).await?)
}

fn names(ctx: &Ctx, meeting: &Meeting) -> (String, String) {
    (ctx.area_name(&meeting.area_key), ctx.t(&format!("meeting-stage-{}", meeting.stage)))
}

/// The deep link that checks a resident in.
pub fn link(bot_username: Option<&str>, code: &str) -> Option<String> {
    bot_username.map(|name| format!("https://t.me/{name}?start=checkin-{code}"))
}

pub async fn open(ctx: &Ctx, query: &CallbackQuery, id: i64) -> HandlerResult {
    if !may_run(ctx).await? {
        tracing::warn!(user = ctx.user_id, meeting = id, "refused check-in to someone who is not a facilitator");
        return answer(ctx, query, Some(ctx.t("checkin-not-allowed")), true).await;
    }
    let Some(meeting) = ctx.store.meeting(id).await?.filter(|m| m.cancelled_at.is_none()) else {
        return answer(ctx, query, Some(ctx.t("meeting-gone")), true).await;
    };
    let at = |ts: i64| chrono::DateTime::from_timestamp(ts, 0).unwrap_or_default();
    let closes_at = match checkin_closes_at(at(meeting.starts_at), at(meeting.ends_at), ctx.now) {
        Ok(closes) => closes.timestamp(),
        Err(CheckinWindow::TooEarly) => {
            let opens = meeting.starts_at - CHECKIN_OPENS_BEFORE.num_seconds();
            return answer(ctx, query, Some(ctx.ta("checkin-too-early", args![("at", ctx.datetime_of(opens))])), true)
                .await;
        }
        Err(CheckinWindow::Over) => return answer(ctx, query, Some(ctx.t("checkin-over")), true).await,
    };
    // Codes are drawn from 887 million; a code still on record is simply drawn again.
    let mut attempts = 0;
    let checkin = loop {
        attempts += 1;
        match ctx.store.open_checkin(id, ctx.user_id, &checkin_code(), closes_at, ctx.now_ts()).await? {
            OpenCheckin::Opened(c) => {
                tracing::info!(user = ctx.user_id, meeting = id, "check-in opened");
                break c;
            }
            OpenCheckin::AlreadyOpen(c) => break c,
            OpenCheckin::CodeTaken if attempts < 5 => continue,
            OpenCheckin::CodeTaken => return Err("no free check-in code after 5 draws".into()),
            OpenCheckin::NotFound | OpenCheckin::Cancelled => {
                return answer(ctx, query, Some(ctx.t("meeting-gone")), true).await;
            }
        }
    };
    answer(ctx, query, None, false).await?;
    let (area, stage) = names(ctx, &meeting);
    let link = link(ctx.bot_username.as_deref(), &checkin.code);
    let text = ctx.ta(
        "checkin-opened",
        args![
            ("area", area),
            ("stage", stage),
            ("until", ctx.datetime_of(checkin.closes_at)),
            ("code", checkin.code.clone()),
            ("link", link.clone().unwrap_or_else(|| format!("/checkin {}", checkin.code)))
        ],
    );
    match link.as_deref().and_then(|l| super::qr::png(l).ok()) {
        Some(png) => {
            let photo = InputFile::memory(png).file_name(format!("checkin-{}.png", checkin.code));
            ctx.courier.note_reply(ctx.user_id);
            ctx.bot.send_photo(ctx.chat(), photo).caption(super::fit_caption(text)).await?;
        }
        None => {
            ctx.send(text).await?;
        }
    }
    Ok(())
}

pub async fn close(ctx: &Ctx, query: &CallbackQuery, id: i64) -> HandlerResult {
    if !may_run(ctx).await? {
        return answer(ctx, query, Some(ctx.t("checkin-not-allowed")), true).await;
    }
    let Some(meeting) = ctx.store.meeting(id).await? else {
        return answer(ctx, query, Some(ctx.t("meeting-gone")), true).await;
    };
    if !ctx.store.close_checkin(id, ctx.user_id, ctx.now_ts()).await? {
        return answer(ctx, query, Some(ctx.t("checkin-not-open")), true).await;
    }
    answer(ctx, query, None, false).await?;
    let count = ctx.store.attendance_count(id).await?;
    let (area, stage) = names(ctx, &meeting);
    ctx.send(ctx.ta("checkin-closed-now", args![("area", area), ("stage", stage), ("count", count)])).await.map(drop)
}

/// A resident sent a check-in code (`/checkin CODE`, or the link's `/start checkin-CODE`).
pub async fn by_code(ctx: &Ctx, typed: &str) -> HandlerResult {
    let Some(code) = parse_checkin_code(typed) else {
        return ctx.send(ctx.t("checkin-format")).await.map(drop);
    };
    let (id, meeting) = match ctx.store.check_in(&code, ctx.user_id, ctx.now_ts()).await? {
        CheckInOutcome::Recorded(m) => {
            tracing::info!(user = ctx.user_id, meeting = m.id, "checked in");
            ("checkin-recorded", m)
        }
        CheckInOutcome::Already(m) => ("checkin-already", m),
        CheckInOutcome::Closed(m) => ("checkin-closed", m),
        CheckInOutcome::Cancelled => return ctx.send(ctx.t("checkin-cancelled")).await.map(drop),
        CheckInOutcome::Unknown => return ctx.send(ctx.t("checkin-unknown")).await.map(drop),
    };
    let (area, stage) = names(ctx, &meeting);
    ctx.send(ctx.ta(id, args![("area", area), ("stage", stage)])).await.map(drop)
}
