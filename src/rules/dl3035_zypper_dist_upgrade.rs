//! DL3035 zypper-dist-upgrade: `zypper dist-upgrade` in a Dockerfile.

use super::{Context, FixAvailability, Rule};
use crate::diagnostic::{Diagnostic, Severity};
use crate::semantics::managers::{each_command, manager_call, Family};

pub static RULE: Rule = Rule {
    code: "DL3035",
    name: "zypper-dist-upgrade",
    aliases: &[],
    summary: "`zypper dist-upgrade` moves the image to another distribution release",
    severity: Severity::Warning,
    fix: FixAvailability::None,
    default_enabled: false,
    doc: include_str!("../../rules/DL3035.md"),
    check,
};

fn check(cx: &Context) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    each_command(cx, |run, script, cmd| {
        let Some(call) = manager_call(cmd) else {
            return;
        };
        if call.family == Family::Zypper && call.sub == "dist-upgrade" {
            out.push(RULE.diagnostic(
                run.command_span(script, cmd),
                "`zypper dist-upgrade` upgrades the whole distribution inside the image",
                "Use a newer base image instead, or `zypper update` for fixes within the release",
            ));
        }
    });
    out
}
