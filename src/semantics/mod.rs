//! What a Dockerfile means, beyond its syntax: build stages and how they
//! chain, which stages ship in the final image, ARG/ENV values in scope, the
//! effective USER, and the shell scripts a RUN executes.

pub mod commands;
pub mod images;
mod vars;

use std::collections::HashMap;

use crate::syntax::{Args, Dockerfile, Instruction, ItemKind, Keyword, Span};
pub use vars::expand;

/// One build stage: a FROM and the instructions up to the next FROM.
#[derive(Debug, Clone)]
pub struct Stage {
    /// The stage name after `AS`, lower-cased.
    pub name: Option<String>,
    /// Index into `Dockerfile::items` of the FROM.
    pub from_item: usize,
    /// The image reference as written.
    pub base_raw: String,
    /// The image reference with global ARG defaults substituted, when they resolve.
    pub base: Option<String>,
    /// The earlier stage this one is built `FROM`, if any.
    pub parent: Option<usize>,
    /// Item indexes of the stage's instructions after its FROM.
    pub items: Vec<usize>,
}

/// The stage structure of a file.
#[derive(Debug, Clone)]
pub struct Model {
    pub stages: Vec<Stage>,
    /// Index of the stage that is built (the last, or `--target`).
    pub final_stage: Option<usize>,
    /// ARGs declared before the first FROM, with their defaults.
    pub global_args: HashMap<String, Option<String>>,
}

impl Model {
    /// Build the model; `target` names the stage to build (like `docker build --target`).
    pub fn new(df: &Dockerfile, target: Option<&str>) -> Model {
        let mut stages: Vec<Stage> = Vec::new();
        let mut global_args = HashMap::new();
        for (idx, item) in df.items.iter().enumerate() {
            let ItemKind::Instruction(ins) = &item.kind else {
                continue;
            };
            match ins.keyword {
                Keyword::From => {
                    let words = ins.words();
                    let base_raw = words.first().cloned().unwrap_or_default();
                    let name = words.get(2).map(|n| n.to_ascii_lowercase());
                    let base = expand(&base_raw, &|k| {
                        global_args.get(k).cloned().flatten().or_else(|| {
                            // Automatic platform ARGs have values in every build.
                            predefined(k).map(str::to_string)
                        })
                    });
                    // `FROM builder` or `FROM build-$TARGETOS`: an earlier stage.
                    let reference = base.as_deref().unwrap_or(&base_raw).to_ascii_lowercase();
                    let parent = stages
                        .iter()
                        .rposition(|s| s.name.as_deref() == Some(reference.as_str()));
                    stages.push(Stage {
                        name,
                        from_item: idx,
                        base_raw,
                        base,
                        parent,
                        items: Vec::new(),
                    });
                }
                _ if stages.is_empty() => {
                    if ins.keyword == Keyword::Arg {
                        for (k, v) in arg_pairs(ins) {
                            global_args.insert(k, v);
                        }
                    }
                }
                _ => {
                    if let Some(stage) = stages.last_mut() {
                        stage.items.push(idx);
                    }
                }
            }
        }
        let final_stage = match target {
            Some(t) => stages
                .iter()
                .position(|s| s.name.as_deref() == Some(&t.to_ascii_lowercase())),
            None => stages.len().checked_sub(1),
        };
        Model {
            stages,
            final_stage,
            global_args,
        }
    }

    /// The stage and its ancestors by `FROM`, the stage itself first.
    pub fn chain(&self, stage: usize) -> Vec<usize> {
        let mut out = vec![stage];
        let mut at = stage;
        while let Some(p) = self.stages[at].parent {
            if out.contains(&p) {
                break;
            }
            out.push(p);
            at = p;
        }
        out
    }

    /// Whether the stage ends up in the final image: it is the final stage
    /// or one it descends from by `FROM`. Stages only used by `COPY --from`
    /// do not ship.
    pub fn ships(&self, stage: usize) -> bool {
        self.final_stage
            .is_some_and(|f| self.chain(f).contains(&stage))
    }

