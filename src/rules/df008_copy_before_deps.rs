//! DF008 copy-before-deps: the whole build context (or a source directory)
//! is copied before a dependency install that reads only its manifests,
//! so every edit to the code invalidates the install's layer cache.

use foldhash::HashMap;

use super::{package_install, Context, FixAvailability, Installer, Rule};
use crate::diagnostic::{Diagnostic, Edit, Fix, Severity};
use crate::semantics::commands::{basename, resolve};
use crate::semantics::Run;
use crate::semantics::{expand, normalize_path};
use crate::syntax::shell::{Command, Word};
use crate::syntax::{Instruction, Keyword};

pub static RULE: Rule = Rule {
    code: "DF008",
    name: "copy-before-deps",
    aliases: &[],
    summary: "The source tree is copied before a dependency install that needs only its manifests",
    severity: Severity::Warning,
    fix: FixAvailability::Sometimes,
    default_enabled: true,
    doc: include_str!("../../rules/DF008.md"),
    check,
};

/// A dependency install, other than pip's, that reads only manifest files.
struct ManifestInstall {
    programs: &'static [&'static str],
    /// The subcommand words in order; empty for the bare program (`yarn`).
    subcommand: &'static [&'static str],
    /// Options whose value names a manifest.
    file_options: &'static [&'static str],
    /// What it reads from the working directory when no file option is
    /// given; empty: without a file option it is not a manifest install.
    default_files: &'static [&'static str],
    /// An option without which the command also installs the project
    /// itself from the tree (so the tree is needed).
    requires: Option<&'static str>,
    /// Whether operands are packages (then it is `npm install left-pad`,
    /// not an install from the manifest).
    operands_are_packages: bool,
}

/// Lock files end in `*`: BuildKit's `COPY` accepts a wildcard that
/// matches nothing, so a project without a lock still builds.
const MANIFEST_INSTALLS: &[ManifestInstall] = &[
    ManifestInstall {
        programs: &["npm"],
        subcommand: &["ci"],
        file_options: &[],
        default_files: &["package.json", "package-lock.json*"],
        requires: None,
        operands_are_packages: true,
    },
    ManifestInstall {
        programs: &["npm"],
        subcommand: &["install"],
        file_options: &[],
        default_files: &["package.json", "package-lock.json*"],
        requires: None,
        operands_are_packages: true,
    },
    ManifestInstall {
        programs: &["yarn"],
        subcommand: &["install"],
        file_options: &[],
        default_files: &["package.json", "yarn.lock*"],
        requires: None,
        operands_are_packages: true,
    },
    ManifestInstall {
        programs: &["pnpm"],
        subcommand: &["install"],
        file_options: &[],
        default_files: &["package.json", "pnpm-lock.yaml*"],
        requires: None,
        operands_are_packages: true,
    },
    ManifestInstall {
        programs: &["poetry"],
        subcommand: &["install"],
        file_options: &[],
        default_files: &["pyproject.toml", "poetry.lock*"],
        requires: Some("--no-root"),
        operands_are_packages: true,
    },
    ManifestInstall {
        programs: &["uv"],
        subcommand: &["sync"],
        file_options: &[],
        default_files: &["pyproject.toml", "uv.lock*"],
        requires: Some("--no-install-project"),
        operands_are_packages: true,
    },
    ManifestInstall {
        programs: &["pipenv"],
        subcommand: &["install"],
        file_options: &[],
        default_files: &["Pipfile", "Pipfile.lock*"],
        requires: None,
        operands_are_packages: true,
    },
    ManifestInstall {
        programs: &["pipenv"],
        subcommand: &["sync"],
        file_options: &[],
        default_files: &["Pipfile", "Pipfile.lock*"],
        requires: None,
        operands_are_packages: true,
    },
    ManifestInstall {
        programs: &["conda", "mamba", "micromamba"],
        subcommand: &["env", "create"],
        file_options: &["-f", "--file"],
        default_files: &["environment.yml"],
        requires: None,
        operands_are_packages: false,
    },
    ManifestInstall {
        programs: &["conda", "mamba", "micromamba"],
        subcommand: &["env", "update"],
        file_options: &["-f", "--file"],
        default_files: &["environment.yml"],
        requires: None,
        operands_are_packages: false,
    },
    ManifestInstall {
        programs: &["conda", "mamba", "micromamba"],
        subcommand: &["install"],
        file_options: &["-f", "--file"],
        default_files: &[],
        requires: None,
        operands_are_packages: true,
    },
    ManifestInstall {
        programs: &["conda", "mamba", "micromamba"],
        subcommand: &["create"],
        file_options: &["-f", "--file"],
        default_files: &[],
        requires: None,
        operands_are_packages: true,
    },
];

