//! Priority ballots (DESIGN §5): the four kinds and their limits, a ballot as it is built tap by
//! tap (every edit checked against the limits, so the live message never shows an impossible
//! ballot), what is still needed before submitting, ballots typed as text, and receipts.
//!
//! The same checks run on every path: a tap, a typed ballot, a paper ballot and the final
//! submit all go through [`Ballot::check`].

use std::{collections::BTreeMap, fmt, str::FromStr};

use rand::Rng;

use super::Won;

/// Which body a round belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RoundStage {
    /// Verified residents of one dong.
    Dong,
    /// Any verified resident of the district.
    District,
    /// Appointed committee members.
    Committee,
}

impl RoundStage {
    pub const ALL: [RoundStage; 3] = [RoundStage::Dong, RoundStage::District, RoundStage::Committee];

    pub fn as_str(self) -> &'static str {
        match self {
            RoundStage::Dong => "dong",
            RoundStage::District => "district",
            RoundStage::Committee => "committee",
        }
    }
}

impl fmt::Display for RoundStage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for RoundStage {
    type Err = String;

    fn from_str(s: &str) -> Result<RoundStage, String> {
        RoundStage::ALL
            .into_iter()
            .find(|stage| stage.as_str() == s)
            .ok_or_else(|| format!("`{s}` is not a round stage (dong, district, committee)"))
    }
}

/// A ballot kind with its limits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Pick at least `min` and at most `max` projects.
    Approval { min: u32, max: u32 },
    /// Order up to `max` projects; the first gets `max` points, the last ranked 1 (Borda).
    Ranked { max: u32 },
    /// Pick projects whose reviewed costs add up to at most the area's pot.
    Knapsack,
    /// Spread up to `points` points, at most `per_project` on one project.
    Cumulative { points: u32, per_project: u32 },
}

impl Kind {
    pub fn name(self) -> &'static str {
        match self {
            Kind::Approval { .. } => "approval",
            Kind::Ranked { .. } => "ranked",
            Kind::Knapsack => "knapsack",
            Kind::Cumulative { .. } => "cumulative",
        }
    }

    /// Limits that make sense for `projects` projects on the ballot.
    pub fn check_limits(self, projects: usize) -> Result<(), String> {
        let projects = u32::try_from(projects).unwrap_or(u32::MAX);
        match self {
            Kind::Approval { min, max } if max == 0 || min > max => {
                Err(format!("approval needs 0 ≤ min ≤ max and max ≥ 1 (min {min}, max {max})"))
            }
            Kind::Approval { min, .. } if min > projects => {
                Err(format!("approval asks for at least {min} picks but the ballot has {projects} projects"))
            }
            Kind::Ranked { max: 0 } => Err("ranked needs k ≥ 1".into()),
            Kind::Cumulative { points, per_project } if points == 0 || per_project == 0 || per_project > points => {
                Err(format!("cumulative needs 1 ≤ per-project ≤ points (points {points}, per project {per_project})"))
            }
            _ if projects == 0 => Err("the ballot has no project".into()),
            _ => Ok(()),
        }
    }
}

/// The outcome rules a round may name (DESIGN §6).
pub const RULES: [&str; 5] = ["greedy", "greedy-stop", "mes", "mes-completed", "phragmen"];

impl Kind {
    /// The outcome rules that can count this kind of ballot: sequential Phragmén needs approval
    /// ballots (approval, knapsack), not ranks or points.
    pub fn rules(self) -> &'static [&'static str] {
        match self {
            Kind::Approval { .. } | Kind::Knapsack => &RULES,
            Kind::Ranked { .. } | Kind::Cumulative { .. } => &RULES[..4],
        }
    }
}

/// A project on a ballot: its proposal number and the reviewed cost fixed at opening.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Project {
    pub id: i64,
    pub cost: Won,
}

/// What a round asks of a ballot.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rules {
    pub kind: Kind,
    pub projects: Vec<Project>,
    /// The area's pot (the knapsack limit).
    pub pot: Won,
}

/// A voter's choices: the projects picked with a weight each. For approval and knapsack the
/// weight is 1; for ranked it is the place (1 = first); for cumulative the points given.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Ballot {
    weights: BTreeMap<i64, u32>,
}

