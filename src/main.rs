//! The `dflint` command line.

use std::collections::HashMap;
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::{Arc, Mutex};

use anyhow::{Context as _, Result};
use clap::{Parser, Subcommand, ValueEnum};
use rayon::prelude::*;

mod verify;

use dflint::config::{self, ConfigFile, ConfigOptions};

use dflint::io::{self as files, InvalidUtf8, ReadError, Stamp};
use dflint::report::{self, FileReport, LineIndex, Summary};
use dflint::rules::{self, FixAvailability};
use dflint::semantics::build_context::ContextFiles;
use dflint::semantics::dockerignore::DockerIgnore;
use dflint::settings::{Layer, Profile};
use dflint::{syntax, Applicability, Diagnostic, FileError, Settings, Severity};

const CHECK_EXAMPLES: &str = "\
Examples:
  dflint check                         Check every Dockerfile under the current directory
  dflint check Dockerfile docker/      Check a file and every Dockerfile under docker/
  dflint check --format json . > findings.json
  dflint check --format sarif --output-file dflint.sarif .
  dflint check --format github .       Annotations in a GitHub Actions run
  dflint check --select DF002,DF003 Dockerfile
  dflint check --ignore DF006 --fail-level error Dockerfile
  dflint check --statistics docker/
  cat Dockerfile | dflint check - --stdin-filename Dockerfile

Settings come from the nearest .dflint.toml or [tool.dflint] in pyproject.toml
above each file (else .hadolint.yaml); flags override them. A finding is
silenced by `# dflint ignore=DF002` above its instruction.

Only regular files are read, up to --max-file-size. A file that is not valid
UTF-8 but that BuildKit builds (a Latin-1 byte in a comment) is checked with
the bad bytes replaced, under a warning on stderr; the warning does not
change the exit status.

Exit status: 0 no findings at or above --fail-level, 1 findings, 2 an error
(unreadable file, a file BuildKit would reject, a bad flag or config). Every
file is checked even when one fails. Output cut short by its reader (`| head`)
ends quietly with the same status; any other failure to write output exits 2.";

const FIX_EXAMPLES: &str = "\
Examples:
  dflint fix                           Fix ./Dockerfile in place and print the diff
  dflint fix --diff Dockerfile         Print the diff only; exit 1 if anything would change
  dflint fix --unsafe-fixes Dockerfile Also apply fixes that change what the image does
  dflint fix --verify Dockerfile       Prove the unsafe fixes with a real build and run first
  dflint fix --explain Dockerfile      Show where the multi-stage rewrite puts each instruction, and why
  dflint fix - < Dockerfile > Dockerfile.fixed
  dflint fix --select DF002,DF003 Dockerfile

Safe fixes (written by default) keep what the image does and every comment:
pip cache mounts or --no-cache-dir, apt list cleanup in the installing RUN,
opencv-python -> opencv-python-headless. Unsafe fixes (only with
--unsafe-fixes) may change the image's user, layout or base: a non-root user,
the multi-stage rewrite of a devel or build-tools image. Review their diff
and test the image. Model weights (DF005) are left to you.

Files are written atomically (a temporary file beside them, then a rename)
and keep their owner, group and permissions; a symlink is fixed through, and
stays a link. A file that is not a valid Dockerfile, not valid UTF-8, or
changed while it was fixed is reported and left untouched. A read-only file
or one with other hard links (they would keep the old text) is refused
unless --force. Fixing twice changes nothing the second time.

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
        and apt lists left in layers, GUI OpenCV, model weights baked in, build tools \
        and root users. `dflint fix` rewrites the file: cache mounts and apt cleanup \
        by default; with --unsafe-fixes a non-root user and a multi-stage build on \
        the runtime image.",
    after_help = "Examples:\n  dflint check Dockerfile\n  dflint fix --diff Dockerfile\n  dflint rules\n  dflint rule DF002\n  dflint parse Dockerfile\n\nRun `dflint help <command>` for a command's options."
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
        #[command(flatten)]
        read: ReadArgs,
    },
    /// List the rules: code, name, default severity, fix, summary
    Rules,
    /// Print a rule's documentation
    #[command(
        after_help = "Examples:\n  dflint rule DF002\n  dflint rule pip-cache-in-layer\n  dflint rule DL3042"
    )]
    Rule {
        /// A rule code (DF002), alias (DL3042) or name (pip-cache-in-layer)
        rule: String,
    },
    /// Print a shell completion script
    #[command(
        after_help = "Examples:\n  dflint completions bash > ~/.local/share/bash-completion/completions/dflint\n  dflint completions zsh > \"${fpath[1]}/_dflint\"\n  dflint completions fish > ~/.config/fish/completions/dflint.fish"
    )]
    Completions {
        /// The shell
        shell: clap_complete::Shell,
    },
    /// Print the man page (roff)
    #[command(after_help = "Examples:\n  dflint man > dflint.1 && man ./dflint.1")]
    Man,
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Format {
    /// `path:line:col: CODE severity: message`, the source line and a help line
    Text,
    /// A JSON array of findings and errors
    Json,
    /// One JSON object a line, each as an item of `json`
    JsonLines,
    /// SARIF 2.1.0, for GitHub code scanning and SARIF viewers
    Sarif,
    /// GitHub Actions workflow commands: annotations on the run and the pull request
    Github,
    /// GitLab Code Quality JSON, for merge request widgets
    Gitlab,
    /// Checkstyle 4.3 XML
    Checkstyle,
    /// JUnit XML: a test suite a file, a failing test case a finding
    Junit,
    /// `dflint:path:line:col: CODE severity: message`, as GNU tools write
    Gnu,
}

