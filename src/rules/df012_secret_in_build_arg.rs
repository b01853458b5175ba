//! DF012 secret-in-build-arg: a token or key of an ML, model-hub or cloud
//! service in an ARG or ENV (by its well-known name, or a value that is a
//! literal credential), or a login that writes a token into a layer.
//!
//! BuildKit's SecretsUsedInArgOrEnv reads names by their parts; this rule
//! knows the services by name and value, and says which secret mount to use
//! instead. Where both report the same key, the pipeline keeps this one
//! (see [`super::SUPERSEDES`]).

use super::buildkit::key_span;
use super::{Context, FixAvailability, Rule};
use crate::diagnostic::{Diagnostic, Severity};
use crate::semantics::commands::resolve;
use crate::syntax::{Args, Instruction, Keyword};

pub static RULE: Rule = Rule {
    code: "DF012",
    name: "secret-in-build-arg",
    aliases: &[],
    summary:
        "A model-hub, ML-service or cloud token is passed in an ARG or ENV, or written by a login",
    severity: Severity::Warning,
    fix: FixAvailability::None,
    default_enabled: true,
    doc: include_str!("../../rules/DF012.md"),
    check,
};

/// Variables that hold a service's credential, by the name its own client
/// reads, and the service.
const KNOWN_SECRETS: &[(&str, &str)] = &[
    ("HF_TOKEN", "Hugging Face"),
    ("HUGGING_FACE_HUB_TOKEN", "Hugging Face"),
    ("HUGGINGFACE_HUB_TOKEN", "Hugging Face"),
    ("HUGGINGFACE_TOKEN", "Hugging Face"),
    ("HUGGINGFACEHUB_API_TOKEN", "Hugging Face"),
    ("HF_API_TOKEN", "Hugging Face"),
    ("HF_HUB_TOKEN", "Hugging Face"),
    ("WANDB_API_KEY", "Weights & Biases"),
    ("COMET_API_KEY", "Comet"),
    ("NEPTUNE_API_TOKEN", "Neptune"),
    ("CLEARML_API_ACCESS_KEY", "ClearML"),
    ("CLEARML_API_SECRET_KEY", "ClearML"),
    ("MLFLOW_TRACKING_PASSWORD", "MLflow"),
    ("MLFLOW_TRACKING_TOKEN", "MLflow"),
    ("KAGGLE_KEY", "Kaggle"),
    ("NGC_API_KEY", "NVIDIA NGC"),
    ("NGC_CLI_API_KEY", "NVIDIA NGC"),
    ("OPENAI_API_KEY", "OpenAI"),
    ("AZURE_OPENAI_API_KEY", "Azure OpenAI"),
    ("ANTHROPIC_API_KEY", "Anthropic"),
    ("COHERE_API_KEY", "Cohere"),
    ("CO_API_KEY", "Cohere"),
    ("MISTRAL_API_KEY", "Mistral"),
    ("GROQ_API_KEY", "Groq"),
    ("GOOGLE_API_KEY", "Google"),
    ("GEMINI_API_KEY", "Google Gemini"),
    ("REPLICATE_API_TOKEN", "Replicate"),
    ("TOGETHER_API_KEY", "Together"),
    ("PINECONE_API_KEY", "Pinecone"),
    ("LANGCHAIN_API_KEY", "LangSmith"),
    ("LANGSMITH_API_KEY", "LangSmith"),
    ("AWS_ACCESS_KEY_ID", "AWS"),
    ("AWS_SECRET_ACCESS_KEY", "AWS"),
    ("AWS_SESSION_TOKEN", "AWS"),
    ("AZURE_CLIENT_SECRET", "Azure"),
    ("AZURE_STORAGE_KEY", "Azure Storage"),
    ("AZURE_STORAGE_CONNECTION_STRING", "Azure Storage"),
    ("GITHUB_TOKEN", "GitHub"),
    ("GH_TOKEN", "GitHub"),
];

/// Prefixes of literal credentials, with the shortest length a real one
/// has (so `sk-` in `sk-learn` is not one).
const TOKEN_PREFIXES: &[(&str, usize, &str)] = &[
    ("hf_", 34, "Hugging Face"),
    ("sk-ant-", 40, "Anthropic"),
    ("sk-proj-", 40, "OpenAI"),
    ("sk-", 40, "OpenAI"),
    ("AKIA", 20, "AWS"),
    ("ASIA", 20, "AWS"),
    ("ghp_", 40, "GitHub"),
    ("github_pat_", 40, "GitHub"),
    ("glpat-", 26, "GitLab"),
    ("xoxb-", 30, "Slack"),
    ("nvapi-", 40, "NVIDIA"),
];

/// Logins that save a token under the user's home, in the layer:
/// program, subcommand words, the file it writes, and the variable its
/// client reads the token from instead.
const LOGINS: &[(&str, &[&str], &str, &str)] = &[
    (
        "huggingface-cli",
        &["login"],
        "~/.cache/huggingface/token",
        "HF_TOKEN",
    ),
    (
        "hf",
        &["auth", "login"],
        "~/.cache/huggingface/token",
        "HF_TOKEN",
    ),
    ("wandb", &["login"], "~/.netrc", "WANDB_API_KEY"),
];

fn known(name: &str) -> Option<&'static str> {
    KNOWN_SECRETS
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case(name))
        .map(|(_, service)| *service)
}

