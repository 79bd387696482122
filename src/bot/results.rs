//! Results (DESIGN §6). A closed round's outcome is computed from its ballots with its rule (the
//! same computation as the export, so anyone can re-count it); officials review it in `/admin`
//! and confirm it, which publishes it once: to the area's followers and the followers of every
//! project on the ballot, and to each voter with what happened to their own picks and why.
//! `/results` shows the same on demand. Tallies stay hidden until a round closes.

use teloxide::{
    prelude::*,
    types::{InlineKeyboardMarkup, InputFile, MessageId},
};

use super::{Ctx, HandlerResult, answer, button, callback::Callback, dialogue::Dialogue};
use crate::{
    args,
    config::Config,
    domain::{
        ballot::{Ballot, Kind, RoundStage},
        blend,
        outcome::{self, Outcome, Why},
        verification::Secret,
    },
    i18n::{Lang, Locales},
    store::{
        Broadcast, ExclusionOutcome, Follow, MAX_REASON_CHARS, Media, Notice, Photos, Publication, PublishOutcome,
        Pushes, Round, Store, StoreError,
    },
};

/// A closed round with its outcome.
pub struct Tallied {
    pub round: Round,
    pub outcome: Outcome,
}

/// The outcome of a closed, non-void round, counted from its ballots now; `None` for any other
/// round. Only the official's review and the publication count: afterwards [`outcome`] reads
/// what was published.
pub async fn tallied(store: &Store, config: &Config, round: i64) -> Result<Option<Tallied>, StoreError> {
    count(store, config, round, false).await
}

/// The count of a closed round, or with `open` of one still open (a provisional count for
/// officials, when the district file allows it).
async fn count(store: &Store, config: &Config, round: i64, open: bool) -> Result<Option<Tallied>, StoreError> {
    let Some(record) = store.round_record(round).await? else { return Ok(None) };
    let state = &record.round;
    let countable = match (state.opened_at, state.closed_at) {
        (Some(_), None) => open,
        (_, Some(_)) => !open,
        (None, None) => false,
    };
    if !countable || state.void_reason.is_some() {
        return Ok(None);
    }
    let input = record.tally_input((&config.district_en, &record.round.area_key), ("", ""), config.ballots.add1_step);
    let mut outcome = match outcome::tally(&input) {
        Ok(outcome) => outcome,
        Err(e) => {
            tracing::error!(round, error = %e, "the round's outcome cannot be computed");
            return Ok(None);
        }
    };
    // The committee's round gives the area's final outcome: blended with the residents' vote
    // and the survey when the district file says so.
    if let (RoundStage::Committee, Some(weights)) = (record.round.stage, config.ballots.blend) {
        let residents = store.residents_outcome(record.round.cycle_id, &record.round.area_key).await?;
        let survey = store.survey(round).await?;
        outcome = blend::blend(&outcome, residents.as_ref(), survey.as_ref(), weights);
    }
    Ok(Some(Tallied { outcome, round: record.round }))
}

/// A round's outcome: as published if it is, otherwise counted now (closed rounds only).
pub async fn outcome(store: &Store, config: &Config, round: i64) -> Result<Option<Tallied>, StoreError> {
    match store.publication(round).await? {
        Some(publication) => as_published(store, config, round, publication).await,
        None => tallied(store, config, round).await,
    }
}

/// A published round's outcome as kept (counted now only if it was published before outcomes
/// were kept).
async fn as_published(
    store: &Store,
    config: &Config,
    round: i64,
    publication: Publication,
) -> Result<Option<Tallied>, StoreError> {
    if let Some(outcome) = publication.outcome
        && let Some(round) = store.round(round).await?
    {
        return Ok(Some(Tallied { round, outcome }));
    }
    tallied(store, config, round).await
}

fn title_of(t: &Tallied, id: i64) -> &str {
    t.outcome.project(id).map_or("", |p| p.title.as_str())
}

