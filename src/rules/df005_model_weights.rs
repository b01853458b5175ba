//! DF005 model-weights-in-image: weight files copied from the build context
//! or a URL, or downloaded by a RUN, into an image that ships.

use std::cell::OnceCell;

use super::{Context, FixAvailability, Rule};
use crate::diagnostic::{Diagnostic, Severity};
use crate::semantics::build_context::human_bytes;
use crate::semantics::commands::{resolve, Resolved};
use crate::syntax::{Keyword, Span};
use compact_str::CompactString;

pub static RULE: Rule = Rule {
    code: "DF005",
    name: "model-weights-in-image",
    summary: "Model weights are baked into the image",
    aliases: &[],
    severity: Severity::Warning,
    fix: FixAvailability::None,
    default_enabled: true,
    doc: include_str!("../../rules/DF005.md"),
    check,
};

const WEIGHT_EXTENSIONS: &[&str] = &[
    "pt",
    "pth",
    "bin",
    "safetensors",
    "onnx",
    "ckpt",
    "h5",
    "hdf5",
    "pb",
    "tflite",
    "gguf",
    "ggml",
    "engine",
    "plan",
    "keras",
    "caffemodel",
    "mar",
    "nemo",
];
const WEIGHT_DIRS: &[&str] = &["models", "weights", "checkpoints"];
/// Path parts of a Hugging Face (or torch hub) cache: a copy of one is a
/// copy of the weights downloaded into it.
const MODEL_CACHES: &[&str] = &[".cache/huggingface", "huggingface/hub", ".cache/torch/hub"];
/// Words a script's file name uses for fetching (`download_model.py`,
/// `fetch-weights.sh`), and words that say it fetches data, not weights.
const DOWNLOAD_VERBS: &[&str] = &["download", "fetch"];
const DATA_NOUNS: &[&str] = &["data", "corpus"];
/// Hosts of model repositories that `git clone` fetches weights from
/// (with git-lfs), and the first path parts there that are not models.
const MODEL_HOSTS: &[&str] = &["huggingface.co/", "hf.co/"];
const NOT_MODEL_REPOS: &[&str] = &["spaces", "datasets", "docs", "blog", "api"];
/// Path parts of caches that hold text data, not weights, even where they
/// sit in a `models/` directory (`models/nltk_cache/`).
const DATA_CACHES: &[&str] = &["nltk_cache", "nltk_data", "tiktoken_cache"];
/// Text in a RUN (shell or Python) that downloads weights at build time.
const DOWNLOAD_CALLS: &[&str] = &["snapshot_download", "hf_hub_download", "from_pretrained"];

/// Whether a text may hold one of [`DOWNLOAD_CALLS`]. Each has an `_`, and
/// is found only where an `_` starts its tail: one pass over the bytes
/// instead of a substring search per call per RUN.
fn may_call_download(text: &str) -> bool {
    let b = text.as_bytes();
    (0..b.len()).any(|i| {
        b[i] == b'_'
            && DOWNLOAD_CALLS.iter().any(|c| {
                c.rfind('_')
                    .is_some_and(|k| b[i..].starts_with(&c.as_bytes()[k..]))
            })
    })
}

fn has_weight_extension(path: &str) -> bool {
    let file = path.rsplit('/').next().unwrap_or(path);
    file.rsplit_once('.').is_some_and(|(stem, ext)| {
        !stem.is_empty() && WEIGHT_EXTENSIONS.contains(&ext.to_ascii_lowercase().as_str())
    })
}

/// A COPY/ADD source that is a weight file or a weights directory.
fn is_weight_source(src: &str) -> bool {
    let path = src.split_once("://").map_or(src, |(_, rest)| {
        rest.split(['?', '#']).next().unwrap_or(rest)
    });
    if path
        .split('/')
        .any(|part| DATA_CACHES.contains(&part.to_ascii_lowercase().as_str()))
    {
        return false;
    }
    has_weight_extension(path)
        || MODEL_CACHES.iter().any(|c| path.contains(c))
        || path
            .split('/')
            .any(|part| WEIGHT_DIRS.contains(&part.to_ascii_lowercase().as_str()))
}

fn is_weight_url(word: &str) -> bool {
    (word.starts_with("http://") || word.starts_with("https://"))
        && (is_weight_source(word)
            || (word.contains("huggingface.co/") && word.contains("/resolve/")))
}

/// A model repository URL on a model hub (`https://huggingface.co/org/name`),
/// not a Space or a dataset.
fn is_model_repo(url: &str) -> bool {
    let rest = url.split_once("://").map_or(url, |(_, r)| r);
    let rest = rest.strip_prefix("www.").unwrap_or(rest);
    MODEL_HOSTS.iter().any(|host| {
        rest.strip_prefix(host).is_some_and(|path| {
            let first = path.split('/').next().unwrap_or("");
            !first.is_empty() && !NOT_MODEL_REPOS.contains(&first) && path.contains('/')
        })
    })
}

