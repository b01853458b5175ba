//! DL3022 copy-from-unknown-stage: `COPY --from=` a name that is no stage
//! defined above.

use super::{Context, FixAvailability, Rule};
use crate::diagnostic::{Diagnostic, Severity};
use crate::semantics::unquote;
use crate::syntax::Keyword;

pub static RULE: Rule = Rule {
    code: "DL3022",
    name: "copy-from-unknown-stage",
    summary: "`COPY --from` names no stage defined before it",
    aliases: &[],
    severity: Severity::Warning,
    fix: FixAvailability::None,
    default_enabled: false,
    doc: include_str!("../../rules/DL3022.md"),
    check,
};

/// Whether a `--from` value is plainly an image reference: it has a
/// registry or namespace, a tag or a digest.
pub fn looks_like_image(value: &str) -> bool {
    value.contains(['/', ':', '@'])
}

fn check(cx: &Context) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    for (n, stage) in cx.model.stages.iter().enumerate() {
        for &item in &stage.items {
            let Some(ins) = cx.instruction(item) else {
                continue;
            };
            if ins.keyword != Keyword::Copy {
                continue;
            }
            let Some(flag) = ins.flag("from") else {
                continue;
            };
            let value = unquote(flag.value.as_deref().unwrap_or(""));
            if value.is_empty() || value.contains('$') || looks_like_image(&value) {
                continue;
            }
            let earlier = &cx.model.stages[..n];
            let known = match value.parse::<usize>() {
                Ok(index) => index < n,
                Err(_) => earlier
                    .iter()
                    .any(|s| s.name.as_deref() == Some(value.to_ascii_lowercase().as_str())),
            };
            // Its own name is DL3023's.
            let own = stage
                .name
                .as_deref()
                .is_some_and(|s| s.eq_ignore_ascii_case(&value));
            if known || own {
                continue;
            }
            out.push(RULE.diagnostic(
                flag.span,
                format!("`COPY --from={value}` names no stage defined above it"),
                "Name a stage defined earlier (`FROM ... AS name`), or give an image with its tag",
            ));
        }
    }
    out
}
