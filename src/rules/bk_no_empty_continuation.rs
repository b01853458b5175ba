//! NoEmptyContinuation: an empty line inside a line continuation. BuildKit
//! skips it with a warning today and means to reject it in a future release.

use super::{Context, FixAvailability, Rule};
use crate::diagnostic::{Diagnostic, Edit, Fix, Severity};
use crate::syntax::{ItemKind, Span};

pub static RULE: Rule = Rule {
    code: "NoEmptyContinuation",
    name: "no-empty-continuation",
    summary: "an empty line inside a line continuation",
    aliases: &[],
    severity: Severity::Warning,
    fix: FixAvailability::Always,
    default_enabled: true,
    doc: include_str!("../../rules/NoEmptyContinuation.md"),
    check,
};

fn check(cx: &Context) -> Vec<Diagnostic> {
    let df = cx.df;
    let lines = &df.empty_continuation_lines;
    if lines.is_empty() {
        return Vec::new();
    }
    let mut out = Vec::new();
    // BuildKit warns once per instruction, however many empty lines it has.
    for item in &df.items {
        let ItemKind::Instruction(ins) = &item.kind else {
            continue;
        };
        let inside: Vec<usize> = lines
            .iter()
            .copied()
            .filter(|&l| ins.start_line() < l && l <= ins.end_line())
            .collect();
        let Some(&first) = inside.first() else {
            continue;
        };
        let word = Span::new(
            ins.keyword_span().start,
            ins.keyword_span().end.max(ins.keyword_span().start + 1),
        );
        let mut d = RULE.diagnostic(
            word,
            format!(
                "Empty continuation line {first} in this `{}`",
                ins.keyword_text()
            ),
            "Delete the empty line, or end the instruction before it",
        );
        // The parser skips these lines, so deleting them leaves the
        // instruction's text exactly as it was.
        let edits = inside
            .iter()
            .map(|&l| Edit::delete(Span::new(df.line_start(l), df.line_start(l + 1))))
            .collect();
        d.fix = Some(Fix::safe(edits));
        out.push(d);
    }
    out
}
