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
    // again only for a finding: on a large file each read is a cache miss),
    // and only the instructions that are not upper case are kept, with the
    // count of those that are: most files are upper case throughout.
    let in_stages = || {
        cx.model
            .stages
            .iter()
            .flat_map(|s| std::iter::once(s.from_item).chain(s.items.iter().copied()))
            .filter_map(|item| cx.instruction(item))
    };
    let mut upper = 0usize;
    let mut others: Vec<(&Instruction, bool)> = Vec::new();
    for ins in in_stages() {
        let word = ins.keyword_text();
        if all_lower(word) {
            others.push((ins, true));
        } else if all_upper(word) {
            upper += 1;
        } else {
            others.push((ins, false));
        }
    }
    let lower = others.iter().filter(|(_, l)| *l).count();
    // A tie goes to upper case.
    let lower_wins = lower > upper;
    let mut out = Vec::new();
    let flagged: Box<dyn Iterator<Item = &Instruction>> = if lower_wins {
        // The upper-case ones were not kept: read again, a file mostly in
        // lower case being rare.
        Box::new(in_stages().filter(|ins| !all_lower(ins.keyword_text())))
    } else {
        Box::new(others.iter().map(|&(ins, _)| ins))
    };
    for ins in flagged {
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
        d.fix = Some(Fix::safe([Edit::replace(ins.keyword_span(), want)]));
        out.push(d);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::check;
    use crate::rules::finding_lines;

    #[test]
    fn the_minority_and_mixed_case_are_flagged_in_file_order() {
        // Upper case wins: the lower-case and mixed-case keywords, kept
        // as they were read.
        let text = "FROM alpine:3.20\nrun a\nRUN b\nRun c\nCOPY . /\nrun d\n";
        assert_eq!(finding_lines(check, text), [2, 4, 6]);
        // Lower case wins: the upper-case and mixed-case keywords, read
        // again.
        let text = "from alpine:3.20\nRUN a\nrun b\nRun c\ncopy . /\nCOPY . /x\n";
        assert_eq!(finding_lines(check, text), [2, 4, 6]);
        // A tie goes to upper case; ARGs before the first FROM do not count.
        let text = "arg A\narg B\nFROM alpine:3.20\nrun a\n";
        assert_eq!(finding_lines(check, text), [4]);
        let text = "FROM alpine:3.20\nRUN a\n";
        assert!(finding_lines(check, text).is_empty());
    }
}
