//! DL3007 latest-tag: a FROM image with the `latest` tag.

use super::dl3006_untagged_image::base_image;
use super::{Context, FixAvailability, Rule};
use crate::diagnostic::{Diagnostic, Severity};
use crate::semantics::images::ImageRef;

pub static RULE: Rule = Rule {
    code: "DL3007",
    name: "latest-tag",
    summary: "FROM an image tagged `latest`",
    aliases: &[],
    severity: Severity::Warning,
    fix: FixAvailability::None,
    default_enabled: false,
    doc: include_str!("../../rules/DL3007.md"),
    check,
};

fn check(cx: &Context) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    for stage in &cx.model.stages {
        let Some(image) = base_image(stage) else {
            continue;
        };
        let r = ImageRef::parse(image);
        // A digest pins the image whatever the tag says.
        if r.tag != Some("latest") || r.digest.is_some() {
            continue;
        }
        out.push(RULE.diagnostic(
            cx.from_image_span(stage.from_item),
            format!("`FROM {image}` follows `latest`, which changes with every release"),
            format!(
                "Pin a release tag: `FROM {}:<version>`, or a digest",
                r.repo
            ),
        ));
    }
    out
}
