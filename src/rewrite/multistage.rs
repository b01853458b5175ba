//! The multi-stage rewrite: a single final stage that builds and serves is
//! split into a `builder` stage on the original base (apt installs with the
//! build tools, a virtual environment at /opt/venv that the pip installs go
//! into) and a `runtime` stage on a smaller base that gets the virtual
//! environment, the run-time apt packages and the app.
//!
//! The user's instructions are copied through their spans, comments and
//! continuations included; only the lines the rewrite introduces are
//! generated, in the file's line ending and escape character. When the
//! stage does something the rewrite cannot place (a RUN that builds outside
//! the virtual environment, an exec-form RUN, ONBUILD), it declines with the
//! reason rather than guess.

use std::collections::BTreeSet;

use super::packages::{runtime_package, RuntimePackage};
use crate::diagnostic::{self, Edit, Fix};
use crate::semantics::commands::{self, apt_subcommand, package_install, resolve};
use crate::semantics::normalize_path;
use crate::semantics::Context;
use crate::semantics::{images, Script};
use crate::syntax::shell::{self, Command, Word};
use crate::syntax::{Args, Instruction, ItemKind, Keyword, Span};

const VENV: &str = "/opt/venv";

/// Where an instruction goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Dest {
    Builder,
    Runtime,
    Both,
}

/// An instruction with the comment and blank lines directly above it.
struct Unit {
    lead: Vec<usize>,
    item: usize,
}

/// What the rewrite emits for one unit.
struct Placed {
    dest: Dest,
    /// Edits to the unit's text for the builder copy.
    builder_edits: Vec<Edit>,
    /// The runtime copy: the unit with edits, or a generated instruction.
    runtime: RuntimeText,
    pip: Option<PipNeeds>,
    app_copy: bool,
    workdir: bool,
    /// Absolute paths a builder RUN produces that the runtime gets whole
    /// (a `git clone`d source tree), copied in right after it.
    artifacts: Vec<String>,
    /// A virtual environment the RUN creates itself.
    venv: Option<FileVenv>,
    /// A conda prefix the RUN installs: later installs go into it, and the
    /// runtime copies it whole (no virtual environment is made).
    prefix: Option<String>,
}

/// What the classification has seen so far in the stage.
#[derive(Default)]
struct Scan {
    /// Source trees cloned in the builder (builds inside them stay there).
    trees: std::collections::HashSet<String>,
    /// Conda prefixes the builder installs (`Miniconda3.sh -b -p /opt/conda`).
    prefixes: Vec<String>,
    /// `poetry config virtualenvs.create false` has run.
    poetry_in_env: bool,
    /// Whether every OpenCV the file installs is headless: asked of every
    /// apt RUN, and it reads every RUN of the file, so it is worked out
    /// once.
    opencv_headless: Option<bool>,
}

impl Scan {
    /// Whether the runtime's apt RUNs drop OpenCV's GUI libraries.
    fn drop_gui(&mut self, cx: &Context) -> bool {
        *self
            .opencv_headless
            .get_or_insert_with(|| opencv_is_headless(cx))
    }

    /// Whether an absolute path lies in a tree the builder cloned: is one,
    /// or has one among the directories above it. Each RUN asks of each
    /// of its paths, so the trees are a set asked for those directories,
    /// not a list compared with every path (thousands of clones and builds
    /// in them took seconds).
    fn in_tree(&self, path: &str) -> bool {
        self.trees.contains(path)
            || path
                .match_indices('/')
                .any(|(i, _)| self.trees.contains(&path[..i]))
    }
}

/// A virtual environment the file creates (`uv venv /opt/venv`,
/// `python3 -m venv /opt/venv`), which the rewrite uses instead of its own.
#[derive(Debug, Clone)]
struct FileVenv {
    path: String,
    line: usize,
    /// Made by `uv venv`: its interpreter may be one uv downloads.
    by_uv: bool,
    /// `--python`/`-p` was given.
    python_requested: bool,
}

impl Placed {
    /// An instruction copied as it is to `dest`.
    fn to(dest: Dest) -> Placed {
        Placed {
            dest,
            builder_edits: Vec::new(),
            runtime: RuntimeText::Edited(Vec::new()),
            pip: None,
            app_copy: false,
            workdir: false,
            artifacts: Vec::new(),
            venv: None,
            prefix: None,
        }
    }
}

enum RuntimeText {
    Edited(Vec<Edit>),
    Generated(String),
}

/// Files a pip RUN reads from the build context.
#[derive(Default, Clone)]
struct PipNeeds {
    /// `-r`/`-c` files, as written.
    files: Vec<String>,
    /// It installs a local path (`.`, `-e .`, `./pkg`).
    local: bool,
    /// It runs `uv sync` (needs `UV_PROJECT_ENVIRONMENT`).
    uv_project: bool,
}

/// Variables that point pip or uv at another environment than `VIRTUAL_ENV`.
const REDIRECTING_ENV: &[&str] = &[
    "UV_PYTHON",
    "UV_SYSTEM_PYTHON",
    "UV_PROJECT_ENVIRONMENT",
    "PIP_TARGET",
    "PIP_PREFIX",
    "PIP_USER",
    "PYTHONUSERBASE",
];
/// Install options that do the same.
const REDIRECTING_OPTIONS: &[&str] = &["--target", "-t", "--prefix", "--root", "--python", "-p"];

const SETUP_PROGRAMS: &[&str] = &[
    "useradd",
    "groupadd",
    "adduser",
    "addgroup",
    "usermod",
    "mkdir",
    "chown",
    "chmod",
    "find",
    "ln",
    "echo",
    "true",
    "set",
    "cd",
    "export",
    "rm",
    "touch",
    "ldconfig",
    "locale-gen",
    "update-locale",
    "printf",
    ":",
];
/// Programs whose effect both stages can have by running them again: they
/// fetch, unpack, move or configure files with tools a runtime image keeps
/// (none of them is a build-only package).
const PORTABLE_PROGRAMS: &[&str] = &[
    "curl",
    "wget",
    "tar",
    "unzip",
    "gunzip",
    "gzip",
    "xz",
    "cp",
    "mv",
    "sed",
    "tee",
    "cat",
    "update-alternatives",
    "update-ca-certificates",
    "ldconfig",
    "git-lfs",
    "sha256sum",
    "md5sum",
    "test",
    "[",
];

/// Install scripts piped from a download into a shell that put a build tool
/// in place (`curl -LsSf https://astral.sh/uv/install.sh | sh`): the part of
/// the URL that names them. Only the builder needs the tool.
const TOOL_INSTALLERS: &[&str] = &[
    "astral.sh/uv/",
    "sh.rustup.rs",
    "install.python-poetry.org",
    "pdm-project.org/install",
];

/// Conda distributions' installer scripts, by the start of their file
/// name (`Miniconda3-latest-Linux-x86_64.sh`): run with `-b -p PREFIX`
/// they install a self-contained Python at PREFIX.
const CONDA_INSTALLERS: &[&str] = &["miniconda", "anaconda", "miniforge", "mambaforge"];
/// Package managers that install into a conda prefix.
const CONDA_PROGRAMS: &[&str] = &["conda", "mamba", "micromamba"];

/// The prefix a conda installer command installs to (`bash Miniconda3.sh
/// -b -p /opt/conda`, `/miniconda.sh -b -p /miniconda`).
fn conda_install_prefix(c: &Command) -> Option<String> {
    let r = resolve(c);
    let words: Vec<&str> = r.words.iter().map(|w| w.text.as_str()).collect();
    let is_installer = |w: &str| {
        let name = w.rsplit('/').next().unwrap_or(w).to_ascii_lowercase();
        name.ends_with(".sh") && CONDA_INSTALLERS.iter().any(|i| name.starts_with(i))
    };
    let script_at = if is_installer(words.first()?) {
        0
    } else if matches!(r.program(), "bash" | "sh") && words.get(1).is_some_and(|w| is_installer(w))
    {
        1
    } else {
        return None;
    };
    let rest = &words[script_at + 1..];
    let prefix = rest
        .iter()
        .position(|w| *w == "-p")
        .and_then(|k| rest.get(k + 1))?;
    (rest.contains(&"-b") && prefix.starts_with('/') && !prefix.contains('$'))
        .then(|| normalize_path(prefix))
}

/// Where the rewrite has uv keep the interpreters it downloads, so that
/// the runtime can copy them (uv's default is under /root).
const UV_PYTHON_DIR: &str = "/opt/uv-python";

/// Programs that need a build-only package (a compiler, a build system,
/// git): run in the runtime stage they would fail.
const BUILD_PROGRAMS: &[&str] = &[
    "git",
    "make",
    "cmake",
    "gcc",
    "g++",
    "cc",
    "c++",
    "clang",
    "ninja",
    "nvcc",
    "cargo",
    "rustc",
    "go",
    "javac",
    "mvn",
    "gradle",
    "autoreconf",
    "pkg-config",
];

/// Programs that only configure apt; both stages need their effect.
const APT_CONFIG_PROGRAMS: &[&str] = &[
    "apt-key",
    "add-apt-repository",
    "debconf-set-selections",
    "dpkg-reconfigure",
];
/// Programs that, next to apt in one RUN, fetch keys or edit sources.
const APT_SETUP_PROGRAMS: &[&str] = &[
    "apt-key",
    "add-apt-repository",
    "gpg",
    "curl",
    "wget",
    "tee",
    "dpkg",
    "debconf-set-selections",
    "dpkg-reconfigure",
    "ln",
    "sed",
];

fn is_pip_related(cmd: &Command) -> bool {
    if package_install(cmd).is_some() {
        return true;
    }
    let r = resolve(cmd);
    let program = r.program();
    let words: Vec<&str> = r.words.iter().map(|w| w.text.as_str()).collect();
    program.starts_with("pip")
        || program == "uv"
        || program == "virtualenv"
        || (program.starts_with("python")
            && words.get(1) == Some(&"-m")
            && matches!(words.get(2), Some(&("pip" | "venv" | "pip3"))))
}

/// The rewrite, or why it cannot be done. `runtime_of` maps the base image
/// reference to its runtime counterpart; it is applied to the FROM as
/// written too, so that an ARG in the reference stays an ARG.
pub fn plan(
    cx: &Context,
    runtime_base: &str,
    runtime_of: fn(&str) -> Option<String>,
) -> Result<Fix, String> {
    plan_explained(cx, runtime_base, runtime_of).map(|(fix, _)| fix)
}

