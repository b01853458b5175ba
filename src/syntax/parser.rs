//! The lossless parser. It follows BuildKit's `parser.Parse` line by line:
//! directives in the header, comments, continuation joining (skipping comment
//! and empty lines inside a continuation), instruction dispatch, heredocs.

use std::fmt;

use super::ast::*;
use super::words::{extract_flags, parse_words, split_first, split_whitespace};

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
/// `\r\n`, `start..end` includes the terminator.
#[derive(Clone, Copy)]
struct Line {
    start: usize,
    content_end: usize,
    end: usize,
}

fn split_lines(text: &str) -> Vec<Line> {
    let bytes = text.as_bytes();
    let mut lines = Vec::new();
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
            start,
            content_end,
            end,
        });
        start = end;
    }
    lines
}

/// `# key=value` in the header, per BuildKit's directive regex.
fn directive_of(line: &str) -> Option<(String, String)> {
    let rest = line.strip_prefix('#')?.trim_start();
    let key_len = rest
        .char_indices()
        .find(|&(i, c)| !(c.is_ascii_alphabetic() || (i > 0 && c.is_ascii_digit())))
        .map_or(rest.len(), |(i, _)| i);
    if key_len == 0 {
        return None;
    }
    let (key, after) = rest.split_at(key_len);
    let value = after.trim_start().strip_prefix('=')?.trim();
    if value.is_empty() {
        return None;
    }
    Some((key.to_ascii_lowercase(), value.to_string()))
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
    let lines = split_lines(text);
    let bom = if text.starts_with('\u{feff}') { 3 } else { 0 };
    let content = |n: usize| -> (usize, &str) {
        let l = lines[n];
        let start = if n == 0 { l.start + bom } else { l.start };
        (start, &text[start..l.content_end])
    };
    for (n, l) in lines.iter().enumerate() {
        if l.content_end - l.start > MAX_LINE {
            return Err(error(
                n + 1,
                1,
                "dockerfile line greater than max allowed size of 65535",
            ));
        }
    }

    let mut escape = '\\';
    let mut items = Vec::new();
    let mut in_header = true;
    let mut seen_directives: Vec<String> = Vec::new();
    let mut empty_continuations = Vec::new();
    let mut n = 0;
    while n < lines.len() {
        let first = n;
        let (start, raw) = content(n);
        let trimmed = raw.trim_start();
        let lead = raw.len() - trimmed.len();
        let whole = |last: usize| Span::new(lines[first].start, lines[last].end);

        if in_header && n == 0 && trimmed.starts_with("#!") {
            // A shebang line is skipped by BuildKit's directive scanner.
            items.push(Item {
                span: whole(n),
                kind: ItemKind::Comment,
            });
            n += 1;
            continue;
        }
        if in_header {
            match directive_of(trimmed) {
                Some((key, value)) if ["syntax", "escape", "check"].contains(&key.as_str()) => {
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
                        kind: ItemKind::Directive(Directive { name: key, value }),
                    });
                    n += 1;
                    continue;
                }
                _ => in_header = false,
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
        let mut line = LogicalLine {
            text: String::new(),
            map: Vec::new(),
        };
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
        let end_of_text = lines[last].content_end;
        line.map
            .push(line.map.last().map_or(end_of_text, |&m| m + 1));

        if line.text.trim().is_empty() {
            // Only continuation characters: BuildKit reads nothing here.
            items.push(Item {
                span: whole(last),
                kind: ItemKind::Blank,
            });
            n = last + 1;
            continue;
        }

        let mut ins = instruction(line, escape).map_err(|message| error(first + 1, 1, message))?;
        ins.start_line = first + 1;

        // Heredoc bodies follow the logical line.
        if takes_heredocs(&ins) && ins.line.text.contains("<<") {
            let docs = heredocs_of(&ins.line.text).map_err(|m| error(first + 1, 1, m))?;
            for mut doc in docs {
                let body_start = lines.get(last + 1).map_or(text.len(), |l| l.start);
                let mut terminated = false;
                while last + 1 < lines.len() {
                    last += 1;
                    let l = lines[last];
                    let mut candidate = &text[l.start..l.content_end];
                    if doc.chomp {
                        candidate = candidate.trim_start_matches('\t');
                    }
                    if candidate == doc.name {
                        doc.content_span = Span::new(body_start, l.start);
                        terminated = true;
                        break;
                    }
                }
                if !terminated {
                    return Err(error(first + 1, 1, "unterminated heredoc"));
                }
                doc.content = text[doc.content_span.start..doc.content_span.end].to_string();
                ins.heredocs.push(doc);
            }
            if let Args::Onbuild(inner) = &mut ins.args {
                inner.heredocs = ins.heredocs.clone();
            }
        }
        ins.end_line = last + 1;
        if let Args::Onbuild(inner) = &mut ins.args {
            inner.start_line = ins.start_line;
            inner.end_line = ins.end_line;
        }
        items.push(Item {
            span: whole(last),
            kind: ItemKind::Instruction(ins),
        });
        n = last + 1;
    }

    if !items
        .iter()
        .any(|i| matches!(i.kind, ItemKind::Instruction(_)))
    {
        return Err(error(1, 1, "file with no instructions"));
    }
    Ok(Dockerfile::new(
        text.to_string(),
        items,
        escape,
        empty_continuations,
    ))
}

