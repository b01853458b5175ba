//! FromAsCasing: `FROM image as name` or `from image AS name`, where the
//! `AS` keyword does not follow the case of its `FROM`.

use super::buildkit::from_parts;
use super::{Context, FixAvailability, Rule};
use crate::diagnostic::{Diagnostic, Edit, Fix, Severity};

pub static RULE: Rule = Rule {
    code: "FromAsCasing",
    name: "from-as-casing",
    summary: "the `AS` of a FROM is not in the case of its `FROM`",
    aliases: &[],
    severity: Severity::Warning,
    fix: FixAvailability::Always,
    default_enabled: true,
    doc: include_str!("../../rules/FromAsCasing.md"),
    check,
};

fn check(cx: &Context) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    for stage in &cx.model.stages {
        let Some(ins) = cx.instruction(stage.from_item) else {
            continue;
        };
        let Some((word, span)) = from_parts(ins).as_keyword else {
            continue;
        };
        // An upper-case FROM wants `AS`; any other spelling of FROM wants
        // `as` (a mixed-case keyword is ConsistentInstructionCasing's).
        let from = &ins.keyword_text();
        let want = if from.to_ascii_uppercase() == *from {
            word.to_ascii_uppercase()
        } else {
            word.to_ascii_lowercase()
        };
        if want == word {
            continue;
        }
        let mut d = RULE.diagnostic(
            span,
            format!("`{word}` does not match the case of `{from}`"),
            format!("Write `{from} ... {want}`"),
        );
        d.fix = Some(Fix::safe([Edit::replace(span, want)]));
        out.push(d);
    }
    out
}
