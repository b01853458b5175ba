//! BuildKit's word splitters for instruction arguments (`parseWords`,
//! `extractBuilderFlags`, the `reWhitespace` split). Quotes and escapes are
//! kept in the words, as in BuildKit's AST; only flags lose them.

use compact_str::CompactString;

/// BuildKit's `reWhitespace`: `[\t\v\f\r ]+`.
fn is_ws_byte(b: u8) -> bool {
    matches!(b, b'\t' | 0x0b | 0x0c | b'\r' | b' ')
}

/// Split on runs of `[\t\v\f\r ]`, as Go's `regexp.Split(s, -1)`; the text
/// is expected to be trimmed already.
pub fn split_whitespace(text: &str) -> Vec<CompactString> {
    if text.is_empty() {
        return Vec::new();
    }
    text.split(|c: char| c.is_ascii() && is_ws_byte(c as u8))
        .filter(|w| !w.is_empty())
        .map(CompactString::from)
        .collect()
}

/// The first word and the rest after one run of whitespace (`Split(s, 2)`).
pub fn split_first(text: &str) -> (&str, Option<(&str, usize)>) {
    match text.bytes().position(is_ws_byte) {
        None => (text, None),
        Some(i) => {
            let mut j = i;
            while j < text.len() && is_ws_byte(text.as_bytes()[j]) {
                j += 1;
            }
            (&text[..i], Some((&text[j..], j)))
        }
    }
}

/// BuildKit's `parseWords`: split on whitespace outside quotes, keeping the
/// quotes and escape characters in the words.
pub fn parse_words(rest: &str, escape: char) -> Vec<CompactString> {
    // Without quotes or escapes (most ENV, LABEL and ARG lines) the words
    // are the runs between whitespace, taken whole rather than a
    // character at a time.
    if !rest.contains(['\'', '"', escape]) {
        return rest
            .split(char::is_whitespace)
            .filter(|w| !w.is_empty())
            .map(CompactString::from)
            .collect();
    }
    parse_quoted_words(rest, escape)
}

/// [`parse_words`] character by character, for a text with quotes or
/// escapes.
fn parse_quoted_words(rest: &str, escape: char) -> Vec<CompactString> {
    let mut words = Vec::new();
    let mut word = CompactString::default();
    let mut in_word = false;
    let mut quote: Option<char> = None;
    let mut blank_ok = false;
    let mut chars = rest.chars().peekable();
    while let Some(ch) = chars.next() {
        if quote.is_none() && !in_word {
            if ch.is_whitespace() {
                continue;
            }
            in_word = true;
        }
        match quote {
            None => {
                if ch.is_whitespace() {
                    if blank_ok || !word.is_empty() {
                        words.push(std::mem::take(&mut word));
                    }
                    word.clear();
                    blank_ok = false;
                    in_word = false;
                    continue;
                }
                if ch == '\'' || ch == '"' {
                    quote = Some(ch);
                    blank_ok = true;
                }
                if ch == escape {
                    match chars.next() {
                        // An escape at the very end is dropped.
                        None => continue,
                        Some(next) => {
                            word.push(ch);
                            word.push(next);
                            continue;
                        }
                    }
                }
                word.push(ch);
            }
            Some(q) => {
                if ch == q {
                    quote = None;
                }
                if ch == escape && q != '\'' {
                    match chars.next() {
                        None => {
                            quote = None;
                            continue;
                        }
                        Some(next) => {
                            word.push(ch);
                            word.push(next);
                            continue;
                        }
                    }
                }
                word.push(ch);
            }
        }
    }
    if (in_word || quote.is_some()) && (blank_ok || !word.is_empty()) {
        words.push(word);
    }
    words
}

/// `unicode.IsSpace(rune(b))` for one byte, as `extractBuilderFlags` and
/// `parseHealthConfig` test it: they walk bytes, so the UTF-8 continuation
/// bytes 0x85 and 0xA0 read as NEL and NO-BREAK SPACE.
pub(crate) fn is_space_byte(b: u8) -> bool {
    matches!(b, b'\t' | b'\n' | 0x0b | 0x0c | b'\r' | b' ' | 0x85 | 0xa0)
}

