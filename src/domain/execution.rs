//! Carrying out funded projects (DESIGN §1 `execution`, §8): each funded project has an
//! execution card — department, approved amount, spent so far, progress, status — which
//! officials update; every update says what changed since the last one.
//!
//! The rules an update must keep: progress is 0–100 and only moves back with a reason; what
//! is spent never exceeds the approved amount without an explanation; a cancellation says why;
//! a project is completed at 100%.

use std::{fmt, str::FromStr};

use super::Won;

/// The longest update text (per language), reason or department name.
pub const TEXT_MAX_CHARS: usize = 1_000;
pub const REASON_MAX_CHARS: usize = 500;
pub const DEPARTMENT_MAX_CHARS: usize = 100;

/// Where a funded project stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Status {
    Planned,
    InProgress,
    Delayed,
    Completed,
    Cancelled,
}

impl Status {
    pub const ALL: [Status; 5] =
        [Status::Planned, Status::InProgress, Status::Delayed, Status::Completed, Status::Cancelled];

    pub fn as_str(self) -> &'static str {
        match self {
            Status::Planned => "planned",
            Status::InProgress => "in_progress",
            Status::Delayed => "delayed",
            Status::Completed => "completed",
            Status::Cancelled => "cancelled",
        }
    }
}

impl fmt::Display for Status {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Status {
    type Err = String;

    fn from_str(s: &str) -> Result<Status, String> {
        Status::ALL
            .into_iter()
            .find(|status| status.as_str() == s)
            .ok_or_else(|| format!("`{s}` is not a status (planned, in_progress, delayed, completed, cancelled)"))
    }
}

/// A funded project's execution card as it stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Card {
    pub proposal_id: i64,
    /// The department in charge, once assigned.
    pub department: Option<String>,
    pub approved: Won,
    pub spent: Won,
    /// 0–100.
    pub progress: u8,
    pub status: Status,
    /// Why it was cancelled, or why spending went over the approved amount, as last stated.
    pub note: Option<String>,
    pub updated_at: i64,
}

/// What an official states in an update.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Update {
    pub status: Status,
    pub progress: u8,
    pub spent: Won,
    /// The news, in Korean (required) and English (optional: Korean is shown otherwise).
    pub text_ko: String,
    pub text_en: Option<String>,
    /// Required to cancel, to move progress back, or to spend beyond the approved amount.
    pub reason: Option<String>,
    /// A Telegram photo (file id).
    pub photo: Option<String>,
    /// The department in charge, when it is set or changes.
    pub department: Option<String>,
}

/// Why an update was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum UpdateError {
    #[error("progress {0} is outside 0–100")]
    ProgressRange(u32),
    #[error("progress moves back from {from} to {to} without a reason")]
    ProgressBack { from: u8, to: u8 },
    #[error("spent {spent} exceeds the approved {approved} without an explanation")]
    Overspent { spent: Won, approved: Won },
    #[error("a cancellation needs a reason")]
    CancelWithoutReason,
    #[error("a completed project is at 100%, not {0}%")]
    CompletedBelow100(u8),
    #[error("the update needs a text in Korean")]
    TextMissing,
    #[error("{what} has {len} characters, at most {max}")]
    TooLong { what: &'static str, len: usize, max: usize },
    #[error("the project is cancelled; it takes no more updates")]
    Closed,
}

/// What an update changed since the card as it stood.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Changes {
    pub status: Option<(Status, Status)>,
    pub progress: Option<(u8, u8)>,
    pub spent: Option<(Won, Won)>,
    pub department: Option<(Option<String>, String)>,
}

impl Changes {
    pub fn is_empty(&self) -> bool {
        self.status.is_none() && self.progress.is_none() && self.spent.is_none() && self.department.is_none()
    }
}

impl Card {
    /// The card as `update` (already checked) leaves it at `now`.
    pub fn after(&self, update: &Update, now: i64) -> Card {
        let trimmed = |t: &Option<String>| t.as_deref().map(str::trim).filter(|t| !t.is_empty()).map(str::to_owned);
        Card {
            department: trimmed(&update.department).or_else(|| self.department.clone()),
            spent: update.spent,
            progress: update.progress,
            status: update.status,
            note: trimmed(&update.reason).or_else(|| self.note.clone()),
            updated_at: now,
            ..self.clone()
        }
    }
}

