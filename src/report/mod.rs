//! Rendering findings and errors: text for people, and for tools JSON,
//! JSON lines, SARIF, GitHub workflow commands, GitLab Code Quality,
//! Checkstyle, JUnit and GNU lines. Every format carries both: a file that
//! could not be checked appears with its errors, never silently absent.
//! Each format renders every file in the order given, and the same input
//! always gives the same bytes, so reports can be diffed and cached.

pub mod checkstyle;
pub mod diff;
pub mod github;
pub mod gitlab;
pub mod gnu;
mod json;
pub mod json_lines;
pub mod junit;
pub mod sarif;
mod text;

pub use json::{json_error, json_item, to_json, write_json};
pub use text::{render_concise, render_errors, render_one, render_text, Look, Summary};

use std::cell::Cell;
use std::io::{self, Write as _};
use std::path::Path;

use crate::{Diagnostic, FileError, Severity};

/// The name an error that stopped a file from being checked is reported
/// under, where a finding has its rule's name. Errors have no code: no rule
/// raised them, and no `--ignore` or suppression silences them.
pub const INVALID_DOCKERFILE: &str = "invalid-dockerfile";

/// The findings or errors of one file, with its text to place them.
pub struct FileReport<'a> {
    pub path: &'a str,
    /// The file's text; empty when it could not be read.
    pub source: &'a str,
    pub diagnostics: &'a [Diagnostic],
    pub errors: &'a [FileError],
}

/// A finding or an error, placed: what the formats that list both alike
/// (every one but text) need of each.
struct Item<'a> {
    /// The rule's code; `None` for an error.
    code: Option<&'static str>,
    /// The rule's name, or [`INVALID_DOCKERFILE`].
    name: &'static str,
    severity: Severity,
    message: &'a str,
    help: Option<&'a str>,
    /// 1-based line and column of the start, in characters.
    line: usize,
    column: usize,
    /// Where the span ends (exclusive), not counting a line ending it takes
    /// in: a finding on a whole line stays on that line.
    end_line: usize,
    end_column: usize,
    /// Whether the span is empty (an error with no better place).
    empty: bool,
    diagnostic: Option<&'a Diagnostic>,
}

impl Item<'_> {
    /// The code, or the error's name where a code is expected.
    fn code_or_name(&self) -> &'static str {
        self.code.unwrap_or(self.name)
    }

    /// The message with what to do after it, for formats with one text field.
    fn full_message(&self) -> String {
        match self.help {
            Some(help) if !help.is_empty() => {
                let stop = if self.message.ends_with(['.', '!', '?']) {
                    ""
                } else {
                    "."
                };
                format!("{}{stop} {help}", self.message)
            }
            _ => self.message.to_string(),
        }
    }
}

/// The end of a span for display: a span that ends just after a line
/// break ends at the end of that line instead, so that a finding on one
/// whole line is not reported as reaching into the next.
fn display_end(source: &str, start: usize, end: usize) -> usize {
    let mut end = end.min(source.len());
    let head = source.get(..end).unwrap_or("");
    if end > start && head.ends_with('\n') {
        end -= 1;
        if end > start && head[..end].ends_with('\r') {
            end -= 1;
        }
    }
    end
}

/// A file's errors, then its findings (the order of the JSON format).
fn items<'a>(report: &FileReport<'a>, index: &LineIndex) -> Vec<Item<'a>> {
    let mut out = Vec::with_capacity(report.errors.len() + report.diagnostics.len());
    for e in report.errors {
        let (end_line, end_column) = if e.span.is_empty() {
            (e.line, e.column)
        } else {
            index.line_col(display_end(report.source, e.span.start, e.span.end))
        };
        out.push(Item {
            code: None,
            name: INVALID_DOCKERFILE,
            severity: Severity::Error,
            message: &e.message,
            help: None,
            line: e.line,
            column: e.column,
            end_line,
            end_column,
            empty: e.span.is_empty(),
            diagnostic: None,
        });
    }
    for d in report.diagnostics {
        let (line, column) = index.line_col(d.span.start);
        let (end_line, end_column) =
            index.line_col(display_end(report.source, d.span.start, d.span.end));
        out.push(Item {
            code: Some(d.code),
            name: crate::rules::name_of(d.code),
            severity: d.severity,
            message: &d.message,
            help: Some(&d.help),
            line,
            column,
            end_line,
            end_column,
            empty: d.span.is_empty(),
            diagnostic: Some(d),
        });
    }
    out
}

/// A path as CI systems name files in a repository: forward slashes, no
/// leading `./` (which would not match the repository's own names).
fn repo_path(path: &str) -> String {
    let mut p = path.replace('\\', "/");
    while let Some(rest) = p.strip_prefix("./") {
        p = rest.trim_start_matches('/').to_string();
    }
    p
}

/// Text for an XML attribute. XML 1.0 cannot carry most control
/// characters at all, even as references, so each is shown as U+FFFD;
/// line breaks and tabs are references, which attribute values keep
/// (written as is, a parser would turn them into spaces).
fn xml_escape(s: &str) -> String {
    escape_xml(s, true)
}

/// Text for an XML element's content, where line breaks and tabs stay as
/// they are, readable in the file.
fn xml_escape_text(s: &str) -> String {
    escape_xml(s, false)
}

