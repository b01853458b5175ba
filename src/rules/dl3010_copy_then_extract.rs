//! DL3010 copy-then-extract: a local archive copied in, then unpacked by a
//! RUN of the same stage.

use super::dl3020_add_local::is_archive_name;
use super::{Context, FixAvailability, Rule};
use crate::diagnostic::{Diagnostic, Severity};
use crate::semantics::commands::resolve;
use crate::semantics::unquote;
use crate::syntax::Keyword;

pub static RULE: Rule = Rule {
    code: "DL3010",
    name: "copy-then-extract",
    summary: "a local archive is copied with COPY and then unpacked in a RUN",
    aliases: &[],
    severity: Severity::Info,
    fix: FixAvailability::None,
    default_enabled: false,
    doc: include_str!("../../rules/DL3010.md"),
    check,
};

/// The last part of a Linux or Windows path.
fn file_name(path: &str) -> &str {
    path.rsplit(['/', '\\']).next().unwrap_or(path)
}

/// Whether `tar`'s arguments ask it to extract: `-x`, a cluster with `x`
/// (`-xzf`), `--extract`/`--get`, or the old style first word (`xf`).
fn tar_extracts(args: &[&str]) -> bool {
    args.iter().enumerate().any(|(i, a)| {
        *a == "--extract"
            || *a == "--get"
            || (a.starts_with('-') && !a.starts_with("--") && a.contains('x'))
            || (i == 0 && !a.starts_with('-') && a.contains('x') && a.len() <= 5)
    })
}

fn check(cx: &Context) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    for stage in &cx.model.stages {
        // Archives copied in so far: (COPY item, file names it may go by).
        let mut copied: Vec<(usize, Vec<String>)> = Vec::new();
        let mut reported: Vec<usize> = Vec::new();
        for &item in &stage.items {
            let Some(ins) = cx.df.instruction_of(item, &[Keyword::Copy, Keyword::Run]) else {
                continue;
            };
            match ins.keyword {
                Keyword::Copy if ins.flag("from").is_none() => {
                    // BuildKit splits COPY at blanks, quotes and all: a quoted
                    // path with a space is two words, each with one quote.
                    let words: Vec<String> = ins
                        .words()
                        .iter()
                        .map(|w| unquote(w).trim_matches(['"', '\'']).to_string())
                        .collect();
                    let Some((dest, sources)) = words.split_last() else {
                        continue;
                    };
                    let archives: Vec<String> = sources
                        .iter()
                        .filter(|s| is_archive_name(s))
                        .map(|s| file_name(s).to_string())
                        .collect();
                    if archives.is_empty() {
                        continue;
                    }
                    let mut names = archives;
                    names.push(file_name(dest).to_string());
                    copied.push((item, names));
                }
                Keyword::Run => {
                    let Some(run) = cx.run_at(item) else { continue };
                    for (_, cmd) in run.commands() {
                        let r = resolve(cmd);
                        if r.program() != "tar" {
                            continue;
                        }
                        let args: Vec<&str> =
                            r.words[1..].iter().map(|w| w.text.as_str()).collect();
                        if !tar_extracts(&args) {
                            continue;
                        }
                        for (copy, names) in &copied {
                            let unpacks = args.iter().any(|a| {
                                !a.starts_with('-') && names.iter().any(|n| n == file_name(a))
                            });
                            if unpacks && !reported.contains(copy) {
                                reported.push(*copy);
                            }
                        }
                    }
                }
                _ => {}
            }
        }
        for copy in reported {
            let Some(ins) = cx.instruction(copy) else {
                continue;
            };
            out.push(RULE.diagnostic(
                ins.line.span(0, ins.line.text.trim_end().len()),
                "This archive is copied whole into a layer and unpacked by a later RUN",
                "Use ADD, which unpacks a local archive without keeping it",
            ));
        }
    }
    out
}
