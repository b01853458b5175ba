//! What a Dockerfile means, beyond its syntax: build stages and how they
//! chain, which stages ship in the final image, ARG/ENV values in scope, the
//! effective USER, and the shell scripts a RUN executes.

pub mod build_context;
pub mod commands;
pub mod conda;
mod context;
pub mod cuda;
pub mod dockerignore;
pub mod images;
pub mod managers;
pub mod pragmas;
pub mod requirements;
mod vars;

pub use context::{mount_targets, Context, Leftovers, RuleOptions, Run, PARALLEL_FROM};

use foldhash::HashMap;
use std::fmt;
use std::str::FromStr;

use compact_str::CompactString;

use crate::syntax::shell::Word;
use crate::syntax::{narrow, Args, Dockerfile, Instruction, ItemKind, Keyword, Span};
pub use vars::expand;

/// One build stage: a FROM and the instructions up to the next FROM.
#[derive(Debug, Clone)]
pub struct Stage {
    /// The stage name after `AS`, lower-cased. Inline up to 24 bytes, as
    /// the image reference: a file may chain thousands of stages.
    pub name: Option<CompactString>,
    /// Index into `Dockerfile::items` of the FROM.
    pub from_item: usize,
    /// The image reference as written.
    pub base_raw: CompactString,
    /// The image reference with global ARG defaults substituted, when they resolve.
    pub base: Option<String>,
    /// The earlier stage this one is built `FROM`, if any.
    pub parent: Option<usize>,
    /// Item indexes of the stage's instructions after its FROM.
    pub items: Vec<usize>,
}

/// The stage structure of a file, and what every instruction sees: the
/// variables in scope, the user and the working directory. Built once per
/// file in one pass; every lookup after that is a search over what was
/// recorded, never a rescan of the file, nor a walk up a chain of stages
/// (a file may chain thousands of stages by `FROM`).
#[derive(Debug, Clone)]
pub struct Model {
    pub stages: Vec<Stage>,
    /// Index of the stage that is built (the last, or `--target`).
    pub final_stage: Option<usize>,
    /// ARGs declared before the first FROM, with their defaults.
    pub global_args: HashMap<String, Option<String>>,
    /// For every stage, whether it ends up in the final image.
    shipping: Vec<bool>,
    /// For every stage, what its own instructions set.
    facts: Vec<StageFacts>,
    /// For every stage, the first stage of its chain (the one on an image).
    roots: Vec<usize>,
    /// For every stage, its position in a depth-first walk of the stages
    /// by `FROM`: a stage's descendants come right after it.
    preorder: Vec<usize>,
    /// For every stage, where the last USER of its lineage is: `(stage,
    /// index into that stage's users)`.
    end_user: Vec<Option<(usize, usize)>>,
    /// For every variable name, which stage's value is in effect from each
    /// position of the walk on: `(position, stage + 1)`, 0 for none, in
    /// position order. The value a stage inherits is the last entry at or
    /// before its parent's position. 32-bit, the first two entries inline
    /// (a variable a stage sets is usually set and undone once): a chain
    /// of stages records every variable of each.
    inherited: HashMap<CompactString, Inherited>,
    /// For every item of the file, the stage it is in (`NO_STAGE` before
    /// the first FROM): asked at every instruction, and a search of the
    /// stages grew with the file.
    stage_index: Vec<u32>,
}

/// An item before the first stage, in [`Model`]'s index.
const NO_STAGE: u32 = u32::MAX;

/// The longest value the model resolves a variable, USER or WORKDIR to
/// (a working directory longer than Linux's `PATH_MAX` could not be used).
const MAX_VALUE: usize = 4096;

/// How far the values the model resolves may outgrow what the file
/// writes. Resolving copies what a value refers to, so a chain of `ENV
/// A2=${A1}x`, `ENV A3=${A2}x`, ... would hold every earlier value again in
/// each later one: memory that grew with the square of the file (a 0.8 MB
/// file took 1 GB). Past [`MAX_VALUE`], or once the file's allowance is
/// spent, a value is taken as one that does not resolve. No real file comes
/// near either.
struct Growth {
    left: usize,
}

impl Growth {
    fn for_file(len: usize) -> Growth {
        Growth {
            left: len.saturating_mul(4).saturating_add(1 << 20),
        }
    }

