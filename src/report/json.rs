use std::io;

use serde::ser::{Serialize, SerializeSeq, Serializer};
use serde_json::{json, Value};

use super::{FileReport, LineIndex, INVALID_DOCKERFILE};
use crate::diagnostic::{Diagnostic, FileError, Fix};

fn fix_json(index: &LineIndex, fix: &Fix) -> Value {
    json!({
        "applicability": fix.applicability.as_str(),
        "edits": fix.edits.iter().map(|e| {
            let (line, column) = index.line_col(e.span.start);
            let (end_line, end_column) = index.line_col(e.span.end);
            json!({
                "line": line, "column": column,
                "end_line": end_line, "end_column": end_column,
                "replacement": e.replacement,
            })
        }).collect::<Vec<_>>(),
    })
}

/// One finding as a JSON object; lines and columns are 1-based, the end
/// column is exclusive.
pub fn json_item(path: &str, index: &LineIndex, d: &Diagnostic) -> Value {
    let (line, column) = index.line_col(d.span.start);
    let (end_line, end_column) = index.line_col(d.span.end);
    json!({
        "file": path,
        "code": d.code,
        "name": crate::rules::name_of(d.code),
        "severity": d.severity,
        "message": d.message,
        "help": d.help,
        "line": line,
        "column": column,
        "end_line": end_line,
        "end_column": end_column,
        "fix": d.fix.as_ref().map(|f| fix_json(index, f)),
    })
}

/// An error that stopped a file from being checked, in the shape of a
/// finding: `code` is null and `name` is `invalid-dockerfile`.
pub fn json_error(path: &str, index: &LineIndex, e: &FileError) -> Value {
    let (end_line, end_column) = if e.span.is_empty() {
        (e.line, e.column)
    } else {
        index.line_col(e.span.end)
    };
    json!({
        "file": path,
        "code": null,
        "name": INVALID_DOCKERFILE,
        "severity": "error",
        "message": e.message,
        "help": null,
        "line": e.line,
        "column": e.column,
        "end_line": end_line,
        "end_column": end_column,
        "fix": null,
    })
}

/// All findings and errors of all files as one top-level JSON array.
pub fn to_json(reports: &[FileReport]) -> String {
    let mut out = Vec::new();
    // Writing to memory fails only if a value cannot be serialised, and
    // these are plain JSON values.
    match write_json(&mut out, reports) {
        Ok(()) => String::from_utf8_lossy(&out).into_owned(),
        Err(_) => "[]".into(),
    }
}

/// [`to_json`], written one item at a time as it is made: the report of
/// a large file is never held whole in memory.
pub fn write_json(w: impl io::Write, reports: &[FileReport]) -> io::Result<()> {
    /// The items, made while the array is written.
    struct Items<'r>(&'r [FileReport<'r>]);
    impl Serialize for Items<'_> {
        fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
            let mut seq = s.serialize_seq(None)?;
            for r in self.0 {
                let index = LineIndex::new(r.source);
                for e in r.errors {
                    seq.serialize_element(&json_error(r.path, &index, e))?;
                }
                for d in r.diagnostics {
                    seq.serialize_element(&json_item(r.path, &index, d))?;
                }
            }
            seq.end()
        }
    }
    serde_json::to_writer_pretty(w, &Items(reports)).map_err(io::Error::from)
}
