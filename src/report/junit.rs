//! JUnit XML, which CI systems show as test results (GitLab's
//! `artifacts:reports:junit`, Jenkins, Azure Pipelines): a `<testsuite>` a
//! file, a failing `<testcase>` a finding, an `<error>` test case for an
//! error that stopped a file from being checked, and one passing test case
//! for a clean file, so that a file checked is never absent from the
//! results.

use std::fmt::Write;

use super::{items, xml_escape, xml_escape_text, FileReport, Item, LineIndex};

/// One finding or error as a test case; its name carries the position, so
/// that two findings of one rule in a file stay two test cases.
fn testcase(out: &mut String, path: &str, item: &Item) {
    let code = item.code_or_name();
    let title = match item.code {
        Some(code) => format!("{code} {}", item.name),
        None => item.name.to_string(),
    };
    let _ = writeln!(
        out,
        "    <testcase name=\"{} at line {}, column {}\" classname=\"{}\" file=\"{}\" line=\"{}\">",
        xml_escape(&title),
        item.line,
        item.column,
        xml_escape(path),
        xml_escape(path),
        item.line
    );
    let element = if item.code.is_some() {
        "failure"
    } else {
        "error"
    };
    let mut body = format!(
        "{path}:{}:{}: {code} {}: {}",
        item.line, item.column, item.severity, item.message
    );
    if let Some(help) = item.help {
        let _ = write!(body, "\nhelp: {help}");
    }
    let _ = writeln!(
        out,
        "      <{element} message=\"{}\" type=\"{}\">{}</{element}>",
        xml_escape(item.message),
        xml_escape(code),
        xml_escape_text(&body)
    );
    out.push_str("    </testcase>\n");
}

pub fn render(reports: &[FileReport]) -> String {
    let mut suites = String::new();
    let (mut tests, mut failures, mut errors) = (0, 0, 0);
    for r in reports {
        let index = LineIndex::new(r.source);
        let found = items(r, &index);
        let n_errors = found.iter().filter(|i| i.code.is_none()).count();
        let n_failures = found.len() - n_errors;
        let n_tests = found.len().max(1);
        tests += n_tests;
        failures += n_failures;
        errors += n_errors;
        let path = xml_escape(r.path);
        let _ = writeln!(
            suites,
            "  <testsuite name=\"{path}\" tests=\"{n_tests}\" failures=\"{n_failures}\" errors=\"{n_errors}\" skipped=\"0\">"
        );
        if found.is_empty() {
            let _ = writeln!(
                suites,
                "    <testcase name=\"dflint\" classname=\"{path}\" file=\"{path}\"/>"
            );
        }
        for item in &found {
            testcase(&mut suites, r.path, item);
        }
        suites.push_str("  </testsuite>\n");
    }
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    let _ = writeln!(
        out,
        "<testsuites name=\"dflint\" tests=\"{tests}\" failures=\"{failures}\" errors=\"{errors}\">"
    );
    out.push_str(&suites);
    out.push_str("</testsuites>\n");
    out
}
