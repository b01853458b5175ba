//! DL3044 env-uses-own-pair: an ENV pair whose value refers to a variable
//! that an earlier pair of the same ENV sets.

use foldhash::HashSet;

use super::{Context, FixAvailability, Rule};
use crate::diagnostic::{Diagnostic, Edit, Fix, Severity};
use crate::semantics::managers::pair_key_spans;
use crate::syntax::{Args, Instruction, Keyword, Span};

pub static RULE: Rule = Rule {
    code: "DL3044",
    name: "env-uses-own-pair",
    aliases: &[],
    summary: "an ENV value that uses a variable set earlier in the same ENV",
    severity: Severity::Error,
    fix: FixAvailability::Sometimes,
    default_enabled: false,
    doc: include_str!("../../rules/DL3044.md"),
    check,
};

/// The names a value refers to (`$NAME`, `${NAME}`, `${NAME:-x}`), outside
/// single quotes and escapes, where they are not substituted.
fn references(value: &str) -> Vec<&str> {
    let b = value.as_bytes();
    let name_end = |from: usize| {
        let mut j = from;
        while j < b.len() && (b[j].is_ascii_alphanumeric() || b[j] == b'_') {
            j += 1;
        }
        j
    };
    let mut out = Vec::new();
    let mut single = false;
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'\'' => single = !single,
            b'\\' if !single => i += 1,
            b'$' if !single => {
                let start = if b.get(i + 1) == Some(&b'{') {
                    i + 2
                } else {
                    i + 1
                };
                let end = name_end(start);
                if end > start {
                    out.push(&value[start..end]);
                }
                i = end;
                continue;
            }
            _ => {}
        }
        i += 1;
    }
    out
}

/// The edit that starts a new ENV at the pair whose key starts at `at`:
/// the blanks and line continuations before it become a line break and
/// the keyword.
fn split_before(cx: &Context, ins: &Instruction, at: usize) -> Option<Edit> {
    let text = &cx.df.text;
    let escape = cx.df.escape;
    let gap_start = text[..at]
        .char_indices()
        .rev()
        .take_while(|&(_, c)| c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == escape)
        .last()
        .map(|(i, _)| i)?;
    let keyword = ins.keyword_text();
    Some(Edit::replace(
        Span::new(gap_start, at),
        format!("{}{keyword} ", cx.df.newline),
    ))
}

fn check(cx: &Context) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    for (item, ins) in cx.df.instructions_of(&[Keyword::Env]) {
        let Args::KeyValues(pairs) = &ins.args else {
            continue;
        };
        let spans = pair_key_spans(ins);
        // The keys of the pairs before, as a set: an ENV continued over
        // thousands of lines has thousands of pairs.
        let mut set_before: HashSet<&str> = HashSet::default();
        // Read once per ENV, when a pair is reported.
        let mut comment_lines: Option<bool> = None;
        for (n, pair) in pairs.iter().enumerate() {
            let found = references(&pair.value)
                .into_iter()
                .find(|r| set_before.contains(r));
            set_before.insert(pair.key.as_str());
            let Some(name) = found else {
                continue;
            };
            let span = spans.get(n).copied().unwrap_or(ins.keyword_span());
            let mut d = RULE.diagnostic(
                span,
                format!(
                    "`{}` uses `${name}`, which this ENV sets too: it gets the value from before the ENV",
                    pair.key
                ),
                format!("Set `{}` in an ENV of its own, after the one that sets `{name}`", pair.key),
            );
            // A comment line inside the continuation would end up between
            // the line the fix breaks and the new ENV, continuing into it.
            let comment_lines = *comment_lines.get_or_insert_with(|| {
                cx.df
                    .slice(cx.df.items[item].span)
                    .lines()
                    .skip(1)
                    .any(|l| l.trim_start().starts_with('#'))
            });
            if pair.sep == "=" && spans.len() == pairs.len() && !comment_lines {
                d.fix = split_before(cx, ins, span.start).map(|e| Fix::unsafe_edits([e]));
            }
            out.push(d);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::references;

    #[test]
    fn finds_whole_names() {
        assert_eq!(references("\"$BLA/$BLAFOO/blubb\""), ["BLA", "BLAFOO"]);
        assert_eq!(references("${PATH:-/x}:/bin"), ["PATH"]);
        assert_eq!(references("'$NOT' \\$NOT"), Vec::<&str>::new());
    }
}
