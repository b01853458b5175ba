//! Rendering findings: text for people, JSON for tools.

mod json;
mod text;

pub use json::{json_item, to_json};
pub use text::{render_error, render_text};

use crate::{Diagnostic, Dockerfile};

/// The findings of one file, with what is needed to place them.
pub struct FileReport<'a> {
    pub path: &'a str,
    pub df: &'a Dockerfile,
    pub diagnostics: &'a [Diagnostic],
}
