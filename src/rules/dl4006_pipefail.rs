//! DL4006 pipe-without-pipefail: a RUN with a pipe whose shell does not
//! fail when a command before the last one in the pipe fails.

use super::{Context, FixAvailability, Rule};
use crate::diagnostic::{Diagnostic, Edit, Fix, Severity};
use crate::semantics::commands::{basename, resolve};
use crate::semantics::images::{distro, Distro};
use crate::semantics::managers::substitutions;
use crate::syntax::shell::Command;
use crate::syntax::{Args, Keyword, Span};

pub static RULE: Rule = Rule {
    code: "DL4006",
    name: "pipe-without-pipefail",
    aliases: &[],
    summary: "a RUN with a pipe, in a shell without `-o pipefail`",
    severity: Severity::Warning,
    fix: FixAvailability::Sometimes,
    default_enabled: false,
    doc: include_str!("../../rules/DL4006.md"),
    check,
};

/// Shells with `-o pipefail`. A plain `sh` may be dash or busybox, which
/// older releases lack it in.
const PIPEFAIL_SHELLS: &[&str] = &["bash", "zsh", "ksh", "mksh"];

/// Shells whose pipes are not POSIX pipes at all.
const OTHER_SHELLS: &[&str] = &["pwsh", "powershell", "cmd"];

/// What a SHELL instruction makes of pipes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Shell {
    /// `/bin/sh -c`, or a shell given without pipefail.
    NoPipefail {
        default: bool,
    },
    Pipefail,
    /// PowerShell or cmd: this rule does not apply.
    Other,
}

fn shell_of(words: &[impl AsRef<str>]) -> Shell {
    let Some(program) = words.first() else {
        return Shell::NoPipefail { default: false };
    };
    let name = basename(program.as_ref()).to_ascii_lowercase();
    let name = name.strip_suffix(".exe").unwrap_or(&name);
    if OTHER_SHELLS.contains(&name) {
        return Shell::Other;
    }
    if PIPEFAIL_SHELLS.contains(&name) && sets_pipefail(&words[1..]) {
        return Shell::Pipefail;
    }
    Shell::NoPipefail { default: false }
}

/// `-o pipefail`, also with other single-letter options before the `o`
/// (`-eo pipefail`).
fn sets_pipefail<S: AsRef<str>>(args: &[S]) -> bool {
    args.windows(2).any(|w| {
        let (opt, value) = (w[0].as_ref(), w[1].as_ref());
        value == "pipefail" && opt.starts_with('-') && !opt.starts_with("--") && opt.ends_with('o')
    })
}

/// `set -o pipefail` (or `set -euo pipefail`) run by the script itself.
fn is_set_pipefail(cmd: &Command) -> bool {
    let r = resolve(cmd);
    if r.program() != "set" {
        return false;
    }
    let args: Vec<&str> = r.words[1..].iter().map(|w| w.text.as_str()).collect();
    sets_pipefail(&args)
}

/// Whether the `|`s from `cmds[i]` on separate the patterns of a `case`
/// item (`x86_64|aarch64)`), not commands: single words, the last ended
/// by `)`, in a script that has a `case`.
fn case_patterns(cmds: &[Command], i: usize, has_case: bool) -> bool {
    if !has_case {
        return false;
    }
    let mut j = i;
    while j < cmds.len() && cmds[j].terminator() == "|" {
        let words = &cmds[j].words;
        // The first pattern may follow `case WORD in` on the same line.
        let after_in = j == i && words.len() >= 2 && words[words.len() - 2].text == "in";
        if words.len() != 1 && !after_in {
            return false;
        }
        j += 1;
    }
    cmds.get(j)
        .is_some_and(|c| c.words.len() == 1 && c.terminator() == ")")
}

/// Whether a word holds a command substitution (`$(a | b)`) with a pipe:
/// the substitution's status is the pipe's, which `set -e` and `&&` see.
fn substitution_pipes(word: &str) -> bool {
    substitutions(word).into_iter().any(|inner| {
        let cmds = crate::syntax::shell::commands(inner);
        let has_case = inner.split_whitespace().any(|w| w == "case");
        (0..cmds.len()).any(|k| cmds[k].terminator() == "|" && !case_patterns(&cmds, k, has_case))
    })
}

