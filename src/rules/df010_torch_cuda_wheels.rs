//! DF010 torch-cuda-wheels-without-gpu: `torch`, `torchvision` or
//! `torchaudio` from the default index (whose Linux x86 wheels pull in the
//! CUDA libraries) in a final image that shows no sign of using a GPU.

use std::collections::HashMap;

use super::{package_install, Context, FixAvailability, Installer, Rule};
use crate::diagnostic::{Diagnostic, Edit, Fix, Severity};
use crate::semantics::build_context::{names_an_index, requirement_files};
use crate::semantics::commands::{requirement_name, resolve};
use crate::semantics::cuda::{cuda_base, requirement_build};
use crate::semantics::images::ImageRef;
use crate::semantics::requirements::Requirement;
use crate::syntax::shell::Command;
use crate::syntax::{Args, Keyword};

pub static RULE: Rule = Rule {
    code: "DF010",
    name: "torch-cuda-wheels-without-gpu",
    aliases: &[],
    summary: "PyTorch from the default index (CUDA wheels) in an image with no GPU in sight",
    severity: Severity::Warning,
    fix: FixAvailability::Sometimes,
    default_enabled: true,
    doc: include_str!("../../rules/DF010.md"),
    check,
};

/// The PyTorch distributions whose default Linux wheels depend on CUDA.
const TORCH_PACKAGES: &[&str] = &["torch", "torchvision", "torchaudio"];

/// PyTorch's index of CPU-only wheels.
const CPU_INDEX: &str = "https://download.pytorch.org/whl/cpu";

/// Options that choose where packages come from; with one that names
/// PyTorch's own indexes (or replaces the default index), the choice of
/// build was made on purpose.
const INDEX_OPTIONS: &[&str] = &[
    "-i",
    "--index-url",
    "--extra-index-url",
    "-f",
    "--find-links",
    "--index",
    "--default-index",
    "--torch-backend",
];

/// Variables that do the same from the environment.
const INDEX_VARIABLES: &[&str] = &[
    "PIP_INDEX_URL",
    "PIP_EXTRA_INDEX_URL",
    "PIP_FIND_LINKS",
    "UV_INDEX_URL",
    "UV_EXTRA_INDEX_URL",
    "UV_INDEX",
    "UV_DEFAULT_INDEX",
    "UV_TORCH_BACKEND",
];

/// Base repositories built for an accelerator, whatever their tag says.
const ACCELERATOR_BASES: &[&str] = &["pytorch/pytorch", "rocm/pytorch", "rocm/dev-ubuntu-22.04"];

/// Words that, anywhere in the file's ENV keys, CMD or ENTRYPOINT or its
/// name, say the image runs on a GPU.
const GPU_SIGNS: &[&str] = &[
    "NVIDIA_VISIBLE_DEVICES",
    "NVIDIA_DRIVER_CAPABILITIES",
    "CUDA_VISIBLE_DEVICES",
    "TORCH_CUDA_ARCH_LIST",
    "CUDA_HOME",
    "LD_LIBRARY_PATH=/usr/local/cuda",
];

/// Whether `sign` occurs in `key=value`, read without writing the pair out
/// (asked of every ENV pair of the final stage's lineage). A sign has no
/// blank, so it cannot run from one pair of an ENV into the next.
fn in_pair(sign: &str, key: &str, value: &str) -> bool {
    key.contains(sign)
        || value.contains(sign)
        || sign
            .match_indices('=')
            .any(|(at, _)| key.ends_with(&sign[..at]) && value.starts_with(&sign[at + 1..]))
}

/// Parts of a file name that say which build it is for.
const GPU_FILE_WORDS: &[&str] = &["gpu", "cuda", "nvidia"];

