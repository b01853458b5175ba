//! BuildKit's build checks over the BuildKit and modern snippets of
//! `../shared/corpus` (which must be present), and the `# check=`
//! directives: skip, per-instruction skip, `error=true`, and the
//! `buildkit` selector.
//!
//! The expected results come from what each snippet's `expect.txt` or the
//! corpus README says BuildKit reports (the empty-continuation warnings),
//! and, where they say nothing of the checks, from the checks' documented
//! behaviour applied to the snippet; the table says which for each.

mod common;

use std::fs;

use common::{corpus_or_fail, read};
use dflint::config::ConfigOptions;
use dflint::rules::{is_buildkit, RULES};
use dflint::settings::Layer;
use dflint::{check, Settings, Severity};

/// Each snippet: its directory under the corpus, and what checking it
/// with BuildKit's rules gives: `Code@line` findings, or `invalid` for a
/// file BuildKit's parser or instruction layer rejects (several directive
/// snippets are directive-parser inputs, not Dockerfiles).
const EXPECTED: &[(&str, &[&str])] = &[
    // Directive-parser inputs. Those with a FROM are valid and clean.
    ("buildkit-snippets/directives-detectsyntax-1", &[]),
    ("buildkit-snippets/directives-detectsyntax-2", &[]),
    ("buildkit-snippets/directives-detectsyntax-3", &["invalid"]),
    ("buildkit-snippets/directives-detectsyntax-4", &[]),
    ("buildkit-snippets/directives-detectsyntax-5", &["invalid"]),
    ("buildkit-snippets/directives-detectsyntax-6", &["invalid"]),
    ("buildkit-snippets/directives-detectsyntax-7", &["invalid"]),
    ("buildkit-snippets/directives-detectsyntax-8", &["invalid"]),
    ("buildkit-snippets/directives-detectsyntax-9", &["invalid"]),
    ("buildkit-snippets/directives-detectsyntax-bom", &[]),
    ("buildkit-snippets/directives-directives-1", &["invalid"]),
    ("buildkit-snippets/directives-directives-2", &["invalid"]),
    // `#check = skip=all // opts`: a check directive (nothing to skip here).
    ("buildkit-snippets/directives-parsedirective-1", &[]),
    ("buildkit-snippets/directives-parsedirective-2", &[]),
    (
        "buildkit-snippets/directives-parsedirective-3",
        &["invalid"],
    ),
    ("buildkit-snippets/directives-parsedirective-4", &[]),
    (
        "buildkit-snippets/directives-parsedirective-5",
        &["invalid"],
    ),
    // expect.txt: exactly 2 warnings, one per RUN with empty lines.
    (
        "buildkit-snippets/empty-continuation-and-comments",
        &["NoEmptyContinuation@7", "NoEmptyContinuation@13"],
    ),
    // `USER <<INVALID` is no heredoc: `INVALID` is an unknown instruction.
    ("buildkit-snippets/heredoc-extract", &["invalid"]),
    ("buildkit-snippets/heredoc-json-exec-form", &[]),
    // `ENV GOPATH /go` is the legacy form; the long RUN has empty lines.
    (
        "buildkit-snippets/testfile-line",
        &["LegacyKeyValueFormat@11", "NoEmptyContinuation@17"],
    ),
    ("modern-snippets/01-heredoc-run", &[]),
    ("modern-snippets/02-run-mount-cache", &[]),
    ("modern-snippets/03-escape-backtick", &[]),
    ("modern-snippets/04-copy-link-chmod", &[]),
    ("modern-snippets/05-onbuild", &[]),
    ("modern-snippets/06-healthcheck-cmd", &[]),
    // The corpus README: "BuildKit warns: NoEmptyContinuation".
    (
        "modern-snippets/07-empty-continuation",
        &["NoEmptyContinuation@2"],
    ),
    ("modern-snippets/08-comment-in-continuation", &[]),
    // All lower case, `from ... as`: consistent.
    ("modern-snippets/09-lowercase-instructions", &[]),
    ("modern-snippets/10-crlf", &[]),
    ("modern-snippets/11-extra-multi-heredoc-copy", &[]),
    // `--platform=$BUILDPLATFORM` and `${BASE}` are declared; MAINTAINER.
    (
        "modern-snippets/12-extra-from-platform-args",
        &["MaintainerDeprecated@9"],
    ),
];

