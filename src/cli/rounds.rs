//! `pb-bot admin rounds`: creating ballot rounds (they open and close by themselves while
//! `pb-bot run` runs) and listing them with turnout.

use std::path::Path;

use anyhow::{Context, bail};
use chrono::Utc;
use chrono_tz::Asia::Seoul;
use clap::Subcommand;

use super::{load_config, open_store};
use crate::{
    domain::{
        AreaKind,
        area::AreaNames,
        ballot::{Kind, RULES, RoundStage},
        meeting::parse_seoul_time,
    },
    i18n::Lang,
    store::{NewRound, SurveyOutcome},
};

#[derive(Debug, Subcommand)]
pub enum RoundsCommand {
    /// Create a round. Its projects are the area's eligible proposals when it opens.
    Create {
        /// The area: a dong, or the district-wide area (Korean or English name).
        #[arg(long)]
        area: String,
        /// dong (its verified residents), district (every verified resident) or committee.
        #[arg(long, default_value = "dong")]
        stage: String,
        /// approval, ranked, knapsack or cumulative.
        #[arg(long)]
        kind: String,
        /// approval: the fewest picks a ballot needs.
        #[arg(long, default_value_t = 1)]
        min: u32,
        /// approval: the most picks; ranked: how many projects may be ranked (k).
        #[arg(long)]
        max: Option<u32>,
        /// cumulative: points each voter spreads.
        #[arg(long)]
        points: Option<u32>,
        /// cumulative: the most points on one project (default: all of them).
        #[arg(long)]
        per_project: Option<u32>,
        /// The outcome rule: greedy, greedy-stop, mes, mes-completed or phragmen.
        #[arg(long, default_value = "greedy")]
        rule: String,
        /// Opening, Seoul time (2026-12-03 19:00, 12/3 19:00, 12월 3일 19시) or `now`.
        #[arg(long)]
        opens: String,
        /// Closing, Seoul time.
        #[arg(long)]
        closes: String,
    },
    /// The cycle's rounds as CSV: state, projects, ballots and turnout per dong.
    List,
    /// Exclude a project of a closed round from its outcome for a legal reason (public, shown
    /// next to the project in the results). Only before the outcome is published; audited.
    Exclude {
        #[arg(long)]
        round: i64,
        /// The project's proposal number.
        #[arg(long)]
        project: i64,
        /// The public reason (at most 500 characters).
        #[arg(long)]
        reason: String,
    },
    /// Take an exclusion back (before the outcome is published); audited.
    Readmit {
        #[arg(long)]
        round: i64,
        #[arg(long)]
        project: i64,
    },
    /// Import the survey scores of a committee round, blended into the area's final outcome
    /// with the weights of `[ballots] blend`: CSV of `project_id,score` (whole points, 0 or
    /// more; a header line is allowed). It replaces any earlier import; nothing is stored if a
    /// line is wrong. Before publication only; audited.
    Survey {
        #[arg(long)]
        round: i64,
        file: std::path::PathBuf,
    },
}

#[derive(Debug, Subcommand)]
pub enum BallotsCommand {
    /// Enter paper ballots: CSV of round, phone (as on the roll), choices (`3 7 12`; ranked in
    /// order; cumulative `3:2 7:1`). A paper ballot replaces the voter's chat ballot and ends chat
    /// voting for them. All lines are checked first; receipts are printed per line.
    Import {
        /// The CSV file (UTF-8; a header row, a BOM and CRLF line ends are fine).
        file: std::path::PathBuf,
    },
}

/// A kind with its limits from the command line.
fn kind_of(
    kind: &str,
    min: u32,
    max: Option<u32>,
    points: Option<u32>,
    per_project: Option<u32>,
) -> anyhow::Result<Kind> {
    Ok(match kind {
        "approval" => Kind::Approval { min, max: max.ok_or_else(|| anyhow::anyhow!("approval needs --max"))? },
        "ranked" => Kind::Ranked { max: max.ok_or_else(|| anyhow::anyhow!("ranked needs --max (k)"))? },
        "knapsack" => Kind::Knapsack,
        "cumulative" => {
            let points = points.ok_or_else(|| anyhow::anyhow!("cumulative needs --points"))?;
            Kind::Cumulative { points, per_project: per_project.unwrap_or(points) }
        }
        other => bail!("`{other}` is not a ballot kind (approval, ranked, knapsack, cumulative)"),
    })
}

