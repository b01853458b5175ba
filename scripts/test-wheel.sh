#!/usr/bin/env bash
# Proves the Python packaging and the crates.io packaging of dflint:
#   - maturin builds a wheel that carries the `dflint` binary and the small
#     `dflint` Python package (for `python -m dflint`), and an sdist that
#     holds what building from source needs;
#   - the wheel installs with no index into a fresh virtualenv, and both
#     `dflint` and `python -m dflint` run from it, with dflint's exit codes;
#   - `cargo publish --dry-run` packages the crate (rule docs included) and
#     builds it from the packaged files alone.
# Network: PyPI, only to install maturin into a throwaway virtualenv (and
# crates.io for the dependencies cargo builds).
#
# Usage: scripts/test-wheel.sh        (from any directory)
# Env:   PYTHON (default python3); CARGO_TARGET_DIR (default
#        target/packaging, kept apart from the development build so the two
#        never wait on each other's lock, and reused by later runs).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
START=$SECONDS
PY="${PYTHON:-python3}"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$ROOT/target/packaging}"
WORK="$(mktemp -d "${TMPDIR:-/tmp}/dflint-wheel.XXXXXX")"
trap 'rm -rf "$WORK"' EXIT

PROVED=()
# shellcheck source=scripts/lib/steps.sh
. "$ROOT/scripts/lib/steps.sh"
# The exit status of a command, without `set -e` stopping the script.
status_of() { set +e; "$@"; local s=$?; set -e; return "$s"; }

VERSION="$(cargo metadata --no-deps --format-version 1 \
  | "$PY" -c 'import json,sys; print(next(p["version"] for p in json.load(sys.stdin)["packages"] if p["name"] == "dflint"))')"
echo "dflint $VERSION from $ROOT; cargo target dir $CARGO_TARGET_DIR"

step "install maturin from PyPI into a throwaway virtualenv"
"$PY" -m venv "$WORK/tools"
logged pip-maturin "$WORK/tools/bin/pip" install --disable-pip-version-check "maturin>=1.5,<2"
echo "   $("$WORK/tools/bin/maturin" --version)"

