//! Properties of parse, check and fix over Dockerfiles generated from a
//! grammar: instructions of every kind with flags, exec and shell forms,
//! continuation lines with comment and blank lines inside them, heredocs,
//! CRLF line endings, the backtick escape directive and a BOM.
//!
//! - a text the parser accepts comes back byte for byte from its items;
//! - checking never panics and every finding points inside the text;
//! - fixing (safe and unsafe) settles, writes a valid file that a second
//!   fix leaves alone; safe fixes keep every comment line and add no FROM
//!   or USER.
//!
//! The case count is kept small so the suite stays quick in a debug build;
//! `PROPTEST_CASES=5000 cargo test --test properties` runs a longer search.
//! Below the generated properties, inputs found by fuzzing (fuzz/) are kept
//! as plain regression tests.

use std::collections::HashMap;

use dflint::config::ConfigOptions;
use dflint::fix::{fix, FixError};
use dflint::settings::Layer;
use dflint::syntax::{parse, ItemKind, Keyword, Span};
use dflint::Settings;
use proptest::prelude::*;
use proptest::sample::select;

/// Cases per property when `PROPTEST_CASES` is not set.
const DEFAULT_CASES: u32 = 256;

fn config() -> ProptestConfig {
    let cases = std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(DEFAULT_CASES);
    ProptestConfig {
        cases,
        // Failures are turned into the named tests at the end of this file;
        // a regressions file beside it would only be an untracked leftover.
        failure_persistence: None,
        ..ProptestConfig::default()
    }
}

/// Every rule, including any that is off by default.
fn all_rules() -> Settings {
    let options = ConfigOptions {
        select: Some(vec!["ALL".into()]),
        ..ConfigOptions::default()
    };
    Settings::resolve(&[Layer {
        source: "--select".into(),
        options: &options,
        base: None,
    }])
    .expect("ALL is a valid selector")
}

// ---------------------------------------------------------------------------
// The grammar.

/// What separates two words of an instruction.
#[derive(Debug, Clone)]
enum Sep {
    Space,
    Tab,
    /// A line continuation: optional space before the escape character, the
    /// lines between (comments, blank or white lines) and the next line's
    /// indentation.
    Continue {
        space_before: bool,
        /// Blanks after the escape character, which BuildKit ignores.
        trailing: &'static str,
        between: Vec<Between>,
        indent: &'static str,
    },
}

