//! FromPlatformFlagConstDisallowed: `FROM --platform=linux/amd64`, a fixed
//! platform that stops the file from building for any other.

use super::{Context, FixAvailability, Rule};
use crate::diagnostic::{Diagnostic, Severity};

pub static RULE: Rule = Rule {
    code: "FromPlatformFlagConstDisallowed",
    name: "from-platform-flag-const-disallowed",
    summary: "`FROM --platform` with a constant platform",
    aliases: &[],
    severity: Severity::Warning,
    fix: FixAvailability::None,
    default_enabled: true,
    doc: include_str!("../../rules/FromPlatformFlagConstDisallowed.md"),
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
        if value.is_empty() || value.contains('$') {
            continue;
        }
        // A stage named after its platform (`build_amd64`) is meant for
        // that platform alone, and picked by an ARG elsewhere.
        let name = stage.name.as_deref().unwrap_or("");
        let lower = value.to_ascii_lowercase();
        let mut parts = lower.split('/');
        let os = parts.next().unwrap_or("");
        let arch = parts.next().unwrap_or("");
        if !name.is_empty() && [os, arch].iter().any(|p| !p.is_empty() && name.contains(p)) {
            continue;
        }
        out.push(RULE.diagnostic(
            flag.span,
            format!("`--platform` is the constant `{value}`"),
            "Leave the platform to `docker build --platform`, use a variable such as `$BUILDPLATFORM`, or name the stage after its platform",
        ));
    }
    out
}
