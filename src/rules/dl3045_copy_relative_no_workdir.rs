//! DL3045 copy-relative-without-workdir: a COPY to a relative destination
//! in a stage where no WORKDIR has been set.

use super::{Context, FixAvailability, Rule};
use crate::diagnostic::{Diagnostic, Severity};
use crate::semantics::images::default_workdir;
use crate::semantics::managers::trigger;
use crate::syntax::{Instruction, Keyword};

pub static RULE: Rule = Rule {
    code: "DL3045",
    name: "copy-relative-without-workdir",
    aliases: &[],
    summary: "`COPY` to a relative destination before any `WORKDIR`",
    severity: Severity::Warning,
    fix: FixAvailability::None,
    default_enabled: false,
    doc: include_str!("../../rules/DL3045.md"),
    check,
};

/// Whether a destination does not depend on the working directory: an
/// absolute path (also Windows' `C:\` and `C:/`), or a variable, whose
/// value is not known here.
fn independent(dest: &str) -> bool {
    let d = dest.trim_matches(|c| c == '"' || c == '\'');
    let b = d.as_bytes();
    d.starts_with('/')
        || d.starts_with('\\')
        || d.starts_with('$')
        || (b.len() >= 3
            && b[0].is_ascii_alphabetic()
            && b[1] == b':'
            && matches!(b[2], b'\\' | b'/'))
}

fn destination(ins: &Instruction) -> Option<&str> {
    ins.words()
        .iter()
        .rfind(|w| !w.starts_with("<<"))
        .map(|w| w.as_str())
}

fn check(cx: &Context) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    let stages = &cx.model.stages;
    // For every stage: whether its lineage has a WORKDIR, and an ONBUILD
    // WORKDIR, by its end. A parent is an earlier stage, so one pass in
    // order fills both (a chain of stages is not walked again per stage).
    let mut workdir_end = vec![false; stages.len()];
    let mut onbuild_workdir_end = vec![false; stages.len()];
    let trigger_of = |item: usize| cx.instruction(item).and_then(trigger).map(|i| i.keyword);
    for (s, stage) in stages.iter().enumerate() {
        let parent = cx.model.parent(s);
        let mut workdir = parent.is_some_and(|p| workdir_end[p]);
        let mut onbuild_workdir = parent.is_some_and(|p| onbuild_workdir_end[p]);
        // A trigger runs in the child image, after every WORKDIR of this one.
        let any_workdir = workdir
            || stage
                .items
                .iter()
                .any(|&i| cx.df.keyword(i) == Some(Keyword::Workdir));
        // A base image that sets a working directory of its own other than
        // `/` (the NVIDIA and PyTorch images' /workspace) counts as one.
        let root_sets_one = cx
            .model
            .root_base(s)
            .and_then(default_workdir)
            .is_some_and(|w| w != "/");
        for &item in &stage.items {
            let read = [Keyword::Workdir, Keyword::Copy, Keyword::Onbuild];
            let Some(ins) = cx.df.instruction_of(item, &read) else {
                continue;
            };
            let (copy, set) = match ins.keyword {
                Keyword::Workdir => {
                    workdir = true;
                    continue;
                }
                Keyword::Copy => (ins, workdir),
                Keyword::Onbuild => match trigger(ins) {
                    Some(inner) if inner.keyword == Keyword::Copy => {
                        (inner, any_workdir || onbuild_workdir)
                    }
                    _ => {
                        onbuild_workdir |= trigger_of(item) == Some(Keyword::Workdir);
                        continue;
                    }
                },
                _ => continue,
            };
            let Some(dest) = destination(copy) else {
                continue;
            };
            if set || root_sets_one || independent(dest) {
                continue;
            }
            let span = copy.line.span(0, copy.line.text.len());
            out.push(RULE.diagnostic(
                span,
                format!("`COPY` to relative `{dest}` with no `WORKDIR` set: it lands under the base image's directory"),
                "Set `WORKDIR` first, or give an absolute destination",
            ));
        }
        workdir_end[s] = workdir;
        onbuild_workdir_end[s] = onbuild_workdir;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::independent;

    #[test]
    fn destinations() {
        for d in [
            "/usr/bin/",
            "\"/x\"",
            "c:\\system32\\x",
            "d:/x",
            "$HOME",
            "\"${A}\"",
        ] {
            assert!(independent(d), "{d}");
        }
        for d in ["x", ".", "./app", "\"blubb.sh\"", "b"] {
            assert!(!independent(d), "{d}");
        }
    }
}