/// A step of a project as planned: what, by when, and when it was done.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Milestone {
    pub title_ko: String,
    pub title_en: Option<String>,
    pub due_on: chrono::NaiveDate,
    pub done_on: Option<chrono::NaiveDate>,
}

/// The longest milestone title.
pub const MILESTONE_MAX_CHARS: usize = 100;

/// A quarter of a year, as officials write it: `2027Q1`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Quarter {
    pub year: i32,
    /// 1–4.
    pub number: u32,
}

impl Quarter {
    pub fn parse(text: &str) -> Option<Quarter> {
        let (year, number) =
            text.trim().to_ascii_uppercase().split_once('Q').map(|(y, q)| (y.to_owned(), q.to_owned()))?;
        let year: i32 = year.trim_end_matches('-').parse().ok().filter(|y| (2000..=2100).contains(y))?;
        let number: u32 = number.parse().ok().filter(|q| (1..=4).contains(q))?;
        Some(Quarter { year, number })
    }

    /// Its first month and the first month after it, as (year, month).
    pub fn months(self) -> ((i32, u32), (i32, u32)) {
        let first = 3 * (self.number - 1) + 1;
        let next = if self.number == 4 { (self.year + 1, 1) } else { (self.year, first + 3) };
        ((self.year, first), next)
    }
}

impl fmt::Display for Quarter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}Q{}", self.year, self.number)
    }
}

/// Progress as typed: a whole number 0–100, `%` allowed.
pub fn parse_progress(text: &str) -> Result<u8, UpdateError> {
    let digits = text.trim().trim_end_matches('%').trim();
    match digits.parse::<u32>() {
        Ok(n) if n <= 100 => Ok(n as u8),
        Ok(n) => Err(UpdateError::ProgressRange(n)),
        Err(_) => Err(UpdateError::ProgressRange(u32::MAX)),
    }
}

fn length(what: &'static str, text: &str, max: usize) -> Result<(), UpdateError> {
    let len = text.chars().count();
    if len > max { Err(UpdateError::TooLong { what, len, max }) } else { Ok(()) }
}

