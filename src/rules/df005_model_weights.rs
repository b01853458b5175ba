//! DF005 model-weights-in-image: weight files copied from the build context
//! or a URL, or downloaded by a RUN, into an image that ships.

use super::{Context, FixAvailability, Rule};
use crate::diagnostic::{Diagnostic, Severity};
use crate::semantics::commands::resolve;
use crate::syntax::{ItemKind, Keyword, Span};

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
    has_weight_extension(path)
        || path
            .split('/')
            .any(|part| WEIGHT_DIRS.contains(&part.to_ascii_lowercase().as_str()))
}

fn is_weight_url(word: &str) -> bool {
    (word.starts_with("http://") || word.starts_with("https://"))
        && (is_weight_source(word)
            || (word.contains("huggingface.co/") && word.contains("/resolve/")))
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
            let ItemKind::Instruction(ins) = &cx.df.items[item].kind else {
                continue;
            };
            if matches!(ins.keyword, Keyword::Copy | Keyword::Add) && ins.flag("from").is_none() {
                let words = ins.words();
                let sources = &words[..words.len().saturating_sub(1)];
                if let Some(src) = sources
                    .iter()
                    .find(|s| !s.starts_with("<<") && is_weight_source(s))
                {
                    out.push(RULE.diagnostic(
                        ins.line.span(0, ins.line.text.trim_end().len()),
                        format!(
                            "`{} {src}` bakes model weights into the image",
                            ins.keyword_text.to_uppercase()
                        ),
                        help.to_string(),
                    ));
                }
            }
        }
    }
    for run in cx.shipping_runs() {
        let mut found: Option<(Span, String)> = None;
        'scripts: for (script, cmds) in &run.scripts {
            for cmd in cmds {
                let r = resolve(cmd);
                if !matches!(
                    r.program(),
                    "huggingface-cli" | "hf" | "ollama" | "git" | "wget" | "curl"
                ) {
                    continue;
                }
                let words: Vec<&str> = r.words.iter().map(|w| w.text.as_str()).collect();
                let what = match (r.program(), words.get(1..).unwrap_or_default()) {
                    ("huggingface-cli" | "hf", ["download", ..]) => Some(words[..2].join(" ")),
                    ("ollama", ["pull", ..]) => Some("ollama pull".into()),
                    ("git", ["lfs", "pull" | "fetch", ..]) => Some(words[..3].join(" ")),
                    ("wget" | "curl", args) if args.iter().any(|a| is_weight_url(a)) => {
                        Some(r.program().to_string())
                    }
                    _ => None,
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
                .map(|h| (h.content.as_str(), Place::File(h.content_span.start)));
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
        assert!(is_weight_url(
            "https://huggingface.co/org/m/resolve/main/config.json"
        ));
    }
}
