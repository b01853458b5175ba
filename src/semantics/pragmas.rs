//! Suppression comments: which findings the file itself asks to silence.
//!
//! - `# dflint ignore=DF002,DF006` and hadolint's `# hadolint ignore=DL3008`:
//!   the next instruction (comment lines may sit in between);
//! - `# dflint stage ignore=...` / `# hadolint stage ignore=...` directly
//!   above a FROM: that stage;
//! - `# dflint global ignore=...` / `# hadolint global ignore=...` anywhere:
//!   the whole file;
//! - BuildKit's `# check=skip=A,B` parser directive (the whole file) and the
//!   same comment directly above an instruction (that instruction).
//!
//! The `# check=` directive's other options (`error=true`,
//! `experimental=...`) are read here too, by [`check_options`].
//!
//! A trailing `# reason` after the list is allowed, as hadolint allows it.

use crate::syntax::{Dockerfile, ItemKind, Keyword, Span};

/// The comment's dialect: it decides which codes are expected in it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PragmaTool {
    Dflint,
    Hadolint,
    BuildKit,
}

/// One suppression comment.
#[derive(Debug, Clone)]
pub struct Pragma {
    pub tool: PragmaTool,
    /// The comment line.
    pub span: Span,
    /// The codes as written, each with its span.
    pub codes: Vec<(String, Span)>,
    /// The text a finding must start in to be silenced; `None` for the whole file.
    pub covers: Option<Span>,
    /// Why the comment could not be read as a list of codes, when it could not.
    pub malformed: Option<String>,
}

impl Pragma {
    /// Whether a finding starting at `offset` is covered.
    pub fn covers(&self, offset: usize) -> bool {
        self.covers
            .is_none_or(|s| s.start <= offset && offset < s.end.max(s.start + 1))
    }
}

/// A file's suppression comments indexed by the text they cover, so that
/// the comments covering a finding are found by a search rather than by
/// asking every comment (a file may have thousands of both).
pub struct Suppressions<'p> {
    /// Comments that cover the whole file.
    file_wide: Vec<&'p Pragma>,
    /// The others as `(start, end, comment)`, by start and the widest first,
    /// `end` at least one past `start` as [`Pragma::covers`] reads it.
    ranged: Vec<(usize, usize, &'p Pragma)>,
    /// For each of `ranged`, the nearest one whose range holds its range.
    enclosing: Vec<Option<usize>>,
    /// Whether the ranges nest or keep apart, as those of [`pragmas`] do
    /// (an instruction, a stage, or nothing); if not, every one is asked.
    nested: bool,
}

