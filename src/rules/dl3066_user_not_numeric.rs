//! DL3066 user-not-numeric: `USER` given by name, which the host and
//! orchestrators cannot check without the image's `/etc/passwd`.

use super::{Context, FixAvailability, Rule};
use crate::diagnostic::{Diagnostic, Severity};
use crate::semantics::expand;
use crate::syntax::{Args, Keyword};

pub static RULE: Rule = Rule {
    code: "DL3066",
    name: "user-not-numeric",
    aliases: &[],
    summary: "`USER` by name rather than numeric UID",
    severity: Severity::Info,
    fix: FixAvailability::None,
    default_enabled: false,
    doc: include_str!("../../rules/DL3066.md"),
    check,
};

fn check(cx: &Context) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    for (item, ins) in cx.df.instructions_of(&[Keyword::User]) {
        let Args::Text(text) = &ins.args else {
            continue;
        };
        // A variable is read from the ARG or ENV value in scope; one with
        // no value here is a build argument given at build time, often a
        // UID, and is not judged.
        let resolved = match cx.model.stage_of(item) {
            Some(stage) => {
                let scope = cx.model.scope(stage, item);
                expand(text, &|name| scope.get(name).map(str::to_string))
            }
            None => None,
        };
        let Some(value) = resolved.or_else(|| (!text.contains('$')).then(|| text.to_string()))
        else {
            continue;
        };
        let user = value.split(':').next().unwrap_or(&value).trim().to_string();
        if user.is_empty() || user.chars().all(|c| c.is_ascii_digit()) {
            continue;
        }
        out.push(RULE.diagnostic(
            ins.line.span(0, ins.line.text.len()),
            format!("`USER {user}` names a user that only the image's /etc/passwd resolves"),
            "Give the numeric UID (and GID), e.g. `USER 10001:10001`",
        ));
    }
    out
}
