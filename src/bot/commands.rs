//! Commands and routing: which handler answers a message or a button press.

use teloxide::{
    prelude::*,
    types::{BotCommand, BotCommandScope, Recipient},
};

use super::{
    Ctx, HandlerResult, admin, announce, answer,
    callback::Callback,
    checkin,
    dialogue::{Dialogue, DialogueChanged},
    execution, follow, meetings, paper, propose, resident, results, rounds, schedule, verify, vote,
};
use crate::{
    config::Config,
    i18n::{Lang, Locales},
    store::Store,
};

/// The commands residents see in Telegram's menu, in this order (DESIGN §10).
pub const RESIDENT_COMMANDS: [&str; 18] = [
    "start",
    "help",
    "lang",
    "propose",
    "proposals",
    "proposal",
    "myproposals",
    "meetings",
    "checkin",
    "verify",
    "vote",
    "results",
    "project",
    "subscribe",
    "unsubscribe",
    "mydata",
    "forgetme",
    "cancel",
];

/// A command as typed: `/proposal@pb_bot 12` → (`proposal`, `12`).
#[derive(Debug, PartialEq, Eq)]
pub struct Typed<'a> {
    pub name: String,
    pub args: &'a str,
}

/// Reads a command addressed to this bot; `None` for plain text or a command for another bot.
pub fn parse_command<'a>(text: &'a str, bot_username: Option<&str>) -> Option<Typed<'a>> {
    let text = text.trim_start();
    let rest = text.strip_prefix('/')?;
    let (head, args) = rest.split_once(char::is_whitespace).unwrap_or((rest, ""));
    let (name, target) = head.split_once('@').unwrap_or((head, ""));
    if !target.is_empty() && bot_username.is_some_and(|me| !me.eq_ignore_ascii_case(target)) {
        return None;
    }
    if name.is_empty() {
        return None;
    }
    Some(Typed { name: name.to_ascii_lowercase(), args: args.trim() })
}

pub async fn route_message(ctx: &Ctx, msg: &Message) -> HandlerResult {
    let command = msg.text().and_then(|text| parse_command(text, ctx.bot_username.as_deref()));
    if let Some(command) = command {
        return run_command(ctx, &command).await;
    }
    if msg.contact().is_some() {
        return verify::on_contact(ctx, msg).await;
    }
    // Another replica may move the dialogue on while this message is handled; then the message
    // is handled once more against the state it left.
    match continue_dialogue(ctx, msg).await {
        Err(e) if e.is::<DialogueChanged>() => continue_dialogue(ctx, msg).await,
        other => other,
    }
}

/// A message that is not a command: the next answer of the user's dialogue, if any.
async fn continue_dialogue(ctx: &Ctx, msg: &Message) -> HandlerResult {
    match ctx.dialogue().await? {
        Some(loaded) => match loaded.dialogue {
            Dialogue::Propose(draft) => propose::on_input(ctx, msg, draft, &loaded.json).await,
            Dialogue::ReviewCost { proposal_id } => admin::on_reviewed_cost(ctx, msg, proposal_id).await,
            Dialogue::ReviewReason { proposal_id } => admin::on_ineligible_reason(ctx, msg, proposal_id).await,
            Dialogue::AdminUnbind => admin::on_unbind_target(ctx, msg).await,
            Dialogue::AdminFacilitator { grant } => admin::on_facilitator_target(ctx, msg, grant).await,
            Dialogue::Announce { area, korean } => announce::on_text(ctx, msg, &area, korean, &loaded.json).await,
            Dialogue::AnnouncePreview { .. } => ctx.send(ctx.t("announce-use-buttons")).await.map(drop),
            Dialogue::Meeting(draft) => schedule::on_input(ctx, msg, draft, &loaded.json).await,
            Dialogue::Round(draft) => rounds::on_input(ctx, msg, draft, &loaded.json).await,
            Dialogue::PaperEntry { round } => paper::on_lines(ctx, msg, round).await,
            Dialogue::ExcludeReason { round, project } => results::on_exclude_reason(ctx, msg, round, project).await,
            Dialogue::ExecutionUpdate(draft) => execution::on_input(ctx, msg, draft, &loaded.json).await,
            Dialogue::EvalComment { evaluation, project, rating } => {
                execution::on_comment(ctx, msg, evaluation, project, rating).await
            }
            Dialogue::MeetingMove { id, sequence, .. } => {
                schedule::on_move_input(ctx, msg, id, sequence, &loaded.json).await
            }
            Dialogue::Verify => match msg.text() {
                Some(text) => verify::redeem(ctx, text).await,
                None => ctx.send(ctx.t("verify-code-format")).await.map(drop),
            },
        },
        None => {
            ctx.send(ctx.t("not-understood")).await?;
            Ok(())
        }
    }
}

