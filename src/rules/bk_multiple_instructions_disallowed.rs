//! MultipleInstructionsDisallowed: a second CMD, ENTRYPOINT or HEALTHCHECK
//! in one stage. Only the last one counts; the earlier ones do nothing and
//! mislead whoever reads them.

use super::{Context, FixAvailability, Rule};
use crate::diagnostic::{Diagnostic, Severity};
use crate::syntax::{Instruction, Keyword};

pub static RULE: Rule = Rule {
    code: "MultipleInstructionsDisallowed",
    name: "multiple-instructions-disallowed",
    summary: "a CMD, ENTRYPOINT or HEALTHCHECK that a later one in its stage overrides",
    aliases: &[],
    severity: Severity::Warning,
    fix: FixAvailability::None,
    default_enabled: true,
    doc: include_str!("../../rules/MultipleInstructionsDisallowed.md"),
    check,
};

/// The instructions of which only the last in a stage takes effect.
const ONCE: &[Keyword] = &[Keyword::Cmd, Keyword::Entrypoint, Keyword::Healthcheck];

fn check(cx: &Context) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    for stage in &cx.model.stages {
        let mut last: Vec<Option<&Instruction>> = vec![None; ONCE.len()];
        for &item in &stage.items {
            let Some(ins) = cx.df.instruction_of(item, ONCE) else {
                continue;
            };
            let Some(k) = ONCE.iter().position(|&o| o == ins.keyword) else {
                continue;
            };
            // The one overridden is reported, where the change belongs.
            if let Some(earlier) = last[k] {
                let word = ins.keyword_text().to_ascii_uppercase();
                out.push(RULE.diagnostic(
                    earlier.keyword_span(),
                    format!(
                        "This `{word}` has no effect: the `{word}` on line {} replaces it",
                        ins.start_line()
                    ),
                    format!("Keep one `{word}` per stage"),
                ));
            }
            last[k] = Some(ins);
        }
    }
    out
}