/// A project's score as residents read it: votes, points, or a blended score out of 100.
fn score(locales: &Locales, lang: Lang, t: &Tallied, score: rust_decimal::Decimal) -> String {
    if t.outcome.blend.is_some() {
        return locales.text(lang, "results-blended-score", args![("score", score.normalize().to_string())]);
    }
    let id = match t.round.kind {
        Kind::Approval { .. } | Kind::Knapsack => "results-votes",
        Kind::Ranked { .. } | Kind::Cumulative { .. } => "results-points",
    };
    use rust_decimal::prelude::ToPrimitive;
    match score.to_i64() {
        Some(whole) if score.fract().is_zero() => locales.text(lang, id, args![("count", whole)]),
        _ => locales.text(lang, id, args![("count", score.normalize().to_string())]),
    }
}

fn title(config: &Config, locales: &Locales, lang: Lang, t: &Tallied) -> String {
    let round = &t.round;
    let kind = locales.plain(lang, &format!("vote-kind-{}", round.kind.name()));
    locales.text(
        lang,
        "results-title",
        args![("area", config.area_name(&round.area_key, lang)), ("kind", kind), ("ballots", t.outcome.ballots)],
    )
}

fn funded_head(locales: &Locales, lang: Lang, t: &Tallied) -> String {
    let funded = t.outcome.projects.iter().filter(|p| p.funded).count();
    locales.text(
        lang,
        "results-funded-head",
        args![("count", funded), ("used", lang.money(t.outcome.used)), ("pot", lang.money(t.outcome.pot))],
    )
}

/// The chart's file name; the outbox sends it as `results-<round>-<lang>.png`.
fn chart_name(round: i64) -> String {
    format!("results-{round}.png")
}

/// The results of a round: funded projects with their cost, what was used of the pot, the
/// others (excluded ones with their reason), and the rule.
pub fn results_text(config: &Config, locales: &Locales, lang: Lang, t: &Tallied) -> String {
    let round = &t.round;
    let mut lines = vec![title(config, locales, lang, t)];
    let funded: Vec<_> = t.outcome.projects.iter().filter(|p| p.funded).collect();
    lines.push(funded_head(locales, lang, t));
    let line = |id: &str, p: &outcome::ProjectResult| {
        locales.text(
            lang,
            id,
            args![
                ("id", p.id.to_string()),
                ("title", title_of(t, p.id).to_owned()),
                ("cost", lang.money(p.cost)),
                ("score", score(locales, lang, t, p.score)),
                ("reason", p.excluded.clone().unwrap_or_default())
            ],
        )
    };
    lines.extend(funded.iter().map(|p| line("results-funded-line", p)));
    let others: Vec<_> = t.outcome.projects.iter().filter(|p| !p.funded).collect();
    if !others.is_empty() {
        lines.push(locales.plain(lang, "results-unfunded-head"));
        lines.extend(
            others
                .iter()
                .map(|p| line(if p.excluded.is_some() { "results-excluded-line" } else { "results-unfunded-line" }, p)),
        );
    }
    match &t.outcome.blend {
        Some(blend) => {
            let [resident, committee, survey] = blend.applied.map(|w| w.normalize().to_string());
            lines.push(locales.text(
                lang,
                "results-rule-blended",
                args![("resident", resident), ("committee", committee), ("survey", survey)],
            ));
        }
        None => {
            let rule = locales.plain(lang, &format!("admin-rule-{}", round.rule));
            lines.push(locales.text(lang, "results-rule", args![("rule", rule), ("round", round.id.to_string())]));
        }
    }
    super::fit(lines.join("\n"))
}