/// The options `check` and `fix` share: which rules, which stage, which
/// config, which name.
#[derive(clap::Args)]
struct RuleArgs {
    /// Only these rules: codes, aliases, names, prefixes (`DF00`) or `ALL`, comma-separated
    #[arg(long, value_delimiter = ',', value_name = "RULES")]
    select: Vec<String>,
    /// Never these rules (same forms as --select)
    #[arg(long, value_delimiter = ',', value_name = "RULES")]
    ignore: Vec<String>,
    /// These rules on top of the selected ones (same forms as --select)
    #[arg(long, value_delimiter = ',', value_name = "RULES")]
    extend_select: Vec<String>,
    /// The stage that is built, as `docker build --target` [default: the last stage]
    #[arg(long, value_name = "STAGE")]
    target: Option<String>,
    /// What the image is for (DF001): `auto` judges from the file, `inference` or `training` say it [default: auto]
    #[arg(long, value_name = "PROFILE", value_parser = parse_profile)]
    profile: Option<Profile>,
    /// The name to report for standard input, also used to tell training images (`Dockerfile.train`)
    #[arg(long, value_name = "NAME", default_value = "-")]
    stdin_filename: String,
    /// Read settings from this file (a .dflint.toml, a pyproject.toml or a .hadolint.yaml) instead of searching
    #[arg(long, value_name = "PATH", conflicts_with = "isolated")]
    config: Option<PathBuf>,
    /// Ignore every config file: only flags and defaults
    #[arg(long)]
    isolated: bool,
    /// Exit 1 only for findings at or above this severity: error, warning, info or style [default: style]
    #[arg(long, value_name = "LEVEL", value_parser = parse_severity)]
    fail_level: Option<Severity>,
    /// Also apply (fix) or count as fixable (check) the fixes that may change what the image does
    #[arg(long, overrides_with = "no_unsafe_fixes")]
    unsafe_fixes: bool,
    /// Only safe fixes, even when a config file enables unsafe ones
    #[arg(long, overrides_with = "unsafe_fixes")]
    no_unsafe_fixes: bool,
}

/// How files are read: the options `check`, `fix` and `parse` share.
#[derive(clap::Args)]
struct ReadArgs {
    /// Refuse a file (or standard input) larger than this, without reading
    /// past it: bytes, or a number with a KiB, MiB or GiB suffix
    #[arg(long, value_name = "BYTES", default_value = "64MiB", value_parser = parse_size)]
    max_file_size: u64,
}

/// `65536`, `64KiB`, `64 MiB`, `1GiB` (also `K`, `M`, `G`, any case; all
/// powers of 1024, as the limit is shown).
fn parse_size(s: &str) -> Result<u64, String> {
    let t = s.trim();
    let digits = t.find(|c: char| !c.is_ascii_digit()).unwrap_or(t.len());
    let (number, unit) = t.split_at(digits);
    let shift = match unit.trim().to_ascii_lowercase().as_str() {
        "" | "b" => 0,
        "k" | "kb" | "kib" => 10,
        "m" | "mb" | "mib" => 20,
        "g" | "gb" | "gib" => 30,
        _ => {
            return Err(format!(
                "unknown unit in `{s}` (expected bytes, KiB, MiB or GiB)"
            ))
        }
    };
    let n: u64 = number
        .parse()
        .map_err(|_| format!("`{s}` is not a size (expected e.g. 65536 or 64MiB)"))?;
    match n.checked_mul(1 << shift) {
        Some(0) => Err("the limit must be at least 1 byte".into()),
        Some(v) => Ok(v),
        None => Err(format!("`{s}` is too large")),
    }
}

fn parse_severity(s: &str) -> Result<Severity, String> {
    s.parse()
}

fn parse_profile(s: &str) -> Result<Profile, String> {
    s.parse()
}

#[derive(clap::Args)]
struct CheckArgs {
    /// Files or directories to check (`-` reads standard input) [default: the current directory]
    paths: Vec<String>,
    /// Output format
    #[arg(
        long,
        visible_alias = "output-format",
        value_enum,
        default_value = "text"
    )]
    format: Format,
    /// With the text format: one line a finding, without the source and the help
    #[arg(long)]
    concise: bool,
    /// Write the report to this file (replaced whole) instead of standard output
    #[arg(long, value_name = "PATH")]
    output_file: Option<PathBuf>,
    /// Exit 0 even when there are findings (errors still exit 2)
    #[arg(long)]
    exit_zero: bool,
    /// Print how many findings each rule has instead of the findings
    #[arg(long)]
    statistics: bool,
    /// Under each fixable finding, show the diff its fix makes
    #[arg(long)]
    show_fixes: bool,
    /// Print the findings only: no summary line
    #[arg(short, long)]
    quiet: bool,
    /// Also search files that .gitignore, .ignore or a leading dot hide
    #[arg(long)]
    no_ignore: bool,
    /// The build context of the files checked, for the rules that read it (weights' sizes, `.dockerignore`, requirements files) [default: each Dockerfile's directory]
    #[arg(long, value_name = "DIR")]
    context: Option<PathBuf>,
    #[command(flatten)]
    rules: RuleArgs,
    #[command(flatten)]
    read: ReadArgs,
}

#[derive(clap::Args)]
struct FixArgs {
    /// Files to fix (`-` reads standard input and writes the result to standard output) [default: Dockerfile]
    paths: Vec<String>,
    /// Write nothing; print the diff and exit 1 if anything would change
    #[arg(long)]
    diff: bool,
    /// Replace a file even when it is read-only or has other hard links (those keep the old text)
    #[arg(long)]
    force: bool,
    /// Prove the unsafe fixes with the local Docker engine: build and run the original and the
    /// fixed image, and keep the unsafe fixes only if the fixed image builds, its run exits as the
    /// original's did, and it is not larger (otherwise only the safe fixes are written)
    #[arg(long)]
    verify: bool,
    /// Write nothing; print where the multi-stage rewrite puts each instruction and why, or why it declines
    #[arg(long, conflicts_with = "verify")]
    explain: bool,
    /// The build context for --verify [default: the Dockerfile's directory]
    #[arg(long, value_name = "DIR", requires = "verify")]
    context: Option<PathBuf>,
    /// A build argument for --verify's builds (repeatable)
    #[arg(long = "build-arg", value_name = "KEY=VALUE", requires = "verify")]
    build_args: Vec<String>,
    /// Arguments that replace the image's CMD in --verify's runs (shell words)
    #[arg(long, value_name = "COMMAND", requires = "verify")]
    smoke: Option<String>,
    /// How long each --verify run may take, in seconds
    #[arg(
        long,
        value_name = "SECONDS",
        default_value_t = 300,
        requires = "verify"
    )]
    verify_timeout: u64,
    #[command(flatten)]
    rules: RuleArgs,
    #[command(flatten)]
    read: ReadArgs,
}

