//! DL3058 label-not-email: a label the label schema types `email` whose value
//! is not an email address.

use super::{Context, FixAvailability, Rule};
use crate::diagnostic::{Diagnostic, Severity};
use crate::semantics::managers::{invalid_labels, LabelKind};

pub static RULE: Rule = Rule {
    code: "DL3058",
    name: "label-not-email",
    aliases: &[],
    summary: "an `email` label of the label schema whose value is not an email address",
    severity: Severity::Warning,
    fix: FixAvailability::None,
    default_enabled: false,
    doc: include_str!("../../rules/DL3058.md"),
    check,
};

/// An address `local@domain`: the local part of letters, digits and
/// `!#$%&'*+/=?^_`{|}~.-` (no dot at an end or twice in a row), the domain
/// of labels of letters, digits and inner `-`, joined by dots.
fn valid(value: &str) -> bool {
    let Some((local, domain)) = value.rsplit_once('@') else {
        return false;
    };
    let local_ok = !local.is_empty()
        && !local.starts_with('.')
        && !local.ends_with('.')
        && !local.contains("..")
        && local
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "!#$%&'*+/=?^_`{|}~.-".contains(c));
    let domain_ok = !domain.is_empty()
        && domain.split('.').all(|label| {
            !label.is_empty()
                && !label.starts_with('-')
                && !label.ends_with('-')
                && label.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
        });
    local_ok && domain_ok
}

fn check(cx: &Context) -> Vec<Diagnostic> {
    invalid_labels(cx, LabelKind::Email, valid)
        .into_iter()
        .map(|p| {
            RULE.diagnostic(
                p.key_span,
                format!("Label `{}` is `{}`, not an email address", p.key, p.value),
                "Give an address such as `team@example.com`",
            )
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::valid;

    #[test]
    fn values() {
        for v in ["abcd@google.com", "first.last+tag@example.co.uk"] {
            assert!(valid(v), "{v}");
        }
        for v in [
            "not-email",
            "a@",
            "@b.com",
            "a..b@c.com",
            "Jane <jane@example.com>",
        ] {
            assert!(!valid(v), "{v}");
        }
    }
}
