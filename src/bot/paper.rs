//! Paper ballots from the dong meetings, entered by facilitators in chat (`/admin` → 🗳 paper
//! ballots) or by officials with `pb-bot admin ballots import`: each names a voter by the phone
//! number on the roll and is checked like a chat ballot before it replaces theirs.

use std::fmt;

use teloxide::{prelude::*, types::InlineKeyboardMarkup};

use super::{Ctx, HandlerResult, answer, button, callback::Callback, dialogue::Dialogue};
use crate::{
    args,
    domain::{
        ballot::{Ballot, BallotError, RoundStage, receipt},
        verification::{Phone, Secret},
    },
    store::{CastOutcome, Round, Source, Store, rules_of},
};

/// A paper ballot ready to enter: the voter's name for the ballot box, their dong, the ballot.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PaperBallot {
    pub voter: String,
    pub dong: String,
    pub ballot: Ballot,
}

/// Why a paper ballot cannot be entered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PaperProblem {
    RoundNotOpen,
    Committee,
    Phone(String),
    NotOnRoll,
    OtherDong,
    Ballot(BallotError),
}

impl fmt::Display for PaperProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PaperProblem::RoundNotOpen => f.write_str("the round is not open"),
            PaperProblem::Committee => f.write_str("committee ballots are cast in chat by the members"),
            PaperProblem::Phone(e) => write!(f, "the phone number: {e}"),
            PaperProblem::NotOnRoll => f.write_str("this phone number is not on the roll"),
            PaperProblem::OtherDong => f.write_str("the voter lives in another dong than the round's"),
            PaperProblem::Ballot(e) => write!(f, "{e}"),
        }
    }
}

/// Checks one paper ballot for `round`: the voter (by phone, on the roll, of the round's dong)
/// and the choices (`3 7 12`; cumulative `3:2 7:1`) against the round's rules.
pub async fn check(
    store: &Store,
    secret: &Secret,
    round: &Round,
    phone: &str,
    choices: &str,
    now: i64,
) -> Result<Result<PaperBallot, PaperProblem>, crate::store::StoreError> {
    if !round.is_open(now) {
        return Ok(Err(PaperProblem::RoundNotOpen));
    }
    if round.stage == RoundStage::Committee {
        return Ok(Err(PaperProblem::Committee));
    }
    let phone = match Phone::parse(phone) {
        Ok(phone) => phone,
        Err(e) => return Ok(Err(PaperProblem::Phone(e.to_string()))),
    };
    let Some(entry) = store.roll_entry(&secret.phone_hash(&phone)).await? else {
        return Ok(Err(PaperProblem::NotOnRoll));
    };
    if round.stage == RoundStage::Dong && entry.dong_key != round.area_key {
        return Ok(Err(PaperProblem::OtherDong));
    }
    let rules = rules_of(round, &store.round_projects(round.id).await?);
    Ok(match Ballot::typed(&rules, choices) {
        Ok(ballot) => Ok(PaperBallot { voter: format!("roll:{}", entry.id), dong: entry.dong_key, ballot }),
        Err(e) => Err(PaperProblem::Ballot(e)),
    })
}

/// Enters a checked paper ballot (it replaces the voter's chat ballot, audited).
pub async fn enter(
    store: &Store,
    secret: &Secret,
    round: i64,
    paper: &PaperBallot,
    actor: Option<i64>,
    now: i64,
) -> Result<CastOutcome, crate::store::StoreError> {
    let key = secret.voter_key(round, &paper.voter);
    store.cast_ballot(round, &key, Some(&paper.dong), &paper.ballot, &receipt(), Source::Paper, actor, now).await
}

/// Facilitators and officials enter paper ballots.
async fn may_enter(ctx: &Ctx) -> Result<bool, super::BotError> {
    super::checkin::may_run(ctx).await
}