/// Where one instruction goes, and why: a line of `dflint fix --explain`.
#[derive(Debug, Clone)]
pub struct Placement {
    pub line: usize,
    pub keyword: String,
    /// `builder`, `runtime` or `both`.
    pub stage: &'static str,
    pub reason: String,
}

/// The reason an instruction goes where the plan put it.
fn reason(cx: &Context, unit: &Unit, p: &Placed, in_builder_too: bool, env: &str) -> String {
    let Some(ins) = cx.instruction(unit.item) else {
        return String::new();
    };
    let has_apt = matches!(p.runtime, RuntimeText::Generated(_))
        || (ins.keyword == Keyword::Run && !apt_packages(cx, unit.item).is_empty());
    match ins.keyword {
        Keyword::Run if p.prefix.is_some() => format!(
            "installs {env} in the builder; the runtime copies the prefix, and later installs go into it"
        ),
        Keyword::Run if !p.artifacts.is_empty() => format!(
            "clones {} with git in the builder; the runtime gets the tree",
            p.artifacts.join(", ")
        ),
        Keyword::Run if p.pip.is_some() && has_apt => "installs Python packages into the virtual environment (builder); its apt installs run in the runtime too, without build tools".into(),
        Keyword::Run if p.pip.is_some() => format!("installs Python packages into {env}, which the runtime copies"),
        Keyword::Run if p.dest == Dest::Builder => "only builds (installs into the conda prefix, builds inside a cloned tree, installs a build tool): builder only".into(),
        Keyword::Run if has_apt => "apt installs: the builder keeps them all, the runtime only run-time packages (no compilers, headers or git)".into(),
        Keyword::Run if p.dest == Dest::Runtime => "sets up users or files that only the runtime has".into(),
        Keyword::Run => "fetches, moves or configures files with tools both stages have: runs in both".into(),
        Keyword::Copy | Keyword::Add if ins.flag("from").is_some() => match p.dest {
            Dest::Builder => "brings files a pip install reads: builder only".into(),
            Dest::Both => "brings files the builder's pip install and the runtime both use".into(),
            Dest::Runtime => "brings files from another stage that the app uses".into(),
        },
        Keyword::Copy | Keyword::Add if p.dest == Dest::Builder => "a dependency manifest the builder installs from".into(),
        Keyword::Copy | Keyword::Add if in_builder_too => "the app: the builder needs it whole to install, and the runtime gets it after the dependencies".into(),
        Keyword::Copy | Keyword::Add => "the app: copied into the runtime after the dependencies, so code edits keep them cached".into(),
        Keyword::Env | Keyword::Arg => "both stages see the same values".into(),
        Keyword::Workdir => "both stages work in the same directory".into(),
        Keyword::Shell => "both stages run RUNs with the same shell".into(),
        _ => "how the image runs: runtime only".into(),
    }
}

