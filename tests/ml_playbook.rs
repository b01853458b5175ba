//! DF008-DF014 on the cases at their edges, and the build-context parts
//! of DF005 and DF013 through the CLI, on a context written to disk.

use std::fs;
use std::io::Write;
use std::path::Path;
use std::process::{Command, Stdio};

use dflint::semantics::build_context::ContextFiles;
use dflint::semantics::dockerignore::DockerIgnore;
use dflint::settings::Layer;
use dflint::{check_in_build_context, Settings};

fn only(rules: &[&str], unsafe_fixes: bool) -> Settings {
    let options = dflint::config::ConfigOptions {
        select: Some(rules.iter().map(|r| r.to_string()).collect()),
        unsafe_fixes: Some(unsafe_fixes),
        ..Default::default()
    };
    Settings::resolve(&[Layer {
        source: "test".into(),
        options: &options,
        base: None,
    }])
    .unwrap()
}

/// `CODE@line` of each finding of `rules` in `text`.
fn found(rules: &[&str], text: &str) -> Vec<String> {
    let (df, found) = check_in_build_context(text, &only(rules, false), None, None).unwrap();
    found
        .iter()
        .map(|d| format!("{}@{}", d.code, df.line_col(d.span.start).0))
        .collect()
}

fn messages(rules: &[&str], text: &str) -> Vec<String> {
    let (_, found) = check_in_build_context(text, &only(rules, false), None, None).unwrap();
    found.into_iter().map(|d| d.message.to_string()).collect()
}

fn fixed(rules: &[&str], text: &str) -> String {
    dflint::fix::fix(text, &only(rules, true)).unwrap().output
}

#[test]
fn copy_before_deps_follows_the_manifest_to_where_it_was_copied() {
    // The install reads a file an earlier narrow COPY brought: not fed by the tree.
    let narrow = "FROM python:3.11-slim\nCOPY requirements.txt /tmp/\nCOPY . /app\nRUN pip install -r /tmp/requirements.txt\n";
    assert!(found(&["DF008"], narrow).is_empty());
    // `cd` into the copied tree.
    let cd = "FROM python:3.11-slim\nCOPY . /src\nRUN cd /src && pip install -r requirements.txt\n";
    assert_eq!(found(&["DF008"], cd), ["DF008@2"]);
    // A different working directory: the file is not the copied one.
    let elsewhere =
        "FROM python:3.11-slim\nWORKDIR /app\nCOPY . /srv\nRUN pip install -r requirements.txt\n";
    assert!(found(&["DF008"], elsewhere).is_empty());
    // A RUN between that reads the tree keeps the finding but not the fix.
    let between = "FROM python:3.11-slim\nWORKDIR /app\nCOPY . .\nRUN chmod +x run.sh\nRUN pip install -r requirements.txt\n";
    assert_eq!(found(&["DF008"], between), ["DF008@3"]);
    assert_eq!(fixed(&["DF008"], between), between);
    // A source directory, with `--chown` carried to the manifests' COPY.
    let dir = "FROM node:20-slim\nWORKDIR /w\nCOPY --chown=node web/ ./\nRUN yarn install --frozen-lockfile\n";
    assert_eq!(
        fixed(&["DF008"], dir),
        "FROM node:20-slim\nWORKDIR /w\nCOPY --chown=node web/package.json web/yarn.lock* ./\nRUN yarn install --frozen-lockfile\nCOPY --chown=node web/ ./\n"
    );
    // conda environments; `poetry install` without `--no-root` needs the tree.
    let conda = "FROM mambaorg/micromamba:1.5\nCOPY . /work\nWORKDIR /work\nRUN micromamba env create -f environment.yml\n";
    assert_eq!(found(&["DF008"], conda), ["DF008@2"]);
    // A WORKDIR between the copy and the install: found, but not moved.
    assert_eq!(fixed(&["DF008"], conda), conda);
    let poetry = "FROM python:3.11-slim\nWORKDIR /app\nCOPY . .\nRUN poetry install\n";
    assert!(found(&["DF008"], poetry).is_empty());
}