/// A line inside a continuation.
#[derive(Debug, Clone)]
enum Between {
    Comment(&'static str),
    Blank,
    White,
}

#[derive(Debug, Clone, Copy)]
enum Marker {
    Plain,
    /// `<<-`: leading tabs are stripped from the body and terminator.
    Dash,
    Single,
    Double,
}

#[derive(Debug, Clone)]
struct Heredoc {
    marker: Marker,
    name: &'static str,
    /// Words after the heredoc marker on the instruction line (a COPY
    /// destination, a command reading the heredoc).
    after: Vec<&'static str>,
    body: Vec<&'static str>,
}

#[derive(Debug, Clone)]
struct Instruction {
    words: Vec<String>,
    seps: Vec<Sep>,
    heredoc: Option<Heredoc>,
    lower_keyword: bool,
    /// Comment and blank lines before the instruction.
    before: Vec<Between>,
}

#[derive(Debug, Clone)]
struct Spec {
    bom: bool,
    crlf: bool,
    backtick: bool,
    syntax: bool,
    final_newline: bool,
    /// With CRLF, continuation lines end in a bare LF.
    mixed_newlines: bool,
    /// The last instruction ends in a continuation at the end of the file.
    dangling: bool,
    /// Comment and blank lines after the last instruction.
    tail: Vec<Between>,
    global_args: Vec<Instruction>,
    stages: Vec<(Instruction, Vec<Instruction>)>,
}

/// A generated file and the lines of it that are comments.
#[derive(Debug, Clone)]
struct Generated {
    text: String,
    comments: Vec<String>,
}

const IMAGES: &[&str] = &[
    "python:3.11-slim",
    "python:3.12",
    "nvidia/cuda:12.1.0-cudnn8-devel-ubuntu22.04",
    "nvidia/cuda:12.1.0-runtime-ubuntu22.04",
    "pytorch/pytorch:2.1.0-cuda12.1-cudnn8-devel",
    "pytorch/pytorch:2.1.0-cuda12.1-cudnn8-runtime",
    "ubuntu:22.04",
    "debian:bookworm-slim",
    "alpine:3.19",
    "busybox",
    "registry.access.redhat.com/ubi9/ubi-minimal",
    "gcr.io/distroless/python3",
    "ghcr.io/astral-sh/uv:python3.12-bookworm",
    "scratch",
    "${BASE}",
    "$BASE_IMAGE",
    "builder",
    "base",
];

const STAGE_NAMES: &[&str] = &["builder", "build", "base", "runtime", "final", "Deps"];

const COMMANDS: &[&str] = &[
    "apt-get update",
    "apt-get install -y build-essential",
    "apt-get install -y --no-install-recommends libgl1 libglib2.0-0 git curl",
    "apt-get install -y gcc g++ cmake python3-dev",
    "apt-get clean",
    "rm -rf /var/lib/apt/lists/*",
    "pip install torch numpy",
    "pip install --no-cache-dir -r requirements.txt",
    "pip3 install opencv-python",
    "pip install opencv-contrib-python==4.8.0.74 fastapi",
    "python -m pip install --upgrade pip",
    "uv pip install --system fastapi",
    "uv sync --frozen",
    "conda install -y pytorch",
    "apk add --no-cache gcc musl-dev",
    "microdnf install -y gcc",
    "wget -O /models/model.safetensors https://huggingface.co/org/m/resolve/main/model.safetensors",
    "curl -fsSL https://example.com/weights.bin -o /app/weights.bin",
    "huggingface-cli download org/model --local-dir /models",
    "useradd -m -u 1000 app",
    "groupadd -r app",
    "chown -R app:app /app",
    "mkdir -p /app/cache",
    "echo \"hello world\"",
    "echo 'single # not a comment'",
    "cd /app",
    "make -j4",
    "git clone https://github.com/org/repo.git /src",
    "export PATH=$HOME/.local/bin:${PATH}",
    "set -eux",
    "python -c 'import torch'",
];

const JOINERS: &[&str] = &["&&", "&&", ";", "||", "|"];

const COPY_SOURCES: &[&str] = &[
    ".",
    "requirements.txt",
    "app.py",
    "model.safetensors",
    "weights/",
    "*.bin",
    "src/",
    "pyproject.toml uv.lock",
];

const ADD_SOURCES: &[&str] = &[
    "https://example.com/model.ckpt",
    "https://huggingface.co/org/m/resolve/main/pytorch_model.bin",
    "app.tar.gz",
    "git@github.com:org/repo.git",
];

const DESTS: &[&str] = &["/app/", "/app", ".", "/models/", "/opt/venv", "/root/"];

const COPY_FLAGS: &[&str] = &[
    "--from=builder",
    "--from=0",
    "--from=python:3.11",
    "--chown=app:app",
    "--chown=1000",
    "--chmod=755",
    "--link",
    "--exclude=*.pyc",
];

const ADD_FLAGS: &[&str] = &[
    "--checksum=sha256:24454f830cdb571e2c4ad15481119c43b3cafd48dd869a9b2945d1036d1dc68d",
    "--keep-git-dir=true",
    "--chown=app",
    "--link",
];

const RUN_FLAGS: &[&str] = &[
    "--mount=type=cache,target=/root/.cache/pip",
    "--mount=type=cache,target=/var/cache/apt,sharing=locked",
    "--mount=type=secret,id=token",
    "--mount=type=bind,source=.,target=/src",
    "--network=none",
];

const ENV_PAIRS: &[&str] = &[
    "PIP_NO_CACHE_DIR=1",
    "HF_HOME=/models",
    "PATH=/opt/venv/bin:$PATH",
    "DEBIAN_FRONTEND=noninteractive",
    "A=\"quoted value\"",
    "XDG_CACHE_HOME=/app/.cache",
];

const ARGS: &[&str] = &["BASE=python:3.11", "BASE_IMAGE", "VERSION=1.0", "USER=app"];

const USERS: &[&str] = &["root", "app", "1000", "1000:1000", "$USER", "nobody", "0"];

const WORKDIRS: &[&str] = &[
    "/app",
    "/root",
    "src",
    "$HOME/app",
    "/workspace",
    "C:\\app\\data",
    "/srv/my\\ dir",
];

const EXEC_FORMS: &[&str] = &[
    "[\"python\", \"app.py\"]",
    "[\"uvicorn\", \"main:app\", \"--host\", \"0.0.0.0\"]",
    "[\"/entrypoint.sh\"]",
    "[\"gosu\", \"app\", \"python\", \"serve.py\"]",
    "[\"sh\", \"-c\", \"echo $HOME\"]",
    "[ \"bash\" ]",
];

const SHELL_FORMS: &[&str] = &[
    "python app.py",
    "exec gunicorn app:app",
    "/bin/sh -c 'sleep 1'",
];

const COMMENTS: &[&str] = &[
    "# install dependencies",
    "#no space",
    "#",
    "# dflint ignore=DF002",
    "# hadolint ignore=DL3008,DL3013",
    "# dflint global ignore=DF006",
    "# dflint ignore=DF999",
    "# check=skip=all",
    "# note: é ✓ 漢字",
    "# trailing backslash is not a continuation here \\x",
];

const BODIES: &[&str] = &[
    "apt-get update",
    "pip install torch",
    "echo $HOME",
    "# a shell comment in a heredoc",
    "",
    "  indented line",
    "\tset -e",
    "print('hi')",
    "EOFX",
    "apt-get install -y gcc",
    "rm -rf /var/lib/apt/lists/*",
    "pip install --no-cache-dir numpy opencv-python",
    "curl -o /models/w.safetensors https://example.com/w.safetensors",
    "cat <<INNER",
    "  EOF",
];

fn words(s: &str) -> Vec<String> {
    s.split_whitespace().map(str::to_string).collect()
}

fn between() -> impl Strategy<Value = Between> {
    prop_oneof![
        4 => select(COMMENTS).prop_map(Between::Comment),
        1 => Just(Between::Blank),
        1 => Just(Between::White),
    ]
}

fn sep() -> impl Strategy<Value = Sep> {
    prop_oneof![
        6 => Just(Sep::Space),
        1 => Just(Sep::Tab),
        2 => (
            any::<bool>(),
            select(&["", "", "", " ", "\t "][..]),
            prop::collection::vec(between(), 0..3),
            select(&["", "  ", "    ", "\t"][..]),
        )
            .prop_map(|(space_before, trailing, between, indent)| Sep::Continue {
                space_before,
                trailing,
                between,
                indent,
            }),
    ]
}

/// A heredoc with `after` words, between `min` and `max` of them.
fn heredoc(
    after: &'static [&'static str],
    min: usize,
    max: usize,
) -> impl Strategy<Value = Heredoc> {
    (
        select(&[Marker::Plain, Marker::Dash, Marker::Single, Marker::Double][..]),
        select(&["EOF", "END", "SCRIPT", "eof"][..]),
        prop::collection::vec(select(after), min..=max),
        prop::collection::vec(select(BODIES), 0..5),
    )
        .prop_map(|(marker, name, after, body)| Heredoc {
            marker,
            name,
            after,
            body,
        })
}

