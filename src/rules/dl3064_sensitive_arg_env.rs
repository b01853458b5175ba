//! DL3064 sensitive-arg-or-env: an ARG or ENV whose name says it holds a
//! secret: its value is kept in the image's history or config.

use super::{Context, FixAvailability, Rule};
use crate::diagnostic::{Diagnostic, Severity};
use crate::semantics::managers::trigger;
use crate::syntax::{Args, Instruction, Keyword};

pub static RULE: Rule = Rule {
    code: "DL3064",
    name: "sensitive-arg-or-env",
    aliases: &[],
    summary: "an ARG or ENV whose name says it holds a secret",
    severity: Severity::Warning,
    fix: FixAvailability::None,
    default_enabled: false,
    doc: include_str!("../../rules/DL3064.md"),
    check,
};

/// Well-known names of credentials, whole.
const KNOWN: &[&str] = &[
    "ACCESS_TOKEN",
    "APPLICATION_KEY",
    "APP_SECRET",
    "AUTH_TOKEN",
    "AWS_ACCESS_KEY_ID",
    "AWS_SECRET_ACCESS_KEY",
    "AWS_SESSION_TOKEN",
    "AZURE_CLIENT_SECRET",
    "CF_PASSWORD",
    "CF_USERNAME",
    "CIRCLE_TOKEN",
    "CI_DEPLOY_PASSWORD",
    "CI_DEPLOY_USER",
    "DOCKERHUB_PASSWORD",
    "DOCKER_EMAIL",
    "DOCKER_PASSWORD",
    "DOCKER_USERNAME",
    "FACEBOOK_ACCESS_TOKEN",
    "FACEBOOK_APP_ID",
    "FACEBOOK_APP_SECRET",
    "FIREBASE_API_TOKEN",
    "FIREBASE_TOKEN",
    "FOSSA_API_KEY",
    "GH_ENTERPRISE_TOKEN",
    "GH_TOKEN",
    "GITHUB_ENTERPRISE_TOKEN",
    "GITHUB_TOKEN",
    "GITLAB_TOKEN",
    "GOOGLE_APPLICATION_CREDENTIALS_JSON",
    "HEROKU_API_KEY",
    "HEROKU_API_USER",
    "HF_TOKEN",
    "HUGGING_FACE_HUB_TOKEN",
    "NPM_AUTH_TOKEN",
    "NPM_TOKEN",
    "OKTA_AUTHN_GROUPID",
    "OKTA_CLIENT_ORGURL",
    "OKTA_CLIENT_TOKEN",
    "OKTA_OAUTH2_CLIENTID",
    "OKTA_OAUTH2_CLIENTSECRET",
    "OPENAI_API_KEY",
    "ANTHROPIC_API_KEY",
    "OS_PASSWORD",
    "OS_USERNAME",
    "POSTGRES_PASSWORD",
    "SLACK_TOKEN",
    "STRIPE_API_KEY",
    "STRIPE_DEVICE_NAME",
    "VAULT_CLIENT_KEY",
    "VAULT_TOKEN",
    "WANDB_API_KEY",
];

/// Parts of a name (between `_` or `-`) that say it holds a credential.
const SECRET_PARTS: &[&str] = &[
    "password",
    "passwd",
    "secret",
    "secrets",
    "token",
    "tokens",
    "username",
    "credential",
    "credentials",
    "apikey",
];

/// Pairs of adjacent parts that do (`API_KEY`, `PRIVATE_KEY`).
const SECRET_PAIRS: &[(&str, &str)] = &[
    ("api", "key"),
    ("client", "key"),
    ("private", "key"),
    ("access", "key"),
    ("secret", "key"),
];

/// Last parts that say the value only points at a secret kept elsewhere.
const POINTERS: &[&str] = &["file", "path", "dir", "url", "env", "var", "name", "id"];

/// Whether a name looks like it holds a secret. Names are read by their
/// parts, so `TOKENIZERS_PARALLELISM` is not a token.
fn sensitive(name: &str) -> bool {
    if KNOWN.iter().any(|k| k.eq_ignore_ascii_case(name)) {
        return true;
    }
    let parts: Vec<String> = name
        .split(['_', '-', '.'])
        .filter(|p| !p.is_empty())
        .map(str::to_ascii_lowercase)
        .collect();
    if parts.last().is_some_and(|p| POINTERS.contains(&p.as_str())) {
        return false;
    }
    parts.iter().any(|p| SECRET_PARTS.contains(&p.as_str()))
        || parts
            .windows(2)
            .any(|w| SECRET_PAIRS.contains(&(w[0].as_str(), w[1].as_str())))
}

fn names(ins: &Instruction) -> Vec<&str> {
    match (&ins.keyword, &ins.args) {
        (Keyword::Env, Args::KeyValues(pairs)) => pairs.iter().map(|p| p.key.as_str()).collect(),
        (Keyword::Arg, _) => ins
            .words()
            .iter()
            .map(|w| w.split('=').next().unwrap_or(w))
            .collect(),
        _ => Vec::new(),
    }
}

fn check(cx: &Context) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    // ENV and ARG, on their own or as an ONBUILD trigger.
    let read = [Keyword::Env, Keyword::Arg, Keyword::Onbuild];
    for (_, ins) in cx.df.instructions_of(&read) {
        let target = match ins.keyword {
            Keyword::Onbuild => match trigger(ins) {
                Some(inner) => inner,
                None => continue,
            },
            _ => ins,
        };
        for name in names(target).into_iter().filter(|n| sensitive(n)) {
            let word = target.keyword_text().to_ascii_uppercase();
            out.push(RULE.diagnostic(
                target.line.span(0, target.line.text.len()),
                format!("`{name}` looks like a secret, and {word} values are kept in the image"),
                "Pass it with `RUN --mount=type=secret,id=...` instead",
            ));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::sensitive;

    #[test]
    fn names() {
        for s in [
            "AWS_ACCESS_KEY_ID",
            "openai_api_key",
            "my_password",
            "DB_PASSWORD",
            "HF_TOKEN",
            "PRIVATE_KEY",
        ] {
            assert!(sensitive(s), "{s}");
        }
        for s in [
            "TOKENIZERS_PARALLELISM",
            "foobar",
            "PASSWORD_FILE",
            "SECRET_KEY_PATH",
            "PYTHONUNBUFFERED",
        ] {
            assert!(!sensitive(s), "{s}");
        }
    }
}
