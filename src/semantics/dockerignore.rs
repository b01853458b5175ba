//! A build context's `.dockerignore`, read as the builder reads it: one
//! pattern a line, `#` comments, `!` to take a path back, paths relative
//! to the context root (a leading `/` or `./` means nothing), `*` and `?`
//! within one path segment, `**` across any number of them, and a pattern
//! that matches a directory excluding everything under it. The last
//! pattern that matches a path decides.

use std::borrow::Cow;

use globset::{GlobBuilder, GlobMatcher};

/// One pattern of the file.
#[derive(Debug, Clone)]
struct Pattern {
    /// `!pattern`: a path it matches is included again.
    include: bool,
    matcher: GlobMatcher,
}

/// The patterns of a build context's ignore file.
#[derive(Debug, Clone, Default)]
pub struct DockerIgnore {
    patterns: Vec<Pattern>,
    /// The file's name as shown in messages (`.dockerignore`,
    /// `Dockerfile.dockerignore`).
    pub name: String,
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
        let mut patterns = Vec::new();
        for line in text.lines() {
            let line = line.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let (include, body) = match line.strip_prefix('!') {
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
            patterns.push(Pattern {
                include,
                matcher: glob.compile_matcher(),
            });
        }
        DockerIgnore {
            patterns,
            name: name.to_string(),
        }
    }

    /// Whether a path of the context (or a directory above it) is excluded.
    pub fn excludes(&self, path: &str) -> bool {
        if self.patterns.is_empty() {
            return false;
        }
        let path = clean_borrowed(path);
        if path.is_empty() {
            return false;
        }
        // The directories above the path, as its prefixes (`a` and `a/b`
        // of `a/b/c`): a clean path has no empty segment.
        let parents = path.match_indices('/').map(|(i, _)| &path[..i]);
        let mut excluded = false;
        for p in &self.patterns {
            // Only a pattern that could change the answer is asked.
            if p.include != excluded {
                continue;
            }
            let hit = p.matcher.is_match(&*path) || parents.clone().any(|d| p.matcher.is_match(d));
            if hit {
                excluded = !p.include;
            }
        }
        excluded
    }
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
