//! DF003 apt-lists-in-layer: a RUN that fetches apt package lists and does
//! not delete them before the layer is committed.

use super::{apt_subcommand, removes_apt_lists, Context, Rule};
use crate::diagnostic::{Diagnostic, Severity};

pub static RULE: Rule = Rule {
    code: "DF003",
    name: "apt-lists-in-layer",
    summary: "apt package lists are left in the layer that fetched them",
    severity: Severity::Warning,
    fixable: false,
    doc: include_str!("../../rules/DF003.md"),
    check,
};

fn check(cx: &Context) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    let runs = cx.shipping_runs();
    for (n, run) in runs.iter().enumerate() {
        if run
            .cache_mounts()
            .iter()
            .any(|t| t == "/var/lib/apt" || t == "/var/lib/apt/lists")
        {
            continue;
        }
        // The RUN's commands in execution order, across its scripts.
        let cmds: Vec<_> = run
            .scripts
            .iter()
            .flat_map(|(s, cmds)| cmds.iter().map(move |c| (s, c)))
            .collect();
        let Some(first) = cmds
            .iter()
            .position(|(_, c)| matches!(apt_subcommand(c), Some("update" | "install")))
        else {
            continue;
        };
        if cmds[first..].iter().any(|(_, c)| removes_apt_lists(c)) {
            continue;
        }
        let (script, cmd) = cmds[first];
        let sub = apt_subcommand(cmd).unwrap_or("update");
        let program = crate::semantics::commands::resolve(cmd)
            .program()
            .to_string();
        let later = runs[n + 1..].iter().find(|r| {
            r.stage == run.stage
                && r.scripts
                    .iter()
                    .any(|(_, cs)| cs.iter().any(removes_apt_lists))
        });
        let (message, help) = match later {
            Some(r) => (
                format!(
                    "`{program} {sub}` leaves the package lists in this layer; removing them in the RUN on line {} frees nothing",
                    r.ins.start_line
                ),
                "Move `rm -rf /var/lib/apt/lists/*` into this RUN, after the install".to_string(),
            ),
            None => (
                format!("`{program} {sub}` leaves the package lists in the layer"),
                "End this RUN with `&& rm -rf /var/lib/apt/lists/*`, or mount a cache on /var/lib/apt".to_string(),
            ),
        };
        out.push(RULE.diagnostic(run.command_span(script, cmd), message, help));
    }
    out
}
