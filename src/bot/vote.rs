//! `/vote`: the priority ballot as one live message (DESIGN §5). Each tap edits that message in
//! place; every tap, page turn and submit is checked again on the server: the round must be open,
//! the resident entitled to it, the message the live one, and the ballot within its limits.
//! A ballot can also be typed (`/vote 3 7 12`) and is confirmed the same way.

use std::sync::Arc;

use teloxide::types::{CallbackQuery, InlineKeyboardMarkup, MessageId};

use super::{Ctx, HandlerResult, answer, button, callback::Callback};
use crate::{
    args,
    domain::{
        AreaKind,
        ballot::{Ballot, BallotError, Kind, RoundStage, Rules, receipt},
    },
    i18n::Lang,
    store::{CastOutcome, Draft, Round, RoundProject, rules_of},
};

/// Projects per page of buttons (all of them are listed in the text).
const PAGE: usize = 8;
/// Cells of the knapsack cost bar.
const BAR: usize = 10;

/// Why a resident may not vote in a round.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Refusal {
    Closed,
    NotVerified,
    OtherDong,
    NotCommittee,
}

/// A resident entitled to a round: their voter key and dong.
struct Voter {
    key: String,
    dong: String,
}

/// Whether the resident may vote in `round` now.
async fn entitled(ctx: &Ctx, round: &Round) -> Result<Result<Voter, Refusal>, super::BotError> {
    if !round.is_open(ctx.now_ts()) {
        return Ok(Err(Refusal::Closed));
    }
    let Some((name, dong)) = ctx.voter.clone() else { return Ok(Err(Refusal::NotVerified)) };
    let allowed = match round.stage {
        RoundStage::Dong => dong == round.area_key,
        RoundStage::District => true,
        RoundStage::Committee => ctx.store.committee_members(round.cycle_id).await?.contains(&ctx.user_id),
    };
    if !allowed {
        return Ok(Err(if round.stage == RoundStage::Committee { Refusal::NotCommittee } else { Refusal::OtherDong }));
    }
    Ok(Ok(Voter { key: ctx.secret.voter_key(round.id, &name), dong }))
}

fn refusal_text(ctx: &Ctx, round: &Round, refusal: Refusal) -> String {
    match refusal {
        Refusal::Closed => ctx.t("vote-closed"),
        Refusal::NotVerified => ctx.t("vote-verify-first"),
        Refusal::OtherDong => ctx.ta("vote-other-dong", args![("area", ctx.area_name(&round.area_key))]),
        Refusal::NotCommittee => ctx.t("vote-committee-only"),
    }
}

/// The round's name in a sentence: "신촌동 투표" / "Sinchon-dong ballot".
pub(super) fn round_title(ctx: &Ctx, round: &Round) -> String {
    ctx.ta(
        "vote-round-title",
        args![("area", ctx.area_name(&round.area_key)), ("kind", ctx.t(&format!("vote-kind-{}", round.kind.name())))],
    )
}

/// `/vote` and `/vote 3 7 12`.
pub async fn command(ctx: &Ctx, typed: &str) -> HandlerResult {
    let (now, year) = (ctx.now_ts(), ctx.config.cycle_year);
    let open_of = |rounds: Vec<Round>| rounds.into_iter().filter(|r| r.is_open(now)).collect::<Vec<_>>();
    let mut open = open_of(ctx.store.rounds_shown(year, now).await?);
    if open.is_empty() {
        // A round another replica opened this very second is not missed.
        open = open_of(ctx.store.rounds_of_year(year).await?);
    }
    let mut mine = Vec::new();
    let mut refusals = Vec::new();
    for round in open {
        match entitled(ctx, &round).await? {
            Ok(_) => mine.push(round),
            Err(refusal) => refusals.push((round, refusal)),
        }
    }
    if mine.is_empty() {
        let text = match refusals.first() {
            None => ctx.t("vote-none"),
            Some((round, refusal)) => refusal_text(ctx, round, *refusal),
        };
        return ctx.send(text).await.map(drop);
    }
    let typed = typed.trim();
    if !typed.is_empty() {
        return typed_ballot(ctx, &mine, typed).await;
    }
    if let [round] = mine.as_slice() {
        return open_ballot(ctx, round, None).await;
    }
    let rows: Vec<Vec<_>> = mine
        .iter()
        .map(|r| {
            let label = format!("{} · ~{}", round_title(ctx, r), ctx.datetime_of(r.closes_at));
            vec![button(label, Callback::VoteRound { round: r.id })]
        })
        .collect();
    ctx.send_with(ctx.t("vote-choose"), InlineKeyboardMarkup::new(rows)).await.map(drop)
}

