//! ReservedStageName: a stage named `scratch` or `context`, words that
//! already mean the empty image and the build context.

use super::buildkit::from_parts;
use super::{Context, FixAvailability, Rule};
use crate::diagnostic::{Diagnostic, Severity};

pub static RULE: Rule = Rule {
    code: "ReservedStageName",
    name: "reserved-stage-name",
    summary: "a stage is named `scratch` or `context`",
    aliases: &[],
    severity: Severity::Warning,
    fix: FixAvailability::None,
    default_enabled: true,
    doc: include_str!("../../rules/ReservedStageName.md"),
    check,
};

/// Names BuildKit gives a meaning of their own, and what they mean.
const RESERVED: &[(&str, &str)] = &[
    ("scratch", "the empty image"),
    ("context", "the build context"),
];

fn check(cx: &Context) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    for stage in &cx.model.stages {
        let Some(name) = stage.name.as_deref() else {
            continue;
        };
        let Some(&(_, meaning)) = RESERVED.iter().find(|(r, _)| *r == name) else {
            continue;
        };
        let Some(ins) = cx.instruction(stage.from_item) else {
            continue;
        };
        let span = from_parts(ins).name.map_or(ins.keyword_span(), |(_, s)| s);
        out.push(RULE.diagnostic(
            span,
            format!("`{name}` is reserved for {meaning} and should not name a stage"),
            "Choose another stage name",
        ));
    }
    out
}
