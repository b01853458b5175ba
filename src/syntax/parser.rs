//! The lossless parser. It follows BuildKit's `parser.Parse` line by line:
//! directives in the header, comments, continuation joining (skipping comment
//! and empty lines inside a continuation), instruction dispatch, heredocs.

use std::fmt;

use super::ast::*;
use super::words::{
    ceil_boundary, extract_flags, is_space_byte, parse_words, shell_words, split_first,
    split_whitespace,
};
use compact_str::CompactString;
use thin_vec::ThinVec;

/// BuildKit's limit on one physical line.
const MAX_LINE: usize = 65535;

/// Why a file is not a valid Dockerfile, and where.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseError {
    pub line: usize,
    pub column: usize,
    pub message: String,
}

impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}: {}", self.line, self.column, self.message)
    }
}

impl std::error::Error for ParseError {}

fn error(line: usize, column: usize, message: impl Into<String>) -> ParseError {
    ParseError {
        line,
        column,
        message: message.into(),
    }
}

/// One physical line: `start..content_end` is its text without the trailing
/// `\r\n`, `start..end` includes the terminator. The offsets are 32-bit,
/// as in the tree (the parser refuses a larger text first): the lines of a
/// file of short lines are its largest structure while it is parsed.
#[derive(Clone, Copy)]
struct Line {
    start: u32,
    content_end: u32,
    end: u32,
}

impl Line {
    fn start(self) -> usize {
        self.start as usize
    }
    fn content_end(self) -> usize {
        self.content_end as usize
    }
    fn end(self) -> usize {
        self.end as usize
    }
}

/// The lines of a text of at most [`super::ast::MAX_TEXT`] bytes.
fn split_lines(text: &str) -> Vec<Line> {
    let bytes = text.as_bytes();
    // Counted first so that the vector is made once, at its size.
    let mut lines = Vec::with_capacity(bytes.iter().filter(|&&b| b == b'\n').count() + 1);
    let mut start = 0;
    while start < bytes.len() {
        let end = match bytes[start..].iter().position(|&b| b == b'\n') {
            Some(i) => start + i + 1,
            None => bytes.len(),
        };
        // Go's `bytes.TrimRight(line, "\r\n")`.
        let mut content_end = end;
        while content_end > start && matches!(bytes[content_end - 1], b'\r' | b'\n') {
            content_end -= 1;
        }
        lines.push(Line {
            start: narrow(start),
            content_end: narrow(content_end),
            end: narrow(end),
        });
        start = end;
    }
    lines
}

/// Go's `\s` in BuildKit's regexes: ASCII blanks only, without `\v`.
fn is_regex_space(c: char) -> bool {
    matches!(c, '\t' | '\n' | '\x0c' | '\r' | ' ')
}

/// `# key=value` per BuildKit's directive regex,
/// `^#\s*([a-zA-Z][a-zA-Z0-9]*)\s*=\s*(.+?)\s*$`. Its `\s` is ASCII, so
/// a value with trailing Unicode blanks keeps them (and `# escape=\` plus a
/// no-break space is an invalid escape token), and its lazy `(.+?)` makes a
/// value of blanks only come out as the last blank (`# escape=  ` is the
/// escape token `' '`). A value that is empty (`# escape=`) does not match.
fn directive_of(line: &str) -> Option<(String, String)> {
    let rest = line.strip_prefix('#')?.trim_start_matches(is_regex_space);
    let key_len = rest
        .bytes()
        .enumerate()
        .find(|&(i, b)| !(b.is_ascii_alphabetic() || (i > 0 && b.is_ascii_digit())))
        .map_or(rest.len(), |(i, _)| i);
    if key_len == 0 {
        return None;
    }
    let (key, after) = rest.split_at(key_len);
    let after = after.trim_start_matches(is_regex_space).strip_prefix('=')?;
    let body = after.trim_start_matches(is_regex_space);
    let value = if body.is_empty() {
        after.chars().last()?.to_string()
    } else {
        body.trim_end_matches(is_regex_space).to_string()
    };
    Some((key.to_ascii_lowercase(), value))
}