/// `/vote 3 7 12` (or `/vote r5 3 7 12` when several rounds are open): checked like taps, then
/// the same confirmation as the buttons.
async fn typed_ballot(ctx: &Ctx, mine: &[Round], typed: &str) -> HandlerResult {
    let (round, choices) = match typed.split_once(char::is_whitespace) {
        Some((head, rest)) if head.starts_with(['r', 'R']) => {
            match head[1..].parse::<i64>().ok().and_then(|id| mine.iter().find(|r| r.id == id)) {
                Some(round) => (round, rest),
                None => return ctx.send(ctx.t("vote-typed-which")).await.map(drop),
            }
        }
        _ => match mine {
            [round] => (round, typed),
            _ => {
                let list: Vec<String> = mine.iter().map(|r| format!("r{} — {}", r.id, round_title(ctx, r))).collect();
                return ctx.send(ctx.ta("vote-typed-several", args![("list", list.join("\n"))])).await.map(drop);
            }
        },
    };
    let projects = ctx.store.round_projects(round.id).await?;
    let rules = rules_of(round, &projects);
    let ballot = match Ballot::typed(&rules, choices) {
        Ok(ballot) => ballot,
        Err(e) => return ctx.send(error_text(ctx, round, &rules, &e)).await.map(drop),
    };
    let Ok(voter) = entitled(ctx, round).await? else { return Ok(()) };
    if ctx.store.cast_ballot_of(round.id, &voter.key).await?.is_some_and(|(_, _, paper)| paper) {
        return ctx.send(ctx.t("vote-paper-entered")).await.map(drop);
    }
    let (text, keyboard) = confirm_screen(ctx, round, &projects, &ballot);
    let sent = ctx.send_with(text, keyboard).await?;
    ctx.store.save_draft(round, &voter.key, &ballot, Some(i64::from(sent.0)), ctx.now_ts()).await?;
    Ok(())
}

/// What a refused ballot edit means, for the voter.
pub(super) fn error_text(ctx: &Ctx, round: &Round, rules: &Rules, error: &BallotError) -> String {
    match error {
        BallotError::UnknownProject(id) => ctx.ta("vote-error-unknown", args![("id", *id)]),
        BallotError::Twice(id) => ctx.ta("vote-error-twice", args![("id", *id)]),
        BallotError::TooMany { max } => ctx.ta("vote-error-too-many", args![("max", *max)]),
        BallotError::TooFew { min } => ctx.ta("vote-error-too-few", args![("min", *min)]),
        BallotError::OverPot { total, pot } => {
            ctx.ta("vote-error-over-pot", args![("cost", ctx.lang.money(*total)), ("pot", ctx.lang.money(*pot))])
        }
        BallotError::OverPoints { points } => ctx.ta("vote-error-points", args![("max", *points)]),
        BallotError::OverPerProject { project, per_project } => {
            ctx.ta("vote-error-per-project", args![("id", *project), ("max", *per_project)])
        }
        BallotError::Empty => ctx.t("vote-error-empty"),
        BallotError::Unreadable => match rules.kind {
            Kind::Cumulative { .. } => ctx.t("vote-typed-format-points"),
            _ => ctx.ta("vote-typed-format", args![("id", round.id)]),
        },
    }
}

