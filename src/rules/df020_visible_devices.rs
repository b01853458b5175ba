//! DF020 hardcoded-visible-devices: `ENV CUDA_VISIBLE_DEVICES=...` or a
//! device list in `NVIDIA_VISIBLE_DEVICES` baked into an image that ships.

use super::{Context, FixAvailability, Rule};
use crate::diagnostic::{Diagnostic, Edit, Fix, Severity};
use crate::semantics::managers::pair_key_spans;
use crate::semantics::unquote;
use crate::syntax::{Args, Keyword, Span};

pub static RULE: Rule = Rule {
    code: "DF020",
    name: "hardcoded-visible-devices",
    summary: "`ENV CUDA_VISIBLE_DEVICES` bakes a GPU choice into the image",
    aliases: &[],
    severity: Severity::Warning,
    fix: FixAvailability::Sometimes,
    default_enabled: true,
    doc: include_str!("../../rules/DF020.md"),
    check,
};

/// The variables that pick GPUs, and the values that do not pick any one
/// device (they leave the choice to the runtime, as the CUDA images' own
/// `NVIDIA_VISIBLE_DEVICES=all` does).
const DEVICE_VARIABLES: &[(&str, &[&str])] = &[
    ("CUDA_VISIBLE_DEVICES", &[]),
    ("NVIDIA_VISIBLE_DEVICES", &["all", "none", "void"]),
    ("HIP_VISIBLE_DEVICES", &[]),
    ("ROCR_VISIBLE_DEVICES", &[]),
];

fn check(cx: &Context) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    for (s, stage) in cx.model.stages.iter().enumerate() {
        if !cx.model.ships(s) {
            continue;
        }
        for &item in &stage.items {
            let Some(ins) = cx.df.instruction_of(item, &[Keyword::Env]) else {
                continue;
            };
            let Args::KeyValues(pairs) = &ins.args else {
                continue;
            };
            let keys = pair_key_spans(ins);
            for (n, pair) in pairs.iter().enumerate() {
                let key = unquote(&pair.key);
                let value = unquote(&pair.value);
                let Some((name, _)) = DEVICE_VARIABLES.iter().find(|(v, open)| {
                    *v == key && !open.contains(&value.to_ascii_lowercase().as_str())
                }) else {
                    continue;
                };
                let span = keys.get(n).copied().unwrap_or(ins.keyword_span());
                let mut d = RULE.diagnostic(
                    span,
                    format!("`{name}={value}` fixes which GPUs every container of this image sees"),
                    format!("Remove it and let the scheduler choose (`docker run --gpus`, Kubernetes device requests, `-e {name}=...`)"),
                );
                // The pair goes with the space up to the next key; an ENV of
                // one pair goes whole. The last of several pairs has no
                // clean end to cut at, and is left to a person.
                let edit = if pairs.len() == 1 {
                    Some(Edit::delete(cx.df.items[item].span))
                } else {
                    keys.get(n + 1)
                        .filter(|_| keys.len() == pairs.len())
                        .map(|next| Edit::delete(Span::new(span.start, next.start)))
                };
                d.fix = edit.map(|e| Fix::unsafe_edits([e]));
                out.push(d);
            }
        }
    }
    out
}
