#!/usr/bin/env python3
"""Dockerfiles built to make a linter do work that grows with the square of
the file: many of one thing, each of which could be compared with all the
others. `scripts/bench.sh` times dflint on each at N and 4N repetitions; a
linear pass takes about 4x the time, a quadratic one about 16x.

  scripts/gen-adversarial.py OUT_DIR N [--shapes a,b,...]

writes OUT_DIR/SHAPE.Dockerfile for every shape (or those named), each with
N repetitions of its block (`--list` prints the shapes and what each
repeats). A shape may also write files beside the Dockerfiles, in the
build context they share: a COPY of a pattern is compared with the
context's files (`--list-context` names those shapes).

Every file is valid for BuildKit's parser, and the output is deterministic.
"""

import os
import sys

FROM = "FROM python:3.11 AS base"

# name: (what it repeats, lines before, the block repeated N times, lines
# after). In a block, {i} is the repetition (0 to N-1) and {p} the one before
# it; a block whose first repetition is among the lines before starts from 1
# (a leading "1:").
SHAPES = {
    "relative-workdirs": (
        "WORKDIRs each relative to the one before",
        [FROM], "WORKDIR part{i}", [],
    ),
    "empty-continuations": (
        "RUNs with an empty line inside their continuation",
        [FROM], "RUN echo {i} \\\n\n  && true", [],
    ),
    "copy-install-pairs": (
        "COPY a tree, then RUN pip install -r from it, repeated",
        [FROM],
        "COPY src{i}/ /app/{i}/\nRUN pip install -r /app/{i}/requirements.txt",
        [],
    ),
    "copies-then-installs": (
        "every tree COPY first, then every install",
        [FROM],
        "COPY src{i}/ /app/{i}/",
        ["RUN pip install -r /app/{i}/requirements.txt"],
    ),
    "copies-unused": (
        "tree COPYs that no RUN installs from",
        [FROM], "COPY src{i}/ /app/{i}/\nRUN echo {i}", [],
    ),
    "copy-from-chain": (
        "stages each copying from the stage before",
        ["FROM python:3.11 AS s0"],
        "1:FROM python:3.11 AS s{i}\nCOPY --from=s{p} /a /a",
        [],
    ),
    "env-chain": (
        "ENVs each built from the one before (`A2=${A1}x`)",
        [FROM, "ENV A0=x"], "1:ENV A{i}=${{A{p}}}x", [],
    ),
    "env-pairs": (
        "one ENV of N pairs over continuation lines",
        [FROM, "ENV A0=0 \\"], "1:  A{i}=$A{p}x \\", ["  Z=1"],
    ),
    "arg-pairs": (
        "one ARG of N names over continuation lines",
        [FROM, "ARG A0=0 \\"], "1:  A{i}=$A{p} \\", ["  Z=1"],
    ),
    "users": (
        "USER and RUN, repeated",
        [FROM], "USER u{i}\nRUN echo {i}", [],
    ),
    "shells": (
        "SHELL and a piped RUN, repeated",
        [FROM], 'SHELL ["/bin/sh", "-c"]\nRUN a | b', [],
    ),
    "cmds": (
        "CMDs overriding each other in one stage",
        [FROM], 'CMD ["run{i}"]', [],
    ),
    "healthchecks": (
        "HEALTHCHECKs overriding each other",
        [FROM], "HEALTHCHECK CMD curl -f http://localhost/{i}", [],
    ),
    "labels": (
        "LABELs of two pairs each",
        [FROM], 'LABEL org.example.k{i}="v{i}" other{i}="w{i}"', [],
    ),
    "stages": (
        "independent stages",
        [], "FROM python:3.11 AS s{i}\nRUN pip install p{i}", [],
    ),
    "onbuild": (
        "ONBUILD RUN and ONBUILD COPY, repeated",
        [FROM], "ONBUILD RUN pip install p{i}\nONBUILD COPY a{i} b/", [],
    ),
    "pragmas": (
        "suppression comments above every RUN",
        [FROM],
        "# dflint ignore=DF002\n# hadolint ignore=DL3013\nRUN pip install p{i}",
        [],
    ),
    "apt-then-cleanup": (
        "apt-get installs, and one cleanup at the end",
        [FROM],
        "RUN apt-get update && apt-get install -y p{i}",
        ["RUN rm -rf /var/lib/apt/lists/*"],
    ),
    "volumes": (
        "VOLUME and a mkdir of it, repeated",
        [FROM], "VOLUME /v{i}\nRUN mkdir -p /v{i}", [],
    ),
    "from-args": (
        "stages FROM a global ARG, each redeclaring it",
        ["ARG BASE=python:3.11"],
        "FROM ${{BASE}} AS s{i}\nARG BASE\nRUN echo $BASE",
        [],
    ),
    "mounts": (
        "one RUN with N cache mounts",
        [FROM, "RUN \\"], "  --mount=type=cache,target=/cache/{i} \\", ["  pip install x"],
    ),
    "heredocs": (
        "one RUN with N heredocs",
        [FROM, "RUN <<E0 \\"], "1:  <<E{i} \\", ["  true", "pip install p{i}\nE{i}"],
    ),
    "copy-sources": (
        "one COPY of N sources",
        [FROM, "COPY s0 \\"], "1:  s{i} \\", ["  /dst/"],
    ),
    "distroless-runs": (
        "shell-form RUNs on an image without a shell",
        ["FROM gcr.io/distroless/python3-debian12"], "RUN echo {i}", [],
    ),
    "glob-copies": (
        "COPYs of a pattern, each over a directory of the context",
        [FROM],
        "COPY models/m{i}/*.bin /models/m{i}/",
        [],
    ),
    "ignore-lines": (
        "COPYs of context files, its ignore file N lines long",
        [FROM, "COPY . /app"],
        "COPY src/s{i}.py /app/src/",
        [],
    ),
    "requirement-installs": (
        "pip installs from one requirements file, N lines long",
        [FROM, "COPY reqs/big.txt /app/big.txt"],
        "RUN pip install -r /app/big.txt",
        ['CMD ["uvicorn", "app:app"]'],
    ),
    "build-tool-installs": (
        "RUNs installing a build tool with apt beside a pip install",
        [FROM],
        "RUN pip install torch{i} && apt-get install -y gcc",
        [],
    ),
    "rewrite-installs": (
        "COPY a file into one directory, then pip install from it, a build tool to rewrite for",
        [FROM, "RUN apt-get update && apt-get install -y gcc"],
        "COPY req{i}.txt /app/\nRUN pip install -r /app/req{i}.txt",
        [],
    ),
    "clone-builds": (
        "git clones, each built in a RUN of its own, a build tool to rewrite for",
        [FROM, "RUN apt-get update && apt-get install -y gcc git && pip install torch"],
        "RUN git clone https://github.com/x/r{i} /src/r{i}\nRUN make -C /src/r{i} /src/r{i}/a",
        [],
    ),
    "model-clones": (
        "git clones of model repositories, git-lfs installed",
        [FROM, "RUN apt-get install -y git-lfs && git lfs install"],
        "RUN git clone https://huggingface.co/org/model{i}",
        [],
    ),
}

