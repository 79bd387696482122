//! Button payloads: every `callback_data` the bot sends, encoded compactly (Telegram allows at
//! most 64 bytes) and parsed strictly, so a forged or truncated payload is refused, never guessed.

use std::str::FromStr;

use crate::{
    domain::{
        Phase,
        ballot::{RULES, RoundStage},
        meeting::Stage,
    },
    i18n::Lang,
};

/// Telegram's limit on `callback_data`.
pub const MAX_CALLBACK_BYTES: usize = 64;

/// A step of the proposal dialogue an official or resident can jump back to while editing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum Field {
    Area,
    Title,
    Description,
    Cost,
    Photo,
    Location,
}

impl Field {
    pub const ALL: [Field; 6] =
        [Field::Area, Field::Title, Field::Description, Field::Cost, Field::Photo, Field::Location];

    fn code(self) -> &'static str {
        match self {
            Field::Area => "a",
            Field::Title => "t",
            Field::Description => "d",
            Field::Cost => "c",
            Field::Photo => "p",
            Field::Location => "l",
        }
    }

    fn from_code(code: &str) -> Option<Field> {
        Field::ALL.into_iter().find(|f| f.code() == code)
    }
}

/// What a resident decides on the proposal summary.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ConfirmAction {
    Submit,
    Edit,
    Cancel,
}

/// An official's verdict button in the review queue.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    Eligible,
    Ineligible,
    Next,
}

