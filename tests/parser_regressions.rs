//! Inputs on which dflint's parser once disagreed with BuildKit's, each with
//! what BuildKit makes of it. "The oracle" is BuildKit v0.12.5's parser
//! (`../shared/tools/buildkit_parse.py`); where it differs from current
//! BuildKit, the test follows current BuildKit and says so.

use dflint::syntax::{self, validate, Args, Dockerfile, Instruction, ItemKind, Keyword};

fn parse(text: &str) -> Dockerfile {
    let df = syntax::parse(text).unwrap_or_else(|e| panic!("{text:?}: {e}"));
    let joined: String = df.items.iter().map(|i| df.slice(i.span)).collect();
    assert_eq!(joined, text, "items do not give the file back");
    df
}

fn instructions(df: &Dockerfile) -> Vec<&Instruction> {
    df.instructions().map(|(_, i)| i).collect()
}

/// `(keyword as written, start line, end line)` of every instruction.
fn outline(df: &Dockerfile) -> Vec<(String, usize, usize)> {
    instructions(df)
        .iter()
        .map(|i| (i.keyword_text().to_string(), i.start_line(), i.end_line()))
        .collect()
}

fn heredoc_names(ins: &Instruction) -> Vec<&str> {
    ins.heredocs.iter().map(|h| h.name.as_str()).collect()
}

fn shell(ins: &Instruction) -> &str {
    ins.shell_text().map(|(t, _)| t).unwrap_or("")
}

fn error_of(text: &str) -> String {
    syntax::parse(text).map(|_| ()).unwrap_err().message
}

fn outl(items: &[(&str, usize, usize)]) -> Vec<(String, usize, usize)> {
    items
        .iter()
        .map(|&(k, s, e)| (k.to_string(), s, e))
        .collect()
}

// 1. Whitespace after `<<-`, and empty delimiters.

#[test]
fn whitespace_after_chomp_dash_is_no_heredoc() {
    // The lexer keeps blanks only right after `<<`, so `<<- EOF` is the two
    // words `<<-` and `EOF`, and `<<-` alone names nothing: the body lines
    // are instructions.
    let df = parse("FROM a\nRUN <<- EOF\nx\nEOF\n");
    assert_eq!(
        outline(&df),
        outl(&[("FROM", 1, 1), ("RUN", 2, 2), ("x", 3, 3), ("EOF", 4, 4)])
    );
    let ins = instructions(&df);
    assert!(ins[1].heredocs.is_empty());
    assert_eq!(shell(ins[1]), "<<- EOF");
    assert_eq!(ins[2].keyword, Keyword::Unknown);
}

#[test]
fn whitespace_after_bare_heredoc_marker_is_a_heredoc() {
    // Current BuildKit (Dockerfile 1.16, BuildKit v0.22): `<< EOF` and
    // `<<\tEOF` are heredocs, and `<< -EOF` names `-EOF` without chomping.
    // The oracle (v0.12.5) predates this and reads none of them as heredocs.
    let df = parse("FROM a\nRUN << EOF\nx\nEOF\nRUN <<\tE2\ny\nE2\nRUN << -EOF\n\t-EOF\n-EOF\n");
    let ins = instructions(&df);
    assert_eq!(ins.len(), 4);
    assert_eq!(heredoc_names(ins[1]), ["EOF"]);
    assert_eq!(ins[1].heredocs[0].content(&df.text), "x\n");
    assert_eq!(heredoc_names(ins[2]), ["E2"]);
    assert_eq!(heredoc_names(ins[3]), ["-EOF"]);
    assert!(!ins[3].heredocs[0].chomp);
    assert_eq!(ins[3].heredocs[0].content(&df.text), "\t-EOF\n");
    // A vertical tab is not one of the blanks `<<` keeps.
    let df = parse("FROM a\nRUN <<\x0bEOF\n");
    assert!(instructions(&df)[1].heredocs.is_empty());
}

#[test]
fn empty_delimiter_is_no_heredoc() {
    // `<<""` and `<<''` lex to no word at all, so they name no heredoc.
    for text in [
        "FROM a\nRUN <<\"\"\nx\n\n",
        "FROM a\nRUN <<''\nx\n\n",
        "FROM a\nCOPY <<\"\" /dst\nx\n",
    ] {
        let df = parse(text);
        let ins = instructions(&df);
        assert_eq!(ins.len(), 3, "{text:?}");
        assert!(ins[1].heredocs.is_empty(), "{text:?}");
        assert_eq!(ins[2].keyword_text(), "x");
    }
}

