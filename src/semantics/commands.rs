//! Recognising the commands the rules ask about, whatever prefix or
//! spelling they use: `pip`, `pip3`, `python3.11 -m pip`, `/opt/venv/bin/pip`,
//! `$VENV/bin/pip`, `uv pip`, `apt-get`/`apt`, behind `sudo`, `env VAR=1`,
//! `VAR=1`, `exec`, `time`, `nohup` or `command`.

use std::borrow::Cow;

use super::{mount_targets, Context, Script};
use crate::syntax::shell::{Command, Word};
use crate::syntax::{narrow, Instruction, Span};

/// A command with its prefixes removed.
#[derive(Debug, Clone)]
pub struct Resolved<'a> {
    /// `VAR=value` assignments in front of the program (also via `env`).
    pub env: Vec<(&'a str, &'a str)>,
    /// The program and its arguments.
    pub words: &'a [Word],
}

impl<'a> Resolved<'a> {
    /// The program's file name, without its directory.
    pub fn program(&self) -> &'a str {
        self.words.first().map(|w| basename(&w.text)).unwrap_or("")
    }

    pub fn env_value(&self, name: &str) -> Option<&str> {
        self.env
            .iter()
            .rev()
            .find(|(k, _)| *k == name)
            .map(|(_, v)| *v)
    }
}

/// A path's last part (`/opt/venv/bin/pip` -> `pip`), found with a byte
/// search: every rule asks for the program of every command.
pub fn basename(path: &str) -> &str {
    match path.bytes().rposition(|b| b == b'/') {
        Some(i) => &path[i + 1..],
        None => path,
    }
}

/// Whether a word is a `NAME=value` assignment in front of a command.
pub fn is_assignment_word(word: &str) -> bool {
    is_assignment(word).is_some()
}

fn is_assignment(word: &str) -> Option<(&str, &str)> {
    let (name, value) = word.split_once('=')?;
    let valid = !name.is_empty()
        && !name.starts_with(|c: char| c.is_ascii_digit())
        && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
    valid.then_some((name, value))
}

/// Strip `sudo`, `env`, assignments and other transparent prefixes.
pub fn resolve(cmd: &Command) -> Resolved<'_> {
    let (skip, assigns) = *cmd.prefix.get_or_init(|| {
        let r = scan_prefix(&cmd.words);
        (narrow(cmd.words.len() - r.words.len()), !r.env.is_empty())
    });
    let skip = skip as usize;
    if assigns {
        return scan_prefix(&cmd.words);
    }
    Resolved {
        env: Vec::new(),
        words: &cmd.words[skip..],
    }
}

fn scan_prefix(words: &[Word]) -> Resolved<'_> {
    let mut env = Vec::new();
    let mut i = 0;
    while i < words.len() {
        let w = words[i].text.as_str();
        if let Some(pair) = is_assignment(w) {
            env.push(pair);
            i += 1;
            continue;
        }
        match w {
            "sudo" | "env" | "exec" | "time" | "nohup" | "command" | "nice" => {
                let takes_value: &[&str] = match w {
                    "sudo" => &["-u", "-g", "-C", "-h", "-p", "-U"],
                    "env" => &["-u", "-C", "-S"],
                    "nice" => &["-n"],
                    _ => &[],
                };
                i += 1;
                while i < words.len() && words[i].text.starts_with('-') {
                    if takes_value.contains(&words[i].text.as_str()) {
                        i += 1;
                    }
                    i += 1;
                }
            }
            _ => break,
        }
    }
    Resolved {
        env,
        words: &words[i.min(words.len())..],
    }
}

fn is_pip(program: &str) -> bool {
    program
        .strip_prefix("pip")
        .is_some_and(|v| v.chars().all(|c| c.is_ascii_digit() || c == '.'))
}

fn is_python(program: &str) -> bool {
    program == "py"
        || program
            .strip_prefix("python")
            .is_some_and(|v| v.chars().all(|c| c.is_ascii_digit() || c == '.'))
}

