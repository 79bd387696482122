//! The `.pb` reader on every real Pabulib instance and edge case shipped beside the repository
//! (`../shared/pabulib`), checked against each file's own META and the reference outcomes.

use std::path::PathBuf;

use pb_bot::domain::pabulib::{VoteType, parse};
use rust_decimal::Decimal;

use crate::helpers::repo_path;

fn instances() -> Vec<PathBuf> {
    let mut files = Vec::new();
    for dir in ["../shared/pabulib", "../shared/pabulib/edge"] {
        let Ok(entries) = std::fs::read_dir(repo_path(dir)) else { continue };
        files.extend(entries.map(|e| e.unwrap().path()).filter(|p| p.extension().is_some_and(|x| x == "pb")));
    }
    files.sort();
    files
}

#[test]
fn every_shared_instance_reads_with_the_counts_and_budget_its_meta_declares() {
    let files = instances();
    if files.is_empty() {
        eprintln!("skipped: ../shared/pabulib is not beside this checkout (CI has it)");
        return;
    }
    assert!(files.len() >= 17, "{} files", files.len());
    let mut seen_types = std::collections::BTreeSet::new();
    for path in &files {
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        let text = std::fs::read_to_string(path).unwrap();
        let instance = parse(&text).unwrap_or_else(|e| panic!("{name}: {e}"));
        let declared =
            |key: &str| instance.meta(key).unwrap_or_else(|| panic!("{name}: no {key}")).parse::<usize>().unwrap();
        assert_eq!(instance.projects.len(), declared("num_projects"), "{name}");
        assert_eq!(instance.ballots.len(), declared("num_votes"), "{name}");
        for ballot in &instance.ballots {
            if instance.vote_type.has_points() {
                assert_eq!(ballot.points.len(), ballot.projects.len(), "{name} voter {}", ballot.voter_id);
            }
            if instance.vote_type == VoteType::Choose1 {
                assert!(ballot.projects.len() <= 1, "{name}");
            }
        }
        // The reference outcomes state the budget as pabutools read it.
        let expected = path.with_file_name(format!("{}__greedy.json", name.trim_end_matches(".pb")));
        let expected = if expected.exists() {
            expected
        } else {
            repo_path("../shared/pabulib/expected").join(expected.file_name().unwrap())
        };
        let json: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&expected).unwrap()).unwrap();
        let budget: Decimal = json["budget"].as_str().unwrap().parse().unwrap();
        assert_eq!(instance.budget, budget, "{name}");
        seen_types.insert(instance.vote_type.as_str());
    }
    assert_eq!(seen_types.into_iter().collect::<Vec<_>>(), ["approval", "choose-1", "cumulative", "ordinal"]);
}

#[test]
fn every_shared_instance_is_written_back_as_a_file_that_reads_the_same() {
    use pb_bot::domain::pabulib::write;
    for path in instances() {
        let instance = parse(&std::fs::read_to_string(&path).unwrap()).unwrap();
        let written = write(&instance);
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        assert_eq!(parse(&written).unwrap_or_else(|e| panic!("{name}: {e}")), instance, "{name}");
    }
}

/// Every reference outcome (`expected/` and `edge/`) of the rules implemented so far, as
/// `(instance file, rule, expected JSON)`.
fn expected_outcomes(rules: &[&str]) -> Vec<(PathBuf, String, serde_json::Value)> {
    let mut outcomes = Vec::new();
    for dir in ["../shared/pabulib/expected", "../shared/pabulib/edge"] {
        let Ok(entries) = std::fs::read_dir(repo_path(dir)) else { continue };
        for entry in entries {
            let path = entry.unwrap().path();
            let name = path.file_name().unwrap().to_string_lossy().into_owned();
            let Some(stem) = name.strip_suffix(".json") else { continue };
            // Instance names may hold `__` too (`…Maksymiliana__small`), and so may rule
            // variants (`mes-completed__add1-infeasible`): the instance is the prefix whose
            // `.pb` file exists.
            let found = stem.match_indices("__").find_map(|(at, _)| {
                let (instance, rule) = (&stem[..at], &stem[at + 2..]);
                ["../shared/pabulib", "../shared/pabulib/edge"]
                    .iter()
                    .map(|d| repo_path(d).join(format!("{instance}.pb")))
                    .find(|p| p.exists())
                    .map(|file| (file, rule))
            });
            let (file, rule) = found.unwrap_or_else(|| panic!("no instance for {name}"));
            if !rules.contains(&rule) {
                continue;
            }
            let json = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
            outcomes.push((file, rule.to_owned(), json));
        }
    }
    outcomes.sort_by(|a, b| (&a.0, &a.1).cmp(&(&b.0, &b.1)));
    outcomes
}

