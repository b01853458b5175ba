//! DF006 root-final-stage: the image's process runs as root.

use super::{Context, FixAvailability, Rule};
use crate::diagnostic::{Diagnostic, Severity};
use crate::diagnostic::{Edit, Fix};
use crate::semantics::images::{defaults_to_nonroot, distro, Distro};
use crate::semantics::UserSetting;
use crate::syntax::{ItemKind, Keyword};

pub static RULE: Rule = Rule {
    code: "DF006",
    name: "root-final-stage",
    summary: "The final stage runs as root",
    aliases: &["DL3002"],
    severity: Severity::Warning,
    fix: FixAvailability::Sometimes,
    default_enabled: true,
    doc: include_str!("../../rules/DF006.md"),
    check,
};

/// The uid and gid of the user the fix creates.
pub const APP_UID: u32 = 10001;

fn check(cx: &Context) -> Vec<Diagnostic> {
    let Some(final_stage) = cx.model.final_stage else {
        return Vec::new();
    };
    let help = "Create an unprivileged user and switch to it with `USER` before `CMD`";
    let user = cx.model.user_at(final_stage, usize::MAX);
    let mut d = match user {
        Some(user) if user.is_root() => {
            let ins = cx.instruction(user.item);
            let span = ins.map_or(cx.df.items[user.item].span, |i| {
                i.line.span(0, i.line.text.trim_end().len())
            });
            RULE.diagnostic(
                span,
                format!(
                    "Final stage runs as root: its last `USER` is `{}`",
                    user.raw
                ),
                help.to_string(),
            )
        }
        Some(_) => return Vec::new(),
        None => {
            let base = cx.model.root_base(final_stage).unwrap_or("");
            if defaults_to_nonroot(base) {
                return Vec::new();
            }
            RULE.diagnostic(
                cx.from_image_span(cx.model.stages[final_stage].from_item),
                "Final stage runs as root: no `USER` is set".to_string(),
                help.to_string(),
            )
        }
    };
    d.fix = user_fix(cx, final_stage, user);
    vec![d]
}

/// Switch the final stage to an unprivileged user after the last RUN (or
/// USER) of the stage, creating the user when none exists yet.
fn user_fix(cx: &Context, stage: usize, last_user: Option<&UserSetting>) -> Option<Fix> {
    let items = &cx.model.stages[stage].items;
    let kind = |idx: usize| match &cx.df.items[idx].kind {
        ItemKind::Instruction(ins) => Some(ins.keyword),
        _ => None,
    };
    let after = items
        .iter()
        .rev()
        .find(|&&i| matches!(kind(i), Some(Keyword::Run | Keyword::User)))
        .copied();
    let at = match after {
        Some(i) => cx.df.items[i].span.end,
        None => match items
            .iter()
            .find(|&&i| matches!(kind(i), Some(Keyword::Cmd | Keyword::Entrypoint)))
        {
            Some(&i) => cx.df.items[i].span.start,
            None => items.last().map_or(
                cx.df.items[cx.model.stages[stage].from_item].span.end,
                |&i| cx.df.items[i].span.end,
            ),
        },
    };
    let nl = cx.df.newline;
    let lead = if cx.df.text[..at].ends_with('\n') || at == 0 {
        ""
    } else {
        nl
    };

    // An unprivileged user set earlier in the lineage: switch back to it.
    let earlier = cx
        .model
        .users(stage)
        .into_iter()
        .rfind(|u| u.resolved.is_some() && !u.is_root())
        .map(|u| (u.item, u.raw.clone()));
    if let (Some((_, name)), Some(root)) = (&earlier, last_user) {
        // `USER root` after the last RUN only hands root to CMD: switch it back.
        if after == Some(root.item) {
            let ins = cx.instruction(root.item)?;
            let span = ins.line.span(0, ins.line.text.trim_end().len());
            return Some(Fix::unsafe_edits(vec![Edit::replace(
                span,
                format!("USER {name}"),
            )]));
        }
        return Some(Fix::unsafe_edits(vec![Edit::insert(
            at,
            format!("{lead}USER {name}{nl}"),
        )]));
    }

    // A user the stage creates but never switches to.
    if let Some(name) = created_user(cx, stage) {
        return Some(Fix::unsafe_edits(vec![Edit::insert(
            at,
            format!("{lead}USER {name}{nl}"),
        )]));
    }

    let base = cx.model.root_base(stage).unwrap_or("");
    let workdir = workdir_at(cx, stage);
    let chown = match &workdir {
        Some(dir) if dir != "/" => {
            format!(" \\{nl}    && mkdir -p {dir} && chown {APP_UID}:{APP_UID} {dir}")
        }
        _ => String::new(),
    };
    let chown = chown.replace('\\', &cx.df.escape.to_string());
    let text = match distro(base) {
        _ if base == "scratch" => format!("USER 65532:65532{nl}"),
        Distro::Distroless => format!("USER 65532:65532{nl}"),
        Distro::Windows => format!("USER ContainerUser{nl}"),
        Distro::Alpine => format!(
            "RUN addgroup -S -g {APP_UID} app && adduser -S -D -u {APP_UID} -G app -h /home/app app{chown}{nl}USER {APP_UID}:{APP_UID}{nl}"
        ),
        Distro::Debian | Distro::Unknown => format!(
            "RUN groupadd --system --gid {APP_UID} app \\{nl}    && useradd --system --uid {APP_UID} --gid app --create-home --home-dir /home/app --shell /usr/sbin/nologin app{chown}{nl}USER {APP_UID}:{APP_UID}{nl}"
        )
        .replace("\\", &cx.df.escape.to_string()),
    };
    Some(Fix::unsafe_edits(vec![Edit::insert(
        at,
        format!("{lead}{text}"),
    )]))
}

/// The last user a RUN of the stage's lineage creates with `useradd` or
/// `adduser` (its last argument that is not an option).
fn created_user(cx: &Context, stage: usize) -> Option<String> {
    let chain = cx.model.chain(stage);
    let mut found = None;
    for run in cx.runs().iter().filter(|r| chain.contains(&r.stage)) {
        for (_, c) in run.commands() {
            let r = crate::semantics::commands::resolve(c);
            if !matches!(r.program(), "useradd" | "adduser") {
                continue;
            }
            let name = r.words.last().map(|w| w.text.clone()).unwrap_or_default();
            let plain = !name.is_empty()
                && !name.starts_with('-')
                && name
                    .chars()
                    .all(|ch| ch.is_ascii_alphanumeric() || matches!(ch, '_' | '-' | '.'));
            if plain && r.words.len() > 1 && name != "root" {
                found = Some(name);
            }
        }
    }
    found
}

/// The working directory at the end of a stage, when it resolves to an
/// absolute path a shell command can name.
fn workdir_at(cx: &Context, stage: usize) -> Option<String> {
    cx.model
        .workdir_at(stage, usize::MAX)
        .filter(|d| !d.contains(char::is_whitespace))
}
