//! DL4005 ln-over-bin-sh: `ln` that replaces `/bin/sh`, where SHELL would
//! change the shell RUN uses.

use super::{Context, FixAvailability, Rule};
use crate::diagnostic::{Diagnostic, Severity};
use crate::semantics::commands::resolve;
use crate::semantics::managers::each_command;

pub static RULE: Rule = Rule {
    code: "DL4005",
    name: "ln-over-bin-sh",
    aliases: &[],
    summary: "`ln` over `/bin/sh` to change the shell, instead of `SHELL`",
    severity: Severity::Warning,
    fix: FixAvailability::None,
    default_enabled: false,
    doc: include_str!("../../rules/DL4005.md"),
    check,
};

fn check(cx: &Context) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    each_command(cx, |run, script, cmd| {
        let r = resolve(cmd);
        if r.program() != "ln" || !r.words[1..].iter().any(|w| w.text == "/bin/sh") {
            return;
        }
        out.push(RULE.diagnostic(
            run.command_span(script, cmd),
            "`ln` replaces `/bin/sh` for every program in the image",
            "Use `SHELL [\"/bin/bash\", \"-c\"]` to change the shell RUN uses",
        ));
    });
    out
}