/// Keep glibc's malloc from raising the size above which it maps a block
/// of its own. By default each large block freed (a grown vector's old
/// buffer, one of the parallel rules' result lists) raises that size to its
/// own, and later blocks below it come from the heap, where freed ones are
/// kept, not returned: a large file's peak memory held that many megabytes
/// of freed blocks. Fixed at glibc's starting value (128 KiB), 5% to 15%
/// less peak memory on large files, and no measurable change in time (see
/// README, Speed).
fn fixed_mmap_threshold() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: mallopt only sets a malloc parameter; called before any
    // thread is started.
    unsafe {
        libc::mallopt(libc::M_MMAP_THRESHOLD, 128 * 1024);
    }
}

fn main() -> ExitCode {
    fixed_mmap_threshold();
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        // Help, the version or a usage error: clap prints them, and the
        // printing may fail as any output may.
        Err(e) => {
            let code = u8::try_from(e.exit_code()).unwrap_or(2);
            return match e.print().and_then(|()| io::stdout().flush()) {
                Err(w) if w.kind() != io::ErrorKind::BrokenPipe => {
                    let _ = writeln!(
                        anstream::stderr(),
                        "dflint: error: cannot write output: {w}"
                    );
                    ExitCode::from(2)
                }
                _ => ExitCode::from(code),
            };
        }
    };
    let result = match cli.command {
        Command::Check(args) => check(args),
        Command::Fix(args) => fix(args),
        Command::Parse { path, read } => parse(&path, &read),
        Command::Rules => list_rules(),
        Command::Rule { rule } => show_rule(&rule),
        Command::Completions { shell } => completions(shell),
        Command::Man => man_page(),
    };
    match result {
        Ok(code) => code,
        Err(err) => {
            // Nothing is left to tell if even this cannot be written.
            let _ = writeln!(anstream::stderr(), "dflint: error: {err:#}");
            ExitCode::from(2)
        }
    }
}

/// An output stream whose reader may leave early (`dflint check | head`).
/// A closed pipe is not an error: what was asked still runs to its end, the
/// rest of the output is dropped, and the exit status is the one the run
/// would have had. Any other failure (a full disk) is an error that names
/// the output, so the run exits 2. (`println!` would panic on both.)
struct Out<W: Write> {
    inner: W,
    closed: bool,
}

impl<W: Write> Out<W> {
    fn new(inner: W) -> Out<W> {
        Out {
            inner,
            closed: false,
        }
    }

    fn handle<T>(&mut self, r: io::Result<T>, done: T) -> io::Result<T> {
        match r {
            Err(e) if e.kind() == io::ErrorKind::BrokenPipe => {
                self.closed = true;
                Ok(done)
            }
            // `write_all` retries these itself.
            Err(e) if e.kind() == io::ErrorKind::Interrupted => Err(e),
            Err(e) => Err(io::Error::new(
                e.kind(),
                format!("cannot write output: {e}"),
            )),
            ok => ok,
        }
    }
}

impl<W: Write> Write for Out<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        if self.closed {
            return Ok(buf.len());
        }
        let r = self.inner.write(buf);
        self.handle(r, buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        if self.closed {
            return Ok(());
        }
        let r = self.inner.flush();
        self.handle(r, ())
    }
}

/// Messages for people: coloured on a terminal, plain otherwise.
///
/// Buffered: a report of many findings goes out in large writes, not one
/// system call a line (standard output is line-buffered, and the colour
/// stream hands it one piece per style). Whoever writes to stderr in
/// between flushes this first, so a terminal shows the two in order.
fn human_stdout() -> Out<Box<dyn Write>> {
    // The colour choice is made for the terminal, not for the buffer.
    let choice = anstream::AutoStream::choice(&io::stdout());
    let buffered = io::BufWriter::with_capacity(1 << 16, io::stdout());
    if choice == anstream::ColorChoice::Never {
        return Out::new(Box::new(Plain::new(buffered)));
    }
    let buffered: Box<dyn Write> = Box::new(buffered);
    Out::new(Box::new(anstream::AutoStream::new(buffered, choice)))
}

/// Whether [`human_stdout`] shows colour.
fn stdout_color() -> bool {
    anstream::AutoStream::choice(&io::stdout()) != anstream::ColorChoice::Never
}

/// Human output with colour off: escape sequences and control characters
/// (but tab and line breaks) taken out, as the colour stream does, with a
/// search for the next such byte rather than a parser fed byte by byte
/// (which took a tenth of the time of a report of many findings).
struct Plain<W: Write> {
    inner: W,
    state: Escape,
}

/// Where [`Plain`] is in an escape sequence that a write may have split.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Escape {
    None,
    /// After `ESC`.
    Started,
    /// In a control sequence (`ESC [`), before its final byte.
    Csi,
}

impl<W: Write> Plain<W> {
    fn new(inner: W) -> Plain<W> {
        Plain {
            inner,
            state: Escape::None,
        }
    }
}

fn is_control(b: u8) -> bool {
    (b < 0x20 && !matches!(b, b'\t' | b'\n' | b'\r')) || b == 0x7f
}

impl<W: Write> Write for Plain<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let mut rest = buf;
        while !rest.is_empty() {
            match self.state {
                Escape::None => match rest.iter().position(|&b| is_control(b)) {
                    None => {
                        self.inner.write_all(rest)?;
                        rest = &[];
                    }
                    Some(i) => {
                        self.inner.write_all(&rest[..i])?;
                        if rest[i] == 0x1b {
                            self.state = Escape::Started;
                        }
                        rest = &rest[i + 1..];
                    }
                },
                Escape::Started => {
                    self.state = if rest[0] == b'[' {
                        Escape::Csi
                    } else {
                        Escape::None
                    };
                    rest = &rest[1..];
                }
                Escape::Csi => match rest.iter().position(|b| (0x40..=0x7e).contains(b)) {
                    Some(i) => {
                        self.state = Escape::None;
                        rest = &rest[i + 1..];
                    }
                    None => rest = &[],
                },
            }
        }
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

fn human_stderr() -> Out<anstream::AutoStream<io::Stderr>> {
    Out::new(anstream::stderr())
}