async fn run_command(ctx: &Ctx, command: &Typed<'_>) -> HandlerResult {
    match command.name.as_str() {
        "start" => resident::start(ctx, command.args).await,
        "help" => resident::help(ctx).await,
        "lang" => resident::choose_language(ctx).await,
        "cancel" => resident::cancel(ctx).await,
        "propose" => propose::begin(ctx).await,
        "proposals" => resident::browse_areas(ctx, None).await,
        "proposal" => resident::show_by_argument(ctx, command.args).await,
        "myproposals" => resident::my_proposals(ctx).await,
        "verify" => verify::begin(ctx, command.args).await,
        "mydata" => verify::my_data(ctx).await,
        "subscribe" => follow::menu(ctx, None).await,
        "meetings" => meetings::list(ctx).await,
        "checkin" => checkin::by_code(ctx, command.args).await,
        "vote" => vote::command(ctx, command.args).await,
        "results" => results::command(ctx).await,
        "project" => execution::command(ctx, command.args).await,
        "unsubscribe" => follow::unsubscribe_menu(ctx).await,
        "forgetme" => verify::forget_me(ctx).await,
        "admin" => admin::menu(ctx, None).await,
        _ => {
            ctx.send(ctx.t("unknown-command")).await?;
            Ok(())
        }
    }
}

