//! Inputs that are not Dockerfiles, or not quite: each is one line on
//! stderr naming the file and the problem, exit 2, and no file changed.
//! Also what dflint writes: data byte for byte, and output whose reader
//! went away or whose disk is full.

use std::fs::{self, File};
use std::io::{Read, Write};
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

fn dflint() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_dflint"));
    c.env_remove("CLICOLOR_FORCE").env("NO_COLOR", "1");
    c
}

/// Run with `stdin` as standard input (empty when none).
fn run(args: &[&str], stdin: &[u8]) -> Output {
    let mut child = dflint()
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut input = child.stdin.take().unwrap();
    // A run that fails early does not read its input.
    let _ = input.write_all(stdin);
    drop(input);
    child.wait_with_output().unwrap()
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn write(dir: &Path, name: &str, content: &[u8]) -> PathBuf {
    let path = dir.join(name);
    fs::write(&path, content).unwrap();
    path
}

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

/// Exit 2 and an error whose first line names the file, the position and
/// the problem; nothing else on stderr but the source line under it.
fn assert_error(out: &Output, path: &str, at: &str, message: &str) {
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    let first = stderr.lines().next().unwrap_or("");
    let expected = format!("{path}:{at}: error: {message}");
    assert!(
        first.starts_with(&expected),
        "want {expected:?}\n got {stderr:?}"
    );
    assert!(
        stderr.lines().skip(1).all(|l| l.contains(" | ")),
        "more than one error line: {stderr}"
    );
}

/// Each command on a file that is not a Dockerfile: `check`, `fix`, `fix
/// --diff` and `parse` give the same one-line error, exit 2, and the file
/// keeps its bytes.
fn assert_rejected_everywhere(content: &[u8], at: &str, message: &str) {
    let dir = tempfile::tempdir().unwrap();
    let path = write(dir.path(), "Dockerfile", content);
    let p = s(&path);
    for args in [
        vec!["check", p],
        vec!["fix", p],
        vec!["fix", "--diff", p],
        vec!["parse", p],
    ] {
        let out = run(&args, b"");
        assert_error(&out, p, at, message);
        assert!(out.stdout.is_empty(), "{args:?}: {}", text(&out.stdout));
        assert_eq!(
            fs::read(&path).unwrap(),
            content,
            "{args:?} changed the file"
        );
    }
    // The same bytes on standard input.
    for args in [vec!["check", "-"], vec!["fix", "-"], vec!["parse", "-"]] {
        let out = run(&args, content);
        assert_error(&out, "-", at, message);
        assert!(out.stdout.is_empty(), "{args:?}: {}", text(&out.stdout));
    }
}

#[test]
fn a_binary_file_is_not_a_dockerfile() {
    assert_rejected_everywhere(
        b"FROM python:3.11\nRUN pip\0install x\n",
        "2:8",
        "file contains NUL bytes: not a Dockerfile",
    );
    // A NUL in every other byte: UTF-16 that lost its byte order mark.
    let wide: Vec<u8> = "FROM python:3.11\n"
        .encode_utf16()
        .flat_map(u16::to_le_bytes)
        .collect();
    assert_rejected_everywhere(
        &wide,
        "1:2",
        "file contains NUL bytes: not a Dockerfile (it looks like UTF-16 without a byte order mark; save it as UTF-8)",
    );
}

#[test]
fn a_line_too_long_for_buildkit_is_one_error_with_a_short_frame() {
    let mut content = b"FROM python:3.11\nRUN echo".to_vec();
    while content.len() < 80_000 {
        content.extend_from_slice(b" && echo word");
    }
    content.push(b'\n');
    assert_rejected_everywhere(
        &content,
        "2:1",
        "dockerfile line greater than max allowed size of 65535",
    );
    // The frame shows a window of the line, not all 80 KB of it.
    let dir = tempfile::tempdir().unwrap();
    let path = write(dir.path(), "Dockerfile", &content);
    let out = run(&["check", s(&path)], b"");
    let stderr = text(&out.stderr);
    assert!(stderr.len() < 1_000, "{} bytes", stderr.len());
    assert!(stderr.contains("2 | RUN echo && echo word") && stderr.contains("...\n"));
}

#[test]
fn utf16_with_a_byte_order_mark_is_named_as_such() {
    let mut le = vec![0xFF, 0xFE];
    le.extend("FROM a\n".encode_utf16().flat_map(u16::to_le_bytes));
    assert_rejected_everywhere(
        &le,
        "1:1",
        "file is little-endian UTF-16 (it starts with a byte order mark); save it as UTF-8",
    );
    let mut be = vec![0xFE, 0xFF];
    be.extend("FROM a\n".encode_utf16().flat_map(u16::to_be_bytes));
    assert_rejected_everywhere(&be, "1:1", "file is big-endian UTF-16");
}

#[test]
fn an_empty_file_is_rejected_as_buildkit_rejects_it() {
    // BuildKit: "file with no instructions", for an empty file and for
    // one with only comments or blank lines.
    for content in [&b""[..], b"\n\n", b"# just a comment\n", b"\xEF\xBB\xBF"] {
        assert_rejected_everywhere(content, "1:1", "file with no instructions");
    }
}

#[test]
fn unterminated_heredocs_and_json_come_from_the_parser() {
    assert_rejected_everywhere(
        b"FROM a\nRUN <<EOF\necho hi\n",
        "2:1",
        "unterminated heredoc",
    );
    assert_rejected_everywhere(
        b"FROM a\nCMD [\"python\", 1]\n",
        "2:1",
        "when using JSON array syntax, arrays must be comprised of strings only",
    );
    // Unterminated JSON is a shell command to BuildKit's parser, so `parse`
    // shows it as one; SHELL requires JSON, which `check` and `fix` enforce
    // as BuildKit does before a build.
    let dir = tempfile::tempdir().unwrap();
    let content = b"FROM a\nSHELL [\"/bin/sh\", \"-c\"\n";
    let path = write(dir.path(), "Dockerfile", content);
    let p = s(&path);
    for cmd in ["check", "fix"] {
        let out = run(&[cmd, p], b"");
        assert_error(
            &out,
            p,
            "2:1",
            "SHELL requires the arguments to be in JSON form",
        );
        assert_eq!(fs::read(&path).unwrap(), content);
    }
    let out = run(&["parse", p], b"");
    assert_eq!(out.status.code(), Some(0));
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json[1]["form"], "shell");
    let out = run(&["check", "-"], b"FROM a\nCMD [\"python\"\n");
    assert_ne!(out.status.code(), Some(2), "{}", text(&out.stderr));
}