/// The first char boundary of `text` at or after byte `at`: BuildKit slices
/// Go strings at byte offsets that may fall inside a character, which a Rust
/// string cannot hold, so such a cut moves to the next whole character.
pub(crate) fn ceil_boundary(text: &str, mut at: usize) -> usize {
    while at < text.len() && !text.is_char_boundary(at) {
        at += 1;
    }
    at.min(text.len())
}

/// A flag word found by [`extract_flags`]: its text with quotes and escapes
/// removed, and its byte range in the input.
pub struct FlagWord {
    pub text: String,
    pub start: usize,
    pub end: usize,
}

/// BuildKit's `extractBuilderFlags`: leading `--` words. Returns the flags
/// and the offset where the arguments start (`rest.len()` when none).
///
/// `splitCommand` has no access to the escape directive, so `\` escapes in
/// flags whatever `# escape=` says. The words are read byte by byte and each
/// byte is appended as the character of the same number, so a non-ASCII flag
/// comes out as its UTF-8 bytes read as Latin-1 (`é` gives `Ã©`), exactly as
/// BuildKit reports it.
pub fn extract_flags(rest: &str) -> (Vec<FlagWord>, usize) {
    let bytes = rest.as_bytes();
    let mut flags = Vec::new();
    let mut pos = 0;
    loop {
        while pos < bytes.len() && is_space_byte(bytes[pos]) {
            pos += 1;
        }
        if pos == bytes.len() {
            return (flags, pos);
        }
        if !(bytes[pos] == b'-' && pos + 1 < bytes.len() && bytes[pos + 1] == b'-') {
            return (flags, ceil_boundary(rest, pos));
        }
        let start = pos;
        let mut word = String::new();
        let mut blank_ok = false;
        let mut quote: Option<u8> = None;
        while pos < bytes.len() {
            let ch = bytes[pos];
            match quote {
                None if is_space_byte(ch) => break,
                None if ch == b'\'' || ch == b'"' => {
                    quote = Some(ch);
                    blank_ok = true;
                }
                Some(q) if ch == q => quote = None,
                _ if ch == b'\\' => {
                    if pos + 1 < bytes.len() {
                        pos += 1;
                        word.push(char::from(bytes[pos]));
                    } else if quote.is_some() {
                        quote = None;
                    }
                }
                _ => word.push(char::from(ch)),
            }
            pos += 1;
        }
        if word == "--" {
            // A bare `--` ends the flags and is dropped.
            return (flags, ceil_boundary(rest, pos));
        }
        if blank_ok || !word.is_empty() {
            flags.push(FlagWord {
                text: word,
                start,
                end: ceil_boundary(rest, pos),
            });
        }
    }
}

/// Deeper `${...}` nesting than this is treated as a lexing error. BuildKit
/// (Go, with growable stacks) has no limit; a fixed one keeps the recursion
/// off the end of a thread's stack and the work linear in the input.
const MAX_SUBSTITUTION_DEPTH: usize = 200;

/// BuildKit's `wordsStruct`: the word splitting that runs alongside the
/// lexer's result.
#[derive(Default)]
struct Words {
    words: Vec<String>,
    buf: String,
    in_word: bool,
}

impl Words {
    fn add_char(&mut self, ch: char) {
        if ch.is_whitespace() {
            // Whitespace ends a word only when something was written to it:
            // an empty quoted string leaves `in_word` set without content.
            if self.in_word && !self.buf.is_empty() {
                self.words.push(std::mem::take(&mut self.buf));
                self.in_word = false;
            }
        } else {
            self.add_raw_char(ch);
        }
    }

    fn add_raw_char(&mut self, ch: char) {
        self.buf.push(ch);
        self.in_word = true;
    }

    fn add_string(&mut self, s: &str) {
        for ch in s.chars() {
            self.add_char(ch);
        }
    }

    fn add_raw_string(&mut self, s: &str) {
        self.buf.push_str(s);
        self.in_word = true;
    }

