#!/usr/bin/env bash
# A guard against work that grows with the square of the file, for CI: each
# adversarial shape (scripts/gen-adversarial.py) at N and 4N repetitions,
# `check --select ALL` and `fix --unsafe-fixes --select ALL --diff`, counted
# in instructions executed (valgrind's callgrind). Counts, unlike times, do
# not follow the machine's load (they vary by up to 2% run to run, from how
# the rules share the threads), so they can be asserted: a linear path does
# about 4x the work for 4x the input, a quadratic one about 16x. The guard
# fails when any count grows more than LIMIT times.
#
#   scripts/scaling-guard.sh [N]
#
# N (default 400) is the smaller repetition count. Environment:
#   DFLINT   the binary to measure (default: target/release/dflint, built)
#   LIMIT    the largest growth allowed (default 5)
#   SHAPES   comma-separated shapes (default: all)
set -euo pipefail
cd "$(dirname "$0")/.."

N=${1:-400}
LIMIT=${LIMIT:-5}
if ! command -v valgrind >/dev/null; then
  echo "scaling-guard: valgrind is needed (Debian: apt-get install valgrind)" >&2
  exit 2
fi
if [ -z "${DFLINT:-}" ]; then
  cargo build --release --quiet
  DFLINT=target/release/dflint
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
shapes=()
[ -n "${SHAPES:-}" ] && shapes=(--shapes "$SHAPES")
python3 scripts/gen-adversarial.py "$work/n" "$N" "${shapes[@]}" >/dev/null
python3 scripts/gen-adversarial.py "$work/4n" "$((N * 4))" "${shapes[@]}" >/dev/null

# Instructions executed by one run (its output and exit code ignored: most
# shapes have findings).
instructions() {
  { valgrind --tool=callgrind --callgrind-out-file=/dev/null "$@" 2>&1 >/dev/null || true; } |
    sed -n 's/.*Collected : \([0-9]*\).*/\1/p'
}

printf '%-22s %-8s %14s %14s %7s\n' shape command "N=$N" "4N=$((N * 4))" growth
failed=0
for small in "$work"/n/*.Dockerfile; do
  name=$(basename "$small" .Dockerfile)
  for command in check fix; do
    case $command in
      check) args=(check --select ALL) ;;
      fix) args=(fix --unsafe-fixes --select ALL --diff) ;;
    esac
    a=$(instructions "$DFLINT" "${args[@]}" "$small")
    b=$(instructions "$DFLINT" "${args[@]}" "$work/4n/$name.Dockerfile")
    if [ -z "$a" ] || [ -z "$b" ]; then
      echo "scaling-guard: no instruction count for $name ($command)" >&2
      exit 2
    fi
    verdict=$(awk -v a="$a" -v b="$b" -v limit="$LIMIT" 'BEGIN {
      g = b / a; printf "%6.2fx%s", g, (g > limit ? "  GROWS FASTER THAN THE FILE" : "")
    }')
    printf '%-22s %-8s %14s %14s %s\n' "$name" "$command" "$a" "$b" "$verdict"
    case $verdict in *GROWS*) failed=1 ;; esac
  done
done

if [ "$failed" = 1 ]; then
  echo "scaling-guard: some work grew more than ${LIMIT}x for 4x the input" >&2
  exit 1
fi
echo "scaling-guard: every shape within ${LIMIT}x for 4x the input"