/// The results chart in `lang`: score per project (funded, not funded, excluded) and the pot.
pub fn chart(config: &Config, locales: &Locales, lang: Lang, t: &Tallied) -> Vec<u8> {
    use crate::chart::{Bar, BarState, MAX_ROWS, ResultsChart};
    use rust_decimal::prelude::ToPrimitive;
    let round = &t.round;
    let kind = locales.plain(lang, &format!("vote-kind-{}", round.kind.name()));
    let bars = t
        .outcome
        .projects
        .iter()
        .map(|p| Bar {
            label: format!("#{} {}", p.id, title_of(t, p.id)),
            score: p.score.to_f64().unwrap_or(0.0),
            score_text: score(locales, lang, t, p.score),
            cost: p.cost.as_decimal().to_f64().unwrap_or(0.0),
            state: match (&p.excluded, p.funded) {
                (Some(_), _) => BarState::Excluded,
                (None, true) => BarState::Funded,
                (None, false) => BarState::NotFunded,
            },
        })
        .collect::<Vec<_>>();
    let more = bars.len().saturating_sub(MAX_ROWS);
    crate::chart::png(&ResultsChart {
        title: locales.text(
            lang,
            "results-chart-title",
            args![("area", config.area_name(&round.area_key, lang)), ("kind", kind), ("ballots", t.outcome.ballots)],
        ),
        bars,
        pot: t.outcome.pot.as_decimal().to_f64().unwrap_or(0.0),
        pot_text: locales.text(
            lang,
            "results-chart-pot",
            args![("used", lang.money(t.outcome.used)), ("pot", lang.money(t.outcome.pot))],
        ),
        legend: ["results-chart-funded", "results-chart-unfunded", "results-chart-excluded"]
            .map(|id| locales.plain(lang, id)),
        more_text: (more > 0).then(|| locales.text(lang, "results-chart-more", args![("count", more)])),
    })
}

/// What happened to each pick of one voter's ballot, and why.
pub fn explanation(locales: &Locales, lang: Lang, t: &Tallied, receipt: &str, ballot: &Ballot) -> String {
    let mut lines = vec![locales.text(lang, "results-yours-head", args![("code", receipt.to_owned())])];
    for (id, why) in t.outcome.explain(ballot) {
        let cost = t.outcome.project(id).map(|p| lang.money(p.cost)).unwrap_or_default();
        let (key, left, reason) = match why {
            Why::Funded => ("results-why-funded", String::new(), String::new()),
            Why::Excluded(reason) => ("results-why-excluded", String::new(), reason),
            Why::NoRoom { left } => ("results-why-no-room", lang.money(left), String::new()),
            Why::Stopped => ("results-why-stopped", String::new(), String::new()),
            Why::Share => ("results-why-share", String::new(), String::new()),
        };
        lines.push(locales.text(
            lang,
            key,
            args![
                ("id", id.to_string()),
                ("title", title_of(t, id).to_owned()),
                ("cost", cost),
                ("left", left),
                ("reason", reason)
            ],
        ));
    }
    if lines.len() == 1 {
        lines.push(locales.plain(lang, "results-yours-empty"));
    }
    super::fit(lines.join("\n"))
}

