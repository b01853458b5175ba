use std::borrow::Cow;
use std::fmt::Write;

use anstyle::{AnsiColor, Style};

use super::{FileReport, LineIndex};
use crate::diagnostic::{Applicability, Diagnostic, FileError, Severity};

const BOLD: Style = Style::new().bold();
const DIM: Style = Style::new().dimmed();

/// `style` when colour is on, else the plain style, which prints nothing:
/// a report for a pipe or a file is not written with escape sequences
/// only for the stream to take them out again (most of the time of a
/// report of many findings).
fn paint(style: Style, color: bool) -> Style {
    if color {
        style
    } else {
        Style::new()
    }
}

/// How findings look in the text format.
#[derive(Debug, Clone, Copy)]
pub struct Look {
    /// The fixes `[*]` marks: those `dflint fix` writes at this level.
    pub level: Applicability,
    /// Whether styles are written (a terminal that shows colour).
    pub color: bool,
}

fn severity_style(s: Severity) -> Style {
    let color = match s {
        Severity::Error => AnsiColor::Red,
        Severity::Warning => AnsiColor::Yellow,
        Severity::Info => AnsiColor::Blue,
        Severity::Style => AnsiColor::Cyan,
    };
    Style::new().fg_color(Some(color.into())).bold()
}

/// Every finding of a file: `path:line:col: CODE [*] severity: message`,
/// the source line with a marker under the span, then `help: ...`. `[*]`
/// marks a finding whose fix `dflint fix` writes at `look.level`. Styled
/// with ANSI codes when `look.color` is on; the text is not cleaned of control
/// characters from the file (the caller's stream does that).
pub fn render_text(report: &FileReport, look: Look) -> String {
    let index = LineIndex::new(report.source);
    let mut out = String::new();
    for d in report.diagnostics {
        render_one(&mut out, report.path, &index, d, look);
    }
    out
}

/// A source line longer than this many columns is shown as a window around
/// the carets, `...` marking what is left out: a generated file's line of
/// tens of kilobytes (or one BuildKit refuses as too long) was printed whole
/// under every finding and error on it. No line of the real-world corpus
/// comes near it.
const LONG_LINE: usize = 4096;
/// How many columns of a long line are shown before the carets, and at
/// most from where they start.
const SHOWN_BEFORE: usize = 80;
const SHOWN_FROM_CARETS: usize = 240;

/// The source line of `offset` with carets under `[start, end)` (cut at the
/// line's end), in the gutter style of the findings.
fn frame(out: &mut String, index: &LineIndex, start: usize, end: usize, style: Style, color: bool) {
    let style = paint(style, color);
    let dim = paint(DIM, color);
    let (line, col) = index.line_col(start);
    let raw = index.line(line);
    if raw.is_empty() && start == end {
        return;
    }
    // Tabs are shown as four spaces so that the carets line up.
    let src = if raw.contains('\t') {
        Cow::Owned(raw.replace('\t', "    "))
    } else {
        Cow::Borrowed(raw)
    };
    let width = digits(line);
    let mut caret_from: usize = raw
        .chars()
        .take(col - 1)
        .map(|c| if c == '\t' { 4 } else { 1 })
        .sum();
    let line_end = index.line_start(line) + raw.len();
    let mut caret_len = if end > start {
        let (_, end_col) = index.line_col(end.min(line_end).max(start));
        end_col.saturating_sub(col).max(1)
    } else {
        1
    };
    let columns = src.chars().count();
    let src = if columns > LONG_LINE {
        // Columns are characters here: tabs are already spaces.
        let from = caret_from.saturating_sub(SHOWN_BEFORE);
        let to = (caret_from + SHOWN_FROM_CARETS).min(columns);
        let mut shown = String::with_capacity(to - from + 6);
        if from > 0 {
            shown.push_str("...");
        }
        shown.extend(src.chars().skip(from).take(to - from));
        if to < columns {
            shown.push_str("...");
        }
        caret_len = caret_len.min(to.saturating_sub(caret_from)).max(1);
        caret_from = caret_from - from + if from > 0 { 3 } else { 0 };
        Cow::Owned(shown)
    } else {
        src
    };
    let _ = writeln!(out, "{dim}{line:>width$} |{dim:#} {src}");
    let _ = write!(
        out,
        "{dim}{:>width$} |{dim:#} {:caret_from$}{style}",
        "", ""
    );
    out.extend(std::iter::repeat_n('^', caret_len));
    let _ = writeln!(out, "{style:#}");
}

/// How many decimal digits `n` has (the gutter's width).
fn digits(n: usize) -> usize {
    n.checked_ilog10().map_or(1, |d| d as usize + 1)
}

/// The first line of a finding: `path:line:col: CODE [*] severity: message`.
fn headline(out: &mut String, path: &str, index: &LineIndex, d: &Diagnostic, look: Look) {
    let (line, col) = index.line_col(d.span.start);
    let style = paint(severity_style(d.severity), look.color);
    let bold = paint(BOLD, look.color);
    let fixable = if d.fixable_at(look.level) { " [*]" } else { "" };
    let _ = writeln!(
        out,
        "{bold}{path}:{line}:{col}:{bold:#} {style}{}{style:#}{fixable} {style}{}{style:#}: {}",
        d.code, d.severity, d.message
    );
}

/// Every finding of a file on one line each (`--concise`): the first line
/// of the full text format, without the source or the help.
pub fn render_concise(report: &FileReport, look: Look) -> String {
    let index = LineIndex::new(report.source);
    let mut out = String::new();
    for d in report.diagnostics {
        headline(&mut out, report.path, &index, d, look);
    }
    out
}