/// Why a ballot (or one edit of it) is refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BallotError {
    /// Not a project of this round.
    UnknownProject(i64),
    /// A project named twice in a typed ballot.
    Twice(i64),
    /// More picks (or ranks) than allowed.
    TooMany { max: u32 },
    /// Fewer picks than required.
    TooFew { min: u32 },
    /// The picks cost more than the pot.
    OverPot { total: Won, pot: Won },
    /// More points given than there are.
    OverPoints { points: u32 },
    /// More points on one project than allowed.
    OverPerProject { project: i64, per_project: u32 },
    /// Nothing picked.
    Empty,
    /// A typed ballot that cannot be read (for cumulative: `3:2 7:1`).
    Unreadable,
}

impl fmt::Display for BallotError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            BallotError::UnknownProject(id) => write!(f, "#{id} is not on this ballot"),
            BallotError::Twice(id) => write!(f, "#{id} is named twice"),
            BallotError::TooMany { max } => write!(f, "at most {max} projects"),
            BallotError::TooFew { min } => write!(f, "at least {min} projects"),
            BallotError::OverPot { total, pot } => write!(f, "costs {} > pot {}", total.format_en(), pot.format_en()),
            BallotError::OverPoints { points } => write!(f, "more than {points} points"),
            BallotError::OverPerProject { project, per_project } => {
                write!(f, "more than {per_project} points on #{project}")
            }
            BallotError::Empty => f.write_str("nothing picked"),
            BallotError::Unreadable => f.write_str("unreadable"),
        }
    }
}

/// Where a ballot stands against its limits, for the live message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Standing {
    pub picked: u32,
    /// Reviewed costs of the picks.
    pub spent: Won,
    pub points_used: u32,
    /// What must change before it may be submitted; `None` when it may be.
    pub needed: Option<BallotError>,
}

impl Rules {
    fn project(&self, id: i64) -> Result<&Project, BallotError> {
        self.projects.iter().find(|p| p.id == id).ok_or(BallotError::UnknownProject(id))
    }
}

impl Ballot {
    pub fn new() -> Ballot {
        Ballot::default()
    }

    /// The weight given to each project, by project.
    pub fn weights(&self) -> &BTreeMap<i64, u32> {
        &self.weights
    }

    /// Projects in the order the voter put them (ranked), else by number.
    pub fn order(&self) -> Vec<i64> {
        let mut ids: Vec<(u32, i64)> = self.weights.iter().map(|(id, w)| (*w, *id)).collect();
        ids.sort_unstable();
        ids.into_iter().map(|(_, id)| id).collect()
    }

    pub fn weight(&self, project: i64) -> u32 {
        self.weights.get(&project).copied().unwrap_or(0)
    }

    pub fn is_empty(&self) -> bool {
        self.weights.is_empty()
    }

    /// Stored form: `id:weight` pairs, e.g. `3:1,7:2`.
    pub fn encode(&self) -> String {
        self.weights.iter().map(|(id, w)| format!("{id}:{w}")).collect::<Vec<_>>().join(",")
    }

    /// Reads [`Ballot::encode`]'s form; `None` for anything else.
    pub fn decode(text: &str) -> Option<Ballot> {
        let mut weights = BTreeMap::new();
        for pair in text.split(',').filter(|p| !p.is_empty()) {
            let (id, weight) = pair.split_once(':')?;
            let (id, weight): (i64, u32) = (id.parse().ok()?, weight.parse().ok()?);
            if weight == 0 || weights.insert(id, weight).is_some() {
                return None;
            }
        }
        Some(Ballot { weights })
    }