    fn finish(mut self) -> Vec<String> {
        if !self.buf.is_empty() {
            self.words.push(std::mem::take(&mut self.buf));
        }
        self.words
    }
}

/// BuildKit's shell lexer (`shell.Lex.ProcessWords`) configured as the parser
/// configures it to find heredocs: `\` is the escape character whatever the
/// escape directive says, no variable is set and an unset one is kept as
/// written (`SkipUnsetEnv`), `RawQuotes` / `RawEscapes` keep quotes and
/// escape characters in the words. An error (an unbalanced quote, a bad
/// `${...}`) is returned as BuildKit's message.
pub(crate) fn shell_words(
    src: &str,
    raw_quotes: bool,
    raw_escapes: bool,
) -> Result<Vec<String>, String> {
    let mut lex = Lexer {
        chars: src.chars().collect(),
        pos: 0,
        raw_quotes,
        raw_escapes,
        depth: 0,
    };
    lex.stop_on(None, raw_escapes)
        .map(|(_, words)| words)
        .map_err(|e| format!("failed to process {src:?}: {e}"))
}

struct Lexer {
    chars: Vec<char>,
    pos: usize,
    raw_quotes: bool,
    raw_escapes: bool,
    depth: usize,
}

impl Lexer {
    fn peek(&self) -> Option<char> {
        self.chars.get(self.pos).copied()
    }

    fn next(&mut self) -> Option<char> {
        let c = self.peek();
        if c.is_some() {
            self.pos += 1;
        }
        c
    }

    /// `processStopOn`: read up to `stop` (or the end), returning the
    /// processed text and its words. `raw_escapes` applies while inside.
    fn stop_on(
        &mut self,
        stop: Option<char>,
        raw_escapes: bool,
    ) -> Result<(String, Vec<String>), String> {
        if self.depth >= MAX_SUBSTITUTION_DEPTH {
            return Err("substitutions nested too deeply".to_string());
        }
        self.depth += 1;
        let saved = std::mem::replace(&mut self.raw_escapes, raw_escapes);
        let out = self.stop_on_inner(stop);
        self.raw_escapes = saved;
        self.depth -= 1;
        out
    }

    fn stop_on_inner(&mut self, stop: Option<char>) -> Result<(String, Vec<String>), String> {
        let mut result = String::new();
        let mut words = Words::default();
        while let Some(ch) = self.peek() {
            if stop == Some(ch) {
                self.next();
                return Ok((result, words.finish()));
            }
            match ch {
                '$' => {
                    let tmp = self.dollar()?;
                    result.push_str(&tmp);
                    // A substitution's value is split again on whitespace.
                    words.add_string(&tmp);
                }
                '<' => {
                    let tmp = self.possible_heredoc();
                    result.push_str(&tmp);
                    words.add_raw_string(&tmp);
                }
                '\'' => {
                    let tmp = self.single_quote()?;
                    result.push_str(&tmp);
                    words.add_raw_string(&tmp);
                }
                '"' => {
                    let tmp = self.double_quote()?;
                    result.push_str(&tmp);
                    words.add_raw_string(&tmp);
                }
                _ => {
                    self.next();
                    if ch == '\\' {
                        if self.raw_escapes {
                            words.add_raw_char(ch);
                            result.push(ch);
                        }
                        // An escape at the very end is dropped.
                        let Some(escaped) = self.next() else { break };
                        words.add_raw_char(escaped);
                        result.push(escaped);
                    } else {
                        words.add_char(ch);
                        result.push(ch);
                    }
                }
            }
        }
        match stop {
            Some(c) => Err(format!(
                "unexpected end of statement while looking for matching {c}"
            )),
            None => Ok((result, words.finish())),
        }
    }

    fn single_quote(&mut self) -> Result<String, String> {
        let mut result = String::new();
        if let Some(open) = self.next() {
            if self.raw_quotes {
                result.push(open);
            }
        }
        loop {
            match self.next() {
                None => {
                    return Err(
                        "unexpected end of statement while looking for matching single-quote"
                            .to_string(),
                    )
                }
                Some('\'') => {
                    if self.raw_quotes {
                        result.push('\'');
                    }
                    return Ok(result);
                }
                Some(c) => result.push(c),
            }
        }
    }