// 2. A line the shell lexer fails on has no heredocs.

#[test]
fn lexing_error_on_the_line_means_no_heredocs() {
    // `heredocsFromLine` ignores the lexer's error and gets no words: the
    // body lines become instructions, and nothing is unterminated.
    for line in [
        "RUN <<EOF 'unbalanced",
        "RUN <<EOF \"unbalanced",
        "RUN <<EOF ${",
        "RUN <<EOF ${}",
        "RUN <<EOF ${a b}",
        "RUN <<EOF ${a:#x}",
        "RUN <<'EOF",
        "COPY <<EOF \"/a b /dst",
    ] {
        let text = format!("FROM a\n{line}\nhi\nEOF\n");
        let df = parse(&text);
        assert_eq!(
            outline(&df),
            outl(&[
                ("FROM", 1, 1),
                (line.split(' ').next().unwrap(), 2, 2),
                ("hi", 3, 3),
                ("EOF", 4, 4)
            ]),
            "{line}"
        );
        assert!(instructions(&df)[1].heredocs.is_empty(), "{line}");
    }
}

#[test]
fn substitutions_the_lexer_accepts_keep_the_heredocs() {
    // `${a:-x}`, `${a:x}` and (since BuildKit v0.13) `${a#x}`, `${a%x}` and
    // `${a/x/y}` lex fine. The oracle (v0.12.5) rejects the last three and
    // so finds no heredoc on those lines.
    for line in [
        "RUN <<EOF ${a:-x}",
        "RUN <<EOF ${a:x}",
        "RUN <<EOF ${a-x}",
        "RUN <<EOF ${a#x}",
        "RUN <<EOF ${a%%x}",
        "RUN <<EOF ${a//x/y}",
        "RUN <<EOF $${",
    ] {
        let text = format!("FROM a\n{line}\nhi\nEOF\n");
        let df = parse(&text);
        let ins = instructions(&df);
        assert_eq!(ins.len(), 2, "{line}");
        assert_eq!(heredoc_names(ins[1]), ["EOF"], "{line}");
        assert_eq!(ins[1].heredocs[0].content(&df.text), "hi\n");
    }
}

#[test]
fn heredoc_names_are_lexed_as_buildkit_lexes_them() {
    // In double quotes a backslash escapes only `"`, `$` and itself.
    let df = parse("FROM a\nRUN <<EO\"F\\a\"\nhi\nEO\\aF\nEOF\\a\n");
    let ins = instructions(&df);
    assert_eq!(heredoc_names(ins[1]), ["EOF\\a"]);
    assert_eq!(ins[1].heredocs[0].content(&df.text), "hi\nEO\\aF\n");
    assert!(!ins[1].heredocs[0].expand);
    // A file descriptor too large for Go's ParseUint saturates; here, u32's.
    let df = parse("FROM a\nRUN 99999999999<<EOF\nEOF\n");
    assert_eq!(instructions(&df)[1].heredocs[0].file_descriptor, u32::MAX);
}

// 3. A `#!` first line.

#[test]
fn shebang_ends_the_escape_directive_header() {
    // `parser.Parse` reads `#!/bin/sh` as a comment that is not a directive,
    // which ends its directive header: `# escape=` after it is a comment and
    // `\` stays the escape character. The oracle agrees.
    let df = parse("#!/bin/sh\n# escape=`\nFROM a\nRUN a `\n b\n");
    assert_eq!(df.escape, '\\');
    assert_eq!(
        outline(&df),
        outl(&[("FROM", 3, 3), ("RUN", 4, 4), ("b", 5, 5)])
    );
    assert_eq!(shell(instructions(&df)[1]), "a `");
    assert!(df.directive("escape").is_none());
    // Nothing after the shebang is a directive to `Parse`: neither an invalid
    // escape token nor a repeated directive is an error.
    parse("#!/bin/sh\n# escape=x\nFROM a\n");
    parse("#!/bin/sh\n# escape=\\\n# escape=\\\nFROM a\n");
}