/// Checks `update` against `card` and says what it changes.
pub fn check(card: &Card, update: &Update) -> Result<Changes, UpdateError> {
    if card.status == Status::Cancelled {
        return Err(UpdateError::Closed);
    }
    if update.progress > 100 {
        return Err(UpdateError::ProgressRange(u32::from(update.progress)));
    }
    if update.text_ko.trim().is_empty() {
        return Err(UpdateError::TextMissing);
    }
    length("the Korean text", &update.text_ko, TEXT_MAX_CHARS)?;
    if let Some(text) = &update.text_en {
        length("the English text", text, TEXT_MAX_CHARS)?;
    }
    let reason = update.reason.as_deref().map(str::trim).filter(|r| !r.is_empty());
    if let Some(reason) = reason {
        length("the reason", reason, REASON_MAX_CHARS)?;
    }
    if let Some(department) = &update.department {
        length("the department", department, DEPARTMENT_MAX_CHARS)?;
    }
    if update.progress < card.progress && reason.is_none() {
        return Err(UpdateError::ProgressBack { from: card.progress, to: update.progress });
    }
    if update.spent > card.approved && reason.is_none() {
        return Err(UpdateError::Overspent { spent: update.spent, approved: card.approved });
    }
    if update.status == Status::Cancelled && reason.is_none() {
        return Err(UpdateError::CancelWithoutReason);
    }
    if update.status == Status::Completed && update.progress != 100 {
        return Err(UpdateError::CompletedBelow100(update.progress));
    }
    let department = update
        .department
        .as_deref()
        .map(str::trim)
        .filter(|d| !d.is_empty() && card.department.as_deref() != Some(*d))
        .map(|d| (card.department.clone(), d.to_owned()));
    Ok(Changes {
        status: (update.status != card.status).then_some((card.status, update.status)),
        progress: (update.progress != card.progress).then_some((card.progress, update.progress)),
        spent: (update.spent != card.spent).then_some((card.spent, update.spent)),
        department,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn won(n: i64) -> Won {
        Won::from_i64(n).unwrap()
    }

    fn card() -> Card {
        Card {
            proposal_id: 7,
            department: None,
            approved: won(30_000_000),
            spent: won(10_000_000),
            progress: 40,
            status: Status::InProgress,
            note: None,
            updated_at: 0,
        }
    }

    fn update(status: Status, progress: u8, spent: i64) -> Update {
        Update {
            status,
            progress,
            spent: won(spent),
            text_ko: "공사 중".into(),
            text_en: None,
            reason: None,
            photo: None,
            department: None,
        }
    }

    #[test]
    fn an_update_says_what_changed() {
        let mut next = update(Status::Delayed, 55, 12_000_000);
        next.department = Some("  도시디자인과 ".into());
        let changes = check(&card(), &next).unwrap();
        assert_eq!(changes.status, Some((Status::InProgress, Status::Delayed)));
        assert_eq!(changes.progress, Some((40, 55)));
        assert_eq!(changes.spent, Some((won(10_000_000), won(12_000_000))));
        assert_eq!(changes.department, Some((None, "도시디자인과".into())));
        assert!(check(&card(), &update(Status::InProgress, 40, 10_000_000)).unwrap().is_empty());
        let after = card().after(&next, 99);
        assert_eq!((after.status, after.progress, after.updated_at), (Status::Delayed, 55, 99));
        assert_eq!(after.department.as_deref(), Some("도시디자인과"));
    }

    #[test]
    fn going_back_overspending_and_cancelling_need_a_reason() {
        assert_eq!(
            check(&card(), &update(Status::InProgress, 30, 10_000_000)),
            Err(UpdateError::ProgressBack { from: 40, to: 30 })
        );
        assert_eq!(
            check(&card(), &update(Status::InProgress, 50, 31_000_000)),
            Err(UpdateError::Overspent { spent: won(31_000_000), approved: won(30_000_000) })
        );
        assert_eq!(check(&card(), &update(Status::Cancelled, 40, 10_000_000)), Err(UpdateError::CancelWithoutReason));
        let mut explained = update(Status::Cancelled, 30, 31_000_000);
        explained.reason = Some("부지 소유권 분쟁".into());
        assert!(check(&card(), &explained).is_ok());
        explained.reason = Some("   ".into());
        assert_eq!(check(&card(), &explained), Err(UpdateError::ProgressBack { from: 40, to: 30 }));
    }

    #[test]
    fn completion_is_at_100_and_a_cancelled_project_takes_no_more_updates() {
        assert_eq!(check(&card(), &update(Status::Completed, 90, 1)), Err(UpdateError::CompletedBelow100(90)));
        assert!(check(&card(), &update(Status::Completed, 100, 29_000_000)).is_ok());
        let cancelled = Card { status: Status::Cancelled, ..card() };
        assert_eq!(check(&cancelled, &update(Status::Planned, 40, 1)), Err(UpdateError::Closed));
    }

    #[test]
    fn texts_and_progress_are_checked() {
        let mut empty = update(Status::InProgress, 50, 1);
        empty.text_ko = " ".into();
        assert_eq!(check(&card(), &empty), Err(UpdateError::TextMissing));
        let mut long = update(Status::InProgress, 50, 1);
        long.text_en = Some("x".repeat(TEXT_MAX_CHARS + 1));
        assert!(matches!(check(&card(), &long), Err(UpdateError::TooLong { what: "the English text", .. })));
        assert_eq!(parse_progress(" 75 % "), Ok(75));
        assert_eq!(parse_progress("101"), Err(UpdateError::ProgressRange(101)));
        assert!(parse_progress("-3").is_err() && parse_progress("half").is_err());
        assert_eq!(check(&card(), &update(Status::InProgress, 101, 1)), Err(UpdateError::ProgressRange(101)));
        assert_eq!("in_progress".parse::<Status>(), Ok(Status::InProgress));
        assert_eq!(Quarter::parse("2027q4").map(Quarter::months), Some(((2027, 10), (2028, 1))));
        assert_eq!(Quarter::parse("2027-Q2").map(|q| q.to_string()), Some("2027Q2".into()));
        assert!(Quarter::parse("2027Q5").is_none() && Quarter::parse("Q1").is_none());
        assert!("done".parse::<Status>().is_err());
    }
}
