//! What BuildKit's build checks (`docker build --check`) share: which
//! rules they are, the words of an instruction with their places in the
//! file, the parts of a FROM, and the arguments BuildKit defines itself.
//! Each check is its own rule file (`bk_*.rs`); its code is BuildKit's name.

use std::collections::HashMap;

use crate::semantics::expand;
use crate::semantics::pragmas::BUILDKIT_CHECKS;
use crate::syntax::{Dockerfile, Instruction, Keyword, Span};

/// Whether a code is one of BuildKit's checks (which `# check=error=true`
/// raises and `# check=skip=all` silences).
pub fn is_buildkit(code: &str) -> bool {
    BUILDKIT_CHECKS.contains(&code)
}

/// The argument words of an instruction after its flags, split on
/// whitespace as BuildKit splits FROM and EXPOSE, each with its file span.
pub fn arg_words(ins: &Instruction) -> Vec<(String, Span)> {
    let after_flags = ins
        .flags
        .last()
        .map_or(ins.keyword_span().end, |f| f.span.end);
    let text = &ins.line.text;
    let Some(mut i) = ins.line.index_at_or_after(after_flags) else {
        return Vec::new();
    };
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    while i < bytes.len() {
        if bytes[i].is_ascii_whitespace() {
            i += 1;
            continue;
        }
        let start = i;
        while i < bytes.len() && !bytes[i].is_ascii_whitespace() {
            i += 1;
        }
        out.push((text[start..i].to_string(), ins.line.span(start, i)));
    }
    out
}

/// A FROM's words: `FROM image [AS name]`, each with its span.
pub struct FromParts {
    pub image: Option<(String, Span)>,
    pub as_keyword: Option<(String, Span)>,
    pub name: Option<(String, Span)>,
}

pub fn from_parts(ins: &Instruction) -> FromParts {
    let mut words = arg_words(ins).into_iter();
    FromParts {
        image: words.next(),
        as_keyword: words.next(),
        name: words.next(),
    }
}

/// The span of `name` as a key of an ARG, ENV or LABEL (followed by `=`,
/// whitespace or the end), or the keyword's when it cannot be found.
pub fn key_span(ins: &Instruction, name: &str) -> Span {
    let text = &ins.line.text;
    let from = ins
        .line
        .index_at_or_after(ins.keyword_span().end)
        .unwrap_or(0);
    let mut at = from;
    while let Some(i) = text[at..].find(name) {
        let start = at + i;
        let end = start + name.len();
        let before_ok = start == 0 || text[..start].ends_with(char::is_whitespace);
        let after_ok = text[end..].starts_with(['=', ' ', '\t']) || end == text.len();
        if before_ok && after_ok {
            return ins.line.span(start, end);
        }
        at = end;
    }
    ins.keyword_span()
}

/// A word as the builder expands it: double quotes removed, variables
/// substituted. `None` when a variable has no value and no fallback, or
/// the word has single quotes (kept literal, which [`expand`] does not do).
pub fn expand_word(word: &str, lookup: &dyn Fn(&str) -> Option<String>) -> Option<String> {
    if word.contains('\'') {
        return None;
    }
    expand(&word.replace('"', ""), lookup)
}

/// The global ARGs (those before the first FROM) with their defaults
/// expanded in order, each default seeing the ARGs above it, as the
/// builder reads them for a FROM. An ARG without a default is empty.
pub fn global_arg_values(df: &Dockerfile) -> HashMap<String, String> {
    let mut values: HashMap<String, String> = HashMap::new();
    for (_, ins) in df.instructions() {
        match ins.keyword {
            Keyword::From => break,
            Keyword::Arg => {
                for word in ins.words() {
                    let (name, default) = match word.split_once('=') {
                        Some((n, d)) => (n, Some(d)),
                        None => (word.as_str(), None),
                    };
                    let value = default
                        .and_then(|d| {
                            expand_word(d, &|k| {
                                Some(values.get(k).cloned().unwrap_or_else(|| platform_value(k)))
                            })
                        })
                        .unwrap_or_default();
                    values.insert(name.to_string(), value);
                }
            }
            _ => {}
        }
    }
    values
}

/// The value a platform ARG has in a linux/amd64 build (empty for any
/// other name): a stand-in where the real platform does not matter.
pub fn platform_value(name: &str) -> String {
    match name {
        "TARGETPLATFORM" | "BUILDPLATFORM" => "linux/amd64",
        "TARGETOS" | "BUILDOS" => "linux",
        "TARGETARCH" | "BUILDARCH" => "amd64",
        _ => "",
    }
    .to_string()
}

