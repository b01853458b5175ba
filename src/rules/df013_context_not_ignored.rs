//! DF013 context-not-ignored: a `COPY .` (the whole build context) while
//! the context's ignore file lets through what never belongs in an image:
//! `.git`, model weights, data, notebooks, `.env`. Reported with the bytes
//! read from the context on disk; without a context, nothing is said.

use super::{Context, FixAvailability, Rule};
use crate::diagnostic::{Diagnostic, Severity};
use crate::semantics::build_context::human_bytes;
use crate::semantics::dockerignore::{clean, clean_borrowed};
use crate::syntax::Keyword;

pub static RULE: Rule = Rule {
    code: "DF013",
    name: "context-not-ignored",
    aliases: &[],
    summary:
        "`COPY .` sends `.git`, weights, data, notebooks or `.env` the ignore file lets through",
    severity: Severity::Warning,
    fix: FixAvailability::None,
    default_enabled: true,
    doc: include_str!("../../rules/DF013.md"),
    check,
};

/// What an ML project's context holds that no image needs, as the
/// `.dockerignore` line that leaves it out and how that line matches.
const NEVER_SHIPPED: &[(&str, Leaves)] = &[
    (".git", Leaves::AtRoot(".git")),
    (".env", Leaves::AtRoot(".env")),
    (".venv", Leaves::AtRoot(".venv")),
    ("venv", Leaves::AtRoot("venv")),
    ("**/__pycache__", Leaves::Named("__pycache__")),
    ("**/*.ipynb", Leaves::Suffix(".ipynb")),
    ("**/.ipynb_checkpoints", Leaves::Named(".ipynb_checkpoints")),
    ("models", Leaves::AtRoot("models")),
    ("weights", Leaves::AtRoot("weights")),
    ("checkpoints", Leaves::AtRoot("checkpoints")),
    ("data", Leaves::AtRoot("data")),
    ("datasets", Leaves::AtRoot("datasets")),
    ("notebooks", Leaves::AtRoot("notebooks")),
    ("wandb", Leaves::AtRoot("wandb")),
    ("mlruns", Leaves::AtRoot("mlruns")),
    ("lightning_logs", Leaves::AtRoot("lightning_logs")),
];

