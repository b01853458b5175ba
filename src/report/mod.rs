//! Rendering findings and errors: text for people, JSON for tools. Every
//! format carries both: a file that could not be checked appears with its
//! errors, never silently absent.

mod json;
mod text;

pub use json::{json_error, json_item, to_json};
pub use text::{render_errors, render_one, render_text, Summary};

use crate::{Diagnostic, FileError};

/// The findings or errors of one file, with its text to place them.
pub struct FileReport<'a> {
    pub path: &'a str,
    /// The file's text; empty when it could not be read.
    pub source: &'a str,
    pub diagnostics: &'a [Diagnostic],
    pub errors: &'a [FileError],
}

/// 1-based line and column (in characters) of byte offsets in a text.
pub struct LineIndex<'a> {
    text: &'a str,
    starts: Vec<usize>,
}

impl<'a> LineIndex<'a> {
    pub fn new(text: &'a str) -> LineIndex<'a> {
        let starts = std::iter::once(0)
            .chain(text.match_indices('\n').map(|(i, _)| i + 1))
            .collect();
        LineIndex { text, starts }
    }

    pub fn line_col(&self, offset: usize) -> (usize, usize) {
        let offset = offset.min(self.text.len());
        let line = self.starts.partition_point(|&s| s <= offset).max(1);
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
