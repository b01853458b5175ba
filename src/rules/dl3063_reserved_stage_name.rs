//! DL3063 stage-named-scratch-or-context: a stage named `scratch` or `context`,
//! words that `FROM` and `COPY --from` already give a meaning.

use super::{Context, FixAvailability, Rule};
use crate::diagnostic::{Diagnostic, Severity};

pub static RULE: Rule = Rule {
    code: "DL3063",
    name: "stage-named-scratch-or-context",
    aliases: &[],
    summary: "a stage named `scratch` or `context`",
    severity: Severity::Warning,
    fix: FixAvailability::None,
    default_enabled: false,
    doc: include_str!("../../rules/DL3063.md"),
    check,
};

const RESERVED: &[&str] = &["scratch", "context"];

fn check(cx: &Context) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    for stage in &cx.model.stages {
        let Some(name) = stage.name.as_deref().filter(|n| RESERVED.contains(n)) else {
            continue;
        };
        let Some(ins) = cx.instruction(stage.from_item) else {
            continue;
        };
        out.push(RULE.diagnostic(
            ins.line.span(0, ins.line.text.len()),
            format!("A stage named `{name}` is confused with the reserved `{name}`"),
            "Give the stage another name",
        ));
    }
    out
}
