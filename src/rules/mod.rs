//! The rule registry. Each rule lives in its own file with a `RULE` constant;
//! its user documentation is `rules/<CODE>.md` at the crate root, embedded here.

mod df001_devel_base;
mod df002_pip_cache;
mod df003_apt_lists;
mod df004_opencv_gui;
mod df005_model_weights;
mod df006_root_user;

use crate::diagnostic::{Diagnostic, Severity};
use crate::semantics::{commands, Model, Script};
use crate::syntax::shell::{self, Command};
use crate::syntax::{Dockerfile, Instruction, ItemKind, Keyword, Span};

/// A rule: identity, documentation and the check itself.
pub struct Rule {
    pub code: &'static str,
    pub name: &'static str,
    /// One line for `dflint rules` and the README table.
    pub summary: &'static str,
    pub severity: Severity,
    /// Whether `dflint fix` can fix its findings.
    pub fixable: bool,
    /// The Markdown doc, `rules/<CODE>.md`.
    pub doc: &'static str,
    pub check: fn(&Context) -> Vec<Diagnostic>,
}

impl Rule {
    /// A finding of this rule.
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
}

pub static RULES: &[&Rule] = &[
    &df001_devel_base::RULE,
    &df002_pip_cache::RULE,
    &df003_apt_lists::RULE,
    &df004_opencv_gui::RULE,
    &df005_model_weights::RULE,
    &df006_root_user::RULE,
];

/// Find a rule by code (`DF002`) or name (`pip-cache-in-layer`), any case.
pub fn find(key: &str) -> Option<&'static Rule> {
    RULES
        .iter()
        .copied()
        .find(|r| r.code.eq_ignore_ascii_case(key) || r.name.eq_ignore_ascii_case(key))
}

/// What a rule sees.
pub struct Context<'a> {
    pub df: &'a Dockerfile,
    pub model: &'a Model,
    /// The file's name, for rules that read intent from it (`Dockerfile.train`).
    pub file_name: Option<&'a str>,
}

/// A RUN in a shipping stage, with its scripts split into commands.
pub struct Run<'a> {
    pub stage: usize,
    pub item: usize,
    pub ins: &'a Instruction,
    pub scripts: Vec<(Script, Vec<Command>)>,
}

impl Run<'_> {
    /// The file span of a command of one of this RUN's scripts.
    pub fn command_span(&self, script: &Script, cmd: &Command) -> Span {
        script.span(self.ins, cmd.start(), cmd.end())
    }

    /// Targets of this RUN's `--mount`s of type cache or tmpfs.
    pub fn cache_mounts(&self) -> Vec<String> {
        mount_targets(self.ins, &["cache", "tmpfs"])
    }
}

/// `target`s of a RUN's mounts of the given types.
pub fn mount_targets(ins: &Instruction, types: &[&str]) -> Vec<String> {
    ins.flags
        .iter()
        .filter(|f| f.name.eq_ignore_ascii_case("mount"))
        .filter_map(|f| {
            let fields = f.fields();
            let get = |keys: &[&str]| {
                fields
                    .iter()
                    .find(|(k, _)| keys.contains(&k.as_str()))
                    .map(|(_, v)| v.clone())
            };
            let kind = get(&["type"]).unwrap_or_else(|| "bind".into());
            if !types.contains(&kind.as_str()) {
                return None;
            }
            get(&["target", "dst", "destination"]).map(|t| t.trim_end_matches('/').to_string())
        })
        .collect()
}

impl Context<'_> {
    /// Every RUN in a stage that ships in the final image.
    pub fn shipping_runs(&self) -> Vec<Run<'_>> {
        self.runs(|stage| self.model.ships(stage))
    }

    pub fn runs(&self, keep: impl Fn(usize) -> bool) -> Vec<Run<'_>> {
        let mut out = Vec::new();
        for (stage_idx, stage) in self.model.stages.iter().enumerate() {
            if !keep(stage_idx) {
                continue;
            }
            for &item in &stage.items {
                let ItemKind::Instruction(ins) = &self.df.items[item].kind else {
                    continue;
                };
                if ins.keyword != Keyword::Run {
                    continue;
                }
                let scripts = Script::of(ins)
                    .into_iter()
                    .map(|s| {
                        let cmds = shell::commands(&s.text);
                        (s, cmds)
                    })
                    .collect();
                out.push(Run {
                    stage: stage_idx,
                    item,
                    ins,
                    scripts,
                });
            }
        }
        out
    }

    pub fn instruction(&self, item: usize) -> Option<&Instruction> {
        match &self.df.items.get(item)?.kind {
            ItemKind::Instruction(ins) => Some(ins),
            _ => None,
        }
    }

    /// The span of a FROM's image word, or of its keyword when not found.
    pub fn from_image_span(&self, item: usize) -> Span {
        let Some(ins) = self.instruction(item) else {
            return Span::default();
        };
        let image = ins.words().first().map(String::as_str).unwrap_or("");
        let after_flags = ins
            .flags
            .last()
            .map_or(ins.keyword_span.end, |f| f.span.end);
        let text = &ins.line.text;
        let from = ins
            .line
            .map
            .iter()
            .position(|&m| m >= after_flags)
            .unwrap_or(0);
        match text[from..].find(image) {
            Some(i) if !image.is_empty() => ins.line.span(from + i, from + i + image.len()),
            _ => ins.keyword_span,
        }
    }
}

/// Apt, pip and uv helpers shared by several rules.
pub use commands::{apt_subcommand, package_install, removes_apt_lists, Installer};