/// The rewrite and, for each instruction of the stage, where it goes and why.
pub fn plan_explained(
    cx: &Context,
    runtime_base: &str,
    runtime_of: fn(&str) -> Option<String>,
) -> Result<(Fix, Vec<Placement>), String> {
    let df = cx.df;
    let stage_idx = cx.model.final_stage.ok_or("no stage to build")?;
    let stage = &cx.model.stages[stage_idx];
    // A final stage built on other stages (`FROM base AS app`): those stages
    // stay as they are and build the builder; the runtime, on the runtime
    // counterpart of the chain's image, replays what they give at run time.
    let chain = cx.model.chain(stage_idx);
    let root = &cx.model.stages[*chain.last().unwrap_or(&stage_idx)];
    let base = root.base.clone().ok_or("the base image does not resolve")?;
    let end = cx
        .model
        .stages
        .get(stage_idx + 1)
        .map_or(df.items.len(), |s| s.from_item);
    let from_item = stage.from_item;
    let from = cx.instruction(from_item).ok_or("no FROM")?;

    // Units: each instruction with its leading comments and blank lines.
    let mut units = Vec::new();
    let mut lead = Vec::new();
    for idx in from_item + 1..end {
        match &df.items[idx].kind {
            ItemKind::Instruction(_) => units.push(Unit {
                lead: std::mem::take(&mut lead),
                item: idx,
            }),
            _ => lead.push(idx),
        }
    }
    let trailing = lead;
    // A file that ends inside a line continuation would join whatever the
    // rewrite puts after its last instruction.
    if let Some(last) = units.last() {
        let text = df.slice(df.items[last.item].span);
        if text
            .trim_end_matches(['\n', '\r'])
            .trim_end_matches([' ', '\t'])
            .ends_with(df.escape)
        {
            return Err("the stage's last instruction ends with a line continuation".into());
        }
    }

    // The ancestors' instructions, root first, each with the text the
    // runtime gets (none for what only builds).
    let mut inherited: Vec<(usize, Unit, Placed)> = Vec::new();
    for &a in chain[1..].iter().rev() {
        let a_stage = &cx.model.stages[a];
        let a_end = cx
            .model
            .stages
            .get(a + 1)
            .map_or(df.items.len(), |s| s.from_item);
        let mut lead = Vec::new();
        for idx in a_stage.from_item + 1..a_end {
            let ItemKind::Instruction(ins) = &df.items[idx].kind else {
                lead.push(idx);
                continue;
            };
            let unit = Unit {
                lead: std::mem::take(&mut lead),
                item: idx,
            };
            let p = place(cx, idx, ins, &mut None, &mut Scan::default())?;
            let name = a_stage.name.as_deref().unwrap_or("the stage");
            if p.pip.is_some() || !p.artifacts.is_empty() || p.venv.is_some() {
                return Err(format!(
                    "`{name}`, which the final stage is built on, installs Python packages or clones sources on line {}: its output would not reach the runtime",
                    ins.start_line()
                ));
            }
            inherited.push((a, unit, p));
        }
    }

    // What the base is: its distribution, package manager, Python, shell.
    let profile = images::BaseProfile::of(&base);
    if !profile.shell {
        return Err(format!("`{base}` has no shell to run the stage's RUNs in"));
    }
    let framework_base = profile.python.is_some_and(|p| p.frameworks);
    let base_has_python = profile.python.is_some();

    // Classify every instruction.
    let mut placed = Vec::new();
    let mut interpreter: Option<String> = None;
    // Source trees the builder clones (and builds in), and conda prefixes
    // it installs, so far.
    let mut scan = Scan::default();
    for unit in &units {
        let ItemKind::Instruction(ins) = &df.items[unit.item].kind else {
            continue;
        };
        let p = place(cx, unit.item, ins, &mut interpreter, &mut scan)?;
        placed.push(p);
    }
    // A conda prefix the builder installs takes the place of the virtual
    // environment: installs after it go into it, the runtime copies it.
    let conda_at = placed.iter().position(|p| p.prefix.is_some());
    let first_pip = match (placed.iter().position(|p| p.pip.is_some()), conda_at) {
        (Some(pip), Some(conda)) if pip < conda => {
            return Err(format!(
                "a pip install on line {} runs before the conda prefix exists",
                cx.instruction(units[pip].item)
                    .map_or(0, |i| i.start_line())
            ))
        }
        (_, Some(conda)) => conda,
        (Some(pip), None) => pip,
        (None, None) => {
            return Err("no pip or uv install to move into a virtual environment".into())
        }
    };
    let prefix_mode = conda_at.is_some();
    if let Some(prefix) = conda_at.and_then(|i| placed[i].prefix.clone()) {
        for (u, p) in units.iter().zip(&placed) {
            if p.pip.is_none() {
                continue;
            }
            let path = cx.model.scope(stage_idx, u.item).get("PATH").unwrap_or("");
            let text = cx
                .instruction(u.item)
                .map(|i| i.command_text())
                .unwrap_or_default();
            if !path.contains(&prefix) && !text.contains(&prefix) {
                return Err(format!(
                    "the pip install on line {} may not run the conda prefix's Python",
                    cx.instruction(u.item).map_or(0, |i| i.start_line())
                ));
            }
        }
    }
    // A virtual environment the file makes itself is the one the runtime
    // gets; it must exist before anything installs.
    let file_venv = placed.iter().find_map(|p| p.venv.clone());
    if let (Some(v), true) = (&file_venv, prefix_mode) {
        return Err(format!(
            "the virtual environment made on line {} sits beside a conda prefix",
            v.line
        ));
    }
    if let Some(v) = &file_venv {
        if placed[first_pip].venv.is_none() {
            return Err(format!(
                "the virtual environment made on line {} comes after the first install",
                v.line
            ));
        }
    }
    let venv = match (&file_venv, conda_at) {
        (_, Some(i)) => placed[i].prefix.clone().unwrap_or_default(),
        (Some(v), None) => v.path.clone(),
        (None, None) => VENV.to_string(),
    };
    // `uv venv` links the environment to an interpreter it finds or
    // downloads. With no Python in the base or from apt, it downloads one:
    // the builder keeps it in /opt/uv-python, which the runtime copies.
    let python_from_apt = units.iter().any(|u| {
        apt_packages(cx, u.item)
            .iter()
            .any(|(_, w)| w.text.starts_with("python3") || w.text.starts_with("python2"))
    });
    let uv_managed_python = match &file_venv {
        Some(v) if v.by_uv => {
            if !base_has_python && !python_from_apt {
                true
            } else if !v.python_requested {
                // uv takes the Python it finds on the PATH: the base's or
                // apt's, which the runtime has (or gets) at the same path.
                false
            } else {
                return Err(format!(
                    "`uv venv` on line {} may link the environment to the system's Python or to one it downloads; the runtime cannot be shown to have it",
                    v.line
                ));
            }
        }
        _ => false,
    };
    check_command_paths(cx, stage_idx, &units, &venv)?;
    place_copies_from_stages(cx, stage_idx, &units, &mut placed);
    // `python3`, not `python`: the venv links the interpreter by the path it
    // was started with, and that path must exist in the runtime stage.
    let interpreter = interpreter.unwrap_or_else(|| "python3".to_string());

    // An apt-installed Python needs its venv package to create the venv.
    let mut venv_package_edit: Option<(usize, Edit)> = None;
    let mut ancestor_edits: Vec<Edit> = Vec::new();
    if !base_has_python && file_venv.is_none() && !prefix_mode {
        let venv_pkg = format!("{interpreter}-venv");
        let before_pip = || {
            inherited
                .iter()
                .map(|(_, u, _)| u.item)
                .chain(units[..first_pip].iter().map(|u| u.item))
        };
        let has_venv_pkg = before_pip().any(|item| {
            apt_packages(cx, item)
                .iter()
                .any(|(_, w)| w.text.ends_with("-venv"))
        });
        if !has_venv_pkg {
            let last_install = (0..first_pip)
                .rev()
                .find_map(|i| {
                    apt_packages(cx, units[i].item)
                        .last()
                        .cloned()
                        .map(|p| (Some(i), p))
                })
                .or_else(|| {
                    inherited.iter().rev().find_map(|(_, u, _)| {
                        apt_packages(cx, u.item).last().cloned().map(|p| (None, p))
                    })
                })
                .ok_or("no apt install of Python before the first pip install")?;
            let (i, (script_ins, word)) = last_install;
            let at = word_span(cx, script_ins, &word).end;
            let edit = Edit::insert(at, format!(" {venv_pkg}"));
            match i {
                Some(i) => venv_package_edit = Some((i, edit)),
                // In a stage the final one is built on: edited in place.
                None => ancestor_edits.push(edit),
            }
        }
    }

    // Dependency manifests: copy them alone before the install, so that a
    // code change does not invalidate the dependency layer.
    let manifests = plan_manifests(cx, &units, &placed, first_pip);
    place_setup_with_their_files(cx, stage_idx, &units, &mut placed, &manifests);
    place_setup_with_their_users(cx, &units, &mut placed);

    // Stage names nobody uses yet.
    let taken: Vec<&str> = cx
        .model
        .stages
        .iter()
        .enumerate()
        .filter(|(i, _)| *i != stage_idx)
        .filter_map(|(_, s)| s.name.as_deref())
        .collect();
    let fresh = |wanted: &[&str]| -> String {
        wanted
            .iter()
            .map(|w| w.to_string())
            .chain((2..).map(|n| format!("{}-{n}", wanted[0])))
            .find(|n| !taken.contains(&n.as_str()) && stage.name.as_deref() != Some(n.as_str()))
            .unwrap_or_else(|| wanted[0].to_string())
    };
    // The shipped stage keeps the final stage's name, so that `docker build
    // --target <name>` still builds what it built; the builder gets a new one.
    let builder_name = fresh(&["builder"]);
    let runtime_name = stage
        .name
        .as_deref()
        .map_or_else(|| fresh(&["runtime", "final"]), str::to_string);

    // The file's own ENV already points installs (and the app) at its venv.
    let venv_active = file_venv.is_some()
        && cx
            .model
            .scope(stage_idx, units[first_pip].item)
            .get("VIRTUAL_ENV")
            == Some(venv.as_str());
    let nl = df.newline;
    let esc = df.escape;
    let uv_project = placed
        .iter()
        .any(|p| p.pip.as_ref().is_some_and(|n| n.uv_project));

    // The builder stage.
    let mut builder = String::new();
    builder.push_str(&builder_from(cx, from_item, from, &builder_name));
    for (i, (unit, p)) in units.iter().zip(&placed).enumerate() {
        let in_builder = match p.dest {
            Dest::Builder | Dest::Both => true,
            Dest::Runtime => p.app_copy && manifests.app_copy_in_builder(i),
        };
        if i == first_pip && !prefix_mode {
            if file_venv.is_none() {
                builder.push_str(&format!(
                    "RUN {interpreter} -m venv{} {venv}{nl}",
                    if framework_base {
                        " --system-site-packages"
                    } else {
                        ""
                    }
                ));
            }
            if uv_managed_python {
                builder.push_str(&format!(
                    "ENV UV_PYTHON_INSTALL_DIR={UV_PYTHON_DIR} UV_PYTHON_PREFERENCE=only-managed{nl}"
                ));
            }
            if !venv_active || uv_project {
                builder.push_str(&format!(
                    "ENV VIRTUAL_ENV={venv} PATH={venv}/bin:$PATH{}{nl}",
                    if uv_project {
                        format!(" UV_PROJECT_ENVIRONMENT={venv}")
                    } else {
                        String::new()
                    }
                ));
            }
        }
        if let Some(copies) = manifests.before.get(&i) {
            for c in copies {
                builder.push_str(&format!("{c}{nl}"));
            }
        }
        if in_builder {
            let mut edits = p.builder_edits.clone();
            if let Some((vi, e)) = &venv_package_edit {
                if *vi == i {
                    edits.push(e.clone());
                }
            }
            builder.push_str(&unit_text(cx, unit, &edits));
        }
    }

    // The runtime stage.
    let mut runtime = String::new();
    let root_from = cx.instruction(root.from_item).ok_or("no FROM")?;
    let platform = root_from
        .flag("platform")
        .map(|f| format!("--platform={} ", f.value().unwrap_or("")))
        .unwrap_or_default();
    // Keep an ARG in the reference: `FROM nvidia/cuda:${CUDA}-devel-...`
    // becomes `...-runtime-...`; a whole `FROM ${IMAGE}` gets an ARG of its
    // own for the runtime image, so `--build-arg` still reaches both stages.
    let mut arg_edit: Option<Edit> = None;
    let runtime_ref = if !root.base_raw.contains('$') {
        runtime_base.to_string()
    } else if let Some(r) = runtime_of(&root.base_raw).filter(|r| *r != root.base_raw) {
        r
    } else if let Some((name, item)) = whole_arg(cx, &root.base_raw) {
        let arg = format!("{name}_RUNTIME");
        let at = df.items[item].span.end;
        let lead = if df.text[..at].ends_with('\n') {
            ""
        } else {
            nl
        };
        arg_edit = Some(Edit::insert(
            at,
            format!("{lead}ARG {arg}={runtime_base}{nl}"),
        ));
        format!("${{{arg}}}")
    } else {
        runtime_base.to_string()
    };
    runtime.push_str(&format!(
        "FROM {platform}{runtime_ref} AS {runtime_name}{nl}"
    ));
    // What the stages the final one is built on give at run time.
    for (_, unit, p) in &inherited {
        match (&p.dest, &p.runtime) {
            (Dest::Builder, _) => {}
            (_, RuntimeText::Edited(edits)) => runtime.push_str(&unit_text(cx, unit, edits)),
            (_, RuntimeText::Generated(t)) => {
                runtime.push_str(&lead_text(cx, unit));
                runtime.push_str(t);
            }
        }
    }
    let python_kept = placed
        .iter()
        .zip(&units)
        .chain(inherited.iter().map(|(_, u, p)| (p, u)))
        .any(|(p, u)| {
            p.dest != Dest::Builder
                && apt_packages(cx, u.item).iter().any(|(_, w)| {
                    let t = w.text.as_str();
                    t == interpreter || t == "python3" || t == "python3-minimal"
                })
        });
    // Without a Python of its own, the runtime base gets the interpreter the
    // virtual environment points at: added to the last runtime apt install
    // before the first pip install, or installed on its own.
    let mut python_added = python_kept || base_has_python || uv_managed_python || prefix_mode;
    let mut runtime_edits: Vec<Option<Edit>> = vec![None; units.len()];
    if !python_added {
        if let Some((i, at)) = (0..first_pip).rev().find_map(|i| {
            if placed[i].dest == Dest::Builder
                || !matches!(placed[i].runtime, RuntimeText::Edited(_))
            {
                return None;
            }
            install_word_end(cx, units[i].item).map(|at| (i, at))
        }) {
            runtime_edits[i] = Some(Edit::insert(at, format!(" {interpreter}")));
            python_added = true;
        }
    }
    let mut deferred: Vec<String> = Vec::new();
    let mut venv_copied = false;
    for (i, (unit, p)) in units.iter().zip(&placed).enumerate() {
        if i == first_pip {
            if !python_added {
                runtime.push_str(&format!(
                    "RUN apt-get update && apt-get install -y --no-install-recommends {interpreter} {esc}{nl}    && rm -rf /var/lib/apt/lists/*{nl}"
                ));
            }
            if !prefix_mode {
                runtime.push_str(&format!("COPY --from={builder_name} {venv} {venv}{nl}"));
            }
            if uv_managed_python {
                runtime.push_str(&format!(
                    "COPY --from={builder_name} {UV_PYTHON_DIR} {UV_PYTHON_DIR}{nl}"
                ));
            }
            if !venv_active && !prefix_mode {
                runtime.push_str(&format!("ENV VIRTUAL_ENV={venv} PATH={venv}/bin:$PATH{nl}"));
            }
            venv_copied = true;
            runtime.extend(deferred.drain(..));
        }
        let artifact_copies: String = p
            .artifacts
            .iter()
            .map(|a| format!("COPY --from={builder_name} {a} {a}{nl}"))
            .collect();
        if p.dest == Dest::Builder {
            if !artifact_copies.is_empty() {
                runtime.extend(deferred.drain(..));
                runtime.push_str(&artifact_copies);
            }
            continue;
        }
        let text = match &p.runtime {
            RuntimeText::Edited(edits) => {
                let mut edits = edits.clone();
                edits.extend(runtime_edits[i].clone());
                unit_text(cx, unit, &edits)
            }
            RuntimeText::Generated(t) => lead_text(cx, unit) + t,
        };
        if p.app_copy && !venv_copied {
            // The app is copied after the dependencies, so that code edits
            // keep the dependency layers cached.
            deferred.push(text);
            continue;
        }
        if p.workdir
            || matches!(
                cx.instruction(unit.item).map(|i| i.keyword),
                Some(Keyword::Run)
            )
        {
            runtime.extend(deferred.drain(..));
        }
        runtime.push_str(&text);
        runtime.push_str(&artifact_copies);
    }
    runtime.extend(deferred.drain(..));
    for &t in &trailing {
        runtime.push_str(df.slice(df.items[t].span));
    }

    let stage_span = Span::new(df.items[from_item].span.start, df.items[end - 1].span.end);
    let mut text = builder;
    if !text.ends_with('\n') {
        text.push_str(nl);
    }
    text.push_str(nl);
    text.push_str(&runtime);
    if !df.slice(stage_span).ends_with('\n') {
        while text.ends_with('\n') || text.ends_with('\r') {
            text.pop();
        }
    }
    let mut edits = vec![Edit::replace(stage_span, text)];
    edits.extend(arg_edit);
    edits.extend(ancestor_edits);
    let inherited_lines = inherited.iter().filter_map(|(a, u, p)| {
        let ins = cx.instruction(u.item)?;
        let name = cx.model.stages[*a]
            .name
            .as_deref()
            .unwrap_or("an earlier stage");
        let (stage, what) = match p.dest {
            Dest::Builder => ("builder", "only builds"),
            _ => ("both", "the runtime replays it, without build tools"),
        };
        Some(Placement {
            line: ins.start_line(),
            keyword: ins.keyword_text().to_uppercase(),
            stage,
            reason: format!("in `{name}`, which the final stage is built on: {what}"),
        })
    });
    let env_desc = if prefix_mode {
        format!("the conda prefix at {venv}")
    } else {
        format!("the virtual environment at {venv}")
    };
    let explained = inherited_lines
        .chain(
            units
                .iter()
                .zip(&placed)
                .enumerate()
                .filter_map(|(i, (u, p))| {
                    let ins = cx.instruction(u.item)?;
                    let in_builder_too = manifests.app_copy_in_builder(i);
                    let stage = match p.dest {
                        Dest::Builder => "builder",
                        Dest::Runtime if in_builder_too => "both",
                        Dest::Runtime => "runtime",
                        Dest::Both => "both",
                    };
                    Some(Placement {
                        line: ins.start_line(),
                        keyword: ins.keyword_text().to_uppercase(),
                        stage,
                        reason: reason(cx, u, p, in_builder_too, &env_desc),
                    })
                }),
        )
        .collect();
    Ok((Fix::unsafe_edits(edits).structural(), explained))
}

