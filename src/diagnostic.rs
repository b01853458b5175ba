//! What a rule reports.

use serde::Serialize;

use crate::fix::Fix;
use crate::syntax::Span;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Info,
    Warning,
    Error,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Warning => "warning",
            Severity::Error => "error",
        }
    }
}

/// One finding: where, what is wrong, what to do, and optionally how to fix it.
#[derive(Debug, Clone)]
pub struct Diagnostic {
    pub code: &'static str,
    pub name: &'static str,
    pub severity: Severity,
    pub span: Span,
    /// What is wrong: sentence case, no trailing period.
    pub message: String,
    /// What to do, in the imperative.
    pub help: String,
    pub fix: Option<Fix>,
}
