//! The RPM and SUSE package managers (`yum`, `dnf`, `microdnf`, `zypper`)
//! and the other programs several rules ask about, read from a table of
//! their option grammars; the RUNs that ONBUILD defers; the edits that add
//! to a RUN's script without breaking it; and the LABELs of a file with
//! the types a label schema gives them.

use super::commands::{basename, resolve};
use super::{Context, Run, Scope, Script};
use crate::diagnostic::Edit;
use crate::syntax::shell::{self, Command, Word};
use crate::syntax::{Args, Instruction, Keyword};

/// The instruction an ONBUILD defers.
pub fn trigger(ins: &Instruction) -> Option<&Instruction> {
    match &ins.args {
        Args::Onbuild(inner) if ins.keyword == Keyword::Onbuild => Some(inner),
        _ => None,
    }
}

/// Every RUN of the file and every `ONBUILD RUN` trigger, in file order.
pub fn runs_and_triggers<'c, 'a>(cx: &'c Context<'a>) -> Vec<&'c Run<'a>> {
    let mut all: Vec<&Run> = cx.runs().iter().chain(cx.triggers()).collect();
    all.sort_by_key(|r| r.item);
    all
}

/// Call `f` with every command of every RUN and `ONBUILD RUN` trigger, in
/// file order.
pub fn each_command<'a>(cx: &Context<'a>, mut f: impl FnMut(&Run<'a>, &Script, &Command)) {
    for run in runs_and_triggers(cx) {
        for (script, cmd) in run.commands() {
            f(run, script, cmd);
        }
    }
}

/// The scripts of the command substitutions in a word (`$(curl -s URL |
/// jq .tag)`), outermost only; `$(<file)` runs nothing and is left out.
pub fn substitutions(word: &str) -> Vec<&str> {
    let b = word.as_bytes();
    let mut out = Vec::new();
    let mut from = 0;
    while let Some(i) = word[from..].find("$(").map(|i| from + i) {
        let mut depth = 0usize;
        let mut end = b.len();
        for (j, &c) in b.iter().enumerate().skip(i + 1) {
            match c {
                b'(' => depth += 1,
                b')' => {
                    depth -= 1;
                    if depth == 0 {
                        end = j;
                        break;
                    }
                }
                _ => {}
            }
        }
        let inner = &word[i + 2..end];
        if !inner.starts_with('<') {
            out.push(inner);
        }
        from = end.max(i + 2);
    }
    out
}

/// The commands a command runs through its words' substitutions.
pub fn nested_commands(cmd: &Command) -> Vec<Command> {
    cmd.words
        .iter()
        // A byte search first: most words have no `$` at all.
        .filter(|w| w.text.contains('$') && w.text.contains("$("))
        .flat_map(|w| substitutions(&w.text))
        .flat_map(shell::commands)
        .collect()
}

/// The package managers these rules know.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Family {
    /// `yum`.
    Yum,
    /// `dnf` and `microdnf`.
    Dnf,
    /// `zypper`.
    Zypper,
}

/// How one package manager reads its command line.
#[derive(Debug)]
struct Grammar {
    family: Family,
    programs: &'static [&'static str],
    /// Options written apart from their value (`-c FILE`): the next word
    /// is the value, not the subcommand or a package.
    takes_value: &'static [&'static str],
    /// Short spellings of subcommands, and their full names.
    aliases: &'static [(&'static str, &'static str)],
    /// Directories the manager caches packages and metadata in.
    cache_dirs: &'static [&'static str],
}

