//! The engine contract through the command line: fix safety, settings from
//! flags and config files, suppression comments, severities and exit codes,
//! statistics, errors as data.

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

fn run(dir: &Path, args: &[&str], stdin: Option<&str>) -> Output {
    use std::io::Write;
    let mut child = Command::new(env!("CARGO_BIN_EXE_dflint"))
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut input = child.stdin.take().unwrap();
    let _ = input.write_all(stdin.unwrap_or("").as_bytes());
    drop(input);
    child.wait_with_output().unwrap()
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// A temporary directory tree with the given files.
fn tree(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for (name, content) in files {
        let path = dir.path().join(name);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, content).unwrap();
    }
    dir
}

/// The codes of a JSON report, sorted.
fn codes(out: &Output) -> Vec<String> {
    let items: serde_json::Value = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}{}", text(&out.stdout), text(&out.stderr)));
    items
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["code"].as_str().unwrap_or("error").to_string())
        .collect::<std::collections::BTreeSet<_>>()
        .into_iter()
        .collect()
}

/// pip cache (safe fix), root user (unsafe fix), a devel base with a
/// rewrite (unsafe, structural).
const CUDA: &str = "FROM nvidia/cuda:12.1.0-cudnn8-devel-ubuntu22.04
RUN apt-get update && apt-get install -y python3-pip build-essential && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY requirements.txt .
RUN pip3 install -r requirements.txt
COPY . .
CMD [\"python3\", \"serve.py\"]
";

fn count(text: &str, keyword: &str) -> usize {
    text.lines()
        .filter(|l| l.to_ascii_uppercase().starts_with(keyword))
        .count()
}

#[test]
fn fix_writes_only_safe_fixes_unless_asked() {
    let dir = tree(&[("Dockerfile", CUDA)]);
    // No path: ./Dockerfile, as check does.
    let out = run(dir.path(), &["fix"], None);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    let fixed = std::fs::read_to_string(dir.path().join("Dockerfile")).unwrap();
    assert_eq!(count(&fixed, "FROM "), 1, "{fixed}");
    assert_eq!(count(&fixed, "USER "), 0, "{fixed}");
    assert!(fixed.contains("--mount=type=cache,target=/root/.cache/pip"));
    let stdout = text(&out.stdout);
    assert!(stdout.contains("fixable with `--unsafe-fixes`"), "{stdout}");
    // Remaining findings are reported at their lines in the fixed text.
    assert!(
        stdout.contains("Dockerfile:1:6: DF001 [unsafe fix]"),
        "{stdout}"
    );

    let out = run(dir.path(), &["fix", "--unsafe-fixes"], None);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}{}",
        text(&out.stdout),
        text(&out.stderr)
    );
    let fixed = std::fs::read_to_string(dir.path().join("Dockerfile")).unwrap();
    assert_eq!(count(&fixed, "FROM "), 2, "{fixed}");
    assert_eq!(count(&fixed, "USER "), 1, "{fixed}");
}

#[test]
fn check_counts_unsafe_fixes_apart() {
    let dir = tree(&[("Dockerfile", CUDA)]);
    let out = run(dir.path(), &["check"], None);
    let stdout = text(&out.stdout);
    assert!(stdout.contains("DF002 [*] warning:"), "{stdout}");
    assert!(stdout.contains("DF001 error:"), "{stdout}");
    assert!(
        stdout.contains("(1 fixable with `dflint fix`, marked [*]; 2 more fixes with `dflint fix --unsafe-fixes`)"),
        "{stdout}"
    );
    let out = run(dir.path(), &["check", "--unsafe-fixes"], None);
    assert!(text(&out.stdout).contains("DF001 [*] error:"));
    // --show-fixes shows each fix's diff under its finding.
    let out = run(
        dir.path(),
        &["check", "--show-fixes", "--select", "DF002"],
        None,
    );
    let stdout = text(&out.stdout);
    assert!(stdout.contains("fix (safe):"), "{stdout}");
    assert!(
        stdout.contains("+RUN --mount=type=cache,target=/root/.cache/pip pip3"),
        "{stdout}"
    );
}