/// Which installer a package install uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Installer {
    Pip,
    Uv,
}

/// A `pip install` or `uv pip install`-like command.
#[derive(Debug, Clone)]
pub struct PackageInstall<'a> {
    pub installer: Installer,
    pub resolved: Resolved<'a>,
    /// The words after the subcommand (`install`, `sync`, ...).
    pub args: &'a [Word],
    /// Options given before the subcommand (`pip --no-cache-dir install`).
    pub global_options: &'a [Word],
}

impl<'a> PackageInstall<'a> {
    /// Whether an option is given, as `--opt` or `--opt=value`.
    pub fn has_option(&self, name: &str) -> bool {
        self.args
            .iter()
            .chain(self.global_options)
            .any(|w| w.text == name || option_with_value(&w.text, name).is_some())
    }

    /// The value of `--opt value` or `--opt=value`.
    pub fn option_value(&self, name: &str) -> Option<&str> {
        let mut all = self.global_options.iter().chain(self.args);
        while let Some(w) = all.next() {
            if let Some(v) = option_with_value(&w.text, name) {
                return Some(v);
            }
            if w.text == name {
                return all.next().map(|n| n.text.as_str());
            }
        }
        None
    }

    /// Requirement words: arguments that are package specs, not options or
    /// option values (`-r file`, `-c file`, `--index-url URL`, ...).
    pub fn requirements(&self) -> Vec<&'a Word> {
        const TAKES_VALUE: &[&str] = &[
            "-r",
            "--requirement",
            "-c",
            "--constraint",
            "-e",
            "--editable",
            "-i",
            "--index-url",
            "--extra-index-url",
            "-f",
            "--find-links",
            "-t",
            "--target",
            "--prefix",
            "--root",
            "--cache-dir",
            "--python",
            "-p",
            "--platform",
            "--python-version",
            "--implementation",
            "--abi",
            "--src",
            "--trusted-host",
            "--progress-bar",
            "--upgrade-strategy",
            "--only-binary",
            "--no-binary",
            "--config-settings",
            "-C",
            "--global-option",
            "--report",
            "--index",
            "--default-index",
            "--group",
            "--extra",
            "--with",
            "--with-requirements",
            "--build",
            "--root-user-action",
            "--log",
            "--proxy",
            "--retries",
            "--timeout",
            "--exists-action",
            "--cert",
            "--client-cert",
        ];
        let mut out = Vec::new();
        let mut skip = false;
        for w in self.args {
            if skip {
                skip = false;
                continue;
            }
            if w.text.starts_with('-') {
                skip = TAKES_VALUE.contains(&w.text.as_str());
                continue;
            }
            out.push(w);
        }
        out
    }
}

/// The value of `word` when it is `name=value` (without building that prefix).
fn option_with_value<'w>(word: &'w str, name: &str) -> Option<&'w str> {
    word.strip_prefix(name)?.strip_prefix('=')
}

/// The project name of a requirement (`opencv_python[extra]>=4.8; python_version>"3"`),
/// normalised as PEP 503 does (lower case, runs of `-_.` as `-`): borrowed
/// from `spec` when it is written that way already, as most names are
/// (several rules ask for every package of every install).
pub fn requirement_name(spec: &str) -> Cow<'_, str> {
    // One pass by byte: several rules ask this of every requirement of
    // every install (a search for `--` as a `str` pattern alone cost more
    // than the rest). The name ends at an ASCII byte or at a non-ASCII
    // character's first byte, so on a character boundary.
    let mut end = spec.len();
    let mut normal = true;
    let mut after_dash = false;
    for (i, b) in spec.bytes().enumerate() {
        if !(b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.')) {
            end = i;
            break;
        }
        let dash = b == b'-';
        normal &= (b.is_ascii_lowercase() || b.is_ascii_digit() || dash) && !(dash && after_dash);
        after_dash = dash;
    }
    let written = &spec[..end];
    if normal {
        return Cow::Borrowed(written);
    }
    let mut name = String::new();
    for c in spec[..end].chars() {
        if matches!(c, '-' | '_' | '.') {
            if !name.ends_with('-') {
                name.push('-');
            }
        } else {
            name.push(c.to_ascii_lowercase());
        }
    }
    Cow::Owned(name)
}

