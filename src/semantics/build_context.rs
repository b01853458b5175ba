//! The files of a build context and their sizes: what a `COPY` from the
//! context can send, once its `.dockerignore` has had its say. Read from
//! the disk only when a rule first asks (most files never need it), or
//! given as a listing (tests, documentation examples). Also what a pip
//! install reads from the requirements files of the context.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, OnceLock};

use super::commands::PackageInstall;
use super::dockerignore::{clean, DockerIgnore};
use super::requirements::{context_dir, context_path, read_all, Requirement, FILE_OPTIONS};
use super::{Context, Run};
use crate::syntax::shell::Word;

/// One regular file of the context: its path from the context root, with
/// `/` separators, and its size in bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContextFile {
    pub path: String,
    pub size: u64,
}

/// More entries than this and the context is not listed: no finding rests
/// on a partial count, and a lint stays fast on a huge directory.
const MAX_ENTRIES: usize = 200_000;

/// The files of a build context, listed once.
#[derive(Debug, Default)]
pub struct ContextFiles {
    root: Option<PathBuf>,
    listing: OnceLock<Option<Vec<ContextFile>>>,
    /// The requirements files read so far, by path: each RUN that installs
    /// from a file asks for it again, and reading it each time cost the
    /// product of the RUNs and the file's lines.
    requirements: Mutex<HashMap<PathBuf, Arc<[Requirement]>>>,
}

impl ContextFiles {
    /// The context at a directory, walked on first use.
    pub fn on_disk(root: impl Into<PathBuf>) -> ContextFiles {
        ContextFiles {
            root: Some(root.into()),
            ..ContextFiles::default()
        }
    }

    /// The context's directory on disk, if it is one.
    pub fn root(&self) -> Option<&std::path::Path> {
        self.root.as_deref()
    }

    /// A context given as text, one `path size` a line (`models/w.bin 2300000000`);
    /// `#` comments and blank lines are skipped.
    pub fn from_listing(text: &str) -> ContextFiles {
        let mut files: Vec<ContextFile> = text
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty() && !l.starts_with('#'))
            .filter_map(|l| {
                let (path, size) = l.rsplit_once(char::is_whitespace)?;
                Some(ContextFile {
                    path: clean(path.trim()),
                    size: size.trim().parse().ok()?,
                })
            })
            .collect();
        files.sort_by(|a, b| a.path.cmp(&b.path));
        let listing = OnceLock::new();
        let _ = listing.set(Some(files));
        ContextFiles {
            root: None,
            listing,
            ..ContextFiles::default()
        }
    }

    /// Every regular file of the context, sorted by path; `None` when the
    /// directory cannot be read whole (or is too large to list).
    pub fn files(&self) -> Option<&[ContextFile]> {
        self.listing
            .get_or_init(|| self.root.as_deref().and_then(walk))
            .as_deref()
    }

    /// The files a `COPY` of `source` (a context path, a directory or a
    /// glob) sends, those the ignore file excludes left out.
    pub fn sent_by<'a>(
        &'a self,
        source: &str,
        ignore: Option<&'a DockerIgnore>,
    ) -> Option<impl Iterator<Item = &'a ContextFile> + 'a> {
        let files = self.files()?;
        let selector = Selector::new(clean(source));
        let candidates = match &selector {
            Selector::Path(path) => under(files, path),
            // What a pattern selects starts with its text before the first
            // pattern character (patterns are anchored at the context's
            // root): only the files that do are compared (a file of many
            // `COPY models/x/*.bin` lines against a large context compared
            // every pattern with every file).
            Selector::Glob(_, literal) => starting_with(files, literal),
            Selector::All => files,
        };
        Some(candidates.iter().filter(move |f| {
            selector.selects(&f.path) && !ignore.is_some_and(|i| i.excludes(&f.path))
        }))
    }
}