fn push_mapped(line: &mut LogicalLine, part: &str, offset: usize) {
    line.text.push_str(part);
    line.map.extend((0..part.len()).map(|i| offset + i));
}

fn takes_heredocs(ins: &Instruction) -> bool {
    match &ins.args {
        Args::Onbuild(inner) => takes_heredocs(inner),
        Args::Exec(_) => false,
        _ => ins.keyword.takes_heredocs(),
    }
}

/// Build an instruction from its logical line (BuildKit's `newNodeFromLine`).
fn instruction(line: LogicalLine, escape: char) -> Result<Instruction, String> {
    let lead = line.text.len() - line.text.trim_start().len();
    let body = line.text.trim();
    let (word, rest) = split_first(body);
    let keyword = Keyword::from_word(word);
    let keyword_span = line.span(lead, lead + word.len());
    let mut flags = Vec::new();
    let mut args = Args::None;
    if let Some((rest, rest_at)) = rest {
        let rest_at = lead + rest_at;
        let (words, args_at) = extract_flags(rest, escape);
        for w in words {
            let (name, value) = match w.text.trim_start_matches('-').split_once('=') {
                Some((n, v)) => (n.to_string(), Some(v.to_string())),
                None => (w.text.trim_start_matches('-').to_string(), None),
            };
            flags.push(Flag {
                name,
                value,
                span: line.span(rest_at + w.start, rest_at + w.end),
                text: w.text,
            });
        }
        let after = &rest[args_at..];
        let trimmed = after.trim();
        let at = rest_at + args_at + (after.len() - after.trim_start().len());
        args = arguments(keyword, trimmed, at, &line, escape)?;
    }
    Ok(Instruction {
        keyword,
        keyword_text: word.to_string(),
        keyword_span,
        line,
        flags,
        args,
        heredocs: Vec::new(),
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
                Args::Text(rest.to_string())
            }
        }
        Healthcheck => {
            let (kind, cmd) = split_first(rest);
            if kind.is_empty() {
                Args::None
            } else {
                let cmd = match cmd {
                    Some((cmd, cmd_at)) => maybe_json(cmd.trim_end(), at + cmd_at)?,
                    None => Args::None,
                };
                Args::Healthcheck {
                    kind: kind.to_string(),
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
            text: rest.to_string(),
            start: at,
        },
    })
}

/// `Some(words)` for a JSON array of strings, `None` for anything that is not
/// JSON, an error for a JSON array holding something other than strings.
fn json_array(rest: &str) -> Result<Option<Vec<String>>, String> {
    let rest = rest.trim_start();
    if !rest.starts_with('[') {
        return Ok(None);
    }
    let Ok(values) = serde_json::from_str::<Vec<serde_json::Value>>(rest) else {
        return Ok(None);
    };
    values
        .into_iter()
        .map(|v| match v {
            serde_json::Value::String(s) => Ok(s),
            _ => Err(
                "when using JSON array syntax, arrays must be comprised of strings only"
                    .to_string(),
            ),
        })
        .collect::<Result<Vec<_>, _>>()
        .map(Some)
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
            key: key.to_string(),
            value: value.to_string(),
            sep: String::new(),
        }]));
    }
    let mut pairs = Vec::new();
    for word in words {
        let Some((key, value)) = word.split_once('=') else {
            return Err(format!(
                "Syntax error - can't find = in {word:?}. Must be of the form: name=value"
            ));
        };
        pairs.push(KeyValue {
            key: key.to_string(),
            value: value.to_string(),
            sep: "=".to_string(),
        });
    }
    Ok(Args::KeyValues(pairs))
}

