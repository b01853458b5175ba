//! Every `dflint ...` command line in the README's shell examples runs, in a
//! scratch project, the way the README says: accepted by the CLI, and
//! exiting 0 (nothing found) or 1 (findings), never 2. `--verify` needs a
//! Docker engine and is proven by the build suite instead.

use std::process::Command;

/// The command lines of the README's ```sh blocks that start with
/// `dflint` (after an optional `cat FILE |`), without their comments.
fn examples() -> Vec<String> {
    let readme = include_str!("../README.md");
    let mut out = Vec::new();
    let mut in_sh = false;
    for line in readme.lines() {
        if line.starts_with("```") {
            in_sh = line == "```sh";
            continue;
        }
        if !in_sh {
            continue;
        }
        let command = line.split("  #").next().unwrap_or(line).trim();
        let starts =
            command.starts_with("dflint ") || command.starts_with("cat Dockerfile | dflint ");
        if starts && !command.contains("--verify") {
            out.push(command.to_string());
        }
    }
    out
}

#[test]
fn readme_command_lines_run() {
    let examples = examples();
    assert!(
        examples.len() >= 15,
        "only {} examples found",
        examples.len()
    );
    let bin = std::path::Path::new(env!("CARGO_BIN_EXE_dflint"));
    let bin_dir = bin.parent().unwrap();
    for example in &examples {
        let dir = tempfile::tempdir().unwrap();
        let dirty = "FROM python:3.11-slim\nRUN pip install flask\nCMD [\"python\"]\n";
        std::fs::write(dir.path().join("Dockerfile"), dirty).unwrap();
        std::fs::create_dir(dir.path().join("docker")).unwrap();
        std::fs::write(dir.path().join("docker/Dockerfile.gpu"), dirty).unwrap();
        let path = format!(
            "{}:{}",
            bin_dir.display(),
            std::env::var("PATH").unwrap_or_default()
        );
        let out = Command::new("sh")
            .arg("-c")
            .arg(example)
            .current_dir(dir.path())
            .env("PATH", path)
            .env("NO_COLOR", "1")
            .output()
            .unwrap();
        let code = out.status.code();
        assert!(
            matches!(code, Some(0 | 1)),
            "README example `{example}` exited {code:?}:\n{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
    }
}

#[test]
fn the_examples_found_are_the_readme_s() {
    let examples = examples();
    for expected in [
        "dflint check --format json . > findings.json",
        "cat Dockerfile | dflint check - --stdin-filename Dockerfile",
        "dflint fix --explain Dockerfile",
        "dflint man > dflint.1",
    ] {
        assert!(
            examples.iter().any(|e| e == expected),
            "{expected} not found in {examples:?}"
        );
    }
}