const KNOWN_DIRECTIVES: [&str; 3] = ["syntax", "escape", "check"];

/// Where the scan of the file's header stands.
#[derive(PartialEq)]
enum Header {
    /// `parser.Parse`'s own directive scan: `escape` is applied here.
    Parser,
    /// After a `#!` first line. `Parse` stops reading directives at the
    /// shebang (it is not `# key=value`), so `# escape=` is a comment, but
    /// `DetectSyntax` and `ParseDirective` (which read `# syntax=` and
    /// `# check=`) skip the shebang and go on with their own scanner: raw
    /// lines, stopping at the first line that is not a known directive and at
    /// a repeated one (keeping the first, with no error).
    Shebang,
    Done,
}

/// The line with a trailing continuation removed, and whether the
/// instruction ends here (BuildKit's `trimContinuationCharacter`).
fn trim_continuation(line: &str, escape: char) -> (&str, bool) {
    let trimmed = line.trim_end_matches([' ', '\t']);
    if let Some(before) = trimmed.strip_suffix(escape) {
        if before.is_empty() || !before.ends_with(escape) {
            return (before, false);
        }
    }
    (line, true)
}

/// Parse a whole file. Never panics; any input that BuildKit's parser
/// rejects gives a `ParseError` with its position.
pub fn parse(text: &str) -> Result<Dockerfile, ParseError> {
    let (items, escape, empty_continuations) = parse_items(text)?;
    Ok(Dockerfile::new(
        text.to_string(),
        items,
        escape,
        empty_continuations,
    ))
}

/// [`parse`] a text the caller gives away: the tree keeps it rather than a
/// copy (a large file is then held once). On an error the text comes back.
pub fn parse_owned(text: String) -> Result<Dockerfile, (ParseError, String)> {
    match parse_items(&text) {
        Ok((items, escape, empty_continuations)) => {
            Ok(Dockerfile::new(text, items, escape, empty_continuations))
        }
        Err(e) => Err((e, text)),
    }
}

/// The items of a file, its escape character and the lines where a
/// continuation ran over an empty line.
type Parsed = (Vec<Item>, char, Vec<usize>);

