#!/usr/bin/env bash
# Proves the pre-commit hooks of this repository (.pre-commit-hooks.yaml)
# with a real pre-commit, in a throwaway git repository:
#   - `language: rust` hooks: pre-commit builds dflint from this repository
#     with cargo; a Dockerfile with a finding fails `git commit` and
#     `pre-commit run`; `dflint-fix` fixes it (a pip cache mount appears) and
#     the commit then goes through; `# dflint ignore=DF002` silences it;
#     files are picked by name exactly as `dflint check DIR` picks them, so
#     README.md, app.py or Dockerfile.dockerignore never reach dflint;
#   - the no-Rust flavour, examples/ci/pre-commit-config-python.yaml: a local
#     `language: python` hook that pip-installs the dflint wheel, run with no
#     cargo on PATH and a local wheelhouse standing in for PyPI.
#
# pre-commit clones a hook repository at a rev, so what it tests must be
# committed: with a clean work tree this repository is used at HEAD; with
# uncommitted changes the work tree's files are committed into a throwaway
# copy and that is used instead.
#
# Network: PyPI (pre-commit, maturin, setuptools) and crates.io (the hook's
# dependencies). The first run compiles dflint in release mode twice, for
# the rust hook and for the wheel: several minutes on 2 cores.
#
# Usage: scripts/test-pre-commit.sh        (from any directory)
# Env:   PYTHON (default python3); CARGO_TARGET_DIR (default target/packaging:
#        compiled dependencies are reused between runs and with
#        scripts/test-wheel.sh; the hook itself is still built and installed
#        by pre-commit into its own cache).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
START=$SECONDS
PY="${PYTHON:-python3}"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$ROOT/target/packaging}"
WORK="$(mktemp -d "${TMPDIR:-/tmp}/dflint-pre-commit.XXXXXX")"
trap 'rm -rf "$WORK"' EXIT
# A pre-commit cache of this run's own, so nothing built before is reused.
export PRE_COMMIT_HOME="$WORK/pre-commit-home"
export PRE_COMMIT_COLOR=never NO_COLOR=1
# This machine's global pip find-links must not stand in for PyPI.
unset PIP_FIND_LINKS

PROVED=()
# shellcheck source=scripts/lib/steps.sh
. "$ROOT/scripts/lib/steps.sh"
git_q() { git -c user.name=dflint-test -c user.email=dflint-test@localhost -c commit.gpgsign=false "$@"; }

VERSION="$(cargo metadata --no-deps --format-version 1 \
  | "$PY" -c 'import json,sys; print(next(p["version"] for p in json.load(sys.stdin)["packages"] if p["name"] == "dflint"))')"

BAD='FROM python:3.11-slim
RUN pip install flask
USER 1000
CMD ["flask", "run"]'

step "install pre-commit and maturin from PyPI into a throwaway virtualenv"
"$PY" -m venv "$WORK/tools"
logged pip-tools "$WORK/tools/bin/pip" install --disable-pip-version-check pre-commit "maturin>=1.5,<2"
PRE_COMMIT="$WORK/tools/bin/pre-commit"
echo "   $("$PRE_COMMIT" --version), $("$WORK/tools/bin/maturin" --version)"

step "the hook repository under test"
if [ -z "$(git --no-optional-locks status --porcelain --untracked-files=normal)" ]; then
  HOOK_REPO="$ROOT"
  HOOK_REV="$(git rev-parse HEAD)"
  echo "   clean work tree: $ROOT at HEAD $HOOK_REV"
else
  # Tracked and untracked files as the work tree has them (ignored ones and
  # fuzz/, with its corpora, left out), committed into a throwaway copy.
  HOOK_REPO="$WORK/hook-repo"
  mkdir -p "$HOOK_REPO"
  git ls-files -z --cached --others --exclude-standard -- . ':!:fuzz' \
    | while IFS= read -r -d '' f; do [ -f "$f" ] && printf '%s\0' "$f"; done \
    | tar --null -T - -cf - | tar -xf - -C "$HOOK_REPO"
  git_q -C "$HOOK_REPO" init -q
  git_q -C "$HOOK_REPO" add -A
  git_q -C "$HOOK_REPO" commit -q -m "work tree of $ROOT at $(git rev-parse --short HEAD)"
  HOOK_REV="$(git -C "$HOOK_REPO" rev-parse HEAD)"
  echo "   uncommitted changes: the work tree copied to $HOOK_REPO, committed as $HOOK_REV"
