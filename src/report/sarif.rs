//! SARIF 2.1.0 (OASIS), the format of GitHub code scanning and of most
//! static analysis viewers: one run of dflint, a rule descriptor for every
//! rule that fired (from the registry, with its documentation), a result a
//! finding with its fix as a SARIF fix.
//!
//! Positions: lines and columns are 1-based and `endColumn` is the column
//! just after the region, as SARIF defines them; columns count Unicode code
//! points, which the run states (`columnKind`) rather than leave readers
//! to assume UTF-16 units. An error that stopped a file from being checked
//! is a result of the rule `invalid-dockerfile` (so code scanning shows
//! it) and a tool execution notification (so the run says what it could
//! not analyse).

use serde_json::{json, Map, Value};

use super::{items, FileReport, Item, LineIndex, INVALID_DOCKERFILE};
use crate::diagnostic::{Applicability, Fix};
use crate::rules::{FixAvailability, Rule, RULES};
use crate::Severity;

const SCHEMA: &str =
    "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json";

/// SARIF has error, warning and note: info and style findings are notes.
/// (The result keeps dflint's own severity in its properties.)
fn level(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info | Severity::Style => "note",
    }
}

/// A path as a URI reference: relative paths stay relative (code scanning
/// resolves them against the repository), absolute ones become `file:`
/// URIs. Every byte but unreserved characters and `/` is percent-encoded,
/// so that a space, `#`, `?` or `%` in a name cannot change its meaning.
fn uri(path: &str) -> String {
    fn encode(s: &str) -> String {
        let mut out = String::with_capacity(s.len());
        for &b in s.as_bytes() {
            if b.is_ascii_alphanumeric() || b"-._~/".contains(&b) {
                out.push(char::from(b));
            } else {
                out.push_str(&format!("%{b:02X}"));
            }
        }
        out
    }
    let p = super::repo_path(path);
    let bytes = p.as_bytes();
    if p.starts_with('/') {
        format!("file://{}", encode(&p))
    } else if bytes.len() >= 3 && bytes[0].is_ascii_alphabetic() && &bytes[1..3] == b":/" {
        // A Windows drive: `C:/x` would read as a URI of scheme `c`.
        format!("file:///{}:{}", char::from(bytes[0]), encode(&p[2..]))
    } else {
        encode(&p)
    }
}

/// The "What it does" section of a rule's doc: its first paragraph as one
/// line of text, and the whole section as Markdown.
fn what_it_does(doc: &str) -> Option<(String, String)> {
    let start = doc.find("## What it does")?;
    let body = &doc[start..];
    let body = &body[body.find('\n')? + 1..];
    let end = body.find("\n## ").unwrap_or(body.len());
    let section = body[..end].trim();
    let first = section
        .split("\n\n")
        .next()
        .unwrap_or("")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    (!first.is_empty()).then(|| (first, section.to_string()))
}

fn rule_descriptor(rule: &Rule) -> Value {
    let mut d = Map::new();
    d.insert("id".into(), json!(rule.code));
    d.insert("name".into(), json!(rule.name));
    d.insert("shortDescription".into(), json!({ "text": rule.summary }));
    if let Some((text, markdown)) = what_it_does(rule.doc) {
        d.insert(
            "fullDescription".into(),
            json!({ "text": text, "markdown": markdown }),
        );
    }
    d.insert(
        "help".into(),
        json!({ "text": rule.summary, "markdown": rule.doc }),
    );
    d.insert(
        "defaultConfiguration".into(),
        json!({ "level": level(rule.severity) }),
    );
    let mut tags = vec!["dockerfile"];
    if rule.fix != FixAvailability::None {
        tags.push("fixable");
    }
    d.insert(
        "properties".into(),
        json!({
            "tags": tags,
            "severity": rule.severity.as_str(),
            "aliases": rule.aliases,
            "fix": rule.fix.as_str(),
            "defaultEnabled": rule.default_enabled,
        }),
    );
    Value::Object(d)
}

/// The descriptor of a code the registry does not know (a finding passed
/// in from elsewhere): what its findings say of it.
fn unknown_descriptor(code: &str, name: &str, severity: Severity) -> Value {
    json!({
        "id": code,
        "name": name,
        "defaultConfiguration": { "level": level(severity) },
    })
}

fn invalid_descriptor() -> Value {
    json!({
        "id": INVALID_DOCKERFILE,
        "name": INVALID_DOCKERFILE,
        "shortDescription": { "text": "The file could not be checked" },
        "fullDescription": {
            "text": "The file could not be read, or it is not a Dockerfile that BuildKit \
                     accepts; none of its rules were checked.",
        },
        "help": {
            "text": "Fix the file so that `docker build` accepts it, then check it again.",
        },
        "defaultConfiguration": { "level": "error" },
        "properties": { "tags": ["dockerfile"] },
    })
}

/// A region; an empty one with no better place (an error in a file that
/// could not be read) names only where it starts.
fn region(item: &Item) -> Value {
    if item.empty && item.code.is_none() {
        json!({ "startLine": item.line, "startColumn": item.column })
    } else {
        json!({
            "startLine": item.line,
            "startColumn": item.column,
            "endLine": item.end_line,
            "endColumn": item.end_column,
        })
    }
}

fn location(uri: &str, item: &Item) -> Value {
    json!({
        "physicalLocation": {
            "artifactLocation": { "uri": uri },
            "region": region(item),
        }
    })
}