/// Every button the bot shows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Callback {
    SetLang(Lang),
    /// Proposal dialogue buttons carry the dialogue's token, so buttons of an older dialogue
    /// are recognised as stale.
    ProposeArea {
        token: u32,
        area: String,
    },
    ProposeSkip {
        token: u32,
    },
    ProposeConfirm {
        token: u32,
        action: ConfirmAction,
    },
    ProposeEdit {
        token: u32,
        field: Field,
    },
    BrowseAreas,
    BrowseList {
        area: String,
        page: u32,
    },
    ViewProposal {
        id: i64,
    },
    ViewPhoto {
        id: i64,
    },
    AdminMenu,
    AdminReview {
        after: i64,
    },
    AdminPhases,
    AdminPhaseAsk {
        from: Phase,
        to: Phase,
    },
    AdminPhaseMove {
        from: Phase,
        to: Phase,
    },
    Review {
        id: i64,
        verdict: Verdict,
    },
    /// Stop following something: a dong (`d`), a project (`p`) or district announcements (`a`).
    Unsubscribe {
        kind: char,
        target: String,
    },
    /// Officials: issue a batch of codes — choose the dong, then how many.
    AdminCodes,
    AdminCodesDong {
        dong: String,
    },
    AdminCodesIssue {
        dong: String,
        count: u32,
    },
    /// Officials: unbind a verified resident.
    AdminUnbind,
    /// Officials: an announcement — choose the area, then (after typing it) send or drop it.
    AdminAnnounce,
    AdminAnnounceArea {
        area: String,
    },
    AdminAnnounceEnglish,
    AdminAnnounceSend,
    AdminAnnounceCancel,
    /// Officials: delivery figures of the latest broadcasts.
    AdminDelivery,
    /// Follow (`on`) or stop following a dong (`d`) or district announcements (`a`) from the
    /// `/subscribe` menu.
    Follow {
        kind: char,
        target: String,
        on: bool,
    },
    /// A meeting's card, the resident's answer, and its calendar file.
    ViewMeeting {
        id: i64,
    },
    MeetingRsvp {
        id: i64,
        going: bool,
    },
    MeetingCalendar {
        id: i64,
    },
    MeetingFollowDong {
        id: i64,
    },
    /// The ballot: open a round's ballot, tap a project (cumulative: a point up or down), turn
    /// the page, submit, confirm, or go back to change it. Each is checked against the live
    /// ballot message and the round on the server.
    VoteRound {
        round: i64,
    },
    VoteTap {
        round: i64,
        project: i64,
    },
    VotePoints {
        round: i64,
        project: i64,
        up: bool,
    },
    VotePage {
        round: i64,
        page: u32,
    },
    VoteSubmit {
        round: i64,
    },
    VoteConfirm {
        round: i64,
    },
    VoteEdit {
        round: i64,
    },
    /// No more voting reminders (from a reminder).
    VoteRemindersOff,
    /// Facilitators and officials: the rounds open for paper ballots, and one to enter them for
    /// (the role is checked by the handler).
    PaperRounds,
    PaperRound {
        round: i64,
    },
    /// Officials: ballot rounds, one round's card, and creating one (area, stage, then the
    /// draft's kind and rule buttons and save carry its token).
    AdminRounds,
    AdminRound {
        id: i64,
    },
    /// A closed round's outcome, for review before publishing.
    AdminResults {
        round: i64,
    },
    /// Confirm the outcome and publish it.
    AdminPublish {
        round: i64,
    },
    /// The projects of a closed round, to exclude one for a legal reason or take it back.
    AdminExclusions {
        round: i64,
    },
    /// Exclude this project: the official then types the public reason.
    AdminExclude {
        round: i64,
        project: i64,
    },
    /// Take an exclusion back.
    AdminReadmit {
        round: i64,
        project: i64,
    },
    /// `/results`: one published round's results and what happened to the voter's picks.
    Results {
        round: i64,
    },
    /// A voter follows the funded projects of their own ballot in a published round.
    FollowPicks {
        round: i64,
    },
    /// `/project`: a project's execution card (or what was decided about it).
    Project {
        id: i64,
    },
    /// Officials: the areas whose year-end evaluation can be opened.
    AdminEvalAreas,
    /// Open the year-end evaluation of an area and invite its residents.
    AdminEvalOpen {
        area: String,
    },
    /// A resident evaluates a project: the rating buttons.
    EvalProject {
        evaluation: i64,
        project: i64,
    },
    /// A resident's rating, 1–5.
    EvalRate {
        evaluation: i64,
        project: i64,
        rating: u8,
    },
    /// Officials: the execution cards, to post an update.
    AdminExecution,
    /// Start an update of this project's card.
    AdminExecProject {
        id: i64,
    },
    /// The update draft's status (index into `execution::Status::ALL`).
    AdminExecStatus {
        token: u32,
        status: u8,
    },
    /// Skip an optional step of the update draft: the English text (`photo` false), the photo.
    AdminExecSkip {
        token: u32,
        photo: bool,
    },
    /// Post the previewed update.
    AdminExecPost {
        token: u32,
    },
    AdminRoundNew,
    AdminRoundArea {
        area: String,
    },
    AdminRoundStage {
        area: String,
        stage: RoundStage,
    },
    AdminRoundKind {
        token: u32,
        kind: String,
    },
    AdminRoundRule {
        token: u32,
        rule: String,
    },
    AdminRoundSave {
        token: u32,
    },
    /// Officials: the facilitators, and granting or revoking the role (then typed).
    AdminFacilitators,
    AdminFacilitatorAsk {
        grant: bool,
    },
    /// Facilitators and officials: open or close a meeting's check-in (the role is checked by
    /// the handler, since facilitators are not officials).
    CheckinOpen {
        id: i64,
    },
    CheckinClose {
        id: i64,
    },
    /// Officials: the cycle's meetings, one meeting's card, and scheduling a new one (area,
    /// stage, then typed answers; skip and save carry the draft's token).
    AdminMeetings,
    AdminMeeting {
        id: i64,
    },
    AdminMeetingNew,
    AdminMeetingArea {
        area: String,
    },
    AdminMeetingStage {
        area: String,
        stage: Stage,
    },
    AdminMeetingSkip {
        token: u32,
    },
    AdminMeetingSave {
        token: u32,
    },
    /// Move or cancel, then confirm; `sequence` is the meeting's version the official saw.
    AdminMeetingMove {
        id: i64,
        sequence: i64,
    },
    AdminMeetingMoveDo {
        id: i64,
        sequence: i64,
    },
    AdminMeetingCancel {
        id: i64,
        sequence: i64,
    },
    AdminMeetingCancelDo {
        id: i64,
        sequence: i64,
    },
    /// Follow or stop following a project from its card.
    FollowProject {
        id: i64,
        on: bool,
    },
    /// The answer to `/forgetme`'s "are you sure?".
    Forget {
        confirm: bool,
    },
}

