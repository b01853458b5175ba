//! The rule docs are executable: every ```dockerfile bad``` block must raise
//! its rule, every ```dockerfile good``` block must not. Meta checks guard
//! the conventions every rule follows.

use std::collections::HashSet;

use dflint::rules::{FixAvailability, Rule, RULES};
use dflint::semantics::build_context::ContextFiles;
use dflint::semantics::dockerignore::DockerIgnore;
use dflint::settings::Layer;
use dflint::{check_in_build_context, Settings};

/// Fenced blocks of a Markdown doc as `(info string, body)`.
fn blocks(doc: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut current: Option<(String, String)> = None;
    for line in doc.lines() {
        match (&mut current, line.strip_prefix("```")) {
            (None, Some(info)) => current = Some((info.trim().to_string(), String::new())),
            (Some(_), Some(_)) => out.extend(current.take()),
            (Some((_, body)), None) => {
                body.push_str(line);
                body.push('\n');
            }
            (None, None) => {}
        }
    }
    out
}

/// Settings that run only `rule`, with unsafe fixes or not. A rule whose
/// examples need configuration (trusted registries, a label schema) gives
/// it in its doc as a ```toml settings``` block, in `.dflint.toml` form.
fn only(rule: &str, unsafe_fixes: bool) -> Settings {
    let doc = dflint::rules::find(rule).map_or("", |r| r.doc);
    let configured = blocks(doc)
        .into_iter()
        .find(|(info, _)| info == "toml settings")
        .map(|(_, text)| {
            dflint::config::parse_dflint_toml(std::path::Path::new("doc"), &text)
                .unwrap_or_else(|e| panic!("{rule}: settings block: {e}"))
        });
    let options = dflint::config::ConfigOptions {
        select: Some(vec![rule.to_string()]),
        unsafe_fixes: Some(unsafe_fixes),
        ..configured.unwrap_or_default()
    };
    Settings::resolve(&[Layer {
        source: "test".into(),
        options: &options,
        base: None,
    }])
    .unwrap()
}

/// The build context's ignore file a doc's examples are checked with: its
/// ```` ```dockerignore ```` block, if it has one.
fn dockerignore_of(doc: &str) -> Option<DockerIgnore> {
    blocks(doc)
        .into_iter()
        .find(|(info, _)| info == "dockerignore")
        .map(|(_, body)| DockerIgnore::parse(".dockerignore", &body))
}

/// The build context's files a doc's examples are checked with: its
/// ```` ```context ```` block (`path size` a line), if it has one.
fn context_of(doc: &str) -> Option<ContextFiles> {
    blocks(doc)
        .into_iter()
        .find(|(info, _)| info == "context")
        .map(|(_, body)| ContextFiles::from_listing(&body))
}

fn codes_for(rule: &Rule, text: &str) -> Vec<String> {
    let options = only(rule.code, false);
    let ignore = dockerignore_of(rule.doc);
    let files = context_of(rule.doc);
    let (_, found) = check_in_build_context(text, &options, ignore.as_ref(), files.as_ref())
        .unwrap_or_else(|e| panic!("{}: {e:?}\n{text}", rule.code));
    found.into_iter().map(|d| d.code.to_string()).collect()
}

#[test]
fn bad_examples_raise_and_good_examples_do_not() {
    for rule in RULES {
        let examples = blocks(rule.doc);
        let bad: Vec<_> = examples
            .iter()
            .filter(|(i, _)| i == "dockerfile bad")
            .collect();
        let good: Vec<_> = examples
            .iter()
            .filter(|(i, _)| i == "dockerfile good")
            .collect();
        assert!(!bad.is_empty(), "{} has no bad example", rule.code);
        assert!(!good.is_empty(), "{} has no good example", rule.code);
        for (_, text) in bad {
            let codes = codes_for(rule, text);
            assert!(
                !codes.is_empty() && codes.iter().all(|c| c == rule.code),
                "{}: bad example does not raise it:\n{text}",
                rule.code
            );
        }
        for (_, text) in good {
            let codes = codes_for(rule, text);
            assert!(
                codes.is_empty(),
                "{}: good example raises {codes:?}:\n{text}",
                rule.code
            );
        }
    }
}

#[test]
fn every_rule_has_a_complete_doc_and_a_unique_identity() {
    let mut codes = HashSet::new();
    let mut names = HashSet::new();
    for rule in RULES {
        assert!(codes.insert(rule.code), "duplicate code {}", rule.code);
        assert!(names.insert(rule.name), "duplicate name {}", rule.name);
        assert!(
            rule.doc
                .starts_with(&format!("# {} {}\n", rule.code, rule.name)),
            "{}: the doc must start with `# CODE name`",
            rule.code
        );
        for section in [
            "## What it does",
            "## Why is this bad?",
            "## Example",
            "## How to fix",
        ] {
            assert!(
                rule.doc.contains(section),
                "{}: missing {section}",
                rule.code
            );
        }
        assert!(
            !rule.summary.ends_with('.'),
            "{}: summary ends with a period",
            rule.code
        );
    }
}