/// The open rounds paper ballots can be entered for.
pub async fn rounds(ctx: &Ctx, message: Option<teloxide::types::MessageId>) -> HandlerResult {
    if !may_enter(ctx).await? {
        return ctx.send(ctx.t("admin-only")).await.map(drop);
    }
    let Some(cycle) = ctx.store.cycle(ctx.config.cycle_year).await? else { return Ok(()) };
    let now = ctx.now_ts();
    let rows: Vec<Vec<_>> = ctx
        .store
        .rounds(cycle.id)
        .await?
        .iter()
        .filter(|r| r.is_open(now) && r.stage != RoundStage::Committee)
        .map(|r| {
            vec![button(
                format!("#{} {}", r.id, super::vote::round_title(ctx, r)),
                Callback::PaperRound { round: r.id },
            )]
        })
        .collect();
    let text = if rows.is_empty() { ctx.t("paper-no-round") } else { ctx.t("paper-choose") };
    ctx.show(message, text, InlineKeyboardMarkup::new(rows)).await
}

pub async fn begin(ctx: &Ctx, query: &CallbackQuery, round: i64) -> HandlerResult {
    if !may_enter(ctx).await? {
        return answer(ctx, query, Some(ctx.t("admin-only")), true).await;
    }
    let Some(round) = ctx.store.round(round).await?.filter(|r| r.is_open(ctx.now_ts())) else {
        return answer(ctx, query, Some(ctx.t("vote-closed")), true).await;
    };
    answer(ctx, query, None, false).await?;
    ctx.save_dialogue(&Dialogue::PaperEntry { round: round.id }).await?;
    let text = ctx.ta("paper-ask", args![("title", super::vote::round_title(ctx, &round))]);
    ctx.send(text).await.map(drop)
}

/// One message of paper ballots, a line each: `010-1234-5678 3 7 12`. Each line is checked and
/// entered on its own, and the answer says what became of every line.
pub async fn on_lines(ctx: &Ctx, msg: &Message, round: i64) -> HandlerResult {
    if !may_enter(ctx).await? {
        ctx.store.clear_dialogue(ctx.user_id).await?;
        return ctx.send(ctx.t("admin-only")).await.map(drop);
    }
    let Some(round) = ctx.store.round(round).await? else {
        ctx.store.clear_dialogue(ctx.user_id).await?;
        return ctx.send(ctx.t("vote-closed")).await.map(drop);
    };
    let text = msg.text().unwrap_or_default();
    let mut answers = Vec::new();
    for (index, line) in text.lines().map(str::trim).filter(|l| !l.is_empty()).enumerate().take(50) {
        let Some((phone, choices)) = line.split_once(char::is_whitespace) else {
            answers.push(ctx.ta("paper-line-format", args![("count", index + 1)]));
            continue;
        };
        let now = ctx.now_ts();
        let answer = match check(&ctx.store, &ctx.secret, &round, phone, choices, now).await? {
            Ok(paper) => match enter(&ctx.store, &ctx.secret, round.id, &paper, Some(ctx.user_id), now).await? {
                CastOutcome::Cast { receipt, replaced } => ctx.ta(
                    if replaced { "paper-line-replaced" } else { "paper-line-entered" },
                    args![("count", index + 1), ("code", receipt)],
                ),
                _ => ctx.ta("paper-line-problem", args![("count", index + 1), ("reason", ctx.t("vote-closed"))]),
            },
            Err(problem) => {
                let reason = match &problem {
                    PaperProblem::RoundNotOpen => ctx.t("vote-closed"),
                    PaperProblem::Committee => ctx.t("vote-committee-only"),
                    PaperProblem::Phone(_) | PaperProblem::NotOnRoll => ctx.t("paper-not-on-roll"),
                    PaperProblem::OtherDong => {
                        ctx.ta("vote-other-dong", args![("area", ctx.area_name(&round.area_key))])
                    }
                    PaperProblem::Ballot(e) => super::vote::error_text(
                        ctx,
                        &round,
                        &rules_of(&round, &ctx.store.round_projects(round.id).await?),
                        e,
                    ),
                };
                ctx.ta("paper-line-problem", args![("count", index + 1), ("reason", reason)])
            }
        };
        answers.push(answer);
    }
    if answers.is_empty() {
        answers.push(ctx.ta("paper-line-format", args![("count", 1)]));
    }
    answers.push(ctx.t("paper-more"));
    ctx.send(answers.join("\n")).await.map(drop)
}
