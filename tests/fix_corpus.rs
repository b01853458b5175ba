//! `dflint fix` over every real-world file in `../shared/corpus/realworld`:
//! with safe fixes only (the default) and with unsafe fixes, it never
//! panics, what it writes is a valid Dockerfile, a second fix changes
//! nothing, and safe fixes never add a user or a stage.

mod common;

use dflint::{fix, syntax, Settings};

fn count(text: &str, keyword: &str) -> usize {
    syntax::parse(text)
        .map(|df| {
            df.instructions()
                .filter(|(_, i)| i.keyword_text().eq_ignore_ascii_case(keyword))
                .count()
        })
        .unwrap_or(0)
}

fn fix_corpus(unsafe_fixes: bool) -> (usize, usize) {
    let corpus = common::corpus_or_fail();
    let mut fixed_files = 0;
    let mut rewrites = 0;
    for (name, text) in common::realworld(&corpus) {
        let mut options = Settings::default().for_file(&name);
        options.unsafe_fixes = unsafe_fixes;
        let outcome = match fix::fix(&text, &options) {
            Ok(o) => o,
            // Files BuildKit rejects are reported, not fixed.
            Err(fix::FixError::Invalid(_)) => continue,
            Err(e) => panic!("{name}: {e}"),
        };
        assert!(
            outcome.rejected.is_empty(),
            "{name}: rejected fixes {:?}",
            outcome.rejected
        );
        let df = syntax::parse(&outcome.output).unwrap_or_else(|e| panic!("{name}: {e}"));
        syntax::validate::validate(&df).unwrap_or_else(|e| panic!("{name}: {e}"));
        let again = fix::fix(&outcome.output, &options).unwrap();
        assert_eq!(again.output, outcome.output, "{name}: not stable");
        if !unsafe_fixes {
            for keyword in ["USER", "FROM"] {
                assert_eq!(
                    count(&text, keyword),
                    count(&outcome.output, keyword),
                    "{name}: a safe fix changed the number of {keyword} instructions"
                );
            }
            // Every comment line survives a safe fix.
            let comments = |t: &str| {
                t.lines()
                    .filter(|l| l.trim_start().starts_with('#'))
                    .count()
            };
            assert_eq!(
                comments(&text),
                comments(&outcome.output),
                "{name}: comments"
            );
        }
        if outcome.output != text {
            fixed_files += 1;
        }
        rewrites += outcome
            .fixed
            .iter()
            .filter(|(c, _)| *c == "DF001" || *c == "DF007")
            .count();
    }
    (fixed_files, rewrites)
}

#[test]
fn safe_fixes_over_real_world_files_are_valid_stable_and_keep_users_stages_comments() {
    let (fixed_files, rewrites) = fix_corpus(false);
    eprintln!("safe fixes: {fixed_files} files changed");
    // 71 of the 156 valid files have a pip cache or apt lists to fix.
    assert!(fixed_files > 60, "only {fixed_files} files changed");
    assert_eq!(rewrites, 0, "a structural rewrite without --unsafe-fixes");
}

#[test]
fn unsafe_fixes_over_real_world_files_are_valid_and_stable() {
    let (fixed_files, rewrites) = fix_corpus(true);
    eprintln!("unsafe fixes: {fixed_files} files changed, {rewrites} rewrites");
    assert!(fixed_files > 100, "only {fixed_files} files changed");
    assert!(rewrites >= 1, "no multi-stage rewrite over the corpus");
}

/// The multi-stage rewrite reaches most real files that DF001 calls a
/// mistake (an `error`: the file shows a server on a devel base); each file
/// it declines is listed with its reason.
#[test]
fn rewrite_reaches_most_files_where_devel_base_is_an_error() {
    let corpus = common::corpus_or_fail();
    let mut errors = 0;
    let mut rewritten = Vec::new();
    let mut declined = Vec::new();
    for (name, text) in common::realworld(&corpus) {
        let settings = Settings::default().for_file(&name);
        let Ok((_, found)) = dflint::check(&text, &settings) else {
            continue;
        };
        for d in found.iter().filter(|d| d.code == "DF001") {
            if d.severity != dflint::diagnostic::Severity::Error {
                continue;
            }
            errors += 1;
            match &d.fix {
                Some(_) => rewritten.push(name.clone()),
                None => declined.push(format!("{name}: {}", d.help)),
            }
        }
    }
    eprintln!(
        "DF001 errors: {errors}; rewritten {}: {rewritten:#?}; declined: {declined:#?}",
        rewritten.len()
    );
    assert!(errors > 0, "no DF001 error over the corpus");
    assert!(
        rewritten.len() * 10 >= errors * 7,
        "the rewrite reaches {} of {errors} files",
        rewritten.len()
    );
    // Every declined file says why.
    assert!(declined
        .iter()
        .all(|d| d.contains("ship on") || d.contains("no automatic rewrite")));
}