    /// Whether `resolved`, from a text of `written` bytes, may be kept; its
    /// growth is taken from the allowance.
    fn allow(&mut self, written: usize, resolved: &str) -> bool {
        if resolved.len() > MAX_VALUE.max(written) {
            return false;
        }
        let growth = resolved.len().saturating_sub(written);
        match self.left.checked_sub(growth) {
            Some(left) => {
                self.left = left;
                true
            }
            None => false,
        }
    }
}

/// What one stage's own instructions set, in item order, so that the value
/// at any point is the last entry before it (then the parent stage's).
#[derive(Debug, Clone, Default)]
struct StageFacts {
    /// ENV and ARG values.
    vars: Vars,
    users: Vec<UserSetting>,
    /// WORKDIR values made absolute, when they resolve.
    workdirs: Vec<(usize, Option<CompactString>)>,
    /// The working directory the stage starts in (its parent's, or the
    /// base image's when known).
    initial_workdir: Option<String>,
}

/// A stage's ENV and ARG values: its names ordered by hash, each with the
/// range of its `(item, value)` settings, in item order, in one slice. Flat
/// slices per stage, where a map per stage cost a table and a list per name
/// (a file of many small stages holds one for each). A lookup searches the
/// hashes, which lie together apart from the names (a stage of thousands of
/// variables is searched in a few cache lines), and compares a name only
/// when its hash matches. Names and values up to 24 bytes (most of them)
/// are held inline, not each in a block of its own.
#[derive(Debug, Clone, Default)]
struct Vars {
    hashes: Box<[u64]>,
    /// `(name, start, end)` of its settings in `values`, in `hashes`' order.
    names: Box<[(CompactString, u32, u32)]>,
    values: Box<[(usize, CompactString)]>,
}

/// The hash a variable name is ordered by (fixed, so a file's order is the
/// same in every run).
fn name_hash(name: &str) -> u64 {
    use std::hash::BuildHasher;
    foldhash::fast::FixedState::with_seed(0).hash_one(name)
}

impl Vars {
    fn new(by_name: HashMap<CompactString, Vec<(usize, String)>>) -> Vars {
        // The names are distinct: only they are ordered, not every setting.
        let mut groups: Vec<_> = by_name
            .into_iter()
            .map(|(name, list)| (name_hash(&name), name, list))
            .collect();
        groups.sort_unstable_by(|a, b| (a.0, &a.1).cmp(&(b.0, &b.1)));
        let mut values = Vec::with_capacity(groups.iter().map(|g| g.2.len()).sum());
        let mut hashes = Vec::with_capacity(groups.len());
        let mut names = Vec::with_capacity(groups.len());
        for (hash, name, list) in groups {
            let start = narrow(values.len());
            values.extend(list.into_iter().map(|(i, v)| (i, CompactString::from(v))));
            hashes.push(hash);
            names.push((name, start, narrow(values.len())));
        }
        Vars {
            hashes: hashes.into_boxed_slice(),
            names: names.into_boxed_slice(),
            values: values.into_boxed_slice(),
        }
    }

    /// A name's `(item, value)` settings, in item order.
    fn get(&self, name: &str) -> &[(usize, CompactString)] {
        let hash = name_hash(name);
        let first = self.hashes.partition_point(|&h| h < hash);
        let same = self.hashes[first..]
            .iter()
            .take_while(|&&h| h == hash)
            .count();
        self.names[first..first + same]
            .iter()
            .find(|n| n.0 == name)
            .map_or(&[], |n| &self.values[n.1 as usize..n.2 as usize])
    }

    /// The value set last before `item`.
    fn before(&self, name: &str, item: usize) -> Option<&str> {
        last_before(self.get(name), item, |e| e.0).map(|e| e.1.as_str())
    }

    fn names(&self) -> impl Iterator<Item = &str> {
        self.names.iter().map(|n| n.0.as_str())
    }
}

/// The last entry of an item-ordered list that comes before `item`.
fn last_before<T>(list: &[T], item: usize, key: impl Fn(&T) -> usize) -> Option<&T> {
    let n = list.partition_point(|e| key(e) < item);
    n.checked_sub(1).map(|i| &list[i])
}

/// A name's `(position, stage + 1)` list in [`Model`]'s `inherited`.
type Inherited = smallvec::SmallVec<[(u32, u32); 2]>;

/// The stage in effect at `position` in a name's `(position, stage + 1)` list.
fn in_effect(list: &[(u32, u32)], position: usize) -> Option<usize> {
    let n = list.partition_point(|&(at, _)| at as usize <= position);
    (list[n.checked_sub(1)?].1 as usize).checked_sub(1)
}

