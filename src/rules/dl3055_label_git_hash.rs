//! DL3055 label-not-git-hash: a label the label schema types `hash` whose value
//! is not a git commit hash.

use super::{Context, FixAvailability, Rule};
use crate::diagnostic::{Diagnostic, Severity};
use crate::semantics::managers::{invalid_labels, LabelKind};

pub static RULE: Rule = Rule {
    code: "DL3055",
    name: "label-not-git-hash",
    aliases: &[],
    summary: "a `hash` label of the label schema whose value is not a git commit hash",
    severity: Severity::Warning,
    fix: FixAvailability::None,
    default_enabled: false,
    doc: include_str!("../../rules/DL3055.md"),
    check,
};

/// A commit hash: 7 to 40 hex digits (SHA-1, full or abbreviated) or 64
/// (SHA-256 repositories).
fn valid(value: &str) -> bool {
    ((7..=40).contains(&value.len()) || value.len() == 64)
        && value.chars().all(|c| c.is_ascii_hexdigit())
}

fn check(cx: &Context) -> Vec<Diagnostic> {
    invalid_labels(cx, LabelKind::Hash, valid)
        .into_iter()
        .map(|p| {
            RULE.diagnostic(
                p.key_span,
                format!("Label `{}` is `{}`, not a git commit hash", p.key, p.value),
                "Give the commit's hash (`git rev-parse HEAD`), at least 7 hex digits",
            )
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::valid;

    #[test]
    fn values() {
        for v in ["2dbfae9", "43c572f1272b6b3171dd1db9e41b7027128ce080"] {
            assert!(valid(v), "{v}");
        }
        for v in [
            "not-git-hash",
            "abc12",
            "43c572f1272b6b3171dd1db9e41b7027128ce080aa",
            "g2dbfae9",
        ] {
            assert!(!valid(v), "{v}");
        }
    }
}
