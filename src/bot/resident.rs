//! What any resident can do: welcome and help, language, cancel, and browsing proposals.

use teloxide::{
    prelude::*,
    types::{InlineKeyboardMarkup, InputFile, Me, MessageId},
};

use super::{Ctx, HandlerResult, answer, button, callback::Callback};
use crate::{
    args,
    config::Config,
    domain::{Proposal, ProposalStatus},
    i18n::{Lang, Locales},
};

/// Proposals per page in `/proposals`.
pub const PAGE_SIZE: u32 = 10;

pub async fn start(ctx: &Ctx, payload: &str) -> HandlerResult {
    // Deep links such as t.me/<bot>?start=proposal-12 open that proposal's card.
    if let Some(id) = payload.strip_prefix("proposal-").and_then(|id| id.parse::<i64>().ok()) {
        return show_proposal(ctx, id).await;
    }
    // t.me/<bot>?start=checkin-AB3XYZ, the link (or QR image) shown at a meeting's door.
    if payload.starts_with("checkin-") {
        return super::checkin::by_code(ctx, payload).await;
    }
    let cycle = ctx.store.cycle_shown(ctx.config.cycle_year, ctx.now_ts()).await?;
    let phase = cycle.map(|c| c.phase).unwrap_or(ctx.config.start_phase);
    let text = ctx.ta(
        "start-welcome",
        args![
            ("district", ctx.config.district_name(ctx.lang)),
            ("pot", ctx.lang.money(ctx.config.pot)),
            ("share", ctx.config.pb_share_percent.to_string()),
            ("year", ctx.config.cycle_year.to_string()),
            ("phase", ctx.t(&format!("phase-{}", phase.as_str()))),
            ("now", ctx.t(&format!("phase-hint-{}", phase.as_str()))),
        ],
    );
    ctx.send(text).await?;
    Ok(())
}

pub async fn help(ctx: &Ctx) -> HandlerResult {
    let mut text = ctx.t("help-header");
    for name in super::commands::RESIDENT_COMMANDS {
        let usage = match name {
            "proposal" => "/proposal <n>".to_owned(),
            "checkin" => "/checkin <code>".to_owned(),
            "vote" => "/vote [3 7 12]".to_owned(),
            _ => format!("/{name}"),
        };
        text.push_str(&format!("\n{usage} — {}", ctx.t(&format!("cmd-{name}"))));
    }
    if ctx.is_official().await? {
        text.push_str(&format!("\n/admin — {}", ctx.t("cmd-admin")));
    }
    ctx.send(text).await?;
    Ok(())
}

pub async fn choose_language(ctx: &Ctx) -> HandlerResult {
    let keyboard = InlineKeyboardMarkup::new(vec![vec![
        button("한국어", Callback::SetLang(Lang::Ko)),
        button("English", Callback::SetLang(Lang::En)),
    ]]);
    ctx.send_with(ctx.t("lang-choose"), keyboard).await?;
    Ok(())
}

pub async fn set_language(ctx: &Ctx, query: &CallbackQuery, lang: Lang) -> HandlerResult {
    ctx.store.set_language(ctx.user_id, lang).await?;
    let text = ctx.locales.plain(lang, "lang-set");
    answer(ctx, query, None, false).await?;
    match query.regular_message() {
        Some(message) => ctx.edit(message.id, text, None).await,
        None => ctx.send(text).await.map(drop),
    }
}

pub async fn cancel(ctx: &Ctx) -> HandlerResult {
    let had = ctx.dialogue().await?.is_some();
    ctx.store.clear_dialogue(ctx.user_id).await?;
    ctx.send(ctx.t(if had { "cancel-done" } else { "cancel-nothing" })).await?;
    Ok(())
}

/// Area buttons, two per row, each calling `to(area key)`.
pub fn area_keyboard(ctx: &Ctx, to: impl Fn(&str) -> Callback) -> Vec<Vec<teloxide::types::InlineKeyboardButton>> {
    ctx.config
        .areas
        .chunks(2)
        .map(|pair| pair.iter().map(|a| button(ctx.area_name(&a.key), to(&a.key))).collect())
        .collect()
}

