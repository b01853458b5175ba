//! DL3001 pointless-command: a RUN that calls a program meant for an
//! interactive machine (an editor, a process viewer, `service`, `ssh`).

use super::{Context, FixAvailability, Rule};
use crate::diagnostic::{Diagnostic, Severity};
use crate::semantics::commands::{resolve, shell_runs};

pub static RULE: Rule = Rule {
    code: "DL3001",
    name: "pointless-command",
    summary: "a RUN calls a program that makes no sense while building an image",
    aliases: &[],
    severity: Severity::Info,
    fix: FixAvailability::None,
    default_enabled: false,
    doc: include_str!("../../rules/DL3001.md"),
    check,
};

/// Programs for a person at a running machine, and why they do nothing useful in a build.
const POINTLESS: &[(&str, &str)] = &[
    ("ssh", "there is no one to log in as the build runs"),
    ("vim", "an editor waits for a person"),
    ("shutdown", "there is no machine to shut down"),
    ("service", "no init system runs the service after this RUN"),
    ("ps", "the only processes are the build's own"),
    ("free", "memory at build time says nothing about run time"),
    ("top", "a process viewer waits for a person"),
    ("kill", "no process of the image survives the RUN"),
    ("mount", "mounts do not outlive the RUN"),
    ("ifconfig", "the build's network is not the container's"),
];

fn check(cx: &Context) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    for run in shell_runs(cx) {
        for (script, cmd) in run.commands() {
            let r = resolve(cmd);
            let Some((program, why)) = POINTLESS.iter().find(|(p, _)| *p == r.program()) else {
                continue;
            };
            out.push(RULE.diagnostic(
                run.command_span(script, cmd),
                format!("`{program}` makes no sense in an image build: {why}"),
                format!("Remove `{program}` from the RUN"),
            ));
        }
    }
    out
}