/// The files of a listing sorted by path that are `path` or lie under it.
/// They lie from the path itself to the end of `path/`, before `path0`
/// (`0` follows `/`): found by two searches, not a walk of every file.
fn under<'f>(files: &'f [ContextFile], path: &str) -> &'f [ContextFile] {
    let from = files.partition_point(|f| f.path.as_str() < path);
    let after = format!("{path}0");
    let to = files.partition_point(|f| f.path.as_str() < after.as_str());
    &files[from..to.max(from)]
}

/// The files of a listing sorted by path whose path starts with `prefix`:
/// they lie together, from the first at or after it.
fn starting_with<'f>(files: &'f [ContextFile], prefix: &str) -> &'f [ContextFile] {
    let from = files.partition_point(|f| f.path.as_str() < prefix);
    let len = files[from..].partition_point(|f| f.path.starts_with(prefix));
    &files[from..from + len]
}

/// The characters of the ignore file's pattern syntax: a source without
/// them names a path.
const GLOB_CHARS: &[char] = &['*', '?', '[', ']', '{', '}', '\\'];

/// What a cleaned COPY source selects: the whole context, a path and
/// everything under it, or what a pattern matches and everything under
/// that (the ignore file's matching, one pattern).
enum Selector {
    All,
    /// Compared as text, not compiled into a pattern: a generated file can
    /// copy a different path on every line, and compiling each was most of
    /// the lint of one.
    Path(String),
    /// The pattern, and its text before the first pattern character
    /// (`models/v1/m` of `models/v1/m*.bin`), with which every path it
    /// selects starts.
    Glob(DockerIgnore, String),
}

impl Selector {
    fn new(source: String) -> Selector {
        if source.is_empty() {
            Selector::All
        } else if source.contains(GLOB_CHARS) {
            let literal = source[..source.find(GLOB_CHARS).unwrap_or(source.len())].to_string();
            Selector::Glob(DockerIgnore::parse("", &source), literal)
        } else {
            Selector::Path(source)
        }
    }

    /// Whether the source selects a context file (its path clean, as the
    /// listing holds it).
    fn selects(&self, file: &str) -> bool {
        match self {
            Selector::All => true,
            Selector::Path(path) => file
                .strip_prefix(path.as_str())
                .is_some_and(|rest| rest.is_empty() || rest.starts_with('/')),
            Selector::Glob(pattern, _) => pattern.excludes(file),
        }
    }
}

/// List a directory's regular files, recursively, without following
/// symbolic links (the builder sends a link as a link).
fn walk(root: &Path) -> Option<Vec<ContextFile>> {
    let mut out = Vec::new();
    let mut dirs = vec![(root.to_path_buf(), String::new())];
    let mut entries = 0usize;
    while let Some((dir, prefix)) = dirs.pop() {
        for entry in std::fs::read_dir(&dir).ok()? {
            let entry = entry.ok()?;
            entries += 1;
            if entries > MAX_ENTRIES {
                return None;
            }
            let name = entry.file_name().to_string_lossy().into_owned();
            let path = if prefix.is_empty() {
                name
            } else {
                format!("{prefix}/{name}")
            };
            let meta = entry.path().symlink_metadata().ok()?;
            if meta.is_dir() {
                dirs.push((entry.path(), path));
            } else if meta.is_file() {
                out.push(ContextFile {
                    path,
                    size: meta.len(),
                });
            }
        }
    }
    out.sort_by(|a, b| a.path.cmp(&b.path));
    Some(out)
}

/// A requirements file of the build context that a pip install reads.
pub struct RequirementFile<'i> {
    /// The word that names it (`FILE` of `-r FILE`, or `-rFILE` whole).
    pub word: &'i Word,
    /// Its path in the context.
    pub file: String,
    /// Its requirements and those of the files it includes, each with its
    /// file and line.
    pub requirements: Arc<[Requirement]>,
}

