//! Outcome rules (DESIGN §6) with the exact semantics of `../shared/pabulib/RULES.md`, the
//! reference being pabutools 1.2.3: greedy rules on exact decimal money, the Method of Equal
//! Shares and sequential Phragmén on exact rationals (no floats anywhere). Ties go to
//! the smallest project id *string* (`"10" < "9"`).

use std::cmp::Ordering;

use rustc_hash::FxHashMap as HashMap;

use num_bigint::BigInt;
use num_rational::BigRational;
use num_traits::{One, Zero};
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

/// Keeps only the values someone holds (`holders` index into `table`), each once: voters with
/// the same history then share one value. (Numerators and the common denominator are not
/// reduced: over a few dozen purchases they grow by some hundred bits, which costs less than
/// the gcds would.)
fn compact(table: &mut Vec<BigInt>, holders: &mut [u32]) {
    let old = std::mem::take(table);
    let mut index: HashMap<&BigInt, u32> = HashMap::default();
    let mut remap = vec![u32::MAX; old.len()];
    for h in holders.iter_mut() {
        let o = *h as usize;
        if remap[o] == u32::MAX {
            remap[o] = *index.entry(&old[o]).or_insert_with(|| {
                table.push(old[o].clone());
                (table.len() - 1) as u32
            });
        }
        *h = remap[o];
    }
}

