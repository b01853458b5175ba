#!/usr/bin/env bash
# Proves the container image of dflint that the root Dockerfile builds:
#   - the Dockerfile passes `dflint check` with no finding;
#   - .dockerignore keeps the build context to what the binary is built from;
#   - with a Docker engine: the image builds, runs as a non-root user from
#     WORKDIR /src, `docker run -v "$PWD":/src IMAGE` checks ./Dockerfile with
#     dflint's exit codes, and its binary needs only libraries that
#     distroless's cc image has.
#
# No registry is reachable on some machines. When the base images the
# Dockerfile names are neither in the engine nor pullable, the same
# Dockerfile is built with its RUST_IMAGE and RUNTIME_IMAGE build arguments
# pointed at stand-ins:
#   - for rust:*: Debian bookworm with gcc and this machine's own Rust
#     toolchain copied in (built once, kept as dflint-standin/rust:<version>);
#   - for gcr.io/distroless/cc-debian12: Debian bookworm (debian:bookworm-slim).
# The summary at the end says what that proves and what it does not.
#
# Usage: scripts/test-docker-image.sh        (from any directory)
# Env:   DOCKER (client, default: docker, or the one start-dockerd.sh names);
#        DOCKER_HOST to use a given engine. Without one, the private engine
#        of ../shared/tools/buildkit-env is started when it is there.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
START=$SECONDS
WORK="$(mktemp -d "${TMPDIR:-/tmp}/dflint-image.XXXXXX")"
IMAGE=dflint-image-test:local
CONTEXT_IMAGE=dflint-image-test:context
cleanup() {
  if [ -n "${DOCKER:-}" ] && [ "${ENGINE:-no}" = yes ]; then
    "$DOCKER" rm -f "${CIDS[@]}" >/dev/null 2>&1 || true
    "$DOCKER" image rm -f "$IMAGE" "$CONTEXT_IMAGE" >/dev/null 2>&1 || true
  fi
  rm -rf "$WORK"
}
CIDS=()
trap cleanup EXIT

PROVED=()
NOT_PROVED=()
# shellcheck source=scripts/lib/steps.sh
. "$ROOT/scripts/lib/steps.sh"
summary() { # summary RESULT-LINE
  echo
  echo "Proved:"
  for p in "${PROVED[@]}"; do echo "  - $p"; done
  if [ "${#NOT_PROVED[@]}" -gt 0 ]; then
    echo "Not proved here:"
    for p in "${NOT_PROVED[@]}"; do echo "  - $p"; done
  fi
  echo
  echo "$1"
}

VERSION="$(cargo metadata --no-deps --format-version 1 \
  | python3 -c 'import json,sys; print(next(p["version"] for p in json.load(sys.stdin)["packages"] if p["name"] == "dflint"))')"

step "dflint check Dockerfile: no finding"
cargo build --quiet --bin dflint
DFLINT="${CARGO_TARGET_DIR:-$ROOT/target}/debug/dflint"
expect_status 0 "dflint check Dockerfile" "$WORK/lint.out" "$DFLINT" check --select ALL Dockerfile
if grep -qE 'DF[0-9]{3}' "$WORK/lint.out"; then cat "$WORK/lint.out"; fail "the Dockerfile has findings"; fi
ok "the root Dockerfile passes dflint check --select ALL with no finding"
# The runtime base may have no shell (distroless), so the shipped stage
# must not RUN anything.
awk 'toupper($1) == "FROM" { last = NR } { line[NR] = $0 } END { for (i = last; i <= NR; i++) print line[i] }' Dockerfile \
  | grep -qiE '^[[:space:]]*RUN[[:space:]]' && fail "the final stage has a RUN, which a base with no shell cannot run"
ok "the final stage runs no command (a base without a shell can carry it)"

step "a Docker engine"
ENGINE=no
if [ -z "${DOCKER_HOST:-}" ] && [ -x "$ROOT/../shared/tools/buildkit-env/start-dockerd.sh" ]; then
  echo "   starting the private engine of ../shared/tools/buildkit-env"
  if env_lines="$("$ROOT/../shared/tools/buildkit-env/start-dockerd.sh")"; then
    eval "$env_lines"
  else
    echo "   it did not start"
  fi
