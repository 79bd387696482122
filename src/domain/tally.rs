//! Outcome rules (DESIGN §6) with the exact semantics of `../shared/pabulib/RULES.md`, the
//! reference being pabutools 1.2.3: the greedy rules here, on exact decimal money. Ties go to
//! the smallest project id *string* (`"10" < "9"`).

use std::cmp::Ordering;

use rust_decimal::Decimal;

use super::pabulib::{Instance, VoteType};

/// An instance as the rules see it: projects with exact costs, and each ballot as
/// (project index, points) pairs; ordinal ballots already converted to points the Pabulib way.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Profile {
    pub budget: Decimal,
    pub ids: Vec<String>,
    pub costs: Vec<Decimal>,
    /// Approval-like ballots (approval, choose-1): every point is 1.
    pub approval: bool,
    pub ballots: Vec<Vec<(usize, Decimal)>>,
}

/// Why a rule cannot run on a profile.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TallyError {
    #[error("ballot {voter}: project `{project}` is not in the file")]
    UnknownProject { voter: String, project: String },
    #[error("{rule} applies to approval and choose-1 ballots only")]
    NeedsApproval { rule: &'static str },
}

impl Profile {
    /// The profile of a `.pb` instance: ordinal rankings become points (`k - i` for the
    /// 0-based position `i` in a ballot of length `k`); scoring ballots give `default_score` to
    /// the projects they leave out.
    pub fn of(instance: &Instance) -> Result<Profile, TallyError> {
        let ids: Vec<String> = instance.projects.iter().map(|p| p.id.clone()).collect();
        let index: std::collections::HashMap<&str, usize> =
            ids.iter().enumerate().map(|(i, id)| (id.as_str(), i)).collect();
        let default_score = match instance.vote_type {
            VoteType::Scoring => instance.meta("default_score").and_then(|s| s.trim().parse::<Decimal>().ok()),
            _ => None,
        }
        .filter(|d| !d.is_zero());
        let mut ballots = Vec::with_capacity(instance.ballots.len());
        for ballot in &instance.ballots {
            let k = ballot.projects.len();
            let mut entries = Vec::with_capacity(k);
            for (position, project) in ballot.projects.iter().enumerate() {
                let &p = index.get(project.as_str()).ok_or_else(|| TallyError::UnknownProject {
                    voter: ballot.voter_id.clone(),
                    project: project.clone(),
                })?;
                let points = match instance.vote_type {
                    VoteType::Approval | VoteType::Choose1 => Decimal::ONE,
                    VoteType::Ordinal => Decimal::from(k - position),
                    VoteType::Cumulative | VoteType::Scoring => ballot.points[position],
                };
                entries.push((p, points));
            }
            if let Some(default) = default_score {
                for p in 0..ids.len() {
                    if !entries.iter().any(|(q, _)| *q == p) {
                        entries.push((p, default));
                    }
                }
            }
            entries.retain(|(_, points)| !points.is_zero());
            ballots.push(entries);
        }
        Ok(Profile {
            budget: instance.budget,
            costs: instance.projects.iter().map(|p| p.cost).collect(),
            ids,
            approval: matches!(instance.vote_type, VoteType::Approval | VoteType::Choose1),
            ballots,
        })
    }

    /// The score of each project: approvals, or the sum of points.
    pub fn scores(&self) -> Vec<Decimal> {
        let mut scores = vec![Decimal::ZERO; self.ids.len()];
        for ballot in &self.ballots {
            for (p, points) in ballot {
                scores[*p] += *points;
            }
        }
        scores
    }

    /// Project indices by score (highest first), ties by id string: the greedy order.
    pub fn greedy_order(&self) -> Vec<usize> {
        let scores = self.scores();
        let mut order: Vec<usize> = (0..self.ids.len()).collect();
        order.sort_by(|a, b| scores[*b].cmp(&scores[*a]).then_with(|| by_id(&self.ids, *a, *b)));
        order
    }

    pub fn cost_of(&self, selected: &[usize]) -> Decimal {
        selected.iter().map(|p| self.costs[*p]).sum()
    }
}