/// A RUN command: a few commands joined with `&&`, `;`, `||` or `|`.
fn shell_command() -> impl Strategy<Value = Vec<String>> {
    (
        select(COMMANDS),
        prop::collection::vec((select(JOINERS), select(COMMANDS)), 0..4),
    )
        .prop_map(|(first, rest)| {
            let mut out = words(first);
            for (j, c) in rest {
                out.push(j.to_string());
                out.extend(words(c));
            }
            out
        })
}

fn flags(from: &'static [&'static str], max: usize) -> impl Strategy<Value = Vec<String>> {
    prop::collection::vec(select(from).prop_map(str::to_string), 0..=max)
}

/// The words of one instruction of a stage (not FROM) and, for RUN, COPY
/// and ADD, sometimes a heredoc.
fn body_instruction() -> impl Strategy<Value = (Vec<String>, Option<Heredoc>)> {
    let kw = |k: &str| vec![k.to_string()];
    let cat = |parts: Vec<Vec<String>>| parts.concat();
    prop_oneof![
        6 => (flags(RUN_FLAGS, 2), shell_command())
            .prop_map(move |(f, c)| (cat(vec![kw("RUN"), f, c]), None)),
        1 => select(EXEC_FORMS).prop_map(move |e| (cat(vec![kw("RUN"), words(e)]), None)),
        2 => (flags(RUN_FLAGS, 1), heredoc(&["python3", "bash", "sh -e", "&& apt-get update", "; pip install torch"], 0, 1))
            .prop_map(move |(f, h)| (cat(vec![kw("RUN"), f]), Some(h))),
        3 => (flags(COPY_FLAGS, 2), prop::collection::vec(select(COPY_SOURCES), 1..3), select(DESTS))
            .prop_map(move |(f, s, d)| {
                let sources = s.iter().flat_map(|s| words(s)).collect();
                (cat(vec![kw("COPY"), f, sources, words(d)]), None)
            }),
        1 => (flags(COPY_FLAGS, 1), heredoc(&["/app/run.sh", "/etc/app.conf", "/app/"], 1, 1))
            .prop_map(move |(f, h)| (cat(vec![kw("COPY"), f]), Some(h))),
        2 => (flags(ADD_FLAGS, 2), select(ADD_SOURCES), select(DESTS))
            .prop_map(move |(f, s, d)| (cat(vec![kw("ADD"), f, words(s), words(d)]), None)),
        2 => prop::collection::vec(select(ENV_PAIRS), 1..3)
            .prop_map(move |p| (cat(vec![kw("ENV"), p.iter().flat_map(|p| words(p)).collect()]), None)),
        1 => Just((words("ENV LEGACY value with spaces"), None)),
        1 => select(ARGS).prop_map(move |a| (cat(vec![kw("ARG"), words(a)]), None)),
        1 => Just((words("LABEL org.opencontainers.image.title=\"demo\" version=1"), None)),
        3 => select(USERS).prop_map(move |u| (cat(vec![kw("USER"), words(u)]), None)),
        2 => select(WORKDIRS).prop_map(move |w| (cat(vec![kw("WORKDIR"), words(w)]), None)),
        2 => (select(&["CMD", "ENTRYPOINT"][..]), select(EXEC_FORMS))
            .prop_map(move |(k, e)| (cat(vec![kw(k), words(e)]), None)),
        1 => (select(&["CMD", "ENTRYPOINT"][..]), select(SHELL_FORMS))
            .prop_map(move |(k, s)| (cat(vec![kw(k), words(s)]), None)),
        1 => select(&[
            "HEALTHCHECK --interval=30s --timeout=3s CMD curl -f http://localhost/ || exit 1",
            "HEALTHCHECK CMD [\"python\", \"-c\", \"print(1)\"]",
            "HEALTHCHECK NONE",
        ][..]).prop_map(|h| (words(h), None)),
        1 => select(&[
            "ONBUILD RUN pip install -r requirements.txt",
            "ONBUILD COPY . /app",
            "ONBUILD USER root",
        ][..]).prop_map(|o| (words(o), None)),
        1 => select(&[
            "EXPOSE 8000",
            "VOLUME /data",
            "VOLUME [\"/models\", \"/cache\"]",
            "SHELL [\"/bin/bash\", \"-o\", \"pipefail\", \"-c\"]",
            "STOPSIGNAL SIGTERM",
            "MAINTAINER someone@example.com",
        ][..]).prop_map(|o| (words(o), None)),
    ]
}

