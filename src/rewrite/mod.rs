//! Structural rewrites: fixes that reshape a stage rather than edit a line.
//! They plan a [`Fix`](crate::fix::Fix) from the syntax tree like any rule,
//! copying the user's instruction text through spans, and go through the
//! same applier. The fixer runs them only once no local fix is left.

/// Codes whose fixes are structural (applied after all local fixes).
pub fn is_structural(code: &str) -> bool {
    code == "DF001"
}

mod multistage;
mod packages;

pub use multistage::plan as multi_stage;

use crate::fix::Fix;
use crate::rules::{apt_subcommand, Context};
use crate::semantics::images::ImageRef;
use crate::syntax::shell;
use crate::syntax::Keyword;

/// The slim counterpart of an official `python` image (`python:3.11` ->
/// `python:3.11-slim`, `python:3.11-bookworm` -> `python:3.11-slim-bookworm`);
/// a slim image is its own.
pub fn slim_python(reference: &str) -> Option<String> {
    let image = ImageRef::parse(reference);
    if image.short_repo() != "python" || image.digest.is_some() {
        return None;
    }
    let tag = image.tag.as_deref().unwrap_or("latest");
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

/// Packages that compile: their presence in a shipped stage is what the
/// build-tools rewrite removes.
fn is_compiler_package(name: &str) -> bool {
    packages::build_only(name)
        && !matches!(
            name,
            "git" | "git-lfs" | "python3-pip" | "python3-venv" | "software-properties-common"
        )
}

/// The multi-stage rewrite for a final stage on a `python` image that
/// installs compilers or headers with apt and Python packages with pip:
/// the build tools stay in a builder, the image runs on the slim tag.
pub fn build_tools(cx: &Context) -> Option<(Fix, String)> {
    let f = cx.model.final_stage?;
    let stage = &cx.model.stages[f];
    if stage.parent.is_some() {
        return None;
    }
    let runtime = slim_python(stage.base.as_deref()?)?;
    let installs_compilers = stage.items.iter().any(|&i| {
        let Some(ins) = cx.instruction(i) else {
            return false;
        };
        if ins.keyword != Keyword::Run {
            return false;
        }
        crate::semantics::Script::of(ins).iter().any(|s| {
            shell::commands(&s.text).iter().any(|c| {
                apt_subcommand(c) == Some("install")
                    && c.words.iter().any(|w| is_compiler_package(&w.text))
            })
        })
    });
    if !installs_compilers {
        return None;
    }
    let fix = multi_stage(cx, &runtime).ok()?;
    Some((
        fix,
        format!("Build tools moved to a `builder` stage; the image runs on `{runtime}`"),
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