/// Everything publishing pushes: the results to the area's followers and every project's
/// followers (proposers follow their own), and to each voter their own explanation.
pub async fn publication_pushes(
    store: &Store,
    config: &Config,
    locales: &Locales,
    secret: &Secret,
    t: &Tallied,
) -> Result<Pushes, StoreError> {
    let round = &t.round;
    let mut audience = super::follow::area_audience(config, &round.area_key);
    audience.extend(t.outcome.projects.iter().map(|p| Follow::Project(p.id)));
    let keyboard = |lang: Lang| {
        let markup = InlineKeyboardMarkup::new(vec![vec![button(
            locales.plain(lang, "results-open"),
            Callback::Results { round: round.id },
        )]]);
        serde_json::to_string(&markup).ok()
    };
    // Each voter: what happened to their own picks, with the button to the full results (a
    // follower of the area gets those too, as news).
    let ballots = store.ballots_by_voter(round.id).await?;
    let mut notices = Vec::new();
    for resident in store.round_residents(round).await? {
        let Some((ballot, receipt)) = ballots.get(&secret.voter_key(round.id, &resident.name)) else { continue };
        let lang = resident.language.as_deref().and_then(Lang::from_code).unwrap_or(config.default_language);
        let text = format!("{}\n\n{}", title(config, locales, lang, t), explanation(locales, lang, t, receipt, ballot));
        // A voter with a funded pick may follow how it is carried out.
        let funded_pick = ballot.order().into_iter().any(|id| t.outcome.project(id).is_some_and(|p| p.funded));
        let mut rows = vec![vec![button(locales.plain(lang, "results-open"), Callback::Results { round: round.id })]];
        if funded_pick {
            rows.push(vec![button(
                locales.plain(lang, "results-follow-picks"),
                Callback::FollowPicks { round: round.id },
            )]);
        }
        let markup = serde_json::to_string(&InlineKeyboardMarkup::new(rows)).ok();
        notices.push(Notice { chat_id: resident.telegram_id, text: super::fit(text), markup });
    }
    // The chart first, its caption the headline; then the full list with the button.
    let caption = |lang: Lang| {
        super::fit_caption(format!("{}\n{}", title(config, locales, lang, t), funded_head(locales, lang, t)))
    };
    let chart = Broadcast {
        kind: "results-chart".into(),
        subject: Some(round.id.to_string()),
        text_ko: caption(Lang::Ko),
        text_en: caption(Lang::En),
        markup_ko: None,
        markup_en: None,
        audience: audience.clone(),
        exclude: None,
        created_by: None,
        photos: Some(Photos::Drawn {
            name: chart_name(round.id),
            ko: chart(config, locales, Lang::Ko, t),
            en: chart(config, locales, Lang::En, t),
        }),
    };
    Ok(Pushes {
        broadcasts: vec![
            chart,
            Broadcast {
                kind: "results".into(),
                subject: Some(round.id.to_string()),
                text_ko: results_text(config, locales, Lang::Ko, t),
                text_en: results_text(config, locales, Lang::En, t),
                markup_ko: keyboard(Lang::Ko),
                markup_en: keyboard(Lang::En),
                audience,
                exclude: None,
                created_by: None,
                photos: None,
            },
        ],
        notices,
        default_lang: config.default_language.code(),
    })
}

/// When a round closes: each official who uses the bot is asked, in their language, to review
/// the outcome and confirm it, with the button that opens the review.
pub fn review_notices(
    config: &Config,
    locales: &Locales,
    round: &Round,
    officials: &[(i64, Option<String>)],
) -> Vec<Notice> {
    officials
        .iter()
        .map(|(id, lang)| {
            let lang = lang.as_deref().and_then(Lang::from_code).unwrap_or(config.default_language);
            let kind = locales.plain(lang, &format!("vote-kind-{}", round.kind.name()));
            let text = locales.text(
                lang,
                "results-closed-official",
                args![
                    ("round", round.id.to_string()),
                    ("area", config.area_name(&round.area_key, lang)),
                    ("kind", kind)
                ],
            );
            let markup = InlineKeyboardMarkup::new(vec![vec![button(
                locales.plain(lang, "results-review-button"),
                Callback::AdminResults { round: round.id },
            )]]);
            Notice { chat_id: *id, text, markup: serde_json::to_string(&markup).ok() }
        })
        .collect()
}

/// `/admin` → a closed round → its outcome, with the button that confirms and publishes it.
pub async fn review(ctx: &Ctx, round: i64, message: Option<MessageId>) -> HandlerResult {
    let publication = ctx.store.publication(round).await?;
    let published_at = publication.as_ref().map(|p| p.published_at);
    let counted = match publication {
        Some(publication) => as_published(&ctx.store, &ctx.config, round, publication).await?,
        None => tallied(&ctx.store, &ctx.config, round).await?,
    };
    let Some(t) = counted else {
        if ctx.config.ballots.live_tally_for_officials
            && let Some(t) = count(&ctx.store, &ctx.config, round, true).await?
        {
            // Still open: a provisional count, for officials only, each look audited.
            ctx.store.audit_live_tally(round, ctx.user_id, ctx.now_ts()).await?;
            let text = format!(
                "{}\n\n{}",
                ctx.ta("results-live", args![("round", round.to_string())]),
                results_text(&ctx.config, &ctx.locales, ctx.lang, &t)
            );
            let rows = vec![vec![button(ctx.t("admin-rounds-back"), Callback::AdminRound { id: round })]];
            return ctx.show(message, super::fit(text), InlineKeyboardMarkup::new(rows)).await;
        }
        return ctx.send(ctx.t("results-not-closed")).await.map(drop);
    };
    let mut rows = Vec::new();
    let status = match published_at {
        Some(at) => ctx.ta("results-published-at", args![("at", ctx.datetime_of(at))]),
        None => {
            rows.push(vec![button(ctx.t("results-publish"), Callback::AdminPublish { round })]);
            rows.push(vec![button(ctx.t("results-exclusions-button"), Callback::AdminExclusions { round })]);
            ctx.ta("results-review", args![("round", round.to_string())])
        }
    };
    rows.push(vec![button(ctx.t("admin-rounds-back"), Callback::AdminRound { id: round })]);
    let text = format!("{}\n\n{status}", results_text(&ctx.config, &ctx.locales, ctx.lang, &t));
    ctx.show(message, super::fit(text), InlineKeyboardMarkup::new(rows)).await
}

