//! DL3041 dnf-version-not-pinned: `dnf install` or `microdnf install` of a package without a
//! version (`name-version`), or of a module without a stream.

use super::{Context, FixAvailability, Rule};
use crate::diagnostic::{Diagnostic, Severity};
use crate::semantics::managers::Family;

pub static RULE: Rule = Rule {
    code: "DL3041",
    name: "dnf-version-not-pinned",
    aliases: &[],
    summary: "`dnf install` of a package without a version",
    severity: Severity::Warning,
    fix: FixAvailability::None,
    default_enabled: false,
    doc: include_str!("../../rules/DL3041.md"),
    check,
};

fn check(cx: &Context) -> Vec<Diagnostic> {
    super::dl3033_yum_version_not_pinned::unpinned(cx, Family::Dnf, &RULE)
}