const GRAMMARS: &[Grammar] = &[
    Grammar {
        family: Family::Yum,
        programs: &["yum"],
        takes_value: &[
            "-c",
            "--config",
            "-d",
            "--debuglevel",
            "-e",
            "--errorlevel",
            "-R",
            "--randomwait",
            "-x",
            "--exclude",
            "--installroot",
            "--enablerepo",
            "--disablerepo",
            "--releasever",
            "--setopt",
            "--color",
            "--downloaddir",
            "--rpmverbosity",
            "--disableplugin",
            "--enableplugin",
        ],
        aliases: &[("erase", "remove"), ("update", "upgrade")],
        cache_dirs: &["/var/cache/yum", "/var/cache/dnf"],
    },
    Grammar {
        family: Family::Dnf,
        programs: &["dnf", "dnf5", "microdnf"],
        takes_value: &[
            "-c",
            "--config",
            "-d",
            "--debuglevel",
            "-e",
            "--errorlevel",
            "-x",
            "--exclude",
            "--installroot",
            "--enablerepo",
            "--disablerepo",
            "--repo",
            "--repoid",
            "--releasever",
            "--setopt",
            "--color",
            "--downloaddir",
            "--destdir",
            "--forcearch",
            "--comment",
            "--disableplugin",
            "--enableplugin",
            "--repofrompath",
            "--rpmverbosity",
            "--config_file_path",
            "--setvar",
            "--use-host-config",
        ],
        aliases: &[
            ("in", "install"),
            ("localinstall", "install"),
            ("up", "upgrade"),
            ("update", "upgrade"),
            ("up-min", "upgrade-minimal"),
            ("update-minimal", "upgrade-minimal"),
            ("rei", "reinstall"),
            ("rm", "remove"),
            ("erase", "remove"),
            ("grp", "group"),
            ("groups", "group"),
            ("mc", "makecache"),
            ("dsync", "distro-sync"),
            ("distrosync", "distro-sync"),
        ],
        cache_dirs: &["/var/cache/dnf", "/var/cache/yum", "/var/cache/libdnf5"],
    },
    Grammar {
        family: Family::Zypper,
        programs: &["zypper"],
        takes_value: &[
            "-c",
            "--config",
            "-R",
            "--root",
            "-D",
            "--reposd-dir",
            "-C",
            "--cache-dir",
            "--raw-cache-dir",
            "--solv-cache-dir",
            "--pkg-cache-dir",
            "-r",
            "--repo",
            "--from",
            "-t",
            "--type",
            "--installroot",
        ],
        aliases: &[
            ("in", "install"),
            ("rm", "remove"),
            ("up", "update"),
            ("dup", "dist-upgrade"),
            ("cc", "clean"),
            ("ref", "refresh"),
            ("si", "source-install"),
            ("if", "info"),
            ("se", "search"),
        ],
        cache_dirs: &["/var/cache/zypp"],
    },
];

/// A call of one of the package managers, with its subcommand found.
#[derive(Debug, Clone)]
pub struct ManagerCall<'a> {
    pub family: Family,
    /// The program as named (`dnf`, `microdnf`, ...).
    pub program: &'a str,
    /// The program word and its arguments, prefixes (`sudo`, `VAR=1`) removed.
    pub words: &'a [Word],
    /// The subcommand's full name (`in` reads as `install`).
    pub sub: &'a str,
    /// Index in `words` of the subcommand word.
    pub sub_at: usize,
    grammar: &'static Grammar,
}

/// Index of the first operand in `words[from..]`: a word that is neither
/// an option nor the value of one.
fn first_operand(words: &[Word], from: usize, takes_value: &[&str]) -> Option<usize> {
    let mut i = from;
    while i < words.len() {
        let w = words[i].text.as_str();
        if !w.starts_with('-') || w == "-" {
            return Some(i);
        }
        i += if takes_value.contains(&w) { 2 } else { 1 };
    }
    None
}

fn full_name(grammar: &Grammar, sub: &str) -> &'static str {
    grammar
        .aliases
        .iter()
        .find(|(short, _)| *short == sub)
        .map(|(_, full)| *full)
        .unwrap_or("")
}

/// Recognise `yum`, `dnf`, `microdnf` or `zypper` with a subcommand.
pub fn manager_call(cmd: &Command) -> Option<ManagerCall<'_>> {
    let resolved = resolve(cmd);
    let words = resolved.words;
    let program = words.first().map(|w| basename(&w.text))?;
    let grammar = GRAMMARS.iter().find(|g| g.programs.contains(&program))?;
    let sub_at = first_operand(words, 1, grammar.takes_value)?;
    let written = words[sub_at].text.as_str();
    let full = full_name(grammar, written);
    Some(ManagerCall {
        family: grammar.family,
        program,
        words,
        sub: if full.is_empty() { written } else { full },
        sub_at,
        grammar,
    })
}

