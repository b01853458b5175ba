#!/usr/bin/env bash
# End-to-end check that `dflint fix` output builds, runs, runs as non-root and
# is smaller, against a real Docker engine with local stand-in base images.
#
#   tests/e2e/run.sh [path/to/dflint]
#
# Without an argument, dflint is built with `cargo build --release`.
# See tests/e2e/README.md for what is checked and the environment variables
# (E2E_ONLY, E2E_CLEAN, E2E_KEEP, E2E_NO_CACHE, E2E_RUN_TIMEOUT, BUILDKIT_ENV_TOOLS).
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO="$(cd "$HERE/../.." && pwd)"
FIXTURES="$HERE/fixtures"
ENV_TOOLS="${BUILDKIT_ENV_TOOLS:-$REPO/../shared/tools/buildkit-env}"
RUN_TIMEOUT="${E2E_RUN_TIMEOUT:-180}"
TAG_PREFIX="dflint-e2e"

die() {
  echo >&2
  echo "e2e: FATAL: $*" >&2
  exit 2
}
say() { printf '\n\033[1m==> %s\033[0m\n' "$*"; }
indent() { sed 's/^/    /'; }

[ "$#" -le 1 ] || die "usage: tests/e2e/run.sh [path/to/dflint]"
for tool in timeout diff awk cmp mktemp; do
  command -v "$tool" >/dev/null 2>&1 || die "required tool '$tool' not found on PATH"
done

START_TIME=$(date +%s)