fn parse_items(text: &str) -> Result<Parsed, ParseError> {
    // The tree's offsets are 32-bit (half the memory of a file's map).
    if text.len() > super::ast::MAX_TEXT {
        return Err(error(1, 1, "a file of 4 GiB or more cannot be read"));
    }
    let lines = split_lines(text);
    let bom = if text.starts_with('\u{feff}') { 3 } else { 0 };
    let content = |n: usize| -> (usize, &str) {
        let l = lines[n];
        let start = if n == 0 { l.start() + bom } else { l.start() };
        (start, &text[start..l.content_end()])
    };
    for (n, l) in lines.iter().enumerate() {
        // bufio.Scanner's 64 KiB buffer must hold the line and its `\n`, so
        // a `\r` before the `\n` counts against the limit.
        let raw = &text[l.start()..l.end()];
        if raw.strip_suffix('\n').unwrap_or(raw).len() > MAX_LINE {
            return Err(error(
                n + 1,
                1,
                "dockerfile line greater than max allowed size of 65535",
            ));
        }
    }

    let mut escape = '\\';
    let mut items = Vec::new();
    let mut header = Header::Parser;
    let mut seen_directives: Vec<String> = Vec::new();
    let mut empty_continuations = Vec::new();
    let mut n = 0;
    while n < lines.len() {
        let first = n;
        let (start, raw) = content(n);
        let trimmed = raw.trim_start();
        let lead = raw.len() - trimmed.len();
        let whole = |last: usize| Span::new(lines[first].start(), lines[last].end());

        if header == Header::Parser && n == 0 && raw.starts_with("#!") {
            items.push(Item {
                span: whole(n),
                kind: ItemKind::Comment,
            });
            header = Header::Shebang;
            n += 1;
            continue;
        }
        if header == Header::Shebang {
            match directive_of(raw) {
                Some((key, value))
                    if KNOWN_DIRECTIVES.contains(&key.as_str())
                        && !seen_directives.contains(&key) =>
                {
                    let kind = if key == "escape" {
                        ItemKind::Comment
                    } else {
                        ItemKind::Directive(Box::new(Directive {
                            name: key.clone(),
                            value,
                        }))
                    };
                    seen_directives.push(key);
                    items.push(Item {
                        span: whole(n),
                        kind,
                    });
                    n += 1;
                    continue;
                }
                _ => header = Header::Done,
            }
        }
        if header == Header::Parser {
            match directive_of(trimmed) {
                Some((key, value)) if KNOWN_DIRECTIVES.contains(&key.as_str()) => {
                    if seen_directives.contains(&key) {
                        return Err(error(
                            n + 1,
                            1,
                            format!("only one {key} parser directive can be used"),
                        ));
                    }
                    if key == "escape" {
                        escape = match value.as_str() {
                            "\\" => '\\',
                            "`" => '`',
                            _ => {
                                return Err(error(
                                    n + 1,
                                    1,
                                    format!(
                                        "invalid escape token '{value}' does not match ` or \\"
                                    ),
                                ))
                            }
                        };
                    }
                    seen_directives.push(key.clone());
                    items.push(Item {
                        span: whole(n),
                        kind: ItemKind::Directive(Box::new(Directive { name: key, value })),
                    });
                    n += 1;
                    continue;
                }
                _ => header = Header::Done,
            }
        }

        if trimmed.starts_with('#') {
            items.push(Item {
                span: whole(n),
                kind: ItemKind::Comment,
            });
            n += 1;
            continue;
        }

        let (kept, mut ended) = trim_continuation(trimmed, escape);
        if ended && kept.is_empty() {
            items.push(Item {
                span: whole(n),
                kind: ItemKind::Blank,
            });
            n += 1;
            continue;
        }

        // Join the continuation lines into one logical line.
        let mut line = LogicalLine::default();
        push_mapped(&mut line, kept, start + lead);
        let mut last = n;
        while !ended && last + 1 < lines.len() {
            last += 1;
            let (cstart, craw) = content(last);
            let ctrim = craw.trim_start();
            if ctrim.starts_with('#') {
                continue;
            }
            if ctrim.is_empty() {
                empty_continuations.push(last + 1);
                continue;
            }
            let (ckept, cended) = trim_continuation(craw, escape);
            push_mapped(&mut line, ckept, cstart);
            ended = cended;
        }
        let end_of_text = lines[last].content_end();
        line.finish(end_of_text);

        // A logical line left empty by continuation characters (`\` alone on
        // the last lines) is still an instruction to BuildKit: one with an
        // empty keyword, which its instructions layer rejects as
        // "unknown instruction: ".
        let mut ins = instruction(line, escape).map_err(|message| error(first + 1, 1, message))?;
        ins.start_line = narrow(first + 1);

        // Heredoc bodies follow the logical line.
        if takes_heredocs(&ins) && ins.line.text.contains("<<") {
            let docs = heredocs_of(&ins.line.text).map_err(|m| error(first + 1, 1, m))?;
            for mut doc in docs {
                let body_start = lines.get(last + 1).map_or(text.len(), |l| l.start());
                let mut terminated = false;
                while last + 1 < lines.len() {
                    last += 1;
                    let l = lines[last];
                    let mut candidate = &text[l.start()..l.content_end()];
                    if doc.chomp {
                        candidate = candidate.trim_start_matches('\t');
                    }
                    if candidate == doc.name {
                        doc.content_span = Span::new(body_start, l.start());
                        terminated = true;
                        break;
                    }
                }
                if !terminated {
                    return Err(error(first + 1, 1, "unterminated heredoc"));
                }
                ins.heredocs.push(doc);
            }
            if let Args::Onbuild(inner) = &mut ins.args {
                inner.heredocs = ins.heredocs.clone();
            }
        }
        ins.end_line = narrow(last + 1);
        set_trigger_lines(&mut ins);
        items.push(Item {
            span: whole(last),
            kind: ItemKind::Instruction(Box::new(ins)),
        });
        n = last + 1;
    }
    // Grown by doubling: a long file would keep up to twice its items.
    items.shrink_to_fit();

    if !items
        .iter()
        .any(|i| matches!(i.kind, ItemKind::Instruction(_)))
    {
        return Err(error(1, 1, "file with no instructions"));
    }
    Ok((items, escape, empty_continuations))
}