/// pip's options that name a requirements or constraints file.
const PIP_FILE_OPTIONS: &[&str] = &["-r", "--requirement", "-c", "--constraint"];

/// Programs a RUN may hold besides its installs and still need nothing
/// of the tree: moving the tree's COPY after such a RUN changes nothing it
/// reads.
const TREE_FREE_PROGRAMS: &[&str] = &[
    "apt-get", "apt", "apk", "rm", "echo", "true", "set", "export", "mkdir", "ln",
];

/// Instructions that may sit between the tree's COPY and the install when
/// the fix moves the COPY below the install: none of them reads the tree.
const MOVABLE_OVER: &[Keyword] = &[Keyword::Env, Keyword::Arg, Keyword::Label, Keyword::Expose];

/// What an install reads: the manifests named (as written), or that it
/// needs the whole tree.
enum Reads {
    Manifests(Vec<String>),
    Tree,
    Nothing,
}

/// Whether a pip requirement word is a path into the tree (`.`, `./pkg`,
/// `dist/x.whl`) rather than a package from an index or a URL.
fn is_local_path(word: &str) -> bool {
    !word.contains("://")
        && (word.starts_with('.')
            || word.starts_with('/')
            || word.contains('/')
            || word.ends_with(".whl")
            || word.ends_with(".tar.gz")
            || word.ends_with(".zip"))
}

/// The values of `options` in `args` (`-r f`, `-rf`, `--requirement=f`).
fn option_values(args: &[Word], options: &[&str]) -> Vec<String> {
    let mut out = Vec::new();
    let mut it = args.iter();
    while let Some(w) = it.next() {
        let t = w.text.as_str();
        if options.contains(&t) {
            if let Some(v) = it.next() {
                out.push(v.text.to_string());
            }
            continue;
        }
        for o in options {
            if o.starts_with("--") {
                if let Some(v) = t.strip_prefix(o).and_then(|r| r.strip_prefix('=')) {
                    out.push(v.to_string());
                }
            } else if let Some(v) = t.strip_prefix(o).filter(|v| !v.is_empty() && t.len() > 2) {
                // `-rrequirements.txt`: a short option glued to its value.
                if !t.starts_with("--") {
                    out.push(v.to_string());
                }
            }
        }
    }
    out
}

/// What one command of a RUN reads of the tree when it installs.
fn reads(cmd: &Command) -> Reads {
    if let Some(install) = package_install(cmd) {
        let words = install.resolved.words;
        let sub = words
            .get(words.len() - install.args.len() - 1)
            .map_or("", |w| w.text.as_str());
        // `uv sync`, `uv add`, `uv tool install` are not uv's pip interface:
        // the table knows what they read.
        let pip_interface =
            install.installer == Installer::Pip || words.iter().any(|w| w.text == "pip");
        if !pip_interface || !matches!(sub, "install" | "sync") {
            return reads_generic(cmd);
        }
        let positional = install.requirements();
        if sub == "sync" {
            // `uv pip sync requirements.txt`: operands are the files.
            if positional.is_empty() {
                return Reads::Nothing;
            }
            return Reads::Manifests(positional.iter().map(|w| w.text.to_string()).collect());
        }
        if install.has_option("-e") || install.has_option("--editable") {
            return Reads::Tree;
        }
        if positional.iter().any(|w| is_local_path(&w.text)) {
            return Reads::Tree;
        }
        let files = option_values(install.args, PIP_FILE_OPTIONS);
        if files.is_empty() {
            return Reads::Nothing;
        }
        return Reads::Manifests(files);
    }
    reads_generic(cmd)
}