/// The official confirms the outcome: published once, with its pushes, audited.
pub async fn on_publish(ctx: &Ctx, query: &CallbackQuery, round: i64) -> HandlerResult {
    let Some(t) = tallied(&ctx.store, &ctx.config, round).await? else {
        return answer(ctx, query, Some(ctx.t("results-not-closed")), true).await;
    };
    let pushes = publication_pushes(&ctx.store, &ctx.config, &ctx.locales, &ctx.secret, &t).await?;
    // The area's final outcome opens the funded projects' execution cards: with blending, the
    // committee's round when the area has one this cycle; otherwise the round published.
    let committee_round = ctx
        .store
        .rounds(t.round.cycle_id)
        .await?
        .into_iter()
        .any(|r| r.area_key == t.round.area_key && r.stage == RoundStage::Committee && r.void_reason.is_none());
    let final_outcome =
        t.round.stage == RoundStage::Committee || ctx.config.ballots.blend.is_none() || !committee_round;
    let done =
        ctx.store.publish_round(round, &t.outcome, final_outcome, Some(ctx.user_id), &pushes, ctx.now_ts()).await?;
    let notice = match done {
        PublishOutcome::Published => ctx.ta("results-published", args![("count", pushes.notices.len())]),
        PublishOutcome::AlreadyPublished => ctx.t("results-already-published"),
        PublishOutcome::NotClosed => ctx.t("results-not-closed"),
    };
    answer(ctx, query, Some(notice), false).await?;
    review(ctx, round, query.message.as_ref().map(|m| m.id())).await
}

/// `/admin` → a closed round's outcome → exclusions: every project on the ballot, to exclude
/// for a legal reason (the official then types the public reason) or to take back.
pub async fn exclusions(ctx: &Ctx, round: i64, message: Option<MessageId>) -> HandlerResult {
    let Some(state) = ctx.store.round(round).await? else {
        return ctx.send(ctx.t("results-not-closed")).await.map(drop);
    };
    if state.closed_at.is_none() || state.void_reason.is_some() {
        return ctx.send(ctx.t("results-not-closed")).await.map(drop);
    }
    if ctx.store.publication(round).await?.is_some() {
        return ctx.send(ctx.t("results-already-published")).await.map(drop);
    }
    let excluded = ctx.store.exclusions(round).await?;
    // Telegram shows at most 100 buttons under a message; a round has far fewer projects.
    let mut rows: Vec<_> = ctx
        .store
        .round_projects(round)
        .await?
        .iter()
        .take(90)
        .map(|p| {
            let label =
                |mark: &str| format!("{mark} #{} {}", p.proposal_id, p.title.chars().take(40).collect::<String>());
            let project = p.proposal_id;
            if excluded.iter().any(|(id, _)| *id == project) {
                vec![button(label("↩️"), Callback::AdminReadmit { round, project })]
            } else {
                vec![button(label("🚫"), Callback::AdminExclude { round, project })]
            }
        })
        .collect();
    rows.push(vec![button(ctx.t("admin-rounds-back"), Callback::AdminResults { round })]);
    ctx.show(
        message,
        ctx.ta("results-exclusions", args![("round", round.to_string())]),
        InlineKeyboardMarkup::new(rows),
    )
    .await
}

