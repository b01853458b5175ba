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
        .map(|(_, i)| i.keyword_text().to_uppercase())
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

const APT_PY: &str = "RUN apt-get update && apt-get install -y python3 python3-pip python3-venv\n";

#[test]
fn an_exec_form_shell_run_is_classified_by_its_script() {
    let text = format!(
        "{DEVEL}{APT_PY}RUN [\"/bin/bash\", \"-c\", \"pip3 install six\"]\nCMD [\"python3\", \"-c\", \"import six\"]\n"
    );
    let out = fixed(&text);
    let builder = stage(&out, "builder").join("\n");
    let runtime = stage(&out, "runtime").join("\n");
    assert!(
        builder.contains("RUN [\"/bin/bash\", \"-c\", \"pip3 install six\"]"),
        "{out}"
    );
    assert!(!runtime.contains("pip3 install"), "{out}");
    // An exec-form RUN that is not a shell script, or whose words would
    // need editing, is declined with the reason.
    let not_shell = format!("{DEVEL}{APT_PY}RUN [\"python3\", \"setup.py\", \"install\"]\nRUN pip3 install six\nCMD [\"python3\", \"serve.py\"]\n");
    assert!(helps(&not_shell).contains("is in exec form and does not run a shell script"));
    let user = format!("{DEVEL}{APT_PY}RUN [\"sh\", \"-c\", \"pip3 install --user six\"]\nCMD [\"python3\", \"serve.py\"]\n");
    assert!(
        helps(&user).contains("would need to edit"),
        "{}",
        helps(&user)
    );
}

#[test]
fn setup_that_names_a_runtime_only_user_runs_in_the_runtime() {
    let text = format!(
        "{DEVEL}{APT_PY}RUN pip3 install six\nRUN useradd -m server\nRUN mkdir -p /home/server/store && chown -R server:server /home/server/store\nUSER server\nCMD [\"python3\", \"-c\", \"import six\"]\n"
    );
    let out = fixed(&text);
    let builder = stage(&out, "builder").join("\n");
    let runtime = stage(&out, "runtime").join("\n");
    assert!(!builder.contains("chown"), "{out}");
    assert!(!builder.contains("useradd"), "{out}");
    assert!(
        runtime.contains("chown -R server:server /home/server/store"),
        "{out}"
    );
}

#[test]
fn an_entrypoint_script_the_stage_copies_in_is_not_a_pip_program() {
    let text = format!(
        "{DEVEL}{APT_PY}RUN pip3 install six\nCOPY entrypoint.sh /usr/local/bin/\nENTRYPOINT [\"/usr/local/bin/entrypoint.sh\"]\n"
    );
    let out = fixed(&text);
    assert!(out.contains("AS runtime"), "{out}");
    // A program under /usr/local/bin that nothing copies in may be one pip
    // installed outside the venv: declined.
    let pip_program = format!(
        "{DEVEL}{APT_PY}RUN pip3 install gunicorn\nENTRYPOINT [\"/usr/local/bin/gunicorn\"]\n"
    );
    assert!(
        helps(&pip_program).contains("by its path"),
        "{}",
        helps(&pip_program)
    );
}