/// The requirements files of the build context on disk that a pip install
/// reads (`-r FILE`, `-c FILE`); empty without a context. A file is read
/// once for all the RUNs that install from it.
pub fn requirement_files<'i>(
    cx: &Context,
    run: &Run,
    install: &PackageInstall<'i>,
) -> Vec<RequirementFile<'i>> {
    let Some(files) = cx.context_files else {
        return Vec::new();
    };
    // The context's directory and the working directory are worked out
    // only for an install that names a file (most name none, and several
    // rules ask of every install).
    let mut place: Option<(PathBuf, String)> = None;
    let args = install.args;
    let mut out = Vec::new();
    for (i, w) in args.iter().enumerate() {
        // `-r FILE`, `--requirement=FILE`, `-rFILE`.
        let t = w.text.as_str();
        let named = FILE_OPTIONS.iter().find_map(|opt| {
            if t == *opt {
                args.get(i + 1).map(|next| (next, next.text.as_str()))
            } else if let Some(v) = t.strip_prefix(opt).and_then(|r| r.strip_prefix('=')) {
                Some((w, v))
            } else if opt.len() == 2 && t.len() > 2 && t.starts_with(opt) {
                Some((w, &t[2..]))
            } else {
                None
            }
        });
        let Some((word, file)) = named.filter(|(_, f)| !f.contains('$')) else {
            continue;
        };
        let (dir, workdir) = match place {
            Some(ref known) => known,
            None => {
                let Some(dir) = context_dir(cx) else {
                    return out;
                };
                let workdir = cx
                    .model
                    .workdir_at(run.stage, run.item)
                    .unwrap_or_else(|| "/".to_string());
                place.insert((dir, workdir))
            }
        };
        let image_path = if file.starts_with('/') {
            file.to_string()
        } else {
            format!("{workdir}/{file}")
        };
        if let Some(context_file) = context_path(cx, dir, run, &image_path) {
            out.push(RequirementFile {
                word,
                requirements: files.requirements(dir, &context_file),
                file: context_file,
            });
        }
    }
    out
}

impl ContextFiles {
    /// The requirements of `file` in the context at `dir` and of the files
    /// it includes, read on first use.
    pub fn requirements(&self, dir: &Path, file: &str) -> Arc<[Requirement]> {
        let key = dir.join(file);
        // A rule that panicked while holding the lock left the map whole.
        let map = || {
            self.requirements
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner)
        };
        if let Some(found) = map().get(&key) {
            return Arc::clone(found);
        }
        // Read without the lock: another rule may read the same file
        // meanwhile, and the first to finish is kept.
        let found: Arc<[Requirement]> = read_all(dir, file).into();
        Arc::clone(map().entry(key).or_insert(found))
    }
}

/// Whether a requirements file of the context on disk names a package
/// index of its own (`--index-url`, `--extra-index-url`, `--find-links`).
pub fn names_an_index(cx: &Context, file: &str) -> bool {
    let Some(dir) = context_dir(cx) else {
        return false;
    };
    std::fs::read_to_string(dir.join(file)).is_ok_and(|text| {
        text.lines().any(|l| {
            let l = l.trim_start();
            [
                "-i",
                "--index-url",
                "--extra-index-url",
                "-f",
                "--find-links",
            ]
            .iter()
            .any(|o| l.starts_with(&format!("{o} ")) || l.starts_with(&format!("{o}=")))
        })
    })
}