fn instruction(
    words: impl Strategy<Value = (Vec<String>, Option<Heredoc>)>,
) -> impl Strategy<Value = Instruction> {
    (
        words,
        prop::collection::vec(sep(), 0..12),
        prop::bool::weighted(0.1),
        prop::collection::vec(between(), 0..2),
    )
        .prop_map(
            |((words, heredoc), seps, lower_keyword, before)| Instruction {
                words,
                seps,
                heredoc,
                lower_keyword,
                before,
            },
        )
}

fn from_instruction() -> impl Strategy<Value = Instruction> {
    instruction(
        (
            prop::option::weighted(0.1, Just("--platform=linux/amd64")),
            select(IMAGES),
            prop::option::weighted(0.5, select(STAGE_NAMES)),
        )
            .prop_map(|(platform, image, name)| {
                let mut w = vec!["FROM".to_string()];
                w.extend(platform.map(str::to_string));
                w.push(image.to_string());
                if let Some(name) = name {
                    w.push("AS".into());
                    w.push(name.into());
                }
                (w, None)
            }),
    )
}

fn spec() -> impl Strategy<Value = Spec> {
    (
        (
            prop::bool::weighted(0.15),
            prop::bool::weighted(0.25),
            prop::bool::weighted(0.2),
            prop::bool::weighted(0.15),
            prop::bool::weighted(0.9),
            prop::bool::weighted(0.1),
            prop::bool::weighted(0.05),
            prop::collection::vec(between(), 0..2),
        ),
        prop::collection::vec(
            instruction(select(ARGS).prop_map(|a| {
                let mut w = vec!["ARG".to_string()];
                w.extend(words(a));
                (w, None)
            })),
            0..2,
        ),
        prop::collection::vec(
            (
                from_instruction(),
                prop::collection::vec(instruction(body_instruction()), 0..8),
            ),
            1..4,
        ),
    )
        .prop_map(
            |(
                (bom, crlf, backtick, syntax, final_newline, mixed_newlines, dangling, tail),
                global_args,
                stages,
            )| Spec {
                bom,
                crlf,
                backtick,
                syntax,
                final_newline,
                mixed_newlines,
                dangling,
                tail,
                global_args,
                stages,
            },
        )
}