#[test]
fn shebang_is_skipped_when_reading_syntax_and_check() {
    // `DetectSyntax` and `ParseDirective("check")` skip a `#!` first line and
    // go on reading `# key=value` lines (BuildKit's directives_test.go).
    let df = parse("#!/bin/sh\n# syntax=docker/dockerfile:1\n# check=skip=all\nFROM a\n");
    assert_eq!(
        df.directive("syntax").map(|d| d.value.as_str()),
        Some("docker/dockerfile:1")
    );
    assert_eq!(
        df.directive("check").map(|d| d.value.as_str()),
        Some("skip=all")
    );
    // Their scanner stops at a blank line, and at a repeated directive
    // (keeping the first, without an error).
    let df = parse("#!/bin/sh\n\n# syntax=x\nFROM a\n");
    assert!(df.directive("syntax").is_none());
    let df = parse("#!/bin/sh\n# syntax=a\n# syntax=b\nFROM a\n");
    assert_eq!(df.directive("syntax").map(|d| d.value.as_str()), Some("a"));
    // A shebang is `#!` at the very start of the file (after a BOM).
    let df = parse("\u{feff}#!/bin/sh\n# syntax=x\nFROM a\n");
    assert_eq!(df.directive("syntax").map(|d| d.value.as_str()), Some("x"));
    let df = parse("  #!/bin/sh\n# syntax=x\nFROM a\n");
    assert!(df.directive("syntax").is_none());
}

// 4. Escape directives with blank or Unicode-blank values.

#[test]
fn blank_escape_directive_is_a_comment() {
    // `# escape=` does not match the directive regex (the value needs a
    // character): a plain comment, which ends the header.
    let df = parse("# escape=\nFROM a\nRUN a \\\n b\n");
    assert!(matches!(df.items[0].kind, ItemKind::Comment));
    assert_eq!(df.escape, '\\');
    assert_eq!(shell(instructions(&df)[1]), "a  b");
}

#[test]
fn escape_directive_values_are_cut_by_ascii_blanks_only() {
    // The regex's `\s` is ASCII without `\v`: a value followed by a no-break
    // space or a vertical tab keeps it and is an invalid token (BuildKit and
    // the oracle both fail; `invalid escape token '`\u00a0' ...`).
    assert_eq!(
        error_of("# escape=`\u{a0}\nFROM a\n"),
        "invalid escape token '`\u{a0}' does not match ` or \\"
    );
    assert_eq!(
        error_of("# escape=`\x0b\nFROM a\n"),
        "invalid escape token '`\x0b' does not match ` or \\"
    );
    // Only blanks after `=`: the lazy `(.+?)` takes the last one.
    assert_eq!(
        error_of("# escape=   \nFROM a\n"),
        "invalid escape token ' ' does not match ` or \\"
    );
    // Trailing ASCII blanks are not part of the value.
    let df = parse("# escape=` \t\r\nFROM a\n");
    assert_eq!(df.escape, '`');
    // Nor is a no-break space a blank between `#` and the key: a comment.
    let df = parse("#\u{a0}escape=`\nFROM a\nRUN a `\n b\n");
    assert_eq!(df.escape, '\\');
    assert_eq!(
        outline(&df),
        outl(&[("FROM", 2, 2), ("RUN", 3, 3), ("b", 4, 4)])
    );
}

// 5. Lines holding only the escape character.

#[test]
fn escape_character_alone_at_the_end_is_an_empty_instruction() {
    // The continuation joins nothing, and BuildKit still makes a node of the
    // empty line: an instruction with an empty keyword, rejected later as
    // "unknown instruction: ".
    let df = parse("FROM a\n\\");
    assert_eq!(outline(&df), outl(&[("FROM", 1, 1), ("", 2, 2)]));
    let empty = instructions(&df)[1];
    assert_eq!(empty.keyword, Keyword::Unknown);
    assert!(matches!(empty.args, Args::None));
    assert_eq!(
        validate::validate(&df).unwrap_err().message,
        "unknown instruction: "
    );

    let df = parse("FROM a\nRUN x\n  \\  ");
    assert_eq!(
        outline(&df),
        outl(&[("FROM", 1, 1), ("RUN", 2, 2), ("", 3, 3)])
    );
    // Comment and blank lines after it belong to it.
    let df = parse("FROM a\n\\\n# c\n\n");
    assert_eq!(outline(&df), outl(&[("FROM", 1, 1), ("", 2, 4)]));
    assert_eq!(df.empty_continuation_lines, vec![4]);
    // A continuation that goes on to text is an ordinary instruction.
    let df = parse("FROM a\n\\\nRUN x\n");
    assert_eq!(outline(&df), outl(&[("FROM", 1, 1), ("RUN", 2, 3)]));
    // With the backtick escape, `\` alone is a keyword of its own.
    let df = parse("# escape=`\nFROM a\n\\\n");
    assert_eq!(outline(&df), outl(&[("FROM", 2, 2), ("\\", 3, 3)]));
    let df = parse("# escape=`\nFROM a\n`\n");
    assert_eq!(outline(&df), outl(&[("FROM", 2, 2), ("", 3, 3)]));
}

