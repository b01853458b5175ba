//! DF019 redundant-cuda-install: apt or conda installing a CUDA toolkit,
//! its runtime libraries or cuDNN that the base image already ships.

use super::{Context, FixAvailability, Rule};
use crate::diagnostic::{Diagnostic, Severity};
use crate::semantics::commands::apt_install;
use crate::semantics::conda::conda_call;
use crate::semantics::cuda::{cuda_package, cudnn_major, package_cuda, CudaBase, Part, Source};
use crate::semantics::managers::manager_call;
use crate::syntax::shell::Word;

pub static RULE: Rule = Rule {
    code: "DF019",
    name: "redundant-cuda-install",
    summary: "CUDA or cuDNN installed on a base image that already has it",
    aliases: &[],
    severity: Severity::Warning,
    fix: FixAvailability::None,
    default_enabled: true,
    doc: include_str!("../../rules/DF019.md"),
    check,
};

/// The part of CUDA a package installs when the base already has that
/// part in the same release: a package for another CUDA or cuDNN release
/// is an addition (or a mismatch), not a copy.
fn redundant(base: &CudaBase, source: Source, name: &str) -> Option<Part> {
    let part = cuda_package(source, name)?;
    if !part.in_base(base) {
        return None;
    }
    if let (Some(want), Some(have)) = (package_cuda(name), base.version) {
        if want.differs(have) {
            return None;
        }
    }
    if matches!(part, Part::Cudnn | Part::CudnnDev) {
        let want = name
            .starts_with("libcudnn")
            .then(|| cudnn_major(name))
            .flatten();
        if let (Some(want), Some(have)) = (want, base.cudnn_major) {
            if want != have {
                return None;
            }
        }
    }
    Some(part)
}

fn check(cx: &Context) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    for run in cx.shipping_runs() {
        let Some(image) = cx.model.root_base(run.stage) else {
            continue;
        };
        let Some(base) = cx.cuda_base(run.stage) else {
            continue;
        };
        for (script, cmd) in run.commands() {
            // `(installer, package words)` of the command, whichever installs.
            let mut packages: Vec<(Source, &str, &Word)> = Vec::new();
            if let Some(call) = apt_install(cmd) {
                packages.extend(
                    call.packages()
                        .into_iter()
                        .map(|w| (Source::System, "apt-get", w)),
                );
            }
            // dnf, yum, microdnf (and zypper): NVIDIA's RPMs have the same names.
            if let Some(call) = manager_call(cmd) {
                if let Some(installed) = call.installed().filter(|i| !i.modules) {
                    packages.extend(
                        installed
                            .specs
                            .into_iter()
                            .map(|w| (Source::System, call.program, w)),
                    );
                }
            }
            if let Some(call) = conda_call(cmd).filter(|c| c.fills_cache()) {
                let words = &call.words[call.sub_at + 1..];
                packages.extend(
                    words
                        .iter()
                        .filter(|w| !w.text.starts_with('-'))
                        .map(|w| (Source::Conda, call.program(), w)),
                );
            }
            for (source, installer, word) in packages {
                let Some(part) = redundant(&base, source, &word.text) else {
                    continue;
                };
                let name = word.text.trim_matches(['"', '\'']);
                out.push(RULE.diagnostic(
                    script.word_span(run.ins, word),
                    format!(
                        "`{installer}` installs `{name}`, but the base `{image}` already ships {}",
                        part.describe()
                    ),
                    "Remove the package, or start from a base without it (a `runtime` or `base` tag)",
                ));
            }
        }
    }
    out
}
