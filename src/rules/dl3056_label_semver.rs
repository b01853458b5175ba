//! DL3056 label-not-semver: a label the label schema types `semver` whose value
//! is not a semantic version.

use super::{Context, FixAvailability, Rule};
use crate::diagnostic::{Diagnostic, Severity};
use crate::semantics::managers::{invalid_labels, LabelKind};

pub static RULE: Rule = Rule {
    code: "DL3056",
    name: "label-not-semver",
    aliases: &[],
    summary: "a `semver` label of the label schema whose value is not a semantic version",
    severity: Severity::Warning,
    fix: FixAvailability::None,
    default_enabled: false,
    doc: include_str!("../../rules/DL3056.md"),
    check,
};

/// A numeric part: digits, no leading zero.
fn number(part: &str) -> bool {
    !part.is_empty()
        && part.chars().all(|c| c.is_ascii_digit())
        && (part == "0" || !part.starts_with('0'))
}

/// Dot-separated identifiers of letters, digits and `-`; in a pre-release,
/// a numeric one has no leading zero.
fn identifiers(text: &str, pre: bool) -> bool {
    text.split('.').all(|id| {
        !id.is_empty()
            && id.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
            && (!pre || !id.chars().all(|c| c.is_ascii_digit()) || number(id))
    })
}

/// Semantic Versioning 2.0.0: `MAJOR.MINOR.PATCH[-pre][+build]`.
fn valid(value: &str) -> bool {
    let (rest, build) = match value.split_once('+') {
        Some((r, b)) => (r, Some(b)),
        None => (value, None),
    };
    let (core, pre) = match rest.split_once('-') {
        Some((c, p)) => (c, Some(p)),
        None => (rest, None),
    };
    let parts: Vec<&str> = core.split('.').collect();
    parts.len() == 3
        && parts.iter().all(|p| number(p))
        && pre.is_none_or(|p| identifiers(p, true))
        && build.is_none_or(|b| identifiers(b, false))
}

fn check(cx: &Context) -> Vec<Diagnostic> {
    invalid_labels(cx, LabelKind::Semver, valid)
        .into_iter()
        .map(|p| {
            RULE.diagnostic(
                p.key_span,
                format!("Label `{}` is `{}`, not a semantic version", p.key, p.value),
                "Write it as `MAJOR.MINOR.PATCH` (`1.4.2`, `2.0.0-rc.1`)",
            )
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::valid;

    #[test]
    fn values() {
        for v in ["1.0.0", "2.0.0-rc.1", "1.2.3+build.5", "0.1.0-alpha.0"] {
            assert!(valid(v), "{v}");
        }
        for v in [
            "not-sem-ver",
            "1.0",
            "v1.0.0",
            "01.0.0",
            "1.0.0-01",
            "1.0.0-",
        ] {
            assert!(!valid(v), "{v}");
        }
    }
}