/// Whether a `git clone` fetches LFS content: git-lfs is set up in the
/// stage's lineage (installed or `git lfs install`), and
/// `GIT_LFS_SKIP_SMUDGE` does not turn the download off. Without git-lfs a
/// clone holds only pointer files.
fn lfs_fetches(
    cx: &Context,
    run: &crate::semantics::Run,
    clone: &Resolved,
    lfs: &OnceCell<Vec<bool>>,
) -> bool {
    let skip = clone
        .env_value("GIT_LFS_SKIP_SMUDGE")
        .map(str::to_string)
        .or_else(|| {
            cx.model
                .scope(run.stage, run.item)
                .get("GIT_LFS_SKIP_SMUDGE")
                .map(str::to_string)
        })
        .is_some_and(|v| v.trim() == "1");
    !skip
        && lfs_in_lineage(cx, lfs)
            .get(run.stage)
            .copied()
            .unwrap_or(false)
}

/// For every stage, whether a RUN of it or of a stage it is built on
/// mentions git-lfs: worked out once for all stages, not a walk of the
/// lineage's RUNs for every clone.
fn lfs_in_lineage<'c>(cx: &Context, lfs: &'c OnceCell<Vec<bool>>) -> &'c [bool] {
    lfs.get_or_init(|| {
        let mut own = vec![false; cx.model.stages.len()];
        for r in cx.runs() {
            if r.ins
                .shell_text()
                .is_some_and(|(t, _)| t.contains("git-lfs") || t.contains("git lfs"))
            {
                own[r.stage] = true;
            }
        }
        // A stage is built on earlier stages only: its parent is done.
        let mut lineage = own.clone();
        for s in 0..lineage.len() {
            if let Some(p) = cx.model.parent(s) {
                lineage[s] |= lineage[p];
            }
        }
        lineage
    })
}

/// For a command that runs a script named for downloading
/// (`python download_model.py`, `bash scripts/fetch-weights.sh`,
/// `./download.sh`), the command as the message names it.
fn download_script(r: &Resolved) -> Option<String> {
    let program = r.program();
    let interpreter = program.starts_with("python") || matches!(program, "bash" | "sh");
    let script = if interpreter {
        r.words[1..].iter().find(|w| !w.text.starts_with('-'))?
    } else {
        r.words.first()?
    };
    let name = script.text.rsplit('/').next()?.to_ascii_lowercase();
    let is_script = [".py", ".sh"].iter().any(|e| name.ends_with(e));
    let named = DOWNLOAD_VERBS.iter().any(|v| name.contains(v))
        && !DATA_NOUNS.iter().any(|n| name.contains(n));
    if !(is_script && named) {
        return None;
    }
    let end = r.words.iter().position(|w| std::ptr::eq(w, script))?;
    let shown: Vec<&str> = r.words[..=end].iter().map(|w| w.text.as_str()).collect();
    Some(shown.join(" "))
}

/// The bytes the weight sources of a COPY send from the build context,
/// its ignore file honoured; `None` without a context on disk, or when
/// nothing there matches (the copy would fail or copy nothing: no size to
/// tell).
fn baked_bytes(cx: &Context, sources: &[CompactString]) -> Option<u64> {
    let files = cx.context_files?;
    let mut total = 0;
    let mut any = false;
    for src in sources
        .iter()
        .filter(|s| !s.contains("://") && is_weight_source(s))
    {
        for f in files.sent_by(src, cx.dockerignore)? {
            total += f.size;
            any = true;
        }
    }
    any.then_some(total)
}

/// Where a searched text lives: the logical line, or a heredoc body in the file.
enum Place {
    Line(usize),
    File(usize),
}