pub async fn run(config_path: &Path, database_url: &str, command: RoundsCommand) -> anyhow::Result<()> {
    let config = load_config(config_path)?;
    let store = open_store(database_url).await?;
    let now = Utc::now();
    let cycle = store.apply_district(&config, now.timestamp()).await?;
    match command {
        RoundsCommand::Create { area, stage, kind, min, max, points, per_project, rule, opens, closes } => {
            let names = AreaNames::new(config.areas.iter());
            let Some(area) = names.find(&area) else { bail!("unknown area `{area}`") };
            let stage: RoundStage = stage.parse().map_err(anyhow::Error::msg)?;
            if stage == RoundStage::Dong && area.kind != AreaKind::Dong {
                bail!("a dong round needs a dong; use --stage district or committee for {}", area.name_en);
            }
            if !RULES.contains(&rule.as_str()) {
                bail!("`{rule}` is not an outcome rule ({})", RULES.join(", "));
            }
            let kind = kind_of(&kind, min, max, points, per_project)?;
            if !kind.rules().contains(&rule.as_str()) {
                bail!("{rule} counts approval and knapsack ballots only; choose {}", kind.rules().join(", "));
            }
            let today = now.with_timezone(&Seoul).date_naive();
            let when = |text: &str, what: &str| -> anyhow::Result<i64> {
                if what == "--opens" && text.trim() == "now" {
                    return Ok(now.timestamp());
                }
                parse_seoul_time(text, today).map(|t| t.timestamp()).map_err(|_| {
                    anyhow::anyhow!("{what} `{text}`: write 2026-12-03 19:00, 12/3 19:00 or 12월 3일 19시 (Seoul time)")
                })
            };
            let (opens_at, closes_at) = (when(&opens, "--opens")?, when(&closes, "--closes")?);
            if closes_at <= opens_at {
                bail!("the round must close after it opens");
            }
            if closes_at <= now.timestamp() {
                bail!("the closing time has already passed");
            }
            let eligible = usize::try_from(store.eligible_count(cycle.id, &area.key).await?).unwrap_or(0);
            if eligible > 0 {
                kind.check_limits(eligible).map_err(anyhow::Error::msg)?;
            } else {
                kind.check_limits(usize::MAX).map_err(anyhow::Error::msg)?;
            }
            let round = NewRound { area_key: area.key.clone(), stage, kind, rule, pot: area.pot, opens_at, closes_at };
            let created = store.create_round(cycle.id, &round, None, now.timestamp()).await?;
            let seoul = super::seoul_minute;
            println!(
                "Created round {} ({} {} ballot, {} rule) for {}: opens {}, closes {} (Seoul); {} eligible project(s) now. `pb-bot run` opens and closes it on time and announces both.",
                created.id,
                stage,
                created.kind.name(),
                created.rule,
                config.area_name(&area.key, Lang::En),
                seoul(opens_at),
                seoul(closes_at),
                eligible
            );
            if eligible == 0 {
                println!("No proposal of the area is eligible yet; without one at opening the round is void.");
            }
        }
        RoundsCommand::Exclude { round, project, reason } => {
            exclusion(&store, round, project, Some(&reason), now.timestamp()).await?;
            println!("Project {project} is excluded from round {round}'s outcome: {}", reason.trim());
        }
        RoundsCommand::Readmit { round, project } => {
            exclusion(&store, round, project, None, now.timestamp()).await?;
            println!("Project {project} counts again in round {round}'s outcome.");
        }
        RoundsCommand::Survey { round, file } => {
            let scores = read_survey(&file)?;
            match store.import_survey(round, &scores, None, now.timestamp()).await? {
                SurveyOutcome::Imported(n) => println!("Round {round}: survey scores of {n} projects imported."),
                SurveyOutcome::NotCommittee => bail!("round {round} is not a committee round"),
                SurveyOutcome::Published => bail!("round {round}'s outcome is published: it stands"),
                SurveyOutcome::NotOnBallot(id) => bail!("project {id} is not on round {round}'s ballot"),
            }
        }
        RoundsCommand::List => {
            let mut out = csv::Writer::from_writer(std::io::stdout().lock());
            out.write_record([
                "id", "area", "stage", "kind", "rule", "opens", "closes", "state", "projects", "ballots", "turnout",
            ])?;
            let seoul = super::seoul_minute;
            for round in store.rounds(cycle.id).await? {
                let state = match (&round.void_reason, round.opened_at, round.closed_at) {
                    (Some(reason), _, _) => format!("void: {reason}"),
                    (None, None, _) => "scheduled".into(),
                    (None, Some(_), None) => "open".into(),
                    (None, Some(_), Some(_)) => "closed".into(),
                };
                let turnout = store.turnout(round.id).await?;
                let ballots: i64 = turnout.iter().map(|(_, n)| n).sum();
                let per_dong: Vec<String> = turnout
                    .iter()
                    .map(|(dong, n)| {
                        format!("{} {n}", dong.as_deref().map_or("-".into(), |d| config.area_name(d, Lang::Ko)))
                    })
                    .collect();
                out.write_record([
                    round.id.to_string(),
                    config.area_name(&round.area_key, Lang::Ko),
                    round.stage.to_string(),
                    round.kind.name().to_owned(),
                    round.rule.clone(),
                    seoul(round.opens_at),
                    seoul(round.closes_at),
                    state,
                    store.round_projects(round.id).await?.len().to_string(),
                    ballots.to_string(),
                    per_dong.join("; "),
                ])?;
            }
            out.flush()?;
        }
    }
    Ok(())
}

