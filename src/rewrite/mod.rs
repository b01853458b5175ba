//! Structural rewrites: fixes that reshape a stage rather than edit a line.
//! They plan a [`Fix`](crate::fix::Fix) from the syntax tree like any rule,
//! copying the user's instruction text through spans, and go through the
//! same applier. The fixer runs them only once no local fix is left.

/// Codes whose fixes are structural (applied after all local fixes).
pub fn is_structural(code: &str) -> bool {
    code == "DF001"
}