/// An exclusion button: the official is asked for the public reason.
pub async fn on_exclude(ctx: &Ctx, query: &CallbackQuery, round: i64, project: i64) -> HandlerResult {
    let listed = ctx.store.round_projects(round).await?.iter().find(|p| p.proposal_id == project).cloned();
    let Some(listed) = listed else {
        return answer(ctx, query, Some(ctx.t("results-not-on-ballot")), true).await;
    };
    if ctx.store.publication(round).await?.is_some() {
        return answer(ctx, query, Some(ctx.t("results-already-published")), true).await;
    }
    answer(ctx, query, None, false).await?;
    ctx.save_dialogue(&Dialogue::ExcludeReason { round, project }).await?;
    let text = ctx.ta(
        "results-exclude-ask",
        args![("id", project.to_string()), ("title", listed.title), ("max", MAX_REASON_CHARS)],
    );
    ctx.send(text).await.map(drop)
}

/// The typed reason: the project is excluded (audited) and the official sees the recount.
pub async fn on_exclude_reason(ctx: &Ctx, msg: &Message, round: i64, project: i64) -> HandlerResult {
    if !super::admin::ensure_official(ctx).await? {
        ctx.store.clear_dialogue(ctx.user_id).await?;
        return Ok(());
    }
    let Some(reason) = msg.text() else {
        return ctx.send(ctx.ta("results-exclude-invalid", args![("max", MAX_REASON_CHARS)])).await.map(drop);
    };
    let done = ctx.store.exclude_project(round, project, Some(reason), Some(ctx.user_id), ctx.now_ts()).await?;
    let notice = match done {
        ExclusionOutcome::BadReason => {
            return ctx.send(ctx.ta("results-exclude-invalid", args![("max", MAX_REASON_CHARS)])).await.map(drop);
        }
        ExclusionOutcome::Done => ctx.ta("results-excluded", args![("id", project.to_string())]),
        ExclusionOutcome::NotClosed => ctx.t("results-not-closed"),
        ExclusionOutcome::Published => ctx.t("results-already-published"),
        ExclusionOutcome::NotOnBallot => ctx.t("results-not-on-ballot"),
    };
    ctx.store.clear_dialogue(ctx.user_id).await?;
    ctx.send(notice).await?;
    if done == ExclusionOutcome::Done {
        review(ctx, round, None).await?;
    }
    Ok(())
}

/// Takes an exclusion back (audited) and shows the list again.
pub async fn on_readmit(ctx: &Ctx, query: &CallbackQuery, round: i64, project: i64) -> HandlerResult {
    let notice = match ctx.store.exclude_project(round, project, None, Some(ctx.user_id), ctx.now_ts()).await? {
        ExclusionOutcome::Done => ctx.ta("results-readmitted", args![("id", project.to_string())]),
        ExclusionOutcome::Published => ctx.t("results-already-published"),
        ExclusionOutcome::NotOnBallot => ctx.t("results-not-on-ballot"),
        ExclusionOutcome::NotClosed | ExclusionOutcome::BadReason => ctx.t("results-not-closed"),
    };
    answer(ctx, query, Some(notice), false).await?;
    exclusions(ctx, round, query.message.as_ref().map(|m| m.id())).await
}

/// The voter follows the funded projects of their own ballot: each update of them reaches them.
pub async fn on_follow_picks(ctx: &Ctx, query: &CallbackQuery, round: i64) -> HandlerResult {
    let funded = match ctx.store.publication(round).await? {
        Some(publication) => publication.funded,
        None => return answer(ctx, query, Some(ctx.t("button-stale")), true).await,
    };
    let ballot = match &ctx.voter {
        Some((name, _)) => ctx.store.cast_ballot_of(round, &ctx.secret.voter_key(round, name)).await?,
        None => None,
    };
    let Some((ballot, _, _)) = ballot else {
        return answer(ctx, query, Some(ctx.t("results-follow-picks-none")), true).await;
    };
    let mut followed = 0;
    for id in ballot.order().into_iter().filter(|id| funded.contains(id)) {
        ctx.store.subscribe(ctx.user_id, "project", &id.to_string(), ctx.now_ts()).await?;
        followed += 1;
    }
    let notice = if followed == 0 {
        ctx.t("results-follow-picks-none")
    } else {
        ctx.ta("results-following-picks", args![("count", followed)])
    };
    answer(ctx, query, Some(notice), true).await
}