#[test]
fn a_venv_the_file_makes_is_the_one_the_runtime_gets() {
    // uv from pip, the venv from apt's Python: no second venv is made.
    let text = format!(
        "{DEVEL}ENV VIRTUAL_ENV=/srv/env PATH=/srv/env/bin:$PATH\n{APT_PY}RUN pip3 install uv && uv venv /srv/env\nRUN uv pip install six\nCMD [\"python\", \"-c\", \"import six\"]\n"
    );
    let out = fixed(&text);
    let runtime = stage(&out, "runtime").join("\n");
    assert!(!out.contains("-m venv"), "{out}");
    assert!(!out.contains("/opt/venv"), "{out}");
    assert!(
        runtime.contains("COPY --from=builder /srv/env /srv/env"),
        "{out}"
    );
    assert!(
        runtime.contains("python3"),
        "the runtime installs apt's Python: {out}"
    );

    // uv's installer and an interpreter uv downloads (no Python anywhere):
    // the builder keeps it where the runtime can copy it from.
    let managed = format!(
        "{DEVEL}ENV VIRTUAL_ENV=/opt/venv PATH=/opt/venv/bin:$PATH\nRUN apt-get update && apt-get install -y curl\nRUN curl -LsSf https://astral.sh/uv/install.sh | sh && /root/.local/bin/uv venv /opt/venv --python 3.12\nRUN /root/.local/bin/uv pip install six\nCMD [\"python\", \"-c\", \"import six\"]\n"
    );
    let out = fixed(&managed);
    let builder = stage(&out, "builder").join("\n");
    let runtime = stage(&out, "runtime").join("\n");
    assert!(
        builder.contains("UV_PYTHON_INSTALL_DIR=/opt/uv-python UV_PYTHON_PREFERENCE=only-managed"),
        "{out}"
    );
    assert!(!runtime.contains("astral.sh"), "{out}");
    assert!(
        runtime.contains("COPY --from=builder /opt/uv-python /opt/uv-python"),
        "{out}"
    );

    // `--python` with a Python at hand: uv may take it or download one.
    let ambiguous = format!(
        "{DEVEL}{APT_PY}RUN pip3 install uv && uv venv /opt/venv --python 3.12\nRUN uv pip install six\nCMD [\"python\", \"-c\", \"import six\"]\n"
    );
    assert!(helps(&ambiguous).contains("the runtime cannot be shown to have it"));

    // A venv made after the first install is not the runtime's.
    let late = format!(
        "{DEVEL}{APT_PY}RUN pip3 install six\nRUN python3 -m venv /srv/env\nCMD [\"python3\", \"-c\", \"import six\"]\n"
    );
    assert!(helps(&late).contains("comes after the first install"));
}

#[test]
fn a_build_inside_a_cloned_tree_stays_in_the_builder_and_the_tree_is_copied() {
    let text = format!(
        "{DEVEL}RUN apt-get update && apt-get install -y git cmake python3 python3-pip python3-venv\nRUN git clone https://example.com/tool.git /opt/tool && cd /opt/tool && cmake -B build && cmake --build build\nRUN mkdir -p /opt/tool/extra\nRUN pip3 install six\nENV TOOL=/opt/tool/build/tool\nCMD [\"python3\", \"-c\", \"import six\"]\n"
    );
    let out = fixed(&text);
    let builder = stage(&out, "builder").join("\n");
    let runtime = stage(&out, "runtime").join("\n");
    assert!(builder.contains("cmake --build build"), "{out}");
    assert!(!runtime.contains("cmake"), "{out}");
    assert!(!runtime.contains("RUN mkdir -p /opt/tool/extra"), "{out}");
    assert!(
        runtime.contains("COPY --from=builder /opt/tool /opt/tool"),
        "{out}"
    );
    // Installing the build's output elsewhere cannot be followed.
    let install = format!(
        "{DEVEL}RUN apt-get update && apt-get install -y git make python3 python3-pip python3-venv\nRUN git clone https://example.com/tool.git /opt/tool && make -C /opt/tool && make -C /opt/tool install\nRUN pip3 install six\nCMD [\"python3\", \"-c\", \"import six\"]\n"
    );
    assert!(
        helps(&install).contains("outside the tree it was built in"),
        "{}",
        helps(&install)
    );
}

#[test]
fn unknown_header_packages_stay_in_the_runtime() {
    let text = format!(
        "{DEVEL}RUN apt-get update && apt-get install -y python3 python3-pip python3-venv gcc libfoo-dev libpq-dev\nRUN pip3 install six\nCMD [\"python3\", \"-c\", \"import six\"]\n"
    );
    let out = fixed(&text);
    let runtime = stage(&out, "runtime").join("\n");
    assert!(runtime.contains("libfoo-dev"), "{out}");
    assert!(runtime.contains("libpq5"), "{out}");
    assert!(!runtime.contains("gcc"), "{out}");
}