/// Opens the live ballot message: the draft if one is kept, else the ballot already cast (to
/// change it), else an empty one. A new message becomes the live one; older ones go stale.
async fn open_ballot(ctx: &Ctx, round: &Round, query: Option<&CallbackQuery>) -> HandlerResult {
    let voter = match entitled(ctx, round).await? {
        Ok(voter) => voter,
        Err(refusal) => {
            return match query {
                Some(q) => answer(ctx, q, Some(refusal_text(ctx, round, refusal)), true).await,
                None => ctx.send(refusal_text(ctx, round, refusal)).await.map(drop),
            };
        }
    };
    let (cast, draft) = ctx.store.cast_and_draft(round.id, &voter.key).await?;
    if cast.as_ref().is_some_and(|(_, _, paper)| *paper) {
        return match query {
            Some(q) => answer(ctx, q, Some(ctx.t("vote-paper-entered")), true).await,
            None => ctx.send(ctx.t("vote-paper-entered")).await.map(drop),
        };
    }
    if let Some(q) = query {
        answer(ctx, q, None, false).await?;
    }
    let ballot = match draft {
        Some(draft) => draft.ballot,
        None => cast.map(|(b, _, _)| b).unwrap_or_default(),
    };
    let projects = ctx.store.round_projects(round.id).await?;
    let (text, keyboard) = ballot_screen(ctx, round, &projects, &ballot, 0);
    let sent = ctx.send_with(text, keyboard).await?;
    ctx.store.save_draft(round, &voter.key, &ballot, Some(i64::from(sent.0)), ctx.now_ts()).await?;
    Ok(())
}

pub async fn on_round(ctx: &Ctx, query: &CallbackQuery, round: i64) -> HandlerResult {
    match ctx.store.round(round).await? {
        Some(round) => open_ballot(ctx, &round, Some(query)).await,
        None => answer(ctx, query, Some(ctx.t("button-stale")), true).await,
    }
}

/// What a ballot button acts on, once checked: the round, its projects, the voter, their draft
/// and its live message.
struct Live {
    round: Round,
    projects: Arc<Vec<RoundProject>>,
    voter: Voter,
    draft: Draft,
    message: MessageId,
    /// Round and draft as this process last knew them, not read (see [`live`]).
    guessed: bool,
}

/// A ballot button: the round, the resident's entitlement, the live message and the draft,
/// checked afresh. `None` (after telling the resident) when the button no longer counts. With
/// `guess`, the round and draft may be the ones this process knew seconds ago (a tap, whose
/// write checks the draft is still that one).
async fn live(ctx: &Ctx, query: &CallbackQuery, round_id: i64, guess: bool) -> Result<Option<Live>, super::BotError> {
    // The voter's key is known before the round is read, so round and draft come in one read.
    let key = ctx.voter.as_ref().map(|(name, _)| ctx.secret.voter_key(round_id, name));
    let guess_at = guess.then(|| ctx.now_ts());
    let Some((round, draft, guessed)) = ctx.store.round_with_draft(round_id, key.as_deref(), guess_at).await? else {
        answer(ctx, query, Some(ctx.t("button-stale")), true).await?;
        return Ok(None);
    };
    let voter = match entitled(ctx, &round).await? {
        Ok(voter) => voter,
        Err(refusal) => {
            answer(ctx, query, Some(refusal_text(ctx, &round, refusal)), true).await?;
            return Ok(None);
        }
    };
    let message = query.regular_message().map(|m| m.id);
    match (draft, message) {
        (Some(draft), Some(message)) if draft.message_id == Some(i64::from(message.0)) => {
            let projects = ctx.store.round_projects(round.id).await?;
            Ok(Some(Live { round, projects, voter, draft, message, guessed }))
        }
        _ => {
            answer(ctx, query, Some(ctx.t("vote-old-message")), true).await?;
            Ok(None)
        }
    }
}

/// The page a project's button is on.
fn page_of(projects: &[RoundProject], project: i64) -> usize {
    projects.iter().position(|p| p.proposal_id == project).map_or(0, |i| i / PAGE)
}

