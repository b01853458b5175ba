//! DL3048 invalid-label-key: a LABEL key outside Docker's naming
//! convention, or in a namespace Docker reserves.

use super::{Context, FixAvailability, Rule};
use crate::diagnostic::{Diagnostic, Edit, Fix, Severity};
use crate::semantics::managers::{pair_key_spans, trigger};
use crate::syntax::{Args, Keyword};

pub static RULE: Rule = Rule {
    code: "DL3048",
    name: "invalid-label-key",
    aliases: &[],
    summary: "a LABEL key outside Docker's key convention or in a reserved namespace",
    severity: Severity::Style,
    fix: FixAvailability::Sometimes,
    default_enabled: false,
    doc: include_str!("../../rules/DL3048.md"),
    check,
};

/// Namespaces Docker keeps for its own labels.
const RESERVED: &[&str] = &["com.docker.", "io.docker.", "org.dockerproject."];

/// Characters a key may hold: Docker's convention (lower-case letters,
/// digits, `.` and `-`), and the `_` and `/` that are common in real keys
/// and that hadolint accepts too.
fn allowed(c: char) -> bool {
    c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '.' | '-' | '_' | '/')
}

/// What is wrong with a key, if anything.
fn problem(key: &str) -> Option<&'static str> {
    if RESERVED.iter().any(|r| key.starts_with(r)) {
        return Some("is in a namespace Docker reserves");
    }
    if !key.starts_with(|c: char| c.is_ascii_lowercase()) {
        return Some("does not start with a lower-case letter");
    }
    if !key.ends_with(|c: char| c.is_ascii_lowercase() || c.is_ascii_digit()) {
        return Some("does not end with a lower-case letter or a digit");
    }
    if !key.chars().all(allowed) {
        return Some("has characters other than lower-case letters, digits, `.`, `-`, `_` and `/`");
    }
    if key.contains("..") || key.contains("--") {
        return Some("has two separators in a row");
    }
    None
}

/// The key in the convention, when one follows from it: lower case, other
/// characters as `-`, no doubled or dangling separators.
fn conventional(key: &str) -> Option<String> {
    let mut out = String::new();
    for c in key.chars() {
        let c = c.to_ascii_lowercase();
        let c = if allowed(c) { c } else { '-' };
        let separator = c == '.' || c == '-';
        if separator && out.ends_with(['.', '-']) {
            continue;
        }
        out.push(c);
    }
    let out = out
        .trim_start_matches(|c: char| !c.is_ascii_lowercase())
        .trim_end_matches(|c: char| !c.is_ascii_lowercase() && !c.is_ascii_digit())
        .to_string();
    (problem(&out).is_none()).then_some(out)
}

fn unquote(key: &str) -> &str {
    key.strip_prefix('"')
        .and_then(|k| k.strip_suffix('"'))
        .unwrap_or(key)
}

fn check(cx: &Context) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    for (_, ins) in cx.df.instructions_of(&[Keyword::Label, Keyword::Onbuild]) {
        let label = match ins.keyword {
            Keyword::Label => ins,
            Keyword::Onbuild => match trigger(ins) {
                Some(inner) if inner.keyword == Keyword::Label => inner,
                _ => continue,
            },
            _ => continue,
        };
        let Args::KeyValues(pairs) = &label.args else {
            continue;
        };
        let spans = pair_key_spans(label);
        for (n, pair) in pairs.iter().enumerate() {
            let key = unquote(&pair.key);
            let Some(why) = problem(key) else {
                continue;
            };
            let span = spans.get(n).copied().unwrap_or(label.keyword_span());
            let better = conventional(key).filter(|_| !key.contains('$'));
            let mut d = RULE.diagnostic(
                span,
                format!("Label key `{key}` {why}"),
                match &better {
                    Some(k) => format!("Rename it `{k}`"),
                    None => "Use lower-case letters, digits, `.` and `-`, in your own reverse-DNS namespace".to_string(),
                },
            );
            if let (Some(k), Some(_)) = (better, spans.get(n)) {
                d.fix = Some(Fix::unsafe_edits([Edit::replace(span, k)]));
            }
            out.push(d);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys() {
        for ok in [
            "org.valid-key.label3",
            "validlabel",
            "org.opencontainers.image.title",
            "dlc_major_version",
            "a/b",
        ] {
            assert_eq!(problem(ok), None, "{ok}");
        }
        for bad in [
            "com.docker.x",
            "invalid$character",
            ".invalid",
            "1invalid",
            "a..b",
            "a--b",
            "Maintainer",
            "a:b",
            "_a",
        ] {
            assert!(problem(bad).is_some(), "{bad}");
        }
        assert_eq!(conventional("Maintainer").as_deref(), Some("maintainer"));
        assert_eq!(conventional("Build_Date").as_deref(), Some("build_date"));
        assert_eq!(conventional("a:b").as_deref(), Some("a-b"));
        assert_eq!(conventional("com.docker.x"), None);
        assert_eq!(conventional("1.2"), None);
    }
}
