//! DL3003 cd-in-run: a RUN that changes directory with `cd`.

use super::{Context, FixAvailability, Rule};
use crate::diagnostic::{Diagnostic, Severity};
use crate::semantics::commands::resolve;

pub static RULE: Rule = Rule {
    code: "DL3003",
    name: "cd-in-run",
    summary: "a RUN changes directory with `cd` instead of using WORKDIR",
    aliases: &[],
    severity: Severity::Warning,
    fix: FixAvailability::None,
    default_enabled: false,
    doc: include_str!("../../rules/DL3003.md"),
    check,
};

fn check(cx: &Context) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    for run in cx.runs() {
        for (script, cmd) in run.commands() {
            if resolve(cmd).program() != "cd" {
                continue;
            }
            out.push(RULE.diagnostic(
                run.command_span(script, cmd),
                "`cd` changes directory for the rest of this RUN only",
                "Set the directory with WORKDIR, or give the commands absolute paths",
            ));
        }
    }
    out
}