/// For `${NAME}` or `$NAME` as a whole image reference: the name and the
/// item of the global ARG that declares it with a default.
fn whole_arg(cx: &Context, raw: &str) -> Option<(String, usize)> {
    let name = raw
        .strip_prefix("${")
        .and_then(|r| r.strip_suffix('}'))
        .or_else(|| raw.strip_prefix('$'))?;
    if !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
        return None;
    }
    let first_from = cx.model.stages.first()?.from_item;
    (0..first_from).rev().find_map(|i| {
        let ins = cx.instruction(i)?;
        (ins.keyword == Keyword::Arg
            && ins
                .words()
                .iter()
                .any(|w| w.split_once('=').is_some_and(|(k, _)| k == name)))
        .then(|| (name.to_string(), i))
    })
}

/// Whether two absolute paths overlap: one holds the other.
fn related(a: &str, b: &str) -> bool {
    let holds = |d: &str, p: &str| d == "/" || p == d || p.starts_with(&format!("{d}/"));
    holds(a, b) || holds(b, a)
}

/// A word as an absolute path (up to its first glob character), resolved
/// against the working directory; `None` when it does not name a path.
fn path_of(word: &str, workdir: Option<&str>) -> Option<String> {
    let w = word.rsplit('=').next().unwrap_or(word);
    let w = w.split(['*', '?', '[', '$']).next().unwrap_or(w);
    if w.starts_with('/') {
        return Some(normalize_path(w));
    }
    if w.starts_with("./") || (w.contains('/') && !w.contains("://") && !w.starts_with('-')) {
        return workdir.map(|d| normalize_path(&format!("{d}/{w}")));
    }
    None
}

/// Where a COPY or ADD unit puts its files, made absolute.
fn copy_dest(cx: &Context, stage: usize, unit: &Unit) -> Option<String> {
    let ins = cx.instruction(unit.item)?;
    if !matches!(ins.keyword, Keyword::Copy | Keyword::Add) {
        return None;
    }
    let dest = ins.words().last()?;
    if dest.contains('$') {
        return None;
    }
    if dest.starts_with('/') {
        return Some(normalize_path(dest));
    }
    let dir = cx.model.workdir_at(stage, unit.item)?;
    Some(normalize_path(&format!("{dir}/{dest}")))
}

/// The files a COPY or ADD unit puts in place, where each one's path can
/// be told: a single source to a file name, or sources into a directory
/// (`/dest/`) by their names.
fn copied_files(cx: &Context, stage: usize, unit: &Unit) -> Vec<String> {
    let Some(ins) = cx.instruction(unit.item) else {
        return Vec::new();
    };
    let Some(dest) = copy_dest(cx, stage, unit) else {
        return Vec::new();
    };
    let words = ins.words();
    let sources = &words[..words.len().saturating_sub(1)];
    let into_dir = words.last().is_some_and(|d| d.ends_with('/')) || sources.len() > 1;
    if !into_dir {
        return vec![dest];
    }
    sources
        .iter()
        .filter(|s| !s.contains(['*', '?', '[', '$']))
        .filter_map(|s| s.trim_end_matches('/').rsplit('/').next())
        .filter(|name| !name.is_empty() && *name != ".")
        .map(|name| format!("{}/{name}", dest.trim_end_matches('/')))
        .collect()
}

/// The absolute paths a RUN's commands name.
fn run_paths(cx: &Context, stage: usize, unit: &Unit) -> Vec<String> {
    let Some(run) = cx.run_at(unit.item) else {
        return Vec::new();
    };
    let dir = cx.model.workdir_at(stage, unit.item);
    run.commands()
        .flat_map(|(_, c)| c.words.iter().skip(1))
        .filter_map(|w| path_of(&w.text, dir.as_deref()))
        .filter(|p| p != "/")
        .collect()
}

/// The program a CMD or ENTRYPOINT starts, as written.
fn command_program(ins: &Instruction) -> Option<String> {
    match &ins.args {
        Args::Exec(words) => words.first().map(|w| w.to_string()),
        _ => ins
            .command_text()
            .split_whitespace()
            .next()
            .map(str::to_string),
    }
}

/// The runtime gets the virtual environment at /opt/venv: a CMD or
/// ENTRYPOINT that starts a Python interpreter, or a pip-installed script,
/// by an absolute path outside it would not see it.
fn check_command_paths(
    cx: &Context,
    stage: usize,
    units: &[Unit],
    venv: &str,
) -> Result<(), String> {
    // Files the stage copies in itself (an entrypoint script) are no
    // pip-installed program: the runtime gets them as they are.
    let brought: Vec<String> = units
        .iter()
        .flat_map(|u| copied_files(cx, stage, u))
        .collect();
    for u in units {
        let Some(ins) = cx.instruction(u.item) else {
            continue;
        };
        if !matches!(ins.keyword, Keyword::Cmd | Keyword::Entrypoint) {
            continue;
        }
        let Some(program) = command_program(ins) else {
            continue;
        };
        let base = program.rsplit('/').next().unwrap_or(&program);
        let outside_venv = program.starts_with('/') && !program.starts_with(venv);
        let copied_in = brought.contains(&normalize_path(&program));
        if outside_venv
            && !copied_in
            && (base.starts_with("python") || program.starts_with("/usr/local/bin/"))
        {
            return Err(format!(
                "the {} on line {} starts `{program}` by its path, which would not see the virtual environment",
                ins.keyword_text().to_uppercase(),
                ins.start_line()
            ));
        }
    }
    Ok(())
}

/// A `COPY --from=<stage>` that brings files a pip install reads belongs in
/// the builder (and in the runtime too when the runtime also uses them).
fn place_copies_from_stages(cx: &Context, stage: usize, units: &[Unit], placed: &mut [Placed]) {
    for k in 0..units.len() {
        let is_copy_from = cx
            .instruction(units[k].item)
            .is_some_and(|i| i.keyword == Keyword::Copy && i.flag("from").is_some());
        if !is_copy_from {
            continue;
        }
        let Some(dest) = copy_dest(cx, stage, &units[k]) else {
            continue;
        };
        let mut builder_uses = false;
        let mut runtime_uses = false;
        for j in k + 1..units.len() {
            let Some(ins) = cx.instruction(units[j].item) else {
                continue;
            };
            let paths: Vec<String> = match ins.keyword {
                Keyword::Run => run_paths(cx, stage, &units[j]),
                Keyword::Cmd | Keyword::Entrypoint => ins
                    .command_text()
                    .split_whitespace()
                    .filter_map(|w| {
                        path_of(
                            w.trim_matches(|c| c == '"' || c == ',' || c == '[' || c == ']'),
                            None,
                        )
                    })
                    .collect(),
                _ => Vec::new(),
            };
            if !paths.iter().any(|p| related(p, &dest)) {
                continue;
            }
            if placed[j].pip.is_some() {
                builder_uses = true;
            }
            if placed[j].dest != Dest::Builder && placed[j].pip.is_none() {
                runtime_uses = true;
            }
        }
        if builder_uses {
            placed[k].dest = if runtime_uses {
                Dest::Both
            } else {
                Dest::Builder
            };
        }
    }
}

/// A setup RUN (`chmod +x /entrypoint.sh`) placed in both stages whose
/// files come only from COPYs that go to the runtime runs in the runtime
/// alone: in the builder those files do not exist.
fn place_setup_with_their_files(
    cx: &Context,
    stage: usize,
    units: &[Unit],
    placed: &mut [Placed],
    manifests: &Manifests,
) {
    let dests: Vec<Option<String>> = units.iter().map(|u| copy_dest(cx, stage, u)).collect();
    let in_builder = |k: usize, placed: &[Placed]| {
        matches!(placed[k].dest, Dest::Builder | Dest::Both) || manifests.app_copy_in_builder(k)
    };
    for j in 0..units.len() {
        if placed[j].dest != Dest::Both || placed[j].pip.is_some() {
            continue;
        }
        if !cx
            .instruction(units[j].item)
            .is_some_and(|i| i.keyword == Keyword::Run)
        {
            continue;
        }
        let paths = run_paths(cx, stage, &units[j]);
        let providers: Vec<usize> = (0..j)
            .filter(|&k| {
                dests[k]
                    .as_ref()
                    .is_some_and(|d| paths.iter().any(|p| related(p, d)))
            })
            .collect();
        if !providers.is_empty() && providers.iter().all(|&k| !in_builder(k, placed)) {
            placed[j].dest = Dest::Runtime;
        }
    }
}