#[test]
fn a_directory_is_not_a_file_to_fix_or_parse() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "Dockerfile", b"FROM a\nRUN pip install x\n");
    let d = s(dir.path());
    for args in [vec!["fix", d], vec!["parse", d]] {
        let out = run(&args, b"");
        assert_error(&out, d, "1:1", "is a directory, not a regular file");
    }
    assert_eq!(
        fs::read(dir.path().join("Dockerfile")).unwrap(),
        b"FROM a\nRUN pip install x\n"
    );
}

/// Whether this process reads files whatever their mode (root, or a
/// capability): then a mode of 000 hides nothing from it.
fn reads_anything(dir: &Path) -> bool {
    let probe = write(dir, "probe", b"x");
    fs::set_permissions(&probe, fs::Permissions::from_mode(0o000)).unwrap();
    File::open(&probe).is_ok()
}

#[test]
fn an_unreadable_file_is_an_error_unless_we_may_read_anything() {
    let dir = tempfile::tempdir().unwrap();
    let dirty = b"FROM python:3.11-slim\nRUN useradd app\nUSER app\nRUN pip install flask\n";
    let path = write(dir.path(), "Dockerfile", dirty);
    fs::set_permissions(&path, fs::Permissions::from_mode(0o000)).unwrap();
    let p = s(&path);
    if reads_anything(dir.path()) {
        // Root: the mode does not stop the read, so the file is checked;
        // `fix` still refuses to replace a file whose mode lets no one write.
        let out = run(&["check", p], b"");
        assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
        let out = run(&["parse", p], b"");
        assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
        let out = run(&["fix", p], b"");
        assert_eq!(out.status.code(), Some(2));
        assert_eq!(
            text(&out.stderr),
            format!(
                "{p}: error: the file is read-only (mode 0000); not written (use --force \
                 to replace it anyway)\n"
            )
        );
    } else {
        for cmd in ["check", "fix", "parse"] {
            let out = run(&[cmd, p], b"");
            assert_error(&out, p, "1:1", "cannot read file: Permission denied");
        }
    }
    fs::set_permissions(&path, fs::Permissions::from_mode(0o644)).unwrap();
    assert_eq!(fs::read(&path).unwrap(), dirty);
}

