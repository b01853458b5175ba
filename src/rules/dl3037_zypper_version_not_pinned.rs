//! DL3037 zypper-version-not-pinned: `zypper install` of a package without
//! a version (`name=version`, `name>=version`, ...).

use super::{Context, FixAvailability, Rule};
use crate::diagnostic::{Diagnostic, Severity};
use crate::semantics::managers::{each_command, manager_call, substitute, Family};

pub static RULE: Rule = Rule {
    code: "DL3037",
    name: "zypper-version-not-pinned",
    aliases: &[],
    summary: "`zypper install` of a package without a version",
    severity: Severity::Warning,
    fix: FixAvailability::None,
    default_enabled: false,
    doc: include_str!("../../rules/DL3037.md"),
    check,
};

/// A zypper package spec with a version: a comparison (`=`, `<`, `>`), or
/// an `.rpm` file, path or URL, which is one build of a package.
fn pinned(spec: &str) -> bool {
    spec.contains(['=', '<', '>']) || spec.ends_with(".rpm") || spec.contains('/')
}

fn check(cx: &Context) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    each_command(cx, |run, script, cmd| {
        let Some(call) = manager_call(cmd).filter(|c| c.family == Family::Zypper) else {
            return;
        };
        if call.sub != "install" {
            return;
        }
        // `-t pattern` and the like install patterns, patches or products,
        // which have no version to pin.
        let typed = call
            .words
            .windows(2)
            .any(|w| matches!(w[0].text.as_str(), "-t" | "--type") && w[1].text != "package")
            || call
                .words
                .iter()
                .any(|w| w.text.starts_with("--type=") && w.text != "--type=package");
        if typed {
            return;
        }
        let scope = cx.model.scope(run.stage, run.item);
        let loose: Vec<String> = call
            .operands()
            .iter()
            .map(|w| substitute(&w.text, &scope))
            .filter(|spec| !pinned(spec))
            .collect();
        if loose.is_empty() {
            return;
        }
        out.push(RULE.diagnostic(
            run.command_span(script, cmd),
            format!(
                "`zypper install` of package `{}` without a version",
                loose.join("`, `")
            ),
            "Pin each package as `name=version` (or `name>=version`)",
        ));
    });
    out
}
