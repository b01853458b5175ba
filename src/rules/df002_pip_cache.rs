//! DF002 pip-cache-in-layer: `pip install` / `uv pip install` in a shipping
//! stage that keeps its download cache in the image layer.

use std::borrow::Cow;
use std::cell::OnceCell;

use foldhash::HashMap;

use super::{package_install, Context, FixAvailability, Installer, Rule};
use crate::diagnostic::{text, Diagnostic, Severity};
use crate::diagnostic::{Edit, Fix};
use crate::semantics::conda;
use crate::semantics::images::defaults_to_nonroot;
use crate::semantics::{commands::resolve, truthy};
use crate::syntax::shell::Command;

pub static RULE: Rule = Rule {
    code: "DF002",
    name: "pip-cache-in-layer",
    summary: "`pip install` keeps its download cache in the image layer",
    aliases: &["DL3042"],
    severity: Severity::Warning,
    fix: FixAvailability::Always,
    default_enabled: true,
    doc: include_str!("../../rules/DF002.md"),
    check,
};

/// Whether a mount target holds `dir` (is it or one of its parents).
fn covers(target: &str, dir: &str) -> bool {
    let dir = dir.trim_end_matches('/');
    dir == target || dir.starts_with(&format!("{target}/"))
}

/// Where a script's commands remove pip's or uv's cache, so that "is the
/// cache removed after command `i`" is a few lookups rather than a scan of
/// the rest of the script for every install (a heredoc may hold thousands).
struct Cleanups<'s> {
    /// The last `pip cache purge`-like command.
    last_purge: Option<usize>,
    /// Every `rm` argument (trailing `/` and `*` trimmed) -> the last
    /// command removing it.
    removed: HashMap<&'s str, usize>,
    /// The last `rm` of a path that ends in `.cache/pip`, `/.cache` or is
    /// `~/.cache`; the same for uv.
    last_pip_cache: Option<usize>,
    last_uv_cache: Option<usize>,
}

/// Whether a command empties pip's or uv's cache: `pip cache purge`,
/// `python3 -m pip cache purge`, `uv cache clean` (`prune` too).
fn purges_cache(words: &[&str]) -> bool {
    let tool = |w: &str| {
        let b = w.rsplit('/').next().unwrap_or(w);
        b.starts_with("pip") || b == "uv"
    };
    let rest = match words {
        [p, "-m", m, rest @ ..]
            if p.rsplit('/')
                .next()
                .is_some_and(|b| b.starts_with("python"))
                && tool(m) =>
        {
            rest
        }
        [p, rest @ ..] if tool(p) => rest,
        _ => return false,
    };
    matches!(rest, ["cache", "purge" | "clean" | "prune", ..])
}