/// `/proposals`: choose an area (edits `message` in place when coming back from a list).
pub async fn browse_areas(ctx: &Ctx, message: Option<MessageId>) -> HandlerResult {
    let keyboard =
        InlineKeyboardMarkup::new(area_keyboard(ctx, |key| Callback::BrowseList { area: key.to_owned(), page: 0 }));
    let text = ctx.t("browse-choose-area");
    match message {
        Some(id) => ctx.edit(id, text, Some(keyboard)).await,
        None => ctx.send_with(text, keyboard).await.map(drop),
    }
}

/// One page of an area's proposals, edited in place.
pub async fn browse_list(ctx: &Ctx, query: &CallbackQuery, area: &str, page: u32) -> HandlerResult {
    if ctx.config.area(area).is_none() {
        return answer(ctx, query, Some(ctx.t("button-stale")), true).await;
    }
    let Some(cycle) = ctx.store.cycle_shown(ctx.config.cycle_year, ctx.now_ts()).await? else {
        return answer(ctx, query, Some(ctx.t("button-stale")), true).await;
    };
    let (_, total) = ctx.store.proposals_in_area(cycle.id, area, 0, 0).await?;
    let pages = u32::try_from(total).unwrap_or(u32::MAX).div_ceil(PAGE_SIZE).max(1);
    let page = page.min(pages - 1);
    let (proposals, _) =
        ctx.store.proposals_in_area(cycle.id, area, i64::from(page * PAGE_SIZE), i64::from(PAGE_SIZE)).await?;
    answer(ctx, query, None, false).await?;

    let area_name = ctx.area_name(area);
    let mut text = if total == 0 {
        ctx.ta("browse-empty", args![("area", area_name.clone())])
    } else {
        ctx.ta(
            "browse-header",
            args![("area", area_name.clone()), ("count", total), ("page", page + 1), ("pages", pages)],
        )
    };
    let mut rows = Vec::new();
    for p in &proposals {
        text.push_str(&format!("\n\n{}", summary_line(ctx, p)));
        rows.push(vec![button(format!("#{} {}", p.id, shorten(&p.title, 40)), Callback::ViewProposal { id: p.id })]);
    }
    let mut nav = Vec::new();
    if page > 0 {
        nav.push(button(ctx.t("nav-prev"), Callback::BrowseList { area: area.to_owned(), page: page - 1 }));
    }
    nav.push(button(ctx.t("nav-areas"), Callback::BrowseAreas));
    if page + 1 < pages {
        nav.push(button(ctx.t("nav-next"), Callback::BrowseList { area: area.to_owned(), page: page + 1 }));
    }
    rows.push(nav);
    let keyboard = InlineKeyboardMarkup::new(rows);
    match query.regular_message() {
        Some(message) => ctx.edit(message.id, text, Some(keyboard)).await,
        None => ctx.send_with(text, keyboard).await.map(drop),
    }
}

/// `#12 Title · ₩3,000,000 · status`.
pub fn summary_line(ctx: &Ctx, p: &Proposal) -> String {
    let cost = p.reviewed_cost.unwrap_or(p.estimated_cost);
    format!("#{} {} · {} · {}", p.id, p.title, ctx.lang.money(cost), status_name(ctx, p.status))
}

pub fn status_name(ctx: &Ctx, status: ProposalStatus) -> String {
    ctx.t(&format!("status-{}", status.as_str()))
}

fn shorten(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_owned();
    }
    let mut cut: String = text.chars().take(max - 1).collect();
    cut.push('…');
    cut
}

/// `/proposal <id>`: accepts `12` or `#12`.
pub async fn show_by_argument(ctx: &Ctx, argument: &str) -> HandlerResult {
    match argument.trim().trim_start_matches('#').parse::<i64>() {
        Ok(id) if id > 0 => show_proposal(ctx, id).await,
        _ => ctx.send(ctx.t("proposal-usage")).await.map(drop),
    }
}

