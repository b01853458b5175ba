#!/usr/bin/env bash
# Fill fuzz/corpus/<target>/ with every Dockerfile the project knows: the
# BuildKit parser cases and snippets, the modern-syntax snippets (heredocs,
# directives), the real-world corpus, the fixtures and the end-to-end
# fixtures. Files are named by content hash (as libFuzzer names
# its own finds), so running this again adds nothing twice.
#
#   fuzz/seed.sh [TARGET...]     (default: parse check fix)
set -euo pipefail
cd "$(dirname "$0")"

targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(parse check fix)

shopt -s nullglob
sources=(
  ../../shared/corpus/buildkit-parser/*/Dockerfile
  ../../shared/corpus/buildkit-snippets/*/Dockerfile
  ../../shared/corpus/modern-snippets/*/Dockerfile
  ../../shared/corpus/realworld/*
  ../fixtures/*.Dockerfile
  ../tests/e2e/fixtures/*/Dockerfile
)
seeds=()
for f in "${sources[@]}"; do
  # The real-world folder also holds its manifest and notes.
  case "$f" in *.tsv | *.md) continue ;; esac
  [ -f "$f" ] && seeds+=("$f")
done
if [ ${#seeds[@]} -eq 0 ]; then
  echo "seed: no seed files found (is ../shared/corpus beside the repository?)" >&2
  exit 1
fi

for t in "${targets[@]}"; do
  mkdir -p "corpus/$t"
  for f in "${seeds[@]}"; do
    sum=$(sha1sum "$f" | cut -d' ' -f1)
    cp "$f" "corpus/$t/$sum"
  done
  echo "seed: corpus/$t has $(find "corpus/$t" -type f | wc -l) files"
done
