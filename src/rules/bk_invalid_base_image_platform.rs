//! InvalidBaseImagePlatform: a base image that is not built for the
//! platform its FROM asks for. BuildKit learns this from the image's
//! manifest; without the registry dflint decides it only where the image's
//! name says its platform: Docker's per-architecture namespaces
//! (`arm64v8/alpine`) and Windows images, under a `--platform` whose value
//! is known (a constant, or global ARGs with defaults).

use super::buildkit::{expand_word, global_arg_values};
use super::{Context, FixAvailability, Rule};
use crate::diagnostic::{Diagnostic, Severity};

pub static RULE: Rule = Rule {
    code: "InvalidBaseImagePlatform",
    name: "invalid-base-image-platform",
    summary: "a base image named for another platform than its FROM's `--platform`",
    aliases: &[],
    severity: Severity::Warning,
    fix: FixAvailability::None,
    default_enabled: true,
    doc: include_str!("../../rules/InvalidBaseImagePlatform.md"),
    check,
};

/// Image name prefixes that fix the platform: `(prefix, os, architecture)`.
const NAMED_PLATFORMS: &[(&str, &str, &str)] = &[
    ("amd64/", "linux", "amd64"),
    ("arm32v5/", "linux", "arm"),
    ("arm32v6/", "linux", "arm"),
    ("arm32v7/", "linux", "arm"),
    ("arm64v8/", "linux", "arm64"),
    ("i386/", "linux", "386"),
    ("mips64le/", "linux", "mips64le"),
    ("ppc64le/", "linux", "ppc64le"),
    ("riscv64/", "linux", "riscv64"),
    ("s390x/", "linux", "s390x"),
    ("windows-amd64/", "windows", "amd64"),
    ("mcr.microsoft.com/windows/", "windows", ""),
    ("mcr.microsoft.com/windows:", "windows", ""),
];

/// The platform an image's name fixes, when it does.
fn named_platform(image: &str) -> Option<(&'static str, &'static str)> {
    let image = image.strip_prefix("docker.io/").unwrap_or(image);
    NAMED_PLATFORMS
        .iter()
        .find(|(p, _, _)| image.starts_with(p))
        .map(|&(_, os, arch)| (os, arch))
}

fn check(cx: &Context) -> Vec<Diagnostic> {
    let globals = global_arg_values(cx.df);
    let lookup = |k: &str| globals.get(k).cloned();
    let mut out = Vec::new();
    for stage in &cx.model.stages {
        let Some(ins) = cx.instruction(stage.from_item) else {
            continue;
        };
        let Some(flag) = ins.flag("platform") else {
            continue;
        };
        let Some(image) = stage.base.as_deref() else {
            continue;
        };
        let Some((os, arch)) = named_platform(image) else {
            continue;
        };
        let Some(platform) = flag.value().and_then(|v| expand_word(v, &lookup)) else {
            continue;
        };
        let lower = platform.to_ascii_lowercase();
        let mut parts = lower.split('/');
        let want_os = parts.next().unwrap_or("");
        let want_arch = parts.next().unwrap_or("");
        let os_differs = !want_os.is_empty() && want_os != os;
        let arch_differs = !arch.is_empty() && !want_arch.is_empty() && want_arch != arch;
        if !os_differs && !arch_differs {
            continue;
        }
        let built_for = if arch.is_empty() {
            os.to_string()
        } else {
            format!("{os}/{arch}")
        };
        out.push(RULE.diagnostic(
            cx.from_image_span(stage.from_item),
            format!("`{image}` is built for {built_for}, not for `{platform}`"),
            "Use the image for the platform the stage asks for, or drop the per-platform name and let `--platform` pick",
        ));
    }
    out
}
