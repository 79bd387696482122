//! Proposals: what a resident submits, the checks it must pass, and its review status.

use std::{fmt, str::FromStr};

use super::money::Won;

pub const TITLE_MAX_CHARS: usize = 100;
pub const DESCRIPTION_MAX_CHARS: usize = 2_000;
pub const REASON_MAX_CHARS: usize = 500;

/// A resident's mistake while proposing; each is shown to them as a localised message.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ProposalError {
    #[error("title is empty")]
    TitleEmpty,
    #[error("title has {len} characters, at most {max}")]
    TitleTooLong { len: usize, max: usize },
    #[error("description is empty")]
    DescriptionEmpty,
    #[error("description has {len} characters, at most {max}")]
    DescriptionTooLong { len: usize, max: usize },
    #[error("cost {cost} is above the area's budget {pot}")]
    CostAbovePot { cost: Won, pot: Won },
}

/// A proposal title: trimmed, on one line, 1–100 characters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProposalTitle(String);

impl ProposalTitle {
    pub fn parse(input: &str) -> Result<Self, ProposalError> {
        let title = input.split_whitespace().collect::<Vec<_>>().join(" ");
        let len = title.chars().count();
        match len {
            0 => Err(ProposalError::TitleEmpty),
            n if n > TITLE_MAX_CHARS => Err(ProposalError::TitleTooLong { len: n, max: TITLE_MAX_CHARS }),
            _ => Ok(Self(title)),
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A proposal description: trimmed, 1–2,000 characters, line breaks kept.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProposalDescription(String);

impl ProposalDescription {
    pub fn parse(input: &str) -> Result<Self, ProposalError> {
        let text = input.trim();
        let len = text.chars().count();
        match len {
            0 => Err(ProposalError::DescriptionEmpty),
            n if n > DESCRIPTION_MAX_CHARS => {
                Err(ProposalError::DescriptionTooLong { len: n, max: DESCRIPTION_MAX_CHARS })
            }
            _ => Ok(Self(text.to_owned())),
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// An estimated or reviewed cost must fit the pot of the proposal's area.
pub fn check_cost(cost: Won, pot: Won) -> Result<Won, ProposalError> {
    if cost > pot { Err(ProposalError::CostAbovePot { cost, pot }) } else { Ok(cost) }
}

/// Where a proposal stands after submission.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ProposalStatus {
    /// Waiting for department review.
    Submitted,
    /// Reviewed as feasible, with a reviewed cost; goes to the ballot.
    Eligible,
    /// Reviewed as not feasible, with a public reason.
    Ineligible,
}

impl ProposalStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            ProposalStatus::Submitted => "submitted",
            ProposalStatus::Eligible => "eligible",
            ProposalStatus::Ineligible => "ineligible",
        }
    }
}

impl fmt::Display for ProposalStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for ProposalStatus {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "submitted" => Ok(ProposalStatus::Submitted),
            "eligible" => Ok(ProposalStatus::Eligible),
            "ineligible" => Ok(ProposalStatus::Ineligible),
            other => Err(format!("unknown proposal status `{other}`")),
        }
    }
}

/// A department's decision on a submitted proposal.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReviewDecision {
    Eligible { reviewed_cost: Won },
    Ineligible { reason: String },
}

impl ReviewDecision {
    pub fn status(&self) -> ProposalStatus {
        match self {
            ReviewDecision::Eligible { .. } => ProposalStatus::Eligible,
            ReviewDecision::Ineligible { .. } => ProposalStatus::Ineligible,
        }
    }
}

/// A proposal as stored: what the resident submitted and where its review stands.
#[derive(Debug, Clone, PartialEq)]
pub struct Proposal {
    pub id: i64,
    pub cycle_id: i64,
    pub area_key: String,
    /// `None` once the proposer has asked to be forgotten.
    pub proposer_id: Option<i64>,
    pub title: String,
    pub description: String,
    pub estimated_cost: Won,
    pub reviewed_cost: Option<Won>,
    pub status: ProposalStatus,
    pub ineligible_reason: Option<String>,
    pub photo_file_id: Option<String>,
    pub location: Option<Location>,
    pub created_at: i64,
}

/// Where a proposal would happen, as shared from Telegram.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Location {
    pub latitude: f64,
    pub longitude: f64,
}

/// A complete proposal, checked and ready to store.
#[derive(Debug, Clone, PartialEq)]
pub struct NewProposal {
    pub area_key: String,
    pub title: ProposalTitle,
    pub description: ProposalDescription,
    pub estimated_cost: Won,
    pub photo_file_id: Option<String>,
    pub location: Option<Location>,
}

/// One entry of a proposal's history.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HistoryEntry {
    pub status: ProposalStatus,
    pub note: Option<String>,
    pub at: i64,
}

/// The public reason for ineligibility: trimmed, 1–500 characters.
pub fn parse_reason(input: &str) -> Option<String> {
    let text = input.trim();
    let len = text.chars().count();
    (1..=REASON_MAX_CHARS).contains(&len).then(|| text.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn title_is_trimmed_to_one_line_and_bounded() {
        assert_eq!(ProposalTitle::parse("  작은  도서관\n만들기 ").unwrap().as_str(), "작은 도서관 만들기");
        assert_eq!(ProposalTitle::parse(" \n "), Err(ProposalError::TitleEmpty));
        let hundred = "가".repeat(100);
        assert!(ProposalTitle::parse(&hundred).is_ok());
        assert_eq!(
            ProposalTitle::parse(&format!("{hundred}나")),
            Err(ProposalError::TitleTooLong { len: 101, max: 100 })
        );
    }

    #[test]
    fn description_keeps_lines_and_is_bounded() {
        assert_eq!(ProposalDescription::parse(" a\nb ").unwrap().as_str(), "a\nb");
        assert_eq!(ProposalDescription::parse(""), Err(ProposalError::DescriptionEmpty));
        assert_eq!(
            ProposalDescription::parse(&"x".repeat(2001)),
            Err(ProposalError::DescriptionTooLong { len: 2001, max: 2000 })
        );
    }

    #[test]
    fn cost_must_fit_the_pot() {
        let pot = Won::from_i64(1_000).unwrap();
        assert!(check_cost(Won::from_i64(1_000).unwrap(), pot).is_ok());
        assert_eq!(
            check_cost(Won::from_i64(1_001).unwrap(), pot),
            Err(ProposalError::CostAbovePot { cost: Won::from_i64(1_001).unwrap(), pot })
        );
    }

    #[test]
    fn reasons_are_bounded() {
        assert_eq!(parse_reason("  법령 저촉 "), Some("법령 저촉".to_owned()));
        assert_eq!(parse_reason("   "), None);
        assert_eq!(parse_reason(&"가".repeat(501)), None);
    }
}
