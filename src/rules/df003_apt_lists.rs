//! DF003 apt-lists-in-layer: a RUN that fetches apt package lists and does
//! not delete them before the layer is committed.

use foldhash::HashMap;
use std::cell::OnceCell;

use super::{apt_subcommand, removes_apt_lists, Context, FixAvailability, Rule};
use crate::diagnostic::{text, Diagnostic, Severity};
use crate::diagnostic::{Edit, Fix};
use crate::semantics::commands::resolve;
use crate::semantics::Run;
use crate::syntax::shell::Command;

pub static RULE: Rule = Rule {
    code: "DF003",
    name: "apt-lists-in-layer",
    summary: "apt package lists are left in the layer that fetched them",
    aliases: &["DL3009"],
    severity: Severity::Warning,
    fix: FixAvailability::Sometimes,
    default_enabled: true,
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
fn commands<'r>(run: &'r Run) -> Vec<(&'r crate::semantics::Script<'r>, &'r Command)> {
    run.commands().collect()
}

/// A RUN that uses the package lists without fetching them (`apt-get install`
/// with no `update` before it in the same RUN).
fn relies_on_lists(run: &Run) -> bool {
    uses_lists_unfetched(commands(run).iter().map(|(_, c)| apt_subcommand(c)))
}

/// Whether a RUN installs packages with apt (not only upgrades them).
fn installs(run: &Run) -> bool {
    run.commands()
        .any(|(_, c)| matches!(apt_subcommand(c), Some("install" | "build-dep" | "source")))
}

/// Whether apt subcommands, in order, install from the lists before any
/// `update` fetched them.
fn uses_lists_unfetched<'c>(subs: impl IntoIterator<Item = Option<&'c str>>) -> bool {
    let mut seen = Unfetched::default();
    subs.into_iter().for_each(|sub| seen.read(sub));
    seen.used
}

/// [`uses_lists_unfetched`] one subcommand at a time, for a reader that
/// asks other things of each command as it goes.
#[derive(Default)]
struct Unfetched {
    updated: bool,
    used: bool,
}

impl Unfetched {
    fn read(&mut self, sub: Option<&str>) {
        match sub {
            Some("update") => self.updated = true,
            Some(
                "install" | "upgrade" | "dist-upgrade" | "full-upgrade" | "build-dep" | "source",
            ) if !self.updated => self.used = true,
            _ => {}
        }
    }
}

/// Whether an apt subcommand writes the package lists. Only `update`
/// does: a RUN that only installs has no lists of its own to remove (they
/// are in the layer of the RUN that fetched them, which is the one to fix).
fn fetches_lists(sub: &Option<&str>) -> bool {
    *sub == Some("update")
}

/// What the rule asks of a RUN's commands, read once and kept as a few
/// figures (a file holds one for every RUN, and a vector per RUN was a
/// tenth of the peak memory of a RUN-heavy file's lint).
struct AptFacts {
    /// The first command that fetches the lists (`apt-get update`), by
    /// its index among the RUN's commands.
    first_fetch: Option<usize>,
    /// A command at or after that one removes the lists.
    removed_after_fetch: bool,
    /// Any command removes the lists.
    cleans: bool,
    /// An install runs before any fetch, on lists from an earlier layer.
    uses_unfetched: bool,
}

impl AptFacts {
    fn of(run: &Run) -> AptFacts {
        let mut facts = AptFacts {
            first_fetch: None,
            removed_after_fetch: false,
            cleans: false,
            uses_unfetched: false,
        };
        // One pass, each command's subcommand read once.
        let mut unfetched = Unfetched::default();
        for (n, (_, c)) in run.commands().enumerate() {
            let sub = apt_subcommand(c);
            if facts.first_fetch.is_none() && fetches_lists(&sub) {
                facts.first_fetch = Some(n);
            }
            if removes_apt_lists(c) {
                facts.cleans = true;
                facts.removed_after_fetch |= facts.first_fetch.is_some();
            }
            unfetched.read(sub);
        }
        facts.uses_unfetched = unfetched.used;
        facts
    }
}

