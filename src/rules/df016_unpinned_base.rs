//! DF016 unpinned-base-image: a stage that ships is built on an image
//! without a tag, or on `latest`.

use super::{Context, FixAvailability, Rule};
use crate::diagnostic::{Diagnostic, Severity};
use crate::semantics::images::ImageRef;

pub static RULE: Rule = Rule {
    code: "DF016",
    name: "unpinned-base-image",
    summary: "The image ships on a base without a tag, or on `latest`",
    aliases: &[],
    severity: Severity::Warning,
    fix: FixAvailability::None,
    default_enabled: true,
    doc: include_str!("../../rules/DF016.md"),
    check,
};

/// Tags that name no release: they move with every push.
const FLOATING_TAGS: &[&str] = &["latest"];

fn check(cx: &Context) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    for (s, stage) in cx.model.stages.iter().enumerate() {
        // A stage on an earlier stage is pinned by that stage's FROM.
        if !cx.model.ships(s) || stage.parent.is_some() {
            continue;
        }
        // A base a build argument decides, without a default, is the
        // caller's choice: nothing to judge.
        let Some(image) = stage.base.as_deref().filter(|b| !b.contains('$')) else {
            continue;
        };
        if image.is_empty() || image.eq_ignore_ascii_case("scratch") {
            continue;
        }
        let r = ImageRef::parse(image);
        if r.digest.is_some() {
            continue;
        }
        let what = match r.tag {
            None => "has no tag",
            Some(t) if FLOATING_TAGS.contains(&t.to_ascii_lowercase().as_str()) => "is `latest`",
            Some(_) => continue,
        };
        let via = if stage.base_raw != image {
            format!(" (`{}` resolves to it)", stage.base_raw)
        } else {
            String::new()
        };
        out.push(RULE.diagnostic(
            cx.from_image_span(stage.from_item),
            format!("The shipped image is built on `{image}`, which {what}: each build may get a different base{via}"),
            format!("Pin a release tag (`{}:<version>`); for production, add its digest (`@sha256:...`)", r.repo),
        ));
    }
    out
}