/// An ONBUILD trigger (and a trigger's own trigger) spans its ONBUILD's lines.
fn set_trigger_lines(ins: &mut Instruction) {
    let (start, end) = (ins.start_line, ins.end_line);
    let mut args = &mut ins.args;
    while let Args::Onbuild(inner) = args {
        inner.start_line = start;
        inner.end_line = end;
        args = &mut inner.args;
    }
}

fn push_mapped(line: &mut LogicalLine, part: &str, offset: usize) {
    line.push(part, offset);
}

/// BuildKit's `canContainHeredoc`: RUN, COPY and ADD in shell form, also as
/// the trigger of an ONBUILD. Only one ONBUILD is looked through, so the
/// RUN of `ONBUILD ONBUILD RUN <<EOF` takes no heredoc and the lines below
/// it are read as instructions.
fn takes_heredocs(ins: &Instruction) -> bool {
    let target = match &ins.args {
        Args::Onbuild(inner) => inner.as_ref(),
        _ => ins,
    };
    target.keyword.takes_heredocs() && !matches!(target.args, Args::Exec(_))
}

/// The keyword of an instruction word. BuildKit dispatches on Go's
/// `strings.ToLower`, which maps two non-ASCII letters into ASCII: U+0130
/// (`İ`) to `i` and U+212A (Kelvin sign) to `k`.
fn keyword_of(word: &str) -> Keyword {
    if word.is_ascii() {
        return Keyword::from_word(word);
    }
    let folded: String = word
        .chars()
        .map(|c| match c {
            '\u{130}' => 'i',
            '\u{212a}' => 'k',
            c => c,
        })
        .collect();
    Keyword::from_word(&folded)
}

/// Build an instruction from its logical line (BuildKit's `newNodeFromLine`).
fn instruction(line: LogicalLine, escape: char) -> Result<Instruction, String> {
    let lead = line.text.len() - line.text.trim_start().len();
    let body = line.text.trim();
    let (word, rest) = split_first(body);
    let keyword = keyword_of(word);
    let mut flags = ThinVec::new();
    let mut args = Args::None;
    if let Some((rest, rest_at)) = rest {
        let rest_at = lead + rest_at;
        let (words, args_at) = extract_flags(rest);
        for w in words {
            flags.push(Flag {
                span: line.span(rest_at + w.start, rest_at + w.end),
                text: w.text.into(),
            });
        }
        let after = &rest[args_at..];
        let trimmed = after.trim();
        let at = rest_at + args_at + (after.len() - after.trim_start().len());
        args = arguments(keyword, trimmed, at, &line, escape)?;
    }
    Ok(Instruction {
        keyword,
        line,
        flags,
        args,
        heredocs: ThinVec::new(),
        start_line: 0,
        end_line: 0,
    })
}

/// The dispatch table of BuildKit's parser: how each keyword's arguments split.
fn arguments(
    keyword: Keyword,
    rest: &str,
    at: usize,
    line: &LogicalLine,
    escape: char,
) -> Result<Args, String> {
    use Keyword::*;
    Ok(match keyword {
        Run | Cmd | Entrypoint | Shell => maybe_json(rest, at)?,
        Add | Copy | Volume => match json_array(rest)? {
            Some(words) => Args::Exec(words),
            None => Args::Words(split_whitespace(rest)),
        },
        From | Expose => Args::Words(split_whitespace(rest)),
        Env | Label => name_values(keyword, rest, escape)?,
        Arg => Args::Words(parse_words(rest, escape)),
        Maintainer | Stopsignal | User | Workdir => {
            if rest.is_empty() {
                Args::None
            } else {
                Args::Text(rest.into())
            }
        }
        Healthcheck => {
            // `parseHealthConfig` looks for the end of the type word byte by
            // byte, so the bytes 0x85 and 0xA0 inside a UTF-8 character end
            // it too; the pieces are kept as well as a Rust string can.
            let b = rest.as_bytes();
            let sep = b.iter().position(|&c| is_space_byte(c)).unwrap_or(b.len());
            if sep == 0 {
                Args::None
            } else {
                let mut next = sep;
                while next < b.len() && is_space_byte(b[next]) {
                    next += 1;
                }
                let next = ceil_boundary(rest, next);
                let cmd = maybe_json(&rest[next..], at + next)?;
                Args::Healthcheck {
                    kind: String::from_utf8_lossy(&b[..sep]).into(),
                    cmd: Box::new(cmd),
                }
            }
        }
        Onbuild => {
            if rest.is_empty() {
                Args::None
            } else {
                let inner = instruction(line.tail(at), escape)?;
                Args::Onbuild(Box::new(inner))
            }
        }
        Unknown => Args::None,
    })
}

