//! The syntax tree. Every node keeps byte spans into the original text; line
//! and column are computed only when something is rendered.

use compact_str::CompactString;
use serde::Serialize;
use thin_vec::ThinVec;

/// A half-open byte range `[start, end)` into the original file text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default, Serialize)]
pub struct Span {
    pub start: usize,
    pub end: usize,
}

impl Span {
    pub fn new(start: usize, end: usize) -> Span {
        Span { start, end }
    }
    pub fn len(&self) -> usize {
        self.end - self.start
    }
    pub fn is_empty(&self) -> bool {
        self.start == self.end
    }
}

/// A parsed Dockerfile. Concatenating the text of `items` gives `text` back
/// byte for byte.
#[derive(Debug, Clone)]
pub struct Dockerfile {
    pub text: String,
    pub items: Vec<Item>,
    /// The escape and line-continuation character (`\` or `` ` ``).
    pub escape: char,
    /// The file's own line ending, used for any line a fix generates.
    pub newline: &'static str,
    /// Lines where a continuation ran over an empty line (BuildKit warns).
    pub empty_continuation_lines: Vec<usize>,
    /// Where each line starts (32-bit, as the pieces of a logical line).
    line_starts: Vec<u32>,
    /// Every item's keyword when it is an instruction, a byte an item: a
    /// rule that looks for one kind of instruction skips the others without
    /// reading their nodes, each a block of its own on the heap. In a large
    /// file a walk through every node missed the cache at each, and most
    /// rules walk the file (see README, Speed).
    keywords: Vec<Option<Keyword>>,
}

#[derive(Debug, Clone)]
pub struct Item {
    /// Whole physical lines, including the final line terminator.
    pub span: Span,
    pub kind: ItemKind,
}

#[derive(Debug, Clone)]
pub enum ItemKind {
    Directive(Box<Directive>),
    Comment,
    Blank,
    Instruction(Box<Instruction>),
}

/// A parser directive from the file's header (`# syntax=`, `# escape=`, `# check=`).
#[derive(Debug, Clone, Serialize)]
pub struct Directive {
    /// Lower-case key.
    pub name: String,
    pub value: String,
}

/// The instruction keywords BuildKit knows, plus everything else.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Keyword {
    Add,
    Arg,
    Cmd,
    Copy,
    Entrypoint,
    Env,
    Expose,
    From,
    Healthcheck,
    Label,
    Maintainer,
    Onbuild,
    Run,
    Shell,
    Stopsignal,
    User,
    Volume,
    Workdir,
    Unknown,
}

/// The keywords by name, the most common first.
const KEYWORDS: &[(&str, Keyword)] = &[
    ("run", Keyword::Run),
    ("copy", Keyword::Copy),
    ("env", Keyword::Env),
    ("from", Keyword::From),
    ("arg", Keyword::Arg),
    ("workdir", Keyword::Workdir),
    ("label", Keyword::Label),
    ("cmd", Keyword::Cmd),
    ("entrypoint", Keyword::Entrypoint),
    ("expose", Keyword::Expose),
    ("user", Keyword::User),
    ("add", Keyword::Add),
    ("volume", Keyword::Volume),
    ("healthcheck", Keyword::Healthcheck),
    ("shell", Keyword::Shell),
    ("stopsignal", Keyword::Stopsignal),
    ("onbuild", Keyword::Onbuild),
    ("maintainer", Keyword::Maintainer),
];

impl Keyword {
    pub fn from_word(word: &str) -> Keyword {
        // Compared without case rather than lower-cased into a new string:
        // every instruction of a file asks.
        KEYWORDS
            .iter()
            .find(|(name, _)| name.eq_ignore_ascii_case(word))
            .map_or(Keyword::Unknown, |&(_, k)| k)
    }

    /// RUN, COPY and ADD may carry heredocs.
    pub fn takes_heredocs(self) -> bool {
        matches!(self, Keyword::Run | Keyword::Copy | Keyword::Add)
    }
}

