//! JSON lines: one finding or error a line, each object the same as an
//! item of the JSON format. A stream a tool can read (or `grep`) one line
//! at a time, and reports of several runs concatenate.

use std::io;

use super::{json_error, json_item, FileReport, LineIndex};

pub fn render(reports: &[FileReport]) -> String {
    let mut out = Vec::new();
    // Writing to memory cannot fail.
    let _ = write(&mut out, reports);
    String::from_utf8_lossy(&out).into_owned()
}

/// [`render`], written one line at a time as it is made.
pub fn write(w: &mut impl io::Write, reports: &[FileReport]) -> io::Result<()> {
    for r in reports {
        let index = LineIndex::new(r.source);
        let errors = r.errors.iter().map(|e| json_error(r.path, &index, e));
        let findings = r.diagnostics.iter().map(|d| json_item(r.path, &index, d));
        for value in errors.chain(findings) {
            // Compact JSON escapes every line break inside strings, so an
            // object never spans two lines.
            serde_json::to_writer(&mut *w, &value).map_err(io::Error::from)?;
            w.write_all(b"\n")?;
        }
    }
    Ok(())
}