/// The Method of Equal Shares with cost utilities (`mes`): each of the `n` voters (empty
/// ballots included) gets `per_voter`; repeatedly the project with the smallest ρ is bought,
/// each supporter paying `min(b_i, ρ·u_i)` where `u_i = points_i · cost`. Projects whose
/// supporters cannot pay are dropped; zero-cost and unsupported projects are never bought.
/// `per_voter` is `B/n` for `mes`; the Add1 completion raises it.
///
/// Exact and fast: money is scaled to integers, every voter's budget is an integer numerator
/// over one common denominator (so sums and comparisons need no gcd), and voters with the same
/// history share one interned value. Scaling all utilities by one constant leaves MES
/// unchanged, so points are scaled to integers too.
pub fn mes_with(profile: &Profile, per_voter: &BigRational) -> Vec<usize> {
    let projects = profile.ids.len();
    let money_scale = BigInt::from(10u32).pow(profile.costs.iter().map(|c| c.scale()).max().unwrap_or(0));
    let points_scale =
        Decimal::from(10u64.pow(profile.ballots.iter().flatten().map(|(_, w)| w.scale()).max().unwrap_or(0)));
    // Supporters of each project, with their weight (points, as an integer).
    let mut supporters: Vec<Vec<(usize, u32)>> = vec![Vec::new(); projects];
    let mut weights: Vec<BigInt> = Vec::new();
    let mut weight_ids: HashMap<BigInt, u32> = HashMap::default();
    for (voter, ballot) in profile.ballots.iter().enumerate() {
        for (p, points) in ballot {
            let w = exact(*points * points_scale).to_integer();
            let id = *weight_ids.entry(w.clone()).or_insert_with(|| {
                weights.push(w);
                (weights.len() - 1) as u32
            });
            supporters[*p].push((voter, id));
        }
    }
    let unit_weights = weights.iter().all(|w| *w == BigInt::from(1));
    let costs: Vec<BigInt> = profile.costs.iter().map(|c| (exact(*c) * &money_scale).to_integer()).collect();
    let start = per_voter * &money_scale;
    // Budget numerators over the common denominator `den`, interned.
    let mut den = start.denom().clone();
    let mut table: Vec<BigInt> = vec![start.numer().clone()];
    let mut budget_of = vec![0u32; profile.ballots.len()];

    // The price of a project now: `None` when its supporters cannot pay (dropped for good),
    // else (ρ, X, Y): each supporter of weight w pays min(b, X·w / (Y·den)).
    let price = |p: usize, budget_of: &[u32], table: &[BigInt], den: &BigInt| {
        let mut groups: HashMap<(u32, u32), u64> = HashMap::default();
        for (voter, weight) in &supporters[p] {
            *groups.entry((budget_of[*voter], *weight)).or_default() += 1;
        }
        let mut groups: Vec<(&BigInt, &BigInt, u64)> = groups
            .into_iter()
            .filter(|((value, _), _)| table[*value as usize].sign() == num_bigint::Sign::Plus)
            .map(|((value, weight), count)| (&table[value as usize], &weights[weight as usize], count))
            .collect();
        let need = &costs[p] * den;
        let money: BigInt = groups.iter().map(|(n, _, count)| *n * BigInt::from(*count)).sum();
        if money < need {
            return None;
        }
        if unit_weights {
            groups.sort_by(|a, b| a.0.cmp(b.0));
        } else {
            groups.sort_by(|a, b| (a.0 * b.1).cmp(&(b.0 * a.1)));
        }
        let mut remaining = need;
        let mut weight_left: BigInt = groups.iter().map(|(_, w, count)| *w * BigInt::from(*count)).sum();
        for (n, w, count) in &groups {
            if *n * &weight_left >= &remaining * *w {
                let rho = BigRational::new(remaining.clone(), &weight_left * den * &costs[p]);
                return Some((rho, remaining, weight_left));
            }
            remaining -= *n * BigInt::from(*count);
            weight_left -= *w * BigInt::from(*count);
        }
        None
    };

    // Lazy evaluation: budgets only fall, so a project's ρ only rises and a price from an
    // earlier round is a lower bound. Each round only the cheapest-looking projects are priced
    // again, until the cheapest is priced now (ties: the smallest id string).
    type Fresh = Option<(BigInt, BigInt)>;
    let mut queue: Vec<(BigRational, usize, Fresh)> = Vec::new();
    for p in (0..projects).filter(|p| !supporters[*p].is_empty() && costs[*p].sign() == num_bigint::Sign::Plus) {
        if let Some((rho, x, y)) = price(p, &budget_of, &table, &den) {
            queue.push((rho, p, Some((x, y))));
        }
    }
    let mut selected = Vec::new();
    while let Some(top) = (0..queue.len()).min_by(|a, b| {
        let (x, y) = (&queue[*a], &queue[*b]);
        x.0.cmp(&y.0).then_with(|| by_id(&profile.ids, x.1, y.1))
    }) {
        let p = queue[top].1;
        let Some((x, y)) = queue[top].2.clone() else {
            match price(p, &budget_of, &table, &den) {
                Some((rho, x, y)) => queue[top] = (rho, p, Some((x, y))),
                None => {
                    queue.swap_remove(top);
                }
            }
            continue;
        };
        // Pay: over the new denominator den·Y, a budget N becomes N·Y, and a supporter of
        // weight w pays X·w (all of it when that is more than they have).
        den *= &y;
        for n in &mut table {
            *n *= &y;
        }
        let mut after: HashMap<(u32, u32), u32> = HashMap::default();
        for (voter, weight) in &supporters[p] {
            let key = (budget_of[*voter], *weight);
            let id = *after.entry(key).or_insert_with(|| {
                let left = &table[key.0 as usize] - &x * &weights[key.1 as usize];
                table.push(if left.sign() == num_bigint::Sign::Plus { left } else { BigInt::zero() });
                (table.len() - 1) as u32
            });
            budget_of[*voter] = id;
        }
        compact(&mut table, &mut budget_of);
        selected.push(p);
        queue.swap_remove(top);
        for entry in &mut queue {
            entry.2 = None;
        }
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

/// When the Add1 loop of `mes-completed` stops raising the voters' budgets.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Add1Stop {
    /// At the first exhaustive outcome (no supported project left that fits), or with the
    /// previous outcome as soon as one costs more than the budget: pabutools'
    /// `voter_budget_increment`, the default.
    #[default]
    Exhaustive,
    /// While the outcome still fits the budget, exhaustive or not (Wieliczka 2023's official
    /// count; the equalshares.net tool without its "exhaustive" option).
    Infeasible,
}

/// `mes-completed`: MES with per-voter budgets `B/n`, `B/n + 1`, `B/n + 2`, … (Add1) until
/// `stop` says so, then (unless `complete` is false, as in Assen 2024) the greedy completion.
pub fn mes_completed(profile: &Profile, stop: Add1Stop, complete: bool) -> Vec<usize> {
    let outcome = if profile.ballots.is_empty() { Vec::new() } else { add1(profile, stop) };
    if complete { greedy_from(profile, &outcome) } else { outcome }
}

fn add1(profile: &Profile, stop: Add1Stop) -> Vec<usize> {
    let mut supported = vec![false; profile.ids.len()];
    for (p, _) in profile.ballots.iter().flatten() {
        supported[*p] = true;
    }
    // What MES can ever buy: once it buys all of it, more money changes nothing.
    let buyable = (0..profile.ids.len()).filter(|p| supported[*p] && profile.costs[*p] > Decimal::ZERO).count();
    let mut per_voter = exact(profile.budget) / BigInt::from(profile.ballots.len());
    let mut previous = Vec::new();
    loop {
        let outcome = mes_with(profile, &per_voter);
        let spent = profile.cost_of(&outcome);
        if spent > profile.budget {
            return previous;
        }
        let exhaustive = || {
            (0..profile.ids.len())
                .all(|p| !supported[p] || outcome.contains(&p) || spent + profile.costs[p] > profile.budget)
        };
        if outcome.len() == buyable || (stop == Add1Stop::Exhaustive && exhaustive()) {
            return outcome;
        }
        per_voter += BigInt::one();
        previous = outcome;
    }
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
    // Loads are integer numerators over one common denominator `den`, interned (voters with
    // the same history share a load), so sums and comparisons need no gcd.
    let money_scale = BigInt::from(10u32).pow(profile.costs.iter().map(|c| c.scale()).max().unwrap_or(0));
    let costs: Vec<BigInt> = profile.costs.iter().map(|c| (exact(*c) * &money_scale).to_integer()).collect();
    let mut den = BigInt::one();
    let mut table: Vec<BigInt> = vec![BigInt::zero()];
    let mut load_of = vec![0u32; profile.ballots.len()];
    let mut remaining: Vec<usize> = (0..profile.ids.len()).filter(|p| profile.costs[*p] <= budget).collect();
    let mut selected = Vec::new();
    let mut spent = Decimal::ZERO;
    // A project's new load as a fraction (numerator over approvers·den); None: infinite.
    let load_of_project = |p: usize, load_of: &[u32], table: &[BigInt], den: &BigInt| -> Option<(BigInt, BigInt)> {
        if approvers[p].is_empty() {
            return None;
        }
        let mut counts: HashMap<u32, u64> = HashMap::default();
        for voter in &approvers[p] {
            *counts.entry(load_of[*voter]).or_default() += 1;
        }
        let sum: BigInt = counts.iter().map(|(load, count)| &table[*load as usize] * BigInt::from(*count)).sum();
        Some((sum + &costs[p] * den, BigInt::from(approvers[p].len())))
    };
    let less = |a: &Option<(BigInt, BigInt)>, b: &Option<(BigInt, BigInt)>| match (a, b) {
        (Some((n1, k1)), Some((n2, k2))) => (n1 * k2).cmp(&(n2 * k1)),
        (Some(_), None) => Ordering::Less,
        (None, Some(_)) => Ordering::Greater,
        (None, None) => Ordering::Equal,
    };
    while !remaining.is_empty() {
        let scored: Vec<(Option<(BigInt, BigInt)>, usize)> =
            remaining.iter().map(|p| (load_of_project(*p, &load_of, &table, &den), *p)).collect();
        let min = scored.iter().map(|(load, _)| load).min_by(|a, b| less(a, b)).cloned().expect("projects remain");
        let mut tied: Vec<usize> =
            scored.iter().filter(|(load, _)| less(load, &min) == Ordering::Equal).map(|(_, p)| *p).collect();
        if tied.iter().any(|p| spent + profile.costs[*p] > budget) {
            break;
        }
        tied.sort_by(|a, b| by_id(&profile.ids, *a, *b));
        let p = tied[0];
        if let Some((sum, k)) = min {
            // Over the new denominator den·k, every load N becomes N·k and the approvers' is `sum`.
            den *= &k;
            for n in &mut table {
                *n *= &k;
            }
            table.push(sum);
            let id = (table.len() - 1) as u32;
            for voter in &approvers[p] {
                load_of[*voter] = id;
            }
            compact(&mut table, &mut load_of);
        }
        spent += profile.costs[p];
        selected.push(p);
        remaining.retain(|q| *q != p);
    }
    Ok(selected)
}

/// An outcome rule with its options, as a round or `pb-bot tally` names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rule {
    Greedy,
    GreedyStop,
    Mes,
    MesCompleted { stop: Add1Stop, complete: bool },
    Phragmen,
}

impl Rule {
    /// A rule by its name in `RULES` (`mes-completed` with its defaults).
    pub fn named(name: &str) -> Option<Rule> {
        Some(match name {
            "greedy" => Rule::Greedy,
            "greedy-stop" => Rule::GreedyStop,
            "mes" => Rule::Mes,
            "mes-completed" => Rule::MesCompleted { stop: Add1Stop::Exhaustive, complete: true },
            "phragmen" => Rule::Phragmen,
            _ => return None,
        })
    }

    pub fn name(self) -> &'static str {
        match self {
            Rule::Greedy => "greedy",
            Rule::GreedyStop => "greedy-stop",
            Rule::Mes => "mes",
            Rule::MesCompleted { .. } => "mes-completed",
            Rule::Phragmen => "phragmen",
        }
    }

    /// The selected projects, in the order the rule took them.
    pub fn run(self, profile: &Profile) -> Result<Vec<usize>, TallyError> {
        Ok(match self {
            Rule::Greedy => greedy(profile),
            Rule::GreedyStop => greedy_stop(profile),
            Rule::Mes => mes(profile),
            Rule::MesCompleted { stop, complete } => mes_completed(profile, stop, complete),
            Rule::Phragmen => phragmen(profile)?,
        })
    }
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