impl<'a> ManagerCall<'a> {
    /// Whether any of the options is given, before or after the
    /// subcommand: `--long`, `--long=value`, or a short letter alone or in
    /// a cluster of flags (`-y`, `-qy`).
    pub fn has_option(&self, long: &[&str], short: &[char]) -> bool {
        self.words[1..].iter().any(|w| {
            let t = w.text.as_str();
            if let Some(name) = t.strip_prefix("--") {
                let name = name.split('=').next().unwrap_or(name);
                return long.iter().any(|l| l.trim_start_matches('-') == name);
            }
            match t.strip_prefix('-') {
                Some(cluster)
                    if !cluster.is_empty() && cluster.chars().all(|c| c.is_ascii_alphabetic()) =>
                {
                    cluster.chars().any(|c| short.contains(&c))
                }
                _ => false,
            }
        })
    }

    /// The operands after the subcommand, option values left out.
    pub fn operands(&self) -> Vec<&'a Word> {
        let mut out = Vec::new();
        let mut i = self.sub_at + 1;
        while let Some(at) = first_operand(self.words, i, self.grammar.takes_value) {
            out.push(&self.words[at]);
            i = at + 1;
        }
        out
    }

    /// For `module install` or `group install`: the inner subcommand.
    pub fn inner_sub(&self) -> Option<&'a str> {
        let at = first_operand(self.words, self.sub_at + 1, self.grammar.takes_value)?;
        let written = self.words[at].text.as_str();
        let full = full_name(self.grammar, written);
        Some(if full.is_empty() { written } else { full })
    }

    /// The package specs an install names: for `install` (and yum's
    /// `localinstall`) every operand, for `module install` the module
    /// specs after it. Groups (`group install`, `groupinstall`, `@name`)
    /// are not packages and are left out.
    pub fn installed(&self) -> Option<Installed<'a>> {
        match self.sub {
            "install" | "localinstall" => Some(Installed {
                modules: false,
                specs: self
                    .operands()
                    .into_iter()
                    .filter(|w| !w.text.starts_with('@'))
                    .collect(),
            }),
            "module" if self.inner_sub() == Some("install") => Some(Installed {
                modules: true,
                specs: self.operands().into_iter().skip(1).collect(),
            }),
            _ => None,
        }
    }

    /// Whether the call installs or replaces packages, and so fills the
    /// cache: install, reinstall, upgrades, group and module installs.
    pub fn fills_cache(&self) -> bool {
        match self.family {
            Family::Zypper => matches!(
                self.sub,
                "install" | "update" | "dist-upgrade" | "patch" | "source-install"
            ),
            Family::Yum | Family::Dnf => {
                matches!(
                    self.sub,
                    "install"
                        | "localinstall"
                        | "groupinstall"
                        | "reinstall"
                        | "upgrade"
                        | "upgrade-minimal"
                        | "distro-sync"
                ) || (matches!(self.sub, "group" | "module")
                    && matches!(self.inner_sub(), Some("install" | "upgrade" | "update")))
            }
        }
    }

    /// Whether the call asks for confirmation before it changes packages
    /// (the ones `-y` answers).
    pub fn prompts(&self) -> bool {
        match self.family {
            Family::Zypper => matches!(
                self.sub,
                "install"
                    | "remove"
                    | "update"
                    | "dist-upgrade"
                    | "patch"
                    | "source-install"
                    | "reinstall"
            ),
            Family::Yum | Family::Dnf => {
                matches!(
                    self.sub,
                    "install" | "localinstall" | "groupinstall" | "reinstall"
                ) || (matches!(self.sub, "group" | "module") && self.inner_sub() == Some("install"))
            }
        }
    }

    /// Whether the call empties the manager's cache: `clean all` for the
    /// RPM managers (which share their caches), `clean` for zypper.
    pub fn cleans(&self) -> bool {
        match self.family {
            Family::Zypper => self.sub == "clean",
            Family::Yum | Family::Dnf => {
                self.sub == "clean" && self.operands().iter().any(|w| w.text == "all")
            }
        }
    }

    /// The directories this manager caches in.
    pub fn cache_dirs(&self) -> &'static [&'static str] {
        self.grammar.cache_dirs
    }

    /// The word after which an option of the subcommand goes.
    pub fn sub_word(&self) -> &'a Word {
        &self.words[self.sub_at]
    }

    /// The program word.
    pub fn program_word(&self) -> &'a Word {
        &self.words[0]
    }
}