/// A tap on a project (`up` for cumulative's ➕/➖; `None` for the other kinds).
pub async fn on_tap(ctx: &Ctx, query: &CallbackQuery, round: i64, project: i64, up: Option<bool>) -> HandlerResult {
    let mut guess = true;
    loop {
        let Some(live) = live(ctx, query, round, guess).await? else { return Ok(()) };
        let Live { round, projects, voter, draft, message, guessed } = live;
        let rules = rules_of(&round, &projects);
        let edited = match up {
            Some(up) => draft.ballot.add_points(&rules, project, if up { 1 } else { -1 }),
            None => draft.ballot.tap(&rules, project),
        };
        let ballot = match edited {
            Ok(ballot) => ballot,
            // A refusal is told from the stored draft, never from a guess.
            Err(_) if guessed => {
                guess = false;
                continue;
            }
            Err(e) => return answer(ctx, query, Some(error_text(ctx, &round, &rules, &e)), true).await,
        };
        if guessed {
            if !ctx.store.replace_draft(&round, &voter.key, &draft, &ballot, ctx.now_ts()).await? {
                // Changed elsewhere since this process last saw it: tap on the stored draft.
                guess = false;
                continue;
            }
        } else {
            ctx.store.save_draft(&round, &voter.key, &ballot, draft.message_id, ctx.now_ts()).await?;
        }
        answer(ctx, query, None, false).await?;
        let (text, keyboard) = ballot_screen(ctx, &round, &projects, &ballot, page_of(&projects, project));
        return ctx.edit(message, text, Some(keyboard)).await;
    }
}

pub async fn on_page(ctx: &Ctx, query: &CallbackQuery, round: i64, page: u32) -> HandlerResult {
    let Some(Live { round, projects, draft, message, .. }) = live(ctx, query, round, false).await? else {
        return Ok(());
    };
    let pages = projects.len().div_ceil(PAGE).max(1);
    let page = page as usize;
    if page >= pages {
        return answer(ctx, query, Some(ctx.t("button-invalid")), true).await;
    }
    answer(ctx, query, None, false).await?;
    let (text, keyboard) = ballot_screen(ctx, &round, &projects, &draft.ballot, page);
    ctx.edit(message, text, Some(keyboard)).await
}

/// "Submit": the ballot must be complete; then the voter confirms it.
pub async fn on_submit(ctx: &Ctx, query: &CallbackQuery, round: i64) -> HandlerResult {
    let Some(Live { round, projects, draft, message, .. }) = live(ctx, query, round, false).await? else {
        return Ok(());
    };
    let rules = rules_of(&round, &projects);
    if let Err(e) = draft.ballot.check(&rules) {
        return answer(ctx, query, Some(error_text(ctx, &round, &rules, &e)), true).await;
    }
    answer(ctx, query, None, false).await?;
    let (text, keyboard) = confirm_screen(ctx, &round, &projects, &draft.ballot);
    ctx.edit(message, text, Some(keyboard)).await
}

/// Back from the confirmation to the ballot.
pub async fn on_edit(ctx: &Ctx, query: &CallbackQuery, round: i64) -> HandlerResult {
    let Some(Live { round, projects, draft, message, .. }) = live(ctx, query, round, false).await? else {
        return Ok(());
    };
    answer(ctx, query, None, false).await?;
    let (text, keyboard) = ballot_screen(ctx, &round, &projects, &draft.ballot, 0);
    ctx.edit(message, text, Some(keyboard)).await
}

