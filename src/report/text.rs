use std::fmt::Write;

use anstyle::{AnsiColor, Style};

use super::FileReport;
use crate::{Diagnostic, Severity};

const BOLD: Style = Style::new().bold();
const DIM: Style = Style::new().dimmed();

fn severity_style(s: Severity) -> Style {
    let color = match s {
        Severity::Error => AnsiColor::Red,
        Severity::Warning => AnsiColor::Yellow,
        Severity::Info => AnsiColor::Blue,
    };
    Style::new().fg_color(Some(color.into())).bold()
}

/// `path:line:col: CODE message`, then the source line with a marker under
/// the span, then `help: ...`. Styles are ANSI codes; the caller's stream
/// strips them when colour is off.
pub fn render_text(report: &FileReport) -> String {
    let mut out = String::new();
    for d in report.diagnostics {
        render_one(&mut out, report, d);
    }
    out
}

fn render_one(out: &mut String, report: &FileReport, d: &Diagnostic) {
    let df = report.df;
    let (line, col) = df.line_col(d.span.start);
    let code = severity_style(d.severity);
    let fixable = if d.fix.is_some() { " [*]" } else { "" };
    let _ = writeln!(
        out,
        "{BOLD}{}:{line}:{col}:{BOLD:#} {code}{}{code:#}{fixable} {}",
        report.path, d.code, d.message
    );
    // The first source line of the span, with carets under it.
    let start = df.line_start(line);
    let end = df.text[start..]
        .find('\n')
        .map_or(df.text.len(), |i| start + i);
    let raw = df.text[start..end].trim_end_matches('\r');
    // Tabs are shown as four spaces so that the carets line up.
    let src = raw.replace('\t', "    ");
    let width = line.to_string().len();
    let caret_from: usize = raw
        .chars()
        .take(col - 1)
        .map(|c| if c == '\t' { 4 } else { 1 })
        .sum();
    let span_end = d.span.end.min(start + raw.len()).max(d.span.start);
    let caret_len = df.text[d.span.start..span_end].chars().count().max(1);
    let _ = writeln!(out, "{DIM}{:>width$} |{DIM:#} {src}", line);
    let _ = writeln!(
        out,
        "{DIM}{:>width$} |{DIM:#} {}{code}{}{code:#}",
        "",
        " ".repeat(caret_from),
        "^".repeat(caret_len)
    );
    let _ = writeln!(out, "{:>width$}   {BOLD}help:{BOLD:#} {}", "", d.help);
    out.push('\n');
}

/// An error that stopped a file from being checked: `path:line:col: error: ...`.
pub fn render_error(path: &str, line: usize, column: usize, message: &str) -> String {
    let red = severity_style(Severity::Error);
    format!("{BOLD}{path}:{line}:{column}:{BOLD:#} {red}error{red:#}: {message}\n")
}
