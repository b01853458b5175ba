//! Where lint time goes, rule by rule: parse a file, build its semantic
//! context, then run every rule alone a few times and print the slowest.
//!
//!   cargo run --release --example rule_times -- FILE [ROUNDS]
//!
//! A profiling aid for `benches/throughput.rs`: the benchmark says how fast,
//! this says which rule to look at.

use std::time::Instant;

use dflint::rules::RULES;
use dflint::semantics::{Context, Profile};

fn main() {
    let mut paths: Vec<String> = std::env::args().skip(1).collect();
    let rounds: u32 = match paths.last().and_then(|r| r.parse().ok()) {
        Some(r) => {
            paths.pop();
            r
        }
        None => 3,
    };
    if paths.is_empty() {
        eprintln!("usage: rule_times FILE... [ROUNDS]");
        std::process::exit(2);
    }
    let (mut bytes, mut parse, mut context, mut lint) = (0usize, 0f64, 0f64, 0f64);
    let settings = dflint::Settings::every_rule();
    let mut times: Vec<(f64, &str, usize)> = RULES.iter().map(|r| (0.0, r.code, 0)).collect();
    for path in &paths {
        let Ok(text) = std::fs::read_to_string(path) else {
            eprintln!("{path}: not readable as text, skipped");
            continue;
        };
        let Ok(df) = dflint::parse_valid(&text) else {
            eprintln!("{path}: not a valid Dockerfile, skipped");
            continue;
        };
        // Timed over the rounds as the rest is, not once cold.
        let t = Instant::now();
        for _ in 0..rounds {
            std::hint::black_box(dflint::parse_valid(&text).is_ok());
        }
        parse += t.elapsed().as_secs_f64() / f64::from(rounds);
        bytes += text.len();
        let t = Instant::now();
        for _ in 0..rounds {
            std::hint::black_box(Context::new(
                &df,
                None,
                Some("Dockerfile"),
                Profile::default(),
            ));
        }
        context += t.elapsed().as_secs_f64() / f64::from(rounds);
        let t = Instant::now();
        for _ in 0..rounds {
            std::hint::black_box(dflint::lint(&df, &settings));
        }
        lint += t.elapsed().as_secs_f64() / f64::from(rounds);
        let cx = Context::new(&df, None, Some("Dockerfile"), Profile::default());
        for (rule, slot) in RULES.iter().zip(times.iter_mut()) {
            let t = Instant::now();
            let mut found = 0;
            for _ in 0..rounds {
                found = std::hint::black_box((rule.check)(&cx)).len();
            }
            slot.0 += t.elapsed().as_secs_f64() / f64::from(rounds);
            slot.2 += found;
        }
    }
    let mb = bytes as f64 / 1_048_576.0;
    times.sort_by(|a, b| b.0.total_cmp(&a.0));
    let rules: f64 = times.iter().map(|t| t.0).sum();
    println!("{} file(s): {mb:.2} MiB", paths.len());
    println!("parse    {:8.2} ms  {:7.1} MiB/s", parse * 1e3, mb / parse);
    println!(
        "context  {:8.2} ms  {:7.1} MiB/s",
        context * 1e3,
        mb / context
    );
    println!(
        "rules    {:8.2} ms  {:7.1} MiB/s (all {} rules)",
        rules * 1e3,
        mb / rules,
        times.len()
    );
    println!(
        "together {:8.2} ms  {:7.1} MiB/s",
        (parse + context + rules) * 1e3,
        mb / (parse + context + rules)
    );
    println!("lint()   {:8.2} ms  {:7.1} MiB/s (context, rules, suppressions, order; parallel on large files)", lint * 1e3, mb / lint);
    for (secs, code, found) in times.iter().take(25) {
        println!(
            "  {code:<28} {:8.3} ms {:5.1}%  {found} findings",
            secs * 1e3,
            secs / rules * 100.0
        );
    }
}
