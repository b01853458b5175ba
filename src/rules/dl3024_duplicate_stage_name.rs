//! DL3024 duplicate-stage-name: two stages with the same name.

use super::{Context, FixAvailability, Rule};
use crate::diagnostic::{Diagnostic, Severity};

pub static RULE: Rule = Rule {
    code: "DL3024",
    name: "stage-name-not-unique",
    summary: "two stages have the same name",
    aliases: &[],
    severity: Severity::Error,
    fix: FixAvailability::None,
    default_enabled: false,
    doc: include_str!("../../rules/DL3024.md"),
    check,
};

fn check(cx: &Context) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    // The first stage of each name, so that each stage is one lookup.
    let mut first_of: std::collections::HashMap<&str, usize> = std::collections::HashMap::new();
    for (n, stage) in cx.model.stages.iter().enumerate() {
        let Some(name) = &stage.name else { continue };
        let first = &cx.model.stages[*first_of.entry(name.as_str()).or_insert(n)];
        if std::ptr::eq(first, stage) {
            continue;
        }
        let Some(ins) = cx.instruction(stage.from_item) else {
            continue;
        };
        let line = cx
            .instruction(first.from_item)
            .map_or(0, |i| i.start_line());
        out.push(RULE.diagnostic(
            ins.line.span(0, ins.line.text.trim_end().len()),
            format!("Stage name `{name}` is already used by the stage on line {line}"),
            "Give every stage its own name",
        ));
    }
    out
}
