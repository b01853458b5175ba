//! dflint: a Dockerfile linter and rewriter for ML and AI containers.
//!
//! The layers, each looking only down:
//! [`syntax`] (a lossless parse like BuildKit's) ->
//! [`semantics`] (one [`semantics::Context`] per file: stages, scope,
//! users, every RUN's commands, suppression comments) ->
//! [`rules`] (metadata and checks) and [`rewrite`] (structural fixes) ->
//! the lint pipeline here ([`lint`]: enabled rules, suppressions, severity
//! overrides, order) and [`fix`] (the one applier) -> [`report`].
//! [`diagnostic`] is the bottom every layer speaks: findings and fixes.

pub mod config;
pub mod diagnostic;
pub mod discover;
pub mod fix;
pub mod io;
pub mod report;
pub mod rewrite;
pub mod rules;
pub mod semantics;
pub mod settings;
pub mod syntax;

pub use diagnostic::{Applicability, Diagnostic, Edit, FileError, Fix, Severity};
pub use settings::Settings;
pub use syntax::{Dockerfile, ParseError};

use semantics::build_context::ContextFiles;
use semantics::dockerignore::DockerIgnore;
use semantics::pragmas::{check_options, pragmas, PragmaTool, Suppressions};
use semantics::{Context, PARALLEL_FROM};

/// Run the enabled rules over a parsed file, drop what its suppression
/// comments silence, apply severity overrides. Findings come sorted by
/// position, then code.
pub fn lint(df: &Dockerfile, settings: &Settings) -> Vec<Diagnostic> {
    lint_in_context(df, settings, None)
}

/// [`lint`] a file that has a build context, whose ignore file is
/// `dockerignore` (rules that need the context, such as CopyIgnoredFile,
/// run only then).
pub fn lint_in_context<'a>(
    df: &'a Dockerfile,
    settings: &Settings,
    dockerignore: Option<&'a DockerIgnore>,
) -> Vec<Diagnostic> {
    lint_in_build_context(df, settings, dockerignore, None)
}

/// [`lint_in_context`] with the build context's files too (rules that
/// report bytes sent or baked in, such as DF005 and DF013, need them).
pub fn lint_in_build_context<'a>(
    df: &'a Dockerfile,
    settings: &Settings,
    dockerignore: Option<&'a DockerIgnore>,
    files: Option<&'a ContextFiles>,
) -> Vec<Diagnostic> {
    lint_keeping(df, settings, dockerignore, files).0
}

/// [`lint_in_build_context`], and the context it built, for the caller to
/// free where it costs least.
fn lint_keeping<'a>(
    df: &'a Dockerfile,
    settings: &'a Settings,
    dockerignore: Option<&'a DockerIgnore>,
    files: Option<&'a ContextFiles>,
) -> (Vec<Diagnostic>, Context<'a>) {
    let mut cx = Context::new(
        df,
        settings.target.as_deref(),
        settings.file_name.as_deref(),
        settings.profile,
    );
    cx.options = settings.rule_options();
    cx.dockerignore = dockerignore;
    cx.context_files = files;
    let enabled = settings.rules_for(settings.file_name.as_deref());
    // The rules read the context and nothing else: on a large file they
    // share the cores (a small one is done before threads would start).
    let mut per_rule: Vec<Vec<Diagnostic>> = if df.text.len() >= PARALLEL_FROM {
        use rayon::prelude::*;
        enabled.par_iter().map(|r| (r.check)(&cx)).collect()
    } else {
        enabled.iter().map(|r| (r.check)(&cx)).collect()
    };
    // Severities are set rule by rule, before the findings are mixed: a
    // file can have a finding a line, and a lookup of each one's rule was
    // a few percent of its lint.
    let checks = check_options(df);
    for (rule, found) in enabled.iter().zip(&mut per_rule) {
        if found.is_empty() {
            continue;
        }
        let level = match settings.severity_of(rule.code) {
            Some(level) => Some(level),
            // `# check=error=true` makes BuildKit's checks fail the build;
            // a severity the settings give a rule still has the last word.
            None if checks.error && rules::is_buildkit(rule.code) => Some(Severity::Error),
            None => None,
        };
        if let Some(level) = level {
            for d in found {
                d.severity = level;
            }
        }
    }
    let mut out = concat(per_rule);
    rules::drop_superseded(&mut out, df);
    let pragmas = pragmas(df);
    if !pragmas.is_empty() {
        // An index of what each comment covers: a file with many findings
        // and many comments stays linear.
        let index = Suppressions::new(&pragmas);
        out.retain(|d| {
            // The finding's rule is looked up only when a comment covers it.
            let mut covering = index.covering(d.span.start).peekable();
            if covering.peek().is_none() {
                return true;
            }
            let Some(rule) = rules::by_code(d.code) else {
                return true;
            };
            !covering.any(|p| {
                p.codes.iter().any(|(code, _)| {
                    rule.is_named(code)
                            // `# check=skip=all` silences every BuildKit check.
                            || (p.tool == PragmaTool::BuildKit
                                && code == "all"
                                && rules::is_buildkit(rule.code))
                })
            })
        });
    }
    sort_by_position(&mut out);
    (out, cx)
}

