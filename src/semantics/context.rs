//! What a rule or the rewrite sees of one file: its syntax tree, its
//! semantic model, and every RUN split into shell commands once.

use std::sync::OnceLock;

use foldhash::HashMap;

use super::build_context::ContextFiles;
use super::cuda::{cuda_base, CudaBase};
use super::dockerignore::DockerIgnore;
use super::{Model, Profile, Script};
use crate::syntax::shell::{self, Command};
use crate::syntax::{Dockerfile, Instruction, Item, ItemKind, Keyword, Span};

/// A file, understood: built once per lint and shared by every rule.
pub struct Context<'a> {
    pub df: &'a Dockerfile,
    pub model: Model,
    /// The file's name, for rules that read intent from it (`Dockerfile.train`).
    pub file_name: Option<&'a str>,
    /// What the image is for when the file does not say.
    pub profile: Profile,
    /// Rule options from the settings (registries, label schema).
    pub options: RuleOptions,
    /// The build context's ignore file, when the file has a build context
    /// (it was read from a directory, not from standard input).
    pub dockerignore: Option<&'a DockerIgnore>,
    /// The build context's files and sizes, when the file has a build
    /// context on disk (or given as a listing).
    pub context_files: Option<&'a ContextFiles>,
    runs: Vec<Run<'a>>,
    /// For each item, the index of its RUN in `runs` (`NO_RUN` for none):
    /// rules ask at every item, and a search per item grew with the file.
    run_index: Vec<u32>,
    /// The RUN triggers of `ONBUILD RUN ...`, split the same way, read
    /// once for the rules that ask about them.
    triggers: Vec<Run<'a>>,
    /// What each stage's base image brings of CUDA, worked out on first
    /// use: several rules ask at every RUN.
    cuda_bases: OnceLock<Vec<Option<CudaBase>>>,
    /// The COPYs and ADDs from the build context by where they put their
    /// files, worked out on first use (see [`Context::context_copies_onto`]).
    context_copies: OnceLock<CopyTargets>,
}

/// What a [`Context`] owns beyond the file it reads: the model and every
/// RUN's commands, millions of small blocks in a large file. Given back by
/// [`Context::into_leftovers`] so that they can be freed off the caller's
/// path.
pub struct Leftovers {
    _model: Model,
    _commands: Vec<Vec<Command>>,
}

/// The file size from which a context is built on every core (and the
/// rules run in parallel, see `lint`). Below it, waking the worker threads
/// costs more than it saves: a typical Dockerfile is a few kilobytes.
pub const PARALLEL_FROM: usize = 256 * 1024;

/// No RUN at this item, in [`Context`]'s index.
const NO_RUN: u32 = u32::MAX;

/// What some rules read from the settings: the registries `FROM` may pull
/// from and the labels every image must carry. Empty means "not configured".
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RuleOptions {
    /// Registry host names or patterns (`*.gcr.io`, `*`).
    pub trusted_registries: Vec<String>,
    /// Label name -> value type (`text`, `url`, `semver`, ...), in order.
    pub label_schema: Vec<(String, String)>,
    /// Whether a label outside the schema is a finding.
    pub strict_labels: bool,
}

/// A RUN with its scripts split into commands.
pub struct Run<'a> {
    pub stage: usize,
    pub item: usize,
    pub ins: &'a Instruction,
    pub scripts: Vec<(Script<'a>, Vec<Command>)>,
}

impl<'a> Run<'a> {
    /// A RUN (or an ONBUILD's RUN trigger) at `item` of `stage`, its
    /// scripts split into commands.
    fn split(file_text: &'a str, stage: usize, item: usize, ins: &'a Instruction) -> Run<'a> {
        let scripts = Script::of(file_text, ins)
            .into_iter()
            .map(|s| {
                let cmds = shell::commands(&s.text);
                (s, cmds)
            })
            .collect();
        Run {
            stage,
            item,
            ins,
            scripts,
        }
    }

    /// The file span of a command of one of this RUN's scripts.
    pub fn command_span(&self, script: &Script, cmd: &Command) -> Span {
        script.span(self.ins, cmd.start(), cmd.end())
    }

    /// Targets of this RUN's `--mount`s of type cache or tmpfs.
    pub fn cache_mounts(&self) -> Vec<String> {
        mount_targets(self.ins, &["cache", "tmpfs"])
    }

    /// Whether the RUN's shell-form command line closes every quote and
    /// substitution it opens (false when it has none).
    pub fn command_line_complete(&self) -> bool {
        match self.scripts.iter().find(|(s, _)| s.is_command_line()) {
            Some((s, _)) => s.is_complete(),
            None => self
                .ins
                .shell_text()
                .is_some_and(|(t, _)| super::commands::is_complete_script(t)),
        }
    }

    /// The RUN's commands in execution order, across its scripts.
    pub fn commands(&self) -> impl Iterator<Item = (&Script<'_>, &Command)> {
        self.scripts
            .iter()
            .flat_map(|(s, cmds)| cmds.iter().map(move |c| (s, c)))
    }
}