impl<'s> Cleanups<'s> {
    fn new(cmds: &'s [Command]) -> Cleanups<'s> {
        let mut c = Cleanups {
            last_purge: None,
            removed: HashMap::default(),
            last_pip_cache: None,
            last_uv_cache: None,
        };
        for (j, cmd) in cmds.iter().enumerate() {
            let r = resolve(cmd);
            let words: Vec<&str> = r.words.iter().map(|w| w.text.as_str()).collect();
            if purges_cache(&words) {
                c.last_purge = Some(j);
            }
            if r.program() != "rm" {
                continue;
            }
            for w in &words[1..] {
                let w = w.trim_end_matches(['/', '*']);
                c.removed.insert(w, j);
                let any_cache = w.ends_with("/.cache") || w == "~/.cache";
                if any_cache || w.ends_with(".cache/pip") {
                    c.last_pip_cache = Some(j);
                }
                if any_cache || w.ends_with(".cache/uv") {
                    c.last_uv_cache = Some(j);
                }
            }
        }
        c
    }

    /// Whether a command after `i` purges the cache or removes `cache_dir`
    /// (or a directory holding it) or a `.cache/<sub>` directory.
    fn after(&self, i: usize, cache_dir: Option<&str>, sub: &str) -> bool {
        let later = |at: Option<usize>| at.is_some_and(|j| j > i);
        let generic = if sub == "uv" {
            self.last_uv_cache
        } else {
            self.last_pip_cache
        };
        if later(self.last_purge) || later(generic) {
            return true;
        }
        // `covers(target, dir)` holds for `dir` itself and the paths it is in.
        cache_dir.is_some_and(|dir| {
            let dir = dir.trim_end_matches('/');
            std::iter::once(dir)
                .chain(dir.match_indices('/').map(|(k, _)| &dir[..k]))
                .any(|target| later(self.removed.get(target).copied()))
        })
    }
}

fn check(cx: &Context) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    let mut base_nonroot_of: HashMap<usize, bool> = HashMap::default();
    // `ONBUILD RUN` triggers of a shipping stage run in every image built
    // on this one, and leave their cache there.
    let mut runs = cx.shipping_runs();
    runs.extend(cx.triggers().iter().filter(|t| cx.model.ships(t.stage)));
    runs.sort_by_key(|r| r.item);
    for run in runs {
        let scope = cx.model.scope(run.stage, run.item);
        let user = cx.model.user_at(run.stage, run.item);
        // Read from the base image's name once per stage, not per RUN.
        let base_nonroot = *base_nonroot_of.entry(run.stage).or_insert_with(|| {
            cx.model
                .root_base(run.stage)
                .is_some_and(defaults_to_nonroot)
        });
        let home = match user {
            None if base_nonroot => None,
            None => Some("/root".to_string()),
            Some(u) if u.is_root() => Some("/root".to_string()),
            Some(u) if u.resolved.is_some() => Some(format!("/home/{}", u.name())),
            Some(_) => None,
        };
        // The home's cache directories, pip's and uv's, made when an install
        // first needs one (not once per install: a heredoc may hold thousands).
        let home_caches: OnceCell<Option<[String; 2]>> = OnceCell::new();
        let home_cache = |sub: &str| {
            let caches = home_caches.get_or_init(|| {
                home.as_ref()
                    .map(|h| [format!("{h}/.cache/pip"), format!("{h}/.cache/uv")])
            });
            caches.as_ref().map(|[pip, uv]| {
                if sub == "uv" {
                    uv.as_str()
                } else {
                    pip.as_str()
                }
            })
        };
        let mounts = run.cache_mounts();
        for (script, cmds) in &run.scripts {
            let mut cleanups: Option<Cleanups> = None;
            // Variables the script exports before an install reach it.
            let mut exported: HashMap<&str, &str> = HashMap::default();
            for (i, cmd) in cmds.iter().enumerate() {
                let r = resolve(cmd);
                if r.program() == "export" {
                    for w in &r.words[1..] {
                        if let Some((k, v)) = w.text.split_once('=') {
                            exported.insert(k, v);
                        }
                    }
                }
                // `conda run -n env pip install` is pip, in that environment.
                let inner = conda::run_target(cmd);
                let Some(install) = package_install(inner.as_ref().unwrap_or(cmd)) else {
                    continue;
                };
                let (env_off, env_dir, option_off, sub) = match install.installer {
                    Installer::Pip => {
                        ("PIP_NO_CACHE_DIR", "PIP_CACHE_DIR", "--no-cache-dir", "pip")
                    }
                    Installer::Uv => ("UV_NO_CACHE", "UV_CACHE_DIR", "--no-cache", "uv"),
                };
                let inline_off = install.resolved.env_value(env_off).is_some_and(truthy)
                    || exported.get(env_off).is_some_and(|v| truthy(v));
                // uv also takes pip's spelling, `--no-cache-dir`, and `-n`;
                // pip takes any unambiguous prefix of an option, and
                // `--no-cache` is one.
                let option = install.has_option(option_off)
                    || install.has_option("--no-cache")
                    || (install.installer == Installer::Uv
                        && (install.has_option("-n") || install.has_option("--no-cache-dir")));
                if option || inline_off || scope.truthy(env_off) {
                    continue;
                }
                let cache_dir = install
                    .option_value("--cache-dir")
                    .or(install.resolved.env_value(env_dir))
                    .or(scope.get(env_dir))
                    .or_else(|| home_cache(sub));
                let mounted = match cache_dir {
                    Some(dir) => dir == "/dev/null" || mounts.iter().any(|t| covers(t, dir)),
                    // Unknown user: any mount of a `.cache/<tool>` dir will do.
                    None => mounts
                        .iter()
                        .any(|t| t.ends_with(&format!(".cache/{sub}")) || t.ends_with(".cache")),
                };
                if mounted {
                    continue;
                }
                // The cache removed later in the same script leaves nothing behind.
                let purged = cleanups
                    .get_or_insert_with(|| Cleanups::new(cmds))
                    .after(i, cache_dir, sub);
                if purged {
                    continue;
                }
                let what = match install.installer {
                    Installer::Pip => Cow::Borrowed("pip install"),
                    Installer::Uv => {
                        let words: Vec<&str> = install.resolved.words
                            [..install.resolved.words.len() - install.args.len()]
                            .iter()
                            .map(|w| w.text.rsplit('/').next().unwrap_or(&w.text))
                            .filter(|w| !w.starts_with('-'))
                            .collect();
                        Cow::Owned(words.join(" "))
                    }
                };
                let runs_as_root = home.as_deref() == Some("/root");
                let (help, edit) = match cache_dir {
                    // Root's cache can be a BuildKit cache mount: rebuilds stay fast.
                    Some(dir) if runs_as_root => (
                        text!("Add `--mount=type=cache,target={dir}` to the RUN, or `{option_off}` to the command"),
                        Edit::insert(run.ins.keyword_span().end, text!(" --mount=type=cache,target={dir}")),
                    ),
                    _ => {
                        let words = install.resolved.words;
                        let sub_word = &words[words.len() - install.args.len() - 1];
                        (
                            text!("Add `{option_off}` to the command"),
                            Edit::insert(script.span(run.ins, sub_word.end(), sub_word.end()).start, text!(" {option_off}")),
                        )
                    }
                };
                let mut d = RULE.diagnostic(
                    run.command_span(script, cmd),
                    text!("`{what}` keeps its download cache in the layer"),
                    help,
                );
                // In a script with an open quote, the edit could land inside it.
                if script.is_complete() {
                    d.fix = Some(Fix::safe([edit]));
                }
                out.push(d);
            }
        }
    }
    out
}