# --- dflint -------------------------------------------------------------------
if [ "$#" -eq 1 ]; then
  case "$1" in
    /*) DFLINT="$1" ;;
    *) DFLINT="$PWD/$1" ;;
  esac
else
  say "building dflint (cargo build --release)"
  (cd "$REPO" && cargo build --release) || die "cargo build --release failed"
  DFLINT="${CARGO_TARGET_DIR:-$REPO/target}/release/dflint"
fi
[ -x "$DFLINT" ] || die "dflint binary not found or not executable: $DFLINT"
echo "dflint: $DFLINT"

# --- engine -------------------------------------------------------------------
say "starting the Docker engine ($ENV_TOOLS/start-dockerd.sh)"
[ -x "$ENV_TOOLS/start-dockerd.sh" ] || die "engine tools not found at $ENV_TOOLS (set BUILDKIT_ENV_TOOLS)"
if ! engine_env="$("$ENV_TOOLS/start-dockerd.sh")"; then
  die "the Docker engine could not be started (see the messages above and /var/tmp/buildkit-env/dockerd.log)"
fi
eval "$engine_env"
DOCKER="${DOCKER:-/usr/bin/docker}" # never plain `docker`: that CLI has no buildx and fails with BuildKit
export DOCKER_HOST DOCKER_BUILDKIT=1 DOCKER
[ -n "${DOCKER_HOST:-}" ] || die "start-dockerd.sh printed no DOCKER_HOST"
if ! server_version="$("$DOCKER" version --format '{{.Server.Version}}' 2>&1)"; then
  die "the Docker engine at $DOCKER_HOST does not answer: $server_version"
fi
echo "engine: $DOCKER_HOST (server $server_version, client $DOCKER)"

say "ensuring stand-in base images ($ENV_TOOLS/make-bases.sh)"
"$ENV_TOOLS/make-bases.sh" >/dev/null || die "make-bases.sh failed: base images are not available"

# Base images named by FROM lines of a Dockerfile that are not earlier stages
# (nor scratch), each built with make-bases.sh if it is missing.
ensure_bases() {
  local file="$1" img
  local -a stages=() missing=()
  while read -r img stage; do
    local known=0 s
    for s in "${stages[@]+"${stages[@]}"}"; do [ "$s" = "$img" ] && known=1; done
    [ -n "$stage" ] && stages+=("$stage")
    [ "$known" = 1 ] || [ "$img" = scratch ] && continue
    "$DOCKER" image inspect "$img" >/dev/null 2>&1 || missing+=("$img")
  done < <(awk 'toupper($1) == "FROM" {
                  i = 2; while ($i ~ /^--/) i++
                  st = ""; if (toupper($(i+1)) == "AS") st = $(i+2)
                  print $i, st }' "$file")
  if [ "${#missing[@]}" -gt 0 ]; then
    echo "building missing base images: ${missing[*]}"
    "$ENV_TOOLS/make-bases.sh" "${missing[@]}" >/dev/null || true
  fi
}

# A Dockerfile whose FROM lines use a CUDA/PyTorch devel image.
uses_devel_base() {
  grep -Eiq '^[[:space:]]*FROM[[:space:]]+(--[^[:space:]]+[[:space:]]+)*(nvidia/cuda|pytorch/pytorch):[^[:space:]]*devel' "$1"
}

mb() { awk -v b="$1" 'BEGIN { if (b == "") print "-"; else printf "%.1f", b / 1000000 }'; }

# --- fixtures -----------------------------------------------------------------
WORK="$(mktemp -d "${TMPDIR:-/tmp}/dflint-e2e.XXXXXX")"
cleanup() {
  if [ "${E2E_KEEP:-0}" = 1 ]; then
    echo "kept work dir: $WORK"
  else
    rm -rf "$WORK"
  fi
}
trap cleanup EXIT
trap 'echo "e2e: interrupted" >&2; exit 130' INT TERM

build_flags=(--progress=plain)
[ "${E2E_NO_CACHE:-0}" = 1 ] && build_flags+=(--no-cache)

declare -a NAMES=() BEFORE=() AFTER=() RESULTS=() SECONDS_TAKEN=()
declare -a ALL_IMAGES=()

FAILS=()  # failures of the fixture being run
fail() {
  FAILS+=("$*")
  echo "    FAIL: $*"
}

# docker build with the log kept; prints the log tail on failure.
build_image() { # build_image TAG DIR LOG
  local tag="$1" dir="$2" log="$3"
  local -a args=()
  local a
  for a in ${BUILD_ARGS:-}; do args+=(--build-arg "$a"); done
  if (cd "$dir" && "$DOCKER" build "${build_flags[@]}" "${args[@]+"${args[@]}"}" -t "$tag" -f Dockerfile . >"$log" 2>&1); then
    ALL_IMAGES+=("$tag")
    return 0
  fi
  echo "    docker build failed; last lines of $log:"
  tail -n 30 "$log" | indent
  return 1
}

# Run the image's default command; it must exit 0 within RUN_TIMEOUT.
run_image() { # run_image TAG LOG
  local tag="$1" log="$2" rc=0
  timeout "$RUN_TIMEOUT" "$DOCKER" run --rm "$tag" >"$log" 2>&1 || rc=$?
  tail -n 8 "$log" | indent
  if [ "$rc" -ne 0 ]; then
    [ "$rc" -eq 124 ] && echo "    (timed out after ${RUN_TIMEOUT}s)"
    return 1
  fi
}

image_size() { "$DOCKER" image inspect -f '{{.Size}}' "$1" 2>/dev/null || true; }

run_fixture() {
  local name="$1" src="$FIXTURES/$1"
  local ctx="$WORK/$name" logs="$WORK/logs/$name"
  local orig_tag="$TAG_PREFIX/$name:orig" fixed_tag="$TAG_PREFIX/$name:fixed"
  local before="" after="" rc
  FAILS=()
  mkdir -p "$logs"

  # The temp copy is the build context; expected.Dockerfile is the reference
  # answer, not part of the project, so it is left out.
  cp -a "$src" "$ctx"
  rm -f "$ctx/expected.Dockerfile" "$ctx/e2e.conf"
  cp "$ctx/Dockerfile" "$logs/Dockerfile.orig"

  # What the fixture expects of the fix (tests/e2e/README.md): by default a
  # non-root user and, on a devel base, an image under half the size.
  local EXPECT_USER=nonroot EXPECT_SMALLER="" EXPECT_FIX_SAYS="" MAX_RATIO_TO_EXPERT=""
  local VERIFY="" VERIFY_ONLY=0
  BUILD_ARGS=""
  # shellcheck disable=SC1091
  [ -f "$src/e2e.conf" ] && . "$src/e2e.conf"
  if [ "$VERIFY_ONLY" = 1 ]; then
    verify_fixture "$name" "$src" "$ctx" "$logs" "$VERIFY"
    FIX_BEFORE=""; FIX_AFTER=""
    return
  fi

  echo "  [1/8] build original -> $orig_tag"
  if ! build_image "$orig_tag" "$ctx" "$logs/build-orig.log"; then
    fail "the ORIGINAL Dockerfile does not build (fixture or environment problem)"
    FIX_BEFORE=""; FIX_AFTER=""; return
  fi
  before="$(image_size "$orig_tag")"

  echo "  [2/8] run original"
  run_image "$orig_tag" "$logs/run-orig.log" || fail "the ORIGINAL image's CMD does not exit 0 (fixture problem)"

  echo "  [3/8] dflint fix --unsafe-fixes Dockerfile"
  rc=0
  (cd "$ctx" && "$DFLINT" fix --unsafe-fixes Dockerfile) >"$logs/fix.log" 2>&1 || rc=$?
  indent <"$logs/fix.log" | tail -n 40
  if [ "$rc" -ne 0 ] && [ "$rc" -ne 1 ]; then
    fail "dflint fix exited $rc (0 or 1 expected)"
    FIX_BEFORE="$before"; FIX_AFTER=""; return
  fi
  if [ -n "$EXPECT_FIX_SAYS" ] && ! grep -qF -- "$EXPECT_FIX_SAYS" "$logs/fix.log"; then
    # Declines are reported in the remaining findings' help: ask check.
    (cd "$ctx" && "$DFLINT" check --unsafe-fixes Dockerfile) >"$logs/check-after.log" 2>&1 || true
    grep -qF -- "$EXPECT_FIX_SAYS" "$logs/check-after.log" \
      || fail "dflint does not say why it declined: expected \"$EXPECT_FIX_SAYS\""
  fi
  echo "    (exit $rc) diff original -> fixed:"
  if diff -u --label Dockerfile.orig --label Dockerfile "$logs/Dockerfile.orig" "$ctx/Dockerfile" >"$logs/fix.diff"; then
    echo "    (no changes)"
  else
    indent <"$logs/fix.diff"
  fi
  cp "$ctx/Dockerfile" "$logs/Dockerfile.fixed"

  echo "  [4/8] dflint parse (fixed file)"
  if ! "$DFLINT" parse "$ctx/Dockerfile" >"$logs/parse.json" 2>"$logs/parse.err"; then
    indent <"$logs/parse.err"
    fail "dflint parse rejects the fixed Dockerfile"
  fi

  echo "  [5/8] dflint fix --diff (fixed file) must find nothing more to change"
  rc=0
  (cd "$ctx" && "$DFLINT" fix --unsafe-fixes --diff Dockerfile) >"$logs/fix-again.log" 2>&1 || rc=$?
  if [ "$rc" -ne 0 ]; then
    indent <"$logs/fix-again.log" | tail -n 40
    fail "dflint fix --diff on the fixed file exited $rc (not idempotent)"
  fi
  if ! cmp -s "$ctx/Dockerfile" "$logs/Dockerfile.fixed"; then
    fail "dflint fix --diff modified the file (it must only print)"
    cp "$logs/Dockerfile.fixed" "$ctx/Dockerfile"
  fi

  echo "  [6/8] build fixed -> $fixed_tag"
  ensure_bases "$ctx/Dockerfile"
  if ! build_image "$fixed_tag" "$ctx" "$logs/build-fixed.log"; then
    fail "the fixed Dockerfile does not build"
    FIX_BEFORE="$before"; FIX_AFTER=""; return
  fi
  after="$(image_size "$fixed_tag")"
  if [ -z "$before" ] || [ -z "$after" ]; then
    die "could not read the image sizes of $orig_tag / $fixed_tag"
  fi

  echo "  [7/8] run fixed (default CMD, no --user override) and check the user"
  run_image "$fixed_tag" "$logs/run-fixed.log" || fail "the fixed image's CMD does not exit 0"
  local user uid_out
  user="$("$DOCKER" image inspect -f '{{.Config.User}}' "$fixed_tag")"
  if [ "$EXPECT_USER" = root ]; then
    # The fix must have declined to add a user (and said why).
    case "${user%%:*}" in
      "" | root | 0) echo "    USER ${user:-(none)}: kept, as the fixture expects (the fix declines)" ;;
      *) fail "a USER was added ($user) where the fix must decline" ;;
    esac
  else
    case "${user%%:*}" in
      "") fail "the fixed image has no USER (runs as root)" ;;
      root | 0) fail "the fixed image's USER is root ($user)" ;;
      *) echo "    USER $user" ;;
    esac
  fi
  # Same output apart from lines that name the uid or the interpreter's path.
  local norm='/^(uid [0-9]+|python [0-9.]+ at .*)$/d'
  if ! diff <(sed -E "$norm" "$logs/run-orig.log") <(sed -E "$norm" "$logs/run-fixed.log") >"$logs/run.diff"; then
    indent <"$logs/run.diff"
    fail "the fixed image's output differs from the original's"
  fi
  # Same ENTRYPOINT, CMD, WORKDIR, EXPOSE, VOLUME, and ENV apart from the
  # variables the rewrite and the user fix set.
  local fmt='{{json .Config.Entrypoint}} {{json .Config.Cmd}} {{json .Config.WorkingDir}} {{json .Config.ExposedPorts}} {{json .Config.Volumes}}'
  local c_orig c_fixed e_orig e_fixed
  c_orig="$("$DOCKER" image inspect -f "$fmt" "$orig_tag")"
  c_fixed="$("$DOCKER" image inspect -f "$fmt" "$fixed_tag")"
  [ "$c_orig" = "$c_fixed" ] || fail "image config differs: $c_orig -> $c_fixed"
  local env_filter='^(PATH|VIRTUAL_ENV|UV_PROJECT_ENVIRONMENT|HOME)='
  e_orig="$("$DOCKER" image inspect -f '{{range .Config.Env}}{{println .}}{{end}}' "$orig_tag" | grep -Ev "$env_filter" | sort)"
  e_fixed="$("$DOCKER" image inspect -f '{{range .Config.Env}}{{println .}}{{end}}' "$fixed_tag" | grep -Ev "$env_filter" | sort)"
  [ "$e_orig" = "$e_fixed" ] || fail "ENV differs: $(echo "$e_orig" | tr '\n' ' ') -> $(echo "$e_fixed" | tr '\n' ' ')"
  if uid_out="$(timeout "$RUN_TIMEOUT" "$DOCKER" run --rm --entrypoint id "$fixed_tag" -u 2>&1)"; then
    if [ "$uid_out" = 0 ]; then
      [ -n "$user" ] && fail "the fixed image runs as uid 0 (USER $user resolves to root)"
      echo "    id -u: 0"
    else
      echo "    id -u: $uid_out"
    fi
  else
    echo "    (could not run 'id' in the image; relying on Config.User)"
  fi

  echo "  [8/8] size"
  printf '    %-10s %14s bytes %10s MB\n' before "$before" "$(mb "$before")" after "$after" "$(mb "$after")"
  local must_halve=0
  uses_devel_base "$logs/Dockerfile.orig" && must_halve=1
  [ -n "$EXPECT_SMALLER" ] && must_halve="$EXPECT_SMALLER"
  if [ -f "$src/expected.Dockerfile" ] && [ -n "$MAX_RATIO_TO_EXPERT" ]; then
    local expert_tag="$TAG_PREFIX/$name:expert" expert
    cp "$src/expected.Dockerfile" "$ctx/Dockerfile"
    if build_image "$expert_tag" "$ctx" "$logs/build-expert.log"; then
      expert="$(image_size "$expert_tag")"
      printf '    %-10s %14s bytes %10s MB (hand-written expert rewrite)\n' expert "$expert" "$(mb "$expert")"
      if awk -v a="$after" -v e="$expert" -v r="$MAX_RATIO_TO_EXPERT" 'BEGIN { exit !(a > e * r) }'; then
        fail "fixed image is $(awk -v a="$after" -v e="$expert" 'BEGIN { printf "%.2f", a / e }')x the expert rewrite (at most ${MAX_RATIO_TO_EXPERT}x)"
      else
        echo "    fixed / expert = $(awk -v a="$after" -v e="$expert" 'BEGIN { printf "%.2f", a / e }') (at most $MAX_RATIO_TO_EXPERT)"
      fi
    else
      fail "the expert Dockerfile does not build"
    fi
    cp "$logs/Dockerfile.fixed" "$ctx/Dockerfile"
  fi
  if [ "$must_halve" = 1 ]; then
    if [ "$((after * 2))" -ge "$before" ]; then
      fail "devel-based image not halved: $(mb "$after") MB >= $(mb "$before") MB / 2"
    else
      echo "    devel base: fixed is under half the original (required)"
    fi
  elif [ "$((after * 10))" -gt "$((before * 11))" ]; then
    echo "    WARNING: fixed image is more than 10% larger than the original (not a failure for non-devel bases)"
  fi
  FIX_BEFORE="$before"; FIX_AFTER="$after"
  if [ -n "$VERIFY" ]; then
    cp "$logs/Dockerfile.orig" "$ctx/Dockerfile"
    verify_fixture "$name" "$src" "$ctx" "$logs" "$VERIFY"
  fi
}

# `dflint fix --verify` on the original: it must keep the unsafe fixes
# (keep) or fall back to the safe ones (fallback), and write exactly that.
verify_fixture() { # verify_fixture NAME SRC CTX LOGS keep|fallback
  local name="$1" src="$2" ctx="$3" logs="$4" want="$5" rc=0 level
  echo "  [verify] dflint fix --verify ($want expected)"
  local -a bargs=()
  local a
  for a in ${BUILD_ARGS:-}; do bargs+=(--build-arg "$a"); done
  (cd "$ctx" && "$DFLINT" fix --verify "${bargs[@]+"${bargs[@]}"}" Dockerfile) >"$logs/verify.log" 2>&1 || rc=$?
  grep '^verify:' "$logs/verify.log" | indent
  if [ "$rc" -ne 0 ] && [ "$rc" -ne 1 ]; then
    tail -n 20 "$logs/verify.log" | indent
    fail "dflint fix --verify exited $rc"
    return
  fi
  if [ "$want" = keep ]; then
    grep -q '^verify: the unsafe fixes are kept' "$logs/verify.log" || fail "--verify did not keep the unsafe fixes"
    level=(--unsafe-fixes)
  else
    grep -q '^verify: the unsafe fixes are dropped' "$logs/verify.log" || fail "--verify did not fall back to the safe fixes"
    level=()
  fi
  "$DFLINT" fix "${level[@]+"${level[@]}"}" - <"$src/Dockerfile" >"$logs/verify-expected" 2>/dev/null || true
  cmp -s "$ctx/Dockerfile" "$logs/verify-expected" || fail "--verify wrote something other than the $want fixes"
}

declare -a FIXTURE_LIST=()
if [ -n "${E2E_ONLY:-}" ]; then
  IFS=', ' read -r -a FIXTURE_LIST <<<"$E2E_ONLY"
else
  for d in "$FIXTURES"/*/; do
    [ -f "$d/Dockerfile" ] && FIXTURE_LIST+=("$(basename "$d")")
  done
