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

const FIX_EXAMPLES: &str = "\
Examples:
  dflint fix Dockerfile                Rewrite Dockerfile in place and print the diff
  dflint fix --diff Dockerfile         Print the diff only; exit 1 if anything would change
  dflint fix - < Dockerfile > Dockerfile.fixed
  dflint fix --select DF002,DF003 Dockerfile

What it fixes: pip caches (a BuildKit cache mount when the RUN runs as root,
else --no-cache-dir), apt lists (cleanup moved into the installing RUN),
opencv-python (-> opencv-python-headless), root users (a system user and
USER before CMD), and a devel base (a multi-stage rewrite: a builder stage
with the build tools and a virtual environment, a runtime stage on the
runtime image). Model weights (DF005) are left to you.

Files are written atomically (a temporary file beside them, then a rename)
and keep their permissions. A file that is not a valid Dockerfile is reported
and left untouched. Fixing twice changes nothing the second time.

Exit status: 0 nothing left to report, 1 findings remain (with --diff: the
file would change), 2 an error.";

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
    /// Fix what can be fixed, in place, and show the diff
    #[command(after_help = FIX_EXAMPLES)]
    Fix(FixArgs),
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

/// The options `check` and `fix` share: which rules, which stage, which name.
#[derive(clap::Args)]
struct RuleArgs {
    /// Only these rules (codes or names, comma-separated)
    #[arg(long, value_delimiter = ',', value_name = "RULES")]
    select: Vec<String>,
    /// Never these rules (codes or names, comma-separated)
    #[arg(long, value_delimiter = ',', value_name = "RULES")]
    ignore: Vec<String>,
    /// The stage that is built, as `docker build --target` [default: the last stage]
    #[arg(long, value_name = "STAGE")]
    target: Option<String>,
    /// The name to report for standard input, also used to tell training images (`Dockerfile.train`)
    #[arg(long, value_name = "NAME", default_value = "-")]
    stdin_filename: String,
}

impl RuleArgs {
    /// Fails on a rule code or name that does not exist.
    fn check_rules(&self) -> Result<()> {
        for key in self.select.iter().chain(&self.ignore) {
            if rules::find(key).is_none() {
                anyhow::bail!("unknown rule `{key}` (see `dflint rules`)");
            }
        }
        Ok(())
    }

    /// The name a path is reported under.
    fn shown(&self, path: &str) -> String {
        if path == "-" {
            self.stdin_filename.clone()
        } else {
            path.to_string()
        }
    }

    fn options(&self, shown: &str) -> Options {
        Options {
            target: self.target.clone(),
            select: self.select.clone(),
            ignore: self.ignore.clone(),
            file_name: Some(shown.to_string()),
        }
    }
}

#[derive(clap::Args)]
struct CheckArgs {
    /// Files or directories to check (`-` reads standard input) [default: Dockerfile]
    paths: Vec<String>,
    /// Output format
    #[arg(long, value_enum, default_value = "text")]
    format: Format,
    #[command(flatten)]
    rules: RuleArgs,
}