/// The arguments BuildKit gives every FROM in global scope without a
/// declaration (the platform of the build and of the target).
pub const PLATFORM_ARGS: &[&str] = &[
    "TARGETPLATFORM",
    "TARGETOS",
    "TARGETARCH",
    "TARGETVARIANT",
    "BUILDPLATFORM",
    "BUILDOS",
    "BUILDARCH",
    "BUILDVARIANT",
];

/// Build arguments BuildKit knows without a declaration: the proxies and
/// its own settings.
pub const BUILTIN_ARGS: &[&str] = &[
    "HTTP_PROXY",
    "http_proxy",
    "HTTPS_PROXY",
    "https_proxy",
    "FTP_PROXY",
    "ftp_proxy",
    "NO_PROXY",
    "no_proxy",
    "ALL_PROXY",
    "all_proxy",
    "BUILDKIT_BUILD_NAME",
    "BUILDKIT_CACHE_MOUNT_NS",
    "BUILDKIT_CONTEXT_KEEP_GIT_DIR",
    "BUILDKIT_INLINE_CACHE",
    "BUILDKIT_MULTI_PLATFORM",
    "BUILDKIT_SANDBOX_HOSTNAME",
    "BUILDKIT_SYNTAX",
    "SOURCE_DATE_EPOCH",
];

/// The candidate closest to a misspelt name, when one is close enough to
/// be the name meant.
pub fn nearest<'a>(name: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    candidates
        .into_iter()
        .filter(|c| *c != name)
        .map(|c| (strsim::levenshtein(name, c), c))
        .filter(|(d, c)| *d <= if c.len() >= 4 { 2 } else { 1 })
        .min_by_key(|(d, _)| *d)
        .map(|(_, c)| c)
}

/// The variable names a text refers to (`$NAME`, `${NAME...}`), each with
/// whether the reference carries a fallback (`${NAME:-x}`, `${NAME-x}`,
/// `${NAME:+x}`, `${NAME+x}`), and its byte range in the text. Escaped
/// dollars (`\$`, or with the file's escape character) and single-quoted
/// text are literal, as BuildKit's word expansion reads them.
pub fn var_refs(text: &str, escape: char) -> Vec<VarRef> {
    // Most texts have no reference: no character table for them.
    if !text.contains('$') {
        return Vec::new();
    }
    let chars: Vec<(usize, char)> = text.char_indices().collect();
    let mut out = Vec::new();
    let mut i = 0;
    let mut single = false;
    while i < chars.len() {
        let (at, c) = chars[i];
        if c == escape && !single {
            i += 2;
            continue;
        }
        if c == '\'' {
            single = !single;
            i += 1;
            continue;
        }
        if c != '$' || single {
            i += 1;
            continue;
        }
        let name_at = |j: usize| -> (String, usize) {
            let mut k = j;
            let mut name = String::new();
            while k < chars.len() && (chars[k].1.is_ascii_alphanumeric() || chars[k].1 == '_') {
                name.push(chars[k].1);
                k += 1;
            }
            (name, k)
        };
        match chars.get(i + 1) {
            Some((_, '{')) => {
                let (name, k) = name_at(i + 2);
                let close = chars[k..]
                    .iter()
                    .position(|&(_, c)| c == '}')
                    .map(|p| k + p);
                let end = close.map_or(text.len(), |p| chars[p].0 + 1);
                let op = chars.get(k).map(|&(_, c)| c);
                let next = chars.get(k + 1).map(|&(_, c)| c);
                let fallback = matches!(
                    (op, next),
                    (Some('-' | '+'), _) | (Some(':'), Some('-' | '+'))
                );
                if !name.is_empty() {
                    out.push(VarRef {
                        name,
                        fallback,
                        range: (at, end),
                    });
                }
                i = close.map_or(chars.len(), |p| p + 1);
            }
            Some((_, c)) if c.is_ascii_alphabetic() || *c == '_' => {
                let (name, k) = name_at(i + 1);
                let end = chars.get(k).map_or(text.len(), |&(o, _)| o);
                out.push(VarRef {
                    name,
                    fallback: false,
                    range: (at, end),
                });
                i = k;
            }
            _ => i += 1,
        }
    }
    out
}

/// One variable reference found by [`var_refs`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VarRef {
    pub name: String,
    pub fallback: bool,
    pub range: (usize, usize),
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_references_and_their_fallbacks() {
        let refs = var_refs("a$B ${C:-x} '$D' \\$E ${F}x $1", '\\');
        let got: Vec<(&str, bool)> = refs.iter().map(|r| (r.name.as_str(), r.fallback)).collect();
        assert_eq!(got, [("B", false), ("C", true), ("F", false)]);
        assert_eq!(refs[2].range, (21, 25));
    }

    #[test]
    fn suggests_only_close_names() {
        assert_eq!(nearest("PAHT", ["PATH", "HOME"]), Some("PATH"));
        assert_eq!(nearest("X", ["PATH"]), None);
    }
}
