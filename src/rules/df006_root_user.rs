//! DF006 root-final-stage: the image's process runs as root.
//!
//! The fix gives the image an unprivileged user that can run it: the user
//! owns what the app writes (the WORKDIR, VOLUMEs, cache directories named
//! in ENV, directories the stage creates, the files COPY puts there), and
//! the fix declines, saying why, when the image keeps state where a new
//! user cannot reach it (`/root`) or when it cannot tell how the base
//! creates users.

use std::collections::HashSet;

use super::{Context, FixAvailability, Rule};
use crate::diagnostic::{Diagnostic, Edit, Fix, Severity};
use crate::semantics::commands::resolve;
use crate::semantics::images::{defaults_to_nonroot, distro, distro_of_package_manager, Distro};
use crate::semantics::normalize_path;
use crate::semantics::UserSetting;
use crate::syntax::{Instruction, ItemKind, Keyword};

pub static RULE: Rule = Rule {
    code: "DF006",
    name: "root-final-stage",
    summary: "The final stage runs as root",
    aliases: &["DL3002"],
    severity: Severity::Warning,
    fix: FixAvailability::Sometimes,
    default_enabled: true,
    doc: include_str!("../../rules/DF006.md"),
    check,
};

/// The uid and gid of the user the fix creates.
pub const APP_UID: u32 = 10001;

/// Programs that start as root on purpose and switch to another user
/// themselves: an image whose entrypoint uses one is not running its app
/// as root.
const PRIVILEGE_DROPPERS: &[&str] = &[
    "gosu",
    "su-exec",
    "setpriv",
    "runuser",
    "supervisord",
    "s6-setuidgid",
    "s6-applyuidgid",
    "chpst",
    "setuidgid",
    "tini-su",
];

/// Variables whose value is a directory the app writes at run time.
const WRITABLE_DIR_VARS: &[&str] = &[
    "HF_HOME",
    "HF_HUB_CACHE",
    "HUGGINGFACE_HUB_CACHE",
    "TRANSFORMERS_CACHE",
    "HF_DATASETS_CACHE",
    "SENTENCE_TRANSFORMERS_HOME",
    "TORCH_HOME",
    "XDG_CACHE_HOME",
    "MPLCONFIGDIR",
    "NUMBA_CACHE_DIR",
    "TRITON_CACHE_DIR",
    "VLLM_CACHE_ROOT",
    "OLLAMA_MODELS",
    "GRADIO_TEMP_DIR",
];

/// Variables that, when set, keep build-time model downloads out of
/// root's home.
const MODEL_CACHE_VARS: &[&str] = &[
    "HF_HOME",
    "HF_HUB_CACHE",
    "HUGGINGFACE_HUB_CACHE",
    "TRANSFORMERS_CACHE",
    "SENTENCE_TRANSFORMERS_HOME",
    "TORCH_HOME",
    "XDG_CACHE_HOME",
];

/// Text in a RUN that downloads models into the user's cache.
const MODEL_DOWNLOADS: &[&str] = &[
    "from_pretrained",
    "snapshot_download",
    "hf_hub_download",
    "huggingface-cli download",
    "hf download",
    "SentenceTransformer(",
];

/// Directories that belong to the system: never handed to the app's user.
const SYSTEM_DIRS: &[&str] = &[
    "/",
    "/usr",
    "/usr/local",
    "/usr/src",
    "/bin",
    "/sbin",
    "/lib",
    "/lib64",
    "/etc",
    "/var",
    "/opt",
    "/home",
    "/tmp",
    "/srv",
    "/mnt",
    "/run",
    "/proc",
    "/sys",
    "/dev",
    "/boot",
    "/media",
];
/// Under these, only `/usr/src/<app>` is an app's directory.
const SYSTEM_PREFIXES: &[&str] = &[
    "/usr/",
    "/bin/",
    "/sbin/",
    "/lib/",
    "/lib64/",
    "/etc/",
    "/var/lib/",
    "/var/cache/",
    "/var/log/",
    "/proc/",
    "/sys/",
    "/dev/",
    "/run/",
    "/boot/",
];