/// Programs that create a user or group: its name is their last operand.
const USER_CREATORS: &[&str] = &["useradd", "adduser", "groupadd", "addgroup"];
/// Programs that act as, or give files to, a user or group by name.
const USER_CONSUMERS: &[&str] = &[
    "chown", "chgrp", "su", "runuser", "usermod", "gosu", "su-exec", "install",
];

/// A setup RUN placed in both stages that names a user or group which only
/// the runtime creates (`chown -R app /home/app` after a runtime-only
/// `useradd app`) runs in the runtime alone: in the builder it would fail.
fn place_setup_with_their_users(cx: &Context, units: &[Unit], placed: &mut [Placed]) {
    let mut runtime_users: Vec<String> = Vec::new();
    for (u, p) in units.iter().zip(placed.iter()) {
        if p.dest != Dest::Runtime {
            continue;
        }
        let Some(run) = cx.run_at(u.item) else {
            continue;
        };
        for (_, c) in run.commands() {
            let r = resolve(c);
            if USER_CREATORS.contains(&r.program()) {
                if let Some(name) = r
                    .words
                    .iter()
                    .skip(1)
                    .rev()
                    .find(|w| !w.text.starts_with('-'))
                {
                    runtime_users.push(name.text.to_string());
                }
            }
        }
    }
    if runtime_users.is_empty() {
        return;
    }
    let names_runtime_user = |w: &str| {
        w.split([':', '.'])
            .any(|part| runtime_users.iter().any(|u| u == part))
    };
    for (u, p) in units.iter().zip(placed.iter_mut()) {
        if p.dest != Dest::Both || p.pip.is_some() {
            continue;
        }
        let Some(run) = cx.run_at(u.item) else {
            continue;
        };
        let uses = run.commands().any(|(_, c)| {
            let r = resolve(c);
            USER_CONSUMERS.contains(&r.program())
                && r.words.iter().skip(1).any(|w| names_runtime_user(&w.text))
        });
        let has_apt = run.commands().any(|(_, c)| apt_subcommand(c).is_some());
        if uses && !has_apt {
            p.dest = Dest::Runtime;
        }
    }
}

/// Classify one instruction of the stage.
fn place(
    cx: &Context,
    item: usize,
    ins: &Instruction,
    interpreter: &mut Option<String>,
    scan: &mut Scan,
) -> Result<Placed, String> {
    let line = ins.start_line();
    let simple = Placed::to;
    Ok(match ins.keyword {
        Keyword::Env | Keyword::Arg => {
            // Settings that send installs somewhere other than the active
            // virtual environment.
            let names: Vec<String> = match &ins.args {
                Args::KeyValues(kv) => kv.iter().map(|p| p.key.to_string()).collect(),
                _ => ins
                    .words()
                    .iter()
                    .map(|w| w.split('=').next().unwrap_or(w).to_string())
                    .collect(),
            };
            if let Some(name) = names.iter().find(|n| REDIRECTING_ENV.contains(&n.as_str())) {
                return Err(format!(
                    "`{name}` on line {line} installs outside a virtual environment"
                ));
            }
            simple(Dest::Both)
        }
        Keyword::Shell => simple(Dest::Both),
        Keyword::Workdir => Placed {
            workdir: true,
            ..simple(Dest::Both)
        },
        Keyword::Label
        | Keyword::Expose
        | Keyword::Cmd
        | Keyword::Entrypoint
        | Keyword::Healthcheck
        | Keyword::Volume
        | Keyword::Stopsignal
        | Keyword::Maintainer
        | Keyword::User => simple(Dest::Runtime),
        Keyword::Onbuild => return Err(format!("ONBUILD on line {line}")),
        Keyword::From | Keyword::Unknown => {
            return Err(format!("unexpected instruction on line {line}"))
        }
        Keyword::Copy | Keyword::Add => {
            let words = ins.words();
            let sources = &words[..words.len().saturating_sub(1)];
            let manifest_only = ins.flag("from").is_none()
                && !sources.is_empty()
                && sources.iter().all(|s| is_manifest(s));
            if manifest_only {
                simple(Dest::Builder)
            } else {
                Placed {
                    app_copy: ins.flag("from").is_none(),
                    ..simple(Dest::Runtime)
                }
            }
        }
        Keyword::Run => place_run(cx, item, ins, interpreter, scan)?,
    })
}

fn is_manifest(path: &str) -> bool {
    let name = path
        .trim_end_matches('/')
        .rsplit('/')
        .next()
        .unwrap_or(path);
    (name.contains("requirements") && name.ends_with(".txt"))
        || (name.starts_with("constraints") && name.ends_with(".txt"))
        || matches!(
            name,
            "pyproject.toml" | "setup.cfg" | "poetry.lock" | "uv.lock" | "Pipfile" | "Pipfile.lock"
        )
}

