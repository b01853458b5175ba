//! DL4001 wget-and-curl: a stage that uses both wget and curl.

use super::{Context, FixAvailability, Rule};
use crate::diagnostic::{Diagnostic, Severity};
use crate::semantics::commands::resolve;
use crate::semantics::managers::{nested_commands, runs_and_triggers};

pub static RULE: Rule = Rule {
    code: "DL4001",
    name: "wget-and-curl",
    aliases: &[],
    summary: "both `wget` and `curl` in one stage",
    severity: Severity::Warning,
    fix: FixAvailability::None,
    default_enabled: false,
    doc: include_str!("../../rules/DL4001.md"),
    check,
};

fn check(cx: &Context) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    // Per stage: whether wget and curl were seen so far.
    let mut seen = vec![(false, false); cx.model.stages.len()];
    for run in runs_and_triggers(cx) {
        let Some(state) = seen.get_mut(run.stage) else {
            continue;
        };
        let mut first = None;
        for (script, cmd) in run.commands() {
            // Also the commands of its substitutions: `V=$(curl -s URL)`.
            let nested = nested_commands(cmd);
            for program in std::iter::once(cmd)
                .chain(&nested)
                .map(|c| resolve(c).program())
            {
                let tool = match program {
                    "wget" => &mut state.0,
                    "curl" => &mut state.1,
                    _ => continue,
                };
                *tool = true;
                first.get_or_insert((script, cmd));
            }
        }
        if let (Some((script, cmd)), (true, true)) = (first, *state) {
            out.push(RULE.diagnostic(
                run.command_span(script, cmd),
                "This stage downloads with both `wget` and `curl`",
                "Use one of them throughout the stage",
            ));
        }
    }
    out
}
