//! BuildKit's word splitters for instruction arguments (`parseWords`,
//! `extractBuilderFlags`, the `reWhitespace` split). Quotes and escapes are
//! kept in the words, as in BuildKit's AST; only flags lose them.

/// BuildKit's `reWhitespace`: `[\t\v\f\r ]+`.
fn is_ws_byte(b: u8) -> bool {
    matches!(b, b'\t' | 0x0b | 0x0c | b'\r' | b' ')
}

/// Split on runs of `[\t\v\f\r ]`, as Go's `regexp.Split(s, -1)`; the text
/// is expected to be trimmed already.
pub fn split_whitespace(text: &str) -> Vec<String> {
    if text.is_empty() {
        return Vec::new();
    }
    text.split(|c: char| c.is_ascii() && is_ws_byte(c as u8))
        .filter(|w| !w.is_empty())
        .map(str::to_string)
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
pub fn parse_words(rest: &str, escape: char) -> Vec<String> {
    let mut words = Vec::new();
    let mut word = String::new();
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

/// Go's `unicode.IsSpace` for one byte of ASCII.
fn is_space(b: u8) -> bool {
    matches!(b, b'\t' | b'\n' | 0x0b | 0x0c | b'\r' | b' ')
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
pub fn extract_flags(rest: &str, escape: char) -> (Vec<FlagWord>, usize) {
    let bytes = rest.as_bytes();
    let esc = escape as u8;
    let mut flags = Vec::new();
    let mut pos = 0;
    loop {
        while pos < bytes.len() && is_space(bytes[pos]) {
            pos += 1;
        }
        if pos == bytes.len() {
            return (flags, pos);
        }
        if !(bytes[pos] == b'-' && pos + 1 < bytes.len() && bytes[pos + 1] == b'-') {
            return (flags, pos);
        }
        let start = pos;
        let mut word: Vec<u8> = Vec::new();
        let mut blank_ok = false;
        let mut quote: Option<u8> = None;
        while pos < bytes.len() {
            let ch = bytes[pos];
            match quote {
                None if is_space(ch) => break,
                None if ch == b'\'' || ch == b'"' => {
                    quote = Some(ch);
                    blank_ok = true;
                }
                Some(q) if ch == q => quote = None,
                _ if ch == esc => {
                    if pos + 1 < bytes.len() {
                        pos += 1;
                        word.push(bytes[pos]);
                    } else if quote.is_some() {
                        quote = None;
                    }
                }
                _ => word.push(ch),
            }
            pos += 1;
        }
        let text = String::from_utf8_lossy(&word).into_owned();
        if text == "--" {
            // A bare `--` ends the flags and is dropped.
            return (flags, pos);
        }
        if blank_ok || !text.is_empty() {
            flags.push(FlagWord {
                text,
                start,
                end: pos,
            });
        }
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
    fn flags_stop_at_first_plain_word() {
        let (flags, at) = extract_flags("--from=build --chown=a:b src dst", '\\');
        let names: Vec<_> = flags.iter().map(|f| f.text.as_str()).collect();
        assert_eq!(names, vec!["--from=build", "--chown=a:b"]);
        assert_eq!(&"--from=build --chown=a:b src dst"[at..], "src dst");
    }

    #[test]
    fn flag_quotes_are_removed_and_double_dash_ends_flags() {
        let (flags, at) = extract_flags(r#"--mount="type=cache,target=/a b" -- --x"#, '\\');
        assert_eq!(flags.len(), 1);
        assert_eq!(flags[0].text, "--mount=type=cache,target=/a b");
        assert_eq!(&r#"--mount="type=cache,target=/a b" -- --x"#[at..], " --x");
    }
}
