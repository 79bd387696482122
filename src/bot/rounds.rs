//! `/admin` → ballot rounds, for officials: the cycle's rounds with their state and turnout per
//! dong (tallies stay hidden until a round closes), and a guided dialogue to create one: area,
//! stage and kind by buttons, the kind's limits and the voting window typed, the outcome rule by
//! button, a preview, and saving once.

use teloxide::{
    prelude::*,
    types::{InlineKeyboardMarkup, MessageId},
};

use super::{
    Ctx, HandlerResult,
    admin::{back_to_menu, current_cycle},
    answer, button,
    callback::Callback,
    dialogue::{Dialogue, RoundDraft},
};
use crate::{
    args,
    domain::{
        AreaKind,
        ballot::{Kind, RULES, RoundStage, WindowError, parse_window},
        meeting::WhenError,
    },
    store::{NewRound, Round},
};

const KINDS: [&str; 4] = ["approval", "ranked", "knapsack", "cumulative"];

fn state(ctx: &Ctx, round: &Round) -> String {
    let now = ctx.now_ts();
    match (&round.void_reason, round.opened_at, round.closed_at) {
        (Some(_), _, _) => ctx.t("admin-round-void"),
        (None, None, _) => ctx.ta("admin-round-scheduled", args![("at", ctx.datetime_of(round.opens_at))]),
        (None, Some(_), None) if round.closes_at > now => {
            ctx.ta("admin-round-open", args![("until", ctx.datetime_of(round.closes_at))])
        }
        _ => ctx.t("admin-round-closed"),
    }
}

use super::vote::{how as limits_text, round_title as title};

pub async fn list(ctx: &Ctx, message: Option<MessageId>) -> HandlerResult {
    let cycle = current_cycle(ctx).await?;
    let rounds = ctx.store.rounds(cycle.id).await?;
    let mut rows: Vec<Vec<_>> = Vec::new();
    for round in rounds.iter().rev().take(30) {
        let ballots: i64 = ctx.store.turnout(round.id).await?.iter().map(|(_, n)| n).sum();
        let label = format!("#{} {} · {} · 🗳{ballots}", round.id, title(ctx, round), state(ctx, round));
        rows.push(vec![button(label, Callback::AdminRound { id: round.id })]);
    }
    rows.push(vec![button(ctx.t("admin-round-new"), Callback::AdminRoundNew)]);
    rows.push(back_to_menu(ctx));
    let text = ctx.ta("admin-rounds", args![("year", cycle.year.to_string()), ("count", rounds.len())]);
    ctx.show(message, text, InlineKeyboardMarkup::new(rows)).await
}

/// One round: its rules, state, projects and turnout per dong.
pub async fn card(ctx: &Ctx, id: i64, message: Option<MessageId>) -> HandlerResult {
    let Some(round) = ctx.store.round(id).await? else {
        return ctx.send(ctx.t("button-stale")).await.map(drop);
    };
    let mut lines = vec![
        format!("🗳 #{} {}", round.id, title(ctx, &round)),
        state(ctx, &round),
        ctx.ta(
            "admin-round-window",
            args![("from", ctx.datetime_of(round.opens_at)), ("until", ctx.datetime_of(round.closes_at))],
        ),
        ctx.ta(
            "admin-round-rule",
            args![("text", limits_text(ctx, round.kind)), ("kind", ctx.t(&format!("admin-rule-{}", round.rule)))],
        ),
    ];
    if let Some(reason) = &round.void_reason {
        lines.push(ctx.ta("admin-round-void-reason", args![("reason", reason.clone())]));
    }
    let projects = ctx.store.round_projects(id).await?;
    if !projects.is_empty() {
        lines.push(ctx.ta("admin-round-projects", args![("count", projects.len())]));
    }
    let turnout = ctx.store.turnout(id).await?;
    let total: i64 = turnout.iter().map(|(_, n)| n).sum();
    lines.push(ctx.ta("admin-round-turnout", args![("count", total)]));
    for (dong, n) in &turnout {
        let name = dong.as_deref().map_or_else(|| "-".to_owned(), |d| ctx.area_name(d));
        lines.push(format!("· {name}: {n}"));
    }
    let mut rows = Vec::new();
    if round.closed_at.is_some() && round.void_reason.is_none() {
        rows.push(vec![button(ctx.t("results-review-button"), Callback::AdminResults { round: id })]);
    } else if round.opened_at.is_some() && round.void_reason.is_none() && ctx.config.ballots.live_tally_for_officials {
        rows.push(vec![button(ctx.t("results-live-button"), Callback::AdminResults { round: id })]);
    }
    rows.push(vec![button(ctx.t("admin-rounds-back"), Callback::AdminRounds)]);
    ctx.show(message, super::fit(lines.join("\n")), InlineKeyboardMarkup::new(rows)).await
}