fn reads_generic(cmd: &Command) -> Reads {
    let r = resolve(cmd);
    let program = r.program();
    let words = r.words;
    for spec in MANIFEST_INSTALLS {
        if !spec.programs.contains(&program) {
            continue;
        }
        // The operands after the program, options skipped (an option's
        // value is skipped too when it is a file option).
        let mut operands: Vec<&str> = Vec::new();
        let mut skip = false;
        for w in words.iter().skip(1) {
            if skip {
                skip = false;
                continue;
            }
            if w.text.starts_with('-') {
                skip = spec.file_options.contains(&w.text.as_str());
                continue;
            }
            operands.push(w.text.as_str());
        }
        if !operands.starts_with(spec.subcommand) {
            continue;
        }
        let rest = &operands[spec.subcommand.len()..];
        if spec
            .requires
            .is_some_and(|o| !words.iter().any(|w| w.text == o))
        {
            return Reads::Tree;
        }
        if spec.operands_are_packages && !rest.is_empty() {
            return Reads::Nothing;
        }
        let named = option_values(&words[1..], spec.file_options);
        if !named.is_empty() {
            return Reads::Manifests(named);
        }
        if spec.default_files.is_empty() {
            return Reads::Nothing;
        }
        return Reads::Manifests(spec.default_files.iter().map(|s| s.to_string()).collect());
    }
    Reads::Nothing
}

/// A COPY or ADD of a directory of the build context: the tree.
struct TreeCopy<'a> {
    item: usize,
    ins: &'a Instruction,
    /// The context directory copied (`""` for the root).
    source: String,
    /// The destination as written, and where it lands (absolute, or under
    /// an unknown working directory, see [`absolute`]).
    dest_written: String,
    dest: String,
    shown: String,
}

/// A directory where nothing says whether the working directory is known:
/// paths under it compare equal only to paths under the same unknown one.
const UNKNOWN_WORKDIR: &str = "/\u{0}unknown-workdir";

/// A path as the instruction at `item` sees it: absolute as written,
/// otherwise under the working directory there (or the unknown one).
fn absolute(path: &str, workdir: Option<&str>) -> String {
    if path.starts_with('/') {
        normalize_path(path)
    } else {
        normalize_path(&format!("{}/{path}", workdir.unwrap_or(UNKNOWN_WORKDIR)))
    }
}

/// Files whose names have no extension: a source named so is not a directory.
const EXTENSIONLESS_FILES: &[&str] = &[
    "Makefile",
    "Dockerfile",
    "LICENSE",
    "LICENCE",
    "Procfile",
    "Pipfile",
    "Gemfile",
    "README",
    "VERSION",
    "NOTICE",
    "AUTHORS",
    "CHANGELOG",
    "Justfile",
    "Containerfile",
];

/// A source as a context directory path: `./app/` -> `app`, `.` -> ``.
fn clean_source(src: &str) -> String {
    crate::semantics::dockerignore::clean(src)
}

/// Whether a source word names a directory of the context: the root, a
/// `dir/`, or a name without an extension that is not a known file.
fn is_directory_source(src: &str) -> bool {
    if src.contains(['*', '?', '[', '$']) || src.contains("://") || src.starts_with('/') {
        return false;
    }
    let clean = clean_source(src);
    if clean.is_empty() || src.ends_with('/') {
        return true;
    }
    let last = clean.rsplit('/').next().unwrap_or(&clean);
    !last.contains('.') && !EXTENSIONLESS_FILES.contains(&last)
}