fn place_run(
    cx: &Context,
    item: usize,
    ins: &Instruction,
    interpreter: &mut Option<String>,
    scan: &mut Scan,
) -> Result<Placed, String> {
    let line = ins.start_line();
    // `RUN ["/bin/bash", "-c", "..."]` runs a script like a shell-form RUN;
    // its words cannot be edited in place, which is checked below.
    let exec_script = Script::exec_shell(ins);
    if !matches!(ins.args, Args::Shell { .. }) && exec_script.is_none() {
        return Err(format!(
            "the RUN on line {line} is in exec form and does not run a shell script"
        ));
    }
    let detached = exec_script.is_some();
    let scripts: Vec<(Script, Vec<Command>)> = exec_script
        .map_or_else(|| Script::of(&cx.df.text, ins), |s| vec![s])
        .into_iter()
        .map(|s| {
            let c = shell::commands(&s.text);
            (s, c)
        })
        .collect();
    if ins.heredocs.len() + 1 != scripts.len() && !ins.heredocs.is_empty() {
        return Err(format!(
            "the RUN on line {line} feeds a heredoc to a program"
        ));
    }
    let all: Vec<(&Script, &Command)> = scripts
        .iter()
        .flat_map(|(s, cs)| cs.iter().map(move |c| (s, c)))
        .collect();
    // `curl .../get-pip.py | python3` bootstraps pip: in the builder it
    // lands in the virtual environment, and the runtime needs none.
    let bootstraps_pip = ins.command_text().contains("get-pip");
    // Poetry installs into the active virtual environment when it is told
    // not to make its own (`POETRY_VIRTUALENVS_CREATE=false`, or `poetry
    // config virtualenvs.create false`); only the builder needs it.
    let runs_poetry = all.iter().any(|(_, c)| resolve(c).program() == "poetry");
    let has_pip = bootstraps_pip || runs_poetry || all.iter().any(|(_, c)| is_pip_related(c));
    let has_apt = all.iter().any(|(_, c)| apt_subcommand(c).is_some());
    if detached && has_apt {
        return Err(format!(
            "the exec-form RUN on line {line} installs apt packages, which the runtime copy would need edited"
        ));
    }
    let mut artifacts = Vec::new();
    let mut portable = false;
    let mut venv = None;
    let mut prefix = None;
    let mut writes_prefix = false;
    // A build tool's installer: the RUN belongs to the builder.
    let mut installs_tool = false;
    // The shell that runs a downloaded installer, next in the pipeline.
    let mut installer_shell_next = false;
    // The directory commands run in: the WORKDIR, then each `cd`.
    let start_dir = cwd_at_start(cx, item);
    let mut cwd = start_dir.clone();
    for (_, c) in &all {
        let r = resolve(c);
        let program = r.program().to_string();
        if std::mem::take(&mut installer_shell_next)
            && (matches!(program.as_str(), "sh" | "bash" | "dash") || program.starts_with("python"))
        {
            continue;
        }
        if program == "cd" {
            // `cd dir` (a bare name) is relative to where the RUN is.
            cwd = r.words.get(1).and_then(|w| {
                let t = w.text.as_str();
                if t.contains('$') || t.starts_with('~') || t == "-" {
                    None
                } else if t.starts_with('/') {
                    Some(normalize_path(t))
                } else {
                    cwd.as_deref().map(|d| normalize_path(&format!("{d}/{t}")))
                }
            });
            continue;
        }
        if let Some(v) = creates_venv(c, cwd.as_deref(), line) {
            venv = Some(v);
            continue;
        }
        if program == "poetry" {
            let words: Vec<&str> = r.words.iter().map(|w| w.text.as_str()).collect();
            let sub = words.iter().skip(1).find(|w| !w.starts_with('-')).copied();
            if sub == Some("config") {
                if words.contains(&"virtualenvs.create") {
                    scan.poetry_in_env = words.last().is_some_and(|w| matches!(*w, "false" | "0"));
                }
                continue;
            }
            if matches!(sub, Some("install" | "sync" | "add")) {
                let told = cx
                    .model
                    .stage_of(item)
                    .and_then(|st| {
                        cx.model
                            .scope(st, item)
                            .get("POETRY_VIRTUALENVS_CREATE")
                            .map(|v| matches!(v, "false" | "0"))
                    })
                    .unwrap_or(false)
                    || r.env_value("POETRY_VIRTUALENVS_CREATE")
                        .is_some_and(|v| matches!(v, "false" | "0"));
                if !(told || scan.poetry_in_env) {
                    return Err(format!(
                        "`poetry {}` on line {line} makes a virtual environment of its own (set `POETRY_VIRTUALENVS_CREATE=false`)",
                        sub.unwrap_or_default()
                    ));
                }
                continue;
            }
        }
        if let Some(p) = conda_install_prefix(c) {
            scan.prefixes.push(p.clone());
            prefix = Some(p);
            continue;
        }
        // Conda installs, and `python setup.py install|develop` of a cloned
        // tree, write into a conda prefix the builder has.
        let into_a_prefix = !scan.prefixes.is_empty()
            && (CONDA_PROGRAMS.contains(&program.as_str())
                || (program.starts_with("python")
                    && r.words.get(1).is_some_and(|w| w.text == "setup.py")
                    && cwd.as_deref().is_some_and(|d| scan.in_tree(d))));
        if into_a_prefix {
            writes_prefix = true;
            continue;
        }
        // A command of only `VAR=value` assignments sets nothing that lasts.
        let ok = program.is_empty()
            || is_pip_related(c)
            || apt_subcommand(c).is_some()
            || SETUP_PROGRAMS.contains(&program.as_str())
            || APT_CONFIG_PROGRAMS.contains(&program.as_str())
            || (has_apt && APT_SETUP_PROGRAMS.contains(&program.as_str()));
        if ok {
            continue;
        }
        if matches!(program.as_str(), "curl" | "wget")
            && c.terminator() == "|"
            && r.words
                .iter()
                .any(|w| TOOL_INSTALLERS.iter().any(|u| w.text.contains(u)))
        {
            installs_tool = true;
            installer_shell_next = true;
            continue;
        }
        if let Some(dir) = git_clone_target(c, cwd.as_deref()) {
            scan.trees.insert(dir.clone());
            artifacts.push(dir);
            continue;
        }
        // Working on a tree cloned in the builder: git commands, and builds
        // whose output stays inside the tree (which the runtime gets whole).
        let git_sub = r.words.get(1).map(|w| w.text.clone()).unwrap_or_default();
        let works_in_tree = cwd.as_deref().is_some_and(|d| scan.in_tree(d)) || {
            let paths: Vec<String> = r
                .words
                .iter()
                .skip(1)
                .map(|w| path_arg(&w.text))
                .filter(|t| t.starts_with('/'))
                .map(normalize_path)
                .collect();
            !paths.is_empty() && paths.iter().all(|p| scan.in_tree(p))
        };
        if program == "git"
            && (!artifacts.is_empty() || works_in_tree)
            && matches!(
                git_sub.as_str(),
                "checkout" | "submodule" | "fetch" | "reset" | "pull" | "apply" | "config" | "lfs"
            )
        {
            continue;
        }
        if BUILD_PROGRAMS.contains(&program.as_str()) && works_in_tree {
            // `make install`, `cmake --install` and `--target install` write
            // outside the tree, where the runtime would not get them.
            if r.words
                .iter()
                .any(|w| w.text == "install" || w.text == "--install")
            {
                return Err(format!(
                    "the RUN on line {line} installs a build's output outside the tree it was built in"
                ));
            }
            continue;
        }
        if bootstraps_pip && program.starts_with("python") {
            continue;
        }
        if PORTABLE_PROGRAMS.contains(&program.as_str()) {
            // Beside a pip install, a download feeds it, in the builder.
            portable |= !has_pip;
            continue;
        }
        let why = if BUILD_PROGRAMS.contains(&program.as_str()) {
            "which needs build tools the runtime stage does not have, and whose output the rewrite cannot name"
        } else {
            "whose output the rewrite cannot place"
        };
        return Err(format!("the RUN on line {line} runs `{program}`, {why}"));
    }
    if installs_tool && has_apt {
        return Err(format!(
            "the RUN on line {line} installs a build tool beside apt packages"
        ));
    }
    if let Some(p) = &prefix {
        // The download feeds the installer, in the builder; the runtime
        // gets the prefix.
        if has_apt || has_pip {
            return Err(format!(
                "the RUN on line {line} installs conda beside other installs"
            ));
        }
        artifacts.push(p.clone());
        return Ok(Placed {
            artifacts,
            prefix,
            ..Placed::to(Dest::Builder)
        });
    }
    if writes_prefix && !has_apt && !has_pip {
        return Ok(Placed {
            artifacts,
            ..Placed::to(Dest::Builder)
        });
    }
    if !artifacts.is_empty() && portable {
        return Err(format!(
            "the RUN on line {line} mixes `git clone` with commands the runtime stage would run again"
        ));
    }
    if has_pip {
        let mut needs = PipNeeds::default();
        let mut edits = Vec::new();
        // `python3 get-pip.py --user` inside the venv fails ("user
        // site-packages are not visible in this virtualenv"): the venv is
        // where pip goes.
        for (script, c) in &all {
            let r = resolve(c);
            if r.program().starts_with("python")
                && r.words.iter().any(|w| w.text.contains("get-pip"))
            {
                for w in r.words.iter().filter(|w| w.text == "--user") {
                    edits.push(remove_word(cx, ins, script, w));
                }
            }
        }
        for (script, c) in &all {
            let Some(install) = package_install(c) else {
                continue;
            };
            if interpreter.is_none() {
                let program = install.resolved.program();
                if let Some(v) = program.strip_prefix("pip").filter(|v| v.starts_with("3.")) {
                    *interpreter = Some(format!("python{v}"));
                } else if program.starts_with("python3.") {
                    *interpreter = Some(program.to_string());
                }
            }
            let words: Vec<&str> = install
                .resolved
                .words
                .iter()
                .map(|w| w.text.as_str())
                .collect();
            if words.contains(&"sync") && install.installer == commands::Installer::Uv {
                needs.uv_project = true;
            }
            if let Some(w) = install.args.iter().chain(install.global_options).find(|w| {
                REDIRECTING_OPTIONS
                    .iter()
                    .any(|o| w.text == *o || w.text.starts_with(&format!("{o}=")))
            }) {
                return Err(format!(
                    "`{}` on line {line} installs outside a virtual environment",
                    w.text
                ));
            }
            for (k, w) in install.args.iter().enumerate() {
                if matches!(w.text.as_str(), "--user" | "--system") {
                    edits.push(remove_word(cx, ins, script, w));
                }
                if matches!(
                    w.text.as_str(),
                    "-r" | "--requirement" | "-c" | "--constraint"
                ) {
                    if let Some(f) = install.args.get(k + 1) {
                        needs.files.push(f.text.to_string());
                    }
                } else if let Some(f) = ["--requirement=", "--constraint="]
                    .iter()
                    .find_map(|p| w.text.strip_prefix(p))
                {
                    needs.files.push(f.to_string());
                }
            }
            needs.local |= install.requirements().iter().any(|w| {
                let t = w.text.as_str();
                (t.starts_with('.') || t.starts_with('/') || t.contains('/'))
                    && !t.contains("://")
                    && !t.starts_with("git+")
            }) || install
                .args
                .iter()
                .any(|w| w.text == "-e" || w.text == "--editable")
                || (install.installer == commands::Installer::Uv && needs.uv_project);
        }
        // `poetry install` installs the project itself too: the builder
        // gets the app whole.
        needs.local |= runs_poetry;
        if detached && !edits.is_empty() {
            return Err(format!(
                "the exec-form RUN on line {line} installs with `--user`, which the rewrite would need to edit"
            ));
        }
        let runtime = if has_apt {
            RuntimeText::Generated(apt_only_run(cx, ins, &all, scan.drop_gui(cx)))
        } else {
            RuntimeText::Edited(Vec::new())
        };
        return Ok(Placed {
            builder_edits: edits,
            runtime,
            pip: Some(needs),
            artifacts,
            venv,
            ..Placed::to(if has_apt { Dest::Both } else { Dest::Builder })
        });
    }
    if !artifacts.is_empty() {
        // A clone (and setup around it) runs in the builder, which has git;
        // the runtime gets the tree.
        if has_apt {
            return Ok(Placed {
                runtime: RuntimeText::Generated(apt_only_run(cx, ins, &all, scan.drop_gui(cx))),
                artifacts,
                ..Placed::to(Dest::Both)
            });
        }
        return Ok(Placed {
            artifacts,
            ..Placed::to(Dest::Builder)
        });
    }
    if installs_tool {
        return Ok(Placed::to(Dest::Builder));
    }
    // Builds and set-up inside trees the builder cloned stay there: every
    // path the RUN names lies in such a tree.
    if !has_apt && !scan.trees.is_empty() {
        let dir = start_dir;
        let paths: Vec<String> = all
            .iter()
            .flat_map(|(_, c)| c.words.iter().skip(1))
            .filter_map(|w| path_of(path_arg(&w.text), dir.as_deref()))
            .filter(|p| p != "/")
            .collect();
        let cds_into_tree = cwd.as_deref().is_some_and(|d| scan.in_tree(d));
        if (!paths.is_empty() && paths.iter().all(|p| scan.in_tree(p))) || cds_into_tree {
            return Ok(Placed::to(Dest::Builder));
        }
    }
    if has_apt && !installs_at_run_time(cx, item, &all) {
        // Only build tools: the runtime needs none of it.
        return Ok(Placed::to(Dest::Builder));
    }
    if has_apt {
        return Ok(Placed {
            runtime: RuntimeText::Edited(runtime_package_edits(cx, ins, &all, scan.drop_gui(cx))),
            ..Placed::to(Dest::Both)
        });
    }
    if portable {
        return Ok(Placed::to(Dest::Both));
    }
    // Creating the app's user matters only where the app runs.
    let users_only = all.iter().all(|(_, c)| {
        matches!(
            resolve(c).program(),
            "useradd"
                | "groupadd"
                | "adduser"
                | "addgroup"
                | "usermod"
                | "chown"
                | "mkdir"
                | "find"
        )
    }) && all
        .iter()
        .any(|(_, c)| matches!(resolve(c).program(), "useradd" | "adduser"));
    Ok(Placed::to(if users_only {
        Dest::Runtime
    } else {
        Dest::Both
    }))
}

/// A word as the path it names: `cmake -H/src -B/src/build` glues the
/// path to its option.
fn path_arg(word: &str) -> &str {
    word.strip_prefix("-H")
        .or_else(|| word.strip_prefix("-B"))
        .unwrap_or(word)
}

/// The working directory a RUN starts in.
fn cwd_at_start(cx: &Context, item: usize) -> Option<String> {
    cx.model
        .stage_of(item)
        .and_then(|s| cx.model.workdir_at(s, item))
}

/// A virtual environment a command creates: `uv venv [PATH]`,
/// `python3 -m venv PATH`, `virtualenv PATH`, made absolute.
fn creates_venv(c: &Command, cwd: Option<&str>, line: usize) -> Option<FileVenv> {
    let r = resolve(c);
    let words: Vec<&str> = r.words.iter().map(|w| w.text.as_str()).collect();
    let program = r.program();
    let (rest, by_uv) = if program == "uv" && words.get(1) == Some(&"venv") {
        (&words[2..], true)
    } else if program.starts_with("python") && words.get(1..3) == Some(&["-m", "venv"][..]) {
        (&words[3..], false)
    } else if program == "virtualenv" {
        (&words[1..], false)
    } else {
        return None;
    };
    // Options of these commands that take the next word as their value.
    const WITH_VALUE: &[&str] = &[
        "--python",
        "-p",
        "--prompt",
        "--index-url",
        "--seed-from",
        "--cache-dir",
    ];
    let mut positional = None;
    let mut python_requested = false;
    let mut k = 0;
    while k < rest.len() {
        let w = rest[k];
        python_requested |= w == "--python" || w == "-p" || w.starts_with("--python=");
        if WITH_VALUE.contains(&w) {
            k += 2;
            continue;
        }
        if !w.starts_with('-') && positional.is_none() {
            positional = Some(w);
        }
        k += 1;
    }
    // `uv venv` with no path makes `.venv` in the working directory.
    let raw = positional.or(by_uv.then_some(".venv"))?;
    if raw.contains('$') {
        return None;
    }
    let path = if raw.starts_with('/') {
        normalize_path(raw)
    } else {
        normalize_path(&format!("{}/{raw}", cwd?))
    };
    Some(FileVenv {
        path,
        line,
        by_uv,
        python_requested,
    })
}

