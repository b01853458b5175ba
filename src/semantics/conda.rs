//! conda, mamba and micromamba: which calls download packages into the
//! package cache (`pkgs/`), which calls empty it, and the `conda run`
//! prefix that runs another program inside an environment.

use super::commands::{basename, resolve};
use crate::syntax::shell::{Command, Word};

/// The programs that share conda's command line and package cache layout.
pub const PROGRAMS: &[&str] = &["conda", "mamba", "micromamba"];

/// Options, global or of `run`, written apart from their value: the next
/// word is the value, not the subcommand or the program to run.
const TAKES_VALUE: &[&str] = &[
    "-n",
    "--name",
    "-p",
    "--prefix",
    "--cwd",
    "-a",
    "--attach",
    "-r",
    "--root-prefix",
    "--rc-file",
    "-e",
    "--env",
    "--label",
    "-c",
    "--channel",
    "-f",
    "--file",
];

/// Subcommands that download packages into the cache, with the word after
/// them when they are two words (`env create`).
const FILLS_CACHE: &[(&str, Option<&str>)] = &[
    ("install", None),
    ("create", None),
    ("update", None),
    ("upgrade", None),
    ("env", Some("create")),
    ("env", Some("update")),
];

/// A call of conda, mamba or micromamba with its subcommand found.
#[derive(Debug, Clone)]
pub struct CondaCall<'a> {
    /// The program word and its arguments, prefixes (`sudo`, `VAR=1`) removed.
    pub words: &'a [Word],
    /// The environment assignments in front of the program.
    pub env: Vec<(&'a str, &'a str)>,
    /// Index in `words` of the subcommand word.
    pub sub_at: usize,
}

/// The index of the first word of `words[from..]` that is neither an
/// option nor an option's value.
fn first_operand(words: &[Word], from: usize) -> Option<usize> {
    let mut i = from;
    while i < words.len() {
        let w = words[i].text.as_str();
        if !w.starts_with('-') || w == "-" {
            return Some(i);
        }
        // `--name=env` carries its value.
        i += if TAKES_VALUE.contains(&w) { 2 } else { 1 };
    }
    None
}

/// Recognise `conda`, `mamba` or `micromamba` with a subcommand.
pub fn conda_call(cmd: &Command) -> Option<CondaCall<'_>> {
    let resolved = resolve(cmd);
    if !PROGRAMS.contains(&resolved.program()) {
        return None;
    }
    let sub_at = first_operand(resolved.words, 1)?;
    Some(CondaCall {
        words: resolved.words,
        env: resolved.env,
        sub_at,
    })
}

impl<'a> CondaCall<'a> {
    /// The program word as written (`conda`, `/opt/conda/bin/mamba`).
    pub fn program_word(&self) -> &'a Word {
        &self.words[0]
    }

    /// The program's name without its directory.
    pub fn program(&self) -> &'a str {
        basename(&self.words[0].text)
    }

    pub fn sub(&self) -> &'a str {
        self.words[self.sub_at].text.as_str()
    }

    /// The subcommand's second word, for `env create` and the like.
    fn inner_sub(&self) -> Option<&'a str> {
        let at = first_operand(self.words, self.sub_at + 1)?;
        Some(self.words[at].text.as_str())
    }

    /// The subcommand as a user reads it: `install`, `env create`.
    pub fn describe(&self) -> String {
        match (self.sub(), self.inner_sub()) {
            ("env", Some(inner)) => format!("env {inner}"),
            (sub, _) => sub.to_string(),
        }
    }

    /// Whether the call downloads packages into the package cache.
    pub fn fills_cache(&self) -> bool {
        let sub = self.sub();
        FILLS_CACHE.iter().any(|(s, inner)| {
            *s == sub
                && match inner {
                    None => true,
                    Some(i) => self.inner_sub() == Some(*i),
                }
        })
    }

    /// Whether an option is given, long (`--all`) or as a letter alone or
    /// in a cluster (`-a`, `-afy`, `-tipsy`).
    fn has(&self, long: &str, short: char) -> bool {
        self.words[self.sub_at + 1..].iter().any(|w| {
            let t = w.text.as_str();
            t == long
                || (!t.starts_with("--")
                    && t.len() > 1
                    && t.starts_with('-')
                    && t[1..].chars().all(|c| c.is_ascii_alphabetic())
                    && t[1..].contains(short))
        })
    }

    /// Whether the call empties the package cache: `clean --all` (`-a`),
    /// `--force-pkgs-dirs` (`-f`), or both `--tarballs` and `--packages`
    /// (the old `conda clean -tipsy`). Tarballs alone leave the unpacked
    /// packages, which are the larger part.
    pub fn cleans(&self) -> bool {
        self.sub() == "clean"
            && (self.has("--all", 'a')
                || self.has("--force-pkgs-dirs", 'f')
                || (self.has("--tarballs", 't') && self.has("--packages", 'p')))
    }

    /// The value of an environment variable given in front of the program.
    pub fn env_value(&self, name: &str) -> Option<&str> {
        self.env
            .iter()
            .rev()
            .find(|(k, _)| *k == name)
            .map(|(_, v)| *v)
    }
}

