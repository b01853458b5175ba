# Helpers the test-*.sh scripts share: numbered steps, what each proved, a
# failure that names the script, and commands whose output goes to a log in
# $WORK. Sourced after the script sets START (=$SECONDS), WORK and PROVED=().
# shellcheck shell=bash

step() { printf '\n== [%4ss] %s\n' "$((SECONDS - START))" "$*"; }
ok() { echo "   ok: $*"; PROVED+=("$*"); }
fail() {
  echo >&2
  echo "FAIL: scripts/${0##*/}: $*" >&2
  exit 1
}
logged() { # logged NAME CMD...: output in a log, shown on failure
  local log="$WORK/$1.log"
  shift
  if ! "$@" >"$log" 2>&1; then
    tail -40 "$log" >&2
    fail "command failed: $* (log above)"
  fi
}
# logged, for a long command: prints the time spent every 30 seconds.
with_progress() { # with_progress LABEL NAME CMD...
  local label="$1" log="$WORK/$2.log" t0=$SECONDS pid
  shift 2
  "$@" >"$log" 2>&1 &
  pid=$!
  while kill -0 "$pid" 2>/dev/null; do
    for _ in $(seq 30); do
      sleep 1
      kill -0 "$pid" 2>/dev/null || break
    done
    if kill -0 "$pid" 2>/dev/null; then echo "   ... $label: $((SECONDS - t0))s"; fi
  done
  if ! wait "$pid"; then
    tail -40 "$log" >&2
    fail "$label failed (log above)"
  fi
  echo "   $label took $((SECONDS - t0))s"
}
# The exit status of a command whose output goes to FILE.
status_to() { # status_to FILE CMD...
  local out="$1" s=0
  shift
  "$@" >"$out" 2>&1 || s=$?
  return "$s"
}
expect_status() { # expect_status WANT WHAT FILE CMD...
  local want="$1" what="$2" out="$3" s=0
  shift 3
  status_to "$out" "$@" || s=$?
  if [ "$s" -ne "$want" ]; then
    sed 's/^/   | /' "$out" >&2
    fail "$what: exit status $s, expected $want"
  fi
}