    /// The external image at the root of a stage's chain.
    pub fn root_base(&self, stage: usize) -> Option<&str> {
        let chain = self.chain(stage);
        let root = *chain.last()?;
        self.stages[root].base.as_deref()
    }

    /// The stage an item belongs to.
    pub fn stage_of(&self, item: usize) -> Option<usize> {
        self.stages.iter().rposition(|s| s.from_item <= item)
    }

    /// Every instruction that applies to a stage's image, oldest first:
    /// those of its ancestors, then its own.
    pub fn lineage(&self, stage: usize) -> Vec<usize> {
        let mut chain = self.chain(stage);
        chain.reverse();
        chain
            .into_iter()
            .flat_map(|s| self.stages[s].items.iter().copied())
            .collect()
    }

    /// ARG and ENV values in scope just before `item` in `stage`.
    pub fn scope(&self, df: &Dockerfile, stage: usize, item: usize) -> Scope {
        let mut vars: HashMap<String, String> = HashMap::new();
        for idx in self.lineage(stage) {
            if idx >= item {
                break;
            }
            let ItemKind::Instruction(ins) = &df.items[idx].kind else {
                continue;
            };
            match &ins.args {
                Args::KeyValues(kvs) if ins.keyword == Keyword::Env => {
                    let before = vars.clone();
                    for kv in kvs {
                        let lookup = |k: &str| before.get(k).cloned();
                        let value = expand(&unquote(&kv.value), &lookup)
                            .unwrap_or_else(|| unquote(&kv.value));
                        vars.insert(kv.key.clone(), value);
                    }
                }
                _ if ins.keyword == Keyword::Arg => {
                    for (k, v) in arg_pairs(ins) {
                        let value = v
                            .and_then(|v| expand(&v, &|n| vars.get(n).cloned()))
                            .or_else(|| self.global_args.get(&k).cloned().flatten());
                        if let Some(value) = value {
                            vars.entry(k).or_insert(value);
                        }
                    }
                }
                _ => {}
            }
        }
        Scope { vars }
    }

    /// The user the stage's instructions run as just before `item`: the
    /// last USER in its lineage, or `None` when no USER was set (the base
    /// image's default).
    pub fn user_at(&self, df: &Dockerfile, stage: usize, item: usize) -> Option<UserSetting> {
        let mut user = None;
        for idx in self.lineage(stage) {
            if idx >= item {
                break;
            }
            if let ItemKind::Instruction(ins) = &df.items[idx].kind {
                if let (Keyword::User, Args::Text(text)) = (ins.keyword, &ins.args) {
                    let scope = self.scope(df, stage, idx);
                    user = Some(UserSetting {
                        item: idx,
                        raw: text.clone(),
                        resolved: expand(text, &|k| scope.get(k).map(str::to_string)),
                    });
                }
            }
        }
        user
    }
}

/// A USER instruction in effect.
#[derive(Debug, Clone)]
pub struct UserSetting {
    pub item: usize,
    pub raw: String,
    /// The value with variables substituted, when they resolve.
    pub resolved: Option<String>,
}

impl UserSetting {
    /// Root by name or uid, ignoring any group.
    pub fn is_root(&self) -> bool {
        self.resolved.as_deref().is_some_and(|u| {
            let name = u.split(':').next().unwrap_or(u).trim();
            name == "root" || name == "0" || name.eq_ignore_ascii_case("ContainerAdministrator")
        })
    }

    /// The user name or uid without a group.
    pub fn name(&self) -> &str {
        let u = self.resolved.as_deref().unwrap_or(&self.raw);
        u.split(':').next().unwrap_or(u).trim()
    }
}

/// Variables in scope at one point of a stage.
#[derive(Debug, Clone, Default)]
pub struct Scope {
    vars: HashMap<String, String>,
}

