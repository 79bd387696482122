//! Outcome rules (DESIGN §6) with the exact semantics of `../shared/pabulib/RULES.md`, the
//! reference being pabutools 1.2.3: greedy rules on exact decimal money, the Method of Equal
//! Shares and sequential Phragmén on exact rationals (no floats anywhere). Ties go to
//! the smallest project id *string* (`"10" < "9"`).

use std::{cmp::Ordering, collections::BinaryHeap};

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

    /// Project indices by score (highest first), ties by id string: the greedy order. As in
    /// the reference, whose measure is satisfaction (points × cost) per unit of cost, a project
    /// costing nothing scores 0 there and comes with the unsupported ones.
    pub fn greedy_order(&self) -> Vec<usize> {
        let mut scores = self.scores();
        for (score, cost) in scores.iter_mut().zip(&self.costs) {
            if cost.is_zero() {
                *score = Decimal::ZERO;
            }
        }
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

/// The Method of Equal Shares with cost utilities, prepared once for a profile so that the
/// Add1 loop can run it again and again: each of the `n` voters (empty ballots included) gets
/// the per-voter budget; repeatedly the project with the smallest ρ is bought, each supporter
/// paying `min(b_i, ρ·u_i)` where `u_i = points_i · cost`. Projects whose supporters cannot pay
/// are dropped; zero-cost and unsupported projects are never bought.
///
/// Exact and fast: money is scaled to integers, every voter's budget is an integer numerator
/// over one common denominator (so sums and comparisons need no gcd), voters with the same
/// ballot are one group (MES treats them alike), and groups with the same history share one
/// value. Scaling all utilities by one constant leaves MES unchanged, so points are scaled to
/// integers too.
pub struct EqualShares<'a> {
    profile: &'a Profile,
    /// How many voters cast each distinct non-empty ballot.
    group_sizes: Vec<u64>,
    /// Supporters of each project: (group, weight index).
    supporters: Vec<Vec<(u32, u32)>>,
    /// Supporters of each project by weight, when every budget is still the same: (weight
    /// index, voters). The first pricing of a run needs nothing else.
    at_start: Vec<Vec<(u32, u64)>>,
    /// Distinct weights (points as integers); all 1 on approval-like ballots.
    weights: Vec<BigInt>,
    costs: Vec<BigInt>,
    money_scale: BigInt,
    /// Projects MES could ever buy: supported, with a positive cost.
    candidates: Vec<usize>,
}

/// ρ as an unreduced fraction with a positive denominator, compared by cross-multiplying
/// (cheaper than `Ratio`'s comparison, which divides).
struct Rho {
    numer: BigInt,
    denom: BigInt,
}

impl Rho {
    fn cmp(&self, other: &Rho) -> Ordering {
        (&self.numer * &other.denom).cmp(&(&other.numer * &self.denom))
    }
}

/// A project in the queue with its price as of `at` purchases: the lowest ρ first, ties to the
/// smallest id string.
struct Priced<'a> {
    rho: Rho,
    id: &'a str,
    project: usize,
    share: Share,
    at: usize,
}

impl Ord for Priced<'_> {
    fn cmp(&self, other: &Self) -> Ordering {
        other.rho.cmp(&self.rho).then_with(|| other.id.as_bytes().cmp(self.id.as_bytes()))
    }
}

impl PartialOrd for Priced<'_> {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl PartialEq for Priced<'_> {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}

impl Eq for Priced<'_> {}

/// A fresh price: each supporter of weight w pays min(b, X·w / (Y·den)).
#[derive(Clone)]
struct Share {
    x: BigInt,
    y: BigInt,
}

/// Scratch space for counting supporters by (budget value, weight) without hashing.
#[derive(Default)]
struct Counter {
    count: Vec<u64>,
    touched: Vec<usize>,
}

impl Counter {
    fn add(&mut self, key: usize, amount: u64) {
        if key >= self.count.len() {
            self.count.resize(key + 1, 0);
        }
        if self.count[key] == 0 {
            self.touched.push(key);
        }
        self.count[key] += amount;
    }

