//! DF006 root-final-stage: the image's process runs as root.

use super::{Context, Rule};
use crate::diagnostic::{Diagnostic, Severity};
use crate::semantics::images::defaults_to_nonroot;

pub static RULE: Rule = Rule {
    code: "DF006",
    name: "root-final-stage",
    summary: "The final stage runs as root",
    severity: Severity::Warning,
    fixable: false,
    doc: include_str!("../../rules/DF006.md"),
    check,
};

fn check(cx: &Context) -> Vec<Diagnostic> {
    let Some(final_stage) = cx.model.final_stage else {
        return Vec::new();
    };
    let help = "Create an unprivileged user and switch to it with `USER` before `CMD`";
    match cx.model.user_at(cx.df, final_stage, usize::MAX) {
        Some(user) if user.is_root() => {
            let span = cx.df.items[user.item].span;
            let ins = cx.instruction(user.item);
            let span = ins.map_or(span, |i| i.line.span(0, i.line.text.trim_end().len()));
            vec![RULE.diagnostic(
                span,
                format!(
                    "Final stage runs as root: its last `USER` is `{}`",
                    user.raw
                ),
                help.to_string(),
            )]
        }
        Some(_) => Vec::new(),
        None => {
            let chain = cx.model.chain(final_stage);
            let root = *chain.last().unwrap_or(&final_stage);
            let base = cx.model.stages[root].base.as_deref().unwrap_or("");
            if defaults_to_nonroot(base) {
                return Vec::new();
            }
            vec![RULE.diagnostic(
                cx.from_image_span(cx.model.stages[final_stage].from_item),
                "Final stage runs as root: no `USER` is set".to_string(),
                help.to_string(),
            )]
        }
    }
}