    /// One tap on a project: approval and knapsack pick or unpick it; ranked puts it last or
    /// takes it out (the ranks after it move up). Refused when it would break a limit.
    pub fn tap(&self, rules: &Rules, project: i64) -> Result<Ballot, BallotError> {
        rules.project(project)?;
        let mut next = self.clone();
        match rules.kind {
            Kind::Approval { .. } | Kind::Knapsack => {
                if next.weights.remove(&project).is_none() {
                    next.weights.insert(project, 1);
                }
            }
            Kind::Ranked { .. } => match next.weights.remove(&project) {
                Some(rank) => next.weights.values_mut().filter(|r| **r > rank).for_each(|r| *r -= 1),
                None => {
                    let last = u32::try_from(next.weights.len()).unwrap_or(u32::MAX);
                    next.weights.insert(project, last + 1);
                }
            },
            Kind::Cumulative { .. } => return self.add_points(rules, project, 1),
        }
        next.within_limits(rules)?;
        Ok(next)
    }

    /// Cumulative: give (`delta` > 0) or take back points on a project.
    pub fn add_points(&self, rules: &Rules, project: i64, delta: i32) -> Result<Ballot, BallotError> {
        rules.project(project)?;
        let mut next = self.clone();
        let now = i64::from(next.weight(project)) + i64::from(delta);
        match u32::try_from(now) {
            Ok(0) | Err(_) => {
                next.weights.remove(&project);
            }
            Ok(points) => {
                next.weights.insert(project, points);
            }
        }
        next.within_limits(rules)?;
        Ok(next)
    }

    /// The limits a ballot may never pass, even while being built (not the minimum).
    fn within_limits(&self, rules: &Rules) -> Result<(), BallotError> {
        for id in self.weights.keys() {
            rules.project(*id)?;
        }
        let picked = u32::try_from(self.weights.len()).unwrap_or(u32::MAX);
        match rules.kind {
            Kind::Approval { max, .. } | Kind::Ranked { max } if picked > max => Err(BallotError::TooMany { max }),
            Kind::Ranked { .. } => {
                let mut ranks: Vec<u32> = self.weights.values().copied().collect();
                ranks.sort_unstable();
                // Ranks are 1, 2, … without gaps or ties.
                if ranks.iter().enumerate().any(|(i, r)| *r as usize != i + 1) {
                    return Err(BallotError::Unreadable);
                }
                Ok(())
            }
            Kind::Knapsack => {
                let total = self.spent(rules);
                if total > rules.pot { Err(BallotError::OverPot { total, pot: rules.pot }) } else { Ok(()) }
            }
            Kind::Cumulative { points, per_project } => {
                if let Some((project, _)) = self.weights.iter().find(|(_, w)| **w > per_project) {
                    return Err(BallotError::OverPerProject { project: *project, per_project });
                }
                if self.weights.values().sum::<u32>() > points {
                    return Err(BallotError::OverPoints { points });
                }
                Ok(())
            }
            Kind::Approval { .. } => {
                if self.weights.values().any(|w| *w != 1) {
                    return Err(BallotError::Unreadable);
                }
                Ok(())
            }
        }
    }

    fn spent(&self, rules: &Rules) -> Won {
        rules
            .projects
            .iter()
            .filter(|p| self.weights.contains_key(&p.id))
            .fold(Won::ZERO, |sum, p| sum.checked_add(p.cost).unwrap_or(sum))
    }

    /// Whether the ballot may be submitted: within every limit, and at least the minimum.
    pub fn check(&self, rules: &Rules) -> Result<(), BallotError> {
        self.within_limits(rules)?;
        if self.weights.is_empty() {
            return Err(BallotError::Empty);
        }
        if let Kind::Approval { min, .. } = rules.kind
            && (self.weights.len() as u64) < u64::from(min)
        {
            return Err(BallotError::TooFew { min });
        }
        if rules.kind == Kind::Knapsack && self.weights.values().any(|w| *w != 1) {
            return Err(BallotError::Unreadable);
        }
        Ok(())
    }

    /// Where the ballot stands, for the live message.
    pub fn standing(&self, rules: &Rules) -> Standing {
        Standing {
            picked: u32::try_from(self.weights.len()).unwrap_or(u32::MAX),
            spent: self.spent(rules),
            points_used: self.weights.values().sum(),
            needed: self.check(rules).err(),
        }
    }

