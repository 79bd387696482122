//! `/admin` for officials: the review queue (eligible with a reviewed cost, or not eligible with a
//! public reason) and moving the cycle between phases. The official's role is checked on every
//! command, button and typed answer; every decision is audited and the proposer is told.

use teloxide::{
    prelude::*,
    types::{InlineKeyboardMarkup, InputFile, MessageId},
};

use super::{
    Ctx, HandlerResult, answer, button,
    callback::{Callback, Verdict},
    dialogue::Dialogue,
    fit,
    propose::parse_cost_for,
    resident::{card, status_name},
    resolve_lang,
};
use crate::{
    args,
    domain::{
        AreaKind, Phase, Proposal, ProposalStatus, ReviewDecision,
        proposal::{REASON_MAX_CHARS, parse_reason},
        verification::{Phone, code_batch, valid_through},
    },
    i18n::Lang,
    store::{Broadcast, Cycle, Follow, Notice, Pushes, ReviewOutcome},
};

/// Refuses non-officials with a polite message; `true` when the user is an official.
pub(super) async fn ensure_official(ctx: &Ctx) -> Result<bool, super::BotError> {
    if ctx.is_official().await? {
        return Ok(true);
    }
    ctx.send(ctx.t("admin-only")).await?;
    Ok(false)
}

pub(super) async fn current_cycle(ctx: &Ctx) -> Result<Cycle, super::BotError> {
    Ok(ctx
        .store
        .cycle(ctx.config.cycle_year)
        .await?
        .ok_or_else(|| format!("cycle {} is missing; was the district applied?", ctx.config.cycle_year))?)
}

fn phase_name(ctx: &Ctx, phase: Phase) -> String {
    ctx.t(&format!("phase-{}", phase.as_str()))
}

pub async fn menu(ctx: &Ctx, message: Option<MessageId>) -> HandlerResult {
    // Facilitators, who are not officials, get the one part of the menu that is theirs.
    if !ctx.is_official().await? && ctx.store.is_facilitator(ctx.user_id).await? {
        return super::paper::rounds(ctx, message).await;
    }
    if !ensure_official(ctx).await? {
        return Ok(());
    }
    let cycle = current_cycle(ctx).await?;
    let (_, waiting) = ctx.store.next_for_review(cycle.id, 0).await?;
    let text = ctx.ta(
        "admin-menu",
        args![("year", cycle.year.to_string()), ("phase", phase_name(ctx, cycle.phase)), ("waiting", waiting)],
    );
    let keyboard = InlineKeyboardMarkup::new(vec![
        vec![button(ctx.ta("admin-review-button", args![("waiting", waiting)]), Callback::AdminReview { after: 0 })],
        vec![button(ctx.t("admin-phases-button"), Callback::AdminPhases)],
        vec![
            button(ctx.t("admin-codes-button"), Callback::AdminCodes),
            button(ctx.t("admin-unbind-button"), Callback::AdminUnbind),
        ],
        vec![
            button(ctx.t("admin-rounds-button"), Callback::AdminRounds),
            button(ctx.t("admin-paper-button"), Callback::PaperRounds),
        ],
        vec![
            button(ctx.t("admin-meetings-button"), Callback::AdminMeetings),
            button(ctx.t("admin-facilitators-button"), Callback::AdminFacilitators),
        ],
        vec![
            button(ctx.t("admin-announce-button"), Callback::AdminAnnounce),
            button(ctx.t("admin-delivery-button"), Callback::AdminDelivery),
        ],
        vec![button(ctx.t("execution-admin-button"), Callback::AdminExecution)],
    ]);
    match message {
        Some(id) => ctx.edit(id, text, Some(keyboard)).await,
        None => ctx.send_with(text, keyboard).await.map(drop),
    }
}

pub(super) fn back_to_menu(ctx: &Ctx) -> Vec<teloxide::types::InlineKeyboardButton> {
    vec![button(ctx.t("admin-back"), Callback::AdminMenu)]
}

