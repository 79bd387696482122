//! Multi-step dialogues, kept in the database as JSON so a restart resumes them.

use std::hash::{BuildHasher, Hasher, RandomState};

use serde::{Deserialize, Serialize};

use super::{Ctx, callback::Field};
use crate::{domain::Location, store::StoreError};

/// Where a user is in a multi-step exchange with the bot.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Dialogue {
    Propose(ProposeDraft),
    /// An official is typing the reviewed cost of a proposal they marked eligible.
    ReviewCost {
        proposal_id: i64,
    },
    /// An official is typing the public reason a proposal is not eligible.
    ReviewReason {
        proposal_id: i64,
    },
    /// A resident asked to verify; a typed code or a shared contact is expected.
    Verify,
    /// An official is typing the phone number or Telegram id of a resident to unbind.
    AdminUnbind,
    /// An official is typing who gets (`grant`) or loses the facilitator role.
    AdminFacilitator {
        grant: bool,
    },
    /// An official is typing an announcement to `area` (an area key, or the district): first in
    /// Korean, then in English.
    Announce {
        area: String,
        korean: Option<String>,
    },
    /// The announcement is written; the official sees a preview and sends it or drops it.
    AnnouncePreview {
        area: String,
        korean: String,
        english: Option<String>,
    },
    /// A resident rated a project in an evaluation and may type a comment.
    EvalComment {
        evaluation: i64,
        project: i64,
        rating: u8,
    },
    /// An official is posting an update to a funded project's execution card, step by step.
    ExecutionUpdate(UpdateDraft),
    /// An official is typing the public reason project `project` is excluded from `round`.
    ExcludeReason {
        round: i64,
        project: i64,
    },
    /// A facilitator or official is typing paper ballots for a round, a line each.
    PaperEntry {
        round: i64,
    },
    /// An official is creating a ballot round, step by step.
    Round(RoundDraft),
    /// An official is scheduling a meeting, step by step.
    Meeting(MeetingDraft),
    /// An official is typing the new times of meeting `id` (as of `sequence`); once typed they
    /// wait in `to` for the official to confirm.
    MeetingMove {
        id: i64,
        sequence: i64,
        to: Option<(i64, i64)>,
    },
}

/// A ballot round being created from chat: area and stage first, then the kind, its limits
/// (typed numbers), the window (typed) and the rule.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RoundDraft {
    pub token: u32,
    pub area: String,
    pub stage: String,
    /// The ballot kind (not `kind`: that names the dialogue in its stored JSON).
    pub ballot_kind: Option<String>,
    /// approval: min, max; ranked: k; cumulative: points, per project; knapsack: none.
    pub limits: Option<Vec<u32>>,
    pub opens_at: Option<i64>,
    pub closes_at: Option<i64>,
    pub rule: Option<String>,
}

impl RoundDraft {
    pub fn new(area: String, stage: String) -> RoundDraft {
        RoundDraft {
            token: fresh_token(),
            area,
            stage,
            ballot_kind: None,
            limits: None,
            opens_at: None,
            closes_at: None,
            rule: None,
        }
    }
}

/// An execution update being written from chat: the status (a button), then typed progress,
/// spent, the Korean text, the English text (or `-`), and a reason when the update needs one.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct UpdateDraft {
    pub token: u32,
    pub project: i64,
    pub status: Option<String>,
    pub progress: Option<u8>,
    pub spent: Option<i64>,
    pub text_ko: Option<String>,
    pub text_en: Option<String>,
    /// The English text was typed or skipped.
    pub english_done: bool,
    /// A photo (Telegram file id), once sent or skipped.
    pub photo: Option<String>,
    pub photo_done: bool,
    pub reason: Option<String>,
}

impl UpdateDraft {
    pub fn new(project: i64) -> UpdateDraft {
        UpdateDraft {
            token: fresh_token(),
            project,
            status: None,
            progress: None,
            spent: None,
            text_ko: None,
            text_en: None,
            english_done: false,
            photo: None,
            photo_done: false,
            reason: None,
        }
    }
}

/// A meeting being scheduled from chat.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MeetingDraft {
    pub token: u32,
    pub step: MeetingStep,
    pub area: String,
    pub stage: String,
    pub starts_at: Option<i64>,
    pub ends_at: Option<i64>,
    pub venue_ko: Option<String>,
    pub venue_en: Option<String>,
    pub notes: Option<String>,
    pub capacity: Option<i64>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MeetingStep {
    When,
    Venue,
    Notes,
    Capacity,
    Confirm,
}

impl MeetingDraft {
    pub fn new(area: String, stage: String) -> MeetingDraft {
        MeetingDraft {
            token: fresh_token(),
            step: MeetingStep::When,
            area,
            stage,
            starts_at: None,
            ends_at: None,
            venue_ko: None,
            venue_en: None,
            notes: None,
            capacity: None,
        }
    }
}

