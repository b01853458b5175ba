//! The rule registry: one list of every rule. Each rule lives in its own
//! file, which declares its metadata (a [`Rule`]) and its check; its user
//! documentation is `rules/<CODE>.md` at the crate root, embedded here.
//! The engine (selection, suppressions, severities, fixes) reads only the
//! metadata; a check only reads the [`Context`] and reports.

mod df001_devel_base;
mod df002_pip_cache;
mod df003_apt_lists;
mod df004_opencv_gui;
mod df005_model_weights;
mod df006_root_user;
mod df007_build_tools;
mod df100_unknown_suppression;

use crate::diagnostic::{Diagnostic, Severity};
pub use crate::semantics::Context;
use crate::syntax::Span;

/// Whether a rule's findings come with a fix.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FixAvailability {
    None,
    /// Some findings have a fix (when it can be placed safely).
    Sometimes,
    Always,
}

impl FixAvailability {
    pub fn as_str(self) -> &'static str {
        match self {
            FixAvailability::None => "none",
            FixAvailability::Sometimes => "sometimes",
            FixAvailability::Always => "always",
        }
    }
}

/// A rule: its identity and documentation, which the engine acts on, and
/// the check itself.
pub struct Rule {
    pub code: &'static str,
    pub name: &'static str,
    /// Other codes for the same check (hadolint's twin), accepted wherever
    /// a code is: `--ignore`, config files and suppression comments.
    pub aliases: &'static [&'static str],
    /// One line for `dflint rules` and the README table.
    pub summary: &'static str,
    /// The severity of its findings unless a setting overrides it.
    pub severity: Severity,
    pub fix: FixAvailability,
    /// Whether it runs when no `select` names it.
    pub default_enabled: bool,
    /// The Markdown doc, `rules/<CODE>.md`.
    pub doc: &'static str,
    pub check: fn(&Context) -> Vec<Diagnostic>,
}

impl Rule {
    /// A finding of this rule, at its default severity.
    pub fn diagnostic(&self, span: Span, message: String, help: String) -> Diagnostic {
        Diagnostic {
            code: self.code,
            name: self.name,
            severity: self.severity,
            span,
            message,
            help,
            fix: None,
        }
    }

    /// Whether a key names this rule exactly: its code, an alias or its name, any case.
    pub fn is_named(&self, key: &str) -> bool {
        let key = key.trim();
        self.code.eq_ignore_ascii_case(key)
            || self.name.eq_ignore_ascii_case(key)
            || self.aliases.iter().any(|a| a.eq_ignore_ascii_case(key))
    }
}

pub static RULES: &[&Rule] = &[
    &df001_devel_base::RULE,
    &df002_pip_cache::RULE,
    &df003_apt_lists::RULE,
    &df004_opencv_gui::RULE,
    &df005_model_weights::RULE,
    &df006_root_user::RULE,
    &df007_build_tools::RULE,
    &df100_unknown_suppression::RULE,
];

/// Find a rule by code (`DF002`), alias (`DL3042`) or name (`pip-cache-in-layer`), any case.
pub fn find(key: &str) -> Option<&'static Rule> {
    RULES.iter().copied().find(|r| r.is_named(key))
}

/// Apt, pip and uv helpers shared by several rules.
pub use crate::semantics::commands::{
    apt_subcommand, package_install, removes_apt_lists, Installer,
};
