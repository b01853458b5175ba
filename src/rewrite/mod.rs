//! Structural rewrites: fixes that reshape a stage rather than edit a line.
//! They plan a [`Fix`](crate::diagnostic::Fix) from the semantic context
//! like any rule, copying the user's instruction text through spans, and go
//! through the same applier. Their fixes are marked structural and unsafe:
//! the applier runs them alone, once no local fix is left, and only with
//! `--unsafe-fixes`. This layer reads the semantic model, never the rules.

mod multistage;
mod packages;

pub use multistage::{plan as multi_stage, plan_explained, Placement};

use crate::diagnostic::Fix;
use crate::semantics::commands::apt_subcommand;
use crate::semantics::images::ImageRef;
use crate::semantics::images::{devel_image, runtime_counterpart, BaseProfile};
use crate::semantics::Context;

/// The slim counterpart of an official `python` image (`python:3.11` ->
/// `python:3.11-slim`, `python:3.11-bookworm` -> `python:3.11-slim-bookworm`);
/// a slim image is its own.
pub fn slim_python(reference: &str) -> Option<String> {
    let image = ImageRef::parse(reference);
    if image.short_repo() != "python" || image.digest.is_some() {
        return None;
    }
    let tag = image.tag.unwrap_or("latest");
    if tag.contains("alpine") || tag.contains("windows") {
        return None;
    }
    if tag.contains("slim") {
        return Some(reference.to_string());
    }
    let (version, suffix) = match tag.split_once('-') {
        Some((v, s)) => (v, format!("-{s}")),
        None => (tag, String::new()),
    };
    let slim = if version == "latest" {
        format!("slim{suffix}")
    } else {
        format!("{version}-slim{suffix}")
    };
    Some(image.with_tag(&slim))
}

pub use packages::build_only;

/// Packages that compile: their presence in a shipped stage is what the
/// build-tools rewrite removes.
pub fn is_compiler_package(name: &str) -> bool {
    packages::build_only(name)
        && !matches!(
            name,
            "git" | "git-lfs" | "python3-pip" | "python3-venv" | "software-properties-common"
        )
}

/// The multi-stage rewrite for a final stage on a `python` image that
/// installs compilers or headers with apt and Python packages with pip:
/// the build tools stay in a builder, the image runs on the slim tag.
/// `Err` says why it cannot be done.
pub fn build_tools(cx: &Context) -> Result<(Fix, String), String> {
    let f = cx.model.final_stage.ok_or("no stage to build")?;
    let stage = &cx.model.stages[f];
    if stage.parent.is_some() {
        return Err("the final stage is built on another stage".into());
    }
    let base = stage
        .base
        .as_deref()
        .ok_or("the base image does not resolve")?;
    let runtime =
        slim_python(base).ok_or_else(|| format!("no slim counterpart is known for `{base}`"))?;
    let installs_compilers = cx.runs().iter().filter(|r| r.stage == f).any(|run| {
        run.commands().any(|(_, c)| {
            apt_subcommand(c) == Some("install")
                && c.words.iter().any(|w| is_compiler_package(&w.text))
        })
    });
    if !installs_compilers {
        return Err("the stage installs no compiler".into());
    }
    let fix = multi_stage(cx, &runtime, slim_python)?;
    Ok((
        fix,
        format!("Build tools moved to a `builder` stage; the image runs on `{runtime}`"),
    ))
}

/// What `dflint fix --explain` shows: which rewrite applies to the final
/// stage (its title), and where each instruction goes and why; or why no
/// rewrite can be done.
pub fn explain(cx: &Context) -> Result<(String, Vec<Placement>), String> {
    let f = cx.model.final_stage.ok_or("no stage to build")?;
    let base = cx
        .model
        .root_base(f)
        .ok_or("the base image does not resolve")?
        .to_string();
    if let Some(runtime) = runtime_counterpart(&base) {
        let (_, lines) = plan_explained(cx, &runtime, runtime_counterpart)?;
        return Ok((
            format!(
                "the multi-stage rewrite of DF001: `{base}` -> `{runtime}`\n  base: {}",
                BaseProfile::of(&base).describe()
            ),
            lines,
        ));
    }
    if let Some(runtime) = slim_python(&base).filter(|r| *r != base) {
        build_tools(cx)?;
        let (_, lines) = plan_explained(cx, &runtime, slim_python)?;
        return Ok((
            format!(
                "the build-tools rewrite of DF007: `{base}` -> `{runtime}`\n  base: {}",
                BaseProfile::of(&base).describe()
            ),
            lines,
        ));
    }
    if let Some(advice) = devel_image(&base).and_then(|d| d.advice) {
        return Err(format!(
            "`{base}` carries the whole CUDA toolkit but has no runtime tag to move to; ship on {advice}"
        ));
    }
    Err(format!(
        "the final stage's base `{base}` is neither a devel image nor a full `python` image, so there is no smaller runtime image to move to"
    ))
}

#[cfg(test)]
mod tests {
    use super::slim_python;

    #[test]
    fn slim_tags() {
        assert_eq!(
            slim_python("python:3.11").as_deref(),
            Some("python:3.11-slim")
        );
        assert_eq!(
            slim_python("python:3.11-bookworm").as_deref(),
            Some("python:3.11-slim-bookworm")
        );
        assert_eq!(
            slim_python("python:3.11-slim").as_deref(),
            Some("python:3.11-slim")
        );
        assert_eq!(slim_python("python:3.11-alpine"), None);
        assert_eq!(slim_python("ubuntu:22.04"), None);
    }
}