/// "Yes, submit": stored atomically with a fresh receipt; the draft (and so this message's
/// buttons) ends. What is stored is the draft as the transaction finds it, and only if it is
/// still the one checked here: first the one this process last saw, then the stored one.
pub async fn on_confirm(ctx: &Ctx, query: &CallbackQuery, round: i64) -> HandlerResult {
    let mut guess = true;
    let (round, message, outcome, answered) = loop {
        let Some(Live { round, voter, draft, message, guessed, .. }) = live(ctx, query, round, guess).await? else {
            return Ok(());
        };
        // The button is answered (its spinner stopped) as soon as the ballot has passed its
        // checks, while it is being stored; a refusal is answered below, with its reason.
        let (decided, heard) = tokio::sync::oneshot::channel();
        let (code, now) = (receipt(), ctx.now_ts());
        let casting = ctx.store.cast_draft(round.id, &voter.key, &voter.dong, &draft, &code, now, Some(decided));
        let answering = async {
            match heard.await {
                Ok(()) => answer(ctx, query, None, false).await.map(|()| true),
                Err(_) => Ok(false),
            }
        };
        let (outcome, answered) = tokio::join!(casting, answering);
        let (outcome, answered) = (outcome?, answered?);
        match outcome {
            // Changed since this process last saw it: check the stored draft.
            CastOutcome::DraftChanged if guessed => guess = false,
            outcome => break (round, message, outcome, answered),
        }
    };
    match outcome {
        CastOutcome::Cast { receipt, replaced } => {
            if !answered {
                answer(ctx, query, None, false).await?;
            }
            let id = if replaced { "vote-stored-again" } else { "vote-stored" };
            let text = ctx.ta(
                id,
                args![
                    ("title", round_title(ctx, &round)),
                    ("code", receipt),
                    ("until", ctx.datetime_of(round.closes_at))
                ],
            );
            ctx.edit(message, text, None).await
        }
        CastOutcome::NotOpen => answer(ctx, query, Some(ctx.t("vote-closed")), true).await,
        CastOutcome::PaperEntered => answer(ctx, query, Some(ctx.t("vote-paper-entered")), true).await,
        // The draft changed or went between the stored read and the transaction (another tap
        // or submit on this message elsewhere, that instant), or breaks the rules.
        CastOutcome::DraftChanged | CastOutcome::Invalid(_) => {
            answer(ctx, query, Some(ctx.t("vote-old-message")), true).await
        }
    }
}

/// A project's line in the ballot text: its mark, number, title and reviewed cost.
fn project_line(ctx: &Ctx, kind: Kind, project: &RoundProject, weight: u32) -> String {
    let mark = match (kind, weight) {
        (_, 0) => "▫️".to_owned(),
        (Kind::Ranked { .. }, place) => ctx.ta("vote-place", args![("count", place)]),
        (Kind::Cumulative { .. }, points) => ctx.ta("vote-points", args![("count", points)]),
        _ => "✅".to_owned(),
    };
    format!("{mark} #{} {} · {}", project.proposal_id, project.title, ctx.lang.money(project.cost))
}

fn short(title: &str) -> String {
    let cut: String = title.chars().take(24).collect();
    if cut.chars().count() < title.chars().count() { format!("{cut}…") } else { cut }
}