step "maturin build --release (a release build: a few minutes the first time)"
logged maturin-build "$WORK/tools/bin/maturin" build --release --out "$WORK/dist"
grep -E "Built wheel|📦|warning" "$WORK/maturin-build.log" | sed 's/^/   /' || true
shopt -s nullglob
wheels=("$WORK"/dist/*.whl)
shopt -u nullglob
[ "${#wheels[@]}" -eq 1 ] || fail "expected one wheel in $WORK/dist, found ${#wheels[@]}"
WHEEL="${wheels[0]}"
echo "   $(basename "$WHEEL")"

step "the wheel's contents and metadata"
"$PY" - "$WHEEL" "$VERSION" <<'EOF' || fail "the wheel's contents or metadata are wrong (see above)"
import sys, zipfile
wheel, version = sys.argv[1], sys.argv[2]
names = zipfile.ZipFile(wheel).namelist()
problems = []
for want in (f"dflint-{version}.data/scripts/dflint", "dflint/__init__.py", "dflint/__main__.py"):
    if want not in names:
        problems.append(f"missing {want}")
meta = zipfile.ZipFile(wheel).read(f"dflint-{version}.dist-info/METADATA").decode()
for want in ("Name: dflint", f"Version: {version}", "Requires-Python: >=3.8"):
    if want not in meta.splitlines():
        problems.append(f"METADATA lacks {want!r}")
if "MIT" not in meta:
    problems.append("METADATA names no MIT licence")
tag = wheel.rsplit("-", 3)[1:]
# A binary wheel runs under any Python 3: py3-none-<platform>.
if tag[:2] != ["py3", "none"]:
    problems.append(f"wheel tag is {'-'.join(tag)}, not py3-none-<platform>")
for p in problems:
    print("   " + p)
sys.exit(1 if problems else 0)
EOF
ok "wheel $(basename "$WHEEL") carries the binary (scripts), the dflint package and MIT/>=3.8 metadata"

step "maturin sdist: what a build from source needs is in it"
logged maturin-sdist "$WORK/tools/bin/maturin" sdist --out "$WORK/sdist"
sdist="$(ls "$WORK"/sdist/*.tar.gz)"
tar -tzf "$sdist" >"$WORK/sdist.list"
for want in pyproject.toml Cargo.toml Cargo.lock rules/DF002.md src/main.rs python/dflint/__main__.py README.md LICENSE; do
  grep -q "^dflint-$VERSION/$want\$" "$WORK/sdist.list" || fail "the sdist lacks $want"
done
ok "sdist $(basename "$sdist") holds the manifests, sources, rule docs and the Python package"

step "install the wheel into a fresh virtualenv, with no index"
"$PY" -m venv "$WORK/venv"
# --no-index, and this machine's global find-links dropped: the wheel is
# all there is, so the install cannot have fetched anything.
logged pip-install env -u PIP_FIND_LINKS "$WORK/venv/bin/pip" install --disable-pip-version-check --no-index "$WHEEL"
ok "the wheel installs offline (pip --no-index)"

# A PATH with neither the virtualenv nor ~/.cargo/bin on it, so that
# `python -m dflint` must find the binary through sysconfig, not PATH.
BARE_PATH=/usr/bin:/bin
if PATH=$BARE_PATH command -v dflint >/dev/null 2>&1; then
  fail "a dflint on $BARE_PATH would hide what python -m dflint finds"
fi
DFLINT="$WORK/venv/bin/dflint"
PYTHON_M=(env PATH=$BARE_PATH "$WORK/venv/bin/python" -m dflint)

step "dflint --version and python -m dflint --version"
got="$("$DFLINT" --version)"
[ "$got" = "dflint $VERSION" ] || fail "dflint --version printed '$got', not 'dflint $VERSION'"
got="$("${PYTHON_M[@]}" --version)"
[ "$got" = "dflint $VERSION" ] || fail "python -m dflint --version printed '$got'"
ok "both print 'dflint $VERSION' (python -m dflint found the venv's binary with PATH=$BARE_PATH)"

step "dflint check: a finding exits 1, a clean file exits 0 (binary and python -m)"
mkdir -p "$WORK/sample"
cat >"$WORK/sample/bad.Dockerfile" <<'EOF'
FROM python:3.11-slim
RUN pip install flask
USER 1000
CMD ["flask", "run"]
EOF
cat >"$WORK/sample/clean.Dockerfile" <<'EOF'
FROM python:3.11-slim
RUN pip install --no-cache-dir flask
USER 1000
CMD ["flask", "run"]
EOF
for runner in binary python-m; do
  if [ "$runner" = binary ]; then run=("$DFLINT"); else run=("${PYTHON_M[@]}"); fi
  s=0
  status_of "${run[@]}" check "$WORK/sample/bad.Dockerfile" >"$WORK/bad.out" 2>&1 || s=$?
  [ "$s" -eq 1 ] || { cat "$WORK/bad.out"; fail "$runner: check on a file with a finding exited $s, not 1"; }
  grep -q "DF002" "$WORK/bad.out" || { cat "$WORK/bad.out"; fail "$runner: the finding is not DF002"; }
  s=0
  status_of "${run[@]}" check "$WORK/sample/clean.Dockerfile" >"$WORK/clean.out" 2>&1 || s=$?
  [ "$s" -eq 0 ] || { cat "$WORK/clean.out"; fail "$runner: check on a clean file exited $s, not 0"; }
done
ok "check exits 1 with DF002 on the bad file and 0 on the clean one, through both entry points"
"${PYTHON_M[@]}" rule DF002 | grep -q "pip-cache-in-layer" || fail "python -m dflint rule DF002 did not print the rule's doc"
ok "the embedded rule docs print from the installed binary (dflint rule DF002)"

step "cargo publish --dry-run --allow-dirty (packages, then builds from the package alone)"
logged cargo-package-list cargo package --list --allow-dirty
for want in rules/DF001.md rules/DF002.md rules/DF100.md src/main.rs Cargo.lock LICENSE README.md; do
  grep -qx "$want" "$WORK/cargo-package-list.log" || fail "the crate package lacks $want"
done
logged cargo-publish cargo publish --dry-run --allow-dirty
grep -E "Packaged|Verifying|aborting upload" "$WORK/cargo-publish.log" | sed 's/^/   /'
ok "cargo publish --dry-run passes; the package holds the rule docs the binary embeds"

echo
echo "Proved:"
for p in "${PROVED[@]}"; do echo "  - $p"; done
echo "Not proved here: wheels for other platforms (only this machine's $(uname -sm)),"
echo "and a manylinux tag old enough for every Linux (build releases in a manylinux container)."
echo
echo "PASS: scripts/test-wheel.sh ($((SECONDS - START))s)"