/// Lay out a spec as a file, noting every comment line it writes.
fn render(spec: &Spec) -> Generated {
    let nl = if spec.crlf { "\r\n" } else { "\n" };
    let esc = if spec.backtick { '`' } else { '\\' };
    let continued = if spec.mixed_newlines { "\n" } else { nl };
    let mut text = String::new();
    let mut comments = Vec::new();
    if spec.bom {
        text.push('\u{feff}');
    }
    let line = |text: &mut String, l: &str| {
        text.push_str(l);
        text.push_str(nl);
    };
    if spec.syntax {
        line(&mut text, "# syntax=docker/dockerfile:1");
        comments.push("# syntax=docker/dockerfile:1".to_string());
    }
    if spec.backtick {
        line(&mut text, "# escape=`");
        comments.push("# escape=`".to_string());
    }
    let all = spec.global_args.iter().chain(
        spec.stages
            .iter()
            .flat_map(|(f, b)| std::iter::once(f).chain(b)),
    );
    for ins in all {
        for b in &ins.before {
            between_line(&mut text, &mut comments, b, "", nl);
        }
        for (i, w) in ins.words.iter().enumerate() {
            if i == 0 && ins.lower_keyword {
                text.push_str(&w.to_ascii_lowercase());
            } else {
                text.push_str(w);
            }
            if i + 1 == ins.words.len() {
                break;
            }
            let sep = ins.seps.get(i).unwrap_or(&Sep::Space);
            match sep {
                Sep::Space => text.push(' '),
                Sep::Tab => text.push('\t'),
                Sep::Continue {
                    space_before,
                    trailing,
                    between,
                    indent,
                } => {
                    // Without a space before the escape or an indent after
                    // it, the two words would join into one.
                    if *space_before || indent.is_empty() {
                        text.push(' ');
                    }
                    text.push(esc);
                    text.push_str(trailing);
                    text.push_str(continued);
                    for b in between {
                        between_line(&mut text, &mut comments, b, indent, nl);
                    }
                    text.push_str(indent);
                }
            }
        }
        if let Some(h) = &ins.heredoc {
            let (open, tabs) = match h.marker {
                Marker::Plain => (format!("<<{}", h.name), ""),
                Marker::Dash => (format!("<<-{}", h.name), "\t"),
                Marker::Single => (format!("<<'{}'", h.name), ""),
                Marker::Double => (format!("<<\"{}\"", h.name), ""),
            };
            text.push(' ');
            text.push_str(&open);
            for a in &h.after {
                text.push(' ');
                text.push_str(a);
            }
            text.push_str(nl);
            for b in &h.body {
                text.push_str(tabs);
                line(&mut text, b);
            }
            text.push_str(tabs);
            text.push_str(h.name);
        }
        text.push_str(nl);
    }
    for b in &spec.tail {
        between_line(&mut text, &mut comments, b, "", nl);
    }
    if spec.dangling {
        text.push_str("RUN echo ");
        text.push(esc);
    } else if !spec.final_newline {
        let trimmed = text.len() - nl.len();
        text.truncate(trimmed);
    }
    Generated { text, comments }
}