fi
DOCKER="${DOCKER:-docker}"
export DOCKER_BUILDKIT=1
if command -v "$DOCKER" >/dev/null 2>&1 && "$DOCKER" info >/dev/null 2>&1; then
  ENGINE=yes
  echo "   engine $("$DOCKER" version --format '{{.Server.Version}}') at ${DOCKER_HOST:-the default socket}, client $DOCKER"
else
  NOT_PROVED+=("that the image builds and runs: no Docker engine answered")
  summary "PASS: scripts/test-docker-image.sh, the lint only: no Docker engine ($((SECONDS - START))s)"
  exit 0
fi
have() { "$DOCKER" image inspect "$1" >/dev/null 2>&1; }

step "the build context that .dockerignore admits"
# A scratch image holding a copy of the context, read back with export:
# no base image is needed for that.
printf 'FROM scratch\nCOPY . /ctx/\n' \
  | "$DOCKER" build -q -t "$CONTEXT_IMAGE" -f - "$ROOT" >"$WORK/context-build.log" 2>&1 \
  || { cat "$WORK/context-build.log"; fail "building the context probe failed"; }
cid="$("$DOCKER" create "$CONTEXT_IMAGE" /none)"
CIDS+=("$cid")
"$DOCKER" export "$cid" | tar -t | sed -n 's|^ctx/||p' | sort >"$WORK/context.list"
top="$(cut -d/ -f1 "$WORK/context.list" | grep -v '^$' | sort -u | tr '\n' ' ')"
echo "   context: $top($(grep -vc '/$' "$WORK/context.list") files)"
for want in Cargo.toml Cargo.lock src/main.rs rules/DF002.md; do
  grep -qx "$want" "$WORK/context.list" || fail "the build context lacks $want"
done
for unwanted in target .git fuzz tests scripts python README.md Dockerfile .dockerignore; do
  grep -qE "^$unwanted(/|\$)" "$WORK/context.list" && fail "the build context holds $unwanted"
done
ok "the build context is the manifests, src/, rules/ and benches/: no target/, .git, fuzz/, tests/"

step "base images"
arg_default() { sed -n "s/^ARG $1=//p" Dockerfile | head -1; }
RUST_IMAGE="$(arg_default RUST_IMAGE)"
RUNTIME_IMAGE="$(arg_default RUNTIME_IMAGE)"
[ -n "$RUST_IMAGE" ] && [ -n "$RUNTIME_IMAGE" ] || fail "the Dockerfile has no RUST_IMAGE or RUNTIME_IMAGE argument"
BUILD_ARGS=()
BASES_REAL=yes
# An image in the engine, else pulled; a machine with no registry says no
# at once.
obtain() {
  have "$1" && return 0
  if timeout 600 "$DOCKER" pull -q "$1" >"$WORK/pull.log" 2>&1; then
    echo "   $1: pulled"
    return 0
  fi
  echo "   $1: not in the engine, and the pull failed: $(tail -1 "$WORK/pull.log")"
  return 1
}
ensure_debian() {
  obtain debian:bookworm-slim && return 0
  local make_bases="$ROOT/../shared/tools/buildkit-env/make-bases.sh"
  [ -x "$make_bases" ] || fail "no debian:bookworm-slim image to build stand-ins on, and no make-bases.sh"
  with_progress "make-bases.sh debian:bookworm-slim" make-bases "$make_bases" debian:bookworm-slim
}
if obtain "$RUST_IMAGE"; then
  echo "   $RUST_IMAGE: used as it is"
