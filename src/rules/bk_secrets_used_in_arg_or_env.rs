//! SecretsUsedInArgOrEnv: an ARG or ENV whose name says it holds a secret
//! (`NPM_TOKEN`, `DB_PASSWORD`). Their values are kept in the image's
//! configuration and history, where anyone who pulls the image reads them.

use super::buildkit::key_span;
use super::{Context, FixAvailability, Rule};
use crate::diagnostic::{Diagnostic, Severity};
use crate::syntax::{Args, Keyword};

pub static RULE: Rule = Rule {
    code: "SecretsUsedInArgOrEnv",
    name: "secrets-used-in-arg-or-env",
    summary: "an ARG or ENV whose name says it holds a secret",
    aliases: &[],
    severity: Severity::Warning,
    fix: FixAvailability::None,
    default_enabled: true,
    doc: include_str!("../../rules/SecretsUsedInArgOrEnv.md"),
    check,
};

/// Name parts (between `_`, any case) that say a value is secret, as
/// BuildKit's check reads them.
const SECRET_PARTS: &[&str] = &[
    "apikey",
    "auth",
    "credential",
    "credentials",
    "key",
    "password",
    "pword",
    "passwd",
    "secret",
    "token",
];

/// Name parts that say the value is not the secret itself.
const ALLOWED_PARTS: &[&str] = &["public", "file", "version"];

/// Whether a variable name reads as a secret's.
pub fn looks_secret(name: &str) -> bool {
    // Read in place, in any case (the lists are lower case): asked of every
    // ENV and ARG name.
    let has = |list: &[&str]| {
        name.split('_')
            .any(|p| list.iter().any(|l| l.eq_ignore_ascii_case(p)))
    };
    has(SECRET_PARTS) && !has(ALLOWED_PARTS)
}

fn check(cx: &Context) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    for (_, ins) in cx.df.instructions_of(&[Keyword::Env, Keyword::Arg]) {
        let (word, names): (&str, Vec<&str>) = match (ins.keyword, &ins.args) {
            (Keyword::Env, Args::KeyValues(kvs)) => {
                ("ENV", kvs.iter().map(|kv| kv.key.as_str()).collect())
            }
            (Keyword::Arg, _) => (
                "ARG",
                ins.words()
                    .iter()
                    .map(|w| w.split('=').next().unwrap_or(w))
                    .collect(),
            ),
            _ => continue,
        };
        for name in names.iter().filter(|n| looks_secret(n)) {
            out.push(RULE.diagnostic(
                key_span(ins, name),
                format!("`{word} {name}` may hold a secret, which stays readable in the image"),
                "Pass secrets with `RUN --mount=type=secret,id=...` instead",
            ));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::looks_secret;

    #[test]
    fn reads_names_by_their_parts() {
        for yes in [
            "NPM_TOKEN",
            "password",
            "AWS_SECRET_ACCESS_KEY",
            "api_key",
            "Auth",
        ] {
            assert!(looks_secret(yes), "{yes}");
        }
        for no in [
            "TOKENIZERS_PARALLELISM",
            "KEY_FILE",
            "PUBLIC_KEY",
            "GPG_KEY_VERSION",
            "MONKEY",
        ] {
            assert!(!looks_secret(no), "{no}");
        }
    }
}
