//! DL3014 apt-missing-yes: `apt-get install` that would ask for
//! confirmation.

use super::{Context, FixAvailability, Rule};
use crate::diagnostic::{Diagnostic, Edit, Fix, Severity};
use crate::semantics::commands::{apt_install, has_flag, option_value, shell_runs, Arg};

pub static RULE: Rule = Rule {
    code: "DL3014",
    name: "apt-missing-yes",
    summary: "`apt-get install` without `-y`",
    aliases: &[],
    severity: Severity::Warning,
    fix: FixAvailability::Always,
    default_enabled: false,
    doc: include_str!("../../rules/DL3014.md"),
    check,
};

/// apt's quiet level: `-q` counts one, `-qq` two, `-q=2` or `--quiet=2` two.
fn quiet_level(args: &[Arg]) -> usize {
    let mut level = 0;
    for a in args {
        let Arg::Option { name, value, .. } = a else {
            continue;
        };
        if let Some(n) = name.strip_prefix("-q=") {
            level += n.parse().unwrap_or(1);
        } else if *name == "--quiet" {
            level += value.and_then(|v| v.parse().ok()).unwrap_or(1);
        } else if !name.starts_with("--") {
            level += name.chars().filter(|&c| c == 'q').count();
        }
    }
    level
}

/// Whether apt answers its own questions: `-y` and its spellings, the
/// `Assume-Yes` option, or quiet level 2, which implies `-y`.
pub fn assumes_yes(args: &[Arg]) -> bool {
    has_flag(args, &["--yes", "--assume-yes", "--force-yes"], &['y'])
        || option_value(args, &["-o", "--option"]).is_some_and(|v| {
            v.to_ascii_lowercase()
                .starts_with("apt::get::assume-yes=true")
        })
        || quiet_level(args) >= 2
}

fn check(cx: &Context) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    for run in shell_runs(cx) {
        for (script, cmd) in run.commands() {
            let Some(call) = apt_install(cmd) else {
                continue;
            };
            if assumes_yes(&call.args) {
                continue;
            }
            let program = &call.program.text;
            let mut d = RULE.diagnostic(
                run.command_span(script, cmd),
                format!("`{program} install` without `-y` waits for a confirmation no one gives"),
                format!("Add `-y`: `{program} install -y`"),
            );
            let after = run.word_span(script, call.subcommand).end;
            d.fix = Some(Fix::safe([Edit::insert(after, " -y")]));
            out.push(d);
        }
    }
    out
}