/// Free a file's tree and context. On a large file that is millions of
/// small blocks, a tenth of a `check`: a worker thread frees them while
/// the caller goes on to report (or the process exits first).
fn free_elsewhere<T: Send + 'static>(parts: T, file_size: usize) {
    if file_size >= PARALLEL_FROM {
        rayon::spawn(move || drop(parts));
    }
}

/// The rules' findings in one vector, in no particular order (they are
/// sorted by position next, and a rule's own stay in its order). Built in
/// the largest rule's vector, grown to the total and then trimmed: a file
/// with a finding a line would otherwise hold that rule's findings twice at
/// once (its vector, grown by doubling, and a copy), and large vectors grow
/// and shrink in place.
fn concat(per_rule: Vec<Vec<Diagnostic>>) -> Vec<Diagnostic> {
    let total: usize = per_rule.iter().map(Vec::len).sum();
    let largest = (0..per_rule.len()).max_by_key(|&i| per_rule[i].len());
    let mut per_rule = per_rule;
    let mut out = largest.map_or_else(Vec::new, |i| std::mem::take(&mut per_rule[i]));
    out.reserve_exact(total - out.len());
    for found in per_rule {
        out.extend(found);
    }
    out.shrink_to_fit();
    out
}

/// Sort findings by position, then rule, keeping a rule's own order. The
/// order is found on indices and then applied by swaps: a stable sort of
/// the findings themselves takes a scratch buffer of half their size.
fn sort_by_position(found: &mut [Diagnostic]) {
    let Ok(n) = u32::try_from(found.len()) else {
        found.sort_by(|a, b| (a.span.start, a.code).cmp(&(b.span.start, b.code)));
        return;
    };
    let mut order: Vec<u32> = (0..n).collect();
    order.sort_by_key(|&i| (found[i as usize].span.start, found[i as usize].code));
    // Follow each cycle of the permutation: place `j` gets the finding at
    // `order[j]`; a done place is marked.
    const DONE: u32 = u32::MAX;
    for start in 0..found.len() {
        let mut j = start;
        while order[j] != DONE {
            let from = order[j] as usize;
            order[j] = DONE;
            if from == start {
                break;
            }
            found.swap(j, from);
            j = from;
        }
    }
}

/// The position of a parse or validation error, as a [`FileError`] on `text`.
pub fn file_error(text: &str, e: &ParseError) -> FileError {
    let mut offset = 0;
    for (n, line) in text.split_inclusive('\n').enumerate() {
        if n + 1 == e.line {
            let col: usize = line
                .char_indices()
                .nth(e.column.saturating_sub(1))
                .map_or(line.len(), |(i, _)| i);
            offset += col;
            break;
        }
        offset += line.len();
    }
    let offset = offset.min(text.len());
    let end = text[offset..]
        .find(['\n', '\r', ' ', '\t'])
        .map_or(text.len(), |i| offset + i);
    FileError {
        span: syntax::Span::new(offset, end),
        line: e.line,
        column: e.column,
        message: e.message.clone(),
    }
}

/// Parse a file and check it as BuildKit does before a build: every error it finds.
pub fn parse_valid(text: &str) -> Result<Dockerfile, Vec<FileError>> {
    // The tree keeps a copy of the text either way.
    parse_valid_owned(text.to_string()).map_err(|(errors, _)| errors)
}

/// [`parse_valid`] a text the caller gives away (the tree keeps it, not a
/// copy); on errors the text comes back with them.
pub fn parse_valid_owned(text: String) -> Result<Dockerfile, (Vec<FileError>, String)> {
    let df = syntax::parse_owned(text).map_err(|(e, text)| (vec![file_error(&text, &e)], text))?;
    let errors = syntax::validate::errors(&df);
    if !errors.is_empty() {
        let errors = errors.iter().map(|e| file_error(&df.text, e)).collect();
        return Err((errors, df.text));
    }
    Ok(df)
}

/// Parse, validate like BuildKit and lint a file's text.
pub fn check(
    text: &str,
    settings: &Settings,
) -> Result<(Dockerfile, Vec<Diagnostic>), Vec<FileError>> {
    check_in_context(text, settings, None)
}

/// [`check`] a file that has a build context (see [`lint_in_context`]).
pub fn check_in_context(
    text: &str,
    settings: &Settings,
    dockerignore: Option<&DockerIgnore>,
) -> Result<(Dockerfile, Vec<Diagnostic>), Vec<FileError>> {
    check_in_build_context(text, settings, dockerignore, None)
}