else
  BASES_REAL=no
  ensure_debian
  sysroot="$(rustc --print sysroot)"
  host="$(rustc -vV | sed -n 's/^host: //p')"
  rust_version="$(rustc -vV | sed -n 's/^release: //p')"
  STANDIN_RUST="dflint-standin/rust:$rust_version"
  if ! have "$STANDIN_RUST"; then
    # The toolchain's compiler, cargo, their shared libraries and the
    # standard library for this host: what a release build needs.
    ctx="$WORK/rust-standin"
    mkdir -p "$ctx/rust/bin" "$ctx/rust/lib/rustlib"
    cp -a "$sysroot/bin/rustc" "$sysroot/bin/cargo" "$ctx/rust/bin/"
    cp -a "$sysroot"/lib/*.so* "$ctx/rust/lib/"
    cp -a "$sysroot/lib/rustlib/$host" "$ctx/rust/lib/rustlib/"
    cat >"$ctx/Dockerfile" <<'EOF'
FROM debian:bookworm-slim
# What the official image has besides the toolchain: a C compiler and libc
# headers for linking.
RUN apt-get update \
 && apt-get install -y --no-install-recommends gcc libc6-dev \
 && rm -rf /var/lib/apt/lists/*
COPY rust /usr/local/rust
# As the official image: CARGO_HOME is /usr/local/cargo. cargo reads the CA
# bundle the stand-in base trusts.
ENV CARGO_HOME=/usr/local/cargo \
    PATH=/usr/local/cargo/bin:/usr/local/rust/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
    CARGO_HTTP_CAINFO=/etc/ssl/standin-ca.crt
EOF
    with_progress "building the stand-in $STANDIN_RUST (this machine's toolchain)" rust-standin \
      "$DOCKER" build -t "$STANDIN_RUST" "$ctx"
    rm -rf "$ctx"
  fi
  echo "   $RUST_IMAGE: the stand-in $STANDIN_RUST is used instead (Debian bookworm, gcc, rustc $rust_version)"
  BUILD_ARGS+=(--build-arg "RUST_IMAGE=$STANDIN_RUST")
  NOT_PROVED+=("that $RUST_IMAGE itself builds it: the build stage ran on a stand-in (Debian bookworm + gcc + rustc $rust_version)")
fi
if obtain "$RUNTIME_IMAGE"; then
  echo "   $RUNTIME_IMAGE: used as it is"
else
  BASES_REAL=no
  ensure_debian
  echo "   $RUNTIME_IMAGE: debian:bookworm-slim stands in"
  BUILD_ARGS+=(--build-arg "RUNTIME_IMAGE=debian:bookworm-slim")
  NOT_PROVED+=("that the binary runs on $RUNTIME_IMAGE itself: the final stage ran on Debian bookworm (same glibc 2.36); instead, the binary's library needs are checked against what distroless cc has")
fi

step "docker build of the repository's Dockerfile"
with_progress "docker build ${BUILD_ARGS[*]:-}" image-build \
  "$DOCKER" build --progress=plain "${BUILD_ARGS[@]}" -t "$IMAGE" "$ROOT"
ok "the Dockerfile builds${BUILD_ARGS[*]:+ (with ${BUILD_ARGS[*]})}"

step "the image's configuration"
cfg="$("$DOCKER" image inspect "$IMAGE" --format '{{.Config.User}}|{{.Config.WorkingDir}}|{{json .Config.Entrypoint}}|{{json .Config.Cmd}}')"
[ "$cfg" = '65532:65532|/src|["/usr/local/bin/dflint"]|["check"]' ] \
  || fail "image config is $cfg, expected user 65532:65532, WORKDIR /src, ENTRYPOINT dflint, CMD check"
ok "user 65532:65532, WORKDIR /src, ENTRYPOINT [/usr/local/bin/dflint], CMD [check]"
got="$("$DOCKER" run --rm "$IMAGE" --version)"
[ "$got" = "dflint $VERSION" ] || fail "docker run IMAGE --version printed '$got'"
ok "docker run IMAGE --version: $got"

step "docker run -v DIR:/src IMAGE on sample projects"
mkdir -p "$WORK/bad" "$WORK/clean" "$WORK/readonly"
printf 'FROM python:3.11-slim\nRUN pip install flask\nUSER 1000\n' >"$WORK/bad/Dockerfile"
printf 'FROM python:3.11-slim\nRUN pip install --no-cache-dir flask\nUSER 1000\n' >"$WORK/clean/Dockerfile"
cp "$WORK/bad/Dockerfile" "$WORK/readonly/Dockerfile"
# Readable by the image's user; readonly/ is writable by root alone.
chmod 0755 "$WORK" "$WORK/bad" "$WORK/clean" "$WORK/readonly"
chmod 0644 "$WORK"/*/Dockerfile
expect_status 1 "docker run -v bad:/src IMAGE (the default CMD: check)" "$WORK/run-bad.out" \
  "$DOCKER" run --rm -v "$WORK/bad:/src" "$IMAGE"
grep -qE "^(\./)?Dockerfile:2:5: DF002" "$WORK/run-bad.out" || { cat "$WORK/run-bad.out"; fail "no DF002 finding on ./Dockerfile"; }
ok "docker run --rm -v DIR:/src IMAGE exits 1 with Dockerfile:2:5: DF002 (the default CMD, check, from WORKDIR /src)"
expect_status 1 "docker run -v bad:/src IMAGE check" "$WORK/run-bad-check.out" \
  "$DOCKER" run --rm -v "$WORK/bad:/src" "$IMAGE" check
