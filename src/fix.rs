//! Fixes as data, and the one applier that every fix goes through: apply
//! non-overlapping edits, re-parse, re-lint, repeat until nothing changes.
//! A result that does not parse is rejected and the text is kept. The
//! applier knows fixes only as data (edits, safety, structural or not); it
//! never names a rule.

pub use crate::diagnostic::{apply, Applicability, Edit, Fix};
use crate::{lint, Diagnostic, FileError, Settings};

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
    /// The input is not a valid Dockerfile: every error found.
    Invalid(Vec<FileError>),
    /// The fixes kept producing new changes.
    NotConverged { passes: usize },
}

impl std::fmt::Display for FixError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            FixError::Invalid(errors) => match errors.first() {
                Some(e) => write!(f, "{e}"),
                None => write!(f, "not a valid Dockerfile"),
            },
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
    /// How many of the remaining findings have a fix below the level that
    /// was written (an unsafe fix, when only safe ones were applied).
    pub more_with_unsafe: usize,
}

const MAX_PASSES: usize = 10;

/// Whether a text is a Dockerfile BuildKit accepts.
fn valid(text: &str) -> bool {
    crate::parse_valid(text).is_ok()
}

/// Fix a file's text with the fixes `settings` allow (safe ones, and unsafe
/// ones with `unsafe_fixes`): local fixes first, then structural ones one at
/// a time, each pass re-parsed and re-linted, until no fix applies.
pub fn fix(text: &str, settings: &Settings) -> Result<FixOutcome, FixError> {
    crate::parse_valid(text).map_err(FixError::Invalid)?;
    let level = settings.fix_level();
    let mut current = text.to_string();
    let mut fixed = Vec::new();
    let mut rejected: Vec<(&'static str, String)> = Vec::new();
    for _ in 0..MAX_PASSES {
        let df = crate::parse_valid(&current).map_err(FixError::Invalid)?;
        let found = lint(&df, settings);
        let candidates: Vec<&Diagnostic> = found
            .iter()
            .filter(|d| d.fixable_at(level))
            .filter(|d| !rejected.contains(&(d.code, d.message.clone())))
            .collect();
        // Local fixes first; a structural one alone, once none is left.
        let local: Vec<&Diagnostic> = candidates
            .iter()
            .copied()
            .filter(|d| !d.fix.as_ref().is_some_and(|f| f.structural))
            .collect();
        let batch = if local.is_empty() {
            candidates.into_iter().take(1).collect()
        } else {
            local
        };
        if batch.is_empty() {
            let more_with_unsafe = found
                .iter()
                .filter(|d| d.fixable_at(Applicability::Unsafe) && !d.fixable_at(level))
                .count();
            return Ok(FixOutcome {
                output: current,
                fixed,
                rejected,
                remaining: found,
                more_with_unsafe,
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
    use crate::syntax::Span;

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