/// A size as people read it, in decimal units as `docker images` shows
/// them: `950 B`, `12 kB`, `2.3 GB`.
pub fn human_bytes(n: u64) -> String {
    const UNITS: &[&str] = &["B", "kB", "MB", "GB", "TB"];
    let mut value = n as f64;
    let mut unit = 0;
    while value >= 1000.0 && unit + 1 < UNITS.len() {
        value /= 1000.0;
        unit += 1;
    }
    if unit == 0 {
        format!("{n} B")
    } else if value < 10.0 {
        format!("{value:.1} {}", UNITS[unit])
    } else {
        format!("{value:.0} {}", UNITS[unit])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_read_as_people_read_them() {
        assert_eq!(human_bytes(950), "950 B");
        assert_eq!(human_bytes(12_400), "12 kB");
        assert_eq!(human_bytes(2_300_000_000), "2.3 GB");
    }

    #[test]
    fn a_copy_sends_what_it_names_less_what_is_ignored() {
        let files = ContextFiles::from_listing(
            "app.py 100\nmodels/a.safetensors 2000\nmodels/README.md 10\nnotes/x.ipynb 50\n",
        );
        let ignore = DockerIgnore::parse(".dockerignore", "models\n!models/README.md\n");
        let sum = |src: &str, ig: Option<&DockerIgnore>| -> u64 {
            files.sent_by(src, ig).unwrap().map(|f| f.size).sum()
        };
        assert_eq!(sum(".", None), 2160);
        assert_eq!(sum(".", Some(&ignore)), 160);
        assert_eq!(sum("models/", None), 2010);
        assert_eq!(sum("models", Some(&ignore)), 10);
        assert_eq!(sum("*.py", None), 100);
    }

    /// What a COPY of `source` sends is what `selects` picks among all the
    /// files, in order.
    fn assert_sends_what_it_selects(
        files: &ContextFiles,
        source: &str,
        selects: impl Fn(&str) -> bool,
    ) {
        let sent: Vec<&str> = files
            .sent_by(source, None)
            .unwrap()
            .map(|f| f.path.as_str())
            .collect();
        let all = files.files().unwrap().iter().map(|f| f.path.as_str());
        let want: Vec<&str> = all.filter(|p| selects(p)).collect();
        assert_eq!(sent, want, "{source}");
    }

    #[test]
    fn a_path_selects_as_the_pattern_it_is() {
        // Paths that sort around a source's own: `a-b` and `a.txt` fall
        // between `a` and `a/`, `a0` just after.
        let paths = [
            "a", "a-b", "a.txt", "a/x", "a/y/z", "a0", "ab", "b", "b/a", "x/a", "a/b/c/d",
        ];
        let mut listing: Vec<String> = paths.iter().map(|p| format!("{p} 1")).collect();
        listing.sort();
        let files = ContextFiles::from_listing(&listing.join("\n"));
        for source in [
            "a", "a/", "./a", "a/y", "a/b/c", "ab", "b", "x", "c", "a/x/",
        ] {
            let pattern = DockerIgnore::parse("", &clean(source));
            assert_sends_what_it_selects(&files, source, |p| pattern.excludes(p));
            assert!(matches!(Selector::new(clean(source)), Selector::Path(_)));
        }
        assert!(matches!(Selector::new(clean(".")), Selector::All));
    }

    #[test]
    fn a_pattern_is_compared_only_with_the_files_that_start_as_it_does() {
        let paths = [
            "a",
            "a-b",
            "a.bin",
            "a/x.bin",
            "a/y/z.bin",
            "a/y/w.txt",
            "a0/x.bin",
            "ab/x.bin",
            "b/a/x.bin",
            "m/v1/a.bin",
            "m/v1/sub/b.bin",
            "m/v10/c.bin",
            "m/v2/a.bin",
            "x.bin",
        ];
        let mut listing: Vec<String> = paths.iter().map(|p| format!("{p} 1")).collect();
        listing.sort();
        let files = ContextFiles::from_listing(&listing.join(
            "
",
        ));
        for (source, dir) in [
            ("a/*.bin", "a/"),
            ("./a/y/*", "a/y/"),
            ("m/v1/*.bin", "m/v1/"),
            ("m/v1*/*.bin", "m/v1"),
            ("m/**/a.bin", "m/"),
            ("*/x.bin", ""),
            ("*.bin", ""),
            ("a[0-9]/x.bin", "a"),
            ("m/v?/a.bin", "m/v"),
            ("a*", "a"),
            ("a\\-b", "a"),
        ] {
            let selector = Selector::new(clean(source));
            let Selector::Glob(_, literal) = &selector else {
                panic!("{source} is a pattern");
            };
            assert_eq!(literal, dir, "{source}");
            assert_sends_what_it_selects(&files, source, |p| selector.selects(p));
        }
        let sent = |source| files.sent_by(source, None).unwrap().count();
        assert_eq!(sent("m/v1/*.bin"), 1);
        assert_eq!(sent("m/v1*/*.bin"), 2);
        assert_eq!(sent("a/y/*"), 2);
    }

    #[test]
    fn walks_a_directory() {
        let dir = std::env::temp_dir().join(format!("dflint-context-{}", std::process::id()));
        std::fs::create_dir_all(dir.join("models")).unwrap();
        std::fs::write(dir.join("models/w.bin"), vec![0u8; 1234]).unwrap();
        std::fs::write(dir.join("app.py"), "print(1)\n").unwrap();
        let files = ContextFiles::on_disk(&dir);
        let listed: Vec<(&str, u64)> = files
            .files()
            .unwrap()
            .iter()
            .map(|f| (f.path.as_str(), f.size))
            .collect();
        assert_eq!(listed, [("app.py", 9), ("models/w.bin", 1234)]);
        std::fs::remove_dir_all(&dir).unwrap();
    }

    /// Every RUN that installs from a requirements file gets the file's
    /// requirements, read from the disk once.
    #[test]
    fn a_requirements_file_is_read_once_for_every_run_that_installs_from_it() {
        let dir = std::env::temp_dir().join(format!("dflint-req-once-{}", std::process::id()));
        std::fs::create_dir_all(dir.join("reqs")).unwrap();
        std::fs::write(dir.join("requirements.txt"), "-r reqs/base.txt\nflask\n").unwrap();
        std::fs::write(dir.join("reqs/base.txt"), "torch==2.1\n").unwrap();
        let text = "\
FROM python:3.11
COPY requirements.txt reqs/ /app/
WORKDIR /app
RUN pip install -r requirements.txt
RUN pip install -r /app/requirements.txt && pip install -rrequirements.txt numpy
";
        let df = crate::syntax::parse(text).expect("parses");
        let files = ContextFiles::on_disk(&dir);
        let mut cx = Context::new(&df, None, None, Default::default());
        cx.context_files = Some(&files);
        let read: Vec<(String, String, Arc<[Requirement]>)> = cx
            .runs()
            .iter()
            .flat_map(|run| {
                run.commands()
                    .filter_map(|(_, cmd)| crate::semantics::commands::package_install(cmd))
                    .flat_map(|install| requirement_files(&cx, run, &install))
                    .map(|r| (r.word.text.to_string(), r.file, r.requirements))
                    .collect::<Vec<_>>()
            })
            .collect();
        let words: Vec<&str> = read.iter().map(|(w, _, _)| w.as_str()).collect();
        assert_eq!(
            words,
            [
                "requirements.txt",
                "/app/requirements.txt",
                "-rrequirements.txt"
            ]
        );
        for (_, file, found) in &read {
            assert_eq!(file, "requirements.txt");
            let specs: Vec<(&str, &str)> = found
                .iter()
                .map(|r| (r.file.as_str(), r.spec.as_str()))
                .collect();
            assert_eq!(
                specs,
                [
                    ("reqs/base.txt", "torch==2.1"),
                    ("requirements.txt", "flask")
                ]
            );
            // One reading, shared.
            assert!(Arc::ptr_eq(found, &read[0].2));
        }
        // Asked again after the file is gone, the reading stands.
        std::fs::remove_dir_all(&dir).unwrap();
        assert!(Arc::ptr_eq(
            &files.requirements(&dir, "requirements.txt"),
            &read[0].2
        ));
    }
}
