//! DL3033 yum-version-not-pinned: `yum install` of a package without a
//! version (`name-version`), or of a module without a stream.

use super::{Context, FixAvailability, Rule};
use crate::diagnostic::{Diagnostic, Severity};
use crate::semantics::managers::{each_command, manager_call, rpm_spec_pinned, substitute, Family};

pub static RULE: Rule = Rule {
    code: "DL3033",
    name: "yum-version-not-pinned",
    aliases: &[],
    summary: "`yum install` of a package without a version",
    severity: Severity::Warning,
    fix: FixAvailability::None,
    default_enabled: false,
    doc: include_str!("../../rules/DL3033.md"),
    check,
};

fn check(cx: &Context) -> Vec<Diagnostic> {
    unpinned(cx, Family::Yum, &RULE)
}

/// Installs without a version by the package managers of one family: yum
/// here, dnf and microdnf for DL3041.
pub(super) fn unpinned(cx: &Context, family: Family, rule: &Rule) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    each_command(cx, |run, script, cmd| {
        let Some(call) = manager_call(cmd).filter(|c| c.family == family) else {
            return;
        };
        let Some(installed) = call.installed() else {
            return;
        };
        let scope = cx.model.scope(run.stage, run.item);
        let loose: Vec<String> = installed
            .specs
            .iter()
            .map(|w| substitute(&w.text, &scope))
            .filter(|spec| {
                if installed.modules {
                    !spec.contains(':')
                } else {
                    !rpm_spec_pinned(spec)
                }
            })
            .collect();
        if loose.is_empty() {
            return;
        }
        let (what, form) = if installed.modules {
            ("module", "`name:stream`")
        } else {
            ("package", "`name-version`")
        };
        out.push(rule.diagnostic(
            run.command_span(script, cmd),
            format!(
                "`{} install` of {what} `{}` without a version",
                call.program,
                loose.join("`, `")
            ),
            format!("Pin each {what} as {form}"),
        ));
    });
    out
}