# Files a shape writes into the build context (beside the Dockerfiles), for
# every repetition {i}: paths and sizes in bytes.
CONTEXT = {
    "glob-copies": [("models/m{i}/w0.bin", 1), ("models/m{i}/w1.bin", 1), ("models/m{i}/cfg.json", 1)],
    "ignore-lines": [("src/s{i}.py", 1)],
}

# Text files a shape writes into the build context, once: their paths and
# the lines repeated in them for every repetition {i}. The ignore file is
# the Dockerfile's own (`NAME.Dockerfile.dockerignore`), so that the other
# shapes sharing the context keep theirs empty.
CONTEXT_LINES = {
    "ignore-lines": [
        ("ignore-lines.Dockerfile.dockerignore", "build{i}/\n**/cache{i}/*.tmp\n!build{i}/keep"),
    ],
    "requirement-installs": [("reqs/big.txt", "pkg{i}==1.{i}")],
}


def shape(name, n):
    """The lines of a shape with N repetitions. A line after the block that
    names {i} is repeated N times too (from 0), after the block."""
    _, before, block, after = SHAPES[name]
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
    if args == ["--list"]:
        for name, (what, *_rest) in SHAPES.items():
            print("%-22s %s" % (name, what))
        return
    if args == ["--list-context"]:
        print("\n".join(dict.fromkeys([*CONTEXT, *CONTEXT_LINES])))
        return
    if len(args) != 2 or not args[1].isdigit():
        sys.exit("usage: gen-adversarial.py OUT_DIR N [--shapes a,b,...] | --list | --list-context")
    out_dir, n = args[0], int(args[1])
    unknown = [s for s in chosen if s not in SHAPES]
    if unknown:
        sys.exit("unknown shape(s): %s (known: %s)" % (", ".join(unknown), ", ".join(SHAPES)))
    os.makedirs(out_dir, exist_ok=True)
    for name in chosen:
        path = os.path.join(out_dir, name + ".Dockerfile")
        with open(path, "w") as f:
            f.write("\n".join(shape(name, n)) + "\n")
        for template, size in CONTEXT.get(name, []):
            for i in range(n):
                file = os.path.join(out_dir, template.format(i=i))
                os.makedirs(os.path.dirname(file), exist_ok=True)
                with open(file, "wb") as f:
                    f.write(b"x" * size)
        for file, line in CONTEXT_LINES.get(name, []):
            file = os.path.join(out_dir, file)
            os.makedirs(os.path.dirname(file), exist_ok=True)
            with open(file, "w") as f:
                f.write("".join(line.format(i=i) + "\n" for i in range(n)))
        print(path)


if __name__ == "__main__":
    main(sys.argv[1:])
