//! The command line: exit codes, output formats, stdin, errors.

use std::io::Write;
use std::path::PathBuf;
use std::process::{Command, Output, Stdio};

fn dflint(args: &[&str], stdin: Option<&str>) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_dflint"))
        .args(args)
        .env_remove("CLICOLOR_FORCE")
        .env("NO_COLOR", "1")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut input = child.stdin.take().unwrap();
    // A command that fails early does not read its input: ignore a broken pipe.
    let _ = input.write_all(stdin.unwrap_or("").as_bytes());
    drop(input);
    child.wait_with_output().unwrap()
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// A scratch file that is removed when dropped.
struct TempFile(PathBuf);

impl TempFile {
    fn new(name: &str, content: &str) -> TempFile {
        let dir = std::env::temp_dir().join(format!("dflint-cli-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join(name);
        std::fs::write(&path, content).unwrap();
        TempFile(path)
    }
    fn path(&self) -> &str {
        self.0.to_str().unwrap()
    }
}

impl Drop for TempFile {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

const CLEAN: &str = "FROM python:3.11-slim\nRUN useradd app\nUSER app\nCMD [\"python\"]\n";
const DIRTY: &str = "FROM python:3.11-slim\nRUN pip install flask\nCMD [\"python\"]\n";

#[test]
fn exit_zero_without_findings() {
    let f = TempFile::new("clean.Dockerfile", CLEAN);
    let out = dflint(&["check", f.path()], None);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert_eq!(text(&out.stdout), "");
}

#[test]
fn exit_one_with_findings_in_the_documented_text_format() {
    let f = TempFile::new("dirty.Dockerfile", DIRTY);
    let out = dflint(&["check", f.path()], None);
    assert_eq!(out.status.code(), Some(1));
    let stdout = text(&out.stdout);
    assert!(
        stdout.contains(&format!(
            "{}:2:5: DF002 [*] warning: `pip install` keeps its download cache in the layer\n",
            f.path()
        )),
        "{stdout}"
    );
    assert!(stdout.contains("help: Add `--mount=type=cache,target=/root/.cache/pip`"));
    assert!(
        stdout.contains(" DF002 [*] ") || stdout.contains("DF002 `pip"),
        "{stdout}"
    );
    // The root user's fix is unsafe: not marked, but counted.
    assert!(
        stdout.contains("DF006 warning: Final stage runs as root"),
        "{stdout}"
    );
    assert!(
        stdout.contains("Found 2 problems in 1 file (1 fixable with `dflint fix`, marked [*]; 1 more fix with `dflint fix --unsafe-fixes`)"),
        "{stdout}"
    );
    assert!(!stdout.contains('\u{1b}'), "colour with NO_COLOR set");
}

#[test]
fn json_output_is_an_array_with_the_documented_fields() {
    let f = TempFile::new("json.Dockerfile", DIRTY);
    let out = dflint(&["check", "--format", "json", f.path()], None);
    assert_eq!(out.status.code(), Some(1));
    let items: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let items = items.as_array().unwrap();
    assert_eq!(items.len(), 2);
    let first = &items[0];
    for key in [
        "file",
        "code",
        "name",
        "severity",
        "message",
        "help",
        "line",
        "column",
        "end_line",
        "end_column",
        "fix",
    ] {
        assert!(first.get(key).is_some(), "missing {key}");
    }
    assert_eq!(first["file"], f.path());
    let df002 = items.iter().find(|i| i["code"] == "DF002").unwrap();
    assert_eq!(df002["name"], "pip-cache-in-layer");
    assert_eq!(
        (df002["line"].as_u64(), df002["column"].as_u64()),
        (Some(2), Some(5))
    );
    assert_eq!(df002["end_column"].as_u64(), Some(22));
}

#[test]
fn stdin_is_read_with_a_dash() {
    let out = dflint(
        &["check", "-", "--stdin-filename", "Dockerfile"],
        Some(DIRTY),
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out.stdout).starts_with("Dockerfile:"));
    let out = dflint(&["check", "-"], Some(CLEAN));
    assert_eq!(out.status.code(), Some(0));
}

#[test]
fn errors_exit_two_and_other_files_are_still_checked() {
    let dirty = TempFile::new("dirty2.Dockerfile", DIRTY);
    let invalid = TempFile::new("invalid.Dockerfile", "FROM a\nRUN <<EOF\nno end\n");
    let out = dflint(
        &[
            "check",
            "does-not-exist.Dockerfile",
            invalid.path(),
            dirty.path(),
        ],
        None,
    );
    assert_eq!(out.status.code(), Some(2));
    let stderr = text(&out.stderr);
    assert!(
        stderr.contains("does-not-exist.Dockerfile:1:1: error: cannot read file"),
        "{stderr}"
    );
    assert!(
        stderr.contains(&format!(
            "{}:2:1: error: unterminated heredoc",
            invalid.path()
        )),
        "{stderr}"
    );
    assert!(
        text(&out.stdout).contains("DF002"),
        "the valid file was not checked"
    );
}

#[test]
fn buildkit_invalid_files_are_errors_with_positions() {
    let f = TempFile::new("unknown.Dockerfile", "FROM a\nCOPY --form=b x y\n");
    let out = dflint(&["check", f.path()], None);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains(":2:6: error: unknown flag: --form"));
    let f = TempFile::new("latin1.Dockerfile", "");
    std::fs::write(&f.0, b"FROM a\nLABEL x=\xe9\n").unwrap();
    // BuildKit builds a file with a Latin-1 byte: check lints it, warning
    // where the first invalid byte is; only the findings decide the exit.
    let out = dflint(&["check", f.path()], None);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stderr).contains(":2:9: warning: file is not valid UTF-8"),
        "{}",
        text(&out.stderr)
    );
}