fn is_system_dir(path: &str) -> bool {
    let p = path.trim_end_matches('/');
    let p = if p.is_empty() { "/" } else { p };
    SYSTEM_DIRS.contains(&p)
        || (SYSTEM_PREFIXES.iter().any(|s| p.starts_with(s)) && !p.starts_with("/usr/src/"))
}

fn under_root_home(path: &str) -> bool {
    path == "/root" || path.starts_with("/root/") || path == "~" || path.starts_with("~/")
}

fn contains(dir: &str, path: &str) -> bool {
    dir == "/" || path == dir || path.starts_with(&format!("{dir}/"))
}

fn check(cx: &Context) -> Vec<Diagnostic> {
    let Some(final_stage) = cx.model.final_stage else {
        return Vec::new();
    };
    let help = "Create an unprivileged user and switch to it with `USER` before `CMD`";
    let user = cx.model.user_at(final_stage, usize::MAX);
    let mut d = match user {
        Some(user) if user.is_root() => {
            let ins = cx.instruction(user.item);
            let span = ins.map_or(cx.df.items[user.item].span, |i| {
                i.line.span(0, i.line.text.trim_end().len())
            });
            RULE.diagnostic(
                span,
                format!(
                    "Final stage runs as root: its last `USER` is `{}`",
                    user.raw
                ),
                help.to_string(),
            )
        }
        Some(_) => return Vec::new(),
        None => {
            let base = cx.model.root_base(final_stage).unwrap_or("");
            if defaults_to_nonroot(base) {
                return Vec::new();
            }
            RULE.diagnostic(
                cx.from_image_span(cx.model.stages[final_stage].from_item),
                "Final stage runs as root: no `USER` is set",
                help.to_string(),
            )
        }
    };
    if let Some(tool) = drops_privileges(cx, final_stage) {
        // Starting as root to drop privileges is a design, not a mistake:
        // say so quietly, and leave it alone.
        d.severity = Severity::Info;
        d.message =
            format!("Final stage starts as root; its entrypoint drops privileges with `{tool}`")
                .into();
        d.help =
            format!("Check that `{tool}` switches to an unprivileged user before the app starts")
                .into();
        return vec![d];
    }
    match user_fix(cx, final_stage, user) {
        Ok(mut fix) => {
            let at = fix.edits.iter().map(|e| e.span.start).max().unwrap_or(0);
            if let Some(e) = dangling_escape(cx, at) {
                if !fix.edits.iter().any(|x| x.span == e.span) {
                    fix.edits.push(e);
                }
            }
            d.fix = Some(fix)
        }
        Err(reason) => d.help.push_str(&format!(" (no automatic fix: {reason})")),
    }
    vec![d]
}

/// The command the image runs: its last ENTRYPOINT and CMD, as text.
fn command_texts(cx: &Context, stage: usize) -> (String, String) {
    let mut entry = String::new();
    let mut cmd = String::new();
    for idx in cx.model.lineage(stage) {
        if let Some(ins) = cx
            .df
            .instruction_of(idx, &[Keyword::Entrypoint, Keyword::Cmd])
        {
            match ins.keyword {
                Keyword::Entrypoint => entry = ins.command_text(),
                Keyword::Cmd => cmd = ins.command_text(),
                _ => {}
            }
        }
    }
    (entry, cmd)
}

fn basename(word: &str) -> &str {
    let w = word.trim_matches(|c| c == '"' || c == '\'' || c == '[' || c == ']' || c == ',');
    w.rsplit('/').next().unwrap_or(w)
}

