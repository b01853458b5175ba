//! DF011 dev-tools-in-inference: notebooks, test runners, formatters and
//! debuggers installed in an image whose command serves a model.

use std::collections::HashMap;

use super::{package_install, Context, FixAvailability, Rule};
use crate::diagnostic::{Diagnostic, Severity};
use crate::semantics::build_context::requirement_files;
use crate::semantics::commands::{apt_subcommand, basename, requirement_name, resolve};
use crate::syntax::shell::{self, Word};
use crate::syntax::{Args, Keyword, Span};

pub static RULE: Rule = Rule {
    code: "DF011",
    name: "dev-tools-in-inference",
    aliases: &[],
    summary: "Notebooks, test runners, linters or debuggers are installed in an image that serves",
    severity: Severity::Warning,
    fix: FixAvailability::None,
    default_enabled: true,
    doc: include_str!("../../rules/DF011.md"),
    check,
};

/// Python distributions (PEP 503 names) that serve development only.
const DEV_PYTHON: &[&str] = &[
    "jupyter",
    "jupyterlab",
    "jupyter-server",
    "notebook",
    "nbclassic",
    "ipython",
    "ipykernel",
    "ipywidgets",
    "tensorboard",
    "pytest",
    "black",
    "flake8",
    "ruff",
    "mypy",
    "pylint",
    "isort",
    "pre-commit",
    "ipdb",
    "pudb",
    "debugpy",
];

/// Name prefixes of the plugins of those tools (`pytest-cov`, `jupyterlab-git`).
const DEV_PYTHON_PREFIXES: &[&str] = &["pytest-", "jupyterlab-", "flake8-"];

/// Debian and Ubuntu packages that serve development only.
const DEV_APT: &[&str] = &[
    "gdb",
    "valgrind",
    "jupyter",
    "jupyter-notebook",
    "python3-pytest",
    "ipython3",
];

/// Programs that serve a model or an API, run as the image's command.
const SERVERS: &[&str] = &[
    "uvicorn",
    "gunicorn",
    "hypercorn",
    "daphne",
    "waitress-serve",
    "torchserve",
    "tritonserver",
    "text-generation-launcher",
    "text-embeddings-router",
    "vllm",
    "ollama",
    "bentoml",
    "mlflow",
    "fastapi",
    "flask",
    "streamlit",
    "gradio",
    "litserve",
];

/// Python modules run with `-m` that serve (their first component).
const SERVER_MODULES: &[&str] = &[
    "uvicorn",
    "gunicorn",
    "vllm",
    "sglang",
    "llama_cpp",
    "text_generation_server",
    "flask",
    "streamlit",
    "gradio",
    "fastchat",
    "lmdeploy",
];

/// Script names (without `.py`) that say the script serves. (`main.py`
/// says nothing: training scripts are named so as often.)
const SERVER_SCRIPTS: &[&str] = &[
    "app",
    "serve",
    "server",
    "api",
    "inference",
    "infer",
    "predict",
    "handler",
    "service",
    "wsgi",
    "asgi",
    "webui",
    "api_server",
];

/// Programs whose presence in the command says the image is a workbench,
/// whatever else it runs.
const DEV_LAUNCHERS: &[&str] = &[
    "jupyter",
    "jupyter-lab",
    "jupyter-notebook",
    "tensorboard",
    "pytest",
    "bash",
    "sh",
    "zsh",
    "sleep",
];

fn is_dev_python(name: &str) -> bool {
    DEV_PYTHON.contains(&name) || DEV_PYTHON_PREFIXES.iter().any(|p| name.starts_with(p))
}

/// Whether the image's command (the last ENTRYPOINT and CMD of the final
/// stage's lineage) serves, and does not open a workbench.
fn serves(cx: &Context, final_stage: usize) -> bool {
    let mut entry = String::new();
    let mut cmd = String::new();
    for idx in cx.model.lineage(final_stage) {
        if let Some(ins) = cx
            .df
            .instruction_of(idx, &[Keyword::Entrypoint, Keyword::Cmd])
        {
            match (ins.keyword, &ins.args) {
                (Keyword::Entrypoint, _) => entry = ins.command_text(),
                (Keyword::Cmd, Args::Exec(_) | Args::Shell { .. }) => cmd = ins.command_text(),
                _ => {}
            }
        }
    }
    let command = format!("{entry} {cmd}");
    let mut serving = false;
    for c in shell::commands(&command) {
        let r = resolve(&c);
        let program = r.program();
        if program.is_empty() {
            continue;
        }
        // A shell with a script (`sh -c "uvicorn ..."`) is read through.
        let words: Vec<&str> = r.words.iter().map(|w| w.text.as_str()).collect();
        if matches!(program, "sh" | "bash") && words.get(1) == Some(&"-c") {
            let inner = words[2..].join(" ");
            for ic in shell::commands(inner.trim_matches(['"', '\''])) {
                serving |= serving_command(resolve(&ic).words);
            }
            continue;
        }
        // A bare shell is a workbench; a shell running a script is read
        // through the script's name.
        let bare_shell = matches!(program, "sh" | "bash" | "zsh")
            && words[1..].iter().all(|w| w.starts_with('-'));
        if bare_shell
            || (DEV_LAUNCHERS.contains(&program) && !matches!(program, "sh" | "bash" | "zsh"))
        {
            return false;
        }
        serving |= serving_command(r.words);
    }
    serving
}

