//! DL3028 gem-unpinned: `gem install` of gems without a version.

use super::dl3008_apt_pin::list;
use super::{Context, FixAvailability, Rule};
use crate::diagnostic::{Diagnostic, Severity};
use crate::semantics::commands::{manager_call, option_value, shell_runs, Arg, GEM};

pub static RULE: Rule = Rule {
    code: "DL3028",
    name: "gem-unpinned",
    summary: "`gem install` of gems without a pinned version",
    aliases: &[],
    severity: Severity::Warning,
    fix: FixAvailability::None,
    default_enabled: false,
    doc: include_str!("../../rules/DL3028.md"),
    check,
};

fn check(cx: &Context) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    for run in shell_runs(cx) {
        for (script, cmd) in run.commands() {
            let Some(call) = manager_call(cmd, &["gem"], &["install", "i"], &GEM) else {
                continue;
            };
            // `-v` pins the gems it is given with.
            if option_value(&call.args, &["-v", "--version"]).is_some() {
                continue;
            }
            // Words after `--` are build options for the gem's extension,
            // and a bare `true`/`false` after an option is that option's value.
            let cut = cmd
                .words
                .iter()
                .find(|w| w.text == "--")
                .map_or(usize::MAX, |w| w.start());
            let mut loose = Vec::new();
            let mut previous_was_option = false;
            for arg in &call.args {
                match arg {
                    Arg::Option { .. } => previous_was_option = true,
                    Arg::Operand(w) => {
                        let bool_value =
                            previous_was_option && matches!(w.text.as_str(), "true" | "false");
                        previous_was_option = false;
                        let is_gem =
                            w.start() > call.subcommand.start() && w.start() < cut && !bool_value;
                        if is_gem && !w.text.contains([':', '/', '$']) && !w.text.ends_with(".gem")
                        {
                            loose.push(w.text.as_str());
                        }
                    }
                }
            }
            if loose.is_empty() {
                continue;
            }
            out.push(RULE.diagnostic(
                run.command_span(script, cmd),
                format!("`gem install` without a version for {}", list(&loose)),
                "Pin each gem: `name:version`, or `-v version` for a single gem",
            ));
        }
    }
    out
}
