//! InvalidDefinitionDescription: a comment right above a named stage or an
//! ARG that does not start with that name. BuildKit reads such comments as
//! the stage's or the argument's description (`docker buildx build
//! --call=outline`) when they follow the form `# <name> <description>`.
//!
//! BuildKit runs this check only when the file asks for it with
//! `# check=experimental=InvalidDefinitionDescription` (or `=all`); so
//! does dflint.

use super::{Context, FixAvailability, Rule};
use crate::diagnostic::{Diagnostic, Severity};
use crate::semantics::pragmas::check_options;
use crate::syntax::{ItemKind, Keyword};

pub static RULE: Rule = Rule {
    code: "InvalidDefinitionDescription",
    name: "invalid-definition-description",
    summary:
        "a comment above a stage or ARG that is not `# <name> <description>` (when the file asks)",
    aliases: &[],
    severity: Severity::Warning,
    fix: FixAvailability::None,
    default_enabled: true,
    doc: include_str!("../../rules/InvalidDefinitionDescription.md"),
    check,
};

/// Comments that are instructions to a tool, not descriptions.
const TOOL_COMMENTS: &[&str] = &["dflint", "hadolint", "check", "syntax", "escape", "!"];

fn check(cx: &Context) -> Vec<Diagnostic> {
    if !check_options(cx.df).wants_experimental(RULE.code) {
        return Vec::new();
    }
    let items = &cx.df.items;
    let mut out = Vec::new();
    for (idx, item) in items.iter().enumerate() {
        let ItemKind::Instruction(ins) = &item.kind else {
            continue;
        };
        let (what, names): (&str, Vec<String>) = match ins.keyword {
            Keyword::From => match ins.words().get(2) {
                Some(name) => ("stage", vec![name.to_string()]),
                None => continue,
            },
            Keyword::Arg => (
                "argument",
                ins.words()
                    .iter()
                    .map(|w| w.split('=').next().unwrap_or(w).to_string())
                    .collect(),
            ),
            _ => continue,
        };
        // The comment block right above: a bare `#` line ends it.
        let Some(prev) = idx.checked_sub(1).map(|i| &items[i]) else {
            continue;
        };
        if !matches!(prev.kind, ItemKind::Comment) {
            continue;
        }
        let line = cx.df.slice(prev.span).trim();
        let body = line.trim_start_matches('#').trim();
        if body.is_empty() || TOOL_COMMENTS.iter().any(|t| body.starts_with(t)) {
            continue;
        }
        let first = body.split(' ').next().unwrap_or("");
        if names.iter().any(|n| n == first) {
            continue;
        }
        let example = match names.as_slice() {
            [one] => one.clone(),
            _ => "<name>".to_string(),
        };
        let end = prev.span.start + cx.df.slice(prev.span).trim_end().len();
        out.push(RULE.diagnostic(
            crate::syntax::Span::new(prev.span.start, end),
            format!("The comment above this {what} does not start with its name `{example}`"),
            format!("Write `# {example} <description>`, or leave a line between the comment and the instruction"),
        ));
    }
    out
}
