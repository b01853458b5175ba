//! DL4000 maintainer-instruction: the MAINTAINER instruction, which
//! Docker deprecated for a label.

use super::{Context, FixAvailability, Rule};
use crate::diagnostic::{Diagnostic, Edit, Fix, Severity};
use crate::syntax::{Args, Keyword, Span};

pub static RULE: Rule = Rule {
    code: "DL4000",
    name: "maintainer-instruction",
    aliases: &[],
    summary: "`MAINTAINER` is deprecated: use a label",
    severity: Severity::Error,
    fix: FixAvailability::Sometimes,
    default_enabled: false,
    doc: include_str!("../../rules/DL4000.md"),
    check,
};

/// The OCI annotation for who made an image.
const AUTHORS: &str = "org.opencontainers.image.authors";

fn check(cx: &Context) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    for (_, ins) in cx.df.instructions_of(&[Keyword::Maintainer]) {
        let mut d = RULE.diagnostic(
            ins.keyword_span(),
            "`MAINTAINER` is deprecated",
            format!("Replace it with `LABEL {AUTHORS}=\"...\"`"),
        );
        let Args::Text(text) = &ins.args else {
            out.push(d);
            continue;
        };
        let text = text.trim();
        // LABEL reads quotes, `$` and escapes where MAINTAINER takes the
        // text as it is: only text that means the same in double quotes,
        // on one line, is moved.
        let plain = !text.is_empty()
            && ins.start_line() == ins.end_line()
            && !text.contains(['"', '$', '\\', '`', cx.df.escape]);
        if plain {
            let keyword = if ins.keyword_text().chars().any(|c| c.is_ascii_lowercase()) {
                "label"
            } else {
                "LABEL"
            };
            let end = ins.line.offset(ins.line.text.trim_end().len());
            d.fix = Some(Fix::safe([Edit::replace(
                Span::new(ins.keyword_span().start, end),
                format!("{keyword} {AUTHORS}=\"{text}\""),
            )]));
        }
        out.push(d);
    }
    out
}