fn escape_xml(s: &str, attribute: bool) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '\n' | '\t' if !attribute => out.push(c),
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\n' => out.push_str("&#10;"),
            '\r' => out.push_str("&#13;"),
            '\t' => out.push_str("&#9;"),
            '\u{0}'..='\u{1f}' | '\u{fffe}' | '\u{ffff}' => out.push('\u{fffd}'),
            c => out.push(c),
        }
    }
    out
}

/// Write a report to a file: into a temporary file beside it, then renamed
/// over it, so that a reader (or a failed run) never sees half a report.
/// A symlink is written through, and stays a link.
pub fn write_file(path: &Path, content: &str) -> io::Result<()> {
    let target = match std::fs::symlink_metadata(path) {
        Ok(meta) if meta.file_type().is_symlink() => std::fs::canonicalize(path)?,
        _ => path.to_path_buf(),
    };
    let dir = match target.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => Path::new(".").to_path_buf(),
    };
    let mut builder = tempfile::Builder::new();
    builder.prefix(".dflint-report-").suffix(".tmp");
    // The permissions a shell redirection gives a new file (before the
    // umask), not the owner-only ones of a temporary file.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        builder.permissions(std::fs::Permissions::from_mode(0o666));
    }
    let mut file = builder.tempfile_in(&dir).map_err(without_temp_path)?;
    file.write_all(content.as_bytes())?;
    file.as_file().sync_all()?;
    file.persist(&target).map_err(|e| e.error)?;
    Ok(())
}

/// tempfile's error names the temporary file (`... at path "dir/.dflint-
/// report-XXXX.tmp"`), which the user never asked for: the caller names the
/// report's own path instead. tempfile keeps the inner error private, so
/// the suffix is cut from the message.
fn without_temp_path(e: io::Error) -> io::Error {
    let message = e.to_string();
    match message.rfind(" at path \"") {
        Some(at) => io::Error::new(e.kind(), &message[..at]),
        None => e,
    }
}

/// 1-based line and column (in characters) of byte offsets in a text.
pub struct LineIndex<'a> {
    text: &'a str,
    starts: Vec<usize>,
    /// The line found last: findings are reported in file order, so the
    /// next offset asked is most often on that line or the next.
    last: Cell<usize>,
}

impl<'a> LineIndex<'a> {
    pub fn new(text: &'a str) -> LineIndex<'a> {
        let starts = std::iter::once(0)
            .chain(text.match_indices('\n').map(|(i, _)| i + 1))
            .collect();
        LineIndex {
            text,
            starts,
            last: Cell::new(1),
        }
    }

    /// The 1-based line holding `offset` (at most the text's length).
    fn line_of(&self, offset: usize) -> usize {
        let ends_after = |line: usize| self.starts.get(line).is_none_or(|&next| next > offset);
        let last = self.last.get();
        // On the last line found or a few after it, else a search.
        let line = (self.starts[last - 1] <= offset)
            .then(|| (last..last + 3).find(|&line| ends_after(line)))
            .flatten()
            .unwrap_or_else(|| self.starts.partition_point(|&s| s <= offset).max(1));
        self.last.set(line);
        line
    }

    pub fn line_col(&self, offset: usize) -> (usize, usize) {
        let offset = offset.min(self.text.len());
        let line = self.line_of(offset);
        let start = self.starts[line - 1];
        let column = self
            .text
            .get(start..offset)
            .map_or(offset - start, |s| s.chars().count())
            + 1;
        (line, column)
    }

    /// The text of a 1-based line, without its line ending.
    pub fn line(&self, line: usize) -> &'a str {
        let Some(&start) = self.starts.get(line.wrapping_sub(1)) else {
            return "";
        };
        let end = self.starts.get(line).map_or(self.text.len(), |&e| e);
        self.text
            .get(start..end)
            .unwrap_or("")
            .trim_end_matches(['\n', '\r'])
    }

    pub fn line_start(&self, line: usize) -> usize {
        self.starts
            .get(line.wrapping_sub(1))
            .copied()
            .unwrap_or(self.text.len())
    }
}

#[cfg(test)]
mod tests {
    use super::LineIndex;

    /// Line and column by counting, for comparison.
    fn counted(text: &str, offset: usize) -> (usize, usize) {
        let before = &text[..offset];
        let line = before.matches('\n').count() + 1;
        let start = before.rfind('\n').map_or(0, |i| i + 1);
        (line, before[start..].chars().count() + 1)
    }

    #[test]
    fn line_and_column_in_any_order() {
        let text = "FROM a\n\nRUN é \\\n  b\nCMD [\"x\"]\n\n";
        let offsets: Vec<usize> = (0..=text.len())
            .filter(|&i| text.is_char_boundary(i))
            .collect();
        let index = LineIndex::new(text);
        // In order (the hint's case), backwards, and jumping about.
        let mut order = offsets.clone();
        order.extend(offsets.iter().rev());
        let mut next = crate::rng(7);
        order.extend((0..200).map(|_| offsets[next(offsets.len() as u64)]));
        for at in order {
            assert_eq!(index.line_col(at), counted(text, at), "offset {at}");
        }
        assert_eq!(index.line_col(text.len() + 5), counted(text, text.len()));
    }
}
