//! DL4004 multiple-entrypoint: a stage with more than one ENTRYPOINT: only
//! the last takes effect.

use super::dl4003_multiple_cmd::overridden;
use super::{Context, FixAvailability, Rule};
use crate::diagnostic::{Diagnostic, Severity};
use crate::syntax::Keyword;

pub static RULE: Rule = Rule {
    code: "DL4004",
    name: "multiple-entrypoint",
    aliases: &[],
    summary: "more than one `ENTRYPOINT` in a stage: only the last counts",
    severity: Severity::Error,
    fix: FixAvailability::Sometimes,
    default_enabled: false,
    doc: include_str!("../../rules/DL4004.md"),
    check,
};

fn check(cx: &Context) -> Vec<Diagnostic> {
    overridden(cx, &RULE, Keyword::Entrypoint)
}