pub async fn route_callback(ctx: &Ctx, query: &CallbackQuery) -> HandlerResult {
    let data = query.data.as_deref().unwrap_or_default();
    let Some(callback) = Callback::parse(data) else {
        tracing::info!(user = ctx.user_id, data, "refused an unknown button payload");
        return answer(ctx, query, Some(ctx.t("button-invalid")), true).await;
    };
    if callback.is_admin() && !ctx.is_official().await? {
        tracing::warn!(user = ctx.user_id, data, "non-official pressed an officials' button");
        return answer(ctx, query, Some(ctx.t("admin-only")), true).await;
    }
    let message = query.regular_message().map(|m| m.id);
    match callback {
        Callback::SetLang(lang) => resident::set_language(ctx, query, lang).await,
        Callback::ProposeArea { .. }
        | Callback::ProposeSkip { .. }
        | Callback::ProposeConfirm { .. }
        | Callback::ProposeEdit { .. } => match propose::on_button(ctx, query, callback).await {
            // The dialogue moved on elsewhere meanwhile: the button belonged to an older step.
            Err(e) if e.is::<DialogueChanged>() => ctx.send(ctx.t("button-stale")).await.map(drop),
            other => other,
        },
        Callback::BrowseAreas => {
            answer(ctx, query, None, false).await?;
            resident::browse_areas(ctx, message).await
        }
        Callback::BrowseList { area, page } => resident::browse_list(ctx, query, &area, page).await,
        Callback::ViewProposal { id } => {
            answer(ctx, query, None, false).await?;
            resident::show_proposal(ctx, id).await
        }
        Callback::ViewPhoto { id } => resident::show_photo(ctx, query, id).await,
        Callback::AdminMenu => {
            answer(ctx, query, None, false).await?;
            admin::menu(ctx, message).await
        }
        Callback::AdminReview { after } => {
            answer(ctx, query, None, false).await?;
            admin::review_next(ctx, after).await
        }
        Callback::AdminPhases => {
            answer(ctx, query, None, false).await?;
            admin::phases(ctx, message).await
        }
        Callback::AdminPhaseAsk { from, to } => admin::ask_phase_move(ctx, query, from, to).await,
        Callback::AdminPhaseMove { from, to } => admin::move_phase(ctx, query, from, to).await,
        Callback::Review { id, verdict } => admin::on_verdict(ctx, query, id, verdict).await,
        Callback::Forget { confirm } => verify::on_forget(ctx, query, confirm).await,
        Callback::Unsubscribe { kind, target } => follow::on_unsubscribe(ctx, query, kind, &target).await,
        Callback::Follow { kind, target, on } => follow::on_follow(ctx, query, kind, &target, on).await,
        Callback::FollowProject { id, on } => follow::on_follow_project(ctx, query, id, on).await,
        Callback::ViewMeeting { id } => meetings::show(ctx, query, id).await,
        Callback::MeetingRsvp { id, going } => meetings::rsvp(ctx, query, id, going).await,
        Callback::MeetingCalendar { id } => meetings::calendar_file(ctx, query, id).await,
        Callback::MeetingFollowDong { id } => meetings::follow_dong(ctx, query, id).await,
        Callback::VoteRound { round } => vote::on_round(ctx, query, round).await,
        Callback::VoteTap { round, project } => vote::on_tap(ctx, query, round, project, None).await,
        Callback::VotePoints { round, project, up } => vote::on_tap(ctx, query, round, project, Some(up)).await,
        Callback::VotePage { round, page } => vote::on_page(ctx, query, round, page).await,
        Callback::VoteSubmit { round } => vote::on_submit(ctx, query, round).await,
        Callback::VoteConfirm { round } => vote::on_confirm(ctx, query, round).await,
        Callback::VoteEdit { round } => vote::on_edit(ctx, query, round).await,
        Callback::VoteRemindersOff => vote::on_reminders_off(ctx, query).await,
        Callback::PaperRounds => {
            answer(ctx, query, None, false).await?;
            paper::rounds(ctx, message).await
        }
        Callback::PaperRound { round } => paper::begin(ctx, query, round).await,
        Callback::AdminRounds => {
            answer(ctx, query, None, false).await?;
            rounds::list(ctx, message).await
        }
        Callback::AdminRound { id } => {
            answer(ctx, query, None, false).await?;
            rounds::card(ctx, id, message).await
        }
        Callback::AdminResults { round } => {
            answer(ctx, query, None, false).await?;
            results::review(ctx, round, message).await
        }
        Callback::AdminPublish { round } => results::on_publish(ctx, query, round).await,
        Callback::AdminExclusions { round } => {
            answer(ctx, query, None, false).await?;
            results::exclusions(ctx, round, message).await
        }
        Callback::AdminExclude { round, project } => results::on_exclude(ctx, query, round, project).await,
        Callback::AdminReadmit { round, project } => results::on_readmit(ctx, query, round, project).await,
        Callback::Results { round } => results::on_results(ctx, query, round).await,
        Callback::FollowPicks { round } => results::on_follow_picks(ctx, query, round).await,
        Callback::Project { id } => {
            answer(ctx, query, None, false).await?;
            execution::show(ctx, id, None).await
        }
        Callback::AdminEvalAreas => {
            answer(ctx, query, None, false).await?;
            execution::evaluation_areas(ctx, message).await
        }
        Callback::AdminEvalOpen { area } => execution::open_evaluation(ctx, query, &area).await,
        Callback::EvalProject { evaluation, project } => execution::on_evaluate(ctx, query, evaluation, project).await,
        Callback::EvalRate { evaluation, project, rating } => {
            execution::on_rate(ctx, query, evaluation, project, rating).await
        }
        Callback::AdminExecution => {
            answer(ctx, query, None, false).await?;
            execution::cards(ctx, message).await
        }
        Callback::AdminExecProject { id } => execution::begin(ctx, query, id).await,
        Callback::AdminExecStatus { token, status } => execution::on_status(ctx, query, token, status).await,
        Callback::AdminExecSkip { token, photo } => execution::on_skip(ctx, query, token, photo).await,
        Callback::AdminExecPost { token } => execution::on_post(ctx, query, token).await,
        Callback::AdminRoundNew => {
            answer(ctx, query, None, false).await?;
            rounds::choose_area(ctx, message).await
        }
        Callback::AdminRoundArea { area } => rounds::choose_stage(ctx, query, &area).await,
        Callback::AdminRoundStage { area, stage } => rounds::begin(ctx, query, &area, stage).await,
        Callback::AdminRoundKind { token, kind } => rounds::on_kind(ctx, query, token, &kind).await,
        Callback::AdminRoundRule { token, rule } => rounds::on_rule(ctx, query, token, &rule).await,
        Callback::AdminRoundSave { token } => rounds::on_save(ctx, query, token).await,
        Callback::AdminFacilitators => {
            answer(ctx, query, None, false).await?;
            admin::facilitators(ctx, message).await
        }
        Callback::AdminFacilitatorAsk { grant } => {
            answer(ctx, query, None, false).await?;
            admin::facilitator_ask(ctx, grant).await
        }
        Callback::CheckinOpen { id } => checkin::open(ctx, query, id).await,
        Callback::CheckinClose { id } => checkin::close(ctx, query, id).await,
        Callback::AdminMeetings => {
            answer(ctx, query, None, false).await?;
            schedule::list(ctx, message).await
        }
        Callback::AdminMeeting { id } => {
            answer(ctx, query, None, false).await?;
            schedule::card(ctx, id, message).await
        }
        Callback::AdminMeetingNew => {
            answer(ctx, query, None, false).await?;
            schedule::choose_area(ctx, message).await
        }
        Callback::AdminMeetingArea { area } => schedule::choose_stage(ctx, query, &area).await,
        Callback::AdminMeetingStage { area, stage } => schedule::begin(ctx, query, &area, stage).await,
        Callback::AdminMeetingSkip { token } => schedule::on_skip(ctx, query, token).await,
        Callback::AdminMeetingSave { token } => schedule::on_save(ctx, query, token).await,
        Callback::AdminMeetingMove { id, sequence } => schedule::ask_move(ctx, query, id, sequence).await,
        Callback::AdminMeetingMoveDo { id, sequence } => schedule::do_move(ctx, query, id, sequence).await,
        Callback::AdminMeetingCancel { id, sequence } => schedule::ask_cancel(ctx, query, id, sequence).await,
        Callback::AdminMeetingCancelDo { id, sequence } => schedule::do_cancel(ctx, query, id, sequence).await,
        Callback::AdminAnnounce => {
            answer(ctx, query, None, false).await?;
            announce::choose_area(ctx, message).await
        }
        Callback::AdminAnnounceArea { area } => announce::ask_text(ctx, query, &area).await,
        Callback::AdminAnnounceEnglish => announce::ask_english(ctx, query).await,
        Callback::AdminAnnounceSend => announce::send(ctx, query).await,
        Callback::AdminAnnounceCancel => announce::cancel(ctx, query).await,
        Callback::AdminDelivery => {
            answer(ctx, query, None, false).await?;
            announce::delivery_report(ctx, message).await
        }
        Callback::AdminCodes => {
            answer(ctx, query, None, false).await?;
            admin::codes_choose_dong(ctx, message).await
        }
        Callback::AdminCodesDong { dong } => admin::codes_choose_count(ctx, query, &dong).await,
        Callback::AdminCodesIssue { dong, count } => admin::codes_issue(ctx, query, &dong, count).await,
        Callback::AdminUnbind => {
            answer(ctx, query, None, false).await?;
            admin::unbind_ask(ctx).await
        }
    }
}

