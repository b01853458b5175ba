//! Requirements files in the build context: which context file a
//! `pip install -r FILE` reads (following the COPYs that put it in the
//! image), and the requirements it names, with the nested `-r` and `-c`
//! files it includes, each with its file and line.

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use super::context::copy_destination;
use super::{normalize_path, Context, Run};

/// A requirements file larger than this is not read: no real one is, and a
/// lint must stay fast whatever the context holds.
const MAX_FILE_BYTES: u64 = 1 << 20;

/// How deep `-r` files may include each other before reading stops (a
/// cycle is stopped earlier, by the files already read).
const MAX_DEPTH: usize = 16;

/// Options of a requirements file (and of pip) that name another file to
/// read: requirements, or constraints on them.
pub const FILE_OPTIONS: &[&str] = &["-r", "--requirement", "-c", "--constraint"];

/// One requirement line of a requirements file in the context.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Requirement {
    /// The file's path in the build context, `/`-separated.
    pub file: String,
    /// 1-based line of the requirement (its first, when continued).
    pub line: usize,
    /// The requirement as written (`opencv-python==4.9.0.80`).
    pub spec: String,
    /// Whether it came from a constraints file (`-c`): it pins a version
    /// rather than asking for the package.
    pub constraint: bool,
}

/// The build context's directory, when the file has one on disk: the one
/// given with `--context DIR`, else the Dockerfile's directory. A file read from standard
/// input has no context (`context_files` is unset), and nothing is read.
pub fn context_dir(cx: &Context) -> Option<PathBuf> {
    let files = cx.context_files?;
    if let Some(root) = files.root() {
        return Some(root.to_path_buf());
    }
    let file = Path::new(cx.file_name?);
    let dir = file
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    Some(dir.to_path_buf())
}

/// A context path made relative and clean (`./a/../b.txt` -> `b.txt`).
pub(crate) fn clean(path: &str) -> String {
    normalize_path(&format!("/{path}"))
        .trim_start_matches('/')
        .to_string()
}

/// Whether a file name matches a COPY source pattern's last part, with
/// `*` and `?` wildcards (`requirements*.txt`).
fn matches_pattern(pattern: &str, name: &str) -> bool {
    // One pass with a single point to go back to, the last `*`: trying
    // every way of splitting the name among the stars took exponential
    // time (`COPY a*a*a*a*a*a*a*a*a*a*a*a*a*a*b` hung on a long name).
    let (p, n) = (pattern.as_bytes(), name.as_bytes());
    let (mut pi, mut ni) = (0, 0);
    // The last `*` seen, and where in the name it would next stop.
    let mut star: Option<(usize, usize)> = None;
    while ni < n.len() {
        match p.get(pi) {
            Some(b'*') => {
                star = Some((pi, ni));
                pi += 1;
            }
            Some(&c) if c == b'?' || c == n[ni] => {
                pi += 1;
                ni += 1;
            }
            _ => match star {
                // The star takes one more byte, and the rest is tried again.
                Some((sp, sn)) => {
                    star = Some((sp, sn + 1));
                    pi = sp + 1;
                    ni = sn + 1;
                }
                None => return false,
            },
        }
    }
    p[pi..].iter().all(|&c| c == b'*')
}