#[test]
fn every_rule_selects_exactly_what_the_reference_selected_on_every_instance() {
    use pb_bot::domain::tally::{Add1Stop, Profile, Rule, sorted_ids};
    let outcomes = expected_outcomes(&[
        "greedy",
        "greedy-stop",
        "mes",
        "mes-completed",
        "mes-completed__add1-infeasible",
        "mes-completed__no-completion",
        "phragmen",
    ]);
    if outcomes.is_empty() {
        eprintln!("skipped: ../shared/pabulib is not beside this checkout (CI has it)");
        return;
    }
    let count = |rule: &str| outcomes.iter().filter(|o| o.1 == rule).count();
    assert_eq!(
        (count("greedy"), count("greedy-stop"), count("mes"), count("mes-completed")),
        (17, 17, 17, 17),
        "every instance"
    );
    // The variants real cities used: Wieliczka, Świecie and Assen.
    assert_eq!((count("mes-completed__add1-infeasible"), count("mes-completed__no-completion")), (3, 3));
    assert!(count("phragmen") >= 8, "every approval instance: {}", count("phragmen"));
    let mut cache: std::collections::HashMap<PathBuf, Profile> = std::collections::HashMap::new();
    for (file, rule, expected) in &outcomes {
        let profile = cache
            .entry(file.clone())
            .or_insert_with(|| Profile::of(&parse(&std::fs::read_to_string(file).unwrap()).unwrap()).unwrap());
        let rule_of = match rule.as_str() {
            "mes-completed__add1-infeasible" => {
                Rule::MesCompleted { stop: Add1Stop::Infeasible, complete: true, step: 1.into() }
            }
            "mes-completed__no-completion" => {
                Rule::MesCompleted { stop: Add1Stop::Exhaustive, complete: false, step: 1.into() }
            }
            name => Rule::named(name).unwrap(),
        };
        let selected = rule_of.run(profile).unwrap();
        let wanted: Vec<String> =
            expected["selected"].as_array().unwrap().iter().map(|v| v.as_str().unwrap().to_owned()).collect();
        let name = file.file_name().unwrap().to_string_lossy();
        assert_eq!(sorted_ids(profile, &selected), wanted, "{name} {rule}");
        let total = profile.cost_of(&selected).normalize().to_string();
        assert_eq!(total, expected["total_cost"].as_str().unwrap(), "{name} {rule}");
    }
}

#[test]
fn the_tally_command_prints_the_outcome_for_auditors() {
    let file = repo_path("../shared/pabulib/edge/edge_ties.pb");
    if !file.exists() {
        eprintln!("skipped: ../shared/pabulib is not beside this checkout (CI has it)");
        return;
    }
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_pb-bot"))
        .args(["tally", "--rule", "greedy", "--json"])
        .arg(&file)
        .env_clear()
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    assert_eq!(
        String::from_utf8_lossy(&output.stdout),
        "{\"rule\":\"greedy\",\"selected\":[\"10\",\"9\"],\"total_cost\":\"200\",\"budget\":\"300\"}\n"
    );
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_pb-bot"))
        .args(["tally", "--rule", "mes"])
        .arg(&file)
        .env_clear()
        .output()
        .unwrap();
    assert_eq!(
        String::from_utf8_lossy(&output.stdout),
        "rule: mes\nselected (2): 10 b\ntotal cost: 200.5\nbudget: 300\n"
    );
    let ordinal = repo_path("../shared/pabulib/edge/edge_ordinal_short.pb");
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_pb-bot"))
        .args(["tally", "--rule", "phragmen"])
        .arg(&ordinal)
        .env_clear()
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2), "phragmen needs approval ballots");
    assert!(String::from_utf8_lossy(&output.stderr).contains("phragmen applies to approval and choose-1 ballots only"));
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_pb-bot"))
        .args(["tally", "--rule", "greedy-stop", "/nonexistent.pb"])
        .env_clear()
        .output()
        .unwrap();
    assert!(!output.status.success());
    assert!(String::from_utf8_lossy(&output.stderr).contains("cannot read /nonexistent.pb"));
}
