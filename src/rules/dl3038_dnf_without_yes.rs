//! DL3038 dnf-without-yes: `dnf install` or `microdnf install` without `-y`, which stops at its
//! confirmation prompt when no one is there to answer.

use super::{Context, FixAvailability, Rule};
use crate::diagnostic::{Diagnostic, Severity};
use crate::semantics::managers::Family;

pub static RULE: Rule = Rule {
    code: "DL3038",
    name: "dnf-without-yes",
    aliases: &[],
    summary: "`dnf install` without `-y` waits for a confirmation no one gives",
    severity: Severity::Warning,
    fix: FixAvailability::Always,
    default_enabled: false,
    doc: include_str!("../../rules/DL3038.md"),
    check,
};

fn check(cx: &Context) -> Vec<Diagnostic> {
    super::dl3030_yum_without_yes::without_yes(cx, Family::Dnf, &RULE)
}