    fn double_quote(&mut self) -> Result<String, String> {
        let mut result = String::new();
        if let Some(open) = self.next() {
            if self.raw_quotes {
                result.push(open);
            }
        }
        loop {
            match self.peek() {
                None => {
                    return Err(
                        "unexpected end of statement while looking for matching double-quote"
                            .to_string(),
                    )
                }
                Some('"') => {
                    self.next();
                    if self.raw_quotes {
                        result.push('"');
                    }
                    return Ok(result);
                }
                Some('$') => {
                    let value = self.dollar()?;
                    result.push_str(&value);
                }
                Some(_) => {
                    let Some(mut ch) = self.next() else { continue };
                    if ch == '\\' {
                        // With raw escapes BuildKit writes the backslash here
                        // and, when it escapes nothing, once more below.
                        if self.raw_escapes {
                            result.push(ch);
                        }
                        match self.peek() {
                            None => continue,
                            Some('"' | '$' | '\\') => {
                                if let Some(escaped) = self.next() {
                                    ch = escaped;
                                }
                            }
                            Some(_) => {}
                        }
                    }
                    result.push(ch);
                }
            }
        }
    }

    /// `processPossibleHeredoc`: `<<` keeps the blanks after it, so that
    /// `<<  EOF` stays one word (Dockerfile 1.16).
    fn possible_heredoc(&mut self) -> String {
        self.next();
        if self.peek() != Some('<') {
            return "<".to_string();
        }
        self.next();
        let mut s = "<<".to_string();
        while let Some(c @ (' ' | '\t' | '\r')) = self.peek() {
            s.push(c);
            self.next();
        }
        s
    }

    /// `processName`: letters, digits and `_`; a run of digits; or one
    /// special parameter.
    fn name(&mut self) -> String {
        let mut name = String::new();
        while let Some(ch) = self.peek() {
            if name.is_empty() && ch.is_numeric() {
                while let Some(d) = self.peek().filter(|c| c.is_numeric()) {
                    name.push(d);
                    self.next();
                }
                return name;
            }
            if name.is_empty() && matches!(ch, '@' | '*' | '#' | '?' | '-' | '$' | '!' | '0') {
                self.next();
                return ch.to_string();
            }
            if !ch.is_alphabetic() && !ch.is_numeric() && ch != '_' {
                break;
            }
            name.push(ch);
            self.next();
        }
        name
    }