#[test]
fn a_fifo_is_refused_without_waiting_for_a_writer() {
    let dir = tempfile::tempdir().unwrap();
    let fifo = dir.path().join("Dockerfile");
    let made = Command::new("mkfifo").arg(&fifo).status().unwrap();
    assert!(made.success());
    let p = s(&fifo);
    for cmd in ["check", "fix", "parse"] {
        let started = Instant::now();
        let out = run(&[cmd, p], b"");
        assert_error(&out, p, "1:1", "is a FIFO, not a regular file");
        assert!(started.elapsed() < Duration::from_secs(10));
    }
}

#[test]
fn devices_are_refused_and_endless_input_stops_at_the_limit() {
    for cmd in ["check", "fix", "parse"] {
        let out = run(&[cmd, "/dev/zero"], b"");
        assert_error(
            &out,
            "/dev/zero",
            "1:1",
            "is a character device, not a regular file",
        );
    }
    // Standard input may be anything, but it is read only up to the limit.
    for cmd in ["check", "fix", "parse"] {
        let started = Instant::now();
        let out = dflint()
            .args([cmd, "-"])
            .stdin(File::open("/dev/zero").unwrap())
            .output()
            .unwrap();
        assert_error(
            &out,
            "-",
            "1:1",
            "standard input is larger than 64 MiB (the limit; see --max-file-size)",
        );
        assert!(started.elapsed() < Duration::from_secs(10));
    }
}

#[test]
fn files_over_the_size_limit_are_not_read() {
    let dir = tempfile::tempdir().unwrap();
    let content = b"FROM python:3.11\nRUN pip install flask\n";
    let path = write(dir.path(), "Dockerfile", content);
    let p = s(&path);
    for cmd in ["check", "fix", "parse"] {
        let out = run(&[cmd, "--max-file-size", "16", p], b"");
        assert_error(
            &out,
            p,
            "1:1",
            "file is larger than 16 bytes (the limit; see --max-file-size)",
        );
        let out = run(&[cmd, "--max-file-size", "16", "-"], content);
        assert_error(&out, "-", "1:1", "standard input is larger than 16 bytes");
    }
    assert_eq!(fs::read(&path).unwrap(), content);
    // Exactly at the limit is fine; units are powers of 1024.
    let size = content.len().to_string();
    for limit in [size.as_str(), "1KiB", "1 mib", "2G"] {
        let out = run(&["parse", "--max-file-size", limit, p], b"");
        assert_eq!(out.status.code(), Some(0), "{limit}: {}", text(&out.stderr));
    }
    for bad in ["0", "=-1", "12XB", "lots", "99999999999999999999GiB"] {
        let flag = format!(
            "--max-file-size{}",
            if bad.starts_with('=') { "" } else { "=" }
        );
        let out = run(&["check", &format!("{flag}{bad}"), p], b"");
        assert_eq!(out.status.code(), Some(2), "{bad}");
        assert!(text(&out.stderr).contains("--max-file-size"), "{bad}");
    }
    let help = text(&run(&["check", "--help"], b"").stdout);
    assert!(help.contains("--max-file-size <BYTES>") && help.contains("[default: 64MiB]"));
}

#[test]
fn missing_and_invalid_configs_name_the_config() {
    let dir = tempfile::tempdir().unwrap();
    let df = write(dir.path(), "Dockerfile", b"FROM a\n");
    let missing = dir.path().join("missing.toml");
    let bad = write(dir.path(), "bad.toml", b"select = [\n");
    for cmd in ["check", "fix"] {
        let out = run(&[cmd, "--config", s(&missing), s(&df)], b"");
        assert_eq!(out.status.code(), Some(2));
        let err = text(&out.stderr);
        assert_eq!(err.lines().count(), 1, "{err}");
        assert!(
            err.starts_with("dflint: error: ") && err.contains(s(&missing)),
            "{err}"
        );
        let out = run(&[cmd, "--config", s(&bad), s(&df)], b"");
        assert_eq!(out.status.code(), Some(2));
        let err = text(&out.stderr);
        assert_eq!(err.lines().count(), 1, "{err}");
        assert!(err.contains(&format!("{}:1:", s(&bad))), "{err}");
    }
    assert_eq!(fs::read(&df).unwrap(), b"FROM a\n");
}