/// Shows the next proposal waiting for review after `after`.
pub async fn review_next(ctx: &Ctx, after: i64) -> HandlerResult {
    let cycle = current_cycle(ctx).await?;
    let (next, waiting) = ctx.store.next_for_review(cycle.id, after).await?;
    let Some(proposal) = next else {
        ctx.send_with(ctx.t("admin-review-empty"), InlineKeyboardMarkup::new(vec![back_to_menu(ctx)])).await?;
        return Ok(());
    };
    let text =
        format!("{}\n\n{}", ctx.ta("admin-review-waiting", args![("waiting", waiting)]), card(ctx, &proposal).await?);
    let id = proposal.id;
    let keyboard = InlineKeyboardMarkup::new(vec![
        vec![
            button(ctx.t("admin-eligible"), Callback::Review { id, verdict: Verdict::Eligible }),
            button(ctx.t("admin-ineligible"), Callback::Review { id, verdict: Verdict::Ineligible }),
        ],
        vec![button(ctx.t("admin-next"), Callback::Review { id, verdict: Verdict::Next })],
        back_to_menu(ctx),
    ]);
    ctx.send_with(text, keyboard).await?;
    Ok(())
}

pub async fn on_verdict(ctx: &Ctx, query: &CallbackQuery, id: i64, verdict: Verdict) -> HandlerResult {
    if verdict == Verdict::Next {
        answer(ctx, query, None, false).await?;
        return review_next(ctx, id).await;
    }
    let Some(proposal) = ctx.store.proposal(id).await? else {
        return answer(ctx, query, Some(ctx.t("button-stale")), true).await;
    };
    if proposal.status != ProposalStatus::Submitted {
        let notice = ctx.ta("admin-review-already", args![("id", id), ("status", status_name(ctx, proposal.status))]);
        return answer(ctx, query, Some(notice), true).await;
    }
    answer(ctx, query, None, false).await?;
    let area = ctx.config.area(&proposal.area_key).map(|a| a.pot).unwrap_or(ctx.config.pot);
    match verdict {
        Verdict::Eligible => {
            ctx.save_dialogue(&Dialogue::ReviewCost { proposal_id: id }).await?;
            let text = ctx.ta(
                "admin-ask-reviewed-cost",
                args![
                    ("id", id),
                    ("estimated", ctx.lang.money(proposal.estimated_cost)),
                    ("pot", ctx.lang.money(area)),
                ],
            );
            ctx.send(text).await?;
        }
        _ => {
            ctx.save_dialogue(&Dialogue::ReviewReason { proposal_id: id }).await?;
            ctx.send(ctx.ta("admin-ask-reason", args![("id", id), ("max", REASON_MAX_CHARS)])).await?;
        }
    }
    Ok(())
}

pub async fn on_reviewed_cost(ctx: &Ctx, msg: &Message, id: i64) -> HandlerResult {
    if !ensure_official(ctx).await? {
        ctx.store.clear_dialogue(ctx.user_id).await?;
        return Ok(());
    }
    let Some(text) = msg.text() else {
        ctx.send(ctx.t("propose-need-text")).await?;
        return Ok(());
    };
    let Some(proposal) = ctx.store.proposal(id).await? else {
        ctx.store.clear_dialogue(ctx.user_id).await?;
        ctx.send(ctx.ta("proposal-not-found", args![("id", id)])).await?;
        return Ok(());
    };
    match parse_cost_for(ctx, text, Some(&proposal.area_key)) {
        Ok(reviewed_cost) => finish_review(ctx, id, ReviewDecision::Eligible { reviewed_cost }).await,
        Err(problem) => ctx.send(problem).await.map(drop),
    }
}

pub async fn on_ineligible_reason(ctx: &Ctx, msg: &Message, id: i64) -> HandlerResult {
    if !ensure_official(ctx).await? {
        ctx.store.clear_dialogue(ctx.user_id).await?;
        return Ok(());
    }
    match msg.text().and_then(parse_reason) {
        Some(reason) => finish_review(ctx, id, ReviewDecision::Ineligible { reason }).await,
        None => ctx.send(ctx.ta("admin-reason-invalid", args![("max", REASON_MAX_CHARS)])).await.map(drop),
    }
}

