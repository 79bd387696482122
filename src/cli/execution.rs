//! `pb-bot admin execution import <file.csv>`: a quarter's updates of execution cards in bulk,
//! each checked like an update posted in chat and pushed to the project's followers; all lines
//! or none are imported.

use std::{collections::HashMap, path::Path};

use anyhow::bail;
use chrono::Utc;
use clap::Subcommand;

use super::{load_config, open_store};
use crate::{
    domain::{
        Won,
        execution::{self, Card, Status, Update},
    },
    store::PostOutcome,
};

#[derive(Debug, Subcommand)]
pub enum ExecutionCommand {
    /// Import updates: CSV with a header of `project_id,status,progress,spent,text_ko` and
    /// optionally `text_en,reason,department` (status: planned, in_progress, delayed,
    /// completed, cancelled; spent in won as in `3,000,000` or `300만`). Every line is checked
    /// first (with its line number); nothing is imported if one is wrong.
    Import { file: std::path::PathBuf },
}

pub async fn run(config_path: &Path, database_url: &str, command: ExecutionCommand) -> anyhow::Result<()> {
    let ExecutionCommand::Import { file } = command;
    let config = load_config(config_path)?;
    let locales = crate::i18n::Locales::embedded()?;
    let store = open_store(database_url).await?;
    let text = super::read_csv_text(&file)?;
    let text = text.strip_prefix('\u{feff}').unwrap_or(&text);
    let mut reader = csv::ReaderBuilder::new().flexible(true).trim(csv::Trim::All).from_reader(text.as_bytes());
    let headers: Vec<String> = reader.headers()?.iter().map(str::to_ascii_lowercase).collect();
    let column = |name: &str| headers.iter().position(|h| h == name);
    let required = ["project_id", "status", "progress", "spent", "text_ko"];
    if let Some(missing) = required.iter().find(|name| column(name).is_none()) {
        bail!("{}: the header has no `{missing}` column (expected {})", file.display(), required.join(","));
    }
    let now = Utc::now().timestamp();
    // Cards as the lines before leave them, so a project may have several lines in order.
    let mut cards: HashMap<i64, Card> = HashMap::new();
    let mut ready = Vec::new();
    let mut problems = Vec::new();
    for (index, record) in reader.records().enumerate() {
        let line = index + 2;
        let record = match record {
            Ok(record) => record,
            Err(e) => {
                problems.push(format!("line {line}: {e}"));
                continue;
            }
        };
        let field = |name: &str| column(name).and_then(|i| record.get(i)).unwrap_or("").trim();
        let optional = |name: &str| Some(field(name)).filter(|v| !v.is_empty()).map(str::to_owned);
        if record.iter().all(|f| f.trim().is_empty()) {
            continue;
        }
        let parsed = (|| -> Result<(i64, Update), String> {
            let id = field("project_id")
                .trim_start_matches('#')
                .parse::<i64>()
                .map_err(|_| format!("`{}` is not a project number", field("project_id")))?;
            let status: Status = field("status").parse()?;
            let progress = execution::parse_progress(field("progress")).map_err(|e| e.to_string())?;
            let spent = match field("spent") {
                "0" => Won::ZERO,
                typed => Won::parse(typed).map_err(|e| format!("spent `{typed}`: {e}"))?,
            };
            let update = Update {
                status,
                progress,
                spent,
                text_ko: field("text_ko").to_owned(),
                text_en: optional("text_en"),
                reason: optional("reason"),
                photo: None,
                department: optional("department"),
            };
            Ok((id, update))
        })();
        let (id, update) = match parsed {
            Ok(parsed) => parsed,
            Err(problem) => {
                problems.push(format!("line {line}: {problem}"));
                continue;
            }
        };
        let card = match cards.get(&id) {
            Some(card) => card.clone(),
            None => match store.execution_card(id).await? {
                Some(card) => card,
                None => {
                    problems.push(format!("line {line}: project {id} has no execution card (not funded, or unknown)"));
                    continue;
                }
            },
        };
        let changes = match execution::check(&card, &update) {
            Ok(changes) => changes,
            Err(e) => {
                problems.push(format!("line {line}: project {id}: {e}"));
                continue;
            }
        };
        let Some(proposal) = store.proposal(id).await? else {
            problems.push(format!("line {line}: project {id} is unknown"));
            continue;
        };
        let pushes = crate::bot::execution::update_pushes(&config, &locales, &proposal, &card, &update, &changes);
        cards.insert(id, card.after(&update, now));
        ready.push((line, card, update, pushes));
    }
    if !problems.is_empty() {
        bail!("nothing was imported:\n{}", problems.join("\n"));
    }
    if ready.is_empty() {
        bail!("{}: no updates", file.display());
    }
    let batch: Vec<_> =
        ready.iter().map(|(_, card, update, pushes)| (card.clone(), update.clone(), pushes.clone())).collect();
    match store.post_updates(&batch, None, now).await? {
        Ok(n) => {
            for (line, card, update, _) in &ready {
                println!(
                    "line {line}: #{} {} {}% · spent {}",
                    card.proposal_id,
                    update.status,
                    update.progress,
                    update.spent.to_i64()
                );
            }
            println!("{n} updates imported; the projects' followers will hear of each.");
            Ok(())
        }
        Err((i, PostOutcome::Stale)) => {
            bail!("nothing was imported: line {}: the card changed while importing; run it again", ready[i].0)
        }
        Err((i, _)) => bail!("nothing was imported: line {}: the project has no execution card", ready[i].0),
    }
}