// 6. JSON as Go decodes it.

fn exec_args(text: &str) -> Option<Vec<String>> {
    let df = parse(text);
    let ins = instructions(&df);
    match &ins.last()?.args {
        Args::Exec(w) => Some(w.iter().map(|w| w.to_string()).collect()),
        _ => None,
    }
}

#[test]
fn lone_surrogate_escapes_become_replacement_characters() {
    // Go's encoding/json replaces an invalid surrogate with U+FFFD (the
    // oracle agrees); serde_json fails, which used to make these shell form.
    assert_eq!(
        exec_args("FROM a\nCMD [\"\\ud800\"]\n"),
        Some(vec!["\u{fffd}".to_string()])
    );
    assert_eq!(
        exec_args("FROM a\nCMD [\"\\udc00x\", \"\\ud83d\\ude00\", \"\\ud800\\u0041\"]\n"),
        Some(vec![
            "\u{fffd}x".to_string(),
            "\u{1f600}".to_string(),
            "\u{fffd}A".to_string()
        ])
    );
    // Two high surrogates: each is replaced.
    assert_eq!(
        exec_args("FROM a\nENTRYPOINT [\"\\ud800\\ud800\"]\n"),
        Some(vec!["\u{fffd}\u{fffd}".to_string()])
    );
}

#[test]
fn json_that_go_rejects_falls_back_to_shell_form() {
    for text in [
        // A number out of float64's range is an Unmarshal error.
        "FROM a\nCMD [\"a\", 1e400]\n",
        "FROM a\nCMD [\"a\", {\"b\": [1e999]}]\n",
        // Current BuildKit (Dockerfile 1.9+) reads the whole text; the
        // oracle decodes `["a"]` and drops the rest.
        "FROM a\nCMD [\"a\"] trailing\n",
        // Not JSON.
        "FROM a\nCMD ['a']\n",
        "FROM a\nCMD [\"a\",]\n",
        "FROM a\nCMD [\"\\x41\"]\n",
        "FROM a\nCMD [01]\n",
    ] {
        let df = parse(text);
        let last = *instructions(&df).last().unwrap();
        assert!(matches!(last.args, Args::Shell { .. }), "{text:?}");
    }
    // Valid JSON with something other than strings is an error.
    assert_eq!(
        error_of("FROM a\nCMD [\"a\", 1]\n"),
        "when using JSON array syntax, arrays must be comprised of strings only"
    );
    // Go nests 10000 levels deep (serde_json stops at 128).
    let deep = format!(
        "FROM a\nCMD [\"a\", {}{}]\n",
        "[".repeat(300),
        "]".repeat(300)
    );
    assert_eq!(
        error_of(&deep),
        "when using JSON array syntax, arrays must be comprised of strings only"
    );
    let too_deep = format!(
        "FROM a\nCMD [\"a\", {}{}]\n",
        "[".repeat(10000),
        "]".repeat(10000)
    );
    assert!(matches!(
        instructions(&parse(&too_deep))[1].args,
        Args::Shell { .. }
    ));
}

// 7. ONBUILD and heredocs.

#[test]
fn onbuild_onbuild_takes_no_heredoc() {
    // `canContainHeredoc` looks through one ONBUILD only: the body lines of
    // `ONBUILD ONBUILD RUN <<EOF` are instructions (the oracle agrees).
    let df = parse("FROM a\nONBUILD ONBUILD RUN <<EOF\nx\nEOF\n");
    assert_eq!(
        outline(&df),
        outl(&[
            ("FROM", 1, 1),
            ("ONBUILD", 2, 2),
            ("x", 3, 3),
            ("EOF", 4, 4)
        ])
    );
    assert!(instructions(&df)[1].heredocs.is_empty());
}

