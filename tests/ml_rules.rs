//! The ML rules on the cases real files showed them getting wrong, and the
//! cases each new rule must tell apart: what is flagged, what is not, and
//! what the fixes write.

use dflint::settings::Layer;
use dflint::Settings;

/// Settings that run only `codes`.
fn only(codes: &[&str], unsafe_fixes: bool) -> Settings {
    let options = dflint::config::ConfigOptions {
        select: Some(codes.iter().map(|c| c.to_string()).collect()),
        unsafe_fixes: Some(unsafe_fixes),
        ..Default::default()
    };
    Settings::resolve(&[Layer {
        source: "test".into(),
        options: &options,
        base: None,
    }])
    .unwrap()
}

/// `(line, message)` of every finding of `code` in `text`.
fn findings(code: &str, text: &str) -> Vec<(usize, String)> {
    let (_, found) = dflint::check(text, &only(&[code], false))
        .unwrap_or_else(|e| panic!("{code}: {e:?}\n{text}"));
    found
        .into_iter()
        .map(|d| {
            assert_eq!(d.code, code);
            let line = text[..d.span.start].matches('\n').count() + 1;
            (line, d.message.to_string())
        })
        .collect()
}

fn lines(code: &str, text: &str) -> Vec<usize> {
    findings(code, text).into_iter().map(|(l, _)| l).collect()
}

fn fixed(code: &str, text: &str, unsafe_fixes: bool) -> String {
    dflint::fix::fix(text, &only(&[code], unsafe_fixes))
        .unwrap()
        .output
}

