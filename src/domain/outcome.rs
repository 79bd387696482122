//! A round's outcome (DESIGN §6). The round's ballots become a Pabulib instance — the very file
//! that is exported, with receipt codes as voter ids — and the round's rule runs on that
//! instance, so re-tallying the export with `pb-bot tally` gives the published outcome by
//! construction. Each voter's picks then get an explanation.

use std::collections::HashMap;

use rust_decimal::Decimal;

use super::{
    Won,
    ballot::{Ballot, Kind, Project},
    blend::{Blend, Parts, Weights},
    pabulib::{Instance, PbBallot, PbProject, VoteType},
    tally::{ADD1_STEP, Add1Stop, Profile, Rule, TallyError},
};

/// What a round's outcome is computed from.
#[derive(Debug, Clone)]
pub struct RoundBallots<'a> {
    /// The round's number (the instance name in the export).
    pub round_id: i64,
    /// The district (the export's `unit`) and the area (its `subunit`).
    pub district: &'a str,
    pub area: &'a str,
    pub kind: Kind,
    /// The rule's name, one of `ballot::RULES`.
    pub rule: &'a str,
    pub pot: Won,
    /// `mes-completed`: the Add1 step (written to the export as `add1_step`).
    pub add1_step: Won,
    /// Opening and closing days (`YYYY-MM-DD`, Seoul).
    pub dates: (&'a str, &'a str),
    /// The projects on the ballot with their titles.
    pub projects: &'a [(Project, String)],
    /// Projects left out for a legal reason: not tallied, and not in the export.
    pub excluded: &'a [(i64, String)],
    /// Each ballot with its receipt code.
    pub ballots: &'a [(String, Ballot)],
}

/// The anonymised ballots as a Pabulib instance: receipt codes as voter ids, nothing else about
/// the voters. Ranked ballots are written as points (Borda: `k` for the first of `k` places …
/// 1), so the file says exactly what was counted.
pub fn instance(round: &RoundBallots) -> Instance {
    let excluded = |id: i64| round.excluded.iter().any(|(e, _)| *e == id);
    let projects: Vec<&(Project, String)> = round.projects.iter().filter(|(p, _)| !excluded(p.id)).collect();
    let (vote_type, limits): (VoteType, Vec<(&str, String)>) = match round.kind {
        Kind::Approval { min, max } => {
            (VoteType::Approval, vec![("min_length", min.to_string()), ("max_length", max.to_string())])
        }
        Kind::Knapsack => (VoteType::Approval, vec![("max_sum_cost", round.pot.to_i64().to_string())]),
        Kind::Ranked { max } => (
            VoteType::Cumulative,
            vec![
                ("max_length", max.to_string()),
                ("max_points", max.to_string()),
                ("max_sum_points", (max * (max + 1) / 2).to_string()),
            ],
        ),
        Kind::Cumulative { points, per_project } => (
            VoteType::Cumulative,
            vec![("max_points", per_project.to_string()), ("max_sum_points", points.to_string())],
        ),
    };
    let ballots: Vec<PbBallot> = round
        .ballots
        .iter()
        .map(|(receipt, ballot)| {
            let mut picks: Vec<(i64, u32)> = ballot
                .order()
                .into_iter()
                .filter(|id| !excluded(*id))
                .map(|id| (id, points(round.kind, ballot, id)))
                .collect();
            if vote_type.has_points() {
                // Pabulib lists points ballots by decreasing points.
                picks.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.to_string().cmp(&b.0.to_string())));
            }
            PbBallot {
                voter_id: receipt.clone(),
                projects: picks.iter().map(|(id, _)| id.to_string()).collect(),
                points: if vote_type.has_points() {
                    picks.iter().map(|(_, w)| Decimal::from(*w)).collect()
                } else {
                    Vec::new()
                },
                extra: Vec::new(),
            }
        })
        .collect();
    let mut votes: HashMap<String, (u64, Decimal)> = HashMap::new();
    for ballot in &ballots {
        for (i, id) in ballot.projects.iter().enumerate() {
            let entry = votes.entry(id.clone()).or_default();
            entry.0 += 1;
            entry.1 += ballot.points.get(i).copied().unwrap_or(Decimal::ONE);
        }
    }
    let pb_projects: Vec<PbProject> = projects
        .iter()
        .map(|(project, title)| {
            let id = project.id.to_string();
            let (count, score) = votes.get(&id).copied().unwrap_or_default();
            PbProject {
                cost: project.cost.as_decimal(),
                extra: vec![
                    ("votes".into(), count.to_string()),
                    ("score".into(), score.to_string()),
                    ("name".into(), title.clone()),
                ],
                id,
            }
        })
        .collect();
    let mut comment = String::from("Anonymised ballots exported by pb-bot; voter ids are the voters' receipt codes.");
    if matches!(round.kind, Kind::Ranked { .. }) {
        comment.push_str(" Ranked ballots as Borda points: k for the first of k places, 1 for the last.");
    }
    for (id, reason) in round.excluded {
        comment.push_str(&format!(" Project {id} was excluded for a legal reason: {reason}."));
    }
    let mut meta: Vec<(String, String)> = vec![
        ("description".into(), format!("{} {} round {}", round.district, round.area, round.round_id)),
        ("country".into(), "South Korea".into()),
        ("unit".into(), round.district.into()),
        ("subunit".into(), round.area.into()),
        ("instance".into(), round.round_id.to_string()),
        ("num_projects".into(), pb_projects.len().to_string()),
        ("num_votes".into(), ballots.len().to_string()),
        ("budget".into(), round.pot.to_i64().to_string()),
        ("vote_type".into(), vote_type.as_str().into()),
        ("rule".into(), round.rule.into()),
        ("date_begin".into(), round.dates.0.into()),
        ("date_end".into(), round.dates.1.into()),
    ];
    meta.extend(limits.into_iter().map(|(k, v)| (k.to_owned(), v)));
    if round.rule == "mes-completed" {
        meta.push((ADD1_STEP.into(), round.add1_step.to_i64().to_string()));
    }
    meta.extend([
        ("currency".to_owned(), "KRW".to_owned()),
        ("language".to_owned(), "ko".to_owned()),
        ("comment".to_owned(), comment),
    ]);
    Instance {
        meta,
        budget: round.pot.as_decimal(),
        vote_type,
        projects: pb_projects,
        vote_columns: Vec::new(),
        ballots,
    }
}