#[test]
fn bad_flags_and_unknown_rules_exit_two() {
    assert_eq!(
        dflint(&["check", "--format", "xml", "-"], Some(CLEAN))
            .status
            .code(),
        Some(2)
    );
    let out = dflint(&["check", "--select", "DF999", "-"], Some(CLEAN));
    assert_eq!(out.status.code(), Some(2));
    let stderr = text(&out.stderr);
    assert!(
        stderr.contains("unknown rule or prefix `DF999`"),
        "{stderr}"
    );
    let out = dflint(
        &["check", "--ignore", "pip-cache-in-layr", "-"],
        Some(CLEAN),
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains("did you mean `pip-cache-in-layer`?"),
        "{}",
        text(&out.stderr)
    );
}

#[test]
fn select_and_ignore_limit_the_rules() {
    let out = dflint(&["check", "--select", "DF006", "-"], Some(DIRTY));
    let stdout = text(&out.stdout);
    assert!(stdout.contains("DF006") && !stdout.contains("DF002"));
    let out = dflint(
        &["check", "--ignore", "pip-cache-in-layer,DF006", "-"],
        Some(DIRTY),
    );
    assert_eq!(out.status.code(), Some(0));
}

#[test]
fn target_picks_the_final_stage() {
    let file =
        "FROM python:3.11-slim AS dev\nRUN pip install x\nFROM python:3.11-slim\nUSER 1000\n";
    assert_eq!(dflint(&["check", "-"], Some(file)).status.code(), Some(0));
    let out = dflint(&["check", "--target", "dev", "-"], Some(file));
    assert!(text(&out.stdout).contains("DF002"));
    let out = dflint(&["check", "--target", "nope", "-"], Some(file));
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn directories_are_searched_for_dockerfiles() {
    let f = TempFile::new("Dockerfile.api", DIRTY);
    let dir = f.0.parent().unwrap().to_str().unwrap().to_string();
    let out = dflint(&["check", &dir], None);
    assert!(text(&out.stdout).contains("Dockerfile.api:2:5: DF002"));
}

#[test]
fn parse_prints_json_and_rejects_invalid_files() {
    let out = dflint(
        &["parse", "-"],
        Some("FROM a AS b\nRUN --mount=type=cache,target=/x \\\n  echo hi\nCOPY <<EOF /f\nbody\nEOF\n"),
    );
    assert_eq!(out.status.code(), Some(0));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v[0]["keyword"], "from");
    assert_eq!(v[0]["args"], serde_json::json!(["a", "AS", "b"]));
    assert_eq!(v[1]["flags"][0]["name"], "mount");
    assert_eq!(v[1]["flags"][0]["value"], "type=cache,target=/x");
    assert_eq!(
        (v[1]["line"].as_u64(), v[1]["end_line"].as_u64()),
        (Some(2), Some(3))
    );
    assert_eq!(v[1]["form"], "shell");
    assert_eq!(v[1]["args"], "echo hi");
    assert_eq!(v[2]["heredocs"][0]["content"], "body\n");
    let out = dflint(&["parse", "-"], Some("FROM a\nCMD [ \"a\", [ \"b\" ] ]\n"));
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("-:2:1: error: when using JSON array syntax"));
}