/// The package words of a RUN's `apt-get install` commands, with the
/// instruction they belong to (for spans).
fn apt_packages<'a>(cx: &'a Context, item: usize) -> Vec<(&'a Instruction, Word)> {
    let Some(ins) = cx.instruction(item) else {
        return Vec::new();
    };
    if ins.keyword != Keyword::Run {
        return Vec::new();
    }
    let mut out = Vec::new();
    for script in Script::of(&cx.df.text, ins) {
        for c in shell::commands(&script.text) {
            if apt_subcommand(&c) != Some("install") {
                continue;
            }
            let r = resolve(&c);
            let after_install = r
                .words
                .iter()
                .position(|w| w.text == "install")
                .map_or(r.words.len(), |i| i + 1);
            for w in &r.words[after_install..] {
                if w.text.starts_with('-') || w.text.contains('$') {
                    continue;
                }
                let span = script.word_span(ins, w);
                out.push((ins, Word::new(w.text.clone(), span.start, span.end)));
            }
        }
    }
    out
}

/// The end of the `install` word of a RUN's last `apt-get install`.
fn install_word_end(cx: &Context, item: usize) -> Option<usize> {
    let ins = cx.instruction(item)?;
    let mut found = None;
    for script in Script::of(&cx.df.text, ins) {
        for c in shell::commands(&script.text) {
            if apt_subcommand(&c) != Some("install") {
                continue;
            }
            // After `install` and the options that follow it.
            let words = resolve(&c).words;
            let mut k = words.iter().position(|w| w.text == "install")?;
            while k + 1 < words.len() && words[k + 1].text.starts_with('-') {
                k += if words[k + 1].text == "-o" { 2 } else { 1 };
            }
            let w = &words[k.min(words.len() - 1)];
            found = Some(script.word_span(ins, w).end);
        }
    }
    found
}

/// File span of a word from [`apt_packages`] (already absolute).
fn word_span(_cx: &Context, _ins: &Instruction, word: &Word) -> Span {
    Span::new(word.start(), word.end())
}

/// Remove a word and the blanks before it (or after it, when it starts a line).
fn remove_word(cx: &Context, ins: &Instruction, script: &Script, w: &Word) -> Edit {
    let span = script.word_span(ins, w);
    remove_span(cx, span)
}

fn remove_span(cx: &Context, span: Span) -> Edit {
    let text = &cx.df.text;
    let bytes = text.as_bytes();
    let mut start = span.start;
    while start > 0 && matches!(bytes[start - 1], b' ' | b'\t') {
        start -= 1;
    }
    if start > 0 && bytes[start - 1] != b'\n' {
        return Edit::delete(Span::new(start, span.end));
    }
    let mut end = span.end;
    while end < bytes.len() && matches!(bytes[end], b' ' | b'\t') {
        end += 1;
    }
    Edit::delete(Span::new(span.start, end))
}

/// Libraries that only the GUI builds of OpenCV load (Qt's X11 and GL).
const OPENCV_GUI_LIBRARIES: &[&str] = &[
    "libgl1",
    "libgl1-mesa-glx",
    "libglib2.0-0",
    "libsm6",
    "libxext6",
    "libxrender1",
];

/// Whether the image installs a headless OpenCV and no GUI one: then the
/// GUI libraries its apt installs carry are dead weight at run time.
fn opencv_is_headless(cx: &Context) -> bool {
    let mut headless = false;
    for run in cx.runs() {
        for (_, c) in run.commands() {
            let Some(install) = package_install(c) else {
                continue;
            };
            for w in install.requirements() {
                let name = commands::requirement_name(&w.text);
                if commands::OPENCV_GUI_PACKAGES
                    .iter()
                    .any(|(g, _)| *g == name)
                {
                    return false;
                }
                headless |= commands::OPENCV_GUI_PACKAGES
                    .iter()
                    .any(|(_, h)| *h == name);
            }
        }
    }
    headless
}

/// Whether an apt RUN installs anything the runtime keeps, or does more
/// than apt and the removal of its lists.
fn installs_at_run_time(cx: &Context, item: usize, all: &[(&Script, &Command)]) -> bool {
    let release = runtime_os(cx);
    let os = release.as_ref().map(|(f, v)| (*f, v.as_str()));
    let only_apt = all.iter().all(|(_, c)| {
        apt_subcommand(c).is_some()
            || (resolve(c).program() == "rm"
                && c.words.iter().skip(1).all(|w| {
                    w.text.starts_with('-')
                        || w.text.starts_with("/var/lib/apt/lists")
                        || w.text.starts_with("/var/cache/apt")
                }))
    });
    !only_apt
        || apt_packages(cx, item)
            .iter()
            .any(|(_, w)| runtime_package(&w.text, os) != RuntimePackage::Drop)
}

/// The distribution release of the image that ships, for package names.
fn runtime_os(cx: &Context) -> Option<(&'static str, String)> {
    cx.model
        .final_stage
        .and_then(|f| cx.model.root_base(f))
        .and_then(images::os_release)
}

/// Edits that turn an apt RUN's copy into the runtime one: build-only
/// packages removed, header packages replaced by their libraries, GUI
/// libraries dropped when `drop_gui` (every OpenCV of the file is
/// headless), and recommended packages left out.
fn runtime_package_edits(
    cx: &Context,
    ins: &Instruction,
    all: &[(&Script, &Command)],
    drop_gui: bool,
) -> Vec<Edit> {
    // Library names differ between releases: ask for the runtime's.
    let release = runtime_os(cx);
    let os = release.as_ref().map(|(f, v)| (*f, v.as_str()));
    let mut edits = Vec::new();
    // Downloaded packages are dead weight in the runtime layer (images
    // without Debian's docker-clean hook keep them): clean after the last
    // install unless the RUN already does.
    let cleans = all.iter().any(|(_, c)| {
        matches!(apt_subcommand(c), Some("clean" | "autoclean"))
            || c.words.iter().any(|w| w.text.starts_with("/var/cache/apt"))
    });
    let last_install = all
        .iter()
        .rposition(|(_, c)| apt_subcommand(c) == Some("install"));
    if let (false, Some(i)) = (cleans, last_install) {
        let (script, c) = all[i];
        let end = script.span(ins, c.start(), c.end()).end;
        let program = resolve(c).program().to_string();
        let program = if program == "apt" {
            "apt-get"
        } else {
            program.as_str()
        };
        edits.push(Edit::insert(end, format!(" && {program} clean")));
    }
    for (script, c) in all {
        if apt_subcommand(c) != Some("install") {
            continue;
        }
        let r = resolve(c);
        let Some(install_at) = r.words.iter().position(|w| w.text == "install") else {
            continue;
        };
        let after = install_at + 1;
        let recommends_set = r.words[after..].iter().any(|w| {
            w.text.contains("install-recommends") || w.text.contains("Install-Recommends")
        });
        if !recommends_set {
            let word = &r.words[install_at];
            let end = script.word_span(ins, word).end;
            edits.push(Edit::insert(end, " --no-install-recommends"));
        }
        for w in &r.words[after..] {
            if w.text.starts_with('-') || w.text.contains('$') {
                continue;
            }
            let name = w.text.split(['=', ':']).next().unwrap_or(&w.text);
            let span = script.word_span(ins, w);
            if drop_gui && OPENCV_GUI_LIBRARIES.contains(&name) {
                edits.push(remove_span(cx, span));
                continue;
            }
            match runtime_package(&w.text, os) {
                RuntimePackage::Keep => {}
                RuntimePackage::Library(lib) => edits.push(Edit::replace(span, lib)),
                RuntimePackage::Drop => edits.push(remove_span(cx, span)),
            }
        }
    }
    edits
}

/// A runtime RUN with only the apt commands of a RUN that also installs
/// Python packages.
fn apt_only_run(
    cx: &Context,
    ins: &Instruction,
    all: &[(&Script, &Command)],
    drop_gui: bool,
) -> String {
    let edits = runtime_package_edits(cx, ins, all, drop_gui);
    let mut parts = Vec::new();
    for (script, c) in all {
        let program = resolve(c).program().to_string();
        if apt_subcommand(c).is_none() && !APT_SETUP_PROGRAMS.contains(&program.as_str()) {
            continue;
        }
        let span = script.span(ins, c.start(), c.end());
        parts.push(tidy_lines(
            &slice_with_edits(cx, span, &edits),
            cx.df.escape,
        ));
    }
    let nl = cx.df.newline;
    let esc = cx.df.escape;
    let flags: String = ins
        .flags
        .iter()
        .map(|f| format!("{} ", cx.df.slice(f.span)))
        .collect();
    format!(
        "RUN {flags}{}{nl}",
        parts.join(&format!(" {esc}{nl}    && "))
    )
}

/// The text of `span` with the edits that fall inside it applied.
/// Overlapping deletions (two adjacent words with the blank between them)
/// are merged into one.
fn slice_with_edits(cx: &Context, span: Span, edits: &[Edit]) -> String {
    let mut local: Vec<Edit> = edits
        .iter()
        .filter(|e| e.span.start >= span.start && e.span.end <= span.end)
        .map(|e| {
            Edit::replace(
                Span::new(e.span.start - span.start, e.span.end - span.start),
                e.replacement.clone(),
            )
        })
        .collect();
    local.sort_by_key(|e| (e.span.start, e.span.end));
    let mut merged: Vec<Edit> = Vec::new();
    for e in local {
        match merged.last_mut() {
            Some(last)
                if last.replacement.is_empty()
                    && e.replacement.is_empty()
                    && e.span.start <= last.span.end =>
            {
                last.span.end = last.span.end.max(e.span.end);
            }
            _ => merged.push(e),
        }
    }
    // A deletion that starts a line's content takes the blanks after it too.
    let text = cx.df.slice(span);
    for e in merged.iter_mut().filter(|e| e.replacement.is_empty()) {
        let line_start = text[..e.span.start].rfind('\n').map_or(0, |i| i + 1);
        if text[line_start..e.span.start].trim().is_empty() {
            let rest = &text[e.span.end..];
            e.span.end += rest.len() - rest.trim_start_matches([' ', '\t']).len();
        }
    }
    diagnostic::apply(text, &merged)
}

