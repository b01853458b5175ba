//! The `dflint` command line.

use std::io::{self, Read, Write};
use std::path::Path;
use std::process::ExitCode;

use anyhow::{Context as _, Result};
use clap::{Parser, Subcommand, ValueEnum};

use dflint::report::{self, FileReport};
use dflint::{rules, syntax, Options};

const CHECK_EXAMPLES: &str = "\
Examples:
  dflint check                         Check ./Dockerfile
  dflint check Dockerfile docker/      Check a file and every Dockerfile under docker/
  dflint check --format json . > findings.json
  dflint check --select DF002,DF003 Dockerfile
  cat Dockerfile | dflint check - --stdin-filename Dockerfile

Exit status: 0 no findings, 1 findings, 2 an error (unreadable file, a file
BuildKit would reject, a bad flag). Every file is checked even when one fails.";

#[derive(Parser)]
#[command(
    name = "dflint",
    version,
    about = "A Dockerfile linter and rewriter for ML and AI containers",
    long_about = "A Dockerfile linter and rewriter for ML and AI containers.\n\n\
        dflint parses Dockerfiles exactly as BuildKit does and flags what makes ML \
        images huge and unsafe: CUDA devel bases shipped for inference, pip caches \
        and apt lists left in layers, GUI OpenCV, model weights baked in, root users.",
    after_help = "Examples:\n  dflint check Dockerfile\n  dflint rules\n  dflint rule DF002\n  dflint parse Dockerfile\n\nRun `dflint help <command>` for a command's options."
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Check Dockerfiles and report findings
    #[command(after_help = CHECK_EXAMPLES)]
    Check(CheckArgs),
    /// Print a Dockerfile's instructions as BuildKit's parser sees them, as JSON
    #[command(
        after_help = "Examples:\n  dflint parse Dockerfile | jq '.[].keyword'\n  dflint parse - < Dockerfile\n\n\
        Each instruction has keyword, line, column, end_line, flags [{name, value}], form \
        (shell, exec, words, pairs, text, none, onbuild), args, and heredocs when present. \
        Exits 2 with the error on stderr when BuildKit's parser would reject the file."
    )]
    Parse {
        /// The Dockerfile, or `-` for standard input
        path: String,
    },
    /// List the rules
    Rules,
    /// Print a rule's documentation
    #[command(after_help = "Examples:\n  dflint rule DF002\n  dflint rule pip-cache-in-layer")]
    Rule {
        /// A rule code (DF002) or name (pip-cache-in-layer)
        rule: String,
    },
}

#[derive(Clone, Copy, ValueEnum)]
enum Format {
    /// `path:line:col: CODE message`, the source line and a help line
    Text,
    /// A JSON array of findings
    Json,
}

#[derive(clap::Args)]
struct CheckArgs {
    /// Files or directories to check (`-` reads standard input) [default: Dockerfile]
    paths: Vec<String>,
    /// Output format
    #[arg(long, value_enum, default_value = "text")]
    format: Format,
    /// Only run these rules (codes or names, comma-separated)
    #[arg(long, value_delimiter = ',', value_name = "RULES")]
    select: Vec<String>,
    /// Skip these rules (codes or names, comma-separated)
    #[arg(long, value_delimiter = ',', value_name = "RULES")]
    ignore: Vec<String>,
    /// The stage that is built, as `docker build --target` [default: the last stage]
    #[arg(long, value_name = "STAGE")]
    target: Option<String>,
    /// The name to report for standard input, also used to tell training images (`Dockerfile.train`)
    #[arg(long, value_name = "NAME", default_value = "-")]
    stdin_filename: String,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Check(args) => check(args),
        Command::Parse { path } => parse(&path),
        Command::Rules => list_rules(),
        Command::Rule { rule } => show_rule(&rule),
    };
    match result {
        Ok(code) => code,
        Err(err) => {
            eprintln!("dflint: error: {err:#}");
            ExitCode::from(2)
        }
    }
}

/// A file's text, or where it stops being UTF-8.
fn read_source(path: &str) -> Result<String, String> {
    let bytes = if path == "-" {
        let mut buf = Vec::new();
        io::stdin()
            .read_to_end(&mut buf)
            .map_err(|e| format!("cannot read standard input: {e}"))?;
        buf
    } else {
        std::fs::read(path).map_err(|e| format!("cannot read file: {e}"))?
    };
    String::from_utf8(bytes).map_err(|e| {
        let at = e.utf8_error().valid_up_to();
        let before = &e.as_bytes()[..at];
        let line = before.iter().filter(|&&b| b == b'\n').count() + 1;
        let col = at
            - before
                .iter()
                .rposition(|&b| b == b'\n')
                .map_or(0, |i| i + 1)
            + 1;
        format!("{line}:{col}: file is not valid UTF-8")
    })
}

fn is_dockerfile_name(name: &str) -> bool {
    const NOT_DOCKERFILES: &[&str] = &[
        "md", "txt", "json", "yml", "yaml", "sh", "py", "rs", "go", "toml", "lock", "orig", "rej",
        "bak", "swp", "j2", "html",
    ];
    let lower = name.to_ascii_lowercase();
    let named = lower.contains("dockerfile") || lower.contains("containerfile");
    let ext = lower.rsplit_once('.').map(|(_, e)| e).unwrap_or("");
    named && !NOT_DOCKERFILES.contains(&ext)
}

