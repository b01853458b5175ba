//! The bottom of the library: what a rule reports ([`Diagnostic`]), how bad
//! it is ([`Severity`]), and how to fix it ([`Fix`], [`Edit`],
//! [`Applicability`]). This module imports nothing from the layers above it
//! (rules, fixes, the rewrite), so every layer can speak these types.

use std::borrow::Cow;

use std::fmt;
use std::str::FromStr;

use serde::Serialize;

use crate::syntax::Span;

/// How bad a finding is. The order is the order of gravity, so a failure
/// threshold is a comparison: `style < info < warning < error`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Style,
    Info,
    Warning,
    Error,
}

impl Severity {
    pub const ALL: [Severity; 4] = [
        Severity::Error,
        Severity::Warning,
        Severity::Info,
        Severity::Style,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Style => "style",
            Severity::Info => "info",
            Severity::Warning => "warning",
            Severity::Error => "error",
        }
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Severity {
    type Err = String;

    /// `error`, `warning`, `info` or `style`, any case.
    fn from_str(s: &str) -> Result<Severity, String> {
        Severity::ALL
            .into_iter()
            .find(|v| v.as_str().eq_ignore_ascii_case(s.trim()))
            .ok_or_else(|| {
                format!("unknown severity `{s}` (expected one of: error, warning, info, style)")
            })
    }
}

/// Replace the text at `span` with `replacement` (an insertion when the span is empty).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Edit {
    pub span: Span,
    pub replacement: String,
}

impl Edit {
    pub fn insert(at: usize, text: impl Into<String>) -> Edit {
        Edit {
            span: Span::new(at, at),
            replacement: text.into(),
        }
    }
    pub fn replace(span: Span, text: impl Into<String>) -> Edit {
        Edit {
            span,
            replacement: text.into(),
        }
    }
    pub fn delete(span: Span) -> Edit {
        Edit::replace(span, "")
    }
}

/// Apply edits to a text. Identical edits count once; edits must not overlap
/// (two insertions at the same offset are applied in the given order).
pub fn apply(text: &str, edits: &[Edit]) -> String {
    // A stable sort keeps insertions at one offset in the given order;
    // identical edits then sit in one run of equal spans, where each is
    // compared with the others of its run only, not with every edit.
    let mut sorted: Vec<&Edit> = edits.iter().collect();
    sorted.sort_by_key(|e| (e.span.start, e.span.end));
    let mut run_start = 0;
    let mut kept = 0;
    for i in 0..sorted.len() {
        if sorted[i].span != sorted[run_start].span {
            run_start = kept;
        }
        if !sorted[run_start..kept].contains(&sorted[i]) {
            sorted[kept] = sorted[i];
            kept += 1;
        }
    }
    sorted.truncate(kept);
    let mut out = String::with_capacity(text.len());
    let mut at = 0;
    for e in sorted {
        if e.span.start < at {
            continue;
        }
        out.push_str(&text[at..e.span.start]);
        out.push_str(&e.replacement);
        at = e.span.end;
    }
    out.push_str(&text[at..]);
    out
}

/// How far a fix can be trusted, ordered `DisplayOnly < Unsafe < Safe` so
/// that "apply fixes at or above this level" is a comparison.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Applicability {
    /// Shown as a suggestion, never written.
    DisplayOnly,
    /// May change what the image does (its user, layout, base image or
    /// stages): written only with `--unsafe-fixes`; review the diff and test
    /// the image.
    Unsafe,
    /// The image does exactly what it did, and every comment is kept; only
    /// how it is built changes.
    Safe,
}

impl Applicability {
    pub fn as_str(self) -> &'static str {
        match self {
            Applicability::DisplayOnly => "display-only",
            Applicability::Unsafe => "unsafe",
            Applicability::Safe => "safe",
        }
    }
}

/// Edits that together fix one finding, and how far they can be trusted.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Fix {
    pub edits: Vec<Edit>,
    pub applicability: Applicability,
    /// A structural fix reshapes whole stages; the applier runs it alone in
    /// its pass, after every local fix has been applied.
    pub structural: bool,
}

impl Fix {
    pub fn safe(edits: Vec<Edit>) -> Fix {
        Fix {
            edits,
            applicability: Applicability::Safe,
            structural: false,
        }
    }
    pub fn unsafe_edits(edits: Vec<Edit>) -> Fix {
        Fix {
            edits,
            applicability: Applicability::Unsafe,
            structural: false,
        }
    }
    pub fn display_only(edits: Vec<Edit>) -> Fix {
        Fix {
            edits,
            applicability: Applicability::DisplayOnly,
            structural: false,
        }
    }
    /// Mark the fix as structural (see [`Fix::structural`]).
    pub fn structural(mut self) -> Fix {
        self.structural = true;
        self
    }
}

/// One finding: where, what is wrong, what to do, and optionally how to fix it.
#[derive(Debug, Clone)]
pub struct Diagnostic {
    pub code: &'static str,
    pub name: &'static str,
    pub severity: Severity,
    pub span: Span,
    /// What is wrong: sentence case, no trailing period. Borrowed when it
    /// is a fixed sentence: a generated file can have a finding a line.
    pub message: Cow<'static, str>,
    /// What to do, in the imperative (borrowed when fixed, as `message`).
    pub help: Cow<'static, str>,
    pub fix: Option<Fix>,
}

impl Diagnostic {
    /// Whether the finding carries a fix that is written at `level`.
    pub fn fixable_at(&self, level: Applicability) -> bool {
        self.fix.as_ref().is_some_and(|f| f.applicability >= level)
    }
}

/// Why a file could not be checked: it is not a Dockerfile BuildKit accepts,
/// or it could not be read. A value with a position, reported like a
/// finding in every output format.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileError {
    /// The byte range the error points at (empty when it has no better place).
    pub span: Span,
    /// 1-based line and column of `span.start`.
    pub line: usize,
    pub column: usize,
    pub message: String,
}

impl fmt::Display for FileError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}: {}", self.line, self.column, self.message)
    }
}

impl std::error::Error for FileError {}