#[test]
fn suppression_comments_in_every_form() {
    let file = "\
# check=skip=JSONArgsRecommended
FROM python:3.11-slim
# dflint ignore=DF002
RUN pip install flask
# hadolint ignore=DL3042,DL3008
RUN pip install numpy
# dflint ignore=pip-cache-in-layer  # a reason
RUN pip install pandas
RUN pip install scipy
# hadolint global ignore=DL3002
";
    let dir = tree(&[("Dockerfile", file)]);
    let out = run(dir.path(), &["check", "--format", "json"], None);
    // Only the unsuppressed pip install remains; the root user is silenced
    // file-wide through DF006's hadolint alias.
    assert_eq!(codes(&out), ["DF002"], "{}", text(&out.stdout));
    assert_eq!(out.status.code(), Some(1));

    let global =
        "# dflint global ignore=DF002,DF006\nFROM python:3.11-slim\nRUN pip install flask\n";
    let out = run(dir.path(), &["check", "-"], Some(global));
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stdout));

    // An unknown code in a dflint comment is reported, with a suggestion;
    // hadolint's own codes in a hadolint comment are not.
    let unknown = "FROM python:3.11-slim\n# dflint ignore=DF02\n# hadolint ignore=DL3013\nRUN pip install --no-cache-dir x\nUSER 1\n";
    let out = run(dir.path(), &["check", "-"], Some(unknown));
    let stdout = text(&out.stdout);
    assert!(
        stdout.contains(
            "-:2:17: DF100 warning: Suppression comment names `DF02`, which is not a rule"
        ),
        "{stdout}"
    );
    assert!(stdout.contains("Did you mean `DF002`?"), "{stdout}");
    assert_eq!(stdout.matches("DF100").count(), 1, "{stdout}");
}

#[test]
fn config_discovery_precedence_and_hadolint_fallback() {
    let dirty = "FROM python:3.11-slim\nRUN pip install flask\n";
    let dir = tree(&[
        (".dflint.toml", "ignore = [\"DF006\"]\n"),
        ("svc/Dockerfile", dirty),
        ("svc/.dflint.toml", "select = [\"DF006\"]\n"),
        ("other/Dockerfile", dirty),
        ("hado/.hadolint.yaml", "ignored: [DL3042]\n"),
        ("hado/Dockerfile", dirty),
    ]);
    // The nearest config wins.
    let out = run(
        dir.path(),
        &["check", "--format", "json", "svc/Dockerfile"],
        None,
    );
    assert_eq!(codes(&out), ["DF006"]);
    let out = run(
        dir.path(),
        &["check", "--format", "json", "other/Dockerfile"],
        None,
    );
    assert_eq!(codes(&out), ["DF002"]);
    // A dflint config up the tree beats a nearer .hadolint.yaml.
    let out = run(
        dir.path(),
        &["check", "--format", "json", "hado/Dockerfile"],
        None,
    );
    assert_eq!(codes(&out), ["DF002"]);
    // Flags beat the config; --isolated ignores it; --config names one.
    let out = run(
        dir.path(),
        &[
            "check",
            "--format",
            "json",
            "--select",
            "DF002,DF006",
            "svc/Dockerfile",
        ],
        None,
    );
    assert_eq!(codes(&out), ["DF002", "DF006"]);
    let out = run(
        dir.path(),
        &[
            "check",
            "--format",
            "json",
            "--isolated",
            "other/Dockerfile",
        ],
        None,
    );
    assert_eq!(codes(&out), ["DF002", "DF006"]);
    let out = run(
        dir.path(),
        &[
            "check",
            "--format",
            "json",
            "--config",
            "hado/.hadolint.yaml",
            "other/Dockerfile",
        ],
        None,
    );
    // Under a .hadolint.yaml hadolint's rules run too: DL3013 for the
    // unpinned `flask`.
    assert_eq!(codes(&out), ["DF006", "DL3013"]);

    // With no dflint config anywhere, .hadolint.yaml is read.
    let alone = tree(&[
        (
            ".hadolint.yaml",
            "ignored:\n  - DL3042\nfailure-threshold: error\n",
        ),
        ("Dockerfile", dirty),
    ]);
    let out = run(alone.path(), &["check", "--format", "json"], None);
    assert_eq!(codes(&out), ["DF006", "DL3013"]);
    // failure-threshold: error, and both are warnings: exit 0.
    assert_eq!(out.status.code(), Some(0));

    // [tool.dflint] in pyproject.toml, with severities and per-file ignores.
    let py = tree(&[
        ("pyproject.toml", "[project]\nname = \"x\"\n\n[tool.dflint]\nseverity = { DF002 = \"error\" }\nfail-level = \"error\"\nper-file-ignores = { \"*.train\" = [\"DF006\"] }\n"),
        ("Dockerfile", dirty),
        ("Dockerfile.train", dirty),
    ]);
    let out = run(
        py.path(),
        &["check", "--format", "json", "Dockerfile"],
        None,
    );
    let items: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let df002 = items
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["code"] == "DF002")
        .unwrap();
    assert_eq!(df002["severity"], "error");
    assert_eq!(out.status.code(), Some(1));
    let out = run(
        py.path(),
        &["check", "--format", "json", "Dockerfile.train"],
        None,
    );
    assert_eq!(codes(&out), ["DF002"]);
}

