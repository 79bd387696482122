//! `pb-bot admin facilitators|courses|committee`: who may open check-in, Budget School
//! completions, and appointing the residents' PB committee from the eligible.

use std::path::Path;

use anyhow::{Context, bail};
use chrono::Utc;
use chrono_tz::Asia::Seoul;

use super::{CommitteeCommand, FacilitatorsCommand, ResidentArgs, load_config, load_secret, open_store, read_csv_text};
use crate::{
    domain::{
        committee::{Who, eligibility, parse_completions, parse_people, size_after},
        verification::Phone,
    },
    i18n::{Lang, Locales},
    store::{AppointOutcome, Completion, Notice, Pushes, Store},
};

/// The Telegram id of a resident named by id or by the phone they verified with.
async fn resolve(store: &Store, database_url: &str, who: &Who) -> anyhow::Result<Option<i64>> {
    match who {
        Who::Telegram(id) => Ok(store.known_users(&[*id]).await?.first().copied()),
        Who::Phone(phone) => Ok(store.resident_by_phone(&load_secret(database_url)?.phone_hash(phone)).await?),
    }
}

fn who_of(args: &ResidentArgs) -> anyhow::Result<Who> {
    match (&args.telegram_id, &args.phone) {
        (Some(id), _) => Ok(Who::Telegram(*id)),
        (None, Some(phone)) => Ok(Who::Phone(Phone::parse(phone).map_err(|e| anyhow::anyhow!("`{phone}`: {e}"))?)),
        (None, None) => bail!("give --telegram-id or --phone"),
    }
}

pub async fn facilitators(config_path: &Path, database_url: &str, command: FacilitatorsCommand) -> anyhow::Result<()> {
    let config = load_config(config_path)?;
    let store = open_store(database_url).await?;
    let now = Utc::now().timestamp();
    match command {
        FacilitatorsCommand::List => {
            let mut out = csv::Writer::from_writer(std::io::stdout().lock());
            out.write_record(["telegram_id", "granted"])?;
            for (id, at) in store.facilitators().await? {
                out.write_record([id.to_string(), super::seoul_minute(at)])?;
            }
            out.flush()?;
        }
        FacilitatorsCommand::Grant(args) => {
            let Some(id) = resolve(&store, database_url, &who_of(&args)?).await? else {
                bail!("no one matches: the resident must have opened the bot (and, by phone, be verified)");
            };
            let lang = crate::bot::resolve_lang(&store.user_language(id).await?, &config);
            let text = Locales::embedded()?.plain(lang, "facilitator-granted");
            let pushes =
                Pushes::notices(vec![Notice { chat_id: id, text, markup: None }], config.default_language.code());
            if store.grant_facilitator(id, None, &pushes, now).await? {
                println!(
                    "Telegram user {id} is now a facilitator: meeting cards show them \"Open check-in\"; they are told when `pb-bot run` delivers."
                );
            } else {
                println!("Telegram user {id} was already a facilitator.");
            }
        }
        FacilitatorsCommand::Revoke(args) => {
            let Some(id) = resolve(&store, database_url, &who_of(&args)?).await? else {
                bail!("no one matches");
            };
            if !store.revoke_facilitator(id, None, now).await? {
                bail!("Telegram user {id} is not a facilitator");
            }
            println!("Telegram user {id} is no longer a facilitator.");
        }
    }
    Ok(())
}

pub async fn import_courses(config_path: &Path, database_url: &str, file: &Path) -> anyhow::Result<()> {
    let _config = load_config(config_path)?;
    let text = read_csv_text(file)?;
    let today = Utc::now().with_timezone(&Seoul).date_naive();
    let lines = parse_completions(&text, today).map_err(|errors| {
        for e in &errors {
            eprintln!("{}: {e}", file.display());
        }
        anyhow::anyhow!("{}: {} problem(s); nothing was recorded", file.display(), errors.len())
    })?;
    let store = open_store(database_url).await?;
    let mut completions = Vec::with_capacity(lines.len());
    let mut unknown = Vec::new();
    for line in &lines {
        match resolve(&store, database_url, &line.who).await? {
            Some(telegram_id) => completions.push(Completion {
                telegram_id,
                course: line.course,
                completed_on: line.completed_on.to_string(),
            }),
            None => unknown.push(line.line),
        }
    }
    if !unknown.is_empty() {
        for line in &unknown {
            eprintln!(
                "{}: line {line}: no such resident (they must have opened the bot; a phone must be verified)",
                file.display()
            );
        }
        bail!("{}: {} unknown resident(s); nothing was recorded", file.display(), unknown.len());
    }
    let recorded = store.record_completions(&completions, None, Utc::now().timestamp()).await?;
    println!("Recorded {} course completions from {} ({recorded} rows written)", completions.len(), file.display());
    Ok(())
}

fn attended(candidate: &crate::store::CommitteeCandidate) -> u32 {
    u32::try_from(candidate.attended).unwrap_or(u32::MAX)
}