fn between_line(
    text: &mut String,
    comments: &mut Vec<String>,
    b: &Between,
    indent: &str,
    nl: &str,
) {
    match b {
        Between::Comment(c) => {
            text.push_str(indent);
            text.push_str(c);
            comments.push(c.to_string());
        }
        Between::Blank => {}
        Between::White => text.push_str("  "),
    }
    text.push_str(nl);
}

fn generated() -> impl Strategy<Value = Generated> {
    spec().prop_map(|s| render(&s))
}

// ---------------------------------------------------------------------------
// The invariants, shared by the generated properties and the regressions.

/// The parse, when there is one, tiles the text and gives it back.
fn assert_lossless(text: &str) {
    let Ok(df) = parse(text) else {
        return;
    };
    let mut at = 0;
    let mut joined = String::new();
    for item in &df.items {
        assert_eq!(item.span.start, at, "items leave a gap or overlap");
        joined.push_str(df.slice(item.span));
        at = item.span.end;
    }
    assert_eq!(joined, text, "items do not give the text back");
}

fn assert_span(text: &str, span: Span, what: &str) {
    assert!(
        span.start <= span.end && span.end <= text.len(),
        "{what} span {span:?} is outside a text of {} bytes",
        text.len()
    );
    assert!(
        text.is_char_boundary(span.start) && text.is_char_boundary(span.end),
        "{what} span {span:?} splits a character"
    );
}

/// Checking never panics and every finding, edit and error is inside the text.
fn assert_check_sound(text: &str, settings: &Settings) {
    match dflint::check(text, settings) {
        Ok((_, found)) => {
            for d in &found {
                assert_span(text, d.span, d.code);
                for e in d.fix.iter().flat_map(|f| &f.edits) {
                    assert_span(text, e.span, d.code);
                }
            }
        }
        Err(errors) => {
            for e in &errors {
                assert_span(text, e.span, "file error");
            }
        }
    }
}

/// Fix, and check what every fix must give; the output, or `None` when the
/// input is not a valid Dockerfile.
fn assert_fix_settles(text: &str, settings: &Settings) -> Option<String> {
    let mode = if settings.unsafe_fixes {
        "unsafe"
    } else {
        "safe"
    };
    let output = match fix(text, settings) {
        Ok(outcome) => outcome.output,
        Err(FixError::Invalid(_)) => return None,
        Err(e) => panic!("{mode} fix of {text:?}: {e}"),
    };
    if let Err(errors) = dflint::parse_valid(&output) {
        panic!("{mode} fix of {text:?} wrote an invalid file {output:?}: {errors:?}");
    }
    match fix(&output, settings) {
        Ok(again) => assert_eq!(
            again.output, output,
            "{mode} fix of {text:?} is not stable: a second fix changes its output"
        ),
        Err(e) => panic!("{mode} fix of {text:?} fails on its own output {output:?}: {e}"),
    }
    Some(output)
}

/// How many top-level instructions of `keyword` a text has.
fn count(text: &str, keyword: Keyword) -> usize {
    parse(text).map_or(0, |df| {
        df.items
            .iter()
            .filter(|i| matches!(&i.kind, ItemKind::Instruction(ins) if ins.keyword == keyword))
            .count()
    })
}

/// The trimmed lines of a text whose first non-blank character is `#`.
fn comment_lines(text: &str) -> HashMap<&str, usize> {
    let mut lines = HashMap::new();
    for line in text.trim_start_matches('\u{feff}').split('\n') {
        let line = line.trim();
        if line.starts_with('#') {
            *lines.entry(line).or_insert(0) += 1;
        }
    }
    lines
}

