//! DF017 cuda-version-mismatch: framework wheels or conda packages built
//! for one CUDA release installed on a base image with another, or
//! CPU-only wheels on a CUDA base.

use super::{package_install, Context, FixAvailability, Rule};
use crate::diagnostic::{Diagnostic, Severity};
use crate::semantics::conda::{conda_call, run_target};
use crate::semantics::cuda::{
    conda_spec_build, from_cu_tag, index_build, requirement_build, Build, CudaBase, CudaVersion,
};
use crate::semantics::managers::substitute;
use crate::semantics::{unquote, Run, Scope, Script};
use crate::syntax::shell::{Command, Word};
use crate::syntax::{Args, Keyword, Span};

pub static RULE: Rule = Rule {
    code: "DF017",
    name: "cuda-version-mismatch",
    summary: "Wheels built for one CUDA release on a base image with another",
    aliases: &[],
    severity: Severity::Warning,
    fix: FixAvailability::None,
    default_enabled: true,
    doc: include_str!("../../rules/DF017.md"),
    check,
};

/// pip and uv options whose value is a package index or a wheel location.
const INDEX_OPTIONS: &[&str] = &[
    "--index-url",
    "-i",
    "--extra-index-url",
    "--find-links",
    "-f",
    "--index",
    "--default-index",
];

/// pip's environment variables that name an index.
const INDEX_VARIABLES: &[&str] = &[
    "PIP_INDEX_URL",
    "PIP_EXTRA_INDEX_URL",
    "UV_INDEX_URL",
    "UV_EXTRA_INDEX_URL",
];

/// `(word, value)` for every value of one of `names` in `args`: `--opt X`
/// gives X's word, `--opt=X` the option's own word.
fn option_values<'w>(args: &'w [Word], names: &[&str]) -> Vec<(&'w Word, &'w str)> {
    let mut out = Vec::new();
    for (i, w) in args.iter().enumerate() {
        for name in names {
            if w.text == *name {
                if let Some(next) = args.get(i + 1) {
                    out.push((next, next.text.as_str()));
                }
            } else if let Some(v) = w.text.strip_prefix(name).and_then(|r| r.strip_prefix('=')) {
                out.push((w, v));
            }
        }
    }
    out
}

