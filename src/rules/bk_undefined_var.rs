//! UndefinedVar: a `$VAR` in a part of an instruction the builder expands
//! (ENV, LABEL, COPY and ADD paths and flags, WORKDIR, USER, EXPOSE,
//! VOLUME, STOPSIGNAL, ARG defaults) that nothing defines at that point.
//! BuildKit substitutes an empty string and says nothing at build time.
//!
//! BuildKit knows the base image's environment; dflint knows it only for
//! the images of [`IMAGE_ENV`], and checks a stage only when its chain of
//! stages starts on one of them (or on `scratch`). On any other image a
//! variable might come from the image, and guessing would be a false alarm.

use foldhash::HashSet;

use super::buildkit::{nearest, var_refs, BUILTIN_ARGS, PLATFORM_ARGS};
use super::{Context, FixAvailability, Rule};
use crate::diagnostic::{Diagnostic, Severity};
use crate::semantics::images::ImageRef;
use crate::syntax::{Args, Instruction, Keyword, Span};

pub static RULE: Rule = Rule {
    code: "UndefinedVar",
    name: "undefined-var",
    summary: "a variable that nothing defines, in a part of an instruction the builder expands",
    aliases: &[],
    severity: Severity::Warning,
    fix: FixAvailability::None,
    default_enabled: true,
    doc: include_str!("../../rules/UndefinedVar.md"),
    check,
};

/// Official images whose environment is known: the repository, the names
/// it sets, and prefixes of names it sets (`NV_` for CUDA's many).
/// Every image also has `PATH`, which BuildKit sets when the image does not.
const IMAGE_ENV: &[(&str, &[&str], &[&str])] = &[
    ("scratch", &[], &[]),
    ("alpine", &[], &[]),
    ("busybox", &[], &[]),
    ("debian", &[], &[]),
    ("ubuntu", &[], &[]),
    ("fedora", &["DISTTAG", "FGC"], &[]),
    (
        "python",
        &["LANG", "GPG_KEY", "PYTHON_VERSION", "PYTHON_SHA256"],
        &["PYTHON_PIP", "PYTHON_GET_PIP", "PYTHON_SETUPTOOLS"],
    ),
    (
        "nvidia/cuda",
        &[
            "LD_LIBRARY_PATH",
            "LIBRARY_PATH",
            "CUDA_VERSION",
            "NCCL_VERSION",
        ],
        &["NV_", "NVIDIA_"],
    ),
    (
        "pytorch/pytorch",
        &["LD_LIBRARY_PATH", "LANG", "LC_ALL", "PYTORCH_VERSION"],
        &["NV_", "NVIDIA_", "CONDA", "PYTHON"],
    ),
    ("node", &["NODE_VERSION", "YARN_VERSION"], &[]),
    ("golang", &["GOLANG_VERSION", "GOTOOLCHAIN", "GOPATH"], &[]),
    ("rust", &["RUSTUP_HOME", "CARGO_HOME", "RUST_VERSION"], &[]),
    (
        "eclipse-temurin",
        &["JAVA_HOME", "JAVA_VERSION", "LANG", "LANGUAGE", "LC_ALL"],
        &[],
    ),
    (
        "ruby",
        &[
            "LANG",
            "GEM_HOME",
            "BUNDLE_SILENCE_ROOT_WARNING",
            "BUNDLE_APP_CONFIG",
        ],
        &["RUBY_"],
    ),
    (
        "nginx",
        &[
            "NGINX_VERSION",
            "NJS_VERSION",
            "NJS_RELEASE",
            "PKG_RELEASE",
            "DYNPKG_RELEASE",
        ],
        &[],
    ),
];

/// What a stage's base image defines, when dflint knows it.
fn image_env(reference: &str) -> Option<(&'static [&'static str], &'static [&'static str])> {
    let image = ImageRef::parse(reference);
    let repo = image.short_repo();
    IMAGE_ENV
        .iter()
        .find(|(r, _, _)| *r == repo)
        .map(|(_, names, prefixes)| (*names, *prefixes))
}