/// `target`s of a RUN's mounts of the given types.
pub fn mount_targets(ins: &Instruction, types: &[&str]) -> Vec<String> {
    ins.flags
        .iter()
        .filter(|f| f.name().eq_ignore_ascii_case("mount"))
        .filter_map(|f| {
            let fields = f.fields();
            let get = |keys: &[&str]| {
                fields
                    .iter()
                    .find(|(k, _)| keys.contains(&k.as_str()))
                    .map(|(_, v)| v.clone())
            };
            let kind = get(&["type"]).unwrap_or_else(|| "bind".into());
            if !types.contains(&kind.as_str()) {
                return None;
            }
            get(&["target", "dst", "destination"]).map(|t| t.trim_end_matches('/').to_string())
        })
        .collect()
}

impl<'a> Context<'a> {
    /// Understand a file: its stages (`target` names the one that is built),
    /// and every RUN's commands.
    pub fn new(
        df: &'a Dockerfile,
        target: Option<&str>,
        file_name: Option<&'a str>,
        profile: Profile,
    ) -> Context<'a> {
        // Splitting every RUN into commands is most of the context's time
        // and needs no model: on a large file the two are built side by
        // side, and the RUNs are split on every core.
        let (model, split) = if df.text.len() >= PARALLEL_FROM {
            rayon::join(|| Model::new(df, target), || split_runs(df, true))
        } else {
            (Model::new(df, target), split_runs(df, false))
        };
        let runs: Vec<Run<'a>> = split
            .into_iter()
            .filter_map(|mut run| {
                // A RUN before the first FROM belongs to no stage (and is
                // not a valid file): no rule sees it.
                run.stage = model.stage_of(run.item)?;
                Some(run)
            })
            .collect();
        let mut run_index = vec![NO_RUN; df.items.len()];
        for (n, run) in runs.iter().enumerate() {
            run_index[run.item] = u32::try_from(n).unwrap_or(NO_RUN);
        }
        let triggers = onbuild_runs(df, &model);
        Context {
            df,
            model,
            file_name,
            profile,
            options: RuleOptions::default(),
            dockerignore: None,
            context_files: None,
            runs,
            run_index,
            triggers,
            cuda_bases: OnceLock::new(),
            context_copies: OnceLock::new(),
        }
    }

    /// The items of the COPYs and ADDs from the build context (no
    /// `--from`) that may have put a file at `target` (an absolute, normal
    /// path in the image), in file order: those with a source that lands
    /// exactly there, and those into `target`'s directory or one above it
    /// with a source that is a directory of the context at `dir` or a
    /// pattern. Where a file in the image came from is asked for every
    /// `pip install -r FILE`: an index, not a walk back through every
    /// earlier COPY for each (a generated file of thousands of COPY and
    /// install pairs took seconds). `dir` is the same for every call.
    pub fn context_copies_onto(&self, dir: &std::path::Path, target: &str) -> Vec<usize> {
        let index = self
            .context_copies
            .get_or_init(|| CopyTargets::new(self, dir));
        let mut items: Vec<usize> = index.exact.get(target).cloned().unwrap_or_default();
        let above = target.match_indices('/').map(|(i, _)| &target[..i]);
        for d in above.chain([target.trim_end_matches('/')]) {
            items.extend(index.under.get(d).into_iter().flatten());
        }
        items.sort_unstable();
        items.dedup();
        items
    }

    /// What the base image of a stage's chain brings of CUDA (see
    /// [`cuda_base`]), read once per chain rather than once per question.
    pub fn cuda_base(&self, stage: usize) -> Option<CudaBase> {
        let bases = self.cuda_bases.get_or_init(|| {
            let mut bases: Vec<Option<CudaBase>> = Vec::with_capacity(self.model.stages.len());
            for s in 0..self.model.stages.len() {
                // A stage is built on an earlier one: its root's is known.
                let base = match self.model.root(s) {
                    Some(root) if root < s => bases[root],
                    _ => self.model.root_base(s).and_then(cuda_base),
                };
                bases.push(base);
            }
            bases
        });
        bases.get(stage).copied().flatten()
    }

    /// Give up the borrowed parts and keep what the context owns.
    pub fn into_leftovers(self) -> Leftovers {
        let commands = self
            .runs
            .into_iter()
            .chain(self.triggers)
            .flat_map(|run| run.scripts.into_iter().map(|(_, commands)| commands))
            .collect();
        Leftovers {
            _model: self.model,
            _commands: commands,
        }
    }

    /// Every RUN of the file, in file order.
    pub fn runs(&self) -> &[Run<'a>] {
        &self.runs
    }

    /// The RUN triggers of `ONBUILD RUN ...`, split into commands like any
    /// RUN, in file order. They run in the images built on this one, so
    /// rules that hold for every RUN hold for them too.
    pub fn triggers(&self) -> &[Run<'a>] {
        &self.triggers
    }

    /// Every RUN in a stage that ships in the final image, in file order.
    pub fn shipping_runs(&self) -> Vec<&Run<'a>> {
        self.runs
            .iter()
            .filter(|r| self.model.ships(r.stage))
            .collect()
    }

    /// Every RUN of a stage and of the stages it is built on, in file order.
    pub fn lineage_runs(&self, stage: usize) -> Vec<&Run<'a>> {
        // A mask, not a search of the chain per RUN: chains can be long.
        let mut member = vec![false; self.model.stages.len()];
        for s in self.model.chain(stage) {
            member[s] = true;
        }
        self.runs.iter().filter(|r| member[r.stage]).collect()
    }

    /// The RUN at an item, if that item is one.
    pub fn run_at(&self, item: usize) -> Option<&Run<'a>> {
        let n = *self.run_index.get(item)?;
        self.runs.get(n as usize)
    }

    pub fn instruction(&self, item: usize) -> Option<&'a Instruction> {
        match &self.df.items.get(item)?.kind {
            ItemKind::Instruction(ins) => Some(ins),
            _ => None,
        }
    }

    /// The span of a FROM's image word, or of its keyword when not found.
    pub fn from_image_span(&self, item: usize) -> Span {
        let Some(ins) = self.instruction(item) else {
            return Span::default();
        };
        let image = ins.words().first().map(|w| w.as_str()).unwrap_or("");
        let after_flags = ins
            .flags
            .last()
            .map_or(ins.keyword_span().end, |f| f.span.end);
        let text = &ins.line.text;
        let from = ins.line.index_at_or_after(after_flags).unwrap_or(0);
        match text[from..].find(image) {
            Some(i) if !image.is_empty() => ins.line.span(from + i, from + i + image.len()),
            _ => ins.keyword_span(),
        }
    }
}