/// The privilege-dropping program the image's entrypoint uses, if any: named
/// in ENTRYPOINT/CMD, or installed by the image and started through an
/// entrypoint script.
fn drops_privileges(cx: &Context, stage: usize) -> Option<&'static str> {
    let (entry, cmd) = command_texts(cx, stage);
    let words: Vec<&str> = entry
        .split_whitespace()
        .chain(cmd.split_whitespace())
        .collect();
    if let Some(tool) = PRIVILEGE_DROPPERS
        .iter()
        .find(|t| words.iter().any(|w| basename(w) == **t))
    {
        return Some(tool);
    }
    let script = words
        .iter()
        .map(|w| basename(w))
        .any(|w| w.ends_with(".sh") || w.contains("entrypoint"));
    if !script {
        return None;
    }
    cx.lineage_runs(stage).into_iter().find_map(|run| {
        let text = run.ins.command_text();
        PRIVILEGE_DROPPERS
            .iter()
            .find(|t| {
                text.split(|c: char| !(c.is_alphanumeric() || c == '-'))
                    .any(|w| w == **t)
            })
            .copied()
    })
}

/// Switch the final stage to an unprivileged user after the last RUN (or
/// USER) of the stage, creating the user when none exists yet; or why not.
fn user_fix(cx: &Context, stage: usize, last_user: Option<&UserSetting>) -> Result<Fix, String> {
    let items = &cx.model.stages[stage].items;
    let after = items
        .iter()
        .rev()
        .find(|&&i| matches!(cx.df.keyword(i), Some(Keyword::Run | Keyword::User)))
        .copied();
    let at = match after {
        Some(i) => cx.df.items[i].span.end,
        None => match items
            .iter()
            .find(|&&i| matches!(cx.df.keyword(i), Some(Keyword::Cmd | Keyword::Entrypoint)))
        {
            Some(&i) => cx.df.items[i].span.start,
            None => items.last().map_or(
                cx.df.items[cx.model.stages[stage].from_item].span.end,
                |&i| cx.df.items[i].span.end,
            ),
        },
    };
    let nl = cx.df.newline;
    let lead = if cx.df.text[..at].ends_with('\n') || at == 0 {
        ""
    } else {
        nl
    };

    // An unprivileged user set earlier in the lineage: switch back to it.
    let earlier = cx
        .model
        .users(stage)
        .into_iter()
        .rfind(|u| u.resolved.is_some() && !u.is_root())
        .map(|u| (u.item, u.raw.clone()));
    if let (Some((_, name)), Some(root)) = (&earlier, last_user) {
        // `USER root` after the last RUN only hands root to CMD: switch it back.
        if after == Some(root.item) {
            let ins = cx.instruction(root.item).ok_or("no USER instruction")?;
            let span = ins.line.span(0, ins.line.text.trim_end().len());
            return Ok(Fix::unsafe_edits([Edit::replace(
                span,
                format!("USER {name}"),
            )]));
        }
        return Ok(Fix::unsafe_edits([Edit::insert(
            at,
            format!("{lead}USER {name}{nl}"),
        )]));
    }

    // A user the stage creates but never switches to.
    if let Some(name) = created_user(cx, stage) {
        return Ok(Fix::unsafe_edits([Edit::insert(
            at,
            format!("{lead}USER {name}{nl}"),
        )]));
    }

    let family = family(cx, stage)?;
    state_under_root(cx, stage)?;

    let owner = match family {
        Distro::Distroless => "65532:65532".to_string(),
        Distro::RhelMinimal => format!("{APP_UID}:0"),
        _ => format!("{APP_UID}:{APP_UID}"),
    };
    let dirs = owned_dirs(cx, stage);
    let mut edits = Vec::new();
    if family != Distro::Windows {
        edits.extend(chown_copies(cx, stage, &dirs, &owner));
    }
    let esc = cx.df.escape;
    let cont = format!(" {esc}{nl}    && ");
    let ownership = if dirs.is_empty() {
        String::new()
    } else {
        let list = dirs.join(" ");
        // Only what root owns changes hands: files a COPY already gave the
        // user are not copied into a new layer again.
        format!("{cont}mkdir -p {list}{cont}find {list} -user 0 -exec chown {owner} {{}} +")
    };
    let text = match family {
        Distro::Distroless => format!("USER {owner}{nl}"),
        Distro::Windows => format!("USER ContainerUser{nl}"),
        Distro::Alpine => format!(
            "RUN addgroup -S -g {APP_UID} app{cont}adduser -S -D -u {APP_UID} -G app -h /home/app app{ownership}{nl}USER {owner}{nl}"
        ),
        Distro::Debian => format!(
            "RUN groupadd --system --gid {APP_UID} app{cont}useradd --system --uid {APP_UID} --gid app --create-home --home-dir /home/app --shell /usr/sbin/nologin app{ownership}{nl}USER {owner}{nl}"
        ),
        Distro::Rhel => format!(
            "RUN groupadd --system --gid {APP_UID} app{cont}useradd --system --uid {APP_UID} --gid app --create-home --home-dir /home/app --shell /sbin/nologin app{ownership}{nl}USER {owner}{nl}"
        ),
        // No useradd: a numeric user with a home of its own.
        Distro::RhelMinimal => format!(
            "RUN mkdir -p /home/app{cont}chown {owner} /home/app{ownership}{nl}ENV HOME=/home/app{nl}USER {owner}{nl}"
        ),
        Distro::Unknown => return Err("cannot tell how the base image creates users".into()),
    };
    edits.push(Edit::insert(at, format!("{lead}{text}")));
    Ok(Fix::unsafe_edits(edits))
}