/// An instruction's text with line continuations joined, as BuildKit sees it,
/// with the way back from every byte to its offset in the file.
#[derive(Debug, Clone, Default)]
pub struct LogicalLine {
    pub text: String,
    /// The pieces of `text` that lie unbroken in the file (a physical
    /// line's part each): `(offset in text, offset in the file)`, in order.
    /// A piece per line rather than an offset per byte, which would take
    /// eight times the file's size in memory; 32-bit offsets (the parser
    /// refuses a file of 4 GiB or more). Most instructions are one piece,
    /// held inline.
    pieces: smallvec::SmallVec<[(u32, u32); 1]>,
    /// The file offset just past the last byte (for an empty text, where
    /// the line ends).
    end: usize,
}

/// The largest text the tree's 32-bit offsets can address.
pub(crate) const MAX_TEXT: usize = u32::MAX as usize;

/// An offset into a text of at most [`MAX_TEXT`] bytes.
pub(crate) fn narrow(offset: usize) -> u32 {
    u32::try_from(offset).unwrap_or(u32::MAX)
}

impl LogicalLine {
    /// Piece `k` as `(offset in text, offset in the file)`.
    fn piece(&self, k: usize) -> (usize, usize) {
        let (l, f) = self.pieces[k];
        (l as usize, f as usize)
    }

    /// Append the text of the file at `offset`.
    pub fn push(&mut self, part: &str, offset: usize) {
        if part.is_empty() {
            return;
        }
        let at = self.text.len();
        // A part that goes on where the last one stopped joins it.
        let joins = !self.pieces.is_empty() && {
            let (l, f) = self.piece(self.pieces.len() - 1);
            f + (at - l) == offset
        };
        if !joins {
            self.pieces.push((narrow(at), narrow(offset)));
        }
        self.text.push_str(part);
        self.end = offset + part.len();
    }

    /// Close the line; `end_of_text` is where an empty one ends.
    pub fn finish(&mut self, end_of_text: usize) {
        if self.text.is_empty() {
            self.end = end_of_text;
        }
        // Grown by doubling while the lines were joined: a long instruction
        // would keep up to twice its size for the life of the tree.
        self.text.shrink_to_fit();
        self.pieces.shrink_to_fit();
    }

    /// The file offset of the text's byte `i` (`text.len()`: just past the last).
    pub fn offset(&self, i: usize) -> usize {
        if i >= self.text.len() {
            return self.end;
        }
        let n = self.pieces.partition_point(|&(l, _)| l as usize <= i);
        let (l, f) = self.piece(n - 1);
        f + (i - l)
    }