#[test]
fn secrets_are_reported_once_by_the_rule_that_names_the_service() {
    let text = "FROM python:3.11-slim\nARG HF_TOKEN\nARG NPM_TOKEN\nENV WANDB_API_KEY=x\n";
    let all = found(&["DF012", "SecretsUsedInArgOrEnv", "DL3064"], text);
    // NPM_TOKEN is not an ML token: BuildKit's check reports it, and
    // hadolint's twin of that check stays quiet beside it.
    assert_eq!(all, ["DF012@2", "SecretsUsedInArgOrEnv@3", "DF012@4"]);
    // Without DF012 the generic checks report every key.
    let generic = found(&["SecretsUsedInArgOrEnv"], text);
    assert_eq!(generic.len(), 3, "{generic:?}");
    // A literal token is an error, whatever the variable's name.
    let (_, d) = check_in_build_context(
        "FROM python:3.11-slim\nENV HUB=hf_aBcDeFgHiJkLmNoPqRsTuVwXyZ01234567\n",
        &only(&["DF012"], false),
        None,
        None,
    )
    .unwrap();
    assert_eq!(d.len(), 1);
    assert_eq!(d[0].severity, dflint::Severity::Error);
    // A login is reported; one that logs out in the same RUN is not.
    assert_eq!(
        found(&["DF012"], "FROM python:3.11-slim\nRUN --mount=type=secret,id=t,env=HF_TOKEN huggingface-cli login --token $HF_TOKEN && huggingface-cli download x/y\n"),
        ["DF012@2"]
    );
    assert!(found(
        &["DF012"],
        "FROM python:3.11-slim\nRUN --mount=type=secret,id=t,env=HF_TOKEN huggingface-cli login --token $HF_TOKEN && huggingface-cli download x/y && huggingface-cli logout\n"
    )
    .is_empty());
}

#[test]
fn dev_tools_only_in_images_that_serve() {
    let serve = "FROM python:3.11-slim\nRUN pip install --no-cache-dir fastapi ipython pytest-cov\nCMD [\"gunicorn\", \"app:app\"]\n";
    assert_eq!(found(&["DF011"], serve), ["DF011@2"]);
    assert!(messages(&["DF011"], serve)[0].contains("`ipython`, `pytest-cov`"));
    // No command, a notebook, or a builder stage that does not ship: silent.
    assert!(found(
        &["DF011"],
        "FROM python:3.11-slim\nRUN pip install jupyter\n"
    )
    .is_empty());
    assert!(found(
        &["DF011"],
        "FROM python:3.11-slim AS test\nRUN pip install pytest\nFROM python:3.11-slim\nCMD [\"python\", \"serve.py\"]\n"
    )
    .is_empty());
    assert!(found(
        &["DF011"],
        "FROM python:3.11-slim\nRUN pip install jupyterlab\nCMD jupyter lab --ip 0.0.0.0\n"
    )
    .is_empty());
}

#[test]
fn torch_wheels_are_judged_by_base_index_and_intent() {
    let plain = "FROM python:3.11-slim\nRUN pip install torch torchvision\n";
    assert_eq!(found(&["DF010"], plain), ["DF010@2"]);
    for quiet in [
        "FROM python:3.11-slim\nRUN pip install torch==2.3.1+cpu\n",
        "FROM python:3.11-slim\nENV PIP_EXTRA_INDEX_URL=https://download.pytorch.org/whl/cpu\nRUN pip install torch\n",
        "FROM python:3.11-slim\nRUN pip config set global.index-url https://download.pytorch.org/whl/cpu && pip install torch\n",
        "FROM nvidia/cuda:12.1.0-runtime-ubuntu22.04\nRUN pip install torch\n",
        "FROM python:3.11-slim\nENV NVIDIA_VISIBLE_DEVICES=all\nRUN pip install torch\n",
        "FROM --platform=linux/arm64 python:3.11-slim\nRUN pip install torch\n",
        "FROM python:3.11-slim\nRUN uv pip install --system --torch-backend=cpu torch\n",
    ] {
        assert!(found(&["DF010"], quiet).is_empty(), "{quiet}");
    }
    assert_eq!(
        fixed(&["DF010"], "FROM python:3.11-slim\nRUN uv pip install --system torch\n"),
        "FROM python:3.11-slim\nRUN uv pip install --extra-index-url https://download.pytorch.org/whl/cpu --system torch\n"
    );
}

