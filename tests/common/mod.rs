//! What the corpus-driven tests share: where `../shared/corpus` is, and its
//! real-world Dockerfiles.

#![allow(dead_code)]

use std::fs;
use std::path::{Path, PathBuf};

/// Where the corpus is: `$DFLINT_CORPUS`, else `../shared/corpus` beside
/// the repository.
fn corpus_dir() -> PathBuf {
    match std::env::var_os("DFLINT_CORPUS") {
        Some(dir) => PathBuf::from(dir),
        None => Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus"),
    }
}

/// The corpus directory. These tests never pass by skipping: without the
/// corpus they fail, saying what is missing and how to provide it.
pub fn corpus_or_fail() -> PathBuf {
    let dir = corpus_dir();
    assert!(
        dir.is_dir(),
        "\n\n*** {} is not present. ***\nThe conformance and corpus tests need BuildKit's fixtures and the real-world \
         Dockerfiles: put the `shared` directory beside this repository (../shared/corpus), or set \
         DFLINT_CORPUS to a copy of it.\n",
        dir.display()
    );
    dir
}

/// The corpus directory, as [`corpus_or_fail`] (kept for callers that
/// match on it).
pub fn corpus() -> Option<PathBuf> {
    Some(corpus_or_fail())
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
