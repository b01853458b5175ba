//! dflint: a Dockerfile linter and rewriter for ML and AI containers.
//!
//! The library is what the `dflint` binary and the tests share: parse a file
//! ([`syntax::parse`]), understand its stages ([`semantics::Model`]), run the
//! rules ([`lint`]) and render what they found ([`report`]).

pub mod diagnostic;
pub mod fix;
pub mod report;
pub mod rewrite;
pub mod rules;
pub mod semantics;
pub mod syntax;

pub use diagnostic::{Diagnostic, Severity};
pub use syntax::{Dockerfile, ParseError};

/// What to lint and how.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// The stage that is built (`docker build --target`); the last one when `None`.
    pub target: Option<String>,
    /// Only these rules (codes or names); all when empty.
    pub select: Vec<String>,
    /// Never these rules.
    pub ignore: Vec<String>,
    /// The file's name, for rules that read intent from it.
    pub file_name: Option<String>,
}

impl Options {
    fn matches(key: &str, rule: &rules::Rule) -> bool {
        key.eq_ignore_ascii_case(rule.code) || key.eq_ignore_ascii_case(rule.name)
    }

    /// Whether a rule runs under these options.
    pub fn enabled(&self, rule: &rules::Rule) -> bool {
        (self.select.is_empty() || self.select.iter().any(|k| Self::matches(k, rule)))
            && !self.ignore.iter().any(|k| Self::matches(k, rule))
    }
}

/// Run the enabled rules over a parsed file. Findings come sorted by position.
pub fn lint(df: &Dockerfile, options: &Options) -> Vec<Diagnostic> {
    let model = semantics::Model::new(df, options.target.as_deref());
    let cx = rules::Context {
        df,
        model: &model,
        file_name: options.file_name.as_deref(),
    };
    let mut out: Vec<Diagnostic> = rules::RULES
        .iter()
        .filter(|r| options.enabled(r))
        .flat_map(|r| (r.check)(&cx))
        .collect();
    out.sort_by(|a, b| (a.span.start, a.code).cmp(&(b.span.start, b.code)));
    out
}

/// Parse, validate like BuildKit and lint a file's text.
pub fn check(text: &str, options: &Options) -> Result<(Dockerfile, Vec<Diagnostic>), ParseError> {
    let df = syntax::parse(text)?;
    syntax::validate::validate(&df)?;
    if let Some(target) = &options.target {
        let model = semantics::Model::new(&df, Some(target));
        if model.final_stage.is_none() {
            return Err(ParseError {
                line: 1,
                column: 1,
                message: format!("target stage {target:?} could not be found"),
            });
        }
    }
    let found = lint(&df, options);
    Ok((df, found))
}