/// Data (a fixed file, JSON) goes out byte for byte: a colour stream would
/// strip control characters and escape sequences when not on a terminal.
fn data_stdout() -> Out<io::StdoutLock<'static>> {
    Out::new(io::stdout().lock())
}

/// Settings for each file: the command line over the nearest config file,
/// resolved once per directory.
struct SettingsFor<'a> {
    args: &'a RuleArgs,
    cli: ConfigOptions,
    cache: HashMap<PathBuf, Settings>,
}

impl<'a> SettingsFor<'a> {
    fn new(args: &'a RuleArgs) -> Result<SettingsFor<'a>> {
        let list = |v: &[String]| {
            let v: Vec<String> = v
                .iter()
                .map(|s| s.trim().to_string())
                .filter(|s| !s.is_empty())
                .collect();
            (!v.is_empty()).then_some(v)
        };
        let cli = ConfigOptions {
            select: list(&args.select),
            ignore: list(&args.ignore),
            extend_select: list(&args.extend_select),
            fail_level: args.fail_level,
            unsafe_fixes: if args.unsafe_fixes {
                Some(true)
            } else if args.no_unsafe_fixes {
                Some(false)
            } else {
                None
            },
            target: args.target.clone(),
            profile: args.profile,
            ..ConfigOptions::default()
        };
        let this = SettingsFor {
            args,
            cli,
            cache: HashMap::new(),
        };
        // Bad flags fail before any file is read.
        this.resolve(None)?;
        Ok(this)
    }

    fn resolve(&self, file: Option<&ConfigFile>) -> Result<Settings> {
        let mut layers = Vec::new();
        if let Some(f) = file {
            layers.push(Layer {
                source: f.path.display().to_string(),
                options: &f.options,
                base: f.path.parent().map(Path::to_path_buf),
            });
        }
        layers.push(Layer {
            source: "command line".into(),
            options: &self.cli,
            base: None,
        });
        Ok(Settings::resolve(&layers)?)
    }

    /// The settings for a path (`-` is looked up from the current directory).
    fn get(&mut self, path: &str) -> Result<&Settings> {
        let dir = if path == "-" {
            PathBuf::from(".")
        } else {
            Path::new(path)
                .parent()
                .filter(|p| !p.as_os_str().is_empty())
                .map_or_else(|| PathBuf::from("."), Path::to_path_buf)
        };
        let key = if self.args.config.is_some() || self.args.isolated {
            PathBuf::new()
        } else {
            dir.clone()
        };
        if !self.cache.contains_key(&key) {
            let file = if self.args.isolated {
                None
            } else if let Some(path) = &self.args.config {
                Some(config::load(path)?)
            } else {
                config::discover(&dir)?
            };
            let settings = self.resolve(file.as_ref())?;
            self.cache.insert(key.clone(), settings);
        }
        self.cache
            .get(&key)
            .context("settings were resolved just above")
    }
}

/// A file's text as read, and what reading it learnt.
struct Source {
    text: String,
    /// Where the file stops being UTF-8, when it does; `text` then has
    /// U+FFFD in place of each bad sequence.
    invalid_utf8: Option<InvalidUtf8>,
    /// The file on disk when it was read (none for standard input).
    stamp: Option<Stamp>,
}

/// A file's text (standard input for `-`), or why it is not a Dockerfile's.
fn read_source(path: &str, read: &ReadArgs) -> Result<Source, FileError> {
    let limit = read.max_file_size;
    let failed = |e| read_error(path, e);
    let (bytes, stamp) = if path == "-" {
        (
            files::read_limited(io::stdin().lock(), limit).map_err(failed)?,
            None,
        )
    } else {
        let file = files::read_file(Path::new(path), limit).map_err(failed)?;
        (file.bytes, Some(file.stamp))
    };
    let decoded = files::decode(bytes).map_err(failed)?;
    Ok(Source {
        text: decoded.text,
        invalid_utf8: decoded.invalid_utf8,
        stamp,
    })
}

fn read_error(path: &str, e: ReadError) -> FileError {
    let (line, column) = e.position();
    let message = match e {
        ReadError::TooLarge { limit } => format!(
            "{} is larger than {} (the limit; see --max-file-size)",
            if path == "-" {
                "standard input"
            } else {
                "file"
            },
            files::format_size(limit)
        ),
        ReadError::Io(e) if path == "-" => format!("cannot read standard input: {e}"),
        e => e.to_string(),
    };
    FileError {
        span: syntax::Span::new(0, 0),
        line,
        column,
        message,
    }
}

/// The warning for a file read with its invalid UTF-8 replaced, in the
/// style of the errors: `path:line:col: warning: ...`.
fn utf8_warning(path: &str, bad: &InvalidUtf8) -> String {
    let bold = anstyle::Style::new().bold();
    let yellow = anstyle::Style::new()
        .fg_color(Some(anstyle::AnsiColor::Yellow.into()))
        .bold();
    format!(
        "{bold}{path}:{}:{}:{bold:#} {yellow}warning{yellow:#}: file is not valid UTF-8 \
         ({bad}); it was checked with the invalid bytes replaced\n",
        bad.line, bad.column
    )
}

/// Expand directories into the Dockerfiles under them (see
/// [`dflint::discover`]). `(path, named)`: whether the user named the file
/// itself (such a file is always checked, whatever its name).
fn expand_paths(paths: &[String], respect_ignores: bool) -> Vec<(String, bool)> {
    let mut out = Vec::new();
    for p in paths {
        if p != "-" && Path::new(p).is_dir() {
            out.extend(
                dflint::discover::find(Path::new(p), respect_ignores)
                    .into_iter()
                    .map(|f| (f, false)),
            );
        } else {
            out.push((p.clone(), true));
        }
    }
    out
}

/// The name a path is reported under.
fn shown(args: &RuleArgs, path: &str) -> String {
    if path == "-" {
        args.stdin_filename.clone()
    } else {
        path.to_string()
    }
}

/// What `check` learnt of one file.
struct Checked {
    path: String,
    source: String,
    diagnostics: Vec<Diagnostic>,
    errors: Vec<FileError>,
    /// Set when the file was checked with its invalid UTF-8 replaced.
    invalid_utf8: Option<InvalidUtf8>,
    fail_level: Severity,
    fix_level: Applicability,
}

fn check(args: CheckArgs) -> Result<ExitCode> {
    let mut settings_for = SettingsFor::new(&args.rules)?;
    let given = if args.paths.is_empty() {
        vec![".".to_string()]
    } else {
        args.paths.clone()
    };
    let paths = expand_paths(&given, !args.no_ignore);
    if paths.is_empty() {
        writeln!(
            human_stderr(),
            "dflint: warning: no Dockerfile found under {}",
            given.join(", ")
        )?;
    }
    // Settings first (config files are read once per directory), then the
    // files are checked in parallel; the report keeps this order.
    let mut jobs = Vec::new();
    for (path, named) in &paths {
        let name = shown(&args.rules, path);
        let settings = settings_for.get(path)?;
        if !named && settings.is_excluded(path) {
            continue;
        }
        jobs.push((path.clone(), settings.for_file(&name), name));
    }
    let listings = Listings::default();
    let one = |(path, settings, name): (String, Settings, String)| {
        check_one(
            &path,
            name,
            &settings,
            &args.read,
            args.context.as_deref(),
            &listings,
        )
    };
    // A single file is checked on this thread: starting the thread pool
    // would be a good part of a run that takes a millisecond.
    let checked: Vec<Checked> = if jobs.len() < 2 {
        jobs.into_iter().map(one).collect()
    } else {
        jobs.into_par_iter().map(one).collect()
    };
    check_report(&args, checked)
}

/// The build contexts of a run's files, each listed once however many
/// Dockerfiles it serves (a directory of `Dockerfile.cpu`,
/// `Dockerfile.gpu`, ..., or every file under `--context`). Held until the
/// run ends.
#[derive(Default)]
struct Listings(Mutex<HashMap<PathBuf, Arc<ContextFiles>>>);

impl Listings {
    /// The context at `dir`, listed when a rule first asks.
    fn get(&self, dir: &Path) -> Arc<ContextFiles> {
        // A poisoned lock only means another file's check panicked: the
        // map itself is whole.
        let mut map = self.0.lock().unwrap_or_else(|e| e.into_inner());
        map.entry(dir.to_path_buf())
            .or_insert_with(|| Arc::new(ContextFiles::on_disk(dir)))
            .clone()
    }
}

/// Read and check one file.
fn check_one(
    path: &str,
    name: String,
    settings: &Settings,
    read: &ReadArgs,
    context: Option<&Path>,
    listings: &Listings,
) -> Checked {
    {
        let mut c = Checked {
            path: name,
            source: String::new(),
            diagnostics: Vec::new(),
            errors: Vec::new(),
            invalid_utf8: None,
            fail_level: settings.fail_level,
            fix_level: settings.fix_level(),
        };
        match read_source(path, read) {
            Ok(source) => {
                // A file on disk has a build context (its directory);
                // standard input has none.
                // `--context DIR` gives it to every file, standard input too.
                let dir = context.map(Path::to_path_buf).or_else(|| {
                    (path != "-").then(|| {
                        Path::new(path)
                            .parent()
                            .filter(|d| !d.as_os_str().is_empty())
                            .unwrap_or(Path::new("."))
                            .to_path_buf()
                    })
                });
                let ignore = dir.as_deref().and_then(|d| dockerignore_for(path, d, read));
                // Its files are listed only if a rule asks for them.
                let files = ignore.as_ref().and(dir.as_deref()).map(|d| listings.get(d));
                let (text, result) =
                    dflint::check_owned(source.text, settings, ignore.as_ref(), files.as_deref());
                match result {
                    Ok(found) => c.diagnostics = found,
                    Err(errors) => c.errors = errors,
                }
                c.source = text;
                c.invalid_utf8 = source.invalid_utf8;
            }
            Err(e) => c.errors.push(e),
        }
        c
    }
}

/// The ignore file of the build context `dir` of a Dockerfile at `path`:
/// `<file name>.dockerignore` beside the Dockerfile, else `.dockerignore`
/// at the context's root, else an empty one. `None` when the file exists and cannot be
/// read as text, so that no finding rests on a guess.
fn dockerignore_for(path: &str, dir: &Path, read: &ReadArgs) -> Option<DockerIgnore> {
    let file = Path::new(path);
    // `<file name>.dockerignore` sits beside the Dockerfile; `.dockerignore`
    // at the context's root.
    let own = (path != "-").then(|| file.file_name()).flatten().map(|n| {
        let beside = file
            .parent()
            .filter(|d| !d.as_os_str().is_empty())
            .unwrap_or(Path::new("."));
        (
            format!("{}.dockerignore", n.to_string_lossy()),
            beside.to_path_buf(),
        )
    });
    let root = (".dockerignore".to_string(), dir.to_path_buf());
    for (name, at) in own.into_iter().chain([root]) {
        let name = name.as_str();
        let candidate = at.join(name);
        if candidate.is_file() {
            let bytes = files::read_file(&candidate, read.max_file_size).ok()?.bytes;
            let text = files::decode(bytes).ok()?.text;
            return Some(DockerIgnore::parse(name, &text));
        }
    }
    Some(DockerIgnore::parse(".dockerignore", ""))
}

/// Print what `check` found, in the chosen format, and decide the exit code.
fn check_report(args: &CheckArgs, checked: Vec<Checked>) -> Result<ExitCode> {
    let reports: Vec<FileReport> = checked
        .iter()
        .map(|c| FileReport {
            path: &c.path,
            source: &c.source,
            diagnostics: &c.diagnostics,
            errors: &c.errors,
        })
        .collect();
    let mut stdout = human_stdout();
    let mut stderr = human_stderr();
    if args.concise && args.format != Format::Text {
        anyhow::bail!("--concise applies to the text format only");
    }
    // Every format but text carries the errors in the report itself;
    // none has a place for the warnings, which go to stderr.
    if args.format != Format::Text {
        for c in &checked {
            if let Some(bad) = &c.invalid_utf8 {
                write!(stderr, "{}", utf8_warning(&c.path, bad))?;
            }
        }
    }
    // JSON to standard output is written as it is made: a large file's
    // report is never held whole in memory.
    if args.output_file.is_none() && matches!(args.format, Format::Json | Format::JsonLines) {
        let mut data = io::BufWriter::with_capacity(1 << 16, data_stdout());
        if args.format == Format::Json {
            report::write_json(&mut data, &reports)?;
            data.write_all(b"\n")?;
        } else {
            report::json_lines::write(&mut data, &reports)?;
        }
        data.flush()?;
        return Ok(exit_code(args, &checked));
    }
    let rendered = match args.format {
        Format::Json => report::to_json(&reports) + "\n",
        Format::JsonLines => report::json_lines::render(&reports),
        Format::Sarif => report::sarif::render(&reports) + "\n",
        Format::Github => report::github::render(&reports),
        Format::Gitlab => report::gitlab::render(&reports) + "\n",
        Format::Checkstyle => report::checkstyle::render(&reports),
        Format::Junit => report::junit::render(&reports),
        Format::Gnu => report::gnu::render(&reports),
        Format::Text => {
            // Findings are styled only for a terminal that shows colour
            // (a file or a pipe would have the styles taken out again).
            let color = args.output_file.is_none() && stdout_color();
            let look = |c: &Checked| report::Look {
                level: c.fix_level,
                color,
            };
            let mut out = String::new();
            for (r, c) in reports.iter().zip(&checked) {
                // On standard output each file's findings follow its errors
                // and warnings, as a terminal shows both streams.
                if args.output_file.is_none() {
                    write!(stdout, "{out}")?;
                    out.clear();
                }
                if c.invalid_utf8.is_some() || !r.errors.is_empty() {
                    stdout.flush()?;
                }
                if let Some(bad) = &c.invalid_utf8 {
                    write!(stderr, "{}", utf8_warning(r.path, bad))?;
                }
                if !r.errors.is_empty() {
                    write!(
                        stderr,
                        "{}",
                        report::render_errors(r.path, r.source, r.errors)
                    )?;
                }
                if args.statistics {
                    continue;
                }
                if args.concise {
                    out.push_str(&report::render_concise(r, look(c)));
                    continue;
                }
                let index = LineIndex::new(r.source);
                for d in r.diagnostics {
                    report::render_one(&mut out, r.path, &index, d, look(c));
                    if args.show_fixes && d.fixable_at(Applicability::DisplayOnly) {
                        out.push_str(&fix_preview(r.path, r.source, d));
                    }
                    // Streamed, one finding at a time: the report of a large
                    // file never sits whole in memory.
                    if args.output_file.is_none() {
                        stdout.write_all(out.as_bytes())?;
                        out.clear();
                    }
                }
            }
            if args.statistics {
                out.push_str(&statistics(&checked));
            } else if !args.quiet {
                let summary = summary(&checked);
                if summary.findings > 0 {
                    out.push_str(&summary.render());
                }
            }
            out
        }
    };
    match &args.output_file {
        Some(path) => {
            // A file is not a terminal: the text format goes there without
            // its colours, as it goes to a pipe.
            let plain = if args.format == Format::Text {
                anstream::adapter::strip_str(&rendered).to_string()
            } else {
                rendered
            };
            report::write_file(path, &plain)
                .with_context(|| format!("cannot write {}", path.display()))?;
        }
        None if args.format == Format::Text => {
            write!(stdout, "{rendered}")?;
            stdout.flush()?;
        }
        None => {
            // Data goes out byte for byte (see `data_stdout`).
            let mut data = data_stdout();
            data.write_all(rendered.as_bytes())?;
            data.flush()?;
        }
    }
    Ok(exit_code(args, &checked))
}

/// The exit code of `check`: 2 on errors, 1 on findings that fail the run.
fn exit_code(args: &CheckArgs, checked: &[Checked]) -> ExitCode {
    let errors = checked.iter().any(|c| !c.errors.is_empty());
    let failing = checked
        .iter()
        .any(|c| c.diagnostics.iter().any(|d| d.severity >= c.fail_level));
    ExitCode::from(if errors {
        2
    } else if failing && !args.exit_zero {
        1
    } else {
        0
    })
}

fn summary(checked: &[Checked]) -> Summary {
    let all = || {
        checked
            .iter()
            .flat_map(|c| c.diagnostics.iter().map(move |d| (c, d)))
    };
    Summary {
        findings: all().count(),
        files: checked.iter().filter(|c| !c.diagnostics.is_empty()).count(),
        fixable: all().filter(|(c, d)| d.fixable_at(c.fix_level)).count(),
        more_with_unsafe: all()
            .filter(|(c, d)| !d.fixable_at(c.fix_level) && d.fixable_at(Applicability::Unsafe))
            .count(),
        unsafe_in_use: checked.iter().any(|c| c.fix_level == Applicability::Unsafe),
    }
}

/// `--statistics`: findings per rule, most first, `[*]` where fixable.
fn statistics(checked: &[Checked]) -> String {
    let mut counts: Vec<(&str, &str, usize, usize)> = Vec::new();
    for c in checked {
        for d in &c.diagnostics {
            let fixable = usize::from(d.fixable_at(c.fix_level));
            match counts.iter_mut().find(|(code, ..)| *code == d.code) {
                Some(entry) => {
                    entry.2 += 1;
                    entry.3 += fixable;
                }
                None => counts.push((d.code, dflint::rules::name_of(d.code), 1, fixable)),
            }
        }
    }
    counts.sort_by(|a, b| b.2.cmp(&a.2).then(a.0.cmp(b.0)));
    let mut out = String::new();
    for (code, name, n, fixable) in counts {
        let mark = if fixable > 0 { "[*]" } else { "   " };
        out.push_str(&format!("{n:>5}\t{code}\t{mark} {name}\n"));
    }
    let s = summary(checked);
    if s.findings > 0 {
        out.push_str(&s.render());
    }
    out
}

/// The diff one finding's fix makes, alone, for `--show-fixes`.
fn fix_preview(path: &str, source: &str, d: &Diagnostic) -> String {
    let Some(fix) = &d.fix else {
        return String::new();
    };
    let fixed = dflint::diagnostic::apply(source, &fix.edits);
    let mut out = format!("   fix ({}):\n", fix.applicability.as_str());
    for line in unified_diff(path, source, &fixed, 1).lines().skip(2) {
        out.push_str(&format!("   {line}\n"));
    }
    out.push('\n');
    out
}

/// A unified diff as text (see [`write_unified_diff`]).
fn unified_diff(path: &str, old: &str, new: &str, context: usize) -> String {
    let mut buf = Vec::new();
    // Writing to memory cannot fail.
    let _ = write_unified_diff(&mut buf, path, old, new, context);
    String::from_utf8_lossy(&buf).into_owned()
}

/// A unified diff, coloured when the stream allows it (see
/// [`report::diff`]), with git's `a/` and `b/` prefixes for relative paths.
fn write_unified_diff(
    w: &mut impl Write,
    path: &str,
    old: &str,
    new: &str,
    context: usize,
) -> io::Result<()> {
    let (old_name, new_name) = if path.starts_with('/') {
        (path.to_string(), path.to_string())
    } else {
        (format!("a/{path}"), format!("b/{path}"))
    };
    report::diff::write_unified(w, &old_name, &new_name, old, new, context)
}

/// Replace a file's content atomically (see [`files::replace_file`]),
/// unless it changed since `stamp` was taken when it was read.
fn write_atomically(path: &str, content: &str, stamp: Option<Stamp>, force: bool) -> Result<()> {
    files::replace_file(Path::new(path), content.as_bytes(), stamp, force).map_err(|e| {
        if e.needs_force() {
            anyhow::anyhow!("{e}; not written (use --force to replace it anyway)")
        } else {
            anyhow::Error::new(e)
        }
    })
}

fn fix(args: FixArgs) -> Result<ExitCode> {
    let mut settings_for = SettingsFor::new(&args.rules)?;
    if args.verify {
        // Never skip the proof silently: no engine is an error up front.
        verify::engine()?;
    }
    let paths = if args.paths.is_empty() {
        vec!["Dockerfile".to_string()]
    } else {
        args.paths.clone()
    };
    let mut stdout = human_stdout();
    let mut stderr = human_stderr();
    let mut errors = false;
    let mut changed_any = false;
    let mut failing = false;
    for path in &paths {
        // The last file's diff and summary before this one's errors.
        stdout.flush()?;
        let name = shown(&args.rules, path);
        let settings = settings_for.get(path)?.for_file(&name);
        let source = match read_source(path, &args.read) {
            Ok(s) => s,
            Err(e) => {
                errors = true;
                write!(stderr, "{}", report::render_errors(&name, "", &[e]))?;
                continue;
            }
        };
        // Writing the decoded text back would turn every invalid byte into
        // U+FFFD, changing lines nobody asked to fix.
        if let Some(bad) = &source.invalid_utf8 {
            errors = true;
            let e = FileError {
                span: syntax::Span::new(0, 0),
                line: bad.line,
                column: bad.column,
                message: format!(
                    "file is not valid UTF-8 ({bad}); dflint fix rewrites only UTF-8 \
                     files, so it was left unchanged (save it as UTF-8 to fix it)"
                ),
            };
            write!(stderr, "{}", report::render_errors(&name, "", &[e]))?;
            continue;
        }
        let text = source.text;
        if args.explain {
            match dflint::parse_valid(&text) {
                Ok(df) => write!(stdout, "{}", explain(&df, &name, &settings))?,
                Err(list) => {
                    errors = true;
                    write!(stderr, "{}", report::render_errors(&name, &text, &list))?;
                }
            }
            continue;
        }
        let mut settings = settings;
        if args.verify {
            if path == "-" {
                anyhow::bail!("--verify builds the file in its directory: give a path, not `-`");
            }
            settings.unsafe_fixes = true;
        }
        let outcome = match dflint::fix::fix(&text, &settings) {
            Ok(o) => o,
            Err(dflint::fix::FixError::Invalid(list)) => {
                errors = true;
                write!(stderr, "{}", report::render_errors(&name, &text, &list))?;
                continue;
            }
            Err(e) => {
                errors = true;
                writeln!(stderr, "{name}: error: {e}")?;
                continue;
            }
        };
        // --verify: keep the unsafe fixes only when a real build and run
        // of both images says they work.
        let outcome = if args.verify {
            let mut safe_settings = settings.clone();
            safe_settings.unsafe_fixes = false;
            let safe = dflint::fix::fix(&text, &safe_settings)?;
            if safe.output == outcome.output {
                writeln!(stdout, "verify: no unsafe fix to prove for {name}")?;
                outcome
            } else {
                let smoke = args.smoke.as_ref().map(|cmd| {
                    dflint::syntax::shell::commands(cmd)
                        .into_iter()
                        .flat_map(|c| c.words.into_vec().into_iter().map(|w| w.text.to_string()))
                        .collect()
                });
                let opts = verify::Options {
                    context: verify::context_for(path, args.context.as_deref()),
                    build_args: args.build_args.clone(),
                    target: settings.target.clone(),
                    smoke,
                    timeout: std::time::Duration::from_secs(args.verify_timeout),
                };
                let verdict = verify::verify(&text, &outcome.output, &opts)?;
                for line in &verdict.report {
                    writeln!(stdout, "{line}")?;
                }
                if verdict.keep_unsafe {
                    outcome
                } else {
                    safe
                }
            }
        } else {
            outcome
        };
        let changed = outcome.output != text;
        changed_any |= changed;
        failing |= outcome
            .remaining
            .iter()
            .any(|d| d.severity >= settings.fail_level);
        if path == "-" {
            // Standard input: the fixed file goes to standard output, as
            // it is, and the rest to stderr.
            let mut data = data_stdout();
            data.write_all(outcome.output.as_bytes())?;
            data.flush()?;
            // A line per fix: buffered, not a write each.
            let mut buffered = io::BufWriter::new(&mut stderr);
            summarize(&mut buffered, &name, &outcome, args.diff)?;
            buffered.flush()?;
        } else {
            if changed && !args.diff {
                if let Err(e) = write_atomically(path, &outcome.output, source.stamp, args.force) {
                    errors = true;
                    writeln!(stderr, "{name}: error: {e:#}")?;
                    continue;
                }
            }
            // Only now that the file is written: the diff says what is on disk.
            if changed {
                write_unified_diff(&mut stdout, &name, &text, &outcome.output, 3)?;
            }
            summarize(&mut stdout, &name, &outcome, args.diff)?;
        }
    }
    stdout.flush()?;
    Ok(ExitCode::from(if errors {
        2
    } else if (args.diff && changed_any) || (!args.diff && failing) {
        1
    } else {
        0
    }))
}

/// `fix --explain`: the rewrite's plan for a file, one line an instruction.
fn explain(df: &dflint::Dockerfile, name: &str, settings: &Settings) -> String {
    let cx = dflint::semantics::Context::new(
        df,
        settings.target.as_deref(),
        Some(name),
        settings.profile,
    );
    match dflint::rewrite::explain(&cx) {
        Ok((title, lines)) => {
            let mut out = format!("{name}: {title}\n");
            for p in lines {
                out.push_str(&format!(
                    "  line {:<4} {:<11} -> {:<8} {}\n",
                    p.line, p.keyword, p.stage, p.reason
                ));
            }
            out
        }
        Err(why) => format!("{name}: no multi-stage rewrite: {why}\n"),
    }
}

/// What was fixed and what remains (at its line in the fixed text), one line each.
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
            "  {code} not fixed: its fix would not parse, or did not settle ({message})"
        )?;
    }
    if !outcome.remaining.is_empty() {
        let index = LineIndex::new(&outcome.output);
        let plain = outcome.remaining.len() - outcome.more_with_unsafe;
        let mut what = Vec::new();
        if plain > 0 {
            what.push(format!("{plain} with no automatic fix"));
        }
        if outcome.more_with_unsafe > 0 {
            what.push(format!(
                "{} fixable with `--unsafe-fixes`",
                outcome.more_with_unsafe
            ));
        }
        writeln!(
            out,
            "{path}: {} remaining ({}):",
            outcome.remaining.len(),
            what.join(", ")
        )?;
        for d in &outcome.remaining {
            let (line, col) = index.line_col(d.span.start);
            let mark = if d.fixable_at(Applicability::Unsafe) {
                " [unsafe fix]"
            } else {
                ""
            };
            writeln!(out, "  {path}:{line}:{col}: {}{mark} {}", d.code, d.message)?;
        }
    }
    Ok(())
}