/// The stages in depth-first order, parents before their children.
fn depth_first(stages: &[Stage]) -> Vec<usize> {
    let mut children: Vec<Vec<usize>> = vec![Vec::new(); stages.len()];
    let mut roots = Vec::new();
    for (s, stage) in stages.iter().enumerate() {
        match stage.parent.filter(|&p| p < s) {
            Some(p) => children[p].push(s),
            None => roots.push(s),
        }
    }
    let mut out = Vec::with_capacity(stages.len());
    let mut todo: Vec<usize> = roots.into_iter().rev().collect();
    while let Some(s) = todo.pop() {
        out.push(s);
        todo.extend(children[s].iter().rev());
    }
    out
}

impl Model {
    /// Build the model; `target` names the stage to build (like `docker build --target`).
    pub fn new(df: &Dockerfile, target: Option<&str>) -> Model {
        let mut stages: Vec<Stage> = Vec::new();
        let mut global_args = HashMap::default();
        let mut by_name: HashMap<CompactString, usize> = HashMap::default();
        for (idx, item) in df.items.iter().enumerate() {
            let ItemKind::Instruction(ins) = &item.kind else {
                continue;
            };
            match ins.keyword {
                Keyword::From => {
                    let words = ins.words();
                    let base_raw = words.first().cloned().unwrap_or_default();
                    let name = words.get(2).map(|n| {
                        let mut n = n.clone();
                        n.make_ascii_lowercase();
                        n
                    });
                    let base = expand(&base_raw, &|k| {
                        global_args.get(k).cloned().flatten().or_else(|| {
                            // Automatic platform ARGs have values in every build.
                            predefined(k).map(str::to_string)
                        })
                    });
                    // `FROM builder` or `FROM build-$TARGETOS`: an earlier stage.
                    let reference = base.as_deref().unwrap_or(&base_raw).to_ascii_lowercase();
                    let parent = by_name.get(reference.as_str()).copied();
                    if let Some(n) = &name {
                        by_name.insert(n.clone(), stages.len());
                    }
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
            Some(t) => by_name.get(t.to_ascii_lowercase().as_str()).copied(),
            None => stages.len().checked_sub(1),
        };
        let mut shipping = vec![false; stages.len()];
        let mut at = final_stage;
        while let Some(s) = at {
            if shipping[s] {
                break;
            }
            shipping[s] = true;
            at = stages[s].parent;
        }
        let mut roots: Vec<usize> = (0..stages.len()).collect();
        for s in 0..stages.len() {
            // A parent is an earlier stage, so its root is known.
            if let Some(p) = stages[s].parent.filter(|&p| p < s) {
                roots[s] = roots[p];
            }
        }
        let walk = depth_first(&stages);
        let n = stages.len();
        let mut model = Model {
            stages,
            final_stage,
            global_args,
            shipping,
            facts: vec![StageFacts::default(); n],
            roots,
            preorder: vec![0; n],
            end_user: vec![None; n],
            inherited: HashMap::default(),
            stage_index: Vec::new(),
        };
        let mut next = 0;
        model.stage_index = (0..df.items.len())
            .map(|item| {
                while next < n && model.stages[next].from_item <= item {
                    next += 1;
                }
                next.checked_sub(1)
                    .and_then(|s| u32::try_from(s).ok())
                    .unwrap_or(NO_STAGE)
            })
            .collect();
        for (position, &s) in walk.iter().enumerate() {
            model.preorder[s] = position;
        }
        // Only what a stage with stages built on it sets is ever looked up
        // in `inherited` (at its position, by its descendants): a stage
        // nothing is built on records nothing there, nor undoes it (a
        // single stage of thousands of variables records none).
        let mut has_child = vec![false; n];
        for s in 0..n {
            if let Some(p) = model.parent(s) {
                has_child[p] = true;
            }
        }
        // In walk order a stage's ancestors are done before it. The stack
        // holds the stages whose subtree is open; closing one puts the
        // variables it set back to their values above it.
        let mut open: Vec<usize> = Vec::new();
        let mut growth = Growth::for_file(df.text.len());
        for (position, &s) in walk.iter().enumerate() {
            while let Some(&top) = open.last() {
                if model.parent(s) == Some(top) {
                    break;
                }
                open.pop();
                if has_child[top] {
                    model.close_scope(top, position, open.last().copied());
                }
            }
            let facts = model.stage_facts(df, s, &mut growth);
            model.end_user[s] = match facts.users.len() {
                0 => model.parent(s).and_then(|p| model.end_user[p]),
                k => Some((s, k - 1)),
            };
            if has_child[s] {
                for name in facts.vars.names() {
                    let entry = (narrow(position), narrow(s + 1));
                    match model.inherited.get_mut(name) {
                        Some(list) => list.push(entry),
                        None => {
                            let list = Inherited::from_slice(&[entry]);
                            model.inherited.insert(name.into(), list);
                        }
                    }
                }
            }
            model.facts[s] = facts;
            open.push(s);
        }
        while let Some(top) = open.pop() {
            if has_child[top] {
                model.close_scope(top, walk.len(), open.last().copied());
            }
        }
        model
    }

    /// A stage's parent: the earlier stage it is built `FROM`, if any (a
    /// `FROM` can only name a stage above it).
    pub fn parent(&self, stage: usize) -> Option<usize> {
        self.stages[stage].parent.filter(|&p| p < stage)
    }

    /// Whether `stage` is `ancestor` or is built on it, by `FROM`.
    pub fn built_on(&self, stage: usize, ancestor: usize) -> bool {
        // Parents are earlier stages: walk up until at or past it.
        let mut at = Some(stage);
        while let Some(s) = at {
            if s <= ancestor {
                return s == ancestor;
            }
            at = self.parent(s);
        }
        false
    }

    /// Leave a stage's subtree at `position`: each variable it set is back
    /// to the value of the nearest enclosing stage that set it.
    fn close_scope(&mut self, stage: usize, position: usize, enclosing: Option<usize>) {
        for name in self.facts[stage].vars.names() {
            let back = enclosing
                .and_then(|e| self.setter(name, e))
                .map_or(0, |s| s + 1);
            if let Some(list) = self.inherited.get_mut(name) {
                list.push((narrow(position), narrow(back)));
            }
        }
    }

    /// The nearest stage that sets `name`: `stage` itself or an ancestor.
    fn setter(&self, name: &str, stage: usize) -> Option<usize> {
        in_effect(self.inherited.get(name)?, self.preorder[stage])
    }

    /// Record what a stage's instructions set; earlier stages are done.
    fn stage_facts(&self, df: &Dockerfile, stage: usize, growth: &mut Growth) -> StageFacts {
        let mut facts = StageFacts::default();
        // Name -> `(item, value)` in item order, while the stage is read.
        // Names as the tree holds them (inline), not copied into strings.
        let mut vars: HashMap<CompactString, Vec<(usize, String)>> = HashMap::default();
        let mut workdir = match self.parent(stage) {
            Some(p) => Self::workdir_in(&self.facts[p], usize::MAX),
            None => self.stages[stage]
                .base
                .as_deref()
                .and_then(images::default_workdir)
                .map(str::to_string),
        };
        facts.initial_workdir = workdir.clone();
        for &idx in &self.stages[stage].items {
            let ItemKind::Instruction(ins) = &df.items[idx].kind else {
                continue;
            };
            let lookup = |k: &str| {
                vars.get(k)
                    .and_then(|list| last_before(list, idx, |e| e.0))
                    .map(|(_, v)| v.as_str())
                    .or_else(|| self.inherited_var(stage, k))
                    .map(str::to_string)
            };
            match (ins.keyword, &ins.args) {
                (Keyword::Env, Args::KeyValues(kvs)) => {
                    // Every pair of one ENV sees the values from before it.
                    let values: Vec<(CompactString, String)> = kvs
                        .iter()
                        .map(|kv| {
                            let raw = unquote(&kv.value);
                            let value = expand(&raw, &lookup)
                                .filter(|v| growth.allow(raw.len(), v))
                                .unwrap_or(raw);
                            (kv.key.clone(), value)
                        })
                        .collect();
                    for (k, v) in values {
                        vars.entry(k).or_default().push((idx, v));
                    }
                }
                (Keyword::Arg, _) => {
                    // Later names of one ARG see the earlier ones.
                    // A name is declared once per ARG: found by a map, not a
                    // search of the names before (an ARG may be continued
                    // over thousands of lines).
                    let mut pending: Vec<(String, String)> = Vec::new();
                    let mut pending_at: HashMap<String, usize> = HashMap::default();
                    for (k, v) in arg_pairs(ins) {
                        let seen = |name: &str| {
                            pending_at
                                .get(name)
                                .map(|&i| pending[i].1.clone())
                                .or_else(|| lookup(name))
                        };
                        if seen(&k).is_some() {
                            continue;
                        }
                        let value = v
                            .and_then(|v| expand(&v, &seen).filter(|e| growth.allow(v.len(), e)))
                            .or_else(|| self.global_args.get(&k).cloned().flatten());
                        if let Some(value) = value {
                            pending_at.insert(k.clone(), pending.len());
                            pending.push((k, value));
                        }
                    }
                    for (k, v) in pending {
                        vars.entry(k.into()).or_default().push((idx, v));
                    }
                }
                (Keyword::User, Args::Text(text)) => {
                    let resolved = expand(text, &lookup).filter(|v| growth.allow(text.len(), v));
                    facts.users.push(UserSetting {
                        item: idx,
                        raw: text.clone(),
                        resolved: resolved.map(CompactString::from),
                    });
                }
                (Keyword::Workdir, Args::Text(text)) => {
                    workdir = expand(text, &lookup)
                        .map(|value| {
                            if value.starts_with('/') {
                                value
                            } else {
                                let base = workdir.as_deref().unwrap_or_default();
                                format!("{}/{}", base.trim_end_matches('/'), value)
                            }
                        })
                        .filter(|v| growth.allow(text.len(), v));
                    facts
                        .workdirs
                        .push((idx, workdir.as_deref().map(CompactString::from)));
                }
                _ => {}
            }
        }
        facts.vars = Vars::new(vars);
        facts
    }

    /// A variable's value as a stage's ancestors leave it (the nearest
    /// that sets it).
    fn inherited_var(&self, stage: usize, name: &str) -> Option<&str> {
        let p = self.setter(name, self.parent(stage)?)?;
        let (_, v) = self.facts[p].vars.get(name).last()?;
        Some(v.as_str())
    }

    fn workdir_in(own: &StageFacts, item: usize) -> Option<String> {
        match last_before(&own.workdirs, item, |e| e.0) {
            Some((_, dir)) => dir.as_deref().map(str::to_string),
            None => own.initial_workdir.clone(),
        }
    }

    /// The stage and its ancestors by `FROM`, the stage itself first.
    pub fn chain(&self, stage: usize) -> Vec<usize> {
        let mut out = vec![stage];
        let mut at = stage;
        while let Some(p) = self.parent(at) {
            out.push(p);
            at = p;
        }
        out
    }

    /// Whether the stage ends up in the final image: it is the final stage
    /// or one it descends from by `FROM`. Stages only used by `COPY --from`
    /// do not ship.
    pub fn ships(&self, stage: usize) -> bool {
        self.shipping.get(stage).copied().unwrap_or(false)
    }

    /// The external image at the root of a stage's chain.
    pub fn root_base(&self, stage: usize) -> Option<&str> {
        let root = *self.roots.get(stage)?;
        self.stages[root].base.as_deref()
    }

    /// The first stage of a stage's chain: the one built on an image.
    pub fn root(&self, stage: usize) -> Option<usize> {
        self.roots.get(stage).copied()
    }

    /// The stage an item belongs to.
    pub fn stage_of(&self, item: usize) -> Option<usize> {
        match self.stage_index.get(item) {
            Some(&NO_STAGE) => None,
            Some(&s) => Some(s as usize),
            // Not an item of this file: the last stage that starts before it.
            None => self.stages.len().checked_sub(1),
        }
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
    pub fn scope(&self, stage: usize, item: usize) -> Scope<'_> {
        Scope {
            model: Some(self),
            stage,
            item,
        }
    }

    /// The user the stage's instructions run as just before `item`: the
    /// last USER in its lineage, or `None` when no USER was set (the base
    /// image's default).
    pub fn user_at(&self, stage: usize, item: usize) -> Option<&UserSetting> {
        let facts = self.facts.get(stage)?;
        match last_before(&facts.users, item, |u| u.item) {
            Some(u) => Some(u),
            None => {
                let (s, i) = self.end_user[self.parent(stage)?]?;
                self.facts[s].users.get(i)
            }
        }
    }

    /// The working directory just before `item` in `stage`, when it resolves
    /// to an absolute path.
    pub fn workdir_at(&self, stage: usize, item: usize) -> Option<String> {
        Self::workdir_in(self.facts.get(stage)?, item)
    }

    /// The names of every ARG and ENV a stage's lineage sets.
    pub fn var_names(&self, stage: usize) -> Vec<&str> {
        let mut names: Vec<&str> = self
            .chain(stage)
            .into_iter()
            .filter_map(|s| self.facts.get(s))
            .flat_map(|f| f.vars.names())
            .collect();
        names.sort_unstable();
        names.dedup();
        names
    }

    /// Every USER of a stage's lineage, oldest first.
    pub fn users(&self, stage: usize) -> Vec<&UserSetting> {
        let mut chain = self.chain(stage);
        chain.reverse();
        chain
            .into_iter()
            .filter_map(|s| self.facts.get(s))
            .flat_map(|f| f.users.iter())
            .collect()
    }
}

/// A USER instruction in effect.
#[derive(Debug, Clone)]
pub struct UserSetting {
    pub item: usize,
    /// Inline up to 24 bytes, as the model's values (a file may set a
    /// user many times).
    pub raw: CompactString,
    /// The value with variables substituted, when they resolve.
    pub resolved: Option<CompactString>,
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

/// Variables in scope at one point of a stage: a view into the model.
#[derive(Debug, Clone, Copy, Default)]
pub struct Scope<'m> {
    model: Option<&'m Model>,
    stage: usize,
    item: usize,
}

impl<'m> Scope<'m> {
    pub fn get(&self, name: &str) -> Option<&'m str> {
        let model = self.model?;
        let facts = model.facts.get(self.stage)?;
        facts
            .vars
            .before(name, self.item)
            .or_else(|| model.inherited_var(self.stage, name))
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
            None => (w.to_string(), None),
        })
        .collect()
}

