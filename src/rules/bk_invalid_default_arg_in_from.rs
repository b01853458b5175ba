//! InvalidDefaultArgInFrom: a FROM whose image, with the global ARGs at
//! their defaults, is empty or not a valid image reference, so a build
//! without `--build-arg` fails.

use super::buildkit::{expand_word, global_arg_values, platform_value};
use super::{Context, FixAvailability, Rule};
use crate::diagnostic::{Diagnostic, Severity};

pub static RULE: Rule = Rule {
    code: "InvalidDefaultArgInFrom",
    name: "invalid-default-arg-in-from",
    summary: "a FROM's image is empty or invalid with the global ARGs at their defaults",
    aliases: &[],
    severity: Severity::Warning,
    fix: FixAvailability::None,
    default_enabled: true,
    doc: include_str!("../../rules/InvalidDefaultArgInFrom.md"),
    check,
};

/// A path component of a repository: lower-case letters and digits joined
/// by `.`, `_`, `__` or runs of `-`.
fn valid_component(c: &str) -> bool {
    let b = c.as_bytes();
    if b.is_empty() || !b[0].is_ascii_alphanumeric() || !b[b.len() - 1].is_ascii_alphanumeric() {
        return false;
    }
    let mut i = 0;
    while i < b.len() {
        let ch = b[i];
        if ch.is_ascii_lowercase() || ch.is_ascii_digit() {
            i += 1;
            continue;
        }
        let sep_start = i;
        while i < b.len() && matches!(b[i], b'.' | b'_' | b'-') {
            i += 1;
        }
        let sep = &c[sep_start..i];
        let ok = sep == "." || sep == "_" || sep == "__" || sep.bytes().all(|x| x == b'-');
        if !ok || sep.is_empty() {
            return false;
        }
    }
    true
}

/// Whether `s` is an image reference as the distribution grammar reads it:
/// `[domain[:port]/]path[:tag][@algorithm:hex]`.
pub fn valid_reference(s: &str) -> bool {
    let (name_tag, digest) = match s.split_once('@') {
        Some((n, d)) => (n, Some(d)),
        None => (s, None),
    };
    if let Some(d) = digest {
        let Some((algo, hex)) = d.split_once(':') else {
            return false;
        };
        let algo_ok = algo.starts_with(|c: char| c.is_ascii_alphabetic())
            && algo
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "-_+.".contains(c));
        if !algo_ok || hex.len() < 32 || !hex.chars().all(|c| c.is_ascii_hexdigit()) {
            return false;
        }
    }
    let last_slash = name_tag.rfind('/').map_or(0, |i| i + 1);
    let (name, tag) = match name_tag[last_slash..].rfind(':') {
        Some(i) => (
            &name_tag[..last_slash + i],
            Some(&name_tag[last_slash + i + 1..]),
        ),
        None => (name_tag, None),
    };
    if let Some(t) = tag {
        let ok = (1..=128).contains(&t.len())
            && t.starts_with(|c: char| c.is_ascii_alphanumeric() || c == '_')
            && t.chars()
                .all(|c| c.is_ascii_alphanumeric() || "_.-".contains(c));
        if !ok {
            return false;
        }
    }
    if name.is_empty() || name.len() > 255 {
        return false;
    }
    let mut parts: Vec<&str> = name.split('/').collect();
    let first = parts[0];
    if parts.len() > 1 && (first.contains(['.', ':']) || first == "localhost") {
        let (host, port) = match first.split_once(':') {
            Some((h, p)) => (h, Some(p)),
            None => (first, None),
        };
        let host_ok = !host.is_empty()
            && host
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '.' || c == '-');
        let port_ok = port.is_none_or(|p| !p.is_empty() && p.chars().all(|c| c.is_ascii_digit()));
        if !host_ok || !port_ok {
            return false;
        }
        parts.remove(0);
    }
    parts.iter().all(|p| valid_component(p))
}

fn check(cx: &Context) -> Vec<Diagnostic> {
    // What a build without `--build-arg` sees: each global ARG at its
    // default (empty without one), the platform ARGs at some value, an
    // undeclared name empty (UndefinedArgInFrom reports that).
    let globals = global_arg_values(cx.df);
    let lookup = |name: &str| -> Option<String> {
        Some(
            globals
                .get(name)
                .cloned()
                .unwrap_or_else(|| platform_value(name)),
        )
    };
    let mut out = Vec::new();
    for stage in &cx.model.stages {
        let raw = &stage.base_raw;
        if !raw.contains('$') {
            continue;
        }
        // A substitution dflint cannot evaluate (`${A%x}`) is left alone.
        let Some(image) = expand_word(raw, &lookup) else {
            continue;
        };
        if !image.is_empty() && valid_reference(&image) {
            continue;
        }
        let shown = if image.is_empty() {
            "an empty name".to_string()
        } else {
            format!("`{image}`")
        };
        out.push(RULE.diagnostic(
            cx.from_image_span(stage.from_item),
            format!("With the ARG defaults, `{raw}` gives {shown}, which is not a valid image"),
            "Give the ARG a default that makes a valid image, or use a fallback such as `${TAG:-latest}`",
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::valid_reference;

    #[test]
    fn reads_references_as_the_registry_grammar_does() {
        for ok in [
            "busybox",
            "alpine:3.20",
            "nvidia/cuda:12.1.0-devel-ubuntu22.04",
            "localhost:5000/a/b:tag",
            "ghcr.io/org/app@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
            "my_image__x",
        ] {
            assert!(valid_reference(ok), "{ok}");
        }
        for bad in [
            "busybox:",
            "Busybox",
            ":tag",
            "a//b",
            "-a",
            "a:b:c",
            "a@sha256:xyz",
        ] {
            assert!(!valid_reference(bad), "{bad}");
        }
    }
}