fi
[ "${#FIXTURE_LIST[@]}" -gt 0 ] || die "no fixtures found in $FIXTURES"

for name in "${FIXTURE_LIST[@]}"; do
  [ -f "$FIXTURES/$name/Dockerfile" ] || die "no fixture named '$name' (no $FIXTURES/$name/Dockerfile)"
done

for name in "${FIXTURE_LIST[@]}"; do
  say "fixture $name"
  t0=$(date +%s)
  FIX_BEFORE=""; FIX_AFTER=""
  run_fixture "$name"
  t1=$(date +%s)
  NAMES+=("$name"); BEFORE+=("$FIX_BEFORE"); AFTER+=("$FIX_AFTER"); SECONDS_TAKEN+=("$((t1 - t0))")
  if [ "${#FAILS[@]}" -eq 0 ]; then
    RESULTS+=("PASS")
  else
    RESULTS+=("FAIL: $(IFS=';'; echo "${FAILS[*]}")")
  fi
done

if [ "${E2E_CLEAN:-0}" = 1 ] && [ "${#ALL_IMAGES[@]}" -gt 0 ]; then
  say "removing e2e images (E2E_CLEAN=1)"
  "$DOCKER" image rm "${ALL_IMAGES[@]}" >/dev/null || echo "(some images could not be removed)"