/// For an insertion at `at` right after an instruction that ends the file
/// with a dangling line continuation (an escape character on its last
/// line, or before blank lines the continuation runs over), the edit that
/// deletes that escape and the blank lines after it: anything added after
/// it would otherwise join the instruction.
fn dangling_escape(cx: &Context, at: usize) -> Option<Edit> {
    let item = cx.df.items.iter().rev().find(|i| i.span.end == at)?;
    if !matches!(item.kind, ItemKind::Instruction(_)) {
        return None;
    }
    let text = cx.df.slice(item.span);
    let body = text.trim_end_matches(['\n', '\r']);
    let trimmed = body.trim_end_matches([' ', '\t', '\r', '\n']);
    if !trimmed.ends_with(cx.df.escape) {
        return None;
    }
    let start = item.span.start + trimmed.len() - cx.df.escape.len_utf8();
    Some(Edit::delete(crate::syntax::Span::new(
        start,
        item.span.start + body.len(),
    )))
}

/// How the final stage's base creates users: from the image's name, else
/// from the package manager the file uses.
fn family(cx: &Context, stage: usize) -> Result<Distro, String> {
    let root = *cx.model.chain(stage).last().ok_or("no stage")?;
    let base = match cx.model.stages[root].base.as_deref() {
        Some(b) => b,
        None => {
            return Err(format!(
                "the base image `{}` comes from an ARG with no default",
                cx.model.stages[root].base_raw
            ))
        }
    };
    let known = distro(base);
    if known != Distro::Unknown {
        return Ok(known);
    }
    cx.lineage_runs(stage)
        .into_iter()
        .flat_map(|r| r.commands())
        .find_map(|(_, c)| distro_of_package_manager(resolve(c).program()))
        .ok_or_else(|| format!("cannot tell how `{base}` creates users"))
}