#[test]
fn df002_accepts_a_purge_at_the_end_of_the_run() {
    let text = "FROM python:3.11-slim
RUN pip install torch && pip cache purge
RUN pip install numpy && rm -rf /root/.cache/pip
RUN python3 -m pip install scipy && python3 -m pip cache purge
RUN pip install pandas; rm -rf ~/.cache/pip/*
RUN pip install flask
RUN pip install --no-cache mlflow
";
    assert_eq!(lines("DF002", text), [6]);
}

#[test]
fn df002_sees_pip_behind_conda_run() {
    let text = "FROM continuumio/miniconda3:24.7.1-0
RUN conda run -n app pip install fastapi
RUN conda run -n app --no-capture-output pip install --no-cache-dir uvicorn
RUN micromamba run -n base python -m pip install httpx
";
    assert_eq!(lines("DF002", text), [2, 4]);
    // The fix lands in the right place: after the RUN keyword (a cache
    // mount), the command untouched.
    assert_eq!(
        fixed("DF002", "FROM continuumio/miniconda3:24.7.1-0\nRUN conda run -n app pip install fastapi\n", false),
        "FROM continuumio/miniconda3:24.7.1-0\nRUN --mount=type=cache,target=/root/.cache/pip conda run -n app pip install fastapi\n"
    );
}

#[test]
fn df003_leaves_install_only_runs_alone() {
    // The lists were fetched, and cleaned, by the RUN before: the second
    // RUN has none of its own to remove.
    let text = "FROM ubuntu:22.04
RUN apt-get update && apt-get install -y git && rm -rf /var/lib/apt/lists/*
RUN apt-get install -y curl
";
    assert!(lines("DF003", text).is_empty());
    // Lists fetched in one RUN and used by the next: the finding is on
    // the RUN that fetched them, not on the install.
    let split = "FROM ubuntu:22.04
RUN apt-get update
RUN apt-get install -y curl
";
    assert_eq!(lines("DF003", split), [2]);
    assert_eq!(
        fixed("DF003", split, false),
        "FROM ubuntu:22.04
RUN apt-get update && apt-get install -y curl && rm -rf /var/lib/apt/lists/*
"
    );
}

#[test]
fn df003_does_not_fold_an_update_into_an_upgrade() {
    let text = "FROM ubuntu:22.04
RUN apt-get update
RUN apt-get upgrade -y
RUN apt-get install -y curl
";
    assert_eq!(lines("DF003", text), [2]);
    // Reported, not rewritten: folding the update into the upgrade would
    // leave the lists for the install below all the same.
    assert_eq!(fixed("DF003", text, true), text);
}

#[test]
fn df015_conda_caches() {
    let text = "FROM continuumio/miniconda3:24.7.1-0
RUN conda install -y numpy
RUN conda install -y scipy && conda clean -afy
RUN conda env create -f env.yml && conda clean --all --yes
RUN mamba install -y pandas && rm -rf /opt/conda/pkgs/*
RUN --mount=type=cache,target=/opt/conda/pkgs conda install -y torch
RUN conda install -y a && conda clean -ty
RUN conda clean -afy
";
    assert_eq!(lines("DF015", text), [2, 7]);
    // A builder stage that does not ship is not judged.
    let builder = "FROM continuumio/miniconda3:24.7.1-0 AS build
RUN conda create -p /env -y python=3.11
FROM debian:bookworm-slim
COPY --from=build /env /env
";
    assert!(lines("DF015", builder).is_empty());
    assert_eq!(
        fixed("DF015", "FROM mambaorg/micromamba:1.5.8\nRUN micromamba create -y -n app python=3.11\n", false),
        "FROM mambaorg/micromamba:1.5.8\nRUN micromamba create -y -n app python=3.11 && micromamba clean -afy\n"
    );
}

#[test]
fn df021_apk_and_rpm_caches() {
    let text = "FROM alpine:3.20
RUN apk add curl
RUN apk add --no-cache git
RUN apk update && apk add --no-cache jq
RUN apk add make && rm -rf /var/cache/apk/*
RUN apk add --no-network --virtual .deps so:libc.musl-x86_64.so.1
RUN --mount=type=cache,target=/var/cache/apk apk add gcc
";
    assert_eq!(lines("DF021", text), [2, 4]);
    assert_eq!(
        fixed("DF021", text, false),
        "FROM alpine:3.20
RUN apk add --no-cache curl
RUN apk add --no-cache git
RUN apk update && apk add --no-cache jq && rm -rf /var/cache/apk/*
RUN apk add make && rm -rf /var/cache/apk/*
RUN apk add --no-network --virtual .deps so:libc.musl-x86_64.so.1
RUN --mount=type=cache,target=/var/cache/apk apk add gcc
"
    );
    let rpm = "FROM rockylinux:9
RUN dnf install -y python3
RUN yum install -y git && dnf clean all
RUN microdnf install -y jq && dnf clean all
RUN dnf install -y gcc && rm -rf /var/cache/dnf
";
    // microdnf keeps a cache of its own: `dnf clean all` does not empty it.
    assert_eq!(lines("DF021", rpm), [2, 4]);
}

#[test]
fn df016_only_shipping_bases_without_a_pin() {
    let text = "ARG BASE=python
FROM golang AS build
FROM ${BASE} AS app
FROM app
";
    let found = findings("DF016", text);
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(found[0].0, 3);
    assert!(found[0].1.contains("`${BASE}` resolves to it"), "{found:?}");
    for pinned in [
        "FROM python:3.11-slim\n",
        "FROM python@sha256:0000000000000000000000000000000000000000000000000000000000000000\n",
        "FROM scratch\n",
        "ARG BASE\nFROM ${BASE}\n",
    ] {
        assert!(lines("DF016", pinned).is_empty(), "{pinned}");
    }
    assert_eq!(lines("DF016", "FROM pytorch/pytorch:latest\n"), [1]);
}

#[test]
fn df017_cuda_releases() {
    let flagged = [
        "FROM nvidia/cuda:12.1.1-runtime-ubuntu22.04\nRUN pip install torch -f https://download.pytorch.org/whl/cu118/torch_stable.html\n",
        "FROM nvidia/cuda:12.1.1-runtime-ubuntu22.04\nRUN pip install cupy-cuda11x\n",
        "FROM nvidia/cuda:11.8.0-runtime-ubuntu22.04\nARG TORCH=2.2.0+cu121\nRUN pip install torch==${TORCH}\n",
        "FROM pytorch/pytorch:2.1.0-cuda12.1-cudnn8-runtime\nRUN conda install -y pytorch-cuda=11.8\n",
        "FROM nvcr.io/nvidia/pytorch:24.01-py3\nRUN uv pip install --system torch --torch-backend=cu118\n",
        "FROM nvidia/cuda:12.4.1-runtime-ubuntu22.04\nENV PIP_EXTRA_INDEX_URL=https://download.pytorch.org/whl/cpu\n",
        "FROM nvidia/cuda:12.4.1-runtime-ubuntu22.04\nRUN conda run -n app pip install torch==2.3.0+cpu\n",
    ];
    for text in flagged {
        assert_eq!(findings("DF017", text).len(), 1, "{text}");
    }
    let fine = [
        // The same major where only the major is known.
        "FROM nvidia/cuda:12.4.1-runtime-ubuntu22.04\nRUN pip install nvidia-cudnn-cu12 flash_attn-2.7+cu12torch2.6-cp311.whl\n",
        "FROM nvidia/cuda:11.3.1-devel-ubuntu20.04\nRUN pip install torch==1.12.1+cu113 -f https://download.pytorch.org/whl/cu113/torch_stable.html\n",
        // No CUDA base: DF017 has nothing to compare with.
        "FROM python:3.11-slim\nRUN pip install torch==2.2.0+cu121\n",
        // A base whose release the name does not give.
        "FROM tensorflow/tensorflow:2.15.0-gpu\nRUN pip install torch==2.2.0+cu121\n",
        // A builder stage does not ship.
        "FROM nvidia/cuda:12.4.1-devel-ubuntu22.04 AS b\nRUN pip install torch==2.2.0+cu118\nFROM python:3.11-slim\n",
    ];
    for text in fine {
        assert!(findings("DF017", text).is_empty(), "{text}");
    }
    let found = findings(
        "DF017",
        "FROM nvidia/cuda:12.1.1-runtime-ubuntu22.04\nRUN pip install torch==2.2.0+cu118\n",
    );
    assert_eq!(
        found[0].1,
        "`torch==2.2.0+cu118` is built for CUDA 11.8, but the base `nvidia/cuda:12.1.1-runtime-ubuntu22.04` has CUDA 12.1"
    );
}

#[test]
fn df018_gpu_queries_at_build() {
    let flagged = [
        "FROM nvidia/cuda:12.4.1-runtime-ubuntu22.04\nRUN nvidia-smi || true\n",
        "FROM pytorch/pytorch:2.3.1-cuda12.1-cudnn8-devel\nRUN if python -c 'import torch; print(torch.cuda.device_count())'; then make gpu; fi\n",
        "FROM pytorch/pytorch:2.3.1-cuda12.1-cudnn8-devel\nRUN python3 <<EOF\nimport torch\nif torch.cuda.is_available():\n    print(1)\nEOF\n",
        // A builder stage runs its RUNs too.
        "FROM nvidia/cuda:12.4.1-devel-ubuntu22.04 AS b\nRUN nvidia-smi\nFROM python:3.11-slim\n",
    ];
    for text in flagged {
        assert_eq!(findings("DF018", text).len(), 1, "{text}");
    }
    let fine = [
        // Written to a file, not run.
        "FROM python:3.11-slim\nRUN echo 'import torch; print(torch.cuda.is_available())' > /check.py\n",
        "FROM python:3.11-slim\nRUN cat > /check.py <<EOF\nimport torch\ntorch.cuda.is_available()\nEOF\n",
        "FROM python:3.11-slim\nCMD nvidia-smi\n",
        "FROM python:3.11-slim\nHEALTHCHECK CMD nvidia-smi\n",
    ];
    for text in fine {
        assert!(findings("DF018", text).is_empty(), "{text}");
    }
}

#[test]
fn df019_parts_the_base_already_has() {
    let flagged = [
        "FROM nvidia/cuda:12.1.1-devel-ubuntu22.04\nRUN apt-get install -y cuda-toolkit-12-1\n",
        "FROM nvidia/cuda:12.1.1-cudnn8-runtime-ubuntu22.04\nRUN apt-get install -y libcudnn8=8.9.7.29-1+cuda12.2\n",
        "FROM nvcr.io/nvidia/pytorch:24.01-py3\nRUN conda install -y cudnn\n",
        "FROM nvidia/cuda:12.1.1-runtime-ubuntu22.04\nRUN apt-get install -y cuda-libraries-12-1\n",
        "FROM nvidia/cuda:12.4.1-devel-rockylinux9\nRUN dnf install -y cuda-toolkit-12-4 && dnf clean all\n",
    ];
    for text in flagged {
        assert_eq!(findings("DF019", text).len(), 1, "{text}");
    }
    let fine = [
        // Headers and nvcc on a runtime image add what it lacks.
        "FROM nvidia/cuda:12.9.1-runtime-ubuntu24.04\nRUN apt install -y cuda-cudart-dev-12-9 cuda-nvcc-12-9\n",
        // cuDNN on an image without it, or another cuDNN release.
        "FROM nvidia/cuda:12.1.1-runtime-ubuntu22.04\nRUN apt-get install -y libcudnn8\n",
        "FROM nvidia/cuda:12.1.1-cudnn8-runtime-ubuntu22.04\nRUN apt-get install -y libcudnn9-cuda-12\n",
        // Another CUDA release.
        "FROM nvidia/cuda:12.1.1-devel-ubuntu22.04\nRUN apt-get install -y cuda-toolkit-11-8\n",
        // pip's NVIDIA wheels are what the frameworks load.
        "FROM nvidia/cuda:12.8.1-cudnn-devel-ubuntu24.04\nRUN pip install nvidia-cudnn-cu12==9.10.2.21\n",
        "FROM nvidia/cuda:12.1.1-devel-ubuntu22.04\nRUN apt-get install -y cuda-toolkit-12-config-common\n",
    ];
    for text in fine {
        assert!(findings("DF019", text).is_empty(), "{text}");
    }
}

#[test]
fn df020_device_choices() {
    let text = "FROM nvidia/cuda:12.4.1-runtime-ubuntu22.04
ENV NVIDIA_VISIBLE_DEVICES=all
ENV NVIDIA_VISIBLE_DEVICES all
ENV CUDA_VISIBLE_DEVICES=\"\"
ENV A=1 CUDA_VISIBLE_DEVICES=0,1 B=2
ENV C=3 HIP_VISIBLE_DEVICES=0
";
    assert_eq!(lines("DF020", text), [4, 5, 6]);
    // The safe level writes nothing; the unsafe one removes what it can
    // cut cleanly, and leaves the last of several pairs.
    assert_eq!(fixed("DF020", text, false), text);
    assert_eq!(
        fixed("DF020", text, true),
        "FROM nvidia/cuda:12.4.1-runtime-ubuntu22.04
ENV NVIDIA_VISIBLE_DEVICES=all
ENV NVIDIA_VISIBLE_DEVICES all
ENV A=1 B=2
ENV C=3 HIP_VISIBLE_DEVICES=0
"
    );
    // A builder stage's environment does not reach the image.
    assert!(lines(
        "DF020",
        "FROM python:3.11 AS b\nENV CUDA_VISIBLE_DEVICES=0\nFROM python:3.11-slim\n"
    )
    .is_empty());
}

#[test]
fn df005_weights_in_every_shape() {
    let flagged = [
        "FROM python:3.11-slim\nCOPY model/weights.hdf5 /app/\n",
        "FROM python:3.11-slim\nRUN apt-get update && apt-get install -y git-lfs && rm -rf /var/lib/apt/lists/*\nRUN git clone https://huggingface.co/openai/whisper-small /models/whisper\n",
        "FROM python:3.11-slim\nRUN git lfs install && git clone --depth 1 https://huggingface.co/BAAI/bge-small-en-v1.5\n",
        "FROM python:3.11-slim\nCOPY download_model.py .\nRUN python download_model.py --name bert-base-uncased\n",
        "FROM python:3.11-slim\nRUN bash scripts/fetch-weights.sh\n",
        "FROM python:3.11-slim AS fetch\nRUN pip install huggingface_hub\nFROM python:3.11-slim\nCOPY --from=fetch /out/model.safetensors /models/\n",
        "FROM python:3.11-slim\nCOPY --from=fetch /root/.cache/huggingface /root/.cache/huggingface\n",
    ];
    for text in flagged {
        assert_eq!(findings("DF005", text).len(), 1, "{text}");
    }
    let fine = [
        // Without git-lfs a clone holds pointer files only.
        "FROM python:3.11-slim\nRUN git clone https://huggingface.co/openai/whisper-small /models/whisper\n",
        "FROM python:3.11-slim\nRUN git lfs install && GIT_LFS_SKIP_SMUDGE=1 git clone https://huggingface.co/org/m\n",
        // A Space is an application, not weights.
        "FROM python:3.11-slim\nRUN git lfs install && git clone https://huggingface.co/spaces/org/demo\n",
        "FROM python:3.11-slim\nRUN python download_data.py && python train.py\n",
        "FROM python:3.11-slim\nCOPY --from=build /app/dist /app/dist\n",
        "FROM python:3.11-slim\nRUN python -m pip install --no-cache-dir downloader\n",
    ];
    for text in fine {
        assert!(findings("DF005", text).is_empty(), "{text}");
    }
    let found = findings(
        "DF005",
        "FROM python:3.11-slim\nRUN python3 /app/download_model.py\n",
    );
    assert_eq!(
        found[0].1,
        "`python3 /app/download_model.py` downloads model weights into the image at build time"
    );
}

/// Run the binary in `dir` with `args`, feeding `stdin`; its stdout.
fn dflint_in(dir: &std::path::Path, args: &[&str], stdin: &str) -> String {
    use std::io::Write;
    use std::process::{Command, Stdio};
    let mut child = Command::new(env!("CARGO_BIN_EXE_dflint"))
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut input = child.stdin.take().unwrap();
    input.write_all(stdin.as_bytes()).unwrap();
    drop(input);
    let out = child.wait_with_output().unwrap();
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[test]
fn df004_reads_the_requirements_files_a_run_installs_from() {
    let dir = tempfile::tempdir().unwrap();
    let files = [
        (
            "requirements.txt",
            "# serving\nfastapi==0.110\n-r reqs/vision.txt\n-c constraints.txt\n",
        ),
        (
            "reqs/vision.txt",
            "numpy\nopencv-python==4.9.0.80 \\\n  ; python_version > '3.8'\n",
        ),
        ("constraints.txt", "opencv-contrib-python==4.9.0.80\n"),
        ("dev.txt", "opencv-python\n"),
    ];
    for (name, text) in files {
        let path = dir.path().join(name);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }
    let dockerfile = "FROM python:3.11-slim
WORKDIR /app
COPY requirements.txt constraints.txt ./
COPY reqs/ ./reqs/
RUN pip install --no-cache-dir -r requirements.txt
RUN pip install --no-cache-dir -r /app/dev.txt
";
    std::fs::write(dir.path().join("Dockerfile"), dockerfile).unwrap();
    let out = dflint_in(
        dir.path(),
        &[
            "check",
            "--select",
            "DF004",
            "--output-format",
            "json",
            "Dockerfile",
        ],
        "",
    );
    let items: serde_json::Value =
        serde_json::from_str(&out).unwrap_or_else(|e| panic!("{e}: {out}"));
    let found: Vec<(u64, String)> = items
        .as_array()
        .unwrap()
        .iter()
        .map(|i| {
            (
                i["line"].as_u64().unwrap(),
                i["message"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    // Reported on the RUN that installs, naming the file and line; the
    // second RUN's file was never copied into the image, so it is not read.
    assert_eq!(
        found,
        [
            (5, "`reqs/vision.txt:2` installs `opencv-python`, which pulls in Qt and X11 libraries that a server never uses".to_string()),
            (5, "`constraints.txt:1` pins `opencv-contrib-python`, which pulls in Qt and X11 libraries that a server never uses".to_string()),
        ]
    );
    // From standard input there is no build context: nothing is read.
    let out = dflint_in(
        dir.path(),
        &["check", "--select", "DF004", "--output-format", "json", "-"],
        dockerfile,
    );
    assert_eq!(out.trim(), "[]");
}