impl Callback {
    pub fn encode(&self) -> String {
        let data = match self {
            Callback::SetLang(lang) => format!("lang:{}", lang.code()),
            Callback::ProposeArea { token, area } => format!("pa:{}:{area}", radix36(*token)),
            Callback::ProposeSkip { token } => format!("pk:{}", radix36(*token)),
            Callback::ProposeConfirm { token, action } => {
                let a = match action {
                    ConfirmAction::Submit => "s",
                    ConfirmAction::Edit => "e",
                    ConfirmAction::Cancel => "c",
                };
                format!("pc:{}:{a}", radix36(*token))
            }
            Callback::ProposeEdit { token, field } => format!("pe:{}:{}", radix36(*token), field.code()),
            Callback::BrowseAreas => "la".to_owned(),
            Callback::BrowseList { area, page } => format!("ls:{area}:{page}"),
            Callback::ViewProposal { id } => format!("pv:{id}"),
            Callback::ViewPhoto { id } => format!("ph:{id}"),
            Callback::AdminMenu => "ad:m".to_owned(),
            Callback::AdminReview { after } => format!("ad:r:{after}"),
            Callback::AdminPhases => "ad:p".to_owned(),
            Callback::AdminPhaseAsk { from, to } => format!("ad:pa:{from}:{to}"),
            Callback::AdminPhaseMove { from, to } => format!("ad:pm:{from}:{to}"),
            Callback::Review { id, verdict } => {
                let v = match verdict {
                    Verdict::Eligible => "y",
                    Verdict::Ineligible => "n",
                    Verdict::Next => "x",
                };
                format!("rv:{id}:{v}")
            }
            Callback::Forget { confirm } => format!("fg:{}", if *confirm { "y" } else { "n" }),
            Callback::Unsubscribe { kind, target } => format!("us:{kind}:{target}"),
            Callback::AdminCodes => "ad:c".to_owned(),
            Callback::AdminCodesDong { dong } => format!("ad:cd:{dong}"),
            Callback::AdminCodesIssue { dong, count } => format!("ad:ci:{dong}:{count}"),
            Callback::AdminUnbind => "ad:u".to_owned(),
            Callback::AdminAnnounce => "ad:a".to_owned(),
            Callback::AdminAnnounceArea { area } => format!("ad:aa:{area}"),
            Callback::AdminAnnounceEnglish => "ad:ae".to_owned(),
            Callback::AdminAnnounceSend => "ad:as".to_owned(),
            Callback::AdminAnnounceCancel => "ad:ax".to_owned(),
            Callback::AdminDelivery => "ad:d".to_owned(),
            Callback::Follow { kind, target, on } => format!("fw:{kind}:{target}:{}", u8::from(*on)),
            Callback::FollowProject { id, on } => format!("fp:{id}:{}", u8::from(*on)),
            Callback::ViewMeeting { id } => format!("mv:{id}"),
            Callback::MeetingRsvp { id, going } => format!("mr:{id}:{}", u8::from(*going)),
            Callback::MeetingCalendar { id } => format!("mc:{id}"),
            Callback::MeetingFollowDong { id } => format!("mf:{id}"),
            Callback::VoteRound { round } => format!("vr:{round}"),
            Callback::VoteTap { round, project } => format!("vt:{round}:{project}"),
            Callback::VotePoints { round, project, up } => format!("vp:{round}:{project}:{}", u8::from(*up)),
            Callback::VotePage { round, page } => format!("vg:{round}:{page}"),
            Callback::VoteSubmit { round } => format!("vs:{round}"),
            Callback::VoteConfirm { round } => format!("vc:{round}"),
            Callback::VoteEdit { round } => format!("ve:{round}"),
            Callback::VoteRemindersOff => "vo".to_owned(),
            Callback::PaperRounds => "pp".to_owned(),
            Callback::PaperRound { round } => format!("pp:{round}"),
            Callback::AdminRounds => "ad:rl".to_owned(),
            Callback::AdminRound { id } => format!("ad:rv:{id}"),
            Callback::AdminResults { round } => format!("ad:ro:{round}"),
            Callback::AdminPublish { round } => format!("ad:rp:{round}"),
            Callback::AdminExclusions { round } => format!("ad:rx:{round}"),
            Callback::AdminExclude { round, project } => format!("ad:re:{round}:{project}"),
            Callback::AdminReadmit { round, project } => format!("ad:ri:{round}:{project}"),
            Callback::Results { round } => format!("rs:{round}"),
            Callback::Project { id } => format!("pj:{id}"),
            Callback::FollowPicks { round } => format!("fk:{round}"),
            Callback::AdminExecution => "ad:xl".to_owned(),
            Callback::AdminEvalAreas => "ad:ea".to_owned(),
            Callback::AdminEvalOpen { area } => format!("ad:eo:{area}"),
            Callback::EvalProject { evaluation, project } => format!("ev:{evaluation}:{project}"),
            Callback::EvalRate { evaluation, project, rating } => format!("er:{evaluation}:{project}:{rating}"),
            Callback::AdminExecProject { id } => format!("ad:xp:{id}"),
            Callback::AdminExecStatus { token, status } => format!("ad:xs:{token}:{status}"),
            Callback::AdminExecSkip { token, photo } => format!("ad:xk:{token}:{}", u8::from(*photo)),
            Callback::AdminExecPost { token } => format!("ad:xo:{token}"),
            Callback::AdminRoundNew => "ad:rn".to_owned(),
            Callback::AdminRoundArea { area } => format!("ad:ra:{area}"),
            Callback::AdminRoundStage { area, stage } => format!("ad:rs:{area}:{stage}"),
            Callback::AdminRoundKind { token, kind } => format!("ad:rk:{}:{kind}", radix36(*token)),
            Callback::AdminRoundRule { token, rule } => format!("ad:rr:{}:{rule}", radix36(*token)),
            Callback::AdminRoundSave { token } => format!("ad:ry:{}", radix36(*token)),
            Callback::AdminFacilitators => "ad:f".to_owned(),
            Callback::AdminFacilitatorAsk { grant } => format!("ad:fa:{}", u8::from(*grant)),
            Callback::CheckinOpen { id } => format!("co:{id}"),
            Callback::CheckinClose { id } => format!("cx:{id}"),
            Callback::AdminMeetings => "ad:ml".to_owned(),
            Callback::AdminMeeting { id } => format!("ad:mv:{id}"),
            Callback::AdminMeetingNew => "ad:mn".to_owned(),
            Callback::AdminMeetingArea { area } => format!("ad:ma:{area}"),
            Callback::AdminMeetingStage { area, stage } => format!("ad:ms:{area}:{stage}"),
            Callback::AdminMeetingSkip { token } => format!("ad:mk:{}", radix36(*token)),
            Callback::AdminMeetingSave { token } => format!("ad:my:{}", radix36(*token)),
            Callback::AdminMeetingMove { id, sequence } => format!("ad:mm:{id}:{sequence}"),
            Callback::AdminMeetingMoveDo { id, sequence } => format!("ad:md:{id}:{sequence}"),
            Callback::AdminMeetingCancel { id, sequence } => format!("ad:mc:{id}:{sequence}"),
            Callback::AdminMeetingCancelDo { id, sequence } => format!("ad:mx:{id}:{sequence}"),
        };
        debug_assert!(data.len() <= MAX_CALLBACK_BYTES, "callback_data too long: {data}");
        data
    }