/// The first word after `words[from..]` that is not an option.
fn subcommand(words: &[Word], from: usize) -> Option<usize> {
    (from..words.len()).find(|&i| !words[i].text.starts_with('-'))
}

/// Recognise a package install: `pip install`, `python -m pip install`,
/// `uv pip install`, `uv pip sync`, `uv sync`, `uv add`, `uv tool install`.
pub fn package_install(cmd: &Command) -> Option<PackageInstall<'_>> {
    let resolved = resolve(cmd);
    let words = resolved.words;
    let program = resolved.program();
    let (installer, after_program) = if is_pip(program) {
        (Installer::Pip, 1)
    } else if is_python(program) {
        let m = words.iter().position(|w| w.text == "-m")?;
        if !is_pip(words.get(m + 1)?.text.as_str()) {
            return None;
        }
        (Installer::Pip, m + 2)
    } else if program == "uv" {
        (Installer::Uv, 1)
    } else {
        return None;
    };
    let sub = subcommand(words, after_program)?;
    let sub_word = words[sub].text.as_str();
    let args_from = match (installer, sub_word) {
        (Installer::Pip, "install") => sub + 1,
        (Installer::Uv, "pip" | "tool") => {
            let inner = subcommand(words, sub + 1)?;
            match (sub_word, words[inner].text.as_str()) {
                ("pip", "install" | "sync") | ("tool", "install") => inner + 1,
                _ => return None,
            }
        }
        (Installer::Uv, "sync" | "add") => sub + 1,
        _ => return None,
    };
    Some(PackageInstall {
        installer,
        global_options: &words[after_program..sub],
        args: &words[args_from..],
        resolved,
    })
}

/// An `apt-get`, `apt` or `aptitude` call and its subcommand (`update`,
/// `install`, ...): all three fetch into and install from the same lists.
pub fn apt_subcommand(cmd: &Command) -> Option<&str> {
    let resolved = resolve(cmd);
    if !matches!(resolved.program(), "apt-get" | "apt" | "aptitude") {
        return None;
    }
    let words = resolved.words;
    let sub = subcommand(words, 1)?;
    Some(words[sub].text.as_str())
}

/// Whether a command deletes the apt package lists (`rm -rf /var/lib/apt/lists/*`,
/// `rm -rf /var/lib/apt`, `find /var/lib/apt/lists -delete`, ...).
pub fn removes_apt_lists(cmd: &Command) -> bool {
    let resolved = resolve(cmd);
    let program = resolved.program();
    let targets_lists = |w: &Word| {
        let t = w.text.trim_end_matches(['*', '/']);
        t == "/var/lib/apt/lists" || t == "/var/lib/apt"
    };
    match program {
        "rm" => resolved.words[1..].iter().any(targets_lists),
        "find" => {
            resolved.words[1..].iter().any(targets_lists)
                && resolved
                    .words
                    .iter()
                    .any(|w| w.text == "-delete" || w.text == "rm")
        }
        _ => false,
    }
}