/// The points a ballot gives a project: 1 per pick, Borda for a rank, or the points given.
fn points(kind: Kind, ballot: &Ballot, project: i64) -> u32 {
    match kind {
        Kind::Approval { .. } | Kind::Knapsack => 1,
        Kind::Ranked { max } => (max + 1).saturating_sub(ballot.weight(project)),
        Kind::Cumulative { .. } => ballot.weight(project),
    }
}

/// One project's result.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProjectResult {
    pub id: i64,
    /// Its title on the ballot.
    pub title: String,
    pub cost: Won,
    /// Ballots naming it.
    pub votes: u64,
    /// Approvals or points.
    pub score: Decimal,
    pub funded: bool,
    /// The public reason it was excluded, if it was.
    pub excluded: Option<String>,
    /// A blended outcome: the scaled score of each source (`score` is then the blend, out of 100).
    pub parts: Option<Parts>,
}

/// A round's outcome.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outcome {
    pub rule: Rule,
    pub pot: Won,
    /// What the funded projects cost together.
    pub used: Won,
    pub ballots: usize,
    /// Every project, by score (highest first, ties by id string); excluded ones last.
    pub projects: Vec<ProjectResult>,
    /// How residents', committee and survey scores were blended, for a blended outcome.
    pub blend: Option<Blend>,
}

/// Why something went wrong computing an outcome.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum OutcomeError {
    #[error("`{0}` is not an outcome rule")]
    UnknownRule(String),
    #[error(transparent)]
    Tally(#[from] TallyError),
}

