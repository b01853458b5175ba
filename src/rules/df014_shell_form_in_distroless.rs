//! DF014 shell-form-in-distroless: a shell-form RUN, CMD, ENTRYPOINT or
//! HEALTHCHECK in a stage whose base has no shell (distroless, `scratch`,
//! Chainguard's shell-less images): the build or the container fails.

use super::{Context, FixAvailability, Rule};
use crate::diagnostic::{Diagnostic, Edit, Fix, Severity};
use crate::semantics::images::{distro, Distro, ImageRef};
use crate::syntax::shell;
use crate::syntax::{Args, Instruction, Keyword};

pub static RULE: Rule = Rule {
    code: "DF014",
    name: "shell-form-in-distroless",
    aliases: &[],
    summary: "A shell-form instruction in a stage whose base has no shell",
    severity: Severity::Error,
    fix: FixAvailability::Sometimes,
    default_enabled: true,
    doc: include_str!("../../rules/DF014.md"),
    check,
};

/// Tags of shell-less repositories that do carry a shell (distroless's
/// busybox `debug` images, Chainguard's `-dev` variants).
const SHELL_TAG_WORDS: &[&str] = &["debug", "dev"];

/// Characters that make a command line mean more than a program and its
/// arguments (expansion, operators, globs, redirection, comments): the
/// exec form would not run the same thing.
const SHELL_SYNTAX: &[char] = &[
    '$', '`', '|', '&', ';', '<', '>', '(', ')', '{', '}', '*', '?', '[', ']', '~', '\\', '#', '!',
    '\n', '\r',
];

/// Words that start a shell compound command rather than name a program.
const SHELL_KEYWORDS: &[&str] = &[
    "if", "then", "else", "elif", "fi", "for", "while", "until", "do", "done", "case", "esac",
    "function", "select", "cd", "export", "source", ".", "exec", "set", "ulimit", "umask",
];

/// Paths where a COPY puts a shell into the image.
const SHELL_PATHS: &[&str] = &["/bin/sh", "/bin/bash", "/busybox", "/bin/busybox", "/bin/"];

/// Chainguard images whose default tags are built without a shell (their
/// `-dev` tags add one); others of the registry (`wolfi-base`, `busybox`)
/// have one.
const SHELL_LESS_CHAINGUARD: &[&str] = &[
    "cgr.dev/chainguard/python",
    "cgr.dev/chainguard/node",
    "cgr.dev/chainguard/glibc-dynamic",
    "cgr.dev/chainguard/jre",
];

/// Whether an image reference has no shell.
fn shell_less(reference: &str) -> bool {
    let image = ImageRef::parse(reference);
    let tag = image.tag.unwrap_or("").to_ascii_lowercase();
    let repo = image.short_repo().to_ascii_lowercase();
    let family =
        distro(reference) == Distro::Distroless || SHELL_LESS_CHAINGUARD.contains(&repo.as_str());
    family && !SHELL_TAG_WORDS.iter().any(|w| tag.contains(w))
}

/// The first instruction of a stage's lineage that sets a SHELL or copies
/// a shell in: what comes after it has a shell. Found once per stage, not
/// once per shell-form instruction (a walk of the lineage each).
fn shell_from(cx: &Context, stage: usize) -> Option<usize> {
    // The lineage is in file order: the first found is the earliest.
    cx.model.lineage(stage).into_iter().find(|&i| {
        let read = [Keyword::Shell, Keyword::Copy, Keyword::Add];
        let Some(ins) = cx.df.instruction_of(i, &read) else {
            return false;
        };
        match ins.keyword {
            Keyword::Shell => true,
            Keyword::Copy | Keyword::Add => ins
                .words()
                .last()
                // A copy to `/` may bring a whole file system, shell included.
                .is_some_and(|dest| dest == "/" || SHELL_PATHS.iter().any(|p| dest.starts_with(p))),
            _ => false,
        }
    })
}

/// The exec form of a shell-form command line, when it is a plain program
/// and arguments that the exec form runs exactly as a shell would.
fn exec_form(text: &str) -> Option<String> {
    let text = text.trim();
    if text.is_empty() || text.contains(SHELL_SYNTAX) {
        return None;
    }
    let cmds = shell::commands(text);
    let [cmd] = cmds.as_slice() else {
        return None;
    };
    let first = cmd.words.first()?;
    // Assignments in front of the program need a shell to set them.
    if SHELL_KEYWORDS.contains(&first.text.as_str()) || first.text.contains('=') {
        return None;
    }
    // Every byte of the line belongs to a word: nothing was dropped as a
    // redirection or an operator.
    let covered: usize = cmd.words.iter().map(|w| w.end() - w.start()).sum();
    let blanks = text.chars().filter(|c| c.is_whitespace()).count();
    let quoted_blanks: usize = cmd
        .words
        .iter()
        .map(|w| {
            text[w.start()..w.end()]
                .chars()
                .filter(|c| c.is_whitespace())
                .count()
        })
        .sum();
    if covered + blanks - quoted_blanks != text.len() {
        return None;
    }
    let words: Vec<String> = cmd
        .words
        .iter()
        .map(|w| serde_json::to_string(w.text.as_str()).unwrap_or_default())
        .collect();
    Some(format!("[{}]", words.join(", ")))
}

