//! Replays hadolint's own rule tests (`../shared/corpus/hadolint-cases.json`)
//! against dflint: for every case, only that rule runs (a `DL` code selects
//! the dflint rule that has it as its code or alias), with the command-line
//! options the case needs turned into settings, and the outcome is compared
//! with what hadolint's test expects.
//!
//! The test prints a table per hadolint code and every disagreement. It
//! asserts agreement overall and for every code with 5 or more cases, over
//! the codes dflint implements; codes dflint does not implement are listed
//! as missing, with their number, never skipped silently. A disagreement
//! kept on purpose is listed in its rule's doc, under "Differences from
//! hadolint", with the name of hadolint's test in the form
//! `(hadolint test: "NAME")`; the test reads those names from the docs.
//!
//! `SC*` cases are ShellCheck's: dflint does not embed ShellCheck, so they
//! are counted apart and not replayed. A `*` case says that no rule at all
//! fires: it runs every rule that has a `DL` code or alias. Cases from
//! hadolint's tests of suppression comments are counted in a `pragmas` row:
//! they test the comments, whatever rule they happen to use.

mod common;

use std::collections::{BTreeMap, HashSet};

use dflint::config::ConfigOptions;
use dflint::rules::{self, Rule, RULES};
use dflint::settings::Layer;
use dflint::{check, Diagnostic, Settings, Severity};
use serde_json::Value;

/// Required agreement, over the cases of implemented codes, in percent.
const OVERALL_THRESHOLD: f64 = 98.0;
/// Required agreement of a code with at least [`MIN_CASES`] cases.
const PER_RULE_THRESHOLD: f64 = 98.0;
const MIN_CASES: usize = 5;

/// Codes whose whole meaning is something BuildKit refuses to build: dflint
/// reports the file as invalid (exit 2), which is at least as strong as a
/// finding, so a rejected file counts as caught for them. `true` when the
/// file as written is what is judged (DL3061 is about what comes before the
/// first FROM, which a `FROM scratch` in front would hide).
const REJECTED_BY_BUILDKIT: &[(&str, bool, &str)] = &[
    ("DL3061", true, "comes before the first FROM"),
    ("DL3043", false, "allowed as an ONBUILD trigger"),
];

/// hadolint's tests of its suppression comments (the rule they use is
/// incidental): counted in their own row.
const PRAGMA_SPEC: &str = "test/Hadolint/PragmaSpec.hs";

struct Case {
    rule: String,
    dockerfile: String,
    catches: bool,
    /// The exact number of findings, when hadolint's test counts them.
    count: Option<usize>,
    name: String,
    helper: String,
    source: String,
    cli_args: Vec<String>,
    /// hadolint's test asserts nothing (its arguments are swapped).
    broken: bool,
}

fn load_cases() -> Vec<Case> {
    let path = common::corpus_or_fail().join("hadolint-cases.json");
    let text = common::read(&path);
    let json: Value = serde_json::from_str(&text)
        .unwrap_or_else(|e| panic!("{}: not valid JSON: {e}", path.display()));
    let list = json
        .as_array()
        .unwrap_or_else(|| panic!("{}: expected an array", path.display()));
    let str_of = |v: &Value, key: &str| {
        v.get(key)
            .and_then(Value::as_str)
            .unwrap_or_else(|| panic!("case without `{key}`: {v}"))
            .to_string()
    };
    list.iter()
        .map(|v| Case {
            rule: str_of(v, "rule"),
            dockerfile: str_of(v, "dockerfile"),
            catches: str_of(v, "expect") == "catches",
            count: v.get("count").and_then(Value::as_u64).map(|n| n as usize),
            name: str_of(v, "name"),
            helper: str_of(v, "helper"),
            source: str_of(v, "source"),
            cli_args: v
                .get("cli_args")
                .and_then(Value::as_array)
                .map(|a| {
                    a.iter()
                        .filter_map(Value::as_str)
                        .map(str::to_string)
                        .collect()
                })
                .unwrap_or_default(),
            broken: v.get("upstream_test_bug").and_then(Value::as_bool) == Some(true),
        })
        .collect()
}

