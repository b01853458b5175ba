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
///
/// Every query ends with its only `(` (a test holds the table to that), so
/// a query can end only at a `(` of the code, and the first `(` at which
/// one ends is the first query. Asked at each `(`, not by a search of the
/// code for each query, set up again for every `python -c` (a twentieth of
/// `check` on a file of RUNs).
fn query_in(code: &str) -> Option<(usize, &'static str, &'static str)> {
    code.match_indices('(').find_map(|(paren, _)| {
        let before = &code[..=paren];
        GPU_QUERIES
            .iter()
            .find(|(query, _)| before.ends_with(query))
            .map(|(query, what)| (before.len() - query.len(), *query, *what))
    })
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_query_ends_with_its_only_paren() {
        for (query, _) in GPU_QUERIES {
            assert!(
                query.ends_with('(') && query.matches('(').count() == 1,
                "{query}"
            );
            for (other, _) in GPU_QUERIES {
                assert!(
                    query == other || !query.ends_with(other),
                    "{other} ends {query}"
                );
            }
        }
    }

    #[test]
    fn the_first_query_is_found() {
        // The definition: the query whose first occurrence starts first.
        let first = |code: &str| {
            GPU_QUERIES
                .iter()
                .filter_map(|(q, what)| code.find(q).map(|at| (at, *q, *what)))
                .min_by_key(|(at, _, _)| *at)
        };
        for code in [
            "import torch; print(torch.cuda.is_available())",
            "import jax, torch; jax.devices(); torch.cuda.device_count()",
            "print(len(tf.config.list_physical_devices('GPU'))); cuda.is_available(",
            "import cupy; cupy.cuda.runtime.getDeviceCount()",
            "f(g(h())) # cuda.is_available without a paren",
            "é(x) GPUtil.getGPUs()",
            "",
            "(((",
        ] {
            assert_eq!(query_in(code), first(code), "{code}");
        }
    }
}
