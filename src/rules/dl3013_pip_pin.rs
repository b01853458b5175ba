//! DL3013 pip-unpinned: `pip install` of packages without a version.

use super::dl3008_apt_pin::list;
use super::{Context, FixAvailability, Rule};
use crate::diagnostic::{text, Diagnostic, Severity};
use crate::semantics::commands::{
    manager_call, package_install, shell_runs, word_values, Installer, PIPX,
};
use crate::syntax::shell::{Command, Word};

pub static RULE: Rule = Rule {
    code: "DL3013",
    name: "pip-unpinned",
    summary: "`pip install` of packages without a pinned version",
    aliases: &[],
    severity: Severity::Warning,
    fix: FixAvailability::None,
    default_enabled: false,
    doc: include_str!("../../rules/DL3013.md"),
    check,
};

/// Files and directories pip installs from, by their name.
const LOCAL_ENDINGS: &[&str] = &[".whl", ".tar.gz", ".tgz", ".zip", ".tar.bz2", ".tar"];

/// Whether a requirement names an index package without any version
/// specifier. Paths, archives and plain URLs are what they are; a VCS URL
/// is pinned by an `@ref` after its path.
fn unpinned(spec: &str) -> bool {
    // Anything but a letter or digit first is a path or shell syntax the
    // splitter left behind (the `}` of a PowerShell block).
    if spec.contains('$') || !spec.starts_with(|c: char| c.is_ascii_alphanumeric()) {
        return false;
    }
    let lower = spec.to_ascii_lowercase();
    if let Some(url) = lower.strip_prefix("git+").or(lower.strip_prefix("hg+")) {
        let after_host = url.split_once("://").map_or(url, |(_, rest)| rest);
        let path = after_host.split('#').next().unwrap_or("");
        let last = path.rsplit('/').next().unwrap_or("");
        return !last.contains('@');
    }
    if lower.contains("://") || LOCAL_ENDINGS.iter().any(|e| lower.ends_with(e)) {
        return false;
    }
    if spec.contains('/') {
        return false;
    }
    !spec.contains(['=', '<', '>', '~', '@', '!'])
}

/// The requirement words of a pip-style install: `pip install`,
/// `python -m pip install`, `uv pip install` and `pipx install`.
fn requirements(cmd: &Command) -> Option<(String, Vec<&Word>)> {
    if let Some(install) = package_install(cmd) {
        let words = install.resolved.words;
        let is_install = match install.installer {
            Installer::Pip => true,
            // `uv pip install` only: `uv add` and `uv sync` follow a lock file.
            Installer::Uv => {
                let plain: Vec<&str> = words[1..]
                    .iter()
                    .map(|w| w.text.as_str())
                    .filter(|w| !w.starts_with('-'))
                    .take(2)
                    .collect();
                plain == ["pip", "install"]
            }
        };
        if !is_install {
            return None;
        }
        let shown = match install.installer {
            Installer::Pip => "pip",
            Installer::Uv => "uv pip",
        };
        // A constraints file pins whatever it lists.
        if install.has_option("-c") || install.has_option("--constraint") {
            return None;
        }
        return Some((shown.to_string(), install.requirements()));
    }
    let call = manager_call(cmd, &["pipx"], &["install"], &PIPX)?;
    Some(("pipx".to_string(), call.packages()))
}

fn check(cx: &Context) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    for run in shell_runs(cx) {
        for (script, cmd) in run.commands() {
            let Some((program, reqs)) = requirements(cmd) else {
                continue;
            };
            let loose: Vec<String> = reqs
                .iter()
                .filter_map(|w| word_values(cx, &run, &w.text))
                .flatten()
                .filter(|r| unpinned(r))
                .collect();
            if loose.is_empty() {
                continue;
            }
            out.push(RULE.diagnostic(
                run.command_span(script, cmd),
                text!(
                    "`{program} install` without a version for {}",
                    list(&loose.iter().map(String::as_str).collect::<Vec<_>>())
                ),
                "Pin each package (`name==version`), or install from a requirements or constraints file",
            ));
        }
    }
    out
}