fn tree_copy<'a>(
    cx: &Context,
    stage: usize,
    item: usize,
    ins: &'a Instruction,
) -> Option<TreeCopy<'a>> {
    if !matches!(ins.keyword, Keyword::Copy | Keyword::Add)
        || ins.flag("from").is_some()
        || !ins.heredocs.is_empty()
    {
        return None;
    }
    let words = ins.words();
    let (dest_written, sources) = words.split_last()?;
    // With several sources, which one a manifest came from is a guess.
    let [source] = sources else { return None };
    if !is_directory_source(source) {
        return None;
    }
    let scope = cx.model.scope(stage, item);
    let lookup = |name: &str| scope.get(name).map(str::to_string);
    let dest_expanded = expand(dest_written, &lookup)?;
    let workdir = cx.model.workdir_at(stage, item);
    let dest = absolute(&dest_expanded, workdir.as_deref());
    let source = clean_source(source);
    let shown = format!(
        "{} {}",
        ins.keyword_text().to_ascii_uppercase(),
        words.join(" ")
    );
    Some(TreeCopy {
        item,
        ins,
        source,
        dest_written: dest_written.to_string(),
        dest,
        shown,
    })
}

/// The install of a RUN that the tree's COPY feeds, as found in the RUN.
struct FedInstall {
    /// The manifests as context paths (`requirements.txt`, `app/pyproject.toml`).
    context_paths: Vec<String>,
    command: String,
    /// Whether the RUN holds nothing but installs from manifests and
    /// commands that read nothing of the tree.
    pure: bool,
}

/// What a RUN reads, whichever COPY came before it: its installs from
/// manifests, each with the manifests' paths made absolute, and whether it
/// does nothing else that reads the tree. Worked out once per RUN, then
/// matched against every COPY still waiting for an install.
struct RunReads<'a> {
    /// Installs from manifests, in order, with no variable in their paths.
    installs: Vec<(&'a Command, Vec<String>)>,
    pure: bool,
}

fn run_reads<'a>(cx: &Context, stage: usize, run: &'a Run) -> RunReads<'a> {
    let workdir = cx.model.workdir_at(stage, run.item);
    let mut installs = Vec::new();
    let mut pure = true;
    for (_, cmds) in &run.scripts {
        let mut cwd = workdir.clone();
        for cmd in cmds {
            let r = resolve(cmd);
            if r.program() == "cd" {
                cwd = match r.words.get(1).map(|w| w.text.as_str()) {
                    Some(dir) if !dir.contains('$') => Some(absolute(dir, cwd.as_deref())),
                    _ => Some(UNKNOWN_WORKDIR.to_string() + "/cd"),
                };
                continue;
            }
            match reads(cmd) {
                Reads::Tree => pure = false,
                Reads::Nothing => {
                    if !TREE_FREE_PROGRAMS.contains(&r.program())
                        && !is_tree_free_package_command(cmd)
                    {
                        pure = false;
                    }
                }
                // A path with a variable in it could be anywhere: the
                // install is not matched to a COPY.
                Reads::Manifests(files)
                    if !files.is_empty() && !files.iter().any(|f| f.contains('$')) =>
                {
                    let paths = files.iter().map(|f| absolute(f, cwd.as_deref())).collect();
                    installs.push((cmd, paths));
                }
                Reads::Manifests(_) => {}
            }
        }
    }
    RunReads {
        installs,
        pure: pure && run.scripts.len() == 1 && run.scripts[0].0.is_complete(),
    }
}

/// Whether a RUN installs from manifests the tree's COPY brought in; only
/// the installs at `candidates` (indexes into the RUN's, in order) can be.
fn fed_install(copy: &TreeCopy, run: &RunReads, candidates: &[usize]) -> Option<FedInstall> {
    let prefix = format!("{}/", copy.dest);
    let mut found: Option<FedInstall> = None;
    for &j in candidates {
        let (cmd, absolute_paths) = &run.installs[j];
        let mut paths = Vec::new();
        for at in absolute_paths {
            let Some(rel) = at.strip_prefix(&prefix) else {
                paths.clear();
                break;
            };
            // The path in the context: under the copied directory.
            let context_path = if copy.source.is_empty() {
                rel.to_string()
            } else {
                format!("{}/{rel}", copy.source)
            };
            paths.push(context_path);
        }
        if paths.is_empty() {
            // Read from elsewhere (an earlier COPY): this COPY does not
            // feed it, and nothing here says it needs the tree.
            continue;
        }
        match found.as_mut() {
            None => {
                found = Some(FedInstall {
                    context_paths: paths,
                    command: shown_command(cmd),
                    pure: run.pure,
                })
            }
            Some(f) => {
                for p in paths {
                    if !f.context_paths.contains(&p) {
                        f.context_paths.push(p);
                    }
                }
            }
        }
    }
    found
}