#[test]
fn messages_and_help_follow_the_conventions() {
    // Every rule's bad examples give messages in sentence case without a
    // trailing period, and a help line.
    for rule in RULES {
        for (info, text) in blocks(rule.doc) {
            if info != "dockerfile bad" {
                continue;
            }
            let options = only(rule.code, false);
            let ignore = dockerignore_of(rule.doc);
            let files = context_of(rule.doc);
            let (_, found) =
                check_in_build_context(&text, &options, ignore.as_ref(), files.as_ref()).unwrap();
            for d in found {
                assert!(!d.message.ends_with('.'), "{}: {}", rule.code, d.message);
                assert!(
                    d.message
                        .starts_with(|c: char| c.is_uppercase() || c == '`'),
                    "{}: {}",
                    rule.code,
                    d.message
                );
                assert!(
                    !d.help.is_empty() && !d.help.ends_with('.'),
                    "{}: {}",
                    rule.code,
                    d.help
                );
                assert!(d.span.start < d.span.end, "{}: empty span", rule.code);
            }
        }
    }
}

/// A `fixed` block is the exact output of `dflint fix` (safe fixes) on the
/// `bad` block before it; a `fixed-unsafe` block the output of `dflint fix
/// --unsafe-fixes`, which the safe fixes alone must not give.
#[test]
fn fixed_examples_are_the_exact_output_of_fixing_the_bad_one_before() {
    for rule in RULES {
        let examples = blocks(rule.doc);
        let mut fixed_count = 0;
        for pair in examples.windows(2) {
            let ((info_a, bad), (info_b, fixed)) = (&pair[0], &pair[1]);
            let unsafe_fixes = match info_b.as_str() {
                "dockerfile fixed" => false,
                "dockerfile fixed-unsafe" => true,
                _ => continue,
            };
            assert_eq!(
                info_a, "dockerfile bad",
                "{}: a fixed block must follow a bad one",
                rule.code
            );
            let options = only(rule.code, unsafe_fixes);
            let outcome = dflint::fix::fix(bad, &options).unwrap();
            assert_eq!(&outcome.output, fixed, "{}: fixing\n{bad}", rule.code);
            // Fixing again changes nothing.
            let again = dflint::fix::fix(fixed, &options).unwrap();
            assert_eq!(&again.output, fixed, "{}: not stable", rule.code);
            if unsafe_fixes {
                let safe = dflint::fix::fix(bad, &only(rule.code, false)).unwrap();
                assert_ne!(
                    &safe.output, fixed,
                    "{}: this fix is safe: mark the block `fixed`",
                    rule.code
                );
            }
            fixed_count += 1;
        }
        if rule.fix == FixAvailability::None {
            assert_eq!(
                fixed_count, 0,
                "{} is not fixable but has a fixed example",
                rule.code
            );
        } else {
            assert!(
                fixed_count > 0,
                "{} is fixable but has no fixed example",
                rule.code
            );
        }
    }
}

/// Every fixable rule says how far its fixes can be trusted.
#[test]
fn fixable_rules_document_their_fix_safety() {
    for rule in RULES {
        let has = rule.doc.contains("\n## Fix safety\n");
        if rule.fix == FixAvailability::None {
            continue;
        }
        assert!(
            has,
            "{}: a fixable rule needs a `## Fix safety` section",
            rule.code
        );
        let section = &rule.doc[rule.doc.find("## Fix safety").unwrap()..];
        assert!(
            section.contains("**safe**") || section.contains("**unsafe**"),
            "{}: the Fix safety section must say **safe** or **unsafe**",
            rule.code
        );
    }
}

/// The README's rule table is the registry: same codes, names, severities,
/// in the same order.
#[test]
fn readme_rule_table_matches_the_registry() {
    let readme = include_str!("../README.md");
    let rows: Vec<Vec<String>> = readme
        .lines()
        .filter(|l| l.starts_with("| [") && l.contains("](rules/"))
        .map(|l| l.split('|').map(|c| c.trim().to_string()).collect())
        .collect();
    assert_eq!(rows.len(), RULES.len(), "README rule table rows");
    for (row, rule) in rows.iter().zip(RULES) {
        assert_eq!(
            row[1],
            format!("[{}](rules/{}.md)", rule.code, rule.code),
            "README row for {}",
            rule.code
        );
        assert_eq!(row[2], rule.name, "{}: name", rule.code);
        assert_eq!(row[3], rule.severity.as_str(), "{}: severity", rule.code);
        let fix = match rule.fix {
            FixAvailability::None => "-",
            _ if rule.doc.contains("**unsafe**") && !rule.doc.contains("**safe**") => "unsafe",
            _ if rule.doc.contains("**safe**") && !rule.doc.contains("**unsafe**") => "safe",
            _ => "safe, unsafe",
        };
        assert_eq!(row[4], fix, "{}: fix column", rule.code);
    }
}
