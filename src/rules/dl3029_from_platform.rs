//! DL3029 from-platform-flag: `FROM --platform=` with a fixed platform.

use super::{Context, FixAvailability, Rule};
use crate::diagnostic::{Diagnostic, Severity};

pub static RULE: Rule = Rule {
    code: "DL3029",
    name: "from-platform-flag",
    summary: "FROM pins a platform with `--platform`",
    aliases: &[],
    severity: Severity::Warning,
    fix: FixAvailability::None,
    default_enabled: false,
    doc: include_str!("../../rules/DL3029.md"),
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
        // `$BUILDPLATFORM`, `$TARGETPLATFORM` and other build arguments
        // follow the build's own platforms.
        if value.contains('$') {
            continue;
        }
        out.push(RULE.diagnostic(
            flag.span,
            format!("`FROM --platform={value}` builds this stage for that platform whatever the build asks for"),
            "Drop `--platform`, or use `--platform=$BUILDPLATFORM` for a stage that runs build tools",
        ));
    }
    out
}
