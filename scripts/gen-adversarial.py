#!/usr/bin/env python3
"""Dockerfiles built to make a linter do work that grows with the square of
the file: many of one thing, each of which could be compared with all the
others. `scripts/bench.sh` times dflint on each at N and 4N repetitions; a
linear pass takes about 4x the time, a quadratic one about 16x.

  scripts/gen-adversarial.py OUT_DIR N [--shapes a,b,...]

writes OUT_DIR/SHAPE.Dockerfile for every shape (or those named), each with
N repetitions of its block. The shapes:

  relative-workdirs   WORKDIRs each relative to the one before
  empty-continuations RUNs with an empty line inside their continuation
  copy-install-pairs  COPY a tree, then RUN pip install -r from it, repeated
  copies-then-installs every tree COPY first, then every install
  copies-unused       tree COPYs that no RUN installs from
  copy-from-chain     stages each copying from the stage before
  env-chain           ENVs each built from the one before (`A2=${A1}x`)
  env-pairs           one ENV of N pairs over continuation lines
  arg-pairs           one ARG of N names over continuation lines
  users               USER and RUN, repeated
  shells              SHELL and a piped RUN, repeated
  cmds                CMDs overriding each other in one stage
  healthchecks        HEALTHCHECKs overriding each other
  labels              LABELs of two pairs each
  stages              independent stages
  onbuild             ONBUILD RUN and ONBUILD COPY, repeated
  pragmas             suppression comments above every RUN
  apt-then-cleanup    apt-get installs, and one cleanup at the end
  volumes             VOLUME and a mkdir of it, repeated
  from-args           stages FROM a global ARG, each redeclaring it
  mounts              one RUN with N cache mounts
  heredocs            one RUN with N heredocs
  copy-sources        one COPY of N sources
  distroless-runs     shell-form RUNs on an image without a shell
  model-clones        git clones of model repositories, git-lfs installed

Every file is valid for BuildKit's parser, and the output is deterministic.
"""

import os
import sys

FROM = "FROM python:3.11 AS base"

# name: (lines before, the block repeated N times, lines after). In a block,
# {i} is the repetition (0 to N-1) and {p} the one before it; a block whose
# first repetition is among the lines before starts from 1 (a leading "1:").
SHAPES = {
    "relative-workdirs": ([FROM], "WORKDIR part{i}", []),
    "empty-continuations": ([FROM], "RUN echo {i} \\\n\n  && true", []),
    "copy-install-pairs": (
        [FROM],
        "COPY src{i}/ /app/{i}/\nRUN pip install -r /app/{i}/requirements.txt",
        [],
    ),
    "copies-then-installs": (
        [FROM],
        "COPY src{i}/ /app/{i}/",
        ["RUN pip install -r /app/{i}/requirements.txt"],
    ),
    "copies-unused": ([FROM], "COPY src{i}/ /app/{i}/\nRUN echo {i}", []),
    "copy-from-chain": (
        ["FROM python:3.11 AS s0"],
        "1:FROM python:3.11 AS s{i}\nCOPY --from=s{p} /a /a",
        [],
    ),
    "env-chain": ([FROM, "ENV A0=x"], "1:ENV A{i}=${{A{p}}}x", []),
    "env-pairs": ([FROM, "ENV A0=0 \\"], "1:  A{i}=$A{p}x \\", ["  Z=1"]),
    "arg-pairs": ([FROM, "ARG A0=0 \\"], "1:  A{i}=$A{p} \\", ["  Z=1"]),
    "users": ([FROM], "USER u{i}\nRUN echo {i}", []),
    "shells": ([FROM], 'SHELL ["/bin/sh", "-c"]\nRUN a | b', []),
    "cmds": ([FROM], 'CMD ["run{i}"]', []),
    "healthchecks": ([FROM], "HEALTHCHECK CMD curl -f http://localhost/{i}", []),
    "labels": ([FROM], 'LABEL org.example.k{i}="v{i}" other{i}="w{i}"', []),
    "stages": ([], "FROM python:3.11 AS s{i}\nRUN pip install p{i}", []),
    "onbuild": ([FROM], "ONBUILD RUN pip install p{i}\nONBUILD COPY a{i} b/", []),
    "pragmas": (
        [FROM],
        "# dflint ignore=DF002\n# hadolint ignore=DL3013\nRUN pip install p{i}",
        [],
    ),
    "apt-then-cleanup": (
        [FROM],
        "RUN apt-get update && apt-get install -y p{i}",
        ["RUN rm -rf /var/lib/apt/lists/*"],
    ),
    "volumes": ([FROM], "VOLUME /v{i}\nRUN mkdir -p /v{i}", []),
    "from-args": (
        ["ARG BASE=python:3.11"],
        "FROM ${{BASE}} AS s{i}\nARG BASE\nRUN echo $BASE",
        [],
    ),
    "mounts": ([FROM, "RUN \\"], "  --mount=type=cache,target=/cache/{i} \\", ["  pip install x"]),
    "heredocs": ([FROM, "RUN <<E0 \\"], "1:  <<E{i} \\", ["  true", "pip install p{i}\nE{i}"]),
    "copy-sources": ([FROM, "COPY s0 \\"], "1:  s{i} \\", ["  /dst/"]),
    "distroless-runs": (["FROM gcr.io/distroless/python3-debian12"], "RUN echo {i}", []),
    "model-clones": (
        [FROM, "RUN apt-get install -y git-lfs && git lfs install"],
        "RUN git clone https://huggingface.co/org/model{i}",
        [],
    ),
}


def shape(name, n):
    """The lines of a shape with N repetitions. A line after the block that
    names {i} is repeated N times too (from 0), after the block."""
    before, block, after = SHAPES[name]
    start = 0
    if block.startswith("1:"):
        start, block = 1, block[2:]
    lines = list(before)
    lines += [block.format(i=i, p=i - 1) for i in range(start, n)]
    for line in after:
        if "{i}" in line:
            lines += [line.format(i=i, p=i - 1) for i in range(n)]
        else:
            lines.append(line)
    return lines


def main(argv):
    args, chosen = [], list(SHAPES)
    it = iter(argv)
    for a in it:
        if a == "--shapes":
            chosen = next(it, "").split(",")
        elif a.startswith("--shapes="):
            chosen = a.split("=", 1)[1].split(",")
        else:
            args.append(a)
    if len(args) != 2 or not args[1].isdigit():
        sys.exit("usage: gen-adversarial.py OUT_DIR N [--shapes a,b,...]")
    out_dir, n = args[0], int(args[1])
    unknown = [s for s in chosen if s not in SHAPES]
    if unknown:
        sys.exit("unknown shape(s): %s (known: %s)" % (", ".join(unknown), ", ".join(SHAPES)))
    os.makedirs(out_dir, exist_ok=True)
    for name in chosen:
        path = os.path.join(out_dir, name + ".Dockerfile")
        with open(path, "w") as f:
            f.write("\n".join(shape(name, n)) + "\n")
        print(path)


if __name__ == "__main__":
    main(sys.argv[1:])