impl<'p> Suppressions<'p> {
    pub fn new(pragmas: &'p [Pragma]) -> Suppressions<'p> {
        let mut file_wide = Vec::new();
        let mut ranged = Vec::new();
        for p in pragmas {
            match p.covers {
                None => file_wide.push(p),
                Some(s) => ranged.push((s.start, s.end.max(s.start + 1), p)),
            }
        }
        ranged.sort_by(|a, b| a.0.cmp(&b.0).then(b.1.cmp(&a.1)));
        let mut enclosing = Vec::with_capacity(ranged.len());
        let mut nested = true;
        let mut open: Vec<usize> = Vec::new();
        for (i, &(start, end, _)) in ranged.iter().enumerate() {
            while let Some(&top) = open.last() {
                let (_, top_end, _) = ranged[top];
                if end <= top_end {
                    break;
                }
                // A range that starts inside another and ends past it.
                nested &= top_end <= start;
                open.pop();
            }
            enclosing.push(open.last().copied());
            open.push(i);
        }
        Suppressions {
            file_wide,
            ranged,
            enclosing,
            nested,
        }
    }

    /// Every comment that covers a finding starting at `offset`.
    pub fn covering(&self, offset: usize) -> Box<dyn Iterator<Item = &'p Pragma> + '_> {
        let file_wide = self.file_wide.iter().copied();
        if !self.nested {
            let all = self
                .ranged
                .iter()
                .map(|r| r.2)
                .filter(move |p| p.covers(offset));
            return Box::new(file_wide.chain(all));
        }
        // From the last range starting at or before the offset, out to the
        // first that holds it; every range around that one holds it too.
        let mut at = self
            .ranged
            .partition_point(|r| r.0 <= offset)
            .checked_sub(1);
        while let Some(i) = at {
            if offset < self.ranged[i].1 {
                break;
            }
            at = self.enclosing[i];
        }
        let around = std::iter::successors(at, |&i| self.enclosing[i]).map(|i| self.ranged[i].2);
        Box::new(file_wide.chain(around))
    }
}

/// BuildKit's build-check names, which `# check=skip=` may list even where
/// dflint has no rule of that name.
pub const BUILDKIT_CHECKS: &[&str] = &[
    "StageNameCasing",
    "FromAsCasing",
    "NoEmptyContinuation",
    "ConsistentInstructionCasing",
    "DuplicateStageName",
    "ReservedStageName",
    "JSONArgsRecommended",
    "MaintainerDeprecated",
    "UndefinedArgInFrom",
    "WorkdirRelativePath",
    "UndefinedVar",
    "MultipleInstructionsDisallowed",
    "LegacyKeyValueFormat",
    "InvalidBaseImagePlatform",
    "RedundantTargetPlatform",
    "SecretsUsedInArgOrEnv",
    "InvalidDefaultArgInFrom",
    "FromPlatformFlagConstDisallowed",
    "CopyIgnoredFile",
    "InvalidDefinitionDescription",
    "ExposeProtoCasing",
    "ExposeInvalidFormat",
];

#[derive(Clone, Copy, PartialEq, Eq)]
enum Reach {
    Next,
    Stage,
    File,
}

/// The codes of `ignore=a,b  # reason`, with their offsets in `text`.
fn code_list(text: &str, at: usize) -> Result<Vec<(String, Span)>, String> {
    let list = match text.find('#') {
        Some(i) => &text[..i],
        None => text,
    };
    let mut out = Vec::new();
    let mut offset = 0;
    for part in list.split(',') {
        let lead = part.len() - part.trim_start().len();
        let code = part.trim();
        if code.is_empty() {
            if list.trim().is_empty() {
                return Err("no codes after `ignore=`".into());
            }
        } else if code.contains(char::is_whitespace) {
            return Err(format!(
                "`{code}` is not a code (put a reason after a second `#`)"
            ));
        } else {
            let start = at + offset + lead;
            out.push((code.to_string(), Span::new(start, start + code.len())));
        }
        offset += part.len() + 1;
    }
    Ok(out)
}

/// Where a slice of `text` starts in the file, `text` starting at `at`.
fn offset(text: &str, part: &str, at: usize) -> usize {
    at + (part.as_ptr() as usize - text.as_ptr() as usize)
}

/// Read a comment's text (without the line ending) as a pragma:
/// `(tool, reach, codes)`, or `None` when it is an ordinary comment.
#[allow(clippy::type_complexity)]
fn read(text: &str, at: usize) -> Option<(PragmaTool, Reach, Result<Vec<(String, Span)>, String>)> {
    let body = text.trim_start().strip_prefix('#')?.trim_start();
    if let Some(options) = check_value(body) {
        // `# check=skip=A,B;error=true`: only the skip part silences.
        let list = options
            .split(';')
            .find_map(|part| part.trim_start().strip_prefix("skip="))?;
        let start = offset(text, list, at);
        return Some((PragmaTool::BuildKit, Reach::Next, code_list(list, start)));
    }
    let (tool, rest) = if let Some(r) = body.strip_prefix("dflint") {
        (PragmaTool::Dflint, r)
    } else if let Some(r) = body.strip_prefix("hadolint") {
        (PragmaTool::Hadolint, r)
    } else {
        return None;
    };
    if !rest.starts_with(char::is_whitespace) {
        return None;
    }
    let rest = rest.trim_start();
    let (reach, rest) = if let Some(r) = rest.strip_prefix("global ") {
        (Reach::File, r.trim_start())
    } else if let Some(r) = rest.strip_prefix("stage ") {
        (Reach::Stage, r.trim_start())
    } else {
        (Reach::Next, rest)
    };
    let list = rest.strip_prefix("ignore=")?;
    let start = offset(text, list, at);
    Some((tool, reach, code_list(list, start)))
}

/// The options of a `check=` comment body (after the `#`): the key in any
/// case, with optional whitespace around `=`, as BuildKit reads its
/// directives. Only the text before the first whitespace is the value;
/// what follows (`// reason`) is a remark.
fn check_value(body: &str) -> Option<&str> {
    let key = body.get(..5)?;
    if !key.eq_ignore_ascii_case("check") {
        return None;
    }
    let value = body[5..].trim_start().strip_prefix('=')?.trim_start();
    let end = value.find(char::is_whitespace).unwrap_or(value.len());
    Some(&value[..end])
}

/// What a file's `# check=` directive asks of BuildKit's checks, besides
/// skipping some.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CheckOptions {
    /// `error=true`: the checks' findings fail the build.
    pub error: bool,
    /// `experimental=A,B` or `all`: checks BuildKit runs only when asked.
    pub experimental: Vec<String>,
}

