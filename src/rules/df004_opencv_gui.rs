//! DF004 opencv-gui-package: `opencv-python` or `opencv-contrib-python`,
//! which bring Qt and X11 libraries, where the `-headless` builds serve.

use super::{package_install, Context, FixAvailability, Rule};
use crate::diagnostic::{Diagnostic, Severity};
use crate::diagnostic::{Edit, Fix};
use crate::semantics::commands::{requirement_name, OPENCV_GUI_PACKAGES};

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

fn check(cx: &Context) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    for run in cx.shipping_runs() {
        for (script, cmds) in &run.scripts {
            for cmd in cmds {
                let Some(install) = package_install(cmd) else {
                    continue;
                };
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
                    let span = script.span(run.ins, word.start, word.end);
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