#[test]
fn full_python_base_leaves_build_tools_to_df007() {
    let tools = "FROM python:3.11\nRUN apt-get update && apt-get install -y gcc && rm -rf /var/lib/apt/lists/*\nRUN pip install -r requirements.txt\n";
    assert_eq!(found(&["DF007", "DF009"], tools), ["DF007@2"]);
    for needs_full in [
        "FROM python:3.11\nRUN git clone https://github.com/o/r\n",
        "FROM python:3.11\nRUN pip install psycopg2==2.9.9\n",
        "FROM python:3.11\nRUN pip install git+https://github.com/o/r\n",
        "FROM python:3.11\nHEALTHCHECK CMD curl -f http://localhost/ || exit 1\n",
        "FROM python:3.11 AS base\nFROM base\nRUN pip install flask\n",
    ] {
        assert!(found(&["DF009"], needs_full).is_empty(), "{needs_full}");
    }
    // curl installed with apt is there on slim too.
    let apt_curl = "FROM python:3.11-bookworm\nRUN apt-get update && apt-get install -y curl && rm -rf /var/lib/apt/lists/*\nHEALTHCHECK CMD curl -f http://localhost/\n";
    assert_eq!(found(&["DF009"], apt_curl), ["DF009@1"]);
    // The tag keeps its variable.
    assert_eq!(
        fixed(
            &["DF009"],
            "ARG PY=3.12\nFROM python:${PY}\nCMD [\"python\", \"app.py\"]\n"
        ),
        "ARG PY=3.12\nFROM python:${PY}-slim\nCMD [\"python\", \"app.py\"]\n"
    );
}

#[test]
fn shell_form_on_shell_less_bases() {
    let run =
        "FROM gcr.io/distroless/python3-debian12\nCOPY app /app\nRUN python3 -m compileall /app\n";
    assert_eq!(found(&["DF014"], run), ["DF014@3"]);
    assert_eq!(
        fixed(&["DF014"], run),
        "FROM gcr.io/distroless/python3-debian12\nCOPY app /app\nRUN [\"python3\", \"-m\", \"compileall\", \"/app\"]\n"
    );
    // Through a stage chain; a HEALTHCHECK keeps its options.
    let chain = "FROM scratch AS base\nCOPY app /app\nFROM base\nHEALTHCHECK --interval=5s CMD /app --health\n";
    assert_eq!(
        fixed(&["DF014"], chain),
        "FROM scratch AS base\nCOPY app /app\nFROM base\nHEALTHCHECK --interval=5s CMD [\"/app\", \"--health\"]\n"
    );
    // A shell copied in, or a `SHELL` set: not reported.
    assert!(found(
        &["DF014"],
        "FROM gcr.io/distroless/base-debian12\nCOPY --from=busybox:1.36 /bin/busybox /busybox/busybox\nSHELL [\"/busybox/busybox\", \"sh\", \"-c\"]\nRUN echo hi\n"
    )
    .is_empty());
    // A builder stage's CMD is never run.
    assert!(found(
        &["DF014"],
        "FROM scratch AS out\nCMD run\nFROM alpine:3.20\nCMD run\n"
    )
    .is_empty());
}

#[test]
fn context_rules_read_a_listing() {
    let files = ContextFiles::from_listing(
        ".git/HEAD 100\n.git/objects/p 5000000\napp.py 10\nnb/a.ipynb 300\nnb/keep.ipynb 20\nweights/w.pt 7000000\n",
    );
    let ignore = DockerIgnore::parse(".dockerignore", "**/*.ipynb\n!nb/keep.ipynb\n");
    let text = "FROM python:3.11-slim\nCOPY . /app\nCOPY weights/ /w\n";
    let (_, d) = check_in_build_context(
        text,
        &only(&["DF013", "DF005"], false),
        Some(&ignore),
        Some(&files),
    )
    .unwrap();
    let msgs: Vec<&str> = d.iter().map(|d| d.message.as_ref()).collect();
    // `.git` and the exception `nb/keep.ipynb` go through; the weights are
    // copied by name, so ignoring them is not offered.
    assert_eq!(
        msgs,
        [
            "`COPY . /app` sends 12 MB of context; there is no `.dockerignore` to leave out `.git` (5.0 MB), `**/*.ipynb` (20 B)",
            "`COPY weights/` bakes 7.0 MB of weights into the image",
        ]
    );
}

/// `dflint check` with `rules` on files in `dir`, or on standard input.
fn run_check(dir: &Path, rules: &str, args: &[&str], stdin: Option<&str>) -> String {
    let mut child = Command::new(env!("CARGO_BIN_EXE_dflint"))
        .current_dir(dir)
        .args(["check", "--isolated", "--concise", "--select", rules])
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut input = child.stdin.take().unwrap();
    input.write_all(stdin.unwrap_or("").as_bytes()).unwrap();
    drop(input);
    String::from_utf8(child.wait_with_output().unwrap().stdout).unwrap()
}