#[test]
fn a_final_stage_built_on_another_stage_keeps_its_name_and_the_runtime_replays_the_chain() {
    let text = "FROM nvidia/cuda:12.1.0-cudnn8-devel-ubuntu22.04 AS base\nENV LANG=C.UTF-8\nRUN apt-get update && apt-get install -y python3 python3-pip gcc libpq-dev\nWORKDIR /srv\n\nFROM base AS app\nRUN pip3 install psycopg2\nCOPY serve.py .\nCMD [\"python3\", \"serve.py\"]\n";
    let out = fixed(text);
    let builder = stage(&out, "builder").join("\n");
    let app = stage(&out, "app").join("\n");
    assert!(
        out.starts_with("FROM nvidia/cuda:12.1.0-cudnn8-devel-ubuntu22.04 AS base\n"),
        "{out}"
    );
    assert!(builder.starts_with("FROM base AS builder"), "{out}");
    assert!(builder.contains("pip3 install psycopg2"), "{out}");
    assert!(
        app.starts_with("FROM nvidia/cuda:12.1.0-cudnn8-runtime-ubuntu22.04 AS app"),
        "{out}"
    );
    for replayed in [
        "ENV LANG=C.UTF-8",
        "WORKDIR /srv",
        "libpq5",
        "COPY --from=builder /opt/venv /opt/venv",
    ] {
        assert!(app.contains(replayed), "{replayed}: {out}");
    }
    assert!(!app.contains("gcc"), "{out}");
    // The venv package goes into the stage that installs Python.
    assert!(
        stage(&out, "base").join("\n").contains("python3-venv"),
        "{out}"
    );

    // A stage below that installs Python packages itself: its packages
    // would not reach the runtime.
    let pip_below = "FROM nvidia/cuda:12.1.0-cudnn8-devel-ubuntu22.04 AS base\nRUN apt-get update && apt-get install -y python3 python3-pip python3-venv\nRUN pip3 install six\n\nFROM base\nRUN pip3 install numpy\nCMD [\"python3\", \"serve.py\"]\n";
    assert!(
        helps(pip_below).contains("which the final stage is built on, installs Python packages"),
        "{}",
        helps(pip_below)
    );
}

#[test]
fn a_conda_prefix_the_builder_installs_is_what_the_runtime_copies() {
    let text = format!(
        "{DEVEL}RUN apt-get update && apt-get install -y curl git g++\nRUN curl -Lso /miniconda.sh https://repo.anaconda.com/miniconda/Miniconda3-latest-Linux-x86_64.sh \\\n && bash /miniconda.sh -b -p /opt/conda && rm /miniconda.sh\nENV PATH=/opt/conda/bin:$PATH\nRUN conda install -y numpy && conda clean -ya\nRUN pip install six\nRUN git clone https://example.com/ext.git && cd ext && python setup.py install\nCMD [\"python\", \"-c\", \"import six\"]\n"
    );
    let out = fixed(&text);
    let builder = stage(&out, "builder").join("\n");
    let runtime = stage(&out, "runtime").join("\n");
    // No virtual environment beside the prefix.
    assert!(!out.contains("/opt/venv"), "{out}");
    for only_builds in [
        "Miniconda3",
        "conda install",
        "pip install six",
        "setup.py install",
    ] {
        assert!(builder.contains(only_builds), "{only_builds}: {out}");
        assert!(!runtime.contains(only_builds), "{only_builds}: {out}");
    }
    assert!(
        runtime.contains("COPY --from=builder /opt/conda /opt/conda"),
        "{out}"
    );
    assert!(runtime.contains("COPY --from=builder /ext /ext"), "{out}");
    assert!(runtime.contains("ENV PATH=/opt/conda/bin:$PATH"), "{out}");

    // pip before the prefix exists installs somewhere the runtime never sees.
    let early = format!(
        "{DEVEL}{APT_PY}RUN pip3 install six\nRUN bash /tmp/Miniforge3.sh -b -p /opt/conda\nENV PATH=/opt/conda/bin:$PATH\nCMD [\"python\", \"serve.py\"]\n"
    );
    assert!(
        helps(&early).contains("runs before the conda prefix exists"),
        "{}",
        helps(&early)
    );
    // pip that may not be the prefix's.
    let other_pip = format!(
        "{DEVEL}{APT_PY}RUN bash /tmp/Miniforge3.sh -b -p /opt/conda\nRUN pip3 install six\nCMD [\"python3\", \"serve.py\"]\n"
    );
    assert!(
        helps(&other_pip).contains("may not run the conda prefix's Python"),
        "{}",
        helps(&other_pip)
    );
}

