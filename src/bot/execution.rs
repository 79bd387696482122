//! Carrying out funded projects in chat (DESIGN §8): `/project <id>` shows a funded project's
//! execution card, or for any other proposal what was decided and why; each update officials
//! post is pushed to the project's followers (its proposer among them) in their language,
//! saying what changed.

use teloxide::types::{InlineKeyboardMarkup, MessageId};

use super::{Ctx, HandlerResult, button, callback::Callback};
use crate::{
    args,
    config::Config,
    domain::{
        Proposal,
        execution::{Card, Changes, Status, Update},
        outcome::Why,
    },
    i18n::{Lang, Locales},
    store::{Broadcast, Follow, Pushes, UpdateRecord},
};

/// Updates shown on a card.
const LATEST_UPDATES: i64 = 3;

/// `/project <id>`.
pub async fn command(ctx: &Ctx, argument: &str) -> HandlerResult {
    match argument.trim().trim_start_matches('#').parse::<i64>() {
        Ok(id) if id > 0 => show(ctx, id, None).await,
        _ => ctx.send(ctx.t("project-usage")).await.map(drop),
    }
}

/// A project's card: the execution card once funded, else what was decided and why.
pub async fn show(ctx: &Ctx, id: i64, message: Option<MessageId>) -> HandlerResult {
    let Some(proposal) = ctx.store.proposal(id).await? else {
        return ctx.send(ctx.ta("proposal-not-found", args![("id", id)])).await.map(drop);
    };
    let keyboard = super::follow::card_keyboard(ctx, &proposal).await?;
    let text = match ctx.store.execution_card(id).await? {
        Some(card) => {
            let updates = ctx.store.execution_updates(id, LATEST_UPDATES).await?;
            card_text(&ctx.config, &ctx.locales, ctx.lang, &proposal, &card, &updates, |at| ctx.datetime_of(at))
        }
        None => decided_text(ctx, &proposal).await?,
    };
    ctx.show(message, super::fit(text), keyboard).await
}

fn status_name(locales: &Locales, lang: Lang, status: Status) -> String {
    locales.plain(lang, &format!("execution-status-{}", status.as_str()))
}

/// Ten blocks, one per 10%.
fn bar(progress: u8) -> String {
    let full = usize::from(progress / 10);
    format!("{}{}", "▓".repeat(full), "░".repeat(10 - full))
}

/// The execution card in `lang`.
pub fn card_text(
    config: &Config,
    locales: &Locales,
    lang: Lang,
    proposal: &Proposal,
    card: &Card,
    updates: &[UpdateRecord],
    datetime: impl Fn(i64) -> String,
) -> String {
    let mut lines = vec![
        locales.text(
            lang,
            "execution-card-head",
            args![("id", proposal.id), ("area", config.area_name(&proposal.area_key, lang))],
        ),
        format!("<{}>", proposal.title),
        locales.text(
            lang,
            "execution-card-department",
            args![(
                "department",
                card.department.clone().unwrap_or_else(|| locales.plain(lang, "execution-no-department"))
            )],
        ),
        locales.text(
            lang,
            "execution-card-status",
            args![("status", status_name(locales, lang, card.status)), ("progress", i64::from(card.progress))],
        ),
        format!("{} {}%", bar(card.progress), card.progress),
        locales.text(
            lang,
            "execution-card-money",
            args![("approved", lang.money(card.approved)), ("spent", lang.money(card.spent))],
        ),
    ];
    if let Some(note) = &card.note {
        lines.push(locales.text(lang, "execution-card-note", args![("note", note.clone())]));
    }
    if updates.is_empty() {
        lines.push(locales.plain(lang, "execution-no-updates"));
    } else {
        lines.push(locales.plain(lang, "execution-updates-head"));
        for update in updates {
            let text = match lang {
                Lang::En => update.text_en.as_deref().unwrap_or(&update.text_ko),
                Lang::Ko => &update.text_ko,
            };
            lines.push(format!(
                "· {} — {} {}%: {text}",
                datetime(update.posted_at),
                status_name(locales, lang, update.status),
                update.progress
            ));
        }
    }
    lines.join("\n")
}