#[test]
fn the_cli_reads_the_context_of_a_file_and_never_guesses_one() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    fs::create_dir_all(root.join("models")).unwrap();
    fs::create_dir_all(root.join(".git")).unwrap();
    fs::write(root.join("models/m.safetensors"), vec![0u8; 2_300_000]).unwrap();
    fs::write(root.join(".git/pack"), vec![0u8; 40_000]).unwrap();
    fs::write(root.join(".env"), "OPENAI_API_KEY=x\n").unwrap();
    fs::write(root.join("app.py"), "print(1)\n").unwrap();
    let dockerfile = "FROM python:3.11-slim\nCOPY . /app\nCOPY models/ /models\n";
    fs::write(root.join("Dockerfile"), dockerfile).unwrap();
    let out = run_check(root, "DF005,DF013", &["Dockerfile"], None);
    assert!(out.contains("Dockerfile:2:1: DF013"), "{out}");
    assert!(out.contains("there is no `.dockerignore`"), "{out}");
    assert!(out.contains("`.git` (40 kB), `.env` (17 B)"), "{out}");
    assert!(
        out.contains("`COPY models/` bakes 2.3 MB of weights"),
        "{out}"
    );
    // An ignore file with an exception, and one named for the Dockerfile, which wins.
    fs::write(root.join(".dockerignore"), ".git\n.env\n").unwrap();
    let out = run_check(root, "DF005,DF013", &["Dockerfile"], None);
    assert!(!out.contains("DF013"), "{out}");
    fs::write(root.join("Dockerfile.dockerignore"), ".git\n").unwrap();
    let out = run_check(root, "DF013", &["Dockerfile"], None);
    assert!(
        out.contains("`Dockerfile.dockerignore` lets through `.env` (17 B)"),
        "{out}"
    );
    // Standard input has no context: no bytes, no DF013.
    let out = run_check(root, "DF005,DF013", &["-"], Some(dockerfile));
    assert!(!out.contains("DF013"), "{out}");
    assert!(
        out.contains("`COPY models/` bakes model weights into the image"),
        "{out}"
    );
    // ... unless `--context DIR` gives it one.
    let out = run_check(root, "DF005", &["--context", ".", "-"], Some(dockerfile));
    assert!(
        out.contains("`COPY models/` bakes 2.3 MB of weights"),
        "{out}"
    );
    // A Dockerfile kept apart from its context (`docker build -f docker/Dockerfile .`).
    fs::create_dir_all(root.join("docker")).unwrap();
    fs::write(root.join("docker/Dockerfile"), dockerfile).unwrap();
    let apart = run_check(root, "DF005", &["docker/Dockerfile"], None);
    assert!(!apart.contains("2.3 MB"), "{apart}");
    let out = run_check(
        root,
        "DF005",
        &["--context", ".", "docker/Dockerfile"],
        None,
    );
    assert!(
        out.contains("`COPY models/` bakes 2.3 MB of weights"),
        "{out}"
    );
}

#[test]
fn requirements_files_of_the_context_are_read() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    fs::write(
        root.join("requirements.txt"),
        "fastapi\ntorch==2.3.1\n-r dev.txt\n",
    )
    .unwrap();
    fs::write(root.join("dev.txt"), "jupyterlab\n").unwrap();
    let dockerfile = "FROM python:3.11-slim\nWORKDIR /app\nCOPY requirements.txt dev.txt ./\nRUN pip install --no-cache-dir -r requirements.txt\nCMD [\"uvicorn\", \"app:app\"]\n";
    fs::write(root.join("Dockerfile"), dockerfile).unwrap();
    let out = run_check(root, "DF010,DF011", &["Dockerfile"], None);
    assert!(
        out.contains("DF010 warning: `torch` (`requirements.txt:2`)"),
        "{out}"
    );
    assert!(
        out.contains(
            "DF011 warning: Development tools in an image that serves: `jupyterlab` (`dev.txt:1`)"
        ),
        "{out}"
    );
    // A requirements file that picks its index is its author's choice.
    fs::write(
        root.join("requirements.txt"),
        "--extra-index-url https://download.pytorch.org/whl/cpu\ntorch==2.3.1\n",
    )
    .unwrap();
    let out = run_check(root, "DF010", &["Dockerfile"], None);
    assert!(!out.contains("DF010"), "{out}");
    // No context, no reading.
    let out = run_check(root, "DF010,DF011", &["-"], Some(dockerfile));
    assert!(!out.contains("DF01"), "{out}");
}
