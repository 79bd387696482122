//! `/propose`: the guided dialogue — area, title, description, estimated cost, optional photo and
//! location, then a summary to submit, edit or cancel. Each answer is checked as it arrives and
//! every mistake is explained; the draft lives in the database until it is submitted.

use teloxide::{
    prelude::*,
    types::{InlineKeyboardMarkup, MessageId},
};

use super::{
    Ctx, HandlerResult, answer, button,
    callback::{Callback, ConfirmAction, Field},
    dialogue::{Dialogue, ProposeDraft, Step},
    resident::area_keyboard,
};
use crate::{
    args,
    domain::{
        AmountError, Location, NewProposal, ProposalError, Won,
        proposal::{DESCRIPTION_MAX_CHARS, ProposalDescription, ProposalTitle, TITLE_MAX_CHARS, check_cost},
    },
    store::{DailyLimit, SubmitOutcome},
};

pub async fn begin(ctx: &Ctx) -> HandlerResult {
    if !proposals_open(ctx).await? {
        return Ok(());
    }
    let limit = ctx.config.proposals_per_day;
    if ctx.store.proposals_since(ctx.user_id, ctx.seoul_day_start()).await? >= limit {
        ctx.send(ctx.ta("propose-limit", args![("limit", limit)])).await?;
        return Ok(());
    }
    let draft = ProposeDraft::new();
    ctx.save_dialogue(&Dialogue::Propose(draft.clone())).await?;
    ctx.send(ctx.t("propose-intro")).await?;
    prompt(ctx, &draft).await
}

/// Whether the cycle takes proposals now; if not, tells the resident which phase it is in.
async fn proposals_open(ctx: &Ctx) -> Result<bool, super::BotError> {
    let phase = ctx.store.cycle(ctx.config.cycle_year).await?.map(|c| c.phase);
    match phase {
        Some(phase) if phase.accepts_proposals() => Ok(true),
        _ => {
            let phase = phase.unwrap_or(ctx.config.start_phase);
            ctx.send(ctx.ta("propose-closed", args![("phase", ctx.t(&format!("phase-{}", phase.as_str())))])).await?;
            Ok(false)
        }
    }
}

async fn prompt(ctx: &Ctx, draft: &ProposeDraft) -> HandlerResult {
    let token = draft.token;
    let skip = || InlineKeyboardMarkup::new(vec![vec![button(ctx.t("propose-skip"), Callback::ProposeSkip { token })]]);
    match draft.step {
        Step::Ask(Field::Area) => {
            let keyboard = area_keyboard(ctx, |key| Callback::ProposeArea { token, area: key.to_owned() });
            ctx.send_with(ctx.t("propose-ask-area"), InlineKeyboardMarkup::new(keyboard)).await?;
        }
        Step::Ask(Field::Title) => {
            ctx.send(ctx.ta("propose-ask-title", args![("max", TITLE_MAX_CHARS)])).await?;
        }
        Step::Ask(Field::Description) => {
            ctx.send(ctx.ta("propose-ask-description", args![("max", DESCRIPTION_MAX_CHARS)])).await?;
        }
        Step::Ask(Field::Cost) => {
            let pot = draft.area.as_deref().and_then(|k| ctx.config.area(k)).map(|a| a.pot).unwrap_or(ctx.config.pot);
            ctx.send(ctx.ta("propose-ask-cost", args![("pot", ctx.lang.money(pot))])).await?;
        }
        Step::Ask(Field::Photo) => {
            ctx.send_with(ctx.t("propose-ask-photo"), skip()).await?;
        }
        Step::Ask(Field::Location) => {
            ctx.send_with(ctx.t("propose-ask-location"), skip()).await?;
        }
        Step::Confirm => {
            ctx.send_with(summary(ctx, draft), confirm_keyboard(ctx, token)).await?;
        }
        Step::ChooseEdit => {
            ctx.send_with(ctx.t("propose-choose-edit"), edit_keyboard(ctx, token)).await?;
        }
    }
    Ok(())
}

fn confirm_keyboard(ctx: &Ctx, token: u32) -> InlineKeyboardMarkup {
    InlineKeyboardMarkup::new(vec![
        vec![button(ctx.t("propose-submit"), Callback::ProposeConfirm { token, action: ConfirmAction::Submit })],
        vec![
            button(ctx.t("propose-edit"), Callback::ProposeConfirm { token, action: ConfirmAction::Edit }),
            button(ctx.t("propose-cancel"), Callback::ProposeConfirm { token, action: ConfirmAction::Cancel }),
        ],
    ])
}