/// The context file that sits at `image_path` when `run` runs, following
/// the COPYs from the context in the run's stage and the stages it is
/// built on, the last first. `None` when no COPY put it there, or it is not
/// in the context on disk.
pub fn context_path(cx: &Context, dir: &Path, run: &Run, image_path: &str) -> Option<String> {
    let target = normalize_path(image_path);
    // Only a COPY whose sources can land on the target can have put it
    // there: those are looked up rather than every earlier COPY read.
    let mut items = cx.context_copies_onto(dir, &target);
    items.retain(|&i| {
        i < run.item
            && cx
                .model
                .stage_of(i)
                .is_some_and(|s| cx.model.built_on(run.stage, s))
    });
    // The last COPY first, as the build would leave the file.
    items.reverse();
    for item in items {
        let Some(ins) = cx.instruction(item) else {
            continue;
        };
        let words = ins.words();
        let Some((dest, sources)) = words.split_last() else {
            continue;
        };
        let stage = cx.model.stage_of(item)?;
        let dest_abs = copy_destination(&cx.model, stage, item, ins)?;
        let into_dir = dest.ends_with('/') || dest.ends_with('.') || sources.len() > 1;
        for source in sources.iter().filter(|s| !s.starts_with("<<")) {
            let source = clean(source);
            let source_is_dir = source.is_empty() || dir.join(&source).is_dir();
            let candidate = if source_is_dir {
                // The directory's contents land under the destination.
                target
                    .strip_prefix(&format!("{}/", dest_abs.trim_end_matches('/')))
                    .map(|rest| clean(&format!("{source}/{rest}")))
            } else {
                let (parent, name) = match source.rsplit_once('/') {
                    Some((p, n)) => (format!("{p}/"), n),
                    None => (String::new(), source.as_str()),
                };
                let (target_dir, target_name) = target.rsplit_once('/').unwrap_or(("", &target));
                let lands_in_dir = (into_dir || dir.join(&source).is_file())
                    && target_dir == dest_abs.trim_end_matches('/')
                    && matches_pattern(name, target_name);
                let is_dest = !into_dir && target == dest_abs && !name.contains(['*', '?']);
                if lands_in_dir {
                    Some(format!("{parent}{target_name}"))
                } else if is_dest {
                    Some(source.clone())
                } else {
                    None
                }
            };
            if let Some(found) = candidate.filter(|c| dir.join(c).is_file()) {
                return Some(found);
            }
        }
    }
    None
}

/// Read a requirements file of the context and the files it includes.
/// Files that cannot be read (missing, too large, not UTF-8) give nothing.
pub fn read_all(dir: &Path, file: &str) -> Vec<Requirement> {
    let mut out = Vec::new();
    let mut seen = HashSet::new();
    read_into(dir, &clean(file), false, 0, &mut seen, &mut out);
    out
}

fn read_into(
    dir: &Path,
    file: &str,
    constraint: bool,
    depth: usize,
    seen: &mut HashSet<String>,
    out: &mut Vec<Requirement>,
) {
    if depth > MAX_DEPTH || !seen.insert(file.to_string()) {
        return;
    }
    let path = dir.join(file);
    // A symbolic link may point out of the context, which a build never
    // sends: only regular files are read.
    let small =
        std::fs::symlink_metadata(&path).is_ok_and(|m| m.is_file() && m.len() <= MAX_FILE_BYTES);
    let Some(text) = small.then(|| std::fs::read_to_string(&path).ok()).flatten() else {
        return;
    };
    let base = file.rsplit_once('/').map_or("", |(d, _)| d);
    for (line, content) in logical_lines(&text) {
        let words: Vec<&str> = content.split_whitespace().collect();
        let Some(first) = words.first() else {
            continue;
        };
        // `-r other.txt`, `--requirement=other.txt`, `-rother.txt`: nested
        // files are relative to the file that names them.
        let nested = FILE_OPTIONS.iter().find_map(|opt| {
            if *first == *opt {
                words.get(1).map(|w| (*opt, *w))
            } else if let Some(v) = first.strip_prefix(opt).and_then(|r| r.strip_prefix('=')) {
                Some((*opt, v))
            } else if opt.len() == 2 && first.len() > 2 && first.starts_with(opt) {
                Some((*opt, &first[2..]))
            } else {
                None
            }
        });
        if let Some((opt, name)) = nested {
            let is_constraint = constraint || matches!(opt, "-c" | "--constraint");
            let joined = if base.is_empty() {
                name.to_string()
            } else {
                format!("{base}/{name}")
            };
            read_into(dir, &clean(&joined), is_constraint, depth + 1, seen, out);
            continue;
        }
        if first.starts_with('-') {
            continue;
        }
        out.push(Requirement {
            file: file.to_string(),
            line,
            spec: content.trim().to_string(),
            constraint,
        });
    }
}

