//! DL3021 copy-multiple-sources-dest: a COPY of several sources whose
//! destination does not end with `/`.

use super::{Context, FixAvailability, Rule};
use crate::diagnostic::{Diagnostic, Severity};
use crate::semantics::unquote;
use crate::syntax::Keyword;

pub static RULE: Rule = Rule {
    code: "DL3021",
    name: "copy-multiple-sources-dest",
    summary: "COPY with several sources needs a destination ending in `/`",
    aliases: &[],
    severity: Severity::Error,
    fix: FixAvailability::None,
    default_enabled: false,
    doc: include_str!("../../rules/DL3021.md"),
    check,
};

fn check(cx: &Context) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    for (_, ins) in cx.df.instructions_of(&[Keyword::Copy]) {
        let words = ins.words();
        // Heredocs are sources too (`COPY <<a <<b /dest/`).
        if words.len() < 3 {
            continue;
        }
        let Some(dest) = words.last() else { continue };
        let dest = unquote(dest);
        if dest.ends_with('/') || dest.contains('$') {
            continue;
        }
        out.push(RULE.diagnostic(
            ins.line.span(0, ins.line.text.trim_end().len()),
            format!(
                "COPY of {} sources to `{dest}`, which does not end with `/`",
                words.len() - 1
            ),
            format!("End the destination with a slash: `{dest}/`"),
        ));
    }
    out
}
