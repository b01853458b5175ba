//! Snapshot tests: the findings dflint reports on each realistic fixture in
//! `fixtures/`, as `line:col CODE message` lines.

use std::fs;
use std::path::Path;

use dflint::{check, Options};

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
        let options = Options {
            file_name: Some(name.clone()),
            ..Options::default()
        };
        let (df, found) = check(&text, &options).unwrap_or_else(|e| panic!("{name}: {e}"));
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
