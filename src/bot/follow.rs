//! What residents follow (DESIGN §8): their dong or any other, district-wide announcements, and
//! projects. `/subscribe` shows everything with a mark on what is followed; a tap switches it.
//! `/unsubscribe` lists only what is followed. Every proposal card has a follow button.

use std::collections::HashSet;

use teloxide::{
    prelude::*,
    types::{InlineKeyboardButton, InlineKeyboardButtonKind, InlineKeyboardMarkup, MessageId},
};

use super::{Ctx, HandlerResult, answer, button, callback::Callback, resident::card};
use crate::{
    args,
    config::Config,
    domain::{AreaKind, Proposal},
    store::{DISTRICT_TARGET, Follow},
};

/// The stored kind of a subscription from its one-letter button code.
fn kind_of(code: char) -> &'static str {
    match code {
        'd' => "dong",
        'p' => "project",
        _ => "district",
    }
}

fn code_of(kind: &str) -> char {
    match kind {
        "dong" => 'd',
        "project" => 'p',
        _ => 'a',
    }
}

/// How a subscription is named to the resident.
pub fn subscription_name(ctx: &Ctx, kind: &str, target: &str) -> String {
    match kind {
        "dong" => ctx.area_name(target),
        "project" => format!("#{target}"),
        _ => ctx.t("mydata-district-news"),
    }
}

/// Who hears of news about `area`: a dong's followers, or for the district (its area, or the
/// announcement target `all`) everyone following the district or any dong.
pub fn area_audience(config: &Config, area: &str) -> Vec<Follow> {
    match config.area(area).map(|a| a.kind) {
        Some(AreaKind::Dong) => vec![Follow::Dong(area.to_owned())],
        _ => vec![Follow::District, Follow::AnyDong],
    }
}

/// `/subscribe`: district-wide announcements and every dong, followed ones marked.
pub async fn menu(ctx: &Ctx, message: Option<MessageId>) -> HandlerResult {
    let followed: HashSet<(String, String)> = ctx.store.subscriptions(ctx.user_id).await?.into_iter().collect();
    let toggle = |kind: &str, target: &str, label: String| -> InlineKeyboardButton {
        let on = followed.contains(&(kind.to_owned(), target.to_owned()));
        let label = if on { format!("✅ {label}") } else { label };
        button(label, Callback::Follow { kind: code_of(kind), target: target.to_owned(), on: !on })
    };
    let mut rows = vec![vec![toggle("district", DISTRICT_TARGET, ctx.t("mydata-district-news"))]];
    let dongs: Vec<_> = ctx.config.areas.iter().filter(|a| a.kind == AreaKind::Dong).collect();
    for pair in dongs.chunks(2) {
        rows.push(pair.iter().map(|a| toggle("dong", &a.key, ctx.area_name(&a.key))).collect());
    }
    let projects: Vec<String> =
        followed.iter().filter(|(kind, _)| kind == "project").map(|(_, id)| format!("#{id}")).collect();
    let mut text = ctx.t("subscribe-menu");
    text.push_str("\n\n");
    text.push_str(&if projects.is_empty() {
        ctx.t("subscribe-projects-none")
    } else {
        let mut sorted = projects;
        sorted.sort_by_key(|p| p.trim_start_matches('#').parse::<i64>().unwrap_or(i64::MAX));
        ctx.ta("subscribe-projects", args![("list", sorted.join(", "))])
    });
    let keyboard = InlineKeyboardMarkup::new(rows);
    match message {
        Some(id) => ctx.edit(id, text, Some(keyboard)).await,
        None => ctx.send_with(text, keyboard).await.map(drop),
    }
}

/// A tap in the `/subscribe` menu. The button says what to do (follow or stop), so pressing an
/// old menu twice does not flip it back.
pub async fn on_follow(ctx: &Ctx, query: &CallbackQuery, code: char, target: &str, on: bool) -> HandlerResult {
    let valid = match code {
        'd' => ctx.config.area(target).is_some_and(|a| a.kind == AreaKind::Dong),
        'a' => target == DISTRICT_TARGET,
        _ => false,
    };
    if !valid {
        return answer(ctx, query, Some(ctx.t("button-stale")), true).await;
    }
    let kind = kind_of(code);
    let name = subscription_name(ctx, kind, target);
    if on {
        ctx.store.subscribe(ctx.user_id, kind, target, ctx.now_ts()).await?;
    } else {
        ctx.store.unsubscribe(ctx.user_id, kind, target).await?;
    }
    let notice = ctx.ta(if on { "follow-on" } else { "follow-off" }, args![("name", name)]);
    answer(ctx, query, Some(notice), false).await?;
    menu(ctx, query.regular_message().map(|m| m.id)).await
}

