//! CopyIgnoredFile: a COPY or ADD of a path the build context's
//! `.dockerignore` excludes. The builder never sends that path, so the
//! instruction fails, or (with a wildcard or a directory) silently copies
//! less than it says.
//!
//! It needs the build context: the Dockerfile's directory, with
//! `<Dockerfile>.dockerignore` beside the file or `.dockerignore` in that
//! directory. A file read from standard input has none, and the rule
//! stays silent rather than guess one.

use super::buildkit::{arg_words, expand_word};
use super::{Context, FixAvailability, Rule};
use crate::diagnostic::{Diagnostic, Severity};
use crate::syntax::{Args, Keyword};

pub static RULE: Rule = Rule {
    code: "CopyIgnoredFile",
    name: "copy-ignored-file",
    summary: "a COPY or ADD of a path that `.dockerignore` excludes from the build context",
    aliases: &[],
    severity: Severity::Warning,
    fix: FixAvailability::None,
    default_enabled: true,
    doc: include_str!("../../rules/CopyIgnoredFile.md"),
    check,
};

/// Sources that do not come from the build context.
fn remote(source: &str) -> bool {
    source.starts_with("<<") || source.contains("://") || source.starts_with("git@")
}

fn check(cx: &Context) -> Vec<Diagnostic> {
    let Some(ignore) = cx.dockerignore else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for (s, stage) in cx.model.stages.iter().enumerate() {
        for &item in &stage.items {
            let Some(ins) = cx.df.instruction_of(item, &[Keyword::Copy, Keyword::Add]) else {
                continue;
            };
            if ins.flag("from").is_some() {
                continue;
            }
            let words = ins.words();
            let Some((_, sources)) = words.split_last() else {
                continue;
            };
            // Shell-form words lie in the line one for one; a JSON array's
            // are reported at the keyword.
            let spans: Vec<_> = match ins.args {
                Args::Words(_) => arg_words(ins).into_iter().map(|(_, s)| s).collect(),
                _ => Vec::new(),
            };
            let spans = if spans.len() == words.len() {
                spans
            } else {
                Vec::new()
            };
            let scope = cx.model.scope(s, item);
            let lookup = |k: &str| scope.get(k).map(str::to_string);
            for (n, source) in sources.iter().enumerate() {
                if remote(source) {
                    continue;
                }
                let Some(path) = expand_word(source, &lookup) else {
                    continue;
                };
                if !ignore.excludes(&path) {
                    continue;
                }
                let word = ins.keyword_text().to_ascii_uppercase();
                let span = spans.get(n).copied().unwrap_or(ins.keyword_span());
                out.push(RULE.diagnostic(
                    span,
                    format!(
                        "`{word}` of `{path}`, which `{}` excludes from the build context",
                        ignore.name
                    ),
                    format!(
                        "Stop copying it, or take it back into the context with `!{path}` in `{}`",
                        ignore.name
                    ),
                ));
            }
        }
    }
    out
}