#[test]
fn bad_config_files_are_errors_naming_the_file_and_key() {
    let dir = tree(&[
        (".dflint.toml", "selct = [\"DF002\"]\n"),
        ("Dockerfile", "FROM scratch\n"),
    ]);
    let out = run(dir.path(), &["check"], None);
    assert_eq!(out.status.code(), Some(2));
    let stderr = text(&out.stderr);
    assert!(
        stderr.contains(".dflint.toml") && stderr.contains("selct"),
        "{stderr}"
    );
    assert!(stderr.contains("did you mean `select`?"), "{stderr}");

    let dir = tree(&[
        (".dflint.toml", "fail-level = \"fatal\"\n"),
        ("Dockerfile", "FROM scratch\n"),
    ]);
    let stderr = text(&run(dir.path(), &["check"], None).stderr);
    assert!(
        stderr.contains("fail-level") && stderr.contains("fatal"),
        "{stderr}"
    );

    let dir = tree(&[
        (".dflint.toml", "ignore = [\"DF999\"]\n"),
        ("Dockerfile", "FROM scratch\n"),
    ]);
    let out = run(dir.path(), &["check"], None);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains(".dflint.toml: ignore: unknown rule or prefix `DF999`"),
        "{}",
        text(&out.stderr)
    );

    let out = run(dir.path(), &["check", "--config", "missing.toml"], None);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("missing.toml"));
}

#[test]
fn fail_level_exit_zero_prefixes_and_all() {
    let dir = tree(&[(
        "Dockerfile",
        "FROM python:3.11-slim\nRUN pip install flask\n",
    )]);
    let p = dir.path();
    assert_eq!(run(p, &["check"], None).status.code(), Some(1));
    assert_eq!(
        run(p, &["check", "--fail-level", "error"], None)
            .status
            .code(),
        Some(0)
    );
    assert_eq!(
        run(p, &["check", "--fail-level", "warning"], None)
            .status
            .code(),
        Some(1)
    );
    assert_eq!(
        run(p, &["check", "--exit-zero"], None).status.code(),
        Some(0)
    );
    assert_eq!(
        run(p, &["check", "--fail-level", "loud"], None)
            .status
            .code(),
        Some(2)
    );
    // Prefixes, `ALL`, and spaces after commas.
    let out = run(p, &["check", "--format", "json", "--select", "DF00"], None);
    assert_eq!(codes(&out), ["DF002", "DF006"]);
    let out = run(
        p,
        &[
            "check",
            "--format",
            "json",
            "--select",
            "ALL",
            "--ignore",
            "DF002, DF006, DL",
        ],
        None,
    );
    assert_eq!(codes(&out), Vec::<String>::new());
    let out = run(p, &["check", "--format", "json", "--select", "DF"], None);
    assert_eq!(codes(&out), ["DF002", "DF006"]);
}

