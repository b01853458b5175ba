//! DL3018 apk-unpinned: `apk add` of packages without a version.

use super::{Context, FixAvailability, Rule};
use crate::diagnostic::{Diagnostic, Severity};
use crate::semantics::commands::{apk_add, shell_runs, word_values};

pub static RULE: Rule = Rule {
    code: "DL3018",
    name: "apk-unpinned",
    summary: "`apk add` of packages without a pinned version",
    aliases: &[],
    severity: Severity::Warning,
    fix: FixAvailability::None,
    default_enabled: false,
    doc: include_str!("../../rules/DL3018.md"),
    check,
};

/// Whether an `apk add` operand names a package without a version
/// constraint (`=`, `~`, `<`, `>`), and is not a `.apk` file or a variable.
fn unpinned(package: &str) -> bool {
    package.starts_with(|c: char| c.is_ascii_alphanumeric())
        && !package.contains(['=', '~', '<', '>', '/', '$'])
        && !package.ends_with(".apk")
}

fn check(cx: &Context) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    for run in shell_runs(cx) {
        for (script, cmd) in run.commands() {
            let Some(call) = apk_add(cmd) else { continue };
            let loose: Vec<String> = call
                .packages()
                .iter()
                .filter_map(|w| word_values(cx, &run, &w.text))
                .flatten()
                .filter(|p| unpinned(p))
                .collect();
            if loose.is_empty() {
                continue;
            }
            out.push(RULE.diagnostic(
                run.command_span(script, cmd),
                format!(
                    "`apk add` without a version for {}",
                    super::dl3008_apt_pin::list(
                        &loose.iter().map(String::as_str).collect::<Vec<_>>()
                    )
                ),
                "Pin each package: `name=version`, or `name~version` for a series",
            ));
        }
    }
    out
}