impl Scope {
    pub fn get(&self, name: &str) -> Option<&str> {
        self.vars.get(name).map(String::as_str)
    }

    /// A variable set to a value pip or uv reads as "on".
    pub fn truthy(&self, name: &str) -> bool {
        self.get(name).is_some_and(truthy)
    }
}

/// The values pip and uv read as "off" are the only falsy ones.
pub fn truthy(value: &str) -> bool {
    !matches!(
        value.trim().to_ascii_lowercase().as_str(),
        "" | "0" | "false" | "no" | "off"
    )
}

/// BuildKit's automatic platform ARGs, with the values of a linux/amd64 build.
fn predefined(name: &str) -> Option<&'static str> {
    Some(match name {
        "TARGETPLATFORM" | "BUILDPLATFORM" => "linux/amd64",
        "TARGETOS" | "BUILDOS" => "linux",
        "TARGETARCH" | "BUILDARCH" => "amd64",
        _ => return None,
    })
}

/// `name` or `name=default` pairs of an ARG, quotes removed from defaults.
fn arg_pairs(ins: &Instruction) -> Vec<(String, Option<String>)> {
    ins.words()
        .iter()
        .map(|w| match w.split_once('=') {
            Some((k, v)) => (k.to_string(), Some(unquote(v))),
            None => (w.clone(), None),
        })
        .collect()
}

/// Remove one level of shell quoting from an ARG or ENV value.
pub fn unquote(value: &str) -> String {
    let v = value.trim();
    if v.len() >= 2
        && ((v.starts_with('"') && v.ends_with('"')) || (v.starts_with('\'') && v.ends_with('\'')))
    {
        return v[1..v.len() - 1].to_string();
    }
    v.to_string()
}

/// A shell script a RUN executes: its text and where that text lives.
#[derive(Debug, Clone)]
pub struct Script {
    pub text: String,
    origin: Origin,
}

#[derive(Debug, Clone, Copy)]
enum Origin {
    /// In the instruction's logical line, from this logical offset.
    Line(usize),
    /// A heredoc body, from this file offset.
    File(usize),
}

impl Script {
    /// The file span of the script range `[start, end)`.
    pub fn span(&self, ins: &Instruction, start: usize, end: usize) -> Span {
        match self.origin {
            Origin::Line(at) => ins.line.span(at + start, at + end),
            Origin::File(at) => Span::new(at + start, at + end),
        }
    }

    /// The scripts of a RUN: its shell-form command line, and the heredoc
    /// bodies that the shell runs (`RUN <<EOF`, `RUN bash <<EOF`), but not
    /// bodies fed to another program (`RUN python3 <<EOF`).
    pub fn of(ins: &Instruction) -> Vec<Script> {
        let mut out = Vec::new();
        let Some((text, start)) = ins.shell_text() else {
            return out;
        };
        out.push(Script {
            text: text.to_string(),
            origin: Origin::Line(start),
        });
        let program: Vec<&str> = text
            .split_whitespace()
            .filter(|w| !w.contains("<<") && !ins.heredocs.iter().any(|h| w.contains(&h.name)))
            .collect();
        let shell_runs_body = match program.first() {
            None => true,
            Some(p) => {
                let base = p.rsplit('/').next().unwrap_or(p);
                matches!(base, "sh" | "bash" | "dash" | "ash" | "zsh")
            }
        };
        for doc in &ins.heredocs {
            let interpreter = doc.content.lines().next().unwrap_or("");
            let shebang_other = interpreter.starts_with("#!")
                && !["sh", "bash", "dash", "ash"].iter().any(|s| {
                    interpreter.ends_with(&format!("/{s}"))
                        || interpreter.ends_with(&format!(" {s}"))
                });
            if shell_runs_body && !shebang_other && ins.keyword == Keyword::Run {
                out.push(Script {
                    text: doc.content.clone(),
                    origin: Origin::File(doc.content_span.start),
                });
            }
        }
        out
    }
}