#[test]
fn rules_and_rule_docs() {
    let out = dflint(&["rules"], None);
    let stdout = text(&out.stdout);
    for code in ["DF001", "DF002", "DF003", "DF004", "DF005", "DF006"] {
        assert!(stdout.contains(code));
    }
    let out = dflint(&["rule", "pip-cache-in-layer"], None);
    assert!(text(&out.stdout).starts_with("# DF002 pip-cache-in-layer"));
    assert_eq!(dflint(&["rule", "DF999"], None).status.code(), Some(2));
}

#[test]
fn help_teaches_with_examples() {
    let out = dflint(&["check", "--help"], None);
    let stdout = text(&out.stdout);
    assert!(stdout.contains("Examples:") && stdout.contains("Exit status"));
}

#[test]
fn fix_rewrites_in_place_keeping_permissions_and_prints_the_diff() {
    use std::os::unix::fs::PermissionsExt;
    let f = TempFile::new("fixme.Dockerfile", DIRTY);
    std::fs::set_permissions(&f.0, std::fs::Permissions::from_mode(0o640)).unwrap();
    let out = dflint(&["fix", f.path()], None);
    // The root user remains (its fix is unsafe): exit 1.
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    assert!(stdout.contains("-RUN pip install flask"), "{stdout}");
    assert!(stdout.contains("+RUN --mount=type=cache,target=/root/.cache/pip pip install flask"));
    assert!(stdout.contains("Fixed 1:"), "{stdout}");
    let written = std::fs::read_to_string(&f.0).unwrap();
    // The safe fixes only: no user is added without --unsafe-fixes.
    assert!(!written.contains("USER"), "{written}");
    assert!(
        stdout.contains("1 fixable with `--unsafe-fixes`"),
        "{stdout}"
    );
    let mode = std::fs::metadata(&f.0).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o640);
    // No temporary file is left beside it.
    let dir = f.0.parent().unwrap();
    assert!(std::fs::read_dir(dir).unwrap().all(|e| !e
        .unwrap()
        .file_name()
        .to_string_lossy()
        .contains(".dflint-")));
    // A second run has nothing to do.
    let out = dflint(&["fix", f.path()], None);
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out.stdout).contains("nothing to fix"));
    assert_eq!(std::fs::read_to_string(&f.0).unwrap(), written);
}

#[test]
fn fix_diff_writes_nothing_and_gates_ci() {
    let f = TempFile::new("gate.Dockerfile", DIRTY);
    let out = dflint(&["fix", "--diff", f.path()], None);
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out.stdout).contains("Would fix 1:"));
    assert_eq!(std::fs::read_to_string(&f.0).unwrap(), DIRTY);
    let clean = TempFile::new("gate-clean.Dockerfile", CLEAN);
    assert_eq!(
        dflint(&["fix", "--diff", clean.path()], None).status.code(),
        Some(0)
    );
}