#[test]
fn statistics_and_quiet() {
    let dir = tree(&[
        (
            "a/Dockerfile",
            "FROM python:3.11-slim\nRUN pip install flask\nRUN pip install numpy\n",
        ),
        (
            "b/Dockerfile",
            "FROM python:3.11-slim\nRUN pip install flask\n",
        ),
    ]);
    let out = run(dir.path(), &["check", "--statistics", "."], None);
    let stdout = text(&out.stdout);
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(lines[0], "    3\tDF002\t[*] pip-cache-in-layer", "{stdout}");
    assert_eq!(lines[1], "    2\tDF006\t    root-final-stage", "{stdout}");
    assert!(!stdout.contains("help:"));
    let out = run(dir.path(), &["check", "-q", "."], None);
    assert!(!text(&out.stdout).contains("Found"));
    assert_eq!(out.status.code(), Some(1));
}

#[test]
fn errors_are_data_in_json_and_every_validation_error_is_reported() {
    let bad = "FROM python:3.11-slim\nRUN --form=x true\nCOPY onlyone\n";
    let dir = tree(&[
        ("bad.Dockerfile", bad),
        ("good.Dockerfile", "FROM scratch\nUSER 1\n"),
    ]);
    let out = run(dir.path(), &["check", "--format", "json", "."], None);
    assert_eq!(out.status.code(), Some(2));
    let items: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let items = items.as_array().unwrap();
    assert_eq!(items.len(), 2, "{items:?}");
    for (item, (line, column)) in items.iter().zip([(2, 5), (3, 1)]) {
        assert_eq!(item["file"], "./bad.Dockerfile");
        assert!(item["code"].is_null());
        assert_eq!(item["name"], "invalid-dockerfile");
        assert_eq!(item["severity"], "error");
        assert_eq!(
            (item["line"].as_u64(), item["column"].as_u64()),
            (Some(line), Some(column))
        );
    }
    assert!(items[0]["message"]
        .as_str()
        .unwrap()
        .contains("unknown flag: --form"));
    // Text: both errors, with the source line.
    let out = run(dir.path(), &["check", "bad.Dockerfile"], None);
    let stderr = text(&out.stderr);
    assert!(
        stderr.contains("bad.Dockerfile:2:5: error: unknown flag: --form"),
        "{stderr}"
    );
    assert!(
        stderr.contains("bad.Dockerfile:3:1: error: COPY requires at least two arguments"),
        "{stderr}"
    );
    assert!(stderr.contains("2 | RUN --form=x true"), "{stderr}");
}

#[test]
fn rules_lists_metadata_from_the_registry() {
    let out = run(&PathBuf::from("."), &["rules"], None);
    let stdout = text(&out.stdout);
    for rule in dflint::rules::RULES {
        let line = stdout
            .lines()
            .find(|l| l.starts_with(rule.code))
            .unwrap_or_else(|| panic!("{} missing", rule.code));
        assert!(
            line.contains(rule.name) && line.contains(rule.severity.as_str()),
            "{line}"
        );
        for alias in rule.aliases {
            assert!(line.contains(alias), "{line}");
        }
    }
    let out = run(&PathBuf::from("."), &["rule", "DL3042"], None);
    assert!(text(&out.stdout).starts_with("# DF002 pip-cache-in-layer"));
}