async fn exclusion(
    store: &crate::store::Store,
    round: i64,
    project: i64,
    reason: Option<&str>,
    now: i64,
) -> anyhow::Result<()> {
    use crate::store::{ExclusionOutcome, MAX_REASON_CHARS};
    match store.exclude_project(round, project, reason, None, now).await? {
        ExclusionOutcome::Done => Ok(()),
        ExclusionOutcome::NotClosed => bail!("round {round} has not closed (or was void): it has no outcome yet"),
        ExclusionOutcome::Published => bail!("round {round}'s outcome is already published; it stands"),
        ExclusionOutcome::NotOnBallot => bail!("project {project} is not on round {round}'s ballot"),
        ExclusionOutcome::BadReason => bail!("the reason must be 1 to {MAX_REASON_CHARS} characters"),
    }
}

/// `pb-bot admin export --format`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ExportFormat {
    /// The anonymised ballots as a Pabulib `.pb` file.
    Pb,
    /// The results: every project with its cost, votes, score and whether it is funded.
    Csv,
    /// The results chart (in the district's default language).
    Png,
}

/// `pb-bot admin export`: only a closed round's ballots and results leave the database.
pub async fn export(
    config_path: &Path,
    database_url: &str,
    round_id: i64,
    format: ExportFormat,
    out: Option<&Path>,
) -> anyhow::Result<()> {
    use crate::domain::{outcome, pabulib};
    let config = load_config(config_path)?;
    let store = open_store(database_url).await?;
    let Some(record) = store.round_record(round_id).await? else { bail!("there is no round {round_id}") };
    let round = &record.round;
    if let Some(reason) = &round.void_reason {
        bail!("round {round_id} is void ({reason}): it has no ballots to export");
    }
    if round.closed_at.is_none() {
        bail!("round {round_id} has not closed: its ballots stay sealed until it does");
    }
    let day = |ts: i64| super::seoul_minute(ts)[..10].to_owned();
    let dates = (day(round.opened_at.unwrap_or(round.opens_at)), day(round.closed_at.unwrap_or(round.closes_at)));
    let area = config.area_name(&round.area_key, Lang::En);
    // After publication the export says what was published: its outcome, and the Add1 step it
    // was counted with even if the district file has changed since.
    let Some(tallied) = crate::bot::results::outcome(&store, &config, round_id).await? else {
        bail!("round {round_id} has no outcome")
    };
    let add1_step = match tallied.outcome.rule {
        crate::domain::tally::Rule::MesCompleted { step, .. } => {
            crate::domain::Won::new(step).unwrap_or(config.ballots.add1_step)
        }
        _ => config.ballots.add1_step,
    };
    let bytes = match format {
        ExportFormat::Pb => {
            let input = record.tally_input((&config.district_en, &area), (&dates.0, &dates.1), add1_step);
            pabulib::write(&outcome::instance(&input)).into_bytes()
        }
        ExportFormat::Csv => {
            let mut csv = csv::Writer::from_writer(Vec::new());
            // A blended outcome also gives each source's scaled score (0 to 1).
            let mut header = vec!["rank", "project_id", "title", "cost", "votes", "score", "funded", "excluded_reason"];
            let blended = tallied.outcome.blend.is_some();
            if blended {
                header.extend(["resident_scaled", "committee_scaled", "survey_scaled"]);
            }
            csv.write_record(&header)?;
            for (rank, project) in tallied.outcome.projects.iter().enumerate() {
                let parts = project.parts.unwrap_or_default();
                let text = |d: Option<rust_decimal::Decimal>| d.map(|d| d.normalize().to_string()).unwrap_or_default();
                let scaled = [text(parts.resident), text(Some(parts.committee)), text(parts.survey)];
                let mut record = vec![
                    (rank + 1).to_string(),
                    project.id.to_string(),
                    project.title.clone(),
                    project.cost.to_i64().to_string(),
                    project.votes.to_string(),
                    project.score.normalize().to_string(),
                    if project.funded { "1" } else { "0" }.to_owned(),
                    project.excluded.clone().unwrap_or_default(),
                ];
                if blended {
                    record.extend(scaled);
                }
                csv.write_record(&record)?;
            }
            csv.into_inner()?
        }
        ExportFormat::Png => {
            let locales = crate::i18n::Locales::embedded()?;
            crate::bot::results::chart(&config, &locales, config.default_language, &tallied)
        }
    };
    match out {
        Some(path) => std::fs::write(path, bytes).with_context(|| format!("cannot write {}", path.display()))?,
        None => std::io::Write::write_all(&mut std::io::stdout().lock(), &bytes)?,
    }
    Ok(())
}

