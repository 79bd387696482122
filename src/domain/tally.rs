//! Outcome rules (DESIGN §6) with the exact semantics of `../shared/pabulib/RULES.md`, the
//! reference being pabutools 1.2.3: greedy rules on exact decimal money, the Method of Equal
//! Shares and sequential Phragmén on exact rationals (no floats anywhere). Ties go to
//! the smallest project id *string* (`"10" < "9"`).

use std::{cmp::Ordering, collections::HashMap};

use num_bigint::BigInt;
use num_rational::BigRational;
use num_traits::Zero;
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

/// A decimal as an exact rational.
fn exact(d: Decimal) -> BigRational {
    let mantissa = BigInt::from(d.mantissa());
    let scale = BigInt::from(10u32).pow(d.scale());
    BigRational::new(mantissa, scale)
}

/// Interned budget values: voters with the same history hold the same amount, so a handful of
/// distinct values stand for tens of thousands of voters and a project's price is found from
/// counts per value instead of one rational per voter.
struct Values {
    table: Vec<BigRational>,
    index: HashMap<BigRational, u32>,
}

impl Values {
    fn new() -> Values {
        Values { table: Vec::new(), index: HashMap::new() }
    }

    fn id(&mut self, value: BigRational) -> u32 {
        if let Some(id) = self.index.get(&value) {
            return *id;
        }
        let id = u32::try_from(self.table.len()).expect("fewer than 2^32 distinct budgets");
        self.table.push(value.clone());
        self.index.insert(value, id);
        id
    }
}

/// The Method of Equal Shares with cost utilities (`mes`): each of the `n` voters (empty
/// ballots included) gets `per_voter`; repeatedly the project with the smallest ρ is bought,
/// each supporter paying `min(b_i, ρ·u_i)` where `u_i = points_i · cost`. Projects whose
/// supporters cannot pay are dropped; zero-cost and unsupported projects are never bought.
/// `per_voter` is `B/n` for `mes`; the Add1 completion raises it.
pub fn mes_with(profile: &Profile, per_voter: &BigRational) -> Vec<usize> {
    let projects = profile.ids.len();
    // Supporters of each project, with their weight (points).
    let mut supporters: Vec<Vec<(usize, u32)>> = vec![Vec::new(); projects];
    let mut weights = Values::new();
    for (voter, ballot) in profile.ballots.iter().enumerate() {
        for (p, points) in ballot {
            supporters[*p].push((voter, weights.id(exact(*points))));
        }
    }
    let costs: Vec<BigRational> = profile.costs.iter().map(|c| exact(*c)).collect();
    let mut values = Values::new();
    let start = values.id(per_voter.clone());
    let mut budget_of = vec![start; profile.ballots.len()];
    let mut candidates: Vec<usize> =
        (0..projects).filter(|p| !supporters[*p].is_empty() && costs[*p] > BigRational::zero()).collect();
    let mut selected = Vec::new();
    loop {
        // (ρ, project) of every candidate still affordable.
        let mut best: Option<(BigRational, BigRational, usize)> = None;
        let mut affordable = Vec::with_capacity(candidates.len());
        for &p in &candidates {
            // Supporters grouped by (budget value, weight): counts.
            let mut groups: HashMap<(u32, u32), u64> = HashMap::new();
            for (voter, weight) in &supporters[p] {
                *groups.entry((budget_of[*voter], *weight)).or_default() += 1;
            }
            let mut groups: Vec<(BigRational, BigRational, BigRational)> = groups
                .into_iter()
                .filter(|((value, _), _)| !values.table[*value as usize].is_zero())
                .map(|((value, weight), count)| {
                    let b = values.table[value as usize].clone();
                    let w = weights.table[weight as usize].clone();
                    (&b / &w, b * BigInt::from(count), w * BigInt::from(count))
                })
                .collect();
            let money: BigRational = groups.iter().map(|(_, b, _)| b.clone()).sum();
            if money < costs[p] {
                continue; // dropped for good: its supporters cannot pay
            }
            affordable.push(p);
            groups.sort_by(|a, b| a.0.cmp(&b.0));
            let mut remaining = costs[p].clone();
            let mut weight_left: BigRational = groups.iter().map(|(_, _, w)| w.clone()).sum();
            let mut q = None;
            for (ratio, money, weight) in &groups {
                if ratio * &weight_left >= remaining {
                    q = Some(&remaining / &weight_left);
                    break;
                }
                remaining -= money;
                weight_left -= weight;
            }
            let Some(q) = q else { continue };
            let rho = &q / &costs[p];
            let better = match &best {
                None => true,
                Some((best_rho, _, best_p)) => {
                    rho < *best_rho || (rho == *best_rho && by_id(&profile.ids, p, *best_p) == Ordering::Less)
                }
            };
            if better {
                best = Some((rho, q, p));
            }
        }
        candidates = affordable;
        let Some((_, q, p)) = best else { break };
        // Each supporter pays min(b_i, q·w_i); equal (budget, weight) pairs end equal.
        let mut after: HashMap<(u32, u32), u32> = HashMap::new();
        for (voter, weight) in &supporters[p] {
            let key = (budget_of[*voter], *weight);
            let id = match after.get(&key) {
                Some(id) => *id,
                None => {
                    let b = &values.table[key.0 as usize];
                    let pay = &q * &weights.table[key.1 as usize];
                    let left = if *b > pay { b - pay } else { BigRational::zero() };
                    let id = values.id(left);
                    after.insert(key, id);
                    id
                }
            };
            budget_of[*voter] = id;
        }
        selected.push(p);
        candidates.retain(|c| *c != p);
    }
    selected
}

