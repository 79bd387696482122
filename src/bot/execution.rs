//! Carrying out funded projects in chat (DESIGN §8): `/project <id>` shows a funded project's
//! execution card, or for any other proposal what was decided and why; each update officials
//! post is pushed to the project's followers (its proposer among them) in their language,
//! saying what changed.

use teloxide::{
    prelude::*,
    types::{InlineKeyboardMarkup, MessageId},
};

use super::{
    Ctx, HandlerResult, answer, button,
    callback::Callback,
    dialogue::{Dialogue, UpdateDraft},
};
use crate::{
    args,
    config::Config,
    domain::{
        Proposal,
        execution::{
            Card, Changes, Milestone, Quarter, Status, TEXT_MAX_CHARS, Update, UpdateError, check, parse_progress,
        },
        outcome::Why,
    },
    i18n::{Lang, Locales},
    store::{AnswerOutcome, Broadcast, Follow, Photos, PostOutcome, Pushes, UpdateRecord},
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
            let milestones = ctx.store.milestones(id).await?;
            // The latest photo of the project, above its card.
            if let Some((update, file_id)) = updates.iter().find_map(|u| u.photo_file_id.as_ref().map(|f| (u, f))) {
                ctx.courier.note_reply(ctx.user_id);
                let caption = format!("📷 #{id} {} · {}", proposal.title, ctx.datetime_of(update.posted_at));
                ctx.bot
                    .send_photo(
                        ctx.chat(),
                        teloxide::types::InputFile::file_id(teloxide::types::FileId(file_id.clone())),
                    )
                    .caption(super::fit_caption(caption))
                    .await?;
            }
            let today = ctx.now.with_timezone(&chrono_tz::Asia::Seoul).date_naive();
            let mut text =
                card_text(&ctx.config, &ctx.locales, ctx.lang, &proposal, &card, &updates, |at| ctx.datetime_of(at));
            if !milestones.is_empty() {
                text.push('\n');
                text.push_str(&milestones_text(&ctx.locales, ctx.lang, &milestones, today));
            }
            text
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

/// The milestones in `lang`: done ones with their date, late ones marked.
pub fn milestones_text(locales: &Locales, lang: Lang, milestones: &[Milestone], today: chrono::NaiveDate) -> String {
    let mut lines = vec![locales.plain(lang, "execution-milestones-head")];
    for m in milestones {
        let title = match lang {
            Lang::En => m.title_en.as_deref().unwrap_or(&m.title_ko),
            Lang::Ko => &m.title_ko,
        };
        let (id, done) = match m.done_on {
            Some(done) => ("execution-milestone-done", done.to_string()),
            None if m.due_on < today => ("execution-milestone-late", String::new()),
            None => ("execution-milestone-planned", String::new()),
        };
        lines.push(locales.text(
            lang,
            id,
            args![("title", title.to_owned()), ("due", m.due_on.to_string()), ("done", done)],
        ));
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
        None if proposal.status == crate::domain::ProposalStatus::Ineligible => {
            lines.push(ctx.t("execution-ineligible"));
            if let Some(reason) = &proposal.ineligible_reason {
                lines.push(ctx.ta("card-reason", args![("reason", reason.clone())]));
            }
        }
        None => lines.push(
            ctx.ta("execution-not-decided", args![("status", super::resident::status_name(ctx, proposal.status))]),
        ),
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
    // A photo goes first, as its own message (a caption holds only 1,024 characters).
    let photo = update.photo.as_ref().map(|file_id| Broadcast {
        kind: "execution-photo".into(),
        subject: Some(proposal.id.to_string()),
        text_ko: locales.text(
            Lang::Ko,
            "execution-photo-caption",
            args![("id", proposal.id), ("title", proposal.title.clone())],
        ),
        text_en: locales.text(
            Lang::En,
            "execution-photo-caption",
            args![("id", proposal.id), ("title", proposal.title.clone())],
        ),
        markup_ko: None,
        markup_en: None,
        audience: vec![Follow::Project(proposal.id)],
        exclude: None,
        created_by: None,
        photos: Some(Photos::Telegram { file_id: file_id.clone() }),
    });
    Pushes {
        notices: Vec::new(),
        broadcasts: photo
            .into_iter()
            .chain([Broadcast {
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
            }])
            .collect(),
        default_lang: config.default_language.code(),
    }
}

/// An update refusal as the official reads it.
fn refusal(ctx: &Ctx, error: &UpdateError) -> String {
    match error {
        UpdateError::ProgressRange(_) => ctx.t("execution-bad-progress"),
        UpdateError::ProgressBack { from, to } => {
            ctx.ta("execution-need-reason-back", args![("from", i64::from(*from)), ("to", i64::from(*to))])
        }
        UpdateError::Overspent { spent, approved } => ctx.ta(
            "execution-need-reason-overspent",
            args![("spent", ctx.lang.money(*spent)), ("approved", ctx.lang.money(*approved))],
        ),
        UpdateError::CancelWithoutReason => ctx.t("execution-need-reason-cancel"),
        UpdateError::CompletedBelow100(_) => ctx.t("execution-completed-below"),
        UpdateError::TextMissing => ctx.t("execution-text-missing"),
        UpdateError::TooLong { max, .. } => ctx.ta("execution-too-long", args![("max", *max)]),
        UpdateError::Closed => ctx.t("execution-closed"),
    }
}

/// `/admin` → 🏗 execution: the cycle's cards, to post an update to one.
pub async fn cards(ctx: &Ctx, message: Option<MessageId>) -> HandlerResult {
    let cycle = super::admin::current_cycle(ctx).await?;
    let cards = ctx.store.execution_cards(cycle.id).await?;
    let mut rows: Vec<Vec<_>> = cards
        .iter()
        .take(90)
        .map(|(card, title, _)| {
            let title: String = title.chars().take(30).collect();
            let label = format!(
                "🏗 #{} {title} · {} {}%",
                card.proposal_id,
                status_name(&ctx.locales, ctx.lang, card.status),
                card.progress
            );
            vec![button(label, Callback::AdminExecProject { id: card.proposal_id })]
        })
        .collect();
    if !cards.is_empty() {
        rows.push(vec![button(ctx.t("evaluation-admin-button"), Callback::AdminEvalAreas)]);
    }
    rows.push(super::admin::back_to_menu(ctx));
    let text = if cards.is_empty() { ctx.t("execution-admin-none") } else { ctx.t("execution-admin-choose") };
    ctx.show(message, text, InlineKeyboardMarkup::new(rows)).await
}

/// An update of project `id`: its status first.
pub async fn begin(ctx: &Ctx, query: &CallbackQuery, id: i64) -> HandlerResult {
    let Some(card) = ctx.store.execution_card(id).await? else {
        return answer(ctx, query, Some(ctx.t("button-stale")), true).await;
    };
    if card.status == Status::Cancelled {
        return answer(ctx, query, Some(ctx.t("execution-closed")), true).await;
    }
    answer(ctx, query, None, false).await?;
    let draft = UpdateDraft::new(id);
    let token = draft.token;
    ctx.save_dialogue(&Dialogue::ExecutionUpdate(draft)).await?;
    let rows: Vec<Vec<_>> = Status::ALL
        .iter()
        .enumerate()
        .map(|(i, status)| {
            vec![button(
                status_name(&ctx.locales, ctx.lang, *status),
                Callback::AdminExecStatus { token, status: i as u8 },
            )]
        })
        .collect();
    let text = ctx.ta(
        "execution-ask-status",
        args![
            ("id", id),
            ("status", status_name(&ctx.locales, ctx.lang, card.status)),
            ("progress", i64::from(card.progress))
        ],
    );
    ctx.send_with(text, InlineKeyboardMarkup::new(rows)).await.map(drop)
}

/// The draft a button belongs to, with its stored state; `None` when stale.
async fn draft_of(ctx: &Ctx, token: u32) -> Result<Option<(UpdateDraft, String)>, super::BotError> {
    Ok(ctx.dialogue().await?.and_then(|loaded| match loaded.dialogue {
        Dialogue::ExecutionUpdate(draft) if draft.token == token => Some((draft, loaded.json)),
        _ => None,
    }))
}

pub async fn on_status(ctx: &Ctx, query: &CallbackQuery, token: u32, status: u8) -> HandlerResult {
    let Some((mut draft, state)) = draft_of(ctx, token).await?.filter(|(d, _)| d.status.is_none()) else {
        return answer(ctx, query, Some(ctx.t("button-stale")), true).await;
    };
    let Some(status) = Status::ALL.get(usize::from(status)) else {
        return answer(ctx, query, Some(ctx.t("button-invalid")), true).await;
    };
    answer(ctx, query, None, false).await?;
    draft.status = Some(status.as_str().to_owned());
    ctx.replace_dialogue(&state, &Dialogue::ExecutionUpdate(draft)).await?;
    ctx.send(ctx.t("execution-ask-progress")).await.map(drop)
}

/// Skips the optional step the button was for, if the draft is at it: the English text, or
/// the photo (a second tap on an old "skip English" button does not skip the photo).
pub async fn on_skip(ctx: &Ctx, query: &CallbackQuery, token: u32, photo: bool) -> HandlerResult {
    let at_step =
        |d: &UpdateDraft| d.text_ko.is_some() && if photo { d.english_done && !d.photo_done } else { !d.english_done };
    let Some((mut draft, state)) = draft_of(ctx, token).await?.filter(|(d, _)| at_step(d)) else {
        return answer(ctx, query, Some(ctx.t("button-stale")), true).await;
    };
    answer(ctx, query, None, false).await?;
    if !photo {
        draft.english_done = true;
        ctx.replace_dialogue(&state, &Dialogue::ExecutionUpdate(draft.clone())).await?;
        return ask_photo(ctx, draft.token).await;
    }
    draft.photo_done = true;
    let state = ctx.replace_dialogue(&state, &Dialogue::ExecutionUpdate(draft.clone())).await?;
    review(ctx, draft, &state).await
}

async fn ask_photo(ctx: &Ctx, token: u32) -> HandlerResult {
    let keyboard = InlineKeyboardMarkup::new(vec![vec![button(
        ctx.t("execution-skip-photo"),
        Callback::AdminExecSkip { token, photo: true },
    )]]);
    ctx.send_with(ctx.t("execution-ask-photo"), keyboard).await.map(drop)
}

/// The largest photo an official may attach to an update.
const MAX_PHOTO_BYTES: u32 = 10 << 20;

fn update_of(draft: &UpdateDraft) -> Option<Update> {
    Some(Update {
        status: draft.status.as_deref()?.parse().ok()?,
        progress: draft.progress?,
        spent: crate::domain::Won::from_i64(draft.spent?)?,
        text_ko: draft.text_ko.clone()?,
        text_en: draft.english_done.then(|| draft.text_en.clone())?,
        reason: draft.reason.clone(),
        photo: draft.photo_done.then(|| draft.photo.clone())?,
        department: None,
    })
}

/// The next typed answer: progress, spent, the Korean text, the English text, a reason.
pub async fn on_input(ctx: &Ctx, msg: &Message, mut draft: UpdateDraft, state: &str) -> HandlerResult {
    if !super::admin::ensure_official(ctx).await? {
        ctx.store.clear_dialogue(ctx.user_id).await?;
        return Ok(());
    }
    if draft.english_done && !draft.photo_done {
        let largest =
            msg.photo().and_then(|sizes| sizes.iter().max_by_key(|p| u64::from(p.width) * u64::from(p.height)));
        let Some(photo) = largest else {
            return ask_photo(ctx, draft.token).await;
        };
        if photo.file.size > MAX_PHOTO_BYTES {
            return ctx.send(ctx.ta("execution-photo-too-large", args![("max", "10 MB")])).await.map(drop);
        }
        draft.photo = Some(photo.file.id.0.clone());
        draft.photo_done = true;
        let json = ctx.replace_dialogue(state, &Dialogue::ExecutionUpdate(draft.clone())).await?;
        return review(ctx, draft, &json).await;
    }
    let Some(text) = msg.text().map(str::trim) else {
        return ctx.send(ctx.t("execution-text-missing")).await.map(drop);
    };
    if draft.status.is_none() {
        return ctx.send(ctx.t("admin-meeting-use-buttons")).await.map(drop);
    }
    let next = if draft.progress.is_none() {
        match parse_progress(text) {
            Ok(progress) => draft.progress = Some(progress),
            Err(e) => return ctx.send(refusal(ctx, &e)).await.map(drop),
        }
        Some(ctx.t("execution-ask-spent"))
    } else if draft.spent.is_none() {
        let spent = match text {
            "0" | "0원" => Ok(crate::domain::Won::ZERO),
            typed => crate::domain::Won::parse(typed),
        };
        match spent {
            Ok(spent) => draft.spent = Some(spent.to_i64()),
            Err(e) => return ctx.send(super::propose::amount_error_text(ctx, &e)).await.map(drop),
        }
        Some(ctx.t("execution-ask-text-ko"))
    } else if draft.text_ko.is_none() {
        if text.chars().count() > TEXT_MAX_CHARS {
            return ctx.send(ctx.ta("execution-too-long", args![("max", TEXT_MAX_CHARS)])).await.map(drop);
        }
        draft.text_ko = Some(text.to_owned());
        let keyboard = InlineKeyboardMarkup::new(vec![vec![button(
            ctx.t("execution-skip-english"),
            Callback::AdminExecSkip { token: draft.token, photo: false },
        )]]);
        ctx.replace_dialogue(state, &Dialogue::ExecutionUpdate(draft)).await?;
        return ctx.send_with(ctx.t("execution-ask-text-en"), keyboard).await.map(drop);
    } else if !draft.english_done {
        if text.chars().count() > TEXT_MAX_CHARS {
            return ctx.send(ctx.ta("execution-too-long", args![("max", TEXT_MAX_CHARS)])).await.map(drop);
        }
        draft.text_en = Some(text.to_owned()).filter(|t| t != "-");
        draft.english_done = true;
        ctx.replace_dialogue(state, &Dialogue::ExecutionUpdate(draft.clone())).await?;
        return ask_photo(ctx, draft.token).await;
    } else {
        // Typed after the preview: a reason only if the update needs one.
        let needs_reason = match (ctx.store.execution_card(draft.project).await?, update_of(&draft)) {
            (Some(card), Some(update)) => matches!(
                check(&card, &Update { reason: None, ..update }),
                Err(UpdateError::ProgressBack { .. }
                    | UpdateError::Overspent { .. }
                    | UpdateError::CancelWithoutReason)
            ),
            _ => false,
        };
        if !needs_reason {
            return ctx.send(ctx.t("admin-meeting-use-buttons")).await.map(drop);
        }
        if text.chars().count() > crate::domain::execution::REASON_MAX_CHARS {
            let max = crate::domain::execution::REASON_MAX_CHARS;
            return ctx.send(ctx.ta("execution-too-long", args![("max", max)])).await.map(drop);
        }
        draft.reason = Some(text.to_owned());
        None
    };
    let json = ctx.replace_dialogue(state, &Dialogue::ExecutionUpdate(draft.clone())).await?;
    match next {
        Some(ask) => ctx.send(ask).await.map(drop),
        None => review(ctx, draft, &json).await,
    }
}

/// The draft is complete: checked against the card, it is previewed with the post button, or
/// the official is asked for what is missing.
async fn review(ctx: &Ctx, mut draft: UpdateDraft, state: &str) -> HandlerResult {
    let (Some(card), Some(update)) = (ctx.store.execution_card(draft.project).await?, update_of(&draft)) else {
        ctx.store.clear_dialogue(ctx.user_id).await?;
        return ctx.send(ctx.t("admin-meeting-draft-gone")).await.map(drop);
    };
    match check(&card, &update) {
        Ok(changes) => {
            let proposal = ctx.store.proposal(draft.project).await?;
            let title = proposal.map(|p| p.title).unwrap_or_default();
            let photo = if update.photo.is_some() { ctx.t("execution-photo-attached") } else { String::new() };
            let text = format!(
                "{}\n\n{}\n{}\n{}\n{photo}",
                ctx.ta("execution-preview", args![("id", draft.project), ("title", title)]),
                changes_text(&ctx.locales, ctx.lang, &card, &changes),
                update.text_ko,
                update.text_en.clone().unwrap_or_default()
            );
            let keyboard = InlineKeyboardMarkup::new(vec![vec![button(
                ctx.t("execution-post"),
                Callback::AdminExecPost { token: draft.token },
            )]]);
            ctx.send_with(super::fit(text.trim_end().to_owned()), keyboard).await.map(drop)
        }
        Err(
            e @ (UpdateError::ProgressBack { .. } | UpdateError::Overspent { .. } | UpdateError::CancelWithoutReason),
        ) => {
            // The reason step: what the official types next is the reason.
            draft.reason = None;
            ctx.replace_dialogue(state, &Dialogue::ExecutionUpdate(draft)).await?;
            ctx.send(refusal(ctx, &e)).await.map(drop)
        }
        Err(e @ UpdateError::CompletedBelow100(_)) => {
            draft.progress = None;
            draft.spent = None;
            draft.text_ko = None;
            draft.text_en = None;
            draft.english_done = false;
            draft.photo = None;
            draft.photo_done = false;
            ctx.replace_dialogue(state, &Dialogue::ExecutionUpdate(draft)).await?;
            ctx.send(format!("{}\n\n{}", refusal(ctx, &e), ctx.t("execution-ask-progress"))).await.map(drop)
        }
        Err(e) => {
            ctx.store.clear_dialogue(ctx.user_id).await?;
            ctx.send(refusal(ctx, &e)).await.map(drop)
        }
    }
}

/// Posts the previewed update once, with its pushes, and shows the card.
pub async fn on_post(ctx: &Ctx, query: &CallbackQuery, token: u32) -> HandlerResult {
    let Some((draft, state)) = draft_of(ctx, token).await? else {
        return answer(ctx, query, Some(ctx.t("admin-meeting-draft-gone")), true).await;
    };
    let (Some(card), Some(update), Some(proposal)) =
        (ctx.store.execution_card(draft.project).await?, update_of(&draft), ctx.store.proposal(draft.project).await?)
    else {
        return answer(ctx, query, Some(ctx.t("admin-meeting-draft-gone")), true).await;
    };
    let changes = match check(&card, &update) {
        Ok(changes) => changes,
        Err(e) => return answer(ctx, query, Some(refusal(ctx, &e)), true).await,
    };
    let pushes = update_pushes(&ctx.config, &ctx.locales, &proposal, &card, &update, &changes);
    match ctx.store.post_update(&card, &update, Some(ctx.user_id), &pushes, ctx.now_ts()).await? {
        PostOutcome::Posted(_) => {
            ctx.store.end_dialogue(ctx.user_id, &state).await?;
            ctx.courier.wake();
            answer(ctx, query, Some(ctx.t("execution-posted")), false).await?;
            show(ctx, draft.project, None).await
        }
        PostOutcome::Stale | PostOutcome::NotFunded => {
            ctx.store.clear_dialogue(ctx.user_id).await?;
            answer(ctx, query, Some(ctx.t("execution-stale")), true).await
        }
    }
}

/// The job name of the quarterly digest (one run per quarter, across replicas).
pub const DIGEST_JOB: &str = "execution-digest";

/// The quarter that has just ended, when `now` is the digest day of the month after it (Seoul).
pub fn digest_due(config: &Config, now: chrono::DateTime<chrono::Utc>) -> Option<Quarter> {
    use chrono::Datelike;
    let day = config.execution_digest_day?;
    let today = now.with_timezone(&chrono_tz::Asia::Seoul).date_naive();
    if today.day() != day || !matches!(today.month(), 1 | 4 | 7 | 10) {
        return None;
    }
    Some(match today.month() {
        1 => Quarter { year: today.year() - 1, number: 4 },
        month => Quarter { year: today.year(), number: (month - 1) / 3 },
    })
}

/// One area's digest in `lang`: every card of its projects.
fn digest_text(
    config: &Config,
    locales: &Locales,
    lang: Lang,
    area: &str,
    quarter: Quarter,
    cards: &[&(Card, String, String)],
) -> String {
    let mut lines = vec![locales.text(
        lang,
        "execution-digest-head",
        args![("area", config.area_name(area, lang)), ("quarter", quarter.to_string())],
    )];
    for (card, title, _) in cards {
        lines.push(locales.text(
            lang,
            "execution-digest-line",
            args![
                ("id", card.proposal_id),
                ("title", title.clone()),
                ("status", status_name(locales, lang, card.status)),
                ("progress", i64::from(card.progress)),
                ("spent", lang.money(card.spent)),
                ("approved", lang.money(card.approved))
            ],
        ));
    }
    lines.push(locales.plain(lang, "execution-digest-foot"));
    super::fit(lines.join("\n"))
}

/// On the digest day after a quarter: one message per area to its followers, summarising all
/// its projects' cards (not one per project). Returns how many areas got one.
pub async fn queue_digests(
    store: &crate::store::Store,
    config: &Config,
    locales: &Locales,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<usize, super::BotError> {
    let Some(quarter) = digest_due(config, now) else { return Ok(0) };
    let slot = quarter.to_string();
    // Claimed first: a crash right after loses this quarter's digest rather than sending it twice.
    if store.job_ran(DIGEST_JOB, &slot).await?
        || !store.claim_job_run(DIGEST_JOB, &slot, "pb-bot", now.timestamp()).await?
    {
        return Ok(0);
    }
    let cards = store.cards_opened_before(now.timestamp()).await?;
    let mut sent = 0;
    for area in &config.areas {
        let mine: Vec<_> = cards.iter().filter(|(_, _, key)| *key == area.key).collect();
        if mine.is_empty() {
            continue;
        }
        let broadcast = Broadcast {
            kind: "execution-digest".into(),
            subject: Some(slot.clone()),
            text_ko: digest_text(config, locales, Lang::Ko, &area.key, quarter, &mine),
            text_en: digest_text(config, locales, Lang::En, &area.key, quarter, &mine),
            markup_ko: None,
            markup_en: None,
            audience: super::follow::area_audience(config, &area.key),
            exclude: None,
            created_by: None,
            photos: None,
        };
        store.announce(&broadcast, config.default_language.code(), None, now.timestamp()).await?;
        sent += 1;
    }
    tracing::info!(quarter = %quarter, areas = sent, "execution digests queued");
    Ok(sent)
}

/// How long a year-end evaluation stays open.
const EVALUATION_DAYS: i64 = 14;

/// `/admin` → 🏗 → 📝: the areas with funded projects, to open their evaluation.
pub async fn evaluation_areas(ctx: &Ctx, message: Option<MessageId>) -> HandlerResult {
    let cycle = super::admin::current_cycle(ctx).await?;
    let cards = ctx.store.execution_cards(cycle.id).await?;
    let mut rows: Vec<Vec<_>> = Vec::new();
    for area in &ctx.config.areas {
        let count = cards.iter().filter(|(_, _, key)| *key == area.key).count();
        if count > 0 {
            let label = format!("📝 {} ({count})", ctx.area_name(&area.key));
            rows.push(vec![button(label, Callback::AdminEvalOpen { area: area.key.clone() })]);
        }
    }
    rows.push(vec![button(ctx.t("admin-rounds-back"), Callback::AdminExecution)]);
    ctx.show(
        message,
        ctx.ta("evaluation-admin-choose", args![("days", EVALUATION_DAYS)]),
        InlineKeyboardMarkup::new(rows),
    )
    .await
}

/// The evaluation invitation in `lang`, with one button per project.
fn invitation(
    config: &Config,
    locales: &Locales,
    lang: Lang,
    area: &str,
    evaluation: i64,
    projects: &[(i64, String)],
    closes: &str,
) -> (String, Option<String>) {
    let text = locales.text(
        lang,
        "evaluation-invitation",
        args![("area", config.area_name(area, lang)), ("count", projects.len()), ("until", closes.to_owned())],
    );
    let rows: Vec<Vec<_>> = projects
        .iter()
        .take(90)
        .map(|(id, title)| {
            let title: String = title.chars().take(40).collect();
            vec![button(format!("#{id} {title}"), Callback::EvalProject { evaluation, project: *id })]
        })
        .collect();
    (text, serde_json::to_string(&InlineKeyboardMarkup::new(rows)).ok())
}

/// Opens an area's evaluation (once per cycle) and invites its verified residents, once each.
pub async fn open_evaluation(ctx: &Ctx, query: &CallbackQuery, area: &str) -> HandlerResult {
    let Some(kind) = ctx.config.area(area).map(|a| a.kind) else {
        return answer(ctx, query, Some(ctx.t("button-stale")), true).await;
    };
    let cycle = super::admin::current_cycle(ctx).await?;
    let projects: Vec<(i64, String)> = ctx
        .store
        .execution_cards(cycle.id)
        .await?
        .into_iter()
        .filter(|(_, _, key)| key == area)
        .map(|(card, title, _)| (card.proposal_id, title))
        .collect();
    if projects.is_empty() {
        return answer(ctx, query, Some(ctx.t("button-stale")), true).await;
    }
    let residents = ctx.store.area_residents(area, kind == crate::domain::AreaKind::Dong).await?;
    let closes_at = ctx.now_ts() + EVALUATION_DAYS * 86_400;
    let invitations = |evaluation: i64| {
        let notices = residents
            .iter()
            .map(|resident| {
                let lang =
                    resident.language.as_deref().and_then(Lang::from_code).unwrap_or(ctx.config.default_language);
                let closes = lang.datetime(chrono::DateTime::from_timestamp(closes_at, 0).unwrap_or_default());
                let (text, markup) = invitation(&ctx.config, &ctx.locales, lang, area, evaluation, &projects, &closes);
                crate::store::Notice { chat_id: resident.telegram_id, text, markup }
            })
            .collect();
        Pushes::notices(notices, ctx.config.default_language.code())
    };
    let opened =
        ctx.store.open_evaluation(cycle.id, area, closes_at, Some(ctx.user_id), invitations, ctx.now_ts()).await?;
    let notice = match opened {
        Some(_) => {
            ctx.courier.wake();
            ctx.ta("evaluation-opened", args![("count", residents.len())])
        }
        None => ctx.t("evaluation-already-open"),
    };
    answer(ctx, query, Some(notice), true).await
}

/// The resident's key for an evaluation, if they live in its area (any verified resident for
/// the district-wide area).
async fn evaluator(ctx: &Ctx, evaluation: &crate::store::Evaluation) -> Result<Option<String>, super::BotError> {
    let Some((name, dong)) = ctx.voter.clone() else { return Ok(None) };
    let dong_area = ctx.config.area(&evaluation.area_key).is_some_and(|a| a.kind == crate::domain::AreaKind::Dong);
    if dong_area && dong != evaluation.area_key {
        return Ok(None);
    }
    Ok(Some(ctx.secret.evaluation_key(evaluation.id, &name)))
}

/// A project button of the invitation: the rating buttons.
pub async fn on_evaluate(ctx: &Ctx, query: &CallbackQuery, evaluation: i64, project: i64) -> HandlerResult {
    let Some(found) = ctx.store.evaluation(evaluation).await?.filter(|e| e.closes_at > ctx.now_ts()) else {
        return answer(ctx, query, Some(ctx.t("evaluation-closed")), true).await;
    };
    if evaluator(ctx, &found).await?.is_none() {
        return answer(ctx, query, Some(ctx.t("evaluation-not-resident")), true).await;
    }
    let Some(proposal) = ctx.store.proposal(project).await? else {
        return answer(ctx, query, Some(ctx.t("button-stale")), true).await;
    };
    answer(ctx, query, None, false).await?;
    let row: Vec<_> = (1..=5u8)
        .map(|rating| button(format!("{rating}"), Callback::EvalRate { evaluation, project, rating }))
        .collect();
    let text = ctx.ta("evaluation-ask-rating", args![("id", project), ("title", proposal.title)]);
    ctx.send_with(text, InlineKeyboardMarkup::new(vec![row])).await.map(drop)
}

/// A rating: saved (the last one counts); a comment may follow.
pub async fn on_rate(ctx: &Ctx, query: &CallbackQuery, evaluation: i64, project: i64, rating: u8) -> HandlerResult {
    let Some(found) = ctx.store.evaluation(evaluation).await? else {
        return answer(ctx, query, Some(ctx.t("evaluation-closed")), true).await;
    };
    let Some(key) = evaluator(ctx, &found).await? else {
        return answer(ctx, query, Some(ctx.t("evaluation-not-resident")), true).await;
    };
    match ctx.store.answer_evaluation(evaluation, project, &key, rating, None, ctx.now_ts()).await? {
        AnswerOutcome::Saved => {
            answer(ctx, query, None, false).await?;
            ctx.save_dialogue(&Dialogue::EvalComment { evaluation, project, rating }).await?;
            ctx.send(ctx.ta("evaluation-rated", args![("rating", i64::from(rating)), ("max", COMMENT_MAX_CHARS)]))
                .await
                .map(drop)
        }
        AnswerOutcome::Closed => answer(ctx, query, Some(ctx.t("evaluation-closed")), true).await,
        AnswerOutcome::NotEvaluated => answer(ctx, query, Some(ctx.t("button-stale")), true).await,
    }
}

/// The longest evaluation comment.
const COMMENT_MAX_CHARS: usize = 500;

/// A typed comment on the rating just given.
pub async fn on_comment(ctx: &Ctx, msg: &Message, evaluation: i64, project: i64, rating: u8) -> HandlerResult {
    let Some(text) = msg.text().map(str::trim).filter(|t| !t.is_empty()) else {
        return ctx.send(ctx.ta("evaluation-comment-invalid", args![("max", COMMENT_MAX_CHARS)])).await.map(drop);
    };
    if text.chars().count() > COMMENT_MAX_CHARS {
        return ctx.send(ctx.ta("evaluation-comment-invalid", args![("max", COMMENT_MAX_CHARS)])).await.map(drop);
    }
    ctx.store.clear_dialogue(ctx.user_id).await?;
    let Some(found) = ctx.store.evaluation(evaluation).await? else {
        return ctx.send(ctx.t("evaluation-closed")).await.map(drop);
    };
    let Some(key) = evaluator(ctx, &found).await? else {
        return ctx.send(ctx.t("evaluation-not-resident")).await.map(drop);
    };
    let notice = match ctx.store.answer_evaluation(evaluation, project, &key, rating, Some(text), ctx.now_ts()).await? {
        AnswerOutcome::Saved => ctx.t("evaluation-commented"),
        AnswerOutcome::Closed | AnswerOutcome::NotEvaluated => ctx.t("evaluation-closed"),
    };
    ctx.send(notice).await.map(drop)
}
