//! The phases of a PB cycle (DESIGN §1) and what each one allows.

use std::{fmt, str::FromStr};

/// Where a budget year's cycle stands. Officials move it; phases gate what residents may do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Phase {
    Proposals,
    DongMeeting1,
    Review,
    DongVoting,
    Committee,
    Published,
    Execution,
}

impl Phase {
    pub const ALL: [Phase; 7] = [
        Phase::Proposals,
        Phase::DongMeeting1,
        Phase::Review,
        Phase::DongVoting,
        Phase::Committee,
        Phase::Published,
        Phase::Execution,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Phase::Proposals => "proposals",
            Phase::DongMeeting1 => "dong_meeting_1",
            Phase::Review => "review",
            Phase::DongVoting => "dong_voting",
            Phase::Committee => "committee",
            Phase::Published => "published",
            Phase::Execution => "execution",
        }
    }

    /// Residents may submit new proposals only while proposals are being collected.
    pub fn accepts_proposals(self) -> bool {
        self == Phase::Proposals
    }
}

impl fmt::Display for Phase {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "unknown phase `{0}` (expected one of: proposals, dong_meeting_1, review, dong_voting, committee, published, execution)"
)]
pub struct UnknownPhase(pub String);

impl FromStr for Phase {
    type Err = UnknownPhase;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Phase::ALL.into_iter().find(|p| p.as_str() == s).ok_or_else(|| UnknownPhase(s.to_owned()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_and_only_proposals_accepts_proposals() {
        for phase in Phase::ALL {
            assert_eq!(phase.as_str().parse::<Phase>(), Ok(phase));
            assert_eq!(phase.accepts_proposals(), phase == Phase::Proposals);
        }
        assert!("voting".parse::<Phase>().is_err());
    }
}
