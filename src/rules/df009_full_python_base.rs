//! DF009 full-python-base: a final stage on a full `python:X.Y` image
//! (compilers, headers, git, curl: about 1 GB) where the `-slim` tag
//! (about 150 MB) serves, because nothing in the stage uses what only the
//! full image has. A stage that installs build tools with apt is DF007's.

use foldhash::HashSet;

use super::{apt_subcommand, package_install, Context, FixAvailability, Rule};
use crate::diagnostic::{Diagnostic, Edit, Fix, Severity};
use crate::rewrite::{build_only, slim_python};
use crate::semantics::commands::{basename, requirement_name, resolve};
use crate::syntax::shell;
use crate::syntax::{Args, Keyword};

pub static RULE: Rule = Rule {
    code: "DF009",
    name: "full-python-base",
    aliases: &[],
    summary: "The final stage runs on a full `python` image where the `-slim` tag serves",
    severity: Severity::Warning,
    fix: FixAvailability::Sometimes,
    default_enabled: true,
    doc: include_str!("../../rules/DF009.md"),
    check,
};

/// Programs the full `python` images have (from `buildpack-deps`) and the
/// slim ones do not, with the Debian package that brings each back.
const FULL_ONLY_PROGRAMS: &[(&str, &str)] = &[
    ("git", "git"),
    ("curl", "curl"),
    ("wget", "wget"),
    ("gcc", "gcc"),
    ("cc", "gcc"),
    ("g++", "g++"),
    ("c++", "g++"),
    ("make", "make"),
    ("ssh", "openssh-client"),
    ("scp", "openssh-client"),
    ("hg", "mercurial"),
    ("svn", "subversion"),
    ("unzip", "unzip"),
    ("bzip2", "bzip2"),
    ("patch", "patch"),
    ("pkg-config", "pkg-config"),
    ("autoconf", "autoconf"),
    ("ps", "procps"),
    ("file", "file"),
];

/// Python distributions with no wheels for Linux, built from source at
/// install: they need the compiler and headers of the full image.
const SOURCE_ONLY_PACKAGES: &[&str] = &[
    "psycopg2",
    "mysqlclient",
    "uwsgi",
    "python-ldap",
    "pygraphviz",
    "dlib",
    "face-recognition",
    "pycairo",
    "pyaudio",
    "cython",
];

/// What in a stage needs the full image, if anything: a program only it
/// has (not installed with apt first), a package built from source, a
/// build run by hand.
fn needs_full_image(cx: &Context, stage: usize) -> Option<String> {
    // The apt packages installed so far that a question below is about
    // (git, the packages of the full image's programs), read in place.
    let mut installed: HashSet<&str> = HashSet::default();
    let asked = |p: &str| p == "git" || FULL_ONLY_PROGRAMS.iter().any(|(_, q)| *q == p);
    // The kinds of instruction the match below reads.
    let read = [
        Keyword::Run,
        Keyword::Cmd,
        Keyword::Entrypoint,
        Keyword::Healthcheck,
    ];
    for &item in &cx.model.stages[stage].items {
        let Some(ins) = cx.df.instruction_of(item, &read) else {
            continue;
        };
        let mut scripts: Vec<String> = Vec::new();
        match (ins.keyword, &ins.args) {
            (Keyword::Run, _) => {
                let Some(run) = cx.run_at(item) else { continue };
                for (_, cmd) in run.commands() {
                    if apt_subcommand(cmd) == Some("install") {
                        installed.extend(
                            cmd.words
                                .iter()
                                .filter(|w| !w.text.starts_with('-'))
                                .map(|w| w.text.split('=').next().unwrap_or(&w.text))
                                .filter(|p| asked(p)),
                        );
                        continue;
                    }
                    if let Some(install) = package_install(cmd) {
                        for w in install.requirements() {
                            let spec = w.text.trim_matches(['"', '\'']);
                            if spec.starts_with("git+") && !installed.contains("git") {
                                return Some(format!("`{spec}` needs git"));
                            }
                            let name = requirement_name(spec);
                            if SOURCE_ONLY_PACKAGES.contains(&name.as_ref()) {
                                return Some(format!("`{name}` is built from source"));
                            }
                        }
                        if install.has_option("--no-binary") {
                            return Some("`--no-binary` builds from source".to_string());
                        }
                    }
                    if let Some(why) = uses_full_only(
                        &resolve(cmd)
                            .words
                            .iter()
                            .map(|w| w.text.as_str())
                            .collect::<Vec<_>>(),
                        &installed,
                    ) {
                        return Some(why);
                    }
                }
                continue;
            }
            (Keyword::Cmd | Keyword::Entrypoint, Args::Shell { .. }) => {
                scripts.extend(ins.shell_text().map(|(t, _)| t.to_string()))
            }
            (Keyword::Cmd | Keyword::Entrypoint, Args::Exec(words)) => {
                scripts.push(words.join(" "))
            }
            (Keyword::Healthcheck, Args::Healthcheck { cmd, .. }) => match cmd.as_ref() {
                Args::Shell { .. } => scripts.extend(ins.shell_text().map(|(t, _)| t.to_string())),
                Args::Exec(words) => scripts.push(words.join(" ")),
                _ => {}
            },
            _ => {}
        }
        for script in scripts {
            for cmd in shell::commands(&script) {
                let words: Vec<&str> = resolve(&cmd)
                    .words
                    .iter()
                    .map(|w| w.text.as_str())
                    .collect();
                if let Some(why) = uses_full_only(&words, &installed) {
                    return Some(why);
                }
            }
        }
    }
    None
}