/// A survey file: `project_id,score` lines, each checked, with the line number of any fault.
fn read_survey(file: &Path) -> anyhow::Result<Vec<(i64, i64)>> {
    let text = super::read_csv_text(file)?;
    let mut scores: Vec<(i64, i64)> = Vec::new();
    let mut problems = Vec::new();
    for (index, line) in text.trim_start_matches('\u{feff}').lines().enumerate() {
        let fields: Vec<&str> = line.split(',').map(str::trim).collect();
        if fields.iter().all(|f| f.is_empty()) || (index == 0 && fields[0].parse::<i64>().is_err()) {
            continue; // blank, or the header
        }
        match (fields.as_slice(), fields.first().and_then(|f| f.parse::<i64>().ok())) {
            ([_, score], Some(id)) => match score.parse::<i64>() {
                Ok(score) if score >= 0 && !scores.iter().any(|(p, _)| *p == id) => scores.push((id, score)),
                Ok(score) if score >= 0 => problems.push(format!("line {}: project {id} appears twice", index + 1)),
                _ => problems.push(format!("line {}: `{score}` is not a whole score of 0 or more", index + 1)),
            },
            _ => problems.push(format!("line {}: expected `project_id,score`", index + 1)),
        }
    }
    if !problems.is_empty() {
        bail!("nothing was imported:\n{}", problems.join("\n"));
    }
    if scores.is_empty() {
        bail!("{}: no scores", file.display());
    }
    Ok(scores)
}