/// Runs the round's rule on its ballots.
pub fn tally(round: &RoundBallots) -> Result<Outcome, OutcomeError> {
    let rule = match Rule::named(round.rule) {
        Some(Rule::MesCompleted { stop, complete, .. }) => {
            Rule::MesCompleted { stop, complete, step: round.add1_step.as_decimal() }
        }
        Some(rule) => rule,
        None => return Err(OutcomeError::UnknownRule(round.rule.into())),
    };
    let instance = instance(round);
    let profile = Profile::of(&instance)?;
    let selected = rule.run(&profile)?;
    let scores = profile.scores();
    let mut votes = vec![0u64; profile.ids.len()];
    for (p, _) in profile.ballots.iter().flatten() {
        votes[*p] += 1;
    }
    let title = |id: i64| round.projects.iter().find(|(p, _)| p.id == id).map(|(_, t)| t.clone()).unwrap_or_default();
    let mut projects: Vec<ProjectResult> = profile
        .greedy_order()
        .into_iter()
        .map(|p| {
            let id = profile.ids[p].parse().expect("ids are proposal numbers");
            ProjectResult {
                id,
                title: title(id),
                cost: Won::new(profile.costs[p]).expect("costs are whole won"),
                votes: votes[p],
                score: scores[p],
                funded: selected.contains(&p),
                excluded: None,
                parts: None,
            }
        })
        .collect();
    for (id, reason) in round.excluded {
        if let Some((project, title)) = round.projects.iter().find(|(p, _)| p.id == *id) {
            projects.push(ProjectResult {
                id: *id,
                title: title.clone(),
                cost: project.cost,
                votes: 0,
                score: Decimal::ZERO,
                funded: false,
                excluded: Some(reason.clone()),
                parts: None,
            });
        }
    }
    let used = Won::new(profile.cost_of(&selected)).expect("whole won");
    Ok(Outcome { rule, pot: round.pot, used, ballots: profile.ballots.len(), projects, blend: None })
}

/// An outcome as it is kept once published: what `/results` and the explanations are shown
/// from, so they never change afterwards (nor cost a recount). Money as whole won, scores as
/// decimal text.
#[derive(serde::Serialize, serde::Deserialize)]
struct Stored {
    rule: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    add1: Option<StoredAdd1>,
    pot: i64,
    used: i64,
    ballots: usize,
    projects: Vec<StoredProject>,
    /// A blended outcome: configured weights (resident, committee, survey) and applied ones.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    blend: Option<([u32; 3], [String; 3])>,
}

#[derive(serde::Serialize, serde::Deserialize)]
struct StoredAdd1 {
    step: String,
    infeasible: bool,
    complete: bool,
}

#[derive(serde::Serialize, serde::Deserialize)]
struct StoredProject {
    id: i64,
    title: String,
    cost: i64,
    votes: u64,
    score: String,
    funded: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    excluded: Option<String>,
    /// Scaled scores: resident (or none), committee, survey (or none).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    parts: Option<(Option<String>, String, Option<String>)>,
}

/// Why a kept outcome could not be read back.
#[derive(Debug, thiserror::Error)]
pub enum StoredError {
    #[error("the stored outcome is not valid: {0}")]
    Json(#[from] serde_json::Error),
    #[error("the stored outcome is not valid: {0}")]
    Field(String),
}

impl Outcome {
    /// The outcome as JSON, to keep with its publication.
    pub fn to_json(&self) -> String {
        let add1 = match self.rule {
            Rule::MesCompleted { stop, complete, step } => Some(StoredAdd1 {
                step: step.normalize().to_string(),
                infeasible: stop == Add1Stop::Infeasible,
                complete,
            }),
            _ => None,
        };
        let stored = Stored {
            rule: self.rule.name().to_owned(),
            add1,
            pot: self.pot.to_i64(),
            used: self.used.to_i64(),
            ballots: self.ballots,
            projects: self
                .projects
                .iter()
                .map(|p| StoredProject {
                    id: p.id,
                    title: p.title.clone(),
                    cost: p.cost.to_i64(),
                    votes: p.votes,
                    score: p.score.normalize().to_string(),
                    funded: p.funded,
                    excluded: p.excluded.clone(),
                    parts: p.parts.map(|parts| {
                        let text = |d: Decimal| d.normalize().to_string();
                        (parts.resident.map(text), text(parts.committee), parts.survey.map(text))
                    }),
                })
                .collect(),
            blend: self.blend.map(|b| {
                let w = b.configured;
                ([w.resident, w.committee, w.survey], b.applied.map(|d| d.normalize().to_string()))
            }),
        };
        serde_json::to_string(&stored).expect("an outcome serialises")
    }