#[test]
fn poetry_installs_into_the_venv_when_told_not_to_make_its_own() {
    let text = format!(
        "{DEVEL}{APT_PY}RUN pip3 install poetry\nENV POETRY_VIRTUALENVS_CREATE=false\nWORKDIR /app\nCOPY pyproject.toml poetry.lock ./\nRUN poetry install --no-root\nCOPY . .\nCMD [\"python3\", \"serve.py\"]\n"
    );
    let out = fixed(&text);
    let builder = stage(&out, "builder").join("\n");
    let runtime = stage(&out, "runtime").join("\n");
    assert!(builder.contains("poetry install --no-root"), "{out}");
    assert!(!runtime.contains("poetry"), "{out}");
    assert!(
        runtime.contains("COPY --from=builder /opt/venv /opt/venv"),
        "{out}"
    );
    // The venv is made before the first install, poetry's own included.
    let venv_at = builder.find("-m venv").unwrap();
    assert!(
        venv_at < builder.find("pip3 install poetry").unwrap(),
        "{out}"
    );

    let config = format!(
        "{DEVEL}{APT_PY}RUN pip3 install poetry && poetry config virtualenvs.create false\nCOPY . /app\nRUN cd /app && poetry install\nCMD [\"python3\", \"/app/serve.py\"]\n"
    );
    assert!(fixed(&config).contains("AS runtime"));

    let own_env = format!(
        "{DEVEL}{APT_PY}RUN pip3 install poetry\nCOPY . /app\nRUN cd /app && poetry install\nCMD [\"poetry\", \"run\", \"serve\"]\n"
    );
    assert!(
        helps(&own_env).contains("makes a virtual environment of its own"),
        "{}",
        helps(&own_env)
    );
}

#[test]
fn a_get_pip_bootstrap_installs_into_the_venv_not_the_user_site() {
    let text = format!(
        "{DEVEL}{APT_PY}RUN wget https://bootstrap.pypa.io/get-pip.py && python3 get-pip.py --user && rm get-pip.py\nRUN pip install six\nCMD [\"python3\", \"-c\", \"import six\"]\n"
    );
    let out = fixed(&text);
    let builder = stage(&out, "builder").join("\n");
    assert!(
        builder.contains("python3 get-pip.py && rm get-pip.py"),
        "{out}"
    );
}

#[test]
fn copy_before_deps_settles_on_a_manifest_without_an_extension() {
    // A fuzzing find: the manifest `reqst` reads as a directory, so the COPY
    // the fix wrote was taken for another tree on the next pass, forever.
    let text = "FROM python:3.9\r\nWORKDIR /app\r\nCOPY . .\r\nRUN pip install -r reqst decline.\nFROM nvidia/cuda:12.1.0-cudnn8-devel-ubuntu22.04\n\nRUN apt-get update && apt-get install -y python2 python3-pip\nCOPY requirements.txt /app/requirements.txt\nRUN pip3 install -r /app/requuirements.txt\r\nCMD [\"python\", \"langchain_server.py\"]\r\n";
    let out = fixed(text);
    assert_eq!(fixed(&out), out);
    let (_, found) = dflint::check(text, &Settings::default()).unwrap();
    let df008 = found.iter().find(|d| d.code == "DF008").unwrap();
    assert!(df008.fix.is_none(), "{}", df008.help);
}

