//! `dflint fix` over every real-world file in `../shared/corpus/realworld`
//! (when present): it never panics, what it writes is a valid Dockerfile,
//! and a second fix changes nothing.

mod common;

use dflint::{fix, syntax, Settings};

#[test]
fn fixing_real_world_files_gives_valid_stable_dockerfiles() {
    let Some(corpus) = common::corpus() else {
        return;
    };
    let mut fixed_files = 0;
    let mut rewrites = 0;
    for (name, text) in common::realworld(&corpus) {
        let mut options = Settings::default().for_file(&name);
        options.unsafe_fixes = true;
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
        if outcome.output != text {
            fixed_files += 1;
        }
        rewrites += outcome
            .fixed
            .iter()
            .filter(|(c, _)| *c == "DF001" || *c == "DF007")
            .count();
    }
    assert!(fixed_files > 100, "only {fixed_files} files changed");
    assert!(rewrites >= 1, "no multi-stage rewrite over the corpus");
}