fn parse(path: &str, read: &ReadArgs) -> Result<ExitCode> {
    let mut stderr = human_stderr();
    let source = match read_source(path, read) {
        Ok(s) => s,
        Err(e) => {
            write!(stderr, "{}", report::render_errors(path, "", &[e]))?;
            return Ok(ExitCode::from(2));
        }
    };
    if let Some(bad) = &source.invalid_utf8 {
        write!(stderr, "{}", utf8_warning(path, bad))?;
    }
    let text = source.text;
    match syntax::parse(&text) {
        Ok(df) => {
            let json = syntax::dump::parse_json(&df);
            let mut data = data_stdout();
            serde_json::to_writer_pretty(&mut data, &json).map_err(io::Error::from)?;
            writeln!(data)?;
            data.flush()?;
            Ok(ExitCode::SUCCESS)
        }
        Err(e) => {
            let error = dflint::file_error(&text, &e);
            write!(stderr, "{}", report::render_errors(path, &text, &[error]))?;
            Ok(ExitCode::from(2))
        }
    }
}

fn completions(shell: clap_complete::Shell) -> Result<ExitCode> {
    use clap::CommandFactory;
    let mut buf = Vec::new();
    clap_complete::generate(shell, &mut Cli::command(), "dflint", &mut buf);
    let mut out = data_stdout();
    out.write_all(&buf)?;
    out.flush()?;
    Ok(ExitCode::SUCCESS)
}