/// Whether a shell script is complete: every quote, backquote, `$(` and
/// `${` closed, no trailing backslash, and no comment running to its end.
/// A fix that appends to an incomplete script would land inside what is
/// left open, and never settle.
pub fn is_complete_script(script: &str) -> bool {
    // Read by byte: every character that opens or closes something is
    // ASCII (a RUN-heavy file asks this of every script).
    let bytes = script.as_bytes();
    // What is open, innermost last: quotes, backquote, `$(` and `${`.
    let mut open: Vec<u8> = Vec::new();
    let mut word_start = true;
    let mut i = 0;
    while i < bytes.len() {
        let c = bytes[i];
        let top = open.last().copied();
        if top == Some(b'\'') {
            if c == b'\'' {
                open.pop();
            }
            i += 1;
            continue;
        }
        if !c.is_ascii() {
            // Nothing outside ASCII opens or closes; a Unicode space still
            // ends a word.
            let ch = script.get(i..).and_then(|rest| rest.chars().next());
            word_start = ch.is_some_and(char::is_whitespace);
            i += ch.map_or(1, char::len_utf8);
            continue;
        }
        match c {
            b'\\' => {
                // The escaped character, whatever its length, is skipped.
                let Some(next) = script.get(i + 1..).and_then(|rest| rest.chars().next()) else {
                    return false;
                };
                i += next.len_utf8();
            }
            b'\'' if top != Some(b'"') => open.push(b'\''),
            b'"' if top == Some(b'"') => {
                open.pop();
            }
            b'"' => open.push(b'"'),
            b'`' if top == Some(b'`') => {
                open.pop();
            }
            b'`' => open.push(b'`'),
            b'$' if matches!(bytes.get(i + 1), Some(b'(' | b'{')) => {
                open.push(bytes[i + 1]);
                i += 1;
            }
            b'(' if top == Some(b'(') => open.push(b'('),
            b')' if top == Some(b'(') => {
                open.pop();
            }
            b'}' if top == Some(b'{') => {
                open.pop();
            }
            // A comment starts only at the start of a word, outside quotes.
            b'#' if word_start && !matches!(top, Some(b'"' | b'{')) => {
                match bytes[i..].iter().position(|&b| b == b'\n') {
                    Some(n) => i += n,
                    // Text appended after a comment that runs to the end
                    // would be part of the comment.
                    None => return false,
                }
                continue;
            }
            _ => {}
        }
        word_start = char::from(c).is_whitespace() || matches!(c, b';' | b'&' | b'|' | b'(' | b')');
        i += 1;
    }
    open.is_empty()
}

/// The GUI OpenCV packages and their headless counterparts.
pub const OPENCV_GUI_PACKAGES: &[(&str, &str)] = &[
    ("opencv-python", "opencv-python-headless"),
    ("opencv-contrib-python", "opencv-contrib-python-headless"),
];

/// A shell-form RUN, or the RUN trigger of an ONBUILD, split into commands.
pub struct ShellRun<'r> {
    /// The item of the RUN (or of the ONBUILD that wraps it).
    pub item: usize,
    /// The RUN instruction itself (the trigger, for an ONBUILD).
    pub ins: &'r Instruction,
    pub scripts: &'r [(Script<'r>, Vec<Command>)],
    pub onbuild: bool,
}

impl<'r> ShellRun<'r> {
    /// The RUN's commands in execution order, across its scripts.
    pub fn commands(&self) -> impl Iterator<Item = (&'r Script<'r>, &'r Command)> + 'r {
        self.scripts
            .iter()
            .flat_map(|(s, cmds)| cmds.iter().map(move |c| (s, c)))
    }

    /// The file span of a command of one of its scripts.
    pub fn command_span(&self, script: &Script, cmd: &Command) -> Span {
        script.span(self.ins, cmd.start(), cmd.end())
    }

    /// The file span of a word of one of its scripts.
    pub fn word_span(&self, script: &Script, word: &Word) -> Span {
        script.word_span(self.ins, word)
    }

    /// Targets of its cache and tmpfs mounts.
    pub fn cache_mounts(&self) -> Vec<String> {
        mount_targets(self.ins, &["cache", "tmpfs"])
    }
}

/// Every RUN of the file in file order, then every ONBUILD RUN (they run
/// in the images built `FROM` this one).
pub fn shell_runs<'r>(cx: &'r Context) -> impl Iterator<Item = ShellRun<'r>> + 'r {
    let runs = cx.runs().iter().map(|r| ShellRun {
        item: r.item,
        ins: r.ins,
        scripts: &r.scripts,
        onbuild: false,
    });
    let onbuild = cx.triggers().iter().map(|r| ShellRun {
        item: r.item,
        ins: r.ins,
        scripts: &r.scripts,
        onbuild: true,
    });
    runs.chain(onbuild)
}