    /// The first text offset (up to `text.len()`) whose file offset is at
    /// or after `file_offset`, if any.
    pub fn index_at_or_after(&self, file_offset: usize) -> Option<usize> {
        let piece_end = |k: usize| {
            let next = if k + 1 < self.pieces.len() {
                self.piece(k + 1).0
            } else {
                self.text.len()
            };
            let (l, f) = self.piece(k);
            f + (next - l)
        };
        // File offsets grow with text offsets: halve to the first piece
        // that reaches past the offset.
        let (mut lo, mut hi) = (0, self.pieces.len());
        while lo < hi {
            let mid = (lo + hi) / 2;
            if piece_end(mid) <= file_offset {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        if lo < self.pieces.len() {
            let (l, f) = self.piece(lo);
            Some(l + file_offset.saturating_sub(f))
        } else {
            (self.end >= file_offset).then_some(self.text.len())
        }
    }

    /// The file span of the logical range `[start, end)`.
    pub fn span(&self, start: usize, end: usize) -> Span {
        if start >= end {
            let at = self.offset(start.min(self.text.len()));
            return Span::new(at, at);
        }
        Span::new(self.offset(start), self.offset(end - 1) + 1)
    }

    /// The part of the line from `start` on, keeping its map.
    pub fn tail(&self, start: usize) -> LogicalLine {
        let n = self.pieces.partition_point(|&(l, _)| l as usize <= start);
        let mut pieces = smallvec::SmallVec::new();
        if start < self.text.len() {
            let (l, f) = self.piece(n - 1);
            pieces.push((0, narrow(f + (start - l))));
            pieces.extend(
                self.pieces[n..]
                    .iter()
                    .map(|&(l, f)| (narrow(l as usize - start), f)),
            );
        }
        LogicalLine {
            text: self.text[start..].to_string(),
            pieces,
            end: self.end,
        }
    }
}

/// A `--name[=value]` flag before an instruction's arguments.
#[derive(Debug, Clone)]
pub struct Flag {
    /// The flag as BuildKit reports it (`--name=value`, quotes removed).
    /// Its name and value are read from it, not kept apart: every RUN of
    /// a file may carry a `--mount`.
    pub text: CompactString,
    pub span: Span,
}

impl Flag {
    /// The name without the leading dashes.
    pub fn name(&self) -> &str {
        self.parts().0
    }

    /// The value with quotes and escapes removed; `None` for a bare `--name`.
    pub fn value(&self) -> Option<&str> {
        self.parts().1
    }

    /// The text without its leading dashes, split at the first `=`.
    fn parts(&self) -> (&str, Option<&str>) {
        let bare = self.text.trim_start_matches('-');
        match bare.split_once('=') {
            Some((name, value)) => (name, Some(value)),
            None => (bare, None),
        }
    }

    /// The comma-separated `key=value` fields of a `--mount` value.
    pub fn fields(&self) -> Vec<(String, String)> {
        self.value()
            .unwrap_or("")
            .split(',')
            .filter(|f| !f.trim().is_empty())
            .map(|f| match f.split_once('=') {
                Some((k, v)) => (
                    k.trim().to_ascii_lowercase(),
                    v.trim().trim_matches('"').to_string(),
                ),
                None => (f.trim().to_ascii_lowercase(), String::new()),
            })
            .collect()
    }
}

/// A heredoc attached to RUN, COPY or ADD.
#[derive(Debug, Clone, Serialize)]
pub struct Heredoc {
    pub name: String,
    /// The file span of the body (the lines between the instruction line and
    /// the terminator), read with [`Heredoc::content`]: the body is not
    /// copied (a file of long heredocs is mostly bodies).
    pub content_span: Span,
    pub expand: bool,
    pub chomp: bool,
    pub file_descriptor: u32,
}

impl Heredoc {
    /// The body, from the text of the file the heredoc was parsed from.
    pub fn content<'t>(&self, file_text: &'t str) -> &'t str {
        file_text
            .get(self.content_span.start..self.content_span.end)
            .unwrap_or("")
    }
}

/// One ENV or LABEL pair. `sep` is `=` for `k=v`, empty for the legacy `k v`.
#[derive(Debug, Clone, Serialize)]
pub struct KeyValue {
    pub key: CompactString,
    pub value: CompactString,
    pub sep: &'static str,
}

/// An instruction's arguments in the shape BuildKit gives them.
#[derive(Debug, Clone)]
pub enum Args {
    None,
    /// JSON (exec) form: `["a", "b"]`.
    Exec(Vec<CompactString>),
    /// Shell form: the rest of the line as one string, the logical line's
    /// `[start, end)` (read with [`Instruction::shell_text`]; not a copy).
    Shell {
        start: usize,
        end: usize,
    },
    /// Whitespace-separated words (FROM, EXPOSE, COPY, ADD, VOLUME, ARG).
    Words(Vec<CompactString>),
    /// ENV and LABEL pairs.
    KeyValues(Vec<KeyValue>),
    /// The whole rest of the line (USER, WORKDIR, STOPSIGNAL, MAINTAINER).
    Text(CompactString),
    /// HEALTHCHECK: the type word (`CMD`, `NONE`) and the command.
    Healthcheck {
        kind: CompactString,
        cmd: Box<Args>,
    },
    /// ONBUILD: the wrapped trigger.
    Onbuild(Box<Instruction>),
}

