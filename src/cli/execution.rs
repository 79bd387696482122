//! `pb-bot admin execution import <file.csv>`: a quarter's updates of execution cards in bulk,
//! each checked like an update posted in chat and pushed to the project's followers; all lines
//! or none are imported.

use std::{collections::HashMap, path::Path};

use anyhow::{Context, bail};
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
    /// Set projects' milestones: CSV with a header of `project_id,title_ko,due_on` and
    /// optionally `title_en,done_on` (dates as YYYY-MM-DD), in order. Each project in the file
    /// gets exactly its lines as milestones; all lines or none are imported.
    Milestones { file: std::path::PathBuf },
    /// The quarter's report for the district website: every card as it stood at the end of the
    /// quarter, with the updates posted during it, as `execution-<quarter>.csv` and
    /// `execution-<quarter>.md`.
    Report {
        /// The quarter, e.g. `2027Q1` (Seoul time).
        #[arg(long)]
        quarter: String,
        /// The folder to write to (default: the current one).
        #[arg(long)]
        out: Option<std::path::PathBuf>,
    },
}

/// A CSV file with a header row (names in any case; a BOM and CRLF line ends are fine): its
/// non-blank rows with their line numbers, and the lines that could not be read at all.
struct Sheet {
    headers: Vec<String>,
    rows: Vec<(usize, csv::StringRecord)>,
    problems: Vec<String>,
}

impl Sheet {
    /// Reads `file`, refusing it whole when its header lacks one of `required`.
    fn read(file: &Path, required: &[&str]) -> anyhow::Result<Sheet> {
        let text = super::read_csv_text(file)?;
        let text = text.strip_prefix('\u{feff}').unwrap_or(&text);
        let mut reader = csv::ReaderBuilder::new().flexible(true).trim(csv::Trim::All).from_reader(text.as_bytes());
        let headers: Vec<String> = reader.headers()?.iter().map(str::to_ascii_lowercase).collect();
        if let Some(missing) = required.iter().find(|name| !headers.iter().any(|h| h == *name)) {
            bail!("{}: the header has no `{missing}` column (expected {})", file.display(), required.join(","));
        }
        let mut sheet = Sheet { headers, rows: Vec::new(), problems: Vec::new() };
        for (index, record) in reader.records().enumerate() {
            let line = index + 2;
            match record {
                Ok(record) if record.iter().all(|f| f.trim().is_empty()) => {}
                Ok(record) => sheet.rows.push((line, record)),
                Err(e) => sheet.problems.push(format!("line {line}: {e}")),
            }
        }
        Ok(sheet)
    }

    /// The trimmed value of column `name` in `row` (empty when the column or the value is absent).
    fn field<'r>(&self, row: &'r csv::StringRecord, name: &str) -> &'r str {
        self.headers.iter().position(|h| h == name).and_then(|i| row.get(i)).unwrap_or("").trim()
    }
}

/// A project number as typed (`12` or `#12`).
fn project_id(typed: &str) -> Result<i64, String> {
    typed.trim_start_matches('#').parse().map_err(|_| format!("`{typed}` is not a project number"))
}

pub async fn run(config_path: &Path, database_url: &str, command: ExecutionCommand) -> anyhow::Result<()> {
    match command {
        ExecutionCommand::Import { file } => import(config_path, database_url, &file).await,
        ExecutionCommand::Milestones { file } => milestones(database_url, &file).await,
        ExecutionCommand::Report { quarter, out } => report(config_path, database_url, &quarter, out.as_deref()).await,
    }
}