    /// `processDollar` with no variable set: every reference is unset, so it
    /// comes back as written (after its own word was processed), and only its
    /// syntax errors matter.
    fn dollar(&mut self) -> Result<String, String> {
        self.next();
        if self.peek() != Some('{') {
            let name = self.name();
            return Ok(format!("${name}"));
        }
        self.next();
        match self.peek() {
            None => return Err("syntax error: missing '}'".to_string()),
            Some('{' | '}' | ':') => return Err("syntax error: bad substitution".to_string()),
            Some(_) => {}
        }
        let name = self.name();
        // Go writes the end of input as U+FFFD in the modifier text.
        let ch = self.next();
        let mut chs = ch.unwrap_or('\u{fffd}').to_string();
        let modifier = match ch {
            Some('}') => return Ok(format!("${{{name}}}")),
            Some(':') => {
                // Go falls through to the `+ - ? # %` case whatever follows.
                let m = self.next();
                chs.push(m.unwrap_or('\u{fffd}'));
                if matches!(m, Some('#' | '%')) {
                    return Err(format!("unsupported modifier ({chs}) in substitution"));
                }
                m
            }
            Some('+' | '-' | '?' | '#' | '%') => ch,
            Some('/') => {
                if self.peek() == Some('/') {
                    self.next();
                }
                let (pattern, _) = self.stop_on(Some('/'), true).map_err(|e| {
                    if self.peek().is_none() {
                        "syntax error: missing '/' in ${}".to_string()
                    } else {
                        e
                    }
                })?;
                let (replacement, _) = self.stop_on(Some('}'), true).map_err(|e| {
                    if self.peek().is_none() {
                        "syntax error: missing '}'".to_string()
                    } else {
                        e
                    }
                })?;
                // BuildKit writes one `/` back even for `${a//p/r}`.
                return Ok(format!("${{{name}/{pattern}/{replacement}}}"));
            }
            _ => return Err(format!("unsupported modifier ({chs}) in substitution")),
        };
        let raw = matches!(modifier, Some('#' | '%'));
        let (word, _) = self.stop_on(Some('}'), raw).map_err(|e| {
            if self.peek().is_none() {
                "syntax error: missing '}'".to_string()
            } else {
                e
            }
        })?;
        Ok(format!("${{{name}{chs}{word}}}"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_keep_quotes_and_escapes() {
        assert_eq!(
            parse_words(r#"a "b c" d\ e 'f\'"#, '\\'),
            vec!["a", "\"b c\"", "d\\ e", "'f\\'"]
        );
    }

    #[test]
    fn words_without_quotes_or_escapes_split_as_the_full_reader_splits_them() {
        for text in [
            "",
            "   ",
            "A=1",
            "A=1 B=2",
            "  A=1\t\tB=2  ",
            "A=1\u{a0}B=2\u{2003}C",
            "k\u{85}v",
            "x\u{3000}\u{3000}y z",
            "caf\u{e9}=cr\u{e8}me  na\u{ef}ve",
            "a=b=c d== =e",
            "\ta\n b\r\nc\u{b}d\u{c}e",
        ] {
            for escape in ['\\', '`'] {
                assert_eq!(
                    parse_words(text, escape),
                    parse_quoted_words(text, escape),
                    "{text:?}"
                );
            }
        }
    }

    #[test]
    fn flags_stop_at_first_plain_word() {
        let (flags, at) = extract_flags("--from=build --chown=a:b src dst");
        let names: Vec<_> = flags.iter().map(|f| f.text.as_str()).collect();
        assert_eq!(names, vec!["--from=build", "--chown=a:b"]);
        assert_eq!(&"--from=build --chown=a:b src dst"[at..], "src dst");
    }

    #[test]
    fn flag_quotes_are_removed_and_double_dash_ends_flags() {
        let (flags, at) = extract_flags(r#"--mount="type=cache,target=/a b" -- --x"#);
        assert_eq!(flags.len(), 1);
        assert_eq!(flags[0].text, "--mount=type=cache,target=/a b");
        assert_eq!(&r#"--mount="type=cache,target=/a b" -- --x"#[at..], " --x");
    }

    #[test]
    fn shell_words_keep_what_heredoc_detection_needs() {
        let w = |s: &str| shell_words(s, true, true);
        assert_eq!(
            w(r#"RUN "a b" 'c' d\ e"#).unwrap(),
            ["RUN", "\"a b\"", "'c'", "d\\ e"]
        );
        // `<<` keeps the spaces, tabs and CRs after it.
        assert_eq!(
            w("RUN <<  EOF <<-\tX").unwrap(),
            ["RUN", "<<  EOF", "<<-", "X"]
        );
        // Unset variables come back as written, then split again.
        assert_eq!(w("a${b:-x y}c $d").unwrap(), ["a${b:-x", "y}c", "$d"]);
        assert_eq!(w("${a//p/r}").unwrap(), ["${a/p/r}"]);
        for bad in [
            "'a", "\"a", "${", "${}", "${a b}", "${a:#x}", "${a", "${a/b",
        ] {
            assert!(w(bad).is_err(), "{bad}");
        }
        // Without raw quotes, quotes go; an empty quoted word is no word.
        assert_eq!(shell_words(r#""EOF""#, false, false).unwrap(), ["EOF"]);
        assert!(shell_words(r#""""#, false, false).unwrap().is_empty());
        // Deep nesting is refused rather than recursed into.
        let deep = "${a:-".repeat(1000) + &"}".repeat(1000);
        assert!(w(&deep).is_err());
    }
}