/// `parseMaybeJSON`: exec form when the text is a JSON array of strings.
fn maybe_json(rest: &str, at: usize) -> Result<Args, String> {
    if rest.is_empty() {
        return Ok(Args::None);
    }
    Ok(match json_array(rest)? {
        Some(words) => Args::Exec(words),
        None => Args::Shell {
            start: at,
            end: at + rest.len(),
        },
    })
}

/// `Some(words)` for a JSON array of strings, `None` for anything that is not
/// JSON to Go, an error for a JSON array holding something other than strings.
fn json_array(rest: &str) -> Result<Option<Vec<CompactString>>, String> {
    let rest = rest.trim_start();
    if !rest.starts_with('[') {
        return Ok(None);
    }
    match go_json_array(rest) {
        GoJson::Invalid => Ok(None),
        GoJson::NotStrings => Err(
            "when using JSON array syntax, arrays must be comprised of strings only".to_string(),
        ),
        GoJson::Strings(words) => Ok(Some(words)),
    }
}

/// What Go's `json.Unmarshal` into `[]interface{}` makes of a text that
/// starts with `[`. Go's decoder differs from serde_json where it matters
/// here: it replaces a lone or misordered UTF-16 surrogate escape with
/// U+FFFD instead of failing, nests 10000 levels deep, and fails on a number
/// out of float64's range even inside a nested value (that failure, like a
/// syntax error, makes BuildKit fall back to shell form).
enum GoJson {
    Invalid,
    NotStrings,
    Strings(Vec<CompactString>),
}

/// Go's `maxNestingDepth` for JSON.
const JSON_MAX_DEPTH: usize = 10000;

fn go_json_array(text: &str) -> GoJson {
    let mut p = Json {
        b: text.as_bytes(),
        i: 1,
        overflow: false,
    };
    let mut items: Vec<Option<String>> = Vec::new();
    p.ws();
    if !p.eat(b']') {
        loop {
            p.ws();
            let item = match p.peek() {
                Some(b'"') => p.string().map(Some),
                Some(b'[' | b'{') => p.container(1).map(|()| None),
                Some(_) => p.scalar().map(|()| None),
                None => None,
            };
            let Some(item) = item else {
                return GoJson::Invalid;
            };
            items.push(item);
            p.ws();
            if p.eat(b',') {
                continue;
            }
            if p.eat(b']') {
                break;
            }
            return GoJson::Invalid;
        }
    }
    p.ws();
    if p.i != p.b.len() || p.overflow {
        return GoJson::Invalid;
    }
    if items.iter().any(Option::is_none) {
        return GoJson::NotStrings;
    }
    GoJson::Strings(
        items
            .into_iter()
            .flatten()
            .map(CompactString::from)
            .collect(),
    )
}

/// A JSON reader over bytes; every method returns `None` on a syntax error.
struct Json<'a> {
    b: &'a [u8],
    i: usize,
    /// A number too large for float64 was seen.
    overflow: bool,
}

