//! DF001 devel-base-in-final-stage: the shipped image is built on a CUDA or
//! framework `-devel` image although it serves rather than trains.

use std::borrow::Cow;

use super::{Context, FixAvailability, Rule};
use crate::diagnostic::{Diagnostic, Severity};
use crate::semantics::images::{devel_image, runtime_counterpart};
use crate::settings::Profile;
use crate::syntax::{Args, ItemKind, Keyword};

pub static RULE: Rule = Rule {
    code: "DF001",
    name: "devel-base-in-final-stage",
    summary: "Final stage is built on a CUDA or framework devel image",
    aliases: &[],
    severity: Severity::Error,
    fix: FixAvailability::Sometimes,
    default_enabled: true,
    doc: include_str!("../../rules/DF001.md"),
    check,
};

/// Words in ENTRYPOINT/CMD that launch training.
fn launches_training(command: &str) -> bool {
    let lower = command.to_ascii_lowercase();
    if lower.contains("accelerate launch")
        || lower.contains("torch.distributed")
        || lower.contains("torchrun")
        || lower.contains("deepspeed")
    {
        return true;
    }
    lower
        .split(|c: char| c.is_whitespace() || c == '"' || c == '\'' || c == ',')
        .map(|w| w.rsplit('/').next().unwrap_or(w))
        .any(|w| w.starts_with("train") && (w.ends_with(".py") || w.ends_with(".sh")))
}

/// Training frameworks: a RUN that installs, builds or checks one of these
/// belongs to a training image.
const TRAINING_FRAMEWORKS: &[&str] = &[
    "deepspeed",
    "horovod",
    "axolotl",
    "llamafactory",
    "llama-factory",
];

/// Whether a shipping stage installs or builds a training framework.
fn installs_training_framework(cx: &Context) -> bool {
    cx.shipping_runs().iter().any(|run| {
        // The bodies are read in place, not copied one by one.
        let text = std::iter::once(Cow::Owned(run.ins.command_text()))
            .chain(
                run.ins
                    .heredocs
                    .iter()
                    .map(|h| Cow::Borrowed(h.content(&cx.df.text))),
            )
            .collect::<String>()
            .to_ascii_lowercase();
        TRAINING_FRAMEWORKS.iter().any(|f| text.contains(f))
    })
}

/// `Dockerfile.train`, `Dockerfile.training`, `train.Dockerfile`, `gpu-train.dockerfile`.
fn training_file_name(name: &str) -> bool {
    let name = name.rsplit('/').next().unwrap_or(name).to_ascii_lowercase();
    name.starts_with("dockerfile.train")
        || name
            .strip_suffix(".dockerfile")
            .is_some_and(|stem| stem.contains("train"))
}

/// A development container by its path: `.devcontainer/Dockerfile`,
/// `Dockerfile.dev`, `dev.Dockerfile`, `Dockerfile.devel`.
fn development_file_name(path: &str) -> bool {
    let lower = path.replace('\\', "/").to_ascii_lowercase();
    if lower.contains(".devcontainer/") {
        return true;
    }
    let name = lower.rsplit('/').next().unwrap_or(&lower);
    let stem_is_dev = |stem: &str| {
        stem.split(['.', '-', '_']).any(|part| {
            matches!(
                part,
                "dev" | "devel" | "develop" | "development" | "devcontainer"
            )
        })
    };
    name.strip_prefix("dockerfile").is_some_and(stem_is_dev)
        || name.strip_suffix(".dockerfile").is_some_and(stem_is_dev)
}

/// Programs that, as the image's command, make it an interactive or
/// development container rather than a server.
const DEVELOPMENT_PROGRAMS: &[&str] = &[
    "bash",
    "sh",
    "zsh",
    "fish",
    "dash",
    "ash",
    "jupyter",
    "jupyter-lab",
    "jupyter-notebook",
    "jupyterlab",
    "ipython",
    "code-server",
    "sshd",
];

/// Python modules that, run with `python -m`, start the same.
const DEVELOPMENT_MODULES: &[&str] = &["jupyter", "jupyterlab", "notebook", "IPython"];

/// Shells: `bash -c '...'` runs the script, which says what the image does.
const SHELLS: &[&str] = &["bash", "sh", "zsh", "dash", "ash"];

