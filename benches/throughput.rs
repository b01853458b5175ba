//! Throughput of the three stages a file goes through, in MB/s: parse
//! (with BuildKit's validation), lint (the semantic model and every rule,
//! on a parsed file) and fix (the applier, re-parsing and re-linting until
//! nothing changes).
//!
//! Inputs: the real-world corpus in `../shared/corpus/realworld` when it is
//! there, and synthetic files of 1 and 10 MB (50 on request) in the shapes that
//! `scripts/gen-synthetic.py` writes (generated into `target/synthetic` on
//! first use). A criterion sample of a 50 MB file takes minutes, so that
//! size is asked for by name; `scripts/bench.sh` times it from the CLI.
//!
//!   cargo bench --bench throughput               # everything
//!   cargo bench --bench throughput -- corpus     # one group
//!   cargo bench --bench throughput -- --quick    # fewer samples
//!
//! `DFLINT_BENCH_SIZES` picks the synthetic sizes in MB (default `1,10`;
//! `1,10,50` adds the 50 MB files, whose samples take minutes; `1` skips
//! the 10 MB ones). The lint stage runs every rule (`--select ALL`). At the
//! end a summary prints MB/s by shape, size and stage, parse + lint
//! together, and how the time grows from one size to the next.

use std::path::PathBuf;
use std::process::Command;
use std::time::Duration;

use criterion::{criterion_group, BenchmarkGroup, Criterion, Throughput};
use dflint::Settings;

const CORPUS: &str = "../shared/corpus/realworld";
const SHAPES: &[&str] = &[
    "runs",
    "chain",
    "envuser",
    "continuation",
    "heredoc",
    "findings",
];

fn crate_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The corpus's Dockerfiles (not its manifest or notes), sorted by name.
fn corpus() -> Vec<(String, String)> {
    let dir = crate_dir().join(CORPUS);
    let Ok(entries) = std::fs::read_dir(&dir) else {
        eprintln!("corpus: {} not found, skipped", dir.display());
        return Vec::new();
    };
    let mut files: Vec<(String, String)> = entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.is_file())
        .filter(|p| !matches!(p.extension().and_then(|e| e.to_str()), Some("tsv" | "md")))
        .filter_map(|p| {
            let text = std::fs::read_to_string(&p).ok()?;
            Some((p.file_name()?.to_string_lossy().into_owned(), text))
        })
        .collect();
    files.sort();
    files
}

/// A synthetic file of `mb` megabytes in `shape`, written by the generator
/// script the first time it is asked for.
fn synthetic(shape: &str, mb: u32) -> Option<String> {
    let dir = crate_dir().join("target").join("synthetic");
    let path = dir.join(format!("{shape}-{mb}mb.Dockerfile"));
    if !path.exists() {
        let script = crate_dir().join("scripts").join("gen-synthetic.py");
        let status = Command::new("python3")
            .arg(&script)
            .arg(&dir)
            .arg(mb.to_string())
            .status();
        if !matches!(status, Ok(s) if s.success()) {
            eprintln!(
                "synthetic: could not run {} (python3), skipped",
                script.display()
            );
            return None;
        }
    }
    std::fs::read_to_string(&path).ok()
}

/// Parse, lint and fix one input (several files count as one input).
fn stages(
    group: &mut BenchmarkGroup<'_, criterion::measurement::WallTime>,
    name: &str,
    files: &[String],
) {
    let bytes: usize = files.iter().map(String::len).sum();
    // Every rule on (`--select ALL`): the figure to hold is parse plus all rules.
    let settings = Settings::every_rule();
    let parsed: Vec<_> = files
        .iter()
        .map(|t| dflint::parse_valid(t).expect("benchmark inputs are valid Dockerfiles"))
        .collect();
    group.throughput(Throughput::Bytes(bytes as u64));
    group.bench_function(format!("parse/{name}"), |b| {
        b.iter(|| {
            for t in files {
                std::hint::black_box(dflint::parse_valid(t).ok());
            }
        })
    });
    group.bench_function(format!("lint/{name}"), |b| {
        b.iter(|| {
            for df in &parsed {
                std::hint::black_box(dflint::lint(df, &settings));
            }
        })
    });
    group.bench_function(format!("fix/{name}"), |b| {
        b.iter(|| {
            for t in files {
                std::hint::black_box(dflint::fix::fix(t, &settings).ok());
            }
        })
    });
}