/// What an install names.
#[derive(Debug, Clone)]
pub struct Installed<'a> {
    /// `module install`: the specs are modules (`name:stream`).
    pub modules: bool,
    pub specs: Vec<&'a Word>,
}

/// Whether a command removes one of `dirs` (or what is in it) with `rm`.
pub fn removes_dir(cmd: &Command, dirs: &[&str]) -> bool {
    let r = resolve(cmd);
    r.program() == "rm"
        && r.words[1..].iter().any(|w| {
            let t = w.text.trim_end_matches(['*', '/']);
            dirs.iter()
                .any(|d| t == *d || t.starts_with(&format!("{d}/")))
        })
}

/// Whether any of a RUN's cache or tmpfs mounts covers one of `dirs`.
pub fn mounts_cache_on(run: &Run, dirs: &[&str]) -> bool {
    run.cache_mounts().iter().any(|t| {
        dirs.iter()
            .any(|d| t == d || d.starts_with(&format!("{t}/")) || t.starts_with(&format!("{d}/")))
    })
}

/// For every RUN manager call that fills its cache without a cleanup
/// after it in the same RUN (and no cache mount): the last such call.
/// A clean-up counts when the same program runs it, or yum for dnf and the
/// other way round (on current RPM distributions `yum` is dnf, with one
/// cache); microdnf keeps a cache of its own. Removing the cache
/// directories counts too.
pub fn uncleaned_call<'r>(
    run: &'r Run,
    wanted: impl Fn(&ManagerCall) -> bool,
) -> Option<(&'r Script<'r>, &'r Command, ManagerCall<'r>)> {
    let mut pending: Option<(&Script, &Command, ManagerCall)> = None;
    for (script, cmd) in run.commands() {
        let call = manager_call(cmd);
        if let Some(call) = call.as_ref().filter(|c| wanted(c) && c.fills_cache()) {
            pending = Some((script, cmd, call.clone()));
            continue;
        }
        let Some((_, _, p)) = &pending else {
            continue;
        };
        let yum_or_dnf = |program: &str| matches!(program, "yum" | "dnf" | "dnf5");
        let cleaned = call.as_ref().is_some_and(|c| {
            c.cleans()
                && (c.program == p.program || (yum_or_dnf(c.program) && yum_or_dnf(p.program)))
        }) || removes_dir(cmd, p.cache_dirs());
        if cleaned {
            pending = None;
        }
    }
    let (_, _, call) = pending.as_ref()?;
    if mounts_cache_on(run, call.cache_dirs()) {
        return None;
    }
    pending
}

/// Whether an RPM package spec names a version: `name-version`,
/// `name-epoch:version-release`, a `.rpm` file, a path or URL, or a
/// comparison (`"name >= 1.2"`, one quoted word). The part after a dash
/// must look like a version: only version characters, one part starting
/// with a digit.
pub fn rpm_spec_pinned(spec: &str) -> bool {
    let path = spec.starts_with('/') || spec.starts_with("./") || spec.contains("://");
    let comparison = spec.contains(' ') && spec.contains(['<', '>', '=']);
    if spec.ends_with(".rpm") || path || comparison {
        return true;
    }
    let mut parts = spec.split('-');
    parts.next();
    let rest: Vec<&str> = parts.collect();
    let version_char = |c: char| c.is_ascii_alphanumeric() || ".~^_:+".contains(c);
    !rest.is_empty()
        && rest.iter().all(|p| p.chars().all(version_char))
        && rest
            .iter()
            .any(|p| p.starts_with(|c: char| c.is_ascii_digit()))
}

/// A word with the ARG and ENV values in scope substituted; a variable
/// with no value there reads as empty, as the shell would.
pub fn substitute(text: &str, scope: &Scope) -> String {
    super::expand(text, &|name| {
        Some(scope.get(name).unwrap_or("").to_string())
    })
    .unwrap_or_else(|| text.to_string())
}

