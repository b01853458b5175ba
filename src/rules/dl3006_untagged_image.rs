//! DL3006 untagged-image: a FROM image without a tag or digest.

use super::{Context, FixAvailability, Rule};
use crate::diagnostic::{Diagnostic, Severity};
use crate::semantics::images::ImageRef;
use crate::semantics::Stage;

pub static RULE: Rule = Rule {
    code: "DL3006",
    name: "untagged-image",
    summary: "FROM an image without a tag",
    aliases: &[],
    severity: Severity::Warning,
    fix: FixAvailability::None,
    default_enabled: false,
    doc: include_str!("../../rules/DL3006.md"),
    check,
};

/// The image a stage is built from, as far as the file says: the
/// reference with its `ARG` defaults substituted, `None` for `scratch`, an
/// earlier stage, or a reference a build argument decides.
pub fn base_image(stage: &Stage) -> Option<&str> {
    if stage.parent.is_some() || stage.base_raw.eq_ignore_ascii_case("scratch") {
        return None;
    }
    let image = if stage.base_raw.contains('$') {
        stage.base.as_deref()?
    } else {
        stage.base_raw.as_str()
    };
    (!image.contains('$') && !image.is_empty() && !image.eq_ignore_ascii_case("scratch"))
        .then_some(image)
}

fn check(cx: &Context) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    for stage in &cx.model.stages {
        let Some(image) = base_image(stage) else {
            continue;
        };
        let r = ImageRef::parse(image);
        if r.tag.is_some() || r.digest.is_some() {
            continue;
        }
        let via = if stage.base_raw.contains('$') {
            format!(" (`{}` resolves to it)", stage.base_raw)
        } else {
            String::new()
        };
        out.push(RULE.diagnostic(
            cx.from_image_span(stage.from_item),
            format!("`FROM {image}` has no tag: it means `{image}:latest`, whatever that is on build day{via}"),
            format!("Pin a release tag: `FROM {image}:<version>`, or a digest"),
        ));
    }
    out
}