/// The words a shell word stands for at a RUN: itself without variables,
/// else its value with the ARG and ENV values the file gives at that point,
/// split as the shell would. `None` when a variable has no known value (a
/// build argument without a default, or a trigger of ONBUILD, which runs
/// with the variables of another build).
pub fn word_values(cx: &Context, run: &ShellRun, word: &str) -> Option<Vec<String>> {
    if !word.contains('$') {
        return Some(vec![word.to_string()]);
    }
    if run.onbuild {
        return None;
    }
    let stage = cx.model.stage_of(run.item)?;
    let scope = cx.model.scope(stage, run.item);
    let value = super::expand(word, &|n| scope.get(n).map(str::to_string))?;
    let parts: Vec<String> = value.split_whitespace().map(str::to_string).collect();
    (!parts.is_empty()).then_some(parts)
}

/// How a program reads its options: which take a value (`-o X`, `--opt X`,
/// `--opt=X`), and which short ones do (a value may also be glued: `-oX`).
pub struct OptionGrammar {
    pub takes_value: &'static [&'static str],
}

/// apt-get's and apt's options that take a value.
pub const APT: OptionGrammar = OptionGrammar {
    takes_value: &[
        "-o",
        "--option",
        "-c",
        "--config-file",
        "-t",
        "--target-release",
        "--default-release",
        "-a",
        "--host-architecture",
    ],
};

/// apk's options that take a value.
pub const APK: OptionGrammar = OptionGrammar {
    takes_value: &[
        "-t",
        "--virtual",
        "-X",
        "--repository",
        "-p",
        "--root",
        "--arch",
        "--cache-dir",
        "--keys-dir",
        "--repositories-file",
        "--timeout",
        "--wait",
    ],
};

/// gem's options that take a value.
pub const GEM: OptionGrammar = OptionGrammar {
    takes_value: &[
        "-v",
        "--version",
        "-i",
        "--install-dir",
        "-n",
        "--bindir",
        "--platform",
        "-s",
        "--source",
        "-p",
        "--http-proxy",
        "-g",
        "--file",
        "--build-root",
        "--document",
    ],
};

/// npm's options that take a value.
pub const NPM: OptionGrammar = OptionGrammar {
    takes_value: &[
        "--prefix",
        "--registry",
        "--cache",
        "--tag",
        "--userconfig",
        "--loglevel",
        "-w",
        "--workspace",
        "--omit",
        "--include",
        "--install-strategy",
    ],
};

/// pipx's options that take a value.
pub const PIPX: OptionGrammar = OptionGrammar {
    takes_value: &[
        "--python",
        "--pip-args",
        "--index-url",
        "-i",
        "--suffix",
        "--preinstall",
        "--fetch-python",
    ],
};

/// A word of a command line, read with a grammar.
#[derive(Debug, Clone, Copy)]
pub enum Arg<'w> {
    /// An option, its value (glued or the next word) and the words it spans.
    Option {
        name: &'w str,
        value: Option<&'w str>,
        word: &'w Word,
    },
    /// An operand (a subcommand, a package, a path).
    Operand(&'w Word),
}

