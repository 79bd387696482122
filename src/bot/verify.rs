//! `/verify` (by sharing one's own phone number, matched against the roll, or by a one-time
//! code), `/mydata` and `/forgetme`.

use teloxide::{
    prelude::*,
    types::{ButtonRequest, InlineKeyboardMarkup, KeyboardButton, KeyboardMarkup, ReplyMarkup},
};

use super::{Ctx, HandlerResult, answer, button, callback::Callback, dialogue::Dialogue, fit, resident::status_name};
use crate::{
    args,
    domain::verification::{Code, Phone, old_enough},
    store::{BindOutcome, CodeLimits, RedeemOutcome},
};

impl Ctx {
    /// Sends a message that also removes the "share my phone number" keyboard.
    async fn send_closing_keyboard(&self, text: String) -> HandlerResult {
        self.bot.send_message(self.chat(), fit(text)).reply_markup(ReplyMarkup::kb_remove()).await?;
        Ok(())
    }
}

pub async fn begin(ctx: &Ctx, argument: &str) -> HandlerResult {
    if let Some(resident) = ctx.store.resident(ctx.user_id).await? {
        ctx.send(ctx.ta("verify-already", args![("dong", ctx.area_name(&resident.dong_key))])).await?;
        return Ok(());
    }
    let methods = &ctx.config.verification;
    if !argument.trim().is_empty() {
        return redeem(ctx, argument).await;
    }
    if !methods.phone && !methods.codes {
        ctx.send(ctx.t("verify-unavailable")).await?;
        return Ok(());
    }
    let mut text = ctx.t("verify-intro");
    if methods.phone {
        text.push_str("\n\n");
        text.push_str(&ctx.t("verify-intro-phone"));
    }
    if methods.codes {
        text.push_str("\n\n");
        text.push_str(&ctx.t("verify-intro-code"));
    }
    ctx.save_dialogue(&Dialogue::Verify).await?;
    if methods.phone {
        let share = KeyboardButton::new(ctx.t("verify-share-button")).request(ButtonRequest::Contact);
        let keyboard = KeyboardMarkup::new(vec![vec![share]]).resize_keyboard().one_time_keyboard();
        ctx.bot.send_message(ctx.chat(), fit(text)).reply_markup(ReplyMarkup::Keyboard(keyboard)).await?;
    } else {
        ctx.send(text).await?;
    }
    Ok(())
}

/// A shared contact: accepted only when it is the sender's own number, as Telegram's "share my
/// phone number" button sends it. A forwarded or typed contact is someone else's claim.
pub async fn on_contact(ctx: &Ctx, msg: &Message) -> HandlerResult {
    let Some(contact) = msg.contact() else { return Ok(()) };
    if !ctx.config.verification.phone {
        return ctx.send(ctx.t("verify-phone-off")).await.map(drop);
    }
    let own = contact.user_id.is_some_and(|id| i64::try_from(id.0).ok() == Some(ctx.user_id));
    if !own || msg.forward_origin().is_some() {
        return ctx.send(ctx.t("verify-contact-not-yours")).await.map(drop);
    }
    if let Some(resident) = ctx.store.resident(ctx.user_id).await? {
        return ctx
            .send_closing_keyboard(ctx.ta("verify-already", args![("dong", ctx.area_name(&resident.dong_key))]))
            .await;
    }
    let Ok(phone) = Phone::parse(&contact.phone_number) else {
        return ctx.send_closing_keyboard(ctx.t("verify-phone-foreign")).await;
    };
    let Some(entry) = ctx.store.roll_entry(&ctx.secret.phone_hash(&phone)).await? else {
        return ctx.send_closing_keyboard(ctx.t("verify-no-match")).await;
    };
    let this_year = chrono::Datelike::year(&ctx.now.with_timezone(&chrono_tz::Asia::Seoul));
    if !old_enough(entry.birth_year, ctx.config.verification.min_age, this_year) {
        let min = ctx.config.verification.min_age.unwrap_or_default();
        return ctx.send_closing_keyboard(ctx.ta("verify-too-young", args![("min", min)])).await;
    }
    let text = match ctx.store.bind_roll_entry(ctx.user_id, &entry, ctx.now_ts()).await? {
        BindOutcome::Bound => {
            ctx.store.clear_dialogue(ctx.user_id).await?;
            ctx.ta("verify-done", args![("dong", ctx.area_name(&entry.dong_key))])
        }
        BindOutcome::AlreadyVerified { dong_key } => {
            ctx.ta("verify-already", args![("dong", ctx.area_name(&dong_key))])
        }
        BindOutcome::EntryTaken => ctx.t("verify-entry-taken"),
    };
    ctx.send_closing_keyboard(text).await
}

