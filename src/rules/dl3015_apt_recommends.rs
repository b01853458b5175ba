//! DL3015 apt-install-recommends: `apt-get install` that also installs
//! recommended packages.

use super::{Context, FixAvailability, Rule};
use crate::diagnostic::{Diagnostic, Edit, Fix, Severity};
use crate::semantics::commands::{apt_install, has_flag, shell_runs, Arg};

pub static RULE: Rule = Rule {
    code: "DL3015",
    name: "apt-install-recommends",
    summary: "`apt-get install` without `--no-install-recommends`",
    aliases: &[],
    severity: Severity::Info,
    fix: FixAvailability::Always,
    default_enabled: false,
    doc: include_str!("../../rules/DL3015.md"),
    check,
};

/// Whether the call turns recommended packages off, by flag or option.
fn no_recommends(args: &[Arg]) -> bool {
    has_flag(args, &["--no-install-recommends"], &[])
        || args.iter().any(|a| match a {
            Arg::Option {
                name: "-o" | "--option",
                value: Some(v),
                ..
            } => {
                let v = v.to_ascii_lowercase();
                v == "apt::install-recommends=false"
                    || v == "apt::install-recommends=0"
                    || v == "apt::install-recommends=no"
            }
            _ => false,
        })
}

fn check(cx: &Context) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    for run in shell_runs(cx) {
        for (script, cmd) in run.commands() {
            let Some(call) = apt_install(cmd) else {
                continue;
            };
            if no_recommends(&call.args) {
                continue;
            }
            let program = &call.program.text;
            let mut d = RULE.diagnostic(
                run.command_span(script, cmd),
                format!("`{program} install` also installs every recommended package"),
                "Add `--no-install-recommends` and name the packages you need",
            );
            let after = run.word_span(script, call.subcommand).end;
            d.fix = Some(Fix::unsafe_edits([Edit::insert(
                after,
                " --no-install-recommends",
            )]));
            out.push(d);
        }
    }
    out
}