    /// The keys counted since the last call with their counts; the counter is emptied.
    fn drain(&mut self) -> impl Iterator<Item = (usize, u64)> + '_ {
        self.touched.drain(..).map(|k| (k, std::mem::take(&mut self.count[k])))
    }
}

/// The value index every emptied budget shares.
const SPENT: u32 = 0;

/// Who pays for a project: (budget value, weight index, how many voters).
type Payers = Vec<(u32, usize, u64)>;

impl<'a> EqualShares<'a> {
    pub fn new(profile: &'a Profile) -> EqualShares<'a> {
        let projects = profile.ids.len();
        let money_scale = BigInt::from(10u32).pow(profile.costs.iter().map(|c| c.scale()).max().unwrap_or(0));
        let points_scale =
            Decimal::from(10u64.pow(profile.ballots.iter().flatten().map(|(_, w)| w.scale()).max().unwrap_or(0)));
        let mut group_of: HashMap<&[(usize, Decimal)], u32> = HashMap::default();
        let mut group_sizes: Vec<u64> = Vec::new();
        let mut supporters: Vec<Vec<(u32, u32)>> = vec![Vec::new(); projects];
        let mut weights: Vec<BigInt> = Vec::new();
        let mut weight_ids: HashMap<Decimal, u32> = HashMap::default();
        for ballot in profile.ballots.iter().filter(|b| !b.is_empty()) {
            if let Some(group) = group_of.get(ballot.as_slice()) {
                group_sizes[*group as usize] += 1;
                continue;
            }
            let group = group_sizes.len() as u32;
            group_sizes.push(1);
            group_of.insert(ballot, group);
            for (p, points) in ballot {
                let id = *weight_ids.entry(*points).or_insert_with(|| {
                    weights.push(exact(*points * points_scale).to_integer());
                    (weights.len() - 1) as u32
                });
                supporters[*p].push((group, id));
            }
        }
        let at_start = supporters
            .iter()
            .map(|list| {
                let mut by_weight = vec![0u64; weights.len()];
                for (group, weight) in list {
                    by_weight[*weight as usize] += group_sizes[*group as usize];
                }
                by_weight.into_iter().enumerate().filter(|(_, n)| *n > 0).map(|(w, n)| (w as u32, n)).collect()
            })
            .collect();
        let costs: Vec<BigInt> = profile.costs.iter().map(|c| (exact(*c) * &money_scale).to_integer()).collect();
        let candidates = (0..projects)
            .filter(|p| !supporters[*p].is_empty() && costs[*p].sign() == num_bigint::Sign::Plus)
            .collect();
        EqualShares { profile, group_sizes, supporters, at_start, weights, costs, money_scale, candidates }
    }

    /// How many projects MES could ever buy.
    pub fn buyable(&self) -> usize {
        self.candidates.len()
    }

    /// The price of project `p` now (ρ and the share), or `None` when its supporters cannot
    /// pay (then it is dropped for good).
    fn price(&self, p: usize, state: &mut State) -> Option<(Rho, Share)> {
        let kinds = self.weights.len();
        for (group, weight) in &self.supporters[p] {
            let value = state.value_of[*group as usize];
            if value != SPENT {
                state.counter.add(value as usize * kinds + *weight as usize, self.group_sizes[*group as usize]);
            }
        }
        let payers: Payers =
            state.counter.drain().map(|(key, count)| ((key / kinds) as u32, key % kinds, count)).collect();
        self.price_for(p, payers, state)
    }

    /// The price of project `p` paid by `payers`.
    fn price_for(&self, p: usize, payers: Payers, state: &mut State) -> Option<(Rho, Share)> {
        for (value, _, _) in &payers {
            state.bring_up_to_date(*value);
        }
        let table = &state.table;
        // (budget, weight index, how many voters)
        let mut payers: Vec<(&BigInt, usize, u64)> =
            payers.into_iter().map(|(value, weight, count)| (&table[value as usize], weight, count)).collect();
        // Who cannot pay an equal share (per unit of weight) is capped and pays all they have;
        // the others split what remains. Found by raising the share until no one else is capped,
        // which takes a pass or two in practice (a sort settles it otherwise). A budget N of
        // weight w pays in full when N·W >= R·w, i.e. N >= ceil(R·w / W): one threshold per
        // weight, so most budgets are only compared.
        let mut remaining = &self.costs[p] * &state.den;
        let mut per_weight = vec![0u128; self.weights.len()];
        for (_, w, count) in &payers {
            per_weight[*w] += u128::from(*count);
        }
        let mut weight_left: BigInt = per_weight.iter().zip(&self.weights).map(|(n, w)| w * BigInt::from(*n)).sum();
        let thresholds = |remaining: &BigInt, weight_left: &BigInt| -> Vec<BigInt> {
            let below = weight_left - 1u32;
            self.weights.iter().map(|w| (remaining * w + &below) / weight_left).collect()
        };
        for pass in 0.. {
            if weight_left.sign() != num_bigint::Sign::Plus || remaining.sign() != num_bigint::Sign::Plus {
                return None;
            }
            let mut threshold = thresholds(&remaining, &weight_left);
            if pass == 8 {
                let weights = &self.weights;
                payers.sort_unstable_by(|a, b| (a.0 * &weights[b.1]).cmp(&(b.0 * &weights[a.1])));
                for (n, w, count) in &payers {
                    if **n >= threshold[*w] {
                        break;
                    }
                    remaining -= *n * *count;
                    weight_left -= &self.weights[*w] * *count;
                    if weight_left.is_zero() {
                        return None;
                    }
                    threshold = thresholds(&remaining, &weight_left);
                }
                break;
            }
            let before = payers.len();
            // Thresholds only rise as capped budgets leave; they are recomputed once a pass.
            payers.retain(|(n, w, count)| {
                if **n >= threshold[*w] {
                    return true;
                }
                if *count == 1 {
                    remaining -= *n;
                } else {
                    remaining -= *n * *count;
                }
                weight_left -= &self.weights[*w] * *count;
                false
            });
            if payers.len() == before {
                break;
            }
        }
        if weight_left.sign() != num_bigint::Sign::Plus || remaining.sign() != num_bigint::Sign::Plus {
            return None;
        }
        // Unreduced: ρ is only compared.
        let rho = Rho { numer: remaining.clone(), denom: &weight_left * &state.den * &self.costs[p] };
        Some((rho, Share { x: remaining, y: weight_left }))
    }

    /// The projects bought with `per_voter` each, in the order bought.
    pub fn run(&self, per_voter: &BigRational) -> Vec<usize> {
        let kinds = self.weights.len();
        let start = per_voter * &self.money_scale;
        let mut state = State {
            den: start.denom().clone(),
            table: vec![BigInt::zero(), start.numer().clone()],
            stamp: vec![0, 0],
            factors: vec![BigInt::one()],
            holders: vec![0, self.group_sizes.len()],
            live: 1,
            value_of: vec![1; self.group_sizes.len()],
            counter: Counter::default(),
        };
        if state.table[1].sign() != num_bigint::Sign::Plus {
            return Vec::new();
        }
        // Lazy evaluation: budgets only fall, so a project's ρ only rises and a price from an
        // earlier round is a lower bound. Each round only the cheapest-looking projects are
        // priced again, until the cheapest is priced now (ties: the smallest id string). The
        // first prices need no look at the voters: everyone still has the same budget.
        let mut queue: BinaryHeap<Priced> = BinaryHeap::new();
        for &p in &self.candidates {
            let payers = self.at_start[p].iter().map(|(w, n)| (1, *w as usize, *n)).collect();
            if let Some((rho, share)) = self.price_for(p, payers, &mut state) {
                queue.push(Priced { rho, id: &self.profile.ids[p], project: p, share, at: 0 });
            }
        }
        let mut selected = Vec::new();
        // What each (value, weight) of the bought project's supporters becomes.
        let mut after: Vec<u32> = Vec::new();
        let mut touched: Vec<usize> = Vec::new();
        while let Some(top) = queue.pop() {
            let p = top.project;
            // Priced before the last purchase: a lower bound only.
            if top.at != selected.len() {
                if let Some((rho, share)) = self.price(p, &mut state) {
                    queue.push(Priced { rho, share, at: selected.len(), ..top });
                }
                continue;
            }
            let Share { x, y } = top.share;
            // Pay: over the new denominator den·Y, a budget N becomes N·Y (when it is next
            // looked at), and a supporter of weight w pays X·w (all of it when that is more
            // than they have).
            state.next_denominator(&y);
            let pays: Vec<BigInt> = self.weights.iter().map(|w| &x * w).collect();
            after.resize(state.table.len() * kinds, u32::MAX);
            for (group, weight) in &self.supporters[p] {
                let value = state.value_of[*group as usize];
                if value == SPENT {
                    continue;
                }
                let key = value as usize * kinds + *weight as usize;
                if after[key] == u32::MAX {
                    state.bring_up_to_date(value);
                    let left = &state.table[value as usize] - &pays[*weight as usize];
                    after[key] = if left.sign() == num_bigint::Sign::Plus { state.push(left) } else { SPENT };
                    touched.push(key);
                }
                state.hold(*group as usize, after[key]);
            }
            for key in touched.drain(..) {
                after[key] = u32::MAX;
            }
            state.tidy();
            selected.push(p);
        }
        selected
    }
}

/// One MES run's budgets: integer numerators over `den`; each group of voters holds one of
/// them (the first, zero, once it has spent all). A purchase multiplies the denominator; a
/// numerator is multiplied to match only when it is next looked at (most are not).
struct State {
    den: BigInt,
    table: Vec<BigInt>,
    /// The purchase after which each numerator was last brought up to date.
    stamp: Vec<u32>,
    /// What brings a numerator stamped after purchase `k` up to date: the product of the
    /// denominators' factors since (the last is 1).
    factors: Vec<BigInt>,
    /// How many groups hold each value; a value nobody holds any more is emptied at once and
    /// dropped from the table now and then.
    holders: Vec<usize>,
    /// How many values someone holds.
    live: usize,
    value_of: Vec<u32>,
    counter: Counter,
}

impl State {
    fn now(&self) -> u32 {
        (self.factors.len() - 1) as u32
    }

