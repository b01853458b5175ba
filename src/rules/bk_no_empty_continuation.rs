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
        // The lines are in file order: those inside this instruction are
        // the run after its first line (a search, not a scan per
        // instruction, which grew with the file times its empty lines).
        let from = lines.partition_point(|&l| l <= ins.start_line());
        let to = lines.partition_point(|&l| l <= ins.end_line());
        let inside = &lines[from..to.max(from)];
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
            .map(|&l| Edit::delete(Span::new(df.line_start(l), df.line_start(l + 1))));
        d.fix = Some(Fix::safe(edits));
        out.push(d);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Each instruction gets the empty lines inside it, found by search in
    /// the file's list, and one finding for all of them.
    #[test]
    fn each_instruction_gets_its_own_empty_lines() {
        let text = "FROM a\nRUN a \\\n\n  b \\\n\n  c\nRUN d\nRUN e \\\n\n f\n";
        let df = crate::parse_valid(text).expect("a valid file");
        assert_eq!(df.empty_continuation_lines, [3, 5, 9]);
        let cx = Context::new(&df, None, None, crate::semantics::Profile::default());
        let found: Vec<(String, usize)> = check(&cx)
            .iter()
            .map(|d| {
                let edits = d.fix.as_ref().map_or(0, |f| f.edits.len());
                (d.message.to_string(), edits)
            })
            .collect();
        assert_eq!(
            found,
            [
                ("Empty continuation line 3 in this `RUN`".to_string(), 2),
                ("Empty continuation line 9 in this `RUN`".to_string(), 1),
            ]
        );
    }
}
