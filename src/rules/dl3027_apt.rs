//! DL3027 apt-in-script: `apt` (the interactive front end) in a RUN.

use super::{Context, FixAvailability, Rule};
use crate::diagnostic::{Diagnostic, Edit, Fix, Severity};
use crate::semantics::commands::{operands, parse_args, resolve, shell_runs, APT};

pub static RULE: Rule = Rule {
    code: "DL3027",
    name: "apt-in-script",
    summary: "a RUN uses `apt` instead of `apt-get` or `apt-cache`",
    aliases: &[],
    severity: Severity::Warning,
    fix: FixAvailability::Sometimes,
    default_enabled: false,
    doc: include_str!("../../rules/DL3027.md"),
    check,
};

/// `apt` subcommands and the script-stable program that does the same.
/// `apt upgrade` is missing on purpose: it may install new packages, which
/// `apt-get upgrade` never does; `list`, `edit-sources` and `full-upgrade`
/// have no equivalent of the same name.
const REPLACEMENTS: &[(&str, &str)] = &[
    ("install", "apt-get"),
    ("update", "apt-get"),
    ("remove", "apt-get"),
    ("purge", "apt-get"),
    ("autoremove", "apt-get"),
    ("clean", "apt-get"),
    ("autoclean", "apt-get"),
    ("dist-upgrade", "apt-get"),
    ("build-dep", "apt-get"),
    ("source", "apt-get"),
    ("download", "apt-get"),
    ("satisfy", "apt-get"),
    ("search", "apt-cache"),
    ("show", "apt-cache"),
    ("policy", "apt-cache"),
    ("depends", "apt-cache"),
    ("rdepends", "apt-cache"),
    ("showsrc", "apt-cache"),
];

fn check(cx: &Context) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    for run in shell_runs(cx) {
        for (script, cmd) in run.commands() {
            let r = resolve(cmd);
            if r.program() != "apt" {
                continue;
            }
            let args = parse_args(&r.words[1..], &APT);
            let sub = operands(&args).first().map(|w| w.text.as_str());
            let replacement = sub.and_then(|s| {
                REPLACEMENTS
                    .iter()
                    .find(|(from, _)| *from == s)
                    .map(|(_, to)| *to)
            });
            let shown = sub.map_or("apt".to_string(), |s| format!("apt {s}"));
            let help = match replacement {
                Some(to) => format!("Use `{to}`, whose interface is stable for scripts"),
                None => "Use `apt-get` or `apt-cache`, whose interfaces are stable for scripts"
                    .to_string(),
            };
            let mut d = RULE.diagnostic(
                run.command_span(script, cmd),
                format!("`{shown}` is meant for people: its output and options may change"),
                help,
            );
            // Replace the program's name, keeping a directory in front of it.
            if let Some(to) = replacement {
                let word = &r.words[0];
                let span = run.word_span(script, word);
                if word.text == "apt" && span.len() == 3 {
                    d.fix = Some(Fix::safe([Edit::replace(span, to)]));
                }
            }
            out.push(d);
        }
    }
    out
}