/// Read a command line's words as options and operands. Everything after
/// `--` is an operand; a short cluster (`-yq`) is one option word whose
/// letters [`has_flag`] looks into.
pub fn parse_args<'w>(words: &'w [Word], grammar: &OptionGrammar) -> Vec<Arg<'w>> {
    let mut out = Vec::new();
    let mut i = 0;
    let mut operands_only = false;
    while i < words.len() {
        let w = &words[i];
        let t = w.text.as_str();
        i += 1;
        if operands_only || !t.starts_with('-') || t == "-" {
            out.push(Arg::Operand(w));
            continue;
        }
        if t == "--" {
            operands_only = true;
            continue;
        }
        if let Some((name, value)) = t.split_once('=').filter(|_| t.starts_with("--")) {
            out.push(Arg::Option {
                name,
                value: Some(value),
                word: w,
            });
            continue;
        }
        if grammar.takes_value.contains(&t) {
            let value = words.get(i).map(|v| v.text.as_str());
            i += 1;
            out.push(Arg::Option {
                name: t,
                value,
                word: w,
            });
            continue;
        }
        // A short option with its value glued on (`-oAPT::X=1`).
        let glued = grammar
            .takes_value
            .iter()
            .find(|o| o.len() == 2 && !o.starts_with("--") && t.len() > 2 && t.starts_with(*o));
        match glued {
            Some(o) => out.push(Arg::Option {
                name: o,
                value: Some(&t[2..]),
                word: w,
            }),
            None => out.push(Arg::Option {
                name: t,
                value: None,
                word: w,
            }),
        }
    }
    out
}

/// Whether parsed arguments give a flag: a long name (`--yes`) or a short
/// letter alone or in a cluster (`-y`, `-qy`).
pub fn has_flag(args: &[Arg], long: &[&str], short: &[char]) -> bool {
    args.iter().any(|a| match a {
        Arg::Option { name, .. } => {
            long.contains(name)
                || (!name.starts_with("--")
                    && name.len() > 1
                    && name[1..].chars().any(|c| short.contains(&c)))
        }
        Arg::Operand(_) => false,
    })
}

/// The value of the last option named one of `names`.
pub fn option_value<'w>(args: &[Arg<'w>], names: &[&str]) -> Option<&'w str> {
    args.iter().rev().find_map(|a| match a {
        Arg::Option { name, value, .. } if names.contains(name) => *value,
        _ => None,
    })
}

/// The operands of parsed arguments.
pub fn operands<'w>(args: &[Arg<'w>]) -> Vec<&'w Word> {
    args.iter()
        .filter_map(|a| match a {
            Arg::Operand(w) => Some(*w),
            Arg::Option { .. } => None,
        })
        .collect()
}

/// A package manager call: its program, subcommand and arguments, parsed
/// with the program's grammar (options before and after the subcommand).
pub struct ManagerCall<'w> {
    /// The program word (`apt-get`, `apk`, ...).
    pub program: &'w Word,
    /// The subcommand word (`install`, `add`, ...).
    pub subcommand: &'w Word,
    pub args: Vec<Arg<'w>>,
}

impl<'w> ManagerCall<'w> {
    /// The operands after the subcommand: the packages.
    pub fn packages(&self) -> Vec<&'w Word> {
        operands(&self.args)
            .into_iter()
            .filter(|w| w.start() > self.subcommand.start())
            .collect()
    }
}

/// A call of one of `programs` (after `sudo`, `env` and the like) with its
/// first operand one of `subcommands`.
pub fn manager_call<'c>(
    cmd: &'c Command,
    programs: &[&str],
    subcommands: &[&str],
    grammar: &OptionGrammar,
) -> Option<ManagerCall<'c>> {
    let resolved = resolve(cmd);
    if !programs.contains(&resolved.program()) {
        return None;
    }
    let words = resolved.words;
    let args = parse_args(&words[1..], grammar);
    let subcommand = operands(&args).into_iter().next()?;
    if !subcommands.contains(&subcommand.text.as_str()) {
        return None;
    }
    Some(ManagerCall {
        program: &words[0],
        subcommand,
        args,
    })
}

/// `apt-get install` or `apt install`.
pub fn apt_install(cmd: &Command) -> Option<ManagerCall<'_>> {
    manager_call(cmd, &["apt-get", "apt"], &["install"], &APT)
}

