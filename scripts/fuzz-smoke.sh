#!/usr/bin/env bash
# Build the fuzz targets (fuzz/) and run each one briefly from the seed
# corpus; exit non-zero if any target crashes, times out or leaks. Prints
# the executions of each target at the end.
#
#   scripts/fuzz-smoke.sh                       # 60 s per target
#   FUZZ_SECONDS=600 scripts/fuzz-smoke.sh      # longer
#   FUZZ_TARGETS="fix" scripts/fuzz-smoke.sh    # some targets only
#   FUZZ_RUNS=20000 scripts/fuzz-smoke.sh       # a fixed number of inputs, seed FUZZ_SEED (1)
#
# Uses the nightly toolchain when rustup has one; otherwise the default
# toolchain with RUSTC_BOOTSTRAP=1, which lets it take the -Z flags that
# cargo-fuzz passes for the sanitizer and coverage. Installs cargo-fuzz
# from crates.io when it is missing.
set -euo pipefail
cd "$(dirname "$0")/.."

SECONDS_EACH="${FUZZ_SECONDS:-60}"
read -r -a TARGETS <<<"${FUZZ_TARGETS:-parse check fix}"

die() {
  echo "fuzz-smoke: error: $*" >&2
  exit 1
}

[[ "$SECONDS_EACH" =~ ^[1-9][0-9]*$ ]] || die "FUZZ_SECONDS must be a positive number of seconds, not '$SECONDS_EACH'"

toolchain=()
if command -v rustup >/dev/null && rustup toolchain list | grep -q '^nightly'; then
  toolchain=(+nightly)
else
  echo "fuzz-smoke: no nightly toolchain; using $(rustc --version) with RUSTC_BOOTSTRAP=1"
  export RUSTC_BOOTSTRAP=1
fi

if ! cargo "${toolchain[@]}" fuzz --version >/dev/null 2>&1; then
  echo "fuzz-smoke: cargo-fuzz is missing; installing it from crates.io"
  if ! cargo install cargo-fuzz --locked; then
    die "cargo-fuzz could not be installed ('cargo install cargo-fuzz --locked' failed above); install it and run again"
  fi
  cargo "${toolchain[@]}" fuzz --version >/dev/null 2>&1 ||
    die "cargo-fuzz was installed but 'cargo fuzz' does not run; is ~/.cargo/bin on PATH?"
fi

logs=$(mktemp -d)
trap 'rm -rf "$logs"' EXIT

echo "fuzz-smoke: building the fuzz targets"
if ! cargo "${toolchain[@]}" fuzz build >"$logs/build.log" 2>&1; then
  tail -n 40 "$logs/build.log" >&2
  die "the fuzz targets do not build"
fi

bash fuzz/seed.sh "${TARGETS[@]}"
failed=()
summary=()
for t in "${TARGETS[@]}"; do
  if [ -n "${FUZZ_RUNS:-}" ]; then
    echo "fuzz-smoke: running $t ($FUZZ_RUNS inputs, seed ${FUZZ_SEED:-1})"
  else
    echo "fuzz-smoke: running $t for ${SECONDS_EACH}s"
  fi
  status=0
  # Flags as the long runs use them: inputs up to BuildKit's line limit,
  # 10 s per input, 2 GiB of memory; new inputs found are kept in
  # fuzz/corpus/<target>, crashes in fuzz/artifacts/<target>.
  # With FUZZ_RUNS the run is a fixed number of inputs from a fixed seed,
  # the same on every machine (what CI uses, so that it never fails on a
  # finding it merely happened to reach this time); without it, a timed run.
  limit=(-max_total_time="$SECONDS_EACH")
  [ -n "${FUZZ_RUNS:-}" ] && limit=(-runs="$FUZZ_RUNS" -seed="${FUZZ_SEED:-1}")
  started=$SECONDS
  cargo "${toolchain[@]}" fuzz run "$t" "fuzz/corpus/$t" -- \
    "${limit[@]}" -max_len=65536 -timeout=10 \
    -rss_limit_mb=2048 -print_final_stats=1 \
    >"$logs/$t.log" 2>&1 || status=$?
  took=$((SECONDS - started))
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$logs/$t.log" | tail -1)
  cov=$(grep -oE 'cov: [0-9]+ ft: [0-9]+' "$logs/$t.log" | tail -1)
  if [ "$status" -ne 0 ]; then
    failed+=("$t")
    summary+=("$t: FAILED (exit $status) after ${execs:-?} executions")
    echo "fuzz-smoke: $t failed; what broke, then the end of its log:" >&2
    # The panic message sits above the long sanitizer stack.
    grep -m 3 -A 3 -E 'panicked at|ERROR: libFuzzer|ERROR: AddressSanitizer' "$logs/$t.log" >&2 || true
    echo "..." >&2
    tail -n 25 "$logs/$t.log" >&2
  else
    summary+=("$t: ${execs:-?} executions in ${took}s, ${cov:-no coverage line}")
  fi
done

echo
echo "fuzz-smoke: results"
printf '  %s\n' "${summary[@]}"
if [ ${#failed[@]} -gt 0 ]; then
  die "crash, timeout or leak in: ${failed[*]} (inputs are in fuzz/artifacts/<target>/; replay one with 'cargo fuzz run <target> <file>')"
fi