/// Whether a path is a conda package cache: a `pkgs` directory
/// (`/opt/conda/pkgs`, `$CONDA_DIR/pkgs`, `~/.conda/pkgs`,
/// `$MAMBA_ROOT_PREFIX/pkgs`) or what is in one.
pub fn is_pkgs_dir(path: &str) -> bool {
    let p = path.trim_end_matches(['*', '/']);
    p == "pkgs" || p.ends_with("/pkgs")
}

/// Whether a command deletes a conda package cache with `rm`.
pub fn removes_pkgs(cmd: &Command) -> bool {
    let r = resolve(cmd);
    r.program() == "rm" && r.words[1..].iter().any(|w| is_pkgs_dir(&w.text))
}

/// For `conda run -n env pip install x` (or mamba's, micromamba's): the
/// command it runs, `pip install x`, with its words where they are in the
/// script, so that rules read it like any command and spans stay right.
pub fn run_target(cmd: &Command) -> Option<Command> {
    let call = conda_call(cmd)?;
    if call.sub() != "run" {
        return None;
    }
    let at = first_operand(call.words, call.sub_at + 1)?;
    Some(Command::new(call.words[at..].to_vec(), cmd.terminator()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::syntax::shell::commands;

    fn call(script: &str) -> CondaCall<'static> {
        let cmds: &'static [Command] = Box::leak(commands(script).into_boxed_slice());
        conda_call(&cmds[0]).unwrap()
    }

    #[test]
    fn installs_fill_the_cache_and_cleans_empty_it() {
        assert!(call("conda install -y -c conda-forge numpy").fills_cache());
        assert!(call("mamba create -n x python=3.11").fills_cache());
        assert!(call("micromamba -r /opt/m install -y -f env.yaml").fills_cache());
        assert!(call("conda env create -f environment.yml").fills_cache());
        assert_eq!(call("conda env create -f e.yml").describe(), "env create");
        assert!(!call("conda env list").fills_cache());
        assert!(!call("conda activate base").fills_cache());
        for clean in [
            "conda clean -afy",
            "conda clean -ya",
            "conda clean --all --yes",
            "conda clean -tipsy",
            "micromamba clean --all --yes",
            "mamba clean -f -y",
        ] {
            assert!(call(clean).cleans(), "{clean}");
        }
        assert!(!call("conda clean -ty").cleans());
        assert!(!call("conda install -a").cleans());
    }

    #[test]
    fn conda_run_gives_the_command_it_runs() {
        let cmds = commands("conda run -n py311 --no-capture-output pip install x");
        let inner = run_target(&cmds[0]).unwrap();
        let words: Vec<&str> = inner.args().collect();
        assert_eq!(words, ["pip", "install", "x"]);
        // Spans are the script's.
        assert_eq!(inner.start(), cmds[0].words[5].start());
        assert!(run_target(&commands("conda install pip")[0]).is_none());
        assert!(
            run_target(&commands("micromamba run -a '' -n base python -m pip install y")[0])
                .is_some()
        );
    }

    #[test]
    fn package_caches() {
        let cmds = commands("rm -rf /opt/conda/pkgs/* && rm -rf /tmp/pkgsx");
        assert!(removes_pkgs(&cmds[0]));
        assert!(!removes_pkgs(&cmds[1]));
    }
}
