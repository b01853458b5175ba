//! DL3050 label-not-in-schema: with `strict-labels`, a label the label
//! schema does not name.

use super::{Context, FixAvailability, Rule};
use crate::diagnostic::{Diagnostic, Severity};
use crate::semantics::managers::label_pairs;

pub static RULE: Rule = Rule {
    code: "DL3050",
    name: "label-not-in-schema",
    aliases: &[],
    summary: "a label the label schema does not name, with `strict-labels`",
    severity: Severity::Info,
    fix: FixAvailability::None,
    default_enabled: false,
    doc: include_str!("../../rules/DL3050.md"),
    check,
};

fn check(cx: &Context) -> Vec<Diagnostic> {
    if !cx.options.strict_labels {
        return Vec::new();
    }
    let schema = &cx.options.label_schema;
    label_pairs(cx)
        .into_iter()
        .filter(|p| !schema.iter().any(|(label, _)| *label == p.key))
        .map(|p| {
            RULE.diagnostic(
                p.key_span,
                format!("Label `{}` is not in the label schema", p.key),
                "Remove it, or add it to `label-schema`",
            )
        })
        .collect()
}
