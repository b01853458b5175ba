//! DL3004 sudo-in-run: a RUN that calls `sudo`.

use super::{Context, FixAvailability, Rule};
use crate::diagnostic::{Diagnostic, Severity};
use crate::semantics::commands::{basename, is_assignment_word, shell_runs};

pub static RULE: Rule = Rule {
    code: "DL3004",
    name: "sudo-in-run",
    summary: "a RUN uses `sudo`",
    aliases: &[],
    severity: Severity::Error,
    fix: FixAvailability::None,
    default_enabled: false,
    doc: include_str!("../../rules/DL3004.md"),
    check,
};

fn check(cx: &Context) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    for run in shell_runs(cx) {
        for (script, cmd) in run.commands() {
            // `sudo` is the program, possibly behind variable assignments.
            let program = cmd.words.iter().find(|w| !is_assignment_word(&w.text));
            let Some(word) = program.filter(|w| basename(&w.text) == "sudo") else {
                continue;
            };
            out.push(RULE.diagnostic(
                run.word_span(script, word),
                "`sudo` in a RUN: build steps already run as the current USER",
                "Drop `sudo`: switch with USER, or use `gosu` in an entrypoint",
            ));
        }
    }
    out
}