fn man_page() -> Result<ExitCode> {
    use clap::CommandFactory;
    let mut buf = Vec::new();
    clap_mangen::Man::new(Cli::command())
        .render(&mut buf)
        .context("cannot render the man page")?;
    let mut out = data_stdout();
    out.write_all(&buf)?;
    out.flush()?;
    Ok(ExitCode::SUCCESS)
}

fn list_rules() -> Result<ExitCode> {
    let mut out = human_stdout();
    // Columns as wide as the longest code and name (BuildKit's check
    // names are long).
    let code_width = rules::RULES.iter().map(|r| r.code.len()).max().unwrap_or(0);
    let name_width = rules::RULES.iter().map(|r| r.name.len()).max().unwrap_or(0);
    for r in rules::RULES {
        let fix = match r.fix {
            FixAvailability::None => "   ",
            FixAvailability::Sometimes | FixAvailability::Always => "fix",
        };
        let aliases = if r.aliases.is_empty() {
            String::new()
        } else {
            format!(" (alias {})", r.aliases.join(", "))
        };
        let off = if r.default_enabled {
            ""
        } else {
            " [off by default]"
        };
        writeln!(
            out,
            "{:<code_width$}  {:<name_width$} {:<8} {}  {}{aliases}{off}",
            r.code,
            r.name,
            r.severity.as_str(),
            fix,
            r.summary
        )?;
    }
    out.flush()?;
    Ok(ExitCode::SUCCESS)
}