/// One instruction. A file holds one for every instruction it has, so the
/// node is kept small (120 bytes): what can be found again from the
/// logical line (the keyword's text and span) is not stored, the flags and
/// heredocs most instructions lack are a vector of one pointer, and line
/// numbers are 32-bit (the parser refuses a file of 4 GiB or more).
#[derive(Debug, Clone)]
pub struct Instruction {
    pub keyword: Keyword,
    pub line: LogicalLine,
    pub flags: ThinVec<Flag>,
    pub args: Args,
    pub heredocs: ThinVec<Heredoc>,
    /// 1-based; the end includes continuation lines and heredoc terminators.
    pub(crate) start_line: u32,
    pub(crate) end_line: u32,
}

impl Instruction {
    /// The keyword as written: the logical line's first word.
    pub fn keyword_text(&self) -> &str {
        super::words::split_first(self.line.text.trim()).0
    }

    /// Where the keyword is in the file.
    pub fn keyword_span(&self) -> Span {
        let text = &self.line.text;
        let lead = text.len() - text.trim_start().len();
        self.line.span(lead, lead + self.keyword_text().len())
    }

    /// The 1-based line the instruction starts on.
    pub fn start_line(&self) -> usize {
        self.start_line as usize
    }

    /// The 1-based line the instruction ends on: its last continuation
    /// line, or its last heredoc's terminator.
    pub fn end_line(&self) -> usize {
        self.end_line as usize
    }

    pub fn flag(&self, name: &str) -> Option<&Flag> {
        self.flags
            .iter()
            .find(|f| f.name().eq_ignore_ascii_case(name))
    }

    /// The shell text of a shell-form RUN/CMD/ENTRYPOINT, with its logical offset.
    pub fn shell_text(&self) -> Option<(&str, usize)> {
        let (start, end) = match &self.args {
            Args::Shell { start, end } => (*start, *end),
            Args::Healthcheck { cmd, .. } => match cmd.as_ref() {
                Args::Shell { start, end } => (*start, *end),
                _ => return None,
            },
            _ => return None,
        };
        Some((self.line.text.get(start..end).unwrap_or(""), start))
    }

    /// The argument words of a word-list instruction, or the exec array.
    pub fn words(&self) -> &[CompactString] {
        match &self.args {
            Args::Words(w) | Args::Exec(w) => w,
            _ => &[],
        }
    }

    /// The command a CMD/ENTRYPOINT/RUN runs, as one string.
    pub fn command_text(&self) -> String {
        match &self.args {
            Args::Exec(w) => w.join(" "),
            Args::Shell { .. } => self
                .shell_text()
                .map_or_else(String::new, |(t, _)| t.to_string()),
            _ => String::new(),
        }
    }
}

impl Dockerfile {
    pub(crate) fn new(
        text: String,
        items: Vec<Item>,
        escape: char,
        empty_continuation_lines: Vec<usize>,
    ) -> Dockerfile {
        let newline = if text.contains("\r\n") { "\r\n" } else { "\n" };
        // Counted first: grown by doubling, a file of short lines would hold
        // up to twice the offsets.
        let lines = text.bytes().filter(|&b| b == b'\n').count();
        let mut line_starts = Vec::with_capacity(lines + 1);
        line_starts.push(0);
        line_starts.extend(text.match_indices('\n').map(|(i, _)| narrow(i + 1)));
        let keywords = items
            .iter()
            .map(|item| match &item.kind {
                ItemKind::Instruction(ins) => Some(ins.keyword),
                _ => None,
            })
            .collect();
        Dockerfile {
            text,
            items,
            escape,
            newline,
            empty_continuation_lines,
            line_starts,
            keywords,
        }
    }