async fn import(config_path: &Path, database_url: &str, file: &Path) -> anyhow::Result<()> {
    let config = load_config(config_path)?;
    let locales = crate::i18n::Locales::embedded()?;
    let store = open_store(database_url).await?;
    let sheet = Sheet::read(file, &["project_id", "status", "progress", "spent", "text_ko"])?;
    let now = Utc::now().timestamp();
    // Cards as the lines before leave them, so a project may have several lines in order.
    let mut cards: HashMap<i64, Card> = HashMap::new();
    let mut ready = Vec::new();
    let mut problems = sheet.problems.clone();
    for (line, record) in &sheet.rows {
        let line = *line;
        let field = |name: &str| sheet.field(record, name);
        let optional = |name: &str| Some(field(name)).filter(|v| !v.is_empty()).map(str::to_owned);
        let parsed = (|| -> Result<(i64, Update), String> {
            let id = project_id(field("project_id"))?;
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

/// The start of a month in Seoul, as UTC seconds.
fn seoul_month_start((year, month): (i32, u32)) -> anyhow::Result<i64> {
    use chrono::TimeZone;
    chrono_tz::Asia::Seoul
        .with_ymd_and_hms(year, month, 1, 0, 0, 0)
        .single()
        .map(|t| t.timestamp())
        .ok_or_else(|| anyhow::anyhow!("{year}-{month:02} has no start in Seoul time"))
}

async fn report(config_path: &Path, database_url: &str, quarter: &str, out: Option<&Path>) -> anyhow::Result<()> {
    use std::fmt::Write as _;
    let Some(quarter) = execution::Quarter::parse(quarter) else {
        bail!("`{quarter}` is not a quarter; write it like 2027Q1");
    };
    let config = load_config(config_path)?;
    let locales = crate::i18n::Locales::embedded()?;
    let store = open_store(database_url).await?;
    let (first, next) = quarter.months();
    let (from, until) = (seoul_month_start(first)?, seoul_month_start(next)?);
    let cards = store.cards_opened_before(until).await?;
    let mut updates: HashMap<i64, Vec<crate::store::UpdateRecord>> = HashMap::new();
    for (project, update) in store.updates_before(until).await? {
        updates.entry(project).or_default().push(update);
    }
    let ratings: HashMap<i64, crate::store::Ratings> =
        store.evaluation_results().await?.into_iter().map(|r| (r.proposal_id, r)).collect();
    // An average to one decimal, rounded half up: 4.25 → 4.3.
    let average = |r: &crate::store::Ratings| {
        let tenths = (r.sum * 20 + r.count) / (2 * r.count);
        format!("{}.{}", tenths / 10, tenths % 10)
    };
    let seoul = |ts: i64| super::seoul_minute(ts);
    let status_ko = |status: Status| locales.plain(crate::i18n::Lang::Ko, &format!("execution-status-{status}"));
    let mut csv = csv::Writer::from_writer(Vec::new());
    csv.write_record([
        "project_id",
        "title",
        "area",
        "department",
        "approved",
        "spent",
        "progress",
        "status",
        "updates_in_quarter",
        "last_update",
        "rating_average",
        "ratings",
    ])?;
    let mut md = format!("# {} 주민참여예산 사업 추진 현황 · Execution report {quarter}\n\n", config.district_ko);
    let _ = writeln!(
        md,
        "{}–{} (Asia/Seoul). 분기 말 기준 사업 카드와 분기 중 올라온 추진 소식입니다. Each card as it stood at the end of the quarter, with the updates posted during it.\n",
        &seoul(from)[..10],
        &seoul(until - 1)[..10]
    );
    for (card, title, area) in &cards {
        let all = updates.get(&card.proposal_id).map(Vec::as_slice).unwrap_or_default();
        // As of the quarter's end: the last update before it, or the card as opened.
        let (status, progress, spent) =
            all.last().map_or((Status::Planned, 0, Won::ZERO), |u| (u.status, u.progress, u.spent));
        let during: Vec<_> = all.iter().filter(|u| u.posted_at >= from).collect();
        csv.write_record([
            card.proposal_id.to_string(),
            title.clone(),
            config.area_name(area, crate::i18n::Lang::Ko),
            card.department.clone().unwrap_or_default(),
            card.approved.to_i64().to_string(),
            spent.to_i64().to_string(),
            progress.to_string(),
            status.as_str().to_owned(),
            during.len().to_string(),
            all.last().map(|u| seoul(u.posted_at)).unwrap_or_default(),
            ratings.get(&card.proposal_id).map(average).unwrap_or_default(),
            ratings.get(&card.proposal_id).map_or(0, |r| r.count).to_string(),
        ])?;
        let _ = writeln!(
            md,
            "## #{} {title} — {}\n\n- 상태 Status: {} ({status}) · {progress}%\n- 승인 예산 Approved: {} · 집행 Spent: {}\n- 담당 부서 Department: {}",
            card.proposal_id,
            config.area_name(area, crate::i18n::Lang::Ko),
            status_ko(status),
            crate::i18n::Lang::Ko.money(card.approved),
            crate::i18n::Lang::Ko.money(spent),
            card.department.as_deref().unwrap_or("-"),
        );
        if let Some(r) = ratings.get(&card.proposal_id) {
            let _ = writeln!(
                md,
                "- 주민 평가 Residents' rating: {}/5 ({}명 평가 · {} ratings)",
                average(r),
                r.count,
                r.count
            );
            for comment in &r.comments {
                let _ = writeln!(md, "  - “{comment}”");
            }
        }
        if during.is_empty() {
            md.push_str("- 이번 분기 소식 없음 · No update this quarter\n");
        }
        for update in during {
            let _ = write!(
                md,
                "- {} — {} {}%: {}",
                seoul(update.posted_at),
                status_ko(update.status),
                update.progress,
                update.text_ko
            );
            if let Some(english) = &update.text_en {
                let _ = write!(md, " / {english}");
            }
            if let Some(reason) = &update.reason {
                let _ = write!(md, " (사유 Reason: {reason})");
            }
            md.push('\n');
        }
        md.push('\n');
    }
    if cards.is_empty() {
        md.push_str("이 분기까지 추진 중인 사업이 없습니다. No funded project yet.\n");
    }
    let dir = out.unwrap_or(Path::new("."));
    let csv_path = dir.join(format!("execution-{quarter}.csv"));
    let md_path = dir.join(format!("execution-{quarter}.md"));
    std::fs::write(&csv_path, csv.into_inner()?).with_context(|| format!("cannot write {}", csv_path.display()))?;
    std::fs::write(&md_path, md).with_context(|| format!("cannot write {}", md_path.display()))?;
    println!("{} projects; wrote {} and {}.", cards.len(), csv_path.display(), md_path.display());
    Ok(())
}

async fn milestones(database_url: &str, file: &Path) -> anyhow::Result<()> {
    let store = open_store(database_url).await?;
    let sheet = Sheet::read(file, &["project_id", "title_ko", "due_on"])?;
    let mut plans: Vec<(i64, Vec<execution::Milestone>)> = Vec::new();
    let mut problems = sheet.problems.clone();
    for (line, record) in &sheet.rows {
        let line = *line;
        let field = |name: &str| sheet.field(record, name);
        let date = |name: &str| -> Result<Option<chrono::NaiveDate>, String> {
            match field(name) {
                "" => Ok(None),
                typed => typed.parse().map(Some).map_err(|_| format!("{name} `{typed}` is not a date (YYYY-MM-DD)")),
            }
        };
        let title = |name: &str| -> Result<Option<String>, String> {
            match field(name) {
                "" => Ok(None),
                t if t.chars().count() > execution::MILESTONE_MAX_CHARS => {
                    Err(format!("{name} is longer than {} characters", execution::MILESTONE_MAX_CHARS))
                }
                t => Ok(Some(t.to_owned())),
            }
        };
        let parsed = (|| -> Result<(i64, execution::Milestone), String> {
            let id = project_id(field("project_id"))?;
            let title_ko = title("title_ko")?.ok_or("title_ko is empty")?;
            let due_on = date("due_on")?.ok_or("due_on is empty")?;
            Ok((id, execution::Milestone { title_ko, title_en: title("title_en")?, due_on, done_on: date("done_on")? }))
        })();
        let (id, milestone) = match parsed {
            Ok(parsed) => parsed,
            Err(problem) => {
                problems.push(format!("line {line}: {problem}"));
                continue;
            }
        };
        if store.execution_card(id).await?.is_none() {
            problems.push(format!("line {line}: project {id} has no execution card (not funded, or unknown)"));
            continue;
        }
        match plans.iter_mut().find(|(p, _)| *p == id) {
            Some((_, list)) => list.push(milestone),
            None => plans.push((id, vec![milestone])),
        }
    }
    if !problems.is_empty() {
        bail!("nothing was imported:\n{}", problems.join("\n"));
    }
    if plans.is_empty() {
        bail!("{}: no milestones", file.display());
    }
    store.set_milestones(&plans, None, Utc::now().timestamp()).await?;
    let count: usize = plans.iter().map(|(_, list)| list.len()).sum();
    println!("{count} milestones of {} projects imported.", plans.len());
    Ok(())
}