#[test]
fn fix_reads_stdin_and_writes_the_file_to_stdout() {
    let out = dflint(&["fix", "--unsafe-fixes", "-"], Some(DIRTY));
    assert_eq!(out.status.code(), Some(0));
    let stdout = text(&out.stdout);
    assert!(
        stdout.starts_with("FROM python:3.11-slim\nRUN --mount=type=cache"),
        "{stdout}"
    );
    assert!(text(&out.stderr).contains("Fixed 2:"));
}

#[test]
fn fix_select_limits_the_fixes_and_remaining_findings_exit_one() {
    let out = dflint(&["fix", "--select", "DF002", "-"], Some(DIRTY));
    let stdout = text(&out.stdout);
    assert!(stdout.contains("--mount=type=cache") && !stdout.contains("USER"));
    let weights = "FROM python:3.11-slim\nCOPY model.safetensors /m/\nUSER 1000\n";
    let out = dflint(&["fix", "-"], Some(weights));
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out.stderr).contains("1 remaining (1 with no automatic fix)"));
}

#[test]
fn fix_leaves_invalid_files_untouched() {
    let bad = "FROM a\nRUN <<EOF\nno end\n";
    let f = TempFile::new("broken.Dockerfile", bad);
    let out = dflint(&["fix", f.path()], None);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains(":2:1: error: unterminated heredoc"));
    assert_eq!(std::fs::read_to_string(&f.0).unwrap(), bad);
}

#[test]
fn check_json_carries_fix_edits() {
    let out = dflint(&["check", "--format", "json", "-"], Some(DIRTY));
    let items: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let df002 = items
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["code"] == "DF002")
        .unwrap();
    assert_eq!(df002["fix"]["applicability"], "safe");
    let edit = &df002["fix"]["edits"][0];
    assert_eq!(
        (edit["line"].as_u64(), edit["column"].as_u64()),
        (Some(2), Some(4))
    );
    assert_eq!(
        edit["replacement"],
        " --mount=type=cache,target=/root/.cache/pip"
    );
}

#[test]
fn dockerfiles_of_one_context_each_see_all_of_it() {
    // Three Dockerfiles in one directory: the context is listed once and
    // read by all three, each reporting what it sends.
    let dir = std::env::temp_dir().join(format!("dflint-cli-context-{}", std::process::id()));
    std::fs::create_dir_all(dir.join(".git")).unwrap();
    std::fs::create_dir_all(dir.join("models")).unwrap();
    std::fs::write(dir.join(".git/pack"), vec![0u8; 5000]).unwrap();
    std::fs::write(dir.join("models/w.bin"), vec![0u8; 70_000]).unwrap();
    for name in ["Dockerfile", "Dockerfile.cpu", "Dockerfile.gpu"] {
        std::fs::write(dir.join(name), "FROM python:3.11-slim\nCOPY . /app\n").unwrap();
    }
    let out = dflint(
        &[
            "check",
            "--select",
            "DF013",
            "--output-format",
            "json-lines",
            dir.to_str().unwrap(),
        ],
        None,
    );
    let messages: Vec<String> = text(&out.stdout)
        .lines()
        .map(|l| {
            let v: serde_json::Value = serde_json::from_str(l).unwrap();
            v["message"].as_str().unwrap().to_string()
        })
        .collect();
    std::fs::remove_dir_all(&dir).unwrap();
    assert_eq!(messages.len(), 3, "{messages:?}");
    for m in &messages {
        assert!(
            m.ends_with("`.git` (5.0 kB), `models` (70 kB)") && m.contains("sends 75 kB"),
            "{m}"
        );
    }
}