    fn next_denominator(&mut self, y: &BigInt) {
        self.den *= y;
        for f in &mut self.factors {
            *f *= y;
        }
        self.factors.push(BigInt::one());
    }

    fn bring_up_to_date(&mut self, value: u32) {
        let v = value as usize;
        let now = self.now();
        if self.stamp[v] != now {
            if !self.table[v].is_zero() {
                self.table[v] *= &self.factors[self.stamp[v] as usize];
            }
            self.stamp[v] = now;
        }
    }

    /// A new value, up to date; its index.
    fn push(&mut self, n: BigInt) -> u32 {
        self.table.push(n);
        self.stamp.push(self.now());
        self.holders.push(0);
        (self.table.len() - 1) as u32
    }

    fn hold(&mut self, group: usize, value: u32) {
        let old = std::mem::replace(&mut self.value_of[group], value) as usize;
        let value = value as usize;
        if self.holders[value] == 0 {
            self.live += 1;
        }
        self.holders[value] += 1;
        self.holders[old] -= 1;
        if self.holders[old] == 0 {
            self.live -= 1;
            self.table[old] = BigInt::zero();
        }
    }

    /// Renumbers the values when most of the table is no longer held.
    fn tidy(&mut self) {
        if self.table.len() < 2 * self.live + 1024 {
            return;
        }
        for v in 0..self.table.len() {
            if self.holders[v] > 0 {
                self.bring_up_to_date(v as u32);
            }
        }
        forget_unheld(&mut self.table, &mut self.value_of);
        self.stamp = vec![self.now(); self.table.len()];
        self.holders = vec![0; self.table.len()];
        for v in &self.value_of {
            self.holders[*v as usize] += 1;
        }
    }
}

/// Keeps only the values someone holds (`holders` index into `table`), and the first one (the
/// zero every emptied budget or unloaded voter shares), renumbering the holders.
fn forget_unheld(table: &mut Vec<BigInt>, holders: &mut [u32]) {
    let mut old: Vec<Option<BigInt>> = std::mem::take(table).into_iter().map(Some).collect();
    let mut remap = vec![u32::MAX; old.len()];
    remap[0] = 0;
    table.push(old[0].take().expect("the first value"));
    for held in holders {
        let o = *held as usize;
        if remap[o] == u32::MAX {
            table.push(old[o].take().expect("moved once"));
            remap[o] = (table.len() - 1) as u32;
        }
        *held = remap[o];
    }
}

/// `mes`: equal shares of `B/n`.
pub fn mes(profile: &Profile) -> Vec<usize> {
    if profile.ballots.is_empty() {
        return Vec::new();
    }
    let share = exact(profile.budget) / BigInt::from(profile.ballots.len());
    EqualShares::new(profile).run(&share)
}

/// The META key of a `.pb` file giving the Add1 step of `mes-completed` (pb-bot's exports write
/// it; the reference's step, 1, applies when it is absent).
pub const ADD1_STEP: &str = "add1_step";

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

/// `mes-completed`: MES with per-voter budgets `B/n`, `B/n + step`, `B/n + 2·step`, … (Add1,
/// the reference's step being 1 unit of money) until `stop` says so, then (unless `complete` is
/// false, as in Assen 2024) the greedy completion.
pub fn mes_completed(profile: &Profile, stop: Add1Stop, complete: bool, step: Decimal) -> Vec<usize> {
    let step = if step > Decimal::ZERO { step } else { Decimal::ONE };
    // Each budget's outcome depends on that budget alone, so the next few are run side by side,
    // one per core: the same outcome as one at a time, in about half the time on two cores.
    let width = std::thread::available_parallelism().map_or(1, |n| n.get()).min(ADD1_WIDTH);
    let outcome = if profile.ballots.is_empty() { Vec::new() } else { add1(profile, stop, &exact(step), width) };
    if complete { greedy_from(profile, &outcome) } else { outcome }
}

/// The Add1 loop, `width` budgets at a time, looked at in order (at most `width - 1` runs past
/// the last are wasted).
fn add1(profile: &Profile, stop: Add1Stop, step: &BigRational, width: usize) -> Vec<usize> {
    let width = width.max(1);
    let mut supported = vec![false; profile.ids.len()];
    for (p, _) in profile.ballots.iter().flatten() {
        supported[*p] = true;
    }
    let shares = EqualShares::new(profile);
    let mut per_voter = exact(profile.budget) / BigInt::from(profile.ballots.len());
    let mut previous = Vec::new();
    loop {
        let budgets: Vec<BigRational> = (0..width).map(|i| &per_voter + step * BigInt::from(i)).collect();
        for outcome in run_each(&shares, &budgets) {
            let spent = profile.cost_of(&outcome);
            if spent > profile.budget {
                return previous;
            }
            let exhaustive = || {
                (0..profile.ids.len())
                    .all(|p| !supported[p] || outcome.contains(&p) || spent + profile.costs[p] > profile.budget)
            };
            // Once MES buys all it ever could, more money changes nothing.
            if outcome.len() == shares.buyable() || (stop == Add1Stop::Exhaustive && exhaustive()) {
                return outcome;
            }
            previous = outcome;
        }
        per_voter += step * BigInt::from(width);
    }
}

/// How many budgets of the Add1 loop run at once, at most (one per core).
const ADD1_WIDTH: usize = 4;

/// MES with each of `budgets` per voter, the first on this thread and the others beside it.
fn run_each(shares: &EqualShares<'_>, budgets: &[BigRational]) -> Vec<Vec<usize>> {
    let Some((first, others)) = budgets.split_first() else { return Vec::new() };
    if others.is_empty() {
        return vec![shares.run(first)];
    }
    std::thread::scope(|scope| {
        let running: Vec<_> = others.iter().map(|budget| scope.spawn(move || shares.run(budget))).collect();
        let mut outcomes = vec![shares.run(first)];
        outcomes
            .extend(running.into_iter().map(|run| run.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic))));
        outcomes
    })
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
    // Loads are integer numerators over one common denominator `den`, each held by the
    // voters who got it at the same purchase, so sums and comparisons need no gcd.
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
        // Loads are few (one per purchase): counted in a plain array.
        let mut counts = vec![0u64; table.len()];
        for voter in &approvers[p] {
            counts[load_of[*voter] as usize] += 1;
        }
        let sum: BigInt = counts
            .iter()
            .enumerate()
            .filter(|(load, count)| **count > 0 && *load > 0)
            .map(|(load, count)| &table[load] * *count)
            .sum();
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
            forget_unheld(&mut table, &mut load_of);
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
    /// `step`: how much Add1 adds to each voter's budget at a time (1 in the reference).
    MesCompleted {
        stop: Add1Stop,
        complete: bool,
        step: Decimal,
    },
    Phragmen,
}