/// The edit that ends a RUN with the cleanup, if it can be placed safely.
fn cleanup_edit(cx: &Context, run: &Run) -> Option<Edit> {
    let (script, _) = commands(run).last().copied()?;
    let nl = cx.df.newline;
    match run.ins.shell_text() {
        // The last command lives in a heredoc body: add a line before the terminator.
        Some((text, _)) if script.text != text => {
            // The body this script is, by where it starts: two bodies may
            // hold the same text.
            let at = script.body_start()?;
            let doc = run
                .ins
                .heredocs
                .iter()
                .find(|h| h.content_span.start == at)?;
            if !script.is_complete() {
                return None;
            }
            let body = doc.content(&cx.df.text);
            if !body.is_empty() && !body.ends_with('\n') {
                return None;
            }
            Some(Edit::insert(doc.content_span.end, text!("{CLEANUP}{nl}")))
        }
        Some((text, at)) => {
            // A trailing comment would swallow the addition; a background
            // job or an odd ending is left to a person.
            if text.contains(" #")
                || text.contains("\t#")
                || !run.ins.heredocs.is_empty()
                || !run.command_line_complete()
            {
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
            Some(Edit::insert(last.end, text!("{joiner}{CLEANUP}")))
        }
        None => None,
    }
}

/// For a RUN that only runs `apt-get update`, followed in its stage by a RUN
/// that installs from the lists: delete it and start the next RUN with it.
fn merge_update_into_next(cx: &Context, runs: &[&Run], n: usize) -> Option<Fix> {
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
    // Only into a RUN that installs: folded into a lone `apt-get upgrade`,
    // the update would leave the lists for a later install all the same.
    let next = runs
        .get(n + 1)
        .filter(|r| r.stage == run.stage && relies_on_lists(r) && installs(r))?;
    let (_, at) = next.ins.shell_text()?;
    let (script, first) = cmds[0];
    let update = cx.df.slice(run.command_span(script, first)).to_string();
    if update.contains('\n') {
        return None;
    }
    let start = next.ins.line.span(at, at + 1).start;
    Some(deleting_run(
        cx,
        run.item,
        vec![Edit::insert(start, text!("{update} && "))],
    ))
}

/// A fix that deletes a RUN (with other edits). The comments above it stay
/// where they are; a RUN that carries comment lines inside its
/// continuation would lose them, so that fix is unsafe.
fn deleting_run(cx: &Context, item: usize, mut edits: Vec<Edit>) -> Fix {
    let span = cx.df.items[item].span;
    let carries_comments = cx
        .df
        .slice(span)
        .lines()
        .skip(1)
        .any(|l| l.trim_start().starts_with('#'));
    edits.push(Edit::delete(span));
    if carries_comments {
        Fix::unsafe_edits(edits)
    } else {
        Fix::safe(edits)
    }
}

/// Whether a RUN mounts a cache or tmpfs over the package lists.
fn lists_on_mount(run: &Run) -> bool {
    run.cache_mounts()
        .iter()
        .any(|t| t == "/var/lib/apt" || t == "/var/lib/apt/lists")
}

/// ONBUILD RUNs that leave the lists behind in the images built from this one.
fn onbuild_findings(cx: &Context) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    // ONBUILD RUNs run in every image built `FROM` this one, whichever
    // stage they sit in.
    for run in cx.triggers() {
        let facts = AptFacts::of(run);
        let Some(first) = facts.first_fetch else {
            continue;
        };
        if facts.removed_after_fetch || lists_on_mount(run) {
            continue;
        }
        let Some((script, cmd)) = run.commands().nth(first) else {
            continue;
        };
        // What fetches the lists is always `update`.
        let sub = "update";
        let program = resolve(cmd).program().to_string();
        let mut d = RULE.diagnostic(
            run.command_span(script, cmd),
            format!("`{program} {sub}` in ONBUILD leaves the package lists in every image built from this one"),
            format!("End this RUN with `&& {CLEANUP}`"),
        );
        d.fix = cleanup_edit(cx, run).map(|e| Fix::safe([e]));
        out.push(d);
    }
    out
}

fn check(cx: &Context) -> Vec<Diagnostic> {
    let mut out = onbuild_findings(cx);
    out.extend(in_stages(cx));
    out
}

