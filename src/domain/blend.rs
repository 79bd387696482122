//! Blended outcomes (DESIGN §6). An area's final outcome can combine the residents' vote, the
//! committee's vote and a survey, with weights from the district file (Seoul: 45 / 45 / 10).
//!
//! Normalisation: each source is scaled so that its best-scoring project on the ballot gets 1
//! and the others their score divided by that best score (a source in which nobody scored
//! anything gives every project 0). Approvals, Borda points and survey points thus weigh the
//! same however many people took part or how many points each ballot had. A project's blended
//! score is the weighted sum of its scaled scores; the weights of a source that is missing (no
//! survey was imported, or the residents' round is not published) are shared out among the
//! others in proportion to theirs. Projects are then funded in order of blended score (ties by
//! id string, as everywhere), each one that still fits the pot: the greedy rule. All of it is
//! exact; the scores shown are rounded to two decimals out of 100.

use std::collections::HashMap;

use num_bigint::BigInt;
use num_rational::BigRational;
use num_traits::{ToPrimitive, Zero};
use rust_decimal::Decimal;

use super::{
    Won,
    outcome::{Outcome, ProjectResult},
    tally::Rule,
};

/// The weights of the three sources, in percent; they add up to 100.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Weights {
    pub resident: u32,
    pub committee: u32,
    pub survey: u32,
}

impl Weights {
    pub fn new(resident: u32, committee: u32, survey: u32) -> Result<Weights, String> {
        if resident.checked_add(committee).and_then(|s| s.checked_add(survey)) != Some(100) {
            return Err(format!("the weights {resident} + {committee} + {survey} must add up to 100"));
        }
        if committee == 0 {
            return Err("the committee's weight must be above 0: its round is the one being blended".into());
        }
        Ok(Weights { resident, committee, survey })
    }
}

/// One project's scaled scores (0 to 1 each, as decimals rounded for display); `None` for a
/// source left out.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Parts {
    pub resident: Option<Decimal>,
    pub committee: Decimal,
    pub survey: Option<Decimal>,
}

/// How a blended outcome was made: the weights as configured and as applied.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Blend {
    pub configured: Weights,
    /// The weights used, in percent (two decimals), once missing sources are shared out.
    pub applied: [Decimal; 3],
}

/// Scores of one source, by project.
pub type Scores = HashMap<i64, Decimal>;

/// The committee round's own outcome, re-ranked and re-selected by blended score. `resident`
/// is the published outcome of the area's residents' round, `survey` the imported survey.
pub fn blend(committee: &Outcome, resident: Option<&Outcome>, survey: Option<&Scores>, weights: Weights) -> Outcome {
    let on_ballot: Vec<&ProjectResult> = committee.projects.iter().filter(|p| p.excluded.is_none()).collect();
    let resident: Option<Scores> = resident.map(|o| o.projects.iter().map(|p| (p.id, p.score)).collect());
    let own: Scores = on_ballot.iter().map(|p| (p.id, p.score)).collect();
    let scaled = |scores: &Scores| -> HashMap<i64, BigRational> {
        let best = on_ballot.iter().map(|p| scores.get(&p.id).copied().unwrap_or_default()).max().unwrap_or_default();
        on_ballot
            .iter()
            .map(|p| {
                let score = scores.get(&p.id).copied().unwrap_or_default().max(Decimal::ZERO);
                let value = if best > Decimal::ZERO { exact(score) / exact(best) } else { BigRational::zero() };
                (p.id, value)
            })
            .collect()
    };
    let sources = [resident.as_ref().map(scaled), Some(scaled(&own)), survey.map(scaled)];
    let configured = [weights.resident, weights.committee, weights.survey];
    let present: u32 = configured.iter().zip(&sources).filter(|(_, s)| s.is_some()).map(|(w, _)| *w).sum();
    let applied: Vec<BigRational> = configured
        .iter()
        .zip(&sources)
        .map(|(w, s)| match s {
            Some(_) => BigRational::new(BigInt::from(*w), BigInt::from(present.max(1))),
            None => BigRational::zero(),
        })
        .collect();
    let mut ranked: Vec<(BigRational, &ProjectResult, Parts)> = on_ballot
        .iter()
        .map(|p| {
            let mut total = BigRational::zero();
            let mut parts = [None, None, None];
            for (i, source) in sources.iter().enumerate() {
                if let Some(source) = source {
                    let value = source.get(&p.id).cloned().unwrap_or_else(BigRational::zero);
                    total += &applied[i] * &value;
                    parts[i] = Some(rounded(&value, 4));
                }
            }
            let parts = Parts { resident: parts[0], committee: parts[1].unwrap_or_default(), survey: parts[2] };
            (total, *p, parts)
        })
        .collect();
    ranked.sort_by(|a, b| b.0.cmp(&a.0).then_with(|| a.1.id.to_string().cmp(&b.1.id.to_string())));
    let mut left = committee.pot.as_decimal();
    let mut projects: Vec<ProjectResult> = ranked
        .into_iter()
        .map(|(total, p, parts)| {
            let funded = p.cost.as_decimal() <= left;
            if funded {
                left -= p.cost.as_decimal();
            }
            ProjectResult {
                score: rounded(&(total * BigRational::from_integer(BigInt::from(100))), 2),
                funded,
                parts: Some(parts),
                ..p.clone()
            }
        })
        .collect();
    projects.extend(committee.projects.iter().filter(|p| p.excluded.is_some()).cloned());
    let used = Won::new(committee.pot.as_decimal() - left).expect("whole won");
    let hundred = |w: &BigRational| rounded(&(w * BigRational::from_integer(BigInt::from(100))), 2);
    Outcome {
        rule: Rule::Greedy,
        pot: committee.pot,
        used,
        ballots: committee.ballots,
        projects,
        blend: Some(Blend {
            configured: weights,
            applied: [hundred(&applied[0]), hundred(&applied[1]), hundred(&applied[2])],
        }),
    }
}

