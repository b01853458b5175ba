//! DL3025 shell-form-cmd: CMD, ENTRYPOINT or HEALTHCHECK CMD in shell form.

use super::{Context, FixAvailability, Rule};
use crate::diagnostic::{Diagnostic, Edit, Fix, Severity};
use crate::syntax::{Args, Keyword};

pub static RULE: Rule = Rule {
    code: "DL3025",
    name: "shell-form-cmd",
    summary: "CMD, ENTRYPOINT or HEALTHCHECK CMD in shell form instead of JSON",
    aliases: &[],
    severity: Severity::Warning,
    fix: FixAvailability::Sometimes,
    default_enabled: false,
    doc: include_str!("../../rules/DL3025.md"),
    check,
};

/// The exec form of a shell command when it is unambiguous: words made only
/// of characters the shell gives no meaning to (no quotes, variables,
/// globs, operators or escapes), so each word is its own argument.
fn exec_form(command: &str) -> Option<String> {
    let plain = |c: char| c.is_ascii_alphanumeric() || "-_./:=,@%+".contains(c);
    let words: Vec<&str> = command.split_whitespace().collect();
    if words.is_empty() || !words.iter().all(|w| w.chars().all(plain)) {
        return None;
    }
    let quoted: Vec<String> = words.iter().map(|w| format!("\"{w}\"")).collect();
    Some(format!("[{}]", quoted.join(", ")))
}

fn check(cx: &Context) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    let read = [Keyword::Cmd, Keyword::Entrypoint, Keyword::Healthcheck];
    for (_, ins) in cx.df.instructions_of(&read) {
        let what = match (ins.keyword, &ins.args) {
            (Keyword::Cmd, Args::Shell { .. }) => "CMD",
            (Keyword::Entrypoint, Args::Shell { .. }) => "ENTRYPOINT",
            (Keyword::Healthcheck, Args::Healthcheck { cmd, .. })
                if matches!(cmd.as_ref(), Args::Shell { .. }) =>
            {
                "HEALTHCHECK CMD"
            }
            _ => continue,
        };
        let Some((text, start)) = ins.shell_text() else {
            continue;
        };
        let command = text.trim_end();
        if command.is_empty() {
            continue;
        }
        let span = ins.line.span(start, start + command.len());
        let mut d = RULE.diagnostic(
            span,
            format!("{what} in shell form runs under `/bin/sh -c`, which does not pass signals on"),
            format!("Write {what} in JSON form: `{what} [\"program\", \"arg\"]`"),
        );
        // A command on continuation lines keeps its layout: no fix.
        let single_line = ins.start_line() == ins.end_line();
        if let Some(exec) = exec_form(command).filter(|_| single_line) {
            d.fix = Some(Fix::unsafe_edits([Edit::replace(span, exec)]));
        }
        out.push(d);
    }
    out
}