/// The README's config example is a valid config.
#[test]
fn readme_config_example_parses() {
    let readme = include_str!("../README.md");
    let start = readme.find("```toml\n").expect("a toml block") + "```toml\n".len();
    let body = &readme[start..start + readme[start..].find("```").unwrap()];
    let options = dflint::config::parse_dflint_toml(Path::new(".dflint.toml"), body)
        .unwrap_or_else(|e| panic!("{e}\n{body}"));
    let settings = dflint::Settings::resolve(&[dflint::settings::Layer {
        source: ".dflint.toml".into(),
        options: &options,
        base: None,
    }])
    .unwrap();
    assert_eq!(settings.severity_of("DF002"), Some(dflint::Severity::Error));
}

/// `fix --verify` never skips its proof silently: with no engine it fails.
#[test]
fn verify_without_an_engine_is_an_error() {
    let dir = tree(&[("Dockerfile", CUDA)]);
    let out = Command::new(env!("CARGO_BIN_EXE_dflint"))
        .args(["fix", "--verify", "Dockerfile"])
        .current_dir(dir.path())
        .env("DOCKER_HOST", "unix:///nonexistent/docker.sock")
        .env("DOCKER", "docker")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = text(&out.stderr);
    assert!(
        stderr.contains("--verify needs a Docker engine"),
        "{stderr}"
    );
    assert_eq!(
        std::fs::read_to_string(dir.path().join("Dockerfile")).unwrap(),
        CUDA
    );
}

