//! Tally benchmark: parsing a Pabulib file and running each outcome rule on it, in process,
//! the best of a few runs (one core). The reference (pabutools 1.2.3) needs 20–40 s per rule on
//! the large files; see `../shared/pabulib/expected/*.json`'s `seconds`.
//!
//! `cargo bench --bench tally` (Warsaw 2026, Krakow 2024, Katowice 2023);
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
    for file in files {
        let Ok(text) = std::fs::read_to_string(&file) else {
            eprintln!("{}: not found, skipped", file.display());
            continue;
        };
        let name = file.file_name().unwrap().to_string_lossy().into_owned();
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