/// A requirements file's lines with comments removed and `\` continuations
/// joined, each with the number of its first line.
fn logical_lines(text: &str) -> Vec<(usize, String)> {
    let mut out = Vec::new();
    let mut current: Option<(usize, String)> = None;
    for (n, raw) in text.lines().enumerate() {
        // A comment starts at `#` at the line's start or after whitespace.
        let without_comment = match raw.find(" #").or_else(|| raw.find("\t#")) {
            _ if raw.trim_start().starts_with('#') => "",
            Some(i) => &raw[..i],
            None => raw,
        };
        let (body, continued) = match without_comment.trim_end().strip_suffix('\\') {
            Some(b) => (b, true),
            None => (without_comment, false),
        };
        let entry = current.get_or_insert_with(|| (n + 1, String::new()));
        entry.1.push_str(body);
        entry.1.push(' ');
        if !continued {
            out.extend(current.take());
        }
    }
    out.extend(current);
    out.retain(|(_, l)| !l.trim().is_empty());
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_comments_and_continuations() {
        let text = "# top\nnumpy==1.26 # pinned\nopencv-python \\\n  >=4.8\n\n-r more.txt\n";
        let lines: Vec<(usize, String)> = logical_lines(text)
            .into_iter()
            .map(|(n, l)| (n, l.trim().to_string()))
            .collect();
        assert_eq!(
            lines,
            [
                (2, "numpy==1.26".to_string()),
                (3, "opencv-python    >=4.8".to_string()),
                (6, "-r more.txt".to_string())
            ]
        );
    }

    #[test]
    fn patterns() {
        assert!(matches_pattern("requirements*.txt", "requirements-gpu.txt"));
        assert!(!matches_pattern(&"a*".repeat(30), &"b".repeat(60)));
        assert!(!matches_pattern(
            &format!("{}b", "a*".repeat(30)),
            &"a".repeat(60)
        ));
        assert!(matches_pattern("req?.txt", "req1.txt"));
        assert!(!matches_pattern("requirements*.txt", "setup.py"));
        assert_eq!(clean("./a/../b/c.txt"), "b/c.txt");
    }

    /// The one-pass matcher against the definition: a star takes any
    /// number of bytes, a question mark one, anything else itself.
    #[test]
    fn patterns_match_as_defined() {
        fn defined(p: &[u8], n: &[u8]) -> bool {
            match (p.first(), n.first()) {
                (None, None) => true,
                (Some(b'*'), _) => defined(&p[1..], n) || (!n.is_empty() && defined(p, &n[1..])),
                (Some(b'?'), Some(_)) => defined(&p[1..], &n[1..]),
                (Some(a), Some(b)) if a == b => defined(&p[1..], &n[1..]),
                _ => false,
            }
        }
        let mut next = crate::rng(11);
        let mut word = |alphabet: &[u8], max: u64| -> String {
            let len = next(max);
            (0..len)
                .map(|_| char::from(alphabet[next(alphabet.len() as u64)]))
                .collect()
        };
        let (mut matched, mut tried) = (0, 0);
        for _ in 0..20_000 {
            let pattern = word(b"ab*?", 8);
            let name = word(b"ab", 9);
            let expected = defined(pattern.as_bytes(), name.as_bytes());
            assert_eq!(
                matches_pattern(&pattern, &name),
                expected,
                "{pattern:?} {name:?}"
            );
            matched += usize::from(expected);
            tried += 1;
        }
        // Both answers were common: the comparison covered both.
        assert!(
            matched > tried / 10 && matched < tried * 9 / 10,
            "{matched} of {tried}"
        );
    }

    #[test]
    fn nested_files_and_cycles() {
        let dir = std::env::temp_dir().join(format!("dflint-req-{}", std::process::id()));
        std::fs::create_dir_all(dir.join("reqs")).unwrap();
        std::fs::write(
            dir.join("requirements.txt"),
            "-r reqs/base.txt\n-c constraints.txt\nflask\n",
        )
        .unwrap();
        std::fs::write(
            dir.join("reqs/base.txt"),
            "opencv-python\n-r ../requirements.txt\n",
        )
        .unwrap();
        std::fs::write(dir.join("constraints.txt"), "opencv-contrib-python==4.9\n").unwrap();
        let found = read_all(&dir, "requirements.txt");
        let got: Vec<(&str, usize, &str, bool)> = found
            .iter()
            .map(|r| (r.file.as_str(), r.line, r.spec.as_str(), r.constraint))
            .collect();
        assert_eq!(
            got,
            [
                ("reqs/base.txt", 1, "opencv-python", false),
                ("constraints.txt", 1, "opencv-contrib-python==4.9", true),
                ("requirements.txt", 3, "flask", false),
            ]
        );
        assert!(read_all(&dir, "missing.txt").is_empty());
        std::fs::remove_dir_all(&dir).unwrap();
    }

    /// Where an image path came from in the context: the last COPY of the
    /// RUN's stage or the stages it is built on that put an existing file
    /// there, found through the index of COPYs by destination.
    #[test]
    fn image_paths_trace_back_to_the_last_copy_that_put_them_there() {
        let dir = std::env::temp_dir().join(format!("dflint-ctx-path-{}", std::process::id()));
        for d in ["src", "app", "other"] {
            std::fs::create_dir_all(dir.join(d)).unwrap();
        }
        for f in ["src/requirements.txt", "app/requirements.txt", "req.txt"] {
            std::fs::write(dir.join(f), "flask\n").unwrap();
        }
        let text = "\
FROM python:3.11 AS base
WORKDIR /app
COPY src/ ./
COPY req.txt /opt/req.txt
RUN pip install -r requirements.txt
COPY app/ /app/
COPY other/ /app/
RUN pip install -r requirements.txt
FROM python:3.11 AS unrelated
COPY req.txt /app/requirements.txt
FROM base
RUN pip install -r /app/requirements.txt -r /opt/req.txt -r /opt/none.txt
COPY req.txt /opt/later.txt
RUN pip install -r /srv/requirements.txt -r /opt/later.txt
";
        let df = crate::syntax::parse(text).expect("parses");
        let cx = Context::new(&df, None, None, Default::default());
        let runs = cx.runs();
        let at = |run: usize, path: &str| context_path(&cx, &dir, &runs[run], path);
        // The first RUN sees only the COPYs above it.
        assert_eq!(
            at(0, "/app/requirements.txt").as_deref(),
            Some("src/requirements.txt")
        );
        assert_eq!(at(0, "/opt/req.txt").as_deref(), Some("req.txt"));
        // `other/` has no requirements.txt: the COPY before it put the file there.
        assert_eq!(
            at(1, "/app/requirements.txt").as_deref(),
            Some("app/requirements.txt")
        );
        // A stage built on `base` sees base's COPYs, not those of a stage
        // it is not built on.
        assert_eq!(
            at(2, "/app/requirements.txt").as_deref(),
            Some("app/requirements.txt")
        );
        assert_eq!(at(2, "/opt/req.txt").as_deref(), Some("req.txt"));
        assert_eq!(at(2, "/opt/none.txt"), None);
        assert_eq!(at(2, "/opt/later.txt"), None);
        assert_eq!(at(3, "/opt/later.txt").as_deref(), Some("req.txt"));
        assert_eq!(at(3, "/srv/requirements.txt"), None);
        // Onto `/app/requirements.txt`: the trees copied into `/app` and
        // the file copied there by name; `COPY req.txt /opt/req.txt` is not
        // asked.
        assert_eq!(
            cx.context_copies_onto(&dir, "/app/requirements.txt"),
            [2, 5, 6, 9]
        );
        assert_eq!(cx.context_copies_onto(&dir, "/opt/req.txt"), [3]);
        assert_eq!(
            cx.context_copies_onto(&dir, "/opt/other.txt"),
            [] as [usize; 0]
        );
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