/// `apk add`.
pub fn apk_add(cmd: &Command) -> Option<ManagerCall<'_>> {
    manager_call(cmd, &["apk"], &["add"], &APK)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::syntax::shell::commands;

    #[test]
    fn option_grammars_tell_values_from_operands() {
        let cmd =
            &commands("apt-get -o APT::Install-Recommends=false -yq install -t bookworm curl")[0];
        let call = apt_install(cmd).unwrap();
        assert_eq!(call.subcommand.text, "install");
        let packages: Vec<&str> = call.packages().iter().map(|w| w.text.as_str()).collect();
        assert_eq!(packages, ["curl"]);
        assert!(has_flag(&call.args, &["--yes"], &['y']));
        assert!(!has_flag(&call.args, &["--no-install-recommends"], &[]));
        assert_eq!(option_value(&call.args, &["-t"]), Some("bookworm"));
        assert_eq!(
            option_value(&call.args, &["-o"]),
            Some("APT::Install-Recommends=false")
        );

        let cmd = &commands("sudo apk add --virtual .build -X https://x.org/edge gcc=13.2")[0];
        let call = apk_add(cmd).unwrap();
        let packages: Vec<&str> = call.packages().iter().map(|w| w.text.as_str()).collect();
        assert_eq!(packages, ["gcc=13.2"]);

        // A glued short value and `--opt=value`.
        let words = &commands("x -oFoo=1 --registry=https://r")[0].words[1..];
        let args = parse_args(words, &APT);
        assert_eq!(option_value(&args, &["-o"]), Some("Foo=1"));
        assert_eq!(option_value(&args, &["--registry"]), Some("https://r"));
        // After `--`, everything is an operand.
        let words = &commands("x -- -y")[0].words[1..];
        assert_eq!(operands(&parse_args(words, &APT)).len(), 1);
        assert!(apt_install(&commands("apt-get update")[0]).is_none());
    }

    #[test]
    fn onbuild_runs_are_split_like_runs() {
        let df = crate::syntax::parse("FROM a\nONBUILD RUN apt-get install x && cd /y\nRUN true\n")
            .unwrap();
        let cx = Context::new(&df, None, None, Default::default());
        assert_eq!(cx.triggers().len(), 1);
        let trigger = &cx.triggers()[0];
        let (ins, scripts) = (trigger.ins, &trigger.scripts);
        assert_eq!(ins.keyword, crate::syntax::Keyword::Run);
        assert_eq!(scripts[0].1.len(), 2);
        // The trigger's words map back to the file.
        let span = scripts[0]
            .0
            .span(ins, scripts[0].1[1].start(), scripts[0].1[1].end());
        assert_eq!(&df.text[span.start..span.end], "cd /y");
    }

    #[test]
    fn complete_scripts() {
        assert!(is_complete_script("apt-get install -y 'a b' \"c\""));
        assert!(is_complete_script("echo it\\'s # don't\n"));
        assert!(!is_complete_script("apt-get install -y curl 'oops"));
        assert!(!is_complete_script("echo \"open"));
        assert!(!is_complete_script("echo trailing \\"));
        assert!(!is_complete_script("apt update `"));
        assert!(!is_complete_script("apt update ${"));
        assert!(!is_complete_script("apt-get update \"$(\""));
        assert!(!is_complete_script("apt-get update a#'"));
        assert!(is_complete_script(
            "echo \"$(date '+%F')\" `id -u` ${A:-x} # it's\ntrue"
        ));
        assert!(!is_complete_script(
            "apt-get install -y git &&#   rm -rf /x"
        ));
    }

    fn install(script: &str) -> Option<(Installer, Vec<String>)> {
        let cmds = commands(script);
        let p = package_install(&cmds[0])?;
        Some((
            p.installer,
            p.requirements()
                .iter()
                .map(|w| w.text.to_string())
                .collect(),
        ))
    }

    #[test]
    fn recognises_pip_in_all_its_spellings() {
        for s in [
            "pip install a",
            "pip3 install a",
            "python3.11 -m pip install a",
            "/opt/venv/bin/pip install a",
            "$VENV/bin/pip install a",
            "sudo -H pip install a",
            "env PIP_X=1 pip install a",
            "PIP_X=1 python -m pip --quiet install -r r.txt a",
        ] {
            assert_eq!(
                install(s),
                Some((Installer::Pip, vec!["a".to_string()])),
                "{s}"
            );
        }
        assert_eq!(
            install("uv pip install --system a").unwrap().0,
            Installer::Uv
        );
        assert!(install("pip uninstall a").is_none());
        assert!(install("pipx install a").is_none());
        assert!(install("python setup.py install").is_none());
    }

    /// The first version of `is_complete_script`, over a vector of chars:
    /// the byte version must agree with it on every input.
    fn is_complete_by_chars(script: &str) -> bool {
        let chars: Vec<char> = script.chars().collect();
        let mut open: Vec<char> = Vec::new();
        let mut word_start = true;
        let mut i = 0;
        while i < chars.len() {
            let c = chars[i];
            let top = open.last().copied();
            if top == Some('\'') {
                if c == '\'' {
                    open.pop();
                }
                i += 1;
                continue;
            }
            match c {
                '\\' => {
                    if i + 1 >= chars.len() {
                        return false;
                    }
                    i += 1;
                }
                '\'' if top != Some('"') => open.push('\''),
                '"' if top == Some('"') => {
                    open.pop();
                }
                '"' => open.push('"'),
                '`' if top == Some('`') => {
                    open.pop();
                }
                '`' => open.push('`'),
                '$' if matches!(chars.get(i + 1), Some('(' | '{')) => {
                    open.push(chars[i + 1]);
                    i += 1;
                }
                '(' if top == Some('(') => open.push('('),
                ')' if top == Some('(') => {
                    open.pop();
                }
                '}' if top == Some('{') => {
                    open.pop();
                }
                '#' if word_start && !matches!(top, Some('"' | '{')) => {
                    while i < chars.len() && chars[i] != '\n' {
                        i += 1;
                    }
                    if i >= chars.len() {
                        return false;
                    }
                    continue;
                }
                _ => {}
            }
            word_start = c.is_whitespace() || matches!(c, ';' | '&' | '|' | '(' | ')');
            i += 1;
        }
        open.is_empty()
    }

    #[test]
    fn complete_scripts_read_by_byte_as_by_char() {
        let pieces = [
            "'", "\"", "`", "$(", "${", "(", ")", "}", "{", "#", "\\", "\n", " ", ";", "&", "|",
            "a", "é", "\u{a0}", "\u{2003}", "\u{b}", "x#", "\\é", "日本",
        ];
        for script in crate::random_texts(0x2545_f491_4f6c_dd1d, &pieces, 12, 20_000) {
            assert_eq!(
                is_complete_script(&script),
                is_complete_by_chars(&script),
                "{script:?}"
            );
        }
    }

    #[test]
    fn requirement_names_are_normalised() {
        assert_eq!(requirement_name("OpenCV_Python==4.8.0.76"), "opencv-python");
        assert_eq!(
            requirement_name("opencv-contrib-python[extra]>=4"),
            "opencv-contrib-python"
        );
        assert_eq!(requirement_name("'deepspeed'"), "");
        assert_eq!(requirement_name("a--b..c"), "a-b-c");
        assert_eq!(requirement_name("-x_"), "-x-");
        // A name ends at the first byte of a non-ASCII character.
        assert_eq!(requirement_name("caf\u{e9}==1"), "caf");
        assert_eq!(requirement_name("\u{e9}t\u{e9}"), "");
        // Already normal: the spec's own text, not a copy.
        assert!(matches!(
            requirement_name("torch-audio2==2.1"),
            Cow::Borrowed("torch-audio2")
        ));
    }

    #[test]
    fn apt_calls_and_list_cleanup() {
        let cmds =
            commands("sudo apt-get -y update && apt install -y x && rm -rf /var/lib/apt/lists/*");
        assert_eq!(apt_subcommand(&cmds[0]), Some("update"));
        assert_eq!(apt_subcommand(&cmds[1]), Some("install"));
        assert!(removes_apt_lists(&cmds[2]));
        assert!(!removes_apt_lists(&commands("rm -rf /tmp/*")[0]));
    }
}
