#!/usr/bin/env python3
"""Synthetic Dockerfiles for measuring how dflint scales with input size.

Each shape stresses one path that could grow faster than the file:

  runs          one long stage of RUNs with apt and pip installs (a finding
                or two per RUN: DF002, DF003, DF004, DF007)
  chain         every stage is built FROM the one before it
  envuser       ENV, USER, WORKDIR and RUN interleaved in one stage, every
                RUN reading the variables set above it
  continuation  RUNs of hundreds of `\\` continuation lines each
  heredoc       RUNs whose heredoc bodies are thousands of lines long
  findings      every rule firing in every block (weights, opencv, apt, pip,
                build tools, suppression comments, COPY into the WORKDIR)

  scripts/gen-synthetic.py OUT_DIR [SIZE_MB ...] [--shapes a,b,...]

writes OUT_DIR/SHAPE-SIZEmb.Dockerfile for every shape (or those named) and
size (default sizes: 1 10 50). The output is deterministic, and each file is valid for
BuildKit's parser, so `dflint check` reads it through to the rules.
"""

import os
import sys

PACKAGES = [
    "numpy", "pandas", "scipy", "torch", "transformers", "fastapi",
    "uvicorn", "pydantic", "requests", "pillow", "tqdm", "accelerate",
]
APT = ["curl", "ca-certificates", "ffmpeg", "libgl1", "git", "build-essential"]


def header(out, base="python:3.11"):
    out.append("# syntax=docker/dockerfile:1\n")
    out.append("ARG BASE=%s\n" % base)
    out.append("FROM ${BASE} AS base\n")


def block_runs(i):
    pkg = PACKAGES[i % len(PACKAGES)]
    apt = APT[i % len(APT)]
    return (
        "RUN apt-get update && apt-get install -y --no-install-recommends %s && "
        "pip install %s==1.%d.0 requests && echo step-%d\n"
        "RUN pip install --upgrade %s-extra%d && python -c 'import sys; print(%d)'\n"
        % (apt, pkg, i % 50, i, pkg, i, i)
    )


def block_chain(i):
    return (
        "FROM s%d AS s%d\n"
        "ENV STEP_%d=%d\n"
        "RUN pip install pkg%d && echo $STEP_%d\n"
        % (i - 1, i, i, i, i, i)
        if i > 0
        else "FROM python:3.11 AS s0\nRUN pip install first\n"
    )


def block_envuser(i):
    user = "root" if i % 3 == 0 else "app%d" % (i % 7)
    return (
        "ENV V%d=value%d PIP_CACHE_DIR=/cache/%d\n"
        "USER %s\n"
        "WORKDIR /work/$V%d\n"
        "RUN echo $V%d && pip install p%d && mkdir -p data%d\n"
        "COPY app%d.py ./\n"
        % (i, i, i % 5, user, i, i, i, i, i)
    )


def block_continuation(i, lines=300):
    out = ["RUN apt-get update && apt-get install -y \\\n"]
    for k in range(lines):
        out.append("    pkg-%d-%d \\\n" % (i, k))
    out.append("    && pip install \\\n")
    for k in range(lines // 3):
        out.append("      \"lib%d_%d>=1.0\" \\\n" % (i, k))
    out.append("    && echo done-%d\n" % i)
    return "".join(out)


def block_heredoc(i, lines=4000):
    out = ["RUN <<EOF%d\n" % i, "set -eux\n"]
    for k in range(lines):
        out.append("pip install package-%d-%d==%d.0\n" % (i, k, k % 9))
    out.append("EOF%d\n" % i)
    return "".join(out)


def block_findings(i):
    return (
        "# dflint ignore=DF002\n"
        "RUN pip install opencv-python==4.%d huggingface_hub\n"
        "# dflint ignore=DF999\n"
        "RUN apt-get update && apt-get install -y gcc-12 libpq-dev git\n"
        "COPY model-%d.safetensors /models/\n"
        "RUN wget https://example.com/weights/m%d.pt && "
        "python -c \"from transformers import AutoModel; AutoModel.from_pretrained('m%d')\"\n"
        "RUN mkdir -p /srv/app%d && uv pip install --system opencv-contrib-python pkg%d\n"
        "ENV HF_HOME=/srv/hf%d\n"
        % (i % 10, i, i, i, i, i, i)
    )


SHAPES = {
    "runs": (block_runs, "python:3.11", "CMD [\"python\", \"app.py\"]\n"),
    "chain": (block_chain, None, "CMD [\"python\", \"app.py\"]\n"),
    "envuser": (block_envuser, "python:3.11", "CMD [\"python\", \"app.py\"]\n"),
    "continuation": (block_continuation, "python:3.11", "CMD [\"python\", \"app.py\"]\n"),
    "heredoc": (block_heredoc, "python:3.11", "CMD [\"python\", \"app.py\"]\n"),
    "findings": (
        block_findings,
        "nvidia/cuda:12.1.0-cudnn8-devel-ubuntu22.04",
        "CMD [\"python3\", \"serve.py\"]\n",
    ),
}


def generate(shape, size):
    block, base, tail = SHAPES[shape]
    out = []
    if base is not None:
        header(out, base)
    total = sum(len(s) for s in out)
    i = 0
    while total < size:
        b = block(i)
        out.append(b)
        total += len(b)
        i += 1
    out.append(tail)
    return "".join(out)


def main():
    if len(sys.argv) < 2:
        print(__doc__.strip(), file=sys.stderr)
        return 2
    dest = sys.argv[1]
    args = sys.argv[2:]
    shapes = list(SHAPES)
    if "--shapes" in args:
        i = args.index("--shapes")
        shapes = [s for s in args[i + 1].split(",") if s]
        del args[i:i + 2]
        unknown = [s for s in shapes if s not in SHAPES]
        if unknown:
            print("unknown shapes: %s (known: %s)" % (", ".join(unknown), ", ".join(SHAPES)), file=sys.stderr)
            return 2
    sizes = [float(s) for s in args] or [1, 10, 50]
    os.makedirs(dest, exist_ok=True)
    for mb in sizes:
        label = ("%g" % mb).replace(".", "_")
        for shape in shapes:
            path = os.path.join(dest, "%s-%smb.Dockerfile" % (shape, label))
            text = generate(shape, int(mb * 1024 * 1024))
            with open(path, "w") as f:
                f.write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