pub async fn import_paper(config_path: &Path, database_url: &str, file: &Path) -> anyhow::Result<()> {
    use crate::store::CastOutcome;
    let _config = load_config(config_path)?;
    let text = super::read_csv_text(file)?;
    let text = text.strip_prefix('\u{feff}').unwrap_or(&text);
    let secret = super::load_secret(database_url)?;
    let store = open_store(database_url).await?;
    let now = Utc::now().timestamp();
    let mut ready = Vec::new();
    let mut problems = Vec::new();
    let mut seen = std::collections::HashMap::new();
    for (index, raw) in text.split('\n').enumerate() {
        let line = index + 1;
        let raw = raw.strip_suffix('\r').unwrap_or(raw);
        let mut reader = csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .trim(csv::Trim::All)
            .from_reader(raw.as_bytes());
        let Some(record) = reader.records().next() else { continue };
        let record = match record {
            Ok(record) => record,
            Err(e) => {
                problems.push(format!("line {line}: cannot read it as CSV: {e}"));
                continue;
            }
        };
        let fields: Vec<&str> = record.iter().collect();
        if fields.iter().all(|f| f.is_empty()) || (line == 1 && fields[0].eq_ignore_ascii_case("round")) {
            continue;
        }
        let [round, phone, choices] = fields.as_slice() else {
            problems.push(format!("line {line}: expected round, phone, choices"));
            continue;
        };
        let Some(round) = round.trim_start_matches(['r', 'R']).parse::<i64>().ok() else {
            problems.push(format!("line {line}: `{round}` is not a round number"));
            continue;
        };
        let Some(round) = store.round(round).await? else {
            problems.push(format!("line {line}: there is no round {round}"));
            continue;
        };
        match crate::bot::paper::check(&store, &secret, &round, phone, choices, now).await? {
            Ok(paper) => {
                if let Some(first) = seen.insert((round.id, paper.voter.clone()), line) {
                    problems.push(format!("line {line}: the same voter as line {first} in round {}", round.id));
                } else {
                    ready.push((line, round.id, paper));
                }
            }
            Err(problem) => problems.push(format!("line {line}: {problem}")),
        }
    }
    if !problems.is_empty() {
        for p in &problems {
            eprintln!("{}: {p}", file.display());
        }
        bail!("{}: {} problem(s); no ballot was entered", file.display(), problems.len());
    }
    if ready.is_empty() {
        bail!("{}: the file holds no ballot", file.display());
    }
    let (mut entered, mut replaced) = (0, 0);
    for (line, round, paper) in &ready {
        match crate::bot::paper::enter(&store, &secret, *round, paper, None, now).await? {
            CastOutcome::Cast { receipt, replaced: was } => {
                entered += 1;
                replaced += usize::from(was);
                println!("line {line}: entered in round {round}, receipt {receipt}");
            }
            other => bail!("line {line}: not entered ({other:?}); lines before it were entered"),
        }
    }
    println!("Entered {entered} paper ballot(s) from {} ({replaced} replaced an earlier ballot).", file.display());
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn survey(text: &str) -> anyhow::Result<Vec<(i64, i64)>> {
        let file = tempfile::NamedTempFile::new().unwrap();
        std::fs::write(file.path(), text).unwrap();
        read_survey(file.path())
    }

    #[test]
    fn a_survey_file_is_read_whole_or_refused_with_line_numbers() {
        assert_eq!(survey("\u{feff}project_id,score\r\n12, 40\n\n7,0\n").unwrap(), [(12, 40), (7, 0)]);
        let refused = survey("12,40\n7,-1\n12,3\n9\nx,1\n").unwrap_err().to_string();
        assert!(refused.starts_with("nothing was imported"), "{refused}");
        for expected in ["line 2: `-1`", "line 3: project 12 appears twice", "line 4: expected", "line 5: expected"] {
            assert!(refused.contains(expected), "{expected} in {refused}");
        }
        assert!(survey("project_id,score\n").unwrap_err().to_string().contains("no scores"));
    }
}
