//! A build context's `.dockerignore`, read as the builder reads it: one
//! pattern a line, `#` comments, `!` to take a path back, paths relative
//! to the context root (a leading `/` or `./` means nothing), `*` and `?`
//! within one path segment, `**` across any number of them, and a pattern
//! that matches a directory excluding everything under it. The last
//! pattern that matches a path decides.

use std::borrow::Cow;

use globset::{GlobBuilder, GlobMatcher, GlobSet, GlobSetBuilder};

/// The patterns of a build context's ignore file.
#[derive(Debug, Clone, Default)]
pub struct DockerIgnore {
    /// Whether pattern `i` is `!pattern` (a path it matches is included
    /// again).
    include: Vec<bool>,
    matchers: Matchers,
    /// The file's name as shown in messages (`.dockerignore`,
    /// `Dockerfile.dockerignore`).
    pub name: String,
}

/// The patterns, compiled. A context can hold many thousand files and a
/// generated ignore file thousands of lines: asking every pattern of every
/// path cost their product (5,000 lines over 20,000 files took 18 s).
#[derive(Debug, Clone)]
enum Matchers {
    /// All patterns in one set, which answers which of them match a path
    /// in about the time of one.
    Set(GlobSet),
    /// Each pattern alone, in order: for a file whose set cannot be built
    /// (globset refuses a combined expression past its size limit).
    Each(Vec<GlobMatcher>),
}

impl Default for Matchers {
    fn default() -> Matchers {
        Matchers::Each(Vec::new())
    }
}

impl Matchers {
    fn new(globs: Vec<globset::Glob>) -> Matchers {
        let mut set = GlobSetBuilder::new();
        for glob in &globs {
            set.add(glob.clone());
        }
        match set.build() {
            Ok(set) => Matchers::Set(set),
            Err(_) => Matchers::Each(globs.iter().map(|g| g.compile_matcher()).collect()),
        }
    }

    /// The last pattern that matches `path`, if any. `scratch` holds the
    /// set's matches between calls.
    fn last_match(&self, path: &str, scratch: &mut Vec<usize>) -> Option<usize> {
        match self {
            Matchers::Set(set) => {
                set.matches_into(path, scratch);
                scratch.iter().copied().max()
            }
            Matchers::Each(each) => each.iter().rposition(|m| m.is_match(path)),
        }
    }
}

/// A path as the builder compares it: slashes, no `./` or leading `/`,
/// `.` and `..` segments resolved, no trailing `/`.
pub fn clean(path: &str) -> String {
    clean_borrowed(path).into_owned()
}

/// [`clean`], borrowing a path that is clean already, as the paths of a
/// context's listing are: rules compare every file of a context, which
/// can hold thousands, with several patterns.
pub fn clean_borrowed(path: &str) -> Cow<'_, str> {
    let is_clean = path.is_empty() || path.split('/').all(|part| !matches!(part, "" | "." | ".."));
    if is_clean {
        Cow::Borrowed(path)
    } else {
        Cow::Owned(clean_owned(path))
    }
}

fn clean_owned(path: &str) -> String {
    let mut parts: Vec<&str> = Vec::new();
    for part in path.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                parts.pop();
            }
            p => parts.push(p),
        }
    }
    parts.join("/")
}

impl DockerIgnore {
    /// Read the text of an ignore file. Patterns that cannot be compiled
    /// are left out (the builder would reject the file; no finding can be
    /// trusted from them).
    pub fn parse(name: &str, text: &str) -> DockerIgnore {
        let (include, globs) = patterns(text);
        DockerIgnore {
            include,
            matchers: Matchers::new(globs),
            name: name.to_string(),
        }
    }

    /// Whether a path of the context (or a directory above it) is excluded.
    pub fn excludes(&self, path: &str) -> bool {
        if self.include.is_empty() {
            return false;
        }
        let path = clean_borrowed(path);
        if path.is_empty() {
            return false;
        }
        // The directories above the path, as its prefixes (`a` and `a/b`
        // of `a/b/c`): a clean path has no empty segment.
        let parents = path.match_indices('/').map(|(i, _)| &path[..i]);
        // The last pattern that matches the path or a directory above it
        // decides.
        let mut scratch = Vec::new();
        std::iter::once(&*path)
            .chain(parents)
            .filter_map(|p| self.matchers.last_match(p, &mut scratch))
            .max()
            .is_some_and(|last| !self.include[last])
    }
}

