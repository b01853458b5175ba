//! DL3023 copy-from-own-stage: `COPY --from=` the stage the COPY is in.

use super::{Context, FixAvailability, Rule};
use crate::diagnostic::{Diagnostic, Severity};
use crate::semantics::unquote;
use crate::syntax::Keyword;

pub static RULE: Rule = Rule {
    code: "DL3023",
    name: "copy-from-own-stage",
    summary: "`COPY --from` names the stage it is in",
    aliases: &[],
    severity: Severity::Error,
    fix: FixAvailability::None,
    default_enabled: false,
    doc: include_str!("../../rules/DL3023.md"),
    check,
};

fn check(cx: &Context) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    for (n, stage) in cx.model.stages.iter().enumerate() {
        for &item in &stage.items {
            let Some(ins) = cx.df.instruction_of(item, &[Keyword::Copy]) else {
                continue;
            };
            let Some(flag) = ins.flag("from") else {
                continue;
            };
            let value = unquote(flag.value().unwrap_or(""));
            let own = match value.parse::<usize>() {
                Ok(index) => index == n,
                Err(_) => stage
                    .name
                    .as_deref()
                    .is_some_and(|s| s.eq_ignore_ascii_case(&value)),
            };
            if !own {
                continue;
            }
            out.push(RULE.diagnostic(
                flag.span,
                format!("`COPY --from={value}` names the stage this COPY is in"),
                "Copy from an earlier stage; within a stage, use RUN cp",
            ));
        }
    }
    out
}
