//! DF018 gpu-query-at-build: a RUN that asks for a GPU (`nvidia-smi`,
//! `torch.cuda.is_available()`): `docker build` has none.

use super::{Context, FixAvailability, Rule};
use crate::diagnostic::{Diagnostic, Severity};
use crate::semantics::commands::resolve;
use crate::semantics::cuda::{GPU_PROGRAMS, GPU_QUERIES};
use crate::syntax::Span;

pub static RULE: Rule = Rule {
    code: "DF018",
    name: "gpu-query-at-build",
    summary: "A RUN asks for a GPU, which does not exist during `docker build`",
    aliases: &[],
    severity: Severity::Warning,
    fix: FixAvailability::None,
    default_enabled: true,
    doc: include_str!("../../rules/DF018.md"),
    check,
};

const HELP: &str = "Move the check to the container's start (entrypoint or CMD), and set what depends on it (`TORCH_CUDA_ARCH_LIST`, build flags) explicitly";

/// Whether a program runs Python code given to it.
fn is_python(program: &str) -> bool {
    program == "py"
        || program
            .strip_prefix("python")
            .is_some_and(|v| v.chars().all(|c| c.is_ascii_digit() || c == '.'))
}

/// The first GPU query in a Python source, and where it is in it.
fn query_in(code: &str) -> Option<(usize, &'static str, &'static str)> {
    GPU_QUERIES
        .iter()
        .filter_map(|(needle, what)| code.find(needle).map(|at| (at, *needle, *what)))
        .min_by_key(|(at, _, _)| *at)
}

fn check(cx: &Context) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    // Every RUN: a stage that is built at all runs its RUNs without a GPU.
    for run in cx.runs() {
        let mut found: Option<(Span, String)> = None;
        for (script, cmd) in run.commands() {
            let r = resolve(cmd);
            let program = r.program();
            if GPU_PROGRAMS.contains(&program) {
                found = Some((run.command_span(script, cmd), format!("`{program}`")));
                break;
            }
            // `python -c "..."`: the code is the word after `-c`.
            if !is_python(program) {
                continue;
            }
            let code = r.words.iter().skip_while(|w| w.text != "-c").nth(1);
            if let Some(word) = code {
                if let Some((_, _, what)) = query_in(&word.text) {
                    found = Some((script.word_span(run.ins, word), what.to_string()));
                    break;
                }
            }
        }
        // `RUN python3 <<EOF`: the heredoc bodies are Python.
        let feeds_python = run
            .ins
            .shell_text()
            .and_then(|(text, _)| text.split_whitespace().next())
            .is_some_and(|p| is_python(p.rsplit('/').next().unwrap_or(p)));
        if found.is_none() && feeds_python {
            for doc in &run.ins.heredocs {
                if let Some((at, needle, what)) = query_in(doc.content(&cx.df.text)) {
                    let start = doc.content_span.start + at;
                    found = Some((Span::new(start, start + needle.len()), what.to_string()));
                    break;
                }
            }
        }
        if let Some((span, what)) = found {
            out.push(RULE.diagnostic(
                span,
                format!(
                    "{what} runs at build time, where no GPU exists: it fails, or reports none"
                ),
                HELP.to_string(),
            ));
        }
    }
    out
}
