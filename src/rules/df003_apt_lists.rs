//! DF003 apt-lists-in-layer: a RUN that fetches apt package lists and does
//! not delete them before the layer is committed.

use super::{apt_subcommand, removes_apt_lists, Context, Rule, Run};
use crate::diagnostic::{Diagnostic, Severity};
use crate::fix::{Edit, Fix};
use crate::semantics::commands::resolve;
use crate::syntax::shell::Command;
use crate::syntax::Span;

pub static RULE: Rule = Rule {
    code: "DF003",
    name: "apt-lists-in-layer",
    summary: "apt package lists are left in the layer that fetched them",
    severity: Severity::Warning,
    fixable: true,
    doc: include_str!("../../rules/DF003.md"),
    check,
};

const CLEANUP: &str = "rm -rf /var/lib/apt/lists/*";

/// A command that only tidies up after apt.
fn is_apt_cleanup(cmd: &Command) -> bool {
    let r = resolve(cmd);
    removes_apt_lists(cmd)
        || matches!(
            apt_subcommand(cmd),
            Some("clean" | "autoclean" | "autoremove")
        )
        || (r.program() == "rm"
            && r.words[1..]
                .iter()
                .filter(|w| !w.text.starts_with('-'))
                .all(|w| {
                    w.text.starts_with("/var/cache/apt") || w.text.starts_with("/var/lib/apt")
                }))
}

/// The RUN's commands in execution order, across its scripts.
fn commands<'r>(run: &'r Run) -> Vec<(&'r crate::semantics::Script, &'r Command)> {
    run.scripts
        .iter()
        .flat_map(|(s, cmds)| cmds.iter().map(move |c| (s, c)))
        .collect()
}

/// A RUN that uses the package lists without fetching them (`apt-get install`
/// with no `update` before it in the same RUN).
fn relies_on_lists(run: &Run) -> bool {
    let mut updated = false;
    for (_, c) in commands(run) {
        match apt_subcommand(c) {
            Some("update") => updated = true,
            Some(
                "install" | "upgrade" | "dist-upgrade" | "full-upgrade" | "build-dep" | "source",
            ) if !updated => return true,
            _ => {}
        }
    }
    false
}

/// The edit that ends a RUN with the cleanup, if it can be placed safely.
fn cleanup_edit(cx: &Context, run: &Run) -> Option<Edit> {
    let (script, _) = commands(run).last().copied()?;
    let nl = cx.df.newline;
    match run.ins.shell_text() {
        // The last command lives in a heredoc body: add a line before the terminator.
        Some((text, _)) if script.text != text => {
            let doc = run.ins.heredocs.iter().find(|h| h.content == script.text)?;
            if !doc.content.is_empty() && !doc.content.ends_with('\n') {
                return None;
            }
            Some(Edit::insert(doc.content_span.end, format!("{CLEANUP}{nl}")))
        }
        Some((text, at)) => {
            // A trailing comment would swallow the addition; a background
            // job or an odd ending is left to a person.
            if text.contains(" #") || text.contains("\t#") || !run.ins.heredocs.is_empty() {
                return None;
            }
            let end = text.trim_end();
            let joiner = if end.ends_with(';') {
                " "
            } else if end.ends_with('&') || end.ends_with('|') || end.ends_with('\\') {
                return None;
            } else {
                " && "
            };
            let last = run.ins.line.span(at + end.len() - 1, at + end.len());
            Some(Edit::insert(last.end, format!("{joiner}{CLEANUP}")))
        }
        None => None,
    }
}

/// For a RUN that only runs `apt-get update`, followed in its stage by a RUN
/// that installs from the lists: delete it and start the next RUN with it.
fn merge_update_into_next(cx: &Context, runs: &[Run], n: usize) -> Option<Vec<Edit>> {
    let run = &runs[n];
    let cmds = commands(run);
    if run.ins.heredocs.len() + run.ins.flags.len() > 0
        || cmds.is_empty()
        || !cmds
            .iter()
            .all(|(_, c)| apt_subcommand(c) == Some("update"))
    {
        return None;
    }
    let next = runs
        .get(n + 1)
        .filter(|r| r.stage == run.stage && relies_on_lists(r))?;
    let (_, at) = next.ins.shell_text()?;
    let (script, first) = cmds[0];
    let update = cx.df.slice(run.command_span(script, first)).to_string();
    if update.contains('\n') {
        return None;
    }
    let start = next.ins.line.span(at, at + 1).start;
    Some(vec![
        Edit::delete(cx.df.items[run.item].span),
        Edit::insert(start, format!("{update} && ")),
    ])
}