/// A kept fuzzing input, as the fuzz target reads it.
fn regression(name: &str) -> String {
    let path = format!("{}/tests/regressions/{name}", env!("CARGO_MANIFEST_DIR"));
    let bytes = std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    String::from_utf8_lossy(&bytes).to_string()
}

/// Fix a text, safely and then with unsafe fixes, with `settings`; each
/// output must settle (a second `fix` changes nothing) and be a valid file.
fn fixed_settles(text: &str, settings: &Settings) -> Vec<fix::FixOutcome> {
    [false, true]
        .into_iter()
        .map(|unsafe_fixes| {
            let mut settings = settings.clone();
            settings.unsafe_fixes = unsafe_fixes;
            let out = fix::fix(text, &settings).unwrap();
            let again = fix::fix(&out.output, &settings).unwrap();
            assert_eq!(again.output, out.output, "not settled:\n{}", out.output);
            assert!(again.fixed.is_empty(), "{:?}", again.fixed);
            assert!(dflint::parse_valid(&out.output).is_ok(), "{}", out.output);
            out
        })
        .collect()
}

#[test]
fn fixes_of_two_rules_that_undo_each_other_are_set_aside_and_fixing_settles() {
    // A fuzzing find: DF002's cache mount and LegacyKeyValueFormat's `=` kept
    // moving each other's text in a cycle no single finding showed.
    let text = regression("fix-cycle-between-rules.bin");
    for out in fixed_settles(&text, &Settings::default()) {
        // One of the two is turned down: set aside when the passes run out,
        // or dropped at once when its fix breaks the file on its own.
        assert!(
            out.rejected
                .iter()
                .any(|(code, _)| matches!(*code, "DF002" | "LegacyKeyValueFormat")),
            "{:?}",
            out.rejected
        );
    }
}

#[test]
fn a_user_added_after_a_continuation_that_runs_over_blank_lines_to_the_end() {
    // A fuzzing find: the file ended in `\` and a line of blanks. The USER
    // fix saw no dangling escape (the blank line hid it), its RUN joined the
    // ENV, it was dropped, and the next `fix` (the blank line gone) added it:
    // fixing did not settle in one run.
    let found = regression("fix-dangling-continuation-over-blank-line.bin");
    let small = "FROM ubuntu:24.04\nENV a=b \\\n   \n".to_string();
    for text in [small, found] {
        let [_, with_unsafe] = &fixed_settles(&text, &Settings::every_rule())[..] else {
            unreachable!("a safe and an unsafe outcome");
        };
        assert!(
            with_unsafe.output.contains("\nUSER "),
            "{}",
            with_unsafe.output
        );
    }
}

#[test]
fn one_fix_that_breaks_the_file_does_not_hold_back_the_others() {
    // A fuzzing find: a LegacyKeyValueFormat fix that cannot apply sat in
    // every batch, so the others applied one a pass, the passes ran out,
    // and the rules still at work were set aside; the next `fix` applied
    // them: fixing did not settle in one run.
    let text = regression("fix-one-bad-fix-among-many.bin");
    fixed_settles(&text, &Settings::every_rule());
}

#[test]
fn turning_down_one_of_two_findings_alike_leaves_the_other_fixed() {
    // A fuzzing find: two `LABEL` lines with the same bad key give DL3048
    // two findings of one message and one text; one fix could not apply,
    // and turning it down also skipped the other, which the next `fix`
    // then renamed: fixing did not settle in one run.
    let text = regression("fix-two-findings-alike.bin");
    fixed_settles(&text, &Settings::every_rule());
}
