//! DL3011 invalid-expose-port: an EXPOSE port outside 0-65535.

use super::{Context, FixAvailability, Rule};
use crate::diagnostic::{Diagnostic, Severity};
use crate::syntax::Keyword;

pub static RULE: Rule = Rule {
    code: "DL3011",
    name: "invalid-expose-port",
    summary: "an EXPOSE port is outside 0-65535",
    aliases: &[],
    severity: Severity::Error,
    fix: FixAvailability::None,
    default_enabled: false,
    doc: include_str!("../../rules/DL3011.md"),
    check,
};

/// The ports of an EXPOSE word (`80`, `80/tcp`, `8000-8010/udp`) that are
/// numbers too large for a port. Variables are left alone.
fn out_of_range(word: &str) -> Vec<u64> {
    let ports = word.split('/').next().unwrap_or("");
    ports
        .split('-')
        .filter(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()))
        .filter_map(|p| p.parse::<u64>().ok().or(Some(u64::MAX)))
        .filter(|&n| n > 65535)
        .collect()
}

fn check(cx: &Context) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    for (_, ins) in cx.df.instructions_of(&[Keyword::Expose]) {
        for word in ins.words() {
            let Some(&port) = out_of_range(word).first() else {
                continue;
            };
            let shown = if port == u64::MAX {
                word.to_string()
            } else {
                port.to_string()
            };
            let span = ins.line.span(0, ins.line.text.trim_end().len());
            out.push(RULE.diagnostic(
                span,
                format!("`EXPOSE {word}`: port {shown} does not exist (ports go from 0 to 65535)"),
                "Use a port number from 0 to 65535",
            ));
        }
    }
    out
}
