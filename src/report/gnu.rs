//! GNU lines, as the GNU Coding Standards ask of a program's messages:
//! `dflint:PATH:LINE:COL: CODE severity: message`. Editors (Emacs'
//! compilation mode, Vim's quickfix) and `grep`-style tools jump to them.
//! An error that stopped a file from being checked has no code:
//! `dflint:PATH:LINE:COL: error: message`.

use std::fmt::Write;

use super::{items, FileReport, LineIndex};

pub fn render(reports: &[FileReport]) -> String {
    let mut out = String::new();
    for r in reports {
        let index = LineIndex::new(r.source);
        for item in items(r, &index) {
            let code = item.code.map(|c| format!("{c} ")).unwrap_or_default();
            // One finding, one line: a line break in a message (quoted
            // from the file) would start what reads as another message.
            let message = one_line(item.message);
            let _ = writeln!(
                out,
                "dflint:{}:{}:{}: {code}{}: {message}",
                r.path, item.line, item.column, item.severity
            );
        }
    }
    out
}

fn one_line(s: &str) -> String {
    s.replace("\r\n", " ").replace(['\n', '\r'], " ")
}