impl Json<'_> {
    fn peek(&self) -> Option<u8> {
        self.b.get(self.i).copied()
    }

    fn eat(&mut self, c: u8) -> bool {
        if self.peek() == Some(c) {
            self.i += 1;
            true
        } else {
            false
        }
    }

    fn ws(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\t' | b'\n' | b'\r')) {
            self.i += 1;
        }
    }

    fn digits(&mut self) -> usize {
        let start = self.i;
        while matches!(self.peek(), Some(b'0'..=b'9')) {
            self.i += 1;
        }
        self.i - start
    }

    fn hex4(&self, at: usize) -> Option<u32> {
        let digits = self.b.get(at..at + 4)?;
        let s = std::str::from_utf8(digits).ok()?;
        if !s.bytes().all(|c| c.is_ascii_hexdigit()) {
            return None;
        }
        u32::from_str_radix(s, 16).ok()
    }

    /// A string at `"`, decoded as Go decodes it.
    fn string(&mut self) -> Option<String> {
        self.i += 1;
        let mut out = String::new();
        let mut run = self.i;
        loop {
            let c = self.peek()?;
            match c {
                b'"' => {
                    out.push_str(std::str::from_utf8(&self.b[run..self.i]).ok()?);
                    self.i += 1;
                    return Some(out);
                }
                b'\\' => {
                    out.push_str(std::str::from_utf8(&self.b[run..self.i]).ok()?);
                    let e = *self.b.get(self.i + 1)?;
                    self.i += 2;
                    let ch = match e {
                        b'"' => '"',
                        b'\\' => '\\',
                        b'/' => '/',
                        b'b' => '\u{8}',
                        b'f' => '\u{c}',
                        b'n' => '\n',
                        b'r' => '\r',
                        b't' => '\t',
                        b'u' => {
                            let hi = self.hex4(self.i)?;
                            self.i += 4;
                            if (0xd800..0xe000).contains(&hi) {
                                // A high then a low surrogate escape make one
                                // character; any other surrogate is U+FFFD,
                                // and the escape after it is read on its own.
                                let lo = match (self.peek(), self.b.get(self.i + 1)) {
                                    (Some(b'\\'), Some(b'u')) => self.hex4(self.i + 2),
                                    _ => None,
                                };
                                match lo {
                                    Some(lo)
                                        if (0xd800..0xdc00).contains(&hi)
                                            && (0xdc00..0xe000).contains(&lo) =>
                                    {
                                        self.i += 6;
                                        char::from_u32(
                                            0x10000 + ((hi - 0xd800) << 10) + (lo - 0xdc00),
                                        )
                                        .unwrap_or('\u{fffd}')
                                    }
                                    _ => '\u{fffd}',
                                }
                            } else {
                                char::from_u32(hi).unwrap_or('\u{fffd}')
                            }
                        }
                        _ => return None,
                    };
                    out.push(ch);
                    run = self.i;
                }
                0x00..=0x1f => return None,
                _ => self.i += 1,
            }
        }
    }

    fn literal(&mut self, word: &[u8]) -> Option<()> {
        if self.b.get(self.i..self.i + word.len())? == word {
            self.i += word.len();
            Some(())
        } else {
            None
        }
    }

    fn number(&mut self) -> Option<()> {
        let start = self.i;
        self.eat(b'-');
        match self.peek()? {
            b'0' => self.i += 1,
            b'1'..=b'9' => {
                self.digits();
            }
            _ => return None,
        }
        if self.eat(b'.') && self.digits() == 0 {
            return None;
        }
        if matches!(self.peek(), Some(b'e' | b'E')) {
            self.i += 1;
            if !self.eat(b'+') {
                self.eat(b'-');
            }
            if self.digits() == 0 {
                return None;
            }
        }
        let s = std::str::from_utf8(&self.b[start..self.i]).ok()?;
        if s.parse::<f64>().map_or(true, f64::is_infinite) {
            self.overflow = true;
        }
        Some(())
    }

    /// A string, number or literal.
    fn scalar(&mut self) -> Option<()> {
        match self.peek()? {
            b'"' => self.string().map(|_| ()),
            b't' => self.literal(b"true"),
            b'f' => self.literal(b"false"),
            b'n' => self.literal(b"null"),
            b'-' | b'0'..=b'9' => self.number(),
            _ => None,
        }
    }

    /// An array or object at `[` / `{`, walked with an explicit stack so
    /// that deep nesting costs no recursion. `outer` containers are open.
    fn container(&mut self, outer: usize) -> Option<()> {
        let mut closers: Vec<u8> = Vec::new();
        // Expecting a value (else a `,` or a closer); `opened` when the
        // container was just opened, where a closer may come instead.
        let mut want_value = true;
        let mut opened = false;
        loop {
            self.ws();
            if !want_value {
                let close = *closers.last()?;
                if self.eat(b',') {
                    want_value = true;
                    opened = false;
                } else if self.eat(close) {
                    closers.pop();
                    if closers.is_empty() {
                        return Some(());
                    }
                } else {
                    return None;
                }
                continue;
            }
            if opened {
                if let Some(&close) = closers.last() {
                    if self.eat(close) {
                        closers.pop();
                        if closers.is_empty() {
                            return Some(());
                        }
                        want_value = false;
                        opened = false;
                        continue;
                    }
                }
            }
            if closers.last() == Some(&b'}') {
                if self.peek() != Some(b'"') {
                    return None;
                }
                self.string()?;
                self.ws();
                if !self.eat(b':') {
                    return None;
                }
                self.ws();
            }
            match self.peek()? {
                c @ (b'[' | b'{') => {
                    self.i += 1;
                    closers.push(if c == b'[' { b']' } else { b'}' });
                    if outer + closers.len() > JSON_MAX_DEPTH {
                        return None;
                    }
                    opened = true;
                }
                _ => {
                    self.scalar()?;
                    want_value = false;
                    opened = false;
                }
            }
        }
    }
}

