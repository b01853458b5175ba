//! DL3026 untrusted-registry: an image pulled from a registry that the
//! settings do not trust.

use super::dl3006_untagged_image::base_image;
use super::dl3022_copy_from_unknown_stage::{first_stage_by_name, looks_like_image};
use super::{Context, FixAvailability, Rule};
use crate::diagnostic::{Diagnostic, Severity};
use crate::semantics::unquote;
use crate::syntax::{Keyword, Span};

pub static RULE: Rule = Rule {
    code: "DL3026",
    name: "untrusted-registry",
    summary: "an image comes from a registry outside `trusted-registries`",
    aliases: &[],
    severity: Severity::Error,
    fix: FixAvailability::None,
    default_enabled: false,
    doc: include_str!("../../rules/DL3026.md"),
    check,
};

/// Docker Hub's names: an image without a registry comes from there.
const DOCKER_HUB: &[&str] = &["docker.io", "index.docker.io", "registry-1.docker.io"];

/// The registry of an image reference: its first part when that is a host
/// (has a dot or a port, or is `localhost`), Docker Hub otherwise.
fn registry(image: &str) -> &str {
    match image.split_once('/') {
        Some((host, _)) if host.contains(['.', ':']) || host == "localhost" => host,
        _ => "docker.io",
    }
}

/// Whether a registry matches a trusted entry: equal, `*`, or `*.domain`.
fn trusted(registry: &str, entry: &str) -> bool {
    let registry = registry.to_ascii_lowercase();
    let entry = entry.trim().to_ascii_lowercase();
    let hub = |r: &str| DOCKER_HUB.contains(&r);
    entry == "*"
        || registry == entry
        || (hub(&registry) && hub(&entry))
        || entry
            .strip_prefix("*.")
            .is_some_and(|domain| registry.ends_with(&format!(".{domain}")))
}

fn check(cx: &Context) -> Vec<Diagnostic> {
    let allowed = &cx.options.trusted_registries;
    if allowed.is_empty() {
        return Vec::new();
    }
    let mut images: Vec<(String, Span)> = Vec::new();
    let stages = &cx.model.stages;
    let first = first_stage_by_name(stages);
    let is_stage = |value: &str, before: usize| {
        value.parse::<usize>().is_ok_and(|i| i < before)
            || first
                .get(value.to_ascii_lowercase().as_str())
                .is_some_and(|&s| s < before)
    };
    for (n, stage) in stages.iter().enumerate() {
        if let Some(image) = base_image(stage) {
            images.push((image.to_string(), cx.from_image_span(stage.from_item)));
        }
        for &item in &stage.items {
            let read = [Keyword::Copy, Keyword::Add, Keyword::Run];
            let Some(ins) = cx.df.instruction_of(item, &read) else {
                continue;
            };
            let from_values: Vec<(String, Span)> = match ins.keyword {
                Keyword::Copy | Keyword::Add => ins
                    .flag("from")
                    .map(|f| (unquote(f.value().unwrap_or("")), f.span))
                    .into_iter()
                    .collect(),
                Keyword::Run => ins
                    .flags
                    .iter()
                    .filter(|f| f.name().eq_ignore_ascii_case("mount"))
                    .flat_map(|f| {
                        f.fields()
                            .into_iter()
                            .filter(|(k, _)| k == "from")
                            .map(move |(_, v)| (v, f.span))
                    })
                    .collect(),
                _ => Vec::new(),
            };
            for (value, span) in from_values {
                if value.contains('$') || is_stage(&value, n + 1) || !looks_like_image(&value) {
                    continue;
                }
                images.push((value, span));
            }
        }
    }
    let mut out = Vec::new();
    for (image, span) in images {
        let from = registry(&image);
        if allowed.iter().any(|e| trusted(from, e)) {
            continue;
        }
        out.push(RULE.diagnostic(
            span,
            format!("`{image}` comes from `{from}`, which is not a trusted registry"),
            format!("Pull from one of: {}", allowed.join(", ")),
        ));
    }
    out
}
