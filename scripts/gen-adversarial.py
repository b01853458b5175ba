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


def relative_workdirs(n):
    return [FROM] + [f"WORKDIR part{i}" for i in range(n)]


def empty_continuations(n):
    return [FROM] + [f"RUN echo {i} \\\n\n  && true" for i in range(n)]


def copy_install_pairs(n):
    return [FROM] + [
        f"COPY src{i}/ /app/{i}/\nRUN pip install -r /app/{i}/requirements.txt" for i in range(n)
    ]


def copies_then_installs(n):
    return (
        [FROM]
        + [f"COPY src{i}/ /app/{i}/" for i in range(n)]
        + [f"RUN pip install -r /app/{i}/requirements.txt" for i in range(n)]
    )


def copies_unused(n):
    return [FROM] + [f"COPY src{i}/ /app/{i}/\nRUN echo {i}" for i in range(n)]


def copy_from_chain(n):
    return ["FROM python:3.11 AS s0"] + [
        f"FROM python:3.11 AS s{i}\nCOPY --from=s{i - 1} /a /a" for i in range(1, n)
    ]


def env_chain(n):
    return [FROM, "ENV A0=x"] + [f"ENV A{i}=${{A{i - 1}}}x" for i in range(1, n)]


def env_pairs(n):
    return [FROM, "ENV A0=0 \\"] + [f"  A{i}=$A{i - 1}x \\" for i in range(1, n)] + ["  Z=1"]


def arg_pairs(n):
    return [FROM, "ARG A0=0 \\"] + [f"  A{i}=$A{i - 1} \\" for i in range(1, n)] + ["  Z=1"]


def users(n):
    return [FROM] + [f"USER u{i}\nRUN echo {i}" for i in range(n)]


def shells(n):
    return [FROM] + ['SHELL ["/bin/sh", "-c"]\nRUN a | b' for _ in range(n)]


def cmds(n):
    return [FROM] + [f'CMD ["run{i}"]' for i in range(n)]


def healthchecks(n):
    return [FROM] + [f"HEALTHCHECK CMD curl -f http://localhost:{i % 60000}/" for i in range(n)]


def labels(n):
    return [FROM] + [f'LABEL org.example.k{i}="v{i}" other{i}="w{i}"' for i in range(n)]


def stages(n):
    return [f"FROM python:3.11 AS s{i}\nRUN pip install p{i}" for i in range(n)]


def onbuild(n):
    return [FROM] + [f"ONBUILD RUN pip install p{i}\nONBUILD COPY a{i} b/" for i in range(n)]


def pragmas(n):
    return [FROM] + [
        f"# dflint ignore=DF002\n# hadolint ignore=DL3013\nRUN pip install p{i}" for i in range(n)
    ]


def apt_then_cleanup(n):
    return (
        [FROM]
        + [f"RUN apt-get update && apt-get install -y p{i}" for i in range(n)]
        + ["RUN rm -rf /var/lib/apt/lists/*"]
    )


def volumes(n):
    return [FROM] + [f"VOLUME /v{i}\nRUN mkdir -p /v{i}" for i in range(n)]


def from_args(n):
    return ["ARG BASE=python:3.11"] + [
        f"FROM ${{BASE}} AS s{i}\nARG BASE\nRUN echo $BASE" for i in range(n)
    ]


def mounts(n):
    return (
        [FROM, "RUN \\"]
        + [f"  --mount=type=cache,target=/cache/{i} \\" for i in range(n)]
        + ["  pip install x"]
    )


def heredocs(n):
    return (
        [FROM, "RUN <<E0 \\"]
        + [f"  <<E{i} \\" for i in range(1, n)]
        + ["  true"]
        + [f"pip install p{i}\nE{i}" for i in range(n)]
    )


def copy_sources(n):
    return [FROM, "COPY s0 \\"] + [f"  s{i} \\" for i in range(1, n)] + ["  /dst/"]


def distroless_runs(n):
    return ["FROM gcr.io/distroless/python3-debian12"] + [f"RUN echo {i}" for i in range(n)]


def model_clones(n):
    return [FROM, "RUN apt-get install -y git-lfs && git lfs install"] + [
        f"RUN git clone https://huggingface.co/org/model{i}" for i in range(n)
    ]


SHAPES = {
    "relative-workdirs": relative_workdirs,
    "empty-continuations": empty_continuations,
    "copy-install-pairs": copy_install_pairs,
    "copies-then-installs": copies_then_installs,
    "copies-unused": copies_unused,
    "copy-from-chain": copy_from_chain,
    "env-chain": env_chain,
    "env-pairs": env_pairs,
    "arg-pairs": arg_pairs,
    "users": users,
    "shells": shells,
    "cmds": cmds,
    "healthchecks": healthchecks,
    "labels": labels,
    "stages": stages,
    "onbuild": onbuild,
    "pragmas": pragmas,
    "apt-then-cleanup": apt_then_cleanup,
    "volumes": volumes,
    "from-args": from_args,
    "mounts": mounts,
    "heredocs": heredocs,
    "copy-sources": copy_sources,
    "distroless-runs": distroless_runs,
    "model-clones": model_clones,
}


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
            f.write("\n".join(SHAPES[name](n)) + "\n")
        print(path)


if __name__ == "__main__":
    main(sys.argv[1:])