/// An absolute path with `.` and `..` parts resolved and no trailing
/// slash, without touching the file system (`/app/./a/../b/` -> `/app/b`).
pub fn normalize_path(path: &str) -> String {
    let mut parts: Vec<&str> = Vec::new();
    for part in path.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                parts.pop();
            }
            p => parts.push(p),
        }
    }
    format!("/{}", parts.join("/"))
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
/// The text is borrowed from the instruction where it lies there whole
/// (a command line, a heredoc body): a copy per RUN would hold every
/// script of the file twice.
#[derive(Debug, Clone)]
pub struct Script<'a> {
    pub text: std::borrow::Cow<'a, str>,
    origin: Origin,
    /// Whether the text closes every quote and substitution it opens:
    /// asked by several rules' fixes, worked out once.
    complete: std::sync::OnceLock<bool>,
}

#[derive(Debug, Clone, Copy)]
enum Origin {
    /// In the instruction's logical line, from this logical offset.
    Line(usize),
    /// A heredoc body, from this file offset.
    File(usize),
    /// The script string of an exec-form `["sh", "-c", "..."]`: JSON
    /// escapes stand between its text and the file, so its words have no
    /// exact place; spans cover the whole instruction.
    Detached,
}

impl<'a> Script<'a> {
    /// Where a heredoc body script starts in the file; `None` for the
    /// instruction's own command line.
    pub fn body_start(&self) -> Option<usize> {
        match self.origin {
            Origin::File(at) => Some(at),
            Origin::Line(_) | Origin::Detached => None,
        }
    }