    /// The keyword of the instruction at `item`; `None` for a comment, a
    /// blank line, a directive, or past the end.
    pub fn keyword(&self, item: usize) -> Option<Keyword> {
        self.keywords.get(item).copied().flatten()
    }

    /// The instruction at `item` when its keyword is one of `keywords`,
    /// found without reading any other node.
    pub fn instruction_of(&self, item: usize, keywords: &[Keyword]) -> Option<&Instruction> {
        if !keywords.contains(&self.keyword(item)?) {
            return None;
        }
        match &self.items[item].kind {
            ItemKind::Instruction(ins) => Some(ins),
            _ => None,
        }
    }

    /// The instructions whose keyword is one of `keywords`, with their item
    /// index, in file order.
    pub fn instructions_of<'s>(
        &'s self,
        keywords: &'s [Keyword],
    ) -> impl Iterator<Item = (usize, &'s Instruction)> + 's {
        (0..self.items.len())
            .filter_map(move |item| Some((item, self.instruction_of(item, keywords)?)))
    }

    pub fn instructions(&self) -> impl Iterator<Item = (&Item, &Instruction)> {
        self.items.iter().filter_map(|item| match &item.kind {
            ItemKind::Instruction(ins) => Some((item, &**ins)),
            _ => None,
        })
    }

    pub fn directive(&self, name: &str) -> Option<&Directive> {
        self.items.iter().find_map(|item| match &item.kind {
            ItemKind::Directive(d) if d.name == name => Some(&**d),
            _ => None,
        })
    }

    /// 1-based line and column (in characters) of a byte offset.
    pub fn line_col(&self, offset: usize) -> (usize, usize) {
        let offset = offset.min(self.text.len());
        let line = match self.line_starts.binary_search(&narrow(offset)) {
            Ok(i) => i,
            Err(i) => i - 1,
        };
        let start = self.line_starts[line] as usize;
        let mut col = self.text[start..offset].chars().count() + 1;
        // A BOM is not a column anyone can see.
        if line == 0 && self.text.starts_with('\u{feff}') && offset > 0 {
            col -= 1;
        }
        (line + 1, col)
    }

    /// The file offset of the start of 1-based `line`.
    pub fn line_start(&self, line: usize) -> usize {
        self.line_starts
            .get(line.saturating_sub(1))
            .map_or(self.text.len(), |&s| s as usize)
    }

    pub fn slice(&self, span: Span) -> &str {
        &self.text[span.start..span.end]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn logical_offsets_map_back_as_a_byte_map_would() {
        // Three pieces of a file, as continuation lines leave them.
        let parts = [("RUN a ", 10), ("b c", 30), ("", 40), ("  d", 50)];
        let mut line = LogicalLine::default();
        let mut map = Vec::new();
        for (part, at) in parts {
            line.push(part, at);
            map.extend((0..part.len()).map(|i| at + i));
        }
        line.finish(99);
        map.push(map.last().map_or(99, |&m| m + 1));
        let len = line.text.len();
        for i in 0..=len {
            assert_eq!(line.offset(i), map[i], "offset {i}");
            for j in i..=len {
                let want = if i >= j {
                    Span::new(map[i], map[i])
                } else {
                    Span::new(map[i], map[j - 1] + 1)
                };
                assert_eq!(line.span(i, j), want, "span {i}..{j}");
            }
            let tail = line.tail(i);
            for k in 0..=len - i {
                assert_eq!(tail.offset(k), map[i + k], "tail {i} at {k}");
            }
        }
        for x in 0..=60 {
            let want = map.iter().position(|&m| m >= x);
            assert_eq!(line.index_at_or_after(x), want, "at or after {x}");
        }
        let mut empty = LogicalLine::default();
        empty.finish(7);
        assert_eq!((empty.offset(0), empty.span(0, 0)), (7, Span::new(7, 7)));
        assert_eq!(empty.index_at_or_after(7), Some(0));
        assert_eq!(empty.index_at_or_after(8), None);
    }

    #[test]
    fn keyword_spans_are_found_again_from_the_line() {
        let text = "FROM a\n  run echo hi\nONBUILD   \\\n copy x y\nrUn \\\n  a\n";
        let df = crate::syntax::parser::parse(text).expect("parses");
        let spans: Vec<&str> = df
            .instructions()
            .map(|(_, i)| df.slice(i.keyword_span()))
            .collect();
        assert_eq!(spans, ["FROM", "run", "ONBUILD", "rUn"]);
        let Some((_, onbuild)) = df.instructions().nth(2) else {
            panic!("no ONBUILD");
        };
        let Args::Onbuild(trigger) = &onbuild.args else {
            panic!("no trigger");
        };
        assert_eq!(df.slice(trigger.keyword_span()), "copy");
        assert_eq!((trigger.start_line(), trigger.end_line()), (3, 4));
        // The node a file holds for every instruction stays small.
        assert!(std::mem::size_of::<Instruction>() <= 120);
    }

    #[test]
    fn a_flag_s_name_and_value_are_read_from_its_text() {
        let text = "FROM a\nRUN --mount=type=cache,target=/a --network=none --LINK=x=y echo\nCOPY --link --chmod= a b\n";
        let df = crate::syntax::parser::parse(text).expect("parses");
        let flags: Vec<(&str, Option<&str>)> = df
            .instructions()
            .flat_map(|(_, ins)| ins.flags.iter().map(|f| (f.name(), f.value())))
            .collect();
        assert_eq!(
            flags,
            [
                ("mount", Some("type=cache,target=/a")),
                ("network", Some("none")),
                ("LINK", Some("x=y")),
                ("link", None),
                ("chmod", Some("")),
            ]
        );
        let Some((_, run)) = df.instructions().nth(1) else {
            panic!("no RUN");
        };
        assert_eq!(run.flag("link").map(Flag::value), Some(Some("x=y")));
        assert_eq!(
            run.flag("mount").map(Flag::fields).map(|f| f.len()),
            Some(2)
        );
    }

    #[test]
    fn keywords_are_read_without_the_nodes_and_agree_with_them() {
        let text = "# syntax=docker/dockerfile:1\nARG V=1\nFROM a\n# note\n\nCOPY x /y\nrun echo\nCOPY z /w\nONBUILD RUN b\nEXPOSE 80\n";
        let df = crate::syntax::parser::parse(text).expect("parses");
        for (item, it) in df.items.iter().enumerate() {
            let node = match &it.kind {
                ItemKind::Instruction(ins) => Some(ins.keyword),
                _ => None,
            };
            assert_eq!(df.keyword(item), node, "item {item}");
        }
        assert_eq!(df.keyword(df.items.len()), None);
        let copies: Vec<(usize, &str)> = df
            .instructions_of(&[Keyword::Copy])
            .map(|(item, ins)| (item, ins.line.text.as_str()))
            .collect();
        assert_eq!(copies, [(5, "COPY x /y"), (7, "COPY z /w")]);
        let some: Vec<Keyword> = df
            .instructions_of(&[Keyword::Run, Keyword::Onbuild, Keyword::Arg])
            .map(|(_, ins)| ins.keyword)
            .collect();
        assert_eq!(some, [Keyword::Arg, Keyword::Run, Keyword::Onbuild]);
        assert!(df.instruction_of(6, &[Keyword::Run]).is_some());
        assert!(df.instruction_of(6, &[Keyword::Copy]).is_none());
        assert!(df
            .instruction_of(3, &[Keyword::Copy, Keyword::Run])
            .is_none());
        assert!(df.instruction_of(99, &[Keyword::Run]).is_none());
    }
}