    /// A ballot typed as text: project numbers separated by spaces or commas (`3 7 12`, for
    /// ranked in order of preference), or for cumulative `3:2 7:1` (a number alone gives one
    /// point). `#` before a number is fine. Checked like a ballot built by taps.
    pub fn typed(rules: &Rules, text: &str) -> Result<Ballot, BallotError> {
        let mut ballot = Ballot::new();
        let tokens = text.split(|c: char| c.is_whitespace() || c == ',').filter(|t| !t.is_empty());
        for (index, token) in tokens.enumerate() {
            let (id, points) = match token.split_once([':', 'x', '×']) {
                Some((id, points)) if matches!(rules.kind, Kind::Cumulative { .. }) => (id, points),
                Some(_) => return Err(BallotError::Unreadable),
                None => (token, "1"),
            };
            let id: i64 = id.trim_start_matches('#').parse().map_err(|_| BallotError::Unreadable)?;
            let weight: u32 = points.parse().ok().filter(|p| *p > 0).ok_or(BallotError::Unreadable)?;
            rules.project(id)?;
            let place = u32::try_from(index + 1).map_err(|_| BallotError::Unreadable)?;
            let weight = if matches!(rules.kind, Kind::Ranked { .. }) { place } else { weight };
            if ballot.weights.insert(id, weight).is_some() {
                return Err(BallotError::Twice(id));
            }
        }
        ballot.check(rules)?;
        Ok(ballot)
    }
}

/// Why a round's opening and closing cannot be used.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WindowError {
    Opens(super::meeting::WhenError),
    Closes(super::meeting::WhenError),
    ClosesBeforeOpening,
    ClosesInThePast,
}