/// A fix as SARIF replacements. Regions here are exact, to the byte (a
/// line break deleted or not matters), unlike a result's region.
fn fix_json(uri: &str, index: &LineIndex, fix: &Fix) -> Value {
    let replacements: Vec<Value> = fix
        .edits
        .iter()
        .map(|e| {
            let (line, column) = index.line_col(e.span.start);
            let (end_line, end_column) = index.line_col(e.span.end);
            let mut r = Map::new();
            r.insert(
                "deletedRegion".into(),
                json!({
                    "startLine": line,
                    "startColumn": column,
                    "endLine": end_line,
                    "endColumn": end_column,
                }),
            );
            if !e.replacement.is_empty() {
                r.insert("insertedContent".into(), json!({ "text": e.replacement }));
            }
            Value::Object(r)
        })
        .collect();
    let description = match fix.applicability {
        Applicability::Safe => "Safe fix: the image does what it did (`dflint fix`)",
        Applicability::Unsafe => {
            "Unsafe fix: may change what the image does; review it and test the image \
             (`dflint fix --unsafe-fixes`)"
        }
        Applicability::DisplayOnly => "Suggested edit: review it and apply it by hand",
    };
    json!({
        "description": { "text": description },
        "artifactChanges": [{
            "artifactLocation": { "uri": uri },
            "replacements": replacements,
        }],
        "properties": { "applicability": fix.applicability.as_str() },
    })
}

pub fn render(reports: &[FileReport]) -> String {
    // The rules that fired, in the registry's order, then any code the
    // registry does not know, then the rule of files that could not be
    // checked: a result names its rule by index into this list.
    let mut fired: Vec<(&str, &str, Severity)> = Vec::new();
    let mut any_error = false;
    for r in reports {
        any_error |= !r.errors.is_empty();
        for d in r.diagnostics {
            if !fired.iter().any(|(code, ..)| *code == d.code) {
                fired.push((d.code, crate::rules::name_of(d.code), d.severity));
            }
        }
    }
    let mut ids: Vec<&str> = Vec::new();
    let mut descriptors = Vec::new();
    for rule in RULES {
        if fired.iter().any(|(code, ..)| *code == rule.code) {
            ids.push(rule.code);
            descriptors.push(rule_descriptor(rule));
        }
    }
    for &(code, name, severity) in &fired {
        if !ids.contains(&code) {
            ids.push(code);
            descriptors.push(unknown_descriptor(code, name, severity));
        }
    }
    if any_error {
        ids.push(INVALID_DOCKERFILE);
        descriptors.push(invalid_descriptor());
    }

    let mut results = Vec::new();
    let mut notifications = Vec::new();
    for r in reports {
        let index = LineIndex::new(r.source);
        let uri = uri(r.path);
        for item in items(r, &index) {
            let id = item.code_or_name();
            let mut result = Map::new();
            result.insert("ruleId".into(), json!(id));
            if let Some(i) = ids.iter().position(|x| *x == id) {
                result.insert("ruleIndex".into(), json!(i));
            }
            result.insert("level".into(), json!(level(item.severity)));
            result.insert("message".into(), json!({ "text": item.full_message() }));
            result.insert("locations".into(), json!([location(&uri, &item)]));
            if let Some(fix) = item.diagnostic.and_then(|d| d.fix.as_ref()) {
                result.insert("fixes".into(), json!([fix_json(&uri, &index, fix)]));
            }
            result.insert(
                "properties".into(),
                json!({ "severity": item.severity.as_str() }),
            );
            if item.code.is_none() {
                notifications.push(json!({
                    "level": "error",
                    "message": { "text": format!("{}: {}", r.path, item.message) },
                    "locations": [location(&uri, &item)],
                    "descriptor": { "id": INVALID_DOCKERFILE },
                }));
            }
            results.push(Value::Object(result));
        }
    }

    let mut invocation = Map::new();
    // True even when a file could not be checked (and dflint exits 2):
    // that is a result of the analysis, which ran to its end. GitHub code
    // scanning drops the results of a run that says it failed, which
    // would hide every other file's findings behind one broken file.
    invocation.insert("executionSuccessful".into(), json!(true));
    if !notifications.is_empty() {
        invocation.insert("toolExecutionNotifications".into(), json!(notifications));
    }
    let version = env!("CARGO_PKG_VERSION");
    let log = json!({
        "$schema": SCHEMA,
        "version": "2.1.0",
        "runs": [{
            "tool": {
                "driver": {
                    "name": "dflint",
                    "version": version,
                    "semanticVersion": version,
                    "informationUri": env!("CARGO_PKG_HOMEPAGE"),
                    "rules": descriptors,
                }
            },
            "invocations": [Value::Object(invocation)],
            "columnKind": "unicodeCodePoints",
            "results": results,
        }]
    });
    serde_json::to_string_pretty(&log).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::uri;

    #[test]
    fn uris() {
        assert_eq!(uri("Dockerfile"), "Dockerfile");
        assert_eq!(uri("./docker/Dockerfile.gpu"), "docker/Dockerfile.gpu");
        assert_eq!(uri("docker\\Dockerfile"), "docker/Dockerfile");
        assert_eq!(uri("my dir/a#b%c"), "my%20dir/a%23b%25c");
        assert_eq!(uri("/srv/app/Dockerfile"), "file:///srv/app/Dockerfile");
        assert_eq!(uri("C:\\app\\Dockerfile"), "file:///C:/app/Dockerfile");
        assert_eq!(uri("ä"), "%C3%A4");
    }
}
