//! Two views of a parse for tools and tests: BuildKit's own AST dump
//! (`Node.Dump`, the format of its parser fixtures) and the JSON that
//! `dflint parse` prints.

use serde_json::{json, Value};

use super::ast::*;

/// The argument words as BuildKit's AST holds them (`Node.Next` values).
pub fn buildkit_values(ins: &Instruction) -> Vec<String> {
    match &ins.args {
        Args::None | Args::Onbuild(_) => Vec::new(),
        Args::Exec(w) | Args::Words(w) => w.iter().map(|w| w.to_string()).collect(),
        Args::Shell { .. } => vec![shell_of(ins)],
        Args::Text(text) => vec![text.to_string()],
        Args::KeyValues(kv) => kv
            .iter()
            .flat_map(|p| [p.key.to_string(), p.value.to_string(), p.sep.to_string()])
            .collect(),
        Args::Healthcheck { kind, cmd } => {
            let mut v = vec![kind.to_string()];
            match cmd.as_ref() {
                Args::Exec(w) => v.extend(w.iter().map(|w| w.to_string())),
                Args::Shell { .. } => v.push(shell_of(ins)),
                _ => {}
            }
            v
        }
    }
}

/// The shell-form command of an instruction (or of its HEALTHCHECK).
fn shell_of(ins: &Instruction) -> String {
    ins.shell_text()
        .map_or_else(String::new, |(t, _)| t.to_string())
}

/// Go's `strconv.Quote`.
fn go_quote(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            '\u{7}' => out.push_str("\\a"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            '\u{b}' => out.push_str("\\v"),
            c if (c as u32) < 0x20 || c as u32 == 0x7f => {
                out.push_str(&format!("\\x{:02x}", c as u32))
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// One instruction in BuildKit's `Node.Dump` format, e.g.
/// `(copy ["--from=a"] "src" "/dst")`.
pub fn buildkit_dump(ins: &Instruction) -> String {
    let mut s = ins.keyword_text().to_lowercase();
    if !ins.flags.is_empty() {
        let flags: Vec<String> = ins.flags.iter().map(|f| go_quote(&f.text)).collect();
        s.push_str(&format!(" [{}]", flags.join(" ")));
    }
    if let Args::Onbuild(inner) = &ins.args {
        s.push_str(&format!(" {}", buildkit_dump(inner)));
    }
    for v in buildkit_values(ins) {
        s.push(' ');
        s.push_str(&go_quote(&v));
    }
    format!("({})", s.trim())
}

fn args_json<'a>(ins: &'a Instruction, args: &'a Args) -> (&'static str, Value) {
    match args {
        Args::None => ("none", Value::Null),
        Args::Exec(w) => ("exec", json!(w)),
        Args::Shell { start, end } => (
            "shell",
            json!(ins.line.text.get(*start..*end).unwrap_or("")),
        ),
        Args::Words(w) => ("words", json!(w)),
        Args::KeyValues(kv) => ("pairs", json!(kv)),
        Args::Text(t) => ("text", json!(t)),
        Args::Healthcheck { cmd, .. } => args_json(ins, cmd),
        Args::Onbuild(_) => ("onbuild", Value::Null),
    }
}

/// One instruction as `dflint parse` prints it.
pub fn instruction_json(df: &Dockerfile, ins: &Instruction) -> Value {
    let (form, args) = args_json(ins, &ins.args);
    let (line, column) = df.line_col(ins.keyword_span().start);
    let mut obj = json!({
        "keyword": ins.keyword_text().to_lowercase(),
        "line": line,
        "column": column,
        "end_line": ins.end_line(),
        "flags": ins.flags.iter().map(|f| json!({"name": f.name(), "value": f.value()})).collect::<Vec<_>>(),
        "form": form,
        "args": args,
    });
    if let Args::Healthcheck { kind, .. } = &ins.args {
        obj["kind"] = json!(kind);
    }
    if let Args::Onbuild(inner) = &ins.args {
        obj["trigger"] = instruction_json(df, inner);
    }
    if !ins.heredocs.is_empty() {
        obj["heredocs"] = json!(ins
            .heredocs
            .iter()
            .map(|h| json!({
                "name": h.name,
                "content": h.content(&df.text),
                "expand": h.expand,
                "chomp": h.chomp,
                "file_descriptor": h.file_descriptor,
            }))
            .collect::<Vec<_>>());
    }
    obj
}

/// The whole file as `dflint parse` prints it: an array of instructions.
pub fn parse_json(df: &Dockerfile) -> Value {
    Value::Array(
        df.instructions()
            .map(|(_, ins)| instruction_json(df, ins))
            .collect(),
    )
}
