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
        "name": d.name,
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
    let mut items = Vec::new();
    for r in reports {
        let index = LineIndex::new(r.source);
        items.extend(r.errors.iter().map(|e| json_error(r.path, &index, e)));
        items.extend(r.diagnostics.iter().map(|d| json_item(r.path, &index, d)));
    }
    serde_json::to_string_pretty(&Value::Array(items)).unwrap_or_else(|_| "[]".into())
}