/// A safe fix keeps each of `comments` (as often as listed) and adds no
/// FROM or USER.
fn assert_safe_fix_conservative(input: &str, output: &str, comments: &[String]) {
    let mut wanted: HashMap<&str, usize> = HashMap::new();
    for c in comments {
        *wanted.entry(c.trim()).or_insert(0) += 1;
    }
    let found = comment_lines(output);
    for (c, n) in wanted {
        let kept = found.get(c).copied().unwrap_or(0);
        assert!(
            kept >= n,
            "safe fix of {input:?} dropped the comment {c:?} ({n} before, {kept} after): {output:?}"
        );
    }
    for keyword in [Keyword::From, Keyword::User] {
        let (before, after) = (count(input, keyword), count(output, keyword));
        assert!(
            after <= before,
            "safe fix of {input:?} added a {keyword:?} ({before} before, {after} after): {output:?}"
        );
    }
}

/// Every comment line of a heredoc-free text, for the regressions below.
fn comments_of(text: &str) -> Vec<String> {
    assert!(
        !text.contains("<<"),
        "comment lines of a heredoc are ambiguous"
    );
    comment_lines(text)
        .into_iter()
        .flat_map(|(c, n)| std::iter::repeat_n(c.to_string(), n))
        .collect()
}

/// All fix properties of one input, safe and unsafe.
fn assert_fix_properties(text: &str, comments: &[String]) {
    let mut settings = all_rules();
    if let Some(output) = assert_fix_settles(text, &settings) {
        assert_safe_fix_conservative(text, &output, comments);
    }
    settings.unsafe_fixes = true;
    assert_fix_settles(text, &settings);
}

// ---------------------------------------------------------------------------
// Generated properties.

proptest! {
    #![proptest_config(config())]

    #[test]
    fn parse_is_lossless(g in generated()) {
        assert_lossless(&g.text);
    }

    #[test]
    fn generated_files_parse(g in generated()) {
        // The grammar writes files BuildKit accepts; one the parser rejects
        // means the parser and BuildKit disagree, or the grammar is wrong.
        if let Err(e) = parse(&g.text) {
            panic!("{:?} does not parse: {e:?}", g.text);
        }
    }

    #[test]
    fn check_is_sound(g in generated()) {
        assert_check_sound(&g.text, &all_rules());
        assert_check_sound(&g.text, &Settings::default());
    }

    #[test]
    fn fixes_settle_and_safe_fixes_keep_comments(g in generated()) {
        assert_fix_properties(&g.text, &g.comments);
    }
}

// ---------------------------------------------------------------------------
// The grammar itself: a few fixed layouts, so a change to `render` that
// stops producing comments, continuations or heredocs is seen.

#[test]
fn render_writes_continuations_heredocs_and_directives() {
    let ins = |w: &str, seps: Vec<Sep>, heredoc: Option<Heredoc>| Instruction {
        words: words(w),
        seps,
        heredoc,
        lower_keyword: false,
        before: vec![Between::Comment("# first")],
    };
    let spec = Spec {
        bom: true,
        crlf: true,
        backtick: true,
        syntax: false,
        final_newline: true,
        mixed_newlines: false,
        dangling: false,
        tail: vec![],
        global_args: vec![],
        stages: vec![(
            ins("FROM alpine", vec![], None),
            vec![
                ins(
                    "RUN a b",
                    vec![
                        Sep::Space,
                        Sep::Continue {
                            space_before: true,
                            trailing: "",
                            between: vec![Between::Comment("# inside"), Between::Blank],
                            indent: "  ",
                        },
                    ],
                    None,
                ),
                ins(
                    "RUN",
                    vec![],
                    Some(Heredoc {
                        marker: Marker::Dash,
                        name: "EOF",
                        after: vec!["sh"],
                        body: vec!["# body"],
                    }),
                ),
            ],
        )],
    };
    let g = render(&spec);
    assert_eq!(
        g.text,
        "\u{feff}# escape=`\r\n# first\r\nFROM alpine\r\n# first\r\nRUN a `\r\n  # inside\r\n\r\n  b\r\n\
         # first\r\nRUN <<-EOF sh\r\n\t# body\r\n\tEOF\r\n"
    );
    assert_eq!(
        g.comments,
        ["# escape=`", "# first", "# first", "# inside", "# first"]
    );
    assert_lossless(&g.text);
    assert_fix_properties(&g.text, &g.comments);
}

