//! The checks of BuildKit's instructions layer that fail `docker build`
//! before anything runs: unknown instructions and flags, argument counts,
//! instructions before the first FROM, bad ONBUILD triggers.

use super::ast::*;
use super::parser::ParseError;

/// The flags an instruction accepts; `None` when BuildKit ignores flags on it.
fn allowed_flags(ins: &Instruction) -> Option<&'static [&'static str]> {
    use Keyword::*;
    Some(match ins.keyword {
        From => &["platform"],
        Run => &["mount", "network", "security", "device"],
        Copy => &["from", "chown", "chmod", "link", "parents", "exclude"],
        Add => &[
            "chown",
            "chmod",
            "link",
            "keep-git-dir",
            "checksum",
            "unpack",
            "exclude",
        ],
        Healthcheck => match &ins.args {
            Args::Healthcheck { kind, .. } if kind.eq_ignore_ascii_case("cmd") => &[
                "interval",
                "timeout",
                "start-period",
                "start-interval",
                "retries",
            ],
            _ => return None,
        },
        Arg | Stopsignal => return None,
        _ => &[],
    })
}

/// The first instruction-layer error in the file, if any.
pub fn validate(df: &Dockerfile) -> Result<(), ParseError> {
    match errors(df).into_iter().next() {
        Some(e) => Err(e),
        None => Ok(()),
    }
}

/// Every instruction-layer error in the file, in file order: BuildKit stops
/// at the first, but a person fixing the file wants them all at once.
pub fn errors(df: &Dockerfile) -> Vec<ParseError> {
    let mut out = Vec::new();
    let mut seen_from = false;
    for (_, ins) in df.instructions() {
        let mut at = |span: Span, message: String| {
            let (line, column) = df.line_col(span.start);
            out.push(ParseError {
                line,
                column,
                message,
            });
        };
        if ins.keyword == Keyword::Unknown {
            at(
                ins.keyword_span(),
                format!("unknown instruction: {}", ins.keyword_text()),
            );
            continue;
        }
        if ins.keyword == Keyword::From {
            seen_from = true;
        } else if ins.keyword != Keyword::Arg && !seen_from {
            at(
                ins.keyword_span(),
                format!(
                    "no build stage in current context: {} comes before the first FROM",
                    ins.keyword_text().to_uppercase()
                ),
            );
            continue;
        }
        if let Err((span, message)) = check_instruction(ins) {
            at(span, message);
        }
    }
    out
}

fn check_instruction(ins: &Instruction) -> Result<(), (Span, String)> {
    use Keyword::*;
    let name = ins.keyword_text().to_uppercase();
    let here = ins.keyword_span();
    if let Some(allowed) = allowed_flags(ins) {
        for flag in &ins.flags {
            if !allowed.contains(&flag.name().to_ascii_lowercase().as_str()) {
                return Err((flag.span, format!("unknown flag: --{}", flag.name())));
            }
        }
    }
    let count = match &ins.args {
        Args::None => 0,
        Args::Words(w) | Args::Exec(w) => w.len(),
        Args::KeyValues(kv) => kv.len(),
        _ => 1,
    };
    match ins.keyword {
        From => {
            let words = ins.words();
            let ok = words.len() == 1 || (words.len() == 3 && words[1].eq_ignore_ascii_case("as"));
            if !ok {
                return Err((here, "FROM requires either one or three arguments".into()));
            }
            if let Some(stage) = words.get(2) {
                let stage = stage.to_ascii_lowercase();
                let valid = stage.starts_with(|c: char| c.is_ascii_lowercase())
                    && stage
                        .chars()
                        .all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c));
                if !valid {
                    return Err((
                        here,
                        format!("invalid name for build stage: {stage:?}, name can't start with a number or contain symbols"),
                    ));
                }
            }
        }
        Copy | Add if count < 2 => {
            return Err((
                here,
                format!("{name} requires at least two arguments, but only {count} provided"),
            ))
        }
        Copy => {
            if let Some(from) = ins.flag("from") {
                if from.value().unwrap_or("").contains('$') {
                    return Err((
                        from.span,
                        "variable expansion is not supported for --from".into(),
                    ));
                }
            }
        }
        Env | Label | Arg | Expose | Volume | User | Workdir | Stopsignal | Maintainer | Run
            if count == 0 && ins.heredocs.is_empty() =>
        {
            return Err((here, format!("{name} requires at least one argument")));
        }
        Shell if !matches!(ins.args, Args::Exec(ref w) if !w.is_empty()) => {
            return Err((
                here,
                "SHELL requires the arguments to be in JSON form".into(),
            ));
        }
        Healthcheck => {
            if let Args::Healthcheck { kind, cmd } = &ins.args {
                let kind_up = kind.to_ascii_uppercase();
                match kind_up.as_str() {
                    "NONE" if !matches!(**cmd, Args::None) => {
                        return Err((here, "HEALTHCHECK NONE takes no arguments".into()))
                    }
                    "CMD" if matches!(**cmd, Args::None) => {
                        return Err((here, "Missing command after HEALTHCHECK CMD".into()))
                    }
                    "NONE" | "CMD" => {}
                    _ => {
                        return Err((
                            here,
                            format!("Unknown type {kind_up:?} in HEALTHCHECK (try CMD)"),
                        ))
                    }
                }
            } else {
                return Err((here, "HEALTHCHECK requires an argument".into()));
            }
        }
        Onbuild => match &ins.args {
            Args::Onbuild(inner) => {
                if matches!(inner.keyword, From | Onbuild | Maintainer) {
                    return Err((
                        inner.keyword_span(),
                        format!(
                            "{} isn't allowed as an ONBUILD trigger",
                            inner.keyword_text().to_uppercase()
                        ),
                    ));
                }
                if inner.keyword == Unknown {
                    return Err((
                        inner.keyword_span(),
                        format!("unknown instruction: {}", inner.keyword_text()),
                    ));
                }
                check_instruction(inner)?;
            }
            _ => return Err((here, "ONBUILD requires at least one argument".into())),
        },
        _ => {}
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::syntax::parse;

    fn err(text: &str) -> String {
        let df = parse(text).unwrap();
        let e = validate(&df).unwrap_err();
        format!("{}:{}: {}", e.line, e.column, e.message)
    }

    #[test]
    fn instruction_layer_errors() {
        assert_eq!(err("FROM a\nFOO bar\n"), "2:1: unknown instruction: FOO");
        assert_eq!(
            err("RUN x\nFROM a\n"),
            "1:1: no build stage in current context: RUN comes before the first FROM"
        );
        assert_eq!(
            err("FROM a\nCOPY --form=b x y\n"),
            "2:6: unknown flag: --form"
        );
        assert_eq!(
            err("FROM a\nONBUILD FROM b\n"),
            "2:9: FROM isn't allowed as an ONBUILD trigger"
        );
        assert!(validate(
            &parse("ARG X=1\nFROM a:$X AS b\nRUN --mount=type=cache,target=/x y\n").unwrap()
        )
        .is_ok());
    }
}