/// Whether the image's command (ENTRYPOINT then CMD, as words) starts a
/// shell or a notebook rather than a program that serves.
fn starts_development_tool(argv: &[String]) -> bool {
    let base = |w: &str| w.rsplit('/').next().unwrap_or(w).to_string();
    let Some(first) = argv.first() else {
        return false;
    };
    let program = base(first);
    if SHELLS.contains(&program.as_str()) {
        // `bash -c "python serve.py"`: the script decides.
        if let Some(i) = argv
            .iter()
            .position(|w| w.starts_with('-') && w.contains('c'))
        {
            let script: Vec<String> = argv[i + 1..]
                .iter()
                .flat_map(|w| w.split_whitespace().map(str::to_string).collect::<Vec<_>>())
                .collect();
            return script.is_empty() || starts_development_tool(&script);
        }
        return true;
    }
    if program.starts_with("python") {
        return argv.get(1).map(String::as_str) == Some("-m")
            && argv
                .get(2)
                .is_some_and(|m| DEVELOPMENT_MODULES.contains(&m.as_str()));
    }
    if program == "sleep" || (program == "tail" && argv.iter().any(|w| w == "/dev/null")) {
        // Kept alive to be entered with `docker exec`.
        return true;
    }
    DEVELOPMENT_PROGRAMS.contains(&program.as_str())
}

/// Words that, in a comment next to the word `devel`, say the devel base is
/// kept on purpose ("devel needed for bitsandbytes", "devel required: kernels
/// are compiled at run time").
const KEPT_ON_PURPOSE: &[&str] = &[
    "need",
    "require",
    "on purpose",
    "intentional",
    "deliberate",
    "at run time",
    "at runtime",
    "jit",
];

/// Whether a comment says why the devel base stays: one in the block right
/// above the base's `FROM`, or inside the final stage.
fn justifying_comment(cx: &Context, root: usize, final_stage: usize) -> bool {
    let items = &cx.df.items;
    let root_from = cx.model.stages[root].from_item;
    let above = (0..root_from)
        .rev()
        .take_while(|&i| matches!(items[i].kind, ItemKind::Comment));
    let stage_start = cx.model.stages[final_stage].from_item;
    let stage_end = cx
        .model
        .stages
        .get(final_stage + 1)
        .map_or(items.len(), |s| s.from_item);
    above.chain(stage_start..stage_end).any(|i| {
        if !matches!(items[i].kind, ItemKind::Comment) {
            return false;
        }
        let lower = cx.df.slice(items[i].span).to_ascii_lowercase();
        lower.contains("devel") && KEPT_ON_PURPOSE.iter().any(|w| lower.contains(w))
    })
}

/// The words of an ENTRYPOINT or CMD: exec form as written, shell form as
/// `/bin/sh -c <text>`.
fn command_words(ins: &crate::syntax::Instruction) -> Vec<String> {
    match &ins.args {
        Args::Exec(words) => words.iter().map(|w| w.to_string()).collect(),
        _ => vec!["/bin/sh".into(), "-c".into(), ins.command_text()],
    }
}

/// What the file says the image is for.
enum Intent {
    /// It runs a program that serves (or at least not a shell or notebook).
    Serves,
    /// Training, development, or a devel base kept on purpose: no finding.
    NotServing,
    /// No CMD or ENTRYPOINT: the file does not tell.
    Unknown,
}

fn intent(cx: &Context, root: usize, final_stage: usize) -> Intent {
    if cx
        .file_name
        .is_some_and(|n| training_file_name(n) || development_file_name(n))
    {
        return Intent::NotServing;
    }
    // The command the image runs: the last ENTRYPOINT and CMD in its lineage.
    let mut entry: Option<&crate::syntax::Instruction> = None;
    let mut cmd: Option<&crate::syntax::Instruction> = None;
    for idx in cx.model.lineage(final_stage) {
        if let Some(ins) = cx
            .df
            .instruction_of(idx, &[Keyword::Entrypoint, Keyword::Cmd])
        {
            match (ins.keyword, &ins.args) {
                (Keyword::Entrypoint, _) => {
                    entry = Some(ins);
                    // A new ENTRYPOINT clears an inherited CMD.
                    cmd = None;
                }
                (Keyword::Cmd, Args::Exec(_) | Args::Shell { .. }) => cmd = Some(ins),
                _ => {}
            }
        }
    }
    let text =
        |i: Option<&crate::syntax::Instruction>| i.map(|i| i.command_text()).unwrap_or_default();
    if launches_training(&text(entry))
        || launches_training(&text(cmd))
        || installs_training_framework(cx)
    {
        return Intent::NotServing;
    }
    if justifying_comment(cx, root, final_stage) {
        return Intent::NotServing;
    }
    // What runs: the ENTRYPOINT with the CMD as its arguments (exec form),
    // or the CMD alone.
    let argv: Vec<String> = match (entry, cmd) {
        (Some(e), Some(c)) if matches!(e.args, Args::Exec(_)) => {
            let mut v = command_words(e);
            v.extend(command_words(c));
            v
        }
        (Some(e), _) => command_words(e),
        (None, Some(c)) => command_words(c),
        (None, None) => return Intent::Unknown,
    };
    if starts_development_tool(&argv) {
        Intent::NotServing
    } else {
        Intent::Serves
    }
}