/// `fix --explain` shows the plan, or why there is none, and writes nothing.
#[test]
fn explain_shows_the_plan_and_writes_nothing() {
    let dir = tree(&[
        ("Dockerfile", CUDA),
        (
            "abs/Dockerfile",
            "FROM nvidia/cuda:12.1.0-cudnn8-devel-ubuntu22.04\nRUN apt-get update && apt-get install -y python3-pip\nRUN pip3 install six\nENTRYPOINT [\"/usr/bin/python3\"]\n",
        ),
    ]);
    let out = run(
        dir.path(),
        &["fix", "--explain", "Dockerfile", "abs/Dockerfile"],
        None,
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    assert!(
        stdout.contains("Dockerfile: the multi-stage rewrite of DF001"),
        "{stdout}"
    );
    assert!(
        stdout.contains("line 5    RUN         -> builder  installs Python packages into the virtual environment"),
        "{stdout}"
    );
    assert!(
        stdout.contains("line 7    CMD         -> runtime"),
        "{stdout}"
    );
    assert!(
        stdout.contains("abs/Dockerfile: no multi-stage rewrite: the ENTRYPOINT on line 4 starts `/usr/bin/python3` by its path"),
        "{stdout}"
    );
    assert_eq!(
        std::fs::read_to_string(dir.path().join("Dockerfile")).unwrap(),
        CUDA
    );
}

/// Discovery: Dockerfiles by name, never other files, .gitignore and hidden
/// directories honoured (unless --no-ignore), a named file always checked.
#[test]
fn discovery_finds_dockerfiles_and_honours_ignores() {
    let dirty = "FROM python:3.11-slim\nRUN pip install flask\nUSER 1\n";
    let dir = tree(&[
        ("Dockerfile", dirty),
        ("docker/Dockerfile.gpu", dirty),
        ("docker/api.dockerfile", dirty),
        ("docker/Containerfile", dirty),
        ("docker/Dockerfile.dockerignore", "*.md\n"),
        ("docker/Dockerfile.md", "# not a Dockerfile\n"),
        ("notebooks/dockerfile.ipynb", "{}\n"),
        ("src/dockerfile_parser.rs", "fn main() {}\n"),
        ("build/Dockerfile", dirty),
        (".hidden/Dockerfile", dirty),
        (".gitignore", "build/\n"),
        ("odd-name.txt", dirty),
    ]);
    let files = |out: &Output| -> Vec<String> {
        let items: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        let mut f: Vec<String> = items
            .as_array()
            .unwrap()
            .iter()
            .map(|i| i["file"].as_str().unwrap().to_string())
            .collect();
        f.dedup();
        f
    };
    let out = run(dir.path(), &["check", "--format", "json"], None);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    assert_eq!(
        files(&out),
        [
            "./Dockerfile",
            "./docker/Containerfile",
            "./docker/Dockerfile.gpu",
            "./docker/api.dockerfile"
        ]
    );
    let out = run(
        dir.path(),
        &["check", "--format", "json", "--no-ignore", "."],
        None,
    );
    let all = files(&out);
    assert!(all.contains(&"./build/Dockerfile".to_string()), "{all:?}");
    assert!(all.contains(&"./.hidden/Dockerfile".to_string()), "{all:?}");
    // A file named on the command line is checked whatever its name.
    let out = run(
        dir.path(),
        &["check", "--format", "json", "odd-name.txt"],
        None,
    );
    assert_eq!(files(&out), ["odd-name.txt"]);
    // The `exclude` setting skips discovered files, never named ones.
    std::fs::write(
        dir.path().join(".dflint.toml"),
        "exclude = [\"docker/*\"]\n",
    )
    .unwrap();
    let out = run(dir.path(), &["check", "--format", "json"], None);
    assert_eq!(files(&out), ["./Dockerfile"]);
    let out = run(
        dir.path(),
        &["check", "--format", "json", "docker/Containerfile"],
        None,
    );
    assert_eq!(files(&out), ["docker/Containerfile"]);
}

/// Shell completions and the man page come from the CLI definition.
#[test]
fn completions_and_man_page() {
    let here = PathBuf::from(".");
    for shell in ["bash", "zsh", "fish"] {
        let out = run(&here, &["completions", shell], None);
        assert_eq!(out.status.code(), Some(0), "{shell}");
        let script = text(&out.stdout);
        assert!(
            script.contains("dflint") && script.contains("unsafe-fixes"),
            "{shell}"
        );
    }
    let out = run(&here, &["completions", "bash"], None);
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("dflint.bash");
    std::fs::write(&path, &out.stdout).unwrap();
    let syntax = Command::new("bash").arg("-n").arg(&path).status().unwrap();
    assert!(
        syntax.success(),
        "the bash completion script does not parse"
    );
    let man = text(&run(&here, &["man"], None).stdout);
    assert!(
        man.contains(".TH dflint 1") && man.contains("check"),
        "{man}"
    );
}

#[test]
fn twins_report_once_when_both_run_and_each_alone_reports() {
    let file = "FROM python:3.11 AS base\nMAINTAINER dev@example.com\nFROM base AS base\nWORKDIR app\nCMD python serve.py\n";
    let dir = tree(&[("Dockerfile", file)]);
    let all = codes(&run(
        dir.path(),
        &[
            "check",
            "--isolated",
            "--select",
            "ALL",
            "--output-format",
            "json",
            "Dockerfile",
        ],
        None,
    ));
    for kept in [
        "MaintainerDeprecated",
        "DuplicateStageName",
        "WorkdirRelativePath",
        "JSONArgsRecommended",
    ] {
        assert!(all.iter().any(|c| c == kept), "{kept}: {all:?}");
    }
    for twin in ["DL4000", "DL3024", "DL3000", "DL3025"] {
        assert!(!all.iter().any(|c| c == twin), "{twin}: {all:?}");
    }
    let dl = codes(&run(
        dir.path(),
        &[
            "check",
            "--isolated",
            "--select",
            "DL",
            "--output-format",
            "json",
            "Dockerfile",
        ],
        None,
    ));
    for twin in ["DL4000", "DL3024", "DL3000", "DL3025"] {
        assert!(dl.iter().any(|c| c == twin), "{twin}: {dl:?}");
    }
}
