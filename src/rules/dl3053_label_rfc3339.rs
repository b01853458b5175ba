//! DL3053 label-not-rfc3339: a label the label schema types `rfc3339` whose value
//! is not an RFC 3339 date and time.

use super::{Context, FixAvailability, Rule};
use crate::diagnostic::{Diagnostic, Severity};
use crate::semantics::managers::{invalid_labels, LabelKind};

pub static RULE: Rule = Rule {
    code: "DL3053",
    name: "label-not-rfc3339",
    aliases: &[],
    summary: "an `rfc3339` label of the label schema whose value is not an RFC 3339 time",
    severity: Severity::Warning,
    fix: FixAvailability::None,
    default_enabled: false,
    doc: include_str!("../../rules/DL3053.md"),
    check,
};

/// `YYYY-MM-DDTHH:MM:SS`, optional fraction, then `Z` or an offset `+HH:MM`.
fn valid(value: &str) -> bool {
    let b = value.as_bytes();
    let digits = |from: usize, n: usize| {
        b.get(from..from + n)
            .is_some_and(|d| d.iter().all(u8::is_ascii_digit))
    };
    let number = |from: usize| -> u32 { value[from..from + 2].parse().unwrap_or(99) };
    if b.len() < 20
        || !(digits(0, 4) && b[4] == b'-' && digits(5, 2) && b[7] == b'-' && digits(8, 2))
        || !matches!(b[10], b'T' | b't' | b' ')
        || !(digits(11, 2) && b[13] == b':' && digits(14, 2) && b[16] == b':' && digits(17, 2))
    {
        return false;
    }
    let ranges = (1..=12).contains(&number(5))
        && (1..=31).contains(&number(8))
        && number(11) <= 23
        && number(14) <= 59
        && number(17) <= 60;
    let mut i = 19;
    if b.get(i) == Some(&b'.') {
        i += 1;
        let start = i;
        while b.get(i).is_some_and(u8::is_ascii_digit) {
            i += 1;
        }
        if i == start {
            return false;
        }
    }
    let zone = match &b[i..] {
        [b'Z' | b'z'] => true,
        [b'+' | b'-', ..] => {
            b.len() == i + 6
                && digits(i + 1, 2)
                && b[i + 3] == b':'
                && digits(i + 4, 2)
                && number(i + 1) <= 23
                && number(i + 4) <= 59
        }
        _ => false,
    };
    ranges && zone
}

fn check(cx: &Context) -> Vec<Diagnostic> {
    invalid_labels(cx, LabelKind::Rfc3339, valid)
        .into_iter()
        .map(|p| {
            RULE.diagnostic(
                p.key_span,
                format!(
                    "Label `{}` is `{}`, not an RFC 3339 date and time",
                    p.key, p.value
                ),
                "Write it as `2024-05-01T12:00:00Z`",
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
            "2021-03-10T10:26:33.564595127+01:00",
            "2024-05-01T12:00:00Z",
            "2024-05-01t12:00:00z",
        ] {
            assert!(valid(v), "{v}");
        }
        for v in [
            "not-date",
            "2024-05-01",
            "2024-13-01T00:00:00Z",
            "2024-05-01T12:00:00",
            "2024-05-01T12:00:00+0100",
        ] {
            assert!(!valid(v), "{v}");
        }
    }
}