/// A typed code, after `/verify` or as `/verify <code>`.
pub async fn redeem(ctx: &Ctx, typed: &str) -> HandlerResult {
    if !ctx.config.verification.codes {
        return ctx.send(ctx.t("verify-codes-off")).await.map(drop);
    }
    let Some(code) = Code::parse(typed) else {
        return ctx.send(ctx.t("verify-code-format")).await.map(drop);
    };
    let limits = CodeLimits {
        max_failures: ctx.config.verification.max_code_failures,
        lockout_seconds: i64::from(ctx.config.verification.lockout_minutes) * 60,
    };
    let outcome = ctx.store.redeem_code(ctx.user_id, &ctx.secret.code_hash(&code), limits, ctx.now_ts()).await?;
    let done = matches!(outcome, RedeemOutcome::Verified { .. } | RedeemOutcome::AlreadyVerified { .. });
    let text = match outcome {
        RedeemOutcome::Verified { dong_key } => {
            ctx.store.clear_dialogue(ctx.user_id).await?;
            ctx.ta("verify-done", args![("dong", ctx.area_name(&dong_key))])
        }
        RedeemOutcome::AlreadyVerified { dong_key } => {
            ctx.ta("verify-already", args![("dong", ctx.area_name(&dong_key))])
        }
        RedeemOutcome::Unknown { left } => ctx.ta("verify-code-wrong", args![("left", left)]),
        RedeemOutcome::Expired => ctx.t("verify-code-expired"),
        RedeemOutcome::Used => ctx.t("verify-code-used"),
        RedeemOutcome::LockedOut { until } => ctx.ta("verify-locked", args![("until", ctx.datetime_of(until))]),
    };
    if done { ctx.send_closing_keyboard(text).await } else { ctx.send(text).await.map(drop) }
}

