//! RedundantTargetPlatform: `FROM --platform=$TARGETPLATFORM`, which asks
//! for what every FROM gets without the flag.

use super::{Context, FixAvailability, Rule};
use crate::diagnostic::{Diagnostic, Edit, Fix, Severity};
use crate::syntax::Span;

pub static RULE: Rule = Rule {
    code: "RedundantTargetPlatform",
    name: "redundant-target-platform",
    summary: "`FROM --platform=$TARGETPLATFORM`, which is the default",
    aliases: &[],
    severity: Severity::Warning,
    fix: FixAvailability::Always,
    default_enabled: true,
    doc: include_str!("../../rules/RedundantTargetPlatform.md"),
    check,
};

fn check(cx: &Context) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    for stage in &cx.model.stages {
        let Some(ins) = cx.instruction(stage.from_item) else {
            continue;
        };
        let Some(flag) = ins.flag("platform") else {
            continue;
        };
        let value = flag.value().unwrap_or("");
        if value != "$TARGETPLATFORM" && value != "${TARGETPLATFORM}" {
            continue;
        }
        let mut d = RULE.diagnostic(
            flag.span,
            format!("`--platform={value}` is what `FROM` does without it"),
            "Remove the flag",
        );
        // The flag and the blanks after it on its line.
        let rest = &cx.df.text[flag.span.end..];
        let blanks = rest.len() - rest.trim_start_matches([' ', '\t']).len();
        let span = Span::new(flag.span.start, flag.span.end + blanks);
        d.fix = Some(Fix::safe([Edit::delete(span)]));
        out.push(d);
    }
    out
}
