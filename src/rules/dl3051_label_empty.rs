//! DL3051 label-empty: a label of the label schema set to an empty value.

use super::{Context, FixAvailability, Rule};
use crate::diagnostic::{Diagnostic, Severity};
use crate::semantics::managers::{label_pairs, schema_kind};

pub static RULE: Rule = Rule {
    code: "DL3051",
    name: "label-empty",
    aliases: &[],
    summary: "a label of the label schema set to an empty value",
    severity: Severity::Warning,
    fix: FixAvailability::None,
    default_enabled: false,
    doc: include_str!("../../rules/DL3051.md"),
    check,
};

fn check(cx: &Context) -> Vec<Diagnostic> {
    if cx.options.label_schema.is_empty() {
        return Vec::new();
    }
    label_pairs(cx)
        .into_iter()
        .filter(|p| p.value.trim().is_empty() && schema_kind(cx, &p.key).is_some())
        .map(|p| {
            RULE.diagnostic(
                p.key_span,
                format!("Label `{}` is empty", p.key),
                "Give it a value, or leave the label out",
            )
        })
        .collect()
}