/// A proposal being written, step by step.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ProposeDraft {
    /// Identifies this dialogue in its buttons, so buttons of an earlier one are stale.
    pub token: u32,
    pub step: Step,
    /// The resident came to this step from the summary and returns there after it.
    pub editing: bool,
    pub area: Option<String>,
    pub title: Option<String>,
    pub description: Option<String>,
    pub cost: Option<i64>,
    pub photo: Option<String>,
    pub location: Option<Location>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Step {
    Ask(Field),
    Confirm,
    ChooseEdit,
}

impl ProposeDraft {
    pub fn new() -> ProposeDraft {
        ProposeDraft {
            token: fresh_token(),
            step: Step::Ask(Field::Area),
            editing: false,
            area: None,
            title: None,
            description: None,
            cost: None,
            photo: None,
            location: None,
        }
    }

    /// The step after `field` has been answered.
    pub fn after(&self, field: Field) -> Step {
        if self.editing {
            return Step::Confirm;
        }
        match field {
            Field::Area => Step::Ask(Field::Title),
            Field::Title => Step::Ask(Field::Description),
            Field::Description => Step::Ask(Field::Cost),
            Field::Cost => Step::Ask(Field::Photo),
            Field::Photo => Step::Ask(Field::Location),
            Field::Location => Step::Confirm,
        }
    }
}

impl Default for ProposeDraft {
    fn default() -> Self {
        Self::new()
    }
}

/// A token unlikely to repeat between a user's dialogues; it only has to tell them apart.
fn fresh_token() -> u32 {
    let mut hasher = RandomState::new().build_hasher();
    hasher.write_u128(std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_nanos()));
    (hasher.finish() & 0xffff_ffff) as u32
}

/// The dialogue changed between loading and saving it (two of one resident's updates handled
/// at once, on two replicas).
#[derive(Debug, thiserror::Error)]
#[error("the dialogue changed while this update was handled")]
pub struct DialogueChanged;

/// The stored dialogue and its exact JSON (needed to end it exactly once).
pub struct Loaded {
    pub dialogue: Dialogue,
    pub json: String,
}

impl Ctx {
    /// The user's dialogue; an unreadable stored state (e.g. from an older version) is dropped.
    pub async fn dialogue(&self) -> Result<Option<Loaded>, StoreError> {
        let Some(json) = self.store.dialogue(self.user_id).await? else { return Ok(None) };
        match serde_json::from_str(&json) {
            Ok(dialogue) => Ok(Some(Loaded { dialogue, json })),
            Err(e) => {
                tracing::warn!(user = self.user_id, error = %e, "dropping unreadable dialogue state");
                self.store.clear_dialogue(self.user_id).await?;
                Ok(None)
            }
        }
    }

    /// Moves a dialogue on from the state it was loaded in; fails with [`DialogueChanged`] when
    /// another process moved it meanwhile, so the caller can start again from the fresh state.
    /// Replaces the dialogue if it is still `expected`; the new state as stored.
    pub async fn replace_dialogue(&self, expected: &str, dialogue: &Dialogue) -> Result<String, super::BotError> {
        let json = serde_json::to_string(dialogue).map_err(|e| StoreError::Corrupt(e.to_string()))?;
        if self.store.replace_dialogue(self.user_id, expected, &json, self.now_ts()).await? {
            Ok(json)
        } else {
            Err(Box::new(DialogueChanged))
        }
    }

    pub async fn save_dialogue(&self, dialogue: &Dialogue) -> Result<String, StoreError> {
        let json = serde_json::to_string(dialogue).map_err(|e| StoreError::Corrupt(e.to_string()))?;
        self.store.set_dialogue(self.user_id, &json, self.now_ts()).await?;
        Ok(json)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn steps_follow_the_form_and_editing_returns_to_the_summary() {
        let mut d = ProposeDraft::new();
        assert_eq!(d.after(Field::Area), Step::Ask(Field::Title));
        assert_eq!(d.after(Field::Cost), Step::Ask(Field::Photo));
        assert_eq!(d.after(Field::Location), Step::Confirm);
        d.editing = true;
        assert_eq!(d.after(Field::Area), Step::Confirm);
    }

    #[test]
    fn a_round_draft_survives_json() {
        let mut draft = RoundDraft::new("sinchon".into(), "dong".into());
        draft.ballot_kind = Some("approval".into());
        let json = serde_json::to_string(&Dialogue::Round(draft.clone())).unwrap();
        assert_eq!(serde_json::from_str::<Dialogue>(&json).unwrap(), Dialogue::Round(draft));
    }

    #[test]
    fn state_survives_json() {
        let mut d = ProposeDraft::new();
        d.location = Some(Location { latitude: 37.57, longitude: 126.94 });
        let json = serde_json::to_string(&Dialogue::Propose(d.clone())).unwrap();
        assert_eq!(serde_json::from_str::<Dialogue>(&json).unwrap(), Dialogue::Propose(d));
        assert_ne!(ProposeDraft::new().token, ProposeDraft::new().token);
    }
}