pub async fn show_proposal(ctx: &Ctx, id: i64) -> HandlerResult {
    let Some(proposal) = ctx.store.proposal(id).await? else {
        ctx.send(ctx.ta("proposal-not-found", args![("id", id)])).await?;
        return Ok(());
    };
    let text = card(ctx, &proposal).await?;
    ctx.send_with(text, super::follow::card_keyboard(ctx, &proposal).await?).await?;
    Ok(())
}

/// The proposal card: what was proposed, where it stands and its whole history.
pub async fn card(ctx: &Ctx, p: &Proposal) -> Result<String, super::BotError> {
    let mut lines = vec![
        ctx.ta("card-header", args![("id", p.id), ("area", ctx.area_name(&p.area_key))]),
        format!("<{}>", p.title),
        String::new(),
        p.description.clone(),
        String::new(),
        ctx.ta("card-estimated", args![("cost", ctx.lang.money(p.estimated_cost))]),
    ];
    if let Some(reviewed) = p.reviewed_cost {
        lines.push(ctx.ta("card-reviewed", args![("cost", ctx.lang.money(reviewed))]));
    }
    lines.push(ctx.ta("card-status", args![("status", status_name(ctx, p.status))]));
    if let Some(reason) = &p.ineligible_reason {
        lines.push(ctx.ta("card-reason", args![("reason", reason.clone())]));
    }
    if p.photo_file_id.is_some() {
        lines.push(ctx.t("card-photo"));
    }
    if let Some(location) = p.location {
        lines.push(ctx.ta(
            "card-location",
            args![("lat", format!("{:.5}", location.latitude)), ("lon", format!("{:.5}", location.longitude))],
        ));
    }
    lines.push(String::new());
    lines.push(ctx.t("card-history"));
    for entry in ctx.store.proposal_history(p.id).await? {
        lines.push(format!("· {} — {}", ctx.datetime_of(entry.at), status_name(ctx, entry.status)));
    }
    Ok(lines.join("\n"))
}

pub async fn show_photo(ctx: &Ctx, query: &CallbackQuery, id: i64) -> HandlerResult {
    let photo = ctx.store.proposal(id).await?.and_then(|p| p.photo_file_id);
    let Some(file_id) = photo else {
        return answer(ctx, query, Some(ctx.t("button-stale")), true).await;
    };
    answer(ctx, query, None, false).await?;
    ctx.courier.note_reply(ctx.user_id);
    ctx.bot
        .send_photo(ctx.chat(), InputFile::file_id(teloxide::types::FileId(file_id)))
        .caption(ctx.ta("photo-caption", args![("id", id)]))
        .await?;
    Ok(())
}

pub async fn my_proposals(ctx: &Ctx) -> HandlerResult {
    let proposals = ctx.store.proposals_by(ctx.user_id, 50).await?;
    if proposals.is_empty() {
        ctx.send(ctx.t("my-empty")).await?;
        return Ok(());
    }
    let mut text = ctx.ta("my-header", args![("count", proposals.len())]);
    let mut rows = Vec::new();
    for p in &proposals {
        text.push_str(&format!("\n\n{} — {}", summary_line(ctx, p), ctx.area_name(&p.area_key)));
        rows.push(vec![button(format!("#{} {}", p.id, shorten(&p.title, 40)), Callback::ViewProposal { id: p.id })]);
    }
    ctx.send_with(text, InlineKeyboardMarkup::new(rows)).await?;
    Ok(())
}

/// In groups the bot only points people to a private chat, where their data stays theirs.
pub async fn outside_private_chat(
    bot: &Bot,
    msg: &Message,
    me: &Me,
    config: &Config,
    locales: &Locales,
) -> HandlerResult {
    let addressed = msg.text().and_then(|t| super::commands::parse_command(t, me.username.as_deref())).is_some();
    if !addressed {
        return Ok(());
    }
    let lang = msg
        .from
        .as_ref()
        .and_then(|u| u.language_code.as_deref())
        .and_then(Lang::from_code)
        .unwrap_or(config.default_language);
    let link = me.username.as_deref().map(|u| format!("https://t.me/{u}")).unwrap_or_default();
    bot.send_message(msg.chat.id, locales.text(lang, "private-only", args![("link", link)])).await?;
    Ok(())
}