/// Published rounds of the cycle, newest first.
async fn published(ctx: &Ctx) -> Result<Vec<Round>, StoreError> {
    let Some(cycle) = ctx.store.cycle(ctx.config.cycle_year).await? else { return Ok(Vec::new()) };
    let mut rounds = Vec::new();
    for round in ctx.store.rounds(cycle.id).await?.into_iter().rev() {
        if ctx.store.publication(round.id).await?.is_some() {
            rounds.push(round);
        }
    }
    Ok(rounds)
}

/// `/results`: the one published round, or a choice among them.
pub async fn command(ctx: &Ctx) -> HandlerResult {
    let rounds = published(ctx).await?;
    match rounds.as_slice() {
        [] => ctx.send(ctx.t("results-none")).await.map(drop),
        [round] => show(ctx, round.id, None).await,
        _ => {
            let rows = rounds
                .iter()
                .take(20)
                .map(|r| {
                    vec![button(format!("🏁 {}", super::vote::round_title(ctx, r)), Callback::Results { round: r.id })]
                })
                .collect::<Vec<_>>();
            ctx.send_with(ctx.t("results-choose"), InlineKeyboardMarkup::new(rows)).await.map(drop)
        }
    }
}

pub async fn on_results(ctx: &Ctx, query: &CallbackQuery, round: i64) -> HandlerResult {
    answer(ctx, query, None, false).await?;
    show(ctx, round, None).await
}

/// One published round's results, and the resident's own picks if they voted.
async fn show(ctx: &Ctx, round: i64, message: Option<MessageId>) -> HandlerResult {
    let Some(publication) = ctx.store.publication(round).await? else {
        return ctx.send(ctx.t("results-none")).await.map(drop);
    };
    let Some(t) = as_published(&ctx.store, &ctx.config, round, publication).await? else {
        return ctx.send(ctx.t("results-none")).await.map(drop);
    };
    let mut text = results_text(&ctx.config, &ctx.locales, ctx.lang, &t);
    if let Some((name, _)) = &ctx.voter {
        let key = ctx.secret.voter_key(round, name);
        if let Some((ballot, receipt, _)) = ctx.store.cast_ballot_of(round, &key).await? {
            text = format!("{text}\n\n{}", explanation(&ctx.locales, ctx.lang, &t, &receipt, &ballot));
        }
    }
    send_chart(ctx, round).await?;
    ctx.show(message, super::fit(text), InlineKeyboardMarkup::new(Vec::<Vec<_>>::new())).await
}

/// The chart that was published with the round, in the resident's language: by Telegram's file
/// id once it has been uploaded (the publication's first delivery does), else uploaded now.
async fn send_chart(ctx: &Ctx, round: i64) -> HandlerResult {
    let name = chart_name(round).replace(".png", &format!("-{}.png", ctx.lang.code()));
    let Some(id) = ctx.store.media_named(&name).await? else { return Ok(()) };
    let photo = match ctx.store.media(id).await? {
        Some(Media::FileId(file_id)) => InputFile::file_id(teloxide::types::FileId(file_id)),
        Some(Media::Upload { name, bytes }) => InputFile::memory(bytes).file_name(name),
        None => return Ok(()),
    };
    ctx.courier.note_reply(ctx.user_id);
    let sent = ctx.bot.send_photo(ctx.chat(), photo).await?;
    if let Some(size) = sent.photo().and_then(|sizes| sizes.last()) {
        ctx.store.set_media_file_id(id, &size.file.id.0).await?;
    }
    Ok(())
}