/// What a line of [`NEVER_SHIPPED`] leaves out of the context, as
/// `.dockerignore` reads it, without compiling a glob: the rule runs on every
/// file, and sixteen compiled globs cost more than linting a small file (a
/// test holds this to [`DockerIgnore`]'s own reading).
#[derive(Debug, Clone, Copy)]
enum Leaves {
    /// `name`: that entry at the context's root, and all under it.
    AtRoot(&'static str),
    /// `**/name`: an entry of that name at any depth, and all under it.
    Named(&'static str),
    /// `**/*.ext`: an entry whose name ends so, at any depth.
    Suffix(&'static str),
}

impl Leaves {
    fn excludes(self, path: &str) -> bool {
        let path = clean_borrowed(path);
        let segments: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
        self.excludes_segments(&segments)
    }

    /// [`Leaves::excludes`] of a clean path split at its slashes: a context
    /// can hold thousands of files, each asked of every line.
    fn excludes_segments(self, segments: &[&str]) -> bool {
        match self {
            Leaves::AtRoot(name) => segments.first() == Some(&name),
            Leaves::Named(name) => segments.contains(&name),
            Leaves::Suffix(end) => segments.iter().any(|s| s.ends_with(end)),
        }
    }
}

/// Sources that copy the whole context.
fn is_whole_context(src: &str) -> bool {
    clean(src).is_empty() || matches!(src, "*" | "./*")
}

fn check(cx: &Context) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    let (Some(files), Some(ignore)) = (cx.context_files, cx.dockerignore) else {
        return out;
    };
    // Context paths the file copies by name: ignoring them would break
    // that COPY (and what it bakes in is DF005's to say).
    let mut named: Vec<String> = Vec::new();
    let mut whole: Vec<usize> = Vec::new();
    for (item, ins) in cx.df.instructions_of(&[Keyword::Copy, Keyword::Add]) {
        if ins.flag("from").is_some() {
            continue;
        }
        let words = ins.words();
        let sources = &words[..words.len().saturating_sub(1)];
        for src in sources {
            if src.starts_with("<<") || src.contains("://") {
                continue;
            }
            if is_whole_context(src) {
                if !whole.contains(&item) {
                    whole.push(item);
                }
            } else {
                named.push(clean(src));
            }
        }
    }
    if whole.is_empty() {
        return out;
    }
    // What each missing line would leave out, in bytes.
    let mut missing: Vec<(&str, u64)> = Vec::new();
    let Some(sent) = files.sent_by(".", Some(ignore)) else {
        return out;
    };
    let sent: Vec<_> = sent.collect();
    let total: u64 = sent.iter().map(|f| f.size).sum();
    // A line that would cover a path the file copies by name is not offered.
    let offered: Vec<(&str, Leaves)> = NEVER_SHIPPED
        .iter()
        .filter(|(_, pattern)| !named.iter().any(|n| pattern.excludes(n)))
        .copied()
        .collect();
    // Each file counts for the first line that leaves it out, not again
    // for a later one; a line that would add nothing is not offered. Each
    // path is split once and asked of every line.
    let mut left_out: Vec<Option<u64>> = vec![None; offered.len()];
    let mut segments: Vec<&str> = Vec::new();
    for f in &sent {
        segments.clear();
        segments.extend(f.path.split('/').filter(|s| !s.is_empty()));
        if let Some(k) = offered
            .iter()
            .position(|(_, pattern)| pattern.excludes_segments(&segments))
        {
            *left_out[k].get_or_insert(0) += f.size;
        }
    }
    for ((line, _), bytes) in offered.iter().zip(left_out) {
        if let Some(bytes) = bytes {
            missing.push((line, bytes));
        }
    }
    if missing.is_empty() {
        return out;
    }
    let listed = missing
        .iter()
        .map(|(line, bytes)| format!("`{line}` ({})", human_bytes(*bytes)))
        .collect::<Vec<_>>()
        .join(", ");
    let lines = missing
        .iter()
        .map(|(line, _)| format!("`{line}`"))
        .collect::<Vec<_>>()
        .join(", ");
    let has_ignore_file = files
        .files()
        .is_some_and(|all| all.iter().any(|f| f.path == ignore.name));
    let verdict = if has_ignore_file {
        format!("`{}` lets through", ignore.name)
    } else {
        "there is no `.dockerignore` to leave out".to_string()
    };
    for item in whole {
        let Some(ins) = cx.instruction(item) else {
            continue;
        };
        let shown = format!(
            "{} {}",
            ins.keyword_text().to_ascii_uppercase(),
            ins.words().join(" ")
        );
        out.push(RULE.diagnostic(
            ins.line.span(0, ins.line.text.trim_end().len()),
            format!(
                "`{shown}` sends {} of context; {verdict} {listed}",
                human_bytes(total)
            ),
            format!("Add these lines to `{}`: {lines}", ignore.name),
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::semantics::dockerignore::DockerIgnore;

    #[test]
    fn a_file_counts_for_the_first_line_that_leaves_it_out() {
        use crate::semantics::build_context::ContextFiles;
        use crate::semantics::Profile;
        let files = ContextFiles::from_listing(
            "models/.git/x 5\n.git/y 7\nmodels/m.bin 100\nsrc/__pycache__/a.pyc 3\n\
             nb/x.ipynb 11\nnb/__pycache__/b.ipynb 13\napp.py 1\n",
        );
        let ignore = DockerIgnore::parse(".dockerignore", "");
        let message = |text: &str| {
            let df = crate::parse_valid(text).expect("a valid file");
            let mut cx = Context::new(&df, None, None, Profile::default());
            cx.dockerignore = Some(&ignore);
            cx.context_files = Some(&files);
            let found = check(&cx);
            assert_eq!(found.len(), 1);
            found[0].message.to_string()
        };
        assert!(message("FROM python:3.11\nCOPY . .\n").ends_with(
            "`.git` (7 B), `**/__pycache__` (16 B), `**/*.ipynb` (11 B), `models` (105 B)"
        ));
        // A line that would leave out what the file copies by name is not offered.
        assert!(
            message("FROM python:3.11\nCOPY . .\nCOPY models/m.bin /m\n")
                .ends_with("`.git` (7 B), `**/__pycache__` (16 B), `**/*.ipynb` (11 B)")
        );
    }

    #[test]
    fn each_line_leaves_out_what_dockerignore_would() {
        let paths = [
            ".git",
            ".git/config",
            "src/.git",
            ".env",
            ".env.local",
            "app/.env",
            ".venv/bin/python",
            "venv",
            "venvs/x",
            "__pycache__",
            "a/b/__pycache__/m.pyc",
            "a/__pycache__x/y",
            "nb.ipynb",
            "a/b/c.ipynb",
            "a/.ipynb",
            "a/x.ipynb/y",
            "x.ipynbz",
            "a/.ipynb_checkpoints/n.ipynb",
            "models",
            "models/m.bin",
            "src/models/m.py",
            "modelsx",
            "weights/w.pt",
            "checkpoints/c",
            "data",
            "data/x.csv",
            "src/data/x",
            "datasets/d",
            "notebooks/n",
            "wandb/run",
            "mlruns/0",
            "lightning_logs/v0",
            "./models/m",
            "a/../models/m",
            "app.py",
            "requirements.txt",
        ];
        for (line, leaves) in NEVER_SHIPPED {
            let ignore = DockerIgnore::parse(".dockerignore", line);
            for path in paths {
                assert_eq!(
                    leaves.excludes(path),
                    ignore.excludes(path),
                    "`{line}` on `{path}`"
                );
            }
        }
    }
}
