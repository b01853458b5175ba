//! DL3016 npm-unpinned: `npm install` of packages without a version.

use super::dl3008_apt_pin::list;
use super::{Context, FixAvailability, Rule};
use crate::diagnostic::{Diagnostic, Severity};
use crate::semantics::commands::{manager_call, shell_runs, NPM};

pub static RULE: Rule = Rule {
    code: "DL3016",
    name: "npm-unpinned",
    summary: "`npm install` of packages without a pinned version",
    aliases: &[],
    severity: Severity::Warning,
    fix: FixAvailability::None,
    default_enabled: false,
    doc: include_str!("../../rules/DL3016.md"),
    check,
};

/// Whether an `npm install` operand names a package without a version: a
/// registry name with no `@version` (scoped ones start with `@`), or a git
/// URL or GitHub shorthand without a `#ref`. Paths and tarballs are what
/// they are.
fn unpinned(spec: &str) -> bool {
    if spec.contains('$') || spec.starts_with(['.', '/', '~']) {
        return false;
    }
    let lower = spec.to_ascii_lowercase();
    if [".tar", ".tar.gz", ".tgz"]
        .iter()
        .any(|e| lower.ends_with(e))
    {
        return false;
    }
    if let Some(scoped) = spec.strip_prefix('@') {
        return !scoped.contains('@');
    }
    if lower.starts_with("git") || lower.contains("://") || spec.contains('/') {
        return !spec.contains('#');
    }
    !spec.contains('@')
}

fn check(cx: &Context) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    for run in shell_runs(cx) {
        for (script, cmd) in run.commands() {
            let Some(call) = manager_call(cmd, &["npm"], &["install", "i", "add"], &NPM) else {
                continue;
            };
            let packages = call.packages();
            let loose: Vec<&str> = packages
                .iter()
                .map(|w| w.text.as_str())
                .filter(|p| unpinned(p))
                .collect();
            if loose.is_empty() {
                continue;
            }
            out.push(RULE.diagnostic(
                run.command_span(script, cmd),
                format!("`npm install` without a version for {}", list(&loose)),
                "Pin each package (`name@version`), or install from package-lock.json with `npm ci`",
            ));
        }
    }
    out
}
