//! Fixes as data: a set of text edits with a safety level.

use serde::Serialize;

use crate::syntax::Span;

/// Replace the text at `span` with `replacement` (an insertion when the span is empty).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Edit {
    pub span: Span,
    pub replacement: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Applicability {
    /// Keeps the image's behaviour; applied by `dflint fix`.
    Safe,
    /// Changes how the image is built or run; applied by `dflint fix` but
    /// worth a review of the diff.
    Review,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Fix {
    pub edits: Vec<Edit>,
    pub applicability: Applicability,
}
