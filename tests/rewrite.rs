//! The multi-stage rewrite and the non-root user on the cases that broke
//! images built for real: each test states what the fixed file must (or
//! must not) contain, or why the fix declines.

use dflint::{fix, Settings};

fn fixed(text: &str) -> String {
    let mut settings = Settings::default();
    settings.unsafe_fixes = true;
    fix::fix(text, &settings)
        .unwrap_or_else(|e| panic!("{e}\n{text}"))
        .output
}

/// The help lines of a file's findings.
fn helps(text: &str) -> String {
    let (_, found) = dflint::check(text, &Settings::default()).unwrap();
    found
        .iter()
        .map(|d| format!("{} {}\n", d.code, d.help))
        .collect()
}

/// The lines of the stage that starts with `FROM ... AS name`.
fn stage<'a>(text: &'a str, name: &str) -> Vec<&'a str> {
    let mut out = Vec::new();
    let mut inside = false;
    for line in text.lines() {
        if line.starts_with("FROM ") {
            inside = line.ends_with(&format!(" AS {name}"));
        }
        if inside {
            out.push(line);
        }
    }
    out
}

const DEVEL: &str = "FROM nvidia/cuda:12.1.0-cudnn8-devel-ubuntu22.04\n";

#[test]
fn a_chmod_runs_where_the_script_it_touches_is_copied() {
    let text = format!(
        "{DEVEL}RUN apt-get update && apt-get install -y python3 python3-pip python3-venv\nWORKDIR /app\nCOPY requirements.txt .\nRUN pip3 install -r requirements.txt\nCOPY entrypoint.sh /entrypoint.sh\nRUN chmod +x /entrypoint.sh\nCOPY . .\nENTRYPOINT [\"/entrypoint.sh\"]\n"
    );
    let out = fixed(&text);
    let builder = stage(&out, "builder").join("\n");
    let runtime = stage(&out, "runtime").join("\n");
    assert!(!builder.contains("chmod"), "{out}");
    assert!(
        runtime.contains("COPY entrypoint.sh /entrypoint.sh\nRUN chmod +x /entrypoint.sh"),
        "{out}"
    );
}

#[test]
fn an_existing_builder_stage_keeps_its_name_and_its_wheels_reach_pip() {
    let text = format!(
        "FROM python:3.11-slim AS builder\nRUN pip wheel --no-cache-dir --wheel-dir /wheels six\n\n{DEVEL}RUN apt-get update && apt-get install -y python3 python3-pip python3-venv\nCOPY --from=builder /wheels /wheels\nRUN pip3 install --no-index /wheels/*.whl\nCMD [\"python3\", \"-c\", \"import six\"]\n"
    );
    let out = fixed(&text);
    assert_eq!(out.matches(" AS builder\n").count(), 1, "{out}");
    let second = stage(&out, "builder-2").join("\n");
    assert!(
        second.contains("COPY --from=builder /wheels /wheels"),
        "{out}"
    );
    assert!(
        !stage(&out, "runtime").join("\n").contains("/wheels"),
        "{out}"
    );
    assert!(
        out.contains("COPY --from=builder-2 /opt/venv /opt/venv"),
        "{out}"
    );
}

#[test]
fn an_absolute_interpreter_in_the_entrypoint_declines_the_rewrite() {
    let text = format!(
        "{DEVEL}RUN apt-get update && apt-get install -y python3 python3-pip\nRUN pip3 install six\nENTRYPOINT [\"/usr/bin/python3\", \"/app/serve.py\"]\n"
    );
    assert!(!fixed(&text).contains(" AS runtime"));
    assert!(
        helps(&text).contains("starts `/usr/bin/python3` by its path"),
        "{}",
        helps(&text)
    );
}

#[test]
fn an_arg_base_stays_an_arg_in_the_runtime_stage() {
    let text = "ARG BASE=nvidia/cuda:12.1.0-cudnn8-devel-ubuntu22.04\nFROM ${BASE}\nRUN apt-get update && apt-get install -y python3 python3-venv\nRUN pip install six\nCMD [\"python3\"]\n";
    let out = fixed(text);
    assert!(
        out.contains("ARG BASE_RUNTIME=nvidia/cuda:12.1.0-cudnn8-runtime-ubuntu22.04\n"),
        "{out}"
    );
    assert!(out.contains("FROM ${BASE_RUNTIME} AS runtime"), "{out}");
    // A tag built from an ARG keeps the ARG and swaps the variant.
    let text = "ARG CUDA=12.1.0\nFROM nvidia/cuda:${CUDA}-cudnn8-devel-ubuntu22.04\nRUN apt-get update && apt-get install -y python3 python3-venv\nRUN pip install six\nCMD [\"python3\"]\n";
    let out = fixed(text);
    assert!(
        out.contains("FROM nvidia/cuda:${CUDA}-cudnn8-runtime-ubuntu22.04 AS runtime"),
        "{out}"
    );
}

