//! MaintainerDeprecated: the MAINTAINER instruction, replaced by the
//! `org.opencontainers.image.authors` label.

use super::{Context, FixAvailability, Rule};
use crate::diagnostic::{Diagnostic, Edit, Fix, Severity};
use crate::syntax::{Args, Instruction, Keyword, Span};

pub static RULE: Rule = Rule {
    code: "MaintainerDeprecated",
    name: "maintainer-deprecated",
    summary: "the deprecated MAINTAINER instruction",
    aliases: &[],
    severity: Severity::Warning,
    fix: FixAvailability::Sometimes,
    default_enabled: true,
    doc: include_str!("../../rules/MaintainerDeprecated.md"),
    check,
};

const LABEL: &str = "org.opencontainers.image.authors";

/// The LABEL that says what the MAINTAINER says, when its text can be put
/// in double quotes unchanged (LABEL expands `$` and reads escapes and
/// quotes, MAINTAINER does not).
fn replacement(ins: &Instruction, text: &str, escape: char) -> Option<String> {
    if ins.start_line() != ins.end_line()
        || text.is_empty()
        || text.contains(['"', '$', escape, '\\', '`'])
    {
        return None;
    }
    let keyword = if ins.keyword_text().to_ascii_lowercase() == ins.keyword_text() {
        "label"
    } else {
        "LABEL"
    };
    Some(format!("{keyword} {LABEL}=\"{text}\""))
}

fn check(cx: &Context) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    for (_, ins) in cx.df.instructions_of(&[Keyword::Maintainer]) {
        let Args::Text(text) = &ins.args else {
            continue;
        };
        let text = text.trim();
        let mut d = RULE.diagnostic(
            ins.keyword_span(),
            "`MAINTAINER` is deprecated",
            format!("Use `LABEL {LABEL}=\"...\"` instead"),
        );
        if let Some(label) = replacement(ins, text, cx.df.escape) {
            let end = ins.line.offset(ins.line.text.trim_end().len());
            let span = Span::new(ins.keyword_span().start, end);
            d.fix = Some(Fix::safe([Edit::replace(span, label)]));
        }
        out.push(d);
    }
    out
}