/// The text a builder expands in an instruction, with where it starts in
/// the logical line; flags that are expanded come as their own spans.
fn expanded_parts(ins: &Instruction) -> (Option<usize>, Vec<(String, Span)>) {
    let expands_args = matches!(
        ins.keyword,
        Keyword::Env
            | Keyword::Label
            | Keyword::Arg
            | Keyword::Copy
            | Keyword::Add
            | Keyword::Expose
            | Keyword::User
            | Keyword::Workdir
            | Keyword::Stopsignal
            | Keyword::Volume
    );
    if !expands_args {
        return (None, Vec::new());
    }
    let flags = ins
        .flags
        .iter()
        .filter(|f| matches!(f.name(), "chown" | "chmod" | "checksum"))
        .map(|f| (f.value().unwrap_or_default().to_string(), f.span))
        .collect();
    let after_flags = ins
        .flags
        .last()
        .map_or(ins.keyword_span().end, |f| f.span.end);
    (ins.line.index_at_or_after(after_flags), flags)
}

/// The names an instruction defines for the instructions after it.
fn defines(ins: &Instruction) -> Vec<String> {
    match (ins.keyword, &ins.args) {
        (Keyword::Env, Args::KeyValues(kvs)) => kvs.iter().map(|kv| kv.key.to_string()).collect(),
        (Keyword::Arg, _) => ins
            .words()
            .iter()
            .map(|w| w.split('=').next().unwrap_or(w).to_string())
            .collect(),
        _ => Vec::new(),
    }
}

fn check(cx: &Context) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    let escape = cx.df.escape;
    // ENV names each stage leaves to the stages built on it.
    let mut env_by_end: Vec<HashSet<String>> = vec![HashSet::default(); cx.model.stages.len()];
    // How many stages are still to be built on each one: the last of them
    // takes its parent's set instead of copying it, so a chain of thousands
    // of stages (each `FROM` the one before) stays linear.
    let mut children_left = vec![0usize; cx.model.stages.len()];
    for s in 0..cx.model.stages.len() {
        if let Some(p) = cx.model.parent(s) {
            children_left[p] += 1;
        }
    }
    for (s, stage) in cx.model.stages.iter().enumerate() {
        let parent = cx.model.parent(s);
        let mut env: HashSet<String> = match parent {
            Some(p) => {
                children_left[p] -= 1;
                if children_left[p] == 0 {
                    std::mem::take(&mut env_by_end[p])
                } else {
                    env_by_end[p].clone()
                }
            }
            None => HashSet::default(),
        };
        // ARGs are the stage's own: they end with it.
        let mut args: HashSet<String> = HashSet::default();
        let known = cx.model.root_base(s).and_then(image_env);
        for &item in &stage.items {
            let Some(ins) = cx.instruction(item) else {
                continue;
            };
            if let Some((names, prefixes)) = known {
                let defined = |name: &str| {
                    name == "PATH"
                        || env.contains(name)
                        || args.contains(name)
                        || names.contains(&name)
                        || prefixes.iter().any(|p| name.starts_with(p))
                        || BUILTIN_ARGS.contains(&name)
                        || PLATFORM_ARGS.contains(&name)
                };
                let (start, flags) = expanded_parts(ins);
                let mut texts: Vec<(String, Option<usize>, Span)> =
                    flags.into_iter().map(|(t, span)| (t, None, span)).collect();
                if let Some(at) = start.filter(|&at| ins.line.text[at..].contains('$')) {
                    texts.push((ins.line.text[at..].to_string(), Some(at), Span::default()));
                }
                for (text, at, span) in texts {
                    for r in var_refs(&text, escape) {
                        // A reference with a fallback (`${NAME:-x}`) was
                        // written for the unset case.
                        if r.fallback
                            || r.name.starts_with(|c: char| c.is_ascii_digit())
                            || defined(&r.name)
                        {
                            continue;
                        }
                        let span = match at {
                            Some(at) => ins.line.span(at + r.range.0, at + r.range.1),
                            None => span,
                        };
                        let candidates = env
                            .iter()
                            .chain(args.iter())
                            .map(String::as_str)
                            .chain(names.iter().copied())
                            .chain(["PATH"]);
                        let mut message = format!("`${}` is not defined here", r.name);
                        if let Some(near) = nearest(&r.name, candidates) {
                            message.push_str(&format!(" (did you mean `${near}`?)"));
                        }
                        out.push(RULE.diagnostic(
                            span,
                            message,
                            format!(
                                "Declare it before this instruction with `ARG {}` or `ENV {}=...`",
                                r.name, r.name
                            ),
                        ));
                    }
                }
            }
            for name in defines(ins) {
                if ins.keyword == Keyword::Env {
                    env.insert(name);
                } else {
                    args.insert(name);
                }
            }
        }
        env_by_end[s] = env;
    }
    out
}