#[test]
fn the_runtime_apt_install_skips_recommends_and_gui_libraries_of_a_headless_opencv() {
    let text = format!(
        "{DEVEL}RUN apt-get update && apt-get install -y python3 python3-venv libgl1 libglib2.0-0 ffmpeg\nRUN pip install opencv-python-headless\nCMD [\"python3\"]\n"
    );
    let out = fixed(&text);
    let runtime = stage(&out, "runtime").join("\n");
    assert!(
        runtime.contains("install --no-install-recommends -y"),
        "{out}"
    );
    assert!(
        runtime.contains("ffmpeg")
            && !runtime.contains("libgl1")
            && !runtime.contains("libglib2.0-0"),
        "{out}"
    );
    // With the GUI build, the libraries stay.
    let gui = text.replace("opencv-python-headless", "opencv-python");
    let mut settings = Settings::default();
    settings.unsafe_fixes = true;
    let mut only_rewrite = settings.clone();
    only_rewrite = dflint::Settings::resolve(&[dflint::settings::Layer {
        source: "test".into(),
        options: &dflint::config::ConfigOptions {
            select: Some(vec!["DF001".into()]),
            unsafe_fixes: Some(true),
            ..Default::default()
        },
        base: None,
    }])
    .unwrap_or(only_rewrite);
    let out = fix::fix(&gui, &only_rewrite).unwrap().output;
    assert!(
        stage(&out, "runtime").join("\n").contains("libgl1"),
        "{out}"
    );
}

#[test]
fn the_user_owns_what_the_app_writes() {
    let text = "FROM python:3.11-slim\nENV HF_HOME=/models/hf\nWORKDIR /app\nCOPY app.py .\nRUN mkdir -p /app/data /srv/state /usr/local/share/x\nVOLUME /srv/uploads\nCMD [\"python\", \"app.py\"]\n";
    let out = fixed(text);
    assert!(out.contains("COPY --chown=10001:10001 app.py ."), "{out}");
    assert!(
        out.contains("mkdir -p /app /models/hf /srv/uploads /srv/state \\\n    && find /app /models/hf /srv/uploads /srv/state -user 0 -exec chown 10001:10001 {} +"),
        "{out}"
    );
    assert!(!out.contains("chown 10001:10001 /usr"), "{out}");
}

#[test]
fn the_user_fix_declines_state_under_root_and_unknown_bases() {
    for (text, why) in [
        ("FROM python:3.11-slim\nWORKDIR /root/app\nCMD [\"python\"]\n", "the WORKDIR is `/root/app`"),
        ("FROM python:3.11-slim\nENV HOME=/root\nCMD [\"python\"]\n", "`HOME` points into root's home"),
        ("FROM python:3.11-slim\nRUN python -m venv /root/venv\nENV PATH=/root/venv/bin:$PATH\nCMD [\"python\"]\n", "`PATH` points into root's home"),
        ("FROM python:3.11-slim\nRUN pip install --no-cache-dir --user flask\nCMD [\"flask\"]\n", "`pip install --user`"),
        ("FROM python:3.11-slim\nRUN python -c \"from transformers import AutoModel; AutoModel.from_pretrained('x')\"\nCMD [\"python\"]\n", "downloads models into root's cache"),
        ("FROM python:3.11-slim\nCOPY config.yaml /root/.config/app/\nCMD [\"python\"]\n", "puts files in root's home"),
        ("ARG BASE\nFROM ${BASE}\nCMD [\"app\"]\n", "comes from an ARG with no default"),
        ("FROM myorg/base:1\nCMD [\"app\"]\n", "cannot tell how `myorg/base:1` creates users"),
    ] {
        assert!(!fixed(text).contains("USER"), "{text}");
        assert!(helps(text).contains(why), "{text}\n{}", helps(text));
    }
    // Cleaning root's caches does not count as state.
    let ok =
        "FROM python:3.11-slim\nRUN pip install flask && rm -rf /root/.cache\nCMD [\"flask\"]\n";
    assert!(fixed(ok).contains("USER 10001:10001"));
}

#[test]
fn the_user_fix_knows_each_family() {
    for (base, creates, user) in [
        ("debian:bookworm", "useradd --system", "USER 10001:10001"),
        ("alpine:3.19", "adduser -S -D -u 10001", "USER 10001:10001"),
        ("busybox:1.36", "adduser -S -D -u 10001", "USER 10001:10001"),
        (
            "redhat/ubi9:9.3",
            "--shell /sbin/nologin",
            "USER 10001:10001",
        ),
        (
            "redhat/ubi9-minimal:9.3",
            "ENV HOME=/home/app",
            "USER 10001:0",
        ),
        ("gcr.io/distroless/python3-debian12", "", "USER 65532:65532"),
        ("myorg/base:1", "", ""),
    ] {
        let text = format!("FROM {base}\nCMD [\"app\"]\n");
        let out = fixed(&text);
        assert!(out.contains(creates), "{base}: {out}");
        if user.is_empty() {
            assert!(!out.contains("USER"), "{base}: {out}");
        } else {
            assert!(out.contains(user), "{base}: {out}");
        }
    }
    // An unknown base whose file shows its package manager.
    let out = fixed("FROM myorg/base:1\nRUN apk add --no-cache curl\nCMD [\"app\"]\n");
    assert!(out.contains("adduser -S -D"), "{out}");
}

