//! UndefinedArgInFrom: a FROM that uses an ARG no global `ARG` declares.
//! BuildKit substitutes an empty string, so the base image is not the one
//! the author meant (and a misspelt `$BUILDPLATFORM` goes unnoticed).

use super::buildkit::{nearest, var_refs, PLATFORM_ARGS};
use super::{Context, FixAvailability, Rule};
use crate::diagnostic::{Diagnostic, Severity};
use crate::syntax::Span;

pub static RULE: Rule = Rule {
    code: "UndefinedArgInFrom",
    name: "undefined-arg-in-from",
    summary: "a FROM uses an ARG that no global `ARG` declares",
    aliases: &[],
    severity: Severity::Warning,
    fix: FixAvailability::None,
    default_enabled: true,
    doc: include_str!("../../rules/UndefinedArgInFrom.md"),
    check,
};

fn check(cx: &Context) -> Vec<Diagnostic> {
    let declared =
        |name: &str| cx.model.global_args.contains_key(name) || PLATFORM_ARGS.contains(&name);
    let known: Vec<&str> = cx
        .model
        .global_args
        .keys()
        .map(String::as_str)
        .chain(PLATFORM_ARGS.iter().copied())
        .collect();
    let mut out = Vec::new();
    for stage in &cx.model.stages {
        let Some(ins) = cx.instruction(stage.from_item) else {
            continue;
        };
        // The image and the `--platform` value are both expanded.
        let mut places: Vec<(String, Span)> = vec![(
            stage.base_raw.to_string(),
            cx.from_image_span(stage.from_item),
        )];
        if let Some(f) = ins.flag("platform") {
            places.push((f.value().unwrap_or_default().to_string(), f.span));
        }
        for (text, span) in places {
            for r in var_refs(&text, cx.df.escape) {
                if declared(&r.name) {
                    continue;
                }
                let mut message = format!("`FROM` uses the undeclared ARG `{}`", r.name);
                let help = match nearest(&r.name, known.iter().copied()) {
                    Some(near) => {
                        message.push_str(&format!(" (did you mean `{near}`?)"));
                        format!(
                            "Declare it with `ARG {}` before the first `FROM`, or write `{near}`",
                            r.name
                        )
                    }
                    None => format!("Declare it with `ARG {}` before the first `FROM`", r.name),
                };
                out.push(RULE.diagnostic(span, message, help));
            }
        }
    }
    out
}