fn edit_keyboard(ctx: &Ctx, token: u32) -> InlineKeyboardMarkup {
    let mut rows: Vec<_> = Field::ALL
        .chunks(2)
        .map(|pair| {
            pair.iter()
                .map(|field| {
                    button(
                        ctx.t(&format!("field-{}", field_name(*field))),
                        Callback::ProposeEdit { token, field: *field },
                    )
                })
                .collect()
        })
        .collect();
    rows.push(vec![button(ctx.t("propose-cancel"), Callback::ProposeConfirm { token, action: ConfirmAction::Cancel })]);
    InlineKeyboardMarkup::new(rows)
}

fn field_name(field: Field) -> &'static str {
    match field {
        Field::Area => "area",
        Field::Title => "title",
        Field::Description => "description",
        Field::Cost => "cost",
        Field::Photo => "photo",
        Field::Location => "location",
    }
}

fn summary(ctx: &Ctx, draft: &ProposeDraft) -> String {
    let cost = draft.cost.and_then(Won::from_i64).map(|w| ctx.lang.money(w)).unwrap_or_default();
    ctx.ta(
        "propose-summary",
        args![
            ("area", draft.area.as_deref().map(|k| ctx.area_name(k)).unwrap_or_default()),
            ("title", draft.title.clone().unwrap_or_default()),
            ("description", draft.description.clone().unwrap_or_default()),
            ("cost", cost),
            ("photo", ctx.t(if draft.photo.is_some() { "attached-yes" } else { "attached-no" })),
            ("location", ctx.t(if draft.location.is_some() { "attached-yes" } else { "attached-no" })),
        ],
    )
}

/// A message while the resident is proposing.
/// A message while the resident is proposing; `loaded` is the stored state `draft` came from.
pub async fn on_input(ctx: &Ctx, msg: &Message, mut draft: ProposeDraft, loaded: &str) -> HandlerResult {
    let text = msg.text();
    let field = match draft.step {
        Step::Ask(field) => field,
        Step::Confirm | Step::ChooseEdit => {
            ctx.send(ctx.t("propose-use-buttons")).await?;
            return prompt(ctx, &draft).await;
        }
    };
    let problem: Option<String> = match field {
        Field::Area => match text.and_then(|t| find_area(ctx, t)) {
            Some(key) => {
                draft.area = Some(key);
                None
            }
            None => {
                ctx.send(ctx.t("propose-area-unknown")).await?;
                return prompt(ctx, &draft).await;
            }
        },
        Field::Title => match text.map(ProposalTitle::parse) {
            None => Some(ctx.t("propose-need-text")),
            Some(Err(e)) => Some(proposal_error_text(ctx, &e)),
            Some(Ok(title)) => {
                draft.title = Some(title.as_str().to_owned());
                None
            }
        },
        Field::Description => match text.map(ProposalDescription::parse) {
            None => Some(ctx.t("propose-need-text")),
            Some(Err(e)) => Some(proposal_error_text(ctx, &e)),
            Some(Ok(description)) => {
                draft.description = Some(description.as_str().to_owned());
                None
            }
        },
        Field::Cost => match text.map(|t| parse_cost_for(ctx, t, draft.area.as_deref())) {
            None => Some(ctx.t("propose-need-text")),
            Some(Err(problem)) => Some(problem),
            Some(Ok(cost)) => {
                draft.cost = Some(cost.to_i64());
                None
            }
        },
        Field::Photo => {
            match msg.photo().and_then(|sizes| sizes.iter().max_by_key(|p| u64::from(p.width) * u64::from(p.height))) {
                Some(largest) => {
                    draft.photo = Some(largest.file.id.0.clone());
                    None
                }
                None => Some(ctx.t("propose-need-photo")),
            }
        }
        Field::Location => match msg.location() {
            Some(l) => {
                draft.location = Some(Location { latitude: l.latitude, longitude: l.longitude });
                None
            }
            None => Some(ctx.t("propose-need-location")),
        },
    };
    if let Some(problem) = problem {
        ctx.send(problem).await?;
        return Ok(());
    }
    advance(ctx, draft, field, loaded).await
}

