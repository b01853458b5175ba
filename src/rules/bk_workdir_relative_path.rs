//! WorkdirRelativePath: a relative WORKDIR before any absolute one in the
//! stage. It is relative to the base image's working directory, which the
//! Dockerfile does not control and which may change with the base image.

use super::buildkit::expand_word;
use super::{Context, FixAvailability, Rule};
use crate::diagnostic::{Diagnostic, Severity};
use crate::syntax::{Args, Keyword};

pub static RULE: Rule = Rule {
    code: "WorkdirRelativePath",
    name: "workdir-relative-path",
    summary: "a relative WORKDIR before any absolute one",
    aliases: &[],
    severity: Severity::Warning,
    fix: FixAvailability::None,
    default_enabled: true,
    doc: include_str!("../../rules/WorkdirRelativePath.md"),
    check,
};

/// Whether a path is absolute on Linux or Windows (`C:\app`, `\app`).
fn absolute(path: &str) -> bool {
    let b = path.as_bytes();
    path.starts_with(['/', '\\']) || (b.len() >= 2 && b[0].is_ascii_alphabetic() && b[1] == b':')
}

fn check(cx: &Context) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    // For every stage, whether an absolute WORKDIR was set by the end of it.
    let mut set_by_end = vec![false; cx.model.stages.len()];
    for (s, stage) in cx.model.stages.iter().enumerate() {
        let mut set = stage
            .parent
            .filter(|&p| p < s)
            .is_some_and(|p| set_by_end[p]);
        for &item in &stage.items {
            let Some(ins) = cx.df.instruction_of(item, &[Keyword::Workdir]) else {
                continue;
            };
            let (Keyword::Workdir, Args::Text(raw)) = (ins.keyword, &ins.args) else {
                continue;
            };
            let scope = cx.model.scope(s, item);
            let lookup = |k: &str| scope.get(k).map(str::to_string);
            // A value that does not resolve here is given the benefit of the doubt.
            let Some(path) = expand_word(raw.trim(), &lookup) else {
                set = true;
                continue;
            };
            if absolute(&path) {
                set = true;
            } else if !set {
                out.push(RULE.diagnostic(
                    ins.keyword_span(),
                    format!("`WORKDIR {raw}` is relative to the base image's working directory"),
                    "Use an absolute path, or set one with an earlier `WORKDIR`",
                ));
            }
        }
        set_by_end[s] = set;
    }
    out
}