fi

step "a project using the rust hooks (repo: <that path>, rev: <that commit>)"
PROJ="$WORK/project"
mkdir -p "$PROJ"
git_q -C "$PROJ" init -q
cat >"$PROJ/.pre-commit-config.yaml" <<EOF
repos:
  - repo: $HOOK_REPO
    rev: $HOOK_REV
    hooks:
      - id: dflint-fix
      - id: dflint
EOF
git_q -C "$PROJ" add .pre-commit-config.yaml
git_q -C "$PROJ" commit -q -m "pre-commit config"
cd "$PROJ"
with_progress "pre-commit install-hooks (cargo install of dflint, release)" install-hooks \
  "$PRE_COMMIT" install-hooks
HOOK_BIN="$(find "$PRE_COMMIT_HOME" -path '*rustenv*/bin/dflint' -type f | head -1)"
[ -x "$HOOK_BIN" ] || fail "no dflint binary in pre-commit's rust environment under $PRE_COMMIT_HOME"
[ "$("$HOOK_BIN" --version)" = "dflint $VERSION" ] || fail "the hook's dflint is not version $VERSION"
ok "pre-commit built the rust hook from the repository: $("$HOOK_BIN" --version)"
logged pre-commit-install "$PRE_COMMIT" install

step "a Dockerfile with a finding fails pre-commit run"
printf '%s\n' "$BAD" >Dockerfile
# Staged: pre-commit sees a hook's change as a diff against the index (an
# untracked file changed by a hook would go unnoticed).
git_q add Dockerfile
expect_status 1 "pre-commit run dflint --files Dockerfile" "$WORK/run-bad.out" \
  "$PRE_COMMIT" run dflint --files Dockerfile
grep -q "Dockerfile:2:5: DF002" "$WORK/run-bad.out" || { cat "$WORK/run-bad.out"; fail "the DF002 finding is not in pre-commit's output"; }
ok "pre-commit run dflint --files Dockerfile exits 1 and shows Dockerfile:2:5: DF002"

step "dflint-fix fixes it"
expect_status 1 "pre-commit run dflint-fix (it changes the file, so pre-commit reports failure)" \
  "$WORK/run-fix.out" "$PRE_COMMIT" run dflint-fix --files Dockerfile
grep -q "files were modified by this hook" "$WORK/run-fix.out" || { cat "$WORK/run-fix.out"; fail "pre-commit did not see the fix change the file"; }
grep -q -- "RUN --mount=type=cache,target=/root/.cache/pip pip install flask" Dockerfile \
  || { cat Dockerfile; fail "the fixed Dockerfile has no pip cache mount"; }
ok "pre-commit run dflint-fix rewrote Dockerfile: RUN --mount=type=cache,target=/root/.cache/pip pip install flask"
expect_status 0 "pre-commit run dflint on the fixed file" "$WORK/run-fixed.out" \
  "$PRE_COMMIT" run dflint --files Dockerfile
ok "the fixed file passes the dflint hook"

step "git commit with the hooks installed"
git_q add Dockerfile
printf 'FROM python:3.11-slim\nCOPY model.safetensors /models/\nUSER 1000\n' >serve.Dockerfile
git_q add serve.Dockerfile
status_to "$WORK/commit-unfixable.out" git_q commit -m "weights baked in" \
  && { cat "$WORK/commit-unfixable.out"; fail "git commit of a Dockerfile with a finding went through"; }
