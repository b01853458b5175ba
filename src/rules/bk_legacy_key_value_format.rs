//! LegacyKeyValueFormat: `ENV key value` or `LABEL key value`, the old form
//! with a space for `=`. It sets one pair whose value runs to the end of
//! the line, which reads like several pairs and is easy to get wrong.

use super::{Context, FixAvailability, Rule};
use crate::diagnostic::{Diagnostic, Edit, Fix, Severity};
use crate::syntax::{Args, Instruction, Keyword, Span};

pub static RULE: Rule = Rule {
    code: "LegacyKeyValueFormat",
    name: "legacy-key-value-format",
    summary: "`ENV key value` or `LABEL key value` with a space for `=`",
    aliases: &[],
    severity: Severity::Warning,
    fix: FixAvailability::Sometimes,
    default_enabled: true,
    doc: include_str!("../../rules/LegacyKeyValueFormat.md"),
    check,
};

/// The edits that write `key=value` (quoted when the value has blanks),
/// when they mean exactly what the legacy form did: a value of several
/// words holds no quote or escape that quoting would change.
fn fix_for(ins: &Instruction, escape: char) -> Option<Fix> {
    let text = &ins.line.text;
    let key_start = ins.line.index_at_or_after(ins.keyword_span().end)?;
    let key_start = key_start + (text[key_start..].len() - text[key_start..].trim_start().len());
    let key_end = key_start + text[key_start..].find([' ', '\t'])?;
    let rest = &text[key_end..];
    let value_start = key_end + (rest.len() - rest.trim_start().len());
    let value_end = text.trim_end().len();
    let value = text.get(value_start..value_end)?;
    let blanks = value.contains(char::is_whitespace);
    // One word is read the same after `key=` whatever its quotes and
    // escapes; several words are quoted, which only plain text survives.
    if value.is_empty() || (blanks && value.contains(['"', '\'', '\\', '`', escape])) {
        return None;
    }
    // The blanks may run over a line continuation: the first becomes `=`,
    // the others go, and the continuation stays where it is.
    let mut edits: Vec<Edit> = (key_end..value_start)
        .map(|i| {
            let at = ins.line.offset(i);
            Edit::delete(Span::new(at, at + 1))
        })
        .collect();
    edits[0].replacement = "=".into();
    if blanks {
        let v = ins.line.span(value_start, value_end);
        edits.push(Edit::insert(v.start, "\""));
        edits.push(Edit::insert(v.end, "\""));
    }
    Some(Fix::safe(edits))
}

fn check(cx: &Context) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    for (_, ins) in cx.df.instructions_of(&[Keyword::Env, Keyword::Label]) {
        let Args::KeyValues(kvs) = &ins.args else {
            continue;
        };
        let Some(kv) = kvs.first().filter(|kv| kv.sep.is_empty()) else {
            continue;
        };
        let word = ins.keyword_text().to_ascii_uppercase();
        let mut d = RULE.diagnostic(
            ins.keyword_span(),
            format!(
                "`{word} {} ...` uses the legacy form with a space for `=`",
                kv.key
            ),
            format!("Write `{word} {}=...`", kv.key),
        );
        d.fix = fix_for(ins, cx.df.escape);
        out.push(d);
    }
    out
}
