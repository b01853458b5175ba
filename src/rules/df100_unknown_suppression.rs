//! DF100 invalid-suppression: a suppression comment that names a rule
//! dflint does not have, or that cannot be read, silences nothing.

use super::{Context, FixAvailability, Rule};
use crate::diagnostic::{Diagnostic, Severity};
use crate::semantics::pragmas::{pragmas, PragmaTool, BUILDKIT_CHECKS};
use crate::settings::nearest;

pub static RULE: Rule = Rule {
    code: "DF100",
    name: "invalid-suppression",
    aliases: &[],
    summary: "A suppression comment names an unknown rule or cannot be read",
    severity: Severity::Warning,
    fix: FixAvailability::None,
    default_enabled: true,
    doc: include_str!("../../rules/DF100.md"),
    check,
};

/// Whether a code in a comment of this dialect is one dflint should know.
fn known(tool: PragmaTool, code: &str) -> bool {
    if super::find(code).is_some() {
        return true;
    }
    match tool {
        // hadolint's own codes (DL, and ShellCheck's SC) that dflint does
        // not have are accepted: the comment still serves hadolint.
        PragmaTool::Hadolint => true,
        PragmaTool::BuildKit => code == "all" || BUILDKIT_CHECKS.contains(&code),
        PragmaTool::Dflint => false,
    }
}

fn check(cx: &Context) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    // The nearest known name, worked out once per unknown code: a
    // generated file can repeat the same mistyped code on every line.
    let mut nearest_of: std::collections::HashMap<&str, Option<&'static str>> =
        std::collections::HashMap::new();
    let pragmas = pragmas(cx.df);
    for p in &pragmas {
        if let (Some(why), PragmaTool::Dflint) = (&p.malformed, p.tool) {
            out.push(RULE.diagnostic(
                p.span,
                format!("Suppression comment cannot be read: {why}"),
                "Write `# dflint ignore=CODE[,CODE...]`, and any reason after a second `#`",
            ));
        }
        for (code, span) in &p.codes {
            if known(p.tool, code) {
                continue;
            }
            let near = nearest_of
                .entry(code.as_str())
                .or_insert_with(|| nearest(code));
            let help = match near {
                Some(near) => format!("Did you mean `{near}`? See `dflint rules`"),
                None => "Name a rule from `dflint rules`, or remove the code".to_string(),
            };
            out.push(RULE.diagnostic(
                *span,
                format!("Suppression comment names `{code}`, which is not a rule"),
                help,
            ));
        }
    }
    out
}
