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

/// Whether a keyword is written all in one case (`RUN`, `run`; not `Run`).
fn one_case(word: &str) -> bool {
    word.to_ascii_lowercase() == word || word.to_ascii_uppercase() == word
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
        let word = &ins.keyword_text();
        if one_case(word) {
            if word.to_ascii_lowercase() == *word {
                lower += 1;
            } else {
                upper += 1;
            }
        }
    }
    // A tie goes to upper case.
    let lower_wins = lower > upper;
    let mut out = Vec::new();
    for ins in instructions {
        let word = &ins.keyword_text();
        let want = if lower_wins {
            word.to_ascii_lowercase()
        } else {
            word.to_ascii_uppercase()
        };
        if want == *word {
            continue;
        }
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