fn in_stages(cx: &Context) -> Vec<Diagnostic> {
    let runs = cx.shipping_runs();
    let facts: Vec<AptFacts> = runs.iter().map(|r| AptFacts::of(r)).collect();
    let cleans = |n: usize| facts[n].cleans;
    // RUNs that leave the lists behind: (index, first apt command).
    let mut flagged = Vec::new();
    for (n, run) in runs.iter().enumerate() {
        let Some(first) = facts[n].first_fetch else {
            continue;
        };
        if facts[n].removed_after_fetch {
            continue;
        }
        if lists_on_mount(run) {
            continue;
        }
        flagged.push((n, first));
    }
    if flagged.is_empty() {
        return Vec::new();
    }
    // For every stage, the last RUN (by item) of a stage built on it that
    // installs from the lists without fetching them again: cleaning a RUN
    // before it would break it.
    let mut last_reliant: Vec<usize> = vec![0; cx.model.stages.len()];
    for (later, f) in runs.iter().zip(&facts) {
        if f.uses_unfetched {
            last_reliant[later.stage] = last_reliant[later.stage].max(later.item);
        }
    }
    // Then up each chain: a parent is an earlier stage than its children,
    // so going backwards hands every stage's figure to its parent after
    // that stage has its children's, in one pass rather than one walk up
    // the chain per RUN.
    for s in (0..cx.model.stages.len()).rev() {
        if let Some(p) = cx.model.parent(s) {
            last_reliant[p] = last_reliant[p].max(last_reliant[s]);
        }
    }
    let fixable = |n: usize| last_reliant[runs[n].stage] <= runs[n].item;
    // For every RUN, the next RUN of its stage that removes the lists.
    let mut next_cleaner: Vec<Option<usize>> = vec![None; runs.len()];
    let mut seen: Vec<Option<usize>> = vec![None; cx.model.stages.len()];
    for n in (0..runs.len()).rev() {
        next_cleaner[n] = seen[runs[n].stage];
        if cleans(n) {
            seen[runs[n].stage] = Some(n);
        }
    }
    // Whether every flagged RUN of a stage before a cleaner can be fixed.
    // Worked out once, along each stage's flagged RUNs in file order, as
    // `(item, whether it and all before it can be fixed)`: many flagged RUNs
    // may share a cleaner, or a stage may have many cleaners.
    // Only needed when a later RUN only cleans up, so worked out then.
    let fixable_so_far: OnceCell<HashMap<usize, Vec<(usize, bool)>>> = OnceCell::new();
    let fixable_before = |cleaner: &Run| {
        let by_stage = fixable_so_far.get_or_init(|| {
            let mut by_stage: HashMap<usize, Vec<(usize, bool)>> = HashMap::default();
            for &(m, _) in &flagged {
                let list = by_stage.entry(runs[m].stage).or_default();
                let before = list.last().is_none_or(|&(_, ok)| ok);
                let ok = before && fixable(m) && cleanup_edit(cx, runs[m]).is_some();
                list.push((runs[m].item, ok));
            }
            by_stage
        });
        let Some(list) = by_stage.get(&cleaner.stage) else {
            return true;
        };
        let n = list.partition_point(|&(item, _)| item < cleaner.item);
        n.checked_sub(1).is_none_or(|i| list[i].1)
    };
    let mut out = Vec::new();
    for &(n, first) in &flagged {
        let run = runs[n];
        let Some((script, cmd)) = run.commands().nth(first) else {
            continue;
        };
        let sub = "update";
        let program = resolve(cmd).program().to_string();
        let later = next_cleaner[n].map(|i| runs[i]);
        let (message, help) = match later {
            Some(r) => (
                text!(
                    "`{program} {sub}` leaves the package lists in this layer; removing them in the RUN on line {} frees nothing",
                    r.ins.start_line()
                ),
                text!("Move `{CLEANUP}` into this RUN, after the install"),
            ),
            None => (
                text!("`{program} {sub}` leaves the package lists in the layer"),
                text!("End this RUN with `&& {CLEANUP}`, or mount a cache on /var/lib/apt"),
            ),
        };
        let mut d = RULE.diagnostic(run.command_span(script, cmd), message, help);
        if !fixable(n) {
            // `RUN apt-get update` alone, followed by the RUN that installs:
            // fold the update into that RUN.
            d.fix = merge_update_into_next(cx, &runs, n);
        } else if let Some(edit) = cleanup_edit(cx, run) {
            // A later RUN that only cleaned up becomes a useless layer:
            // drop it once every RUN before it in the stage is fixed.
            d.fix = Some(match later {
                Some(r)
                    if commands(r).iter().all(|(_, c)| is_apt_cleanup(c)) && fixable_before(r) =>
                {
                    deleting_run(cx, r.item, vec![edit])
                }
                _ => Fix::safe([edit]),
            });
        }
        out.push(d);
    }
    out
}