/// Drop continuation lines that an edit left empty, and a continuation
/// character left dangling at the end.
fn tidy_lines(text: &str, escape: char) -> String {
    let mut lines: Vec<&str> = Vec::new();
    for (i, l) in text.split_inclusive('\n').enumerate() {
        let t = l.trim();
        if i > 0 && (t.is_empty() || t == escape.to_string()) {
            continue;
        }
        lines.push(l);
    }
    let mut out: String = lines.concat();
    // The last line must not continue into whatever follows.
    let body_end = out.trim_end_matches(['\r', '\n']).len();
    let (body, ending) = out.split_at(body_end);
    let trimmed = body.trim_end_matches([' ', '\t']);
    if let Some(without) = trimmed.strip_suffix(escape) {
        if !without.ends_with(escape) {
            out = format!("{}{}", without.trim_end(), ending);
        }
    }
    out
}

fn lead_text(cx: &Context, unit: &Unit) -> String {
    unit.lead
        .iter()
        .map(|&i| cx.df.slice(cx.df.items[i].span))
        .collect()
}

/// A unit's text (leading comments included) with edits applied.
fn unit_text(cx: &Context, unit: &Unit, edits: &[Edit]) -> String {
    let span = cx.df.items[unit.item].span;
    let mut text = lead_text(cx, unit);
    let body = tidy_lines(&slice_with_edits(cx, span, edits), cx.df.escape);
    text.push_str(&body);
    if !text.ends_with('\n') {
        text.push_str(cx.df.newline);
    }
    text
}

/// The original FROM, named `name` unless it has a name already.
fn builder_from(cx: &Context, item: usize, from: &Instruction, name: &str) -> String {
    let span = cx.df.items[item].span;
    let mut edits = Vec::new();
    let text = from.line.text.trim_end();
    if from.words().len() == 1 {
        let end = from.line.span(0, text.len()).end;
        edits.push(Edit::insert(end, format!(" AS {name}")));
    } else if let Some(at) = text.rfind([' ', '\t']) {
        // `FROM image AS app`: the name moves to the runtime stage.
        edits.push(Edit::replace(
            from.line.span(at + 1, text.len()),
            name.to_string(),
        ));
    }
    let mut text = slice_with_edits(cx, span, &edits);
    if !text.ends_with('\n') {
        text.push_str(cx.df.newline);
    }
    text
}

/// Manifest COPYs to generate, and app COPYs the builder needs whole.
struct Manifests {
    /// Unit index -> COPY lines to put before it in the builder.
    before: std::collections::HashMap<usize, Vec<String>>,
    /// Unit indexes of app COPYs that also go to the builder, in order.
    app_copies_in_builder: Vec<usize>,
}

impl Manifests {
    /// Whether the app COPY at unit `i` also goes to the builder: asked of
    /// every unit, so a search of the ordered list.
    fn app_copy_in_builder(&self, i: usize) -> bool {
        self.app_copies_in_builder.binary_search(&i).is_ok()
    }
}

fn plan_manifests(cx: &Context, units: &[Unit], placed: &[Placed], first_pip: usize) -> Manifests {
    let mut out = Manifests {
        before: Default::default(),
        app_copies_in_builder: Vec::new(),
    };
    let _ = first_pip;
    // The WORKDIR in effect at each unit, when it is known.
    let mut workdirs = Vec::new();
    let mut dir: Option<String> = None;
    for u in units {
        workdirs.push(dir.clone());
        if let Some(ins) = cx.instruction(u.item) {
            if let (Keyword::Workdir, Args::Text(t)) = (ins.keyword, &ins.args) {
                dir = if t.starts_with('/') {
                    Some(t.trim_end_matches('/').to_string())
                } else {
                    dir.map(|d| format!("{d}/{}", t.trim_end_matches('/')))
                };
            }
        }
    }
    // What the units before the one at hand hold, kept up as it moves on:
    // each pip RUN asking of every unit before it cost the square of a
    // long stage. The app COPYs so far, how many of them are already in
    // the builder, how many units so far set a WORKDIR, and every word of
    // the builder's COPYs so far, reversed (whether a word ends with a
    // name is then a search for the reversed name).
    let mut app: Vec<usize> = Vec::new();
    let mut in_builder = 0;
    let mut workdirs_before = vec![0usize; placed.len() + 1];
    for (k, p) in placed.iter().enumerate() {
        workdirs_before[k + 1] = workdirs_before[k] + usize::from(p.workdir);
    }
    let mut copied_words: BTreeSet<Vec<u8>> = BTreeSet::new();
    for (i, p) in placed.iter().enumerate() {
        if let Some(k) = i.checked_sub(1) {
            if placed[k].app_copy {
                app.push(k);
            }
            if placed[k].dest == Dest::Builder {
                if let Some(x) = cx
                    .instruction(units[k].item)
                    .filter(|x| matches!(x.keyword, Keyword::Copy | Keyword::Add))
                {
                    for w in x.words() {
                        copied_words.insert(w.trim_end_matches('/').bytes().rev().collect());
                    }
                }
            }
        }
        let Some(needs) = &p.pip else { continue };
        if app.is_empty() {
            continue;
        }
        // Files already copied by a manifest-only COPY: a word of one of
        // the builder's COPYs ends with the file's name.
        let provided = |f: &str| {
            let name: Vec<u8> = f.rsplit('/').next().unwrap_or(f).bytes().rev().collect();
            copied_words
                .range(name.clone()..)
                .next()
                .is_some_and(|w| w.starts_with(&name))
        };
        let missing: Vec<&String> = needs.files.iter().filter(|f| !provided(f)).collect();
        let last_app = *app.last().unwrap_or(&0);
        let synthesizable = !needs.local
            && missing
                .iter()
                .all(|f| context_path(cx, &units[last_app], f, workdirs[i].as_deref()).is_some())
            && workdirs_before[i] == workdirs_before[last_app];
        if synthesizable {
            let lines: Vec<String> = missing
                .iter()
                .filter_map(|f| {
                    context_path(cx, &units[last_app], f, workdirs[i].as_deref())
                        .map(|src| format!("COPY {src} {f}"))
                })
                .collect();
            out.before.entry(i).or_default().extend(lines);
        } else {
            // Every app COPY so far, those not there yet in order.
            out.app_copies_in_builder.extend(&app[in_builder..]);
            in_builder = app.len();
        }
    }
    out
}

/// For a file a pip RUN reads (relative to the same WORKDIR as an app
/// `COPY . <dest>`), its path in the build context.
fn context_path(
    cx: &Context,
    copy_unit: &Unit,
    file: &str,
    workdir: Option<&str>,
) -> Option<String> {
    let ins = cx.instruction(copy_unit.item)?;
    let words = ins.words();
    if words.len() != 2 || !matches!(words[0].as_str(), "." | "./") {
        return None;
    }
    let dest = words[1].trim_end_matches('/');
    if file.contains("..") || file.contains('$') {
        return None;
    }
    if matches!(dest, "." | "") {
        return (!file.starts_with('/')).then(|| file.trim_start_matches("./").to_string());
    }
    if !file.starts_with('/') && workdir == Some(dest) {
        return Some(file.trim_start_matches("./").to_string());
    }
    file.strip_prefix(&format!("{dest}/")).map(str::to_string)
}

/// Where `git clone` puts its tree, made absolute: its directory argument,
/// or the repository's name, in the directory the command runs in.
fn git_clone_target(c: &Command, cwd: Option<&str>) -> Option<String> {
    let r = resolve(c);
    let words: Vec<&str> = r.words.iter().map(|w| w.text.as_str()).collect();
    if r.program() != "git" {
        return None;
    }
    let clone = words.iter().position(|w| *w == "clone")?;
    // Options of `git clone` that take a value as the next word.
    const WITH_VALUE: &[&str] = &[
        "-b",
        "--branch",
        "--depth",
        "-c",
        "--config",
        "-o",
        "--origin",
        "--reference",
        "-j",
        "--jobs",
        "--filter",
        "--shallow-since",
        "--shallow-exclude",
        "-u",
        "--upload-pack",
        "--template",
        "--separate-git-dir",
    ];
    let mut positional = Vec::new();
    let mut k = clone + 1;
    while k < words.len() {
        let w = words[k];
        if WITH_VALUE.contains(&w) {
            k += 2;
            continue;
        }
        if !w.starts_with('-') {
            positional.push(w);
        }
        k += 1;
    }
    let url = positional.first()?;
    if url.contains('$') {
        return None;
    }
    let dir = match positional.get(1) {
        Some(d) => d.to_string(),
        None => url
            .trim_end_matches('/')
            .rsplit(['/', ':'])
            .next()?
            .trim_end_matches(".git")
            .to_string(),
    };
    if dir.is_empty() || dir.contains('$') {
        return None;
    }
    if dir.starts_with('/') {
        return Some(normalize_path(&dir));
    }
    Some(normalize_path(&format!("{}/{dir}", cwd?)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_path_is_in_a_cloned_tree_when_it_is_one_or_lies_below_one() {
        let mut scan = Scan::default();
        for tree in ["/src/r1", "/opt/lib/"] {
            scan.trees.insert(tree.to_string());
        }
        for (path, inside) in [
            ("/src/r1", true),
            ("/src/r1/a", true),
            ("/src/r1/a/b.c", true),
            ("/src/r10", false),
            ("/src/r1x/a", false),
            ("/src", false),
            ("/", false),
            // A tree named with a trailing slash is that path only, as a
            // prefix comparison with `/` added would have it.
            ("/opt/lib/", true),
            ("/opt/lib/x", false),
        ] {
            assert_eq!(scan.in_tree(path), inside, "{path}");
        }
    }
}