/// The live ballot: every project with its mark, where the ballot stands, what is still needed;
/// buttons for the projects of `page`, page turns and submit.
fn ballot_screen(
    ctx: &Ctx,
    round: &Round,
    projects: &[RoundProject],
    ballot: &Ballot,
    page: usize,
) -> (String, InlineKeyboardMarkup) {
    let rules = rules_of(round, projects);
    let standing = ballot.standing(&rules);
    let mut lines = vec![
        format!("🗳 {}", round_title(ctx, round)),
        ctx.ta("vote-how", args![("text", how(ctx, round.kind)), ("until", ctx.datetime_of(round.closes_at))]),
        String::new(),
    ];
    // The text lists the page the buttons show (a long ballot stays within Telegram's limit);
    // picks on other pages are summed up below it.
    let pages = projects.len().div_ceil(PAGE).max(1);
    let page = page.min(pages - 1);
    let shown = &projects[page * PAGE..projects.len().min((page + 1) * PAGE)];
    lines.extend(shown.iter().map(|p| project_line(ctx, round.kind, p, ballot.weight(p.proposal_id))));
    if pages > 1 && !ballot.is_empty() {
        let picks: Vec<String> = ballot.order().iter().map(|id| format!("#{id}")).collect();
        lines.push(ctx.ta("vote-picks", args![("list", picks.join(", "))]));
    }
    lines.push(String::new());
    lines.push(match round.kind {
        Kind::Approval { min, max } => {
            ctx.ta("vote-standing-approval", args![("count", standing.picked), ("min", min), ("max", max)])
        }
        Kind::Ranked { max } => ctx.ta("vote-standing-ranked", args![("count", standing.picked), ("max", max)]),
        Kind::Knapsack => {
            let pot = round.pot.to_i64().max(1);
            let filled = usize::try_from(standing.spent.to_i64().saturating_mul(BAR as i64) / pot).unwrap_or(BAR);
            let bar = format!("{}{}", "▓".repeat(filled.min(BAR)), "░".repeat(BAR - filled.min(BAR)));
            ctx.ta(
                "vote-standing-knapsack",
                args![("text", bar), ("cost", ctx.lang.money(standing.spent)), ("pot", ctx.lang.money(round.pot))],
            )
        }
        Kind::Cumulative { points, .. } => ctx.ta(
            "vote-standing-cumulative",
            args![("left", points.saturating_sub(standing.points_used)), ("max", points)],
        ),
    });
    lines.push(match &standing.needed {
        None => ctx.t("vote-ready"),
        Some(BallotError::Empty) => ctx.t("vote-needed-pick"),
        Some(e) => error_text(ctx, round, &rules, e),
    });

    let mut rows: Vec<Vec<_>> = Vec::new();
    for p in projects.iter().skip(page * PAGE).take(PAGE) {
        let weight = ballot.weight(p.proposal_id);
        let label = format!("{} #{} {}", if weight > 0 { "✅" } else { "▫️" }, p.proposal_id, short(&p.title));
        match round.kind {
            Kind::Cumulative { .. } => rows.push(vec![
                button(
                    format!("➕ #{} {} ({weight})", p.proposal_id, short(&p.title)),
                    Callback::VotePoints { round: round.id, project: p.proposal_id, up: true },
                ),
                button("➖", Callback::VotePoints { round: round.id, project: p.proposal_id, up: false }),
            ]),
            _ => rows.push(vec![button(label, Callback::VoteTap { round: round.id, project: p.proposal_id })]),
        }
    }
    if pages > 1 {
        let mut nav = Vec::new();
        if page > 0 {
            nav.push(button("◀", Callback::VotePage { round: round.id, page: (page - 1) as u32 }));
        }
        nav.push(button(format!("{}/{pages}", page + 1), Callback::VotePage { round: round.id, page: page as u32 }));
        if page + 1 < pages {
            nav.push(button("▶", Callback::VotePage { round: round.id, page: (page + 1) as u32 }));
        }
        rows.push(nav);
    }
    rows.push(vec![button(ctx.t("vote-submit"), Callback::VoteSubmit { round: round.id })]);
    (super::fit(lines.join("\n")), InlineKeyboardMarkup::new(rows))
}

/// What the voter does in this kind of ballot.
pub(super) fn how(ctx: &Ctx, kind: Kind) -> String {
    match kind {
        Kind::Approval { min, max } => ctx.ta("vote-how-approval", args![("min", min), ("max", max)]),
        Kind::Ranked { max } => ctx.ta("vote-how-ranked", args![("max", max)]),
        Kind::Knapsack => ctx.t("vote-how-knapsack"),
        Kind::Cumulative { points, per_project } => {
            ctx.ta("vote-how-cumulative", args![("count", points), ("max", per_project)])
        }
    }
}

/// The ballot as it will be stored, with "yes, submit" and "change it".
fn confirm_screen(
    ctx: &Ctx,
    round: &Round,
    projects: &[RoundProject],
    ballot: &Ballot,
) -> (String, InlineKeyboardMarkup) {
    let mut lines = vec![ctx.ta("vote-confirm", args![("title", round_title(ctx, round))]), String::new()];
    for id in ballot.order() {
        if let Some(p) = projects.iter().find(|p| p.proposal_id == id) {
            lines.push(project_line(ctx, round.kind, p, ballot.weight(id)));
        }
    }
    let keyboard = InlineKeyboardMarkup::new(vec![vec![
        button(ctx.t("vote-confirm-yes"), Callback::VoteConfirm { round: round.id }),
        button(ctx.t("vote-confirm-change"), Callback::VoteEdit { round: round.id }),
    ]]);
    (super::fit(lines.join("\n")), keyboard)
}