/// Whole lines of an item and the comment lines directly above it.
fn item_with_comments(cx: &Context, item: usize) -> Span {
    let mut start = item;
    while start > 0
        && matches!(
            cx.df.items[start - 1].kind,
            crate::syntax::ItemKind::Comment
        )
    {
        start -= 1;
    }
    Span::new(cx.df.items[start].span.start, cx.df.items[item].span.end)
}

fn check(cx: &Context) -> Vec<Diagnostic> {
    let runs = cx.shipping_runs();
    let cleans = |r: &Run| commands(r).iter().any(|(_, c)| removes_apt_lists(c));
    // RUNs that leave the lists behind: (index, first apt command).
    let mut flagged = Vec::new();
    for (n, run) in runs.iter().enumerate() {
        if run
            .cache_mounts()
            .iter()
            .any(|t| t == "/var/lib/apt" || t == "/var/lib/apt/lists")
        {
            continue;
        }
        let cmds = commands(run);
        let Some(first) = cmds
            .iter()
            .position(|(_, c)| matches!(apt_subcommand(c), Some("update" | "install")))
        else {
            continue;
        };
        if cmds[first..].iter().any(|(_, c)| removes_apt_lists(c)) {
            continue;
        }
        flagged.push((n, first));
    }
    // Cleaning this RUN is safe unless a later RUN of a stage built on it
    // installs from the lists without fetching them again.
    let fixable = |n: usize| {
        let chain_has = |later: &Run| cx.model.chain(later.stage).contains(&runs[n].stage);
        !runs[n + 1..]
            .iter()
            .any(|later| chain_has(later) && relies_on_lists(later))
    };
    let mut out = Vec::new();
    for &(n, first) in &flagged {
        let run = &runs[n];
        let (script, cmd) = commands(run)[first];
        let sub = apt_subcommand(cmd).unwrap_or("update");
        let program = resolve(cmd).program().to_string();
        let later = runs[n + 1..]
            .iter()
            .find(|r| r.stage == run.stage && cleans(r));
        let (message, help) = match later {
            Some(r) => (
                format!(
                    "`{program} {sub}` leaves the package lists in this layer; removing them in the RUN on line {} frees nothing",
                    r.ins.start_line
                ),
                format!("Move `{CLEANUP}` into this RUN, after the install"),
            ),
            None => (
                format!("`{program} {sub}` leaves the package lists in the layer"),
                format!("End this RUN with `&& {CLEANUP}`, or mount a cache on /var/lib/apt"),
            ),
        };
        let mut d = RULE.diagnostic(run.command_span(script, cmd), message, help);
        if !fixable(n) {
            // `RUN apt-get update` alone, followed by the RUN that installs:
            // fold the update into that RUN.
            d.fix = merge_update_into_next(cx, &runs, n).map(Fix::safe);
        } else {
            if let Some(edit) = cleanup_edit(cx, run) {
                let mut edits = vec![edit];
                // A later RUN that only cleaned up becomes a useless layer:
                // drop it once every RUN before it in the stage is fixed.
                if let Some(r) = later {
                    let only_cleanup = commands(r).iter().all(|(_, c)| is_apt_cleanup(c));
                    let all_fixed = flagged
                        .iter()
                        .filter(|(m, _)| runs[*m].stage == r.stage && runs[*m].item < r.item)
                        .all(|(m, _)| fixable(*m) && cleanup_edit(cx, &runs[*m]).is_some());
                    if only_cleanup && all_fixed {
                        edits.push(Edit::delete(item_with_comments(cx, r.item)));
                    }
                }
                d.fix = Some(Fix::safe(edits));
            }
        }
        out.push(d);
    }
    out
}