impl CheckOptions {
    /// Whether the file asks for the experimental check `name`.
    pub fn wants_experimental(&self, name: &str) -> bool {
        self.experimental.iter().any(|e| e == name || e == "all")
    }
}

/// The file's `# check=` directive options (defaults when it has none).
/// Values are read as BuildKit reads them: `error` as a Go boolean.
pub fn check_options(df: &Dockerfile) -> CheckOptions {
    let mut out = CheckOptions::default();
    let Some(directive) = df.directive("check") else {
        return out;
    };
    let value = directive
        .value
        .split(char::is_whitespace)
        .next()
        .unwrap_or("");
    for part in value.split(';') {
        let Some((key, v)) = part.split_once('=') else {
            continue;
        };
        match key.trim() {
            "error" => out.error = matches!(v.trim(), "1" | "t" | "T" | "true" | "TRUE" | "True"),
            "experimental" => {
                out.experimental = v
                    .split(',')
                    .map(str::trim)
                    .filter(|n| !n.is_empty())
                    .map(str::to_string)
                    .collect()
            }
            _ => {}
        }
    }
    out
}

/// Every suppression comment of a file.
pub fn pragmas(df: &Dockerfile) -> Vec<Pragma> {
    let mut out = Vec::new();
    // The first item after the comments that follow a comment, and the
    // next FROM after a FROM, each found once for a run of suppression
    // comments rather than once per comment.
    let mut past_comments: Option<(usize, usize)> = None;
    let mut next_from: Option<(usize, usize)> = None;
    for (idx, item) in df.items.iter().enumerate() {
        if matches!(item.kind, ItemKind::Instruction(_) | ItemKind::Blank) {
            continue;
        }
        let text = df.slice(item.span).trim_end_matches(['\n', '\r']);
        let (tool, reach, codes) = match &item.kind {
            ItemKind::Comment => match read(text, item.span.start) {
                Some(found) => found,
                None => continue,
            },
            ItemKind::Directive(d) if d.name == "check" => match read(text, item.span.start) {
                Some((tool, _, codes)) => (tool, Reach::File, codes),
                None => continue,
            },
            _ => continue,
        };
        // The instruction the comment sits above, across other comments.
        let after = match past_comments {
            Some((from, found)) if from <= idx + 1 && idx < found => found,
            _ => {
                let found = (idx + 1..df.items.len())
                    .find(|&n| !matches!(df.items[n].kind, ItemKind::Comment))
                    .unwrap_or(df.items.len());
                past_comments = Some((idx + 1, found));
                found
            }
        };
        let next = df
            .items
            .get(after)
            .filter(|i| matches!(i.kind, ItemKind::Instruction(_)))
            .map(|i| (after, i));
        let covers = match reach {
            Reach::File => None,
            Reach::Next => Some(next.map_or(Span::new(0, 0), |(_, i)| i.span)),
            Reach::Stage => match next {
                Some((n, i)) if matches!(&i.kind, ItemKind::Instruction(ins) if ins.keyword == Keyword::From) =>
                {
                    let end = match next_from {
                        Some((from, end)) if from == n => end,
                        _ => {
                            let end = df.items[n + 1..]
                                .iter()
                                .find(|i| matches!(&i.kind, ItemKind::Instruction(ins) if ins.keyword == Keyword::From))
                                .map_or(df.text.len(), |i| i.span.start);
                            next_from = Some((n, end));
                            end
                        }
                    };
                    Some(Span::new(i.span.start, end))
                }
                _ => Some(Span::new(0, 0)),
            },
        };
        let (codes, malformed) = match codes {
            Ok(c) => (c, None),
            Err(e) => (Vec::new(), Some(e)),
        };
        out.push(Pragma {
            tool,
            span: Span::new(item.span.start, item.span.start + text.len()),
            codes,
            covers,
            malformed,
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::syntax::parse;

    fn codes(p: &Pragma) -> Vec<&str> {
        p.codes.iter().map(|(c, _)| c.as_str()).collect()
    }

    #[test]
    fn reads_every_form() {
        let text = "# check=skip=JSONArgsRecommended;error=true\nFROM python:3.11\n# dflint ignore=DF002, DF003  # reason\nRUN pip install x\n# hadolint global ignore=DL3008\n# hadolint ignore=DL3013\n# a note\nRUN true\n";
        let df = parse(text).unwrap();
        let p = pragmas(&df);
        assert_eq!(p.len(), 4);
        assert_eq!(p[0].tool, PragmaTool::BuildKit);
        assert_eq!(codes(&p[0]), ["JSONArgsRecommended"]);
        assert!(p[0].covers.is_none());
        assert_eq!(codes(&p[1]), ["DF002", "DF003"]);
        let (_, span) = &p[1].codes[1];
        assert_eq!(&text[span.start..span.end], "DF003");
        let run = text.find("RUN pip").unwrap();
        assert!(p[1].covers(run) && !p[1].covers(text.find("RUN true").unwrap()));
        assert_eq!(p[2].tool, PragmaTool::Hadolint);
        assert!(p[2].covers.is_none());
        // Across an ordinary comment, to the next instruction.
        assert!(p[3].covers(text.find("RUN true").unwrap()));
    }

    #[test]
    fn the_index_finds_what_each_comment_covers() {
        let text = "# dflint global ignore=DF001\n# dflint stage ignore=DF006\nFROM a AS one\n# dflint ignore=DF002\n# dflint ignore=DF003\nRUN x\nRUN y\n# hadolint ignore=DL3008\nRUN z\nFROM b\n# dflint ignore=DF004\n\nRUN w\n# dflint stage ignore=DF005\nRUN v\n";
        let df = parse(text).unwrap();
        let all = pragmas(&df);
        let index = Suppressions::new(&all);
        let key = |p: &Pragma| p.span.start;
        for offset in 0..=text.len() {
            let mut slow: Vec<usize> = all.iter().filter(|p| p.covers(offset)).map(key).collect();
            let mut fast: Vec<usize> = index.covering(offset).map(key).collect();
            slow.sort_unstable();
            fast.sort_unstable();
            assert_eq!(slow, fast, "at {offset}");
        }
    }

    #[test]
    fn check_directives_with_spaces_remarks_and_error() {
        let text = "#check = skip=all // opts\nFROM busybox\n# CHECK=skip=JSONArgsRecommended // why\nCMD x\n";
        let df = parse(text).unwrap();
        let p = pragmas(&df);
        assert_eq!(p.len(), 2);
        assert_eq!(codes(&p[0]), ["all"]);
        assert!(p[0].covers.is_none());
        assert_eq!(codes(&p[1]), ["JSONArgsRecommended"]);
        assert!(p[1].covers(text.find("CMD").unwrap()));
        assert_eq!(check_options(&df), CheckOptions::default());
        let df = parse("# check=skip=A;error=true;experimental=all\nFROM a\n").unwrap();
        let options = check_options(&df);
        assert!(options.error);
        assert!(options.wants_experimental("InvalidDefinitionDescription"));
        let df = parse("# check=error=false\nFROM a\n").unwrap();
        assert!(!check_options(&df).error);
    }

    #[test]
    fn stage_reach_and_malformed_lists() {
        let text = "# dflint stage ignore=DF006\nFROM a AS one\nRUN x\nFROM b\nRUN y\n# dflint ignore=DF002 because\nRUN z\n# dflintignore=DF002\n";
        let df = parse(text).unwrap();
        let p = pragmas(&df);
        assert_eq!(p.len(), 2);
        assert!(p[0].covers(text.find("RUN x").unwrap()));
        assert!(!p[0].covers(text.find("RUN y").unwrap()));
        assert!(p[1].malformed.is_some());
        assert!(p[1].codes.is_empty());
    }
}