/// Heredoc words on an instruction line (`heredocsFromLine`): shell words
/// with quotes kept, each matching `^(\d*)<<(-?)\s*([^<]*)$`. A bare `<<`
/// followed by whitespace takes the next word as its delimiter (Dockerfile 1.16).
fn heredocs_of(line: &str) -> Result<Vec<Heredoc>, String> {
    let words = raw_shell_words(line);
    let mut docs = Vec::new();
    let mut i = 0;
    while i < words.len() {
        let word = &words[i];
        i += 1;
        let digits = word.bytes().take_while(u8::is_ascii_digit).count();
        let Some(after) = word[digits..].strip_prefix("<<") else {
            continue;
        };
        let (chomp, mut rest) = match after.strip_prefix('-') {
            Some(r) => (true, r.to_string()),
            None => (false, after.to_string()),
        };
        if rest.is_empty() && i < words.len() {
            rest = words[i].clone();
            i += 1;
        }
        if rest.is_empty() || rest.contains('<') {
            continue;
        }
        let (name, quoted) = heredoc_name(&rest)?;
        docs.push(Heredoc {
            name,
            content: String::new(),
            content_span: Span::default(),
            expand: !quoted,
            chomp,
            file_descriptor: word[..digits].parse().unwrap_or(0),
        });
    }
    Ok(docs)
}

/// Split a line into shell words keeping quotes and backslashes (BuildKit
/// lexes heredoc lines with `\` whatever the escape directive says).
fn raw_shell_words(line: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut word = String::new();
    let mut quote: Option<char> = None;
    let mut chars = line.chars();
    while let Some(c) = chars.next() {
        match quote {
            None if c.is_whitespace() => {
                if !word.is_empty() {
                    words.push(std::mem::take(&mut word));
                }
            }
            None if c == '\\' => {
                word.push(c);
                if let Some(n) = chars.next() {
                    word.push(n);
                }
            }
            None if c == '\'' || c == '"' => {
                quote = Some(c);
                word.push(c);
            }
            Some('"') if c == '\\' => {
                word.push(c);
                if let Some(n) = chars.next() {
                    word.push(n);
                }
            }
            Some(q) if c == q => {
                quote = None;
                word.push(c);
            }
            _ => word.push(c),
        }
    }
    if !word.is_empty() {
        words.push(word);
    }
    words
}

/// A heredoc delimiter with quotes removed, and whether any part was quoted.
fn heredoc_name(raw: &str) -> Result<(String, bool), String> {
    let mut name = String::new();
    let mut quoted = false;
    let mut quote: Option<char> = None;
    let mut chars = raw.chars();
    while let Some(c) = chars.next() {
        match quote {
            None if c == '\'' || c == '"' => {
                quote = Some(c);
                quoted = true;
            }
            None if c == '\\' => {
                if let Some(n) = chars.next() {
                    name.push(n);
                }
            }
            Some('"') if c == '\\' => match chars.next() {
                Some(n) if matches!(n, '"' | '\\' | '$' | '`') => name.push(n),
                Some(n) => {
                    name.push('\\');
                    name.push(n);
                }
                None => {}
            },
            Some(q) if c == q => quote = None,
            _ => name.push(c),
        }
    }
    if quote.is_some() {
        return Err(format!(
            "invalid heredoc delimiter {raw}: unbalanced quotes"
        ));
    }
    Ok((name, quoted))
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
        assert_eq!(ins[1].heredocs[0].content, "Y\n");
        assert_eq!(ins[1].heredocs[1].content, "X\n");
        assert!(!ins[2].heredocs[0].expand && ins[2].heredocs[0].chomp);
        assert_eq!(ins[2].end_line, 9);
    }

    #[test]
    fn errors_have_positions() {
        assert_eq!(parse("").unwrap_err().message, "file with no instructions");
        let e = parse("FROM a\nRUN <<EOF\nno end\n").unwrap_err();
        assert_eq!((e.line, e.message.as_str()), (2, "unterminated heredoc"));
        let e = parse("FROM a\nENV PATH\n").unwrap_err();
        assert_eq!(e.line, 2);
    }
}
