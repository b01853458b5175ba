//! Snapshot tests: the findings dflint reports on each realistic fixture in
//! `fixtures/`, as `line:col CODE message` lines.

use std::fs;
use std::path::Path;

use dflint::{check, Settings};

#[test]
fn fixture_findings() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures");
    let mut names: Vec<_> = fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "Dockerfile"))
        .collect();
    names.sort();
    assert!(names.len() >= 6);
    for path in names {
        let text = fs::read_to_string(&path).unwrap();
        let name = path.file_name().unwrap().to_string_lossy().to_string();
        let options = Settings::default().for_file(&name);
        let (df, found) = check(&text, &options).unwrap_or_else(|e| panic!("{name}: {e:?}"));
        let mut out = String::new();
        for d in &found {
            let (line, col) = df.line_col(d.span.start);
            let (end_line, end_col) = df.line_col(d.span.end);
            out.push_str(&format!(
                "{line}:{col}-{end_line}:{end_col} {} {}\n    `{}`\n    help: {}\n",
                d.code,
                d.message,
                df.slice(d.span).lines().next().unwrap_or("").trim_end(),
                d.help
            ));
        }
        insta::assert_snapshot!(name, out);
    }
}

/// `dflint fix` on each fixture: the diff is snapshotted; the result is a
/// valid Dockerfile, fixing it again changes nothing, and the file keeps its
/// line endings, BOM and escape directive.
/// The lint fixtures (`fixtures/*.Dockerfile`) and the end-to-end build
/// fixtures (`tests/e2e/fixtures/<name>/Dockerfile`), with a snapshot name each.
fn all_fixtures() -> Vec<(String, std::path::PathBuf)> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut out: Vec<(String, std::path::PathBuf)> = fs::read_dir(root.join("fixtures"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "Dockerfile"))
        .map(|p| (p.file_name().unwrap().to_string_lossy().to_string(), p))
        .collect();
    for entry in fs::read_dir(root.join("tests/e2e/fixtures")).unwrap() {
        let dir = entry.unwrap().path();
        let file = dir.join("Dockerfile");
        if file.is_file() {
            let name = format!("e2e-{}", dir.file_name().unwrap().to_string_lossy());
            out.push((name, file));
        }
    }
    out.sort();
    out
}

/// Safe fixes (the default) and with unsafe fixes: each snapshotted.
#[test]
fn fixture_fixes() {
    for unsafe_fixes in [false, true] {
        fixture_fixes_at(unsafe_fixes);
    }
}

fn fixture_fixes_at(unsafe_fixes: bool) {
    for (name, path) in all_fixtures() {
        let text = fs::read_to_string(&path).unwrap();
        let mut options = Settings::default().for_file(&path.display().to_string());
        options.unsafe_fixes = unsafe_fixes;
        let outcome = dflint::fix::fix(&text, &options).unwrap_or_else(|e| panic!("{name}: {e}"));
        let out = &outcome.output;
        let df = dflint::syntax::parse(out)
            .unwrap_or_else(|e| panic!("{name}: fixed file does not parse: {e}\n{out}"));
        dflint::syntax::validate::validate(&df).unwrap_or_else(|e| panic!("{name}: {e}\n{out}"));
        if !unsafe_fixes {
            // Safe fixes never add a user or a stage.
            let count = |t: &str, k: &str| {
                t.lines()
                    .filter(|l| l.trim_start().to_ascii_uppercase().starts_with(k))
                    .count()
            };
            assert_eq!(
                count(&text, "USER "),
                count(out, "USER "),
                "{name}: a safe fix added a USER"
            );
            assert_eq!(
                count(&text, "FROM "),
                count(out, "FROM "),
                "{name}: a safe fix added a stage"
            );
        }
        let again = dflint::fix::fix(out, &options).unwrap();
        assert_eq!(&again.output, out, "{name}: a second fix changed the file");
        assert_eq!(
            text.starts_with('\u{feff}'),
            out.starts_with('\u{feff}'),
            "{name}: BOM"
        );
        if text.contains("\r\n") {
            assert_eq!(
                out.matches('\n').count(),
                out.matches("\r\n").count(),
                "{name}: CRLF"
            );
        }
        if let Some(esc) = df.directive("escape") {
            assert_eq!(esc.value, "`", "{name}");
            assert!(
                !out.contains(" \\\n"),
                "{name}: a backslash continuation under escape=`"
            );
        }
        let diff = similar::TextDiff::from_lines(text.as_str(), out.as_str())
            .unified_diff()
            .context_radius(2)
            .header(&format!("a/{name}"), &format!("b/{name}"))
            .to_string();
        let summary: String = outcome
            .fixed
            .iter()
            .map(|(code, message)| format!("fixed {code} {message}\n"))
            .chain(
                outcome
                    .remaining
                    .iter()
                    .map(|d| format!("remaining {} {}\n", d.code, d.message)),
            )
            .collect();
        let snapshot = if unsafe_fixes {
            format!("fix-unsafe-{name}")
        } else {
            format!("fix-{name}")
        };
        insta::assert_snapshot!(snapshot, format!("{summary}\n{diff}"));
    }
}