impl Rule {
    /// A rule by its name in `RULES` (`mes-completed` with its defaults).
    pub fn named(name: &str) -> Option<Rule> {
        Some(match name {
            "greedy" => Rule::Greedy,
            "greedy-stop" => Rule::GreedyStop,
            "mes" => Rule::Mes,
            "mes-completed" => Rule::MesCompleted { stop: Add1Stop::Exhaustive, complete: true, step: Decimal::ONE },
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
            Rule::MesCompleted { stop, complete, step } => mes_completed(profile, stop, complete, step),
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
    fn a_project_costing_nothing_comes_last_greedy_takes_it_and_mes_never_does() {
        // "free" has the most votes but costs 0: last in the order, with the unsupported "z".
        let text = "META\nkey;value\nbudget;250\nvote_type;approval\nnum_projects;4\nnum_votes;3\n\
            PROJECTS\nproject_id;cost\nfree;0\na;100\nb;200\nz;10\n\
            VOTES\nvoter_id;vote\n1;free,a\n2;free,b\n3;free,b\n";
        let p = profile(text);
        let order: Vec<&str> = p.greedy_order().iter().map(|i| p.ids[*i].as_str()).collect();
        assert_eq!(order, ["b", "a", "free", "z"]);
        assert_eq!(sorted_ids(&p, &greedy(&p)), ["b", "free", "z"], "a no longer fits; free and z do");
        assert_eq!(sorted_ids(&p, &greedy_stop(&p)), ["b"], "stops at a, before free");
        assert!(!sorted_ids(&p, &mes(&p)).contains(&"free".to_owned()));
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

    /// 40 voters approving 2 to 5 of 12 projects of uneven costs, spread by a fixed rule.
    fn spread() -> Profile {
        let costs = [37, 53, 71, 89, 97, 113, 131, 149, 167, 181, 199, 211];
        let mut text =
            "META\nkey;value\nbudget;600\nvote_type;approval\nnum_projects;12\nnum_votes;40\nPROJECTS\nproject_id;cost\n"
                .to_owned();
        for (p, cost) in costs.iter().enumerate() {
            text += &format!("p{p};{cost}\n");
        }
        text += "VOTES\nvoter_id;vote\n";
        for v in 0..40 {
            let picks: Vec<String> =
                (0..12).filter(|p| (v * 7 + p * 13 + v * p) % 9 < 3).map(|p| format!("p{p}")).collect();
            let picks = if picks.len() < 2 { vec!["p0".to_owned(), format!("p{}", v % 11 + 1)] } else { picks };
            text += &format!("{v};{}\n", picks.join(","));
        }
        profile(&text)
    }

    #[test]
    fn the_add1_loop_finds_the_same_outcome_however_many_budgets_run_at_once() {
        let mut p = spread();
        let mut outcomes = std::collections::BTreeSet::new();
        for budget in (300..=1200).step_by(50) {
            p.budget = Decimal::from(budget);
            for step in [1, 7] {
                for stop in [Add1Stop::Exhaustive, Add1Stop::Infeasible] {
                    let one = add1(&p, stop, &exact(Decimal::from(step)), 1);
                    for width in 2..=4 {
                        assert_eq!(add1(&p, stop, &exact(Decimal::from(step)), width), one, "{budget} {step} {width}");
                    }
                    outcomes.insert(sorted_ids(&p, &one));
                }
            }
        }
        assert!(outcomes.len() >= 8, "the budgets give different outcomes: {outcomes:?}");
    }
}