fn check(cx: &Context) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    let help = "Mount the weights at run time (`docker run -v /models:/models`) or download them when the container starts";
    for (stage_idx, stage) in cx.model.stages.iter().enumerate() {
        if !cx.model.ships(stage_idx) {
            continue;
        }
        for &item in &stage.items {
            // `--from` another stage or image too: weights downloaded there
            // land here all the same.
            if let Some(ins) = cx.df.instruction_of(item, &[Keyword::Copy, Keyword::Add]) {
                let words = ins.words();
                let sources = &words[..words.len().saturating_sub(1)];
                if let Some(src) = sources
                    .iter()
                    .find(|s| !s.starts_with("<<") && is_weight_source(s))
                {
                    // Only a copy from the build context has sizes to read.
                    let from_context = ins.flag("from").is_none();
                    let what = match baked_bytes(cx, sources).filter(|_| from_context) {
                        Some(bytes) => format!("{} of weights", human_bytes(bytes)),
                        None => "model weights".to_string(),
                    };
                    out.push(RULE.diagnostic(
                        ins.line.span(0, ins.line.text.trim_end().len()),
                        format!(
                            "`{} {src}` bakes {what} into the image",
                            ins.keyword_text().to_uppercase()
                        ),
                        help,
                    ));
                }
            }
        }
    }
    let lfs = OnceCell::new();
    for run in cx.shipping_runs() {
        let mut found: Option<(Span, String)> = None;
        'scripts: for (script, cmds) in &run.scripts {
            for cmd in cmds {
                let r = resolve(cmd);
                let script_name = download_script(&r);
                if script_name.is_none()
                    && !matches!(
                        r.program(),
                        "huggingface-cli" | "hf" | "ollama" | "git" | "wget" | "curl"
                    )
                {
                    continue;
                }
                let words: Vec<&str> = r.words.iter().map(|w| w.text.as_str()).collect();
                let what = match (r.program(), words.get(1..).unwrap_or_default()) {
                    ("huggingface-cli" | "hf", ["download", ..]) => Some(words[..2].join(" ")),
                    ("ollama", ["pull", ..]) => Some("ollama pull".into()),
                    ("git", ["lfs", "pull" | "fetch", ..]) => Some(words[..3].join(" ")),
                    ("git", ["clone", args @ ..])
                        if args.iter().any(|a| is_model_repo(a))
                            && lfs_fetches(cx, run, &r, &lfs) =>
                    {
                        Some("git clone".into())
                    }
                    ("wget" | "curl", args) if args.iter().any(|a| is_weight_url(a)) => {
                        Some(r.program().to_string())
                    }
                    _ => script_name,
                };
                if let Some(what) = what {
                    found = Some((run.command_span(script, cmd), format!("`{what}`")));
                    break 'scripts;
                }
            }
        }
        if found.is_none() {
            // Python calls, in `python -c` strings or heredoc bodies.
            let shell = run
                .ins
                .shell_text()
                .map(|(text, at)| (text, Place::Line(at)));
            let bodies = run
                .ins
                .heredocs
                .iter()
                .map(|h| (h.content(&cx.df.text), Place::File(h.content_span.start)));
            'texts: for (text, place) in shell.into_iter().chain(bodies) {
                if !may_call_download(text) {
                    continue;
                }
                for call in DOWNLOAD_CALLS {
                    if let Some(i) = text.find(call) {
                        let span = match place {
                            Place::Line(at) => run.ins.line.span(at + i, at + i + call.len()),
                            Place::File(at) => Span::new(at + i, at + i + call.len()),
                        };
                        found = Some((span, format!("`{call}`")));
                        break 'texts;
                    }
                }
            }
        }
        if let Some((span, what)) = found {
            out.push(RULE.diagnostic(
                span,
                format!("{what} downloads model weights into the image at build time"),
                help.to_string(),
            ));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A clone fetches weights when git-lfs is set up in its stage or one
    /// it is built on, wherever in them, and not from an unrelated stage.
    #[test]
    fn git_lfs_counts_in_the_clone_s_lineage_only() {
        let text = "\
FROM python:3.11 AS a
RUN apt-get install -y git-lfs && git lfs install
FROM a AS b
RUN git clone https://huggingface.co/org/m1
FROM python:3.11 AS c
RUN git clone https://huggingface.co/org/m2
FROM b
RUN git clone https://huggingface.co/org/m3
COPY --from=c /x /x
";
        // `c` has no git-lfs (and does not ship); `b` ships in the final
        // stage built on it.
        assert_eq!(super::super::finding_lines(check, text), [4, 8]);
        let df = crate::parse_valid(text).expect("a valid file");
        let cx = Context::new(&df, None, None, crate::semantics::Profile::default());
        let lfs = OnceCell::new();
        assert_eq!(lfs_in_lineage(&cx, &lfs), [true, true, false, true]);
    }

    #[test]
    fn download_calls_are_prefiltered_by_their_tails() {
        assert!(DOWNLOAD_CALLS.iter().all(|c| c.contains('_')));
        for c in DOWNLOAD_CALLS {
            assert!(may_call_download(&format!("python -c 'x.{c}(1)'")), "{c}");
        }
        assert!(!may_call_download(
            "pip install hf_transfer && echo download"
        ));
    }

    #[test]
    fn weight_paths() {
        assert!(is_weight_source("model.safetensors"));
        assert!(is_weight_source("./models/"));
        assert!(is_weight_source("checkpoints/best.ckpt"));
        assert!(is_weight_source(
            "https://example.com/m/yolov8n.pt?download=1"
        ));
        assert!(!is_weight_source("models.py"));
        assert!(!is_weight_source("/usr/local/bin"));
        assert!(!is_weight_source("requirements.txt"));
        assert!(!is_weight_source("/app/models/nltk_cache/"));
        assert!(is_weight_source("/root/.cache/huggingface"));
        assert!(is_weight_source("best.hdf5"));
        assert!(is_weight_url(
            "https://huggingface.co/org/m/resolve/main/config.json"
        ));
    }
}
