//! GitLab Code Quality: a JSON array of Code Climate issues, the report a
//! job uploads as `artifacts:reports:codequality` for merge requests to
//! show what a change adds or fixes. GitLab matches issues between the two
//! reports by `fingerprint`.

use std::collections::HashMap;

use serde_json::{json, Value};

use super::{items, repo_path, FileReport, LineIndex};
use crate::Severity;

/// Code Climate's five levels. An error that stopped a file from being
/// checked is a blocker: nothing else in the file was looked at.
fn severity(severity: Severity, checked: bool) -> &'static str {
    match (severity, checked) {
        (_, false) => "blocker",
        (Severity::Error, true) => "critical",
        (Severity::Warning, true) => "major",
        (Severity::Info, true) => "minor",
        (Severity::Style, true) => "info",
    }
}

/// 128-bit FNV-1a, in hex: stable across runs, platforms and versions of
/// dflint (unlike `std`'s hasher), and 32 digits like the MD5 GitLab's own
/// examples use.
fn fnv1a_128(parts: &[&str]) -> String {
    const OFFSET: u128 = 0x6c62_272e_07bb_0142_62b8_2175_6295_c58d;
    const PRIME: u128 = 0x0000_0000_0100_0000_0000_0000_0000_013b;
    let mut hash = OFFSET;
    for (i, part) in parts.iter().enumerate() {
        // A separator that no part contains keeps ("ab", "c") and ("a", "bc") apart.
        let sep: &[u8] = if i == 0 { b"" } else { b"\0" };
        for &byte in sep.iter().chain(part.as_bytes()) {
            hash ^= u128::from(byte);
            hash = hash.wrapping_mul(PRIME);
        }
    }
    format!("{hash:032x}")
}

pub fn render(reports: &[FileReport]) -> String {
    let mut issues = Vec::new();
    // GitLab keeps one issue per fingerprint: a second finding alike in
    // everything hashed gets its occurrence number hashed too.
    let mut seen: HashMap<String, usize> = HashMap::new();
    for r in reports {
        let index = LineIndex::new(r.source);
        let path = repo_path(r.path);
        for item in items(r, &index) {
            let check = item.code_or_name();
            let line = item.line.to_string();
            let mut fingerprint = fnv1a_128(&[&path, check, &line, item.message]);
            let count = seen.entry(fingerprint.clone()).or_insert(0);
            *count += 1;
            if *count > 1 {
                let n = count.to_string();
                fingerprint = fnv1a_128(&[&path, check, &line, item.message, &n]);
            }
            issues.push(json!({
                "description": format!("{check}: {}", item.message),
                "check_name": check,
                "fingerprint": fingerprint,
                "severity": severity(item.severity, item.code.is_some()),
                "location": {
                    "path": path,
                    "lines": { "begin": item.line },
                },
            }));
        }
    }
    serde_json::to_string_pretty(&Value::Array(issues)).unwrap_or_else(|_| "[]".into())
}

#[cfg(test)]
mod tests {
    use super::fnv1a_128;

    #[test]
    fn fnv_known_values() {
        // The published FNV-1a 128 test vectors: the empty input is the
        // offset basis, and "a".
        assert_eq!(fnv1a_128(&[""]), "6c62272e07bb014262b821756295c58d");
        assert_eq!(fnv1a_128(&["a"]), "d228cb696f1a8caf78912b704e4a8964");
        assert_ne!(fnv1a_128(&["ab", "c"]), fnv1a_128(&["a", "bc"]));
    }
}
