//! DL3057 healthcheck-missing: a final image without a HEALTHCHECK.

use super::{Context, FixAvailability, Rule};
use crate::diagnostic::{Diagnostic, Severity};
use crate::syntax::Keyword;

pub static RULE: Rule = Rule {
    code: "DL3057",
    name: "healthcheck-missing",
    aliases: &[],
    summary: "the image has no `HEALTHCHECK` (and none says there is none)",
    severity: Severity::Info,
    fix: FixAvailability::None,
    default_enabled: false,
    doc: include_str!("../../rules/DL3057.md"),
    check,
};

fn check(cx: &Context) -> Vec<Diagnostic> {
    let Some(last) = cx.model.final_stage else {
        return Vec::new();
    };
    let has = cx
        .model
        .lineage(last)
        .into_iter()
        .any(|item| cx.df.keyword(item) == Some(Keyword::Healthcheck));
    if has {
        return Vec::new();
    }
    let Some(from) = cx.instruction(cx.model.stages[last].from_item) else {
        return Vec::new();
    };
    vec![RULE.diagnostic(
        from.line.span(0, from.line.text.len()),
        "The image has no `HEALTHCHECK`",
        "Add a `HEALTHCHECK CMD ...`, or `HEALTHCHECK NONE` to say it needs none",
    )]
}