fn show_rule(key: &str) -> Result<ExitCode> {
    match rules::find(key) {
        Some(rule) => {
            let mut out = human_stdout();
            write!(out, "{}", rule.doc)?;
            out.flush()?;
            Ok(ExitCode::SUCCESS)
        }
        None => {
            let hint = dflint::settings::nearest(key)
                .map(|n| format!("; did you mean `{n}`?"))
                .unwrap_or_default();
            anyhow::bail!("unknown rule `{key}`{hint} (see `dflint rules`)")
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `Plain` leaves what the colour stream leaves, however the writes
    /// split the text (a style is written in several pieces).
    #[test]
    fn plain_output_strips_as_the_colour_stream_does() {
        let text = "a \u{1b}[1;31mred\u{1b}[0m b\tc\u{1}d\u{7f}e\r\n\u{1b}[2mdim\u{1b}[0m é\n";
        let want = anstream::adapter::strip_str(text).to_string();
        let bytes = text.as_bytes();
        for cut in 0..=bytes.len() {
            for second in cut..=bytes.len() {
                let mut plain = Plain::new(Vec::new());
                for piece in [&bytes[..cut], &bytes[cut..second], &bytes[second..]] {
                    plain.write_all(piece).unwrap();
                }
                assert_eq!(
                    String::from_utf8_lossy(&plain.inner),
                    want,
                    "cut at {cut}, {second}"
                );
            }
        }
    }
}