fn bench_corpus(c: &mut Criterion) {
    // Files BuildKit rejects stop at the parse: they would measure nothing
    // of the rules.
    let all = corpus();
    let files: Vec<String> = all
        .iter()
        .filter(|(_, t)| dflint::parse_valid(t).is_ok())
        .map(|(_, t)| t.clone())
        .collect();
    if files.is_empty() {
        return;
    }
    if files.len() < all.len() {
        eprintln!(
            "corpus: {} of {} files are not valid Dockerfiles, left out",
            all.len() - files.len(),
            all.len()
        );
    }
    let mut group = c.benchmark_group("corpus");
    group
        .sample_size(20)
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(3));
    stages(&mut group, &format!("{}-files", files.len()), &files);
    group.finish();
}

fn sizes() -> Vec<u32> {
    match std::env::var("DFLINT_BENCH_SIZES") {
        Ok(s) => s.split(',').filter_map(|n| n.trim().parse().ok()).collect(),
        Err(_) => vec![1, 10],
    }
}

fn bench_synthetic(c: &mut Criterion) {
    for mb in sizes() {
        let mut group = c.benchmark_group(format!("synthetic-{mb}mb"));
        // A 10 MB sample is long already: the fewest samples criterion takes.
        group
            .sample_size(10)
            .warm_up_time(Duration::from_millis(if mb > 1 { 100 } else { 500 }))
            .measurement_time(Duration::from_secs(if mb > 1 { 8 } else { 3 }));
        for shape in SHAPES {
            if let Some(text) = synthetic(shape, mb) {
                stages(&mut group, shape, &[text]);
            }
        }
        group.finish();
    }
}

/// Criterion's median for one benchmark, in seconds, and the bytes it read.
fn estimate(group: &str, function: &str) -> Option<(f64, f64)> {
    // Where criterion writes: under the cargo target directory.
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| crate_dir().join("target"));
    let dir = target
        .join("criterion")
        .join(group)
        .join(function.replace('/', "_"))
        .join("new");
    let read = |name: &str| -> Option<serde_json::Value> {
        serde_json::from_str(&std::fs::read_to_string(dir.join(name)).ok()?).ok()
    };
    let ns = read("estimates.json")?["median"]["point_estimate"].as_f64()?;
    let bytes = read("benchmark.json")?["throughput"]["Bytes"].as_f64()?;
    Some((ns / 1e9, bytes))
}

/// The figures the README holds the code to, from this run's estimates:
/// MB/s of each stage and of parse + lint (every rule) by shape and size,
/// and how the time grows with the input (10x the bytes should cost about
/// 10x the time; the target is at most 12x).
fn summary() {
    const MB: f64 = 1_048_576.0;
    let sizes = sizes();
    println!();
    println!("== summary (MB/s = MiB/s; the latest criterion median of each benchmark)");
    print!("{:<13} {:<11}", "shape", "stage");
    for mb in &sizes {
        print!(" {:>9}", format!("{mb} MB"));
    }
    for w in sizes.windows(2) {
        print!(" {:>14}", format!("time {}/{}", w[1], w[0]));
    }
    println!();
    for shape in SHAPES {
        for stage in ["parse", "lint", "parse+lint", "fix"] {
            let at = |mb: u32| -> Option<(f64, f64)> {
                let group = format!("synthetic-{mb}mb");
                match stage {
                    "parse+lint" => {
                        let (p, bytes) = estimate(&group, &format!("parse/{shape}"))?;
                        let (l, _) = estimate(&group, &format!("lint/{shape}"))?;
                        Some((p + l, bytes))
                    }
                    _ => estimate(&group, &format!("{stage}/{shape}")),
                }
            };
            let figures: Vec<Option<(f64, f64)>> = sizes.iter().map(|&mb| at(mb)).collect();
            if figures.iter().all(Option::is_none) {
                continue;
            }
            print!("{shape:<13} {stage:<11}");
            for f in &figures {
                match f {
                    Some((secs, bytes)) => print!(" {:>9.1}", bytes / MB / secs),
                    None => print!(" {:>9}", "-"),
                }
            }
            for w in figures.windows(2) {
                match (w[0], w[1]) {
                    (Some((t0, b0)), Some((t1, b1))) => {
                        print!(
                            " {:>14}",
                            format!("{:.1}x ({:.0}x bytes)", t1 / t0, b1 / b0)
                        )
                    }
                    _ => print!(" {:>14}", "-"),
                }
            }
            println!();
        }
    }
}

criterion_group!(benches, bench_corpus, bench_synthetic);

fn main() {
    benches();
    Criterion::default().configure_from_args().final_summary();
    // Filtered runs (`-- corpus`) and `--list` have nothing to sum up.
    if std::env::args().skip(1).all(|a| a.starts_with('-')) {
        summary();
    }
}
