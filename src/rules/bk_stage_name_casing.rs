//! StageNameCasing: a stage name written with capitals. BuildKit folds
//! stage names to lower case, so `AS Builder` and `--from=builder` are the
//! same stage and the capitals only mislead.

use super::buildkit::from_parts;
use super::{Context, FixAvailability, Rule};
use crate::diagnostic::{Diagnostic, Edit, Fix, Severity};

pub static RULE: Rule = Rule {
    code: "StageNameCasing",
    name: "stage-name-casing",
    summary: "a stage name is not all lowercase",
    aliases: &[],
    severity: Severity::Warning,
    fix: FixAvailability::Always,
    default_enabled: true,
    doc: include_str!("../../rules/StageNameCasing.md"),
    check,
};

fn check(cx: &Context) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    for stage in &cx.model.stages {
        let Some(ins) = cx.instruction(stage.from_item) else {
            continue;
        };
        let Some((name, span)) = from_parts(ins).name else {
            continue;
        };
        let lower = name.to_ascii_lowercase();
        if lower == name {
            continue;
        }
        let mut d = RULE.diagnostic(
            span,
            format!("Stage name `{name}` should be lowercase"),
            format!("Write it `{lower}`"),
        );
        // References to the stage are already matched without regard to
        // case, so renaming the definition alone changes nothing.
        d.fix = Some(Fix::safe([Edit::replace(span, lower)]));
        out.push(d);
    }
    out
}