/// Expand directories into the Dockerfiles under them, skipping hidden
/// directories and build output.
fn expand_paths(paths: &[String]) -> Vec<String> {
    let mut out = Vec::new();
    for p in paths {
        if p != "-" && Path::new(p).is_dir() {
            let walker = walkdir::WalkDir::new(p)
                .sort_by_file_name()
                .into_iter()
                .filter_entry(|e| {
                    e.depth() == 0
                        || !(e.file_type().is_dir()
                            && e.file_name().to_str().is_some_and(|n| {
                                n.starts_with('.') || n == "node_modules" || n == "target"
                            }))
                });
            for entry in walker.flatten() {
                if entry.file_type().is_file()
                    && entry.file_name().to_str().is_some_and(is_dockerfile_name)
                {
                    out.push(entry.path().display().to_string());
                }
            }
        } else {
            out.push(p.clone());
        }
    }
    out
}

fn check(args: CheckArgs) -> Result<ExitCode> {
    for key in args.select.iter().chain(&args.ignore) {
        if rules::find(key).is_none() {
            anyhow::bail!("unknown rule `{key}` (see `dflint rules`)");
        }
    }
    let paths = if args.paths.is_empty() {
        vec!["Dockerfile".to_string()]
    } else {
        expand_paths(&args.paths)
    };
    let mut stdout = anstream::stdout();
    let mut stderr = anstream::stderr();
    let mut failed = false;
    let mut results = Vec::new();
    for path in &paths {
        let shown = if path == "-" {
            args.stdin_filename.clone()
        } else {
            path.clone()
        };
        let options = Options {
            target: args.target.clone(),
            select: args.select.clone(),
            ignore: args.ignore.clone(),
            file_name: Some(shown.clone()),
        };
        let outcome = read_source(path)
            .and_then(|text| dflint::check(&text, &options).map_err(|e| e.to_string()));
        match outcome {
            Ok((df, found)) => results.push((shown, df, found)),
            Err(message) => {
                failed = true;
                let (line, col, msg) = split_position(&message);
                write!(stderr, "{}", report::render_error(&shown, line, col, msg))?;
            }
        }
    }
    let reports: Vec<FileReport> = results
        .iter()
        .map(|(path, df, found)| FileReport {
            path,
            df,
            diagnostics: found,
        })
        .collect();
    let total: usize = reports.iter().map(|r| r.diagnostics.len()).sum();
    match args.format {
        Format::Json => writeln!(stdout, "{}", report::to_json(&reports))?,
        Format::Text => {
            for r in &reports {
                write!(stdout, "{}", report::render_text(r))?;
            }
            if total > 0 {
                let fixable: usize = reports
                    .iter()
                    .flat_map(|r| r.diagnostics.iter())
                    .filter(|d| d.fix.is_some())
                    .count();
                let files = reports.iter().filter(|r| !r.diagnostics.is_empty()).count();
                let plural =
                    |n: usize, w: &str| format!("{n} {w}{}", if n == 1 { "" } else { "s" });
                write!(
                    stdout,
                    "Found {} in {}",
                    plural(total, "problem"),
                    plural(files, "file")
                )?;
                if fixable > 0 {
                    write!(stdout, " ({fixable} fixable with `dflint fix`, marked [*])")?;
                }
                writeln!(stdout)?;
            }
        }
    }
    Ok(ExitCode::from(if failed {
        2
    } else if total > 0 {
        1
    } else {
        0
    }))
}

/// `"3:7: message"` into its parts; errors without a position point at 1:1.
fn split_position(message: &str) -> (usize, usize, &str) {
    let mut parts = message.splitn(3, ':');
    let line = parts.next().and_then(|p| p.trim().parse().ok());
    let col = parts.next().and_then(|p| p.trim().parse().ok());
    match (line, col, parts.next()) {
        (Some(l), Some(c), Some(rest)) => (l, c, rest.trim_start()),
        _ => (1, 1, message),
    }
}

fn parse(path: &str) -> Result<ExitCode> {
    let text = match read_source(path) {
        Ok(t) => t,
        Err(message) => {
            let (line, col, msg) = split_position(&message);
            anstream::eprint!("{}", report::render_error(path, line, col, msg));
            return Ok(ExitCode::from(2));
        }
    };
    match syntax::parse(&text) {
        Ok(df) => {
            let json = syntax::dump::parse_json(&df);
            println!(
                "{}",
                serde_json::to_string_pretty(&json).context("cannot print JSON")?
            );
            Ok(ExitCode::SUCCESS)
        }
        Err(e) => {
            anstream::eprint!(
                "{}",
                report::render_error(path, e.line, e.column, &e.message)
            );
            Ok(ExitCode::from(2))
        }
    }
}

fn list_rules() -> Result<ExitCode> {
    let mut out = anstream::stdout();
    for r in rules::RULES {
        let fix = if r.fixable { "fix" } else { "   " };
        writeln!(
            out,
            "{}  {:<28} {:<8} {}  {}",
            r.code,
            r.name,
            r.severity.as_str(),
            fix,
            r.summary
        )?;
    }
    Ok(ExitCode::SUCCESS)
}

fn show_rule(key: &str) -> Result<ExitCode> {
    match rules::find(key) {
        Some(rule) => {
            print!("{}", rule.doc);
            Ok(ExitCode::SUCCESS)
        }
        None => anyhow::bail!("unknown rule `{key}` (see `dflint rules`)"),
    }
}
