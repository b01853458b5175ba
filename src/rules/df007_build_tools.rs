//! DF007 build-tools-in-final-stage: compilers, build systems, `-dev`
//! headers or git installed with apt in a stage that ships.

use super::{apt_subcommand, Context, FixAvailability, Rule};
use crate::diagnostic::{Diagnostic, Severity};
use crate::rewrite::{build_only, build_tools};
use crate::semantics::images::runtime_counterpart;

pub static RULE: Rule = Rule {
    code: "DF007",
    name: "build-tools-in-final-stage",
    aliases: &[],
    summary: "Compilers, `-dev` headers or git are installed in the final image",
    severity: Severity::Warning,
    fix: FixAvailability::Sometimes,
    default_enabled: true,
    doc: include_str!("../../rules/DF007.md"),
    check,
};

/// Packages that serve only to build, but that images keep on purpose
/// often enough (the venv and pip tooling of a system Python) that naming
/// them would be noise.
const RUNTIME_TOOLING: &[&str] = &[
    "python3-pip",
    "python3-venv",
    "python3-setuptools",
    "python3-wheel",
    "software-properties-common",
];

fn check(cx: &Context) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    // One finding per RUN, at its first build package, naming them all.
    let mut first = None;
    for run in cx.shipping_runs() {
        let mut names: Vec<String> = Vec::new();
        let mut at = None;
        for (script, cmd) in run.commands() {
            if apt_subcommand(cmd) != Some("install") {
                continue;
            }
            for w in &cmd.words {
                let name = w.text.split(['=', ':']).next().unwrap_or(&w.text);
                if w.text.starts_with('-') || !build_only(name) || RUNTIME_TOOLING.contains(&name) {
                    continue;
                }
                if !names.iter().any(|n| n == name) {
                    names.push(name.to_string());
                }
                at.get_or_insert_with(|| script.word_span(run.ins, w));
            }
        }
        let Some(span) = at else { continue };
        let list = names
            .iter()
            .map(|n| format!("`{n}`"))
            .collect::<Vec<_>>()
            .join(", ");
        let d = RULE.diagnostic(
            span,
            format!("Build tools end up in the final image: {list}"),
            "Install them in a `builder` stage and copy only what they build into the final stage",
        );
        first.get_or_insert(out.len());
        out.push(d);
    }
    // The rewrite reshapes the whole stage: it rides on the first finding.
    if let Some(i) = first {
        let devel = cx
            .model
            .final_stage
            .and_then(|f| cx.model.root_base(f))
            .and_then(runtime_counterpart);
        match build_tools(cx) {
            Ok((fix, _)) => out[i].fix = Some(fix),
            // A devel base: DF001's rewrite is the one that splits the stage.
            Err(_) if devel.is_some() => {
                out[i]
                    .help
                    .push_str(" (`DF001`'s rewrite does this for a devel base)");
            }
            Err(reason) => {
                out[i]
                    .help
                    .push_str(&format!(" (no automatic rewrite: {reason})"));
            }
        }
    }
    out
}