fi

# --- summary ------------------------------------------------------------------
say "sizes"
printf '%-24s %15s %15s\n' fixture "before bytes" "after bytes"
for i in "${!NAMES[@]}"; do
  printf '%-24s %15s %15s\n' "${NAMES[$i]}" "${BEFORE[$i]:--}" "${AFTER[$i]:--}"
done

say "summary"
failed=0
printf '%-24s | %9s | %9s | %5s | %4s | %s\n' fixture "before MB" "after MB" ratio time result
printf '%s\n' "-------------------------+-----------+-----------+-------+------+--------"
for i in "${!NAMES[@]}"; do
  b="${BEFORE[$i]}" a="${AFTER[$i]}"
  ratio="-"
  [ -n "$b" ] && [ -n "$a" ] && ratio="$(awk -v a="$a" -v b="$b" 'BEGIN { printf "%.2f", a / b }')"
  printf '%-24s | %9s | %9s | %5s | %3ss | %s\n' "${NAMES[$i]}" "$(mb "$b")" "$(mb "$a")" "$ratio" "${SECONDS_TAKEN[$i]}" "${RESULTS[$i]}"
  [ "${RESULTS[$i]}" = PASS ] || failed=$((failed + 1))
done
echo
echo "total time: $(($(date +%s) - START_TIME))s; images kept as $TAG_PREFIX/<fixture>:{orig,fixed} unless E2E_CLEAN=1"
if [ "$failed" -gt 0 ]; then
  echo "e2e: $failed of ${#NAMES[@]} fixture(s) FAILED" >&2
  exit 1
fi
echo "e2e: all ${#NAMES[@]} fixture(s) passed"
