//! DL3008 apt-unpinned: `apt-get install` of packages without a version.

use super::{Context, FixAvailability, Rule};
use crate::diagnostic::{Diagnostic, Severity};
use crate::semantics::commands::{apt_install, shell_runs, word_values};

pub static RULE: Rule = Rule {
    code: "DL3008",
    name: "apt-unpinned",
    summary: "`apt-get install` of packages without a pinned version",
    aliases: &[],
    severity: Severity::Warning,
    fix: FixAvailability::None,
    default_enabled: false,
    doc: include_str!("../../rules/DL3008.md"),
    check,
};

/// Whether an install operand names a repository package without a
/// version: not `pkg=1.2`, not a `.deb` file or a path, not a variable.
fn unpinned(package: &str) -> bool {
    package.starts_with(|c: char| c.is_ascii_alphanumeric())
        && !package.contains(['=', '/', '$'])
        && !package.ends_with(".deb")
}

fn check(cx: &Context) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    for run in shell_runs(cx) {
        for (script, cmd) in run.commands() {
            let Some(call) = apt_install(cmd) else {
                continue;
            };
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
                    "`{} install` without a version for {}",
                    call.program.text,
                    list(&loose.iter().map(String::as_str).collect::<Vec<_>>())
                ),
                "Pin each package: `name=version` (`apt-cache policy name` shows the candidates)",
            ));
        }
    }
    out
}

/// Package names for a message: the first few, in backticks.
pub fn list(names: &[&str]) -> String {
    let shown: Vec<String> = names.iter().take(4).map(|n| format!("`{n}`")).collect();
    match names.len() {
        n if n > 4 => format!("{} and {} more", shown.join(", "), n - 4),
        _ => shown.join(", "),
    }
}