/// The service whose literal credential a value is, if it is one.
fn literal_token(value: &str) -> Option<&'static str> {
    let v = value.trim_matches(['"', '\'']);
    TOKEN_PREFIXES.iter().find_map(|(prefix, len, service)| {
        let body = v.strip_prefix(prefix)?;
        let token_like = v.len() >= *len
            && body
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
        token_like.then_some(*service)
    })
}

/// Whether a value is a URL with a password in it (`https://user:pw@host`),
/// as private package indexes are often given.
fn url_with_password(value: &str) -> bool {
    let Some((_, rest)) = value.split_once("://") else {
        return false;
    };
    let authority = rest.split('/').next().unwrap_or("");
    authority.rsplit_once('@').is_some_and(|(userinfo, _)| {
        userinfo
            .split_once(':')
            .is_some_and(|(_, pw)| !pw.is_empty())
    })
}

/// The `(name, value)` pairs an ARG or ENV sets (`None`: an ARG without default).
fn pairs(ins: &Instruction) -> Vec<(&str, Option<&str>)> {
    match (ins.keyword, &ins.args) {
        (Keyword::Env, Args::KeyValues(kvs)) => kvs
            .iter()
            .map(|kv| (kv.key.as_str(), Some(kv.value.as_str())))
            .collect(),
        (Keyword::Arg, _) => ins
            .words()
            .iter()
            .map(|w| match w.split_once('=') {
                Some((k, v)) => (k, Some(v)),
                None => (w.as_str(), None),
            })
            .collect(),
        _ => Vec::new(),
    }
}

/// `hf_token` for `HF_TOKEN`: the id a secret mount would use.
fn secret_id(name: &str) -> String {
    name.to_ascii_lowercase()
}

fn check(cx: &Context) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    for (_, ins) in cx.df.instructions_of(&[Keyword::Env, Keyword::Arg]) {
        let word = match ins.keyword {
            Keyword::Env => "ENV",
            Keyword::Arg => "ARG",
            _ => continue,
        };
        let kept = if word == "ENV" {
            "stays in the image's configuration, readable by anyone who pulls it"
        } else {
            "is recorded in the image's history by every RUN that uses it"
        };
        for (name, value) in pairs(ins) {
            let literal = value.and_then(literal_token);
            let in_url = value.is_some_and(url_with_password);
            let service = known(name).or(literal);
            let what = match (service, in_url) {
                (Some(s), _) => format!("a credential for {s}"),
                (None, true) => "a URL with a password".to_string(),
                (None, false) => continue,
            };
            let id = secret_id(name);
            let mut d = RULE.diagnostic(
                key_span(ins, name),
                format!("`{word} {name}` holds {what}, which {kept}"),
                format!(
                    "Pass it as a build secret: `RUN --mount=type=secret,id={id},env={name} ...` with `docker build --secret id={id},env={name}`"
                ),
            );
            // A credential written out in the file is already leaked: to
            // everyone who reads the repository, not only the image.
            if literal.is_some() {
                d.severity = Severity::Error;
                d.message
                    .push_str(" (and the literal token is in the Dockerfile itself)");
            }
            out.push(d);
        }
    }
    out.extend(logins(cx));
    out
}

/// Logins that save a token into the layer, unless a later command of the
/// same RUN logs out again.
fn logins(cx: &Context) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    for run in cx.runs() {
        let cmds: Vec<_> = run.commands().collect();
        for (i, (script, cmd)) in cmds.iter().enumerate() {
            let r = resolve(cmd);
            let args: Vec<&str> = r.words.iter().skip(1).map(|w| w.text.as_str()).collect();
            let Some((program, _, file, var)) = LOGINS
                .iter()
                .find(|(p, sub, _, _)| r.program() == *p && args.starts_with(sub))
            else {
                continue;
            };
            let logged_out = cmds[i + 1..].iter().any(|(_, later)| {
                let l = resolve(later);
                l.program() == *program && l.words.iter().any(|w| w.text == "logout")
            });
            if logged_out {
                continue;
            }
            let shown: Vec<&str> = r.words.iter().take(3).map(|w| w.text.as_str()).collect();
            out.push(RULE.diagnostic(
                run.command_span(script, cmd),
                format!(
                    "`{}` saves the token in `{file}`, inside the layer",
                    shown.join(" ").trim_end_matches(" --token")
                ),
                format!(
                    "Give the command that needs the token a build secret instead of logging in: `RUN --mount=type=secret,id={id},env={var} ...`",
                    id = secret_id(var)
                ),
            ));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn knows_tokens_by_value() {
        assert_eq!(
            literal_token("hf_aBcDeFgHiJkLmNoPqRsTuVwXyZ01234567"),
            Some("Hugging Face")
        );
        assert_eq!(literal_token("AKIAIOSFODNN7EXAMPLE"), Some("AWS"));
        for no in ["sk-learn", "hf_home", "/root/.cache/huggingface", "ASIAN"] {
            assert_eq!(literal_token(no), None, "{no}");
        }
        assert!(url_with_password(
            "https://user:s3cret@pypi.example.com/simple"
        ));
        assert!(url_with_password(
            "https://__token__:${TOKEN}@gitlab.com/api/v4/pypi/simple"
        ));
        assert!(!url_with_password("https://download.pytorch.org/whl/cpu"));
        assert!(!url_with_password("git+ssh://git@github.com/org/repo"));
    }
}