fn check(cx: &Context) -> Vec<Diagnostic> {
    let Some(final_stage) = cx.model.final_stage else {
        return Vec::new();
    };
    let chain = cx.model.chain(final_stage);
    let Some(&root) = chain.last() else {
        return Vec::new();
    };
    let Some(base) = cx.model.stages[root].base.as_deref() else {
        return Vec::new();
    };
    let Some(devel) = devel_image(base) else {
        return Vec::new();
    };
    // `auto` judges from the file; `inference` says the image serves
    // whatever its command; `training` that a devel base is expected unless
    // the file shows a server.
    let severity = match (intent(cx, root, final_stage), cx.profile) {
        (Intent::NotServing, Profile::Auto | Profile::Training) => return Vec::new(),
        (Intent::Unknown, Profile::Training) => return Vec::new(),
        (Intent::Unknown, Profile::Auto) => Severity::Info,
        _ => RULE.severity,
    };
    let instead = match (&devel.runtime, devel.advice) {
        (Some(runtime), _) => format!("`{runtime}`"),
        (None, Some(advice)) => advice.to_string(),
        (None, None) => "a runtime image".to_string(),
    };
    let mut message = match devel.runtime {
        Some(_) => format!("Final stage runs on the devel image `{base}`; serving needs only {instead}"),
        None => format!(
            "Final stage runs on `{base}`, which carries the whole CUDA toolkit; serving needs only {instead}"
        ),
    };
    if severity == Severity::Info {
        message.push_str(
            " (the file has no CMD or ENTRYPOINT, so whether it serves is unclear: set `profile` to say)",
        );
    }
    let mut help = match &devel.runtime {
        Some(runtime) => format!(
            "Compile in a `builder` stage on `{base}` and copy the results into a stage on `{runtime}`"
        ),
        None => format!("Compile in a `builder` stage on `{base}` and ship on {instead}"),
    };
    let fix = match &devel.runtime {
        Some(runtime) => match crate::rewrite::multi_stage(cx, runtime, runtime_counterpart) {
            Ok(fix) => Some(fix),
            Err(reason) => {
                help.push_str(&format!(" (no automatic rewrite: {reason})"));
                None
            }
        },
        None => None,
    };
    let mut d = RULE.diagnostic(
        cx.from_image_span(cx.model.stages[root].from_item),
        message,
        help,
    );
    d.severity = severity;
    d.fix = fix;
    vec![d]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn training_is_recognised() {
        assert!(launches_training("torchrun --nproc_per_node=8 serve.py"));
        assert!(launches_training("python /app/train_lora.py"));
        assert!(launches_training("python -m torch.distributed.run x.py"));
        assert!(!launches_training("python serve.py"));
        assert!(!launches_training("uvicorn app:trainer_api"));
        assert!(training_file_name("docker/Dockerfile.train"));
        assert!(training_file_name("gpu-train.Dockerfile"));
        assert!(!training_file_name("Dockerfile"));
    }

    #[test]
    fn development_is_recognised() {
        let words = |s: &str| s.split(' ').map(str::to_string).collect::<Vec<_>>();
        assert!(starts_development_tool(&words("/bin/bash")));
        assert!(starts_development_tool(&words("jupyter lab --ip=0.0.0.0")));
        assert!(starts_development_tool(&words(
            "python3 -m jupyter notebook"
        )));
        assert!(starts_development_tool(&words("sleep infinity")));
        assert!(starts_development_tool(&words("tail -f /dev/null")));
        assert!(starts_development_tool(&[
            "/bin/sh".into(),
            "-c".into(),
            "bash".into()
        ]));
        assert!(!starts_development_tool(&[
            "/bin/sh".into(),
            "-c".into(),
            "python serve.py".into()
        ]));
        assert!(!starts_development_tool(&words("python3 serve.py")));
        assert!(!starts_development_tool(&words("uvicorn app:app")));
        assert!(development_file_name(".devcontainer/Dockerfile"));
        assert!(development_file_name("docker/Dockerfile.dev"));
        assert!(development_file_name("dev.Dockerfile"));
        assert!(!development_file_name("Dockerfile"));
        assert!(!development_file_name("Dockerfile.device-plugin"));
    }
}