    /// An outcome kept with [`Outcome::to_json`].
    pub fn from_json(text: &str) -> Result<Outcome, StoredError> {
        let stored: Stored = serde_json::from_str(text)?;
        let bad = |what: &str| StoredError::Field(what.to_owned());
        let won = |n: i64, what: &str| Won::from_i64(n).ok_or_else(|| bad(what));
        let rule = match (Rule::named(&stored.rule).ok_or_else(|| bad("rule"))?, stored.add1) {
            (Rule::MesCompleted { .. }, Some(add1)) => Rule::MesCompleted {
                stop: if add1.infeasible { Add1Stop::Infeasible } else { Add1Stop::Exhaustive },
                complete: add1.complete,
                step: add1.step.parse().map_err(|_| bad("add1 step"))?,
            },
            (rule, _) => rule,
        };
        let decimal = |text: &str, what: &str| text.parse::<Decimal>().map_err(|_| bad(what));
        let projects = stored
            .projects
            .into_iter()
            .map(|p| {
                let parts = match &p.parts {
                    Some((resident, committee, survey)) => Some(Parts {
                        resident: resident.as_deref().map(|r| decimal(r, "part")).transpose()?,
                        committee: decimal(committee, "part")?,
                        survey: survey.as_deref().map(|s| decimal(s, "part")).transpose()?,
                    }),
                    None => None,
                };
                Ok(ProjectResult {
                    parts,
                    id: p.id,
                    title: p.title,
                    cost: won(p.cost, "cost")?,
                    votes: p.votes,
                    score: p.score.parse().map_err(|_| bad("score"))?,
                    funded: p.funded,
                    excluded: p.excluded,
                })
            })
            .collect::<Result<_, StoredError>>()?;
        Ok(Outcome {
            rule,
            pot: won(stored.pot, "pot")?,
            used: won(stored.used, "used")?,
            ballots: stored.ballots,
            projects,
            blend: match stored.blend {
                Some(([resident, committee, survey], applied)) => Some(Blend {
                    configured: Weights::new(resident, committee, survey).map_err(StoredError::Field)?,
                    applied: [
                        decimal(&applied[0], "weight")?,
                        decimal(&applied[1], "weight")?,
                        decimal(&applied[2], "weight")?,
                    ],
                }),
                None => None,
            },
        })
    }
}

/// What happened to one pick, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Why {
    Funded,
    /// Left out for a legal reason (public).
    Excluded(String),
    /// What was left of the pot after the projects with more support was less than its cost.
    NoRoom {
        left: Won,
    },
    /// `greedy-stop`: the count stopped at a project with more support that did not fit.
    Stopped,
    /// A proportional rule: its supporters' equal shares of the pot could not pay for it (their
    /// money went to other projects they chose, or they were too few for its cost).
    Share,
}

impl Outcome {
    pub fn project(&self, id: i64) -> Option<&ProjectResult> {
        self.projects.iter().find(|p| p.id == id)
    }

    pub fn left(&self) -> Won {
        Won::new(self.pot.as_decimal() - self.used.as_decimal()).unwrap_or(self.pot)
    }

    /// Why a project was or was not funded.
    pub fn why(&self, id: i64) -> Option<Why> {
        let project = self.project(id)?;
        Some(if project.funded {
            Why::Funded
        } else if let Some(reason) = &project.excluded {
            Why::Excluded(reason.clone())
        } else if project.cost > self.left() {
            Why::NoRoom { left: self.left() }
        } else if self.rule == Rule::GreedyStop {
            Why::Stopped
        } else {
            Why::Share
        })
    }

