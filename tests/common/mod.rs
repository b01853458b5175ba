//! What the corpus-driven tests share: where `../shared/corpus` is, and its
//! real-world Dockerfiles.

#![allow(dead_code)]

use std::fs;
use std::path::{Path, PathBuf};

/// `../shared/corpus` beside the repository, or `None` (with a note) when absent.
pub fn corpus() -> Option<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus");
    if dir.is_dir() {
        Some(dir)
    } else {
        eprintln!("skipping: ../shared/corpus is not present");
        None
    }
}

/// A corpus file as UTF-8 text.
pub fn read(path: &Path) -> String {
    let bytes = fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    String::from_utf8(bytes).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// Every real-world Dockerfile as `(file name, text)`, sorted by name.
pub fn realworld(corpus: &Path) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = fs::read_dir(corpus.join("realworld"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| !p.extension().is_some_and(|e| e == "tsv" || e == "md"))
        .map(|p| {
            (
                p.file_name().unwrap().to_string_lossy().to_string(),
                read(&p),
            )
        })
        .collect();
    out.sort();
    out
}