/// The COPYs and ADDs from the build context by where their sources land.
#[derive(Default)]
struct CopyTargets {
    /// By the one path a source lands on: a file (or a name the context
    /// lacks) copied into a directory lands at `dir/name`, and onto a
    /// destination that is not a directory at the destination.
    exact: HashMap<String, Vec<usize>>,
    /// By destination, without a trailing `/` (`""` for `/`): the COPYs
    /// with a source that can land anywhere under it, a directory of the
    /// context or a pattern.
    under: HashMap<String, Vec<usize>>,
}

impl CopyTargets {
    fn new(cx: &Context, dir: &std::path::Path) -> CopyTargets {
        let mut index = CopyTargets::default();
        for (item, ins) in cx.df.instructions_of(&[Keyword::Copy, Keyword::Add]) {
            if ins.flag("from").is_some() {
                continue;
            }
            let Some(stage) = cx.model.stage_of(item) else {
                continue;
            };
            let Some(dest_abs) = copy_destination(&cx.model, stage, item, ins) else {
                continue;
            };
            let words = ins.words();
            let Some((dest, sources)) = words.split_last() else {
                continue;
            };
            let into_dir = dest.ends_with('/') || dest.ends_with('.') || sources.len() > 1;
            let under = dest_abs.trim_end_matches('/');
            let push = |map: &mut HashMap<String, Vec<usize>>, key: String| {
                let items = map.entry(key).or_default();
                if items.last() != Some(&item) {
                    items.push(item);
                }
            };
            for source in sources.iter().filter(|s| !s.starts_with("<<")) {
                let source = super::requirements::clean(source);
                let name = source.rsplit_once('/').map_or(source.as_str(), |(_, n)| n);
                if source.is_empty() || name.contains(['*', '?']) || dir.join(&source).is_dir() {
                    push(&mut index.under, under.to_string());
                } else {
                    push(&mut index.exact, format!("{under}/{name}"));
                    if !into_dir {
                        push(&mut index.exact, dest_abs.clone());
                    }
                }
            }
        }
        index
    }
}