    /// The file span of the script range `[start, end)`.
    pub fn span(&self, ins: &Instruction, start: usize, end: usize) -> Span {
        match self.origin {
            Origin::Line(at) => ins.line.span(at + start, at + end),
            Origin::File(at) => Span::new(at + start, at + end),
            Origin::Detached => ins.line.span(0, ins.line.text.len()),
        }
    }

    /// The file span of one of the script's words.
    pub fn word_span(&self, ins: &Instruction, word: &Word) -> Span {
        self.span(ins, word.start(), word.end())
    }

    /// The script of an exec-form RUN that starts a shell on it
    /// (`RUN ["/bin/bash", "-c", "pip install x"]`). Its words cannot be
    /// edited in place ([`Script::is_detached`]).
    pub fn exec_shell(ins: &Instruction) -> Option<Script<'static>> {
        let Args::Exec(words) = &ins.args else {
            return None;
        };
        let [shell, flag, script] = words.as_slice() else {
            return None;
        };
        let base = shell.rsplit('/').next().unwrap_or(shell);
        let is_shell = matches!(base, "sh" | "bash" | "dash" | "ash" | "zsh");
        let runs_script = flag.starts_with('-') && flag.ends_with('c') && !flag.starts_with("--");
        (is_shell && runs_script).then(|| Script {
            // JSON escapes are undone in the string: an owned copy.
            text: script.clone().into(),
            origin: Origin::Detached,
            complete: std::sync::OnceLock::new(),
        })
    }

    /// Whether the script closes every quote, substitution and
    /// continuation it opens ([`commands::is_complete_script`]): an edit
    /// appended to an incomplete one could land inside a quote.
    pub fn is_complete(&self) -> bool {
        *self
            .complete
            .get_or_init(|| commands::is_complete_script(&self.text))
    }

    /// Whether the script is the instruction's own command line (not a
    /// heredoc body, not an exec-form shell's string).
    pub fn is_command_line(&self) -> bool {
        matches!(self.origin, Origin::Line(_))
    }

    /// Whether the script's words have no exact place in the file.
    pub fn is_detached(&self) -> bool {
        matches!(self.origin, Origin::Detached)
    }

    /// The scripts of a RUN: its shell-form command line, and the heredoc
    /// bodies that the shell runs (`RUN <<EOF`, `RUN bash <<EOF`), but not
    /// bodies fed to another program (`RUN python3 <<EOF`).
    /// `file_text` is the text of the file `ins` was parsed from, which
    /// holds the heredoc bodies.
    pub fn of(file_text: &'a str, ins: &'a Instruction) -> Vec<Script<'a>> {
        let mut out = Vec::new();
        let Some((text, start)) = ins.shell_text() else {
            return out;
        };
        out.push(Script {
            text: text.into(),
            origin: Origin::Line(start),
            complete: std::sync::OnceLock::new(),
        });
        if ins.heredocs.is_empty() {
            return out;
        }
        // The program is the first word that is not a heredoc's.
        let program = text
            .split_whitespace()
            .find(|w| !w.contains("<<") && !ins.heredocs.iter().any(|h| w.contains(&h.name)));
        let shell_runs_body = match program {
            None => true,
            Some(p) => {
                let base = p.rsplit('/').next().unwrap_or(p);
                matches!(base, "sh" | "bash" | "dash" | "ash" | "zsh")
            }
        };
        for doc in &ins.heredocs {
            let body = doc.content(file_text);
            let interpreter = body.lines().next().unwrap_or("");
            let shebang_other = interpreter.starts_with("#!")
                && !["sh", "bash", "dash", "ash"].iter().any(|s| {
                    interpreter.ends_with(&format!("/{s}"))
                        || interpreter.ends_with(&format!(" {s}"))
                });
            if shell_runs_body && !shebang_other && ins.keyword == Keyword::Run {
                out.push(Script {
                    text: body.into(),
                    origin: Origin::File(doc.content_span.start),
                    complete: std::sync::OnceLock::new(),
                });
            }
        }
        out
    }
}

