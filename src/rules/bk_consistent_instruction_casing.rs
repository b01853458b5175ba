//! ConsistentInstructionCasing: instruction keywords written in a case
//! other than the one most of the file's instructions use.

use super::{Context, FixAvailability, Rule};
use crate::diagnostic::{Diagnostic, Edit, Fix, Severity};
use crate::syntax::Instruction;

pub static RULE: Rule = Rule {
    code: "ConsistentInstructionCasing",
    name: "consistent-instruction-casing",
    summary: "an instruction keyword is not in the case most of the file uses",
    aliases: &[],
    severity: Severity::Warning,
    fix: FixAvailability::Always,
    default_enabled: true,
    doc: include_str!("../../rules/ConsistentInstructionCasing.md"),
    check,
};

/// Whether a keyword has no upper-case letter (`run`).
fn all_lower(word: &str) -> bool {
    !word.bytes().any(|b| b.is_ascii_uppercase())
}

/// Whether a keyword has no lower-case letter (`RUN`).
fn all_upper(word: &str) -> bool {
    !word.bytes().any(|b| b.is_ascii_lowercase())
}

fn check(cx: &Context) -> Vec<Diagnostic> {
    // BuildKit counts the instructions of the stages (each FROM and what
    // follows it); ARGs before the first FROM are not part of a stage.
    let instructions: Vec<&Instruction> = cx
        .model
        .stages
        .iter()
        .flat_map(|s| std::iter::once(s.from_item).chain(s.items.iter().copied()))
        .filter_map(|item| cx.instruction(item))
        .collect();
    let (mut lower, mut upper) = (0, 0);
    for ins in &instructions {
        let word = ins.keyword_text();
        if all_lower(word) {
            lower += 1;
        } else if all_upper(word) {
            upper += 1;
        }
    }
    // A tie goes to upper case.
    let lower_wins = lower > upper;
    let mut out = Vec::new();
    for ins in instructions {
        let word = ins.keyword_text();
        // Checked before a corrected copy is made: most keywords are right.
        if (lower_wins && all_lower(word)) || (!lower_wins && all_upper(word)) {
            continue;
        }
        let want = if lower_wins {
            word.to_ascii_lowercase()
        } else {
            word.to_ascii_uppercase()
        };
        let case = if lower_wins { "lowercase" } else { "uppercase" };
        let mut d = RULE.diagnostic(
            ins.keyword_span,
            format!("`{word}` is not {case}, as most instructions of this file are"),
            format!("Write `{want}`"),
        );
        d.fix = Some(Fix::safe(vec![Edit::replace(ins.keyword_span, want)]));
        out.push(d);
    }
    out
}