/// hadolint's command-line options, as dflint settings that run `select`.
fn settings_for(select: Vec<String>, cli_args: &[String]) -> Settings {
    let mut options = ConfigOptions {
        select: Some(select),
        ..ConfigOptions::default()
    };
    let mut args = cli_args.iter();
    while let Some(flag) = args.next() {
        let mut value = || {
            args.next()
                .unwrap_or_else(|| panic!("`{flag}` without a value in {cli_args:?}"))
                .clone()
        };
        match flag.as_str() {
            "--trusted-registry" => options.trusted_registries.push(value()),
            "--require-label" => {
                let v = value();
                let (label, kind) = v.split_once(':').unwrap_or((v.as_str(), "text"));
                options.label_schema.push((label.into(), kind.into()));
            }
            "--strict-labels" => options.strict_labels = Some(true),
            // An option about a code dflint does not have changes nothing
            // about the rule under test.
            "--ignore" => {
                let code = value();
                if rules::find(&code).is_some() {
                    options.ignore.get_or_insert_with(Vec::new).push(code);
                }
            }
            "--error" | "--warning" | "--info" | "--style" => {
                let level: Severity = flag[2..].parse().unwrap();
                let code = value();
                if rules::find(&code).is_some() {
                    options.severity.push((code, level));
                }
            }
            other => panic!("a hadolint option this replay does not translate: {other}"),
        }
    }
    Settings::resolve(&[Layer {
        source: "hadolint-cases".into(),
        options: &options,
        base: None,
    }])
    .unwrap_or_else(|e| panic!("settings for {cli_args:?}: {e}"))
}

/// What dflint made of a case.
enum Outcome {
    Findings(Vec<Diagnostic>),
    /// The file is not a valid Dockerfile (dflint exits 2).
    Rejected(String),
}

/// Lint a case. hadolint's tests are often fragments without a `FROM`,
/// which BuildKit (and so dflint) refuses to build; such a fragment is
/// linted as the body of a stage, behind `FROM scratch`.
fn run(text: &str, settings: &Settings, raw_only: bool) -> Outcome {
    let rejected = |errors: Vec<dflint::FileError>| {
        let message = errors
            .iter()
            .map(|e| format!("{}:{}: {}", e.line, e.column, e.message))
            .collect::<Vec<_>>()
            .join("; ");
        Outcome::Rejected(message)
    };
    match check(text, settings) {
        Ok((_, found)) => Outcome::Findings(found),
        Err(errors) if raw_only => rejected(errors),
        // Rejected as a stage body too: that error is the one about the
        // fragment itself.
        Err(_) => match check(&format!("FROM scratch\n{text}"), settings) {
            Ok((_, found)) => Outcome::Findings(found),
            Err(errors) => rejected(errors),
        },
    }
}

/// The rules that answer for hadolint: those with a `DL` code or alias.
fn hadolint_rules() -> Vec<&'static Rule> {
    RULES
        .iter()
        .copied()
        .filter(|r| r.code.starts_with("DL") || r.aliases.iter().any(|a| a.starts_with("DL")))
        .collect()
}

/// The hadolint test names each rule doc lists as intended differences.
fn documented_differences(rule: &Rule) -> Vec<String> {
    let Some(start) = rule.doc.find("## Differences from hadolint") else {
        return Vec::new();
    };
    let section = &rule.doc[start..];
    let section = match section[2..].find("\n## ") {
        Some(end) => &section[..end + 2],
        None => section,
    };
    // Markdown may wrap a reference over lines: read it with its blanks collapsed.
    let section = section.split_whitespace().collect::<Vec<_>>().join(" ");
    let marker = "(hadolint test: \"";
    let mut out = Vec::new();
    let mut rest = section.as_str();
    while let Some(i) = rest.find(marker) {
        rest = &rest[i + marker.len()..];
        if let Some(end) = rest.find("\")") {
            out.push(rest[..end].to_string());
        }
    }
    out
}

