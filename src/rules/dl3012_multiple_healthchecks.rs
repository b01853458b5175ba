//! DL3012 multiple-healthchecks: more than one HEALTHCHECK in a stage.

use super::{Context, FixAvailability, Rule};
use crate::diagnostic::{Diagnostic, Severity};
use crate::syntax::Keyword;

pub static RULE: Rule = Rule {
    code: "DL3012",
    name: "multiple-healthchecks",
    summary: "a stage has more than one HEALTHCHECK",
    aliases: &[],
    severity: Severity::Error,
    fix: FixAvailability::None,
    default_enabled: false,
    doc: include_str!("../../rules/DL3012.md"),
    check,
};

fn check(cx: &Context) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    for stage in &cx.model.stages {
        let mut previous: Option<usize> = None;
        for &item in &stage.items {
            let Some(ins) = cx.df.instruction_of(item, &[Keyword::Healthcheck]) else {
                continue;
            };
            if let Some(line) = previous {
                out.push(RULE.diagnostic(
                    ins.line.span(0, ins.line.text.trim_end().len()),
                    format!("This HEALTHCHECK replaces the one on line {line} of the same stage"),
                    "Keep one HEALTHCHECK per stage",
                ));
            }
            previous = Some(ins.start_line());
        }
    }
    out
}