/// The buttons under a proposal card: the photo, if any, and follow or stop following.
pub async fn card_keyboard(ctx: &Ctx, proposal: &Proposal) -> Result<InlineKeyboardMarkup, super::BotError> {
    let id = proposal.id;
    let following = ctx.store.subscriptions(ctx.user_id).await?.contains(&("project".to_owned(), id.to_string()));
    let mut row = Vec::new();
    if proposal.photo_file_id.is_some() {
        row.push(button(ctx.t("card-show-photo"), Callback::ViewPhoto { id }));
    }
    row.push(if following {
        button(ctx.t("unfollow-project"), Callback::FollowProject { id, on: false })
    } else {
        button(ctx.t("follow-project"), Callback::FollowProject { id, on: true })
    });
    Ok(InlineKeyboardMarkup::new(vec![row]))
}

/// The follow button on a proposal card (or under news of one).
pub async fn on_follow_project(ctx: &Ctx, query: &CallbackQuery, id: i64, on: bool) -> HandlerResult {
    let Some(proposal) = ctx.store.proposal(id).await? else {
        return answer(ctx, query, Some(ctx.t("button-stale")), true).await;
    };
    let target = id.to_string();
    if on {
        ctx.store.subscribe(ctx.user_id, "project", &target, ctx.now_ts()).await?;
    } else {
        ctx.store.unsubscribe(ctx.user_id, "project", &target).await?;
    }
    let notice = ctx.ta(if on { "follow-on" } else { "follow-off" }, args![("name", format!("#{id}"))]);
    answer(ctx, query, Some(notice), false).await?;
    // Under a card, the card shows the new state; news of the proposal (it has an "open" button)
    // stays as it was.
    let open = Callback::ViewProposal { id }.encode();
    match query.regular_message() {
        Some(m) if !has_button(m, &open) => {
            ctx.edit(m.id, card(ctx, &proposal).await?, Some(card_keyboard(ctx, &proposal).await?)).await
        }
        _ => Ok(()),
    }
}

fn has_button(message: &Message, data: &str) -> bool {
    message.reply_markup().is_some_and(|markup| {
        markup
            .inline_keyboard
            .iter()
            .flatten()
            .any(|b| matches!(&b.kind, InlineKeyboardButtonKind::CallbackData(d) if d == data))
    })
}

/// `/unsubscribe`: one button per thing the resident follows.
pub async fn unsubscribe_menu(ctx: &Ctx) -> HandlerResult {
    let subscriptions = ctx.store.subscriptions(ctx.user_id).await?;
    if subscriptions.is_empty() {
        return ctx.send(ctx.t("unsubscribe-none")).await.map(drop);
    }
    let rows: Vec<Vec<_>> = subscriptions
        .iter()
        .map(|(kind, target)| {
            vec![button(
                subscription_name(ctx, kind, target),
                Callback::Unsubscribe { kind: code_of(kind), target: target.clone() },
            )]
        })
        .collect();
    ctx.send_with(ctx.t("unsubscribe-choose"), InlineKeyboardMarkup::new(rows)).await?;
    Ok(())
}

pub async fn on_unsubscribe(ctx: &Ctx, query: &CallbackQuery, code: char, target: &str) -> HandlerResult {
    let kind = kind_of(code);
    if !ctx.store.unsubscribe(ctx.user_id, kind, target).await? {
        return answer(ctx, query, Some(ctx.t("button-stale")), true).await;
    }
    answer(ctx, query, None, false).await?;
    let text = ctx.ta("unsubscribe-done", args![("name", subscription_name(ctx, kind, target))]);
    match query.regular_message() {
        Some(message) => ctx.edit(message.id, text, None).await,
        None => ctx.send(text).await.map(drop),
    }
}