/// Whether the file shows it means to use a GPU: a CUDA or accelerator
/// base anywhere in the final stage's chain, an ENV or command that names
/// the GPU, a file named for it, or a platform on which PyPI's wheels are
/// CPU-only anyway.
fn gpu_intended(cx: &Context, final_stage: usize) -> bool {
    if let Some(base) = cx.model.root_base(final_stage) {
        let repo = ImageRef::parse(base).short_repo().to_ascii_lowercase();
        if cuda_base(base).is_some()
            || ACCELERATOR_BASES.contains(&repo.as_str())
            || repo.starts_with("nvcr.io/")
            || repo.starts_with("rocm/")
        {
            return true;
        }
    }
    if let Some(name) = cx.file_name {
        let base = name.rsplit('/').next().unwrap_or(name).to_ascii_lowercase();
        if GPU_FILE_WORDS.iter().any(|w| base.contains(w)) {
            return true;
        }
    }
    for stage in cx.model.chain(final_stage) {
        let from = cx.instruction(cx.model.stages[stage].from_item);
        if from
            .and_then(|f| f.flag("platform"))
            .and_then(|f| f.value())
            .is_some_and(|p| p.contains("arm64") || p.contains("aarch64"))
        {
            return true;
        }
    }
    for idx in cx.model.lineage(final_stage) {
        let read = [Keyword::Env, Keyword::Cmd, Keyword::Entrypoint];
        let Some(ins) = cx.df.instruction_of(idx, &read) else {
            continue;
        };
        let text = match (ins.keyword, &ins.args) {
            (Keyword::Env, Args::KeyValues(kvs)) => {
                if kvs
                    .iter()
                    .any(|kv| GPU_SIGNS.iter().any(|s| in_pair(s, &kv.key, &kv.value)))
                {
                    return true;
                }
                continue;
            }
            (Keyword::Cmd | Keyword::Entrypoint, _) => ins.command_text(),
            _ => continue,
        };
        if GPU_SIGNS.iter().any(|s| text.contains(s))
            || (matches!(ins.keyword, Keyword::Cmd | Keyword::Entrypoint)
                && (text.contains("cuda") || text.contains("--gpu")))
        {
            return true;
        }
    }
    false
}

/// Whether a command writes an index into pip's configuration
/// (`pip config set global.index-url URL`): installs after it use that index.
fn configures_index(cmd: &Command) -> bool {
    let r = resolve(cmd);
    let words: Vec<&str> = r.words.iter().map(|w| w.text.as_str()).collect();
    let Some(at) = words.iter().position(|w| *w == "config") else {
        return false;
    };
    (r.program().starts_with("pip") || words.contains(&"pip"))
        && words.get(at + 1) == Some(&"set")
        && words.get(at + 2).is_some_and(|key| {
            let key = key.rsplit('.').next().unwrap_or(key);
            matches!(key, "index-url" | "extra-index-url" | "find-links")
        })
}

/// The PyTorch packages of a requirements file (and the files it
/// includes) that come from the default index, named with their file and
/// line.
fn torch_in_file(cx: &Context, requirements: &[Requirement]) -> Vec<String> {
    requirements
        .iter()
        .filter_map(|req| {
            let name = requirement_name(&req.spec);
            (!req.constraint
                && TORCH_PACKAGES.contains(&name.as_ref())
                && requirement_build(&req.spec).is_none()
                && !names_an_index(cx, &req.file))
            .then(|| format!("`{name}` (`{}:{}`)", req.file, req.line))
        })
        .collect()
}

