//! DL3046 useradd-high-uid: `useradd` with a large UID and without
//! `-l`/`--no-log-init`, which writes a huge sparse lastlog file.

use super::{Context, FixAvailability, Rule};
use crate::diagnostic::{Diagnostic, Fix, Severity};
use crate::semantics::commands::resolve;
use crate::semantics::managers::{each_command, insert_after, substitute};

pub static RULE: Rule = Rule {
    code: "DL3046",
    name: "useradd-high-uid",
    aliases: &[],
    summary: "`useradd` of a large UID without `-l` writes a huge lastlog",
    severity: Severity::Warning,
    fix: FixAvailability::Always,
    default_enabled: false,
    doc: include_str!("../../rules/DL3046.md"),
    check,
};

/// UIDs above this make the sparse lastlog and faillog files grow large
/// enough to matter once a layer stores them.
const LARGE_UID: u64 = 99_999;

/// The UID a useradd is given (`-u N`, `-uN`, `--uid N`, `--uid=N`).
fn uid(words: &[&str]) -> Option<u64> {
    let mut it = words.iter();
    while let Some(w) = it.next() {
        let value = match *w {
            "-u" | "--uid" => it.next().copied(),
            _ => w
                .strip_prefix("--uid=")
                .or_else(|| w.strip_prefix("-u").filter(|v| !v.is_empty())),
        };
        if let Some(v) = value {
            return v.parse().ok();
        }
    }
    None
}

fn check(cx: &Context) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    each_command(cx, |run, script, cmd| {
        let r = resolve(cmd);
        if r.program() != "useradd" {
            return;
        }
        // `-u ${UID}`: the ARG or ENV value in scope, when there is one.
        let scope = cx.model.scope(run.stage, run.item);
        let words: Vec<String> = r.words[1..]
            .iter()
            .map(|w| substitute(&w.text, &scope))
            .collect();
        let words: Vec<&str> = words.iter().map(String::as_str).collect();
        let no_log = words.iter().any(|w| {
            *w == "--no-log-init"
                || (w.starts_with('-')
                    && !w.starts_with("--")
                    && w[1..].chars().all(|c| c.is_ascii_alphabetic())
                    && w.contains('l'))
        });
        let Some(id) = uid(&words).filter(|&id| id > LARGE_UID) else {
            return;
        };
        if no_log {
            return;
        }
        let mut d = RULE.diagnostic(
            run.command_span(script, cmd),
            format!("`useradd` of UID {id} without `-l` writes a lastlog file sized for that UID"),
            "Add `-l` (`--no-log-init`)",
        );
        d.fix = Some(Fix::safe([insert_after(run, script, &r.words[0], "-l")]));
        out.push(d);
    });
    out
}
