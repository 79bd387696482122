//! Pure participatory-budgeting logic: money, areas, phases, proposals, meetings.
//!
//! Nothing here knows about Telegram, databases or async runtimes, so every rule can be unit
//! tested on its own and reused by the bot, the command line and later the tally engine.

pub mod area;
pub mod ballot;
pub mod blend;
pub mod committee;
pub mod execution;
pub mod meeting;
pub mod money;
pub mod outcome;
pub mod pabulib;
pub mod phase;
pub mod proposal;
pub mod roll;
pub mod tally;
pub mod verification;

pub use area::{Area, AreaKind};
pub use committee::Course;
pub use money::{AmountError, Won};
pub use phase::Phase;
pub use proposal::{HistoryEntry, Location, NewProposal, Proposal, ProposalError, ProposalStatus, ReviewDecision};
