//! A small POSIX-shell splitter for RUN bodies: enough to find simple
//! commands and their words with byte offsets, not a shell interpreter.
//!
//! Commands are separated by `&&`, `||`, `;`, `|`, `&`, newlines and
//! parentheses. Words keep their offsets into the script and carry their
//! value with quotes and escapes removed. Redirections are dropped. Reserved
//! words that open a compound command (`if`, `then`, `do`, ...) are skipped
//! so that `then pip install x` is seen as `pip install x`.

use std::sync::OnceLock;

use ecow::EcoString;

/// A shell word: its value and its byte range in the script, quotes included.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Word {
    /// Inline up to 15 bytes (most words): no allocation of its own.
    pub text: EcoString,
    /// The range in the script, 32-bit (a script is part of a file, which
    /// the parser keeps under 4 GiB): a RUN-heavy file has a word every
    /// few bytes.
    start: u32,
    end: u32,
}

impl Word {
    pub fn new(text: impl Into<EcoString>, start: usize, end: usize) -> Word {
        Word {
            text: text.into(),
            start: super::ast::narrow(start),
            end: super::ast::narrow(end),
        }
    }

    /// Where the word starts in the script (its opening quote, if any).
    pub fn start(&self) -> usize {
        self.start as usize
    }

    /// Where the word ends in the script, exclusive.
    pub fn end(&self) -> usize {
        self.end as usize
    }
}

/// A simple command: its words, and the operator that ended it (`&&`, `;`,
/// `|`, newline as `\n`, or empty at the end of the script). 32 bytes: a
/// RUN-heavy file holds one for every few words.
#[derive(Debug, Clone)]
pub struct Command {
    pub words: Box<[Word]>,
    /// Index into [`TERMINATORS`].
    terminator: u8,
    /// Where the program starts after transparent prefixes (`sudo`, `env`,
    /// `VAR=1`, ...) and whether an assignment is among them: worked out by
    /// the semantic layer the first time it is asked, as every rule asks
    /// of every command.
    pub(crate) prefix: OnceLock<(u32, bool)>,
}

/// The operators that end a command, as [`Command::terminator`] gives them.
const TERMINATORS: [&str; 10] = ["", "&&", "||", ";;", "&", "|", ";", "\n", "(", ")"];

impl Command {
    /// A command of `words` ended by `terminator` (one of the shell's
    /// command separators, or empty).
    pub fn new(words: Vec<Word>, terminator: &str) -> Command {
        let index = TERMINATORS
            .iter()
            .position(|t| *t == terminator)
            .unwrap_or(0);
        Command {
            words: words.into_boxed_slice(),
            terminator: index as u8,
            prefix: OnceLock::new(),
        }
    }

    /// The operator that ended the command (`&&`, `|`, `\n`, ...), or
    /// empty at the end of the script.
    pub fn terminator(&self) -> &'static str {
        TERMINATORS[usize::from(self.terminator)]
    }

    pub fn start(&self) -> usize {
        self.words.first().map_or(0, Word::start)
    }
    pub fn end(&self) -> usize {
        self.words.last().map_or(0, Word::end)
    }
    pub fn args(&self) -> impl Iterator<Item = &str> {
        self.words.iter().map(|w| w.text.as_str())
    }
}

const RESERVED: &[&str] = &[
    "if", "then", "else", "elif", "fi", "do", "done", "while", "until", "!", "{", "}", "case",
    "esac",
];

/// Split a script into simple commands.
pub fn commands(script: &str) -> Vec<Command> {
    let mut lexer = Lexer { script, pos: 0 };
    let mut out = Vec::new();
    let mut words: Vec<Word> = Vec::new();
    let mut skip_next_word = false;
    loop {
        match lexer.next_token() {
            Token::End => {
                push_command(&mut out, &mut words, "");
                // Grown by doubling; kept for the life of the lint.
                out.shrink_to_fit();
                break;
            }
            Token::Separator(op) => push_command(&mut out, &mut words, op),
            Token::Redirect => skip_next_word = true,
            Token::Word(w) => {
                if skip_next_word {
                    skip_next_word = false;
                } else if words.is_empty() && RESERVED.contains(&w.text.as_str()) {
                    // `then`, `do`, ...: the command starts after it.
                } else {
                    words.push(w);
                }
            }
        }
    }
    out
}

fn push_command(out: &mut Vec<Command>, words: &mut Vec<Word>, terminator: &'static str) {
    if !words.is_empty() {
        // Exactly the words, moved out of the buffer, which is kept for the
        // next command: not the buffer itself, grown by doubling.
        let mut exact = Vec::with_capacity(words.len());
        exact.append(words);
        out.push(Command::new(exact, terminator));
    }
}

enum Token {
    Word(Word),
    Separator(&'static str),
    Redirect,
    End,
}

struct Lexer<'a> {
    script: &'a str,
    pos: usize,
}