    /// Parses a payload; `None` for anything the bot did not produce.
    pub fn parse(data: &str) -> Option<Callback> {
        if data.len() > MAX_CALLBACK_BYTES {
            return None;
        }
        let parts: Vec<&str> = data.split(':').collect();
        let callback = match parts.as_slice() {
            ["lang", code] => Callback::SetLang(Lang::from_code(code).filter(|l| l.code() == *code)?),
            ["pa", token, area] if is_area_key(area) => {
                Callback::ProposeArea { token: token_of(token)?, area: (*area).to_owned() }
            }
            ["pk", token] => Callback::ProposeSkip { token: token_of(token)? },
            ["pc", token, action] => Callback::ProposeConfirm {
                token: token_of(token)?,
                action: match *action {
                    "s" => ConfirmAction::Submit,
                    "e" => ConfirmAction::Edit,
                    "c" => ConfirmAction::Cancel,
                    _ => return None,
                },
            },
            ["pe", token, field] => Callback::ProposeEdit { token: token_of(token)?, field: Field::from_code(field)? },
            ["la"] => Callback::BrowseAreas,
            ["ls", area, page] if is_area_key(area) => {
                Callback::BrowseList { area: (*area).to_owned(), page: number(page)? }
            }
            ["pv", id] => Callback::ViewProposal { id: number(id)? },
            ["ph", id] => Callback::ViewPhoto { id: number(id)? },
            ["ad", "m"] => Callback::AdminMenu,
            ["ad", "r", after] => Callback::AdminReview { after: number(after)? },
            ["ad", "p"] => Callback::AdminPhases,
            ["ad", "pa", from, to] => Callback::AdminPhaseAsk { from: from.parse().ok()?, to: to.parse().ok()? },
            ["ad", "pm", from, to] => Callback::AdminPhaseMove { from: from.parse().ok()?, to: to.parse().ok()? },
            ["rv", id, verdict] => Callback::Review {
                id: number(id)?,
                verdict: match *verdict {
                    "y" => Verdict::Eligible,
                    "n" => Verdict::Ineligible,
                    "x" => Verdict::Next,
                    _ => return None,
                },
            },
            ["us", kind, target] if matches!(*kind, "d" | "p" | "a") && is_area_key(target) => {
                Callback::Unsubscribe { kind: kind.chars().next()?, target: (*target).to_owned() }
            }
            ["ad", "c"] => Callback::AdminCodes,
            ["ad", "cd", dong] if is_area_key(dong) => Callback::AdminCodesDong { dong: (*dong).to_owned() },
            ["ad", "ci", dong, count] if is_area_key(dong) => {
                Callback::AdminCodesIssue { dong: (*dong).to_owned(), count: number(count)? }
            }
            ["ad", "u"] => Callback::AdminUnbind,
            ["ad", "a"] => Callback::AdminAnnounce,
            ["ad", "aa", area] if is_area_key(area) => Callback::AdminAnnounceArea { area: (*area).to_owned() },
            ["ad", "ae"] => Callback::AdminAnnounceEnglish,
            ["ad", "as"] => Callback::AdminAnnounceSend,
            ["ad", "ax"] => Callback::AdminAnnounceCancel,
            ["ad", "d"] => Callback::AdminDelivery,
            ["fw", kind, target, on] if matches!(*kind, "d" | "a") && is_area_key(target) => {
                Callback::Follow { kind: kind.chars().next()?, target: (*target).to_owned(), on: flag(on)? }
            }
            ["fp", id, on] => Callback::FollowProject { id: number(id)?, on: flag(on)? },
            ["mv", id] => Callback::ViewMeeting { id: number(id)? },
            ["mr", id, going] => Callback::MeetingRsvp { id: number(id)?, going: flag(going)? },
            ["mc", id] => Callback::MeetingCalendar { id: number(id)? },
            ["mf", id] => Callback::MeetingFollowDong { id: number(id)? },
            ["vr", round] => Callback::VoteRound { round: number(round)? },
            ["vt", round, project] => Callback::VoteTap { round: number(round)?, project: number(project)? },
            ["vp", round, project, up] => {
                Callback::VotePoints { round: number(round)?, project: number(project)?, up: flag(up)? }
            }
            ["vg", round, page] => Callback::VotePage { round: number(round)?, page: number(page)? },
            ["vs", round] => Callback::VoteSubmit { round: number(round)? },
            ["vc", round] => Callback::VoteConfirm { round: number(round)? },
            ["ve", round] => Callback::VoteEdit { round: number(round)? },
            ["vo"] => Callback::VoteRemindersOff,
            ["pp"] => Callback::PaperRounds,
            ["pp", round] => Callback::PaperRound { round: number(round)? },
            ["ad", "rl"] => Callback::AdminRounds,
            ["ad", "rv", id] => Callback::AdminRound { id: number(id)? },
            ["ad", "ro", round] => Callback::AdminResults { round: number(round)? },
            ["ad", "rp", round] => Callback::AdminPublish { round: number(round)? },
            ["ad", "rx", round] => Callback::AdminExclusions { round: number(round)? },
            ["ad", "re", round, project] => Callback::AdminExclude { round: number(round)?, project: number(project)? },
            ["ad", "ri", round, project] => Callback::AdminReadmit { round: number(round)?, project: number(project)? },
            ["rs", round] => Callback::Results { round: number(round)? },
            ["pj", id] => Callback::Project { id: number(id)? },
            ["fk", round] => Callback::FollowPicks { round: number(round)? },
            ["ad", "xl"] => Callback::AdminExecution,
            ["ad", "ea"] => Callback::AdminEvalAreas,
            ["ad", "eo", area] if is_area_key(area) => Callback::AdminEvalOpen { area: (*area).to_owned() },
            ["ev", evaluation, project] => {
                Callback::EvalProject { evaluation: number(evaluation)?, project: number(project)? }
            }
            ["er", evaluation, project, rating] => Callback::EvalRate {
                evaluation: number(evaluation)?,
                project: number(project)?,
                rating: number(rating).filter(|r: &u8| (1..=5).contains(r))?,
            },
            ["ad", "xp", id] => Callback::AdminExecProject { id: number(id)? },
            ["ad", "xs", token, status] => {
                Callback::AdminExecStatus { token: number(token)?, status: number(status).filter(|s: &u8| *s < 5)? }
            }
            ["ad", "xk", token, photo] => Callback::AdminExecSkip { token: number(token)?, photo: flag(photo)? },
            ["ad", "xo", token] => Callback::AdminExecPost { token: number(token)? },
            ["ad", "rn"] => Callback::AdminRoundNew,
            ["ad", "ra", area] if is_area_key(area) => Callback::AdminRoundArea { area: (*area).to_owned() },
            ["ad", "rs", area, stage] if is_area_key(area) => {
                Callback::AdminRoundStage { area: (*area).to_owned(), stage: stage.parse().ok()? }
            }
            ["ad", "rk", token, kind] if ["approval", "ranked", "knapsack", "cumulative"].contains(kind) => {
                Callback::AdminRoundKind { token: token_of(token)?, kind: (*kind).to_owned() }
            }
            ["ad", "rr", token, rule] if RULES.contains(rule) => {
                Callback::AdminRoundRule { token: token_of(token)?, rule: (*rule).to_owned() }
            }
            ["ad", "ry", token] => Callback::AdminRoundSave { token: token_of(token)? },
            ["ad", "f"] => Callback::AdminFacilitators,
            ["ad", "fa", grant] => Callback::AdminFacilitatorAsk { grant: flag(grant)? },
            ["co", id] => Callback::CheckinOpen { id: number(id)? },
            ["cx", id] => Callback::CheckinClose { id: number(id)? },
            ["ad", "ml"] => Callback::AdminMeetings,
            ["ad", "mv", id] => Callback::AdminMeeting { id: number(id)? },
            ["ad", "mn"] => Callback::AdminMeetingNew,
            ["ad", "ma", area] if is_area_key(area) => Callback::AdminMeetingArea { area: (*area).to_owned() },
            ["ad", "ms", area, stage] if is_area_key(area) => {
                Callback::AdminMeetingStage { area: (*area).to_owned(), stage: stage.parse().ok()? }
            }
            ["ad", "mk", token] => Callback::AdminMeetingSkip { token: token_of(token)? },
            ["ad", "my", token] => Callback::AdminMeetingSave { token: token_of(token)? },
            ["ad", "mm", id, seq] => Callback::AdminMeetingMove { id: number(id)?, sequence: number(seq)? },
            ["ad", "md", id, seq] => Callback::AdminMeetingMoveDo { id: number(id)?, sequence: number(seq)? },
            ["ad", "mc", id, seq] => Callback::AdminMeetingCancel { id: number(id)?, sequence: number(seq)? },
            ["ad", "mx", id, seq] => Callback::AdminMeetingCancelDo { id: number(id)?, sequence: number(seq)? },
            ["fg", "y"] => Callback::Forget { confirm: true },
            ["fg", "n"] => Callback::Forget { confirm: false },
            _ => return None,
        };
        // Only the canonical spelling is accepted, so `pv:007` or `lang:KO` are refused too.
        (callback.encode() == data).then_some(callback)
    }

