//! DL3067 copy-whole-stage: `COPY --from=<stage> / /`, the whole file
//! system of another stage or image.

use super::{Context, FixAvailability, Rule};
use crate::diagnostic::{Diagnostic, Severity};
use crate::syntax::Keyword;

pub static RULE: Rule = Rule {
    code: "DL3067",
    name: "copy-whole-stage",
    aliases: &[],
    summary: "`COPY --from=<stage> / /` copies a whole file system",
    severity: Severity::Warning,
    fix: FixAvailability::None,
    default_enabled: false,
    doc: include_str!("../../rules/DL3067.md"),
    check,
};

fn is_root(word: &str) -> bool {
    word.trim_matches(|c| c == '"' || c == '\'') == "/"
}

fn check(cx: &Context) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    for (_, ins) in cx.df.instructions_of(&[Keyword::Copy]) {
        let Some(from) = ins.flag("from").and_then(|f| f.value()) else {
            continue;
        };
        if !matches!(ins.words(), [src, dest] if is_root(src) && is_root(dest)) {
            continue;
        }
        out.push(RULE.diagnostic(
            ins.line.span(0, ins.line.text.len()),
            format!("`COPY --from={from} / /` copies the whole file system of `{from}`"),
            "Copy only the directories the image needs",
        ));
    }
    out
}
