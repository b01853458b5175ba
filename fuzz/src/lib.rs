//! The invariants each fuzz target asserts, kept in one library so that a
//! crash found by one target can be replayed from a plain test or a
//! debugger with the same checks.
//!
//! Every function panics with a message naming the broken invariant; a
//! panic is what libFuzzer records as a crash.

use std::cell::RefCell;
use std::collections::HashMap;

use dflint::config::ConfigOptions;
use dflint::fix::{fix as apply_fixes, FixError};
use dflint::settings::Layer;
use dflint::syntax::{ItemKind, Keyword, Span};
use dflint::{Diagnostic, Dockerfile, Settings};

thread_local! {
    // Resolving `select = ["ALL"]` for every input would cost more than a
    // small input's parse; settings are immutable once built.
    static ALL_RULES: RefCell<Option<Settings>> = const { RefCell::new(None) };
}

/// Settings with every rule enabled (`select = ["ALL"]`), so the fuzzer
/// reaches rules that are off by default.
pub fn all_rules() -> Settings {
    ALL_RULES.with(|cell| {
        cell.borrow_mut()
            .get_or_insert_with(|| {
                let options = ConfigOptions {
                    select: Some(vec!["ALL".into()]),
                    ..ConfigOptions::default()
                };
                Settings::resolve(&[Layer {
                    source: "--select".into(),
                    options: &options,
                    base: None,
                }])
                .expect("ALL is a valid selector")
            })
            .clone()
    })
}

/// The parser never panics (a panic fails the run by itself), and a text it
/// accepts comes back byte for byte from its items, which tile it in order.
pub fn parse(text: &str) {
    let Ok(df) = dflint::syntax::parse(text) else {
        return;
    };
    assert_lossless(text, &df);
}

/// Items start where the previous one ended, cover the text, and their
/// slices concatenate to it.
pub fn assert_lossless(text: &str, df: &Dockerfile) {
    assert_eq!(df.text, text, "the parse keeps a different text");
    let mut at = 0;
    let mut joined = String::with_capacity(text.len());
    for item in &df.items {
        assert_eq!(item.span.start, at, "items leave a gap or overlap at {at}");
        assert!(
            item.span.end >= item.span.start && item.span.end <= text.len(),
            "item span {:?} is outside a text of {} bytes",
            item.span,
            text.len()
        );
        joined.push_str(df.slice(item.span));
        at = item.span.end;
    }
    assert_eq!(joined, text, "items' text does not give the input back");
}

/// Linting with every rule never panics; every finding and every edit of
/// its fix points at whole characters inside the text.
pub fn check(text: &str) {
    let settings = all_rules();
    match dflint::check(text, &settings) {
        Ok((_, found)) => {
            for d in &found {
                assert_span(text, d.span, &format!("{} finding", d.code));
                assert_fix_spans(text, d);
            }
        }
        Err(errors) => {
            for e in &errors {
                assert_span(text, e.span, "file error");
                assert!(e.line >= 1 && e.column >= 1, "file error at 0: {e}");
            }
        }
    }
}

fn assert_fix_spans(text: &str, d: &Diagnostic) {
    for edit in d.fix.iter().flat_map(|f| &f.edits) {
        assert_span(text, edit.span, &format!("{} fix edit", d.code));
    }
}

/// `span` is a forward range inside `text` whose ends are char boundaries.
pub fn assert_span(text: &str, span: Span, what: &str) {
    assert!(
        span.start <= span.end && span.end <= text.len(),
        "{what} span {span:?} is outside a text of {} bytes",
        text.len()
    );
    assert!(
        text.is_char_boundary(span.start) && text.is_char_boundary(span.end),
        "{what} span {span:?} splits a character"
    );
}

/// Safe and unsafe fixing with every rule: no panic, fixes settle, the
/// output is valid and already fixed, and safe fixes keep comments and add
/// no stage or user.
pub fn fix(text: &str) {
    let mut settings = all_rules();
    for unsafe_fixes in [false, true] {
        settings.unsafe_fixes = unsafe_fixes;
        let Some(output) = fix_settles(text, &settings) else {
            return;
        };
        if !unsafe_fixes {
            assert_comments_kept(text, &output);
            assert_no_new(text, &output, Keyword::From);
            assert_no_new(text, &output, Keyword::User);
        }
    }
}

/// Fix `text` and check what every fix must give; the output, or `None`
/// when the text is not a valid Dockerfile.
pub fn fix_settles(text: &str, settings: &Settings) -> Option<String> {
    let mode = if settings.unsafe_fixes {
        "unsafe"
    } else {
        "safe"
    };
    let outcome = match apply_fixes(text, settings) {
        Ok(outcome) => outcome,
        Err(FixError::Invalid(_)) => return None,
        Err(e @ FixError::NotConverged { .. }) => panic!("{mode} fix: {e}"),
    };
    let output = outcome.output;
    if let Err(errors) = dflint::parse_valid(&output) {
        panic!("{mode} fix wrote an invalid file ({errors:?}):\n{output}");
    }
    match apply_fixes(&output, settings) {
        Ok(again) => assert!(
            again.output == output,
            "{mode} fix is not stable; first output:\n{output}\nsecond output:\n{}",
            again.output
        ),
        Err(e) => panic!("{mode} fix of its own output failed: {e}\n{output}"),
    }
    Some(output)
}

/// Comment lines of a text: a line whose first non-blank character is `#`,
/// trimmed, with how often each occurs.
pub fn comment_lines(text: &str) -> HashMap<&str, usize> {
    let mut lines = HashMap::new();
    for line in text.trim_start_matches('\u{feff}').split('\n') {
        let line = line.trim();
        if line.starts_with('#') {
            *lines.entry(line).or_insert(0) += 1;
        }
    }
    lines
}

/// Every comment line of `input` is in `output`, as often as in `input`.
/// Skipped when the input has a heredoc, whose body lines may start with
/// `#` without being comments (a conservative test: any `<<`).
pub fn assert_comments_kept(input: &str, output: &str) {
    if input.contains("<<") {
        return;
    }
    let (before, after) = (comment_lines(input), comment_lines(output));
    for (line, count) in before {
        let kept = after.get(line).copied().unwrap_or(0);
        assert!(
            kept >= count,
            "safe fix dropped the comment line {line:?} ({count} before, {kept} after):\n{output}"
        );
    }
}

/// How many top-level instructions of a kind a valid text has.
pub fn count(text: &str, keyword: Keyword) -> usize {
    let Ok(df) = dflint::syntax::parse(text) else {
        return 0;
    };
    df.items
        .iter()
        .filter(|i| matches!(&i.kind, ItemKind::Instruction(ins) if ins.keyword == keyword))
        .count()
}

/// A safe fix never adds a stage (FROM) or switches user (USER).
pub fn assert_no_new(input: &str, output: &str, keyword: Keyword) {
    let (before, after) = (count(input, keyword), count(output, keyword));
    assert!(
        after <= before,
        "safe fix added a {keyword:?} ({before} before, {after} after):\n{output}"
    );
}
