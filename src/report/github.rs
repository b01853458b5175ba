//! GitHub Actions workflow commands: one `::error`, `::warning` or
//! `::notice` line a finding, which a workflow step prints to annotate the
//! file in the run's summary and the pull request's diff:
//! `::warning file=PATH,line=L,col=C,endLine=L,endColumn=C,title=CODE name::message`.
//! GitHub has three levels, so info and style findings are notices.

use std::fmt::Write;

use super::{items, FileReport, LineIndex};
use crate::Severity;

fn command(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info | Severity::Style => "notice",
    }
}

/// The message of a command, escaped as the Actions toolkit does: `%`
/// first, so that the escapes themselves survive, then line breaks.
fn escape_data(s: &str) -> String {
    s.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// A property value: as the message, and also `:` and `,`, which would end
/// the value.
fn escape_property(s: &str) -> String {
    escape_data(s).replace(':', "%3A").replace(',', "%2C")
}

pub fn render(reports: &[FileReport]) -> String {
    let mut out = String::new();
    for r in reports {
        let index = LineIndex::new(r.source);
        for item in items(r, &index) {
            let mut props = format!("file={},line={}", escape_property(r.path), item.line);
            // GitHub takes columns only within one line; a span over
            // several lines is annotated as whole lines.
            if item.end_line == item.line {
                let _ = write!(props, ",col={}", item.column);
                let _ = write!(props, ",endLine={}", item.end_line);
                if !item.empty {
                    let _ = write!(props, ",endColumn={}", item.end_column);
                }
            } else {
                let _ = write!(props, ",endLine={}", item.end_line);
            }
            let title = match item.code {
                Some(code) => format!("{code} {}", item.name),
                None => item.name.to_string(),
            };
            let _ = writeln!(
                out,
                "::{} {props},title={}::{}",
                command(item.severity),
                escape_property(&title),
                escape_data(&item.full_message())
            );
        }
    }
    out
}
