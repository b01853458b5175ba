//! DL1001 inline-ignore-pragma: a suppression comment for the next
//! instruction.

use super::{Context, FixAvailability, Rule};
use crate::diagnostic::{Diagnostic, Severity};
use crate::semantics::pragmas::{pragmas, PragmaTool};

pub static RULE: Rule = Rule {
    code: "DL1001",
    name: "inline-ignore-pragma",
    summary: "an inline `# hadolint ignore=` or `# dflint ignore=` comment",
    aliases: &[],
    severity: Severity::Info,
    fix: FixAvailability::None,
    default_enabled: false,
    doc: include_str!("../../rules/DL1001.md"),
    check,
};

/// Whether a comment is the inline form, `# TOOL ignore=...` (not `global`
/// or `stage`).
fn is_inline(text: &str, tool: &str) -> bool {
    let rest = text.trim().trim_start_matches('#').trim_start();
    rest.get(..tool.len())
        .is_some_and(|t| t.eq_ignore_ascii_case(tool))
        && rest[tool.len()..].trim_start().starts_with("ignore")
}

fn check(cx: &Context) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    for p in pragmas(cx.df) {
        let tool = match p.tool {
            PragmaTool::Hadolint => "hadolint",
            PragmaTool::Dflint => "dflint",
            PragmaTool::BuildKit => continue,
        };
        let text = cx.df.slice(p.span);
        if !is_inline(text, tool) {
            continue;
        }
        let trimmed = text.trim_end();
        let span = crate::syntax::Span::new(p.span.start, p.span.start + trimmed.len());
        out.push(RULE.diagnostic(
            span,
            format!(
                "`{}` silences a finding on the next instruction",
                trimmed.trim()
            ),
            "Fix the finding, or configure the rule for the project instead",
        ));
    }
    out
}
