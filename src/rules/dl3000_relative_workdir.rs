//! DL3000 relative-workdir: a WORKDIR that is not an absolute path.

use super::{Context, FixAvailability, Rule};
use crate::diagnostic::{Diagnostic, Edit, Fix, Severity};
use crate::semantics::{expand, normalize_path, unquote};
use crate::syntax::{Args, Instruction, Keyword};

pub static RULE: Rule = Rule {
    code: "DL3000",
    name: "relative-workdir",
    summary: "WORKDIR is a relative path",
    aliases: &[],
    severity: Severity::Error,
    fix: FixAvailability::Sometimes,
    default_enabled: false,
    doc: include_str!("../../rules/DL3000.md"),
    check,
};

/// Whether a path is absolute, for Linux (`/x`) or Windows (`C:\x`, `C:/x`)
/// images.
fn is_absolute(path: &str) -> bool {
    let b = path.as_bytes();
    path.starts_with('/')
        || path.starts_with('\\')
        || (b.len() >= 2 && b[0].is_ascii_alphabetic() && b[1] == b':')
}

/// Whether a WORKDIR of the file (in this stage before `item`, or in a
/// stage it is built `FROM`) set the directory, rather than the base
/// image's default as dflint knows it.
fn set_by_the_file(cx: &Context, stage: usize, item: usize) -> bool {
    cx.model.chain(stage).into_iter().any(|s| {
        cx.model.stages[s]
            .items
            .iter()
            .any(|&i| (s != stage || i < item) && cx.df.keyword(i) == Some(Keyword::Workdir))
    })
}

/// The edit that writes the absolute path the relative one means, and
/// whether it is safe.
fn absolute_edit(
    cx: &Context,
    ins: &Instruction,
    item: usize,
    raw: &str,
    path: &str,
) -> Option<Fix> {
    let stage = cx.model.stage_of(item)?;
    let base = cx.model.workdir_at(stage, item)?;
    let absolute = normalize_path(&format!("{base}/{path}"));
    if absolute.contains(|c: char| c.is_whitespace() || "$\"'\\".contains(c)) {
        return None;
    }
    let at = ins.line.text.find(raw)?;
    let edits = vec![Edit::replace(ins.line.span(at, at + raw.len()), absolute)];
    Some(if set_by_the_file(cx, stage, item) {
        Fix::safe(edits)
    } else {
        Fix::unsafe_edits(edits)
    })
}

fn check(cx: &Context) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    for (item, ins) in cx.df.instructions_of(&[Keyword::Workdir]) {
        let Args::Text(raw) = &ins.args else { continue };
        let raw = raw.trim();
        let written = unquote(raw);
        // A variable: judged by its value when the model knows it.
        let literal = !written.contains('$');
        let path = if literal {
            written
        } else {
            let Some(stage) = cx.model.stage_of(item) else {
                continue;
            };
            let scope = cx.model.scope(stage, item);
            match expand(&written, &|n| scope.get(n).map(str::to_string)) {
                Some(v) if !v.is_empty() => v,
                _ => continue,
            }
        };
        if is_absolute(&path) || path.is_empty() {
            continue;
        }
        let span = ins.line.span(0, ins.line.text.trim_end().len());
        let mut d = RULE.diagnostic(
            span,
            format!("`WORKDIR {raw}` is relative to whatever the working directory was before"),
            "Give WORKDIR an absolute path",
        );
        if literal {
            d.fix = absolute_edit(cx, ins, item, raw, &path);
        }
        out.push(d);
    }
    out
}
