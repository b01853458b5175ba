//! DL3049 label-missing: an image without a label that the label schema
//! requires.

use super::{Context, FixAvailability, Rule};
use crate::diagnostic::{Diagnostic, Severity};
use crate::semantics::managers::label_pairs;
use crate::syntax::Keyword;

pub static RULE: Rule = Rule {
    code: "DL3049",
    name: "label-missing",
    aliases: &[],
    summary: "an image without a label that the label schema requires",
    severity: Severity::Info,
    fix: FixAvailability::None,
    default_enabled: false,
    doc: include_str!("../../rules/DL3049.md"),
    check,
};

/// For every stage, the later stages that use it: built `FROM` it or
/// copying `--from` it.
fn users(cx: &Context) -> Vec<Vec<usize>> {
    let stages = &cx.model.stages;
    let mut out = vec![Vec::new(); stages.len()];
    for (s, stage) in stages.iter().enumerate() {
        if let Some(p) = cx.model.parent(s) {
            out[p].push(s);
        }
        for &item in &stage.items {
            let Some(from) = cx
                .instruction(item)
                .filter(|i| i.keyword == Keyword::Copy)
                .and_then(|i| i.flag("from"))
                .and_then(|f| f.value())
            else {
                continue;
            };
            let from = from.to_ascii_lowercase();
            let source = from.parse::<usize>().ok().or_else(|| {
                stages
                    .iter()
                    .position(|st| st.name.as_deref() == Some(from.as_str()))
            });
            if let Some(p) = source.filter(|&p| p < s) {
                out[p].push(s);
            }
        }
    }
    out
}

fn check(cx: &Context) -> Vec<Diagnostic> {
    let schema = &cx.options.label_schema;
    if schema.is_empty() {
        return Vec::new();
    }
    let stages = &cx.model.stages;
    let pairs = label_pairs(cx);
    let users = users(cx);
    let mut out = Vec::new();
    for (label, _) in schema {
        // Whether each stage's image carries the label: set in the stage
        // or in one it is built on.
        let mut has = vec![false; stages.len()];
        for p in pairs.iter().filter(|p| p.key == *label) {
            if let Some(s) = cx.model.stage_of(p.item) {
                has[s] = true;
            }
        }
        for s in 0..stages.len() {
            if let Some(p) = cx.model.parent(s) {
                has[s] |= has[p];
            }
        }
        // A stage that only feeds others is fine when one of the images it
        // feeds carries the label: that image is the one that is shipped.
        let mut covered = has.clone();
        for s in (0..stages.len()).rev() {
            if users[s].iter().any(|&u| covered[u]) {
                covered[s] = true;
            }
        }
        for (s, stage) in stages.iter().enumerate() {
            if covered[s] {
                continue;
            }
            let Some(from) = cx.instruction(stage.from_item) else {
                continue;
            };
            out.push(RULE.diagnostic(
                from.line.span(0, from.line.text.len()),
                format!("The image of this stage has no `{label}` label"),
                format!("Add `LABEL {label}=\"...\"` to the stage"),
            ));
        }
    }
    out
}
