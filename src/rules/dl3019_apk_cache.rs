//! DL3019 apk-cache-in-layer: `apk add` without `--no-cache`.

use super::{Context, FixAvailability, Rule};
use crate::diagnostic::{Diagnostic, Edit, Fix, Severity};
use crate::semantics::commands::{apk_add, has_flag, shell_runs};

pub static RULE: Rule = Rule {
    code: "DL3019",
    name: "apk-cache-in-layer",
    summary: "`apk add` without `--no-cache`",
    aliases: &[],
    severity: Severity::Info,
    fix: FixAvailability::Always,
    default_enabled: false,
    doc: include_str!("../../rules/DL3019.md"),
    check,
};

fn check(cx: &Context) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    for run in shell_runs(cx) {
        // A cache or tmpfs mount keeps apk's cache out of the layer.
        let mounts = run.cache_mounts();
        if mounts.iter().any(|t| t == "/var/cache/apk") {
            continue;
        }
        for (script, cmd) in run.commands() {
            let Some(call) = apk_add(cmd) else { continue };
            if has_flag(&call.args, &["--no-cache"], &[]) {
                continue;
            }
            let mut d = RULE.diagnostic(
                run.command_span(script, cmd),
                "`apk add` keeps the package index in /var/cache/apk in the layer",
                "Add `--no-cache`, or mount a cache on /var/cache/apk",
            );
            let after = run.word_span(script, call.subcommand).end;
            d.fix = Some(Fix::safe([Edit::insert(after, " --no-cache")]));
            out.push(d);
        }
    }
    out
}
