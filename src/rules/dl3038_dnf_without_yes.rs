//! DL3038 dnf-without-yes: `dnf install` or `microdnf install` without `-y`, which stops at its
//! confirmation prompt when no one is there to answer.

use super::{Context, FixAvailability, Rule};
use crate::diagnostic::{Diagnostic, Fix, Severity};
use crate::semantics::managers::{each_command, insert_after, manager_call, Family};

pub static RULE: Rule = Rule {
    code: "DL3038",
    name: "dnf-without-yes",
    aliases: &[],
    summary: "`dnf install` without `-y` waits for a confirmation no one gives",
    severity: Severity::Warning,
    fix: FixAvailability::Always,
    default_enabled: false,
    doc: include_str!("../../rules/DL3038.md"),
    check,
};

fn check(cx: &Context) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    each_command(cx, |run, script, cmd| {
        let Some(call) = manager_call(cmd) else {
            return;
        };
        if call.family != Family::Dnf
            || !call.prompts()
            || call.has_option(&["--assumeyes"], &['y'])
        {
            return;
        }
        let mut d = RULE.diagnostic(
            run.command_span(script, cmd),
            format!(
                "`{} {}` without `-y` stops at its confirmation prompt",
                call.program, call.sub
            ),
            "Add `-y`".into(),
        );
        d.fix = Some(Fix::safe(vec![insert_after(
            run,
            script,
            call.sub_word(),
            "-y",
        )]));
        out.push(d);
    });
    out
}