impl<'a> Lexer<'a> {
    fn src(&self) -> &'a [u8] {
        self.script.as_bytes()
    }

    fn peek(&self, at: usize) -> Option<u8> {
        self.src().get(self.pos + at).copied()
    }

    fn next_token(&mut self) -> Token {
        // Blanks, line continuations and comments.
        loop {
            match self.peek(0) {
                Some(b' ' | b'\t' | b'\r') => self.pos += 1,
                Some(b'\\') if self.peek(1) == Some(b'\n') => self.pos += 2,
                Some(b'\\') if self.peek(1) == Some(b'\r') && self.peek(2) == Some(b'\n') => {
                    self.pos += 3
                }
                Some(b'#') => {
                    while !matches!(self.peek(0), None | Some(b'\n')) {
                        self.pos += 1;
                    }
                }
                _ => break,
            }
        }
        let Some(c) = self.peek(0) else {
            return Token::End;
        };
        let two = (c, self.peek(1));
        let op: Option<(&'static str, usize)> = match two {
            (b'&', Some(b'&')) => Some(("&&", 2)),
            (b'|', Some(b'|')) => Some(("||", 2)),
            (b';', Some(b';')) => Some((";;", 2)),
            (b'&', Some(b'>')) => None,
            (b'&', _) => Some(("&", 1)),
            (b'|', _) => Some(("|", 1)),
            (b';', _) => Some((";", 1)),
            (b'\n', _) => Some(("\n", 1)),
            (b'(', _) => Some(("(", 1)),
            (b')', _) => Some((")", 1)),
            _ => None,
        };
        if let Some((op, len)) = op {
            self.pos += len;
            return Token::Separator(op);
        }
        if c == b'<' || c == b'>' || (c == b'&' && self.peek(1) == Some(b'>')) {
            self.redirect_operator();
            return Token::Redirect;
        }
        self.word()
    }

    fn redirect_operator(&mut self) {
        while matches!(self.peek(0), Some(b'<' | b'>' | b'&' | b'|')) {
            self.pos += 1;
        }
        // `2>&1`, `>&-`: the target is part of the operator.
        if self.src().get(self.pos.wrapping_sub(1)) == Some(&b'&') {
            while matches!(self.peek(0), Some(b'0'..=b'9' | b'-')) {
                self.pos += 1;
            }
        }
    }

    fn word(&mut self) -> Token {
        let start = self.pos;
        // Most words have no quotes, escapes or substitutions: their text is
        // the script's bytes as they are, copied once.
        let mut end = start;
        while let Some(&c) = self.src().get(end) {
            let special = match c {
                b' ' | b'\t' | b'\r' | b'\n' | b';' | b'&' | b'|' | b'(' | b')' => break,
                b'<' | b'>' | b'\\' | b'\'' | b'"' | b'`' => true,
                b'$' => matches!(self.src().get(end + 1), Some(b'(' | b'{')),
                _ => false,
            };
            if special {
                break;
            }
            end += 1;
        }
        if !matches!(
            self.src().get(end),
            Some(b'<' | b'>' | b'\\' | b'\'' | b'"' | b'`' | b'$')
        ) {
            self.pos = end;
            // Both ends are next to ASCII bytes, so on character boundaries:
            // the text is copied as it is (no check of its UTF-8).
            let text = match self.script.get(start..end) {
                Some(t) => EcoString::from(t),
                None => EcoString::from(String::from_utf8_lossy(&self.src()[start..end])),
            };
            return Token::Word(Word::new(text, start, end));
        }
        let mut bytes: Vec<u8> = Vec::new();
        while let Some(c) = self.peek(0) {
            match c {
                b' ' | b'\t' | b'\r' | b'\n' | b';' | b'&' | b'|' | b'(' | b')' => break,
                b'<' | b'>' => {
                    // `2>file`: a number right before a redirection is its
                    // fd, when it is written as digits: `"2">f` and `\2>f`
                    // are words (and would not be read past, looping).
                    if self.pos > start
                        && self.src()[start..self.pos].iter().all(u8::is_ascii_digit)
                    {
                        self.pos = start;
                        while self.peek(0).is_some_and(|b| b.is_ascii_digit()) {
                            self.pos += 1;
                        }
                        self.redirect_operator();
                        return Token::Redirect;
                    }
                    break;
                }
                b'\\' => {
                    self.pos += 1;
                    match self.peek(0) {
                        Some(b'\n') => self.pos += 1,
                        Some(n) => {
                            bytes.push(n);
                            self.pos += 1;
                        }
                        None => {}
                    }
                }
                b'\'' => {
                    self.pos += 1;
                    while let Some(n) = self.peek(0) {
                        self.pos += 1;
                        if n == b'\'' {
                            break;
                        }
                        bytes.push(n);
                    }
                }
                b'"' => {
                    self.pos += 1;
                    while let Some(n) = self.peek(0) {
                        self.pos += 1;
                        match n {
                            b'"' => break,
                            b'\\'
                                if matches!(
                                    self.peek(0),
                                    Some(b'"' | b'\\' | b'$' | b'`' | b'\n')
                                ) =>
                            {
                                let e = self.src()[self.pos];
                                self.pos += 1;
                                if e != b'\n' {
                                    bytes.push(e);
                                }
                            }
                            b'$' if self.peek(0) == Some(b'(') => {
                                bytes.push(n);
                                self.nested(&mut bytes, b'(', b')');
                            }
                            _ => bytes.push(n),
                        }
                    }
                }
                b'$' if matches!(self.peek(1), Some(b'(' | b'{')) => {
                    bytes.push(c);
                    self.pos += 1;
                    let (open, close) = if self.peek(0) == Some(b'(') {
                        (b'(', b')')
                    } else {
                        (b'{', b'}')
                    };
                    self.nested(&mut bytes, open, close);
                }
                b'`' => {
                    bytes.push(c);
                    self.pos += 1;
                    while let Some(n) = self.peek(0) {
                        bytes.push(n);
                        self.pos += 1;
                        if n == b'`' {
                            break;
                        }
                    }
                }
                _ => {
                    bytes.push(c);
                    self.pos += 1;
                }
            }
        }
        // Only ASCII quotes and escapes were left out, so the bytes are UTF-8.
        let text = EcoString::from(String::from_utf8_lossy(&bytes));
        Token::Word(Word::new(text, start, self.pos))
    }

    /// Copy a balanced `$( ... )` or `${ ... }` into the word as written.
    fn nested(&mut self, bytes: &mut Vec<u8>, open: u8, close: u8) {
        let mut depth = 0usize;
        while let Some(n) = self.peek(0) {
            bytes.push(n);
            self.pos += 1;
            if n == open {
                depth += 1;
            } else if n == close {
                depth -= 1;
                if depth == 0 {
                    break;
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(script: &str) -> Vec<Vec<String>> {
        commands(script)
            .into_iter()
            .map(|c| {
                c.words
                    .into_vec()
                    .into_iter()
                    .map(|w| w.text.to_string())
                    .collect()
            })
            .collect()
    }

    #[test]
    fn splits_on_operators_and_keeps_quotes_out_of_values() {
        assert_eq!(
            texts(r#"apt-get update && pip install "a>=1" 'b c'; echo x|tee y"#),
            vec![
                vec!["apt-get", "update"],
                vec!["pip", "install", "a>=1", "b c"],
                vec!["echo", "x"],
                vec!["tee", "y"],
            ]
        );
    }

    #[test]
    fn redirections_comments_and_reserved_words() {
        assert_eq!(
            texts("if true; then pip install x >/dev/null 2>&1; fi # done\ncurl -o f u"),
            vec![
                vec!["true"],
                vec!["pip", "install", "x"],
                vec!["curl", "-o", "f", "u"],
            ]
        );
    }

    #[test]
    fn words_keep_offsets_with_quotes() {
        let script = r#"pip install "opencv-python==4.8""#;
        let cmd = &commands(script)[0];
        let w = &cmd.words[2];
        assert_eq!(&script[w.start()..w.end()], r#""opencv-python==4.8""#);
        assert_eq!(w.text, "opencv-python==4.8");
    }

    #[test]
    fn a_word_is_24_bytes_and_keeps_long_text() {
        // A RUN-heavy file holds a word every few bytes (see README, Speed).
        assert_eq!(std::mem::size_of::<Word>(), 24);
        let long = "a-package-name-longer-than-twenty-four==1.0";
        let script = format!("pip install {long} 'quoted {long}' short");
        let words = &commands(&script)[0].words;
        assert_eq!(words[2].text, long);
        assert_eq!(words[3].text, format!("quoted {long}"));
        assert_eq!(words[4].text, "short");
        assert_eq!(&script[words[2].start()..words[2].end()], long);
    }

    #[test]
    fn only_digits_as_written_make_a_redirection_fd() {
        assert_eq!(texts("echo 2>x y"), vec![vec!["echo", "y"]]);
        // Quoted or escaped, the digit is a word, and the split ends.
        assert_eq!(texts("echo \\2>x y"), vec![vec!["echo", "2", "y"]]);
        assert_eq!(
            texts("echo \"2\">x '3'<y z"),
            vec![vec!["echo", "2", "3", "z"]]
        );
    }

    #[test]
    fn command_substitution_stays_in_one_word() {
        assert_eq!(
            texts("echo $(uname -m) ${A:-b c}"),
            vec![vec!["echo", "$(uname -m)", "${A:-b c}"]]
        );
    }
}
