//! DL3034 zypper-without-non-interactive: a zypper command that changes
//! packages without `-n`/`--non-interactive` or `-y`/`--no-confirm`, which
//! stops at its confirmation prompt.

use super::{Context, FixAvailability, Rule};
use crate::diagnostic::{Diagnostic, Fix, Severity};
use crate::semantics::managers::{each_command, insert_after, manager_call, Family};

pub static RULE: Rule = Rule {
    code: "DL3034",
    name: "zypper-without-non-interactive",
    aliases: &[],
    summary: "a zypper command that changes packages without `--non-interactive`",
    severity: Severity::Warning,
    fix: FixAvailability::Always,
    default_enabled: false,
    doc: include_str!("../../rules/DL3034.md"),
    check,
};

fn check(cx: &Context) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    each_command(cx, |run, script, cmd| {
        let Some(call) = manager_call(cmd) else {
            return;
        };
        if call.family != Family::Zypper
            || !call.prompts()
            || call.has_option(&["--non-interactive", "--no-confirm"], &['n', 'y'])
        {
            return;
        }
        let mut d = RULE.diagnostic(
            run.command_span(script, cmd),
            format!(
                "`zypper {}` without `--non-interactive` stops at its confirmation prompt",
                call.sub
            ),
            "Add `--non-interactive` after `zypper`, or `-y` after the command",
        );
        // A global option, right after the program, holds for every command.
        d.fix = Some(Fix::safe([insert_after(
            run,
            script,
            call.program_word(),
            "--non-interactive",
        )]));
        out.push(d);
    });
    out
}