/// One finding in the text format.
pub fn render_one(out: &mut String, path: &str, index: &LineIndex, d: &Diagnostic, look: Look) {
    headline(out, path, index, d, look);
    let (line, _) = index.line_col(d.span.start);
    frame(
        out,
        index,
        d.span.start,
        d.span.end,
        severity_style(d.severity),
        look.color,
    );
    let width = digits(line);
    let bold = paint(BOLD, look.color);
    let _ = writeln!(out, "{:>width$}   {bold}help:{bold:#} {}", "", d.help);
    out.push('\n');
}

/// Errors that stopped a file from being checked: `path:line:col: error:
/// message`, with the source line when there is one.
pub fn render_errors(path: &str, source: &str, errors: &[FileError]) -> String {
    let index = LineIndex::new(source);
    let red = severity_style(Severity::Error);
    let mut out = String::new();
    for e in errors {
        let _ = writeln!(
            out,
            "{BOLD}{path}:{}:{}:{BOLD:#} {red}error{red:#}: {}",
            e.line, e.column, e.message
        );
        if !source.is_empty() && !e.span.is_empty() {
            frame(&mut out, &index, e.span.start, e.span.end, red, true);
        }
    }
    out
}

/// The closing lines of `check`: counts, and how many findings each kind
/// of `fix` would fix.
#[derive(Debug, Default, Clone, Copy)]
pub struct Summary {
    pub findings: usize,
    pub files: usize,
    /// Findings with a fix written at the level in use.
    pub fixable: usize,
    /// Findings whose fix needs `--unsafe-fixes` (when not in use).
    pub more_with_unsafe: usize,
    pub unsafe_in_use: bool,
}

impl Summary {
    pub fn render(&self) -> String {
        let plural = |n: usize, w: &str| format!("{n} {w}{}", if n == 1 { "" } else { "s" });
        let mut out = format!(
            "Found {} in {}",
            plural(self.findings, "problem"),
            plural(self.files, "file")
        );
        let command = if self.unsafe_in_use {
            "`dflint fix --unsafe-fixes`"
        } else {
            "`dflint fix`"
        };
        let mut notes = Vec::new();
        if self.fixable > 0 {
            notes.push(format!(
                "{} fixable with {command}, marked [*]",
                self.fixable
            ));
        }
        if self.more_with_unsafe > 0 {
            let n = self.more_with_unsafe;
            let fixes = if n == 1 { "fix" } else { "fixes" };
            notes.push(format!("{n} more {fixes} with `dflint fix --unsafe-fixes`"));
        }
        if !notes.is_empty() {
            out.push_str(&format!(" ({})", notes.join("; ")));
        }
        out.push('\n');
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn without_colour_a_finding_reads_as_its_coloured_text_stripped() {
        let source = "FROM a\n\tRUN pip install x\n";
        let index = LineIndex::new(source);
        let span = crate::syntax::Span::new(8, 11);
        let d = crate::rules::RULES[0].diagnostic(span, "A message", "Do this");
        let render = |color: bool| {
            let mut out = String::new();
            let look = Look {
                level: Applicability::Safe,
                color,
            };
            render_one(&mut out, "Dockerfile", &index, &d, look);
            out
        };
        let (colored, plain) = (render(true), render(false));
        assert!(colored.contains('\x1b') && !plain.contains('\x1b'));
        assert_eq!(plain, anstream::adapter::strip_str(&colored).to_string());
        assert!(
            plain.contains("2 |     RUN pip install x\n  |     ^^^\n"),
            "{plain}"
        );
    }

    #[test]
    fn a_long_line_is_shown_as_a_window_around_the_carets() {
        let frame_of = |source: &str, start: usize, end: usize| {
            let index = LineIndex::new(source);
            let mut out = String::new();
            frame(&mut out, &index, start, end, Style::new(), false);
            out
        };
        // 10,000 columns, the span in the middle: 80 before it, 240 from it.
        let line: String = (0..10_000)
            .map(|i| char::from(b'a' + (i % 26) as u8))
            .collect();
        let source = format!("FROM a\n{line}\n");
        let at = 7 + 5_000;
        let out = frame_of(&source, at, at + 3);
        let lines: Vec<&str> = out.lines().collect();
        let shown = lines[0].strip_prefix("2 | ").expect("the gutter");
        assert_eq!(shown.len(), 3 + 320 + 3);
        assert!(shown.starts_with("...") && shown.ends_with("..."));
        let carets = lines[1].strip_prefix("  | ").expect("the gutter");
        let under = carets.find('^').expect("carets");
        assert_eq!(carets.trim_start().len(), 3);
        assert_eq!(&shown[under..under + 3], &line[5_000..5_003]);
        // Near the start, nothing is cut before; a span to the line's end
        // is marked up to the window's end.
        let out = frame_of(&source, 7 + 10, 7 + 10_000);
        let lines: Vec<&str> = out.lines().collect();
        assert!(lines[0].starts_with("2 | abcdefghij") && lines[0].ends_with("..."));
        assert_eq!(lines[1].matches('^').count(), 240);
        // A line under the limit is shown whole.
        let short = format!("FROM a\n{}\n", &line[..4_000]);
        assert!(frame_of(&short, 7 + 3_990, 7 + 3_995).contains(&line[..4_000]));
    }

    #[test]
    fn the_gutter_is_as_wide_as_the_line_number() {
        for n in [0, 1, 9, 10, 99, 100, 12_345, usize::MAX] {
            assert_eq!(digits(n), n.to_string().len(), "{n}");
        }
    }
}
