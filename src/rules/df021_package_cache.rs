//! DF021 other-package-cache-in-layer: apk, dnf, yum and microdnf caches
//! left in a layer of an image that ships (apt is DF003's, pip DF002's,
//! conda DF015's).

use super::{Context, FixAvailability, Rule};
use crate::diagnostic::{Diagnostic, Edit, Fix, Severity};
use crate::semantics::commands::{has_flag, manager_call as call_of, resolve, APK};
use crate::semantics::managers::{
    append_command, mounts_cache_on, removes_dir, uncleaned_call, Family,
};
use crate::semantics::Run;

pub static RULE: Rule = Rule {
    code: "DF021",
    name: "other-package-cache-in-layer",
    summary: "apk, dnf, yum or microdnf leaves its package cache in the image layer",
    aliases: &[],
    severity: Severity::Warning,
    fix: FixAvailability::Sometimes,
    default_enabled: true,
    doc: include_str!("../../rules/DF021.md"),
    check,
};

/// Where apk keeps the indexes and packages it downloads.
const APK_CACHE: &[&str] = &["/var/cache/apk", "/etc/apk/cache"];

/// apk subcommands that download indexes (and, for `add` and `upgrade`,
/// keep them unless given `--no-cache`).
const APK_FETCHING: &[&str] = &["add", "upgrade", "update", "fix"];

/// Whether a later command of the RUN removes apk's cache or empties it
/// (`apk cache clean`).
fn apk_cleaned_after(run: &Run, index: usize) -> bool {
    run.commands().skip(index + 1).any(|(_, c)| {
        let words = resolve(c).words;
        removes_dir(c, APK_CACHE)
            || (words.len() >= 3
                && words[0].text == "apk"
                && words[1].text == "cache"
                && words[2].text == "clean")
    })
}

fn apk_findings(cx: &Context, run: &Run, out: &mut Vec<Diagnostic>) {
    if mounts_cache_on(run, APK_CACHE) {
        return;
    }
    for (index, (script, cmd)) in run.commands().enumerate() {
        let Some(call) = call_of(cmd, &["apk"], APK_FETCHING, &APK) else {
            continue;
        };
        let sub = call.subcommand.text.as_str();
        // `--no-network` downloads nothing, so caches nothing.
        if has_flag(&call.args, &["--no-cache", "--no-network"], &[])
            || apk_cleaned_after(run, index)
        {
            continue;
        }
        let span = run.command_span(script, cmd);
        let d = if sub == "update" {
            // An index fetched by `apk update` stays whatever the later
            // commands pass: remove it at the end.
            let cleanup = "rm -rf /var/cache/apk/*";
            let mut d = RULE.diagnostic(
                span,
                "`apk update` leaves the package index in the layer",
                format!("Drop `apk update` and pass `--no-cache` to `apk add`, or end this RUN with `&& {cleanup}`"),
            );
            d.fix = append_command(cx, run, cleanup).map(|e| Fix::safe([e]));
            d
        } else {
            let mut d = RULE.diagnostic(
                span,
                format!("`apk {sub}` keeps the package index in /var/cache/apk in the layer"),
                "Add `--no-cache`, or mount a cache on /var/cache/apk",
            );
            let after = script.word_span(run.ins, call.subcommand).end;
            d.fix = Some(Fix::safe([Edit::insert(after, " --no-cache")]));
            d
        };
        out.push(d);
    }
}

fn rpm_finding(cx: &Context, run: &Run) -> Option<Diagnostic> {
    let (script, cmd, call) =
        uncleaned_call(run, |c| matches!(c.family, Family::Yum | Family::Dnf))?;
    let program = call.program;
    let clean = format!("{program} clean all");
    let mut d = RULE.diagnostic(
        run.command_span(script, cmd),
        format!(
            "`{program} {}` leaves its package cache in the layer",
            call.sub
        ),
        format!(
            "End this RUN with `&& {clean}`, or mount a cache on {}",
            call.cache_dirs()[0]
        ),
    );
    d.fix = append_command(cx, run, &clean).map(|e| Fix::safe([e]));
    Some(d)
}

fn check(cx: &Context) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    for run in cx.shipping_runs() {
        apk_findings(cx, run, &mut out);
        out.extend(rpm_finding(cx, run));
    }
    out
}
