//! Which files are Dockerfiles, and finding them under a directory: by
//! name (`Dockerfile`, `Dockerfile.<suffix>`, `<name>.Dockerfile`,
//! `Containerfile`...), honouring `.gitignore`, `.ignore` and hidden files
//! as git does, and the `exclude` setting.

use std::path::Path;

/// Extensions that say a file is something else, even when its name
/// mentions Dockerfile (`Dockerfile.md`, `Dockerfile.j2`, a notebook).
const NOT_DOCKERFILES: &[&str] = &[
    "dockerignore",
    "bin",
    "dat",
    "exe",
    "whl",
    "md",
    "markdown",
    "rst",
    "txt",
    "json",
    "yml",
    "yaml",
    "toml",
    "ini",
    "cfg",
    "conf",
    "sh",
    "bash",
    "py",
    "ipynb",
    "rs",
    "go",
    "js",
    "ts",
    "so",
    "a",
    "o",
    "snap",
    "lock",
    "orig",
    "rej",
    "bak",
    "swp",
    "tmp",
    "j2",
    "jinja",
    "jinja2",
    "tmpl",
    "tpl",
    "template",
    "in",
    "html",
    "xml",
    "png",
    "jpg",
    "svg",
    "pdf",
    "gz",
    "zip",
    "tar",
    "patch",
    "diff",
    "log",
];

/// Whether a file name is a Dockerfile's: `Dockerfile`, `Containerfile`,
/// `Dockerfile.<suffix>` (`Dockerfile.gpu`), `Dockerfile-<suffix>`,
/// `<name>.Dockerfile`, `<name>.dockerfile`, `<name>.Containerfile`, and
/// the word as a part of a name (`cuda_Dockerfile`); never
/// `*.dockerignore` or a name whose extension says it is something else.
pub fn is_dockerfile_name(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    if lower == "dockerfile" || lower == "containerfile" {
        return true;
    }
    let ext = lower.rsplit_once('.').map(|(_, e)| e).unwrap_or("");
    if ext == "dockerfile" || ext == "containerfile" {
        return lower.len() > ext.len() + 1;
    }
    if NOT_DOCKERFILES.contains(&ext) {
        return false;
    }
    // `Dockerfile.gpu`, `Dockerfile-cpu`, `cuda_Dockerfile`: the word as a
    // whole part of a name split at `.`, `-` and `_`.
    let parts: Vec<&str> = lower.split(['.', '-', '_']).collect();
    parts.len() > 1
        && parts.iter().all(|p| !p.is_empty() || lower.contains("__"))
        && !lower.starts_with('.')
        && parts
            .iter()
            .any(|p| *p == "dockerfile" || *p == "containerfile")
}

/// The Dockerfiles under a directory, sorted by path. `respect_ignores`:
/// skip what `.gitignore`, `.ignore` and git's exclude files ignore, and
/// hidden files and directories.
pub fn find(dir: &Path, respect_ignores: bool) -> Vec<String> {
    let mut builder = ignore::WalkBuilder::new(dir);
    builder
        .hidden(respect_ignores)
        .git_ignore(respect_ignores)
        .git_global(respect_ignores)
        .git_exclude(respect_ignores)
        .ignore(respect_ignores)
        .parents(respect_ignores)
        // A .gitignore counts even outside a git repository, as ruff does.
        .require_git(false)
        // Build output and dependencies are never sources.
        .filter_entry(|e| {
            !(e.file_type().is_some_and(|t| t.is_dir())
                && e.depth() > 0
                && matches!(
                    e.file_name().to_str(),
                    Some("node_modules" | "target" | ".git" | "__pycache__")
                ))
        });
    let mut out: Vec<String> = builder
        .build()
        .flatten()
        .filter(|e| e.file_type().is_some_and(|t| t.is_file()))
        .filter(|e| e.file_name().to_str().is_some_and(is_dockerfile_name))
        .map(|e| e.path().display().to_string())
        .collect();
    out.sort();
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dockerfile_names() {
        for yes in [
            "Dockerfile",
            "dockerfile",
            "Containerfile",
            "Dockerfile.gpu",
            "Dockerfile.train",
            "Dockerfile-cpu",
            "cuda.Dockerfile",
            "api.dockerfile",
            "Containerfile.dev",
            "web.Containerfile",
            "cuda_Dockerfile",
            "org__repo__docker__Dockerfile",
        ] {
            assert!(is_dockerfile_name(yes), "{yes}");
        }
        for no in [
            "Dockerfile.dockerignore",
            ".dockerignore",
            "Dockerfile.md",
            "Dockerfile.j2",
            "Dockerfile.tmpl",
            "dockerfile.ipynb",
            "dockerfile_parser.rs",
            "Dockerfile.snap",
            "test_dockerfile.py",
            "dockerfile.so",
            "README.md",
            ".Dockerfile",
            "Dockerfile.",
            "Dockerfiles",
            "mydockerfile",
        ] {
            assert!(!is_dockerfile_name(no), "{no}");
        }
    }
}
