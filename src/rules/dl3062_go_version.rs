//! DL3062 go-version-not-pinned: `go install`, `go get` or `go run` of a
//! remote package without a version.

use super::{Context, FixAvailability, Rule};
use crate::diagnostic::{Diagnostic, Severity};
use crate::semantics::commands::resolve;
use crate::semantics::managers::each_command;

pub static RULE: Rule = Rule {
    code: "DL3062",
    name: "go-version-not-pinned",
    aliases: &[],
    summary: "`go install`, `go get` or `go run` of a module without a version",
    severity: Severity::Warning,
    fix: FixAvailability::None,
    default_enabled: false,
    doc: include_str!("../../rules/DL3062.md"),
    check,
};

/// Build flags of the go command that take their value as the next word.
const TAKES_VALUE: &[&str] = &[
    "-C",
    "-o",
    "-p",
    "-mod",
    "-modfile",
    "-overlay",
    "-pgo",
    "-tags",
    "-ldflags",
    "-gcflags",
    "-asmflags",
    "-gccgoflags",
    "-buildmode",
    "-compiler",
    "-exec",
    "-pkgdir",
    "-toolexec",
    "-covermode",
    "-coverpkg",
    "-installsuffix",
];

/// Versions that move: they name no release.
const MOVING: &[&str] = &["latest", "master", "main", "HEAD"];

/// Whether a package path names a fixed version of a remote module. Local
/// paths (`.`, `./cmd`, `/src/app`) are built from what is there.
fn pinned(pkg: &str) -> bool {
    if pkg.starts_with('.') || pkg.starts_with('/') || pkg.starts_with('$') {
        return true;
    }
    match pkg.rsplit_once('@') {
        Some((_, version)) => !version.is_empty() && !MOVING.contains(&version),
        None => false,
    }
}

fn check(cx: &Context) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    each_command(cx, |run, script, cmd| {
        let r = resolve(cmd);
        if r.program() != "go" {
            return;
        }
        let Some(sub) = r.words.get(1).map(|w| w.text.as_str()) else {
            return;
        };
        if !matches!(sub, "install" | "get" | "run") {
            return;
        }
        let mut packages = Vec::new();
        let mut skip = false;
        for w in &r.words[2..] {
            let t = w.text.as_str();
            if skip {
                skip = false;
                continue;
            }
            if t.starts_with('-') {
                skip = TAKES_VALUE.contains(&t);
                continue;
            }
            packages.push(t);
            // `go run PKG ARGS...`: what follows the package is its arguments.
            if sub == "run" {
                break;
            }
        }
        let loose: Vec<&str> = packages.into_iter().filter(|p| !pinned(p)).collect();
        if loose.is_empty() {
            return;
        }
        out.push(RULE.diagnostic(
            run.command_span(script, cmd),
            format!(
                "`go {sub}` of `{}` without a fixed version",
                loose.join("`, `")
            ),
            "Add `@vX.Y.Z` to each module path",
        ));
    });
    out
}

#[cfg(test)]
mod tests {
    use super::pinned;

    #[test]
    fn versions() {
        for p in [
            "example.com/pkg@v1.2.3",
            ".",
            "./app",
            "/go/app",
            "golang.org/x/tools/gopls@v0.16.1",
        ] {
            assert!(pinned(p), "{p}");
        }
        for p in [
            "example.com/pkg",
            "example.com/pkg@latest",
            "x@master",
            "foobar",
        ] {
            assert!(!pinned(p), "{p}");
        }
    }
}
