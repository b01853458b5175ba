//! DF004 opencv-gui-package: `opencv-python` or `opencv-contrib-python`,
//! which bring Qt and X11 libraries, where the `-headless` builds serve.

use std::collections::HashMap;
use std::path::Path;

use super::{package_install, Context, FixAvailability, Rule};
use crate::diagnostic::{Diagnostic, Severity};
use crate::diagnostic::{Edit, Fix};
use crate::semantics::commands::{requirement_name, PackageInstall, OPENCV_GUI_PACKAGES};
use crate::semantics::requirements::{context_dir, context_path, FILE_OPTIONS};
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

/// The GUI package a requirement names, and its headless counterpart.
fn gui_package(spec: &str) -> Option<&'static (&'static str, &'static str)> {
    let name = requirement_name(spec);
    OPENCV_GUI_PACKAGES.iter().find(|(g, _)| *g == name)
}

/// Findings for the GUI packages in the requirements files an install
/// reads (`-r`, `-c`, and the files they include), when the build context
/// is on disk. A finding cannot point into another file, so it is
/// reported on the `-r FILE` word and names the file and line.
fn in_requirements_files(
    cx: &Context,
    dir: &Path,
    run: &Run,
    script: &Script,
    install: &PackageInstall,
    in_files: &mut HashMap<String, Vec<usize>>,
    out: &mut Vec<Diagnostic>,
) {
    let args = install.args;
    let workdir = cx
        .model
        .workdir_at(run.stage, run.item)
        .unwrap_or_else(|| "/".to_string());
    for (i, w) in args.iter().enumerate() {
        // `-r FILE`, `--requirement=FILE`, `-rFILE`.
        let file = FILE_OPTIONS.iter().find_map(|opt| {
            if w.text == *opt {
                args.get(i + 1).map(|next| (next, next.text.as_str()))
            } else if let Some(v) = w.text.strip_prefix(opt).and_then(|r| r.strip_prefix('=')) {
                Some((w, v))
            } else if opt.len() == 2 && w.text.len() > 2 && w.text.starts_with(opt) {
                Some((w, &w.text[2..]))
            } else {
                None
            }
        });
        let Some((word, file)) = file else {
            continue;
        };
        if file.contains('$') {
            continue;
        }
        let image_path = if file.starts_with('/') {
            file.to_string()
        } else {
            format!("{workdir}/{file}")
        };
        let Some(context_file) = context_path(cx, dir, run, &image_path) else {
            continue;
        };
        let Some(files) = cx.context_files else {
            continue;
        };
        let found = files.requirements(dir, &context_file);
        // The GUI packages of the file, found once however many RUNs
        // install from it.
        let gui_at = in_files.entry(context_file).or_insert_with(|| {
            (0..found.len())
                .filter(|&k| gui_package(&found[k].spec).is_some())
                .collect()
        });
        for &k in gui_at.iter() {
            let req = &found[k];
            let Some((gui, headless)) = gui_package(&req.spec) else {
                continue;
            };
            let how = if req.constraint { "pins" } else { "installs" };
            out.push(RULE.diagnostic(
                script.word_span(run.ins, word),
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
    // Requirements files are read only from a build context on disk.
    let dir = context_dir(cx);
    // Where each requirements file names a GUI package, by file.
    let mut in_files = HashMap::new();
    for run in cx.shipping_runs() {
        for (script, cmds) in &run.scripts {
            for cmd in cmds {
                let Some(install) = package_install(cmd) else {
                    continue;
                };
                if let Some(dir) = &dir {
                    in_requirements_files(cx, dir, run, script, &install, &mut in_files, &mut out);
                }
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
                        d.fix = Some(Fix::unsafe_edits(vec![Edit::insert(at, "-headless")]));
                    }
                    out.push(d);
                }
            }
        }
    }
    out
}