pub async fn choose_area(ctx: &Ctx, message: Option<MessageId>) -> HandlerResult {
    let mut rows = super::schedule::area_rows(ctx, |area| Callback::AdminRoundArea { area });
    rows.push(vec![button(ctx.t("admin-rounds-back"), Callback::AdminRounds)]);
    ctx.show(message, ctx.t("admin-round-area"), InlineKeyboardMarkup::new(rows)).await
}

/// Stages a round of `area` can have: a dong's residents in a dong; everyone, or the committee,
/// for the district-wide area.
fn stages_for(ctx: &Ctx, area: &str) -> Option<Vec<RoundStage>> {
    Some(match ctx.config.area(area)?.kind {
        AreaKind::Dong => vec![RoundStage::Dong],
        AreaKind::District => vec![RoundStage::District, RoundStage::Committee],
    })
}

pub async fn choose_stage(ctx: &Ctx, query: &CallbackQuery, area: &str) -> HandlerResult {
    let Some(stages) = stages_for(ctx, area) else {
        return answer(ctx, query, Some(ctx.t("button-stale")), true).await;
    };
    answer(ctx, query, None, false).await?;
    let mut rows: Vec<Vec<_>> = stages
        .into_iter()
        .map(|stage| {
            let label = ctx.t(&format!("admin-round-stage-{stage}"));
            vec![button(label, Callback::AdminRoundStage { area: area.to_owned(), stage })]
        })
        .collect();
    rows.push(vec![button(ctx.t("admin-rounds-back"), Callback::AdminRoundNew)]);
    let text = ctx.ta("admin-round-stage", args![("area", ctx.area_name(area))]);
    ctx.show(query.regular_message().map(|m| m.id), text, InlineKeyboardMarkup::new(rows)).await
}

/// The stage is chosen: a draft begins and the kind is asked.
pub async fn begin(ctx: &Ctx, query: &CallbackQuery, area: &str, stage: RoundStage) -> HandlerResult {
    if !stages_for(ctx, area).is_some_and(|stages| stages.contains(&stage)) {
        return answer(ctx, query, Some(ctx.t("button-stale")), true).await;
    }
    answer(ctx, query, None, false).await?;
    let draft = RoundDraft::new(area.to_owned(), stage.to_string());
    let token = draft.token;
    ctx.save_dialogue(&Dialogue::Round(draft)).await?;
    let rows: Vec<Vec<_>> = KINDS
        .iter()
        .map(|kind| {
            let label = ctx.t(&format!("vote-kind-{kind}"));
            vec![button(label, Callback::AdminRoundKind { token, kind: (*kind).to_owned() })]
        })
        .collect();
    ctx.show(query.regular_message().map(|m| m.id), ctx.t("admin-round-kind"), InlineKeyboardMarkup::new(rows)).await
}

/// The draft this button belongs to, with its stored state; `None` when stale.
async fn draft_of(ctx: &Ctx, token: u32) -> Result<Option<(RoundDraft, String)>, super::BotError> {
    Ok(ctx.dialogue().await?.and_then(|loaded| match loaded.dialogue {
        Dialogue::Round(draft) if draft.token == token => Some((draft, loaded.json)),
        _ => None,
    }))
}