async fn finish_review(ctx: &Ctx, id: i64, decision: ReviewDecision) -> HandlerResult {
    let Some(before) = ctx.store.proposal(id).await? else {
        ctx.store.clear_dialogue(ctx.user_id).await?;
        ctx.send(ctx.ta("proposal-not-found", args![("id", id)])).await?;
        return Ok(());
    };
    let pushes = review_pushes(ctx, &before, &decision).await?;
    match ctx.store.review_proposal(id, &decision, ctx.user_id, &pushes, ctx.now_ts()).await? {
        ReviewOutcome::Reviewed(proposal) => {
            ctx.courier.wake();
            ctx.send(ctx.ta("admin-reviewed", args![("id", id), ("status", status_name(ctx, proposal.status))]))
                .await?;
            review_next(ctx, id).await
        }
        ReviewOutcome::NotPending(status) => {
            ctx.store.clear_dialogue(ctx.user_id).await?;
            ctx.send(ctx.ta("admin-review-already", args![("id", id), ("status", status_name(ctx, status))])).await?;
            Ok(())
        }
        ReviewOutcome::NotFound => {
            ctx.store.clear_dialogue(ctx.user_id).await?;
            ctx.send(ctx.ta("proposal-not-found", args![("id", id)])).await?;
            Ok(())
        }
    }
}

/// What a review tells residents, written with the decision itself: the proposer, in their own
/// language; and for an eligible proposal, everyone following its area or the project.
async fn review_pushes(ctx: &Ctx, proposal: &Proposal, decision: &ReviewDecision) -> Result<Pushes, super::BotError> {
    let mut pushes = Pushes { default_lang: ctx.config.default_language.code(), ..Pushes::default() };
    let render = |lang: Lang| match decision {
        ReviewDecision::Eligible { reviewed_cost } => ctx.locales.text(
            lang,
            "notify-eligible",
            args![("id", proposal.id), ("title", proposal.title.clone()), ("cost", lang.money(*reviewed_cost))],
        ),
        ReviewDecision::Ineligible { reason } => ctx.locales.text(
            lang,
            "notify-ineligible",
            args![("id", proposal.id), ("title", proposal.title.clone()), ("reason", reason.as_str().to_owned())],
        ),
    };
    if let Some(proposer) = proposal.proposer_id {
        let lang = resolve_lang(&ctx.store.user_language(proposer).await?, &ctx.config);
        pushes.notices.push(Notice { chat_id: proposer, text: fit(render(lang)), markup: None });
    }
    if let ReviewDecision::Eligible { reviewed_cost } = decision {
        let area = ctx.config.area(&proposal.area_key);
        let follow_area = match area.map(|a| a.kind) {
            Some(AreaKind::Dong) => Follow::Dong(proposal.area_key.clone()),
            _ => Follow::District,
        };
        let news = |lang: Lang| {
            fit(ctx.locales.text(
                lang,
                "news-eligible",
                args![
                    ("id", proposal.id),
                    ("title", proposal.title.clone()),
                    ("area", ctx.area_name_in(&proposal.area_key, lang)),
                    ("cost", lang.money(*reviewed_cost))
                ],
            ))
        };
        pushes.broadcasts.push(Broadcast {
            kind: "proposal-eligible".into(),
            subject: Some(proposal.id.to_string()),
            text_ko: news(Lang::Ko),
            text_en: news(Lang::En),
            markup_ko: Some(news_keyboard(ctx, Lang::Ko, proposal.id)?),
            markup_en: Some(news_keyboard(ctx, Lang::En, proposal.id)?),
            audience: vec![follow_area, Follow::Project(proposal.id)],
            exclude: proposal.proposer_id,
            created_by: Some(ctx.user_id),
            photos: None,
        });
    }
    Ok(pushes)
}