grep -q "serve.Dockerfile:2:1: DF005" "$WORK/commit-unfixable.out" || { cat "$WORK/commit-unfixable.out"; fail "the refused commit did not show DF005"; }
[ -z "$(git log --oneline -- serve.Dockerfile)" ] || fail "serve.Dockerfile was committed"
ok "git commit of a file with a finding no fix removes (DF005) is refused, the finding shown"
git_q rm -q --cached serve.Dockerfile
rm serve.Dockerfile
printf '%s\n' "$BAD" >train.Dockerfile
git_q add train.Dockerfile
status_to "$WORK/commit-fixable.out" git_q commit -m "pip cache in a layer" \
  && { cat "$WORK/commit-fixable.out"; fail "git commit of a Dockerfile dflint-fix changes went through"; }
grep -q "files were modified by this hook" "$WORK/commit-fixable.out" || { cat "$WORK/commit-fixable.out"; fail "the refused commit does not say dflint-fix changed files"; }
grep -q -- "--mount=type=cache,target=/root/.cache/pip" train.Dockerfile || fail "dflint-fix did not fix train.Dockerfile during the commit"
git_q add train.Dockerfile
expect_status 0 "git commit once the fix is staged" "$WORK/commit-fixed.out" \
  git_q commit -m "pip cache in a cache mount"
[ -n "$(git log --oneline -- train.Dockerfile)" ] || fail "train.Dockerfile was not committed"
ok "git commit of a fixable file is refused while dflint-fix rewrites it; staging the fix lets it through"

step "a suppression comment silences the finding"
printf 'FROM python:3.11-slim\n# dflint ignore=DF002\nRUN pip install flask\nUSER 1000\n' >Dockerfile.gpu
expect_status 0 "pre-commit run dflint on a file whose finding is suppressed" "$WORK/run-ignore.out" \
  "$PRE_COMMIT" run dflint --files Dockerfile.gpu
sed -i '/dflint ignore/d' Dockerfile.gpu
expect_status 1 "the same file without the comment" "$WORK/run-noignore.out" \
  "$PRE_COMMIT" run dflint --files Dockerfile.gpu
ok "'# dflint ignore=DF002' makes the hook pass; without it the same file fails"
rm Dockerfile.gpu

step "which files reach dflint: by name, as dflint check DIR discovers them"
# Every file gets the same content with a finding, so each file dflint is
# given shows up in its output, whatever its name.
POSITIVE=(Containerfile api.Dockerfile cuda.dockerfile Dockerfile-cpu docker/Dockerfile_gpu
  Containerfile.dev web.Containerfile sub/dockerfile cuda_Dockerfile DOCKERFILE.prod)
NEGATIVE=(README.md app.py Dockerfile.dockerignore .dockerignore Dockerfile.md Dockerfile.j2
  notes.txt docker-compose.yml Dockerfiles mydockerfile .Dockerfile Dockerfile.bak
  test_dockerfile.py docs/Dockerfile.rst)
for f in "${POSITIVE[@]}" "${NEGATIVE[@]}"; do
  mkdir -p "$(dirname "$f")"
  printf '%s\n' "$BAD" >"$f"
done
git_q add -A
status_to "$WORK/run-all.out" "$PRE_COMMIT" run dflint --all-files || true
# Paths that have a finding in the output: the files dflint was given.
paths_in() { grep -oE '^[^: ]+:[0-9]+:[0-9]+: DF[0-9]+' "$1" | cut -d: -f1 | sed 's|^\./||' | sort -u; }
paths_in "$WORK/run-all.out" >"$WORK/hook.paths"
printf '%s\n' "${POSITIVE[@]}" | sort -u >"$WORK/expected.paths"
status_to "$WORK/discover.out" "$HOOK_BIN" check --no-ignore --isolated . || true
paths_in "$WORK/discover.out" >"$WORK/discover.paths"
if ! diff -u "$WORK/expected.paths" "$WORK/hook.paths" >"$WORK/hook.diff"; then
  cat "$WORK/hook.diff"
  fail "the hook was given other files than expected (- expected, + given)"
fi
if ! diff -u "$WORK/discover.paths" "$WORK/hook.paths" >"$WORK/discover.diff"; then
  cat "$WORK/discover.diff"
  fail "the hook's file selection differs from dflint check's discovery (- discovery, + hook)"
fi
ok "dflint got exactly the ${#POSITIVE[@]} Dockerfile names (as dflint check . picks), none of: ${NEGATIVE[*]}"