/// The round's one reminder, in `lang`: to finish a draft, or to vote at all; with buttons to
/// open the ballot and to turn these reminders off.
fn reminder(
    config: &crate::config::Config,
    locales: &crate::i18n::Locales,
    lang: Lang,
    round: &Round,
    drafting: bool,
) -> Result<(String, String), super::BotError> {
    let area = config.area_name(&round.area_key, lang);
    let until = lang.datetime(chrono::DateTime::from_timestamp(round.closes_at, 0).unwrap_or_default());
    let id = if drafting { "vote-reminder-draft" } else { "vote-reminder" };
    let text = super::fit(locales.text(lang, id, args![("area", area), ("until", until)]));
    let keyboard = InlineKeyboardMarkup::new(vec![
        vec![button(locales.plain(lang, "vote-open"), Callback::VoteRound { round: round.id })],
        vec![button(locales.plain(lang, "vote-reminders-off"), Callback::VoteRemindersOff)],
    ]);
    Ok((text, serde_json::to_string(&keyboard)?))
}

/// The job that marks a round's reminder pass as complete.
const REMINDER_JOB: &str = "vote-reminders";

/// One reminder per open round, `[ballots] reminder_before_close` ahead of its closing, to each
/// resident who may vote and has not (finishing a draft, or voting at all), unless they turned
/// these reminders off. Each is recorded with its outbox row, so none goes twice; a round whose
/// pass completed is not looked at again. Returns how many were queued.
pub async fn queue_vote_reminders(
    store: &crate::store::Store,
    config: &crate::config::Config,
    locales: &crate::i18n::Locales,
    secret: &crate::domain::verification::Secret,
    now: i64,
) -> Result<usize, super::BotError> {
    let Some(cycle) = store.cycle(config.cycle_year).await? else { return Ok(0) };
    let ahead = i64::try_from(config.ballots.reminder_before_close.as_secs()).unwrap_or(i64::MAX);
    let mut queued = 0;
    for round in store.rounds(cycle.id).await? {
        let slot = format!("round-{}", round.id);
        if !round.is_open(now)
            || now < round.closes_at.saturating_sub(ahead)
            || store.job_ran(REMINDER_JOB, &slot).await?
        {
            continue;
        }
        let done = store.voted_or_reminded(round.id).await?;
        for voter in store.possible_voters(&round).await? {
            let key = secret.voter_key(round.id, &voter.name);
            if done.contains(&key) {
                continue;
            }
            let drafting = store.draft(round.id, &key).await?.is_some();
            let lang = voter.language.as_deref().and_then(Lang::from_code).unwrap_or(config.default_language);
            let (text, markup) = reminder(config, locales, lang, &round, drafting)?;
            let notice = crate::store::Notice { chat_id: voter.telegram_id, text, markup: Some(markup) };
            let pushes = crate::store::Pushes::notices(vec![notice], config.default_language.code());
            if store.queue_vote_reminder(round.id, &key, &pushes, now).await? {
                queued += 1;
            }
        }
        store.claim_job_run(REMINDER_JOB, &slot, "pb-bot", now).await?;
        tracing::info!(round = round.id, queued, "voting reminders queued");
    }
    Ok(queued)
}

/// "No more voting reminders".
pub async fn on_reminders_off(ctx: &Ctx, query: &CallbackQuery) -> HandlerResult {
    ctx.store.opt_out_of_vote_reminders(ctx.user_id, ctx.now_ts()).await?;
    answer(ctx, query, Some(ctx.t("vote-reminders-off-done")), false).await
}