/// Reads a round's window as an official types it: `12/3 09:00 ~ 12/10 18:00`, `지금 ~ 12월 10일
/// 18시`, `now ~ 2026-12-10 18:00` (a closing time alone is on the opening's day). An opening
/// in the past opens the round at once.
pub fn parse_window(
    text: &str,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<(chrono::DateTime<chrono::Utc>, chrono::DateTime<chrono::Utc>), WindowError> {
    use super::meeting::{WhenError, parse_end_time, parse_seoul_time};
    let today = now.with_timezone(&chrono_tz::Asia::Seoul).date_naive();
    let (opens, closes) = text.split_once('~').ok_or(WindowError::Closes(WhenError::Unreadable))?;
    let opens = match opens.trim() {
        "now" | "지금" | "Now" | "NOW" => now,
        other => parse_seoul_time(other, today).map_err(WindowError::Opens)?,
    };
    let closes = parse_end_time(closes, opens).map_err(WindowError::Closes)?;
    if closes <= opens {
        return Err(WindowError::ClosesBeforeOpening);
    }
    if closes <= now {
        return Err(WindowError::ClosesInThePast);
    }
    Ok((opens, closes))
}

/// The letters of a receipt: the verification codes' unambiguous alphabet.
const RECEIPT_LENGTH: usize = 10;

/// A fresh receipt code, printed `ABCDE-FGHJK`: the voter finds their anonymised ballot by it
/// in the published export.
pub fn receipt() -> String {
    use super::verification::CODE_ALPHABET;
    let mut rng = rand::rng();
    let code: String =
        (0..RECEIPT_LENGTH).map(|_| CODE_ALPHABET[rng.random_range(0..CODE_ALPHABET.len())] as char).collect();
    format!("{}-{}", &code[..5], &code[5..])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn phragmen_counts_approval_ballots_only() {
        assert!(Kind::Knapsack.rules().contains(&"phragmen"));
        assert!(Kind::Approval { min: 1, max: 3 }.rules().contains(&"phragmen"));
        assert!(!Kind::Ranked { max: 3 }.rules().contains(&"phragmen"));
        assert!(!Kind::Cumulative { points: 5, per_project: 3 }.rules().contains(&"phragmen"));
        assert!(Kind::Cumulative { points: 5, per_project: 3 }.rules().contains(&"mes-completed"));
    }

    fn rules(kind: Kind) -> Rules {
        let won = |n: i64| Won::from_i64(n).unwrap();
        Rules {
            kind,
            projects: vec![
                Project { id: 3, cost: won(40_000_000) },
                Project { id: 7, cost: won(70_000_000) },
                Project { id: 12, cost: won(25_000_000) },
                Project { id: 15, cost: won(90_000_000) },
            ],
            pot: won(100_000_000),
        }
    }

    #[test]
    fn approval_taps_pick_and_unpick_within_k_and_submit_needs_min() {
        let r = rules(Kind::Approval { min: 2, max: 3 });
        let b = Ballot::new().tap(&r, 3).unwrap();
        assert_eq!(b.standing(&r).needed, Some(BallotError::TooFew { min: 2 }));
        let b = b.tap(&r, 7).unwrap().tap(&r, 12).unwrap();
        assert_eq!(b.check(&r), Ok(()));
        assert_eq!(b.tap(&r, 15), Err(BallotError::TooMany { max: 3 }));
        let b = b.tap(&r, 7).unwrap();
        assert_eq!(b.order(), [3, 12]);
        assert_eq!(Ballot::new().tap(&r, 99), Err(BallotError::UnknownProject(99)));
        assert_eq!(Ballot::new().check(&r), Err(BallotError::Empty));
    }

    #[test]
    fn ranked_taps_append_and_removal_closes_the_gap() {
        let r = rules(Kind::Ranked { max: 3 });
        let b = Ballot::new().tap(&r, 12).unwrap().tap(&r, 3).unwrap().tap(&r, 7).unwrap();
        assert_eq!(b.order(), [12, 3, 7]);
        assert_eq!(b.tap(&r, 15), Err(BallotError::TooMany { max: 3 }));
        let b = b.tap(&r, 12).unwrap();
        assert_eq!(b.order(), [3, 7]);
        assert_eq!((b.weight(3), b.weight(7)), (1, 2));
        assert_eq!(b.check(&r), Ok(()), "ranking fewer than k is allowed");
    }

    #[test]
    fn knapsack_refuses_picks_over_the_pot() {
        let r = rules(Kind::Knapsack);
        let b = Ballot::new().tap(&r, 3).unwrap().tap(&r, 12).unwrap();
        assert_eq!(b.standing(&r).spent, Won::from_i64(65_000_000).unwrap());
        let over = b.tap(&r, 7).unwrap_err();
        assert_eq!(
            over,
            BallotError::OverPot {
                total: Won::from_i64(135_000_000).unwrap(),
                pot: Won::from_i64(100_000_000).unwrap()
            }
        );
        assert_eq!(b.check(&r), Ok(()));
    }

    #[test]
    fn cumulative_spreads_points_within_both_limits() {
        let r = rules(Kind::Cumulative { points: 5, per_project: 3 });
        let b = Ballot::new().add_points(&r, 3, 3).unwrap();
        assert_eq!(b.add_points(&r, 3, 1), Err(BallotError::OverPerProject { project: 3, per_project: 3 }));
        let b = b.tap(&r, 7).unwrap().tap(&r, 7).unwrap();
        assert_eq!(b.standing(&r).points_used, 5);
        assert_eq!(b.tap(&r, 12), Err(BallotError::OverPoints { points: 5 }));
        let b = b.add_points(&r, 7, -2).unwrap();
        assert_eq!(b.weights().len(), 1, "a project back at 0 points is unpicked");
        assert_eq!(b.check(&r), Ok(()), "points may be left over");
    }

    #[test]
    fn typed_ballots_are_checked_like_taps() {
        let ranked = rules(Kind::Ranked { max: 3 });
        assert_eq!(Ballot::typed(&ranked, "#12, 3 7").unwrap().order(), [12, 3, 7]);
        assert_eq!(Ballot::typed(&ranked, "12 3 7 15"), Err(BallotError::TooMany { max: 3 }));
        assert_eq!(Ballot::typed(&ranked, "12 12"), Err(BallotError::Twice(12)));
        assert_eq!(Ballot::typed(&ranked, "12 99"), Err(BallotError::UnknownProject(99)));
        assert_eq!(Ballot::typed(&ranked, "twelve"), Err(BallotError::Unreadable));
        assert_eq!(Ballot::typed(&ranked, "3:2"), Err(BallotError::Unreadable));
        assert_eq!(Ballot::typed(&ranked, ""), Err(BallotError::Empty));
        let cumulative = rules(Kind::Cumulative { points: 5, per_project: 3 });
        let b = Ballot::typed(&cumulative, "3:2 7:1 12").unwrap();
        assert_eq!((b.weight(3), b.weight(7), b.weight(12)), (2, 1, 1));
        assert_eq!(Ballot::typed(&cumulative, "3:4"), Err(BallotError::OverPerProject { project: 3, per_project: 3 }));
        assert_eq!(Ballot::typed(&cumulative, "3:0"), Err(BallotError::Unreadable));
        let approval = rules(Kind::Approval { min: 2, max: 3 });
        assert_eq!(Ballot::typed(&approval, "3"), Err(BallotError::TooFew { min: 2 }));
        let knapsack = rules(Kind::Knapsack);
        assert!(matches!(Ballot::typed(&knapsack, "7 15"), Err(BallotError::OverPot { .. })));
    }

    #[test]
    fn stored_form_round_trips_and_refuses_anything_else() {
        let r = rules(Kind::Ranked { max: 3 });
        let b = Ballot::typed(&r, "7 3").unwrap();
        assert_eq!(b.encode(), "3:2,7:1");
        assert_eq!(Ballot::decode(&b.encode()), Some(b));
        assert_eq!(Ballot::decode(""), Some(Ballot::new()));
        for bad in ["3", "3:0", "3:1,3:2", "x:1", "3:-1"] {
            assert_eq!(Ballot::decode(bad), None, "{bad}");
        }
        // A stored ballot that breaks the round's limits (tampered) is refused on check.
        let forged = Ballot::decode("3:1,7:1").unwrap();
        assert_eq!(forged.check(&r), Err(BallotError::Unreadable), "two projects ranked first");
    }

    #[test]
    fn limits_are_checked_when_a_round_is_created() {
        assert!(Kind::Approval { min: 0, max: 3 }.check_limits(4).is_ok());
        assert!(Kind::Approval { min: 4, max: 3 }.check_limits(4).is_err());
        assert!(Kind::Approval { min: 5, max: 6 }.check_limits(4).is_err());
        assert!(Kind::Ranked { max: 0 }.check_limits(4).is_err());
        assert!(Kind::Cumulative { points: 5, per_project: 6 }.check_limits(4).is_err());
        assert!(Kind::Knapsack.check_limits(0).is_err());
    }

    #[test]
    fn round_windows_read_in_seoul_time() {
        use chrono::TimeZone;
        let seoul =
            |d, h| chrono_tz::Asia::Seoul.with_ymd_and_hms(2026, 12, d, h, 0, 0).unwrap().with_timezone(&chrono::Utc);
        let now = seoul(1, 10);
        assert_eq!(parse_window("12/3 09:00 ~ 12/10 18:00", now), Ok((seoul(3, 9), seoul(10, 18))));
        assert_eq!(parse_window("지금 ~ 12월 10일 18시", now), Ok((now, seoul(10, 18))));
        assert_eq!(parse_window("12/3 09:00 ~ 18:00", now), Ok((seoul(3, 9), seoul(3, 18))));
        let yesterday = seoul(1, 9) - chrono::Duration::days(1);
        assert_eq!(parse_window("11/30 09:00 ~ 12/2 18:00", now), Ok((yesterday, seoul(2, 18))), "opens at once");
        assert!(matches!(parse_window("내일 ~ 12/10 18:00", now), Err(WindowError::Opens(_))));
        assert!(matches!(parse_window("now", now), Err(WindowError::Closes(_))));
        assert_eq!(parse_window("12/3 09:00 ~ 12/2 18:00", now), Err(WindowError::ClosesBeforeOpening));
        assert_eq!(parse_window("11/20 09:00 ~ 11/21 18:00", now), Err(WindowError::ClosesInThePast));
    }

    #[test]
    fn receipts_are_unambiguous_and_fresh() {
        let r = receipt();
        assert_eq!(r.len(), 11);
        assert_eq!(&r[5..6], "-");
        assert!(r.bytes().filter(|b| *b != b'-').all(|b| super::super::verification::CODE_ALPHABET.contains(&b)));
        assert_ne!(receipt(), receipt());
    }
}
