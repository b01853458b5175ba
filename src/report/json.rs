use serde_json::{json, Value};

use super::FileReport;
use crate::fix::Fix;
use crate::{Diagnostic, Dockerfile};

fn fix_json(df: &Dockerfile, fix: &Fix) -> Value {
    json!({
        "applicability": fix.applicability,
        "edits": fix.edits.iter().map(|e| {
            let (line, column) = df.line_col(e.span.start);
            let (end_line, end_column) = df.line_col(e.span.end);
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
pub fn json_item(path: &str, df: &Dockerfile, d: &Diagnostic) -> Value {
    let (line, column) = df.line_col(d.span.start);
    let (end_line, end_column) = df.line_col(d.span.end);
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
        "fix": d.fix.as_ref().map(|f| fix_json(df, f)),
    })
}

/// All findings of all files as one top-level JSON array.
pub fn to_json(reports: &[FileReport]) -> String {
    let items: Vec<Value> = reports
        .iter()
        .flat_map(|r| r.diagnostics.iter().map(|d| json_item(r.path, r.df, d)))
        .collect();
    serde_json::to_string_pretty(&Value::Array(items)).unwrap_or_else(|_| "[]".into())
}