/// The grammar mostly writes files BuildKit accepts and that have something
/// to fix: a grammar that drifted into invalid files would leave the fix
/// properties checking nothing.
#[test]
fn the_grammar_reaches_the_fixes() {
    use proptest::strategy::ValueTree;
    use proptest::test_runner::TestRunner;
    let mut runner = TestRunner::deterministic();
    let (mut valid, mut safe, mut unsafe_) = (0, 0, 0);
    let samples = 200;
    for _ in 0..samples {
        let g = generated().new_tree(&mut runner).unwrap().current();
        valid += usize::from(dflint::parse_valid(&g.text).is_ok());
        let mut settings = all_rules();
        let fixed = |s: &Settings| fix(&g.text, s).is_ok_and(|o| !o.fixed.is_empty());
        safe += usize::from(fixed(&settings));
        settings.unsafe_fixes = true;
        unsafe_ += usize::from(fixed(&settings));
    }
    assert!(valid * 10 >= samples * 9, "{valid} of {samples} are valid");
    assert!(safe * 10 >= samples, "{safe} of {samples} get a safe fix");
    assert!(
        unsafe_ * 5 >= samples,
        "{unsafe_} of {samples} get an unsafe fix"
    );
}

// ---------------------------------------------------------------------------
// Regressions: inputs that broke an invariant, each minimised.

/// DF003 appends `&& rm -rf /var/lib/apt/lists/*` after the last byte of the
/// RUN's shell text. When that text ends inside an open quote, the cleanup
/// landed inside the quoted string, the finding came back on the next pass
/// and another cleanup was appended, until the applier gave up with
/// `NotConverged`. Found by the generated properties and the `fix` fuzz
/// target.
#[test]
fn apt_cleanup_after_an_open_quote_settles() {
    for text in [
        "FROM a\nRUN apt-get update '\n",
        "FROM a\nRUN apt-get update \"\n",
        "FROM a\nRUN apt-get install x '\n",
        // As the `fix` fuzz target found it, minimised.
        "FROM /\nRUN apt update \"",
        // As generated: a continuation before `#` makes the rest of the
        // quoted string a comment line.
        "FROM python:3.11-slim\nRUN apt-get install -y build-essential && echo 'single \\\n# not a comment'",
    ] {
        assert_fix_properties(text, &comments_of(text));
    }
}

/// The same loop through other ways a script can end unfinished: an open
/// backtick or `$(` command substitution, an open `${` expansion, and a
/// quote after a `#` inside a word (not a comment in the shell, so the
/// quote is open). `is_complete_script` in src/semantics/commands.rs used
/// to track only `'` and `"` and take every unquoted `#` as the start of a
/// comment. The first five are the `fix` fuzz target's finds, minimised.
#[test]
fn apt_cleanup_after_an_open_substitution_settles() {
    for text in [
        "\nFROM #\nRUN apt update `",
        "FROM $\nRUN apt update `",
        "FROM C\nRUN apt update ${",
        "#\nFROM s\nRUN apt update&${T_",
        "\nFROM C\nRUN apt install `",
        "FROM a\nRUN apt-get update $(\n",
        "FROM a\nRUN apt-get update \"$(\"\n",
        "FROM a\nRUN apt-get update a#'\n",
    ] {
        assert_fix_properties(text, &[]);
    }
}

/// A `#` right after a shell operator (`&`, `;`, `|`, `(`) starts a comment
/// as much as one after a blank does, but DF003's `cleanup_edit` looked only
/// for ` #` and `\t#` before it appended `&& rm -rf /var/lib/apt/lists/*`:
/// the cleanup landed in the comment, DF003 fired again, and fixes never
/// settled. The first three are the `fix` fuzz target's finds, minimised.
#[test]
fn apt_cleanup_after_a_comment_behind_an_operator_settles() {
    for text in [
        "FROM H\nRUN apt install&#",
        "\nFROM y\nRUN apt update&#",
        "FROM M\nRUN apt update&#",
        "FROM a\nRUN apt-get update;# c\n",
        "FROM a\nRUN apt-get update|#\n",
        "FROM a\nRUN apt-get update&&#x\n",
        "FROM a\nRUN apt-get update && (#\n",
    ] {
        assert_fix_properties(text, &comments_of(text));
    }
}
