//! DuplicateStageName: two stages with one name. BuildKit rejects the
//! reuse in later releases; until then `--from` and `--target` silently
//! pick one of them.

use std::collections::HashMap;

use super::buildkit::from_parts;
use super::{Context, FixAvailability, Rule};
use crate::diagnostic::{Diagnostic, Severity};

pub static RULE: Rule = Rule {
    code: "DuplicateStageName",
    name: "duplicate-stage-name",
    summary: "two stages have the same name",
    aliases: &[],
    severity: Severity::Warning,
    fix: FixAvailability::None,
    default_enabled: true,
    doc: include_str!("../../rules/DuplicateStageName.md"),
    check,
};

fn check(cx: &Context) -> Vec<Diagnostic> {
    let mut first: HashMap<&str, usize> = HashMap::new();
    let mut out = Vec::new();
    for stage in &cx.model.stages {
        let Some(name) = stage.name.as_deref() else {
            continue;
        };
        let Some(ins) = cx.instruction(stage.from_item) else {
            continue;
        };
        match first.get(name) {
            None => {
                first.insert(name, ins.start_line());
            }
            Some(&line) => {
                let span = from_parts(ins).name.map_or(ins.keyword_span(), |(_, s)| s);
                out.push(RULE.diagnostic(
                    span,
                    format!("Stage name `{name}` is already used on line {line}"),
                    "Give each stage a name of its own",
                ));
            }
        }
    }
    out
}