/// `Err` with the reason when the image keeps what it needs under root's
/// home, where a new user cannot reach it.
fn state_under_root(cx: &Context, stage: usize) -> Result<(), String> {
    if let Some(dir) = cx.model.workdir_at(stage, usize::MAX) {
        if under_root_home(&dir) {
            return Err(format!(
                "the WORKDIR is `{dir}`, in root's home, which another user cannot enter"
            ));
        }
    }
    let scope = cx.model.scope(stage, usize::MAX);
    for name in cx.model.var_names(stage) {
        let Some(value) = scope.get(name) else {
            continue;
        };
        if value
            .split(':')
            .any(|part| under_root_home(part) || part.starts_with("$HOME"))
            && name != "PWD"
        {
            return Err(format!(
                "`{name}` points into root's home (`{value}`), which another user cannot read"
            ));
        }
    }
    for run in cx.lineage_runs(stage) {
        if cx
            .model
            .user_at(run.stage, run.item)
            .is_some_and(|u| !u.is_root())
        {
            continue;
        }
        let text = run.ins.command_text();
        let line = run.ins.start_line();
        for (_, c) in run.commands() {
            let r = resolve(c);
            let pip_user = (r.program().starts_with("pip")
                || r.words.iter().any(|w| w.text == "pip"))
                && r.words.iter().any(|w| w.text == "install")
                && r.words.iter().any(|w| w.text == "--user");
            if pip_user {
                return Err(format!(
                    "the RUN on line {line} installs with `pip install --user` into root's home"
                ));
            }
            // Cleaning root's caches leaves nothing behind to reach.
            if r.program() == "rm" {
                continue;
            }
            if let Some(w) = r.words.iter().skip(1).find(|w| {
                // What is looked for starts with `/`, `~` or `$`: a word
                // without any is passed over without being trimmed.
                if !w.text.bytes().any(|b| matches!(b, b'/' | b'~' | b'$')) {
                    return false;
                }
                let t = w.text.trim_start_matches(|ch: char| {
                    ch.is_alphanumeric() || ch == '-' || ch == '_' || ch == '='
                });
                under_root_home(t) || t.starts_with("$HOME/") || t.starts_with("${HOME}/")
            }) {
                return Err(format!(
                    "the RUN on line {line} uses `{}` in root's home",
                    w.text
                ));
            }
        }
        let scope = cx.model.scope(run.stage, run.item);
        if MODEL_DOWNLOADS.iter().any(|m| text.contains(m))
            && !MODEL_CACHE_VARS.iter().any(|v| scope.get(v).is_some())
        {
            return Err(format!(
                "the RUN on line {line} downloads models into root's cache; set `HF_HOME` to a directory outside /root first"
            ));
        }
    }
    for idx in cx.model.lineage(stage) {
        let Some(ins) = cx.df.instruction_of(idx, &[Keyword::Copy, Keyword::Add]) else {
            continue;
        };
        if let Some(dest) = copy_dest(cx, ins, idx) {
            if under_root_home(&dest) {
                return Err(format!(
                    "the {} on line {} puts files in root's home (`{dest}`)",
                    ins.keyword_text().to_uppercase(),
                    ins.start_line()
                ));
            }
        }
    }
    Ok(())
}

/// Where a COPY or ADD puts its files, made absolute.
fn copy_dest(cx: &Context, ins: &Instruction, item: usize) -> Option<String> {
    let dest = ins.words().last()?.clone();
    let stage = cx.model.stage_of(item)?;
    let scope = cx.model.scope(stage, item);
    let dest = crate::semantics::expand(&dest, &|k| scope.get(k).map(str::to_string))?;
    if dest.starts_with('/') {
        return Some(normalize_path(&dest));
    }
    if dest.starts_with('~') {
        return Some(dest);
    }
    let base = cx
        .model
        .workdir_at(stage, item)
        .unwrap_or_else(|| "/".into());
    Some(normalize_path(&format!("{base}/{dest}")))
}

