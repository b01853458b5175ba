//! DL3059 consecutive-runs: RUN instructions in a row, each with a single
//! command and the same flags, that could be one RUN.

use super::{Context, FixAvailability, Rule};
use crate::diagnostic::{Diagnostic, Edit, Fix, Severity};
use crate::semantics::Run;
use crate::syntax::{Args, Span};

pub static RULE: Rule = Rule {
    code: "DL3059",
    name: "consecutive-runs",
    aliases: &[],
    summary: "consecutive single-command RUN instructions that could be one",
    severity: Severity::Info,
    fix: FixAvailability::Sometimes,
    default_enabled: false,
    doc: include_str!("../../rules/DL3059.md"),
    check,
};

/// How many commands a RUN runs: an exec-form RUN runs one; a command
/// substitution (`$(...)`, backquotes) in a word is one more.
/// Whether a RUN runs at most one command, counting those inside `$(...)`
/// and backquotes. Stops at the second: only "one or more" matters.
fn single_command(run: &Run) -> bool {
    if matches!(run.ins.args, Args::Exec(_)) {
        return true;
    }
    let mut count = 0;
    for (_, cmd) in run.commands() {
        count += 1 + cmd.words.iter().map(|w| nested(&w.text)).sum::<usize>();
        if count > 1 {
            return false;
        }
    }
    true
}

/// The commands a word runs in substitutions.
fn nested(word: &str) -> usize {
    // Most words have neither `$` nor a backquote.
    if !word.bytes().any(|b| b == b'$' || b == b'`') {
        return 0;
    }
    // `$(<file)` reads a file and runs nothing.
    let runs = word.matches("$(").count() - word.matches("$(<").count();
    runs + word.matches('`').count() / 2
}

fn flags<'r>(run: &'r Run) -> Vec<&'r str> {
    run.ins.flags.iter().map(|f| f.text.as_str()).collect()
}

/// The edit that makes `next` the continuation of `prev`: the text between
/// the end of `prev`'s command and the start of `next`'s (a line break and
/// `RUN` with its flags, which are `prev`'s) becomes `&&` and a continued
/// line. Only for shell-form RUNs without heredocs, next to each other.
fn merge(cx: &Context, prev: &Run, next: &Run) -> Option<Edit> {
    if next.item != prev.item + 1 || !prev.ins.heredocs.is_empty() || !next.ins.heredocs.is_empty()
    {
        return None;
    }
    let (text, at) = prev.ins.shell_text()?;
    let (_, next_at) = next.ins.shell_text()?;
    if text.contains(" #") || text.contains("\t#") || !prev.command_line_complete() {
        return None;
    }
    let end = text.trim_end();
    let joiner = match end.chars().last()? {
        ';' => "",
        '&' | '|' | '\\' | '`' => return None,
        _ => " &&",
    };
    let from = prev.ins.line.span(at + end.len() - 1, at + end.len()).end;
    let to = next.ins.line.span(next_at, next_at + 1).start;
    Some(Edit::replace(
        Span::new(from, to),
        format!("{joiner} {}{}    ", cx.df.escape, cx.df.newline),
    ))
}

fn check(cx: &Context) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    let mut prev: Option<&Run> = None;
    for item in 0..cx.df.items.len() {
        // Comments and blank lines do not separate instructions.
        if cx.df.keyword(item).is_none() {
            continue;
        }
        let Some(run) = cx.run_at(item) else {
            prev = None;
            continue;
        };
        if let Some(p) = prev.filter(|p| p.stage == run.stage) {
            if single_command(run) && single_command(p) && flags(p) == flags(run) {
                let ins = run.ins;
                let span = ins.line.span(0, ins.line.text.len());
                let mut d = RULE.diagnostic(
                    span,
                    format!(
                        "This RUN and the one on line {} each run one command, as two layers",
                        p.ins.start_line()
                    ),
                    "Join them into one RUN with `&&`",
                );
                d.fix = merge(cx, p, run).map(|e| Fix::unsafe_edits([e]));
                out.push(d);
            }
        }
        prev = Some(run);
    }
    out
}