/// What a finding is about: a package index, or a package (a requirement
/// or a conda spec), as written.
enum Subject<'a> {
    Index(&'a str),
    /// uv's `--torch-backend`, which picks PyTorch's index.
    Backend(&'a str),
    Package(&'a str),
}

impl Subject<'_> {
    /// The start of the message: what the subject gives, before "built
    /// for ..." or "CPU-only ...".
    fn gives(&self) -> String {
        match self {
            Subject::Index(url) => format!("The index `{url}` serves wheels"),
            Subject::Backend(b) => format!("`--torch-backend={b}` picks wheels"),
            Subject::Package(spec) => format!("`{spec}` is"),
        }
    }
}

/// A finding for `subject` (a word of the RUN) built for `build`, when it
/// does not match the base.
fn judge(
    base: &CudaBase,
    image: &str,
    subject: Subject,
    build: Build,
    span: Span,
) -> Option<Diagnostic> {
    match build {
        Build::Cpu => Some(RULE.diagnostic(
            span,
            format!(
                "{} for the CPU only, on the CUDA base `{image}`: the GPU goes unused",
                subject.gives()
            ),
            match base.version.and_then(CudaVersion::wheel_tag) {
                Some(tag) => format!("Install the `{tag}` build (`--index-url https://download.pytorch.org/whl/{tag}`), or use a base without CUDA"),
                None => "Install the CUDA build of the package, or use a base without CUDA".to_string(),
            },
        )),
        Build::Cuda(wanted) => {
            let have = base.version?;
            if !wanted.differs(have) {
                return None;
            }
            let help = match have.wheel_tag() {
                Some(tag) if wanted.minor.is_some() => format!(
                    "Install the `{tag}` build to match the base, or use a base with CUDA {}",
                    wanted.display()
                ),
                _ => format!(
                    "Install the build for CUDA {}, or use a base with CUDA {}",
                    have.display(),
                    wanted.display()
                ),
            };
            Some(RULE.diagnostic(
                span,
                format!(
                    "{} built for CUDA {}, but the base `{image}` has CUDA {}",
                    subject.gives(),
                    wanted.display(),
                    have.display()
                ),
                help,
            ))
        }
    }
}

/// Findings for the pip or uv install in `cmd`, if it is one (also behind
/// `conda run`).
fn pip_findings(
    run: &Run,
    script: &Script,
    cmd: &Command,
    base: &CudaBase,
    image: &str,
    scope: &Scope,
    out: &mut Vec<Diagnostic>,
) {
    let inner = run_target(cmd);
    let Some(install) = package_install(inner.as_ref().unwrap_or(cmd)) else {
        return;
    };
    let span = |w: &Word| script.word_span(run.ins, w);
    // `torch==${TORCH_VERSION}` with `ARG TORCH_VERSION=2.2.0+cu121`.
    let value_of = |text: &str| substitute(text, scope);
    let mut found = Vec::new();
    for (word, value) in option_values(install.args, INDEX_OPTIONS)
        .into_iter()
        .chain(option_values(install.global_options, INDEX_OPTIONS))
    {
        let value = value_of(value);
        if let Some(build) = index_build(value.trim_matches(['"', '\''])) {
            found.extend(judge(
                base,
                image,
                Subject::Index(&value),
                build,
                span(word),
            ));
        }
    }
    // uv picks PyTorch's index itself with `--torch-backend=cu121`.
    for (word, value) in option_values(install.args, &["--torch-backend"]) {
        let build = match value {
            "cpu" => Some(Build::Cpu),
            v => from_cu_tag(v).map(Build::Cuda),
        };
        if let Some(build) = build {
            found.extend(judge(
                base,
                image,
                Subject::Backend(value),
                build,
                span(word),
            ));
        }
    }
    for word in install.requirements() {
        let text = value_of(&word.text);
        if let Some(build) = requirement_build(&text) {
            found.extend(judge(
                base,
                image,
                Subject::Package(&text),
                build,
                span(word),
            ));
        }
    }
    out.extend(found);
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
        let scope = cx.model.scope(run.stage, run.item);
        for (script, cmd) in run.commands() {
            pip_findings(run, script, cmd, &base, image, &scope, &mut out);
            if let Some(call) = conda_call(cmd).filter(|c| c.fills_cache()) {
                for w in &call.words[call.sub_at + 1..] {
                    if let Some((_, v)) = conda_spec_build(&w.text) {
                        out.extend(judge(
                            &base,
                            image,
                            Subject::Package(&w.text),
                            Build::Cuda(v),
                            script.word_span(run.ins, w),
                        ));
                    }
                }
            }
        }
    }
    out.extend(env_index_findings(cx));
    out
}

/// `ENV PIP_INDEX_URL=.../whl/cpu` (or an extra index) in a stage that
/// ships on a CUDA base: every pip install after it reads from it, so it
/// is reported once, at the ENV.
fn env_index_findings(cx: &Context) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    for (s, stage) in cx.model.stages.iter().enumerate() {
        if !cx.model.ships(s) {
            continue;
        }
        let Some(image) = cx.model.root_base(s) else {
            continue;
        };
        let Some(base) = cx.cuda_base(s) else {
            continue;
        };
        for &item in &stage.items {
            let Some(ins) = cx.df.instruction_of(item, &[Keyword::Env]) else {
                continue;
            };
            let Args::KeyValues(pairs) = &ins.args else {
                continue;
            };
            for pair in pairs {
                let key = unquote(&pair.key);
                if !INDEX_VARIABLES.contains(&key.as_str()) {
                    continue;
                }
                let value = unquote(&pair.value);
                for url in value.split_whitespace() {
                    if let Some(build) = index_build(url) {
                        let span = ins.line.span(0, ins.line.text.trim_end().len());
                        out.extend(judge(&base, image, Subject::Index(url), build, span));
                    }
                }
            }
        }
    }
    out
}