/// "Open it" and "Follow it" under news of a proposal, as Bot API JSON.
fn news_keyboard(ctx: &Ctx, lang: Lang, id: i64) -> Result<String, super::BotError> {
    let keyboard = InlineKeyboardMarkup::new(vec![vec![
        button(ctx.locales.plain(lang, "news-open"), Callback::ViewProposal { id }),
        button(ctx.locales.plain(lang, "follow-project"), Callback::FollowProject { id, on: true }),
    ]]);
    Ok(serde_json::to_string(&keyboard)?)
}

pub async fn phases(ctx: &Ctx, message: Option<MessageId>) -> HandlerResult {
    let cycle = current_cycle(ctx).await?;
    let text = ctx.ta(
        "admin-phases",
        args![
            ("year", cycle.year.to_string()),
            ("phase", phase_name(ctx, cycle.phase)),
            ("since", ctx.datetime_of(cycle.phase_changed_at))
        ],
    );
    let mut rows: Vec<_> = Phase::ALL
        .into_iter()
        .filter(|p| *p != cycle.phase)
        .map(|to| vec![button(phase_name(ctx, to), Callback::AdminPhaseAsk { from: cycle.phase, to })])
        .collect();
    rows.push(back_to_menu(ctx));
    let keyboard = InlineKeyboardMarkup::new(rows);
    match message {
        Some(id) => ctx.edit(id, text, Some(keyboard)).await,
        None => ctx.send_with(text, keyboard).await.map(drop),
    }
}

pub async fn ask_phase_move(ctx: &Ctx, query: &CallbackQuery, from: Phase, to: Phase) -> HandlerResult {
    let cycle = current_cycle(ctx).await?;
    if cycle.phase != from {
        answer(ctx, query, Some(ctx.t("admin-phase-changed")), true).await?;
        return phases(ctx, query.regular_message().map(|m| m.id)).await;
    }
    answer(ctx, query, None, false).await?;
    let text = ctx.ta("admin-phase-confirm", args![("from", phase_name(ctx, from)), ("to", phase_name(ctx, to))]);
    let keyboard = InlineKeyboardMarkup::new(vec![vec![
        button(ctx.t("admin-phase-yes"), Callback::AdminPhaseMove { from, to }),
        button(ctx.t("admin-back"), Callback::AdminPhases),
    ]]);
    match query.regular_message() {
        Some(m) => ctx.edit(m.id, text, Some(keyboard)).await,
        None => ctx.send_with(text, keyboard).await.map(drop),
    }
}

pub async fn move_phase(ctx: &Ctx, query: &CallbackQuery, from: Phase, to: Phase) -> HandlerResult {
    let cycle = current_cycle(ctx).await?;
    if !ctx.store.move_phase(cycle.id, from, to, ctx.user_id, ctx.now_ts()).await? {
        answer(ctx, query, Some(ctx.t("admin-phase-changed")), true).await?;
        return phases(ctx, query.regular_message().map(|m| m.id)).await;
    }
    tracing::info!(official = ctx.user_id, from = %from, to = %to, "cycle phase moved");
    answer(ctx, query, None, false).await?;
    let text = ctx.ta("admin-phase-moved", args![("from", phase_name(ctx, from)), ("to", phase_name(ctx, to))]);
    let keyboard = InlineKeyboardMarkup::new(vec![back_to_menu(ctx)]);
    match query.regular_message() {
        Some(m) => ctx.edit(m.id, text, Some(keyboard)).await,
        None => ctx.send_with(text, keyboard).await.map(drop),
    }
}

/// Codes issued from chat come in small batches; large print runs use `pb-bot admin codes issue`.
const CODE_BATCHES: [u32; 3] = [10, 50, 100];

