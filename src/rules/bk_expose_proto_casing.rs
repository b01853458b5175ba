//! ExposeProtoCasing: `EXPOSE 53/UDP`. The protocol is read in lower case
//! only; other spellings work by accident of the parser and read as a typo.

use super::buildkit::arg_words;
use super::{Context, FixAvailability, Rule};
use crate::diagnostic::{Diagnostic, Edit, Fix, Severity};
use crate::syntax::{Keyword, Span};

pub static RULE: Rule = Rule {
    code: "ExposeProtoCasing",
    name: "expose-proto-casing",
    summary: "an EXPOSE protocol that is not lowercase",
    aliases: &[],
    severity: Severity::Warning,
    fix: FixAvailability::Always,
    default_enabled: true,
    doc: include_str!("../../rules/ExposeProtoCasing.md"),
    check,
};

fn check(cx: &Context) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    for (_, ins) in cx.df.instructions_of(&[Keyword::Expose]) {
        for (word, span) in arg_words(ins) {
            // A variable's value is not known here.
            if word.contains('$') {
                continue;
            }
            let Some((_, proto)) = word.rsplit_once('/') else {
                continue;
            };
            let lower = proto.to_ascii_lowercase();
            if lower == proto {
                continue;
            }
            let mut d = RULE.diagnostic(
                span,
                format!("Protocol `{proto}` in `{word}` should be lowercase"),
                format!("Write `{lower}`"),
            );
            // The word lies on one line when its span is as long as it is.
            if span.len() == word.len() {
                let at = span.end - proto.len();
                d.fix = Some(Fix::safe([Edit::replace(Span::new(at, span.end), lower)]));
            }
            out.push(d);
        }
    }
    out
}
