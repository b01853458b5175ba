//! DL3054 label-not-spdx: a label the label schema types `spdx` whose value
//! is not an SPDX license expression.

use super::{Context, FixAvailability, Rule};
use crate::diagnostic::{Diagnostic, Severity};
use crate::semantics::managers::{invalid_labels, LabelKind};

pub static RULE: Rule = Rule {
    code: "DL3054",
    name: "label-not-spdx",
    aliases: &[],
    summary: "an `spdx` label of the label schema whose value is not an SPDX license expression",
    severity: Severity::Warning,
    fix: FixAvailability::None,
    default_enabled: false,
    doc: include_str!("../../rules/DL3054.md"),
    check,
};

/// SPDX identifiers of the licenses container images most often carry.
/// (The full list has some 600; `LicenseRef-` names one of your own.)
const LICENSES: &[&str] = &[
    "0BSD",
    "AFL-3.0",
    "AGPL-3.0",
    "AGPL-3.0-only",
    "AGPL-3.0-or-later",
    "Apache-1.1",
    "Apache-2.0",
    "APSL-2.0",
    "Artistic-2.0",
    "BlueOak-1.0.0",
    "BSD-1-Clause",
    "BSD-2-Clause",
    "BSD-2-Clause-Patent",
    "BSD-3-Clause",
    "BSD-3-Clause-Clear",
    "BSD-4-Clause",
    "BSL-1.0",
    "BUSL-1.1",
    "CAL-1.0",
    "CC-BY-3.0",
    "CC-BY-4.0",
    "CC-BY-NC-4.0",
    "CC-BY-NC-SA-4.0",
    "CC-BY-ND-4.0",
    "CC-BY-SA-3.0",
    "CC-BY-SA-4.0",
    "CC0-1.0",
    "CDDL-1.0",
    "CDDL-1.1",
    "CECILL-2.1",
    "CPL-1.0",
    "ECL-2.0",
    "EFL-2.0",
    "EPL-1.0",
    "EPL-2.0",
    "EUPL-1.1",
    "EUPL-1.2",
    "FTL",
    "GFDL-1.3",
    "GFDL-1.3-only",
    "GFDL-1.3-or-later",
    "GPL-1.0-or-later",
    "GPL-2.0",
    "GPL-2.0-only",
    "GPL-2.0-or-later",
    "GPL-3.0",
    "GPL-3.0-only",
    "GPL-3.0-or-later",
    "HPND",
    "ICU",
    "IJG",
    "ISC",
    "LGPL-2.0",
    "LGPL-2.0-only",
    "LGPL-2.0-or-later",
    "LGPL-2.1",
    "LGPL-2.1-only",
    "LGPL-2.1-or-later",
    "LGPL-3.0",
    "LGPL-3.0-only",
    "LGPL-3.0-or-later",
    "LPPL-1.3c",
    "MirOS",
    "MIT",
    "MIT-0",
    "MPL-1.1",
    "MPL-2.0",
    "MPL-2.0-no-copyleft-exception",
    "MS-PL",
    "MS-RL",
    "MulanPSL-2.0",
    "NCSA",
    "ODbL-1.0",
    "OFL-1.1",
    "OpenSSL",
    "OSL-3.0",
    "PHP-3.01",
    "PostgreSQL",
    "PSF-2.0",
    "Python-2.0",
    "Ruby",
    "SSPL-1.0",
    "Unicode-3.0",
    "Unicode-DFS-2016",
    "Unlicense",
    "UPL-1.0",
    "Vim",
    "W3C",
    "WTFPL",
    "X11",
    "Zlib",
    "ZPL-2.1",
];

/// A license expression: identifiers (with an optional `+`) or
/// `LicenseRef-...`, joined by `AND` and `OR`, with `WITH` an exception,
/// and parentheses.
fn valid(value: &str) -> bool {
    let spaced = value.replace('(', " ( ").replace(')', " ) ");
    let mut depth = 0i32;
    let mut expect_license = true;
    let mut after_with = false;
    for token in spaced.split_whitespace() {
        match token {
            "(" if expect_license => depth += 1,
            ")" if !expect_license => {
                depth -= 1;
                if depth < 0 {
                    return false;
                }
            }
            "AND" | "OR" | "WITH" if !expect_license => {
                expect_license = true;
                after_with = token == "WITH";
            }
            t if expect_license => {
                let id = t.strip_suffix('+').unwrap_or(t);
                let known = after_with
                    || id.starts_with("LicenseRef-")
                    || id.starts_with("DocumentRef-")
                    || LICENSES.iter().any(|l| l.eq_ignore_ascii_case(id));
                if !known {
                    return false;
                }
                expect_license = false;
                after_with = false;
            }
            _ => return false,
        }
    }
    depth == 0 && !expect_license
}

fn check(cx: &Context) -> Vec<Diagnostic> {
    invalid_labels(cx, LabelKind::Spdx, valid)
        .into_iter()
        .map(|p| {
            RULE.diagnostic(
                p.key_span,
                format!(
                    "Label `{}` is `{}`, not an SPDX license expression",
                    p.key, p.value
                ),
                "Use SPDX license identifiers (`Apache-2.0`, `MIT OR Apache-2.0`)",
            )
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::valid;

    #[test]
    fn values() {
        for v in [
            "BSD-3-Clause",
            "MIT",
            "MIT OR Apache-2.0",
            "(MIT OR Apache-2.0) AND BSD-3-Clause",
            "GPL-2.0-or-later WITH Classpath-exception-2.0",
            "LicenseRef-Proprietary",
        ] {
            assert!(valid(v), "{v}");
        }
        for v in [
            "not-spdx",
            "MIT OR",
            "Apache 2.0",
            "(MIT",
            "MIT AND AND BSD-3-Clause",
        ] {
            assert!(!valid(v), "{v}");
        }
    }
}
