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
    // Each keyword's case is read once (an instruction is read from memory
    // again only for a finding: on a large file each read is a cache miss).
    let instructions: Vec<(&Instruction, bool, bool)> = cx
        .model
        .stages
        .iter()
        .flat_map(|s| std::iter::once(s.from_item).chain(s.items.iter().copied()))
        .filter_map(|item| cx.instruction(item))
        .map(|ins| {
            let word = ins.keyword_text();
            (ins, all_lower(word), all_upper(word))
        })
        .collect();
    let lower = instructions.iter().filter(|(_, l, _)| *l).count();
    let upper = instructions.iter().filter(|(_, l, u)| !*l && *u).count();
    // A tie goes to upper case.
    let lower_wins = lower > upper;
    let mut out = Vec::new();
    for (ins, is_lower, is_upper) in instructions {
        if (lower_wins && is_lower) || (!lower_wins && is_upper) {
            continue;
        }
        let word = ins.keyword_text();
        let want = if lower_wins {
            word.to_ascii_lowercase()
        } else {
            word.to_ascii_uppercase()
        };
        let case = if lower_wins { "lowercase" } else { "uppercase" };
        let mut d = RULE.diagnostic(
            ins.keyword_span(),
            format!("`{word}` is not {case}, as most instructions of this file are"),
            format!("Write `{want}`"),
        );
        d.fix = Some(Fix::safe(vec![Edit::replace(ins.keyword_span(), want)]));
        out.push(d);
    }
    out
}
