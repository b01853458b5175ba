//! DL3030 yum-without-yes: `yum install` without `-y`, which stops at its
//! confirmation prompt when no one is there to answer.

use super::{Context, FixAvailability, Rule};
use crate::diagnostic::{Diagnostic, Fix, Severity};
use crate::semantics::managers::{each_command, insert_after, manager_call, Family};

pub static RULE: Rule = Rule {
    code: "DL3030",
    name: "yum-without-yes",
    aliases: &[],
    summary: "`yum install` without `-y` waits for a confirmation no one gives",
    severity: Severity::Warning,
    fix: FixAvailability::Always,
    default_enabled: false,
    doc: include_str!("../../rules/DL3030.md"),
    check,
};

fn check(cx: &Context) -> Vec<Diagnostic> {
    without_yes(cx, Family::Yum, &RULE)
}

/// `install` without `-y` by the package managers of one family: yum here,
/// dnf and microdnf for DL3038.
pub(super) fn without_yes(cx: &Context, family: Family, rule: &Rule) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    each_command(cx, |run, script, cmd| {
        let Some(call) = manager_call(cmd) else {
            return;
        };
        if call.family != family || !call.prompts() || call.has_option(&["--assumeyes"], &['y']) {
            return;
        }
        let mut d = rule.diagnostic(
            run.command_span(script, cmd),
            format!(
                "`{} {}` without `-y` stops at its confirmation prompt",
                call.program, call.sub
            ),
            "Add `-y`",
        );
        d.fix = Some(Fix::safe([insert_after(
            run,
            script,
            call.sub_word(),
            "-y",
        )]));
        out.push(d);
    });
    out
}