#[test]
fn onbuild_triggers_take_heredocs() {
    let df = parse("FROM a\nONBUILD RUN <<EOF\nx\nEOF\nONBUILD COPY <<A <<B /d\na\nA\nb\nB\n");
    let ins = instructions(&df);
    assert_eq!(
        outline(&df),
        outl(&[("FROM", 1, 1), ("ONBUILD", 2, 4), ("ONBUILD", 5, 9)])
    );
    assert_eq!(heredoc_names(ins[1]), ["EOF"]);
    assert_eq!(heredoc_names(ins[2]), ["A", "B"]);
    let Args::Onbuild(trigger) = &ins[2].args else {
        panic!("no trigger");
    };
    assert_eq!(trigger.keyword, Keyword::Copy);
    assert_eq!(heredoc_names(trigger), ["A", "B"]);
    assert_eq!((trigger.start_line(), trigger.end_line()), (5, 9));
    // Exec form and other instructions take none.
    let df = parse("FROM a\nONBUILD RUN [\"<<EOF\"]\nONBUILD USER <<EOF\n");
    assert_eq!(instructions(&df).len(), 3);
    assert!(instructions(&df).iter().all(|i| i.heredocs.is_empty()));
}

// Found by the differential script and by reading BuildKit's parser.

#[test]
fn flags_escape_with_backslash_whatever_the_directive() {
    // `splitCommand` never sees the escape directive.
    let df = parse("# escape=`\nFROM a\nRUN --mount=a\\ b x\n");
    let run = instructions(&df)[1];
    assert_eq!(run.flags[0].text, "--mount=a b");
    assert_eq!(shell(run), "x");
}

#[test]
fn flags_read_bytes_as_latin1() {
    // `extractBuilderFlags` appends each byte as a rune: `é` (C3 A9) comes
    // out as `Ã©`, and the byte A0 of `à` (C3 A0) is a space to it.
    let df = parse("FROM a\nRUN --mount=target=/caf\u{e9} x\n");
    let run = instructions(&df)[1];
    assert_eq!(run.flags[0].text, "--mount=target=/caf\u{c3}\u{a9}");
    assert_eq!(shell(run), "x");
    let df = parse("FROM a\nRUN --mount=a\u{e0}b x\n");
    let run = instructions(&df)[1];
    assert_eq!(run.flags[0].text, "--mount=a\u{c3}");
    assert_eq!(shell(run), "b x");
    assert_eq!(df.slice(run.flags[0].span), "--mount=a\u{e0}");
}

#[test]
fn line_limit_counts_the_carriage_return() {
    // bufio.Scanner must hold the line with its `\n`: 65535 bytes and `\r\n`
    // is one byte too many.
    let line = "a".repeat(65531);
    assert!(syntax::parse(&format!("FROM a\nRUN {line}\n")).is_ok());
    assert_eq!(
        error_of(&format!("FROM a\nRUN {line}\r\n")),
        "dockerfile line greater than max allowed size of 65535"
    );
}

#[test]
fn keywords_fold_as_go_lowercases() {
    // Go's strings.ToLower maps U+212A (Kelvin sign) to `k` and U+0130 to
    // `i`, so these dispatch as WORKDIR and ONBUILD.
    let df = parse("FROM a\nWOR\u{212a}DIR /x\nONBU\u{130}LD RUN <<EOF\nx\nEOF\n");
    let ins = instructions(&df);
    assert_eq!(ins[1].keyword, Keyword::Workdir);
    assert_eq!(ins[2].keyword, Keyword::Onbuild);
    assert_eq!(heredoc_names(ins[2]), ["EOF"]);
}

#[test]
fn healthcheck_type_ends_at_bytes_go_reads_as_spaces() {
    // `parseHealthConfig` also walks bytes: the A0 of `à` ends the type word,
    // leaving half a character, which is no known type.
    let df = parse("FROM a\nHEALTHCHECK CMD\u{e0} x\n");
    let hc = instructions(&df)[1];
    let Args::Healthcheck { kind, cmd } = &hc.args else {
        panic!("not a healthcheck");
    };
    assert_eq!(kind, "CMD\u{fffd}");
    assert!(matches!(cmd.as_ref(), Args::Shell { .. }));
    assert_eq!(hc.shell_text().map(|(text, _)| text), Some("x"));
    assert!(validate::validate(&df).is_err());
}