#[test]
fn an_entrypoint_that_drops_privileges_is_info_without_a_fix() {
    for text in [
        "FROM debian:bookworm\nENTRYPOINT [\"gosu\", \"app\", \"server\"]\n",
        "FROM debian:bookworm\nRUN apt-get update && apt-get install -y gosu && rm -rf /var/lib/apt/lists/*\nCOPY entrypoint.sh /\nENTRYPOINT [\"/entrypoint.sh\"]\n",
        "FROM debian:bookworm\nCMD [\"supervisord\", \"-n\"]\n",
    ] {
        let (_, found) = dflint::check(text, &Settings::default()).unwrap();
        let d = found.iter().find(|d| d.code == "DF006").expect(text);
        assert_eq!(d.severity, dflint::Severity::Info, "{text}");
        assert!(d.fix.is_none() && d.message.contains("drops privileges"), "{text}");
    }
}

/// Fixes that must settle: an open quote gets no appended cleanup, and a
/// dangling line continuation at the end of the file never swallows what a
/// fix adds after it.
#[test]
fn fixes_settle_on_open_quotes_and_dangling_continuations() {
    let open_quote = "FROM ubuntu:22.04\nRUN apt-get update && apt-get install -y curl 'oops\n";
    let out = fixed(open_quote);
    assert!(!out.contains("rm -rf"), "{out}");
    // A comment that the continuation runs into swallows what is appended
    // (the fuzzer's find, minimised).
    let comment = "FROM ubuntu:22.04\nRUN apt-get update && apt-get install -y git &&#\\\n    rm -rf /var/lib/apt/lists/*\n";
    let out = fixed(comment);
    assert_eq!(out.matches("rm -rf").count(), 1, "{out}");
    let dangling = "FROM ubuntu:22.04\nRUN apt-get update && apt-get install -y curl \\\n";
    let out = fixed(dangling);
    let df = dflint::syntax::parse(&out).unwrap();
    let keywords: Vec<String> = df
        .instructions()
        .map(|(_, i)| i.keyword_text.to_uppercase())
        .collect();
    assert_eq!(keywords, ["FROM", "RUN", "RUN", "USER"], "{out}");
    let devel = "FROM nvidia/cuda:12.1.0-cudnn8-devel-ubuntu22.04\nRUN apt-get update && apt-get install -y python3-venv\nRUN pip install six \\\n";
    // Alone, the rewrite declines; with the other fixes, the user fix drops
    // the dangling escape first, and the rewrite then splits the stage.
    assert!(
        helps(devel).contains("ends with a line continuation"),
        "{}",
        helps(devel)
    );
    let out = fixed(devel);
    let df = dflint::syntax::parse(&out).unwrap();
    let froms = df
        .instructions()
        .filter(|(_, i)| i.keyword == dflint::syntax::Keyword::From)
        .count();
    assert_eq!(froms, 2, "{out}");
    assert!(
        df.instructions()
            .all(|(_, i)| !i.command_text().contains("FROM ")),
        "{out}"
    );
}

/// A fuzzing find: a cleanup that lands where DF003 cannot see it (inside a
/// shell heredoc of a RUN heredoc) came back every pass. The applier drops
/// a fix whose finding survives it twice, and goes back to the text before
/// it: the fix settles, and a second fix changes nothing.
#[test]
fn a_fix_that_does_not_settle_is_dropped() {
    let bytes = include_bytes!("data/fix-did-not-settle.Dockerfile.bin");
    let text = std::str::from_utf8(bytes).unwrap();
    // Inside the `RUN <<EOT bash` body, `RUN\tapt-get update` runs a
    // program named `RUN`: only the install after it is apt, and DF003
    // leaves a RUN that only installs alone (it fetches no lists). A second
    // `update` gives DF003 the finding whose cleanup lands out of its sight.
    let text = text.replacen(
        "RUN\tapt-get update && ",
        "RUN\tapt-get update && apt-get update && ",
        1,
    );
    let text = text.as_str();
    for unsafe_fixes in [false, true] {
        let mut settings = Settings::default();
        settings.unsafe_fixes = unsafe_fixes;
        let out = fix::fix(text, &settings).unwrap();
        assert!(
            out.rejected.iter().any(|(code, _)| *code == "DF003"),
            "{:?}",
            out.rejected
        );
        let again = fix::fix(&out.output, &settings).unwrap();
        assert_eq!(again.output, out.output);
    }
}