/// A command as a message shows it: its words, cut after a few dozen characters.
fn shown_command(cmd: &Command) -> String {
    let mut out = String::new();
    for w in resolve(cmd).words {
        if out.len() + w.text.len() > 60 {
            out.push_str(" ...");
            break;
        }
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(&w.text);
    }
    out
}

/// Package-manager commands that touch no project file: `pip install
/// --upgrade pip`, cache cleanups (`conda clean`, `npm cache clean`).
fn is_tree_free_package_command(cmd: &Command) -> bool {
    let r = resolve(cmd);
    let program = r.program();
    let words: Vec<&str> = r.words.iter().skip(1).map(|w| w.text.as_str()).collect();
    if let Some(install) = package_install(cmd) {
        // Packages from an index only (`pip install --upgrade pip wheel`).
        return install
            .requirements()
            .iter()
            .all(|w| !is_local_path(&w.text))
            && option_values(install.args, PIP_FILE_OPTIONS).is_empty();
    }
    matches!(
        (basename(program), words.first().copied()),
        ("conda" | "mamba" | "micromamba", Some("clean"))
            | ("npm" | "yarn" | "pnpm", Some("cache"))
            | ("pip" | "pip3", Some("cache"))
    )
}

fn check(cx: &Context) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    for (stage_idx, stage) in cx.model.stages.iter().enumerate() {
        // The tree COPYs waiting for an install, in file order (`None` once
        // reported), and where each lands: an install is matched only to
        // the COPYs into one of its manifests' directories, not to every
        // COPY still waiting (a file of thousands of either grew with the
        // product).
        let mut open: Vec<Option<TreeCopy>> = Vec::new();
        let mut by_dest: HashMap<String, Vec<usize>> = HashMap::default();
        // For each position in the stage, how many instructions before it
        // a COPY cannot be moved over: made when a fix is first asked.
        let mut fixed: Option<Vec<u32>> = None;
        // How many of `open` are still waiting: with none, a RUN's installs
        // need not be read at all (most RUNs of most stages).
        let mut still_open = 0usize;
        for &item in &stage.items {
            // A tree COPY (or ADD), or a RUN that may install from it.
            let read = [Keyword::Copy, Keyword::Add, Keyword::Run];
            let Some(ins) = cx.df.instruction_of(item, &read) else {
                continue;
            };
            if let Some(copy) = tree_copy(cx, stage_idx, item, ins) {
                by_dest
                    .entry(copy.dest.clone())
                    .or_default()
                    .push(open.len());
                open.push(Some(copy));
                still_open += 1;
                continue;
            }
            if ins.keyword != Keyword::Run || still_open == 0 {
                continue;
            }
            let Some(run) = cx.run_at(item) else { continue };
            let reads = run_reads(cx, stage_idx, run);
            // A COPY feeds an install when every manifest lies under its
            // destination, the first among them: each destination that
            // holds a first manifest, with the installs it may feed.
            let mut under: HashMap<&str, Vec<usize>> = HashMap::default();
            for (j, (_, paths)) in reads.installs.iter().enumerate() {
                let Some(first) = paths.first() else {
                    continue;
                };
                for dir in first.match_indices('/').map(|(i, _)| &first[..i]) {
                    if by_dest.get(dir).is_some_and(|waiting| !waiting.is_empty()) {
                        under.entry(dir).or_default().push(j);
                    }
                }
            }
            let mut waiting: Vec<usize> = under
                .keys()
                .filter_map(|dir| by_dest.get(*dir))
                .flatten()
                .copied()
                .collect();
            waiting.sort_unstable();
            // Each tree COPY is reported once, at the first install it feeds.
            for k in waiting {
                let Some(copy) = open[k].as_ref() else {
                    continue;
                };
                let candidates = under.get(copy.dest.as_str()).map_or(&[][..], Vec::as_slice);
                let Some(fed) = fed_install(copy, &reads, candidates) else {
                    continue;
                };
                let mut d = RULE.diagnostic(
                    copy.ins.line.span(0, copy.ins.line.text.len()),
                    format!(
                        "`{}` comes before `{}`: every change to the code reinstalls the dependencies",
                        copy.shown, fed.command
                    ),
                    format!(
                        "Copy only {} first, install, then copy the rest",
                        fed.context_paths
                            .iter()
                            .map(|p| format!("`{}`", p.trim_end_matches('*')))
                            .collect::<Vec<_>>()
                            .join(", ")
                    ),
                );
                // A manifest whose name reads as a directory (`reqst`, no
                // extension) would be copied by a COPY that this rule then
                // takes for another tree: no fix, so fixing settles.
                let copyable = fed
                    .context_paths
                    .iter()
                    .all(|p| !is_directory_source(p.trim_end_matches('*')));
                let fixed = fixed.get_or_insert_with(|| {
                    let mut counts = Vec::with_capacity(stage.items.len() + 1);
                    let mut n = 0u32;
                    counts.push(n);
                    for &i in &stage.items {
                        if cx.df.keyword(i).is_some_and(|k| !MOVABLE_OVER.contains(&k)) {
                            n += 1;
                        }
                        counts.push(n);
                    }
                    counts
                });
                d.fix = fix(cx, stage_idx, copy, item, &fed, fixed).filter(|_| copyable);
                out.push(d);
                if let Some(list) = by_dest.get_mut(&copy.dest) {
                    list.retain(|&j| j != k);
                }
                open[k] = None;
                still_open -= 1;
            }
        }
    }
    out
}