/// A proposal without a card: what the published outcome decided and why, or where it stands.
async fn decided_text(ctx: &Ctx, proposal: &Proposal) -> Result<String, super::BotError> {
    let mut lines = vec![
        ctx.ta("execution-card-head", args![("id", proposal.id), ("area", ctx.area_name(&proposal.area_key))]),
        format!("<{}>", proposal.title),
    ];
    match ctx.store.project_outcome(proposal.id).await? {
        Some((round, outcome)) => {
            let project = outcome.project(proposal.id);
            let cost = project.map(|p| ctx.lang.money(p.cost)).unwrap_or_default();
            let (key, left, reason) = match outcome.why(proposal.id) {
                Some(Why::Funded) => ("results-why-funded", String::new(), String::new()),
                Some(Why::Excluded(reason)) => ("results-why-excluded", String::new(), reason),
                Some(Why::NoRoom { left }) => ("results-why-no-room", ctx.lang.money(left), String::new()),
                Some(Why::Stopped) => ("results-why-stopped", String::new(), String::new()),
                Some(Why::Share) | None => ("results-why-share", String::new(), String::new()),
            };
            lines.push(ctx.ta("execution-decided-in", args![("round", round.to_string())]));
            lines.push(ctx.ta(
                key,
                args![
                    ("id", proposal.id.to_string()),
                    ("title", proposal.title.clone()),
                    ("cost", cost),
                    ("left", left),
                    ("reason", reason)
                ],
            ));
        }
        None => {
            lines.push(
                ctx.ta("execution-not-decided", args![("status", super::resident::status_name(ctx, proposal.status))]),
            );
            if let Some(reason) = &proposal.ineligible_reason {
                lines.push(ctx.ta("card-reason", args![("reason", reason.clone())]));
            }
        }
    }
    Ok(lines.join("\n"))
}

/// What changed, as one line in `lang`.
fn changes_text(locales: &Locales, lang: Lang, card: &Card, changes: &Changes) -> String {
    let mut parts = Vec::new();
    if let Some((from, to)) = changes.status {
        parts.push(locales.text(
            lang,
            "execution-changed-status",
            args![("from", status_name(locales, lang, from)), ("to", status_name(locales, lang, to))],
        ));
    }
    if let Some((from, to)) = changes.progress {
        parts.push(locales.text(
            lang,
            "execution-changed-progress",
            args![("from", i64::from(from)), ("to", i64::from(to))],
        ));
    }
    if let Some((from, to)) = changes.spent {
        parts.push(locales.text(
            lang,
            "execution-changed-spent",
            args![("from", lang.money(from)), ("to", lang.money(to)), ("approved", lang.money(card.approved))],
        ));
    }
    if let Some((_, to)) = &changes.department {
        parts.push(locales.text(lang, "execution-changed-department", args![("department", to.clone())]));
    }
    if parts.is_empty() {
        return locales.plain(lang, "execution-changed-nothing");
    }
    parts.join(" · ")
}

/// The news of an update, to the project's followers (its proposer follows it from the start),
/// each in their language, with the button to the card.
pub fn update_pushes(
    config: &Config,
    locales: &Locales,
    proposal: &Proposal,
    card: &Card,
    update: &Update,
    changes: &Changes,
) -> Pushes {
    let render = |lang: Lang| {
        let text = match lang {
            Lang::En => update.text_en.as_deref().unwrap_or(&update.text_ko),
            Lang::Ko => &update.text_ko,
        };
        let mut lines = vec![
            locales.text(lang, "execution-news-head", args![("id", proposal.id), ("title", proposal.title.clone())]),
            changes_text(locales, lang, card, changes),
            text.trim().to_owned(),
        ];
        if let Some(reason) = update.reason.as_deref().map(str::trim).filter(|r| !r.is_empty()) {
            lines.push(locales.text(lang, "execution-card-note", args![("note", reason.to_owned())]));
        }
        super::fit(lines.join("\n"))
    };
    let keyboard = |lang: Lang| {
        let markup = InlineKeyboardMarkup::new(vec![vec![button(
            locales.plain(lang, "execution-open-card"),
            Callback::Project { id: proposal.id },
        )]]);
        serde_json::to_string(&markup).ok()
    };
    Pushes {
        notices: Vec::new(),
        broadcasts: vec![Broadcast {
            kind: "execution-update".into(),
            subject: Some(proposal.id.to_string()),
            text_ko: render(Lang::Ko),
            text_en: render(Lang::En),
            markup_ko: keyboard(Lang::Ko),
            markup_en: keyboard(Lang::En),
            audience: vec![Follow::Project(proposal.id)],
            exclude: None,
            created_by: None,
            photos: None,
        }],
        default_lang: config.default_language.code(),
    }
}
