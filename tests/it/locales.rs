//! Both languages carry exactly the same messages, every message renders in both, and every id
//! the code asks for exists.

use std::collections::BTreeSet;

use fluent_syntax::{ast, parser};
use pb_bot::i18n::{Lang, Locales};

use crate::helpers::repo_path;

fn ids(lang: &str) -> BTreeSet<String> {
    let mut ids = BTreeSet::new();
    for entry in std::fs::read_dir(repo_path(&format!("locales/{lang}"))).unwrap() {
        let source = std::fs::read_to_string(entry.unwrap().path()).unwrap();
        let resource = parser::parse(source.as_str()).expect("valid Fluent");
        for item in resource.body {
            if let ast::Entry::Message(m) = item {
                assert!(ids.insert(m.id.name.to_owned()), "{lang}: {} defined twice", m.id.name);
            }
        }
    }
    ids
}

#[test]
fn korean_and_english_have_exactly_the_same_message_ids() {
    let (ko, en) = (ids("ko"), ids("en"));
    let only_ko: Vec<_> = ko.difference(&en).collect();
    let only_en: Vec<_> = en.difference(&ko).collect();
    assert!(only_ko.is_empty() && only_en.is_empty(), "only in ko: {only_ko:?}; only in en: {only_en:?}");
    assert!(ko.len() > 100);
}

#[test]
fn every_message_renders_in_both_languages_with_its_arguments() {
    let locales = Locales::embedded().unwrap();
    let names = [
        "area",
        "at",
        "count",
        "dong",
        "language",
        "left",
        "list",
        "name",
        "method",
        "min",
        "until",
        "cost",
        "description",
        "district",
        "estimated",
        "from",
        "id",
        "lat",
        "len",
        "limit",
        "link",
        "location",
        "lon",
        "max",
        "now",
        "page",
        "pages",
        "phase",
        "photo",
        "pot",
        "reason",
        "share",
        "since",
        "status",
        "title",
        "to",
        "waiting",
        "year",
        "text",
        "length",
        "kind",
        "subject",
        "recipients",
        "sent",
        "queued",
        "failed",
        "blocked",
        "when",
        "venue",
        "notes",
        "capacity",
        "stage",
        "going",
        "answer",
        "code",
        "was",
        "used",
        "ballots",
        "score",
        "left",
        "round",
        "rule",
        "resident",
        "committee",
        "survey",
        "department",
        "progress",
        "approved",
        "spent",
        "note",
        "from",
        "to",
        "quarter",
        "days",
        "rating",
        "due",
        "done",
    ];
    for id in ids("ko") {
        for lang in Lang::ALL {
            let args = names.iter().map(|n| (*n, fluent_bundle::FluentValue::from(2))).collect();
            let text = locales.text(lang, &id, args);
            assert!(!text.trim().is_empty() && text != id, "{id} in {lang:?} renders as {text:?}");
            assert!(
                !text.contains("{$") && !text.contains("{ $"),
                "{id} in {lang:?} has an unfilled placeable: {text}"
            );
        }
    }
}

/// Every message id the code names literally, or builds from a phase, status or field name.
#[test]
fn every_id_the_code_uses_exists() {
    let known = ids("en");
    let mut used = BTreeSet::new();
    let mut sources = vec![];
    for dir in ["src", "src/bot"] {
        for entry in std::fs::read_dir(repo_path(dir)).unwrap() {
            let path = entry.unwrap().path();
            if path.extension().is_some_and(|e| e == "rs") {
                sources.push(std::fs::read_to_string(path).unwrap());
            }
        }
    }
    for source in &sources {
        for call in
            ["t(\"", "ta(\"", "plain(lang, \"", "text(lang, \"", "plain(config.default_language, \"", "=> \"", "{ \""]
        {
            for piece in source.split(call).skip(1) {
                let id: String =
                    piece.chars().take_while(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_').collect();
                if id.contains('-') && piece[id.len()..].starts_with('"') {
                    used.insert(id);
                }
            }
        }
    }
    for phase in pb_bot::domain::Phase::ALL {
        used.insert(format!("phase-{phase}"));
        used.insert(format!("phase-hint-{phase}"));
    }
    for method in ["phone", "code"] {
        used.insert(format!("mydata-method-{method}"));
    }
    for status in ["submitted", "eligible", "ineligible"] {
        used.insert(format!("status-{status}"));
    }
    for field in ["area", "title", "description", "cost", "photo", "location"] {
        used.insert(format!("field-{field}"));
    }
    for stage in pb_bot::domain::meeting::Stage::ALL {
        used.insert(format!("meeting-stage-{stage}"));
    }
    for kind in ["approval", "ranked", "knapsack", "cumulative"] {
        used.insert(format!("vote-kind-{kind}"));
    }
    for kind in ["approval", "ranked", "cumulative"] {
        used.insert(format!("admin-round-ask-{kind}"));
    }
    for stage in pb_bot::domain::ballot::RoundStage::ALL {
        used.insert(format!("admin-round-stage-{stage}"));
    }
    for rule in pb_bot::domain::ballot::RULES {
        used.insert(format!("admin-rule-{rule}"));
    }
    for course in pb_bot::domain::Course::ALL {
        used.insert(format!("course-{course}"));
    }
    for kind in [
        "announcement",
        "proposal-eligible",
        "meeting-scheduled",
        "meeting-moved",
        "meeting-cancelled",
        "round-open",
        "round-closed",
        "results",
        "results-chart",
        "execution-update",
        "execution-digest",
        "execution-photo",
    ] {
        used.insert(format!("broadcast-kind-{kind}"));
    }
    for command in pb_bot::bot::RESIDENT_COMMANDS.into_iter().chain(["admin"]) {
        used.insert(format!("cmd-{command}"));
    }
    let missing: Vec<_> = used.iter().filter(|id| !known.contains(*id)).collect();
    assert!(missing.is_empty(), "ids used in code but missing in the locales: {missing:?}");
    assert!(used.len() > 80, "the scan found only {} ids", used.len());
}