    /// Whether the button belongs to the officials' menus (checked against the sender every time).
    pub fn is_admin(&self) -> bool {
        matches!(
            self,
            Callback::AdminMenu
                | Callback::AdminReview { .. }
                | Callback::AdminPhases
                | Callback::AdminPhaseAsk { .. }
                | Callback::AdminPhaseMove { .. }
                | Callback::Review { .. }
                | Callback::AdminCodes
                | Callback::AdminCodesDong { .. }
                | Callback::AdminCodesIssue { .. }
                | Callback::AdminUnbind
                | Callback::AdminAnnounce
                | Callback::AdminAnnounceArea { .. }
                | Callback::AdminAnnounceEnglish
                | Callback::AdminAnnounceSend
                | Callback::AdminAnnounceCancel
                | Callback::AdminDelivery
                | Callback::AdminRounds
                | Callback::AdminRound { .. }
                | Callback::AdminResults { .. }
                | Callback::AdminPublish { .. }
                | Callback::AdminExclusions { .. }
                | Callback::AdminExclude { .. }
                | Callback::AdminReadmit { .. }
                | Callback::AdminExecution
                | Callback::AdminEvalAreas
                | Callback::AdminEvalOpen { .. }
                | Callback::AdminExecProject { .. }
                | Callback::AdminExecStatus { .. }
                | Callback::AdminExecSkip { .. }
                | Callback::AdminExecPost { .. }
                | Callback::AdminRoundNew
                | Callback::AdminRoundArea { .. }
                | Callback::AdminRoundStage { .. }
                | Callback::AdminRoundKind { .. }
                | Callback::AdminRoundRule { .. }
                | Callback::AdminRoundSave { .. }
                | Callback::AdminFacilitators
                | Callback::AdminFacilitatorAsk { .. }
                | Callback::AdminMeetings
                | Callback::AdminMeeting { .. }
                | Callback::AdminMeetingNew
                | Callback::AdminMeetingArea { .. }
                | Callback::AdminMeetingStage { .. }
                | Callback::AdminMeetingSkip { .. }
                | Callback::AdminMeetingSave { .. }
                | Callback::AdminMeetingMove { .. }
                | Callback::AdminMeetingMoveDo { .. }
                | Callback::AdminMeetingCancel { .. }
                | Callback::AdminMeetingCancelDo { .. }
        )
    }
}