/// [`check_in_build_context`] of a text the caller gives away: the file is
/// held once while it is linted (a large file's copy would double its share
/// of the peak memory). The text comes back beside the findings or errors.
pub fn check_owned(
    text: String,
    settings: &Settings,
    dockerignore: Option<&DockerIgnore>,
    files: Option<&ContextFiles>,
) -> (String, Result<Vec<Diagnostic>, Vec<FileError>>) {
    let mut df = match parse_valid_owned(text) {
        Ok(df) => df,
        Err((errors, text)) => return (text, Err(errors)),
    };
    if let Some(error) = missing_target(&df, settings) {
        return (df.text, Err(vec![error]));
    }
    let (found, cx) = lint_keeping(&df, settings, dockerignore, files);
    let leftovers = cx.into_leftovers();
    let text = std::mem::take(&mut df.text);
    free_elsewhere((df, leftovers), text.len());
    (text, Ok(found))
}

/// The error for a `--target` the file has no stage of.
fn missing_target(df: &Dockerfile, settings: &Settings) -> Option<FileError> {
    let target = settings.target.as_deref()?;
    let model = semantics::Model::new(df, Some(target));
    model.final_stage.is_none().then(|| FileError {
        span: syntax::Span::new(0, 0),
        line: 1,
        column: 1,
        message: format!("target stage {target:?} could not be found"),
    })
}

/// [`check_in_context`] with the build context's files too.
pub fn check_in_build_context(
    text: &str,
    settings: &Settings,
    dockerignore: Option<&DockerIgnore>,
    files: Option<&ContextFiles>,
) -> Result<(Dockerfile, Vec<Diagnostic>), Vec<FileError>> {
    let df = parse_valid(text)?;
    if let Some(error) = missing_target(&df, settings) {
        return Err(vec![error]);
    }
    let found = lint_in_build_context(&df, settings, dockerignore, files);
    Ok((df, found))
}

/// A small deterministic generator for the unit tests' random cases:
/// `next(n)` is below `n` (xorshift; any seed but zero).
#[cfg(test)]
pub(crate) fn rng(mut seed: u64) -> impl FnMut(u64) -> usize {
    move |n: u64| {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        (seed % n) as usize
    }
}

/// `count` random texts of up to `max_len - 1` of `pieces` each, from
/// [`rng`]`(seed)`: inputs for differential tests of text scanners.
#[cfg(test)]
pub(crate) fn random_texts<'p>(
    seed: u64,
    pieces: &'p [&'p str],
    max_len: u64,
    count: usize,
) -> impl Iterator<Item = String> + 'p {
    let mut next = rng(seed);
    (0..count).map(move |_| {
        let len = next(max_len);
        (0..len)
            .map(|_| pieces[next(pieces.len() as u64)])
            .collect()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_large_file_checks_as_it_lints() {
        // Past the size from which the tree is freed on a worker thread.
        let mut text = String::from("FROM python:3.11\n");
        let mut n = 0;
        while text.len() < PARALLEL_FROM + 1000 {
            text.push_str(&format!("ENV V{n}=x\nRUN pip install p{n} && echo $V{n}\n"));
            n += 1;
        }
        let settings = Settings::default();
        let expected = lint(&parse_valid(&text).expect("valid"), &settings);
        assert!(expected.len() >= n, "a finding a RUN at least");
        let (back, found) = check_owned(text.clone(), &settings, None, None);
        assert_eq!(back, text);
        let found = found.expect("no file error");
        let key = |d: &Diagnostic| (d.code, d.span, d.message.to_string());
        assert_eq!(
            found.iter().map(key).collect::<Vec<_>>(),
            expected.iter().map(key).collect::<Vec<_>>()
        );
    }

    #[test]
    fn sorting_by_position_is_the_stable_sort() {
        let mut next = rng(0x9e37_79b9_7f4a_7c15);
        for len in [0, 1, 2, 3, 10, 100, 1000] {
            let found: Vec<Diagnostic> = (0..len)
                .map(|i| Diagnostic {
                    code: ["DF002", "DF003", "DL3008"][next(3)],
                    severity: Severity::Warning,
                    span: syntax::Span::new(next(20), 30),
                    // The message tells findings of one place and rule apart.
                    message: i.to_string().into(),
                    help: "".into(),
                    fix: None,
                })
                .collect();
            let mut want = found.clone();
            want.sort_by(|a, b| (a.span.start, a.code).cmp(&(b.span.start, b.code)));
            let mut got = found;
            sort_by_position(&mut got);
            let key = |d: &Diagnostic| (d.span.start, d.code, d.message.to_string());
            assert_eq!(
                got.iter().map(key).collect::<Vec<_>>(),
                want.iter().map(key).collect::<Vec<_>>()
            );
        }
    }
}