    /// What happened to each pick of a ballot, in the ballot's order.
    pub fn explain(&self, ballot: &Ballot) -> Vec<(i64, Why)> {
        ballot.order().into_iter().filter_map(|id| self.why(id).map(|why| (id, why))).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{pabulib, tally};

    fn won(n: i64) -> Won {
        Won::from_i64(n).unwrap()
    }

    fn ballot(picks: &[(i64, u32)]) -> Ballot {
        Ballot::decode(&picks.iter().map(|(id, w)| format!("{id}:{w}")).collect::<Vec<_>>().join(",")).unwrap()
    }

    fn projects() -> Vec<(Project, String)> {
        [(9, 100), (10, 100), (11, 250), (12, 50)]
            .into_iter()
            .map(|(id, cost)| (Project { id, cost: won(cost) }, format!("Project {id}; \"quoted\"")))
            .collect()
    }

    fn round<'a>(
        kind: Kind,
        rule: &'a str,
        projects: &'a [(Project, String)],
        excluded: &'a [(i64, String)],
        ballots: &'a [(String, Ballot)],
    ) -> RoundBallots<'a> {
        RoundBallots {
            round_id: 7,
            district: "Seodaemun-gu",
            area: "Sinchon-dong",
            kind,
            rule,
            pot: won(300),
            add1_step: won(1),
            dates: ("2026-12-01", "2026-12-08"),
            projects,
            excluded,
            ballots,
        }
    }

    #[test]
    fn the_export_reads_back_and_re_tallies_to_the_outcome() {
        let projects = projects();
        let ballots: Vec<(String, Ballot)> = vec![
            ("AAAAA-AAAAA".into(), ballot(&[(9, 1), (10, 1)])),
            ("BBBBB-BBBBB".into(), ballot(&[(10, 1), (11, 1)])),
            ("CCCCC-CCCCC".into(), ballot(&[(11, 1)])),
            ("DDDDD-DDDDD".into(), Ballot::default()),
        ];
        for rule in crate::domain::ballot::RULES {
            let round = round(Kind::Approval { min: 0, max: 3 }, rule, &projects, &[], &ballots);
            let outcome = tally(&round).unwrap();
            let text = pabulib::write(&instance(&round));
            let reread = tally::Profile::of(&pabulib::parse(&text).unwrap()).unwrap();
            let selected = tally::sorted_ids(&reread, &Rule::named(rule).unwrap().run(&reread).unwrap());
            let mut funded: Vec<String> =
                outcome.projects.iter().filter(|p| p.funded).map(|p| p.id.to_string()).collect();
            funded.sort();
            assert_eq!(selected, funded, "{rule}");
            assert_eq!(outcome.ballots, 4, "the empty ballot counts");
            assert_eq!(Outcome::from_json(&outcome.to_json()).unwrap(), outcome, "{rule} kept as published");
            assert!(text.contains("AAAAA-AAAAA;9,10\n") || text.contains("AAAAA-AAAAA;10,9\n"), "{text}");
        }
    }

    #[test]
    fn a_kept_outcome_reads_back_with_its_rule_and_a_damaged_one_is_refused() {
        let projects = projects();
        let ballots: Vec<(String, Ballot)> = vec![("A".into(), ballot(&[(9, 1), (11, 1)]))];
        let mut outcome =
            tally(&round(Kind::Cumulative { points: 5, per_project: 3 }, "mes-completed", &projects, &[], &ballots))
                .unwrap();
        outcome.rule =
            Rule::MesCompleted { stop: tally::Add1Stop::Infeasible, complete: false, step: Decimal::new(25, 1) };
        outcome.projects[1].score = Decimal::new(15, 1);
        outcome.projects[2].excluded = Some("a \"legal\" reason; with ñ".into());
        assert_eq!(Outcome::from_json(&outcome.to_json()).unwrap(), outcome);
        let survey = [(9, Decimal::from(3)), (12, Decimal::from(7))].into();
        let blended = crate::domain::blend::blend(&outcome, None, Some(&survey), Weights::new(10, 60, 30).unwrap());
        assert!(blended.projects[0].parts.is_some());
        assert_eq!(Outcome::from_json(&blended.to_json()).unwrap(), blended);
        assert!(Outcome::from_json("{").is_err());
        assert!(Outcome::from_json(&outcome.to_json().replace("\"pot\":300", "\"pot\":-3")).is_err());
        assert!(Outcome::from_json(&outcome.to_json().replace("mes-completed", "lottery")).is_err());
    }

    #[test]
    fn greedy_ties_go_to_the_smaller_id_string_and_each_pick_is_explained() {
        let projects = projects();
        // 9 and 10 tie on two votes; "10" < "9"; 11 (250) no longer fits once 10 is in.
        let ballots: Vec<(String, Ballot)> = vec![
            ("A".into(), ballot(&[(9, 1), (10, 1), (11, 1)])),
            ("B".into(), ballot(&[(9, 1), (10, 1), (11, 1)])),
            ("C".into(), ballot(&[(12, 1)])),
        ];
        let outcome = tally(&round(Kind::Approval { min: 0, max: 3 }, "greedy", &projects, &[], &ballots)).unwrap();
        let order: Vec<i64> = outcome.projects.iter().map(|p| p.id).collect();
        assert_eq!(order, [10, 11, 9, 12]);
        let funded: Vec<i64> = outcome.projects.iter().filter(|p| p.funded).map(|p| p.id).collect();
        assert_eq!(funded, [10, 9, 12]);
        assert_eq!(outcome.used, won(250));
        assert_eq!(outcome.why(11), Some(Why::NoRoom { left: won(50) }));
        assert_eq!(
            outcome.explain(&ballots[0].1),
            [(9, Why::Funded), (10, Why::Funded), (11, Why::NoRoom { left: won(50) })]
        );
        let stop = tally(&round(Kind::Approval { min: 0, max: 3 }, "greedy-stop", &projects, &[], &ballots)).unwrap();
        assert_eq!(stop.why(9), Some(Why::Stopped), "9 would fit, but the count stopped at 11");
    }

    #[test]
    fn an_excluded_project_is_neither_tallied_nor_exported_and_says_why() {
        let projects = projects();
        let excluded = vec![(10, "the site is a protected green belt".to_owned())];
        let ballots: Vec<(String, Ballot)> =
            vec![("A".into(), ballot(&[(10, 1), (9, 2)])), ("B".into(), ballot(&[(10, 1), (11, 2)]))];
        let round = round(Kind::Ranked { max: 3 }, "greedy", &projects, &excluded, &ballots);
        let text = pabulib::write(&instance(&round));
        assert!(!text.lines().any(|l| l.starts_with("10;")), "{text}");
        assert!(text.contains("A;9;2\n"), "the other pick keeps the Borda points it was given: {text}");
        let outcome = tally(&round).unwrap();
        assert_eq!(outcome.why(10), Some(Why::Excluded("the site is a protected green belt".into())));
        assert_eq!(outcome.explain(&ballots[0].1)[0].1, Why::Excluded("the site is a protected green belt".into()));
    }

    #[test]
    fn mes_explains_a_project_whose_supporters_could_not_pay() {
        let projects = projects();
        // Pot 300, four voters: 75 each. Project 11 (250) has one supporter with 75.
        let ballots: Vec<(String, Ballot)> = vec![
            ("A".into(), ballot(&[(9, 1)])),
            ("B".into(), ballot(&[(9, 1)])),
            ("C".into(), ballot(&[(12, 1)])),
            ("D".into(), ballot(&[(11, 1)])),
        ];
        let outcome = tally(&round(Kind::Approval { min: 0, max: 3 }, "mes", &projects, &[], &ballots)).unwrap();
        assert_eq!(outcome.why(9), Some(Why::Funded));
        assert_eq!(outcome.why(12), Some(Why::Funded));
        assert_eq!(outcome.why(11), Some(Why::NoRoom { left: won(150) }));
        let cheap: Vec<(Project, String)> = projects
            .iter()
            .map(|(p, t)| (Project { id: p.id, cost: if p.id == 11 { won(120) } else { p.cost } }, t.clone()))
            .collect();
        let outcome = tally(&round(Kind::Approval { min: 0, max: 3 }, "mes", &cheap, &[], &ballots)).unwrap();
        assert_eq!(outcome.why(11), Some(Why::Share), "120 fits what is left, but one voter's 75 cannot pay it");
    }
}