/// Parses a cost and checks it against the pot of `area` (or the whole PB pot), explaining any
/// problem in the resident's language.
pub fn parse_cost_for(ctx: &Ctx, text: &str, area: Option<&str>) -> Result<Won, String> {
    let cost = Won::parse(text).map_err(|e| amount_error_text(ctx, &e))?;
    let pot = area.and_then(|k| ctx.config.area(k)).map(|a| a.pot).unwrap_or(ctx.config.pot);
    check_cost(cost, pot).map_err(|e| proposal_error_text(ctx, &e))
}

async fn advance(ctx: &Ctx, mut draft: ProposeDraft, answered: Field, loaded: &str) -> HandlerResult {
    draft.step = draft.after(answered);
    if draft.step == Step::Confirm {
        draft.editing = false;
    }
    ctx.replace_dialogue(loaded, &Dialogue::Propose(draft.clone())).await?;
    prompt(ctx, &draft).await
}

/// A button of the proposal dialogue; anything not matching the current dialogue and step is stale.
pub async fn on_button(ctx: &Ctx, query: &CallbackQuery, callback: Callback) -> HandlerResult {
    let loaded = ctx.dialogue().await?;
    let (mut draft, json) = match loaded {
        Some(super::dialogue::Loaded { dialogue: Dialogue::Propose(draft), json }) => (draft, json),
        _ => return answer(ctx, query, Some(ctx.t("button-stale")), true).await,
    };
    let message = query.regular_message().map(|m| m.id);
    let token = match &callback {
        Callback::ProposeArea { token, .. }
        | Callback::ProposeSkip { token }
        | Callback::ProposeConfirm { token, .. }
        | Callback::ProposeEdit { token, .. } => *token,
        _ => return answer(ctx, query, Some(ctx.t("button-stale")), true).await,
    };
    if token != draft.token {
        return answer(ctx, query, Some(ctx.t("button-stale")), true).await;
    }
    match (callback, draft.step) {
        (Callback::ProposeArea { area, .. }, Step::Ask(Field::Area)) => {
            if ctx.config.area(&area).is_none() {
                return answer(ctx, query, Some(ctx.t("propose-area-unknown")), true).await;
            }
            answer(ctx, query, None, false).await?;
            close_prompt(ctx, message, ctx.ta("propose-area-chosen", args![("area", ctx.area_name(&area))])).await?;
            draft.area = Some(area);
            advance(ctx, draft, Field::Area, &json).await
        }
        (Callback::ProposeSkip { .. }, Step::Ask(field @ (Field::Photo | Field::Location))) => {
            answer(ctx, query, None, false).await?;
            close_prompt(ctx, message, ctx.t(&format!("propose-ask-{}", field_name(field)))).await?;
            match field {
                Field::Photo => draft.photo = None,
                _ => draft.location = None,
            }
            advance(ctx, draft, field, &json).await
        }
        (Callback::ProposeConfirm { action: ConfirmAction::Submit, .. }, Step::Confirm) => {
            submit(ctx, query, message, draft, &json).await
        }
        (Callback::ProposeConfirm { action: ConfirmAction::Edit, .. }, Step::Confirm) => {
            answer(ctx, query, None, false).await?;
            draft.step = Step::ChooseEdit;
            ctx.replace_dialogue(&json, &Dialogue::Propose(draft.clone())).await?;
            match message {
                Some(id) => ctx.edit(id, ctx.t("propose-choose-edit"), Some(edit_keyboard(ctx, draft.token))).await,
                None => prompt(ctx, &draft).await,
            }
        }
        (Callback::ProposeConfirm { action: ConfirmAction::Cancel, .. }, Step::Confirm | Step::ChooseEdit) => {
            answer(ctx, query, None, false).await?;
            ctx.store.clear_dialogue(ctx.user_id).await?;
            close_prompt(ctx, message, ctx.t("propose-cancelled")).await
        }
        (Callback::ProposeEdit { field, .. }, Step::ChooseEdit) => {
            answer(ctx, query, None, false).await?;
            close_prompt(ctx, message, ctx.t(&format!("field-{}", field_name(field)))).await?;
            draft.step = Step::Ask(field);
            draft.editing = true;
            ctx.replace_dialogue(&json, &Dialogue::Propose(draft.clone())).await?;
            prompt(ctx, &draft).await
        }
        _ => answer(ctx, query, Some(ctx.t("button-stale")), true).await,
    }
}

/// Replaces a prompt's text and removes its buttons, so they cannot be pressed again.
async fn close_prompt(ctx: &Ctx, message: Option<MessageId>, text: String) -> HandlerResult {
    match message {
        Some(id) => ctx.edit(id, text, None).await,
        None => Ok(()),
    }
}

