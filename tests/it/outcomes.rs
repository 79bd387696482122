//! Round outcomes through the command line: a closed round's anonymised ballots exported as a
//! Pabulib file re-tally with `pb-bot tally` to the results the CSV export publishes, the
//! export holds nothing that names a voter, and the chart exports as PNG.

use pb_bot::{
    domain::ballot::{Kind, RoundStage},
    store::{Pushes, Round},
};

use crate::helpers::*;

fn nothing(_: &Round) -> Pushes {
    Pushes { default_lang: "ko", ..Pushes::default() }
}

#[tokio::test]
async fn a_closed_rounds_export_re_tallies_to_its_published_results_and_names_no_voter() {
    let world = World::new().await;
    let projects = [("Stair lights; \"north\"", 30_000_000), ("Shade trees", 50_000_000), ("Bench", 20_000_000)];
    let ids = world.eligible("sinchon", &projects).await;
    let cycle = world.cycle_id().await;
    let t0 = chrono::Utc::now().timestamp() - 3600;
    let kind = Kind::Approval { min: 1, max: 2 };
    let new = new_round("sinchon", RoundStage::Dong, kind, "mes-completed", 60_000_000, (t0, t0 + 1800));
    let round = world.store.create_round(cycle, &new, None, t0).await.unwrap();
    world.store.open_due_rounds(t0, |_, _| nothing(&round)).await.unwrap();
    let (lights, trees, bench) = (ids[0], ids[1], ids[2]);
    let picks = [vec![trees], vec![trees], vec![trees, bench], vec![lights, bench], vec![lights]];
    let mut receipts = vec![];
    for (voter, picked) in picks.iter().enumerate() {
        receipts.push(world.cast(round.id, &format!("roll:{}", 9000 + voter), Some("sinchon"), picked, t0 + 60).await);
    }
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("round.pb");
    let export = |format: &str| {
        cli(&world.db)
            .args(["admin", "export", "--round", &round.id.to_string(), "--format", format, "--out"])
            .arg(&file)
            .output()
            .unwrap()
    };
    let early = export("pb");
    assert!(!early.status.success(), "sealed while open");
    assert!(
        String::from_utf8_lossy(&early.stderr).contains("has not closed"),
        "{}",
        String::from_utf8_lossy(&early.stderr)
    );

    world.store.close_due_rounds(t0 + 1800, nothing).await.unwrap();
    let pb = export("pb");
    assert!(pb.status.success(), "{}", String::from_utf8_lossy(&pb.stderr));
    let text = std::fs::read_to_string(&file).unwrap();
    for code in &receipts {
        assert!(text.contains(&format!("\n{code};")), "every ballot under its receipt: {text}");
    }
    for meta in ["vote_type;approval\n", "budget;60000000\n", "rule;mes-completed\n", "add1_step;1000\n"] {
        assert!(text.contains(meta), "{meta} in {text}");
    }
    for identifying in [KIM.to_string(), ALEX.to_string(), "roll:9000".into(), (t0 + 60).to_string()] {
        assert!(!text.contains(&identifying), "the export holds {identifying}: {text}");
    }
    let votes_header = text.lines().skip_while(|l| *l != "VOTES").nth(1).unwrap();
    assert_eq!(votes_header, "voter_id;vote", "no other voter column");

    let tally = std::process::Command::new(env!("CARGO_BIN_EXE_pb-bot"))
        .args(["tally", "--rule", "mes-completed", "--json"])
        .arg(&file)
        .env_clear()
        .output()
        .unwrap();
    assert!(tally.status.success(), "{}", String::from_utf8_lossy(&tally.stderr));
    let tallied: serde_json::Value = serde_json::from_slice(&tally.stdout).unwrap();

    let csv = export("csv");
    assert!(csv.status.success(), "{}", String::from_utf8_lossy(&csv.stderr));
    let mut reader = csv::Reader::from_path(&file).unwrap();
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    assert_eq!(rows.len(), 3);
    let mut funded: Vec<String> = rows.iter().filter(|r| &r[6] == "1").map(|r| r[1].to_owned()).collect();
    funded.sort();
    let selected: Vec<String> =
        tallied["selected"].as_array().unwrap().iter().map(|v| v.as_str().unwrap().to_owned()).collect();
    assert_eq!(funded, selected, "the export re-tallies to the published results");
    // Five voters share the 60M pot, 12M each. Trees (50M) has three supporters: their shares
    // only reach 50M once each holds 16.67M, and then trees and lights cost 80M together, so
    // Add1 stops before; lights (tied with the bench, smaller id) is bought, and the greedy
    // completion adds the bench (20M) but not trees.
    assert_eq!(&rows[0][1], trees.to_string().as_str(), "the most supported first: {rows:?}");
    assert_eq!(&rows[0][2], "Shade trees");
    assert_eq!(&rows[1][2], "Stair lights; \"north\"", "titles survive quoting");
    let mut expected = vec![lights.to_string(), bench.to_string()];
    expected.sort();
    assert_eq!(funded, expected);
    let png = export("png");
    assert!(png.status.success(), "{}", String::from_utf8_lossy(&png.stderr));
    assert!(std::fs::read(&file).unwrap().starts_with(b"\x89PNG\r\n\x1a\n"), "the chart");
    let total: i64 = rows.iter().filter(|r| &r[6] == "1").map(|r| r[3].parse::<i64>().unwrap()).sum();
    assert_eq!(total.to_string(), tallied["total_cost"].as_str().unwrap());
    assert!(total <= 60_000_000);
}
