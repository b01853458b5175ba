//! `dflint fix --verify`: prove the unsafe fixes on the user's own image.
//! Build the original and the fixed Dockerfile with the local Docker engine
//! in the file's build context, run both, and keep the unsafe fixes only
//! when the fixed image builds, its run exits as the original's did, and it
//! is not larger. This is the one place dflint runs anything: the user's own
//! build and image, and only when asked.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{bail, Context as _, Result};

/// What to build and run.
pub struct Options {
    /// The build context directory.
    pub context: PathBuf,
    pub build_args: Vec<String>,
    pub target: Option<String>,
    /// Arguments that replace the image's CMD for the smoke run.
    pub smoke: Option<Vec<String>>,
    /// How long one run may take.
    pub timeout: Duration,
}

/// One image built and run.
pub struct Trial {
    pub size: u64,
    pub exit: Option<i32>,
    pub user: String,
}

/// The verdict on the unsafe fixes.
pub struct Verdict {
    pub keep_unsafe: bool,
    /// What happened, one line each, for the user.
    pub report: Vec<String>,
}

/// The docker client: `$DOCKER`, else `docker` on PATH (it reads `DOCKER_HOST`).
fn docker() -> String {
    std::env::var("DOCKER").unwrap_or_else(|_| "docker".into())
}

/// Fails, saying so, when no engine answers.
pub fn engine() -> Result<String> {
    let out = Command::new(docker())
        .args(["version", "--format", "{{.Server.Version}}"])
        .stdin(Stdio::null())
        .output()
        .with_context(|| {
            format!(
                "--verify needs a Docker engine, and `{}` cannot be run",
                docker()
            )
        })?;
    if !out.status.success() {
        bail!(
            "--verify needs a Docker engine, and none answers ({}); set DOCKER_HOST, or run without --verify",
            String::from_utf8_lossy(&out.stderr).trim()
        );
    }
    Ok(String::from_utf8_lossy(&out.stdout).trim().to_string())
}

/// A unique tag for this run.
fn tag(kind: &str) -> String {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.subsec_nanos());
    format!("dflint-verify:{}-{nanos}-{kind}", std::process::id())
}

