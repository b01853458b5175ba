//! DF004 opencv-gui-package: `opencv-python` or `opencv-contrib-python`,
//! which bring Qt and X11 libraries, where the `-headless` builds serve.

use std::collections::HashMap;

use super::{package_install, Context, FixAvailability, Rule};
use crate::diagnostic::{Diagnostic, Severity};
use crate::diagnostic::{Edit, Fix};
use crate::semantics::build_context::requirement_files;
use crate::semantics::commands::{requirement_name, PackageInstall, OPENCV_GUI_PACKAGES};
use crate::semantics::{Run, Script};

pub static RULE: Rule = Rule {
    code: "DF004",
    name: "opencv-gui-package",
    summary: "`opencv-python` installs GUI libraries a server never uses",
    aliases: &[],
    severity: Severity::Warning,
    fix: FixAvailability::Sometimes,
    default_enabled: true,
    doc: include_str!("../../rules/DF004.md"),
    check,
};

/// A GUI package and its headless counterpart.
type GuiPackage = &'static (&'static str, &'static str);

/// The GUI package a requirement names, and its headless counterpart.
fn gui_package(spec: &str) -> Option<GuiPackage> {
    let name = requirement_name(spec);
    OPENCV_GUI_PACKAGES.iter().find(|(g, _)| *g == name)
}

/// Findings for the GUI packages in the requirements files an install
/// reads (`-r`, `-c`, and the files they include), when the build context
/// is on disk. A finding cannot point into another file, so it is
/// reported on the `-r FILE` word and names the file and line.
fn in_requirements_files(
    cx: &Context,
    run: &Run,
    script: &Script,
    install: &PackageInstall,
    in_files: &mut HashMap<String, Vec<(usize, GuiPackage)>>,
    out: &mut Vec<Diagnostic>,
) {
    for read in requirement_files(cx, run, install) {
        let found = &read.requirements;
        // The GUI packages of the file, found once however many RUNs
        // install from it.
        let gui_at = in_files.entry(read.file).or_insert_with(|| {
            found
                .iter()
                .enumerate()
                .filter_map(|(k, req)| Some((k, gui_package(&req.spec)?)))
                .collect()
        });
        for &(k, (gui, headless)) in gui_at.iter() {
            let req = &found[k];
            let how = if req.constraint { "pins" } else { "installs" };
            out.push(RULE.diagnostic(
                script.word_span(run.ins, read.word),
                format!(
                    "`{}:{}` {how} `{gui}`, which pulls in Qt and X11 libraries that a server never uses",
                    req.file, req.line
                ),
                format!("Replace it with `{headless}` in `{}` (line {})", req.file, req.line),
            ));
        }
    }
}

fn check(cx: &Context) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    // Where each requirements file names a GUI package, by file.
    let mut in_files = HashMap::new();
    for run in cx.shipping_runs() {
        for (script, cmds) in &run.scripts {
            for cmd in cmds {
                let Some(install) = package_install(cmd) else {
                    continue;
                };
                // Requirements files are read only from a build context on
                // disk.
                in_requirements_files(cx, run, script, &install, &mut in_files, &mut out);
                for word in install.requirements() {
                    // Every GUI package's name starts with `opencv`: most
                    // words are not looked at further.
                    if !word
                        .text
                        .get(..6)
                        .is_some_and(|p| p.eq_ignore_ascii_case("opencv"))
                    {
                        continue;
                    }
                    let name = requirement_name(&word.text);
                    let Some((gui, headless)) =
                        OPENCV_GUI_PACKAGES.iter().find(|(g, _)| *g == name)
                    else {
                        continue;
                    };
                    let span = script.word_span(run.ins, word);
                    let mut d = RULE.diagnostic(
                        span,
                        format!("`{gui}` pulls in Qt and X11 libraries that a server never uses"),
                        format!("Install `{headless}` instead"),
                    );
                    // Append `-headless` to the name as written, keeping its
                    // quoting, spelling and version spec.
                    let raw = cx.df.slice(span);
                    let quote = usize::from(raw.starts_with(['"', '\'']));
                    let name_len = raw[quote..]
                        .find(|c: char| {
                            !(c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
                        })
                        .unwrap_or(raw.len() - quote);
                    if requirement_name(&raw[quote..quote + name_len]) == *gui {
                        let at = span.start + quote + name_len;
                        d.fix = Some(Fix::unsafe_edits([Edit::insert(at, "-headless")]));
                    }
                    out.push(d);
                }
            }
        }
    }
    out
}