/// The edit that inserts ` text` right after a word of a RUN's script.
pub fn insert_after(run: &Run, script: &Script, word: &Word, text: &str) -> Edit {
    let at = script.word_span(run.ins, word).end;
    Edit::insert(at, format!(" {text}"))
}

/// How `&& command` joins the end of a script: after `;` a blank does;
/// after a background job, a dangling operator or an escape nothing can be
/// added.
fn joiner(end: &str) -> Option<&'static str> {
    match end.chars().last()? {
        ';' => Some(" "),
        '&' | '|' | '\\' | '`' => None,
        _ => Some(" && "),
    }
}

/// The edit that ends a RUN's script with `&& command`, when that can be
/// placed without changing what the rest of the script means: not after a
/// trailing comment, an open quote, a background job or a dangling
/// operator. In a heredoc body it joins the last line rather than adding
/// one, so that the script still fails when that line fails (a heredoc
/// script's status is its last command's).
pub fn append_command(cx: &Context, run: &Run, command: &str) -> Option<Edit> {
    let (script, _) = run.commands().last()?;
    match script.body_start() {
        Some(at) => {
            let doc = run
                .ins
                .heredocs
                .iter()
                .find(|h| h.content_span.start == at)?;
            if !script.is_complete() {
                return None;
            }
            let body = doc.content(&cx.df.text).trim_end();
            let line_start = body.rfind('\n').map_or(0, |i| i + 1);
            let last = &body[line_start..];
            if last.contains('#') {
                return None;
            }
            let joiner = joiner(last)?;
            Some(Edit::insert(
                doc.content_span.start + body.len(),
                format!("{joiner}{command}"),
            ))
        }
        None => {
            let (text, at) = run.ins.shell_text()?;
            if !run.ins.heredocs.is_empty()
                || text.contains(" #")
                || text.contains("\t#")
                || !run.command_line_complete()
            {
                return None;
            }
            let end = text.trim_end();
            let joiner = joiner(end)?;
            let last = run.ins.line.span(at + end.len() - 1, at + end.len());
            Some(Edit::insert(last.end, format!("{joiner}{command}")))
        }
    }
}

/// The file spans of the keys of an ENV or LABEL, in order, as written
/// (quotes included). Keys are found one after the other in the logical
/// line, each after the value before it.
pub fn pair_key_spans(ins: &Instruction) -> Vec<crate::syntax::Span> {
    let Args::KeyValues(pairs) = &ins.args else {
        return Vec::new();
    };
    let text = &ins.line.text;
    let mut at = ins
        .line
        .index_at_or_after(ins.keyword_span().end)
        .unwrap_or(text.len());
    let mut out = Vec::new();
    for pair in pairs {
        let Some(i) = text[at..].find(pair.key.as_str()) else {
            break;
        };
        let start = at + i;
        out.push(ins.line.span(start, start + pair.key.len()));
        at = start + pair.key.len();
        if let Some(j) = text[at..].find(pair.value.as_str()) {
            at += j + pair.value.len();
        }
    }
    out
}

/// The value types a label schema (hadolint's `label-schema`) gives.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LabelKind {
    Text,
    Url,
    Semver,
    Hash,
    Rfc3339,
    Spdx,
    Email,
}

impl LabelKind {
    /// A type as a schema writes it: `url`, or hadolint's own spellings
    /// (`Url`, `RawText`, `GitHash`), any case.
    pub fn parse(name: &str) -> Option<LabelKind> {
        Some(match name.trim().to_ascii_lowercase().as_str() {
            "text" | "rawtext" => LabelKind::Text,
            "url" => LabelKind::Url,
            "semver" => LabelKind::Semver,
            "hash" | "githash" => LabelKind::Hash,
            "rfc3339" => LabelKind::Rfc3339,
            "spdx" => LabelKind::Spdx,
            "email" => LabelKind::Email,
            _ => return None,
        })
    }
}

/// One key and value of a LABEL instruction, quotes removed.
#[derive(Debug, Clone)]
pub struct LabelPair<'a> {
    pub item: usize,
    pub ins: &'a Instruction,
    pub key: String,
    pub value: String,
    /// Where the key is written (the instruction's keyword when not found).
    pub key_span: crate::syntax::Span,
}