fn serving_command(words: &[Word]) -> bool {
    let Some(first) = words.first() else {
        return false;
    };
    if SERVERS.contains(&basename(&first.text)) {
        return true;
    }
    let mut it = words.iter().skip(1).map(|w| w.text.as_str());
    while let Some(w) = it.next() {
        if w == "-m" {
            let module = it.next().unwrap_or("");
            let top = module.split('.').next().unwrap_or("");
            return SERVER_MODULES.contains(&top);
        }
        if let Some(stem) = basename(w).strip_suffix(".py") {
            return SERVER_SCRIPTS.contains(&stem);
        }
        // `start_server.sh`, `serve.sh`: a launcher script named for serving.
        if let Some(stem) = basename(w).strip_suffix(".sh") {
            return stem.contains("serve");
        }
    }
    false
}

fn check(cx: &Context) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    let Some(final_stage) = cx.model.final_stage else {
        return out;
    };
    if !serves(cx, final_stage) {
        return out;
    }
    // The development tools each requirements file names, read once
    // however many RUNs install from it.
    let mut in_files: HashMap<String, Vec<String>> = HashMap::new();
    for run in cx.shipping_runs() {
        let mut names: Vec<String> = Vec::new();
        let mut at: Option<Span> = None;
        for (script, cmd) in run.commands() {
            let mut hit = |name: String, w: &Word| {
                if !names.contains(&name) {
                    names.push(name);
                }
                at.get_or_insert_with(|| script.word_span(run.ins, w));
            };
            if let Some(install) = package_install(cmd) {
                for w in install.requirements() {
                    let name = requirement_name(w.text.trim_matches(['"', '\'']));
                    if is_dev_python(&name) {
                        hit(format!("`{name}`"), w);
                    }
                }
                // Requirements files of the context, named with their line,
                // reported at the install.
                let Some(first) = install.args.first() else {
                    continue;
                };
                for read in requirement_files(cx, run, &install) {
                    let dev = in_files.entry(read.file).or_insert_with(|| {
                        read.requirements
                            .iter()
                            .filter_map(|req| {
                                let name = requirement_name(&req.spec);
                                (!req.constraint && is_dev_python(&name))
                                    .then(|| format!("`{name}` (`{}:{}`)", req.file, req.line))
                            })
                            .collect()
                    });
                    for name in dev.iter() {
                        hit(name.clone(), first);
                    }
                }
                continue;
            }
            if apt_subcommand(cmd) == Some("install") {
                for w in cmd.words.iter().filter(|w| !w.text.starts_with('-')) {
                    let name = w.text.split('=').next().unwrap_or(&w.text);
                    if DEV_APT.contains(&name) {
                        hit(format!("`{name}`"), w);
                    }
                }
                continue;
            }
            let r = resolve(cmd);
            if matches!(r.program(), "conda" | "mamba" | "micromamba")
                && r.words.get(1).is_some_and(|w| w.text == "install")
            {
                for w in r.words.iter().skip(2).filter(|w| !w.text.starts_with('-')) {
                    let name = requirement_name(w.text.trim_matches(['"', '\'']));
                    if is_dev_python(&name) {
                        hit(format!("`{name}`"), w);
                    }
                }
            }
        }
        let Some(span) = at else { continue };
        let list = names.join(", ");
        out.push(RULE.diagnostic(
            span,
            format!("Development tools in an image that serves: {list}"),
            "Install them in a development stage or image (`--target dev`), not in the one that ships",
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::syntax::shell::commands;

    fn serving(cmd: &str) -> bool {
        commands(cmd)
            .iter()
            .any(|c| serving_command(resolve(c).words))
    }

    #[test]
    fn tells_serving_commands() {
        for yes in [
            "uvicorn app:app --host 0.0.0.0",
            "python -m vllm.entrypoints.openai.api_server",
            "python3 /app/serve.py",
            "/opt/venv/bin/gunicorn -w 4 app:app",
        ] {
            assert!(serving(yes), "{yes}");
        }
        assert!(serving("/bin/sh /app/start_server.sh"));
        for no in [
            "python train.py",
            "jupyter lab",
            "python -m pytest",
            "bash",
            "sh run_tests.sh",
        ] {
            assert!(!serving(no), "{no}");
        }
        assert!(is_dev_python("pytest-cov"));
        assert!(!is_dev_python("torch"));
    }
}