pub async fn committee(config_path: &Path, database_url: &str, command: CommitteeCommand) -> anyhow::Result<()> {
    let config = load_config(config_path)?;
    let store = open_store(database_url).await?;
    let now = Utc::now().timestamp();
    let cycle = store.apply_district(&config, now).await?;
    let required = &config.committee.requirements();
    let candidates = store.committee_candidates(cycle.id).await?;
    match command {
        CommitteeCommand::Eligible => {
            let mut out = csv::Writer::from_writer(std::io::stdout().lock());
            out.write_record(["telegram_id", "dong", "courses", "meetings_attended", "member", "eligible", "why_not"])?;
            for c in &candidates {
                let verdict = eligibility(c.dong_key.is_some(), &c.courses, attended(c), required);
                let courses: Vec<&str> = c.courses.iter().map(|c| c.as_str()).collect();
                out.write_record([
                    c.telegram_id.to_string(),
                    c.dong_key.as_deref().map(|d| config.area_name(d, Lang::Ko)).unwrap_or_default(),
                    courses.join(" "),
                    c.attended.to_string(),
                    if c.member { "yes" } else { "no" }.to_owned(),
                    if verdict.is_ok() { "yes" } else { "no" }.to_owned(),
                    verdict.err().map(|e| e.to_string()).unwrap_or_default(),
                ])?;
            }
            out.flush()?;
        }
        CommitteeCommand::List => {
            let mut out = csv::Writer::from_writer(std::io::stdout().lock());
            out.write_record(["telegram_id", "dong"])?;
            for c in candidates.iter().filter(|c| c.member) {
                out.write_record([
                    c.telegram_id.to_string(),
                    c.dong_key.as_deref().map(|d| config.area_name(d, Lang::Ko)).unwrap_or_default(),
                ])?;
            }
            out.flush()?;
        }
        CommitteeCommand::Appoint { file } => {
            let text = read_csv_text(&file)?;
            let people = parse_people(&text).map_err(|errors| {
                for e in &errors {
                    eprintln!("{}: {e}", file.display());
                }
                anyhow::anyhow!("{}: {} problem(s); no one was appointed", file.display(), errors.len())
            })?;
            let mut chosen = Vec::new();
            let mut problems = Vec::new();
            for (line, who) in &people {
                let Some(id) = resolve(&store, database_url, who).await? else {
                    problems.push(format!("line {line}: no such resident"));
                    continue;
                };
                match candidates.iter().find(|c| c.telegram_id == id) {
                    Some(c) => match eligibility(c.dong_key.is_some(), &c.courses, attended(c), required) {
                        Ok(()) => chosen.push(id),
                        Err(why) => problems.push(format!("line {line}: Telegram user {id} {why}")),
                    },
                    None => problems.push(format!("line {line}: Telegram user {id} is not a verified resident")),
                }
            }
            if !problems.is_empty() {
                for p in &problems {
                    eprintln!("{}: {p}", file.display());
                }
                bail!("{}: {} problem(s); no one was appointed", file.display(), problems.len());
            }
            let sitting = candidates.iter().filter(|c| c.member).count();
            let fresh =
                chosen.iter().filter(|id| !candidates.iter().any(|c| c.member && c.telegram_id == **id)).count();
            size_after(sitting, fresh, config.committee.min_members, config.committee.max_members)
                .map_err(|e| anyhow::anyhow!("{e}; no one was appointed"))?;
            let locales = Locales::embedded()?;
            let mut langs = std::collections::HashMap::new();
            for id in &chosen {
                let known = store.user_language(*id).await?;
                langs.insert(*id, crate::bot::resolve_lang(&known, &config));
            }
            let tell = |members: &[i64]| {
                let notices = members
                    .iter()
                    .map(|id| {
                        let lang = langs.get(id).copied().unwrap_or(config.default_language);
                        let text = locales.text(
                            lang,
                            "committee-appointed",
                            crate::args![
                                ("district", config.district_name(lang).to_owned()),
                                ("year", cycle.year.to_string())
                            ],
                        );
                        Notice { chat_id: *id, text, markup: None }
                    })
                    .collect();
                Pushes::notices(notices, config.default_language.code())
            };
            let outcome = store
                .appoint_committee(cycle.id, &chosen, config.committee.max_members, None, tell, now)
                .await
                .context("appointing the committee")?;
            match outcome {
                AppointOutcome::Appointed { added, size } => {
                    let missing = (config.committee.min_members as usize).saturating_sub(size);
                    println!(
                        "Appointed {added} new member(s); the {} committee has {size} (of {}–{}). Each new member is told when `pb-bot run` delivers.",
                        cycle.year, config.committee.min_members, config.committee.max_members
                    );
                    if missing > 0 {
                        println!("The committee still needs {missing} more member(s) to reach its minimum.");
                    }
                }
                AppointOutcome::TooLarge { would_have } => bail!(
                    "the committee would have {would_have} members, more than {}; no one was appointed",
                    config.committee.max_members
                ),
            }
        }
    }
    Ok(())
}
