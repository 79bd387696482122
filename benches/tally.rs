//! Tally benchmark: parsing a Pabulib file and running each outcome rule on it, in process,
//! the best of a few runs (one core). The reference (pabutools 1.2.3) needs 20–40 s per rule on
//! the large files; see `../shared/pabulib/expected/*.json`'s `seconds`.
//!
//! `cargo bench --bench tally` (Warsaw 2026, Krakow 2024, Katowice 2023, and a generated
//! instance of 100,000 approval ballots over 200 projects);
//! `cargo bench --bench tally -- <file.pb>…` for other files.

use std::time::{Duration, Instant};

use pb_bot::domain::{pabulib, tally};

/// The fastest of `runs` runs of `f`.
fn best<T>(runs: usize, mut f: impl FnMut() -> T) -> (Duration, T) {
    let mut fastest = Duration::MAX;
    let mut last = None;
    for _ in 0..runs {
        let started = Instant::now();
        let out = f();
        fastest = fastest.min(started.elapsed());
        last = Some(out);
    }
    (fastest, last.expect("at least one run"))
}

fn ms(d: Duration) -> String {
    format!("{:.1} ms", d.as_secs_f64() * 1000.0)
}

fn main() {
    let shared = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/pabulib");
    let mut files: Vec<std::path::PathBuf> =
        std::env::args().skip(1).filter(|a| a.ends_with(".pb")).map(Into::into).collect();
    if files.is_empty() {
        files = ["Poland_Warszawa_2026.pb", "Poland_Krakow_2024.pb", "Poland_Katowice_2023.pb"]
            .iter()
            .map(|f| shared.join(f))
            .collect();
    }
    let generated = std::env::args().skip(1).all(|a| !a.ends_with(".pb")).then(|| {
        let started = Instant::now();
        let text = pabulib::write(&generated(100_000, 200));
        eprintln!("(generated 100,000 × 200 in {})", ms(started.elapsed()));
        ("generated 100,000 voters × 200 projects".to_owned(), text)
    });
    let texts = files
        .iter()
        .filter_map(|file| match std::fs::read_to_string(file) {
            Ok(text) => Some((file.file_name().unwrap().to_string_lossy().into_owned(), text)),
            Err(_) => {
                eprintln!("{}: not found, skipped", file.display());
                None
            }
        })
        .chain(generated);
    for (name, text) in texts {
        let (parse, instance) = best(5, || pabulib::parse(&text).expect("a valid file"));
        let (prepare, profile) = best(5, || tally::Profile::of(&instance).expect("known projects"));
        println!(
            "{name}: {} ballots, {} projects, {}; parse {}, profile {}",
            instance.ballots.len(),
            instance.projects.len(),
            instance.vote_type.as_str(),
            ms(parse),
            ms(prepare)
        );
        let (t, s) = best(5, || tally::greedy(&profile));
        println!("  greedy       {:>10}  {} selected", ms(t), s.len());
        let (t, s) = best(5, || tally::greedy_stop(&profile));
        println!("  greedy-stop  {:>10}  {} selected", ms(t), s.len());
        let (t, s) = best(3, || tally::mes(&profile));
        println!("  mes          {:>10}  {} selected", ms(t), s.len());
        let (t, s) = best(1, || tally::mes_completed(&profile, tally::Add1Stop::Exhaustive, true, 1.into()));
        println!("  mes-completed{:>10}  {} selected", ms(t), s.len());
        if profile.approval {
            let (t, s) = best(3, || tally::phragmen(&profile).expect("approval ballots"));
            println!("  phragmen     {:>10}  {} selected", ms(t), s.len());
        }
    }
}

/// A district-sized approval instance, the same every time: `voters` ballots of 1 to 10
/// projects each, projects' popularity falling off as 1/(rank+1)^0.8 (a few favourites, a long
/// tail), costs from 50,000 to 2,000,000 and a budget of a fifth of their total.
fn generated(voters: usize, projects: usize) -> pabulib::Instance {
    use pb_bot::domain::pabulib::{Instance, PbBallot, PbProject, VoteType};
    use rust_decimal::Decimal;
    // xorshift64*: small, fast and reproducible.
    let mut state: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut next = move || {
        state ^= state >> 12;
        state ^= state << 25;
        state ^= state >> 27;
        state.wrapping_mul(0x2545_F491_4F6C_DD1D)
    };
    let costs: Vec<u64> = (0..projects).map(|_| 50_000 + next() % 1_950_001).collect();
    let weights: Vec<f64> = (0..projects).map(|p| 1.0 / ((p + 1) as f64).powf(0.8)).collect();
    let total: f64 = weights.iter().sum();
    let mut cumulative = Vec::with_capacity(projects);
    let mut running = 0.0;
    for w in &weights {
        running += w / total;
        cumulative.push(running);
    }
    let ballots = (0..voters)
        .map(|voter| {
            let picks = 1 + (next() % 10) as usize;
            let mut chosen: Vec<usize> = Vec::with_capacity(picks);
            while chosen.len() < picks {
                let x = (next() >> 11) as f64 / (1u64 << 53) as f64;
                let p = cumulative.partition_point(|c| *c < x).min(projects - 1);
                if !chosen.contains(&p) {
                    chosen.push(p);
                }
            }
            PbBallot {
                voter_id: voter.to_string(),
                projects: chosen.iter().map(|p| (p + 1).to_string()).collect(),
                points: Vec::new(),
                extra: Vec::new(),
            }
        })
        .collect();
    let budget: u64 = costs.iter().sum::<u64>() / 5;
    Instance {
        meta: vec![
            ("description".into(), "generated".into()),
            ("num_projects".into(), projects.to_string()),
            ("num_votes".into(), voters.to_string()),
            ("budget".into(), budget.to_string()),
            ("vote_type".into(), "approval".into()),
        ],
        budget: Decimal::from(budget),
        vote_type: VoteType::Approval,
        projects: costs
            .iter()
            .enumerate()
            .map(|(p, cost)| PbProject { id: (p + 1).to_string(), cost: Decimal::from(*cost), extra: Vec::new() })
            .collect(),
        vote_columns: Vec::new(),
        ballots,
    }
}
