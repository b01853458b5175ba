//! DL3036 zypper-cache-not-cleaned: a RUN that installs with zypper and
//! does not run `zypper clean` after it.

use super::{Context, FixAvailability, Rule};
use crate::diagnostic::{Diagnostic, Fix, Severity};
use crate::semantics::managers::{append_command, runs_and_triggers, uncleaned_call, Family};

pub static RULE: Rule = Rule {
    code: "DL3036",
    name: "zypper-cache-not-cleaned",
    aliases: &[],
    summary: "zypper's package cache is left in the layer that installed",
    severity: Severity::Warning,
    fix: FixAvailability::Sometimes,
    default_enabled: false,
    doc: include_str!("../../rules/DL3036.md"),
    check,
};

fn check(cx: &Context) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    for run in runs_and_triggers(cx) {
        let Some((script, cmd, call)) = uncleaned_call(run, |c| c.family == Family::Zypper) else {
            continue;
        };
        let mut d = RULE.diagnostic(
            run.command_span(script, cmd),
            format!("`zypper {}` leaves its cache in the layer", call.sub),
            "End this RUN with `&& zypper clean --all`, or mount a cache on /var/cache/zypp",
        );
        d.fix = append_command(cx, run, "zypper clean --all").map(|e| Fix::safe([e]));
        out.push(d);
    }
    out
}