pub async fn codes_choose_dong(ctx: &Ctx, message: Option<MessageId>) -> HandlerResult {
    let rows: Vec<_> = ctx
        .config
        .areas
        .iter()
        .filter(|a| a.kind == AreaKind::Dong)
        .collect::<Vec<_>>()
        .chunks(2)
        .map(|pair| {
            pair.iter()
                .map(|a| button(ctx.area_name(&a.key), Callback::AdminCodesDong { dong: a.key.clone() }))
                .collect()
        })
        .chain([back_to_menu(ctx)])
        .collect();
    let keyboard = InlineKeyboardMarkup::new(rows);
    match message {
        Some(id) => ctx.edit(id, ctx.t("admin-codes-dong"), Some(keyboard)).await,
        None => ctx.send_with(ctx.t("admin-codes-dong"), keyboard).await.map(drop),
    }
}

pub async fn codes_choose_count(ctx: &Ctx, query: &CallbackQuery, dong: &str) -> HandlerResult {
    if ctx.config.area(dong).is_none_or(|a| a.kind != AreaKind::Dong) {
        return answer(ctx, query, Some(ctx.t("button-stale")), true).await;
    }
    answer(ctx, query, None, false).await?;
    let row = CODE_BATCHES
        .iter()
        .map(|n| button(n.to_string(), Callback::AdminCodesIssue { dong: dong.to_owned(), count: *n }))
        .collect();
    let keyboard = InlineKeyboardMarkup::new(vec![row, back_to_menu(ctx)]);
    let text = ctx.ta("admin-codes-count", args![("dong", ctx.area_name(dong))]);
    match query.regular_message() {
        Some(m) => ctx.edit(m.id, text, Some(keyboard)).await,
        None => ctx.send_with(text, keyboard).await.map(drop),
    }
}

/// Issues a batch and sends it to the official as a CSV document to print.
pub async fn codes_issue(ctx: &Ctx, query: &CallbackQuery, dong: &str, count: u32) -> HandlerResult {
    let Some(area) = ctx.config.area(dong).filter(|a| a.kind == AreaKind::Dong) else {
        return answer(ctx, query, Some(ctx.t("button-stale")), true).await;
    };
    if !CODE_BATCHES.contains(&count) {
        return answer(ctx, query, Some(ctx.t("button-invalid")), true).await;
    }
    answer(ctx, query, None, false).await?;
    let seoul_today = ctx.now.with_timezone(&chrono_tz::Asia::Seoul).date_naive();
    let last_day = seoul_today + chrono::Days::new(u64::from(ctx.config.verification.code_valid_days));
    let expires_at = valid_through(last_day).map_or(ctx.now_ts() + 86_400, |t| t.timestamp());
    let codes = code_batch(&ctx.secret, count as usize);
    let hashes: Vec<String> = codes.keys().cloned().collect();
    ctx.store.issue_codes(&area.key, &hashes, expires_at, Some(ctx.user_id), ctx.now_ts()).await?;
    let mut csv = String::from("code,dong,dong_en,valid_until\n");
    for code in codes.values() {
        csv.push_str(&format!("{},{},{},{last_day}\n", code.printed(), area.name_ko, area.name_en));
    }
    let file = InputFile::memory(csv.into_bytes()).file_name(format!("codes-{}-{seoul_today}.csv", area.key));
    let caption = ctx.ta(
        "admin-codes-issued",
        args![("count", count), ("dong", ctx.area_name(&area.key)), ("until", last_day.to_string())],
    );
    ctx.courier.note_reply(ctx.user_id);
    ctx.bot.send_document(ctx.chat(), file).caption(caption).await?;
    Ok(())
}

/// A resident as an official types them: a phone number on the roll (a verified resident) or a
/// Telegram user id. `Err(())` when the text is neither.
async fn typed_resident(ctx: &Ctx, typed: &str) -> Result<Result<Option<i64>, ()>, super::BotError> {
    let typed = typed.trim();
    Ok(match (Phone::parse(typed), typed.parse::<i64>()) {
        (Ok(phone), _) => Ok(ctx.store.resident_by_phone(&ctx.secret.phone_hash(&phone)).await?),
        (Err(_), Ok(id)) if id > 0 => Ok(Some(id)),
        _ => Err(()),
    })
}

