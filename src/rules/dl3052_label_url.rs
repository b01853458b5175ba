//! DL3052 label-not-url: a label the label schema types `url` whose value
//! is not a URL.

use super::{Context, FixAvailability, Rule};
use crate::diagnostic::{Diagnostic, Severity};
use crate::semantics::managers::{invalid_labels, LabelKind};

pub static RULE: Rule = Rule {
    code: "DL3052",
    name: "label-not-url",
    aliases: &[],
    summary: "a `url` label of the label schema whose value is not a URL",
    severity: Severity::Warning,
    fix: FixAvailability::None,
    default_enabled: false,
    doc: include_str!("../../rules/DL3052.md"),
    check,
};

/// An absolute URI: a scheme (a letter, then letters, digits, `+`, `-`,
/// `.`), a colon, and something after it, without blanks.
fn valid(value: &str) -> bool {
    let Some((scheme, rest)) = value.split_once(':') else {
        return false;
    };
    scheme.starts_with(|c: char| c.is_ascii_alphabetic())
        && scheme
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'))
        && !rest.is_empty()
        && !value.chars().any(char::is_whitespace)
}

fn check(cx: &Context) -> Vec<Diagnostic> {
    invalid_labels(cx, LabelKind::Url, valid)
        .into_iter()
        .map(|p| {
            RULE.diagnostic(
                p.key_span,
                format!("Label `{}` is `{}`, not a URL", p.key, p.value),
                "Give an absolute URL (`https://...`)",
            )
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::valid;

    #[test]
    fn values() {
        for v in [
            "https://example.com",
            "http://example.com/x?y=1",
            "git+ssh://git@example.com/r.git",
        ] {
            assert!(valid(v), "{v}");
        }
        for v in ["not-url", "example.com", "https://exa mple.com", ":x"] {
            assert!(!valid(v), "{v}");
        }
    }
}