/// `parseNameVal`: `k=v k2=v2` pairs, or the legacy `k value with spaces`.
fn name_values(keyword: Keyword, rest: &str, escape: char) -> Result<Args, String> {
    let name = if keyword == Keyword::Env {
        "ENV"
    } else {
        "LABEL"
    };
    let words = parse_words(rest, escape);
    let Some(first) = words.first() else {
        return Ok(Args::None);
    };
    if !first.contains('=') {
        let (key, value) = split_first(rest);
        let Some((value, _)) = value else {
            return Err(format!("{name} must have two arguments"));
        };
        return Ok(Args::KeyValues(vec![KeyValue {
            key: key.into(),
            value: value.into(),
            sep: "",
        }]));
    }
    let mut pairs = Vec::with_capacity(words.len());
    for word in words {
        let Some((key, value)) = word.split_once('=') else {
            return Err(format!(
                "Syntax error - can't find = in {word:?}. Must be of the form: name=value"
            ));
        };
        pairs.push(KeyValue {
            key: key.into(),
            value: value.into(),
            sep: "=",
        });
    }
    Ok(Args::KeyValues(pairs))
}

/// Heredocs on an instruction line (`heredocsFromLine`): the line is split
/// by BuildKit's shell lexer keeping quotes and escapes, and every word is
/// tried as a heredoc. A line the lexer fails on (an unbalanced quote, a
/// malformed `${...}`) yields no words, hence no heredocs, and no error.
fn heredocs_of(line: &str) -> Result<Vec<Heredoc>, String> {
    let words = shell_words(line, true, true).unwrap_or_default();
    let mut docs = Vec::new();
    for word in &words {
        if let Some(doc) = heredoc_of(word)? {
            docs.push(doc);
        }
    }
    Ok(docs)
}