/// The edit that turns a shell-form instruction into its exec form.
fn exec_edit(cx: &Context, ins: &Instruction) -> Option<Edit> {
    if !ins.heredocs.is_empty() {
        return None;
    }
    let (text, start) = ins.shell_text()?;
    let trimmed = text.trim_end();
    let lead = trimmed.len() - trimmed.trim_start().len();
    let span = ins.line.span(start + lead, start + trimmed.len());
    // One line only: a continuation may carry comments the edit would drop.
    if cx.df.slice(span).contains('\n') {
        return None;
    }
    exec_form(trimmed).map(|json| Edit::replace(span, json))
}

fn check(cx: &Context) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    for (stage_idx, stage) in cx.model.stages.iter().enumerate() {
        let Some(base) = cx.model.root_base(stage_idx) else {
            continue;
        };
        if !shell_less(base) {
            continue;
        }
        let ships = cx.model.ships(stage_idx);
        // A CMD or ENTRYPOINT matters in the stages that ship; a RUN fails
        // the build in any stage.
        let shell = shell_from(cx, stage_idx);
        let has_cmd = cx
            .model
            .lineage(stage_idx)
            .into_iter()
            .any(|i| cx.df.keyword(i) == Some(Keyword::Cmd));
        let read = [
            Keyword::Run,
            Keyword::Cmd,
            Keyword::Entrypoint,
            Keyword::Healthcheck,
        ];
        for &item in &stage.items {
            let Some(ins) = cx.df.instruction_of(item, &read) else {
                continue;
            };
            let word = match (ins.keyword, &ins.args) {
                (Keyword::Run, Args::Shell { .. }) => "RUN",
                (Keyword::Cmd, Args::Shell { .. }) if ships => "CMD",
                (Keyword::Entrypoint, Args::Shell { .. }) if ships => "ENTRYPOINT",
                (Keyword::Healthcheck, Args::Healthcheck { cmd, .. })
                    if ships && matches!(cmd.as_ref(), Args::Shell { .. }) =>
                {
                    "HEALTHCHECK"
                }
                _ => continue,
            };
            if shell.is_some_and(|from| from < item) {
                continue;
            }
            let when = if word == "RUN" {
                "the build fails"
            } else {
                "the container fails"
            };
            let mut d = RULE.diagnostic(
                ins.line.span(0, ins.line.text.len()),
                format!("Shell-form `{word}` on `{base}`, which has no `/bin/sh`: {when}"),
                format!("Write it in exec form (`{word} [\"program\", \"arg\"]`), or do the work in a stage with a shell and copy the result"),
            );
            if let Some(edit) = exec_edit(cx, ins) {
                // A shell-form ENTRYPOINT ignored CMD; in exec form it
                // receives it as arguments.
                d.fix = Some(if word == "ENTRYPOINT" && has_cmd {
                    Fix::unsafe_edits([edit])
                } else {
                    Fix::safe([edit])
                });
            }
            out.push(d);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What comes after a SHELL, or a COPY of a shell, in the stage or a
    /// stage it is built on has a shell; what comes before does not.
    #[test]
    fn a_shell_counts_from_where_it_is_provided() {
        let text = "\
FROM gcr.io/distroless/python3-debian12 AS base
RUN echo one
COPY --from=busybox:1.36 /bin/sh /bin/sh
RUN echo two
FROM base
RUN echo three
FROM gcr.io/distroless/python3-debian12
RUN echo four
SHELL [\"/busybox/sh\", \"-c\"]
RUN echo five
";
        assert_eq!(super::super::finding_lines(check, text), [2, 8]);
        let df = crate::parse_valid(text).expect("a valid file");
        let cx = Context::new(&df, None, None, crate::semantics::Profile::default());
        assert_eq!(
            (shell_from(&cx, 0), shell_from(&cx, 1), shell_from(&cx, 2)),
            (Some(2), Some(2), Some(8))
        );
    }

    #[test]
    fn exec_form_only_when_unambiguous() {
        assert_eq!(
            exec_form("/app/server --port 8080").as_deref(),
            Some(r#"["/app/server", "--port", "8080"]"#)
        );
        assert_eq!(
            exec_form(r#"python3 -m app "a b""#).as_deref(),
            Some(r#"["python3", "-m", "app", "a b"]"#)
        );
        for no in [
            "a && b",
            "echo $HOME",
            "a > log",
            "cd /x",
            "X=1 app",
            "a *.txt",
            "a | b",
        ] {
            assert_eq!(exec_form(no), None, "{no}");
        }
        assert!(shell_less("gcr.io/distroless/python3-debian12"));
        assert!(shell_less("scratch"));
        assert!(!shell_less("gcr.io/distroless/python3-debian12:debug"));
        assert!(!shell_less("python:3.11-slim"));
        assert!(shell_less("cgr.dev/chainguard/python:latest"));
        assert!(!shell_less("cgr.dev/chainguard/python:latest-dev"));
        assert!(!shell_less("cgr.dev/chainguard/wolfi-base"));
    }
}
