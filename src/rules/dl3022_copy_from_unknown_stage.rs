//! DL3022 copy-from-unknown-stage: `COPY --from=` a name that is no stage
//! defined above.

use foldhash::HashMap;

use super::{Context, FixAvailability, Rule};
use crate::diagnostic::{Diagnostic, Severity};
use crate::semantics::{unquote, Stage};
use crate::syntax::Keyword;

pub static RULE: Rule = Rule {
    code: "DL3022",
    name: "copy-from-unknown-stage",
    summary: "`COPY --from` names no stage defined before it",
    aliases: &[],
    severity: Severity::Warning,
    fix: FixAvailability::None,
    default_enabled: false,
    doc: include_str!("../../rules/DL3022.md"),
    check,
};

/// Whether a `--from` value is plainly an image reference: it has a
/// registry or namespace, a tag or a digest.
pub fn looks_like_image(value: &str) -> bool {
    value.contains(['/', ':', '@'])
}

/// Each stage name (as the model keeps it, lower-cased) with the first
/// stage that has it.
pub fn first_stage_by_name(stages: &[Stage]) -> HashMap<&str, usize> {
    let mut first = HashMap::default();
    for (n, stage) in stages.iter().enumerate() {
        if let Some(name) = stage.name.as_deref() {
            first.entry(name).or_insert(n);
        }
    }
    first
}

fn check(cx: &Context) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    // The first stage of each name (names are lower-cased): a name is
    // known above a stage when its first stage is. A map, not a search of
    // the stages above each COPY, which grew with their product.
    let first = first_stage_by_name(&cx.model.stages);
    for (n, stage) in cx.model.stages.iter().enumerate() {
        for &item in &stage.items {
            let Some(ins) = cx.df.instruction_of(item, &[Keyword::Copy]) else {
                continue;
            };
            let Some(flag) = ins.flag("from") else {
                continue;
            };
            let value = unquote(flag.value().unwrap_or(""));
            if value.is_empty() || value.contains('$') || looks_like_image(&value) {
                continue;
            }
            let known = match value.parse::<usize>() {
                Ok(index) => index < n,
                Err(_) => first
                    .get(value.to_ascii_lowercase().as_str())
                    .is_some_and(|&s| s < n),
            };
            // Its own name is DL3023's.
            let own = stage
                .name
                .as_deref()
                .is_some_and(|s| s.eq_ignore_ascii_case(&value));
            if known || own {
                continue;
            }
            out.push(RULE.diagnostic(
                flag.span,
                format!("`COPY --from={value}` names no stage defined above it"),
                "Name a stage defined earlier (`FROM ... AS name`), or give an image with its tag",
            ));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_name_is_known_below_its_first_stage() {
        let text = "\
FROM a AS one
FROM b AS two
COPY --from=one /x /x
COPY --from=three /x /x
COPY --from=TWO /x /x
COPY --from=1 /x /x
COPY --from=0 /x /x
FROM c AS three
COPY --from=three /x /x
FROM d AS One
COPY --from=one /y /y
COPY --from=Three /y /y
";
        // `three` is defined below line 4; a stage's own index is not above it.
        assert_eq!(super::super::finding_lines(check, text), [4, 6]);
        let df = crate::parse_valid(text).expect("a valid file");
        let cx = Context::new(&df, None, None, crate::semantics::Profile::default());
        let first = first_stage_by_name(&cx.model.stages);
        assert_eq!((first["one"], first["two"], first["three"]), (0, 1, 2));
    }
}