/// What the image is for (DF001 reads it).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Profile {
    /// Judge from the file: its CMD/ENTRYPOINT, its name, its comments.
    /// Where the file does not tell, findings say so at `info`.
    #[default]
    Auto,
    /// The image serves a model: a devel base is a mistake.
    Inference,
    /// The image trains or compiles: a devel base is expected.
    Training,
}

impl Profile {
    pub fn as_str(self) -> &'static str {
        match self {
            Profile::Auto => "auto",
            Profile::Inference => "inference",
            Profile::Training => "training",
        }
    }
}

impl fmt::Display for Profile {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Profile {
    type Err = String;

    fn from_str(s: &str) -> Result<Profile, String> {
        match s.trim().to_ascii_lowercase().as_str() {
            "auto" => Ok(Profile::Auto),
            "inference" => Ok(Profile::Inference),
            "training" => Ok(Profile::Training),
            _ => Err(format!(
                "unknown profile `{s}` (expected `auto`, `inference` or `training`)"
            )),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Values that would grow with each reference to the one before are
    /// resolved up to [`MAX_VALUE`], then kept as written; the file's
    /// allowance bounds what all of them may add.
    #[test]
    fn resolved_values_stop_growing_past_their_cap() {
        let mut text = String::from("FROM alpine\nENV A0=xx\n");
        for i in 1..16 {
            text.push_str(&format!("ENV A{i}=${{A{}}}${{A{}}}\n", i - 1, i - 1));
        }
        for i in 0..200 {
            text.push_str(&format!("WORKDIR dir{i}\n"));
        }
        text.push_str("USER ${A5}\n");
        text.push_str(&format!("FROM alpine\nWORKDIR /{}\n", "a".repeat(4000)));
        text.push_str(&format!("WORKDIR {}\nRUN true\n", "b".repeat(200)));
        let df = crate::syntax::parse(&text).expect("valid");
        let model = Model::new(&df, None);
        let scope = model.scope(0, usize::MAX);
        // 2^(i+1) bytes: A11 is 4096, A12 would be 8192.
        assert_eq!(scope.get("A5").map(str::len), Some(64));
        assert_eq!(scope.get("A11").map(str::len), Some(MAX_VALUE));
        assert_eq!(scope.get("A12"), Some("${A11}${A11}"));
        // A13 refers to the A12 kept as written, as to any value that does
        // not resolve.
        assert_eq!(scope.get("A13"), Some("${A11}${A11}${A11}${A11}"));
        // `/dir0/dir1/...` is known; a working directory past 4096 bytes is not.
        let workdir = model.workdir_at(0, usize::MAX).expect("known");
        assert!(workdir.starts_with("/dir0/dir1/") && workdir.ends_with("/dir199"));
        assert_eq!(model.workdir_at(1, usize::MAX), None);
        assert_eq!(
            model.users(0)[0].resolved.as_deref().map(str::len),
            Some(64)
        );

        let mut growth = Growth::for_file(0);
        assert!(growth.allow(3, "abc"));
        assert!(growth.allow(10, &"x".repeat(1 << 12)));
        assert!(!growth.allow(0, &"x".repeat(MAX_VALUE + 1)));
        // A value as long as written is kept whatever its length.
        assert!(growth.allow(MAX_VALUE * 2, &"x".repeat(MAX_VALUE * 2)));
        // The allowance spent, growth is refused and no growth is not.
        growth.left = 5;
        assert!(!growth.allow(0, "abcdef"));
        assert!(growth.allow(1, "abcdef"));
        assert!(!growth.allow(0, "a"));
    }

    #[test]
    fn stages_inherit_from_their_ancestors_only() {
        let text = "ARG V=global\n\
            FROM alpine AS base\nENV A=base\n\
            FROM base AS leaf1\nENV A=leaf1 B=leaf1\n\
            FROM base AS mid\nENV B=mid\n\
            FROM mid AS leaf2\nENV A=leaf2\nRUN true\n\
            FROM mid AS last\nRUN true\n\
            FROM leaf1\nRUN true\n";
        let df = crate::syntax::parse(text).expect("valid");
        let model = Model::new(&df, None);
        let end =
            |stage: usize, name: &str| model.scope(stage, usize::MAX).get(name).map(str::to_string);
        assert_eq!(end(0, "A").as_deref(), Some("base"));
        assert_eq!(end(1, "A").as_deref(), Some("leaf1"));
        assert_eq!(end(2, "A").as_deref(), Some("base"));
        assert_eq!(end(2, "B").as_deref(), Some("mid"));
        assert_eq!(end(3, "A").as_deref(), Some("leaf2"));
        // After a sibling's subtree that set both: the ancestors' values.
        assert_eq!(end(4, "A").as_deref(), Some("base"));
        assert_eq!(end(4, "B").as_deref(), Some("mid"));
        assert_eq!(end(5, "A").as_deref(), Some("leaf1"));
        assert_eq!(end(5, "B").as_deref(), Some("leaf1"));
        // A global ARG is not in a stage's scope unless declared there.
        assert_eq!(end(4, "V"), None);
    }

    #[test]
    fn vars_find_every_name_and_only_those() {
        let mut by_name: HashMap<CompactString, Vec<(usize, String)>> = HashMap::default();
        for n in 0..2000 {
            // Names sharing long prefixes, set at two items each.
            let list = vec![(n, format!("first{n}")), (n + 5000, format!("second{n}"))];
            by_name.insert(format!("VARIABLE_{n}").into(), list);
        }
        let vars = Vars::new(by_name);
        assert_eq!(vars.names().count(), 2000);
        for n in 0..2000 {
            let name = format!("VARIABLE_{n}");
            assert_eq!(vars.get(&name).len(), 2, "{name}");
            assert_eq!(vars.before(&name, n), None);
            assert_eq!(
                vars.before(&name, n + 1),
                Some(format!("first{n}").as_str())
            );
            assert_eq!(
                vars.before(&name, usize::MAX),
                Some(format!("second{n}").as_str())
            );
        }
        for absent in ["VARIABLE_", "VARIABLE_2000", "variable_1", ""] {
            assert!(vars.get(absent).is_empty(), "{absent}");
        }
    }
}