fn settings(select: &[&str]) -> Settings {
    let options = ConfigOptions {
        select: Some(select.iter().map(|s| s.to_string()).collect()),
        ..ConfigOptions::default()
    };
    Settings::resolve(&[Layer {
        source: "test".into(),
        options: &options,
        base: None,
    }])
    .unwrap()
}

/// `Code@line` for every finding, or `invalid`.
fn results(text: &str, settings: &Settings) -> Vec<String> {
    match check(text, settings) {
        Ok((df, found)) => found
            .iter()
            .map(|d| format!("{}@{}", d.code, df.line_col(d.span.start).0))
            .collect(),
        Err(_) => vec!["invalid".to_string()],
    }
}

#[test]
fn snippets_give_the_checks_buildkit_reports() {
    let corpus = corpus_or_fail();
    let buildkit = settings(&["buildkit"]);
    // Every snippet of both sets is in the table: a new one fails here
    // until its expected result is written down.
    let mut on_disk = Vec::new();
    for set in ["buildkit-snippets", "modern-snippets"] {
        for entry in fs::read_dir(corpus.join(set)).unwrap() {
            let path = entry.unwrap().path();
            if path.join("Dockerfile").is_file() {
                on_disk.push(format!(
                    "{set}/{}",
                    path.file_name().unwrap().to_string_lossy()
                ));
            }
        }
    }
    on_disk.sort();
    let mut listed: Vec<String> = EXPECTED.iter().map(|(n, _)| n.to_string()).collect();
    listed.sort();
    assert_eq!(on_disk, listed, "snippets on disk and in the table");

    let mut agree = 0;
    let mut failures = Vec::new();
    for (name, want) in EXPECTED {
        let text = read(&corpus.join(name).join("Dockerfile"));
        let got = results(&text, &buildkit);
        if got == *want {
            agree += 1;
        } else {
            failures.push(format!("{name}: expected {want:?}, got {got:?}"));
        }
    }
    println!(
        "BuildKit checks on the snippets: {agree}/{} agree",
        EXPECTED.len()
    );
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn the_corpus_says_what_the_table_says() {
    // The expectations taken from the corpus itself, read again from it.
    let corpus = corpus_or_fail();
    let expect = read(&corpus.join("buildkit-snippets/empty-continuation-and-comments/expect.txt"));
    assert!(expect.contains("exactly 2 warnings"), "{expect}");
    let readme = read(&corpus.join("modern-snippets/README.md"));
    let row = readme
        .lines()
        .find(|l| l.contains("`07-empty-continuation`"))
        .expect("07 in the modern snippets README");
    assert!(row.contains("NoEmptyContinuation"), "{row}");
}

#[test]
fn the_buildkit_selector_picks_every_check_and_only_them() {
    let chosen: Vec<&str> = settings(&["buildkit"])
        .rules_for(None)
        .iter()
        .map(|r| r.code)
        .collect();
    let all: Vec<&str> = RULES
        .iter()
        .map(|r| r.code)
        .filter(|c| is_buildkit(c))
        .collect();
    assert_eq!(chosen, all);
    // All 22 of BuildKit's checks are rules.
    assert_eq!(chosen.len(), 22, "{chosen:?}");
    assert!(chosen.iter().all(|c| !c.starts_with("DF")));
}

const MIXED: &str = "FROM alpine:3.20 as build\nMAINTAINER someone\nRUN apt-get update && apt-get install -y curl\n";

#[test]
fn error_true_raises_the_checks_and_nothing_else() {
    let all = settings(&["ALL"]);
    let text = format!("# check=error=true\n{MIXED}");
    let (_, found) = check(&text, &all).unwrap();
    assert!(found.iter().any(|d| d.code == "MaintainerDeprecated"));
    for d in &found {
        let want = if is_buildkit(d.code) {
            Severity::Error
        } else {
            RULES.iter().find(|r| r.code == d.code).unwrap().severity
        };
        assert_eq!(d.severity, want, "{}", d.code);
    }
    // Without the directive, BuildKit's checks are warnings.
    let (_, found) = check(MIXED, &all).unwrap();
    let bk: Vec<_> = found.iter().filter(|d| is_buildkit(d.code)).collect();
    assert!(!bk.is_empty() && bk.iter().all(|d| d.severity == Severity::Warning));
}

#[test]
fn skip_all_silences_the_checks_only() {
    let all = settings(&["ALL"]);
    let text = format!("# check=skip=all\n{MIXED}");
    let (_, found) = check(&text, &all).unwrap();
    assert!(found.iter().all(|d| !is_buildkit(d.code)), "{found:?}");
    assert!(!found.is_empty(), "the file's other findings stay");
    let text = format!("# check=skip=FromAsCasing;error=true\n{MIXED}");
    let codes: Vec<_> = results(&text, &settings(&["buildkit"]));
    assert_eq!(codes, ["MaintainerDeprecated@3"]);
}

#[test]
fn a_check_comment_above_an_instruction_skips_it_there() {
    let text = "FROM alpine:3.20\n# check=skip=JSONArgsRecommended // a shell on purpose\nCMD echo one\nENTRYPOINT echo two\n";
    assert_eq!(
        results(text, &settings(&["buildkit"])),
        ["JSONArgsRecommended@4"]
    );
}

/// `dflint check` on a file: its directory is the build context.
fn run_check(dir: &std::path::Path, args: &[&str], stdin: Option<&str>) -> String {
    use std::io::Write;
    use std::process::{Command, Stdio};
    let mut child = Command::new(env!("CARGO_BIN_EXE_dflint"))
        .current_dir(dir)
        .args([
            "check",
            "--isolated",
            "--select",
            "CopyIgnoredFile",
            "--concise",
        ])
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut input = child.stdin.take().unwrap();
    input.write_all(stdin.unwrap_or("").as_bytes()).unwrap();
    drop(input);
    let out = child.wait_with_output().unwrap();
    String::from_utf8(out.stdout).unwrap()
}

#[test]
fn copy_ignored_file_reads_the_build_context_and_never_guesses_one() {
    let dir = tempfile::tempdir().unwrap();
    let dockerfile = "FROM alpine:3.20\nCOPY secrets/key.pem /etc/app/\nCOPY app /app\nCOPY --from=builder /secrets/x /x\n";
    fs::write(dir.path().join("Dockerfile"), dockerfile).unwrap();
    fs::write(dir.path().join(".dockerignore"), "# keys\nsecrets/\n").unwrap();
    let out = run_check(dir.path(), &["Dockerfile"], None);
    assert!(out.contains("Dockerfile:2:6: CopyIgnoredFile"), "{out}");
    assert!(out.contains("`.dockerignore`"), "{out}");
    assert_eq!(out.matches("CopyIgnoredFile").count(), 1, "{out}");
    // Standard input has no build context, whatever name it is given.
    let out = run_check(
        dir.path(),
        &["-", "--stdin-filename", "Dockerfile"],
        Some(dockerfile),
    );
    assert!(!out.contains("CopyIgnoredFile"), "{out}");
    // `<Dockerfile>.dockerignore` beside the file wins over `.dockerignore`.
    fs::write(dir.path().join("Dockerfile.dockerignore"), "*\n!secrets\n").unwrap();
    let out = run_check(dir.path(), &["Dockerfile"], None);
    assert!(out.contains("Dockerfile:3:6: CopyIgnoredFile"), "{out}");
    assert!(out.contains("`Dockerfile.dockerignore`"), "{out}");
    assert!(!out.contains(":2:6:"), "{out}");
}

/// Cases at the edges of what each check decides: `(file, findings)`.
const EDGES: &[(&str, &[&str])] = &[
    // ARGs end with their stage; ENV carries into the stages built on it.
    (
        "FROM python:3.12 AS a\nARG V=1\nENV E=2\nFROM a\nLABEL v=$V e=$E\n",
        &["UndefinedVar@5"],
    ),
    // A global ARG is seen in a stage only once declared there again.
    ("ARG V=1\nFROM alpine:3.20\nENV X=$V\n", &["UndefinedVar@3"]),
    ("ARG V=1\nFROM alpine:3.20\nARG V\nENV X=$V\n", &[]),
    // Unknown base image: its environment may define anything.
    ("FROM corp/base:1\nENV X=$FROM_THE_IMAGE\n", &[]),
    // Pairs of one ENV see only what came before it.
    ("FROM alpine:3.20\nENV A=1 B=$A\n", &["UndefinedVar@2"]),
    // Single quotes and escapes keep `$` literal; fallbacks are fine.
    (
        "FROM alpine:3.20\nLABEL a='$X' b=\\$Y c=${Z:-z}\n",
        &[],
    ),
    // A SHELL in the stage a stage is built on says the shell is meant.
    (
        "FROM alpine:3.20 AS base\nSHELL [\"/bin/ash\", \"-c\"]\nFROM base\nCMD echo hi\n",
        &[],
    ),
    // An absolute WORKDIR in the parent stage anchors a relative one.
    ("FROM alpine:3.20 AS base\nWORKDIR /srv\nFROM base\nWORKDIR app\n", &[]),
    ("FROM alpine:3.20\nARG D=/srv\nWORKDIR \"$D\"\nWORKDIR app\n", &[]),
    // Three CMDs: the two that do nothing are reported.
    (
        "FROM alpine:3.20\nCMD [\"a\"]\nCMD [\"b\"]\nHEALTHCHECK NONE\nCMD [\"c\"]\n",
        &["MultipleInstructionsDisallowed@2", "MultipleInstructionsDisallowed@3"],
    ),
    (
        "FROM alpine:3.20\nEXPOSE 80/tcp 127.0.0.1:8080:80 53/UDP ${PORT}\n",
        &["ExposeInvalidFormat@2", "ExposeProtoCasing@2", "UndefinedVar@2"],
    ),
    // Nested global defaults resolve before the image is judged.
    (
        "ARG V=3.20\nARG BASE=alpine:${V}\nARG TAG\nFROM ${BASE}\nFROM busybox:${TAG}\n",
        &["InvalidDefaultArgInFrom@5"],
    ),
    (
        "FROM ${NOPE}alpine\nFROM --platform=$BUILDPLATFROM alpine\n",
        &["UndefinedArgInFrom@1", "UndefinedArgInFrom@2"],
    ),
    (
        "ARG P=linux/amd64\nFROM --platform=$P arm64v8/alpine:3.20\nFROM --platform=linux/arm64 arm64v8/alpine AS build_arm64\n",
        &["InvalidBaseImagePlatform@2"],
    ),
    (
        "FROM alpine:3.20 AS Build\nFROM debian:12 AS build\nFROM debian:12 AS context\n",
        &[
            "StageNameCasing@1",
            "DuplicateStageName@2",
            "ReservedStageName@3",
        ],
    ),
    (
        "FROM alpine:3.20\nARG GITHUB_TOKEN\nARG SSH_KEY_FILE\nENV TOKENIZERS_PARALLELISM=false DB_PASSWORD=x\n",
        &["SecretsUsedInArgOrEnv@2", "SecretsUsedInArgOrEnv@4"],
    ),
    // Mixed-case keywords are never the majority's case.
    (
        "FROM alpine:3.20\nRun echo\nrun echo\nCOPY . /\n",
        &["ConsistentInstructionCasing@2", "ConsistentInstructionCasing@3"],
    ),
];

#[test]
fn edge_cases_of_the_checks() {
    let buildkit = settings(&["buildkit"]);
    let mut failures = Vec::new();
    for (text, want) in EDGES {
        let mut got = results(text, &buildkit);
        got.sort();
        let mut want: Vec<String> = want.iter().map(|s| s.to_string()).collect();
        want.sort();
        if got != want {
            failures.push(format!("{text}\n  expected {want:?}\n  got      {got:?}"));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn fixes_converge_and_keep_the_file_valid() {
    // Casing fixes that meet on one FROM, an empty continuation in a CRLF
    // file, and legacy pairs across a continuation.
    let text = "from alpine:3.20 AS build\r\nRUN echo a \\\r\n\r\n    b\r\nENV GOPATH \\\r\n    /go\r\nMAINTAINER me\r\nCMD run\r\n";
    let options = settings(&["buildkit"]);
    let outcome = dflint::fix::fix(text, &options).unwrap();
    assert_eq!(
        outcome.output,
        "FROM alpine:3.20 AS build\r\nRUN echo a \\\r\n    b\r\nENV GOPATH=\\\r\n/go\r\nLABEL org.opencontainers.image.authors=\"me\"\r\nCMD run\r\n"
    );
}