/// Copy the manifests where the tree's COPY would have put them, and move
/// that COPY below the install. Only when nothing between them, nor the
/// install's RUN, reads the tree.
fn fix(
    cx: &Context,
    stage: usize,
    copy: &TreeCopy,
    run_item: usize,
    fed: &FedInstall,
    fixed: &[u32],
) -> Option<Fix> {
    if !fed.pure {
        return None;
    }
    // The stage's items are in file order: those between are a range of
    // positions, found by search, and the instructions the COPY cannot
    // move over in it are a difference of counts (a walk between per
    // finding grew with the stage times its findings).
    let items = &cx.model.stages[stage].items;
    let from = items.partition_point(|&i| i <= copy.item);
    let to = items.partition_point(|&i| i < run_item).max(from);
    if fixed[to] != fixed[from] {
        return None;
    }
    // A COPY with comment lines inside its continuation would move them.
    let copy_span = cx.df.items[copy.item].span;
    let copy_text = cx.df.slice(copy_span);
    if copy_text
        .lines()
        .skip(1)
        .any(|l| l.trim_start().starts_with('#'))
    {
        return None;
    }
    let nl = cx.df.newline;
    let flags: Vec<&str> = copy.ins.flags.iter().map(|f| f.text.as_str()).collect();
    let keyword = if copy
        .ins
        .keyword_text()
        .chars()
        .all(|c| c.is_ascii_lowercase())
    {
        "copy"
    } else {
        "COPY"
    };
    let dest_dir = if copy.dest_written.ends_with('/') {
        copy.dest_written.clone()
    } else {
        format!("{}/", copy.dest_written)
    };
    // Manifests in one directory of the context go in one COPY.
    let mut groups: Vec<(String, Vec<String>)> = Vec::new();
    for p in &fed.context_paths {
        let within = if copy.source.is_empty() {
            p.as_str()
        } else {
            p.strip_prefix(&format!("{}/", copy.source)).unwrap_or(p)
        };
        let sub = within.rsplit_once('/').map_or("", |(d, _)| d).to_string();
        match groups.iter_mut().find(|(d, _)| *d == sub) {
            Some((_, files)) => files.push(p.clone()),
            None => groups.push((sub, vec![p.clone()])),
        }
    }
    let mut inserted = String::new();
    for (sub, files) in &groups {
        let target = if sub.is_empty() {
            dest_dir.clone()
        } else {
            format!("{dest_dir}{sub}/")
        };
        let mut line = vec![keyword.to_string()];
        line.extend(flags.iter().map(|f| f.to_string()));
        line.extend(files.iter().cloned());
        line.push(target);
        inserted.push_str(&line.join(" "));
        inserted.push_str(nl);
    }
    let run_span = cx.df.items[run_item].span;
    let mut moved = String::new();
    if !cx.df.slice(run_span).ends_with('\n') {
        moved.push_str(nl);
    }
    moved.push_str(copy_text);
    if !copy_text.ends_with('\n') {
        moved.push_str(nl);
    }
    let moved =
        if moved.ends_with(nl) && run_span.end == cx.df.text.len() && !cx.df.text.ends_with('\n') {
            moved.trim_end_matches(['\r', '\n']).to_string()
        } else {
            moved
        };
    Some(Fix::unsafe_edits([
        Edit::replace(copy_span, inserted),
        Edit::insert(run_span.end, moved),
    ]))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::syntax::shell::commands;

    fn manifests(script: &str) -> Option<Vec<String>> {
        match reads(&commands(script)[0]) {
            Reads::Manifests(m) => Some(m),
            _ => None,
        }
    }

    /// Several tree COPYs waiting, one RUN with several installs: each
    /// COPY is matched to the installs under its destination only, and
    /// reported once, in file order.
    #[test]
    fn each_waiting_copy_meets_the_installs_under_it() {
        let text = "\
FROM python:3.11-slim
WORKDIR /app
COPY a/ /app/a/
COPY b/ /app/b/
COPY . /srv/
COPY c/ /app/c/
RUN echo between
RUN pip install -r b/req.txt && cd /srv && pip install -r x/req.txt -r x/dev.txt && pip install -r /app/a/req.txt
RUN pip install -r /app/c/req.txt
FROM python:3.11-slim AS two
COPY d/ /opt/d/
ENV X=1
RUN pip install -r /opt/d/req.txt
";
        let df = crate::parse_valid(text).expect("a valid file");
        let cx = Context::new(&df, None, None, crate::semantics::Profile::default());
        let found: Vec<(usize, String, bool)> = check(&cx)
            .iter()
            .map(|d| {
                (
                    df.line_col(d.span.start).0,
                    d.help.to_string(),
                    d.fix.is_some(),
                )
            })
            .collect();
        let copy_only =
            |files: &str| format!("Copy only {files} first, install, then copy the rest");
        assert_eq!(
            found,
            [
                (3, copy_only("`a/req.txt`"), false),
                (4, copy_only("`b/req.txt`"), false),
                (5, copy_only("`x/req.txt`, `x/dev.txt`"), false),
                // The RUN between the COPY and the install stays where it is.
                (6, copy_only("`c/req.txt`"), false),
                (11, copy_only("`d/req.txt`"), true),
            ]
        );
    }

    #[test]
    fn reads_the_manifests_of_each_installer() {
        assert_eq!(
            manifests("pip install -r requirements.txt").unwrap(),
            ["requirements.txt"]
        );
        assert_eq!(
            manifests("python -m pip install --no-cache-dir -r req/base.txt -c constraints.txt")
                .unwrap(),
            ["req/base.txt", "constraints.txt"]
        );
        assert_eq!(
            manifests("npm ci").unwrap(),
            ["package.json", "package-lock.json*"]
        );
        assert_eq!(
            manifests("conda env create -f env.yaml").unwrap(),
            ["env.yaml"]
        );
        assert_eq!(
            manifests("poetry install --no-root").unwrap(),
            ["pyproject.toml", "poetry.lock*"]
        );
        assert_eq!(
            manifests("uv sync --frozen --no-install-project").unwrap(),
            ["pyproject.toml", "uv.lock*"]
        );
        assert_eq!(
            manifests("uv pip sync requirements.lock").unwrap(),
            ["requirements.lock"]
        );
        assert!(manifests("uv sync --frozen").is_none());
        assert!(manifests("pip install -r requirements.txt -e .").is_none());
        assert!(manifests("pip install .").is_none());
        assert!(manifests("poetry install").is_none());
        assert!(manifests("npm install left-pad").is_none());
        assert!(manifests("pip install torch").is_none());
    }
}
