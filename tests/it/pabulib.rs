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