pub async fn on_kind(ctx: &Ctx, query: &CallbackQuery, token: u32, kind: &str) -> HandlerResult {
    let Some((mut draft, state)) = draft_of(ctx, token).await?.filter(|_| KINDS.contains(&kind)) else {
        return answer(ctx, query, Some(ctx.t("button-stale")), true).await;
    };
    answer(ctx, query, None, false).await?;
    draft.ballot_kind = Some(kind.to_owned());
    let ask = match kind {
        "approval" => "admin-round-ask-approval",
        "ranked" => "admin-round-ask-ranked",
        "cumulative" => "admin-round-ask-cumulative",
        _ => {
            draft.limits = Some(vec![]);
            "admin-round-ask-window"
        }
    };
    ctx.replace_dialogue(&state, &Dialogue::Round(draft)).await?;
    ctx.send(ctx.t(ask)).await.map(drop)
}

/// The kind with the typed limits, checked; `None` while limits are missing or wrong.
fn kind_of(draft: &RoundDraft) -> Option<Kind> {
    let limits = draft.limits.as_deref()?;
    let kind = match (draft.ballot_kind.as_deref()?, limits) {
        ("approval", [min, max]) => Kind::Approval { min: *min, max: *max },
        ("ranked", [max]) => Kind::Ranked { max: *max },
        ("knapsack", []) => Kind::Knapsack,
        ("cumulative", [points, per_project]) => Kind::Cumulative { points: *points, per_project: *per_project },
        _ => return None,
    };
    kind.check_limits(usize::MAX).ok().map(|()| kind)
}

/// The next typed answer: the kind's limits, then the window.
pub async fn on_input(ctx: &Ctx, msg: &Message, mut draft: RoundDraft, state: &str) -> HandlerResult {
    if !super::admin::ensure_official(ctx).await? {
        ctx.store.clear_dialogue(ctx.user_id).await?;
        return Ok(());
    }
    let text = msg.text().map(str::trim).unwrap_or_default();
    if draft.ballot_kind.is_none() || draft.rule.is_some() {
        return ctx.send(ctx.t("admin-meeting-use-buttons")).await.map(drop);
    }
    if draft.limits.is_none() {
        let numbers: Option<Vec<u32>> =
            text.split([' ', ',', '/']).filter(|t| !t.is_empty()).map(|t| t.parse().ok()).collect();
        draft.limits = numbers;
        if kind_of(&draft).is_none() {
            let ask = format!("admin-round-ask-{}", draft.ballot_kind.as_deref().unwrap_or_default());
            return ctx.send(format!("{}\n\n{}", ctx.t("admin-round-bad-limits"), ctx.t(&ask))).await.map(drop);
        }
        ctx.replace_dialogue(state, &Dialogue::Round(draft)).await?;
        return ctx.send(ctx.t("admin-round-ask-window")).await.map(drop);
    }
    let (opens, closes) = match parse_window(text, ctx.now) {
        Ok(window) => window,
        Err(e) => {
            let problem = match e {
                WindowError::Opens(WhenError::Unreadable) => ctx.t("admin-round-bad-opens"),
                WindowError::Closes(WhenError::Unreadable) => ctx.t("admin-round-bad-closes"),
                WindowError::Opens(_) | WindowError::Closes(_) => ctx.t("admin-meeting-no-such-time"),
                WindowError::ClosesBeforeOpening => ctx.t("admin-round-closes-before"),
                WindowError::ClosesInThePast => ctx.t("admin-round-closes-past"),
            };
            return ctx.send(problem).await.map(drop);
        }
    };
    (draft.opens_at, draft.closes_at) = (Some(opens.timestamp()), Some(closes.timestamp()));
    let token = draft.token;
    let rules = kind_of(&draft).map_or(&RULES[..], Kind::rules);
    ctx.replace_dialogue(state, &Dialogue::Round(draft)).await?;
    let rows: Vec<Vec<_>> = rules
        .iter()
        .map(|rule| {
            vec![button(
                ctx.t(&format!("admin-rule-{rule}")),
                Callback::AdminRoundRule { token, rule: (*rule).to_owned() },
            )]
        })
        .collect();
    ctx.send_with(ctx.t("admin-round-ask-rule"), InlineKeyboardMarkup::new(rows)).await.map(drop)
}

