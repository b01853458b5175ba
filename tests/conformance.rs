//! Conformance with BuildKit's parser, over `../shared/corpus` when present:
//! its own fixtures (same AST dump), its negative cases (rejected), the
//! heredoc snippets (same heredocs), the modern snippets (same words as
//! BuildKit's parse), and real-world files (parse and round-trip exactly).

mod common;

use std::fs;
use std::path::Path;

use common::{corpus, read, realworld};
use dflint::syntax::{self, dump, ItemKind};

fn cases(dir: &Path) -> Vec<(String, String)> {
    let tsv = read(&dir.join("cases.tsv"));
    tsv.lines()
        .skip(1)
        .filter_map(|l| {
            let mut f = l.split('\t');
            Some((f.next()?.to_string(), f.next()?.to_string()))
        })
        .collect()
}

fn assert_round_trip(name: &str, text: &str, df: &syntax::Dockerfile) {
    let joined: String = df.items.iter().map(|i| df.slice(i.span)).collect();
    assert_eq!(joined, text, "{name}: items do not give the file back");
    let mut at = 0;
    for item in &df.items {
        assert_eq!(item.span.start, at, "{name}: gap or overlap before an item");
        at = item.span.end;
    }
}

#[test]
fn buildkit_positive_fixtures_dump_like_buildkit() {
    let Some(corpus) = corpus() else { return };
    let dir = corpus.join("buildkit-parser");
    let mut checked = 0;
    let mut failures = Vec::new();
    for (name, kind) in cases(&dir) {
        if kind != "positive" {
            continue;
        }
        let text = read(&dir.join(&name).join("Dockerfile"));
        let expected = read(&dir.join(&name).join("result"));
        let df = syntax::parse(&text).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_round_trip(&name, &text, &df);
        let got: String = df
            .instructions()
            .map(|(_, i)| dump::buildkit_dump(i) + "\n")
            .collect();
        if got != expected {
            failures.push(format!("{name}:\n--- expected\n{expected}--- got\n{got}"));
        }
        checked += 1;
    }
    assert_eq!(checked, 33, "expected all 33 positive fixtures");
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn buildkit_negative_fixtures_are_rejected() {
    let Some(corpus) = corpus() else { return };
    let dir = corpus.join("buildkit-parser");
    let negatives: Vec<_> = cases(&dir)
        .into_iter()
        .filter(|(_, k)| k == "negative")
        .collect();
    assert_eq!(negatives.len(), 4);
    for (name, _) in negatives {
        let text = read(&dir.join(&name).join("Dockerfile"));
        assert!(syntax::parse(&text).is_err(), "{name} should be rejected");
    }
}

#[test]
fn heredoc_snippets_match_buildkit() {
    let Some(corpus) = corpus() else { return };
    let dir = corpus.join("buildkit-snippets/heredoc-extract");
    let text = read(&dir.join("Dockerfile"));
    let expected: serde_json::Value =
        serde_json::from_str(&read(&dir.join("expected-heredocs.json"))).unwrap();
    let df = syntax::parse(&text).unwrap();
    let got: Vec<_> = df.instructions().skip(1).map(|(_, i)| i).collect();
    let children = expected["children"].as_array().unwrap();
    // The first expected child (ENV EXAMPLE=bla) is the snippet's ENV line.
    assert_eq!(got.len(), children.len());
    for (ins, child) in got.iter().zip(children) {
        let want = child["heredocs"].as_array().cloned().unwrap_or_default();
        assert_eq!(ins.heredocs.len(), want.len(), "{}", child["comment"]);
        for (h, w) in ins.heredocs.iter().zip(&want) {
            assert_eq!(h.name, w["Name"].as_str().unwrap(), "{}", child["comment"]);
            assert_eq!(
                h.content(&df.text),
                w["Content"].as_str().unwrap(),
                "{}",
                child["comment"]
            );
            assert_eq!(
                h.expand,
                w["Expand"].as_bool().unwrap_or(false),
                "{}",
                child["comment"]
            );
            assert_eq!(
                h.chomp,
                w["Chomp"].as_bool().unwrap_or(false),
                "{}",
                child["comment"]
            );
            assert_eq!(
                h.file_descriptor as u64,
                w["FileDescriptor"].as_u64().unwrap_or(0),
                "{}",
                child["comment"]
            );
        }
    }
    // `RUN ["<<EOF"]` is exec form, never a heredoc.
    let json_form = read(&corpus.join("buildkit-snippets/heredoc-json-exec-form/Dockerfile"));
    let df = syntax::parse(&json_form).unwrap();
    assert!(df.instructions().all(|(_, i)| i.heredocs.is_empty()));
}

#[test]
fn realworld_files_parse_and_round_trip() {
    let Some(corpus) = corpus() else { return };
    let mut count = 0;
    for (name, text) in realworld(&corpus) {
        let df = syntax::parse(&text).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_round_trip(&name, &text, &df);
        assert!(df
            .items
            .iter()
            .any(|i| matches!(i.kind, ItemKind::Instruction(_))));
        count += 1;
    }
    assert!(count > 100, "only {count} real-world files");
}

/// The oracle's view of an instruction, reduced to what both parsers share.
fn oracle_view(v: &serde_json::Value) -> serde_json::Value {
    serde_json::json!({
        "cmd": v["sub_cmd"].as_str().unwrap_or(v["cmd"].as_str().unwrap()).to_lowercase(),
        "json": v["json"],
        "start_line": v["start_line"],
        "end_line": v["end_line"],
        "flags": v["flags"],
        "value": v["value"],
        "heredocs": v["heredocs"].as_array().unwrap().iter()
            .map(|h| serde_json::json!([h["name"], h["content"]])).collect::<Vec<_>>(),
    })
}

fn our_view(file_text: &str, ins: &syntax::Instruction) -> serde_json::Value {
    let (ins, outer) = match &ins.args {
        syntax::Args::Onbuild(inner) => (inner.as_ref(), ins),
        _ => (ins, ins),
    };
    // The oracle (BuildKit v0.12.5) has no separator node for ENV/LABEL pairs.
    let value: Vec<String> = match &ins.args {
        syntax::Args::KeyValues(kv) => kv
            .iter()
            .flat_map(|p| [p.key.to_string(), p.value.to_string()])
            .collect(),
        _ => dump::buildkit_values(ins),
    };
    serde_json::json!({
        "cmd": ins.keyword_text().to_lowercase(),
        "json": matches!(ins.args, syntax::Args::Exec(_))
            || matches!(&ins.args, syntax::Args::Healthcheck { cmd, .. } if matches!(**cmd, syntax::Args::Exec(_))),
        "start_line": outer.start_line(),
        "end_line": outer.end_line(),
        "flags": ins.flags.iter().map(|f| f.text.clone()).collect::<Vec<_>>(),
        "value": value,
        "heredocs": outer.heredocs.iter()
            .map(|h| serde_json::json!([h.name, h.content(file_text)])).collect::<Vec<_>>(),
    })
}

#[test]
fn modern_snippets_match_buildkit() {
    let Some(corpus) = corpus() else { return };
    let dir = corpus.join("modern-snippets");
    let mut count = 0;
    for entry in fs::read_dir(&dir).unwrap() {
        let case = entry.unwrap().path();
        if !case.is_dir() {
            continue;
        }
        let text = read(&case.join("Dockerfile"));
        let oracle: serde_json::Value =
            serde_json::from_str(&read(&case.join("oracle-buildkit-v0.12.5.json"))).unwrap();
        let df = syntax::parse(&text).unwrap_or_else(|e| panic!("{}: {e}", case.display()));
        assert_round_trip(&case.display().to_string(), &text, &df);
        let ours: Vec<_> = df
            .instructions()
            .map(|(_, i)| our_view(&df.text, i))
            .collect();
        let theirs: Vec<_> = oracle.as_array().unwrap().iter().map(oracle_view).collect();
        assert_eq!(ours, theirs, "{}", case.display());
        count += 1;
    }
    assert_eq!(count, 12);
}

#[test]
fn line_numbers_and_empty_continuations() {
    let Some(corpus) = corpus() else { return };
    let text = read(&corpus.join("buildkit-snippets/testfile-line/Dockerfile"));
    let df = syntax::parse(&text).unwrap();
    let lines: Vec<_> = df
        .instructions()
        .map(|(_, i)| (i.start_line(), i.end_line()))
        .collect();
    assert_eq!(lines, vec![(5, 5), (11, 12), (17, 31)]);

    let text = read(&corpus.join("buildkit-snippets/empty-continuation-and-comments/Dockerfile"));
    let df = syntax::parse(&text).unwrap();
    let runs: Vec<_> = df
        .instructions()
        .filter_map(|(_, i)| i.shell_text().map(|(t, _)| t.to_string()))
        .collect();
    assert!(
        runs.contains(&"something     following     more".to_string()),
        "{runs:?}"
    );
    assert!(runs.contains(&"another     thing".to_string()), "{runs:?}");
    // Two runs over empty lines (each may span several); comment lines do not count.
    let mut warned: Vec<usize> = df
        .empty_continuation_lines
        .iter()
        .map(|&l| {
            df.instructions()
                .find(|(_, i)| i.start_line() <= l && l <= i.end_line())
                .map(|(_, i)| i.start_line())
                .unwrap()
        })
        .collect();
    warned.dedup();
    assert_eq!(warned.len(), 2);
}

#[test]
fn directives_in_the_header_only() {
    let Some(corpus) = corpus() else { return };
    let snip = |name: &str| {
        let text = read(
            &corpus
                .join("buildkit-snippets")
                .join(name)
                .join("Dockerfile"),
        );
        syntax::parse(&text).unwrap()
    };
    let value = |df: &syntax::Dockerfile, key: &str| df.directive(key).map(|d| d.value.clone());
    assert_eq!(
        value(&snip("directives-detectsyntax-1"), "syntax").as_deref(),
        Some("dockerfile:experimental // opts")
    );
    assert_eq!(
        value(&snip("directives-detectsyntax-2"), "syntax").as_deref(),
        Some("dockerfile:experimental")
    );
    assert_eq!(
        value(&snip("directives-detectsyntax-bom"), "syntax").as_deref(),
        Some("myfrontend")
    );
    assert_eq!(value(&snip("directives-detectsyntax-4"), "syntax"), None);
    assert_eq!(
        value(&snip("directives-parsedirective-1"), "check").as_deref(),
        Some("skip=all // opts")
    );
    assert_eq!(
        value(&snip("directives-parsedirective-2"), "check").as_deref(),
        Some("skip=all")
    );
    // Directive-only files have no instructions: BuildKit rejects them.
    let text = read(&corpus.join("buildkit-snippets/directives-directives-1/Dockerfile"));
    assert_eq!(
        syntax::parse(&text).unwrap_err().message,
        "file with no instructions"
    );
}

/// Every real-world file is linted without a panic; the only files rejected
/// are those BuildKit's instruction layer rejects, at the same place.
#[test]
fn realworld_files_lint_or_are_rejected_where_buildkit_rejects_them() {
    let Some(corpus) = corpus() else { return };
    let mut rejected = Vec::new();
    let mut findings = 0;
    for (name, text) in realworld(&corpus) {
        let options = dflint::Settings::default().for_file(&name);
        match dflint::check(&text, &options) {
            Ok((_, found)) => findings += found.len(),
            Err(errors) => rejected.push(format!("{name}:{}", errors[0])),
        }
    }
    rejected.sort();
    assert_eq!(
        rejected,
        vec![
            // A parser test file with a made-up instruction, and a template.
            "HewlettPackard__dockerfile-parser-rs__Dockerfile.test:45:1: unknown instruction: other",
            "Kaggle__docker-python__Dockerfile.tmpl:1:1: unknown instruction: {{",
        ]
    );
    assert!(findings > 100, "only {findings} findings over the corpus");
}