#[derive(clap::Args)]
struct FixArgs {
    /// Files to fix (`-` reads standard input and writes the result to standard output)
    #[arg(required = true)]
    paths: Vec<String>,
    /// Write nothing; print the diff and exit 1 if anything would change
    #[arg(long)]
    diff: bool,
    #[command(flatten)]
    rules: RuleArgs,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Check(args) => check(args),
        Command::Fix(args) => fix(args),
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
    args.rules.check_rules()?;
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
        let shown = args.rules.shown(path);
        let options = args.rules.options(&shown);
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

/// A unified diff, coloured when the stream allows it.
fn unified_diff(path: &str, old: &str, new: &str) -> String {
    use anstyle::AnsiColor;
    let diff = similar::TextDiff::from_lines(old, new);
    // git's `a/` and `b/` prefixes, for paths that are relative.
    let (old_name, new_name) = if path.starts_with('/') {
        (path.to_string(), path.to_string())
    } else {
        (format!("a/{path}"), format!("b/{path}"))
    };
    let text = diff
        .unified_diff()
        .context_radius(3)
        .header(&old_name, &new_name)
        .to_string();
    let style = |c: AnsiColor| anstyle::Style::new().fg_color(Some(c.into()));
    let mut out = String::new();
    for line in text.split_inclusive('\n') {
        let s = if line.starts_with("+++") || line.starts_with("---") {
            anstyle::Style::new().bold()
        } else if line.starts_with('+') {
            style(AnsiColor::Green)
        } else if line.starts_with('-') {
            style(AnsiColor::Red)
        } else if line.starts_with("@@") {
            style(AnsiColor::Cyan)
        } else {
            anstyle::Style::new()
        };
        let body = line.trim_end_matches('\n');
        out.push_str(&format!("{s}{body}{s:#}\n"));
    }
    out
}

/// Replace a file's content atomically: write a temporary file beside it
/// with the same permissions, then rename it over the original.
fn write_atomically(path: &str, content: &str) -> Result<()> {
    let target = std::fs::canonicalize(path).with_context(|| format!("cannot resolve {path}"))?;
    let perms = std::fs::metadata(&target)
        .with_context(|| format!("cannot read permissions of {path}"))?
        .permissions();
    let name = target
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let tmp = target.with_file_name(format!(".{name}.{}.dflint-tmp", std::process::id()));
    let result = (|| -> Result<()> {
        std::fs::write(&tmp, content).with_context(|| format!("cannot write {}", tmp.display()))?;
        std::fs::set_permissions(&tmp, perms).context("cannot copy permissions")?;
        std::fs::rename(&tmp, &target).with_context(|| format!("cannot replace {path}"))?;
        Ok(())
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result
}

fn fix(args: FixArgs) -> Result<ExitCode> {
    args.rules.check_rules()?;
    let mut stdout = anstream::stdout();
    let mut stderr = anstream::stderr();
    let mut errors = false;
    let mut changed_any = false;
    let mut remaining_any = false;
    for path in &args.paths {
        let shown = args.rules.shown(path);
        let options = args.rules.options(&shown);
        let text = match read_source(path) {
            Ok(t) => t,
            Err(message) => {
                errors = true;
                let (line, col, msg) = split_position(&message);
                write!(stderr, "{}", report::render_error(&shown, line, col, msg))?;
                continue;
            }
        };
        let outcome = match dflint::fix::fix(&text, &options) {
            Ok(o) => o,
            Err(e) => {
                errors = true;
                let message = e.to_string();
                let (line, col, msg) = split_position(&message);
                write!(stderr, "{}", report::render_error(&shown, line, col, msg))?;
                continue;
            }
        };
        let changed = outcome.output != text;
        changed_any |= changed;
        remaining_any |= !outcome.remaining.is_empty();
        // Standard input: the fixed file goes to standard output, the rest to stderr.
        let mut log: Box<dyn Write> = if path == "-" {
            Box::new(anstream::stderr())
        } else {
            Box::new(anstream::stdout())
        };
        if path == "-" {
            write!(stdout, "{}", outcome.output)?;
        } else {
            if changed {
                write!(log, "{}", unified_diff(&shown, &text, &outcome.output))?;
            }
            if changed && !args.diff {
                if let Err(e) = write_atomically(path, &outcome.output) {
                    errors = true;
                    writeln!(stderr, "{shown}: error: {e:#}")?;
                    continue;
                }
            }
        }
        summarize(&mut *log, &shown, &outcome, args.diff)?;
    }
    Ok(ExitCode::from(if errors {
        2
    } else if (args.diff && changed_any) || (!args.diff && remaining_any) {
        1
    } else {
        0
    }))
}

/// What was fixed and what remains, one line each.
fn summarize(
    out: &mut dyn Write,
    path: &str,
    outcome: &dflint::fix::FixOutcome,
    dry: bool,
) -> Result<()> {
    let verb = if dry { "Would fix" } else { "Fixed" };
    if outcome.fixed.is_empty() {
        writeln!(out, "{path}: nothing to fix")?;
    } else {
        writeln!(out, "{path}: {verb} {}:", outcome.fixed.len())?;
        for (code, message) in &outcome.fixed {
            writeln!(out, "  {code} {message}")?;
        }
    }
    for (code, message) in &outcome.rejected {
        writeln!(
            out,
            "  {code} not fixed: the fix would not parse ({message})"
        )?;
    }
    if !outcome.remaining.is_empty() {
        let df = dflint::syntax::parse(&outcome.output).ok();
        writeln!(
            out,
            "{path}: {} remaining (no automatic fix):",
            outcome.remaining.len()
        )?;
        for d in &outcome.remaining {
            let (line, col) = df.as_ref().map_or((1, 1), |df| df.line_col(d.span.start));
            writeln!(out, "  {path}:{line}:{col}: {} {}", d.code, d.message)?;
        }
    }
    Ok(())
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