/// Project ids compared as strings (code points), the reference's tie-breaking.
fn by_id(ids: &[String], a: usize, b: usize) -> Ordering {
    ids[a].as_bytes().cmp(ids[b].as_bytes())
}

/// `greedy`: in the greedy order, every project that still fits (`spent + cost <= budget`);
/// those that do not are skipped. Starting from `chosen` (the greedy completion of another
/// rule), only projects not yet chosen are added.
pub fn greedy_from(profile: &Profile, chosen: &[usize]) -> Vec<usize> {
    let mut selected = chosen.to_vec();
    let mut spent = profile.cost_of(chosen);
    for p in profile.greedy_order() {
        if selected.contains(&p) {
            continue;
        }
        if spent + profile.costs[p] <= profile.budget {
            spent += profile.costs[p];
            selected.push(p);
        }
    }
    selected
}

pub fn greedy(profile: &Profile) -> Vec<usize> {
    greedy_from(profile, &[])
}

/// `greedy-stop`: the greedy order, stopping at the first project that does not fit.
pub fn greedy_stop(profile: &Profile) -> Vec<usize> {
    let mut selected = Vec::new();
    let mut spent = Decimal::ZERO;
    for p in profile.greedy_order() {
        if spent + profile.costs[p] > profile.budget {
            break;
        }
        spent += profile.costs[p];
        selected.push(p);
    }
    selected
}

/// Selected project ids, sorted as strings (how outcomes are compared and printed).
pub fn sorted_ids(profile: &Profile, selected: &[usize]) -> Vec<String> {
    let mut ids: Vec<String> = selected.iter().map(|p| profile.ids[*p].clone()).collect();
    ids.sort_unstable_by(|a, b| a.as_bytes().cmp(b.as_bytes()));
    ids
}

#[cfg(test)]
mod tests {
    use super::*;

    const TIES: &str = "META\nkey;value\nbudget;300\nvote_type;approval\nnum_projects;4\nnum_votes;4\n\
        PROJECTS\nproject_id;cost\n9;100\n10;100\nA;200\nb;100.50\n\
        VOTES\nvoter_id;vote\n1;9,10\n2;9,10,A\n3;A,b\n4;b\n";

    fn profile(text: &str) -> Profile {
        Profile::of(&super::super::pabulib::parse(text).unwrap()).unwrap()
    }

    #[test]
    fn ties_go_to_the_smaller_id_string_and_the_budget_may_be_reached_exactly() {
        let p = profile(TIES);
        // 9, 10, A and b all have two votes: "10" < "9" < "A" < "b".
        assert_eq!(p.greedy_order().iter().map(|i| p.ids[*i].as_str()).collect::<Vec<_>>(), ["10", "9", "A", "b"]);
        assert_eq!(sorted_ids(&p, &greedy(&p)), ["10", "9"]);
        let mut exact = p.clone();
        exact.budget = Decimal::from(400);
        assert_eq!(sorted_ids(&exact, &greedy(&exact)), ["10", "9", "A"], "400 spent of 400");
    }

    #[test]
    fn greedy_skips_what_does_not_fit_and_greedy_stop_stops_there() {
        let mut p = profile(TIES);
        p.budget = Decimal::from(350);
        // Order 10, 9, A (200 more does not fit), b (100.50 does).
        assert_eq!(sorted_ids(&p, &greedy(&p)), ["10", "9", "b"]);
        assert_eq!(p.cost_of(&greedy(&p)), Decimal::new(30050, 2));
        assert_eq!(sorted_ids(&p, &greedy_stop(&p)), ["10", "9"], "stops at A");
    }

    #[test]
    fn ordinal_ballots_score_k_minus_i() {
        let text = "META\nkey;value\nbudget;100\nvote_type;ordinal\nnum_projects;2\nnum_votes;2\n\
            PROJECTS\nproject_id;cost\na;100\nb;100\nVOTES\nvoter_id;vote\n1;a\n2;b,a\n";
        let p = profile(text);
        // a: 1 (alone on a one-project ballot) + 1 (second of two) = 2; b: 2 (first of two).
        assert_eq!(p.scores(), [Decimal::from(2), Decimal::from(2)]);
        assert_eq!(sorted_ids(&p, &greedy(&p)), ["a"], "a tie goes to the smaller id");
    }
}
