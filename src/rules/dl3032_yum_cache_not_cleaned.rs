//! DL3032 yum-cache-not-cleaned: a RUN that installs with yum and does not
//! run `yum clean all` after it.

use super::{Context, FixAvailability, Rule};
use crate::diagnostic::{Diagnostic, Fix, Severity};
use crate::semantics::managers::{append_command, runs_and_triggers, uncleaned_call, Family};

pub static RULE: Rule = Rule {
    code: "DL3032",
    name: "yum-cache-not-cleaned",
    aliases: &[],
    summary: "yum's package cache is left in the layer that installed",
    severity: Severity::Warning,
    fix: FixAvailability::Sometimes,
    default_enabled: false,
    doc: include_str!("../../rules/DL3032.md"),
    check,
};

fn check(cx: &Context) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    for run in runs_and_triggers(cx) {
        let Some((script, cmd, call)) = uncleaned_call(run, |c| c.family == Family::Yum) else {
            continue;
        };
        let mut d = RULE.diagnostic(
            run.command_span(script, cmd),
            format!("`yum {}` leaves its cache in the layer", call.sub),
            "End this RUN with `&& yum clean all`, or mount a cache on /var/cache/yum",
        );
        d.fix = append_command(cx, run, "yum clean all").map(|e| Fix::safe([e]));
        out.push(d);
    }
    out
}