/// Registers the command menu in each language (`setMyCommands` with `language_code`), the
/// district's default language for everyone else, and `/admin` in each official's own menu.
pub async fn register_commands(bot: &Bot, config: &Config, store: &Store, locales: &Locales) -> HandlerResult {
    let commands = |lang: Lang| -> Vec<BotCommand> {
        RESIDENT_COMMANDS
            .iter()
            .map(|name| BotCommand::new(*name, locales.plain(lang, &format!("cmd-{name}"))))
            .collect()
    };
    for lang in Lang::ALL {
        bot.set_my_commands(commands(lang)).language_code(lang.code()).await?;
    }
    bot.set_my_commands(commands(config.default_language)).await?;
    for official in &config.officials {
        if !store.is_official(official.telegram_id).await? {
            continue;
        }
        let mut own = commands(config.default_language);
        own.push(BotCommand::new("admin", locales.plain(config.default_language, "cmd-admin")));
        let scope = BotCommandScope::Chat { chat_id: Recipient::Id(ChatId(official.telegram_id)) };
        if let Err(e) = bot.set_my_commands(own).scope(scope).await {
            // An official who has not opened the bot yet has no chat to attach a menu to.
            tracing::info!(official = official.telegram_id, error = %e, "no admin menu for this official yet");
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn commands_are_read_with_their_arguments() {
        assert_eq!(parse_command("/proposal 12", None), Some(Typed { name: "proposal".into(), args: "12" }));
        assert_eq!(
            parse_command("/Start@pb_bot  proposal-3 ", Some("pb_bot")),
            Some(Typed { name: "start".into(), args: "proposal-3" })
        );
        assert_eq!(parse_command("/start@other_bot", Some("pb_bot")), None);
        assert_eq!(parse_command("hello /start", None), None);
        assert_eq!(parse_command("/", None), None);
        assert_eq!(parse_command("/propose\nmore", None), Some(Typed { name: "propose".into(), args: "more" }));
    }
}
