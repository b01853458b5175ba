//! DF001 devel-base-in-final-stage: the shipped image is built on a CUDA or
//! framework `-devel` image although it serves rather than trains.

use super::{Context, FixAvailability, Rule};
use crate::diagnostic::{Diagnostic, Severity};
use crate::semantics::images::runtime_counterpart;
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
        let text = std::iter::once(run.ins.command_text())
            .chain(run.ins.heredocs.iter().map(|h| h.content.clone()))
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
    let Some(runtime) = runtime_counterpart(base) else {
        return Vec::new();
    };
    if cx.file_name.is_some_and(training_file_name) {
        return Vec::new();
    }
    // The command the image runs: the last ENTRYPOINT and CMD in its lineage.
    let mut entry = String::new();
    let mut cmd = String::new();
    for idx in cx.model.lineage(final_stage) {
        if let ItemKind::Instruction(ins) = &cx.df.items[idx].kind {
            match (ins.keyword, &ins.args) {
                (Keyword::Entrypoint, _) => entry = ins.command_text(),
                (Keyword::Cmd, Args::Exec(_) | Args::Shell { .. }) => cmd = ins.command_text(),
                _ => {}
            }
        }
    }
    if launches_training(&entry) || launches_training(&cmd) || installs_training_framework(cx) {
        return Vec::new();
    }
    // With no command the file does not say what the image is for: the
    // `profile` setting decides.
    if entry.is_empty() && cmd.is_empty() && cx.profile == Profile::Training {
        return Vec::new();
    }
    let mut help = format!(
        "Compile in a `builder` stage on `{base}` and copy the results into a stage on `{runtime}`"
    );
    let fix = match crate::rewrite::multi_stage(cx, &runtime, runtime_counterpart) {
        Ok(fix) => Some(fix),
        Err(reason) => {
            help.push_str(&format!(" (no automatic rewrite: {reason})"));
            None
        }
    };
    let mut d = RULE.diagnostic(
        cx.from_image_span(cx.model.stages[root].from_item),
        format!("Final stage runs on the devel image `{base}`; serving needs only `{runtime}`"),
        help,
    );
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
}
