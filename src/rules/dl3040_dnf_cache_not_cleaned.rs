//! DL3040 dnf-cache-not-cleaned: a RUN that installs with dnf or microdnf
//! and does not run `dnf clean all` after it.

use super::{Context, FixAvailability, Rule};
use crate::diagnostic::{Diagnostic, Fix, Severity};
use crate::semantics::managers::{append_command, runs_and_triggers, uncleaned_call, Family};

pub static RULE: Rule = Rule {
    code: "DL3040",
    name: "dnf-cache-not-cleaned",
    aliases: &[],
    summary: "dnf's package cache is left in the layer that installed",
    severity: Severity::Warning,
    fix: FixAvailability::Sometimes,
    default_enabled: false,
    doc: include_str!("../../rules/DL3040.md"),
    check,
};

fn check(cx: &Context) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    for run in runs_and_triggers(cx) {
        let Some((script, cmd, call)) = uncleaned_call(run, |c| c.family == Family::Dnf) else {
            continue;
        };
        let program = call.program;
        let mut d = RULE.diagnostic(
            run.command_span(script, cmd),
            format!("`{program} {}` leaves its cache in the layer", call.sub),
            format!(
                "End this RUN with `&& {program} clean all`, or mount a cache on /var/cache/dnf"
            ),
        );
        d.fix = append_command(cx, run, &format!("{program} clean all")).map(|e| Fix::safe([e]));
        out.push(d);
    }
    out
}