fn check(cx: &Context) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    let Some(final_stage) = cx.model.final_stage else {
        return out;
    };
    if gpu_intended(cx, final_stage) {
        return out;
    }
    // Once pip's configuration names an index, every later install uses it.
    let mut configured = false;
    // What each requirements file asks for, read once however many RUNs
    // install from it.
    let mut in_files: HashMap<String, Vec<String>> = HashMap::new();
    for run in cx.shipping_runs() {
        let scope = cx.model.scope(run.stage, run.item);
        if INDEX_VARIABLES.iter().any(|v| scope.get(v).is_some()) {
            continue;
        }
        for (script, cmd) in run.commands() {
            configured |= configures_index(cmd);
            if configured {
                continue;
            }
            let Some(install) = package_install(cmd) else {
                continue;
            };
            if INDEX_OPTIONS.iter().any(|o| install.has_option(o))
                || INDEX_VARIABLES
                    .iter()
                    .any(|v| install.resolved.env_value(v).is_some())
            {
                // An index chosen on purpose: which build it serves is the
                // author's call (DF017 checks a PyTorch index against the base).
                continue;
            }
            let requirements = install.requirements();
            let torch: Vec<_> = requirements
                .iter()
                .filter(|w| {
                    let spec = w.text.trim_matches(['"', '\'']);
                    TORCH_PACKAGES.contains(&requirement_name(spec).as_ref())
                        && requirement_build(spec).is_none()
                })
                .collect();
            let mut names: Vec<String> = torch
                .iter()
                .map(|w| format!("`{}`", requirement_name(w.text.trim_matches(['"', '\'']))))
                .collect();
            // Requirements files of the context, unless they pick an index.
            for read in requirement_files(cx, run, &install) {
                let torch = in_files
                    .entry(read.file)
                    .or_insert_with(|| torch_in_file(cx, &read.requirements));
                names.extend(torch.iter().cloned());
            }
            let Some(first) = torch.first().copied().copied().or(install.args.first()) else {
                continue;
            };
            if names.is_empty() {
                continue;
            }
            let mut d = RULE.diagnostic(
                script.word_span(run.ins, first),
                format!(
                    "{} from the default index pulls the CUDA build (over 2 GB of `nvidia-*` libraries) into an image with no CUDA base",
                    names.join(", ")
                ),
                format!("Install the CPU build: add `--extra-index-url {CPU_INDEX}` (or pin `+cpu`); use a CUDA base if the image runs on a GPU"),
            );
            // `uv sync`/`uv add` read the project's index settings, not options.
            let words = install.resolved.words;
            let sub = &words[words.len() - install.args.len() - 1];
            let plain_install = sub.text == "install"
                && (install.installer == Installer::Pip || words.iter().any(|w| w.text == "pip"));
            if plain_install && script.is_complete() {
                let at = script.word_span(run.ins, sub).end;
                d.fix = Some(Fix::unsafe_edits([Edit::insert(
                    at,
                    format!(" --extra-index-url {CPU_INDEX}"),
                )]));
            }
            out.push(d);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::syntax::shell::commands;

    /// A sign is in a pair exactly when it is in the pair written out.
    #[test]
    fn signs_are_found_in_pairs_as_in_the_pairs_written_out() {
        let parts = [
            "",
            "LD_LIBRARY_PATH",
            "X_LD_LIBRARY_PATH",
            "/usr/local/cuda",
            "/usr/local/cuda/lib64",
            "/usr/local/cu",
            "CUDA_HOME",
            "a=b",
            "CUDA_VISIBLE_DEVICES=0",
            "x CUDA_HOME y",
            "=",
        ];
        for key in parts {
            for value in parts {
                for sign in GPU_SIGNS.iter().chain(&["=", "H=/", "a=b=", "=b"]) {
                    assert_eq!(
                        in_pair(sign, key, value),
                        format!("{key}={value}").contains(sign),
                        "{sign:?} in {key:?}={value:?}"
                    );
                }
            }
        }
    }

    #[test]
    fn pip_config_names_an_index() {
        let yes = |s: &str| configures_index(&commands(s)[0]);
        assert!(yes(
            "pip config set global.index-url https://download.pytorch.org/whl/cpu"
        ));
        assert!(yes(
            "python3 -m pip config set install.extra-index-url https://x"
        ));
        assert!(!yes("pip config set global.timeout 60"));
        assert!(!yes("git config set index-url x"));
    }
}