/// Every pair of every LABEL of the file, in order. An `ONBUILD LABEL`
/// labels the images built on this one, not this one, and is left out.
pub fn label_pairs<'a>(cx: &Context<'a>) -> Vec<LabelPair<'a>> {
    let mut out = Vec::new();
    for (item, ins) in cx.df.instructions_of(&[Keyword::Label]) {
        let Args::KeyValues(pairs) = &ins.args else {
            continue;
        };
        let spans = pair_key_spans(ins);
        for (n, pair) in pairs.iter().enumerate() {
            out.push(LabelPair {
                item,
                ins,
                key: super::unquote(&pair.key),
                value: super::unquote(&pair.value),
                key_span: spans.get(n).copied().unwrap_or(ins.keyword_span()),
            });
        }
    }
    out
}

/// The type the configured schema gives a label, if it names it.
pub fn schema_kind(cx: &Context, key: &str) -> Option<LabelKind> {
    cx.options
        .label_schema
        .iter()
        .find(|(label, _)| label == key)
        .and_then(|(_, kind)| LabelKind::parse(kind))
}

/// The labels of type `kind` in the schema whose value is set, fully known
/// (no variable) and not `valid`.
pub fn invalid_labels<'a>(
    cx: &Context<'a>,
    kind: LabelKind,
    valid: fn(&str) -> bool,
) -> Vec<LabelPair<'a>> {
    if cx.options.label_schema.is_empty() {
        return Vec::new();
    }
    label_pairs(cx)
        .into_iter()
        .filter(|p| {
            schema_kind(cx, &p.key) == Some(kind)
                && !p.value.is_empty()
                && !p.value.contains('$')
                && !valid(&p.value)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::syntax::shell::commands;

    fn call(script: &str) -> (Family, String, Vec<String>) {
        let cmds = commands(script);
        let c = manager_call(&cmds[0]).unwrap();
        let ops = c.operands().iter().map(|w| w.text.to_string()).collect();
        (c.family, c.sub.to_string(), ops)
    }

    #[test]
    fn reads_subcommands_and_operands_past_options() {
        assert_eq!(
            call("dnf -y --setopt=a=b -c /etc/x.conf in foo bar"),
            (
                Family::Dnf,
                "install".into(),
                vec!["foo".into(), "bar".into()]
            )
        );
        assert_eq!(
            call("sudo yum --enablerepo epel install -y tomcat"),
            (Family::Yum, "install".into(), vec!["tomcat".into()])
        );
        assert_eq!(
            call("zypper -n --root /mnt dup"),
            (Family::Zypper, "dist-upgrade".into(), vec![])
        );
        assert!(manager_call(&commands("notdnf install x")[0]).is_none());
    }

    #[test]
    fn options_in_clusters_and_long_forms() {
        let cmds = commands("dnf -qy install a && yum install --assumeyes b && dnf install c");
        let y = |i: usize| {
            manager_call(&cmds[i])
                .unwrap()
                .has_option(&["--assumeyes"], &['y'])
        };
        assert!(y(0) && y(1) && !y(2));
    }

    #[test]
    fn command_substitutions() {
        assert_eq!(
            substitutions("V=$(curl -s u | jq -r .t)-$(uname -m)$(<f)"),
            ["curl -s u | jq -r .t", "uname -m"]
        );
        let cmds = commands("X=\"$(curl -s u | jq .t)\" && echo");
        let nested = nested_commands(&cmds[0]);
        assert_eq!(nested.len(), 2);
        assert_eq!(nested[0].terminator(), "|");
    }

    #[test]
    fn rpm_versions() {
        for pinned in [
            "tomcat-9.0.1",
            "gcc-c++-1.1.1",
            "openssl-1:1.1.1k",
            "rpm-sign-4.16.1.3",
            "/tmp/x.rpm",
            "https://example.com/x",
        ] {
            assert!(rpm_spec_pinned(pinned), "{pinned}");
        }
        assert!(rpm_spec_pinned("foo >= 1.2"));
        for loose in [
            "tomcat",
            "rpm-sign",
            "git-core-",
            "perl-Digest-SHA1",
            "java-*",
            "$(<packages)",
            "cuda-toolkit-${V//./-}",
        ] {
            assert!(!rpm_spec_pinned(loose), "{loose}");
        }
    }
}