/// The facilitators, with buttons to grant and revoke the role.
pub async fn facilitators(ctx: &Ctx, message: Option<MessageId>) -> HandlerResult {
    let all = ctx.store.facilitators().await?;
    let mut text = ctx.ta("admin-facilitators", args![("count", all.len())]);
    for (id, since) in all.iter().take(50) {
        text.push_str(&format!("\n· {id} ({})", ctx.datetime_of(*since)));
    }
    let keyboard = InlineKeyboardMarkup::new(vec![
        vec![
            button(ctx.t("admin-facilitator-grant"), Callback::AdminFacilitatorAsk { grant: true }),
            button(ctx.t("admin-facilitator-revoke"), Callback::AdminFacilitatorAsk { grant: false }),
        ],
        back_to_menu(ctx),
    ]);
    ctx.show(message, text, keyboard).await
}

pub async fn facilitator_ask(ctx: &Ctx, grant: bool) -> HandlerResult {
    ctx.save_dialogue(&Dialogue::AdminFacilitator { grant }).await?;
    ctx.send(ctx.t("admin-facilitator-ask")).await.map(drop)
}

/// The official typed who gets (or loses) the facilitator role; a new facilitator is told.
pub async fn on_facilitator_target(ctx: &Ctx, msg: &Message, grant: bool) -> HandlerResult {
    if !ensure_official(ctx).await? {
        ctx.store.clear_dialogue(ctx.user_id).await?;
        return Ok(());
    }
    let Ok(target) = typed_resident(ctx, msg.text().unwrap_or_default()).await? else {
        return ctx.send(ctx.t("admin-facilitator-ask")).await.map(drop);
    };
    let Some(id) = target else {
        ctx.store.clear_dialogue(ctx.user_id).await?;
        return ctx.send(ctx.t("admin-unbind-none")).await.map(drop);
    };
    if ctx.store.known_users(&[id]).await?.is_empty() {
        return ctx.send(ctx.t("admin-facilitator-unknown")).await.map(drop);
    }
    ctx.store.clear_dialogue(ctx.user_id).await?;
    let done = if grant {
        let lang = resolve_lang(&ctx.store.user_language(id).await?, &ctx.config);
        let notice = Notice { chat_id: id, text: ctx.locales.plain(lang, "facilitator-granted"), markup: None };
        let pushes = Pushes::notices(vec![notice], ctx.config.default_language.code());
        if ctx.store.grant_facilitator(id, Some(ctx.user_id), &pushes, ctx.now_ts()).await? {
            ctx.courier.wake();
            "admin-facilitator-granted"
        } else {
            "admin-facilitator-already"
        }
    } else if ctx.store.revoke_facilitator(id, Some(ctx.user_id), ctx.now_ts()).await? {
        "admin-facilitator-revoked"
    } else {
        "admin-facilitator-not"
    };
    ctx.send(ctx.ta(done, args![("id", id)])).await?;
    facilitators(ctx, None).await
}

pub async fn unbind_ask(ctx: &Ctx) -> HandlerResult {
    ctx.save_dialogue(&Dialogue::AdminUnbind).await?;
    ctx.send(ctx.t("admin-unbind-ask")).await?;
    Ok(())
}

/// The official typed a phone number (as on the roll) or a Telegram user id.
pub async fn on_unbind_target(ctx: &Ctx, msg: &Message) -> HandlerResult {
    if !ensure_official(ctx).await? {
        ctx.store.clear_dialogue(ctx.user_id).await?;
        return Ok(());
    }
    let Ok(target) = typed_resident(ctx, msg.text().unwrap_or_default()).await? else {
        return ctx.send(ctx.t("admin-unbind-ask")).await.map(drop);
    };
    ctx.store.clear_dialogue(ctx.user_id).await?;
    let unbound = match target {
        Some(id) => ctx.store.unbind_resident(id, Some(ctx.user_id), ctx.now_ts()).await?,
        None => false,
    };
    ctx.send(ctx.t(if unbound { "admin-unbind-done" } else { "admin-unbind-none" })).await?;
    Ok(())
}