const LATIN1: &[u8] =
    b"# Caf\xe9 image\nFROM python:3.11-slim\nRUN useradd app\nUSER app\nLABEL author=Jos\xe9\nCMD [\"python\"]\n";

#[test]
fn latin1_text_is_checked_with_a_warning_but_never_rewritten() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(dir.path(), "Dockerfile", LATIN1);
    let p = s(&path);
    let warning = format!(
        "{p}:1:6: warning: file is not valid UTF-8 (invalid byte 0xE9, 2 invalid sequences in all); \
         it was checked with the invalid bytes replaced\n"
    );

    // A warning, not an error: a clean file still exits 0.
    let out = run(&["check", p], b"");
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(text(&out.stderr), warning);
    assert_eq!(text(&out.stdout), "");
    // Findings keep their exit status and their positions.
    let dirty = [LATIN1, b"RUN pip install flask\n"].concat();
    let path2 = write(dir.path(), "Dirty.Dockerfile", &dirty);
    let out = run(&["check", s(&path2)], b"");
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stdout).contains(":7:5: DF002"),
        "{}",
        text(&out.stdout)
    );
    assert_eq!(text(&out.stderr).lines().count(), 1);
    // JSON has no place for it: stderr, and stdout stays JSON.
    let out = run(&["check", "--format", "json", p], b"");
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(text(&out.stderr), warning);
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json, serde_json::json!([]));
    // Standard input the same.
    let out = run(&["check", "-"], LATIN1);
    assert_eq!(out.status.code(), Some(0));
    assert!(text(&out.stderr).starts_with("-:1:6: warning: file is not valid UTF-8"));

    // `parse` follows `check`: the JSON, with U+FFFD for the bad bytes.
    let out = run(&["parse", p], b"");
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(text(&out.stderr), warning);
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json[3]["args"][0]["value"], "Jos\u{fffd}");

    // `fix` would replace the bytes it cannot read: it refuses.
    for args in [vec!["fix", s(&path2)], vec!["fix", "--diff", s(&path2)]] {
        let out = run(&args, b"");
        assert_error(
            &out,
            s(&path2),
            "1:6",
            "file is not valid UTF-8 (invalid byte 0xE9, 2 invalid sequences in all); \
             dflint fix rewrites only UTF-8 files, so it was left unchanged",
        );
        assert!(out.stdout.is_empty());
        assert_eq!(fs::read(&path2).unwrap(), dirty);
    }
    let out = run(&["fix", "-"], &dirty);
    assert_error(&out, "-", "1:6", "file is not valid UTF-8");
    assert!(out.stdout.is_empty());
}

/// Comments and arguments with every C0 control character that is not a
/// line break, DEL and a colour escape sequence.
fn controls() -> Vec<u8> {
    let mut weird: Vec<u8> = (1u8..0x20)
        .filter(|b| ![b'\n', b'\r', 0x0b, 0x0c].contains(b))
        .collect();
    weird.push(0x7f);
    weird.extend(b"\x1b[31mred\x1b[0m");
    let mut out = b"# ".to_vec();
    out.extend(&weird);
    out.extend(b"\nFROM python:3.11-slim\nRUN useradd app\nUSER app\nRUN echo '");
    out.extend(&weird);
    out.extend(b"'\nCMD [\"python\"]\n");
    out
}

#[test]
fn fix_on_standard_input_writes_the_bytes_unchanged() {
    let input = controls();
    let out = run(&["fix", "-"], &input);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert_eq!(out.stdout, input);
    // With something to fix, everything else is still byte for byte.
    let dirty = [&input[..], b"RUN pip install flask\n"].concat();
    let out = run(&["fix", "-"], &dirty);
    let fixed = [&input[..], b"RUN pip install --no-cache-dir flask\n"].concat();
    let cached = [
        &input[..],
        b"RUN --mount=type=cache,target=/root/.cache/pip pip install flask\n",
    ]
    .concat();
    assert!(
        out.stdout == fixed || out.stdout == cached,
        "{:?}",
        text(&out.stdout)
    );
}

