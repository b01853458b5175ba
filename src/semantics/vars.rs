//! Variable substitution as BuildKit's `shell/lex.go` does it for the
//! instructions it expands (FROM with global ARGs, USER, ENV, ...).

/// Substitute `$VAR`, `${VAR}`, `${VAR:-d}`, `${VAR-d}`, `${VAR:+x}` and
/// `${VAR+x}`. Returns `None` when a variable has no value and no default,
/// so callers can tell "unknown" from "empty".
pub fn expand(text: &str, lookup: &dyn Fn(&str) -> Option<String>) -> Option<String> {
    // Read by byte: `\\`, `$`, braces and names are ASCII, and whatever
    // else lies between them is copied a run at a time (asked of every ENV
    // value, USER, WORKDIR and FROM).
    let bytes = text.as_bytes();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    while i < bytes.len() {
        let c = bytes[i];
        if c == b'\\' && i + 1 < bytes.len() {
            // The escaped character, whatever its length, as it is.
            let next = text[i + 1..].chars().next()?;
            out.push(next);
            i += 1 + next.len_utf8();
            continue;
        }
        if c != b'$' || i + 1 >= bytes.len() {
            let run = bytes[i + 1..]
                .iter()
                .position(|&b| b == b'\\' || b == b'$')
                .map_or(bytes.len(), |n| i + 1 + n);
            out.push_str(&text[i..run]);
            i = run;
            continue;
        }
        if bytes[i + 1] == b'{' {
            let close = find_close(bytes, i + 2)?;
            out.push_str(&braced(&text[i + 2..close], lookup)?);
            i = close + 1;
        } else {
            let len = bytes[i + 1..]
                .iter()
                .take_while(|b| b.is_ascii_alphanumeric() || **b == b'_')
                .count();
            if len == 0 {
                out.push('$');
                i += 1;
                continue;
            }
            out.push_str(&lookup(&text[i + 1..i + 1 + len])?);
            i += 1 + len;
        }
    }
    Some(out)
}

/// The index of the `}` that closes a `{` opened just before `from`.
fn find_close(bytes: &[u8], from: usize) -> Option<usize> {
    let mut depth = 1;
    for (i, &c) in bytes.iter().enumerate().skip(from) {
        match c {
            b'{' => depth += 1,
            b'}' => {
                depth -= 1;
                if depth == 0 {
                    return Some(i);
                }
            }
            _ => {}
        }
    }
    None
}

fn braced(inner: &str, lookup: &dyn Fn(&str) -> Option<String>) -> Option<String> {
    let name_len = inner
        .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .unwrap_or(inner.len());
    let (name, op) = inner.split_at(name_len);
    let value = lookup(name);
    let word = |w: &str| expand(w, lookup);
    match op {
        "" => value,
        _ if op.starts_with(":-") => match value.filter(|v| !v.is_empty()) {
            Some(v) => Some(v),
            None => word(&op[2..]),
        },
        _ if op.starts_with('-') => value.or_else(|| word(&op[1..])),
        _ if op.starts_with(":+") => match value.filter(|v| !v.is_empty()) {
            Some(_) => word(&op[2..]),
            None => Some(String::new()),
        },
        _ if op.starts_with('+') => match value {
            Some(_) => word(&op[1..]),
            None => Some(String::new()),
        },
        // Pattern operators (`#`, `%`, `/`) and `?`: not needed to resolve
        // image names; treat the result as unknown.
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(k: &str) -> Option<String> {
        match k {
            "CUDA" => Some("12.1.0".into()),
            "EMPTY" => Some(String::new()),
            _ => None,
        }
    }

    /// The first version of `expand`, over a vector of chars: the byte
    /// version must agree with it on every input.
    fn expand_by_chars(text: &str, lookup: &dyn Fn(&str) -> Option<String>) -> Option<String> {
        fn find_close(chars: &[char], from: usize) -> Option<usize> {
            let mut depth = 1;
            for (i, &c) in chars.iter().enumerate().skip(from) {
                match c {
                    '{' => depth += 1,
                    '}' => {
                        depth -= 1;
                        if depth == 0 {
                            return Some(i);
                        }
                    }
                    _ => {}
                }
            }
            None
        }
        let mut out = String::new();
        let chars: Vec<char> = text.chars().collect();
        let mut i = 0;
        while i < chars.len() {
            let c = chars[i];
            if c == '\\' && i + 1 < chars.len() {
                out.push(chars[i + 1]);
                i += 2;
                continue;
            }
            if c != '$' || i + 1 >= chars.len() {
                out.push(c);
                i += 1;
                continue;
            }
            if chars[i + 1] == '{' {
                let close = find_close(&chars, i + 2)?;
                let inner: String = chars[i + 2..close].iter().collect();
                out.push_str(&braced(&inner, lookup)?);
                i = close + 1;
            } else {
                let name: String = chars[i + 1..]
                    .iter()
                    .take_while(|c| c.is_ascii_alphanumeric() || **c == '_')
                    .collect();
                if name.is_empty() {
                    out.push(c);
                    i += 1;
                    continue;
                }
                out.push_str(&lookup(&name)?);
                i += 1 + name.chars().count();
            }
        }
        Some(out)
    }

    #[test]
    fn expands_by_byte_as_by_char() {
        let pieces = [
            "$", "{", "}", "\\", "CUDA", "EMPTY", "NOPE", "_", "1", ":-", "-", ":+", "+", "é", "/",
            " ", "x", "日", "#", "%",
        ];
        for text in crate::random_texts(0x1234_5678_9abc_def1, &pieces, 10, 20_000) {
            assert_eq!(
                expand(&text, &env),
                expand_by_chars(&text, &env),
                "{text:?}"
            );
        }
    }

    #[test]
    fn substitutes_defaults_and_alternatives() {
        assert_eq!(
            expand("nvidia/cuda:${CUDA}-devel", &env).as_deref(),
            Some("nvidia/cuda:12.1.0-devel")
        );
        assert_eq!(
            expand("${NOPE:-x}-$CUDA", &env).as_deref(),
            Some("x-12.1.0")
        );
        assert_eq!(expand("${EMPTY:-d}${EMPTY-e}", &env).as_deref(), Some("d"));
        assert_eq!(expand("${CUDA:+set}", &env).as_deref(), Some("set"));
        assert_eq!(expand("$NOPE", &env), None);
        assert_eq!(expand("a\\$b", &env).as_deref(), Some("a$b"));
        assert_eq!(
            expand("plain /é value", &env).as_deref(),
            Some("plain /é value")
        );
        assert_eq!(expand("", &env).as_deref(), Some(""));
    }
}