/// The span of the first pipe of a script not preceded by `set -o
/// pipefail`: from the command before the `|` to the one after it, or the
/// word whose command substitution pipes.
fn first_pipe(script: &str, cmds: &[Command]) -> Option<(usize, usize)> {
    // Looked for only once a pipe is seen: most scripts have none.
    let mut has_case = None;
    for (i, cmd) in cmds.iter().enumerate() {
        if is_set_pipefail(cmd) {
            return None;
        }
        if cmd.terminator() == "|" && !(i > 0 && cmds[i - 1].terminator() == "|") {
            let has_case =
                *has_case.get_or_insert_with(|| script.split_whitespace().any(|w| w == "case"));
            if case_patterns(cmds, i, has_case) {
                continue;
            }
            let end = cmds.get(i + 1).map_or(cmd.end(), Command::end);
            return Some((cmd.start(), end));
        }
        if let Some(w) = cmd
            .words
            .iter()
            .find(|w| w.text.contains('$') && substitution_pipes(&w.text))
        {
            return Some((w.start(), w.end()));
        }
    }
    None
}

fn check(cx: &Context) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    // The shell each stage ends with, for the stages built on it.
    let mut final_shell: Vec<Shell> = Vec::with_capacity(cx.model.stages.len());
    // Whether the fix puts a SHELL in the stage or one it is built on: the
    // stages built on it get it too, and need none of their own.
    let mut gets_shell: Vec<bool> = Vec::with_capacity(cx.model.stages.len());
    for (s, stage) in cx.model.stages.iter().enumerate() {
        let mut shell = stage
            .parent
            .filter(|&p| p < s)
            .map_or(Shell::NoPipefail { default: true }, |p| final_shell[p]);
        let inherited_fix = stage
            .parent
            .filter(|&p| p < s)
            .is_some_and(|p| gets_shell[p]);
        // One SHELL line is inserted per stage, before its first RUN
        // flagged, and every finding of the stage carries the same edit.
        let mut insertion: Option<Edit> = None;
        // Asked only for a stage with a finding.
        let bash_known = || {
            cx.model
                .root_base(s)
                .map(distro)
                .is_some_and(|d| matches!(d, Distro::Debian | Distro::Rhel))
        };
        for &item in &stage.items {
            let Some(ins) = cx.df.instruction_of(item, &[Keyword::Shell, Keyword::Run]) else {
                continue;
            };
            if ins.keyword == Keyword::Shell {
                if let Args::Exec(words) = &ins.args {
                    shell = shell_of(words);
                }
                continue;
            }
            if !matches!(shell, Shell::NoPipefail { .. }) {
                continue;
            }
            let Some(run) = cx.run_at(item) else {
                continue;
            };
            let Some((script, (start, end))) = run
                .scripts
                .iter()
                .find_map(|(script, cmds)| first_pipe(&script.text, cmds).map(|p| (script, p)))
            else {
                continue;
            };
            let span: Span = script.span(run.ins, start, end);
            let mut d = RULE.diagnostic(
                span,
                "A pipe in a shell without `-o pipefail` hides a failure of its first commands",
                "Set `SHELL [\"/bin/bash\", \"-o\", \"pipefail\", \"-c\"]` before this RUN",
            );
            if shell == (Shell::NoPipefail { default: true }) && !inherited_fix && bash_known() {
                let edit = insertion.get_or_insert_with(|| {
                    let keyword = if ins.keyword_text().chars().any(|c| c.is_ascii_lowercase()) {
                        "shell"
                    } else {
                        "SHELL"
                    };
                    Edit::insert(
                        cx.df.items[item].span.start,
                        format!(
                            "{keyword} [\"/bin/bash\", \"-o\", \"pipefail\", \"-c\"]{}",
                            cx.df.newline
                        ),
                    )
                });
                d.fix = Some(Fix::unsafe_edits([edit.clone()]));
            }
            out.push(d);
        }
        final_shell.push(shell);
        gets_shell.push(inherited_fix || insertion.is_some());
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn shells() {
        assert_eq!(
            shell_of(&words(&["/bin/bash", "-eo", "pipefail", "-c"])),
            Shell::Pipefail
        );
        assert_eq!(
            shell_of(&words(&["/usr/local/bin/zsh", "-o", "pipefail", "-c"])),
            Shell::Pipefail
        );
        assert_eq!(
            shell_of(&words(&["/bin/sh", "-o", "pipefail", "-c"])),
            Shell::NoPipefail { default: false }
        );
        assert_eq!(shell_of(&words(&["cmd.exe", "/c"])), Shell::Other);
        assert_eq!(shell_of(&words(&["powershell.exe"])), Shell::Other);
    }

    #[test]
    fn case_patterns_are_not_pipes() {
        let script = "case \"$A\" in x86_64|aarch64) B=1 ;; *) B=2 ;; esac";
        let cmds = crate::syntax::shell::commands(script);
        assert_eq!(first_pipe(script, &cmds), None);
        for script in [
            "curl -s x | sh",
            "arch=\"$(dpkg --print-architecture | cut -d- -f1)\"; echo",
        ] {
            let cmds = crate::syntax::shell::commands(script);
            assert!(first_pipe(script, &cmds).is_some(), "{script}");
        }
    }
}
