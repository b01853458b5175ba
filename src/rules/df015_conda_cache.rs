//! DF015 conda-cache-in-layer: `conda`, `mamba` or `micromamba` installs
//! in a shipping stage that leave the package cache in the layer.

use super::{Context, FixAvailability, Rule};
use crate::diagnostic::{Diagnostic, Fix, Severity};
use crate::semantics::conda::{conda_call, is_pkgs_dir, removes_pkgs};
use crate::semantics::managers::append_command;

pub static RULE: Rule = Rule {
    code: "DF015",
    name: "conda-cache-in-layer",
    summary: "`conda install` keeps its package cache in the image layer",
    aliases: &[],
    severity: Severity::Warning,
    fix: FixAvailability::Sometimes,
    default_enabled: true,
    doc: include_str!("../../rules/DF015.md"),
    check,
};

fn check(cx: &Context) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    for run in cx.shipping_runs() {
        let mounts = run.cache_mounts();
        let scope = cx.model.scope(run.stage, run.item);
        // The last install not followed by a clean, in execution order:
        // one finding per RUN, as one clean at the end serves them all.
        let mut pending = None;
        for (script, cmd) in run.commands() {
            if removes_pkgs(cmd) {
                pending = None;
                continue;
            }
            let Some(call) = conda_call(cmd) else {
                continue;
            };
            if call.cleans() {
                pending = None;
            } else if call.fills_cache() {
                // A cache mount on the package directory (where
                // `CONDA_PKGS_DIRS` puts it, or any `pkgs` directory)
                // keeps the downloads out of the layer.
                let pkgs = call
                    .env_value("CONDA_PKGS_DIRS")
                    .or(scope.get("CONDA_PKGS_DIRS"));
                let mounted = mounts.iter().any(|t| {
                    is_pkgs_dir(t)
                        || pkgs.is_some_and(|p| p.split(',').any(|d| d.trim_end_matches('/') == t))
                });
                if !mounted {
                    pending = Some((script, cmd, call));
                }
            }
        }
        let Some((script, cmd, call)) = pending else {
            continue;
        };
        let program = call.program();
        let written = call.program_word().text.as_str();
        let clean = format!("{written} clean -afy");
        let mut d = RULE.diagnostic(
            run.command_span(script, cmd),
            format!(
                "`{program} {}` leaves downloaded packages in the layer",
                call.describe()
            ),
            format!("End this RUN with `&& {clean}`, or mount a cache on the `pkgs` directory"),
        );
        d.fix = append_command(cx, run, &clean).map(|e| Fix::safe([e]));
        out.push(d);
    }
    out
}