async fn submit(
    ctx: &Ctx,
    query: &CallbackQuery,
    message: Option<MessageId>,
    draft: ProposeDraft,
    json: &str,
) -> HandlerResult {
    answer(ctx, query, None, false).await?;
    if !proposals_open(ctx).await? {
        ctx.store.clear_dialogue(ctx.user_id).await?;
        return close_prompt(ctx, message, ctx.t("propose-cancelled")).await;
    }
    let Some(cycle) = ctx.store.cycle(ctx.config.cycle_year).await? else { return Ok(()) };
    let proposal = match complete(ctx, &draft) {
        Ok(p) => p,
        Err(problem) => {
            // The district file changed under the draft (an area retired or its pot lowered):
            // say what no longer fits and let the resident edit it.
            ctx.send(problem).await?;
            let mut draft = draft;
            draft.step = Step::ChooseEdit;
            ctx.replace_dialogue(json, &Dialogue::Propose(draft.clone())).await?;
            return prompt(ctx, &draft).await;
        }
    };
    let outcome = ctx
        .store
        .submit_proposal(
            cycle.id,
            ctx.user_id,
            &proposal,
            json,
            DailyLimit { day_start: ctx.seoul_day_start(), max: ctx.config.proposals_per_day },
            ctx.now_ts(),
        )
        .await?;
    match outcome {
        SubmitOutcome::Submitted { id } => {
            close_prompt(ctx, message, summary(ctx, &draft)).await?;
            ctx.send(ctx.ta("propose-submitted", args![("id", id), ("title", proposal.title.as_str().to_owned())]))
                .await?;
        }
        SubmitOutcome::DailyLimitReached { limit } => {
            ctx.send(ctx.ta("propose-limit-kept", args![("limit", limit)])).await?;
        }
        SubmitOutcome::AlreadyHandled => {
            ctx.send(ctx.t("button-stale")).await?;
        }
    }
    Ok(())
}

/// Turns a finished draft into a checked proposal.
fn complete(ctx: &Ctx, draft: &ProposeDraft) -> Result<NewProposal, String> {
    let area = draft.area.as_deref().and_then(|k| ctx.config.area(k)).ok_or_else(|| ctx.t("propose-area-unknown"))?;
    let title =
        ProposalTitle::parse(draft.title.as_deref().unwrap_or_default()).map_err(|e| proposal_error_text(ctx, &e))?;
    let description = ProposalDescription::parse(draft.description.as_deref().unwrap_or_default())
        .map_err(|e| proposal_error_text(ctx, &e))?;
    let cost = draft.cost.and_then(Won::from_i64).ok_or_else(|| amount_error_text(ctx, &AmountError::Empty))?;
    let estimated_cost = check_cost(cost, area.pot).map_err(|e| proposal_error_text(ctx, &e))?;
    Ok(NewProposal {
        area_key: area.key.clone(),
        title,
        description,
        estimated_cost,
        photo_file_id: draft.photo.clone(),
        location: draft.location,
    })
}

/// An area typed by name: `신촌동`, `신촌`, `Sinchon-dong`, `sinchon`.
fn find_area(ctx: &Ctx, typed: &str) -> Option<String> {
    crate::domain::area::find_area(&ctx.config.areas, typed).map(|a| a.key.clone())
}

pub fn amount_error_text(ctx: &Ctx, error: &AmountError) -> String {
    let id = match error {
        AmountError::Empty => "cost-empty",
        AmountError::NotANumber => "cost-not-a-number",
        AmountError::Negative => "cost-negative",
        AmountError::Zero => "cost-zero",
        AmountError::NotWhole => "cost-not-whole",
        AmountError::TooLarge => "cost-too-large",
    };
    ctx.t(id)
}

pub fn proposal_error_text(ctx: &Ctx, error: &ProposalError) -> String {
    match error {
        ProposalError::TitleEmpty => ctx.t("propose-title-empty"),
        ProposalError::TitleTooLong { len, max } => {
            ctx.ta("propose-title-too-long", args![("len", *len), ("max", *max)])
        }
        ProposalError::DescriptionEmpty => ctx.t("propose-description-empty"),
        ProposalError::DescriptionTooLong { len, max } => {
            ctx.ta("propose-description-too-long", args![("len", *len), ("max", *max)])
        }
        ProposalError::CostAbovePot { cost, pot } => {
            ctx.ta("propose-cost-above-pot", args![("cost", ctx.lang.money(*cost)), ("pot", ctx.lang.money(*pot))])
        }
    }
}
