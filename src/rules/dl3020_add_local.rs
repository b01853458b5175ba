//! DL3020 add-instead-of-copy: ADD of local files that COPY would copy
//! the same.

use super::{Context, FixAvailability, Rule};
use crate::diagnostic::{Diagnostic, Edit, Fix, Severity};
use crate::semantics::unquote;
use crate::syntax::Keyword;

pub static RULE: Rule = Rule {
    code: "DL3020",
    name: "add-instead-of-copy",
    summary: "ADD of local files or folders instead of COPY",
    aliases: &[],
    severity: Severity::Error,
    fix: FixAvailability::Always,
    default_enabled: false,
    doc: include_str!("../../rules/DL3020.md"),
    check,
};

/// Endings of the archives ADD unpacks (it looks at the content; these are
/// the names such files have).
pub const ARCHIVE_ENDINGS: &[&str] = &[
    ".tar", ".tar.gz", ".tgz", ".tar.bz2", ".tbz2", ".tbz", ".tar.xz", ".txz", ".tar.zst", ".tzst",
    ".gz", ".bz2", ".xz", ".zst", ".lz", ".lzma", ".tlz",
];

/// ADD options COPY does not have.
const ADD_ONLY_FLAGS: &[&str] = &["checksum", "keep-git-dir", "unpack"];

pub fn is_archive_name(path: &str) -> bool {
    let lower = path.to_ascii_lowercase();
    ARCHIVE_ENDINGS.iter().any(|e| lower.ends_with(e))
}

fn is_remote(source: &str) -> bool {
    source.contains("://") || source.starts_with("git@")
}

/// Whether ADD of this local source certainly copies it as is: a
/// directory, or a file whose name says it is no archive. ADD unpacks by
/// content, so a name without an extension or a glob could be a tarball.
fn plainly_not_archive(source: &str) -> bool {
    if source == "." || source.ends_with('/') {
        return true;
    }
    let name = source.rsplit(['/', '\\']).next().unwrap_or(source);
    !name.contains(['*', '?', '[']) && name.rfind('.').is_some_and(|i| i > 0)
}

fn check(cx: &Context) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    for (_, ins) in cx.df.instructions_of(&[Keyword::Add]) {
        if !ins.heredocs.is_empty() {
            continue;
        }
        let words = ins.words();
        if words.len() < 2 {
            continue;
        }
        let sources: Vec<String> = words[..words.len() - 1]
            .iter()
            .map(|w| unquote(w))
            .collect();
        if sources.iter().any(|s| s.contains('$')) {
            continue;
        }
        let local: Vec<&String> = sources
            .iter()
            .filter(|s| !is_remote(s) && !is_archive_name(s))
            .collect();
        if local.is_empty() {
            continue;
        }
        let mut d = RULE.diagnostic(
            ins.keyword_span(),
            format!("ADD of `{}`, a local file or folder: COPY does the same, without ADD's extra behaviour", local[0]),
            "Use COPY; keep ADD for URLs and archives to unpack",
        );
        let all_local = local.len() == sources.len();
        let add_only = ins.flags.iter().any(|f| {
            ADD_ONLY_FLAGS
                .iter()
                .any(|n| f.name().eq_ignore_ascii_case(n))
        });
        if all_local && !add_only {
            let copy = if ins.keyword_text().chars().all(|c| c.is_ascii_lowercase()) {
                "copy"
            } else {
                "COPY"
            };
            let edits = vec![Edit::replace(ins.keyword_span(), copy)];
            d.fix = Some(if sources.iter().all(|s| plainly_not_archive(s)) {
                Fix::safe(edits)
            } else {
                Fix::unsafe_edits(edits)
            });
        }
        out.push(d);
    }
    out
}
