//! JSONArgsRecommended: a CMD or ENTRYPOINT in shell form. The program then
//! runs under `/bin/sh -c`, which does not hand it the signals `docker
//! stop` sends, so it is killed after the grace period instead of exiting
//! cleanly.

use super::{Context, FixAvailability, Rule};
use crate::diagnostic::{Diagnostic, Edit, Fix, Severity};
use crate::syntax::{Args, Instruction, Keyword};

pub static RULE: Rule = Rule {
    code: "JSONArgsRecommended",
    name: "json-args-recommended",
    summary: "a CMD or ENTRYPOINT in shell form, where signals do not reach the program",
    aliases: &[],
    severity: Severity::Warning,
    fix: FixAvailability::Sometimes,
    default_enabled: true,
    doc: include_str!("../../rules/JSONArgsRecommended.md"),
    check,
};

/// Characters a word may hold and mean the same to `/bin/sh -c` and in a
/// JSON array: no quoting, expansion, globbing, redirection or operators.
fn plain(c: char) -> bool {
    c.is_ascii_alphanumeric() || "_./:=@%+,-".contains(c)
}

/// The exec form of a one-line shell command made only of plain words.
fn exec_form(text: &str) -> Option<String> {
    let words: Vec<&str> = text.split([' ', '\t']).filter(|w| !w.is_empty()).collect();
    if words.is_empty() || !words.iter().all(|w| w.chars().all(plain)) {
        return None;
    }
    let quoted: Vec<String> = words.iter().map(|w| format!("\"{w}\"")).collect();
    Some(format!("[{}]", quoted.join(", ")))
}

fn fix_for(ins: &Instruction) -> Option<Fix> {
    let (text, start) = ins.shell_text()?;
    if ins.start_line() != ins.end_line() {
        return None;
    }
    let text = text.trim_end();
    let json = exec_form(text)?;
    let span = ins.line.span(start, start + text.len());
    Some(Fix::unsafe_edits([Edit::replace(span, json)]))
}

fn check(cx: &Context) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    // Whether each stage, with its ancestors, has set a SHELL: worked out
    // stage by stage from the parent's answer (a parent comes first), so a
    // long chain of stages is not walked again for every stage.
    let mut shell_by_end = vec![false; cx.model.stages.len()];
    for (s, stage) in cx.model.stages.iter().enumerate() {
        // A SHELL earlier in the stage or its ancestors says the shell is
        // meant; BuildKit then stays quiet.
        let mut shell_set = stage
            .parent
            .filter(|&p| p < s)
            .is_some_and(|p| shell_by_end[p]);
        for &item in &stage.items {
            let read = [Keyword::Shell, Keyword::Cmd, Keyword::Entrypoint];
            let Some(ins) = cx.df.instruction_of(item, &read) else {
                continue;
            };
            match ins.keyword {
                Keyword::Shell => shell_set = true,
                Keyword::Cmd | Keyword::Entrypoint
                    if !shell_set && matches!(ins.args, Args::Shell { .. }) =>
                {
                    let word = ins.keyword_text().to_ascii_uppercase();
                    let mut d = RULE.diagnostic(
                        ins.keyword_span(),
                        format!("`{word}` in shell form runs under `/bin/sh -c`, which does not pass signals on"),
                        format!("Write `{word}` in JSON form, `{word} [\"program\", \"arg\"]`"),
                    );
                    d.fix = fix_for(ins);
                    out.push(d);
                }
                _ => {}
            }
        }
        shell_by_end[s] = shell_set;
    }
    out
}