/// Run a command to its end, or kill it at the deadline.
fn run_with_timeout(cmd: &mut Command, timeout: Duration) -> Result<(Option<i32>, String)> {
    let dir = tempfile::tempdir().context("cannot create a temporary directory")?;
    let log_path = dir.path().join("log");
    let log = std::fs::File::create(&log_path).context("cannot create a log file")?;
    let mut child = cmd
        .stdin(Stdio::null())
        .stdout(log.try_clone().context("cannot share the log file")?)
        .stderr(log)
        .spawn()
        .context("cannot start docker")?;
    let start = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().context("cannot wait for docker")? {
            break Some(status);
        }
        if start.elapsed() > timeout {
            let _ = child.kill();
            let _ = child.wait();
            break None;
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    let text = std::fs::read_to_string(&log_path).unwrap_or_default();
    Ok((status.and_then(|s| s.code()), text))
}

/// The last lines of a log, indented, for a report.
fn tail(log: &str, n: usize) -> String {
    let lines: Vec<&str> = log.lines().collect();
    lines[lines.len().saturating_sub(n)..]
        .iter()
        .map(|l| format!("    {l}\n"))
        .collect()
}

/// Build a Dockerfile's text in the context; `Err` with the build's tail.
fn build(text: &str, opts: &Options, tag: &str) -> Result<(), String> {
    let dir =
        tempfile::tempdir().map_err(|e| format!("cannot create a temporary directory: {e}"))?;
    let file = dir.path().join("Dockerfile");
    std::fs::File::create(&file)
        .and_then(|mut f| f.write_all(text.as_bytes()))
        .map_err(|e| format!("cannot write a temporary Dockerfile: {e}"))?;
    let mut cmd = Command::new(docker());
    cmd.env("DOCKER_BUILDKIT", "1")
        .arg("build")
        .arg("-t")
        .arg(tag)
        .arg("-f")
        .arg(&file);
    for a in &opts.build_args {
        cmd.arg("--build-arg").arg(a);
    }
    if let Some(t) = &opts.target {
        cmd.arg("--target").arg(t);
    }
    cmd.arg(&opts.context);
    // Builds may take long; only runs are held to the timeout.
    match run_with_timeout(&mut cmd, Duration::from_secs(3600)) {
        Ok((Some(0), _)) => Ok(()),
        Ok((_, log)) => Err(format!("docker build failed:\n{}", tail(&log, 12))),
        Err(e) => Err(format!("{e:#}")),
    }
}

fn inspect(tag: &str, format: &str) -> String {
    Command::new(docker())
        .args(["image", "inspect", "-f", format, tag])
        .stdin(Stdio::null())
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
        .unwrap_or_default()
}

/// Build and run one Dockerfile text.
fn trial(text: &str, opts: &Options, tag: &str) -> Result<Trial, String> {
    build(text, opts, tag)?;
    let size = inspect(tag, "{{.Size}}").parse().unwrap_or(0);
    let user = inspect(tag, "{{.Config.User}}");
    let mut cmd = Command::new(docker());
    cmd.args(["run", "--rm", tag]);
    if let Some(args) = &opts.smoke {
        cmd.args(args);
    }
    let (exit, _) = run_with_timeout(&mut cmd, opts.timeout).map_err(|e| format!("{e:#}"))?;
    Ok(Trial { size, exit, user })
}

fn mb(bytes: u64) -> String {
    format!("{:.1} MB", bytes as f64 / 1e6)
}

fn exit_text(exit: Option<i32>) -> String {
    match exit {
        Some(code) => format!("exit {code}"),
        None => "no exit within the timeout".into(),
    }
}

/// Build and run the original and the text with unsafe fixes; say whether
/// to keep them.
pub fn verify(original: &str, with_unsafe: &str, opts: &Options) -> Result<Verdict> {
    let version = engine()?;
    let mut report = vec![format!(
        "verify: Docker engine {version}, context {}",
        opts.context.display()
    )];
    let orig_tag = tag("original");
    let fixed_tag = tag("fixed");
    let result = (|| {
        let before = match trial(original, opts, &orig_tag) {
            Ok(t) => t,
            Err(why) => {
                report.push(format!(
                    "verify: the original does not build or run, so nothing can be compared: {why}"
                ));
                return false;
            }
        };
        report.push(format!(
            "verify: original: {}, {}, user `{}`",
            mb(before.size),
            exit_text(before.exit),
            if before.user.is_empty() {
                "root (none set)"
            } else {
                &before.user
            }
        ));
        let after = match trial(with_unsafe, opts, &fixed_tag) {
            Ok(t) => t,
            Err(why) => {
                report.push(format!("verify: with unsafe fixes: {why}"));
                return false;
            }
        };
        report.push(format!(
            "verify: with unsafe fixes: {} ({:.2}x), {}, user `{}`",
            mb(after.size),
            after.size as f64 / before.size.max(1) as f64,
            exit_text(after.exit),
            if after.user.is_empty() {
                "root (none set)"
            } else {
                &after.user
            }
        ));
        if before.exit.is_none() {
            report.push("verify: the original's run did not end in time; pass --smoke with a command that does".into());
            return false;
        }
        if after.exit != before.exit {
            report.push(format!(
                "verify: the fixed image's run ended with {} where the original's ended with {}",
                exit_text(after.exit),
                exit_text(before.exit)
            ));
            return false;
        }
        if after.size > before.size {
            report.push("verify: the fixed image is larger than the original".into());
            return false;
        }
        true
    })();
    let _ = Command::new(docker())
        .args(["image", "rm", "-f", &orig_tag, &fixed_tag])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status();
    report.push(if result {
        "verify: the unsafe fixes are kept".into()
    } else {
        "verify: the unsafe fixes are dropped; only the safe fixes are written".into()
    });
    Ok(Verdict {
        keep_unsafe: result,
        report,
    })
}

/// The build context for a Dockerfile: `--context`, else its directory.
pub fn context_for(path: &str, given: Option<&Path>) -> PathBuf {
    if let Some(dir) = given {
        return dir.to_path_buf();
    }
    Path::new(path)
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .map_or_else(|| PathBuf::from("."), Path::to_path_buf)
}