#[test]
fn parse_json_keeps_control_characters_escaped() {
    let out = run(&["parse", "-"], &controls());
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let raw = text(&out.stdout);
    // No raw escape character reaches a terminal; DEL is valid JSON as it is.
    assert!(!raw.contains('\x1b') && !raw.contains('\x01'));
    assert!(raw.contains("\\u001b[31mred\\u001b[0m") && raw.contains('\x7f'));
    let json: serde_json::Value = serde_json::from_str(&raw).unwrap();
    let arg = json[3]["args"].as_str().unwrap();
    assert!(arg.starts_with("echo '\x01\x02\x03"), "{arg:?}");
    assert!(arg.ends_with("\x1e\x1f\x7f\x1b[31mred\x1b[0m'"), "{arg:?}");
}

/// A Dockerfile whose output is far larger than a pipe holds, so that
/// writing it must meet the closed pipe.
fn big_dockerfile(dir: &Path) -> PathBuf {
    let mut s = String::from("FROM python:3.11-slim\n");
    for i in 0..600 {
        s.push_str(&format!("RUN pip install package{i}\n"));
    }
    write(dir, "Dockerfile", s.as_bytes())
}

/// Run with the read end of standard output closed before anything is written.
fn run_into_closed_pipe(args: &[&str]) -> Output {
    let mut child = dflint()
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stdout.take());
    let mut stderr = String::new();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut stderr)
        .unwrap();
    let status = child.wait().unwrap();
    Output {
        status,
        stdout: Vec::new(),
        stderr: stderr.into_bytes(),
    }
}

#[test]
fn a_closed_pipe_ends_the_output_quietly_with_the_runs_status() {
    let dir = tempfile::tempdir().unwrap();
    let df = big_dockerfile(dir.path());
    let p = s(&df);
    for (args, code) in [
        (vec!["parse", p], 0),
        (vec!["check", p], 1),
        (vec!["check", "--format", "json", p], 1),
        (vec!["check", "--statistics", p], 1),
        (vec!["fix", "--diff", p], 1),
        (vec!["rules"], 0),
        (vec!["rule", "DF002"], 0),
        (vec!["fix", "--help"], 0),
    ] {
        let out = run_into_closed_pipe(&args);
        assert_eq!(
            out.status.code(),
            Some(code),
            "{args:?}: {}",
            text(&out.stderr)
        );
        assert_eq!(text(&out.stderr), "", "{args:?}");
    }
    // As `dflint parse Dockerfile | head -1` does it: one line read, then closed.
    let mut child = dflint()
        .args(["parse", p])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut first = [0u8; 2];
    child.stdout.take().unwrap().read_exact(&mut first).unwrap();
    assert_eq!(&first, b"[\n");
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert_eq!(text(&out.stderr), "");
}

#[test]
fn a_full_disk_is_an_error_on_every_output() {
    let dir = tempfile::tempdir().unwrap();
    let df = big_dockerfile(dir.path());
    let p = s(&df);
    let original = fs::read(&df).unwrap();
    for args in [
        vec!["parse", p],
        vec!["check", p],
        vec!["check", "--format", "json", p],
        vec!["fix", "--diff", p],
        vec!["rules"],
        vec!["rule", "DF002"],
        vec!["check", "--help"],
        vec!["--version"],
    ] {
        let out = dflint()
            .args(&args)
            .stdout(File::create("/dev/full").unwrap())
            .stderr(Stdio::piped())
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        assert_eq!(
            text(&out.stderr),
            "dflint: error: cannot write output: No space left on device (os error 28)\n",
            "{args:?}"
        );
    }
    let out = dflint()
        .args(["fix", "-"])
        .stdin(File::open(&df).unwrap())
        .stdout(File::create("/dev/full").unwrap())
        .stderr(Stdio::piped())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("dflint: error: cannot write output: No space left"));
    assert_eq!(fs::read(&df).unwrap(), original);
}
