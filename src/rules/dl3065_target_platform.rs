//! DL3065 from-platform-is-target-platform: `FROM --platform=$TARGETPLATFORM`,
//! which says what FROM does without it.

use super::{Context, FixAvailability, Rule};
use crate::diagnostic::{Diagnostic, Edit, Fix, Severity};
use crate::syntax::{Keyword, Span};

pub static RULE: Rule = Rule {
    code: "DL3065",
    name: "from-platform-is-target-platform",
    aliases: &[],
    summary: "`FROM --platform=$TARGETPLATFORM` says what FROM does by default",
    severity: Severity::Warning,
    fix: FixAvailability::Always,
    default_enabled: false,
    doc: include_str!("../../rules/DL3065.md"),
    check,
};

fn check(cx: &Context) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    for (_, ins) in cx.df.instructions_of(&[Keyword::From]) {
        let Some(flag) = ins.flag("platform") else {
            continue;
        };
        let value = flag.value().unwrap_or("");
        if !matches!(value, "$TARGETPLATFORM" | "${TARGETPLATFORM}") {
            continue;
        }
        let mut d = RULE.diagnostic(
            flag.span,
            format!("`--platform={value}` is what `FROM` uses without it"),
            "Remove the flag",
        );
        // The flag and the blanks after it, up to the next word.
        let rest = &cx.df.text[flag.span.end..];
        let blanks = rest.len() - rest.trim_start_matches([' ', '\t']).len();
        d.fix = Some(Fix::safe([Edit::delete(Span::new(
            flag.span.start,
            flag.span.end + blanks,
        ))]));
        out.push(d);
    }
    out
}
