//! DL4003 multiple-cmd: a stage with more than one CMD (and DL4004 the
//! same for ENTRYPOINT): only the last takes effect.

use super::{Context, FixAvailability, Rule};
use crate::diagnostic::{Diagnostic, Edit, Fix, Severity};
use crate::syntax::Keyword;

pub static RULE: Rule = Rule {
    code: "DL4003",
    name: "multiple-cmd",
    aliases: &[],
    summary: "more than one `CMD` in a stage: only the last counts",
    severity: Severity::Warning,
    fix: FixAvailability::Sometimes,
    default_enabled: false,
    doc: include_str!("../../rules/DL4003.md"),
    check,
};

/// Findings for every instruction of `keyword` that a later one of the same
/// stage overrides, with a fix that deletes it.
pub fn overridden(cx: &Context, rule: &Rule, keyword: Keyword) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    for stage in &cx.model.stages {
        let items: Vec<usize> = stage
            .items
            .iter()
            .copied()
            .filter(|&i| cx.df.keyword(i) == Some(keyword))
            .collect();
        let Some((&last, earlier)) = items.split_last() else {
            continue;
        };
        let Some(last_ins) = cx.instruction(last) else {
            continue;
        };
        for &item in earlier {
            let Some(ins) = cx.instruction(item) else {
                continue;
            };
            let word = ins.keyword_text().to_ascii_uppercase();
            let mut d = rule.diagnostic(
                ins.line.span(0, ins.line.text.len()),
                format!(
                    "This {word} has no effect: the {word} on line {} replaces it",
                    last_ins.start_line()
                ),
                format!("Remove it, or keep only the {word} you mean"),
            );
            // Comment lines inside the instruction's continuation would go
            // with it: only a plain instruction is deleted.
            let span = cx.df.items[item].span;
            let carries_comments = cx
                .df
                .slice(span)
                .lines()
                .skip(1)
                .any(|l| l.trim_start().starts_with('#'));
            if !carries_comments {
                d.fix = Some(Fix::safe([Edit::delete(span)]));
            }
            out.push(d);
        }
    }
    out
}

fn check(cx: &Context) -> Vec<Diagnostic> {
    overridden(cx, &RULE, Keyword::Cmd)
}