step "the no-Rust flavour: examples/ci/pre-commit-config-python.yaml, from a wheel"
"$PY" - "$HOOK_REPO/.pre-commit-hooks.yaml" "$HOOK_REPO/examples/ci/pre-commit-config-python.yaml" <<'EOF' \
  || fail "the python example's file patterns differ from .pre-commit-hooks.yaml's"
import sys, yaml
manifest = {h["id"]: h for h in yaml.safe_load(open(sys.argv[1]))}
example = {h["id"]: h for h in yaml.safe_load(open(sys.argv[2]))["repos"][0]["hooks"]}
bad = [(i, k) for i, h in manifest.items() for k in ("entry", "files", "exclude", "types", "require_serial")
       if example.get(i, {}).get(k) != h.get(k)]
print("   differs:", bad) if bad else None
sys.exit(1 if bad else 0)
EOF
ok "the python example selects files with the same patterns, entry and options as the rust hooks"
# The wheel the example's pin stands for, built from the hook repository,
# and setuptools for the placeholder package pre-commit installs for a
# local python hook: with them in a wheelhouse, pip needs no index at all.
with_progress "maturin build --release (the wheel)" maturin-build \
  "$WORK/tools/bin/maturin" build --release --manifest-path "$HOOK_REPO/Cargo.toml" --out "$WORK/wheelhouse"
logged pip-download "$WORK/tools/bin/pip" download --disable-pip-version-check --only-binary :all: \
  -d "$WORK/wheelhouse" setuptools wheel
PYPROJ="$WORK/project-python"
mkdir -p "$PYPROJ"
git_q -C "$PYPROJ" init -q
sed "s/dflint==[0-9][0-9.]*/dflint==$VERSION/" "$HOOK_REPO/examples/ci/pre-commit-config-python.yaml" \
  >"$PYPROJ/.pre-commit-config.yaml"
cd "$PYPROJ"
printf '%s\n' "$BAD" >Dockerfile
printf '%s\n' "$BAD" >README.md
git_q add -A
# No cargo on this PATH: the hook must come from the wheel alone.
NO_RUST=(env "PATH=$WORK/tools/bin:/usr/bin:/bin" PIP_NO_INDEX=1 "PIP_FIND_LINKS=$WORK/wheelhouse")
if "${NO_RUST[@]}" sh -c 'command -v cargo' >/dev/null; then fail "cargo is on the no-Rust PATH"; fi
with_progress "pre-commit install-hooks (pip install of the wheel)" install-hooks-python \
  "${NO_RUST[@]}" "$PRE_COMMIT" install-hooks
expect_status 1 "python flavour: pre-commit run dflint --all-files" "$WORK/py-run-bad.out" \
  "${NO_RUST[@]}" "$PRE_COMMIT" run dflint --all-files
grep -q "^Dockerfile:2:5: DF002" "$WORK/py-run-bad.out" || { cat "$WORK/py-run-bad.out"; fail "python flavour: no DF002 on Dockerfile"; }
grep -q "^README.md:" "$WORK/py-run-bad.out" && fail "python flavour: README.md was passed to dflint"
expect_status 1 "python flavour: dflint-fix" "$WORK/py-run-fix.out" \
  "${NO_RUST[@]}" "$PRE_COMMIT" run dflint-fix --all-files
grep -q -- "--mount=type=cache,target=/root/.cache/pip" Dockerfile || fail "python flavour: dflint-fix added no cache mount"
expect_status 0 "python flavour: dflint on the fixed file" "$WORK/py-run-fixed.out" \
  "${NO_RUST[@]}" "$PRE_COMMIT" run dflint --all-files
ok "with no cargo on PATH, the python hooks install dflint $VERSION from the wheel, fail on the finding, fix it, then pass"

echo
echo "Proved:"
for p in "${PROVED[@]}"; do echo "  - $p"; done
echo "Not proved here: fetching the hook repository over the network by its public"
echo "URL and tag, and installing the wheel from PyPI itself (a local wheelhouse stands in)."
echo
echo "PASS: scripts/test-pre-commit.sh ($((SECONDS - START))s)"