/// The directories the app's user must own: the WORKDIR, VOLUMEs, cache
/// directories named in ENV, and directories the final stage's RUNs
/// create; system directories never. Outermost only, in a stable order.
fn owned_dirs(cx: &Context, stage: usize) -> Vec<String> {
    let mut dirs: Vec<String> = Vec::new();
    if let Some(dir) = cx.model.workdir_at(stage, usize::MAX) {
        dirs.push(normalize_path(&dir));
    }
    let scope = cx.model.scope(stage, usize::MAX);
    for var in WRITABLE_DIR_VARS {
        if let Some(v) = scope.get(var).filter(|v| v.starts_with('/')) {
            dirs.push(normalize_path(v));
        }
    }
    for idx in cx.model.lineage(stage) {
        let Some(ins) = cx.df.instruction_of(idx, &[Keyword::Volume]) else {
            continue;
        };
        let scope = cx.model.scope(stage, idx);
        // The JSON or word form alike (`words()` gives either).
        for p in ins.words() {
            if let Some(p) = crate::semantics::expand(p, &|k| scope.get(k).map(str::to_string)) {
                if p.starts_with('/') {
                    dirs.push(normalize_path(&p));
                }
            }
        }
    }
    for run in cx.runs().iter().filter(|r| r.stage == stage) {
        for (_, c) in run.commands() {
            let r = resolve(c);
            if r.program() != "mkdir" {
                continue;
            }
            let base = cx
                .model
                .workdir_at(stage, run.item)
                .unwrap_or_else(|| "/".into());
            for w in r.words.iter().skip(1).filter(|w| !w.text.starts_with('-')) {
                let t = &w.text;
                if t.contains(['$', '`', '*', '{', '~']) {
                    continue;
                }
                let abs = if t.starts_with('/') {
                    normalize_path(t)
                } else {
                    normalize_path(&format!("{base}/{t}"))
                };
                dirs.push(abs);
            }
        }
    }
    dirs.retain(|d| !(is_system_dir(d) || under_root_home(d) || d.contains(char::is_whitespace)));
    // Outermost only, in the order of first mention: a directory goes when
    // a directory it is in is listed anywhere, or when it was seen before.
    // Looked up by its parents' paths, not compared with every other one.
    let listed: HashSet<&str> = dirs.iter().map(String::as_str).collect();
    let mut seen: HashSet<&str> = HashSet::new();
    let mut out: Vec<String> = Vec::new();
    for d in &dirs {
        let inside_another = d
            .match_indices('/')
            .any(|(i, _)| i > 0 && listed.contains(&d[..i]));
        if !inside_another && seen.insert(d) {
            out.push(d.clone());
        }
    }
    out
}

/// `--chown` on the final stage's COPY and ADD instructions that put files
/// in a directory the user owns, so the user can write them without a
/// recursive chown copying them into another layer.
fn chown_copies(cx: &Context, stage: usize, dirs: &[String], owner: &str) -> Vec<Edit> {
    let mut edits = Vec::new();
    for &idx in &cx.model.stages[stage].items {
        let Some(ins) = cx.df.instruction_of(idx, &[Keyword::Copy, Keyword::Add]) else {
            continue;
        };
        if ins.flag("chown").is_some() {
            continue;
        }
        let Some(dest) = copy_dest(cx, ins, idx) else {
            continue;
        };
        if dirs.iter().any(|d| contains(d, &dest)) {
            edits.push(Edit::insert(
                ins.keyword_span().end,
                format!(" --chown={owner}"),
            ));
        }
    }
    edits
}

/// The last user a RUN of the stage's lineage creates with `useradd` or
/// `adduser` (its last argument that is not an option).
fn created_user(cx: &Context, stage: usize) -> Option<String> {
    let mut found = None;
    for run in cx.lineage_runs(stage) {
        for (_, c) in run.commands() {
            let r = resolve(c);
            if !matches!(r.program(), "useradd" | "adduser") {
                continue;
            }
            let name = r
                .words
                .last()
                .map(|w| w.text.to_string())
                .unwrap_or_default();
            let plain = !name.is_empty()
                && !name.starts_with('-')
                && name
                    .chars()
                    .all(|ch| ch.is_ascii_alphanumeric() || matches!(ch, '_' | '-' | '.'));
            if plain && r.words.len() > 1 && name != "root" {
                found = Some(name);
            }
        }
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn system_and_root_paths() {
        assert!(is_system_dir("/usr/local"));
        assert!(is_system_dir("/etc/nginx"));
        assert!(is_system_dir("/"));
        assert!(!is_system_dir("/app"));
        assert!(!is_system_dir("/usr/src/app"));
        assert!(!is_system_dir("/opt/models"));
        assert!(under_root_home("/root/.cache"));
        assert!(!under_root_home("/rootfs"));
        assert_eq!(normalize_path("/app/./data/../logs/"), "/app/logs");
        assert!(contains("/app", "/app/x") && !contains("/app", "/apple"));
    }
}
