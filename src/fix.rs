//! Fixes as data, and the one applier that every fix goes through: apply
//! non-overlapping edits, re-parse, re-lint, repeat until nothing changes.
//! A result that does not parse is rejected and the text is kept.

use serde::Serialize;

use crate::syntax::{self, Span};
use crate::{lint, Diagnostic, Options};

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

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Applicability {
    /// Keeps what the image does; only how it is built changes.
    Safe,
    /// Changes the image's layout or user: review the diff and test the image.
    Review,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Fix {
    pub edits: Vec<Edit>,
    pub applicability: Applicability,
}

impl Fix {
    pub fn safe(edits: Vec<Edit>) -> Fix {
        Fix {
            edits,
            applicability: Applicability::Safe,
        }
    }
    pub fn review(edits: Vec<Edit>) -> Fix {
        Fix {
            edits,
            applicability: Applicability::Review,
        }
    }
}

/// Apply edits to a text. Identical edits count once; edits must not overlap
/// (two insertions at the same offset are applied in the given order).
pub fn apply(text: &str, edits: &[Edit]) -> String {
    let mut sorted: Vec<&Edit> = Vec::new();
    for e in edits {
        if !sorted.contains(&e) {
            sorted.push(e);
        }
    }
    sorted.sort_by_key(|e| (e.span.start, e.span.end));
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

fn overlaps(a: &Edit, b: &Edit) -> bool {
    if a == b {
        return false;
    }
    let (a, b) = (a.span, b.span);
    // Two insertions at one point conflict; an insertion at the edge of a
    // replacement does not.
    if a.is_empty() && b.is_empty() {
        return a.start == b.start;
    }
    a.start < b.end && b.start < a.end
}

/// Why `fix` gave up. The text is never changed when it does.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FixError {
    /// The input is not a valid Dockerfile.
    Invalid(syntax::ParseError),
    /// The fixes kept producing new changes.
    NotConverged { passes: usize },
}

impl std::fmt::Display for FixError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            FixError::Invalid(e) => write!(f, "{e}"),
            FixError::NotConverged { passes } => write!(
                f,
                "1:1: fixes did not settle after {passes} passes; the file was left unchanged (please report this)"
            ),
        }
    }
}

impl std::error::Error for FixError {}

/// What `fix` did.
#[derive(Debug, Clone)]
pub struct FixOutcome {
    pub output: String,
    /// `(code, message)` of each finding that a fix was applied for.
    pub fixed: Vec<(&'static str, String)>,
    /// `(code, message)` of fixes that were dropped because their result did
    /// not parse.
    pub rejected: Vec<(&'static str, String)>,
    /// Findings left in the output.
    pub remaining: Vec<Diagnostic>,
}

const MAX_PASSES: usize = 10;

/// Whether a text is a Dockerfile BuildKit accepts.
fn valid(text: &str) -> bool {
    syntax::parse(text)
        .ok()
        .is_some_and(|df| syntax::validate::validate(&df).is_ok())
}

/// The build-tools rewrite, when the structural rewrites are enabled.
fn build_tools_rewrite(df: &syntax::Dockerfile, options: &Options) -> Option<(Fix, String)> {
    let df001 = crate::rules::find("DF001")?;
    if !options.enabled(df001) {
        return None;
    }
    let model = crate::semantics::Model::new(df, options.target.as_deref());
    let cx = crate::rules::Context {
        df,
        model: &model,
        file_name: options.file_name.as_deref(),
    };
    crate::rewrite::build_tools(&cx)
}

/// Fix a file's text: local fixes first, then the structural rewrite, each
/// pass re-parsed and re-linted, until no fix applies.
pub fn fix(text: &str, options: &Options) -> Result<FixOutcome, FixError> {
    let df = syntax::parse(text).map_err(FixError::Invalid)?;
    syntax::validate::validate(&df).map_err(FixError::Invalid)?;
    let mut current = text.to_string();
    let mut fixed = Vec::new();
    let mut rejected: Vec<(&'static str, String)> = Vec::new();
    for _ in 0..MAX_PASSES {
        let df = syntax::parse(&current).map_err(FixError::Invalid)?;
        let found = lint(&df, options);
        let candidates: Vec<&Diagnostic> = found
            .iter()
            .filter(|d| d.fix.is_some())
            .filter(|d| !rejected.contains(&(d.code, d.message.clone())))
            .collect();
        // Local fixes first; the structural rewrite (DF001) only when none is left.
        let local: Vec<&Diagnostic> = candidates
            .iter()
            .copied()
            .filter(|d| !crate::rewrite::is_structural(d.code))
            .collect();
        let batch = if local.is_empty() {
            candidates.into_iter().take(1).collect()
        } else {
            local
        };
        if batch.is_empty() {
            // Last, the build-tools rewrite, which no finding carries.
            if let Some((fix, what)) = build_tools_rewrite(&df, options) {
                let next = apply(&current, &fix.edits);
                if valid(&next) && next != current && !rejected.iter().any(|(c, _)| *c == "rewrite")
                {
                    fixed.push(("rewrite", what));
                    current = next;
                    continue;
                }
                rejected.push(("rewrite", what));
            }
            return Ok(FixOutcome {
                output: current,
                fixed,
                rejected,
                remaining: found,
            });
        }
        // Greedily take fixes whose edits do not overlap those already taken.
        let mut taken: Vec<&Diagnostic> = Vec::new();
        let mut edits: Vec<Edit> = Vec::new();
        for d in &batch {
            let fix = d.fix.as_ref().map(|f| &f.edits[..]).unwrap_or(&[]);
            if fix.iter().any(|e| edits.iter().any(|t| overlaps(e, t))) {
                continue;
            }
            edits.extend(fix.iter().cloned());
            taken.push(d);
        }
        let next = apply(&current, &edits);
        if valid(&next) && next != current {
            fixed.extend(taken.iter().map(|d| (d.code, d.message.clone())));
            current = next;
            continue;
        }
        // Together they broke the file (or changed nothing): try each alone,
        // and drop for good each one that cannot be applied.
        for d in taken {
            let edits = d.fix.as_ref().map(|f| f.edits.clone()).unwrap_or_default();
            let one = apply(&current, &edits);
            if valid(&one) && one != current {
                fixed.push((d.code, d.message.clone()));
                current = one;
                break;
            }
            rejected.push((d.code, d.message.clone()));
        }
    }
    Err(FixError::NotConverged { passes: MAX_PASSES })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn applies_sorted_deduplicated_edits() {
        let text = "abcdef";
        let edits = vec![
            Edit::replace(Span::new(4, 6), "XY"),
            Edit::insert(1, "+"),
            Edit::insert(1, "+"),
            Edit::delete(Span::new(2, 3)),
        ];
        assert_eq!(apply(text, &edits), "a+bdXY");
    }

    #[test]
    fn overlap_rules() {
        let ins = Edit::insert(3, "x");
        assert!(overlaps(&ins, &Edit::insert(3, "y")));
        assert!(!overlaps(&ins, &Edit::insert(3, "x")));
        assert!(!overlaps(&ins, &Edit::replace(Span::new(3, 5), "z")));
        assert!(overlaps(
            &Edit::replace(Span::new(1, 4), "a"),
            &Edit::replace(Span::new(3, 5), "b")
        ));
    }
}