/// `/mydata`: everything the bot keeps about the user.
pub async fn my_data(ctx: &Ctx) -> HandlerResult {
    let known = ctx.store.user_language(ctx.user_id).await?;
    let mut lines = vec![ctx.t("mydata-header"), String::new()];
    let language = match known.chosen {
        Some(lang) => ctx.ta("mydata-language-chosen", args![("language", lang.code())]),
        None => ctx.ta("mydata-language-app", args![("language", known.telegram.unwrap_or_else(|| "-".into()))]),
    };
    lines.push(language);
    lines.push(match ctx.store.resident(ctx.user_id).await? {
        Some(r) => ctx.ta(
            "mydata-verified",
            args![
                ("dong", ctx.area_name(&r.dong_key)),
                ("method", ctx.t(&format!("mydata-method-{}", r.method))),
                ("at", ctx.datetime_of(r.verified_at))
            ],
        ),
        None => ctx.t("mydata-not-verified"),
    });
    let subscriptions = ctx.store.subscriptions(ctx.user_id).await?;
    if subscriptions.is_empty() {
        lines.push(ctx.t("mydata-no-subscriptions"));
    } else {
        let names: Vec<String> =
            subscriptions.iter().map(|(kind, target)| super::follow::subscription_name(ctx, kind, target)).collect();
        lines.push(ctx.ta("mydata-subscriptions", args![("list", names.join(", "))]));
    }
    let proposals = ctx.store.proposals_by(ctx.user_id, 1000).await?;
    if proposals.is_empty() {
        lines.push(ctx.t("mydata-no-proposals"));
    } else {
        let list: Vec<String> =
            proposals.iter().map(|p| format!("#{} {} ({})", p.id, p.title, status_name(ctx, p.status))).collect();
        lines.push(ctx.ta("mydata-proposals", args![("list", list.join(", "))]));
    }
    let record = ctx.store.meeting_record(ctx.user_id).await?;
    let meeting_name = |m: &crate::store::Meeting| {
        format!(
            "{} {} ({})",
            ctx.area_name(&m.area_key),
            ctx.t(&format!("meeting-stage-{}", m.stage)),
            ctx.datetime_of(m.starts_at)
        )
    };
    if !record.answers.is_empty() {
        let list: Vec<String> = record
            .answers
            .iter()
            .map(|(m, going)| {
                format!(
                    "{} — {}",
                    meeting_name(m),
                    ctx.t(if *going { "meeting-my-going" } else { "meeting-my-not-going" })
                )
            })
            .collect();
        lines.push(ctx.ta("mydata-meeting-answers", args![("list", list.join(", "))]));
    }
    if !record.attended.is_empty() {
        let list: Vec<String> = record.attended.iter().map(meeting_name).collect();
        lines.push(ctx.ta("mydata-attended", args![("list", list.join(", "))]));
    }
    if !record.courses.is_empty() {
        let list: Vec<String> =
            record.courses.iter().map(|(c, on)| format!("{} ({on})", ctx.t(&format!("course-{c}")))).collect();
        lines.push(ctx.ta("mydata-courses", args![("list", list.join(", "))]));
    }
    if record.facilitator {
        lines.push(ctx.t("mydata-facilitator"));
    }
    if !record.committees.is_empty() {
        let years: Vec<String> = record.committees.iter().map(i32::to_string).collect();
        lines.push(ctx.ta("mydata-committee", args![("list", years.join(", "))]));
    }
    let ballots = super::vote::my_ballots(ctx).await?;
    if ballots.is_empty() {
        lines.push(ctx.t("mydata-votes-none"));
    } else {
        let list: Vec<String> = ballots
            .iter()
            .map(|(title, receipt, paper)| {
                format!(
                    "{title} ({receipt}{})",
                    if *paper { format!(", {}", ctx.t("mydata-paper")) } else { String::new() }
                )
            })
            .collect();
        lines.push(ctx.ta("mydata-votes", args![("list", list.join(", "))]));
    }
    if ctx.store.dialogue(ctx.user_id).await?.is_some() {
        lines.push(ctx.t("mydata-dialogue"));
    }
    lines.push(String::new());
    lines.push(ctx.t("mydata-footer"));
    ctx.send(lines.join("\n")).await?;
    Ok(())
}

pub async fn forget_me(ctx: &Ctx) -> HandlerResult {
    let keyboard = InlineKeyboardMarkup::new(vec![vec![
        button(ctx.t("forget-yes"), Callback::Forget { confirm: true }),
        button(ctx.t("forget-no"), Callback::Forget { confirm: false }),
    ]]);
    ctx.send_with(ctx.t("forget-ask"), keyboard).await?;
    Ok(())
}

pub async fn on_forget(ctx: &Ctx, query: &CallbackQuery, confirm: bool) -> HandlerResult {
    answer(ctx, query, None, false).await?;
    let text = if confirm {
        ctx.store.forget_user(ctx.user_id, ctx.now_ts()).await?;
        ctx.t("forget-done")
    } else {
        ctx.t("forget-kept")
    };
    match query.regular_message() {
        Some(message) => ctx.edit(message.id, text, None).await,
        None => ctx.send(text).await.map(drop),
    }
}