#[derive(Default)]
struct Tally {
    cases: usize,
    agree: usize,
    /// Disagreements the rule's doc lists as intended.
    documented: usize,
}

#[test]
fn hadolint_cases_replay() {
    let cases = load_cases();
    assert!(
        cases.len() > 1000,
        "expected hadolint's ~1100 cases, found {}",
        cases.len()
    );
    let mut tallies: BTreeMap<String, Tally> = BTreeMap::new();
    let mut missing: BTreeMap<String, usize> = BTreeMap::new();
    let mut shellcheck = 0;
    let mut broken = 0;
    let mut disagreements = Vec::new();
    let mut documented_seen: HashSet<(String, String)> = HashSet::new();
    for case in &cases {
        if case.broken {
            broken += 1;
            continue;
        }
        if case.rule.starts_with("SC") {
            shellcheck += 1;
            continue;
        }
        let (select, rule): (Vec<String>, Option<&Rule>) = if case.rule == "*" {
            let all = hadolint_rules()
                .iter()
                .map(|r| r.code.to_string())
                .collect();
            (all, None)
        } else {
            match rules::find(&case.rule) {
                Some(r) => (vec![r.code.to_string()], Some(r)),
                // A code whose files BuildKit rejects has no rule: dflint
                // answers with its validation error (exit 2), and no rule runs.
                None if REJECTED_BY_BUILDKIT.iter().any(|(c, _, _)| *c == case.rule) => {
                    (Vec::new(), None)
                }
                None => {
                    *missing.entry(case.rule.clone()).or_default() += 1;
                    continue;
                }
            }
        };
        let settings = settings_for(select, &case.cli_args);
        let rejection = REJECTED_BY_BUILDKIT
            .iter()
            .find(|(c, _, _)| *c == case.rule);
        let outcome = run(&case.dockerfile, &settings, rejection.is_some_and(|r| r.1));
        let (agrees, got) = match &outcome {
            // The rejection answers for the code only when it is the
            // error that code is about (`SHELL anything` is rejected too,
            // for its own reason).
            Outcome::Rejected(message) => {
                let for_this_code =
                    rejection.is_some_and(|(_, _, needle)| message.contains(needle));
                (
                    case.catches == for_this_code,
                    format!("rejected: {message}"),
                )
            }
            Outcome::Findings(found) => {
                let hits: Vec<&Diagnostic> = found
                    .iter()
                    .filter(|d| rule.is_none_or(|r| d.code == r.code))
                    .collect();
                let agrees = match (case.catches, case.count) {
                    (_, Some(n)) => hits.len() == n,
                    (true, None) => !hits.is_empty(),
                    (false, None) => hits.is_empty(),
                };
                let got = hits
                    .iter()
                    .map(|d| format!("{} {}", d.code, d.message))
                    .collect::<Vec<_>>()
                    .join(" | ");
                (agrees, format!("{} finding(s): {got}", hits.len()))
            }
        };
        let pragma_case = case.source == PRAGMA_SPEC;
        let row = if pragma_case {
            "pragmas".to_string()
        } else {
            case.rule.clone()
        };
        let tally = tallies.entry(row).or_default();
        tally.cases += 1;
        if agrees {
            tally.agree += 1;
            continue;
        }
        // A difference is documented in the doc of the rule the case is
        // about; a case about every rule, or about suppression comments,
        // in the doc of any rule.
        let documenting: Vec<&Rule> = match rule {
            Some(r) if !pragma_case => vec![r],
            _ => RULES.to_vec(),
        };
        let documented_by = documenting
            .into_iter()
            .find(|r| documented_differences(r).contains(&case.name));
        let documented = documented_by.is_some();
        if let Some(r) = documented_by {
            tally.documented += 1;
            documented_seen.insert((r.code.to_string(), case.name.clone()));
        }
        disagreements.push(format!(
            "{} [{}] {} expects {}{}: {:?}\n    {}\n    dflint: {got}",
            case.rule,
            case.helper,
            if documented { "(documented)" } else { "" },
            if case.catches { "a finding" } else { "none" },
            case.count
                .map(|n| format!(" (exactly {n})"))
                .unwrap_or_default(),
            case.name,
            case.dockerfile.replace('\n', "\\n"),
        ));
    }

    // The table.
    println!("\nhadolint's test cases replayed against dflint\n");
    println!(
        "{:<8} {:<8} {:>6} {:>6} {:>6} {:>7} {:>7}",
        "code", "dflint", "cases", "agree", "kept", "agree%", "+kept%"
    );
    let (mut total, mut agreed, mut kept) = (0, 0, 0);
    for (code, t) in &tallies {
        let rule = match code.as_str() {
            "*" => "(all)",
            "pragmas" => "(any)",
            _ => rules::find(code).map_or("?", |r| r.code),
        };
        println!(
            "{code:<8} {rule:<8} {:>6} {:>6} {:>6} {:>6.1}% {:>6.1}%",
            t.cases,
            t.agree,
            t.documented,
            percent(t.agree, t.cases),
            percent(t.agree + t.documented, t.cases)
        );
        total += t.cases;
        agreed += t.agree;
        kept += t.documented;
    }
    for (code, n) in &missing {
        println!(
            "{code:<8} {:<8} {n:>6}      -      -       -       -",
            "missing"
        );
    }
    let missing_cases: usize = missing.values().sum();
    println!(
        "\nimplemented: {} rows, {total} cases, {agreed} agree ({:.1}%), {kept} more differ on purpose \
         (documented in a rule's doc): {:.1}% agreed or explained",
        tallies.len(),
        percent(agreed, total),
        percent(agreed + kept, total),
    );
    println!(
        "NOT IMPLEMENTED: {} hadolint codes ({missing_cases} cases): {}",
        missing.len(),
        missing.keys().cloned().collect::<Vec<_>>().join(" ")
    );
    println!(
        "not replayed: {shellcheck} ShellCheck (SC*) cases (dflint does not embed ShellCheck), \
         {broken} case(s) whose upstream test asserts nothing"
    );
    if !disagreements.is_empty() {
        println!("\ndisagreements:\n{}", disagreements.join("\n"));
    }

    // Every documented difference is still one: a stale entry would hide
    // a fixed rule behind an excuse.
    for rule in RULES {
        for name in documented_differences(rule) {
            let known = cases.iter().any(|c| c.name == name);
            assert!(
                known,
                "{}: documents a difference for hadolint test {name:?}, which does not exist",
                rule.code
            );
            assert!(
                documented_seen.contains(&(rule.code.to_string(), name.clone())),
                "{}: documents a difference for hadolint test {name:?}, but dflint agrees now: \
                 remove it from the doc",
                rule.code
            );
        }
    }
    assert!(total > 0, "no hadolint code is implemented");
    // Differences kept on purpose, each with its reason in a doc, count as
    // intended; everything else must agree.
    assert!(
        percent(agreed + kept, total) >= OVERALL_THRESHOLD,
        "overall agreement {:.1}% (with documented differences) is under {OVERALL_THRESHOLD}%",
        percent(agreed + kept, total)
    );
    let mut under = Vec::new();
    for (code, t) in &tallies {
        let is_rule = code.starts_with("DL");
        if is_rule
            && t.cases >= MIN_CASES
            && percent(t.agree + t.documented, t.cases) < PER_RULE_THRESHOLD
        {
            under.push(format!(
                "{code}: {}/{} ({:.1}%)",
                t.agree + t.documented,
                t.cases,
                percent(t.agree + t.documented, t.cases)
            ));
        }
    }
    assert!(
        under.is_empty(),
        "codes under {PER_RULE_THRESHOLD}% agreement (counting documented differences): {}",
        under.join(", ")
    );
}

fn percent(part: usize, whole: usize) -> f64 {
    if whole == 0 {
        100.0
    } else {
        100.0 * part as f64 / whole as f64
    }
}
