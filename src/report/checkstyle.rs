//! Checkstyle 4.3 XML, the report Jenkins' Warnings plugin, SonarQube,
//! reviewdog and many CI dashboards read: a `<file>` element a file checked
//! (a clean one too, as Checkstyle lists it), an `<error>` a finding.

use std::fmt::Write;

use super::{items, xml_escape, FileReport, LineIndex};
use crate::Severity;

/// Checkstyle has error, warning, info (and ignore): style findings are info.
fn severity(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info | Severity::Style => "info",
    }
}

pub fn render(reports: &[FileReport]) -> String {
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    out.push_str("<checkstyle version=\"4.3\">\n");
    for r in reports {
        let index = LineIndex::new(r.source);
        let found = items(r, &index);
        let name = xml_escape(r.path);
        if found.is_empty() {
            let _ = writeln!(out, "  <file name=\"{name}\"/>");
            continue;
        }
        let _ = writeln!(out, "  <file name=\"{name}\">");
        for item in found {
            let _ = writeln!(
                out,
                "    <error line=\"{}\" column=\"{}\" severity=\"{}\" message=\"{}\" source=\"dflint.{}\"/>",
                item.line,
                item.column,
                severity(item.severity),
                xml_escape(item.message),
                xml_escape(item.code_or_name())
            );
        }
        out.push_str("  </file>\n");
    }
    out.push_str("</checkstyle>\n");
    out
}