/// The patterns of an ignore file's text: whether each is `!pattern`, and
/// its glob. Patterns that cannot be compiled are left out (the builder
/// would reject the file; no finding can be trusted from them).
fn patterns(text: &str) -> (Vec<bool>, Vec<globset::Glob>) {
    let mut include = Vec::new();
    let mut globs = Vec::new();
    for line in text.lines() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let (negated, body) = match line.strip_prefix('!') {
            Some(rest) => (true, rest.trim()),
            None => (false, line),
        };
        let body = clean(body);
        if body.is_empty() {
            continue;
        }
        let Ok(glob) = GlobBuilder::new(&body)
            .literal_separator(true)
            .backslash_escape(true)
            .build()
        else {
            continue;
        };
        include.push(negated);
        globs.push(glob);
    }
    (include, globs)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_clean_path_is_borrowed_and_any_other_cleaned() {
        let paths = [
            "", "a", "a/b", "/a", "a/", "./a", "a/./b", "a//b", "a/../b", "../a", "..", ".", "/",
            "a/b/..", ".a/b.", "a/...", "...",
        ];
        for path in paths {
            let borrowed = clean_borrowed(path);
            assert_eq!(borrowed, clean_owned(path), "{path:?}");
            assert_eq!(
                matches!(borrowed, Cow::Borrowed(_)),
                clean_owned(path) == path,
                "{path:?}"
            );
        }
    }

    #[test]
    fn the_set_and_the_patterns_one_by_one_agree() {
        // The set is what runs; one matcher a pattern is the fallback for
        // a file whose set cannot be built. Both must say the same of
        // every path: the last pattern matching it or a directory above
        // it decides.
        let text = "*.log\n!keep.log\n**/__pycache__\nmodels/\n!models/*.md\nmodels/x*.md\n\
                    docs/**/*.md\n!docs/a/**\nsrc/?.py\n/build\n!build/dist\nbuild/dist/*.tmp\n[ab]c\n";
        let set = DockerIgnore::parse(".dockerignore", text);
        assert!(matches!(set.matchers, Matchers::Set(_)));
        let (include, globs) = patterns(text);
        let each = DockerIgnore {
            include,
            matchers: Matchers::Each(globs.iter().map(|g| g.compile_matcher()).collect()),
            name: String::new(),
        };
        let segments = [
            "a",
            "b",
            "ac",
            "bc",
            "keep.log",
            "x.log",
            "__pycache__",
            "models",
            "x1.md",
            "r.md",
            "docs",
            "build",
            "dist",
            "y.tmp",
            "src",
            "s.py",
            "st.py",
        ];
        let mut next = crate::rng(7);
        let (mut excluded, mut kept) = (0, 0);
        for _ in 0..3000 {
            let depth = 1 + next(4);
            let path: Vec<&str> = (0..depth)
                .map(|_| segments[next(segments.len() as u64)])
                .collect();
            let path = path.join("/");
            let answer = set.excludes(&path);
            assert_eq!(answer, each.excludes(&path), "{path}");
            if answer {
                excluded += 1;
            } else {
                kept += 1;
            }
        }
        // Both answers were given often: the comparison covered both.
        assert!(
            excluded > 300 && kept > 300,
            "{excluded} excluded, {kept} kept"
        );
        for (path, answer) in [
            ("models/w.bin", true),
            ("models/a.md", false),
            ("models/x1.md", true),
            ("build/dist/a", false),
            ("build/dist/y.tmp", true),
            ("docs/a/b.md", false),
            ("docs/b/c/r.md", true),
            ("bc/x", true),
        ] {
            assert_eq!(set.excludes(path), answer, "{path}");
            assert_eq!(each.excludes(path), answer, "{path}");
        }
    }

    #[test]
    fn reads_patterns_as_the_builder_does() {
        let ignore = DockerIgnore::parse(
            ".dockerignore",
            "# comment\n/secrets\n*.log\n**/__pycache__\nmodels/\n!models/README.md\ndocs/*.md\n",
        );
        for yes in [
            "secrets",
            "secrets/key.pem",
            "./app.log",
            "a/b/__pycache__/x.pyc",
            "__pycache__",
            "models/w.bin",
            "docs/a.md",
        ] {
            assert!(ignore.excludes(yes), "{yes}");
        }
        for no in [
            "app.py",
            "sub/app.log",
            "models/README.md",
            "docs/x/a.md",
            ".",
        ] {
            assert!(!ignore.excludes(no), "{no}");
        }
    }
}