/// Whether a command runs a program only the full image has (and apt did
/// not install), or compiles (`setup.py build_ext`).
fn uses_full_only(words: &[&str], installed: &HashSet<&str>) -> Option<String> {
    let program = basename(words.first()?);
    // `CMD-SHELL` of an exec-form HEALTHCHECK is not a program.
    let program = if program == "CMD-SHELL" {
        basename(words.get(1)?)
    } else {
        program
    };
    if let Some((_, package)) = FULL_ONLY_PROGRAMS.iter().find(|(p, _)| *p == program) {
        if !installed.contains(package) {
            return Some(format!("`{program}` is not in the slim image"));
        }
    }
    if words.iter().any(|w| w.ends_with("setup.py"))
        && words
            .iter()
            .any(|w| matches!(*w, "build_ext" | "build" | "install" | "develop"))
    {
        return Some("`setup.py` may compile extensions".to_string());
    }
    None
}

fn check(cx: &Context) -> Vec<Diagnostic> {
    let Some(final_stage) = cx.model.final_stage else {
        return Vec::new();
    };
    let stage = &cx.model.stages[final_stage];
    // A final stage built on another stage shares its base with it; which
    // of them needs the full image is not this rule's guess.
    if stage.parent.is_some() {
        return Vec::new();
    }
    let Some(base) = stage.base.as_deref() else {
        return Vec::new();
    };
    let Some(slim) = slim_python(base).filter(|s| s != base) else {
        return Vec::new();
    };
    // Build tools installed with apt: DF007 reports the stage, and its
    // rewrite moves it to the slim tag.
    let installs_build_tools = cx
        .runs()
        .iter()
        .filter(|r| r.stage == final_stage)
        .any(|run| {
            run.commands().any(|(_, c)| {
                apt_subcommand(c) == Some("install")
                    && c.words
                        .iter()
                        .any(|w| build_only(&w.text) && !is_python_tooling(&w.text))
            })
        });
    // An image with ONBUILD triggers is a base for others, whose builds
    // (often of their own requirements) may need the full image.
    let is_a_base = stage
        .items
        .iter()
        .any(|&i| cx.df.keyword(i) == Some(Keyword::Onbuild));
    if is_a_base || installs_build_tools || needs_full_image(cx, final_stage).is_some() {
        return Vec::new();
    }
    let span = cx.from_image_span(stage.from_item);
    let mut d = RULE.diagnostic(
        span,
        format!(
            "Final stage runs on the full image `{base}`; nothing in it needs more than `{slim}`"
        ),
        format!("Use `{slim}`: about 150 MB instead of about 1 GB"),
    );
    // The image as written (`python:${PY}` keeps its variable).
    let written = cx.df.slice(span);
    if let Some(new) = slim_python(written).filter(|n| n != written) {
        if !span.is_empty() && !written.starts_with('$') {
            d.fix = Some(Fix::unsafe_edits([Edit::replace(span, new)]));
        }
    }
    vec![d]
}

/// Packages DF007 leaves alone as the tooling of a system Python.
fn is_python_tooling(package: &str) -> bool {
    matches!(
        package,
        "python3-pip"
            | "python3-venv"
            | "python3-setuptools"
            | "python3-wheel"
            | "software-properties-common"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn programs_only_the_full_image_has() {
        assert!(uses_full_only(&["curl", "-f", "http://x"], &HashSet::default()).is_some());
        assert!(
            uses_full_only(&["curl", "-f", "http://x"], &HashSet::from_iter(["curl"])).is_none()
        );
        assert!(
            uses_full_only(&["python", "setup.py", "build_ext"], &HashSet::default()).is_some()
        );
        assert!(uses_full_only(&["python", "serve.py"], &HashSet::default()).is_none());
    }
}