/// BuildKit's `ParseHeredoc`: a word matching `^(\d*)<<(-?)\s*([^<]*)$`
/// whose rest lexes to exactly one word is a heredoc named after that word.
/// The rest is lexed again keeping quotes: if any quote was removed the
/// body is not expanded. The rest failing to lex is an error of the file.
fn heredoc_of(word: &str) -> Result<Option<Heredoc>, String> {
    let digits = word.bytes().take_while(u8::is_ascii_digit).count();
    let Some(after) = word[digits..].strip_prefix("<<") else {
        return Ok(None);
    };
    let (chomp, rest) = match after.strip_prefix('-') {
        Some(r) => (true, r),
        None => (false, after),
    };
    let rest = rest.trim_start_matches(is_regex_space);
    if rest.is_empty() || rest.contains('<') {
        return Ok(None);
    }
    let words = shell_words(rest, false, false)?;
    // `<<""` lexes to no word at all: not a heredoc.
    let [name] = words.as_slice() else {
        return Ok(None);
    };
    let raw = shell_words(rest, true, false)?;
    if raw.len() != words.len() {
        return Err(format!(
            "internal lexing of heredoc produced inconsistent results: {rest}"
        ));
    }
    let quotes = |s: &str| s.chars().filter(|&c| c == '\'' || c == '"').count();
    let expand = raw.first().is_some_and(|r| quotes(r) == quotes(name));
    // Go's ParseUint saturates on overflow (and the error is ignored).
    let fd = match &word[..digits] {
        "" => 0,
        d => d.parse::<u32>().unwrap_or(u32::MAX),
    };
    Ok(Some(Heredoc {
        name: name.clone(),
        content_span: Span::default(),
        expand,
        chomp,
        file_descriptor: fd,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn round_trip(text: &str) {
        let df = parse(text).unwrap();
        let joined: String = df.items.iter().map(|i| df.slice(i.span)).collect();
        assert_eq!(joined, text);
    }

    #[test]
    fn lossless_on_odd_files() {
        round_trip("\u{feff}FROM a\r\nRUN x \\\r\n  # c\r\n\r\n  y\r\n");
        round_trip("# escape=`\nFROM a\nRUN b `\n c");
        round_trip("FROM a\n\n\t \nRUN <<EOF\nbody\nEOF\nCMD x   ");
    }

    #[test]
    fn lines_are_split_at_their_size_with_32_bit_offsets() {
        // The parser's largest structure for a file of short lines.
        assert_eq!(std::mem::size_of::<Line>(), 12);
        let text = "a\r\nbb\n\nccc";
        let lines = split_lines(text);
        assert_eq!(lines.capacity(), 4);
        let got: Vec<_> = lines
            .iter()
            .map(|l| (l.start(), l.content_end(), l.end()))
            .collect();
        assert_eq!(got, vec![(0, 1, 3), (3, 5, 6), (6, 6, 7), (7, 10, 10)]);
        assert!(split_lines("").is_empty());
    }

    #[test]
    fn continuation_joins_without_inserting() {
        let df = parse("FROM a\nRUN echo hello\\\nworld\n").unwrap();
        let (_, run) = df.instructions().nth(1).unwrap();
        assert_eq!(run.shell_text().unwrap().0, "echo helloworld");
    }

    #[test]
    fn flags_map_back_to_file_spans() {
        let text = "FROM a\nRUN --mount=type=cache,target=/root/.cache/pip \\\n  pip install x\n";
        let df = parse(text).unwrap();
        let (_, run) = df.instructions().nth(1).unwrap();
        assert_eq!(
            df.slice(run.flags[0].span),
            "--mount=type=cache,target=/root/.cache/pip"
        );
        let (sh, at) = run.shell_text().unwrap();
        assert_eq!(sh, "pip install x");
        assert_eq!(df.slice(run.line.span(at, at + 3)), "pip");
    }

    #[test]
    fn heredoc_bodies_and_terminators() {
        let df = parse("FROM a\nCOPY <<X <<Y /dest\nY\nX\nX\nY\nRUN <<-'E'\n\tok\n\tE\n").unwrap();
        let ins: Vec<_> = df.instructions().map(|(_, i)| i).collect();
        assert_eq!(ins[1].heredocs[0].content(&df.text), "Y\n");
        assert_eq!(ins[1].heredocs[1].content(&df.text), "X\n");
        assert!(!ins[2].heredocs[0].expand && ins[2].heredocs[0].chomp);
        assert_eq!(ins[2].end_line(), 9);
    }

    #[test]
    fn errors_have_positions() {
        assert_eq!(parse("").unwrap_err().message, "file with no instructions");
        let e = parse("FROM a\nRUN <<EOF\nno end\n").unwrap_err();
        assert_eq!((e.line, e.message.as_ref()), (2, "unterminated heredoc"));
        let e = parse("FROM a\nENV PATH\n").unwrap_err();
        assert_eq!(e.line, 2);
    }
}