/// The rule is chosen: the preview, with the projects the round would hold now.
pub async fn on_rule(ctx: &Ctx, query: &CallbackQuery, token: u32, rule: &str) -> HandlerResult {
    let Some((mut draft, state)) = draft_of(ctx, token).await?.filter(|(d, _)| d.opens_at.is_some()) else {
        return answer(ctx, query, Some(ctx.t("button-stale")), true).await;
    };
    if !kind_of(&draft).is_some_and(|kind| kind.rules().contains(&rule)) {
        return answer(ctx, query, Some(ctx.t("button-invalid")), true).await;
    }
    answer(ctx, query, None, false).await?;
    draft.rule = Some(rule.to_owned());
    ctx.replace_dialogue(&state, &Dialogue::Round(draft.clone())).await?;
    let Some(round) = new_round(ctx, &draft) else {
        ctx.store.clear_dialogue(ctx.user_id).await?;
        return ctx.send(ctx.t("admin-meeting-draft-gone")).await.map(drop);
    };
    let cycle = current_cycle(ctx).await?;
    let eligible = ctx.store.eligible_count(cycle.id, &round.area_key).await?;
    let kind_name = ctx.t(&format!("vote-kind-{}", round.kind.name()));
    let lines = [
        ctx.t("admin-round-preview"),
        String::new(),
        format!("🗳 {} {kind_name}", ctx.area_name(&round.area_key)),
        ctx.t(&format!("admin-round-stage-{}", round.stage)),
        ctx.ta(
            "admin-round-window",
            args![("from", ctx.datetime_of(round.opens_at)), ("until", ctx.datetime_of(round.closes_at))],
        ),
        ctx.ta(
            "admin-round-rule",
            args![("text", limits_text(ctx, round.kind)), ("kind", ctx.t(&format!("admin-rule-{rule}")))],
        ),
        ctx.ta("admin-round-eligible", args![("count", eligible), ("pot", ctx.lang.money(round.pot))]),
    ];
    let keyboard =
        InlineKeyboardMarkup::new(vec![vec![button(ctx.t("admin-round-save"), Callback::AdminRoundSave { token })]]);
    ctx.show(query.regular_message().map(|m| m.id), lines.join("\n"), keyboard).await
}

fn new_round(ctx: &Ctx, draft: &RoundDraft) -> Option<NewRound> {
    Some(NewRound {
        area_key: draft.area.clone(),
        stage: draft.stage.parse().ok()?,
        kind: kind_of(draft)?,
        rule: draft.rule.clone()?,
        pot: ctx.config.area(&draft.area)?.pot,
        opens_at: draft.opens_at?,
        closes_at: draft.closes_at?,
    })
}

/// Saves the round once (a second tap finds the draft gone).
pub async fn on_save(ctx: &Ctx, query: &CallbackQuery, token: u32) -> HandlerResult {
    let Some((draft, state)) = draft_of(ctx, token).await? else {
        return answer(ctx, query, Some(ctx.t("admin-meeting-draft-gone")), true).await;
    };
    let Some(round) = new_round(ctx, &draft) else {
        return answer(ctx, query, Some(ctx.t("admin-meeting-draft-gone")), true).await;
    };
    if round.closes_at <= ctx.now_ts() {
        return answer(ctx, query, Some(ctx.t("admin-round-closes-past")), true).await;
    }
    if !ctx.store.end_dialogue(ctx.user_id, &state).await? {
        return answer(ctx, query, Some(ctx.t("admin-meeting-draft-gone")), true).await;
    }
    answer(ctx, query, None, false).await?;
    let cycle = current_cycle(ctx).await?;
    let created = ctx.store.create_round(cycle.id, &round, Some(ctx.user_id), ctx.now_ts()).await?;
    tracing::info!(official = ctx.user_id, round = created.id, "ballot round created from chat");
    let text = ctx.ta("admin-round-saved", args![("id", created.id), ("at", ctx.datetime_of(created.opens_at))]);
    let keyboard = InlineKeyboardMarkup::new(vec![
        vec![button(ctx.t("admin-round-open-card"), Callback::AdminRound { id: created.id })],
        vec![button(ctx.t("admin-rounds-back"), Callback::AdminRounds)],
    ]);
    ctx.show(query.regular_message().map(|m| m.id), text, keyboard).await
}