/// The ballots this resident cast in the cycle's rounds: (round title, receipt, from paper).
pub async fn my_ballots(ctx: &Ctx) -> Result<Vec<(String, String, bool)>, super::BotError> {
    let Some((name, _)) = &ctx.voter else { return Ok(Vec::new()) };
    let Some(cycle) = ctx.store.cycle(ctx.config.cycle_year).await? else { return Ok(Vec::new()) };
    let mut mine = Vec::new();
    for round in ctx.store.rounds(cycle.id).await? {
        let key = ctx.secret.voter_key(round.id, name);
        if let Some((_, receipt, paper)) = ctx.store.cast_ballot_of(round.id, &key).await? {
            mine.push((round_title(ctx, &round), receipt, paper));
        }
    }
    Ok(mine)
}

/// What opening and closing a round tells the area's followers, in `lang`.
pub fn round_news(
    config: &crate::config::Config,
    locales: &crate::i18n::Locales,
    lang: Lang,
    round: &Round,
    opened: bool,
) -> String {
    let area = config.area_name(&round.area_key, lang);
    let closes = lang.datetime(chrono::DateTime::from_timestamp(round.closes_at, 0).unwrap_or_default());
    let id = if opened { "vote-news-open" } else { "vote-news-closed" };
    super::fit(locales.text(lang, id, args![("area", area), ("until", closes)]))
}

/// The pushes announcing a round's opening or closing: to its area's followers, or for a
/// committee round to the committee's `members` (with their language), each in their language.
pub fn round_pushes(
    config: &crate::config::Config,
    locales: &crate::i18n::Locales,
    round: &Round,
    opened: bool,
    members: &[(i64, Option<String>)],
) -> crate::store::Pushes {
    if round.stage == RoundStage::Committee {
        let notices = members
            .iter()
            .map(|(id, lang)| {
                let lang = lang.as_deref().and_then(Lang::from_code).unwrap_or(config.default_language);
                crate::store::Notice {
                    chat_id: *id,
                    text: round_news(config, locales, lang, round, opened),
                    markup: None,
                }
            })
            .collect();
        return crate::store::Pushes::notices(notices, config.default_language.code());
    }
    let audience = match config.area(&round.area_key).map(|a| a.kind) {
        Some(AreaKind::Dong) if round.stage == RoundStage::Dong => {
            super::follow::area_audience(config, &round.area_key)
        }
        _ => super::follow::area_audience(config, "district"),
    };
    crate::store::Pushes {
        notices: Vec::new(),
        broadcasts: vec![crate::store::Broadcast {
            kind: format!("round-{}", if opened { "open" } else { "closed" }),
            subject: Some(round.id.to_string()),
            text_ko: round_news(config, locales, Lang::Ko, round, opened),
            text_en: round_news(config, locales, Lang::En, round, opened),
            markup_ko: None,
            markup_en: None,
            audience,
            exclude: None,
            created_by: None,
            photos: None,
        }],
        default_lang: config.default_language.code(),
    }
}

/// Opens and closes the rounds whose time has come (each once, across replicas) and announces
/// them; returns how many changed.
pub async fn open_and_close_rounds(
    store: &crate::store::Store,
    config: &crate::config::Config,
    locales: &crate::i18n::Locales,
    now: i64,
) -> Result<usize, super::BotError> {
    let members = match store.cycle(config.cycle_year).await? {
        Some(cycle) => store.committee_contacts(cycle.id).await?,
        None => Vec::new(),
    };
    let opened = store.open_due_rounds(now, |round, _| round_pushes(config, locales, round, true, &members)).await?;
    let officials = store.official_contacts().await?;
    let closed = store
        .close_due_rounds(now, |round| {
            let mut pushes = round_pushes(config, locales, round, false, &members);
            pushes.notices.extend(super::results::review_notices(config, locales, round, &officials));
            pushes
        })
        .await?;
    for round in &opened {
        tracing::info!(round = round.id, area = %round.area_key, void = ?round.void_reason, "ballot round opened");
    }
    for round in &closed {
        tracing::info!(round = round.id, area = %round.area_key, "ballot round closed");
    }
    Ok(opened.len() + closed.len())
}
