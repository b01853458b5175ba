//! ExposeInvalidFormat: `EXPOSE 8080:80` or `EXPOSE 127.0.0.1:80:80`. An
//! image cannot choose host addresses or ports; only `docker run -p` does,
//! so the part before the container port is ignored (and will be an error).

use super::buildkit::arg_words;
use super::{Context, FixAvailability, Rule};
use crate::diagnostic::{Diagnostic, Severity};
use crate::syntax::Keyword;

pub static RULE: Rule = Rule {
    code: "ExposeInvalidFormat",
    name: "expose-invalid-format",
    summary: "an EXPOSE with an IP address or a host port",
    aliases: &[],
    severity: Severity::Warning,
    fix: FixAvailability::None,
    default_enabled: true,
    doc: include_str!("../../rules/ExposeInvalidFormat.md"),
    check,
};

fn check(cx: &Context) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    for (_, ins) in cx.df.instructions_of(&[Keyword::Expose]) {
        for (word, span) in arg_words(ins) {
            if word.contains('$') || !word.contains(':') {
                continue;
            }
            let port = word.rsplit(':').next().unwrap_or(&word);
            out.push(RULE.diagnostic(
                span,
                format!("`EXPOSE {word}` names an IP address or a host port"),
                format!("Expose the container port alone (`EXPOSE {port}`) and map it with `docker run -p`"),
            ));
        }
    }
    out
}