/// Where a COPY or ADD at `item` of `stage` puts its files, made absolute
/// against the working directory there (`/` when unknown); `None` when it
/// names no destination.
pub fn copy_destination(
    model: &Model,
    stage: usize,
    item: usize,
    ins: &Instruction,
) -> Option<String> {
    let (dest, _) = ins.words().split_last()?;
    Some(if dest.starts_with('/') {
        super::normalize_path(dest)
    } else {
        let wd = model
            .workdir_at(stage, item)
            .unwrap_or_else(|| "/".to_string());
        super::normalize_path(&format!("{wd}/{dest}"))
    })
}

/// Every RUN of a file split into commands, in file order, each at stage 0
/// until the model says which stage it is in.
fn split_runs<'a>(df: &'a Dockerfile, parallel: bool) -> Vec<Run<'a>> {
    let one = |(item, it): (usize, &'a Item)| -> Option<Run<'a>> {
        match &it.kind {
            ItemKind::Instruction(ins) if ins.keyword == Keyword::Run => {
                Some(Run::split(&df.text, 0, item, ins))
            }
            _ => None,
        }
    };
    if parallel {
        use rayon::prelude::*;
        df.items.par_iter().enumerate().filter_map(one).collect()
    } else {
        df.items.iter().enumerate().filter_map(one).collect()
    }
}

/// The RUN triggers of a file's ONBUILD instructions, as RUNs at the
/// ONBUILD's item.
fn onbuild_runs<'a>(df: &'a Dockerfile, model: &Model) -> Vec<Run<'a>> {
    let mut out = Vec::new();
    for (item, ins) in df.instructions_of(&[Keyword::Onbuild]) {
        let Some(inner) = super::managers::trigger(ins) else {
            continue;
        };
        if inner.keyword != Keyword::Run {
            continue;
        }
        out.push(Run::split(
            &df.text,
            model.stage_of(item).unwrap_or(0),
            item,
            inner,
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_stage_has_the_cuda_base_of_its_chain() {
        let text = "ARG TAG=12.1.0-cudnn8-devel-ubuntu22.04\n\
            FROM nvidia/cuda:${TAG} AS gpu\nFROM gpu AS build\nFROM python:3.11 AS cpu\n\
            FROM build AS final\nFROM cpu\nFROM scratch\n";
        let df = crate::parse_valid(text).expect("a valid file");
        let cx = Context::new(&df, None, None, Profile::default());
        let found: Vec<Option<CudaBase>> = (0..7).map(|s| cx.cuda_base(s)).collect();
        let want: Vec<Option<CudaBase>> = (0..7)
            .map(|s| cx.model.root_base(s).and_then(cuda_base))
            .collect();
        assert_eq!(found, want);
        let gpu: Vec<bool> = found.iter().map(|b| b.is_some_and(|b| b.toolkit)).collect();
        assert_eq!(gpu, [true, true, false, true, false, false, false]);
    }

    #[test]
    fn runs_split_on_every_core_as_on_one() {
        // Past the size where the context is built in parallel: stages
        // chained by FROM, RUNs with several commands and a heredoc.
        let mut text = String::from("FROM python:3.11 AS s0\n");
        let mut n = 0;
        while text.len() < PARALLEL_FROM + 1000 {
            n += 1;
            text.push_str(&format!(
                "RUN pip install p{n} && apt-get update; echo {n}\nFROM s{} AS s{n}\nRUN <<EOF\ncd /x{n}\nEOF\n",
                n - 1
            ));
        }
        let df = crate::parse_valid(&text).expect("a valid file");
        let shape = |runs: &[Run]| -> Vec<(usize, usize, Vec<usize>)> {
            runs.iter()
                .map(|r| {
                    let cmds = r.scripts.iter().map(|(_, c)| c.len()).collect();
                    (r.item, r.stage, cmds)
                })
                .collect()
        };
        let one = split_runs(&df, false);
        let all = split_runs(&df, true);
        assert_eq!(shape(&one), shape(&all));
        assert_eq!(one.len(), 2 * n);
        let cx = Context::new(&df, None, None, Profile::default());
        assert_eq!(cx.runs().len(), 2 * n);
        for run in cx.runs() {
            assert_eq!(Some(run.stage), cx.model.stage_of(run.item));
            assert_eq!(cx.run_at(run.item).map(|r| r.item), Some(run.item));
        }
        // The first RUN is in stage 0, the last in the last stage.
        assert_eq!(cx.runs()[0].stage, 0);
        assert_eq!(cx.runs()[2 * n - 1].stage, n);
    }
}