/// `mes`: equal shares of `B/n`.
pub fn mes(profile: &Profile) -> Vec<usize> {
    if profile.ballots.is_empty() {
        return Vec::new();
    }
    let share = exact(profile.budget) / BigInt::from(profile.ballots.len());
    mes_with(profile, &share)
}

/// Sequential Phragmén (approval and choose-1 ballots): projects costing more than the budget
/// are left out; each round the project with the smallest resulting load is bought, its
/// approvers' loads rising to it; if any project tied at that load does not fit, it stops.
/// Unapproved projects (infinite load) come last, in id order, while all of them fit.
pub fn phragmen(profile: &Profile) -> Result<Vec<usize>, TallyError> {
    if !profile.approval {
        return Err(TallyError::NeedsApproval { rule: "phragmen" });
    }
    let budget = profile.budget;
    let mut approvers: Vec<Vec<usize>> = vec![Vec::new(); profile.ids.len()];
    for (voter, ballot) in profile.ballots.iter().enumerate() {
        for (p, _) in ballot {
            approvers[*p].push(voter);
        }
    }
    let costs: Vec<BigRational> = profile.costs.iter().map(|c| exact(*c)).collect();
    let mut loads = Values::new();
    let zero = loads.id(BigRational::zero());
    let mut load_of = vec![zero; profile.ballots.len()];
    let mut remaining: Vec<usize> = (0..profile.ids.len()).filter(|p| profile.costs[*p] <= budget).collect();
    let mut selected = Vec::new();
    let mut spent = Decimal::ZERO;
    while !remaining.is_empty() {
        // The new load of each project; None stands for infinity (nobody approves it).
        let mut scored: Vec<(Option<BigRational>, usize)> = Vec::with_capacity(remaining.len());
        for &p in &remaining {
            if approvers[p].is_empty() {
                scored.push((None, p));
                continue;
            }
            let mut counts: HashMap<u32, u64> = HashMap::new();
            for voter in &approvers[p] {
                *counts.entry(load_of[*voter]).or_default() += 1;
            }
            let total: BigRational = counts
                .iter()
                .map(|(load, count)| &loads.table[*load as usize] * BigInt::from(*count))
                .sum::<BigRational>()
                + &costs[p];
            scored.push((Some(total / BigInt::from(approvers[p].len())), p));
        }
        let min = scored
            .iter()
            .map(|(load, _)| load.clone())
            .min_by(|a, b| match (a, b) {
                (Some(a), Some(b)) => a.cmp(b),
                (Some(_), None) => Ordering::Less,
                (None, Some(_)) => Ordering::Greater,
                (None, None) => Ordering::Equal,
            })
            .expect("projects remain");
        let mut tied: Vec<usize> = scored.iter().filter(|(load, _)| *load == min).map(|(_, p)| *p).collect();
        if tied.iter().any(|p| spent + profile.costs[*p] > budget) {
            break;
        }
        tied.sort_by(|a, b| by_id(&profile.ids, *a, *b));
        let p = tied[0];
        if let Some(load) = min {
            let id = loads.id(load);
            for voter in &approvers[p] {
                load_of[*voter] = id;
            }
        }
        spent += profile.costs[p];
        selected.push(p);
        remaining.retain(|q| *q != p);
    }
    Ok(selected)
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
