//! DL3060 yarn-cache-not-cleaned: `yarn install` in a stage that ships,
//! without `yarn cache clean` after it in the same RUN.

use super::{Context, FixAvailability, Rule};
use crate::diagnostic::{Diagnostic, Fix, Severity};
use crate::semantics::commands::resolve;
use crate::semantics::managers::{append_command, runs_and_triggers};
use crate::syntax::shell::Command;

pub static RULE: Rule = Rule {
    code: "DL3060",
    name: "yarn-cache-not-cleaned",
    aliases: &[],
    summary: "`yarn install` leaves its cache in a layer that ships",
    severity: Severity::Info,
    fix: FixAvailability::Sometimes,
    default_enabled: false,
    doc: include_str!("../../rules/DL3060.md"),
    check,
};

/// The yarn subcommand of a command, if it is yarn's.
fn yarn_sub(cmd: &Command) -> Option<&str> {
    let r = resolve(cmd);
    if r.program() != "yarn" {
        return None;
    }
    r.words[1..]
        .iter()
        .map(|w| w.text.as_str())
        .find(|w| !w.starts_with('-'))
}

/// yarn's `cache clean`.
fn cleans(cmd: &Command) -> bool {
    let r = resolve(cmd);
    if r.program() != "yarn" {
        return false;
    }
    let args: Vec<&str> = r.words[1..]
        .iter()
        .map(|w| w.text.as_str())
        .filter(|w| !w.starts_with('-'))
        .collect();
    args.starts_with(&["cache", "clean"])
}

fn check(cx: &Context) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    for run in runs_and_triggers(cx) {
        // The cache of a stage that does not ship costs nothing.
        if !cx.model.ships(run.stage) {
            continue;
        }
        if run.cache_mounts().iter().any(|t| t.contains("yarn")) {
            continue;
        }
        let mut pending = None;
        for (script, cmd) in run.commands() {
            if yarn_sub(cmd) == Some("install") {
                pending = Some((script, cmd));
            } else if cleans(cmd) {
                pending = None;
            }
        }
        let Some((script, cmd)) = pending else {
            continue;
        };
        let mut d = RULE.diagnostic(
            run.command_span(script, cmd),
            "`yarn install` leaves its package cache in the layer",
            "End this RUN with `&& yarn cache clean`, or mount a cache on yarn's cache folder",
        );
        d.fix = append_command(cx, run, "yarn cache clean").map(|e| Fix::unsafe_edits([e]));
        out.push(d);
    }
    out
}