fn flag(s: &str) -> Option<bool> {
    match s {
        "1" => Some(true),
        "0" => Some(false),
        _ => None,
    }
}

fn number<T: FromStr>(s: &str) -> Option<T> {
    if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    s.parse().ok()
}

fn is_area_key(s: &str) -> bool {
    (1..=24).contains(&s.len()) && s.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
}

fn radix36(mut n: u32) -> String {
    const DIGITS: &[u8] = b"0123456789abcdefghijklmnopqrstuvwxyz";
    let mut out = Vec::new();
    loop {
        out.push(DIGITS[(n % 36) as usize]);
        n /= 36;
        if n == 0 {
            break;
        }
    }
    out.reverse();
    String::from_utf8(out).expect("ASCII digits")
}

fn token_of(s: &str) -> Option<u32> {
    if s.is_empty() || s.len() > 7 || !s.bytes().all(|b| b.is_ascii_digit() || b.is_ascii_lowercase()) {
        return None;
    }
    u32::from_str_radix(s, 36).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn all_kinds() -> Vec<Callback> {
        vec![
            Callback::SetLang(Lang::Ko),
            Callback::SetLang(Lang::En),
            Callback::ProposeArea { token: u32::MAX, area: "namgajwa2".into() },
            Callback::ProposeArea { token: 0, area: "abcdefghijklmnopqrstuvwx".into() },
            Callback::ProposeSkip { token: 77 },
            Callback::ProposeConfirm { token: 1, action: ConfirmAction::Submit },
            Callback::ProposeConfirm { token: 1, action: ConfirmAction::Edit },
            Callback::ProposeConfirm { token: 1, action: ConfirmAction::Cancel },
            Callback::ProposeEdit { token: 9, field: Field::Location },
            Callback::BrowseAreas,
            Callback::BrowseList { area: "abcdefghijklmnopqrstuvwx".into(), page: u32::MAX },
            Callback::ViewProposal { id: i64::MAX },
            Callback::ViewPhoto { id: 3 },
            Callback::AdminMenu,
            Callback::AdminReview { after: i64::MAX },
            Callback::AdminPhases,
            Callback::AdminPhaseAsk { from: Phase::DongMeeting1, to: Phase::Execution },
            Callback::AdminPhaseMove { from: Phase::DongMeeting1, to: Phase::Execution },
            Callback::Review { id: i64::MAX, verdict: Verdict::Eligible },
            Callback::Review { id: 1, verdict: Verdict::Ineligible },
            Callback::Review { id: 1, verdict: Verdict::Next },
            Callback::Forget { confirm: true },
            Callback::Forget { confirm: false },
            Callback::Unsubscribe { kind: 'd', target: "abcdefghijklmnopqrstuvwx".into() },
            Callback::Unsubscribe { kind: 'p', target: "9223372036854775807".into() },
            Callback::AdminCodes,
            Callback::AdminCodesDong { dong: "abcdefghijklmnopqrstuvwx".into() },
            Callback::AdminCodesIssue { dong: "abcdefghijklmnopqrstuvwx".into(), count: u32::MAX },
            Callback::AdminUnbind,
            Callback::AdminAnnounce,
            Callback::AdminAnnounceArea { area: "abcdefghijklmnopqrstuvwx".into() },
            Callback::AdminAnnounceEnglish,
            Callback::AdminAnnounceSend,
            Callback::AdminAnnounceCancel,
            Callback::AdminDelivery,
            Callback::Follow { kind: 'd', target: "abcdefghijklmnopqrstuvwx".into(), on: true },
            Callback::Follow { kind: 'a', target: "all".into(), on: false },
            Callback::FollowProject { id: i64::MAX, on: true },
            Callback::FollowProject { id: 1, on: false },
            Callback::ViewMeeting { id: i64::MAX },
            Callback::MeetingRsvp { id: i64::MAX, going: true },
            Callback::MeetingRsvp { id: 1, going: false },
            Callback::MeetingCalendar { id: 7 },
            Callback::MeetingFollowDong { id: i64::MAX },
            Callback::VoteRound { round: i64::MAX },
            Callback::VoteTap { round: i64::MAX, project: i64::MAX },
            Callback::VotePoints { round: i64::MAX, project: i64::MAX, up: true },
            Callback::VotePoints { round: 1, project: 2, up: false },
            Callback::VotePage { round: i64::MAX, page: u32::MAX },
            Callback::VoteSubmit { round: i64::MAX },
            Callback::VoteConfirm { round: i64::MAX },
            Callback::VoteEdit { round: 3 },
            Callback::VoteRemindersOff,
            Callback::PaperRounds,
            Callback::PaperRound { round: i64::MAX },
            Callback::AdminRounds,
            Callback::AdminRound { id: i64::MAX },
            Callback::AdminResults { round: i64::MAX },
            Callback::AdminPublish { round: i64::MAX },
            Callback::AdminExclusions { round: i64::MAX },
            Callback::AdminExclude { round: i64::MAX, project: i64::MAX },
            Callback::AdminReadmit { round: i64::MAX, project: i64::MAX },
            Callback::Results { round: i64::MAX },
            Callback::Project { id: i64::MAX },
            Callback::FollowPicks { round: i64::MAX },
            Callback::AdminExecution,
            Callback::AdminEvalAreas,
            Callback::AdminEvalOpen { area: "abcdefghijklmnopqrstuvwx".into() },
            Callback::EvalProject { evaluation: i64::MAX, project: i64::MAX },
            Callback::EvalRate { evaluation: i64::MAX, project: i64::MAX, rating: 5 },
            Callback::AdminExecProject { id: i64::MAX },
            Callback::AdminExecStatus { token: u32::MAX, status: 4 },
            Callback::AdminExecSkip { token: u32::MAX, photo: true },
            Callback::AdminExecPost { token: u32::MAX },
            Callback::AdminRoundNew,
            Callback::AdminRoundArea { area: "abcdefghijklmnopqrstuvwx".into() },
            Callback::AdminRoundStage { area: "abcdefghijklmnopqrstuvwx".into(), stage: RoundStage::Committee },
            Callback::AdminRoundKind { token: u32::MAX, kind: "cumulative".into() },
            Callback::AdminRoundRule { token: u32::MAX, rule: "mes-completed".into() },
            Callback::AdminRoundSave { token: u32::MAX },
            Callback::AdminFacilitators,
            Callback::AdminFacilitatorAsk { grant: true },
            Callback::AdminFacilitatorAsk { grant: false },
            Callback::CheckinOpen { id: i64::MAX },
            Callback::CheckinClose { id: 4 },
            Callback::AdminMeetings,
            Callback::AdminMeeting { id: i64::MAX },
            Callback::AdminMeetingNew,
            Callback::AdminMeetingArea { area: "abcdefghijklmnopqrstuvwx".into() },
            Callback::AdminMeetingStage { area: "abcdefghijklmnopqrstuvwx".into(), stage: Stage::Committee },
            Callback::AdminMeetingSkip { token: u32::MAX },
            Callback::AdminMeetingSave { token: 0 },
            Callback::AdminMeetingMove { id: i64::MAX, sequence: i64::MAX },
            Callback::AdminMeetingMoveDo { id: i64::MAX, sequence: i64::MAX },
            Callback::AdminMeetingCancel { id: 1, sequence: 0 },
            Callback::AdminMeetingCancelDo { id: i64::MAX, sequence: i64::MAX },
        ]
    }

    #[test]
    fn every_payload_round_trips_within_64_bytes() {
        for cb in all_kinds() {
            let data = cb.encode();
            assert!(data.len() <= MAX_CALLBACK_BYTES, "{data} is {} bytes", data.len());
            assert_eq!(Callback::parse(&data), Some(cb), "{data}");
        }
    }

    #[test]
    fn forged_and_truncated_payloads_are_refused() {
        for bad in [
            "",
            "lang",
            "lang:KO",
            "lang:de",
            "pv:",
            "pv:-1",
            "pv:007",
            "pv:1x",
            "pa:1:Sinchon",
            "pa::sinchon",
            "pc:1:z",
            "pe:1:q",
            "ls:sinchon",
            "ls:sinchon:-1",
            "ad",
            "ad:x",
            "ad:pa:proposals",
            "ad:pm:proposals:voting",
            "rv:1",
            "rv:1:yes",
            "fw:p:1:1",
            "fw:d:sinchon:2",
            "fw:d:sinchon",
            "fp:1:true",
            "fp:-1:1",
            "ad:aa:",
            "rv:1:y:extra",
            "pv:99999999999999999999",
            "pk:zzzzzzzz",
            "ad:ms:sinchon:third",
            "ad:mm:1",
            "ad:mx:1:-1",
            "co:abc",
            "vt:1",
            "vt:1:2:3",
            "vp:1:2:2",
            "vt:-1:2",
            "vg:1:x",
            "vc:",
            "ad:rk:1:plurality",
            "ad:rr:1:random",
            "ad:rs:sinchon:everyone",
        ] {
            assert_eq!(Callback::parse(bad), None, "{bad:?} was accepted");
        }
        assert_eq!(Callback::parse(&"x".repeat(65)), None);
    }

    #[test]
    fn admin_buttons_are_flagged() {
        let admin: Vec<bool> = all_kinds().iter().map(Callback::is_admin).collect();
        assert_eq!(admin.iter().filter(|a| **a).count(), 52);
        assert!(!Callback::CheckinOpen { id: 1 }.is_admin(), "facilitators open check-in too");
        assert!(!Callback::FollowProject { id: 1, on: true }.is_admin());
        assert!(!Callback::ViewProposal { id: 1 }.is_admin());
    }
}