expect_status 0 "docker run -v clean:/src IMAGE check" "$WORK/run-clean.out" \
  "$DOCKER" run --rm -v "$WORK/clean:/src" "$IMAGE" check
ok "IMAGE check exits 1 on the finding and 0 on the clean project"
# Non-root, shown on any base (distroless has no `id`): the fix cannot
# write a file, in a directory, that only root may write.
expect_status 2 "docker run IMAGE fix in a root-only directory" "$WORK/run-fix-denied.out" \
  "$DOCKER" run --rm -v "$WORK/readonly:/src" "$IMAGE" fix Dockerfile
grep -qi "permission" "$WORK/run-fix-denied.out" || { cat "$WORK/run-fix-denied.out"; fail "the refused fix did not say it lacked permission"; }
cmp -s "$WORK/readonly/Dockerfile" "$WORK/bad/Dockerfile" || fail "the fix changed a file it had no right to"
ok "the container runs as non-root: dflint fix may not write a root-owned 0644 file (exit 2), which stays unchanged"
expect_status 0 "docker run --user \$(id -u):\$(id -g) IMAGE fix" "$WORK/run-fix.out" \
  "$DOCKER" run --rm --user "$(id -u):$(id -g)" -v "$WORK/bad:/src" "$IMAGE" fix Dockerfile
grep -q -- "--mount=type=cache,target=/root/.cache/pip" "$WORK/bad/Dockerfile" || fail "IMAGE fix did not write the fix"
ok "docker run --user \$(id -u):\$(id -g) -v DIR:/src IMAGE fix Dockerfile writes the fix back"

step "the binary in the image and the libraries it needs"
cid="$("$DOCKER" create "$IMAGE")"
CIDS+=("$cid")
"$DOCKER" cp "$cid:/usr/local/bin/dflint" "$WORK/dflint-in-image" >/dev/null
needed="$(readelf -d "$WORK/dflint-in-image" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p' | sort | tr '\n' ' ')"
echo "   NEEDED: $needed"
for lib in $needed; do
  case "$lib" in
    # glibc's libraries and libgcc_s: all in distroless's cc image.
    libc.so.6 | libm.so.6 | libgcc_s.so.1 | ld-linux-*.so.* | libpthread.so.0 | libdl.so.2 | librt.so.1 | libutil.so.1) ;;
    *) fail "the binary needs $lib, which distroless's cc image may not have" ;;
  esac
done
glibc_max="$(objdump -T "$WORK/dflint-in-image" | grep -oE 'GLIBC_[0-9]+\.[0-9]+' | sort -t. -k2,2n -u | tail -1)"
echo "   newest glibc symbol version: $glibc_max (Debian 12 and distroless cc-debian12 have 2.36)"
python3 -c "import sys; v = tuple(map(int, sys.argv[1].split('_')[1].split('.'))); sys.exit(v > (2, 36))" "$glibc_max" \
  || fail "the binary needs $glibc_max, newer than Debian 12's glibc 2.36"
ok "the binary needs only glibc (<= 2.36) and libgcc_s, which distroless cc-debian12 provides"
base_ref="$RUNTIME_IMAGE"
[ "$BASES_REAL" = yes ] || base_ref="$(printf '%s\n' "${BUILD_ARGS[@]}" | sed -n 's/^RUNTIME_IMAGE=//p')"
base_ref="${base_ref:-$RUNTIME_IMAGE}"
added=$(($("$DOCKER" image inspect "$IMAGE" --format '{{.Size}}') - $("$DOCKER" image inspect "$base_ref" --format '{{.Size}}')))
bin_size=$(stat -c %s "$WORK/dflint-in-image")
echo "   the image adds $((added / 1024)) KiB to $base_ref; the binary is $((bin_size / 1024)) KiB"
[ "$added" -lt $((bin_size + 1024 * 1024)) ] || fail "the image adds more than the binary to its base"
ok "the shipped stage adds the binary alone to its base ($((added / 1024)) KiB)"

if [ "$BASES_REAL" = yes ]; then
  summary "PASS: scripts/test-docker-image.sh, on the real base images ($((SECONDS - START))s)"
else
  summary "PASS: scripts/test-docker-image.sh, with stand-in base images ($((SECONDS - START))s)"
fi