fn exact(d: Decimal) -> BigRational {
    BigRational::new(BigInt::from(d.mantissa()), BigInt::from(10u32).pow(d.scale()))
}

/// `value` rounded half away from zero to `places` decimals (for display only).
fn rounded(value: &BigRational, places: u32) -> Decimal {
    let scale = BigInt::from(10u32).pow(places);
    let scaled = value * BigRational::from_integer(scale);
    let whole = scaled.round().to_integer().to_i64().unwrap_or(i64::MAX);
    Decimal::new(whole, places).normalize()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn won(n: i64) -> Won {
        Won::from_i64(n).unwrap()
    }

    fn outcome(pot: i64, projects: &[(i64, i64, i64)]) -> Outcome {
        Outcome {
            rule: Rule::Greedy,
            pot: won(pot),
            used: Won::ZERO,
            ballots: 10,
            projects: projects
                .iter()
                .map(|(id, cost, score)| ProjectResult {
                    id: *id,
                    title: format!("P{id}"),
                    cost: won(*cost),
                    votes: 0,
                    score: Decimal::from(*score),
                    funded: false,
                    excluded: None,
                    parts: None,
                })
                .collect(),
            blend: None,
        }
    }

    #[test]
    fn each_source_is_scaled_to_its_best_project_and_weighted() {
        // Committee: 1 has 10 points, 2 has 5, 3 has 0. Residents: 2 has 300 votes, 1 has 100.
        // Survey: 3 has 4, 1 has 2.
        let committee = outcome(100, &[(1, 60, 10), (2, 50, 5), (3, 40, 0)]);
        let residents = outcome(999, &[(1, 1, 100), (2, 1, 300), (3, 1, 0)]);
        let survey: Scores = [(1, Decimal::from(2)), (3, Decimal::from(4))].into();
        let blended = blend(&committee, Some(&residents), Some(&survey), Weights::new(45, 45, 10).unwrap());
        // 1: .45·(1/3) + .45·1 + .10·(1/2) = 0.65; 2: .45·1 + .45·(1/2) + 0 = 0.675; 3: 0.10.
        let scores: Vec<(i64, Decimal, bool)> = blended.projects.iter().map(|p| (p.id, p.score, p.funded)).collect();
        assert_eq!(
            scores,
            [(2, Decimal::new(675, 1), true), (1, Decimal::from(65), false), (3, Decimal::from(10), true)]
        );
        assert_eq!(blended.used, won(90), "2 (50) and 3 (40) fit the pot of 100; 1 (60) does not after 2");
        let parts = blended.projects[1].parts.unwrap();
        assert_eq!(parts.resident, Some(Decimal::new(3333, 4)));
        assert_eq!((parts.committee, parts.survey), (Decimal::ONE, Some(Decimal::new(5, 1))));
        assert_eq!(blended.blend.unwrap().applied, [Decimal::from(45), Decimal::from(45), Decimal::from(10)]);
    }

    #[test]
    fn a_missing_source_shares_its_weight_out_and_ties_go_to_the_smaller_id_string() {
        let committee = outcome(100, &[(9, 50, 4), (10, 50, 2)]);
        let residents = outcome(100, &[(9, 50, 1), (10, 50, 2)]);
        // No survey: 50 / 50. 9: .5·.5 + .5·1 = .75; 10: .5·1 + .5·.5 = .75: a tie, "10" < "9".
        let blended = blend(&committee, Some(&residents), None, Weights::new(45, 45, 10).unwrap());
        assert_eq!(blended.projects.iter().map(|p| p.id).collect::<Vec<_>>(), [10, 9]);
        assert_eq!(blended.blend.unwrap().applied, [Decimal::from(50), Decimal::from(50), Decimal::ZERO]);
        assert_eq!(blended.projects[0].parts.unwrap().survey, None);
        // Without the residents' round too, the committee's own order stands.
        let alone = blend(&committee, None, None, Weights::new(45, 45, 10).unwrap());
        assert_eq!(
            alone.projects.iter().map(|p| (p.id, p.score)).collect::<Vec<_>>(),
            [(9, Decimal::from(100)), (10, Decimal::from(50))]
        );
    }

    #[test]
    fn excluded_projects_stay_out_and_a_source_without_scores_gives_zero() {
        let mut committee = outcome(100, &[(1, 10, 0), (2, 10, 0), (3, 10, 0)]);
        committee.projects[2].excluded = Some("legal".into());
        let blended = blend(&committee, None, Some(&Scores::new()), Weights::new(0, 50, 50).unwrap());
        assert!(blended.projects.iter().take(2).all(|p| p.score.is_zero() && p.funded));
        assert_eq!(blended.projects[2].excluded.as_deref(), Some("legal"));
        assert!(!blended.projects[2].funded);
    }

    #[test]
    fn weights_must_add_up_to_100_with_a_committee_share() {
        assert!(Weights::new(45, 45, 10).is_ok());
        assert!(Weights::new(50, 45, 10).is_err());
        assert!(Weights::new(100, 0, 0).is_err());
        assert!(Weights::new(u32::MAX, 2, 0).is_err());
    }
}
