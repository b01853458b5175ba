//! DL3047 wget-without-progress: `wget` with its default progress bar,
//! which a build log receives as thousands of lines.

use super::{Context, FixAvailability, Rule};
use crate::diagnostic::{Diagnostic, Fix, Severity};
use crate::semantics::commands::resolve;
use crate::semantics::images::{distro, Distro};
use crate::semantics::managers::{each_command, insert_after};
use crate::syntax::Keyword;

pub static RULE: Rule = Rule {
    code: "DL3047",
    name: "wget-without-progress",
    aliases: &[],
    summary: "`wget` without `--progress` or a quiet option floods the build log",
    severity: Severity::Info,
    fix: FixAvailability::Sometimes,
    default_enabled: false,
    doc: include_str!("../../rules/DL3047.md"),
    check,
};

/// GNU wget's long options that quiet or redirect the progress output.
const QUIET_LONG: &[&str] = &[
    "progress",
    "quiet",
    "no-verbose",
    "output-file",
    "append-output",
];

/// Its short options that take a value (the rest of a cluster, or the next
/// word): a cluster ends at them.
const SHORT_WITH_VALUE: &str = "OoaePtTwQUiBlDRAIX";

/// Whether a wget argument silences or redirects the progress bar: `-q`,
/// `-nv`, `-o FILE`, `-a FILE` (alone or in a cluster such as `-qO-`), or
/// their long forms.
fn quiets(arg: &str) -> bool {
    if let Some(long) = arg.strip_prefix("--") {
        let name = long.split('=').next().unwrap_or(long);
        return QUIET_LONG.contains(&name);
    }
    let Some(cluster) = arg.strip_prefix('-') else {
        return false;
    };
    // `-n` takes one more letter: `-nv` is --no-verbose, `-nc`, `-nd`... are not.
    if let Some(rest) = cluster.strip_prefix('n') {
        return rest.starts_with('v');
    }
    for c in cluster.chars() {
        if matches!(c, 'q' | 'o' | 'a') {
            return true;
        }
        if SHORT_WITH_VALUE.contains(c) {
            return false;
        }
    }
    false
}

fn check(cx: &Context) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    each_command(cx, |run, script, cmd| {
        let r = resolve(cmd);
        if r.program() != "wget" || r.words[1..].iter().any(|w| quiets(&w.text)) {
            return;
        }
        let mut d = RULE.diagnostic(
            run.command_span(script, cmd),
            "`wget` prints its progress bar into the build log",
            "Add `--progress=dot:giga`, or `-nv` to print one line a file",
        );
        let edit = || {
            vec![insert_after(
                run,
                script,
                &r.words[0],
                "--progress=dot:giga",
            )]
        };
        // A trigger runs on an image not known here; busybox's wget (Alpine)
        // has no `--progress` and would fail.
        let on_image = cx
            .instruction(run.item)
            .filter(|ins| ins.keyword == Keyword::Run)
            .and_then(|_| cx.model.root_base(run.stage))
            .map(distro);
        d.fix = match on_image {
            Some(Distro::Debian | Distro::Rhel | Distro::RhelMinimal) => Some(Fix::safe(edit())),
            Some(Distro::Alpine | Distro::Distroless) => None,
            _ => Some(Fix::unsafe_edits(edit())),
        };
        out.push(d);
    });
    out
}

#[cfg(test)]
mod tests {
    use super::quiets;

    #[test]
    fn quiet_options() {
        for q in [
            "-q",
            "-qO-",
            "--quiet",
            "-nv",
            "--no-verbose",
            "-o",
            "--output-file=x",
            "-a",
            "--progress=bar",
        ] {
            assert!(quiets(q), "{q}");
        }
        for loud in ["-O-", "-O", "-nc", "-c", "--output-document=x", "https://x"] {
            assert!(!quiets(loud), "{loud}");
        }
    }
}
